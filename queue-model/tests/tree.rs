//! Queue trees, queue types and the mangle rules that feed them: `.rsc` round trips, lints,
//! plans and the PCQ simulator.

use proptest::prelude::*;
use queue_model::sim::{TreeFlow, TreeSimulation};
use queue_model::{
    apply, plan, rsc, validate, Action, Config, FirewallRule, Item, PcqClassifier, QueueKind,
    QueueTree, QueueType, Rate, Ratio, Severity, Subject, Text, Time,
};

/// The research example: PCQ per direction under `global`, split by interface.
const PCQ_EXAMPLE: &str = "\
/queue type
add kind=pcq name=pcq-down pcq-classifier=dst-address pcq-rate=0
add kind=pcq name=pcq-up pcq-classifier=src-address pcq-rate=0
/ip firewall mangle
add action=mark-packet chain=prerouting in-interface=LAN new-packet-mark=up passthrough=no
add action=mark-packet chain=prerouting in-interface=WAN new-packet-mark=down passthrough=no
/queue tree
add max-limit=20M name=down packet-mark=down parent=global queue=pcq-down
add max-limit=5M name=up packet-mark=up parent=global queue=pcq-up
";

fn codes(cfg: &Config) -> Vec<&'static str> {
    validate(cfg).iter().map(|d| d.code).collect()
}

fn parse(s: &str) -> Config {
    rsc::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn example_parses_renders_and_validates_clean() {
    let cfg = parse(PCQ_EXAMPLE);
    assert_eq!(cfg.queue_types.len(), 2);
    assert_eq!(cfg.queue_types[0].kind, QueueKind::Pcq);
    assert_eq!(
        cfg.queue_types[1].pcq_classifier,
        [PcqClassifier::SrcAddress]
    );
    assert_eq!(cfg.mangle[0].in_interface.as_deref(), Some(&b"LAN"[..]));
    let t = cfg.queue_tree("down").unwrap();
    assert_eq!(
        (t.max_limit, t.queue.as_str()),
        (Rate(20_000_000), "pcq-down")
    );
    assert!(t.is_global());
    assert_eq!(codes(&cfg), Vec::<&str>::new());
    let text = rsc::render(&cfg);
    assert_eq!(
        text,
        "/queue type\n\
         add kind=pcq name=pcq-down pcq-classifier=dst-address\n\
         add kind=pcq name=pcq-up pcq-classifier=src-address\n\
         /ip firewall mangle\n\
         add action=mark-packet chain=prerouting in-interface=LAN new-packet-mark=up \\\n    passthrough=no\n\
         add action=mark-packet chain=prerouting in-interface=WAN new-packet-mark=down \\\n    passthrough=no\n\
         /queue simple\n"
            .replace("/queue simple\n", "")
            + "/queue tree\n\
         add max-limit=20M name=down packet-mark=down parent=global queue=pcq-down\n\
         add max-limit=5M name=up packet-mark=up parent=global queue=pcq-up\n"
    );
    assert_eq!(parse(&text), cfg);
    assert!(plan(&cfg, &cfg).is_empty());
}

#[test]
fn verbose_and_compact_properties() {
    let t = QueueTree::new("a", "ether1");
    let all: Vec<String> = t.all_properties().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        all,
        [
            "bucket-size",
            "burst-limit",
            "burst-threshold",
            "burst-time",
            "comment",
            "disabled",
            "limit-at",
            "max-limit",
            "name",
            "packet-mark",
            "parent",
            "priority",
            "queue"
        ]
    );
    assert_eq!(t.properties().len(), 2);
    // A verbose export (every default written out) reads back to the same item.
    let verbose: String = t
        .all_properties()
        .iter()
        .map(|(k, v)| format!(" {k}={}", rsc::quote(v.as_bytes())))
        .collect();
    let cfg = parse(&format!("/queue tree\nadd{verbose}\n"));
    assert_eq!(cfg.queue_trees[0], t);

    let mut p = QueueType::new("p", QueueKind::Pcq);
    let keys: Vec<String> = p.all_properties().into_iter().map(|(k, _)| k).collect();
    assert!(keys.contains(&"pcq-total-limit".to_owned()));
    assert!(keys.contains(&"pfifo-limit".to_owned()));
    p.pfifo_limit = 7; // another kind's property is kept when set
    assert!(p
        .properties()
        .contains(&("pfifo-limit".to_owned(), "7".into())));
    let verbose: String = p
        .all_properties()
        .iter()
        .map(|(k, v)| format!(" {k}={}", rsc::quote(v.as_bytes())))
        .collect();
    assert!(verbose.contains("pcq-limit=50KiB"), "{verbose}");
    assert_eq!(
        parse(&format!("/queue type\nadd{verbose}\n")).queue_types[0],
        p
    );
    let fifo = parse("/queue type\nadd kind=bfifo bfifo-limit=30000 name=b\nadd kind=mq-pfifo mq-pfifo-limit=100 name=m\nadd kind=sfq name=s sfq-perturb=10\nadd kind=red name=r red-limit=100\n");
    assert_eq!(fifo.queue_types[0].bfifo_limit, 30_000);
    assert_eq!(fifo.queue_types[1].mq_pfifo_limit, 100);
    assert_eq!(fifo.queue_types[2].sfq_perturb, 10);
    assert_eq!(fifo.queue_types[3].red_limit, 100);
    assert_eq!(parse(&rsc::render(&fifo)), fifo);
}

