//! `rosctl queue` (being built).

use std::process::ExitCode;

/// Subcommands of `rosctl queue`.
#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Not available yet.
    Lint,
}

pub async fn run(_cmd: Cmd, _router: &crate::router::RouterArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rosctl queue` is not available yet")
}
