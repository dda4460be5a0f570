//! The `[whatsapp]` section of `noc.toml`, alert delivery over WhatsApp, and the core side of
//! the inbound webhook ([`Inbox`]).
//!
//! ```toml
//! [whatsapp]
//! phone_number_id = "106540352242922"  # Meta app -> WhatsApp -> API Setup
//! token_env = "WHATSAPP_TOKEN"         # the default; a permanent System User token
//! app_secret_env = "WHATSAPP_APP_SECRET" # the default; signs the webhook
//! verify_token = "a-long-random-string" # also typed into Meta's webhook form
//! template = "noc_alert"               # approved template with one parameter {{1}}
//! language = "id"                      # its language code; also the language of the
//!                                      # words noc adds around alerts ("Resolved:")
//! utc_offset = "+07:00"                # local time for quiet hours (default UTC)
//!
//! [[whatsapp.recipient]]
//! number = "+62 812 3456 7890"
//! role = "admin"                       # or "read-only" (default)
//! alerts = true                        # receives alerts (default)
//! quiet = "22:00-07:00"                # non-critical alerts are held back then
//!
//! # Unofficial alternative (alerts only, the number can be banned):
//! # [whatsapp.gateway]
//! # file = "/etc/noc/fonnte.toml"      # a wa-notify gateway file
//! ```
//!
//! The token and the app secret come from the environment (or, sealed, from the Settings
//! page: see [`super::whatsapp_settings`]), never from the file, and never appear in `Debug`
//! output or logs.
//!
//! WhatsApp has no silent messages. During a recipient's quiet hours non-critical alerts are
//! therefore held back (they are on the dashboard and in `/alerts`); critical ones are sent.
//! When the quiet hours end the recipient gets one line saying how many were held back. The
//! count is kept in memory: after a restart during quiet hours it starts from zero.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Deserialize;
use tg_notify::{Alert, Notifier, NotifierConfig, Priority};
use tokio::sync::mpsc;
use wa_notify::webhook::{self, InboundEvent, WebhookError};
use wa_notify::{CloudApi, CloudConfig, CloudTransport, PhoneNumber, TemplateConfig, Token};

use crate::alerts::engine::{Notice, NoticeKind};
use crate::alerts::rules::{parse_utc_offset, QuietHours, Severity};
use crate::auth::Role;
use crate::i18n::Lang;
use crate::storage::TgStore;
use crate::tr;
use crate::Error;

/// The outbox database's file name in the data dir.
pub const DB_FILE: &str = "whatsapp.db";

/// Webhook batches waiting for the chat channel; more are refused with 503 (Meta retries).
pub const INBOX_CAPACITY: usize = 256;

/// `[whatsapp]`.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WhatsAppConfig {
    /// The business phone number's id (not the number itself).
    #[serde(default)]
    pub phone_number_id: Option<String>,
    /// Environment variable holding the access token (default `WHATSAPP_TOKEN`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Environment variable holding the app secret (default `WHATSAPP_APP_SECRET`).
    #[serde(default)]
    pub app_secret_env: Option<String>,
    /// The webhook verify token (the string typed into Meta's webhook form).
    #[serde(default)]
    pub verify_token: Option<String>,
    /// Graph API base URL (default `https://graph.facebook.com`; a proxy or a test double).
    #[serde(default)]
    pub api_url: Option<String>,
    /// Approved template for alerts outside the 24-hour window.
    #[serde(default)]
    pub template: Option<String>,
    /// The template's language code (default `en_US`).
    #[serde(default)]
    pub language: Option<String>,
    /// Local time offset for quiet hours (`+07:00`).
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// Allowed numbers.
    #[serde(default, rename = "recipient")]
    pub recipients: Vec<RecipientConfig>,
    /// An unofficial HTTP gateway instead of the Cloud API.
    #[serde(default)]
    pub gateway: Option<GatewayRef>,
    #[serde(skip)]
    token: Option<String>,
    #[serde(skip)]
    app_secret: Option<String>,
}

