//! Layer 7 patterns: lint of the l7-filter corpus, the pattern set against one-by-one matching
//! over 2 KiB windows, and the per-packet cost of the stream matcher.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use l7_patterns::load::load_pat_dir;
use l7_patterns::{lint, Direction, Flow, MatchMode, Matcher, NamedPattern, PatternSet, Verdict};

fn corpus() -> Vec<NamedPattern> {
    // The l7-filter corpus is not shipped: `L7_PROTOCOLS_DIR` names its `protocols` directory.
    let dir = std::env::var_os("L7_PROTOCOLS_DIR")
        .map(PathBuf::from)
        .expect("set L7_PROTOCOLS_DIR to the l7-filter protocols directory");
    let pats = load_pat_dir(&dir).expect("L7_PROTOCOLS_DIR holds the l7-filter .pat files");
    assert_eq!(pats.len(), 146);
    pats
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

/// 2 KiB windows as the matcher would collect them (no NULs).
fn windows() -> Vec<(&'static str, Vec<u8>)> {
    let mut rng = Rng(7);
    let mut http =
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            .to_vec();
    while http.len() < 2048 {
        http.extend_from_slice(
            b"<div class=\"item\"><a href=\"/catalog/page-17\">Item 17</a></div>\n",
        );
    }
    http.truncate(2048);
    let binary: Vec<u8> = (0..2048).map(|_| (rng.next() % 255 + 1) as u8).collect();
    let text: Vec<u8> = (0..2048).map(|_| b' ' + (rng.next() % 95) as u8).collect();
    vec![("http", http), ("binary", binary), ("text", text)]
}

fn bench_lint(c: &mut Criterion) {
    let pats = corpus();
    let mut g = c.benchmark_group("l7/lint");
    g.throughput(Throughput::Elements(pats.len() as u64));
    let diags: usize = pats.iter().map(|p| lint(&p.pattern).len()).sum();
    assert!(diags > 0);
    g.bench_function("corpus_146", |b| {
        b.iter(|| {
            pats.iter()
                .map(|p| lint(black_box(&p.pattern)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn bench_set(c: &mut Criterion) {
    let pats = corpus();
    let set = PatternSet::new(pats.clone(), MatchMode::CaseInsensitive).unwrap();
    let one_by_one: Vec<Matcher> = pats
        .iter()
        .map(|p| Matcher::from_pattern(&p.pattern, MatchMode::CaseInsensitive).unwrap())
        .collect();
    let wins = windows();
    // the two ways agree before anything is timed
    for (_, w) in &wins {
        let a: Vec<usize> = set.matches(w).iter().collect();
        let b: Vec<usize> = one_by_one
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_match(w))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(a, b);
    }

    // Ratio in the same run, measured directly (criterion reports the absolute figures below).
    for (name, w) in &wins {
        let time = |f: &dyn Fn() -> usize| {
            let start = Instant::now();
            let mut n = 0u32;
            while start.elapsed() < Duration::from_millis(400) {
                black_box(f());
                n += 1;
            }
            start.elapsed().as_secs_f64() / f64::from(n)
        };
        let set_t = time(&|| set.matches(black_box(w)).len());
        let obo_t = time(&|| {
            one_by_one
                .iter()
                .filter(|m| m.is_match(black_box(w)))
                .count()
        });
        eprintln!(
            "l7 set vs one-by-one [{name}]: set {:.1} us ({:.0} MB/s), one-by-one {:.1} us ({:.0} MB/s), ratio {:.1}x",
            set_t * 1e6,
            w.len() as f64 / set_t / 1e6,
            obo_t * 1e6,
            w.len() as f64 / obo_t / 1e6,
            obo_t / set_t
        );
    }

    let mut g = c.benchmark_group("l7/set_2k");
    g.throughput(Throughput::Bytes(2048));
    for (name, w) in &wins {
        g.bench_with_input(BenchmarkId::new("pattern_set", name), w, |b, w| {
            b.iter(|| set.matches(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("one_by_one", name), w, |b, w| {
            b.iter(|| {
                one_by_one
                    .iter()
                    .filter(|m| m.is_match(black_box(w)))
                    .count()
            })
        });
    }
    g.finish();
}

fn bench_flow(c: &mut Criterion) {
    let set = Arc::new(PatternSet::new(corpus(), MatchMode::CaseInsensitive).unwrap());
    let wins = windows();
    let mut g = c.benchmark_group("l7/flow_10_packets");
    g.throughput(Throughput::Elements(10));
    for (name, w) in &wins {
        // handshake (3 empty packets) + 7 data packets of ~292 bytes: a full 10-packet window
        let mut packets: Vec<&[u8]> = vec![&[], &[], &[]];
        packets.extend(w.chunks(w.len().div_ceil(7)));
        assert_eq!(packets.len(), 10);
        let run = || {
            let mut f = Flow::new(Arc::clone(&set));
            let mut v = Verdict::Undecided;
            for (i, p) in packets.iter().enumerate() {
                let dir = if i % 2 == 0 {
                    Direction::Original
                } else {
                    Direction::Reply
                };
                v = f.push(dir, p);
            }
            v
        };
        assert_ne!(run(), Verdict::Undecided);
        g.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(run));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench_lint, bench_set, bench_flow
}
criterion_main!(benches);
