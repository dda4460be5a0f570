//! The notifier: a paced, coalescing, persistent queue in front of a [`Transport`] (the
//! Telegram [`Bot`] by default).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::client::Bot;
use crate::format::escape;
use crate::pacing::{Decision, Limits, Pacer};
use crate::store::{AlertState, Priority, QueuedMessage, Store, StoreError};
use crate::transport::{RateScope, SendError, Sent, Transport};
use crate::types::{ChatId, ParseMode};

/// An alert to deliver.
///
/// ```
/// use tg_notify::{Alert, AlertState, Priority};
/// let mut a = Alert::new(-100123, "router1 is down");
/// a.key("router1/down").priority(Priority::High).state(AlertState::Firing);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Alert {
    /// Target chat.
    pub chat: ChatId,
    /// Text in `parse_mode` markup.
    pub text: String,
    /// Parse mode of `text`.
    pub parse_mode: ParseMode,
    /// Alerts with the same key and chat within the coalescing window become one message.
    pub key: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// State reported, to summarise flapping.
    pub state: Option<AlertState>,
    /// Send without sound.
    pub silent: bool,
    /// Forum topic.
    pub thread: Option<i64>,
}

impl Alert {
    /// A plain-text alert with normal priority and no key.
    pub fn new(chat: impl Into<ChatId>, text: impl Into<String>) -> Self {
        Alert {
            chat: chat.into(),
            text: text.into(),
            parse_mode: ParseMode::Plain,
            key: None,
            priority: Priority::Normal,
            state: None,
            silent: false,
            thread: None,
        }
    }
    /// Sets the coalescing key.
    pub fn key(&mut self, key: impl Into<String>) -> &mut Self {
        self.key = Some(key.into());
        self
    }
    /// Sets the priority.
    pub fn priority(&mut self, p: Priority) -> &mut Self {
        self.priority = p;
        self
    }
    /// Sets the state (firing/resolved).
    pub fn state(&mut self, s: AlertState) -> &mut Self {
        self.state = Some(s);
        self
    }
    /// Sets the parse mode of the text.
    pub fn parse_mode(&mut self, m: ParseMode) -> &mut Self {
        self.parse_mode = m;
        self
    }
    /// Sends without sound.
    pub fn silent(&mut self, s: bool) -> &mut Self {
        self.silent = s;
        self
    }
    /// Sends into a forum topic.
    pub fn thread(&mut self, t: i64) -> &mut Self {
        self.thread = Some(t);
        self
    }
}

/// Notifier settings. `Default` follows Telegram's documented limits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NotifierConfig {
    /// Pacing limits.
    pub limits: Limits,
    /// Queue bound (messages); beyond it the lowest-priority, oldest messages are summarised.
    pub capacity: usize,
    /// Alerts with the same key within this window after one was sent are merged into one
    /// follow-up message sent when the window ends (it takes its place in the chat's order
    /// then). While a keyed message is still queued, repeats merge into it at once. The
    /// window is kept in memory only: after a restart the first alert of a key goes out
    /// immediately.
    pub coalesce_window: Duration,
    /// First delay after a network or 5xx error; doubles per consecutive failure (with jitter).
    pub backoff_base: Duration,
    /// Longest backoff.
    pub backoff_max: Duration,
    /// Wait after the service rejected the credentials ([`SendError::Fatal`]) before trying
    /// again (one probe per wait, never a loop); [`Notifier::resume`] ends it early.
    pub unauthorized_wait: Duration,
    /// Requests in flight at once (over all chats).
    pub max_in_flight: usize,
}

impl Default for NotifierConfig {
    fn default() -> Self {
        NotifierConfig {
            limits: Limits::default(),
            capacity: 10_000,
            coalesce_window: Duration::from_secs(60),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            unauthorized_wait: Duration::from_secs(300),
            max_in_flight: 32,
        }
    }
}

