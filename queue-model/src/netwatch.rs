//! Netwatch (`/tool netwatch`): the router probing a host (a customer's CPE, an access point,
//! the ISP's gateway, a public resolver) at an interval and running a script when it goes down
//! or comes back.
//!
//! Properties and defaults follow MikroTik's *Netwatch* manual for RouterOS 7: `type` is
//! `simple` unless set (entries made before 7.4 read back as `simple` too), `interval` 10s,
//! `timeout` 3s. RouterOS 7 reports `status` (`up`, `down`, `unknown` before the first test)
//! and `since` (when the status last changed) in `print`; they are read into
//! [`NetwatchStatus`] and never rendered or sent.
//!
//! ```
//! use queue_model::netwatch::{Netwatch, NetwatchType};
//! use queue_model::{rsc, validate, Time};
//!
//! let cfg = rsc::parse(
//!     "/tool netwatch\n\
//!      add comment=\"house 12\" down-script=\":log warning down\" host=192.168.88.12 \\\n\
//!          interval=30s type=icmp\n",
//! )?;
//! let w: &Netwatch = &cfg.netwatch[0];
//! assert_eq!(w.kind, NetwatchType::Icmp);
//! assert_eq!(w.interval, Time::from_secs(30));
//! assert_eq!(w.timeout, Time::from_secs(3)); // the default
//! assert!(validate(&cfg).is_empty());
//! assert_eq!(rsc::parse(&rsc::render(&cfg))?, cfg);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::clock::DateTime;
use crate::error::PropertyError;
use crate::model::{
    bool_str, check_key, finish, opt_string, opt_text, parse_bool, parse_value, set_extra, utf8,
    Config, Item, Style, IGNORED,
};
use crate::text::Text;
use crate::validate::{Diagnostic, Severity, Subject};
use crate::value::Time;

/// The default `interval`: 10 seconds.
pub const DEFAULT_INTERVAL: Time = Time::from_secs(10);

/// The default `timeout`: 3 seconds.
pub const DEFAULT_TIMEOUT: Time = Time::from_secs(3);

/// The shortest `interval` and `timeout` this crate accepts (RouterOS refuses 0).
pub const MIN_TIME: Time = Time::from_millis(10);

/// `type`: how the host is probed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NetwatchType {
    /// `simple` (the default): one ping per test, up when it is answered.
    #[default]
    Simple,
    /// `icmp`: a burst of pings per test, judged by loss and round-trip thresholds.
    Icmp,
    /// `tcp-conn`: a TCP connection to `port`.
    TcpConn,
    /// `http-get`: an HTTP request.
    HttpGet,
    /// `https-get`: an HTTPS request (newer RouterOS 7).
    HttpsGet,
    /// `dns`: a DNS query (newer RouterOS 7).
    Dns,
    /// A type a newer RouterOS knows, as written.
    Other(String),
}

impl FromStr for NetwatchType {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        Ok(match s {
            "simple" => NetwatchType::Simple,
            "icmp" => NetwatchType::Icmp,
            "tcp-conn" => NetwatchType::TcpConn,
            "http-get" => NetwatchType::HttpGet,
            "https-get" => NetwatchType::HttpsGet,
            "dns" => NetwatchType::Dns,
            s if !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                NetwatchType::Other(s.to_owned())
            }
            s => return Err(PropertyError::no_such("type", s)),
        })
    }
}

impl fmt::Display for NetwatchType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetwatchType::Simple => "simple",
            NetwatchType::Icmp => "icmp",
            NetwatchType::TcpConn => "tcp-conn",
            NetwatchType::HttpGet => "http-get",
            NetwatchType::HttpsGet => "https-get",
            NetwatchType::Dns => "dns",
            NetwatchType::Other(s) => s,
        })
    }
}

/// `status` as RouterOS 7 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum HostStatus {
    /// `up`: the last test passed.
    Up,
    /// `down`: the last test failed.
    Down,
    /// `unknown`: not tested yet (just added, enabled, or the router just started).
    #[default]
    Unknown,
}

