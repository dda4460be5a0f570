//! Golden cases from MikroTik's HTB and Queue Burst manual pages.

use queue_model::sim::{run, Flow, Scenario};
use queue_model::{rsc, Direction, Rate, Time, UpDown};

const M: u64 = 1_000_000;

/// The HTB page's tree: Queue01 (inner, max 10M) has Queue02 (inner) and Queue03 (leaf);
/// Queue02 has Queue04 and Queue05. Every max-limit is 10M and every leaf wants 10M.
fn htb(q2_limit: &str, q3: (&str, u8), q4: (&str, u8), q5: (&str, u8)) -> [u64; 3] {
    let script = format!(
        "/queue simple\n\
         add max-limit=10M/10M name=Queue01 target=10.0.0.0/24\n\
         add limit-at={q2_limit}/{q2_limit} max-limit=10M/10M name=Queue02 parent=Queue01 target=10.0.0.0/25\n\
         add limit-at={a}/{a} max-limit=10M/10M name=Queue03 parent=Queue01 priority={pa}/{pa} target=10.0.0.200\n\
         add limit-at={b}/{b} max-limit=10M/10M name=Queue04 parent=Queue02 priority={pb}/{pb} target=10.0.0.1\n\
         add limit-at={c}/{c} max-limit=10M/10M name=Queue05 parent=Queue02 priority={pc}/{pc} target=10.0.0.2\n",
        a = q3.0,
        pa = q3.1,
        b = q4.0,
        pb = q4.1,
        c = q5.0,
        pc = q5.1,
    );
    let cfg = rsc::parse(&script).unwrap();
    let mut s = Scenario::new(cfg, UpDown::both(Rate(10 * M)), Time::from_secs(5));
    for q in ["Queue03", "Queue04", "Queue05"] {
        s.flows
            .push(Flow::new(q, Direction::Download, Time::ZERO, Rate(10 * M)));
    }
    let r = run(&s).unwrap();
    let idx = |n: &str| r.queues.iter().position(|q| q == n).unwrap();
    // Every second is the same in a steady state; check them all, then return one.
    for sec in &r.seconds {
        assert_eq!(sec[idx("Queue01")].download, 10 * M, "link is full");
        assert_eq!(sec[idx("Queue03")].upload, 0);
    }
    let last = r.seconds.last().unwrap();
    [
        last[idx("Queue03")].download,
        last[idx("Queue04")].download,
        last[idx("Queue05")].download,
    ]
}

#[test]
fn htb_example_1() {
    assert_eq!(
        htb("4M", ("6M", 1), ("2M", 3), ("2M", 5)),
        [6 * M, 2 * M, 2 * M]
    );
}

#[test]
fn htb_example_2() {
    assert_eq!(
        htb("4M", ("2M", 3), ("2M", 1), ("2M", 5)),
        [2 * M, 6 * M, 2 * M]
    );
}

#[test]
fn htb_example_3() {
    assert_eq!(
        htb("8M", ("2M", 1), ("2M", 3), ("2M", 5)),
        [2 * M, 6 * M, 2 * M]
    );
}

#[test]
fn queue_burst_page() {
    let cfg = rsc::parse(
        "/queue simple\n\
         add burst-limit=4M/4M burst-threshold=1500k/1500k burst-time=16s/16s limit-at=1M/1M \\\n\
             max-limit=2M/2M name=q target=192.168.88.2\n",
    )
    .unwrap();
    let mut s = Scenario::new(cfg, UpDown::both(Rate(100 * M)), Time::from_secs(14));
    let mut f = Flow::new("q", Direction::Download, Time::ZERO, Rate(100 * M));
    f.size = Some(32 * M);
    s.flows.push(f);
    let r = run(&s).unwrap();
    let per_sec: Vec<u64> = r.seconds.iter().map(|s| s[0].download).collect();
    assert_eq!(
        per_sec,
        [4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0].map(|x| x * M),
        "4M for t=0..5, 2M from t=6, done at t=10"
    );
    assert_eq!(r.finished, [Some(10.0)]);
}

#[test]
fn equal_priorities_share_by_limit_at_or_equally() {
    let cfg = rsc::parse(
        "/queue simple\n\
         add name=a target=10.0.0.1 max-limit=10M/10M\n\
         add name=b target=10.0.0.2 max-limit=10M/10M\n\
         add limit-at=1M/1M name=c target=10.0.0.3 max-limit=10M/10M\n\
         add limit-at=3M/3M name=d target=10.0.0.4 max-limit=10M/10M\n",
    )
    .unwrap();
    let mut s = Scenario::new(cfg, UpDown::both(Rate(8 * M)), Time::from_secs(2));
    s.flows
        .push(Flow::new("a", Direction::Upload, Time::ZERO, Rate(10 * M)));
    s.flows
        .push(Flow::new("b", Direction::Upload, Time::ZERO, Rate(10 * M)));
    s.flows.push(Flow::new(
        "c",
        Direction::Download,
        Time::ZERO,
        Rate(10 * M),
    ));
    s.flows.push(Flow::new(
        "d",
        Direction::Download,
        Time::ZERO,
        Rate(10 * M),
    ));
    let r = run(&s).unwrap();
    let up: Vec<u64> = r.average.iter().map(|x| x.upload).collect();
    let down: Vec<u64> = r.average.iter().map(|x| x.download).collect();
    assert_eq!(up, [4 * M, 4 * M, 0, 0]);
    // c gets 1M + 1/4 of the remaining 4M, d 3M + 3/4 of it.
    assert_eq!(down, [0, 0, 2 * M, 6 * M]);
}

#[test]
fn a_parent_caps_its_children_and_a_late_flow_takes_its_share() {
    let cfg = rsc::parse(
        "/queue simple\n\
         add max-limit=6M/6M name=p target=10.0.0.0/24\n\
         add name=x parent=p target=10.0.0.1\n\
         add name=y parent=p target=10.0.0.2\n",
    )
    .unwrap();
    let mut s = Scenario::new(cfg, UpDown::both(Rate(100 * M)), Time::from_secs(4));
    s.flows.push(Flow::new(
        "x",
        Direction::Download,
        Time::ZERO,
        Rate(50 * M),
    ));
    s.flows.push(Flow::new(
        "y",
        Direction::Download,
        Time::from_secs(2),
        Rate(50 * M),
    ));
    let r = run(&s).unwrap();
    assert_eq!(r.seconds[0][1].download, 6 * M);
    assert_eq!(r.seconds[0][2].download, 0);
    assert_eq!(r.seconds[3][1].download, 3 * M);
    assert_eq!(r.seconds[3][2].download, 3 * M);
    assert_eq!(r.seconds[3][0].download, 6 * M);
}

#[test]
fn flows_on_inner_or_unknown_queues_are_refused() {
    let cfg = rsc::parse(
        "/queue simple\nadd name=p target=10.0.0.0/24\nadd name=x parent=p target=10.0.0.1\n",
    )
    .unwrap();
    let mut s = Scenario::new(cfg, UpDown::both(Rate(M)), Time::from_secs(1));
    s.flows
        .push(Flow::new("p", Direction::Download, Time::ZERO, Rate(M)));
    assert!(matches!(run(&s), Err(queue_model::SimError::InnerQueue(_))));
    s.flows[0].queue = "nope".into();
    assert!(matches!(
        run(&s),
        Err(queue_model::SimError::UnknownQueue(_))
    ));
    s.flows.clear();
    s.tick = Time::ZERO;
    assert!(matches!(run(&s), Err(queue_model::SimError::BadTick)));
}
