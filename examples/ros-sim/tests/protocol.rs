//! The protocol as a client sees it: login by version, reply words, traps, tags, `.proplist`,
//! queries, `!empty`, `/cancel`, `/quit`, streaming commands.

mod common;

use common::{attr, rows, sim, tag, Conn};
use ros_sim::Version;
use routeros_proto::login::challenge_response;
use routeros_proto::{ReplyKind, TrapCategory};

#[tokio::test]
async fn plain_login_accepts_the_right_password_only() {
    let sim = sim(|c| {
        c.password("s3cret");
    })
    .await;
    let mut c = Conn::open(sim.addr()).await;
    let r = c.call(&["/login", "=name=admin", "=password=wrong"]).await;
    assert_eq!(r.len(), 2);
    let t = r[0].trap_info().unwrap();
    assert_eq!(t.message, "invalid user name or password (6)");
    assert_eq!(r[1].kind(), &ReplyKind::Done);
    let r = c.call(&["/login", "=name=admin", "=password=s3cret"]).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].kind(), &ReplyKind::Done);
    assert!(r[0].ret().is_none());
    let r = c.call(&["/system/identity/print"]).await;
    assert_eq!(attr(&r[0], "name"), "MikroTik");
}

#[tokio::test]
async fn old_versions_only_speak_the_md5_challenge() {
    let sim = sim(|c| {
        c.version(Version::new(6, 42, 0)).password("pw");
    })
    .await;
    let mut c = Conn::open(sim.addr()).await;
    // A 6.42 router ignores the password and answers with a challenge.
    let r = c.call(&["/login", "=name=admin", "=password=pw"]).await;
    let challenge = r[0].ret().expect("challenge");
    assert_eq!(challenge.len(), 32);
    let bad = c
        .call(&["/login", "=name=admin", "=response=00deadbeef"])
        .await;
    assert_eq!(bad[0].trap_info().unwrap().message, "cannot log in");
    // A fresh challenge, answered correctly.
    let r = c.call(&["/login"]).await;
    let challenge = r[0].ret().unwrap();
    let response = challenge_response(b"pw", challenge).unwrap();
    let ok = c
        .call(&["/login", "=name=admin", &format!("=response={response}")])
        .await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].kind(), &ReplyKind::Done);
}

#[tokio::test]
async fn new_versions_still_offer_the_challenge_to_a_bare_login() {
    let sim = sim(|_| {}).await;
    let mut c = Conn::open(sim.addr()).await;
    let r = c.call(&["/login"]).await;
    let challenge = r[0].ret().unwrap();
    let response = challenge_response(b"", challenge).unwrap();
    let ok = c
        .call(&["/login", "=name=admin", &format!("=response={response}")])
        .await;
    assert_eq!(ok[0].kind(), &ReplyKind::Done);
}

#[tokio::test]
async fn commands_before_login_are_fatal() {
    let sim = sim(|_| {}).await;
    let mut c = Conn::open(sim.addr()).await;
    let r = c.call(&["/interface/print"]).await;
    assert_eq!(r[0].kind(), &ReplyKind::Fatal);
    assert_eq!(r[0].fatal_reason().unwrap(), "not logged in");
    assert!(c.next().await.is_none(), "connection closed");
}

#[tokio::test]
async fn quit_is_answered_with_fatal_and_close() {
    let sim = sim(|_| {}).await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c.call(&["/quit"]).await;
    assert_eq!(
        r[0].fatal_reason().unwrap(),
        "session terminated on request"
    );
    assert!(c.next().await.is_none());
}

#[tokio::test]
async fn empty_print_depends_on_version() {
    for (version, expect_empty) in [
        (Version::new(7, 18, 2), true),
        (Version::new(7, 17, 0), false),
    ] {
        let sim = sim(|c| {
            c.version(version);
        })
        .await;
        let mut c = Conn::login(sim.addr()).await;
        let r = c
            .call(&["/queue/simple/print", "?name=no-such-queue", ".tag=e"])
            .await;
        let kinds: Vec<_> = r.iter().map(|r| r.kind().clone()).collect();
        if expect_empty {
            assert_eq!(kinds, [ReplyKind::Empty, ReplyKind::Done]);
        } else {
            assert_eq!(kinds, [ReplyKind::Done]);
        }
        assert!(r.iter().all(|r| tag(r) == "e"), "tags echoed: {r:?}");
    }
}

