//! `/queue tree` and `/queue type`: one-directional HTB queues on packet marks, and the queue
//! kinds (PCQ, SFQ, RED, FIFO) they and simple queues use.
//!
//! Semantics and defaults follow MikroTik's *Queues* manual (help.mikrotik.com/docs/display/ROS/Queues,
//! sections *Queue Tree* and *Queue Types*) and the RouterOS v7 CLI reference: PCQ limits are
//! in KiB (`pcq-limit=50KiB`, `pcq-total-limit=2000KiB`), address masks default to `/32` and
//! `/128`.

use std::fmt;
use std::str::FromStr;

use crate::error::PropertyError;
use crate::model::{
    bool_str, check_key, finish, join_text, opt_string, opt_text, parse_bool, parse_text_list,
    parse_value, set_extra, utf8, Item, Style, IGNORED,
};
use crate::text::Text;
use crate::value::{Rate, Ratio, Time};

/// Read-only counters RouterOS reports for a queue tree entry (`print stats`); ignored when
/// read from an API row and refused in scripts.
pub(crate) const TREE_COUNTERS: &[&str] = &[
    "rate",
    "packet-rate",
    "bytes",
    "packets",
    "dropped",
    "queued-bytes",
    "queued-packets",
    "pcq-queues",
    "borrows",
    "lends",
];

/// One `/queue tree` entry: a one-directional HTB queue that takes the packets carrying one of
/// its packet marks (or, as an inner queue, what its children take).
///
/// `parent` is `global` (HTB after `postrouting`/`input` mangle, both directions), an interface
/// (that interface's egress), or another tree's name.
///
/// ```
/// use queue_model::{Item, QueueTree, Rate};
/// let mut t = QueueTree::new("down", "global");
/// t.packet_marks = vec!["down".into()];
/// t.max_limit = Rate(20_000_000);
/// t.queue = "pcq-down".into();
/// assert_eq!(
///     t.properties(),
///     [("max-limit", "20M"), ("name", "down"), ("packet-mark", "down"), ("parent", "global"),
///      ("queue", "pcq-down")].map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueTree {
    /// The RouterOS item id (`*1A`), when read from a router; never rendered.
    pub id: Option<String>,
    /// `name`: unique queue name (the router's bytes).
    pub name: Text,
    /// `parent`: `global`, an interface, or another queue tree (required).
    pub parent: Text,
    /// `packet-mark`: the packet marks this queue takes (comma list; empty: none).
    pub packet_marks: Vec<Text>,
    /// `limit-at`: guaranteed rate (`0` = none).
    pub limit_at: Rate,
    /// `max-limit`: maximum rate (`0` = unlimited).
    pub max_limit: Rate,
    /// `burst-limit`: maximum rate while bursting (`0` = no burst).
    pub burst_limit: Rate,
    /// `burst-threshold`: bursting is allowed while the average rate is below this.
    pub burst_threshold: Rate,
    /// `burst-time`: the window the average rate is computed over.
    pub burst_time: Time,
    /// `priority`: 1 (highest) .. 8 (lowest, the default); only leaves use it.
    pub priority: u8,
    /// `queue`: the queue type, default `default-small`.
    pub queue: String,
    /// `bucket-size`: token bucket size as a multiple of max-limit in seconds (0..10, `0.1`).
    pub bucket_size: Ratio,
    /// `disabled`.
    pub disabled: bool,
    /// `comment` (the router's bytes).
    pub comment: Option<Text>,
    /// Properties this crate does not model, kept in order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for QueueTree {
    fn default() -> Self {
        QueueTree {
            id: None,
            name: Text::new(),
            parent: Text::new(),
            packet_marks: Vec::new(),
            limit_at: Rate::ZERO,
            max_limit: Rate::ZERO,
            burst_limit: Rate::ZERO,
            burst_threshold: Rate::ZERO,
            burst_time: Time::ZERO,
            priority: 8,
            queue: "default-small".to_owned(),
            bucket_size: Ratio::DEFAULT_BUCKET,
            disabled: false,
            comment: None,
            extra: Vec::new(),
        }
    }
}

impl QueueTree {
    /// A queue called `name` under `parent` (`global`, an interface or a tree), with defaults.
    pub fn new(name: impl Into<Text>, parent: impl Into<Text>) -> Self {
        QueueTree {
            name: name.into(),
            parent: parent.into(),
            ..Self::default()
        }
    }

    /// True when the parent is `global` (the HTB that sees both directions).
    pub fn is_global(&self) -> bool {
        self.parent == "global"
    }

