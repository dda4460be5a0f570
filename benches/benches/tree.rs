//! queue-model, queue trees: lint an export with 2,000 mangle rules and 2,000 queue trees, and
//! simulate 100 PCQ trees carrying 500 users for 60 s at 100 ms ticks.

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use queue_model::sim::{TreeFlow, TreeSimulation};
use queue_model::{rsc, validate, Config, Rate};

/// Per-user marks (a mark-connection and a mark-packet rule per user, 1,000 users), one
/// download queue per user under the LAN interface and one upload queue under the WAN one.
fn export(users: usize) -> String {
    let mut s = String::from("/ip firewall mangle\n");
    for i in 0..users {
        let _ = writeln!(
            s,
            "add action=mark-connection chain=forward comment=\"user {i}\" new-connection-mark=u{i} \\\n    passthrough=yes src-address=10.{}.{}.{}",
            i / 65536 % 256,
            i / 256 % 256,
            i % 256
        );
        let _ = writeln!(
            s,
            "add action=mark-packet chain=forward connection-mark=u{i} new-packet-mark=u{i} \\\n    passthrough=no"
        );
    }
    s.push_str("/queue tree\nadd max-limit=1G name=down parent=ether2\nadd max-limit=500M name=up parent=ether1\n");
    for i in 0..users {
        let _ = writeln!(
            s,
            "add limit-at=512k max-limit=10M name=down-{i} packet-mark=u{i} parent=down queue=pcq-download-default"
        );
        if i + 2 < users {
            let _ = writeln!(
                s,
                "add limit-at=256k max-limit=5M name=up-{i} packet-mark=u{i} parent=up priority=4"
            );
        }
    }
    s
}

fn bench_lint(c: &mut Criterion) {
    let text = export(1_000);
    let cfg = rsc::parse(&text).unwrap();
    assert_eq!((cfg.mangle.len(), cfg.queue_trees.len()), (2_000, 2_000));
    let diags = validate(&cfg);
    assert!(diags.is_empty(), "{:?}", diags.first());
    let mut g = c.benchmark_group("tree/lint");
    g.sample_size(20);
    g.throughput(Throughput::Elements(4_000));
    g.bench_function("validate 2k mangle rules 2k trees", |b| {
        b.iter(|| validate(&cfg).len())
    });
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+validate 2k mangle rules 2k trees", |b| {
        b.iter(|| validate(&rsc::parse(&text).unwrap()).len())
    });
    g.finish();
}

/// 100 leaf trees with PCQ (pcq-rate=0) under a 200M parent, 5 users each: users switch
/// between idle, 1M and 20M every few seconds.
fn pcq_setup() -> (Config, Vec<TreeFlow>) {
    let mut s = String::from(
        "/queue type\nadd kind=pcq name=pcq-down pcq-classifier=dst-address\n\
         /queue tree\nadd max-limit=200M name=all parent=global\n",
    );
    for k in 0..100 {
        let _ = writeln!(
            s,
            "add limit-at=1M max-limit=10M name=area-{k} packet-mark=area-{k} parent=all queue=pcq-down"
        );
    }
    let cfg = rsc::parse(&s).unwrap();
    let flows = (0..500)
        .map(|u| {
            TreeFlow::new(
                format!("area-{}", u % 100),
                format!("10.0.{}.{}", u / 250, u % 250),
            )
        })
        .collect();
    (cfg, flows)
}

fn simulate(cfg: &Config, flows: &[TreeFlow]) -> u64 {
    let mut sim = TreeSimulation::new(cfg, "global", Rate(1_000_000_000), flows).unwrap();
    let mut load = vec![0u64; flows.len()];
    let mut total = 0u64;
    for tick in 0..600u64 {
        for (u, l) in load.iter_mut().enumerate() {
            *l = match (u as u64 * 7 + tick / 30) % 3 {
                0 => 0,
                1 => 1_000_000,
                _ => 20_000_000,
            };
        }
        total += sim.step(0.1, &load).unwrap().iter().sum::<u64>();
    }
    total
}

fn bench_pcq(c: &mut Criterion) {
    let (cfg, flows) = pcq_setup();
    let sim = TreeSimulation::new(&cfg, "global", Rate(1_000_000_000), &flows).unwrap();
    assert_eq!(sim.sub_queues(), 500);
    assert!(simulate(&cfg, &flows) > 0);
    let mut g = c.benchmark_group("tree/simulate pcq 100ms ticks");
    g.sample_size(10);
    g.throughput(Throughput::Elements(500 * 600));
    g.bench_function("100 trees 500 users 60s", |b| {
        b.iter(|| simulate(&cfg, &flows))
    });
    g.finish();
}

criterion_group!(benches, bench_lint, bench_pcq);
criterion_main!(benches);
