//! PPP users and profiles (`/ppp secret`, `/ppp profile`) and the read-only `/ppp active`
//! rows: what a small ISP bills monthly (PPPoE customers, each a secret with a package
//! profile).
//!
//! Properties and defaults follow MikroTik's *PPP AAA* manual: settings in a secret beat its
//! profile's, and a single IP address beats a pool. The profiles `default` and
//! `default-encryption` exist on every router and cannot be removed; exports change them with
//! `set *0` and `set *FFFFFFFE`, which [`crate::rsc`] reads and writes.
//!
//! ```
//! use queue_model::ppp::{AddressOrPool, PppService};
//! use queue_model::{rsc, validate};
//!
//! let cfg = rsc::parse(
//!     "/ppp profile\n\
//!      set *0 only-one=yes\n\
//!      add local-address=10.10.0.1 name=10M rate-limit=5M/10M remote-address=pool-10M\n\
//!      /ppp secret\n\
//!      add caller-id=AA:BB:CC:DD:EE:01 name=budi password=s3cret profile=10M service=pppoe\n",
//! )?;
//! let p = &cfg.ppp_profiles[1];
//! assert_eq!(p.remote_address, Some(AddressOrPool::Pool("pool-10M".into())));
//! assert_eq!(cfg.ppp_secrets[0].service, PppService::Pppoe);
//! assert!(validate(&cfg).is_empty());
//! assert_eq!(rsc::parse(&rsc::render(&cfg))?, cfg);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use routeros_proto::Attributes;

use crate::clock::DateTime;
use crate::error::{PropertyError, RateLimitError};
use crate::hotspot::{check_rate_limit, parse_opt_ipv4, parse_rate_limit_text, parse_u64};
use crate::mac::MacAddress;
use crate::model::{
    bool_str, check_key, finish, opt_string, opt_text, parse_bool, parse_value, set_extra, utf8,
    Config, Item, Style, IGNORED,
};
use crate::rate_limit::RateLimit;
use crate::secret::Password;
use crate::text::Text;
use crate::validate::{Diagnostic, Severity, Subject};
use crate::value::Time;

/// The names of the two profiles every router has.
pub const BUILTIN_PROFILES: [&str; 2] = ["default", "default-encryption"];

/// `service`: which PPP service a secret may log in with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PppService {
    /// `any` (the default).
    #[default]
    Any,
    /// `async`.
    Async,
    /// `isdn`.
    Isdn,
    /// `l2tp`.
    L2tp,
    /// `pppoe`.
    Pppoe,
    /// `pptp`.
    Pptp,
    /// `ovpn`.
    Ovpn,
    /// `sstp`.
    Sstp,
    /// A service a newer RouterOS knows.
    Other(String),
}

impl FromStr for PppService {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        Ok(match s {
            "any" => PppService::Any,
            "async" => PppService::Async,
            "isdn" => PppService::Isdn,
            "l2tp" => PppService::L2tp,
            "pppoe" => PppService::Pppoe,
            "pptp" => PppService::Pptp,
            "ovpn" => PppService::Ovpn,
            "sstp" => PppService::Sstp,
            s if !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                PppService::Other(s.to_owned())
            }
            s => return Err(PropertyError::no_such("service", s)),
        })
    }
}

impl fmt::Display for PppService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PppService::Any => "any",
            PppService::Async => "async",
            PppService::Isdn => "isdn",
            PppService::L2tp => "l2tp",
            PppService::Pppoe => "pppoe",
            PppService::Pptp => "pptp",
            PppService::Ovpn => "ovpn",
            PppService::Sstp => "sstp",
            PppService::Other(s) => s,
        })
    }
}

/// Why a PPP session ended (`last-disconnect-reason`, RouterOS 7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// `peer-request`: the client hung up.
    PeerRequest,
    /// `hung-up`.
    HungUp,
    /// `idle-timeout`.
    IdleTimeout,
    /// `session-timeout`.
    SessionTimeout,
    /// `reset`.
    Reset,
    /// `reboot`.
    Reboot,
    /// `port-error`.
    PortError,
    /// `nas-error`.
    NasError,
    /// `nas-request`: removed on the router (a kick from `/ppp active`).
    NasRequest,
    /// Another reason, as the router wrote it.
    Other(Text),
}

