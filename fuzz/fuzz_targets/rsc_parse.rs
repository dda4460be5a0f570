#![no_main]
//! `.rsc` parsing never panics, and whatever parses renders to a script that parses back to
//! the same configuration.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cfg) = queue_model::rsc::parse(text) {
        let rendered = queue_model::rsc::render(&cfg);
        let back = queue_model::rsc::parse(&rendered)
            .unwrap_or_else(|e| panic!("rendered script does not parse: {e}\n{rendered}"));
        assert_eq!(
            back, cfg,
            "render -> parse changed the configuration:\n{rendered}"
        );
        let _ = queue_model::validate(&cfg);
    }
});
