//! Page rendering: the templates (compiled once), the page frame every area shares, and
//! error pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, Value};

use super::Web;
use crate::auth::{Role, Session};
use crate::Error;

pub(super) fn environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    let t = |e: minijinja::Error| Error::Config(format!("template: {e}"));
    for (name, src) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("login.html", include_str!("../../templates/login.html")),
        (
            "overview.html",
            include_str!("../../templates/overview.html"),
        ),
        ("queues.html", include_str!("../../templates/queues.html")),
        ("queue.html", include_str!("../../templates/queue.html")),
        ("trees.html", include_str!("../../templates/trees.html")),
        ("tree.html", include_str!("../../templates/tree.html")),
        (
            "settings_whatsapp.html",
            include_str!("../../templates/settings_whatsapp.html"),
        ),
        (
            "tree_edit.html",
            include_str!("../../templates/tree_edit.html"),
        ),
        ("edit.html", include_str!("../../templates/edit.html")),
        ("l7.html", include_str!("../../templates/l7.html")),
        ("alerts.html", include_str!("../../templates/alerts.html")),
        (
            "alert_rules.html",
            include_str!("../../templates/alert_rules.html"),
        ),
        ("users.html", include_str!("../../templates/users.html")),
        ("routers.html", include_str!("../../templates/routers.html")),
        ("devices.html", include_str!("../../templates/devices.html")),
        (
            "devices_confirm.html",
            include_str!("../../templates/devices_confirm.html"),
        ),
        (
            "devices_diagnose.html",
            include_str!("../../templates/devices_diagnose.html"),
        ),
        ("audit.html", include_str!("../../templates/audit.html")),
        ("error.html", include_str!("../../templates/error.html")),
        ("hotspot.html", include_str!("../../templates/hotspot.html")),
        (
            "hotspot_batch.html",
            include_str!("../../templates/hotspot_batch.html"),
        ),
        (
            "hotspot_sheet.html",
            include_str!("../../templates/hotspot_sheet.html"),
        ),
        (
            "hotspot_active.html",
            include_str!("../../templates/hotspot_active.html"),
        ),
        (
            "hotspot_sales.html",
            include_str!("../../templates/hotspot_sales.html"),
        ),
        ("billing.html", include_str!("../../templates/billing.html")),
        (
            "billing_customers.html",
            include_str!("../../templates/billing_customers.html"),
        ),
        (
            "billing_customer.html",
            include_str!("../../templates/billing_customer.html"),
        ),
        (
            "billing_confirm.html",
            include_str!("../../templates/billing_confirm.html"),
        ),
        (
            "billing_receipt.html",
            include_str!("../../templates/billing_receipt.html"),
        ),
        (
            "billing_setup.html",
            include_str!("../../templates/billing_setup.html"),
        ),
        (
            "billing_reports.html",
            include_str!("../../templates/billing_reports.html"),
        ),
        ("notice.html", include_str!("../../templates/notice.html")),
    ] {
        env.add_template(name, src).map_err(t)?;
    }
    env.add_filter("rate", |v: u64| crate::fmt::rate(v));
    env.add_filter("bytes", |v: u64| crate::fmt::bytes(v));
    env.add_filter("time", |v: i64| crate::fmt::time(v));
    env.add_filter("urlenc", |v: String| super::urlencode(&v));
    Ok(env)
}

impl Web {
    /// Renders a template.
    pub(super) fn render(&self, name: &str, ctx: Value) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!("template {name}: {e:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
            }
        }
    }

    /// Renders a page inside the frame (navigation, user, routers).
    pub(super) fn page(&self, s: &Session, name: &str, active: &str, extra: Value) -> Response {
        let routers: Vec<Value> = self
            .hub
            .routers()
            .iter()
            .map(|r| {
                Value::from_serialize(serde_json::json!({
                    "id": r.id, "name": r.name, "embedded": r.embedded,
                }))
            })
            .collect();
        let fault = self.store.fault().map(|(when, what, failed)| {
            format!(
                "{} since {} UTC ({failed} writes failed)",
                crate::fmt::router_text(&what),
                crate::fmt::time(when)
            )
        });
        let ctx = context! {
            fault => fault,
            user => s.user, role => s.role.as_str(), admin => s.role == Role::Admin,
            csrf => s.csrf, active => active, routers => routers,
            embedded => self.embedded.map(|a| a.to_string()),
            ..extra
        };
        self.render(name, ctx)
    }

    /// An error page with `status`.
    pub(super) fn error_page(&self, status: StatusCode, message: &str) -> Response {
        let mut r = self.render(
            "error.html",
            context! { status => status.as_u16(), message => message },
        );
        *r.status_mut() = status;
        r
    }
}
