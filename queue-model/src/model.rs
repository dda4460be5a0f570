//! The typed items: simple queues, Layer 7 protocols, mangle and filter rules, and the
//! configuration that holds them in order.

use std::fmt;
use std::str::FromStr;

use routeros_proto::Attributes;

use crate::error::PropertyError;
use crate::text::Text;
use crate::value::{Rate, Ratio, Target, Time, TimeWindow, UpDown};

/// How booleans are written in property values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `.rsc` script: `yes`/`no`.
    Script,
    /// API words: `true`/`false`.
    Api,
}

pub(crate) fn bool_str(b: bool, style: Style) -> &'static str {
    match (b, style) {
        (true, Style::Script) => "yes",
        (false, Style::Script) => "no",
        (true, Style::Api) => "true",
        (false, Style::Api) => "false",
    }
}

pub(crate) fn parse_bool(key: &str, v: &str) -> Result<bool, PropertyError> {
    match v {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(PropertyError::no_such(key, v)),
    }
}

pub(crate) fn parse_value<T: FromStr>(key: &str, v: &str) -> Result<T, PropertyError> {
    v.parse().map_err(|_| PropertyError::invalid(key, v))
}

fn parse_list(v: &str) -> Vec<String> {
    v.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A comma-separated list of free-text names, kept as bytes.
pub(crate) fn parse_text_list(v: &[u8]) -> Vec<Text> {
    v.split(|&b| b == b',')
        .filter(|s| !s.is_empty())
        .map(Text::from)
        .collect()
}

pub(crate) fn join_text(items: &[Text]) -> Text {
    let mut out = Vec::new();
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(t.as_bytes());
    }
    Text::from(out)
}

pub(crate) fn opt_string(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_owned())
}

pub(crate) fn opt_text(v: &[u8]) -> Option<Text> {
    (!v.is_empty()).then(|| Text::from(v))
}

/// The value of an identifier-like property (a chain, a queue type, an id), which must be UTF-8.
pub(crate) fn utf8<'a>(key: &str, v: &'a [u8]) -> Result<&'a str, PropertyError> {
    std::str::from_utf8(v).map_err(|_| PropertyError::invalid(key, &String::from_utf8_lossy(v)))
}

/// Sets or replaces an unknown property.
pub(crate) fn set_extra(extra: &mut Vec<(String, Text)>, key: &str, value: &[u8]) {
    match extra.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = Text::from(value),
        None => extra.push((key.to_owned(), Text::from(value))),
    }
}

/// Checks that a property name is plausible (`a-z`, digits, `-`), so that unknown properties
/// cannot smuggle syntax into rendered scripts or API words.
pub(crate) fn check_key(key: &str) -> Result<(), PropertyError> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok && !key.starts_with('.') {
        Ok(())
    } else {
        Err(PropertyError::no_such("property", key))
    }
}

/// Properties RouterOS reports in `print` that cannot be set, and command arguments that are
/// not properties (`place-before`, `numbers`, `copy-from`); ignored when reading.
pub(crate) const IGNORED: &[&str] = &[
    "place-before",
    "numbers",
    "copy-from",
    "dynamic",
    "invalid",
    "total-rate",
    "total-packet-rate",
    "total-bytes",
    "total-packets",
    "total-dropped",
    "total-queued-bytes",
    "total-queued-packets",
    "builtin",
    "bytes-total",
    "packets-total",
    "log",
];

/// Common behaviour of the modelled items: property-level access in RouterOS terms.
///
/// `set_property` and `properties` are the single place where names and values are mapped, so
/// `.rsc`, API attribute maps and plans all agree.
pub trait Item: Clone + PartialEq + Default {
    /// The item's name, when the item type has one (queues and Layer 7 protocols do).
    fn name(&self) -> Option<&Text>;

    /// Sets one property from the router's bytes. Free-text properties (names, comments,
    /// marks, unknown properties) keep the bytes exactly; typed ones must parse.
    fn set_property(&mut self, key: &str, value: &[u8]) -> Result<(), PropertyError>;

    /// [`set_property`](Self::set_property) from text.
    fn set_property_str(&mut self, key: &str, value: &str) -> Result<(), PropertyError> {
        self.set_property(key, value.as_bytes())
    }

    /// Every settable property with its value (defaults included), in alphabetical order,
    /// followed by unknown properties; in script style (`yes`/`no`).
    fn all_properties(&self) -> Vec<(String, Text)> {
        self.properties_styled(Style::Script, false)
    }

