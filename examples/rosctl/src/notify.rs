//! `rosctl notify`: send messages to a Telegram chat or a WhatsApp number, paced to the
//! service's limits, through the tg-notify outbox.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tg_notify::{
    Alert, Bot, ChatId, Error, Failure, MemoryStore, Notifier, NotifierConfig, ParseMode,
    DEFAULT_API_URL,
};
use wa_notify::gateway::{GatewayConfig, GatewayTransport};
use wa_notify::{
    CloudApi, CloudConfig, CloudTransport, PhoneNumber, TemplateConfig, Token, DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
};

/// Largest standard input read (bytes).
const MAX_STDIN: u64 = 64 * 1024 * 1024;

/// Print progress on stderr from this many messages on.
const PROGRESS_FROM: usize = 20;

/// Where messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Channel {
    /// A Telegram chat (`--chat`), token in `TELEGRAM_BOT_TOKEN`.
    Telegram,
    /// A WhatsApp number through the official Cloud API (`--to`), token in `WHATSAPP_TOKEN`.
    Whatsapp,
    /// A WhatsApp number through an unofficial HTTP gateway (`--gateway-config`, `--to`).
    Gateway,
}

/// Arguments of `rosctl notify`.
///
/// Tokens are read from the environment (`TELEGRAM_BOT_TOKEN`, `WHATSAPP_TOKEN`; `${VAR}` in a
/// gateway file), never from the command line (where `ps` would show them).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Channel: telegram, whatsapp (Cloud API) or gateway (unofficial HTTP gateway).
    #[arg(long, value_enum, default_value = "telegram")]
    channel: Channel,
    /// Telegram: target chat, a numeric id (negative for groups) or @channelusername.
    #[arg(long, allow_hyphen_values = true)]
    chat: Option<ChatId>,
    /// WhatsApp and gateway: the recipient's number with country code (+62 812-3456-7890).
    #[arg(long)]
    to: Option<String>,
    /// API base URL: a local Bot API server, or a proxy in front of the Cloud API.
    #[arg(long)]
    api_url: Option<String>,
    /// WhatsApp: Graph API version.
    #[arg(long, default_value = DEFAULT_API_VERSION)]
    api_version: String,
    /// WhatsApp: the business number's phone number id.
    #[arg(long, env = "WHATSAPP_PHONE_NUMBER_ID")]
    phone_number_id: Option<String>,
    /// WhatsApp: approved template (one body parameter) sent when the 24-hour window is closed.
    #[arg(long, requires = "template_lang")]
    template: Option<String>,
    /// WhatsApp: language code of the template (id, en_US).
    #[arg(long, requires = "template")]
    template_lang: Option<String>,
    /// WhatsApp: send text first even to a number not known to have written in the last 24
    /// hours, and fall back to the template when WhatsApp refuses it.
    #[arg(long)]
    try_text_first: bool,
    /// WhatsApp and gateway: least seconds between two messages to the number.
    #[arg(long)]
    pair_interval: Option<f64>,
    /// Gateway: the TOML file describing the gateway.
    #[arg(long)]
    gateway_config: Option<PathBuf>,
    /// Telegram: how the text is parsed: plain, html or markdownv2.
    #[arg(long, default_value = "plain")]
    parse_mode: ParseMode,
    /// Telegram: send without notification sound.
    #[arg(long)]
    silent: bool,
    /// With stdin input, send one message per blank-line-separated block instead of per line.
    #[arg(long)]
    paragraphs: bool,
    /// Telegram: forum topic (message_thread_id).
    #[arg(long)]
    thread: Option<i64>,
    /// The message; without it, messages are read from standard input.
    message: Vec<String>,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("rosctl notify: error: {msg}");
    ExitCode::FAILURE
}

