//! Configuration: [`SimConfig`] and the RouterOS [`Version`] it imitates.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use queue_model::clock::{DateStyle, DateTime, RouterOsVersion};
use routeros_proto::Limits;

use crate::Error;

/// A RouterOS version, which selects behaviour: login method and `!empty` replies.
///
/// ```
/// let v: ros_sim::Version = "7.18.2".parse().unwrap();
/// assert!(v.sends_empty());
/// assert!(!"6.42".parse::<ros_sim::Version>().unwrap().plain_login());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major number (6, 7).
    pub major: u16,
    /// Minor number.
    pub minor: u16,
    /// Patch number (0 when absent).
    pub patch: u16,
}

impl Version {
    /// A version from its numbers.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// 6.43 and later accept `/login =name= =password=`; before, only the MD5 challenge.
    pub fn plain_login(&self) -> bool {
        *self >= Version::new(6, 43, 0)
    }

    /// 7.18 and later answer a `print` with no rows with `!empty` before `!done`.
    pub fn sends_empty(&self) -> bool {
        *self >= Version::new(7, 18, 0)
    }

    /// How the clock writes dates: `jul/15/2024` before 7.10, `2024-07-15` from 7.10 on.
    ///
    /// ```
    /// use queue_model::clock::DateStyle;
    /// assert_eq!("6.49.10".parse::<ros_sim::Version>()?.date_style(), DateStyle::Legacy);
    /// assert_eq!("7.10".parse::<ros_sim::Version>()?.date_style(), DateStyle::Iso);
    /// # Ok::<(), ros_sim::Error>(())
    /// ```
    pub fn date_style(&self) -> DateStyle {
        DateStyle::for_version(RouterOsVersion::new(self.major, self.minor, self.patch))
    }

    /// Version 7 and later keep `last-logged-out`, `last-caller-id` and
    /// `last-disconnect-reason` on PPP secrets.
    pub fn ppp_last_logout(&self) -> bool {
        self.major >= 7
    }
}

