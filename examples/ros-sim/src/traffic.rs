//! The traffic model: LAN hosts open connections to applications; firewall and mangle rules
//! (with layer7 matching on the connections' first payload) classify them; simple queues shape
//! them; interface and queue counters move. One [`tick`] is one simulated second.
//!
//! Everything is driven by a seeded generator, so a seed and a number of ticks determine the
//! whole state.

use std::net::Ipv4Addr;

use crate::l7::L7Engine;
use crate::schema::MenuKind;
use crate::state::{Item, Menu, State};
use queue_model::sim::{Simulation, TreeFlow, TreeSimulation};
use queue_model::{Item as _, PcqClassifier, QueueTree, QueueType, Rate, SimpleQueue, UpDown};

use crate::validate::{explicit_attributes, net_contains, parse_net, parse_rate, rate_pair};

mod trees;
use trees::{shape_trees, Trees};

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

impl Default for Rng {
    fn default() -> Self {
        Rng::new(1)
    }
}

/// The applications the hosts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    Web,
    YouTube,
    TikTok,
    Game,
    BitTorrent,
    Dns,
}

impl App {
    const ALL: [App; 6] = [
        App::Web,
        App::YouTube,
        App::TikTok,
        App::Game,
        App::BitTorrent,
        App::Dns,
    ];

    /// `(protocol, port, down bits/s, up bits/s, min seconds, max seconds, packet size)`.
    fn profile(self) -> (&'static str, u16, u64, u64, u64, u64, u64) {
        match self {
            App::Web => ("tcp", 80, 2_000_000, 200_000, 2, 8, 1200),
            App::YouTube => ("tcp", 443, 8_000_000, 300_000, 20, 90, 1400),
            App::TikTok => ("tcp", 443, 4_000_000, 200_000, 10, 40, 1400),
            App::Game => ("udp", 3074, 300_000, 200_000, 60, 300, 120),
            App::BitTorrent => ("tcp", 6881, 20_000_000, 5_000_000, 30, 200, 1400),
            App::Dns => ("udp", 53, 4_000, 2_000, 1, 1, 80),
        }
    }

    /// Weight of this app in a host's choice (out of 100).
    fn weight(self) -> u64 {
        match self {
            App::Web => 30,
            App::YouTube => 12,
            App::TikTok => 10,
            App::Game => 5,
            App::BitTorrent => 3,
            App::Dns => 40,
        }
    }
}

