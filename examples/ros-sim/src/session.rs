//! Hotspot logins and PPPoE sessions: the `/ip/hotspot/active` and `/ppp/active` rows, their
//! counters and limits, what MIKHMON's on-login script does on a real router, and PPPoE
//! clients that dial again after their session is removed.
//!
//! Counters live in [`Item::stats`], by menu:
//!
//! | menu | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 |
//! |---|---|---|---|---|---|---|---|---|
//! | hotspot user | uptime s | bytes-in | bytes-out | packets-in | packets-out | | | |
//! | hotspot active | uptime s | bytes-in | bytes-out | packets-in | packets-out | user id ≪ 32 \| host id | rate caps | logout at uptime |
//! | hotspot host | uptime s | bytes-in | bytes-out | packets-in | packets-out | | | |
//! | hotspot cookie | expires at (router uptime) | | | | | | | |
//! | PPP active | uptime s | bytes-in | bytes-out | queue id | address-list id | secret id | interface id | rate caps |
//!
//! Rate caps are bytes per second, download ≪ 32 | upload, 0 for none.

use std::net::Ipv4Addr;

use queue_model::hotspot::mikhmon::{looks_like_header, OnLoginHeader, SalesRecord};
use queue_model::{MacAddress, RateLimit, Text, Time};
use routeros_proto::TrapCategory;

use crate::schema::MenuKind;
use crate::state::{format_duration, Failure, Item, State};
use crate::traffic::Rng;

mod ppp;
pub(crate) use ppp::{ppp_connect, ppp_disconnect};
use ppp::{ppp_ended, tick_ppp};

/// Session limits, the random source of session traffic, and the PPPoE clients.
pub(crate) struct Sessions {
    /// Most hotspot sessions, and most PPP sessions.
    pub max: usize,
    /// Seconds before a PPPoE client whose session was removed dials again.
    pub redial_after: u64,
    rng: Rng,
    clients: Vec<Client>,
    /// Session ids handed out (PPP `session-id`).
    next_session: u32,
    /// Addresses and MACs handed to hotspot logins that gave none.
    next_host: u32,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::new(1, 10_000, 5)
    }
}

impl Sessions {
    pub fn new(seed: u64, max: usize, redial_after: u64) -> Self {
        Sessions {
            max,
            redial_after,
            rng: Rng::new(seed ^ 0x5e55_1075),
            clients: Vec::new(),
            next_session: 0,
            next_host: 0,
        }
    }
}

