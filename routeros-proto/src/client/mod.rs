//! The async client: one connection, any number of concurrent commands, routed by `.tag`.
//!
//! [`Config::connect`] opens a TCP (or TLS) connection, logs in, and spawns a connection task
//! that reads and writes the socket. It returns a [`Client`]: a cheap, cloneable handle. Every
//! command the client sends carries its own `.tag`, so commands run concurrently on one
//! connection and a slow command never holds up another. The connection task stops when the
//! last `Client` (and the last stream made from one) is dropped, or on [`Client::close`].
//!
//! - [`Client::execute`] / [`Client::print`] collect every `!re` until `!done` (`!empty` means
//!   zero rows); `!trap`s become [`Error::Trap`] carrying every trap.
//! - [`Client::stream`] returns a [`RowStream`] for commands that never finish on their own
//!   (`listen`, `print =follow=`, `monitor-traffic`, `ping`, `/log/print =follow-only=`).
//!   Dropping it, or calling [`RowStream::cancel`], sends `/cancel =tag=` and swallows the
//!   `interrupted` trap.
//! - [`Client::replies`] returns every reply sentence in order (`!re`, `!done`, `!trap`,
//!   `!empty`, unknown words), for tools that show the raw exchange.
//! - Every streaming command has a bounded buffer ([`Config::row_buffer`]). When it is full,
//!   the connection stops reading the socket until the consumer takes a reply: nothing is
//!   dropped, and TCP slows the router down (back-pressure, as tokio-postgres and redis-rs
//!   multiplexers do). While it waits, the replies of the *other* commands on the connection
//!   wait too (head-of-line blocking). Two ways out: a consumer that takes nothing for the
//!   [lag deadline](Config::lag_deadline) (default 30 s) gets [`Error::Lagged`] and its
//!   command is cancelled, which frees the connection; and a command started with
//!   [`Overflow::Cancel`] ([`Client::stream_with`]) ends with `Lagged` at once instead of
//!   waiting, for monitors where only fresh data matters. At most [`Config::max_in_flight`]
//!   commands run at once.
//! - A collecting command holds at most [`Config::max_rows`] replies (default 1,000,000) and
//!   [`Config::max_response_bytes`] bytes of memory (default 512 MiB; a received row costs
//!   its wire size plus about a hundred bytes); beyond that it fails with
//!   [`Error::TooManyRows`] / [`Error::ResponseTooLarge`] and is cancelled on the router, the
//!   other commands unaffected.
//! - A `!fatal`, a disconnect or undecodable bytes fail every pending command with an error
//!   that says which ([`Error::is_closed`]); later commands fail at once.
//! - [`ReconnectingClient`] reconnects with backoff and re-issues long-lived monitors.
//! - TLS (api-ssl) goes through rustls: see [`TlsConfig`] for a CA, a pinned self-signed
//!   certificate, or a verifier of your own. RouterOS's anonymous-DH api-ssl mode (no
//!   certificate on the service) cannot be offered by rustls.
//!
//! # Example
//!
//! Against a router (here a tiny fake one, over an in-memory pipe):
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use routeros_proto::client::Config;
//! use routeros_proto::codec::ServerCodec;
//! use routeros_proto::{Command, Reply};
//! use tokio_util::codec::Framed;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), routeros_proto::Error> {
//! let (client_io, router_io) = tokio::io::duplex(4096);
//! tokio::spawn(async move {
//!     let mut router = Framed::new(router_io, ServerCodec::default());
//!     while let Some(Ok(Ok(req))) = router.next().await {
//!         let tag = req.tag.clone().unwrap_or_default();
//!         if req.command.as_ref() == b"/system/identity/print" {
//!             let row = Reply::re().with_attribute("name", "core-1").with_tag(tag.clone());
//!             router.send(row).await.ok();
//!         }
//!         router.send(Reply::done().with_tag(tag)).await.ok();
//!     }
//! });
//!
//! let mut config = Config::new("router.example");
//! config.user("admin").password("secret");
//! let client = config.connect_stream(client_io).await?;
//! let rows = client.print(Command::new("/system/identity/print")).await?;
//! assert_eq!(rows[0].get_str("name").unwrap().unwrap(), "core-1");
//! # Ok(())
//! # }
//! ```
//!
//! With a real router: `routeros_proto::connect("192.0.2.1", "admin", "secret").await?`.

