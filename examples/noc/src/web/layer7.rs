//! Layer 7: the router's patterns with lint, testing a pattern against text, matching a capture file, and recent activity.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{context, Value};
use serde::Deserialize;

use super::queues::pick_router;
use super::{Current, Web};
use axum::body::Bytes;

/// The capture upload, with its own body limit ([`super::MAX_BODY`]).
pub(super) fn upload_router() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/l7/pcap", post(api_l7_pcap))
        .layer(axum::extract::DefaultBodyLimit::max(super::MAX_BODY))
}

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/l7", get(l7_page))
        .route("/api/l7/test", post(api_l7_test))
        .route("/api/l7/activity", get(api_l7_activity))
}

#[derive(Deserialize)]
struct RouterQuery {
    router: Option<i64>,
}

fn lint_json(src: &str) -> Vec<serde_json::Value> {
    l7_patterns::lint(src)
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": d.severity.as_str(), "code": d.code, "message": d.message,
                "rendered": d.render(src), "fix": d.fix,
            })
        })
        .collect()
}

async fn l7_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let r = pick_router(&st, q.router);
    let (rules, router_v) = match &r {
        Some(r) => {
            let live = r.live();
            let rules: Vec<_> = live
                .l7
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "rule": rule, "lint": lint_json(&rule.regexp),
                    })
                })
                .collect();
            (
                rules,
                serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()}),
            )
        }
        None => (Vec::new(), serde_json::Value::Null),
    };
    let events = st
        .store
        .l7_events(r.as_ref().map(|r| r.id), 100)
        .unwrap_or_default();
    st.page(
        &s,
        "l7.html",
        "l7",
        context! {
            router => Value::from_serialize(&router_v),
            rules => Value::from_serialize(&rules),
            events => Value::from_serialize(&events),
        },
    )
}

#[derive(Deserialize)]
struct L7Test {
    router: Option<i64>,
    /// A pattern to try instead of the router's rules.
    #[serde(default)]
    pattern: String,
    /// The text to match (as sent on the wire; `\r\n` line ends are not added).
    text: String,
}

async fn api_l7_test(
    State(st): State<Arc<Web>>,
    Current(_): Current,
    Json(t): Json<L7Test>,
) -> Response {
    let patterns: Vec<(String, String)> = if t.pattern.trim().is_empty() {
        pick_router(&st, t.router)
            .map(|r| {
                r.live()
                    .l7
                    .iter()
                    .map(|x| (x.name.clone(), x.regexp.clone()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![("(pattern)".into(), t.pattern.clone())]
    };
    let data = l7_patterns::collect(t.text.as_bytes(), 2048);
    let results: Vec<_> = patterns
        .iter()
        .map(|(name, src)| {
            match l7_patterns::Matcher::from_pattern(src, l7_patterns::MatchMode::default()) {
                Ok(m) => serde_json::json!({
                    "name": name, "matched": m.is_match(&data), "error": null, "lint": lint_json(src),
                }),
                Err(e) => serde_json::json!({
                    "name": name, "matched": false, "error": e.to_string(), "lint": lint_json(src),
                }),
            }
        })
        .collect();
    Json(serde_json::json!({ "results": results, "bytes": data.len() })).into_response()
}

/// Reads a pcap, reassembles each TCP/UDP flow's first packets the way the router's Layer 7
/// window does, and reports which of the router's patterns match each flow.
async fn api_l7_pcap(
    State(st): State<Arc<Web>>,
    Current(_): Current,
    Query(q): Query<RouterQuery>,
    body: Bytes,
) -> Response {
    let rules: Vec<(String, String)> = pick_router(&st, q.router)
        .map(|r| {
            r.live()
                .l7
                .iter()
                .map(|x| (x.name.clone(), x.regexp.clone()))
                .collect()
        })
        .unwrap_or_default();
    let r = tokio::task::spawn_blocking(move || pcap_flows(&body, &rules)).await;
    match r {
        Ok(Ok(flows)) => Json(serde_json::json!({ "flows": flows })).into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "pcap analysis failed").into_response(),
    }
}

/// Most flows reported from one pcap.
const MAX_FLOWS: usize = 1000;

/// Splits a pcap into flows and matches each against `rules` (name, pattern).
pub fn pcap_flows(
    data: &[u8],
    rules: &[(String, String)],
) -> Result<Vec<serde_json::Value>, String> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use l7_patterns::{Direction, Flow, PatternSet};
    let set = PatternSet::new(
        rules.iter().map(|(n, p)| (n.as_str(), p.as_str())),
        l7_patterns::MatchMode::default(),
    )
    .map_err(|e| format!("the router's patterns do not compile: {e}"))?;
    let set = Arc::new(set);
    let mut reader = pcap_file::pcap::PcapReader::new(std::io::Cursor::new(data))
        .map_err(|e| format!("not a pcap file: {e}"))?;
    let mut flows: Vec<((String, String), Flow, u32)> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> = Default::default();
    while let Some(pkt) = reader.next_packet() {
        let pkt = pkt.map_err(|e| format!("bad pcap record: {e}"))?;
        let Ok(sliced) = SlicedPacket::from_ethernet(&pkt.data) else {
            continue;
        };
        let (src, dst) = match &sliced.net {
            Some(NetSlice::Ipv4(v4)) => (
                v4.header().source_addr().to_string(),
                v4.header().destination_addr().to_string(),
            ),
            Some(NetSlice::Ipv6(v6)) => (
                v6.header().source_addr().to_string(),
                v6.header().destination_addr().to_string(),
            ),
            _ => continue,
        };
        let (proto, sp, dp, payload) = match &sliced.transport {
            Some(TransportSlice::Tcp(t)) => {
                ("tcp", t.source_port(), t.destination_port(), t.payload())
            }
            Some(TransportSlice::Udp(u)) => {
                ("udp", u.source_port(), u.destination_port(), u.payload())
            }
            _ => continue,
        };
        let a = format!("{proto} {src}:{sp}");
        let b = format!("{dst}:{dp}");
        let fwd = (a.clone(), b.clone());
        let rev = (format!("{proto} {dst}:{dp}"), format!("{src}:{sp}"));
        let (key, dir) = if index.contains_key(&rev) {
            (rev, Direction::Reply)
        } else {
            (fwd, Direction::Original)
        };
        let i = match index.get(&key) {
            Some(i) => *i,
            None => {
                if flows.len() >= MAX_FLOWS {
                    continue;
                }
                flows.push((key.clone(), Flow::new(set.clone()), 0));
                index.insert(key, flows.len() - 1);
                flows.len() - 1
            }
        };
        if let Some((_, flow, n)) = flows.get_mut(i) {
            flow.push(dir, payload);
            *n += 1;
        }
    }
    Ok(flows
        .iter()
        .map(|((a, b), flow, n)| {
            let names: Vec<&str> = set.names_of(flow.matched());
            serde_json::json!({"flow": format!("{a} -> {b}"), "packets": n, "matched": names})
        })
        .collect())
}

async fn api_l7_activity(
    State(st): State<Arc<Web>>,
    Current(_): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let events = st.store.l7_events(q.router, 100).unwrap_or_default();
    let events: Vec<_> = events
        .into_iter()
        .map(|e| serde_json::json!({"time": crate::fmt::time(e.time), "host": e.host, "app": e.app, "rule": e.rule}))
        .collect();
    Json(serde_json::json!({ "events": events })).into_response()
}
