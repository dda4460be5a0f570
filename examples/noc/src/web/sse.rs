//! Server-sent events: a page's live data, pushed after every poll of its router.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;

use super::Web;
use crate::auth::Session;

/// Most live streams one session may hold open (a few tabs); more are refused with 429.
pub const MAX_STREAMS_PER_SESSION: usize = 8;
/// Most live streams of all sessions together.
pub const MAX_STREAMS: usize = 256;

/// Open streams, per session key.
#[derive(Debug, Default)]
pub struct StreamCount(Mutex<HashMap<String, usize>>);

/// One open stream; counted until dropped.
struct Slot {
    st: Arc<Web>,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.st.streams.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

fn take_slot(st: &Arc<Web>, s: &Session) -> Option<Slot> {
    let mut map = st.streams.0.lock().unwrap_or_else(|p| p.into_inner());
    let total: usize = map.values().sum();
    let mine = map.get(&s.key).copied().unwrap_or(0);
    if total >= MAX_STREAMS || mine >= MAX_STREAMS_PER_SESSION {
        return None;
    }
    *map.entry(s.key.clone()).or_insert(0) += 1;
    Some(Slot {
        st: st.clone(),
        key: s.key.clone(),
    })
}

/// A stream that sends `f`'s data now and after every poll of `router` (any router when
/// `None`), counted against the session's and the server's stream limits.
pub(super) fn sse<F>(st: Arc<Web>, s: &Session, router: Option<i64>, f: F) -> Response
where
    F: Fn(&Web) -> Option<serde_json::Value> + Send + Sync + 'static,
{
    let Some(slot) = take_slot(&st, s) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many live views open; close some tabs",
        )
            .into_response();
    };
    let rx = st.hub.subscribe();
    let key = s.key.clone();
    let stream = futures_util::stream::unfold(
        (rx, st, f, true, slot),
        move |(mut rx, st, f, first, slot)| {
            let key = key.clone();
            async move {
                if !first {
                    loop {
                        match rx.recv().await {
                            Ok(id) if router.is_none_or(|r| r == id) => break,
                            Ok(_) => continue,
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                }
                // A session that ended (logout, password change, expiry) ends its streams: the
                // browser's reconnect is then refused and the page says so.
                if !matches!(st.store.session_get(&key, crate::now()), Ok(Some(_))) {
                    return None;
                }
                let data = f(&st).unwrap_or(serde_json::Value::Null);
                let ev = Event::default().data(data.to_string());
                Some((Ok::<Event, Infallible>(ev), (rx, st, f, false, slot)))
            }
        },
    );
    sse_response(stream)
}

/// A stream that sends `f`'s data now and whenever `changes` sees a change (a burst of
/// changes within a quarter second is one event), counted against the same limits as
/// [`sse`].
pub(super) fn sse_on_change<F>(
    st: Arc<Web>,
    s: &Session,
    changes: tokio::sync::watch::Receiver<u64>,
    f: F,
) -> Response
where
    F: Fn(&Web) -> Option<serde_json::Value> + Send + Sync + 'static,
{
    let Some(slot) = take_slot(&st, s) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many live views open; close some tabs",
        )
            .into_response();
    };
    let stream = futures_util::stream::unfold(
        (changes, st, f, true, slot),
        |(mut rx, st, f, first, slot)| async move {
            if !first {
                rx.changed().await.ok()?;
                tokio::time::sleep(Duration::from_millis(250)).await;
                rx.mark_unchanged();
            }
            let data = f(&st).unwrap_or(serde_json::Value::Null);
            let ev = Event::default().data(data.to_string());
            Some((Ok::<Event, Infallible>(ev), (rx, st, f, false, slot)))
        },
    );
    sse_response(stream)
}

/// Wraps a stream of events with keep-alives.
pub(super) fn sse_response<S>(stream: S) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
