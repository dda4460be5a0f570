//! PPP menus and simulated PPPoE sessions: built-in profiles, counters on the session's
//! interface and queue, and clients that redial with the secret's profile of the moment
//! (how billing isolation is tested).

mod common;

use common::{attr, rows, sim, Conn};
use ros_sim::{Error, Row, SimHandle, Version};

fn get<'a>(row: &'a Row, name: &str) -> &'a str {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn find(h: &SimHandle, path: &str, name: &str, value: &str) -> Option<Row> {
    h.print(path)
        .unwrap()
        .into_iter()
        .find(|r| get(r, name) == value)
}

fn active(h: &SimHandle) -> Vec<Row> {
    h.print("/ppp/active").unwrap()
}

async fn isp(version: &str, redial: u64) -> ros_sim::RunningSim {
    let version: Version = version.parse().unwrap();
    let sim = sim(move |c| {
        c.version(version)
            .hosts(2)
            .queues(2)
            .ppp_redial_after(redial)
            .clock("2024-07-15 10:00:00".parse().unwrap());
    })
    .await;
    let h = sim.handle();
    h.add(
        "/ppp/profile",
        &[
            ("name", "10M"),
            ("rate-limit", "5M/10M"),
            ("local-address", "10.10.0.1"),
        ],
    )
    .unwrap();
    h.add(
        "/ppp/profile",
        &[
            ("name", "isolir"),
            ("rate-limit", "128k/128k"),
            ("address-list", "isolir"),
        ],
    )
    .unwrap();
    h.add(
        "/ppp/secret",
        &[
            ("name", "budi"),
            ("password", "s3cret"),
            ("service", "pppoe"),
            ("profile", "10M"),
        ],
    )
    .unwrap();
    sim
}

#[tokio::test]
async fn builtin_profiles() {
    let sim = isp("7.18.2", 5).await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c.call(&["/ppp/profile/print"]).await;
    let r = rows(&r);
    assert_eq!(attr(r[0], ".id"), "*0");
    assert_eq!(attr(r[0], "name"), "default");
    assert_eq!(attr(r[0], "default"), "true");
    assert_eq!(attr(r[r.len() - 1], ".id"), "*FFFFFFFE");
    assert_eq!(attr(r[r.len() - 1], "name"), "default-encryption");
    assert_eq!(attr(r[r.len() - 1], "use-encryption"), "yes");
    assert_eq!(attr(r[1], "default"), "false");
    let t = c.call(&["/ppp/profile/remove", "=.id=*FFFFFFFE"]).await;
    assert!(t[0].trap_info().is_some());
    let t = c
        .call(&["/ppp/secret/add", "=name=x", "=profile=missing"])
        .await;
    assert_eq!(
        t[0].trap_info().unwrap().message,
        "input does not match any value of profile"
    );
    let t = c
        .call(&["/ppp/secret/add", "=name=x", "=service=ftp"])
        .await;
    assert_eq!(
        t[0].trap_info().unwrap().message,
        "input does not match any value of service"
    );
}