impl NotifierConfig {
    /// Sets the pacing limits.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }
    /// Sets the queue bound (at least 1).
    pub fn capacity(&mut self, capacity: usize) -> &mut Self {
        self.capacity = capacity.max(1);
        self
    }
    /// Sets the coalescing window.
    pub fn coalesce_window(&mut self, w: Duration) -> &mut Self {
        self.coalesce_window = w;
        self
    }
    /// Sets the backoff range for network and 5xx errors.
    pub fn backoff(&mut self, base: Duration, max: Duration) -> &mut Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }
    /// Sets the wait after an unauthorized reply.
    pub fn unauthorized_wait(&mut self, w: Duration) -> &mut Self {
        self.unauthorized_wait = w;
        self
    }
    /// Sets the number of requests in flight at once.
    pub fn max_in_flight(&mut self, n: usize) -> &mut Self {
        self.max_in_flight = n.max(1);
        self
    }
}

/// Counters of the notifier.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    coalesced: AtomicU64,
    summarised: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    store_errors: AtomicU64,
}

/// A snapshot of the notifier's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Telegram messages accepted (parts count separately).
    pub sent: u64,
    /// Alerts merged into an already queued message.
    pub coalesced: u64,
    /// Alerts summarised because the queue was full.
    pub summarised: u64,
    /// Sends retried (flood control, network, 5xx).
    pub retried: u64,
    /// Messages that can never be delivered (blocked bot, chat not found).
    pub failed: u64,
    /// Persistence errors (the message stays in memory).
    pub store_errors: u64,
    /// Messages queued now.
    pub queued: u64,
}

/// A message that could not be delivered and was given up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The chat.
    pub chat: ChatId,
    /// Queue id of the message.
    pub id: u64,
    /// Why (the service's description).
    pub reason: String,
    /// Whether the cause was the credentials or permissions (every later message fails the
    /// same way): the message is kept and sending pauses.
    pub unauthorized: bool,
}

/// What [`Notifier::enqueue`] did with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Enqueued {
    /// Queued as a new message with this id.
    Queued(u64),
    /// Merged into the queued message with this id.
    Coalesced(u64),
    /// Queued for the end of the coalescing window.
    Deferred(u64),
    /// The queue was full: the alert was counted in the chat's overflow summary.
    Summarised,
}

/// Errors of [`Notifier`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The store failed while loading the queue.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The alert text is empty.
    #[error("alert text is empty")]
    Empty,
    /// The notifier was shut down.
    #[error("the notifier was shut down")]
    Closed,
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

struct State {
    cfg: NotifierConfig,
    messages: HashMap<u64, QueuedMessage>,
    chat_queues: HashMap<ChatId, VecDeque<u64>>,
    /// Deferred messages: (not_before_ms, id).
    held: BTreeMap<(u64, u64), ()>,
    in_flight: HashMap<ChatId, u64>,
    pacer: Pacer<ChatId>,
    next_id: u64,
    /// (chat, key) -> unix ms a message with this key was last accepted.
    recent: HashMap<(ChatId, String), u64>,
    overflow_summary: HashMap<ChatId, u64>,
    failures: Vec<Failure>,
    consecutive_failures: u32,
    /// Recent 429s: when several chats hit flood control at once the limit is global.
    floods: VecDeque<(Instant, ChatId)>,
    /// Immediate resends ([`SendError::Restart`], [`SendError::ResendAsPlain`]) per message
    /// in a row, so that a transport answering them forever cannot make a loop.
    resends: HashMap<u64, u32>,
    /// Paused by a fatal error until this instant.
    paused_until: Option<Instant>,
    closed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Shared {
    state: Mutex<State>,
    store: Box<dyn Store>,
    transport: Box<dyn Transport>,
    counters: Counters,
    wake: Notify,
    idle: Notify,
}

impl Shared {
    fn persist(&self, msg: &QueuedMessage) {
        if let Err(e) = self.store.put(msg) {
            self.counters.store_errors.fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, id = msg.id, "could not persist queued message");
        }
    }
    fn unpersist(&self, id: u64) {
        if let Err(e) = self.store.remove(id) {
            self.counters.store_errors.fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, id, "could not remove delivered message from store");
        }
    }
}

