//! Every validation code, triggered by a small script, and absent from a clean one.

use queue_model::{rsc, validate, Severity};

fn codes(script: &str) -> Vec<(Severity, &'static str, Option<String>)> {
    let cfg = rsc::parse(script).unwrap_or_else(|e| panic!("{e}"));
    validate(&cfg)
        .into_iter()
        .map(|d| (d.severity, d.code, d.queue().map(ToString::to_string)))
        .collect()
}

fn has(script: &str, code: &str, queue: &str) -> bool {
    codes(script)
        .iter()
        .any(|(_, c, q)| *c == code && q.as_deref() == Some(queue))
}

const CLEAN: &str = "\
/ip firewall layer7-protocol
add name=youtube regexp=\"(youtube|googlevideo)\\\\.com\"
/ip firewall mangle
add action=mark-connection chain=prerouting layer7-protocol=youtube new-connection-mark=yt
add action=mark-packet chain=prerouting connection-mark=yt new-packet-mark=yt-p passthrough=no
/queue simple
add max-limit=10M/20M name=total target=192.168.88.0/24
add burst-limit=4M/8M burst-threshold=1500k/3M burst-time=16s/16s limit-at=1M/2M \\
    max-limit=2M/5M name=house-1 parent=total priority=1/1 target=192.168.88.10
add limit-at=1M/1M max-limit=2M/5M name=house-2 parent=total target=192.168.88.11
add max-limit=1M/2M name=youtube packet-marks=yt-p parent=total target=192.168.88.0/24
";

#[test]
fn a_sound_configuration_has_no_diagnostics() {
    assert_eq!(codes(CLEAN), vec![]);
}

#[test]
fn errors() {
    let s = "/queue simple\nadd name=a\n";
    assert!(has(s, "missing-target", "a"));
    let s = "/queue simple\nadd name=a target=1.1.1.1\nadd name=a target=1.1.1.2\n";
    assert!(has(s, "duplicate-name", "a"));
    let s = "/queue simple\nadd name=a parent=ghost target=1.1.1.1\n";
    assert!(has(s, "unknown-parent", "a"));
    let s =
        "/queue simple\nadd name=a parent=b target=1.1.1.1\nadd name=b parent=a target=1.1.1.2\n";
    assert!(has(s, "parent-cycle", "a") && has(s, "parent-cycle", "b"));
    let mut deep = String::from("/queue simple\nadd name=l1 target=10.0.0.0/8\n");
    for i in 2..=8 {
        deep.push_str(&format!(
            "add name=l{i} parent=l{} target=10.0.0.{i}\n",
            i - 1
        ));
    }
    assert!(has(&deep, "too-deep", "l8"));
    assert!(!has(&deep, "too-deep", "l7"));
    let s = "/queue simple\nadd name=a priority=0/9 target=1.1.1.1\n";
    assert!(has(s, "priority-range", "a"));
    let s = "/queue simple\nadd bucket-size=11/0.1 name=a target=1.1.1.1\n";
    assert!(has(s, "bucket-size-range", "a"));
    let s = "/queue simple\nadd burst-limit=2M/2M burst-threshold=1M/1M burst-time=8s/8s max-limit=2M/2M name=a target=1.1.1.1\n";
    assert!(has(s, "burst-limit-not-above-max-limit", "a"));
    let s = "/queue simple\nadd limit-at=3M/1M max-limit=2M/2M name=a target=1.1.1.1\n";
    assert!(has(s, "limit-at-above-max-limit", "a"));
    for (sev, code, _) in codes(s) {
        assert_eq!(sev, Severity::Error, "{code}");
    }
}

#[test]
fn warnings() {
    let s = "/queue simple\nadd burst-limit=4M/4M burst-threshold=3M/3M burst-time=8s/8s max-limit=2M/2M name=a target=1.1.1.1\n";
    assert!(has(s, "burst-threshold-outside", "a"));
    let s = "/queue simple\nadd burst-limit=4M/4M burst-threshold=1M/1M max-limit=2M/2M name=a target=1.1.1.1\n";
    assert!(has(s, "burst-without-time", "a"));
    let s = "/queue simple\nadd max-limit=3M/3M name=p target=10.0.0.0/24\n\
             add limit-at=2M/2M max-limit=3M/3M name=x parent=p target=10.0.0.1\n\
             add limit-at=2M/2M max-limit=3M/3M name=y parent=p target=10.0.0.2\n";
    assert!(has(s, "children-limit-at-exceed-parent", "p"));
    let s = "/queue simple\nadd max-limit=3M/3M name=p target=10.0.0.0/24\n\
             add max-limit=5M/5M name=x parent=p target=10.0.0.1\n";
    assert!(has(s, "child-max-limit-above-parent", "x"));
    let s = "/queue simple\nadd max-limit=3M/3M name=p priority=1/1 target=10.0.0.0/24\n\
             add max-limit=3M/3M name=x parent=p target=10.0.0.1\n";
    assert!(has(s, "priority-on-inner-queue", "p"));
    let s = "/queue simple\nadd name=a priority=2/2 target=1.1.1.1\n";
    assert!(has(s, "priority-without-max-limit", "a"));
    let s = "/queue simple\nadd name=all target=192.168.0.0/16\nadd name=one target=192.168.5.5\n";
    assert!(has(s, "shadowed-queue", "one"));
    assert!(!has(s, "shadowed-queue", "all"));
    // A queue restricted by packet-marks does not shadow.
    let s = "/queue simple\nadd name=all packet-marks=m target=192.168.0.0/16\nadd name=one target=192.168.5.5\n";
    assert!(!has(s, "shadowed-queue", "one"));
    assert!(has(s, "packet-mark-never-set", "all"));
    let s = "/ip firewall layer7-protocol\nadd name=unused regexp=abc\n";
    let d = validate(&rsc::parse(s).unwrap());
    assert!(d
        .iter()
        .any(|d| d.code == "layer7-unused" && d.severity == Severity::Warning));
}

#[test]
fn layer7_problems() {
    let s = "/ip firewall layer7-protocol\nadd name=bad regexp=\"(abc\"\n\
             /ip firewall filter\nadd action=drop chain=forward layer7-protocol=bad\n\
             add action=drop chain=forward layer7-protocol=missing\n";
    let d = validate(&rsc::parse(s).unwrap());
    let l7 = d
        .iter()
        .find(|d| d.code == "layer7-regexp")
        .expect("regexp error");
    assert!(l7.is_error(), "{l7}");
    assert!(l7.message.starts_with("L7E"), "{}", l7.message);
    assert!(d
        .iter()
        .any(|d| d.code == "unknown-layer7-protocol" && d.is_error()));
    assert!(!d.iter().any(|d| d.code == "layer7-unused"));
}
