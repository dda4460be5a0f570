//! A RouterOS API simulator: a fake MikroTik router that real API clients cannot tell from a
//! router, for tests, demos and development.
//!
//! It speaks the API protocol (plain and TLS) with the login of the RouterOS version it
//! imitates, serves the menus monitoring tools read (`/system/resource`, `/system/clock`,
//! `/interface`, `/queue/simple`, `/queue/tree`, `/queue/type`, the firewall with
//! `/ip/firewall/mangle`, DHCP leases, `/log`, `/ping`) and the ones
//! billing tools change (`/ip/hotspot`, `/ip/hotspot/user`, `/ip/hotspot/user/profile`,
//! `/ip/hotspot/active`, `/ip/hotspot/host`, `/ip/hotspot/cookie`, `/ppp/secret`,
//! `/ppp/profile`, `/ppp/active`, `/system/script`, `/system/scheduler`), and runs a traffic
//! model in which LAN hosts use applications, layer7 rules match their payloads, mangle rules
//! mark each connection and its packets per direction (chains `prerouting`, `forward`,
//! `postrouting`), simple queues shape them, and queue trees (HTB with PCQ sub-queues, by
//! `queue-model`'s `TreeSimulation`) shape and count the marked packets: a tree whose mark no
//! rule sets stays at zero. Events a monitor must notice (a new host, a CPU spike, a link going down,
//! a log line, a hotspot login, a PPPoE client dialling in) can be triggered from the library
//! through [`SimHandle`] or over the API under `/sim/...` (`/sim/tick`, `/sim/host-appear`,
//! `/sim/cpu-spike`, `/sim/interface-down`, `/sim/interface-up`, `/sim/log`,
//! `/sim/hotspot/login`, `/sim/hotspot/logout`, `/sim/ppp/connect`, `/sim/ppp/disconnect`).
//!
//! For network health, the router measures a simulated network: hosts behind it (customers'
//! CPEs, access points) that are up or down with a loss and a latency ([`Reachability`]), the
//! ISP uplink, targets beyond it, the public address and reboots, seen through `/ping`,
//! `/tool/netwatch`, `/ip/arp`, `/ip/dhcp-server/lease`, `/ip/route`, `/ip/cloud`,
//! `/interface` counters and `/system/resource` uptime (`/sim/host/*`, `/sim/target/set`,
//! `/sim/uplink/*`, `/sim/public-address`, `/sim/wan-traffic`, `/sim/reboot`).
//!
//! A wall clock starts at [`SimConfig::clock`] and advances one second per tick; dates are
//! written in the form of the version (`jul/15/2024` before 7.10, `2024-07-15` from 7.10), in
//! `/system/clock` and in what MIKHMON's on-login script leaves on a first login (see
//! [`SimHandle::hotspot_login`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ros_sim::Error> {
//! use ros_sim::{SimConfig, Simulator};
//!
//! let mut config = SimConfig::new();
//! config
//!     .listen("127.0.0.1:0".parse().unwrap())
//!     .version("6.49.10".parse()?)
//!     .clock("2024-07-15 10:00:00".parse().unwrap())
//!     .tick_interval(None);
//! let sim = Simulator::start(config).await?;
//! let h = sim.handle();
//! h.add("/ip/hotspot/user/profile", &[
//!     ("name", "1Day"),
//!     ("on-login", r#":put (",remc,5000,1d,5000,,Disable,"); :log info "sold""#),
//! ])?;
//! h.add("/ip/hotspot/user", &[
//!     ("name", "abk37"), ("password", "abk37"), ("profile", "1Day"),
//!     ("comment", "vc-482-07.15.24-warung"),
//! ])?;
//! h.hotspot_login("abk37", "abk37", "AA:BB:CC:DD:EE:01", "10.5.50.12")?;
//! let user = &h.print("/ip/hotspot/user")?[0];
//! assert!(user.contains(&("comment".into(), "jul/16/2024 10:00:00".into())));
//! let sale = &h.print("/system/script")?[0];
//! assert!(sale.contains(&("owner".into(), "jul2024".into())));
//! # Ok(())
//! # }
//! ```
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ros_sim::Error> {
//! use ros_sim::{SimConfig, Simulator};
//!
//! let mut config = SimConfig::new();
//! config.listen("127.0.0.1:0".parse().unwrap()).hosts(3).queues(3).seed(7);
//! let sim = Simulator::start(config).await?;
//! println!("router at {}", sim.addr());
//!
//! let handle = sim.handle();
//! handle.tick(5); // five simulated seconds
//! let id = handle.add("/queue/simple", &[("name", "guest"), ("target", "192.168.88.0/24")])?;
//! assert!(id.starts_with('*'));
//! let queues = handle.print("/queue/simple")?;
//! assert_eq!(queues.len(), 4);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod health;
mod l7;
mod rsc;
mod schema;
mod server;
mod session;
mod sim_cmd;
mod state;
mod traffic;
mod validate;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{SimConfig, Version};
pub use health::Reachability;
pub use queue_model::clock::DateTime;

use crate::schema::MenuKind;
use crate::server::Shared;
use crate::state::State;

/// Everything that can go wrong starting or steering the simulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding a listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be used.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A version string that is not `MAJOR.MINOR[.PATCH]`.
    #[error("not a RouterOS version: {0:?}")]
    BadVersion(String),
    /// The `--state` configuration could not be parsed or applied.
    #[error("state file, line {line}: {message}")]
    State {
        /// 1-based line of the command.
        line: usize,
        /// What is wrong, in RouterOS's words when the router refused it.
        message: String,
    },
    /// A path the simulator does not have.
    #[error("no such menu: {0}")]
    NoSuchMenu(String),
    /// The simulated router refused a change, with its `!trap` message.
    #[error("router refused: {message}")]
    Refused {
        /// The message a router would send in `=message=`.
        message: String,
    },
}

