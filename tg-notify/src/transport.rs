//! The seam between the [`Notifier`](crate::Notifier) (queue, persistence, pacing, retries,
//! coalescing) and the service that delivers a message.
//!
//! A [`Transport`] sends one part of one queued message and answers with a typed outcome; the
//! notifier decides what happens to the queue. The Telegram [`Bot`] is one transport; other
//! crates (WhatsApp Cloud API, HTTP gateways) implement it for their services, so every chat
//! channel shares one outbox.
//!
//! ```
//! use std::time::Duration;
//! use tg_notify::transport::{SendError, SendFuture, Sent, Transport};
//! use tg_notify::{MemoryStore, Notifier, NotifierConfig, QueuedMessage};
//!
//! /// Prints messages instead of sending them.
//! #[derive(Debug)]
//! struct Console;
//!
//! impl Transport for Console {
//!     fn send(&self, msg: &QueuedMessage, _part: u32) -> SendFuture {
//!         let text = tg_notify::render(msg);
//!         let chat = msg.chat.clone();
//!         Box::pin(async move {
//!             println!("{chat}: {text}");
//!             Ok(Sent::new(1))
//!         })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let n = Notifier::with_transport(Console, MemoryStore::new(), NotifierConfig::default()).unwrap();
//! n.enqueue(tg_notify::Alert::new(1, "hello")).unwrap();
//! tokio::time::timeout(Duration::from_secs(5), n.wait_idle()).await.unwrap();
//! assert_eq!(n.metrics().sent, 1);
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::client::Bot;
use crate::error::Error;
use crate::format::{split_with_limit, MAX_MESSAGE_LEN};
use crate::notifier::render;
use crate::store::QueuedMessage;
use crate::types::{ChatId, SendMessage};

/// The future a [`Transport`] returns for one send.
pub type SendFuture = Pin<Box<dyn Future<Output = Result<Sent, SendError>> + Send + 'static>>;

/// A part was accepted by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// How many parts the message has in the rendering that was used (1 for a short one).
    /// The notifier asks for the next part until this many were accepted.
    pub parts: u32,
}

impl Sent {
    /// The message has `parts` parts in total (at least 1).
    pub fn new(parts: u32) -> Self {
        Sent {
            parts: parts.max(1),
        }
    }
}

/// Whom a rate limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateScope {
    /// Only the recipient of this message (WhatsApp's pair rate limit).
    Recipient,
    /// Every recipient (WhatsApp's throughput limit).
    Global,
    /// The service does not say; the notifier blocks the recipient, and every recipient when
    /// several are limited within a second (Telegram's 429).
    Unknown,
}

/// Why a part was not accepted, and what the notifier should do about it.
///
/// The text of each variant is the service's own description with secrets removed; it ends up
/// in [`Failure::reason`](crate::Failure) and in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The service asked to wait: nothing is sent within `scope` before `wait` has passed,
    /// then the same part is sent again.
    #[error("rate limited ({scope:?}): retry after {wait:?}")]
    RateLimited {
        /// How long to wait.
        wait: Duration,
        /// Whom the limit applies to.
        scope: RateScope,
    },
    /// A failure that may go away (network, 5xx, malformed reply): every send backs off
    /// exponentially and the part is sent again.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The markup was refused: the notifier switches the message to plain text (persisted)
    /// and sends it again at once.
    #[error("markup refused, resending as plain text: {0}")]
    ResendAsPlain(String),
    /// The transport changed how it renders this recipient's messages (for example WhatsApp's
    /// 24-hour window closed, so text becomes a template): the message is sent again at once
    /// from its first part.
    #[error("resending from the first part: {0}")]
    Restart(String),
    /// The recipient moved (a Telegram group became a supergroup): its queue follows it.
    #[error("the chat moved to {0}")]
    Moved(ChatId),
    /// This message can never be delivered; it is dropped with a failure record and the
    /// recipient's next message follows.
    #[error("{0}")]
    Rejected(String),
    /// Nothing queued for this recipient can be delivered (blocked, unknown number): every
    /// message of the recipient is dropped with a failure record.
    #[error("{0}")]
    RecipientGone(String),
    /// Credentials or permissions failed (expired token, missing permission): every later
    /// send would fail the same way. The queue is kept, sending pauses for
    /// [`NotifierConfig::unauthorized_wait`](crate::NotifierConfig) (or until
    /// [`Notifier::resume`](crate::Notifier::resume)) and a failure is reported with
    /// `unauthorized` set. Never retried in a loop.
    #[error("{0}")]
    Fatal(String),
}

