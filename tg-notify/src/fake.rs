//! A fake Bot API server for tests (feature `fake-server`).
//!
//! It listens on `127.0.0.1:0`, enforces Telegram's limits per chat, per group and overall
//! (429 with `parameters.retry_after`), parses HTML and MarkdownV2 like Telegram
//! (400 `can't parse entities`), refuses messages longer than 4,096 UTF-16 units after entity
//! parsing (400 `message is too long`), answers 403 for blocked chats, 409 for concurrent
//! `getUpdates` or an active webhook, can be taken down (502) or made to fail (500), records
//! every accepted message, and serves injected updates by long polling.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tg_notify::fake::FakeTelegram;
//! use tg_notify::{Bot, ChatId, SendMessage};
//! let tg = FakeTelegram::start().await;
//! let bot = Bot::new(tg.token()).with_api_url(tg.url());
//! bot.send_message(&SendMessage::new(42, "hello")).await.unwrap();
//! assert_eq!(tg.sent(&ChatId::Id(42))[0].text, "hello");
//! # }
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::format::{html, markdown_v2, utf16_len, MAX_MESSAGE_LEN};
use crate::pacing::Limits;
use crate::types::{BotCommand, ChatId, ParseMode, SendMessage, Update};

/// The token the fake accepts unless configured otherwise.
pub const FAKE_TOKEN: &str = "123456789:AAFakeTokenForTestsOnly_abcdefghijk";

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentMessage {
    /// The request as received.
    pub request: SendMessage,
    /// The markup text as received.
    pub text: String,
    /// The text after entity parsing (what a user sees).
    pub plain: String,
    /// When it was accepted.
    pub at: Instant,
}

/// Settings of the fake.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FakeConfig {
    /// The accepted token.
    pub token: String,
    /// Limits enforced, or `None` to accept any rate.
    pub limits: Option<Limits>,
    /// Extra burst tolerated beyond `limits`.
    pub slack: u32,
    /// Extra time tolerated by every limit: requests sent on time by a client may arrive
    /// bunched up by this much (connection scheduling, a loaded test machine).
    pub jitter: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            token: FAKE_TOKEN.to_owned(),
            limits: Some(Limits::default()),
            slack: 1,
            jitter: Duration::from_millis(50),
        }
    }
}

#[derive(Default)]
struct Gcra(Option<Instant>);

impl Gcra {
    fn admit(
        &mut self,
        now: Instant,
        interval: Duration,
        burst: u32,
        jitter: Duration,
    ) -> Result<(), Duration> {
        if let Some(tat) = self.0 {
            let tolerance = interval.saturating_mul(burst.saturating_sub(1)) + jitter;
            if let Some(earliest) = tat.checked_sub(tolerance) {
                if now < earliest {
                    return Err(earliest - now);
                }
            }
        }
        let base = self.0.filter(|t| *t > now).unwrap_or(now);
        self.0 = Some(base + interval);
        Ok(())
    }
}

#[derive(Default)]
struct FakeState {
    token: String,
    limits: Option<Limits>,
    slack: u32,
    jitter: Duration,
    sent: Vec<SentMessage>,
    per_chat: HashMap<ChatId, Gcra>,
    per_group: HashMap<ChatId, Gcra>,
    global: Gcra,
    blocked: HashSet<ChatId>,
    known_chats: Option<HashSet<ChatId>>,
    migrated: HashMap<ChatId, i64>,
    down: bool,
    fail_next: u32,
    flood_next: Vec<u64>,
    rate_limited: u64,
    requests: HashMap<String, u64>,
    updates: VecDeque<Update>,
    next_update_id: i64,
    poll_generation: u64,
    webhook: bool,
    commands: Vec<BotCommand>,
    next_message_id: i64,
}

fn lock(m: &Mutex<FakeState>) -> MutexGuard<'_, FakeState> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone)]
struct App {
    state: Arc<Mutex<FakeState>>,
    updates: Arc<Notify>,
}

