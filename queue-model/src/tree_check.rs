//! Validation of queue trees, queue types, and the mangle and filter rules that feed them.
//!
//! Sources: MikroTik's *Queues* (queue tree, PCQ), *HTB*, *Mangle* and *Packet Flow in RouterOS*
//! pages (help.mikrotik.com), and where noted the old wiki (*Manual:Queue*, *Manual:Queues -
//! PCQ*). Rule comparisons are conservative: a rule is said to cover another only when every
//! matcher it has appears, with the same value, on the other.

use std::collections::{HashMap, HashSet};

use crate::model::{Action, Config, FirewallRule};
use crate::text::Text;
use crate::tree::QueueTree;
use crate::validate::{depths, Diagnostic, Severity, Subject, MAX_DEPTH};
use crate::value::Rate;

/// Most distinct packet marks RouterOS keeps (MikroTik *Mangle* manual).
pub const MAX_PACKET_MARKS: usize = 4096;

/// Matchers that do not tell a packet's direction: a mark set by a rule with only these
/// matches both directions of a connection.
const DIRECTIONLESS: &[&str] = &[
    "connection-mark",
    "connection-state",
    "layer7-protocol",
    "packet-mark",
    "protocol",
    "connection-type",
    "connection-nat-state",
];

fn tree_diag(sev: Severity, code: &'static str, t: &QueueTree, msg: String) -> Diagnostic {
    Diagnostic::new(sev, code, Subject::QueueTree(t.name.clone()), msg)
}

fn mangle_diag(sev: Severity, code: &'static str, i: usize, msg: String) -> Diagnostic {
    Diagnostic::new(sev, code, Subject::MangleRule(i), msg)
}

/// The tree index of every tree's parent (`None`: `global`, an interface, or unknown).
pub(crate) fn tree_parents(trees: &[QueueTree]) -> Vec<Option<usize>> {
    let mut by_name: HashMap<&[u8], usize> = HashMap::with_capacity(trees.len());
    for (i, t) in trees.iter().enumerate() {
        by_name.entry(t.name.as_bytes()).or_insert(i);
    }
    trees
        .iter()
        .map(|t| by_name.get(t.parent.as_bytes()).copied())
        .collect()
}

pub(crate) fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    check_trees(config, out);
    check_mangle_order(&config.mangle, out);
    check_mangle_comments(&config.mangle, out);
    check_mark_count(&config.mangle, out);
    check_fasttrack(config, out);
}

/// Plans address mangle rules by comment: two rules with one comment cannot both be planned.
fn check_mangle_comments(rules: &[FirewallRule], out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for (i, r) in rules.iter().enumerate() {
        let Some(c) = r.comment.as_ref() else {
            continue;
        };
        if !seen.insert(c.as_bytes()) {
            out.push(mangle_diag(
                Severity::Error,
                "duplicate-mangle-comment",
                i,
                format!(
                    "another mangle rule already has the comment {:?}; plans find mangle rules \
                     by comment, so each needs its own",
                    c.to_string_lossy()
                ),
            ));
        }
    }
}

