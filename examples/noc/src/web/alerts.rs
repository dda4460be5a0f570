//! The alert feed: open and past alerts, acknowledging.

use std::sync::Arc;

use axum::extract::{Path, State};
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

async fn alerts_page(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let alerts = st.store.alerts(200).unwrap_or_default();
    st.page(
        &s,
        "alerts.html",
        "alerts",
        context! { alerts => Value::from_serialize(&alerts) },
    )
}

async fn api_alerts(State(st): State<Arc<Web>>, Current(_): Current) -> Response {
    Json(serde_json::json!({"alerts": st.store.alerts(200).unwrap_or_default()})).into_response()
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
