//! Tests of the parent module.

use super::*;
use crate::alerts::rules::{Span, Threshold};
use crate::routers::{Interface, QueueRow, Resource};
use std::sync::Arc;

fn live(status: Status) -> RouterLive {
    RouterLive {
        status,
        ..RouterLive::default()
    }
}

fn up_with_cpu(cpu: u64) -> RouterLive {
    let mut l = live(Status::Up);
    l.resource = Some(Resource {
        cpu_load: cpu,
        free_memory: 500,
        total_memory: 1000,
        free_hdd: 50,
        total_hdd: 1000,
        ..Resource::default()
    });
    l
}

#[test]
fn unreachable_needs_the_check_count_and_resolves_once() {
    let mut rule = RuleConfig::new("down", RuleKind::Unreachable);
    rule.checks(3);
    let mut e = Engine::new(&[rule]);
    let down = live(Status::Down("connection refused".into()));
    assert!(e.observe_router(1, "core", &down, 10).is_empty());
    assert!(e
        .observe_router(1, "core", &live(Status::Up), 11)
        .is_empty());
    assert!(e.observe_router(1, "core", &down, 12).is_empty());
    assert!(e.observe_router(1, "core", &down, 13).is_empty());
    let n = e.observe_router(1, "core", &down, 14);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].kind, NoticeKind::Firing);
    assert_eq!(n[0].key, "down:1");
    assert_eq!(n[0].title, "core is unreachable");
    assert!(e.observe_router(1, "core", &down, 15).is_empty());
    let n = e.observe_router(1, "core", &live(Status::Up), 80);
    assert_eq!(n[0].kind, NoticeKind::Resolved);
    assert!(
        n[0].title.contains("back up (was down 1m8s)"),
        "{}",
        n[0].title
    );
    assert!(e
        .observe_router(1, "core", &live(Status::Up), 81)
        .is_empty());
    let login = live(Status::Down(
        "login failed: invalid user name or password".into(),
    ));
    let mut e2 = Engine::new(&[RuleConfig::new("down", RuleKind::Unreachable)]);
    let mut all = Vec::new();
    for t in 0..3 {
        all.extend(e2.observe_router(1, "core", &login, t));
    }
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title, "core: login failing");
}

#[test]
fn cpu_fires_after_the_duration_and_not_while_down() {
    let mut rule = RuleConfig::new("cpu", RuleKind::Cpu);
    rule.above = Some(80.0);
    rule.duration(Span(60));
    let mut e = Engine::new(&[rule]);
    assert!(e.observe_router(1, "r", &up_with_cpu(95), 0).is_empty());
    assert!(e.observe_router(1, "r", &up_with_cpu(95), 59).is_empty());
    let n = e.observe_router(1, "r", &up_with_cpu(95), 60);
    assert_eq!(n.len(), 1);
    assert!(n[0].detail.contains("95%"));
    // a down router neither fires nor resolves CPU
    assert!(e
        .observe_router(1, "r", &live(Status::Down("x".into())), 61)
        .is_empty());
    let n = e.observe_router(1, "r", &up_with_cpu(10), 62);
    assert_eq!(n[0].kind, NoticeKind::Resolved);
    // a spike shorter than the duration does nothing
    assert!(e.observe_router(1, "r", &up_with_cpu(99), 100).is_empty());
    assert!(e.observe_router(1, "r", &up_with_cpu(5), 130).is_empty());
}

