//! Alert rules as written in `noc.toml`, and the small values people type in them: spans
//! (`90s`, `2m`, `1h`), thresholds (`10%`, `64M`) and quiet hours (`22:00-07:00`).
//!
//! ```toml
//! [[rule]]
//! name = "router-down"     # unique; `/mute router-down 1h` uses it
//! kind = "unreachable"     # unreachable, cpu, memory, disk, interface, queue, l7, lease,
//!                          # address-list, log
//! checks = 3               # failed checks before "down" (unreachable; default 3)
//! severity = "critical"    # critical, warning (default) or info (never rings in Telegram)
//! chats = [-1001234567890] # default: every [[telegram.chat]] with alerts = true
//! routers = ["core"]       # default: every router
//!
//! [[rule]]
//! name = "cpu"
//! kind = "cpu"
//! above = 90               # percent
//! for = "2m"               # the condition must hold this long
//!
//! [[rule]]
//! name = "memory"
//! kind = "memory"          # or "disk"
//! below = "10%"            # or bytes: "64M", "1G"
//!
//! [[rule]]
//! name = "uplink"
//! kind = "interface"
//! interfaces = ["ether1"]  # default: interfaces seen running since noc started
//! state = "down"           # fire while down (default) or while "up"
//!
//! [[rule]]
//! name = "saturated"
//! kind = "queue"
//! percent = 90             # of max-limit, either direction
//! for = "1m"
//! queues = ["office"]      # default: every limited queue
//!
//! [[rule]]
//! name = "apps"
//! kind = "l7"
//! apps = ["tiktok"]        # default: every Layer 7 protocol with a logging rule
//! hold = "10m"             # a host "starts" an app again after this long without it
//! digest = "10m"           # chat gets one message per 10 minutes ("5 hosts started
//!                          # tiktok ..."); "0" sends each start at once. Default 10m.
//!
//! [[rule]]
//! name = "new-device"
//! kind = "lease"
//! digest = "10m"           # as for l7 (default 10m)
//!
//! [[rule]]
//! name = "blocked"
//! kind = "address-list"
//! lists = ["blocked"]
//!
//! [[rule]]
//! name = "log"
//! kind = "log"
//! keywords = ["login failure", "critical"]  # case-insensitive substrings
//! regexes = ['ppp.*(disconnected|terminating)']
//! topics = ["system", "ppp"]                # default: every topic
//! ```
//!
//! Without any `[[rule]]`, [`default_rules`] apply.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::tr;
use crate::Error;

/// Longest span accepted (one year).
pub const MAX_SPAN_SECS: u64 = 366 * 86_400;
/// Most rules in one file.
pub const MAX_RULES: usize = 1_000;
/// The digest interval of `l7` and `lease` rules without `digest` (10 minutes).
pub const DEFAULT_DIGEST_SECS: u64 = 600;
/// Longest regex source accepted in a log rule.
pub const MAX_REGEX_LEN: usize = 1_000;

/// A length of time typed by a user: `90`, `90s`, `15m`, `2h`, `1d`, `1h30m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span(pub u64);

