//! `noc`: the web dashboard for MikroTik RouterOS networks.
//!
//! `noc [--config noc.toml] [--listen 127.0.0.1:8080] [--data-dir DIR] [--console-bot]`
//! `noc reset-password USER [--data-dir DIR]`
//! `noc billing run [--as-of YYYY-MM-DD] [--dry-run] [--data-dir DIR] [--config noc.toml]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Web dashboard for MikroTik RouterOS networks: live queues, bandwidth and Layer 7 activity.
#[derive(Debug, Parser)]
#[command(name = "noc", version)]
struct Args {
    /// Routers and settings (TOML). Without routers, an embedded simulator is started.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to serve the dashboard on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the database and the encryption key live.
    #[arg(long, default_value = "./noc-data")]
    data_dir: PathBuf,
    /// The first admin's password (only used when no user exists yet).
    #[arg(long, env = "NOC_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Require this bearer token on /metrics.
    #[arg(long, env = "NOC_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// The address people use to reach noc (`https://...` marks cookies `Secure`).
    #[arg(long)]
    public_url: Option<String>,
    /// A reverse proxy whose `X-Forwarded-For` names the client (repeatable).
    #[arg(long)]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Run the chat bot on stdin/stdout (type `/status`) instead of waiting for Ctrl-C.
    #[arg(long)]
    console_bot: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Sets a new random password for USER and prints it (works while noc runs; the user's
    /// sessions end). The way back in when the admin password is lost.
    ResetPassword {
        /// The user name (`admin` for the first admin).
        user: String,
    },
    /// Billing: `noc billing run [--as-of YYYY-MM-DD] [--dry-run]`.
    Billing {
        #[command(subcommand)]
        command: BillingCmd,
    },
}

#[derive(Debug, clap::Subcommand)]
enum BillingCmd {
    /// Runs the billing cycle once (invoices, reminders, isolation, restore) and prints what
    /// it did; `[billing]` settings come from `--config`. Safe to repeat and to run while noc
    /// runs.
    Run {
        /// Run as of this date (catch up a missed day), default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Show what would be done; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Waits for Ctrl-C or, on Unix, SIGTERM (what `systemctl stop` and `docker stop` send).
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}

async fn run(args: Args) -> anyhow::Result<()> {
    if let Some(Cmd::ResetPassword { user }) = &args.command {
        let password = noc::reset_password(&args.data_dir, user)?;
        println!("New password for {user}: {password}");
        println!("(Their sessions have ended; change it on the Users page after logging in.)");
        return Ok(());
    }
    if let Some(Cmd::Billing {
        command: BillingCmd::Run { as_of, dry_run },
    }) = &args.command
    {
        let settings = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                let file: noc::FileConfig = text
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                file.billing
            }
            None => noc::billing::Settings::default(),
        };
        let as_of = match as_of {
            Some(d) => Some(
                d.parse()
                    .map_err(|_| anyhow::anyhow!("--as-of {d:?}: use YYYY-MM-DD"))?,
            ),
            None => None,
        };
        print!(
            "{}",
            noc::billing_run(&args.data_dir, &settings, as_of, *dry_run).await?
        );
        return Ok(());
    }
    let mut options = noc::Options::new(&args.data_dir);
    options.listen(args.listen);
    if let Some(p) = args.admin_password {
        options.admin_password(p);
    }
    if let Some(t) = args.metrics_token {
        options.metrics_token(t);
    }
    if let Some(u) = args.public_url {
        options.public_url(u);
    }
    for p in args.trusted_proxy {
        options.trusted_proxy(p);
    }
    let mut file_config = noc::FileConfig::default();
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let file: noc::FileConfig = text
            .parse()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        file_config = file.clone();
        options.file_config(file);
    }
    let app = noc::Noc::start(options).await?;
    let mut monitor_options = noc::alerts::MonitorOptions::new(&args.data_dir);
    monitor_options.rules(file_config.rules.clone());
    if let Some(s) = file_config.poll_interval_secs {
        monitor_options.scan_interval(std::time::Duration::from_secs(s.max(1)));
    }
    let telegram = file_config.telegram.clone().or_else(|| {
        std::env::var_os("TELEGRAM_BOT_TOKEN").map(|_| noc::alerts::TelegramConfig::default())
    });
    if let Some(t) = &telegram {
        if t.resolve_token().is_some() {
            println!("noc: Telegram alerts and bot enabled");
        }
        monitor_options.telegram(t.clone());
    }
    monitor_options.sales_summary(file_config.hotspot.summary_at()?);
    if let Some(w) = &file_config.whatsapp {
        monitor_options.whatsapp(w.clone());
    }
    let mut monitor = noc::alerts::Monitor::start(app.state().clone(), monitor_options).await?;
    if let Some(w) = monitor.whatsapp() {
        println!("noc: WhatsApp alerts enabled");
        if w.is_official() {
            println!("noc: WhatsApp commands enabled (webhook at /webhook/whatsapp)");
        }
    }
    // Follows the WhatsApp settings (noc.toml, or the Settings page) as they change.
    let bot = noc::chat::whatsapp::start(app.state().clone(), &monitor);
    monitor.attach(bot);
    if let Some(t) = &telegram {
        if let Some(bot) = noc::chat::telegram::start(app.state().clone(), &monitor, t) {
            monitor.attach(bot);
        }
    }
    let billing = tokio::spawn(noc::billing::run::daily(
        app.state().store.clone(),
        app.state().hub.clone(),
        app.state().billing.clone(),
        monitor.billing_channels(),
    ));
    monitor.attach(billing);
    let data_dir = std::fs::canonicalize(&args.data_dir).unwrap_or(args.data_dir.clone());
    println!("noc is running.");
    println!("  Dashboard:  http://{}/", app.addr());
    match app.generated_password() {
        Some(p) => {
            println!("  Log in as:  admin / {p}");
            println!("              (shown until the first login; change it on the Users page)");
        }
        None => println!(
            "  Log in as:  your user (lost the password? noc reset-password admin --data-dir {})",
            data_dir.display()
        ),
    }
    println!(
        "  Data:       {} (database and keys; private, back it up)",
        data_dir.display()
    );
    if let Some(sim) = app.state().hub.routers().iter().find(|r| r.embedded) {
        println!(
            "  Router:     none configured; showing the built-in simulator at {} (add routers in noc.toml, see the README)",
            sim.address
        );
    }
    println!(
        "  Stop:       {}",
        if args.console_bot { "Ctrl-D" } else { "Ctrl-C" }
    );
    if args.console_bot {
        let ops = noc::chat::ChatOps::new(
            app.state().clone(),
            monitor.tg_store().clone(),
            monitor.rule_names(),
        )
        .with_utc_offset(telegram.as_ref().map_or(0, |t| t.offset_minutes()));
        let stdin = tokio::io::BufReader::new(tokio::io::stdin());
        noc::chat::run_console(ops, stdin, tokio::io::stdout()).await?;
    } else {
        stop_signal().await?;
    }
    println!("noc: stopping");
    monitor.shutdown().await;
    app.shutdown().await;
    Ok(())
}

fn main() -> ExitCode {
    use std::io::IsTerminal;
    // Logs are for operators: on stderr, in colour only on a terminal; stdout stays for people.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("noc: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("noc: {e}");
            ExitCode::FAILURE
        }
    }
}