#[test]
fn replacing_rules_keeps_unchanged_conditions_and_closes_the_rest() {
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(80.0);
    let mut cpu2 = RuleConfig::new("cpu-high", RuleKind::Cpu);
    cpu2.above = Some(90.0);
    let mut e = Engine::new(&[cpu.clone(), cpu2.clone()]);
    assert_eq!(e.observe_router(1, "r", &up_with_cpu(95), 0).len(), 2);
    // unchanged rule: still firing, no second alert; removed rule: its key is returned
    let gone = e.set_rules(&[cpu.clone()]);
    assert_eq!(gone, ["cpu-high:1"]);
    assert_eq!(e.firing(), ["cpu:1"]);
    assert!(e.observe_router(1, "r", &up_with_cpu(95), 1).is_empty());
    // a changed threshold starts over
    cpu.above = Some(50.0);
    assert_eq!(e.set_rules(&[cpu]), ["cpu:1"]);
    assert!(e.firing().is_empty());
    let n = e.observe_router(1, "r", &up_with_cpu(60), 2);
    assert_eq!(n.len(), 1);
    assert!(n[0].detail.contains("above 50%"), "{}", n[0].detail);
    assert_eq!(e.rules().count(), 1);
}

#[test]
fn memory_and_disk_thresholds() {
    let mut disk = RuleConfig::new("disk", RuleKind::Disk);
    disk.below = Some(Threshold::Percent(10.0));
    let mut mem = RuleConfig::new("mem", RuleKind::Memory);
    mem.below = Some(Threshold::Bytes(400));
    let mut e = Engine::new(&[disk, mem]);
    let n = e.observe_router(1, "r", &up_with_cpu(1), 0);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].rule, "disk");
    assert!(n[0].detail.contains("5%"), "{}", n[0].detail);
}

#[test]
fn interfaces_watch_links_seen_up_and_queues_their_limits() {
    let mut e = Engine::new(&[
        RuleConfig::new("link", RuleKind::Interface),
        RuleConfig::new("q", RuleKind::Queue),
    ]);
    let iface = |name: &str, running: bool| Interface {
        name: name.into(),
        running,
        ..Interface::default()
    };
    let mut l = live(Status::Up);
    l.interfaces = vec![iface("ether1", true), iface("ether5", false)];
    assert!(e.observe_router(1, "r", &l, 0).is_empty());
    l.interfaces = vec![iface("ether1", false), iface("ether5", false)];
    let n = e.observe_router(1, "r", &l, 1);
    assert_eq!(n.len(), 1, "ether5 was never up: {n:?}");
    assert_eq!(n[0].title, "r: ether1 is down");
    assert_eq!(n[0].key, "link:1:ether1");
    l.interfaces = vec![iface("ether1", true), iface("ether5", false)];
    let n = e.observe_router(1, "r", &l, 2);
    assert_eq!(n[0].kind, NoticeKind::Resolved);
    let q = |rate: u64| QueueRow {
        name: "office".into(),
        max_up: 1000,
        max_down: 1000,
        rate_down: rate,
        ..QueueRow::default()
    };
    l.queues = Arc::new(vec![q(950)]);
    let n = e.observe_router(1, "r", &l, 3);
    assert_eq!(n.len(), 1);
    assert!(
        n[0].detail.starts_with("95% of max-limit"),
        "{}",
        n[0].detail
    );
    l.queues = Arc::new(vec![]);
    let n = e.observe_router(1, "r", &l, 4);
    assert_eq!(n[0].kind, NoticeKind::Resolved, "a removed queue resolves");
}

