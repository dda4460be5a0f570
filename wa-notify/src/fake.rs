//! A fake WhatsApp Cloud API server for tests (feature `fake-server`).
//!
//! It listens on `127.0.0.1:0` and serves `POST /{version}/{phone-number-id}/messages` like
//! Meta: it checks the bearer token (401, code 190) and the body shape (400, code 100), refuses
//! free-form text to numbers that have not written within the window (400, 131047) while
//! accepting templates, enforces the pair rate (one message per interval to a number, 429,
//! 131056) and the number's throughput (429, 130429), answers any error code on demand
//! ([`fail_next`](FakeCloudApi::fail_next)), records what it accepted per number in order, and
//! posts signed (or wrongly signed) webhooks to a URL. Errors have Meta's shape:
//! `{"error":{"message","type","code","error_data":{"messaging_product","details"},"fbtrace_id"}}`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use wa_notify::fake::FakeCloudApi;
//! use wa_notify::{PhoneNumber, TemplateMessage};
//! let fake = FakeCloudApi::start().await;
//! let to: PhoneNumber = "6281234567890".parse().unwrap();
//! let api = fake.api();
//! // nobody wrote: text is refused, a template is accepted
//! assert!(api.send_text(&to, "hi").await.unwrap_err().is_outside_window());
//! let mut t = TemplateMessage::new("noc_alert", "id");
//! t.param("r1 down");
//! api.send_template(&to, &t).await.unwrap();
//! assert_eq!(fake.delivered(&to)[0].text(), "r1 down");
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use crate::client::{CloudApi, Token};
use crate::format::{text_len, MAX_TEMPLATE_BODY, MAX_TEXT_LEN};
use crate::phone::PhoneNumber;
use crate::webhook::sign;

/// The token the fake accepts unless configured otherwise.
pub const FAKE_TOKEN: &str = "EAAFakeWhatsAppTokenForTestsOnly0123456789";

/// The business phone number id the fake serves unless configured otherwise.
pub const FAKE_PHONE_NUMBER_ID: &str = "106540352242922";

/// What an accepted message was.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveredKind {
    /// A text message.
    Text {
        /// `text.body`.
        body: String,
        /// `text.preview_url`.
        preview_url: bool,
    },
    /// A template message.
    Template {
        /// Template name.
        name: String,
        /// Language code.
        language: String,
        /// Body parameters.
        params: Vec<String>,
    },
}

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivered {
    /// Recipient number.
    pub to: String,
    /// Content.
    pub kind: DeliveredKind,
    /// The `wamid` returned.
    pub id: String,
    /// When it was accepted.
    pub at: Instant,
}

impl Delivered {
    /// The text a user reads: the body, or the template parameters joined by spaces.
    pub fn text(&self) -> String {
        match &self.kind {
            DeliveredKind::Text { body, .. } => body.clone(),
            DeliveredKind::Template { params, .. } => params.join(" "),
        }
    }

    /// Whether it was a template.
    pub fn is_template(&self) -> bool {
        matches!(self.kind, DeliveredKind::Template { .. })
    }
}

/// Settings of the fake.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FakeConfig {
    /// Accepted bearer token.
    pub token: String,
    /// Served phone number id.
    pub phone_number_id: String,
    /// Pair rate: least spacing of messages to one number (`None`: no limit). Default 6 s.
    pub pair_interval: Option<Duration>,
    /// Messages to one number accepted back to back before the spacing applies (default 1).
    pub pair_burst: u32,
    /// Throughput of the business number, messages per second (`None`: no limit).
    /// Default 80.
    pub throughput: Option<f64>,
    /// Arrival jitter tolerated by both limits (requests sent on time may arrive bunched).
    pub jitter: Duration,
    /// Whether text needs a recent inbound message (the 24-hour window). Default true.
    pub enforce_window: bool,
    /// Window length (24 h).
    pub window: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            token: FAKE_TOKEN.to_owned(),
            phone_number_id: FAKE_PHONE_NUMBER_ID.to_owned(),
            pair_interval: Some(Duration::from_secs(6)),
            pair_burst: 1,
            throughput: Some(80.0),
            jitter: Duration::from_millis(20),
            enforce_window: true,
            window: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Default)]
struct Gcra(Option<Instant>);

