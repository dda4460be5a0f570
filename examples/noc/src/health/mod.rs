//! Network health (core): "the internet is slow / dead" — which of the usual causes it is.
//!
//! - **Devices** ([`devices`]): per house or customer a device (an IP address, or a MAC
//!   address resolved through the router's ARP and DHCP tables) with an optional parent (an
//!   access point several houses hang off). The router checks them: noc keeps one
//!   `/tool/netwatch` entry per device on it (comment `noc: device NAME`, see
//!   [`crate::routers::netwatch`]) and reads their status each poll, so checks go on while
//!   noc is away and one `print` gives every status. Down after `failed_checks` failed checks
//!   in a row; alerts follow the dependency logic (a parent down is one alert naming how many
//!   houses are behind it; the uplink down is one "ISP down" alert and no device alert).
//! - **The ISP line**: the default route (gateway, interface, active), latency and loss to the
//!   gateway and to public targets measured by the router (`/ping`), the public address
//!   (`/ip/cloud`) with an event when it changes.
//! - **Quota** ([`quota`]): per WAN interface a monthly byte count from the interface
//!   counters, across reboots and counter resets, stored in SQLite, with alerts at thresholds.
//! - **Diagnose** ([`diagnose`]): the evidence for one device in a fixed order of checks.
//!
//! Alerts leave as [`Event`]s in an outbox the alert monitor drains ([`Health::take_events`]).

pub mod devices;
pub mod diagnose;
pub mod quota;
mod settings;

pub use settings::{QuotaConfig, Settings};

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::i18n::Lang;
use crate::routers::netwatch::{self, DefaultRoute, PingResult};
use crate::routers::{Hub, RouterHandle, Status};
use crate::storage::health::{DeviceSample, QuotaRow};
use crate::storage::Store;
use crate::tr;
use crate::Error;

/// An alert from the health checks, for the alert monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// Stable key (`device-down:ROUTER:NAME`, `isp-down:ROUTER`...).
    pub key: String,
    /// The rule name it goes under (`device-down`, `isp-down`, `quota`, `public-address`).
    pub rule: &'static str,
    /// The router's id.
    pub router_id: i64,
    /// The router's name.
    pub router: String,
    /// `critical`, `warning` or `info`.
    pub severity: &'static str,
    /// One line.
    pub title: String,
    /// More.
    pub detail: String,
    /// A condition that starts (`true`) or ends (`false`); see `info`.
    pub firing: bool,
    /// Something that happened (neither starts nor ends a condition).
    pub info: bool,
}

impl Event {
    /// A condition starts.
    pub fn firing(
        key: String,
        rule: &'static str,
        router_id: i64,
        router: &str,
        title: String,
        detail: String,
    ) -> Event {
        Event {
            key,
            rule,
            router_id,
            router: router.to_owned(),
            severity: if rule == "quota" {
                "warning"
            } else {
                "critical"
            },
            title,
            detail,
            firing: true,
            info: false,
        }
    }

    /// A condition ends.
    pub fn resolved(
        key: String,
        rule: &'static str,
        router_id: i64,
        router: &str,
        title: String,
    ) -> Event {
        Event {
            key,
            rule,
            router_id,
            router: router.to_owned(),
            severity: "info",
            title,
            detail: String::new(),
            firing: false,
            info: false,
        }
    }

    fn info(key: String, rule: &'static str, router_id: i64, router: &str, title: String) -> Event {
        Event {
            info: true,
            severity: "info",
            ..Event::resolved(key, rule, router_id, router, title)
        }
    }
}

/// A device as shown (pages, chat).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceView {
    /// Name.
    pub name: String,
    /// As configured (IP or MAC).
    pub address: String,
    /// The IP address checked, when known.
    pub ip: Option<String>,
    /// Parent's name.
    pub parent: Option<String>,
    /// `up`, `down` or `unknown`.
    pub status: &'static str,
    /// Failed checks in a row.
    pub fails: u64,
    /// Unix seconds of the last change, 0 when never seen.
    pub since: i64,
    /// Latest round trip, microseconds.
    pub rtt_us: Option<u64>,
    /// Latest loss, percent.
    pub loss: Option<u64>,
}

