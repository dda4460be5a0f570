//! The queue tree editor: add, edit and remove one queue tree entry. Every edit is checked on
//! the router's whole tree configuration (mangle rules, queue types, trees) with the edit
//! applied, so cross-object lints show beside the fields; the preview shows the exact
//! commands, and apply goes through [`apply_plan`] (audited). Nothing is planned or applied
//! when the router's current state could not be read.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{context, Value};
use queue_model::{Config, Item as _, Menu, QueueTree, Subject, Text};
use serde::{Deserialize, Serialize};

use super::editor::{form_text, wait_for_poll};
use super::{urlencode, Admin, Current, Web};
use crate::i18n::Lang;
use crate::routers::changes::{apply_plan, current_trees};
use crate::routers::RouterHandle;
use crate::tr;

/// The menus a tree edit changes: the trees only (mangle rules and types are read for the
/// checks, never changed here).
const MENUS: &[Menu] = &[Menu::QueueTree];

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/trees/edit", get(edit_page).post(preview_form))
        .route("/trees/edit/apply", post(apply_form))
        .route("/api/trees/preview", post(api_preview))
}

/// The tree editor's fields, as typed.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[non_exhaustive]
pub struct TreeForm {
    /// Router id.
    pub router: i64,
    /// The entry being edited, as the form shows its name (empty: a new entry).
    #[serde(default)]
    pub original: String,
    /// `on`: remove the entry named by `original`.
    #[serde(default)]
    pub remove: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `parent`: `global`, an interface or another tree.
    #[serde(default)]
    pub parent: String,
    /// `packet-mark` (comma list).
    #[serde(default)]
    pub packet_mark: String,
    /// `queue` (queue type).
    #[serde(default)]
    pub queue: String,
    /// `limit-at`.
    #[serde(default)]
    pub limit_at: String,
    /// `max-limit`.
    #[serde(default)]
    pub max_limit: String,
    /// `priority` (1..8).
    #[serde(default)]
    pub priority: String,
    /// `burst-limit`.
    #[serde(default)]
    pub burst_limit: String,
    /// `burst-threshold`.
    #[serde(default)]
    pub burst_threshold: String,
    /// `burst-time`.
    #[serde(default)]
    pub burst_time: String,
    /// `comment`.
    #[serde(default)]
    pub comment: String,
    /// `on` when disabled.
    #[serde(default)]
    pub disabled: Option<String>,
    /// The session's CSRF token (checked by the middleware).
    #[serde(default, skip_serializing)]
    pub csrf: Option<String>,
}

impl TreeForm {
    fn removing(&self) -> bool {
        matches!(self.remove.as_deref(), Some("on" | "true" | "yes" | "1"))
    }
}

/// What an edit would do.
#[derive(Debug, Clone, Serialize, Default)]
#[non_exhaustive]
pub struct TreePreview {
    /// Errors per form field (`max_limit` → message), from reading the values.
    pub field_errors: BTreeMap<String, String>,
    /// queue-model checks about the entry, per form field (`packet_mark` → messages);
    /// checks that belong to no one field are under `general`.
    pub field_checks: BTreeMap<String, Vec<serde_json::Value>>,
    /// Every check about the entry (`severity`, `code`, `message`, `fix`, `field`).
    pub diagnostics: Vec<serde_json::Value>,
    /// The plan, as RouterOS commands.
    pub commands: Vec<String>,
    /// Whether the change may be applied (no field error, no validation error).
    pub ok: bool,
}

/// The form field a check is about (`general` when none).
fn field_of(code: &str) -> &'static str {
    match code {
        "duplicate-name" => "name",
        "parent-cycle" | "too-deep" => "parent",
        "priority-range" | "priority-on-inner-queue" => "priority",
        "limit-at-above-max-limit" => "limit_at",
        "child-max-limit-above-parent" | "children-limit-at-exceed-parent" => "max_limit",
        "burst-limit-not-above-max-limit" => "burst_limit",
        "burst-threshold-outside" => "burst_threshold",
        "burst-without-time" => "burst_time",
        "tree-packet-mark-never-set"
        | "connection-mark-as-packet-mark"
        | "global-mark-both-directions"
        | "shaped-twice" => "packet_mark",
        "unknown-queue-type" | "pcq-without-limit" => "queue",
        _ => "general",
    }
}

fn find(trees: &[QueueTree], shown: &str) -> Option<usize> {
    trees
        .iter()
        .position(|t| t.name.escape() == shown)
        .or_else(|| trees.iter().position(|t| t.name == shown))
}

