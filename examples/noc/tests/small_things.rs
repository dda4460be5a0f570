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
