//! The router side of network health: the `/tool/netwatch` entries noc keeps for watched
//! devices (comment-tagged `noc: device NAME`, found by that tag), their status, `/ping`
//! from the router, the default route and its gateway, `/ip/cloud`'s public address and the
//! ARP and DHCP tables that turn a MAC address into an IP address.
//!
//! Reads fail as a whole. [`plan`] and [`apply`] change the router only after its netwatch entries were
//! read, and writes one audit entry per change.

use std::collections::HashMap;
use std::time::Duration;

use routeros_proto::{Attributes, Client, Command};
use serde::Serialize;

use crate::storage::Store;
use crate::Error;

/// The comment prefix of the netwatch entries noc manages.
pub const TAG: &str = "noc: device ";

/// Most netwatch entries read from one router.
pub const MAX_ENTRIES: usize = 20_000;

fn router_err(what: &str) -> impl Fn(routeros_proto::Error) -> Error + '_ {
    move |e| Error::Router(format!("{what}: {e}"))
}

fn text(r: &Attributes, name: &str) -> String {
    r.get_string_lossy(name).unwrap_or_default()
}

fn num(r: &Attributes, name: &str) -> Option<u64> {
    r.get_str(name)?.ok()?.trim_end_matches('%').parse().ok()
}

/// A round-trip time as RouterOS prints it (`9ms37us`, `1s2ms`, `300ms`, `512us`), in
/// microseconds.
pub fn parse_rtt(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut n: u64 = 0;
    let mut digits = false;
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
            digits = true;
            continue;
        }
        if !digits {
            return None;
        }
        let unit = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1_000
            }
            'u' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        n = 0;
        digits = false;
        any = true;
    }
    (any && !digits).then_some(total)
}

/// One managed netwatch entry as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WatchRow {
    /// `.id`.
    pub id: String,
    /// The device name (from the comment).
    pub device: String,
    /// `host`.
    pub host: String,
    /// `up`, `down` or `unknown`.
    pub status: String,
    /// `since`, as the router wrote it.
    pub since: String,
    /// `done-tests`.
    pub done: u64,
    /// `failed-tests`.
    pub failed: u64,
    /// `rtt-avg` of an `icmp` entry, microseconds.
    pub rtt_us: Option<u64>,
    /// `loss-percent` of an `icmp` entry.
    pub loss: Option<u64>,
}

/// The netwatch entries noc manages on the router, by device name.
pub async fn read(client: &Client) -> Result<HashMap<String, WatchRow>, Error> {
    let rows = client
        .print(Command::new("/tool/netwatch/print"))
        .await
        .map_err(router_err("reading /tool/netwatch"))?;
    let mut out = HashMap::new();
    for r in rows.iter().take(MAX_ENTRIES) {
        let comment = text(r, "comment");
        let Some(device) = comment.strip_prefix(TAG) else {
            continue;
        };
        out.insert(
            device.to_owned(),
            WatchRow {
                id: text(r, ".id"),
                device: device.to_owned(),
                host: text(r, "host"),
                status: text(r, "status"),
                since: crate::fmt::router_text(&text(r, "since")),
                done: num(r, "done-tests").unwrap_or(0),
                failed: num(r, "failed-tests").unwrap_or(0),
                rtt_us: r
                    .get_str("rtt-avg")
                    .and_then(Result::ok)
                    .and_then(parse_rtt),
                loss: num(r, "loss-percent"),
            },
        );
    }
    Ok(out)
}

/// What [`plan`] wants on the router: device name → host address.
pub type Wanted = HashMap<String, String>;

/// The changes that make the router's managed entries match `wanted` (pure).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncPlan {
    /// Entries to add: (device, host).
    pub add: Vec<(String, String)>,
    /// Entries whose host changes: (id, device, host).
    pub set: Vec<(String, String, String)>,
    /// Entries to remove: (id, device).
    pub remove: Vec<(String, String)>,
}

impl SyncPlan {
    /// Whether nothing needs to change.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.set.is_empty() && self.remove.is_empty()
    }
}

