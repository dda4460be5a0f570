//! The sans-io alert engine: observations in (a router's live state, its leases and address
//! lists, log lines), [`Notice`]s out. Time is passed in, so every rule is testable without
//! sockets or clocks.
//!
//! Conditions (unreachable, CPU, memory, disk, interface, queue) fire once when they have held
//! for the rule's duration (and, for unreachable, `checks` failed checks in a row), and send one
//! resolution when they clear. Events (Layer 7, lease, address-list, log) fire on each
//! occurrence under one key and expire silently after the rule's hold time. Layer 7 starts
//! and new devices of a rule with a `digest` go to the feed only ([`Delivery::FeedOnly`]);
//! [`Engine::digests`] turns each rule's and router's events of one interval into one chat
//! message ([`Delivery::ChatOnly`]).

use std::collections::{HashMap, HashSet};

use crate::i18n::Lang;
use crate::routers::{L7Rule, RouterLive, Status};
use crate::tr;

use super::rules::{fmt_bytes, fmt_rate, LinkState, RuleConfig, RuleKind, Severity};

/// Most open conditions and remembered events tracked (over all rules and routers).
pub const MAX_TRACKED: usize = 100_000;
/// Longest log line kept in an alert.
pub const MAX_LINE: usize = 500;
/// Events one rule may raise per router in a [`EVENT_WINDOW`]; beyond, they are counted and
/// reported by one summary notice when the window ends.
pub const MAX_EVENTS_PER_WINDOW: u32 = 50;
/// The window of [`MAX_EVENTS_PER_WINDOW`], in seconds.
pub const EVENT_WINDOW: i64 = 10;

/// Most names a digest lists per app (or devices per digest); the rest are counted.
pub const MAX_DIGEST_NAMES: usize = 10;
/// Most apps a digest lists; the rest are counted.
pub const MAX_DIGEST_GROUPS: usize = 10;

/// Events of an `l7` or `lease` rule on one router waiting for their digest.
#[derive(Debug, Clone)]
struct Digest {
    start: i64,
    router: String,
    total: u64,
    /// The only event's title (what is sent when the digest holds one event).
    first_title: String,
    /// (app or "", names listed, events) in order of first occurrence.
    groups: Vec<(String, Vec<String>, u64)>,
    /// Events of apps beyond [`MAX_DIGEST_GROUPS`].
    other: u64,
}

/// Events of one rule on one router in the current window.
#[derive(Debug, Clone)]
struct Window {
    start: i64,
    router: String,
    shown: u32,
    held: u64,
}

/// What a notice reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoticeKind {
    /// A condition started to hold.
    Firing,
    /// A condition cleared.
    Resolved,
    /// Something happened (it expires by itself).
    Event,
}

/// Where a notice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Delivery {
    /// The dashboard's feed and chat.
    #[default]
    Everywhere,
    /// The feed only: an event that a digest reports to chat.
    FeedOnly,
    /// Chat only: a digest of events the feed already holds one by one.
    ChatOnly,
}

/// An alert to store, log and send.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notice {
    /// Stable key (`rule:router[:subject]`); repeats update one alert.
    pub key: String,
    /// The rule's name.
    pub rule: String,
    /// The router's row id.
    pub router_id: Option<i64>,
    /// The router's name.
    pub router: String,
    /// Severity.
    pub severity: Severity,
    /// One line, plain text.
    pub title: String,
    /// More, plain text (may be empty).
    pub detail: String,
    /// Firing, resolved or an event.
    pub kind: NoticeKind,
    /// The rule's chats (empty: the default chats).
    pub chats: Vec<i64>,
    /// The feed, chat or both.
    pub delivery: Delivery,
}

/// One DHCP lease as observed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lease {
    /// MAC address (the device's identity).
    pub mac: String,
    /// Address.
    pub address: String,
    /// Host name the device sent.
    pub host_name: String,
}

impl Lease {
    /// A lease.
    pub fn new(mac: &str, address: &str, host_name: &str) -> Lease {
        Lease {
            mac: mac.to_owned(),
            address: address.to_owned(),
            host_name: host_name.to_owned(),
        }
    }
}