impl From<state::Failure> for Error {
    fn from(f: state::Failure) -> Self {
        Error::Refused { message: f.message }
    }
}

/// Starts simulators.
#[derive(Debug)]
#[non_exhaustive]
pub struct Simulator;

impl Simulator {
    /// Builds the router described by `config`, binds its listeners and starts serving.
    pub async fn start(config: SimConfig) -> Result<RunningSim, Error> {
        let state = initial_state(&config)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?;
        let tls = match (&config.tls_listen, &config.tls_pem) {
            (Some(a), Some((cert, key))) => {
                let acceptor = tls_acceptor(cert, key)?;
                let l = TcpListener::bind(a)
                    .await
                    .map_err(|source| Error::Listen { addr: *a, source })?;
                let la = l
                    .local_addr()
                    .map_err(|source| Error::Listen { addr: *a, source })?;
                Some((l, la, acceptor))
            }
            _ => None,
        };
        let (ticks, _) = watch::channel(0u64);
        let (shutdown, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            config: config.clone(),
            ticks,
            shutdown,
            connections: AtomicUsize::new(0),
        });
        let mut tasks = Vec::new();
        tasks.push(tokio::spawn(accept_loop(
            Arc::clone(&shared),
            listener,
            None,
        )));
        let tls_addr = tls.as_ref().map(|t| t.1);
        if let Some((l, _, acceptor)) = tls {
            tasks.push(tokio::spawn(accept_loop(
                Arc::clone(&shared),
                l,
                Some(acceptor),
            )));
        }
        if let Some(every) = config.tick {
            let s = Arc::clone(&shared);
            tasks.push(tokio::spawn(async move {
                let mut interval = tokio::time::interval(every);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                interval.tick().await;
                loop {
                    interval.tick().await;
                    s.tick(1);
                }
            }));
        }
        Ok(RunningSim {
            addr,
            tls_addr,
            shared,
            tasks,
        })
    }
}

