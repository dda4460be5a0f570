//! HotSpot users and user profiles (`/ip hotspot user`, `/ip hotspot user profile`), the
//! read-only `/ip hotspot active` and `/ip hotspot host` rows, and the conventions of MIKHMON,
//! the voucher manager most Indonesian RT/RW nets use: [`mikhmon`] (its data formats),
//! [`voucher`] (batch generation) and [`report`] (sales totals).
//!
//! Properties and defaults follow MikroTik's *HotSpot - Captive portal* manual and the CLI
//! reference (`ip/hotspot/user`, `ip/hotspot/user/profile`); where routers' exports disagree
//! with the manual (a new user profile gets `keepalive-timeout=2m status-autorefresh=1m
//! transparent-proxy=no`), the router's values are the defaults here, so exports stay compact.
//!
//! ```
//! use queue_model::hotspot::{HotspotUser, HotspotUserProfile, SharedUsers};
//! use queue_model::{rsc, Item};
//!
//! let cfg = rsc::parse(
//!     "/ip hotspot user profile\n\
//!      add name=1Day rate-limit=1M/2M shared-users=unlimited\n\
//!      /ip hotspot user\n\
//!      add comment=vc-482-07.15.24-warung name=abk37 password=abk37 profile=1Day\n",
//! )?;
//! let profile: &HotspotUserProfile = &cfg.hotspot_user_profiles[0];
//! assert_eq!(profile.shared_users, SharedUsers::Unlimited);
//! assert_eq!(profile.parsed_rate_limit()?.unwrap().rate.download.0, 2_000_000);
//! let user: &HotspotUser = &cfg.hotspot_users[0];
//! assert_eq!(user.password.expose(), "abk37");
//! assert!(format!("{user:?}").contains("<redacted>"));
//! assert_eq!(rsc::parse(&rsc::render(&cfg))?, cfg);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod mikhmon;
pub mod ops;
pub mod report;
pub mod voucher;

use std::collections::HashSet;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use routeros_proto::Attributes;

use crate::error::{PropertyError, RateLimitError, ValueError};
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

/// `shared-users`: how many devices may be logged in with one user name at once.
///
/// ```
/// use queue_model::hotspot::SharedUsers;
/// assert_eq!("unlimited".parse::<SharedUsers>()?, SharedUsers::Unlimited);
/// assert_eq!(SharedUsers::default(), SharedUsers::Limited(1));
/// assert_eq!(SharedUsers::Limited(3).to_string(), "3");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SharedUsers {
    /// At most this many.
    Limited(u32),
    /// `unlimited`.
    Unlimited,
}

impl Default for SharedUsers {
    fn default() -> Self {
        SharedUsers::Limited(1)
    }
}

impl FromStr for SharedUsers {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        if s == "unlimited" {
            return Ok(SharedUsers::Unlimited);
        }
        if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::new("shared-users", s));
        }
        s.parse()
            .map(SharedUsers::Limited)
            .map_err(|_| ValueError::new("shared-users", s))
    }
}

impl fmt::Display for SharedUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedUsers::Limited(n) => write!(f, "{n}"),
            SharedUsers::Unlimited => f.write_str("unlimited"),
        }
    }
}

/// Read-only counters of a hotspot user (from `print` rows); never rendered or sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HotspotUserStats {
    /// `uptime`: total time logged in (what `limit-uptime` is compared with).
    pub uptime: Time,
    /// `bytes-in`: bytes received from the user (its upload).
    pub bytes_in: u64,
    /// `bytes-out`: bytes sent to the user (its download).
    pub bytes_out: u64,
    /// `packets-in`.
    pub packets_in: u64,
    /// `packets-out`.
    pub packets_out: u64,
}

impl HotspotUserStats {
    /// The read-only counter names.
    pub const NAMES: [&'static str; 5] = [
        "uptime",
        "bytes-in",
        "bytes-out",
        "packets-in",
        "packets-out",
    ];

