//! The alert-rule editor (`/alerts/rules`): every rule the engine knows, where it comes from,
//! and forms for admins to add, edit, disable, enable and delete rules.
//!
//! Saved rules live in the database and are merged with the rules of `noc.toml` by
//! [`crate::alerts::rules::merge`]: a saved rule replaces the file rule of the same name, so
//! editing or disabling a `noc.toml` rule here saves an override, and deleting the override
//! brings the file's version back. The monitor reloads the merged set as soon as a rule is
//! saved ([`crate::alerts::rules::RuleBook::notify`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::{Admin, Current, Web};
use crate::alerts::rules::{self, ListedRule, RuleSource, SavedRule, Span, Threshold};
use crate::alerts::{RuleConfig, RuleKind};
use crate::auth::Session;
use crate::i18n::Lang;
use crate::tr;
use axum::routing::{get, post};
use axum::Router;

/// Longest value accepted in one form field.
const MAX_FIELD: usize = 4_000;
/// Most entries in one list field (chats, queues, keywords, ...).
const MAX_ITEMS: usize = 100;

/// The rule form, every field as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RuleForm {
    /// The name the rule had before this edit (empty for a new rule).
    pub original: String,
    /// Unique name.
    pub name: String,
    /// Rule kind (`cpu`, `log`, ...).
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// How long the condition must hold (`2m`).
    pub duration: String,
    /// Failed checks before "down" (`unreachable`).
    pub checks: String,
    /// CPU percent (`cpu`).
    pub above: String,
    /// Free memory or disk floor (`10%`, `64M`).
    pub below: String,
    /// Share of max-limit (`queue`).
    pub percent: String,
    /// `down` or `up` (`interface`).
    pub state: String,
    /// Chat ids, separated by commas or spaces.
    pub chats: String,
    /// Channels (`telegram`, `whatsapp`), separated by commas; empty: both.
    pub channels: String,
    /// Router names, separated by commas.
    pub routers: String,
    /// Interface names, separated by commas.
    pub interfaces: String,
    /// Queue names, separated by commas.
    pub queues: String,
    /// Layer 7 protocol names, separated by commas.
    pub apps: String,
    /// Address lists, separated by commas.
    pub lists: String,
    /// Log keywords, one per line.
    pub keywords: String,
    /// Log regexes, one per line.
    pub regexes: String,
    /// Log topics, separated by commas.
    pub topics: String,
    /// How long an event alert stays open.
    pub hold: String,
    /// Digest interval (`l7`, `lease`; `0`: each event at once).
    pub digest: String,
    /// Present when the rule is enabled.
    pub enabled: Option<String>,
}

