//! `/queue/simple/print` of 100,000 queues over loopback.
//!
//! Run with `cargo run --release -p ros-sim --example print_bench [QUEUES]`. Prints, for three
//! rounds each:
//!
//! - `raw`: the simulator's send rate alone: a bare reader takes the bytes off the socket and
//!   only frames them (no parsing), so the figure is how fast ros-sim serves a print;
//! - `client`: the same print read row by row with the routeros-proto client;
//!
//! and the process's peak RSS (VmHWM), which holds the simulator and the client together.

use std::time::Instant;

use bytes::BytesMut;
use futures_util::StreamExt;
use ros_sim::{SimConfig, Simulator};
use routeros_proto::client::Config;
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::Command;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

/// Sends `cmd` and reads until the `!done` tagged `tag`, framing only; returns the bytes read.
async fn raw_until_done(io: &mut TcpStream, cmd: Command, buf: &mut BytesMut) -> usize {
    let mut out = BytesMut::new();
    cmd.encode(&mut out).unwrap();
    io.write_all(&out).await.unwrap();
    let mut decoder = SentenceDecoder::default();
    let mut total = 0;
    loop {
        match decoder.decode_frame(buf).unwrap() {
            Some(frame) => {
                total += frame.len();
                let (s, e) = decoder.word_ranges().first().copied().unwrap_or((0, 0));
                if &frame[s..e] == b"!done" {
                    return total;
                }
            }
            None => {
                if io.read_buf(buf).await.unwrap() == 0 {
                    panic!("the simulator hung up");
                }
            }
        }
    }
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

    let mut raw = TcpStream::connect(sim.addr()).await?;
    raw.set_nodelay(true)?;
    let mut buf = BytesMut::with_capacity(256 << 10);
    let login = Command::builder("/login")
        .attribute("name", "admin")
        .attribute("password", "")
        .tag("l")
        .build();
    raw_until_done(&mut raw, login, &mut buf).await;
    for round in 0..3 {
        let t = Instant::now();
        let cmd = Command::builder("/queue/simple/print").tag("p").build();
        let bytes = raw_until_done(&mut raw, cmd, &mut buf).await;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "raw round {round}: {bytes} bytes in {secs:.3} s: {:.0} MiB/s",
            bytes as f64 / secs / 1048576.0
        );
    }

    let client = Config::new(sim.addr().to_string())
        .user("admin")
        .password("")
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
            "client round {round}: printed {n} queues in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    println!("peak RSS (simulator + client): {:.1} MiB", peak_rss_mib());
    sim.shutdown().await;
    Ok(())
}
