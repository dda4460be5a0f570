//! `rosctl notify`: send messages to a Telegram chat, paced to Telegram's limits.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tg_notify::{
    Alert, Bot, ChatId, Error, MemoryStore, Notifier, NotifierConfig, ParseMode, DEFAULT_API_URL,
};

/// Largest standard input read (bytes).
const MAX_STDIN: u64 = 64 * 1024 * 1024;

/// Print progress on stderr from this many messages on.
const PROGRESS_FROM: usize = 20;

/// Arguments of `rosctl notify`.
///
/// The bot token is read from the `TELEGRAM_BOT_TOKEN` environment variable, never from the
/// command line (where `ps` would show it).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Target chat: a numeric id (negative for groups) or @channelusername.
    #[arg(long, allow_hyphen_values = true)]
    chat: ChatId,
    /// Bot API base URL (a local Bot API server).
    #[arg(long, default_value = DEFAULT_API_URL)]
    api_url: String,
    /// How Telegram parses the text: plain, html or markdownv2.
    #[arg(long, default_value = "plain")]
    parse_mode: ParseMode,
    /// Send without notification sound.
    #[arg(long)]
    silent: bool,
    /// With stdin input, send one message per blank-line-separated block instead of per line.
    #[arg(long)]
    paragraphs: bool,
    /// Forum topic (message_thread_id).
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

/// Runs `rosctl notify`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(token) = std::env::var("TELEGRAM_BOT_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    else {
        return Ok(fail("set TELEGRAM_BOT_TOKEN to the bot token"));
    };
    let messages = if args.message.is_empty() {
        let mut input = String::new();
        let n = std::io::stdin()
            .take(MAX_STDIN + 1)
            .read_to_string(&mut input)
            .context("reading standard input")?;
        if u64::try_from(n).unwrap_or(u64::MAX) > MAX_STDIN {
            return Ok(fail(format!(
                "standard input is larger than {MAX_STDIN} bytes"
            )));
        }
        messages_from(&input, args.paragraphs)
    } else {
        vec![args.message.join(" ")]
    };
    if messages.is_empty() {
        return Ok(fail("nothing to send (empty message)"));
    }

    let bot = Bot::new(token.trim()).with_api_url(&args.api_url);
    match bot.get_me().await {
        Ok(_) => {}
        Err(Error::Unauthorized(_)) => {
            return Ok(fail(
                "Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)",
            ))
        }
        Err(e) => {
            return Ok(fail(format!(
                "cannot reach the Bot API at {}: {e}",
                args.api_url
            )))
        }
    }

    let mut cfg = NotifierConfig::default();
    cfg.capacity(messages.len().saturating_add(16))
        .backoff(Duration::from_millis(500), Duration::from_secs(30))
        .unauthorized_wait(Duration::from_secs(3600));
    let notifier = Notifier::start(bot, MemoryStore::new(), cfg)?;
    let total = messages.len();
    for text in messages {
        let mut alert = Alert::new(args.chat.clone(), text);
        alert.parse_mode(args.parse_mode).silent(args.silent);
        if let Some(t) = args.thread {
            alert.thread(t);
        }
        notifier.enqueue(alert)?;
    }

    let progress = total >= PROGRESS_FROM;
    loop {
        let done = tokio::time::timeout(Duration::from_secs(1), notifier.wait_idle()).await;
        let failures = notifier.take_failures();
        if let Some(f) = failures.first() {
            let what = if f.unauthorized {
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
            };
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
