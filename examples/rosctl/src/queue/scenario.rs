//! `rosctl queue simulate`: the TOML scenario format and the table/JSON presentation.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use queue_model::sim::{run, Flow, Report, Scenario, TreeFlow, TreeSimulation};
use queue_model::{rsc, Direction, Rate, Time, UpDown};
use serde::Deserialize;

use super::SimFormat;

/// The scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Link capacity: `"10M"` (both directions) or `"10M/50M"` (upload/download).
    link: String,
    /// How long to simulate, e.g. `"30s"`.
    duration: String,
    /// Tick length (default `"100ms"`).
    tick: Option<String>,
    /// The queues, as RouterOS script.
    rsc: String,
    /// The traffic.
    #[serde(default)]
    flow: Vec<FlowFile>,
    /// For queue trees: the HTB they hang from, `global` (the default) or an interface; its
    /// capacity is the link's download rate.
    #[serde(default)]
    root: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFile {
    queue: String,
    direction: String,
    #[serde(default)]
    start: Option<String>,
    rate: String,
    #[serde(default)]
    size: Option<String>,
    /// For a queue tree with PCQ: the classifier value (a user's address).
    #[serde(default)]
    key: Option<String>,
}

fn field<T: std::str::FromStr>(name: &str, v: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    v.parse()
        .map_err(|e: T::Err| anyhow::anyhow!("`{name}`: {e}"))
}

/// Reads a scenario file.
pub fn load(path: &Path) -> anyhow::Result<Scenario> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: File =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let config =
        rsc::parse(&file.rsc).map_err(|e| anyhow::anyhow!("{}: in `rsc`: {e}", path.display()))?;
    let link: UpDown<Rate> = field("link", &file.link)?;
    let mut s = Scenario::new(config, link, field("duration", &file.duration)?);
    if let Some(t) = &file.tick {
        s.tick = field::<Time>("tick", t)?;
    }
    for (i, f) in file.flow.iter().enumerate() {
        let ctx = |e: anyhow::Error| anyhow::anyhow!("flow {}: {e}", i + 1);
        let direction: Direction = field("direction", &f.direction).map_err(ctx)?;
        let start: Time = match &f.start {
            Some(s) => field("start", s).map_err(ctx)?,
            None => Time::ZERO,
        };
        let rate: Rate = field("rate", &f.rate).map_err(ctx)?;
        let mut flow = Flow::new(f.queue.clone(), direction, start, rate);
        if let Some(size) = &f.size {
            flow.size = Some(field::<Rate>("size", size).map_err(ctx)?.bits_per_second());
        }
        s.flows.push(flow);
    }
    Ok(s)
}

/// The JSON document: rates per whole second (both directions added), averages, and when each
/// queue's last sized flow finished.
pub fn to_json(scenario: &Scenario, report: &Report) -> serde_json::Value {
    let total = |r: &UpDown<u64>| r.upload.saturating_add(r.download);
    let seconds: Vec<serde_json::Value> = report
        .seconds
        .iter()
        .enumerate()
        .map(|(t, row)| {
            let rates: serde_json::Map<String, serde_json::Value> = report
                .queues
                .iter()
                .zip(row)
                .map(|(q, r)| (q.to_string(), total(r).into()))
                .collect();
            serde_json::json!({ "t": t, "rates": rates })
        })
        .collect();
    let average: serde_json::Map<String, serde_json::Value> = report
        .queues
        .iter()
        .zip(&report.average)
        .map(|(q, r)| (q.to_string(), total(r).into()))
        .collect();
    let mut finished = serde_json::Map::new();
    for (f, done) in scenario.flows.iter().zip(&report.finished) {
        if let Some(t) = done {
            let later = finished
                .get(&f.queue.to_string())
                .and_then(serde_json::Value::as_f64)
                .is_some_and(|prev| prev >= *t);
            if !later {
                finished.insert(f.queue.to_string(), (*t).into());
            }
        }
    }
    serde_json::json!({ "seconds": seconds, "average": average, "finished": finished })
}