fn opt(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn list_by(s: &str, lines: bool) -> Vec<String> {
    let parts: Vec<&str> = if lines {
        s.lines().collect()
    } else {
        s.split(',').collect()
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

impl RuleForm {
    /// The form of an existing rule.
    pub fn from_rule(r: &RuleConfig, enabled: bool) -> RuleForm {
        let join = |v: &[String]| v.join(", ");
        RuleForm {
            original: r.name.clone(),
            name: r.name.clone(),
            kind: r.kind.as_str().to_owned(),
            severity: r.severity.as_str().to_owned(),
            duration: if r.duration.0 == 0 {
                String::new()
            } else {
                r.duration.to_string()
            },
            checks: r.checks.map(|c| c.to_string()).unwrap_or_default(),
            above: r.above.map(|c| c.to_string()).unwrap_or_default(),
            below: r.below.map(threshold_text).unwrap_or_default(),
            percent: r.percent.map(|c| c.to_string()).unwrap_or_default(),
            state: match r.state {
                rules::LinkState::Up => "up".into(),
                _ => "down".into(),
            },
            chats: r
                .chats
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            channels: join(&r.channels),
            routers: join(&r.routers),
            interfaces: join(&r.interfaces),
            queues: join(&r.queues),
            apps: join(&r.apps),
            lists: join(&r.lists),
            keywords: r.keywords.join("\n"),
            regexes: r.regexes.join("\n"),
            topics: join(&r.topics),
            hold: r.hold.map(|h| h.to_string()).unwrap_or_default(),
            digest: r.digest.map(|h| h.to_string()).unwrap_or_default(),
            enabled: enabled.then(|| "on".to_owned()),
        }
    }

    /// The rule the form describes, or the problems per field.
    pub fn to_rule(&self) -> Result<RuleConfig, BTreeMap<&'static str, String>> {
        self.to_rule_in(Lang::En)
    }

    /// [`RuleForm::to_rule`] with the problems written in `lang`.
    pub fn to_rule_in(&self, lang: Lang) -> Result<RuleConfig, BTreeMap<&'static str, String>> {
        let mut errors: BTreeMap<&'static str, String> = BTreeMap::new();
        let fields = [
            ("name", &self.name),
            ("kind", &self.kind),
            ("chats", &self.chats),
            ("channels", &self.channels),
            ("routers", &self.routers),
            ("interfaces", &self.interfaces),
            ("queues", &self.queues),
            ("apps", &self.apps),
            ("lists", &self.lists),
            ("keywords", &self.keywords),
            ("regexes", &self.regexes),
            ("topics", &self.topics),
        ];
        for (f, v) in fields {
            if v.len() > MAX_FIELD {
                errors.insert(
                    f,
                    tr!(lang, "rules-err-too-long", max = MAX_FIELD.to_string()),
                );
            }
        }
        let kind = match self.kind.parse::<RuleKind>() {
            Ok(k) => k,
            Err(_) => {
                errors.insert(
                    "kind",
                    tr!(lang, "rules-err-kind", value = format!("{:?}", self.kind)),
                );
                RuleKind::Lease
            }
        };
        let mut r = RuleConfig::new(self.name.trim(), kind);
        match opt(&self.severity).map(str::parse) {
            None => {}
            Some(Ok(s)) => r.severity = s,
            Some(Err(_)) => {
                errors.insert(
                    "severity",
                    tr!(
                        lang,
                        "rules-err-severity",
                        value = format!("{:?}", self.severity.trim())
                    ),
                );
            }
        }
        match opt(&self.duration).map(str::parse::<Span>) {
            None => {}
            Some(Ok(s)) => r.duration = s,
            Some(Err(_)) => {
                errors.insert(
                    "duration",
                    tr!(
                        lang,
                        "rules-err-duration",
                        value = format!("{:?}", self.duration.trim())
                    ),
                );
            }
        }
        match opt(&self.hold).map(str::parse::<Span>) {
            None => {}
            Some(Ok(s)) => r.hold = Some(s),
            Some(Err(_)) => {
                errors.insert(
                    "hold",
                    tr!(
                        lang,
                        "rules-err-duration",
                        value = format!("{:?}", self.hold.trim())
                    ),
                );
            }
        }
        match opt(&self.digest).map(str::parse::<Span>) {
            None => {}
            Some(Ok(s)) if s.0 > 0 && !r.can_digest() => {
                errors.insert("digest", tr!(lang, "rules-err-digest-kind"));
            }
            Some(Ok(s)) => r.digest = Some(s),
            Some(Err(_)) => {
                errors.insert(
                    "digest",
                    tr!(
                        lang,
                        "rules-err-duration",
                        value = format!("{:?}", self.digest.trim())
                    ),
                );
            }
        }
        match opt(&self.checks).map(str::parse::<u32>) {
            None => {}
            Some(Ok(n)) if (1..=1000).contains(&n) => r.checks = Some(n),
            Some(_) => {
                errors.insert("checks", tr!(lang, "rules-err-checks"));
            }
        }
        match opt(&self.above).map(str::parse::<f64>) {
            None => {}
            Some(Ok(v)) if (0.0..=100.0).contains(&v) => r.above = Some(v),
            Some(_) => {
                errors.insert("above", tr!(lang, "rules-err-above"));
            }
        }
        match opt(&self.below).map(str::parse::<Threshold>) {
            None => {}
            Some(Ok(t)) => r.below = Some(t),
            Some(Err(_)) => {
                errors.insert(
                    "below",
                    tr!(
                        lang,
                        "rules-err-threshold",
                        value = format!("{:?}", self.below.trim())
                    ),
                );
            }
        }
        match opt(&self.percent).map(str::parse::<u64>) {
            None => {}
            Some(Ok(v)) if (1..=1000).contains(&v) => r.percent = Some(v),
            Some(_) => {
                errors.insert("percent", tr!(lang, "rules-err-percent"));
            }
        }
        match self.state.parse() {
            Ok(s) => r.state = s,
            Err(_) => {
                errors.insert(
                    "state",
                    tr!(lang, "rules-err-state", value = format!("{:?}", self.state)),
                );
            }
        }
        let mut chats = Vec::new();
        for c in self
            .chats
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
        {
            match c.parse::<i64>() {
                Ok(id) => chats.push(id),
                Err(_) => {
                    errors.insert(
                        "chats",
                        tr!(lang, "rules-err-chat", chat = format!("{c:?}")),
                    );
                }
            }
        }
        r.chats = chats;
        r.channels = list_by(&self.channels, false)
            .into_iter()
            .map(|c| c.to_lowercase())
            .collect();
        if let Some(bad) = r
            .channels
            .iter()
            .find(|c| !matches!(c.as_str(), "telegram" | "whatsapp"))
        {
            errors.insert(
                "channels",
                tr!(lang, "rules-err-channel", channel = format!("{bad:?}")),
            );
        }
        r.routers = list_by(&self.routers, false);
        r.interfaces = list_by(&self.interfaces, false);
        r.queues = list_by(&self.queues, false);
        r.apps = list_by(&self.apps, false);
        r.lists = list_by(&self.lists, false);
        r.keywords = list_by(&self.keywords, true);
        r.regexes = list_by(&self.regexes, true);
        r.topics = list_by(&self.topics, false);
        let counts = [
            ("chats", r.chats.len()),
            ("routers", r.routers.len()),
            ("interfaces", r.interfaces.len()),
            ("queues", r.queues.len()),
            ("apps", r.apps.len()),
            ("lists", r.lists.len()),
            ("keywords", r.keywords.len()),
            ("regexes", r.regexes.len()),
            ("topics", r.topics.len()),
        ];
        for (f, n) in counts {
            if n > MAX_ITEMS {
                errors.insert(
                    f,
                    tr!(lang, "rules-err-too-many", max = MAX_ITEMS.to_string()),
                );
            }
        }
        for re in &r.regexes {
            if let Err(e) = rules::compile_regex(re) {
                errors.insert("regexes", e);
            }
        }
        if errors.is_empty() {
            if let Err(e) = rules::validate(std::slice::from_ref(&r)) {
                errors.insert("rule", rule_problem(&r, lang, e.to_string()));
            }
        }
        if errors.is_empty() {
            Ok(r)
        } else {
            Err(errors)
        }
    }
}

/// Why `r` alone does not validate, in `lang`; `fallback` (the validator's own words) for
/// a problem not named here.
fn rule_problem(r: &RuleConfig, lang: Lang, fallback: String) -> String {
    let name = format!("{:?}", r.name);
    let valid_name = !r.name.is_empty()
        && r.name.len() <= 64
        && r.name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_name {
        tr!(lang, "rules-err-name", name = name)
    } else if r.kind == RuleKind::Log && r.keywords.is_empty() && r.regexes.is_empty() {
        tr!(lang, "rules-err-log-needs", name = name)
    } else if r.keywords.iter().any(|k| k.trim().is_empty()) {
        tr!(lang, "rules-err-empty-keyword", name = name)
    } else {
        fallback
    }
}

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/alerts/rules", get(rules_page).post(save_rule))
        .route("/alerts/rules/{name}/enable", post(enable_rule))
        .route("/alerts/rules/{name}/disable", post(disable_rule))
        .route("/alerts/rules/{name}/delete", post(delete_rule))
}