    /// True when burst is configured (`burst-limit` above 0 and a `burst-time`).
    pub fn bursts(&self) -> bool {
        !self.burst_limit.is_zero() && !self.burst_time.is_zero()
    }
}

impl Item for QueueTree {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "name" => self.name = Text::from(raw),
            "parent" => self.parent = Text::from(raw),
            "packet-mark" | "packet-marks" => self.packet_marks = parse_text_list(raw),
            "limit-at" => self.limit_at = parse_value(key, v)?,
            "max-limit" => self.max_limit = parse_value(key, v)?,
            "burst-limit" => self.burst_limit = parse_value(key, v)?,
            "burst-threshold" => self.burst_threshold = parse_value(key, v)?,
            "burst-time" => self.burst_time = parse_value(key, v)?,
            "priority" => self.priority = v.parse().map_err(|_| PropertyError::no_such(key, v))?,
            "queue" => {
                let q = utf8(key, raw)?;
                if q.is_empty() {
                    return Err(PropertyError::no_such(key, v));
                }
                q.clone_into(&mut self.queue);
            }
            "bucket-size" => self.bucket_size = parse_value(key, v)?,
            "disabled" => self.disabled = parse_bool(key, v)?,
            "comment" => self.comment = opt_text(raw),
            _ if TREE_COUNTERS.contains(&key) || IGNORED.contains(&key) => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let rate = |r: Rate| (Text::from(r.to_string()), r.is_zero());
        let mut items = vec![
            ("name", self.name.clone(), false),
            ("parent", self.parent.clone(), false),
            (
                "packet-mark",
                join_text(&self.packet_marks),
                self.packet_marks.is_empty(),
            ),
            (
                "priority",
                self.priority.to_string().into(),
                self.priority == 8,
            ),
            (
                "queue",
                self.queue.as_str().into(),
                self.queue == "default-small",
            ),
            (
                "burst-time",
                self.burst_time.to_string().into(),
                self.burst_time.is_zero(),
            ),
            (
                "bucket-size",
                self.bucket_size.to_string().into(),
                self.bucket_size == Ratio::DEFAULT_BUCKET,
            ),
            (
                "disabled",
                bool_str(self.disabled, style).into(),
                !self.disabled,
            ),
            (
                "comment",
                self.comment.clone().unwrap_or_default(),
                self.comment.is_none(),
            ),
        ];
        for (k, r) in [
            ("limit-at", self.limit_at),
            ("max-limit", self.max_limit),
            ("burst-limit", self.burst_limit),
            ("burst-threshold", self.burst_threshold),
        ] {
            let (v, d) = rate(r);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        TREE_COUNTERS.contains(&key)
    }

    fn check_ranges(&self) -> Result<(), PropertyError> {
        if !(1..=8).contains(&self.priority) {
            return Err(PropertyError::range("priority", "1", "8"));
        }
        if self.bucket_size.thousandths() > 10_000 {
            return Err(PropertyError::range("bucket-size", "0", "10"));
        }
        Ok(())
    }

    fn required(&self) -> Result<(), PropertyError> {
        for (k, empty) in [
            ("name", self.name.is_empty()),
            ("parent", self.parent.is_empty()),
        ] {
            if empty {
                return Err(PropertyError::Missing {
                    property: k.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// The `kind` of a queue type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum QueueKind {
    /// `pcq`: Per Connection Queue, one sub-queue per classifier value.
    Pcq,
    /// `sfq`: Stochastic Fairness Queuing.
    Sfq,
    /// `red`: Random Early Detection.
    Red,
    /// `pfifo`: FIFO limited in packets (the default when no kind is given).
    #[default]
    Pfifo,
    /// `bfifo`: FIFO limited in bytes.
    Bfifo,
    /// `mq-pfifo`: multi-queue packet FIFO.
    MqPfifo,
    /// Another kind RouterOS knows (`fq-codel`, `cake`, `none`).
    Other(String),
}

const OTHER_KINDS: &[&str] = &["fq-codel", "cake", "none"];

impl FromStr for QueueKind {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        Ok(match s {
            "pcq" => QueueKind::Pcq,
            "sfq" => QueueKind::Sfq,
            "red" => QueueKind::Red,
            "pfifo" => QueueKind::Pfifo,
            "bfifo" => QueueKind::Bfifo,
            "mq-pfifo" => QueueKind::MqPfifo,
            o if OTHER_KINDS.contains(&o) => QueueKind::Other(o.to_owned()),
            o => return Err(PropertyError::no_such("kind", o)),
        })
    }
}

impl fmt::Display for QueueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QueueKind::Pcq => "pcq",
            QueueKind::Sfq => "sfq",
            QueueKind::Red => "red",
            QueueKind::Pfifo => "pfifo",
            QueueKind::Bfifo => "bfifo",
            QueueKind::MqPfifo => "mq-pfifo",
            QueueKind::Other(s) => s,
        })
    }
}

