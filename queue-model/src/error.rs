//! Error types of this crate: one per layer.

use std::fmt;

/// A value that could not be parsed (a rate, a time, a target...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{input}`")]
pub struct ValueError {
    what: &'static str,
    input: String,
}

impl ValueError {
    pub(crate) fn new(what: &'static str, input: &str) -> Self {
        // Keep error messages short whatever the input.
        let input: String = input.chars().take(64).collect();
        ValueError { what, input }
    }

    /// What kind of value was expected (`rate`, `time`, `target`...).
    pub fn expected(&self) -> &'static str {
        self.what
    }
}

/// A property that could not be set on an item, worded the way RouterOS words it in a `!trap`
/// (`Display` gives the exact message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PropertyError {
    /// The value does not parse as the property's type (a rate, a time, an address).
    #[error("invalid value for argument {property}")]
    InvalidValue {
        /// The property name, e.g. `max-limit`.
        property: String,
        /// The offending value (at most 64 characters).
        value: String,
    },
    /// The value is not one of the property's allowed words (`yes`/`no`, an action, a priority).
    #[error("input does not match any value of {property}")]
    NoSuchValue {
        /// The property name.
        property: String,
        /// The offending value (at most 64 characters).
        value: String,
    },
    /// A number outside the range RouterOS accepts.
    #[error("value of {property} out of range ({min}..{max})")]
    OutOfRange {
        /// The property name.
        property: String,
        /// Smallest accepted value, as RouterOS prints it.
        min: String,
        /// Largest accepted value, as RouterOS prints it.
        max: String,
    },
    /// A required property is absent (`name` of a Layer 7 protocol, `target` of a queue...).
    #[error("missing value(s) of argument(s) {property}")]
    Missing {
        /// The property name.
        property: String,
    },
    /// A read-only property was given in an `add` or `set`.
    #[error("property {property} is read-only")]
    ReadOnly {
        /// The property name.
        property: String,
    },
}

impl PropertyError {
    pub(crate) fn invalid(property: &str, value: &str) -> Self {
        PropertyError::InvalidValue {
            property: property.to_owned(),
            value: value.chars().take(64).collect(),
        }
    }

    pub(crate) fn no_such(property: &str, value: &str) -> Self {
        PropertyError::NoSuchValue {
            property: property.to_owned(),
            value: value.chars().take(64).collect(),
        }
    }

    pub(crate) fn range(property: &str, min: &str, max: &str) -> Self {
        PropertyError::OutOfRange {
            property: property.to_owned(),
            min: min.to_owned(),
            max: max.to_owned(),
        }
    }

    /// The property concerned.
    pub fn property(&self) -> &str {
        match self {
            PropertyError::InvalidValue { property, .. }
            | PropertyError::NoSuchValue { property, .. }
            | PropertyError::OutOfRange { property, .. }
            | PropertyError::Missing { property }
            | PropertyError::ReadOnly { property } => property,
        }
    }

    /// The `!trap` message RouterOS would send (same as `Display`).
    pub fn trap_message(&self) -> String {
        self.to_string()
    }
}

/// What went wrong in an `.rsc` script; see [`RscError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RscErrorKind {
    /// A quoted string has no closing `"`.
    UnterminatedString,
    /// A `\` escape that RouterOS does not know.
    BadEscape,
    /// Escaped bytes that do not form UTF-8 text.
    InvalidUtf8,
    /// A word that is not `name=value` where one was expected.
    ExpectedProperty,
    /// A command other than `add` in a section this crate models.
    UnsupportedCommand(String),
    /// An `add` line before any section header.
    NoSection,
    /// A property whose value is not valid.
    Property(PropertyError),
    /// An item without a required property.
    Missing(&'static str),
    /// The script is larger than [`crate::rsc::MAX_INPUT`].
    TooLarge,
    /// A `set` of a profile that the script has not added and that is not built in.
    NoSuchItem(String),
    /// A `set` that renames one of PPP's built-in profiles.
    BuiltinRename(String),
}

