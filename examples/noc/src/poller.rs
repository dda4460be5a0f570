//! The poller: one task per router that connects (with backoff), polls resources, interfaces
//! and simple queues every interval, follows the log for Layer 7 matches, and keeps the live
//! state the pages, SSE streams and `/metrics` read.
//!
//! A router that is down or slow only affects its own task: every command has a timeout, the
//! live state is swapped in under a short lock, and nothing waits on another router.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use routeros_proto::client::{Client, Config as ClientConfig};
use routeros_proto::{Attributes, Command};
use serde::Serialize;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::series::{Downsampler, Point, Tier};
use crate::store::{L7Event, Store};

/// Most series tracked by the downsampler (queues and interfaces of all routers).
pub const MAX_SERIES: usize = 200_000;
/// Most queues kept per router in the live state.
pub const MAX_QUEUES: usize = 100_000;

/// Connection state of a router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// Not yet connected.
    Connecting,
    /// Connected and answering.
    Up,
    /// Connected, but the last poll failed or timed out.
    Slow(String),
    /// Not reachable or login failed; retrying with backoff.
    Down(String),
}

impl Status {
    /// `connecting`, `up`, `slow` or `down`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Connecting => "connecting",
            Status::Up => "up",
            Status::Slow(_) => "slow",
            Status::Down(_) => "down",
        }
    }
}

/// `/system/resource` figures.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Resource {
    /// CPU load, percent.
    pub cpu_load: u64,
    /// Free memory, bytes.
    pub free_memory: u64,
    /// Total memory, bytes.
    pub total_memory: u64,
    /// Free disk, bytes.
    pub free_hdd: u64,
    /// Total disk, bytes.
    pub total_hdd: u64,
    /// Uptime as RouterOS prints it (`1w2d3h`).
    pub uptime: String,
    /// RouterOS version.
    pub version: String,
    /// Board name.
    pub board: String,
}

/// One interface with its current rates.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Interface {
    /// Name.
    pub name: String,
    /// Type (`ether`, `bridge`...).
    pub kind: String,
    /// Link up.
    pub running: bool,
    /// Administratively disabled.
    pub disabled: bool,
    /// Bytes received.
    pub rx_byte: u64,
    /// Bytes sent.
    pub tx_byte: u64,
    /// Receive rate, bits/s (from byte counter deltas).
    pub rx_bps: u64,
    /// Transmit rate, bits/s.
    pub tx_bps: u64,
}

/// One simple queue with its counters.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct QueueRow {
    /// RouterOS id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Target(s).
    pub target: String,
    /// Parent queue, empty for none.
    pub parent: String,
    /// Max limit upload, bits/s (0 = unlimited).
    pub max_up: u64,
    /// Max limit download.
    pub max_down: u64,
    /// Current rate upload, bits/s.
    pub rate_up: u64,
    /// Current rate download.
    pub rate_down: u64,
    /// Bytes upload.
    pub bytes_up: u64,
    /// Bytes download.
    pub bytes_down: u64,
    /// Dropped packets upload.
    pub dropped_up: u64,
    /// Dropped packets download.
    pub dropped_down: u64,
    /// Disabled.
    pub disabled: bool,
    /// Dynamic (created by DHCP/PPP/hotspot).
    pub dynamic: bool,
    /// Packet marks it takes.
    pub packet_marks: String,
    /// Comment.
    pub comment: String,
}

impl QueueRow {
    /// Highest share of max-limit in use, in percent (0 when unlimited).
    pub fn usage_percent(&self) -> u64 {
        let pct = |r: u64, m: u64| r.saturating_mul(100).checked_div(m).unwrap_or(0);
        pct(self.rate_up, self.max_up).max(pct(self.rate_down, self.max_down))
    }
}

/// A Layer 7 protocol with what the firewall does with it.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct L7Rule {
    /// RouterOS id.
    pub id: String,
    /// Name (the app).
    pub name: String,
    /// The pattern.
    pub regexp: String,
    /// Comment.
    pub comment: String,
    /// Packets counted by the firewall rules that use it.
    pub hit_packets: u64,
    /// Bytes counted by those rules.
    pub hit_bytes: u64,
    /// Queues its packet marks feed.
    pub feeds: Vec<String>,
    /// Log prefixes of the rules that log its matches.
    pub log_prefixes: Vec<String>,
}

