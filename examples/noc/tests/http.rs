//! HTTP-level tests of every page and API, the auth rules, CSRF rejections and escaping,
//! against noc started in-process with its embedded simulator.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_requests_are_refused_or_sent_to_login() {
    let app = start().await;
    let c = client();
    for page in [
        "/",
        "/queues",
        "/l7",
        "/alerts",
        "/users",
        "/routers",
        "/audit",
        "/queues/edit?router=1",
    ] {
        let r = c.get(format!("{}{page}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{page}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next="),
            "{page}"
        );
    }
    for api in [
        "/api/overview",
        "/api/queues",
        "/api/alerts",
        "/api/l7/activity",
        "/events/overview",
    ] {
        let r = c.get(format!("{}{api}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{api}");
    }
    // A state-changing request without a session is refused before any handler runs.
    let r = c
        .post(format!("{}/users", app.base))
        .form(&[("name", "x"), ("password", "longenough"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.noc.state().store.user_count().unwrap(), 1);
    // Health and metrics are open.
    let (s, body) = get_text(&c, &format!("{}/healthz", app.base)).await;
    assert_eq!(s, 200);
    assert!(body.contains("\"ok\":true"));
    eventually("metrics with queues", || async {
        let (_, m) = get_text(&client(), &format!("{}/metrics", app.base)).await;
        m.contains("noc_queue_rate_bits_per_second{router=\"ros-sim (embedded)\",name=\"queue1\",direction=\"download\"}")
            && m.contains("noc_router_up{router=\"ros-sim (embedded)\"} 1")
    })
    .await;
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_checks_password_csrf_and_rate_limits() {
    let app = start().await;
    let c = client();
    // Wrong password: back to the form with a message.
    let r = login(&app, &c, "admin", "wrong-password").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error="));
    // Login without the login form's CSRF cookie/token.
    let r = client()
        .post(format!("{}/login", app.base))
        .form(&[("user", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Unknown users get the same answer as wrong passwords.
    let r = login(&app, &c, "nobody", "whatever-pass").await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error="));
    // Five failures for one name lock it for a while, even with the right password.
    let attacker = client();
    for _ in 0..5 {
        login(&app, &attacker, "admin", "guess-guess").await;
    }
    let r = login(&app, &attacker, "admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status(), 429);
    app.noc.shutdown().await;

    // A fresh instance: log in, use the session, log out.
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let (s, _) = get_text(&c, &format!("{}/queues", app.base)).await;
    assert_eq!(s, 200);
    let r = c
        .post(format!("{}/logout", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(format!("{}/queues", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 303, "session ended");
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_api_renders_for_an_admin() {
    let app = start().await;
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("queues from ros-sim", || async {
        let (_, body) = get_text(&c, &format!("{}/api/queues?router={id}", app.base)).await;
        body.contains("\"name\":\"queue1\"")
    })
    .await;
    let (s, home) = get_text(&c, &format!("{}/", app.base)).await;
    assert_eq!(s, 200);
    assert!(
        home.contains("embedded RouterOS"),
        "says the simulator is shown"
    );
    assert!(home.contains("ether1"));
    for page in [
        format!("/queues?router={id}"),
        format!("/queues?router={id}&q=queue&sort=rate&dir=desc&page=1"),
        format!("/queue?router={id}&name=queue1"),
        format!("/queues/edit?router={id}"),
        format!("/queues/edit?router={id}&name=queue1"),
        format!("/l7?router={id}"),
        "/alerts".into(),
        "/users".into(),
        "/routers".into(),
        "/audit".into(),
        "/static/app.js".into(),
        "/static/style.css".into(),
    ] {
        let r = c.get(format!("{}{page}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{page}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{page}");
    }
    let (_, q) = get_text(&c, &format!("{}/queues?router={id}", app.base)).await;
    assert!(q.contains("queue1") && q.contains("queue6"));
    let (_, l7) = get_text(&c, &format!("{}/l7?router={id}", app.base)).await;
    assert!(l7.contains("youtube") && l7.contains("bittorrent"));
    assert!(l7.contains("L7W"), "lint results are shown");
    for api in [
        "/api/overview".to_string(),
        format!("/api/queues?router={id}&per=2&page=2"),
        format!("/api/history?router={id}&name=queue1&range=hour"),
        format!("/api/history?router={id}&kind=iface&name=ether1&range=day"),
        format!("/api/l7/activity?router={id}"),
        "/api/alerts".into(),
    ] {
        let r = c.get(format!("{}{api}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{api}");
        let _: serde_json::Value = r.json().await.unwrap();
    }
    let page: serde_json::Value = c
        .get(format!("{}/api/queues?router={id}&per=2&page=2", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["rows"].as_array().unwrap().len(), 2);
    assert_eq!(page["page"]["rows"][0]["name"], "queue3");
    assert_eq!(page["page"]["total"], 6);
    let r = c
        .get(format!(
            "{}/api/history?router={id}&name=queue1&range=decade",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (s, _) = get_text(&c, &format!("{}/queue?router={id}&name=nope", app.base)).await;
    assert_eq!(s, 404);
    // History fills from polls.
    eventually("history points", || async {
        let v: serde_json::Value = c
            .get(format!(
                "{}/api/history?router={id}&name=queue1&range=hour",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["points"].as_array().is_some_and(|p| !p.is_empty())
    })
    .await;
    // SSE: the queue stream sends the page's rows.
    let mut r = c
        .get(format!("{}/events/queues?router={id}&per=3", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), r.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.starts_with("data: ") && text.contains("\"queue1\""),
        "{text}"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_strings_are_escaped() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    sim.set(
        "/queue/simple",
        "queue1",
        &[("comment", "<script>alert(1)</script>")],
    )
    .unwrap();
    sim.add(
        "/queue/simple",
        &[
            ("name", "\"><img src=x onerror=alert(2)>"),
            ("target", "192.168.88.250/32"),
        ],
    )
    .unwrap();
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("the comment", || async {
        let (_, b) = get_text(&c, &format!("{}/queues?router={id}", app.base)).await;
        b.contains("alert(1)") && b.contains("alert(2)")
    })
    .await;
    let (_, b) = get_text(&c, &format!("{}/queues?router={id}", app.base)).await;
    assert!(
        b.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{b}"
    );
    assert!(!b.contains("<script>alert(1)"));
    assert!(!b.contains("<img src=x"));
    let (_, b) = get_text(&c, &format!("{}/queue?router={id}&name=queue1", app.base)).await;
    assert!(!b.contains("<script>alert(1)") && b.contains("&lt;script&gt;"));
    let (s, b) = get_text(
        &c,
        &format!(
            "{}/queue?router={id}&name=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E",
            app.base
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!b.contains("<img src=x") && b.contains("&lt;img src=x"));
    // Metrics label values are escaped by the encoder, not raw HTML concerns, but must stay parseable.
    let (_, m) = get_text(&c, &format!("{}/metrics", app.base)).await;
    assert!(
        m.contains("name=\"\\\"><img src=x onerror=alert(2)>\""),
        "{m}"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_editor_validates_previews_applies_and_audits() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("connected", || async {
        app.noc.state().hub.routers()[0].client().is_some()
    })
    .await;
    let bad = serde_json::json!({"router": id, "name": "guest", "target": "192.168.88.200/32", "max_limit": "10Q/5M"});
    // The preview API needs the CSRF header too.
    let r = c
        .post(format!("{}/api/queues/preview", app.base))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let p: serde_json::Value = c
        .post(format!("{}/api/queues/preview", app.base))
        .header("x-csrf-token", &csrf)
        .json(&bad)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["ok"], false);
    assert!(
        p["field_errors"]["max_limit"]
            .as_str()
            .unwrap()
            .contains("max-limit"),
        "{p}"
    );
    // A limit-at above max-limit is a queue-model diagnostic, not a field error.
    let warn = serde_json::json!({"router": id, "name": "guest", "target": "192.168.88.200/32", "max_limit": "1M/1M", "limit_at": "5M/5M"});
    let p: serde_json::Value = c
        .post(format!("{}/api/queues/preview", app.base))
        .header("x-csrf-token", &csrf)
        .json(&warn)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!p["diagnostics"].as_array().unwrap().is_empty(), "{p}");
    // The form: a bad rate is shown inline and nothing reaches the router.
    let form = |max: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("router", id.to_string()),
            ("original", String::new()),
            ("name", "guest".to_owned()),
            ("target", "192.168.88.200/32".to_owned()),
            ("max_limit", max.to_owned()),
            ("comment", "added by test".to_owned()),
        ]
    };
    let r = c
        .post(format!("{}/queues/apply", app.base))
        .form(&form("10Q/5M"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("max-limit"), "inline error shown");
    assert!(!sim
        .print("/queue/simple")
        .unwrap()
        .iter()
        .any(|q| q.iter().any(|(k, v)| k == "name" && v == "guest")));
    // Fixed: applied on the simulated router and audited.
    let r = c
        .post(format!("{}/queues/apply", app.base))
        .form(&form("2M/5M"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let rows = sim.print("/queue/simple").unwrap();
    let guest = rows
        .iter()
        .find(|q| q.iter().any(|(k, v)| k == "name" && v == "guest"))
        .expect("queue on the router");
    let get = |k: &str| {
        guest
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("max-limit"), "2000000/5000000");
    assert_eq!(get("comment"), "added by test");
    let audit = app.noc.state().store.audit_log(10).unwrap();
    assert_eq!(audit[0].action, "queue.add");
    assert!(
        audit[0].ok && audit[0].detail.contains("max-limit=2M/5M"),
        "{:?}",
        audit[0]
    );
    // Edit: raise the limit; disable; remove.
    let mut f = form("3M/6M");
    f[2].1 = "guest".into();
    let r = c
        .post(format!("{}/queues/apply", app.base))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let has = |k: &str, v: &str| {
        sim.print("/queue/simple").unwrap().iter().any(|q| {
            q.iter().any(|(n, x)| n == "name" && x == "guest")
                && q.iter().any(|(n, x)| n == k && x == v)
        })
    };
    assert!(has("max-limit", "3000000/6000000"));
    for (action, check) in [("disable", true), ("enable", false)] {
        let r = c
            .post(format!("{}/queues/action", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("router", &id.to_string()),
                ("name", "guest"),
                ("action", action),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{action}");
        assert!(
            has("disabled", if check { "true" } else { "false" }),
            "{action}"
        );
    }
    let r = c
        .post(format!("{}/queues/action", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("name", "guest"),
            ("action", "remove"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(!has("name", "guest"));
    let (_, audit_page) = get_text(&c, &format!("{}/audit", app.base)).await;
    assert!(audit_page.contains("queue.remove") && audit_page.contains("queue.disable"));
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_users_cannot_change_anything() {
    let app = start().await;
    let admin = client();
    let csrf = login_ok(&app, &admin, "admin", ADMIN_PASSWORD).await;
    // Wrong and missing CSRF tokens are refused.
    for token in [None, Some("0".repeat(64))] {
        let mut form = vec![
            ("name", "viewer".to_owned()),
            ("password", "viewer-pass".to_owned()),
            ("role", "read-only".to_owned()),
        ];
        if let Some(t) = token {
            form.push(("csrf", t));
        }
        let r = admin
            .post(format!("{}/users", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    assert_eq!(app.noc.state().store.user_count().unwrap(), 1);
    let r = admin
        .post(format!("{}/users", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "viewer"),
            ("password", "viewer-pass"),
            ("role", "read-only"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = admin
        .post(format!("{}/users", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "short"),
            ("password", "x"),
            ("role", "admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let viewer = client();
    let vcsrf = login_ok(&app, &viewer, "viewer", "viewer-pass").await;
    let id = router_id(&app);
    for page in [
        "/", "/queues", "/l7", "/alerts", "/users", "/routers", "/audit",
    ] {
        let (s, body) = get_text(&viewer, &format!("{}{page}", app.base)).await;
        assert_eq!(s, 200, "{page}");
        assert!(
            !body.contains("id=\"add-queue\""),
            "no edit controls for read-only"
        );
    }
    let (s, _) = get_text(&viewer, &format!("{}/queues/edit?router={id}", app.base)).await;
    assert_eq!(s, 403);
    let posts: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "/queues/apply",
            vec![
                ("router", id.to_string()),
                ("name", "x".into()),
                ("target", "10.0.0.1".into()),
            ],
        ),
        (
            "/queues/action",
            vec![
                ("router", id.to_string()),
                ("name", "queue1".into()),
                ("action", "remove".into()),
            ],
        ),
        (
            "/users",
            vec![
                ("name", "evil".into()),
                ("password", "evil-pass-1".into()),
                ("role", "admin".into()),
            ],
        ),
        ("/users/1/delete", vec![]),
        (
            "/users/1/password",
            vec![("password", "new-password".into())],
        ),
        (
            "/routers",
            vec![
                ("name", "r".into()),
                ("address", "127.0.0.1".into()),
                ("user", "u".into()),
                ("password", "p".into()),
            ],
        ),
        ("/alerts/1/ack", vec![]),
        ("/alerts/ack-all", vec![("up_to", "999".into())]),
    ];
    for (path, mut form) in posts {
        form.push(("csrf", vcsrf.clone()));
        let r = viewer
            .post(format!("{}{path}", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let r = viewer
        .post(format!("{}/api/queues/apply", app.base))
        .header("x-csrf-token", &vcsrf)
        .json(&serde_json::json!({"router": id, "name": "x", "target": "10.0.0.1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.noc.state().store.user_count().unwrap(), 2);
    assert!(
        app.noc
            .simulator()
            .unwrap()
            .print("/queue/simple")
            .unwrap()
            .len()
            == 6
    );
    // Read-only users may use the pattern tester (it changes nothing).
    let r = viewer
        .post(format!("{}/api/l7/test", app.base))
        .header("x-csrf-token", &vcsrf)
        .json(&serde_json::json!({"router": id, "pattern": "youtube", "text": "GET / HTTP/1.1\r\nHost: www.YouTube.com\r\n"}))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["results"][0]["matched"], true);
    // Deleting a user ends their sessions at once.
    let users = app.noc.state().store.users().unwrap();
    let vid = users.iter().find(|u| u.name == "viewer").unwrap().id;
    let r = admin
        .post(format!("{}/users/{vid}/delete", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = viewer
        .get(format!("{}/queues", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_routers_and_layer7() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let store = app.noc.state().store.clone();
    let aid = store
        .fire_alert(
            "cpu:1",
            Some(1),
            "warning",
            "CPU <b>high</b>",
            "load 95%",
            noc::now(),
        )
        .unwrap();
    let (_, b) = get_text(&c, &format!("{}/alerts", app.base)).await;
    assert!(b.contains("CPU &lt;b&gt;high&lt;&#x2f;b&gt;") && b.contains("Acknowledge"));
    let r = c
        .post(format!("{}/alerts/{aid}/ack", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        store.alerts(5).unwrap()[0].acked_by.as_deref(),
        Some("admin")
    );

    // A router that does not answer shows as down and does not hold up pages.
    let secret = "sup3r-secret-router-pw";
    let r = c
        .post(format!("{}/routers", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "dead"),
            ("address", "127.0.0.1"),
            ("port", "1"),
            ("user", "admin"),
            ("password", secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    eventually("dead router reported down", || async {
        let (_, b) = get_text(&c, &format!("{}/api/overview", app.base)).await;
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        v["routers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "dead" && r["status"] == "down")
    })
    .await;
    for page in ["/routers", "/api/overview", "/"] {
        let (s, b) = get_text(&c, &format!("{}{page}", app.base)).await;
        assert_eq!(s, 200);
        assert!(!b.contains(secret), "router password leaked on {page}");
    }
    let db = std::fs::read(app.dir.path().join("noc.db")).unwrap();
    let wal = std::fs::read(app.dir.path().join("noc.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "stored in clear"
        );
    }
    let row = store
        .routers()
        .unwrap()
        .into_iter()
        .find(|r| r.name == "dead")
        .unwrap();
    assert_eq!(
        app.noc.state().secrets.open(&row.password_sealed).unwrap(),
        secret
    );

    // Layer 7 activity from the simulator's firewall log lines.
    let sim = app.noc.simulator().unwrap();
    let id = router_id(&app);
    eventually("l7 rules polled", || async {
        !app.noc.state().hub.routers()[0].live().l7.is_empty()
    })
    .await;
    sim.log(
        "firewall,info",
        "tiktok forward: in:bridge out:ether1, connection-state:new src-mac 00:11:22:33:44:55, proto TCP, 192.168.88.77:50000->1.2.3.4:443, len 140",
    );
    eventually("l7 activity", || async {
        let (_, b) = get_text(&c, &format!("{}/api/l7/activity?router={id}", app.base)).await;
        b.contains("192.168.88.77") && b.contains("tiktok")
    })
    .await;
    // Pattern test and lint through the API.
    let v: serde_json::Value = c
        .post(format!("{}/api/l7/test", app.base))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"router": id, "pattern": "", "text": "GET / HTTP/1.1\r\nHost: r1.googlevideo.com\r\n"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let yt = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "youtube")
        .unwrap();
    assert_eq!(yt["matched"], true);
    let v: serde_json::Value = c
        .post(format!("{}/api/l7/test", app.base))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"pattern": "(unclosed", "text": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["results"][0]["error"].is_string());
    // A pcap with one HTTP flow to YouTube.
    let pcap = http_pcap(b"GET / HTTP/1.1\r\nHost: www.youtube.com\r\n\r\n");
    let v: serde_json::Value = c
        .post(format!("{}/api/l7/pcap?router={id}", app.base))
        .header("x-csrf-token", &csrf)
        .body(pcap)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["flows"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["flows"][0]["matched"][0], "youtube", "{v}");
    // The same capture from a browser form (multipart), with the form's CSRF field; a form
    // without the token is refused before the file is read.
    let form = |token: &str| {
        let pcap = http_pcap(b"GET / HTTP/1.1\r\nHost: www.youtube.com\r\n\r\n");
        let mut body = format!(
            "--b0undary\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
             --b0undary\r\nContent-Disposition: form-data; name=\"pcap\"; filename=\"x.pcap\"\r\n\
             Content-Type: application/vnd.tcpdump.pcap\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&pcap);
        body.extend_from_slice(b"\r\n--b0undary--\r\n");
        body
    };
    let r = c
        .post(format!("{}/api/l7/pcap?router={id}", app.base))
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(form(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["flows"][0]["matched"][0], "youtube", "{v}");
    let r = c
        .post(format!("{}/api/l7/pcap?router={id}", app.base))
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(form("forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("{}/api/l7/pcap?router={id}", app.base))
        .header("x-csrf-token", &csrf)
        .body("not a pcap")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    app.noc.shutdown().await;
}

fn http_pcap(payload: &[u8]) -> Vec<u8> {
    use pcap_file::pcap::{PcapPacket, PcapWriter};
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    let mut t = 0;
    for (from_client, data) in [(true, &b""[..]), (false, &b""[..]), (true, payload)] {
        let (src, dst, sp, dp) = if from_client {
            ([192, 168, 88, 10], [142, 250, 1, 1], 50_000, 80)
        } else {
            ([142, 250, 1, 1], [192, 168, 88, 10], 80, 50_000)
        };
        let b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4(src, dst, 64)
            .tcp(sp, dp, 1, 65535);
        let mut buf = Vec::new();
        b.write(&mut buf, data).unwrap();
        t += 1;
        w.write_packet(&PcapPacket::new(
            std::time::Duration::from_millis(t),
            buf.len() as u32,
            &buf,
        ))
        .unwrap();
    }
    w.into_writer()
}
