//! A router that answers a print with endless rows of thousands of tiny words is cut off at
//! its memory budget: it shows down with the reason, noc's memory stays bounded, its CPU use
//! stays low while the router is retried, and the other routers keep polling.

mod hostile;

use std::time::{Duration, Instant};

use hostile::*;
use noc::routers::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_rows_are_cut_off_at_the_router_budget() {
    let bad = start(Flood::QueueRows).await;
    let mut c = ros_sim::SimConfig::new();
    c.listen("127.0.0.1:0".parse().unwrap())
        .password("router-pass")
        .queues(3)
        .hosts(3);
    let good = ros_sim::Simulator::start(c).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut o = noc::Options::new(dir.path());
    o.listen("127.0.0.1:0".parse().unwrap())
        .admin_password("admin-password")
        .poll_interval(Duration::from_millis(200))
        .file_config(routers(&[
            ("hostile", bad.addr, "x"),
            ("good", good.addr(), "router-pass"),
        ]));
    let rss_before = rss();
    let app = noc::Noc::start(o).await.unwrap();
    let hub = app.state().hub.clone();
    let find = |n: &str| hub.routers().into_iter().find(|r| r.name == n).unwrap();
    let (hostile_r, good_r) = (find("hostile"), find("good"));

    let started = Instant::now();
    let mut peak = 0u64;
    let reason = loop {
        peak = peak.max(rss());
        if let Status::Down(r) = hostile_r.live().status {
            if r.contains("more than") {
                break r;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no budget reason after 30 s: {:?}, {} MiB flooded",
            hostile_r.live().status,
            bad.flooded.load(std::sync::atomic::Ordering::Relaxed) >> 20
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        reason,
        "router sent more than 8.0 MiB for /queue/simple/print; disconnected"
    );

    // Retried with backoff, each time cut off again; meanwhile memory and CPU stay bounded
    // and the good router is polled.
    let good_polls = good_r.live().polls_ok;
    let cpu0 = cpu_secs();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(6) {
        peak = peak.max(rss());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu = (cpu_secs() - cpu0) / t0.elapsed().as_secs_f64();
    let growth = peak.saturating_sub(rss_before);
    eprintln!(
        "rss growth peak {} MiB, cpu {:.0}% of a core, {} connections, {} MiB flooded",
        growth >> 20,
        cpu * 100.0,
        bad.connections.load(std::sync::atomic::Ordering::Relaxed),
        bad.flooded.load(std::sync::atomic::Ordering::Relaxed) >> 20
    );
    assert!(growth < 400 << 20, "memory grew by {} MiB", growth >> 20);
    assert!(cpu < 0.9, "{:.0}% of a core while retrying", cpu * 100.0);
    assert!(
        good_r.live().polls_ok >= good_polls + 10,
        "the good router kept polling: {} -> {}",
        good_polls,
        good_r.live().polls_ok
    );
    assert_eq!(good_r.live().status, Status::Up);
    app.shutdown().await;
    good.shutdown().await;
}
