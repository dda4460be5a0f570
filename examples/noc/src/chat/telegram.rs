//! The Telegram channel: long polling through tg-notify, allow-listed chats and users, replies
//! split to Telegram's size and sent with flood-control retries.

use std::sync::Arc;
use std::time::Duration;

use tg_notify::{ParseMode, SendMessage};
use tokio::task::JoinHandle;

use super::{Caller, ChatOps};
use crate::alerts::{Monitor, TelegramConfig};
use crate::app::AppState;
use crate::i18n::Lang;
use crate::storage::TgStore;
use crate::tr;

/// Starts answering commands on Telegram when `cfg` has a token; `None` otherwise. The bot
/// shares the monitor's Telegram database (update offset, mutes).
pub fn start(
    state: Arc<AppState>,
    monitor: &Monitor,
    cfg: &TelegramConfig,
) -> Option<JoinHandle<()>> {
    let token = cfg.resolve_token()?;
    let bot = tg_notify::Bot::new(token);
    let bot = match &cfg.api_url {
        Some(u) => bot.with_api_url(u.clone()),
        None => bot,
    };
    let tg = monitor.tg_store().clone();
    let ops =
        ChatOps::new(state, tg.clone(), monitor.rule_names()).with_utc_offset(cfg.offset_minutes());
    Some(tokio::spawn(run_telegram(ops, bot, cfg.clone(), tg)))
}

/// Runs the bot on Telegram until the token is rejected: registers the command list, answers
/// allow-listed chats and users with their role, refuses strangers politely.
pub async fn run_telegram(ops: ChatOps, bot: tg_notify::Bot, cfg: TelegramConfig, store: TgStore) {
    if let Err(e) = bot
        .set_my_commands(&ChatOps::bot_commands_in(ops.default_lang()))
        .await
    {
        tracing::warn!(error = %e, "setMyCommands failed");
    }
    let username = match bot.get_me().await {
        Ok(me) => me.username.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let mut auth = tg_notify::Authorizer::new();
    for c in &cfg.chats {
        auth.allow_chat(c.id);
    }
    for u in &cfg.users {
        auth.allow_user(u.id);
    }
    let mut updates = match tg_notify::UpdateStream::new(bot.clone(), store) {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the Telegram bot");
            return;
        }
    };
    updates.poll_timeout(25);
    loop {
        let update = match updates.next().await {
            Ok(u) => u,
            Err(e) => {
                tracing::error!(error = %e, "Telegram bot stopped");
                return;
            }
        };
        let Some(msg) = update.message.as_ref() else {
            continue;
        };
        let Some(text) = msg.text.as_deref() else {
            continue;
        };
        let Some(cmd) = tg_notify::parse_command(text) else {
            continue;
        };
        if !username.is_empty() && !cmd.is_for(&username) {
            continue;
        }
        let user = msg.from.as_ref().map(|u| u.id);
        // The chat's language (a group has one), not the user's.
        let chat_key = format!("telegram:{}", msg.chat.id);
        let lang = ops.lang_for(&chat_key, cfg.language_of(msg.chat.id));
        let role = cfg.role_of(msg.chat.id, user);
        let (Some(role), true) = (role, auth.check(msg).is_allowed()) else {
            let _ = bot.send_message(&refusal(lang, msg.chat.id, user)).await;
            continue;
        };
        let caller = Caller::new(format!("telegram:{}", user.unwrap_or(msg.chat.id)), role)
            .with_chat(chat_key)
            .with_lang(lang);
        let ops = ops.clone();
        let bot = bot.clone();
        let chat = msg.chat.id;
        let text = text.to_owned();
        tokio::spawn(async move {
            let Some(reply) = ops.handle(&caller, &text).await else {
                return;
            };
            for part in tg_notify::split(&reply, ParseMode::Html) {
                let mut m = SendMessage::new(chat, part);
                m.parse_mode(ParseMode::Html).disable_link_preview();
                if let Err(e) = send_reply(&bot, &m).await {
                    tracing::warn!(error = %e, "could not send a bot reply");
                    break;
                }
            }
        });
    }
}

/// What a stranger reads, with the ids an admin needs to allow them.
fn refusal(lang: Lang, chat: i64, user: Option<i64>) -> SendMessage {
    let user = user.map_or(String::new(), |u| {
        tr!(lang, "chat-refusal-user", id = u.to_string())
    });
    SendMessage::new(
        chat,
        tr!(
            lang,
            "chat-tg-refusal",
            chat = chat.to_string(),
            user = user
        ),
    )
}

/// Sends a reply, waiting out flood control (`retry_after`) and brief outages a few times.
async fn send_reply(bot: &tg_notify::Bot, m: &SendMessage) -> Result<(), tg_notify::Error> {
    let mut attempt = 0u32;
    loop {
        match bot.send_message(m).await {
            Ok(_) => return Ok(()),
            Err(tg_notify::Error::RetryAfter(d)) if attempt < 5 => {
                tokio::time::sleep(d.min(Duration::from_secs(60))).await;
            }
            Err(e) if attempt < 3 && e.is_transient() => {
                tracing::debug!(error = %e, "reply failed; retrying");
                tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}
