//! Stream matcher: the window rules, and agreement with whole-buffer searches at every packet.

mod common;

use std::sync::Arc;

use l7_patterns::load::load_pat_dir;
use l7_patterns::{collect, Direction, Flow, MatchMode, MatchSet, PatternSet, Verdict, Window};

fn set(patterns: &[(&str, &str)]) -> Arc<PatternSet> {
    Arc::new(PatternSet::new(patterns.iter().copied(), MatchMode::CaseInsensitive).unwrap())
}

fn matched_names(flow: &Flow) -> Vec<String> {
    flow.pattern_set()
        .names_of(flow.matched())
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn both_directions_are_joined_in_arrival_order() {
    let s = set(&[("ftp", "^220[\\x09-\\x0d -~]*\\x0d\\x0auser ")]);
    let mut f = Flow::new(s);
    assert_eq!(f.push(Direction::Original, b""), Verdict::Undecided); // SYN
    assert_eq!(f.push(Direction::Reply, b""), Verdict::Undecided); // SYN-ACK
    assert_eq!(
        f.push(Direction::Reply, b"220 ProFTPD ready\r\n"),
        Verdict::Undecided
    );
    assert!(f
        .push(Direction::Original, b"USER anonymous\r\n")
        .is_matched());
    assert_eq!(matched_names(&f), ["ftp"]);
}

#[test]
fn gives_up_after_the_tenth_packet_counting_empty_ones() {
    let s = set(&[("x", "needle")]);
    let mut f = Flow::new(Arc::clone(&s));
    for _ in 0..9 {
        assert_eq!(f.push(Direction::Original, b""), Verdict::Undecided);
    }
    // the 10th packet is still examined
    assert!(f.push(Direction::Reply, b"a needle").is_matched());

    let mut f = Flow::new(s);
    for _ in 0..9 {
        f.push(Direction::Original, b"hay");
    }
    assert_eq!(f.push(Direction::Original, b"hay"), Verdict::Unknown);
    assert!(f.is_closed());
    // unknown for good
    assert_eq!(f.push(Direction::Original, b"needle"), Verdict::Unknown);
    assert_eq!(f.packets(), 11);
}

#[test]
fn collects_at_most_2048_bytes_after_removing_nuls() {
    let s = set(&[("x", "needle")]);
    let mut f = Flow::new(Arc::clone(&s));
    let mut first = vec![b'a'; 2040];
    first.extend_from_slice(&[0, 0, 0, 0]); // NULs do not take room
    assert_eq!(f.push(Direction::Original, &first), Verdict::Undecided);
    assert_eq!(f.collected().len(), 2040);
    // "need" fits, "le" is past the cap
    assert_eq!(f.push(Direction::Reply, b"xxxxneedle"), Verdict::Unknown);

    let mut f = Flow::new(s);
    assert!(
        f.push(Direction::Original, b"ne\0\0ed\0le").is_matched(),
        "NULs are removed before matching"
    );
}

#[test]
fn dollar_is_tested_after_each_packet() {
    // `$` can match at the end of the data as it stood after an earlier packet
    let s = set(&[("azureus", "^azver\\x01$")]);
    let mut f = Flow::new(Arc::clone(&s));
    assert!(f.push(Direction::Original, b"azver\x01").is_matched());
    f.push(Direction::Reply, b"more");
    assert!(f.verdict().is_matched());
    // but not when the two arrive together
    let mut f = Flow::new(s);
    assert_eq!(
        f.push(Direction::Original, b"azver\x01more"),
        Verdict::Undecided
    );
}

#[test]
fn keeps_matching_other_patterns_while_the_window_is_open() {
    let s = set(&[("a", "^hello"), ("b", "world")]);
    let mut f = Flow::new(s);
    let Verdict::Matched(m) = f.push(Direction::Original, b"hello ") else {
        panic!()
    };
    assert_eq!(m.iter().collect::<Vec<_>>(), [0]);
    let Verdict::Matched(m) = f.push(Direction::Reply, b"world") else {
        panic!()
    };
    assert_eq!(m.iter().collect::<Vec<_>>(), [0, 1]);
}

#[test]
fn custom_window() {
    let s = set(&[("x", "abc")]);
    let mut f = Flow::with_window(s, Window::new(2, 4));
    f.push(Direction::Original, b"zz");
    assert_eq!(f.push(Direction::Original, b"abc"), Verdict::Unknown);
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// For the whole corpus: the incremental flow reports exactly the patterns that a whole-buffer
/// search finds after some packet.
#[test]
fn incremental_flow_equals_whole_buffer_search_after_each_packet() {
    let Some(dir) =
        common::corpus_dir("incremental_flow_equals_whole_buffer_search_after_each_packet")
    else {
        return;
    };
    let set =
        Arc::new(PatternSet::new(load_pat_dir(&dir).unwrap(), MatchMode::CaseInsensitive).unwrap());
    let samples: [&[u8]; 6] = [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nDate: x\r\n\r\n<html>",
        b"\x13BitTorrent protocol\0\0\0\0\0\x10\0\x05",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"220 mail.example.com ESMTP Postfix\r\nEHLO x\r\n",
        b"GET /announce?info_hash=abc HTTP/1.0\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    ];
    let mut rng = Rng(42);
    let mut total_matches = 0;
    for round in 0..60 {
        let mut data: Vec<u8> = samples[round % samples.len()].to_vec();
        for _ in 0..(rng.next() % 200) {
            data.push(rng.next() as u8);
        }
        let mut flow = Flow::new(Arc::clone(&set));
        let mut expected = MatchSet::with_capacity(set.len());
        let mut buffer = Vec::new();
        let mut rest = &data[..];
        for _ in 0..10 {
            let n = (rng.next() % 40) as usize;
            let (packet, tail) = rest.split_at(n.min(rest.len()));
            rest = tail;
            let before = buffer.len();
            buffer.extend(collect(packet, 2048 - buffer.len()));
            if buffer.len() > before {
                for i in set.matches(&buffer).iter() {
                    expected.insert(i);
                }
            }
            let dir = if rng.next() % 2 == 0 {
                Direction::Original
            } else {
                Direction::Reply
            };
            flow.push(dir, packet);
        }
        assert_eq!(
            flow.matched(),
            &expected,
            "round {round}: {:?}",
            String::from_utf8_lossy(&data)
        );
        assert_eq!(
            flow.rescans(),
            0,
            "the shared cache was large enough to resume"
        );
        total_matches += expected.len();
    }
    assert!(total_matches > 0);
}
