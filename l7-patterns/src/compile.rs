//! Translation of the syntax tree to `regex-syntax` HIR and the single-pattern [`Matcher`].

use std::fmt;
use std::str::FromStr;

use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{self, Hir, Look};

use crate::ast::{Ast, AstKind, ByteSet};
use crate::error::Error;
use crate::window::{collect, Window};
use crate::Pattern;

/// How letter case is handled when matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum MatchMode {
    /// ASCII letters match regardless of case, in the pattern and in the data (what MikroTik's
    /// documentation promises: "Layer 7 matcher is case insensitive!"). The default.
    #[default]
    CaseInsensitive,
    /// The data is lowercased (ASCII) and the pattern is used as written, so uppercase literals,
    /// `[A-Z]` and `\x41`–`\x5a` never match. This mirrors a field report of how RouterOS (like
    /// the l7-filter kernel module) behaves.
    LowercaseDataOnly,
}

impl MatchMode {
    /// The name users type: `case-insensitive` or `lowercase-data-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMode::CaseInsensitive => "case-insensitive",
            MatchMode::LowercaseDataOnly => "lowercase-data-only",
        }
    }

    /// The set of data bytes that a pattern byte set `set` accepts in this mode.
    pub(crate) fn map_set(self, set: ByteSet) -> ByteSet {
        let mut image = ByteSet::EMPTY;
        for b in set.iter() {
            image.insert(b.to_ascii_lowercase());
            if self == MatchMode::CaseInsensitive {
                image.insert(b.to_ascii_uppercase());
            }
        }
        let mut out = ByteSet::EMPTY;
        for x in 0..=255u8 {
            let ok = match self {
                MatchMode::CaseInsensitive => image.contains(x),
                // the data byte is lowercased before it meets the pattern
                MatchMode::LowercaseDataOnly => set.contains(x.to_ascii_lowercase()),
            };
            if ok {
                out.insert(x);
            }
        }
        out
    }
}

impl fmt::Display for MatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown [`MatchMode`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown match mode {0:?} (expected case-insensitive or lowercase-data-only)")]
pub struct ParseModeError(String);

impl FromStr for MatchMode {
    type Err = ParseModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "case-insensitive" | "ci" => Ok(MatchMode::CaseInsensitive),
            "lowercase-data-only" | "lowercase-data" => Ok(MatchMode::LowercaseDataOnly),
            _ => Err(ParseModeError(s.to_owned())),
        }
    }
}

fn set_hir(set: ByteSet) -> Hir {
    let ranges = set.ranges();
    if let [(a, b)] = ranges.as_slice() {
        if a == b {
            return Hir::literal([*a]);
        }
    }
    let class = hir::ClassBytes::new(
        ranges
            .into_iter()
            .map(|(a, b)| hir::ClassBytesRange::new(a, b)),
    );
    Hir::class(hir::Class::Bytes(class))
}

/// Translates a syntax tree to HIR for `mode`. Recursion depth is bounded by `NEST_LIMIT`.
pub(crate) fn to_hir(ast: &Ast, mode: MatchMode) -> Hir {
    match &ast.kind {
        AstKind::Empty => Hir::empty(),
        AstKind::Literal(l) => set_hir(mode.map_set(ByteSet::single(l.byte))),
        AstKind::Dot => set_hir(ByteSet::FULL),
        AstKind::Start => Hir::look(Look::Start),
        AstKind::End => Hir::look(Look::End),
        AstKind::Class(c) => set_hir(mode.map_set(c.byte_set())),
        AstKind::Group(inner) => to_hir(inner, mode),
        AstKind::Repeat { ast, op } => Hir::repetition(hir::Repetition {
            min: op.min(),
            max: op.max(),
            greedy: true,
            sub: Box::new(to_hir(ast, mode)),
        }),
        AstKind::Concat(v) => Hir::concat(v.iter().map(|a| to_hir(a, mode)).collect()),
        AstKind::Alternation(v) => Hir::alternation(v.iter().map(|a| to_hir(a, mode)).collect()),
    }
}

/// Size limit for one compiled pattern's NFA.
pub(crate) const NFA_SIZE_LIMIT: usize = 16 << 20;

pub(crate) fn meta_builder(kind: MatchKind, cache: usize) -> meta::Builder {
    let mut b = meta::Builder::new();
    b.configure(
        meta::Config::new()
            .match_kind(kind)
            .utf8_empty(false)
            .nfa_size_limit(Some(NFA_SIZE_LIMIT))
            .hybrid_cache_capacity(cache),
    )
    .syntax(syntax::Config::new().unicode(false).utf8(false));
    b
}

/// One compiled pattern: a DFA-based matcher (no backtracking).
///
/// ```
/// use l7_patterns::{Matcher, MatchMode, Pattern};
/// let pattern = Pattern::parse("^get /announce\\?info_hash=")?;
/// let m = Matcher::new(&pattern, MatchMode::CaseInsensitive)?;
/// assert!(m.is_match(b"GET /announce?info_hash=%12"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    regex: meta::Regex,
    mode: MatchMode,
    source: String,
}

impl Matcher {
    /// Compiles `pattern` for `mode`.
    pub fn new(pattern: &Pattern, mode: MatchMode) -> Result<Matcher, Error> {
        let hir = to_hir(pattern.ast(), mode);
        let regex = meta_builder(MatchKind::LeftmostFirst, 2 << 20)
            .build_from_hir(&hir)
            .map_err(|e| Error::Compile {
                name: pattern.as_str().to_owned(),
                message: e.to_string(),
            })?;
        Ok(Matcher {
            regex,
            mode,
            source: pattern.as_str().to_owned(),
        })
    }

    /// Parses and compiles `src` in one step.
    pub fn from_pattern(src: &str, mode: MatchMode) -> Result<Matcher, Error> {
        let pattern = Pattern::parse(src).map_err(|source| Error::Parse {
            name: src.to_owned(),
            source,
        })?;
        Matcher::new(&pattern, mode)
    }

    /// Whether the pattern matches somewhere in `data`, taken as the collected buffer exactly as
    /// given (`^` is its start, `$` its end). Use [`Matcher::matches_connection`] for raw
    /// connection bytes.
    pub fn is_match(&self, data: &[u8]) -> bool {
        self.regex.is_match(Input::new(data))
    }

    /// Applies the collection rules of the default [`Window`] to a connection's bytes (NULs
    /// removed, first 2048 bytes kept) and searches the result.
    pub fn matches_connection(&self, data: &[u8]) -> bool {
        self.is_match(&collect(data, Window::default().max_bytes))
    }

    /// The match mode this matcher was built for.
    pub fn mode(&self) -> MatchMode {
        self.mode
    }

    /// The pattern source.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}
