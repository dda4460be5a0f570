//! Server-sent events: a page's live data, pushed after every poll of its router.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;

use super::Web;

/// A stream that sends `f`'s data now and after every poll of `router` (any router when
/// `None`).
pub(super) fn sse<F>(st: Arc<Web>, router: Option<i64>, f: F) -> Response
where
    F: Fn(&Web) -> Option<serde_json::Value> + Send + Sync + 'static,
{
    let rx = st.hub.subscribe();
    let stream = futures_util::stream::unfold(
        (rx, st, f, true),
        move |(mut rx, st, f, first)| async move {
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
            let data = f(&st).unwrap_or(serde_json::Value::Null);
            let ev = Event::default().data(data.to_string());
            Some((Ok::<Event, Infallible>(ev), (rx, st, f, false)))
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
