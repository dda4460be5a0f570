//! queue-model: parse + validate a 10,000-queue export, plan between two 10,000-queue
//! configurations that differ in 1%, and simulate 100 / 1,000 / 10,000 queues at 10 ms ticks.

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use queue_model::sim::{run, Flow, Scenario};
use queue_model::{plan, rsc, validate, Config, Direction, Rate, Time, UpDown};

/// An export like a 10,000-subscriber RT/RW-net: Layer 7 protocols with the mangle rules that
/// use them, 100 area parents, and one queue per house under them.
fn export(queues: usize, l7: usize) -> String {
    let mut s = String::from("# 2025-01-02 by RouterOS 7.16\n/ip firewall layer7-protocol\n");
    for i in 0..l7 {
        let _ = writeln!(
            s,
            "add name=app{i} regexp=\"^(get|post) /app{i}/[a-z0-9]+ http\""
        );
    }
    s.push_str("/ip firewall mangle\n");
    for i in 0..l7 {
        let _ = writeln!(
            s,
            "add action=mark-connection chain=prerouting layer7-protocol=app{i} \\\n    new-connection-mark=app{i}-c passthrough=yes"
        );
        let _ = writeln!(
            s,
            "add action=mark-packet chain=prerouting connection-mark=app{i}-c new-packet-mark=app{i} \\\n    passthrough=no"
        );
    }
    s.push_str("/queue simple\n");
    let areas = (queues / 100).max(1);
    for a in 0..areas {
        let _ = writeln!(
            s,
            "add max-limit=200M/500M name=area-{a} target=10.{}.{}.0/24",
            a / 256,
            a % 256
        );
    }
    for i in 0..queues.saturating_sub(areas) {
        let a = i % areas;
        let _ = writeln!(
            s,
            "add burst-limit=4M/8M burst-threshold=1500k/3M burst-time=16s/16s comment=\"house {i}\" \\\n    limit-at=1M/2M max-limit=2M/5M name=house-{i} parent=area-{a} target=10.{}.{}.{}/32",
            a / 256,
            a % 256,
            i / areas % 250 + 1
        );
    }
    s
}

fn bench_parse_validate(c: &mut Criterion) {
    let text = export(10_000, 200);
    let cfg = rsc::parse(&text).unwrap();
    assert_eq!(cfg.queues.len(), 10_000);
    assert_eq!(cfg.layer7_protocols.len(), 200);
    let diags = validate(&cfg);
    assert!(diags.iter().all(|d| !d.is_error()), "{:?}", diags.first());
    let mut g = c.benchmark_group("queue/rsc");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+validate 10k queues 200 l7", |b| {
        b.iter(|| {
            let cfg = rsc::parse(&text).unwrap();
            validate(&cfg).len()
        })
    });
    g.bench_function("parse 10k queues 200 l7", |b| {
        b.iter(|| rsc::parse(&text).unwrap().queues.len())
    });
    g.bench_function("render 10k queues 200 l7", |b| {
        b.iter(|| rsc::render(&cfg).len())
    });
    g.finish();
}

fn bench_plan(c: &mut Criterion) {
    let current = rsc::parse(&export(10_000, 200)).unwrap();
    let mut desired = current.clone();
    // 1%: 50 changed limits, 25 removed, 25 added, in the middle of the list.
    for q in desired.queues.iter_mut().skip(500).step_by(100).take(50) {
        q.max_limit = UpDown::new(Rate(3_000_000), Rate(10_000_000));
    }
    let removed: Vec<queue_model::Text> = desired
        .queues
        .iter()
        .skip(777)
        .step_by(300)
        .take(25)
        .map(|q| q.name.clone())
        .collect();
    desired.queues.retain(|q| !removed.contains(&q.name));
    for i in 0..25 {
        let mut q = desired.queues[200 + i * 10].clone();
        q.name = format!("new-{i}").into();
        desired.queues.insert(201 + i * 10, q);
    }
    let changes = plan(&current, &desired);
    assert_eq!(changes.len(), 100, "{:?}", &changes[..3]);
    assert_eq!(queue_model::apply(&current, &changes).unwrap(), desired);
    let mut g = c.benchmark_group("queue/plan");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("10k queues, 1% different", |b| {
        b.iter(|| plan(&current, &desired).len())
    });
    g.finish();
}

/// `queues` queues (areas of up to 100 houses), every house downloading and uploading.
fn scenario(queues: usize, seconds: u64) -> Scenario {
    let text = export(queues, 0);
    let cfg: Config = rsc::parse(&text).unwrap();
    let link = UpDown::new(
        Rate(queues as u64 * 1_000_000),
        Rate(queues as u64 * 3_000_000),
    );
    let mut s = Scenario::new(cfg.clone(), link, Time::from_secs(seconds));
    s.tick = Time::from_millis(10);
    for (i, q) in cfg.queues.iter().enumerate() {
        if q.parent.is_none() {
            continue;
        }
        let start = Time::from_millis((i as u64 * 37) % (seconds * 500));
        s.flows.push(Flow::new(
            &q.name,
            Direction::Download,
            start,
            Rate(8_000_000),
        ));
        s.flows.push(Flow::new(
            &q.name,
            Direction::Upload,
            Time::ZERO,
            Rate(1_000_000),
        ));
    }
    s
}

fn bench_simulate(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue/simulate 10ms ticks");
    g.sample_size(10);
    for (queues, seconds) in [(100usize, 60u64), (1_000, 60), (10_000, 6)] {
        let s = scenario(queues, seconds);
        let r = run(&s).unwrap();
        assert_eq!(r.seconds.len(), seconds as usize);
        assert!(r.average.iter().any(|a| a.download > 0));
        let queue_ticks = queues as u64 * seconds * 100;
        g.throughput(Throughput::Elements(queue_ticks));
        g.bench_with_input(
            BenchmarkId::new("queues x seconds", format!("{queues}x{seconds}s")),
            &s,
            |b, s| b.iter(|| run(s).unwrap().average.len()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench_parse_validate, bench_plan, bench_simulate);
criterion_main!(benches);
