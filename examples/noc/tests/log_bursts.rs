//! A burst of router log lines is recorded in full on the Layer 7 page and summarised in the
//! alerts; router text is capped and kept on one line wherever it goes.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::{RuleConfig, RuleKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_layer7_lines_is_recorded_and_summarised() {
    let sim = start_sim().await;
    let h = sim.handle();
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let monitor = start_monitor(
        &app,
        dir.path(),
        vec![RuleConfig::new("apps", RuleKind::L7)],
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // 5,000 lines in 3 s. (ros-sim keeps up to 1,024 unsent changes per follower, as a
    // router's memory log holds a bounded number of lines: the burst is written in slices.)
    const N: usize = 5_000;
    for i in 0..N {
        if i % 250 == 0 {
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        h.log(
            "firewall,info",
            &format!(
                "tiktok forward: in:bridge out:ether1, proto TCP (SYN), 10.1.{}.{}:50000->161.117.1.1:443, len 60",
                i / 250,
                i % 250 + 1
            ),
        );
    }
    let store = app.state().store.clone();
    let t0 = std::time::Instant::now();
    wait_until("every line in the Layer 7 activity", 60, || {
        let n = store.l7_events(None, 20_000).unwrap().len();
        if t0.elapsed().as_millis() % 5000 < 60 {
            eprintln!("{n} events after {:?}", t0.elapsed());
        }
        n == N
    })
    .await;
    // Alerts: at most 50 per window, and summaries that count the rest.
    let accounted = || {
        let alerts = store.alerts(10_000).unwrap();
        let shown = alerts
            .iter()
            .filter(|a| a.title.contains("started tiktok"))
            .count();
        let mut held = 0;
        let mut summaries = 0;
        for a in &alerts {
            let Some(rest) = a.title.strip_prefix("r1: ") else {
                continue;
            };
            if let Some((total, tail)) =
                rest.split_once(" Layer 7 events in 10 s, showing the first ")
            {
                let total: usize = total.replace(',', "").parse().unwrap();
                let first: usize = tail.parse().unwrap();
                held += total - first;
                summaries += 1;
            }
        }
        (shown, held, summaries)
    };
    wait_until("summaries account for every event", 60, || {
        let (shown, held, _) = accounted();
        shown + held == N
    })
    .await;
    let (shown, held, summaries) = accounted();
    eprintln!("{shown} alerts shown, {held} summarised in {summaries} summaries");
    assert!(summaries >= 1);
    assert!(shown <= 50 * summaries + 50, "{shown} alerts for {N} lines");
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_router_text_is_capped_in_alerts_activity_and_telegram() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut log = RuleConfig::new("log", RuleKind::Log);
    log.keywords(["login failure"]);
    let monitor = start_monitor(
        &app,
        dir.path(),
        vec![
            {
                // each new device at once (no digest): its one message is what is checked
                let mut r = RuleConfig::new("new-device", RuleKind::Lease);
                r.digest = Some(noc::alerts::rules::Span(0));
                r
            },
            RuleConfig::new("apps", RuleKind::L7),
            log,
        ],
        Some(&tg),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let long = "h".repeat(30_000);
    h.host_appears(Some(&long), Some("02:00:00:00:00:77"));
    h.log(
        "firewall,info",
        &format!("tiktok forward: proto TCP, 192.168.88.44:50000->1.2.3.4:443, {long}"),
    );
    h.log(
        "system,error",
        "login failure for admin\n2026-01-01 ERROR forged line",
    );
    let store = app.state().store.clone();
    wait_until("alerts and activity", 30, || {
        let a = store.alerts(50).unwrap();
        a.iter().any(|a| a.key.starts_with("new-device:"))
            && a.iter().any(|a| a.key.starts_with("log:"))
            && !store.l7_events(None, 10).unwrap().is_empty()
    })
    .await;
    for a in store.alerts(50).unwrap() {
        assert!(a.title.chars().count() <= 256, "{} chars", a.title.len());
        assert!(a.detail.chars().count() <= 256, "{} chars", a.detail.len());
        assert!(!a.title.contains('\n') && !a.detail.contains('\n'), "{a:?}");
    }
    for e in store.l7_events(None, 10).unwrap() {
        for s in [&e.host, &e.app, &e.rule, &e.detail] {
            assert!(s.chars().count() <= 256, "{} chars", s.len());
        }
    }
    wait_until("the new-device message", 30, || {
        count(&tg, CHAT, "new device") >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hs: Vec<String> = texts(&tg, CHAT)
        .into_iter()
        .filter(|t| t.contains("new device hhhh"))
        .collect();
    assert_eq!(hs.len(), 1, "one message for the long host name: {hs:?}");
    assert!(
        hs[0].chars().count() < 700,
        "{} chars",
        hs[0].chars().count()
    );
    monitor.shutdown().await;
    app.shutdown().await;
}