mod driver;
mod error;
mod reconnect;
mod stream;
mod tls;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio_util::codec::{Framed, FramedRead};

pub use error::Error;
pub use reconnect::ReconnectingClient;
pub use stream::{ReplyStream, RowStream};
pub use tls::{Fingerprint, TlsConfig};

use crate::codec::ClientCodec;
use crate::login::{Login, LoginMethod, LoginStep};
use crate::{Attributes, Command, Limits, Reply, ReplyKind};
use driver::{CollectLimits, Collector, Io, Pending, Shared, Sink};

/// The plain API port.
pub const DEFAULT_PORT: u16 = 8728;
/// The api-ssl port.
pub const DEFAULT_TLS_PORT: u16 = 8729;

/// Capacity of the connection's read buffer.
const READ_BUFFER: usize = 64 << 10;

/// Connects to `addr` (`host` or `host:port`, port 8728 by default) and logs in with the
/// default settings. Shortcut for [`Config::connect`].
pub async fn connect(
    addr: impl Into<String>,
    user: impl Into<String>,
    password: impl Into<String>,
) -> Result<Client, Error> {
    let mut config = Config::new(addr);
    config.user(user).password(password);
    config.connect().await
}

/// What a streaming command does when its consumer falls behind and its buffer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Overflow {
    /// Stop reading the connection until the consumer takes a reply (back-pressure), up to
    /// the [lag deadline](Config::lag_deadline). Nothing is lost. The default.
    #[default]
    Wait,
    /// End the stream with [`Error::Lagged`] and cancel the command at once, leaving the
    /// connection to the other commands: for monitors where only fresh data matters (a
    /// consumer that is behind would rather restart than read old rows).
    Cancel,
}

/// How to connect and log in, and the client's limits.
///
/// ```
/// use std::time::Duration;
/// use routeros_proto::client::Config;
/// let mut config = Config::new("192.0.2.1:8728");
/// config
///     .user("monitor")
///     .password("secret")
///     .connect_timeout(Duration::from_secs(5))
///     .command_timeout(Duration::from_secs(30))
///     .row_buffer(256)
///     .max_rows(200_000);
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct Config {
    addr: String,
    user: String,
    password: Vec<u8>,
    tls: Option<TlsConfig>,
    connect_timeout: Duration,
    command_timeout: Option<Duration>,
    limits: Limits,
    row_buffer: usize,
    lag_deadline: Option<Duration>,
    max_in_flight: usize,
    max_rows: usize,
    max_response_bytes: usize,
    login_method: LoginMethod,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("tls", &self.tls)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("limits", &self.limits)
            .field("row_buffer", &self.row_buffer)
            .field("lag_deadline", &self.lag_deadline)
            .field("max_in_flight", &self.max_in_flight)
            .field("max_rows", &self.max_rows)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("login_method", &self.login_method)
            .finish()
    }
}

impl Config {
    /// Default connect timeout (TCP, TLS and login together): 10 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default timeout of [`Client::execute`] and [`Client::print`]: 60 seconds.
    pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default buffer of a streaming command, in replies: 1,024.
    pub const DEFAULT_ROW_BUFFER: usize = 1024;
    /// Default lag deadline: 30 seconds.
    pub const DEFAULT_LAG_DEADLINE: Duration = Duration::from_secs(30);
    /// Default number of commands running at once on one connection: 1,024.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
    /// Default bound on the replies one [`Client::execute`] or [`Client::print`] collects:
    /// 1,000,000 (ten times the simple queues of a large ISP router).
    pub const DEFAULT_MAX_ROWS: usize = 1_000_000;
    /// Default bound on the memory the replies of one [`Client::execute`] or
    /// [`Client::print`] take: 512 MiB (a 100,000-row `/queue/simple/print` takes about
    /// 50 MB).
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 512 << 20;

