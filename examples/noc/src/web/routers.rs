//! Routers: the list with their state, adding and removing routers.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{Admin, Current, Web};
use crate::storage::RouterRow;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/routers", get(routers_page).post(add_router))
        .route("/routers/{id}/delete", post(delete_router))
        .route("/routers/{id}/edit", post(edit_router))
}

async fn routers_page(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let rows = st.store.routers().unwrap_or_default();
    let list: Vec<_> = rows
        .iter()
        .map(|r| {
            let status = st
                .hub
                .router(r.id)
                .map(|h| h.live().status.as_str())
                .unwrap_or("not polled");
            serde_json::json!({
                "id": r.id, "name": r.name, "address": r.address, "port": r.port, "tls": r.tls,
                "fingerprint": r.fingerprint, "user": r.user, "source": r.source, "status": status,
            })
        })
        .collect();
    st.page(
        &s,
        "routers.html",
        "routers",
        context! { list => Value::from_serialize(&list), error => () },
    )
}

#[derive(Deserialize)]
struct NewRouter {
    name: String,
    address: String,
    port: Option<String>,
    tls: Option<String>,
    fingerprint: Option<String>,
    user: String,
    password: String,
}

async fn add_router(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<NewRouter>,
) -> Response {
    let tls = f.tls.is_some();
    let port = match f.port.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(if tls { 8729 } else { 8728 }),
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| tr!(s.lang, "routers-not-a-port", port = format!("{p:?}"))),
    };
    let fingerprint = f
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned);
    let result = (|| -> Result<i64, String> {
        let port = port?;
        if f.name.trim().is_empty() || f.address.trim().is_empty() || f.user.trim().is_empty() {
            return Err(tr!(s.lang, "routers-required"));
        }
        let row = RouterRow {
            id: 0,
            name: f.name.trim().to_owned(),
            address: f.address.trim().to_owned(),
            port,
            tls,
            fingerprint,
            user: f.user.trim().to_owned(),
            password_sealed: st.secrets.seal(&f.password).map_err(|e| e.to_string())?,
            source: "ui".into(),
        };
        let config = crate::client_config(&row, f.password.clone()).map_err(|e| e.to_string())?;
        let id = st.store.upsert_router(&row).map_err(|e| e.to_string())?;
        st.hub.add_router(id, &row.name, config, false);
        Ok(id)
    })();
    match result {
        Ok(id) => {
            let _ = st.store.audit(
                &s.user,
                Some(id),
                "router.add",
                &format!("{} at {}", f.name.trim(), f.address.trim()),
                true,
            );
            Redirect::to(&format!(
                "/routers?done={}",
                super::urlencode(&tr!(s.lang, "routers-added"))
            ))
            .into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

#[derive(Deserialize)]
struct EditRouter {
    address: String,
    port: Option<String>,
    tls: Option<String>,
    fingerprint: Option<String>,
    user: String,
    /// Empty keeps the stored password.
    #[serde(default)]
    password: String,
}

/// Changes a router's address, port, TLS, user or password in place: its id, history, alerts
/// and customers stay; the poller reconnects with the new settings.
async fn edit_router(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(f): Form<EditRouter>,
) -> Response {
    let result = (|| -> Result<(String, String), String> {
        let old = st
            .store
            .routers()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| tr!(s.lang, "routers-no-such-router"))?;
        if old.source != "ui" {
            return Err(tr!(s.lang, "routers-from-config", name = &old.name));
        }
        let tls = f.tls.is_some();
        let port = match f.port.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => {
                if tls {
                    8729
                } else {
                    8728
                }
            }
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| tr!(s.lang, "routers-port-invalid", port = format!("{p:?}")))?,
        };
        if f.address.trim().is_empty() || f.user.trim().is_empty() {
            return Err(tr!(s.lang, "routers-address-user-required"));
        }
        let password = if f.password.is_empty() {
            st.secrets
                .open(&old.password_sealed)
                .map_err(|e| e.to_string())?
        } else {
            f.password.clone()
        };
        let row = RouterRow {
            id,
            name: old.name.clone(),
            address: f.address.trim().to_owned(),
            port,
            tls,
            fingerprint: f
                .fingerprint
                .as_deref()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned),
            user: f.user.trim().to_owned(),
            password_sealed: st.secrets.seal(&password).map_err(|e| e.to_string())?,
            source: old.source.clone(),
        };
        let config = crate::client_config(&row, password).map_err(|e| e.to_string())?;
        let mut changes = Vec::new();
        let mut diff = |what: &str, a: String, b: String| {
            if a != b {
                changes.push(format!("{what} {a} → {b}"));
            }
        };
        diff("address", old.address.clone(), row.address.clone());
        diff("port", old.port.to_string(), row.port.to_string());
        diff("tls", old.tls.to_string(), row.tls.to_string());
        diff(
            "fingerprint",
            old.fingerprint.clone().unwrap_or_default(),
            row.fingerprint.clone().unwrap_or_default(),
        );
        diff("user", old.user.clone(), row.user.clone());
        if !f.password.is_empty() {
            changes.push("password changed".into());
        }
        st.store.update_router(&row).map_err(|e| e.to_string())?;
        st.hub.remove_router(id);
        st.hub.add_router(id, &row.name, config, false);
        let detail = if changes.is_empty() {
            format!("{}: nothing changed", row.name)
        } else {
            format!("{}: {}", row.name, changes.join(", "))
        };
        Ok((row.name, detail))
    })();
    match result {
        Ok((name, detail)) => {
            let _ = st
                .store
                .audit(&s.user, Some(id), "router.edit", &detail, true);
            Redirect::to(&format!(
                "/routers?done={}",
                super::urlencode(&tr!(s.lang, "routers-saved", name = &name))
            ))
            .into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

async fn delete_router(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    let label = st
        .store
        .routers()
        .ok()
        .and_then(|rs| rs.into_iter().find(|r| r.id == id))
        .map_or_else(
            || format!("router #{id}"),
            |r| format!("{} at {}:{}", r.name, r.address, r.port),
        );
    st.hub.remove_router(id);
    match st.store.delete_router(id) {
        Ok(_) => {
            let _ = st
                .store
                .audit(&s.user, Some(id), "router.delete", &label, true);
            Redirect::to(&format!(
                "/routers?done={}",
                super::urlencode(&tr!(s.lang, "routers-removed"))
            ))
            .into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
