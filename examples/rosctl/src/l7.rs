//! `rosctl l7`: lint Layer 7 patterns, match and classify connection data, classify the flows
//! of a packet capture — all offline, with the router's collection rules.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use l7_patterns::load::{load_path, PatFile};
use l7_patterns::pcap::{Flows, Limits, PcapError};
use l7_patterns::{lint, MatchMode, Matcher, NamedPattern, PatternSet, Severity, Verdict, Window};
use serde_json::json;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Subcommands of `rosctl l7`.
#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Lint every pattern in the files (l7-filter `.pat` files or directories of them, `.rsc`
    /// exports, or one pattern per line). Exits 1 if any pattern has an error.
    Lint {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Pattern files or directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Test one pattern against connection data files (the bytes a connection carried, both
    /// directions concatenated in order; NULs are removed and the first 2 KB kept).
    Match {
        /// The pattern, in the RouterOS dialect.
        #[arg(
            long,
            conflicts_with = "pattern_file",
            required_unless_present = "pattern_file"
        )]
        pattern: Option<String>,
        /// A file holding the pattern (`.pat`, `.rsc` with one entry, or a one-line file).
        #[arg(long)]
        pattern_file: Option<PathBuf>,
        /// Case handling.
        #[arg(long, default_value = "case-insensitive", value_parser = parse_mode)]
        mode: MatchMode,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Connection data files.
        #[arg(required = true)]
        data: Vec<PathBuf>,
    },
    /// Say which named patterns match each connection data file.
    Classify {
        /// A directory of `.pat` files, an `.rsc` export, or a pattern file.
        #[arg(long)]
        patterns: PathBuf,
        /// Case handling.
        #[arg(long, default_value = "case-insensitive", value_parser = parse_mode)]
        mode: MatchMode,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Connection data files.
        #[arg(required = true)]
        data: Vec<PathBuf>,
    },
    /// Rebuild the TCP/UDP connections of a pcap or pcapng capture, apply the window rules
    /// (10 packets / 2 KB) and print which pattern each connection matched.
    Pcap {
        /// A directory of `.pat` files, an `.rsc` export, or a pattern file.
        #[arg(long)]
        patterns: PathBuf,
        /// Case handling.
        #[arg(long, default_value = "case-insensitive", value_parser = parse_mode)]
        mode: MatchMode,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Only print the summary, not the per-connection table.
        #[arg(long)]
        summary_only: bool,
        /// Most connections tracked at once; later ones are counted as untracked.
        #[arg(long, default_value_t = 1_000_000)]
        max_flows: usize,
        /// Stop after this many packets (default: read the whole capture).
        #[arg(long)]
        max_packets: Option<u64>,
        /// The capture file.
        capture: PathBuf,
    },
}

fn parse_mode(s: &str) -> Result<MatchMode, String> {
    s.parse()
        .map_err(|e: l7_patterns::ParseModeError| e.to_string())
}

/// Runs a `rosctl l7` subcommand.
pub async fn run(cmd: Cmd) -> anyhow::Result<ExitCode> {
    // All of this is CPU-bound file work.
    tokio::task::spawn_blocking(move || run_blocking(cmd)).await?
}

