//! The audit log page.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::{Current, Web};
use crate::storage::AuditFilter;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new().route("/audit", get(audit_page))
}
/// Entries shown per page.
pub const AUDIT_PER_PAGE: i64 = 100;

/// The filter and page of the audit log (`?user=ana&action=queue.&q=budi&page=2`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AuditQuery {
    /// Exactly this user.
    #[serde(default)]
    pub user: String,
    /// Actions starting with this.
    #[serde(default)]
    pub action: String,
    /// Text in the detail.
    #[serde(default)]
    pub q: String,
    /// 1-based page.
    #[serde(default)]
    pub page: Option<i64>,
}

async fn audit_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<AuditQuery>,
) -> Response {
    let page = q.page.unwrap_or(1).max(1);
    let f = AuditFilter {
        user: Some(q.user.clone()).filter(|u| !u.trim().is_empty()),
        action: Some(q.action.clone()).filter(|a| !a.trim().is_empty()),
        text: Some(q.q.clone()).filter(|t| !t.trim().is_empty()),
    };
    match st
        .store
        .audit_page(&f, (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE)
    {
        Ok((entries, total)) => {
            let pages = ((total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE).max(1);
            // Routers by name; a removed router by its id (its name is in the removal entry).
            let names: std::collections::HashMap<i64, String> = st
                .store
                .routers()
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect();
            let routers: Vec<String> = entries
                .iter()
                .map(|e| match e.router_id {
                    None => String::new(),
                    Some(id) => names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("#{id} (removed)")),
                })
                .collect();
            st.page(
                &s,
                "audit.html",
                "audit",
                context! {
                    entries => Value::from_serialize(&entries), total => total, page => page,
                    router_names => routers,
                    pages => pages, filter => Value::from_serialize(&q),
                },
            )
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