/// A TLS 1.2/1.3 ClientHello record carrying a server name indication.
pub(crate) fn client_hello(sni: &str, random: &[u8; 32]) -> Vec<u8> {
    let name = sni.as_bytes();
    let name_len = u16::try_from(name.len()).unwrap_or(0);
    let name = name.get(..usize::from(name_len)).unwrap_or_default();
    let mut sni_ext = Vec::new();
    sni_ext.extend_from_slice(&(name_len + 3).to_be_bytes()); // server name list length
    sni_ext.push(0); // host_name
    sni_ext.extend_from_slice(&name_len.to_be_bytes());
    sni_ext.extend_from_slice(name);
    let mut exts = Vec::new();
    exts.extend_from_slice(&[0x00, 0x00]);
    exts.extend_from_slice(&u16::try_from(sni_ext.len()).unwrap_or(0).to_be_bytes());
    exts.extend_from_slice(&sni_ext);
    // supported_versions: TLS 1.3, TLS 1.2
    exts.extend_from_slice(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]);
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(random);
    body.push(0); // session id
    body.extend_from_slice(&[0x00, 0x04, 0x13, 0x01, 0x13, 0x02]); // cipher suites
    body.extend_from_slice(&[0x01, 0x00]); // compression: null
    body.extend_from_slice(&u16::try_from(exts.len()).unwrap_or(0).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut hs = vec![0x01];
    let blen = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    hs.extend_from_slice(&blen[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&u16::try_from(hs.len()).unwrap_or(0).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

/// A DNS query for an A record.
pub(crate) fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        let l = label.as_bytes();
        let l = l.get(..l.len().min(63)).unwrap_or_default();
        q.push(u8::try_from(l.len()).unwrap_or(0));
        q.extend_from_slice(l);
    }
    q.extend_from_slice(&[0, 0x00, 0x01, 0x00, 0x01]);
    q
}

const WEB_SITES: &[&str] = &[
    "www.example.com",
    "news.ycombinator.com",
    "en.wikipedia.org",
];
const DNS_NAMES: &[&str] = &[
    "www.youtube.com",
    "www.tiktok.com",
    "connectivitycheck.gstatic.com",
    "time.cloudflare.com",
];

impl App {
    /// `(remote address, first payload from the client)`.
    fn connection(self, rng: &mut Rng) -> (Ipv4Addr, Vec<u8>) {
        let mut random = [0u8; 32];
        for chunk in random.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let pick = |rng: &mut Rng, list: &[&'static str]| {
            let i = usize::try_from(rng.below(list.len() as u64)).unwrap_or(0);
            list.get(i).copied().unwrap_or("example.com")
        };
        match self {
            App::Web => {
                let host = pick(rng, WEB_SITES);
                let req = format!(
                    "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html\r\nConnection: keep-alive\r\n\r\n"
                );
                (Ipv4Addr::new(93, 184, 215, 14), req.into_bytes())
            }
            App::YouTube => (
                Ipv4Addr::new(142, 250, 74, 110),
                client_hello("rr3---sn-4g5e6nsz.googlevideo.com", &random),
            ),
            App::TikTok => (
                Ipv4Addr::new(23, 213, 161, 40),
                client_hello("v16-webapp-prime.tiktok.com", &random),
            ),
            App::Game => {
                let mut p = vec![0xff, 0xff, 0xff, 0xff];
                p.extend_from_slice(b"getchallenge");
                p.extend_from_slice(&random[..8]);
                (Ipv4Addr::new(185, 60, 112, 157), p)
            }
            App::BitTorrent => {
                let mut p = vec![19];
                p.extend_from_slice(b"BitTorrent protocol");
                p.extend_from_slice(&[0, 0, 0, 0, 0, 0x10, 0, 0x05]);
                p.extend_from_slice(&random[..20]);
                p.extend_from_slice(b"-qB4630-");
                p.extend_from_slice(&random[20..32]);
                (Ipv4Addr::new(89, 160, 20, 156), p)
            }
            App::Dns => {
                let name = pick(rng, DNS_NAMES);
                let id = u16::try_from(rng.below(65536)).unwrap_or(0);
                (Ipv4Addr::new(1, 1, 1, 1), dns_query(id, name))
            }
        }
    }
}

/// A LAN host.
#[derive(Debug, Clone)]
pub(crate) struct Host {
    pub ip: Ipv4Addr,
    pub mac: String,
    pub name: String,
    /// Percent chance per second of opening a connection.
    pub activity: u64,
}

#[derive(Debug, Clone)]
struct Flow {
    host: usize,
    app: App,
    left: u64,
    dropped: bool,
    /// Packet marks of the client's packets (upload) and of the server's (download).
    marks: [Option<String>; 2],
    /// Firewall and mangle rules (by `.id`) this connection matched, and in which direction.
    rules: Vec<(u32, Dir)>,
    /// Shaped rates of the last tick (up, down), bits/s.
    rate: (u64, u64),
    /// The server's address.
    remote: Ipv4Addr,
    /// The client's port.
    sport: u16,
}

/// A direction of a connection, seen from the LAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Dir {
    /// Client to server (leaves through the WAN).
    Up = 0,
    /// Server to client (leaves through the LAN bridge).
    Down = 1,
}

/// One packet of a connection, as the firewall matchers see it.
struct Packet<'a> {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    proto: &'a str,
    in_if: &'a str,
    out_if: &'a str,
}

/// What a rule sees and changes besides the packet: the connection's layer7 protocols and
/// mark, the packet's mark, the address lists.
struct Ctx<'a> {
    l7: &'a [String],
    lists: &'a [(Vec<u8>, (u32, u8))],
    conn_mark: &'a mut Option<String>,
    packet_mark: &'a mut Option<String>,
}

