//! `/metrics` in the Prometheus text format, built with `prometheus-client` from the live
//! state at scrape time (so nothing grows between scrapes).

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::routers::{Hub, Status};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouterLabels {
    router: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ItemLabels {
    router: String,
    name: String,
    direction: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct L7Labels {
    router: String,
    protocol: String,
}

/// Escapes a label value for the text format (`\\`, `\"`, `\n`): the encoder of this
/// prometheus-client version writes label values as they are, and queue names come from
/// routers.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Renders every metric.
pub fn render(hub: &Hub) -> Result<String, std::fmt::Error> {
    let mut reg = Registry::with_prefix("noc");
    let up = Family::<RouterLabels, Gauge>::default();
    let cpu = Family::<RouterLabels, Gauge>::default();
    let free_mem = Family::<RouterLabels, Gauge>::default();
    let total_mem = Family::<RouterLabels, Gauge>::default();
    let free_hdd = Family::<RouterLabels, Gauge>::default();
    let polls_ok = Family::<RouterLabels, Counter>::default();
    let polls_failed = Family::<RouterLabels, Counter>::default();
    let connects = Family::<RouterLabels, Counter>::default();
    let poll_ms = Family::<RouterLabels, Gauge>::default();
    let q_rate = Family::<ItemLabels, Gauge>::default();
    let q_max = Family::<ItemLabels, Gauge>::default();
    let q_bytes = Family::<ItemLabels, Counter>::default();
    let q_dropped = Family::<ItemLabels, Counter>::default();
    let if_rate = Family::<ItemLabels, Gauge>::default();
    let if_bytes = Family::<ItemLabels, Counter>::default();
    let if_running = Family::<ItemLabels, Gauge>::default();
    let l7_packets = Family::<L7Labels, Counter>::default();
    let l7_bytes = Family::<L7Labels, Counter>::default();
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    for r in hub.routers() {
        let live = r.live();
        let rl = RouterLabels {
            router: label(&r.name),
        };
        up.get_or_create(&rl)
            .set(i64::from(matches!(live.status, Status::Up)));
        polls_ok.get_or_create(&rl).inc_by(live.polls_ok);
        polls_failed.get_or_create(&rl).inc_by(live.polls_failed);
        connects.get_or_create(&rl).inc_by(live.connects);
        poll_ms.get_or_create(&rl).set(clamp(live.last_poll_ms));
        if let Some(res) = &live.resource {
            cpu.get_or_create(&rl).set(clamp(res.cpu_load));
            free_mem.get_or_create(&rl).set(clamp(res.free_memory));
            total_mem.get_or_create(&rl).set(clamp(res.total_memory));
            free_hdd.get_or_create(&rl).set(clamp(res.free_hdd));
        }
        let item = |name: &str, dir: &str| ItemLabels {
            router: label(&r.name),
            name: label(name),
            direction: dir.to_owned(),
        };
        for q in live.queues.iter() {
            for (dir, rate, max, bytes, dropped) in [
                ("upload", q.rate_up, q.max_up, q.bytes_up, q.dropped_up),
                (
                    "download",
                    q.rate_down,
                    q.max_down,
                    q.bytes_down,
                    q.dropped_down,
                ),
            ] {
                let l = item(&q.name, dir);
                q_rate.get_or_create(&l).set(clamp(rate));
                q_max.get_or_create(&l).set(clamp(max));
                q_bytes.get_or_create(&l).inc_by(bytes);
                q_dropped.get_or_create(&l).inc_by(dropped);
            }
        }
        for i in &live.interfaces {
            for (dir, rate, bytes) in [("tx", i.tx_bps, i.tx_byte), ("rx", i.rx_bps, i.rx_byte)] {
                let l = item(&i.name, dir);
                if_rate.get_or_create(&l).set(clamp(rate));
                if_bytes.get_or_create(&l).inc_by(bytes);
            }
            if_running
                .get_or_create(&item(&i.name, "both"))
                .set(i64::from(i.running));
        }
        for p in &live.l7 {
            let l = L7Labels {
                router: label(&r.name),
                protocol: label(&p.name),
            };
            l7_packets.get_or_create(&l).inc_by(p.hit_packets);
            l7_bytes.get_or_create(&l).inc_by(p.hit_bytes);
        }
    }
    reg.register("router_up", "1 when the last poll succeeded", up);
    reg.register("router_cpu_load_percent", "CPU load", cpu);
    reg.register("router_free_memory_bytes", "Free memory", free_mem);
    reg.register("router_total_memory_bytes", "Total memory", total_mem);
    reg.register("router_free_hdd_bytes", "Free disk space", free_hdd);
    reg.register("poller_polls_ok", "Successful polls", polls_ok);
    reg.register("poller_polls_failed", "Failed polls", polls_failed);
    reg.register("poller_connects", "Connection attempts", connects);
    reg.register(
        "poller_last_poll_milliseconds",
        "Duration of the last poll",
        poll_ms,
    );
    reg.register("queue_rate_bits_per_second", "Simple queue rate", q_rate);
    reg.register(
        "queue_max_limit_bits_per_second",
        "Simple queue max-limit (0 = none)",
        q_max,
    );
    reg.register("queue_bytes", "Bytes through a simple queue", q_bytes);
    reg.register(
        "queue_dropped_packets",
        "Packets dropped by a simple queue",
        q_dropped,
    );
    reg.register("interface_rate_bits_per_second", "Interface rate", if_rate);
    reg.register("interface_bytes", "Interface byte counter", if_bytes);
    reg.register("interface_running", "1 when the link is up", if_running);
    reg.register(
        "l7_packets",
        "Packets counted by firewall rules using the Layer 7 protocol",
        l7_packets,
    );
    reg.register(
        "l7_bytes",
        "Bytes counted by firewall rules using the Layer 7 protocol",
        l7_bytes,
    );
    let (series, dropped) = hub.sample_stats();
    let s = Gauge::<i64>::default();
    s.set(i64::try_from(series).unwrap_or(i64::MAX));
    reg.register("history_series", "Series tracked for history", s);
    let d = Counter::<u64>::default();
    d.inc_by(dropped);
    reg.register(
        "history_dropped_samples",
        "Samples dropped: too many series",
        d,
    );
    let mut out = String::new();
    encode(&mut out, &reg)?;
    Ok(out)
}

/// The `/metrics` route (OpenMetrics text; a bearer token when one is configured).
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

fn has_session(st: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == "noc_session")
        .is_some_and(|c| st.sessions.get(c.value()).is_some())
}

async fn metrics(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = &st.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| crate::auth::token_eq(g, token)) {
            return (StatusCode::UNAUTHORIZED, "bearer token required").into_response();
        }
    } else if !st.open_metrics && !has_session(&st, &headers) {
        // Reachable beyond loopback without a token: only for logged-in users.
        return (
            StatusCode::UNAUTHORIZED,
            "log in, or start noc with --metrics-token for scrapers",
        )
            .into_response();
    }
    let hub = st.hub.clone();
    match tokio::task::spawn_blocking(move || render(&hub)).await {
        Ok(Ok(text)) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "metrics failed").into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        assert_eq!(super::label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
