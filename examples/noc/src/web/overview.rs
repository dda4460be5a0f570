//! The overview: every router at a glance, live over SSE.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::{context, Value};

use super::sse::sse;
use super::{Current, Web};
use crate::i18n::Lang;
use crate::routers::RouterHandle;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/", get(overview))
        .route("/api/overview", get(api_overview))
        .route("/events/overview", get(sse_overview))
}

fn router_summary(r: &RouterHandle, lang: Lang) -> serde_json::Value {
    let live = r.live();
    let reason = match &live.status {
        crate::routers::Status::Slow(s) | crate::routers::Status::Down(s) => s.clone(),
        _ => String::new(),
    };
    let res = live.resource.clone().unwrap_or_default();
    let pct = |free: u64, total: u64| {
        total
            .saturating_sub(free)
            .saturating_mul(100)
            .checked_div(total)
            .unwrap_or(0)
    };
    let stale = !matches!(live.status, crate::routers::Status::Up);
    let stale_note = match (stale, live.last_ok) {
        (false, _) => String::new(),
        (true, Some(t)) => tr!(lang, "overview-stale-since", time = crate::fmt::time(t)),
        (true, None) => tr!(lang, "overview-stale-never"),
    };
    serde_json::json!({
        "id": r.id, "name": r.name, "address": r.address, "embedded": r.embedded,
        "status": live.status.as_str(), "reason": reason,
        "stale": stale, "stale_note": stale_note,
        "last_ok": live.last_ok, "resource": live.resource,
        "mem_pct": pct(res.free_memory, res.total_memory),
        "hdd_pct": pct(res.free_hdd, res.total_hdd),
        "interfaces": live.interfaces,
        "queues": live.queues.len(),
        "polls_ok": live.polls_ok, "polls_failed": live.polls_failed,
        "last_poll_ms": live.last_poll_ms,
    })
}

/// The ISP line and the month's quota of a router (the overview's health panel).
fn health_summary(st: &Web, r: &RouterHandle) -> serde_json::Value {
    let h = st.health.router(r.id);
    let ms = |us: Option<u64>| us.map(|u| u.div_ceil(1000));
    let pings: Vec<_> = h
        .isp
        .gateway
        .iter()
        .map(|p| ("gateway".to_owned(), *p))
        .chain(h.isp.targets.iter().cloned())
        .map(|(to, p)| serde_json::json!({ "to": to, "loss": p.loss(), "ms": ms(p.avg_us) }))
        .collect();
    let down = h.devices.iter().filter(|d| d.status == "down").count();
    serde_json::json!({
        "isp_down": h.isp.down, "checked": h.isp.checked, "route": h.isp.route,
        "wan": h.isp.wan, "pings": pings, "public": h.isp.public.map(|p| p.0),
        "quotas": h.quotas, "devices": h.devices.len(), "devices_down": down,
    })
}

async fn overview(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let routers: Vec<_> = st
        .hub
        .routers()
        .iter()
        .map(|r| {
            let mut v = router_summary(r, s.lang);
            v["health"] = health_summary(&st, r);
            v
        })
        .collect();
    let alerts = st.store.alerts(5).unwrap_or_default();
    let open: Vec<_> = alerts
        .into_iter()
        .filter(|a| a.resolved_at.is_none())
        .collect();
    st.page(
        &s,
        "overview.html",
        "overview",
        context! { overview => Value::from_serialize(&routers), open_alerts => Value::from_serialize(&open) },
    )
}

async fn api_overview(State(st): State<Arc<Web>>, Current(_): Current) -> Response {
    let routers: Vec<_> = st
        .hub
        .routers()
        .iter()
        .map(|r| router_summary(r, Lang::En))
        .collect();
    Json(serde_json::json!({ "routers": routers })).into_response()
}

async fn sse_overview(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let lang = s.lang;
    sse(st, &s, None, move |st| {
        let routers: Vec<_> = st
            .hub
            .routers()
            .iter()
            .map(|r| router_summary(r, lang))
            .collect();
        Some(serde_json::json!({ "routers": routers, "t": crate::now() }))
    })
}
