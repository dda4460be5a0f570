//! Validation: what RouterOS would refuse (errors) and known misconfigurations (warnings).
//!
//! Every [`Diagnostic`] has a stable [`code`](Diagnostic::code), the item it concerns and a
//! plain-language message. Codes:
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `missing-target` | error | a queue without `target` |
//! | `duplicate-name` | error | two queues (or two Layer 7 protocols) with one name |
//! | `unknown-parent` | error | `parent=` names no queue |
//! | `parent-cycle` | error | a queue is its own ancestor |
//! | `too-deep` | error | nesting deeper than [`MAX_DEPTH`] levels |
//! | `priority-range` | error | priority outside 1..8 |
//! | `bucket-size-range` | error | bucket-size outside 0..10 |
//! | `burst-limit-not-above-max-limit` | error | a burst-limit that is not above max-limit |
//! | `limit-at-above-max-limit` | error | limit-at above max-limit |
//! | `unknown-layer7-protocol` | error | a rule names a Layer 7 protocol that does not exist |
//! | `layer7-regexp` | error/warning | a problem in a Layer 7 regexp |
//! | `burst-threshold-outside` | warning | burst-threshold not between limit-at and max-limit |
//! | `burst-without-time` | warning | burst values with burst-time 0 (burst never happens) |
//! | `children-limit-at-exceed-parent` | warning | children's limit-at sum above the parent's max-limit |
//! | `child-max-limit-above-parent` | warning | a child may never reach its max-limit |
//! | `priority-on-inner-queue` | warning | priority only matters on leaf queues |
//! | `priority-without-max-limit` | warning | priority has no effect with max-limit 0 |
//! | `shadowed-queue` | warning | an earlier queue's target covers this one's (first match wins) |
//! | `packet-mark-never-set` | warning | a packet-mark no mangle rule sets |
//! | `layer7-unused` | warning | a Layer 7 protocol no rule uses |
//! | `duplicate-name` | error | two hotspot user profiles, two hotspot users of one server, two PPP profiles or two PPP secrets with one name |
//! | `unknown-profile` | error | a hotspot user or PPP secret names a profile that does not exist (the built-in `default`, and for PPP `default-encryption`, always exist) |
//! | `bad-rate-limit` | error | a profile's rate-limit does not parse (the message names the part) |
//! | `rate-limit-priority-range` | error | rate-limit priority outside 1..8 |
//! | `rate-limit-min-above-rate` | error | rate-limit rate-min above the rate |
//! | `rate-limit-burst-not-above-rate` | warning | a burst rate that is not above the rate (never bursts) |
//! | `rate-limit-burst-without-time` | warning | a burst rate with burst-time 0 (never bursts) |
//! | `rate-limit-threshold-above-rate` | warning | a burst threshold above the rate (keeps the threshold after bursts) |
//! | `shared-users-zero` | error | `shared-users=0` |
//! | `netwatch-invalid` | error | a netwatch entry without `host`, or `interval`/`timeout` outside 10ms..1w |
//! | `duplicate-netwatch` | warning | two enabled netwatch entries probe the same host the same way |
//! | `netwatch-timeout` | warning | a netwatch `timeout` longer than its `interval` |
//! | `mikhmon-header` | warning | an on-login that starts like MIKHMON's header but does not parse |
//! | `limit-bytes-above-total` | warning | a hotspot user's limit-bytes-in/-out above its limit-bytes-total |
//! | `caller-id-format` | error/warning | a PPPoE caller-id that is not a MAC in capitals (error); a PPTP/L2TP/SSTP/OVPN caller-id that is not an address, or a lower-case MAC on service `any` (warning) |
//! | `tree-packet-mark-never-set` | warning | a queue tree's packet-mark is set by no enabled mark-packet rule (`no-mark` needs none) |
//! | `connection-mark-as-packet-mark` | warning | a queue (tree or simple) takes a mark that only mark-connection rules set |
//! | `mangle-rule-unreachable` | warning | an earlier rule of the chain with passthrough=no (or accept/drop) matches every packet of this marking rule |
//! | `mark-overwritten` | warning | a mark set with passthrough=yes is replaced by a later rule of the chain that matches all those packets |
//! | `global-mark-both-directions` | warning | a tree under `global` takes a mark set on both directions of the traffic |
//! | `unknown-queue-type` | error | a tree's `queue=` is neither in `/queue type` nor built in |
//! | `pcq-without-limit` | warning | a PCQ leaf with pcq-rate=0 and no max-limit on it or above it |
//! | `fasttrack-bypasses-queues` | warning | an enabled fasttrack-connection filter rule while queues shape marked traffic |
//! | `shaped-twice` | warning | a simple queue and a queue tree take the same packet mark |
//! | `duplicate-mangle-comment` | error | two mangle rules with one comment (plans address mangle rules by comment) |
//! | `too-many-packet-marks` | error | more than [`MAX_PACKET_MARKS`](crate::MAX_PACKET_MARKS) distinct packet marks |
//!
//! Queue trees also get `duplicate-name`, `parent-cycle`, `too-deep`, `priority-range`,
//! `bucket-size-range`, `limit-at-above-max-limit`, `burst-limit-not-above-max-limit`,
//! `burst-threshold-outside`, `burst-without-time`, `children-limit-at-exceed-parent`,
//! `child-max-limit-above-parent` and `priority-on-inner-queue`, with the meaning above. Where
//! there is an obvious correction, [`Diagnostic::fix`] says it.
//!

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::{Action, Config, Layer7Protocol, SimpleQueue};
use crate::text::Text;
use crate::value::{Direction, Rate, Target};