fn threshold_text(t: Threshold) -> String {
    match t {
        Threshold::Percent(p) => format!("{p}%"),
        Threshold::Bytes(b) => b.to_string(),
    }
}

#[derive(Serialize)]
struct Row {
    name: String,
    kind: &'static str,
    summary: String,
    duration: String,
    checks: Option<u32>,
    hold: String,
    severity: &'static str,
    chats: String,
    routers: String,
    enabled: bool,
    source: &'static str,
    saved: bool,
    /// The delete button: `Delete`, `Revert to noc.toml` or `Revert to built-in`.
    remove: String,
}

fn row(l: &ListedRule, lang: Lang) -> Row {
    let r = &l.rule;
    Row {
        name: r.name.clone(),
        kind: r.kind.as_str(),
        summary: r.summary_in(lang),
        duration: if r.duration.0 == 0 {
            tr!(lang, "rules-at-once")
        } else {
            r.duration.to_string()
        },
        checks: (r.kind == RuleKind::Unreachable).then(|| r.check_count()),
        hold: if r.kind.is_event() {
            Span(u64::try_from(r.hold_secs()).unwrap_or(0)).to_string()
        } else {
            String::new()
        },
        severity: r.severity.as_str(),
        chats: if r.chats.is_empty() {
            tr!(lang, "rules-every-chat")
        } else {
            r.chats
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        },
        routers: if r.routers.is_empty() {
            tr!(lang, "rules-p-all")
        } else {
            r.routers.join(", ")
        },
        enabled: l.enabled,
        source: l.source.as_str(),
        saved: !matches!(l.source, RuleSource::File | RuleSource::BuiltIn),
        remove: match l.source {
            RuleSource::Dashboard => tr!(lang, "rules-remove-delete"),
            s if s.is_built_in() => tr!(lang, "rules-remove-built-in"),
            _ => tr!(lang, "rules-remove-file"),
        },
    }
}