/// The ISP line of a router as last measured.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct IspView {
    /// The default route.
    pub route: Option<DefaultRoute>,
    /// The WAN interfaces watched.
    pub wan: Vec<String>,
    /// Ping to the gateway.
    pub gateway: Option<PingResult>,
    /// Pings to the public targets.
    pub targets: Vec<(String, PingResult)>,
    /// Unix seconds of the last measurement.
    pub checked: i64,
    /// Router up, uplink dead.
    pub down: bool,
    /// The public address and since when it is known.
    pub public: Option<(String, i64)>,
}

/// The month's count of one WAN interface.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaView {
    /// Interface.
    pub interface: String,
    /// `2026-12`: the month the period started in.
    pub period: String,
    /// Bytes counted.
    pub used: u64,
    /// The quota, bytes.
    pub quota: u64,
    /// Percent used.
    pub percent: u64,
    /// Percent of the period gone by (the pace to hold `percent` against).
    pub elapsed: u64,
}

/// A router's health as last seen.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct RouterHealth {
    /// Devices by name.
    pub devices: Vec<DeviceView>,
    /// The ISP line.
    pub isp: IspView,
    /// Quotas.
    pub quotas: Vec<QuotaView>,
    /// Why the devices could not be read, if they could not.
    pub error: Option<String>,
    /// Unix seconds of the last device read.
    pub read: i64,
    /// Simple queues at max-limit: queue name → since (Unix seconds).
    pub full_queues: HashMap<String, i64>,
    /// How long the last device round took (reading netwatch, the route, evaluating), ms.
    pub round_ms: u64,
}

#[derive(Default)]
struct Inner {
    routers: HashMap<i64, RouterHealth>,
    trackers: HashMap<i64, devices::Tracker>,
    /// (router, device) → (done, failed) last seen.
    counts: HashMap<(i64, String), (u64, u64)>,
    /// Routers whose ISP-down alert fires.
    isp_firing: HashSet<i64>,
    /// (router, interface) → the last poll accounted (the router's `last_ok`).
    accounted: HashMap<(i64, String), i64>,
    /// (router, device) → the last `/ping count=3` (rtt µs, loss %, when), for devices whose
    /// netwatch entry gives no latency.
    pinged: HashMap<(i64, String), (Option<u64>, u64, i64)>,
}

/// Devices pinged for latency per router and ISP round (the least recently pinged first).
pub const PINGS_PER_ROUND: usize = 64;
/// Device pings in flight per router (the connection's in-flight commands are shared with
/// the poller).
const PINGS_IN_FLIGHT: usize = 1;

/// The health service: the checks' state and the outbox of alerts.
pub struct Health {
    settings: Settings,
    store: Arc<Store>,
    hub: Arc<Hub>,
    inner: Mutex<Inner>,
    outbox: Mutex<Vec<Event>>,
    wake: tokio::sync::Notify,
    /// The language of the alerts (noc's default).
    lang: Lang,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Most events waiting for the monitor; beyond, the oldest are dropped.
const MAX_OUTBOX: usize = 10_000;

/// Whether `s` looks like a MAC address (`aa:bb:cc:dd:ee:ff` or with `-`).
pub fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A device name: 1..=64 printable characters, no control characters.
fn valid_name(s: &str) -> bool {
    let n = s.chars().count();
    (1..=64).contains(&n) && !s.chars().any(char::is_control) && s.trim() == s
}

impl Health {
    /// The service over `store` and `hub` with `settings` (validate them first).
    pub fn new(settings: Settings, store: Arc<Store>, hub: Arc<Hub>) -> Health {
        Health {
            settings,
            store,
            hub,
            inner: Mutex::default(),
            outbox: Mutex::default(),
            wake: tokio::sync::Notify::new(),
            lang: Lang::default(),
        }
    }

    /// Writes the alerts in `lang` (noc's default language).
    pub fn with_language(mut self, lang: Lang) -> Health {
        self.lang = lang;
        self
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Takes the alerts raised since the last call.
    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *lock(&self.outbox))
    }

    fn emit(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut o = lock(&self.outbox);
        o.extend(events);
        let over = o.len().saturating_sub(MAX_OUTBOX);
        o.drain(..over);
    }

