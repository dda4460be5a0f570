//! The bot end to end: commands sent through the fake Bot API get their replies from noc
//! polling ros-sim; strangers are refused; read-only users cannot change queues; the console
//! transport answers the same commands.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::default_rules;
use tg_notify::fake::FakeTelegram;

struct Env {
    sim: ros_sim::RunningSim,
    tg: FakeTelegram,
    app: noc::Noc,
    monitor: noc::alerts::Monitor,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let sim = start_sim().await;
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let monitor = start_monitor(&app, dir.path(), default_rules(), Some(&tg)).await;
    Env {
        sim,
        tg,
        app,
        monitor,
        _dir: dir,
    }
}

/// Sends `text` from `user` in `chat` and returns the reply's plain text.
async fn ask(tg: &FakeTelegram, chat: i64, user: i64, text: &str) -> String {
    let before = texts(tg, chat).len();
    tg.push_text(chat, user, text);
    wait_until(&format!("a reply to {text}"), 30, || {
        texts(tg, chat).len() > before
    })
    .await;
    // a long reply comes in parts; give them a moment
    tokio::time::sleep(Duration::from_millis(100)).await;
    texts(tg, chat)[before..].join("\n")
}

fn queue_prop(sim: &ros_sim::RunningSim, name: &str, prop: &str) -> String {
    sim.handle()
        .print("/queue/simple")
        .unwrap()
        .into_iter()
        .find(|row| row.iter().any(|(k, v)| k == "name" && v == name))
        .and_then(|row| row.into_iter().find(|(k, _)| k == prop).map(|(_, v)| v))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_an_admin() {
    let e = env().await;
    let (tg, h) = (&e.tg, e.sim.handle());
    wait_until("setMyCommands", 30, || {
        e.tg.commands().iter().any(|c| c.command == "limit")
    })
    .await;

    let r = ask(tg, ADMIN, ADMIN, "/status").await;
    assert!(r.contains("Routers: 1 up, 0 not"), "{r}");
    assert!(r.contains("r1") && r.contains("uptime"), "{r}");

    let r = ask(tg, ADMIN, ADMIN, "/resource r1").await;
    assert!(
        r.contains("r1 — up") && r.contains("cpu") && r.contains("free of"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/resource nosuch").await;
    assert_eq!(r, "No router called nosuch.");

    let r = ask(tg, ADMIN, ADMIN, "/interfaces").await;
    assert!(r.contains("ether1") && r.contains("bridge"), "{r}");

    let r = ask(tg, ADMIN, ADMIN, "/queues queue").await;
    assert!(
        r.contains("Queues by rate (3 of 3)") && r.contains("queue2"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/queues zzz").await;
    assert_eq!(r, "No queue matches zzz.");
    let r = ask(tg, ADMIN, ADMIN, "/top").await;
    assert!(
        r.contains("Top talkers") && r.contains("192.168.88."),
        "{r}"
    );

    let r = ask(tg, ADMIN, ADMIN, "/queue queue2").await;
    assert!(
        r.contains("Queue queue2") && r.contains("max-limit") && r.contains("10M/50M"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/queue").await;
    assert_eq!(r, "Usage: /queue NAME");

    let r = ask(tg, ADMIN, ADMIN, "/limit queue2 3M/6M").await;
    assert!(
        r.contains("Applied on r1") && r.contains("/queue simple set"),
        "{r}"
    );
    assert_eq!(queue_prop(&e.sim, "queue2", "max-limit"), "3000000/6000000");
    let audit = e.app.state().store.audit_log(10).unwrap();
    assert!(
        audit.iter().any(|a| a.action == "queue.limit"
            && a.ok
            && a.user == format!("telegram:{ADMIN} (bot)")),
        "{audit:?}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/limit queue2 lots").await;
    assert!(r.starts_with("Usage: /limit NAME 2M/5M"), "{r}");
    let r = ask(tg, ADMIN, ADMIN, "/limit nosuch 1M/1M").await;
    assert_eq!(r, "No queue called nosuch.");

    let r = ask(tg, ADMIN, ADMIN, "/disable queue3").await;
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(&e.sim, "queue3", "disabled"), "true");
    let r = ask(tg, ADMIN, ADMIN, "/enable queue3").await;
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(&e.sim, "queue3", "disabled"), "false");

    h.log(
        "firewall,info",
        "tiktok forward: in:bridge out:ether1, proto TCP (SYN), 192.168.88.23:50000->161.117.1.1:443, len 60",
    );
    let mut r = String::new();
    for _ in 0..40 {
        r = ask(tg, ADMIN, ADMIN, "/l7").await;
        if r.contains("tiktok") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(r.contains("192.168.88.23") && r.contains("tiktok"), "{r}");

    let ip = h.host_appears(Some("printer"), Some("02:00:00:00:00:42"));
    let r = ask(tg, ADMIN, ADMIN, "/leases").await;
    assert!(r.contains(&ip) && r.contains("printer"), "{r}");

    let r = ask(tg, ADMIN, ADMIN, "/ping 192.168.88.1 1").await;
    assert!(
        r.contains("ping 192.168.88.1") && r.contains("sent 1, received 1, loss 0%"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/ping 10.0.0.1;reboot").await;
    assert_eq!(r, "Usage: /ping HOST [count]");
    let r = ask(tg, ADMIN, ADMIN, "/ping 10.0.0.1 500").await;
    assert_eq!(r, "Usage: /ping HOST [count]");

    h.log(
        "system,error",
        "login failure for user guest from 10.0.0.9 via ssh",
    );
    let r = ask(tg, ADMIN, ADMIN, "/log failure").await;
    assert!(r.contains("login failure for user guest"), "{r}");
    assert!(!r.contains("logged in"), "{r}");

    let r = ask(tg, ADMIN, ADMIN, "/mute cpu 1h").await;
    assert!(r.contains("cpu muted for 1h"), "{r}");
    assert!(e
        .monitor
        .tg_store()
        .muted_until("cpu", noc::now())
        .unwrap()
        .is_some());
    let r = ask(tg, ADMIN, ADMIN, "/alerts").await;
    assert!(r.contains("cpu muted until"), "{r}");
    assert!(
        r.contains("log:")
            || r.contains("login failure")
            || r.contains("No open alerts")
            || r.contains("Open alerts"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/mute nosuch 1h").await;
    assert!(r.starts_with("No rule called nosuch."), "{r}");
    let r = ask(tg, ADMIN, ADMIN, "/mute cpu soon").await;
    assert_eq!(r, "Usage: /mute RULE 1h");
    let r = ask(tg, ADMIN, ADMIN, "/mute cpu off").await;
    assert!(r.contains("back on"), "{r}");

    let r = ask(tg, ADMIN, ADMIN, "/help").await;
    assert!(
        r.contains("/limit NAME 2M/5M") && r.contains("/mute RULE 1h"),
        "{r}"
    );
    let r = ask(tg, ADMIN, ADMIN, "/reboot").await;
    assert_eq!(r, "Unknown command /reboot. Try /help.");
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_are_refused_and_read_only_users_cannot_change_queues() {
    let e = env().await;
    let tg = &e.tg;
    let r = ask(tg, STRANGER, STRANGER, "/status").await;
    assert!(
        r.contains("only answers the network's administrators"),
        "{r}"
    );
    assert!(!r.contains("r1"), "{r}");
    let before = queue_prop(&e.sim, "queue1", "max-limit");
    let r = ask(tg, STRANGER, STRANGER, "/limit queue1 1k/1k").await;
    assert!(r.contains("only answers"), "{r}");

    // a member of the read-only alert chat may look but not touch
    let r = ask(tg, CHAT, VIEWER, "/status").await;
    assert!(r.contains("Routers: 1 up"), "{r}");
    let r = ask(tg, CHAT, VIEWER, "/limit queue1 1M/1M").await;
    assert_eq!(
        r,
        "Sorry, /limit needs an admin; you have read-only access."
    );
    let r = ask(tg, CHAT, VIEWER, "/disable queue1").await;
    assert!(r.contains("needs an admin"), "{r}");
    let r = ask(tg, CHAT, VIEWER, "/mute cpu 1h").await;
    assert!(r.contains("needs an admin"), "{r}");
    assert_eq!(
        e.monitor.tg_store().muted_until("cpu", noc::now()).unwrap(),
        None
    );
    assert_eq!(queue_prop(&e.sim, "queue1", "max-limit"), before);
    assert_eq!(queue_prop(&e.sim, "queue1", "disabled"), "false");
    let audit = e.app.state().store.audit_log(10).unwrap();
    assert!(audit.iter().all(|a| !a.action.starts_with("queue.")));
    // the refused attempts are on record
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "bot.refused"
                && !a.ok
                && a.user == format!("telegram:{VIEWER} (bot)"))
            .count(),
        3,
        "{audit:?}"
    );
    // the admin in the same group may
    let r = ask(tg, CHAT, ADMIN, "/limit queue1 1M/2M").await;
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(&e.sim, "queue1", "max-limit"), "1000000/2000000");
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_bot_answers_the_same_commands() {
    let e = env().await;
    let ops = noc::chat::ChatOps::new(
        e.app.state().clone(),
        e.monitor.tg_store().clone(),
        e.monitor.rule_names(),
    );
    let input = b"/status\n\n/queue queue1\n/limit queue1 4M/8M\nhello\n/limit queue1\n" as &[u8];
    let mut out = Vec::new();
    noc::chat::run_console(ops, input, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("Routers: 1 up, 0 not"), "{out}");
    assert!(out.contains("Queue queue1"), "{out}");
    assert!(out.contains("Applied on r1"), "{out}");
    assert!(out.contains("Commands start with /. Try /help."), "{out}");
    assert!(out.contains("Usage: /limit NAME 2M/5M"), "{out}");
    assert!(
        !out.contains("<pre>") && !out.contains("&lt;"),
        "plain text: {out}"
    );
    assert_eq!(queue_prop(&e.sim, "queue1", "max-limit"), "4000000/8000000");
    let audit = e.app.state().store.audit_log(5).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.user == "console (bot)" && a.action == "queue.limit"));
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[test]
fn noc_console_bot_flag_runs_the_bot_on_stdin_and_stdout() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_noc"))
        .args(["--console-bot", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("NOC_ADMIN_PASSWORD", "admin-password")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"/help\n/resource nosuch\n")
        .unwrap();
    // stdin is closed now: the console ends, noc shuts down
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("noc --console-bot did not exit after its input ended");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("noc bot console"), "{text}");
    assert!(
        text.contains("/limit NAME 2M/5M — set a queue's max-limit (admin)"),
        "{text}"
    );
    assert!(text.contains("No router called nosuch."), "{text}");
}
