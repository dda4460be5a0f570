//! The alert-rule editor over HTTP: admins add, edit, disable and delete rules with CSRF
//! tokens, bad rules are refused inline and not saved, read-only users get 403, and a rule
//! added in the dashboard fires in the running monitor without a restart.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::{RuleConfig, RuleKind};

const ADMIN_PASSWORD: &str = "admin-password";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("a CSRF token in the page");
    let rest = &html[i + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Logs in; returns the session's CSRF token.
async fn login(base: &str, c: &reqwest::Client, user: &str, password: &str) -> String {
    let (_, html) = text(c, &format!("{base}/login")).await;
    let token = csrf_of(&html);
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("user", user),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login as {user}");
    let (_, html) = text(c, &format!("{base}/alerts/rules")).await;
    csrf_of(&html)
}

async fn post(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn keyword_rule<'a>(csrf: &'a str, name: &'a str, keyword: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("original", ""),
        ("name", name),
        ("kind", "log"),
        ("severity", "critical"),
        ("duration", ""),
        ("keywords", keyword),
        ("chats", "-100500"),
        ("enabled", "on"),
    ]
}

/// The `<tr>` of rule `name` in the rules page.
fn rule_row<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("data-rule=\"{name}\""))?;
    let rest = &html[start..];
    Some(&rest[..rest.find("</tr>").unwrap_or(rest.len())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_edit_disable_and_delete_rules_with_inline_errors() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    let base = format!("http://{}", app.addr());
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(90.0);
    let monitor = start_monitor(&app, dir.path(), vec![cpu], None).await;
    let store = &app.state().store;
    let admin = client();
    let csrf = login(&base, &admin, "admin", ADMIN_PASSWORD).await;
    let url = format!("{base}/alerts/rules");

    // The file rule is listed, and the alerts page links to the editor.
    let (s, html) = text(&admin, &url).await;
    assert_eq!(s, 200);
    let row = rule_row(&html, "cpu").expect("the noc.toml rule is listed");
    assert!(row.contains("above 90%") && row.contains("noc.toml") && row.contains("enabled"));
    assert!(text(&admin, &format!("{base}/alerts"))
        .await
        .1
        .contains("href=\"/alerts/rules\""));

    // Add a rule: listed, saved, audited, and the engine has it.
    let (s, _) = post(&admin, &url, &keyword_rule(&csrf, "fire", "disk on fire")).await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    let row = rule_row(&html, "fire").expect("the new rule is listed");
    assert!(row.contains("keywords: disk on fire") && row.contains("critical"));
    assert!(row.contains("-100500") && row.contains("dashboard"));
    assert_eq!(noc::alerts::rules::saved_rules(store).unwrap().len(), 1);
    wait_until("engine reloaded", 10, || {
        monitor.rule_names().contains(&"fire".to_owned())
    })
    .await;
    let (_, audit) = text(&admin, &format!("{base}/audit")).await;
    assert!(audit.contains("rule.add") && audit.contains("fire (log, critical)"));

    // Bad rules are refused with the error next to the field, and nothing is saved.
    let cases: [(&str, &str, &str, &str); 5] = [
        ("regexes", "(unclosed", "regexes", "regex"),
        ("kind", "teleport", "kind", "unknown rule kind"),
        ("below", "150%", "below", "invalid threshold"),
        ("duration", "soon", "duration", "invalid duration"),
        ("name", "fire", "name", "exists"),
    ];
    for (field, value, shown, message) in cases {
        let mut form = keyword_rule(&csrf, "bad-rule", "x");
        if field == "kind" || field == "below" {
            form.retain(|(k, _)| *k != "kind");
            form.push(("kind", if field == "kind" { value } else { "memory" }));
        }
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let (s, html) = post(&admin, &url, &form).await;
        assert_eq!(s, 422, "{field}={value}");
        let err = html
            .find(&format!("data-field=\"{shown}\""))
            .map(|i| &html[i..])
            .unwrap_or_else(|| panic!("inline error for {field}: {html}"));
        assert!(
            err[..err.find("</span>").unwrap()].contains(message),
            "{field}: {err}"
        );
        // The typed value is kept in the form (escaped).
        assert!(html.contains("id=\"rule-form\""));
    }
    // A rule the per-rule checks accept but the set does not (the log rule without keywords).
    let mut form = keyword_rule(&csrf, "empty-log", "");
    form.retain(|(k, _)| *k != "keywords");
    let (s, html) = post(&admin, &url, &form).await;
    assert_eq!(s, 422);
    assert!(html.contains("id=\"rule-error\"") && html.contains("needs `keywords` or `regexes`"));
    let saved: Vec<String> = noc::alerts::rules::saved_rules(store)
        .unwrap()
        .iter()
        .map(|r| r.rule.name.clone())
        .collect();
    assert_eq!(saved, ["fire"]);

    // Router-supplied or typed text is escaped.
    let (s, _) = post(
        &admin,
        &url,
        &keyword_rule(&csrf, "xss", "<script>alert(1)</script>"),
    )
    .await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"));

    // Edit the file rule: saved as an override of the same name.
    let (_, html) = text(&admin, &format!("{url}?edit=cpu")).await;
    assert!(html.contains("name=\"original\" value=\"cpu\""));
    let (s, _) = post(
        &admin,
        &url,
        &[
            ("csrf", &csrf),
            ("original", "cpu"),
            ("name", "cpu"),
            ("kind", "cpu"),
            ("severity", "warning"),
            ("above", "75"),
            ("duration", "2m"),
            ("enabled", "on"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    let row = rule_row(&html, "cpu").unwrap();
    assert!(
        row.contains("above 75%") && row.contains("2m") && row.contains("replaces noc.toml"),
        "{row}"
    );

    // Disable and enable.
    let (s, _) = post(&admin, &format!("{url}/fire/disable"), &[("csrf", &csrf)]).await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    assert!(rule_row(&html, "fire").unwrap().contains("disabled"));
    wait_until("engine dropped the disabled rule", 10, || {
        !monitor.rule_names().contains(&"fire".to_owned())
    })
    .await;
    let (s, _) = post(&admin, &format!("{url}/fire/enable"), &[("csrf", &csrf)]).await;
    assert_eq!(s, 303);
    wait_until("engine has the enabled rule", 10, || {
        monitor.rule_names().contains(&"fire".to_owned())
    })
    .await;

    // Deleting the override brings the file rule back; a file rule cannot be deleted.
    let (s, _) = post(&admin, &format!("{url}/cpu/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    assert!(rule_row(&html, "cpu").unwrap().contains("above 90%"));
    let (s, _) = post(&admin, &format!("{url}/cpu/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(s, 409);
    let (s, _) = post(&admin, &format!("{url}/fire/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(s, 303);
    let (_, html) = text(&admin, &url).await;
    assert!(rule_row(&html, "fire").is_none());
    let (_, audit) = text(&admin, &format!("{base}/audit")).await;
    for action in ["rule.edit", "rule.disable", "rule.enable", "rule.delete"] {
        assert!(audit.contains(action), "{action}");
    }

    // Saved rules survive a restart of noc.
    monitor.shutdown().await;
    app.shutdown().await;
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    let names: Vec<String> = noc::alerts::rules::saved_rules(&app.state().store)
        .unwrap()
        .iter()
        .map(|r| r.rule.name.clone())
        .collect();
    assert_eq!(names, ["xss"]);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_users_and_missing_csrf_get_403() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    let base = format!("http://{}", app.addr());
    let url = format!("{base}/alerts/rules");
    let admin = client();
    let csrf = login(&base, &admin, "admin", ADMIN_PASSWORD).await;
    // Missing and wrong CSRF tokens.
    let mut form = keyword_rule(&csrf, "fire", "disk on fire");
    form.retain(|(k, _)| *k != "csrf");
    assert_eq!(post(&admin, &url, &form).await.0, 403);
    let wrong = "0".repeat(64);
    assert_eq!(
        post(&admin, &url, &keyword_rule(&wrong, "fire", "x"))
            .await
            .0,
        403
    );
    assert!(noc::alerts::rules::saved_rules(&app.state().store)
        .unwrap()
        .is_empty());
    // A read-only user sees the list but no forms, and every change is refused.
    let (s, _) = post(
        &admin,
        &format!("{base}/users"),
        &[
            ("csrf", &csrf),
            ("name", "viewer"),
            ("password", "viewer-pass"),
            ("role", "read-only"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    assert_eq!(
        post(&admin, &url, &keyword_rule(&csrf, "fire", "on fire"))
            .await
            .0,
        303
    );
    let viewer = client();
    let vcsrf = login(&base, &viewer, "viewer", "viewer-pass").await;
    let (s, html) = text(&viewer, &url).await;
    assert_eq!(s, 200);
    assert!(rule_row(&html, "fire").is_some() && rule_row(&html, "router-down").is_some());
    assert!(!html.contains("id=\"rule-form\"") && !html.contains("/fire/delete"));
    assert_eq!(
        post(&viewer, &url, &keyword_rule(&vcsrf, "other", "x"))
            .await
            .0,
        403
    );
    for action in ["disable", "enable", "delete"] {
        let (s, _) = post(
            &viewer,
            &format!("{url}/fire/{action}"),
            &[("csrf", &vcsrf)],
        )
        .await;
        assert_eq!(s, 403, "{action}");
    }
    let saved = noc::alerts::rules::saved_rules(&app.state().store).unwrap();
    assert_eq!(saved.len(), 1);
    assert!(saved[0].enabled);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_added_in_the_dashboard_fires_without_a_restart() {
    let sim = start_sim().await;
    let h = sim.handle();
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    // No log rule at start, so the router's log is not even followed yet.
    let lease = RuleConfig::new("new-device", RuleKind::Lease);
    let monitor = start_monitor(&app, dir.path(), vec![lease], Some(&tg)).await;
    let base = format!("http://{}", app.addr());
    let admin = client();
    let csrf = login(&base, &admin, "admin", ADMIN_PASSWORD).await;
    h.log("system,error", "disk on fire");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&tg, CHAT, "disk on fire"), 0);
    let (s, _) = post(
        &admin,
        &format!("{base}/alerts/rules"),
        &keyword_rule(&csrf, "fire", "disk on fire"),
    )
    .await;
    assert_eq!(s, 303);
    // The log stream starts shortly after the change; repeat the line until it is seen
    // (one event alert per key, so repeats do not add messages).
    wait_until_async("the dashboard rule fires", 30, || {
        h.log("system,error", "disk on fire");
        let store = &app.state().store;
        let stored = store
            .alerts(10)
            .unwrap()
            .iter()
            .any(|a| a.title.contains("disk on fire") && a.severity == "critical");
        async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            stored
        }
    })
    .await;
    wait_until("sent to the rule's chat", 30, || {
        count(&tg, CHAT, "disk on fire") >= 1
    })
    .await;
    monitor.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_on_the_defaults_lists_them_as_built_in() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    // No [[rule]] in noc.toml: the monitor runs the built-in rules.
    let monitor = start_monitor(&app, dir.path(), Vec::new(), None).await;
    let base = format!("http://{}", app.addr());
    let admin = client();
    login(&base, &admin, "admin", ADMIN_PASSWORD).await;
    let (s, html) = text(&admin, &format!("{base}/alerts/rules")).await;
    assert_eq!(s, 200);
    for name in ["router-down", "cpu", "l7", "new-device"] {
        let row = rule_row(&html, name).expect("a built-in rule is listed");
        assert!(
            row.contains("<td>built-in</td>") && !row.contains("noc.toml"),
            "{row}"
        );
    }
    let l7 = rule_row(&html, "l7").unwrap();
    assert!(
        l7.contains("<td>info</td>") && l7.contains("chat: a digest every 10m"),
        "{l7}"
    );
    monitor.shutdown().await;
    app.shutdown().await;
}
