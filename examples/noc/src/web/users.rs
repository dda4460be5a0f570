//! Users: the list, adding and deleting users, setting passwords.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{Admin, Current, Web};
use crate::auth::Role;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/users", get(users_page).post(add_user))
        .route("/users/{id}/delete", post(delete_user))
        .route("/users/{id}/password", post(set_password))
        .route("/users/tokens", post(add_token))
        .route("/users/tokens/{id}/revoke", post(revoke_token))
}

async fn users_page(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let users = st.store.users().unwrap_or_default();
    let tokens = if s.role == Role::Admin {
        st.store.api_tokens().unwrap_or_default()
    } else {
        Vec::new()
    };
    st.page(
        &s,
        "users.html",
        "users",
        context! {
            users => Value::from_serialize(&users), error => (),
            tokens => Value::from_serialize(&tokens), new_token => (),
        },
    )
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    role: String,
}

/// Makes an API token and shows it once (only its digest is stored).
async fn add_token(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<NewToken>,
) -> Response {
    let name = f.name.trim();
    let made = if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        Err(tr!(s.lang, "users-token-name-invalid"))
    } else {
        match f.role.parse::<Role>() {
            Ok(role) => st
                .store
                .add_api_token(name, role, &s.user)
                .and_then(|(id, secret)| {
                    st.store.audit(
                        &s.user,
                        None,
                        "token.add",
                        &format!("API token #{id} {name:?} ({})", role.as_str()),
                        true,
                    )?;
                    Ok(secret)
                })
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    };
    let users = st.store.users().unwrap_or_default();
    let tokens = st.store.api_tokens().unwrap_or_default();
    let (error, new_token) = match made {
        Ok(t) => (None, Some(t)),
        Err(e) => (Some(e), None),
    };
    st.page(
        &s,
        "users.html",
        "users",
        context! {
            users => Value::from_serialize(&users), error => error,
            tokens => Value::from_serialize(&tokens), new_token => new_token,
        },
    )
}

async fn revoke_token(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    let r = st.store.revoke_api_token(id).and_then(|live| {
        if live {
            st.store.audit(
                &s.user,
                None,
                "token.revoke",
                &format!("API token #{id}"),
                true,
            )?;
        }
        Ok(live)
    });
    match r {
        Ok(_) => Redirect::to(&format!(
            "/users?done={}",
            super::urlencode(&tr!(s.lang, "users-token-revoked", id = id.to_string()))
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    password: String,
    role: String,
}

async fn add_user(State(st): State<Arc<Web>>, Admin(s): Admin, Form(f): Form<NewUser>) -> Response {
    let name = f.name.trim();
    let problem = if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        Some(tr!(s.lang, "users-name-invalid"))
    } else if f.password.len() < 8 {
        Some(tr!(s.lang, "users-password-short"))
    } else {
        None
    };
    let result = match (problem, f.role.parse::<Role>()) {
        (Some(p), _) => Err(p),
        (None, Err(e)) => Err(e.to_string()),
        (None, Ok(role)) => match st.hash_password(&f.password).await {
            Ok(hash) => st
                .store
                .add_user(name, &hash, role)
                .map_err(|e| e.to_string()),
            _ => Err("hashing failed".to_owned()),
        },
    };
    match result {
        Ok(_) => {
            let _ = st.store.audit(
                &s.user,
                None,
                "user.add",
                &format!("{name} ({})", f.role),
                true,
            );
            Redirect::to(&format!(
                "/users?done={}",
                super::urlencode(&tr!(s.lang, "users-added"))
            ))
            .into_response()
        }
        Err(e) => {
            let users = st.store.users().unwrap_or_default();
            let mut r = st.page(
                &s,
                "users.html",
                "users",
                context! { users => Value::from_serialize(&users), error => e },
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    }
}

/// "NAME (ROLE)" of a user id, for the audit log.
fn user_label(st: &Web, id: i64) -> String {
    st.store
        .users()
        .ok()
        .and_then(|us| us.into_iter().find(|u| u.id == id))
        .map_or_else(
            || format!("user #{id}"),
            |u| format!("{} ({})", u.name, u.role.as_str()),
        )
}

async fn delete_user(State(st): State<Arc<Web>>, Admin(s): Admin, Path(id): Path<i64>) -> Response {
    if id == s.user_id {
        return st.error_page_in(
            s.lang,
            StatusCode::BAD_REQUEST,
            &tr!(s.lang, "users-cannot-delete-self"),
        );
    }
    let label = user_label(&st, id);
    match st.store.delete_user(id) {
        Ok(true) => {
            st.sessions.remove_user(id);
            let _ = st.store.audit(&s.user, None, "user.delete", &label, true);
            Redirect::to(&format!(
                "/users?done={}",
                super::urlencode(&tr!(s.lang, "users-deleted"))
            ))
            .into_response()
        }
        Ok(false) => st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "users-no-such-user"),
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct NewPassword {
    password: String,
}

async fn set_password(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(f): Form<NewPassword>,
) -> Response {
    if f.password.len() < 8 {
        return st.error_page_in(
            s.lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tr!(s.lang, "users-password-short"),
        );
    }
    let Ok(hash) = st.hash_password(&f.password).await else {
        return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, "hashing failed");
    };
    let label = user_label(&st, id);
    match st.store.set_user_hash(id, &hash) {
        Ok(true) => {
            if id == s.user_id {
                // A stolen session of one's own must not outlive a password change.
                st.sessions.remove_others(id, &s);
            } else {
                st.sessions.remove_user(id);
            }
            let _ = st.store.audit(
                &s.user,
                None,
                "user.password",
                &format!("{label}: password changed"),
                true,
            );
            Redirect::to(&format!(
                "/users?done={}",
                super::urlencode(&tr!(s.lang, "users-password-changed"))
            ))
            .into_response()
        }
        Ok(false) => st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "users-no-such-user"),
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
