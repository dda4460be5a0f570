//! The `ros-sim` binary: first line of stdout, flags, and one-line errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use routeros_proto::login::challenge_response;

mod common;

#[tokio::test]
async fn prints_listening_first_and_honours_version() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ros-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--version",
            "6.42",
            "--password",
            "pw",
            "--queues",
            "2",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .parse()
        .unwrap();
    let mut c = common::Conn::open(addr).await;
    let r = c.call(&["/login", "=name=admin", "=password=pw"]).await;
    let ch = r[0].ret().expect("6.42 answers with a challenge");
    let resp = challenge_response(b"pw", ch).unwrap();
    let r = c
        .call(&["/login", "=name=admin", &format!("=response={resp}")])
        .await;
    assert_eq!(r.len(), 1);
    let r = c.call(&["/system/resource/print"]).await;
    assert_eq!(common::attr(&r[0], "version"), "6.42 (stable)");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_flags_fail_with_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_ros-sim"))
        .args(["--listen", "127.0.0.1:0", "--state", "/nonexistent/x.rsc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("ros-sim: cannot read /nonexistent/x.rsc"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ros-sim"))
        .args(["--version", "seven"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
