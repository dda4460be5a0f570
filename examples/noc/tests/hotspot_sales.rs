//! Sales from a RouterOS 6.49 router (the `jul/15/2024` date form): harvested into the
//! database, removed from the router once stored when asked to, and summarised to the alert
//! chat.

mod mon_support;

use mon_support::*;
use noc::routers::hotspot::{self, BatchRequest, ProfileSpec};
use queue_model::hotspot::mikhmon::{ExpiryMode, UserMode};
use tg_notify::fake::FakeTelegram;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_dates_are_harvested_removed_once_stored_and_summarised() {
    let mut c = ros_sim::SimConfig::new();
    c.listen("127.0.0.1:0".parse().unwrap())
        .user("admin")
        .password("router-pass")
        .hosts(2)
        .queues(2)
        .version(ros_sim::Version::new(6, 49, 10));
    let sim = ros_sim::Simulator::start(c).await.unwrap();
    let h = sim.handle();
    let dir = tempfile::tempdir().unwrap();
    let mut file = file_config(sim.addr());
    file.hotspot = "remove_harvested = true\ndaily_summary = \"21:00\"\nutc_offset = \"+07:00\""
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.try_into().ok())
        .expect("[hotspot] settings");
    let app = start_noc(dir.path(), file).await;
    wait_polled(&app).await;
    let router = app.state().hub.routers()[0].clone();
    let store = app.state().store.clone();

    let mut spec = ProfileSpec::new("5rb-2hari");
    spec.price = 5000;
    spec.validity = Some("2d".parse().unwrap());
    spec.mode = ExpiryMode::RemoveAndRecord;
    hotspot::save_profile(&store, &router, "test", &spec)
        .await
        .unwrap();
    let mut req = BatchRequest::new("5rb-2hari", 3);
    req.mode = UserMode::Voucher;
    let g = hotspot::generate(&store, &router, "test", &req, |_| {})
        .await
        .unwrap();
    assert_eq!(g.users.len(), 3);
    for (code, password) in &g.users[..2] {
        h.hotspot_login(code, password, "", "").unwrap();
    }
    let records = h.print("/system/script").unwrap();
    let names: Vec<&String> = records
        .iter()
        .flat_map(|r| r.iter())
        .filter(|(k, _)| k == "name")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names[0].contains('/'), "6.49 writes mar/20/2025: {names:?}");

    let first = hotspot::harvest_and_remove(&store, &router).await.unwrap();
    assert_eq!((first.new, first.known, first.skipped), (2, 0, 0));
    assert!(
        h.print("/system/script").unwrap().is_empty(),
        "stored, then removed"
    );
    let again = hotspot::harvest_sales(&store, &router).await.unwrap();
    assert_eq!(again.new + again.known, 0);
    let d = h.now().date;
    let date = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    let t = store.sales_totals(None, &date, &date).unwrap();
    assert_eq!(
        (t.count, t.total),
        (2, 10_000),
        "the legacy date is stored as {date}"
    );

    // The daily summary reaches the alert chat.
    let tg = FakeTelegram::start().await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), Some(&tg)).await;
    let title = monitor.send_sales_summary(&date);
    assert_eq!(title, format!("Sales {date}: 2 vouchers, Rp 10,000"));
    wait_until("the summary in the chat", 30, || {
        count(&tg, CHAT, "2 vouchers, Rp 10,000") == 1
    })
    .await;
    monitor.shutdown().await;
    app.shutdown().await;
}
