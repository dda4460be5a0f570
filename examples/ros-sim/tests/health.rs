//! Network health as the router measures it, read over the API with the real codec: pings to
//! simulated hosts and targets (loss, latency, a dead uplink), netwatch following a host, WAN
//! counters and a reboot, ARP and DHCP entries of hosts, the public address.

mod common;

use std::time::Duration;

use common::{attr, rows, sim, Conn};
use ros_sim::{Reachability, SimHandle};
use routeros_proto::{Reply, ReplyKind};

/// Sends a `/ping` and collects its replies, ticking the simulated clock after each probe so
/// that the next one goes out (as a second passing on a real router).
async fn ping(c: &mut Conn, h: &SimHandle, words: &[&str]) -> Vec<Reply> {
    let mut cmd = vec!["/ping"];
    cmd.extend_from_slice(words);
    c.send(&cmd).await;
    let mut out = Vec::new();
    loop {
        let r = c.next().await.expect("reply");
        let kind = r.kind().clone();
        out.push(r);
        match kind {
            ReplyKind::Re => h.tick(1),
            _ => break,
        }
    }
    out
}

fn trap_message(replies: &[Reply]) -> String {
    replies
        .iter()
        .find_map(|r| r.trap_info().map(|t| t.message.clone()))
        .unwrap_or_default()
}

async fn router() -> (ros_sim::RunningSim, Conn, SimHandle) {
    let sim = sim(|c| {
        c.hosts(0)
            .queues(0)
            .clock("2025-03-20 08:00:00".parse().unwrap());
    })
    .await;
    let c = Conn::login(sim.addr()).await;
    let h = sim.handle();
    (sim, c, h)
}

#[tokio::test]
async fn ping_an_up_host_streams_one_reply_per_probe() {
    let (_sim, mut c, h) = router().await;
    let r = c
        .call(&[
            "/sim/host/add",
            "=address=192.168.88.20",
            "=mac-address=02:00:00:00:00:20",
            "=host-name=cpe-20",
        ])
        .await;
    assert_eq!(r[0].ret(), Some(&b"192.168.88.20"[..]), "{r:?}");
    let r = ping(&mut c, &h, &["=address=192.168.88.20", "=count=3"]).await;
    let re = rows(&r);
    assert_eq!(re.len(), 3, "{r:?}");
    assert_eq!(r.last().unwrap().kind(), &ReplyKind::Done);
    for (i, p) in re.iter().enumerate() {
        assert_eq!(attr(p, "seq"), i.to_string());
        assert_eq!(attr(p, "host"), "192.168.88.20");
        assert_eq!(attr(p, "time"), "1ms");
        assert_eq!(attr(p, "size"), "56");
        assert_eq!(attr(p, "sent"), (i + 1).to_string());
        assert_eq!(attr(p, "received"), (i + 1).to_string());
        assert_eq!(attr(p, "packet-loss"), "0");
    }
    assert_eq!(attr(re[2], "avg-rtt"), "1ms");
    // The router answers for itself, with src-address and interface given.
    let r = ping(
        &mut c,
        &h,
        &[
            "=address=192.168.88.1",
            "=count=1",
            "=src-address=192.168.88.1",
            "=interface=bridge",
        ],
    )
    .await;
    assert_eq!(attr(&r[0], "received"), "1", "{r:?}");
}

#[tokio::test]
async fn ping_a_down_host_times_out() {
    let (_sim, mut c, h) = router().await;
    h.add_host("192.168.88.21", "02:00:00:00:00:21", None)
        .unwrap();
    h.set_host("192.168.88.21", Reachability::down()).unwrap();
    let r = ping(&mut c, &h, &["=address=192.168.88.21", "=count=4"]).await;
    let re = rows(&r);
    assert_eq!(re.len(), 4);
    assert!(re.iter().all(|p| attr(p, "status") == "timeout"), "{r:?}");
    assert_eq!(attr(re[3], "sent"), "4");
    assert_eq!(attr(re[3], "received"), "0");
    assert_eq!(attr(re[3], "packet-loss"), "100");
    assert_eq!(attr(re[3], "avg-rtt"), "");
    // An address nobody has on the LAN does not answer either.
    let r = ping(&mut c, &h, &["=address=192.168.88.99", "=count=1"]).await;
    assert_eq!(attr(&r[0], "status"), "timeout");
}

