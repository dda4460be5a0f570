//! The menus the simulator serves: their properties, defaults and which commands they accept.

/// How a property's value is checked and normalised on `add`/`set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text.
    Text,
    /// `yes`/`no`/`true`/`false`, printed as `true`/`false`.
    Bool,
    /// One of a fixed list of words.
    Enum(&'static [&'static str]),
    /// An integer within bounds.
    Int(u64, u64),
    /// A queue priority `N` or `N/N` with 1 ≤ N ≤ 8.
    Priority,
    /// A bit rate or a pair `upload/download` of bit rates (`10M`, `512k/2M`).
    RatePair,
    /// A time pair (`8s/8s`) or time (`10s`).
    TimePair,
    /// A duration (`30m`, `1d`, `01:00:00`), normalised as RouterOS prints it (`1h30m`).
    Duration,
    /// A MAC address, normalised to capitals and colons.
    Mac,
    /// An IPv4 address.
    Ipv4,
    /// A count or `unlimited` (a profile's `shared-users`).
    CountOrUnlimited,
    /// Only the simulator sets it (statistics, state); `add`/`set` refuse it.
    ReadOnly,
}

/// One property of a menu.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub name: &'static str,
    pub default: Option<&'static str>,
    pub kind: Kind,
}

const fn p(name: &'static str, default: Option<&'static str>, kind: Kind) -> Prop {
    Prop {
        name,
        default,
        kind,
    }
}

/// What a menu is, for the code that serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MenuKind {
    Resource,
    Identity,
    Interface,
    Queue,
    Layer7,
    Mangle,
    Filter,
    AddressList,
    Lease,
    Address,
    Log,
    Clock,
    Script,
    Scheduler,
    HotspotServer,
    HotspotUser,
    HotspotProfile,
    HotspotActive,
    HotspotHost,
    HotspotCookie,
    PppSecret,
    PppProfile,
    PppActive,
}

/// A menu: its path, properties and abilities.
#[derive(Debug)]
pub(crate) struct MenuSpec {
    pub path: &'static str,
    pub kind: MenuKind,
    pub props: &'static [Prop],
    /// `add` and `remove` are available.
    pub addable: bool,
    /// The menu holds one item without `.id` (`/system/identity`).
    pub singleton: bool,
    /// A property that must be unique (`name`), refused with `failure: already have such name`.
    pub unique: Option<&'static str>,
    /// Properties `add` requires.
    pub required: &'static [&'static str],
}

impl MenuSpec {
    pub fn prop_index(&self, name: &[u8]) -> Option<usize> {
        self.props.iter().position(|p| p.name.as_bytes() == name)
    }

    /// `remove` is available: on menus with `add`, and on the session lists (removing a
    /// session logs it out).
    pub fn removable(&self) -> bool {
        self.addable
            || matches!(
                self.kind,
                MenuKind::HotspotActive
                    | MenuKind::HotspotHost
                    | MenuKind::HotspotCookie
                    | MenuKind::PppActive
            )
    }
}

const BOOL: Kind = Kind::Bool;
const TEXT: Kind = Kind::Text;
const RO: Kind = Kind::ReadOnly;

const RULE_ACTIONS: &[&str] = &[
    "accept",
    "drop",
    "reject",
    "passthrough",
    "log",
    "mark-packet",
    "mark-connection",
    "mark-routing",
    "jump",
    "return",
    "add-src-to-address-list",
    "add-dst-to-address-list",
    "change-dscp",
    "fasttrack-connection",
];
const DUR: Kind = Kind::Duration;
const MAC: Kind = Kind::Mac;
const IP: Kind = Kind::Ipv4;
const BYTES: Kind = Kind::Int(0, u64::MAX);
const YES_NO_DEFAULT: Kind = Kind::Enum(&["yes", "no", "default"]);
/// The policies a script or scheduler gets by default.
const POLICY: &str = "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon";
const PPP_SERVICES: &[&str] = &["any", "async", "l2tp", "ovpn", "pppoe", "pptp", "sstp"];

