//! WhatsApp as a chat channel for network alerts: the official Business Cloud API, its
//! webhook, and unofficial HTTP gateways, delivered through the same persistent, paced outbox
//! as Telegram ([`tg_notify::Notifier`]).
//!
//! - [`CloudApi`]: send text and approved templates; typed [`Error`]s with predicates
//!   (`is_retryable`, `retry_after`, `is_fatal`, `is_outside_window`); the [`Token`] never
//!   appears in `Debug`, `Display`, logs or errors; replies are read with a size bound.
//! - [`CloudTransport`]: the Cloud API as a [`tg_notify::Transport`]: the 24-hour window per
//!   recipient (text inside, the configured template outside, a 131047 re-sends the same
//!   message as the template), pair-rate and throughput backoff, a loud stop on token and
//!   permission errors. [`limits`] / [`notifier_config`] pace one message per 6 s per number.
//! - [`webhook`] (sans-io): subscription check, `X-Hub-Signature-256` check before parsing,
//!   bounded parsing into [`InboundEvent`]s, a [`Deduper`] for redeliveries.
//! - [`format`](mod@format): WhatsApp markup ([`Markup`]), splitting under 4,096 characters, flattening
//!   for template parameters.
//! - [`gateway`]: a generic HTTP gateway channel (Fonnte, Wablas, WAHA, Evolution API) from a
//!   TOML file. **Unofficial: the number can be banned.**
//! - `fake` (feature `fake-server`): a fake Cloud API server for tests.
//!
//! Without the default feature `client` only the sans-io parts remain (webhook, format,
//! phone numbers).
//!
//! ```
//! use std::time::Duration;
//! use tg_notify::{Alert, MemoryStore, Notifier};
//! use wa_notify::fake::FakeCloudApi;
//! use wa_notify::{CloudConfig, CloudTransport, PhoneNumber, TemplateConfig};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let fake = FakeCloudApi::start().await;
//! let to: PhoneNumber = "+62 812 3456 7890".parse().unwrap();
//! fake.mark_inbound(&to); // the admin wrote to the bot: text is allowed for 24 hours
//!
//! let mut cfg = CloudConfig::default();
//! cfg.template(TemplateConfig::new("noc_alert", "id"));
//! let transport = CloudTransport::new(fake.api(), cfg);
//! transport.windows().record_inbound(&to, fake.now_unix());
//!
//! let n = Notifier::with_transport(transport, MemoryStore::new(), wa_notify::notifier_config()).unwrap();
//! n.enqueue(Alert::new(to.clone(), "*core-sw1* ether1 down")).unwrap();
//! tokio::time::timeout(Duration::from_secs(10), n.wait_idle()).await.unwrap();
//! assert_eq!(fake.delivered(&to)[0].text(), "*core-sw1* ether1 down");
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod format;
mod phone;
pub mod webhook;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod cloud;
#[cfg(feature = "client")]
mod error;
#[cfg(feature = "client")]
pub mod gateway;

#[cfg(feature = "fake-server")]
pub mod fake;

pub use format::Markup;
pub use phone::{PhoneNumber, PhoneNumberError};
pub use webhook::{
    parse_webhook, verify_signature, verify_subscription, Deduper, InboundEvent, WebhookError,
};

#[cfg(feature = "client")]
pub use client::{
    check_template, check_text, decode_response, template_body, text_body, CloudApi,
    CloudApiBuilder, SendResult, TemplateMessage, Token, DEFAULT_API_VERSION, DEFAULT_BASE_URL,
    MAX_REPLY_BYTES,
};
#[cfg(feature = "client")]
pub use cloud::{
    limits, notifier_config, CloudConfig, CloudTransport, TemplateConfig, WindowStatus, Windows,
    DEFAULT_GLOBAL_RATE, PAIR_INTERVAL, WINDOW,
};
#[cfg(feature = "client")]
pub use error::Error;
#[cfg(feature = "client")]
pub use gateway::{GatewayConfig, GatewayTransport};
