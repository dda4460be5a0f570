//! `noc`: a web dashboard for MikroTik RouterOS networks — live queues, bandwidth and Layer 7
//! activity, managed safely from the browser.
//!
//! The binary is a thin shell over [`Noc::start`]; tests and benches start the same
//! application in-process:
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), noc::Error> {
//! let dir = std::env::temp_dir().join("noc-example");
//! let mut options = noc::Options::new(&dir);
//! options.listen("127.0.0.1:0".parse().unwrap()).admin_password("s3cret-pass");
//! let app = noc::Noc::start(options).await?; // no router configured: starts ros-sim
//! println!("dashboard at http://{}/", app.addr());
//! app.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Architecture
//!
//! Core modules know nothing about HTTP or chat; front-ends are leaves over the core and never
//! import each other. Arrows point one way: front-ends → [`app`] → [`alerts`] → [`health`] →
//! [`routers`] → [`storage`], with [`auth`], [`secret`], [`series`], [`fmt`] and [`config`] beside them.
//!
//! Core:
//! - [`app`]: [`AppState`], the services every front-end shares;
//! - [`routers`]: the hub of routers, the poller, live state, and [`routers::changes`], the one
//!   place that changes a router (and writes the audit entry);
//! - [`alerts`]: rules, the sans-io engine, the monitor and Telegram and WhatsApp delivery
//!   (with the WhatsApp settings saved in the dashboard, applied without a restart);
//! - [`health`]: network health — devices checked by the router's netwatch (with parents
//!   and the uplink as dependencies), the ISP line, the monthly WAN quota, diagnose;
//! - [`storage`]: SQLite, one module per stored thing, migrations;
//! - [`auth`] (passwords, sessions, CSRF, login limits, roles), [`secret`] (router passwords at
//!   rest), [`series`] (sans-io downsampling), [`fmt`] (rates, bytes, times, router text),
//!   [`config`] (`noc.toml`).
//!
//! Front-ends: [`web`] (one module per area), [`chat`] (commands written once, channels under
//! it), [`metrics`] (`/metrics`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alerts;
pub mod app;
pub mod auth;
pub mod billing;
pub mod chat;
pub mod config;
pub mod datadir;
pub mod fmt;
pub mod health;
pub mod i18n;
pub mod metrics;
pub mod routers;
pub mod secret;
pub mod series;
pub mod server;
pub mod storage;
pub mod web;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use routeros_proto::client::{Config as ClientConfig, Fingerprint, TlsConfig};

pub use app::AppState;
pub use config::{FileConfig, RouterConfig};

/// Everything that can go wrong in noc.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or socket operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The database refused an operation.
    #[error("database error: {0}")]
    Database(String),
    /// `noc.toml` is wrong.
    #[error("configuration error: {0}")]
    Config(String),
    /// A key, an encryption or a password hash failed.
    #[error("secret handling failed: {0}")]
    Secret(String),
    /// Something a user typed is invalid.
    #[error("{0}")]
    BadInput(String),
    /// The thing exists already.
    #[error("{0}")]
    Conflict(String),
    /// No such thing.
    #[error("{0}")]
    NotFound(String),
    /// The embedded simulator could not start.
    #[error("embedded simulator: {0}")]
    Simulator(String),
    /// A router answered with an error or could not be reached.
    #[error("router: {0}")]
    Router(String),
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How to start noc. Build with [`Options::new`] and the setters.
#[derive(Clone)]
#[non_exhaustive]
pub struct Options {
    data_dir: PathBuf,
    listen: SocketAddr,
    admin_password: Option<String>,
    file: FileConfig,
    poll_interval: Duration,
    hotspot_interval: Duration,
    sim_queues: usize,
    sim_hosts: usize,
    metrics_token: Option<String>,
    public_url: Option<String>,
    trusted_proxies: Vec<std::net::IpAddr>,
    http: server::Limits,
    router_budget: usize,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("routers", &self.file.routers.len())
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl Options {
    /// Defaults: listen on `127.0.0.1:8080`, poll every second, no routers (so the embedded
    /// simulator starts with 8 hosts and 8 queues).
    pub fn new(data_dir: impl AsRef<Path>) -> Options {
        Options {
            data_dir: data_dir.as_ref().to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_password: None,
            file: FileConfig::default(),
            poll_interval: Duration::from_secs(1),
            sim_queues: 8,
            sim_hosts: 8,
            metrics_token: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            http: server::Limits::default(),
            hotspot_interval: Duration::from_secs(60),
            router_budget: routers::DEFAULT_ROUTER_BUDGET,
        }
    }

    /// Memory one router's connection may hold (default 64 MiB): the replies of at most 8
    /// commands at once, each at most an eighth of it. A router that sends more for one
    /// command is shown down with the reason, disconnected (what it sent is freed) and
    /// retried with the usual backoff.
    pub fn router_budget(&mut self, bytes: usize) -> &mut Self {
        self.router_budget = bytes.max(1 << 20);
        self
    }

    /// The address people use to reach noc (`https://noc.example.net`); with `https`, cookies
    /// are marked `Secure` (noc sits behind a TLS proxy).
    pub fn public_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.public_url = Some(url.into());
        self
    }

    /// How often hotspot sales are harvested into the database and expired vouchers enforced
    /// on every router (default a minute).
    pub fn hotspot_interval(&mut self, every: Duration) -> &mut Self {
        self.hotspot_interval = every.max(Duration::from_millis(200));
        self
    }

    /// Limits of the HTTP server (connections, header-read and idle timeout).
    pub fn http_limits(&mut self, limits: server::Limits) -> &mut Self {
        self.http = limits;
        self
    }

    /// A reverse proxy whose `X-Forwarded-For` header names the client (for login limits).
    pub fn trusted_proxy(&mut self, addr: std::net::IpAddr) -> &mut Self {
        self.trusted_proxies.push(addr);
        self
    }

    /// Where to serve the dashboard (`:0` picks a free port; see [`Noc::addr`]).
    pub fn listen(&mut self, addr: SocketAddr) -> &mut Self {
        self.listen = addr;
        self
    }

    /// The first admin's password (used only when the database has no user yet).
    pub fn admin_password(&mut self, password: impl Into<String>) -> &mut Self {
        self.admin_password = Some(password.into());
        self
    }

    /// Routers and settings from `noc.toml`.
    pub fn file_config(&mut self, file: FileConfig) -> &mut Self {
        if let Some(s) = file.poll_interval_secs {
            self.poll_interval = Duration::from_secs(s.max(1));
        }
        self.file = file;
        self
    }

    /// How often routers are polled.
    pub fn poll_interval(&mut self, every: Duration) -> &mut Self {
        self.poll_interval = every.max(Duration::from_millis(100));
        self
    }

    /// Size of the embedded simulator's network (queues, LAN hosts).
    pub fn simulator_size(&mut self, queues: usize, hosts: usize) -> &mut Self {
        self.sim_queues = queues;
        self.sim_hosts = hosts;
        self
    }

    /// Require `Authorization: Bearer TOKEN` on `/metrics` (default: open, like exporters).
    pub fn metrics_token(&mut self, token: impl Into<String>) -> &mut Self {
        self.metrics_token = Some(token.into());
        self
    }
}

/// A running noc: the web server, the pollers and (without routers) the embedded simulator.
#[derive(Debug)]
pub struct Noc {
    _data: datadir::DataDir,
    state: Arc<AppState>,
    addr: SocketAddr,
    generated_password: Option<String>,
    sim: Option<ros_sim::RunningSim>,
    server: tokio::task::JoinHandle<()>,
    notice_addr: Option<SocketAddr>,
    flusher: tokio::task::JoinHandle<()>,
    upkeep: tokio::task::JoinHandle<()>,
    health: tokio::task::JoinHandle<()>,
    shutdown: Option<tokio::sync::watch::Sender<()>>,
}

/// Builds the client settings for a stored router.
pub fn client_config(r: &storage::RouterRow, password: String) -> Result<ClientConfig, Error> {
    let mut c = ClientConfig::new(format!("{}:{}", r.address, r.port));
    c.user(r.user.clone())
        .password(password)
        .connect_timeout(Duration::from_secs(5))
        .command_timeout(Duration::from_secs(5));
    if r.tls {
        match &r.fingerprint {
            Some(fp) => {
                let fp: Fingerprint = fp
                    .parse()
                    .map_err(|e| Error::Config(format!("router {:?}: {e}", r.name)))?;
                c.tls(TlsConfig::fingerprint(fp));
            }
            None => {
                return Err(Error::Config(format!(
                    "router {:?}: TLS needs a certificate fingerprint to pin",
                    r.name
                )))
            }
        }
    }
    Ok(c)
}

/// Creates the first admin (with `password`, or a generated one that is returned), or — when
/// the generated password of an earlier start was never used — replaces it with a new one to
/// show, since the old one cannot be shown again.
fn first_admin(store: &storage::Store, password: Option<&str>) -> Result<Option<String>, Error> {
    if store.user_count()? == 0 {
        let (password, generated) = match password {
            Some(p) => (p.to_owned(), false),
            None => (auth::random_password(), true),
        };
        let id = store.add_user("admin", &auth::hash_password(&password)?, auth::Role::Admin)?;
        store.set_generated(id, generated)?;
        return Ok(generated.then_some(password));
    }
    match store.pending_first_login()? {
        Some(u) => {
            let password = auth::random_password();
            store.set_user_hash(u.id, &auth::hash_password(&password)?)?;
            Ok(Some(password))
        }
        None => Ok(None),
    }
}

/// Every `every`: for each connected router, copies new hotspot sales records into the
/// database and enforces expired vouchers. Routers without a hotspot are skipped quietly.
async fn hotspot_upkeep(state: Arc<AppState>, every: Duration, remove_harvested: bool) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for r in state.hub.routers() {
            if r.client().is_none() {
                continue;
            }
            let harvested = if remove_harvested {
                routers::hotspot::harvest_and_remove(&state.store, &r).await
            } else {
                routers::hotspot::harvest_sales(&state.store, &r).await
            };
            match harvested {
                Ok(h) if h.new > 0 => {
                    tracing::info!(router = %fmt::log_safe(&r.name), new = h.new, "sales harvested")
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(router = %fmt::log_safe(&r.name), "no sales read: {e}"),
            }
            if let Err(e) = routers::hotspot::enforce_expiry(&state.store, &r).await {
                tracing::debug!(router = %fmt::log_safe(&r.name), "expiry not enforced: {e}");
            }
        }
    }
}