/// Everything known about a router right now.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RouterLive {
    /// Connection state.
    pub status: Status,
    /// Unix time of the last successful poll.
    pub last_ok: Option<i64>,
    /// Resource figures.
    pub resource: Option<Resource>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// Simple queues, in router order.
    #[serde(skip)]
    pub queues: Arc<Vec<QueueRow>>,
    /// Layer 7 protocols.
    pub l7: Vec<L7Rule>,
    /// Successful polls.
    pub polls_ok: u64,
    /// Failed polls (timeouts, traps, disconnects).
    pub polls_failed: u64,
    /// Connection attempts.
    pub connects: u64,
    /// Duration of the last poll, ms.
    pub last_poll_ms: u64,
}

impl Default for RouterLive {
    fn default() -> Self {
        RouterLive {
            status: Status::Connecting,
            last_ok: None,
            resource: None,
            interfaces: Vec::new(),
            queues: Arc::new(Vec::new()),
            l7: Vec::new(),
            polls_ok: 0,
            polls_failed: 0,
            connects: 0,
            last_poll_ms: 0,
        }
    }
}

/// A managed router: identity, connection settings and live state.
#[derive(Debug)]
#[non_exhaustive]
pub struct RouterHandle {
    /// Row id in the store.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// `host:port`.
    pub address: String,
    /// Whether this is the embedded simulator.
    pub embedded: bool,
    config: ClientConfig,
    live: RwLock<RouterLive>,
    client: Mutex<Option<Client>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl RouterHandle {
    /// A snapshot of the live state (cheap: queues are shared).
    pub fn live(&self) -> RouterLive {
        self.live.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut RouterLive)) {
        f(&mut self.live.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// The connected client, if the router is up (for changes made from the dashboard).
    pub fn client(&self) -> Option<Client> {
        self.client
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|c| !c.is_closed())
    }
}

impl Drop for RouterHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }
}

/// All routers and the shared sample pipeline.
#[derive(Debug)]
pub struct Hub {
    routers: RwLock<BTreeMap<i64, Arc<RouterHandle>>>,
    updates: broadcast::Sender<i64>,
    store: Arc<Store>,
    samples: Mutex<Downsampler>,
    series: Mutex<HashMap<(i64, &'static str, String), i64>>,
    interval: Duration,
}

impl Hub {
    /// A hub polling every `interval`.
    pub fn new(store: Arc<Store>, interval: Duration) -> Arc<Hub> {
        let (updates, _) = broadcast::channel(64);
        Arc::new(Hub {
            routers: RwLock::new(BTreeMap::new()),
            updates,
            store,
            samples: Mutex::new(Downsampler::new(MAX_SERIES)),
            series: Mutex::new(HashMap::new()),
            interval,
        })
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Receives the id of each router whose live state changed.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.updates.subscribe()
    }

    /// Routers by id.
    pub fn routers(&self) -> Vec<Arc<RouterHandle>> {
        self.routers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// One router.
    pub fn router(&self, id: i64) -> Option<Arc<RouterHandle>> {
        self.routers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// Starts polling a router (replacing an existing poller for the same id).
    pub fn add_router(
        self: &Arc<Self>,
        id: i64,
        name: &str,
        config: ClientConfig,
        embedded: bool,
    ) -> Arc<RouterHandle> {
        let handle = Arc::new(RouterHandle {
            id,
            name: name.to_owned(),
            address: config.addr().to_owned(),
            embedded,
            config,
            live: RwLock::new(RouterLive::default()),
            client: Mutex::new(None),
            task: Mutex::new(None),
        });
        let task = tokio::spawn(run(Arc::downgrade(&handle), Arc::clone(self)));
        *handle.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        self.routers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::clone(&handle));
        handle
    }

    /// Stops polling a router.
    pub fn remove_router(&self, id: i64) -> bool {
        self.routers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id)
            .is_some()
    }

    fn series_id(&self, router: i64, kind: &'static str, name: &str) -> Option<i64> {
        let mut cache = self.series.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = cache.get(&(router, kind, name.to_owned())) {
            return Some(*id);
        }
        if cache.len() >= MAX_SERIES {
            return None;
        }
        let id = self.store.series_id(router, kind, name).ok()?;
        cache.insert((router, kind, name.to_owned()), id);
        Some(id)
    }

