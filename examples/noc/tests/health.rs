//! Network health against ros-sim over real TCP: devices checked by the router's netwatch,
//! the dependency logic (an access point, the uplink), the quota across a reboot, and
//! `/diagnose` naming the simulated cause.

mod mon_support;

use std::time::{Duration, Instant};

use mon_support::*;
use noc::auth::Role;
use noc::chat::{Caller, ChatOps};
use noc::{FileConfig, Noc};
use ros_sim::Reachability;

const HEALTH: &str = "[health]\ncheck_interval_secs = 1\nisp_check_secs = 1\nfailed_checks = 3\n";

fn config(addr: std::net::SocketAddr, extra: &str) -> FileConfig {
    format!(
        "[[router]]\nname = \"r1\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"router-pass\"\n{HEALTH}{extra}",
        addr.ip(),
        addr.port()
    )
    .parse()
    .unwrap()
}

/// Advances the simulated clock one second every 100 ms (netwatch and `/ping` run on it).
fn ticker(sim: ros_sim::SimHandle) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            sim.tick(1);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

fn router(app: &Noc) -> std::sync::Arc<noc::routers::RouterHandle> {
    app.state().hub.routers().into_iter().next().unwrap()
}

fn add(app: &Noc, sim: &ros_sim::SimHandle, name: &str, ip: &str, parent: Option<&str>) {
    let n = ip.rsplit('.').next().unwrap().parse::<u8>().unwrap();
    sim.add_host(ip, &format!("02:00:00:00:01:{n:02x}"), None)
        .unwrap();
    app.state()
        .health
        .add_device("test", &router(app), name, ip, parent)
        .unwrap();
}

fn status(app: &Noc, name: &str) -> &'static str {
    app.state()
        .health
        .all_devices()
        .into_iter()
        .find(|(_, d)| d.name == name)
        .map_or("missing", |(_, d)| d.status)
}

fn alerts(app: &Noc, prefix: &str) -> Vec<noc::storage::Alert> {
    app.state()
        .store
        .alerts(500)
        .unwrap()
        .into_iter()
        .filter(|a| a.key.starts_with(prefix))
        .collect()
}

