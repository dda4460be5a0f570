//! The queue editor: form, live preview (field errors, diagnostics, the exact plan) and apply; enable, disable and remove.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::{urlencode, Admin, Current, Web};
use crate::i18n::Lang;
use crate::routers::changes::{apply_queue, current_queues};
use crate::routers::RouterHandle;
use crate::tr;
use queue_model::{Item as _, SimpleQueue};
use std::collections::BTreeMap;
use std::time::Duration;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/queues/edit", get(edit_page))
        .route("/queues/apply", post(apply_form))
        .route("/queues/action", post(queue_action))
        .route("/api/queues/preview", post(api_preview))
        .route("/api/queues/apply", post(api_apply))
}

/// The queue editor's fields, as typed.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[non_exhaustive]
pub struct QueueForm {
    /// Router id.
    pub router: i64,
    /// The queue being edited (empty: a new queue).
    #[serde(default)]
    pub original: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `target`.
    #[serde(default)]
    pub target: String,
    /// `parent` (empty: none).
    #[serde(default)]
    pub parent: String,
    /// `max-limit` (`up/down`).
    #[serde(default)]
    pub max_limit: String,
    /// `limit-at`.
    #[serde(default)]
    pub limit_at: String,
    /// `burst-limit`.
    #[serde(default)]
    pub burst_limit: String,
    /// `burst-threshold`.
    #[serde(default)]
    pub burst_threshold: String,
    /// `burst-time`.
    #[serde(default)]
    pub burst_time: String,
    /// `priority`.
    #[serde(default)]
    pub priority: String,
    /// `packet-marks`.
    #[serde(default)]
    pub packet_marks: String,
    /// `comment`.
    #[serde(default)]
    pub comment: String,
    /// `disabled` (`on`/`true` when ticked).
    #[serde(default)]
    pub disabled: Option<String>,
    /// Ignored (the CSRF field).
    #[serde(default)]
    pub csrf: Option<String>,
}

/// The result of checking an edit.
#[derive(Debug, Clone, Serialize, Default)]
#[non_exhaustive]
pub struct Preview {
    /// Errors per form field (`max_limit` → "invalid value for max-limit...").
    pub field_errors: BTreeMap<String, String>,
    /// queue-model diagnostics about the result (`severity`, `code`, `message`).
    pub diagnostics: Vec<serde_json::Value>,
    /// The plan, as RouterOS commands.
    pub commands: Vec<String>,
    /// Whether the change may be applied (no field error, no validation error).
    pub ok: bool,
}