impl Gcra {
    fn admit(&mut self, now: Instant, interval: Duration, burst: u32, jitter: Duration) -> bool {
        if let Some(tat) = self.0 {
            let tolerance = interval.saturating_mul(burst.saturating_sub(1)) + jitter;
            if tat
                .checked_sub(tolerance)
                .is_some_and(|earliest| now < earliest)
            {
                return false;
            }
        }
        let base = self.0.filter(|t| *t > now).unwrap_or(now);
        self.0 = Some(base + interval);
        true
    }
}

#[derive(Default)]
struct FakeState {
    cfg: Option<FakeConfig>,
    delivered: Vec<Delivered>,
    pair: HashMap<String, Gcra>,
    global: Gcra,
    inbound: HashMap<String, Instant>,
    fail_next: VecDeque<i64>,
    down: bool,
    requests: u64,
    pair_limited: u64,
    throughput_limited: u64,
    window_refused: u64,
    answered: HashMap<i64, u64>,
    next_id: u64,
}

fn lock(m: &Mutex<FakeState>) -> MutexGuard<'_, FakeState> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running fake Cloud API; stops when dropped.
pub struct FakeCloudApi {
    addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    task: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

impl std::fmt::Debug for FakeCloudApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCloudApi")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeCloudApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Meta's HTTP status and title for an error code.
fn status_and_title(code: i64) -> (u16, &'static str) {
    match code {
        0 => (401, "AuthException"),
        190 => (401, "Access token has expired"),
        3 => (500, "API Method"),
        10 => (403, "Permission Denied"),
        200..=299 => (403, "API Permission"),
        4 => (429, "API Too Many Calls"),
        80007 => (429, "Rate limit issues"),
        130429 => (429, "Rate limit hit"),
        131056 => (
            429,
            "(Business Account, Consumer Account) pair rate limit hit",
        ),
        131047 => (400, "Re-engagement message"),
        131026 => (400, "Message Undeliverable"),
        131030 => (400, "Recipient phone number not in allowed list"),
        368 => (403, "Temporarily blocked for policies violations"),
        1 => (500, "API Unknown"),
        2 => (503, "API Service"),
        131000 => (500, "Something went wrong"),
        131016 => (503, "Service unavailable"),
        132005 => (400, "Translated text too long"),
        132018 => (
            400,
            "There was an issue with the parameters in your template",
        ),
        _ => (400, "Invalid parameter"),
    }
}

fn meta_error(code: i64, details: &str) -> Response {
    let (status, title) = status_and_title(code);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"error": {
        "message": format!("(#{code}) {title}"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "AFakeTraceId0123456789",
    }});
    (status, axum::Json(body)).into_response()
}