impl FromStr for HostStatus {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        match s {
            "up" => Ok(HostStatus::Up),
            "down" => Ok(HostStatus::Down),
            "unknown" | "" => Ok(HostStatus::Unknown),
            _ => Err(PropertyError::no_such("status", s)),
        }
    }
}

impl fmt::Display for HostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostStatus::Up => "up",
            HostStatus::Down => "down",
            HostStatus::Unknown => "unknown",
        })
    }
}

/// Read-only values of a netwatch entry; never rendered or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetwatchStatus {
    /// `status`.
    pub status: HostStatus,
    /// `since`: when the status last changed, as the router wrote it (`2025-03-20 08:00:13`
    /// from 7.10, `mar/20/2025 08:00:13` before).
    pub since: Option<Text>,
    /// `done-tests`: tests run.
    pub done_tests: Option<u64>,
    /// `failed-tests`: tests failed.
    pub failed_tests: Option<u64>,
}

impl NetwatchStatus {
    /// The read-only names this type keeps.
    pub const NAMES: [&'static str; 4] = ["status", "since", "done-tests", "failed-tests"];

    /// `since` as a date and time (both date forms are read), when it is one.
    pub fn since_at(&self) -> Option<DateTime> {
        self.since.as_ref()?.as_str().ok()?.parse().ok()
    }
}

/// Statistics RouterOS 7 reports for `icmp` probes; read-only, not kept.
const PROBE_STATS: &[&str] = &[
    "sent-count",
    "response-count",
    "loss-count",
    "loss-percent",
    "rtt-avg",
    "rtt-min",
    "rtt-max",
    "rtt-jitter",
    "rtt-stdev",
    "http-status-code",
    "http-resp-time",
    "tcp-connect-time",
];

/// One `/tool netwatch` entry.
///
/// ```
/// use queue_model::netwatch::{HostStatus, Netwatch};
/// use queue_model::Item;
/// use routeros_proto::Attributes;
///
/// let mut w = Netwatch::new([8, 8, 8, 8].into());
/// w.comment = Some("uplink".into());
/// w.down_script = ":log warning \"uplink down\"".into();
/// assert_eq!(
///     w.properties(),
///     [("comment", "uplink"), ("down-script", ":log warning \"uplink down\""),
///      ("host", "8.8.8.8")].map(|(k, v)| (k.to_owned(), v.into()))
/// );
///
/// // A row as RouterOS 7 prints it:
/// let mut row = Attributes::new();
/// for (k, v) in [(".id", "*1"), ("host", "192.168.88.12"), ("type", "simple"),
///                ("interval", "10s"), ("timeout", "3s"), ("status", "down"),
///                ("since", "2025-03-20 08:00:13"), ("disabled", "false")] {
///     row.push(k, v);
/// }
/// let w = Netwatch::from_attributes(&row)?;
/// assert_eq!(w.status.status, HostStatus::Down);
/// assert_eq!(w.status.since_at().unwrap().to_string(), "2025-03-20 08:00:13");
/// # Ok::<(), queue_model::PropertyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Netwatch {
    /// The RouterOS item id, when read from a router; never rendered.
    pub id: Option<String>,
    /// `name` (RouterOS 7; empty: none).
    pub name: Option<Text>,
    /// `host`: the address probed (required).
    pub host: Option<IpAddr>,
    /// `type` (default `simple`).
    pub kind: NetwatchType,
    /// `interval` between tests (default 10s).
    pub interval: Time,
    /// `timeout`: how long a probe waits for an answer (default 3s).
    pub timeout: Time,
    /// `up-script`: run when a failing host answers again.
    pub up_script: Text,
    /// `down-script`: run when a host stops answering.
    pub down_script: Text,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Text>,
    /// Read-only values (RouterOS 7).
    pub status: NetwatchStatus,
    /// Properties this crate does not model (`src-address`, `port`, `thr-*`...), kept in
    /// order with the router's bytes.
    pub extra: Vec<(String, Text)>,
}

impl Default for Netwatch {
    fn default() -> Self {
        Netwatch {
            id: None,
            name: None,
            host: None,
            kind: NetwatchType::Simple,
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            up_script: Text::new(),
            down_script: Text::new(),
            disabled: false,
            comment: None,
            status: NetwatchStatus::default(),
            extra: Vec::new(),
        }
    }
}