async fn wait_up(app: &Noc, names: &[&str]) {
    wait_until("devices up", 60, || {
        names.iter().all(|n| status(app, n) == "up")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_switched_off_alerts_once_and_resolves_once() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let app = start_noc(dir.path(), config(sim.addr(), "")).await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let h = sim.handle();
    let tick = ticker(h.clone());
    add(&app, &h, "house1", "192.168.88.201", None);
    wait_up(&app, &["house1"]).await;
    // The router got the netwatch entry, and the change is audited.
    let audit = app.state().store.audit_log(20).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "netwatch.add" && a.detail.contains("noc: device house1")));
    assert!(audit
        .iter()
        .any(|a| a.action == "device.add" && a.user == "test"));
    // Latency: the simulated netwatch reports no icmp figures, so the router pings it.
    wait_until("latency measured", 30, || {
        app.state()
            .health
            .all_devices()
            .iter()
            .any(|(_, d)| d.rtt_us.is_some() && d.loss == Some(0))
    })
    .await;
    let id = app.state().store.devices().unwrap()[0].id;
    let history = app.state().store.device_samples(id, 100).unwrap();
    assert!(
        history.iter().any(|s| s.up && s.rtt_us.is_some()),
        "{history:?}"
    );

    h.set_host("192.168.88.201", Reachability::down()).unwrap();
    let off = Instant::now();
    wait_until("device alert", 60, || {
        !alerts(&app, "device-down:").is_empty()
    })
    .await;
    let took = off.elapsed();
    let a = alerts(&app, "device-down:");
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].title, "house1 is down");
    assert!(a[0].detail.contains("3 failed checks"), "{}", a[0].detail);
    // Three checks at 1 s of simulated time (100 ms here), plus a poll: well under 3 s.
    eprintln!("device off → alert: {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(alerts(&app, "device-down:").len(), 1);

    h.set_host("192.168.88.201", Reachability::up()).unwrap();
    wait_until("resolved", 60, || {
        alerts(&app, "device-down:")
            .first()
            .is_some_and(|a| a.resolved_at.is_some())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a = alerts(&app, "device-down:");
    assert_eq!(a.len(), 1, "{a:?}");
    assert!(a[0].resolved_at.is_some());
    assert_eq!(a[0].count, 1, "fired once");
    tick.abort();
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_point_off_with_12_houses_is_one_alert_not_13() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let app = start_noc(dir.path(), config(sim.addr(), "")).await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let h = sim.handle();
    let tick = ticker(h.clone());
    add(&app, &h, "ap1", "192.168.88.100", None);
    let houses: Vec<String> = (1..=12).map(|i| format!("house{i}")).collect();
    for (i, n) in houses.iter().enumerate() {
        add(&app, &h, n, &format!("192.168.88.{}", 110 + i), Some("ap1"));
    }
    let mut all: Vec<&str> = houses.iter().map(String::as_str).collect();
    all.push("ap1");
    wait_up(&app, &all).await;
    // The access point loses power: it and every house behind it stop answering.
    h.set_host("192.168.88.100", Reachability::down()).unwrap();
    for i in 0..12 {
        h.set_host(&format!("192.168.88.{}", 110 + i), Reachability::down())
            .unwrap();
    }
    wait_until("ap alert", 60, || !alerts(&app, "device-down:").is_empty()).await;
    wait_until("all down", 60, || {
        all.iter().all(|n| status(&app, n) == "down")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let a = alerts(&app, "device-down:");
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].title, "ap1 is down: 12 houses behind it");
    tick.abort();
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_uplink_is_one_isp_alert_and_no_device_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let app = start_noc(dir.path(), config(sim.addr(), "")).await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let h = sim.handle();
    let tick = ticker(h.clone());
    add(&app, &h, "house1", "192.168.88.201", None);
    add(&app, &h, "house2", "192.168.88.202", None);
    // A device given by its MAC address: the router's ARP and DHCP tables give its IP.
    h.add_host("192.168.88.203", "02:00:00:00:03:03", None)
        .unwrap();
    app.state()
        .health
        .add_device("test", &router(&app), "house3", "02:00:00:00:03:03", None)
        .unwrap();
    wait_up(&app, &["house1", "house2", "house3"]).await;
    let mac = app
        .state()
        .health
        .all_devices()
        .into_iter()
        .find(|(_, d)| d.name == "house3")
        .unwrap()
        .1;
    assert_eq!(mac.ip.as_deref(), Some("192.168.88.203"));
    h.set_uplink(false);
    wait_until("isp alert", 60, || !alerts(&app, "isp-down:").is_empty()).await;
    // A house going dark while the ISP is down is not alerted on its own.
    h.set_host("192.168.88.202", Reachability::down()).unwrap();
    wait_until("house2 down", 60, || status(&app, "house2") == "down").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let isp = alerts(&app, "isp-down:");
    assert_eq!(isp.len(), 1, "{isp:?}");
    assert_eq!(isp[0].title, "r1: ISP down");
    assert!(alerts(&app, "device-down:").is_empty());
    assert!(
        alerts(&app, "unreachable").is_empty(),
        "the router itself is up"
    );
    h.set_uplink(true);
    wait_until("isp resolved", 60, || {
        alerts(&app, "isp-down:")
            .first()
            .is_some_and(|a| a.resolved_at.is_some())
    })
    .await;
    tick.abort();
    monitor.shutdown().await;
    app.shutdown().await;
}

fn quota_used(app: &Noc) -> Option<u64> {
    let r = router(app);
    app.state()
        .health
        .router(r.id)
        .quotas
        .first()
        .map(|q| q.used)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reboot_mid_month_keeps_the_quota_count() {
    const MB: u64 = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let quota =
        "wan_interfaces = [\"ether1\"]\n[[health.quota]]\ninterface = \"ether1\"\nmonthly_gb = 1\n";
    let app = start_noc(dir.path(), config(sim.addr(), quota)).await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let h = sim.handle();
    // The clock stands still: the counters move only by what the test adds.
    wait_until("baseline", 30, || quota_used(&app) == Some(0)).await;
    h.add_wan_traffic(300 * MB, 100 * MB);
    wait_until("400 MB", 30, || quota_used(&app) == Some(400 * MB)).await;
    h.reboot();
    h.add_wan_traffic(200 * MB, 0);
    wait_until("600 MB", 30, || quota_used(&app) == Some(600 * MB)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(quota_used(&app), Some(600 * MB), "counted once");
    // noc restarts: the running total and the last counters come from SQLite.
    monitor.shutdown().await;
    app.shutdown().await;
    let app = start_noc(dir.path(), config(sim.addr(), quota)).await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    wait_until("restored", 30, || quota_used(&app) == Some(600 * MB)).await;
    h.add_wan_traffic(250 * MB, 0);
    wait_until("850 MB", 30, || quota_used(&app) == Some(850 * MB)).await;
    // Another reboot while 80% was crossed, then the quota runs out.
    h.reboot();
    h.add_wan_traffic(200 * MB, 0);
    wait_until("1050 MB", 30, || quota_used(&app) == Some(1050 * MB)).await;
    wait_until("both thresholds", 30, || alerts(&app, "quota:").len() == 2).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a = alerts(&app, "quota:");
    assert_eq!(a.len(), 2, "{a:?}");
    assert!(a
        .iter()
        .any(|a| a.title.contains("80% of the monthly quota")));
    assert!(a
        .iter()
        .any(|a| a.title.contains("100% of the monthly quota")));
    assert!(a.iter().all(|a| a.count == 1));
    // The overview holds the month against the quota: used, and how much of the month is gone.
    let c = common::client();
    let base = format!("http://{}", app.addr());
    let (_, login) = common::get_text(&c, &format!("{base}/login")).await;
    c.post(format!("{base}/login"))
        .form(&[
            ("csrf", common::csrf_of(&login).as_str()),
            ("user", "admin"),
            ("password", "admin-password"),
        ])
        .send()
        .await
        .unwrap();
    let (_, html) = common::get_text(&c, &format!("{base}/")).await;
    assert!(
        html.contains("105% used with") && html.contains("class=\"quota-bar\""),
        "{html}"
    );
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_names_the_simulated_cause() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let app = start_noc(
        dir.path(),
        config(
            sim.addr(),
            "[[health.quota]]\ninterface = \"ether1\"\nmonthly_gb = 1\n",
        ),
    )
    .await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let ops = ChatOps::new(app.state().clone(), monitor.tg_store().clone(), Vec::new());
    let op = Caller::new("telegram:1", Role::Operator);
    let viewer = Caller::new("telegram:2", Role::ReadOnly);
    let h = sim.handle();
    let tick = ticker(h.clone());
    h.add_host("192.168.88.100", "02:00:00:00:02:01", None)
        .unwrap();
    h.add_host("192.168.88.101", "02:00:00:00:02:02", None)
        .unwrap();
    let r = ops
        .handle(&viewer, "/adddevice ap1 192.168.88.100")
        .await
        .unwrap();
    assert!(r.contains("operator"), "{r}");
    let r = ops
        .handle(&op, "/adddevice ap1 192.168.88.100")
        .await
        .unwrap();
    assert!(r.starts_with("Added ap1"), "{r}");
    let r = ops
        .handle(&op, "/adddevice Pak Budi 192.168.88.101 ap1")
        .await
        .unwrap();
    assert!(r.contains("behind ap1"), "{r}");
    wait_up(&app, &["ap1", "Pak Budi"]).await;
    wait_until("isp measured", 30, || {
        app.state().health.router(router(&app).id).isp.checked > 0
    })
    .await;
    let diag = |q: &'static str| {
        let ops = ops.clone();
        let viewer = viewer.clone();
        async move {
            let started = Instant::now();
            let r = ops
                .handle(&viewer, &format!("/diagnose {q}"))
                .await
                .unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(6),
                "{:?}",
                started.elapsed()
            );
            r
        }
    };
    let r = diag("budi").await;
    assert!(r.contains("No problem found."), "{r}");
    for check in [
        "Router OK",
        "ISP OK",
        "Quota OK",
        "Device OK",
        "Parent OK",
        "CPU OK",
    ] {
        assert!(r.contains(check), "{check}: {r}");
    }
    let pos: Vec<usize> = [
        "Router", "ISP", "Quota", "Device", "Parent", "Queue", "Uplink", "CPU",
    ]
    .iter()
    .map(|c| r.find(&format!("\n{c} ")).unwrap())
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "fixed order: {r}");
    assert!(r.contains("Uplink unknown"), "no capacity configured: {r}");

    // The house's device is off.
    h.set_host("192.168.88.101", Reachability::down()).unwrap();
    let r = diag("Pak Budi").await;
    assert!(r.contains("Likely cause: Pak Budi does not answer"), "{r}");
    // The access point is off too: the parent check names it.
    h.set_host("192.168.88.100", Reachability::down()).unwrap();
    let r = diag("192.168.88.101").await;
    assert!(r.contains("Parent PROBLEM: ap1 does not answer"), "{r}");
    h.set_host("192.168.88.100", Reachability::up()).unwrap();
    h.set_host("192.168.88.101", Reachability::up()).unwrap();
    // 30% loss on the ISP's side.
    h.set_target("8.8.8.8", Reachability::up().loss(30))
        .unwrap();
    let r = diag("budi").await;
    assert!(
        r.contains("Likely cause: ISP lossy: 30% loss to 8.8.8.8"),
        "{r}"
    );
    h.set_target("8.8.8.8", Reachability::up()).unwrap();
    // The uplink is dead.
    h.set_uplink(false);
    let r = diag("budi").await;
    assert!(r.contains("Likely cause: uplink dead"), "{r}");
    h.set_uplink(true);
    // The month's quota is used up.
    h.add_wan_traffic(1_100_000_000, 0);
    wait_until("quota counted", 30, || {
        quota_used(&app).is_some_and(|u| u >= 1_000_000_000)
    })
    .await;
    let r = diag("budi").await;
    assert!(r.contains("Likely cause: ether1 quota used up"), "{r}");
    // A house whose simple queue is at its max-limit (one of the simulator's own hosts,
    // whose traffic keeps flowing).
    let q = router(&app).live().queues.first().cloned().unwrap();
    let ip = q.target.split('/').next().unwrap().to_owned();
    app.state()
        .health
        .add_device("test", &router(&app), "busy house", &ip, None)
        .unwrap();
    let client = router(&app).client().unwrap();
    client
        .execute(
            routeros_proto::Command::builder("/queue/simple/set")
                .attribute(".id", &q.id)
                .attribute("max-limit", "64k/64k")
                .build(),
        )
        .await
        .unwrap();
    wait_until("queue at max-limit", 60, || {
        let live = router(&app).live();
        live.queues
            .iter()
            .any(|x| x.name == q.name && x.usage_percent() >= 95)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = diag("busy house").await;
    assert!(
        r.contains(&format!("Queue PROBLEM: queue {} at max-limit", q.name)),
        "{r}"
    );
    let r = ops.handle(&viewer, "/quota").await.unwrap();
    assert!(r.contains("ether1"), "{r}");
    // The other commands answer within a phone's width.
    for cmd in ["/devices", "/devices down", "/isp", "/public"] {
        let r = ops.handle(&viewer, cmd).await.unwrap();
        for line in r.lines() {
            let plain = line.replace("<pre>", "").replace("</pre>", "");
            if !plain.contains('<') {
                assert!(plain.chars().count() <= 60, "{cmd}: {line}");
            }
        }
    }
    let r = ops.handle(&viewer, "/public").await.unwrap();
    assert!(r.contains("203.0.113.45"), "{r}");
    // The ISP gives the router another public address: one info event.
    h.set_public_address("203.0.113.77").unwrap();
    wait_until("public address event", 30, || {
        !alerts(&app, "public-address:").is_empty()
    })
    .await;
    let a = alerts(&app, "public-address:");
    assert_eq!(a.len(), 1, "{a:?}");
    assert!(
        a[0].title.contains("203.0.113.45 → 203.0.113.77"),
        "{}",
        a[0].title
    );
    assert_eq!(a[0].severity, "info");
    let r = ops.handle(&op, "/deldevice Pak Budi").await.unwrap();
    assert!(r.contains("Removed Pak Budi"), "{r}");
    wait_until_async("netwatch entry removed", 30, || {
        let app = &app;
        async move {
            app.state()
                .store
                .audit_log(50)
                .unwrap()
                .iter()
                .any(|a| a.action == "netwatch.remove")
        }
    })
    .await;
    tick.abort();
    monitor.shutdown().await;
    app.shutdown().await;
}

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_devices_page_previews_applies_and_diagnoses() {
    let app = common::start().await;
    let c = common::client();
    let csrf = common::login_ok(&app, &c, "admin", common::ADMIN_PASSWORD).await;
    let base = &app.base;
    let (code, html) = common::get_text(&c, &format!("{base}/devices")).await;
    assert_eq!(code, 200);
    assert!(html.contains("No devices yet."), "{html}");
    // Preview: the exact command, nothing stored yet.
    let name = "<b>Pak Budi</b>";
    let r = c
        .post(format!("{base}/devices"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", name),
            ("address", "192.168.88.250"),
            ("parent", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("&#x2f;tool&#x2f;netwatch&#x2f;add host=192.168.88.250 interval=10s"),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;Pak Budi") && !html.contains("<b>Pak Budi"),
        "escaped"
    );
    assert!(app.noc.state().store.devices().unwrap().is_empty());
    // Without the session's CSRF token nothing happens.
    let r = c
        .post(format!("{base}/devices"))
        .form(&[
            ("name", name),
            ("address", "192.168.88.250"),
            ("confirm", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("{base}/devices"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", name),
            ("address", "192.168.88.250"),
            ("parent", ""),
            ("confirm", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.noc.state().store.devices().unwrap().len(), 1);
    let audit = app.noc.state().store.audit_log(10).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "device.add" && a.user == "admin"));
    let (_, html) = common::get_text(&c, &format!("{base}/devices")).await;
    assert!(
        html.contains("Diagnose") && html.contains("192.168.88.250"),
        "{html}"
    );
    assert!(
        html.contains("<svg class=\"spark\"") && html.contains("checks;"),
        "a latency sparkline per device: {html}"
    );
    let (code, html) = common::get_text(
        &c,
        &format!("{base}/devices/diagnose?name=%3Cb%3EPak%20Budi%3C%2Fb%3E"),
    )
    .await;
    assert_eq!(code, 200, "{html}");
    for check in [
        "Router", "ISP", "Quota", "Device", "Parent", "Queue", "Uplink", "CPU",
    ] {
        assert!(
            html.contains(&format!("<th>{check}</th>")),
            "{check}: {html}"
        );
    }
    let (_, html) = common::get_text(&c, &format!("{base}/")).await;
    assert!(html.contains("ISP and quota"), "{html}");
    let (code, json) = common::get_text(&c, &format!("{base}/api/devices")).await;
    assert_eq!(code, 200);
    assert!(json.contains("Pak Budi"), "{json}");
    // Removing is previewed too.
    let r = c
        .post(format!("{base}/devices/remove"))
        .form(&[("csrf", csrf.as_str()), ("name", name)])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("&#x2f;tool&#x2f;netwatch&#x2f;remove"),
        "{html}"
    );
    assert_eq!(app.noc.state().store.devices().unwrap().len(), 1);
    let r = c
        .post(format!("{base}/devices/remove"))
        .form(&[("csrf", csrf.as_str()), ("name", name), ("confirm", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(app.noc.state().store.devices().unwrap().is_empty());
    app.noc.shutdown().await;
}

/// CPU time of this process so far (user + system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// The cost of watching 1,000 devices on one router, polled every second (run with
/// `cargo test --release -p noc --test health -- --ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn watching_1000_devices_costs() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let mut o = noc::Options::new(dir.path());
    o.listen("127.0.0.1:0".parse().unwrap())
        .admin_password("admin-password")
        .file_config(config(sim.addr(), ""))
        .poll_interval(Duration::from_secs(1));
    let app = Noc::start(o).await.unwrap();
    let h = sim.handle();
    wait_until("polled", 30, || router(&app).live().polls_ok > 0).await;
    let r = router(&app);
    for i in 0..1000u32 {
        let ip = format!("10.1.{}.{}", i / 250, i % 250 + 1);
        h.add_host(
            &ip,
            &format!("02:00:00:01:{:02x}:{:02x}", i / 256, i % 256),
            None,
        )
        .unwrap();
        let parent = (i % 50 != 0).then(|| format!("d{}", i - i % 50));
        app.state()
            .health
            .add_device("test", &r, &format!("d{i}"), &ip, parent.as_deref())
            .unwrap();
    }
    let added = Instant::now();
    let tick = ticker(h.clone());
    wait_until("1,000 devices up", 120, || {
        app.state()
            .health
            .all_devices()
            .iter()
            .filter(|(_, d)| d.status == "up")
            .count()
            == 1000
    })
    .await;
    eprintln!(
        "1,000 netwatch entries added and all up in {:?}",
        added.elapsed()
    );
    // Stop the simulated network; measure noc reading and evaluating every second.
    tick.abort();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let mut rounds = Vec::new();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        rounds.push(app.state().health.router(r.id).round_ms);
    }
    let cpu = cpu_time() - cpu0;
    let wall = t0.elapsed();
    rounds.sort_unstable();
    eprintln!(
        "1,000 devices: device round median {} ms, max {} ms; CPU {:.1}% of one core (noc and the simulator answering it)",
        rounds[rounds.len() / 2],
        rounds[rounds.len() - 1],
        cpu.as_secs_f64() * 100.0 / wall.as_secs_f64()
    );
    app.shutdown().await;
}
