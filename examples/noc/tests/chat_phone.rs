//! The bot on a phone: queue names with spaces (quoted or not, prefixes, fuzzy and ambiguous
//! names), tables no wider than a Telegram bubble, times in the configured zone, and the
//! router named once there are several.

mod mon_support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::default_rules;
use noc::alerts::{Monitor, MonitorOptions};
use tg_notify::fake::FakeTelegram;
use tg_notify::{ChatId, NotifierConfig};

struct Env {
    sims: Vec<ros_sim::RunningSim>,
    tg: FakeTelegram,
    app: noc::Noc,
    monitor: Monitor,
    _dir: tempfile::TempDir,
}

/// noc.toml for routers `(name, address)`.
fn routers_config(routers: &[(&str, SocketAddr)]) -> noc::FileConfig {
    routers
        .iter()
        .map(|(name, a)| {
            format!(
                "[[router]]\nname = \"{name}\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"router-pass\"\n",
                a.ip(),
                a.port()
            )
        })
        .collect::<String>()
        .parse()
        .unwrap()
}

/// noc over `names.len()` simulated routers, the first with a queue called "Pak Budi", and
/// the bot at UTC`offset`.
async fn env(names: &[&str], offset: &str) -> Env {
    let mut sims = Vec::new();
    for _ in names {
        sims.push(start_sim().await);
    }
    sims[0]
        .handle()
        .add(
            "/queue/simple",
            &[("name", "Pak Budi"), ("target", "192.168.88.77/32")],
        )
        .unwrap();
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let list: Vec<(&str, SocketAddr)> = names
        .iter()
        .copied()
        .zip(sims.iter().map(|s| s.addr()))
        .collect();
    let app = start_noc(dir.path(), routers_config(&list)).await;
    wait_until("every router polled with Pak Budi", 60, || {
        let rs = app.state().hub.routers();
        rs.len() == names.len()
            && rs.iter().all(|r| r.live().polls_ok > 0)
            && rs
                .iter()
                .any(|r| r.live().queues.iter().any(|q| q.name == "Pak Budi"))
    })
    .await;
    let monitor = start_bot(&app, dir.path(), &tg, offset).await;
    wait_until("setMyCommands", 30, || !tg.commands().is_empty()).await;
    Env {
        sims,
        tg,
        app,
        monitor,
        _dir: dir,
    }
}

async fn start_bot(app: &noc::Noc, dir: &Path, tg: &FakeTelegram, offset: &str) -> Monitor {
    let mut t = telegram(tg);
    t.utc_offset = Some(offset.to_owned());
    let mut o = MonitorOptions::new(dir);
    o.rules(default_rules())
        .scan_interval(Duration::from_millis(200));
    let mut n = NotifierConfig::default();
    n.coalesce_window(Duration::from_millis(200))
        .backoff(Duration::from_millis(100), Duration::from_millis(500));
    o.notifier_config(n).telegram(t.clone());
    let mut monitor = Monitor::start(app.state().clone(), o).await.unwrap();
    if let Some(bot) = noc::chat::telegram::start(app.state().clone(), &monitor, &t) {
        monitor.attach(bot);
    }
    monitor
}

/// Sends `text` as the admin and returns the reply's markup.
async fn ask(tg: &FakeTelegram, text: &str) -> String {
    let sent = || tg.sent(&ChatId::Id(ADMIN));
    let before = sent().len();
    tg.push_text(ADMIN, ADMIN, text);
    wait_until(&format!("a reply to {text}"), 30, || sent().len() > before).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    sent()[before..]
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reply as a user sees it.
fn plain(html: &str) -> String {
    tg_notify::html::to_plain(html).unwrap()
}

/// Every line inside the reply's `<pre>` blocks, as shown.
fn pre_lines(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<pre>") {
        let after = &rest[i + 5..];
        let end = after.find("</pre>").expect("closed <pre>");
        let block = plain(&format!("<pre>{}</pre>", &after[..end]));
        out.extend(block.lines().map(str::to_owned));
        rest = &after[end + 6..];
    }
    out
}

