//! Who is asking: the session cookie, and the [`Current`] (any role) and [`Admin`]
//! extractors every handler uses.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderMap};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{urlencode, Web, SESSION_COOKIE};
use crate::auth::{Role, Session};

/// The value of the cookie `name` in the request's `Cookie` headers.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The session of the request's cookie; its user and role are as the database has them now
/// (a deleted user has no session, a demoted one has the new role).
pub(super) fn session_of(st: &Web, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let mut s = st.sessions.get(&token)?;
    s.lang = s.language.unwrap_or_else(|| browser_lang(st, headers));
    Some(s)
}

/// The language for a request without a chosen one: the browser's `Accept-Language` when it
/// names a language noc speaks, else noc's default.
pub(super) fn browser_lang(st: &Web, headers: &HeaderMap) -> crate::i18n::Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::i18n::Lang::from_accept_language)
        .unwrap_or(st.language)
}

pub(super) fn wants_json(parts: &Parts) -> bool {
    let p = parts.uri.path();
    p.starts_with("/api/") || p.starts_with("/events/")
}

/// A logged-in user (any role). Pages redirect to the login form without one; APIs answer 401.
#[derive(Debug, Clone)]
pub struct Current(pub Session);

/// A logged-in admin; others get 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Session);

impl FromRequestParts<Arc<Web>> for Current {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &Arc<Web>) -> Result<Self, Self::Rejection> {
        match session_of(st, &parts.headers) {
            Some(s) => Ok(Current(s)),
            None if wants_json(parts) || parts.method != Method::GET => {
                Err((StatusCode::UNAUTHORIZED, "login required").into_response())
            }
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
        }
    }
}

impl FromRequestParts<Arc<Web>> for Admin {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let Current(s) = Current::from_request_parts(parts, st).await?;
        if s.role != Role::Admin {
            return Err(if wants_json(parts) {
                (
                    StatusCode::FORBIDDEN,
                    "read-only users cannot change anything",
                )
                    .into_response()
            } else {
                st.error_page_in(
                    s.lang,
                    StatusCode::FORBIDDEN,
                    &crate::tr!(s.lang, "error-read-only"),
                )
            });
        }
        Ok(Admin(s))
    }
}

/// A logged-in admin or operator (who may sell); others get 403.
#[derive(Debug, Clone)]
pub struct Seller(pub Session);

impl FromRequestParts<Arc<Web>> for Seller {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let Current(s) = Current::from_request_parts(parts, st).await?;
        if !s.role.can_sell() {
            return Err(if wants_json(parts) {
                (StatusCode::FORBIDDEN, "read-only users cannot sell").into_response()
            } else {
                st.error_page_in(
                    s.lang,
                    StatusCode::FORBIDDEN,
                    &crate::tr!(s.lang, "error-cannot-sell"),
                )
            });
        }
        Ok(Seller(s))
    }
}