/// Splits standard input into messages: one per non-empty line, or per paragraph.
fn messages_from(input: &str, paragraphs: bool) -> Vec<String> {
    if paragraphs {
        let mut out = Vec::new();
        let mut cur = String::new();
        for line in input.lines() {
            if line.trim().is_empty() {
                if !cur.trim().is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            } else {
                if !cur.is_empty() {
                    cur.push('\n');
                }
                cur.push_str(line);
            }
        }
        if !cur.trim().is_empty() {
            out.push(cur);
        }
        out
    } else {
        input
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn env_token(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Reads the messages: the argument, or standard input split into lines or paragraphs.
fn read_messages(args: &Args) -> anyhow::Result<Result<Vec<String>, String>> {
    let messages = if args.message.is_empty() {
        let mut input = String::new();
        let n = std::io::stdin()
            .take(MAX_STDIN + 1)
            .read_to_string(&mut input)
            .context("reading standard input")?;
        if u64::try_from(n).unwrap_or(u64::MAX) > MAX_STDIN {
            return Ok(Err(format!(
                "standard input is larger than {MAX_STDIN} bytes"
            )));
        }
        messages_from(&input, args.paragraphs)
    } else {
        vec![args.message.join(" ")]
    };
    if messages.is_empty() {
        return Ok(Err("nothing to send (empty message)".into()));
    }
    Ok(Ok(messages))
}

/// A notifier ready to take the messages, and the recipient.
struct Started {
    notifier: Notifier,
    to: ChatId,
    channel: Channel,
}

fn base_config(n: usize) -> NotifierConfig {
    let mut cfg = NotifierConfig::default();
    cfg.capacity(n.saturating_add(16))
        .backoff(Duration::from_millis(500), Duration::from_secs(30))
        .unauthorized_wait(Duration::from_secs(3600));
    cfg
}

async fn start_telegram(args: &Args, n: usize) -> anyhow::Result<Result<Started, String>> {
    let Some(chat) = args.chat.clone() else {
        return Ok(Err("--chat is required with --channel telegram".into()));
    };
    let Some(token) = env_token("TELEGRAM_BOT_TOKEN") else {
        return Ok(Err("set TELEGRAM_BOT_TOKEN to the bot token".into()));
    };
    let api_url = args.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
    let bot = Bot::new(token).with_api_url(api_url);
    match bot.get_me().await {
        Ok(_) => {}
        Err(Error::Unauthorized(_)) => {
            return Ok(Err(
                "Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)".into(),
            ))
        }
        Err(e) => return Ok(Err(format!("cannot reach the Bot API at {api_url}: {e}"))),
    }
    let notifier = Notifier::start(bot, MemoryStore::new(), base_config(n))?;
    Ok(Ok(Started {
        notifier,
        to: chat,
        channel: Channel::Telegram,
    }))
}

fn parse_to(args: &Args) -> Result<PhoneNumber, String> {
    let Some(to) = &args.to else {
        return Err("--to NUMBER is required with --channel whatsapp or gateway".into());
    };
    to.parse::<PhoneNumber>().map_err(|e| e.to_string())
}

fn pair_interval(args: &Args) -> Result<Option<Duration>, String> {
    match args.pair_interval {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(format!(
            "--pair-interval {s}: expected seconds between 0 and 3600"
        )),
    }
}

fn start_whatsapp(args: &Args, n: usize) -> anyhow::Result<Result<Started, String>> {
    let to = match parse_to(args) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let Some(token) = env_token("WHATSAPP_TOKEN") else {
        return Ok(Err(
            "set WHATSAPP_TOKEN to the Cloud API access token".into()
        ));
    };
    let Some(pnid) = args
        .phone_number_id
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    else {
        return Ok(Err(
            "--phone-number-id (or WHATSAPP_PHONE_NUMBER_ID) is required with --channel whatsapp"
                .into(),
        ));
    };
    let pair = match pair_interval(args) {
        Ok(p) => p.unwrap_or(wa_notify::PAIR_INTERVAL),
        Err(e) => return Ok(Err(e)),
    };
    let api = CloudApi::builder(Token::new(token), pnid)
        .base_url(args.api_url.as_deref().unwrap_or(DEFAULT_BASE_URL))
        .api_version(&args.api_version)
        .build();
    let mut cloud = CloudConfig::default();
    cloud.assume_open_when_unknown(args.try_text_first);
    if let (Some(name), Some(lang)) = (&args.template, &args.template_lang) {
        cloud.template(TemplateConfig::new(name, lang));
    }
    let transport = CloudTransport::new(api, cloud);
    let mut cfg = base_config(n);
    cfg.limits(wa_notify::limits(pair, wa_notify::DEFAULT_GLOBAL_RATE));
    let notifier = Notifier::with_transport(transport, MemoryStore::new(), cfg)?;
    Ok(Ok(Started {
        notifier,
        to: (&to).into(),
        channel: Channel::Whatsapp,
    }))
}

fn start_gateway(args: &Args, n: usize) -> anyhow::Result<Result<Started, String>> {
    let Some(path) = &args.gateway_config else {
        return Ok(Err(
            "--gateway-config FILE is required with --channel gateway".into(),
        ));
    };
    let to = match parse_to(args) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let mut gw = match GatewayConfig::load(path) {
        Ok(g) => g,
        Err(e) => return Ok(Err(format!("{}: {e}", path.display()))),
    };
    match pair_interval(args) {
        Ok(Some(p)) => gw.per_recipient_interval = p,
        Ok(None) => {}
        Err(e) => return Ok(Err(e)),
    }
    let mut cfg = base_config(n);
    cfg.limits(gw.limits());
    let notifier = Notifier::with_transport(GatewayTransport::new(gw), MemoryStore::new(), cfg)?;
    Ok(Ok(Started {
        notifier,
        to: (&to).into(),
        channel: Channel::Gateway,
    }))
}

/// One line describing why a message was given up.
fn describe(f: &Failure, channel: Channel) -> String {
    match channel {
        Channel::Telegram => {
            if f.unauthorized {
                "Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)".to_owned()
            } else if f.reason.contains("chat not found") {
                format!(
                    "unknown chat {} (the bot must be a member; check --chat)",
                    f.chat
                )
            } else if f.reason.contains("blocked") || f.reason.contains("kicked") {
                format!(
                    "chat {}: the bot was blocked or removed ({})",
                    f.chat, f.reason
                )
            } else {
                format!("chat {}: {}", f.chat, f.reason)
            }
        }
        Channel::Whatsapp | Channel::Gateway => {
            if f.unauthorized {
                f.reason.clone()
            } else {
                format!("to {}: {}", f.chat, f.reason)
            }
        }
    }
    .replace('\n', " ")
}

/// Runs `rosctl notify`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    // check the channel's own arguments before reading standard input
    let early = match args.channel {
        Channel::Telegram if args.chat.is_none() => {
            Some("--chat is required with --channel telegram")
        }
        Channel::Whatsapp | Channel::Gateway if args.to.is_none() => {
            Some("--to NUMBER is required with --channel whatsapp or gateway")
        }
        _ => None,
    };
    if let Some(e) = early {
        return Ok(fail(e));
    }
    let messages = match read_messages(&args)? {
        Ok(m) => m,
        Err(e) => return Ok(fail(e)),
    };
    let started = match args.channel {
        Channel::Telegram => start_telegram(&args, messages.len()).await?,
        Channel::Whatsapp => start_whatsapp(&args, messages.len())?,
        Channel::Gateway => start_gateway(&args, messages.len())?,
    };
    let Started {
        notifier,
        to,
        channel,
    } = match started {
        Ok(s) => s,
        Err(e) => return Ok(fail(e)),
    };
    let total = messages.len();
    for text in messages {
        let mut alert = Alert::new(to.clone(), text);
        if channel == Channel::Telegram {
            alert.parse_mode(args.parse_mode).silent(args.silent);
            if let Some(t) = args.thread {
                alert.thread(t);
            }
        }
        notifier.enqueue(alert)?;
    }

    let progress = total >= PROGRESS_FROM;
    loop {
        let done = tokio::time::timeout(Duration::from_secs(1), notifier.wait_idle()).await;
        let failures = notifier.take_failures();
        if let Some(f) = failures.first() {
            let what = describe(f, channel);
            let left = notifier.len();
            notifier.shutdown().await;
            let suffix = if left > 0 {
                format!("; {left} message(s) not sent")
            } else {
                String::new()
            };
            return Ok(fail(format!("{what}{suffix}")));
        }
        let left = notifier.len();
        if done.is_ok() {
            if progress {
                eprintln!("rosctl notify: {total}/{total} messages sent");
            }
            break;
        }
        if progress {
            eprintln!(
                "rosctl notify: {}/{total} messages sent",
                total.saturating_sub(left)
            );
        }
    }
    let m = notifier.metrics();
    notifier.shutdown().await;
    if m.failed > 0 {
        return Ok(fail(format!(
            "{} message(s) could not be delivered",
            m.failed
        )));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::messages_from;

    #[test]
    fn stdin_is_split_into_lines_or_paragraphs() {
        let input = "a\n\n  \nb\nc\n\n\nd\n";
        assert_eq!(messages_from(input, false), vec!["a", "b", "c", "d"]);
        assert_eq!(messages_from(input, true), vec!["a", "b\nc", "d"]);
        assert!(messages_from("\n \n", true).is_empty());
    }
}
