//! Routers: the [`Hub`] of managed routers with their live state, the [`poller`] that keeps it
//! fresh, and [`changes`], the one place that changes a router and writes the audit entry.
//!
//! A router that is down or slow only affects its own task: every command has a timeout, the
//! live state is swapped in under a short lock, and nothing waits on another router.

pub mod changes;
pub mod hotspot;
pub mod live;
pub mod netwatch;
pub mod poller;
pub mod ppp;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use routeros_proto::client::{Client, Config as ClientConfig};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::series::Tier;
use crate::series::{Downsampler, Point};
use crate::storage::Store;

pub use live::{
    l7_rules, pair, parse_firewall_line, queue_row, Interface, L7Rule, QueueRow, Resource,
    RouterLive, Status, MAX_QUEUES, MAX_SERIES,
};

/// A managed router: identity, connection settings and live state.
#[derive(Debug)]
#[non_exhaustive]
pub struct RouterHandle {
    /// Row id in the store.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// `host:port`.
    pub address: String,
    /// Whether this is the embedded simulator.
    pub embedded: bool,
    config: ClientConfig,
    live: RwLock<RouterLive>,
    client: Mutex<Option<Client>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl RouterHandle {
    /// A snapshot of the live state (cheap: queues are shared).
    pub fn live(&self) -> RouterLive {
        self.live.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut RouterLive)) {
        f(&mut self.live.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// The connected client, if the router is up (for changes made from the dashboard).
    pub fn client(&self) -> Option<Client> {
        self.client
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|c| !c.is_closed())
    }
}

impl Drop for RouterHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }
}

/// All routers and the shared sample pipeline.
#[derive(Debug)]
pub struct Hub {
    routers: RwLock<BTreeMap<i64, Arc<RouterHandle>>>,
    updates: broadcast::Sender<i64>,
    store: Arc<Store>,
    samples: Mutex<Downsampler>,
    series: Mutex<HashMap<(i64, &'static str, String), i64>>,
    interval: Duration,
    budget: std::sync::atomic::AtomicUsize,
}

/// Default memory budget of one router's connection: 64 MiB.
pub const DEFAULT_ROUTER_BUDGET: usize = 64 << 20;

/// Commands one router's connection runs at once (polls, log streams, scans, changes).
pub const IN_FLIGHT: usize = 8;
/// Replies buffered per streaming command (the log).
pub const ROW_BUFFER: usize = 32;

/// Bounds `config` so that one connection holds at most about `budget` bytes of replies: at
/// most [`IN_FLIGHT`] commands, each collecting at most `budget / IN_FLIGHT` bytes, and each
/// stream buffering at most [`ROW_BUFFER`] sentences of at most `budget / IN_FLIGHT /
/// ROW_BUFFER` bytes.
pub fn apply_budget(config: &mut ClientConfig, budget: usize) {
    let share = (budget / IN_FLIGHT).max(64 << 10);
    let mut limits = routeros_proto::sentence::Limits::default();
    let sentence = (share / ROW_BUFFER).clamp(16 << 10, limits.max_sentence_len);
    limits.max_sentence_len(sentence);
    limits.max_word_len(limits.max_word_len.min(sentence));
    config
        .max_in_flight(IN_FLIGHT)
        .row_buffer(ROW_BUFFER)
        .max_response_bytes(share)
        .limits(limits);
}

impl Hub {
    /// A hub polling every `interval`.
    pub fn new(store: Arc<Store>, interval: Duration) -> Arc<Hub> {
        let (updates, _) = broadcast::channel(64);
        Arc::new(Hub {
            routers: RwLock::new(BTreeMap::new()),
            updates,
            store,
            samples: Mutex::new(Downsampler::new(MAX_SERIES)),
            series: Mutex::new(HashMap::new()),
            interval,
            budget: std::sync::atomic::AtomicUsize::new(DEFAULT_ROUTER_BUDGET),
        })
    }