/// Deepest queue nesting RouterOS allows for simple queues: HTB has 8 levels and the first is
/// the interface queue (MikroTik *Queues* manual).
pub const MAX_DEPTH: usize = 7;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// RouterOS would refuse the configuration.
    Error,
    /// RouterOS accepts it, but it does not do what its author most likely meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// The item a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// A simple queue, by name.
    Queue(Text),
    /// A Layer 7 protocol, by name.
    Layer7Protocol(Text),
    /// A mangle rule, by 0-based position.
    MangleRule(usize),
    /// A filter rule, by 0-based position.
    FilterRule(usize),
    /// A hotspot user, by name.
    HotspotUser(Text),
    /// A hotspot user profile, by name.
    HotspotUserProfile(Text),
    /// A PPP secret, by name.
    PppSecret(Text),
    /// A PPP profile, by name.
    PppProfile(Text),
    /// A queue tree entry, by name.
    QueueTree(Text),
    /// A queue type, by name.
    QueueType(Text),
    /// A netwatch entry, by 0-based position.
    Netwatch(usize),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Queue(n) => write!(f, "queue `{n}`"),
            Subject::Layer7Protocol(n) => write!(f, "layer7-protocol `{n}`"),
            Subject::MangleRule(i) => write!(f, "mangle rule {i}"),
            Subject::FilterRule(i) => write!(f, "filter rule {i}"),
            Subject::HotspotUser(n) => write!(f, "hotspot user `{n}`"),
            Subject::HotspotUserProfile(n) => write!(f, "hotspot user profile `{n}`"),
            Subject::PppSecret(n) => write!(f, "PPP secret `{n}`"),
            Subject::PppProfile(n) => write!(f, "PPP profile `{n}`"),
            Subject::QueueTree(n) => write!(f, "queue tree `{n}`"),
            Subject::QueueType(n) => write!(f, "queue type `{n}`"),
            Subject::Netwatch(i) => write!(f, "netwatch entry {i}"),
        }
    }
}

/// One finding of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (see the module docs).
    pub code: &'static str,
    /// What it is about.
    pub subject: Subject,
    /// A plain-language explanation.
    pub message: String,
    /// How to correct it, when there is one obvious way.
    pub fix: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        code: &'static str,
        subject: Subject,
        message: String,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            subject,
            message,
            fix: None,
        }
    }

    pub(crate) fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The queue's name, when the diagnostic is about a queue.
    pub fn queue(&self) -> Option<&Text> {
        match &self.subject {
            Subject::Queue(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]: {}: {}",
            self.severity, self.code, self.subject, self.message
        )?;
        if let Some(fix) = &self.fix {
            write!(f, " (fix: {fix})")?;
        }
        Ok(())
    }
}

