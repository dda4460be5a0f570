//! The error type of the Bot API client.

use std::time::Duration;

/// What went wrong talking to the Bot API.
///
/// Built from Telegram's `{ok, error_code, description, parameters}` envelope where there is one.
/// No variant ever carries the bot token: URLs in transport errors are stripped of it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 429 flood control: wait this long before sending to the chat again
    /// (`parameters.retry_after`).
    #[error("too many requests: retry after {} s", .0.as_secs())]
    RetryAfter(Duration),
    /// The group was upgraded to a supergroup with this id (`parameters.migrate_to_chat_id`);
    /// resend there.
    #[error("the group chat was migrated to supergroup {0}")]
    MigrateToChat(i64),
    /// 403: the bot was blocked by the user, kicked from the group, or may not write there.
    /// Never retried.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 400: Telegram refused the request (`can't parse entities`, `message is too long`,
    /// `chat not found`, ...); the description is Telegram's.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401 (or 404 on the method URL, which is what a wrong token produces): the token is invalid.
    #[error("unauthorized: the bot token was rejected ({0})")]
    Unauthorized(String),
    /// 409: another `getUpdates` poller is running, or a webhook is set.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Telegram (or a proxy in front of it) answered with a 5xx status.
    #[error("server error {status}: {description}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// Telegram's description, or a short excerpt of a non-JSON body.
        description: String,
    },
    /// Any other error code in the envelope.
    #[error("API error {code}: {description}")]
    Api {
        /// `error_code` from the envelope.
        code: i64,
        /// `description` from the envelope.
        description: String,
    },
    /// The request did not complete: connection refused, reset, DNS, TLS or timeout.
    /// The message never contains the token.
    #[error("network error: {message}")]
    Network {
        /// A description of the failure with the token removed.
        message: String,
        /// Whether the failure was a timeout.
        timeout: bool,
    },
    /// The reply was not the JSON Telegram documents.
    #[error("malformed reply: {0}")]
    Decode(String),
    /// The request could not be built (for example an empty message text).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// Whether sending the same request later may succeed (flood control, network, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RetryAfter(_) | Error::Server { .. } | Error::Network { .. }
        )
    }

    /// Whether the failure was a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Network { timeout: true, .. })
    }

    /// The `retry_after` Telegram asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RetryAfter(d) => Some(*d),
            _ => None,
        }
    }
}
