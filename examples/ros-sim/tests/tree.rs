//! `/queue/tree`, `/queue/type` and `/ip/firewall/mangle` over the API: validation, built-in
//! types, `place-before` and `move`, and tree counters filled from the marked traffic.

mod common;

use common::{attr, rows, sim, Conn};
use routeros_proto::{Reply, ReplyKind};

fn trapped(r: &[Reply]) -> Option<String> {
    r.iter()
        .find(|r| r.kind() == &ReplyKind::Trap)
        .map(|r| attr(r, "message"))
}

async fn ok(c: &mut Conn, words: &[&str]) -> String {
    let r = c.call(words).await;
    assert_eq!(trapped(&r), None, "{words:?}: {r:?}");
    attr(r.last().unwrap(), "ret")
}

/// The mangle rules, types and trees of "share the link equally": connections from the LAN are
/// marked, their packets marked per direction, and one PCQ tree per direction.
async fn configure(c: &mut Conn) {
    for w in [
        &[
            "/ip/firewall/mangle/add",
            "=chain=forward",
            "=action=mark-connection",
            "=src-address=192.168.88.0/24",
            "=new-connection-mark=lan",
            "=comment=lan conn",
        ][..],
        &[
            "/ip/firewall/mangle/add",
            "=chain=forward",
            "=action=mark-packet",
            "=connection-mark=lan",
            "=in-interface=ether1",
            "=new-packet-mark=lan-down",
            "=passthrough=no",
            "=comment=lan down",
        ],
        &[
            "/ip/firewall/mangle/add",
            "=chain=forward",
            "=action=mark-packet",
            "=connection-mark=lan",
            "=out-interface=ether1",
            "=new-packet-mark=lan-up",
            "=passthrough=no",
            "=comment=lan up",
        ],
        &[
            "/queue/type/add",
            "=name=pcq-down",
            "=kind=pcq",
            "=pcq-classifier=dst-address",
            "=pcq-rate=0",
        ],
        &[
            "/queue/type/add",
            "=name=pcq-up",
            "=kind=pcq",
            "=pcq-classifier=src-address",
        ],
        &[
            "/queue/tree/add",
            "=name=down",
            "=parent=global",
            "=packet-mark=lan-down",
            "=queue=pcq-down",
            "=max-limit=4M",
        ],
        &[
            "/queue/tree/add",
            "=name=up",
            "=parent=global",
            "=packet-mark=lan-up",
            "=queue=pcq-up",
            "=max-limit=1M",
        ],
        &[
            "/queue/tree/add",
            "=name=never",
            "=parent=global",
            "=packet-mark=nobody-sets-this",
            "=max-limit=1M",
        ],
    ] {
        ok(c, w).await;
    }
}

