//! The Queue Tree page and the "share equally" wizard against noc's embedded simulator:
//! preview, apply (admin, audited), the trees carrying traffic, and the shares they give.

mod common;

use common::*;
use queue_model::sim::{TreeFlow, TreeSimulation};
use queue_model::Rate;

fn tree_rate(sim: &ros_sim::SimHandle, name: &str) -> Option<(u64, u64)> {
    let rows = sim.print("/queue/tree").unwrap();
    let row = rows
        .iter()
        .find(|r| r.iter().any(|(k, v)| k == "name" && v.as_str() == name))?;
    let get = |k: &str| -> u64 {
        row.iter()
            .find(|(n, _)| n == k)
            .and_then(|(_, v)| v.as_str().parse().ok())
            .unwrap_or(0)
    };
    Some((get("rate"), get("bytes")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_wizard_previews_applies_and_shares_equally() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("connected", || async {
        app.noc.state().hub.routers()[0].client().is_some()
    })
    .await;
    let (status, html) = get_text(&c, &format!("{}/trees?router={id}", app.base)).await;
    assert_eq!(status, 200);
    assert!(html.contains("No queue tree entries") && html.contains("share-wizard"));
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("router", id.to_string()),
            ("down", "20".into()),
            ("up", "5".into()),
            ("lan", "192.168.88.0/24".into()),
            ("wan", "ether1".into()),
            ("lan_interface", "bridge".into()),
            ("parent", "global".into()),
        ]
    };
    // Without the CSRF token nothing happens.
    let r = c
        .post(format!("{}/trees/share/apply", app.base))
        .form(&form("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A bad rate is refused with the reason.
    let mut bad = form(&csrf);
    bad[2].1 = "lots".into();
    let r = c
        .post(format!("{}/trees/share/apply", app.base))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("not a number of Mbps"));
    assert!(sim.print("/queue/tree").unwrap().is_empty());

    let r = c
        .post(format!("{}/trees/share", app.base))
        .form(&form(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for cmd in [
        // Slashes are escaped in the page (`&#x2f;`).
        "ip firewall mangle add action=mark-connection chain=forward",
        "place-before=[find comment=video]",
        "queue type add kind=pcq name=share-pcq-down pcq-classifier=dst-address",
        "queue tree add comment=&quot;share equally&quot; max-limit=20M name=share-down",
    ] {
        assert!(html.contains(cmd), "{cmd} in {html}");
    }
    let r = c
        .post(format!("{}/trees/share/apply", app.base))
        .form(&form(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], format!("/trees?router={id}"));

    // Planned again: nothing to do.
    let html = c
        .post(format!("{}/trees/share", app.base))
        .form(&form(&csrf))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("nothing to do"), "{html}");
    let (_, audit) = get_text(&c, &format!("{}/audit", app.base)).await;
    assert!(audit.contains("tree.share"), "{audit}");

    // The trees carry the simulated LAN's traffic within their limits.
    for _ in 0..60 {
        sim.tick(1);
        let (down, _) = tree_rate(&sim, "share-down").unwrap();
        let (up, _) = tree_rate(&sim, "share-up").unwrap();
        assert!(down <= 22_000_000 && up <= 5_500_000, "{down} {up}");
    }
    let (_, down_bytes) = tree_rate(&sim, "share-down").unwrap();
    let (_, up_bytes) = tree_rate(&sim, "share-up").unwrap();
    assert!(down_bytes > 0 && up_bytes > 0, "{down_bytes} {up_bytes}");
    eventually("the page shows the trees", || async {
        let (_, html) = get_text(&c, &format!("{}/trees?router={id}", app.base)).await;
        html.contains("share-down") && html.contains("share-pcq-up")
    })
    .await;

    // What the router now has, run with five busy users and one light one: the light one
    // gets what it asks, the busy ones an equal share of the rest (within 1%).
    let client = app.noc.state().hub.routers()[0].client().unwrap();
    let applied = noc::routers::changes::current_trees(&client).await.unwrap();
    let flows: Vec<TreeFlow> = (10..16)
        .map(|n| TreeFlow::new("share-down", format!("192.168.88.{n}")))
        .collect();
    let mut ts = TreeSimulation::new(&applied, "global", Rate(500_000_000), &flows).unwrap();
    let offered = [
        50_000_000, 50_000_000, 50_000_000, 50_000_000, 50_000_000, 1_000_000,
    ];
    let mut rates = Vec::new();
    for _ in 0..20 {
        rates = ts.step(0.5, &offered).unwrap().to_vec();
    }
    assert!(rates[5].abs_diff(1_000_000) <= 10_000, "{rates:?}");
    for r in &rates[..5] {
        assert!(r.abs_diff(3_800_000) <= 38_000, "{rates:?}");
    }
    app.noc.shutdown().await;
}

/// The queue tree entries the simulator has, by name: `(max-limit, packet-mark)`.
fn sim_tree(sim: &ros_sim::SimHandle, name: &str) -> Option<(String, String)> {
    let rows = sim.print("/queue/tree").unwrap();
    let row = rows
        .iter()
        .find(|r| r.iter().any(|(k, v)| k == "name" && v.as_str() == name))?;
    let get = |k: &str| -> String {
        row.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str().to_owned())
            .unwrap_or_default()
    };
    Some((get("max-limit"), get("packet-mark")))
}

fn tree_form(csrf: &str, id: i64, original: &str, mark: &str, max: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf),
        ("router", &id.to_string()),
        ("original", original),
        ("name", "t-video"),
        ("parent", "global"),
        ("packet_mark", mark),
        ("queue", "default-small"),
        ("limit_at", ""),
        ("max_limit", max),
        ("priority", "8"),
        ("burst_limit", ""),
        ("burst_threshold", ""),
        ("burst_time", ""),
        ("comment", "video at night"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// The text of the checks list shown beside `field` in an editor page.
fn checks_beside<'a>(html: &'a str, field: &str) -> &'a str {
    let marker = format!("data-checks-for=\"{field}\">");
    let i = html.find(&marker).expect("checks list") + marker.len();
    let rest = &html[i..];
    &rest[..rest.find("</ul>").unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_editor_previews_lints_applies_and_removes() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("connected", || async {
        app.noc.state().hub.routers()[0].client().is_some()
    })
    .await;
    let (status, html) = get_text(&c, &format!("{}/trees/edit?router={id}", app.base)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Add a queue tree entry"), "{html}");

    // A packet mark no mangle rule produces: the preview shows the plan and the lint beside
    // the packet-mark field; nothing reaches the router.
    let r = c
        .post(format!("{}/trees/edit", app.base))
        .form(&tree_form(&csrf, id, "", "nobody-sets-this", "10M"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("queue tree add comment=&quot;video at night&quot; max-limit=10M name=t-video packet-mark=nobody-sets-this parent=global"),
        "{html}"
    );
    let beside = checks_beside(&html, "packet_mark");
    assert!(
        beside.contains("tree-packet-mark-never-set") && beside.contains("nobody-sets-this"),
        "{beside}"
    );
    assert!(checks_beside(&html, "max_limit").is_empty());
    assert!(sim_tree(&sim, "t-video").is_none());

    // A field error is shown beside its field, and apply refuses it.
    let bad = tree_form(&csrf, id, "", "video", "lots");
    let r = c
        .post(format!("{}/trees/edit/apply", app.base))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-error-for=\"max_limit\">")
            && !html.contains("data-error-for=\"max_limit\"></span>"),
        "{html}"
    );
    assert!(sim_tree(&sim, "t-video").is_none());

    // Apply: the router has it, the audit log says who did it.
    let r = c
        .post(format!("{}/trees/edit/apply", app.base))
        .form(&tree_form(&csrf, id, "", "video", "10M"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(sim_tree(&sim, "t-video").unwrap().1, "video");
    eventually("the page lists the new entry", || async {
        let (_, html) = get_text(&c, &format!("{}/trees?router={id}", app.base)).await;
        html.contains("data-name=\"t-video\"")
    })
    .await;

    // Edit: the form shows what the router has, the change is one `set`.
    let (status, html) = get_text(
        &c,
        &format!("{}/trees/edit?router={id}&name=t-video", app.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"10M\""), "{html}");
    let r = c
        .post(format!("{}/trees/edit", app.base))
        .form(&tree_form(&csrf, id, "t-video", "video", "20M"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("queue tree set"), "{html}");
    let r = c
        .post(format!("{}/trees/edit/apply", app.base))
        .form(&tree_form(&csrf, id, "t-video", "video", "20M"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let max = sim_tree(&sim, "t-video").unwrap().0;
    assert!(max == "20M" || max == "20000000", "{max}");

    // Remove, previewed first.
    let (status, html) = get_text(
        &c,
        &format!("{}/trees/edit?router={id}&name=t-video&remove=on", app.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("queue tree remove"), "{html}");
    let r = c
        .post(format!("{}/trees/edit/apply", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("original", "t-video"),
            ("remove", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert!(sim_tree(&sim, "t-video").is_none());
    let (_, audit) = get_text(&c, &format!("{}/audit", app.base)).await;
    for action in ["tree.add", "tree.edit", "tree.remove"] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_users_cannot_edit_trees() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let admin = client();
    let csrf = login_ok(&app, &admin, "admin", ADMIN_PASSWORD).await;
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
    assert!(r.status().is_redirection(), "{}", r.status());
    let id = router_id(&app);
    eventually("connected", || async {
        app.noc.state().hub.routers()[0].client().is_some()
    })
    .await;
    let viewer = client();
    let vcsrf = login_ok(&app, &viewer, "viewer", "viewer-pass").await;
    let (_, html) = get_text(&viewer, &format!("{}/trees?router={id}", app.base)).await;
    assert!(!html.contains("/trees/edit"), "no edit controls: {html}");
    let (status, _) = get_text(&viewer, &format!("{}/trees/edit?router={id}", app.base)).await;
    assert_eq!(status, 403);
    for path in ["/trees/edit", "/trees/edit/apply"] {
        let r = viewer
            .post(format!("{}{path}", app.base))
            .form(&tree_form(&vcsrf, id, "", "video", "10M"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    assert!(sim_tree(&sim, "t-video").is_none());
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_history_has_samples_and_sse_carries_added_trees() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("connected", || async {
        app.noc.state().hub.routers()[0].client().is_some()
    })
    .await;
    let mut events = c
        .get(format!("{}/events/trees?router={id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!String::from_utf8_lossy(&first).contains("sse-tree"));

    // Added on the router (not through noc): the open stream carries it after a poll.
    sim.add(
        "/queue/tree",
        &[
            ("name", "sse-tree"),
            ("parent", "global"),
            ("packet-mark", "video"),
            ("max-limit", "5M"),
        ],
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = false;
    while std::time::Instant::now() < deadline && !seen {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen = String::from_utf8_lossy(&chunk).contains("\"name\":\"sse-tree\"");
    }
    assert!(seen, "the stream carries the new tree");

    // A few polls later the tree has rate history, and its page shows the chart.
    let url = format!(
        "{}/api/history?router={id}&kind=tree&name=sse-tree&range=minute",
        app.base
    );
    eventually("tree history", || async {
        let (status, body) = get_text(&c, &url).await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        status == 200 && v["points"].as_array().is_some_and(|p| p.len() >= 3)
    })
    .await;
    let (status, html) =
        get_text(&c, &format!("{}/tree?router={id}&name=sse-tree", app.base)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("history-chart") && html.contains("data-name=\"sse-tree\""),
        "{html}"
    );
    // The queue history of the same name stays apart.
    let (_, body) = get_text(
        &c,
        &format!(
            "{}/api/history?router={id}&kind=queue&name=sse-tree&range=minute",
            app.base
        ),
    )
    .await;
    assert!(body.contains("\"points\":[]"), "{body}");

    // Removed on the router: it leaves the stream.
    let rid = sim
        .print("/queue/tree")
        .unwrap()
        .iter()
        .find(|r| {
            r.iter()
                .any(|(k, v)| k == "name" && v.as_str() == "sse-tree")
        })
        .and_then(|r| {
            r.iter()
                .find(|(k, _)| k == ".id")
                .map(|(_, v)| v.as_str().to_owned())
        })
        .unwrap();
    sim.remove("/queue/tree", &rid).unwrap();
    let mut gone = false;
    while std::time::Instant::now() < deadline + std::time::Duration::from_secs(10) && !gone {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let s = String::from_utf8_lossy(&chunk);
        gone = s.contains("\"trees\":") && !s.contains("sse-tree");
    }
    assert!(gone, "the stream drops the removed tree");
    drop(events);
    app.noc.shutdown().await;
}
