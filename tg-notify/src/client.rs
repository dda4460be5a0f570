//! The Bot API client.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::types::{BotCommand, Message, SendMessage, Update, User};

/// The public Bot API endpoint.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

/// Largest reply body read (bytes); a longer body is a [`Error::Decode`].
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// A bot token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token such as `123456:ABC-DEF...`.
    pub fn new(token: impl Into<String>) -> Self {
        Token(Arc::from(token.into()))
    }

    /// The bot id (the part before `:`), which is not secret.
    pub fn bot_id(&self) -> Option<i64> {
        self.0.split(':').next()?.parse().ok()
    }

    /// Removes every occurrence of the token (and of its secret half) from `text`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&*self.0, "<token>");
        if let Some((_, secret)) = self.0.split_once(':') {
            if secret.len() >= 8 {
                out = out.replace(secret, "<token>");
            }
        }
        out
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bot_id() {
            Some(id) => write!(f, "Token({id}:<redacted>)"),
            None => f.write_str("Token(<redacted>)"),
        }
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// `getUpdates` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GetUpdates {
    /// Highest `update_id` seen plus one; confirms every earlier update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// 1-100 updates per call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u8>,
    /// Long-polling timeout in seconds (0 = short polling).
    pub timeout: u32,
    /// Update types wanted, e.g. `["message"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
}

impl GetUpdates {
    /// Long polling from `offset` with a `timeout`-second wait.
    pub fn new(offset: Option<i64>, timeout: u32) -> Self {
        GetUpdates {
            offset,
            limit: None,
            timeout,
            allowed_updates: None,
        }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    migrate_to_chat_id: Option<i64>,
    retry_after: Option<u64>,
}

/// A Bot API client: cheap to clone, safe to share between tasks.
///
/// ```no_run
/// # async fn demo() -> Result<(), tg_notify::Error> {
/// use tg_notify::{Bot, SendMessage};
/// let bot = Bot::new("123456:secret");
/// bot.send_message(&SendMessage::new(42, "hello")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Bot {
    http: reqwest::Client,
    token: Token,
    api_url: Arc<str>,
    request_timeout: Duration,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("token", &self.token)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// A client for `token` against [`DEFAULT_API_URL`].
    pub fn new(token: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Bot {
            http,
            token: Token::new(token),
            api_url: Arc::from(DEFAULT_API_URL),
            request_timeout: Duration::from_secs(30),
        }
    }

    /// Uses another API base URL (a local Bot API server, or a test server), e.g.
    /// `http://127.0.0.1:8081`. A trailing `/` is ignored.
    pub fn with_api_url(mut self, url: impl Into<String>) -> Self {
        let url: String = url.into();
        self.api_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// Timeout of each request other than long polling (default 30 s).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The token (redacting `Debug`/`Display`).
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The API base URL.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// `getMe`: checks the token and returns the bot's own user.
    pub async fn get_me(&self) -> Result<User, Error> {
        self.call("getMe", &serde_json::json!({}), self.request_timeout)
            .await
    }

    /// `sendMessage`. An empty text is refused locally.
    pub async fn send_message(&self, msg: &SendMessage) -> Result<Message, Error> {
        if msg.text.trim().is_empty() {
            return Err(Error::InvalidRequest("message text is empty".into()));
        }
        self.call("sendMessage", msg, self.request_timeout).await
    }

    /// `getUpdates`. The HTTP timeout is the poll timeout plus 10 s, so a long poll is never
    /// cut short by the client.
    pub async fn get_updates(&self, params: &GetUpdates) -> Result<Vec<Update>, Error> {
        let timeout = Duration::from_secs(u64::from(params.timeout)) + Duration::from_secs(10);
        self.call("getUpdates", params, timeout).await
    }

    /// `deleteWebhook` (needed before long polling when a webhook was set).
    pub async fn delete_webhook(&self, drop_pending_updates: bool) -> Result<bool, Error> {
        self.call(
            "deleteWebhook",
            &serde_json::json!({ "drop_pending_updates": drop_pending_updates }),
            self.request_timeout,
        )
        .await
    }

    /// `setMyCommands`; each command is checked first (1-32 of `a-z0-9_`, 1-256 character
    /// description, at most 100 commands).
    pub async fn set_my_commands(&self, commands: &[BotCommand]) -> Result<bool, Error> {
        if commands.len() > 100 {
            return Err(Error::InvalidRequest("at most 100 commands".into()));
        }
        for c in commands {
            c.validate().map_err(Error::InvalidRequest)?;
        }
        self.call(
            "setMyCommands",
            &serde_json::json!({ "commands": commands }),
            self.request_timeout,
        )
        .await
    }

    async fn call<P: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
        timeout: Duration,
    ) -> Result<T, Error> {
        let url = format!("{}/bot{}/{}", self.api_url, self.token.expose(), method);
        let reply = self
            .http
            .post(url)
            .timeout(timeout)
            .json(params)
            .send()
            .await
            .map_err(|e| self.network_error(e))?;
        let status = reply.status().as_u16();
        let body = read_bounded(reply).await.map_err(|e| match e {
            ReadError::Http(e) => self.network_error(e),
            ReadError::TooLong => {
                Error::Decode(format!("reply larger than {MAX_REPLY_BYTES} bytes"))
            }
        })?;
        decode_reply(status, &body).map_err(|e| self.redact_error(e))
    }

