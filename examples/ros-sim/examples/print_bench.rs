//! `/queue/simple/print` of 100,000 queues over loopback with the routeros-proto client.
//!
//! Run with `cargo run --release -p ros-sim --example print_bench [QUEUES]`. Prints the time
//! from sending the command to the last row, and the process's peak RSS (VmHWM), which holds
//! the simulator and the client together (the client may buffer rows its consumer has not taken yet).

use std::time::Instant;

use futures_util::StreamExt;
use ros_sim::{SimConfig, Simulator};
use routeros_proto::client::Config;
use routeros_proto::Command;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let queues: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let started = Instant::now();
    let mut config = SimConfig::new();
    config
        .listen("127.0.0.1:0".parse()?)
        .queues(queues)
        .hosts(20)
        .tick_interval(None);
    let sim = Simulator::start(config).await?;
    sim.handle().tick(10);
    println!("started with {queues} queues in {:?}", started.elapsed());
    let client = Config::new(sim.addr().to_string())
        .user("admin")
        .password("")
        // The client cancels a stream whose consumer lags; let it buffer the whole print.
        .row_buffer(queues + 16)
        .connect()
        .await?;
    for round in 0..3 {
        let t = Instant::now();
        let mut rows = client.stream(Command::new("/queue/simple/print")).await?;
        let mut n = 0usize;
        while let Some(row) = rows.next().await {
            let row = row?;
            assert!(row.get("max-limit").is_some());
            n += 1;
        }
        assert_eq!(n, queues);
        println!(
            "round {round}: printed {n} queues in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    println!("peak RSS (simulator + client): {:.1} MiB", peak_rss_mib());
    sim.shutdown().await;
    Ok(())
}
