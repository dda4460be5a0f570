//! Sans-io pacing: which chat may be sent to next, and when.
//!
//! The [`Pacer`] never reads a clock or sleeps: the caller passes `now` to every call, so the
//! logic is tested and benchmarked with simulated time. Each limit is a GCRA (a token bucket
//! expressed as a "theoretical arrival time"), which makes every decision O(log chats).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use tg_notify::pacing::{Decision, Limits, Pacer};
//!
//! let mut pacer = Pacer::new(Limits::default());
//! let t0 = Instant::now();
//! pacer.push(7_i64, false, 5, t0);
//! let mut now = t0;
//! let mut sent = 0;
//! while sent < 5 {
//!     match pacer.next(now) {
//!         Decision::Send(chat) => { sent += 1; pacer.complete(&chat, true, now); }
//!         Decision::WaitUntil(t) => now = t,
//!         Decision::Idle => unreachable!(),
//!     }
//! }
//! // a burst of 3, then one per second
//! assert_eq!(now - t0, Duration::from_secs(2));
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Telegram's sending limits as the pacer applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Minimum average spacing of messages to one chat (Telegram: about 1 per second).
    pub per_chat_interval: Duration,
    /// Messages one chat may receive back to back before the spacing applies.
    pub per_chat_burst: u32,
    /// Minimum average spacing of messages to one group or channel (Telegram: 20 per minute).
    pub group_interval: Duration,
    /// Burst allowed to a group before `group_interval` applies.
    pub group_burst: u32,
    /// Minimum average spacing of all messages (Telegram: 30 per second).
    pub global_interval: Duration,
    /// Global burst.
    pub global_burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_chat_interval: Duration::from_secs(1),
            per_chat_burst: 3,
            group_interval: Duration::from_secs(3),
            group_burst: 3,
            global_interval: Duration::from_nanos(1_000_000_000 / 30),
            global_burst: 10,
        }
    }
}

impl Limits {
    /// Sets the per-chat rate (messages per second) and burst.
    pub fn per_chat(&mut self, per_second: f64, burst: u32) -> &mut Self {
        self.per_chat_interval = interval(per_second);
        self.per_chat_burst = burst.max(1);
        self
    }

    /// Sets the group rate (messages per minute) and burst.
    pub fn group(&mut self, per_minute: f64, burst: u32) -> &mut Self {
        self.group_interval = interval(per_minute / 60.0);
        self.group_burst = burst.max(1);
        self
    }

    /// Sets the global rate (messages per second) and burst.
    pub fn global(&mut self, per_second: f64, burst: u32) -> &mut Self {
        self.global_interval = interval(per_second);
        self.global_burst = burst.max(1);
        self
    }

    /// Every rate multiplied by `factor` (tests run Telegram's limits faster).
    pub fn scaled(&self, factor: f64) -> Limits {
        let f = |d: Duration| Duration::from_secs_f64(d.as_secs_f64() / factor.max(1e-9));
        Limits {
            per_chat_interval: f(self.per_chat_interval),
            group_interval: f(self.group_interval),
            global_interval: f(self.global_interval),
            ..*self
        }
    }
}

fn interval(per_second: f64) -> Duration {
    if per_second.is_finite() && per_second > 0.0 {
        Duration::from_secs_f64(1.0 / per_second)
    } else {
        Duration::from_secs(3600)
    }
}

/// A limit spec typed by a user was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid limits {0:?}: expected e.g. \"chat=1/s:3,group=20/min:3,global=30/s:10\"")]
pub struct ParseLimitsError(pub String);

impl FromStr for Limits {
    type Err = ParseLimitsError;

