//! The traffic model through the library API: shaping, layer7 counters and logs, determinism,
//! and `--state` loading.

mod common;

use common::sim;
use ros_sim::{Error, Row, SimConfig, Simulator};

fn get<'a>(row: &'a Row, name: &str) -> &'a str {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn pair(s: &str) -> (u64, u64) {
    let (a, b) = s.split_once('/').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[tokio::test]
async fn queues_shape_to_max_limit_and_counters_move() {
    let sim = sim(|c| {
        c.hosts(4).queues(4).seed(11);
    })
    .await;
    let h = sim.handle();
    h.set("/queue/simple", "queue1", &[("max-limit", "100k/300k")])
        .unwrap();
    let mut saw_traffic = false;
    for _ in 0..120 {
        h.tick(1);
        for q in h.print("/queue/simple").unwrap() {
            let (ru, rd) = pair(get(&q, "rate"));
            let (mu, md) = pair(get(&q, "max-limit"));
            // HTB lets a queue exceed max-limit by its bucket (bucket-size 0.1 × max-limit
            // bits) within one second, never more.
            assert!(
                ru <= mu + mu / 10 && rd <= md + md / 10,
                "rate within max-limit: {q:?}"
            );
            saw_traffic |= rd > 0;
        }
    }
    assert!(saw_traffic);
    let q1 = &h.print("/queue/simple").unwrap()[0];
    let (bu, bd) = pair(get(q1, "bytes"));
    assert!(bu > 0 && bd > 0, "{q1:?}");
    // Capped at 300 kbit/s down for 120 s: at most 4.5 MB, plus one bucket.
    assert!(bd <= 300_000 / 8 * 120 + 300_000 / 80, "{q1:?}");
    let ether1 = h
        .print("/interface")
        .unwrap()
        .into_iter()
        .find(|r| get(r, "name") == "ether1")
        .unwrap();
    assert!(get(&ether1, "rx-byte").parse::<u64>().unwrap() > 0);
}

#[tokio::test]
async fn layer7_matches_count_and_log() {
    let sim = sim(|c| {
        c.hosts(12).queues(0).seed(5);
    })
    .await;
    let h = sim.handle();
    h.tick(300);
    let filter = h.print("/ip/firewall/filter").unwrap();
    let tiktok = filter
        .iter()
        .find(|r| get(r, "layer7-protocol") == "tiktok")
        .unwrap();
    assert!(
        get(tiktok, "packets").parse::<u64>().unwrap() > 0,
        "{tiktok:?}"
    );
    let log = h.print("/log").unwrap();
    assert!(
        log.iter().any(|r| get(r, "topics") == "firewall,info"
            && get(r, "message").starts_with("tiktok forward: ")
            && get(r, "message").contains("->23.213.161.40:443")),
        "a log line per TikTok connection"
    );
    let mangle = h.print("/ip/firewall/mangle").unwrap();
    let video = mangle
        .iter()
        .find(|r| get(r, "comment") == "video")
        .unwrap();
    assert!(get(video, "bytes").parse::<u64>().unwrap() > 0, "{video:?}");
    // A rule whose regexp matches nothing never counts.
    h.add(
        "/ip/firewall/layer7-protocol",
        &[("name", "never"), ("regexp", "^zzzz-no-such")],
    )
    .unwrap();
    let id = h
        .add(
            "/ip/firewall/filter",
            &[
                ("chain", "forward"),
                ("action", "passthrough"),
                ("layer7-protocol", "never"),
            ],
        )
        .unwrap();
    h.tick(60);
    let rule = h
        .print("/ip/firewall/filter")
        .unwrap()
        .into_iter()
        .find(|r| get(r, ".id") == id)
        .unwrap();
    assert_eq!(get(&rule, "packets"), "0");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_router() {
    let mut states = Vec::new();
    for seed in [42, 42, 43] {
        let sim = sim(|c| {
            c.hosts(6).seed(seed);
        })
        .await;
        sim.handle().tick(90);
        states.push((
            sim.handle().print("/queue/simple").unwrap(),
            sim.handle().print("/ip/dhcp-server/lease").unwrap(),
        ));
    }
    assert_eq!(states[0], states[1]);
    assert_ne!(states[0].0, states[2].0);
}

#[tokio::test]
async fn state_file_is_loaded_and_errors_name_the_line() {
    let rsc = "# jan/02/2025 by RouterOS 7.18.2\n/ip firewall layer7-protocol\nadd name=netflix regexp=\"nflxvideo\"\n/queue simple\nadd max-limit=1M/4M name=\"tv \\\"room\\\"\" \\\n    target=192.168.88.40/32\n/ip firewall mangle\nadd action=mark-packet chain=forward layer7-protocol=netflix new-packet-mark=tv\n";
    let sim = sim(|c| {
        c.queues(0).state_rsc(rsc);
    })
    .await;
    let qs = sim.handle().print("/queue/simple").unwrap();
    assert_eq!(qs.len(), 1);
    assert_eq!(get(&qs[0], "name"), "tv \"room\"");
    assert_eq!(get(&qs[0], "max-limit"), "1000000/4000000");
    let mut bad = SimConfig::new();
    bad.listen("127.0.0.1:0".parse().unwrap()).state_rsc(
        "/queue simple\nadd name=x target=192.168.88.9/32\nadd name=x target=192.168.88.10/32\n",
    );
    match Simulator::start(bad).await {
        Err(Error::State { line, message }) => {
            assert_eq!(line, 3);
            assert_eq!(message, "failure: already have such name");
        }
        other => panic!("expected a state error, got {other:?}"),
    }
    let mut bad = SimConfig::new();
    bad.listen("127.0.0.1:0".parse().unwrap())
        .state_rsc("/queue simple\nadd name=y target=192.168.88.9/32 priority=9\n");
    match Simulator::start(bad).await {
        Err(Error::State { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.contains("priority"), "{message}");
        }
        other => panic!("expected a state error, got {other:?}"),
    }
}

#[tokio::test]
async fn handle_events_reach_menus() {
    let sim = sim(|c| {
        c.hosts(1);
    })
    .await;
    let h = sim.handle();
    let ip = h.host_appears(Some("guest-phone"), None);
    let leases = h.print("/ip/dhcp-server/lease").unwrap();
    assert!(leases
        .iter()
        .any(|l| get(l, "address") == ip && get(l, "host-name") == "guest-phone"));
    h.cpu_spike(99, 3);
    assert_eq!(
        get(&h.print("/system/resource").unwrap()[0], "cpu-load"),
        "99"
    );
    assert!(matches!(
        h.set_link("nope", false),
        Err(Error::Refused { .. })
    ));
    assert!(matches!(h.print("/no/such"), Err(Error::NoSuchMenu(_))));
}