fn check_trees(config: &Config, out: &mut Vec<Diagnostic>) {
    let trees = &config.queue_trees;
    let parents = tree_parents(trees);
    let depth = depths(&parents);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); trees.len()];
    for (i, p) in parents.iter().enumerate() {
        if let Some(c) = p.and_then(|p| children.get_mut(p)) {
            c.push(i);
        }
    }
    let enabled = config.mangle.iter().filter(|r| !r.disabled);
    let mut packet_marks: HashMap<&[u8], Vec<&FirewallRule>> = HashMap::new();
    let mut conn_marks: HashSet<&[u8]> = HashSet::new();
    for r in enabled {
        match (&r.action, r.new_mark()) {
            (Action::MarkPacket, Some(m)) => packet_marks.entry(m.as_bytes()).or_default().push(r),
            (Action::MarkConnection, Some(m)) => {
                conn_marks.insert(m.as_bytes());
            }
            _ => {}
        }
    }
    let simple_marks: HashSet<&[u8]> = config
        .queues
        .iter()
        .filter(|q| !q.disabled)
        .flat_map(|q| q.packet_marks.iter().map(Text::as_bytes))
        .collect();
    for q in config.queues.iter().filter(|q| !q.disabled) {
        for m in &q.packet_marks {
            if !packet_marks.contains_key(m.as_bytes()) && conn_marks.contains(m.as_bytes()) {
                out.push(conn_as_packet(Subject::Queue(q.name.clone()), m));
            }
        }
    }

    let mut seen: HashSet<&[u8]> = HashSet::new();
    for (i, t) in trees.iter().enumerate() {
        let err = |code, msg| tree_diag(Severity::Error, code, t, msg);
        let warn = |code, msg| tree_diag(Severity::Warning, code, t, msg);
        if !seen.insert(t.name.as_bytes()) {
            out.push(err(
                "duplicate-name",
                "another queue tree entry already has this name".into(),
            ));
        }
        match depth.get(i).copied().flatten() {
            None => out.push(err(
                "parent-cycle",
                "the queue's parent chain leads back to itself".into(),
            )),
            Some(d) if d > MAX_DEPTH => out.push(err(
                "too-deep",
                format!(
                    "the queue is nested {d} levels below its interface or `global`; HTB has \
                     8 levels including the interface queue, so at most {MAX_DEPTH}"
                ),
            )),
            _ => {}
        }
        if !(1..=8).contains(&t.priority) {
            out.push(err(
                "priority-range",
                format!("priority {} is outside 1..8", t.priority),
            ));
        }
        if t.bucket_size.thousandths() > 10_000 {
            out.push(err(
                "bucket-size-range",
                format!("bucket-size {} is outside 0..10", t.bucket_size),
            ));
        }
        let (la, ml, bl, bt) = (t.limit_at, t.max_limit, t.burst_limit, t.burst_threshold);
        if !ml.is_zero() && la > ml {
            out.push(err(
                "limit-at-above-max-limit",
                format!("limit-at {la} is above max-limit {ml}"),
            ));
        }
        if !bl.is_zero() && !ml.is_zero() && bl <= ml {
            out.push(err(
                "burst-limit-not-above-max-limit",
                format!("burst-limit {bl} must be above max-limit {ml}"),
            ));
        }
        if !bl.is_zero() && (bt <= la || (!ml.is_zero() && bt >= ml)) {
            out.push(warn(
                "burst-threshold-outside",
                format!(
                    "burst-threshold {bt} should be above limit-at {la} and below max-limit \
                     {ml}, or burst is always or never allowed (MikroTik *Queue Burst*)"
                ),
            ));
        }
        if (!bl.is_zero() || !bt.is_zero()) && t.burst_time.is_zero() {
            out.push(warn(
                "burst-without-time",
                "burst values are set but burst-time is 0s, so the queue never bursts".into(),
            ));
        }
        let kids = children.get(i).map(Vec::as_slice).unwrap_or_default();
        if !kids.is_empty() && !ml.is_zero() {
            let sum = kids
                .iter()
                .filter_map(|&c| trees.get(c))
                .filter(|c| !c.disabled)
                .map(|c| c.limit_at.0)
                .fold(0u64, u64::saturating_add);
            if sum > ml.0 {
                out.push(
                    warn(
                        "children-limit-at-exceed-parent",
                        format!(
                            "the children's limit-at add up to {}, above this queue's max-limit \
                             {ml}; HTB cannot meet all the guarantees (MikroTik *HTB*)",
                            Rate(sum)
                        ),
                    )
                    .with_fix(format!(
                        "lower the children's limit-at or raise max-limit to at least {}",
                        Rate(sum)
                    )),
                );
            }
        }
        let parent = parents.get(i).copied().flatten().and_then(|p| trees.get(p));
        if let Some(p) = parent {
            if !p.max_limit.is_zero() && (ml.is_zero() || ml > p.max_limit) {
                out.push(
                    warn(
                        "child-max-limit-above-parent",
                        format!(
                            "max-limit {ml} is above parent `{}`'s max-limit {}; the queue can \
                             never reach it",
                            p.name, p.max_limit
                        ),
                    )
                    .with_fix(format!("set max-limit to at most {}", p.max_limit)),
                );
            }
        }
        if t.priority != 8 && (1..=8).contains(&t.priority) && !kids.is_empty() {
            out.push(
                warn(
                    "priority-on-inner-queue",
                    format!(
                        "priority {} has no effect: HTB uses priority on leaf queues only \
                         (MikroTik *HTB*)",
                        t.priority
                    ),
                )
                .with_fix("remove priority here and set it on the children"),
            );
        }
        check_queue_type(config, trees, &parents, i, t, kids.is_empty(), out);
        if t.disabled {
            continue;
        }
        for m in &t.packet_marks {
            if m == "no-mark" {
                continue;
            }
            let setters = packet_marks.get(m.as_bytes());
            if setters.is_none() {
                if conn_marks.contains(m.as_bytes()) {
                    out.push(conn_as_packet(Subject::QueueTree(t.name.clone()), m));
                } else {
                    out.push(
                        warn(
                            "tree-packet-mark-never-set",
                            format!(
                                "no enabled mangle rule with action=mark-packet sets \
                                 packet-mark `{m}`, so this queue sees no traffic"
                            ),
                        )
                        .with_fix(format!(
                            "add a mangle rule with action=mark-packet new-packet-mark={m}"
                        )),
                    );
                }
            }
            if t.is_global() {
                if let Some(both) = setters.and_then(|s| both_directions(s)) {
                    out.push(
                        warn(
                            "global-mark-both-directions",
                            format!(
                                "packet-mark `{m}` is set on both directions ({both}), and a \
                                 queue under `global` shapes whatever carries the mark, so \
                                 upload and download share this queue's limits"
                            ),
                        )
                        .with_fix(
                            "mark upload and download with different packet marks (for \
                             example by in-interface) and give each its own queue, or attach \
                             the queues to the interfaces, which see one direction each",
                        ),
                    );
                }
            }
            if simple_marks.contains(m.as_bytes()) {
                out.push(warn(
                    "shaped-twice",
                    format!(
                        "a simple queue also takes packet-mark `{m}`, so the same packets are \
                         limited twice and the lower limit wins. MikroTik's *Packet Flow* page \
                         runs global queue trees before simple queues; the old wiki \
                         (*Manual:Queue*) says simple queues see traffic first, so which limit \
                         applies first depends on the RouterOS version"
                    ),
                ));
            }
        }
    }
}