#[test]
fn bad_values_are_typed_errors_and_bytes_are_kept() {
    for bad in [
        "/queue tree\nadd name=a parent=global max-limit=fast\n",
        "/queue tree\nadd name=a parent=global priority=x\n",
        "/queue tree\nadd name=a\n",
        "/queue tree\nadd name=a parent=global rate=5M\n",
        "/queue type\nadd name=a kind=teleport\n",
        "/queue type\nadd name=a kind=pcq pcq-classifier=mac\n",
        "/queue type\nadd name=a kind=pcq pcq-dst-address-mask=33\n",
        "/queue type\nadd name=a kind=pcq pcq-limit=lots\n",
    ] {
        assert!(rsc::parse(bad).is_err(), "{bad}");
    }
    let e = QueueTree::from_attributes(
        &[("name", "a"), ("parent", "global"), ("priority", "9")]
            .into_iter()
            .collect(),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "value of priority out of range (1..8)");
    // API rows carry counters: they are read past.
    let t = QueueTree::from_attributes(
        &[
            ("name", "a"),
            ("parent", "global"),
            ("bytes", "100"),
            ("pcq-queues", "3"),
        ]
        .into_iter()
        .collect(),
    )
    .unwrap();
    assert!(t.extra.is_empty());
    let cfg = rsc::parse_bytes(
        b"/queue tree\nadd comment=\"caf\\E9\" name=\"\\CF\\F0\" packet-mark=\"m\\FF\" parent=global\n",
    )
    .unwrap();
    let t = &cfg.queue_trees[0];
    assert_eq!(t.name.as_bytes(), b"\xcf\xf0");
    assert_eq!(t.packet_marks[0].as_bytes(), b"m\xff");
    assert_eq!(rsc::parse(&rsc::render(&cfg)).unwrap(), cfg);
}

/// Each lint: a minimal export where it fires, and the corrected export where it does not.
fn fires_then_silent(code: &str, bad: &str, good: &str) {
    let b = parse(bad);
    let d = validate(&b);
    assert!(
        d.iter().any(|d| d.code == code),
        "{code} should fire on:\n{bad}\n{d:#?}"
    );
    let g = parse(good);
    let d = validate(&g);
    assert!(
        !d.iter().any(|d| d.code == code),
        "{code} should be silent on:\n{good}\n{d:#?}"
    );
}

#[test]
fn tree_mark_never_set() {
    fires_then_silent(
        "tree-packet-mark-never-set",
        "/queue tree\nadd name=t packet-mark=web parent=ether1\n",
        "/ip firewall mangle\nadd action=mark-packet chain=forward new-packet-mark=web passthrough=no protocol=tcp\n\
         /queue tree\nadd name=t packet-mark=web parent=ether1\n",
    );
    // A disabled rule does not count; `no-mark` needs no rule.
    fires_then_silent(
        "tree-packet-mark-never-set",
        "/ip firewall mangle\nadd action=mark-packet chain=forward disabled=yes new-packet-mark=web\n\
         /queue tree\nadd name=t packet-mark=web parent=ether1\n",
        "/queue tree\nadd name=t packet-mark=no-mark parent=ether1\n",
    );
    let d = validate(&parse(
        "/queue tree\nadd name=t packet-mark=web parent=ether1\n",
    ));
    assert_eq!(d[0].subject, Subject::QueueTree("t".into()));
    assert!(d[0].fix.as_deref().unwrap().contains("new-packet-mark=web"));
    assert!(
        d[0].to_string().contains("(fix: add a mangle rule"),
        "{}",
        d[0]
    );
}

#[test]
fn mangle_comments_are_unique() {
    fires_then_silent(
        "duplicate-mangle-comment",
        "/ip firewall mangle\nadd action=mark-packet chain=forward comment=web new-packet-mark=a\n\
         add action=mark-packet chain=forward comment=web new-packet-mark=b\n",
        "/ip firewall mangle\nadd action=mark-packet chain=forward comment=web new-packet-mark=a\n\
         add action=mark-packet chain=forward comment=web2 new-packet-mark=b\n",
    );
}