/// The configuration with the edit applied, and the field errors met on the way.
fn desired_from(lang: Lang, current: &Config, f: &TreeForm) -> (Config, TreePreview) {
    let mut p = TreePreview::default();
    let mut desired = current.clone();
    let existing = if f.original.is_empty() {
        None
    } else {
        find(&desired.queue_trees, &f.original)
    };
    if !f.original.is_empty() && existing.is_none() {
        p.field_errors.insert(
            "name".into(),
            tr!(
                lang,
                "tree-edit-err-no-entry",
                name = format!("{:?}", f.original)
            ),
        );
    }
    if f.removing() {
        if let Some(i) = existing {
            desired.queue_trees.remove(i);
        } else if f.original.is_empty() {
            p.field_errors
                .insert("name".into(), tr!(lang, "tree-edit-err-choose-remove"));
        }
        return (desired, p);
    }
    let mut t = existing
        .and_then(|i| desired.queue_trees.get(i).cloned())
        .unwrap_or_default();
    // A text field left as shown keeps the router's bytes (a name in another code page is
    // not rewritten as U+FFFD).
    let unchanged =
        |shown: &str, now: &Text| existing.is_some() && !now.is_empty() && form_text(now) == shown;
    let name = f.name.trim();
    if name.is_empty() {
        p.field_errors
            .insert("name".into(), tr!(lang, "tree-edit-err-name-needed"));
    } else if desired
        .queue_trees
        .iter()
        .enumerate()
        .any(|(i, x)| x.name == name && Some(i) != existing)
    {
        p.field_errors.insert(
            "name".into(),
            tr!(
                lang,
                "tree-edit-err-name-exists",
                name = format!("{name:?}")
            ),
        );
    } else if !unchanged(name, &t.name) {
        t.name = name.into();
    }
    let parent = f.parent.trim();
    if parent.is_empty() {
        p.field_errors
            .insert("parent".into(), tr!(lang, "tree-edit-err-parent-needed"));
    } else if parent == name {
        p.field_errors
            .insert("parent".into(), tr!(lang, "tree-edit-err-own-parent"));
    } else if !unchanged(parent, &t.parent) {
        t.parent = parent.into();
    }
    let marks_now = Text::from(
        t.packet_marks
            .iter()
            .map(form_text)
            .collect::<Vec<_>>()
            .join(","),
    );
    let fields: [(&str, &str, &str, &str); 8] = [
        ("packet_mark", "packet-mark", f.packet_mark.trim(), ""),
        ("queue", "queue", f.queue.trim(), "default-small"),
        ("limit_at", "limit-at", f.limit_at.trim(), "0"),
        ("max_limit", "max-limit", f.max_limit.trim(), "0"),
        ("priority", "priority", f.priority.trim(), "8"),
        ("burst_limit", "burst-limit", f.burst_limit.trim(), "0"),
        (
            "burst_threshold",
            "burst-threshold",
            f.burst_threshold.trim(),
            "0",
        ),
        ("burst_time", "burst-time", f.burst_time.trim(), "0s"),
    ];
    for (field, prop, value, default) in fields {
        if field == "packet_mark" && unchanged(value, &marks_now) {
            continue;
        }
        let value = if value.is_empty() { default } else { value };
        if let Err(e) = t.set_property_str(prop, value) {
            p.field_errors.insert(field.into(), e.to_string());
        }
    }
    let comment_now = t.comment.clone().unwrap_or_default();
    if !unchanged(f.comment.trim(), &comment_now) {
        t.comment = match f.comment.trim() {
            "" => None,
            c => Some(c.into()),
        };
    }
    t.disabled = matches!(f.disabled.as_deref(), Some("on" | "true" | "yes"));
    if let Err(e) = t.check_ranges() {
        p.field_errors
            .entry(e.property().replace('-', "_"))
            .or_insert_with(|| e.to_string());
    }
    match existing.and_then(|i| desired.queue_trees.get_mut(i)) {
        Some(slot) => *slot = t,
        None => desired.queue_trees.push(t),
    }
    (desired, p)
}

/// Checks an edit against the router's current mangle rules, queue types and trees: field
/// errors, queue-model checks about the entry (run on the whole configuration with the edit
/// applied) and the exact plan.
pub fn preview(current: &Config, f: &TreeForm) -> (Config, TreePreview) {
    preview_in(Lang::En, current, f)
}

