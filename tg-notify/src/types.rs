//! Bot API request and reply types (the subset this crate uses).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A chat: a numeric id (users, groups, supergroups, channels) or a public `@username`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ChatId {
    /// Numeric id; negative for groups, supergroups and channels.
    Id(i64),
    /// `@channelusername` (kept with its `@`).
    Username(String),
}

impl ChatId {
    /// Whether Telegram's group limit (about 20 messages a minute) applies: negative ids and
    /// `@usernames` (public channels and supergroups).
    pub fn is_group(&self) -> bool {
        match self {
            ChatId::Id(id) => *id < 0,
            ChatId::Username(_) => true,
        }
    }
}

impl From<i64> for ChatId {
    fn from(id: i64) -> Self {
        ChatId::Id(id)
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatId::Id(id) => write!(f, "{id}"),
            ChatId::Username(name) => f.write_str(name),
        }
    }
}

/// Why a chat id typed by a user was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid chat id {input:?}: expected an integer or @username (5-32 letters, digits, _)")]
pub struct ParseChatIdError {
    /// The refused input.
    pub input: String,
}

impl FromStr for ChatId {
    type Err = ParseChatIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(id) = s.parse::<i64>() {
            return Ok(ChatId::Id(id));
        }
        let err = || ParseChatIdError {
            input: s.to_owned(),
        };
        let name = s.strip_prefix('@').ok_or_else(err)?;
        let valid = (5..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(ChatId::Username(s.to_owned()))
        } else {
            Err(err())
        }
    }
}

/// How Telegram parses the text of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ParseMode {
    /// No markup: the text is shown as is.
    #[default]
    Plain,
    /// `parse_mode=HTML`.
    Html,
    /// `parse_mode=MarkdownV2`.
    MarkdownV2,
}

impl ParseMode {
    /// The value of the `parse_mode` parameter, `None` for plain text.
    pub fn as_api_str(self) -> Option<&'static str> {
        match self {
            ParseMode::Plain => None,
            ParseMode::Html => Some("HTML"),
            ParseMode::MarkdownV2 => Some("MarkdownV2"),
        }
    }
}

/// A parse mode name that is not `plain`, `html` or `markdownv2`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown parse mode {0:?}: expected plain, html or markdownv2")]
pub struct ParseModeError(pub String);

impl FromStr for ParseMode {
    type Err = ParseModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "plain" | "text" | "none" => Ok(ParseMode::Plain),
            "html" => Ok(ParseMode::Html),
            "markdownv2" | "markdown_v2" | "mdv2" => Ok(ParseMode::MarkdownV2),
            _ => Err(ParseModeError(s.to_owned())),
        }
    }
}

/// `link_preview_options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LinkPreviewOptions {
    /// Disable the preview entirely.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_disabled: bool,
    /// URL to preview instead of the first one in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl LinkPreviewOptions {
    /// Options that disable the preview.
    pub fn disabled() -> Self {
        LinkPreviewOptions {
            is_disabled: true,
            url: None,
        }
    }
}

/// A `sendMessage` request. Build it with [`SendMessage::new`] and the `&mut self` setters.
///
/// ```
/// use tg_notify::{ChatId, ParseMode, SendMessage};
/// let mut msg = SendMessage::new(ChatId::Id(42), "<b>router1</b> is down");
/// msg.parse_mode(ParseMode::Html).silent(true).disable_link_preview();
/// assert_eq!(msg.text, "<b>router1</b> is down");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendMessage {
    /// Target chat.
    pub chat_id: ChatId,
    /// Forum topic (`message_thread_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// The text, 1-4096 characters after entity parsing.
    pub text: String,
    /// `parse_mode`; omitted for plain text.
    #[serde(
        default,
        skip_serializing_if = "is_plain",
        serialize_with = "ser_parse_mode",
        deserialize_with = "de_parse_mode"
    )]
    pub parse_mode: ParseMode,
    /// Send silently (`disable_notification`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable_notification: bool,
    /// `link_preview_options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_preview_options: Option<LinkPreviewOptions>,
}

fn is_plain(mode: &ParseMode) -> bool {
    *mode == ParseMode::Plain
}

fn ser_parse_mode<S: serde::Serializer>(mode: &ParseMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(mode.as_api_str().unwrap_or(""))
}

fn de_parse_mode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ParseMode, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "HTML" => Ok(ParseMode::Html),
        "MarkdownV2" => Ok(ParseMode::MarkdownV2),
        "" => Ok(ParseMode::Plain),
        other => other.parse().map_err(serde::de::Error::custom),
    }
}

impl SendMessage {
    /// A plain-text message to `chat`.
    pub fn new(chat: impl Into<ChatId>, text: impl Into<String>) -> Self {
        SendMessage {
            chat_id: chat.into(),
            message_thread_id: None,
            text: text.into(),
            parse_mode: ParseMode::Plain,
            disable_notification: false,
            link_preview_options: None,
        }
    }