#[test]
fn connection_mark_used_as_packet_mark() {
    fires_then_silent(
        "connection-mark-as-packet-mark",
        "/ip firewall mangle\nadd action=mark-connection chain=forward new-connection-mark=c src-address=10.0.0.0/24\n\
         /queue tree\nadd name=t packet-mark=c parent=ether1\n",
        "/ip firewall mangle\nadd action=mark-connection chain=forward new-connection-mark=c src-address=10.0.0.0/24\n\
         add action=mark-packet chain=forward connection-mark=c new-packet-mark=c passthrough=no\n\
         /queue tree\nadd name=t packet-mark=c parent=ether1\n",
    );
    // Simple queues too.
    fires_then_silent(
        "connection-mark-as-packet-mark",
        "/ip firewall mangle\nadd action=mark-connection chain=forward new-connection-mark=c\n\
         /queue simple\nadd name=q packet-marks=c target=10.0.0.0/24\n",
        "/ip firewall mangle\nadd action=mark-connection chain=forward new-connection-mark=c\n\
         add action=mark-packet chain=forward connection-mark=c new-packet-mark=c passthrough=no\n\
         /queue simple\nadd name=q packet-marks=c target=10.0.0.0/24\n",
    );
}

#[test]
fn unreachable_mark_packet_rule() {
    // The classic: mark-connection with passthrough=no takes every packet first.
    fires_then_silent(
        "mangle-rule-unreachable",
        "/ip firewall mangle\n\
         add action=mark-connection chain=prerouting new-connection-mark=c passthrough=no\n\
         add action=mark-packet chain=prerouting connection-mark=c new-packet-mark=p passthrough=no\n",
        "/ip firewall mangle\n\
         add action=mark-connection chain=prerouting new-connection-mark=c passthrough=yes\n\
         add action=mark-packet chain=prerouting connection-mark=c new-packet-mark=p passthrough=no\n",
    );
    // Same matchers, passthrough=no.
    fires_then_silent(
        "mangle-rule-unreachable",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward dst-port=80 new-packet-mark=a passthrough=no protocol=tcp\n\
         add action=mark-packet chain=forward dst-port=80 new-packet-mark=b passthrough=no protocol=tcp src-address=10.0.0.1\n",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward dst-port=80 new-packet-mark=b passthrough=no protocol=tcp src-address=10.0.0.1\n\
         add action=mark-packet chain=forward dst-port=80 new-packet-mark=a passthrough=no protocol=tcp\n",
    );
    let silent = [
        // Broader later rule: only partly shadowed, not certain.
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=a passthrough=no src-address=10.0.0.1\n\
         add action=mark-packet chain=forward new-packet-mark=b passthrough=no\n",
        // Another chain.
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=a passthrough=no\n\
         add action=mark-packet chain=postrouting new-packet-mark=b passthrough=no\n",
        // A rule in between may give the packets the mark the first rule tests.
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward packet-mark=x new-packet-mark=a passthrough=no\n\
         add action=mark-packet chain=forward new-packet-mark=x passthrough=yes src-address=10.0.0.9\n\
         add action=mark-packet chain=forward packet-mark=x new-packet-mark=b passthrough=no\n",
        // Negations are their own matchers.
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=a passthrough=no src-address=!10.0.0.1\n\
         add action=mark-packet chain=forward new-packet-mark=b passthrough=no src-address=10.0.0.1\n",
    ];
    for s in silent {
        assert!(
            !codes(&parse(s)).contains(&"mangle-rule-unreachable"),
            "{s}"
        );
    }
    let d = validate(&parse(
        "/ip firewall mangle\n\
         add action=mark-connection chain=prerouting new-connection-mark=c passthrough=no\n\
         add action=mark-packet chain=prerouting connection-mark=c new-packet-mark=p passthrough=no\n",
    ));
    let u = d
        .iter()
        .find(|d| d.code == "mangle-rule-unreachable")
        .unwrap();
    assert_eq!(u.subject, Subject::MangleRule(1));
    assert!(u.message.contains("mangle rule 0"), "{}", u.message);
}

#[test]
fn mark_overwritten_because_of_passthrough() {
    fires_then_silent(
        "mark-overwritten",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=voip protocol=udp\n\
         add action=mark-packet chain=forward new-packet-mark=bulk\n",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=voip passthrough=no protocol=udp\n\
         add action=mark-packet chain=forward new-packet-mark=bulk\n",
    );
    // The later rule tests the mark the first sets: still certain.
    fires_then_silent(
        "mark-overwritten",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=a protocol=tcp\n\
         add action=mark-packet chain=forward new-packet-mark=b packet-mark=a\n",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward new-packet-mark=a protocol=tcp\n\
         add action=mark-packet chain=forward new-packet-mark=b packet-mark=a dst-port=53 protocol=tcp\n",
    );
}