    /// Settings for the router at `addr`: `host`, `host:port`, `[v6]:port` or a bare IPv6
    /// address. Without a port, 8728 is used (8729 with TLS). User `admin`, empty password.
    pub fn new(addr: impl Into<String>) -> Self {
        Config {
            addr: addr.into(),
            user: "admin".into(),
            password: Vec::new(),
            tls: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            command_timeout: Some(Self::DEFAULT_COMMAND_TIMEOUT),
            limits: Limits::default(),
            row_buffer: Self::DEFAULT_ROW_BUFFER,
            lag_deadline: Some(Self::DEFAULT_LAG_DEADLINE),
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
            max_rows: Self::DEFAULT_MAX_ROWS,
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
            login_method: LoginMethod::Auto,
        }
    }

    /// The address as given.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The user name (default `admin`).
    pub fn user(&mut self, user: impl Into<String>) -> &mut Self {
        self.user = user.into();
        self
    }

    /// The password (default empty). Never shown by `Debug`.
    pub fn password(&mut self, password: impl Into<String>) -> &mut Self {
        self.password = password.into().into_bytes();
        self
    }

    /// Use TLS (api-ssl) with this certificate check.
    pub fn tls(&mut self, tls: TlsConfig) -> &mut Self {
        self.tls = Some(tls);
        self
    }

