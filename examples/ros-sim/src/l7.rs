//! Layer-7 evaluation: the seam where `l7-patterns` plugs in.
//!
//! RouterOS (like l7-filter) matches a layer7-protocol's regexp case-insensitively against the
//! first packets of a connection, at most 2 KiB of them. Compiled expressions are cached by
//! their text; an expression that does not compile never matches.

use std::collections::HashMap;

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

/// Bytes of a connection a layer7 regexp sees.
pub(crate) const WINDOW: usize = 2048;
const MAX_CACHED: usize = 1024;

#[derive(Default)]
pub(crate) struct L7Engine {
    cache: HashMap<String, Option<Regex>>,
}

impl L7Engine {
    /// True when `regexp` matches the first [`WINDOW`] bytes of `payload`.
    pub fn is_match(&mut self, regexp: &str, payload: &[u8]) -> bool {
        if !self.cache.contains_key(regexp) {
            if self.cache.len() >= MAX_CACHED {
                self.cache.clear();
            }
            let re = Regex::builder()
                .syntax(
                    syntax::Config::new()
                        .case_insensitive(true)
                        .unicode(false)
                        .utf8(false)
                        .nest_limit(64),
                )
                .build(regexp)
                .ok();
            self.cache.insert(regexp.to_owned(), re);
        }
        let window = payload.get(..WINDOW.min(payload.len())).unwrap_or(payload);
        self.cache
            .get(regexp)
            .and_then(Option::as_ref)
            .is_some_and(|re| re.is_match(window))
    }
}