#[test]
fn global_tree_with_a_mark_for_both_directions() {
    fires_then_silent(
        "global-mark-both-directions",
        "/ip firewall mangle\n\
         add action=mark-connection chain=forward new-connection-mark=u1 src-address=10.0.0.2\n\
         add action=mark-packet chain=forward connection-mark=u1 new-packet-mark=u1 passthrough=no\n\
         /queue tree\nadd max-limit=2M name=u1 packet-mark=u1 parent=global\n",
        "/ip firewall mangle\n\
         add action=mark-connection chain=forward new-connection-mark=u1 src-address=10.0.0.2\n\
         add action=mark-packet chain=forward connection-mark=u1 in-interface=LAN new-packet-mark=u1-up passthrough=no\n\
         add action=mark-packet chain=forward connection-mark=u1 in-interface=WAN new-packet-mark=u1-down passthrough=no\n\
         /queue tree\nadd max-limit=1M name=u1-up packet-mark=u1-up parent=global\n\
         add max-limit=2M name=u1-down packet-mark=u1-down parent=global\n",
    );
    // One mark set by in-interface=X and out-interface=X rules.
    fires_then_silent(
        "global-mark-both-directions",
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward in-interface=WAN new-packet-mark=m passthrough=no\n\
         add action=mark-packet chain=forward new-packet-mark=m out-interface=WAN passthrough=no\n\
         /queue tree\nadd max-limit=2M name=t packet-mark=m parent=global\n",
        // Interface parents see one direction each.
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward in-interface=WAN new-packet-mark=m passthrough=no\n\
         add action=mark-packet chain=forward new-packet-mark=m out-interface=WAN passthrough=no\n\
         /queue tree\nadd max-limit=2M name=t packet-mark=m parent=ether2\n",
    );
}

#[test]
fn hierarchy_lints() {
    fires_then_silent(
        "children-limit-at-exceed-parent",
        "/queue tree\nadd max-limit=10M name=p parent=global\n\
         add limit-at=6M max-limit=10M name=a packet-mark=a parent=p\n\
         add limit-at=6M max-limit=10M name=b packet-mark=b parent=p\n",
        "/queue tree\nadd max-limit=10M name=p parent=global\n\
         add limit-at=4M max-limit=10M name=a packet-mark=a parent=p\n\
         add limit-at=6M max-limit=10M name=b packet-mark=b parent=p\n",
    );
    fires_then_silent(
        "child-max-limit-above-parent",
        "/queue tree\nadd max-limit=10M name=p parent=global\nadd max-limit=20M name=a parent=p\n",
        "/queue tree\nadd max-limit=10M name=p parent=global\nadd max-limit=10M name=a parent=p\n",
    );
    fires_then_silent(
        "priority-on-inner-queue",
        "/queue tree\nadd max-limit=10M name=p parent=global priority=1\nadd name=a parent=p\n",
        "/queue tree\nadd max-limit=10M name=p parent=global\nadd name=a parent=p priority=1\n",
    );
    fires_then_silent(
        "parent-cycle",
        "/queue tree\nadd name=a parent=b\nadd name=b parent=a\n",
        "/queue tree\nadd name=a parent=global\nadd name=b parent=a\n",
    );
    fires_then_silent(
        "limit-at-above-max-limit",
        "/queue tree\nadd limit-at=5M max-limit=2M name=a parent=global\n",
        "/queue tree\nadd limit-at=2M max-limit=5M name=a parent=global\n",
    );
    fires_then_silent(
        "duplicate-name",
        "/queue tree\nadd name=a parent=global\nadd name=a parent=ether1\n",
        "/queue tree\nadd name=a parent=global\nadd name=b parent=ether1\n",
    );
    fires_then_silent(
        "unknown-queue-type",
        "/queue tree\nadd name=a parent=global queue=pcq-nope\n",
        "/queue tree\nadd name=a parent=global queue=pcq-download-default\n",
    );
}

#[test]
fn pcq_without_rate_or_limit() {
    fires_then_silent(
        "pcq-without-limit",
        "/queue type\nadd kind=pcq name=pd pcq-classifier=dst-address\n\
         /queue tree\nadd name=d parent=ether2 queue=pd\n",
        "/queue type\nadd kind=pcq name=pd pcq-classifier=dst-address\n\
         /queue tree\nadd max-limit=20M name=all parent=ether2\nadd name=d parent=all queue=pd\n",
    );
    fires_then_silent(
        "pcq-without-limit",
        "/queue tree\nadd name=d parent=ether2 queue=pcq-download-default\n",
        "/queue type\nadd kind=pcq name=pd pcq-classifier=dst-address pcq-rate=2M\n\
         /queue tree\nadd name=d parent=ether2 queue=pd\n",
    );
}

