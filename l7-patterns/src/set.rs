//! [`PatternSet`]: many named patterns tested in one pass.

use std::sync::{Mutex, MutexGuard};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::{meta, Input, MatchKind};
use regex_syntax::hir::{self, Hir, Look};

use crate::compile::{meta_builder, to_hir, MatchMode, NFA_SIZE_LIMIT};
use crate::error::Error;
use crate::Pattern;

/// Default lazy DFA cache capacity of a set, for its searches and (separately) its flows.
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

/// Builds a [`PatternSet`] with non-default settings.
///
/// ```
/// use l7_patterns::{MatchMode, PatternSetBuilder};
/// let set = PatternSetBuilder::new()
///     .mode(MatchMode::LowercaseDataOnly)
///     .cache_capacity(8 << 20)
///     .build([("ssh", "^ssh-")])?;
/// assert!(set.is_match(b"SSH-2.0"));
/// # Ok::<(), l7_patterns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PatternSetBuilder {
    mode: MatchMode,
    cache_capacity: usize,
}

impl Default for PatternSetBuilder {
    fn default() -> Self {
        PatternSetBuilder {
            mode: MatchMode::default(),
            cache_capacity: DEFAULT_CACHE_BYTES,
        }
    }
}

impl PatternSetBuilder {
    /// Default settings: case-insensitive, [`DEFAULT_CACHE_BYTES`].
    pub fn new() -> PatternSetBuilder {
        PatternSetBuilder::default()
    }

    /// How letter case is handled.
    pub fn mode(&mut self, mode: MatchMode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// Upper bound, in bytes, of each of the set's two lazy DFA caches (one for
    /// [`PatternSet::matches`], one shared by its flows). Larger caches mean fewer rebuilt DFA
    /// states on varied traffic; memory grows only as states are built.
    pub fn cache_capacity(&mut self, bytes: usize) -> &mut Self {
        self.cache_capacity = bytes;
        self
    }

    /// Parses and compiles the named patterns.
    pub fn build<I, P>(&self, patterns: I) -> Result<PatternSet, Error>
    where
        I: IntoIterator<Item = P>,
        P: Into<NamedPattern>,
    {
        let mut names = Vec::new();
        let mut parsed = Vec::new();
        for p in patterns {
            let p: NamedPattern = p.into();
            let pattern = Pattern::parse(&p.pattern).map_err(|source| Error::Parse {
                name: p.name.clone(),
                source,
            })?;
            names.push(p.name);
            parsed.push(pattern);
        }
        PatternSet::compile(names, parsed, self.mode, self.cache_capacity)
    }
}

/// Which patterns of a set matched: a bitset of pattern indices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MatchSet {
    bits: Vec<u64>,
}

impl MatchSet {
    /// An empty set able to hold indices below `n` without growing.
    pub fn with_capacity(n: usize) -> MatchSet {
        MatchSet {
            bits: vec![0; n.div_ceil(64)],
        }
    }

    /// Adds pattern index `i`.
    pub fn insert(&mut self, i: usize) {
        let word = i / 64;
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if let Some(w) = self.bits.get_mut(word) {
            *w |= 1u64 << (i % 64);
        }
    }

    /// Whether pattern index `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// Whether no pattern matched.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    /// Number of patterns that matched.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The matching pattern indices, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.iter().enumerate().flat_map(|(wi, w)| {
            (0..64usize)
                .filter(move |b| w & (1u64 << b) != 0)
                .map(move |b| wi * 64 + b)
        })
    }
}

/// A named pattern, as loaded from a file or the library.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NamedPattern {
    /// The name (`http`, or the `name=` of a layer7-protocol entry).
    pub name: String,
    /// The pattern source, in the RouterOS dialect.
    pub pattern: String,
}

impl NamedPattern {
    /// A named pattern.
    pub fn new(name: impl Into<String>, pattern: impl Into<String>) -> NamedPattern {
        NamedPattern {
            name: name.into(),
            pattern: pattern.into(),
        }
    }
}

impl<N: Into<String>, P: Into<String>> From<(N, P)> for NamedPattern {
    fn from((name, pattern): (N, P)) -> Self {
        NamedPattern::new(name, pattern)
    }
}

/// The incremental engine behind [`Flow`](crate::Flow): a lazy DFA over all patterns with one
/// shared cache.
#[derive(Debug)]
pub(crate) struct StreamEngine {
    dfa: DFA,
    cache: Mutex<Cache>,
}