/// [`preview`] with noc's own field errors in `lang`.
pub fn preview_in(lang: Lang, current: &Config, f: &TreeForm) -> (Config, TreePreview) {
    let (desired, mut p) = desired_from(lang, current, f);
    let mut blocking = false;
    if !f.removing() {
        let name = f.name.trim();
        for d in queue_model::validate(&desired) {
            let Subject::QueueTree(n) = &d.subject else {
                continue;
            };
            if !(n == name || form_text(n) == name) {
                continue;
            }
            blocking |= d.is_error();
            let field = field_of(d.code);
            let v = serde_json::json!({
                "severity": d.severity.to_string(), "code": d.code, "message": d.message,
                "fix": d.fix, "field": field,
            });
            p.field_checks
                .entry(field.to_owned())
                .or_default()
                .push(v.clone());
            p.diagnostics.push(v);
        }
    }
    if p.field_errors.is_empty() {
        p.commands = queue_model::plan_menus(current, &desired, MENUS)
            .iter()
            .map(ToString::to_string)
            .collect();
    }
    p.ok = p.field_errors.is_empty() && !blocking;
    (desired, p)
}

/// Reads what the router has now; refuses (with the reason) when it cannot.
async fn load(st: &Web, lang: Lang, router: i64) -> Result<(Arc<RouterHandle>, Config), String> {
    let (r, client) = super::editor::unreachable(st, lang, router)?;
    let current = current_trees(&client).await.map_err(|e| e.to_string())?;
    Ok((r, current))
}

fn form_from_tree(router: i64, t: &QueueTree) -> TreeForm {
    let props: BTreeMap<String, String> = t
        .all_properties()
        .into_iter()
        .map(|(k, v)| (k, form_text(&v)))
        .collect();
    let get = |k: &str| props.get(k).cloned().unwrap_or_default();
    TreeForm {
        router,
        original: t.name.escape(),
        name: form_text(&t.name),
        parent: form_text(&t.parent),
        packet_mark: get("packet-mark"),
        queue: t.queue.clone(),
        limit_at: get("limit-at"),
        max_limit: get("max-limit"),
        priority: t.priority.to_string(),
        burst_limit: get("burst-limit"),
        burst_threshold: get("burst-threshold"),
        burst_time: get("burst-time"),
        comment: t.comment.as_ref().map(form_text).unwrap_or_default(),
        disabled: t.disabled.then(|| "on".to_owned()),
        remove: None,
        csrf: None,
    }
}

/// The choices the form offers: parents (global, the router's interfaces, the other
/// entries), queue types, and the packet marks the mangle rules set.
fn choices(r: &RouterHandle, current: &Config, original: &str) -> Value {
    let live = r.live();
    let mut parents = vec!["global".to_owned()];
    parents.extend(live.interfaces.iter().map(|i| i.name.clone()));
    parents.extend(
        current
            .queue_trees
            .iter()
            .map(|t| form_text(&t.name))
            .filter(|n| n != original),
    );
    let mut types: Vec<String> = queue_model::BUILTIN_QUEUE_TYPES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    types.extend(current.queue_types.iter().map(|t| form_text(&t.name)));
    let mut marks: Vec<String> = current
        .mangle
        .iter()
        .filter(|m| !m.disabled && m.action == queue_model::Action::MarkPacket)
        .filter_map(|m| m.new_packet_mark.as_ref().map(form_text))
        .collect();
    marks.sort();
    marks.dedup();
    Value::from_serialize(serde_json::json!({
        "parents": parents, "types": types, "marks": marks,
    }))
}

#[allow(clippy::too_many_arguments)]
fn editor_page(
    st: &Web,
    s: &crate::auth::Session,
    r: &RouterHandle,
    current: &Config,
    f: &TreeForm,
    p: &TreePreview,
    applied: Option<&crate::routers::changes::Applied>,
    status: StatusCode,
) -> Response {
    let mut resp = st.page(
        s,
        "tree_edit.html",
        "trees",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            form => Value::from_serialize(f),
            removing => f.removing(),
            choices => choices(r, current, &f.original),
            preview => Value::from_serialize(p),
            applied => Value::from_serialize(applied),
        },
    );
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
}

#[derive(Deserialize)]
struct EditQuery {
    router: i64,
    name: Option<String>,
    remove: Option<String>,
}

async fn edit_page(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Query(q): Query<EditQuery>,
) -> Response {
    let (r, current) = match load(&st, s.lang, q.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let mut form = match q.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => {
            match find(&current.queue_trees, name).and_then(|i| current.queue_trees.get(i)) {
                Some(t) => form_from_tree(r.id, t),
                None => {
                    return st.error_page_in(
                        s.lang,
                        StatusCode::NOT_FOUND,
                        &tr!(s.lang, "trees-no-entry"),
                    )
                }
            }
        }
        None => TreeForm {
            router: r.id,
            parent: "global".into(),
            queue: "default-small".into(),
            priority: "8".into(),
            ..TreeForm::default()
        },
    };
    form.remove = q.remove.filter(|_| !form.original.is_empty());
    let (_, p) = preview_in(s.lang, &current, &form);
    editor_page(&st, &s, &r, &current, &form, &p, None, StatusCode::OK)
}