/// Enabled address-list entries as `(list, network)`.
fn address_lists(state: &State) -> Vec<(Vec<u8>, (u32, u8))> {
    let m = &state.menus[state.menu_by_kind(MenuKind::AddressList)];
    m.items
        .iter()
        .filter(|it| m.value(it, "disabled") != Some("true"))
        .filter_map(|it| {
            let list = m.raw(it, "list")?.to_vec();
            let net = parse_net(m.value(it, "address")?)?;
            Some((list, net))
        })
        .collect()
}

/// `value` or `!value` against a predicate.
fn negatable(spec: &[u8], hit: impl Fn(&[u8]) -> bool) -> bool {
    match spec.strip_prefix(b"!") {
        Some(rest) => !hit(rest),
        None => hit(spec),
    }
}

/// A mark matcher: `no-mark` matches an unmarked connection or packet.
fn mark_matches(spec: &[u8], mark: Option<&str>) -> bool {
    negatable(spec, |want| match mark {
        Some(m) => m.as_bytes() == want,
        None => want == b"no-mark",
    })
}

/// True when an enabled rule of `chain` matches the packet.
fn rule_matches(m: &Menu, it: &Item, chain: &str, pkt: &Packet<'_>, ctx: &Ctx<'_>) -> bool {
    let v = |n: &str| m.value(it, n);
    let raw = |n: &str| m.raw(it, n);
    if v("disabled") == Some("true") || raw("chain") != Some(chain.as_bytes()) {
        return false;
    }
    let in_list = |list: &[u8], ip: Ipv4Addr| {
        ctx.lists
            .iter()
            .any(|(l, n)| l.as_slice() == list && net_contains(*n, u32::from(ip)))
    };
    let state_ok = |s: &str| {
        let states = s.trim_start_matches('!');
        let hit = states
            .split(',')
            .any(|x| matches!(x, "new" | "established"));
        hit != s.starts_with('!')
    };
    addr_matches(v("src-address"), pkt.src)
        && addr_matches(v("dst-address"), pkt.dst)
        && raw("src-address-list").is_none_or(|l| negatable(l, |l| in_list(l, pkt.src)))
        && raw("dst-address-list").is_none_or(|l| negatable(l, |l| in_list(l, pkt.dst)))
        && v("protocol").is_none_or(|p| p == pkt.proto)
        && v("src-port").is_none_or(|p| port_matches(p, pkt.sport))
        && v("dst-port").is_none_or(|p| port_matches(p, pkt.dport))
        && raw("in-interface").is_none_or(|i| negatable(i, |i| i == pkt.in_if.as_bytes()))
        && raw("out-interface").is_none_or(|i| negatable(i, |i| i == pkt.out_if.as_bytes()))
        && v("connection-state").is_none_or(state_ok)
        && v("layer7-protocol").is_none_or(|l| ctx.l7.iter().any(|n| n == l))
        && raw("connection-mark").is_none_or(|c| mark_matches(c, ctx.conn_mark.as_deref()))
        && raw("packet-mark").is_none_or(|c| mark_matches(c, ctx.packet_mark.as_deref()))
}

/// Performs a matched rule's action; true when it ends the chain.
fn rule_action(m: &Menu, it: &Item, ctx: &mut Ctx<'_>, dropped: &mut bool) -> bool {
    let v = |n: &str| m.value(it, n);
    let passthrough = v("passthrough") != Some("false");
    match v("action").unwrap_or("accept") {
        "mark-packet" => {
            *ctx.packet_mark = v("new-packet-mark").map(str::to_owned);
            !passthrough
        }
        "mark-connection" => {
            *ctx.conn_mark = v("new-connection-mark").map(str::to_owned);
            !passthrough
        }
        "mark-routing" => !passthrough,
        "drop" | "reject" => {
            *dropped = true;
            true
        }
        "accept" | "fasttrack-connection" => true,
        _ => false,
    }
}

