//! Hotspot in chat: `/voucher` makes codes for operators and admins only, `/hotspot` lists
//! who is logged in, `/sales` totals the day.

mod common;

use common::*;
use noc::auth::Role;
use noc::chat::{Caller, ChatOps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_sales_and_sessions_from_chat() {
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let id = router_id(&app);
    let router = app.noc.state().hub.router(id).unwrap();
    let mut p = noc::routers::hotspot::ProfileSpec::new("2rb");
    p.price = 2000;
    p.validity = Some("12h".parse().unwrap());
    noc::routers::hotspot::save_profile(&app.noc.state().store, &router, "test", &p)
        .await
        .unwrap();
    let ops = ChatOps::new(
        app.noc.state().clone(),
        noc::storage::TgStore::in_memory().unwrap(),
        Vec::new(),
    );
    let viewer = Caller::new("telegram:1", Role::ReadOnly);
    let kasir = Caller::new("telegram:2", Role::Operator);
    let r = ops.handle(&viewer, "/voucher 2rb 3").await.unwrap();
    assert!(r.contains("needs an operator"), "{r}");
    let r = ops.handle(&kasir, "/voucher 2rb 3").await.unwrap();
    assert!(r.contains("3 × 2rb"), "{r}");
    let codes: Vec<String> = r
        .split("<pre>")
        .nth(1)
        .unwrap()
        .split("</pre>")
        .next()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 3);
    let r = ops.handle(&kasir, "/voucher 2rb 500").await.unwrap();
    assert!(
        r.starts_with("Usage: /voucher"),
        "a chat batch is small: {r}"
    );
    sim.hotspot_login(&codes[0], &codes[0], "", "").unwrap();
    let r = ops.handle(&viewer, "/hotspot").await.unwrap();
    assert!(r.contains("1 logged in") && r.contains(&codes[0]), "{r}");
    // Sales carry the router's dates: "today" is the router's day.
    let r = ops.handle(&viewer, "/sales today").await.unwrap();
    assert!(r.contains("1 vouchers, Rp 2000"), "{r}");
    let r = ops.handle(&viewer, "/sales month").await.unwrap();
    assert!(
        r.contains("Sales this month") && r.contains("Rp 2000"),
        "{r}"
    );
    app.noc.shutdown().await;
}
