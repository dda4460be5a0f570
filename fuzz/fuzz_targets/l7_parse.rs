//! Arbitrary text through the Layer 7 pattern parser, linter and compiler.
//! Oracles: no panic; a parsed pattern prints to text that parses to the same print
//! (print -> parse round trip); every diagnostic span lies inside the pattern.
#![no_main]
use l7_patterns::{lint, MatchMode, Matcher, Pattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    for d in lint(&src) {
        assert!(
            d.span.start <= d.span.end && d.span.end <= src.len(),
            "{d:?}"
        );
        let _ = d.apply_fix(&src);
    }
    if let Ok(p) = Pattern::parse(&src) {
        let printed = p.to_string();
        let again = Pattern::parse(&printed).expect("a printed pattern parses");
        assert_eq!(again.to_string(), printed);
        if src.len() < 256 {
            for mode in [MatchMode::CaseInsensitive, MatchMode::LowercaseDataOnly] {
                if let (Ok(a), Ok(b)) = (Matcher::new(&p, mode), Matcher::new(&again, mode)) {
                    for hay in [&data[..], b"get / http/1.1\r\n", b""] {
                        assert_eq!(a.is_match(hay), b.is_match(hay));
                    }
                }
            }
        }
    }
});