impl DisconnectReason {
    /// The reason for a `last-disconnect-reason` value.
    pub fn from_bytes(v: &[u8]) -> Self {
        match v {
            b"peer-request" => DisconnectReason::PeerRequest,
            b"hung-up" => DisconnectReason::HungUp,
            b"idle-timeout" => DisconnectReason::IdleTimeout,
            b"session-timeout" => DisconnectReason::SessionTimeout,
            b"reset" => DisconnectReason::Reset,
            b"reboot" => DisconnectReason::Reboot,
            b"port-error" => DisconnectReason::PortError,
            b"nas-error" => DisconnectReason::NasError,
            b"nas-request" => DisconnectReason::NasRequest,
            other => DisconnectReason::Other(Text::from(other)),
        }
    }
}

/// Read-only values RouterOS 7 reports for a secret; never rendered or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PppSecretStatus {
    /// `last-logged-out`, as the router wrote it.
    pub last_logged_out: Option<Text>,
    /// `last-caller-id`: the MAC (PPPoE) or address the client last came from.
    pub last_caller_id: Option<Text>,
    /// `last-disconnect-reason`, as the router wrote it.
    pub last_disconnect_reason: Option<Text>,
}

impl PppSecretStatus {
    /// The read-only names.
    pub const NAMES: [&'static str; 3] = [
        "last-logged-out",
        "last-caller-id",
        "last-disconnect-reason",
    ];

    /// `last-logged-out` as a date and time (both date forms are read), when it is one.
    pub fn logged_out_at(&self) -> Option<DateTime> {
        let t = self.last_logged_out.as_ref()?;
        t.as_str().ok()?.parse().ok()
    }

    /// `last-disconnect-reason`, typed.
    pub fn disconnect_reason(&self) -> Option<DisconnectReason> {
        self.last_disconnect_reason
            .as_ref()
            .map(|t| DisconnectReason::from_bytes(t.as_bytes()))
    }
}

/// One `/ppp secret`: a PPP customer's login.
///
/// ```
/// use queue_model::ppp::{PppSecret, PppService};
/// use queue_model::Item;
/// let mut s = PppSecret::new("budi", "s3cret");
/// s.service = PppService::Pppoe;
/// s.profile = "10M".into();
/// s.caller_id = Some("AA:BB:CC:DD:EE:01".into());
/// assert_eq!(
///     s.properties(),
///     [("caller-id", "AA:BB:CC:DD:EE:01"), ("name", "budi"), ("password", "s3cret"),
///      ("profile", "10M"), ("service", "pppoe")].map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// assert!(format!("{s:?}").contains("password: <redacted>"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PppSecret {
    /// The RouterOS item id, when read from a router; never rendered.
    pub id: Option<String>,
    /// `name`: the login name.
    pub name: Text,
    /// `password`.
    pub password: Password,
    /// `service` (default `any`).
    pub service: PppService,
    /// `profile` (default `default`).
    pub profile: Text,
    /// `caller-id`: for PPPoE the client's MAC, in capitals; for PPTP and L2TP its address.
    pub caller_id: Option<Text>,
    /// `local-address`: the router's end of the link.
    pub local_address: Option<Ipv4Addr>,
    /// `remote-address`: the client's address (beats the profile's pool).
    pub remote_address: Option<Ipv4Addr>,
    /// `routes` added while the client is connected.
    pub routes: Option<Text>,
    /// `limit-bytes-in`: bytes per session the client may upload (0: unlimited).
    pub limit_bytes_in: u64,
    /// `limit-bytes-out`: bytes per session the client may download (0: unlimited).
    pub limit_bytes_out: u64,
    /// `disabled`.
    pub disabled: bool,
    /// `comment` (billing apps keep the customer's state here).
    pub comment: Option<Text>,
    /// Read-only values (RouterOS 7).
    pub status: PppSecretStatus,
    /// Properties this crate does not model, kept in order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for PppSecret {
    fn default() -> Self {
        PppSecret {
            id: None,
            name: Text::new(),
            password: Password::new(),
            service: PppService::Any,
            profile: Text::from("default"),
            caller_id: None,
            local_address: None,
            remote_address: None,
            routes: None,
            limit_bytes_in: 0,
            limit_bytes_out: 0,
            disabled: false,
            comment: None,
            status: PppSecretStatus::default(),
            extra: Vec::new(),
        }
    }
}