#[test]
fn leases_and_lists_alert_on_new_entries_only() {
    let mut e = Engine::new(&[RuleConfig::new("lease", RuleKind::Lease), {
        let mut r = RuleConfig::new("bl", RuleKind::AddressList);
        r.lists = vec!["blocked".into()];
        r
    }]);
    let a = Lease::new("AA:00:00:00:00:01", "192.168.88.10", "laptop");
    let b = Lease::new("aa:00:00:00:00:02", "192.168.88.11", "");
    assert!(e
        .observe_leases(1, "r", std::slice::from_ref(&a), 0)
        .is_empty());
    assert!(e
        .observe_leases(1, "r", std::slice::from_ref(&a), 1)
        .is_empty());
    let n = e.observe_leases(1, "r", &[a.clone(), b.clone()], 2);
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].title,
        "r: new device unnamed device (aa:00:00:00:00:02) got 192.168.88.11"
    );
    assert!(e.observe_leases(1, "r", &[a, b], 3).is_empty());
    let lan = ListEntry::new("lan", "192.168.88.0/24", "");
    assert!(e
        .observe_address_lists(1, "r", std::slice::from_ref(&lan), 0)
        .is_empty());
    let bad = ListEntry::new("blocked", "203.0.113.9", "port scan");
    let other = ListEntry::new("guests", "192.168.88.50", "");
    let n = e.observe_address_lists(1, "r", &[lan.clone(), bad.clone(), other], 1);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].title, "r: 203.0.113.9 added to address-list blocked");
    assert!(e
        .observe_address_lists(1, "r", &[lan.clone(), bad.clone()], 2)
        .is_empty());
    assert!(e
        .observe_address_lists(1, "r", std::slice::from_ref(&lan), 3)
        .is_empty());
    assert_eq!(e.observe_address_lists(1, "r", &[lan, bad], 4).len(), 1);
}

#[test]
fn log_lines_match_keywords_regexes_topics_and_l7() {
    let mut kw = RuleConfig::new("log", RuleKind::Log);
    kw.keywords(["Login Failure"]);
    let mut re = RuleConfig::new("ppp", RuleKind::Log);
    re.regexes = vec![r"ppp.*\bdisconnected".into()];
    re.topics = vec!["ppp".into()];
    let mut l7 = RuleConfig::new("apps", RuleKind::L7);
    l7.hold = Some(Span(60));
    let mut e = Engine::new(&[kw, re, l7]);
    let n = e.observe_log(
        1,
        "r",
        "system,error,critical",
        "login failure for user admin from 10.0.0.9 via ssh",
        &[],
        0,
    );
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].key, "log:1:login failure");
    assert_eq!(n[0].kind, NoticeKind::Event);
    assert!(e
        .observe_log(1, "r", "system,info", "user admin logged in", &[], 0)
        .is_empty());
    assert!(
        e.observe_log(1, "r", "system,info", "ppp client disconnected", &[], 0)
            .is_empty(),
        "wrong topic"
    );
    assert_eq!(
        e.observe_log(
            1,
            "r",
            "ppp,info",
            "ppp client <pppoe-x> disconnected",
            &[],
            0
        )
        .len(),
        1
    );
    let rules = [L7Rule {
        name: "tiktok".into(),
        log_prefixes: vec!["tiktok ".into()],
        ..L7Rule::default()
    }];
    let line = "tiktok forward: in:bridge out:ether1, proto TCP, 192.168.88.23:50000->1.2.3.4:443, len 140";
    let n = e.observe_log(1, "r", "firewall,info", line, &rules, 10);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].title, "r: 192.168.88.23 started tiktok");
    assert!(e
        .observe_log(1, "r", "firewall,info", line, &rules, 50)
        .is_empty());
    // hold runs from the last match: still quiet at 100, new again after 60s of silence
    assert!(e.expire(100).iter().all(|k| !k.starts_with("apps")));
    let gone = e.expire(111);
    assert!(
        gone.contains(&"apps:1:192.168.88.23:tiktok".to_owned()),
        "{gone:?}"
    );
    assert_eq!(
        e.observe_log(1, "r", "firewall,info", line, &rules, 120)
            .len(),
        1
    );
}

