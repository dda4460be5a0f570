//! Streams of replies and rows for commands that run until cancelled.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::driver::trap_error;
use super::{Client, Error, Guard};
use crate::{Attributes, Reply, ReplyKind, TrapCategory};

/// How long [`ReplyStream::cancel`] waits for the router's `!done` when no command timeout is
/// configured.
const CANCEL_WAIT: Duration = Duration::from_secs(30);

/// Every reply sentence of one command, in order: `!re`, `!empty`, `!trap`, unknown words, and
/// the closing `!done` (after which the stream ends).
///
/// Errors are the connection's ([`Error::is_closed`]) or [`Error::Lagged`] when this stream
/// was not read for the lag deadline; an error is the last item. A `!trap` is an ordinary
/// item here.
///
/// Dropping the stream before `!done` sends `/cancel =tag=` for the command.
pub struct ReplyStream {
    rx: mpsc::Receiver<Reply>,
    end: Arc<OnceLock<Error>>,
    guard: Guard,
    client: Client,
    finished: bool,
    cancelled: bool,
}

impl fmt::Debug for ReplyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyStream")
            .field("tag", &String::from_utf8_lossy(self.guard.tag()))
            .field("finished", &self.finished)
            .field("cancelled", &self.cancelled)
            .finish()
    }
}

impl ReplyStream {
    pub(crate) fn new(
        rx: mpsc::Receiver<Reply>,
        end: Arc<OnceLock<Error>>,
        guard: Guard,
        client: Client,
    ) -> Self {
        ReplyStream {
            rx,
            end,
            guard,
            client,
            finished: false,
            cancelled: false,
        }
    }

    /// The `.tag` the client gave this command.
    pub fn tag(&self) -> &Bytes {
        self.guard.tag()
    }

    /// The next reply; the same as `StreamExt::next`, without needing the trait in scope.
    pub async fn recv(&mut self) -> Option<Result<Reply, Error>> {
        self.next().await
    }

    /// True after [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// True once the stream has ended (`!done`, an error, or a completed cancel).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Sends `/cancel =tag=` and waits for the router to end the command, discarding the
    /// replies still in flight (the `interrupted` trap included).
    ///
    /// Waits at most the [command timeout](super::Config::command_timeout) (30 s without
    /// one). Returns an error only if the connection failed or the router did not finish.
    pub async fn cancel(&mut self) -> Result<(), Error> {
        if self.finished {
            return Ok(());
        }
        self.cancelled = true;
        self.guard.shared().send_cancel(self.guard.tag());
        let wait = self.client.inner.command_timeout.unwrap_or(CANCEL_WAIT);
        let drain = async {
            while let Some(item) = self.next().await {
                match item {
                    Err(e) if e.is_closed() => return Err(e),
                    _ => {}
                }
            }
            Ok(())
        };
        let result = tokio::time::timeout(wait, drain)
            .await
            .map_err(|_| Error::Timeout(wait))?;
        self.finished = true;
        result
    }
}

impl Stream for ReplyStream {
    type Item = Result<Reply, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(reply)) => {
                if reply.kind() == &ReplyKind::Done {
                    self.finished = true;
                }
                Poll::Ready(Some(Ok(reply)))
            }
            Poll::Ready(None) => {
                self.finished = true;
                let err = self
                    .end
                    .get()
                    .cloned()
                    .or_else(|| self.client.close_reason())
                    .unwrap_or(Error::Closed);
                Poll::Ready(Some(Err(err)))
            }
        }
    }
}

/// The rows of a streaming command, as a `Stream` of `Result<Attributes, Error>`.
///
/// Items are the `!re` rows. The stream ends after `!done`; if the router sent `!trap`s, the
/// last item is [`Error::Trap`] with all of them. `!empty` and unknown reply words are skipped
/// (use [`Client::replies`](super::Client::replies) to see them).
///
/// Dropping the stream, or calling [`cancel`](Self::cancel), sends `/cancel =tag=`; the
/// `interrupted` trap that answers it is swallowed.
///
/// The stream holds at most [`Config::row_buffer`](super::Config::row_buffer) unread replies;
/// when they are all unread, the connection waits for this consumer (back-pressure; the other
/// commands on the connection wait too). A consumer that takes nothing for the
/// [lag deadline](super::Config::lag_deadline) gets [`Error::Lagged`] and the command is
/// cancelled; see [`Overflow`](super::Overflow) for monitors that prefer to end at once.
#[derive(Debug)]
pub struct RowStream {
    inner: ReplyStream,
    traps: Vec<Reply>,
    done: bool,
}

impl RowStream {
    pub(crate) fn new(inner: ReplyStream) -> Self {
        RowStream {
            inner,
            traps: Vec::new(),
            done: false,
        }
    }

    /// The `.tag` the client gave this command.
    pub fn tag(&self) -> &Bytes {
        self.inner.tag()
    }

    /// The next row; the same as `StreamExt::next`, without needing the trait in scope.
    pub async fn recv(&mut self) -> Option<Result<Attributes, Error>> {
        self.next().await
    }

    /// Sends `/cancel =tag=` and waits for the router to end the command (see
    /// [`ReplyStream::cancel`]).
    pub async fn cancel(&mut self) -> Result<(), Error> {
        let result = self.inner.cancel().await;
        self.done = true;
        result
    }
}

impl Stream for RowStream {
    type Item = Result<Attributes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            let item = match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            };
            match item {
                Some(Ok(reply)) => match reply.kind() {
                    ReplyKind::Re => return Poll::Ready(Some(Ok(reply.into_attributes()))),
                    ReplyKind::Trap => {
                        let interrupted = reply
                            .trap_info()
                            .is_some_and(|t| t.category == Some(TrapCategory::Interrupted));
                        if !(self.inner.is_cancelled() && interrupted) {
                            self.traps.push(reply);
                        }
                    }
                    ReplyKind::Done => {
                        self.done = true;
                        if self.traps.is_empty() {
                            return Poll::Ready(None);
                        }
                        let traps = std::mem::take(&mut self.traps);
                        return Poll::Ready(Some(Err(trap_error(traps))));
                    }
                    _ => {}
                },
                Some(Err(e)) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    self.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}
