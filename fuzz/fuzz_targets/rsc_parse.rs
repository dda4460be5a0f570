#![no_main]
//! `.rsc` parsing never panics, and whatever parses (bytes in any code page included) renders to
//! a script that parses back to the same configuration, byte for byte.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cfg) = queue_model::rsc::parse_bytes(data) {
        let rendered = queue_model::rsc::render(&cfg);
        let back = queue_model::rsc::parse(&rendered)
            .unwrap_or_else(|e| panic!("rendered script does not parse: {e}\n{rendered}"));
        assert_eq!(
            back, cfg,
            "render -> parse changed the configuration:\n{rendered}"
        );
        // A plan from a configuration to itself changes nothing.
        assert!(queue_model::plan(&cfg, &cfg).is_empty());
        let _ = queue_model::validate(&cfg);
    }
});
