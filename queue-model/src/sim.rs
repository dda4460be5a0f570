//! A fluid simulator of how RouterOS shares bandwidth among simple queues (HTB and burst).
//!
//! Time advances in fixed ticks. In every tick and each direction independently:
//!
//! 1. **Burst** (MikroTik *Queue Burst* page): every `burst-time/16` the average rate over the
//!    last `burst-time` is computed; while it is below `burst-threshold` the queue's max-limit is
//!    replaced by `burst-limit`. The past before the simulation is idle.
//! 2. **Token buckets**: a queue may exceed its max-limit by the tokens saved while it sent
//!    less, up to `bucket-size × max-limit` bits (the bucket starts empty).
//! 3. **limit-at first** (MikroTik *HTB* page): every leaf gets up to its limit-at, even beyond
//!    its parent's max-limit; an inner queue whose limit-at is above its children's guarantees
//!    lends the rest to its subtree, by priority.
//! 4. **Excess by priority**: what the link has left goes to leaves in priority order (1 first),
//!    within every ancestor's max-limit; equal priorities share in proportion to limit-at (or
//!    equally when it is zero). Inner queues only distribute.
//!
//! Sharing inside a priority level is computed top-down (each inner queue splits its share among
//! its children by their summed weights), which matches HTB's per-level borrowing. Disabled
//! queues do not limit. The cost of a tick grows linearly with the number of queues.
//!
//! ```
//! use queue_model::{rsc, sim::Simulation, Rate, UpDown};
//! let cfg = rsc::parse("/queue simple\n\
//!     add limit-at=1M/1M max-limit=2M/2M burst-limit=4M/4M burst-threshold=1500k/1500k \\\n\
//!         burst-time=16s/16s name=q target=10.0.0.1\n")?;
//! let mut sim = Simulation::new(&cfg, UpDown::both(Rate(100_000_000)))?;
//! let load = [UpDown::new(0, 50_000_000)];
//! assert_eq!(sim.step(1.0, &load)?[0].download, 4_000_000); // bursting from an idle past
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::SimError;
use crate::model::{Config, SimpleQueue};
use crate::text::Text;
use crate::tree::QueueType;
use crate::tree_check::tree_parents;
use crate::validate::{depths, parent_indices};
use crate::value::{Direction, Rate, Time, UpDown};

/// Most ticks [`run`] simulates.
pub const MAX_TICKS: u64 = 100_000_000;

const EPS: f64 = 1e-6;

/// Per-direction limits and state.
#[derive(Debug, Clone, Default)]
struct Lane {
    limit_at: Vec<f64>,
    ceil: Vec<f64>,
    burst_limit: Vec<f64>,
    burst_threshold: Vec<f64>,
    /// burst-time in seconds (0: no burst).
    burst_time: Vec<f64>,
    bucket_ratio: Vec<f64>,
    prio: Vec<u8>,
    // burst state: 16 slots of bits per queue, flat.
    hist: Vec<f64>,
    slot: Vec<usize>,
    slot_acc: Vec<f64>,
    slot_elapsed: Vec<f64>,
    bursting: Vec<bool>,
    tokens: Vec<f64>,
    // per-tick scratch
    eff: Vec<f64>,
    demand: Vec<f64>,
    used: Vec<f64>,
    cap: Vec<f64>,
    weight: Vec<f64>,
}

/// A queue tree on a link, stepped in ticks. See the [module docs](self) for the semantics.
#[derive(Debug, Clone)]
pub struct Simulation {
    names: Vec<Text>,
    children: Vec<Vec<usize>>,
    /// Post-order (children before parents); `start[i]..=pos[i]` in it is `i`'s subtree.
    post: Vec<usize>,
    start: Vec<usize>,
    pos: Vec<usize>,
    roots: Vec<usize>,
    link: UpDown<f64>,
    lanes: [Lane; 2],
    rates: Vec<UpDown<u64>>,
    exact: Vec<UpDown<f64>>,
    scratch: Scratch,
    time: f64,
}

fn rate_f(r: Rate) -> f64 {
    // Rates are below 2^53 bit/s in any real configuration; the conversion is exact there.
    r.0 as f64
}