impl PppSecret {
    /// A secret with the defaults for everything but its name and password.
    pub fn new(name: impl Into<Text>, password: impl Into<Text>) -> Self {
        PppSecret {
            name: name.into(),
            password: Password::from(password.into()),
            ..Self::default()
        }
    }
}

impl Item for PppSecret {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "name" => self.name = Text::from(raw),
            "password" => self.password = Password::from(raw),
            "service" => self.service = utf8(key, raw)?.parse()?,
            "profile" => {
                self.profile = if raw.is_empty() {
                    Text::from("default")
                } else {
                    Text::from(raw)
                }
            }
            "caller-id" => self.caller_id = opt_text(raw),
            "local-address" => self.local_address = parse_opt_ipv4(key, v)?,
            "remote-address" => self.remote_address = parse_opt_ipv4(key, v)?,
            "routes" => self.routes = opt_text(raw),
            "limit-bytes-in" => self.limit_bytes_in = parse_u64(key, v)?,
            "limit-bytes-out" => self.limit_bytes_out = parse_u64(key, v)?,
            "disabled" => self.disabled = parse_bool(key, v)?,
            "comment" => self.comment = opt_text(raw),
            "last-logged-out" => self.status.last_logged_out = opt_text(raw),
            "last-caller-id" => self.status.last_caller_id = opt_text(raw),
            "last-disconnect-reason" => self.status.last_disconnect_reason = opt_text(raw),
            _ if IGNORED.contains(&key) => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let opt = |o: &Option<Text>| (o.clone().unwrap_or_default(), o.is_none());
        let ip = |a: Option<Ipv4Addr>| {
            (
                a.map(|a| Text::from(a.to_string())).unwrap_or_default(),
                a.is_none(),
            )
        };
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("name", self.name.clone(), false),
            (
                "password",
                self.password.expose().clone(),
                self.password.is_empty(),
            ),
            (
                "service",
                self.service.to_string().into(),
                self.service == PppService::Any,
            ),
            ("profile", self.profile.clone(), self.profile == "default"),
            (
                "disabled",
                bool_str(self.disabled, style).into(),
                !self.disabled,
            ),
        ];
        for (k, a) in [
            ("local-address", self.local_address),
            ("remote-address", self.remote_address),
        ] {
            let (v, d) = ip(a);
            items.push((k, v, d));
        }
        for (k, n) in [
            ("limit-bytes-in", self.limit_bytes_in),
            ("limit-bytes-out", self.limit_bytes_out),
        ] {
            items.push((k, n.to_string().into(), n == 0));
        }
        for (k, o) in [
            ("caller-id", &self.caller_id),
            ("routes", &self.routes),
            ("comment", &self.comment),
        ] {
            let (v, d) = opt(o);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        PppSecretStatus::NAMES.contains(&key)
    }

    fn required(&self) -> Result<(), PropertyError> {
        if self.name.is_empty() {
            return Err(PropertyError::Missing {
                property: "name".to_owned(),
            });
        }
        Ok(())
    }
}

/// A profile's `local-address` or `remote-address`: one address, or a pool to take one from.
///
/// ```
/// use queue_model::ppp::AddressOrPool;
/// assert_eq!("10.0.0.1".parse::<AddressOrPool>()?, AddressOrPool::Address([10, 0, 0, 1].into()));
/// assert_eq!("pool-10M".parse::<AddressOrPool>()?, AddressOrPool::Pool("pool-10M".into()));
/// # Ok::<(), std::convert::Infallible>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressOrPool {
    /// One address.
    Address(Ipv4Addr),
    /// The name of an `/ip pool`.
    Pool(Text),
}

impl AddressOrPool {
    fn from_bytes(v: &[u8]) -> Option<Self> {
        if v.is_empty() {
            return None;
        }
        Some(
            match std::str::from_utf8(v).ok().and_then(|s| s.parse().ok()) {
                Some(a) => AddressOrPool::Address(a),
                None => AddressOrPool::Pool(Text::from(v)),
            },
        )
    }

