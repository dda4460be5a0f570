//! Queue trees in the traffic model: the trees and types parsed for the shaper, one HTB/PCQ
//! simulation per root (`global` or an interface), and the tree counters filled from the
//! packets the mangle rules marked.

use super::*;

/// The queue trees and types, parsed, and one HTB simulation per root (`global` or an
/// interface) with the flows it was built for.
#[derive(Default)]
pub(super) struct Trees {
    config: queue_model::Config,
    /// Per tree (menu order): its root, whether it takes packets (an enabled leaf), its marks,
    /// and its queue type's PCQ classifiers.
    info: Vec<TreeInfo>,
    /// Per root: the flows `(tree, key)` and the simulation built for them.
    sims: Vec<RootSim>,
}

/// A flow of a tree simulation: the tree (menu position) and its PCQ key.
pub(super) type TreeKey = (usize, String);

/// A root's simulation: the root, the flows it was built for, the simulation (none when the
/// model refused the trees).
pub(super) type RootSim = (String, Vec<TreeKey>, Option<TreeSimulation>);

/// What each tree flow is offered this tick, and the connections (and directions) in it.
pub(super) type Aggregate = std::collections::BTreeMap<TreeKey, (u64, Vec<(usize, Dir)>)>;

pub(super) struct TreeInfo {
    name: Vec<u8>,
    parent: Option<usize>,
    root: String,
    leaf: bool,
    marks: Vec<String>,
    classifier: Vec<PcqClassifier>,
    pcq: bool,
    max_limit: u64,
}

/// Parses the queue trees and types (for the shaper) when either menu changed.
pub(super) fn load_trees(state: &State, traffic: &mut Traffic) {
    let tm = &state.menus[state.menu_by_kind(MenuKind::QueueTree)];
    let ym = &state.menus[state.menu_by_kind(MenuKind::QueueType)];
    let key = (tm.generation, ym.generation);
    if traffic.trees.as_ref().is_some_and(|(k, _)| *k == key) {
        return;
    }
    let mut config = queue_model::Config::new();
    config.queue_types = ym
        .items
        .iter()
        .filter_map(|t| QueueType::from_attributes(&explicit_attributes(ym.spec, t)).ok())
        .collect();
    // Every tree, so positions match the menu; one the model refuses takes no packets.
    let parsed: Vec<Option<QueueTree>> = tm
        .items
        .iter()
        .map(|t| QueueTree::from_attributes(&explicit_attributes(tm.spec, t)).ok())
        .collect();
    config.queue_trees = parsed.iter().flatten().cloned().collect();
    let name_of = |i: usize| tm.items.get(i).and_then(|t| tm.raw(t, "name"));
    let find = |n: &[u8]| (0..tm.items.len()).find(|&i| name_of(i) == Some(n));
    let mut info = Vec::with_capacity(tm.items.len());
    for (i, t) in tm.items.iter().enumerate() {
        // The root: follow parents (at most as many steps as there are trees).
        let mut root = tm.raw(t, "parent").unwrap_or_default().to_vec();
        for _ in 0..tm.items.len() {
            match find(&root).and_then(|p| tm.items.get(p)) {
                Some(p) => root = tm.raw(p, "parent").unwrap_or_default().to_vec(),
                None => break,
            }
        }
        let name = name_of(i).unwrap_or_default().to_vec();
        let has_child = tm
            .items
            .iter()
            .any(|c| tm.raw(c, "parent") == Some(name.as_slice()));
        let qt = config.queue_type(tm.raw(t, "queue").unwrap_or(b"default-small"));
        info.push(TreeInfo {
            parent: tm.raw(t, "parent").and_then(find).filter(|&p| p != i),
            leaf: !has_child
                && tm.value(t, "disabled") != Some("true")
                && parsed.get(i).is_some_and(Option::is_some),
            root: String::from_utf8_lossy(&root).into_owned(),
            marks: tm
                .value(t, "packet-mark")
                .unwrap_or("")
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            classifier: qt
                .as_ref()
                .map(|q| q.pcq_classifier.clone())
                .unwrap_or_default(),
            pcq: qt.as_ref().is_some_and(QueueType::is_pcq),
            max_limit: tm.value(t, "max-limit").and_then(parse_rate).unwrap_or(0),
            name,
        });
    }
    traffic.trees = Some((
        key,
        Trees {
            config,
            info,
            sims: Vec::new(),
        },
    ));
}

