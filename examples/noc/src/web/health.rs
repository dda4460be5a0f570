//! Static files and `/healthz`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::Web;
use axum::http::header;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.js", get(static_js))
        .route("/static/style.css", get(static_css))
        .route("/static/sheet.css", get(static_sheet_css))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
}

async fn static_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/app.js"),
    )
        .into_response()
}

async fn static_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

async fn healthz(State(st): State<Arc<Web>>) -> Response {
    let routers: Vec<_> = st
        .hub
        .routers()
        .iter()
        .map(|r| {
            let live = r.live();
            let reason = match &live.status {
                crate::routers::Status::Slow(s) | crate::routers::Status::Down(s) => Some(s.clone()),
                _ => None,
            };
            serde_json::json!({
                "name": r.name, "status": live.status.as_str(), "reason": reason,
                "last_ok": live.last_ok, "polls_ok": live.polls_ok, "polls_failed": live.polls_failed,
            })
        })
        .collect();
    // A cheap write probe: a read-only or full disk shows here, not only when an alert is
    // lost.
    let store = st.store.clone();
    let _ = tokio::task::spawn_blocking(move || store.probe_write()).await;
    let read_ok = st.store.schema_version().is_ok();
    let fault = st.store.fault().map(|(when, what, failed)| {
        serde_json::json!({"since": when, "error": what, "failed_writes": failed})
    });
    let ok = read_ok && fault.is_none();
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(serde_json::json!({"ok": ok, "storage": fault, "routers": routers})),
    )
        .into_response()
}

async fn static_sheet_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/sheet.css"),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
        .into_response()
}