    /// The properties that differ from the defaults, in alphabetical order (export style).
    fn properties(&self) -> Vec<(String, Text)> {
        self.properties_styled(Style::Script, true)
    }

    /// Properties as [`properties`](Self::properties) (`compact`) or
    /// [`all_properties`](Self::all_properties), with booleans written in `style`.
    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)>;

    /// True for properties RouterOS reports but refuses in `add` and `set` (counters).
    fn read_only(key: &str) -> bool {
        let _ = key;
        false
    }

    /// Checks the ranges RouterOS enforces on input (priority 1..8, bucket-size 0..10...).
    fn check_ranges(&self) -> Result<(), PropertyError> {
        Ok(())
    }

    /// Properties that must be present when the item is created.
    fn required(&self) -> Result<(), PropertyError> {
        Ok(())
    }

    /// Reads an item from an API attribute map (a `print` row, or the words of an `add`).
    ///
    /// Free-text values keep the router's bytes (UTF-8 or not); typed values must be valid
    /// for their property, and ranges are checked as RouterOS checks them; the error's
    /// `Display` is the message RouterOS puts in its `!trap`.
    fn from_attributes(attrs: &Attributes) -> Result<Self, PropertyError> {
        let mut item = Self::default();
        for (k, v) in attrs {
            let key =
                std::str::from_utf8(k).map_err(|_| PropertyError::no_such("property", "?"))?;
            item.set_property(key, v)?;
        }
        item.check_ranges()?;
        item.required()?;
        Ok(item)
    }

    /// Every property as API attributes (`true`/`false` booleans, defaults included), the way
    /// `print` returns them; `.id` first when known.
    fn to_attributes(&self) -> Attributes {
        let mut a = Attributes::new();
        if let Some(id) = self.id() {
            a.push(".id", id);
        }
        for (k, v) in self.properties_styled(Style::Api, false) {
            a.push(k, v);
        }
        a
    }

    /// The non-default properties as API attributes: the words of an `add`.
    fn to_add_attributes(&self) -> Attributes {
        self.properties_styled(Style::Api, true)
            .into_iter()
            .collect()
    }

    /// The RouterOS item id (`*1A`), when read from a router.
    fn id(&self) -> Option<&str>;

    /// What identifies an item without a name in a plan (a mangle rule's comment).
    fn plan_key(&self) -> Option<&Text> {
        None
    }
}

/// Builds the property list: `items` are `(key, value, is_default)`; keeps non-defaults when
/// `compact`, sorts by key, then appends unknown properties.
pub(crate) fn finish(
    mut items: Vec<(&'static str, Text, bool)>,
    extra: &[(String, Text)],
    compact: bool,
) -> Vec<(String, Text)> {
    items.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(String, Text)> = items
        .into_iter()
        .filter(|(_, _, default)| !compact || !default)
        .map(|(k, v, _)| (k.to_owned(), v))
        .collect();
    out.extend(extra.iter().cloned());
    out
}

/// Read-only counters RouterOS reports for a queue (`print stats`), per direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statistics {
    /// Average rate, bits/s.
    pub rate: UpDown<u64>,
    /// Average packet rate, packets/s.
    pub packet_rate: UpDown<u64>,
    /// Bytes passed.
    pub bytes: UpDown<u64>,
    /// Packets passed.
    pub packets: UpDown<u64>,
    /// Packets dropped.
    pub dropped: UpDown<u64>,
    /// Bytes waiting in the queue.
    pub queued_bytes: UpDown<u64>,
    /// Packets waiting in the queue.
    pub queued_packets: UpDown<u64>,
}

impl Statistics {
    /// The read-only counter names (`rate`, `bytes`, `queued-packets`...).
    pub const NAMES: [&'static str; 7] = [
        "rate",
        "packet-rate",
        "bytes",
        "packets",
        "dropped",
        "queued-bytes",
        "queued-packets",
    ];

    fn set(&mut self, key: &str, v: &str) -> Option<Result<(), PropertyError>> {
        let slot = match key {
            "rate" => &mut self.rate,
            "packet-rate" => &mut self.packet_rate,
            "bytes" => &mut self.bytes,
            "packets" => &mut self.packets,
            "dropped" => &mut self.dropped,
            "queued-bytes" => &mut self.queued_bytes,
            "queued-packets" => &mut self.queued_packets,
            _ => return None,
        };
        Some(
            v.parse::<UpDown<Rate>>()
                .map(|r| *slot = UpDown::new(r.upload.0, r.download.0))
                .map_err(|_| PropertyError::invalid(key, v)),
        )
    }
}