#[tokio::test]
async fn a_session_counts_and_carries_its_profile() {
    let sim = isp("7.18.2", 5).await;
    let h = sim.handle();
    let id = h
        .ppp_connect("budi", "s3cret", "aa:bb:cc:dd:ee:01")
        .unwrap();
    h.tick(30);
    let a = &active(&h)[0];
    assert_eq!(get(a, ".id"), id);
    assert_eq!(get(a, "name"), "budi");
    assert_eq!(get(a, "service"), "pppoe");
    assert_eq!(get(a, "caller-id"), "AA:BB:CC:DD:EE:01");
    assert_eq!(get(a, "address"), "10.10.0.2");
    assert_eq!(get(a, "uptime"), "30s");
    assert_eq!(get(a, "radius"), "false");
    assert!(get(a, "session-id").starts_with("0x81"), "{a:?}");
    let iface = find(&h, "/interface", "name", "<pppoe-budi>").unwrap();
    assert_eq!(get(&iface, "type"), "pppoe-in");
    assert_eq!(get(&iface, "dynamic"), "true");
    let rx: u64 = get(&iface, "rx-byte").parse().unwrap();
    let tx: u64 = get(&iface, "tx-byte").parse().unwrap();
    assert!(rx > 0 && tx > rx, "{iface:?}");
    let q = find(&h, "/queue/simple", "name", "<pppoe-budi>").unwrap();
    assert_eq!(get(&q, "max-limit"), "5000000/10000000");
    assert_eq!(get(&q, "target"), "<pppoe-budi>");
    assert_eq!(get(&q, "dynamic"), "true");
    assert!(get(&q, "bytes") != "0/0", "{q:?}");
    // The static queues are still the operator's, and still shaped.
    assert_eq!(
        get(&h.print("/queue/simple").unwrap()[0], "dynamic"),
        "false"
    );
    let log = h.print("/log").unwrap();
    assert!(log
        .iter()
        .any(|r| get(r, "message") == "budi logged in, 10.10.0.2 from AA:BB:CC:DD:EE:01"));

    // Refusals.
    let e = h
        .ppp_connect("budi", "wrong", "AA:BB:CC:DD:EE:02")
        .unwrap_err();
    assert!(
        matches!(&e, Error::Refused { message } if message == "user budi authentication failed"),
        "{e:?}"
    );
    assert!(h.ppp_connect("nobody", "x", "").is_err());
    h.set("/ppp/secret", "budi", &[("caller-id", "AA:BB:CC:DD:EE:01")])
        .unwrap();
    assert!(h
        .ppp_connect("budi", "s3cret", "AA:BB:CC:DD:EE:03")
        .is_err());
    assert_eq!(active(&h).len(), 1);
}

#[tokio::test]
async fn removed_session_redials_with_the_secrets_new_profile() {
    let sim = isp("7.18.2", 5).await;
    let h = sim.handle();
    h.ppp_connect("budi", "s3cret", "AA:BB:CC:DD:EE:01")
        .unwrap();
    h.tick(10);
    // Isolation as billing apps do it: swap the profile, kick the session.
    h.set("/ppp/secret", "budi", &[("profile", "isolir")])
        .unwrap();
    let mut c = Conn::login(sim.addr()).await;
    let id = get(&active(&h)[0], ".id").to_owned();
    let r = c.call(&["/ppp/active/remove", &format!("=.id={id}")]).await;
    assert!(r[0].trap_info().is_none(), "{r:?}");
    assert!(active(&h).is_empty());
    assert!(find(&h, "/interface", "name", "<pppoe-budi>").is_none());
    assert!(find(&h, "/queue/simple", "name", "<pppoe-budi>").is_none());
    let secret = find(&h, "/ppp/secret", "name", "budi").unwrap();
    assert_eq!(get(&secret, "last-logged-out"), "2024-07-15 10:00:10");
    assert_eq!(get(&secret, "last-caller-id"), "AA:BB:CC:DD:EE:01");
    assert_eq!(get(&secret, "last-disconnect-reason"), "nas-request");

    h.tick(4);
    assert!(active(&h).is_empty(), "redials after 5 s, not before");
    h.tick(1);
    let a = active(&h);
    assert_eq!(a.len(), 1);
    assert_eq!(get(&a[0], "uptime"), "0s");
    let q = find(&h, "/queue/simple", "name", "<pppoe-budi>").unwrap();
    assert_eq!(get(&q, "max-limit"), "128000/128000");
    let list = find(&h, "/ip/firewall/address-list", "list", "isolir").unwrap();
    assert_eq!(get(&list, "address"), get(&a[0], "address"));
    assert_eq!(get(&list, "dynamic"), "true");

    // Paid: back to the package, kicked again, redialled again.
    h.set("/ppp/secret", "budi", &[("profile", "10M")]).unwrap();
    h.remove("/ppp/active", get(&a[0], ".id")).unwrap();
    assert!(find(&h, "/ip/firewall/address-list", "list", "isolir").is_none());
    h.tick(5);
    let q = find(&h, "/queue/simple", "name", "<pppoe-budi>").unwrap();
    assert_eq!(get(&q, "max-limit"), "5000000/10000000");
}

