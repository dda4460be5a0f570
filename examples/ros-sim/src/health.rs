//! The network a monitor watches through the router: hosts behind it (customers' CPEs, access
//! points) that are up or down with a loss and a latency, the ISP uplink, targets beyond it
//! (`8.8.8.8`), the public address, and reboots; and what the router shows of them:
//! `/ping` answers, `/tool/netwatch` status, `/ip/arp`, `/ip/route`, `/ip/cloud`.
//!
//! Loss is deterministic: the `n`th probe (0-based) of a ping or of a netwatch entry is lost
//! when `⌊(n+1)·loss/100⌋ > ⌊n·loss/100⌋`, so 30% loses exactly probes 3, 6 and 9 of every
//! ten, and any ten consecutive probes starting at a multiple of ten lose exactly three.
//!
//! Netwatch counters live in [`Item::stats`]: 0 next test at (router uptime; 0: at the next
//! tick), 1 status (0 unknown, 1 up, 2 down), 2 since (seconds since 1970, router clock),
//! 3 probes sent (for the loss sequence), 4 done-tests, 5 failed-tests.

use std::net::{IpAddr, Ipv4Addr};

use queue_model::clock::DateTime;
use queue_model::netwatch::NetwatchType;
use queue_model::{MacAddress, Time};
use routeros_proto::TrapCategory;

use crate::schema::MenuKind;
use crate::state::{Failure, Item, Menu, State};

/// How a host or target answers: up or down, the share of probes lost, the round trip.
///
/// ```
/// use ros_sim::Reachability;
/// use std::time::Duration;
/// let r = Reachability::up().loss(30).latency(Duration::from_millis(300));
/// assert!(r.is_up());
/// assert_eq!(r.loss_percent(), 30);
/// assert!(!Reachability::down().is_up());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reachability {
    up: bool,
    loss: u8,
    latency_us: u64,
}

impl Default for Reachability {
    fn default() -> Self {
        Reachability::up()
    }
}

impl Reachability {
    /// Answers every probe after 1 ms.
    pub const fn up() -> Self {
        Reachability {
            up: true,
            loss: 0,
            latency_us: 1000,
        }
    }

    /// Answers nothing (switched off, unplugged).
    pub const fn down() -> Self {
        Reachability {
            up: false,
            loss: 0,
            latency_us: 1000,
        }
    }

    /// Loses `percent` of the probes (capped at 100), deterministically: the `n`th probe
    /// (from 0) of a ping or of a netwatch entry is lost when `⌊(n+1)·percent/100⌋ >
    /// ⌊n·percent/100⌋`, so 30% loses exactly probes 3, 6 and 9 of every ten.
    pub const fn loss(mut self, percent: u8) -> Self {
        self.loss = if percent > 100 { 100 } else { percent };
        self
    }

    /// Answers after `latency` (the round trip; at most an hour).
    pub fn latency(mut self, latency: std::time::Duration) -> Self {
        self.latency_us = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .min(3_600_000_000);
        self
    }

    /// True when the host answers at all.
    pub const fn is_up(&self) -> bool {
        self.up
    }

    /// The share of probes lost, in percent.
    pub const fn loss_percent(&self) -> u8 {
        self.loss
    }

    /// The round trip of an answered probe.
    pub fn round_trip(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.latency_us)
    }

    /// The round trip of probe `seq`, or `None` when it is lost.
    fn answer(&self, seq: u64) -> Option<u64> {
        (self.up && !lost(seq, self.loss)).then_some(self.latency_us)
    }
}

/// True when probe `seq` is one of the `loss` percent lost.
fn lost(seq: u64, loss: u8) -> bool {
    let l = u128::from(loss);
    let n = u128::from(seq);
    (n + 1) * l / 100 > n * l / 100
}

/// A simulated host behind the router.
#[derive(Debug, Clone)]
pub(crate) struct SimHost {
    pub ip: Ipv4Addr,
    pub reach: Reachability,
    lease: u32,
    arp: u32,
}

/// The hosts, targets, uplink and public address.
#[derive(Debug)]
pub(crate) struct Health {
    pub hosts: Vec<SimHost>,
    pub targets: Vec<(IpAddr, Reachability)>,
    /// The ISP line beyond the WAN port answers (the port's link is separate: `set_link`).
    pub uplink: bool,
    pub public_address: Ipv4Addr,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            hosts: Vec::new(),
            targets: Vec::new(),
            uplink: true,
            public_address: DEFAULT_PUBLIC,
        }
    }
}