#[tokio::test]
async fn thirty_percent_loss_loses_exactly_three_of_ten() {
    let (_sim, mut c, h) = router().await;
    h.add_host("192.168.88.22", "02:00:00:00:00:22", Some("ap-1"))
        .unwrap();
    let r = c
        .call(&["/sim/host/set", "=address=192.168.88.22", "=loss=30"])
        .await;
    assert_eq!(r[0].kind(), &ReplyKind::Done, "{r:?}");
    let r = ping(&mut c, &h, &["=address=192.168.88.22", "=count=10"]).await;
    let re = rows(&r);
    let lost: Vec<String> = re
        .iter()
        .filter(|p| attr(p, "status") == "timeout")
        .map(|p| attr(p, "seq"))
        .collect();
    assert_eq!(lost, ["3", "6", "9"]);
    assert_eq!(attr(re[9], "received"), "7");
    assert_eq!(attr(re[9], "packet-loss"), "30");
    // A second run of ten loses three again.
    let r = ping(&mut c, &h, &["=address=192.168.88.22", "=count=10"]).await;
    assert_eq!(attr(rows(&r)[9], "packet-loss"), "30");
}

#[tokio::test]
async fn latency_of_300_ms_shows_in_time_and_rtts() {
    let (_sim, mut c, h) = router().await;
    h.add_host("192.168.88.23", "02:00:00:00:00:23", None)
        .unwrap();
    c.call(&["/sim/host/set", "=address=192.168.88.23", "=latency=300ms"])
        .await;
    // Five probes at 200 ms: the simulated second carries several.
    let r = ping(
        &mut c,
        &h,
        &["=address=192.168.88.23", "=count=5", "=interval=200ms"],
    )
    .await;
    let re = rows(&r);
    assert_eq!(re.len(), 5);
    assert!(re.iter().all(|p| attr(p, "time") == "300ms"), "{r:?}");
    assert_eq!(attr(re[4], "min-rtt"), "300ms");
    assert_eq!(attr(re[4], "avg-rtt"), "300ms");
    assert_eq!(attr(re[4], "max-rtt"), "300ms");
}

#[tokio::test]
async fn dead_uplink_leaves_the_lan_answering_and_nothing_beyond() {
    let (_sim, mut c, h) = router().await;
    h.add_host("192.168.88.24", "02:00:00:00:00:24", None)
        .unwrap();
    h.set_target(
        "8.8.8.8",
        Reachability::up().latency(Duration::from_millis(25)),
    )
    .unwrap();
    let r = ping(&mut c, &h, &["=address=8.8.8.8", "=count=1"]).await;
    assert_eq!(attr(&r[0], "time"), "25ms", "{r:?}");
    let route = c.call(&["/ip/route/print", "?dst-address=0.0.0.0/0"]).await;
    assert_eq!(attr(&route[0], "gateway"), "100.64.12.1");
    assert_eq!(attr(&route[0], "active"), "true");
    assert_eq!(attr(&route[0], "immediate-gw"), "100.64.12.1%ether1");

    c.call(&["/sim/uplink/down"]).await;
    for target in ["8.8.8.8", "1.1.1.1", "100.64.12.1"] {
        let r = ping(&mut c, &h, &[&format!("=address={target}"), "=count=2"]).await;
        assert_eq!(attr(rows(&r)[1], "packet-loss"), "100", "{target}: {r:?}");
    }
    let r = ping(&mut c, &h, &["=address=192.168.88.24", "=count=2"]).await;
    assert_eq!(attr(rows(&r)[1], "packet-loss"), "0", "{r:?}");
    let r = ping(&mut c, &h, &["=address=100.64.12.34", "=count=1"]).await;
    assert_eq!(attr(&r[0], "received"), "1", "the router's own WAN address");
    let route = c.call(&["/ip/route/print", "?dst-address=0.0.0.0/0"]).await;
    assert_eq!(attr(&route[0], "active"), "false");
    assert_eq!(attr(&route[0], "inactive"), "true");
    let wan = c.call(&["/interface/print", "?name=ether1"]).await;
    assert_eq!(attr(&wan[0], "running"), "true", "the port keeps its link");
    let arp = c.call(&["/ip/arp/print", "?address=100.64.12.1"]).await;
    assert_eq!(attr(&arp[0], "status"), "failed");

    c.call(&["/sim/uplink/up"]).await;
    let r = ping(&mut c, &h, &["=address=8.8.8.8", "=count=1"]).await;
    assert_eq!(attr(&r[0], "received"), "1");
    let route = c.call(&["/ip/route/print", "?dst-address=0.0.0.0/0"]).await;
    assert_eq!(attr(&route[0], "active"), "true");
}