#[test]
fn fasttrack_lets_marked_traffic_bypass() {
    let trees = "/ip firewall mangle\nadd action=mark-packet chain=forward new-packet-mark=m passthrough=no\n\
                 /queue tree\nadd max-limit=5M name=t packet-mark=m parent=ether1\n";
    fires_then_silent(
        "fasttrack-bypasses-queues",
        &format!("/ip firewall filter\nadd action=fasttrack-connection chain=forward connection-state=established,related\n{trees}"),
        &format!("/ip firewall filter\nadd action=fasttrack-connection chain=forward connection-mark=no-mark connection-state=established,related\n{trees}"),
    );
    let d = validate(&parse(&format!(
        "/ip firewall filter\nadd action=fasttrack-connection chain=forward\n{trees}"
    )));
    let f = d
        .iter()
        .find(|d| d.code == "fasttrack-bypasses-queues")
        .unwrap();
    assert_eq!(f.subject, Subject::FilterRule(0));
    // Without any queue, fasttrack is fine.
    assert!(codes(&parse(
        "/ip firewall filter\nadd action=fasttrack-connection chain=forward\n"
    ))
    .is_empty());
}

#[test]
fn simple_queue_and_tree_on_one_mark() {
    let mangle = "/ip firewall mangle\nadd action=mark-packet chain=forward new-packet-mark=m passthrough=no\n\
                  add action=mark-packet chain=forward new-packet-mark=n passthrough=no protocol=udp\n";
    fires_then_silent(
        "shaped-twice",
        &format!("{mangle}/queue simple\nadd name=s packet-marks=m target=10.0.0.0/24\n/queue tree\nadd name=t packet-mark=m parent=global\n"),
        &format!("{mangle}/queue simple\nadd name=s packet-marks=n target=10.0.0.0/24\n/queue tree\nadd name=t packet-mark=m parent=global\n"),
    );
    let d = validate(&parse(&format!(
        "{mangle}/queue simple\nadd name=s packet-marks=m target=10.0.0.0/24\n/queue tree\nadd name=t packet-mark=m parent=global\n"
    )));
    let s = d.iter().find(|d| d.code == "shaped-twice").unwrap();
    assert!(s.message.contains("old wiki"), "{}", s.message);
}

#[test]
fn more_than_4096_packet_marks() {
    let mut bad = String::from("/ip firewall mangle\n");
    for i in 0..=4096 {
        bad.push_str(&format!(
            "add action=mark-packet chain=forward dst-address=10.0.{}.{} new-packet-mark=m{i} passthrough=no\n",
            i / 256,
            i % 256
        ));
    }
    let cfg = parse(&bad);
    let d = validate(&cfg);
    let e = d
        .iter()
        .find(|d| d.code == "too-many-packet-marks")
        .unwrap();
    assert_eq!(e.severity, Severity::Error);
    assert_eq!(e.subject, Subject::MangleRule(4096));
    let mut good = cfg.clone();
    good.mangle.pop();
    assert!(!codes(&good).contains(&"too-many-packet-marks"));
}

#[test]
fn plan_trees_and_mangle() {
    let current = parse(
        "/ip firewall mangle\n\
         add action=mark-packet chain=forward comment=web new-packet-mark=web passthrough=no protocol=tcp\n\
         add action=mark-packet chain=forward comment=old new-packet-mark=old passthrough=no\n\
         add action=accept chain=forward comment=acc\n\
         /queue tree\nadd max-limit=10M name=p parent=global\nadd name=web packet-mark=web parent=p\n\
         add name=old packet-mark=old parent=p\n",
    );
    let desired = parse(
        "/queue type\nadd kind=pcq name=pd pcq-classifier=dst-address\n\
         /ip firewall mangle\n\
         add action=mark-packet chain=forward comment=voip new-packet-mark=voip passthrough=no protocol=udp\n\
         add action=mark-packet chain=forward comment=web dst-port=80,443 new-packet-mark=web passthrough=no protocol=tcp\n\
         add action=accept chain=forward comment=acc\n\
         /queue tree\nadd max-limit=20M name=p parent=global\nadd name=web packet-mark=web parent=p queue=pd\n\
         add name=voip packet-mark=voip parent=p priority=1\n",
    );
    let changes = plan(&current, &desired);
    let text: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "/queue type add kind=pcq name=pd pcq-classifier=dst-address",
            "/ip firewall mangle add action=mark-packet chain=forward comment=voip new-packet-mark=voip passthrough=no protocol=udp place-before=[find comment=web]",
            "/ip firewall mangle set [find comment=web] dst-port=80,443",
            "/ip firewall mangle remove [find comment=old]",
            "/queue tree set [find name=p] max-limit=20M",
            "/queue tree set [find name=web] queue=pd",
            "/queue tree add name=voip packet-mark=voip parent=p priority=1",
            "/queue tree remove [find name=old]",
        ]
    );
    let after = apply(&current, &changes).unwrap();
    assert_eq!(after.queue_trees, desired.queue_trees);
    assert_eq!(after.queue_types, desired.queue_types);
    assert_eq!(after.mangle, desired.mangle);
    assert!(plan(&desired, &desired).is_empty());
    assert!(plan(&current, &current).is_empty());
    // Moves keep the desired order.
    let mut swapped = desired.clone();
    swapped.mangle.swap(0, 1);
    let changes = plan(&desired, &swapped);
    assert_eq!(
        changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["/ip firewall mangle move [find comment=voip] destination=[find comment=acc]"]
    );
    assert_eq!(apply(&desired, &changes).unwrap().mangle, swapped.mangle);
    // Rules without a comment cannot be addressed: they are not planned.
    let mut bare = desired.clone();
    bare.mangle
        .push(FirewallRule::new("forward", Action::Accept));
    assert!(plan(&desired, &bare).is_empty());
    assert!(plan(&bare, &desired).is_empty());
    // API commands name the key property's value; a tree with children cannot go.
    let c = &plan(&current, &desired)[3];
    assert_eq!(c.menu().key_property(), "comment");
    assert_eq!(&c.to_command().command()[..], b"/ip/firewall/mangle/remove");
    let mut bad = current.clone();
    bad.queue_trees
        .retain(|t| t.name != "web" && t.name != "old");
    let remove_p = queue_model::Change::Remove {
        menu: queue_model::Menu::QueueTree,
        name: "p".into(),
    };
    assert!(apply(&current, std::slice::from_ref(&remove_p)).is_err());
    assert!(apply(&bad, &[remove_p]).is_ok());
}