fn run_blocking(cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        Cmd::Lint { format, files } => run_lint(format, &files),
        Cmd::Match {
            pattern,
            pattern_file,
            mode,
            format,
            data,
        } => {
            let src = match (pattern, pattern_file) {
                (Some(p), _) => p,
                (None, Some(f)) => single_pattern(&f)?,
                (None, None) => anyhow::bail!("give --pattern or --pattern-file"),
            };
            let matcher = Matcher::from_pattern(&src, mode).map_err(|e| anyhow::anyhow!("{e}"))?;
            for path in &data {
                let collected = read_collected(path)?;
                let hit = matcher.is_match(&collected);
                match format {
                    Format::Text => writeln!(
                        out,
                        "{}: {}",
                        path.display(),
                        if hit { "match" } else { "no match" }
                    )?,
                    Format::Json => writeln!(
                        out,
                        "{}",
                        json!({"file": path.display().to_string(), "match": hit})
                    )?,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Classify {
            patterns,
            mode,
            format,
            data,
        } => {
            let set = load_set(&patterns, mode)?;
            for path in &data {
                let collected = read_collected(path)?;
                let names = set.names_of(&set.matches(&collected));
                match format {
                    Format::Text if names.is_empty() => {
                        writeln!(out, "{}: unknown", path.display())?
                    }
                    Format::Text => writeln!(out, "{}: {}", path.display(), names.join(", "))?,
                    Format::Json => writeln!(
                        out,
                        "{}",
                        json!({"file": path.display().to_string(), "matches": names})
                    )?,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Pcap {
            patterns,
            mode,
            format,
            summary_only,
            max_flows,
            max_packets,
            capture,
        } => {
            let set = load_set(&patterns, mode)?;
            let mut limits = Limits::default();
            limits.max_flows(max_flows);
            if let Some(n) = max_packets {
                limits.max_packets(n);
            }
            run_pcap(Arc::new(set), &capture, &limits, format, summary_only)
        }
    }
}

/// Loads a pattern set, refusing patterns that do not parse (with the caret rendering).
fn load_set(path: &Path, mode: MatchMode) -> anyhow::Result<PatternSet> {
    let pats =
        load_path(path).with_context(|| format!("loading patterns from {}", path.display()))?;
    if pats.is_empty() {
        anyhow::bail!("{}: no patterns found", path.display());
    }
    PatternSet::new(pats, mode).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The one pattern of a pattern file.
fn single_pattern(path: &Path) -> anyhow::Result<String> {
    if path.extension().is_some_and(|e| e == "pat") {
        return Ok(PatFile::read(path)?.pattern);
    }
    let mut pats = load_path(path)?;
    match pats.len() {
        1 => Ok(pats.remove(0).pattern),
        0 => anyhow::bail!("{}: no pattern found", path.display()),
        n => anyhow::bail!(
            "{}: {n} patterns found; `match` takes one (use `classify` for many)",
            path.display()
        ),
    }
}

/// Reads a connection data file as the matcher would collect it: NULs removed, first 2 KB kept
/// (reading stops there).
fn read_collected(path: &Path) -> anyhow::Result<Vec<u8>> {
    let max = Window::default().max_bytes;
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut out = Vec::with_capacity(max);
    let mut chunk = [0u8; 4096];
    while out.len() < max {
        let n = file
            .read(&mut chunk)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        let room = max - out.len();
        out.extend(chunk.iter().take(n).copied().filter(|b| *b != 0).take(room));
    }
    Ok(out)
}

fn run_lint(format: Format, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let (mut patterns, mut errors, mut warnings) = (0usize, 0usize, 0usize);
    for file in files {
        let pats: Vec<NamedPattern> =
            load_path(file).with_context(|| format!("loading patterns from {}", file.display()))?;
        for p in pats {
            patterns += 1;
            let diags = lint(&p.pattern);
            errors += diags.iter().filter(|d| d.is_error()).count();
            warnings += diags
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            match format {
                Format::Text => {
                    for d in &diags {
                        writeln!(
                            out,
                            "{}: {}: {}\n",
                            file.display(),
                            p.name,
                            d.render(&p.pattern)
                        )?;
                    }
                }
                Format::Json => {
                    let ds: Vec<_> = diags
                        .iter()
                        .map(|d| {
                            json!({
                                "severity": d.severity.as_str(),
                                "code": d.code,
                                "span": [d.span.start, d.span.end],
                                "message": d.message,
                                "fix": d.fix,
                                "fixed": d.apply_fix(&p.pattern),
                            })
                        })
                        .collect();
                    writeln!(
                        out,
                        "{}",
                        json!({"file": file.display().to_string(), "name": p.name, "pattern": p.pattern, "diagnostics": ds})
                    )?;
                }
            }
        }
    }
    if format == Format::Text {
        writeln!(
            out,
            "{patterns} patterns: {errors} errors, {warnings} warnings"
        )?;
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Captures larger than this get a progress bar.
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

/// `rosctl l7 pcap`: reads the capture (with a progress bar when it is large), then prints
/// the connection table and the summary.
fn run_pcap(
    set: Arc<PatternSet>,
    path: &Path,
    limits: &Limits,
    format: Format,
    summary_only: bool,
) -> anyhow::Result<ExitCode> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if len >= PROGRESS_MIN_BYTES {
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let read =
        l7_patterns::pcap::flows_from_reader(BufReader::new(bar.wrap_read(file)), &set, limits);
    bar.finish_and_clear();
    let flows = read.map_err(|e| match e {
        PcapError::Io(e) => anyhow::anyhow!("cannot read {}: {e}", path.display()),
        e => anyhow::anyhow!("{}: not a valid capture: {e}", path.display()),
    })?;
    let stats = &flows.stats;
    if stats.truncated {
        eprintln!(
            "warning: {}: the capture ends inside a packet record; the packets before it were read",
            path.display()
        );
    }
    if stats.packet_limit_reached {
        eprintln!(
            "warning: {}: stopped after {} packets (--max-packets)",
            path.display(),
            stats.frames
        );
    }
    report(&flows, format, summary_only)?;
    Ok(ExitCode::SUCCESS)
}

fn verdict_text(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Matched(_) => "matched",
        Verdict::Unknown => "unknown",
        _ => "undecided",
    }
}

fn report(flows: &Flows, format: Format, summary_only: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut per_name: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut matched, mut unknown, mut undecided) = (0usize, 0usize, 0usize);
    if format == Format::Text && !summary_only {
        writeln!(
            out,
            "{:>5}  {:<5} {:<45} {:<45} {:>7} {:>10}  RESULT",
            "#", "PROTO", "ORIGINATOR", "RESPONDER", "PACKETS", "BYTES"
        )?;
    }
    for (i, c) in flows.connections.iter().enumerate() {
        let verdict = verdict_text(&c.verdict());
        let names = c.matched_names();
        match verdict {
            "matched" => matched += 1,
            "unknown" => unknown += 1,
            _ => undecided += 1,
        }
        for n in &names {
            *per_name.entry(n).or_default() += 1;
        }
        if summary_only {
            continue;
        }
        match format {
            Format::Text => {
                let result = if names.is_empty() {
                    verdict.to_owned()
                } else {
                    names.join(", ")
                };
                writeln!(
                    out,
                    "{:>5}  {:<5} {:<45} {:<45} {:>7} {:>10}  {result}",
                    i + 1,
                    c.transport.as_str(),
                    c.originator.to_string(),
                    c.responder.to_string(),
                    c.flow.packets(),
                    c.flow.bytes(),
                )?;
            }
            Format::Json => writeln!(
                out,
                "{}",
                json!({
                    "proto": c.transport.as_str(),
                    "originator": c.originator.to_string(),
                    "responder": c.responder.to_string(),
                    "packets": c.flow.packets(),
                    "bytes": c.flow.bytes(),
                    "verdict": verdict,
                    "matches": names,
                })
            )?,
        }
    }
    let stats = &flows.stats;
    match format {
        Format::Text => {
            let by_name: Vec<String> = per_name.iter().map(|(n, k)| format!("{n}: {k}")).collect();
            writeln!(
                out,
                "{} connections: {matched} matched{}, {unknown} unknown, {undecided} undecided (capture ended inside the window)",
                flows.connections.len(),
                if by_name.is_empty() { String::new() } else { format!(" ({})", by_name.join(", ")) },
            )?;
            writeln!(
                out,
                "{} TCP/UDP packets, {} other packets skipped, {} packets of untracked connections",
                stats.packets, stats.skipped, stats.untracked
            )?;
        }
        Format::Json => writeln!(
            out,
            "{}",
            json!({"summary": {
                "connections": flows.connections.len(),
                "matched": matched,
                "unknown": unknown,
                "undecided": undecided,
                "by_pattern": per_name,
                "packets": stats.packets,
                "skipped": stats.skipped,
                "untracked": stats.untracked,
                "truncated": stats.truncated,
            }})
        )?,
    }
    Ok(())
}
