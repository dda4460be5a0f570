//! A router that does not answer is never shown as live: the overview says since when it has
//! not answered (or that it was never reached) and greys its last values; `/healthz` gives
//! each router's state and reason.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_that_does_not_answer_is_marked_not_live() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let file: noc::FileConfig = format!(
        "[[router]]\nname = \"gone\"\naddress = \"127.0.0.1\"\nport = {port}\nuser = \"admin\"\npassword = \"x\"\n"
    )
    .parse()
    .unwrap();
    let app = start_with(|o| {
        o.file_config(file);
    })
    .await;
    eventually("the router marked down", || async {
        app.noc.state().hub.routers()[0].live().status.as_str() == "down"
    })
    .await;
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let (status, html) = get_text(&c, &format!("{}/", app.base)).await;
    assert_eq!(status, 200);
    assert!(html.contains("class=\"card router stale\""), "{html}");
    assert!(html.contains("Not live: never reached yet."), "{html}");
    let (status, body) = get_text(&c, &format!("{}/healthz", app.base)).await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let r = &v["routers"][0];
    assert_eq!(r["name"], "gone");
    assert_eq!(r["status"], "down");
    assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(r["last_ok"].is_null());
    let (_, live) = get_text(&c, &format!("{}/api/overview", app.base)).await;
    let v: serde_json::Value = serde_json::from_str(&live).unwrap();
    assert_eq!(v["routers"][0]["stale"], true);
    app.noc.shutdown().await;
}
