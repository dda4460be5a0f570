//! Alerts (core): rules from `noc.toml` ([`rules`]) evaluated by a sans-io
//! [`engine`] against what the pollers see, the DHCP leases and address lists, and the log
//! each router streams (`/log/print =follow-only=`).
//!
//! Every alert is stored in the dashboard's alert feed ([`crate::storage::Store::fire_alert`]),
//! written to the log, and — with a Telegram token — sent through tg-notify's persistent,
//! paced, coalescing queue ([`crate::storage::TgStore`]), so nothing is lost while Telegram or
//! the uplink is down and a flapping router becomes one summary instead of a flood. Info alerts
//! always arrive without sound, and chats in their quiet hours get warnings without sound too;
//! Layer 7 starts and new devices reach chat as one digest per rule and router every
//! `digest` (10 minutes unless the rule says otherwise), while the feed records each event; `/mute RULE 1h` holds a rule's
//! Telegram messages back (they still reach the dashboard). Answering chat commands is the
//! chat front-end's job ([`crate::chat::telegram::start`]); this module only sends.
//!
//! With `[whatsapp]` ([`whatsapp`]) alerts also go to WhatsApp numbers through a second
//! outbox of the same kind (`whatsapp.db`), rendered as WhatsApp markup; settings saved on
//! the dashboard's Settings page ([`whatsapp_settings`]) replace the file's and restart that
//! outbox without restarting noc; a rule's
//! `channels` picks Telegram, WhatsApp or both (the default).
//!
//! ```no_run
//! # async fn demo() -> Result<(), noc::Error> {
//! let dir = std::path::Path::new("/var/lib/noc");
//! let app = noc::Noc::start(noc::Options::new(dir)).await?;
//! let mut options = noc::alerts::MonitorOptions::new(dir);
//! options.rules(noc::alerts::rules::default_rules());
//! let monitor = noc::alerts::Monitor::start(app.state().clone(), options).await?;
//! // ...
//! monitor.shutdown().await;
//! # Ok(()) }
//! ```

mod billing;
pub mod book;
pub mod engine;
pub mod rules;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use routeros_proto::{Attributes, Command};
use tg_notify::{AlertState, Notifier, NotifierConfig, ParseMode, Priority};
use tokio::task::JoinHandle;

use crate::routers::{Hub, RouterHandle};
use crate::storage::{Store, TgStore};
use crate::Error;

pub use billing::BillingChannels;
pub use telegram::TelegramConfig;
pub use whatsapp::{WhatsApp, WhatsAppConfig};
pub use whatsapp_settings::WhatsAppControl;

pub mod telegram;
pub mod whatsapp;
pub mod whatsapp_settings;

/// What the monitor needs from the application: the store, the routers and the rule book
/// (`From<Arc<AppState>>`, so `Monitor::start(app.state().clone(), ...)` works).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Services {
    /// The database (alerts, saved rules).
    pub store: Arc<Store>,
    /// The routers.
    pub hub: Arc<Hub>,
    /// The file rules and the change signal.
    pub rules: Arc<rules::RuleBook>,
    /// The WhatsApp settings in force and the running delivery.
    pub whatsapp: WhatsAppControl,
    /// The network health checks whose alerts the monitor delivers.
    pub health: Option<Arc<crate::health::Health>>,
    /// The language alerts are written in (noc's default).
    pub language: crate::i18n::Lang,
}

pub use engine::{Delivery, Engine, Lease, ListEntry, Notice, NoticeKind};
pub use rules::{RuleConfig, RuleKind, Severity, Span};

/// How to start the monitor.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MonitorOptions {
    data_dir: PathBuf,
    rules: Vec<RuleConfig>,
    built_in: bool,
    telegram: Option<TelegramConfig>,
    whatsapp: Option<WhatsAppConfig>,
    whatsapp_notifier: Option<NotifierConfig>,
    scan_interval: Duration,
    notifier: NotifierConfig,
    sales_summary: Option<(u32, i32)>,
}