impl fmt::Display for RscErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RscErrorKind::UnterminatedString => f.write_str("unterminated string"),
            RscErrorKind::BadEscape => f.write_str("unknown escape sequence"),
            RscErrorKind::InvalidUtf8 => f.write_str("escaped bytes are not valid UTF-8"),
            RscErrorKind::ExpectedProperty => f.write_str("expected `name=value`"),
            RscErrorKind::UnsupportedCommand(c) => {
                write!(f, "unsupported command `{c}` (only `add` is read here)")
            }
            RscErrorKind::NoSection => f.write_str("`add` outside of any `/section`"),
            RscErrorKind::Property(p) => p.fmt(f),
            RscErrorKind::Missing(p) => write!(f, "missing value(s) of argument(s) {p}"),
            RscErrorKind::TooLarge => f.write_str("script too large"),
            RscErrorKind::NoSuchItem(n) => write!(f, "no such item `{n}`"),
            RscErrorKind::BuiltinRename(n) => {
                write!(f, "the built-in profile `{n}` cannot be renamed")
            }
        }
    }
}

/// An error in an `.rsc` script, with the 1-based line and column (in characters) where it
/// was found. `Display` shows the line with a caret under the column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RscError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What went wrong.
    pub kind: RscErrorKind,
    /// The text of the line (at most 200 characters).
    pub source_line: String,
}

impl fmt::Display for RscError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.kind
        )?;
        writeln!(f, "  | {}", self.source_line)?;
        let pad = self.column.saturating_sub(1).min(200);
        write!(f, "  | {}^", " ".repeat(pad))
    }
}

/// A plan step that cannot be applied to a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// `set`, `remove` or `move` of an item that does not exist.
    #[error("no such item `{0}`")]
    NoSuchItem(String),
    /// `add` of a name that exists already.
    #[error("item `{0}` already exists")]
    Exists(String),
    /// Removal of a queue that other queues still name as parent.
    #[error("queue `{0}` still has children")]
    HasChildren(String),
    /// A property value was refused.
    #[error("{0}")]
    Property(#[from] PropertyError),
}

/// A simulation that cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A flow names a queue that does not exist.
    #[error("flow refers to unknown queue `{0}`")]
    UnknownQueue(String),
    /// A flow is attached to a queue that has children (inner queues only distribute).
    #[error("flow on inner queue `{0}`: flows go to leaf queues")]
    InnerQueue(String),
    /// The queue tree has an unknown or cyclic parent.
    #[error("queue `{0}` has an unknown or cyclic parent")]
    BadParent(String),
    /// The tick is zero or longer than the duration.
    #[error("tick must be above zero and at most the duration")]
    BadTick,
    /// More ticks than [`crate::sim::MAX_TICKS`].
    #[error("too many ticks (at most {0})")]
    TooManyTicks(u64),
    /// The offered-load slice does not have one entry per queue.
    #[error("expected {expected} offered loads, got {got}")]
    LoadCount {
        /// Queues in the simulation.
        expected: usize,
        /// Entries given.
        got: usize,
    },
}

/// The part of a rate-limit string an error or a value is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitPart {
    /// `rx-rate[/tx-rate]`, the first word.
    Rate,
    /// `rx-burst-rate[/tx-burst-rate]`, the second word.
    BurstRate,
    /// `rx-burst-threshold[/tx-burst-threshold]`, the third word.
    BurstThreshold,
    /// `rx-burst-time[/tx-burst-time]`, the fourth word.
    BurstTime,
    /// `priority`, the fifth word.
    Priority,
    /// `rx-rate-min[/tx-rate-min]`, the sixth word.
    RateMin,
}

impl RateLimitPart {
    /// The six parts in order.
    pub const ALL: [RateLimitPart; 6] = [
        RateLimitPart::Rate,
        RateLimitPart::BurstRate,
        RateLimitPart::BurstThreshold,
        RateLimitPart::BurstTime,
        RateLimitPart::Priority,
        RateLimitPart::RateMin,
    ];

    /// The part as MikroTik's manuals name it (`rx-burst-rate[/tx-burst-rate]`).
    pub fn name(self) -> &'static str {
        match self {
            RateLimitPart::Rate => "rx-rate[/tx-rate]",
            RateLimitPart::BurstRate => "rx-burst-rate[/tx-burst-rate]",
            RateLimitPart::BurstThreshold => "rx-burst-threshold[/tx-burst-threshold]",
            RateLimitPart::BurstTime => "rx-burst-time[/tx-burst-time]",
            RateLimitPart::Priority => "priority",
            RateLimitPart::RateMin => "rx-rate-min[/tx-rate-min]",
        }
    }

    /// What the part must look like.
    pub fn expected(self) -> &'static str {
        match self {
            RateLimitPart::BurstTime => {
                "a duration or a pair of durations (`8s`, `16`, `8s/16s`; a plain number is seconds)"
            }
            RateLimitPart::Priority => "one number, 1 (highest) to 8 (lowest)",
            _ => "a rate or a pair of rates in bits/s with an optional `k` or `M` suffix (`512k`, `2M/5M`)",
        }
    }
}

