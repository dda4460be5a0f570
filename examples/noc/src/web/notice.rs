//! The notice page isolated customers see: a separate listener (`[billing] notice_listen`)
//! that the router's redirect points at, answering every path with one page and nothing
//! else — the dashboard is not reachable through it.
//!
//! The customer is recognised by the address their request comes from: the router is asked
//! which PPP session has it (one short query, a few at a time, cached for a minute), and the
//! page names what they owe. An address noc cannot place gets the general notice.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Router;
use minijinja::context;

use super::Web;
use crate::routers::ppp;
use crate::tr;

/// Addresses remembered (beyond this the cache starts over).
const MAX_CACHED: usize = 4096;
/// How long an address → customer answer is kept.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Router lookups in flight; requests beyond it get the general notice.
const MAX_LOOKUPS: usize = 4;

#[derive(Default)]
struct Lookups {
    cache: Mutex<HashMap<IpAddr, (Instant, Option<i64>)>>,
    running: std::sync::atomic::AtomicUsize,
}

struct NoticeState {
    web: Arc<Web>,
    lookups: Lookups,
}

/// The notice server's routes: every path answers the notice page.
pub(crate) fn router(web: Arc<Web>) -> Router {
    Router::new()
        .fallback(notice)
        .with_state(Arc::new(NoticeState {
            web,
            lookups: Lookups::default(),
        }))
}

async fn customer_at(st: &NoticeState, ip: IpAddr) -> Option<i64> {
    if let Some((at, id)) = st
        .lookups
        .cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&ip)
    {
        if at.elapsed() < CACHE_FOR {
            return *id;
        }
    }
    use std::sync::atomic::Ordering;
    if st.lookups.running.fetch_add(1, Ordering::SeqCst) >= MAX_LOOKUPS {
        st.lookups.running.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    let mut found = None;
    for r in st.web.hub.routers() {
        let Some(client) = r.client() else { continue };
        let lookup = tokio::time::timeout(
            Duration::from_secs(3),
            ppp::session_by_address(&client, &ip.to_string()),
        )
        .await;
        if let Ok(Ok(Some(name))) = lookup {
            found = st
                .web
                .store
                .customers()
                .ok()
                .and_then(|cs| {
                    cs.into_iter()
                        .find(|c| c.router_id == r.id && c.secret == name)
                })
                .map(|c| c.id);
            break;
        }
    }
    st.lookups.running.fetch_sub(1, Ordering::SeqCst);
    let mut cache = st.lookups.cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= MAX_CACHED {
        cache.clear();
    }
    cache.insert(ip, (Instant::now(), found));
    found
}

async fn notice(
    State(st): State<Arc<NoticeState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    let b = &st.web.billing;
    let cur = b
        .currency()
        .unwrap_or_else(|_| crate::billing::Currency::idr());
    let customer = match customer_at(&st, peer.ip()).await {
        Some(id) => st.web.store.customer(id).ok().flatten(),
        None => None,
    };
    let lang = customer
        .as_ref()
        .map_or_else(|| b.customer_lang(), |c| b.lang_of(c));
    let mut paragraphs = Vec::new();
    let title = tr!(lang, "notice-title");
    match &customer {
        Some(c) if c.isolated => {
            let owed = cur.format_in(
                lang,
                crate::billing::ledger_of(&st.web.store, c.id).map_or(0, |l| l.balance()),
            );
            paragraphs.push(tr!(lang, "notice-owed", name = &c.name, amount = owed));
        }
        _ => paragraphs.push(tr!(lang, "notice-general")),
    }
    if !b.pay_to.is_empty() {
        paragraphs.push(tr!(lang, "notice-pay-to", pay_to = &b.pay_to));
    }
    paragraphs.push(tr!(lang, "notice-comes-back"));
    let mut r = st.web.render_in(
        lang,
        "notice.html",
        context! { title => title, paragraphs => paragraphs },
    );
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.into_response()
}
