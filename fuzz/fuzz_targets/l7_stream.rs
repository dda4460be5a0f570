//! A pattern and a packet sequence through the stream matcher.
//! Input: first byte = pattern length, then the pattern, then packets separated by 0xff.
//! Oracle: the incremental flow reports exactly the patterns that a whole-buffer search of the
//! collected data finds after some packet that added data.
#![no_main]
use std::sync::Arc;

use l7_patterns::{collect, Direction, Flow, MatchMode, MatchSet, PatternSet, Window};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let (pat, stream) = rest.split_at(n);
    let pat = String::from_utf8_lossy(pat);
    let Ok(set) = PatternSet::new(
        [("p", pat.as_ref()), ("http", "^get /")],
        MatchMode::CaseInsensitive,
    ) else {
        return;
    };
    let set = Arc::new(set);
    let window = Window::new(10, 64);
    let mut flow = Flow::with_window(Arc::clone(&set), window);
    let mut expected = MatchSet::with_capacity(set.len());
    let mut buffer = Vec::new();
    for (i, packet) in stream.split(|b| *b == 0xff).enumerate() {
        let was_closed = flow.is_closed();
        let dir = if i % 2 == 0 {
            Direction::Original
        } else {
            Direction::Reply
        };
        flow.push(dir, packet);
        if was_closed || i >= 10 {
            continue;
        }
        let before = buffer.len();
        buffer.extend(collect(packet, window.max_bytes - buffer.len()));
        if buffer.len() > before {
            for m in set.matches(&buffer).iter() {
                expected.insert(m);
            }
        }
    }
    assert_eq!(flow.matched(), &expected);
});
