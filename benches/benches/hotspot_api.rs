//! Voucher batches added to a router over the API, as `rosctl hotspot generate` does it,
//! against ros-sim on a loopback port (simulator and client in one process, 2 worker threads):
//!
//! - `voucher_api/pipelined`: read the existing user names, generate 500 `vc` codes with the
//!   operating system's random generator, and add them with 32 `add` commands in flight.
//! - `voucher_api/sequential`: the same, one `add` at a time (a round trip per voucher).
//!
//! The users are removed after every iteration (not timed), so each batch meets the same
//! router: 2,000 earlier vouchers and the batch's profile.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::stream::{FuturesOrdered, StreamExt};
use queue_model::clock::Date;
use queue_model::hotspot::mikhmon::UserMode;
use queue_model::hotspot::voucher::{BatchBuilder, Charset};
use queue_model::{Item, Text};
use rand::rngs::OsRng;
use routeros_proto::{Client, Command};
use tokio::runtime::Runtime;

const BATCH: usize = 500;
const EARLIER: usize = 2_000;

/// Names, generation and adds, as `rosctl hotspot generate`; returns the users added.
async fn generate(client: &Client, in_flight: usize) -> usize {
    let rows = client
        .print(
            Command::builder("/ip/hotspot/user/print")
                .proplist(["name"])
                .build(),
        )
        .await
        .unwrap();
    let existing: HashSet<Text> = rows
        .iter()
        .filter_map(|r| r.get("name"))
        .map(Text::from)
        .collect();
    let spec = BatchBuilder::new(
        UserMode::Voucher,
        BATCH,
        "1Day",
        Date::new(2024, 7, 15).unwrap(),
    )
    .charset(Charset::Lower)
    .length(6)
    .note("bench")
    .build()
    .unwrap();
    let batch = spec.generate(&existing, &mut OsRng).unwrap();
    let mut pending = FuturesOrdered::new();
    let mut users = batch.users.iter();
    let mut added = 0;
    loop {
        while pending.len() < in_flight {
            let Some(u) = users.next() else { break };
            let mut cmd = Command::builder("/ip/hotspot/user/add");
            for (k, v) in &u.to_add_attributes() {
                cmd.attribute(k, v);
            }
            let cmd = cmd.build();
            pending.push_back(async move { client.execute(cmd).await });
        }
        match pending.next().await {
            Some(r) => {
                r.unwrap();
                added += 1;
            }
            None => break,
        }
    }
    added
}

/// Removes every user but the `EARLIER` ones.
fn reset(h: &ros_sim::SimHandle) {
    let ids: Vec<String> = h
        .print("/ip/hotspot/user")
        .unwrap()
        .iter()
        .skip(EARLIER)
        .filter_map(|r| r.iter().find(|(n, _)| n == ".id").map(|(_, v)| v.clone()))
        .collect();
    if !ids.is_empty() {
        h.remove("/ip/hotspot/user", &ids.join(",")).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let rt: Runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(async {
        let mut config = ros_sim::SimConfig::new();
        config
            .listen("127.0.0.1:0".parse().unwrap())
            .hosts(0)
            .queues(0)
            .tick_interval(None);
        ros_sim::Simulator::start(config).await.unwrap()
    });
    let h = sim.handle();
    h.add("/ip/hotspot/user/profile", &[("name", "1Day")])
        .unwrap();
    for i in 0..EARLIER {
        h.add(
            "/ip/hotspot/user",
            &[("name", &format!("old{i:05}")), ("profile", "1Day")],
        )
        .unwrap();
    }
    let client = rt.block_on(async {
        routeros_proto::client::Config::new(sim.addr().to_string())
            .connect()
            .await
            .unwrap()
    });
    // Check once what is timed: the whole batch reaches the router.
    assert_eq!(rt.block_on(generate(&client, 32)), BATCH);
    assert_eq!(h.print("/ip/hotspot/user").unwrap().len(), EARLIER + BATCH);
    reset(&h);

    let mut group = c.benchmark_group("voucher_api");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    for (name, in_flight) in [("pipelined", 32), ("sequential", 1)] {
        group.bench_function(BenchmarkId::new(name, BATCH), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let n = rt.block_on(generate(&client, in_flight));
                    total += start.elapsed();
                    assert_eq!(n, BATCH);
                    reset(&h);
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