    fn network_error(&self, e: reqwest::Error) -> Error {
        let timeout = e.is_timeout();
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Error::Network {
            message: self.token.redact(&message),
            timeout,
        }
    }

    fn redact_error(&self, e: Error) -> Error {
        match e {
            Error::BadRequest(d) => Error::BadRequest(self.token.redact(&d)),
            Error::Forbidden(d) => Error::Forbidden(self.token.redact(&d)),
            Error::Unauthorized(d) => Error::Unauthorized(self.token.redact(&d)),
            Error::Conflict(d) => Error::Conflict(self.token.redact(&d)),
            Error::Server {
                status,
                description,
            } => Error::Server {
                status,
                description: self.token.redact(&description),
            },
            Error::Api { code, description } => Error::Api {
                code,
                description: self.token.redact(&description),
            },
            Error::Decode(d) => Error::Decode(self.token.redact(&d)),
            other => other,
        }
    }
}

enum ReadError {
    Http(reqwest::Error),
    TooLong,
}

async fn read_bounded(mut reply: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    while let Some(chunk) = reply.chunk().await.map_err(ReadError::Http)? {
        if body.len().saturating_add(chunk.len()) > MAX_REPLY_BYTES {
            return Err(ReadError::TooLong);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Classifies a Bot API reply (HTTP status and body) into a result or a typed [`Error`].
///
/// Sans-io: usable by anything that speaks HTTP.
pub fn decode_reply<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    let envelope: Envelope<T> = match serde_json::from_slice(body) {
        Ok(env) => env,
        Err(e) => {
            let excerpt: String = String::from_utf8_lossy(body).chars().take(120).collect();
            return Err(if status >= 500 {
                Error::Server {
                    status,
                    description: excerpt,
                }
            } else if status == 401 || status == 404 {
                Error::Unauthorized(format!("HTTP {status}"))
            } else {
                Error::Decode(format!("HTTP {status}: {e}: {excerpt:?}"))
            });
        }
    };
    if envelope.ok {
        return envelope
            .result
            .ok_or_else(|| Error::Decode("`ok` reply without `result`".into()));
    }
    let code = envelope.error_code.unwrap_or(i64::from(status));
    let description = envelope.description.unwrap_or_default();
    let params = envelope.parameters;
    if let Some(id) = params.as_ref().and_then(|p| p.migrate_to_chat_id) {
        return Err(Error::MigrateToChat(id));
    }
    if let Some(secs) = params.as_ref().and_then(|p| p.retry_after) {
        return Err(Error::RetryAfter(Duration::from_secs(secs)));
    }
    Err(match code {
        400 => Error::BadRequest(description),
        401 | 404 => Error::Unauthorized(description),
        403 => Error::Forbidden(description),
        409 => Error::Conflict(description),
        429 => Error::RetryAfter(Duration::from_secs(1)),
        500..=599 => Error::Server {
            status: u16::try_from(code).unwrap_or(500),
            description,
        },
        _ => Error::Api { code, description },
    })
}
