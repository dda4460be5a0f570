//! The inbound webhook, sans-io: subscription check, signature check, parsing, deduplication.
//!
//! An HTTP handler stays thin: on `GET`, [`verify_subscription`] and answer the challenge
//! (200, `text/plain`) or 403; on `POST`, [`verify_signature`] over the raw body *before*
//! anything parses it, then [`parse_webhook`], skip message ids a [`Deduper`] has seen, and
//! answer 200 quickly (Meta redelivers unacknowledged webhooks for days).
//! [`WebhookError::http_status`] gives the status to answer for each refusal.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use wa_notify::webhook::{parse_webhook, sign, verify_signature, Deduper, InboundEvent};
//!
//! let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
//!   "value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106"},
//!   "messages":[{"from":"6281234567890","id":"wamid.A","timestamp":"1700000000","type":"text",
//!   "text":{"body":"/status"}}]}}]}]}"#;
//! let header = sign(b"app-secret", body);
//! verify_signature(b"app-secret", body, Some(&header)).unwrap();
//! assert!(verify_signature(b"other", body, Some(&header)).is_err());
//!
//! let mut dedup = Deduper::new(10_000, Duration::from_secs(7 * 24 * 3600));
//! let now = Instant::now();
//! for event in parse_webhook(body).unwrap() {
//!     if let InboundEvent::Message(m) = event {
//!         assert!(dedup.first_seen(&m.id, now));
//!         assert_eq!(m.text(), Some("/status"));
//!         assert!(!dedup.first_seen(&m.id, now), "a redelivery is skipped");
//!     }
//! }
//! ```

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Largest webhook body accepted (bytes). Meta's payloads are a few kilobytes.
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;

/// Most JSON objects and arrays in one body; more is refused before it is parsed.
pub const MAX_JSON_CONTAINERS: usize = 10_000;

/// Deepest JSON nesting accepted (Meta's payloads nest about 8 levels).
pub const MAX_JSON_DEPTH: usize = 32;

/// Most events (messages, statuses, errors) returned from one body.
pub const MAX_EVENTS: usize = 1_000;

/// Longest `hub.challenge` echoed back.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The verify token or app secret we check against is empty: a configuration error.
    #[error("the webhook secret is not configured")]
    NotConfigured,
    /// A query parameter of the subscription check is missing.
    #[error("missing {0}")]
    MissingParameter(&'static str),
    /// `hub.mode` is not `subscribe`.
    #[error("hub.mode is not subscribe")]
    NotSubscribe,
    /// `hub.verify_token` does not match.
    #[error("the verify token does not match")]
    TokenMismatch,
    /// `hub.challenge` is too long or has characters that are not printable ASCII.
    #[error("unacceptable hub.challenge")]
    BadChallenge,
    /// No `X-Hub-Signature-256` header.
    #[error("missing X-Hub-Signature-256")]
    MissingSignature,
    /// The header is not `sha256=` and 64 hex digits.
    #[error("malformed X-Hub-Signature-256")]
    MalformedSignature,
    /// The signature does not match the body.
    #[error("the signature does not match the body")]
    BadSignature,
    /// The body is larger than [`MAX_WEBHOOK_BODY`].
    #[error("body of {len} bytes is larger than {max}")]
    TooLarge {
        /// Body length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Too many containers, too deep, or too many events.
    #[error("too many {what} (at most {max})")]
    TooMany {
        /// What there was too much of.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Not JSON of the documented shape (with serde's line and column).
    #[error("malformed webhook body: {0}")]
    Malformed(String),
    /// `object` is not `whatsapp_business_account`.
    #[error("not a WhatsApp Business Account webhook (object {0:?})")]
    NotWhatsApp(String),
}

impl WebhookError {
    /// The HTTP status to answer with: 403 for a failed check, 413 for a body too large, 400
    /// otherwise, 500 when we are not configured.
    pub fn http_status(&self) -> u16 {
        match self {
            WebhookError::NotConfigured => 500,
            WebhookError::NotSubscribe
            | WebhookError::TokenMismatch
            | WebhookError::MissingSignature
            | WebhookError::MalformedSignature
            | WebhookError::BadSignature => 403,
            WebhookError::TooLarge { .. } => 413,
            _ => 400,
        }
    }
}

fn ct_eq_str(a: &str, b: &str) -> bool {
    // compare digests so that neither the content nor the length leaks through timing
    let da = Sha256::digest(a.as_bytes());
    let db = Sha256::digest(b.as_bytes());
    bool::from(da.as_slice().ct_eq(db.as_slice()))
}

/// The `GET` subscription check: `hub.mode` must be `subscribe` and `hub.verify_token` equal
/// `expected_token` (compared in constant time); the answer is `hub.challenge`, to be sent
/// back as the body of a 200.
///
/// ```
/// use wa_notify::webhook::verify_subscription;
/// let c = verify_subscription(Some("subscribe"), Some("s3cret"), Some("1158201444"), "s3cret");
/// assert_eq!(c.unwrap(), "1158201444");
/// assert!(verify_subscription(Some("subscribe"), Some("guess"), Some("1"), "s3cret").is_err());
/// ```
pub fn verify_subscription<'a>(
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&'a str>,
    expected_token: &str,
) -> Result<&'a str, WebhookError> {
    if expected_token.is_empty() {
        return Err(WebhookError::NotConfigured);
    }
    let mode = mode.ok_or(WebhookError::MissingParameter("hub.mode"))?;
    let token = verify_token.ok_or(WebhookError::MissingParameter("hub.verify_token"))?;
    let challenge = challenge.ok_or(WebhookError::MissingParameter("hub.challenge"))?;
    if mode != "subscribe" {
        return Err(WebhookError::NotSubscribe);
    }
    if !ct_eq_str(token, expected_token) {
        return Err(WebhookError::TokenMismatch);
    }
    if challenge.is_empty()
        || challenge.len() > MAX_CHALLENGE_LEN
        || !challenge.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(WebhookError::BadChallenge);
    }
    Ok(challenge)
}