impl Simulation {
    /// Builds a simulation of `config`'s queues on a link of `link` capacity.
    pub fn new(config: &Config, link: UpDown<Rate>) -> Result<Self, SimError> {
        let queues = &config.queues;
        let n = queues.len();
        let (parent, _) = parent_indices(queues);
        let d = depths(&parent);
        for (i, q) in queues.iter().enumerate() {
            let unknown = q.parent.is_some() && parent.get(i).copied().flatten().is_none();
            if unknown || d.get(i).copied().flatten().is_none() {
                return Err(SimError::BadParent(q.name.to_string()));
            }
        }
        let mut children = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p.and_then(|p| children.get_mut(p)) {
                Some(c) => c.push(i),
                None => roots.push(i),
            }
        }
        // Iterative DFS post-order.
        let mut post = Vec::with_capacity(n);
        let mut start = vec![0; n];
        let mut pos = vec![0; n];
        let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
        let mut first = vec![usize::MAX; n];
        while let Some((node, k)) = stack.pop() {
            if let Some(f) = first.get_mut(node) {
                if *f == usize::MAX {
                    *f = post.len();
                }
            }
            let kids = children.get(node).map(Vec::as_slice).unwrap_or_default();
            if let Some(&c) = kids.get(k) {
                stack.push((node, k + 1));
                stack.push((c, 0));
            } else {
                if let (Some(s), Some(p), Some(&f)) =
                    (start.get_mut(node), pos.get_mut(node), first.get(node))
                {
                    *s = f;
                    *p = post.len();
                }
                post.push(node);
            }
        }
        let lanes = [
            Lane::new(queues, Direction::Upload),
            Lane::new(queues, Direction::Download),
        ];
        Ok(Simulation {
            names: queues.iter().map(|q| q.name.clone()).collect(),
            children,
            post,
            start,
            pos,
            roots,
            link: UpDown::new(rate_f(link.upload), rate_f(link.download)),
            lanes,
            rates: vec![UpDown::default(); n],
            exact: vec![UpDown::default(); n],
            scratch: Scratch::default(),
            time: 0.0,
        })
    }

    /// Queue names, in configuration order (the order of [`step`](Self::step)'s slices).
    pub fn queue_names(&self) -> &[Text] {
        &self.names
    }

    /// The index of the queue called `name` (text or the router's bytes).
    pub fn queue_index(&self, name: impl AsRef<[u8]>) -> Option<usize> {
        let name = name.as_ref();
        self.names.iter().position(|n| n.as_bytes() == name)
    }

    /// True when the queue has no children (only leaves carry traffic).
    pub fn is_leaf(&self, index: usize) -> bool {
        self.children.get(index).is_some_and(Vec::is_empty)
    }

    /// Seconds simulated so far.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// The exact (fractional) rates of the last step, bits/s.
    pub fn exact_rates(&self) -> &[UpDown<f64>] {
        &self.exact
    }

    /// Advances `dt` seconds with `offered[i]` bits/s arriving at queue `i` (configuration
    /// order; loads on inner queues are ignored) and returns every queue's rate in bits/s
    /// (inner queues: the sum of their children).
    pub fn step(&mut self, dt: f64, offered: &[UpDown<u64>]) -> Result<&[UpDown<u64>], SimError> {
        let n = self.names.len();
        if offered.len() != n {
            return Err(SimError::LoadCount {
                expected: n,
                got: offered.len(),
            });
        }
        if dt.is_nan() || dt <= 0.0 {
            return Err(SimError::BadTick);
        }
        for (li, dir) in Direction::BOTH.into_iter().enumerate() {
            let link = *self.link.get(dir);
            self.step_lane(li, dir, dt, link, offered);
        }
        for i in 0..n {
            if let (Some(r), Some(e)) = (self.rates.get_mut(i), self.exact.get_mut(i)) {
                *r = UpDown::new(
                    e.upload.round().max(0.0) as u64,
                    e.download.round().max(0.0) as u64,
                );
            }
        }
        self.time += dt;
        Ok(&self.rates)
    }

    fn step_lane(
        &mut self,
        li: usize,
        dir: Direction,
        dt: f64,
        link: f64,
        offered: &[UpDown<u64>],
    ) {
        let Some(lane) = self.lanes.get_mut(li) else {
            return;
        };
        let n = self.names.len();
        // 1–2: effective ceilings (burst, bucket) and demands.
        for i in 0..n {
            let base = if lane.bursting.get(i) == Some(&true) {
                lane.burst_limit.get(i).copied().unwrap_or(0.0)
            } else {
                lane.ceil.get(i).copied().unwrap_or(0.0)
            };
            let e = if base > 0.0 {
                base + lane.tokens.get(i).copied().unwrap_or(0.0) / dt
            } else {
                f64::INFINITY
            };
            set(&mut lane.eff, i, e);
            let leaf = self.children.get(i).is_some_and(Vec::is_empty);
            let d = if leaf {
                offered.get(i).map(|o| *o.get(dir) as f64).unwrap_or(0.0)
            } else {
                0.0
            };
            set(&mut lane.demand, i, d);
            set(&mut lane.used, i, 0.0);
        }
        // 3: guarantees, bottom-up.
        for k in 0..self.post.len() {
            let Some(&i) = self.post.get(k) else { continue };
            let la = get(&lane.limit_at, i);
            let kids = self.children.get(i).map(Vec::as_slice).unwrap_or_default();
            if kids.is_empty() {
                let g = get(&lane.demand, i).min(la).min(get(&lane.eff, i));
                set(&mut lane.used, i, g);
            } else {
                let s: f64 = kids.iter().map(|&c| get(&lane.used, c)).sum();
                set(&mut lane.used, i, s);
                let extra = la.min(get(&lane.eff, i)) - s;
                if extra > EPS {
                    let (a, b) = (
                        self.start.get(i).copied().unwrap_or(0),
                        self.pos.get(i).copied().unwrap_or(0),
                    );
                    distribute(
                        lane,
                        &self.post[a..=b],
                        &self.children,
                        Some(i),
                        &[],
                        extra,
                        &mut self.scratch,
                    );
                }
            }
        }
        // Physical link: scale guarantees down if they do not fit.
        let total: f64 = self.roots.iter().map(|&r| get(&lane.used, r)).sum();
        if total > link && total > 0.0 {
            let f = link / total;
            lane.used.iter_mut().for_each(|u| *u *= f);
        }
        // 4: excess, by priority.
        let left = link - total.min(link);
        if left > EPS {
            distribute(
                lane,
                &self.post,
                &self.children,
                None,
                &self.roots,
                left,
                &mut self.scratch,
            );
        }
        // Bookkeeping: tokens, burst history, rates.
        for i in 0..n {
            let used = get(&lane.used, i);
            if let Some(e) = self.exact.get_mut(i) {
                *e.get_mut(dir) = used;
            }
            let base = if lane.bursting.get(i) == Some(&true) {
                get(&lane.burst_limit, i)
            } else {
                get(&lane.ceil, i)
            };
            if base > 0.0 {
                let cap = get(&lane.bucket_ratio, i) * base;
                let t = (get(&lane.tokens, i) + (base - used) * dt).clamp(0.0, cap);
                set(&mut lane.tokens, i, t);
            }
            let bt = get(&lane.burst_time, i);
            if bt > 0.0 {
                let acc = get(&lane.slot_acc, i) + used * dt;
                let el = get(&lane.slot_elapsed, i) + dt;
                set(&mut lane.slot_acc, i, acc);
                set(&mut lane.slot_elapsed, i, el);
                let interval = bt / 16.0;
                if el >= interval - 1e-9 {
                    let s = lane.slot.get(i).copied().unwrap_or(0);
                    set(&mut lane.hist, i * 16 + s, acc);
                    set(&mut lane.slot, i, (s + 1) % 16);
                    set(&mut lane.slot_acc, i, 0.0);
                    set(&mut lane.slot_elapsed, i, el - interval);
                    let sum: f64 = lane
                        .hist
                        .get(i * 16..i * 16 + 16)
                        .map(|h| h.iter().sum())
                        .unwrap_or(0.0);
                    let avg = sum / bt;
                    let b = avg < get(&lane.burst_threshold, i) - 1e-6;
                    if let Some(x) = lane.bursting.get_mut(i) {
                        *x = b;
                    }
                }
            }
        }
    }
}

