//! `rosctl hotspot`: MIKHMON-compatible voucher batches, sales reports and profiles, over the
//! API of any router.

use std::process::ExitCode;

use queue_model::clock::{Date, MonthKey};
use queue_model::hotspot::mikhmon::{OnLoginHeader, UserMode};
use queue_model::hotspot::ops;
use queue_model::hotspot::report::{Period, Report};
use queue_model::hotspot::voucher::{BatchBuilder, Charset};
use queue_model::{Text, Time};
use routeros_proto::{Attributes, Client, Command};

/// How codes are made (MIKHMON's user modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Voucher: the code is both user name and password.
    #[default]
    Vc,
    /// User name and a numeric password.
    Up,
}

/// Subcommands of `rosctl hotspot`.
#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Generate a batch of vouchers (MIKHMON's codes and batch comment) and add them as
    /// hotspot users.
    Generate(GenerateArgs),
    /// Sales totals per day and per profile from MIKHMON's records (`/system/script` with
    /// comment `mikhmon`), in either date form. Nothing is deleted.
    Report {
        /// Only this day (`2024-07-15` or `jul/15/2024`).
        #[arg(long, conflicts_with = "month")]
        day: Option<Date>,
        /// Only this month (`2024-07`, `jul2024` or `072024`).
        #[arg(long)]
        month: Option<MonthKey>,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// The hotspot user profiles, with MIKHMON's price, selling price and validity.
    Profiles {
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `rosctl hotspot generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The user profile the vouchers get (it must exist on the router).
    #[arg(long)]
    profile: String,
    /// How many (1 to 500).
    #[arg(long)]
    count: usize,
    /// Prefix of every code (up to 6 characters).
    #[arg(long, default_value = "")]
    prefix: String,
    /// Characters after the prefix (3 to 8).
    #[arg(long, default_value_t = 5)]
    length: usize,
    /// `vc`: the code is name and password; `up`: a name and a numeric password.
    #[arg(long, value_enum, default_value_t)]
    mode: Mode,
    /// Characters: lower, upper, upplow, num (vc only), mix, mix1, mix2 (MIKHMON's names).
    #[arg(long, default_value = "lower")]
    charset: Charset,
    /// Online time each voucher may use (`1h`, `30m`, `1d`).
    #[arg(long, value_name = "TIME")]
    limit_uptime: Option<Time>,
    /// Bytes each voucher may transfer (`500M`, `1G`: binary multiples, as MIKHMON counts).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    limit_bytes: Option<u64>,
    /// The hotspot server (default: all).
    #[arg(long)]
    server: Option<String>,
    /// The note at the end of the batch comment (`vc-482-07.15.24-NOTE`).
    #[arg(long, default_value = "")]
    comment: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

/// `500M` → 524,288,000: `k`, `M`, `G` are 1,024, 1,048,576 and 1,073,741,824 (MIKHMON's
/// MB and GB).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let bad = || format!("not a byte count: {s:?} (use digits with an optional k, M or G)");
    let (digits, mult) = if let Some(d) = s.strip_suffix(['k', 'K']) {
        (d, 1u64 << 10)
    } else if let Some(d) = s.strip_suffix(['M', 'm']) {
        (d, 1 << 20)
    } else if let Some(d) = s.strip_suffix(['G', 'g']) {
        (d, 1 << 30)
    } else {
        (s, 1)
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(bad)
}

/// Runs a `rosctl hotspot` subcommand.
pub async fn run(cmd: Cmd, router: &crate::router::RouterArgs) -> anyhow::Result<ExitCode> {
    let client = router.connect().await?;
    match cmd {
        Cmd::Generate(args) => generate(&client, args).await,
        Cmd::Report { day, month, json } => {
            let period = match (day, month) {
                (Some(d), _) => Period::Day(d),
                (None, Some(m)) => Period::Month(m),
                (None, None) => Period::All,
            };
            report(&client, period, json).await
        }
        Cmd::Profiles { json } => profiles(&client, json).await,
    }
}

async fn print(client: &Client, cmd: Command, what: &str) -> anyhow::Result<Vec<Attributes>> {
    client
        .print(cmd)
        .await
        .map_err(|e| anyhow::anyhow!("reading {what}: {e}"))
}

async fn generate(client: &Client, args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let profiles = print(
        client,
        Command::builder("/ip/hotspot/user/profile/print")
            .proplist(["name"])
            .build(),
        "/ip/hotspot/user/profile",
    )
    .await?;
    if !profiles
        .iter()
        .any(|p| p.get("name") == Some(args.profile.as_bytes()))
    {
        anyhow::bail!(
            "no hotspot user profile {:?} on the router (see `rosctl hotspot profiles`)",
            args.profile
        );
    }
    let existing = ops::user_names(client)
        .await
        .map_err(|e| anyhow::anyhow!("reading /ip/hotspot/user: {e}"))?;
    let mode = match args.mode {
        Mode::Vc => UserMode::Voucher,
        Mode::Up => UserMode::UserPassword,
    };
    let date = ops::router_date(client).await;
    let mut builder = BatchBuilder::new(mode, args.count, args.profile.as_str(), date);
    builder
        .charset(args.charset)
        .length(args.length)
        .prefix(args.prefix.as_str())
        .server(args.server.as_deref().map(Text::from))
        .note(args.comment.as_str());
    if let Some(t) = args.limit_uptime {
        builder.limit_uptime(t);
    }
    if let Some(b) = args.limit_bytes {
        builder.limit_bytes_total(b);
    }
    let spec = builder.build()?;
    let batch = spec.generate(&existing, &mut rand::rngs::OsRng)?;

    let bar = indicatif::ProgressBar::new(batch.users.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} adding users")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let outcome = ops::add_users(client, &batch.users, |n| bar.set_position(n as u64)).await;
    let added: Vec<&queue_model::hotspot::HotspotUser> = outcome
        .added
        .iter()
        .filter_map(|i| batch.users.get(*i))
        .collect();
    let failure = outcome.failure;
    bar.finish_and_clear();
    let comment = batch.comment.to_text().to_string_lossy().into_owned();
    if args.json {
        let users: Vec<_> = added
            .iter()
            .map(|u| {
                serde_json::json!({
                    "name": u.name.to_string_lossy(),
                    "password": u.password.expose().to_string_lossy(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "profile": args.profile,
                "comment": comment,
                "mode": mode.code(),
                "limit_uptime": args.limit_uptime.map(|t| t.to_string()),
                "limit_bytes_total": args.limit_bytes,
                "users": users,
            })
        );
    } else {
        for u in &added {
            match mode {
                UserMode::Voucher => println!("{}", u.name.to_string_lossy()),
                _ => println!(
                    "{}\t{}",
                    u.name.to_string_lossy(),
                    u.password.expose().to_string_lossy()
                ),
            }
        }
    }
    match failure {
        None => {
            eprintln!(
                "added {} users with profile {}, comment {comment}",
                added.len(),
                args.profile
            );
            Ok(ExitCode::SUCCESS)
        }
        Some((name, why)) => {
            eprintln!("failed to add {name}: router said: {why}");
            eprintln!(
                "added {} of {} users (comment {comment}); the rest were not sent",
                added.len(),
                batch.users.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}

async fn report(client: &Client, period: Period, json: bool) -> anyhow::Result<ExitCode> {
    let rows = print(
        client,
        Command::builder("/system/script/print")
            .proplist(["name", "comment"])
            .word("?comment=mikhmon")
            .build(),
        "/system/script",
    )
    .await?;
    let r = Report::from_rows(rows.iter(), period);
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        let label = match period {
            Period::All => "all records".to_owned(),
            Period::Day(d) => d.to_string(),
            Period::Month(m) => m.to_string(),
        };
        println!("{label}: {} sold, total {}", r.count, r.total);
        if !r.by_day.is_empty() {
            println!();
            println!("{:<12} {:>6} {:>12}", "DAY", "COUNT", "AMOUNT");
            for (d, t) in &r.by_day {
                println!("{:<12} {:>6} {:>12}", d.to_string(), t.count, t.total);
            }
        }
        if !r.by_profile.is_empty() {
            println!();
            println!("{:<20} {:>6} {:>12}", "PROFILE", "COUNT", "AMOUNT");
            for (p, t) in &r.by_profile {
                println!("{:<20} {:>6} {:>12}", p.escape(), t.count, t.total);
            }
        }
    }
    let skipped = r.skipped_count();
    if skipped > 0 {
        let reasons: Vec<String> = r.skipped.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        eprintln!(
            "skipped {skipped} records that do not parse ({})",
            reasons.join(", ")
        );
        for (at, e) in &r.examples {
            eprintln!("  record {}: {e}", at + 1);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn profiles(client: &Client, json: bool) -> anyhow::Result<ExitCode> {
    let rows = print(
        client,
        Command::new("/ip/hotspot/user/profile/print"),
        "/ip/hotspot/user/profile",
    )
    .await?;
    let text = |r: &Attributes, k: &str| Text::from(r.get(k).unwrap_or_default()).escape();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let header = OnLoginHeader::from_script(r.get("on-login").unwrap_or_default()).ok();
        // RouterOS's default is one user per voucher.
        let shared = r
            .get_str("shared-users")
            .and_then(Result::ok)
            .unwrap_or("1")
            .to_owned();
        out.push(serde_json::json!({
            "name": text(r, "name"),
            "price": header.as_ref().map(|h| h.price.0),
            "selling_price": header.as_ref().map(|h| h.selling_price.0),
            "validity": header.as_ref().and_then(|h| h.validity).map(|v| v.to_string()),
            "expiry_mode": header.as_ref().and_then(|h| h.mode).map(|m| m.code()),
            "mac_lock": header.as_ref().map(|h| h.mac_lock),
            "rate_limit": text(r, "rate-limit"),
            "shared_users": shared,
        }));
    }
    if json {
        println!("{}", serde_json::Value::Array(out));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<20} {:>8} {:>8} {:<9} {:<5} {:<20} SHARED",
        "NAME", "PRICE", "SELLING", "VALIDITY", "MODE", "RATE-LIMIT"
    );
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "-".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    for p in &out {
        println!(
            "{:<20} {:>8} {:>8} {:<9} {:<5} {:<20} {}",
            s(&p["name"]),
            s(&p["price"]),
            s(&p["selling_price"]),
            s(&p["validity"]),
            s(&p["expiry_mode"]),
            s(&p["rate_limit"]),
            s(&p["shared_users"]),
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_counts_as_mikhmon_counts_them() {
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert_eq!(parse_bytes("500M"), Ok(500 * 1_048_576));
        assert_eq!(parse_bytes("2G"), Ok(2 * 1_073_741_824));
        assert_eq!(parse_bytes("64k"), Ok(65_536));
        for bad in ["", "M", "0", "1.5G", "-1", "99999999999999999999G"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }
}
