//! `rosctl queue`: lint, plan, apply and simulate simple queues.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use queue_model::{rsc, validate, Change, Config, Item, Layer7Protocol, SimpleQueue};
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
    /// Check the simple queues, Layer 7 protocols and mangle/filter rules of an `.rsc` export.
    /// Exits 1 if there are errors.
    Lint {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: LintFormat,
        /// The script (`/export` output).
        file: PathBuf,
    },
    /// Print the RouterOS commands that turn the current queues and Layer 7 protocols into the
    /// desired ones.
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
    /// Simulate how the queues share a link (HTB and burst), from a TOML scenario.
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
            "{} queues, {} layer7 protocols: {errors} errors, {} warnings",
            cfg.queues.len(),
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

/// The menus [`read_router`] reads: plans touch only these (a tree in the desired file is not
/// re-added on every run because the router's trees were never read).
const READ_MENUS: &[queue_model::plan::Menu] = &[
    queue_model::plan::Menu::Layer7Protocol,
    queue_model::plan::Menu::SimpleQueue,
];

/// Reads the router's simple queues and Layer 7 protocols (dynamic queues are skipped: they
/// belong to PPP, hotspot or DHCP and cannot be edited).
async fn read_router(client: &routeros_proto::Client) -> anyhow::Result<Config> {
    let mut cfg = Config::default();
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
        if let Err(e) = client.execute(c.to_command()).await {
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

fn report_applied(applied: &[&Change]) {
    for c in applied {
        println!("applied: {c}");
    }
}