// --- simulator -------------------------------------------------------------------------

/// MikroTik's PCQ example (*Queues*, "equal bandwidth sharing"): 10 Mibps shared by the active
/// hosts of 192.168.0.0/24; both at full speed get 5 Mibps each, and when A takes 2 Mibps, B
/// gets 8. Tolerance: 1 bit/s (rates are rounded to whole bits).
#[test]
fn pcq_rate_zero_shares_equally() {
    let cfg = parse(
        "/queue type\nadd kind=pcq name=pcq-download pcq-classifier=dst-address\n\
         /queue tree\nadd max-limit=10240000 name=Download parent=Local\n\
         add name=users packet-mark=users parent=Download queue=pcq-download\n",
    );
    let flows = [
        TreeFlow::new("users", "192.168.0.10"),
        TreeFlow::new("users", "192.168.0.11"),
    ];
    let mut sim = TreeSimulation::new(&cfg, "Local", Rate(100_000_000), &flows).unwrap();
    assert_eq!(sim.sub_queues(), 2);
    let r = sim.step(0.1, &[50_000_000, 50_000_000]).unwrap().to_vec();
    assert_eq!(r, [5_120_000, 5_120_000]);
    let r = sim.step(0.1, &[2_097_152, 50_000_000]).unwrap().to_vec();
    assert!(
        r[0].abs_diff(2_097_152) <= 1 && r[1].abs_diff(8_142_848) <= 1,
        "{r:?}"
    );
    assert_eq!(sim.tree_rates(), [10_240_000, 10_240_000]);
    // N users: each gets 1/N.
    let flows: Vec<TreeFlow> = (0..40)
        .map(|i| TreeFlow::new("users", format!("192.168.0.{i}")))
        .collect();
    let mut sim = TreeSimulation::new(&cfg, "Local", Rate(100_000_000), &flows).unwrap();
    let r = sim.step(0.1, &[100_000_000; 40]).unwrap();
    assert!(r.iter().all(|&x| x.abs_diff(256_000) <= 1), "{r:?}");
}

/// The wiki's PCQ example "equal bandwidth for a number of users": pcq-rate=64000 on download,
/// 32000 on upload; every user gets at most that, whatever the line. Tolerance: 1 bit/s.
#[test]
fn pcq_rate_caps_every_user() {
    let cfg = parse(
        "/queue type\nadd kind=pcq name=PCQ_download pcq-classifier=dst-address pcq-rate=64000\n\
         add kind=pcq name=PCQ_upload pcq-classifier=src-address pcq-rate=32000\n\
         /ip firewall mangle\nadd action=mark-packet chain=prerouting new-packet-mark=all passthrough=no\n\
         /queue tree\nadd name=down packet-mark=all parent=global queue=PCQ_download\n",
    );
    let flows: Vec<TreeFlow> = (1..=3)
        .map(|i| TreeFlow::new("down", format!("10.0.0.{i}")))
        .chain([TreeFlow::new("down", "10.0.0.3")])
        .collect();
    let mut sim = TreeSimulation::new(&cfg, "global", Rate(10_000_000), &flows).unwrap();
    assert_eq!(
        sim.sub_queues(),
        3,
        "two flows of one address share a sub-queue"
    );
    let r = sim
        .step(0.1, &[1_000_000, 10_000, 1_000_000, 1_000_000])
        .unwrap();
    assert_eq!(r, [64_000, 10_000, 32_000, 32_000]);
}

