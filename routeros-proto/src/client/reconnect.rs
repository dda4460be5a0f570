//! A client that reconnects with backoff, for long-lived monitors.

use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;
use rand::Rng;

use super::{Client, Config, Error, Response, RowStream};
use crate::{Attributes, Command};

/// Keeps one connection open, reconnecting with exponential backoff (and jitter) when it
/// fails.
///
/// [`client`](Self::client) hands out the current connection, reconnecting first when it is
/// closed. [`monitor`](Self::monitor) runs a streaming command and re-issues it on every new
/// connection, so a `listen` or `monitor-traffic` survives router reboots and link flaps.
/// Commands are never re-sent by [`execute`](Self::execute): they may not be idempotent.
///
/// A login refused by the router is returned at once: retrying would not fix it.
#[derive(Debug)]
pub struct ReconnectingClient {
    config: Config,
    current: tokio::sync::Mutex<Option<Client>>,
    min_backoff: Duration,
    max_backoff: Duration,
    max_attempts: Option<u32>,
}

impl ReconnectingClient {
    /// A reconnecting client for this configuration; nothing is connected until first use.
    pub fn new(config: Config) -> Self {
        ReconnectingClient {
            config,
            current: tokio::sync::Mutex::new(None),
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            max_attempts: None,
        }
    }

    /// First delay before reconnecting (default 200 ms); doubles per failed attempt.
    pub fn min_backoff(&mut self, delay: Duration) -> &mut Self {
        self.min_backoff = delay;
        self
    }

    /// Longest delay between attempts (default 30 s).
    pub fn max_backoff(&mut self, delay: Duration) -> &mut Self {
        self.max_backoff = delay;
        self
    }

    /// Gives up after this many failed attempts in a row (default: never).
    pub fn max_attempts(&mut self, attempts: impl Into<Option<u32>>) -> &mut Self {
        self.max_attempts = attempts.into();
        self
    }

    /// The current connection, or a new one once the old one has closed.
    pub async fn client(&self) -> Result<Client, Error> {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        *current = None;
        let mut attempt: u32 = 0;
        loop {
            match self.config.connect().await {
                Ok(c) => {
                    *current = Some(c.clone());
                    return Ok(c);
                }
                Err(e) if e.is_login() => return Err(e),
                Err(e) => {
                    attempt = attempt.saturating_add(1);
                    if self.max_attempts.is_some_and(|max| attempt >= max) {
                        return Err(e);
                    }
                    let delay = self.delay(attempt);
                    tracing::warn!(addr = %self.config.addr(), error = %e, ?delay, "reconnecting");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1).min(16))
            .unwrap_or(u32::MAX);
        let full = self
            .min_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    /// Runs a command on the current connection (reconnecting first if needed). The command
    /// is not re-sent if the connection fails while it runs.
    pub async fn execute(&self, cmd: Command) -> Result<Response, Error> {
        self.client().await?.execute(cmd).await
    }

    /// Runs a streaming command, re-issuing it after every reconnect.
    ///
    /// Items are rows; each interruption (connection lost, consumer lagged) is reported as an
    /// `Err` item and the command is re-issued. The stream ends after an error retrying cannot
    /// fix (a `!trap`, a refused login, or `max_attempts` exhausted), or when the command
    /// finishes on its own with `!done`.
    pub fn monitor(
        &self,
        cmd: Command,
    ) -> Pin<Box<dyn Stream<Item = Result<Attributes, Error>> + Send + '_>> {
        struct St<'a> {
            this: &'a ReconnectingClient,
            cmd: Command,
            rows: Option<RowStream>,
            ended: bool,
        }
        let state = St {
            this: self,
            cmd,
            rows: None,
            ended: false,
        };
        Box::pin(futures_util::stream::unfold(state, |mut st| async move {
            if st.ended {
                return None;
            }
            loop {
                let rows = match st.rows.as_mut() {
                    Some(rows) => rows,
                    None => {
                        let started = match st.this.client().await {
                            Ok(client) => client.stream(st.cmd.clone()).await,
                            Err(e) => Err(e),
                        };
                        match started {
                            Ok(rows) => st.rows.insert(rows),
                            Err(e) if e.is_closed() => continue,
                            Err(e) => {
                                st.ended = true;
                                return Some((Err(e), st));
                            }
                        }
                    }
                };
                match rows.next().await {
                    Some(Ok(row)) => return Some((Ok(row), st)),
                    Some(Err(e)) if e.is_closed() || e.is_lagged() => {
                        st.rows = None;
                        return Some((Err(e), st));
                    }
                    Some(Err(e)) => {
                        st.ended = true;
                        return Some((Err(e), st));
                    }
                    None => return None,
                }
            }
        }))
    }
}