/// One firewall address-list entry as observed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListEntry {
    /// The list.
    pub list: String,
    /// The address.
    pub address: String,
    /// Its comment.
    pub comment: String,
}

impl ListEntry {
    /// An entry.
    pub fn new(list: &str, address: &str, comment: &str) -> ListEntry {
        ListEntry {
            list: list.to_owned(),
            address: address.to_owned(),
            comment: comment.to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
struct Cond {
    since: i64,
    fails: u32,
    firing: bool,
    fired_at: i64,
    detail: String,
}

struct Compiled {
    cfg: RuleConfig,
    regexes: Vec<regex_automata::meta::Regex>,
    keywords: Vec<String>,
}

/// The engine. See the module docs.
pub struct Engine {
    rules: Vec<Compiled>,
    conds: HashMap<String, Cond>,
    /// Event key -> (last seen, rule index).
    events: HashMap<String, (i64, usize)>,
    /// Baselines of leases and list entries per router (first scan is not "new").
    leases: HashMap<i64, HashSet<String>>,
    lists: HashMap<i64, HashSet<(String, String)>>,
    /// Interfaces seen running per router (what "down" means without a list).
    seen_up: HashMap<i64, HashSet<String>>,
    /// (rule index, router id) -> events in the current window.
    windows: HashMap<(usize, i64), Window>,
    /// Summaries of windows that ended, not yet taken by [`Engine::summaries`].
    summaries: Vec<Notice>,
    /// (rule name, router id) -> events waiting for their digest.
    digests: HashMap<(String, i64), Digest>,
    /// The language alerts are written in (noc's default: alerts are stored once and sent
    /// to several chats).
    lang: Lang,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("conditions", &self.conds.len())
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// A digest interval as people say it: `10 min`, `1 h`, `45 s`, `1h30m`.
fn interval_text(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 && s % 60 == 0 => format!("{} min", s / 60),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s => super::rules::Span(u64::try_from(s).unwrap_or(0)).to_string(),
    }
}

/// A number as Rust shows it (`90`, `85.5`) with the decimal mark of `lang`.
fn decimal_text(lang: Lang, v: f64) -> String {
    let t = format!("{v}");
    match lang {
        Lang::Id => t.replace('.', ","),
        _ => t,
    }
}

fn pct(v: u64, total: u64) -> u64 {
    v.saturating_mul(100).checked_div(total).unwrap_or(0)
}

impl Engine {
    /// An engine for `rules` (validate them first with [`super::rules::validate`]; invalid
    /// regexes are skipped).
    pub fn new(rules: &[RuleConfig]) -> Engine {
        let rules = rules
            .iter()
            .map(|r| Compiled {
                regexes: r
                    .regexes
                    .iter()
                    .filter_map(|re| super::rules::compile_regex(re).ok())
                    .collect(),
                keywords: r.keywords.iter().map(|k| k.to_lowercase()).collect(),
                cfg: r.clone(),
            })
            .collect();
        Engine {
            rules,
            conds: HashMap::new(),
            events: HashMap::new(),
            leases: HashMap::new(),
            lists: HashMap::new(),
            seen_up: HashMap::new(),
            windows: HashMap::new(),
            summaries: Vec::new(),
            digests: HashMap::new(),
            lang: Lang::default(),
        }
    }

    /// Writes alerts in `lang` from now on.
    pub fn set_language(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// [`Engine::new`] writing its alerts in `lang`.
    pub fn with_language(rules: &[RuleConfig], lang: Lang) -> Engine {
        let mut e = Engine::new(rules);
        e.lang = lang;
        e
    }

    /// Replaces the rule set while running (validate it first). Conditions and events of
    /// rules whose name is kept carry on; the keys of those belonging to removed rules, or
    /// to rules whose settings changed, are returned so the caller can close their alerts.
    pub fn set_rules(&mut self, rules: &[RuleConfig]) -> Vec<String> {
        let old: HashMap<String, RuleConfig> = self
            .rules
            .iter()
            .map(|c| (c.cfg.name.clone(), c.cfg.clone()))
            .collect();
        let fresh = Engine::new(rules);
        let keep = |key: &str| {
            let name = key.split_once(':').map_or(key, |(n, _)| n);
            fresh
                .rules
                .iter()
                .position(|c| c.cfg.name == name && old.get(name) == Some(&c.cfg))
        };
        let mut gone = Vec::new();
        self.conds.retain(|k, c| {
            let kept = keep(k).is_some();
            if !kept && c.firing {
                gone.push(k.clone());
            }
            kept
        });
        let events = std::mem::take(&mut self.events);
        for (k, (last, _)) in events {
            match keep(&k) {
                Some(idx) => {
                    self.events.insert(k, (last, idx));
                }
                None => gone.push(k),
            }
        }
        self.rules = fresh.rules;
        // Digests of removed or changed rules are dropped (their events are in the feed).
        self.digests
            .retain(|(name, _), _| self.rules.iter().any(|c| &c.cfg.name == name));
        gone.sort();
        gone
    }

    /// The rules.
    pub fn rules(&self) -> impl Iterator<Item = &RuleConfig> {
        self.rules.iter().map(|c| &c.cfg)
    }

    /// Whether any rule of `kind` applies to router `name`.
    pub fn wants(&self, kind: RuleKind, router: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.cfg.kind == kind && r.cfg.applies_to(router))
    }

    /// Keys of the conditions firing now.
    pub fn firing(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .conds
            .iter()
            .filter(|(_, c)| c.firing)
            .map(|(k, _)| k.clone())
            .collect();
        v.sort();
        v
    }

    fn notice(
        &self,
        rule: usize,
        router_id: i64,
        router: &str,
        kind: NoticeKind,
        (key, title, detail): (String, String, String),
    ) -> Option<Notice> {
        let r = &self.rules.get(rule)?.cfg;
        Some(Notice {
            key,
            rule: r.name.clone(),
            router_id: Some(router_id),
            router: router.to_owned(),
            severity: r.severity,
            title: crate::fmt::router_text(&title),
            detail: crate::fmt::router_text(&detail),
            kind,
            chats: r.chats.clone(),
            delivery: Delivery::Everywhere,
        })
    }

    /// One step of a condition: `bad` is `Some(detail)` when it holds. Returns the
    /// `(kind, fired_at, detail)` of a transition.
    fn step(
        &mut self,
        key: &str,
        bad: Option<String>,
        now: i64,
        checks: u32,
        duration: i64,
    ) -> Option<(NoticeKind, i64, String)> {
        match bad {
            Some(detail) => {
                if !self.conds.contains_key(key) && self.conds.len() >= MAX_TRACKED {
                    return None;
                }
                let c = self.conds.entry(key.to_owned()).or_insert(Cond {
                    since: now,
                    fails: 0,
                    firing: false,
                    fired_at: 0,
                    detail: String::new(),
                });
                c.fails = c.fails.saturating_add(1);
                c.detail = detail;
                if !c.firing && c.fails >= checks && now.saturating_sub(c.since) >= duration {
                    c.firing = true;
                    c.fired_at = now;
                    return Some((NoticeKind::Firing, c.since, c.detail.clone()));
                }
                None
            }
            None => {
                let c = self.conds.remove(key)?;
                c.firing
                    .then_some((NoticeKind::Resolved, c.since, c.detail))
            }
        }
    }

    /// Evaluates the condition rules against a router's live state at `now`.
    pub fn observe_router(
        &mut self,
        router_id: i64,
        router: &str,
        live: &RouterLive,
        now: i64,
    ) -> Vec<Notice> {
        let lang = self.lang;
        let mut out = Vec::new();
        let up = live.status == Status::Up;
        if up {
            let seen = self.seen_up.entry(router_id).or_default();
            for i in &live.interfaces {
                if i.running && seen.len() < 10_000 {
                    seen.insert(i.name.clone());
                }
            }
        }
        for idx in 0..self.rules.len() {
            let cfg = self.rules[idx].cfg.clone();
            if !cfg.applies_to(router) {
                continue;
            }
            let prefix = format!("{}:{router_id}", cfg.name);
            let dur = cfg.duration.secs();
            match cfg.kind {
                RuleKind::Unreachable => {
                    let bad = match &live.status {
                        Status::Connecting => continue,
                        Status::Up => None,
                        Status::Slow(r) => Some(tr!(lang, "alert-not-answering", reason = r)),
                        Status::Down(r) => Some(r.clone()),
                    };
                    if let Some((kind, since, detail)) =
                        self.step(&prefix, bad, now, cfg.check_count(), dur)
                    {
                        let login = detail.starts_with("login failed");
                        let title = match kind {
                            NoticeKind::Firing if login => {
                                tr!(lang, "alert-login-failing", router = router)
                            }
                            NoticeKind::Firing => tr!(lang, "alert-unreachable", router = router),
                            _ => tr!(
                                lang,
                                "alert-back-up",
                                router = router,
                                down = super::rules::Span(
                                    u64::try_from(now.saturating_sub(since)).unwrap_or(0)
                                )
                                .to_string()
                            ),
                        };
                        let detail = if kind == NoticeKind::Firing {
                            tr!(
                                lang,
                                "alert-failed-checks",
                                detail = &detail,
                                checks = cfg.check_count().to_string()
                            )
                        } else {
                            String::new()
                        };
                        out.extend(self.notice(
                            idx,
                            router_id,
                            router,
                            kind,
                            (prefix, title, detail),
                        ));
                    }
                }
                RuleKind::Cpu | RuleKind::Memory | RuleKind::Disk => {
                    let Some(res) = live.resource.as_ref().filter(|_| up) else {
                        continue;
                    };
                    let bad = match cfg.kind {
                        RuleKind::Cpu => {
                            let above = cfg.above.unwrap_or(90.0);
                            ((res.cpu_load as f64) > above).then(|| {
                                tr!(
                                    lang,
                                    "alert-cpu-detail",
                                    load = res.cpu_load.to_string(),
                                    above = decimal_text(lang, above)
                                )
                            })
                        }
                        RuleKind::Memory => {
                            let below = cfg.below.unwrap_or(super::rules::Threshold::Percent(10.0));
                            below.is_below(res.free_memory, res.total_memory).then(|| {
                                tr!(
                                    lang,
                                    "alert-memory-detail",
                                    free = fmt_bytes(res.free_memory),
                                    total = fmt_bytes(res.total_memory),
                                    percent = pct(res.free_memory, res.total_memory).to_string(),
                                    below = below.to_string()
                                )
                            })
                        }
                        _ => {
                            let below = cfg.below.unwrap_or(super::rules::Threshold::Percent(10.0));
                            below.is_below(res.free_hdd, res.total_hdd).then(|| {
                                tr!(
                                    lang,
                                    "alert-disk-detail",
                                    free = fmt_bytes(res.free_hdd),
                                    total = fmt_bytes(res.total_hdd),
                                    percent = pct(res.free_hdd, res.total_hdd).to_string(),
                                    below = below.to_string()
                                )
                            })
                        }
                    };
                    if let Some((kind, _, detail)) = self.step(&prefix, bad, now, 1, dur) {
                        let what = match cfg.kind {
                            RuleKind::Cpu => tr!(lang, "alert-cpu-high"),
                            RuleKind::Memory => tr!(lang, "alert-memory-low"),
                            _ => tr!(lang, "alert-disk-low"),
                        };
                        let title = match kind {
                            NoticeKind::Firing => format!("{router}: {what}"),
                            _ => tr!(lang, "alert-resolved", router = router, what = what),
                        };
                        out.extend(self.notice(
                            idx,
                            router_id,
                            router,
                            kind,
                            (prefix, title, detail),
                        ));
                    }
                }
                RuleKind::Interface => {
                    if !up {
                        continue;
                    }
                    let mut touched = HashSet::new();
                    for i in &live.interfaces {
                        let watched = if cfg.interfaces.is_empty() {
                            !i.disabled
                                && self
                                    .seen_up
                                    .get(&router_id)
                                    .is_some_and(|s| s.contains(&i.name))
                        } else {
                            cfg.interfaces.iter().any(|n| n == &i.name)
                        };
                        if !watched {
                            continue;
                        }
                        let key = format!("{prefix}:{}", i.name);
                        touched.insert(key.clone());
                        let holds = match cfg.state {
                            LinkState::Down => !i.running || i.disabled,
                            LinkState::Up => i.running && !i.disabled,
                        };
                        let state = if i.running { "up" } else { "down" };
                        let bad = holds.then(|| format!("link {state}"));
                        if let Some((kind, _, _)) = self.step(&key, bad, now, 1, dur) {
                            let title = match kind {
                                NoticeKind::Firing => tr!(
                                    lang,
                                    "alert-link",
                                    router = router,
                                    interface = &i.name,
                                    state = state
                                ),
                                _ => tr!(
                                    lang,
                                    "alert-link-again",
                                    router = router,
                                    interface = &i.name,
                                    state = state
                                ),
                            };
                            out.extend(self.notice(
                                idx,
                                router_id,
                                router,
                                kind,
                                (key, title, String::new()),
                            ));
                        }
                    }
                    out.extend(
                        self.clear_untouched(idx, &prefix, &touched, router_id, router, now),
                    );
                }
                RuleKind::Queue => {
                    if !up {
                        continue;
                    }
                    let limit = cfg.percent.unwrap_or(90);
                    let mut touched = HashSet::new();
                    for q in live.queues.iter() {
                        if q.disabled || (q.max_up == 0 && q.max_down == 0) {
                            continue;
                        }
                        if !cfg.queues.is_empty() && !cfg.queues.iter().any(|n| n == &q.name) {
                            continue;
                        }
                        let key = format!("{prefix}:{}", q.name);
                        let usage = q.usage_percent();
                        let bad = (usage >= limit).then(|| {
                            tr!(
                                lang,
                                "alert-queue-detail",
                                percent = usage.to_string(),
                                limit = format!("{}/{}", fmt_rate(q.max_up), fmt_rate(q.max_down)),
                                rate = format!("{}/{}", fmt_rate(q.rate_up), fmt_rate(q.rate_down))
                            )
                        });
                        if bad.is_none() && !self.conds.contains_key(&key) {
                            continue;
                        }
                        touched.insert(key.clone());
                        if let Some((kind, _, detail)) = self.step(&key, bad, now, 1, dur) {
                            let title = match kind {
                                NoticeKind::Firing => tr!(
                                    lang,
                                    "alert-queue-full",
                                    router = router,
                                    queue = &q.name,
                                    limit = limit.to_string()
                                ),
                                _ => tr!(
                                    lang,
                                    "alert-queue-ok",
                                    router = router,
                                    queue = &q.name,
                                    limit = limit.to_string()
                                ),
                            };
                            out.extend(self.notice(
                                idx,
                                router_id,
                                router,
                                kind,
                                (key, title, detail),
                            ));
                        }
                    }
                    out.extend(
                        self.clear_untouched(idx, &prefix, &touched, router_id, router, now),
                    );
                }
                _ => {}
            }
        }
        out
    }

    /// Resolves conditions of rule `idx` on a router whose subject disappeared.
    fn clear_untouched(
        &mut self,
        idx: usize,
        prefix: &str,
        touched: &HashSet<String>,
        router_id: i64,
        router: &str,
        now: i64,
    ) -> Vec<Notice> {
        let sub = format!("{prefix}:");
        let gone: Vec<String> = self
            .conds
            .keys()
            .filter(|k| k.starts_with(&sub) && !touched.contains(*k))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for key in gone {
            if let Some((kind, _, _)) = self.step(&key, None, now, 1, 0) {
                let subject = key.get(sub.len()..).unwrap_or_default().to_owned();
                let title = tr!(self.lang, "alert-gone", router = router, subject = subject);
                out.extend(self.notice(idx, router_id, router, kind, (key, title, String::new())));
            }
        }
        out
    }

    /// An event of rule `idx`. `once` is `Some((group, name))` for events reported once per
    /// hold time (a host starting an app, a new device), which the rule's digest lists as
    /// `name` under `group`; `None` for events reported on every occurrence.
    fn event(
        &mut self,
        idx: usize,
        now: i64,
        router_id: i64,
        router: &str,
        (key, title, detail): (String, String, String),
        once: Option<(&str, &str)>,
    ) -> Option<Notice> {
        if let Some((last, _)) = self.events.get_mut(&key) {
            *last = now;
            if once.is_some() {
                return None;
            }
        } else {
            if self.events.len() >= MAX_TRACKED {
                return None;
            }
            self.events.insert(key.clone(), (now, idx));
        }
        let digested = match once {
            Some(item) => self.add_to_digest(idx, now, (router_id, router), &title, item),
            None => false,
        };
        if !self.admit(idx, router_id, router, now) {
            return None;
        }
        let mut n = self.notice(
            idx,
            router_id,
            router,
            NoticeKind::Event,
            (key, title, detail),
        )?;
        if digested {
            n.delivery = Delivery::FeedOnly;
        }
        Some(n)
    }

    /// Compares the router's DHCP leases with the previous scan; the first scan is the
    /// baseline (no alerts).
    pub fn observe_leases(
        &mut self,
        router_id: i64,
        router: &str,
        leases: &[Lease],
        now: i64,
    ) -> Vec<Notice> {
        let lang = self.lang;
        let first = !self.leases.contains_key(&router_id);
        let known = self.leases.entry(router_id).or_default();
        let fresh: Vec<Lease> = leases
            .iter()
            .filter(|l| !l.mac.is_empty() && !known.contains(&l.mac.to_ascii_uppercase()))
            .cloned()
            .collect();
        for l in &fresh {
            if known.len() < MAX_TRACKED {
                known.insert(l.mac.to_ascii_uppercase());
            }
        }
        if first {
            return Vec::new();
        }
        let mut out = Vec::new();
        for idx in 0..self.rules.len() {
            let cfg = &self.rules[idx].cfg;
            if cfg.kind != RuleKind::Lease || !cfg.applies_to(router) {
                continue;
            }
            let name = cfg.name.clone();
            for l in &fresh {
                let host = if l.host_name.is_empty() {
                    "unnamed device".to_owned()
                } else {
                    l.host_name.clone()
                };
                let key = format!("{name}:{router_id}:{}", l.mac.to_ascii_uppercase());
                let title = tr!(
                    lang,
                    "alert-new-device",
                    router = router,
                    host = &host,
                    mac = &l.mac,
                    address = &l.address
                );
                let item = format!("{host} ({}) {}", l.mac, l.address);
                out.extend(self.event(
                    idx,
                    now,
                    router_id,
                    router,
                    (key, title, String::new()),
                    Some(("", &item)),
                ));
            }
        }
        out
    }

    /// Compares the router's address-list entries with the previous scan; the first scan is
    /// the baseline.
    pub fn observe_address_lists(
        &mut self,
        router_id: i64,
        router: &str,
        entries: &[ListEntry],
        now: i64,
    ) -> Vec<Notice> {
        let lang = self.lang;
        let first = !self.lists.contains_key(&router_id);
        let known = self.lists.entry(router_id).or_default();
        let current: HashSet<(String, String)> = entries
            .iter()
            .map(|e| (e.list.clone(), e.address.clone()))
            .collect();
        let fresh: Vec<&ListEntry> = entries
            .iter()
            .filter(|e| !known.contains(&(e.list.clone(), e.address.clone())))
            .collect();
        // Entries removed can be added again later and count as new then.
        known.retain(|k| current.contains(k));
        for e in &fresh {
            if known.len() < MAX_TRACKED {
                known.insert((e.list.clone(), e.address.clone()));
            }
        }
        if first {
            return Vec::new();
        }
        let mut out = Vec::new();
        for idx in 0..self.rules.len() {
            let cfg = &self.rules[idx].cfg;
            if cfg.kind != RuleKind::AddressList || !cfg.applies_to(router) {
                continue;
            }
            let (name, lists) = (cfg.name.clone(), cfg.lists.clone());
            for e in &fresh {
                if !lists.is_empty() && !lists.iter().any(|l| l == &e.list) {
                    continue;
                }
                let key = format!("{name}:{router_id}:{}:{}", e.list, e.address);
                let title = tr!(
                    lang,
                    "alert-list-added",
                    router = router,
                    address = &e.address,
                    list = &e.list
                );
                let detail = if e.comment.is_empty() {
                    String::new()
                } else {
                    tr!(lang, "alert-comment", comment = &e.comment)
                };
                self.events.remove(&key);
                out.extend(self.event(idx, now, router_id, router, (key, title, detail), None));
            }
        }
        out
    }

    /// One streamed log line (`topics` like `system,error,critical`). Firewall lines are
    /// matched against the Layer 7 rules' log prefixes for `l7` rules.
    pub fn observe_log(
        &mut self,
        router_id: i64,
        router: &str,
        topics: &str,
        message: &str,
        l7: &[L7Rule],
        now: i64,
    ) -> Vec<Notice> {
        let lang = self.lang;
        let mut out = Vec::new();
        let lower = message.to_lowercase();
        let topic_list: Vec<&str> = topics.split(',').map(str::trim).collect();
        let mut l7_hit: Option<Option<(String, String)>> = None;
        for idx in 0..self.rules.len() {
            let c = &self.rules[idx];
            if !c.cfg.applies_to(router) {
                continue;
            }
            match c.cfg.kind {
                RuleKind::Log => {
                    if !c.cfg.topics.is_empty()
                        && !c
                            .cfg
                            .topics
                            .iter()
                            .any(|t| topic_list.contains(&t.as_str()))
                    {
                        continue;
                    }
                    let matched = c
                        .keywords
                        .iter()
                        .find(|k| lower.contains(k.as_str()))
                        .cloned()
                        .or_else(|| {
                            c.regexes
                                .iter()
                                .position(|re| re.is_match(message))
                                .map(|i| c.cfg.regexes.get(i).cloned().unwrap_or_default())
                        });
                    let Some(what) = matched else {
                        continue;
                    };
                    let key = format!("{}:{router_id}:{what}", c.cfg.name);
                    let title = tr!(
                        lang,
                        "alert-log",
                        router = router,
                        message = truncate(message, 120)
                    );
                    let detail = format!("[{topics}] {}", truncate(message, MAX_LINE));
                    out.extend(self.event(idx, now, router_id, router, (key, title, detail), None));
                }
                RuleKind::L7 => {
                    if !topic_list.contains(&"firewall") {
                        continue;
                    }
                    let hit = l7_hit.get_or_insert_with(|| {
                        crate::routers::parse_firewall_line(message, l7)
                            .map(|(host, rule)| (host, rule.name.clone()))
                    });
                    let Some((host, app)) = hit.clone() else {
                        continue;
                    };
                    if !c.cfg.apps.is_empty()
                        && !c.cfg.apps.iter().any(|a| a.eq_ignore_ascii_case(&app))
                    {
                        continue;
                    }
                    let key = format!("{}:{router_id}:{host}:{app}", c.cfg.name);
                    let title = tr!(
                        lang,
                        "alert-app-started",
                        router = router,
                        host = &host,
                        app = &app
                    );
                    let detail = truncate(message, MAX_LINE);
                    out.extend(self.event(
                        idx,
                        now,
                        router_id,
                        router,
                        (key, title, detail),
                        Some((&app, &host)),
                    ));
                }
                _ => {}
            }
        }
        out
    }

    /// Events whose hold time passed since their last occurrence: their keys, to close
    /// silently. A later occurrence is new again.
    pub fn expire(&mut self, now: i64) -> Vec<String> {
        let rules = &self.rules;
        let mut gone = Vec::new();
        self.events.retain(|k, (last, idx)| {
            let hold = rules.get(*idx).map_or(600, |r| r.cfg.hold_secs());
            let keep = now.saturating_sub(*last) < hold;
            if !keep {
                gone.push(k.clone());
            }
            keep
        });
        gone.sort();
        gone
    }
}

#[path = "engine_digest.rs"]
mod digest;

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
