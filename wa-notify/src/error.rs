//! The error type of the Cloud API client.

use std::time::Duration;

/// What went wrong sending through the WhatsApp Cloud API.
///
/// Built from Meta's `{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}`
/// envelope where there is one; decide by the predicates ([`is_retryable`](Error::is_retryable),
/// [`retry_after`](Error::retry_after), [`is_fatal`](Error::is_fatal),
/// [`is_outside_window`](Error::is_outside_window)), which branch on Meta's `code` as Meta
/// recommends, not on HTTP statuses or titles. No variant ever carries the access token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Meta answered with an error envelope.
    #[error("WhatsApp API error {code} (HTTP {status}): {message}{}", details_suffix(.details))]
    Api {
        /// HTTP status.
        status: u16,
        /// Meta's error code (`error.code`).
        code: i64,
        /// `error.message`, e.g. `(#131047) Re-engagement message`.
        message: String,
        /// `error.error_data.details`.
        details: Option<String>,
        /// `error.fbtrace_id`, for Meta's support.
        fbtrace_id: Option<String>,
    },
    /// An answer without Meta's envelope (a proxy's error page, a 5xx).
    #[error("HTTP {status}: {excerpt}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// The request did not complete: connection refused, reset, DNS, TLS or timeout. The
    /// message has no URL and no token.
    #[error("network error: {message}")]
    Network {
        /// What failed, without URL and token.
        message: String,
        /// Whether it was a timeout.
        timeout: bool,
    },
    /// A success reply that is not what Meta documents, or a reply larger than the bound.
    #[error("malformed reply: {0}")]
    Decode(String),
    /// Refused locally before sending (empty text, text too long, bad template parameter).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

fn details_suffix(d: &Option<String>) -> String {
    match d {
        Some(d) if !d.is_empty() => format!(" ({d})"),
        _ => String::new(),
    }
}

/// Error codes of an unusable token or missing permission.
fn fatal_code(code: i64) -> bool {
    matches!(code, 0 | 3 | 10 | 190 | 200..=299 | 368 | 131031)
}

impl Error {
    /// Meta's error code, if the reply had one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status, if a reply arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Outside the 24-hour customer service window (131047): send an approved template
    /// instead; retrying the text never helps.
    pub fn is_outside_window(&self) -> bool {
        self.code() == Some(131047)
    }

    /// Too many messages to this one recipient (131056, the pair rate limit).
    pub fn is_pair_rate_limit(&self) -> bool {
        self.code() == Some(131056)
    }

    /// The business number's throughput was exceeded (130429), or an app/account call rate
    /// limit (4, 80007).
    pub fn is_throughput_limit(&self) -> bool {
        matches!(self.code(), Some(130429 | 4 | 80007))
    }

    /// The token expired (190), is invalid (0), or lacks a permission (3, 10, 200-299); the
    /// account is blocked for policy (368) or locked (131031). Every later request fails the
    /// same way: stop and tell a human, never retry in a loop.
    pub fn is_fatal(&self) -> bool {
        match self {
            Error::Api { code, .. } => fatal_code(*code),
            Error::Http { status, .. } => *status == 401 || *status == 403,
            _ => false,
        }
    }

    /// Whether sending the same request later may succeed: rate limits, Meta's temporary
    /// errors (1, 2, 131000, 131016), 5xx, network failures, a garbled reply.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { code, status, .. } => {
                self.is_pair_rate_limit()
                    || self.is_throughput_limit()
                    || matches!(code, 1 | 2 | 131000 | 131016)
                    || (*status >= 500 && !fatal_code(*code))
            }
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Network { .. } | Error::Decode(_) => true,
            Error::InvalidRequest(_) => false,
        }
    }

    /// The least time to wait before retrying: 6 s for the pair limit (one message per 6 s
    /// per recipient), 1 s for throughput, 60 s for call-rate limits; `None` when the error
    /// is not a rate limit. Callers add their own exponential backoff on repeats.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.code() {
            Some(131056) => Some(Duration::from_secs(6)),
            Some(130429) => Some(Duration::from_secs(1)),
            Some(4 | 80007) => Some(Duration::from_secs(60)),
            _ => match self {
                Error::Http { status: 429, .. } => Some(Duration::from_secs(1)),
                _ => None,
            },
        }
    }

    /// Whether the failure was a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Network { timeout: true, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, status: u16) -> Error {
        Error::Api {
            status,
            code,
            message: format!("(#{code})"),
            details: None,
            fbtrace_id: None,
        }
    }

    #[test]
    fn predicates_follow_the_codes() {
        assert!(api(131047, 400).is_outside_window());
        assert!(!api(131047, 400).is_retryable());
        assert!(!api(131047, 400).is_fatal());
        for (code, wait) in [(131056, 6), (130429, 1), (80007, 60)] {
            let e = api(code, 429);
            assert!(e.is_retryable(), "{code}");
            assert!(!e.is_fatal());
            assert_eq!(e.retry_after(), Some(Duration::from_secs(wait)));
        }
        for code in [190, 10, 200, 299, 0, 368] {
            let e = api(code, 401);
            assert!(e.is_fatal(), "{code}");
            assert!(!e.is_retryable(), "{code}");
            assert_eq!(e.retry_after(), None);
        }
        assert!(!api(300, 403).is_fatal());
        assert!(api(131000, 500).is_retryable());
        assert!(!api(100, 400).is_retryable() && !api(100, 400).is_fatal());
        assert!(Error::Http {
            status: 502,
            excerpt: String::new()
        }
        .is_retryable());
        assert_eq!(
            api(131047, 400).to_string(),
            "WhatsApp API error 131047 (HTTP 400): (#131047)"
        );
    }
}
