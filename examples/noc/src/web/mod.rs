//! The web front-end: server-rendered pages (minijinja, auto-escaped), JSON APIs and SSE
//! streams, one module per area, each with its own `router()`: [`overview`], [`queues`],
//! [`editor`], [`trees`], [`tree_editor`], [`layer7`], [`alerts`], [`rules`] (alert rules),
//! [`users`], [`routers`], [`settings`] (WhatsApp), [`audit`], [`login`] and [`health`]
//! (static files, `/healthz`). [`extract`] holds the
//! logged-in-user extractors, [`templates`] the page rendering, [`sse`] the live streams.
//!
//! Security rules enforced here, for every route:
//! - every page and API except `/login`, `/healthz`, `/metrics`, `/static`, the signed
//!   `/webhook/whatsapp` and the bearer-token [`api`] (`/api/v1/`) needs a session cookie (`HttpOnly; SameSite=Strict`, and `Secure`
//!   behind TLS);
//! - every request that is not `GET`/`HEAD` (except the [`whatsapp`] webhook, authenticated by
//!   its body signature) must carry the session's CSRF token (form field
//!   `csrf` or header `X-CSRF-Token`), checked in one middleware before any handler runs; the
//!   login form uses a double-submit cookie;
//! - changes need the `admin` role, re-read from the database on each request;
//! - everything a router sends is rendered through auto-escaping templates or `textContent`,
//!   and a strict Content-Security-Policy forbids inline scripts.

pub mod alerts;
pub mod api;
pub mod audit;
pub mod billing;
pub mod billing_reports;
pub mod billing_setup;
pub mod devices;
pub mod editor;
pub mod extract;
pub mod health;
pub mod hotspot;
pub mod language;
pub mod layer7;
pub mod login;
pub mod notice;
pub mod overview;
pub mod queues;
pub mod routers;
pub mod rules;
pub mod settings;
pub mod sse;
pub mod templates;
pub mod tree_editor;
pub mod trees;
pub mod users;
pub mod whatsapp;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use minijinja::Environment;

use crate::app::AppState;
use crate::auth;
use crate::Error;

pub use editor::{preview, Preview, QueueForm};
pub use extract::{Admin, Current, Seller};
pub use queues::{select_queues, QueuePage, QueueQuery};
pub use rules::RuleForm;

/// Largest request body accepted: pcap uploads (`/api/l7/pcap`).
pub const MAX_BODY: usize = 8 << 20;
/// Largest body of every other request (forms, JSON).
pub const MAX_FORM: usize = 64 << 10;
/// Queues per page by default, and the most a page may show.
pub const PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 500;
const SESSION_COOKIE: &str = "noc_session";
const LOGIN_COOKIE: &str = "noc_login_csrf";

/// The web front-end's state: the application's services and the compiled templates.
pub struct Web {
    app: Arc<AppState>,
    env: Environment<'static>,
    streams: sse::StreamCount,
    jobs: hotspot::Jobs,
}

impl std::ops::Deref for Web {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.app
    }
}

/// The application's routes.
pub fn router(st: Arc<AppState>) -> Result<Router, Error> {
    let web = Arc::new(Web {
        app: st,
        env: templates::environment()?,
        streams: sse::StreamCount::default(),
        jobs: hotspot::Jobs::default(),
    });
    Ok(Router::new()
        .merge(overview::router())
        .merge(login::router())
        .merge(language::router())
        .merge(queues::router())
        .merge(trees::router())
        .merge(tree_editor::router())
        .merge(editor::router())
        .merge(layer7::router())
        .merge(hotspot::router())
        .merge(billing::router())
        .merge(billing_setup::router())
        .merge(billing_reports::router())
        .merge(alerts::router())
        .merge(rules::router())
        .merge(settings::router())
        .merge(users::router())
        .merge(routers::router())
        .merge(devices::router())
        .merge(audit::router())
        .merge(health::router())
        .merge(api::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .merge(layer7::upload_router())
        .merge(whatsapp::router())
        .layer(middleware::from_fn_with_state(web.clone(), csrf_guard))
        .layer(middleware::from_fn(security_headers))
        .with_state(web))
}

/// The notice server's routes (`[billing] notice_listen`): every path answers the page an
/// isolated customer sees; nothing of the dashboard is reachable through it.
pub fn notice_router(st: Arc<AppState>) -> Result<Router, Error> {
    let web = Arc::new(Web {
        app: st,
        env: templates::environment()?,
        streams: sse::StreamCount::default(),
        jobs: hotspot::Jobs::default(),
    });
    Ok(notice::router(web).layer(middleware::from_fn(security_headers_keep_csp)))
}

/// Like `security_headers`, keeping a page's own Content-Security-Policy.
async fn security_headers_keep_csp(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// A real 404: the error page with the navigation bar (JSON clients get plain text).
async fn not_found(State(st): State<Arc<Web>>, req: Request) -> Response {
    let p = req.uri().path();
    if p.starts_with("/api/") || p.starts_with("/events/") {
        return (StatusCode::NOT_FOUND, "no such endpoint").into_response();
    }
    let lang = extract::session_of(&st, req.headers())
        .map_or_else(|| extract::browser_lang(&st, req.headers()), |s| s.lang);
    st.error_page_in(
        lang,
        StatusCode::NOT_FOUND,
        &crate::tr!(lang, "error-not-found"),
    )
}

/// The CSRF token a multipart form must carry in its `csrf` field (checked by the handler that
/// reads the form).
#[derive(Debug, Clone)]
pub struct FormCsrf(pub String);

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Checks the CSRF token of every request that changes something, before any handler runs and
/// before any body is read from someone without a session: the expected token comes from the
/// headers (the session, or the login form's cookie); a token in `X-CSRF-Token` lets the body
/// through unread (the handler reads it under its route's limit); only a form body is read
/// here, at most [`MAX_FORM`] bytes.
async fn csrf_guard(State(st): State<Arc<Web>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.uri().path() == whatsapp::PATH
        || req.uri().path().starts_with("/api/v1/")
    {
        // the WhatsApp webhook is authenticated by its body signature, the JSON API by bearer
        // tokens only (never a cookie), not a session
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let expected = if parts.uri.path() == "/login" {
        extract::cookie(&parts.headers, LOGIN_COOKIE)
    } else {
        extract::session_of(&st, &parts.headers).map(|s| s.csrf)
    };
    let Some(expected) = expected else {
        return (
            StatusCode::FORBIDDEN,
            "CSRF check failed: no session (reload the page and log in)",
        )
            .into_response();
    };
    let refused = || (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    if let Some(given) = parts.headers.get("x-csrf-token") {
        return match given.to_str() {
            Ok(g) if auth::token_eq(g, &expected) => {
                next.run(Request::from_parts(parts, body)).await
            }
            _ => refused(),
        };
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") && parts.uri.path() == "/api/l7/pcap" {
        // A browser's file upload: the handler checks the form's `csrf` field before it reads
        // the file (the session is known; the body stays under the route's limit).
        let mut req = Request::from_parts(parts, body);
        req.extensions_mut().insert(FormCsrf(expected));
        return next.run(req).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refused();
    }
    let bytes = match axum::body::to_bytes(body, MAX_FORM).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let given = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    match given {
        Some(g) if auth::token_eq(&g, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(),
    }
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