/// Buffers reused across ticks: the top-down work list and the water-filling order.
#[derive(Debug, Clone, Default)]
struct Scratch {
    stack: Vec<(usize, f64)>,
    tmp: Vec<(f64, f64, usize)>,
}

fn get(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(0.0)
}

fn add(v: &mut [f64], i: usize, x: f64) {
    if let Some(s) = v.get_mut(i) {
        *s += x;
    }
}

fn set<T>(v: &mut [T], i: usize, x: T) {
    if let Some(s) = v.get_mut(i) {
        *s = x;
    }
}

/// Hands out `budget` bits/s within the subtree `nodes` (post-order, ending with `top` when
/// `top` is an inner queue; all queues when `top` is `None`), priority 1 first.
fn distribute(
    lane: &mut Lane,
    nodes: &[usize],
    children: &[Vec<usize>],
    top: Option<usize>,
    roots: &[usize],
    mut budget: f64,
    scratch: &mut Scratch,
) {
    let Scratch { stack, tmp } = scratch;
    // Which priorities have leaves that still want more?
    let mut mask = 0u16;
    for &i in nodes {
        if children.get(i).is_some_and(Vec::is_empty) {
            let want = get(&lane.demand, i).min(get(&lane.eff, i)) - get(&lane.used, i);
            if want > EPS {
                mask |= 1 << lane.prio.get(i).copied().unwrap_or(8).min(15);
            }
        }
    }
    for p in 1..=8u8 {
        if budget <= EPS {
            break;
        }
        if mask & (1 << p) == 0 {
            continue;
        }
        // Capacities and weights bottom-up.
        for &i in nodes {
            let kids = children.get(i).map(Vec::as_slice).unwrap_or_default();
            let (c, w) = if kids.is_empty() {
                if lane.prio.get(i) == Some(&p) {
                    let c =
                        (get(&lane.demand, i).min(get(&lane.eff, i)) - get(&lane.used, i)).max(0.0);
                    (
                        c,
                        if c > EPS {
                            get(&lane.limit_at, i).max(1.0)
                        } else {
                            0.0
                        },
                    )
                } else {
                    (0.0, 0.0)
                }
            } else {
                let (mut c, mut w) = (0.0, 0.0);
                for &k in kids {
                    c += get(&lane.cap, k);
                    w += get(&lane.weight, k);
                }
                if Some(i) != top {
                    c = c.min((get(&lane.eff, i) - get(&lane.used, i)).max(0.0));
                }
                (c, if c > EPS { w } else { 0.0 })
            };
            set(&mut lane.cap, i, c);
            set(&mut lane.weight, i, w);
        }
        // Top-down.
        stack.clear();
        let given = match top {
            Some(t) => {
                let give = get(&lane.cap, t).min(budget);
                if give > EPS {
                    // `top`'s own share is added here; its children get theirs below.
                    let kids = children.get(t).map(Vec::as_slice).unwrap_or_default();
                    split(lane, kids, give, stack, tmp);
                    add(&mut lane.used, t, give);
                }
                give
            }
            None => {
                let root_cap: f64 = roots.iter().map(|&r| get(&lane.cap, r)).sum();
                let g = root_cap.min(budget);
                if g > EPS {
                    split(lane, roots, g, stack, tmp);
                }
                g
            }
        };
        while let Some((node, amount)) = stack.pop() {
            add(&mut lane.used, node, amount);
            let kids = children.get(node).map(Vec::as_slice).unwrap_or_default();
            if !kids.is_empty() {
                split(lane, kids, amount, stack, tmp);
            }
        }
        budget -= given;
    }
}