impl Default for Version {
    fn default() -> Self {
        Version::new(7, 18, 2)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

impl FromStr for Version {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::BadVersion(s.chars().take(32).collect());
        let mut parts = s.trim().split('.');
        let mut num = |required: bool| -> Result<u16, Error> {
            match parts.next() {
                Some(p) => p.parse().map_err(|_| bad()),
                None if required => Err(bad()),
                None => Ok(0),
            }
        };
        let v = Version::new(num(true)?, num(true)?, num(false)?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(v)
    }
}

/// Everything the simulator is started with. Build with [`SimConfig::new`] and the setters.
///
/// The password never appears in `Debug` output.
#[derive(Clone)]
pub struct SimConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) tls_listen: Option<SocketAddr>,
    pub(crate) tls_pem: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) version: Version,
    pub(crate) queues: usize,
    pub(crate) hosts: usize,
    pub(crate) seed: u64,
    pub(crate) state_rsc: Option<String>,
    pub(crate) tick: Option<Duration>,
    pub(crate) limits: Limits,
    pub(crate) write_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) clock: Option<DateTime>,
    pub(crate) redial_after: u64,
    pub(crate) max_sessions: usize,
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("listen", &self.listen)
            .field("tls_listen", &self.tls_listen)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("version", &self.version)
            .field("queues", &self.queues)
            .field("hosts", &self.hosts)
            .field("seed", &self.seed)
            .field("tick", &self.tick)
            .field("clock", &self.clock)
            .field("redial_after", &self.redial_after)
            .field("max_sessions", &self.max_sessions)
            .finish_non_exhaustive()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl SimConfig {
    /// The defaults: `127.0.0.1:8728`, user `admin` with an empty password, RouterOS 7.18.2,
    /// six LAN hosts each with a simple queue, seed 1, a tick every second, the wall clock
    /// starting at 2025-03-20 08:00:00, PPPoE clients redialling 5 s after a disconnect, at
    /// most 10,000 hotspot and 10,000 PPP sessions.
    pub fn new() -> Self {
        let mut limits = Limits::default();
        limits
            .max_word_len(64 << 10)
            .max_words(1024)
            .max_sentence_len(256 << 10);
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8728)),
            tls_listen: None,
            tls_pem: None,
            user: "admin".into(),
            password: String::new(),
            version: Version::default(),
            queues: 6,
            hosts: 6,
            seed: 1,
            state_rsc: None,
            tick: Some(Duration::from_secs(1)),
            limits,
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            clock: None,
            redial_after: 5,
            max_sessions: 10_000,
        }
    }

    /// The router's wall clock at start (default 2025-03-20 08:00:00); it advances one second
    /// per tick, so dates in tests are exact. `/system/clock/print` shows it in the form of the
    /// version ([`Version::date_style`]).
    pub fn clock(&mut self, start: DateTime) -> &mut Self {
        self.clock = Some(start);
        self
    }

    /// Simulated seconds after which a PPPoE client whose session was removed dials again
    /// (default 5).
    pub fn ppp_redial_after(&mut self, seconds: u64) -> &mut Self {
        self.redial_after = seconds;
        self
    }

    /// Most hotspot sessions, and most PPP sessions, at once (default 10,000); a login
    /// beyond is refused, as a router's licence limit refuses it.
    pub fn max_sessions(&mut self, n: usize) -> &mut Self {
        self.max_sessions = n;
        self
    }

    /// Where the API listens (`127.0.0.1:0` picks a free port; see [`RunningSim::addr`](crate::RunningSim::addr)).
    pub fn listen(&mut self, addr: SocketAddr) -> &mut Self {
        self.listen = addr;
        self
    }

    /// Also serve API-SSL on `addr` with this certificate chain and private key (PEM).
    pub fn tls(&mut self, addr: SocketAddr, cert_pem: Vec<u8>, key_pem: Vec<u8>) -> &mut Self {
        self.tls_listen = Some(addr);
        self.tls_pem = Some((cert_pem, key_pem));
        self
    }

    /// The user name the router accepts.
    pub fn user(&mut self, user: impl Into<String>) -> &mut Self {
        self.user = user.into();
        self
    }

    /// The password the router accepts.
    pub fn password(&mut self, password: impl Into<String>) -> &mut Self {
        self.password = password.into();
        self
    }

    /// The RouterOS version to imitate.
    pub fn version(&mut self, version: Version) -> &mut Self {
        self.version = version;
        self
    }

    /// Simple queues created at start (the first ones target the LAN hosts, one each).
    pub fn queues(&mut self, n: usize) -> &mut Self {
        self.queues = n;
        self
    }

    /// LAN hosts generating traffic (each with a DHCP lease).
    pub fn hosts(&mut self, n: usize) -> &mut Self {
        self.hosts = n;
        self
    }

    /// The seed of the traffic model: the same seed and ticks give the same state.
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.seed = seed;
        self
    }

    /// An `/export`-style configuration applied at start (queues, layer7, mangle, filter, ...).
    pub fn state_rsc(&mut self, text: impl Into<String>) -> &mut Self {
        self.state_rsc = Some(text.into());
        self
    }

    /// How often the model advances by one simulated second; `None` stops the clock, so that
    /// only [`SimHandle::tick`](crate::SimHandle::tick) or `/sim/tick` advance it.
    pub fn tick_interval(&mut self, every: Option<Duration>) -> &mut Self {
        self.tick = every;
        self
    }

    /// Decoding limits for client sentences (defaults: 64 KiB words, 1,024 words, 256 KiB).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// How long a write to a client may stall before the connection is closed (default 30 s).
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.write_timeout = timeout;
        self
    }

    /// Most simultaneous connections; more are closed at once (default 1,024).
    pub fn max_connections(&mut self, n: usize) -> &mut Self {
        self.max_connections = n;
        self
    }

    /// A copy of this configuration (ends a chain of setters).
    pub fn build(&self) -> SimConfig {
        self.clone()
    }
}