/// Sets a new random password for `user` in the data dir (works while noc runs), ends the
/// user's sessions, and returns the password.
pub fn reset_password(data_dir: &Path, user: &str) -> Result<String, Error> {
    if !data_dir.join("noc.db").exists() {
        return Err(Error::Config(format!(
            "no noc database in {} (wrong --data-dir?)",
            data_dir.display()
        )));
    }
    let store = storage::Store::open(data_dir)?;
    let u = store
        .user_by_name(user)?
        .ok_or_else(|| Error::BadInput(format!("no user called {user:?}")))?;
    let password = auth::random_password();
    store.set_user_hash(u.id, &auth::hash_password(&password)?)?;
    store.session_delete_user(u.id, None)?;
    store.audit(
        "console",
        None,
        "user.password",
        &format!("reset for {user}"),
        true,
    )?;
    Ok(password)
}

/// Runs the billing cycle once from the command line (`noc billing run`): as of `as_of`
/// (default: today in the billing zone), against the routers stored in the data dir, each
/// connected directly. Works while noc runs (the database takes both; every step is
/// idempotent). Returns the report as text.
pub async fn billing_run(
    data_dir: &Path,
    settings: &billing::Settings,
    as_of: Option<queue_model::clock::Date>,
    dry_run: bool,
) -> Result<String, Error> {
    if !data_dir.join("noc.db").exists() {
        return Err(Error::Config(format!(
            "no noc database in {} (wrong --data-dir?)",
            data_dir.display()
        )));
    }
    settings.validate()?;
    let store = storage::Store::open(data_dir)?;
    let secrets = secret::SecretBox::load_or_create(data_dir)?;
    let wanted: std::collections::HashSet<i64> =
        store.customers()?.iter().map(|c| c.router_id).collect();
    let mut clients = std::collections::HashMap::new();
    let mut notes = Vec::new();
    for r in store.routers()? {
        if !wanted.contains(&r.id) || r.source == "embedded" {
            continue;
        }
        let connected = match secrets
            .open(&r.password_sealed)
            .and_then(|p| client_config(&r, p))
        {
            Ok(c) => c.connect().await.map_err(|e| Error::Router(e.to_string())),
            Err(e) => Err(e),
        };
        match connected {
            Ok(c) => {
                clients.insert(r.id, c);
            }
            Err(e) => notes.push(format!("router {} (#{}) not reached: {e}", r.name, r.id)),
        }
    }
    let as_of = as_of.unwrap_or_else(|| settings.local_date(now()));
    let report =
        billing::run_cycle(&store, settings, &clients, as_of, dry_run, "console", None).await?;
    billing::queue_digest(&store, settings, &report)?;
    let mut text = report.text(&settings.currency()?);
    for n in notes {
        text.push_str(&n);
        text.push('\n');
    }
    Ok(text)
}