async fn preview_form(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<TreeForm>,
) -> Response {
    let (r, current) = match load(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (_, p) = preview_in(s.lang, &current, &f);
    let status = if p.field_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    editor_page(&st, &s, &r, &current, &f, &p, None, status)
}

async fn api_preview(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Json(f): Json<TreeForm>,
) -> Response {
    match load(&st, s.lang, f.router).await {
        Ok((_, current)) => Json(preview_in(s.lang, &current, &f).1).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    }
}

async fn apply_form(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<TreeForm>,
) -> Response {
    // Never plan against a state that could not be read: a plan from nothing would re-add
    // or remove what is there.
    let (r, current) = match load(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (desired, p) = preview_in(s.lang, &current, &f);
    if !p.ok {
        return editor_page(
            &st,
            &s,
            &r,
            &current,
            &f,
            &p,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (action, done) = if f.removing() {
        (
            "tree.remove",
            tr!(
                s.lang,
                "tree-edit-removed",
                name = &f.original,
                router = &r.name
            ),
        )
    } else if f.original.is_empty() {
        (
            "tree.add",
            tr!(
                s.lang,
                "tree-edit-added",
                name = f.name.trim(),
                router = &r.name
            ),
        )
    } else {
        (
            "tree.edit",
            tr!(
                s.lang,
                "editor-saved",
                name = f.name.trim(),
                router = &r.name
            ),
        )
    };
    match apply_plan(&st.store, &r, &s.user, action, &current, &desired, MENUS).await {
        Ok(a) if a.error.is_none() => {
            wait_for_poll(&st, r.id, Duration::from_secs(5)).await;
            Redirect::to(&format!("/trees?router={}&done={}", r.id, urlencode(&done)))
                .into_response()
        }
        Ok(a) => editor_page(
            &st,
            &s,
            &r,
            &current,
            &f,
            &p,
            Some(&a),
            StatusCode::BAD_GATEWAY,
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_model::{Action, FirewallRule};

    fn form(name: &str, mark: &str) -> TreeForm {
        TreeForm {
            router: 1,
            name: name.into(),
            parent: "global".into(),
            packet_mark: mark.into(),
            max_limit: "10M".into(),
            ..TreeForm::default()
        }
    }

    #[test]
    fn preview_puts_cross_object_lints_beside_the_field_and_plans() {
        let mut current = Config::default();
        let mut rule = FirewallRule::new("forward", Action::MarkPacket);
        rule.new_packet_mark = Some("video".into());
        rule.in_interface = Some("ether1".into());
        rule.comment = Some("video".into());
        current.mangle.push(rule);
        let (_, p) = preview(&current, &form("t1", "nobody-sets-this"));
        assert!(p.ok, "{p:?}");
        let checks = &p.field_checks["packet_mark"];
        assert_eq!(checks[0]["code"], "tree-packet-mark-never-set");
        assert_eq!(p.commands.len(), 1);
        assert!(
            p.commands[0].starts_with("/queue tree add"),
            "{:?}",
            p.commands
        );
        // Marked by a rule (download only): no check about the mark.
        let (_, p) = preview(&current, &form("t1", "video"));
        assert!(!p.field_checks.contains_key("packet_mark"), "{p:?}");

        let bad = TreeForm {
            max_limit: "5X".into(),
            limit_at: "20M".into(),
            ..form("t1", "video")
        };
        let (_, p) = preview(&current, &bad);
        assert!(!p.ok && p.field_errors.contains_key("max_limit"), "{p:?}");
        assert!(p.commands.is_empty());
        let over = TreeForm {
            limit_at: "20M".into(),
            ..form("t1", "video")
        };
        let (_, p) = preview(&current, &over);
        assert!(!p.ok, "limit-at above max-limit is an error: {p:?}");
        assert!(p.field_checks.contains_key("limit_at"));

        // Edit and remove an existing entry.
        current.queue_trees.push(QueueTree::new("t1", "global"));
        let edit = TreeForm {
            original: "t1".into(),
            ..form("t1", "video")
        };
        let (d, p) = preview(&current, &edit);
        assert!(p.ok, "{p:?}");
        assert_eq!(d.queue_trees.len(), 1);
        assert!(p.commands[0].starts_with("/queue tree set"), "{p:?}");
        let remove = TreeForm {
            original: "t1".into(),
            remove: Some("on".into()),
            ..TreeForm::default()
        };
        let (d, p) = preview(&current, &remove);
        assert!(p.ok && d.queue_trees.is_empty(), "{p:?}");
        assert!(p.commands[0].starts_with("/queue tree remove"), "{p:?}");
        let dup = form("t1", "video");
        assert!(preview(&current, &dup).1.field_errors.contains_key("name"));
    }
}
