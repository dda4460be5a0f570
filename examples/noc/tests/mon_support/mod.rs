//! Shared fixtures of the monitor and bot tests: a simulated router (behind a proxy that can
//! cut it off), noc polling it, the fake Bot API, and the monitor wired to both.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use noc::alerts::TelegramConfig;
use noc::alerts::{Monitor, MonitorOptions, RuleConfig};
use noc::auth::Role;
use noc::{FileConfig, Noc, Options};
use tg_notify::fake::FakeTelegram;
use tg_notify::{ChatId, NotifierConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The alert chat (a group; its members are read-only).
pub const CHAT: i64 = -100_500;
/// An admin's user id (chatting privately).
pub const ADMIN: i64 = 4242;
/// A read-only member of the alert chat.
pub const VIEWER: i64 = 777;
/// Someone nobody allowed.
pub const STRANGER: i64 = 666;

/// A TCP proxy in front of the simulator that can take the "router" off the network.
pub struct Proxy {
    pub addr: SocketAddr,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let up2 = up.clone();
        let cut2 = cut.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let mut rx = cut2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.changed() => {}
                    }
                });
            }
        });
        Proxy {
            addr,
            up,
            cut,
            task,
        }
    }

    /// Cuts every connection and refuses new ones (`false`), or lets them through again.
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

/// A simulator with a stopped clock (tests advance it) and a small network.
pub async fn start_sim() -> ros_sim::RunningSim {
    let mut c = ros_sim::SimConfig::new();
    c.listen("127.0.0.1:0".parse().unwrap())
        .user("admin")
        .password("router-pass")
        .hosts(3)
        .queues(3)
        .seed(7)
        .tick_interval(None);
    ros_sim::Simulator::start(c).await.unwrap()
}

/// noc.toml for one router at `addr`.
pub fn file_config(addr: SocketAddr) -> FileConfig {
    format!(
        "[[router]]\nname = \"r1\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"router-pass\"\n",
        addr.ip(),
        addr.port()
    )
    .parse()
    .unwrap()
}

/// Starts noc on `dir`, polling every 200 ms.
pub async fn start_noc(dir: &Path, file: FileConfig) -> Noc {
    let mut o = Options::new(dir);
    o.listen("127.0.0.1:0".parse().unwrap())
        .admin_password("admin-password")
        .file_config(file)
        .poll_interval(Duration::from_millis(200));
    Noc::start(o).await.unwrap()
}

/// Telegram settings pointing at the fake: the alert chat (read-only) and an admin user.
pub fn telegram(tg: &FakeTelegram) -> TelegramConfig {
    let mut t = TelegramConfig::with_token(tg.token());
    t.api_url(tg.url())
        .chat(CHAT, Role::ReadOnly)
        .user(ADMIN, Role::Admin);
    t
}

/// Starts the monitor with `rules`, Telegram at `tg` (if any), a 2 s coalescing window.
pub async fn start_monitor(
    app: &Noc,
    dir: &Path,
    rules: Vec<RuleConfig>,
    tg: Option<&FakeTelegram>,
) -> Monitor {
    start_monitor_with(app, dir, rules, tg, Duration::from_secs(2)).await
}

/// [`start_monitor`] with a coalescing window.
pub async fn start_monitor_with(
    app: &Noc,
    dir: &Path,
    rules: Vec<RuleConfig>,
    tg: Option<&FakeTelegram>,
    window: Duration,
) -> Monitor {
    let mut o = MonitorOptions::new(dir);
    o.rules(rules).scan_interval(Duration::from_millis(200));
    let mut n = NotifierConfig::default();
    n.coalesce_window(window)
        .backoff(Duration::from_millis(100), Duration::from_millis(500));
    o.notifier_config(n);
    if let Some(tg) = tg {
        o.telegram(telegram(tg));
    }
    let mut monitor = Monitor::start(app.state().clone(), o).await.unwrap();
    if let Some(tg) = tg {
        if let Some(bot) = noc::chat::telegram::start(app.state().clone(), &monitor, &telegram(tg))
        {
            monitor.attach(bot);
        }
    }
    monitor
}

/// Waits up to `secs` for `f` to hold.
pub async fn wait_until<F: FnMut() -> bool>(what: &str, secs: u64, mut f: F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Waits for an async condition.
pub async fn wait_until_async<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Plain texts of the messages the fake accepted for `chat`.
pub fn texts(tg: &FakeTelegram, chat: i64) -> Vec<String> {
    tg.sent(&ChatId::Id(chat))
        .into_iter()
        .map(|m| m.plain)
        .collect()
}

/// Messages to `chat` containing `needle`.
pub fn count(tg: &FakeTelegram, chat: i64, needle: &str) -> usize {
    texts(tg, chat)
        .iter()
        .filter(|t| t.contains(needle))
        .count()
}

/// Waits until the router's first poll (and its Layer 7 rules) are in.
pub async fn wait_polled(app: &Noc) {
    wait_until("first poll", 30, || {
        app.state()
            .hub
            .routers()
            .first()
            .is_some_and(|r| r.live().polls_ok > 0 && !r.live().l7.is_empty())
    })
    .await;
}