fn log_line(
    m: &Menu,
    it: &Item,
    chain: &str,
    mac: &str,
    pkt: &Packet<'_>,
    payload: usize,
) -> String {
    format!(
        "{}{}: in:{} out:{}, connection-state:new src-mac {}, proto {}, {}:{}->{}:{}, len {}",
        m.value(it, "log-prefix").unwrap_or(""),
        chain,
        pkt.in_if,
        pkt.out_if,
        mac,
        pkt.proto.to_uppercase(),
        pkt.src,
        pkt.sport,
        pkt.dst,
        pkt.dport,
        payload + 40
    )
}

/// The model's own state (the configuration it reads lives in the menus).
#[derive(Default)]
pub(crate) struct Traffic {
    pub rng: Rng,
    pub hosts: Vec<Host>,
    flows: Vec<Flow>,
    l7: L7Engine,
    next_port: u16,
    /// Parsed queues, with the queue menu generation they were built from.
    queues: Option<(u64, Vec<QueueInfo>)>,
    /// queue-model's HTB simulation of the queues, rebuilt with `queues`.
    htb: Option<Simulation>,
    /// The queue trees as the shaper reads them, keyed by the tree and type menu generations.
    trees: Option<((u64, u64), Trees)>,
}

/// The WAN link's capacity the queues share (bits/s).
const WAN_UP: u64 = 100_000_000;
const WAN_DOWN: u64 = 500_000_000;

/// A simple queue as the shaper reads it.
#[derive(Debug, Clone)]
struct QueueInfo {
    enabled: bool,
    /// Parsed targets; `None` is an interface name (all LAN traffic).
    targets: Vec<Option<(u32, u8)>>,
    marks: Vec<String>,
    limit: (u64, u64),
    parent: Option<usize>,
    /// Has no children: only leaves take traffic, as in HTB.
    leaf: bool,
}

impl Traffic {
    pub fn new(seed: u64) -> Self {
        Traffic {
            rng: Rng::new(seed),
            next_port: 49152,
            ..Traffic::default()
        }
    }
    pub fn flow_count(&self) -> u64 {
        self.flows.len() as u64
    }
    /// A new host with the next free address in 192.168.88.0/24 (from .10 on).
    pub fn new_host(&mut self, name: Option<&str>, mac: Option<&str>) -> Host {
        let n = self.hosts.len();
        let last = u8::try_from(10 + n % 240).unwrap_or(10);
        let third = u8::try_from(88 + n / 240).unwrap_or(88);
        let r = self.rng.next_u64().to_le_bytes();
        let mac = mac.map(str::to_owned).unwrap_or_else(|| {
            format!(
                "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
                r[0] & 0xfe | 0x02,
                r[1],
                r[2],
                r[3],
                r[4],
                r[5]
            )
        });
        const NAMES: &[&str] = &[
            "android",
            "iPhone",
            "DESKTOP",
            "LivingRoom-TV",
            "Switch",
            "laptop",
        ];
        let base = NAMES.get(n % NAMES.len()).copied().unwrap_or("host");
        let host = Host {
            ip: Ipv4Addr::new(192, 168, third, last),
            mac,
            name: name
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{base}-{n}")),
            activity: 10 + self.rng.below(30),
        };
        self.hosts.push(host.clone());
        host
    }
}

fn port_matches(spec: &str, port: u16) -> bool {
    spec.split(',').any(|p| match p.split_once('-') {
        Some((a, b)) => match (a.parse::<u16>(), b.parse::<u16>()) {
            (Ok(a), Ok(b)) => (a..=b).contains(&port),
            _ => false,
        },
        None => p.parse::<u16>() == Ok(port),
    })
}

fn addr_matches(spec: Option<&str>, ip: Ipv4Addr) -> bool {
    let Some(spec) = spec else { return true };
    let (neg, spec) = match spec.strip_prefix('!') {
        Some(s) => (true, s),
        None => (false, spec),
    };
    let hit = parse_net(spec).is_some_and(|n| net_contains(n, u32::from(ip)));
    hit != neg
}