impl Netwatch {
    /// An entry watching `host` with the defaults for everything else.
    pub fn new(host: IpAddr) -> Self {
        Netwatch {
            host: Some(host),
            ..Self::default()
        }
    }
}

/// Reads a `host`: an IPv4 or IPv6 address (a VRF suffix `@vrf` and domain names are not
/// modelled and are refused).
fn parse_host(v: &str) -> Result<Option<IpAddr>, PropertyError> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| PropertyError::invalid("host", v))
}

impl Item for Netwatch {
    fn name(&self) -> Option<&Text> {
        self.name.as_ref()
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, raw: &[u8]) -> Result<(), PropertyError> {
        let lossy = String::from_utf8_lossy(raw);
        let v: &str = &lossy;
        match key {
            ".id" => self.id = opt_string(utf8(key, raw)?),
            "name" => self.name = opt_text(raw),
            "host" => self.host = parse_host(utf8(key, raw)?)?,
            "type" => {
                self.kind = if raw.is_empty() {
                    NetwatchType::Simple
                } else {
                    utf8(key, raw)?.parse()?
                }
            }
            "interval" => {
                self.interval = if raw.is_empty() {
                    DEFAULT_INTERVAL
                } else {
                    parse_value(key, v)?
                }
            }
            "timeout" => {
                self.timeout = if raw.is_empty() {
                    DEFAULT_TIMEOUT
                } else {
                    parse_value(key, v)?
                }
            }
            "up-script" => self.up_script = Text::from(raw),
            "down-script" => self.down_script = Text::from(raw),
            "disabled" => self.disabled = parse_bool(key, v)?,
            "comment" => self.comment = opt_text(raw),
            "status" => self.status.status = v.parse()?,
            "since" => self.status.since = opt_text(raw),
            "done-tests" => self.status.done_tests = Some(parse_value(key, v)?),
            "failed-tests" => self.status.failed_tests = Some(parse_value(key, v)?),
            _ if PROBE_STATS.contains(&key) || IGNORED.contains(&key) => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, raw);
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let opt = |o: &Option<Text>| (o.clone().unwrap_or_default(), o.is_none());
        let host = self.host.map(|h| h.to_string()).unwrap_or_default();
        let mut items: Vec<(&'static str, Text, bool)> = vec![
            ("host", host.into(), self.host.is_none()),
            (
                "type",
                self.kind.to_string().into(),
                self.kind == NetwatchType::Simple,
            ),
            (
                "interval",
                self.interval.to_string().into(),
                self.interval == DEFAULT_INTERVAL,
            ),
            (
                "timeout",
                self.timeout.to_string().into(),
                self.timeout == DEFAULT_TIMEOUT,
            ),
            (
                "up-script",
                self.up_script.clone(),
                self.up_script.is_empty(),
            ),
            (
                "down-script",
                self.down_script.clone(),
                self.down_script.is_empty(),
            ),
            (
                "disabled",
                bool_str(self.disabled, style).into(),
                !self.disabled,
            ),
        ];
        for (k, o) in [("name", &self.name), ("comment", &self.comment)] {
            let (v, d) = opt(o);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn read_only(key: &str) -> bool {
        NetwatchStatus::NAMES.contains(&key) || PROBE_STATS.contains(&key)
    }

    /// `interval` and `timeout` must be at least [`MIN_TIME`] (RouterOS refuses `0s`).
    fn check_ranges(&self) -> Result<(), PropertyError> {
        for (key, t) in [("interval", self.interval), ("timeout", self.timeout)] {
            if t < MIN_TIME {
                return Err(PropertyError::range(key, "10ms", "1w"));
            }
            if t > Time::from_secs(604_800) {
                return Err(PropertyError::range(key, "10ms", "1w"));
            }
        }
        Ok(())
    }

    fn required(&self) -> Result<(), PropertyError> {
        if self.host.is_none() {
            return Err(PropertyError::Missing {
                property: "host".to_owned(),
            });
        }
        Ok(())
    }
}

/// Netwatch checks for [`crate::validate`]: the ranges RouterOS enforces, a missing host,
/// two enabled entries probing the same host the same way (their scripts would both fire),
/// and a timeout longer than the interval (tests would overlap).
pub(crate) fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<(IpAddr, String)> = HashSet::new();
    for (i, w) in config.netwatch.iter().enumerate() {
        let subject = Subject::Netwatch(i);
        if let Err(e) = w.required().and_then(|()| w.check_ranges()) {
            out.push(Diagnostic::new(
                Severity::Error,
                "netwatch-invalid",
                subject,
                e.to_string(),
            ));
            continue;
        }
        let Some(host) = w.host else { continue };
        if !w.disabled && !seen.insert((host, w.kind.to_string())) {
            out.push(Diagnostic::new(
                Severity::Warning,
                "duplicate-netwatch",
                subject.clone(),
                format!(
                    "another enabled netwatch entry already probes {host} ({})",
                    w.kind
                ),
            ));
        }
        if w.timeout > w.interval {
            out.push(Diagnostic::new(
                Severity::Warning,
                "netwatch-timeout",
                subject,
                format!(
                    "timeout {} is longer than interval {}: a test can outlast the next one",
                    w.timeout, w.interval
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use routeros_proto::Attributes;

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        let mut a = Attributes::new();
        for (k, v) in pairs {
            a.push(*k, *v);
        }
        a
    }

    #[test]
    fn defaults_follow_the_manual() {
        let w = Netwatch::new("192.168.88.12".parse().unwrap());
        assert_eq!(w.kind, NetwatchType::Simple);
        assert_eq!(w.interval.to_string(), "10s");
        assert_eq!(w.timeout.to_string(), "3s");
        assert!(!w.disabled);
        let all: Vec<String> = w
            .all_properties()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            all,
            [
                "comment=",
                "disabled=no",
                "down-script=",
                "host=192.168.88.12",
                "interval=10s",
                "name=",
                "timeout=3s",
                "type=simple",
                "up-script="
            ]
        );
    }

    #[test]
    fn api_round_trip() {
        let mut w = Netwatch::new("2001:db8::1".parse().unwrap());
        w.kind = NetwatchType::TcpConn;
        w.interval = Time::from_secs(60);
        w.timeout = Time::from_millis(500);
        w.up_script = ":log info up".into();
        w.disabled = true;
        w.extra.push(("port".into(), "443".into()));
        let back = Netwatch::from_attributes(&w.to_attributes()).unwrap();
        assert_eq!(back, w);
        let add: Vec<(String, String)> = w
            .to_add_attributes()
            .iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect();
        assert!(add.contains(&("disabled".into(), "true".into())), "{add:?}");
        assert!(add.contains(&("type".into(), "tcp-conn".into())), "{add:?}");
        assert!(add.contains(&("timeout".into(), "500ms".into())), "{add:?}");
    }

    #[test]
    fn read_back_status_is_kept_apart() {
        let w = Netwatch::from_attributes(&attrs(&[
            (".id", "*3"),
            ("host", "8.8.8.8"),
            ("type", "icmp"),
            ("status", "up"),
            ("since", "mar/20/2025 08:00:13"),
            ("done-tests", "12"),
            ("failed-tests", "1"),
            ("rtt-avg", "12ms"),
            ("loss-percent", "0%"),
        ]))
        .unwrap();
        assert_eq!(w.id.as_deref(), Some("*3"));
        assert_eq!(w.status.status, HostStatus::Up);
        assert_eq!(
            w.status.since_at().unwrap().to_string(),
            "2025-03-20 08:00:13"
        );
        assert_eq!(w.status.done_tests, Some(12));
        assert_eq!(w.status.failed_tests, Some(1));
        // Neither the status nor the probe statistics are rendered.
        assert_eq!(
            w.properties(),
            vec![
                ("host".to_owned(), Text::from("8.8.8.8")),
                ("type".to_owned(), Text::from("icmp")),
            ]
        );
        assert!(Netwatch::read_only("since"));
        assert!(Netwatch::read_only("rtt-avg"));
        assert!(!Netwatch::read_only("host"));
    }

    #[test]
    fn bad_input_is_refused_in_routeros_words() {
        let e = Netwatch::from_attributes(&attrs(&[("host", "192.168.88.300")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid value for argument host");
        let e = Netwatch::from_attributes(&attrs(&[("host", "cpe.example")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid value for argument host");
        let e = Netwatch::from_attributes(&attrs(&[("host", "10.0.0.1"), ("interval", "0s")]))
            .unwrap_err();
        assert_eq!(e.to_string(), "value of interval out of range (10ms..1w)");
        let e = Netwatch::from_attributes(&attrs(&[("host", "10.0.0.1"), ("timeout", "soon")]))
            .unwrap_err();
        assert_eq!(e.to_string(), "invalid value for argument timeout");
        let e = Netwatch::from_attributes(&attrs(&[("host", "10.0.0.1"), ("type", "Ping")]))
            .unwrap_err();
        assert_eq!(e.to_string(), "input does not match any value of type");
        let e = Netwatch::from_attributes(&attrs(&[("interval", "30s")])).unwrap_err();
        assert_eq!(e.to_string(), "missing value(s) of argument(s) host");
        let e = Netwatch::from_attributes(&attrs(&[("host", "10.0.0.1"), ("status", "sideways")]))
            .unwrap_err();
        assert_eq!(e.to_string(), "input does not match any value of status");
        // Types of newer versions are kept.
        let w =
            Netwatch::from_attributes(&attrs(&[("host", "10.0.0.1"), ("type", "quic")])).unwrap();
        assert_eq!(w.kind, NetwatchType::Other("quic".into()));
    }

    #[test]
    fn validate_warns_about_duplicates_and_long_timeouts() {
        let mut cfg = Config::default();
        let host: IpAddr = "192.168.88.12".parse().unwrap();
        cfg.netwatch.push(Netwatch::new(host));
        cfg.netwatch.push(Netwatch::new(host));
        let mut slow = Netwatch::new("8.8.8.8".parse().unwrap());
        slow.interval = Time::from_secs(1);
        cfg.netwatch.push(slow);
        let mut broken = Netwatch::new(host);
        broken.interval = Time::ZERO;
        cfg.netwatch.push(broken);
        let mut out = Vec::new();
        check(&cfg, &mut out);
        let codes: Vec<(&str, String)> = out
            .iter()
            .map(|d| (d.code, d.subject.to_string()))
            .collect();
        assert_eq!(
            codes,
            [
                ("duplicate-netwatch", "netwatch entry 1".to_owned()),
                ("netwatch-timeout", "netwatch entry 2".to_owned()),
                ("netwatch-invalid", "netwatch entry 3".to_owned()),
            ]
        );
    }

    #[test]
    fn rsc_sections() {
        let text = "/tool netwatch\n\
                    add host=192.168.88.12 name=cpe-12\n\
                    add disabled=yes host=8.8.8.8 interval=1m timeout=1s type=icmp \\\n\
                    \x20   up-script=\"/log info \\\"isp back\\\"\"\n";
        let cfg = crate::rsc::parse(text).unwrap();
        assert_eq!(cfg.netwatch.len(), 2);
        assert_eq!(cfg.netwatch[0].name.as_ref().unwrap(), "cpe-12");
        assert!(cfg.netwatch[1].disabled);
        assert_eq!(cfg.netwatch[1].up_script, "/log info \"isp back\"");
        let rendered = crate::rsc::render(&cfg);
        assert!(rendered.starts_with("/tool netwatch\nadd host=192.168.88.12 name=cpe-12\n"));
        assert_eq!(crate::rsc::parse(&rendered).unwrap(), cfg);
        // Read-only values and a missing host are refused, with the line.
        let e = crate::rsc::parse("/tool netwatch\nadd host=10.0.0.1 status=up\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("read-only"), "{e}");
        let e = crate::rsc::parse("/tool netwatch\nadd interval=10s\n").unwrap_err();
        assert!(e.to_string().contains("host"), "{e}");
    }
}
