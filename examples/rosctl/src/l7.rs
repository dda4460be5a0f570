//! `rosctl l7` (being built).

use std::process::ExitCode;

/// Subcommands of `rosctl l7`.
#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Not available yet.
    Lint,
}

pub async fn run(_cmd: Cmd) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rosctl l7` is not available yet")
}
