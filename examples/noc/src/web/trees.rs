//! Queue trees: the live tree (indented by parent, rates against max-limit) and the "share the
//! link equally" wizard, which builds mangle rules, two PCQ types and two trees, previews the
//! plan against what the router has and applies it.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use queue_model::{
    Action, Config, FirewallRule, PcqClassifier, QueueKind, QueueTree, QueueType, Rate, Text,
};
use serde::{Deserialize, Serialize};

use super::queues::pick_router;
use super::sse::sse;
use super::{Admin, Current, Web};
use crate::i18n::Lang;
use crate::routers::changes::{apply_plan, current_trees, TREE_MENUS};
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/trees", get(trees_page))
        .route("/tree", get(tree_page))
        .route("/events/trees", get(sse_trees))
        .route("/trees/share", post(share_preview))
        .route("/trees/share/apply", post(share_apply))
}

#[derive(Debug, Deserialize)]
struct TreeQuery {
    router: Option<i64>,
}

async fn trees_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<TreeQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return st.page(&s, "trees.html", "trees", context! { router => () });
    };
    let live = r.live();
    st.page(
        &s,
        "trees.html",
        "trees",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()})),
            trees => Value::from_serialize(&*live.trees),
            form => Value::from_serialize(ShareForm::defaults(r.id)),
            preview => (), applied => (),
        },
    )
}

async fn sse_trees(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<TreeQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (
            StatusCode::NOT_FOUND,
            crate::tr!(s.lang, "editor-no-router"),
        )
            .into_response();
    };
    let id = r.id;
    sse(st, &s, Some(id), move |st| {
        let r = st.hub.router(id)?;
        let live = r.live();
        Some(serde_json::json!({
            "status": live.status.as_str(),
            "trees": &*live.trees,
            "t": crate::now(),
        }))
    })
}

#[derive(Debug, Deserialize)]
struct OneTree {
    router: i64,
    name: String,
}

/// One entry: its settings and its rate history (the chart code and `/api/history` the
/// queues use, with `kind=tree`).
async fn tree_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<OneTree>,
) -> Response {
    let Some(r) = st.hub.router(q.router) else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "queues-no-router"),
        );
    };
    let live = r.live();
    let Some(row) = live.trees.iter().find(|x| x.name == q.name).cloned() else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "trees-no-entry"),
        );
    };
    st.page(
        &s,
        "tree.html",
        "trees",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name})),
            tree => Value::from_serialize(&row),
        },
    )
}

/// The wizard's form: share `down` Mbps and `up` Mbps equally among everyone on `lan`.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct ShareForm {
    /// Router id.
    pub router: i64,
    /// Download to share, Mbps.
    pub down: String,
    /// Upload to share, Mbps.
    pub up: String,
    /// The LAN's addresses (`192.168.88.0/24`).
    pub lan: String,
    /// The WAN interface (`ether1`).
    pub wan: String,
    /// The LAN interface (`bridge`), for trees under the interfaces.
    pub lan_interface: String,
    /// `global` (one HTB for both directions) or `interfaces` (download on the LAN interface,
    /// upload on the WAN).
    pub parent: String,
    /// The session's CSRF token (checked by the middleware).
    #[serde(default, skip_serializing)]
    pub csrf: Option<String>,
}

impl ShareForm {
    fn defaults(router: i64) -> Self {
        ShareForm {
            router,
            down: "50".into(),
            up: "10".into(),
            lan: "192.168.88.0/24".into(),
            wan: "ether1".into(),
            lan_interface: "bridge".into(),
            parent: "global".into(),
            csrf: None,
        }
    }
}

/// The comments and names the wizard's items carry: planning again replaces them.
const CONN: &str = "share: mark LAN connections";
const DOWN: &str = "share: mark download";
const UP: &str = "share: mark upload";

/// Reads a positive rate in Mbps (`50`, `2.5`).
fn mbps(lang: Lang, field: &str, v: &str) -> Result<Rate, String> {
    let v = v.trim();
    let f: f64 = v
        .parse()
        .map_err(|_| tr!(lang, "trees-err-mbps", field = field, value = v))?;
    if !f.is_finite() || f <= 0.0 || f > 100_000.0 {
        return Err(tr!(lang, "trees-err-mbps-range", field = field));
    }
    Ok(Rate((f * 1_000_000.0).round() as u64))
}