#[tokio::test]
async fn unknown_paths_trap_like_routeros() {
    let sim = sim(|_| {}).await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c.call(&["/ip/adress/print", ".tag=7"]).await;
    assert_eq!(r.len(), 3, "{r:?}");
    let first = r[0].trap_info().unwrap();
    assert_eq!(first.category, Some(TrapCategory::MissingItemOrCommand));
    assert_eq!(first.message, "no such command or directory (adress)");
    assert_eq!(r[1].trap_info().unwrap().message, "no such command prefix");
    assert_eq!(r[2].kind(), &ReplyKind::Done);
    assert!(r.iter().all(|r| tag(r) == "7"));
    // An unknown command in a known menu names the command.
    let r = c.call(&["/queue/simple/frobnicate"]).await;
    assert_eq!(
        r[0].trap_info().unwrap().message,
        "no such command or directory (frobnicate)"
    );
}

#[tokio::test]
async fn add_set_remove_with_routeros_refusals() {
    let sim = sim(|c| {
        c.queues(0);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&[
            "/queue/simple/add",
            "=name=kid",
            "=target=192.168.88.20/32",
            "=max-limit=2M/8M",
        ])
        .await;
    let id = String::from_utf8_lossy(r[0].ret().unwrap()).into_owned();
    assert!(id.starts_with('*'));
    let dup = c
        .call(&["/queue/simple/add", "=name=kid", "=target=192.168.88.21/32"])
        .await;
    assert_eq!(
        dup[0].trap_info().unwrap().message,
        "failure: already have such name"
    );
    assert_eq!(dup[1].kind(), &ReplyKind::Done);
    let prio = c
        .call(&[
            "/queue/simple/set",
            &format!("=.id={id}"),
            "=priority=urgent",
        ])
        .await;
    let t = prio[0].trap_info().unwrap();
    assert_eq!(t.category, Some(TrapCategory::ArgumentValue));
    assert_eq!(t.message, "input does not match any value of priority");
    let r = c
        .call(&[
            "/queue/simple/set",
            &format!("=.id={id}"),
            "=max-limit=4M/16M",
            "=priority=2",
        ])
        .await;
    assert_eq!(r[0].kind(), &ReplyKind::Done, "{r:?}");
    let r = c
        .call(&["/queue/simple/print", &format!("?.id={id}")])
        .await;
    assert_eq!(attr(&r[0], "max-limit"), "4000000/16000000");
    assert_eq!(attr(&r[0], "priority"), "2/2");
    // queue-model's checks, worded as RouterOS words them.
    let r = c
        .call(&[
            "/queue/simple/set",
            &format!("=.id={id}"),
            "=bucket-size=11",
        ])
        .await;
    let t = r[0].trap_info().unwrap();
    assert_eq!(t.message, "value of bucket-size out of range (0..10)");
    assert_eq!(t.category, Some(TrapCategory::ArgumentValue));
    let r = c
        .call(&[
            "/queue/simple/add",
            "=target=192.168.88.30/32",
            "=limit-at=1M/x",
        ])
        .await;
    assert_eq!(
        r[0].trap_info().unwrap().message,
        "invalid value for argument limit-at"
    );
    // An unnamed queue is named as RouterOS names it.
    let r = c
        .call(&["/queue/simple/add", "=target=192.168.88.31/32"])
        .await;
    let unnamed = String::from_utf8_lossy(r[0].ret().unwrap()).into_owned();
    let r = c
        .call(&["/queue/simple/print", &format!("?.id={unnamed}")])
        .await;
    assert_eq!(attr(&r[0], "name"), "queue2");
    c.call(&["/queue/simple/remove", &format!("=.id={unnamed}")])
        .await;
    let missing = c.call(&["/queue/simple/remove", "=.id=*FFFF"]).await;
    assert_eq!(missing[0].trap_info().unwrap().message, "no such item");
    let r = c
        .call(&["/queue/simple/remove", &format!("=.id={id}")])
        .await;
    assert_eq!(r[0].kind(), &ReplyKind::Done);
    let r = c.call(&["/queue/simple/print"]).await;
    assert_eq!(rows(&r).len(), 0);
    // A mangle rule must name an existing layer7 protocol.
    let r = c
        .call(&[
            "/ip/firewall/mangle/add",
            "=chain=forward",
            "=layer7-protocol=nope",
        ])
        .await;
    assert_eq!(
        r[0].trap_info().unwrap().message,
        "input does not match any value of layer7-protocol"
    );
}

#[tokio::test]
async fn proplist_and_the_query_language() {
    let sim = sim(|c| {
        c.queues(8).hosts(0);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&[
            "/queue/simple/print",
            "=.proplist=name,max-limit",
            "?max-limit=5000000/20000000",
        ])
        .await;
    let names: Vec<_> = rows(&r).iter().map(|r| attr(r, "name")).collect();
    assert_eq!(names, ["queue1", "queue5"]);
    for row in rows(&r) {
        assert_eq!(row.attributes().len(), 2, "only the proplist: {row:?}");
    }
    // (name = queue2 OR name = queue3) AND NOT max-limit = 10M/50M
    let r = c
        .call(&[
            "/queue/simple/print",
            "=.proplist=name",
            "?name=queue2",
            "?name=queue3",
            "?#|",
            "?max-limit=10000000/50000000",
            "?#!",
            "?#&",
        ])
        .await;
    let names: Vec<_> = rows(&r).iter().map(|r| attr(r, "name")).collect();
    assert_eq!(names, ["queue3"]);
    let r = c.call(&["/queue/simple/print", "=count-only="]).await;
    assert_eq!(r[0].ret().unwrap(), b"8");
    let bad = c.call(&["/queue/simple/print", "?#&"]).await;
    assert_eq!(bad[0].kind(), &ReplyKind::Trap);
}

#[tokio::test]
async fn listen_reports_changes_and_cancel_by_tag() {
    let sim = sim(|c| {
        c.queues(0);
    })
    .await;
    let h = sim.handle();
    let mut c = Conn::login(sim.addr()).await;
    c.send(&["/queue/simple/listen", ".tag=l"]).await;
    // The listen is registered before the next command is read.
    let r = c.call(&["/system/identity/print", ".tag=x"]).await;
    assert_eq!(tag(&r[0]), "x");
    let id = h
        .add(
            "/queue/simple",
            &[("name", "new"), ("target", "192.168.88.50/32")],
        )
        .unwrap();
    let re = c.next().await.unwrap();
    assert_eq!(re.kind(), &ReplyKind::Re);
    assert_eq!(tag(&re), "l");
    assert_eq!(attr(&re, "name"), "new");
    h.remove("/queue/simple", &id).unwrap();
    let dead = c.next().await.unwrap();
    assert_eq!(attr(&dead, ".id"), id);
    assert_eq!(attr(&dead, ".dead"), "true");
    c.send(&["/cancel", "=tag=l", ".tag=c"]).await;
    let a = c.next().await.unwrap();
    let b = c.next().await.unwrap();
    let d = c.next().await.unwrap();
    assert_eq!((a.kind(), tag(&a)), (&ReplyKind::Trap, "l".to_owned()));
    let t = a.trap_info().unwrap();
    assert_eq!(t.category, Some(TrapCategory::Interrupted));
    assert_eq!(t.message, "interrupted");
    assert_eq!((b.kind(), tag(&b)), (&ReplyKind::Done, "c".to_owned()));
    assert_eq!((d.kind(), tag(&d)), (&ReplyKind::Done, "l".to_owned()));
    // Nothing follows: the next reply is for the next command.
    let r = c.call(&["/system/identity/print", ".tag=y"]).await;
    assert_eq!(tag(&r[0]), "y");
}

#[tokio::test]
async fn cancel_without_tag_stops_every_stream() {
    let sim = sim(|_| {}).await;
    let mut c = Conn::login(sim.addr()).await;
    c.send(&["/interface/listen", ".tag=a"]).await;
    c.send(&["/log/print", "=follow-only=", ".tag=b"]).await;
    c.send(&["/cancel", ".tag=c"]).await;
    let mut got = Vec::new();
    for _ in 0..5 {
        let r = c.next().await.unwrap();
        got.push((r.kind().clone(), tag(&r)));
    }
    assert_eq!(
        got,
        [
            (ReplyKind::Trap, "a".into()),
            (ReplyKind::Trap, "b".into()),
            (ReplyKind::Done, "c".into()),
            (ReplyKind::Done, "a".into()),
            (ReplyKind::Done, "b".into()),
        ]
    );
}

#[tokio::test]
async fn log_follow_only_streams_new_lines() {
    let sim = sim(|_| {}).await;
    let h = sim.handle();
    let mut c = Conn::login(sim.addr()).await;
    let all = c.call(&["/log/print"]).await;
    assert!(rows(&all)
        .iter()
        .any(|r| attr(r, "message") == "router rebooted"));
    c.send(&[
        "/log/print",
        "=follow-only=",
        "?topics=script,warning",
        ".tag=f",
    ])
    .await;
    c.call(&["/system/identity/print"]).await;
    h.log("system,info", "not this one");
    h.log("script,warning", "disk almost full");
    let r = c.next().await.unwrap();
    assert_eq!(tag(&r), "f");
    assert_eq!(attr(&r, "message"), "disk almost full");
    // The /sim namespace writes log lines too.
    c.send(&["/sim/log", "=topics=script,warning", "=message=second"])
        .await;
    let mut saw = Vec::new();
    for _ in 0..2 {
        let r = c.next().await.unwrap();
        saw.push((r.kind().clone(), attr(&r, "message")));
    }
    assert!(saw.contains(&(ReplyKind::Re, "second".into())), "{saw:?}");
}

#[tokio::test]
async fn monitor_traffic_and_ping_stream_per_tick() {
    let sim = sim(|c| {
        c.hosts(6).seed(3);
    })
    .await;
    let h = sim.handle();
    h.tick(30);
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&["/interface/monitor-traffic", "=interface=ether1", "=once="])
        .await;
    assert_eq!(rows(&r).len(), 1);
    assert_eq!(attr(&r[0], "name"), "ether1");
    let rx: u64 = attr(&r[0], "rx-bits-per-second").parse().unwrap();
    assert!(rx > 0, "traffic flows after 30 s: {r:?}");
    let bad = c
        .call(&["/interface/monitor-traffic", "=interface=ether9", "=once="])
        .await;
    assert_eq!(
        bad[0].trap_info().unwrap().message,
        "input does not match any value of interface"
    );
    c.send(&[
        "/interface/monitor-traffic",
        "=interface=ether1,bridge",
        ".tag=m",
    ])
    .await;
    let first = c.next().await.unwrap();
    let second = c.next().await.unwrap();
    assert_eq!(attr(&first, ".section"), "0");
    assert_eq!(attr(&second, "name"), "bridge");
    h.tick(1);
    let third = c.next().await.unwrap();
    assert_eq!(attr(&third, "name"), "ether1");
    c.call(&["/cancel", "=tag=m"]).await;
    // Drain the interrupted stream's `!done`.
    let last = c.next().await.unwrap();
    assert_eq!((last.kind(), tag(&last)), (&ReplyKind::Done, "m".into()));

    c.send(&["/ping", "=address=1.1.1.1", "=count=3", ".tag=p"])
        .await;
    let mut seqs = Vec::new();
    loop {
        let r = c.next().await.unwrap();
        if r.kind() == &ReplyKind::Done {
            break;
        }
        seqs.push(attr(&r, "seq"));
        assert!(attr(&r, "time").ends_with("us"), "{r:?}");
        h.tick(1);
    }
    assert_eq!(seqs, ["0", "1", "2"]);
    h.set_link("ether1", false).unwrap();
    let r = c.call(&["/ping", "=address=8.8.8.8", "=count=1"]).await;
    assert_eq!(attr(&r[0], "status"), "timeout");
    assert_eq!(attr(&r[0], "packet-loss"), "100");
}

#[tokio::test]
async fn sim_namespace_triggers_events() {
    let sim = sim(|c| {
        c.hosts(2);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&[
            "/sim/host-appear",
            "=host-name=new-phone",
            "=mac-address=02:00:00:00:00:99",
        ])
        .await;
    let ip = String::from_utf8_lossy(r[0].ret().unwrap()).into_owned();
    let leases = c
        .call(&["/ip/dhcp-server/lease/print", "?host-name=new-phone"])
        .await;
    assert_eq!(attr(&leases[0], "address"), ip);
    assert_eq!(attr(&leases[0], "status"), "bound");
    c.call(&["/sim/cpu-spike", "=load=97", "=duration=5"]).await;
    let res = c.call(&["/system/resource/print"]).await;
    assert_eq!(attr(&res[0], "cpu-load"), "97");
    assert_eq!(attr(&res[0], "version"), "7.18.2 (stable)");
    c.call(&["/sim/tick", "=count=6"]).await;
    let res = c.call(&["/system/resource/print"]).await;
    assert!(attr(&res[0], "cpu-load").parse::<u8>().unwrap() < 97);
    assert_eq!(attr(&res[0], "uptime"), "6s");
    c.call(&["/sim/interface-down", "=interface=ether1"]).await;
    let r = c.call(&["/interface/print", "?name=ether1"]).await;
    assert_eq!(attr(&r[0], "running"), "false");
    assert_eq!(attr(&r[0], "link-downs"), "1");
    let bad = c.call(&["/sim/interface-down", "=interface=nope"]).await;
    assert_eq!(bad[0].kind(), &ReplyKind::Trap);
}