/// An async queue in front of a [`Transport`] (by default the Telegram [`Bot`]): paces to
/// the service's limits, honours `retry_after`,
/// backs off on outages, coalesces repeated and flapping alerts, summarises on overflow, and
/// removes a message from the [`Store`] only after Telegram accepted it.
///
/// Cheap to clone; the worker task stops with [`Notifier::shutdown`] or when the last
/// handle is dropped.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use tg_notify::{Alert, AlertState, Bot, JsonFileStore, Notifier, NotifierConfig, Priority};
/// let bot = Bot::new(std::env::var("TELEGRAM_BOT_TOKEN")?);
/// let store = JsonFileStore::open("/var/lib/noc/telegram-queue.jsonl")?;
/// let notifier = Notifier::start(bot, store, NotifierConfig::default())?;
/// let mut alert = Alert::new(-1001234567890, "core-sw1: ether1 down");
/// alert.key("core-sw1/ether1").state(AlertState::Firing).priority(Priority::High);
/// notifier.enqueue(alert)?;
/// notifier.wait_idle().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Notifier {
    shared: Arc<Shared>,
    worker: Arc<WorkerGuard>,
}

struct WorkerGuard(tokio::task::AbortHandle);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("transport", &self.shared.transport)
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// Loads the queue from `store` and starts the worker, sending to Telegram with `bot`, on
    /// the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(
        bot: Bot,
        store: impl Store,
        cfg: NotifierConfig,
    ) -> Result<Notifier, NotifyError> {
        Self::with_transport(bot, store, cfg)
    }

    /// Loads the queue from `store` and starts the worker, sending with `transport`, on the
    /// current tokio runtime. One store belongs to one notifier (and so to one channel).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn with_transport(
        transport: impl Transport,
        store: impl Store,
        cfg: NotifierConfig,
    ) -> Result<Notifier, NotifyError> {
        let transport: Box<dyn Transport> = Box::new(transport);
        let mut loaded = store.load()?;
        loaded.sort_by_key(|m| m.id);
        let now = Instant::now();
        let mut state = State {
            pacer: Pacer::new(cfg.limits),
            cfg,
            messages: HashMap::new(),
            chat_queues: HashMap::new(),
            held: BTreeMap::new(),
            in_flight: HashMap::new(),
            next_id: loaded.last().map_or(1, |m| m.id.saturating_add(1)),
            recent: HashMap::new(),
            overflow_summary: HashMap::new(),
            failures: Vec::new(),
            consecutive_failures: 0,
            floods: VecDeque::new(),
            resends: HashMap::new(),
            paused_until: None,
            closed: false,
        };
        let now_ms = unix_ms();
        for m in loaded {
            if m.summarised > 0 {
                state.overflow_summary.insert(m.chat.clone(), m.id);
            }
            let id = m.id;
            let held_until = m.not_before_ms.filter(|t| *t > now_ms);
            let chat = m.chat.clone();
            state.messages.insert(id, m);
            match held_until {
                Some(t) => {
                    state.held.insert((t, id), ());
                }
                None => {
                    let group = transport.is_group(&chat);
                    state.enqueue_ready(chat, group, id, now);
                }
            }
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            store: Box::new(store),
            transport,
            counters: Counters::default(),
            wake: Notify::new(),
            idle: Notify::new(),
        });
        let handle = tokio::spawn(worker(Arc::clone(&shared)));
        Ok(Notifier {
            shared,
            worker: Arc::new(WorkerGuard(handle.abort_handle())),
        })
    }

    /// Queues an alert (persisting it first); see [`Enqueued`] for the outcomes.
    pub fn enqueue(&self, alert: Alert) -> Result<Enqueued, NotifyError> {
        if alert.text.trim().is_empty() {
            return Err(NotifyError::Empty);
        }
        let mut st = lock(&self.shared.state);
        if st.closed {
            return Err(NotifyError::Closed);
        }
        let now_ms = unix_ms();
        let now = Instant::now();
        let group = self.shared.transport.is_group(&alert.chat);
        let outcome = st.enqueue(&self.shared, alert, group, now_ms, now);
        drop(st);
        self.shared.wake.notify_one();
        Ok(outcome)
    }

    /// Messages queued (including deferred and in flight).
    pub fn len(&self) -> usize {
        lock(&self.shared.state).messages.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until the queue is empty (everything accepted or given up).
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.shared.idle.notified();
            if self.is_empty() {
                return;
            }
            notified.await;
        }
    }

    /// Counters.
    pub fn metrics(&self) -> Metrics {
        let c = &self.shared.counters;
        Metrics {
            sent: c.sent.load(Ordering::Relaxed),
            coalesced: c.coalesced.load(Ordering::Relaxed),
            summarised: c.summarised.load(Ordering::Relaxed),
            retried: c.retried.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            store_errors: c.store_errors.load(Ordering::Relaxed),
            queued: u64::try_from(self.len()).unwrap_or(u64::MAX),
        }
    }

    /// Messages given up since the last call (blocked bot, chat not found, ...).
    pub fn take_failures(&self) -> Vec<Failure> {
        std::mem::take(&mut lock(&self.shared.state).failures)
    }

    /// Ends a pause caused by a fatal error (for example after the token was replaced in the
    /// transport): queued messages are sent again now.
    pub fn resume(&self) {
        let mut st = lock(&self.shared.state);
        if st.paused_until.take().is_some() {
            st.pacer.unblock_all();
        }
        drop(st);
        self.shared.wake.notify_one();
    }

    /// Whether sending is paused by a fatal error (credentials, permissions).
    pub fn is_paused(&self) -> bool {
        lock(&self.shared.state)
            .paused_until
            .is_some_and(|t| t > Instant::now())
    }

    /// Stops the worker. Requests in flight are abandoned; every message not yet accepted
    /// stays in the store for the next start.
    pub async fn shutdown(self) {
        lock(&self.shared.state).closed = true;
        self.worker.0.abort();
    }
}

