#![no_main]
//! Webhook parsing never panics and stays within its bounds; a body that parses is signed and
//! verified again byte for byte, and a one-byte change to it fails the signature.
use libfuzzer_sys::fuzz_target;
use wa_notify::webhook::{parse_webhook, sign, verify_signature, MAX_EVENTS};

fuzz_target!(|data: &[u8]| {
    if let Ok(events) = parse_webhook(data) {
        assert!(events.len() <= MAX_EVENTS);
        let sig = sign(b"fuzz-secret", data);
        assert!(verify_signature(b"fuzz-secret", data, Some(&sig)).is_ok());
        let mut changed = data.to_vec();
        if let Some(b) = changed.first_mut() {
            *b ^= 1;
            assert!(verify_signature(b"fuzz-secret", &changed, Some(&sig)).is_err());
        }
    }
});