fn desired_from(
    lang: Lang,
    current: &queue_model::Config,
    f: &QueueForm,
) -> (queue_model::Config, Preview) {
    let mut preview = Preview::default();
    let mut desired = current.clone();
    // `original` is the name as the form shows it: escaped (`\xHH`) where the router's bytes
    // are not UTF-8, so that it names exactly one queue.
    let existing = if f.original.is_empty() {
        None
    } else {
        desired
            .queues
            .iter()
            .position(|q| q.name.escape() == f.original)
            .or_else(|| desired.queues.iter().position(|q| q.name == f.original))
    };
    if !f.original.is_empty() && existing.is_none() {
        preview.field_errors.insert(
            "name".into(),
            tr!(
                lang,
                "editor-err-no-queue",
                name = format!("{:?}", f.original)
            ),
        );
    }
    let mut q = existing
        .and_then(|i| desired.queues.get(i).cloned())
        .unwrap_or_default();
    let name = f.name.trim();
    if name.is_empty() {
        preview
            .field_errors
            .insert("name".into(), tr!(lang, "editor-err-name-needed"));
    } else if desired
        .queues
        .iter()
        .enumerate()
        .any(|(i, x)| x.name == name && Some(i) != existing)
    {
        preview.field_errors.insert(
            "name".into(),
            tr!(lang, "editor-err-name-exists", name = format!("{name:?}")),
        );
    }
    // A text field the user left as shown keeps the router's bytes (a comment written in
    // another code page is not rewritten as U+FFFD).
    let unchanged = |shown: &str, now: Option<&queue_model::Text>| {
        now.is_some_and(|t| !f.original.is_empty() && form_text(t) == shown)
    };
    if !unchanged(name, Some(&q.name)) {
        q.name = name.into();
    }
    let keep_parent = unchanged(f.parent.trim(), q.parent.as_ref());
    let keep_marks = !q.packet_marks.is_empty()
        && unchanged(
            f.packet_marks.trim(),
            Some(&queue_model::Text::from(
                q.packet_marks
                    .iter()
                    .map(form_text)
                    .collect::<Vec<_>>()
                    .join(","),
            )),
        );
    let fields: [(&str, &str, &str, &str); 9] = [
        ("target", "target", f.target.trim(), ""),
        ("parent", "parent", f.parent.trim(), "none"),
        ("max_limit", "max-limit", f.max_limit.trim(), "0/0"),
        ("limit_at", "limit-at", f.limit_at.trim(), "0/0"),
        ("burst_limit", "burst-limit", f.burst_limit.trim(), "0/0"),
        (
            "burst_threshold",
            "burst-threshold",
            f.burst_threshold.trim(),
            "0/0",
        ),
        ("burst_time", "burst-time", f.burst_time.trim(), "0s/0s"),
        ("priority", "priority", f.priority.trim(), "8/8"),
        ("packet_marks", "packet-marks", f.packet_marks.trim(), ""),
    ];
    for (field, prop, value, default) in fields {
        if (field == "parent" && keep_parent) || (field == "packet_marks" && keep_marks) {
            continue;
        }
        let value = if value.is_empty() { default } else { value };
        if field == "target" && value.is_empty() {
            preview
                .field_errors
                .insert(field.into(), tr!(lang, "editor-err-target-needed"));
            continue;
        }
        if let Err(e) = q.set_property_str(prop, value) {
            let hint = matches!(
                field,
                "max_limit" | "limit_at" | "burst_limit" | "burst_threshold"
            )
            .then(|| crate::fmt::rate_pair_problem(value))
            .flatten();
            preview.field_errors.insert(
                field.into(),
                match hint {
                    Some(h) => format!("{prop}: {h}"),
                    None => e.to_string(),
                },
            );
        }
    }
    if !unchanged(f.comment.trim(), q.comment.as_ref()) {
        q.comment = match f.comment.trim() {
            "" => None,
            c => Some(c.into()),
        };
    }
    q.disabled = matches!(f.disabled.as_deref(), Some("on" | "true" | "yes"));
    if let Err(e) = q.check_ranges() {
        preview
            .field_errors
            .entry(e.property().replace('-', "_"))
            .or_insert_with(|| e.to_string());
    }
    match existing.and_then(|i| desired.queues.get_mut(i)) {
        Some(slot) => *slot = q,
        None => desired.queues.push(q),
    }
    (desired, preview)
}

/// Checks an edit against the router's current queues: field errors, queue-model diagnostics
/// about the edited queue, and the exact plan. Field errors in English; see [`preview_in`].
pub fn preview(current: &queue_model::Config, f: &QueueForm) -> (queue_model::Config, Preview) {
    preview_in(Lang::En, current, f)
}

/// [`preview`] with noc's own field errors in `lang`.
pub fn preview_in(
    lang: Lang,
    current: &queue_model::Config,
    f: &QueueForm,
) -> (queue_model::Config, Preview) {
    let (desired, mut p) = desired_from(lang, current, f);
    let name = f.name.trim();
    let mut blocking = false;
    for d in queue_model::validate(&desired) {
        let about_this = d.queue().is_none_or(|q| form_text(q) == name || q == name);
        if !about_this {
            continue;
        }
        blocking |= d.is_error();
        p.diagnostics.push(serde_json::json!({
            "severity": d.severity.to_string(), "code": d.code, "message": d.message,
        }));
    }
    if p.field_errors.is_empty() {
        p.commands = queue_model::plan(current, &desired)
            .iter()
            .map(|c| c.to_string())
            .collect();
    }
    p.ok = p.field_errors.is_empty() && !blocking;
    (desired, p)
}

