//! Throughput figures for the client over an in-memory pipe (not a pass/fail test).
//!
//! `cargo test --release -p routeros-proto --test client_throughput -- --ignored --nocapture`

mod client_support;

use std::time::Instant;

use bytes::BytesMut;
use client_support::{connected, tag};
use futures_util::StreamExt;
use routeros_proto::{Command, Reply};

const ROWS: usize = 10_000;

/// A `/queue/simple/print` row with 25 attributes, as RouterOS 7 sends it.
fn queue_row(i: usize) -> Reply {
    let mut r = Reply::re();
    let attrs: [(&str, String); 25] = [
        (".id", format!("*{i:X}")),
        ("name", format!("customer-{i}")),
        ("target", format!("10.{}.{}.0/24", i / 256 % 256, i % 256)),
        ("parent", "none".into()),
        ("packet-marks", String::new()),
        ("priority", "8/8".into()),
        ("queue", "default-small/default-small".into()),
        ("limit-at", "0/0".into()),
        ("max-limit", "10000000/50000000".into()),
        ("burst-limit", "0/0".into()),
        ("burst-threshold", "0/0".into()),
        ("burst-time", "0s/0s".into()),
        ("bucket-size", "0.1/0.1".into()),
        ("bytes", format!("{}/{}", i * 1500, i * 9000)),
        ("total-bytes", "0".into()),
        ("packets", format!("{}/{}", i * 3, i * 7)),
        ("total-packets", "0".into()),
        ("dropped", "0/12".into()),
        ("total-dropped", "0".into()),
        ("rate", "1200000/4800000".into()),
        ("total-rate", "0".into()),
        ("packet-rate", "100/400".into()),
        ("queued-packets", "0/0".into()),
        ("queued-bytes", "0/0".into()),
        ("disabled", "false".into()),
    ];
    for (n, v) in attrs {
        r.attributes_mut().push(n.to_owned(), v);
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "prints throughput figures; run with --release --ignored --nocapture"]
async fn throughput() {
    let (client, mut router) = connected(|c| {
        c.row_buffer(ROWS + 1);
    })
    .await;
    // The replies of the ten timed commands (tags 1 to 10) are encoded before timing starts.
    let rows: Vec<Reply> = (0..ROWS).map(queue_row).collect();
    let mut encoded = std::collections::HashMap::new();
    for t in 1..=10u32 {
        let t = bytes::Bytes::from(t.to_string());
        let mut buf = BytesMut::new();
        for r in &rows {
            r.clone().with_tag(t.clone()).encode(&mut buf).unwrap();
        }
        Reply::done().with_tag(t.clone()).encode(&mut buf).unwrap();
        encoded.insert(t, buf);
    }
    let (wire_tx, mut wire_rx) = tokio::sync::mpsc::channel::<usize>(1);
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Some(req) = router.recv().await {
            if req.command.as_ref() == b"/cancel" {
                continue;
            }
            let t = tag(&req);
            let buf = match encoded.remove(&t) {
                Some(buf) if req.command.as_ref() == b"/queue/simple/print" => buf,
                _ => {
                    let mut buf = BytesMut::new();
                    Reply::done().with_tag(t).encode(&mut buf).unwrap();
                    buf
                }
            };
            let _ = wire_tx.try_send(buf.len());
            router.framed.get_mut().write_all(&buf).await.unwrap();
        }
    });

    for mode in ["print", "stream"] {
        let mut best = f64::MAX;
        let mut bytes = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let n = if mode == "print" {
                client
                    .print(Command::new("/queue/simple/print"))
                    .await
                    .unwrap()
                    .len()
            } else {
                let mut s = client
                    .stream(Command::new("/queue/simple/print"))
                    .await
                    .unwrap();
                let mut n = 0;
                while let Some(row) = s.next().await {
                    row.unwrap();
                    n += 1;
                }
                n
            };
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(n, ROWS);
            bytes = wire_rx.recv().await.unwrap();
            best = best.min(secs);
        }
        println!(
            "{mode}: {ROWS} rows x 25 attributes, {bytes} bytes: best {:.1} ms, {:.0} MiB/s, {:.0} rows/s",
            best * 1e3,
            bytes as f64 / best / (1 << 20) as f64,
            ROWS as f64 / best
        );
    }

    let concurrent = 1000;
    let start = Instant::now();
    let calls: Vec<_> = (0..concurrent)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute(Command::new("/x")).await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
        let _ = wire_rx.try_recv();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{concurrent} concurrent small commands: {:.1} ms, {:.0} commands/s",
        secs * 1e3,
        concurrent as f64 / secs
    );
}