/// One `/queue simple` entry, with every property and RouterOS's defaults.
///
/// See MikroTik's *Queues* manual (help.mikrotik.com/docs/display/ROS/Queues) for the meaning of
/// each property; pairs are `upload/download` from the target's point of view.
///
/// ```
/// use queue_model::{Item, Rate, SimpleQueue};
/// let mut q = SimpleQueue::new("house-12", "192.168.88.12".parse()?);
/// q.max_limit = "2M/5M".parse()?;
/// assert_eq!(q.priority.upload, 8);
/// assert_eq!(
///     q.properties(),
///     [("max-limit", "2M/5M"), ("name", "house-12"), ("target", "192.168.88.12/32")]
///         .map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimpleQueue {
    /// The RouterOS item id (`*1A`), when read from a router; never rendered.
    pub id: Option<String>,
    /// `name`: unique queue name (the router's bytes).
    pub name: Text,
    /// `target`: addresses and interfaces whose traffic this queue limits (comma list).
    pub target: Vec<Target>,
    /// `dst`: optional destination address or interface the traffic must also match.
    pub dst: Option<Target>,
    /// `parent`: the parent queue (`none` when absent).
    pub parent: Option<Text>,
    /// `packet-marks`: only packets with one of these marks match (empty: any).
    pub packet_marks: Vec<Text>,
    /// `priority`: 1 (highest) .. 8 (lowest), default `8/8`.
    pub priority: UpDown<u8>,
    /// `queue`: queue types, default `default-small/default-small`.
    pub queue: UpDown<String>,
    /// `limit-at`: guaranteed rate (`0` = none).
    pub limit_at: UpDown<Rate>,
    /// `max-limit`: maximum rate (`0` = unlimited).
    pub max_limit: UpDown<Rate>,
    /// `burst-limit`: maximum rate while bursting (`0` = no burst).
    pub burst_limit: UpDown<Rate>,
    /// `burst-threshold`: bursting is allowed while the average rate is below this.
    pub burst_threshold: UpDown<Rate>,
    /// `burst-time`: the window the average rate is computed over.
    pub burst_time: UpDown<Time>,
    /// `bucket-size`: token bucket size as a multiple of max-limit in seconds (0..10, `0.1`).
    pub bucket_size: UpDown<Ratio>,
    /// `time`: when the queue is active (absent: always).
    pub time: Option<TimeWindow>,
    /// `disabled`.
    pub disabled: bool,
    /// `comment` (the router's bytes).
    pub comment: Option<Text>,
    /// `total-queue`: queue type for the combined traffic.
    pub total_queue: String,
    /// `total-limit-at`.
    pub total_limit_at: Rate,
    /// `total-max-limit`.
    pub total_max_limit: Rate,
    /// `total-burst-limit`.
    pub total_burst_limit: Rate,
    /// `total-burst-threshold`.
    pub total_burst_threshold: Rate,
    /// `total-burst-time`.
    pub total_burst_time: Time,
    /// `total-priority`.
    pub total_priority: u8,
    /// `total-bucket-size`.
    pub total_bucket_size: Ratio,
    /// Read-only counters (from `print` rows); never rendered or sent.
    pub stats: Statistics,
    /// Properties this crate does not model, kept in order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for SimpleQueue {
    fn default() -> Self {
        SimpleQueue {
            id: None,
            name: Text::new(),
            target: Vec::new(),
            dst: None,
            parent: None,
            packet_marks: Vec::new(),
            priority: UpDown::both(8),
            queue: UpDown::both("default-small".to_owned()),
            limit_at: UpDown::default(),
            max_limit: UpDown::default(),
            burst_limit: UpDown::default(),
            burst_threshold: UpDown::default(),
            burst_time: UpDown::default(),
            bucket_size: UpDown::both(Ratio::DEFAULT_BUCKET),
            time: None,
            disabled: false,
            comment: None,
            total_queue: "default-small".to_owned(),
            total_limit_at: Rate::ZERO,
            total_max_limit: Rate::ZERO,
            total_burst_limit: Rate::ZERO,
            total_burst_threshold: Rate::ZERO,
            total_burst_time: Time::ZERO,
            total_priority: 8,
            total_bucket_size: Ratio::DEFAULT_BUCKET,
            stats: Statistics::default(),
            extra: Vec::new(),
        }
    }
}