/// The public address `/ip/cloud` reports unless set.
pub(crate) const DEFAULT_PUBLIC: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 45);
/// The ISP's gateway on the WAN (the router is 100.64.12.34/22).
pub(crate) const GATEWAY: Ipv4Addr = Ipv4Addr::new(100, 64, 12, 1);
/// The DDNS name `/ip/cloud` shows when `ddns-enabled`.
const DNS_NAME: &str = "hc8a2f41d7e0.sn.mynetname.net";

fn bad_value(name: &str) -> Failure {
    Failure::new(
        Some(TrapCategory::ArgumentValue),
        format!("invalid value for argument {name}"),
    )
}

fn missing(name: &str) -> Failure {
    Failure::new(
        Some(TrapCategory::ArgumentValue),
        format!("missing value(s) of argument(s) {name}"),
    )
}

/// Parses an IPv4 address argument.
pub(crate) fn ipv4_arg(name: &str, v: &str) -> Result<Ipv4Addr, Failure> {
    if v.is_empty() {
        return Err(missing(name));
    }
    v.parse().map_err(|_| bad_value(name))
}

fn link_up(st: &State, name: &str) -> bool {
    let im = st.menu_by_kind(MenuKind::Interface);
    let m = &st.menus[im];
    m.items
        .iter()
        .find(|i| m.value(i, "name") == Some(name))
        .is_some_and(|i| i.running && m.value(i, "disabled") != Some("true"))
}

/// The ISP line answers: the WAN port's link is up and the uplink is alive.
pub(crate) fn wan_up(st: &State) -> bool {
    st.health.uplink && link_up(st, "ether1")
}

/// The router's own addresses (`/ip/address`, without the prefix).
fn own_address(st: &State, ip: IpAddr) -> bool {
    if ip.is_loopback() {
        return true;
    }
    let am = st.menu_by_kind(MenuKind::Address);
    let m = &st.menus[am];
    m.items.iter().any(|i| {
        m.value(i, "address")
            .and_then(|a| a.split('/').next())
            .and_then(|a| a.parse::<IpAddr>().ok())
            == Some(ip)
    })
}

/// Whether `ip` is on the LAN side (answered or not, never through the uplink).
fn on_lan(ip: Ipv4Addr) -> bool {
    ip.is_private() && !in_wan(ip)
}

fn in_wan(ip: Ipv4Addr) -> bool {
    u32::from(ip) & 0xFFFF_FC00 == u32::from(Ipv4Addr::new(100, 64, 12, 0))
}

/// The round trip (µs) of probe `seq` to `ip`, or `None` when it goes unanswered.
pub(crate) fn probe(st: &State, ip: IpAddr, seq: u64) -> Option<u64> {
    if own_address(st, ip) {
        return Some(20 + seq % 7);
    }
    if let Some(t) = st.health.targets.iter().find(|(a, _)| *a == ip) {
        // A target set by a test: beyond the LAN unless it is one of the LAN hosts.
        return wan_up(st).then(|| t.1.answer(seq)).flatten();
    }
    let IpAddr::V4(v4) = ip else {
        return None; // no IPv6 uplink
    };
    if let Some(h) = st.health.hosts.iter().find(|h| h.ip == v4) {
        return link_up(st, "bridge").then(|| h.reach.answer(seq)).flatten();
    }
    if st.traffic.hosts.iter().any(|h| h.ip == v4) {
        return link_up(st, "bridge").then_some(600 + seq % 5 * 40);
    }
    if on_lan(v4) {
        return None;
    }
    if !wan_up(st) {
        return None;
    }
    if v4 == GATEWAY {
        return Some(1_800 + seq % 5 * 60);
    }
    let base = 9_000 + u64::from(v4.octets()[3]) * 37;
    Some(base + seq % 7 * base / 100)
}

/// A host that answers its next probe (ARP `reachable`).
fn answers(st: &State, ip: Ipv4Addr) -> bool {
    match st.health.hosts.iter().find(|h| h.ip == ip) {
        Some(h) => h.reach.up && link_up(st, "bridge"),
        None if ip == GATEWAY => wan_up(st),
        None => probe(st, IpAddr::V4(ip), 0).is_some(),
    }
}