impl std::fmt::Debug for WhatsAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("WhatsAppConfig")
            .field("phone_number_id", &self.phone_number_id)
            .field("token", &redacted(&self.token))
            .field("app_secret", &redacted(&self.app_secret))
            .field("verify_token", &redacted(&self.verify_token))
            .field("api_url", &self.api_url)
            .field("template", &self.template)
            .field("recipients", &self.recipients)
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

/// `[[whatsapp.recipient]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecipientConfig {
    /// The number, international (`+62 812 ...`).
    pub number: String,
    /// `admin` or `read-only` (default).
    #[serde(default)]
    pub role: Option<String>,
    /// Whether it receives alerts (default true).
    #[serde(default = "yes")]
    pub alerts: bool,
    /// Quiet hours: non-critical alerts are held back.
    #[serde(default)]
    pub quiet: Option<QuietHours>,
}

fn yes() -> bool {
    true
}

/// `[whatsapp.gateway]`: an unofficial HTTP gateway described by a wa-notify gateway file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GatewayRef {
    /// Path of the gateway TOML file.
    pub file: PathBuf,
}

fn role(s: &Option<String>) -> Result<Role, Error> {
    match s {
        None => Ok(Role::ReadOnly),
        Some(r) => r.parse(),
    }
}

fn env_secret(var: Option<&str>, default: &str) -> Option<String> {
    std::env::var(var.unwrap_or(default))
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl WhatsAppConfig {
    /// A Cloud API config with the secrets given here (not read from the environment).
    pub fn with_secrets(
        phone_number_id: impl Into<String>,
        token: impl Into<String>,
        app_secret: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> WhatsAppConfig {
        WhatsAppConfig {
            phone_number_id: Some(phone_number_id.into()),
            token: Some(token.into()),
            app_secret: Some(app_secret.into()),
            verify_token: Some(verify_token.into()),
            ..WhatsAppConfig::default()
        }
    }

    /// Adds a recipient (it receives alerts).
    pub fn recipient(&mut self, number: &str, role: Role) -> &mut Self {
        self.recipients.push(RecipientConfig {
            number: number.to_owned(),
            role: Some(role.as_str().to_owned()),
            alerts: true,
            quiet: None,
        });
        self
    }

    /// Sets the Graph API base URL.
    pub fn api_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.api_url = Some(url.into());
        self
    }

    /// Sets the alert template.
    pub fn template(&mut self, name: impl Into<String>, language: impl Into<String>) -> &mut Self {
        self.template = Some(name.into());
        self.language = Some(language.into());
        self
    }

    /// Uses these secrets instead of the environment's (each only when `Some`).
    pub fn set_secrets(&mut self, token: Option<String>, app_secret: Option<String>) {
        if token.is_some() {
            self.token = token;
        }
        if app_secret.is_some() {
            self.app_secret = app_secret;
        }
    }

    /// The access token (set in code, or from `token_env`).
    pub fn resolve_token(&self) -> Option<String> {
        self.token
            .clone()
            .or_else(|| env_secret(self.token_env.as_deref(), "WHATSAPP_TOKEN"))
    }

    /// The app secret (set in code, or from `app_secret_env`).
    pub fn resolve_app_secret(&self) -> Option<String> {
        self.app_secret
            .clone()
            .or_else(|| env_secret(self.app_secret_env.as_deref(), "WHATSAPP_APP_SECRET"))
    }

    /// Local time offset in minutes.
    pub fn offset_minutes(&self) -> i32 {
        self.utc_offset
            .as_deref()
            .and_then(|s| parse_utc_offset(s).ok())
            .unwrap_or(0)
    }

    /// Checks numbers, roles, the offset and that Cloud API settings are complete.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(o) = &self.utc_offset {
            parse_utc_offset(o).map_err(|e| Error::Config(format!("whatsapp.utc_offset: {e}")))?;
        }
        if self.gateway.is_none() && self.phone_number_id.as_deref().is_none_or(str::is_empty) {
            return Err(Error::Config(
                "whatsapp: phone_number_id is required (or [whatsapp.gateway])".into(),
            ));
        }
        if let Some(id) = &self.phone_number_id {
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Config(
                    "whatsapp.phone_number_id is the numeric id from Meta's API Setup page".into(),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.recipients {
            let n: PhoneNumber = r
                .number
                .parse()
                .map_err(|e| Error::Config(format!("whatsapp recipient {:?}: {e}", r.number)))?;
            role(&r.role)
                .map_err(|e| Error::Config(format!("whatsapp recipient {:?}: {e}", r.number)))?;
            if !seen.insert(n.as_str().to_owned()) {
                return Err(Error::Config(format!(
                    "whatsapp recipient {:?} is listed twice",
                    r.number
                )));
            }
        }
        Ok(())
    }

    fn find(&self, number: &PhoneNumber) -> Option<&RecipientConfig> {
        self.recipients.iter().find(|r| {
            r.number
                .parse::<PhoneNumber>()
                .is_ok_and(|n| n.as_str() == number.as_str())
        })
    }

    /// The role of `number`; `None` for strangers.
    pub fn role_of(&self, number: &PhoneNumber) -> Option<Role> {
        self.find(number).and_then(|r| role(&r.role).ok())
    }

    /// Numbers receiving alerts.
    pub fn alert_numbers(&self) -> Vec<PhoneNumber> {
        self.recipients
            .iter()
            .filter(|r| r.alerts)
            .filter_map(|r| r.number.parse().ok())
            .collect()
    }

    /// Whether `number` is in its quiet hours at `now`.
    pub fn is_quiet(&self, number: &PhoneNumber, now: i64) -> bool {
        let offset = self.offset_minutes();
        self.find(number)
            .and_then(|r| r.quiet)
            .is_some_and(|q| q.contains_at(now, offset))
    }

    /// The language of the words noc adds around WhatsApp alerts: the template's
    /// `language` when it is one noc speaks (`id`, `id_ID`, `en_US`); `None` otherwise.
    pub fn chat_language(&self) -> Option<Lang> {
        self.language.as_deref().and_then(Lang::parse)
    }

    /// The Cloud API transport settings: the template, if any.
    pub fn cloud_config(&self) -> CloudConfig {
        let mut c = CloudConfig::default();
        if let Some(t) = self.template.as_ref().filter(|t| !t.is_empty()) {
            c.template(TemplateConfig::new(
                t.clone(),
                self.language.clone().unwrap_or_else(|| "en_US".into()),
            ));
        }
        c
    }
}

/// The WhatsApp text of a notice in English; see [`render_markup_in`].
pub fn render_markup(n: &Notice) -> String {
    render_markup_in(n, Lang::En)
}

/// The WhatsApp text of a notice: `*bold*` title, the detail, `_rule · severity_`, the
/// words noc adds (`Resolved:`, the severity) in `lang`; router text is escaped so that it
/// cannot format the message.
pub fn render_markup_in(n: &Notice, lang: Lang) -> String {
    let icon = match (n.kind, n.severity) {
        (NoticeKind::Resolved, _) => "✅",
        (_, Severity::Critical) => "🔴",
        (_, Severity::Warning) => "🟠",
        _ => "🔵",
    };
    let mut m = wa_notify::Markup::new();
    m.raw(icon).raw(" ");
    if n.kind == NoticeKind::Resolved {
        m.bold(&tr!(lang, "chat-alert-resolved"))
            .raw(" ")
            .text(&n.title);
    } else {
        m.bold(&n.title);
    }
    if !n.detail.is_empty() {
        m.line().text(&n.detail);
    }
    let severity = match n.severity {
        Severity::Critical => tr!(lang, "chat-severity-critical"),
        Severity::Warning => tr!(lang, "chat-severity-warning"),
        _ => tr!(lang, "chat-severity-info"),
    };
    m.line().italic(&format!("{} · {severity}", n.rule));
    m.build()
}

/// Where verified webhook batches go: set when the WhatsApp chat channel starts, read by the
/// web endpoint. Cheap to clone; clones share the endpoint.
#[derive(Clone, Default)]
pub struct Inbox {
    endpoint: Arc<RwLock<Option<Arc<Endpoint>>>>,
    opened: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("open", &self.endpoint().is_some())
            .finish()
    }
}