impl State {
    fn enqueue_ready(&mut self, chat: ChatId, group: bool, id: u64, now: Instant) {
        self.chat_queues
            .entry(chat.clone())
            .or_default()
            .push_back(id);
        self.pacer.push(chat, group, 1, now);
    }

    fn enqueue(
        &mut self,
        shared: &Shared,
        alert: Alert,
        group: bool,
        now_ms: u64,
        now: Instant,
    ) -> Enqueued {
        // 1. merge into a queued message with the same key that has not started sending
        if let Some(key) = &alert.key {
            let target = self.messages.values().find(|m| {
                m.key.as_deref() == Some(key.as_str())
                    && m.chat == alert.chat
                    && m.parts_sent == 0
                    && self.in_flight.get(&m.chat) != Some(&m.id)
            });
            if let Some(id) = target.map(|m| m.id) {
                if let Some(m) = self.messages.get_mut(&id) {
                    m.count = m.count.saturating_add(1);
                    if alert.state.is_some() && alert.state != m.state {
                        if m.state.is_some() {
                            m.transitions = m.transitions.saturating_add(1);
                        }
                        m.state = alert.state;
                    }
                    m.text = alert.text;
                    m.parse_mode = alert.parse_mode;
                    m.priority = m.priority.max(alert.priority);
                    shared.persist(m);
                }
                shared.counters.coalesced.fetch_add(1, Ordering::Relaxed);
                return Enqueued::Coalesced(id);
            }
        }
        // 2. room?
        while self.messages.len() >= self.cfg.capacity {
            match self.evict(shared, alert.priority) {
                Some(()) => {}
                None => {
                    self.summarise(shared, &alert.chat, alert.key.as_deref(), now);
                    return Enqueued::Summarised;
                }
            }
        }
        // 3. a new message, deferred if the key was sent within the window
        let window_ms = u64::try_from(self.cfg.coalesce_window.as_millis()).unwrap_or(u64::MAX);
        let not_before = alert.key.as_ref().and_then(|k| {
            let last = *self.recent.get(&(alert.chat.clone(), k.clone()))?;
            let until = last.saturating_add(window_ms);
            (until > now_ms).then_some(until)
        });
        let id = self.next_id;
        self.next_id += 1;
        let msg = QueuedMessage {
            id,
            chat: alert.chat.clone(),
            thread: alert.thread,
            text: alert.text,
            parse_mode: alert.parse_mode,
            silent: alert.silent,
            key: alert.key,
            priority: alert.priority,
            count: 1,
            transitions: 0,
            state: alert.state,
            not_before_ms: not_before,
            created_ms: now_ms,
            parts_sent: 0,
            summarised: 0,
        };
        shared.persist(&msg);
        self.messages.insert(id, msg);
        match not_before {
            Some(t) => {
                self.held.insert((t, id), ());
                Enqueued::Deferred(id)
            }
            None => {
                self.enqueue_ready(alert.chat, group, id, now);
                Enqueued::Queued(id)
            }
        }
    }