impl Span {
    /// Seconds.
    pub fn secs(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

impl FromStr for Span {
    type Err = Error;
    fn from_str(s: &str) -> Result<Span, Error> {
        let bad = || {
            Error::BadInput(format!(
                "invalid duration {s:?}: use seconds or a number with s, m, h or d (\"90s\", \"2m\", \"1h\")"
            ))
        };
        let t = s.trim();
        if t.is_empty() || t.len() > 32 {
            return Err(bad());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            let v: u64 = t.parse().map_err(|_| bad())?;
            return if v <= MAX_SPAN_SECS {
                Ok(Span(v))
            } else {
                Err(bad())
            };
        }
        let mut total: u64 = 0;
        let mut num: Option<u64> = None;
        for c in t.chars() {
            if let Some(d) = c.to_digit(10) {
                let n = num.unwrap_or(0);
                num = Some(
                    n.checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(d)))
                        .ok_or_else(bad)?,
                );
                continue;
            }
            let unit = match c.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 7 * 86_400,
                _ => return Err(bad()),
            };
            let n = num.take().ok_or_else(bad)?;
            total = n
                .checked_mul(unit)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(bad)?;
        }
        if num.is_some() || total > MAX_SPAN_SECS {
            return Err(bad());
        }
        Ok(Span(total))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s == 0 {
            return f.write_str("0s");
        }
        let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
        if d > 0 {
            write!(f, "{d}d")?;
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if sec > 0 {
            write!(f, "{sec}s")?;
        }
        Ok(())
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) if n <= MAX_SPAN_SECS => Ok(Span(n)),
            Raw::N(n) => Err(serde::de::Error::custom(format!(
                "duration {n} is longer than a year"
            ))),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// A lower bound on free memory or disk: a share of the total or an amount of bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Percent of the total (`10%`).
    Percent(f64),
    /// Bytes (`64M`, `1G`, `500k`; binary multiples as RouterOS counts memory).
    Bytes(u64),
}

impl Threshold {
    /// Whether `free` of `total` is below the threshold (unknown totals never are).
    pub fn is_below(self, free: u64, total: u64) -> bool {
        match self {
            Threshold::Percent(p) => total > 0 && (free as f64) * 100.0 < p * (total as f64),
            Threshold::Bytes(b) => total > 0 && free < b,
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Percent(p) => write!(f, "{p}%"),
            Threshold::Bytes(b) => f.write_str(&fmt_bytes(*b)),
        }
    }
}

pub use crate::fmt::{bytes_iec as fmt_bytes, rate_short as fmt_rate};

impl FromStr for Threshold {
    type Err = Error;
    fn from_str(s: &str) -> Result<Threshold, Error> {
        let bad = || {
            Error::BadInput(format!(
                "invalid threshold {s:?}: use a percentage (\"10%\") or bytes (\"64M\", \"1G\")"
            ))
        };
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            return if (0.0..=100.0).contains(&v) {
                Ok(Threshold::Percent(v))
            } else {
                Err(bad())
            };
        }
        let lower = t.to_ascii_lowercase();
        let body = lower
            .strip_suffix("ib")
            .or_else(|| lower.strip_suffix('b'))
            .unwrap_or(&lower);
        let (num, mult) = match body.chars().last() {
            Some('k') => (&body[..body.len() - 1], 1u64 << 10),
            Some('m') => (&body[..body.len() - 1], 1 << 20),
            Some('g') => (&body[..body.len() - 1], 1 << 30),
            Some('t') => (&body[..body.len() - 1], 1 << 40),
            _ => (body, 1),
        };
        let n: u64 = num.trim().parse().map_err(|_| bad())?;
        n.checked_mul(mult).map(Threshold::Bytes).ok_or_else(bad)
    }
}

impl Serialize for Threshold {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Threshold::Percent(p) => s.serialize_str(&format!("{p}%")),
            Threshold::Bytes(b) => s.serialize_u64(*b),
        }
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Threshold, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Threshold::Bytes(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// A daily window in local time (`22:00-07:00` wraps past midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Start, minutes after midnight.
    pub start: u32,
    /// End (exclusive), minutes after midnight.
    pub end: u32,
}