/// The configured webhook: its secrets and the queue to the chat channel.
pub struct Endpoint {
    generation: u64,
    verify_token: String,
    app_secret: Vec<u8>,
    tx: mpsc::Sender<Vec<InboundEvent>>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").finish_non_exhaustive()
    }
}

/// Why a webhook `POST` was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// A failed check (signature, size, shape); see [`WebhookError::http_status`].
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The chat channel is busy or stopped: Meta should deliver again later.
    #[error("the WhatsApp channel is busy")]
    Busy,
}

impl InboxError {
    /// The HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            InboxError::Webhook(e) => e.http_status(),
            InboxError::Busy => 503,
        }
    }
}

impl Inbox {
    /// Opens (or replaces) the endpoint and returns the receiving end of its queue and the
    /// endpoint's generation (for [`close`](Self::close)).
    pub fn open(
        &self,
        verify_token: &str,
        app_secret: &str,
    ) -> (mpsc::Receiver<Vec<InboundEvent>>, u64) {
        let (tx, rx) = mpsc::channel(INBOX_CAPACITY);
        let generation = self
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .wrapping_add(1);
        let ep = Endpoint {
            generation,
            verify_token: verify_token.to_owned(),
            app_secret: app_secret.as_bytes().to_vec(),
            tx,
        };
        *self.endpoint.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(ep));
        (rx, generation)
    }

    /// Closes the endpoint of `generation` (the web answers 404 again); a newer endpoint
    /// stays open.
    pub fn close(&self, generation: u64) {
        let mut ep = self.endpoint.write().unwrap_or_else(|p| p.into_inner());
        if ep.as_ref().is_some_and(|e| e.generation == generation) {
            *ep = None;
        }
    }

    /// The endpoint, when the WhatsApp channel runs.
    pub fn endpoint(&self) -> Option<Arc<Endpoint>> {
        self.endpoint
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Endpoint {
    /// The `GET` subscription check; the challenge to echo.
    pub fn verify_subscription<'a>(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&'a str>,
    ) -> Result<&'a str, WebhookError> {
        webhook::verify_subscription(mode, token, challenge, &self.verify_token)
    }

    /// A `POST`: the signature is checked over the raw body before anything parses it, then
    /// the events are queued for the chat channel. Returns how many events were queued.
    pub fn accept(&self, signature: Option<&str>, raw_body: &[u8]) -> Result<usize, InboxError> {
        if raw_body.len() > webhook::MAX_WEBHOOK_BODY {
            return Err(WebhookError::TooLarge {
                len: raw_body.len(),
                max: webhook::MAX_WEBHOOK_BODY,
            }
            .into());
        }
        webhook::verify_signature(&self.app_secret, raw_body, signature)?;
        let events = webhook::parse_webhook(raw_body)?;
        let n = events.len();
        if n > 0 {
            self.tx.try_send(events).map_err(|_| InboxError::Busy)?;
        }
        Ok(n)
    }
}