/// One value of `pcq-classifier`: what a PCQ sub-stream is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PcqClassifier {
    /// `src-address` (upload, seen from the LAN).
    SrcAddress,
    /// `dst-address` (download, seen from the LAN).
    DstAddress,
    /// `src-port`.
    SrcPort,
    /// `dst-port`.
    DstPort,
}

impl FromStr for PcqClassifier {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        Ok(match s {
            "src-address" => PcqClassifier::SrcAddress,
            "dst-address" => PcqClassifier::DstAddress,
            "src-port" => PcqClassifier::SrcPort,
            "dst-port" => PcqClassifier::DstPort,
            o => return Err(PropertyError::no_such("pcq-classifier", o)),
        })
    }
}

impl fmt::Display for PcqClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PcqClassifier::SrcAddress => "src-address",
            PcqClassifier::DstAddress => "dst-address",
            PcqClassifier::SrcPort => "src-port",
            PcqClassifier::DstPort => "dst-port",
        })
    }
}

/// One `/queue type` entry.
///
/// Every property is kept whatever the kind; an export (and [`Item::properties`]) shows the
/// non-default ones, and [`Item::all_properties`] all of them.
///
/// ```
/// use queue_model::{Item, PcqClassifier, QueueKind, QueueType};
/// let mut t = QueueType::new("pcq-down", QueueKind::Pcq);
/// t.pcq_classifier = vec![PcqClassifier::DstAddress];
/// assert_eq!(
///     t.properties(),
///     [("kind", "pcq"), ("name", "pcq-down"), ("pcq-classifier", "dst-address")]
///         .map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// assert_eq!(QueueType::builtin("pcq-upload-default").unwrap().pcq_classifier,
///            [PcqClassifier::SrcAddress]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueType {
    /// The RouterOS item id, when read from a router.
    pub id: Option<String>,
    /// `name`, referred to by queues' `queue=`.
    pub name: Text,
    /// `kind`.
    pub kind: QueueKind,
    /// `pcq-classifier`: what sub-streams are keyed by (comma list).
    pub pcq_classifier: Vec<PcqClassifier>,
    /// `pcq-rate`: the most one sub-stream may send (`0`: no per-stream limit, equal shares).
    pub pcq_rate: Rate,
    /// `pcq-limit`: queue size of one sub-stream, KiB (default 50).
    pub pcq_limit: u32,
    /// `pcq-total-limit`: queue size of all sub-streams, KiB (default 2000).
    pub pcq_total_limit: u32,
    /// `pcq-burst-rate`: a sub-stream's rate while bursting (`0`: no burst).
    pub pcq_burst_rate: Rate,
    /// `pcq-burst-threshold`.
    pub pcq_burst_threshold: Rate,
    /// `pcq-burst-time` (default 10s).
    pub pcq_burst_time: Time,
    /// `pcq-src-address-mask` (default 32).
    pub pcq_src_address_mask: u8,
    /// `pcq-dst-address-mask` (default 32).
    pub pcq_dst_address_mask: u8,
    /// `pcq-src-address6-mask` (default 128).
    pub pcq_src_address6_mask: u8,
    /// `pcq-dst-address6-mask` (default 128).
    pub pcq_dst_address6_mask: u8,
    /// `pfifo-limit`, packets (default 50).
    pub pfifo_limit: u32,
    /// `bfifo-limit`, bytes (default 15000).
    pub bfifo_limit: u32,
    /// `mq-pfifo-limit`, packets (default 50).
    pub mq_pfifo_limit: u32,
    /// `sfq-perturb`, seconds (default 5).
    pub sfq_perturb: u32,
    /// `sfq-allot`, bytes (default 1514).
    pub sfq_allot: u32,
    /// `red-limit`, packets (default 60).
    pub red_limit: u32,
    /// `red-min-threshold`, packets (default 10).
    pub red_min_threshold: u32,
    /// `red-max-threshold`, packets (default 50).
    pub red_max_threshold: u32,
    /// `red-burst`, packets (default 20).
    pub red_burst: u32,
    /// `red-avg-packet`, bytes (default 1000).
    pub red_avg_packet: u32,
    /// Properties this crate does not model.
    pub extra: Vec<(String, Text)>,
}