impl QuietHours {
    /// Whether `minute` (0..1440 after midnight) is inside the window.
    pub fn contains(self, minute: u32) -> bool {
        if self.start <= self.end {
            minute >= self.start && minute < self.end
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// Whether Unix time `now` falls inside the window, with local time `utc_offset_min`
    /// minutes ahead of UTC.
    pub fn contains_at(self, now: i64, utc_offset_min: i32) -> bool {
        let local = now.saturating_add(i64::from(utc_offset_min) * 60);
        let minute = u32::try_from(local.rem_euclid(86_400) / 60).unwrap_or(0);
        self.contains(minute)
    }
}

fn hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl FromStr for QuietHours {
    type Err = Error;
    fn from_str(s: &str) -> Result<QuietHours, Error> {
        let bad = || Error::BadInput(format!("invalid quiet hours {s:?}: use \"22:00-07:00\""));
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        Ok(QuietHours {
            start: hhmm(a).ok_or_else(bad)?,
            end: hhmm(b).ok_or_else(bad)?,
        })
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<QuietHours, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a UTC offset (`+07:00`, `-03:30`, `Z`) into minutes.
pub fn parse_utc_offset(s: &str) -> Result<i32, Error> {
    let bad = || Error::BadInput(format!("invalid UTC offset {s:?}: use \"+07:00\""));
    let t = s.trim();
    if t.eq_ignore_ascii_case("z") || t == "0" {
        return Ok(0);
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let m = hhmm(rest).ok_or_else(bad)?;
    if m > 14 * 60 {
        return Err(bad());
    }
    Ok(sign * i32::try_from(m).map_err(|_| bad())?)
}

/// How bad an alert is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// For the record.
    Info,
    /// Look at it today.
    #[default]
    Warning,
    /// Look at it now.
    Critical,
}

impl Severity {
    /// `info`, `warning` or `critical` (what the alert feed stores).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl FromStr for Severity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Severity, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "critical" | "crit" => Ok(Severity::Critical),
            _ => Err(Error::BadInput(format!(
                "unknown severity {s:?} (info, warning or critical)"
            ))),
        }
    }
}

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleKind {
    /// The router does not answer or refuses the login (after `checks` failed checks).
    Unreachable,
    /// CPU load above `above` percent.
    Cpu,
    /// Free memory below `below`.
    Memory,
    /// Free disk below `below`.
    Disk,
    /// An interface's link is down (or up, with `state = "up"`).
    Interface,
    /// A simple queue at or above `percent` of its max-limit.
    Queue,
    /// A host starts matching a Layer 7 protocol (from the firewall log).
    L7,
    /// A new DHCP lease (a device joined).
    Lease,
    /// An address added to a watched firewall address-list.
    AddressList,
    /// Log lines matching keywords or regexes (streamed with `/log/print follow-only`).
    Log,
}

impl RuleKind {
    /// Whether the rule reports one-off events (auto-expiring) rather than a condition
    /// that holds and clears.
    pub fn is_event(self) -> bool {
        matches!(
            self,
            RuleKind::L7 | RuleKind::Lease | RuleKind::AddressList | RuleKind::Log
        )
    }

    /// Every kind, in the order the documentation lists them.
    pub const ALL: [RuleKind; 10] = [
        RuleKind::Unreachable,
        RuleKind::Cpu,
        RuleKind::Memory,
        RuleKind::Disk,
        RuleKind::Interface,
        RuleKind::Queue,
        RuleKind::L7,
        RuleKind::Lease,
        RuleKind::AddressList,
        RuleKind::Log,
    ];

    /// The name written in `noc.toml` (`address-list`, `cpu`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Unreachable => "unreachable",
            RuleKind::Cpu => "cpu",
            RuleKind::Memory => "memory",
            RuleKind::Disk => "disk",
            RuleKind::Interface => "interface",
            RuleKind::Queue => "queue",
            RuleKind::L7 => "l7",
            RuleKind::Lease => "lease",
            RuleKind::AddressList => "address-list",
            RuleKind::Log => "log",
        }
    }
}

impl FromStr for RuleKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<RuleKind, Error> {
        let t = s.trim();
        RuleKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "unknown rule kind {s:?} (unreachable, cpu, memory, disk, interface, queue, l7, lease, address-list or log)"
                ))
            })
    }
}

impl FromStr for LinkState {
    type Err = Error;
    fn from_str(s: &str) -> Result<LinkState, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "down" | "" => Ok(LinkState::Down),
            "up" => Ok(LinkState::Up),
            _ => Err(Error::BadInput(format!(
                "unknown link state {s:?} (down or up)"
            ))),
        }
    }
}

/// Link state an interface rule fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LinkState {
    /// Fire while the link is down.
    #[default]
    Down,
    /// Fire while the link is up (a backup line came up).
    Up,
}

