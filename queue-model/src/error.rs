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