    /// Summarises the oldest message of the lowest priority not above `incoming`.
    fn evict(&mut self, shared: &Shared, incoming: Priority) -> Option<()> {
        let victim = self
            .messages
            .values()
            .filter(|m| {
                m.summarised == 0
                    && m.parts_sent == 0
                    && m.priority <= incoming
                    && self.in_flight.get(&m.chat) != Some(&m.id)
            })
            .min_by_key(|m| (m.priority, m.id))
            .map(|m| m.id)?;
        let m = self.messages.remove(&victim)?;
        if let Some(q) = self.chat_queues.get_mut(&m.chat) {
            if let Some(pos) = q.iter().position(|x| *x == victim) {
                q.remove(pos);
                // one fewer pending for the pacer: rebuild its count for this chat
                let remaining = u64::try_from(q.len()).unwrap_or(0);
                let in_flight = u64::from(self.in_flight.contains_key(&m.chat));
                self.pacer.clear(&m.chat);
                let pending = remaining.saturating_sub(in_flight);
                if pending > 0 {
                    let group = shared.transport.is_group(&m.chat);
                    self.pacer
                        .push(m.chat.clone(), group, pending, Instant::now());
                }
            }
        }
        self.held.retain(|(_, id), ()| *id != victim);
        shared.unpersist(victim);
        let n = m.count;
        for _ in 0..n {
            self.summarise(shared, &m.chat, m.key.as_deref(), Instant::now());
        }
        // a new summary may have taken the victim's place: the caller checks the bound again
        Some(())
    }

    fn summarise(&mut self, shared: &Shared, chat: &ChatId, key: Option<&str>, now: Instant) {
        shared.counters.summarised.fetch_add(1, Ordering::Relaxed);
        let existing = self.overflow_summary.get(chat).copied().filter(|id| {
            self.messages.get(id).is_some_and(|m| m.parts_sent == 0)
                && self.in_flight.get(chat) != Some(id)
        });
        let id = match existing {
            Some(id) => id,
            None => {
                let id = self.next_id;
                self.next_id += 1;
                let msg = QueuedMessage {
                    id,
                    chat: chat.clone(),
                    thread: None,
                    text: String::new(),
                    parse_mode: ParseMode::Plain,
                    silent: false,
                    key: None,
                    priority: Priority::Critical,
                    count: 1,
                    transitions: 0,
                    state: None,
                    not_before_ms: None,
                    created_ms: unix_ms(),
                    parts_sent: 0,
                    summarised: 0,
                };
                self.messages.insert(id, msg);
                self.overflow_summary.insert(chat.clone(), id);
                let group = shared.transport.is_group(chat);
                self.enqueue_ready(chat.clone(), group, id, now);
                id
            }
        };
        if let Some(m) = self.messages.get_mut(&id) {
            m.summarised = m.summarised.saturating_add(1);
            let mut text = format!(
                "⚠ {} alert(s) were summarised because the notification queue was full.",
                m.summarised
            );
            if let Some(k) = key {
                text.push_str(&format!(
                    " Latest: {}",
                    k.chars().take(200).collect::<String>()
                ));
            }
            m.text = text;
            shared.persist(m);
        }
    }

    fn release_held(&mut self, shared: &Shared, now_ms: u64, now: Instant) {
        while let Some((&(t, id), ())) = self.held.iter().next() {
            if t > now_ms {
                break;
            }
            self.held.remove(&(t, id));
            if let Some(chat) = self.messages.get(&id).map(|m| m.chat.clone()) {
                let group = shared.transport.is_group(&chat);
                self.enqueue_ready(chat, group, id, now);
            }
        }
    }
}

/// The text actually sent for a message: its text plus a coalescing note.
pub fn render(msg: &QueuedMessage) -> String {
    let mut text = msg.text.clone();
    let note = if msg.transitions >= 2 {
        let now = match msg.state {
            Some(AlertState::Firing) => "firing",
            Some(AlertState::Resolved) => "resolved",
            None => "unknown",
        };
        Some(format!(
            "(flapping: {} state changes in {} alerts, now {now})",
            msg.transitions, msg.count
        ))
    } else if msg.count > 1 {
        Some(format!("(×{}: repeated alerts coalesced)", msg.count))
    } else {
        None
    };
    if let Some(note) = note {
        text.push('\n');
        text.push_str(&escape(&note, msg.parse_mode));
    }
    text
}

