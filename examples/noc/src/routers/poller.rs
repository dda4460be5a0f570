//! The poller: one task per router that connects (with backoff), polls resources, interfaces,
//! simple queues and queue trees every interval (recording their rates as history series
//! `queue`, `tree` and `iface`), follows the log for Layer 7 matches, and keeps the live
//! state the pages, SSE streams and `/metrics` read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use routeros_proto::client::Client;
use routeros_proto::Command;

use super::live::*;
use super::{Hub, RouterHandle};
use crate::storage::L7Event;
use std::collections::HashMap;

pub(super) async fn run(weak: std::sync::Weak<RouterHandle>, hub: Arc<Hub>) {
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
        *handle.client.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.clone());
        let log_task = tokio::spawn(follow_log(
            client.clone(),
            Arc::downgrade(&handle),
            hub.clone(),
        ));
        let id = handle.id;
        drop(handle);
        let (reason, polled) = poll_loop(&client, &weak, &hub).await;
        log_task.abort();
        // Closing the connection frees whatever it still holds (partial replies, buffers).
        client.close();
        drop(client);
        let Some(handle) = weak.upgrade() else {
            return;
        };
        *handle.client.lock().unwrap_or_else(|p| p.into_inner()) = None;
        handle.update(|l| l.status = Status::Down(reason));
        hub.notify(id);
        drop(handle);
        tokio::time::sleep(jitter(backoff)).await;
        if !polled {
            // A router that never completes a poll (it exceeds its budget at once, or
            // drops the connection) is retried less and less often.
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
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

/// Polls until the connection fails; the reason, and whether any poll succeeded.
async fn poll_loop(
    client: &Client,
    weak: &std::sync::Weak<RouterHandle>,
    hub: &Arc<Hub>,
) -> (String, bool) {
    let mut ticker = tokio::time::interval(hub.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut st = PollState {
        prev_iface: HashMap::new(),
        n: 0,
    };
    let mut polled = false;
    loop {
        ticker.tick().await;
        let Some(handle) = weak.upgrade() else {
            return ("removed".into(), st.n > 0);
        };
        let started = Instant::now();
        match poll_once(client, &handle, hub, &mut st).await {
            Ok(()) => {
                polled = true;
                let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                handle.update(|l| {
                    l.status = Status::Up;
                    l.polls_ok += 1;
                    l.last_ok = Some(crate::now());
                    l.last_poll_ms = ms;
                });
            }
            Err((path, e)) => {
                handle.update(|l| l.polls_failed += 1);
                if let Some(reason) = over_budget(path, &e) {
                    tracing::warn!(router = %crate::fmt::log_safe(&handle.name), "{reason}");
                    return (reason, polled);
                }
                if e.is_closed() || client.is_closed() {
                    return (e.to_string(), polled);
                }
                handle.update(|l| l.status = Status::Slow(e.to_string()));
            }
        }
        hub.notify(handle.id);
        st.n += 1;
    }
}

/// The reason shown when a router exceeded a bound of its connection (see
/// [`super::apply_budget`]); `None` for other errors.
fn over_budget(path: &str, e: &routeros_proto::Error) -> Option<String> {
    match e {
        routeros_proto::Error::ResponseTooLarge { limit, .. } => Some(format!(
            "router sent more than {} for {path}; disconnected",
            crate::fmt::bytes_iec(u64::try_from(*limit).unwrap_or(u64::MAX))
        )),
        routeros_proto::Error::TooManyRows { limit, .. } => Some(format!(
            "router sent more than {limit} rows for {path}; disconnected"
        )),
        routeros_proto::Error::Protocol(p) => Some(format!(
            "router sent a reply beyond the limits for {path}: {p}; disconnected"
        )),
        _ => None,
    }
}

type PollError = (&'static str, routeros_proto::Error);

fn at<T>(path: &'static str, r: Result<T, routeros_proto::Error>) -> Result<T, PollError> {
    r.map_err(|e| (path, e))
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

const TREE_PROPS: &[&str] = &[
    ".id",
    "name",
    "parent",
    "packet-mark",
    "queue",
    "limit-at",
    "max-limit",
    "rate",
    "bytes",
    "dropped",
    "queued-bytes",
    "disabled",
    "comment",
];

async fn poll_once(
    client: &Client,
    handle: &RouterHandle,
    hub: &Hub,
    st: &mut PollState,
) -> Result<(), PollError> {
    let queue_cmd = Command::builder("/queue/simple/print")
        .proplist(QUEUE_PROPS.iter().copied())
        .build();
    let tree_cmd = Command::builder("/queue/tree/print")
        .proplist(TREE_PROPS.iter().copied())
        .build();
    let (res, ifaces, queues, trees) = tokio::join!(
        client.print(Command::new("/system/resource/print")),
        client.print(Command::new("/interface/print")),
        client.print(queue_cmd),
        client.print(tree_cmd),
    );
    let res = at("/system/resource/print", res)?;
    let ifaces = at("/interface/print", ifaces)?;
    let queues = at("/queue/simple/print", queues)?;
    // A router that refuses the menu has no trees; a broken connection fails the poll.
    let trees = match trees {
        Err(e) if e.trap().is_some() => Vec::new(),
        r => at("/queue/tree/print", r)?,
    };
    let trees = tree_rows(&trees);
    let l7 = if st.n % 10 == 0 {
        let (l7, mangle, filter) = tokio::join!(
            client.print(Command::new("/ip/firewall/layer7-protocol/print")),
            client.print(Command::new("/ip/firewall/mangle/print")),
            client.print(Command::new("/ip/firewall/filter/print")),
        );
        Some((
            at("/ip/firewall/layer7-protocol/print", l7)?,
            at("/ip/firewall/mangle/print", mangle)?,
            at("/ip/firewall/filter/print", filter)?,
        ))
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
        let rows = client.print(cmd).await;
        if let Err(e) = &rows {
            if e.is_too_large() || matches!(e, routeros_proto::Error::Protocol(_)) {
                return Err(("/interface/monitor-traffic", e.clone()));
            }
        }
        if let Ok(rows) = rows {
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
        Vec::with_capacity(rows.len() + trees.len() + interfaces.len());
    samples.extend(
        rows.iter()
            .map(|q| ("queue", q.name.as_str(), q.rate_up, q.rate_down)),
    );
    // A tree has one rate: it is kept as the series' second value (`down`), `up` stays 0.
    samples.extend(trees.iter().map(|t| ("tree", t.name.as_str(), 0, t.rate)));
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
        l.trees = Arc::new(trees);
        if let Some(r) = l7_rules {
            l.l7 = r;
        }
    });
    Ok(())
}

/// Most log lines a follower handles per second; beyond, it stops reading until the next
/// second, the stream's buffer fills and the connection pushes back on the router (TCP), so
/// a router that floods its log cannot keep noc busy.
pub const MAX_LOG_LINES_PER_SEC: u32 = 2_000;

/// Paces a log follower at [`MAX_LOG_LINES_PER_SEC`].
#[derive(Debug)]
pub struct LogPace {
    second: Instant,
    lines: u32,
}

impl Default for LogPace {
    fn default() -> Self {
        LogPace {
            second: Instant::now(),
            lines: 0,
        }
    }
}

impl LogPace {
    /// Counts one line; waits for the next second when this one's share is used.
    pub async fn line(&mut self) {
        self.lines += 1;
        if self.lines < MAX_LOG_LINES_PER_SEC {
            return;
        }
        let next = self.second + Duration::from_secs(1);
        tokio::time::sleep_until(next.into()).await;
        self.second = Instant::now();
        self.lines = 0;
    }
}

/// Events kept before they are written: a full batch is written at once.
const L7_BATCH: usize = 10_000;

async fn follow_log(client: Client, weak: std::sync::Weak<RouterHandle>, hub: Arc<Hub>) {
    let cmd = Command::builder("/log/print")
        .attribute("follow-only", "")
        .build();
    let Ok(mut stream) = client.stream(cmd).await else {
        return;
    };
    let mut batch: Vec<L7Event> = Vec::new();
    let mut last_flush = Instant::now();
    let mut pace = LogPace::default();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(1), stream.next()).await;
        match next {
            Ok(Some(Ok(row))) => {
                pace.line().await;
                let topics = text(&row, "topics");
                if topics.contains("firewall") {
                    let Some(handle) = weak.upgrade() else {
                        return;
                    };
                    let message = text(&row, "message");
                    let live = handle.live.read().unwrap_or_else(|p| p.into_inner());
                    if let Some((host, rule)) = parse_firewall_line(&message, &live.l7) {
                        batch.push(L7Event {
                            time: crate::now(),
                            router_id: handle.id,
                            host: crate::fmt::router_text(&host),
                            app: crate::fmt::router_text(&rule.name),
                            rule: crate::fmt::router_text(&rule.comment),
                            detail: crate::fmt::router_text(&message),
                        });
                    }
                }
            }
            Ok(Some(Err(_))) | Ok(None) => break,
            Err(_) => {}
        }
        if !batch.is_empty()
            && (batch.len() >= L7_BATCH || last_flush.elapsed() >= Duration::from_secs(1))
        {
            // Written before more is read: a slow disk slows the follower down (and the
            // router with it) instead of losing events.
            write_l7(&hub, std::mem::take(&mut batch)).await;
            last_flush = Instant::now();
        }
    }
    if !batch.is_empty() {
        write_l7(&hub, batch).await;
    }
}

async fn write_l7(hub: &Arc<Hub>, events: Vec<L7Event>) {
    let store = hub.store.clone();
    let n = events.len();
    match tokio::task::spawn_blocking(move || store.add_l7_events(&events)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(events = n, error = %e, "could not store Layer 7 activity"),
        Err(e) => tracing::warn!(events = n, error = %e, "could not store Layer 7 activity"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use routeros_proto::Attributes;

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        let mut a = Attributes::new();
        for (k, v) in pairs {
            a.push(k, v);
        }
        a
    }

    #[test]
    fn tree_rows_nest_children_under_parents_and_survive_cycles() {
        let rows = [
            attrs(&[
                ("name", "up"),
                ("parent", "global"),
                ("max-limit", "5M"),
                ("rate", "2500000"),
            ]),
            attrs(&[("name", "kid"), ("parent", "down"), ("packet-mark", "k")]),
            attrs(&[
                ("name", "down"),
                ("parent", "global"),
                ("max-limit", "20000000"),
            ]),
            attrs(&[("name", "a"), ("parent", "b")]),
            attrs(&[("name", "b"), ("parent", "a")]),
            attrs(&[("name", "self"), ("parent", "self"), ("rate", "garbage")]),
        ];
        let t = tree_rows(&rows);
        let order: Vec<(&str, usize)> = t.iter().map(|r| (r.name.as_str(), r.depth)).collect();
        assert_eq!(
            order,
            [
                ("up", 0),
                ("down", 0),
                ("kid", 1),
                ("self", 0),
                ("a", 0),
                ("b", 0)
            ]
        );
        assert_eq!(t[0].max_limit, 5_000_000);
        assert_eq!(t[0].usage_percent(), 50);
        assert_eq!(t[1].max_limit, 20_000_000);
        assert_eq!(t[3].rate, 0);
        assert_eq!(t[2].usage_percent(), 0);
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