    fn to_text(&self) -> Text {
        match self {
            AddressOrPool::Address(a) => a.to_string().into(),
            AddressOrPool::Pool(p) => p.clone(),
        }
    }
}

impl FromStr for AddressOrPool {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(AddressOrPool::from_bytes(s.as_bytes())
            .unwrap_or_else(|| AddressOrPool::Pool(Text::new())))
    }
}

impl fmt::Display for AddressOrPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_text().fmt(f)
    }
}

/// `yes`, `no` or `default` (take the value from the interface's default profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum YesNoDefault {
    /// `yes`.
    Yes,
    /// `no`.
    No,
    /// `default`.
    #[default]
    Default,
}

impl FromStr for YesNoDefault {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        match s {
            "yes" | "true" => Ok(YesNoDefault::Yes),
            "no" | "false" => Ok(YesNoDefault::No),
            "default" => Ok(YesNoDefault::Default),
            _ => Err(PropertyError::no_such("value", s)),
        }
    }
}

impl YesNoDefault {
    fn render(self, style: Style) -> &'static str {
        match self {
            YesNoDefault::Yes => bool_str(true, style),
            YesNoDefault::No => bool_str(false, style),
            YesNoDefault::Default => "default",
        }
    }
}

/// One `/ppp profile`: a package (rate limit, address pool, timeouts, scripts).
///
/// `rate_limit` keeps the router's text (RouterOS stores a string);
/// [`parsed_rate_limit`](Self::parsed_rate_limit) reads it.
///
/// ```
/// use queue_model::ppp::{AddressOrPool, PppProfile, YesNoDefault};
/// use queue_model::Item;
/// let mut p = PppProfile::new("10M");
/// p.rate_limit = "5M/10M".into();
/// p.local_address = Some(AddressOrPool::Address([10, 10, 0, 1].into()));
/// p.remote_address = Some(AddressOrPool::Pool("pool-10M".into()));
/// p.only_one = YesNoDefault::Yes;
/// assert_eq!(
///     p.properties(),
///     [("local-address", "10.10.0.1"), ("name", "10M"), ("only-one", "yes"),
///      ("rate-limit", "5M/10M"), ("remote-address", "pool-10M")]
///         .map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PppProfile {
    /// The RouterOS item id, when read from a router; never rendered.
    pub id: Option<String>,
    /// True for the two built-in profiles (`default`, `default-encryption`). Read-only.
    pub is_default: bool,
    /// `name`.
    pub name: Text,
    /// `rate-limit`, as the router holds it (empty: none).
    pub rate_limit: Text,
    /// `local-address`.
    pub local_address: Option<AddressOrPool>,
    /// `remote-address`.
    pub remote_address: Option<AddressOrPool>,
    /// `address-list` the client's address is added to while connected.
    pub address_list: Option<Text>,
    /// `dns-server` given to clients.
    pub dns_server: Vec<IpAddr>,
    /// `only-one`: at most one session per user (default `default`).
    pub only_one: YesNoDefault,
    /// `parent-queue` of the clients' dynamic queues.
    pub parent_queue: Option<Text>,
    /// `queue-type` of the clients' dynamic queues.
    pub queue_type: Option<Text>,
    /// `on-up` script.
    pub on_up: Text,
    /// `on-down` script.
    pub on_down: Text,
    /// `session-timeout` (`0s`: none).
    pub session_timeout: Time,
    /// `idle-timeout` (`0s`: none).
    pub idle_timeout: Time,
    /// `comment`.
    pub comment: Option<Text>,
    /// Properties this crate does not model (`change-tcp-mss`, `use-encryption`...), kept in
    /// order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl PppProfile {
    /// A profile with the defaults and this name.
    pub fn new(name: impl Into<Text>) -> Self {
        PppProfile {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The built-in profile `default` or `default-encryption` (`is_default` set).
    pub fn builtin(name: &str) -> Self {
        PppProfile {
            is_default: true,
            ..Self::new(name)
        }
    }

    /// The rate limit, parsed; `Ok(None)` when none is set.
    pub fn parsed_rate_limit(&self) -> Result<Option<RateLimit>, RateLimitError> {
        parse_rate_limit_text(&self.rate_limit)
    }

    /// Sets (or clears) the rate limit, written canonically.
    pub fn set_rate_limit(&mut self, r: Option<RateLimit>) {
        self.rate_limit = r.map(|r| Text::from(r.to_string())).unwrap_or_default();
    }
}

fn opt_time_zero(key: &str, v: &str) -> Result<Time, PropertyError> {
    if v.is_empty() {
        Ok(Time::ZERO)
    } else {
        parse_value(key, v)
    }
}

impl Item for PppProfile {
    fn name(&self) -> Option<&Text> {
        Some(&self.name)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "default" => self.is_default = parse_bool(key, v)?,
            "name" => self.name = Text::from(raw),
            "rate-limit" => self.rate_limit = Text::from(raw),
            "local-address" => self.local_address = AddressOrPool::from_bytes(raw),
            "remote-address" => self.remote_address = AddressOrPool::from_bytes(raw),
            "address-list" => self.address_list = opt_text(raw),
            "dns-server" => {
                self.dns_server = v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| parse_value(key, s))
                    .collect::<Result<_, _>>()?;
            }
            "only-one" => self.only_one = v.parse().map_err(|_| PropertyError::no_such(key, v))?,
            "parent-queue" => self.parent_queue = opt_text(raw),
            "queue-type" => self.queue_type = opt_text(raw),
            "on-up" => self.on_up = Text::from(raw),
            "on-down" => self.on_down = Text::from(raw),
            "session-timeout" => self.session_timeout = opt_time_zero(key, v)?,
            "idle-timeout" => self.idle_timeout = opt_time_zero(key, v)?,
            "comment" => self.comment = opt_text(raw),
            _ if IGNORED.contains(&key) => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let opt = |o: &Option<Text>| (o.clone().unwrap_or_default(), o.is_none());
        let addr = |a: &Option<AddressOrPool>| {
            (
                a.as_ref().map(AddressOrPool::to_text).unwrap_or_default(),
                a.is_none(),
            )
        };
        let dns: Vec<String> = self.dns_server.iter().map(ToString::to_string).collect();
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("name", self.name.clone(), false),
            (
                "rate-limit",
                self.rate_limit.clone(),
                self.rate_limit.is_empty(),
            ),
            (
                "dns-server",
                dns.join(",").into(),
                self.dns_server.is_empty(),
            ),
            (
                "only-one",
                self.only_one.render(style).into(),
                self.only_one == YesNoDefault::Default,
            ),
            ("on-up", self.on_up.clone(), self.on_up.is_empty()),
            ("on-down", self.on_down.clone(), self.on_down.is_empty()),
            (
                "session-timeout",
                self.session_timeout.to_string().into(),
                self.session_timeout.is_zero(),
            ),
            (
                "idle-timeout",
                self.idle_timeout.to_string().into(),
                self.idle_timeout.is_zero(),
            ),
        ];
        for (k, a) in [
            ("local-address", &self.local_address),
            ("remote-address", &self.remote_address),
        ] {
            let (v, d) = addr(a);
            items.push((k, v, d));
        }
        for (k, o) in [
            ("address-list", &self.address_list),
            ("parent-queue", &self.parent_queue),
            ("queue-type", &self.queue_type),
            ("comment", &self.comment),
        ] {
            let (v, d) = opt(o);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        key == "default"
    }

    fn required(&self) -> Result<(), PropertyError> {
        if self.name.is_empty() {
            return Err(PropertyError::Missing {
                property: "name".to_owned(),
            });
        }
        Ok(())
    }
}