impl MonitorOptions {
    /// Defaults: the [`rules::default_rules`], no Telegram, leases and address lists scanned
    /// every second, tg-notify's default pacing and a 60 s coalescing window.
    pub fn new(data_dir: impl AsRef<Path>) -> MonitorOptions {
        MonitorOptions {
            data_dir: data_dir.as_ref().to_owned(),
            rules: rules::default_rules(),
            built_in: true,
            telegram: None,
            whatsapp: None,
            whatsapp_notifier: None,
            scan_interval: Duration::from_secs(1),
            notifier: NotifierConfig::default(),
            sales_summary: None,
        }
    }

    /// The rules (an empty list keeps the defaults).
    pub fn rules(&mut self, rules: Vec<RuleConfig>) -> &mut Self {
        if !rules.is_empty() {
            self.rules = rules;
            self.built_in = false;
        }
        self
    }

    /// Telegram settings (token, chats, users).
    pub fn telegram(&mut self, t: TelegramConfig) -> &mut Self {
        self.telegram = Some(t);
        self
    }

    /// WhatsApp settings (Cloud API or gateway, recipients).
    pub fn whatsapp(&mut self, w: WhatsAppConfig) -> &mut Self {
        self.whatsapp = Some(w);
        self
    }

    /// Pacing of the WhatsApp outbox (default [`wa_notify::notifier_config`]: one message per
    /// 6 s per number).
    pub fn whatsapp_notifier_config(&mut self, c: NotifierConfig) -> &mut Self {
        self.whatsapp_notifier = Some(c);
        self
    }

    /// How often DHCP leases and address lists are read (the poll interval).
    pub fn scan_interval(&mut self, every: Duration) -> &mut Self {
        self.scan_interval = every.max(Duration::from_millis(100));
        self
    }

    /// Send the day's hotspot sales to the alert chats every day at this local time (minutes
    /// after midnight, UTC offset in minutes), as `[hotspot] daily_summary` says.
    pub fn sales_summary(&mut self, at: Option<(u32, i32)>) -> &mut Self {
        self.sales_summary = at;
        self
    }

    /// tg-notify settings (pacing, coalescing window, backoff).
    pub fn notifier_config(&mut self, c: NotifierConfig) -> &mut Self {
        self.notifier = c;
        self
    }
}

/// Alerts kept in memory while the database refuses them, retried every second; beyond
/// this many the oldest are dropped (and counted).
pub const MAX_UNSTORED: usize = 10_000;

#[derive(Default)]
struct Unstored {
    queue: std::collections::VecDeque<(Notice, i64)>,
    dropped: u64,
}

struct Shared {
    unstored: Mutex<Unstored>,
    state: Services,
    engine: Mutex<Engine>,
    notifier: Option<Notifier>,
    telegram: TelegramConfig,
    tg: TgStore,
}