#[tokio::test]
async fn targets_have_their_own_loss_and_latency() {
    let (_sim, mut c, h) = router().await;
    let r = c
        .call(&[
            "/sim/target/set",
            "=address=1.1.1.1",
            "=loss=50",
            "=latency=40ms",
        ])
        .await;
    assert_eq!(r[0].kind(), &ReplyKind::Done, "{r:?}");
    let r = ping(&mut c, &h, &["=address=1.1.1.1", "=count=4"]).await;
    let re = rows(&r);
    assert_eq!(attr(re[3], "received"), "2");
    assert_eq!(attr(re[3], "avg-rtt"), "40ms");
    c.call(&["/sim/target/set", "=address=1.1.1.1", "=up=no"])
        .await;
    let r = ping(&mut c, &h, &["=address=1.1.1.1", "=count=1"]).await;
    assert_eq!(attr(&r[0], "status"), "timeout");
}

#[tokio::test]
async fn netwatch_follows_a_host_down_and_up() {
    let (_sim, mut c, h) = router().await;
    h.add_host("192.168.88.30", "02:00:00:00:00:30", Some("cpe-30"))
        .unwrap();
    let r = c
        .call(&[
            "/tool/netwatch/add",
            "=host=192.168.88.30",
            "=interval=5s",
            "=down-script=:log warning down",
            "=comment=house 30",
        ])
        .await;
    let id = String::from_utf8_lossy(r[0].ret().unwrap()).into_owned();
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], "status"), "unknown");
    assert_eq!(attr(&w[0], "type"), "simple");
    assert_eq!(attr(&w[0], "timeout"), "3s");
    assert_eq!(attr(&w[0], "interval"), "5s");

    h.tick(1);
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], ".id"), id);
    assert_eq!(attr(&w[0], "status"), "up");
    assert_eq!(attr(&w[0], "since"), "2025-03-20 08:00:01");

    // Down at 08:00:03; the next test (every 5 s) at 08:00:06 sees it.
    h.tick(2);
    c.call(&["/sim/host/set", "=address=192.168.88.30", "=up=no"])
        .await;
    h.tick(2);
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], "status"), "up", "not tested yet");
    h.tick(1);
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], "status"), "down");
    assert_eq!(attr(&w[0], "since"), "2025-03-20 08:00:06");
    assert_eq!(attr(&w[0], "failed-tests"), "1");

    // Up again: seen at the test of 08:00:11.
    h.set_host("192.168.88.30", Reachability::up()).unwrap();
    h.tick(5);
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], "status"), "up");
    assert_eq!(attr(&w[0], "since"), "2025-03-20 08:00:11");
    assert_eq!(attr(&w[0], "done-tests"), "3");

    // An unreachable host beyond a dead uplink goes down too.
    c.call(&["/tool/netwatch/add", "=host=8.8.8.8", "=interval=1s"])
        .await;
    h.set_uplink(false);
    h.tick(1);
    let w = c.call(&["/tool/netwatch/print", "?host=8.8.8.8"]).await;
    assert_eq!(attr(&w[0], "status"), "down");

    // Refusals in RouterOS's words.
    let r = c
        .call(&["/tool/netwatch/add", "=host=192.168.88.300"])
        .await;
    assert_eq!(trap_message(&r), "invalid value for argument host");
    let r = c
        .call(&["/tool/netwatch/add", "=host=10.0.0.1", "=interval=0s"])
        .await;
    assert_eq!(
        trap_message(&r),
        "value of interval out of range (10ms..1w)"
    );
    let r = c.call(&["/tool/netwatch/add", "=interval=10s"]).await;
    assert!(trap_message(&r).contains("host"), "{r:?}");
    let r = c
        .call(&["/tool/netwatch/set", &format!("=.id={id}"), "=type=ping"])
        .await;
    assert_eq!(trap_message(&r), "input does not match any value of type");
}