    /// Timeout for TCP connect, TLS handshake and login together (default 10 s).
    pub fn connect_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of [`Client::execute`] and [`Client::print`] (default 60 s; `None` for no
    /// timeout). A command that times out is cancelled on the router. Streams have no timeout.
    pub fn command_timeout(&mut self, timeout: impl Into<Option<Duration>>) -> &mut Self {
        self.command_timeout = timeout.into();
        self
    }

    /// Decoding limits (word length, words per sentence, sentence bytes).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Replies buffered per streaming command (default 1,024; at least 1). When they are
    /// all unread, the connection stops reading until the consumer takes one.
    pub fn row_buffer(&mut self, replies: usize) -> &mut Self {
        self.row_buffer = replies.max(1);
        self
    }

    /// How long a streaming command's consumer may leave its full buffer untouched before
    /// the stream ends with [`Error::Lagged`] and the command is cancelled (default 30 s;
    /// `None`: wait for ever). Meanwhile the connection reads nothing, so this also bounds how
    /// long one stuck consumer holds up the other commands.
    pub fn lag_deadline(&mut self, deadline: impl Into<Option<Duration>>) -> &mut Self {
        self.lag_deadline = deadline.into();
        self
    }

    /// Most commands running at once; further commands wait for a slot (default 1,024).
    pub fn max_in_flight(&mut self, commands: usize) -> &mut Self {
        self.max_in_flight = commands.max(1);
        self
    }

    /// Most replies (`!re` rows, plus any `!trap` and unknown replies) that one
    /// [`Client::execute`] or [`Client::print`] collects (default
    /// [1,000,000](Self::DEFAULT_MAX_ROWS); at least 1).
    ///
    /// One more fails the command with [`Error::TooManyRows`] and sends `/cancel =tag=` for
    /// it; the rows received so far are dropped and other commands on the connection carry on.
    /// Streams ([`Client::stream`], [`Client::replies`]) are not limited by this: they hold at
    /// most [`row_buffer`](Self::row_buffer) replies at a time.
    pub fn max_rows(&mut self, rows: usize) -> &mut Self {
        self.max_rows = rows.max(1);
        self
    }

    /// Most bytes of memory the replies that one [`Client::execute`] or [`Client::print`]
    /// collects may take (default [512 MiB](Self::DEFAULT_MAX_RESPONSE_BYTES)). A reply is
    /// counted by [`Reply::memory_size`]: its wire bytes plus about a hundred bytes, so a row
    /// of thousands of tiny attributes costs what it holds.
    ///
    /// Exceeding it fails the command with [`Error::ResponseTooLarge`] and sends
    /// `/cancel =tag=` for it, as [`max_rows`](Self::max_rows) does.
    pub fn max_response_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The login method (default: modern login with automatic fallback to the MD5 challenge).
    pub fn login_method(&mut self, method: LoginMethod) -> &mut Self {
        self.login_method = method;
        self
    }

    /// Connects, logs in and starts the connection task.
    pub async fn connect(&self) -> Result<Client, Error> {
        let addr = self.addr.clone();
        let after = self.connect_timeout;
        tokio::time::timeout(after, self.connect_inner())
            .await
            .map_err(|_| Error::ConnectTimeout { addr, after })?
    }

    async fn connect_inner(&self) -> Result<Client, Error> {
        let default_port = if self.tls.is_some() {
            DEFAULT_TLS_PORT
        } else {
            DEFAULT_PORT
        };
        let connect_error = |error: std::io::Error| Error::Connect {
            addr: self.addr.clone(),
            error: Arc::new(error),
        };
        let (host, port) = split_host_port(&self.addr, default_port).ok_or_else(|| {
            connect_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "expected HOST or HOST:PORT",
            ))
        })?;
        let tcp = TcpStream::connect((host, port))
            .await
            .map_err(connect_error)?;
        let _ = tcp.set_nodelay(true);
        let io: Io = match &self.tls {
            None => Box::new(tcp),
            Some(tls) => {
                let connector = tokio_rustls::TlsConnector::from(Arc::new(tls.client_config()?));
                let name = tls.name_for(host)?;
                let stream = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|error| Error::Tls {
                        addr: self.addr.clone(),
                        error: Arc::new(tls::readable(error)),
                    })?;
                Box::new(stream)
            }
        };
        self.start(io).await
    }

    /// Logs in over an already connected byte stream (a TCP or TLS stream you opened, or a
    /// `tokio::io::duplex` in tests) and starts the connection task. The connect timeout
    /// bounds the login.
    pub async fn connect_stream<S>(&self, stream: S) -> Result<Client, Error>
    where
        S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let addr = self.addr.clone();
        let after = self.connect_timeout;
        tokio::time::timeout(after, self.start(Box::new(stream)))
            .await
            .map_err(|_| Error::ConnectTimeout { addr, after })?
    }

    async fn start(&self, io: Io) -> Result<Client, Error> {
        let mut framed = Framed::new(io, ClientCodec::new(self.limits));
        let mut login = Login::with_method(&self.user, &self.password, self.login_method);
        let mut cmd = login.start();
        loop {
            framed.send(cmd).await.map_err(driver::protocol_error)?;
            let reply = loop {
                match framed.next().await {
                    None => return Err(Error::Disconnected),
                    Some(Err(e)) => return Err(driver::protocol_error(e)),
                    Some(Ok(r)) => match r.kind() {
                        ReplyKind::Done | ReplyKind::Trap | ReplyKind::Fatal => break r,
                        other => tracing::debug!(reply = ?other, "ignoring reply during login"),
                    },
                }
            };
            match login.on_reply(&reply) {
                Ok(LoginStep::Done) => break,
                Ok(LoginStep::Send(next)) => cmd = next,
                Err(failure) => return Err(Error::Login(failure)),
            }
        }
        tracing::debug!(addr = %self.addr, user = %self.user, "logged in");

        let parts = framed.into_parts();
        let (read_half, write_half) = tokio::io::split(parts.io);
        // Rows keep slices of the read buffer, so it is seldom reused in place: a larger one
        // means fewer, larger allocations while a big reply streams in.
        let mut reader = FramedRead::with_capacity(read_half, parts.codec, READ_BUFFER);
        reader.read_buffer_mut().extend_from_slice(&parts.read_buf);
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(tx));
        let task = tokio::spawn(driver::run(
            reader,
            write_half,
            rx,
            shared.clone(),
            self.lag_deadline,
        ));
        Ok(Client {
            inner: Arc::new(Inner {
                shared,
                task,
                permits: Arc::new(Semaphore::new(self.max_in_flight)),
                command_timeout: self.command_timeout,
                row_buffer: self.row_buffer,
                collect_limits: CollectLimits {
                    max_rows: self.max_rows,
                    max_bytes: self.max_response_bytes,
                },
            }),
        })
    }
}