/// `/sim/host/add`, `SimHandle::add_host`: a host with a DHCP lease and an ARP entry.
pub(crate) fn add_host(
    st: &mut State,
    ip: &str,
    mac: &str,
    name: Option<&str>,
) -> Result<(), Failure> {
    let ip = ipv4_arg("address", ip)?;
    if mac.is_empty() {
        return Err(missing("mac-address"));
    }
    let mac = mac
        .parse::<MacAddress>()
        .map_err(|_| bad_value("mac-address"))?
        .to_string();
    if own_address(st, IpAddr::V4(ip))
        || st.health.hosts.iter().any(|h| h.ip == ip)
        || st.traffic.hosts.iter().any(|h| h.ip == ip)
    {
        return Err(Failure::new(
            None,
            format!("failure: a host with address {ip} already exists"),
        ));
    }
    if st.health.hosts.len() >= st.sessions.max {
        return Err(Failure::new(None, "host limit reached"));
    }
    let addr = ip.to_string();
    let lease_menu = st.menu_by_kind(MenuKind::Lease);
    let mut lease: Vec<(&str, &str)> = vec![
        ("address", &addr),
        ("mac-address", &mac),
        ("active-address", &addr),
        ("active-mac-address", &mac),
        ("status", "bound"),
        ("expires-after", "9m58s"),
        ("last-seen", "2s"),
        ("dynamic", "true"),
    ];
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        lease.push(("host-name", n));
    }
    let lease = st.insert_raw(lease_menu, &lease);
    let arp = add_arp(st, &addr, &mac, "bridge", true);
    st.health.hosts.push(SimHost {
        ip,
        reach: Reachability::up(),
        lease,
        arp,
    });
    Ok(())
}

/// A dynamic ARP entry.
pub(crate) fn add_arp(st: &mut State, ip: &str, mac: &str, iface: &str, dhcp: bool) -> u32 {
    let menu = st.menu_by_kind(MenuKind::Arp);
    let dhcp = if dhcp { "true" } else { "false" };
    st.insert_raw(
        menu,
        &[
            ("address", ip),
            ("mac-address", mac),
            ("interface", iface),
            ("DHCP", dhcp),
            ("dynamic", "true"),
        ],
    )
}

/// Notifies `listen`ers of the ARP entry of `ip` (its status follows the host).
fn touch_arp(st: &State, ip: Ipv4Addr) {
    let menu = st.menu_by_kind(MenuKind::Arp);
    let m = &st.menus[menu];
    let text = ip.to_string();
    for it in m
        .items
        .iter()
        .filter(|i| m.value(i, "address") == Some(&text))
    {
        st.notify(menu, it.id, false);
    }
}

/// `/sim/host/remove`: the host leaves (its lease and ARP entry go).
pub(crate) fn remove_host(st: &mut State, ip: &str) -> Result<(), Failure> {
    let ip = ipv4_arg("address", ip)?;
    let pos = st
        .health
        .hosts
        .iter()
        .position(|h| h.ip == ip)
        .ok_or_else(Failure::no_such_item)?;
    let h = st.health.hosts.remove(pos);
    let lease = st.menu_by_kind(MenuKind::Lease);
    st.remove_ids(lease, &[h.lease]);
    let arp = st.menu_by_kind(MenuKind::Arp);
    st.remove_ids(arp, &[h.arp]);
    Ok(())
}

/// The reachability of a host, to change it.
pub(crate) fn host_mut<'a>(st: &'a mut State, ip: &str) -> Result<&'a mut Reachability, Failure> {
    let ip = ipv4_arg("address", ip)?;
    st.health
        .hosts
        .iter_mut()
        .find(|h| h.ip == ip)
        .map(|h| &mut h.reach)
        .ok_or_else(Failure::no_such_item)
}

/// `SimHandle::set_host`.
pub(crate) fn set_host(st: &mut State, ip: &str, reach: Reachability) -> Result<(), Failure> {
    *host_mut(st, ip)? = reach;
    if let Ok(ip) = ip.parse() {
        touch_arp(st, ip);
    }
    Ok(())
}