impl SimpleQueue {
    /// A queue with RouterOS defaults for everything but its name and one target.
    pub fn new(name: impl Into<Text>, target: Target) -> Self {
        SimpleQueue {
            name: name.into(),
            target: vec![target],
            ..Self::default()
        }
    }

    /// True when burst is configured (a burst-limit and a burst-time) in `dir`.
    pub fn bursts(&self, dir: crate::Direction) -> bool {
        !self.burst_limit.get(dir).is_zero() && !self.burst_time.get(dir).is_zero()
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    let mut s = String::new();
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&t.to_string());
    }
    s
}

fn check_u8_pair(key: &str, v: UpDown<u8>, min: u8, max: u8) -> Result<(), PropertyError> {
    if v.upload < min || v.upload > max || v.download < min || v.download > max {
        return Err(PropertyError::range(
            key,
            &min.to_string(),
            &max.to_string(),
        ));
    }
    Ok(())
}

impl Item for SimpleQueue {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        // Typed values that are not UTF-8 show as U+FFFD here, which no typed parser accepts.
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "name" => self.name = Text::from(raw),
            "target" => {
                self.target = parse_list(v)
                    .iter()
                    .map(|t| parse_value(key, t))
                    .collect::<Result<_, _>>()?;
            }
            "dst" => {
                self.dst = if v.is_empty() {
                    None
                } else {
                    Some(parse_value(key, v)?)
                }
            }
            "parent" => self.parent = if raw == b"none" { None } else { opt_text(raw) },
            "packet-marks" => self.packet_marks = parse_text_list(raw),
            "priority" => {
                self.priority = v.parse().map_err(|_| PropertyError::no_such(key, v))?;
            }
            "queue" => {
                let q: UpDown<String> = utf8(key, raw)?
                    .parse()
                    .map_err(|_| PropertyError::no_such(key, v))?;
                if q.upload.is_empty() || q.download.is_empty() {
                    return Err(PropertyError::no_such(key, v));
                }
                self.queue = q;
            }
            "limit-at" => self.limit_at = parse_value(key, v)?,
            "max-limit" => self.max_limit = parse_value(key, v)?,
            "burst-limit" => self.burst_limit = parse_value(key, v)?,
            "burst-threshold" => self.burst_threshold = parse_value(key, v)?,
            "burst-time" => self.burst_time = parse_value(key, v)?,
            "bucket-size" => self.bucket_size = parse_value(key, v)?,
            "time" => {
                let w: Option<TimeWindow> = if v.is_empty() {
                    None
                } else {
                    Some(parse_value(key, v)?)
                };
                self.time = w.filter(|w| !w.is_always());
            }
            "disabled" => self.disabled = parse_bool(key, v)?,
            "comment" => self.comment = opt_text(raw),
            "total-queue" => {
                if v.is_empty() {
                    return Err(PropertyError::no_such(key, v));
                }
                utf8(key, raw)?.clone_into(&mut self.total_queue)
            }
            "total-limit-at" => self.total_limit_at = parse_value(key, v)?,
            "total-max-limit" => self.total_max_limit = parse_value(key, v)?,
            "total-burst-limit" => self.total_burst_limit = parse_value(key, v)?,
            "total-burst-threshold" => self.total_burst_threshold = parse_value(key, v)?,
            "total-burst-time" => self.total_burst_time = parse_value(key, v)?,
            "total-priority" => {
                self.total_priority = v.parse().map_err(|_| PropertyError::no_such(key, v))?
            }
            "total-bucket-size" => self.total_bucket_size = parse_value(key, v)?,
            _ => {
                if let Some(r) = self.stats.set(key, v) {
                    return r;
                }
                if IGNORED.contains(&key) {
                    return Ok(());
                }
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let mut items: Vec<(&'static str, Text, bool)> = Vec::with_capacity(28);
        // Values are formatted only when they are kept.
        let mut push = |k: &'static str, default: bool, v: &dyn Fn() -> Text| {
            if !(compact && default) {
                items.push((k, v(), default));
            }
        };
        let zero = UpDown::<Rate>::default();
        let small =
            |q: &UpDown<String>| q.upload == "default-small" && q.download == "default-small";
        push("name", false, &|| self.name.clone());
        push("target", self.target.is_empty(), &|| {
            join(&self.target).into()
        });
        push("dst", self.dst.is_none(), &|| {
            self.dst
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
                .into()
        });
        push("parent", self.parent.is_none(), &|| {
            self.parent.clone().unwrap_or_else(|| "none".into())
        });
        push("packet-marks", self.packet_marks.is_empty(), &|| {
            join_text(&self.packet_marks)
        });
        push("priority", self.priority == UpDown::both(8), &|| {
            self.priority.to_string().into()
        });
        push("queue", small(&self.queue), &|| {
            self.queue.to_string().into()
        });
        for (k, v) in [
            ("limit-at", &self.limit_at),
            ("max-limit", &self.max_limit),
            ("burst-limit", &self.burst_limit),
            ("burst-threshold", &self.burst_threshold),
        ] {
            push(k, *v == zero, &|| v.to_string().into());
        }
        push("burst-time", self.burst_time == UpDown::default(), &|| {
            self.burst_time.to_string().into()
        });
        push(
            "bucket-size",
            self.bucket_size == UpDown::both(Ratio::DEFAULT_BUCKET),
            &|| self.bucket_size.to_string().into(),
        );
        push("time", self.time.is_none(), &|| {
            self.time
                .map(|t| t.to_string())
                .unwrap_or_else(|| "0s-1d,sun,mon,tue,wed,thu,fri,sat".to_owned())
                .into()
        });
        push("disabled", !self.disabled, &|| {
            bool_str(self.disabled, style).into()
        });
        push("comment", self.comment.is_none(), &|| {
            self.comment.clone().unwrap_or_default()
        });
        push("total-queue", self.total_queue == "default-small", &|| {
            self.total_queue.as_str().into()
        });
        for (k, v) in [
            ("total-limit-at", self.total_limit_at),
            ("total-max-limit", self.total_max_limit),
            ("total-burst-limit", self.total_burst_limit),
            ("total-burst-threshold", self.total_burst_threshold),
        ] {
            push(k, v.is_zero(), &|| v.to_string().into());
        }
        push("total-burst-time", self.total_burst_time.is_zero(), &|| {
            self.total_burst_time.to_string().into()
        });
        push("total-priority", self.total_priority == 8, &|| {
            self.total_priority.to_string().into()
        });
        push(
            "total-bucket-size",
            self.total_bucket_size == Ratio::DEFAULT_BUCKET,
            &|| self.total_bucket_size.to_string().into(),
        );
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        Statistics::NAMES.contains(&key)
    }