/// Water-fills `amount` among `kids` by weight within their capacities; pushes the shares.
fn split(
    lane: &Lane,
    kids: &[usize],
    amount: f64,
    stack: &mut Vec<(usize, f64)>,
    tmp: &mut Vec<(f64, f64, usize)>,
) {
    tmp.clear();
    let mut total_w = 0.0;
    for &k in kids {
        let (c, w) = (get(&lane.cap, k), get(&lane.weight, k));
        if c > EPS && w > 0.0 {
            tmp.push((c / w, w, k));
            total_w += w;
        }
    }
    tmp.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut left = amount;
    for &(ratio, w, k) in tmp.iter() {
        if left <= 0.0 || total_w <= 0.0 {
            break;
        }
        let fair = left * w / total_w;
        let c = ratio * w;
        let share = fair.min(c);
        stack.push((k, share));
        left -= share;
        total_w -= w;
    }
}

impl Lane {
    fn new(queues: &[SimpleQueue], dir: Direction) -> Self {
        let n = queues.len();
        let f = |g: &dyn Fn(&SimpleQueue) -> f64| queues.iter().map(g).collect::<Vec<f64>>();
        let active = |q: &SimpleQueue| !q.disabled;
        let bt = f(&|q| {
            if active(q) && q.bursts(dir) {
                q.burst_time.get(dir).as_secs_f64()
            } else {
                0.0
            }
        });
        let bursting = queues
            .iter()
            .map(|q| active(q) && q.bursts(dir) && !q.burst_threshold.get(dir).is_zero())
            .collect();
        Lane {
            limit_at: f(&|q| {
                if active(q) {
                    rate_f(*q.limit_at.get(dir))
                } else {
                    0.0
                }
            }),
            ceil: f(&|q| {
                if active(q) {
                    rate_f(*q.max_limit.get(dir))
                } else {
                    0.0
                }
            }),
            burst_limit: f(&|q| {
                if active(q) {
                    rate_f(*q.burst_limit.get(dir))
                } else {
                    0.0
                }
            }),
            burst_threshold: f(&|q| rate_f(*q.burst_threshold.get(dir))),
            burst_time: bt,
            bucket_ratio: f(&|q| q.bucket_size.get(dir).as_f64()),
            prio: queues
                .iter()
                .map(|q| (*q.priority.get(dir)).clamp(1, 8))
                .collect(),
            hist: vec![0.0; n * 16],
            slot: vec![0; n],
            slot_acc: vec![0.0; n],
            slot_elapsed: vec![0.0; n],
            bursting,
            tokens: vec![0.0; n],
            eff: vec![0.0; n],
            demand: vec![0.0; n],
            used: vec![0.0; n],
            cap: vec![0.0; n],
            weight: vec![0.0; n],
        }
    }
}