/// `SimHandle::set_target`: how a host beyond the LAN answers.
pub(crate) fn set_target(st: &mut State, ip: &str, reach: Reachability) -> Result<(), Failure> {
    if ip.is_empty() {
        return Err(missing("address"));
    }
    let ip: IpAddr = ip.parse().map_err(|_| bad_value("address"))?;
    match st.health.targets.iter_mut().find(|(a, _)| *a == ip) {
        Some(t) => t.1 = reach,
        None => {
            if st.health.targets.len() >= st.sessions.max {
                return Err(Failure::new(None, "target limit reached"));
            }
            st.health.targets.push((ip, reach));
        }
    }
    Ok(())
}

/// The current reachability of a target (`up` with the default latency when never set).
pub(crate) fn target(st: &State, ip: IpAddr) -> Reachability {
    st.health.targets.iter().find(|(a, _)| *a == ip).map_or(
        Reachability::up().latency(std::time::Duration::from_millis(9)),
        |t| t.1,
    )
}

/// `SimHandle::set_uplink`: the ISP line beyond the WAN port dies or comes back. The port's
/// link stays up; the gateway stops answering, so the default route (`check-gateway=ping`)
/// goes inactive, WAN counters stop, and everything beyond the LAN goes unanswered.
pub(crate) fn set_uplink(st: &mut State, up: bool) {
    if st.health.uplink == up {
        return;
    }
    st.health.uplink = up;
    let rm = st.menu_by_kind(MenuKind::Route);
    let ids: Vec<u32> = st.menus[rm].items.iter().map(|i| i.id).collect();
    for id in ids {
        st.notify(rm, id, false);
    }
    touch_arp(st, GATEWAY);
    let cloud = st.menu_by_kind(MenuKind::Cloud);
    st.notify(cloud, 0, false);
    let word = if up { "reachable" } else { "unreachable" };
    st.log("route,info", &format!("gateway {GATEWAY} {word}"));
}

/// `SimHandle::set_public_address`.
pub(crate) fn set_public_address(st: &mut State, ip: &str) -> Result<(), Failure> {
    st.health.public_address = ipv4_arg("address", ip)?;
    let cloud = st.menu_by_kind(MenuKind::Cloud);
    st.notify(cloud, 0, false);
    Ok(())
}

/// `SimHandle::add_wan_traffic`: bytes received and sent on the WAN port at once (a download
/// that ate the quota), on top of what the traffic model moves each tick.
pub(crate) fn add_wan_traffic(st: &mut State, rx: u64, tx: u64) {
    let im = st.menu_by_kind(MenuKind::Interface);
    let m = &mut st.menus[im];
    let pos = m
        .items
        .iter()
        .position(|i| m.value(i, "name") == Some("ether1"));
    if let Some(item) = pos.and_then(|p| m.items.get_mut(p)) {
        item.stats[0] = item.stats[0].saturating_add(rx);
        item.stats[1] = item.stats[1].saturating_add(tx);
        item.stats[2] = item.stats[2].saturating_add(rx.div_ceil(1500));
        item.stats[3] = item.stats[3].saturating_add(tx.div_ceil(1500));
        let id = item.id;
        st.notify(im, id, false);
    }
}

/// `SimHandle::reboot`: uptime and every counter back to zero (interfaces, queues, rules),
/// netwatch back to `unknown`, hotspot and PPP sessions dropped (PPPoE clients dial again);
/// the configuration, the wall clock and the simulated network stay.
pub(crate) fn reboot(st: &mut State) {
    let now = st.now();
    st.uptime = 0;
    st.set_now(now);
    st.spike = None;
    // After the uptime reset: PPPoE clients redial `redial_after` seconds into the new uptime.
    for kind in [MenuKind::PppActive, MenuKind::HotspotActive] {
        let menu = st.menu_by_kind(kind);
        let all: Vec<usize> = (0..st.menus[menu].items.len()).collect();
        if !all.is_empty() {
            let _ = st.remove(menu, &all);
        }
    }
    for kind in [
        MenuKind::Interface,
        MenuKind::Queue,
        MenuKind::QueueTree,
        MenuKind::Mangle,
        MenuKind::Filter,
        MenuKind::Netwatch,
    ] {
        let menu = st.menu_by_kind(kind);
        let m = &mut st.menus[menu];
        for it in &mut m.items {
            it.stats = [0; 8];
            it.link_downs = 0;
        }
        m.generation += 1;
        let ids: Vec<u32> = m.items.iter().map(|i| i.id).collect();
        for id in ids {
            st.notify(menu, id, false);
        }
    }
    st.log("system,info", "router rebooted");
}

