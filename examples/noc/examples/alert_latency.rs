//! Measures the time from an event on the (simulated) router to the alert message at the
//! (fake) Telegram Bot API, for a router going down, a log keyword and a new DHCP lease.
//!
//! `cargo run --release -p noc --example alert_latency [trials]`
//!
//! noc polls every second (the default) and the router-down rule needs 3 failed checks, so
//! the issue's targets are: router down within 3 × 1 s + 1 s, a log keyword within 2 s, a new
//! lease within one poll interval (1 s) — plus Telegram pacing, which is idle here.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use noc::alerts::rules::{RuleConfig, RuleKind};
use noc::alerts::TelegramConfig;
use noc::alerts::{Monitor, MonitorOptions};
use noc::auth::Role;
use tg_notify::fake::FakeTelegram;
use tg_notify::{ChatId, NotifierConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// One private chat per event type, so that Telegram's per-chat pacing (one message a
/// second; a group gets one every three) of one event never delays another.
const LOG_CHAT: i64 = 101;
const LEASE_CHAT: i64 = 102;
const DOWN_CHAT: i64 = 103;

struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

async fn proxy(target: SocketAddr) -> anyhow::Result<Proxy> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let up = Arc::new(AtomicBool::new(true));
    let (cut, _) = watch::channel(0u64);
    let (up2, cut2) = (up.clone(), cut.clone());
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            if !up2.load(Ordering::SeqCst) {
                continue;
            }
            let mut rx = cut2.subscribe();
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.changed() => {}
                    }
                }
            });
        }
    });
    Ok(Proxy { addr, up, cut })
}