/// A stream of traffic into a leaf queue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Flow {
    /// The (leaf) queue it goes through.
    pub queue: Text,
    /// Upload or download, from the target's point of view.
    pub direction: Direction,
    /// When it starts.
    pub start: Time,
    /// The rate it would use if nothing limited it.
    pub rate: Rate,
    /// Bits to transfer; `None`: runs until the end.
    pub size: Option<u64>,
}

impl Flow {
    /// An endless flow.
    pub fn new(queue: impl Into<Text>, direction: Direction, start: Time, rate: Rate) -> Self {
        Flow {
            queue: queue.into(),
            direction,
            start,
            rate,
            size: None,
        }
    }
}

/// Everything [`run`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scenario {
    /// The queues.
    pub config: Config,
    /// Link capacity, per direction.
    pub link: UpDown<Rate>,
    /// How long to simulate.
    pub duration: Time,
    /// Tick length.
    pub tick: Time,
    /// The traffic.
    pub flows: Vec<Flow>,
}

impl Scenario {
    /// A scenario with 100 ms ticks and no flows.
    pub fn new(config: Config, link: UpDown<Rate>, duration: Time) -> Self {
        Scenario {
            config,
            link,
            duration,
            tick: Time::from_millis(100),
            flows: Vec::new(),
        }
    }
}

/// The outcome of [`run`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Queue names, the order of every per-queue vector below.
    pub queues: Vec<Text>,
    /// Average rate of every queue in each whole second, bits/s (`seconds[t][queue]`).
    pub seconds: Vec<Vec<UpDown<u64>>>,
    /// Average rate of every queue over the whole run, bits/s.
    pub average: Vec<UpDown<u64>>,
    /// For each flow (scenario order), when it finished in seconds (sized flows only).
    pub finished: Vec<Option<f64>>,
}

