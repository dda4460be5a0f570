//! Router bytes kept exactly end to end: ros-sim → client → queue-model → `.rsc` render and
//! parse → plan → ros-sim. Winbox writes the PC's code page, so names and comments that are
//! not UTF-8 are normal on real routers.

use queue_model::{plan, rsc, Config as QueueConfig, Item, SimpleQueue, Text};
use ros_sim::{SimConfig, Simulator};
use routeros_proto::client::Config;
use routeros_proto::{Client, Command};

async fn start() -> (ros_sim::RunningSim, Client) {
    let mut config = SimConfig::new();
    config
        .listen("127.0.0.1:0".parse().unwrap())
        .queues(0)
        .tick_interval(None)
        .password("pw");
    let sim = Simulator::start(config).await.unwrap();
    let mut c = Config::new(sim.addr().to_string());
    c.user("admin").password("pw");
    let client = c.connect().await.unwrap();
    (sim, client)
}

async fn queues(client: &Client) -> QueueConfig {
    let rows = client
        .print(Command::new("/queue/simple/print"))
        .await
        .unwrap();
    let mut cfg = QueueConfig::new();
    for mut row in rows {
        row.remove("dynamic");
        row.remove("invalid");
        cfg.queues.push(SimpleQueue::from_attributes(&row).unwrap());
    }
    cfg
}

async fn run(client: &Client, current: &QueueConfig, desired: &QueueConfig) {
    for change in plan(current, desired) {
        client.execute(change.to_command()).await.unwrap();
    }
}

#[tokio::test]
async fn every_byte_survives_the_whole_way() {
    let (sim, client) = start().await;
    let every: Vec<u8> = (1..=255).collect();
    // A name with every byte but `,` (a list separator in `numbers=`, on RouterOS too).
    let name: Vec<u8> = every.iter().copied().filter(|&b| b != b',').collect();
    let cp1251 = b"\xcf\xf0\xe8\xe2\xe5\xf2 caf\xe9".to_vec();
    client
        .execute(
            Command::builder("/queue/simple/add")
                .attribute("name", &name)
                .attribute("target", "10.0.0.1/32")
                .attribute("comment", &every)
                .build(),
        )
        .await
        .unwrap();
    client
        .execute(
            Command::builder("/queue/simple/add")
                .attribute("name", b"q\xff\xfe")
                .attribute("target", "10.0.0.2/32")
                .attribute("comment", &cp1251)
                .build(),
        )
        .await
        .unwrap();

    // Read back exactly.
    let current = queues(&client).await;
    assert_eq!(current.queues[0].name.as_bytes(), &name[..]);
    assert_eq!(current.queues[0].comment.as_deref(), Some(&every[..]));
    assert_eq!(current.queues[1].name.as_bytes(), b"q\xff\xfe");

    // Through a script and back, unchanged; a plan to it is empty.
    let script = rsc::render(&current);
    assert!(script.is_ascii(), "bytes are written as \\HH escapes");
    let mut parsed = rsc::parse(&script).unwrap();
    for (p, c) in parsed.queues.iter_mut().zip(&current.queues) {
        // `.id` and counters are not part of a script
        p.id = c.id.clone();
        p.stats = c.stats.clone();
    }
    assert_eq!(parsed, current);
    assert!(plan(&current, &parsed).is_empty());

    // An edit of max-limit touches max-limit only: the CP1251 comment stays as it was.
    let mut desired = current.clone();
    desired.queues[1].max_limit = "2M/5M".parse().unwrap();
    let changes = plan(&current, &desired);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].to_string(),
        r#"/queue simple set [find name="q\FF\FE"] max-limit=2M/5M"#
    );
    run(&client, &current, &desired).await;
    let after = queues(&client).await;
    assert_eq!(after.queues[1].comment.as_deref(), Some(&cp1251[..]));
    assert_eq!(after.queues[1].max_limit, "2M/5M".parse().unwrap());
    assert_eq!(after.queues[0].comment.as_deref(), Some(&every[..]));
    sim.shutdown().await;
}

/// A 20 KB comment that is not UTF-8 comes back as 20 KB, not as its U+FFFD expansion.
#[tokio::test]
async fn a_large_non_utf8_comment_keeps_its_size() {
    let (sim, client) = start().await;
    let comment: Vec<u8> = (0..20_000).map(|i| 0x80 | (i % 0x7f) as u8).collect();
    client
        .execute(
            Command::builder("/queue/simple/add")
                .attribute("name", "big")
                .attribute("target", "10.0.0.3/32")
                .attribute("comment", &comment)
                .build(),
        )
        .await
        .unwrap();
    let rows = client
        .print(Command::new("/queue/simple/print"))
        .await
        .unwrap();
    assert_eq!(rows[0].get("comment").map(<[u8]>::len), Some(20_000));
    assert_eq!(rows[0].get("comment"), Some(&comment[..]));
    let q = SimpleQueue::from_attributes(&rows[0]).unwrap();
    assert_eq!(q.comment, Some(Text::from(comment)));
    sim.shutdown().await;
}