fn err(code: &'static str, q: &SimpleQueue, msg: String) -> Diagnostic {
    Diagnostic::new(Severity::Error, code, Subject::Queue(q.name.clone()), msg)
}

fn warn(code: &'static str, q: &SimpleQueue, msg: String) -> Diagnostic {
    Diagnostic::new(Severity::Warning, code, Subject::Queue(q.name.clone()), msg)
}

/// The parent index of every queue (`None`: top level or unknown parent).
pub(crate) fn parent_indices(
    queues: &[SimpleQueue],
) -> (Vec<Option<usize>>, HashMap<&[u8], usize>) {
    let mut by_name: HashMap<&[u8], usize> = HashMap::with_capacity(queues.len());
    for (i, q) in queues.iter().enumerate() {
        by_name.entry(q.name.as_bytes()).or_insert(i);
    }
    let parents = queues
        .iter()
        .map(|q| q.parent.as_deref().and_then(|p| by_name.get(p).copied()))
        .collect();
    (parents, by_name)
}

/// Depth of every queue (1 = top level); `None` for queues in or under a cycle.
pub(crate) fn depths(parents: &[Option<usize>]) -> Vec<Option<usize>> {
    const UNKNOWN: usize = usize::MAX;
    let n = parents.len();
    let mut depth = vec![UNKNOWN; n];
    let mut cyclic = vec![false; n];
    // `mark[i] == start` while `i` is on the path walked from `start`: O(n) overall.
    let mut mark = vec![UNKNOWN; n];
    let mut path = Vec::new();
    for start in 0..n {
        if depth.get(start) != Some(&UNKNOWN) {
            continue;
        }
        // Walk up until a known depth, the top, or a node of this walk (a cycle).
        path.clear();
        let mut cur = Some(start);
        let mut base = 0usize;
        let mut cycle = false;
        while let Some(i) = cur {
            match depth.get(i) {
                Some(&d) if d != UNKNOWN => {
                    base = d;
                    cycle = cyclic.get(i).copied().unwrap_or(false);
                    break;
                }
                _ => {}
            }
            match mark.get_mut(i) {
                Some(m) if *m == start => {
                    cycle = true;
                    break;
                }
                Some(m) => *m = start,
                None => break,
            }
            path.push(i);
            cur = parents.get(i).copied().flatten();
        }
        for (k, &i) in path.iter().rev().enumerate() {
            if let (Some(d), Some(c)) = (depth.get_mut(i), cyclic.get_mut(i)) {
                *d = base.saturating_add(k + 1);
                *c = cycle;
            }
        }
    }
    depth
        .into_iter()
        .zip(cyclic)
        .map(|(d, c)| (!c).then_some(d))
        .collect()
}

