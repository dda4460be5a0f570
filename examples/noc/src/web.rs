//! The web layer: server-rendered pages (minijinja, auto-escaped), JSON APIs, SSE streams,
//! `/metrics` and `/healthz`.
//!
//! Security rules enforced here, for every route:
//! - every page and API except `/login`, `/healthz`, `/metrics` and `/static` needs a session
//!   cookie (`HttpOnly; SameSite=Strict`);
//! - every request that is not `GET`/`HEAD` must carry the session's CSRF token (form field
//!   `csrf` or header `X-CSRF-Token`), checked in one middleware before any handler runs; the
//!   login form uses a double-submit cookie;
//! - changes need the `admin` role, re-read from the database on each request;
//! - everything a router sends is rendered through auto-escaping templates or `textContent`,
//!   and a strict Content-Security-Policy forbids inline scripts.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use futures_util::Stream;
use minijinja::{context, Environment, Value};
use queue_model::{Item, SimpleQueue};
use routeros_proto::Command;
use serde::{Deserialize, Serialize};

use crate::auth::{self, LoginLimiter, Role, Session, Sessions};
use crate::poller::{Hub, QueueRow, RouterHandle};
use crate::secret::SecretBox;
use crate::store::{RouterRow, Store};
use crate::Error;

mod rules;
pub use rules::RuleForm;

/// Largest request body accepted (pcap uploads).
pub const MAX_BODY: usize = 8 << 20;
/// Queues per page by default, and the most a page may show.
pub const PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 500;
const SESSION_COOKIE: &str = "noc_session";
const LOGIN_COOKIE: &str = "noc_login_csrf";

/// Shared state of the web layer.
#[non_exhaustive]
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// Routers and their pollers.
    pub hub: Arc<Hub>,
    /// Logged-in sessions.
    pub sessions: Sessions,
    /// Login rate limiting.
    pub limiter: LoginLimiter,
    /// Router password encryption.
    pub secrets: SecretBox,
    /// The alert rules from `noc.toml` and the signal that the rule set changed.
    pub rules: crate::monitor::rules::RuleBook,
    env: Environment<'static>,
    metrics_token: Option<String>,
    embedded: Option<SocketAddr>,
    dummy_hash: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("embedded", &self.embedded)
            .finish_non_exhaustive()
    }
}

/// `v` with an SI prefix (k = 1000) and `unit`: `2.5 Mbps`, `1.2 kB`, `512 B`.
fn fmt_si(v: u64, unit: &str) -> String {
    let x = v as f64;
    match [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(d, _)| x >= *d)
    {
        Some((d, p)) => format!("{:.1} {p}{unit}", x / d),
        None => format!("{v} {unit}"),
    }
}

fn fmt_rate(v: u64) -> String {
    fmt_si(v, "bps")
}

fn fmt_bytes(v: u64) -> String {
    fmt_si(v, "B")
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn fmt_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn templates() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    let t = |e: minijinja::Error| Error::Config(format!("template: {e}"));
    for (name, src) in [
        ("base.html", include_str!("../templates/base.html")),
        ("login.html", include_str!("../templates/login.html")),
        ("overview.html", include_str!("../templates/overview.html")),
        ("queues.html", include_str!("../templates/queues.html")),
        ("queue.html", include_str!("../templates/queue.html")),
        ("edit.html", include_str!("../templates/edit.html")),
        ("l7.html", include_str!("../templates/l7.html")),
        ("alerts.html", include_str!("../templates/alerts.html")),
        (
            "alert_rules.html",
            include_str!("../templates/alert_rules.html"),
        ),
        ("users.html", include_str!("../templates/users.html")),
        ("routers.html", include_str!("../templates/routers.html")),
        ("audit.html", include_str!("../templates/audit.html")),
        ("error.html", include_str!("../templates/error.html")),
    ] {
        env.add_template(name, src).map_err(t)?;
    }
    env.add_filter("rate", |v: u64| fmt_rate(v));
    env.add_filter("bytes", |v: u64| fmt_bytes(v));
    env.add_filter("time", |v: i64| fmt_time(v));
    env.add_filter("urlenc", |v: String| urlencode(&v));
    Ok(env)
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl AppState {
    /// Builds the state (compiles the templates).
    pub fn new(
        store: Arc<Store>,
        hub: Arc<Hub>,
        secrets: SecretBox,
        metrics_token: Option<String>,
        embedded: Option<SocketAddr>,
    ) -> Result<AppState, Error> {
        Ok(AppState {
            store,
            hub,
            sessions: Sessions::new(Duration::from_secs(12 * 3600), 10_000),
            limiter: LoginLimiter::new(5, Duration::from_secs(60)),
            secrets,
            rules: crate::monitor::rules::RuleBook::default(),
            env: templates()?,
            metrics_token,
            embedded,
            dummy_hash: std::sync::OnceLock::new(),
        })
    }

    fn render(&self, name: &str, ctx: Value) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!("template {name}: {e:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
            }
        }
    }

    fn page(&self, s: &Session, name: &str, active: &str, extra: Value) -> Response {
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
        let ctx = context! {
            user => s.user, role => s.role.as_str(), admin => s.role == Role::Admin,
            csrf => s.csrf, active => active, routers => routers,
            embedded => self.embedded.map(|a| a.to_string()),
            ..extra
        };
        self.render(name, ctx)
    }

    fn error_page(&self, status: StatusCode, message: &str) -> Response {
        let mut r = self.render(
            "error.html",
            context! { status => status.as_u16(), message => message },
        );
        *r.status_mut() = status;
        r
    }
}

// ---------------------------------------------------------------- auth plumbing

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn session_of(st: &AppState, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let s = st.sessions.get(&token)?;
    // The user may have been deleted or demoted since login.
    let user = st.store.user_by_id(s.user_id).ok()??;
    let mut s = s;
    s.role = user.role;
    Some(s)
}

fn wants_json(parts: &Parts) -> bool {
    let p = parts.uri.path();
    p.starts_with("/api/") || p.starts_with("/events/")
}

/// A logged-in user (any role). Pages redirect to the login form without one; APIs answer 401.
#[derive(Debug, Clone)]
pub struct Current(pub Session);

/// A logged-in admin; others get 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Session);