#[test]
fn pcq_masks_group_addresses_and_trees_keep_htb() {
    let cfg = parse(
        "/queue type\nadd kind=pcq name=p24 pcq-classifier=dst-address pcq-dst-address-mask=24 pcq-rate=1M\n\
         /queue tree\nadd max-limit=10M name=all parent=global\n\
         add limit-at=8M max-limit=10M name=gold packet-mark=g parent=all priority=1 queue=p24\n\
         add max-limit=10M name=bulk packet-mark=b parent=all\n",
    );
    let flows = [
        TreeFlow::new("gold", "10.1.1.1"),
        TreeFlow::new("gold", "10.1.1.2"),
        TreeFlow::new("gold", "10.1.2.1"),
        TreeFlow::new("bulk", "x"),
        TreeFlow::new("bulk", "y"),
    ];
    let mut sim = TreeSimulation::new(&cfg, "global", Rate(100_000_000), &flows).unwrap();
    assert_eq!(sim.sub_queues(), 2);
    let r = sim
        .step(
            0.1,
            &[5_000_000, 5_000_000, 5_000_000, 30_000_000, 10_000_000],
        )
        .unwrap()
        .to_vec();
    // /24 sub-queue 10.1.1.0 gets 1M split by offer; 10.1.2.0 gets 1M; bulk the other 8M, 3:1.
    assert_eq!(r, [500_000, 500_000, 1_000_000, 6_000_000, 2_000_000]);
    assert_eq!(sim.tree_names().len(), 3);
    assert!(matches!(
        TreeSimulation::new(&cfg, "global", Rate(1), &[TreeFlow::new("all", "a")]),
        Err(queue_model::SimError::InnerQueue(_))
    ));
    assert!(matches!(
        TreeSimulation::new(&cfg, "ether1", Rate(1), &[TreeFlow::new("gold", "a")]),
        Err(queue_model::SimError::UnknownQueue(_))
    ));
    assert!(sim.step(0.1, &[1]).is_err());
}

// --- property tests ------------------------------------------------------------------------

fn rate() -> impl Strategy<Value = Rate> + Clone {
    prop_oneof![
        Just(Rate(0)),
        (1u64..5000).prop_map(|k| Rate(k * 1000)),
        (1u64..10_000_000_000).prop_map(Rate),
    ]
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        "[a-z0-9-]{1,12}".prop_map(Text::from),
        "[ -~]{1,40}".prop_map(Text::from),
        proptest::collection::vec(any::<u8>(), 1..20).prop_map(Text::from),
    ]
}

prop_compose! {
    fn tree(name: String, parent: String)(
        marks in proptest::collection::vec("[a-z]{1,6}", 0..3),
        limits in (rate(), rate(), rate(), rate()),
        burst_time in (0u64..100_000).prop_map(Time::from_millis),
        priority in 1u8..=8,
        queue in prop_oneof![Just("default-small".to_owned()), "[a-z]{1,8}"],
        bucket in (0u32..10_000).prop_map(Ratio::from_thousandths),
        disabled in any::<bool>(),
        comment in proptest::option::of(text()),
    ) -> QueueTree {
        let mut t = QueueTree::new(name.as_str(), parent.as_str());
        t.packet_marks = marks.into_iter().map(Text::from).collect();
        (t.limit_at, t.max_limit, t.burst_limit, t.burst_threshold) = limits;
        t.burst_time = burst_time;
        t.priority = priority;
        t.queue = queue;
        t.bucket_size = bucket;
        t.disabled = disabled;
        t.comment = comment;
        t
    }
}

prop_compose! {
    fn qtype(name: String)(
        kind in 0usize..7,
        classifier in proptest::collection::vec(0usize..4, 0..3),
        rates in (rate(), rate(), rate()),
        limits in (0u32..100_000, 0u32..100_000, 0u32..100_000),
        masks in (0u8..=32, 0u8..=128),
    ) -> QueueType {
        let kinds = [QueueKind::Pcq, QueueKind::Sfq, QueueKind::Red, QueueKind::Pfifo,
                     QueueKind::Bfifo, QueueKind::MqPfifo, "fq-codel".parse().unwrap()];
        let cls = [PcqClassifier::SrcAddress, PcqClassifier::DstAddress,
                   PcqClassifier::SrcPort, PcqClassifier::DstPort];
        let mut t = QueueType::new(name.as_str(), kinds[kind].clone());
        t.pcq_classifier = classifier.into_iter().map(|c| cls[c]).collect();
        (t.pcq_rate, t.pcq_burst_rate, t.pcq_burst_threshold) = rates;
        (t.pcq_limit, t.pfifo_limit, t.red_burst) = limits;
        (t.pcq_dst_address_mask, t.pcq_src_address6_mask) = masks;
        t
    }
}

fn rule() -> impl Strategy<Value = FirewallRule> {
    (
        0usize..4,
        proptest::option::of("[a-z]{1,5}"),
        proptest::option::of("!?[a-z0-9.]{1,8}"),
        proptest::option::of("[0-9,]{1,6}"),
        any::<bool>(),
        proptest::option::of(text()),
    )
        .prop_map(|(a, mark, iface, port, pass, comment)| {
            let action = [
                Action::MarkPacket,
                Action::MarkConnection,
                Action::MarkRouting,
                Action::Accept,
            ][a]
                .clone();
            let mut r = FirewallRule::new("prerouting", action);
            r.new_packet_mark = mark.clone().map(Text::from);
            r.connection_mark = mark.map(Text::from);
            r.in_interface = iface.map(Text::from);
            r.dst_port = port.map(Text::from);
            r.passthrough = pass;
            r.comment = comment;
            r
        })
}