/// The `X-Hub-Signature-256` value for `body` signed with `app_secret`: `sha256=<hex>`.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    #[allow(clippy::expect_used)]
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks `X-Hub-Signature-256` (`header_value`) against the HMAC-SHA256 of the raw body
/// keyed with the app secret, in constant time. Call it before parsing anything.
pub fn verify_signature(
    app_secret: &[u8],
    raw_body: &[u8],
    header_value: Option<&str>,
) -> Result<(), WebhookError> {
    if app_secret.is_empty() {
        return Err(WebhookError::NotConfigured);
    }
    let value = header_value.ok_or(WebhookError::MissingSignature)?.trim();
    let hex_sig = value
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    if hex_sig.len() != 64 {
        return Err(WebhookError::MalformedSignature);
    }
    let sig = hex::decode(hex_sig).map_err(|_| WebhookError::MalformedSignature)?;
    #[allow(clippy::expect_used)]
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes a key of any length");
    mac.update(raw_body);
    mac.verify_slice(&sig)
        .map_err(|_| WebhookError::BadSignature)
}

/// One thing a webhook reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboundEvent {
    /// A user wrote to the business number.
    Message(InboundMessage),
    /// What happened to a message we sent (including asynchronous send failures).
    Status(StatusUpdate),
    /// An error not tied to a message (`value.errors`).
    Error(ErrorInfo),
}

/// A message from a user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The business number's id that received it (`metadata.phone_number_id`).
    pub phone_number_id: Option<String>,
    /// The sender's WhatsApp id (their number, digits).
    pub from: String,
    /// The sender's profile name, if the payload carried it.
    pub name: Option<String>,
    /// Message id (`wamid...`): the key for deduplication.
    pub id: String,
    /// Unix seconds.
    pub timestamp: u64,
    /// `type`: `text`, `image`, `button`, ...
    pub kind: String,
    /// `text.body` for text messages.
    pub body: Option<String>,
}

impl InboundMessage {
    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        self.body.as_deref()
    }
}

/// The delivery state of a message we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Accepted by WhatsApp's servers.
    Sent,
    /// Delivered to the device.
    Delivered,
    /// Read.
    Read,
    /// Failed; see [`StatusUpdate::errors`].
    Failed,
    /// Any other status string.
    Other(String),
}

/// A status update of a message we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusUpdate {
    /// The business number's id.
    pub phone_number_id: Option<String>,
    /// The id of our message (`wamid...`), as the send call returned it.
    pub id: String,
    /// The new state.
    pub status: DeliveryStatus,
    /// Unix seconds.
    pub timestamp: u64,
    /// The recipient's number.
    pub recipient: Option<String>,
    /// Why it failed.
    pub errors: Vec<ErrorInfo>,
}

impl StatusUpdate {
    /// Whether the message failed because the 24-hour window was closed (131047).
    pub fn is_outside_window(&self) -> bool {
        self.status == DeliveryStatus::Failed && self.errors.iter().any(|e| e.code == 131047)
    }
}