impl fmt::Display for RateLimitPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong in a rate-limit string; see [`RateLimitError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitErrorKind {
    /// The string is empty (an empty `rate-limit=` means "no limit" and is not parsed).
    Empty,
    /// More than six words.
    TooManyParts,
    /// A word that is not what its position needs.
    Invalid(RateLimitPart),
    /// A `G` suffix: MikroTik documents only `k` and `M` for rate-limit.
    GigaSuffix(RateLimitPart),
    /// Longer than [`crate::RateLimit::MAX_LEN`] bytes.
    TooLong,
}

/// A rate-limit string that does not parse: which part is wrong, what it should be, and where.
///
/// `Display` names the part and what is expected, then shows the input with carets under the
/// offending word.
///
/// ```
/// let e = "2M/5M fast".parse::<queue_model::RateLimit>().unwrap_err();
/// assert_eq!(e.span(), 6..10);
/// assert_eq!(
///     e.to_string(),
///     "invalid rx-burst-rate[/tx-burst-rate] `fast`: expected a rate or a pair of rates in \
///      bits/s with an optional `k` or `M` suffix (`512k`, `2M/5M`)\n  | 2M/5M fast\n  |       ^^^^"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RateLimitError {
    kind: RateLimitErrorKind,
    input: String,
    span: std::ops::Range<usize>,
}

impl RateLimitError {
    pub(crate) fn new(kind: RateLimitErrorKind, input: &str, span: std::ops::Range<usize>) -> Self {
        // Keep the message short whatever the input: at most 200 bytes, on a char boundary.
        let mut cut = input.len().min(200);
        while !input.is_char_boundary(cut) {
            cut -= 1;
        }
        RateLimitError {
            kind,
            input: input.get(..cut).unwrap_or_default().to_owned(),
            span,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &RateLimitErrorKind {
        &self.kind
    }

    /// The part concerned, when one is.
    pub fn part(&self) -> Option<RateLimitPart> {
        match self.kind {
            RateLimitErrorKind::Invalid(p) | RateLimitErrorKind::GigaSuffix(p) => Some(p),
            _ => None,
        }
    }

    /// Byte range of the offending word in the input.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.span.clone()
    }
}

impl fmt::Display for RateLimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.input.get(self.span.clone()).unwrap_or_default();
        match &self.kind {
            RateLimitErrorKind::Empty => f.write_str("empty rate-limit")?,
            RateLimitErrorKind::TooLong => return f.write_str("rate-limit too long"),
            RateLimitErrorKind::TooManyParts => write!(
                f,
                "too many words in rate-limit: expected at most six (rate, burst-rate, \
                 burst-threshold, burst-time, priority, rate-min)"
            )?,
            RateLimitErrorKind::Invalid(p) => {
                write!(f, "invalid {p} `{word}`: expected {}", p.expected())?
            }
            RateLimitErrorKind::GigaSuffix(p) => write!(
                f,
                "invalid {p} `{word}`: MikroTik documents only the `k` and `M` suffixes for \
                 rate-limit; write `1000M` for 1G"
            )?,
        }
        if !self.input.is_empty() {
            let pad = self
                .input
                .get(..self.span.start)
                .map_or(0, |s| s.chars().count());
            let width = word.chars().count().max(1);
            write!(
                f,
                "\n  | {}\n  | {}{}",
                self.input,
                " ".repeat(pad),
                "^".repeat(width)
            )?;
        }
        Ok(())
    }
}

