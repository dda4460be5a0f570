//! The Cloud API as a transport of the tg-notify outbox: pacing presets, the 24-hour window
//! per recipient, and what each error code does to the queue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tg_notify::pacing::Limits;
use tg_notify::transport::{RateScope, SendError, SendFuture, Sent, Transport};
use tg_notify::{render, Alert, ChatId, NotifierConfig, QueuedMessage};

use crate::client::{CloudApi, TemplateMessage};
use crate::error::Error;
use crate::format::{flatten, split, split_param, MAX_TEXT_LEN};
use crate::phone::PhoneNumber;
use crate::webhook::{DeliveryStatus, InboundEvent};

/// Meta's pair rate: about one message every 6 seconds to one number.
pub const PAIR_INTERVAL: Duration = Duration::from_secs(6);

/// Default global rate (messages per second), well under the 80/s a number gets by default.
pub const DEFAULT_GLOBAL_RATE: f64 = 20.0;

/// The customer service window: free-form text is allowed this long after the user's last
/// message. The outbox treats it as 10 minutes shorter, to be safe from clock differences.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

const WINDOW_MARGIN: Duration = Duration::from_secs(600);

/// Sent messages remembered to map asynchronous failures back to their text.
const RECENT_SENT: usize = 1024;

/// Pacing for WhatsApp: one message per `pair_interval` to each number (no burst) and at most
/// `global_per_second` overall (burst of 5).
///
/// ```
/// use std::time::Duration;
/// let l = wa_notify::limits(Duration::from_secs(6), 20.0);
/// assert_eq!(l.per_chat_interval, Duration::from_secs(6));
/// assert_eq!(l.per_chat_burst, 1);
/// ```
pub fn limits(pair_interval: Duration, global_per_second: f64) -> Limits {
    let mut l = Limits::default();
    let pair = pair_interval.as_secs_f64().max(1e-6);
    l.per_chat(1.0 / pair, 1).global(global_per_second, 5);
    l.per_chat_interval = pair_interval;
    l
}

/// A [`NotifierConfig`] with WhatsApp's limits ([`PAIR_INTERVAL`], [`DEFAULT_GLOBAL_RATE`]).
pub fn notifier_config() -> NotifierConfig {
    let mut cfg = NotifierConfig::default();
    cfg.limits(limits(PAIR_INTERVAL, DEFAULT_GLOBAL_RATE));
    cfg
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The approved template used when the 24-hour window is closed. Its body must have one
/// parameter (`{{1}}`) that receives the flattened alert text, for example
/// `NOC alert: {{1}}` in the utility category.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateConfig {
    /// Template name (`noc_alert`).
    pub name: String,
    /// Language code of the approved translation (`id`, `en_US`).
    pub language: String,
    /// Longest parameter: the 1,024-character body limit less the template's own text
    /// (default 900). Longer alerts become several templates marked `(i/n)`.
    pub max_param_len: usize,
}

impl TemplateConfig {
    /// A template with the default parameter length.
    pub fn new(name: impl Into<String>, language: impl Into<String>) -> Self {
        TemplateConfig {
            name: name.into(),
            language: language.into(),
            max_param_len: 900,
        }
    }

    /// Sets the longest parameter (at least 32).
    pub fn max_param_len(&mut self, n: usize) -> &mut Self {
        self.max_param_len = n.max(32);
        self
    }
}

/// Settings of [`CloudTransport`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CloudConfig {
    /// Template sent when a recipient's window is closed; without one, such messages fail.
    pub template: Option<TemplateConfig>,
    /// Length of the customer service window ([`WINDOW`]).
    pub window: Duration,
    /// Send text to a number we have never heard from (and fall back to the template on
    /// 131047) instead of starting with the template. Default false.
    pub assume_open_when_unknown: bool,
    /// First wait after a 131056 (pair rate limit); multiplied by 4 per repeat for the same
    /// number (default [`PAIR_INTERVAL`]).
    pub pair_backoff: Duration,
    /// Longest wait after repeated 131056 (default 15 minutes).
    pub pair_backoff_max: Duration,
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig {
            template: None,
            window: WINDOW,
            assume_open_when_unknown: false,
            pair_backoff: PAIR_INTERVAL,
            pair_backoff_max: Duration::from_secs(900),
        }
    }
}