/// Runs a scenario to its end.
///
/// ```
/// use queue_model::{rsc, sim::{run, Flow, Scenario}, Direction, Rate, Time, UpDown};
/// let cfg = rsc::parse("/queue simple\nadd max-limit=2M/2M name=q target=10.0.0.1\n")?;
/// let mut s = Scenario::new(cfg, UpDown::both(Rate(10_000_000)), Time::from_secs(5));
/// let mut f = Flow::new("q", Direction::Download, Time::ZERO, Rate(8_000_000));
/// f.size = Some(4_000_000);
/// s.flows.push(f);
/// let r = run(&s)?;
/// assert_eq!(r.seconds[0][0].download, 2_000_000);
/// assert_eq!(r.finished[0], Some(2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(scenario: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(&scenario.config, scenario.link)?;
    let tick = scenario.tick.as_millis();
    if tick == 0 || tick > scenario.duration.as_millis() {
        return Err(SimError::BadTick);
    }
    let ticks = scenario.duration.as_millis() / tick;
    if ticks > MAX_TICKS {
        return Err(SimError::TooManyTicks(MAX_TICKS));
    }
    let n = sim.names.len();
    let mut flow_q = Vec::with_capacity(scenario.flows.len());
    for f in &scenario.flows {
        let q = sim
            .queue_index(&f.queue)
            .ok_or_else(|| SimError::UnknownQueue(f.queue.to_string()))?;
        if !sim.is_leaf(q) {
            return Err(SimError::InnerQueue(f.queue.to_string()));
        }
        flow_q.push(q);
    }
    let dt = tick as f64 / 1000.0;
    let secs = scenario.duration.as_millis().div_ceil(1000);
    let mut per_sec = vec![vec![UpDown::<f64>::default(); n]; usize::try_from(secs).unwrap_or(0)];
    let mut totals = vec![UpDown::<f64>::default(); n];
    let mut remaining: Vec<Option<f64>> = scenario
        .flows
        .iter()
        .map(|f| f.size.map(|s| s as f64))
        .collect();
    let mut finished = vec![None; scenario.flows.len()];
    let mut offers = vec![0.0f64; scenario.flows.len()];
    let mut load = vec![UpDown::<u64>::default(); n];
    let mut load_f = vec![UpDown::<f64>::default(); n];
    for k in 0..ticks {
        let t_ms = k * tick;
        let t = t_ms as f64 / 1000.0;
        load_f.iter_mut().for_each(|l| *l = UpDown::default());
        for (fi, f) in scenario.flows.iter().enumerate() {
            let active = f.start.as_millis() <= t_ms;
            let offer = match remaining.get(fi).copied().flatten() {
                _ if !active => 0.0,
                Some(r) if r <= 0.0 => 0.0,
                Some(r) => rate_f(f.rate).min(r / dt),
                None => rate_f(f.rate),
            };
            set(&mut offers, fi, offer);
            if let Some(l) = flow_q.get(fi).and_then(|&q| load_f.get_mut(q)) {
                *l.get_mut(f.direction) += offer;
            }
        }
        for (l, lf) in load.iter_mut().zip(&load_f) {
            *l = UpDown::new(lf.upload.round() as u64, lf.download.round() as u64);
        }
        sim.step(dt, &load)?;
        let exact = sim.exact_rates();
        let sec = usize::try_from(t_ms / 1000).unwrap_or(usize::MAX);
        for i in 0..n {
            let r = exact.get(i).copied().unwrap_or_default();
            if let Some(s) = per_sec.get_mut(sec).and_then(|s| s.get_mut(i)) {
                s.upload += r.upload * dt;
                s.download += r.download * dt;
            }
            if let Some(tot) = totals.get_mut(i) {
                tot.upload += r.upload * dt;
                tot.download += r.download * dt;
            }
        }
        // Share each queue's rate among its flows in proportion to what they offered.
        for (fi, f) in scenario.flows.iter().enumerate() {
            let offer = get(&offers, fi);
            if offer <= 0.0 {
                continue;
            }
            let Some(&q) = flow_q.get(fi) else { continue };
            let total_offer = *load_f.get(q).map(|l| l.get(f.direction)).unwrap_or(&0.0);
            let got = exact.get(q).map(|r| *r.get(f.direction)).unwrap_or(0.0);
            let mine = if total_offer > 0.0 {
                got * offer / total_offer
            } else {
                0.0
            };
            if let Some(Some(r)) = remaining.get_mut(fi) {
                let sent = mine * dt;
                if sent >= *r - 1e-3 && mine > 0.0 {
                    let done = t + *r / mine;
                    set(&mut finished, fi, Some((done * 1000.0).round() / 1000.0));
                    *r = 0.0;
                } else {
                    *r -= sent;
                }
            }
        }
    }
    let dur = scenario.duration.as_secs_f64();
    let round = |v: UpDown<f64>, secs: f64| {
        UpDown::new(
            (v.upload / secs).round() as u64,
            (v.download / secs).round() as u64,
        )
    };
    let seconds = per_sec
        .iter()
        .enumerate()
        .map(|(s, row)| {
            let len = (dur - s as f64).clamp(0.0, 1.0);
            row.iter()
                .map(|&v| {
                    if len > 0.0 {
                        round(v, len)
                    } else {
                        UpDown::default()
                    }
                })
                .collect()
        })
        .collect();
    Ok(Report {
        queues: sim.names.clone(),
        seconds,
        average: totals.into_iter().map(|v| round(v, dur)).collect(),
        finished,
    })
}

/// A stream of traffic into a queue tree: the leaf tree that takes it (by packet mark) and,
/// for a PCQ leaf, the value of its classifier (a user's address, a port).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TreeFlow {
    /// The leaf queue tree entry it goes through.
    pub tree: Text,
    /// The PCQ classifier value: an IPv4 or IPv6 address is masked with the queue type's
    /// `pcq-*-address-mask`; anything else is used as it is. Ignored by other queue kinds.
    pub key: Text,
}

impl TreeFlow {
    /// A flow through `tree` keyed by `key`.
    pub fn new(tree: impl Into<Text>, key: impl Into<Text>) -> Self {
        TreeFlow {
            tree: tree.into(),
            key: key.into(),
        }
    }
}

/// How each flow of a [`TreeSimulation`] reaches the HTB model.
#[derive(Debug, Clone, Copy)]
struct FlowSlot {
    /// Node in the simulation that carries it (a PCQ sub-queue, or the leaf tree).
    node: usize,
}

