//! A generic HTTP gateway channel for **unofficial** WhatsApp gateways (Fonnte, Wablas, WAHA,
//! Evolution API, ...).
//!
//! These services drive a normal WhatsApp account through WhatsApp Web. That is against
//! WhatsApp's terms: **the number can be banned at any time**, and delivery is best effort.
//! Prefer the Cloud API ([`CloudTransport`](crate::CloudTransport)); use a gateway when an
//! operator already pays for one and accepts the risk. Pacing defaults are slow on purpose.
//!
//! A gateway is described by a TOML file: URL, method, headers, a body template with `{to}`
//! and `{text}` placeholders (escaped for the content type: JSON string escapes for `json`,
//! percent-encoding for `form` and in the URL), and how success is recognised. `${VAR}` in the
//! URL and header values is replaced by the environment variable, so secrets stay out of the
//! file.
//!
//! ```
//! use wa_notify::gateway::GatewayConfig;
//!
//! // Fonnte: form body, token in a plain Authorization header, {"status":true} on success
//! let cfg = GatewayConfig::from_toml_with_env(r#"
//!     url = "https://api.fonnte.com/send"
//!     content_type = "form"
//!     body = "target={to}&message={text}&countryCode=62"
//!     [headers]
//!     Authorization = "${FONNTE_TOKEN}"
//!     [success]
//!     json_pointer = "/status"
//!     equals = true
//! "#, |_| Some("s3cret".into())).unwrap();
//! let req = cfg.render("6281234567890", "r1 down & \"out\"\nping lost");
//! assert_eq!(req.body, "target=6281234567890&message=r1+down+%26+%22out%22%0Aping+lost&countryCode=62");
//! assert!(cfg.is_success(200, br#"{"status":true,"detail":"success! message in queue"}"#));
//! assert!(!cfg.is_success(200, br#"{"status":false,"reason":"invalid token"}"#));
//! assert!(!format!("{cfg:?}").contains("s3cret"));
//! ```

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tg_notify::pacing::Limits;
use tg_notify::transport::{RateScope, SendError, SendFuture, Sent, Transport};
use tg_notify::{render, ChatId, NotifierConfig, QueuedMessage};
use toml::Spanned;

use crate::client::{network_message, read_bounded, ReadError};
use crate::format::split;

/// Largest gateway reply read (bytes).
pub const MAX_GATEWAY_REPLY: usize = 64 * 1024;

/// Largest gateway config file read (bytes).
pub const MAX_CONFIG_FILE: u64 = 256 * 1024;

/// A gateway configuration that could not be loaded, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
    /// Invalid TOML or an invalid value.
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Config {
        /// 1-based line of the offending value, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// How the body is encoded, and so how placeholders are escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentType {
    /// `application/json`: values are JSON-string escaped (the template supplies the quotes).
    Json,
    /// `application/x-www-form-urlencoded`: values are percent-encoded.
    Form,
    /// Any other type: values are inserted as they are.
    Raw(String),
}

impl ContentType {
    fn mime(&self) -> &str {
        match self {
            ContentType::Json => "application/json",
            ContentType::Form => "application/x-www-form-urlencoded",
            ContentType::Raw(m) => m,
        }
    }
}

/// How a successful send is recognised.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SuccessCheck {
    /// Accepted HTTP statuses (default 200-299).
    pub status: Range<u16>,
    /// A JSON pointer (`/status`) into the reply that must be `equals`, or truthy when
    /// `equals` is not set.
    pub json_pointer: Option<String>,
    /// The value expected at `json_pointer`.
    pub equals: Option<serde_json::Value>,
    /// A substring the reply body must contain.
    pub contains: Option<String>,
}

/// A request rendered for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderedRequest {
    /// URL with `{to}` filled in (may hold secrets: never log it).
    pub url: String,
    /// Body.
    pub body: String,
}

/// A gateway: where and how to send, and how success looks. Load it with
/// [`from_toml`](Self::from_toml) / [`load`](Self::load).
///
/// Keys: `url` (required), `method` (`POST`), `content_type` (`json`, `form`, or a MIME type;
/// default `json`), `body` (required; `{to}` and `{text}`), `[headers]`, `[success]` with
/// `status` (`"200-299"` or a number), `json_pointer`, `equals`, `contains`; `max_len` (text
/// split length, default 4096), `timeout_secs` (30), `[pacing]` with
/// `per_recipient_interval_secs` (6) and `global_per_second` (0.5).
///
/// `Debug` shows neither header values, nor the URL's query, nor the body template.
#[derive(Clone)]
#[non_exhaustive]
pub struct GatewayConfig {
    /// URL, `{to}` allowed.
    pub url: String,
    /// HTTP method.
    pub method: String,
    /// Headers (values may be secrets).
    pub headers: Vec<(String, String)>,
    /// Body encoding.
    pub content_type: ContentType,
    /// Body template.
    pub body: String,
    /// Success check.
    pub success: SuccessCheck,
    /// Longest text per request (longer messages are split with `(i/n)`).
    pub max_len: usize,
    /// Request timeout.
    pub timeout: Duration,
    /// Least time between two messages to one recipient.
    pub per_recipient_interval: Duration,
    /// Most messages per second overall.
    pub global_per_second: f64,
}

fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?<redacted>"),
        None => url.to_owned(),
    }
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(k, _)| format!("{k}: <redacted>"))
            .collect();
        f.debug_struct("GatewayConfig")
            .field("url", &redact_url(&self.url))
            .field("method", &self.method)
            .field("headers", &headers)
            .field("content_type", &self.content_type)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("success", &self.success)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    url: Spanned<String>,
    #[serde(default)]
    method: Option<Spanned<String>>,
    #[serde(default)]
    content_type: Option<Spanned<String>>,
    body: Spanned<String>,
    #[serde(default)]
    headers: Option<Spanned<toml::Table>>,
    #[serde(default)]
    success: Option<RawSuccess>,
    #[serde(default)]
    max_len: Option<Spanned<i64>>,
    #[serde(default)]
    timeout_secs: Option<Spanned<f64>>,
    #[serde(default)]
    pacing: Option<RawPacing>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuccess {
    #[serde(default)]
    status: Option<Spanned<toml::Value>>,
    #[serde(default)]
    json_pointer: Option<Spanned<String>>,
    #[serde(default)]
    equals: Option<toml::Value>,
    #[serde(default)]
    contains: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPacing {
    #[serde(default)]
    per_recipient_interval_secs: Option<Spanned<f64>>,
    #[serde(default)]
    global_per_second: Option<Spanned<f64>>,
}

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1)
}

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Value::from(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Replaces `${VAR}` with `env(VAR)`.
fn expand(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let end = after
            .find('}')
            .ok_or_else(|| "unclosed ${ in value".to_owned())?;
        let name = after.get(..end).unwrap_or("");
        let value = env(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("environment variable {name} is not set"))?;
        out.push_str(&value);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

fn json_escape(v: &str) -> String {
    let quoted = serde_json::Value::String(v.to_owned()).to_string();
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or("")
        .to_owned()
}

fn percent(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

impl GatewayConfig {
    /// Loads a TOML file; `${VAR}` from the process environment.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, GatewayError> {
        use std::io::Read;
        let path = path.as_ref();
        let io = |e: std::io::Error| GatewayError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(MAX_CONFIG_FILE + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_CONFIG_FILE {
            return Err(GatewayError::Io {
                path: path.display().to_string(),
                message: format!("larger than {MAX_CONFIG_FILE} bytes"),
            });
        }
        Self::from_toml(&text)
    }

    /// Parses TOML; `${VAR}` from the process environment.
    pub fn from_toml(src: &str) -> Result<Self, GatewayError> {
        Self::from_toml_with_env(src, |k| std::env::var(k).ok())
    }

    /// Parses TOML with `env` resolving `${VAR}` (tests pass their own).
    pub fn from_toml_with_env(
        src: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, GatewayError> {
        let raw: RawConfig = toml::from_str(src).map_err(|e| GatewayError::Config {
            line: e.span().map(|s| line_of(src, s.start)),
            message: e.message().to_owned(),
        })?;
        let err = |span: Range<usize>, message: String| GatewayError::Config {
            line: Some(line_of(src, span.start)),
            message,
        };
        let url = expand(raw.url.get_ref(), &env).map_err(|m| err(raw.url.span(), m))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(err(
                raw.url.span(),
                "url must start with http:// or https://".into(),
            ));
        }
        let method = match &raw.method {
            Some(m) => {
                let up = m.get_ref().to_ascii_uppercase();
                if !["POST", "PUT", "PATCH", "GET"].contains(&up.as_str()) {
                    return Err(err(
                        m.span(),
                        format!("unsupported method {:?}", m.get_ref()),
                    ));
                }
                up
            }
            None => "POST".to_owned(),
        };
        let content_type = match &raw.content_type {
            None => ContentType::Json,
            Some(c) => match c.get_ref().to_ascii_lowercase().as_str() {
                "json" | "application/json" => ContentType::Json,
                "form" | "application/x-www-form-urlencoded" => ContentType::Form,
                other if other.contains('/') => ContentType::Raw(other.to_owned()),
                _ => {
                    return Err(err(
                        c.span(),
                        format!(
                            "content_type {:?}: expected json, form or a MIME type",
                            c.get_ref()
                        ),
                    ))
                }
            },
        };
        let body = raw.body.get_ref().clone();
        if !body.contains("{text}") {
            return Err(err(
                raw.body.span(),
                "body has no {text} placeholder".into(),
            ));
        }
        if !body.contains("{to}") && !raw.url.get_ref().contains("{to}") {
            return Err(err(
                raw.body.span(),
                "neither body nor url has a {to} placeholder".into(),
            ));
        }
        let mut headers = Vec::new();
        if let Some(h) = &raw.headers {
            for (k, v) in h.get_ref() {
                let toml::Value::String(v) = v else {
                    return Err(err(h.span(), format!("header {k}: value must be a string")));
                };
                let v = expand(v, &env).map_err(|m| err(h.span(), format!("header {k}: {m}")))?;
                if reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                    || reqwest::header::HeaderValue::from_str(&v).is_err()
                {
                    return Err(err(h.span(), format!("header {k}: invalid name or value")));
                }
                headers.push((k.clone(), v));
            }
        }
        let mut success = SuccessCheck {
            status: 200..300,
            json_pointer: None,
            equals: None,
            contains: None,
        };
        if let Some(s) = raw.success {
            if let Some(st) = &s.status {
                success.status = parse_status(st.get_ref()).ok_or_else(|| {
                    err(
                        st.span(),
                        "success.status: expected e.g. 200 or \"200-299\"".into(),
                    )
                })?;
            }
            if let Some(p) = &s.json_pointer {
                if !(p.get_ref().is_empty() || p.get_ref().starts_with('/')) {
                    return Err(err(p.span(), "json_pointer must start with /".into()));
                }
                success.json_pointer = Some(p.get_ref().clone());
            }
            success.equals = s.equals.map(toml_to_json);
            success.contains = s.contains;
        }
        let max_len = match &raw.max_len {
            Some(m) => usize::try_from(*m.get_ref())
                .ok()
                .filter(|n| (64..=65_536).contains(n))
                .ok_or_else(|| err(m.span(), "max_len must be 64..=65536".into()))?,
            None => 4096,
        };
        let secs = |v: &Option<Spanned<f64>>, default: f64, what: &str| match v {
            Some(s) if s.get_ref().is_finite() && *s.get_ref() > 0.0 && *s.get_ref() < 1e6 => {
                Ok(*s.get_ref())
            }
            Some(s) => Err(err(s.span(), format!("{what} must be a positive number"))),
            None => Ok(default),
        };
        let timeout = Duration::from_secs_f64(secs(&raw.timeout_secs, 30.0, "timeout_secs")?);
        let (per, global) = match &raw.pacing {
            Some(p) => (
                secs(
                    &p.per_recipient_interval_secs,
                    6.0,
                    "per_recipient_interval_secs",
                )?,
                secs(&p.global_per_second, 0.5, "global_per_second")?,
            ),
            None => (6.0, 0.5),
        };
        let cfg = GatewayConfig {
            url,
            method,
            headers,
            content_type,
            body,
            success,
            max_len,
            timeout,
            per_recipient_interval: Duration::from_secs_f64(per),
            global_per_second: global,
        };
        if cfg.content_type == ContentType::Json {
            let sample = cfg.render("6281234567890", "a \"quoted\" line\nand & more");
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&sample.body) {
                return Err(err(
                    raw.body.span(),
                    format!("body is not valid JSON once filled in: {e}"),
                ));
            }
        }
        Ok(cfg)
    }

    /// The request for a message `text` to `to`, placeholders escaped for the content type.
    pub fn render(&self, to: &str, text: &str) -> RenderedRequest {
        let esc = |v: &str| match self.content_type {
            ContentType::Json => json_escape(v),
            ContentType::Form => percent(v),
            ContentType::Raw(_) => v.to_owned(),
        };
        // one pass, so that a value containing "{text}" is never substituted again
        let mut body = String::with_capacity(self.body.len() + text.len() + to.len());
        let mut rest = self.body.as_str();
        loop {
            let next = [("{to}", to), ("{text}", text)]
                .into_iter()
                .filter_map(|(p, v)| rest.find(p).map(|i| (i, p, v)))
                .min_by_key(|(i, _, _)| *i);
            let Some((i, p, v)) = next else {
                body.push_str(rest);
                break;
            };
            body.push_str(rest.get(..i).unwrap_or(""));
            body.push_str(&esc(v));
            rest = rest.get(i + p.len()..).unwrap_or("");
        }
        RenderedRequest {
            url: self.url.replace("{to}", &percent(to)),
            body,
        }
    }

    /// Whether a reply means the message was accepted.
    pub fn is_success(&self, status: u16, body: &[u8]) -> bool {
        if !self.success.status.contains(&status) {
            return false;
        }
        if let Some(needle) = &self.success.contains {
            if !String::from_utf8_lossy(body).contains(needle.as_str()) {
                return false;
            }
        }
        if let Some(ptr) = &self.success.json_pointer {
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
                return false;
            };
            let Some(found) = v.pointer(ptr) else {
                return false;
            };
            return match &self.success.equals {
                Some(want) => json_equal(found, want),
                None => truthy(found),
            };
        }
        true
    }

    /// Pacing for this gateway.
    pub fn limits(&self) -> Limits {
        let mut l = crate::cloud::limits(self.per_recipient_interval, self.global_per_second);
        l.global(self.global_per_second, 1);
        l
    }

    /// A [`NotifierConfig`] with [`limits`](Self::limits).
    pub fn notifier_config(&self) -> NotifierConfig {
        let mut cfg = NotifierConfig::default();
        cfg.limits(self.limits());
        cfg
    }

    fn secrets(&self) -> Vec<String> {
        let mut s: Vec<String> = self.headers.iter().map(|(_, v)| v.clone()).collect();
        if let Some((_, q)) = self.url.split_once('?') {
            s.push(q.to_owned());
            s.extend(
                q.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(_, v)| v.to_owned()),
            );
        }
        s.retain(|v| v.len() >= 4);
        s
    }

    fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in self.secrets() {
            out = out.replace(&s, "<redacted>");
        }
        out
    }
}

fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        serde_json::Value::String(s) => {
            !s.is_empty()
                && !["false", "0", "error", "failed"].contains(&s.to_ascii_lowercase().as_str())
        }
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

fn parse_status(v: &toml::Value) -> Option<Range<u16>> {
    match v {
        toml::Value::Integer(i) => {
            let s = u16::try_from(*i).ok().filter(|s| (100..600).contains(s))?;
            Some(s..s + 1)
        }
        toml::Value::String(s) => {
            let (a, b) = s.split_once('-').unwrap_or((s, s));
            let a: u16 = a.trim().parse().ok()?;
            let b: u16 = b.trim().parse().ok()?;
            ((100..600).contains(&a) && (a..600).contains(&b)).then_some(a..b + 1)
        }
        _ => None,
    }
}

/// A gateway as a [`Transport`] for [`tg_notify::Notifier`]. Recipients are numeric chat ids
/// (phone numbers, sent as digits) or any other id the gateway takes, such as a group
/// `1203...@g.us`, as a `ChatId::Username`.
///
/// Unofficial: see the [module documentation](self).
#[derive(Clone)]
pub struct GatewayTransport {
    cfg: Arc<GatewayConfig>,
    http: reqwest::Client,
}

impl fmt::Debug for GatewayTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayTransport")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl GatewayTransport {
    /// A transport for `cfg`.
    pub fn new(cfg: GatewayConfig) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        GatewayTransport {
            cfg: Arc::new(cfg),
            http,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.cfg
    }

    /// Sends one text to `to` and classifies the outcome.
    pub async fn send_text(&self, to: &str, text: &str) -> Result<(), SendError> {
        let cfg = &self.cfg;
        let req = cfg.render(to, text);
        let method =
            reqwest::Method::from_bytes(cfg.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut rb = self
            .http
            .request(method, &req.url)
            .timeout(cfg.timeout)
            .header(reqwest::header::CONTENT_TYPE, cfg.content_type.mime())
            .body(req.body);
        for (k, v) in &cfg.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let secrets = cfg.secrets();
        let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let reply = rb.send().await.map_err(|e| {
            SendError::Transient(format!("gateway: {}", network_message(e, &secret_refs).0))
        })?;
        let status = reply.status().as_u16();
        let retry_after = reply
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = read_bounded(reply, MAX_GATEWAY_REPLY)
            .await
            .map_err(|e| match e {
                ReadError::Http(e) => {
                    SendError::Transient(format!("gateway: {}", network_message(e, &secret_refs).0))
                }
                ReadError::TooLong => SendError::Transient(format!(
                    "gateway reply larger than {MAX_GATEWAY_REPLY} bytes"
                )),
            })?;
        if cfg.is_success(status, &body) {
            return Ok(());
        }
        let excerpt: String = cfg
            .redact(&String::from_utf8_lossy(&body))
            .chars()
            .take(200)
            .collect();
        let what = format!("gateway answered HTTP {status}: {excerpt}");
        Err(match status {
            429 => SendError::RateLimited {
                wait: Duration::from_secs(retry_after.unwrap_or(5).clamp(1, 3600)),
                scope: RateScope::Global,
            },
            401 | 403 => SendError::Fatal(format!(
                "{what} (the gateway refused the credentials: check the token in the config)"
            )),
            500..=599 => SendError::Transient(what),
            _ => SendError::Rejected(what),
        })
    }
}