impl FromRequestParts<Arc<AppState>> for Current {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        st: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        match session_of(st, &parts.headers) {
            Some(s) => Ok(Current(s)),
            None if wants_json(parts) || parts.method != Method::GET => {
                Err((StatusCode::UNAUTHORIZED, "login required").into_response())
            }
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        st: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Current(s) = Current::from_request_parts(parts, st).await?;
        if s.role != Role::Admin {
            return Err(if wants_json(parts) {
                (
                    StatusCode::FORBIDDEN,
                    "read-only users cannot change anything",
                )
                    .into_response()
            } else {
                st.error_page(
                    StatusCode::FORBIDDEN,
                    "Read-only users cannot change anything.",
                )
            });
        }
        Ok(Admin(s))
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &[u8]| -> String {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while let Some(&b) = s.get(i) {
            match b {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = s
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(v) => {
                            out.push(v);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                _ => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut it = p.splitn(2, |b| *b == b'=');
            let k = it.next().unwrap_or_default();
            let v = it.next().unwrap_or_default();
            (decode(k), decode(v))
        })
        .collect()
}

async fn csrf_guard(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let expected = if parts.uri.path() == "/login" {
        cookie(&parts.headers, LOGIN_COOKIE)
    } else {
        session_of(&st, &parts.headers).map(|s| s.csrf)
    };
    let Some(expected) = expected else {
        return (
            StatusCode::FORBIDDEN,
            "CSRF check failed: no session (reload the page and log in)",
        )
            .into_response();
    };
    let given = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            let is_form = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if is_form {
                form_field(&bytes, "csrf")
            } else {
                None
            }
        });
    match given {
        Some(g) if auth::token_eq(&g, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response(),
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

/// The application's routes.
pub fn router(st: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/queues", get(queues_page))
        .route("/queue", get(queue_page))
        .route("/queues/edit", get(edit_page))
        .route("/queues/apply", post(apply_form))
        .route("/queues/action", post(queue_action))
        .route("/l7", get(l7_page))
        .route("/alerts", get(alerts_page))
        .route("/alerts/{id}/ack", post(ack_alert))
        .route(
            "/alerts/rules",
            get(rules::rules_page).post(rules::save_rule),
        )
        .route("/alerts/rules/{name}/enable", post(rules::enable_rule))
        .route("/alerts/rules/{name}/disable", post(rules::disable_rule))
        .route("/alerts/rules/{name}/delete", post(rules::delete_rule))
        .route("/users", get(users_page).post(add_user))
        .route("/users/{id}/delete", post(delete_user))
        .route("/users/{id}/password", post(set_password))
        .route("/routers", get(routers_page).post(add_router))
        .route("/routers/{id}/delete", post(delete_router))
        .route("/audit", get(audit_page))
        .route("/api/overview", get(api_overview))
        .route("/api/queues", get(api_queues))
        .route("/api/history", get(api_history))
        .route("/api/queues/preview", post(api_preview))
        .route("/api/queues/apply", post(api_apply))
        .route("/api/l7/test", post(api_l7_test))
        .route("/api/l7/pcap", post(api_l7_pcap))
        .route("/api/l7/activity", get(api_l7_activity))
        .route("/api/alerts", get(api_alerts))
        .route("/events/overview", get(sse_overview))
        .route("/events/queues", get(sse_queues))
        .route("/events/queue", get(sse_queue))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/static/app.js", get(static_js))
        .route("/static/style.css", get(static_css))
        .layer(middleware::from_fn_with_state(st.clone(), csrf_guard))
        .layer(middleware::from_fn(security_headers))
        .with_state(st)
}

// ---------------------------------------------------------------- static, health, metrics

async fn static_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../static/app.js"),
    )
        .into_response()
}

async fn static_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

async fn healthz(State(st): State<Arc<AppState>>) -> Response {
    let routers: Vec<_> = st
        .hub
        .routers()
        .iter()
        .map(|r| serde_json::json!({"name": r.name, "status": r.live().status.as_str()}))
        .collect();
    let db_ok = st.store.schema_version().is_ok();
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(serde_json::json!({"ok": db_ok, "routers": routers})),
    )
        .into_response()
}

async fn metrics(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = &st.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| auth::token_eq(g, token)) {
            return (StatusCode::UNAUTHORIZED, "bearer token required").into_response();
        }
    }
    let hub = st.hub.clone();
    match tokio::task::spawn_blocking(move || crate::metrics::render(&hub)).await {
        Ok(Ok(text)) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "metrics failed").into_response(),
    }
}

