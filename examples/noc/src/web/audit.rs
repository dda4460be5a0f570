//! The audit log page.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};

use super::{Current, Web};

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new().route("/audit", get(audit_page))
}
async fn audit_page(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let entries = st.store.audit_log(500).unwrap_or_default();
    st.page(
        &s,
        "audit.html",
        "audit",
        context! { entries => Value::from_serialize(&entries) },
    )
}