/// A running fake Bot API server; stops when dropped.
pub struct FakeTelegram {
    addr: SocketAddr,
    app: App,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeTelegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTelegram")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeTelegram {
    /// Starts a fake with Telegram's default limits on `127.0.0.1:0`.
    pub async fn start() -> FakeTelegram {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with `cfg`. Panics if no loopback port can be bound (a test fixture).
    pub async fn start_with(cfg: FakeConfig) -> FakeTelegram {
        let state = FakeState {
            token: cfg.token,
            limits: cfg.limits,
            slack: cfg.slack,
            jitter: cfg.jitter,
            next_update_id: 1,
            next_message_id: 1,
            ..FakeState::default()
        };
        let app = App {
            state: Arc::new(Mutex::new(state)),
            updates: Arc::new(Notify::new()),
        };
        let router = Router::new()
            .route("/{bot}/{method}", post(handle).get(handle))
            .with_state(app.clone());
        #[allow(clippy::expect_used)]
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        #[allow(clippy::expect_used)]
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeTelegram { addr, app, task }
    }

    /// Base URL for [`Bot::with_api_url`](crate::Bot::with_api_url).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token the fake accepts.
    pub fn token(&self) -> String {
        lock(&self.app.state).token.clone()
    }

    /// Messages accepted for `chat`, in arrival order.
    pub fn sent(&self, chat: &ChatId) -> Vec<SentMessage> {
        lock(&self.app.state)
            .sent
            .iter()
            .filter(|m| &m.request.chat_id == chat)
            .cloned()
            .collect()
    }

    /// Every message accepted, in arrival order.
    pub fn all_sent(&self) -> Vec<SentMessage> {
        lock(&self.app.state).sent.clone()
    }

    /// How many requests were refused with 429 by the limits (not by [`flood_next`](Self::flood_next)).
    pub fn rate_limited(&self) -> u64 {
        lock(&self.app.state).rate_limited
    }

    /// How many times `method` was called.
    pub fn calls(&self, method: &str) -> u64 {
        lock(&self.app.state)
            .requests
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Takes the server down (every request gets a 502 HTML page, like a proxy in front of
    /// a dead backend) or brings it back.
    pub fn set_down(&self, down: bool) {
        lock(&self.app.state).down = down;
    }

    /// The next `n` requests fail with 500.
    pub fn fail_next(&self, n: u32) {
        lock(&self.app.state).fail_next = n;
    }

    /// The next `sendMessage` answers 429 with this `retry_after` (seconds).
    pub fn flood_next(&self, retry_after: u64) {
        lock(&self.app.state).flood_next.push(retry_after);
    }

    /// Messages to `chat` get 403 `bot was blocked by the user`.
    pub fn block(&self, chat: ChatId) {
        lock(&self.app.state).blocked.insert(chat);
    }

    /// Only these chats exist; others get 400 `chat not found`.
    pub fn set_known_chats(&self, chats: impl IntoIterator<Item = ChatId>) {
        lock(&self.app.state).known_chats = Some(chats.into_iter().collect());
    }

    /// Messages to group `from` get 400 with `migrate_to_chat_id` = `to`.
    pub fn migrate(&self, from: ChatId, to: i64) {
        lock(&self.app.state).migrated.insert(from, to);
    }

    /// Sets or clears a webhook (while set, `getUpdates` answers 409).
    pub fn set_webhook(&self, on: bool) {
        lock(&self.app.state).webhook = on;
    }

    /// Replaces the enforced limits.
    pub fn set_limits(&self, limits: Option<Limits>) {
        lock(&self.app.state).limits = limits;
    }

    /// Queues an update (its `update_id` is replaced by the next id) and returns its id.
    pub fn push_update(&self, mut update: Update) -> i64 {
        let id = {
            let mut st = lock(&self.app.state);
            let id = st.next_update_id;
            st.next_update_id += 1;
            update.update_id = id;
            st.updates.push_back(update);
            id
        };
        self.app.updates.notify_waiters();
        id
    }

    /// Queues a text message from `user` in `chat`.
    pub fn push_text(&self, chat: i64, user: i64, text: &str) -> i64 {
        self.push_update(Update::text_message(0, chat, user, text))
    }

    /// Updates not yet confirmed by an offset.
    pub fn pending_updates(&self) -> usize {
        lock(&self.app.state).updates.len()
    }

    /// Commands set by `setMyCommands`.
    pub fn commands(&self) -> Vec<BotCommand> {
        lock(&self.app.state).commands.clone()
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn ok(result: Value) -> Response {
    reply(StatusCode::OK, json!({"ok": true, "result": result}))
}

fn error(code: u16, description: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    reply(
        status,
        json!({"ok": false, "error_code": code, "description": description}),
    )
}

fn too_many(retry_after: u64) -> Response {
    reply(
        StatusCode::TOO_MANY_REQUESTS,
        json!({"ok": false, "error_code": 429,
               "description": format!("Too Many Requests: retry after {retry_after}"),
               "parameters": {"retry_after": retry_after}}),
    )
}

async fn handle(
    State(app): State<App>,
    Path((bot, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    {
        let mut st = lock(&app.state);
        *st.requests.entry(method.clone()).or_default() += 1;
        if st.down {
            return (
                StatusCode::BAD_GATEWAY,
                "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>",
            )
                .into_response();
        }
        if st.fail_next > 0 {
            st.fail_next -= 1;
            return error(500, "Internal Server Error");
        }
        if bot.strip_prefix("bot") != Some(st.token.as_str()) {
            return error(401, "Unauthorized");
        }
    }
    let params: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return error(400, "Bad Request: can't parse JSON"),
        }
    };
    match method.as_str() {
        "getMe" => ok(
            json!({"id": 123456789, "is_bot": true, "first_name": "Fake", "username": "fake_bot"}),
        ),
        "sendMessage" => send_message(&app, params),
        "getUpdates" => get_updates(&app, params).await,
        "deleteWebhook" => {
            lock(&app.state).webhook = false;
            ok(json!(true))
        }
        "setMyCommands" => {
            match serde_json::from_value::<Vec<BotCommand>>(params["commands"].clone()) {
                Ok(cmds) => {
                    if cmds.iter().any(|c| c.validate().is_err()) {
                        return error(400, "Bad Request: BOT_COMMAND_INVALID");
                    }
                    lock(&app.state).commands = cmds;
                    ok(json!(true))
                }
                Err(_) => error(400, "Bad Request: can't parse commands"),
            }
        }
        _ => error(404, "Not Found: method not found"),
    }
}

fn send_message(app: &App, params: Value) -> Response {
    let req: SendMessage = match serde_json::from_value(params) {
        Ok(r) => r,
        Err(e) => return error(400, &format!("Bad Request: {e}")),
    };
    let mut st = lock(&app.state);
    if let Some(secs) = st.flood_next.pop() {
        return too_many(secs);
    }
    let chat = req.chat_id.clone();
    if let Some(known) = &st.known_chats {
        if !known.contains(&chat) {
            return error(400, "Bad Request: chat not found");
        }
    }
    if let Some(to) = st.migrated.get(&chat).copied() {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"ok": false, "error_code": 400,
                   "description": "Bad Request: group chat was upgraded to a supergroup chat",
                   "parameters": {"migrate_to_chat_id": to}}),
        );
    }
    if st.blocked.contains(&chat) {
        return error(403, "Forbidden: bot was blocked by the user");
    }
    let plain = match req.parse_mode {
        ParseMode::Html => html::to_plain(&req.text),
        ParseMode::MarkdownV2 => markdown_v2::to_plain(&req.text),
        _ => Ok(req.text.clone()),
    };
    let plain = match plain {
        Ok(p) => p,
        Err(e) => return error(400, &format!("Bad Request: {e}")),
    };
    if plain.trim().is_empty() {
        return error(400, "Bad Request: message text is empty");
    }
    if utf16_len(&plain) > MAX_MESSAGE_LEN {
        return error(400, "Bad Request: message is too long");
    }
    let now = Instant::now();
    if let Some(limits) = st.limits {
        let slack = st.slack;
        let jitter = st.jitter;
        let group = chat.is_group();
        let verdict = st
            .per_chat
            .entry(chat.clone())
            .or_default()
            .admit(
                now,
                limits.per_chat_interval,
                limits.per_chat_burst + slack,
                jitter,
            )
            .and_then(|()| {
                if group {
                    st.per_group.entry(chat.clone()).or_default().admit(
                        now,
                        limits.group_interval,
                        limits.group_burst + slack,
                        jitter,
                    )
                } else {
                    Ok(())
                }
            })
            .and_then(|()| {
                st.global.admit(
                    now,
                    limits.global_interval,
                    limits.global_burst + slack,
                    jitter,
                )
            });
        if let Err(wait) = verdict {
            st.rate_limited += 1;
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return too_many(secs.max(1));
        }
    }
    let message_id = st.next_message_id;
    st.next_message_id += 1;
    let chat_json = match &chat {
        ChatId::Id(id) => json!({"id": id, "type": if *id < 0 { "supergroup" } else { "private" }}),
        ChatId::Username(_) => json!({"id": -1001, "type": "channel"}),
    };
    st.sent.push(SentMessage {
        text: req.text.clone(),
        request: req,
        plain: plain.clone(),
        at: now,
    });
    ok(json!({"message_id": message_id, "chat": chat_json, "date": 0, "text": plain}))
}

async fn get_updates(app: &App, params: Value) -> Response {
    let offset = params["offset"].as_i64();
    let timeout = params["timeout"].as_u64().unwrap_or(0).min(50);
    let limit =
        usize::try_from(params["limit"].as_u64().unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let my_gen = {
        let mut st = lock(&app.state);
        if st.webhook {
            return error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        }
        if let Some(o) = offset {
            while st.updates.front().is_some_and(|u| u.update_id < o) {
                st.updates.pop_front();
            }
        }
        st.poll_generation += 1;
        st.poll_generation
    };
    // wake an older poll so that it can answer 409
    app.updates.notify_waiters();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = app.updates.notified();
        {
            let st = lock(&app.state);
            if st.poll_generation != my_gen {
                return error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
            }
            if !st.updates.is_empty() {
                let batch: Vec<&Update> = st.updates.iter().take(limit).collect();
                return ok(json!(batch));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}