    /// A router's health as last seen.
    pub fn router(&self, router_id: i64) -> RouterHealth {
        lock(&self.inner)
            .routers
            .get(&router_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Adds a device watched by `router` (audited as `device.add` by `user`); the router gets
    /// its netwatch entry at the next check round.
    pub fn add_device(
        &self,
        user: &str,
        router: &RouterHandle,
        name: &str,
        address: &str,
        parent: Option<&str>,
    ) -> Result<(), Error> {
        if !valid_name(name) {
            return Err(Error::BadInput(
                "a device name has 1 to 64 characters, no control characters".into(),
            ));
        }
        if address.parse::<std::net::IpAddr>().is_err() && !is_mac(address) {
            return Err(Error::BadInput(format!(
                "{address:?} is neither an IP address nor a MAC address"
            )));
        }
        if let Some(p) = parent {
            let all = self.store.devices()?;
            if !all.iter().any(|d| d.name == p && d.router_id == router.id) {
                return Err(Error::BadInput(format!(
                    "no device called {p:?} on {} to hang it off",
                    router.name
                )));
            }
        }
        let r = self.store.add_device(router.id, name, address, parent);
        let detail = format!(
            "{name} {address}{}",
            parent.map_or(String::new(), |p| format!(" behind {p}"))
        );
        self.store
            .audit(user, Some(router.id), "device.add", &detail, r.is_ok())?;
        r?;
        self.wake.notify_one();
        Ok(())
    }

    /// Removes a device (audited as `device.remove`); its netwatch entry goes at the next
    /// round. Devices behind it lose their parent.
    pub fn delete_device(&self, user: &str, name: &str) -> Result<(), Error> {
        let all = self.store.devices()?;
        let Some(d) = all.iter().find(|d| d.name == name) else {
            return Err(Error::NotFound(format!("no device called {name:?}")));
        };
        let r = self.store.delete_device(name);
        self.store.audit(
            user,
            Some(d.router_id),
            "device.remove",
            &format!("{name} {}", d.address),
            r.is_ok(),
        )?;
        r?;
        self.wake.notify_one();
        Ok(())
    }

    /// The WAN interfaces of a router: configured, else the default route's.
    fn wan(&self, route: Option<&DefaultRoute>) -> Vec<String> {
        if !self.settings.wan_interfaces.is_empty() {
            return self.settings.wan_interfaces.clone();
        }
        route
            .and_then(|r| r.interface.clone())
            .into_iter()
            .collect()
    }

    /// One round of device checks and quota counting on one router.
    async fn round(&self, router: Arc<RouterHandle>) {
        let live = router.live();
        let Some(client) = router.client().filter(|_| live.status == Status::Up) else {
            // The router's own alert covers it; nothing is read, nothing changes.
            return;
        };
        let id = router.id;
        let now = crate::now();
        let started = std::time::Instant::now();
        let all = match self.store.devices() {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!("health: cannot read devices: {e}");
                return;
            }
        };
        let mine: Vec<_> = all.into_iter().filter(|d| d.router_id == id).collect();
        let read = async {
            let macs = if mine.iter().any(|d| is_mac(&d.address)) {
                netwatch::macs(&client).await?
            } else {
                HashMap::new()
            };
            let have = netwatch::read(&client).await?;
            let route = netwatch::default_route(&client).await?;
            Ok::<_, Error>((macs, have, route))
        };
        let (macs, mut have, route) = match tokio::time::timeout(Duration::from_secs(5), read).await
        {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => {
                lock(&self.inner).routers.entry(id).or_default().error = Some(e.to_string());
                return;
            }
            Err(_) => {
                lock(&self.inner).routers.entry(id).or_default().error =
                    Some("reading netwatch timed out".into());
                return;
            }
        };
        let ip_of = |address: &str| -> Option<String> {
            if address.parse::<std::net::IpAddr>().is_ok() {
                Some(address.to_owned())
            } else {
                macs.get(&address.replace('-', ":").to_ascii_lowercase())
                    .cloned()
            }
        };
        let wanted: netwatch::Wanted = mine
            .iter()
            .filter_map(|d| Some((d.name.clone(), ip_of(&d.address)?)))
            .collect();
        let plan = netwatch::plan(&have, &wanted);
        if !plan.is_empty() {
            let interval = Duration::from_secs(self.settings.check_interval_secs);
            match netwatch::apply(&self.store, &client, id, &plan, interval).await {
                Ok(_) => {
                    if let Ok(h) = netwatch::read(&client).await {
                        have = h;
                    }
                }
                Err(e) => {
                    tracing::warn!(router = %crate::fmt::log_safe(&router.name), "netwatch: {e}")
                }
            }
        }
        let wan = self.wan(route.as_ref());
        let mut samples = Vec::new();
        let mut events = Vec::new();
        {
            let mut inner = lock(&self.inner);
            let mut checks = HashMap::new();
            for d in &mine {
                let Some(w) = have.get(&d.name) else {
                    continue;
                };
                let key = (id, d.name.clone());
                let last = inner.counts.insert(key, (w.done, w.failed));
                let moved = last.is_none_or(|(done, _)| done != w.done);
                let check = match (w.status.as_str(), last) {
                    ("up", _) if moved => devices::Check::Up,
                    ("down", None) => devices::Check::Down { failed: 1 },
                    ("down", Some((done, failed))) if w.done > done => devices::Check::Down {
                        failed: w.failed.saturating_sub(failed).max(1),
                    },
                    ("down", Some((done, _))) if w.done < done => {
                        devices::Check::Down { failed: 1 }
                    }
                    _ => devices::Check::Unknown,
                };
                if moved && w.status != "unknown" {
                    samples.push((
                        d.id,
                        DeviceSample {
                            t: now,
                            up: w.status == "up",
                            rtt_us: w.rtt_us.and_then(|v| i64::try_from(v).ok()),
                            loss: w.loss.and_then(|v| i64::try_from(v).ok()),
                        },
                    ));
                }
                checks.insert(d.name.clone(), check);
            }
            let route_dead = route.as_ref().is_some_and(|r| !r.active);
            let entry = inner.routers.entry(id).or_default();
            let ping_dead = entry.isp.down && entry.isp.checked > 0;
            let uplink_down = route_dead || ping_dead;
            let nodes: Vec<devices::Node> = mine
                .iter()
                .map(|d| devices::Node {
                    name: d.name.clone(),
                    parent: d.parent.clone(),
                })
                .collect();
            let failed_checks = u64::from(self.settings.failed_checks);
            let pinged: HashMap<String, (Option<u64>, u64, i64)> = inner
                .pinged
                .iter()
                .filter(|((r, _), _)| *r == id)
                .map(|((_, n), v)| (n.clone(), *v))
                .collect();
            let tracker = inner.trackers.entry(id).or_default();
            tracker.lang = self.lang;
            events.extend(tracker.observe(
                id,
                &router.name,
                &nodes,
                &checks,
                uplink_down,
                failed_checks,
                now,
            ));
            let views: Vec<DeviceView> = mine
                .iter()
                .map(|d| {
                    let st = tracker.state(&d.name).cloned().unwrap_or_default();
                    let w = have.get(&d.name);
                    let pinged = pinged.get(&d.name).copied();
                    let status = match (st.known, st.down) {
                        (false, _) => "unknown",
                        (true, true) => "down",
                        (true, false) if st.fails > 0 => "failing",
                        _ => "up",
                    };
                    DeviceView {
                        name: d.name.clone(),
                        address: d.address.clone(),
                        ip: ip_of(&d.address),
                        parent: d.parent.clone(),
                        status,
                        fails: st.fails,
                        since: st.since,
                        rtt_us: w.and_then(|w| w.rtt_us).or(pinged.and_then(|p| p.0)),
                        loss: w.and_then(|w| w.loss).or(pinged.map(|p| p.1)),
                    }
                })
                .collect();
            let isp_key = format!("isp-down:{id}");
            if uplink_down && inner.isp_firing.insert(id) {
                let why = if route_dead {
                    tr!(self.lang, "health-route-inactive")
                } else {
                    tr!(self.lang, "health-targets-silent")
                };
                events.push(Event::firing(
                    isp_key,
                    "isp-down",
                    id,
                    &router.name,
                    tr!(self.lang, "health-isp-down", router = &router.name),
                    tr!(self.lang, "health-isp-down-detail", why = why),
                ));
            } else if !uplink_down && inner.isp_firing.remove(&id) {
                events.push(Event::resolved(
                    isp_key,
                    "isp-down",
                    id,
                    &router.name,
                    tr!(self.lang, "health-isp-up", router = &router.name),
                ));
            }
            // Queues at max-limit, for diagnose ("for how long").
            let entry = inner.routers.entry(id).or_default();
            let mut full = HashMap::new();
            for q in live.queues.iter() {
                if q.max_down > 0 && q.usage_percent() >= 95 {
                    let since = entry.full_queues.get(&q.name).copied().unwrap_or(now);
                    full.insert(q.name.clone(), since);
                }
            }
            entry.full_queues = full;
            entry.devices = views;
            entry.round_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            entry.error = None;
            entry.read = now;
            entry.isp.route = route.clone();
            entry.isp.wan = wan.clone();
            entry.isp.down = uplink_down;
        }
        // Quota: the interface counters of the router's latest poll.
        let mut quotas = Vec::new();
        let last_ok = live.last_ok.unwrap_or(0);
        for iface in &wan {
            let Some(i) = live.interfaces.iter().find(|i| &i.name == iface) else {
                continue;
            };
            let Some(q) = self
                .settings
                .quotas
                .iter()
                .find(|q| q.applies_to(&router.name, iface))
            else {
                continue;
            };
            match self.count(
                id,
                &router.name,
                iface,
                q,
                (i.rx_byte, i.tx_byte),
                last_ok,
                now,
            ) {
                Ok((view, ev)) => {
                    quotas.push(view);
                    events.extend(ev);
                }
                Err(e) => tracing::warn!("quota of {}: {e}", crate::fmt::log_safe(iface)),
            }
        }
        lock(&self.inner).routers.entry(id).or_default().quotas = quotas;
        let store = self.store.clone();
        if !samples.is_empty() {
            let _ = tokio::task::spawn_blocking(move || store.add_device_samples(&samples)).await;
        }
        self.emit(events);
    }

    /// Adds one reading of an interface's counters to its quota; the view and the alerts.
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        id: i64,
        router: &str,
        iface: &str,
        q: &QuotaConfig,
        (rx, tx): (u64, u64),
        poll: i64,
        now: i64,
    ) -> Result<(QuotaView, Vec<Event>), Error> {
        let date = queue_model::clock::Date::from_days_since_epoch(now.div_euclid(86_400))
            .unwrap_or(queue_model::clock::Date::EPOCH);
        let period = quota::period(date, q.reset_day);
        let fresh = {
            let mut inner = lock(&self.inner);
            let k = (id, iface.to_owned());
            let fresh = inner.accounted.get(&k) != Some(&poll);
            inner.accounted.insert(k, poll);
            fresh
        };
        let mut row = match self.store.quota(id, iface, &period)? {
            Some(r) => r,
            None => {
                // A new period starts from the counters last seen (the month before), or —
                // the first time — from the counters now (a baseline, nothing counted).
                let (last_rx, last_tx) = match self.store.quota_before(id, iface, &period)? {
                    Some(b) => (b.last_rx, b.last_tx),
                    None => (rx, tx),
                };
                let r = QuotaRow {
                    bytes: 0,
                    last_rx,
                    last_tx,
                    alerted: 0,
                };
                self.store.save_quota(id, iface, &period, &r)?;
                // The month before ends: its threshold alerts resolve.
                let prev = quota::previous(&period);
                if let Some(old) = self.store.quota(id, iface, &prev)? {
                    let mut done = Vec::new();
                    for t in q.thresholds.iter().filter(|t| **t <= old.alerted) {
                        done.push(Event::resolved(
                            format!("quota:{id}:{iface}:{prev}:{t}"),
                            "quota",
                            id,
                            router,
                            tr!(
                                self.lang,
                                "health-quota-new-month",
                                router = router,
                                interface = iface
                            ),
                        ));
                    }
                    self.emit(done);
                }
                r
            }
        };
        let mut events = Vec::new();
        if fresh && (row.last_rx, row.last_tx) != (rx, tx) {
            quota::add_reading(&mut row, rx, tx);
            for t in quota::crossed(row.bytes, q.bytes(), &q.thresholds, row.alerted) {
                row.alerted = t;
                events.push(Event::firing(
                    format!("quota:{id}:{iface}:{period}:{t}"),
                    "quota",
                    id,
                    router,
                    tr!(
                        self.lang,
                        "health-quota-used",
                        router = router,
                        interface = iface,
                        percent = t.to_string()
                    ),
                    tr!(
                        self.lang,
                        "health-quota-used-detail",
                        used = crate::fmt::bytes(row.bytes),
                        quota = crate::fmt::bytes(q.bytes()),
                        day = q.reset_day.to_string()
                    ),
                ));
            }
            self.store.save_quota(id, iface, &period, &row)?;
        }
        let quota = q.bytes();
        Ok((
            QuotaView {
                interface: iface.to_owned(),
                period,
                used: row.bytes,
                quota,
                percent: row
                    .bytes
                    .saturating_mul(100)
                    .checked_div(quota)
                    .unwrap_or(0),
                elapsed: quota::elapsed_percent(date, q.reset_day),
            },
            events,
        ))
    }