/// One `/ppp active` row: a connected client. Read-only; `remove` disconnects it.
///
/// ```
/// use queue_model::ppp::{PppActive, PppService};
/// use routeros_proto::Attributes;
/// let mut row = Attributes::new();
/// for (k, v) in [(".id", "*80000001"), ("name", "budi"), ("service", "pppoe"),
///                ("caller-id", "AA:BB:CC:DD:EE:01"), ("address", "10.10.0.20"),
///                ("uptime", "3d4h"), ("encoding", ""), ("session-id", "0x81A00001"),
///                ("radius", "false")] {
///     row.push(k, v);
/// }
/// let a = PppActive::from_attributes(&row)?;
/// assert_eq!(a.service, PppService::Pppoe);
/// assert_eq!(a.uptime.as_millis(), 273_600_000);
/// # Ok::<(), queue_model::PropertyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PppActive {
    /// The RouterOS item id (`remove` it to disconnect the client).
    pub id: Option<String>,
    /// `name`: the user.
    pub name: Text,
    /// `service`.
    pub service: PppService,
    /// `caller-id`: MAC (PPPoE) or address the client connected from.
    pub caller_id: Option<Text>,
    /// `address` the client got.
    pub address: Option<Ipv4Addr>,
    /// `uptime`.
    pub uptime: Time,
    /// `encoding`.
    pub encoding: Option<Text>,
    /// `session-id`.
    pub session_id: Option<Text>,
    /// `limit-bytes-in` in effect.
    pub limit_bytes_in: u64,
    /// `limit-bytes-out` in effect.
    pub limit_bytes_out: u64,
    /// Flag R: authenticated by RADIUS.
    pub radius: bool,
    /// Other values of the row (`bytes`, `packets` of `print stats`...).
    pub extra: Vec<(String, Text)>,
}

