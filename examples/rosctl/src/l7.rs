//! `rosctl l7`: lint Layer 7 patterns, match and classify connection data, classify the flows
//! of a packet capture — all offline, with the router's collection rules.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use l7_patterns::load::{load_path, PatFile};
use l7_patterns::{lint, MatchMode, Matcher, NamedPattern, PatternSet, Severity, Window};
use serde_json::json;

mod pcap;

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
            capture,
        } => {
            let set = load_set(&patterns, mode)?;
            pcap::run(set, &capture, format, summary_only, max_flows)
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