    /// Pings the gateway and the public targets from one router and reads its public
    /// address.
    async fn isp_round(&self, router: Arc<RouterHandle>) {
        let Some(client) = router
            .client()
            .filter(|_| router.live().status == Status::Up)
        else {
            return;
        };
        let id = router.id;
        let timeout = Duration::from_secs(5);
        let route = netwatch::default_route(&client).await.ok().flatten();
        let gw = route
            .as_ref()
            .map(|r| r.gateway.clone())
            .filter(|g| g.parse::<std::net::IpAddr>().is_ok());
        // One command at a time: the poller and the log streams share the connection's
        // in-flight commands (8) with the health checks.
        let gw_ping = match &gw {
            Some(g) => netwatch::ping(&client, g, 10, timeout).await.ok(),
            None => None,
        };
        let mut targets: Vec<(String, PingResult)> = Vec::new();
        for t in &self.settings.public_targets {
            if let Ok(p) = netwatch::ping(&client, t, 10, timeout).await {
                targets.push((t.clone(), p));
            }
        }
        let public = netwatch::public_address(&client).await;
        self.ping_devices(&router, &client).await;
        let now = crate::now();
        let measured = gw_ping.is_some() || !targets.is_empty();
        let dead = measured
            && gw_ping.is_none_or(|p| p.received == 0)
            && targets.iter().all(|(_, p)| p.received == 0);
        let mut events = Vec::new();
        let public = public.ok().flatten();
        let known = self.store.public_address(id).ok().flatten();
        if let Some(addr) = &public {
            match &known {
                Some((old, _)) if old == addr => {}
                _ => {
                    let _ = self.store.set_public_address(id, addr, now);
                    if let Some((old, _)) = &known {
                        events.push(Event::info(
                            format!("public-address:{id}:{now}"),
                            "public-address",
                            id,
                            &router.name,
                            tr!(
                                self.lang,
                                "health-public-address",
                                router = &router.name,
                                old = old.to_string(),
                                new = addr.to_string()
                            ),
                        ));
                    }
                }
            }
        }
        {
            let mut inner = lock(&self.inner);
            let e = inner.routers.entry(id).or_default();
            e.isp.gateway = gw_ping;
            e.isp.targets = targets;
            e.isp.checked = now;
            if measured {
                e.isp.down = dead || e.isp.route.as_ref().is_some_and(|r| !r.active);
            }
            e.isp.public = match public {
                Some(a) => {
                    let since = match known {
                        Some((old, t)) if old == a => t,
                        _ => now,
                    };
                    Some((a, since))
                }
                None => known,
            };
        }
        self.emit(events);
    }