/// 429s on this many different chats within [`GLOBAL_FLOOD_WINDOW`] pause every chat.
const GLOBAL_FLOOD_CHATS: usize = 3;
const GLOBAL_FLOOD_WINDOW: Duration = Duration::from_secs(1);

/// Immediate resends of one message in a row before it is given up.
const MAX_RESENDS: u32 = 3;

enum Outcome {
    Accepted,
    MoreParts,
    Retry,
    Drop,
    Moved,
}

struct Job {
    chat: ChatId,
    id: u64,
    result: Result<Sent, SendError>,
}

async fn worker(shared: Arc<Shared>) {
    let mut jobs: JoinSet<Job> = JoinSet::new();
    loop {
        let (decision, next_held) = {
            let mut st = lock(&shared.state);
            let now = Instant::now();
            st.release_held(&shared, unix_ms(), now);
            let full = jobs.len() >= st.cfg.max_in_flight;
            let d = if full {
                Decision::Idle
            } else {
                st.pacer.next(now)
            };
            let next_held = st.held.keys().next().map(|(t, _)| *t);
            if st.messages.is_empty() {
                shared.idle.notify_waiters();
            }
            (d, next_held)
        };
        match decision {
            Decision::Send(chat) => {
                let job = {
                    let mut st = lock(&shared.state);
                    let next = head(&mut st, &chat);
                    if let Some((id, _)) = &next {
                        st.in_flight.insert(chat.clone(), *id);
                    }
                    next
                };
                match job {
                    Some((id, msg)) => {
                        let fut = shared.transport.send(&msg, msg.parts_sent);
                        jobs.spawn(async move {
                            let result = fut.await;
                            Job { chat, id, result }
                        });
                    }
                    None => {
                        lock(&shared.state)
                            .pacer
                            .complete(&chat, true, Instant::now());
                    }
                }
                continue;
            }
            Decision::WaitUntil(t) => {
                let held_sleep = held_deadline(next_held);
                tokio::select! {
                    _ = tokio::time::sleep_until(tokio::time::Instant::from_std(t)) => {}
                    _ = sleep_opt(held_sleep) => {}
                    _ = shared.wake.notified() => {}
                    Some(done) = jobs.join_next(), if !jobs.is_empty() => handle(&shared, done),
                }
            }
            Decision::Idle => {
                let held_sleep = held_deadline(next_held);
                tokio::select! {
                    _ = sleep_opt(held_sleep) => {}
                    _ = shared.wake.notified() => {}
                    Some(done) = jobs.join_next(), if !jobs.is_empty() => handle(&shared, done),
                }
            }
        }
        // drain whatever else finished
        while let Some(done) = jobs.try_join_next() {
            handle(&shared, done);
        }
    }
}