/// Advances the model by one second.
pub(crate) fn tick(state: &mut State) {
    let mut traffic = std::mem::take(&mut state.traffic);
    state.ticks += 1;
    state.uptime += 1;
    start_flows(state, &mut traffic);
    let totals = shape(state, &mut traffic);
    update_interfaces(state, &traffic, totals);
    traffic.flows.retain_mut(|f| {
        f.left = f.left.saturating_sub(1);
        f.left > 0
    });
    let base = 2 + (totals.0 + totals.1) / 20_000_000;
    let jitter = traffic.rng.below(4);
    state.cpu_load = match state.spike.as_mut() {
        Some((load, left)) if *left > 0 => {
            *left -= 1;
            *load
        }
        _ => u8::try_from((base + jitter).min(100)).unwrap_or(100),
    };
    if state.spike.is_some_and(|(_, left)| left == 0) {
        state.spike = None;
    }
    state.traffic = traffic;
}

fn start_flows(state: &mut State, traffic: &mut Traffic) {
    let l7m = state.menu_by_kind(MenuKind::Layer7);
    let filter = state.menu_by_kind(MenuKind::Filter);
    let mangle = state.menu_by_kind(MenuKind::Mangle);
    for host in 0..traffic.hosts.len() {
        let Some(activity) = traffic.hosts.get(host).map(|h| h.activity) else {
            continue;
        };
        let open = traffic.flows.iter().filter(|f| f.host == host).count();
        if open >= 6 || !traffic.rng.chance(activity) {
            continue;
        }
        let mut roll = traffic.rng.below(100);
        let app = App::ALL
            .iter()
            .copied()
            .find(|a| {
                if roll < a.weight() {
                    true
                } else {
                    roll -= a.weight();
                    false
                }
            })
            .unwrap_or(App::Dns);
        let (proto, port, _, _, min, max, _) = app.profile();
        let (remote, payload) = app.connection(&mut traffic.rng);
        let left = min + traffic.rng.below(max - min + 1);
        let src_port = traffic.next_port;
        traffic.next_port = traffic.next_port.checked_add(1).unwrap_or(49152).max(49152);
        let Some(h) = traffic.hosts.get(host).cloned() else {
            continue;
        };
        // Layer7 protocols matching this connection's first payload.
        let l7_names: Vec<String> = {
            let m = &state.menus[l7m];
            m.items
                .iter()
                .filter_map(|it| {
                    let name = m.value(it, "name")?;
                    let re = m.value(it, "regexp")?;
                    traffic.l7.is_match(re, &payload).then(|| name.to_owned())
                })
                .collect()
        };
        let mut flow = Flow {
            host,
            app,
            left,
            dropped: false,
            marks: [None, None],
            rules: Vec::new(),
            rate: (0, 0),
            remote,
            sport: src_port,
        };
        let lists = address_lists(state);
        let mut conn_mark: Option<String> = None;
        let mut logs = Vec::new();
        // The client's first packet, then the server's answer: each crosses the mangle chains
        // with the connection's mark so far and a packet mark of its own.
        for dir in [Dir::Up, Dir::Down] {
            let pkt = match dir {
                Dir::Up => Packet {
                    src: h.ip,
                    dst: remote,
                    sport: src_port,
                    dport: port,
                    proto,
                    in_if: "bridge",
                    out_if: "ether1",
                },
                Dir::Down => Packet {
                    src: remote,
                    dst: h.ip,
                    sport: port,
                    dport: src_port,
                    proto,
                    in_if: "ether1",
                    out_if: "bridge",
                },
            };
            let mut packet_mark = None;
            let mut ctx = Ctx {
                l7: &l7_names,
                lists: &lists,
                conn_mark: &mut conn_mark,
                packet_mark: &mut packet_mark,
            };
            for chain in ["prerouting", "forward", "postrouting"] {
                let m = &state.menus[mangle];
                for it in &m.items {
                    if !rule_matches(m, it, chain, &pkt, &ctx) {
                        continue;
                    }
                    flow.rules.push((it.id, dir));
                    if dir == Dir::Up && m.value(it, "log") == Some("true") {
                        logs.push(log_line(m, it, chain, &h.mac, &pkt, payload.len()));
                    }
                    if rule_action(m, it, &mut ctx, &mut flow.dropped) {
                        break;
                    }
                }
            }
            flow.marks[dir as usize] = packet_mark;
            if dir == Dir::Up {
                // The filter sees the client's packet in `forward`.
                let m = &state.menus[filter];
                let mut none = None;
                let mut ctx = Ctx {
                    l7: &l7_names,
                    lists: &lists,
                    conn_mark: &mut conn_mark,
                    packet_mark: &mut none,
                };
                for it in &m.items {
                    if !rule_matches(m, it, "forward", &pkt, &ctx) {
                        continue;
                    }
                    flow.rules.push((it.id, Dir::Up));
                    if m.value(it, "log") == Some("true") {
                        logs.push(log_line(m, it, "forward", &h.mac, &pkt, payload.len()));
                    }
                    if rule_action(m, it, &mut ctx, &mut flow.dropped) {
                        break;
                    }
                }
            }
            if flow.dropped {
                break;
            }
        }
        for line in logs {
            state.log("firewall,info", &line);
        }
        traffic.flows.push(flow);
    }
}