impl StreamEngine {
    pub(crate) fn dfa(&self) -> &DFA {
        &self.dfa
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clone for StreamEngine {
    fn clone(&self) -> Self {
        StreamEngine {
            dfa: self.dfa.clone(),
            cache: Mutex::new(self.dfa.create_cache()),
        }
    }
}

/// Many named patterns compiled together: [`PatternSet::matches`] says which of them match in
/// one pass over the data, and [`Flow`](crate::Flow) applies them to a connection packet by
/// packet.
///
/// ```
/// use l7_patterns::{MatchMode, PatternSet};
/// let set = PatternSet::new(
///     [("ssh", "^ssh-[12]\\.[0-9]"), ("http", "^(get|post) [ -~]* http/1\\.[01]")],
///     MatchMode::CaseInsensitive,
/// )?;
/// let hits = set.matches(b"SSH-2.0-OpenSSH_9.6\r\n");
/// assert_eq!(set.names_of(&hits), ["ssh"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PatternSet {
    names: Vec<String>,
    patterns: Vec<Pattern>,
    mode: MatchMode,
    regex: meta::Regex,
    stream: StreamEngine,
}

impl PatternSet {
    /// Parses and compiles named patterns. Fails on the first pattern that does not parse or
    /// compile, naming it.
    pub fn new<I, P>(patterns: I, mode: MatchMode) -> Result<PatternSet, Error>
    where
        I: IntoIterator<Item = P>,
        P: Into<NamedPattern>,
    {
        PatternSetBuilder::new().mode(mode).build(patterns)
    }

    /// Compiles already parsed patterns; `names` and `patterns` pair up by index.
    pub fn from_parsed(
        names: Vec<String>,
        patterns: Vec<Pattern>,
        mode: MatchMode,
    ) -> Result<PatternSet, Error> {
        PatternSet::compile(names, patterns, mode, DEFAULT_CACHE_BYTES)
    }

    fn compile(
        names: Vec<String>,
        patterns: Vec<Pattern>,
        mode: MatchMode,
        cache_capacity: usize,
    ) -> Result<PatternSet, Error> {
        // Each pattern P is compiled as `P(?s:.)*\z`: it "matches at the end of the data" exactly
        // when P matches somewhere. Matches are then reported only at the end of a search, so
        // one pass runs at full DFA speed without stopping at every match, and a flow learns
        // which patterns matched so far from a single end-of-input step after each packet.
        let hirs: Vec<_> = patterns
            .iter()
            .map(|p| {
                let any = Hir::class(hir::Class::Bytes(hir::ClassBytes::new([
                    hir::ClassBytesRange::new(0, 255),
                ])));
                let rest = Hir::repetition(hir::Repetition {
                    min: 0,
                    max: None,
                    greedy: true,
                    sub: Box::new(any),
                });
                Hir::concat(vec![to_hir(p.ast(), mode), rest, Hir::look(Look::End)])
            })
            .collect();
        let compile_err = |e: String| {
            // Find the culprit by compiling the patterns one at a time.
            let name = patterns
                .iter()
                .zip(&names)
                .find(|(p, _)| crate::Matcher::new(p, mode).is_err())
                .map_or_else(|| "(set)".to_owned(), |(_, n)| n.clone());
            Error::Compile { name, message: e }
        };
        let regex = meta_builder(MatchKind::All, cache_capacity)
            .build_many_from_hir(&hirs)
            .map_err(|e| compile_err(e.to_string()))?;
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT.saturating_mul(4))),
            )
            .build_many_from_hir(&hirs)
            .map_err(|e| compile_err(e.to_string()))?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache_capacity)
                    .skip_cache_capacity_check(true),
            )
            .build_from_nfa(nfa)
            .map_err(|e| compile_err(e.to_string()))?;
        let cache = Mutex::new(dfa.create_cache());
        Ok(PatternSet {
            names,
            patterns,
            mode,
            regex,
            stream: StreamEngine { dfa, cache },
        })
    }

    /// Which patterns match somewhere in `data` (taken as the collected buffer, as given), in one
    /// pass.
    pub fn matches(&self, data: &[u8]) -> MatchSet {
        let mut hits = regex_automata::PatternSet::new(self.regex.pattern_len());
        self.regex
            .which_overlapping_matches(&Input::new(data), &mut hits);
        let mut out = MatchSet::with_capacity(self.len());
        for id in hits.iter() {
            out.insert(id.as_usize());
        }
        out
    }

    /// Whether any pattern matches in `data`.
    pub fn is_match(&self, data: &[u8]) -> bool {
        self.regex.is_match(Input::new(data))
    }

    /// The names of the patterns in `set`, in index order.
    pub fn names_of(&self, set: &MatchSet) -> Vec<&str> {
        set.iter().filter_map(|i| self.name(i)).collect()
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the set has no patterns.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of pattern `i`.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.names.get(i).map(String::as_str)
    }

    /// All names, in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Pattern `i`.
    pub fn pattern(&self, i: usize) -> Option<&Pattern> {
        self.patterns.get(i)
    }

    /// The match mode the set was compiled for.
    pub fn mode(&self) -> MatchMode {
        self.mode
    }

    pub(crate) fn stream(&self) -> &StreamEngine {
        &self.stream
    }
}
