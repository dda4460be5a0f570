//! Devices: the watched devices grouped by their parent, live up/down and latency, adding and
//! removing them (admins and operators; previewed, then applied and audited), and Diagnose.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{Current, Web};
use crate::auth::Session;
use crate::health::diagnose::{self, Verdict};
use crate::health::DeviceView;
use crate::routers::netwatch::TAG;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/devices", get(devices_page).post(add_device))
        .route("/devices/remove", post(remove_device))
        .route("/devices/diagnose", get(diagnose_page))
        .route("/api/devices", get(api_devices))
}

/// The refusal for users who may not change devices (read-only), if `s` is one.
fn refused(st: &Web, s: &Session) -> Option<Response> {
    (!s.role.can_sell()).then(|| {
        st.error_page_in(
            s.lang,
            StatusCode::FORBIDDEN,
            &tr!(s.lang, "devices-refused"),
        )
    })
}

fn rows(st: &Web) -> Vec<serde_json::Value> {
    let all = st.health.all_devices();
    let ms = |us: Option<u64>| us.map(|u| u.div_ceil(1000));
    let row = |(r, d): &(Arc<crate::routers::RouterHandle>, DeviceView), depth: usize| {
        serde_json::json!({
            "router": r.name, "name": d.name, "address": d.address, "ip": d.ip,
            "parent": d.parent, "status": d.status, "since": d.since,
            "ms": ms(d.rtt_us), "loss": d.loss, "depth": depth,
        })
    };
    // Parents first, each followed by the devices behind it (one level; deeper ones are
    // listed under their own parent in turn).
    let mut out = Vec::new();
    let names: std::collections::HashSet<&str> = all.iter().map(|(_, d)| d.name.as_str()).collect();
    let mut stack: Vec<(&(Arc<crate::routers::RouterHandle>, DeviceView), usize)> = all
        .iter()
        .filter(|(_, d)| d.parent.as_deref().is_none_or(|p| !names.contains(p)))
        .rev()
        .map(|d| (d, 0))
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((d, depth)) = stack.pop() {
        if !seen.insert(d.1.name.as_str()) {
            continue;
        }
        out.push(row(d, depth));
        for c in all
            .iter()
            .filter(|(_, c)| c.parent.as_deref() == Some(d.1.name.as_str()))
            .rev()
        {
            stack.push((c, (depth + 1).min(8)));
        }
    }
    // Devices in a parent loop.
    for d in &all {
        if !seen.contains(d.1.name.as_str()) {
            out.push(row(d, 0));
        }
    }
    out
}

#[derive(Deserialize, Default)]
struct Flash {
    done: Option<String>,
}

/// Most samples a sparkline shows (the latest).
const SPARK_SAMPLES: i64 = 60;

/// A latency sparkline of a device's latest checks: SVG polyline points in a 60×16 box
/// (higher is slower; the scale is the device's own), and how many of those checks failed.
fn sparkline(samples: &[crate::storage::health::DeviceSample]) -> (String, usize, usize) {
    let rtts: Vec<(usize, i64)> = samples
        .iter()
        .rev()
        .enumerate()
        .filter_map(|(i, x)| x.rtt_us.filter(|_| x.up).map(|r| (i, r)))
        .collect();
    let max = rtts.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let points = rtts
        .iter()
        .map(|(i, r)| format!("{i},{}", 15 - r * 14 / max))
        .collect::<Vec<_>>()
        .join(" ");
    let down = samples.iter().filter(|x| !x.up).count();
    (points, down, samples.len())
}

async fn devices_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<Flash>,
) -> Response {
    let mut list = rows(&st);
    let ids: std::collections::HashMap<String, i64> = st
        .store
        .devices()
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.name, d.id))
        .collect();
    for d in &mut list {
        let samples = d["name"]
            .as_str()
            .and_then(|n| ids.get(n))
            .and_then(|id| st.store.device_samples(*id, SPARK_SAMPLES).ok())
            .unwrap_or_default();
        let (points, down, of) = sparkline(&samples);
        d["spark"] = points.into();
        d["spark_title"] = tr!(
            s.lang,
            "devices-spark-title",
            checks = of.to_string(),
            failed = down.to_string()
        )
        .into();
    }
    let down = list.iter().filter(|d| d["status"] == "down").count();
    st.page(
        &s,
        "devices.html",
        "devices",
        context! {
            list => Value::from_serialize(&list), down => down,
            may_change => s.role.can_sell(), done => q.done,
            parents => Value::from_serialize(list.iter().map(|d| d["name"].clone()).collect::<Vec<_>>()),
        },
    )
}

async fn api_devices(State(st): State<Arc<Web>>, Current(_): Current) -> Response {
    Json(serde_json::json!({ "devices": rows(&st), "t": crate::now() })).into_response()
}