/// Checks a configuration; diagnostics come in queue order, then Layer 7 protocols, queue
/// trees and types, mangle and filter rules, hotspot and PPP items.
///
/// ```
/// let cfg = queue_model::rsc::parse(
///     "/queue simple\nadd name=a target=10.0.0.1 limit-at=5M/5M max-limit=2M/2M\n",
/// )?;
/// let d = queue_model::validate(&cfg);
/// assert_eq!(d[0].code, "limit-at-above-max-limit");
/// assert!(d[0].is_error());
/// # Ok::<(), queue_model::RscError>(())
/// ```
pub fn validate(config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let queues = &config.queues;
    let (parents, by_name) = parent_indices(queues);
    let depth = depths(&parents);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); queues.len()];
    for (i, p) in parents.iter().enumerate() {
        if let Some(c) = p.and_then(|p| children.get_mut(p)) {
            c.push(i);
        }
    }
    let marks_set: HashSet<&[u8]> = config
        .mangle
        .iter()
        .filter(|r| !r.disabled && r.action == Action::MarkPacket)
        .filter_map(|r| r.new_packet_mark.as_deref())
        .collect();
    let shadows = shadowing(queues, &parents, &children);

    let mut seen: HashSet<&[u8]> = HashSet::new();
    for (i, q) in queues.iter().enumerate() {
        if q.target.is_empty() {
            out.push(err(
                "missing-target",
                q,
                "the queue has no target; RouterOS needs at least one address or interface".into(),
            ));
        }
        if !seen.insert(q.name.as_bytes()) {
            out.push(err(
                "duplicate-name",
                q,
                "another queue already has this name".into(),
            ));
        }
        let parent = parents.get(i).copied().flatten();
        if let Some(p) = &q.parent {
            if !by_name.contains_key(p.as_bytes()) {
                out.push(err(
                    "unknown-parent",
                    q,
                    format!("parent `{p}` is not a queue in this configuration"),
                ));
            }
        }
        match depth.get(i).copied().flatten() {
            None => out.push(err(
                "parent-cycle",
                q,
                "the queue's parent chain leads back to itself".into(),
            )),
            Some(d) if d > MAX_DEPTH => out.push(err(
                "too-deep",
                q,
                format!("the queue is nested {d} levels deep; RouterOS allows {MAX_DEPTH}"),
            )),
            _ => {}
        }
        for dir in Direction::BOTH {
            let prio = *q.priority.get(dir);
            if !(1..=8).contains(&prio) {
                out.push(err(
                    "priority-range",
                    q,
                    format!("{dir} priority {prio} is outside 1..8"),
                ));
            }
            let bucket = *q.bucket_size.get(dir);
            if bucket.thousandths() > 10_000 {
                out.push(err(
                    "bucket-size-range",
                    q,
                    format!("{dir} bucket-size {bucket} is outside 0..10"),
                ));
            }
            let (la, ml, bl, bt) = (
                *q.limit_at.get(dir),
                *q.max_limit.get(dir),
                *q.burst_limit.get(dir),
                *q.burst_threshold.get(dir),
            );
            if !bl.is_zero() && !ml.is_zero() && bl <= ml {
                out.push(err(
                    "burst-limit-not-above-max-limit",
                    q,
                    format!("{dir} burst-limit {bl} must be above max-limit {ml}"),
                ));
            }
            if !ml.is_zero() && la > ml {
                out.push(err(
                    "limit-at-above-max-limit",
                    q,
                    format!("{dir} limit-at {la} is above max-limit {ml}"),
                ));
            }
            if !bl.is_zero() && (bt <= la || (!ml.is_zero() && bt >= ml)) {
                out.push(warn(
                    "burst-threshold-outside",
                    q,
                    format!(
                        "{dir} burst-threshold {bt} should be above limit-at {la} and below \
                         max-limit {ml}, or burst is always or never allowed"
                    ),
                ));
            }
            if (!bl.is_zero() || !bt.is_zero()) && q.burst_time.get(dir).is_zero() {
                out.push(warn(
                    "burst-without-time",
                    q,
                    format!("{dir} burst values are set but burst-time is 0s, so the queue never bursts"),
                ));
            }
            let kids = children.get(i).map(Vec::as_slice).unwrap_or_default();
            if !kids.is_empty() && !ml.is_zero() {
                let sum: u64 = kids
                    .iter()
                    .filter_map(|&c| queues.get(c))
                    .map(|c| c.limit_at.get(dir).0)
                    .fold(0u64, u64::saturating_add);
                if sum > ml.0 {
                    out.push(warn(
                        "children-limit-at-exceed-parent",
                        q,
                        format!(
                            "the children's {dir} limit-at add up to {}, above this queue's \
                             max-limit {ml}; the guarantees cannot all be met",
                            Rate(sum)
                        ),
                    ));
                }
            }
            if let Some(pq) = parent.and_then(|p| queues.get(p)) {
                let pml = *pq.max_limit.get(dir);
                if !pml.is_zero() && (ml.is_zero() || ml > pml) {
                    out.push(warn(
                        "child-max-limit-above-parent",
                        q,
                        format!(
                            "{dir} max-limit {ml} is above parent `{}`'s max-limit {pml}; the \
                             queue can never reach it",
                            pq.name
                        ),
                    ));
                }
            }
            if prio != 8 && (1..=8).contains(&prio) {
                if !kids.is_empty() {
                    out.push(warn(
                        "priority-on-inner-queue",
                        q,
                        format!("{dir} priority {prio} has no effect: priority only applies to leaf queues"),
                    ));
                } else if ml.is_zero() {
                    out.push(warn(
                        "priority-without-max-limit",
                        q,
                        format!("{dir} priority {prio} has no effect while max-limit is 0"),
                    ));
                }
            }
        }
        if let Some(&Some(a)) = shadows.get(i) {
            if let Some(aq) = queues.get(a) {
                out.push(warn(
                    "shadowed-queue",
                    q,
                    format!(
                        "queue `{}` comes first and its target covers this queue's, so this \
                         queue never sees traffic",
                        aq.name
                    ),
                ));
            }
        }
        for m in &q.packet_marks {
            if !marks_set.contains(m.as_bytes()) {
                out.push(warn(
                    "packet-mark-never-set",
                    q,
                    format!("no enabled mangle rule sets packet-mark `{m}`"),
                ));
            }
        }
    }
    check_layer7(config, &mut out);
    crate::tree_check::check(config, &mut out);
    crate::hotspot::check(config, &mut out);
    crate::ppp::check(config, &mut out);
    crate::netwatch::check(config, &mut out);
    out
}