// ---------------------------------------------------------------- login

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    error: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn login_form(State(st): State<Arc<AppState>>, Query(q): Query<NextQuery>) -> Response {
    let token = auth::random_token();
    let mut r = st.render(
        "login.html",
        context! { csrf => token, next => safe_next(q.next.as_deref()), error => q.error },
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip: IpAddr = peer.ip();
    let now = Instant::now();
    if !st.limiter.allowed(ip, &f.user, now) {
        let mut r = st.render(
            "login.html",
            context! { csrf => "", next => "/", error => "Too many failed logins. Wait a minute and try again." },
        );
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return r;
    }
    let user = st.store.user_by_name(&f.user).ok().flatten();
    let hash = user.as_ref().map(|u| u.hash.clone()).unwrap_or_else(|| {
        // Unknown users cost as much as known ones, so timing does not tell them apart.
        st.dummy_hash
            .get_or_init(|| auth::hash_password("timing-equaliser").unwrap_or_default())
            .clone()
    });
    let password = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match (ok, user) {
        (true, Some(u)) => {
            st.limiter.succeeded(ip, &f.user);
            let token = st.sessions.create(u.id, &u.name, u.role);
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            let cookie = format!(
                "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        _ => {
            st.limiter.failed(ip, &f.user, now);
            Redirect::to(&format!(
                "/login?error={}&next={}",
                urlencode("Wrong user name or password."),
                urlencode(&safe_next(f.next.as_deref()))
            ))
            .into_response()
        }
    }
}

async fn logout(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        st.sessions.remove(&t);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("noc_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    r
}

// ---------------------------------------------------------------- overview

fn router_summary(r: &RouterHandle) -> serde_json::Value {
    let live = r.live();
    let reason = match &live.status {
        crate::poller::Status::Slow(s) | crate::poller::Status::Down(s) => s.clone(),
        _ => String::new(),
    };
    let res = live.resource.clone().unwrap_or_default();
    let pct = |free: u64, total: u64| {
        total
            .saturating_sub(free)
            .saturating_mul(100)
            .checked_div(total)
            .unwrap_or(0)
    };
    serde_json::json!({
        "id": r.id, "name": r.name, "address": r.address, "embedded": r.embedded,
        "status": live.status.as_str(), "reason": reason,
        "last_ok": live.last_ok, "resource": live.resource,
        "mem_pct": pct(res.free_memory, res.total_memory),
        "hdd_pct": pct(res.free_hdd, res.total_hdd),
        "interfaces": live.interfaces,
        "queues": live.queues.len(),
        "polls_ok": live.polls_ok, "polls_failed": live.polls_failed,
        "last_poll_ms": live.last_poll_ms,
    })
}

async fn overview(State(st): State<Arc<AppState>>, Current(s): Current) -> Response {
    let routers: Vec<_> = st.hub.routers().iter().map(|r| router_summary(r)).collect();
    let alerts = st.store.alerts(5).unwrap_or_default();
    let open: Vec<_> = alerts
        .into_iter()
        .filter(|a| a.resolved_at.is_none())
        .collect();
    st.page(
        &s,
        "overview.html",
        "overview",
        context! { overview => Value::from_serialize(&routers), open_alerts => Value::from_serialize(&open) },
    )
}

async fn api_overview(State(st): State<Arc<AppState>>, Current(_): Current) -> Response {
    let routers: Vec<_> = st.hub.routers().iter().map(|r| router_summary(r)).collect();
    Json(serde_json::json!({ "routers": routers })).into_response()
}

async fn sse_overview(State(st): State<Arc<AppState>>, Current(_): Current) -> Response {
    sse(st, None, |st| {
        let routers: Vec<_> = st.hub.routers().iter().map(|r| router_summary(r)).collect();
        Some(serde_json::json!({ "routers": routers, "t": crate::now() }))
    })
}

fn sse<F>(st: Arc<AppState>, router: Option<i64>, f: F) -> Response
where
    F: Fn(&AppState) -> Option<serde_json::Value> + Send + Sync + 'static,
{
    let rx = st.hub.subscribe();
    let stream = futures_util::stream::unfold(
        (rx, st, f, true),
        move |(mut rx, st, f, first)| async move {
            if !first {
                loop {
                    match rx.recv().await {
                        Ok(id) if router.is_none_or(|r| r == id) => break,
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
            let data = f(&st).unwrap_or(serde_json::Value::Null);
            let ev = Event::default().data(data.to_string());
            Some((Ok::<Event, Infallible>(ev), (rx, st, f, false)))
        },
    );
    sse_response(stream)
}

fn sse_response<S>(stream: S) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

// ---------------------------------------------------------------- queues

/// Which queues a table shows.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct QueueQuery {
    /// Router id (default: the first).
    pub router: Option<i64>,
    /// Case-insensitive filter on name, target and comment.
    pub q: Option<String>,
    /// `name`, `target`, `rate`, `usage`, `max`, `bytes`, `dropped` (router order if absent).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// 1-based page.
    pub page: Option<usize>,
    /// Rows per page (at most 500).
    pub per: Option<usize>,
}

/// One page of queues and the totals.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    /// The rows.
    pub rows: Vec<QueueRow>,
    /// Rows matching the filter.
    pub total: usize,
    /// Current page (1-based).
    pub page: usize,
    /// Pages.
    pub pages: usize,
    /// Rows per page.
    pub per: usize,
}

/// Filters, sorts and pages queues.
pub fn select_queues(all: &[QueueRow], q: &QueueQuery) -> QueuePage {
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut rows: Vec<&QueueRow> = all
        .iter()
        .filter(|r| {
            needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.target.to_lowercase().contains(&needle)
                || r.comment.to_lowercase().contains(&needle)
        })
        .collect();
    let desc = q.dir.as_deref() == Some("desc");
    match q.sort.as_deref() {
        Some("name") => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("target") => rows.sort_by(|a, b| a.target.cmp(&b.target)),
        Some("rate") => rows.sort_by_key(|r| r.rate_up.saturating_add(r.rate_down)),
        Some("usage") => rows.sort_by_key(|r| r.usage_percent()),
        Some("max") => rows.sort_by_key(|r| r.max_up.max(r.max_down)),
        Some("bytes") => rows.sort_by_key(|r| r.bytes_up.saturating_add(r.bytes_down)),
        Some("dropped") => rows.sort_by_key(|r| r.dropped_up.saturating_add(r.dropped_down)),
        _ => {}
    }
    if desc {
        rows.reverse();
    }
    let per = q.per.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let total = rows.len();
    let pages = total.div_ceil(per).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    QueuePage {
        rows,
        total,
        page,
        pages,
        per,
    }
}

fn pick_router(st: &AppState, id: Option<i64>) -> Option<Arc<RouterHandle>> {
    match id {
        Some(id) => st.hub.router(id),
        None => st.hub.routers().into_iter().next(),
    }
}

async fn queues_page(
    State(st): State<Arc<AppState>>,
    Current(s): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return st.page(&s, "queues.html", "queues", context! { router => () });
    };
    let live = r.live();
    let page = select_queues(&live.queues, &q);
    st.page(
        &s,
        "queues.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()})),
            page => Value::from_serialize(&page),
            q => q.q.clone().unwrap_or_default(),
            sort => q.sort.clone().unwrap_or_default(),
            dir => q.dir.clone().unwrap_or_default(),
        },
    )
}

async fn api_queues(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (StatusCode::NOT_FOUND, "no such router").into_response();
    };
    let live = r.live();
    let page = select_queues(&live.queues, &q);
    Json(serde_json::json!({"router": r.id, "status": live.status.as_str(), "page": page}))
        .into_response()
}

async fn sse_queues(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (StatusCode::NOT_FOUND, "no such router").into_response();
    };
    let id = r.id;
    sse(st, Some(id), move |st| {
        let r = st.hub.router(id)?;
        let live = r.live();
        let page = select_queues(&live.queues, &q);
        Some(serde_json::json!({"status": live.status.as_str(), "page": page, "t": crate::now()}))
    })
}

#[derive(Deserialize)]
struct OneQueue {
    router: i64,
    name: String,
}

async fn queue_page(
    State(st): State<Arc<AppState>>,
    Current(s): Current,
    Query(q): Query<OneQueue>,
) -> Response {
    let Some(r) = st.hub.router(q.router) else {
        return st.error_page(StatusCode::NOT_FOUND, "No such router.");
    };
    let live = r.live();
    let Some(row) = live.queues.iter().find(|x| x.name == q.name).cloned() else {
        return st.error_page(StatusCode::NOT_FOUND, "No such queue on this router.");
    };
    st.page(
        &s,
        "queue.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            queue => Value::from_serialize(&row),
            usage => row.usage_percent(),
        },
    )
}