fn tls_acceptor(cert: &[u8], key: &[u8]) -> Result<tokio_rustls::TlsAcceptor, Error> {
    let certs: Vec<_> = rustls_pemfile::certs(&mut &cert[..])
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Tls(format!("certificate: {e}")))?;
    let key = rustls_pemfile::private_key(&mut &key[..])
        .map_err(|e| Error::Tls(format!("key: {e}")))?
        .ok_or_else(|| Error::Tls("no private key in the key file".into()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::Tls(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            // Out of descriptors and the like: back off instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let live = shared.connections.fetch_add(1, Ordering::SeqCst);
        let s = Arc::clone(&shared);
        if live >= shared.config.max_connections {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => server::serve(Arc::clone(&s), stream, peer).await,
                Some(acceptor) => {
                    let hs = tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(stream),
                    )
                    .await;
                    if let Ok(Ok(tls_stream)) = hs {
                        server::serve(Arc::clone(&s), tls_stream, peer).await;
                    }
                }
            }
            s.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// A simulator that is serving. Dropping it stops it (listeners, clock and connections).
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl RunningSim {
    /// The address the API listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API-SSL address, when TLS was configured.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// A handle to trigger events and read or change the state.
    pub fn handle(&self) -> SimHandle {
        SimHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops listening, stops the clock and closes every connection.
    pub async fn shutdown(mut self) {
        self.stop();
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }

    fn stop(&self) {
        self.shared.shutdown.send_replace(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One row as printed: `(name, value)` pairs in the router's order, `.id` first.
pub type Row = Vec<(String, String)>;

/// Steers a running simulator: events, clock, and direct access to its menus.
///
/// Every change made here is seen by API clients exactly as if another client had made it
/// (`listen` reports it, `/log/print follow` shows log lines).
#[derive(Debug, Clone)]
pub struct SimHandle {
    shared: Arc<Shared>,
}

fn menu_of(st: &State, path: &str) -> Result<usize, Error> {
    st.menu_index(path)
        .ok_or_else(|| Error::NoSuchMenu(path.to_owned()))
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect()
}

impl SimHandle {
    /// Advances the model by `seconds` simulated seconds (as many clock ticks).
    pub fn tick(&self, seconds: u64) {
        self.shared.tick(seconds);
    }

    /// A new LAN host appears with a DHCP lease; returns its address.
    pub fn host_appears(&self, host_name: Option<&str>, mac: Option<&str>) -> String {
        let mut st = self.shared.lock();
        match sim_cmd::host_appears(&mut st, host_name, mac) {
            Ok((_, ip)) => ip,
            Err(_) => String::new(),
        }
    }

    /// The CPU load jumps to `load` percent for `seconds` simulated seconds.
    pub fn cpu_spike(&self, load: u8, seconds: u32) {
        sim_cmd::cpu_spike(&mut self.shared.lock(), load, seconds);
    }

    /// Takes an interface's link down (`up = false`) or up again.
    pub fn set_link(&self, interface: &str, up: bool) -> Result<(), Error> {
        Ok(sim_cmd::link(&mut self.shared.lock(), interface, up)?)
    }

    /// Writes a log line (`topics` like `system,info`).
    pub fn log(&self, topics: &str, message: &str) {
        self.shared.lock().log(topics, message);
    }

    /// `add` on a menu, validated as over the API; returns the new `.id`.
    pub fn add(&self, path: &str, attrs: &[(&str, &str)]) -> Result<String, Error> {
        let mut st = self.shared.lock();
        let menu = menu_of(&st, path)?;
        let id = st.add(menu, &owned(attrs))?;
        Ok(format!("*{id:X}"))
    }

    /// `set` on the items `ids` (`*1A`, a name, or a comma-separated list).
    pub fn set(&self, path: &str, ids: &str, attrs: &[(&str, &str)]) -> Result<(), Error> {
        let mut st = self.shared.lock();
        let menu = menu_of(&st, path)?;
        let pos = st.resolve(menu, ids.as_bytes())?;
        Ok(st.set(menu, &pos, &owned(attrs))?)
    }

    /// `remove` the items `ids`.
    pub fn remove(&self, path: &str, ids: &str) -> Result<(), Error> {
        let mut st = self.shared.lock();
        let menu = menu_of(&st, path)?;
        let pos = st.resolve(menu, ids.as_bytes())?;
        Ok(st.remove(menu, &pos)?)
    }

    /// Every row of a menu, as `print` shows it.
    pub fn print(&self, path: &str) -> Result<Vec<Row>, Error> {
        let st = self.shared.lock();
        let menu = menu_of(&st, path)?;
        let to_owned = |row: state::Row<'_>| -> Row {
            row.into_iter()
                .map(|(n, v)| (n.to_owned(), String::from_utf8_lossy(&v).into_owned()))
                .collect()
        };
        if schema::MENUS[menu].singleton {
            return Ok(vec![to_owned(st.singleton_row(menu))]);
        }
        Ok(st.menus[menu]
            .items
            .iter()
            .map(|i| to_owned(st.row(menu, i)))
            .collect())
    }

    /// Simulated seconds elapsed.
    pub fn ticks(&self) -> u64 {
        self.shared.lock().ticks
    }

    /// The router's wall clock (it advances one second per tick).
    pub fn now(&self) -> DateTime {
        self.shared.lock().now()
    }

    /// Sets the router's wall clock, as `/system/clock/set date=... time=...` does.
    pub fn set_clock(&self, now: DateTime) {
        self.shared.lock().set_now(now);
    }

    /// A hotspot client logs in with `user` and `password` from `mac` and `ip` (empty: the
    /// simulator picks a free MAC or address); returns the `/ip/hotspot/active` `.id`.
    ///
    /// Refusals carry the hotspot's own words: `invalid username or password` (unknown
    /// user, wrong password, disabled user), `no more sessions are allowed for user NAME`
    /// (`shared-users`), `user NAME has reached uptime limit` / `traffic limit`, `user NAME
    /// is not allowed to log in from this MAC address` (a MAC-locked voucher). When the
    /// user's profile has MIKHMON's on-login header, the first login writes the expiry into
    /// the user's comment, records the sale under `/system/script` and locks the MAC, as the
    /// script does on a real router, with dates in the form of the simulated version.
    pub fn hotspot_login(
        &self,
        user: &str,
        password: &str,
        mac: &str,
        ip: &str,
    ) -> Result<String, Error> {
        let mut st = self.shared.lock();
        let id = session::hotspot_login(&mut st, user.as_bytes(), password.as_bytes(), mac, ip)?;
        Ok(format!("*{id:X}"))
    }

    /// Every session of `user` logs out from the status page (`logged out: user request`);
    /// returns how many there were (none is an error).
    pub fn hotspot_logout(&self, user: &str) -> Result<usize, Error> {
        Ok(session::hotspot_logout(
            &mut self.shared.lock(),
            user.as_bytes(),
        )?)
    }

    /// A PPPoE client dials in as `name` from `caller_id` (its MAC; empty: one is picked);
    /// returns the `/ppp/active` `.id`. The session gets a `<pppoe-NAME>` interface, a
    /// dynamic simple queue when the profile has a rate-limit, and an address-list entry when
    /// it has an address-list. When the router removes the session, the client dials again
    /// after [`SimConfig::ppp_redial_after`] seconds with whatever profile the secret has then,
    /// and keeps trying while the secret is disabled.
    pub fn ppp_connect(
        &self,
        name: &str,
        password: &str,
        caller_id: &str,
    ) -> Result<String, Error> {
        let mut st = self.shared.lock();
        let id = session::ppp_connect(&mut st, name.as_bytes(), password.as_bytes(), caller_id)?;
        Ok(format!("*{id:X}"))
    }

    /// The PPPoE client `name` hangs up (`peer-request`) and stops dialling.
    pub fn ppp_disconnect(&self, name: &str) -> Result<(), Error> {
        Ok(session::ppp_disconnect(
            &mut self.shared.lock(),
            name.as_bytes(),
        )?)
    }

    /// A host appears behind the router at `ip` with `mac` (and a DHCP host name): a dynamic
    /// `/ip/dhcp-server/lease` and `/ip/arp` entry, answering pings after 1 ms until
    /// [`set_host`](Self::set_host) says otherwise.
    pub fn add_host(&self, ip: &str, mac: &str, name: Option<&str>) -> Result<(), Error> {
        Ok(health::add_host(&mut self.shared.lock(), ip, mac, name)?)
    }

    /// How the host at `ip` answers from now on: up or down, loss, latency. Its ARP entry
    /// shows `reachable` or `failed`; pings and netwatch follow.
    pub fn set_host(&self, ip: &str, reach: Reachability) -> Result<(), Error> {
        Ok(health::set_host(&mut self.shared.lock(), ip, reach)?)
    }

    /// The host at `ip` leaves: its lease and ARP entry go.
    pub fn remove_host(&self, ip: &str) -> Result<(), Error> {
        Ok(health::remove_host(&mut self.shared.lock(), ip)?)
    }

    /// How an address beyond the LAN (`8.8.8.8`) answers while the uplink is alive (others
    /// answer after about 9 ms).
    pub fn set_target(&self, ip: &str, reach: Reachability) -> Result<(), Error> {
        Ok(health::set_target(&mut self.shared.lock(), ip, reach)?)
    }

    /// The ISP line dies (`false`) or comes back. The router stays up and the WAN port keeps
    /// its link; the ISP's gateway and everything beyond it stop answering, so the default
    /// route (`check-gateway=ping`) goes inactive, WAN counters stop and `/ip/cloud` reports
    /// an error.
    pub fn set_uplink(&self, up: bool) {
        health::set_uplink(&mut self.shared.lock(), up);
    }

    /// The address `/ip/cloud` reports as `public-address`.
    pub fn set_public_address(&self, ip: &str) -> Result<(), Error> {
        Ok(health::set_public_address(&mut self.shared.lock(), ip)?)
    }

    /// `rx` bytes received and `tx` bytes sent on the WAN port (`ether1`) at once, on top of
    /// what the traffic model moves every tick.
    pub fn add_wan_traffic(&self, rx: u64, tx: u64) {
        health::add_wan_traffic(&mut self.shared.lock(), rx, tx);
    }

    /// The router reboots: uptime and every counter (interfaces, queues, firewall rules) back
    /// to zero, netwatch entries `unknown` until tested again, hotspot and PPP sessions
    /// dropped (PPPoE clients dial again). Configuration, wall clock and network stay.
    pub fn reboot(&self) {
        health::reboot(&mut self.shared.lock());
    }
}

/// The default network: a home ISP's router with a WAN uplink, a LAN bridge, hosts with
/// leases, per-host queues, and layer7/mangle/filter rules classifying video and P2P.
fn initial_state(config: &SimConfig) -> Result<State, Error> {
    let mut st = State::new(config.version);
    st.traffic = traffic::Traffic::new(config.seed);
    st.admin = config.user.clone();
    st.sessions = session::Sessions::new(config.seed, config.max_sessions, config.redial_after);
    if let Some(start) = config.clock {
        st.set_now(start);
    }
    let iface = st.menu_by_kind(MenuKind::Interface);
    let ifaces: &[(&str, &str, &str, &str)] = &[
        ("ether1", "ether", "48:A9:8A:10:00:01", "WAN"),
        ("ether2", "ether", "48:A9:8A:10:00:02", ""),
        ("ether3", "ether", "48:A9:8A:10:00:03", ""),
        ("ether4", "ether", "48:A9:8A:10:00:04", ""),
        ("ether5", "ether", "48:A9:8A:10:00:05", ""),
        ("wlan1", "wlan", "48:A9:8A:10:00:06", ""),
        ("bridge", "bridge", "48:A9:8A:10:00:02", "defconf"),
    ];
    for (name, kind, mac, comment) in ifaces {
        let mut v = vec![
            ("name", *name),
            ("default-name", *name),
            ("type", *kind),
            ("mac-address", *mac),
            ("last-link-up-time", "2025-03-20 08:00:05"),
        ];
        if !comment.is_empty() {
            v.push(("comment", comment));
        }
        st.insert_raw(iface, &v);
    }
    for name in ["ether3", "ether4", "ether5"] {
        let m = &mut st.menus[iface];
        if let Some(pos) = m
            .items
            .iter()
            .position(|i| m.value(i, "name") == Some(name))
        {
            m.items[pos].running = false;
        }
    }
    let addr = st.menu_by_kind(MenuKind::Address);
    st.insert_raw(
        addr,
        &[
            ("address", "192.168.88.1/24"),
            ("interface", "bridge"),
            ("comment", "defconf"),
        ],
    );
    st.insert_raw(
        addr,
        &[("address", "100.64.12.34/22"), ("interface", "ether1")],
    );
    let rules: &[(&str, &[(&str, &str)])] = &[
        (
            "/ip/firewall/layer7-protocol",
            &[
                ("name", "youtube"),
                ("regexp", "^.+(googlevideo\\.com|youtube\\.com)"),
            ],
        ),
        (
            "/ip/firewall/layer7-protocol",
            &[("name", "tiktok"), ("regexp", "tiktok")],
        ),
        (
            "/ip/firewall/layer7-protocol",
            &[
                ("name", "bittorrent"),
                ("regexp", "^(\\x13bittorrent protocol|d1:ad2:id20:)"),
            ],
        ),
        (
            "/ip/firewall/mangle",
            &[
                ("chain", "forward"),
                ("action", "mark-connection"),
                ("layer7-protocol", "youtube"),
                ("new-connection-mark", "video"),
                ("passthrough", "true"),
                ("comment", "video"),
            ],
        ),
        (
            "/ip/firewall/mangle",
            &[
                ("chain", "forward"),
                ("action", "mark-packet"),
                ("connection-mark", "video"),
                ("new-packet-mark", "video"),
                ("passthrough", "false"),
            ],
        ),
        (
            "/ip/firewall/mangle",
            &[
                ("chain", "forward"),
                ("action", "mark-packet"),
                ("layer7-protocol", "bittorrent"),
                ("new-packet-mark", "p2p"),
                ("passthrough", "false"),
                ("comment", "p2p"),
            ],
        ),
        (
            "/ip/firewall/filter",
            &[
                ("chain", "forward"),
                ("action", "accept"),
                ("layer7-protocol", "tiktok"),
                ("log", "true"),
                ("log-prefix", "tiktok "),
                ("comment", "log TikTok"),
            ],
        ),
        (
            "/ip/firewall/filter",
            &[
                ("chain", "forward"),
                ("action", "accept"),
                ("connection-state", "established,related"),
                ("comment", "defconf: accept established,related"),
            ],
        ),
        (
            "/ip/firewall/address-list",
            &[("list", "lan"), ("address", "192.168.88.0/24")],
        ),
    ];
    for (path, attrs) in rules {
        let menu = menu_of(&st, path)?;
        st.insert_raw(menu, attrs);
    }
    health::initial(&mut st);
    let mut host_ips = Vec::new();
    for _ in 0..config.hosts {
        let (_, ip) = sim_cmd::host_appears(&mut st, None, None)?;
        host_ips.push(ip);
    }
    let queue = st.menu_by_kind(MenuKind::Queue);
    for i in 0..config.queues {
        let name = format!("queue{}", i + 1);
        let target = match host_ips.get(i) {
            Some(ip) => format!("{ip}/32"),
            None => {
                let n = u32::try_from(i).unwrap_or(0);
                format!(
                    "10.{}.{}.{}/32",
                    (n >> 16) & 0xff,
                    (n >> 8) & 0xff,
                    n & 0xff
                )
            }
        };
        let limit = [
            "5000000/20000000",
            "10000000/50000000",
            "2000000/10000000",
            "20000000/100000000",
        ][i % 4];
        st.insert_raw(
            queue,
            &[("name", &name), ("target", &target), ("max-limit", limit)],
        );
    }
    // The queue types every router has (`default=true`; `set` and `remove` refuse them).
    let qtype = st.menu_by_kind(MenuKind::QueueType);
    for name in queue_model::BUILTIN_QUEUE_TYPES {
        if let Some(t) = queue_model::QueueType::builtin(name) {
            use queue_model::Item as _;
            let attrs: Vec<(String, queue_model::Text)> = t.properties();
            let values: Vec<(&str, &[u8])> = attrs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_bytes()))
                .collect();
            st.insert_dynamic(qtype, &values);
        }
    }
    let hs_profile = st.menu_by_kind(MenuKind::HotspotProfile);
    st.insert_builtin(hs_profile, 0, &[("name", "default")]);
    let hotspot = st.menu_by_kind(MenuKind::HotspotServer);
    st.insert_raw(
        hotspot,
        &[
            ("name", "hotspot1"),
            ("interface", "bridge"),
            ("address-pool", "hs-pool-1"),
            ("profile", "hsprof1"),
        ],
    );
    let ppp_profile = st.menu_by_kind(MenuKind::PppProfile);
    st.insert_builtin(
        ppp_profile,
        0,
        &[("name", "default"), ("change-tcp-mss", "yes")],
    );
    st.insert_builtin(
        ppp_profile,
        0xFFFF_FFFE,
        &[
            ("name", "default-encryption"),
            ("change-tcp-mss", "yes"),
            ("use-encryption", "yes"),
        ],
    );
    if let Some(text) = &config.state_rsc {
        // queue-model's parser checks the sections it models (queues, layer7, mangle, filter)
        // with RouterOS's escapes and values; its errors point at line and column.
        if let Err(e) = queue_model::rsc::parse(text) {
            return Err(Error::State {
                line: e.line,
                message: format!("column {}: {}", e.column, e.kind),
            });
        }
        for add in rsc::parse(text)? {
            let menu = st.menu_index(&add.path).ok_or_else(|| Error::State {
                line: add.line,
                message: format!("no such menu {}", add.path),
            })?;
            st.add(menu, &add.attrs).map_err(|f| Error::State {
                line: add.line,
                message: f.message,
            })?;
        }
    }
    st.log("system,info", "router rebooted");
    Ok(st)
}