/// One `[[rule]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RuleConfig {
    /// Unique name (used by `/mute` and in alert keys).
    pub name: String,
    /// What it watches.
    pub kind: RuleKind,
    /// How bad it is (default warning).
    #[serde(default)]
    pub severity: Severity,
    /// Chats to notify (default: every configured chat that takes alerts).
    #[serde(default)]
    pub chats: Vec<i64>,
    /// Routers it applies to, by name (default: all).
    #[serde(default)]
    pub routers: Vec<String>,
    /// How long the condition must hold before the alert fires.
    #[serde(default, rename = "for")]
    pub duration: Span,
    /// Failed checks before a router counts as down (`unreachable`; default 3).
    #[serde(default)]
    pub checks: Option<u32>,
    /// CPU percent (`cpu`; default 90).
    #[serde(default)]
    pub above: Option<f64>,
    /// Free memory or disk floor (`memory`, `disk`; default 10%).
    #[serde(default)]
    pub below: Option<Threshold>,
    /// Share of max-limit in percent (`queue`; default 90).
    #[serde(default)]
    pub percent: Option<u64>,
    /// Interface names (`interface`).
    #[serde(default)]
    pub interfaces: Vec<String>,
    /// Link state to fire on (`interface`).
    #[serde(default)]
    pub state: LinkState,
    /// Queue names (`queue`; default: all limited queues).
    #[serde(default)]
    pub queues: Vec<String>,
    /// Layer 7 protocol names (`l7`; default all).
    #[serde(default)]
    pub apps: Vec<String>,
    /// Address lists (`address-list`; default all).
    #[serde(default)]
    pub lists: Vec<String>,
    /// Case-insensitive substrings (`log`).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expressions (`log`).
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Log topics a line must have one of (`log`; default any).
    #[serde(default)]
    pub topics: Vec<String>,
    /// How long an event alert stays open after its last occurrence (default 10m).
    #[serde(default)]
    pub hold: Option<Span>,
    /// Chat channels it is sent to: `telegram`, `whatsapp` (default: both).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// `l7` and `lease`: chat gets one digest message per this interval instead of one
    /// message per event (default 10m; `0` sends each event at once). The dashboard's feed
    /// records every event either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Span>,
}

impl RuleConfig {
    /// A rule of `kind` with every option at its default.
    pub fn new(name: impl Into<String>, kind: RuleKind) -> RuleConfig {
        RuleConfig {
            name: name.into(),
            kind,
            severity: Severity::Warning,
            chats: Vec::new(),
            routers: Vec::new(),
            duration: Span(0),
            checks: None,
            above: None,
            below: None,
            percent: None,
            interfaces: Vec::new(),
            state: LinkState::Down,
            queues: Vec::new(),
            apps: Vec::new(),
            lists: Vec::new(),
            keywords: Vec::new(),
            regexes: Vec::new(),
            topics: Vec::new(),
            hold: None,
            channels: Vec::new(),
            digest: None,
        }
    }

    /// Sets the severity.
    pub fn severity(&mut self, s: Severity) -> &mut Self {
        self.severity = s;
        self
    }

    /// Sets how long the condition must hold.
    pub fn duration(&mut self, d: Span) -> &mut Self {
        self.duration = d;
        self
    }

    /// Sets the failed checks before "down".
    pub fn checks(&mut self, n: u32) -> &mut Self {
        self.checks = Some(n);
        self
    }