async fn sse_queue(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<OneQueue>,
) -> Response {
    let id = q.router;
    sse(st, Some(id), move |st| {
        let r = st.hub.router(id)?;
        let live = r.live();
        let row = live.queues.iter().find(|x| x.name == q.name)?.clone();
        Some(serde_json::json!({"t": crate::now(), "queue": row, "usage": row.usage_percent()}))
    })
}

#[derive(Deserialize)]
struct HistoryQuery {
    router: i64,
    kind: Option<String>,
    name: String,
    range: Option<String>,
}

async fn api_history(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let seconds = match q.range.as_deref().unwrap_or("hour") {
        "minute" => 300,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "year" => 365 * 86_400,
        other => {
            return (StatusCode::BAD_REQUEST, format!("unknown range {other:?}")).into_response()
        }
    };
    let kind = match q.kind.as_deref().unwrap_or("queue") {
        "queue" => "queue",
        "iface" => "iface",
        _ => return (StatusCode::BAD_REQUEST, "kind is queue or iface").into_response(),
    };
    let hub = st.hub.clone();
    let r =
        tokio::task::spawn_blocking(move || hub.history(q.router, kind, &q.name, seconds)).await;
    match r {
        Ok(Ok(points)) => Json(serde_json::json!({"points": points})).into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "history unavailable").into_response(),
    }
}

// ---------------------------------------------------------------- queue editor

/// The queue editor's fields, as typed.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[non_exhaustive]
pub struct QueueForm {
    /// Router id.
    pub router: i64,
    /// The queue being edited (empty: a new queue).
    #[serde(default)]
    pub original: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `target`.
    #[serde(default)]
    pub target: String,
    /// `parent` (empty: none).
    #[serde(default)]
    pub parent: String,
    /// `max-limit` (`up/down`).
    #[serde(default)]
    pub max_limit: String,
    /// `limit-at`.
    #[serde(default)]
    pub limit_at: String,
    /// `burst-limit`.
    #[serde(default)]
    pub burst_limit: String,
    /// `burst-threshold`.
    #[serde(default)]
    pub burst_threshold: String,
    /// `burst-time`.
    #[serde(default)]
    pub burst_time: String,
    /// `priority`.
    #[serde(default)]
    pub priority: String,
    /// `packet-marks`.
    #[serde(default)]
    pub packet_marks: String,
    /// `comment`.
    #[serde(default)]
    pub comment: String,
    /// `disabled` (`on`/`true` when ticked).
    #[serde(default)]
    pub disabled: Option<String>,
    /// Ignored (the CSRF field).
    #[serde(default)]
    pub csrf: Option<String>,
}

/// The result of checking an edit.
#[derive(Debug, Clone, Serialize, Default)]
#[non_exhaustive]
pub struct Preview {
    /// Errors per form field (`max_limit` → "invalid value for max-limit...").
    pub field_errors: BTreeMap<String, String>,
    /// queue-model diagnostics about the result (`severity`, `code`, `message`).
    pub diagnostics: Vec<serde_json::Value>,
    /// The plan, as RouterOS commands.
    pub commands: Vec<String>,
    /// Whether the change may be applied (no field error, no validation error).
    pub ok: bool,
}

async fn current_config(client: &routeros_proto::Client) -> Result<queue_model::Config, Error> {
    let rows = client
        .print(Command::new("/queue/simple/print"))
        .await
        .map_err(|e| Error::Router(e.to_string()))?;
    let mut config = queue_model::Config::new();
    for row in rows {
        let mut row = row;
        for ro in ["dynamic", "invalid"] {
            row.remove(ro);
        }
        match SimpleQueue::from_attributes(&row) {
            Ok(q) => config.queues.push(q),
            Err(e) => {
                return Err(Error::Router(format!(
                    "cannot read queue {:?}: {e}",
                    row.get_string_lossy("name").unwrap_or_default()
                )))
            }
        }
    }
    Ok(config)
}

fn desired_from(current: &queue_model::Config, f: &QueueForm) -> (queue_model::Config, Preview) {
    let mut preview = Preview::default();
    let mut desired = current.clone();
    // `original` is the name as the form shows it: escaped (`\xHH`) where the router's bytes
    // are not UTF-8, so that it names exactly one queue.
    let existing = if f.original.is_empty() {
        None
    } else {
        desired
            .queues
            .iter()
            .position(|q| q.name.escape() == f.original)
            .or_else(|| desired.queues.iter().position(|q| q.name == f.original))
    };
    if !f.original.is_empty() && existing.is_none() {
        preview.field_errors.insert(
            "name".into(),
            format!("no queue {:?} on the router", f.original),
        );
    }
    let mut q = existing
        .and_then(|i| desired.queues.get(i).cloned())
        .unwrap_or_default();
    let name = f.name.trim();
    if name.is_empty() {
        preview
            .field_errors
            .insert("name".into(), "a queue needs a name".into());
    } else if desired
        .queues
        .iter()
        .enumerate()
        .any(|(i, x)| x.name == name && Some(i) != existing)
    {
        preview
            .field_errors
            .insert("name".into(), format!("a queue called {name:?} exists"));
    }
    // A text field the user left as shown keeps the router's bytes (a comment written in
    // another code page is not rewritten as U+FFFD).
    let unchanged = |shown: &str, now: Option<&queue_model::Text>| {
        now.is_some_and(|t| !f.original.is_empty() && form_text(t) == shown)
    };
    if !unchanged(name, Some(&q.name)) {
        q.name = name.into();
    }
    let keep_parent = unchanged(f.parent.trim(), q.parent.as_ref());
    let keep_marks = !q.packet_marks.is_empty()
        && unchanged(
            f.packet_marks.trim(),
            Some(&queue_model::Text::from(
                q.packet_marks
                    .iter()
                    .map(form_text)
                    .collect::<Vec<_>>()
                    .join(","),
            )),
        );
    let fields: [(&str, &str, &str, &str); 9] = [
        ("target", "target", f.target.trim(), ""),
        ("parent", "parent", f.parent.trim(), "none"),
        ("max_limit", "max-limit", f.max_limit.trim(), "0/0"),
        ("limit_at", "limit-at", f.limit_at.trim(), "0/0"),
        ("burst_limit", "burst-limit", f.burst_limit.trim(), "0/0"),
        (
            "burst_threshold",
            "burst-threshold",
            f.burst_threshold.trim(),
            "0/0",
        ),
        ("burst_time", "burst-time", f.burst_time.trim(), "0s/0s"),
        ("priority", "priority", f.priority.trim(), "8/8"),
        ("packet_marks", "packet-marks", f.packet_marks.trim(), ""),
    ];
    for (field, prop, value, default) in fields {
        if (field == "parent" && keep_parent) || (field == "packet_marks" && keep_marks) {
            continue;
        }
        let value = if value.is_empty() { default } else { value };
        if field == "target" && value.is_empty() {
            preview.field_errors.insert(
                field.into(),
                "a queue needs a target (address or interface)".into(),
            );
            continue;
        }
        if let Err(e) = q.set_property_str(prop, value) {
            preview.field_errors.insert(field.into(), e.to_string());
        }
    }
    if !unchanged(f.comment.trim(), q.comment.as_ref()) {
        q.comment = match f.comment.trim() {
            "" => None,
            c => Some(c.into()),
        };
    }
    q.disabled = matches!(f.disabled.as_deref(), Some("on" | "true" | "yes"));
    if let Err(e) = q.check_ranges() {
        preview
            .field_errors
            .entry(e.property().replace('-', "_"))
            .or_insert_with(|| e.to_string());
    }
    match existing.and_then(|i| desired.queues.get_mut(i)) {
        Some(slot) => *slot = q,
        None => desired.queues.push(q),
    }
    (desired, preview)
}

