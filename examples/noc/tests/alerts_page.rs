//! The Alerts page over HTTP: "acknowledge all (filtered)", the live stream of open alerts'
//! counts and last-seen times, and the rule form's origins and per-kind fields.

mod common;

use common::*;

/// The value of `<input type="hidden" name="NAME" value="...">` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledge_all_takes_exactly_the_filtered_open_alerts_and_is_audited() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let store = app.noc.state().store.clone();
    let now = noc::now();
    let fire = |key: &str, severity: &str, title: &str| {
        store
            .fire_alert(key, None, severity, title, "", now)
            .unwrap()
    };
    let a1 = fire("fan:1", "critical", "fan stopped on r1");
    let a2 = fire("fan:2", "critical", "fan stopped on r2");
    let other_text = fire("disk:1", "critical", "disk failing");
    let other_severity = fire("fan:3", "warning", "fan slow");
    let resolved = fire("fan:4", "critical", "fan stopped on r4");
    store.resolve_alert("fan:4", now).unwrap();
    let acked = fire("fan:5", "critical", "fan stopped on r5");
    store.ack_alert(acked, "earlier", now).unwrap();

    // The page says how many it will acknowledge before anything is done.
    let url = format!("{}/alerts?severity=critical&state=open&q=fan", app.base);
    let (_, page) = get_text(&c, &url).await;
    assert!(
        page.contains("Acknowledge all (<span id=\"ack-count\">2</span>)"),
        "{page}"
    );
    assert!(page.contains("data-confirm=\"Acknowledge the open alerts of this filter (2)?\""));
    let up_to = hidden(&page, "up_to");
    // An alert that opens after the page was shown is not acknowledged with the others.
    let later = fire("fan:6", "critical", "fan stopped on r6");

    let form = [
        ("severity", "critical"),
        ("state", "open"),
        ("q", "fan"),
        ("up_to", up_to.as_str()),
    ];
    let r = c
        .post(format!("{}/alerts/ack-all", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let mut with_csrf = form.to_vec();
    with_csrf.push(("csrf", csrf.as_str()));
    let r = c
        .post(format!("{}/alerts/ack-all", app.base))
        .form(&with_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with("/alerts?severity=critical&state=open&q=fan")
            && back.contains("done=2%20alerts%20acknowledged"),
        "{back}"
    );
    let by_id = |id: i64| {
        store
            .alerts(50)
            .unwrap()
            .into_iter()
            .find(|a| a.id == id)
            .unwrap()
            .acked_by
    };
    assert_eq!(by_id(a1).as_deref(), Some("admin"));
    assert_eq!(by_id(a2).as_deref(), Some("admin"));
    for id in [other_text, other_severity, resolved, later] {
        assert_eq!(by_id(id), None, "alert {id} is outside the filter");
    }
    assert_eq!(by_id(acked).as_deref(), Some("earlier"));
    let mut f = noc::storage::AuditFilter::default();
    f.action = Some("alert.ack_all".into());
    let (entries, n) = store.audit_page(&f, 0, 10).unwrap();
    assert_eq!(n, 1);
    assert_eq!(entries[0].user, "admin");
    assert_eq!(
        entries[0].detail,
        "2 open alerts (severity critical, text \"fan\")"
    );
    // Now only the later one is left for this filter.
    let (_, page) = get_text(&c, &url).await;
    assert!(page.contains("<span id=\"ack-count\">1</span>"), "{page}");
    app.noc.shutdown().await;
}

/// Reads the event stream until an event's data contains every one of `needles`.
async fn event_with(r: &mut reqwest::Response, needles: &[&str]) -> String {
    let mut buf = String::new();
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), r.chunk())
            .await
            .unwrap_or_else(|_| panic!("no event with {needles:?} within 10 s: {buf}"))
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if needles.iter().all(|n| event.contains(n)) {
                return event;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_stream_carries_an_open_alerts_new_count_and_last_seen() {
    let app = start().await;
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let store = app.noc.state().store.clone();
    let t0 = noc::now() - 3600;
    let id = store
        .fire_alert("log:1:fan", None, "warning", "fan slow", "", t0)
        .unwrap();
    let (_, page) = get_text(&c, &format!("{}/alerts?state=open", app.base)).await;
    assert!(page.contains(&format!("data-alert=\"{id}\"")), "{page}");
    assert!(page.contains("data-live=\"severity=&state=open&q=&page=1\""));
    let mut r = c
        .get(format!(
            "{}/events/alerts?severity=&state=open&q=&page=1",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let first = event_with(&mut r, &[&format!("\"id\":{id}")]).await;
    assert!(first.contains("\"count\":1"), "{first}");
    assert!(first.contains(&noc::fmt::time(t0)), "{first}");
    // The same condition again: the open alert's count and last-seen change on the open page.
    let t1 = noc::now();
    store
        .fire_alert("log:1:fan", None, "warning", "fan slow", "", t1)
        .unwrap();
    let next = event_with(&mut r, &["\"count\":2"]).await;
    assert!(next.contains(&noc::fmt::time(t1)), "{next}");
    assert!(next.contains("\"state\":\"open\""), "{next}");
    assert!(next.contains("\"ackable\":1"), "{next}");
    // Resolving it is pushed as well: it leaves this filter of open alerts.
    store.resolve_alert("log:1:fan", t1).unwrap();
    let done = event_with(&mut r, &["\"total\":0"]).await;
    assert!(done.contains("\"ackable\":0"), "{done}");
    drop(r);
    // Streams count against the session's limit like the others.
    let mut open = Vec::new();
    for _ in 0..noc::web::sse::MAX_STREAMS_PER_SESSION {
        open.push(
            c.get(format!("{}/events/alerts", app.base))
                .send()
                .await
                .unwrap(),
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let r = c
        .get(format!("{}/events/alerts", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    drop(open);
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_in_rules_say_built_in_and_the_form_groups_fields_by_kind() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let rules = format!("{}/alerts/rules", app.base);
    let (_, page) = get_text(&c, &rules).await;
    let row = |html: &str, name: &str| {
        let start = html.find(&format!("data-rule=\"{name}\"")).unwrap();
        let rest = &html[start..];
        rest[..rest.find("</tr>").unwrap()].to_owned()
    };
    for name in ["router-down", "l7", "new-device"] {
        let r = row(&page, name);
        assert!(
            r.contains("<td>built-in</td>") && !r.contains("noc.toml"),
            "{r}"
        );
    }
    assert!(row(&page, "l7").contains("chat: a digest every 10m"));
    // Each kind's fields are in a group the page's script shows for that kind only.
    assert!(page.contains("data-kinds=\"l7 lease\"><label>Chat digest every"));
    assert!(page.contains("data-kinds=\"cpu\"><label>CPU above %"));
    // A built-in rule edited here replaces it, and reverting brings the built-in one back.
    let (s, _) = post_form(
        &c,
        &rules,
        &[
            ("csrf", &csrf),
            ("original", "l7"),
            ("name", "l7"),
            ("kind", "l7"),
            ("severity", "info"),
            ("digest", "30m"),
            ("enabled", "on"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (_, page) = get_text(&c, &rules).await;
    let r = row(&page, "l7");
    assert!(r.contains("dashboard (replaces built-in)"), "{r}");
    assert!(
        r.contains("Revert to built-in") && r.contains("a digest every 30m"),
        "{r}"
    );
    // A digest on a kind that has none is refused on its field.
    let (s, body) = post_form(
        &c,
        &rules,
        &[
            ("csrf", &csrf),
            ("original", ""),
            ("name", "cpu2"),
            ("kind", "cpu"),
            ("digest", "5m"),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("data-field=\"digest\">only l7 and lease rules send digests"));
    // Deleting a built-in rule is refused with the right words.
    let (s, body) = post_form(
        &c,
        &format!("{rules}/router-down/delete"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, 409);
    assert!(body.contains("This rule is built in"), "{body}");
    app.noc.shutdown().await;
}

async fn post_form(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}