/// An error as webhooks report it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorInfo {
    /// Meta's error code (131047, 131026, ...).
    pub code: i64,
    /// Short title.
    pub title: Option<String>,
    /// Message.
    pub message: Option<String>,
    /// `error_data.details`.
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    value: Option<ChangeValue>,
}

#[derive(Deserialize)]
struct ChangeValue {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<RawMessage>,
    #[serde(default)]
    statuses: Vec<RawStatus>,
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: Option<String>,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    from: String,
    id: String,
    timestamp: Timestamp,
    #[serde(rename = "type")]
    kind: String,
    text: Option<RawText>,
}

#[derive(Deserialize)]
struct RawText {
    body: String,
}

#[derive(Deserialize)]
struct RawStatus {
    id: String,
    status: String,
    timestamp: Timestamp,
    recipient_id: Option<String>,
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Deserialize)]
struct RawError {
    code: i64,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<RawErrorData>,
}

#[derive(Deserialize)]
struct RawErrorData {
    details: Option<String>,
}

/// Meta sends Unix seconds as a string; numbers are accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Timestamp {
    Num(u64),
    Str(String),
}

impl Timestamp {
    fn secs(&self) -> Result<u64, WebhookError> {
        match self {
            Timestamp::Num(n) => Ok(*n),
            Timestamp::Str(s) => s
                .parse()
                .map_err(|_| WebhookError::Malformed(format!("timestamp {s:?} is not a number"))),
        }
    }
}

impl From<RawError> for ErrorInfo {
    fn from(e: RawError) -> Self {
        ErrorInfo {
            code: e.code,
            title: e.title,
            message: e.message,
            details: e.error_data.and_then(|d| d.details),
        }
    }
}