fn listed(st: &Web) -> Result<(Vec<ListedRule>, Vec<SavedRule>), crate::Error> {
    let saved = rules::saved_rules(&st.store)?;
    Ok((st.rules.list(&saved), saved))
}

fn render(
    st: &Web,
    s: &Session,
    form: &RuleForm,
    errors: &BTreeMap<&'static str, String>,
    status: StatusCode,
) -> Response {
    let list = match listed(st) {
        Ok((l, _)) => l,
        Err(e) => {
            return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    };
    let rows: Vec<Row> = list.iter().map(|l| row(l, s.lang)).collect();
    let kinds: Vec<&str> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut r = st.page(
        s,
        "alert_rules.html",
        "alerts",
        context! {
            rules => Value::from_serialize(&rows),
            form => Value::from_serialize(form),
            errors => Value::from_serialize(errors),
            editing => !form.original.is_empty(),
            kinds => kinds,
        },
    );
    *r.status_mut() = status;
    r
}

/// Query of the rules page: `?edit=NAME` fills the form with that rule.
#[derive(Deserialize)]
pub(super) struct RulesQuery {
    edit: Option<String>,
}

pub(super) async fn rules_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<RulesQuery>,
) -> Response {
    let mut form = RuleForm {
        kind: "cpu".into(),
        severity: "warning".into(),
        enabled: Some("on".into()),
        ..RuleForm::default()
    };
    if let Some(name) = q.edit.as_deref().filter(|n| !n.is_empty()) {
        let list = match listed(&st) {
            Ok((l, _)) => l,
            Err(e) => {
                return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
            }
        };
        match list.iter().find(|l| l.rule.name == name) {
            Some(l) => form = RuleForm::from_rule(&l.rule, l.enabled),
            None => {
                return st.error_page_in(
                    s.lang,
                    StatusCode::NOT_FOUND,
                    &tr!(s.lang, "rules-no-such-rule"),
                )
            }
        }
    }
    render(&st, &s, &form, &BTreeMap::new(), StatusCode::OK)
}

/// Saves `rule` after checking the whole merged set; the error is shown on the form.
fn save(
    st: &Web,
    user: &str,
    rule: &RuleConfig,
    enabled: bool,
    replaces: Option<&str>,
) -> Result<(), String> {
    let (_, mut saved) = listed(st).map_err(|e| e.to_string())?;
    saved.retain(|x| x.rule.name != rule.name && Some(x.rule.name.as_str()) != replaces);
    saved.push(SavedRule::new(rule.clone(), enabled));
    let file = st.rules.file_rules();
    let merged: Vec<RuleConfig> = rules::merge(&file, &saved)
        .into_iter()
        .map(|l| l.rule)
        .collect();
    rules::validate(&merged).map_err(|e| e.to_string())?;
    rules::save_rule(&st.store, rule, enabled, replaces, user).map_err(|e| e.to_string())?;
    st.rules.notify();
    Ok(())
}