impl Noc {
    /// Opens the data dir, creates the first admin if needed, starts the pollers (and the
    /// embedded simulator when no router is configured) and the web server.
    pub async fn start(options: Options) -> Result<Noc, Error> {
        let data = datadir::DataDir::open(&options.data_dir)?;
        if options.admin_password.as_ref().is_some_and(|p| p.len() < 8) {
            return Err(Error::BadInput(
                "the admin password must have at least 8 characters".into(),
            ));
        }
        let store = Arc::new(storage::Store::open(&options.data_dir)?);
        let secrets = secret::SecretBox::load_or_create(&options.data_dir)?;
        for r in &options.file.routers {
            let password = r.resolve_password()?;
            store.upsert_router(&storage::RouterRow {
                id: 0,
                name: r.name.clone(),
                address: r.address.clone(),
                port: r.port(),
                tls: r.tls,
                fingerprint: r.fingerprint.clone(),
                user: r.user.clone(),
                password_sealed: secrets.seal(&password)?,
                source: "config".into(),
            })?;
        }
        let hub = routers::Hub::new(store.clone(), options.poll_interval);
        hub.set_router_budget(options.router_budget);
        let mut routers = store.routers()?;
        let mut sim = None;
        if routers.iter().all(|r| r.source == "embedded") {
            let mut sc = ros_sim::SimConfig::new();
            let password = auth::random_password();
            sc.listen(SocketAddr::from(([127, 0, 0, 1], 0)))
                .user("admin")
                .password(password.clone())
                .queues(options.sim_queues)
                .hosts(options.sim_hosts)
                .seed(u64::try_from(now()).unwrap_or(1));
            let running = ros_sim::Simulator::start(sc)
                .await
                .map_err(|e| Error::Simulator(e.to_string()))?;
            let addr = running.addr();
            store.upsert_router(&storage::RouterRow {
                id: 0,
                name: "ros-sim (embedded)".into(),
                address: addr.ip().to_string(),
                port: addr.port(),
                tls: false,
                fingerprint: None,
                user: "admin".into(),
                password_sealed: secrets.seal(&password)?,
                source: "embedded".into(),
            })?;
            sim = Some(running);
            routers = store.routers()?;
        } else {
            for r in routers.iter().filter(|r| r.source == "embedded") {
                store.delete_router(r.id)?;
            }
            routers.retain(|r| r.source != "embedded");
        }
        for r in &routers {
            let password = secrets.open(&r.password_sealed)?;
            match client_config(r, password) {
                Ok(c) => {
                    hub.add_router(r.id, &r.name, c, r.source == "embedded");
                }
                Err(e) => tracing::warn!("router {} not polled: {e}", fmt::log_safe(&r.name)),
            }
        }
        let mut state = AppState::new(
            store,
            hub.clone(),
            secrets,
            options.metrics_token.clone(),
            sim.as_ref().map(|s| s.addr()),
        );
        state.secure_cookies = options
            .public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        state.open_metrics = options.listen.ip().is_loopback();
        state.trusted_proxies = options.trusted_proxies.clone();
        options.file.billing.validate()?;
        state.billing = options.file.billing.clone();
        state.language = options.file.language.unwrap_or_default();
        options.file.health.validate()?;
        state.health = Arc::new(
            health::Health::new(
                options.file.health.clone(),
                state.store.clone(),
                hub.clone(),
            )
            .with_language(state.language),
        );
        let state = Arc::new(state);
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "cannot listen on {}: {e} (another program uses it? start with --listen ADDR:PORT)",
                    options.listen
                ))
            })?;
        let addr = listener.local_addr()?;
        // The first admin is created only now that everything started, so a failed first start
        // leaves no account whose password was never shown.
        let generated_password = first_admin(&state.store, options.admin_password.as_deref())?;
        data.tighten()?;
        let app = web::router(state.clone())?.merge(metrics::router(state.clone()));
        let (tx, rx) = tokio::sync::watch::channel(());
        let limits = options.http;
        let notice_addr = match state.billing.notice_listen {
            Some(addr) => {
                let l = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                    Error::Config(format!("billing.notice_listen {addr}: cannot listen: {e}"))
                })?;
                let a = l.local_addr()?;
                tokio::spawn(server::serve(
                    l,
                    web::notice_router(state.clone())?,
                    limits,
                    rx.clone(),
                ));
                Some(a)
            }
            None => None,
        };
        let server = tokio::spawn(server::serve(listener, app, limits, rx));
        let flush_hub = hub.clone();
        let flush_state = state.clone();
        let retention = options.file.retention;
        options.file.hotspot.summary_at()?;
        let upkeep = tokio::spawn(hotspot_upkeep(
            state.clone(),
            options.hotspot_interval,
            options.file.hotspot.remove_harvested,
        ));
        let health = tokio::spawn(
            state.health.clone().run(
                options
                    .poll_interval
                    .clamp(Duration::from_millis(200), Duration::from_secs(5)),
            ),
        );
        let flusher = tokio::spawn(async move {
            let mut n: u64 = 0;
            let mut every = tokio::time::interval(Duration::from_secs(30));
            every.tick().await;
            loop {
                every.tick().await;
                n += 1;
                let hub = flush_hub.clone();
                let prune = n % 20 == 0;
                let st = flush_state.clone();
                let r = tokio::task::spawn_blocking(move || {
                    if prune {
                        let _ = st.sessions.prune();
                        if let Err(e) = st.store.prune_history(now(), &retention) {
                            tracing::warn!("pruning alerts, activity and audit failed: {e}");
                        }
                    }
                    hub.flush(prune)
                })
                .await;
                if let Ok(Err(e)) = r {
                    tracing::warn!("writing samples failed: {e}");
                }
            }
        });
        Ok(Noc {
            _data: data,
            state,
            addr,
            generated_password,
            sim,
            server,
            notice_addr,
            flusher,
            upkeep,
            health,
            shutdown: Some(tx),
        })
    }

    /// Where the dashboard listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the billing notice page listens (`[billing] notice_listen`), when it does.
    pub fn notice_addr(&self) -> Option<SocketAddr> {
        self.notice_addr
    }

    /// The admin password generated on first start (when none was given); show it once.
    pub fn generated_password(&self) -> Option<&str> {
        self.generated_password.as_deref()
    }

    /// The embedded simulator, when one runs.
    pub fn simulator(&self) -> Option<ros_sim::SimHandle> {
        self.sim.as_ref().map(|s| s.handle())
    }

    /// The shared state (store, routers).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops serving, writes pending samples and stops the simulator.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
            drop(tx);
        }
        self.flusher.abort();
        self.upkeep.abort();
        self.health.abort();
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.server).await;
        self.server.abort();
        let hub = self.state.hub.clone();
        let _ = tokio::task::spawn_blocking(move || hub.flush(false)).await;
        for r in self.state.hub.routers() {
            self.state.hub.remove_router(r.id);
        }
        if let Some(sim) = self.sim.take() {
            sim.shutdown().await;
        }
    }
}
