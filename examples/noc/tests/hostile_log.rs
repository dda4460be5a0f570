//! A router that floods its log cannot keep noc busy: the log followers are paced and the
//! stream pushes back on the router.

mod hostile;

use std::time::{Duration, Instant};

use hostile::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_log_is_paced() {
    let bad = start(Flood::LogLines).await;
    let dir = tempfile::tempdir().unwrap();
    let mut o = noc::Options::new(dir.path());
    o.listen("127.0.0.1:0".parse().unwrap())
        .admin_password("admin-password")
        .poll_interval(Duration::from_millis(200))
        .file_config(routers(&[("hostile", bad.addr, "x")]));
    let app = noc::Noc::start(o).await.unwrap();
    let mut mo = noc::alerts::MonitorOptions::new(dir.path());
    mo.rules(noc::alerts::rules::default_rules());
    let monitor = noc::alerts::Monitor::start(app.state().clone(), mo)
        .await
        .unwrap();
    let flooded = || bad.flooded.load(std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    while flooded() == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "no log follow");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (cpu0, bytes0, t0) = (cpu_secs(), flooded(), Instant::now());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = (cpu_secs() - cpu0) / secs;
    let lines_per_sec = (flooded() - bytes0) as f64 / 120.0 / secs;
    eprintln!(
        "cpu {:.0}% of a core, about {lines_per_sec:.0} lines/s taken",
        cpu * 100.0
    );
    assert!(cpu < 0.9, "{:.0}% of a core", cpu * 100.0);
    // Two followers at 2,000 lines/s, plus what the socket buffers hold.
    assert!(lines_per_sec < 8_000.0, "{lines_per_sec:.0} lines/s");
    monitor.shutdown().await;
    app.shutdown().await;
}