impl CloudConfig {
    /// Sets the fallback template.
    pub fn template(&mut self, t: TemplateConfig) -> &mut Self {
        self.template = Some(t);
        self
    }
    /// Sets the window length.
    pub fn window(&mut self, w: Duration) -> &mut Self {
        self.window = w;
        self
    }
    /// Whether unknown numbers get text first.
    pub fn assume_open_when_unknown(&mut self, yes: bool) -> &mut Self {
        self.assume_open_when_unknown = yes;
        self
    }
    /// Sets the backoff after 131056.
    pub fn pair_backoff(&mut self, first: Duration, max: Duration) -> &mut Self {
        self.pair_backoff = first;
        self.pair_backoff_max = max.max(first);
        self
    }
}

#[derive(Debug, Default)]
struct WindowState {
    /// Number -> Unix seconds of the last message from it.
    last_inbound: HashMap<String, u64>,
    /// Numbers a 131047 proved closed since their last message.
    closed: HashSet<String>,
}

/// The 24-hour window state of every recipient: cheap to clone, shared with the transport.
///
/// Feed it every inbound message ([`record_inbound`](Windows::record_inbound), or
/// [`CloudTransport::observe`]); persist [`snapshot`](Windows::snapshot) if it should survive
/// a restart.
#[derive(Debug, Clone, Default)]
pub struct Windows {
    inner: Arc<Mutex<WindowState>>,
}

/// Whether text may be sent to a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowStatus {
    /// The number wrote within the window.
    Open,
    /// The window is known to be closed (expired, or a 131047).
    Closed,
    /// Never heard from the number.
    Unknown,
}

impl Windows {
    /// An empty state (every number unknown).
    pub fn new() -> Self {
        Self::default()
    }

    /// `number` wrote at `unix_secs`: its window is open for a day from then.
    pub fn record_inbound(&self, number: &PhoneNumber, unix_secs: u64) {
        let mut st = lock(&self.inner);
        let e = st
            .last_inbound
            .entry(number.as_str().to_owned())
            .or_insert(0);
        *e = (*e).max(unix_secs);
        st.closed.remove(number.as_str());
    }

    /// A 131047 showed that `number`'s window is closed.
    pub fn mark_closed(&self, number: &PhoneNumber) {
        lock(&self.inner).closed.insert(number.as_str().to_owned());
    }

    /// The state of `number` at `now_unix` for a window of `window`.
    pub fn state(&self, number: &PhoneNumber, now_unix: u64, window: Duration) -> WindowStatus {
        let st = lock(&self.inner);
        if st.closed.contains(number.as_str()) {
            return WindowStatus::Closed;
        }
        match st.last_inbound.get(number.as_str()) {
            None => WindowStatus::Unknown,
            Some(&t) => {
                let open_for = window.saturating_sub(WINDOW_MARGIN).as_secs();
                if now_unix < t.saturating_add(open_for) {
                    WindowStatus::Open
                } else {
                    WindowStatus::Closed
                }
            }
        }
    }

    /// Every number's last inbound time (Unix seconds), to persist.
    pub fn snapshot(&self) -> Vec<(PhoneNumber, u64)> {
        lock(&self.inner)
            .last_inbound
            .iter()
            .filter_map(|(n, t)| Some((n.parse().ok()?, *t)))
            .collect()
    }

    /// Loads last inbound times saved by [`snapshot`](Self::snapshot).
    pub fn restore(&self, saved: impl IntoIterator<Item = (PhoneNumber, u64)>) {
        for (n, t) in saved {
            self.record_inbound(&n, t);
        }
    }
}

#[derive(Debug, Default)]
struct TransportState {
    /// Consecutive 131056 per number.
    strikes: HashMap<ChatId, u32>,
    /// Recent text messages by `wamid`: (recipient, text), for asynchronous failures.
    recent: VecDeque<(String, ChatId, String)>,
}

