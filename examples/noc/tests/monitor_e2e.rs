//! End-to-end alert tests: events triggered in ros-sim reach the fake Bot API exactly once
//! (and their resolution), Layer 7 starts become one digest, info alerts arrive silently,
//! flapping becomes a summary, and queued alerts survive a restart while Telegram is down.
//! Generous timeouts; nothing is timed.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::{RuleConfig, RuleKind, Severity, Span};

fn rule(name: &str, kind: RuleKind) -> RuleConfig {
    RuleConfig::new(name, kind)
}

/// An `l7` or `lease` rule that sends each event to chat at once (no digest).
fn each(name: &str, kind: RuleKind) -> RuleConfig {
    let mut r = RuleConfig::new(name, kind);
    r.digest = Some(Span(0));
    r
}

fn tiktok_line(host: &str) -> String {
    format!(
        "tiktok forward: in:bridge out:ether1, connection-state:new src-mac 02:00:00:00:00:99, proto TCP (SYN), {host}:50000->161.117.1.1:443, len 60"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditions_fire_once_and_resolve() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut cpu = rule("cpu", RuleKind::Cpu);
    cpu.above = Some(80.0);
    cpu.severity(Severity::Critical);
    let mut link = rule("uplink", RuleKind::Interface);
    link.interfaces = vec!["ether1".into()];
    let mut queue = rule("saturated", RuleKind::Queue);
    queue.percent = Some(80);
    queue.queues = vec!["queue1".into()];
    // thresholds the simulated router is always under: one alert each, never repeated
    let mut memory = rule("memory", RuleKind::Memory);
    memory.below = Some("100%".parse().unwrap());
    let mut disk = rule("disk", RuleKind::Disk);
    disk.below = Some("1T".parse().unwrap());
    let monitor = start_monitor(
        &app,
        dir.path(),
        vec![cpu, link, queue, memory, disk],
        Some(&tg),
    )
    .await;
    wait_until("memory and disk alerts", 30, || {
        count(&tg, CHAT, "r1: memory low") == 1 && count(&tg, CHAT, "r1: disk space low") == 1
    })
    .await;
    assert!(texts(&tg, CHAT)
        .iter()
        .any(|t| t.contains("free disk") && t.contains("below 1.0 TiB")));

    // CPU spike: one alert while it lasts, one resolution after.
    h.cpu_spike(97, 3);
    wait_until("cpu alert", 30, || {
        count(&tg, CHAT, "r1: CPU load high") == 1
    })
    .await;
    assert!(texts(&tg, CHAT)
        .iter()
        .any(|t| t.contains("CPU load 97% (above 80%)")));
    // still spiking for several polls: no repeat
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(count(&tg, CHAT, "r1: CPU load high"), 1);
    h.tick(5);
    wait_until("cpu resolved", 30, || {
        count(&tg, CHAT, "Resolved: r1: CPU load high") == 1
    })
    .await;

    // Uplink down and up.
    h.set_link("ether1", false).unwrap();
    wait_until("link alert", 30, || {
        count(&tg, CHAT, "r1: ether1 is down") == 1
    })
    .await;
    h.set_link("ether1", true).unwrap();
    wait_until("link resolved", 30, || {
        count(&tg, CHAT, "r1: ether1 is up again") == 1
    })
    .await;

    // A queue squeezed far below its demand runs at its limit.
    h.set("/queue/simple", "queue1", &[("max-limit", "8k/8k")])
        .unwrap();
    let mut ticks = 0;
    wait_until_async("queue alert", 60, || {
        ticks += 1;
        h.tick(1);
        let tg = &tg;
        async move { count(tg, CHAT, "queue queue1 at ≥80% of its limit") == 1 }
    })
    .await;
    assert!(ticks > 0);
    h.set("/queue/simple", "queue1", &[("max-limit", "1G/1G")])
        .unwrap();
    wait_until_async("queue resolved", 60, || {
        h.tick(1);
        let tg = &tg;
        async move { count(tg, CHAT, "queue queue1 below 80% again") == 1 }
    })
    .await;

    assert_eq!(count(&tg, CHAT, "r1: memory low"), 1);
    assert_eq!(count(&tg, CHAT, "r1: disk space low"), 1);
    // The dashboard's feed has each alert once, resolved.
    let alerts = app.state().store.alerts(50).unwrap();
    for key in ["cpu:1", "uplink:1:ether1", "saturated:1:queue1"] {
        let mine: Vec<_> = alerts.iter().filter(|a| a.key == key).collect();
        assert_eq!(mine.len(), 1, "{key}: {alerts:?}");
        assert!(mine[0].resolved_at.is_some(), "{key}");
    }
    assert_eq!(
        alerts.iter().find(|a| a.key == "cpu:1").unwrap().severity,
        "critical"
    );
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_alert_once_each() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut lists = rule("blocked", RuleKind::AddressList);
    lists.lists = vec!["blocked".into()];
    let mut log = rule("log", RuleKind::Log);
    log.keywords(["login failure"]);
    let mut ppp = rule("ppp", RuleKind::Log);
    ppp.regexes = vec![r"pppoe-\w+.*disconnected".into()];
    let monitor = start_monitor(
        &app,
        dir.path(),
        vec![
            each("new-device", RuleKind::Lease),
            lists,
            log,
            ppp,
            each("apps", RuleKind::L7),
        ],
        Some(&tg),
    )
    .await;
    // let the lease and list baselines and the log stream settle
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let ip = h.host_appears(Some("kids-tablet"), Some("02:00:00:00:00:99"));
    wait_until("lease alert", 30, || {
        count(&tg, CHAT, "new device kids-tablet (02:00:00:00:00:99)") == 1
    })
    .await;
    assert!(texts(&tg, CHAT).iter().any(|t| t.contains(&ip)));

    h.add(
        "/ip/firewall/address-list",
        &[("list", "blocked"), ("address", "203.0.113.9")],
    )
    .unwrap();
    h.add(
        "/ip/firewall/address-list",
        &[("list", "guests"), ("address", "192.168.88.77")],
    )
    .unwrap();
    wait_until("address-list alert", 30, || {
        count(&tg, CHAT, "203.0.113.9 added to address-list blocked") == 1
    })
    .await;

    h.log(
        "system,error,critical",
        "login failure for user <script>x</script> from 10.0.0.9 via ssh",
    );
    h.log("ppp,info", "<pppoe-alice>: disconnected");
    h.log(
        "system,info",
        "user admin logged in from 10.0.0.2 via winbox",
    );
    wait_until("log alerts", 30, || {
        count(&tg, CHAT, "login failure for user <script>x</script>") == 1
            && count(&tg, CHAT, "<pppoe-alice>: disconnected") == 1
    })
    .await;

    h.log(
        "firewall,info",
        "tiktok forward: in:bridge out:ether1, connection-state:new src-mac 02:00:00:00:00:99, proto TCP (SYN), 192.168.88.23:50000->161.117.1.1:443, len 60",
    );
    wait_until("l7 alert", 30, || {
        count(&tg, CHAT, "r1: 192.168.88.23 started tiktok") == 1
    })
    .await;
    // the same host keeps using it: no new alert
    h.log(
        "firewall,info",
        "tiktok forward: in:bridge out:ether1, proto TCP (ACK), 192.168.88.23:50000->161.117.1.1:443, len 1400",
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&tg, CHAT, "started tiktok"), 1);
    assert_eq!(
        count(&tg, CHAT, "192.168.88.77"),
        0,
        "guests is not watched"
    );
    assert_eq!(count(&tg, CHAT, "logged in"), 0);
    // the markup survived escaping: Telegram parsed it and shows the literal text
    let all = tg.sent(&tg_notify::ChatId::Id(CHAT));
    assert!(all
        .iter()
        .any(|m| m.text.contains("&lt;script&gt;x&lt;/script&gt;")));

    let alerts = app.state().store.alerts(50).unwrap();
    for prefix in ["new-device:1:", "blocked:1:", "log:1:", "ppp:1:", "apps:1:"] {
        assert_eq!(
            alerts.iter().filter(|a| a.key.starts_with(prefix)).count(),
            1,
            "{prefix}: {alerts:?}"
        );
    }
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_down_and_back_up() {
    let sim = start_sim().await;
    let proxy = Proxy::start(sim.addr()).await;
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(proxy.addr)).await;
    wait_polled(&app).await;
    let mut down = rule("router-down", RuleKind::Unreachable);
    down.checks(2).severity(Severity::Critical);
    let monitor = start_monitor(&app, dir.path(), vec![down], Some(&tg)).await;

    proxy.set_up(false);
    wait_until("down alert", 60, || {
        count(&tg, CHAT, "r1 is unreachable") == 1
    })
    .await;
    assert!(texts(&tg, CHAT)[0].contains("(2 failed checks)"));
    proxy.set_up(true);
    wait_until("back up", 90, || count(&tg, CHAT, "r1 is back up") == 1).await;
    assert_eq!(count(&tg, CHAT, "r1 is unreachable"), 1);
    assert_eq!(texts(&tg, CHAT).len(), 2);
    let feed = app.state().store.alerts(10).unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].key, "router-down:1");
    assert!(feed[0].resolved_at.is_some());
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_router_is_summarised_not_flooded() {
    let sim = start_sim().await;
    let proxy = Proxy::start(sim.addr()).await;
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(proxy.addr)).await;
    wait_polled(&app).await;
    let mut down = rule("router-down", RuleKind::Unreachable);
    down.checks(1);
    let monitor = start_monitor_with(
        &app,
        dir.path(),
        vec![down],
        Some(&tg),
        Duration::from_secs(30),
    )
    .await;
    let hub = app.state().hub.clone();
    let store = app.state().store.clone();
    let is_up = || {
        hub.routers()
            .first()
            .is_some_and(|r| r.live().status == noc::routers::Status::Up)
    };
    for i in 0..5 {
        proxy.set_up(false);
        wait_until("down recorded", 60, || store.alerts(100).unwrap().len() > i).await;
        proxy.set_up(true);
        wait_until("up again", 90, is_up).await;
        wait_until("resolved", 30, || {
            store
                .alerts(100)
                .unwrap()
                .iter()
                .all(|a| a.resolved_at.is_some())
        })
        .await;
    }
    // every transition is in the dashboard...
    assert_eq!(store.alerts(100).unwrap().len(), 5);
    // ...but Telegram gets the first alert and a summary, not ten messages
    wait_until("flapping summary", 90, || {
        texts(&tg, CHAT).iter().any(|t| t.contains("flapping"))
    })
    .await;
    monitor.notifier().unwrap().wait_idle().await;
    let sent = texts(&tg, CHAT);
    assert!(
        sent.len() <= 4,
        "{} messages for 10 transitions: {sent:?}",
        sent.len()
    );
    assert!(sent[0].contains("r1 is unreachable"));
    let last = sent.last().unwrap();
    assert!(
        last.contains("now resolved") || last.contains("back up"),
        "the last word is that it is up: {last}"
    );
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_queued_while_telegram_is_down_arrive_after_a_restart() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    tg.set_down(true);
    let dir = tempfile::tempdir().unwrap();
    let mut log = rule("log", RuleKind::Log);
    log.keywords(["critical"]);
    let rules = vec![each("new-device", RuleKind::Lease), log];

    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let monitor = start_monitor(&app, dir.path(), rules.clone(), Some(&tg)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut expected = Vec::new();
    for i in 0..3 {
        let name = format!("phone-{i}");
        h.host_appears(Some(&name), Some(&format!("02:00:00:00:01:0{i}")));
        expected.push(format!("new device {name}"));
        h.log(
            "system,error,critical",
            &format!("critical: disk error number {i}"),
        );
    }
    // three log lines of one rule and keyword are one alert: the latest text, counted
    expected.push("critical: disk error number 2".into());
    expected.push("×3".into());
    // the dashboard has them at once; Telegram has nothing yet
    wait_until("stored", 30, || {
        let a = app.state().store.alerts(50).unwrap();
        a.len() == 4 && a.iter().any(|a| a.key == "log:1:critical" && a.count == 3)
    })
    .await;
    assert!(texts(&tg, CHAT).is_empty());
    let queued = monitor.notifier().unwrap().len();
    assert!(queued >= 1, "queued {queued}");
    monitor.shutdown().await;
    app.shutdown().await;

    // restart on the same data dir; Telegram comes back
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    let monitor = start_monitor(&app, dir.path(), rules, Some(&tg)).await;
    tg.set_down(false);
    wait_until("every alert delivered", 60, || {
        let t = texts(&tg, CHAT);
        expected
            .iter()
            .all(|e| t.iter().any(|m| m.contains(e.as_str())))
    })
    .await;
    monitor.notifier().unwrap().wait_idle().await;
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_alerts_still_reach_the_dashboard() {
    let sim = start_sim().await;
    let h = sim.handle();
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut log = rule("log", RuleKind::Log);
    log.keywords(["critical"]).duration(Span(0));
    let monitor = start_monitor(&app, dir.path(), vec![log], None).await;
    assert!(monitor.notifier().is_none());
    tokio::time::sleep(Duration::from_millis(500)).await;
    h.log("system,critical", "critical: power supply 2 failed");
    wait_until("stored", 30, || {
        app.state()
            .store
            .alerts(10)
            .unwrap()
            .iter()
            .any(|a| a.title.contains("power supply 2 failed") && a.resolved_at.is_none())
    })
    .await;
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_reported_as_login_failing() {
    let sim = start_sim().await;
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file: noc::FileConfig = format!(
        "[[router]]\nname = \"r1\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"wrong\"\n",
        sim.addr().ip(),
        sim.addr().port()
    )
    .parse()
    .unwrap();
    let app = start_noc(dir.path(), file).await;
    let monitor = start_monitor(
        &app,
        dir.path(),
        vec![rule("router-down", RuleKind::Unreachable)],
        Some(&tg),
    )
    .await;
    wait_until("login alert", 60, || {
        count(&tg, CHAT, "r1: login failing") == 1
    })
    .await;
    assert!(texts(&tg, CHAT)[0].contains("(3 failed checks)"));
    assert_eq!(count(&tg, CHAT, "unreachable"), 0);
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_silence_all_but_critical_and_mutes_hold_back_telegram_only() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut warn = rule("warn", RuleKind::Log);
    warn.keywords(["fan slow"]);
    let mut crit = rule("crit", RuleKind::Log);
    crit.keywords(["fan stopped"]).severity(Severity::Critical);
    let mut noisy = rule("noisy", RuleKind::Log);
    noisy.keywords(["dhcp offer"]);
    // the alert chat is in its quiet hours now (UTC): from an hour ago to an hour ahead
    let minute = noc::now().rem_euclid(86_400) / 60;
    let hhmm = |m: i64| format!("{:02}:{:02}", m.rem_euclid(1440) / 60, m.rem_euclid(60));
    let mut t = telegram(&tg);
    t.chats[0].quiet = Some(
        format!("{}-{}", hhmm(minute - 60), hhmm(minute + 60))
            .parse()
            .unwrap(),
    );
    let mut o = noc::alerts::MonitorOptions::new(dir.path());
    o.rules(vec![warn, crit, noisy]).telegram(t);
    let monitor = noc::alerts::Monitor::start(app.state().clone(), o)
        .await
        .unwrap();
    monitor
        .tg_store()
        .mute("noisy", noc::now() + 3600, "test")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    h.log("system,warning", "fan slow: 1200 rpm");
    h.log("system,critical", "fan stopped");
    h.log("dhcp,info", "dhcp offer to 02:00:00:00:00:01");
    wait_until("both alerts", 30, || {
        count(&tg, CHAT, "fan slow") == 1 && count(&tg, CHAT, "fan stopped") == 1
    })
    .await;
    let sent = tg.sent(&tg_notify::ChatId::Id(CHAT));
    let silent = |needle: &str| {
        sent.iter()
            .find(|m| m.plain.contains(needle))
            .unwrap()
            .request
            .disable_notification
    };
    assert!(silent("fan slow"), "a warning in quiet hours is silent");
    assert!(!silent("fan stopped"), "a critical alert rings");
    // the muted rule reached the dashboard but not Telegram
    wait_until("muted alert stored", 30, || {
        app.state()
            .store
            .alerts(10)
            .unwrap()
            .iter()
            .any(|a| a.key.starts_with("noisy:"))
    })
    .await;
    monitor.notifier().unwrap().wait_idle().await;
    assert_eq!(count(&tg, CHAT, "dhcp offer"), 0);
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layer7_starts_arrive_as_one_silent_digest_and_router_down_at_once() {
    let sim = start_sim().await;
    let h = sim.handle();
    let proxy = Proxy::start(sim.addr()).await;
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(proxy.addr)).await;
    wait_polled(&app).await;
    let mut down = rule("router-down", RuleKind::Unreachable);
    down.checks(2).severity(Severity::Critical);
    let mut apps = rule("apps", RuleKind::L7);
    apps.severity(Severity::Info).digest = Some(Span(3));
    // The default interval (10 minutes): its digest is still waiting when the router goes down.
    let mut slow = rule("apps-slow", RuleKind::L7);
    slow.severity(Severity::Info);
    // A condition the simulated router is always in, at info severity.
    let mut memory = rule("memory", RuleKind::Memory);
    memory.below = Some("100%".parse().unwrap());
    memory.severity(Severity::Info);
    let monitor = start_monitor(&app, dir.path(), vec![down, apps, slow, memory], Some(&tg)).await;
    // let the log stream settle
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let hosts = [
        "192.168.88.23",
        "192.168.88.24",
        "192.168.88.25",
        "192.168.88.26",
        "192.168.88.27",
    ];
    for host in hosts {
        h.log("firewall,info", &tiktok_line(host));
    }
    wait_until("the digest", 30, || {
        count(&tg, CHAT, "r1: 5 hosts started tiktok in the last 3 s") == 1
    })
    .await;
    // The feed has every start of both rules, one alert each.
    let feed = app.state().store.alerts(100).unwrap();
    for prefix in ["apps:1:", "apps-slow:1:"] {
        let mine: Vec<_> = feed.iter().filter(|a| a.key.starts_with(prefix)).collect();
        assert_eq!(mine.len(), 5, "{prefix}: {feed:?}");
        assert!(mine.iter().all(|a| a.title.contains("started tiktok")));
    }
    // Chat got the one digest, nothing one by one, and it did not ring.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        count(&tg, CHAT, "started tiktok"),
        1,
        "{:?}",
        texts(&tg, CHAT)
    );
    let sent = tg.sent(&tg_notify::ChatId::Id(CHAT));
    let find = |needle: &str| {
        sent.iter()
            .find(|m| m.plain.contains(needle))
            .unwrap_or_else(|| panic!("no message with {needle}: {sent:?}"))
            .clone()
    };
    let digest = find("5 hosts started tiktok");
    assert!(
        digest.plain.contains(&hosts.join(", ")),
        "every host is named: {}",
        digest.plain
    );
    assert!(
        digest.request.disable_notification,
        "an info digest is silent"
    );
    // An info condition reaches chat silently too.
    wait_until("the info alert", 30, || {
        count(&tg, CHAT, "r1: memory low") == 1
    })
    .await;
    let sent = tg.sent(&tg_notify::ChatId::Id(CHAT));
    let memory = sent
        .iter()
        .find(|m| m.plain.contains("r1: memory low"))
        .unwrap();
    assert!(
        memory.request.disable_notification,
        "info alerts are silent"
    );

    // Router down arrives at once, ringing, while a digest waits for its 10 minutes.
    proxy.set_up(false);
    wait_until("down alert", 60, || {
        count(&tg, CHAT, "r1 is unreachable") == 1
    })
    .await;
    let sent = tg.sent(&tg_notify::ChatId::Id(CHAT));
    let down = sent
        .iter()
        .find(|m| m.plain.contains("r1 is unreachable"))
        .unwrap();
    assert!(!down.request.disable_notification, "router down rings");
    assert_eq!(
        count(&tg, CHAT, "apps-slow"),
        0,
        "its digest is not due yet"
    );
    monitor.shutdown().await;
    app.shutdown().await;
}