/// A running monitor.
pub struct Monitor {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    side: Arc<Mutex<HashMap<i64, JoinHandle<()>>>>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("telegram", &self.shared.notifier.is_some())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Monitor {
    /// Validates the rules, opens `telegram.db`, starts the notifier when a token
    /// is configured, and starts watching every router of the hub.
    pub async fn start(
        services: impl Into<Services>,
        options: MonitorOptions,
    ) -> Result<Monitor, Error> {
        let state = services.into();
        rules::validate(&options.rules)?;
        if options.built_in {
            state.rules.set_built_in_rules(options.rules.clone());
        } else {
            state.rules.set_file_rules(options.rules.clone());
        }
        let active = active_rules(&state);
        let telegram = options.telegram.clone().unwrap_or_default();
        telegram.validate()?;
        std::fs::create_dir_all(&options.data_dir)?;
        let tg = TgStore::open(&options.data_dir)?;
        let token = options
            .telegram
            .as_ref()
            .and_then(TelegramConfig::resolve_token);
        let api = token.map(|t| {
            let b = tg_notify::Bot::new(t);
            match &telegram.api_url {
                Some(u) => b.with_api_url(u.clone()),
                None => b,
            }
        });
        if api.is_some()
            && telegram.alert_chats().is_empty()
            && options.rules.iter().all(|r| r.chats.is_empty())
        {
            tracing::warn!(
                "a Telegram token is set but no chat takes alerts: add [[telegram.chat]]"
            );
        }
        let notifier = match &api {
            Some(b) => Some(
                Notifier::start(b.clone(), tg.clone(), options.notifier.clone())
                    .map_err(|e| Error::Config(format!("telegram queue: {e}")))?,
            ),
            None => {
                tracing::info!("no Telegram token: alerts go to the dashboard and the log");
                None
            }
        };
        let control = state.whatsapp.clone();
        control.set_file(options.whatsapp.clone());
        let whatsapp = start_whatsapp(
            &control,
            &options.data_dir,
            options.whatsapp_notifier.clone(),
            true,
        )?;
        control.set_running(whatsapp);
        let shared = Arc::new(Shared {
            unstored: Mutex::default(),
            engine: Mutex::new(Engine::with_language(&active, state.language)),
            state,
            notifier,
            telegram: telegram.clone(),
            tg: tg.clone(),
        });
        let side: Arc<Mutex<HashMap<i64, JoinHandle<()>>>> = Arc::default();
        let mut tasks = vec![
            tokio::spawn(reload(shared.clone())),
            tokio::spawn(whatsapp_reload(
                control,
                options.data_dir.clone(),
                options.whatsapp_notifier.clone(),
            )),
        ];
        tasks.push(tokio::spawn(watch(
            shared.clone(),
            side.clone(),
            options.scan_interval,
        )));
        if let Some((minute, offset)) = options.sales_summary {
            tasks.push(tokio::spawn(daily_sales(shared.clone(), minute, offset)));
        }
        Ok(Monitor {
            shared,
            tasks,
            side,
        })
    }

    /// Ties a task to the monitor's life (a chat channel answering commands): it is stopped
    /// with the monitor.
    pub fn attach(&mut self, task: JoinHandle<()>) {
        self.tasks.push(task);
    }

    /// The Telegram queue, when a token is configured.
    pub fn notifier(&self) -> Option<&Notifier> {
        self.shared.notifier.as_ref()
    }

    /// WhatsApp delivery, when configured.
    pub fn whatsapp(&self) -> Option<Arc<WhatsApp>> {
        self.shared.state.whatsapp.running()
    }

    /// The Telegram database (queue, offset, mutes).
    pub fn tg_store(&self) -> &TgStore {
        &self.shared.tg
    }

    /// The names of the rules (what `/mute` accepts).
    pub fn rule_names(&self) -> Vec<String> {
        lock(&self.shared.engine)
            .rules()
            .map(|r| r.name.clone())
            .collect()
    }

    /// Sends the hotspot sales of `date` (`YYYY-MM-DD`, the routers' dates) to the alert
    /// chats and the alert feed, as the daily summary does; returns the text.
    pub fn send_sales_summary(&self, date: &str) -> String {
        self.shared.sales_summary(date)
    }

    /// Keys of the conditions firing now.
    pub fn firing(&self) -> Vec<String> {
        lock(&self.shared.engine).firing()
    }