/// For each queue, the first earlier queue whose targets cover all of its targets.
fn shadowing(
    queues: &[SimpleQueue],
    parents: &[Option<usize>],
    children: &[Vec<usize>],
) -> Vec<Option<usize>> {
    // Queues that match any packet to their target: enabled leaves without further conditions.
    let mut index: HashMap<&Target, Vec<usize>> = HashMap::new();
    // Prefix lengths present in the index (bit i: /i), so lookups skip absent lengths.
    let mut lens4: u64 = 0;
    let mut lens6: [u64; 3] = [0; 3];
    let mut out = vec![None; queues.len()];
    for (i, q) in queues.iter().enumerate() {
        if !q.target.is_empty() && !q.disabled {
            // Candidates covering every target of q.
            let mut common: Option<Vec<usize>> = None;
            for t in &q.target {
                let mut here: Vec<usize> = covering(t, lens4, &lens6)
                    .iter()
                    .filter_map(|c| index.get(c))
                    .flatten()
                    .copied()
                    .collect();
                here.sort_unstable();
                here.dedup();
                common = Some(match common {
                    None => here,
                    Some(prev) => prev
                        .into_iter()
                        .filter(|x| here.binary_search(x).is_ok())
                        .collect(),
                });
                if common.as_ref().is_some_and(Vec::is_empty) {
                    break;
                }
            }
            if let (Some(slot), Some(c)) = (out.get_mut(i), common) {
                if !c.is_empty() {
                    let ancestors = ancestors_of(i, parents);
                    *slot = c.into_iter().find(|a| !ancestors.contains(a));
                }
            }
        }
        let eligible = !q.disabled
            && q.dst.is_none()
            && q.packet_marks.is_empty()
            && q.time.is_none()
            && children.get(i).is_none_or(Vec::is_empty);
        if eligible {
            for t in &q.target {
                match t {
                    Target::Ipv4 { len, .. } => lens4 |= 1u64 << (*len).min(63),
                    Target::Ipv6 { len, .. } => {
                        if let Some(w) = lens6.get_mut(usize::from(*len / 64)) {
                            *w |= 1u64 << (len % 64);
                        }
                    }
                    _ => {}
                }
                index.entry(t).or_default().push(i);
            }
        }
    }
    out
}

