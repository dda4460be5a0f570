//! `ros-sim`: serve a simulated RouterOS router until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use ros_sim::{DateTime, SimConfig, Simulator, Version};

/// A RouterOS API simulator: a fake MikroTik router for tests, demos and development.
#[derive(Debug, Parser)]
#[command(name = "ros-sim", disable_version_flag = true)]
struct Args {
    /// Address of the API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8728")]
    listen: SocketAddr,
    /// Also serve API-SSL on this address (needs --cert and --key).
    #[arg(long, requires_all = ["cert", "key"])]
    tls_listen: Option<SocketAddr>,
    /// Certificate chain (PEM) for API-SSL.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Private key (PEM) for API-SSL.
    #[arg(long)]
    key: Option<PathBuf>,
    /// User name the router accepts.
    #[arg(long, default_value = "admin")]
    user: String,
    /// Password the router accepts.
    #[arg(
        long,
        default_value = "",
        env = "ROS_SIM_PASSWORD",
        hide_env_values = true
    )]
    password: String,
    /// RouterOS version to imitate (login method, `!empty` replies).
    #[arg(long, default_value = "7.18.2")]
    version: Version,
    /// Simple queues to create.
    #[arg(long, default_value_t = 6)]
    queues: usize,
    /// LAN hosts generating traffic.
    #[arg(long, default_value_t = 6)]
    hosts: usize,
    /// Seed of the traffic model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// An /export-style configuration to load at start.
    #[arg(long)]
    state: Option<PathBuf>,
    /// The wall clock at start, `YYYY-MM-DD HH:MM:SS` or `mmm/dd/yyyy HH:MM:SS`.
    #[arg(long, value_name = "DATE TIME")]
    clock: Option<DateTime>,
    /// Seconds before a PPPoE client whose session was removed dials again.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    ppp_redial_after: u64,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("ros-sim: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut config = SimConfig::new();
    config
        .listen(args.listen)
        .user(args.user)
        .password(args.password)
        .version(args.version)
        .queues(args.queues)
        .hosts(args.hosts)
        .seed(args.seed)
        .ppp_redial_after(args.ppp_redial_after);
    if let Some(start) = args.clock {
        config.clock(start);
    }
    if let Some(path) = &args.state {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        config.state_rsc(text);
    }
    if let (Some(addr), Some(cert), Some(key)) = (args.tls_listen, &args.cert, &args.key) {
        let cert =
            std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?;
        let key = std::fs::read(key).with_context(|| format!("cannot read {}", key.display()))?;
        config.tls(addr, cert, key);
    }
    let sim = Simulator::start(config).await?;
    println!("listening on {}", sim.addr());
    if let Some(tls) = sim.tls_addr() {
        println!("listening (tls) on {tls}");
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}