    /// Sets the keywords of a log rule.
    pub fn keywords<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, k: I) -> &mut Self {
        self.keywords = k.into_iter().map(Into::into).collect();
        self
    }

    /// The failed checks before "down" (default 3, at least 1).
    pub fn check_count(&self) -> u32 {
        self.checks.unwrap_or(3).max(1)
    }

    /// The event hold time (default 10 minutes).
    pub fn hold_secs(&self) -> i64 {
        self.hold.unwrap_or(Span(600)).secs()
    }

    /// Whether the kind can send digests (`l7`, `lease`).
    pub fn can_digest(&self) -> bool {
        matches!(self.kind, RuleKind::L7 | RuleKind::Lease)
    }

    /// The digest interval in seconds: 0 when events are sent one by one (every kind but
    /// `l7` and `lease`, or `digest = "0"`); default 10 minutes.
    pub fn digest_secs(&self) -> i64 {
        if !self.can_digest() {
            return 0;
        }
        self.digest.unwrap_or(Span(DEFAULT_DIGEST_SECS)).secs()
    }

    /// `; chat: a digest every 10m` or `; chat: each event` (`l7`, `lease`).
    fn digest_text(&self, lang: Lang) -> String {
        match self.digest_secs() {
            0 => tr!(lang, "rules-sum-each-event"),
            s => tr!(
                lang,
                "rules-sum-digest",
                every = Span(u64::try_from(s).unwrap_or(0)).to_string()
            ),
        }
    }

    /// Whether the rule applies to the router called `name`.
    pub fn applies_to(&self, name: &str) -> bool {
        self.routers.is_empty() || self.routers.iter().any(|r| r == name)
    }

    /// A one-line description of what the rule fires on (`above 90%`, `below 10%`, ...),
    /// without its duration, checks or severity.
    pub fn summary(&self) -> String {
        self.summary_in(Lang::En)
    }

    /// [`RuleConfig::summary`] in `lang`.
    pub fn summary_in(&self, lang: Lang) -> String {
        let list = |v: &[String], all: String| {
            if v.is_empty() {
                all
            } else {
                v.join(", ")
            }
        };
        match self.kind {
            RuleKind::Unreachable => tr!(
                lang,
                "rules-sum-unreachable",
                checks = self.check_count().to_string()
            ),
            RuleKind::Cpu => tr!(
                lang,
                "rules-sum-cpu",
                above = format!("{}", self.above.unwrap_or(90.0))
                    .replace('.', &lang.decimal(0.5, 1)[1..2])
            ),
            RuleKind::Memory | RuleKind::Disk => tr!(
                lang,
                "rules-sum-free-below",
                below = self.below.unwrap_or(Threshold::Percent(10.0)).to_string()
            ),
            RuleKind::Interface => tr!(
                lang,
                "rules-sum-interface",
                state = match self.state {
                    LinkState::Up => "up",
                    _ => "down",
                },
                interfaces = list(&self.interfaces, tr!(lang, "rules-p-interfaces"))
            ),
            RuleKind::Queue => tr!(
                lang,
                "rules-sum-queue",
                percent = self.percent.unwrap_or(90).to_string(),
                queues = list(&self.queues, tr!(lang, "rules-sum-every-queue"))
            ),
            RuleKind::L7 => format!(
                "{}{}",
                tr!(
                    lang,
                    "rules-sum-apps",
                    apps = list(&self.apps, tr!(lang, "rules-p-all"))
                ),
                self.digest_text(lang)
            ),
            RuleKind::Lease => {
                format!("{}{}", tr!(lang, "rules-sum-lease"), self.digest_text(lang))
            }
            RuleKind::AddressList => tr!(
                lang,
                "rules-sum-lists",
                lists = list(&self.lists, tr!(lang, "rules-p-all"))
            ),
            RuleKind::Log => {
                let mut parts = Vec::new();
                if !self.keywords.is_empty() {
                    parts.push(tr!(
                        lang,
                        "rules-sum-keywords",
                        list = self.keywords.join(", ")
                    ));
                }
                if !self.regexes.is_empty() {
                    parts.push(tr!(
                        lang,
                        "rules-sum-regexes",
                        list = self.regexes.join(", ")
                    ));
                }
                if !self.topics.is_empty() {
                    parts.push(tr!(lang, "rules-sum-topics", list = self.topics.join(", ")));
                }
                parts.join("; ")
            }
        }
    }
}

pub use super::book::{
    effective, merge, save_rule, saved_rules, ListedRule, RuleBook, RuleSource, SavedRule,
};