/// Checks an edit against the router's current queues: field errors, queue-model diagnostics
/// about the edited queue, and the exact plan.
pub fn preview(current: &queue_model::Config, f: &QueueForm) -> (queue_model::Config, Preview) {
    let (desired, mut p) = desired_from(current, f);
    let name = f.name.trim();
    let mut blocking = false;
    for d in queue_model::validate(&desired) {
        let about_this = d.queue().is_none_or(|q| form_text(q) == name || q == name);
        if !about_this {
            continue;
        }
        blocking |= d.is_error();
        p.diagnostics.push(serde_json::json!({
            "severity": d.severity.to_string(), "code": d.code, "message": d.message,
        }));
    }
    if p.field_errors.is_empty() {
        p.commands = queue_model::plan(current, &desired)
            .iter()
            .map(|c| c.to_string())
            .collect();
    }
    p.ok = p.field_errors.is_empty() && !blocking;
    (desired, p)
}

/// The outcome of applying a change on a router.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Applied {
    /// The commands sent, in order.
    pub commands: Vec<String>,
    /// The router's error, if a command failed (later commands were not sent).
    pub error: Option<String>,
}

/// Turns `current` into `desired` on the router (the plan's commands, in order) and writes the
/// audit log entry. The alert engine and the bot's `/limit` use this too.
pub async fn apply_queue(
    st: &AppState,
    router: &RouterHandle,
    user: &str,
    action: &str,
    current: &queue_model::Config,
    desired: &queue_model::Config,
) -> Result<Applied, Error> {
    let client = router
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected", router.name)))?;
    let changes = queue_model::plan(current, desired);
    let mut applied = Applied {
        commands: Vec::new(),
        error: None,
    };
    for c in &changes {
        applied.commands.push(c.to_string());
        if let Err(e) = client.execute(c.to_command()).await {
            applied.error = Some(e.to_string());
            break;
        }
    }
    let detail = match &applied.error {
        None => applied.commands.join("\n"),
        Some(e) => format!("{}\nfailed: {e}", applied.commands.join("\n")),
    };
    st.store.audit(
        user,
        Some(router.id),
        action,
        &detail,
        applied.error.is_none(),
    )?;
    Ok(applied)
}