// ---------------------------------------------------------------------------------------------
// Netwatch

/// The result of one test: passed or not.
fn run_test(st: &State, m: &Menu, item: &mut Item) -> bool {
    let Some(host) = m.value(item, "host").and_then(|h| h.parse::<IpAddr>().ok()) else {
        return false;
    };
    let time = |name: &str, default: u64| {
        m.value(item, name)
            .and_then(|v| v.parse::<Time>().ok())
            .map_or(default, |t| t.as_millis().saturating_mul(1000))
    };
    let timeout = time("timeout", 3_000_000);
    let kind = m
        .value(item, "type")
        .and_then(|t| t.parse::<NetwatchType>().ok())
        .unwrap_or_default();
    let probes = if kind == NetwatchType::Icmp { 10 } else { 1 };
    let mut answered = Vec::new();
    for _ in 0..probes {
        let seq = item.stats[3];
        item.stats[3] += 1;
        if let Some(rtt) = probe(st, host, seq).filter(|rtt| *rtt <= timeout) {
            answered.push(rtt);
        }
    }
    if kind == NetwatchType::Icmp {
        // The manual's default thresholds: thr-loss-percent=85%, thr-avg=100ms.
        let lost = (probes - answered.len()) * 100 / probes;
        let total: u64 = answered.iter().sum();
        let avg = total
            .checked_div(u64::try_from(answered.len()).unwrap_or(1))
            .unwrap_or(u64::MAX);
        lost < 85 && avg <= 100_000
    } else {
        !answered.is_empty()
    }
}

/// Runs the netwatch tests that are due (one per entry and interval of the simulated clock).
pub(crate) fn tick(st: &mut State) {
    let menu = st.menu_by_kind(MenuKind::Netwatch);
    let mut items = std::mem::take(&mut st.menus[menu].items);
    let now = st.now().seconds_since_epoch();
    let mut changed = Vec::new();
    {
        let m = &st.menus[menu];
        for item in &mut items {
            if m.value(item, "disabled") == Some("true") {
                continue;
            }
            if item.stats[0] > st.uptime {
                continue;
            }
            let interval = m
                .value(item, "interval")
                .and_then(|v| v.parse::<Time>().ok())
                .map_or(10, |t| t.as_millis() / 1000)
                .max(1);
            item.stats[0] = st.uptime + interval;
            let ok = run_test(st, m, item);
            item.stats[4] += 1;
            if !ok {
                item.stats[5] += 1;
            }
            let status = if ok { 1 } else { 2 };
            if item.stats[1] != status {
                item.stats[1] = status;
                item.stats[2] = u64::try_from(now).unwrap_or(0);
            }
            changed.push(item.id);
        }
    }
    st.menus[menu].items = items;
    for id in changed {
        st.notify(menu, id, false);
    }
}

// ---------------------------------------------------------------------------------------------
// Read-only values

/// Read-only values of `/tool/netwatch`, `/ip/arp` and `/ip/route`.
pub(crate) fn computed(
    st: &State,
    kind: MenuKind,
    m: &Menu,
    item: &Item,
    name: &str,
) -> Option<String> {
    let s = &item.stats;
    let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
    match (kind, name) {
        (MenuKind::Netwatch, "status") => Some(
            match s[1] {
                1 => "up",
                2 => "down",
                _ => "unknown",
            }
            .to_owned(),
        ),
        (MenuKind::Netwatch, "since") => {
            if s[1] == 0 {
                return None;
            }
            let t = DateTime::from_seconds_since_epoch(i64::try_from(s[2]).ok()?)?;
            Some(t.render(st.date_style()))
        }
        (MenuKind::Netwatch, "done-tests") => Some(s[4].to_string()),
        (MenuKind::Netwatch, "failed-tests") => Some(s[5].to_string()),
        (MenuKind::Arp, "status" | "complete") => {
            let ip = m.value(item, "address")?.parse::<Ipv4Addr>().ok()?;
            if !item.dynamic && m.value(item, "dynamic") != Some("true") {
                return Some(if name == "status" {
                    "permanent".into()
                } else {
                    flag(true)
                });
            }
            let ok = answers(st, ip);
            Some(match name {
                "status" => if ok { "reachable" } else { "failed" }.to_owned(),
                _ => flag(ok),
            })
        }
        (MenuKind::Route, "active" | "inactive") => {
            let active = route_active(st, m, item);
            Some(flag(if name == "active" { active } else { !active }))
        }
        (MenuKind::Route, "immediate-gw") => {
            let gw = m.value(item, "gateway")?;
            match gw.parse::<Ipv4Addr>() {
                Ok(ip) if in_wan(ip) && link_up(st, "ether1") => Some(format!("{gw}%ether1")),
                Ok(ip) if on_lan(ip) && link_up(st, "bridge") => Some(format!("{gw}%bridge")),
                Ok(_) => None,
                Err(_) => link_up(st, gw).then(|| gw.to_owned()),
            }
        }
        (MenuKind::Route, "static") => Some(flag(m.value(item, "dynamic") != Some("true"))),
        (MenuKind::Route, "connect") => Some(flag(m.value(item, "dynamic") == Some("true"))),
        _ => None,
    }
}

