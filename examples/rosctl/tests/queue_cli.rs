//! `rosctl queue` run as a process: lint exit codes, plans from files, simulation output, and
//! `apply` against the RouterOS simulator on a loopback port.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rosctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rosctl"))
        .args(args)
        .env_remove("ROS_PASSWORD")
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn lint_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(
        dir.path(),
        "ok.rsc",
        "/queue simple\nadd max-limit=2M/5M name=a target=192.168.88.2\n",
    );
    let o = rosctl(&["queue", "lint", ok.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");

    let warn = write(
        dir.path(),
        "warn.rsc",
        "/queue simple\nadd name=all target=192.168.88.0/24\nadd name=one target=192.168.88.2\n",
    );
    let o = rosctl(&["queue", "lint", warn.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("warning[shadowed-queue]: queue `one`"),
        "{}",
        stdout(&o)
    );

    let bad = write(
        dir.path(),
        "bad.rsc",
        "/queue simple\nadd limit-at=5M/5M max-limit=2M/2M name=a target=10.0.0.1\n",
    );
    let o = rosctl(&["queue", "lint", "--format", "json", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(line["code"], "limit-at-above-max-limit");
    assert_eq!(line["queue"], "a");
    assert_eq!(line["severity"], "error");

    let broken = write(dir.path(), "broken.rsc", "/queue simple\nadd name=\"open\n");
    let o = rosctl(&["queue", "lint", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 2, column 10: unterminated string"),
        "{}",
        stderr(&o)
    );

    let o = rosctl(&[
        "queue",
        "lint",
        dir.path().join("missing.rsc").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("rosctl: cannot read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plan_between_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let current = write(
        dir.path(),
        "current.rsc",
        "/queue simple\nadd name=old target=10.0.0.9\nadd max-limit=1M/1M name=a target=10.0.0.1\n",
    );
    let desired = write(
        dir.path(),
        "desired.rsc",
        "/queue simple\nadd max-limit=2M/2M name=a target=10.0.0.1\nadd name=new target=10.0.0.2\n",
    );
    let o = rosctl(&[
        "queue",
        "plan",
        "--desired",
        desired.to_str().unwrap(),
        "--current",
        current.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "/queue simple set [find name=a] max-limit=2M/2M\n\
         /queue simple add name=new target=10.0.0.2/32\n\
         /queue simple remove [find name=old]\n"
    );
    let o = rosctl(&[
        "queue",
        "plan",
        "--api",
        "--desired",
        desired.to_str().unwrap(),
        "--current",
        desired.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no changes"));
    // Without --current and without --router, say what is missing.
    let o = rosctl(&["queue", "plan", "--desired", desired.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--router"), "{}", stderr(&o));
}

#[test]
fn simulate_the_htb_example_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "htb.toml",
        r#"
link = "10M"
duration = "3s"
tick = "100ms"
rsc = """
/queue simple
add max-limit=10M/10M name=Queue01 target=10.0.0.0/24
add limit-at=4M/4M max-limit=10M/10M name=Queue02 parent=Queue01 target=10.0.0.0/25
add limit-at=2M/2M max-limit=10M/10M name=Queue03 parent=Queue01 priority=3/3 target=10.0.0.200
add limit-at=2M/2M max-limit=10M/10M name=Queue04 parent=Queue02 priority=1/1 target=10.0.0.1
add limit-at=2M/2M max-limit=10M/10M name=Queue05 parent=Queue02 priority=5/5 target=10.0.0.2
"""

[[flow]]
queue = "Queue03"
direction = "download"
rate = "10M"

[[flow]]
queue = "Queue04"
direction = "download"
rate = "10M"
size = "12M"

[[flow]]
queue = "Queue05"
direction = "download"
start = "0s"
rate = "10M"
"#,
    );
    let o = rosctl(&[
        "queue",
        "simulate",
        "--format",
        "json",
        scenario.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &v["seconds"][0];
    assert_eq!(first["t"], 0);
    assert_eq!(first["rates"]["Queue03"], 2_000_000);
    assert_eq!(first["rates"]["Queue04"], 6_000_000);
    assert_eq!(first["rates"]["Queue05"], 2_000_000);
    assert_eq!(first["rates"]["Queue01"], 10_000_000);
    // Queue04's 12 Mbit are done after two seconds at 6M. Then Queue02's 4M limit-at goes to
    // Queue05 alone, and the 4M left over to Queue03.
    assert_eq!(v["finished"]["Queue04"], 2.0);
    assert_eq!(v["seconds"][2]["rates"]["Queue03"], 6_000_000);
    assert_eq!(v["seconds"][2]["rates"]["Queue05"], 4_000_000);
    assert_eq!(v["seconds"][2]["rates"]["Queue04"], 0);

    let o = rosctl(&["queue", "simulate", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let table = stdout(&o);
    assert!(table.contains("Queue04"), "{table}");
    assert!(table.contains("finished at 2s"), "{table}");

    let bad = write(
        dir.path(),
        "bad.toml",
        "link = \"fast\"\nduration = \"1s\"\nrsc = \"\"\n",
    );
    let o = rosctl(&["queue", "simulate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`link`: invalid rate `fast`"),
        "{}",
        stderr(&o)
    );
}

async fn start_router(rsc: &str) -> ros_sim::RunningSim {
    let mut config = ros_sim::SimConfig::new();
    config
        .listen("127.0.0.1:0".parse().unwrap())
        .hosts(0)
        .queues(0)
        .tick_interval(None)
        .state_rsc(rsc);
    ros_sim::Simulator::start(config).await.unwrap()
}

async fn rosctl_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rosctl(&args)
    })
    .await
    .unwrap()
}

fn names(handle: &ros_sim::SimHandle) -> Vec<(String, String)> {
    handle
        .print("/queue/simple")
        .unwrap()
        .iter()
        .map(|row| {
            let get = |k: &str| {
                row.iter()
                    .find(|(n, _)| n.as_str() == k)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            };
            (get("name"), get("max-limit"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_against_the_simulator_and_stop_at_the_first_trap() {
    let sim = start_router(
        "/queue simple\nadd max-limit=1M/1M name=a target=192.168.88.10\nadd name=old target=192.168.88.11\n",
    )
    .await;
    let addr = sim.addr().to_string();
    let dir = tempfile::tempdir().unwrap();
    let desired = write(
        dir.path(),
        "desired.rsc",
        "/queue simple\nadd max-limit=2M/5M name=a target=192.168.88.10\nadd name=b target=192.168.88.12\n",
    );
    let o = rosctl_async(vec![
        "--router".into(),
        addr.clone(),
        "queue".into(),
        "apply".into(),
        "--desired".into(),
        desired.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("applied 3 changes"), "{}", stdout(&o));
    let state = names(&sim.handle());
    let got: Vec<&str> = state.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(got, ["a", "b"], "{state:?}");

    // Planning again against the router finds nothing to do.
    let o = rosctl_async(vec![
        "--router".into(),
        addr.clone(),
        "queue".into(),
        "plan".into(),
        "--desired".into(),
        desired.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "{}", stdout(&o));

    // A value the router refuses: the first change goes through, the second stops the run.
    let refused = write(
        dir.path(),
        "refused.rsc",
        "/queue simple\nadd max-limit=2M/5M name=a target=192.168.88.10\nadd name=b target=192.168.88.12\n\
         add name=c target=192.168.88.13\nadd name=d priority=9/9 target=192.168.88.14\n\
         add name=e target=192.168.88.15\n",
    );
    let o = rosctl_async(vec![
        "--router".into(),
        addr.clone(),
        "queue".into(),
        "apply".into(),
        "--desired".into(),
        refused.display().to_string(),
    ])
    .await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "validation errors stop apply without --force"
    );
    assert!(stderr(&o).contains("priority-range"), "{}", stderr(&o));
    let o = rosctl_async(vec![
        "--router".into(),
        addr,
        "queue".into(),
        "apply".into(),
        "--force".into(),
        "--desired".into(),
        refused.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("applied: /queue simple add name=c"),
        "{}",
        stdout(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("failed: /queue simple add name=d priority=9/9"),
        "{err}"
    );
    // The router's own words, whatever they are, name the refused property.
    let said = err.split("router said: ").nth(1).unwrap_or_default();
    assert!(
        said.lines().next().unwrap_or_default().contains("priority"),
        "{err}"
    );
    assert!(err.contains("stopped after 1 of 3 changes"), "{err}");
    let got: Vec<String> = names(&sim.handle()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(got, ["a", "b", "c"]);
    sim.shutdown().await;
}

/// Mangle rules, two PCQ types and two trees: share the link equally among the LAN.
const TREES_RSC: &str = "\
/queue type
add kind=pcq name=pcq-down pcq-classifier=dst-address
add kind=pcq name=pcq-up pcq-classifier=src-address
/ip firewall mangle
add action=mark-connection chain=forward comment=\"lan conn\" new-connection-mark=lan src-address=192.168.88.0/24
add action=mark-packet chain=forward comment=\"lan down\" connection-mark=lan in-interface=ether1 new-packet-mark=lan-down passthrough=no
add action=mark-packet chain=forward comment=\"lan up\" connection-mark=lan new-packet-mark=lan-up out-interface=ether1 passthrough=no
/queue tree
add max-limit=20M name=down packet-mark=lan-down parent=global queue=pcq-down
add max-limit=5M name=up packet-mark=lan-up parent=global queue=pcq-up
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_trees_types_and_mangle_then_plan_nothing() {
    // The router has a rule the file does not have (by comment), and one of the file's rules
    // with another value.
    let sim = start_router(
        "/ip firewall mangle\nadd action=mark-packet chain=forward comment=\"lan up\" new-packet-mark=old\n\
         add action=accept chain=forward comment=stale\n",
    )
    .await;
    let addr = sim.addr().to_string();
    let dir = tempfile::tempdir().unwrap();
    let desired = write(dir.path(), "trees.rsc", TREES_RSC);
    let run = |verb: &str| {
        vec![
            "--router".into(),
            addr.clone(),
            "queue".into(),
            verb.into(),
            "--desired".into(),
            desired.display().to_string(),
        ]
    };
    let o = rosctl_async(run("apply")).await;
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let h = sim.handle();
    let get = |row: &ros_sim::Row, k: &str| {
        row.iter()
            .find(|(n, _)| n.as_str() == k)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    let trees: Vec<String> = h
        .print("/queue/tree")
        .unwrap()
        .iter()
        .map(|r| get(r, "name"))
        .collect();
    assert_eq!(trees, ["down", "up"]);
    let comments: Vec<String> = h
        .print("/ip/firewall/mangle")
        .unwrap()
        .iter()
        .map(|r| get(r, "comment"))
        .filter(|c| c.starts_with("lan") || c == "stale")
        .collect();
    assert_eq!(comments, ["lan conn", "lan down", "lan up"]);
    let up = h
        .print("/ip/firewall/mangle")
        .unwrap()
        .into_iter()
        .find(|r| get(r, "comment") == "lan up")
        .unwrap();
    assert_eq!(get(&up, "new-packet-mark"), "lan-up");
    assert_eq!(get(&up, "out-interface"), "ether1");

    // Read back (built-in types and the router's own rules included), nothing is left to do.
    let o = rosctl_async(run("plan")).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "{}", stdout(&o));

    // The trees carry the LAN's traffic once hosts appear.
    for _ in 0..6 {
        h.host_appears(None, None);
    }
    h.tick(60);
    let down = h
        .print("/queue/tree")
        .unwrap()
        .into_iter()
        .find(|r| get(r, "name") == "down")
        .unwrap();
    assert!(get(&down, "bytes").parse::<u64>().unwrap() > 0, "{down:?}");
}

#[test]
fn lint_a_broken_tree_export() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "broken.rsc",
        "/queue type\nadd kind=pcq name=pcq-down pcq-classifier=dst-address\n\
         /queue tree\nadd name=down packet-mark=nobody parent=global queue=pcq-down\n\
         add name=up parent=global queue=pcq-upp\n",
    );
    let o = rosctl(&[
        "queue",
        "lint",
        "--format",
        "json",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let codes: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].to_string())
        .collect();
    for code in [
        "unknown-queue-type",
        "tree-packet-mark-never-set",
        "pcq-without-limit",
    ] {
        assert!(
            codes.iter().any(|c| c.contains(code)),
            "{code} in {codes:?}"
        );
    }
}

#[test]
fn simulate_pcq_trees_shares_equally() {
    let dir = tempfile::tempdir().unwrap();
    let rsc = TREES_RSC.replace('"', "\\\"");
    let scenario = write(
        dir.path(),
        "pcq.toml",
        &format!(
            "link = \"100M\"\nduration = \"10s\"\nrsc = \"\"\"\n{rsc}\"\"\"\n\
             [[flow]]\nqueue = \"down\"\ndirection = \"download\"\nrate = \"50M\"\nkey = \"192.168.88.10\"\n\
             [[flow]]\nqueue = \"down\"\ndirection = \"download\"\nrate = \"50M\"\nkey = \"192.168.88.11\"\n\
             [[flow]]\nqueue = \"down\"\ndirection = \"download\"\nrate = \"50M\"\nkey = \"192.168.88.12\"\n\
             [[flow]]\nqueue = \"down\"\ndirection = \"download\"\nrate = \"2M\"\nkey = \"192.168.88.13\"\n"
        ),
    );
    let o = rosctl(&[
        "queue",
        "simulate",
        "--format",
        "json",
        scenario.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let avg: Vec<u64> = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["average"].as_u64().unwrap())
        .collect();
    // 20M: the light user gets its 2M, the three others share the remaining 18M equally.
    assert!(avg[3].abs_diff(2_000_000) < 50_000, "{avg:?}");
    for a in &avg[..3] {
        assert!(a.abs_diff(6_000_000) < 150_000, "{avg:?}");
    }
}