fn ancestors_of(i: usize, parents: &[Option<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = parents.get(i).copied().flatten();
    while let Some(p) = cur {
        if out.contains(&p) || out.len() > MAX_DEPTH * 4 {
            break;
        }
        out.push(p);
        cur = parents.get(p).copied().flatten();
    }
    out
}

/// Every target that covers `t` (its supernets whose length is in the masks, or itself for
/// an interface).
fn covering(t: &Target, lens4: u64, lens6: &[u64; 3]) -> Vec<Target> {
    let has6 = |l: u8| {
        lens6
            .get(usize::from(l / 64))
            .is_some_and(|w| w & (1u64 << (l % 64)) != 0)
    };
    match t {
        Target::Ipv4 { addr, len } => (0..=*len)
            .filter(|l| lens4 & (1u64 << l) != 0)
            .map(|l| Target::Ipv4 {
                addr: crate::value::mask4(*addr, l),
                len: l,
            })
            .collect(),
        Target::Ipv6 { addr, len } => (0..=*len)
            .filter(|l| has6(*l))
            .map(|l| Target::Ipv6 {
                addr: crate::value::mask6(*addr, l),
                len: l,
            })
            .collect(),
        other => vec![other.clone()],
    }
}

fn check_layer7(config: &Config, out: &mut Vec<Diagnostic>) {
    let used: HashSet<&[u8]> = config
        .mangle
        .iter()
        .chain(&config.filter)
        .filter_map(|r| r.layer7_protocol.as_deref())
        .collect();
    let mut seen = HashSet::new();
    for p in &config.layer7_protocols {
        let subject = Subject::Layer7Protocol(p.name.clone());
        if !seen.insert(p.name.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "duplicate-name",
                subject.clone(),
                "another layer7-protocol already has this name".into(),
            ));
        }
        out.extend(check_layer7_regexp(p));
        if !used.contains(p.name.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Warning,
                "layer7-unused",
                subject,
                "no mangle or filter rule uses this layer7-protocol".into(),
            ));
        }
    }
    let names: HashSet<&[u8]> = config
        .layer7_protocols
        .iter()
        .map(|p| p.name.as_bytes())
        .collect();
    let rules = config
        .mangle
        .iter()
        .enumerate()
        .map(|(i, r)| (Subject::MangleRule(i), r))
        .chain(
            config
                .filter
                .iter()
                .enumerate()
                .map(|(i, r)| (Subject::FilterRule(i), r)),
        );
    for (subject, r) in rules {
        if let Some(l7) = &r.layer7_protocol {
            if !names.contains(l7.as_bytes()) {
                out.push(Diagnostic::new(
                    Severity::Error,
                    "unknown-layer7-protocol",
                    subject,
                    format!("layer7-protocol `{l7}` is not defined"),
                ));
            }
        }
    }
}

/// Checks a Layer 7 protocol's regexp with `l7-patterns`' linter: its errors (a pattern
/// RouterOS rejects or that cannot match what it seems to) and warnings become `layer7-regexp`
/// diagnostics whose message starts with the linter's own code (`L7E001`...); hints are dropped.
pub fn check_layer7_regexp(p: &Layer7Protocol) -> Vec<Diagnostic> {
    let subject = Subject::Layer7Protocol(p.name.clone());
    if p.regexp.is_empty() {
        return vec![Diagnostic::new(
            Severity::Error,
            "layer7-regexp",
            subject,
            "the regexp is empty".into(),
        )];
    }
    let Ok(regexp) = p.regexp.as_str() else {
        return vec![Diagnostic::new(
            Severity::Warning,
            "layer7-regexp",
            subject,
            format!(
                "the regexp holds bytes that are not UTF-8 text (`{}`); it was not checked",
                p.regexp.escape()
            ),
        )];
    };
    l7_patterns::lint(regexp)
        .into_iter()
        .filter_map(|d| {
            let severity = match d.severity {
                l7_patterns::Severity::Error => Severity::Error,
                l7_patterns::Severity::Warning => Severity::Warning,
                _ => return None,
            };
            let mut message = format!(
                "{}: {} (regexp bytes {}..{})",
                d.code, d.message, d.span.start, d.span.end
            );
            if let Some(fix) = &d.fix {
                message.push_str(&format!("; suggested: `{fix}`"));
            }
            Some(Diagnostic::new(
                severity,
                "layer7-regexp",
                subject.clone(),
                message,
            ))
        })
        .collect()
}