/// Asserts `html` has tables and every table line fits a phone (35 characters).
fn fits_phone(what: &str, html: &str) {
    let lines = pre_lines(html);
    assert!(!lines.is_empty(), "{what} has no table: {html}");
    for l in &lines {
        assert!(
            l.chars().count() <= 35,
            "{what}: {} characters: {l:?}\n{html}",
            l.chars().count()
        );
    }
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
async fn names_with_spaces_quoted_or_not_prefixes_and_fuzzy() {
    let e = env(&["r1"], "+07:00").await;
    let (tg, sim) = (&e.tg, &e.sims[0]);

    for q in [
        "/queue Pak Budi",
        "/queue \"Pak Budi\"",
        "/queue “Pak Budi”",
        "/queue pak budi",
        "/queue budi",
        "/queue Pak",
        "/queue Pak Budi@r1",
        "/queue budi @r1",
    ] {
        let r = plain(&ask(tg, q).await);
        assert!(
            r.starts_with("Queue Pak Budi") && r.contains("192.168.88.77"),
            "{q}: {r}"
        );
    }
    // an exact name is taken as it is
    let r = plain(&ask(tg, "/queue queue1").await);
    assert!(r.starts_with("Queue queue1"), "{r}");
    // several candidates are listed, not guessed
    let html = ask(tg, "/queue queue").await;
    let r = plain(&html);
    assert!(r.starts_with("Several queues match queue:"), "{r}");
    for q in ["• queue1", "• queue2", "• queue3"] {
        assert!(r.contains(q), "{r}");
    }
    assert!(!r.contains("Pak Budi"), "{r}");
    assert!(r.contains("Say which, e.g. /queue queue1"), "{r}");
    let r = plain(&ask(tg, "/queue nosuch").await);
    assert_eq!(r, "No queue called nosuch.");
    let r = plain(&ask(tg, "/queue <b>x</b>").await);
    assert_eq!(r, "No queue called <b>x</b>.");

    // /limit: the last word is the rate; the name before it, quoted or not
    let r = plain(&ask(tg, "/limit Pak Budi 2M/5M").await);
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(sim, "Pak Budi", "max-limit"), "2000000/5000000");
    let r = plain(&ask(tg, "/limit \"Pak Budi\" 3M/6M").await);
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(sim, "Pak Budi", "max-limit"), "3000000/6000000");
    let r = plain(&ask(tg, "/limit budi 4M/8M").await);
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(sim, "Pak Budi", "max-limit"), "4000000/8000000");
    let r = plain(&ask(tg, "/limit queue 1M/1M").await);
    assert!(
        r.starts_with("Several queues match queue:") && r.contains("/limit queue1 2M/5M"),
        "{r}"
    );
    let r = plain(&ask(tg, "/limit Pak Budi").await);
    assert!(r.starts_with("Usage: /limit NAME 2M/5M"), "{r}");
    let r = plain(&ask(tg, "/limit \"\" 1M/1M").await);
    assert_eq!(r, "Usage: /limit NAME 2M/5M");

    // /disable and /enable resolve the same way
    let r = plain(&ask(tg, "/disable “Pak Budi”").await);
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(sim, "Pak Budi", "disabled"), "true");
    let r = plain(&ask(tg, "/enable pak bu").await);
    assert!(r.contains("Applied on r1"), "{r}");
    assert_eq!(queue_prop(sim, "Pak Budi", "disabled"), "false");
    let r = plain(&ask(tg, "/enable queue").await);
    assert!(r.starts_with("Several queues match"), "{r}");
    let r = plain(&ask(tg, "/enable").await);
    assert_eq!(r, "Usage: /enable NAME");

    // the audit names the queue as it is, not as typed
    let audit = e.app.state().store.audit_log(20).unwrap();
    assert!(
        audit
            .iter()
            .filter(|a| a.action == "queue.limit" && a.ok)
            .count()
            >= 3,
        "{audit:?}"
    );

    // odd input never breaks the bot
    for q in [
        "/queue \"",
        "/queue @",
        "/queue @@",
        "/limit \" 2M/5M",
        "/queue 🙂",
        "/queues \"\"",
        "/queue x@",
        "/queue @nosuch",
    ] {
        let r = ask(tg, q).await;
        assert!(!r.is_empty(), "{q}");
    }
    let r = plain(&ask(tg, "/queue budi @nosuch").await);
    assert_eq!(r, "No router called nosuch.");
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_fit_a_phone_and_show_local_times() {
    let e = env(&["core-router-kampung-timur"], "+07:00").await;
    let tg = &e.tg;
    let h = e.sims[0].handle();
    h.add(
        "/queue/simple",
        &[
            ("name", "Warung Kopi Bu Sari dekat masjid desa"),
            ("target", "192.168.88.78/32"),
            ("comment", "pelanggan sejak 2019, bayar tiap tanggal 5"),
        ],
    )
    .unwrap();
    h.host_appears(
        Some("laptop-keluarga-besar-pak-rt"),
        Some("02:00:00:00:00:43"),
    );
    h.log(
        "system,error",
        "login failure for user guest from 10.0.0.9 via ssh, and a very long tail of text that a phone has to wrap somewhere",
    );
    wait_until("the long queue polled", 30, || {
        e.app.state().hub.routers()[0]
            .live()
            .queues
            .iter()
            .any(|q| q.name.starts_with("Warung"))
    })
    .await;

    // an open alert about the router
    let router = e.app.state().hub.routers()[0].clone();
    let first_seen = noc::now() - 3600;
    e.app
        .state()
        .store
        .fire_alert(
            "test:cpu",
            Some(router.id),
            "critical",
            "core-router-kampung-timur: CPU load 97% for 5 minutes",
            "cpu-load 97 > 90 since 5 minutes ago",
            first_seen,
        )
        .unwrap();

    for cmd in [
        "/status",
        "/queues",
        "/top",
        "/interfaces",
        "/leases",
        "/resource",
        "/queue Warung",
        "/queue budi",
        "/hotspot",
    ] {
        let html = ask(tg, cmd).await;
        if cmd == "/hotspot" && !html.contains("<pre>") {
            continue;
        }
        fits_phone(cmd, &html);
    }
    let r = plain(&ask(tg, "/leases").await);
    assert!(r.contains("laptop-keluar"), "{r}");
    let r = plain(&ask(tg, "/status").await);
    assert!(r.contains("Routers: 1 up, 0 not"), "{r}");
    // a long router name is not cut: the figures go below it
    assert!(
        r.contains("core-router-kampung-timur\n  up, uptime "),
        "{r}"
    );
    assert!(r.contains("  cpu "), "{r}");

    // /alerts: what happened first, the router as context, the time in WIB
    let html = ask(tg, "/alerts").await;
    let r = plain(&html);
    assert!(r.contains("times WIB"), "{r}");
    assert!(r.contains("🔴 CPU load 97% for 5 minutes"), "{r}");
    assert!(r.contains("cpu-load 97 > 90"), "{r}");
    let local = noc::fmt::time_short(first_seen, noc::now(), 420);
    assert!(
        r.contains(&format!("core-router-kampung-timur · since {local}")),
        "{r}"
    );
    for l in pre_lines(&html) {
        assert!(l.chars().count() <= 35, "{l:?}");
    }

    // /log: wrapping text, not a table
    let html = ask(tg, "/log failure").await;
    assert!(!html.contains("<pre>"), "{html}");
    assert!(
        plain(&html).contains("a phone has to wrap somewhere"),
        "{html}"
    );

    // /mute names the zone; the time is local
    let r = plain(&ask(tg, "/mute cpu 1h").await);
    assert!(r.contains(" WIB)"), "{r}");
    let until = noc::fmt::time_at(noc::now() + 3600, 420);
    assert!(r.contains(&until[..13]), "{r} vs {until}");
    let r = plain(&ask(tg, "/alerts").await);
    assert!(
        r.contains("cpu muted until") && r.contains(" WIB by"),
        "{r}"
    );
    let r = plain(&ask(tg, "/help").await);
    assert!(r.contains("Times are WIB."), "{r}");
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_routers_are_named_and_picked_with_at() {
    let e = env(&["core", "kampung-timur"], "+09:00").await;
    let tg = &e.tg;

    let html = ask(tg, "/status").await;
    fits_phone("/status", &html);
    let r = plain(&html);
    assert!(r.contains("Routers: 2 up, 0 not"), "{r}");
    assert!(r.contains("core") && r.contains("kampung"), "{r}");

    // /queues: a router column; @router filters
    let html = ask(tg, "/queues").await;
    fits_phone("/queues", &html);
    let r = plain(&html);
    assert!(r.contains("rtr") && r.contains("kampung"), "{r}");
    let html = ask(tg, "/queues @core").await;
    fits_phone("/queues @core", &html);
    let r = plain(&html);
    assert!(r.contains(" on core") && r.contains("Pak Budi"), "{r}");
    assert!(!r.contains("kampung") && !r.contains("rtr"), "{r}");
    let r = plain(&ask(tg, "/queues budi @kamp").await);
    assert_eq!(r, "No queue matches budi on kampung-timur.");
    let html = ask(tg, "/top").await;
    fits_phone("/top", &html);
    // /l7: a router column, @router filters
    e.sims[1].handle().log(
        "firewall,info",
        "tiktok forward: in:bridge out:ether1, proto TCP (SYN), 192.168.88.23:50000->161.117.1.1:443, len 60",
    );
    let mut html = String::new();
    for _ in 0..40 {
        html = ask(tg, "/l7").await;
        if html.contains("tiktok") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    fits_phone("/l7", &html);
    let r = plain(&html);
    assert!(r.contains("times WIT") && r.contains("rtr"), "{r}");
    assert!(r.contains("kampung") && r.contains("tiktok"), "{r}");
    let r = plain(&ask(tg, "/l7 @core").await);
    assert!(!r.contains("192.168.88.23"), "{r}");
    assert!(r.contains(" on core"), "{r}");
    let html = ask(tg, "/top @kampung-timur").await;
    fits_phone("/top @kampung-timur", &html);
    assert!(
        plain(&html).contains("Top talkers on kampung-timur"),
        "{html}"
    );

    // the same queue name on both routers: candidates name their router
    let r = plain(&ask(tg, "/queue queue2").await);
    assert!(
        r.contains("• queue2@core") && r.contains("• queue2@kampung-timur"),
        "{r}"
    );
    let r = plain(&ask(tg, "/queue queue2@kampung-timur").await);
    assert!(
        r.starts_with("Queue queue2") && r.contains("kampung-timur"),
        "{r}"
    );
    let r = plain(&ask(tg, "/queue queue2 @core").await);
    assert!(r.starts_with("Queue queue2"), "{r}");
    assert!(
        r.lines()
            .any(|l| l.starts_with("router ") && l.ends_with(" core")),
        "{r}"
    );
    let r = plain(&ask(tg, "/queue budi").await);
    assert!(r.starts_with("Queue Pak Budi") && r.contains("core"), "{r}");
    let r = plain(&ask(tg, "/limit queue2 @kampung 1M/2M").await);
    assert!(r.contains("Applied on kampung-timur"), "{r}");
    assert_eq!(
        queue_prop(&e.sims[1], "queue2", "max-limit"),
        "1000000/2000000"
    );
    assert_ne!(
        queue_prop(&e.sims[0], "queue2", "max-limit"),
        "1000000/2000000"
    );

    // routers by prefix, with or without @
    let r = plain(&ask(tg, "/interfaces @kamp").await);
    assert!(r.starts_with("kampung-timur interfaces"), "{r}");
    let r = plain(&ask(tg, "/resource co").await);
    assert!(r.starts_with("core — up"), "{r}");
    let html = ask(tg, "/leases @kampung-timur").await;
    assert!(plain(&html).starts_with("kampung-timur"), "{html}");
    let r = plain(&ask(tg, "/log @kampung-timur").await);
    assert!(r.starts_with("kampung-timur log"), "{r}");
    let r = plain(&ask(tg, "/resource nosuch").await);
    assert_eq!(r, "No router called nosuch.");
    let r = plain(&ask(tg, "/help").await);
    assert!(r.contains("Times are WIT."), "{r}");
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}