#[tokio::test]
async fn disabled_secrets_are_not_redialled_until_enabled() {
    let sim = isp("6.49.10", 3).await;
    let h = sim.handle();
    h.ppp_connect("budi", "s3cret", "AA:BB:CC:DD:EE:01")
        .unwrap();
    h.set("/ppp/secret", "budi", &[("disabled", "yes")])
        .unwrap();
    // Disabling alone keeps the live session.
    h.tick(2);
    assert_eq!(active(&h).len(), 1);
    let id = get(&active(&h)[0], ".id").to_owned();
    h.remove("/ppp/active", &id).unwrap();
    h.tick(30);
    assert!(active(&h).is_empty());
    let log = h.print("/log").unwrap();
    assert!(
        log.iter()
            .any(|r| get(r, "message")
                == "<pppoe-AA:BB:CC:DD:EE:01>: user budi authentication failed")
    );
    // 6.x secrets keep no logout record.
    let secret = find(&h, "/ppp/secret", "name", "budi").unwrap();
    assert!(
        !secret.iter().any(|(n, _)| n == "last-logged-out"),
        "{secret:?}"
    );
    h.set("/ppp/secret", "budi", &[("disabled", "no")]).unwrap();
    h.tick(3);
    assert_eq!(active(&h).len(), 1);
}

#[tokio::test]
async fn hanging_up_stops_the_client_and_sim_commands() {
    let sim = isp("7.18.2", 5).await;
    let h = sim.handle();
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&[
            "/sim/ppp/connect",
            "=name=budi",
            "=password=s3cret",
            "=caller-id=AA:BB:CC:DD:EE:05",
        ])
        .await;
    assert!(r[0].ret().is_some(), "{r:?}");
    let r = c.call(&["/ppp/active/print"]).await;
    assert_eq!(attr(&r[0], "caller-id"), "AA:BB:CC:DD:EE:05");
    let r = c.call(&["/sim/ppp/disconnect", "=name=budi"]).await;
    assert!(r[0].trap_info().is_none(), "{r:?}");
    h.tick(20);
    assert!(active(&h).is_empty());
    let secret = find(&h, "/ppp/secret", "name", "budi").unwrap();
    assert_eq!(get(&secret, "last-disconnect-reason"), "peer-request");
    let r = c.call(&["/sim/ppp/disconnect", "=name=budi"]).await;
    assert_eq!(r[0].trap_info().unwrap().message, "no such item");
    let r = c
        .call(&["/sim/ppp/connect", "=name=budi", "=password=nope"])
        .await;
    assert_eq!(
        r[0].trap_info().unwrap().message,
        "user budi authentication failed"
    );
}

#[tokio::test]
async fn only_one_and_the_session_cap() {
    let sim = sim(|c| {
        c.hosts(0).queues(0).max_sessions(2);
    })
    .await;
    let h = sim.handle();
    h.set("/ppp/profile", "*0", &[("only-one", "yes")]).unwrap();
    h.add("/ppp/secret", &[("name", "a"), ("password", "p")])
        .unwrap();
    h.add("/ppp/profile", &[("name", "shared"), ("only-one", "no")])
        .unwrap();
    h.add(
        "/ppp/secret",
        &[("name", "b"), ("password", "p"), ("profile", "shared")],
    )
    .unwrap();
    h.ppp_connect("a", "p", "").unwrap();
    assert!(h.ppp_connect("a", "p", "").is_err());
    h.ppp_connect("b", "p", "").unwrap();
    let e = h.ppp_connect("b", "p", "").unwrap_err();
    assert!(
        matches!(&e, Error::Refused { message } if message == "session limit reached (2)"),
        "{e:?}"
    );
    // A second session of one name gets its own interface.
    h.ppp_disconnect("a").unwrap();
    h.ppp_connect("b", "p", "").unwrap();
    assert!(find(&h, "/interface", "name", "<pppoe-b-1>").is_some());
}