/// Waits (at most `limit`) until a poll that started after now has finished for `router`, so
/// the page shown after a change already reflects it.
async fn wait_for_poll(st: &AppState, router: i64, limit: Duration) {
    let mut rx = st.hub.subscribe();
    let _ = tokio::time::timeout(limit, async {
        let mut seen = 0;
        while seen < 2 {
            match rx.recv().await {
                Ok(id) if id == router => seen += 1,
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    })
    .await;
}

async fn load_current(
    st: &AppState,
    router: i64,
) -> Result<(Arc<RouterHandle>, queue_model::Config), String> {
    let r = st.hub.router(router).ok_or("no such router")?;
    let client = r
        .client()
        .ok_or_else(|| format!("{} is not connected right now", r.name))?;
    let current = current_config(&client).await.map_err(|e| e.to_string())?;
    Ok((r, current))
}

async fn api_preview(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Json(f): Json<QueueForm>,
) -> Response {
    match load_current(&st, f.router).await {
        Ok((_, current)) => Json(preview(&current, &f).1).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    }
}

async fn api_apply(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Json(f): Json<QueueForm>,
) -> Response {
    let (r, current) = match load_current(&st, f.router).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    };
    let (desired, p) = preview(&current, &f);
    if !p.ok {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(p)).into_response();
    }
    let action = if f.original.is_empty() {
        "queue.add"
    } else {
        "queue.edit"
    };
    match apply_queue(&st, &r, &s.user, action, &current, &desired).await {
        Ok(a) if a.error.is_none() => Json(a).into_response(),
        Ok(a) => (StatusCode::BAD_GATEWAY, Json(a)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct EditQuery {
    router: i64,
    name: Option<String>,
}

/// A router text as the editor shows it: itself when UTF-8, else with `\xHH` escapes.
fn form_text(t: &queue_model::Text) -> String {
    match t.as_str() {
        Ok(s) => s.to_owned(),
        Err(_) => t.escape(),
    }
}

fn form_from_queue(router: i64, q: &SimpleQueue) -> QueueForm {
    let props: BTreeMap<String, String> = q
        .all_properties()
        .into_iter()
        .map(|(k, v)| (k, form_text(&v)))
        .collect();
    let get = |k: &str| props.get(k).cloned().unwrap_or_default();
    let parent = get("parent");
    QueueForm {
        router,
        original: q.name.escape(),
        name: form_text(&q.name),
        target: get("target"),
        parent: if parent == "none" {
            String::new()
        } else {
            parent
        },
        max_limit: get("max-limit"),
        limit_at: get("limit-at"),
        burst_limit: get("burst-limit"),
        burst_threshold: get("burst-threshold"),
        burst_time: get("burst-time"),
        priority: get("priority"),
        packet_marks: get("packet-marks"),
        comment: q.comment.as_ref().map(form_text).unwrap_or_default(),
        disabled: q.disabled.then(|| "on".to_owned()),
        csrf: None,
    }
}

async fn edit_page(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Query(q): Query<EditQuery>,
) -> Response {
    let (r, current) = match load_current(&st, q.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page(StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let form = match q.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => match current
            .queues
            .iter()
            .find(|x| x.name.escape() == name)
            .or_else(|| current.queue(name))
        {
            Some(queue) => form_from_queue(r.id, queue),
            None => return st.error_page(StatusCode::NOT_FOUND, "No such queue on this router."),
        },
        None => QueueForm {
            router: r.id,
            max_limit: "0/0".into(),
            ..QueueForm::default()
        },
    };
    let parents: Vec<String> = current.queues.iter().map(|x| form_text(&x.name)).collect();
    st.page(
        &s,
        "edit.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            form => Value::from_serialize(&form), parents => parents,
            preview => (), applied => (),
        },
    )
}

async fn apply_form(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Form(f): Form<QueueForm>,
) -> Response {
    let (r, current) = match load_current(&st, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page(StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (desired, p) = preview(&current, &f);
    let parents: Vec<String> = current.queues.iter().map(|x| form_text(&x.name)).collect();
    let router_v = Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name}));
    if !p.ok {
        let mut resp = st.page(
            &s,
            "edit.html",
            "queues",
            context! { router => router_v, form => Value::from_serialize(&f), parents => parents,
            preview => Value::from_serialize(&p), applied => () },
        );
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return resp;
    }
    let action = if f.original.is_empty() {
        "queue.add"
    } else {
        "queue.edit"
    };
    match apply_queue(&st, &r, &s.user, action, &current, &desired).await {
        Ok(a) if a.error.is_none() => {
            wait_for_poll(&st, r.id, Duration::from_secs(5)).await;
            Redirect::to(&format!(
                "/queue?router={}&name={}",
                r.id,
                urlencode(f.name.trim())
            ))
            .into_response()
        }
        Ok(a) => {
            let mut resp = st.page(
                &s,
                "edit.html",
                "queues",
                context! { router => router_v, form => Value::from_serialize(&f), parents => parents,
                           preview => Value::from_serialize(&p), applied => Value::from_serialize(&a) },
            );
            *resp.status_mut() = StatusCode::BAD_GATEWAY;
            resp
        }
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    router: i64,
    name: String,
    action: String,
}

async fn queue_action(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Form(f): Form<ActionForm>,
) -> Response {
    let (r, current) = match load_current(&st, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page(StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let mut desired = current.clone();
    let Some(pos) = desired.queues.iter().position(|q| q.name == f.name) else {
        return st.error_page(StatusCode::NOT_FOUND, "No such queue on this router.");
    };
    match f.action.as_str() {
        "enable" | "disable" => {
            if let Some(q) = desired.queues.get_mut(pos) {
                q.disabled = f.action == "disable";
            }
        }
        "remove" => {
            desired.queues.remove(pos);
        }
        _ => return st.error_page(StatusCode::BAD_REQUEST, "Unknown action."),
    }
    let action = format!("queue.{}", f.action);
    match apply_queue(&st, &r, &s.user, &action, &current, &desired).await {
        Ok(a) if a.error.is_none() => {
            wait_for_poll(&st, r.id, Duration::from_secs(5)).await;
            Redirect::to(&format!("/queues?router={}", r.id)).into_response()
        }
        Ok(a) => st.error_page(
            StatusCode::BAD_GATEWAY,
            &format!("The router refused: {}", a.error.unwrap_or_default()),
        ),
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

// ---------------------------------------------------------------- layer 7

#[derive(Deserialize)]
struct RouterQuery {
    router: Option<i64>,
}

fn lint_json(src: &str) -> Vec<serde_json::Value> {
    l7_patterns::lint(src)
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": d.severity.as_str(), "code": d.code, "message": d.message,
                "rendered": d.render(src), "fix": d.fix,
            })
        })
        .collect()
}

async fn l7_page(
    State(st): State<Arc<AppState>>,
    Current(s): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let r = pick_router(&st, q.router);
    let (rules, router_v) = match &r {
        Some(r) => {
            let live = r.live();
            let rules: Vec<_> = live
                .l7
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "rule": rule, "lint": lint_json(&rule.regexp),
                    })
                })
                .collect();
            (
                rules,
                serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()}),
            )
        }
        None => (Vec::new(), serde_json::Value::Null),
    };
    let events = st
        .store
        .l7_events(r.as_ref().map(|r| r.id), 100)
        .unwrap_or_default();
    st.page(
        &s,
        "l7.html",
        "l7",
        context! {
            router => Value::from_serialize(&router_v),
            rules => Value::from_serialize(&rules),
            events => Value::from_serialize(&events),
        },
    )
}

#[derive(Deserialize)]
struct L7Test {
    router: Option<i64>,
    /// A pattern to try instead of the router's rules.
    #[serde(default)]
    pattern: String,
    /// The text to match (as sent on the wire; `\r\n` line ends are not added).
    text: String,
}

