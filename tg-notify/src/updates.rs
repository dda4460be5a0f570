//! The bot side: long polling, commands and authorisation.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use crate::client::{Bot, GetUpdates};
use crate::error::Error;
use crate::store::Store;
use crate::types::{ChatId, Message, SendMessage, Update};

/// A `/command@botname args` parsed from a message text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Command {
    /// The command without `/`, lowercased.
    pub name: String,
    /// The `@botname` it was addressed to, without `@`.
    pub bot: Option<String>,
    /// Everything after the command, trimmed.
    pub args: String,
}

impl Command {
    /// Whether the command is for the bot named `username` (unaddressed commands are for
    /// every bot).
    pub fn is_for(&self, username: &str) -> bool {
        self.bot
            .as_deref()
            .is_none_or(|b| b.eq_ignore_ascii_case(username.trim_start_matches('@')))
    }

    /// The arguments split on whitespace.
    pub fn arg_list(&self) -> Vec<&str> {
        self.args.split_whitespace().collect()
    }
}

/// Parses `/cmd`, `/cmd args` and `/cmd@botname args`; `None` if `text` is not a command.
///
/// ```
/// let c = tg_notify::parse_command("/status@rosbot router1  ").unwrap();
/// assert_eq!((c.name.as_str(), c.bot.as_deref(), c.args.as_str()), ("status", Some("rosbot"), "router1"));
/// assert!(tg_notify::parse_command("hello /status").is_none());
/// ```
pub fn parse_command(text: &str) -> Option<Command> {
    let rest = text.trim_start().strip_prefix('/')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (head, args) = rest.split_at(end);
    let (name, bot) = match head.split_once('@') {
        Some((n, b)) => (n, Some(b)),
        None => (head, None),
    };
    let valid = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if !valid(name) || bot.is_some_and(|b| !valid(b)) {
        return None;
    }
    Some(Command {
        name: name.to_ascii_lowercase(),
        bot: bot.map(str::to_owned),
        args: args.trim().to_owned(),
    })
}

/// The verdict on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authorization {
    /// The chat or the sender is on the allow-list.
    Allowed,
    /// Neither is: answer with [`Authorizer::refusal`] and do nothing else.
    Denied {
        /// The chat.
        chat: i64,
        /// The sender, if known.
        user: Option<i64>,
    },
}

/// An allow-list of chat ids and user ids. Empty means nobody is allowed.
///
/// ```
/// use tg_notify::{Authorizer, Update};
/// let mut auth = Authorizer::new();
/// auth.allow_user(42);
/// let ok = Update::text_message(1, 42, 42, "/status");
/// let stranger = Update::text_message(2, 7, 7, "/status");
/// assert!(auth.check(ok.message.as_ref().unwrap()).is_allowed());
/// assert!(!auth.check(stranger.message.as_ref().unwrap()).is_allowed());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Authorizer {
    chats: HashSet<i64>,
    users: HashSet<i64>,
}

impl Authorization {
    /// Whether the message may be acted on.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Authorization::Allowed)
    }
}

impl Authorizer {
    /// An empty allow-list (denies everyone).
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows every member of a chat (a group of admins).
    pub fn allow_chat(&mut self, chat: i64) -> &mut Self {
        self.chats.insert(chat);
        self
    }

    /// Allows a user in any chat.
    pub fn allow_user(&mut self, user: i64) -> &mut Self {
        self.users.insert(user);
        self
    }

    /// Checks a message; a denial is logged.
    pub fn check(&self, msg: &Message) -> Authorization {
        let user = msg.from.as_ref().map(|u| u.id);
        if self.chats.contains(&msg.chat.id) || user.is_some_and(|u| self.users.contains(&u)) {
            return Authorization::Allowed;
        }
        tracing::warn!(chat = msg.chat.id, user = ?user, "message from a chat not on the allow-list");
        Authorization::Denied {
            chat: msg.chat.id,
            user,
        }
    }

    /// The polite answer to an unknown chat: it says who to ask and shows the ids an admin
    /// needs to allow it, and nothing else.
    pub fn refusal(&self, msg: &Message) -> SendMessage {
        let user = msg
            .from
            .as_ref()
            .map(|u| format!(", user id {}", u.id))
            .unwrap_or_default();
        SendMessage::new(
            ChatId::Id(msg.chat.id),
            format!(
                "Sorry, this bot only answers the network's administrators. \
                 If you are one, ask to be added (chat id {}{user}).",
                msg.chat.id
            ),
        )
    }
}