impl PppActive {
    /// Reads a `print` row. Unknown values are kept in `extra`; known ones must be valid.
    pub fn from_attributes(attrs: &Attributes) -> Result<Self, PropertyError> {
        let mut a = PppActive::default();
        for (k, raw) in attrs {
            let key =
                std::str::from_utf8(k).map_err(|_| PropertyError::no_such("property", "?"))?;
            let lossy = String::from_utf8_lossy(raw);
            let v: &str = &lossy;
            match key {
                ".id" => a.id = opt_string(v),
                "name" => a.name = Text::from(raw),
                "service" => a.service = utf8(key, raw)?.parse()?,
                "caller-id" => a.caller_id = opt_text(raw),
                "address" => a.address = parse_opt_ipv4(key, v)?,
                "uptime" => a.uptime = parse_value(key, v)?,
                "encoding" => a.encoding = opt_text(raw),
                "session-id" => a.session_id = opt_text(raw),
                "limit-bytes-in" => a.limit_bytes_in = parse_u64(key, v)?,
                "limit-bytes-out" => a.limit_bytes_out = parse_u64(key, v)?,
                "radius" => a.radius = parse_bool(key, v)?,
                _ => set_extra(&mut a.extra, key, raw),
            }
        }
        Ok(a)
    }
}

/// PPP checks for [`crate::validate`].
pub(crate) fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    let mut names: HashSet<&[u8]> = HashSet::new();
    for p in &config.ppp_profiles {
        let subject = Subject::PppProfile(p.name.clone());
        if !names.insert(p.name.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "duplicate-name",
                subject.clone(),
                "another PPP profile already has this name".into(),
            ));
        }
        check_rate_limit(&p.rate_limit, &subject, out);
    }
    for b in BUILTIN_PROFILES {
        names.insert(b.as_bytes());
    }
    let mut secrets: HashSet<&[u8]> = HashSet::new();
    for s in &config.ppp_secrets {
        let subject = Subject::PppSecret(s.name.clone());
        if !secrets.insert(s.name.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "duplicate-name",
                subject.clone(),
                "another PPP secret already has this name".into(),
            ));
        }
        if !names.contains(s.profile.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "unknown-profile",
                subject.clone(),
                format!("profile `{}` is not a PPP profile", s.profile),
            ));
        }
        if let Some(c) = &s.caller_id {
            if let Some((severity, msg)) = caller_id_problem(&s.service, c) {
                out.push(Diagnostic::new(severity, "caller-id-format", subject, msg));
            }
        }
    }
}