/// A route is active when its gateway is reachable: an interface whose link is up, an address
/// on a connected network whose link is up and, with `check-gateway=ping`, that answers.
fn route_active(st: &State, m: &Menu, item: &Item) -> bool {
    if m.value(item, "disabled") == Some("true") {
        return false;
    }
    let Some(gw) = m.value(item, "gateway") else {
        return false;
    };
    match gw.parse::<Ipv4Addr>() {
        Ok(ip) if in_wan(ip) => {
            link_up(st, "ether1")
                && (m.value(item, "check-gateway") != Some("ping") || answers(st, ip))
        }
        Ok(ip) if on_lan(ip) => {
            link_up(st, "bridge")
                && (m.value(item, "check-gateway") != Some("ping") || answers(st, ip))
        }
        Ok(_) => false,
        Err(_) => link_up(st, gw),
    }
}

/// Values of the `/ip/cloud` singleton.
pub(crate) fn cloud_value(st: &State, name: &str) -> Option<String> {
    let menu = st.menu_by_kind(MenuKind::Cloud);
    let m = &st.menus[menu];
    let enabled = m
        .items
        .first()
        .and_then(|i| m.value(i, "ddns-enabled"))
        .is_some_and(|v| v == "true" || v == "yes");
    match name {
        "public-address" => Some(st.health.public_address.to_string()),
        "dns-name" if enabled => Some(DNS_NAME.into()),
        "status" if enabled => Some(
            if wan_up(st) {
                "updated"
            } else {
                "error: request timed out"
            }
            .into(),
        ),
        _ => None,
    }
}

/// The routes, ARP entry of the gateway and cloud settings of a fresh router.
pub(crate) fn initial(st: &mut State) {
    let route = st.menu_by_kind(MenuKind::Route);
    st.insert_raw(
        route,
        &[
            ("dst-address", "0.0.0.0/0"),
            ("gateway", "100.64.12.1"),
            ("check-gateway", "ping"),
            ("distance", "1"),
            ("comment", "ISP"),
        ],
    );
    for (dst, src, iface) in [
        ("100.64.12.0/22", "100.64.12.34", "ether1"),
        ("192.168.88.0/24", "192.168.88.1", "bridge"),
    ] {
        st.insert_raw(
            route,
            &[
                ("dst-address", dst),
                ("pref-src", src),
                ("gateway", iface),
                ("distance", "0"),
                ("scope", "10"),
                ("dynamic", "true"),
            ],
        );
    }
    add_arp(st, "100.64.12.1", "64:D1:54:00:12:01", "ether1", false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_is_spread_exactly() {
        let lost_of =
            |loss: u8, from: u64, n: u64| (from..from + n).filter(|&s| lost(s, loss)).count();
        for loss in 0..=100u8 {
            // Every hundred probes lose exactly `loss`.
            assert_eq!(lost_of(loss, 0, 100), usize::from(loss));
            assert_eq!(lost_of(loss, 300, 100), usize::from(loss));
        }
        for start in (0..100).step_by(10) {
            assert_eq!(lost_of(30, start, 10), 3);
            assert_eq!(lost_of(50, start, 10), 5);
        }
        assert!((0..50).all(|s| !lost(s, 0) && lost(s, 100)));
        let r = Reachability::up().loss(30);
        assert_eq!(r.answer(3), None);
        assert_eq!(r.answer(4), Some(1000));
        assert_eq!(Reachability::down().answer(4), None);
        assert_eq!(Reachability::up().loss(250).loss_percent(), 100);
    }
}