/// Waits (at most `limit`) until a poll that started after now has finished for `router`, so
/// the page shown after a change already reflects it.
pub(super) async fn wait_for_poll(st: &Web, router: i64, limit: Duration) {
    let mut rx = st.hub.subscribe();
    let _ = tokio::time::timeout(limit, async {
        let mut seen = 0;
        while seen < 2 {
            match rx.recv().await {
                Ok(id) if id == router => seen += 1,
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    })
    .await;
}

/// Why a router's configuration cannot be read: there is no such router, or it is not
/// connected; in `lang`.
pub(super) fn unreachable(
    st: &Web,
    lang: Lang,
    router: i64,
) -> Result<(Arc<RouterHandle>, routeros_proto::client::Client), String> {
    let r = st
        .hub
        .router(router)
        .ok_or_else(|| tr!(lang, "editor-no-router"))?;
    let client = r
        .client()
        .ok_or_else(|| tr!(lang, "editor-not-connected", router = &r.name))?;
    Ok((r, client))
}

async fn load_current(
    st: &Web,
    lang: Lang,
    router: i64,
) -> Result<(Arc<RouterHandle>, queue_model::Config), String> {
    let (r, client) = unreachable(st, lang, router)?;
    let read = current_queues(&client).await.map_err(|e| e.to_string())?;
    Ok((r, read.config))
}

async fn api_preview(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Json(f): Json<QueueForm>,
) -> Response {
    match load_current(&st, s.lang, f.router).await {
        Ok((_, current)) => Json(preview_in(s.lang, &current, &f).1).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    }
}

async fn api_apply(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Json(f): Json<QueueForm>,
) -> Response {
    let (r, current) = match load_current(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    };
    let (desired, p) = preview_in(s.lang, &current, &f);
    if !p.ok {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(p)).into_response();
    }
    let action = if f.original.is_empty() {
        "queue.add"
    } else {
        "queue.edit"
    };
    match apply_queue(&st.store, &r, &s.user, action, &current, &desired).await {
        Ok(a) if a.error.is_none() => Json(a).into_response(),
        Ok(a) => (StatusCode::BAD_GATEWAY, Json(a)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct EditQuery {
    router: i64,
    name: Option<String>,
}

/// A router text as the editor shows it: itself when UTF-8, else with `\xHH` escapes.
pub(super) fn form_text(t: &queue_model::Text) -> String {
    match t.as_str() {
        Ok(s) => s.to_owned(),
        Err(_) => t.escape(),
    }
}

fn form_from_queue(router: i64, q: &SimpleQueue) -> QueueForm {
    let props: BTreeMap<String, String> = q
        .all_properties()
        .into_iter()
        .map(|(k, v)| (k, form_text(&v)))
        .collect();
    let get = |k: &str| props.get(k).cloned().unwrap_or_default();
    let parent = get("parent");
    QueueForm {
        router,
        original: q.name.escape(),
        name: form_text(&q.name),
        target: get("target"),
        parent: if parent == "none" {
            String::new()
        } else {
            parent
        },
        max_limit: get("max-limit"),
        limit_at: get("limit-at"),
        burst_limit: get("burst-limit"),
        burst_threshold: get("burst-threshold"),
        burst_time: get("burst-time"),
        priority: get("priority"),
        packet_marks: get("packet-marks"),
        comment: q.comment.as_ref().map(form_text).unwrap_or_default(),
        disabled: q.disabled.then(|| "on".to_owned()),
        csrf: None,
    }
}

async fn edit_page(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Query(q): Query<EditQuery>,
) -> Response {
    let (r, current) = match load_current(&st, s.lang, q.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let form = match q.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => match current
            .queues
            .iter()
            .find(|x| x.name.escape() == name)
            .or_else(|| current.queue(name))
        {
            Some(queue) => form_from_queue(r.id, queue),
            None => {
                return st.error_page_in(
                    s.lang,
                    StatusCode::NOT_FOUND,
                    &tr!(s.lang, "queues-no-queue"),
                )
            }
        },
        None => QueueForm {
            router: r.id,
            max_limit: "0/0".into(),
            ..QueueForm::default()
        },
    };
    let parents: Vec<String> = current.queues.iter().map(|x| form_text(&x.name)).collect();
    st.page(
        &s,
        "edit.html",
        "queues",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            form => Value::from_serialize(&form), parents => parents,
            preview => (), applied => (),
        },
    )
}

async fn apply_form(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<QueueForm>,
) -> Response {
    let (r, current) = match load_current(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (desired, p) = preview_in(s.lang, &current, &f);
    let parents: Vec<String> = current.queues.iter().map(|x| form_text(&x.name)).collect();
    let router_v = Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name}));
    if !p.ok {
        let mut resp = st.page(
            &s,
            "edit.html",
            "queues",
            context! { router => router_v, form => Value::from_serialize(&f), parents => parents,
            preview => Value::from_serialize(&p), applied => () },
        );
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return resp;
    }
    let action = if f.original.is_empty() {
        "queue.add"
    } else {
        "queue.edit"
    };
    match apply_queue(&st.store, &r, &s.user, action, &current, &desired).await {
        Ok(a) if a.error.is_none() => {
            wait_for_poll(&st, r.id, Duration::from_secs(5)).await;
            Redirect::to(&format!(
                "/queue?router={}&name={}&done={}",
                r.id,
                urlencode(f.name.trim()),
                urlencode(&tr!(
                    s.lang,
                    "editor-saved",
                    name = f.name.trim(),
                    router = &r.name
                ))
            ))
            .into_response()
        }
        Ok(a) => {
            let mut resp = st.page(
                &s,
                "edit.html",
                "queues",
                context! { router => router_v, form => Value::from_serialize(&f), parents => parents,
                           preview => Value::from_serialize(&p), applied => Value::from_serialize(&a) },
            );
            *resp.status_mut() = StatusCode::BAD_GATEWAY;
            resp
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    router: i64,
    name: String,
    action: String,
}

async fn queue_action(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ActionForm>,
) -> Response {
    let (r, current) = match load_current(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let mut desired = current.clone();
    let Some(pos) = desired.queues.iter().position(|q| q.name == f.name) else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "queues-no-queue"),
        );
    };
    match f.action.as_str() {
        "enable" | "disable" => {
            if let Some(q) = desired.queues.get_mut(pos) {
                q.disabled = f.action == "disable";
            }
        }
        "remove" => {
            desired.queues.remove(pos);
        }
        _ => {
            return st.error_page_in(
                s.lang,
                StatusCode::BAD_REQUEST,
                &tr!(s.lang, "editor-unknown-action"),
            )
        }
    }
    let action = format!("queue.{}", f.action);
    match apply_queue(&st.store, &r, &s.user, &action, &current, &desired).await {
        Ok(a) if a.error.is_none() => {
            wait_for_poll(&st, r.id, Duration::from_secs(5)).await;
            Redirect::to(&format!(
                "/queues?router={}&done={}",
                r.id,
                urlencode(&match f.action.as_str() {
                    "enable" => tr!(
                        s.lang,
                        "queue-done-enabled",
                        name = &f.name,
                        router = &r.name
                    ),
                    "disable" => tr!(
                        s.lang,
                        "queue-done-disabled",
                        name = &f.name,
                        router = &r.name
                    ),
                    _ => tr!(
                        s.lang,
                        "queue-done-removed",
                        name = &f.name,
                        router = &r.name
                    ),
                })
            ))
            .into_response()
        }
        Ok(a) => st.error_page_in(
            s.lang,
            StatusCode::BAD_GATEWAY,
            &tr!(
                s.lang,
                "editor-refused",
                error = a.error.unwrap_or_default()
            ),
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_reports_field_errors_and_plans() {
        let mut current = queue_model::Config::new();
        current
            .queues
            .push(SimpleQueue::new("a", "192.168.88.10".parse().unwrap()));
        let f = QueueForm {
            router: 1,
            name: "b".into(),
            target: "192.168.88.11".into(),
            max_limit: "5X/10M".into(),
            ..Default::default()
        };
        let (_, p) = preview(&current, &f);
        assert!(!p.ok);
        assert!(p.field_errors.contains_key("max_limit"), "{p:?}");
        let f = QueueForm {
            max_limit: "5M/10M".into(),
            ..f
        };
        let (_, p) = preview(&current, &f);
        assert!(p.ok, "{p:?}");
        assert_eq!(p.commands.len(), 1);
        assert!(
            p.commands[0].starts_with("/queue simple add"),
            "{:?}",
            p.commands
        );
        assert!(p.commands[0].contains("max-limit=5M/10M"));
        let dup = QueueForm {
            name: "a".into(),
            ..f
        };
        assert!(preview(&current, &dup).1.field_errors.contains_key("name"));
    }
}