    /// Pings (`count=3`) the devices whose netwatch entry reports no latency, at most
    /// [`PINGS_PER_ROUND`] a round, the least recently pinged first; keeps the result for the
    /// views and the history.
    async fn ping_devices(&self, router: &RouterHandle, client: &routeros_proto::Client) {
        use futures_util::StreamExt;
        let id = router.id;
        let stored = self.store.devices().unwrap_or_default();
        let due: Vec<(i64, String, String)> = {
            let inner = lock(&self.inner);
            let Some(h) = inner.routers.get(&id) else {
                return;
            };
            let mut due: Vec<(i64, i64, String, String)> = h
                .devices
                .iter()
                .filter(|v| v.rtt_us.is_none() || inner.pinged.contains_key(&(id, v.name.clone())))
                .filter_map(|v| {
                    let dev = stored
                        .iter()
                        .find(|d| d.name == v.name && d.router_id == id)?;
                    let last = inner.pinged.get(&(id, v.name.clone())).map_or(0, |p| p.2);
                    Some((last, dev.id, v.name.clone(), v.ip.clone()?))
                })
                .collect();
            due.sort();
            due.into_iter()
                .take(PINGS_PER_ROUND)
                .map(|(_, d, n, ip)| (d, n, ip))
                .collect()
        };
        let results: Vec<(i64, String, PingResult)> = futures_util::stream::iter(due)
            .map(|(dev, name, ip)| async move {
                netwatch::ping(client, &ip, 3, Duration::from_secs(3))
                    .await
                    .ok()
                    .map(|p| (dev, name, p))
            })
            .buffer_unordered(PINGS_IN_FLIGHT)
            .filter_map(std::future::ready)
            .collect()
            .await;
        let now = crate::now();
        let mut samples = Vec::new();
        {
            let mut inner = lock(&self.inner);
            for (dev, name, p) in results {
                inner.pinged.insert((id, name), (p.avg_us, p.loss(), now));
                samples.push((
                    dev,
                    DeviceSample {
                        t: now,
                        up: p.received > 0,
                        rtt_us: p.avg_us.and_then(|v| i64::try_from(v).ok()),
                        loss: i64::try_from(p.loss()).ok(),
                    },
                ));
            }
            let names: HashSet<&str> = stored.iter().map(|d| d.name.as_str()).collect();
            inner
                .pinged
                .retain(|(r, n), _| *r != id || names.contains(n.as_str()));
        }
        let store = self.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.add_device_samples(&samples)).await;
    }

    /// Runs the checks until dropped: device rounds every `every` (and at once after a
    /// device is added or removed), ISP rounds every `isp_check_secs`.
    pub async fn run(self: Arc<Self>, every: Duration) {
        let me = self.clone();
        let isp = async move {
            let mut tick =
                tokio::time::interval(Duration::from_secs(me.settings.isp_check_secs.max(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let routers = me.hub.routers();
                futures_util::future::join_all(routers.into_iter().map(|r| me.isp_round(r))).await;
            }
        };
        let devices = async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = self.wake.notified() => {}
                }
                let routers = self.hub.routers();
                futures_util::future::join_all(routers.into_iter().map(|r| self.round(r))).await;
            }
        };
        tokio::join!(isp, devices);
    }

    /// The devices of every router (for pages and chat).
    pub fn all_devices(&self) -> Vec<(Arc<RouterHandle>, DeviceView)> {
        let stored = self.store.devices().unwrap_or_default();
        let inner = lock(&self.inner);
        let mut out = Vec::new();
        for d in stored {
            let Some(r) = self.hub.router(d.router_id) else {
                continue;
            };
            let seen = inner
                .routers
                .get(&d.router_id)
                .and_then(|h| h.devices.iter().find(|v| v.name == d.name))
                .cloned();
            out.push((
                r,
                seen.unwrap_or(DeviceView {
                    name: d.name.clone(),
                    address: d.address.clone(),
                    ip: d
                        .address
                        .parse::<std::net::IpAddr>()
                        .ok()
                        .map(|_| d.address),
                    parent: d.parent,
                    status: "unknown",
                    fails: 0,
                    since: 0,
                    rtt_us: None,
                    loss: None,
                }),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_and_reject_mistakes() {
        let s = Settings::default();
        assert_eq!(s.failed_checks, 3);
        assert_eq!(s.public_targets, ["8.8.8.8", "1.1.1.1"]);
        s.validate().unwrap();
        let bad = |t: &str| {
            toml::from_str::<Settings>(t)
                .map_err(|e| Error::Config(e.to_string()))
                .and_then(|s| s.validate())
                .is_err()
        };
        assert!(bad("failed_checks = 0"));
        assert!(bad("colour = 'red'"));
        assert!(bad("public_targets = ['dns.google']"));
        assert!(bad("uplink_capacity = 'fast'"));
        assert!(bad(
            "[[quota]]\ninterface = 'ether1'\nmonthly_gb = 100\nreset_day = 31"
        ));
        assert!(bad(
            "[[quota]]\ninterface = 'ether1'\nmonthly_gb = 100\nthresholds = [0]"
        ));
        let ok: Settings = toml::from_str(
            "uplink_capacity = '100M/20M'\n[[quota]]\ninterface = 'ether1'\nmonthly_gb = 500",
        )
        .unwrap();
        ok.validate().unwrap();
        assert_eq!(ok.capacity(), Some((100_000_000, 20_000_000)));
        assert_eq!(ok.quotas[0].thresholds, [80, 100]);
        assert_eq!(ok.quotas[0].bytes(), 500_000_000_000);
    }

    #[test]
    fn macs_are_told_from_names() {
        assert!(is_mac("AA:bb:cc:00:11:22"));
        assert!(is_mac("aa-bb-cc-00-11-22"));
        assert!(!is_mac("10.0.0.1"));
        assert!(!is_mac("aa:bb:cc:00:11"));
        assert!(valid_name("Pak Budi"));
        assert!(!valid_name(" x"));
        assert!(!valid_name("a\nb"));
    }
}
