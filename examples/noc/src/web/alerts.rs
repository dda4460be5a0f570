//! The alert feed: open and past alerts, filtered by severity, state and text;
//! acknowledging one alert or every open alert the filter shows; and a live stream of the
//! page's rows (`/events/alerts`: an open alert's count and last-seen time as they change).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use crate::storage::AlertFilter;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{context, Value};

use super::{Admin, Current, Web};
use crate::i18n::Lang;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/alerts", get(alerts_page))
        .route("/alerts/{id}/ack", post(ack_alert))
        .route("/alerts/ack-all", post(ack_all))
        .route("/api/alerts", get(api_alerts))
        .route("/events/alerts", get(events_alerts))
}

/// Alerts shown per page.
pub const ALERTS_PER_PAGE: i64 = 50;

/// The filter and page of the alert list (`?severity=critical&state=open&q=fan&page=2`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AlertQuery {
    /// `critical`, `warning`, `info` or empty.
    #[serde(default)]
    pub severity: String,
    /// `open`, `resolved` or empty.
    #[serde(default)]
    pub state: String,
    /// Text in the title or detail.
    #[serde(default)]
    pub q: String,
    /// 1-based page.
    #[serde(default)]
    pub page: Option<i64>,
}

impl AlertQuery {
    fn filter(&self) -> AlertFilter {
        AlertFilter {
            severity: matches!(self.severity.as_str(), "critical" | "warning" | "info")
                .then(|| self.severity.clone()),
            open: match self.state.as_str() {
                "open" => Some(true),
                "resolved" => Some(false),
                _ => None,
            },
            text: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
        }
    }
}

fn page_of(
    st: &Web,
    q: &AlertQuery,
) -> Result<(Vec<crate::storage::Alert>, i64, i64, i64), crate::Error> {
    let page = q.page.unwrap_or(1).max(1);
    let (alerts, total) =
        st.store
            .alerts_page(&q.filter(), (page - 1) * ALERTS_PER_PAGE, ALERTS_PER_PAGE)?;
    let pages = ((total + ALERTS_PER_PAGE - 1) / ALERTS_PER_PAGE).max(1);
    Ok((alerts, total, page, pages))
}

/// What "acknowledge all" would do for filter `q`: how many open, unacknowledged alerts it
/// matches, and the newest of them (alerts opened later are not acknowledged).
fn ackable(st: &Web, q: &AlertQuery) -> Result<(i64, i64), crate::Error> {
    if q.state == "resolved" {
        return Ok((0, 0));
    }
    st.store.unacked_open(&q.filter())
}

/// The live part of a page of alerts: each row's count, last-seen time and state, the total,
/// and what "acknowledge all" would acknowledge now.
fn live_rows(st: &Web, q: &AlertQuery, lang: Lang) -> Option<serde_json::Value> {
    let (alerts, total, _, _) = page_of(st, q).ok()?;
    let (count, up_to) = ackable(st, q).ok()?;
    let rows: Vec<serde_json::Value> = alerts
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id,
                "count": a.count,
                "last_seen": crate::fmt::time(a.last_seen),
                "state": state_text(a, lang),
            })
        })
        .collect();
    Some(serde_json::json!({
        "total": total, "alerts": rows, "ackable": count, "up_to": up_to,
    }))
}

/// `open` or `resolved 2026-01-02 10:00:00`, as the page shows it.
fn state_text(a: &crate::storage::Alert, lang: Lang) -> String {
    match a.resolved_at {
        Some(t) => tr!(lang, "alerts-resolved-at", time = crate::fmt::time(t)),
        None => tr!(lang, "alerts-state-open"),
    }
}

async fn events_alerts(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<AlertQuery>,
) -> Response {
    let changes = st.store.subscribe_alerts();
    let lang = s.lang;
    super::sse::sse_on_change(st, &s, changes, move |st| live_rows(st, &q, lang))
}

async fn alerts_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<AlertQuery>,
) -> Response {
    let shown = page_of(&st, &q).and_then(|p| Ok((p, ackable(&st, &q)?)));
    match shown {
        Ok(((alerts, total, page, pages), (ack_count, up_to))) => {
            let rows: Vec<Value> = alerts
                .iter()
                .map(|a| {
                    context! {
                        a => Value::from_serialize(a), state => state_text(a, s.lang),
                    }
                })
                .collect();
            st.page(
                &s,
                "alerts.html",
                "alerts",
                context! {
                    rows => rows, total => total, page => page,
                    pages => pages, filter => Value::from_serialize(&q),
                    ack_count => ack_count, up_to => up_to,
                },
            )
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The "acknowledge all" form: the page's filter and the newest alert it counted.
#[derive(Debug, Deserialize)]
struct AckAllForm {
    #[serde(default)]
    severity: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    up_to: i64,
}

async fn ack_all(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    axum::Form(f): axum::Form<AckAllForm>,
) -> Response {
    let q = AlertQuery {
        severity: f.severity,
        state: f.state,
        q: f.q,
        page: None,
    };
    let back = |done: &str| {
        format!(
            "/alerts?severity={}&state={}&q={}&done={}",
            super::urlencode(&q.severity),
            super::urlencode(&q.state),
            super::urlencode(&q.q),
            super::urlencode(done)
        )
    };
    if q.state == "resolved" {
        return Redirect::to(&back(&tr!(s.lang, "alerts-resolved-no-ack"))).into_response();
    }
    let filter = q.filter();
    match st.store.ack_open(&filter, f.up_to, &s.user, crate::now()) {
        Ok(n) => {
            let mut what = Vec::new();
            if let Some(sev) = &filter.severity {
                what.push(format!("severity {sev}"));
            }
            if let Some(t) = &filter.text {
                what.push(format!("text {t:?}"));
            }
            let detail = format!(
                "{n} open alerts{}",
                if what.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", what.join(", "))
                }
            );
            let _ = st
                .store
                .audit(&s.user, None, "alert.ack_all", &detail, true);
            let done = match n {
                0 => tr!(s.lang, "alerts-nothing-to-ack"),
                1 => "1 alert acknowledged.".to_owned(),
                n => tr!(s.lang, "alerts-acked", count = n),
            };
            Redirect::to(&back(&done)).into_response()
        }
        Err(e) => {
            let _ = st
                .store
                .audit(&s.user, None, "alert.ack_all", &e.to_string(), false);
            st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    }
}

async fn api_alerts(
    State(st): State<Arc<Web>>,
    Current(_): Current,
    Query(q): Query<AlertQuery>,
) -> Response {
    match page_of(&st, &q) {
        Ok((alerts, total, page, pages)) => Json(serde_json::json!({
            "alerts": alerts, "total": total, "page": page, "pages": pages,
        }))
        .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn ack_alert(State(st): State<Arc<Web>>, Admin(s): Admin, Path(id): Path<i64>) -> Response {
    match st.store.ack_alert(id, &s.user, crate::now()) {
        Ok(_) => {
            let _ = st
                .store
                .audit(&s.user, None, "alert.ack", &format!("alert {id}"), true);
            Redirect::to("/alerts").into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
