//! Telegram notifications that never lose, flood or garble an alert.
//!
//! - [`Bot`]: a Bot API client (`sendMessage`, `getMe`, `getUpdates`, `deleteWebhook`,
//!   `setMyCommands`) with typed errors; the token never appears in `Debug`, `Display` or errors.
//! - [`html`], [`markdown_v2`], [`MessageBuilder`], [`rendered_len`], [`split`]: escaping,
//!   formatting and splitting by Telegram's own length rule (UTF-16 units after parsing).
//! - [`pacing`]: a sans-io scheduler for Telegram's per-chat, per-group and global limits.
//! - [`Notifier`]: a persistent, paced, coalescing queue in front of the client, or of any
//!   other chat service through the [`Transport`] seam (module [`transport`]).
//! - [`UpdateStream`], [`parse_command`], [`Authorizer`]: the bot side.
//! - `fake` (feature `fake-server`): a fake Bot API server for tests.
//!
//! ```
//! use tg_notify::{markdown_v2, split, MessageBuilder, ParseMode};
//!
//! let mut msg = MessageBuilder::new(ParseMode::MarkdownV2);
//! msg.bold("core-sw1").text(" uplink ether1 is down (since 10:42).");
//! assert_eq!(msg.build(), r"*core\-sw1* uplink ether1 is down \(since 10:42\)\.");
//!
//! // a long report becomes several valid messages marked (1/n)
//! let report = "line with a dot.\n".repeat(400);
//! let parts = split(&markdown_v2::escape(&report), ParseMode::MarkdownV2);
//! assert_eq!(parts.len(), 2);
//! assert!(parts[0].ends_with(r"\(1/2\)"));
//! for p in &parts {
//!     assert!(markdown_v2::to_plain(p).is_ok());
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod error;
mod format;
mod notifier;
pub mod pacing;
mod store;
pub mod transport;
mod types;
mod updates;

#[cfg(feature = "fake-server")]
pub mod fake;

pub use client::{decode_reply, Bot, GetUpdates, Token, DEFAULT_API_URL, MAX_REPLY_BYTES};
pub use error::Error;
pub use format::{
    escape, html, markdown_v2, rendered_len, split, split_with_limit, utf16_len, EntityError,
    MessageBuilder, MAX_MESSAGE_LEN, MAX_NESTING,
};
pub use notifier::{
    render, Alert, Enqueued, Failure, Metrics, Notifier, NotifierConfig, NotifyError,
};
pub use store::{
    AlertState, JsonFileStore, MemoryStore, Priority, QueuedMessage, Store, StoreError,
    MAX_JOURNAL_LINE,
};
pub use transport::Transport;
pub use types::{
    BotCommand, Chat, ChatId, LinkPreviewOptions, Message, ParseChatIdError, ParseMode,
    ParseModeError, SendMessage, Update, User,
};
pub use updates::{parse_command, Authorization, Authorizer, Command, UpdateStream};