pub(super) async fn save_rule(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<RuleForm>,
) -> Response {
    let rule = match f.to_rule_in(s.lang) {
        Ok(r) => r,
        Err(errors) => return render(&st, &s, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let original = f.original.trim();
    let (list, saved) = match listed(&st) {
        Ok(x) => x,
        Err(e) => {
            return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    };
    if original.is_empty() && list.iter().any(|l| l.rule.name == rule.name) {
        let mut errors = BTreeMap::new();
        errors.insert("name", tr!(s.lang, "rules-err-exists"));
        return render(&st, &s, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if !original.is_empty() && !list.iter().any(|l| l.rule.name == original) {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "rules-no-such-rule"),
        );
    }
    // Only a dashboard rule can be renamed away; a renamed noc.toml rule stays in the file.
    let replaces = saved
        .iter()
        .any(|x| x.rule.name == original)
        .then_some(original);
    let enabled = f.enabled.is_some();
    let action = if original.is_empty() {
        "rule.add"
    } else {
        "rule.edit"
    };
    match save(&st, &s.user, &rule, enabled, replaces) {
        Ok(()) => {
            let detail = format!(
                "{} ({}, {}): {}{}",
                rule.name,
                rule.kind.as_str(),
                rule.severity.as_str(),
                rule.summary(),
                if enabled { "" } else { " [disabled]" }
            );
            let _ = st.store.audit(&s.user, None, action, &detail, true);
            Redirect::to(&format!(
                "/alerts/rules?done={}",
                super::urlencode(&tr!(s.lang, "rules-saved"))
            ))
            .into_response()
        }
        Err(e) => {
            let _ = st.store.audit(&s.user, None, action, &e, false);
            let mut errors = BTreeMap::new();
            errors.insert("rule", e);
            render(&st, &s, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

fn set_enabled(st: &Web, s: &Session, name: &str, enabled: bool) -> Response {
    let list = match listed(st) {
        Ok((l, _)) => l,
        Err(e) => {
            return st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    };
    let Some(l) = list.iter().find(|l| l.rule.name == name) else {
        return st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "rules-no-such-rule"),
        );
    };
    let action = if enabled {
        "rule.enable"
    } else {
        "rule.disable"
    };
    match save(st, &s.user, &l.rule, enabled, None) {
        Ok(()) => {
            let _ = st.store.audit(&s.user, None, action, name, true);
            Redirect::to(&format!(
                "/alerts/rules?done={}",
                super::urlencode(&tr!(s.lang, "rules-updated"))
            ))
            .into_response()
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

pub(super) async fn enable_rule(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(name): Path<String>,
) -> Response {
    set_enabled(&st, &s, &name, true)
}

pub(super) async fn disable_rule(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(name): Path<String>,
) -> Response {
    set_enabled(&st, &s, &name, false)
}

pub(super) async fn delete_rule(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(name): Path<String>,
) -> Response {
    match st.store.delete_rule(&name) {
        Ok(true) => {
            st.rules.notify();
            let _ = st.store.audit(&s.user, None, "rule.delete", &name, true);
            Redirect::to(&format!(
                "/alerts/rules?done={}",
                super::urlencode(&tr!(s.lang, "rules-deleted"))
            ))
            .into_response()
        }
        Ok(false) if st.rules.file_rules().iter().any(|r| r.name == name) => st.error_page_in(
            s.lang,
            StatusCode::CONFLICT,
            &if st.rules.is_built_in() {
                tr!(s.lang, "rules-is-built-in")
            } else {
                tr!(s.lang, "rules-is-in-file")
            },
        ),
        Ok(false) => st.error_page_in(
            s.lang,
            StatusCode::NOT_FOUND,
            &tr!(s.lang, "rules-no-such-rule"),
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_round_trip_and_report_each_bad_field() {
        let mut r = RuleConfig::new("log-ppp", RuleKind::Log);
        r.keywords(["login failure", "a, b"]);
        r.regexes = vec!["ppp.*down".into()];
        r.chats = vec![-100, 7];
        r.channels = vec!["whatsapp".into()];
        r.hold = Some(Span(300));
        let f = RuleForm::from_rule(&r, true);
        assert_eq!(f.channels, "whatsapp");
        assert_eq!(f.to_rule().unwrap(), r);
        let mut c = RuleConfig::new("mem", RuleKind::Memory);
        c.below = Some(Threshold::Bytes(64 << 20));
        c.duration = Span(120);
        assert_eq!(RuleForm::from_rule(&c, false).to_rule().unwrap(), c);

        let bad = RuleForm {
            name: "x".into(),
            kind: "cpux".into(),
            below: "150%".into(),
            duration: "soon".into(),
            chats: "12, abc".into(),
            channels: "sms".into(),
            regexes: "(".into(),
            above: "101".into(),
            ..RuleForm::default()
        };
        let errors = bad.to_rule().unwrap_err();
        for f in [
            "kind", "below", "duration", "chats", "channels", "regexes", "above",
        ] {
            assert!(errors.contains_key(f), "{f}: {errors:?}");
        }
        let no_keywords = RuleForm {
            name: "log".into(),
            kind: "log".into(),
            ..RuleForm::default()
        };
        assert!(no_keywords.to_rule().unwrap_err().contains_key("rule"));
        let expected = rules::validate(&[{
            let mut r = RuleConfig::new("log", RuleKind::Log);
            r.severity = crate::alerts::Severity::Warning;
            r
        }])
        .unwrap_err()
        .to_string();
        assert_eq!(no_keywords.to_rule().unwrap_err()["rule"], expected);
        assert_eq!(
            no_keywords.to_rule_in(Lang::Id).unwrap_err()["rule"],
            "aturan \"log\": aturan log perlu `keywords` atau `regexes`"
        );
    }
}
