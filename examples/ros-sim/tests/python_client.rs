//! Drives the simulator with an independent client written in Python (standard library only),
//! so the server is not only checked by our own codec.

mod common;

use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_python_client() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: skipping the independent client test");
        return;
    }
    let sim = common::sim(|c| {
        c.password("py-pw");
    })
    .await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ros_client.py");
    let port = sim.addr().port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .args([script, "127.0.0.1", &port, "admin", "py-pw"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout.trim(), "ok");
}