    fn set(&mut self, key: &str, v: &str) -> Option<Result<(), PropertyError>> {
        let slot = match key {
            "uptime" => {
                return Some(parse_value(key, v).map(|t| self.uptime = t));
            }
            "bytes-in" => &mut self.bytes_in,
            "bytes-out" => &mut self.bytes_out,
            "packets-in" => &mut self.packets_in,
            "packets-out" => &mut self.packets_out,
            _ => return None,
        };
        Some(parse_u64(key, v).map(|n| *slot = n))
    }
}

pub(crate) fn parse_u64(key: &str, v: &str) -> Result<u64, PropertyError> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PropertyError::invalid(key, v));
    }
    v.parse().map_err(|_| PropertyError::invalid(key, v))
}

/// An optional time where `none` (or empty) means absent.
pub(crate) fn parse_opt_time(key: &str, v: &str) -> Result<Option<Time>, PropertyError> {
    if v == "none" || v.is_empty() {
        Ok(None)
    } else {
        parse_value(key, v).map(Some)
    }
}

/// An IPv4 address where empty or `0.0.0.0` means absent.
pub(crate) fn parse_opt_ipv4(key: &str, v: &str) -> Result<Option<Ipv4Addr>, PropertyError> {
    if v.is_empty() {
        return Ok(None);
    }
    let a: Ipv4Addr = parse_value(key, v)?;
    Ok((!a.is_unspecified()).then_some(a))
}

/// A value where `none` (or empty) means absent; other values keep the router's bytes.
pub(crate) fn opt_none_text(v: &[u8]) -> Option<Text> {
    (!v.is_empty() && v != b"none").then(|| Text::from(v))
}

/// One `/ip hotspot user`: a login (a voucher, a member), with RouterOS's defaults.
///
/// ```
/// use queue_model::hotspot::HotspotUser;
/// use queue_model::Item;
/// let mut u = HotspotUser::new("abk37", "abk37");
/// u.profile = "1Day".into();
/// u.limit_bytes_total = 1_073_741_824;
/// assert_eq!(
///     u.properties(),
///     [("limit-bytes-total", "1073741824"), ("name", "abk37"), ("password", "abk37"),
///      ("profile", "1Day")].map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HotspotUser {
    /// The RouterOS item id (`*1A`), when read from a router; never rendered.
    pub id: Option<String>,
    /// `name`: the login name (unique per server).
    pub name: Text,
    /// `password`.
    pub password: Password,
    /// `profile`: the user profile (default `default`).
    pub profile: Text,
    /// `server`: the hotspot server the user may log in to; `None` is `all`.
    pub server: Option<Text>,
    /// `limit-uptime`: total online time allowed (`0s`: unlimited). Not the same as a
    /// voucher's validity, which runs on the wall clock from the first login.
    pub limit_uptime: Time,
    /// `limit-bytes-in`: bytes the user may upload (0: unlimited).
    pub limit_bytes_in: u64,
    /// `limit-bytes-out`: bytes the user may download (0: unlimited).
    pub limit_bytes_out: u64,
    /// `limit-bytes-total`: bytes both ways (0: unlimited).
    pub limit_bytes_total: u64,
    /// `mac-address`: when set, the only device allowed (`None` is `00:00:00:00:00:00`, any).
    pub mac_address: Option<MacAddress>,
    /// `address`: a fixed address for the user (`None` is `0.0.0.0`).
    pub address: Option<Ipv4Addr>,
    /// `email` (informational).
    pub email: Option<Text>,
    /// `routes` added while the user is logged in.
    pub routes: Option<Text>,
    /// `comment`: MIKHMON keeps the batch code or the expiry here (see [`mikhmon`]).
    pub comment: Option<Text>,
    /// `disabled`.
    pub disabled: bool,
    /// Read-only counters (from `print` rows).
    pub stats: HotspotUserStats,
    /// Properties this crate does not model, kept in order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for HotspotUser {
    fn default() -> Self {
        HotspotUser {
            id: None,
            name: Text::new(),
            password: Password::new(),
            profile: Text::from("default"),
            server: None,
            limit_uptime: Time::ZERO,
            limit_bytes_in: 0,
            limit_bytes_out: 0,
            limit_bytes_total: 0,
            mac_address: None,
            address: None,
            email: None,
            routes: None,
            comment: None,
            disabled: false,
            stats: HotspotUserStats::default(),
            extra: Vec::new(),
        }
    }
}

