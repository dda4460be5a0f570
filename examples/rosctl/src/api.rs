//! `rosctl api` (being built).

use std::process::ExitCode;

/// Arguments of `rosctl api`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args, _router: &crate::router::RouterArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rosctl api` is not available yet")
}
