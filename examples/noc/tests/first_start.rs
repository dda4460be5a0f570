//! The first hour on the command line: a failed first start leaves nothing behind, the admin
//! password is shown until it is used, a second noc on the same data dir is refused, the data
//! dir is private, SIGTERM stops cleanly, and `noc reset-password` is the way back in.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

struct Running {
    child: Child,
    base: String,
    password: Option<String>,
}

fn noc(dir: &Path, listen: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_noc"));
    c.arg("--data-dir")
        .arg(dir)
        .arg("--listen")
        .arg(listen)
        .env_remove("NOC_ADMIN_PASSWORD")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c
}

/// Starts noc and reads its greeting up to the `Stop:` line.
async fn start(dir: &Path) -> Running {
    let mut child = noc(dir, "127.0.0.1:0").spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut password) = (None, None);
    let greeting = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.trim().strip_prefix("Dashboard:") {
                base = Some(url.trim().trim_end_matches('/').to_owned());
            }
            if let Some(p) = line.trim().strip_prefix("Log in as:  admin / ") {
                password = Some(p.trim().to_owned());
            }
            if line.trim().starts_with("Stop:") {
                return;
            }
        }
    })
    .await;
    assert!(greeting.is_ok(), "noc printed no greeting");
    // Keep reading stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Running {
        child,
        base: base.expect("dashboard address printed"),
        password,
    }
}

async fn can_log_in(base: &str, password: &str) -> bool {
    let c = common::client();
    let page = c.get(format!("{base}/login")).send().await.unwrap();
    let token = common::csrf_of(&page.text().await.unwrap());
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("user", "admin"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    r.status() == 303 && r.headers()["location"] == "/"
}

async fn sigterm(mut r: Running) -> std::process::ExitStatus {
    let pid = r.child.id().unwrap().to_string();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(ok.success());
    tokio::time::timeout(Duration::from_secs(20), r.child.wait())
        .await
        .expect("noc stopped after SIGTERM")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_restarts_lock_and_password_reset() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("noc-data");

    // The port is taken: a clear error, and no account whose password nobody saw.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let out = noc(&dir, &taken.local_addr().unwrap().to_string())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
    drop(taken);

    // The next start shows the admin password; it has not been used, so a restart shows a
    // new one (the old one is gone for good).
    let first = start(&dir).await;
    let p1 = first
        .password
        .clone()
        .expect("password shown on first start");
    assert!(sigterm(first).await.success(), "SIGTERM is a clean stop");
    let second = start(&dir).await;
    let p2 = second.password.clone().expect("shown again until used");
    assert_ne!(p1, p2);
    assert!(!can_log_in(&second.base, &p1).await);
    assert!(can_log_in(&second.base, &p2).await);

    // A second noc on the same data dir refuses to start.
    let out = noc(&dir, "127.0.0.1:0").output().await.unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already running"), "{err}");

    // The data dir is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        for f in ["noc.db", "secret.key", "noc.lock"] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
        }
    }
    assert!(sigterm(second).await.success());

    // Once used, the password is not shown again; reset-password is the way back in.
    let third = start(&dir).await;
    assert!(
        third.password.is_none(),
        "a used password is never printed again"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_noc"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["reset-password", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let p3 = text
        .lines()
        .find_map(|l| l.strip_prefix("New password for admin: "))
        .expect("new password printed")
        .trim()
        .to_owned();
    assert!(!can_log_in(&third.base, &p2).await);
    assert!(can_log_in(&third.base, &p3).await);
    assert!(sigterm(third).await.success());
}
