//! While the database refuses writes, `/healthz` says so (503 with the reason) and the alerts
//! raised meanwhile are kept in memory; once it accepts writes again, they are stored.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::{RuleConfig, RuleKind};

/// Logs in as the first admin; returns a client holding the session cookie.
async fn logged_in(base: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap();
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let rest = &html[html.find(marker).unwrap() + marker.len()..];
    let csrf = &rest[..rest.find('"').unwrap()];
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf),
            ("user", "admin"),
            ("password", "admin-password"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    c
}

async fn healthz(base: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_turns_health_red_and_alerts_are_retried() {
    let sim = start_sim().await;
    let h = sim.handle();
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let mut log = RuleConfig::new("disk", RuleKind::Log);
    log.keywords(["disk error"]);
    let monitor = start_monitor(&app, dir.path(), vec![log], None).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let base = format!("http://{}", app.addr());
    assert_eq!(healthz(&base).await.0, 200);
    let web = logged_in(&base).await;
    let page = |web: reqwest::Client| {
        let base = base.clone();
        async move {
            web.get(format!("{base}/alerts"))
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(!page(web.clone()).await.contains("Storage is failing"));

    // Another process takes the database's write lock and keeps it.
    let other = rusqlite::Connection::open(dir.path().join("noc.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    h.log("system,error", "disk error on sda");
    let store = app.state().store.clone();
    wait_until("the failed write is recorded", 30, || {
        store.fault().is_some()
    })
    .await;
    let (code, body) = healthz(&base).await;
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("locked"), "{body}");
    let (_, what, failed) = store.fault().unwrap();
    assert!(failed >= 1, "{what}");
    let html = page(web.clone()).await;
    assert!(
        html.contains("Storage is failing: database error: database is locked since ")
            && html.contains("writes failed). Alerts are kept in memory and retried."),
        "{html}"
    );
    assert!(
        !store
            .alerts(50)
            .unwrap()
            .iter()
            .any(|a| a.title.contains("disk error on sda")),
        "not stored while the database is locked"
    );

    // The lock goes away: health recovers and the alert kept in memory is stored.
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    wait_until("the kept alert is stored", 30, || {
        store
            .alerts(50)
            .unwrap()
            .iter()
            .any(|a| a.title.contains("disk error on sda"))
    })
    .await;
    let (code, body) = healthz(&base).await;
    assert_eq!(code, 200, "{body}");
    assert!(store.fault().is_none());
    assert!(!page(web).await.contains("Storage is failing"));
    monitor.shutdown().await;
    app.shutdown().await;
}
