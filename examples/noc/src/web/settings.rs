//! Settings (admins only): the WhatsApp settings page. It shows and edits the settings in
//! force (`[whatsapp]` of `noc.toml` until saved here), never shows a secret back (only
//! where it comes from), saves through [`WhatsAppControl::save`] (audited, applied without a
//! restart), and sends a test message through the WhatsApp outbox.
//!
//! [`WhatsAppControl::save`]: crate::alerts::WhatsAppControl::save

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use tg_notify::{Alert, Priority};
use wa_notify::PhoneNumber;

use super::{urlencode, Admin, Web};
use crate::alerts::whatsapp_settings::{RecipientSetting, SecretEdit, WhatsAppSettings};
use crate::auth::Session;
use crate::tr;

/// Most recipients the page takes.
pub const MAX_RECIPIENTS: usize = 50;
/// Empty recipient rows the page offers for new numbers.
const BLANK_ROWS: usize = 2;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/settings/whatsapp", get(page).post(save))
        .route("/settings/whatsapp/test", post(send_test))
}

#[derive(Debug, Deserialize, Default)]
struct Flash {
    #[serde(default)]
    error: Option<String>,
}

/// Reads the settings from the form's fields (`recipient.N.number` and so on; rows without a
/// number are dropped) and the secret edits.
fn from_form(f: &HashMap<String, String>) -> (WhatsAppSettings, SecretEdit, SecretEdit) {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let on = |k: &str| matches!(f.get(k).map(String::as_str), Some("on" | "true" | "1"));
    let mut rows: Vec<(usize, RecipientSetting)> = f
        .keys()
        .filter_map(|k| k.strip_prefix("recipient.")?.strip_suffix(".number"))
        .filter_map(|i| i.parse::<usize>().ok())
        .filter(|i| *i < MAX_RECIPIENTS + BLANK_ROWS)
        .map(|i| {
            let k = |field: &str| format!("recipient.{i}.{field}");
            (
                i,
                RecipientSetting::new(
                    &get(&k("number")),
                    &get(&k("role")),
                    &get(&k("quiet")),
                    on(&k("alerts")),
                ),
            )
        })
        .filter(|(_, r)| !r.number.is_empty())
        .collect();
    rows.sort_by_key(|(i, _)| *i);
    let settings = WhatsAppSettings {
        enabled: on("enabled"),
        phone_number_id: get("phone_number_id"),
        api_url: get("api_url"),
        verify_token: get("verify_token"),
        template: get("template"),
        language: get("language"),
        utc_offset: get("utc_offset"),
        recipients: rows
            .into_iter()
            .map(|(_, r)| r)
            .take(MAX_RECIPIENTS)
            .collect(),
    };
    let secret = |value: &str, clear: &str| {
        let v = f.get(value).map(|v| v.trim()).unwrap_or_default();
        if !v.is_empty() {
            SecretEdit::Set(v.to_owned())
        } else if on(clear) {
            SecretEdit::Clear
        } else {
            SecretEdit::Keep
        }
    };
    (
        settings,
        secret("token", "clear_token"),
        secret("app_secret", "clear_app_secret"),
    )
}