fn held_deadline(next_held: Option<u64>) -> Option<Duration> {
    next_held.map(|t| Duration::from_millis(t.saturating_sub(unix_ms())))
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// The head message of `chat` (a copy, so the transport renders it outside the lock).
fn head(st: &mut State, chat: &ChatId) -> Option<(u64, QueuedMessage)> {
    loop {
        let id = *st.chat_queues.get(chat)?.front()?;
        let Some(m) = st.messages.get(&id) else {
            if let Some(q) = st.chat_queues.get_mut(chat) {
                q.pop_front();
            }
            continue;
        };
        return Some((id, m.clone()));
    }
}

/// Gives up `ids` of `chat` with a failure record each.
fn give_up(shared: &Shared, st: &mut State, chat: &ChatId, ids: Vec<u64>, reason: &str) {
    for id in ids {
        shared.counters.failed.fetch_add(1, Ordering::Relaxed);
        st.failures.push(Failure {
            chat: chat.clone(),
            id,
            reason: reason.to_owned(),
            unauthorized: false,
        });
        finish(shared, st, chat, id, false);
    }
}

fn handle(shared: &Shared, done: Result<Job, tokio::task::JoinError>) {
    let Ok(job) = done else { return };
    let mut st = lock(&shared.state);
    st.in_flight.remove(&job.chat);
    let now = Instant::now();
    if !matches!(
        job.result,
        Err(SendError::Restart(_) | SendError::ResendAsPlain(_))
    ) {
        st.resends.remove(&job.id);
    }
    let outcome = match job.result {
        Ok(sent) => {
            st.consecutive_failures = 0;
            shared.counters.sent.fetch_add(1, Ordering::Relaxed);
            let mut finished = false;
            if let Some(m) = st.messages.get_mut(&job.id) {
                m.parts_sent = m.parts_sent.saturating_add(1);
                if m.parts_sent >= sent.parts {
                    finished = true;
                } else {
                    shared.persist(m);
                }
            }
            if finished {
                finish(shared, &mut st, &job.chat, job.id, true);
                Outcome::Accepted
            } else {
                Outcome::MoreParts
            }
        }
        Err(SendError::RateLimited { wait, scope }) => {
            shared.counters.retried.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(chat = %job.chat, retry_after = ?wait, ?scope, "rate limited");
            match scope {
                RateScope::Recipient => st.pacer.block_chat(&job.chat, now + wait),
                RateScope::Global => st.pacer.block_all(now + wait),
                _ => {
                    st.pacer.block_chat(&job.chat, now + wait);
                    // Telegram does not say whether a 429 is per chat or global; when chats
                    // keep hitting it within a second of each other, the bot as a whole is
                    // over the limit
                    st.floods.push_back((now, job.chat.clone()));
                    while st
                        .floods
                        .front()
                        .is_some_and(|(t, _)| now.duration_since(*t) > GLOBAL_FLOOD_WINDOW)
                    {
                        st.floods.pop_front();
                    }
                    let distinct = {
                        let mut chats: Vec<&ChatId> = st.floods.iter().map(|(_, c)| c).collect();
                        chats.sort();
                        chats.dedup();
                        chats.len()
                    };
                    if distinct >= GLOBAL_FLOOD_CHATS {
                        tracing::warn!(retry_after = ?wait, "flood control on several chats; pausing all sends");
                        st.pacer.block_all(now + wait);
                    }
                }
            }
            Outcome::Retry
        }
        Err(SendError::Moved(new_chat)) => {
            tracing::info!(from = %job.chat, to = %new_chat, "chat migrated");
            let ids: Vec<u64> = st
                .chat_queues
                .remove(&job.chat)
                .map(Vec::from)
                .unwrap_or_default();
            st.pacer.complete(&job.chat, true, now);
            st.pacer.clear(&job.chat);
            let group = shared.transport.is_group(&new_chat);
            for id in ids {
                if let Some(m) = st.messages.get_mut(&id) {
                    m.chat = new_chat.clone();
                    shared.persist(m);
                    st.enqueue_ready(new_chat.clone(), group, id, now);
                }
            }
            Outcome::Moved
        }
        Err(e @ (SendError::ResendAsPlain(_) | SendError::Restart(_))) => {
            let n = st.resends.entry(job.id).or_insert(0);
            *n += 1;
            if *n > MAX_RESENDS {
                st.resends.remove(&job.id);
                tracing::error!(chat = %job.chat, error = %e, "message keeps being re-rendered; giving up");
                give_up(shared, &mut st, &job.chat, vec![job.id], &e.to_string());
                Outcome::Accepted
            } else {
                if let Some(m) = st.messages.get_mut(&job.id) {
                    tracing::warn!(chat = %job.chat, error = %e, "resending");
                    if matches!(e, SendError::ResendAsPlain(_)) {
                        // deliver the alert anyway, as plain text
                        m.parse_mode = ParseMode::Plain;
                    } else {
                        m.parts_sent = 0;
                    }
                    shared.persist(m);
                }
                Outcome::Retry
            }
        }
        Err(SendError::Transient(e)) => {
            shared.counters.retried.fetch_add(1, Ordering::Relaxed);
            st.consecutive_failures = st.consecutive_failures.saturating_add(1);
            let delay = backoff(&st.cfg, st.consecutive_failures);
            tracing::warn!(chat = %job.chat, error = %e, ?delay, "send failed; backing off");
            st.pacer.block_all(now + delay);
            Outcome::Retry
        }
        Err(SendError::Fatal(e)) => {
            shared.counters.retried.fetch_add(1, Ordering::Relaxed);
            let wait = st.cfg.unauthorized_wait;
            tracing::error!(error = %e, pause = ?wait, "credentials or permissions refused; keeping the queue and pausing");
            st.failures.push(Failure {
                chat: job.chat.clone(),
                id: job.id,
                reason: e,
                unauthorized: true,
            });
            st.paused_until = Some(now + wait);
            st.pacer.block_all(now + wait);
            Outcome::Retry
        }
        Err(SendError::RecipientGone(e)) => {
            // never retried: nothing queued for the chat can be delivered
            tracing::error!(chat = %job.chat, error = %e, "chat cannot receive messages");
            let ids: Vec<u64> = st
                .chat_queues
                .get(&job.chat)
                .map(|q| q.iter().copied().collect())
                .unwrap_or_default();
            give_up(shared, &mut st, &job.chat, ids, &e);
            st.pacer.clear(&job.chat);
            Outcome::Drop
        }
        Err(e) => {
            // never retried; concerns this message only
            tracing::error!(chat = %job.chat, error = %e, "message cannot be delivered");
            give_up(shared, &mut st, &job.chat, vec![job.id], &e.to_string());
            Outcome::Accepted
        }
    };
    match outcome {
        Outcome::Accepted => st.pacer.complete(&job.chat, true, now),
        Outcome::Retry => st.pacer.complete(&job.chat, false, now),
        Outcome::MoreParts => st.pacer.complete(&job.chat, false, now),
        Outcome::Drop => st.pacer.complete(&job.chat, true, now),
        Outcome::Moved => {}
    }
    if st.messages.is_empty() {
        shared.idle.notify_waiters();
    }
    drop(st);
    shared.wake.notify_one();
}

fn finish(shared: &Shared, st: &mut State, chat: &ChatId, id: u64, delivered: bool) {
    if let Some(q) = st.chat_queues.get_mut(chat) {
        if let Some(pos) = q.iter().position(|x| *x == id) {
            q.remove(pos);
        }
        if q.is_empty() {
            st.chat_queues.remove(chat);
        }
    }
    if let Some(m) = st.messages.remove(&id) {
        if delivered {
            if let Some(k) = m.key {
                let now_ms = unix_ms();
                if st.recent.len() > 4096 {
                    let window =
                        u64::try_from(st.cfg.coalesce_window.as_millis()).unwrap_or(u64::MAX);
                    st.recent.retain(|_, t| t.saturating_add(window) > now_ms);
                }
                st.recent.insert((m.chat.clone(), k), now_ms);
            }
        }
        if m.summarised > 0 && st.overflow_summary.get(chat) == Some(&id) {
            st.overflow_summary.remove(chat);
        }
    }
    shared.unpersist(id);
}

fn backoff(cfg: &NotifierConfig, failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let raw = cfg
        .backoff_base
        .saturating_mul(1u32 << exp)
        .min(cfg.backoff_max);
    // "equal jitter": between half and the whole delay
    let jitter: f64 = rand::thread_rng().gen_range(0.5..=1.0);
    raw.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let mut cfg = NotifierConfig::default();
        cfg.backoff(Duration::from_millis(100), Duration::from_secs(2));
        for (failures, raw_ms) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (5, 1600),
            (6, 2000),
            (40, 2000),
        ] {
            for _ in 0..50 {
                let d = backoff(&cfg, failures).as_millis();
                assert!(d >= raw_ms / 2 && d <= raw_ms, "{failures}: {d}");
            }
        }
    }

    #[test]
    fn render_adds_an_escaped_note() {
        let mut m: QueuedMessage = serde_json::from_value(serde_json::json!({
            "id": 1, "chat": 1, "text": "*r1* down", "parse_mode": "MarkdownV2", "count": 3
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let text = render(&m);
        assert_eq!(text, "*r1* down\n\\(×3: repeated alerts coalesced\\)");
        assert!(crate::markdown_v2::to_plain(&text).is_ok());
        m.transitions = 2;
        m.state = Some(AlertState::Resolved);
        assert!(render(&m).ends_with("now resolved\\)"));
        m.count = 1;
        m.transitions = 0;
        assert_eq!(render(&m), "*r1* down");
    }
}