/// Splits `host[:port]`; brackets of `[v6]:port` are removed from the host.
fn split_host_port(addr: &str, default_port: u16) -> Option<(&str, u16)> {
    let addr = addr.trim();
    if addr.is_empty() {
        return None;
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, port.parse().ok()?)),
            None if after.is_empty() => Some((host, default_port)),
            None => None,
        };
    }
    match addr.rsplit_once(':') {
        // More than one colon and no brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => Some((addr, default_port)),
        Some((host, port)) => Some((host, port.parse().ok()?)),
        None => Some((addr, default_port)),
    }
}

/// A collected reply: the rows of a command that finished with `!done`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// Every `!re` row, in order.
    pub rows: Vec<Attributes>,
    /// `=ret=` of the `!done` (the `.id` of an `add`, the value of a `:return`...).
    pub ret: Option<Bytes>,
    /// Every attribute of the `!done`.
    pub done: Attributes,
    /// True when the router sent `!empty` (RouterOS 7.18+: no rows).
    pub empty: bool,
    /// Replies with a word this crate does not know, kept as they came.
    pub other: Vec<Reply>,
}

impl Response {
    /// The rows.
    pub fn rows(&self) -> &[Attributes] {
        &self.rows
    }

    /// Takes the rows out.
    pub fn into_rows(self) -> Vec<Attributes> {
        self.rows
    }

    /// `=ret=`, if the router sent one.
    pub fn ret(&self) -> Option<&Bytes> {
        self.ret.as_ref()
    }

    /// `=ret=` as a string (lossy UTF-8).
    pub fn ret_lossy(&self) -> Option<String> {
        self.ret
            .as_ref()
            .map(|r| String::from_utf8_lossy(r).into_owned())
    }
}

struct Inner {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    permits: Arc<Semaphore>,
    command_timeout: Option<Duration>,
    row_buffer: usize,
    collect_limits: CollectLimits,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A handle to a logged-in connection. Cheap to clone; every clone shares the connection.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// Cancels a command on drop if it is still running, and holds its in-flight slot.
pub(crate) struct Guard {
    shared: Arc<Shared>,
    tag: Bytes,
    _permit: OwnedSemaphorePermit,
}

impl Guard {
    pub(crate) fn tag(&self) -> &Bytes {
        &self.tag
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.abandon(&self.tag);
    }
}

impl Client {
    /// Runs a command to completion: every `!re` until `!done` (`!empty` means zero rows).
    ///
    /// The rows are collected in memory by the connection task (they never wait in a
    /// bounded buffer, so `execute` cannot lag), up to [`Config::max_rows`] replies and
    /// [`Config::max_response_bytes`] bytes: beyond either the command ends with
    /// [`Error::TooManyRows`] or [`Error::ResponseTooLarge`] ([`Error::is_too_large`]) and is
    /// cancelled on the router, while other commands carry on. For tables too large to hold,
    /// use [`stream`](Self::stream).
    ///
    /// A command the router fails ends with [`Error::Trap`] carrying every `!trap`. The
    /// [command timeout](Config::command_timeout) applies; a command that times out, or whose
    /// future is dropped, is cancelled on the router.
    pub async fn execute(&self, cmd: Command) -> Result<Response, Error> {
        match self.inner.command_timeout {
            Some(t) => tokio::time::timeout(t, self.execute_untimed(cmd))
                .await
                .map_err(|_| Error::Timeout(t))?,
            None => self.execute_untimed(cmd).await,
        }
    }

    /// Like [`execute`](Self::execute) with this timeout instead of the configured one.
    pub async fn execute_timeout(
        &self,
        cmd: Command,
        timeout: Duration,
    ) -> Result<Response, Error> {
        tokio::time::timeout(timeout, self.execute_untimed(cmd))
            .await
            .map_err(|_| Error::Timeout(timeout))?
    }

