#![no_main]
//! Rate-limit parsing never panics, and whatever parses renders to a canonical string that
//! parses back to the same value and renders the same again.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(r) = s.parse::<queue_model::RateLimit>() {
        let text = r.to_string();
        let back: queue_model::RateLimit = text
            .parse()
            .unwrap_or_else(|e| panic!("rendered rate-limit does not parse: {e}\n{text}"));
        assert_eq!(back, r, "render -> parse changed the value: {text}");
        assert_eq!(back.to_string(), text);
        let _ = r.check();
    }
});
