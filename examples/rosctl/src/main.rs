//! `rosctl`: the command-line tool for MikroTik RouterOS.
//!
//! Subcommands: `api` (API console), `l7` (Layer 7 patterns), `queue` (simple queues),
//! `hotspot` (vouchers, sales reports, profiles), `notify` (Telegram, WhatsApp Cloud API,
//! WhatsApp HTTP gateways).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod api;
mod hotspot;
mod l7;
mod notify;
mod queue;
mod router;

/// Command-line tool for MikroTik RouterOS networks.
#[derive(Debug, Parser)]
#[command(name = "rosctl", version, about)]
struct Cli {
    #[command(flatten)]
    router: router::RouterArgs,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Send API commands to a router and print the replies.
    Api(api::Args),
    /// Lint, match and classify Layer 7 patterns, offline.
    #[command(subcommand)]
    L7(l7::Cmd),
    /// Lint, plan, apply and simulate simple queues.
    #[command(subcommand)]
    Queue(queue::Cmd),
    /// Hotspot vouchers (MIKHMON-compatible), sales reports and profiles.
    #[command(subcommand)]
    Hotspot(hotspot::Cmd),
    /// Send messages to a Telegram chat or a WhatsApp number.
    Notify(notify::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Api(args) => api::run(args, &cli.router).await,
        Cmd::L7(cmd) => l7::run(cmd).await,
        Cmd::Queue(cmd) => queue::run(cmd, &cli.router).await,
        Cmd::Hotspot(cmd) => hotspot::run(cmd, &cli.router).await,
        Cmd::Notify(args) => notify::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rosctl: {e:#}");
            ExitCode::from(2)
        }
    }
}