    async fn execute_untimed(&self, cmd: Command) -> Result<Response, Error> {
        let permit = self.acquire().await?;
        let (tx, rx) = oneshot::channel();
        let pending = Pending::Collect(Collector::new(tx, self.inner.collect_limits));
        let _guard = self.submit(cmd, pending, permit)?;
        match rx.await {
            Ok(result) => result,
            Err(_) => Err(self.inner.shared.closed().unwrap_or(Error::Closed)),
        }
    }

    /// Runs a command and returns its rows (see [`execute`](Self::execute)).
    pub async fn print(&self, cmd: Command) -> Result<Vec<Attributes>, Error> {
        self.execute(cmd).await.map(Response::into_rows)
    }

    /// Starts a command whose rows are read as they come (`listen`, `print =follow=`,
    /// `monitor-traffic`, `ping`, or a print too large to collect). See [`RowStream`]; a slow
    /// consumer pushes back on the connection ([`Overflow::Wait`]).
    pub async fn stream(&self, cmd: Command) -> Result<RowStream, Error> {
        self.replies(cmd).await.map(RowStream::new)
    }

    /// [`stream`](Self::stream) with a choice of what happens when the consumer falls behind.
    pub async fn stream_with(&self, cmd: Command, overflow: Overflow) -> Result<RowStream, Error> {
        self.replies_with(cmd, overflow).await.map(RowStream::new)
    }

    /// Starts a command and returns every reply sentence in order, `!done` and `!trap`
    /// included. See [`ReplyStream`].
    pub async fn replies(&self, cmd: Command) -> Result<ReplyStream, Error> {
        self.replies_with(cmd, Overflow::Wait).await
    }

    /// [`replies`](Self::replies) with a choice of what happens when the consumer falls
    /// behind.
    pub async fn replies_with(
        &self,
        cmd: Command,
        overflow: Overflow,
    ) -> Result<ReplyStream, Error> {
        let permit = self.acquire().await?;
        let capacity = self.inner.row_buffer;
        let (tx, rx) = mpsc::channel(capacity);
        let end = Arc::new(OnceLock::new());
        let pending = Pending::Stream(Sink {
            tx,
            end: end.clone(),
            capacity,
            overflow,
        });
        let guard = self.submit(cmd, pending, permit)?;
        Ok(ReplyStream::new(rx, end, guard, self.clone()))
    }

    /// True once the connection is gone (closed by either side or failed).
    pub fn is_closed(&self) -> bool {
        self.inner.shared.closed().is_some() || self.inner.task.is_finished()
    }

    /// Why the connection is gone, once it is.
    pub fn close_reason(&self) -> Option<Error> {
        self.inner.shared.closed()
    }

    /// Closes the connection: pending commands fail with [`Error::Closed`], and so does every
    /// later command on any clone of this client.
    pub fn close(&self) {
        self.inner.shared.close(Error::Closed);
        self.inner.task.abort();
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit, Error> {
        if let Some(e) = self.inner.shared.closed() {
            return Err(e);
        }
        self.inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Closed)
    }

    fn submit(
        &self,
        cmd: Command,
        pending: Pending,
        permit: OwnedSemaphorePermit,
    ) -> Result<Guard, Error> {
        let tag = self.inner.shared.submit(cmd, pending)?;
        Ok(Guard {
            shared: self.inner.shared.clone(),
            tag,
            _permit: permit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn host_port_forms() {
        let table = [
            ("10.0.0.1", Some(("10.0.0.1", 8728))),
            ("10.0.0.1:9000", Some(("10.0.0.1", 9000))),
            ("router.lan", Some(("router.lan", 8728))),
            ("router.lan:1", Some(("router.lan", 1))),
            ("::1", Some(("::1", 8728))),
            ("fe80::1:2", Some(("fe80::1:2", 8728))),
            ("[::1]", Some(("::1", 8728))),
            ("[::1]:8729", Some(("::1", 8729))),
            ("[::1]x", None),
            ("host:notaport", None),
            ("host:70000", None),
            ("", None),
        ];
        for (input, want) in table {
            assert_eq!(split_host_port(input, 8728), want, "{input}");
        }
    }
}
