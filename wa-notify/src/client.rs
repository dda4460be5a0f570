//! The WhatsApp Business Cloud API client: text and template messages.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::Error;
use crate::format::{flatten, text_len, MAX_TEMPLATE_BODY, MAX_TEXT_LEN};
use crate::phone::PhoneNumber;

/// Meta's Graph API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// The Graph API version used unless another is set.
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// Largest reply body read (bytes); send replies are a few hundred bytes.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// An access token (a System User token with `whatsapp_business_messaging`). `Debug` and
/// `Display` never show it.
///
/// ```
/// let t = wa_notify::Token::new("EAAGm0PX4ZCpsBAsecret");
/// assert_eq!(format!("{t:?} {t}"), "Token(<redacted>) Token(<redacted>)");
/// assert_eq!(t.redact("Bearer EAAGm0PX4ZCpsBAsecret failed"), "Bearer <token> failed");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token (surrounding whitespace is removed).
    pub fn new(token: impl Into<String>) -> Self {
        Token(Arc::from(token.into().trim()))
    }

    /// Whether the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Removes every occurrence of the token from `text`.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&*self.0, "<token>")
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An approved message template with body parameters (`{{1}}`, `{{2}}`, ...).
///
/// ```
/// use wa_notify::TemplateMessage;
/// let mut t = TemplateMessage::new("noc_alert", "id");
/// t.param("core-sw1\nether1 down");
/// assert_eq!(t.params, vec!["core-sw1 | ether1 down"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateMessage {
    /// Template name as approved (`noc_alert`).
    pub name: String,
    /// Language code of the approved translation (`id`, `en_US`).
    pub language: String,
    /// Body parameters in order, already flattened.
    pub params: Vec<String>,
}

impl TemplateMessage {
    /// A template without parameters.
    pub fn new(name: impl Into<String>, language: impl Into<String>) -> Self {
        TemplateMessage {
            name: name.into(),
            language: language.into(),
            params: Vec::new(),
        }
    }

    /// Adds a body parameter, [`flatten`]ed (templates refuse newlines, tabs and runs of
    /// spaces in parameters).
    pub fn param(&mut self, value: &str) -> &mut Self {
        self.params.push(flatten(value));
        self
    }
}

/// What the API returned for an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendResult {
    /// The message id (`wamid...`) that status webhooks refer to.
    pub message_id: String,
    /// The recipient's WhatsApp id as Meta resolved it.
    pub wa_id: Option<String>,
}

/// The JSON body of a text message (`preview_url` false).
pub fn text_body(to: &PhoneNumber, body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.as_str(),
        "type": "text",
        "text": {"preview_url": false, "body": body},
    })
}

/// The JSON body of a template message with body parameters.
pub fn template_body(to: &PhoneNumber, t: &TemplateMessage) -> Value {
    let mut template = json!({
        "name": t.name,
        "language": {"code": t.language},
    });
    if !t.params.is_empty() {
        let params: Vec<Value> = t
            .params
            .iter()
            .map(|p| json!({"type": "text", "text": p}))
            .collect();
        template["components"] = json!([{"type": "body", "parameters": params}]);
    }
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.as_str(),
        "type": "template",
        "template": template,
    })
}

/// Checks a text body locally: not empty, at most [`MAX_TEXT_LEN`].
pub fn check_text(body: &str) -> Result<(), Error> {
    if body.trim().is_empty() {
        return Err(Error::InvalidRequest("message text is empty".into()));
    }
    if text_len(body) > MAX_TEXT_LEN {
        return Err(Error::InvalidRequest(format!(
            "message text is longer than {MAX_TEXT_LEN} characters; split it first"
        )));
    }
    Ok(())
}