/// Shapes the flows' marked packets through the queue trees (after the simple queues) and
/// fills the trees' counters. A tree takes the packets carrying one of its marks that leave
/// through its root (`global`: all of them); the first enabled leaf in order wins per root.
pub(super) fn shape_trees(state: &mut State, traffic: &mut Traffic) {
    load_trees(state, traffic);
    let tmi = state.menu_by_kind(MenuKind::QueueTree);
    let Some((_, trees)) = traffic.trees.as_mut() else {
        return;
    };
    let n = trees.info.len();
    let mut offered_tree = vec![0u64; n];
    let mut shaped_tree = vec![0u64; n];
    let mut keys_tree: Vec<std::collections::BTreeSet<String>> = vec![Default::default(); n];
    let mut roots: Vec<String> = Vec::new();
    for t in &trees.info {
        if t.leaf && !roots.contains(&t.root) {
            roots.push(t.root.clone());
        }
    }
    // `global` first, then the interfaces, each shaping what the previous one let through.
    roots.sort_by_key(|r| (r != "global", r.clone()));
    for root in roots {
        // (tree, key) -> (offered, [(flow, dir)])
        let mut agg: Aggregate = Default::default();
        for (fi, f) in traffic.flows.iter().enumerate() {
            let Some(host) = traffic.hosts.get(f.host) else {
                continue;
            };
            for dir in [Dir::Up, Dir::Down] {
                let rate = match dir {
                    Dir::Up => f.rate.0,
                    Dir::Down => f.rate.1,
                };
                let lan_port = if f.host % 2 == 0 { "ether2" } else { "wlan1" };
                let out_ok = match dir {
                    Dir::Up => root == "global" || root == "ether1",
                    Dir::Down => root == "global" || root == "bridge" || root == lan_port,
                };
                if rate == 0 || !out_ok {
                    continue;
                }
                let mark = f.marks[dir as usize].as_deref().unwrap_or("no-mark");
                let Some(ti) = trees
                    .info
                    .iter()
                    .position(|t| t.leaf && t.root == root && t.marks.iter().any(|m| m == mark))
                else {
                    continue;
                };
                let (_, port, ..) = f.app.profile();
                let (src, dst, sport, dport) = match dir {
                    Dir::Up => (host.ip, f.remote, f.sport, port),
                    Dir::Down => (f.remote, host.ip, port, f.sport),
                };
                let t = &trees.info[ti];
                let key = if !t.pcq {
                    String::new()
                } else if t.classifier.contains(&PcqClassifier::DstAddress) {
                    dst.to_string()
                } else if t.classifier.contains(&PcqClassifier::SrcAddress) {
                    src.to_string()
                } else if t.classifier.contains(&PcqClassifier::DstPort) {
                    dport.to_string()
                } else if t.classifier.contains(&PcqClassifier::SrcPort) {
                    sport.to_string()
                } else {
                    String::new()
                };
                let slot = agg.entry((ti, key)).or_default();
                slot.0 += rate;
                slot.1.push((fi, dir));
            }
        }
        let flows: Vec<TreeKey> = agg.keys().cloned().collect();
        let offered: Vec<u64> = agg.values().map(|(o, _)| *o).collect();
        let capacity = match root.as_str() {
            "global" => WAN_UP + WAN_DOWN,
            "ether1" => WAN_UP,
            _ => WAN_DOWN,
        };
        // Reuse the root's simulation while its flows stay the same (burst state carries on).
        let pos = trees.sims.iter().position(|(r, _, _)| *r == root);
        let fresh = pos
            .and_then(|p| trees.sims.get(p))
            .is_none_or(|(_, f, _)| *f != flows);
        if fresh {
            let tf: Vec<TreeFlow> = flows
                .iter()
                .filter_map(|(ti, key)| {
                    let t = trees.info.get(*ti)?;
                    Some(TreeFlow::new(t.name.clone(), key.clone()))
                })
                .collect();
            let sim = TreeSimulation::new(&trees.config, root.as_bytes(), Rate(capacity), &tf).ok();
            let entry = (root.clone(), flows.clone(), sim);
            match pos {
                Some(p) => trees.sims[p] = entry,
                None => trees.sims.push(entry),
            }
        }
        let p = trees
            .sims
            .iter()
            .position(|(r, _, _)| *r == root)
            .unwrap_or(0);
        // (rate per flow, rate per tree by name)
        type Stepped = (Vec<u64>, Vec<(Vec<u8>, u64)>);
        let stepped: Option<Stepped> = trees.sims.get_mut(p).and_then(|(_, _, sim)| {
            let sim = sim.as_mut()?;
            let rates = sim.step(1.0, &offered).ok()?.to_vec();
            let by_tree = sim
                .tree_names()
                .iter()
                .map(|n| n.as_bytes().to_vec())
                .zip(sim.tree_rates().iter().copied())
                .collect();
            Some((rates, by_tree))
        });
        let rates = match stepped {
            Some((rates, by_tree)) => {
                for (name, r) in by_tree {
                    if let Some(i) = trees.info.iter().position(|t| t.name == name) {
                        shaped_tree[i] = r;
                    }
                }
                rates
            }
            None => {
                // The model refused the trees: each leaf caps at its max-limit.
                let mut per_tree = vec![0u64; n];
                for ((ti, _), o) in flows.iter().zip(&offered) {
                    per_tree[*ti] += o;
                }
                let rates: Vec<u64> = flows
                    .iter()
                    .zip(&offered)
                    .map(|((ti, _), o)| {
                        let lim = trees.info[*ti].max_limit;
                        let total = per_tree[*ti];
                        if lim == 0 || total <= lim {
                            *o
                        } else {
                            let share = u128::from(*o) * u128::from(lim) / u128::from(total);
                            u64::try_from(share).unwrap_or(lim)
                        }
                    })
                    .collect();
                for ((ti, _), r) in flows.iter().zip(&rates) {
                    shaped_tree[*ti] += r;
                }
                rates
            }
        };
        for (((ti, key), (o, members)), r) in agg.iter().zip(&rates) {
            offered_tree[*ti] += o;
            if trees.info[*ti].pcq {
                keys_tree[*ti].insert(key.clone());
            }
            for (fi, dir) in members {
                if let Some(f) = traffic.flows.get_mut(*fi) {
                    let slot = match dir {
                        Dir::Up => &mut f.rate.0,
                        Dir::Down => &mut f.rate.1,
                    };
                    *slot = slot.saturating_mul(*r).checked_div(*o).unwrap_or(0);
                }
            }
        }
    }
    // Inner trees carry their children's offered load (children come in any order; each pass
    // lifts one level).
    for _ in 0..n {
        let mut sums = vec![0u64; n];
        for (i, t) in trees.info.iter().enumerate() {
            if let Some(p) = t.parent {
                sums[p] += offered_tree[i];
            }
        }
        let mut changed = false;
        for (i, s) in sums.into_iter().enumerate() {
            if !trees.info[i].leaf && s != offered_tree[i] {
                offered_tree[i] = s;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let pkt = 1200u64;
    let m = &mut state.menus[tmi];
    for (i, item) in m.items.iter_mut().enumerate() {
        let s = shaped_tree.get(i).copied().unwrap_or(0);
        let o = offered_tree.get(i).copied().unwrap_or(0).max(s);
        let excess = (o - s) / 8;
        item.stats[0] = s;
        item.stats[1] = s / 8 / pkt;
        item.stats[2] += s / 8;
        item.stats[3] += s / 8 / pkt;
        item.stats[4] += excess / pkt;
        item.stats[5] = (excess / 10).min(2_048_000);
        item.stats[6] = item.stats[5] / pkt;
        item.stats[7] = keys_tree
            .get(i)
            .map_or(0, |k| u64::try_from(k.len()).unwrap_or(u64::MAX));
    }
}