/// Plans the changes from what the router has to what is wanted.
pub fn plan(have: &HashMap<String, WatchRow>, wanted: &Wanted) -> SyncPlan {
    let mut p = SyncPlan::default();
    let mut names: Vec<&String> = wanted.keys().collect();
    names.sort();
    for name in names {
        let host = &wanted[name];
        match have.get(name) {
            None => p.add.push((name.clone(), host.clone())),
            Some(w) if &w.host != host => p.set.push((w.id.clone(), name.clone(), host.clone())),
            Some(_) => {}
        }
    }
    let mut gone: Vec<&WatchRow> = have
        .values()
        .filter(|w| !wanted.contains_key(&w.device))
        .collect();
    gone.sort_by(|a, b| a.device.cmp(&b.device));
    p.remove = gone
        .into_iter()
        .map(|w| (w.id.clone(), w.device.clone()))
        .collect();
    p
}

/// Applies `plan` on the router, one audited command per change, checking every `interval`
/// (the netwatch interval). Returns how many changes were made.
pub async fn apply(
    store: &Store,
    client: &Client,
    router_id: i64,
    plan: &SyncPlan,
    interval: Duration,
) -> Result<usize, Error> {
    let interval = format!("{}s", interval.as_secs().max(1));
    let mut n = 0;
    let audit = |action: &str, detail: String, ok: bool| {
        if let Err(e) = store.audit("noc", Some(router_id), action, &detail, ok) {
            tracing::warn!("could not audit {action}: {e}");
        }
    };
    for (device, host) in &plan.add {
        let cmd = Command::builder("/tool/netwatch/add")
            .attribute("host", host)
            .attribute("interval", &interval)
            .attribute("timeout", "1s")
            .attribute("comment", format!("{TAG}{device}"))
            .build();
        let r = client.execute(cmd).await;
        let detail =
            format!("/tool/netwatch/add host={host} interval={interval} comment=\"{TAG}{device}\"");
        audit("netwatch.add", detail, r.is_ok());
        r.map_err(router_err("adding a netwatch entry"))?;
        n += 1;
    }
    for (id, device, host) in &plan.set {
        let cmd = Command::builder("/tool/netwatch/set")
            .attribute(".id", id)
            .attribute("host", host)
            .build();
        let r = client.execute(cmd).await;
        audit(
            "netwatch.set",
            format!("/tool/netwatch/set {id} host={host} ({TAG}{device})"),
            r.is_ok(),
        );
        r.map_err(router_err("changing a netwatch entry"))?;
        n += 1;
    }
    for (id, device) in &plan.remove {
        let cmd = Command::builder("/tool/netwatch/remove")
            .attribute(".id", id)
            .build();
        let r = client.execute(cmd).await;
        audit(
            "netwatch.remove",
            format!("/tool/netwatch/remove {id} ({TAG}{device})"),
            r.is_ok(),
        );
        r.map_err(router_err("removing a netwatch entry"))?;
        n += 1;
    }
    Ok(n)
}

/// The IP addresses the router knows for MAC addresses (ARP, then DHCP leases), keys in
/// lower case.
pub async fn macs(client: &Client) -> Result<HashMap<String, String>, Error> {
    let (arp, leases) = tokio::join!(
        client.print(
            Command::builder("/ip/arp/print")
                .proplist(["address", "mac-address"])
                .build()
        ),
        client.print(
            Command::builder("/ip/dhcp-server/lease/print")
                .proplist(["address", "mac-address"])
                .build()
        ),
    );
    let mut out = HashMap::new();
    for r in leases
        .map_err(router_err("reading /ip/dhcp-server/lease"))?
        .iter()
        .chain(arp.map_err(router_err("reading /ip/arp"))?.iter())
    {
        let (mac, ip) = (text(r, "mac-address"), text(r, "address"));
        if !mac.is_empty() && ip.parse::<std::net::IpAddr>().is_ok() {
            out.insert(mac.to_ascii_lowercase(), ip);
        }
    }
    Ok(out)
}

/// A ping's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PingResult {
    /// Probes sent.
    pub sent: u64,
    /// Probes answered.
    pub received: u64,
    /// Average round trip, microseconds, when something came back.
    pub avg_us: Option<u64>,
}

impl PingResult {
    /// Lost probes in percent (100 when nothing was sent).
    pub fn loss(&self) -> u64 {
        if self.sent == 0 {
            return 100;
        }
        self.sent.saturating_sub(self.received) * 100 / self.sent
    }
}

