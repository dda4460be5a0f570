//! `rosctl queue`: lint, plan, apply and simulate simple queues.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use queue_model::{
    rsc, validate, Change, Config, FirewallRule, Item, Layer7Protocol, QueueTree, QueueType,
    SimpleQueue, BUILTIN_QUEUE_TYPES,
};
use routeros_proto::Command;

mod scenario;

/// Output format of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SimFormat {
    /// A per-second table and a small chart per queue.
    #[default]
    Table,
    /// One JSON document.
    Json,
}

/// Output format of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LintFormat {
    /// One line per diagnostic.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Subcommands of `rosctl queue`.
#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Check the simple queues, queue trees and types, Layer 7 protocols and mangle/filter
    /// rules of an `.rsc` export.
    /// Exits 1 if there are errors.
    Lint {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: LintFormat,
        /// The script (`/export` output).
        file: PathBuf,
    },
    /// Print the RouterOS commands that turn the current simple queues, queue trees and types,
    /// mangle rules (matched by comment) and Layer 7 protocols into the desired ones.
    Plan {
        /// The desired configuration (`.rsc`).
        #[arg(long)]
        desired: PathBuf,
        /// The current configuration (`.rsc`); without it, it is read from --router.
        #[arg(long)]
        current: Option<PathBuf>,
        /// Print API sentences instead of CLI commands.
        #[arg(long)]
        api: bool,
    },
    /// Plan against the router and execute the plan, stopping at the first error.
    Apply {
        /// The desired configuration (`.rsc`).
        #[arg(long)]
        desired: PathBuf,
        /// Apply even if the desired configuration has validation errors.
        #[arg(long)]
        force: bool,
    },
    /// Simulate how the simple queues or queue trees (with PCQ) share a link, from a TOML
    /// scenario.
    Simulate {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: SimFormat,
        /// The scenario: `link`, `duration`, `tick`, `rsc` and `[[flow]]` tables.
        scenario: PathBuf,
    },
}

