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

async fn login_form(State(st): State<Arc<Web>>, Query(q): Query<NextQuery>) -> Response {
    let token = auth::random_token();
    let mut r = st.render(
        "login.html",
        context! { csrf => token, next => safe_next(q.next.as_deref()), error => q.error },
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
}

async fn login(
    State(st): State<Arc<Web>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = st.client_address(peer.ip(), forwarded);
    let again = |status: StatusCode, message: &str| {
        let mut r = st.render(
            "login.html",
            context! { csrf => "", next => "/", error => message },
        );
        *r.status_mut() = status;
        r
    };
    match st.login(&f.user, &f.password, ip).await {
        Ok((token, _)) => {
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&st, SESSION_COOKIE, &token, "/", Some(43_200)),
            );
            r
        }
        Err(LoginError::Wrong) => Redirect::to(&format!(
            "/login?error={}&next={}",
            urlencode("Wrong user name or password."),
            urlencode(&safe_next(f.next.as_deref()))
        ))
        .into_response(),
        Err(LoginError::TooMany(wait)) => again(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many failed logins. Wait {} and try again.",
                if wait.as_secs() < 90 {
                    "a minute".to_owned()
                } else {
                    format!("{} minutes", wait.as_secs().div_ceil(60))
                }
            ),
        ),
        Err(LoginError::Busy) => again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many logins at once. Try again in a moment.",
        ),
        Err(LoginError::Internal(e)) => {
            tracing::error!("login failed: {e}");
            again(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Login failed on the server.",
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