    /// Records samples of one poll: `(kind, name, up, down)`.
    pub fn record(&self, router: i64, t: i64, samples: &[(&'static str, &str, u64, u64)]) {
        let ids: Vec<(Option<i64>, u64, u64)> = samples
            .iter()
            .map(|(k, n, u, d)| (self.series_id(router, k, n), *u, *d))
            .collect();
        let mut ds = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        for (id, up, down) in ids {
            if let Some(id) = id {
                ds.record(id, t, up, down);
            }
        }
    }

    /// Writes every changed history block to the store and prunes old data.
    pub fn flush(&self, prune: bool) -> Result<usize, crate::Error> {
        let blocks = self
            .samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take_dirty();
        self.store.write_blocks(&blocks)?;
        if prune {
            self.store.prune(crate::now())?;
        }
        Ok(blocks.len())
    }

    /// The history of a queue or interface (`kind` `queue`/`iface`) over the last `seconds`,
    /// from the finest tier that covers it, merged with the points not yet written.
    pub fn history(
        &self,
        router: i64,
        kind: &str,
        name: &str,
        seconds: i64,
    ) -> Result<Vec<Point>, crate::Error> {
        let tier = if seconds <= Tier::Second.retention() {
            Tier::Second
        } else if seconds <= Tier::Minute.retention() {
            Tier::Minute
        } else {
            Tier::Hour
        };
        let now = crate::now();
        let Some(series) = self.store.find_series(router, kind, name)? else {
            return Ok(Vec::new());
        };
        let mut pts = self.store.history(series, tier, now - seconds, now)?;
        let current = self
            .samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .current(series, tier);
        let mut by_t: BTreeMap<i64, Point> = pts.drain(..).map(|p| (p.t, p)).collect();
        for p in current {
            if p.t >= now - seconds {
                by_t.insert(p.t, p);
            }
        }
        Ok(by_t.into_values().collect())
    }

    /// Series tracked in memory and samples dropped for lack of room.
    pub fn sample_stats(&self) -> (usize, u64) {
        let ds = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        (ds.len(), ds.dropped())
    }

    fn notify(&self, id: i64) {
        let _ = self.updates.send(id);
    }
}

async fn run(weak: std::sync::Weak<RouterHandle>, hub: Arc<Hub>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(handle) = weak.upgrade() else {
            return;
        };
        handle.update(|l| l.connects += 1);
        let config = handle.config.clone();
        let connected = tokio::time::timeout(Duration::from_secs(10), config.connect()).await;
        let client = match connected {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                let reason = if e.is_login() {
                    format!("login failed: {e}")
                } else {
                    e.to_string()
                };
                handle.update(|l| l.status = Status::Down(reason));
                hub.notify(handle.id);
                drop(handle);
                tokio::time::sleep(jitter(backoff)).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
            Err(_) => {
                handle.update(|l| l.status = Status::Down("connect timed out".into()));
                hub.notify(handle.id);
                drop(handle);
                tokio::time::sleep(jitter(backoff)).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        *handle.client.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.clone());
        let log_task = tokio::spawn(follow_log(
            client.clone(),
            Arc::downgrade(&handle),
            hub.clone(),
        ));
        let id = handle.id;
        drop(handle);
        let reason = poll_loop(&client, &weak, &hub).await;
        log_task.abort();
        client.close();
        let Some(handle) = weak.upgrade() else {
            return;
        };
        *handle.client.lock().unwrap_or_else(|p| p.into_inner()) = None;
        handle.update(|l| l.status = Status::Down(reason));
        hub.notify(id);
        drop(handle);
        tokio::time::sleep(jitter(backoff)).await;
    }
}

fn jitter(d: Duration) -> Duration {
    use rand::Rng;
    let ms = u64::try_from(d.as_millis()).unwrap_or(30_000);
    Duration::from_millis(ms + rand::thread_rng().gen_range(0..=ms / 4))
}

struct PollState {
    prev_iface: HashMap<String, (u64, u64, Instant)>,
    n: u64,
}

async fn poll_loop(
    client: &Client,
    weak: &std::sync::Weak<RouterHandle>,
    hub: &Arc<Hub>,
) -> String {
    let mut ticker = tokio::time::interval(hub.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut st = PollState {
        prev_iface: HashMap::new(),
        n: 0,
    };
    loop {
        ticker.tick().await;
        let Some(handle) = weak.upgrade() else {
            return "removed".into();
        };
        let started = Instant::now();
        match poll_once(client, &handle, hub, &mut st).await {
            Ok(()) => {
                let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                handle.update(|l| {
                    l.status = Status::Up;
                    l.polls_ok += 1;
                    l.last_ok = Some(crate::now());
                    l.last_poll_ms = ms;
                });
            }
            Err(e) => {
                handle.update(|l| l.polls_failed += 1);
                if e.is_closed() || client.is_closed() {
                    return e.to_string();
                }
                handle.update(|l| l.status = Status::Slow(e.to_string()));
            }
        }
        hub.notify(handle.id);
        st.n += 1;
    }
}

fn num(a: &Attributes, k: &str) -> u64 {
    a.get_str(k)
        .and_then(Result::ok)
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn text(a: &Attributes, k: &str) -> String {
    a.get_string_lossy(k).unwrap_or_default()
}

fn flag(a: &Attributes, k: &str) -> bool {
    matches!(a.get_str(k).and_then(Result::ok), Some("true" | "yes"))
}

/// Parses `up/down` pairs of rates (`1000/2000`, `2M/5M`).
pub fn pair(a: &Attributes, k: &str) -> (u64, u64) {
    let s = text(a, k);
    let (u, d) = s.split_once('/').unwrap_or((&s, &s));
    let p = |x: &str| x.parse::<queue_model::Rate>().map(|r| r.0).unwrap_or(0);
    (p(u), p(d))
}

/// Reads a queue row as `print` returns it.
pub fn queue_row(a: &Attributes) -> QueueRow {
    let (max_up, max_down) = pair(a, "max-limit");
    let (rate_up, rate_down) = pair(a, "rate");
    let (bytes_up, bytes_down) = pair(a, "bytes");
    let (dropped_up, dropped_down) = pair(a, "dropped");
    let parent = text(a, "parent");
    QueueRow {
        id: text(a, ".id"),
        name: text(a, "name"),
        target: text(a, "target"),
        parent: if parent == "none" {
            String::new()
        } else {
            parent
        },
        max_up,
        max_down,
        rate_up,
        rate_down,
        bytes_up,
        bytes_down,
        dropped_up,
        dropped_down,
        disabled: flag(a, "disabled"),
        dynamic: flag(a, "dynamic"),
        packet_marks: text(a, "packet-marks"),
        comment: text(a, "comment"),
    }
}

const QUEUE_PROPS: &[&str] = &[
    ".id",
    "name",
    "target",
    "parent",
    "max-limit",
    "rate",
    "bytes",
    "dropped",
    "disabled",
    "dynamic",
    "packet-marks",
    "comment",
];

async fn poll_once(
    client: &Client,
    handle: &RouterHandle,
    hub: &Hub,
    st: &mut PollState,
) -> Result<(), routeros_proto::Error> {
    let queue_cmd = Command::builder("/queue/simple/print")
        .proplist(QUEUE_PROPS.iter().copied())
        .build();
    let (res, ifaces, queues) = tokio::join!(
        client.print(Command::new("/system/resource/print")),
        client.print(Command::new("/interface/print")),
        client.print(queue_cmd),
    );
    let res = res?;
    let ifaces = ifaces?;
    let queues = queues?;
    let l7 = if st.n % 10 == 0 {
        let (l7, mangle, filter) = tokio::join!(
            client.print(Command::new("/ip/firewall/layer7-protocol/print")),
            client.print(Command::new("/ip/firewall/mangle/print")),
            client.print(Command::new("/ip/firewall/filter/print")),
        );
        Some((l7?, mangle?, filter?))
    } else {
        None
    };
    let now = Instant::now();
    let t = crate::now();
    let resource = res.first().map(|r| Resource {
        cpu_load: num(r, "cpu-load"),
        free_memory: num(r, "free-memory"),
        total_memory: num(r, "total-memory"),
        free_hdd: num(r, "free-hdd-space"),
        total_hdd: num(r, "total-hdd-space"),
        uptime: text(r, "uptime"),
        version: text(r, "version"),
        board: text(r, "board-name"),
    });
    let mut interfaces = Vec::with_capacity(ifaces.len());
    for a in &ifaces {
        let mut i = Interface {
            name: text(a, "name"),
            kind: text(a, "type"),
            running: flag(a, "running"),
            disabled: flag(a, "disabled"),
            rx_byte: num(a, "rx-byte"),
            tx_byte: num(a, "tx-byte"),
            ..Interface::default()
        };
        if let Some((rx, tx, at)) = st.prev_iface.get(&i.name) {
            let dt = now.duration_since(*at).as_secs_f64();
            if dt > 0.05 {
                i.rx_bps = (i.rx_byte.saturating_sub(*rx) as f64 * 8.0 / dt) as u64;
                i.tx_bps = (i.tx_byte.saturating_sub(*tx) as f64 * 8.0 / dt) as u64;
            }
        }
        st.prev_iface
            .insert(i.name.clone(), (i.rx_byte, i.tx_byte, now));
        interfaces.push(i);
    }
    // Rates as the router measures them (what Winbox shows); counter deltas are the fallback.
    if !interfaces.is_empty() {
        let names: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
        let cmd = Command::builder("/interface/monitor-traffic")
            .attribute("interface", names.join(","))
            .attribute("once", "")
            .build();
        if let Ok(rows) = client.print(cmd).await {
            for row in rows {
                let name = text(&row, "name");
                if let Some(i) = interfaces.iter_mut().find(|i| i.name == name) {
                    i.rx_bps = num(&row, "rx-bits-per-second");
                    i.tx_bps = num(&row, "tx-bits-per-second");
                }
            }
        }
    }
    let rows: Vec<QueueRow> = queues.iter().take(MAX_QUEUES).map(queue_row).collect();
    let mut samples: Vec<(&'static str, &str, u64, u64)> =
        Vec::with_capacity(rows.len() + interfaces.len());
    samples.extend(
        rows.iter()
            .map(|q| ("queue", q.name.as_str(), q.rate_up, q.rate_down)),
    );
    if st.n > 0 {
        samples.extend(
            interfaces
                .iter()
                .map(|i| ("iface", i.name.as_str(), i.tx_bps, i.rx_bps)),
        );
    }
    hub.record(handle.id, t, &samples);
    let l7_rules = l7.map(|(l7, mangle, filter)| l7_rules(&l7, &mangle, &filter, &rows));
    handle.update(|l| {
        l.resource = resource;
        l.interfaces = interfaces;
        l.queues = Arc::new(rows);
        if let Some(r) = l7_rules {
            l.l7 = r;
        }
    });
    Ok(())
}

/// Works out hit counters, fed queues and log prefixes of each Layer 7 protocol from the
/// firewall rules that use it.
pub fn l7_rules(
    l7: &[Attributes],
    mangle: &[Attributes],
    filter: &[Attributes],
    queues: &[QueueRow],
) -> Vec<L7Rule> {
    let mut out = Vec::new();
    for p in l7 {
        let name = text(p, "name");
        let mut rule = L7Rule {
            id: text(p, ".id"),
            regexp: text(p, "regexp"),
            comment: text(p, "comment"),
            ..L7Rule::default()
        };
        let mut marks = Vec::new();
        for r in mangle.iter().chain(filter) {
            if text(r, "layer7-protocol") != name || flag(r, "disabled") {
                continue;
            }
            rule.hit_packets += num(r, "packets");
            rule.hit_bytes += num(r, "bytes");
            if flag(r, "log") {
                rule.log_prefixes.push(text(r, "log-prefix"));
            }
            let pm = text(r, "new-packet-mark");
            if !pm.is_empty() {
                marks.push(pm);
            }
            let cm = text(r, "new-connection-mark");
            if !cm.is_empty() {
                for r2 in mangle {
                    if text(r2, "connection-mark") == cm {
                        let pm = text(r2, "new-packet-mark");
                        if !pm.is_empty() {
                            marks.push(pm);
                        }
                    }
                }
            }
        }
        for q in queues {
            if q.packet_marks
                .split(',')
                .any(|m| marks.iter().any(|x| x == m.trim()))
            {
                rule.feeds.push(q.name.clone());
            }
        }
        rule.name = name;
        out.push(rule);
    }
    out
}

/// Reads a firewall log line (`PREFIX CHAIN: in:... proto TCP, SRC:PORT->DST:PORT, len N`)
/// and returns the source host, if the line starts with one of `prefixes`.
pub fn parse_firewall_line<'a>(message: &str, rules: &'a [L7Rule]) -> Option<(String, &'a L7Rule)> {
    let rule = rules.iter().find(|r| {
        r.log_prefixes
            .iter()
            .any(|p| !p.is_empty() && message.starts_with(p.as_str()))
    })?;
    let after = message.split("proto ").nth(1)?;
    let flow = after.split(", ").nth(1)?;
    let src = flow.split("->").next()?;
    let host = match src.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => src,
    };
    Some((host.trim().to_owned(), rule))
}

async fn follow_log(client: Client, weak: std::sync::Weak<RouterHandle>, hub: Arc<Hub>) {
    let cmd = Command::builder("/log/print")
        .attribute("follow-only", "")
        .build();
    let Ok(mut stream) = client.stream(cmd).await else {
        return;
    };
    let mut batch: Vec<L7Event> = Vec::new();
    let mut last_flush = Instant::now();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(1), stream.next()).await;
        match next {
            Ok(Some(Ok(row))) => {
                let topics = text(&row, "topics");
                if topics.contains("firewall") {
                    let Some(handle) = weak.upgrade() else {
                        return;
                    };
                    let message = text(&row, "message");
                    let live = handle.live.read().unwrap_or_else(|p| p.into_inner());
                    if let Some((host, rule)) = parse_firewall_line(&message, &live.l7) {
                        if batch.len() < 10_000 {
                            batch.push(L7Event {
                                time: crate::now(),
                                router_id: handle.id,
                                host,
                                app: rule.name.clone(),
                                rule: rule.comment.clone(),
                                detail: message.chars().take(500).collect(),
                            });
                        }
                    }
                }
            }
            Ok(Some(Err(_))) | Ok(None) => return,
            Err(_) => {}
        }
        if !batch.is_empty() && last_flush.elapsed() >= Duration::from_secs(1) {
            let events = std::mem::take(&mut batch);
            let store = hub.store.clone();
            let _ = tokio::task::spawn_blocking(move || store.add_l7_events(&events)).await;
            last_flush = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        let mut a = Attributes::new();
        for (k, v) in pairs {
            a.push(k, v);
        }
        a
    }

    #[test]
    fn queue_rows_parse_pairs_and_usage() {
        let q = queue_row(&attrs(&[
            ("name", "q1"),
            ("max-limit", "5000000/20000000"),
            ("rate", "1000000/15000000"),
            ("parent", "none"),
            ("disabled", "false"),
        ]));
        assert_eq!((q.max_up, q.max_down), (5_000_000, 20_000_000));
        assert_eq!(q.usage_percent(), 75);
        assert_eq!(q.parent, "");
        let bad = queue_row(&attrs(&[("rate", "garbage")]));
        assert_eq!(bad.rate_up, 0);
    }

    #[test]
    fn l7_rules_follow_marks_to_queues_and_parse_log_lines() {
        let l7 = [
            attrs(&[("name", "youtube"), ("regexp", "youtube")]),
            attrs(&[("name", "tiktok"), ("regexp", "tiktok")]),
        ];
        let mangle = [
            attrs(&[
                ("layer7-protocol", "youtube"),
                ("new-connection-mark", "video"),
                ("bytes", "100"),
                ("packets", "2"),
            ]),
            attrs(&[("connection-mark", "video"), ("new-packet-mark", "video")]),
        ];
        let filter = [attrs(&[
            ("layer7-protocol", "tiktok"),
            ("log", "true"),
            ("log-prefix", "tiktok "),
            ("packets", "5"),
        ])];
        let queues = [QueueRow {
            name: "video-q".into(),
            packet_marks: "video".into(),
            ..QueueRow::default()
        }];
        let rules = l7_rules(&l7, &mangle, &filter, &queues);
        assert_eq!(rules[0].feeds, vec!["video-q".to_string()]);
        assert_eq!(rules[0].hit_bytes, 100);
        assert_eq!(rules[1].hit_packets, 5);
        let line = "tiktok forward: in:bridge out:ether1, connection-state:new src-mac 00:11:22:33:44:55, proto TCP, 192.168.88.23:50000->1.2.3.4:443, len 140";
        let (host, rule) = parse_firewall_line(line, &rules).unwrap();
        assert_eq!(host, "192.168.88.23");
        assert_eq!(rule.name, "tiktok");
        assert!(
            parse_firewall_line("other forward: proto TCP, 1.1.1.1:1->2.2.2.2:2", &rules).is_none()
        );
    }
}