fn conn_as_packet(subject: Subject, m: &Text) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "connection-mark-as-packet-mark",
        subject,
        format!(
            "`{m}` is set by action=mark-connection only; queues match packet marks, not \
             connection marks, so this queue sees no traffic"
        ),
    )
    .with_fix(format!(
        "add a mangle rule connection-mark={m} action=mark-packet new-packet-mark={m} \
         passthrough=no after the mark-connection rule"
    ))
}

/// Why the rules setting a mark certainly cover both directions, if they do.
fn both_directions(rules: &[&FirewallRule]) -> Option<String> {
    for r in rules {
        if r.matchers().iter().all(|(k, _)| DIRECTIONLESS.contains(k)) {
            return Some(format!(
                "a rule in chain {} matches it without an interface, address or port",
                r.chain
            ));
        }
    }
    let pairs = [
        ("in-interface", "out-interface"),
        ("src-address", "dst-address"),
        ("src-address-list", "dst-address-list"),
        ("in-interface-list", "out-interface-list"),
    ];
    for (a, b) in pairs {
        let values = |key: &str| -> HashSet<&[u8]> {
            rules
                .iter()
                .flat_map(|r| r.matchers())
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v)
                .collect()
        };
        let (va, vb) = (values(a), values(b));
        if let Some(v) = va.intersection(&vb).next() {
            return Some(format!(
                "one rule matches {a}={} and another {b}={}",
                String::from_utf8_lossy(v),
                String::from_utf8_lossy(v)
            ));
        }
    }
    None
}

fn check_queue_type(
    config: &Config,
    trees: &[QueueTree],
    parents: &[Option<usize>],
    i: usize,
    t: &QueueTree,
    leaf: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(qt) = config.queue_type(t.queue.as_bytes()) else {
        out.push(
            tree_diag(
                Severity::Error,
                "unknown-queue-type",
                t,
                format!(
                    "queue type `{}` is neither in /queue type nor built in",
                    t.queue
                ),
            )
            .with_fix("add the queue type, or use a built-in one such as default-small"),
        );
        return;
    };
    if !qt.is_pcq() || !qt.pcq_rate.is_zero() || !leaf {
        return;
    }
    // A max-limit on this queue or any ancestor.
    let mut cur = Some(i);
    let mut steps = 0;
    while let Some(c) = cur {
        if trees.get(c).is_some_and(|x| !x.max_limit.is_zero()) {
            return;
        }
        steps += 1;
        if steps > MAX_DEPTH * 4 {
            break;
        }
        cur = parents.get(c).copied().flatten();
    }
    out.push(
        tree_diag(
            Severity::Warning,
            "pcq-without-limit",
            t,
            format!(
                "queue type `{}` is PCQ with pcq-rate=0 and neither this queue nor a parent has \
                 a max-limit: the sub-streams share an unknown total, so the shares are \
                 imprecise (old wiki *Manual:Queues - PCQ*; the current *Queues* page only says \
                 pcq-rate=0 divides the available bandwidth equally)",
                t.queue
            ),
        )
        .with_fix("set max-limit on this queue (or its parent) to the line's real capacity, or set pcq-rate"),
    );
}