fn tree_config() -> impl Strategy<Value = Config> {
    (
        proptest::collection::vec((0usize..100, any::<bool>()), 0..8),
        proptest::collection::vec(0usize..1, 0..4),
        proptest::collection::vec(rule(), 0..6),
    )
        .prop_flat_map(|(shape, types, rules)| {
            let names: Vec<String> = (0..shape.len()).map(|i| format!("t{i}")).collect();
            let trees: Vec<_> = shape
                .iter()
                .enumerate()
                .map(|(i, (p, under))| {
                    let parent = if *under && i > 0 {
                        names[p % i].clone()
                    } else if p % 2 == 0 {
                        "global".to_owned()
                    } else {
                        "ether1".to_owned()
                    };
                    tree(names[i].clone(), parent)
                })
                .collect();
            let types: Vec<_> = (0..types.len()).map(|i| qtype(format!("q{i}"))).collect();
            (trees, types, Just(rules))
        })
        .prop_map(|(trees, types, rules)| {
            let mut c = Config::default();
            c.queue_trees = trees;
            c.queue_types = types;
            c.mangle = rules;
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn trees_types_and_mangle_render_then_parse(cfg in tree_config()) {
        let text = rsc::render(&cfg);
        let back = rsc::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &cfg);
        let _ = validate(&cfg);
    }

    #[test]
    fn tree_plans_apply_to_the_desired_state(
        (current, desired) in (tree_config(), tree_config()),
        rotate in 0usize..8,
    ) {
        let mut desired = desired;
        // Unique comments so that rules can be addressed; keep some shared with current.
        for (i, r) in desired.mangle.iter_mut().enumerate() {
            r.comment = Some(Text::from(format!("r{}", (i + rotate) % 6)));
        }
        let mut seen = std::collections::HashSet::new();
        desired.mangle.retain(|r| seen.insert(r.comment.clone()));
        let mut current = current;
        for (i, r) in current.mangle.iter_mut().enumerate() {
            r.comment = Some(Text::from(format!("r{i}")));
        }
        let changes = plan(&current, &desired);
        let after = apply(&current, &changes)
            .map_err(|e| TestCaseError::fail(format!("{e}: {changes:#?}")))?;
        prop_assert_eq!(&after.queue_trees, &desired.queue_trees);
        prop_assert_eq!(&after.queue_types, &desired.queue_types);
        prop_assert_eq!(&after.mangle, &desired.mangle);
        prop_assert!(plan(&desired, &desired).is_empty());
    }
}

#[test]
fn tree_seed_means_what_it_says() {
    let text = include_str!("../../fuzz/corpus/rsc_parse/tree_pcq_mangle.rsc");
    let cfg = parse(text);
    assert_eq!(
        (
            cfg.queue_types.len(),
            cfg.mangle.len(),
            cfg.queue_trees.len()
        ),
        (6, 5, 4)
    );
    let down = cfg.queue_type("pcq-down").unwrap();
    assert_eq!(
        (
            down.pcq_dst_address_mask,
            down.pcq_limit,
            down.pcq_total_limit
        ),
        (24, 100, 4000)
    );
    let up = cfg.queue_type("pcq-up").unwrap();
    assert_eq!(up.pcq_burst_time, Time::from_secs(16));
    assert_eq!(cfg.mangle[0].comment.as_deref(), Some("users é".as_bytes()));
    assert_eq!(
        cfg.mangle[3].extra,
        vec![("tcp-flags".to_owned(), Text::from("syn"))]
    );
    assert_eq!(
        cfg.queue_trees[2].comment.as_deref(),
        Some(&b"\xcf\xf0"[..])
    );
    let d = validate(&cfg);
    assert!(d.iter().all(|d| !d.is_error()), "{d:#?}");
    assert_eq!(parse(&rsc::render(&cfg)), cfg);
}

#[test]
fn mangle_comments_resolve_to_ids() {
    let cmd = routeros_proto::Command::builder("/ip/firewall/mangle/move")
        .attribute("numbers", "web")
        .attribute("destination", "video")
        .build();
    let ids = vec![
        (b"video".to_vec(), b"*5".to_vec()),
        (b"web".to_vec(), b"*9".to_vec()),
    ];
    let r = queue_model::resolve_comments(&cmd, &ids).unwrap();
    assert_eq!(
        r.words(),
        ["=numbers=*9", "=destination=*5"].map(bytes::Bytes::from)
    );
    let e = queue_model::resolve_comments(&cmd, &ids[..1]).unwrap_err();
    assert_eq!(e, queue_model::ResolveError::UnknownComment("web".into()));
}
