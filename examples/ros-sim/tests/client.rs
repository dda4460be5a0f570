//! The simulator driven by routeros-proto's async client, over TCP and TLS.

use futures_util::StreamExt;
use ros_sim::{SimConfig, Simulator};
use routeros_proto::client::{Config, Fingerprint, TlsConfig};
use routeros_proto::{Command, Query};

async fn start(setup: impl FnOnce(&mut SimConfig)) -> ros_sim::RunningSim {
    let mut config = SimConfig::new();
    config
        .listen("127.0.0.1:0".parse().unwrap())
        .tick_interval(None)
        .password("pw");
    setup(&mut config);
    Simulator::start(config).await.unwrap()
}

fn client_config(addr: &str) -> Config {
    let mut c = Config::new(addr);
    c.user("admin").password("pw");
    c
}

#[tokio::test]
async fn print_add_and_traps_through_the_client() {
    let sim = start(|c| {
        c.queues(3).hosts(3);
    })
    .await;
    let client = client_config(&sim.addr().to_string())
        .connect()
        .await
        .unwrap();
    let rows = client
        .print(
            Command::builder("/interface/print")
                .query(&Query::eq("type", "ether").and(Query::eq("running", "true")))
                .proplist(["name"])
                .build(),
        )
        .await
        .unwrap();
    let names: Vec<_> = rows
        .iter()
        .map(|r| r.get_string_lossy("name").unwrap())
        .collect();
    assert_eq!(names, ["ether1", "ether2"]);
    let r = client
        .execute(
            Command::builder("/queue/simple/add")
                .attribute("name", "cam")
                .attribute("target", "192.168.88.60/32")
                .build(),
        )
        .await
        .unwrap();
    assert!(r.ret_lossy().unwrap().starts_with('*'));
    let err = client
        .execute(
            Command::builder("/queue/simple/add")
                .attribute("name", "cam")
                .attribute("target", "192.168.88.61/32")
                .build(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.trap().unwrap().message,
        "failure: already have such name"
    );
    // An empty print is an empty result, whatever the client makes of `!empty`.
    let none = client
        .print(
            Command::builder("/queue/simple/print")
                .query(&Query::eq("name", "zzz"))
                .build(),
        )
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn streams_and_cancel_through_the_client() {
    let sim = start(|_| {}).await;
    let h = sim.handle();
    let client = client_config(&sim.addr().to_string())
        .connect()
        .await
        .unwrap();
    let mut follow = client
        .stream(
            Command::builder("/log/print")
                .attribute("follow-only", "")
                .build(),
        )
        .await
        .unwrap();
    // Make sure the follow is registered before the line is written.
    client
        .print(Command::new("/system/identity/print"))
        .await
        .unwrap();
    h.log("system,critical", "power supply failed");
    let row = follow.next().await.unwrap().unwrap();
    assert_eq!(
        row.get_string_lossy("message").unwrap(),
        "power supply failed"
    );
    follow.cancel().await.unwrap();
    // The connection is still usable after the cancel.
    let res = client
        .print(Command::new("/system/resource/print"))
        .await
        .unwrap();
    assert_eq!(
        res[0].get_string_lossy("version").unwrap(),
        "7.18.2 (stable)"
    );
    assert!(!client.is_closed());
}

#[tokio::test]
async fn api_ssl_with_a_pinned_certificate() {
    let certified = rcgen::generate_simple_self_signed(vec!["router.lan".into()]).unwrap();
    let fp = Fingerprint::of_der(certified.cert.der());
    let cert_pem = certified.cert.pem().into_bytes();
    let key_pem = certified.key_pair.serialize_pem().into_bytes();
    let sim = start(|c| {
        c.tls("127.0.0.1:0".parse().unwrap(), cert_pem, key_pem);
    })
    .await;
    let tls_addr = sim.tls_addr().unwrap();
    let mut config = client_config(&tls_addr.to_string());
    config.tls(TlsConfig::fingerprint(fp));
    let client = config.connect().await.unwrap();
    let rows = client
        .print(Command::new("/system/identity/print"))
        .await
        .unwrap();
    assert_eq!(rows[0].get_string_lossy("name").unwrap(), "MikroTik");
}
