//! Property tests mirroring the fuzz targets: no panics on arbitrary patterns, print/parse round
//! trip, and the incremental flow equals whole-buffer searches after each packet.

use std::sync::Arc;

use l7_patterns::{
    collect, lint, Direction, Flow, MatchMode, MatchSet, Matcher, Pattern, PatternSet, Window,
};
use proptest::prelude::*;

fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "b",
        "A",
        "z",
        "0",
        ".",
        "*",
        "+",
        "?",
        "|",
        "(",
        ")",
        "[",
        "]",
        "^",
        "$",
        "-",
        "\\x41",
        "\\x00",
        "\\xff",
        "\\d",
        "\\.",
        "\\\\",
        "\\",
        "{2}",
        "{1,3}",
        "{",
        "}",
        " ",
        "é",
        "[:digit:]",
        "[^",
        "\\x2",
    ])
}

fn pattern_text() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..24).prop_map(|v| v.concat())
}

fn haystack() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            b'a', b'b', b'A', b'z', b'0', b'5', b' ', b'-', b'.', 0u8, 0xff, 0xc3, 0xa9, b'\\',
            b'2',
        ]),
        0..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn lint_and_parse_never_panic_and_round_trip(src in pattern_text(), hays in prop::collection::vec(haystack(), 4)) {
        for d in lint(&src) {
            prop_assert!(d.span.start <= d.span.end && d.span.end <= src.len(), "{d:?}");
        }
        if let Ok(p) = Pattern::parse(&src) {
            let printed = p.to_string();
            let again = Pattern::parse(&printed);
            prop_assert!(again.is_ok(), "{src:?} printed as {printed:?}");
            let again = again.unwrap();
            prop_assert_eq!(again.to_string(), printed.clone());
            for mode in [MatchMode::CaseInsensitive, MatchMode::LowercaseDataOnly] {
                let a = Matcher::new(&p, mode).unwrap();
                let b = Matcher::new(&again, mode).unwrap();
                for h in &hays {
                    prop_assert_eq!(a.is_match(h), b.is_match(h), "{:?} vs {:?} on {:?}", src, printed, h);
                }
            }
        }
    }

    #[test]
    fn flow_equals_whole_buffer_search(src in pattern_text(), packets in prop::collection::vec(haystack(), 0..14)) {
        let Ok(set) = PatternSet::new([("p", src.as_str()), ("q", "a$")], MatchMode::CaseInsensitive) else {
            return Ok(());
        };
        let set = Arc::new(set);
        let window = Window::new(10, 48);
        let mut flow = Flow::with_window(Arc::clone(&set), window);
        let mut expected = MatchSet::with_capacity(2);
        let mut buffer = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            let dir = if i % 2 == 0 { Direction::Original } else { Direction::Reply };
            flow.push(dir, p);
            if i >= 10 || buffer.len() >= window.max_bytes {
                continue;
            }
            let before = buffer.len();
            buffer.extend(collect(p, window.max_bytes - buffer.len()));
            if buffer.len() > before {
                for m in set.matches(&buffer).iter() {
                    expected.insert(m);
                }
            }
        }
        prop_assert_eq!(flow.matched(), &expected, "{:?} {:?}", src, packets);
    }
}
