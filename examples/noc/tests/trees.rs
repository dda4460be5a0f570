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