#[tokio::test]
async fn builtin_queue_types_are_listed_and_protected() {
    let sim = sim(|c| {
        c.hosts(0).queues(0);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let r = c.call(&["/queue/type/print"]).await;
    let types = rows(&r);
    let names: Vec<String> = types.iter().map(|r| attr(r, "name")).collect();
    for b in queue_model::BUILTIN_QUEUE_TYPES {
        assert!(names.iter().any(|n| n == b), "{b} in {names:?}");
    }
    let pcq = types
        .iter()
        .find(|r| attr(r, "name") == "pcq-download-default")
        .unwrap();
    assert_eq!(attr(pcq, "kind"), "pcq");
    assert_eq!(attr(pcq, "pcq-classifier"), "dst-address");
    assert_eq!(attr(pcq, "default"), "true");
    let r = c
        .call(&["/queue/type/remove", "=numbers=default-small"])
        .await;
    assert!(trapped(&r).unwrap().contains("default queue type"), "{r:?}");
    let r = c
        .call(&["/queue/type/set", "=numbers=default", "=kind=sfq"])
        .await;
    assert!(trapped(&r).is_some(), "{r:?}");
    // The types a user adds can be changed and removed.
    ok(&mut c, &["/queue/type/add", "=name=q1", "=kind=sfq"]).await;
    ok(
        &mut c,
        &["/queue/type/set", "=numbers=q1", "=sfq-perturb=10"],
    )
    .await;
    ok(&mut c, &["/queue/type/remove", "=numbers=q1"]).await;
}

#[tokio::test]
async fn bad_trees_types_and_rules_are_refused() {
    let sim = sim(|c| {
        c.hosts(0).queues(0);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let cases: &[(&[&str], &str)] = &[
        (&["/queue/tree/add", "=name=a", "=parent=nowhere"], "parent"),
        (
            &[
                "/queue/tree/add",
                "=name=a",
                "=parent=global",
                "=queue=nope",
            ],
            "queue",
        ),
        (
            &[
                "/queue/tree/add",
                "=name=a",
                "=parent=global",
                "=priority=9",
            ],
            "priority",
        ),
        (
            &[
                "/queue/tree/add",
                "=name=a",
                "=parent=global",
                "=max-limit=fast",
            ],
            "max-limit",
        ),
        (
            &[
                "/queue/tree/add",
                "=name=a",
                "=parent=global",
                "=limit-at=2M",
                "=max-limit=1M",
            ],
            "limit-at",
        ),
        (&["/queue/tree/add", "=name=a"], "parent"),
        (&["/queue/type/add", "=name=t", "=kind=fast"], "kind"),
        (
            &[
                "/queue/type/add",
                "=name=t",
                "=kind=pcq",
                "=pcq-classifier=colour",
            ],
            "pcq-classifier",
        ),
        (
            &["/queue/type/add", "=name=t", "=pcq-dst-address-mask=33"],
            "pcq-dst-address-mask",
        ),
        (
            &[
                "/ip/firewall/mangle/add",
                "=chain=forward",
                "=src-address=300.1.1.1",
            ],
            "src-address",
        ),
    ];
    for (words, needle) in cases {
        let r = c.call(words).await;
        let msg = trapped(&r).unwrap_or_else(|| panic!("{words:?} accepted: {r:?}"));
        assert!(msg.contains(needle), "{words:?}: {msg}");
    }
    assert!(rows(&c.call(&["/queue/tree/print"]).await).is_empty());
    // A tree under an interface, and one under another tree; names are unique.
    ok(&mut c, &["/queue/tree/add", "=name=wan", "=parent=ether1"]).await;
    ok(&mut c, &["/queue/tree/add", "=name=w1", "=parent=wan"]).await;
    let r = c
        .call(&["/queue/tree/add", "=name=w1", "=parent=global"])
        .await;
    assert!(trapped(&r).unwrap().contains("already have"), "{r:?}");
    // Bytes that are not UTF-8 are kept in free text.
    let word = b"=comment=caf\xe9".to_vec();
    let mut buf = bytes::BytesMut::new();
    routeros_proto::sentence::encode_sentence(
        &[&b"/queue/tree/set"[..], b"=numbers=w1", &word],
        &mut buf,
    )
    .unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut c.wr, &buf)
        .await
        .unwrap();
    let r = c.until_done().await;
    assert_eq!(trapped(&r), None, "{r:?}");
    let r = c.call(&["/queue/tree/print"]).await;
    let w1 = rows(&r)
        .into_iter()
        .find(|t| attr(t, "name") == "w1")
        .unwrap();
    assert_eq!(w1.attributes().get("comment"), Some(&b"caf\xe9"[..]));
}

#[tokio::test]
async fn place_before_and_move_order_rules() {
    let sim = sim(|c| {
        c.hosts(0).queues(0);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    let comments = |r: &[Reply]| -> Vec<String> {
        rows(r)
            .iter()
            .map(|r| attr(r, "comment"))
            .filter(|c| c.starts_with('r'))
            .collect()
    };
    let a = ok(
        &mut c,
        &["/ip/firewall/mangle/add", "=chain=forward", "=comment=ra"],
    )
    .await;
    ok(
        &mut c,
        &["/ip/firewall/mangle/add", "=chain=forward", "=comment=rb"],
    )
    .await;
    let pb = format!("=place-before={a}");
    ok(
        &mut c,
        &[
            "/ip/firewall/mangle/add",
            "=chain=forward",
            "=comment=rc",
            &pb,
        ],
    )
    .await;
    let r = c.call(&["/ip/firewall/mangle/print"]).await;
    assert_eq!(comments(&r), ["rc", "ra", "rb"]);
    let num = format!("=numbers={a}");
    ok(&mut c, &["/ip/firewall/mangle/move", &num]).await;
    let r = c.call(&["/ip/firewall/mangle/print"]).await;
    assert_eq!(comments(&r), ["rc", "rb", "ra"]);
}

#[tokio::test]
async fn trees_count_the_marked_traffic_and_pcq_splits_it() {
    let sim = sim(|c| {
        c.hosts(10).queues(0).seed(3);
    })
    .await;
    let mut c = Conn::login(sim.addr()).await;
    configure(&mut c).await;
    let h = sim.handle();
    let mut peak = (0u64, 0u64);
    for _ in 0..90 {
        h.tick(1);
        let r = c.call(&["/queue/tree/print"]).await;
        for t in rows(&r) {
            let rate: u64 = attr(t, "rate").parse().unwrap();
            let max: u64 = attr(t, "max-limit").parse().unwrap();
            // Within max-limit, give or take one bucket (0.1 s of max-limit).
            assert!(rate <= max + max / 10, "{t:?}");
            match attr(t, "name").as_str() {
                "down" => peak.0 = peak.0.max(rate),
                "up" => peak.1 = peak.1.max(rate),
                _ => {}
            }
        }
    }
    // Ten hosts watching video and browsing fill 4M down and 1M up.
    assert!(peak.0 > 3_000_000 && peak.1 > 500_000, "{peak:?}");
    let r = c.call(&["/queue/tree/print"]).await;
    let tree = |n: &str| {
        rows(&r)
            .into_iter()
            .find(|t| attr(t, "name") == n)
            .unwrap()
            .clone()
    };
    let down = tree("down");
    assert!(attr(&down, "bytes").parse::<u64>().unwrap() > 1_000_000);
    assert!(attr(&down, "packets").parse::<u64>().unwrap() > 0);
    assert!(attr(&down, "dropped").parse::<u64>().unwrap() > 0);
    assert!(attr(&down, "pcq-queues").parse::<u64>().unwrap() > 1);
    // Nothing sets this mark: the tree stays at zero.
    let never = tree("never");
    for k in ["rate", "bytes", "packets", "dropped", "queued-bytes"] {
        assert_eq!(attr(&never, k), "0", "{k}: {never:?}");
    }
    // The mangle rules counted what they marked.
    let r = c.call(&["/ip/firewall/mangle/print"]).await;
    for comment in ["lan conn", "lan down", "lan up"] {
        let rule = rows(&r)
            .into_iter()
            .find(|x| attr(x, "comment") == comment)
            .unwrap()
            .clone();
        assert!(
            attr(&rule, "packets").parse::<u64>().unwrap() > 0,
            "{rule:?}"
        );
    }
}
