//! The connection task: one reader and one writer over the socket, replies routed by `.tag`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadHalf, WriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::{Error, Overflow, Response};
use crate::codec::ClientCodec;
use crate::{Command, ProtocolError, Reply, ReplyKind};

/// A byte stream the client can run over (TCP, TLS, an in-memory duplex).
pub(crate) trait AsyncIo: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncIo for T {}

pub(crate) type Io = Box<dyn AsyncIo>;

/// Where the replies of one in-flight command go.
pub(crate) enum Pending {
    /// Collected into a [`Response`] by the connection task, handed over at `!done`.
    Collect(Collector),
    /// Forwarded one by one through a bounded channel.
    Stream(Sink),
}

pub(crate) struct Collector {
    pub(crate) response: Response,
    pub(crate) traps: Vec<Reply>,
    pub(crate) done: oneshot::Sender<Result<Response, Error>>,
    /// Replies collected so far (rows, traps, unknown words).
    pub(crate) replies: usize,
    /// Memory the replies collected so far take ([`Reply::memory_size`]).
    pub(crate) bytes: usize,
    pub(crate) limits: CollectLimits,
}

/// Bounds on what one collecting command may hold in memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CollectLimits {
    /// Most replies (rows, traps, unknown words) before the command fails.
    pub(crate) max_rows: usize,
    /// Most bytes of memory those replies may take before the command fails.
    pub(crate) max_bytes: usize,
}

impl Collector {
    pub(crate) fn new(
        done: oneshot::Sender<Result<Response, Error>>,
        limits: CollectLimits,
    ) -> Self {
        Collector {
            response: Response::default(),
            traps: Vec::new(),
            done,
            replies: 0,
            bytes: 0,
            limits,
        }
    }

    /// Counts one more reply to keep; the error if it would exceed a limit.
    fn admit(&mut self, reply: &Reply) -> Result<(), Error> {
        if self.replies >= self.limits.max_rows {
            return Err(Error::TooManyRows {
                limit: self.limits.max_rows,
            });
        }
        // What the reply costs in memory, not on the wire: a row of thousands of tiny
        // attributes is accounted for what it holds.
        let len = reply.memory_size();
        match self.bytes.checked_add(len) {
            Some(total) if total <= self.limits.max_bytes => {
                self.replies += 1;
                self.bytes = total;
                Ok(())
            }
            _ => Err(Error::ResponseTooLarge {
                limit: self.limits.max_bytes,
            }),
        }
    }
}

pub(crate) struct Sink {
    pub(crate) tx: mpsc::Sender<Reply>,
    pub(crate) end: Arc<OnceLock<Error>>,
    pub(crate) capacity: usize,
    pub(crate) overflow: Overflow,
}

/// A reply that waits for room in its stream's buffer: the reader stops until it fits.
pub(crate) struct Blocked {
    tx: mpsc::Sender<Reply>,
    reply: Reply,
    key: u64,
    capacity: usize,
    done: bool,
}

/// The in-flight commands, by the number in their `.tag`.
///
/// Tags are numbers this client hands out in sequence, so the key is that number and its hash
/// a multiplication (the router only looks keys up; it cannot insert, so a weak hash cannot be
/// turned against us).
type PendingMap = HashMap<u64, Pending, BuildHasherDefault<TagHasher>>;

#[derive(Default)]
pub(crate) struct TagHasher(u64);

impl Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The tag this client sent for `key`.
fn key_tag(key: u64) -> Bytes {
    Bytes::from(key.to_string())
}

/// The number of a tag this client made (decimal digits, at most 19); `None` for anything
/// else a router might send.
pub(crate) fn tag_key(tag: &[u8]) -> Option<u64> {
    if tag.is_empty() || tag.len() > 19 {
        return None;
    }
    tag.iter().try_fold(0u64, |n, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) pending: PendingMap,
    pub(crate) closed: Option<Error>,
}

/// What the client handles and the connection task share.
pub(crate) struct Shared {
    state: Mutex<State>,
    commands: mpsc::UnboundedSender<Command>,
    next_tag: AtomicU64,
}