    /// Sets the parse mode.
    pub fn parse_mode(&mut self, mode: ParseMode) -> &mut Self {
        self.parse_mode = mode;
        self
    }

    /// Sends into a forum topic.
    pub fn thread(&mut self, thread_id: i64) -> &mut Self {
        self.message_thread_id = Some(thread_id);
        self
    }

    /// Sends without sound.
    pub fn silent(&mut self, silent: bool) -> &mut Self {
        self.disable_notification = silent;
        self
    }

    /// Disables the link preview.
    pub fn disable_link_preview(&mut self) -> &mut Self {
        self.link_preview_options = Some(LinkPreviewOptions::disabled());
        self
    }
}

/// A user or bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// User id.
    pub id: i64,
    /// Whether this is a bot.
    #[serde(default)]
    pub is_bot: bool,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// `@username` without the `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A chat as it appears in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Chat {
    /// Chat id.
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// A message (the fields this crate uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Message id within the chat.
    pub message_id: i64,
    /// Sender; absent in channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<User>,
    /// The chat.
    pub chat: Chat,
    /// Unix time.
    #[serde(default)]
    pub date: i64,
    /// Text, if a text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One incoming update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Update {
    /// Update id; the next `getUpdates` offset is the highest seen plus one.
    pub update_id: i64,
    /// A new message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// An edited message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_message: Option<Message>,
    /// A channel post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_post: Option<Message>,
}

impl Update {
    /// An update carrying a new text message (used by tests and the fake server).
    pub fn text_message(update_id: i64, chat_id: i64, user_id: i64, text: &str) -> Self {
        Update {
            update_id,
            message: Some(Message {
                message_id: update_id,
                from: Some(User {
                    id: user_id,
                    is_bot: false,
                    first_name: String::new(),
                    username: None,
                }),
                chat: Chat {
                    id: chat_id,
                    kind: if chat_id < 0 { "supergroup" } else { "private" }.to_owned(),
                },
                date: 0,
                text: Some(text.to_owned()),
            }),
            edited_message: None,
            channel_post: None,
        }
    }

    /// The message this update carries, if any (new, edited or channel post).
    pub fn any_message(&self) -> Option<&Message> {
        self.message
            .as_ref()
            .or(self.edited_message.as_ref())
            .or(self.channel_post.as_ref())
    }
}

/// A command for `setMyCommands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BotCommand {
    /// 1-32 characters: lowercase letters, digits and underscores.
    pub command: String,
    /// 1-256 characters.
    pub description: String,
}

impl BotCommand {
    /// A command; checked by [`Bot::set_my_commands`](crate::Bot::set_my_commands).
    pub fn new(command: impl Into<String>, description: impl Into<String>) -> Self {
        BotCommand {
            command: command.into(),
            description: description.into(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let c = &self.command;
        if c.is_empty()
            || c.len() > 32
            || !c
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!(
                "command {c:?} must be 1-32 lowercase letters, digits or underscores"
            ));
        }
        let n = self.description.chars().count();
        if n == 0 || n > 256 {
            return Err(format!(
                "description of /{c} must be 1-256 characters, got {n}"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_ids_parse_from_what_users_type() {
        assert_eq!("-1001234".parse::<ChatId>(), Ok(ChatId::Id(-1_001_234)));
        assert_eq!(" 42 ".parse::<ChatId>(), Ok(ChatId::Id(42)));
        assert_eq!(
            "@net_ops".parse::<ChatId>(),
            Ok(ChatId::Username("@net_ops".into()))
        );
        for bad in ["", "@", "@abc", "net_ops", "@with space", "12a", "@ünïcode"] {
            assert!(bad.parse::<ChatId>().is_err(), "{bad:?}");
        }
        assert!(ChatId::Id(-5).is_group() && !ChatId::Id(5).is_group());
    }

    #[test]
    fn parse_modes_parse_and_serialise() {
        assert_eq!("HTML".parse::<ParseMode>(), Ok(ParseMode::Html));
        assert_eq!("markdownv2".parse::<ParseMode>(), Ok(ParseMode::MarkdownV2));
        assert_eq!("plain".parse::<ParseMode>(), Ok(ParseMode::Plain));
        assert!("markdown".parse::<ParseMode>().is_err());
        let mut m = SendMessage::new(ChatId::Id(1), "x");
        let plain = serde_json::to_value(&m).unwrap_or_default();
        assert!(plain.get("parse_mode").is_none());
        m.parse_mode(ParseMode::MarkdownV2).disable_link_preview();
        let v = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(v["parse_mode"], "MarkdownV2");
        assert_eq!(v["link_preview_options"]["is_disabled"], true);
    }
}
