//! The WhatsApp Cloud API webhook: `GET /webhook/whatsapp` answers Meta's subscription
//! check (the verify token compared in constant time), `POST /webhook/whatsapp` takes
//! message notifications. A `POST` is authenticated by its `X-Hub-Signature-256` (HMAC-SHA256
//! of the raw body with the app secret), checked before anything parses the body, so it needs
//! no session or CSRF token; bodies are limited to 1 MiB. Verified events are handed to the
//! WhatsApp chat channel through [`crate::alerts::whatsapp::Inbox`]; nothing runs here.
//!
//! Without a running WhatsApp channel both routes answer 404.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::Web;

/// The webhook's path (given to Meta as `https://<public url>/webhook/whatsapp`).
pub const PATH: &str = "/webhook/whatsapp";

/// The routes of this area, with their own body limit.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route(PATH, get(subscribe).post(notify))
        .layer(DefaultBodyLimit::max(wa_notify::webhook::MAX_WEBHOOK_BODY))
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

async fn subscribe(
    State(st): State<Arc<Web>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(ep) = st.whatsapp.endpoint() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let get = |k: &str| q.get(k).map(String::as_str);
    match ep.verify_subscription(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    ) {
        Ok(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.to_owned(),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "WhatsApp webhook subscription refused");
            (status(e.http_status()), "forbidden").into_response()
        }
    }
}

async fn notify(State(st): State<Arc<Web>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(ep) = st.whatsapp.endpoint() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    match ep.accept(sig, &body) {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "WhatsApp webhook refused");
            (status(e.http_status()), "refused").into_response()
        }
    }
}