type Matchers<'a> = Vec<(&'a str, &'a [u8])>;

fn mark_kind(a: &Action) -> Option<&'static str> {
    match a {
        Action::MarkPacket => Some("packet-mark"),
        Action::MarkConnection => Some("connection-mark"),
        Action::MarkRouting => Some("routing-mark"),
        _ => None,
    }
}

/// True when the packets this rule matches go no further in its chain: marks with
/// passthrough=no, and accept/drop/reject.
fn stops(r: &FirewallRule) -> bool {
    (r.is_mark() && !r.passthrough)
        || matches!(r.action, Action::Accept | Action::Drop | Action::Reject)
}

/// `small ⊆ big ∪ {also}`; both sorted.
fn covered(small: &Matchers<'_>, big: &Matchers<'_>, also: Option<(&str, &[u8])>) -> bool {
    small
        .iter()
        .all(|m| Some(*m) == also || big.binary_search(m).is_ok())
}

/// Unreachable marking rules and marks overwritten later, chain by chain.
fn check_mangle_order(rules: &[FirewallRule], out: &mut Vec<Diagnostic>) {
    let mut chains: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if r.disabled {
            continue;
        }
        let e = chains.entry(r.chain.as_str()).or_default();
        if e.is_empty() {
            order.push(r.chain.as_str());
        }
        e.push(i);
    }
    let matchers: Vec<Matchers<'_>> = rules.iter().map(FirewallRule::matchers).collect();
    let empty = Vec::new();
    let m_of = |i: usize| matchers.get(i).unwrap_or(&empty);
    for chain in order {
        let list = chains.get(chain).map(Vec::as_slice).unwrap_or_default();
        // Unreachable: an earlier stopping rule whose matchers are a subset of this one's.
        let mut stoppers: HashMap<&[(&str, &[u8])], usize> = HashMap::new();
        // Positions of rules that may change each kind of mark (jumps may change any).
        let mut setters: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut subset: Vec<(&str, &[u8])> = Vec::new();
        for &j in list {
            let Some(r) = rules.get(j) else { continue };
            let mj = m_of(j);
            if matches!(r.action, Action::MarkPacket | Action::MarkConnection) && mj.len() <= 8 {
                let changed_between = |i: usize, key: &str| {
                    let kinds: &[&str] = &[key, "jump"];
                    kinds.iter().any(|k| {
                        setters.get(k).is_some_and(|v| {
                            let p = v.partition_point(|&x| x <= i);
                            v.get(p).is_some_and(|&x| x < j)
                        })
                    })
                };
                let mut hit = None;
                for mask in 0u32..(1 << mj.len()) {
                    subset.clear();
                    subset.extend(
                        mj.iter()
                            .enumerate()
                            .filter(|(b, _)| mask & (1 << b) != 0)
                            .map(|(_, m)| *m),
                    );
                    let Some(&i) = stoppers.get(subset.as_slice()) else {
                        continue;
                    };
                    let valid = subset.iter().all(|(k, _)| {
                        !matches!(*k, "packet-mark" | "connection-mark" | "routing-mark")
                            || !changed_between(i, k)
                    });
                    if valid && hit.is_none_or(|h| i < h) {
                        hit = Some(i);
                    }
                }
                if let Some(i) = hit {
                    let what = rules
                        .get(i)
                        .map(|s| {
                            if s.is_mark() {
                                format!("action={} passthrough=no", s.action)
                            } else {
                                format!("action={}", s.action)
                            }
                        })
                        .unwrap_or_default();
                    out.push(
                        mangle_diag(
                            Severity::Warning,
                            "mangle-rule-unreachable",
                            j,
                            format!(
                                "mangle rule {i} comes first in chain {chain}, matches every \
                                 packet this rule matches (its matchers are a subset of this \
                                 rule's) and has {what}, so no packet reaches this rule"
                            ),
                        )
                        .with_fix(format!(
                            "move this rule above rule {i}, or set passthrough=yes on rule {i}"
                        )),
                    );
                }
            }
            if stops(r) {
                stoppers.insert(mj.as_slice(), j);
            }
            if let Some(k) = mark_kind(&r.action) {
                setters.entry(k).or_default().push(j);
            }
            if r.action == Action::Jump {
                setters.entry("jump").or_default().push(j);
            }
        }
        // Overwritten: a passthrough=yes mark replaced by a later rule of the same action
        // that matches every packet it marked.
        for (a, &i) in list.iter().enumerate() {
            let Some(r) = rules.get(i) else { continue };
            let (Some(kind), Some(mark)) = (mark_kind(&r.action), r.new_mark()) else {
                continue;
            };
            if !r.passthrough || r.action == Action::MarkRouting {
                continue;
            }
            let mi = m_of(i);
            for &k in list.get(a + 1..).unwrap_or_default() {
                let Some(s) = rules.get(k) else { continue };
                if s.action == r.action {
                    let other = s.new_mark();
                    if other.is_some_and(|o| o != mark)
                        && covered(m_of(k), mi, Some((kind, mark.as_bytes())))
                    {
                        out.push(
                            mangle_diag(
                                Severity::Warning,
                                "mark-overwritten",
                                i,
                                format!(
                                    "this rule sets {kind} `{mark}` with passthrough=yes, and \
                                     mangle rule {k} later in chain {chain} matches every packet \
                                     it marked and replaces the mark with `{}`",
                                    other.map(Text::to_string).unwrap_or_default()
                                ),
                            )
                            .with_fix(format!(
                                "set passthrough=no on this rule, or narrow rule {k}"
                            )),
                        );
                        break;
                    }
                    // Some packets may now carry another mark: stop here.
                    break;
                }
                if stops(s) || s.action == Action::Jump || s.action == Action::Return {
                    break;
                }
            }
        }
    }
}

