//! The error type of the client layer.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crate::login::LoginFailure;
use crate::{ProtocolError, Reply, Trap};

/// Everything that can go wrong while talking to a router.
///
/// The error is cheap to clone (a connection-wide failure such as a `!fatal` is handed to every
/// pending command). Ask it questions with the predicates ([`is_closed`](Self::is_closed),
/// [`is_timeout`](Self::is_timeout), [`trap`](Self::trap), [`is_login`](Self::is_login),
/// [`is_lagged`](Self::is_lagged), [`is_too_large`](Self::is_too_large)) rather than
/// matching variants.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be parsed or resolved, or the TCP connection failed.
    #[error("cannot connect to {addr}: {error}")]
    Connect {
        /// The address as given.
        addr: String,
        /// The underlying error (its message is part of this error's message).
        error: Arc<io::Error>,
    },
    /// Connecting (TCP, TLS and login together) took longer than the connect timeout.
    #[error("cannot connect to {addr}: timed out after {after:?}")]
    ConnectTimeout {
        /// The address as given.
        addr: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The TLS configuration is unusable (bad PEM, bad fingerprint, bad server name).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// The TLS handshake failed (for example the certificate fingerprint did not match).
    #[error("TLS handshake with {addr} failed: {error}")]
    Tls {
        /// The address as given.
        addr: String,
        /// The underlying error (its message is part of this error's message).
        error: Arc<io::Error>,
    },
    /// The router refused the login or answered it unexpectedly; shows the router's message.
    #[error("login failed: {0}")]
    Login(LoginFailure),
    /// The command failed: every `!trap` the router sent for it, in order (at least one).
    #[error("{}", trap_message(traps))]
    Trap {
        /// The traps, decoded.
        traps: Vec<Trap>,
        /// The `!trap` sentences as received, with every attribute.
        replies: Vec<Reply>,
    },
    /// The command did not finish within its timeout; it was cancelled on the router.
    #[error("command timed out after {0:?}")]
    Timeout(Duration),
    /// The consumer of a streaming command stopped reading: its buffer of `capacity` replies
    /// stayed full for the [lag deadline](super::Config::lag_deadline) (`waited`), or, for a
    /// command started with [`Overflow::Cancel`](super::Overflow::Cancel), overflowed at once
    /// (`waited` is `None`). The command was cancelled on the router; the replies already
    /// buffered were delivered first.
    #[error("{}", lagged_message(*capacity, *waited))]
    Lagged {
        /// The buffer size ([`Config::row_buffer`](super::Config::row_buffer)).
        capacity: usize,
        /// How long the connection waited for the consumer before giving up.
        waited: Option<Duration>,
    },
    /// A collecting command ([`Client::execute`](super::Client::execute),
    /// [`Client::print`](super::Client::print)) received more than `limit` replies
    /// ([`Config::max_rows`](super::Config::max_rows)); it was cancelled on the router and the
    /// rows received so far were dropped. Other commands on the connection are unaffected.
    #[error("more than {limit} rows for one command; the command was cancelled (read large tables with Client::stream, or raise Config::max_rows)")]
    TooManyRows {
        /// The configured limit.
        limit: usize,
    },
    /// The replies of a collecting command took more than `limit` bytes of memory
    /// ([`Config::max_response_bytes`](super::Config::max_response_bytes)); it was cancelled
    /// on the router and the rows received so far were dropped. Other commands on the
    /// connection are unaffected.
    #[error("reply to one command larger than {limit} bytes; the command was cancelled (read large tables with Client::stream, or raise Config::max_response_bytes)")]
    ResponseTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The router sent `!fatal` and closed the connection; the reason is the router's.
    #[error("router closed the connection: !fatal {0}")]
    Fatal(String),
    /// The router closed the connection (end of stream).
    #[error("router closed the connection")]
    Disconnected,
    /// The bytes from the router could not be decoded; the connection was closed.
    #[error("protocol error, connection closed: {0}")]
    Protocol(Arc<ProtocolError>),
    /// A command could not be encoded (a word longer than the protocol allows).
    #[error("cannot encode command: {0}")]
    Encode(Arc<ProtocolError>),
    /// Reading from or writing to the connection failed; the connection was closed.
    #[error("connection error: {0}")]
    Io(Arc<io::Error>),
    /// The client was closed with [`Client::close`](super::Client::close).
    #[error("client closed")]
    Closed,
}

fn lagged_message(capacity: usize, waited: Option<Duration>) -> String {
    match waited {
        Some(w) => format!(
            "consumer lagged: {capacity} replies waited unread for {w:?}; the command was cancelled"
        ),
        None => format!(
            "consumer lagged: more than {capacity} replies were waiting to be read; the command was cancelled"
        ),
    }
}

fn trap_message(traps: &[Trap]) -> String {
    let mut out = String::from("router trap: ");
    for (i, t) in traps.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&t.to_string());
    }
    out
}

impl Error {
    /// True when the connection is gone (`!fatal`, disconnect, I/O or decode error, or
    /// [`Client::close`](super::Client::close)): every later command fails too.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            Self::Fatal(_) | Self::Disconnected | Self::Protocol(_) | Self::Io(_) | Self::Closed
        )
    }

    /// True for a connect timeout or a command timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_) | Self::ConnectTimeout { .. })
    }

    /// True when the login failed (wrong password, unexpected answer).
    pub fn is_login(&self) -> bool {
        matches!(self, Self::Login(_))
    }

    /// True when a slow consumer overflowed its buffer.
    pub fn is_lagged(&self) -> bool {
        matches!(self, Self::Lagged { .. })
    }

    /// True when a collecting command was cancelled because its reply outgrew
    /// [`Config::max_rows`](super::Config::max_rows) ([`Error::TooManyRows`]) or
    /// [`Config::max_response_bytes`](super::Config::max_response_bytes)
    /// ([`Error::ResponseTooLarge`]). The connection is still usable.
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            Self::TooManyRows { .. } | Self::ResponseTooLarge { .. }
        )
    }

    /// True when the connection could not be established (address, TCP, TLS or timeout).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. }
                | Self::ConnectTimeout { .. }
                | Self::Tls { .. }
                | Self::TlsConfig(_)
        )
    }

    /// The first trap, when the router failed the command.
    pub fn trap(&self) -> Option<&Trap> {
        self.traps().first()
    }

    /// Every trap the router sent for the command (empty for other errors).
    pub fn traps(&self) -> &[Trap] {
        match self {
            Self::Trap { traps, .. } => traps,
            _ => &[],
        }
    }

    /// The router's reason, when it sent `!fatal`.
    pub fn fatal_reason(&self) -> Option<&str> {
        match self {
            Self::Fatal(r) => Some(r),
            _ => None,
        }
    }

    /// The login failure, when the login failed.
    pub fn login_failure(&self) -> Option<&LoginFailure> {
        match self {
            Self::Login(f) => Some(f),
            _ => None,
        }
    }
}