/// `/ping address=HOST count=COUNT interval=100ms` from the router, within `timeout`.
pub async fn ping(
    client: &Client,
    host: &str,
    count: u32,
    timeout: Duration,
) -> Result<PingResult, Error> {
    let cmd = Command::builder("/ping")
        .attribute("address", host)
        .attribute("count", count.to_string())
        .attribute("interval", "100ms")
        .build();
    let rows = client
        .execute_timeout(cmd, timeout)
        .await
        .map(routeros_proto::Response::into_rows)
        .map_err(router_err("ping"))?;
    let mut r = PingResult::default();
    let mut rtts = Vec::new();
    for row in &rows {
        if let Some(t) = row.get_str("time").and_then(Result::ok).and_then(parse_rtt) {
            rtts.push(t);
        }
    }
    match rows.last() {
        Some(last) if num(last, "sent").is_some() => {
            r.sent = num(last, "sent").unwrap_or(0);
            r.received = num(last, "received").unwrap_or(0);
        }
        _ => {
            r.sent = u64::try_from(rows.len()).unwrap_or(0);
            r.received = u64::try_from(rtts.len()).unwrap_or(0);
        }
    }
    let n = u64::try_from(rtts.len()).unwrap_or(0);
    r.avg_us = rtts.iter().sum::<u64>().checked_div(n);
    Ok(r)
}

/// The default route as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DefaultRoute {
    /// Its gateway.
    pub gateway: String,
    /// The interface it leaves by (from `immediate-gw`, `gw%ether1`), when known.
    pub interface: Option<String>,
    /// Whether the router uses it.
    pub active: bool,
}

/// The active (else first) default route (`0.0.0.0/0`), if any.
pub async fn default_route(client: &Client) -> Result<Option<DefaultRoute>, Error> {
    let rows = client
        .print(
            Command::builder("/ip/route/print")
                .proplist([
                    "dst-address",
                    "gateway",
                    "immediate-gw",
                    "active",
                    "disabled",
                ])
                .build(),
        )
        .await
        .map_err(router_err("reading /ip/route"))?;
    let mut routes: Vec<DefaultRoute> = rows
        .iter()
        .filter(|r| text(r, "dst-address") == "0.0.0.0/0" && text(r, "disabled") != "true")
        .map(|r| {
            let imm = text(r, "immediate-gw");
            DefaultRoute {
                gateway: crate::fmt::router_text(&text(r, "gateway")),
                interface: imm
                    .split_once('%')
                    .map(|(_, i)| crate::fmt::router_text(i))
                    .filter(|i| !i.is_empty()),
                active: text(r, "active") == "true",
            }
        })
        .collect();
    routes.sort_by_key(|r| !r.active);
    Ok(routes.into_iter().next())
}

/// `/ip/cloud` `public-address`, if the router reports one.
pub async fn public_address(client: &Client) -> Result<Option<String>, Error> {
    let rows = client
        .print(Command::new("/ip/cloud/print"))
        .await
        .map_err(router_err("reading /ip/cloud"))?;
    Ok(rows
        .first()
        .map(|r| text(r, "public-address"))
        .filter(|a| a.parse::<std::net::IpAddr>().is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtts_parse_in_routeros_forms() {
        assert_eq!(parse_rtt("9ms37us"), Some(9_037));
        assert_eq!(parse_rtt("300ms"), Some(300_000));
        assert_eq!(parse_rtt("1s2ms"), Some(1_002_000));
        assert_eq!(parse_rtt("512us"), Some(512));
        assert_eq!(parse_rtt(""), None);
        assert_eq!(parse_rtt("12"), None);
        assert_eq!(parse_rtt("ms"), None);
        assert_eq!(parse_rtt("99999999999999999999ms"), None);
    }

    #[test]
    fn plans_add_set_and_remove() {
        let mut have = HashMap::new();
        for (id, d, h) in [
            ("*1", "a", "10.0.0.1"),
            ("*2", "b", "10.0.0.2"),
            ("*3", "c", "x"),
        ] {
            have.insert(
                d.to_owned(),
                WatchRow {
                    id: id.into(),
                    device: d.into(),
                    host: h.into(),
                    ..WatchRow::default()
                },
            );
        }
        let wanted: Wanted = [("a", "10.0.0.1"), ("b", "10.0.0.9"), ("d", "10.0.0.4")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let p = plan(&have, &wanted);
        assert_eq!(p.add, vec![("d".to_owned(), "10.0.0.4".to_owned())]);
        assert_eq!(
            p.set,
            vec![("*2".to_owned(), "b".to_owned(), "10.0.0.9".to_owned())]
        );
        assert_eq!(p.remove, vec![("*3".to_owned(), "c".to_owned())]);
        assert!(plan(
            &have,
            &have
                .values()
                .map(|w| (w.device.clone(), w.host.clone()))
                .collect()
        )
        .is_empty());
    }
}