fn simple_word(lang: Lang, field: &str, v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(tr!(lang, "trees-err-word", field = field));
    }
    Ok(v.to_owned())
}

/// The desired configuration: `current` with the wizard's rules first in mangle (so every LAN
/// packet is marked once, before other marking rules), its two PCQ types and its two trees.
pub fn share_config(current: &Config, f: &ShareForm) -> Result<Config, String> {
    share_config_in(Lang::En, current, f)
}

/// [`share_config`] with the reason a field is refused in `lang`.
pub fn share_config_in(lang: Lang, current: &Config, f: &ShareForm) -> Result<Config, String> {
    let down = mbps(lang, &tr!(lang, "trees-field-download"), &f.down)?;
    let up = mbps(lang, &tr!(lang, "trees-field-upload"), &f.up)?;
    let lan = f.lan.trim();
    let (addr, len) = lan.split_once('/').unwrap_or((lan, "32"));
    let ok = addr.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 32);
    if !ok {
        return Err(tr!(lang, "trees-err-lan", value = lan));
    }
    let wan = simple_word(lang, &tr!(lang, "trees-field-wan"), &f.wan)?;
    let (down_parent, up_parent) = match f.parent.as_str() {
        "global" => ("global".to_owned(), "global".to_owned()),
        "interfaces" => (
            simple_word(lang, &tr!(lang, "trees-field-lan"), &f.lan_interface)?,
            wan.clone(),
        ),
        other => return Err(tr!(lang, "trees-err-parent", value = other)),
    };
    let mut rules = Vec::new();
    let mut conn = FirewallRule::new("forward", Action::MarkConnection);
    conn.src_address = Some(lan.into());
    conn.new_connection_mark = Some("share-conn".into());
    conn.comment = Some(CONN.into());
    rules.push(conn);
    for (comment, mark, is_down) in [(DOWN, "share-down", true), (UP, "share-up", false)] {
        let mut r = FirewallRule::new("forward", Action::MarkPacket);
        r.connection_mark = Some("share-conn".into());
        if is_down {
            r.in_interface = Some(wan.as_str().into());
        } else {
            r.out_interface = Some(wan.as_str().into());
        }
        r.new_packet_mark = Some(mark.into());
        r.passthrough = false;
        r.comment = Some(comment.into());
        rules.push(r);
    }
    let ours = |c: &Option<Text>| {
        c.as_ref()
            .is_some_and(|c| [CONN, DOWN, UP].iter().any(|x| *c == *x))
    };
    let mut desired = current.clone();
    desired.mangle = rules
        .into_iter()
        .chain(current.mangle.iter().filter(|r| !ours(&r.comment)).cloned())
        .collect();
    for (name, classifier) in [
        ("share-pcq-down", PcqClassifier::DstAddress),
        ("share-pcq-up", PcqClassifier::SrcAddress),
    ] {
        let mut t = QueueType::new(name, QueueKind::Pcq);
        t.pcq_classifier = vec![classifier];
        t.pcq_rate = Rate::ZERO;
        desired.queue_types.retain(|x| x.name != name);
        desired.queue_types.push(t);
    }
    for (name, parent, mark, queue, limit) in [
        (
            "share-down",
            down_parent,
            "share-down",
            "share-pcq-down",
            down,
        ),
        ("share-up", up_parent, "share-up", "share-pcq-up", up),
    ] {
        let mut t = QueueTree::new(name, parent.as_str());
        t.packet_marks = vec![mark.into()];
        t.queue = queue.into();
        t.max_limit = limit;
        t.comment = Some("share equally".into());
        desired.queue_trees.retain(|x| x.name != name);
        desired.queue_trees.push(t);
    }
    Ok(desired)
}

/// What the wizard would do: the commands, and what the checks say of the result.
#[derive(Debug, Clone, Serialize)]
pub struct SharePreview {
    /// The plan, as RouterOS commands.
    pub commands: Vec<String>,
    /// Diagnostics about the wizard's items (`severity[code]: message`).
    pub diagnostics: Vec<String>,
    /// Why the form cannot be applied, if it cannot.
    pub error: Option<String>,
}