/// What is wrong with a caller-id for a service, if anything.
fn caller_id_problem(service: &PppService, c: &Text) -> Option<(Severity, String)> {
    let s = c.as_str().ok();
    let mac = s.and_then(|s| s.parse::<MacAddress>().ok());
    match service {
        PppService::Pppoe => match (s, mac) {
            (Some(s), Some(m)) if m.to_string() != s => Some((
                Severity::Error,
                format!(
                    "a PPPoE caller-id is compared as text with the client's MAC in capitals: \
                     write `{m}`"
                ),
            )),
            (_, Some(_)) => None,
            _ => Some((
                Severity::Error,
                format!(
                    "`{}` is not a MAC address; a PPPoE caller-id is the client's MAC \
                     (AA:BB:CC:DD:EE:FF)",
                    c.escape()
                ),
            )),
        },
        PppService::Pptp | PppService::L2tp | PppService::Sstp | PppService::Ovpn => {
            match s.and_then(|s| s.parse::<IpAddr>().ok()) {
                Some(_) => None,
                None => Some((
                    Severity::Warning,
                    format!(
                        "`{}` is not an IP address; for {service} the caller-id is the \
                         address the client connects from",
                        c.escape()
                    ),
                )),
            }
        }
        PppService::Any => match (s, mac) {
            (Some(s), Some(m)) if m.to_string() != s => Some((
                Severity::Warning,
                format!(
                    "a MAC caller-id only matches PPPoE clients when written in capitals: `{m}`"
                ),
            )),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_status_and_reasons() {
        let mut s = PppSecret::default();
        for (k, v) in [
            ("name", "budi"),
            ("last-logged-out", "2024-07-15 10:23:45"),
            ("last-caller-id", "AA:BB:CC:DD:EE:01"),
            ("last-disconnect-reason", "peer-request"),
            ("remote-ipv6-prefix", "2001:db8::/64"),
        ] {
            s.set_property_str(k, v).unwrap();
        }
        assert_eq!(
            s.status.logged_out_at().unwrap().to_string(),
            "2024-07-15 10:23:45"
        );
        assert_eq!(
            s.status.disconnect_reason(),
            Some(DisconnectReason::PeerRequest)
        );
        assert!(PppSecret::read_only("last-caller-id"));
        // Read-only values and unknown ones: only the latter are rendered.
        assert_eq!(
            s.properties(),
            vec![
                ("name".to_owned(), Text::from("budi")),
                ("remote-ipv6-prefix".to_owned(), Text::from("2001:db8::/64")),
            ]
        );
        assert!(s.set_property_str("service", "PPPoE").is_err());
        assert!(s.set_property_str("local-address", "pool1").is_err());
    }

    #[test]
    fn caller_id_rules() {
        let t = Text::from;
        let pppoe = PppService::Pppoe;
        assert!(caller_id_problem(&pppoe, &t("AA:BB:CC:DD:EE:01")).is_none());
        let (sev, msg) = caller_id_problem(&pppoe, &t("aa:bb:cc:dd:ee:01")).unwrap();
        assert_eq!(sev, Severity::Error);
        assert!(msg.contains("`AA:BB:CC:DD:EE:01`"), "{msg}");
        assert!(caller_id_problem(&pppoe, &t("10.0.0.1")).is_some());
        assert!(caller_id_problem(&PppService::L2tp, &t("203.0.113.7")).is_none());
        assert_eq!(
            caller_id_problem(&PppService::Pptp, &t("AA:BB:CC:DD:EE:01")).map(|p| p.0),
            Some(Severity::Warning)
        );
        assert_eq!(
            caller_id_problem(&PppService::Any, &t("aa-bb-cc-dd-ee-01")).map(|p| p.0),
            Some(Severity::Warning)
        );
        assert!(caller_id_problem(&PppService::Isdn, &t("08123456789")).is_none());
    }

    #[test]
    fn profile_values() {
        let mut p = PppProfile::new("x");
        for (k, v) in [
            ("dns-server", "8.8.8.8,1.1.1.1"),
            ("only-one", "no"),
            ("session-timeout", ""),
            ("idle-timeout", "5m"),
            ("change-tcp-mss", "yes"),
        ] {
            p.set_property_str(k, v).unwrap();
        }
        assert_eq!(p.dns_server.len(), 2);
        let got: Vec<String> = p
            .properties()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            got,
            [
                "dns-server=8.8.8.8,1.1.1.1",
                "idle-timeout=5m",
                "name=x",
                "only-one=no",
                "change-tcp-mss=yes"
            ]
        );
        assert!(p.set_property_str("only-one", "maybe").is_err());
        assert!(p.set_property_str("dns-server", "dns.google").is_err());
    }
}