fn render(
    st: &Web,
    s: &Session,
    settings: &WhatsAppSettings,
    errors: &BTreeMap<String, String>,
    message: Option<&str>,
    status: StatusCode,
) -> Response {
    let control = &st.whatsapp_control;
    let (token, app_secret) = match control.secret_sources() {
        Ok(x) => x,
        Err(e) => {
            return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    };
    let saved = control.saved().ok().flatten();
    let file = control.file();
    let running = control.running();
    let state = match &running {
        Some(w) if w.is_official() => tr!(s.lang, "settings-state-official"),
        Some(_) => tr!(s.lang, "settings-state-gateway"),
        None if settings.enabled => tr!(s.lang, "settings-state-failed"),
        None => tr!(s.lang, "settings-state-off"),
    };
    let mut rows: Vec<RecipientSetting> = settings.recipients.clone();
    for _ in 0..BLANK_ROWS {
        rows.push(RecipientSetting::new("", "read-only", "", true));
    }
    let numbers: Vec<String> = running
        .as_ref()
        .map(|w| {
            w.config()
                .recipients
                .iter()
                .map(|r| r.number.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut resp = st.page(
        s,
        "settings_whatsapp.html",
        "settings",
        context! {
            settings => Value::from_serialize(settings),
            rows => Value::from_serialize(&rows),
            errors => Value::from_serialize(errors),
            token => token.describe_in(s.lang),
            token_on_page => token == crate::alerts::whatsapp_settings::SecretSource::Page,
            app_secret => app_secret.describe_in(s.lang),
            app_secret_on_page => app_secret == crate::alerts::whatsapp_settings::SecretSource::Page,
            saved_by => saved.as_ref().map(|r| r.updated_by.clone()),
            saved_at => saved.as_ref().map(|r| r.updated),
            has_file => file.is_some(),
            gateway => file.as_ref().is_some_and(|f| f.gateway.is_some()),
            state => state,
            running => running.is_some(),
            numbers => numbers,
            message => message,
        },
    );
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
}

async fn page(State(st): State<Arc<Web>>, Admin(s): Admin, Query(q): Query<Flash>) -> Response {
    match st.whatsapp_control.settings() {
        Ok(settings) => render(
            &st,
            &s,
            &settings,
            &BTreeMap::new(),
            q.error.as_deref(),
            StatusCode::OK,
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn save(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (settings, token, app_secret) = from_form(&f);
    let gateway = st
        .whatsapp_control
        .file()
        .is_some_and(|c| c.gateway.is_some());
    let errors = settings.check_in(gateway, s.lang);
    if !errors.is_empty() {
        return render(
            &st,
            &s,
            &settings,
            &errors,
            Some(&tr!(s.lang, "settings-not-saved")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let mut restarted = st.whatsapp_control.subscribe_started();
    match st
        .whatsapp_control
        .save(&s.user, &settings, token, app_secret)
    {
        Ok(changes) => {
            // The page shown next says whether the delivery runs with the new settings.
            if st.whatsapp_control.is_followed() {
                let _ = tokio::time::timeout(Duration::from_secs(5), restarted.changed()).await;
            }
            let done = if changes.is_empty() {
                tr!(s.lang, "settings-saved-nothing")
            } else {
                tr!(s.lang, "settings-saved", count = changes.len())
            };
            Redirect::to(&format!("/settings/whatsapp?done={}", urlencode(&done))).into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct TestForm {
    to: String,
}

async fn send_test(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<TestForm>,
) -> Response {
    let back = |error: &str| {
        Redirect::to(&format!("/settings/whatsapp?error={}", urlencode(error))).into_response()
    };
    let Some(wa) = st.whatsapp_control.running() else {
        return back(&tr!(s.lang, "settings-test-off"));
    };
    let Ok(to) = f.to.trim().parse::<PhoneNumber>() else {
        return back(&tr!(s.lang, "settings-test-choose"));
    };
    if wa.config().role_of(&to).is_none() {
        return back(&tr!(s.lang, "settings-test-unlisted"));
    }
    let mut m = wa_notify::Markup::new();
    m.raw("✅ ")
        .bold(&tr!(s.lang, "settings-test-title"))
        .raw(": ")
        .text(&tr!(s.lang, "settings-test-text", user = &s.user));
    let mut a = Alert::new(&to, m.build());
    a.priority(Priority::High);
    let queued = wa.notifier().enqueue(a);
    let ok = queued.is_ok();
    let detail = match &queued {
        Ok(_) => format!("test message to {}", to.as_str()),
        Err(e) => format!("test message to {} not queued: {e}", to.as_str()),
    };
    if let Err(e) = st.store.audit(&s.user, None, "whatsapp.test", &detail, ok) {
        tracing::warn!(error = %e, "audit entry not written");
    }
    match queued {
        Ok(_) => Redirect::to(&format!(
            "/settings/whatsapp?done={}",
            urlencode(&tr!(s.lang, "settings-test-queued", number = to.as_str()))
        ))
        .into_response(),
        Err(e) => back(&tr!(
            s.lang,
            "settings-test-not-queued",
            error = e.to_string()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_rows_in_order_and_secret_edits() {
        let f: HashMap<String, String> = [
            ("enabled", "on"),
            ("phone_number_id", " 123 "),
            ("recipient.1.number", "+62 813 0000 0001"),
            ("recipient.1.role", "read-only"),
            ("recipient.0.number", "+62 812 0000 0001"),
            ("recipient.0.role", "admin"),
            ("recipient.0.alerts", "on"),
            ("recipient.0.quiet", "22:00-07:00"),
            ("recipient.2.number", ""),
            ("token", "secret-token"),
            ("clear_app_secret", "on"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let (s, token, app_secret) = from_form(&f);
        assert!(s.enabled);
        assert_eq!(s.phone_number_id, "123");
        assert_eq!(s.recipients.len(), 2);
        assert_eq!(s.recipients[0].role, "admin");
        assert!(s.recipients[0].alerts && !s.recipients[1].alerts);
        assert!(matches!(token, SecretEdit::Set(t) if t == "secret-token"));
        assert!(matches!(app_secret, SecretEdit::Clear));
    }
}
