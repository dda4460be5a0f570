//! Arbitrary bytes as a pcap or pcapng capture.
//! Oracle: reading from memory and reading through a reader in small pieces give the same
//! connections, counts and errors, and the counts add up.
#![no_main]
use std::io::Read;
use std::sync::{Arc, OnceLock};

use l7_patterns::pcap::{flows, flows_from_reader, Flows, Limits, PcapError};
use l7_patterns::{MatchMode, PatternSet};
use libfuzzer_sys::fuzz_target;

/// A reader that hands out at most 7 bytes per read, so records straddle reads.
struct Pieces<'a>(&'a [u8]);

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        let (head, rest) = self.0.split_at(n);
        buf[..n].copy_from_slice(head);
        self.0 = rest;
        Ok(n)
    }
}

fn summary(r: Result<Flows, PcapError>) -> Result<(Vec<String>, String), String> {
    let f = r.map_err(|e| e.to_string())?;
    let conns = f
        .connections
        .iter()
        .map(|c| format!("{c} {} {} {:?}", c.flow.packets(), c.flow.bytes(), c.matched_names()))
        .collect();
    Ok((conns, format!("{:?}", f.stats)))
}

fuzz_target!(|data: &[u8]| {
    static SET: OnceLock<Arc<PatternSet>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        Arc::new(
            PatternSet::new(
                [("http", "^(get|post) [ -~]* http/1\\.[01]"), ("any", "^.")],
                MatchMode::default(),
            )
            .expect("the patterns compile"),
        )
    });
    let mut limits = Limits::default();
    limits.max_flows(64).max_record_bytes(1 << 20);

    let from_memory = flows(data, set, &limits);
    if let Ok(f) = &from_memory {
        let s = &f.stats;
        assert!(f.connections.len() <= 64);
        assert_eq!(s.packets + s.skipped, s.frames);
        assert!(s.unsupported_link <= s.skipped);
        let tracked: u64 = f.connections.iter().map(|c| u64::from(c.flow.packets())).sum();
        assert_eq!(tracked + s.untracked, s.packets);
    }
    let from_reader = flows_from_reader(Pieces(data), set, &limits);
    assert_eq!(summary(from_memory), summary(from_reader));
});