#[tokio::test]
async fn wan_counters_grow_and_a_reboot_resets_them() {
    let sim = sim(|c| {
        c.hosts(6).queues(0).seed(3);
    })
    .await;
    let h = sim.handle();
    let mut c = Conn::login(sim.addr()).await;
    c.call(&["/tool/netwatch/add", "=host=8.8.8.8", "=interval=1s"])
        .await;
    let rx = |r: &[Reply]| attr(&r[0], "rx-byte").parse::<u64>().unwrap();
    let tx = |r: &[Reply]| attr(&r[0], "tx-byte").parse::<u64>().unwrap();
    h.tick(30);
    let a = c.call(&["/interface/print", "?name=ether1"]).await;
    assert!(rx(&a) > 0 && tx(&a) > 0, "{a:?}");
    h.tick(10);
    let b = c.call(&["/interface/print", "?name=ether1"]).await;
    assert!(rx(&b) > rx(&a) && tx(&b) > tx(&a));

    // A big download at once.
    c.call(&[
        "/sim/wan-traffic",
        "=rx-byte=10000000000",
        "=tx-byte=500000000",
    ])
    .await;
    let d = c.call(&["/interface/print", "?name=ether1"]).await;
    assert_eq!(rx(&d), rx(&b) + 10_000_000_000);
    assert_eq!(tx(&d), tx(&b) + 500_000_000);
    let res = c.call(&["/system/resource/print"]).await;
    assert_eq!(attr(&res[0], "uptime"), "40s");

    // A dead uplink stops the WAN counters.
    h.set_uplink(false);
    h.tick(5);
    let e = c.call(&["/interface/print", "?name=ether1"]).await;
    assert_eq!(rx(&e), rx(&d));
    h.set_uplink(true);

    let before = h.now();
    c.call(&["/sim/reboot"]).await;
    let z = c.call(&["/interface/print", "?name=ether1"]).await;
    assert_eq!((rx(&z), tx(&z)), (0, 0));
    let res = c.call(&["/system/resource/print"]).await;
    assert_eq!(attr(&res[0], "uptime"), "0s");
    assert_eq!(h.now(), before, "the wall clock goes on");
    let w = c.call(&["/tool/netwatch/print"]).await;
    assert_eq!(attr(&w[0], "status"), "unknown");
    let log = c.call(&["/log/print", "?message=router rebooted"]).await;
    assert_eq!(rows(&log).len(), 2);
    h.tick(10);
    let g = c.call(&["/interface/print", "?name=ether1"]).await;
    assert!(rx(&g) > 0, "counting again: {g:?}");
    let res = c.call(&["/system/resource/print"]).await;
    assert_eq!(attr(&res[0], "uptime"), "10s");
}

#[tokio::test]
async fn hosts_have_arp_and_lease_entries() {
    let (_sim, mut c, h) = router().await;
    c.call(&[
        "/sim/host/add",
        "=address=192.168.88.40",
        "=mac-address=02:00:00:00:00:4a",
        "=host-name=ap-kitchen",
    ])
    .await;
    h.add_host("192.168.88.41", "02:00:00:00:00:41", None)
        .unwrap();
    let arp = c.call(&["/ip/arp/print", "?interface=bridge"]).await;
    let arp = rows(&arp);
    assert_eq!(arp.len(), 2);
    assert_eq!(attr(arp[0], "address"), "192.168.88.40");
    assert_eq!(attr(arp[0], "mac-address"), "02:00:00:00:00:4A");
    assert_eq!(attr(arp[0], "status"), "reachable");
    assert_eq!(attr(arp[0], "complete"), "true");
    assert_eq!(attr(arp[0], "DHCP"), "true");
    assert_eq!(attr(arp[0], "dynamic"), "true");
    let leases = c.call(&["/ip/dhcp-server/lease/print"]).await;
    let leases = rows(&leases);
    assert_eq!(leases.len(), 2);
    assert_eq!(attr(leases[0], "host-name"), "ap-kitchen");
    assert_eq!(attr(leases[0], "status"), "bound");
    assert_eq!(attr(leases[0], "mac-address"), "02:00:00:00:00:4A");
    assert_eq!(attr(leases[1], "host-name"), "");

    h.set_host("192.168.88.40", Reachability::down()).unwrap();
    let arp = c.call(&["/ip/arp/print", "?address=192.168.88.40"]).await;
    assert_eq!(attr(&arp[0], "status"), "failed");
    assert_eq!(attr(&arp[0], "complete"), "false");

    c.call(&["/sim/host/remove", "=address=192.168.88.41"])
        .await;
    let arp = c.call(&["/ip/arp/print", "?interface=bridge"]).await;
    assert_eq!(rows(&arp).len(), 1);
    let leases = c.call(&["/ip/dhcp-server/lease/print"]).await;
    assert_eq!(rows(&leases).len(), 1);

    // Refusals.
    let r = c
        .call(&[
            "/sim/host/add",
            "=address=192.168.88.40",
            "=mac-address=02:00:00:00:00:99",
        ])
        .await;
    assert_eq!(
        trap_message(&r),
        "failure: a host with address 192.168.88.40 already exists"
    );
    let r = c
        .call(&[
            "/sim/host/add",
            "=address=192.168.88",
            "=mac-address=02:00:00:00:00:99",
        ])
        .await;
    assert_eq!(trap_message(&r), "invalid value for argument address");
    let r = c
        .call(&["/sim/host/add", "=address=192.168.88.50", "=mac-address=x"])
        .await;
    assert_eq!(trap_message(&r), "invalid value for argument mac-address");
    let r = c
        .call(&["/sim/host/set", "=address=192.168.88.40", "=loss=150"])
        .await;
    assert_eq!(trap_message(&r), "value of loss out of range (0..100)");
    let r = c
        .call(&["/sim/host/set", "=address=192.168.88.77", "=up=no"])
        .await;
    assert_eq!(trap_message(&r), "no such item");
}