#[derive(Deserialize)]
struct NewDevice {
    name: String,
    address: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    router: Option<i64>,
    #[serde(default)]
    confirm: Option<String>,
}

async fn add_device(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Form(f): Form<NewDevice>,
) -> Response {
    if let Some(r) = refused(&st, &s) {
        return r;
    }
    let router = match f.router {
        Some(id) => st.hub.router(id),
        None => st.hub.routers().into_iter().next(),
    };
    let Some(router) = router else {
        return st.error_page_in(
            s.lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tr!(s.lang, "devices-no-router"),
        );
    };
    let (name, address, parent) = (f.name.trim(), f.address.trim(), f.parent.trim());
    let parent = Some(parent).filter(|p| !p.is_empty());
    if f.confirm.is_none() {
        let host = if crate::health::is_mac(address) {
            tr!(s.lang, "devices-mac-host", address = address)
        } else {
            address.to_owned()
        };
        let interval = st.health.settings().check_interval_secs;
        return st.page(
            &s,
            "devices_confirm.html",
            "devices",
            context! {
                title => tr!(s.lang, "devices-confirm-add", name = name),
                action => "/devices",
                commands => vec![format!(
                    "/tool/netwatch/add host={host} interval={interval}s timeout=1s comment=\"{TAG}{name}\""
                )],
                note => match parent {
                    Some(p) => tr!(s.lang, "devices-confirm-on-behind", router = &router.name, parent = p),
                    None => tr!(s.lang, "devices-confirm-on", router = &router.name),
                },
                fields => vec![
                    ("name", name.to_owned()), ("address", address.to_owned()),
                    ("parent", parent.unwrap_or_default().to_owned()),
                    ("router", router.id.to_string()),
                ],
            },
        );
    }
    match st
        .health
        .add_device(&s.user, &router, name, address, parent)
    {
        Ok(()) => Redirect::to(&format!(
            "/devices?done={}",
            super::urlencode(&tr!(s.lang, "devices-added"))
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct Remove {
    name: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn remove_device(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Form(f): Form<Remove>,
) -> Response {
    if let Some(r) = refused(&st, &s) {
        return r;
    }
    if f.confirm.is_none() {
        return st.page(
            &s,
            "devices_confirm.html",
            "devices",
            context! {
                title => tr!(s.lang, "devices-confirm-remove", name = &f.name),
                action => "/devices/remove",
                commands => vec![format!(
                    "/tool/netwatch/remove [{} comment=\"{TAG}{}\"]",
                    tr!(s.lang, "devices-entry-with"),
                    f.name
                )],
                note => tr!(s.lang, "devices-confirm-remove-note"),
                fields => vec![("name", f.name.clone())],
            },
        );
    }
    match st.health.delete_device(&s.user, &f.name) {
        Ok(()) => Redirect::to(&format!(
            "/devices?done={}",
            super::urlencode(&tr!(s.lang, "devices-removed"))
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct Which {
    name: String,
}

async fn diagnose_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<Which>,
) -> Response {
    let all = st.health.all_devices();
    let Some((router, d)) = all.into_iter().find(|(_, d)| d.name == q.name) else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "devices-no-device"),
        );
    };
    let ip = d.ip.clone();
    let e = diagnose::gather(&st.health, &router, Some(d), ip.clone()).await;
    let findings = diagnose::verdicts_in(s.lang, &e, st.health.settings());
    let cause = diagnose::cause(&findings).map(str::to_owned);
    let lines: Vec<_> = findings
        .iter()
        .map(|f| {
            let (verdict, text) = match &f.verdict {
                Verdict::Ok(t) => ("ok", t.clone()),
                Verdict::Problem(t) => ("problem", t.clone()),
                Verdict::Unknown(t) => ("unknown", t.clone()),
            };
            serde_json::json!({
                "check": f.check, "verdict": verdict, "text": text,
                "check_label": diagnose::check_label(s.lang, f.check),
                "verdict_label": diagnose::verdict_label(s.lang, &f.verdict),
            })
        })
        .collect();
    st.page(
        &s,
        "devices_diagnose.html",
        "devices",
        context! {
            name => q.name, ip => ip, router => router.name.clone(), cause => cause,
            findings => Value::from_serialize(&lines),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::health::DeviceSample;

    #[test]
    fn sparklines_scale_to_the_slowest_and_count_failures() {
        let s = |t, up, rtt| DeviceSample {
            t,
            up,
            rtt_us: rtt,
            loss: None,
        };
        // Newest first, as the store gives them.
        let samples = [
            s(3, true, Some(2000)),
            s(2, false, None),
            s(1, true, Some(1000)),
        ];
        let (points, down, of) = sparkline(&samples);
        assert_eq!(points, "0,8 2,1");
        assert_eq!((down, of), (1, 3));
        assert_eq!(sparkline(&[]).0, "");
    }
}