impl HotspotUser {
    /// A user with RouterOS defaults for everything but its name and password.
    pub fn new(name: impl Into<Text>, password: impl Into<Text>) -> Self {
        HotspotUser {
            name: name.into(),
            password: Password::from(password.into()),
            ..Self::default()
        }
    }
}

impl Item for HotspotUser {
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
            "profile" => {
                self.profile = if raw.is_empty() {
                    Text::from("default")
                } else {
                    Text::from(raw)
                }
            }
            "server" => self.server = (raw != b"all").then(|| opt_text(raw)).flatten(),
            "limit-uptime" => self.limit_uptime = parse_value(key, v)?,
            "limit-bytes-in" => self.limit_bytes_in = parse_u64(key, v)?,
            "limit-bytes-out" => self.limit_bytes_out = parse_u64(key, v)?,
            "limit-bytes-total" => self.limit_bytes_total = parse_u64(key, v)?,
            "mac-address" => {
                self.mac_address = if v.is_empty() {
                    None
                } else {
                    Some(parse_value::<MacAddress>(key, v)?).filter(|m| !m.is_zero())
                }
            }
            "address" => self.address = parse_opt_ipv4(key, v)?,
            "email" => self.email = opt_text(raw),
            "routes" => self.routes = opt_text(raw),
            "comment" => self.comment = opt_text(raw),
            "disabled" => self.disabled = parse_bool(key, v)?,
            _ => {
                if let Some(r) = self.stats.set(key, v) {
                    return r;
                }
                if IGNORED.contains(&key) || key == "default" {
                    return Ok(());
                }
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let opt = |o: &Option<Text>| (o.clone().unwrap_or_default(), o.is_none());
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("name", self.name.clone(), false),
            (
                "password",
                self.password.expose().clone(),
                self.password.is_empty(),
            ),
            ("profile", self.profile.clone(), self.profile == "default"),
            (
                "server",
                self.server.clone().unwrap_or_else(|| "all".into()),
                self.server.is_none(),
            ),
            (
                "limit-uptime",
                self.limit_uptime.to_string().into(),
                self.limit_uptime.is_zero(),
            ),
            (
                "mac-address",
                self.mac_address
                    .unwrap_or(MacAddress::ZERO)
                    .to_string()
                    .into(),
                self.mac_address.is_none(),
            ),
            (
                "address",
                self.address
                    .unwrap_or(Ipv4Addr::UNSPECIFIED)
                    .to_string()
                    .into(),
                self.address.is_none(),
            ),
            (
                "disabled",
                bool_str(self.disabled, style).into(),
                !self.disabled,
            ),
        ];
        for (k, n) in [
            ("limit-bytes-in", self.limit_bytes_in),
            ("limit-bytes-out", self.limit_bytes_out),
            ("limit-bytes-total", self.limit_bytes_total),
        ] {
            items.push((k, n.to_string().into(), n == 0));
        }
        for (k, o) in [
            ("email", &self.email),
            ("routes", &self.routes),
            ("comment", &self.comment),
        ] {
            let (v, d) = opt(o);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        HotspotUserStats::NAMES.contains(&key)
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

/// One `/ip hotspot user profile`: what the users of a package share (rate limit, shared
/// users, timeouts, scripts), with the defaults a new profile gets.
///
/// `rate_limit` keeps the router's text, because RouterOS stores it as a string and a router
/// may hold one that does not parse; [`parsed_rate_limit`](Self::parsed_rate_limit) reads it
/// and [`crate::validate`] reports a bad one.
///
/// ```
/// use queue_model::hotspot::HotspotUserProfile;
/// use queue_model::{Item, RateLimit, Time};
/// let mut p = HotspotUserProfile::new("1Day");
/// p.set_rate_limit(Some("512k/1M".parse::<RateLimit>()?));
/// assert_eq!(p.keepalive_timeout, Some(Time::from_secs(120)));
/// assert_eq!(
///     p.properties(),
///     [("name", "1Day"), ("rate-limit", "512k/1M")].map(|(k, v)| (k.to_owned(), v.into()))
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HotspotUserProfile {
    /// The RouterOS item id, when read from a router; never rendered.
    pub id: Option<String>,
    /// True for the built-in default profile (the `*` flag; `set [ find default=yes ]` in
    /// exports). Read-only: it cannot be set, only read.
    pub is_default: bool,
    /// `name`.
    pub name: Text,
    /// `rate-limit`, as the router holds it (empty: no limit).
    pub rate_limit: Text,
    /// `shared-users` (default 1).
    pub shared_users: SharedUsers,
    /// `session-timeout`: hard logout after this long (`0s`: none).
    pub session_timeout: Time,
    /// `idle-timeout` (`None` is `none`, the default).
    pub idle_timeout: Option<Time>,
    /// `keepalive-timeout` (default `2m`; `None` is `none`).
    pub keepalive_timeout: Option<Time>,
    /// `status-autorefresh` (default `1m`; `None` is `none`).
    pub status_autorefresh: Option<Time>,
    /// `address-pool` (`None` is `none`).
    pub address_pool: Option<Text>,
    /// `address-list` the user's address is added to.
    pub address_list: Option<Text>,
    /// `parent-queue` of the users' dynamic queues (`None`: unset; MIKHMON writes `none`,
    /// which is kept as a value).
    pub parent_queue: Option<Text>,
    /// `queue-type` of the users' dynamic queues (`None`: unset).
    pub queue_type: Option<Text>,
    /// `add-mac-cookie` (default yes).
    pub add_mac_cookie: bool,
    /// `mac-cookie-timeout` (default `3d`).
    pub mac_cookie_timeout: Time,
    /// `on-login` script (MIKHMON keeps price and validity in its first statement).
    pub on_login: Text,
    /// `on-logout` script.
    pub on_logout: Text,
    /// `transparent-proxy` (default no).
    pub transparent_proxy: bool,
    /// Properties this crate does not model, kept in order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for HotspotUserProfile {
    fn default() -> Self {
        HotspotUserProfile {
            id: None,
            is_default: false,
            name: Text::new(),
            rate_limit: Text::new(),
            shared_users: SharedUsers::default(),
            session_timeout: Time::ZERO,
            idle_timeout: None,
            keepalive_timeout: Some(Time::from_secs(120)),
            status_autorefresh: Some(Time::from_secs(60)),
            address_pool: None,
            address_list: None,
            parent_queue: None,
            queue_type: None,
            add_mac_cookie: true,
            mac_cookie_timeout: Time::from_secs(3 * 86_400),
            on_login: Text::new(),
            on_logout: Text::new(),
            transparent_proxy: false,
            extra: Vec::new(),
        }
    }
}

impl HotspotUserProfile {
    /// A profile with the defaults and this name.
    pub fn new(name: impl Into<Text>) -> Self {
        HotspotUserProfile {
            name: name.into(),
            ..Self::default()
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

/// Parses a stored rate-limit text: empty is `None`.
pub(crate) fn parse_rate_limit_text(t: &Text) -> Result<Option<RateLimit>, RateLimitError> {
    if t.is_empty() {
        return Ok(None);
    }
    let s = String::from_utf8_lossy(t.as_bytes());
    s.parse().map(Some)
}

fn time_or_none(t: Option<Time>) -> Text {
    t.map_or_else(|| "none".into(), |t| t.to_string().into())
}

impl Item for HotspotUserProfile {
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
            "shared-users" => self.shared_users = parse_value(key, v)?,
            "session-timeout" => self.session_timeout = parse_value(key, v)?,
            "idle-timeout" => self.idle_timeout = parse_opt_time(key, v)?,
            "keepalive-timeout" => self.keepalive_timeout = parse_opt_time(key, v)?,
            "status-autorefresh" => self.status_autorefresh = parse_opt_time(key, v)?,
            "address-pool" => self.address_pool = opt_none_text(raw),
            "address-list" => self.address_list = opt_text(raw),
            "parent-queue" => self.parent_queue = opt_text(raw),
            "queue-type" => self.queue_type = opt_text(raw),
            "add-mac-cookie" => self.add_mac_cookie = parse_bool(key, v)?,
            "mac-cookie-timeout" => self.mac_cookie_timeout = parse_value(key, v)?,
            "on-login" => self.on_login = Text::from(raw),
            "on-logout" => self.on_logout = Text::from(raw),
            "transparent-proxy" => self.transparent_proxy = parse_bool(key, v)?,
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
        let d = Self::default();
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("name", self.name.clone(), false),
            (
                "rate-limit",
                self.rate_limit.clone(),
                self.rate_limit.is_empty(),
            ),
            (
                "shared-users",
                self.shared_users.to_string().into(),
                self.shared_users == d.shared_users,
            ),
            (
                "session-timeout",
                self.session_timeout.to_string().into(),
                self.session_timeout.is_zero(),
            ),
            (
                "idle-timeout",
                time_or_none(self.idle_timeout),
                self.idle_timeout == d.idle_timeout,
            ),
            (
                "keepalive-timeout",
                time_or_none(self.keepalive_timeout),
                self.keepalive_timeout == d.keepalive_timeout,
            ),
            (
                "status-autorefresh",
                time_or_none(self.status_autorefresh),
                self.status_autorefresh == d.status_autorefresh,
            ),
            (
                "address-pool",
                self.address_pool.clone().unwrap_or_else(|| "none".into()),
                self.address_pool.is_none(),
            ),
            (
                "add-mac-cookie",
                bool_str(self.add_mac_cookie, style).into(),
                self.add_mac_cookie,
            ),
            (
                "mac-cookie-timeout",
                self.mac_cookie_timeout.to_string().into(),
                self.mac_cookie_timeout == d.mac_cookie_timeout,
            ),
            ("on-login", self.on_login.clone(), self.on_login.is_empty()),
            (
                "on-logout",
                self.on_logout.clone(),
                self.on_logout.is_empty(),
            ),
            (
                "transparent-proxy",
                bool_str(self.transparent_proxy, style).into(),
                !self.transparent_proxy,
            ),
        ];
        for (k, o) in [
            ("address-list", &self.address_list),
            ("parent-queue", &self.parent_queue),
            ("queue-type", &self.queue_type),
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

/// Reads a read-only row: `set` maps known keys and returns false for unknown ones, which are
/// kept in `extra`.
fn read_row<T: Default>(
    attrs: &Attributes,
    extra: fn(&mut T) -> &mut Vec<(String, Text)>,
    mut set: impl FnMut(&mut T, &str, &str, &[u8]) -> Result<bool, PropertyError>,
) -> Result<T, PropertyError> {
    let mut item = T::default();
    for (k, v) in attrs {
        let key = std::str::from_utf8(k).map_err(|_| PropertyError::no_such("property", "?"))?;
        let lossy = String::from_utf8_lossy(v);
        if !set(&mut item, key, &lossy, v)? {
            set_extra(extra(&mut item), key, v);
        }
    }
    Ok(item)
}

/// One `/ip hotspot active` row: a logged-in user. Read-only; `remove` logs the user out.
///
/// ```
/// use queue_model::hotspot::HotspotActive;
/// use routeros_proto::Attributes;
/// let mut row = Attributes::new();
/// for (k, v) in [(".id", "*5"), ("server", "hotspot1"), ("user", "abk37"),
///                ("address", "10.5.50.12"), ("mac-address", "AA:BB:CC:DD:EE:FF"),
///                ("login-by", "http-chap"), ("uptime", "1h2m3s"), ("bytes-in", "1200"),
///                ("radius", "false"), ("blocked", "false")] {
///     row.push(k, v);
/// }
/// let a = HotspotActive::from_attributes(&row)?;
/// assert_eq!(a.user, "abk37");
/// assert_eq!(a.uptime.as_millis(), 3_723_000);
/// # Ok::<(), queue_model::PropertyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HotspotActive {
    /// The RouterOS item id (`remove` it to log the user out).
    pub id: Option<String>,
    /// `server`.
    pub server: Option<Text>,
    /// `user`.
    pub user: Text,
    /// `domain` (RADIUS only).
    pub domain: Option<Text>,
    /// `address`.
    pub address: Option<Ipv4Addr>,
    /// `mac-address`.
    pub mac_address: Option<MacAddress>,
    /// `login-by` (`http-chap`, `cookie`, `mac-cookie`...).
    pub login_by: Option<Text>,
    /// `uptime`: this session's time.
    pub uptime: Time,
    /// `session-time-left` (absent when unlimited).
    pub session_time_left: Option<Time>,
    /// `idle-time`.
    pub idle_time: Time,
    /// `idle-timeout` in effect.
    pub idle_timeout: Option<Time>,
    /// `keepalive-timeout` in effect.
    pub keepalive_timeout: Option<Time>,
    /// `bytes-in`: from the user.
    pub bytes_in: u64,
    /// `bytes-out`: to the user.
    pub bytes_out: u64,
    /// `packets-in`.
    pub packets_in: u64,
    /// `packets-out`.
    pub packets_out: u64,
    /// `limit-bytes-in` in effect (0: none).
    pub limit_bytes_in: u64,
    /// `limit-bytes-out` in effect.
    pub limit_bytes_out: u64,
    /// `limit-bytes-total` in effect.
    pub limit_bytes_total: u64,
    /// Flag R: authenticated by RADIUS.
    pub radius: bool,
    /// Flag B: blocked (advertisement not shown).
    pub blocked: bool,
    /// Other values of the row.
    pub extra: Vec<(String, Text)>,
}

impl HotspotActive {
    /// Reads a `print` row. Unknown values are kept in `extra`; known ones must be valid.
    pub fn from_attributes(attrs: &Attributes) -> Result<Self, PropertyError> {
        read_row(
            attrs,
            |a: &mut HotspotActive| &mut a.extra,
            |a, key, v, raw| {
                match key {
                    ".id" => a.id = opt_string(v),
                    "server" => a.server = opt_text(raw),
                    "user" => a.user = Text::from(raw),
                    "domain" => a.domain = opt_text(raw),
                    "address" => a.address = parse_opt_ipv4(key, v)?,
                    "mac-address" => a.mac_address = opt_mac(key, v)?,
                    "login-by" => a.login_by = opt_text(raw),
                    "uptime" => a.uptime = parse_value(key, v)?,
                    "session-time-left" => a.session_time_left = parse_opt_time(key, v)?,
                    "idle-time" => a.idle_time = parse_value(key, v)?,
                    "idle-timeout" => a.idle_timeout = parse_opt_time(key, v)?,
                    "keepalive-timeout" => a.keepalive_timeout = parse_opt_time(key, v)?,
                    "bytes-in" => a.bytes_in = parse_u64(key, v)?,
                    "bytes-out" => a.bytes_out = parse_u64(key, v)?,
                    "packets-in" => a.packets_in = parse_u64(key, v)?,
                    "packets-out" => a.packets_out = parse_u64(key, v)?,
                    "limit-bytes-in" => a.limit_bytes_in = parse_u64(key, v)?,
                    "limit-bytes-out" => a.limit_bytes_out = parse_u64(key, v)?,
                    "limit-bytes-total" => a.limit_bytes_total = parse_u64(key, v)?,
                    "radius" => a.radius = parse_bool(key, v)?,
                    "blocked" => a.blocked = parse_bool(key, v)?,
                    _ => return Ok(false),
                }
                Ok(true)
            },
        )
    }
}

pub(crate) fn opt_mac(key: &str, v: &str) -> Result<Option<MacAddress>, PropertyError> {
    if v.is_empty() {
        Ok(None)
    } else {
        parse_value(key, v).map(Some)
    }
}

/// One `/ip hotspot host` row: a device seen by the hotspot, logged in or not. Read-only.
///
/// ```
/// use queue_model::hotspot::HotspotHost;
/// use routeros_proto::Attributes;
/// let mut row = Attributes::new();
/// for (k, v) in [("mac-address", "AA:BB:CC:DD:EE:FF"), ("address", "10.5.50.12"),
///                ("to-address", "10.5.50.12"), ("server", "hotspot1"),
///                ("authorized", "true"), ("bypassed", "false"), ("DHCP", "true")] {
///     row.push(k, v);
/// }
/// let h = HotspotHost::from_attributes(&row)?;
/// assert!(h.authorized && h.dhcp && !h.bypassed);
/// # Ok::<(), queue_model::PropertyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HotspotHost {
    /// The RouterOS item id.
    pub id: Option<String>,
    /// `mac-address`.
    pub mac_address: Option<MacAddress>,
    /// `address`: the device's own address.
    pub address: Option<Ipv4Addr>,
    /// `to-address`: the address the hotspot translates it to.
    pub to_address: Option<Ipv4Addr>,
    /// `server`.
    pub server: Option<Text>,
    /// `bridge-port`.
    pub bridge_port: Option<Text>,
    /// `uptime`.
    pub uptime: Time,
    /// `idle-time`.
    pub idle_time: Time,
    /// `idle-timeout`.
    pub idle_timeout: Option<Time>,
    /// `keepalive-timeout`.
    pub keepalive_timeout: Option<Time>,
    /// `host-dead-time`.
    pub host_dead_time: Option<Time>,
    /// `bytes-in`.
    pub bytes_in: u64,
    /// `bytes-out`.
    pub bytes_out: u64,
    /// `packets-in`.
    pub packets_in: u64,
    /// `packets-out`.
    pub packets_out: u64,
    /// `found-by`.
    pub found_by: Option<Text>,
    /// Flag A: logged in.
    pub authorized: bool,
    /// Flag P: bypassed by an IP binding.
    pub bypassed: bool,
    /// Flag H: got its address by DHCP.
    pub dhcp: bool,
    /// Flag D: dynamic.
    pub dynamic: bool,
    /// Other values of the row.
    pub extra: Vec<(String, Text)>,
}

impl HotspotHost {
    /// Reads a `print` row. Unknown values are kept in `extra`; known ones must be valid.
    pub fn from_attributes(attrs: &Attributes) -> Result<Self, PropertyError> {
        read_row(
            attrs,
            |h: &mut HotspotHost| &mut h.extra,
            |h, key, v, raw| {
                match key {
                    ".id" => h.id = opt_string(v),
                    "mac-address" => h.mac_address = opt_mac(key, v)?,
                    "address" => h.address = parse_opt_ipv4(key, v)?,
                    "to-address" => h.to_address = parse_opt_ipv4(key, v)?,
                    "server" => h.server = opt_text(raw),
                    "bridge-port" => h.bridge_port = opt_text(raw),
                    "uptime" => h.uptime = parse_value(key, v)?,
                    "idle-time" => h.idle_time = parse_value(key, v)?,
                    "idle-timeout" => h.idle_timeout = parse_opt_time(key, v)?,
                    "keepalive-timeout" => h.keepalive_timeout = parse_opt_time(key, v)?,
                    "host-dead-time" => h.host_dead_time = parse_opt_time(key, v)?,
                    "bytes-in" => h.bytes_in = parse_u64(key, v)?,
                    "bytes-out" => h.bytes_out = parse_u64(key, v)?,
                    "packets-in" => h.packets_in = parse_u64(key, v)?,
                    "packets-out" => h.packets_out = parse_u64(key, v)?,
                    "found-by" => h.found_by = opt_text(raw),
                    "authorized" => h.authorized = parse_bool(key, v)?,
                    "bypassed" => h.bypassed = parse_bool(key, v)?,
                    "DHCP" | "dhcp" => h.dhcp = parse_bool(key, v)?,
                    "dynamic" => h.dynamic = parse_bool(key, v)?,
                    _ => return Ok(false),
                }
                Ok(true)
            },
        )
    }
}

/// Reports a rate-limit text that does not parse or whose values are wrong.
pub(crate) fn check_rate_limit(text: &Text, subject: &Subject, out: &mut Vec<Diagnostic>) {
    match parse_rate_limit_text(text) {
        Err(e) => out.push(Diagnostic::new(
            Severity::Error,
            "bad-rate-limit",
            subject.clone(),
            e.to_string(),
        )),
        Ok(Some(r)) => {
            for p in r.check() {
                let severity = if p.is_error() {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                out.push(Diagnostic::new(
                    severity,
                    p.code(),
                    subject.clone(),
                    p.to_string(),
                ));
            }
        }
        Ok(None) => {}
    }
}

/// Hotspot checks for [`crate::validate`].
pub(crate) fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    let mut names: HashSet<&[u8]> = HashSet::new();
    let mut has_default = false;
    for p in &config.hotspot_user_profiles {
        let subject = Subject::HotspotUserProfile(p.name.clone());
        has_default |= p.is_default;
        if !names.insert(p.name.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "duplicate-name",
                subject.clone(),
                "another hotspot user profile already has this name".into(),
            ));
        }
        check_rate_limit(&p.rate_limit, &subject, out);
        if p.shared_users == SharedUsers::Limited(0) {
            out.push(Diagnostic::new(
                Severity::Error,
                "shared-users-zero",
                subject.clone(),
                "shared-users 0 lets nobody log in; use 1 or more, or `unlimited`".into(),
            ));
        }
        if mikhmon::looks_like_header(p.on_login.as_bytes()) {
            if let Err(e) = mikhmon::OnLoginHeader::from_script(p.on_login.as_bytes()) {
                out.push(Diagnostic::new(
                    Severity::Warning,
                    "mikhmon-header",
                    subject,
                    format!("on-login starts like a MIKHMON header but does not parse: {e}"),
                ));
            }
        }
    }
    // The built-in profile exists on every router even when a configuration leaves it out;
    // it is called `default` unless renamed.
    if !has_default {
        names.insert(b"default");
    }
    let mut users: HashSet<(&[u8], &[u8])> = HashSet::new();
    for u in &config.hotspot_users {
        let subject = Subject::HotspotUser(u.name.clone());
        let server = u.server.as_deref().unwrap_or(b"all");
        if !users.insert((u.name.as_bytes(), server)) {
            out.push(Diagnostic::new(
                Severity::Error,
                "duplicate-name",
                subject.clone(),
                "another hotspot user of the same server already has this name".into(),
            ));
        }
        if !names.contains(u.profile.as_bytes()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "unknown-profile",
                subject.clone(),
                format!("profile `{}` is not a hotspot user profile", u.profile),
            ));
        }
        if u.limit_bytes_total != 0
            && (u.limit_bytes_in > u.limit_bytes_total || u.limit_bytes_out > u.limit_bytes_total)
        {
            out.push(Diagnostic::new(
                Severity::Warning,
                "limit-bytes-above-total",
                subject,
                "limit-bytes-in or -out is above limit-bytes-total, which is reached first".into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