fn human(bps: u64) -> String {
    let v = bps as f64;
    if v >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{bps}")
    }
}

/// The table: one row per second, one column per queue (upload+download), then a chart per
/// queue (one block per second, scaled to the busiest second), averages and finish times.
pub fn to_table(scenario: &Scenario, report: &Report) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let total = |r: &UpDown<u64>| r.upload.saturating_add(r.download);
    let width = report
        .queues
        .iter()
        .map(|q| q.len().max(9))
        .collect::<Vec<_>>();
    let mut out = String::from("    t");
    for (q, w) in report.queues.iter().zip(&width) {
        out.push_str(&format!("  {q:>w$}"));
    }
    out.push('\n');
    for (t, row) in report.seconds.iter().enumerate() {
        out.push_str(&format!("{t:>4}s"));
        for (r, w) in row.iter().zip(&width) {
            out.push_str(&format!("  {:>w$}", human(total(r))));
        }
        out.push('\n');
    }
    out.push('\n');
    // Charts share one scale: the highest per-second rate of any queue.
    let link = report
        .seconds
        .iter()
        .flatten()
        .map(total)
        .max()
        .unwrap_or(0)
        .max(1);
    let name_w = report
        .queues
        .iter()
        .map(|q| q.to_string().len())
        .max()
        .unwrap_or(0);
    for (i, q) in report.queues.iter().enumerate() {
        let chart: String = report
            .seconds
            .iter()
            .map(|row| {
                let v = row.get(i).map(total).unwrap_or(0);
                if v == 0 {
                    ' '
                } else {
                    let level = (v.saturating_mul(8) / link).clamp(1, 8);
                    BLOCKS
                        .get(usize::try_from(level - 1).unwrap_or(0))
                        .copied()
                        .unwrap_or('█')
                }
            })
            .collect();
        let avg = report.average.get(i).map(total).unwrap_or(0);
        out.push_str(&format!("{q:<name_w$}  |{chart}|  avg {}", human(avg)));
        let done = scenario
            .flows
            .iter()
            .zip(&report.finished)
            .filter(|(f, _)| &f.queue == q)
            .filter_map(|(_, d)| *d)
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
        if let Some(d) = done {
            out.push_str(&format!("  finished at {d}s"));
        }
        out.push('\n');
    }
    out
}

/// Most ticks a tree simulation runs.
const MAX_TREE_STEPS: u64 = 1_000_000;

