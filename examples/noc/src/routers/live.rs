//! What the dashboard knows about a router right now, and how it is read from `print` rows.

use std::sync::Arc;

use routeros_proto::Attributes;
use serde::Serialize;

/// Most series tracked by the downsampler (queues and interfaces of all routers).
pub const MAX_SERIES: usize = 200_000;
/// Most queues kept per router in the live state.
pub const MAX_QUEUES: usize = 100_000;
/// Most queue tree entries kept per router in the live state.
pub const MAX_TREES: usize = 10_000;

/// Connection state of a router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// Not yet connected.
    Connecting,
    /// Connected and answering.
    Up,
    /// Connected, but the last poll failed or timed out.
    Slow(String),
    /// Not reachable or login failed; retrying with backoff.
    Down(String),
}

impl Status {
    /// `connecting`, `up`, `slow` or `down`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Connecting => "connecting",
            Status::Up => "up",
            Status::Slow(_) => "slow",
            Status::Down(_) => "down",
        }
    }
}

/// `/system/resource` figures.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Resource {
    /// CPU load, percent.
    pub cpu_load: u64,
    /// Free memory, bytes.
    pub free_memory: u64,
    /// Total memory, bytes.
    pub total_memory: u64,
    /// Free disk, bytes.
    pub free_hdd: u64,
    /// Total disk, bytes.
    pub total_hdd: u64,
    /// Uptime as RouterOS prints it (`1w2d3h`).
    pub uptime: String,
    /// RouterOS version.
    pub version: String,
    /// Board name.
    pub board: String,
}

/// One interface with its current rates.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Interface {
    /// Name.
    pub name: String,
    /// Type (`ether`, `bridge`...).
    pub kind: String,
    /// Link up.
    pub running: bool,
    /// Administratively disabled.
    pub disabled: bool,
    /// Bytes received.
    pub rx_byte: u64,
    /// Bytes sent.
    pub tx_byte: u64,
    /// Receive rate, bits/s (from byte counter deltas).
    pub rx_bps: u64,
    /// Transmit rate, bits/s.
    pub tx_bps: u64,
}

/// One simple queue with its counters.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct QueueRow {
    /// RouterOS id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Target(s).
    pub target: String,
    /// Parent queue, empty for none.
    pub parent: String,
    /// Max limit upload, bits/s (0 = unlimited).
    pub max_up: u64,
    /// Max limit download.
    pub max_down: u64,
    /// Current rate upload, bits/s.
    pub rate_up: u64,
    /// Current rate download.
    pub rate_down: u64,
    /// Bytes upload.
    pub bytes_up: u64,
    /// Bytes download.
    pub bytes_down: u64,
    /// Dropped packets upload.
    pub dropped_up: u64,
    /// Dropped packets download.
    pub dropped_down: u64,
    /// Disabled.
    pub disabled: bool,
    /// Dynamic (created by DHCP/PPP/hotspot).
    pub dynamic: bool,
    /// Packet marks it takes.
    pub packet_marks: String,
    /// Comment.
    pub comment: String,
}

impl QueueRow {
    /// Highest share of max-limit in use, in percent (0 when unlimited).
    pub fn usage_percent(&self) -> u64 {
        let pct = |r: u64, m: u64| r.saturating_mul(100).checked_div(m).unwrap_or(0);
        pct(self.rate_up, self.max_up).max(pct(self.rate_down, self.max_down))
    }
}

/// One `/queue tree` entry with its counters (trees are one-directional: one rate).
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct TreeRow {
    /// RouterOS id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `global`, an interface, or another tree's name.
    pub parent: String,
    /// Packet marks it takes.
    pub packet_marks: String,
    /// Queue type.
    pub queue: String,
    /// Max limit, bits/s (0 = unlimited).
    pub max_limit: u64,
    /// Limit at, bits/s.
    pub limit_at: u64,
    /// Current rate, bits/s.
    pub rate: u64,
    /// Bytes.
    pub bytes: u64,
    /// Dropped packets.
    pub dropped: u64,
    /// Bytes waiting in the queue.
    pub queued_bytes: u64,
    /// Disabled.
    pub disabled: bool,
    /// Comment.
    pub comment: String,
    /// Depth under its root (0: parent is `global` or an interface), set by [`tree_rows`].
    pub depth: usize,
}