fn preview(lang: Lang, current: &Config, f: &ShareForm) -> (Option<Config>, SharePreview) {
    match share_config_in(lang, current, f) {
        Ok(desired) => {
            let commands = queue_model::plan_menus(current, &desired, TREE_MENUS)
                .iter()
                .map(ToString::to_string)
                .collect();
            let diagnostics = queue_model::validate(&desired)
                .iter()
                .filter(|d| d.to_string().contains("share"))
                .map(ToString::to_string)
                .collect();
            (
                Some(desired),
                SharePreview {
                    commands,
                    diagnostics,
                    error: None,
                },
            )
        }
        Err(e) => (
            None,
            SharePreview {
                commands: Vec::new(),
                diagnostics: Vec::new(),
                error: Some(e),
            },
        ),
    }
}

/// Reads what the router has now; refuses (with the reason) when it cannot.
async fn load(
    st: &Web,
    lang: Lang,
    router: i64,
) -> Result<(Arc<crate::routers::RouterHandle>, Config), String> {
    let (r, client) = super::editor::unreachable(st, lang, router)?;
    let current = current_trees(&client).await.map_err(|e| e.to_string())?;
    Ok((r, current))
}

fn form_page(
    st: &Web,
    s: &crate::auth::Session,
    r: &crate::routers::RouterHandle,
    f: &ShareForm,
    p: &SharePreview,
    applied: Option<&crate::routers::changes::Applied>,
) -> Response {
    let live = r.live();
    st.page(
        s,
        "trees.html",
        "trees",
        context! {
            router => Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name, "status": live.status.as_str()})),
            trees => Value::from_serialize(&*live.trees),
            form => Value::from_serialize(f),
            preview => Value::from_serialize(p),
            applied => Value::from_serialize(applied),
        },
    )
}

async fn share_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ShareForm>,
) -> Response {
    let (r, current) = match load(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (_, p) = preview(s.lang, &current, &f);
    let mut resp = form_page(&st, &s, &r, &f, &p, None);
    if p.error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

async fn share_apply(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ShareForm>,
) -> Response {
    // Never plan against a state that could not be read: a plan from nothing would re-add
    // or remove what is there.
    let (r, current) = match load(&st, s.lang, f.router).await {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let (desired, p) = preview(s.lang, &current, &f);
    let Some(desired) = desired else {
        let mut resp = form_page(&st, &s, &r, &f, &p, None);
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return resp;
    };
    match apply_plan(
        &st.store,
        &r,
        &s.user,
        "tree.share",
        &current,
        &desired,
        TREE_MENUS,
    )
    .await
    {
        Ok(a) if a.error.is_none() => {
            Redirect::to(&format!("/trees?router={}", r.id)).into_response()
        }
        Ok(a) => {
            let mut resp = form_page(&st, &s, &r, &f, &p, Some(&a));
            *resp.status_mut() = StatusCode::BAD_GATEWAY;
            resp
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wizard_builds_rules_types_and_trees_and_replans_nothing() {
        let f = ShareForm::defaults(1);
        let desired = share_config(&Config::default(), &f).unwrap();
        assert_eq!(desired.mangle.len(), 3);
        assert_eq!(desired.queue_types.len(), 2);
        assert_eq!(desired.queue_trees.len(), 2);
        assert_eq!(desired.queue_trees[0].max_limit, Rate(50_000_000));
        assert!(desired.mangle[0].is_mark());
        // Run again on its own result: nothing changes.
        let again = share_config(&desired, &f).unwrap();
        assert!(queue_model::plan_menus(&desired, &again, TREE_MENUS).is_empty());
        let interfaces = ShareForm {
            parent: "interfaces".into(),
            ..ShareForm::defaults(1)
        };
        let d = share_config(&Config::default(), &interfaces).unwrap();
        assert_eq!(d.queue_trees[0].parent, "bridge");
        assert_eq!(d.queue_trees[1].parent, "ether1");
        for bad in [
            ShareForm {
                down: "-1".into(),
                ..ShareForm::defaults(1)
            },
            ShareForm {
                lan: "lan".into(),
                ..ShareForm::defaults(1)
            },
            ShareForm {
                wan: "ether 1".into(),
                ..ShareForm::defaults(1)
            },
            ShareForm {
                parent: "x".into(),
                ..ShareForm::defaults(1)
            },
        ] {
            assert!(share_config(&Config::default(), &bad).is_err(), "{bad:?}");
        }
    }
}