/// Checks template parameters locally: no newline or tab, no run of 4 spaces, not empty,
/// all together within [`MAX_TEMPLATE_BODY`].
pub fn check_template(t: &TemplateMessage) -> Result<(), Error> {
    if t.name.is_empty() || t.language.is_empty() {
        return Err(Error::InvalidRequest(
            "template name and language are required".into(),
        ));
    }
    let mut total = 0usize;
    for p in &t.params {
        if p.trim().is_empty() {
            return Err(Error::InvalidRequest("empty template parameter".into()));
        }
        if p.contains(['\n', '\r', '\t']) || p.contains("    ") {
            return Err(Error::InvalidRequest(
                "template parameters may not contain newlines, tabs or 4 spaces in a row".into(),
            ));
        }
        total += text_len(p);
    }
    if total > MAX_TEMPLATE_BODY {
        return Err(Error::InvalidRequest(format!(
            "template parameters are longer than the {MAX_TEMPLATE_BODY}-character body"
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiError,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: String,
    code: i64,
    error_data: Option<ErrorData>,
    fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

#[derive(Deserialize)]
struct SendReply {
    #[serde(default)]
    contacts: Vec<ReplyContact>,
    messages: Vec<ReplyMessage>,
}

#[derive(Deserialize)]
struct ReplyContact {
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct ReplyMessage {
    id: String,
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(160).collect()
}

/// Classifies a reply to a send (HTTP status and body) into a result or a typed [`Error`].
/// Sans-io.
pub fn decode_response(status: u16, body: &[u8]) -> Result<SendResult, Error> {
    if let Ok(env) = serde_json::from_slice::<ErrorEnvelope>(body) {
        return Err(Error::Api {
            status,
            code: env.error.code,
            message: env.error.message.chars().take(512).collect(),
            details: env
                .error
                .error_data
                .and_then(|d| d.details)
                .map(|d| d.chars().take(512).collect()),
            fbtrace_id: env.error.fbtrace_id.map(|t| t.chars().take(64).collect()),
        });
    }
    if !(200..300).contains(&status) {
        return Err(Error::Http {
            status,
            excerpt: excerpt(body),
        });
    }
    let reply: SendReply = serde_json::from_slice(body)
        .map_err(|e| Error::Decode(format!("{e}: {:?}", excerpt(body))))?;
    let message_id = reply
        .messages
        .into_iter()
        .next()
        .map(|m| m.id)
        .ok_or_else(|| Error::Decode("reply without a message id".into()))?;
    Ok(SendResult {
        message_id,
        wa_id: reply.contacts.into_iter().next().and_then(|c| c.wa_id),
    })
}

/// Builds a [`CloudApi`].
#[derive(Debug, Clone)]
pub struct CloudApiBuilder {
    token: Token,
    phone_number_id: String,
    base_url: String,
    version: String,
    timeout: Duration,
}

impl CloudApiBuilder {
    /// Sets the base URL (a proxy, or a test server), e.g. `http://127.0.0.1:8080`. A trailing
    /// `/` is ignored.
    pub fn base_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets the Graph API version (`v23.0`).
    pub fn api_version(&mut self, version: impl Into<String>) -> &mut Self {
        self.version = version.into().trim_matches('/').to_owned();
        self
    }

    /// Sets the timeout of each request (default 30 s).
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// The client.
    pub fn build(&self) -> CloudApi {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        CloudApi {
            http,
            token: self.token.clone(),
            messages_url: Arc::from(format!(
                "{}/{}/{}/messages",
                self.base_url, self.version, self.phone_number_id
            )),
            timeout: self.timeout,
        }
    }
}

/// A Cloud API client for one business phone number: cheap to clone, safe to share.
///
/// ```no_run
/// # async fn demo() -> Result<(), wa_notify::Error> {
/// use wa_notify::{CloudApi, PhoneNumber, Token};
/// let api = CloudApi::builder(Token::new(std::env::var("WHATSAPP_TOKEN").unwrap()), "106540352242922").build();
/// let to: PhoneNumber = "+62 812 3456 7890".parse().unwrap();
/// let sent = api.send_text(&to, "*core-sw1* ether1 down").await?;
/// println!("{}", sent.message_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CloudApi {
    http: reqwest::Client,
    token: Token,
    messages_url: Arc<str>,
    timeout: Duration,
}

impl fmt::Debug for CloudApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudApi")
            .field("token", &self.token)
            .field("messages_url", &self.messages_url)
            .finish_non_exhaustive()
    }
}

impl CloudApi {
    /// A builder for the number `phone_number_id` (the id Meta shows for the business number,
    /// not the number itself), against [`DEFAULT_BASE_URL`] and [`DEFAULT_API_VERSION`].
    pub fn builder(token: Token, phone_number_id: impl Into<String>) -> CloudApiBuilder {
        CloudApiBuilder {
            token,
            phone_number_id: phone_number_id.into().trim().to_owned(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            version: DEFAULT_API_VERSION.to_owned(),
            timeout: Duration::from_secs(30),
        }
    }

    /// The URL messages are posted to (no secret in it).
    pub fn messages_url(&self) -> &str {
        &self.messages_url
    }

    /// Sends a text message (link previews off). Text over [`MAX_TEXT_LEN`] is refused
    /// locally: split it with [`format::split`](crate::format::split).
    pub async fn send_text(&self, to: &PhoneNumber, body: &str) -> Result<SendResult, Error> {
        check_text(body)?;
        self.post(&text_body(to, body)).await
    }

    /// Sends an approved template with body parameters.
    pub async fn send_template(
        &self,
        to: &PhoneNumber,
        template: &TemplateMessage,
    ) -> Result<SendResult, Error> {
        check_template(template)?;
        self.post(&template_body(to, template)).await
    }

    async fn post(&self, body: &Value) -> Result<SendResult, Error> {
        let reply = self
            .http
            .post(&*self.messages_url)
            .bearer_auth(self.token.expose())
            .timeout(self.timeout)
            .json(body)
            .send()
            .await
            .map_err(|e| network_error(&self.token, e))?;
        let status = reply.status().as_u16();
        let body = read_bounded(reply, MAX_REPLY_BYTES)
            .await
            .map_err(|e| match e {
                ReadError::Http(e) => network_error(&self.token, e),
                ReadError::TooLong => {
                    Error::Decode(format!("reply larger than {MAX_REPLY_BYTES} bytes"))
                }
            })?;
        decode_response(status, &body).map_err(|e| redact(&self.token, e))
    }
}

fn redact(token: &Token, e: Error) -> Error {
    match e {
        Error::Api {
            status,
            code,
            message,
            details,
            fbtrace_id,
        } => Error::Api {
            status,
            code,
            message: token.redact(&message),
            details: details.map(|d| token.redact(&d)),
            fbtrace_id,
        },
        Error::Http { status, excerpt } => Error::Http {
            status,
            excerpt: token.redact(&excerpt),
        },
        Error::Decode(d) => Error::Decode(token.redact(&d)),
        other => other,
    }
}

/// A network error as text: no URL (it could carry secrets), the token removed, the causes
/// appended.
pub(crate) fn network_message(e: reqwest::Error, secrets: &[&str]) -> (String, bool) {
    let timeout = e.is_timeout();
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        message = message.replace(*s, "<secret>");
    }
    (message, timeout)
}

fn network_error(token: &Token, e: reqwest::Error) -> Error {
    let (message, timeout) = network_message(e, &[token.expose()]);
    Error::Network { message, timeout }
}

pub(crate) enum ReadError {
    Http(reqwest::Error),
    TooLong,
}

/// Reads at most `max` bytes of a body; a longer one is an error, never an allocation.
pub(crate) async fn read_bounded(
    mut reply: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    if reply
        .content_length()
        .is_some_and(|l| l > u64::try_from(max).unwrap_or(u64::MAX))
    {
        return Err(ReadError::TooLong);
    }
    let mut body = Vec::new();
    while let Some(chunk) = reply.chunk().await.map_err(ReadError::Http)? {
        if body.len().saturating_add(chunk.len()) > max {
            return Err(ReadError::TooLong);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_have_the_documented_shape() {
        let to: PhoneNumber = "6281234567890".parse().unwrap();
        let b = text_body(&to, "hi");
        assert_eq!(b["messaging_product"], "whatsapp");
        assert_eq!(b["to"], "6281234567890");
        assert_eq!(b["type"], "text");
        assert_eq!(b["text"]["preview_url"], false);
        assert_eq!(b["text"]["body"], "hi");
        let mut t = TemplateMessage::new("noc_alert", "id");
        t.param("a\nb");
        let b = template_body(&to, &t);
        assert_eq!(b["template"]["name"], "noc_alert");
        assert_eq!(b["template"]["language"]["code"], "id");
        assert_eq!(b["template"]["components"][0]["type"], "body");
        assert_eq!(
            b["template"]["components"][0]["parameters"][0],
            json!({"type": "text", "text": "a | b"})
        );
    }

    #[test]
    fn replies_are_classified() {
        let ok = br#"{"messaging_product":"whatsapp","contacts":[{"input":"62812","wa_id":"62812"}],"messages":[{"id":"wamid.X"}]}"#;
        let r = decode_response(200, ok).unwrap();
        assert_eq!(r.message_id, "wamid.X");
        assert_eq!(r.wa_id.as_deref(), Some("62812"));
        let err = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed"},"fbtrace_id":"Az"}}"#;
        let e = decode_response(400, err).unwrap_err();
        assert!(e.is_outside_window());
        assert_eq!(e.status(), Some(400));
        assert!(e.to_string().contains("24 hours"));
        let e = decode_response(502, b"<html>bad gateway</html>").unwrap_err();
        assert!(e.is_retryable());
        assert!(matches!(decode_response(200, b"{}"), Err(Error::Decode(_))));
        assert!(matches!(
            decode_response(200, br#"{"messages":[]}"#),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn local_checks() {
        assert!(check_text(" ").is_err());
        assert!(check_text(&"x".repeat(MAX_TEXT_LEN + 1)).is_err());
        assert!(check_text(&"x".repeat(MAX_TEXT_LEN)).is_ok());
        let mut t = TemplateMessage::new("n", "id");
        t.params.push("a\nb".into());
        assert!(check_template(&t).is_err());
        let mut t = TemplateMessage::new("n", "id");
        t.param(&"y".repeat(MAX_TEMPLATE_BODY + 1));
        assert!(check_template(&t).is_err());
    }
}
