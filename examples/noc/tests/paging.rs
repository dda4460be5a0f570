//! The alert feed and the audit log show any amount of history, a page at a time, filtered.

mod common;

use common::*;

fn count_in(html: &str, id: &str) -> i64 {
    let marker = format!("id=\"{id}\">");
    let i = html.find(&marker).expect("total shown") + marker.len();
    html[i..].split('<').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_and_audit_are_paged_and_filterable() {
    let app = start().await;
    let store = app.noc.state().store.clone();
    for i in 0..260 {
        let sev = if i % 4 == 0 { "critical" } else { "warning" };
        store
            .fire_alert(
                &format!("test:{i}"),
                None,
                sev,
                &format!("fan {i} slow"),
                "",
                1_000 + i,
            )
            .unwrap();
        store
            .audit("budi", None, "queue.edit", &format!("edited q{i}"), true)
            .unwrap();
    }
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let (s, html) = get_text(&c, &format!("{}/alerts", app.base)).await;
    assert_eq!(s, 200);
    assert!(count_in(&html, "alert-total") >= 260, "nothing cut at 200");
    assert!(
        html.contains("id=\"next-page\""),
        "older alerts a page away"
    );
    let (_, html) = get_text(&c, &format!("{}/alerts?severity=critical&q=fan", app.base)).await;
    assert_eq!(count_in(&html, "alert-total"), 65);
    let (_, html) = get_text(&c, &format!("{}/alerts?severity=critical&page=2", app.base)).await;
    assert!(
        html.contains("page 2 of 2"),
        "{}",
        &html[html.len().saturating_sub(600)..]
    );
    let (_, html) = get_text(&c, &format!("{}/audit?user=budi&q=q25", app.base)).await;
    assert_eq!(count_in(&html, "audit-total"), 11, "q25 and q250..q259");
    let (_, html) = get_text(&c, &format!("{}/audit?page=3", app.base)).await;
    assert!(
        html.contains("page 3 of"),
        "600 entries is more than one page"
    );
    let r = c
        .get(format!("{}/api/alerts?state=open&page=6", app.base))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["page"], 6);
    assert!(v["alerts"].as_array().unwrap().len() <= 50);
    app.noc.shutdown().await;
}
