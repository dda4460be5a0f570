//! Queues: the live table (filter, sort, pages), one queue, and rate history.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::sse::sse;
use super::{Current, Web};
use super::{MAX_PAGE_SIZE, PAGE_SIZE};
use crate::routers::{QueueRow, RouterHandle};

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/queues", get(queues_page))
        .route("/queue", get(queue_page))
        .route("/api/queues", get(api_queues))
        .route("/events/queues", get(sse_queues))
        .route("/events/queue", get(sse_queue))
        .route("/api/history", get(api_history))
}

/// Which queues a table shows.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct QueueQuery {
    /// Router id (default: the first).
    pub router: Option<i64>,
    /// Case-insensitive filter on name, target and comment.
    pub q: Option<String>,
    /// `name`, `target`, `rate`, `usage`, `max`, `bytes`, `dropped` (router order if absent).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// 1-based page.
    pub page: Option<usize>,
    /// Rows per page (at most 500).
    pub per: Option<usize>,
}

/// One page of queues and the totals.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    /// The rows.
    pub rows: Vec<QueueRow>,
    /// Rows matching the filter.
    pub total: usize,
    /// Current page (1-based).
    pub page: usize,
    /// Pages.
    pub pages: usize,
    /// Rows per page.
    pub per: usize,
}

/// Filters, sorts and pages queues.
pub fn select_queues(all: &[QueueRow], q: &QueueQuery) -> QueuePage {
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut rows: Vec<&QueueRow> = all
        .iter()
        .filter(|r| {
            needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.target.to_lowercase().contains(&needle)
                || r.comment.to_lowercase().contains(&needle)
        })
        .collect();
    let desc = q.dir.as_deref() == Some("desc");
    match q.sort.as_deref() {
        Some("name") => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("target") => rows.sort_by(|a, b| a.target.cmp(&b.target)),
        Some("rate") => rows.sort_by_key(|r| r.rate_up.saturating_add(r.rate_down)),
        Some("usage") => rows.sort_by_key(|r| r.usage_percent()),
        Some("max") => rows.sort_by_key(|r| r.max_up.max(r.max_down)),
        Some("bytes") => rows.sort_by_key(|r| r.bytes_up.saturating_add(r.bytes_down)),
        Some("dropped") => rows.sort_by_key(|r| r.dropped_up.saturating_add(r.dropped_down)),
        _ => {}
    }
    if desc {
        rows.reverse();
    }
    let per = q.per.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let total = rows.len();
    let pages = total.div_ceil(per).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    QueuePage {
        rows,
        total,
        page,
        pages,
        per,
    }
}

/// The router `id`, or the first one.
pub(super) fn pick_router(st: &Web, id: Option<i64>) -> Option<Arc<RouterHandle>> {
    match id {
        Some(id) => st.hub.router(id),
        None => st.hub.routers().into_iter().next(),
    }
}

async fn queues_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return st.page(&s, "queues.html", "queues", context! { router => () });
    };
    let live = r.live();
    let page = select_queues(&live.queues, &q);
    st.page(
        &s,
        "queues.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()})),
            page => Value::from_serialize(&page),
            q => q.q.clone().unwrap_or_default(),
            sort => q.sort.clone().unwrap_or_default(),
            dir => q.dir.clone().unwrap_or_default(),
        },
    )
}

async fn api_queues(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (
            StatusCode::NOT_FOUND,
            crate::tr!(s.lang, "editor-no-router"),
        )
            .into_response();
    };
    let live = r.live();
    let page = select_queues(&live.queues, &q);
    Json(serde_json::json!({"router": r.id, "status": live.status.as_str(), "page": page}))
        .into_response()
}

async fn sse_queues(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (
            StatusCode::NOT_FOUND,
            crate::tr!(s.lang, "editor-no-router"),
        )
            .into_response();
    };
    let id = r.id;
    sse(st, &s, Some(id), move |st| {
        let r = st.hub.router(id)?;
        let live = r.live();
        let page = select_queues(&live.queues, &q);
        Some(serde_json::json!({"status": live.status.as_str(), "page": page, "t": crate::now()}))
    })
}

#[derive(Deserialize)]
struct OneQueue {
    router: i64,
    name: String,
}

async fn queue_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<OneQueue>,
) -> Response {
    let Some(r) = st.hub.router(q.router) else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &crate::tr!(s.lang, "queues-no-router"),
        );
    };
    let live = r.live();
    let Some(row) = live.queues.iter().find(|x| x.name == q.name).cloned() else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &crate::tr!(s.lang, "queues-no-queue"),
        );
    };
    st.page(
        &s,
        "queue.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            queue => Value::from_serialize(&row),
            usage => row.usage_percent(),
        },
    )
}

async fn sse_queue(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<OneQueue>,
) -> Response {
    let id = q.router;
    sse(st, &s, Some(id), move |st| {
        let r = st.hub.router(id)?;
        let live = r.live();
        let row = live.queues.iter().find(|x| x.name == q.name)?.clone();
        Some(serde_json::json!({"t": crate::now(), "queue": row, "usage": row.usage_percent()}))
    })
}

#[derive(Deserialize)]
struct HistoryQuery {
    router: i64,
    kind: Option<String>,
    name: String,
    range: Option<String>,
}

async fn api_history(
    State(st): State<Arc<Web>>,
    Current(_): Current,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let seconds = match q.range.as_deref().unwrap_or("hour") {
        "minute" => 300,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "year" => 365 * 86_400,
        other => {
            return (StatusCode::BAD_REQUEST, format!("unknown range {other:?}")).into_response()
        }
    };
    let kind = match q.kind.as_deref().unwrap_or("queue") {
        "queue" => "queue",
        "iface" => "iface",
        "tree" => "tree",
        _ => return (StatusCode::BAD_REQUEST, "kind is queue, tree or iface").into_response(),
    };
    let hub = st.hub.clone();
    let r =
        tokio::task::spawn_blocking(move || hub.history(q.router, kind, &q.name, seconds)).await;
    match r {
        Ok(Ok(points)) => Json(serde_json::json!({"points": points})).into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "history unavailable").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_selection_filters_sorts_pages() {
        let rows: Vec<QueueRow> = (0..120)
            .map(|i| QueueRow {
                name: format!("q{i:03}"),
                rate_down: i,
                comment: if i % 2 == 0 {
                    "even".into()
                } else {
                    String::new()
                },
                ..QueueRow::default()
            })
            .collect();
        let p = select_queues(
            &rows,
            &QueueQuery {
                q: Some("EVEN".into()),
                ..Default::default()
            },
        );
        assert_eq!(p.total, 60);
        assert_eq!(p.pages, 2);
        let p = select_queues(
            &rows,
            &QueueQuery {
                sort: Some("rate".into()),
                dir: Some("desc".into()),
                per: Some(10),
                page: Some(99),
                ..Default::default()
            },
        );
        assert_eq!(p.page, 12);
        assert_eq!(p.rows.len(), 10);
        let p = select_queues(
            &rows,
            &QueueQuery {
                sort: Some("rate".into()),
                dir: Some("desc".into()),
                ..Default::default()
            },
        );
        assert_eq!(p.rows[0].name, "q119");
    }
}