impl Default for QueueType {
    fn default() -> Self {
        QueueType {
            id: None,
            name: Text::new(),
            kind: QueueKind::Pfifo,
            pcq_classifier: Vec::new(),
            pcq_rate: Rate::ZERO,
            pcq_limit: 50,
            pcq_total_limit: 2000,
            pcq_burst_rate: Rate::ZERO,
            pcq_burst_threshold: Rate::ZERO,
            pcq_burst_time: Time::from_secs(10),
            pcq_src_address_mask: 32,
            pcq_dst_address_mask: 32,
            pcq_src_address6_mask: 128,
            pcq_dst_address6_mask: 128,
            pfifo_limit: 50,
            bfifo_limit: 15_000,
            mq_pfifo_limit: 50,
            sfq_perturb: 5,
            sfq_allot: 1514,
            red_limit: 60,
            red_min_threshold: 10,
            red_max_threshold: 50,
            red_burst: 20,
            red_avg_packet: 1000,
            extra: Vec::new(),
        }
    }
}

/// Queue types every router has.
pub const BUILTIN_QUEUE_TYPES: [&str; 10] = [
    "default",
    "default-small",
    "ethernet-default",
    "wireless-default",
    "synchronous-default",
    "hotspot-default",
    "pcq-upload-default",
    "pcq-download-default",
    "only-hardware-queue",
    "multi-queue-ethernet-default",
];

impl QueueType {
    /// A queue type called `name` of `kind`, with defaults.
    pub fn new(name: impl Into<Text>, kind: QueueKind) -> Self {
        QueueType {
            name: name.into(),
            kind,
            ..Self::default()
        }
    }

    /// A built-in queue type by name, as a fresh router has it (the two PCQ types with their
    /// classifiers; the others as their kind).
    pub fn builtin(name: &str) -> Option<QueueType> {
        let kind = match name {
            "default"
            | "ethernet-default"
            | "wireless-default"
            | "synchronous-default"
            | "hotspot-default" => QueueKind::Pfifo,
            "default-small" => {
                let mut t = QueueType::new(name, QueueKind::Pfifo);
                t.pfifo_limit = 10;
                return Some(t);
            }
            "pcq-upload-default" | "pcq-download-default" => {
                let mut t = QueueType::new(name, QueueKind::Pcq);
                t.pcq_classifier = vec![if name == "pcq-upload-default" {
                    PcqClassifier::SrcAddress
                } else {
                    PcqClassifier::DstAddress
                }];
                return Some(t);
            }
            "only-hardware-queue" => QueueKind::Other("none".into()),
            "multi-queue-ethernet-default" => QueueKind::MqPfifo,
            _ => return None,
        };
        Some(QueueType::new(name, kind))
    }

    /// True when the kind is PCQ.
    pub fn is_pcq(&self) -> bool {
        self.kind == QueueKind::Pcq
    }
}

fn parse_kib(key: &str, v: &str) -> Result<u32, PropertyError> {
    let n = v.strip_suffix("KiB").unwrap_or(v);
    n.parse().map_err(|_| PropertyError::invalid(key, v))
}

fn parse_mask(key: &str, v: &str, max: u8) -> Result<u8, PropertyError> {
    let m: u8 = v.parse().map_err(|_| PropertyError::invalid(key, v))?;
    if m > max {
        return Err(PropertyError::range(key, "0", &max.to_string()));
    }
    Ok(m)
}