async fn api_l7_test(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Json(t): Json<L7Test>,
) -> Response {
    let patterns: Vec<(String, String)> = if t.pattern.trim().is_empty() {
        pick_router(&st, t.router)
            .map(|r| {
                r.live()
                    .l7
                    .iter()
                    .map(|x| (x.name.clone(), x.regexp.clone()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![("(pattern)".into(), t.pattern.clone())]
    };
    let data = l7_patterns::collect(t.text.as_bytes(), 2048);
    let results: Vec<_> = patterns
        .iter()
        .map(|(name, src)| {
            match l7_patterns::Matcher::from_pattern(src, l7_patterns::MatchMode::default()) {
                Ok(m) => serde_json::json!({
                    "name": name, "matched": m.is_match(&data), "error": null, "lint": lint_json(src),
                }),
                Err(e) => serde_json::json!({
                    "name": name, "matched": false, "error": e.to_string(), "lint": lint_json(src),
                }),
            }
        })
        .collect();
    Json(serde_json::json!({ "results": results, "bytes": data.len() })).into_response()
}

/// Reads a pcap, reassembles each TCP/UDP flow's first packets the way the router's Layer 7
/// window does, and reports which of the router's patterns match each flow.
async fn api_l7_pcap(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<RouterQuery>,
    body: Bytes,
) -> Response {
    let rules: Vec<(String, String)> = pick_router(&st, q.router)
        .map(|r| {
            r.live()
                .l7
                .iter()
                .map(|x| (x.name.clone(), x.regexp.clone()))
                .collect()
        })
        .unwrap_or_default();
    let r = tokio::task::spawn_blocking(move || pcap_flows(&body, &rules)).await;
    match r {
        Ok(Ok(flows)) => Json(serde_json::json!({ "flows": flows })).into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "pcap analysis failed").into_response(),
    }
}

/// Most flows reported from one pcap.
const MAX_FLOWS: usize = 1000;

/// Splits a pcap into flows and matches each against `rules` (name, pattern).
pub fn pcap_flows(
    data: &[u8],
    rules: &[(String, String)],
) -> Result<Vec<serde_json::Value>, String> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use l7_patterns::{Direction, Flow, PatternSet};
    let set = PatternSet::new(
        rules.iter().map(|(n, p)| (n.as_str(), p.as_str())),
        l7_patterns::MatchMode::default(),
    )
    .map_err(|e| format!("the router's patterns do not compile: {e}"))?;
    let set = Arc::new(set);
    let mut reader = pcap_file::pcap::PcapReader::new(std::io::Cursor::new(data))
        .map_err(|e| format!("not a pcap file: {e}"))?;
    let mut flows: Vec<((String, String), Flow, u32)> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> = Default::default();
    while let Some(pkt) = reader.next_packet() {
        let pkt = pkt.map_err(|e| format!("bad pcap record: {e}"))?;
        let Ok(sliced) = SlicedPacket::from_ethernet(&pkt.data) else {
            continue;
        };
        let (src, dst) = match &sliced.net {
            Some(NetSlice::Ipv4(v4)) => (
                v4.header().source_addr().to_string(),
                v4.header().destination_addr().to_string(),
            ),
            Some(NetSlice::Ipv6(v6)) => (
                v6.header().source_addr().to_string(),
                v6.header().destination_addr().to_string(),
            ),
            _ => continue,
        };
        let (proto, sp, dp, payload) = match &sliced.transport {
            Some(TransportSlice::Tcp(t)) => {
                ("tcp", t.source_port(), t.destination_port(), t.payload())
            }
            Some(TransportSlice::Udp(u)) => {
                ("udp", u.source_port(), u.destination_port(), u.payload())
            }
            _ => continue,
        };
        let a = format!("{proto} {src}:{sp}");
        let b = format!("{dst}:{dp}");
        let fwd = (a.clone(), b.clone());
        let rev = (format!("{proto} {dst}:{dp}"), format!("{src}:{sp}"));
        let (key, dir) = if index.contains_key(&rev) {
            (rev, Direction::Reply)
        } else {
            (fwd, Direction::Original)
        };
        let i = match index.get(&key) {
            Some(i) => *i,
            None => {
                if flows.len() >= MAX_FLOWS {
                    continue;
                }
                flows.push((key.clone(), Flow::new(set.clone()), 0));
                index.insert(key, flows.len() - 1);
                flows.len() - 1
            }
        };
        if let Some((_, flow, n)) = flows.get_mut(i) {
            flow.push(dir, payload);
            *n += 1;
        }
    }
    Ok(flows
        .iter()
        .map(|((a, b), flow, n)| {
            let names: Vec<&str> = set.names_of(flow.matched());
            serde_json::json!({"flow": format!("{a} -> {b}"), "packets": n, "matched": names})
        })
        .collect())
}

async fn api_l7_activity(
    State(st): State<Arc<AppState>>,
    Current(_): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let events = st.store.l7_events(q.router, 100).unwrap_or_default();
    let events: Vec<_> = events
        .into_iter()
        .map(|e| serde_json::json!({"time": fmt_time(e.time), "host": e.host, "app": e.app, "rule": e.rule}))
        .collect();
    Json(serde_json::json!({ "events": events })).into_response()
}

// ---------------------------------------------------------------- alerts

async fn alerts_page(State(st): State<Arc<AppState>>, Current(s): Current) -> Response {
    let alerts = st.store.alerts(200).unwrap_or_default();
    st.page(
        &s,
        "alerts.html",
        "alerts",
        context! { alerts => Value::from_serialize(&alerts) },
    )
}

async fn api_alerts(State(st): State<Arc<AppState>>, Current(_): Current) -> Response {
    Json(serde_json::json!({"alerts": st.store.alerts(200).unwrap_or_default()})).into_response()
}

async fn ack_alert(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
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

// ---------------------------------------------------------------- users

async fn users_page(State(st): State<Arc<AppState>>, Current(s): Current) -> Response {
    let users = st.store.users().unwrap_or_default();
    st.page(
        &s,
        "users.html",
        "users",
        context! { users => Value::from_serialize(&users), error => () },
    )
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    password: String,
    role: String,
}

async fn add_user(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Form(f): Form<NewUser>,
) -> Response {
    let name = f.name.trim();
    let problem = if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        Some("User names are 1 to 64 printable characters.".to_owned())
    } else if f.password.len() < 8 {
        Some("Passwords need at least 8 characters.".to_owned())
    } else {
        None
    };
    let result = match (problem, f.role.parse::<Role>()) {
        (Some(p), _) => Err(p),
        (None, Err(e)) => Err(e.to_string()),
        (None, Ok(role)) => {
            let password = f.password.clone();
            match tokio::task::spawn_blocking(move || auth::hash_password(&password)).await {
                Ok(Ok(hash)) => st
                    .store
                    .add_user(name, &hash, role)
                    .map_err(|e| e.to_string()),
                _ => Err("hashing failed".to_owned()),
            }
        }
    };
    match result {
        Ok(_) => {
            let _ = st.store.audit(
                &s.user,
                None,
                "user.add",
                &format!("{name} ({})", f.role),
                true,
            );
            Redirect::to("/users").into_response()
        }
        Err(e) => {
            let users = st.store.users().unwrap_or_default();
            let mut r = st.page(
                &s,
                "users.html",
                "users",
                context! { users => Value::from_serialize(&users), error => e },
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    }
}

async fn delete_user(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    if id == s.user_id {
        return st.error_page(StatusCode::BAD_REQUEST, "You cannot delete yourself.");
    }
    match st.store.delete_user(id) {
        Ok(true) => {
            st.sessions.remove_user(id);
            let _ = st
                .store
                .audit(&s.user, None, "user.delete", &format!("user {id}"), true);
            Redirect::to("/users").into_response()
        }
        Ok(false) => st.error_page(StatusCode::NOT_FOUND, "No such user."),
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct NewPassword {
    password: String,
}

async fn set_password(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(f): Form<NewPassword>,
) -> Response {
    if f.password.len() < 8 {
        return st.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Passwords need at least 8 characters.",
        );
    }
    let password = f.password.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await
    else {
        return st.error_page(StatusCode::INTERNAL_SERVER_ERROR, "hashing failed");
    };
    match st.store.set_user_hash(id, &hash) {
        Ok(true) => {
            if id != s.user_id {
                st.sessions.remove_user(id);
            }
            let _ = st
                .store
                .audit(&s.user, None, "user.password", &format!("user {id}"), true);
            Redirect::to("/users").into_response()
        }
        Ok(false) => st.error_page(StatusCode::NOT_FOUND, "No such user."),
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

// ---------------------------------------------------------------- routers

async fn routers_page(State(st): State<Arc<AppState>>, Current(s): Current) -> Response {
    let rows = st.store.routers().unwrap_or_default();
    let list: Vec<_> = rows
        .iter()
        .map(|r| {
            let status = st
                .hub
                .router(r.id)
                .map(|h| h.live().status.as_str())
                .unwrap_or("not polled");
            serde_json::json!({
                "id": r.id, "name": r.name, "address": r.address, "port": r.port, "tls": r.tls,
                "fingerprint": r.fingerprint, "user": r.user, "source": r.source, "status": status,
            })
        })
        .collect();
    st.page(
        &s,
        "routers.html",
        "routers",
        context! { list => Value::from_serialize(&list), error => () },
    )
}

#[derive(Deserialize)]
struct NewRouter {
    name: String,
    address: String,
    port: Option<String>,
    tls: Option<String>,
    fingerprint: Option<String>,
    user: String,
    password: String,
}

async fn add_router(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Form(f): Form<NewRouter>,
) -> Response {
    let tls = f.tls.is_some();
    let port = match f.port.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(if tls { 8729 } else { 8728 }),
        Some(p) => p.parse::<u16>().map_err(|_| format!("{p:?} is not a port")),
    };
    let fingerprint = f
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned);
    let result = (|| -> Result<i64, String> {
        let port = port?;
        if f.name.trim().is_empty() || f.address.trim().is_empty() || f.user.trim().is_empty() {
            return Err("Name, address and user are required.".into());
        }
        let row = RouterRow {
            id: 0,
            name: f.name.trim().to_owned(),
            address: f.address.trim().to_owned(),
            port,
            tls,
            fingerprint,
            user: f.user.trim().to_owned(),
            password_sealed: st.secrets.seal(&f.password).map_err(|e| e.to_string())?,
            source: "ui".into(),
        };
        let config = crate::client_config(&row, f.password.clone()).map_err(|e| e.to_string())?;
        let id = st.store.upsert_router(&row).map_err(|e| e.to_string())?;
        st.hub.add_router(id, &row.name, config, false);
        Ok(id)
    })();
    match result {
        Ok(id) => {
            let _ = st.store.audit(
                &s.user,
                Some(id),
                "router.add",
                &format!("{} at {}", f.name.trim(), f.address.trim()),
                true,
            );
            Redirect::to("/routers").into_response()
        }
        Err(e) => st.error_page(StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

async fn delete_router(
    State(st): State<Arc<AppState>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    st.hub.remove_router(id);
    match st.store.delete_router(id) {
        Ok(_) => {
            let _ = st.store.audit(&s.user, Some(id), "router.delete", "", true);
            Redirect::to("/routers").into_response()
        }
        Err(e) => st.error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn audit_page(State(st): State<Arc<AppState>>, Current(s): Current) -> Response {
    let entries = st.store.audit_log(500).unwrap_or_default();
    st.page(
        &s,
        "audit.html",
        "audit",
        context! { entries => Value::from_serialize(&entries) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formatting() {
        assert_eq!(fmt_time(0), "1970-01-01 00:00:00");
        assert_eq!(fmt_time(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(fmt_time(951_782_400), "2000-02-29 00:00:00");
    }

    #[test]
    fn next_must_be_local() {
        assert_eq!(safe_next(Some("/queues?x=1")), "/queues?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn queue_selection_filters_sorts_pages() {
        let rows: Vec<QueueRow> = (0..120)
            .map(|i| QueueRow {
                name: format!("q{i:03}"),
                rate_down: i,
                comment: if i % 2 == 0 {
                    "even".into()
                } else {
                    String::new()
                },
                ..QueueRow::default()
            })
            .collect();
        let p = select_queues(
            &rows,
            &QueueQuery {
                q: Some("EVEN".into()),
                ..Default::default()
            },
        );
        assert_eq!(p.total, 60);
        assert_eq!(p.pages, 2);
        let p = select_queues(
            &rows,
            &QueueQuery {
                sort: Some("rate".into()),
                dir: Some("desc".into()),
                per: Some(10),
                page: Some(99),
                ..Default::default()
            },
        );
        assert_eq!(p.page, 12);
        assert_eq!(p.rows.len(), 10);
        let p = select_queues(
            &rows,
            &QueueQuery {
                sort: Some("rate".into()),
                dir: Some("desc".into()),
                ..Default::default()
            },
        );
        assert_eq!(p.rows[0].name, "q119");
    }

    #[test]
    fn preview_reports_field_errors_and_plans() {
        let mut current = queue_model::Config::new();
        current
            .queues
            .push(SimpleQueue::new("a", "192.168.88.10".parse().unwrap()));
        let f = QueueForm {
            router: 1,
            name: "b".into(),
            target: "192.168.88.11".into(),
            max_limit: "5X/10M".into(),
            ..Default::default()
        };
        let (_, p) = preview(&current, &f);
        assert!(!p.ok);
        assert!(p.field_errors.contains_key("max_limit"), "{p:?}");
        let f = QueueForm {
            max_limit: "5M/10M".into(),
            ..f
        };
        let (_, p) = preview(&current, &f);
        assert!(p.ok, "{p:?}");
        assert_eq!(p.commands.len(), 1);
        assert!(
            p.commands[0].starts_with("/queue simple add"),
            "{:?}",
            p.commands
        );
        assert!(p.commands[0].contains("max-limit=5M/10M"));
        let dup = QueueForm {
            name: "a".into(),
            ..f
        };
        assert!(preview(&current, &dup).1.field_errors.contains_key("name"));
    }

    #[test]
    fn urlencoded_parsing() {
        let pairs = serde_urlencoded_pairs(b"a=1&csrf=x%2By+z&bad=%zz");
        assert_eq!(pairs[1], ("csrf".to_owned(), "x+y z".to_owned()));
        assert_eq!(pairs[2].1, "%zz");
    }
}