impl TreeRow {
    /// Share of max-limit in use, in percent (0 when unlimited).
    pub fn usage_percent(&self) -> u64 {
        self.rate
            .saturating_mul(100)
            .checked_div(self.max_limit)
            .unwrap_or(0)
    }
}

fn rate(a: &Attributes, k: &str) -> u64 {
    text(a, k)
        .parse::<queue_model::Rate>()
        .map(|r| r.0)
        .unwrap_or(0)
}

/// Reads queue tree rows as `print` returns them (at most [`MAX_TREES`]), ordered as a tree:
/// each entry followed by its children, with their depth. Entries whose parent chain loops
/// come last, at depth 0.
pub fn tree_rows(rows: &[Attributes]) -> Vec<TreeRow> {
    let flat: Vec<TreeRow> = rows
        .iter()
        .take(MAX_TREES)
        .map(|a| TreeRow {
            id: text(a, ".id"),
            name: text(a, "name"),
            parent: text(a, "parent"),
            packet_marks: text(a, "packet-mark"),
            queue: text(a, "queue"),
            max_limit: rate(a, "max-limit"),
            limit_at: rate(a, "limit-at"),
            rate: num(a, "rate"),
            bytes: num(a, "bytes"),
            dropped: num(a, "dropped"),
            queued_bytes: num(a, "queued-bytes"),
            disabled: flag(a, "disabled"),
            comment: text(a, "comment"),
            depth: 0,
        })
        .collect();
    let parent_of: Vec<Option<usize>> = flat
        .iter()
        .enumerate()
        .map(|(i, t)| {
            flat.iter()
                .position(|p| p.name == t.parent)
                .filter(|&p| p != i)
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); flat.len()];
    let mut roots = Vec::new();
    for (i, p) in parent_of.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    // Depth-first without recursion; each entry is placed once.
    let mut placed = vec![false; flat.len()];
    let mut out = Vec::with_capacity(flat.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut placed[i], true) {
            continue;
        }
        let mut row = flat[i].clone();
        row.depth = depth;
        out.push(row);
        for &c in children[i].iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    for (i, t) in flat.iter().enumerate() {
        if !placed[i] {
            out.push(t.clone());
        }
    }
    out
}

/// A Layer 7 protocol with what the firewall does with it.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct L7Rule {
    /// RouterOS id.
    pub id: String,
    /// Name (the app).
    pub name: String,
    /// The pattern.
    pub regexp: String,
    /// Comment.
    pub comment: String,
    /// Packets counted by the firewall rules that use it.
    pub hit_packets: u64,
    /// Bytes counted by those rules.
    pub hit_bytes: u64,
    /// Queues its packet marks feed.
    pub feeds: Vec<String>,
    /// Log prefixes of the rules that log its matches.
    pub log_prefixes: Vec<String>,
}

/// Everything known about a router right now.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RouterLive {
    /// Connection state.
    pub status: Status,
    /// Unix time of the last successful poll.
    pub last_ok: Option<i64>,
    /// Resource figures.
    pub resource: Option<Resource>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// Simple queues, in router order.
    #[serde(skip)]
    pub queues: Arc<Vec<QueueRow>>,
    /// Queue trees, parents before children.
    #[serde(skip)]
    pub trees: Arc<Vec<TreeRow>>,
    /// Layer 7 protocols.
    pub l7: Vec<L7Rule>,
    /// Successful polls.
    pub polls_ok: u64,
    /// Failed polls (timeouts, traps, disconnects).
    pub polls_failed: u64,
    /// Connection attempts.
    pub connects: u64,
    /// Duration of the last poll, ms.
    pub last_poll_ms: u64,
}

impl Default for RouterLive {
    fn default() -> Self {
        RouterLive {
            status: Status::Connecting,
            last_ok: None,
            resource: None,
            interfaces: Vec::new(),
            queues: Arc::new(Vec::new()),
            trees: Arc::new(Vec::new()),
            l7: Vec::new(),
            polls_ok: 0,
            polls_failed: 0,
            connects: 0,
            last_poll_ms: 0,
        }
    }
}

