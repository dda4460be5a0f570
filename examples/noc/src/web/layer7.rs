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
    Current(s): Current,
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
        vec![(
            crate::tr!(s.lang, "l7-test-pattern-name"),
            t.pattern.clone(),
        )]
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
/// The capture of an upload: the raw body (`fetch` with `X-CSRF-Token`), or the `pcap` field
/// of a browser form (`multipart/form-data`, whose `csrf` field must come first and match).
async fn capture_of(
    st: &Arc<Web>,
    lang: crate::i18n::Lang,
    req: axum::extract::Request,
) -> Result<Bytes, Response> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return Bytes::from_request(req, st)
            .await
            .map_err(IntoResponse::into_response);
    }
    let expected = req.extensions().get::<super::FormCsrf>().cloned();
    let mut form = axum::extract::Multipart::from_request(req, st)
        .await
        .map_err(IntoResponse::into_response)?;
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_owned()).into_response();
    let mut csrf_ok = false;
    while let Some(field) = form.next_field().await.map_err(|e| bad(&e.body_text()))? {
        match field.name() {
            Some("csrf") => {
                let given = field.text().await.map_err(|e| bad(&e.body_text()))?;
                csrf_ok = expected
                    .as_ref()
                    .is_some_and(|e| crate::auth::token_eq(&given, &e.0));
            }
            Some("pcap") if csrf_ok => {
                return field.bytes().await.map_err(|e| bad(&e.body_text()));
            }
            Some("pcap") => break,
            _ => {}
        }
    }
    if csrf_ok {
        Err(bad(&crate::tr!(lang, "l7-no-capture")))
    } else {
        Err((StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response())
    }
}

async fn api_l7_pcap(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<RouterQuery>,
    req: axum::extract::Request,
) -> Response {
    let body = match capture_of(&st, s.lang, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let rules: Vec<(String, String)> = pick_router(&st, q.router)
        .map(|r| {
            r.live()
                .l7
                .iter()
                .map(|x| (x.name.clone(), x.regexp.clone()))
                .collect()
        })
        .unwrap_or_default();
    let lang = s.lang;
    let r = tokio::task::spawn_blocking(move || pcap_flows_in(lang, &body, &rules)).await;
    match r {
        Ok(Ok(flows)) => Json(serde_json::json!({ "flows": flows })).into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::tr!(s.lang, "l7-pcap-failed"),
        )
            .into_response(),
    }
}

/// Most flows reported from one pcap.
const MAX_FLOWS: usize = 1000;

/// Splits a capture (pcap or pcapng; Ethernet, VLAN, Linux cooked, raw IP, loopback) into
/// connections with l7-patterns' reader and matches each against `rules` (name, pattern),
/// the way the router's Layer 7 window sees them.
pub fn pcap_flows(
    data: &[u8],
    rules: &[(String, String)],
) -> Result<Vec<serde_json::Value>, String> {
    pcap_flows_in(crate::i18n::Lang::En, data, rules)
}

/// [`pcap_flows`] with noc's own error in `lang`.
pub fn pcap_flows_in(
    lang: crate::i18n::Lang,
    data: &[u8],
    rules: &[(String, String)],
) -> Result<Vec<serde_json::Value>, String> {
    use l7_patterns::PatternSet;
    let set = PatternSet::new(
        rules.iter().map(|(n, p)| (n.as_str(), p.as_str())),
        l7_patterns::MatchMode::default(),
    )
    .map_err(|e| crate::tr!(lang, "l7-patterns-broken", error = e.to_string()))?;
    let set = Arc::new(set);
    let mut limits = l7_patterns::pcap::Limits::default();
    limits.max_flows(MAX_FLOWS);
    let found = l7_patterns::pcap::flows(data, &set, &limits).map_err(|e| e.to_string())?;
    Ok(found
        .connections
        .iter()
        .map(|c| {
            serde_json::json!({
                "flow": c.to_string(), "packets": c.flow.packets(), "matched": c.matched_names(),
            })
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