/// Shapes every flow through the simple queues; returns total (up, down) bits/s.
fn shape(state: &mut State, traffic: &mut Traffic) -> (u64, u64) {
    let qm = state.menu_by_kind(MenuKind::Queue);
    let wan_running = {
        let im = state.menu_by_kind(MenuKind::Interface);
        let m = &state.menus[im];
        m.items
            .iter()
            .find(|i| m.value(i, "name") == Some("ether1"))
            .is_none_or(|i| i.running && m.value(i, "disabled") != Some("true"))
    };
    // The queues as the shaper needs them, rebuilt only when the configuration changed.
    let menu = &state.menus[qm];
    if traffic
        .queues
        .as_ref()
        .is_none_or(|(g, _)| *g != menu.generation)
    {
        let mut infos: Vec<QueueInfo> = menu
            .items
            .iter()
            .map(|q| QueueInfo {
                enabled: menu.value(q, "disabled") != Some("true"),
                targets: menu
                    .value(q, "target")
                    .unwrap_or("")
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(parse_net)
                    .collect(),
                marks: menu
                    .value(q, "packet-marks")
                    .unwrap_or("")
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect(),
                limit: rate_pair(menu.value(q, "max-limit").unwrap_or("0/0")),
                parent: menu
                    .raw(q, "parent")
                    .filter(|p| *p != b"none")
                    .and_then(|p| {
                        menu.items
                            .iter()
                            .position(|x| menu.raw(x, "name") == Some(p))
                    }),
                leaf: true,
            })
            .collect();
        let parents: Vec<usize> = infos.iter().filter_map(|q| q.parent).collect();
        for p in parents {
            if let Some(q) = infos.get_mut(p) {
                q.leaf = false;
            }
        }
        // HTB sharing (limit-at, priority, burst, parents) by queue-model's simulator.
        let queues: Option<Vec<SimpleQueue>> = menu
            .items
            .iter()
            .map(|q| SimpleQueue::from_attributes(&explicit_attributes(menu.spec, q)).ok())
            .collect();
        traffic.htb = queues.and_then(|queues| {
            let mut config = queue_model::Config::new();
            config.queues = queues;
            Simulation::new(&config, UpDown::new(Rate(WAN_UP), Rate(WAN_DOWN))).ok()
        });
        traffic.queues = Some((menu.generation, infos));
    }
    let infos: &[QueueInfo] = traffic
        .queues
        .as_ref()
        .map(|(_, q)| q.as_slice())
        .unwrap_or(&[]);
    // Queue of each flow (position in the queue menu), by first match in order.
    let mut assignment: Vec<Option<usize>> = Vec::with_capacity(traffic.flows.len());
    for f in &traffic.flows {
        let ip = traffic
            .hosts
            .get(f.host)
            .map(|h| u32::from(h.ip))
            .unwrap_or(0);
        let q = infos.iter().position(|q| {
            let target_ok = q.targets.iter().any(|t| match t {
                Some(n) => net_contains(*n, ip),
                None => true, // an interface target: all LAN traffic
            });
            let mark_ok = q.marks.is_empty()
                || f.marks
                    .iter()
                    .flatten()
                    .any(|pm| q.marks.iter().any(|m| m == pm));
            q.enabled && q.leaf && target_ok && mark_ok
        });
        assignment.push(q);
    }
    // Offered load per queue.
    let nq = infos.len();
    let mut offered = vec![(0u64, 0u64); nq];
    let mut demands = Vec::with_capacity(traffic.flows.len());
    for (f, q) in traffic.flows.iter().zip(&assignment) {
        let (_, _, down, up, _, _, _) = f.app.profile();
        // ±25% variation per second.
        let vary = |rng: &mut Rng, v: u64| v * (75 + rng.below(51)) / 100;
        let d = if f.dropped || !wan_running {
            (0, 0)
        } else {
            (vary(&mut traffic.rng, up), vary(&mut traffic.rng, down))
        };
        demands.push(d);
        if let Some(slot) = q.and_then(|q| offered.get_mut(q)) {
            slot.0 += d.0;
            slot.1 += d.1;
        }
    }
    let load: Vec<UpDown<u64>> = offered.iter().map(|o| UpDown::new(o.0, o.1)).collect();
    let htb_rates: Option<Vec<(u64, u64)>> = traffic.htb.as_mut().and_then(|sim| {
        sim.step(1.0, &load)
            .ok()
            .map(|r| r.iter().map(|r| (r.upload, r.download)).collect())
    });
    let shaped = match htb_rates {
        Some(rates) => {
            // Inner queues carry their children's traffic: offered is their children's sum.
            for (c, q) in infos.iter().enumerate() {
                if let (Some(p), Some(o)) = (q.parent, offered.get(c).copied()) {
                    if let Some(slot) = offered.get_mut(p) {
                        slot.0 += o.0;
                        slot.1 += o.1;
                    }
                }
            }
            rates
        }
        None => fallback_shaping(infos, &mut offered),
    };
    // Flow rates, proportional to their share of the queue.
    for ((f, q), d) in traffic.flows.iter_mut().zip(&assignment).zip(&demands) {
        let r = match q {
            Some(q) => {
                let o = offered.get(*q).copied().unwrap_or_default();
                let s = shaped.get(*q).copied().unwrap_or_default();
                (
                    (d.0 * s.0).checked_div(o.0).unwrap_or(0),
                    (d.1 * s.1).checked_div(o.1).unwrap_or(0),
                )
            }
            None => *d,
        };
        f.rate = r;
    }
    shape_trees(state, traffic);
    let mut totals = (0u64, 0u64);
    for f in &traffic.flows {
        totals.0 += f.rate.0;
        totals.1 += f.rate.1;
    }
    // Queue statistics.
    let pkt = 1200u64;
    let m = &mut state.menus[qm];
    for (i, q) in m.items.iter_mut().enumerate() {
        let s = shaped.get(i).copied().unwrap_or_default();
        let o = offered.get(i).copied().unwrap_or_default();
        q.stats[0] = s.0;
        q.stats[1] = s.1;
        q.stats[2] += s.0 / 8;
        q.stats[3] += s.1 / 8;
        q.stats[4] += s.0 / 8 / pkt;
        q.stats[5] += s.1 / 8 / pkt;
        q.stats[6] += (o.0 - s.0.min(o.0)) / 8 / pkt;
        q.stats[7] += (o.1 - s.1.min(o.1)) / 8 / pkt;
    }
    // Firewall and mangle counters.
    for kind in [MenuKind::Mangle, MenuKind::Filter] {
        let idx = state.menu_by_kind(kind);
        let m = &mut state.menus[idx];
        for f in &traffic.flows {
            let (_, _, _, _, _, _, size) = f.app.profile();
            for (r, dir) in &f.rules {
                let bytes = match dir {
                    Dir::Up => f.rate.0,
                    Dir::Down => f.rate.1,
                } / 8;
                let packets = bytes / size;
                if let Some(item) = m.items.iter_mut().find(|i| i.id == *r) {
                    // A connection's first packet always counts, even if dropped.
                    let first = if f.left > 0 && item.stats[1] == 0 {
                        1
                    } else {
                        0
                    };
                    item.stats[0] += bytes + first * 60;
                    item.stats[1] += packets.max(first);
                }
            }
        }
    }
    totals
}