impl Proxy {
    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

/// Waits for a message containing `needle` that arrived after `since`; its latency.
async fn arrival(
    tg: &FakeTelegram,
    chat: i64,
    since: Instant,
    needle: &str,
) -> anyhow::Result<Duration> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(m) = tg
            .sent(&ChatId::Id(chat))
            .into_iter()
            .find(|m| m.at >= since && m.plain.contains(needle))
        {
            return Ok(m.at.duration_since(since));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    anyhow::bail!("no message containing {needle:?}")
}

/// How many streamed log lines a second the engine matches (5 keywords, 3 regexes, Layer 7),
/// and how long one evaluation of a router with 10,000 queues takes.
fn engine_throughput() {
    let mut log = RuleConfig::new("log", RuleKind::Log);
    log.keywords(["login failure", "critical", "error", "ppp", "dhcp offer"]);
    log.regexes = vec![
        r"link (down|up)".into(),
        r"pppoe-\w+.*disconnected".into(),
        r"\bfan \d+ failed".into(),
    ];
    let rules = vec![
        log,
        RuleConfig::new("l7", RuleKind::L7),
        RuleConfig::new("q", RuleKind::Queue),
    ];
    let mut engine = noc::alerts::Engine::new(&rules);
    let lines = [
        ("system,info", "user admin logged in from 192.168.88.10 via winbox"),
        ("firewall,info", "forward: in:bridge out:ether1, proto TCP (ACK), 192.168.88.23:50000->1.2.3.4:443, len 1400"),
        ("dhcp,info", "defconf assigned 192.168.88.40 for 02:00:00:00:00:40 phone"),
        ("system,error,critical", "login failure for user x from 10.0.0.9 via ssh"),
    ];
    let n = 200_000usize;
    let start = Instant::now();
    let mut hits = 0usize;
    for i in 0..n {
        let (t, m) = lines[i % lines.len()];
        hits += engine
            .observe_log(1, "r1", t, m, &[], i64::try_from(i).unwrap_or(0))
            .len();
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    println!("engine: {per_sec:.0} log lines/s matched ({hits} alerts)");
    let mut live = noc::routers::RouterLive::default();
    live.status = noc::routers::Status::Up;
    live.queues = Arc::new(
        (0..10_000)
            .map(|i| {
                let mut q = noc::routers::QueueRow::default();
                q.name = format!("q{i}");
                q.max_up = 10_000_000;
                q.max_down = 10_000_000;
                q.rate_down = (i % 100) * 100_000;
                q
            })
            .collect(),
    );
    let rounds = 100;
    let start = Instant::now();
    for t in 0..rounds {
        engine.observe_router(1, "r1", &live, t);
    }
    println!(
        "engine: {:.2} ms per evaluation of a router with 10,000 queues",
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(u32::try_from(rounds).unwrap_or(1))
    );
}

fn summary(name: &str, target: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let median = v.get(v.len() / 2).map_or(0.0, ms);
    println!(
        "{name:<14} n={:<3} min {:>7.1} ms  median {:>7.1} ms  max {:>7.1} ms   (target {target})",
        v.len(),
        v.first().map_or(0.0, ms),
        median,
        v.last().map_or(0.0, ms),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let trials: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut sc = ros_sim::SimConfig::new();
    sc.listen("127.0.0.1:0".parse()?)
        .user("admin")
        .password("router-pass")
        .hosts(8)
        .queues(8);
    let sim = ros_sim::Simulator::start(sc).await?;
    let h = sim.handle();
    let px = proxy(sim.addr()).await?;
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir()?;
    let file: noc::FileConfig = format!(
        "[[router]]\nname='r1'\naddress='{}'\nport={}\nuser='admin'\npassword='router-pass'\n",
        px.addr.ip(),
        px.addr.port()
    )
    .parse()?;
    let mut o = noc::Options::new(dir.path());
    o.listen("127.0.0.1:0".parse()?)
        .admin_password("admin-password")
        .file_config(file)
        .poll_interval(Duration::from_secs(1));
    let app = noc::Noc::start(o).await?;

    let mut down = RuleConfig::new("router-down", RuleKind::Unreachable);
    down.checks(3);
    down.chats = vec![DOWN_CHAT];
    let mut log = RuleConfig::new("log", RuleKind::Log);
    log.keywords(["critical"]);
    log.chats = vec![LOG_CHAT];
    let mut lease = RuleConfig::new("new-device", RuleKind::Lease);
    lease.chats = vec![LEASE_CHAT];
    let mut t = TelegramConfig::with_token(tg.token());
    t.api_url(tg.url()).user(1, Role::Admin);
    let mut mo = MonitorOptions::new(dir.path());
    let mut nc = NotifierConfig::default();
    // measure the first message of each event, not the coalescing of repeats
    nc.coalesce_window(Duration::ZERO);
    mo.rules(vec![down, log, lease])
        .telegram(t)
        .scan_interval(Duration::from_secs(1))
        .notifier_config(nc);
    let monitor = Monitor::start(app.state().clone(), mo).await?;
    // let the first polls, the lease baseline and the log stream settle
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut log_lat = Vec::new();
    let mut lease_lat = Vec::new();
    let mut down_lat = Vec::new();
    for i in 0..trials {
        let line = format!("critical: fan {i} failed");
        let t0 = Instant::now();
        h.log("system,error,critical", &line);
        log_lat.push(arrival(&tg, LOG_CHAT, t0, &line).await?);

        let name = format!("device-{i}");
        let t0 = Instant::now();
        h.host_appears(Some(&name), None);
        lease_lat.push(arrival(&tg, LEASE_CHAT, t0, &format!("new device {name}")).await?);

        let t0 = Instant::now();
        px.set_up(false);
        down_lat.push(arrival(&tg, DOWN_CHAT, t0, "r1 is unreachable").await?);
        px.set_up(true);
        arrival(&tg, DOWN_CHAT, t0, "r1 is back up").await?;
        if let Some(n) = monitor.notifier() {
            n.wait_idle().await;
        }
        // Telegram's per-chat pacing (1 message/s) must not delay the next trial
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    println!("event on the router -> message at the fake Bot API (poll interval 1 s):");
    engine_throughput();
    summary("log keyword", "2 s", log_lat);
    summary("new lease", "1 s poll interval", lease_lat);
    summary("router down", "3 checks x 1 s + 1 s = 4 s", down_lat);
    monitor.shutdown().await;
    app.shutdown().await;
    Ok(())
}