#[test]
fn events_beyond_the_window_cap_become_one_summary() {
    let mut r = RuleConfig::new("log", RuleKind::Log);
    r.keywords(["failure"]);
    let mut e = Engine::new(&[r]);
    let mut shown = 0;
    for i in 0..1_873 {
        shown += e
            .observe_log(1, "edge", "system", &format!("failure {i}"), &[], 100)
            .len();
    }
    assert_eq!(shown, 50);
    assert!(e.summaries(105).is_empty(), "the window is still open");
    let s = e.summaries(110);
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].title,
        "edge: 1,873 log events in 10 s, showing the first 50"
    );
    assert!(e.summaries(111).is_empty());
    // A new window shows events again.
    assert_eq!(
        e.observe_log(1, "edge", "system", "failure again", &[], 111)
            .len(),
        1
    );
    let long = format!("failure {}\nforged", "x".repeat(30_000));
    let n = e
        .observe_log(1, "edge", "system", &long, &[], 112)
        .remove(0);
    assert!(n.title.chars().count() <= crate::fmt::MAX_ROUTER_TEXT);
    assert!(n.detail.chars().count() <= crate::fmt::MAX_ROUTER_TEXT);
    assert!(!n.detail.contains('\n'));
}

#[test]
fn layer7_starts_and_new_devices_reach_chat_as_one_digest_per_interval() {
    let rules = [
        L7Rule {
            name: "tiktok".into(),
            log_prefixes: vec!["tiktok ".into()],
            ..L7Rule::default()
        },
        L7Rule {
            name: "youtube".into(),
            log_prefixes: vec!["youtube ".into()],
            ..L7Rule::default()
        },
    ];
    let line = |app: &str, host: &str| {
        format!("{app} forward: in:bridge out:ether1, proto TCP, {host}:50000->1.2.3.4:443, len 60")
    };
    let mut l7 = RuleConfig::new("apps", RuleKind::L7);
    l7.severity(Severity::Info);
    let mut e = Engine::new(&[l7, RuleConfig::new("new-device", RuleKind::Lease)]);
    // Every start is in the feed, none goes to chat on its own.
    for (i, host) in ["10.0.0.1", "10.0.0.2", "10.0.0.3"].iter().enumerate() {
        let n = e.observe_log(
            1,
            "r1",
            "firewall,info",
            &line("tiktok", host),
            &rules,
            100 + i as i64,
        );
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].delivery, Delivery::FeedOnly);
    }
    assert!(e.digests(699).is_empty(), "the 10 minutes are not over");
    let d = e.digests(700);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].delivery, Delivery::ChatOnly);
    assert_eq!(d[0].severity, Severity::Info);
    assert_eq!(d[0].title, "r1: 3 hosts started tiktok in the last 10 min");
    assert_eq!(d[0].detail, "10.0.0.1, 10.0.0.2, 10.0.0.3");
    assert!(e.digests(2000).is_empty(), "sent once");

    // Two apps: one line each. A single event reads like the event itself.
    for host in ["10.0.0.4", "10.0.0.5"] {
        e.observe_log(
            1,
            "r1",
            "firewall,info",
            &line("tiktok", host),
            &rules,
            2000,
        );
    }
    e.observe_log(
        1,
        "r1",
        "firewall,info",
        &line("youtube", "10.0.0.4"),
        &rules,
        2001,
    );
    let d = e.digests(2600);
    assert_eq!(d[0].title, "r1: 3 app starts in the last 10 min");
    assert_eq!(
        d[0].detail,
        "tiktok (2): 10.0.0.4, 10.0.0.5\nyoutube (1): 10.0.0.4"
    );
    e.observe_log(
        1,
        "r1",
        "firewall,info",
        &line("youtube", "10.0.0.9"),
        &rules,
        3000,
    );
    assert_eq!(e.digests(3600)[0].title, "r1: 10.0.0.9 started youtube");

    // New devices, beyond the names listed.
    let mut leases = vec![Lease::new("AA:00:00:00:00:00", "10.0.1.0", "old")];
    assert!(e.observe_leases(1, "r1", &leases, 0).is_empty(), "baseline");
    for i in 1..=12 {
        leases.push(Lease::new(
            &format!("AA:00:00:00:00:{i:02}"),
            &format!("10.0.1.{i}"),
            &format!("phone-{i}"),
        ));
    }
    let n = e.observe_leases(1, "r1", &leases, 4000);
    assert_eq!(n.len(), 12);
    assert!(n.iter().all(|n| n.delivery == Delivery::FeedOnly));
    let d = e.digests(4600);
    assert_eq!(d[0].title, "r1: 12 new devices in the last 10 min");
    let lines: Vec<&str> = d[0].detail.lines().collect();
    assert_eq!(lines.len(), 11, "{lines:?}");
    assert_eq!(lines[0], "phone-1 (AA:00:00:00:00:01) 10.0.1.1");
    assert_eq!(lines[10], "and 2 more");

    // digest = 0: each event goes everywhere at once, as before.
    let mut now = RuleConfig::new("apps", RuleKind::L7);
    now.digest = Some(Span(0));
    let mut e = Engine::new(&[now]);
    let n = e.observe_log(
        1,
        "r1",
        "firewall,info",
        &line("tiktok", "10.0.0.1"),
        &rules,
        0,
    );
    assert_eq!(n[0].delivery, Delivery::Everywhere);
    assert!(e.digests(10_000).is_empty());
}

