//! Logging in and out.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::Web;
use super::{urlencode, LOGIN_COOKIE, SESSION_COOKIE};
use crate::app::LoginError;
use crate::auth;
use crate::i18n::Lang;
use crate::tr;
use axum::extract::ConnectInfo;
use axum::http::header::{self, HeaderMap, HeaderValue};
use std::net::SocketAddr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    error: Option<String>,
    lang: Option<String>,
}

/// The language of the login page: the one chosen on it (`?lang=id`, or the hidden field of a
/// failed login), else the browser's, else noc's default. Also returns the chosen one.
fn login_lang(st: &Web, chosen: Option<&str>, headers: &HeaderMap) -> (Lang, Option<Lang>) {
    let chosen = chosen.and_then(Lang::parse);
    (
        chosen.unwrap_or_else(|| super::extract::browser_lang(st, headers)),
        chosen,
    )
}

/// Where to go after logging in: only a path on this site. Anything with a control character
/// (browsers drop tabs and newlines, turning `/\t/evil` into `//evil`), a backslash, or
/// starting with `//` goes to `/`.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A `Set-Cookie` value: `HttpOnly; SameSite=Strict`, `Secure` when noc is served over HTTPS.
pub(super) fn set_cookie(
    st: &Web,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = cookie::Cookie::new(name.to_owned(), value.to_owned());
    c.set_http_only(true);
    c.set_same_site(cookie::SameSite::Strict);
    c.set_path(path.to_owned());
    c.set_secure(st.secure_cookies);
    if let Some(s) = max_age {
        c.set_max_age(cookie::time::Duration::seconds(s));
    }
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

async fn login_form(
    State(st): State<Arc<Web>>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = auth::random_token();
    let (lang, chosen) = login_lang(&st, q.lang.as_deref(), &headers);
    let mut r = st.render_in(
        lang,
        "login.html",
        context! {
            csrf => token, next => safe_next(q.next.as_deref()), error => q.error,
            chosen => chosen.map(Lang::code),
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&st, LOGIN_COOKIE, &token, "/login", None),
    );
    r
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
    next: Option<String>,
    /// The language chosen on the login page, if any.
    lang: Option<String>,
}

async fn login(
    State(st): State<Arc<Web>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = st.client_address(peer.ip(), forwarded);
    let (lang, chosen) = login_lang(&st, f.lang.as_deref(), &headers);
    let again = |status: StatusCode, message: &str| {
        let mut r = st.render_in(
            lang,
            "login.html",
            context! { csrf => "", next => "/", error => message, chosen => chosen.map(Lang::code) },
        );
        *r.status_mut() = status;
        r
    };
    match st.login(&f.user, &f.password, ip).await {
        Ok((token, user)) => {
            if let (Some(l), None) = (chosen, user.language) {
                if let Err(e) = st.store.set_user_language(user.id, Some(l)) {
                    tracing::warn!("could not store the language of {}: {e}", user.name);
                }
            }
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&st, SESSION_COOKIE, &token, "/", Some(43_200)),
            );
            r
        }
        Err(LoginError::Wrong) => Redirect::to(&format!(
            "/login?error={}&next={}{}",
            urlencode(&tr!(lang, "login-wrong")),
            urlencode(&safe_next(f.next.as_deref())),
            chosen.map_or_else(String::new, |l| format!("&lang={l}"))
        ))
        .into_response(),
        Err(LoginError::TooMany(wait)) => again(
            StatusCode::TOO_MANY_REQUESTS,
            &tr!(
                lang,
                "login-too-many",
                wait = if wait.as_secs() < 90 {
                    tr!(lang, "login-wait-minute")
                } else {
                    tr!(
                        lang,
                        "login-wait-minutes",
                        minutes = wait.as_secs().div_ceil(60).to_string()
                    )
                }
            ),
        ),
        Err(LoginError::Busy) => again(StatusCode::TOO_MANY_REQUESTS, &tr!(lang, "login-busy")),
        Err(LoginError::Internal(e)) => {
            tracing::error!("login failed: {e}");
            again(
                StatusCode::INTERNAL_SERVER_ERROR,
                &tr!(lang, "login-failed"),
            )
        }
    }
}

async fn logout(State(st): State<Arc<Web>>, headers: HeaderMap) -> Response {
    if let Some(t) = super::extract::cookie(&headers, SESSION_COOKIE) {
        st.sessions.remove(&t);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&st, SESSION_COOKIE, "", "/", Some(0)),
    );
    r
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_local() {
        assert_eq!(safe_next(Some("/queues?x=1")), "/queues?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example/")), "/");
    }
}