    /// `chat=1/s:3,group=20/min:3,global=30/s:10` (any subset; `:burst` optional).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseLimitsError(s.to_owned());
        let mut limits = Limits::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, spec) = item.split_once('=').ok_or_else(err)?;
            let (rate, burst) = match spec.split_once(':') {
                Some((r, b)) => (r, Some(b.parse::<u32>().map_err(|_| err())?)),
                None => (spec, None),
            };
            let (n, unit) = rate.split_once('/').ok_or_else(err)?;
            let n: f64 = n.parse().map_err(|_| err())?;
            if !(n.is_finite() && n > 0.0) {
                return Err(err());
            }
            let per_second = match unit {
                "s" | "sec" => n,
                "min" | "m" => n / 60.0,
                _ => return Err(err()),
            };
            match name {
                "chat" => {
                    let b = burst.unwrap_or(limits.per_chat_burst);
                    limits.per_chat(per_second, b)
                }
                "group" => {
                    let b = burst.unwrap_or(limits.group_burst);
                    limits.group(per_second * 60.0, b)
                }
                "global" => {
                    let b = burst.unwrap_or(limits.global_burst);
                    limits.global(per_second, b)
                }
                _ => return Err(err()),
            };
        }
        Ok(limits)
    }
}

/// GCRA state: the theoretical arrival time of the next conforming message.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    tat: Option<Instant>,
}

impl Gcra {
    const fn new() -> Self {
        Gcra { tat: None }
    }

    /// Earliest time a message conforms.
    fn earliest(&self, interval: Duration, burst: u32) -> Option<Instant> {
        let tolerance = interval.saturating_mul(burst.saturating_sub(1));
        self.tat.and_then(|tat| tat.checked_sub(tolerance))
    }

    fn record(&mut self, now: Instant, interval: Duration) {
        let base = match self.tat {
            Some(tat) if tat > now => tat,
            _ => now,
        };
        self.tat = Some(base + interval);
    }
}

#[derive(Debug)]
struct ChatState {
    group: bool,
    chat: Gcra,
    group_gcra: Gcra,
    blocked_until: Option<Instant>,
    pending: u64,
    in_flight: bool,
    scheduled: bool,
}

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<K> {
    /// Send the next message of this chat now, then call [`Pacer::complete`].
    Send(K),
    /// Nothing may be sent before this instant.
    WaitUntil(Instant),
    /// Nothing is pending.
    Idle,
}

/// The pacing scheduler, keyed by chat (`K` is usually [`ChatId`](crate::ChatId)).
///
/// At most one message per chat is in flight, so per-chat order is preserved.
#[derive(Debug)]
pub struct Pacer<K> {
    limits: Limits,
    chats: HashMap<K, ChatState>,
    global: Gcra,
    global_blocked_until: Option<Instant>,
    heap: BinaryHeap<Reverse<(Instant, u64, K)>>,
    seq: u64,
    completions: u64,
}

impl<K: Clone + Eq + Hash + Ord> Pacer<K> {
    /// A pacer with no chats.
    pub fn new(limits: Limits) -> Self {
        Pacer {
            limits,
            chats: HashMap::new(),
            global: Gcra::new(),
            global_blocked_until: None,
            heap: BinaryHeap::new(),
            seq: 0,
            completions: 0,
        }
    }

    /// The limits applied.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Messages pending (not in flight) for `chat`.
    pub fn pending(&self, chat: &K) -> u64 {
        self.chats.get(chat).map_or(0, |c| c.pending)
    }

    /// Messages pending over all chats.
    pub fn total_pending(&self) -> u64 {
        self.chats.values().map(|c| c.pending).sum()
    }

    fn chat_earliest(limits: &Limits, c: &ChatState) -> Option<Instant> {
        let mut t = c
            .chat
            .earliest(limits.per_chat_interval, limits.per_chat_burst);
        if c.group {
            t = t.max(
                c.group_gcra
                    .earliest(limits.group_interval, limits.group_burst),
            );
        }
        t.max(c.blocked_until)
    }

    /// Whether forgetting the chat changes nothing: every bucket is full again.
    fn settled(c: &ChatState, now: Instant) -> bool {
        let full = |g: &Gcra| g.tat.is_none_or(|t| t <= now);
        full(&c.chat) && full(&c.group_gcra) && c.blocked_until.is_none_or(|b| b <= now)
    }