/// Shaping without queue-model's simulator (when a queue cannot be modelled): each queue caps
/// at its max-limit, then one level of parents scales its children.
fn fallback_shaping(infos: &[QueueInfo], offered: &mut [(u64, u64)]) -> Vec<(u64, u64)> {
    let nq = infos.len();
    let cap = |offer: u64, limit: u64| if limit == 0 { offer } else { offer.min(limit) };
    let mut shaped: Vec<(u64, u64)> = offered
        .iter()
        .zip(infos)
        .map(|(o, q)| (cap(o.0, q.limit.0), cap(o.1, q.limit.1)))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nq];
    for (c, q) in infos.iter().enumerate() {
        if let Some(list) = q.parent.and_then(|p| children.get_mut(p)) {
            list.push(c);
        }
    }
    for (p, kids) in children.iter().enumerate() {
        if kids.is_empty() {
            continue;
        }
        let sum = kids.iter().fold((0u64, 0u64), |a, &c| {
            let s = shaped.get(c).copied().unwrap_or_default();
            (a.0 + s.0, a.1 + s.1)
        });
        let lim = infos.get(p).map(|q| q.limit).unwrap_or_default();
        let total = (cap(sum.0, lim.0), cap(sum.1, lim.1));
        for &c in kids {
            if let Some(s) = shaped.get_mut(c) {
                s.0 = (s.0 * total.0).checked_div(sum.0).unwrap_or(0);
                s.1 = (s.1 * total.1).checked_div(sum.1).unwrap_or(0);
            }
        }
        if let Some(s) = shaped.get_mut(p) {
            *s = total;
        }
        if let Some(o) = offered.get_mut(p) {
            *o = sum;
        }
    }
    shaped
}

