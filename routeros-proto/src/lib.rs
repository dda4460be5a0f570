//! The RouterOS API wire protocol, as a sans-io codec and an async tokio client.
//!
//! MikroTik's RouterOS API (TCP 8728, TLS 8729) exchanges *sentences* of length-prefixed
//! *words*. This crate implements it in two layers:
//!
//! - **The codec** ([`length`], [`sentence`], [`Reply`], [`Command`], [`Query`], [`Request`],
//!   [`login`]): pure functions and state machines over byte buffers, with no I/O. Words are
//!   bytes ([`bytes::Bytes`]), never assumed to be UTF-8; every length is checked against
//!   [`Limits`] before anything is allocated; malformed input is a [`ProtocolError`], never a
//!   panic. [`codec`] adapts it to `tokio-util` for both the client and the server side.
//! - **The client** ([`Client`], [`connect`]): concurrent commands over one connection routed by
//!   `.tag`, streaming commands as bounded `Stream`s, both login methods, TLS through rustls.
//!
//! # Example: the codec
//!
//! ```
//! use bytes::BytesMut;
//! use routeros_proto::{Command, Query, Reply, ReplyKind, sentence::SentenceDecoder};
//!
//! // Encode a command...
//! let cmd = Command::builder("/interface/print")
//!     .query(&Query::eq("type", "ether"))
//!     .proplist(["name", "running"])
//!     .tag("1")
//!     .build();
//! let mut wire = BytesMut::new();
//! cmd.encode(&mut wire).unwrap();
//!
//! // ...and decode a reply, fed in pieces as it would arrive from a socket.
//! let mut buf = BytesMut::new();
//! Reply::re().with_attribute("name", "ether1").with_tag("1").encode(&mut buf).unwrap();
//! let mut decoder = SentenceDecoder::default();
//! let mut input = BytesMut::new();
//! let mut decoded = None;
//! for byte in buf.iter() {
//!     input.extend_from_slice(&[*byte]);
//!     if let Some(sentence) = decoder.decode(&mut input).unwrap() {
//!         decoded = Some(Reply::parse(sentence).unwrap());
//!     }
//! }
//! let reply = decoded.unwrap();
//! assert_eq!(reply.kind(), &ReplyKind::Re);
//! assert_eq!(reply.attributes().get("name").unwrap().as_ref(), b"ether1");
//! assert_eq!(reply.tag().unwrap().as_ref(), b"1");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attributes;
mod command;
mod error;
pub mod length;
pub mod login;
pub mod query;
mod reply;
mod request;
pub mod sentence;

pub mod client;
pub mod codec;

pub use attributes::{split_attribute, Attributes};
pub use client::{connect, Client, Config, Error, Overflow, Response};
pub use command::{Command, CommandBuilder};
pub use error::{Lossy, ProtocolError};
pub use query::{Query, QueryWord};
pub use reply::{Reply, ReplyKind, Trap, TrapCategory};
pub use request::Request;
pub use sentence::{Limits, Sentence};