    fn schedule(&mut self, chat: &K, now: Instant) {
        let Some(c) = self.chats.get_mut(chat) else {
            return;
        };
        if c.scheduled || c.in_flight || c.pending == 0 {
            return;
        }
        c.scheduled = true;
        let at = Self::chat_earliest(&self.limits, c).unwrap_or(now);
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, chat.clone())));
    }

    /// `count` more messages are pending for `chat` (`group`: a group or channel).
    pub fn push(&mut self, chat: K, group: bool, count: u64, now: Instant) {
        let c = self.chats.entry(chat.clone()).or_insert(ChatState {
            group,
            chat: Gcra::new(),
            group_gcra: Gcra::new(),
            blocked_until: None,
            pending: 0,
            in_flight: false,
            scheduled: false,
        });
        c.group = group;
        c.pending = c.pending.saturating_add(count);
        self.schedule(&chat, now);
    }

    /// Forgets every pending message of `chat` (it was blocked, deleted or migrated).
    pub fn clear(&mut self, chat: &K) {
        // the buckets are kept: forgetting them would grant a fresh burst
        if let Some(c) = self.chats.get_mut(chat) {
            c.pending = 0;
        }
    }

    /// Nothing is sent to `chat` before `until` (Telegram's `retry_after`).
    pub fn block_chat(&mut self, chat: &K, until: Instant) {
        if let Some(c) = self.chats.get_mut(chat) {
            c.blocked_until = c.blocked_until.max(Some(until));
        }
    }

    /// Nothing is sent to any chat before `until` (outage backoff, global flood control).
    pub fn block_all(&mut self, until: Instant) {
        self.global_blocked_until = self.global_blocked_until.max(Some(until));
    }

    /// Lifts a [`block_all`](Self::block_all) early (the cause was fixed).
    pub fn unblock_all(&mut self) {
        self.global_blocked_until = None;
    }

    /// The next decision at `now`.
    pub fn next(&mut self, now: Instant) -> Decision<K> {
        let global_at = self
            .global
            .earliest(self.limits.global_interval, self.limits.global_burst)
            .max(self.global_blocked_until);
        loop {
            let Some(Reverse((at, _, chat))) = self.heap.peek() else {
                return Decision::Idle;
            };
            let at = *at;
            if at > now {
                return Decision::WaitUntil(at.max(global_at.unwrap_or(at)));
            }
            let chat = chat.clone();
            // lazily re-check: a block may have arrived after the entry was queued
            let Some(c) = self.chats.get(&chat) else {
                self.heap.pop();
                continue;
            };
            let due = Self::chat_earliest(&self.limits, c);
            if c.pending == 0 || c.in_flight {
                self.heap.pop();
                if let Some(c) = self.chats.get_mut(&chat) {
                    c.scheduled = false;
                }
                continue;
            }
            if let Some(due) = due.filter(|d| *d > now) {
                self.heap.pop();
                self.seq += 1;
                self.heap.push(Reverse((due, self.seq, chat)));
                continue;
            }
            if let Some(g) = global_at.filter(|g| *g > now) {
                return Decision::WaitUntil(g);
            }
            self.heap.pop();
            let limits = self.limits;
            if let Some(c) = self.chats.get_mut(&chat) {
                c.scheduled = false;
                c.in_flight = true;
                c.pending -= 1;
                c.chat.record(now, limits.per_chat_interval);
                if c.group {
                    c.group_gcra.record(now, limits.group_interval);
                }
            }
            self.global.record(now, limits.global_interval);
            return Decision::Send(chat);
        }
    }

    /// The message handed out by [`Decision::Send`] for `chat` finished: `accepted` false means
    /// it stays pending (retry; block the chat first if Telegram asked to wait).
    pub fn complete(&mut self, chat: &K, accepted: bool, now: Instant) {
        let forget = match self.chats.get_mut(chat) {
            Some(c) => {
                c.in_flight = false;
                if !accepted {
                    c.pending = c.pending.saturating_add(1);
                }
                c.pending == 0 && !c.scheduled && Self::settled(c, now)
            }
            None => false,
        };
        self.completions = self.completions.wrapping_add(1);
        if self.completions % 1024 == 0 {
            // forget chats whose every bucket has refilled
            self.chats.retain(|_, c| {
                c.pending > 0 || c.in_flight || c.scheduled || !Self::settled(c, now)
            });
        }
        if forget {
            self.chats.remove(chat);
        } else {
            self.schedule(chat, now);
        }
    }
}
