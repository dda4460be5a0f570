//! The language switch in the page header: a user's choice of English or Bahasa Indonesia,
//! kept with the user.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

use super::{Current, Web};
use crate::i18n::Lang;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new().route("/language", post(set_language))
}

#[derive(Deserialize)]
struct Choice {
    language: String,
}

/// Stores the user's language and goes back to the page they were on (a path on this site
/// only), with a confirmation in the new language.
async fn set_language(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    headers: HeaderMap,
    Form(f): Form<Choice>,
) -> Response {
    let Some(lang) = Lang::parse(&f.language) else {
        return st.error_page_in(
            s.lang,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &crate::tr!(
                s.lang,
                "language-unknown",
                language = crate::fmt::cap(&f.language, 16)
            ),
        );
    };
    if let Err(e) = st.store.set_user_language(s.user_id, Some(lang)) {
        return st.error_page_in(
            s.lang,
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            &e.to_string(),
        );
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_owned()));
    let back = super::login::safe_next(back.as_deref());
    let (path, query) = back.split_once('?').unwrap_or((back.as_str(), ""));
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "done")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(kept);
    q.append_pair(
        "done",
        &crate::tr!(lang, "language-saved", language = lang.name()),
    );
    Redirect::to(&format!("{path}?{}", q.finish())).into_response()
}