#[tokio::test]
async fn public_address_and_ddns_status() {
    let (_sim, mut c, h) = router().await;
    let cloud = c.call(&["/ip/cloud/print"]).await;
    assert_eq!(attr(&cloud[0], "public-address"), "203.0.113.45");
    assert_eq!(attr(&cloud[0], "ddns-enabled"), "false");
    assert_eq!(attr(&cloud[0], "dns-name"), "");
    c.call(&["/sim/public-address", "=address=198.51.100.7"])
        .await;
    let cloud = c.call(&["/ip/cloud/print"]).await;
    assert_eq!(attr(&cloud[0], "public-address"), "198.51.100.7");
    h.set_public_address("198.51.100.8").unwrap();
    let r = c.call(&["/ip/cloud/set", "=ddns-enabled=yes"]).await;
    assert_eq!(r[0].kind(), &ReplyKind::Done, "{r:?}");
    let cloud = c.call(&["/ip/cloud/print"]).await;
    assert_eq!(attr(&cloud[0], "public-address"), "198.51.100.8");
    assert_eq!(attr(&cloud[0], "ddns-enabled"), "true");
    assert!(attr(&cloud[0], "dns-name").ends_with(".sn.mynetname.net"));
    assert_eq!(attr(&cloud[0], "status"), "updated");
    h.set_uplink(false);
    let cloud = c.call(&["/ip/cloud/print"]).await;
    assert_eq!(attr(&cloud[0], "status"), "error: request timed out");
    let r = c.call(&["/sim/public-address", "=address=not-an-ip"]).await;
    assert_eq!(trap_message(&r), "invalid value for argument address");
}

#[tokio::test]
async fn bad_ping_arguments_are_trapped() {
    let (_sim, mut c, _h) = router().await;
    for (words, message) in [
        (
            &["/ping", "=address=999.1.1.1"][..],
            "invalid value for argument address",
        ),
        (
            &["/ping", "=address=example.com"][..],
            "invalid value for argument address",
        ),
        (&["/ping"][..], "missing value(s) of argument(s) address"),
        (
            &["/ping", "=address=8.8.8.8", "=count=abc"][..],
            "invalid value for argument count",
        ),
        (
            &["/ping", "=address=8.8.8.8", "=count=0"][..],
            "value of count out of range (1..4294967295)",
        ),
        (
            &["/ping", "=address=8.8.8.8", "=interval=0s"][..],
            "value of interval out of range (10ms..5s)",
        ),
        (
            &["/ping", "=address=8.8.8.8", "=interface=ether9"][..],
            "input does not match any value of interface",
        ),
        (
            &["/ping", "=address=8.8.8.8", "=src-address=here"][..],
            "invalid value for argument src-address",
        ),
    ] {
        let r = c.call(words).await;
        assert_eq!(r[0].kind(), &ReplyKind::Trap, "{words:?}: {r:?}");
        assert_eq!(trap_message(&r), message, "{words:?}");
        assert_eq!(r.last().unwrap().kind(), &ReplyKind::Done);
    }
}