/// Checks a rule set: unique names, values in range, kind-specific options present.
pub fn validate(rules: &[RuleConfig]) -> Result<(), Error> {
    if rules.len() > MAX_RULES {
        return Err(Error::Config(format!("at most {MAX_RULES} rules")));
    }
    let mut names = std::collections::HashSet::new();
    for r in rules {
        let err = |m: &str| Error::Config(format!("rule {:?}: {m}", r.name));
        let valid_name = !r.name.is_empty()
            && r.name.len() <= 64
            && r.name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_name {
            return Err(err(
                "a name needs 1-64 letters, digits, '-' or '_' (it is typed in /mute)",
            ));
        }
        if !names.insert(r.name.as_str()) {
            return Err(err("the name is used twice"));
        }
        if let Some(c) = r
            .channels
            .iter()
            .find(|c| !["telegram", "whatsapp"].contains(&c.as_str()))
        {
            return Err(err(&format!(
                "unknown channel {c:?} (telegram or whatsapp)"
            )));
        }
        if let Some(a) = r.above {
            if !(0.0..=100.0).contains(&a) {
                return Err(err("`above` is a percentage (0-100)"));
            }
        }
        if let Some(p) = r.percent {
            if p == 0 || p > 1000 {
                return Err(err("`percent` must be 1-1000"));
            }
        }
        if r.digest.is_some_and(|d| d.0 > 0) && !r.can_digest() {
            return Err(err("`digest` applies to l7 and lease rules only"));
        }
        if r.kind == RuleKind::Log && r.keywords.is_empty() && r.regexes.is_empty() {
            return Err(err("a log rule needs `keywords` or `regexes`"));
        }
        for k in &r.keywords {
            if k.trim().is_empty() {
                return Err(err("empty keyword"));
            }
        }
        for re in &r.regexes {
            if re.len() > MAX_REGEX_LEN {
                return Err(err("regex too long"));
            }
            compile_regex(re).map_err(|e| err(&e))?;
        }
    }
    Ok(())
}

/// Compiles a log regex with bounded size (case-insensitive).
pub fn compile_regex(re: &str) -> Result<regex_automata::meta::Regex, String> {
    let syntax = regex_automata::util::syntax::Config::new()
        .case_insensitive(true)
        .nest_limit(64);
    regex_automata::meta::Builder::new()
        .syntax(syntax)
        .configure(
            regex_automata::meta::Config::new()
                .nfa_size_limit(Some(4 << 20))
                .hybrid_cache_capacity(2 << 20),
        )
        .build(re)
        .map_err(|e| format!("regex {re:?}: {e}"))
}

/// The rules used when `noc.toml` has none: router down (3 checks, critical), CPU above 90%
/// for 2 minutes, free memory and disk below 10%, interfaces that were up going down, a
/// queue at 95% of its limit for 5 minutes, new devices and Layer 7 apps starting (info, one
/// digest message per 10 minutes), and log lines about login failures or critical errors.
pub fn default_rules() -> Vec<RuleConfig> {
    let mut down = RuleConfig::new("router-down", RuleKind::Unreachable);
    down.severity(Severity::Critical);
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.duration(Span(120));
    let memory = RuleConfig::new("memory", RuleKind::Memory);
    let disk = RuleConfig::new("disk", RuleKind::Disk);
    let link = RuleConfig::new("link-down", RuleKind::Interface);
    let mut queue = RuleConfig::new("queue-full", RuleKind::Queue);
    queue.percent = Some(95);
    queue.severity(Severity::Info).duration(Span(300));
    let mut lease = RuleConfig::new("new-device", RuleKind::Lease);
    lease.severity(Severity::Info);
    let mut l7 = RuleConfig::new("l7", RuleKind::L7);
    l7.severity(Severity::Info);
    let mut log = RuleConfig::new("log", RuleKind::Log);
    log.keywords(["login failure", "critical"]);
    vec![down, cpu, memory, disk, link, queue, lease, l7, log]
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