    fn check_ranges(&self) -> Result<(), PropertyError> {
        check_u8_pair("priority", self.priority, 1, 8)?;
        check_u8_pair("total-priority", UpDown::both(self.total_priority), 1, 8)?;
        for (k, b) in [
            ("bucket-size", self.bucket_size.upload),
            ("bucket-size", self.bucket_size.download),
            ("total-bucket-size", self.total_bucket_size),
        ] {
            if b.thousandths() > 10_000 {
                return Err(PropertyError::range(k, "0", "10"));
            }
        }
        Ok(())
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

/// One `/ip firewall layer7-protocol` entry: a named regular expression matched against the
/// first packets of a connection.
///
/// ```
/// use queue_model::Layer7Protocol;
/// let p = Layer7Protocol::new("youtube", "^.+(youtube|googlevideo).+$");
/// assert_eq!(p.regexp, "^.+(youtube|googlevideo).+$");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Layer7Protocol {
    /// The RouterOS item id, when read from a router.
    pub id: Option<String>,
    /// `name`, referred to by firewall rules' `layer7-protocol=`.
    pub name: Text,
    /// `regexp`: the pattern (POSIX-style, as RouterOS's l7 matcher reads it), as bytes.
    pub regexp: Text,
    /// `comment`.
    pub comment: Option<Text>,
    /// Properties this crate does not model.
    pub extra: Vec<(String, Text)>,
}

impl Layer7Protocol {
    /// A protocol with a name and a pattern.
    pub fn new(name: impl Into<Text>, regexp: impl Into<Text>) -> Self {
        Layer7Protocol {
            name: name.into(),
            regexp: regexp.into(),
            ..Self::default()
        }
    }
}

impl Item for Layer7Protocol {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, v: &[u8]) -> Result<(), PropertyError> {
        match key {
            ".id" => self.id = opt_string(utf8(key, v)?),
            "name" => self.name = Text::from(v),
            "regexp" => self.regexp = Text::from(v),
            "comment" => self.comment = opt_text(v),
            _ if IGNORED.contains(&key) => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, v)
            }
        }
        Ok(())
    }

    fn properties_styled(&self, _style: Style, compact: bool) -> Vec<(String, Text)> {
        let items = vec![
            ("name", self.name.clone(), false),
            ("regexp", self.regexp.clone(), false),
            (
                "comment",
                self.comment.clone().unwrap_or_default(),
                self.comment.is_none(),
            ),
        ];
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

mod firewall;
pub use firewall::{Action, FilterRule, FirewallRule, MangleRule};

/// Everything this crate models of a router, in RouterOS order (order matters: the first
/// matching queue or rule wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// `/queue simple`, in order.
    pub queues: Vec<SimpleQueue>,
    /// `/ip firewall layer7-protocol`, in order.
    pub layer7_protocols: Vec<Layer7Protocol>,
    /// `/ip firewall mangle`, in order.
    pub mangle: Vec<FirewallRule>,
    /// `/ip firewall filter`, in order.
    pub filter: Vec<FirewallRule>,
    /// `/queue tree`, in order.
    pub queue_trees: Vec<crate::tree::QueueTree>,
    /// `/queue type`, in order (built-in types only when the source added them).
    pub queue_types: Vec<crate::tree::QueueType>,
    /// `/ip hotspot user profile`, in order (the built-in default profile included when the
    /// source changed it).
    pub hotspot_user_profiles: Vec<crate::hotspot::HotspotUserProfile>,
    /// `/ip hotspot user`, in order.
    pub hotspot_users: Vec<crate::hotspot::HotspotUser>,
    /// `/ppp profile`, in order (`default` and `default-encryption` included when the source
    /// changed them).
    pub ppp_profiles: Vec<crate::ppp::PppProfile>,
    /// `/ppp secret`, in order.
    pub ppp_secrets: Vec<crate::ppp::PppSecret>,
    /// `/tool netwatch`, in order.
    pub netwatch: Vec<crate::netwatch::Netwatch>,
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// The queue called `name` (text or the router's bytes).
    pub fn queue(&self, name: impl AsRef<[u8]>) -> Option<&SimpleQueue> {
        let name = name.as_ref();
        self.queues.iter().find(|q| q.name.as_bytes() == name)
    }

    /// The Layer 7 protocol called `name`.
    pub fn layer7_protocol(&self, name: impl AsRef<[u8]>) -> Option<&Layer7Protocol> {
        let name = name.as_ref();
        self.layer7_protocols
            .iter()
            .find(|p| p.name.as_bytes() == name)
    }
}

