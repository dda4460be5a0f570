//! Streaming commands (`listen`, `follow`, `monitor-traffic`, `/ping`): checked and
//! subscribed before they are spawned, then run until they end or are cancelled.

use super::*;

#[derive(Debug, Clone, Copy)]
pub(super) enum StreamKind {
    Listen { menu: usize },
    Follow { menu: usize, existing: bool },
    Monitor,
    Ping,
}

/// A streaming command, checked and with its subscriptions taken before it is spawned (so
/// that nothing happening after the command arrived is missed).
pub(super) struct Job {
    kind: StreamKind,
    changes: broadcast::Receiver<crate::state::Change>,
    ticks: watch::Receiver<u64>,
    proplist: Option<Vec<String>>,
    queries: Vec<QueryWord>,
    interfaces: Vec<String>,
    once: bool,
    address: String,
    ip: Option<std::net::IpAddr>,
    count: Option<u64>,
    size: u64,
    /// Ping: milliseconds between probes, and the simulated time of the first one.
    interval_ms: u64,
    start_ms: u64,
}

pub(super) fn prepare(shared: &Shared, req: &Request, kind: StreamKind) -> Result<Job, Failure> {
    let st = shared.lock();
    let mut job = Job {
        kind,
        changes: st.changes.subscribe(),
        ticks: shared.ticks.subscribe(),
        proplist: proplist(req),
        queries: req.queries.clone(),
        interfaces: Vec::new(),
        once: req.attributes.contains("once"),
        address: String::new(),
        ip: None,
        count: None,
        size: 56,
        interval_ms: 1000,
        start_ms: 0,
    };
    match kind {
        StreamKind::Monitor => {
            let list = attr_str(req, "interface").unwrap_or_default();
            for name in list.split(',').filter(|s| !s.is_empty()) {
                if st.interface_rates(name).is_none() {
                    return Err(Failure::no_match("interface"));
                }
                job.interfaces.push(name.to_owned());
            }
            if job.interfaces.is_empty() {
                return Err(Failure::new(
                    Some(TrapCategory::ArgumentValue),
                    "missing value(s) of argument(s) interface",
                ));
            }
        }
        StreamKind::Ping => {
            let addr = attr_str(req, "address").unwrap_or_default();
            if addr.is_empty() {
                return Err(Failure::new(
                    Some(TrapCategory::ArgumentValue),
                    "missing value(s) of argument(s) address",
                ));
            }
            job.ip = Some(addr.parse::<std::net::IpAddr>().map_err(|_| {
                Failure::new(
                    Some(TrapCategory::ArgumentValue),
                    "invalid value for argument address",
                )
            })?);
            job.address = addr;
            if let Some(c) = attr_str(req, "count") {
                let n: u64 = c.parse().map_err(|_| {
                    Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        "invalid value for argument count",
                    )
                })?;
                if n == 0 || n > u64::from(u32::MAX) {
                    return Err(Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        "value of count out of range (1..4294967295)",
                    ));
                }
                job.count = Some(n);
            }
            if let Some(i) = attr_str(req, "interval") {
                let t: queue_model::Time = i.parse().map_err(|_| {
                    Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        "invalid value for argument interval",
                    )
                })?;
                if !(10..=5000).contains(&t.as_millis()) {
                    return Err(Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        "value of interval out of range (10ms..5s)",
                    ));
                }
                job.interval_ms = t.as_millis();
            }
            if let Some(s) = attr_str(req, "size") {
                job.size = s
                    .parse()
                    .ok()
                    .filter(|n| (14..=65535).contains(n))
                    .ok_or_else(|| {
                        Failure::new(
                            Some(TrapCategory::ArgumentValue),
                            "value of size out of range (14..65535)",
                        )
                    })?;
            }
            if let Some(src) = attr_str(req, "src-address") {
                if src.parse::<std::net::IpAddr>().is_err() {
                    return Err(Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        "invalid value for argument src-address",
                    ));
                }
            }
            if let Some(iface) = attr_str(req, "interface") {
                if st.interface_rates(&iface).is_none() {
                    return Err(Failure::no_match("interface"));
                }
            }
            job.start_ms = st.ticks.saturating_mul(1000);
        }
        _ => {}
    }
    Ok(job)
}

