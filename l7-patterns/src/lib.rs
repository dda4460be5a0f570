//! Parse, lint and match MikroTik RouterOS Layer 7 patterns offline, the way the router collects
//! and searches connection data.
//!
//! ```
//! use std::sync::Arc;
//! use l7_patterns::{lint, Direction, Flow, MatchMode, Pattern, PatternSet, Severity, Verdict};
//!
//! // Parse and print back.
//! let pattern = Pattern::parse("^.+(youtube.com|googlevideo.com).*$")?;
//! assert_eq!(pattern.to_string(), "^.+(youtube.com|googlevideo.com).*$");
//!
//! // Lint: the unescaped dots and the useless `.*$` are reported, each with a span and a fix.
//! let diags = lint("^.+(youtube.com|googlevideo.com).*$");
//! assert!(diags.iter().any(|d| d.code == "L7W004" && d.severity == Severity::Warning));
//!
//! // Match connections packet by packet, as the router would.
//! let set = Arc::new(PatternSet::new([("yt", "(youtube|googlevideo)\\.com")], MatchMode::default())?);
//! let mut flow = Flow::new(set);
//! flow.push(Direction::Original, b"");
//! let verdict = flow.push(Direction::Original, b"GET / HTTP/1.1\r\nHost: www.YouTube.com\r\n\r\n");
//! assert!(matches!(verdict, Verdict::Matched(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What RouterOS does, and what this crate models
//!
//! From MikroTik's Layer7 page (<https://help.mikrotik.com/docs/display/ROS/Layer7>): "L7
//! matcher collects the first 10 packets of a connection or the first 2KB of a connection and
//! searches for the pattern in the collected data. If the pattern is not found in the collected
//! data, the matcher stops inspecting further [...] the protocol is considered unknown", it
//! "must see both directions of traffic", and "Layer 7 matcher is case insensitive!". Patterns
//! compatible with RouterOS are those of the l7-filter project, whose kernel module RouterOS
//! follows. [`Flow`] models the window as l7-filter did: one buffer per connection, payloads of
//! both directions appended in arrival order, NUL bytes removed, capped at 2048 bytes, searched
//! again after each packet that adds data, and given up after the 10th packet (empty ACKs and
//! the handshake count).
//!
//! The dialect ([`Pattern`]) is POSIX-style extended regular expressions as l7-filter wrote them:
//! `\xHH` is a byte (also inside brackets), any other `\c` is the literal `c` (so `\d`, `\w`,
//! `\s` are *not* classes), no back-references, lazy quantifiers, look-around, equivalence
//! classes or collating elements; `{m,n}` bounds are accepted with a warning because their
//! support on RouterOS is unclear. `.` matches any byte, `^` and `$` the start and the end of
//! the collected data.
//!
//! Case: the documentation says matching is case-insensitive, but a field report found RouterOS
//! lowercases only the data (as the l7-filter kernel module did), so uppercase literals never
//! match. [`MatchMode::CaseInsensitive`] (the default) follows the documentation,
//! [`MatchMode::LowercaseDataOnly`] the field report, and [`lint`] always warns about
//! uppercase literals.
//!
//! Layer 7 cannot see inside TLS or QUIC: a hostname pattern only ever sees the SNI of a TLS
//! ClientHello, or plain HTTP; [`lint`] says so and suggests `tls-host`.
//!
//! Matching uses `regex-automata` (lazy DFA, no backtracking): [`Matcher`] for one pattern,
//! [`PatternSet`] for many in one pass, [`Flow`] for a connection packet by packet.
//! Loaders read l7-filter `.pat` files, `/ip firewall layer7-protocol` entries of an `.rsc`
//! export, and one-pattern-per-line files ([`load`]); [`library`] holds curated patterns.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::str::FromStr;

mod ast;
mod compile;
mod error;
pub mod library;
mod lint;
pub mod load;
mod parse;
#[cfg(feature = "pcap")]
pub mod pcap;
mod set;
mod window;

pub use ast::{
    Ast, AstKind, ByteSet, Class, ClassItem, Literal, LiteralKind, NamedClass, RepeatOp,
};
pub use compile::{MatchMode, Matcher, ParseModeError};
pub use error::{render_caret, Error, ParseError, ParseErrorKind};
pub use library::library;
pub use lint::{lint, lint_pattern, Diagnostic, Severity};
pub use set::{MatchSet, NamedPattern, PatternSet, PatternSetBuilder, DEFAULT_CACHE_BYTES};
pub use window::{collect, Direction, Flow, Verdict, Window};

/// Deepest nesting of groups and repetitions a pattern may have.
pub const NEST_LIMIT: u32 = 64;

/// Longest pattern source accepted by the parser (the l7-filter kernel module allowed 8192;
/// [`lint`] warns above that).
pub const MAX_PATTERN_BYTES: usize = 64 * 1024;

/// A parsed pattern: the source and its syntax tree.
///
/// `Display` prints the tree back in the dialect, in a canonical spelling that parses to the
/// same tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    src: String,
    ast: Ast,
}

impl Pattern {
    /// Parses a pattern in the RouterOS / l7-filter dialect.
    ///
    /// ```
    /// let err = l7_patterns::Pattern::parse("^(get|post /").unwrap_err();
    /// assert!(err.to_string().contains("unclosed group"));
    /// assert_eq!(err.span(), 1..2);
    /// ```
    pub fn parse(src: &str) -> Result<Pattern, ParseError> {
        let ast = parse::parse(src)?;
        Ok(Pattern {
            src: src.to_owned(),
            ast,
        })
    }

    /// The source as given.
    pub fn as_str(&self) -> &str {
        &self.src
    }

    /// The syntax tree.
    pub fn ast(&self) -> &Ast {
        &self.ast
    }

    /// Whether two patterns have the same tree, ignoring spans and how literals were spelled.
    pub fn same_tree(&self, other: &Pattern) -> bool {
        self.to_string() == other.to_string()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.ast, f)
    }
}

impl FromStr for Pattern {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}