impl Item for QueueType {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        let num = |k: &str| -> Result<u32, PropertyError> {
            v.parse().map_err(|_| PropertyError::invalid(k, v))
        };
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "name" => self.name = Text::from(raw),
            "kind" => self.kind = utf8(key, raw)?.parse()?,
            "pcq-classifier" => {
                self.pcq_classifier = v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "pcq-rate" => self.pcq_rate = parse_value(key, v)?,
            "pcq-limit" => self.pcq_limit = parse_kib(key, v)?,
            "pcq-total-limit" => self.pcq_total_limit = parse_kib(key, v)?,
            "pcq-burst-rate" => self.pcq_burst_rate = parse_value(key, v)?,
            "pcq-burst-threshold" => self.pcq_burst_threshold = parse_value(key, v)?,
            "pcq-burst-time" => self.pcq_burst_time = parse_value(key, v)?,
            "pcq-src-address-mask" => self.pcq_src_address_mask = parse_mask(key, v, 32)?,
            "pcq-dst-address-mask" => self.pcq_dst_address_mask = parse_mask(key, v, 32)?,
            "pcq-src-address6-mask" => self.pcq_src_address6_mask = parse_mask(key, v, 128)?,
            "pcq-dst-address6-mask" => self.pcq_dst_address6_mask = parse_mask(key, v, 128)?,
            "pfifo-limit" => self.pfifo_limit = num(key)?,
            "bfifo-limit" => self.bfifo_limit = num(key)?,
            "mq-pfifo-limit" => self.mq_pfifo_limit = num(key)?,
            "sfq-perturb" => self.sfq_perturb = num(key)?,
            "sfq-allot" => self.sfq_allot = num(key)?,
            "red-limit" => self.red_limit = num(key)?,
            "red-min-threshold" => self.red_min_threshold = num(key)?,
            "red-max-threshold" => self.red_max_threshold = num(key)?,
            "red-burst" => self.red_burst = num(key)?,
            "red-avg-packet" => self.red_avg_packet = num(key)?,
            _ if IGNORED.contains(&key) || key == "default" => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, _style: Style, compact: bool) -> Vec<(String, Text)> {
        let d = QueueType::default();
        let kind = &self.kind;
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("name", self.name.clone(), false),
            ("kind", kind.to_string().into(), false),
        ];
        // (key, value, is default, belongs to this kind): compact, a property is shown when
        // set; in full, every property is (plans compare full lists, so a property of another
        // kind set back to its default must be there).
        let mut push = |k: &'static str, v: String, default: bool, _own: bool| {
            if !default || !compact {
                items.push((k, v.into(), default));
            }
        };
        let pcq = *kind == QueueKind::Pcq;
        let classifier = self
            .pcq_classifier
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        push(
            "pcq-classifier",
            classifier,
            self.pcq_classifier.is_empty(),
            pcq,
        );
        for (k, r, dr) in [
            ("pcq-rate", self.pcq_rate, d.pcq_rate),
            ("pcq-burst-rate", self.pcq_burst_rate, d.pcq_burst_rate),
            (
                "pcq-burst-threshold",
                self.pcq_burst_threshold,
                d.pcq_burst_threshold,
            ),
        ] {
            push(k, r.to_string(), r == dr, pcq);
        }
        push(
            "pcq-burst-time",
            self.pcq_burst_time.to_string(),
            self.pcq_burst_time == d.pcq_burst_time,
            pcq,
        );
        for (k, v, dv) in [
            ("pcq-limit", self.pcq_limit, d.pcq_limit),
            ("pcq-total-limit", self.pcq_total_limit, d.pcq_total_limit),
        ] {
            push(k, format!("{v}KiB"), v == dv, pcq);
        }
        for (k, v, dv) in [
            (
                "pcq-src-address-mask",
                self.pcq_src_address_mask,
                d.pcq_src_address_mask,
            ),
            (
                "pcq-dst-address-mask",
                self.pcq_dst_address_mask,
                d.pcq_dst_address_mask,
            ),
            (
                "pcq-src-address6-mask",
                self.pcq_src_address6_mask,
                d.pcq_src_address6_mask,
            ),
            (
                "pcq-dst-address6-mask",
                self.pcq_dst_address6_mask,
                d.pcq_dst_address6_mask,
            ),
        ] {
            push(k, v.to_string(), v == dv, pcq);
        }
        let is = |k: QueueKind| *kind == k;
        for (k, v, dv, own) in [
            (
                "pfifo-limit",
                self.pfifo_limit,
                d.pfifo_limit,
                is(QueueKind::Pfifo),
            ),
            (
                "bfifo-limit",
                self.bfifo_limit,
                d.bfifo_limit,
                is(QueueKind::Bfifo),
            ),
            (
                "mq-pfifo-limit",
                self.mq_pfifo_limit,
                d.mq_pfifo_limit,
                is(QueueKind::MqPfifo),
            ),
            (
                "sfq-perturb",
                self.sfq_perturb,
                d.sfq_perturb,
                is(QueueKind::Sfq),
            ),
            ("sfq-allot", self.sfq_allot, d.sfq_allot, is(QueueKind::Sfq)),
            ("red-limit", self.red_limit, d.red_limit, is(QueueKind::Red)),
            (
                "red-min-threshold",
                self.red_min_threshold,
                d.red_min_threshold,
                is(QueueKind::Red),
            ),
            (
                "red-max-threshold",
                self.red_max_threshold,
                d.red_max_threshold,
                is(QueueKind::Red),
            ),
            ("red-burst", self.red_burst, d.red_burst, is(QueueKind::Red)),
            (
                "red-avg-packet",
                self.red_avg_packet,
                d.red_avg_packet,
                is(QueueKind::Red),
            ),
        ] {
            push(k, v.to_string(), v == dv, own);
        }
        finish(items, &self.extra, compact)
    }

    fn required(&self) -> Result<(), PropertyError> {
        if self.name.is_empty() {
            return Err(PropertyError::Missing {
                property: "name".to_owned(),
            });
        }
        Ok(())
    }
}