/// The Cloud API as a [`Transport`] for [`tg_notify::Notifier`]: each recipient is a
/// [`PhoneNumber`] as a numeric [`ChatId`].
///
/// Inside a recipient's window it sends text, split under 4,096 characters with `(i/n)`
/// markers; otherwise the configured template with the [`flatten`]ed text as its parameter
/// (split under [`TemplateConfig::max_param_len`]). A 131047 marks the window closed and the
/// same message is sent again as the template. 131056 blocks the number with a backoff of
/// ×4 per repeat, 130429 pauses every number, 190 and permission errors stop the outbox
/// ([`SendError::Fatal`]), other refusals drop the message with a failure record.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use wa_notify::{CloudApi, CloudConfig, CloudTransport, PhoneNumber, TemplateConfig, Token};
/// use tg_notify::{Alert, JsonFileStore, Notifier};
///
/// let api = CloudApi::builder(Token::new(std::env::var("WHATSAPP_TOKEN")?), "106540352242922").build();
/// let mut cfg = CloudConfig::default();
/// cfg.template(TemplateConfig::new("noc_alert", "id"));
/// let transport = CloudTransport::new(api, cfg);
/// let windows = transport.windows(); // feed it from the webhook
/// let store = JsonFileStore::open("/var/lib/noc/whatsapp-queue.jsonl")?;
/// let notifier = Notifier::with_transport(transport, store, wa_notify::notifier_config())?;
/// let to: PhoneNumber = "+62 812 3456 7890".parse()?;
/// notifier.enqueue(Alert::new(to, "core-sw1: ether1 down"))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CloudTransport {
    api: CloudApi,
    cfg: Arc<CloudConfig>,
    windows: Windows,
    state: Arc<Mutex<TransportState>>,
}

enum Mode {
    Text,
    Template(TemplateConfig),
}

impl CloudTransport {
    /// A transport over `api`.
    pub fn new(api: CloudApi, cfg: CloudConfig) -> Self {
        CloudTransport {
            api,
            cfg: Arc::new(cfg),
            windows: Windows::new(),
            state: Arc::default(),
        }
    }

    /// The window state (shared: updates reach the transport).
    pub fn windows(&self) -> Windows {
        self.windows.clone()
    }

    /// Uses `windows` (for example restored from storage) instead of an empty state.
    pub fn with_windows(mut self, windows: Windows) -> Self {
        self.windows = windows;
        self
    }

    fn mode(&self, to: &PhoneNumber) -> Mode {
        let template = self.cfg.template.clone();
        let state = self.windows.state(to, unix_now(), self.cfg.window);
        match (state, template) {
            (WindowStatus::Open, _) | (_, None) => Mode::Text,
            (WindowStatus::Unknown, Some(_)) if self.cfg.assume_open_when_unknown => Mode::Text,
            (_, Some(t)) => Mode::Template(t),
        }
    }

    /// Learns from a webhook event: an inbound message opens its sender's window; a status
    /// `failed` with 131047 (Meta may report the window asynchronously, after accepting the
    /// send) closes the recipient's window and returns the text of that message as an
    /// [`Alert`] to enqueue again, which then goes out as the template. Other events give
    /// `None`.
    pub fn observe(&self, event: &InboundEvent) -> Option<Alert> {
        match event {
            InboundEvent::Message(m) => {
                if let Ok(n) = m.from.parse::<PhoneNumber>() {
                    self.windows.record_inbound(&n, m.timestamp);
                }
                None
            }
            InboundEvent::Status(s)
                if s.status == DeliveryStatus::Failed && s.is_outside_window() =>
            {
                let found = {
                    let st = lock(&self.state);
                    st.recent
                        .iter()
                        .find(|(id, _, _)| *id == s.id)
                        .map(|(_, c, t)| (c.clone(), t.clone()))
                };
                let number = s
                    .recipient
                    .as_deref()
                    .and_then(|r| r.parse::<PhoneNumber>().ok())
                    .or_else(|| {
                        found
                            .as_ref()
                            .and_then(|(c, _)| PhoneNumber::try_from(c).ok())
                    });
                if let Some(n) = &number {
                    self.windows.mark_closed(n);
                }
                let (chat, text) = found?;
                self.cfg.template.as_ref()?;
                Some(Alert::new(chat, text))
            }
            _ => None,
        }
    }
}

fn ready(r: Result<Sent, SendError>) -> SendFuture {
    Box::pin(std::future::ready(r))
}

impl Transport for CloudTransport {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        let to = match PhoneNumber::try_from(&msg.chat) {
            Ok(n) => n,
            Err(e) => return ready(Err(SendError::RecipientGone(e.to_string()))),
        };
        let text = render(msg);
        let mode = self.mode(&to);
        let parts = match &mode {
            Mode::Text => split(&text, MAX_TEXT_LEN),
            Mode::Template(t) => split_param(&flatten(&text), t.max_param_len),
        };
        let n = u32::try_from(parts.len()).unwrap_or(u32::MAX);
        let Some(body) = parts
            .into_iter()
            .nth(usize::try_from(part).unwrap_or(usize::MAX))
        else {
            if n == 0 {
                return ready(Err(SendError::Rejected("message text is empty".into())));
            }
            // nothing left in this rendering: the message is complete
            return ready(Ok(Sent::new(n)));
        };
        let this = self.clone();
        let chat = msg.chat.clone();
        Box::pin(async move {
            let result = match &mode {
                Mode::Text => this.api.send_text(&to, &body).await,
                Mode::Template(t) => {
                    let mut tm = TemplateMessage::new(&t.name, &t.language);
                    tm.param(&body);
                    this.api.send_template(&to, &tm).await
                }
            };
            match result {
                Ok(r) => {
                    let mut st = lock(&this.state);
                    st.strikes.remove(&chat);
                    if matches!(mode, Mode::Text) {
                        if st.recent.len() >= RECENT_SENT {
                            st.recent.pop_front();
                        }
                        st.recent.push_back((r.message_id, chat, body));
                    }
                    Ok(Sent::new(n))
                }
                Err(e) => Err(this.classify(e, &mode, &to, &chat)),
            }
        })
    }
}