/// The queue trees under one HTB root (`global` or an interface) on a link, stepped in ticks,
/// with PCQ's per-flow sub-queues.
///
/// Trees are one-directional, so one capacity and one rate per flow. The trees become HTB
/// classes as in [`Simulation`] (limit-at, max-limit, priority, burst, bucket), and a leaf
/// whose queue type is PCQ gets one sub-queue per classifier value, each limited to
/// `pcq-rate` (and bursting to `pcq-burst-rate`); with `pcq-rate=0` the sub-queues share the
/// leaf's rate equally, unused shares going to the others (MikroTik *Queues*, PCQ). Other
/// queue kinds (FIFO, SFQ, RED) pass their leaf's rate to its flows in proportion to what
/// they offer. Queue sizes (`pcq-limit`, `pfifo-limit`...) are not modelled: the simulation
/// is fluid.
///
/// ```
/// use queue_model::{rsc, sim::{TreeFlow, TreeSimulation}, Rate};
/// let cfg = rsc::parse("/queue type\nadd kind=pcq name=pcq-down pcq-classifier=dst-address\n\
///     /queue tree\nadd max-limit=10M name=down packet-mark=down parent=global queue=pcq-down\n")?;
/// let flows = [TreeFlow::new("down", "192.168.0.2"), TreeFlow::new("down", "192.168.0.3")];
/// let mut sim = TreeSimulation::new(&cfg, "global", Rate(100_000_000), &flows)?;
/// assert_eq!(sim.step(1.0, &[50_000_000, 50_000_000])?, [5_000_000, 5_000_000]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TreeSimulation {
    sim: Simulation,
    trees: Vec<Text>,
    flows: Vec<FlowSlot>,
    load: Vec<UpDown<u64>>,
    /// Offered load per node this tick (for proportional splits).
    offered: Vec<f64>,
    rates: Vec<u64>,
    tree_rates: Vec<u64>,
}

fn pcq_key(qt: &QueueType, key: &Text) -> Text {
    use crate::tree::PcqClassifier as C;
    let has = |c: C| qt.pcq_classifier.contains(&c);
    let (m4, m6) = if has(C::DstAddress) {
        (qt.pcq_dst_address_mask, qt.pcq_dst_address6_mask)
    } else if has(C::SrcAddress) {
        (qt.pcq_src_address_mask, qt.pcq_src_address6_mask)
    } else {
        return key.clone();
    };
    let Ok(s) = key.as_str() else {
        return key.clone();
    };
    if let Ok(a) = s.parse::<std::net::Ipv4Addr>() {
        return Text::from(crate::value::mask4(a, m4.min(32)).to_string());
    }
    if let Ok(a) = s.parse::<std::net::Ipv6Addr>() {
        return Text::from(crate::value::mask6(a, m6.min(128)).to_string());
    }
    key.clone()
}