const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "gre", "ipsec-esp", "ospf", "igmp"];

pub(crate) static MENUS: &[MenuSpec] = &[
    MenuSpec {
        path: "/system/resource",
        kind: MenuKind::Resource,
        props: &[
            p("uptime", None, RO),
            p("version", None, RO),
            p("build-time", None, RO),
            p("factory-software", None, RO),
            p("free-memory", None, RO),
            p("total-memory", None, RO),
            p("cpu", None, RO),
            p("cpu-count", None, RO),
            p("cpu-frequency", None, RO),
            p("cpu-load", None, RO),
            p("free-hdd-space", None, RO),
            p("total-hdd-space", None, RO),
            p("architecture-name", None, RO),
            p("board-name", None, RO),
            p("platform", None, RO),
        ],
        addable: false,
        singleton: true,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/system/identity",
        kind: MenuKind::Identity,
        props: &[p("name", Some("MikroTik"), TEXT)],
        addable: false,
        singleton: true,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/interface",
        kind: MenuKind::Interface,
        props: &[
            p("name", None, TEXT),
            p("default-name", None, RO),
            p(
                "type",
                Some("ether"),
                Kind::Enum(&["ether", "bridge", "vlan", "wlan", "pppoe-out", "pppoe-in"]),
            ),
            p("mtu", Some("1500"), Kind::Int(68, 65535)),
            p("actual-mtu", None, RO),
            p("mac-address", None, RO),
            p("last-link-up-time", None, RO),
            p("link-downs", None, RO),
            p("rx-byte", None, RO),
            p("tx-byte", None, RO),
            p("rx-packet", None, RO),
            p("tx-packet", None, RO),
            p("rx-drop", None, RO),
            p("tx-drop", None, RO),
            p("running", None, RO),
            p("dynamic", None, RO),
            p("disabled", Some("false"), BOOL),
            p("comment", None, TEXT),
        ],
        addable: false,
        singleton: false,
        unique: Some("name"),
        required: &[],
    },
    MenuSpec {
        path: "/queue/simple",
        kind: MenuKind::Queue,
        props: &[
            p("name", None, TEXT),
            p("target", None, TEXT),
            p("parent", Some("none"), TEXT),
            p("packet-marks", Some(""), TEXT),
            p("priority", Some("8/8"), Kind::Priority),
            p("queue", Some("default-small/default-small"), TEXT),
            p("limit-at", Some("0/0"), Kind::RatePair),
            p("max-limit", Some("0/0"), Kind::RatePair),
            p("burst-limit", Some("0/0"), Kind::RatePair),
            p("burst-threshold", Some("0/0"), Kind::RatePair),
            p("burst-time", Some("0s/0s"), Kind::TimePair),
            p("bucket-size", Some("0.1/0.1"), TEXT),
            p("rate", None, RO),
            p("packet-rate", None, RO),
            p("queued-packets", None, RO),
            p("queued-bytes", None, RO),
            p("bytes", None, RO),
            p("packets", None, RO),
            p("dropped", None, RO),
            p("invalid", None, RO),
            p("dynamic", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["target"],
    },
    MenuSpec {
        path: "/ip/firewall/layer7-protocol",
        kind: MenuKind::Layer7,
        props: &[
            p("name", None, TEXT),
            p("regexp", None, TEXT),
            p("comment", None, TEXT),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["name"],
    },
    MenuSpec {
        path: "/ip/firewall/mangle",
        kind: MenuKind::Mangle,
        props: &[
            p("chain", None, TEXT),
            p("action", Some("accept"), Kind::Enum(RULE_ACTIONS)),
            p("src-address", None, TEXT),
            p("dst-address", None, TEXT),
            p("protocol", None, Kind::Enum(PROTOCOLS)),
            p("dst-port", None, TEXT),
            p("in-interface", None, TEXT),
            p("out-interface", None, TEXT),
            p("connection-mark", None, TEXT),
            p("layer7-protocol", None, TEXT),
            p("new-packet-mark", None, TEXT),
            p("new-connection-mark", None, TEXT),
            p("passthrough", Some("true"), BOOL),
            p("log", Some("false"), BOOL),
            p("log-prefix", Some(""), TEXT),
            p("bytes", None, RO),
            p("packets", None, RO),
            p("invalid", None, RO),
            p("dynamic", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: None,
        required: &["chain"],
    },
    MenuSpec {
        path: "/ip/firewall/filter",
        kind: MenuKind::Filter,
        props: &[
            p("chain", None, TEXT),
            p("action", Some("accept"), Kind::Enum(RULE_ACTIONS)),
            p("src-address", None, TEXT),
            p("dst-address", None, TEXT),
            p("src-address-list", None, TEXT),
            p("dst-address-list", None, TEXT),
            p("protocol", None, Kind::Enum(PROTOCOLS)),
            p("dst-port", None, TEXT),
            p("in-interface", None, TEXT),
            p("out-interface", None, TEXT),
            p("connection-state", None, TEXT),
            p("layer7-protocol", None, TEXT),
            p("log", Some("false"), BOOL),
            p("log-prefix", Some(""), TEXT),
            p("bytes", None, RO),
            p("packets", None, RO),
            p("invalid", None, RO),
            p("dynamic", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: None,
        required: &["chain"],
    },
    MenuSpec {
        path: "/ip/firewall/address-list",
        kind: MenuKind::AddressList,
        props: &[
            p("list", None, TEXT),
            p("address", None, TEXT),
            p("timeout", None, TEXT),
            p("creation-time", None, RO),
            p("dynamic", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: None,
        required: &["list", "address"],
    },
    MenuSpec {
        path: "/ip/dhcp-server/lease",
        kind: MenuKind::Lease,
        props: &[
            p("address", None, TEXT),
            p("mac-address", None, TEXT),
            p("client-id", None, TEXT),
            p("address-lists", Some(""), TEXT),
            p("server", Some("defconf"), TEXT),
            p("dhcp-option", Some(""), TEXT),
            p("status", None, RO),
            p("expires-after", None, RO),
            p("last-seen", None, RO),
            p("active-address", None, RO),
            p("active-mac-address", None, RO),
            p("host-name", None, RO),
            p("radius", Some("false"), RO),
            p("dynamic", None, RO),
            p("blocked", Some("false"), RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: None,
        required: &["address", "mac-address"],
    },
    MenuSpec {
        path: "/ip/address",
        kind: MenuKind::Address,
        props: &[
            p("address", None, TEXT),
            p("network", None, RO),
            p("interface", None, TEXT),
            p("actual-interface", None, RO),
            p("invalid", None, RO),
            p("dynamic", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: None,
        required: &["address", "interface"],
    },
    MenuSpec {
        path: "/log",
        kind: MenuKind::Log,
        props: &[
            p("time", None, RO),
            p("topics", None, RO),
            p("message", None, RO),
        ],
        addable: false,
        singleton: false,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/system/clock",
        kind: MenuKind::Clock,
        props: &[
            p("time", None, TEXT),
            p("date", None, TEXT),
            p("time-zone-autodetect", Some("false"), BOOL),
            p("time-zone-name", Some("manual"), TEXT),
            p("gmt-offset", Some("+00:00"), RO),
            p("dst-active", Some("false"), RO),
        ],
        addable: false,
        singleton: true,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/system/script",
        kind: MenuKind::Script,
        props: &[
            p("name", None, TEXT),
            p("owner", None, TEXT),
            p("policy", Some(POLICY), TEXT),
            p("dont-require-permissions", Some("false"), BOOL),
            p("last-started", None, RO),
            p("run-count", Some("0"), RO),
            p("source", Some(""), TEXT),
            p("invalid", Some("false"), RO),
            p("comment", None, TEXT),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &[],
    },
    MenuSpec {
        path: "/system/scheduler",
        kind: MenuKind::Scheduler,
        props: &[
            p("name", None, TEXT),
            p("start-date", None, TEXT),
            p("start-time", None, TEXT),
            p("interval", Some("0s"), DUR),
            p("on-event", Some(""), TEXT),
            p("owner", None, TEXT),
            p("policy", Some(POLICY), TEXT),
            p("run-count", Some("0"), RO),
            p("next-run", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &[],
    },
    MenuSpec {
        path: "/ip/hotspot",
        kind: MenuKind::HotspotServer,
        props: &[
            p("name", None, TEXT),
            p("interface", None, TEXT),
            p("address-pool", Some("none"), TEXT),
            p("profile", Some("default"), TEXT),
            p("idle-timeout", Some("5m"), TEXT),
            p("keepalive-timeout", Some("none"), TEXT),
            p("login-timeout", Some("none"), TEXT),
            p("addresses-per-mac", Some("2"), TEXT),
            p("proxy-status", None, RO),
            p("invalid", Some("false"), RO),
            p("HTTPS", Some("false"), RO),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["interface"],
    },
    MenuSpec {
        path: "/ip/hotspot/user",
        kind: MenuKind::HotspotUser,
        props: &[
            p("server", Some("all"), TEXT),
            p("name", None, TEXT),
            p("password", None, TEXT),
            p("profile", Some("default"), TEXT),
            p("mac-address", None, MAC),
            p("address", None, IP),
            p("email", None, TEXT),
            p("routes", None, TEXT),
            p("limit-uptime", None, DUR),
            p("limit-bytes-in", None, BYTES),
            p("limit-bytes-out", None, BYTES),
            p("limit-bytes-total", None, BYTES),
            p("uptime", None, RO),
            p("bytes-in", None, RO),
            p("bytes-out", None, RO),
            p("packets-in", None, RO),
            p("packets-out", None, RO),
            p("dynamic", Some("false"), RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["name"],
    },
    MenuSpec {
        path: "/ip/hotspot/user/profile",
        kind: MenuKind::HotspotProfile,
        props: &[
            p("name", None, TEXT),
            p("address-pool", Some("none"), TEXT),
            p("idle-timeout", Some("none"), TEXT),
            p("keepalive-timeout", Some("2m"), TEXT),
            p("status-autorefresh", Some("1m"), DUR),
            p("shared-users", Some("1"), Kind::CountOrUnlimited),
            p("session-timeout", None, DUR),
            p("rate-limit", None, TEXT),
            p("add-mac-cookie", Some("true"), BOOL),
            p("mac-cookie-timeout", Some("3d"), DUR),
            p("address-list", Some(""), TEXT),
            p("parent-queue", None, TEXT),
            p("queue-type", None, TEXT),
            p("incoming-filter", None, TEXT),
            p("outgoing-filter", None, TEXT),
            p("incoming-packet-mark", None, TEXT),
            p("outgoing-packet-mark", None, TEXT),
            p(
                "open-status-page",
                Some("always"),
                Kind::Enum(&["always", "http-login"]),
            ),
            p("on-login", Some(""), TEXT),
            p("on-logout", Some(""), TEXT),
            p("transparent-proxy", Some("false"), BOOL),
            p("advertise", Some("false"), BOOL),
            p("default", None, RO),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["name"],
    },
    MenuSpec {
        path: "/ip/hotspot/active",
        kind: MenuKind::HotspotActive,
        props: &[
            p("server", None, RO),
            p("user", None, RO),
            p("domain", None, RO),
            p("address", None, RO),
            p("mac-address", None, RO),
            p("login-by", None, RO),
            p("uptime", None, RO),
            p("session-time-left", None, RO),
            p("idle-time", Some("0s"), RO),
            p("idle-timeout", None, RO),
            p("keepalive-timeout", None, RO),
            p("bytes-in", None, RO),
            p("bytes-out", None, RO),
            p("packets-in", None, RO),
            p("packets-out", None, RO),
            p("limit-bytes-total", None, RO),
            p("radius", Some("false"), RO),
            p("blocked", Some("false"), RO),
            p("comment", None, TEXT),
        ],
        addable: false,
        singleton: false,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/ip/hotspot/host",
        kind: MenuKind::HotspotHost,
        props: &[
            p("mac-address", None, RO),
            p("address", None, RO),
            p("to-address", None, RO),
            p("server", None, RO),
            p("bridge-port", None, RO),
            p("uptime", None, RO),
            p("idle-time", Some("0s"), RO),
            p("bytes-in", None, RO),
            p("bytes-out", None, RO),
            p("packets-in", None, RO),
            p("packets-out", None, RO),
            p("found-by", None, RO),
            p("authorized", Some("false"), RO),
            p("bypassed", Some("false"), RO),
            p("DHCP", Some("true"), RO),
            p("dynamic", Some("true"), RO),
            p("comment", None, TEXT),
        ],
        addable: false,
        singleton: false,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/ip/hotspot/cookie",
        kind: MenuKind::HotspotCookie,
        props: &[
            p("user", None, RO),
            p("domain", Some(""), RO),
            p("mac-address", None, RO),
            p("expires-in", None, RO),
        ],
        addable: false,
        singleton: false,
        unique: None,
        required: &[],
    },
    MenuSpec {
        path: "/ppp/secret",
        kind: MenuKind::PppSecret,
        props: &[
            p("name", None, TEXT),
            p("service", Some("any"), Kind::Enum(PPP_SERVICES)),
            p("caller-id", Some(""), TEXT),
            p("password", Some(""), TEXT),
            p("profile", Some("default"), TEXT),
            p("local-address", None, IP),
            p("remote-address", None, IP),
            p("routes", Some(""), TEXT),
            p("limit-bytes-in", Some("0"), BYTES),
            p("limit-bytes-out", Some("0"), BYTES),
            p("last-logged-out", None, RO),
            p("last-caller-id", None, RO),
            p("last-disconnect-reason", None, RO),
            p("comment", None, TEXT),
            p("disabled", Some("false"), BOOL),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["name"],
    },
    MenuSpec {
        path: "/ppp/profile",
        kind: MenuKind::PppProfile,
        props: &[
            p("name", None, TEXT),
            p("local-address", None, TEXT),
            p("remote-address", None, TEXT),
            p("bridge", None, TEXT),
            p("rate-limit", None, TEXT),
            p("address-list", Some(""), TEXT),
            p("dns-server", None, TEXT),
            p("only-one", Some("default"), YES_NO_DEFAULT),
            p("change-tcp-mss", Some("default"), YES_NO_DEFAULT),
            p("use-compression", Some("default"), YES_NO_DEFAULT),
            p("use-encryption", Some("default"), YES_NO_DEFAULT),
            p("use-mpls", Some("default"), YES_NO_DEFAULT),
            p("use-upnp", Some("default"), YES_NO_DEFAULT),
            p("session-timeout", None, DUR),
            p("idle-timeout", None, DUR),
            p("parent-queue", None, TEXT),
            p("queue-type", None, TEXT),
            p("on-up", Some(""), TEXT),
            p("on-down", Some(""), TEXT),
            p("default", None, RO),
            p("comment", None, TEXT),
        ],
        addable: true,
        singleton: false,
        unique: Some("name"),
        required: &["name"],
    },
    MenuSpec {
        path: "/ppp/active",
        kind: MenuKind::PppActive,
        props: &[
            p("name", None, RO),
            p("service", None, RO),
            p("caller-id", None, RO),
            p("address", None, RO),
            p("uptime", None, RO),
            p("encoding", None, RO),
            p("session-id", None, RO),
            p("limit-bytes-in", Some("0"), RO),
            p("limit-bytes-out", Some("0"), RO),
            p("radius", Some("false"), RO),
            p("comment", None, TEXT),
        ],
        addable: false,
        singleton: false,
        unique: None,
        required: &[],
    },
];

/// True when some menu or command lives under `prefix` (used to word "no such command").
pub(crate) fn is_prefix(prefix: &str) -> bool {
    prefix.is_empty()
        || MENUS.iter().any(|m| {
            m.path == prefix
                || m.path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        || ["/ping", "/sim"]
            .iter()
            .any(|c| *c == prefix || c.strip_prefix(prefix).is_some_and(|r| r.starts_with('/')))
}