#[tokio::test]
async fn netwatch_types_judge_loss_latency_and_timeout() {
    let (_sim, mut c, h) = router().await;
    for (ip, mac) in [
        ("192.168.88.60", "02:00:00:00:00:60"),
        ("192.168.88.61", "02:00:00:00:00:61"),
        ("192.168.88.62", "02:00:00:00:00:62"),
    ] {
        h.add_host(ip, mac, None).unwrap();
    }
    // 30% loss: an icmp test (ten probes) passes; 300 ms is above its 100 ms average.
    h.set_host("192.168.88.60", Reachability::up().loss(30))
        .unwrap();
    h.set_host(
        "192.168.88.61",
        Reachability::up().latency(Duration::from_millis(300)),
    )
    .unwrap();
    // 4 s is beyond a simple test's 3 s timeout.
    h.set_host(
        "192.168.88.62",
        Reachability::up().latency(Duration::from_secs(4)),
    )
    .unwrap();
    for (host, kind) in [
        ("192.168.88.60", "icmp"),
        ("192.168.88.61", "icmp"),
        ("192.168.88.61", "simple"),
        ("192.168.88.62", "simple"),
    ] {
        let r = c
            .call(&[
                "/tool/netwatch/add",
                &format!("=host={host}"),
                &format!("=type={kind}"),
            ])
            .await;
        assert_eq!(r[0].kind(), &ReplyKind::Done, "{r:?}");
    }
    c.send(&["/tool/netwatch/listen", ".tag=l"]).await;
    // A round trip: the listen is running once this is answered.
    c.call(&["/system/identity/print"]).await;
    h.tick(1);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let r = c.next().await.unwrap();
        assert_eq!(common::tag(&r), "l");
        seen.push((attr(&r, "host"), attr(&r, "type"), attr(&r, "status")));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("192.168.88.60".into(), "icmp".into(), "up".into()),
            ("192.168.88.61".into(), "icmp".into(), "down".into()),
            ("192.168.88.61".into(), "simple".into(), "up".into()),
            ("192.168.88.62".into(), "simple".into(), "down".into()),
        ]
    );
    c.call(&["/cancel", "=tag=l"]).await;
    let last = c.next().await.unwrap();
    assert_eq!(
        (last.kind(), common::tag(&last)),
        (&ReplyKind::Done, "l".into())
    );
    // A disabled entry is not tested.
    let w = c.call(&["/tool/netwatch/print"]).await;
    let first = attr(&w[0], ".id");
    c.call(&["/tool/netwatch/disable", &format!("=.id={first}")])
        .await;
    h.tick(20);
    let w = c
        .call(&["/tool/netwatch/print", &format!("?.id={first}")])
        .await;
    assert_eq!(attr(&w[0], "done-tests"), "1");
    assert_eq!(attr(&w[0], "disabled"), "true");
}

#[tokio::test]
async fn a_reboot_drops_ppp_sessions_and_clients_dial_again() {
    let sim = sim(|c| {
        c.hosts(0).queues(0).ppp_redial_after(5);
    })
    .await;
    let h = sim.handle();
    h.add(
        "/ppp/secret",
        &[
            ("name", "budi"),
            ("password", "s3cret"),
            ("service", "pppoe"),
        ],
    )
    .unwrap();
    h.ppp_connect("budi", "s3cret", "AA:BB:CC:DD:EE:01")
        .unwrap();
    h.tick(3);
    assert_eq!(h.print("/ppp/active").unwrap().len(), 1);
    h.reboot();
    assert!(h.print("/ppp/active").unwrap().is_empty());
    h.tick(6);
    assert_eq!(h.print("/ppp/active").unwrap().len(), 1, "dialled again");
}

#[tokio::test]
async fn netwatch_entries_load_from_a_state_file_and_older_versions_write_old_dates() {
    let sim = sim(|c| {
        c.hosts(0)
            .queues(0)
            .version("7.8".parse().unwrap())
            .clock("2025-03-20 08:00:00".parse().unwrap())
            .state_rsc(
                "/tool netwatch\n\
                 add comment=\"ISP\" host=100.64.12.1 interval=1m type=icmp\n",
            );
    })
    .await;
    let h = sim.handle();
    h.tick(1);
    let w = h.print("/tool/netwatch").unwrap();
    let get = |n: &str| {
        w[0].iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("host"), "100.64.12.1");
    assert_eq!(get("interval"), "1m");
    assert_eq!(get("status"), "up");
    assert_eq!(get("since"), "mar/20/2025 08:00:01");

    // A state file with a bad netwatch entry is refused with its line.
    let mut bad = ros_sim::SimConfig::new();
    bad.listen("127.0.0.1:0".parse().unwrap())
        .state_rsc("/tool netwatch\nadd host=10.0.0.1 interval=0s\n");
    let e = ros_sim::Simulator::start(bad).await.unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
}