/// A PPPoE client: it dials with its credentials and, when the router removes its session,
/// dials again after [`Sessions::redial_after`] seconds until it gets in or hangs up.
struct Client {
    name: Box<[u8]>,
    password: Box<[u8]>,
    caller_id: String,
    /// The `/ppp/active` id while connected.
    session: Option<u32>,
    /// Router uptime at which to dial again.
    redial_at: Option<u64>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn refused(message: impl Into<String>) -> Failure {
    Failure::new(None, message)
}

fn bad_value(name: &str) -> Failure {
    Failure::new(
        Some(TrapCategory::ArgumentValue),
        format!("invalid value for argument {name}"),
    )
}

fn secs(t: Option<&str>) -> u64 {
    t.and_then(|v| v.parse::<Time>().ok())
        .map_or(0, |t| t.as_millis() / 1000)
}

fn num(t: Option<&str>) -> u64 {
    t.and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Bytes per second a rate-limit allows, packed download ≪ 32 | upload (0: no limit).
fn caps(rate_limit: Option<&str>) -> u64 {
    let Some(r) = rate_limit
        .filter(|r| !r.is_empty())
        .and_then(|r| r.parse::<RateLimit>().ok())
    else {
        return 0;
    };
    let b = |bits: u64| (bits / 8).min(u64::from(u32::MAX));
    // rx is what the router receives from the client (upload), tx what it sends (download).
    b(r.rate.download.0) << 32 | b(r.rate.upload.0)
}

/// One second of a session's traffic: `(bytes from the client, bytes to the client)`.
fn draw(rng: &mut Rng, caps: u64) -> (u64, u64) {
    let down = 20_000 + rng.below(230_000);
    let up = down / 8 + rng.below(4_000);
    let (dcap, ucap) = (caps >> 32, caps & 0xFFFF_FFFF);
    (
        if ucap > 0 { up.min(ucap) } else { up },
        if dcap > 0 { down.min(dcap) } else { down },
    )
}

fn packets(bytes: u64) -> u64 {
    bytes.div_ceil(1200)
}

/// Read-only values of session menus (`uptime`, counters, time left).
pub(crate) fn computed(st: &State, kind: MenuKind, item: &Item, name: &str) -> Option<String> {
    let s = &item.stats;
    let counter = |name: &str| match name {
        "bytes-in" => Some(s[1].to_string()),
        "bytes-out" => Some(s[2].to_string()),
        "packets-in" => Some(s[3].to_string()),
        "packets-out" => Some(s[4].to_string()),
        _ => None,
    };
    match (kind, name) {
        (MenuKind::HotspotCookie, "expires-in") => {
            Some(format_duration(s[0].saturating_sub(st.uptime)))
        }
        (MenuKind::HotspotCookie, _) => None,
        (_, "uptime") => Some(format_duration(s[0])),
        (MenuKind::HotspotActive, "session-time-left") => {
            (s[7] > 0).then(|| format_duration(s[7].saturating_sub(s[0])))
        }
        (MenuKind::HotspotUser | MenuKind::HotspotActive | MenuKind::HotspotHost, n) => counter(n),
        _ => None,
    }
}

/// Effects of an API `remove` on session menus: a removed hotspot session is logged out, a
/// removed hotspot user's sessions too, and a removed PPP session's client dials again.
pub(crate) fn removed(st: &mut State, kind: MenuKind, items: &[Item]) {
    match kind {
        MenuKind::HotspotActive => hotspot_ended(st, items, "admin reset"),
        MenuKind::HotspotUser => {
            let am = st.menu_by_kind(MenuKind::HotspotActive);
            let ids: Vec<u32> = st.menus[am]
                .items
                .iter()
                .filter(|a| items.iter().any(|u| u64::from(u.id) == a.stats[5] >> 32))
                .map(|a| a.id)
                .collect();
            end_hotspot(st, &ids, "admin reset");
        }
        MenuKind::PppActive => ppp_ended(st, items, "nas-request", true),
        _ => {}
    }
}

/// Advances every session by one second: counters, limits, cookies, PPPoE redials.
pub(crate) fn tick(st: &mut State) {
    tick_hotspot(st);
    tick_ppp(st);
}

// ---------------------------------------------------------------------------------------------
// Hotspot

/// A hotspot login from `mac`/`ip` (empty: the simulator picks them), checked as RouterOS
/// checks it; returns the `/ip/hotspot/active` id.
pub(crate) fn hotspot_login(
    st: &mut State,
    user: &[u8],
    password: &[u8],
    mac: &str,
    ip: &str,
) -> Result<u32, Failure> {
    let (mac, ip) = client_address(st, mac, ip)?;
    let result = hotspot_check(st, user, password, &mac, &ip);
    match result {
        Ok(login) => Ok(hotspot_start(st, login, &mac, &ip)),
        Err(f) => {
            st.log(
                "hotspot,info,debug",
                &format!("{} ({ip}): login failed: {}", lossy(user), f.message),
            );
            Err(f)
        }
    }
}

fn client_address(st: &mut State, mac: &str, ip: &str) -> Result<(String, String), Failure> {
    let mac = if mac.is_empty() {
        None
    } else {
        Some(
            mac.parse::<MacAddress>()
                .map_err(|_| bad_value("mac-address"))?
                .to_string(),
        )
    };
    let ip = if ip.is_empty() {
        None
    } else {
        Some(
            ip.parse::<Ipv4Addr>()
                .map_err(|_| bad_value("address"))?
                .to_string(),
        )
    };
    if let (Some(mac), Some(ip)) = (&mac, &ip) {
        return Ok((mac.clone(), ip.clone()));
    }
    // A device the simulator makes up: the next MAC and address no session uses.
    let am = &st.menus[st.menu_by_kind(MenuKind::HotspotActive)];
    let space: u32 = 254 * 200;
    let tries = u32::try_from(st.sessions.max)
        .unwrap_or(u32::MAX)
        .min(space);
    for _ in 0..=tries {
        let n = st.sessions.next_host;
        st.sessions.next_host = n.wrapping_add(1);
        let [_, _, a, b] = n.to_be_bytes();
        let m = n % space;
        let made_mac = format!("02:00:5E:10:{a:02X}:{b:02X}");
        let made_ip = Ipv4Addr::new(
            10,
            5,
            u8::try_from(50 + m / 254).unwrap_or(50),
            u8::try_from(m % 254 + 1).unwrap_or(1),
        )
        .to_string();
        let mac = mac.clone().unwrap_or(made_mac);
        let ip = ip.clone().unwrap_or(made_ip);
        let taken = am.items.iter().any(|s| {
            am.value(s, "mac-address") == Some(mac.as_str())
                || am.value(s, "address") == Some(ip.as_str())
        });
        if !taken {
            return Ok((mac, ip));
        }
    }
    Err(refused(
        "cannot assign ip address - no more free addresses from pool",
    ))
}

/// What a login that passed its checks needs.
struct Login {
    user_id: u32,
    user: Vec<u8>,
    server: Vec<u8>,
    profile: Vec<u8>,
    /// Seconds of session before a limit logs it out (0: none).
    deadline: u64,
    caps: u64,
    idle_timeout: Option<String>,
    keepalive_timeout: Option<String>,
    bytes_left: Option<u64>,
    cookie_for: Option<u64>,
    on_login: Vec<u8>,
}

fn hotspot_check(
    st: &State,
    user: &[u8],
    password: &[u8],
    mac: &str,
    ip: &str,
) -> Result<Login, Failure> {
    let name = lossy(user);
    let am = &st.menus[st.menu_by_kind(MenuKind::HotspotActive)];
    let servers = &st.menus[st.menu_by_kind(MenuKind::HotspotServer)];
    let server = servers
        .items
        .iter()
        .find(|s| servers.value(s, "disabled") != Some("true"))
        .and_then(|s| servers.raw(s, "name"))
        .ok_or_else(|| refused("configuration error (no hotspot server)"))?;
    if am
        .items
        .iter()
        .any(|a| am.value(a, "mac-address") == Some(mac) || am.value(a, "address") == Some(ip))
    {
        return Err(refused(format!("IP {ip} is already logged in")));
    }
    if am.items.len() >= st.sessions.max {
        return Err(refused(format!(
            "session limit reached ({})",
            st.sessions.max
        )));
    }
    let um = &st.menus[st.menu_by_kind(MenuKind::HotspotUser)];
    let invalid = || refused("invalid username or password");
    let u = um
        .find("name", user)
        .and_then(|p| um.items.get(p))
        .ok_or_else(invalid)?;
    let server_ok = match um.raw(u, "server") {
        None | Some(b"all") => true,
        Some(s) => s == server,
    };
    if um.value(u, "disabled") == Some("true")
        || um.raw(u, "password").unwrap_or_default() != password
        || !server_ok
    {
        return Err(invalid());
    }
    if let Some(locked) = um.value(u, "mac-address") {
        if locked != mac && locked != "00:00:00:00:00:00" {
            return Err(refused(format!(
                "user {name} is not allowed to log in from this MAC address"
            )));
        }
    }
    let limit_uptime = secs(um.value(u, "limit-uptime"));
    if limit_uptime > 0 && u.stats[0] >= limit_uptime {
        return Err(refused(format!("user {name} has reached uptime limit")));
    }
    let total = num(um.value(u, "limit-bytes-total"));
    let limit_in = num(um.value(u, "limit-bytes-in"));
    let limit_out = num(um.value(u, "limit-bytes-out"));
    let used = u.stats[1].saturating_add(u.stats[2]);
    if (total > 0 && used >= total)
        || (limit_in > 0 && u.stats[1] >= limit_in)
        || (limit_out > 0 && u.stats[2] >= limit_out)
    {
        return Err(refused(format!("user {name} has reached traffic limit")));
    }
    let profile_name = um.raw(u, "profile").unwrap_or(b"default");
    let pm = &st.menus[st.menu_by_kind(MenuKind::HotspotProfile)];
    let p = pm
        .find("name", profile_name)
        .and_then(|i| pm.items.get(i))
        .ok_or_else(|| refused("no valid profile found"))?;
    let shared = match pm.value(p, "shared-users") {
        Some("unlimited") => u64::MAX,
        v => num(v).max(1),
    };
    let sessions = am
        .items
        .iter()
        .filter(|a| a.stats[5] >> 32 == u64::from(u.id))
        .count();
    if u64::try_from(sessions).unwrap_or(u64::MAX) >= shared {
        return Err(refused(format!(
            "no more sessions are allowed for user {name}"
        )));
    }
    let left = (limit_uptime > 0).then(|| limit_uptime - u.stats[0]);
    let timeout = Some(secs(pm.value(p, "session-timeout"))).filter(|t| *t > 0);
    let deadline = match (left, timeout) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(0),
    };
    let timeout_value = |name: &str| {
        pm.value(p, name)
            .filter(|v| *v != "none" && !v.is_empty())
            .map(str::to_owned)
    };
    Ok(Login {
        user_id: u.id,
        user: user.to_vec(),
        server: server.to_vec(),
        profile: profile_name.to_vec(),
        deadline,
        caps: caps(pm.value(p, "rate-limit")),
        idle_timeout: timeout_value("idle-timeout"),
        keepalive_timeout: timeout_value("keepalive-timeout"),
        bytes_left: (total > 0).then(|| total - used),
        cookie_for: (pm.value(p, "add-mac-cookie") != Some("false"))
            .then(|| secs(pm.value(p, "mac-cookie-timeout"))),
        on_login: pm.raw(p, "on-login").unwrap_or_default().to_vec(),
    })
}

fn hotspot_start(st: &mut State, login: Login, mac: &str, ip: &str) -> u32 {
    let host_id = authorize_host(st, &login.server, mac, ip);
    let am = st.menu_by_kind(MenuKind::HotspotActive);
    let left = login.bytes_left.map(|b| b.to_string());
    let mut values: Vec<(&str, &[u8])> = vec![
        ("server", &login.server),
        ("user", &login.user),
        ("address", ip.as_bytes()),
        ("mac-address", mac.as_bytes()),
        ("login-by", b"http-chap"),
    ];
    if let Some(t) = &login.idle_timeout {
        values.push(("idle-timeout", t.as_bytes()));
    }
    if let Some(t) = &login.keepalive_timeout {
        values.push(("keepalive-timeout", t.as_bytes()));
    }
    if let Some(b) = &left {
        values.push(("limit-bytes-total", b.as_bytes()));
    }
    let id = st.insert_dynamic(am, &values);
    if let Some(pos) = st.menus[am].position(id) {
        let item = &mut st.menus[am].items[pos];
        item.dynamic = false;
        item.stats[5] = u64::from(login.user_id) << 32 | u64::from(host_id);
        item.stats[6] = login.caps;
        item.stats[7] = login.deadline;
    }
    if let Some(timeout) = login.cookie_for {
        add_cookie(st, &login.user, mac, timeout);
    }
    st.log(
        "hotspot,account,info,debug",
        &format!("{} ({ip}): logged in", lossy(&login.user)),
    );
    mikhmon_on_login(st, login.user_id, &login.profile, &login.on_login, mac, ip);
    id
}

/// The `/ip/hotspot/host` row of `mac`, made or updated and marked authorized; returns its id.
fn authorize_host(st: &mut State, server: &[u8], mac: &str, ip: &str) -> u32 {
    let hm = st.menu_by_kind(MenuKind::HotspotHost);
    let m = &mut st.menus[hm];
    let idx = |name: &str| m.spec.prop_index(name.as_bytes()).unwrap_or(usize::MAX);
    let (i_addr, i_to, i_auth) = (idx("address"), idx("to-address"), idx("authorized"));
    if let Some(pos) = m.find("mac-address", mac.as_bytes()) {
        let item = &mut m.items[pos];
        item.set(i_addr, ip.as_bytes().into());
        item.set(i_to, ip.as_bytes().into());
        item.set(i_auth, (*b"true").into());
        let id = item.id;
        m.generation += 1;
        st.notify(hm, id, false);
        return id;
    }
    if m.items.len() >= st.sessions.max {
        // Full: forget the oldest host that is not logged in (at most `max` are).
        if let Some(pos) = m
            .items
            .iter()
            .position(|h| m.value(h, "authorized") != Some("true"))
        {
            let id = m.items[pos].id;
            st.remove_ids(hm, &[id]);
        }
    }
    st.insert_dynamic(
        hm,
        &[
            ("mac-address", mac.as_bytes()),
            ("address", ip.as_bytes()),
            ("to-address", ip.as_bytes()),
            ("server", server),
            ("bridge-port", b"wlan1"),
            ("found-by", format!("DHCP {ip}").as_bytes()),
            ("authorized", b"true"),
        ],
    )
}

fn add_cookie(st: &mut State, user: &[u8], mac: &str, timeout: u64) {
    let cm = st.menu_by_kind(MenuKind::HotspotCookie);
    let expires = st.uptime.saturating_add(timeout);
    let m = &st.menus[cm];
    if let Some(pos) = m.find("mac-address", mac.as_bytes()) {
        let id = m.items[pos].id;
        st.remove_ids(cm, &[id]);
    } else if m.items.len() >= st.sessions.max {
        if let Some(id) = m.items.first().map(|c| c.id) {
            st.remove_ids(cm, &[id]);
        }
    }
    let id = st.insert_dynamic(cm, &[("user", user), ("mac-address", mac.as_bytes())]);
    if let Some(pos) = st.menus[cm].position(id) {
        st.menus[cm].items[pos].dynamic = false;
        st.menus[cm].items[pos].stats[0] = expires;
    }
}

/// What MIKHMON's on-login script does on the first login of a voucher (its comment a batch
/// `vc-...`/`up-...`, or empty): the expiry (now + validity) becomes the comment, in the
/// version's date form; a recording mode adds the sale as a `/system/script`; a lock sets the
/// user's MAC. The scheduler the script uses to compute the expiry is not simulated.
fn mikhmon_on_login(
    st: &mut State,
    user_id: u32,
    profile: &[u8],
    on_login: &[u8],
    mac: &str,
    ip: &str,
) {
    if !looks_like_header(on_login) {
        return;
    }
    let Ok(header) = OnLoginHeader::from_script(on_login) else {
        return;
    };
    let um = st.menu_by_kind(MenuKind::HotspotUser);
    let m = &st.menus[um];
    let Some(pos) = m.position(user_id) else {
        return;
    };
    let item = &m.items[pos];
    let comment = m.raw(item, "comment").unwrap_or_default().to_vec();
    let name = m.raw(item, "name").unwrap_or_default().to_vec();
    let first = comment.is_empty() || comment.starts_with(b"vc") || comment.starts_with(b"up");
    let mut changes: Vec<(String, Vec<u8>)> = Vec::new();
    // Without a validity the script only locks, on every login.
    if let (Some(mode), Some(validity)) = (header.mode, header.validity) {
        if !first {
            return;
        }
        let now = st.now();
        let style = st.date_style();
        if let Some(expiry) = now.checked_add(validity.duration()) {
            changes.push(("comment".into(), expiry.render(style).into_bytes()));
        }
        if mode.records() {
            let mut r = SalesRecord::new(now.date, now.time, name, header.price);
            r.address = Text::from(ip);
            r.mac = Text::from(mac);
            r.validity = Text::from(validity.to_string());
            r.profile = Text::from(profile);
            r.comment = Text::from(comment);
            let attrs: Vec<(String, Vec<u8>)> = r
                .to_attributes(style)
                .iter()
                .map(|(k, v)| (lossy(k), v.to_vec()))
                .collect();
            let sm = st.menu_by_kind(MenuKind::Script);
            // A second record with the same name fails, as the script's `add` would.
            let _ = st.add(sm, &attrs);
        }
    }
    if header.mac_lock {
        changes.push(("mac-address".into(), mac.as_bytes().to_vec()));
    }
    if !changes.is_empty() {
        if let Some(pos) = st.menus[um].position(user_id) {
            let _ = st.set(um, &[pos], &changes);
        }
    }
}

/// Logs out every session of `user` as its owner does from the status page; returns how
/// many there were.
pub(crate) fn hotspot_logout(st: &mut State, user: &[u8]) -> Result<usize, Failure> {
    let am = st.menu_by_kind(MenuKind::HotspotActive);
    let m = &st.menus[am];
    let ids: Vec<u32> = m
        .items
        .iter()
        .filter(|a| m.raw(a, "user") == Some(user))
        .map(|a| a.id)
        .collect();
    if ids.is_empty() {
        return Err(Failure::no_such_item());
    }
    end_hotspot(st, &ids, "user request");
    Ok(ids.len())
}

fn end_hotspot(st: &mut State, ids: &[u32], cause: &str) {
    if ids.is_empty() {
        return;
    }
    let am = st.menu_by_kind(MenuKind::HotspotActive);
    let removed = st.remove_ids(am, ids);
    hotspot_ended(st, &removed, cause);
}

fn hotspot_ended(st: &mut State, sessions: &[Item], cause: &str) {
    let am = st.menu_by_kind(MenuKind::HotspotActive);
    let hm = st.menu_by_kind(MenuKind::HotspotHost);
    for s in sessions {
        let host = u32::try_from(s.stats[5] & 0xFFFF_FFFF).unwrap_or(0);
        let m = &mut st.menus[hm];
        if let (Some(pos), Some(idx)) = (m.position(host), m.spec.prop_index(b"authorized")) {
            m.items[pos].set(idx, (*b"false").into());
            m.generation += 1;
            st.notify(hm, host, false);
        }
        let a = &st.menus[am];
        let user = lossy(a.raw(s, "user").unwrap_or_default());
        let ip = a.value(s, "address").unwrap_or_default().to_owned();
        st.log(
            "hotspot,account,info,debug",
            &format!("{user} ({ip}): logged out: {cause}"),
        );
    }
}

fn tick_hotspot(st: &mut State) {
    let am = st.menu_by_kind(MenuKind::HotspotActive);
    let um = st.menu_by_kind(MenuKind::HotspotUser);
    let hm = st.menu_by_kind(MenuKind::HotspotHost);
    let cm = st.menu_by_kind(MenuKind::HotspotCookie);
    for h in &mut st.menus[hm].items {
        h.stats[0] += 1;
    }
    let mut ended: Vec<(u32, &'static str)> = Vec::new();
    for i in 0..st.menus[am].items.len() {
        let Some(a) = st.menus[am].items.get_mut(i) else {
            break;
        };
        let (up, down) = draw(&mut st.sessions.rng, a.stats[6]);
        let add = [1, up, down, packets(up), packets(down)];
        for (slot, n) in a.stats.iter_mut().zip(add) {
            *slot += n;
        }
        let (id, link, uptime, deadline) = (a.id, a.stats[5], a.stats[0], a.stats[7]);
        let user_id = u32::try_from(link >> 32).unwrap_or(0);
        let host_id = u32::try_from(link & 0xFFFF_FFFF).unwrap_or(0);
        let mut cause = None;
        let users = &mut st.menus[um];
        if let Some(pos) = users.position(user_id) {
            let u = &mut users.items[pos];
            for (slot, n) in u.stats.iter_mut().zip(add) {
                *slot += n;
            }
            let (uptime_used, bin, bout) = (u.stats[0], u.stats[1], u.stats[2]);
            let u = &users.items[pos];
            let total = num(users.value(u, "limit-bytes-total"));
            let limit_in = num(users.value(u, "limit-bytes-in"));
            let limit_out = num(users.value(u, "limit-bytes-out"));
            let limit_uptime = secs(users.value(u, "limit-uptime"));
            if (total > 0 && bin + bout >= total)
                || (limit_in > 0 && bin >= limit_in)
                || (limit_out > 0 && bout >= limit_out)
            {
                cause = Some("traffic limit reached");
            } else if deadline > 0 && uptime >= deadline {
                cause = Some(if limit_uptime > 0 && uptime_used >= limit_uptime {
                    "uptime limit reached"
                } else {
                    "session timeout"
                });
            }
        }
        let hosts = &mut st.menus[hm];
        if let Some(pos) = hosts.position(host_id) {
            let h = &mut hosts.items[pos];
            for (slot, n) in h.stats.iter_mut().zip(add).skip(1) {
                *slot += n;
            }
        }
        if let Some(c) = cause {
            ended.push((id, c));
        }
    }
    for (id, cause) in ended {
        end_hotspot(st, &[id], cause);
    }
    let now = st.uptime;
    let expired: Vec<u32> = st.menus[cm]
        .items
        .iter()
        .filter(|c| c.stats[0] <= now)
        .map(|c| c.id)
        .collect();
    if !expired.is_empty() {
        st.remove_ids(cm, &expired);
    }
}
