//! Error types: [`ParseError`] for pattern syntax, [`Error`] for compiling and loading.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// A pattern that does not parse, with the place where parsing failed.
///
/// `Display` renders the pattern with a caret under the offending place:
///
/// ```text
/// unclosed group
///     ^(get|post /
///      ^
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    span: Range<usize>,
    pattern: String,
}

/// What is wrong with a pattern that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A `(` without its `)`.
    #[error("unclosed group: `(` has no matching `)`")]
    UnclosedGroup,
    /// A `)` without a `(` before it.
    #[error("unopened group: `)` has no matching `(`")]
    UnopenedGroup,
    /// A `[` without its `]`.
    #[error("unclosed bracket expression: `[` has no matching `]`")]
    UnclosedClass,
    /// `*`, `+`, `?` or `{m,n}` with nothing before it to repeat.
    #[error("repetition operator with nothing to repeat")]
    NothingToRepeat,
    /// A range in a bracket expression whose end is below its start (`[z-a]`).
    #[error("invalid range: the end is below the start")]
    InvalidRange,
    /// `\x` not followed by two hexadecimal digits.
    #[error("`\\x` must be followed by two hexadecimal digits")]
    InvalidHexEscape,
    /// A backslash at the very end of the pattern.
    #[error("the pattern ends with a lone backslash")]
    TrailingBackslash,
    /// `{m,n}` with `m > n` or a count above 255.
    #[error("invalid repetition bound (counts must be at most 255 and min <= max)")]
    InvalidBound,
    /// `[:name:]` with an unknown name.
    #[error("unknown character class name")]
    UnknownClassName,
    /// A construct the dialect does not have: `(?...)` groups (non-capturing, look-around,
    /// flags), equivalence classes `[=a=]` or collating elements `[.a.]`.
    #[error("unsupported construct: {0}")]
    Unsupported(&'static str),
    /// Groups and repetitions nest deeper than [`NEST_LIMIT`](crate::NEST_LIMIT).
    #[error("pattern nests deeper than {0} levels")]
    NestTooDeep(u32),
    /// The pattern is longer than [`MAX_PATTERN_BYTES`](crate::MAX_PATTERN_BYTES).
    #[error("pattern is longer than {0} bytes")]
    TooLong(usize),
}

impl ParseErrorKind {
    /// The stable diagnostic code `lint` reports for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ParseErrorKind::Unsupported(_) => "L7E002",
            _ => "L7E001",
        }
    }
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, span: Range<usize>, pattern: &str) -> ParseError {
        ParseError {
            kind,
            span,
            pattern: pattern.to_owned(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// Byte range of the offending place in the pattern.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The pattern that failed to parse.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

/// Renders `pattern` on one line with carets under `span` (control characters shown as `?` so
/// the caret lines up).
pub fn render_caret(pattern: &str, span: &Range<usize>) -> String {
    let mut line = String::new();
    let mut marks = String::new();
    let end = span.end.max(span.start.saturating_add(1));
    for (i, c) in pattern.char_indices() {
        let shown = if c.is_control() { '?' } else { c };
        line.push(shown);
        let mark = if i >= span.start && i < end { '^' } else { ' ' };
        marks.push(mark);
    }
    if span.start >= pattern.len() {
        marks.push('^');
    }
    format!("    {line}\n    {}", marks.trim_end())
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}",
            self.kind,
            render_caret(&self.pattern, &self.span)
        )
    }
}

impl std::error::Error for ParseError {}

/// Errors from compiling patterns and loading pattern files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pattern does not parse.
    #[error("pattern {name:?} does not parse: {source}")]
    Parse {
        /// The pattern's name (or a placeholder such as `line 3`).
        name: String,
        /// The parse error, with its span.
        #[source]
        source: ParseError,
    },
    /// The regex engine refused a pattern (for example, it grows beyond the size limit).
    #[error("pattern {name:?} cannot be compiled: {message}")]
    Compile {
        /// The pattern's name.
        name: String,
        /// What the engine said.
        message: String,
    },
    /// A pattern file is malformed.
    #[error("{path}:{line}: {message}")]
    Load {
        /// The file (or `-` for text given directly).
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
