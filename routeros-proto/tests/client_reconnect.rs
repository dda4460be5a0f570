//! The reconnecting client over a loopback listener.

mod client_support;

use std::time::Duration;

use client_support::{tag, Router};
use futures_util::StreamExt;
use routeros_proto::client::{Config, ReconnectingClient};
use routeros_proto::{Command, Reply};
use tokio::net::TcpListener;

#[tokio::test]
async fn monitor_survives_a_dropped_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = tokio::spawn(async move {
        // First connection: one row, then the router goes away.
        let (io, _) = listener.accept().await.unwrap();
        let mut r = Router::new(io);
        r.accept_login().await;
        let req = r.expect().await;
        assert_eq!(req.command.as_ref(), b"/interface/monitor-traffic");
        r.send(Reply::re().with_attribute("rx", "1").with_tag(tag(&req)))
            .await;
        drop(r);
        // Second connection: the command is issued again.
        let (io, _) = listener.accept().await.unwrap();
        let mut r = Router::new(io);
        r.accept_login().await;
        let req = r.expect().await;
        assert_eq!(req.command.as_ref(), b"/interface/monitor-traffic");
        r.send(Reply::re().with_attribute("rx", "2").with_tag(tag(&req)))
            .await;
        r.send(Reply::done().with_tag(tag(&req))).await;
        // Keep the connection open until the client is done with it.
        while r.recv().await.is_some() {}
    });

    let mut config = Config::new(addr.to_string());
    config.password("pw");
    let mut client = ReconnectingClient::new(config);
    client.min_backoff(Duration::from_millis(1));
    let mut monitor = client.monitor(Command::new("/interface/monitor-traffic"));
    let first = monitor.next().await.unwrap().unwrap();
    assert_eq!(first.get("rx").unwrap(), b"1");
    let gap = monitor.next().await.unwrap().unwrap_err();
    assert!(gap.is_closed(), "{gap}");
    let second = monitor.next().await.unwrap().unwrap();
    assert_eq!(second.get("rx").unwrap(), b"2");
    assert!(monitor.next().await.is_none());
    drop(monitor);
    drop(client);
    router.await.unwrap();
}

#[tokio::test]
async fn gives_up_after_max_attempts_and_never_retries_a_refused_login() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let mut client = ReconnectingClient::new(Config::new(format!("127.0.0.1:{port}")));
    client.min_backoff(Duration::from_millis(1)).max_attempts(3);
    let err = client.client().await.unwrap_err();
    assert!(err.is_connect(), "{err}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = tokio::spawn(async move {
        let (io, _) = listener.accept().await.unwrap();
        let mut r = Router::new(io);
        let login = r.expect().await;
        let mut trap = Reply::trap(None, "invalid user name or password (6)");
        trap.set_tag(login.tag.clone());
        r.send(trap).await;
        // A second attempt would block here forever; the test would time out.
    });
    let client = ReconnectingClient::new(Config::new(addr.to_string()));
    let err = client.client().await.unwrap_err();
    assert!(err.is_login());
    router.await.unwrap();
}