/// Something that delivers one part of a queued message: the Telegram [`Bot`], a WhatsApp
/// client, an HTTP gateway, a test double.
///
/// The notifier calls [`send`](Transport::send) for part 0, 1, ... of a message in turn,
/// never for two messages of the same recipient at once, so a transport sees each recipient's
/// messages in order. Rendering (coalescing notes with [`render`], splitting under the
/// service's length limit, markup) is the transport's business.
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends part `part` (0-based) of `msg`. The returned future must not borrow `self`.
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture;

    /// Whether the group limit of [`Limits`](crate::pacing::Limits) applies to `chat`
    /// (default: [`ChatId::is_group`]).
    fn is_group(&self, chat: &ChatId) -> bool {
        chat.is_group()
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        (**self).send(msg, part)
    }
    fn is_group(&self, chat: &ChatId) -> bool {
        (**self).is_group(chat)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        (**self).send(msg, part)
    }
    fn is_group(&self, chat: &ChatId) -> bool {
        (**self).is_group(chat)
    }
}

/// Telegram: `sendMessage` of each part of [`render`]ed text, split by Telegram's rule.
impl Transport for Bot {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        let parts = split_with_limit(&render(msg), msg.parse_mode, MAX_MESSAGE_LEN);
        let n = u32::try_from(parts.len()).unwrap_or(u32::MAX);
        let idx = usize::try_from(part).unwrap_or(usize::MAX);
        let text = parts.into_iter().nth(idx).unwrap_or_default();
        let mut req = SendMessage::new(msg.chat.clone(), text);
        req.parse_mode(msg.parse_mode).silent(msg.silent);
        if let Some(t) = msg.thread {
            req.thread(t);
        }
        let bot = self.clone();
        Box::pin(async move {
            match bot.send_message(&req).await {
                Ok(_) => Ok(Sent::new(n)),
                Err(e) => Err(classify(e)),
            }
        })
    }
}

/// How the notifier treats each Bot API error.
fn classify(e: Error) -> SendError {
    match e {
        Error::RetryAfter(wait) => SendError::RateLimited {
            wait,
            scope: RateScope::Unknown,
        },
        Error::MigrateToChat(id) => SendError::Moved(ChatId::Id(id)),
        Error::BadRequest(d) if d.contains("can't parse entities") => {
            SendError::ResendAsPlain(Error::BadRequest(d).to_string())
        }
        e if e.is_transient() || matches!(e, Error::Decode(_)) => {
            SendError::Transient(e.to_string())
        }
        e @ Error::Unauthorized(_) => SendError::Fatal(e.to_string()),
        e @ Error::Forbidden(_) => SendError::RecipientGone(e.to_string()),
        e if is_chat_error(&e.to_string()) => SendError::RecipientGone(e.to_string()),
        e => SendError::Rejected(e.to_string()),
    }
}

/// Whether a 400 description concerns the chat rather than the message.
fn is_chat_error(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    [
        "chat not found",
        "chat_write_forbidden",
        "not enough rights",
        "have no rights",
        "peer_id_invalid",
        "user is deactivated",
    ]
    .iter()
    .any(|p| d.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_api_errors_map_to_outcomes() {
        assert_eq!(
            classify(Error::RetryAfter(Duration::from_secs(3))),
            SendError::RateLimited {
                wait: Duration::from_secs(3),
                scope: RateScope::Unknown
            }
        );
        assert_eq!(
            classify(Error::MigrateToChat(-100)),
            SendError::Moved(ChatId::Id(-100))
        );
        assert!(matches!(
            classify(Error::BadRequest(
                "Bad Request: can't parse entities".into()
            )),
            SendError::ResendAsPlain(_)
        ));
        assert!(matches!(
            classify(Error::Server {
                status: 502,
                description: String::new()
            }),
            SendError::Transient(_)
        ));
        assert!(matches!(
            classify(Error::Decode("x".into())),
            SendError::Transient(_)
        ));
        assert!(matches!(
            classify(Error::Unauthorized("x".into())),
            SendError::Fatal(_)
        ));
        assert!(matches!(
            classify(Error::Forbidden("bot was blocked".into())),
            SendError::RecipientGone(_)
        ));
        assert!(matches!(
            classify(Error::BadRequest("Bad Request: chat not found".into())),
            SendError::RecipientGone(_)
        ));
        assert!(matches!(
            classify(Error::BadRequest(
                "Bad Request: message text is empty".into()
            )),
            SendError::Rejected(_)
        ));
    }
}