impl CloudTransport {
    fn classify(&self, e: Error, mode: &Mode, to: &PhoneNumber, chat: &ChatId) -> SendError {
        if e.is_outside_window() {
            self.windows.mark_closed(to);
            return match (mode, &self.cfg.template) {
                (Mode::Text, Some(t)) => SendError::Restart(format!(
                    "{e}; the 24-hour window is closed: sending template {:?} instead",
                    t.name
                )),
                (Mode::Text, None) => SendError::Rejected(format!(
                    "{e}; the 24-hour window is closed and no template is configured \
                     (the recipient must write first)"
                )),
                (Mode::Template(_), _) => SendError::Rejected(e.to_string()),
            };
        }
        if e.is_pair_rate_limit() {
            let mut st = lock(&self.state);
            let k = st.strikes.entry(chat.clone()).or_insert(0);
            *k = k.saturating_add(1);
            let factor = 4u32.saturating_pow(k.saturating_sub(1).min(8));
            let wait = self
                .cfg
                .pair_backoff
                .saturating_mul(factor)
                .min(self.cfg.pair_backoff_max);
            return SendError::RateLimited {
                wait,
                scope: RateScope::Recipient,
            };
        }
        if e.is_throughput_limit() {
            return SendError::RateLimited {
                wait: e.retry_after().unwrap_or(Duration::from_secs(1)),
                scope: RateScope::Global,
            };
        }
        if e.is_fatal() {
            return SendError::Fatal(format!(
                "WhatsApp refused the access token or a permission (check WHATSAPP_TOKEN and \
                 the app's whatsapp_business_messaging permission): {e}"
            ));
        }
        if e.is_retryable() {
            return SendError::Transient(e.to_string());
        }
        match e.code() {
            // the number is not in the test number's allowed list, or is not on WhatsApp
            Some(131030) => SendError::RecipientGone(e.to_string()),
            _ => SendError::Rejected(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_state_follows_inbound_times_and_131047() {
        let w = Windows::new();
        let n: PhoneNumber = "6281234567890".parse().unwrap();
        let day = WINDOW;
        assert_eq!(w.state(&n, 1_000_000, day), WindowStatus::Unknown);
        w.record_inbound(&n, 1_000_000);
        assert_eq!(w.state(&n, 1_000_000 + 3600, day), WindowStatus::Open);
        // closed a little before 24 hours, to be safe from clock differences
        assert_eq!(w.state(&n, 1_000_000 + 86_000, day), WindowStatus::Closed);
        w.mark_closed(&n);
        assert_eq!(w.state(&n, 1_000_000 + 60, day), WindowStatus::Closed);
        // an older message does not move the time back, a new one reopens
        w.record_inbound(&n, 999_000);
        assert_eq!(w.state(&n, 1_000_000 + 60, day), WindowStatus::Open);
        let saved = w.snapshot();
        assert_eq!(saved, vec![(n.clone(), 1_000_000)]);
        let w2 = Windows::new();
        w2.restore(saved);
        assert_eq!(w2.state(&n, 1_000_000 + 60, day), WindowStatus::Open);
    }

    #[test]
    fn pacing_presets() {
        let l = limits(Duration::from_millis(100), 50.0);
        assert_eq!(l.per_chat_interval, Duration::from_millis(100));
        assert_eq!(l.per_chat_burst, 1);
        assert_eq!(l.global_interval, Duration::from_millis(20));
        let cfg = notifier_config();
        assert_eq!(cfg.limits.per_chat_interval, PAIR_INTERVAL);
        assert!(
            cfg.limits.global_interval >= Duration::from_millis(12),
            "under 80/s"
        );
    }
}