pub(super) async fn run_stream(
    shared: Arc<Shared>,
    out: Out,
    tag: Option<Bytes>,
    mut job: Job,
) -> Result<(), Closed> {
    let tag = tag.as_ref();
    match job.kind {
        StreamKind::Listen { menu } | StreamKind::Follow { menu, .. } => {
            if let StreamKind::Follow { existing: true, .. } = job.kind {
                // Every existing item, in chunks sent without holding the lock.
                let mut pos = 0;
                loop {
                    let mut chunk = Vec::new();
                    let more = {
                        let st = shared.lock();
                        let items = &st.menus[menu].items;
                        while let Some(item) = items.get(pos) {
                            pos += 1;
                            let row = st.row(menu, item);
                            if row_matches(&row, &job.queries).unwrap_or(false) {
                                encode_row(&row, job.proplist.as_deref(), tag, &mut chunk);
                            }
                            if chunk.len() > 64 << 10 {
                                break;
                            }
                        }
                        pos < items.len()
                    };
                    if !chunk.is_empty() {
                        out.send(Bytes::from(chunk)).await?;
                    }
                    if !more {
                        break;
                    }
                }
            }
            loop {
                let change = match job.changes.recv().await {
                    Ok(c) => c,
                    // Too slow a reader misses changes, as a real router's would.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                };
                if change.menu != menu {
                    continue;
                }
                let sentence = {
                    let st = shared.lock();
                    let m = &st.menus[menu];
                    match m.items.iter().find(|i| i.id == change.id) {
                        Some(item) if !change.dead => {
                            let row = st.row(menu, item);
                            if !row_matches(&row, &job.queries).unwrap_or(false) {
                                continue;
                            }
                            let mut b = Vec::new();
                            encode_row(&row, job.proplist.as_deref(), tag, &mut b);
                            Bytes::from(b)
                        }
                        _ if change.dead && matches!(job.kind, StreamKind::Listen { .. }) => {
                            Sentence::new("!re")
                                .attr(".id", &format!("*{:X}", change.id))
                                .attr(".dead", "true")
                                .finish(tag)
                        }
                        _ => continue,
                    }
                };
                out.send(sentence).await?;
            }
        }
        StreamKind::Monitor => loop {
            let replies: Vec<Bytes> = {
                let st = shared.lock();
                let many = job.interfaces.len() > 1;
                job.interfaces
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let r = st.interface_rates(name).unwrap_or_default();
                        let mut s = Sentence::new("!re");
                        s.attr("name", name)
                            .attr("rx-packets-per-second", &r[2].to_string())
                            .attr("rx-bits-per-second", &r[0].to_string())
                            .attr("fp-rx-packets-per-second", "0")
                            .attr("fp-rx-bits-per-second", "0")
                            .attr("rx-drops-per-second", "0")
                            .attr("rx-errors-per-second", "0")
                            .attr("tx-packets-per-second", &r[3].to_string())
                            .attr("tx-bits-per-second", &r[1].to_string())
                            .attr("fp-tx-packets-per-second", "0")
                            .attr("fp-tx-bits-per-second", "0")
                            .attr("tx-drops-per-second", "0")
                            .attr("tx-queue-drops-per-second", "0")
                            .attr("tx-errors-per-second", "0");
                        if many {
                            s.attr(".section", &i.to_string());
                        }
                        s.finish(tag)
                    })
                    .collect()
            };
            for r in replies {
                out.send(r).await?;
            }
            if job.once {
                return out.send(done(tag)).await;
            }
            if job.ticks.changed().await.is_err() {
                return Ok(());
            }
        },
        StreamKind::Ping => {
            // Probe `seq` goes out at `start_ms + seq * interval_ms` of the simulated clock:
            // the first at once, the others as ticks pass (several per tick below 1s).
            let Some(ip) = job.ip else {
                return out.send(done(tag)).await;
            };
            let mut seq = 0u64;
            let mut received = 0u64;
            let (mut min, mut max, mut sum) = (u64::MAX, 0u64, 0u64);
            loop {
                let replies = {
                    let st = shared.lock();
                    let now_ms = st.ticks.saturating_mul(1000);
                    let mut replies = Vec::new();
                    while job.count.is_none_or(|c| seq < c)
                        && job
                            .start_ms
                            .saturating_add(seq.saturating_mul(job.interval_ms))
                            <= now_ms
                        && replies.len() < 1000
                    {
                        let answer = crate::health::probe(&st, ip, seq);
                        let mut s = Sentence::new("!re");
                        s.attr("seq", &seq.to_string()).attr("host", &job.address);
                        seq += 1;
                        if let Some(us) = answer {
                            received += 1;
                            min = min.min(us);
                            max = max.max(us);
                            sum += us;
                            s.attr("size", &job.size.to_string())
                                .attr("ttl", if us < 5000 { "64" } else { "117" })
                                .attr("time", &rtt(us));
                        } else {
                            s.attr("status", "timeout");
                        }
                        let loss = (seq - received) * 100 / seq;
                        s.attr("sent", &seq.to_string())
                            .attr("received", &received.to_string())
                            .attr("packet-loss", &loss.to_string());
                        if let Some(avg) = sum.checked_div(received) {
                            s.attr("min-rtt", &rtt(min))
                                .attr("avg-rtt", &rtt(avg))
                                .attr("max-rtt", &rtt(max));
                        }
                        replies.push(s.finish(tag));
                    }
                    replies
                };
                for r in replies {
                    out.send(r).await?;
                }
                if job.count.is_some_and(|c| seq >= c) {
                    return out.send(done(tag)).await;
                }
                if job.ticks.changed().await.is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// RouterOS's round-trip format: `12ms345us`.
pub(super) fn rtt(us: u64) -> String {
    if us >= 1000 && us % 1000 == 0 {
        format!("{}ms", us / 1000)
    } else if us >= 1000 {
        format!("{}ms{}us", us / 1000, us % 1000)
    } else {
        format!("{us}us")
    }
}
