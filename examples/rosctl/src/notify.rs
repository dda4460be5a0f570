//! `rosctl notify` (being built).

use std::process::ExitCode;

/// Arguments of `rosctl notify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rosctl notify` is not available yet")
}