impl TreeSimulation {
    /// Builds a simulation of the trees whose topmost parent is `root` (`global` or an
    /// interface name), on a link of `capacity`, carrying `flows`.
    ///
    /// Errors: a flow naming no tree under `root` ([`SimError::UnknownQueue`]) or an inner
    /// tree ([`SimError::InnerQueue`]); a tree in a parent cycle ([`SimError::BadParent`]).
    pub fn new(
        config: &Config,
        root: impl AsRef<[u8]>,
        capacity: Rate,
        flows: &[TreeFlow],
    ) -> Result<Self, SimError> {
        let root = root.as_ref();
        let all = &config.queue_trees;
        let parents = tree_parents(all);
        let d = depths(&parents);
        // Trees under `root`: walk up to the top (cycles refused).
        let mut selected = Vec::new();
        for (i, t) in all.iter().enumerate() {
            if d.get(i).copied().flatten().is_none() {
                return Err(SimError::BadParent(t.name.to_string()));
            }
            let mut top = i;
            while let Some(p) = parents.get(top).copied().flatten() {
                top = p;
            }
            if all.get(top).is_some_and(|x| x.parent.as_bytes() == root) {
                selected.push(i);
            }
        }
        let mut has_child = vec![false; all.len()];
        for &i in &selected {
            if let Some(p) = parents.get(i).copied().flatten() {
                set(&mut has_child, p, true);
            }
        }
        let mut queues: Vec<SimpleQueue> = Vec::with_capacity(selected.len() + flows.len());
        let mut index_of: std::collections::HashMap<&[u8], usize> = Default::default();
        for &i in &selected {
            let Some(t) = all.get(i) else { continue };
            index_of.entry(t.name.as_bytes()).or_insert(queues.len());
            let mut q = SimpleQueue {
                name: t.name.clone(),
                parent: parents
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|p| all.get(p))
                    .map(|p| p.name.clone()),
                ..SimpleQueue::default()
            };
            q.limit_at = UpDown::new(Rate::ZERO, t.limit_at);
            q.max_limit = UpDown::new(Rate::ZERO, t.max_limit);
            q.burst_limit = UpDown::new(Rate::ZERO, t.burst_limit);
            q.burst_threshold = UpDown::new(Rate::ZERO, t.burst_threshold);
            q.burst_time = UpDown::new(Time::ZERO, t.burst_time);
            q.bucket_size.download = t.bucket_size;
            q.priority = UpDown::new(8, t.priority.clamp(1, 8));
            q.disabled = t.disabled;
            queues.push(q);
        }
        let trees: Vec<Text> = queues.iter().map(|q| q.name.clone()).collect();
        let mut subs: std::collections::HashMap<(usize, Text), usize> = Default::default();
        let mut slots = Vec::with_capacity(flows.len());
        for f in flows {
            let Some(&ti) = index_of.get(f.tree.as_bytes()) else {
                return Err(SimError::UnknownQueue(f.tree.to_string()));
            };
            let Some(&ci) = selected.get(ti) else {
                return Err(SimError::UnknownQueue(f.tree.to_string()));
            };
            if has_child.get(ci) == Some(&true) {
                return Err(SimError::InnerQueue(f.tree.to_string()));
            }
            let t = all.get(ci);
            let qt = t.and_then(|t| config.queue_type(t.queue.as_bytes()));
            let node = match (t, qt) {
                (Some(t), Some(qt)) if qt.is_pcq() => {
                    let key = pcq_key(&qt, &f.key);
                    let next = queues.len();
                    let node = *subs.entry((ti, key.clone())).or_insert(next);
                    if node == next {
                        let mut name = t.name.as_bytes().to_vec();
                        name.extend_from_slice(b"\0pcq\0");
                        name.extend_from_slice(key.as_bytes());
                        let mut q = SimpleQueue {
                            name: Text::from(name),
                            parent: Some(t.name.clone()),
                            max_limit: UpDown::new(Rate::ZERO, qt.pcq_rate),
                            ..SimpleQueue::default()
                        };
                        if !qt.pcq_burst_rate.is_zero() {
                            q.burst_limit = UpDown::new(Rate::ZERO, qt.pcq_burst_rate);
                            q.burst_threshold = UpDown::new(Rate::ZERO, qt.pcq_burst_threshold);
                            q.burst_time = UpDown::new(Time::ZERO, qt.pcq_burst_time);
                        }
                        q.priority = UpDown::new(8, t.priority.clamp(1, 8));
                        queues.push(q);
                    }
                    node
                }
                _ => ti,
            };
            slots.push(FlowSlot { node });
        }
        let cfg = Config {
            queues,
            ..Config::default()
        };
        let n = cfg.queues.len();
        let sim = Simulation::new(&cfg, UpDown::new(Rate::ZERO, capacity))?;
        Ok(TreeSimulation {
            sim,
            tree_rates: vec![0; trees.len()],
            trees,
            flows: slots,
            load: vec![UpDown::default(); n],
            offered: vec![0.0; n],
            rates: vec![0; flows.len()],
        })
    }

    /// The simulated trees' names, in configuration order (the order of
    /// [`tree_rates`](Self::tree_rates)).
    pub fn tree_names(&self) -> &[Text] {
        &self.trees
    }

    /// How many PCQ sub-queues the flows make (all trees together).
    pub fn sub_queues(&self) -> usize {
        self.sim.names.len() - self.trees.len()
    }

    /// Every tree's rate in the last step, bits/s (inner trees: the sum of their children).
    pub fn tree_rates(&self) -> &[u64] {
        &self.tree_rates
    }

    /// Advances `dt` seconds with `offered[i]` bits/s arriving on flow `i` and returns every
    /// flow's rate in bits/s.
    pub fn step(&mut self, dt: f64, offered: &[u64]) -> Result<&[u64], SimError> {
        if offered.len() != self.flows.len() {
            return Err(SimError::LoadCount {
                expected: self.flows.len(),
                got: offered.len(),
            });
        }
        self.offered.iter_mut().for_each(|o| *o = 0.0);
        for (f, &o) in self.flows.iter().zip(offered) {
            add(&mut self.offered, f.node, o as f64);
        }
        for (l, &o) in self.load.iter_mut().zip(&self.offered) {
            l.download = o.round() as u64;
        }
        self.sim.step(dt, &self.load)?;
        let exact = self.sim.exact_rates();
        for ((r, f), &o) in self.rates.iter_mut().zip(&self.flows).zip(offered) {
            let node_rate = exact.get(f.node).map(|e| e.download).unwrap_or(0.0);
            let node_offer = get(&self.offered, f.node);
            *r = if node_offer > 0.0 {
                (node_rate * o as f64 / node_offer).round().max(0.0) as u64
            } else {
                0
            };
        }
        for (t, r) in self.tree_rates.iter_mut().enumerate() {
            *r = exact
                .get(t)
                .map(|e| e.download.round().max(0.0) as u64)
                .unwrap_or(0);
        }
        Ok(&self.rates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parent_is_an_error() {
        let cfg =
            crate::rsc::parse("/queue simple\nadd name=a parent=zz target=1.1.1.1\n").unwrap();
        assert!(matches!(
            Simulation::new(&cfg, UpDown::both(Rate(1))),
            Err(SimError::BadParent(_))
        ));
    }
}