/// A long-polling update stream that survives errors and restarts.
///
/// The offset (highest `update_id` handed out plus one) is saved through the [`Store`] as each
/// update is returned, so a restarted stream neither repeats nor skips updates. Network
/// errors, 5xx, flood control and `409 Conflict` are retried with backoff; only an invalid
/// token ends the stream.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use tg_notify::{parse_command, Authorizer, Bot, JsonFileStore, UpdateStream};
/// let bot = Bot::new(std::env::var("TELEGRAM_BOT_TOKEN")?);
/// let mut auth = Authorizer::new();
/// auth.allow_chat(-1001234567890);
/// let mut updates = UpdateStream::new(bot.clone(), JsonFileStore::open("bot-state.jsonl")?)?;
/// loop {
///     let update = updates.next().await?;
///     let Some(msg) = update.message.as_ref() else { continue };
///     if !auth.check(msg).is_allowed() {
///         bot.send_message(&auth.refusal(msg)).await?;
///         continue;
///     }
///     if let Some(cmd) = msg.text.as_deref().and_then(parse_command) {
///         if cmd.is_for("my_noc_bot") && cmd.name == "status" {
///             // answer
///         }
///     }
/// }
/// # }
/// ```
pub struct UpdateStream<S> {
    bot: Bot,
    store: S,
    buffer: VecDeque<Update>,
    offset: Option<i64>,
    timeout: u32,
    allowed_updates: Option<Vec<String>>,
    backoff: Duration,
    max_backoff: Duration,
}

impl<S> std::fmt::Debug for UpdateStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateStream")
            .field("bot", &self.bot)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl<S: Store> UpdateStream<S> {
    /// A stream resuming from the offset saved in `store`.
    pub fn new(bot: Bot, store: S) -> Result<Self, crate::store::StoreError> {
        let offset = store.offset()?;
        Ok(UpdateStream {
            bot,
            store,
            buffer: VecDeque::new(),
            offset,
            timeout: 30,
            allowed_updates: Some(vec!["message".into()]),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        })
    }

    /// Sets the long-polling timeout in seconds (default 30).
    pub fn poll_timeout(&mut self, secs: u32) -> &mut Self {
        self.timeout = secs;
        self
    }

    /// Sets the first and the longest wait after an error.
    pub fn backoff(&mut self, first: Duration, max: Duration) -> &mut Self {
        self.backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    /// Sets `allowed_updates` (default `["message"]`; `None` keeps Telegram's setting).
    pub fn allowed_updates(&mut self, kinds: Option<Vec<String>>) -> &mut Self {
        self.allowed_updates = kinds;
        self
    }

    /// The next `getUpdates` offset.
    pub fn offset(&self) -> Option<i64> {
        self.offset
    }

    /// The next update. Waits (long polling) as long as needed; returns an error only when
    /// the token is rejected.
    pub async fn next(&mut self) -> Result<Update, Error> {
        let mut failures: u32 = 0;
        loop {
            if let Some(u) = self.buffer.pop_front() {
                let next = u.update_id.saturating_add(1);
                if self.offset.is_none_or(|o| next > o) {
                    self.offset = Some(next);
                    if let Err(e) = self.store.set_offset(next) {
                        tracing::error!(error = %e, "could not save the update offset");
                    }
                }
                return Ok(u);
            }
            let mut req = GetUpdates::new(self.offset, self.timeout);
            req.allowed_updates = self.allowed_updates.clone();
            match self.bot.get_updates(&req).await {
                Ok(updates) => {
                    failures = 0;
                    let min = self.offset.unwrap_or(i64::MIN);
                    self.buffer
                        .extend(updates.into_iter().filter(|u| u.update_id >= min));
                }
                Err(e @ Error::Unauthorized(_)) => return Err(e),
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait = match &e {
                        Error::RetryAfter(d) => *d,
                        _ => self
                            .backoff
                            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
                            .min(self.max_backoff),
                    };
                    tracing::warn!(error = %e, ?wait, "getUpdates failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}