impl FakeCloudApi {
    /// Starts a fake with Meta's limits on `127.0.0.1:0`.
    pub async fn start() -> FakeCloudApi {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with `cfg`. Panics if no loopback port can be bound (a test fixture).
    pub async fn start_with(cfg: FakeConfig) -> FakeCloudApi {
        let state = Arc::new(Mutex::new(FakeState {
            cfg: Some(cfg),
            next_id: 1,
            ..FakeState::default()
        }));
        let router = Router::new()
            .route("/{version}/{id}/messages", post(handle))
            .with_state(Arc::clone(&state));
        #[allow(clippy::expect_used)]
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        #[allow(clippy::expect_used)]
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeCloudApi {
            addr,
            state,
            task,
            http: reqwest::Client::new(),
        }
    }

    fn cfg(&self) -> FakeConfig {
        lock(&self.state).cfg.clone().unwrap_or_default()
    }

    /// Base URL for [`CloudApiBuilder::base_url`](crate::CloudApiBuilder::base_url).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The accepted token.
    pub fn token(&self) -> String {
        self.cfg().token
    }

    /// The served phone number id.
    pub fn phone_number_id(&self) -> String {
        self.cfg().phone_number_id
    }

    /// A client for this fake with the right token.
    pub fn api(&self) -> CloudApi {
        CloudApi::builder(Token::new(self.token()), self.phone_number_id())
            .base_url(self.url())
            .build()
    }

    /// The current Unix time in seconds (for `Windows::record_inbound`).
    pub fn now_unix(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    /// `number` wrote to the business just now: text to it is accepted within the window.
    pub fn mark_inbound(&self, number: &PhoneNumber) {
        lock(&self.state)
            .inbound
            .insert(number.as_str().to_owned(), Instant::now());
    }

    /// Forgets that `number` wrote: text to it gets 131047 again.
    pub fn close_window(&self, number: &PhoneNumber) {
        lock(&self.state).inbound.remove(number.as_str());
    }

    /// The next `n` message requests (with a valid token) are answered with error `code`,
    /// at the HTTP status Meta uses for it.
    pub fn fail_next(&self, code: i64, n: usize) {
        let mut st = lock(&self.state);
        st.fail_next.extend(std::iter::repeat_n(code, n));
    }

    /// Takes the server down (502 HTML page, like a proxy before a dead backend) or up.
    pub fn set_down(&self, down: bool) {
        lock(&self.state).down = down;
    }

    /// Messages accepted for `number`, in arrival order.
    pub fn delivered(&self, number: &PhoneNumber) -> Vec<Delivered> {
        lock(&self.state)
            .delivered
            .iter()
            .filter(|d| d.to == number.as_str())
            .cloned()
            .collect()
    }

    /// Every message accepted, in arrival order.
    pub fn all_delivered(&self) -> Vec<Delivered> {
        lock(&self.state).delivered.clone()
    }

    /// Message requests received (any outcome).
    pub fn requests(&self) -> u64 {
        lock(&self.state).requests
    }

    /// Requests refused with 131056 by the pair limit (not by [`fail_next`](Self::fail_next)).
    pub fn pair_limited(&self) -> u64 {
        lock(&self.state).pair_limited
    }

    /// Requests refused with 130429 by the throughput limit.
    pub fn throughput_limited(&self) -> u64 {
        lock(&self.state).throughput_limited
    }

    /// Text refused with 131047 because the window was closed.
    pub fn window_refused(&self) -> u64 {
        lock(&self.state).window_refused
    }

    /// How many times error `code` was answered (by any cause).
    pub fn answered(&self, code: i64) -> u64 {
        lock(&self.state).answered.get(&code).copied().unwrap_or(0)
    }

    /// Posts `body` to `url` signed with `app_secret` in `X-Hub-Signature-256`, as Meta
    /// delivers webhooks; returns the HTTP status (0 when the request failed).
    pub async fn post_webhook(&self, url: &str, app_secret: &[u8], body: &str) -> u16 {
        let sig = sign(app_secret, body.as_bytes());
        self.post_raw(url, Some(&sig), body).await
    }

    /// Posts `body` with a signature made with the wrong secret.
    pub async fn post_webhook_badly_signed(&self, url: &str, body: &str) -> u16 {
        let sig = sign(b"not-the-app-secret", body.as_bytes());
        self.post_raw(url, Some(&sig), body).await
    }

    /// Posts `body` with the given signature header, or none.
    pub async fn post_raw(&self, url: &str, signature: Option<&str>, body: &str) -> u16 {
        let mut rb = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(s) = signature {
            rb = rb.header("x-hub-signature-256", s);
        }
        match rb.send().await {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        }
    }
}

/// A webhook body carrying one text message from `from`.
pub fn webhook_text(
    phone_number_id: &str,
    from: &str,
    id: &str,
    timestamp: u64,
    body: &str,
) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Admin"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": timestamp.to_string(),
                          "type": "text", "text": {"body": body}}],
        }
    }]}]})
    .to_string()
}

/// A webhook body reporting that our message `id` to `recipient` failed with `code`.
pub fn webhook_failed_status(
    phone_number_id: &str,
    id: &str,
    recipient: &str,
    code: i64,
) -> String {
    let (_, title) = status_and_title(code);
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
            "statuses": [{"id": id, "status": "failed", "timestamp": "1700000000",
                          "recipient_id": recipient,
                          "errors": [{"code": code, "title": title, "message": title,
                                      "error_data": {"details": title}}]}],
        }
    }]}]})
    .to_string()
}

fn bad(details: &str) -> Response {
    meta_error(100, details)
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = lock(&state);
    st.requests += 1;
    let response = respond(&mut st, &version, &id, &headers, &body);
    drop(st);
    response
}