fn update_interfaces(state: &mut State, traffic: &Traffic, (up, down): (u64, u64)) {
    let im = state.menu_by_kind(MenuKind::Interface);
    let uplink = state.health.uplink;
    // Split LAN traffic between the wired and wireless ports by host parity.
    let (mut wired, mut wireless) = ((0u64, 0u64), (0u64, 0u64));
    for f in &traffic.flows {
        let slot = if f.host % 2 == 0 {
            &mut wired
        } else {
            &mut wireless
        };
        slot.0 += f.rate.0;
        slot.1 += f.rate.1;
    }
    let m = &mut state.menus[im];
    let names: Vec<Option<String>> = m
        .items
        .iter()
        .map(|i| m.value(i, "name").map(str::to_owned))
        .collect();
    for (item, name) in m.items.iter_mut().zip(names) {
        // (rx bits/s, tx bits/s)
        let (rx, tx) = match name.as_deref() {
            Some("ether1") => (down, up),
            Some("bridge") => (up, down),
            Some("ether2") => (wired.0, wired.1),
            Some("wlan1") => (wireless.0, wireless.1),
            _ => (0, 0),
        };
        let (rx, tx) = if item.running { (rx, tx) } else { (0, 0) };
        // A dead uplink carries nothing beyond the LAN.
        let (rx, tx) = match name.as_deref() {
            Some("ether1") if !uplink => (0, 0),
            _ => (rx, tx),
        };
        let rxp = rx / 8 / 1200;
        let txp = tx / 8 / 1200;
        item.stats[0] += rx / 8;
        item.stats[1] += tx / 8;
        item.stats[2] += rxp;
        item.stats[3] += txp;
        item.stats[4] = rx;
        item.stats[5] = tx;
        item.stats[6] = rxp;
        item.stats[7] = txp;
    }
}