fn check_mark_count(rules: &[FirewallRule], out: &mut Vec<Diagnostic>) {
    let mut marks: HashSet<&[u8]> = HashSet::new();
    for (i, r) in rules.iter().enumerate() {
        if r.disabled || r.action != Action::MarkPacket {
            continue;
        }
        if let Some(m) = &r.new_packet_mark {
            if marks.insert(m.as_bytes()) && marks.len() == MAX_PACKET_MARKS + 1 {
                out.push(
                    mangle_diag(
                        Severity::Error,
                        "too-many-packet-marks",
                        i,
                        format!(
                            "this rule sets the {}th distinct packet mark; RouterOS keeps at \
                             most {MAX_PACKET_MARKS} (MikroTik *Mangle* manual)",
                            MAX_PACKET_MARKS + 1
                        ),
                    )
                    .with_fix("share marks between queues, or use PCQ to split one mark per user"),
                );
            }
        }
    }
}

fn check_fasttrack(config: &Config, out: &mut Vec<Diagnostic>) {
    let shaping = config
        .queue_trees
        .iter()
        .any(|t| !t.disabled && (!t.packet_marks.is_empty() || t.is_global()))
        || config.queues.iter().any(|q| !q.disabled);
    if !shaping {
        return;
    }
    for (i, r) in config.filter.iter().enumerate() {
        let fasttrack = matches!(&r.action, Action::Other(a) if a == "fasttrack-connection");
        if r.disabled || !fasttrack || r.connection_mark.is_some() || r.packet_mark.is_some() {
            continue;
        }
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "fasttrack-bypasses-queues",
                Subject::FilterRule(i),
                "fasttracked connections skip mangle, simple queues and queue trees under \
                 `global` (MikroTik *Packet Flow in RouterOS*, *FastTrack*); their packets carry \
                 no packet mark, so marked traffic is not shaped"
                    .into(),
            )
            .with_fix(
                "add connection-mark=no-mark to this rule so marked connections are not \
                 fasttracked, or disable it",
            ),
        );
    }
}