/// Simulates queue trees: every flow names a leaf tree (and a PCQ key), directions are
/// ignored (trees are one-directional), the root's capacity is the link's download rate.
fn simulate_trees(path: &Path, format: SimFormat) -> anyhow::Result<Option<ExitCode>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: File =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let config =
        rsc::parse(&file.rsc).map_err(|e| anyhow::anyhow!("{}: in `rsc`: {e}", path.display()))?;
    if config.queue_trees.is_empty() {
        return Ok(None);
    }
    let link: UpDown<Rate> = field("link", &file.link)?;
    let duration: Time = field("duration", &file.duration)?;
    let tick: Time = match &file.tick {
        Some(t) => field("tick", t)?,
        None => Time::from_millis(100),
    };
    let root = file.root.as_deref().unwrap_or("global");
    let mut flows = Vec::new();
    let mut offered = Vec::new();
    let mut starts = Vec::new();
    for (i, f) in file.flow.iter().enumerate() {
        let ctx = |e: anyhow::Error| anyhow::anyhow!("flow {}: {e}", i + 1);
        flows.push(TreeFlow::new(
            f.queue.clone(),
            f.key.clone().unwrap_or_default(),
        ));
        offered.push(
            field::<Rate>("rate", &f.rate)
                .map_err(ctx)?
                .bits_per_second(),
        );
        starts.push(match &f.start {
            Some(s) => field::<Time>("start", s).map_err(ctx)?.as_millis(),
            None => 0,
        });
    }
    let mut sim = TreeSimulation::new(&config, root, link.download, &flows)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let dt_ms = tick.as_millis().max(1);
    let steps = duration.as_millis() / dt_ms;
    if steps > MAX_TREE_STEPS {
        anyhow::bail!(
            "{}: {steps} ticks; at most {MAX_TREE_STEPS} (a longer tick or a shorter duration)",
            path.display()
        );
    }
    let names: Vec<String> = sim.tree_names().iter().map(ToString::to_string).collect();
    let mut per_second: Vec<Vec<f64>> = Vec::new();
    let mut flow_total = vec![0f64; flows.len()];
    let mut tree_total = vec![0f64; names.len()];
    for step in 0..steps {
        let now = step * dt_ms;
        let load: Vec<u64> = offered
            .iter()
            .zip(&starts)
            .map(|(&o, &s)| if now >= s { o } else { 0 })
            .collect();
        let dt = dt_ms as f64 / 1000.0;
        let rates = sim
            .step(dt, &load)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .to_vec();
        for (t, r) in flow_total.iter_mut().zip(&rates) {
            *t += *r as f64 * dt;
        }
        let second = usize::try_from(now / 1000).unwrap_or(usize::MAX);
        if per_second.len() <= second {
            per_second.push(vec![0.0; names.len()]);
        }
        if let Some(row) = per_second.last_mut() {
            for ((cell, tot), r) in row
                .iter_mut()
                .zip(tree_total.iter_mut())
                .zip(sim.tree_rates())
            {
                *cell += *r as f64 * dt;
                *tot += *r as f64 * dt;
            }
        }
    }
    let secs = (steps * dt_ms) as f64 / 1000.0;
    let avg = |v: f64| {
        if secs > 0.0 {
            (v / secs).round() as u64
        } else {
            0
        }
    };
    match format {
        SimFormat::Json => {
            let seconds: Vec<serde_json::Value> = per_second
                .iter()
                .enumerate()
                .map(|(t, row)| {
                    let rates: serde_json::Map<String, serde_json::Value> = names
                        .iter()
                        .zip(row)
                        .map(|(n, v)| (n.clone(), (v.round() as u64).into()))
                        .collect();
                    serde_json::json!({ "t": t, "rates": rates })
                })
                .collect();
            let average: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .zip(&tree_total)
                .map(|(n, v)| (n.clone(), avg(*v).into()))
                .collect();
            let flows: Vec<serde_json::Value> = file
                .flow
                .iter()
                .zip(&flow_total)
                .map(|(f, v)| {
                    serde_json::json!({
                        "queue": f.queue,
                        "key": f.key.clone().unwrap_or_default(),
                        "average": avg(*v),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({ "seconds": seconds, "average": average, "flows": flows })
            );
        }
        SimFormat::Table => {
            let mut out = String::from("    t");
            for n in &names {
                out.push_str(&format!("  {n:>9}"));
            }
            out.push('\n');
            for (t, row) in per_second.iter().enumerate() {
                out.push_str(&format!("{t:>4}s"));
                for v in row {
                    out.push_str(&format!("  {:>9}", human(v.round() as u64)));
                }
                out.push('\n');
            }
            out.push('\n');
            for (f, v) in file.flow.iter().zip(&flow_total) {
                out.push_str(&format!(
                    "{} {}: avg {}\n",
                    f.queue,
                    f.key.as_deref().unwrap_or(""),
                    human(avg(*v))
                ));
            }
            print!("{out}");
        }
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// Runs `rosctl queue simulate`.
pub fn simulate(path: &Path, format: SimFormat) -> anyhow::Result<ExitCode> {
    if let Some(code) = simulate_trees(path, format)? {
        return Ok(code);
    }
    let scenario = load(path)?;
    let report = run(&scenario).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    match format {
        SimFormat::Json => println!("{}", to_json(&scenario, &report)),
        SimFormat::Table => print!("{}", to_table(&scenario, &report)),
    }
    Ok(ExitCode::SUCCESS)
}