impl Transport for GatewayTransport {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        let to = match &msg.chat {
            ChatId::Id(id) => id.to_string(),
            other => other.to_string(),
        };
        let parts = split(&render(msg), self.cfg.max_len);
        let n = u32::try_from(parts.len()).unwrap_or(u32::MAX);
        let body = parts
            .into_iter()
            .nth(usize::try_from(part).unwrap_or(usize::MAX));
        let this = self.clone();
        Box::pin(async move {
            match body {
                None if n == 0 => Err(SendError::Rejected("message text is empty".into())),
                None => Ok(Sent::new(n)),
                Some(text) => this.send_text(&to, &text).await.map(|()| Sent::new(n)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        (k == "TOKEN").then(|| "tok-123456".to_owned())
    }

    #[test]
    fn waha_json_body_is_escaped() {
        let cfg = GatewayConfig::from_toml_with_env(
            r#"
url = "http://localhost:3000/api/sendText"
content_type = "json"
body = '{"session":"default","chatId":"{to}@c.us","text":"{text}"}'
[headers]
X-Api-Key = "${TOKEN}"
[success]
status = "200-201"
"#,
            env,
        )
        .unwrap();
        let req = cfg.render("6281234567890", "a \"b\"\n\tc & {to} \\ é");
        let v: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(v["chatId"], "6281234567890@c.us");
        assert_eq!(v["text"], "a \"b\"\n\tc & {to} \\ é");
        assert!(cfg.is_success(201, b"{}"));
        assert!(!cfg.is_success(202, b"{}"));
        assert_eq!(cfg.headers, vec![("X-Api-Key".into(), "tok-123456".into())]);
        assert!(!format!("{cfg:?}").contains("tok-123456"));
    }

    #[test]
    fn errors_name_the_line() {
        let src = "url = \"https://x/send\"\nbody = \"{to} {text}\"\nmethod = \"DELETE\"\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(e.to_string().starts_with("line 3: "), "{e}");
        let src = "url = \"https://x/send\"\n\nbody = '{\"a\":\"{text}\",\"b\":\"{to}\",}'\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(
            e.to_string().starts_with("line 3: body is not valid JSON"),
            "{e}"
        );
        let src = "url = \"https://x/{to}\"\nbody = \"{text}\"\n[headers]\nAuthorization = \"${MISSING}\"\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(e.to_string().contains("MISSING is not set"), "{e}");
        assert!(e.to_string().starts_with("line 3"), "{e}");
        let src = "url = \"https://x\"\nbody = \"{to} {text}\"\nbogus = 1\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(e.to_string().starts_with("line 3"), "{e}");
        let src = "url = \"https://x\"\nbody = \"{to} {text\"\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let src = "url = \"https://x\"\nbody = \"{to} {text}\"\n[success]\nstatus = \"299-200\"\n";
        let e = GatewayConfig::from_toml_with_env(src, env).unwrap_err();
        assert!(e.to_string().starts_with("line 4"), "{e}");
    }

    #[test]
    fn url_placeholders_and_query_secrets() {
        let cfg = GatewayConfig::from_toml_with_env(
            "url = \"https://api.example/send?phone={to}&apikey=${TOKEN}\"\nmethod = \"get\"\ncontent_type = \"text/plain\"\nbody = \"{text}\"\n[success]\ncontains = \"queued\"\n",
            env,
        )
        .unwrap();
        let req = cfg.render("+62 812", "x & y");
        assert_eq!(
            req.url,
            "https://api.example/send?phone=%2B62+812&apikey=tok-123456"
        );
        assert_eq!(req.body, "x & y");
        assert!(!format!("{cfg:?}").contains("tok-123456"));
        assert_eq!(cfg.redact("bad key tok-123456"), "bad key <redacted>");
        assert!(cfg.is_success(200, b"Message queued"));
        assert!(!cfg.is_success(200, b"error"));
    }
}