/// Counts containers and depth in one pass over the bytes, so that hostile input is refused
/// before serde allocates anything for it.
fn prescan(body: &[u8]) -> Result<(), WebhookError> {
    let mut depth = 0usize;
    let mut containers = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                containers += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(WebhookError::TooMany {
                        what: "levels of nesting",
                        max: MAX_JSON_DEPTH,
                    });
                }
                if containers > MAX_JSON_CONTAINERS {
                    return Err(WebhookError::TooMany {
                        what: "JSON objects and arrays",
                        max: MAX_JSON_CONTAINERS,
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parses a webhook body (already signature-checked) into events, in payload order.
///
/// Bodies over [`MAX_WEBHOOK_BODY`] bytes, with more than [`MAX_JSON_CONTAINERS`] objects and
/// arrays, nested deeper than [`MAX_JSON_DEPTH`], or with more than [`MAX_EVENTS`] events are
/// refused; so is anything whose fields we use have the wrong type. Changes other than
/// `messages` are skipped. Never panics.
pub fn parse_webhook(raw_body: &[u8]) -> Result<Vec<InboundEvent>, WebhookError> {
    if raw_body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::TooLarge {
            len: raw_body.len(),
            max: MAX_WEBHOOK_BODY,
        });
    }
    prescan(raw_body)?;
    let payload: Payload =
        serde_json::from_slice(raw_body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    if payload.object != "whatsapp_business_account" {
        return Err(WebhookError::NotWhatsApp(
            payload.object.chars().take(64).collect(),
        ));
    }
    let mut events = Vec::new();
    let push = |events: &mut Vec<InboundEvent>, e| {
        if events.len() >= MAX_EVENTS {
            return Err(WebhookError::TooMany {
                what: "events",
                max: MAX_EVENTS,
            });
        }
        events.push(e);
        Ok(())
    };
    for entry in payload.entry {
        for change in entry.changes {
            if change.field != "messages" {
                continue;
            }
            let Some(value) = change.value else { continue };
            let pnid = value.metadata.and_then(|m| m.phone_number_id);
            let names: HashMap<String, String> = value
                .contacts
                .into_iter()
                .filter_map(|c| Some((c.wa_id?, c.profile?.name?)))
                .collect();
            for m in value.messages {
                let ev = InboundMessage {
                    phone_number_id: pnid.clone(),
                    name: names.get(&m.from).cloned(),
                    timestamp: m.timestamp.secs()?,
                    body: m.text.map(|t| t.body),
                    from: m.from,
                    id: m.id,
                    kind: m.kind,
                };
                push(&mut events, InboundEvent::Message(ev))?;
            }
            for s in value.statuses {
                let status = match s.status.as_str() {
                    "sent" => DeliveryStatus::Sent,
                    "delivered" => DeliveryStatus::Delivered,
                    "read" => DeliveryStatus::Read,
                    "failed" => DeliveryStatus::Failed,
                    other => DeliveryStatus::Other(other.chars().take(64).collect()),
                };
                let ev = StatusUpdate {
                    phone_number_id: pnid.clone(),
                    timestamp: s.timestamp.secs()?,
                    id: s.id,
                    status,
                    recipient: s.recipient_id,
                    errors: s.errors.into_iter().map(ErrorInfo::from).collect(),
                };
                push(&mut events, InboundEvent::Status(ev))?;
            }
            for e in value.errors {
                push(&mut events, InboundEvent::Error(e.into()))?;
            }
        }
    }
    Ok(events)
}

/// Remembers handled message ids so that a redelivered webhook is acted on once.
///
/// Bounded: ids older than `ttl` are forgotten, and beyond `capacity` the oldest go first.
/// Sans-io: the caller passes `now`.
#[derive(Debug, Clone)]
pub struct Deduper {
    capacity: usize,
    ttl: Duration,
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Deduper {
    /// Remembers up to `capacity` ids (at least 1) for `ttl` each.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Deduper {
            capacity: capacity.max(1),
            ttl,
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some((t, id)) = self.order.front() {
            let old = now
                .checked_duration_since(*t)
                .is_some_and(|age| age >= self.ttl);
            if !old && self.order.len() <= self.capacity {
                break;
            }
            if self.seen.get(id) == Some(t) {
                self.seen.remove(id);
            }
            self.order.pop_front();
        }
    }

    /// Whether `id` is new (then it is remembered); `false` for a repeat within the ttl.
    pub fn first_seen(&mut self, id: &str, now: Instant) -> bool {
        self.expire(now);
        if self.seen.contains_key(id) {
            return false;
        }
        self.seen.insert(id.to_owned(), now);
        self.order.push_back((now, id.to_owned()));
        self.expire(now);
        true
    }

    /// Ids remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_checks() {
        let ok = |m, t, c| verify_subscription(m, t, c, "tok");
        assert_eq!(ok(Some("subscribe"), Some("tok"), Some("42")), Ok("42"));
        assert_eq!(
            ok(Some("unsubscribe"), Some("tok"), Some("42")),
            Err(WebhookError::NotSubscribe)
        );
        assert_eq!(
            ok(Some("subscribe"), Some("tok2"), Some("42")),
            Err(WebhookError::TokenMismatch)
        );
        assert_eq!(
            ok(Some("subscribe"), None, Some("42")),
            Err(WebhookError::MissingParameter("hub.verify_token"))
        );
        assert_eq!(
            ok(Some("subscribe"), Some("tok"), Some("<script>x</script> ")),
            Err(WebhookError::BadChallenge)
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("1"), ""),
            Err(WebhookError::NotConfigured)
        );
        assert_eq!(WebhookError::TokenMismatch.http_status(), 403);
    }

    #[test]
    fn signatures() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let good = sign(b"k", body);
        assert!(good.starts_with("sha256=") && good.len() == 71);
        assert_eq!(verify_signature(b"k", body, Some(&good)), Ok(()));
        assert_eq!(
            verify_signature(
                b"k",
                body,
                Some(&good.to_uppercase().replace("SHA256", "sha256"))
            ),
            Ok(()),
            "hex digits in either case"
        );
        assert_eq!(
            verify_signature(b"k", b"{}", Some(&good)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"k", body, None),
            Err(WebhookError::MissingSignature)
        );
        for bad in ["sha1=abc", "sha256=zz", "sha256=", &good[..70]] {
            assert_eq!(
                verify_signature(b"k", body, Some(bad)),
                Err(WebhookError::MalformedSignature),
                "{bad}"
            );
        }
        assert_eq!(
            verify_signature(b"", body, Some(&good)),
            Err(WebhookError::NotConfigured)
        );
    }

    #[test]
    fn deduper_is_bounded_and_forgets_after_ttl() {
        let t0 = Instant::now();
        let mut d = Deduper::new(3, Duration::from_secs(10));
        assert!(d.first_seen("a", t0));
        assert!(!d.first_seen("a", t0 + Duration::from_secs(5)));
        assert!(d.first_seen("a", t0 + Duration::from_secs(11)), "expired");
        for id in ["b", "c", "d", "e"] {
            assert!(d.first_seen(id, t0 + Duration::from_secs(12)));
        }
        assert_eq!(d.len(), 3);
        assert!(d.first_seen("a", t0 + Duration::from_secs(12)), "evicted");
    }
}