pub(crate) fn num(a: &Attributes, k: &str) -> u64 {
    a.get_str(k)
        .and_then(Result::ok)
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) fn text(a: &Attributes, k: &str) -> String {
    a.get_string_lossy(k).unwrap_or_default()
}

pub(crate) fn flag(a: &Attributes, k: &str) -> bool {
    matches!(a.get_str(k).and_then(Result::ok), Some("true" | "yes"))
}

/// Parses `up/down` pairs of rates (`1000/2000`, `2M/5M`).
pub fn pair(a: &Attributes, k: &str) -> (u64, u64) {
    let s = text(a, k);
    let (u, d) = s.split_once('/').unwrap_or((&s, &s));
    let p = |x: &str| x.parse::<queue_model::Rate>().map(|r| r.0).unwrap_or(0);
    (p(u), p(d))
}

/// Reads a queue row as `print` returns it.
pub fn queue_row(a: &Attributes) -> QueueRow {
    let (max_up, max_down) = pair(a, "max-limit");
    let (rate_up, rate_down) = pair(a, "rate");
    let (bytes_up, bytes_down) = pair(a, "bytes");
    let (dropped_up, dropped_down) = pair(a, "dropped");
    let parent = text(a, "parent");
    QueueRow {
        id: text(a, ".id"),
        name: text(a, "name"),
        target: text(a, "target"),
        parent: if parent == "none" {
            String::new()
        } else {
            parent
        },
        max_up,
        max_down,
        rate_up,
        rate_down,
        bytes_up,
        bytes_down,
        dropped_up,
        dropped_down,
        disabled: flag(a, "disabled"),
        dynamic: flag(a, "dynamic"),
        packet_marks: text(a, "packet-marks"),
        comment: text(a, "comment"),
    }
}

/// Works out hit counters, fed queues and log prefixes of each Layer 7 protocol from the
/// firewall rules that use it.
pub fn l7_rules(
    l7: &[Attributes],
    mangle: &[Attributes],
    filter: &[Attributes],
    queues: &[QueueRow],
) -> Vec<L7Rule> {
    let mut out = Vec::new();
    for p in l7 {
        let name = text(p, "name");
        let mut rule = L7Rule {
            id: text(p, ".id"),
            regexp: text(p, "regexp"),
            comment: text(p, "comment"),
            ..L7Rule::default()
        };
        let mut marks = Vec::new();
        for r in mangle.iter().chain(filter) {
            if text(r, "layer7-protocol") != name || flag(r, "disabled") {
                continue;
            }
            rule.hit_packets += num(r, "packets");
            rule.hit_bytes += num(r, "bytes");
            if flag(r, "log") {
                rule.log_prefixes.push(text(r, "log-prefix"));
            }
            let pm = text(r, "new-packet-mark");
            if !pm.is_empty() {
                marks.push(pm);
            }
            let cm = text(r, "new-connection-mark");
            if !cm.is_empty() {
                for r2 in mangle {
                    if text(r2, "connection-mark") == cm {
                        let pm = text(r2, "new-packet-mark");
                        if !pm.is_empty() {
                            marks.push(pm);
                        }
                    }
                }
            }
        }
        for q in queues {
            if q.packet_marks
                .split(',')
                .any(|m| marks.iter().any(|x| x == m.trim()))
            {
                rule.feeds.push(q.name.clone());
            }
        }
        rule.name = name;
        out.push(rule);
    }
    out
}

/// Reads a firewall log line (`PREFIX CHAIN: in:... proto TCP, SRC:PORT->DST:PORT, len N`)
/// and returns the source host, if the line starts with one of `prefixes`.
pub fn parse_firewall_line<'a>(message: &str, rules: &'a [L7Rule]) -> Option<(String, &'a L7Rule)> {
    let rule = rules.iter().find(|r| {
        r.log_prefixes
            .iter()
            .any(|p| !p.is_empty() && message.starts_with(p.as_str()))
    })?;
    let after = message.split("proto ").nth(1)?;
    let flow = after.split(", ").nth(1)?;
    let src = flow.split("->").next()?;
    let host = match src.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => src,
    };
    Some((host.trim().to_owned(), rule))
}
