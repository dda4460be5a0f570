//! The alert feed: open and past alerts, acknowledging.

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

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/alerts", get(alerts_page))
        .route("/alerts/{id}/ack", post(ack_alert))
        .route("/api/alerts", get(api_alerts))
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

async fn alerts_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<AlertQuery>,
) -> Response {
    match page_of(&st, &q) {
        Ok((alerts, total, page, pages)) => st.page(
            &s,
            "alerts.html",
            "alerts",
            context! {
                alerts => Value::from_serialize(&alerts), total => total, page => page,
                pages => pages, filter => Value::from_serialize(&q),
            },
        ),
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
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
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