    /// The memory budget of each router's connection for routers added from now on (see
    /// [`apply_budget`]).
    pub fn set_router_budget(&self, bytes: usize) {
        self.budget
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// The memory budget of each router's connection.
    pub fn router_budget(&self) -> usize {
        self.budget.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Receives the id of each router whose live state changed.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.updates.subscribe()
    }

    /// Routers by id.
    pub fn routers(&self) -> Vec<Arc<RouterHandle>> {
        self.routers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// One router.
    pub fn router(&self, id: i64) -> Option<Arc<RouterHandle>> {
        self.routers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// Starts polling a router (replacing an existing poller for the same id).
    pub fn add_router(
        self: &Arc<Self>,
        id: i64,
        name: &str,
        mut config: ClientConfig,
        embedded: bool,
    ) -> Arc<RouterHandle> {
        apply_budget(&mut config, self.router_budget());
        let handle = Arc::new(RouterHandle {
            id,
            name: name.to_owned(),
            address: config.addr().to_owned(),
            embedded,
            config,
            live: RwLock::new(RouterLive::default()),
            client: Mutex::new(None),
            task: Mutex::new(None),
        });
        let task = tokio::spawn(poller::run(Arc::downgrade(&handle), Arc::clone(self)));
        *handle.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        self.routers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::clone(&handle));
        handle
    }

    /// Stops polling a router.
    pub fn remove_router(&self, id: i64) -> bool {
        self.routers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id)
            .is_some()
    }

    fn series_id(&self, router: i64, kind: &'static str, name: &str) -> Option<i64> {
        let mut cache = self.series.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = cache.get(&(router, kind, name.to_owned())) {
            return Some(*id);
        }
        if cache.len() >= MAX_SERIES {
            return None;
        }
        let id = self.store.series_id(router, kind, name).ok()?;
        cache.insert((router, kind, name.to_owned()), id);
        Some(id)
    }

    /// Records samples of one poll: `(kind, name, up, down)`.
    pub fn record(&self, router: i64, t: i64, samples: &[(&'static str, &str, u64, u64)]) {
        let ids: Vec<(Option<i64>, u64, u64)> = samples
            .iter()
            .map(|(k, n, u, d)| (self.series_id(router, k, n), *u, *d))
            .collect();
        let mut ds = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        for (id, up, down) in ids {
            if let Some(id) = id {
                ds.record(id, t, up, down);
            }
        }
    }

    /// Writes every changed history block to the store and prunes old data.
    pub fn flush(&self, prune: bool) -> Result<usize, crate::Error> {
        let blocks = self
            .samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take_dirty();
        self.store.write_blocks(&blocks)?;
        if prune {
            self.store.prune(crate::now())?;
        }
        Ok(blocks.len())
    }

    /// The history of a queue, queue tree or interface (`kind` `queue`, `tree`, `iface`)
    /// over the last `seconds`, from the finest tier that covers it, merged with the points
    /// not yet written.
    pub fn history(
        &self,
        router: i64,
        kind: &str,
        name: &str,
        seconds: i64,
    ) -> Result<Vec<Point>, crate::Error> {
        let tier = if seconds <= Tier::Second.retention() {
            Tier::Second
        } else if seconds <= Tier::Minute.retention() {
            Tier::Minute
        } else {
            Tier::Hour
        };
        let now = crate::now();
        let Some(series) = self.store.find_series(router, kind, name)? else {
            return Ok(Vec::new());
        };
        let mut pts = self.store.history(series, tier, now - seconds, now)?;
        let current = self
            .samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .current(series, tier);
        let mut by_t: BTreeMap<i64, Point> = pts.drain(..).map(|p| (p.t, p)).collect();
        for p in current {
            if p.t >= now - seconds {
                by_t.insert(p.t, p);
            }
        }
        Ok(by_t.into_values().collect())
    }

    /// Series tracked in memory and samples dropped for lack of room.
    pub fn sample_stats(&self) -> (usize, u64) {
        let ds = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        (ds.len(), ds.dropped())
    }

    fn notify(&self, id: i64) {
        let _ = self.updates.send(id);
    }
}