/// A MIKHMON value that does not parse: an on-login header, a sales record, a batch comment,
/// a price, a validity. Values in messages are cut to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MikhmonError {
    /// The script does not start with `:put (`.
    #[error("not a MIKHMON header: the script does not start with `:put (\",`")]
    NotAHeader,
    /// The header statement is cut short or has something unexpected in it.
    #[error("malformed MIKHMON header: expected {expected} at byte {at}")]
    MalformedHeader {
        /// What was expected (`"(", `a closing quote`...).
        expected: &'static str,
        /// Byte offset in the script.
        at: usize,
    },
    /// Fewer header fields than `,MODE,PRICE,VALIDITY,SELLPRICE,,LOCK,` has, or far too many.
    #[error(
        "MIKHMON header has {found} fields, expected 8 (`,MODE,PRICE,VALIDITY,SELLPRICE,,LOCK,`)"
    )]
    HeaderFields {
        /// Fields found.
        found: usize,
    },
    /// An expiry mode other than `rem`, `ntf`, `remc`, `ntfc` or nothing.
    #[error("unknown expiry mode `{0}`: expected rem, ntf, remc, ntfc or nothing")]
    UnknownMode(String),
    /// A price that is not a whole number.
    #[error("{field} `{value}` is not a whole amount (digits only, like 5000)")]
    BadPrice {
        /// `price` or `selling price`.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A validity that is not a duration.
    #[error("validity `{0}` is not a duration (like 30d, 12h, 5h30m, 1w2d)")]
    BadValidity(String),
    /// A lock field other than `Enable`, `Disable` or nothing.
    #[error("lock `{0}` is neither Enable nor Disable")]
    BadLock(String),
    /// A date in neither form.
    #[error("date `{0}` is neither like jul/15/2024 nor like 2024-07-15")]
    BadDate(String),
    /// A time of day that is not `hh:mm:ss`.
    #[error("time `{0}` is not hh:mm:ss")]
    BadTime(String),
    /// A sales record with fewer than nine `-|-`-separated fields.
    #[error(
        "sales record has {found} fields, expected 9 \
         (DATE-|-TIME-|-USER-|-PRICE-|-ADDRESS-|-MAC-|-VALIDITY-|-PROFILE-|-COMMENT)"
    )]
    RecordFields {
        /// Fields found.
        found: usize,
    },
    /// A comment that is not `up|vc-NNN-MM.DD.YY-text`.
    #[error("batch comment `{0}` is not like vc-482-07.15.24-text")]
    BadBatchComment(String),
    /// Bytes that must be text are not UTF-8.
    #[error("{0} is not UTF-8 text")]
    NotUtf8(&'static str),
    /// Input longer than the limit for its kind.
    #[error("input too long ({len} bytes, at most {max})")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl MikhmonError {
    pub(crate) fn cut(s: &str) -> String {
        s.chars().take(64).collect()
    }

    /// A stable, short code for the error (`bad-price`, `missing-fields`...), as sales reports
    /// count skipped records by it.
    pub fn code(&self) -> &'static str {
        match self {
            MikhmonError::NotAHeader => "not-a-header",
            MikhmonError::MalformedHeader { .. } => "malformed-header",
            MikhmonError::HeaderFields { .. } => "header-fields",
            MikhmonError::UnknownMode(_) => "unknown-mode",
            MikhmonError::BadPrice { .. } => "bad-price",
            MikhmonError::BadValidity(_) => "bad-validity",
            MikhmonError::BadLock(_) => "bad-lock",
            MikhmonError::BadDate(_) => "bad-date",
            MikhmonError::BadTime(_) => "bad-time",
            MikhmonError::RecordFields { .. } => "missing-fields",
            MikhmonError::BadBatchComment(_) => "bad-batch-comment",
            MikhmonError::NotUtf8(_) => "not-utf8",
            MikhmonError::TooLong { .. } => "too-long",
        }
    }
}

/// A voucher batch that cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VoucherError {
    /// Batch size outside 1..=500 (MIKHMON's limit).
    #[error("batch size {0} is outside 1..=500")]
    Count(usize),
    /// Code length outside 3..=8 (MIKHMON's choices).
    #[error("code length {0} is outside 3..=8")]
    Length(usize),
    /// A prefix longer than 6 characters or with characters a login form may mangle.
    #[error("prefix `{0}` must be at most 6 letters, digits, `-`, `_`, `.` or `@`")]
    Prefix(String),
    /// A batch note with a character that would break the batch comment.
    #[error("batch note `{0}` must be at most 64 bytes without control characters")]
    Note(String),
    /// All digits and `up` mode: the password would be the only random part; or a charset
    /// that the mode does not use.
    #[error("the {charset} character set cannot be used in {mode} mode")]
    Charset {
        /// The character set.
        charset: &'static str,
        /// The mode.
        mode: &'static str,
    },
    /// Fewer free codes than the batch needs.
    #[error(
        "only {available} codes of this shape exist and {wanted} are needed; use longer codes"
    )]
    SpaceTooSmall {
        /// Codes of the requested shape.
        available: u64,
        /// Codes needed (batch size plus existing names of the same shape, at most).
        wanted: u64,
    },
    /// Random draws kept colliding with existing names.
    #[error("gave up after {0} draws that collided with existing names; use longer codes")]
    Exhausted(usize),
}