#[test]
fn a_digest_only_fits_layer7_and_lease_rules() {
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.digest = Some(Span(60));
    assert!(crate::alerts::rules::validate(&[cpu]).is_err());
    let mut l7 = RuleConfig::new("apps", RuleKind::L7);
    l7.digest = Some(Span(60));
    assert!(crate::alerts::rules::validate(&[l7.clone()]).is_ok());
    assert_eq!(l7.digest_secs(), 60);
    assert_eq!(RuleConfig::new("x", RuleKind::Lease).digest_secs(), 600);
    assert_eq!(RuleConfig::new("x", RuleKind::Log).digest_secs(), 0);
}

#[test]
fn alerts_are_written_in_the_engine_language() {
    use crate::i18n::Lang;
    let mut rule = RuleConfig::new("down", RuleKind::Unreachable);
    rule.checks(1);
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(80.5);
    let mut e = Engine::with_language(&[rule, cpu], Lang::Id);
    let n = e.observe_router(
        1,
        "core",
        &live(Status::Down("connection refused".into())),
        10,
    );
    assert_eq!(n[0].title, "core tidak bisa dihubungi");
    assert_eq!(n[0].detail, "connection refused (1 cek gagal)");
    let n = e.observe_router(1, "core", &up_with_cpu(95), 80);
    let titles: Vec<&str> = n.iter().map(|n| n.title.as_str()).collect();
    assert!(
        titles.contains(&"core sudah hidup lagi (mati 1m10s)"),
        "{titles:?}"
    );
    let cpu = n.iter().find(|n| n.rule == "cpu").expect("cpu alert");
    assert_eq!(cpu.title, "core: beban CPU tinggi");
    assert_eq!(cpu.detail, "beban CPU 95% (di atas 80,5%)");

    // The Layer 7 digest, with Indonesian thousands.
    let rules = [L7Rule {
        name: "tiktok".into(),
        log_prefixes: vec!["tiktok ".into()],
        ..L7Rule::default()
    }];
    let mut e = Engine::new(&[RuleConfig::new("apps", RuleKind::L7)]);
    e.set_language(Lang::Id);
    for i in 0..3 {
        e.observe_log(
            1,
            "r1",
            "firewall,info",
            &format!("tiktok forward: in:bridge out:ether1, proto TCP, 10.0.0.{i}:50000->1.2.3.4:443, len 60"),
            &rules,
            100 + i,
        );
    }
    let d = e.digests(700);
    assert_eq!(
        d[0].title,
        "r1: 3 host mulai membuka tiktok dalam 10 min terakhir"
    );
    // English stays the default.
    let mut en = Engine::new(&[RuleConfig::new("down", RuleKind::Unreachable)]);
    let mut all = Vec::new();
    for t in 0..3 {
        all.extend(en.observe_router(1, "core", &live(Status::Down("x".into())), t));
    }
    assert_eq!(all[0].title, "core is unreachable");
}
