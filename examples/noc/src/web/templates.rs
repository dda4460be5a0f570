//! Page rendering: the templates (compiled once), the page frame every area shares, and
//! error pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{context, Environment, State, Value};

use super::Web;
use crate::auth::{Role, Session};
use crate::i18n::Lang;
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
    env.add_function("t", translate);
    env.add_filter("rate", |st: &State<'_, '_>, v: u64| lang_of(st).rate(v));
    env.add_filter("bytes", |st: &State<'_, '_>, v: u64| lang_of(st).bytes(v));
    env.add_filter("num", |st: &State<'_, '_>, v: i64| lang_of(st).integer(v));
    env.add_filter(
        "dec",
        |st: &State<'_, '_>, v: f64, places: Option<usize>| {
            lang_of(st).decimal(v, places.unwrap_or(1).min(6))
        },
    );
    env.add_filter("pct", |st: &State<'_, '_>, v: f64| lang_of(st).percent(v));
    env.add_filter("time", |v: i64| crate::fmt::time(v));
    env.add_filter("urlenc", |v: String| super::urlencode(&v));
    Ok(env)
}

/// The language a template is rendered in: its `lang` variable.
fn lang_of(st: &State<'_, '_>) -> Lang {
    st.lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default()
}

/// `t("key", name=value, ...)`: the message `key` in the page's language. Numbers stay
/// numbers (for plural forms); everything else is passed as text. The result is escaped like
/// any other value.
fn translate(st: &State<'_, '_>, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut args = Vec::new();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        let arg = match v.kind() {
            ValueKind::Number => match f64::try_from(v.clone()) {
                Ok(n) => crate::i18n::Arg::Number(n),
                Err(_) => crate::i18n::Arg::from(v.to_string()),
            },
            ValueKind::None | ValueKind::Undefined => crate::i18n::Arg::from(String::new()),
            _ => crate::i18n::Arg::from(v.to_string()),
        };
        args.push((name, arg));
    }
    Ok(crate::i18n::format(lang_of(st), key, &args))
}

impl Web {
    /// Renders a template in `lang` (its `lang` variable, which `t()` and the number filters
    /// read).
    pub(super) fn render_in(&self, lang: Lang, name: &str, ctx: Value) -> Response {
        let ctx = context! {
            lang => lang.code(), languages => languages(),
            js_messages => Value::from_serialize(crate::i18n::script_messages(lang)),
            ..ctx
        };
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!("template {name}: {e:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    crate::tr!(lang, "error-template"),
                )
                    .into_response()
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
            crate::tr!(
                s.lang,
                "banner-storage-fault",
                what = crate::fmt::router_text(&what),
                when = crate::fmt::time(when),
                failed = s.lang.integer(i64::try_from(failed).unwrap_or(i64::MAX)),
            )
        });
        let ctx = context! {
            fault => fault,
            user => s.user, role => s.role.as_str(), admin => s.role == Role::Admin,
            chosen_language => s.language.map(Lang::code),
            role_label => role_label(s.lang, s.role),
            csrf => s.csrf, active => active, routers => routers,
            embedded => self.embedded.map(|a| a.to_string()),
            ..extra
        };
        self.render_in(s.lang, name, ctx)
    }

    /// An error page with `status` in `lang`.
    pub(super) fn error_page_in(&self, lang: Lang, status: StatusCode, message: &str) -> Response {
        let mut r = self.render_in(
            lang,
            "error.html",
            context! { status => status.as_u16(), message => message },
        );
        *r.status_mut() = status;
        r
    }
}

/// The language switch's choices: code and own name.
fn languages() -> Value {
    Value::from_serialize(
        Lang::ALL
            .iter()
            .map(|l| (l.code(), l.name()))
            .collect::<Vec<_>>(),
    )
}

/// A role's name in `lang`.
pub(super) fn role_label(lang: Lang, role: Role) -> String {
    match role {
        Role::Admin => crate::tr!(lang, "role-admin"),
        Role::Operator => crate::tr!(lang, "role-operator"),
        Role::ReadOnly => crate::tr!(lang, "role-read-only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No template names a variable `t`: it would hide the message function in its scope.
    #[test]
    fn no_template_hides_the_message_function() {
        let env = environment().unwrap();
        for (name, tpl) in env.templates() {
            let src = tpl.source();
            for bad in ["for t in", "for t,", ", t in", "set t ", "set t="] {
                assert!(!src.contains(bad), "{name} uses `{bad}`");
            }
        }
    }

    /// The frame, the error page and the login page render in both languages (the pages
    /// are tested over HTTP and in a browser).
    #[test]
    fn the_frame_renders_in_both_languages() {
        let env = environment().unwrap();
        for lang in Lang::ALL {
            for name in ["base.html", "error.html", "login.html"] {
                let ctx = context! {
                    lang => lang.code(), languages => languages(),
                    js_messages => Value::from_serialize(crate::i18n::script_messages(lang)),
                    user => "admin", role => "admin", role_label => "admin", csrf => "x",
                    status => 404, message => "m",
                };
                let r = env.get_template(name).and_then(|t| t.render(ctx));
                let html = r.unwrap_or_else(|e| panic!("{name} in {lang}: {e:#}"));
                assert!(html.contains(&format!("<html lang=\"{lang}\">")) || name == "login.html");
            }
        }
    }
}
