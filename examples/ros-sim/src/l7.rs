//! Layer-7 evaluation with `l7-patterns`: the RouterOS dialect, matched the way the router
//! collects connection data (NULs removed, the first 2 KiB, case-insensitive).
//!
//! Compiled patterns are cached by their text; a pattern that does not compile never matches
//! (RouterOS accepts such a regexp and simply never matches it).

use std::collections::HashMap;

use l7_patterns::{MatchMode, Matcher};

const MAX_CACHED: usize = 1024;

#[derive(Default)]
pub(crate) struct L7Engine {
    cache: HashMap<String, Option<Matcher>>,
}

impl L7Engine {
    /// True when `regexp` matches the connection whose first payload is `payload`.
    pub fn is_match(&mut self, regexp: &str, payload: &[u8]) -> bool {
        if !self.cache.contains_key(regexp) {
            if self.cache.len() >= MAX_CACHED {
                self.cache.clear();
            }
            let m = Matcher::from_pattern(regexp, MatchMode::default()).ok();
            self.cache.insert(regexp.to_owned(), m);
        }
        self.cache
            .get(regexp)
            .and_then(Option::as_ref)
            .is_some_and(|m| m.matches_connection(payload))
    }
}