    /// Stops watching; messages not yet accepted by Telegram stay queued in `telegram.db`
    /// for the next start.
    pub async fn shutdown(self) {
        for t in &self.tasks {
            t.abort();
        }
        for (_, t) in lock(&self.side).drain() {
            t.abort();
        }
        if let Some(n) = self.shared.notifier.clone() {
            n.shutdown().await;
        }
        if let Some(w) = self.shared.state.whatsapp.take_running() {
            w.shutdown().await;
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for (_, t) in lock(&self.side).drain() {
            t.abort();
        }
    }
}

/// Starts WhatsApp delivery with the settings in force (`None`: off). At noc's start
/// (`strict`) a wrong `[whatsapp]` in `noc.toml` is an error, as before; settings saved on
/// the page that do not work leave WhatsApp off with a warning.
fn start_whatsapp(
    control: &WhatsAppControl,
    data_dir: &Path,
    notifier: Option<NotifierConfig>,
    strict: bool,
) -> Result<Option<Arc<WhatsApp>>, Error> {
    let saved = control.saved()?.is_some();
    let started = control.effective().and_then(|cfg| match cfg {
        Some(cfg) => WhatsApp::start(&cfg, data_dir, notifier),
        None => Ok(None),
    });
    match started {
        Ok(w) => Ok(w.map(Arc::new)),
        Err(e) if saved || !strict => {
            tracing::warn!("WhatsApp is off: {e}");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Restarts WhatsApp delivery whenever its settings are saved: the old outbox stops (what it
/// had queued stays in `whatsapp.db`) before the new one starts on the same file.
async fn whatsapp_reload(
    control: WhatsAppControl,
    data_dir: PathBuf,
    notifier: Option<NotifierConfig>,
) {
    let mut changes = control.subscribe_changes();
    changes.mark_unchanged();
    while changes.changed().await.is_ok() {
        if let Some(old) = control.take_running() {
            old.shutdown().await;
        }
        let new = start_whatsapp(&control, &data_dir, notifier.clone(), false).unwrap_or(None);
        tracing::info!(
            running = new.is_some(),
            "WhatsApp settings changed: delivery restarted"
        );
        control.set_running(new);
    }
}

/// The rules to evaluate: the file rules merged with those saved in the dashboard (see
/// [`rules::merge`]); when the merged set does not validate (a database edited by hand), the
/// file rules alone.
fn active_rules(state: &Services) -> Vec<RuleConfig> {
    let file = state.rules.file_rules();
    let saved = match rules::saved_rules(&state.store) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the saved alert rules");
            Vec::new()
        }
    };
    let merged = rules::effective(&file, &saved);
    match rules::validate(&merged) {
        Ok(()) => merged,
        Err(e) => {
            tracing::warn!(error = %e, "saved alert rules ignored");
            file
        }
    }
}

/// Re-reads the rule set whenever the dashboard saves a rule; alerts of removed or changed
/// rules are closed.
async fn reload(shared: Arc<Shared>) {
    let mut rx = shared.state.rules.subscribe();
    while rx.changed().await.is_ok() {
        let active = active_rules(&shared.state);
        let gone = lock(&shared.engine).set_rules(&active);
        tracing::info!(rules = active.len(), "alert rules reloaded");
        let now = crate::now();
        for k in gone {
            if let Err(e) = shared.state.store.resolve_alert(&k, now) {
                tracing::warn!(key = %crate::fmt::log_safe(&k), error = %e, "could not close an alert of a changed rule");
            }
        }
    }
}

fn icon(n: &Notice) -> &'static str {
    match (n.kind, n.severity) {
        (NoticeKind::Resolved, _) => "✅",
        (_, Severity::Critical) => "🔴",
        (_, Severity::Warning) => "🟠",
        _ => "🔵",
    }
}

/// The Telegram HTML text of a notice, framed in English (everything router-supplied is
/// escaped).
pub fn render_html(n: &Notice) -> String {
    render_html_in(crate::i18n::Lang::En, n)
}

/// The Telegram HTML text of a notice, its framing ("Resolved:", the severity) in `lang`; the
/// title and detail are written once, in noc's default language, by the engine.
pub fn render_html_in(lang: crate::i18n::Lang, n: &Notice) -> String {
    let esc = tg_notify::html::escape;
    let mut s = format!("{} ", icon(n));
    if n.kind == NoticeKind::Resolved {
        s.push_str(&format!(
            "<b>{}</b> ",
            esc(&crate::tr!(lang, "chat-alert-resolved"))
        ));
        s.push_str(&esc(&n.title));
    } else {
        s.push_str("<b>");
        s.push_str(&esc(&n.title));
        s.push_str("</b>");
    }
    if !n.detail.is_empty() {
        s.push('\n');
        s.push_str(&esc(&n.detail));
    }
    let severity = match n.severity {
        Severity::Critical => crate::tr!(lang, "chat-severity-critical"),
        Severity::Warning => crate::tr!(lang, "chat-severity-warning"),
        _ => crate::tr!(lang, "chat-severity-info"),
    };
    s.push_str(&format!("\n<i>{} · {}</i>", esc(&n.rule), esc(&severity)));
    s
}

/// Waits for `minute` (after local midnight, at `offset` minutes from UTC) each day and sends
/// that day's sales summary.
async fn daily_sales(shared: Arc<Shared>, minute: u32, offset: i32) {
    loop {
        let local = crate::now() + i64::from(offset) * 60;
        let today = local.div_euclid(86_400) * 86_400;
        let mut at = today + i64::from(minute) * 60;
        if at <= local {
            at += 86_400;
        }
        tokio::time::sleep(Duration::from_secs(u64::try_from(at - local).unwrap_or(60))).await;
        let date = crate::fmt::time(at)[..10].to_owned();
        shared.sales_summary(&date);
    }
}

impl Shared {
    fn sales_summary(&self, date: &str) -> String {
        let lang = self.state.language;
        let mut lines = Vec::new();
        let (mut count, mut total) = (0u64, 0u64);
        for r in self.state.hub.routers() {
            match self.state.store.sales_totals(Some(r.id), date, date) {
                Ok(t) if t.count > 0 => {
                    count += t.count;
                    total += t.total;
                    lines.push(crate::tr!(
                        lang,
                        "alert-sales-router",
                        router = crate::fmt::router_text(&r.name),
                        count = lang.integer(i64::try_from(t.count).unwrap_or(i64::MAX)),
                        total = lang.integer(i64::try_from(t.total).unwrap_or(i64::MAX)),
                    ));
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("sales summary: {e}"),
            }
        }
        let title = crate::tr!(
            lang,
            "alert-sales-summary",
            date = date,
            count = lang.integer(i64::try_from(count).unwrap_or(i64::MAX)),
            total = lang.integer(i64::try_from(total).unwrap_or(i64::MAX)),
        );
        let notice = Notice {
            key: format!("sales-summary:{date}"),
            rule: "sales-summary".into(),
            router_id: None,
            router: String::new(),
            severity: Severity::Info,
            title: title.clone(),
            detail: lines.join("\n"),
            kind: NoticeKind::Event,
            chats: Vec::new(),
            delivery: Delivery::Everywhere,
        };
        self.deliver(vec![notice], crate::now());
        title
    }

    fn store(&self, n: &Notice, now: i64) -> Result<(), Error> {
        let store = &self.state.store;
        match n.kind {
            NoticeKind::Resolved => store.resolve_alert(&n.key, now).map(|_| ()),
            _ => store
                .fire_alert(
                    &n.key,
                    n.router_id,
                    n.severity.as_str(),
                    &n.title,
                    &n.detail,
                    now,
                )
                .map(|_| ()),
        }
    }

    /// Stores `n`, or keeps it for [`Shared::retry`] when the database refuses it (or
    /// earlier alerts still wait, to keep their order).
    fn store_or_keep(&self, n: &Notice, now: i64) {
        let mut u = lock(&self.unstored);
        if u.queue.is_empty() {
            match self.store(n, now) {
                Ok(()) => return,
                Err(e) => tracing::error!(
                    key = %crate::fmt::log_safe(&n.key),
                    error = %e,
                    "could not store an alert; kept in memory and retried"
                ),
            }
        }
        if u.queue.len() >= MAX_UNSTORED {
            u.queue.pop_front();
            u.dropped += 1;
            if u.dropped.is_power_of_two() {
                tracing::error!(
                    dropped = u.dropped,
                    "alerts dropped: the database refuses writes and {MAX_UNSTORED} wait"
                );
            }
        }
        u.queue.push_back((n.clone(), now));
    }

    /// Stores the alerts kept while the database refused them, oldest first, until one
    /// fails again.
    fn retry(&self) {
        let mut u = lock(&self.unstored);
        while let Some((n, at)) = u.queue.front() {
            if self.store(n, *at).is_err() {
                return;
            }
            u.queue.pop_front();
        }
        if u.dropped > 0 {
            tracing::warn!(
                dropped = u.dropped,
                "storage recovered; some alerts were lost"
            );
            u.dropped = 0;
        }
    }

    fn deliver(&self, notices: Vec<Notice>, now: i64) {
        for n in notices {
            if n.delivery != Delivery::ChatOnly {
                self.store_or_keep(&n, now);
            }
            let (key, title, detail) = (
                crate::fmt::log_safe(&n.key),
                crate::fmt::log_safe(&n.title),
                crate::fmt::log_safe(&n.detail),
            );
            match n.kind {
                NoticeKind::Resolved => tracing::info!(key = %key, "resolved: {title}"),
                _ => {
                    // Alerts are on the dashboard and in chat; the log keeps them at info.
                    tracing::info!(key = %key, severity = n.severity.as_str(), "alert: {title} {detail}")
                }
            }
            let whatsapp = self.state.whatsapp.running();
            if (self.notifier.is_none() && whatsapp.is_none()) || n.delivery == Delivery::FeedOnly {
                // FeedOnly: the rule's digest reports it to chat.
                continue;
            }
            match self.tg.muted_until(&n.rule, now) {
                Ok(Some(_)) => {
                    tracing::info!(rule = %crate::fmt::log_safe(&n.rule), "muted: not sent to chat");
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read mutes"),
            }
            let channels = lock(&self.engine)
                .rules()
                .find(|r| r.name == n.rule)
                .map(|r| r.channels.clone())
                .unwrap_or_default();
            let wants = |c: &str| channels.is_empty() || channels.iter().any(|x| x == c);
            if let Some(w) = whatsapp.as_ref().filter(|_| wants("whatsapp")) {
                w.deliver(&n, now);
            }
            let Some(notifier) = self.notifier.as_ref().filter(|_| wants("telegram")) else {
                continue;
            };
            let chats = if n.chats.is_empty() {
                self.telegram.alert_chats()
            } else {
                n.chats.clone()
            };
            for chat in chats {
                // Each chat reads the framing in its own language (`/lang`, its noc.toml entry).
                let lang = self
                    .state
                    .store
                    .chat_language(&format!("telegram:{chat}"))
                    .ok()
                    .flatten()
                    .or_else(|| {
                        self.telegram
                            .chats
                            .iter()
                            .find(|c| c.id == chat)
                            .and_then(|c| c.language)
                    })
                    .unwrap_or(self.state.language);
                let mut a = tg_notify::Alert::new(chat, render_html_in(lang, &n));
                a.key(n.key.clone())
                    .parse_mode(ParseMode::Html)
                    .priority(match n.severity {
                        Severity::Critical => Priority::Critical,
                        Severity::Warning => Priority::High,
                        _ => Priority::Low,
                    })
                    // Info alerts never ring; warnings ring outside the chat's quiet hours,
                    // critical alerts always.
                    .silent(
                        n.severity == Severity::Info
                            || (n.severity != Severity::Critical
                                && self.telegram.is_quiet(chat, now)),
                    );
                match n.kind {
                    NoticeKind::Firing => {
                        a.state(AlertState::Firing);
                    }
                    NoticeKind::Resolved => {
                        a.state(AlertState::Resolved);
                    }
                    NoticeKind::Event => {}
                }
                if let Err(e) = notifier.enqueue(a) {
                    tracing::error!(error = %e, "could not queue a Telegram alert");
                }
            }
        }
    }

    /// Delivers the network health checks' alerts.
    fn health(&self, now: i64) {
        let Some(h) = &self.state.health else {
            return;
        };
        let notices: Vec<Notice> = h
            .take_events()
            .into_iter()
            .map(|e| Notice {
                key: e.key,
                rule: e.rule.to_owned(),
                router_id: Some(e.router_id),
                router: e.router,
                severity: match e.severity {
                    "critical" => Severity::Critical,
                    "warning" => Severity::Warning,
                    _ => Severity::Info,
                },
                title: crate::fmt::router_text(&e.title),
                detail: crate::fmt::router_text(&e.detail),
                kind: match (e.info, e.firing) {
                    (true, _) => NoticeKind::Event,
                    (false, true) => NoticeKind::Firing,
                    (false, false) => NoticeKind::Resolved,
                },
                chats: Vec::new(),
                delivery: engine::Delivery::Everywhere,
            })
            .collect();
        self.deliver(notices, now);
    }

    fn expire(&self, now: i64) {
        self.retry();
        self.health(now);
        if let Some(w) = self.state.whatsapp.running() {
            w.tick(now);
        }
        let summaries = lock(&self.engine).summaries(now);
        self.deliver(summaries, now);
        let digests = lock(&self.engine).digests(now);
        self.deliver(digests, now);
        let keys = lock(&self.engine).expire(now);
        for k in keys {
            if let Err(e) = self.state.store.resolve_alert(&k, now) {
                tracing::warn!(key = %crate::fmt::log_safe(&k), error = %e, "could not close an expired alert");
            }
        }
    }

    fn evaluate(&self, router: &RouterHandle) {
        let live = router.live();
        let now = crate::now();
        let notices = lock(&self.engine).observe_router(router.id, &router.name, &live, now);
        self.deliver(notices, now);
    }
}

async fn watch(
    shared: Arc<Shared>,
    side: Arc<Mutex<HashMap<i64, JoinHandle<()>>>>,
    scan: Duration,
) {
    let hub = shared.state.hub.clone();
    let mut rx = hub.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let ensure_side = |id: i64| {
        let mut map = lock(&side);
        map.retain(|_, t| !t.is_finished());
        map.entry(id)
            .or_insert_with(|| tokio::spawn(router_side(shared.clone(), id, scan)));
    };
    for r in hub.routers() {
        ensure_side(r.id);
        shared.evaluate(&r);
    }
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(id) => {
                    if let Some(r) = hub.router(id) {
                        ensure_side(id);
                        shared.evaluate(&r);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    for r in hub.routers() {
                        shared.evaluate(&r);
                    }
                }
                Err(_) => return,
            },
            _ = tick.tick() => shared.expire(crate::now()),
        }
    }
}

fn text(a: &Attributes, k: &str) -> String {
    a.get_string_lossy(k).unwrap_or_default()
}

/// Per router: follows the log and scans leases and address lists while connected.
async fn router_side(shared: Arc<Shared>, id: i64, scan: Duration) {
    loop {
        let Some(router) = shared.state.hub.router(id) else {
            return;
        };
        let Some(client) = router.client() else {
            drop(router);
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        };
        let name = router.name.clone();
        let mut changes = shared.state.rules.subscribe();
        let wants = || {
            let e = lock(&shared.engine);
            (
                e.wants(RuleKind::Lease, &name),
                e.wants(RuleKind::AddressList, &name),
                e.wants(RuleKind::Log, &name) || e.wants(RuleKind::L7, &name),
            )
        };
        let wanted = wants();
        let (want_leases, want_lists, want_log) = wanted;
        let weak = Arc::downgrade(&router);
        drop(router);
        let log = async {
            if !want_log {
                return std::future::pending::<()>().await;
            }
            let cmd = Command::builder("/log/print")
                .attribute("follow-only", "")
                .build();
            let Ok(mut stream) = client.stream(cmd).await else {
                return;
            };
            let mut pace = crate::routers::poller::LogPace::default();
            while let Some(Ok(row)) = stream.next().await {
                pace.line().await;
                let Some(router) = weak.upgrade() else {
                    return;
                };
                let topics = text(&row, "topics");
                let message = text(&row, "message");
                let l7 = router.live().l7;
                let now = crate::now();
                let notices =
                    lock(&shared.engine).observe_log(id, &name, &topics, &message, &l7, now);
                shared.deliver(notices, now);
            }
        };
        let scans = async {
            if !want_leases && !want_lists {
                return std::future::pending::<()>().await;
            }
            let mut every = tokio::time::interval(scan);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                every.tick().await;
                if client.is_closed() {
                    return;
                }
                if want_leases {
                    let cmd = Command::builder("/ip/dhcp-server/lease/print")
                        .proplist(["mac-address", "address", "host-name"])
                        .build();
                    if let Ok(rows) = client.print(cmd).await {
                        let leases: Vec<Lease> = rows
                            .iter()
                            .map(|r| {
                                Lease::new(
                                    &text(r, "mac-address"),
                                    &text(r, "address"),
                                    &text(r, "host-name"),
                                )
                            })
                            .collect();
                        let now = crate::now();
                        let n = lock(&shared.engine).observe_leases(id, &name, &leases, now);
                        shared.deliver(n, now);
                    }
                }
                if want_lists {
                    let cmd = Command::builder("/ip/firewall/address-list/print")
                        .proplist(["list", "address", "comment"])
                        .build();
                    if let Ok(rows) = client.print(cmd).await {
                        let entries: Vec<ListEntry> = rows
                            .iter()
                            .map(|r| {
                                ListEntry::new(
                                    &text(r, "list"),
                                    &text(r, "address"),
                                    &text(r, "comment"),
                                )
                            })
                            .collect();
                        let now = crate::now();
                        let n =
                            lock(&shared.engine).observe_address_lists(id, &name, &entries, now);
                        shared.deliver(n, now);
                    }
                }
            }
        };
        let closed = async {
            while !client.is_closed() {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        };
        // A rule edited in the dashboard may need the log stream or the scans (or no longer
        // need them): start over when what is wanted changes. The engine is reloaded by
        // `reload` from the same signal, so wait a moment for it.
        let rules_changed = async {
            loop {
                if changes.changed().await.is_err() {
                    return std::future::pending::<()>().await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                if wants() != wanted {
                    return;
                }
            }
        };
        tokio::select! {
            _ = log => {}
            _ = scans => {}
            _ = closed => {}
            _ = rules_changed => {}
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, severity: Severity) -> Notice {
        let mut e = Engine::new(&[{
            let mut r = RuleConfig::new("log", RuleKind::Log);
            r.keywords(["failure"]).severity(severity);
            r.routers = vec!["edge".into()];
            r
        }]);
        assert!(
            e.observe_log(1, "core", "system", "login failure", &[], 0)
                .is_empty(),
            "the rule is for router edge only"
        );
        let mut n = e
            .observe_log(2, "edge", "system", "login failure <b>&", &[], 0)
            .remove(0);
        n.kind = kind;
        n
    }

    #[test]
    fn messages_escape_router_text_and_mark_resolution() {
        let html = render_html(&notice(NoticeKind::Event, Severity::Critical));
        assert!(
            html.starts_with("🔴 <b>edge log: login failure &lt;b&gt;&amp;</b>"),
            "{html}"
        );
        assert!(html.ends_with("<i>log · critical</i>"), "{html}");
        assert!(tg_notify::html::to_plain(&html).is_ok());
        let html = render_html(&notice(NoticeKind::Resolved, Severity::Warning));
        assert!(html.starts_with("✅ <b>Resolved:</b> edge log"), "{html}");
        let html = render_html(&notice(NoticeKind::Firing, Severity::Info));
        assert!(html.starts_with("🔵 "), "{html}");
    }
}