/// Runs a `rosctl queue` subcommand.
pub async fn run(cmd: Cmd, router: &crate::router::RouterArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Lint { format, file } => lint(&file, format),
        Cmd::Plan {
            desired,
            current,
            api,
        } => {
            let desired_cfg = read_rsc(&desired)?;
            let current_cfg = match current {
                Some(path) => read_rsc(&path)?,
                None => {
                    let client = router.connect().await?;
                    read_router(&client).await?
                }
            };
            let mut desired_cfg = desired_cfg;
            keep_unmentioned(&current_cfg, &mut desired_cfg);
            let changes = queue_model::plan::plan_menus(&current_cfg, &desired_cfg, READ_MENUS);
            if changes.is_empty() {
                eprintln!("no changes");
            }
            for c in &changes {
                if api {
                    println!("{}", api_words(&c.to_command()));
                } else {
                    println!("{c}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Apply { desired, force } => apply(&desired, force, router).await,
        Cmd::Simulate { format, scenario } => scenario::simulate(&scenario, format),
    }
}

/// Menus the desired file does not mention are left as they are on the router: a file with
/// only queues must not remove every Layer 7 protocol.
fn keep_unmentioned(current: &Config, desired: &mut Config) {
    if desired.queues.is_empty() && !current.queues.is_empty() {
        eprintln!("note: no simple queues in the desired file; the router's are left as they are");
        desired.queues = current.queues.clone();
    }
    if desired.layer7_protocols.is_empty() && !current.layer7_protocols.is_empty() {
        eprintln!(
            "note: no layer7 protocols in the desired file; the router's are left as they are"
        );
        desired.layer7_protocols = current.layer7_protocols.clone();
    }
    if desired.queue_trees.is_empty() && !current.queue_trees.is_empty() {
        eprintln!("note: no queue trees in the desired file; the router's are left as they are");
        desired.queue_trees = current.queue_trees.clone();
    }
    if desired.queue_types.is_empty() && !current.queue_types.is_empty() {
        eprintln!("note: no queue types in the desired file; the router's are left as they are");
        desired.queue_types = current.queue_types.clone();
    }
    if desired.mangle.is_empty() && !current.mangle.is_empty() {
        eprintln!("note: no mangle rules in the desired file; the router's are left as they are");
        desired.mangle = current.mangle.clone();
    }
    // Built-in queue types are the router's: the desired file may list them, plans never
    // touch them.
    desired
        .queue_types
        .retain(|t| !BUILTIN_QUEUE_TYPES.iter().any(|b| t.name == *b));
}

fn read_rsc(path: &Path) -> anyhow::Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    rsc::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn lint(path: &Path, format: LintFormat) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let cfg = match rsc::parse(&text) {
        Ok(c) => c,
        Err(e) => {
            match format {
                LintFormat::Text => eprintln!("{}: error: {e}", path.display()),
                LintFormat::Json => println!(
                    "{}",
                    serde_json::json!({
                        "file": path.display().to_string(),
                        "severity": "error",
                        "code": "syntax",
                        "line": e.line,
                        "column": e.column,
                        "message": e.kind.to_string(),
                    })
                ),
            }
            return Ok(ExitCode::from(1));
        }
    };
    let diags = validate(&cfg);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    for d in &diags {
        match format {
            LintFormat::Text => println!("{}: {d}", path.display()),
            LintFormat::Json => println!(
                "{}",
                serde_json::json!({
                    "file": path.display().to_string(),
                    "severity": d.severity.to_string(),
                    "code": d.code,
                    "subject": d.subject.to_string(),
                    "queue": d.queue().map(ToString::to_string),
                    "message": d.message,
                })
            ),
        }
    }
    if format == LintFormat::Text {
        eprintln!(
            "{} queues, {} queue trees, {} queue types, {} mangle rules, {} layer7 protocols: \
             {errors} errors, {} warnings",
            cfg.queues.len(),
            cfg.queue_trees.len(),
            cfg.queue_types.len(),
            cfg.mangle.len(),
            cfg.layer7_protocols.len(),
            diags.len() - errors
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The menus [`read_router`] reads: plans touch only these (an item in the desired file is
/// not re-added on every run because the router's were never read).
const READ_MENUS: &[queue_model::plan::Menu] = &queue_model::plan::Menu::ALL;

/// Reads one menu's items, skipping dynamic ones and those `skip` rejects.
async fn read_menu<T: Item>(
    client: &routeros_proto::Client,
    path: &str,
    skip: impl Fn(&routeros_proto::Attributes) -> bool,
) -> anyhow::Result<Vec<T>> {
    let rows = client
        .print(Command::new(format!("{path}/print")))
        .await
        .map_err(|e| anyhow::anyhow!("reading {path}: {e}"))?;
    let mut out = Vec::new();
    for row in rows {
        if row.get_str("dynamic").and_then(Result::ok) == Some("true") || skip(&row) {
            continue;
        }
        out.push(T::from_attributes(&row).map_err(|e| anyhow::anyhow!("{path} {row:?}: {e}"))?);
    }
    Ok(out)
}

/// Reads the router's simple queues, queue trees, queue types (not the built-in ones), mangle
/// rules and Layer 7 protocols. Dynamic items are skipped: they belong to PPP, hotspot or
/// DHCP and cannot be edited.
async fn read_router(client: &routeros_proto::Client) -> anyhow::Result<Config> {
    let mut cfg = Config::default();
    cfg.queue_trees = read_menu::<QueueTree>(client, "/queue/tree", |_| false).await?;
    cfg.queue_types = read_menu::<QueueType>(client, "/queue/type", |row| {
        row.get_str("default").and_then(Result::ok) == Some("true")
            || row
                .get("name")
                .is_some_and(|n| BUILTIN_QUEUE_TYPES.iter().any(|b| b.as_bytes() == n))
    })
    .await?;
    cfg.mangle = read_menu::<FirewallRule>(client, "/ip/firewall/mangle", |_| false).await?;
    let rows = client
        .print(Command::new("/queue/simple/print"))
        .await
        .map_err(|e| anyhow::anyhow!("reading /queue/simple: {e}"))?;
    for row in rows {
        if row.get_str("dynamic").and_then(Result::ok) == Some("true") {
            continue;
        }
        let q = SimpleQueue::from_attributes(&row)
            .map_err(|e| anyhow::anyhow!("router queue {row:?}: {e}"))?;
        cfg.queues.push(q);
    }
    let rows = client
        .print(Command::new("/ip/firewall/layer7-protocol/print"))
        .await
        .map_err(|e| anyhow::anyhow!("reading /ip/firewall/layer7-protocol: {e}"))?;
    for row in rows {
        let p = Layer7Protocol::from_attributes(&row)
            .map_err(|e| anyhow::anyhow!("router layer7-protocol {row:?}: {e}"))?;
        cfg.layer7_protocols.push(p);
    }
    Ok(cfg)
}

fn api_words(cmd: &Command) -> String {
    let mut s = String::from_utf8_lossy(cmd.command()).into_owned();
    for w in cmd.words() {
        s.push(' ');
        s.push_str(&String::from_utf8_lossy(w));
    }
    s
}

async fn apply(
    desired: &Path,
    force: bool,
    router: &crate::router::RouterArgs,
) -> anyhow::Result<ExitCode> {
    let desired_cfg = read_rsc(desired)?;
    let errors: Vec<_> = validate(&desired_cfg)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    if !errors.is_empty() && !force {
        for d in &errors {
            eprintln!("{}: {d}", desired.display());
        }
        anyhow::bail!(
            "{} has {} validation errors; fix them or pass --force",
            desired.display(),
            errors.len()
        );
    }
    let client = router.connect().await?;
    let current = read_router(&client).await?;
    let mut desired_cfg = desired_cfg;
    keep_unmentioned(&current, &mut desired_cfg);
    let changes = queue_model::plan::plan_menus(&current, &desired_cfg, READ_MENUS);
    if changes.is_empty() {
        println!("nothing to do: the router already has the desired queues");
        return Ok(ExitCode::SUCCESS);
    }
    let bar = indicatif::ProgressBar::new(changes.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut applied: Vec<&Change> = Vec::new();
    for c in &changes {
        bar.set_message(format!("{c}"));
        let cmd = match resolve_comments(&client, c).await {
            Ok(cmd) => cmd,
            Err(e) => {
                bar.abandon();
                report_applied(&applied);
                eprintln!("failed: {c}\n  {e}");
                return Ok(ExitCode::from(1));
            }
        };
        if let Err(e) = client.execute(cmd).await {
            bar.abandon();
            report_applied(&applied);
            let why = e
                .trap()
                .map(|t| t.message.clone())
                .unwrap_or_else(|| e.to_string());
            eprintln!("failed: {c}\n  router said: {why}");
            eprintln!(
                "stopped after {} of {} changes; the rest were not sent",
                applied.len(),
                changes.len()
            );
            return Ok(ExitCode::from(1));
        }
        applied.push(c);
        bar.inc(1);
    }
    bar.finish_and_clear();
    report_applied(&applied);
    println!("applied {} changes", applied.len());
    Ok(ExitCode::SUCCESS)
}

/// The API command of a change, with mangle rules' comments (where a plan names a rule)
/// replaced by the rules' `.id`s, read from the router just before.
async fn resolve_comments(
    client: &routeros_proto::Client,
    change: &Change,
) -> anyhow::Result<Command> {
    let cmd = change.to_command();
    if change.menu() != queue_model::Menu::Mangle {
        return Ok(cmd);
    }
    let rows = client
        .print(
            Command::builder("/ip/firewall/mangle/print")
                .proplist([".id", "comment"])
                .build(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("reading /ip/firewall/mangle: {e}"))?;
    let ids: Vec<(Vec<u8>, Vec<u8>)> = rows
        .iter()
        .filter_map(|r| Some((r.get("comment")?.to_vec(), r.get(".id")?.to_vec())))
        .collect();
    Ok(queue_model::resolve_comments(&cmd, &ids)?)
}

fn report_applied(applied: &[&Change]) {
    for c in applied {
        println!("applied: {c}");
    }
}