fn respond(
    st: &mut FakeState,
    version: &str,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let cfg = st.cfg.clone().unwrap_or_default();
    if st.down {
        return (
            StatusCode::BAD_GATEWAY,
            "<html><head><title>502 Bad Gateway</title></head><body>502</body></html>",
        )
            .into_response();
    }
    let answer = |st: &mut FakeState, code: i64, details: &str| {
        *st.answered.entry(code).or_default() += 1;
        meta_error(code, details)
    };
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if auth != Some(cfg.token.as_str()) {
        return answer(
            st,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        );
    }
    if !version.starts_with('v') || id != cfg.phone_number_id {
        return answer(
            st,
            100,
            &format!("Unsupported post request. Object with ID '{id}' does not exist"),
        );
    }
    if let Some(code) = st.fail_next.pop_front() {
        return answer(st, code, "injected by the test");
    }
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return bad("(#100) The parameter body is not valid JSON");
    };
    if req["messaging_product"] != "whatsapp" {
        return bad("(#100) The parameter messaging_product is required.");
    }
    let to = match req["to"].as_str().map(str::parse::<PhoneNumber>) {
        Some(Ok(n)) => n.as_str().to_owned(),
        _ => return bad("(#100) Invalid parameter: to"),
    };
    let kind = match req["type"].as_str() {
        Some("text") => {
            let Some(text) = req["text"]["body"].as_str() else {
                return bad("(#100) The parameter text['body'] is required.");
            };
            if text.trim().is_empty() {
                return bad("(#100) Param text['body'] must be at least 1 character long.");
            }
            if text_len(text) > MAX_TEXT_LEN {
                return bad("(#100) Param text['body'] must be at most 4096 characters long.");
            }
            let preview_url = match &req["text"]["preview_url"] {
                Value::Null => false,
                Value::Bool(b) => *b,
                _ => return bad("(#100) Param text['preview_url'] must be a boolean."),
            };
            if cfg.enforce_window {
                let open = st
                    .inbound
                    .get(&to)
                    .is_some_and(|t| t.elapsed() < cfg.window);
                if !open {
                    st.window_refused += 1;
                    return answer(
                        st,
                        131047,
                        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                    );
                }
            }
            DeliveredKind::Text {
                body: text.to_owned(),
                preview_url,
            }
        }
        Some("template") => {
            let t = &req["template"];
            let (Some(name), Some(language)) = (t["name"].as_str(), t["language"]["code"].as_str())
            else {
                return bad("(#100) The parameters template['name'] and template['language']['code'] are required.");
            };
            let mut params = Vec::new();
            if let Some(components) = t["components"].as_array() {
                for c in components {
                    if c["type"] != "body" {
                        continue;
                    }
                    for p in c["parameters"].as_array().into_iter().flatten() {
                        let (Some("text"), Some(text)) = (p["type"].as_str(), p["text"].as_str())
                        else {
                            return bad("(#100) Invalid parameter type");
                        };
                        if text.contains(['\n', '\t'])
                            || text.contains("    ")
                            || text.trim().is_empty()
                        {
                            return answer(
                                st,
                                132018,
                                "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
                            );
                        }
                        params.push(text.to_owned());
                    }
                }
            }
            if params.iter().map(|p| text_len(p)).sum::<usize>() > MAX_TEMPLATE_BODY {
                return answer(st, 132005, "Translated text too long");
            }
            DeliveredKind::Template {
                name: name.to_owned(),
                language: language.to_owned(),
                params,
            }
        }
        _ => return bad("(#100) Invalid parameter: type"),
    };
    let now = Instant::now();
    if let Some(interval) = cfg.pair_interval {
        if !st
            .pair
            .entry(to.clone())
            .or_default()
            .admit(now, interval, cfg.pair_burst, cfg.jitter)
        {
            st.pair_limited += 1;
            return answer(
                st,
                131056,
                "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
            );
        }
    }
    if let Some(rate) = cfg.throughput.filter(|r| *r > 0.0) {
        let interval = Duration::from_secs_f64(1.0 / rate);
        let burst = u32::try_from(rate.ceil() as i64).unwrap_or(1).max(1);
        if !st.global.admit(now, interval, burst, cfg.jitter) {
            st.throughput_limited += 1;
            return answer(
                st,
                130429,
                "Message failed to send because there were too many messages sent from this phone number in a short period of time.",
            );
        }
    }
    let wamid = format!("wamid.FAKE{:08}", st.next_id);
    st.next_id += 1;
    st.delivered.push(Delivered {
        to: to.clone(),
        kind,
        id: wamid.clone(),
        at: now,
    });
    (
        StatusCode::OK,
        axum::Json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid}],
        })),
    )
        .into_response()
}