/// Alert delivery over WhatsApp: the persistent outbox (`whatsapp.db`), the Cloud API
/// transport's 24-hour windows (persisted in the same file), and the quiet-hour counts.
pub struct WhatsApp {
    notifier: Notifier,
    cloud: Option<CloudTransport>,
    store: TgStore,
    cfg: WhatsAppConfig,
    held: Mutex<HashMap<String, u32>>,
}

impl std::fmt::Debug for WhatsApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsApp")
            .field("official", &self.cloud.is_some())
            .finish_non_exhaustive()
    }
}

const WINDOW_PREFIX: &str = "wa_inbound:";

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WhatsApp {
    /// Starts the outbox when `cfg` has what it needs (a token, or a gateway file); `None`
    /// otherwise. `notifier` is the pacing; `None` takes WhatsApp's (one message per 6 s per
    /// number) or the gateway file's.
    pub fn start(
        cfg: &WhatsAppConfig,
        data_dir: &std::path::Path,
        notifier: Option<NotifierConfig>,
    ) -> Result<Option<WhatsApp>, Error> {
        cfg.validate()?;
        let store = TgStore::open_file(data_dir, DB_FILE)?;
        if let Some(g) = &cfg.gateway {
            let gw = wa_notify::GatewayConfig::load(&g.file)
                .map_err(|e| Error::Config(format!("whatsapp.gateway: {e}")))?;
            let ncfg = notifier.unwrap_or_else(|| gw.notifier_config());
            let transport = wa_notify::GatewayTransport::new(gw);
            let n = Notifier::with_transport(transport, store.clone(), ncfg)
                .map_err(|e| Error::Config(format!("whatsapp queue: {e}")))?;
            tracing::warn!(
                "WhatsApp alerts go through an unofficial gateway: the number can be banned"
            );
            return Ok(Some(WhatsApp {
                notifier: n,
                cloud: None,
                store,
                cfg: cfg.clone(),
                held: Mutex::default(),
            }));
        }
        let Some(token) = cfg.resolve_token() else {
            tracing::info!(
                "[whatsapp] is configured but WHATSAPP_TOKEN is not set: WhatsApp is off"
            );
            return Ok(None);
        };
        let mut b = CloudApi::builder(
            Token::new(token),
            cfg.phone_number_id.clone().unwrap_or_default(),
        );
        if let Some(u) = &cfg.api_url {
            b.base_url(u.clone());
        }
        let transport = CloudTransport::new(b.build(), cfg.cloud_config());
        let windows = transport.windows();
        let saved = store.meta_prefixed(WINDOW_PREFIX)?;
        windows.restore(saved.into_iter().filter_map(|(k, t)| {
            let n = k.strip_prefix(WINDOW_PREFIX)?.parse().ok()?;
            Some((n, u64::try_from(t).ok()?))
        }));
        let ncfg = notifier.unwrap_or_else(wa_notify::notifier_config);
        let n = Notifier::with_transport(transport.clone(), store.clone(), ncfg)
            .map_err(|e| Error::Config(format!("whatsapp queue: {e}")))?;
        Ok(Some(WhatsApp {
            notifier: n,
            cloud: Some(transport),
            store,
            cfg: cfg.clone(),
            held: Mutex::default(),
        }))
    }

    /// The outbox.
    pub fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// The settings.
    pub fn config(&self) -> &WhatsAppConfig {
        &self.cfg
    }

    /// Whether this is the official Cloud API (webhook and commands available).
    pub fn is_official(&self) -> bool {
        self.cloud.is_some()
    }

    /// The 24-hour window state, when the Cloud API is used.
    pub fn windows(&self) -> Option<wa_notify::Windows> {
        self.cloud.as_ref().map(CloudTransport::windows)
    }

    /// Learns from a webhook event: an inbound message opens its sender's window (saved in
    /// `whatsapp.db` for allowed numbers); an asynchronous 131047 closes the recipient's window and queues the message
    /// again, to go out as the template.
    pub fn observe(&self, event: &InboundEvent) {
        let Some(cloud) = &self.cloud else {
            return;
        };
        if let InboundEvent::Message(m) = event {
            // saved for allowed numbers only, so that strangers cannot grow the file
            if let Some(n) = m
                .from
                .parse::<PhoneNumber>()
                .ok()
                .filter(|n| self.cfg.role_of(n).is_some())
            {
                let t = i64::try_from(m.timestamp).unwrap_or(0);
                if let Err(e) = self
                    .store
                    .meta_max(&format!("{WINDOW_PREFIX}{}", n.as_str()), t)
                {
                    tracing::warn!(error = %e, "cannot save a WhatsApp window");
                }
            }
        }
        if let Some(again) = cloud.observe(event) {
            if let Err(e) = self.notifier.enqueue(again) {
                tracing::warn!(error = %e, "cannot queue a WhatsApp message again");
            }
        }
    }

    /// Queues a reply (already WhatsApp markup, under the size limit) to `to`.
    pub fn reply(&self, to: &PhoneNumber, text: String) {
        let mut a = Alert::new(to, text);
        a.priority(Priority::High);
        if let Err(e) = self.notifier.enqueue(a) {
            tracing::warn!(error = %e, "cannot queue a WhatsApp reply");
        }
    }

    /// The language of the words noc adds around alerts: the template's language when it is
    /// one noc speaks (`language = "id"`), else English.
    pub fn framing_language(&self) -> Lang {
        self.cfg.chat_language().unwrap_or_default()
    }

    /// Queues `n` for every alert number (quiet hours hold non-critical ones back).
    pub fn deliver(&self, n: &Notice, now: i64) {
        let text = render_markup_in(n, self.framing_language());
        for number in self.cfg.alert_numbers() {
            if n.severity != Severity::Critical && self.cfg.is_quiet(&number, now) {
                *lock(&self.held)
                    .entry(number.as_str().to_owned())
                    .or_insert(0) += 1;
                continue;
            }
            let mut a = Alert::new(&number, text.clone());
            a.key(n.key.clone()).priority(match n.severity {
                Severity::Critical => Priority::Critical,
                Severity::Warning => Priority::High,
                _ => Priority::Low,
            });
            match n.kind {
                NoticeKind::Firing => {
                    a.state(tg_notify::AlertState::Firing);
                }
                NoticeKind::Resolved => {
                    a.state(tg_notify::AlertState::Resolved);
                }
                NoticeKind::Event => {}
            }
            if let Err(e) = self.notifier.enqueue(a) {
                tracing::error!(error = %e, "could not queue a WhatsApp alert");
            }
        }
    }

    /// Called every second: numbers whose quiet hours ended get one line about the alerts
    /// held back.
    pub fn tick(&self, now: i64) {
        let mut held = lock(&self.held);
        let ended: Vec<String> = held
            .keys()
            .filter(|k| {
                k.parse::<PhoneNumber>()
                    .is_ok_and(|n| !self.cfg.is_quiet(&n, now))
            })
            .cloned()
            .collect();
        for k in ended {
            let Some(count) = held.remove(&k) else {
                continue;
            };
            let Ok(number) = k.parse::<PhoneNumber>() else {
                continue;
            };
            let lang = self.framing_language();
            let mut m = wa_notify::Markup::new();
            m.raw("🌅 ")
                .bold(&tr!(lang, "chat-alert-quiet-over"))
                .raw(": ")
                .text(&tr!(
                    lang,
                    "chat-alert-held-back",
                    count = lang.integer(i64::from(count))
                ));
            let a = Alert::new(&number, m.build());
            if let Err(e) = self.notifier.enqueue(a) {
                tracing::warn!(error = %e, "could not queue the quiet-hours summary");
            }
        }
    }

    /// Stops the outbox; queued messages stay in `whatsapp.db`.
    pub async fn shutdown(&self) {
        self.notifier.clone().shutdown().await;
    }
}

/// How long a message id is remembered by the channel's deduplication (Meta redelivers for
/// up to 7 days).
pub const DEDUP_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

#[cfg(test)]
#[path = "whatsapp_tests.rs"]
mod tests;