impl Config {
    /// The queue tree entry called `name`.
    pub fn queue_tree(&self, name: impl AsRef<[u8]>) -> Option<&crate::tree::QueueTree> {
        let name = name.as_ref();
        self.queue_trees.iter().find(|q| q.name.as_bytes() == name)
    }

    /// The queue type called `name`: one of the configuration's, else a built-in one.
    pub fn queue_type(&self, name: impl AsRef<[u8]>) -> Option<crate::tree::QueueType> {
        let name = name.as_ref();
        self.queue_types
            .iter()
            .find(|t| t.name.as_bytes() == name)
            .cloned()
            .or_else(|| {
                std::str::from_utf8(name)
                    .ok()
                    .and_then(crate::tree::QueueType::builtin)
            })
    }

    /// The hotspot user called `name` (first of any server).
    pub fn hotspot_user(&self, name: impl AsRef<[u8]>) -> Option<&crate::hotspot::HotspotUser> {
        let name = name.as_ref();
        self.hotspot_users
            .iter()
            .find(|u| u.name.as_bytes() == name)
    }

    /// The hotspot user profile called `name`.
    pub fn hotspot_user_profile(
        &self,
        name: impl AsRef<[u8]>,
    ) -> Option<&crate::hotspot::HotspotUserProfile> {
        let name = name.as_ref();
        self.hotspot_user_profiles
            .iter()
            .find(|p| p.name.as_bytes() == name)
    }

    /// The PPP secret called `name`.
    pub fn ppp_secret(&self, name: impl AsRef<[u8]>) -> Option<&crate::ppp::PppSecret> {
        let name = name.as_ref();
        self.ppp_secrets.iter().find(|s| s.name.as_bytes() == name)
    }

    /// The PPP profile called `name`.
    pub fn ppp_profile(&self, name: impl AsRef<[u8]>) -> Option<&crate::ppp::PppProfile> {
        let name = name.as_ref();
        self.ppp_profiles.iter().find(|p| p.name.as_bytes() == name)
    }
}

/// An alias of [`Config`].
pub type Configuration = Config;
