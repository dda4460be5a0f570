//! A router that goes away shows as down without holding up the dashboard, and the poller
//! reconnects by itself when it comes back.

mod common;

use common::*;

async fn sim_on(addr: std::net::SocketAddr) -> ros_sim::RunningSim {
    let mut c = ros_sim::SimConfig::new();
    c.listen(addr).password("router-pass").queues(3).hosts(3);
    ros_sim::Simulator::start(c).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poller_reports_down_and_reconnects() {
    let sim = sim_on("127.0.0.1:0".parse().unwrap()).await;
    let addr = sim.addr();
    let file: noc::FileConfig = format!(
        "[[router]]\nname = 'edge'\naddress = '127.0.0.1'\nport = {}\nuser = 'admin'\npassword = 'router-pass'\n\
         [[router]]\nname = 'wrong-password'\naddress = '127.0.0.1'\nport = {}\nuser = 'admin'\npassword = 'nope'\n",
        addr.port(),
        addr.port()
    )
    .parse()
    .unwrap();
    let app = start_with(|o| {
        o.file_config(file);
    })
    .await;
    assert!(
        app.noc.simulator().is_none(),
        "routers configured: no embedded simulator"
    );
    let hub = app.noc.state().hub.clone();
    let edge = hub
        .routers()
        .into_iter()
        .find(|r| r.name == "edge")
        .unwrap();
    let wrong = hub
        .routers()
        .into_iter()
        .find(|r| r.name == "wrong-password")
        .unwrap();
    eventually("edge up", || async {
        edge.live().status.as_str() == "up" && edge.live().queues.len() == 3
    })
    .await;
    eventually("login failure reported", || async {
        matches!(&wrong.live().status, noc::routers::Status::Down(r) if r.contains("login"))
    })
    .await;

    sim.shutdown().await;
    eventually("edge down", || async {
        edge.live().status.as_str() != "up"
    })
    .await;
    // Pages still answer while a router is down.
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let (s, body) = get_text(&c, &format!("{}/", app.base)).await;
    assert_eq!(s, 200);
    assert!(body.contains("edge"));

    let sim = sim_on(addr).await;
    eventually("edge reconnected", || async {
        edge.live().status.as_str() == "up"
    })
    .await;
    assert!(edge.live().connects >= 2);
    sim.shutdown().await;
    app.noc.shutdown().await;
}
