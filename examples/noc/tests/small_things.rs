//! Small things that cost trust: a real 404 with the navigation, a favicon, confirmations that
//! name the thing and the router, a message after each change, `/metrics` closed to strangers
//! when noc is reachable beyond loopback.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_favicon_confirmations_and_messages() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let (s, html) = get_text(&c, &format!("{}/no/such/page", app.base)).await;
    assert_eq!(s, 404);
    assert!(html.contains("There is no such page") && html.contains("href=\"/queues\""));
    assert!(
        html.contains("data-back"),
        "a Back link that works under the CSP"
    );
    let r = c
        .get(format!("{}/favicon.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    // A user to delete: the confirmation names them, the answer says it happened.
    let r = c
        .post(format!("{}/users", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "budi"),
            ("password", "budi-pass-1"),
            ("role", "read-only"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("done=User%20added"));
    let (_, html) = get_text(&c, &format!("{}/users", app.base)).await;
    assert!(
        html.contains("data-confirm=\"Delete user 'budi' (read-only)?"),
        "{html}"
    );
    let id = app
        .noc
        .state()
        .store
        .user_by_name("budi")
        .unwrap()
        .unwrap()
        .id;
    let r = c
        .post(format!("{}/users/{id}/delete", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("done=User%20deleted"));
    // Queue actions name the queue and the router.
    let rid = router_id(&app);
    let (_, html) = get_text(&c, &format!("{}/queue?router={rid}&name=queue1", app.base)).await;
    // The confirmation is a message, escaped as a whole (`'` as `&#x27;`): the same text.
    let html = html.replace("&#x27;", "'");
    assert!(
        html.contains("data-confirm=\"Disable queue 'queue1' on ros-sim (embedded)?\""),
        "{html}"
    );
    assert!(html.contains("data-confirm=\"Remove queue 'queue1' on ros-sim (embedded)?\""));
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_a_session_or_token_beyond_loopback() {
    let app = start_with(|o| {
        o.listen("0.0.0.0:0".parse().unwrap());
    })
    .await;
    let base = format!("http://127.0.0.1:{}", app.noc.addr().port());
    let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(r.status(), 401, "strangers on the network see nothing");
    let app2 = App {
        base: base.clone(),
        noc: app.noc,
        dir: app.dir,
    };
    let c = client();
    login_ok(&app2, &c, "admin", ADMIN_PASSWORD).await;
    let r = c.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200, "a logged-in user may read them");
    app2.noc.shutdown().await;
}

/// A router is edited in place (its id and history stay, the poller reconnects), the audit
/// log names routers and users with old → new values, and a wrong rate says which half is
/// wrong and what is expected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routers_edit_in_place_audit_names_and_rate_halves() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    // A second router, added on the page, pointing at the embedded simulator.
    let sim = app.noc.state().hub.routers()[0].address.clone();
    let (host, port) = sim.rsplit_once(':').unwrap();
    let r = c
        .post(format!("{}/routers", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "rt-05"),
            ("address", "127.0.0.1"),
            ("port", "1"),
            ("user", "admin"),
            ("password", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let id = app
        .noc
        .state()
        .store
        .routers()
        .unwrap()
        .into_iter()
        .find(|r| r.name == "rt-05")
        .unwrap()
        .id;
    let (_, page) = get_text(&c, &format!("{}/routers", app.base)).await;
    assert!(
        page.contains(&format!("action=\"/routers/{id}/edit\"")),
        "{page}"
    );
    let r = c
        .post(format!("{}/routers/{id}/edit", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("address", host),
            ("port", port),
            ("user", "admin"),
            ("password", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let routers = app.noc.state().store.routers().unwrap();
    let edited = routers.iter().find(|r| r.name == "rt-05").unwrap();
    assert_eq!(
        (edited.id, edited.port.to_string()),
        (id, port.to_owned()),
        "same id, new port"
    );
    let (_, audit) = get_text(&c, &format!("{}/audit?action=router.edit", app.base)).await;
    assert!(
        audit.contains(&format!("rt-05: port 1 → {port}")),
        "{audit}"
    );
    assert!(
        audit.contains("<td>rt-05</td>"),
        "the router column names it: {audit}"
    );
    // The stored password was kept: the router comes up with it... it was "wrong", so the
    // simulator refuses; a new one fixes it.
    let r = c
        .post(format!("{}/routers/{id}/edit", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("address", host),
            ("port", port),
            ("user", "admin"),
            ("password", "still-wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, audit) = get_text(&c, &format!("{}/audit?action=router.edit", app.base)).await;
    assert!(audit.contains("rt-05: password changed"), "{audit}");
    // Removing it: the log keeps its name.
    c.post(format!("{}/routers/{id}/delete", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let (_, audit) = get_text(&c, &format!("{}/audit?action=router.delete", app.base)).await;
    assert!(
        audit.contains(&format!("rt-05 at {host}:{port}"))
            && audit.contains(&format!("#{id} (removed)")),
        "{audit}"
    );
    // Users by name.
    c.post(format!("{}/users", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "sari"),
            ("password", "sari-pass-1"),
            ("role", "operator"),
        ])
        .send()
        .await
        .unwrap();
    let sari = app
        .noc
        .state()
        .store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.name == "sari")
        .unwrap()
        .id;
    c.post(format!("{}/users/{sari}/password", app.base))
        .form(&[("csrf", csrf.as_str()), ("password", "sari-pass-2")])
        .send()
        .await
        .unwrap();
    let (_, audit) = get_text(&c, &format!("{}/audit?action=user.password", app.base)).await;
    assert!(
        audit.contains("sari (operator): password changed"),
        "{audit}"
    );
    // A rate with a wrong half.
    let rid = router_id(&app);
    let r = c
        .post(format!("{}/api/queues/preview", app.base))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"router": rid, "original": "", "name": "x", "target": "192.168.88.77/32", "max_limit": "2M/5X"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    let err = body["field_errors"]["max_limit"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        err.contains("the download half \"5X\" is not a rate") && err.contains("2M/5M"),
        "{body}"
    );
    app.noc.shutdown().await;
}