impl Shared {
    pub(crate) fn new(commands: mpsc::UnboundedSender<Command>) -> Self {
        Shared {
            state: Mutex::new(State::default()),
            commands,
            next_tag: AtomicU64::new(1),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn next_tag(&self) -> (u64, Bytes) {
        let n = self.next_tag.fetch_add(1, Ordering::Relaxed);
        (n, Bytes::from(n.to_string()))
    }

    /// Registers `pending` under a fresh tag and queues `cmd` for writing.
    pub(crate) fn submit(&self, mut cmd: Command, pending: Pending) -> Result<Bytes, Error> {
        let (key, tag) = self.next_tag();
        cmd.set_tag(tag.clone());
        cmd.encoded_len().map_err(|e| Error::Encode(Arc::new(e)))?;
        let mut state = self.lock();
        if let Some(e) = &state.closed {
            return Err(e.clone());
        }
        if self.commands.send(cmd).is_err() {
            return Err(Error::Closed);
        }
        state.pending.insert(key, pending);
        Ok(tag)
    }

    /// Queues `/cancel =tag=TAG` (its own reply is ignored).
    pub(crate) fn send_cancel(&self, tag: &Bytes) {
        let mut cmd = Command::builder("/cancel").attribute("tag", tag).build();
        cmd.set_tag(self.next_tag().1);
        tracing::debug!(tag = %String::from_utf8_lossy(tag), "cancelling command");
        // The writer is gone only when the connection is closed, where nothing needs cancelling.
        let _ = self.commands.send(cmd);
    }

    /// Forgets the command `tag` and cancels it on the router if it was still running.
    pub(crate) fn abandon(&self, tag: &Bytes) {
        let mut state = self.lock();
        let removed = tag_key(tag).and_then(|k| state.pending.remove(&k));
        if removed.is_some() && state.closed.is_none() {
            drop(state);
            self.send_cancel(tag);
        }
    }

    /// Marks the connection closed and fails every pending command with `err`.
    pub(crate) fn close(&self, err: Error) {
        let mut state = self.lock();
        if state.closed.is_none() {
            tracing::debug!(error = %err, "connection closed");
            state.closed = Some(err);
        }
        let err = state.closed.clone().unwrap_or(Error::Closed);
        for (_, pending) in state.pending.drain() {
            match pending {
                Pending::Collect(c) => {
                    let _ = c.done.send(Err(err.clone()));
                }
                Pending::Stream(s) => {
                    let _ = s.end.set(err.clone());
                }
            }
        }
    }

    pub(crate) fn closed(&self) -> Option<Error> {
        self.lock().closed.clone()
    }

    /// Ends a stream whose consumer did not make room in time: it gets `err` after the
    /// replies already buffered, and the command is cancelled on the router.
    fn lag(&self, key: u64, err: Error, done: bool) {
        let mut state = self.lock();
        if let Some(Pending::Stream(s)) = state.pending.remove(&key) {
            let _ = s.end.set(err);
            drop(state);
            tracing::warn!(tag = key, "consumer lagged; cancelling");
            if !done {
                self.send_cancel(&key_tag(key));
            }
        }
    }

    /// Forgets a command whose consumer went away, cancelling it on the router.
    fn forget(&self, key: u64, done: bool) {
        let removed = self.lock().pending.remove(&key).is_some();
        if removed && !done {
            self.send_cancel(&key_tag(key));
        }
    }

    /// Delivers one reply to the command it belongs to; a reply for a stream whose buffer is
    /// full comes back as [`Blocked`] for the reader to wait on.
    fn route(&self, reply: Reply) -> Option<Blocked> {
        let Some(key) = reply.tag().and_then(|t| tag_key(t)) else {
            tracing::debug!(reply = ?reply.kind(), "ignoring a reply without one of our tags");
            return None;
        };
        let mut state = self.lock();
        let Some(pending) = state.pending.get_mut(&key) else {
            tracing::trace!(tag = key, "reply for a finished command");
            return None;
        };
        match pending {
            Pending::Collect(c) => match reply.kind() {
                ReplyKind::Re | ReplyKind::Trap | ReplyKind::Unknown(_) | ReplyKind::Fatal => {
                    if let Err(e) = c.admit(&reply) {
                        // Fail this command alone: forget it, tell its caller, cancel it on
                        // the router. Its remaining replies are ignored as unknown tags.
                        if let Some(Pending::Collect(c)) = state.pending.remove(&key) {
                            let _ = c.done.send(Err(e));
                        }
                        drop(state);
                        tracing::warn!(tag = key, "collected reply too large; cancelling");
                        self.send_cancel(&key_tag(key));
                        return None;
                    }
                    match reply.kind() {
                        ReplyKind::Re => c.response.rows.push(reply.into_attributes()),
                        ReplyKind::Trap => c.traps.push(reply),
                        _ => c.response.other.push(reply),
                    }
                }
                ReplyKind::Empty => c.response.empty = true,
                ReplyKind::Done => {
                    if let Some(Pending::Collect(mut c)) = state.pending.remove(&key) {
                        let done = reply.into_attributes();
                        c.response.ret = done.get_shared("ret");
                        c.response.done = done;
                        let result = if c.traps.is_empty() {
                            Ok(c.response)
                        } else {
                            Err(trap_error(c.traps))
                        };
                        let _ = c.done.send(result);
                    }
                }
            },
            Pending::Stream(s) => {
                let done = reply.kind() == &ReplyKind::Done;
                match s.tx.try_send(reply) {
                    Ok(()) if !done => {}
                    Ok(()) => {
                        state.pending.remove(&key);
                    }
                    Err(mpsc::error::TrySendError::Full(reply)) => match s.overflow {
                        Overflow::Wait => {
                            return Some(Blocked {
                                tx: s.tx.clone(),
                                reply,
                                key,
                                capacity: s.capacity,
                                done,
                            });
                        }
                        Overflow::Cancel => {
                            let err = Error::Lagged {
                                capacity: s.capacity,
                                waited: None,
                            };
                            drop(state);
                            self.lag(key, err, done);
                        }
                    },
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        drop(state);
                        self.forget(key, done);
                    }
                }
            }
        }
        None
    }

    /// Waits until the stream of a [`Blocked`] reply has room (back-pressure: nothing else is
    /// read meanwhile, so TCP slows the router down), at most `deadline`.
    async fn deliver(&self, blocked: Blocked, deadline: Option<Duration>) {
        let Blocked {
            tx,
            reply,
            key,
            capacity,
            done,
        } = blocked;
        let sent = match deadline {
            Some(d) => tokio::time::timeout(d, tx.send(reply)).await,
            None => Ok(tx.send(reply).await),
        };
        match sent {
            Ok(Ok(())) => {
                if done {
                    self.lock().pending.remove(&key);
                }
            }
            // The consumer went away while we waited.
            Ok(Err(_)) => self.forget(key, done),
            Err(_) => {
                let waited = deadline;
                self.lag(key, Error::Lagged { capacity, waited }, done);
            }
        }
    }
}

/// Builds the error for a command that trapped.
pub(crate) fn trap_error(replies: Vec<Reply>) -> Error {
    let traps = replies.iter().filter_map(Reply::trap_info).collect();
    Error::Trap { traps, replies }
}

/// Converts a codec error into the client's error.
pub(crate) fn protocol_error(e: ProtocolError) -> Error {
    match e {
        ProtocolError::Io(e) => Error::Io(Arc::new(e)),
        e => Error::Protocol(Arc::new(e)),
    }
}

/// Runs the connection until it fails; then fails every pending command.
pub(crate) async fn run(
    mut reader: FramedRead<ReadHalf<Io>, ClientCodec>,
    writer: WriteHalf<Io>,
    commands: mpsc::UnboundedReceiver<Command>,
    shared: Arc<Shared>,
    lag_deadline: Option<Duration>,
) {
    let err = tokio::select! {
        e = read_loop(&mut reader, &shared, lag_deadline) => e,
        e = write_loop(writer, commands) => e,
    };
    shared.close(err);
}

async fn read_loop(
    reader: &mut FramedRead<ReadHalf<Io>, ClientCodec>,
    shared: &Shared,
    lag_deadline: Option<Duration>,
) -> Error {
    // No explicit yielding: socket reads consume tokio's cooperative budget, so the reader
    // lets the consumers run; an extra `yield_now` only woke idle workers (measured: it
    // doubled the time of a streamed print).
    loop {
        let reply = match reader.next().await {
            None => return Error::Disconnected,
            Some(Err(ProtocolError::Io(e)))
                if e.kind() == std::io::ErrorKind::Other && !reader.read_buffer().is_empty() =>
            {
                // tokio-util's end-of-stream check: the router hung up in the middle of a sentence.
                return Error::Disconnected;
            }
            Some(Err(e)) => return protocol_error(e),
            Some(Ok(reply)) => reply,
        };
        if reply.kind() == &ReplyKind::Fatal {
            return Error::Fatal(reply.fatal_reason().unwrap_or_default());
        }
        if let Some(blocked) = shared.route(reply) {
            // Head-of-line: the other commands' replies wait behind this one.
            shared.deliver(blocked, lag_deadline).await;
        }
    }
}

async fn write_loop(
    writer: WriteHalf<Io>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) -> Error {
    let mut writer = FramedWrite::new(writer, ClientCodec::default());
    loop {
        let Some(cmd) = commands.recv().await else {
            return Error::Closed;
        };
        tracing::trace!(command = ?cmd, "sending");
        if let Err(e) = writer.feed(cmd).await {
            return protocol_error(e);
        }
        while let Ok(cmd) = commands.try_recv() {
            tracing::trace!(command = ?cmd, "sending");
            if let Err(e) = writer.feed(cmd).await {
                return protocol_error(e);
            }
        }
        if let Err(e) = SinkExt::<Command>::flush(&mut writer).await {
            return protocol_error(e);
        }
    }
}
