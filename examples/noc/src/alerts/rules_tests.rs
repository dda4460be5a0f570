//! Tests of the parent module.

use super::*;

#[test]
fn spans_parse_and_print() {
    assert_eq!("90".parse::<Span>().unwrap(), Span(90));
    assert_eq!("2m".parse::<Span>().unwrap(), Span(120));
    assert_eq!("1h30m".parse::<Span>().unwrap(), Span(5400));
    assert_eq!("1d".parse::<Span>().unwrap().to_string(), "1d");
    assert_eq!(Span(5400).to_string(), "1h30m");
    for bad in [
        "",
        "m",
        "5x",
        "1h5",
        "99999999999999999999999h",
        "400d",
        "-1m",
    ] {
        assert!(bad.parse::<Span>().is_err(), "{bad}");
    }
}

#[test]
fn thresholds_and_quiet_hours() {
    assert_eq!(
        "10%".parse::<Threshold>().unwrap(),
        Threshold::Percent(10.0)
    );
    assert_eq!(
        "64M".parse::<Threshold>().unwrap(),
        Threshold::Bytes(64 << 20)
    );
    assert_eq!(
        "1GiB".parse::<Threshold>().unwrap(),
        Threshold::Bytes(1 << 30)
    );
    assert!("150%".parse::<Threshold>().is_err());
    assert!("lots".parse::<Threshold>().is_err());
    assert!(Threshold::Percent(10.0).is_below(5, 100));
    assert!(!Threshold::Percent(10.0).is_below(10, 100));
    assert!(!Threshold::Bytes(10).is_below(5, 0));
    let q: QuietHours = "22:00-07:00".parse().unwrap();
    assert!(q.contains(23 * 60) && q.contains(60) && !q.contains(12 * 60));
    assert!(!q.contains(7 * 60));
    // 20:30 UTC is 03:30 at +07:00
    assert!(q.contains_at(20 * 3600 + 1800, 7 * 60));
    assert!(!q.contains_at(20 * 3600 + 1800, -8 * 60));
    assert!("25:00-07:00".parse::<QuietHours>().is_err());
    assert_eq!(parse_utc_offset("-03:30").unwrap(), -210);
    assert!(parse_utc_offset("7").is_err());
    assert_eq!(fmt_rate(10_000_000), "10M");
    assert_eq!(fmt_rate(1_250_000), "1.2M");
    assert_eq!(fmt_rate(999), "999");
}

#[test]
fn rule_sets_are_validated() {
    let rules: Vec<RuleConfig> = toml::from_str::<std::collections::BTreeMap<String, Vec<RuleConfig>>>(
        "[[rule]]\nname='cpu'\nkind='cpu'\nabove=80\nfor='2m'\nseverity='critical'\n[[rule]]\nname='log'\nkind='log'\nregexes=['ppp.*down']\n",
    )
    .unwrap()
    .remove("rule")
    .unwrap();
    assert_eq!(rules[0].duration, Span(120));
    assert_eq!(rules[0].severity, Severity::Critical);
    validate(&rules).unwrap();
    let mut dup = rules.clone();
    dup.push(rules[0].clone());
    assert!(validate(&dup).is_err());
    let mut bad = RuleConfig::new("log2", RuleKind::Log);
    assert!(validate(std::slice::from_ref(&bad)).is_err());
    bad.regexes = vec!["(".into()];
    assert!(validate(std::slice::from_ref(&bad)).is_err());
    bad.regexes = vec!["((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))".into()];
    assert!(validate(&[bad]).is_err());
    let mut spaces = RuleConfig::new("has space", RuleKind::Lease);
    assert!(validate(std::slice::from_ref(&spaces)).is_err());
    spaces.name = "ok".into();
    validate(&[spaces]).unwrap();
    validate(&default_rules()).unwrap();
}

#[test]
fn saved_rules_override_file_rules_by_name_and_round_trip_as_json() {
    let file = default_rules();
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(50.0);
    cpu.below = Some(Threshold::Bytes(64 << 20));
    cpu.hold = Some(Span(30));
    let json = serde_json::to_string(&cpu).unwrap();
    assert_eq!(serde_json::from_str::<RuleConfig>(&json).unwrap(), cpu);
    let mut pct = RuleConfig::new("memory", RuleKind::Memory);
    pct.below = Some(Threshold::Percent(12.5));
    let json = serde_json::to_string(&pct).unwrap();
    assert_eq!(serde_json::from_str::<RuleConfig>(&json).unwrap(), pct);
    let extra = RuleConfig::new("a-new", RuleKind::Lease);
    let saved = [
        SavedRule::new(extra.clone(), true),
        SavedRule::new(cpu.clone(), true),
        SavedRule::new(RuleConfig::new("disk", RuleKind::Disk), false),
    ];
    let merged = merge(&file, &saved);
    assert_eq!(merged.len(), file.len() + 1);
    let cpu_row = merged.iter().find(|l| l.rule.name == "cpu").unwrap();
    assert_eq!(
        (cpu_row.source, &cpu_row.rule),
        (RuleSource::Override, &cpu)
    );
    let last = merged.last().unwrap();
    assert_eq!((last.source, &last.rule), (RuleSource::Dashboard, &extra));
    let active = effective(&file, &saved);
    assert!(active.iter().all(|r| r.name != "disk"));
    assert_eq!(active.len(), file.len());
    validate(&active).unwrap();
    assert_eq!(
        "address-list".parse::<RuleKind>().unwrap(),
        RuleKind::AddressList
    );
    assert!("teleport".parse::<RuleKind>().is_err());
    for k in RuleKind::ALL {
        assert_eq!(k.as_str().parse::<RuleKind>().unwrap(), k);
    }
}

#[test]
fn built_in_rules_are_listed_as_built_in_and_file_rules_as_noc_toml() {
    let book = RuleBook::default();
    assert!(book.is_built_in());
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(50.0);
    let saved = [SavedRule::new(cpu, true)];
    let list = book.list(&saved);
    let source = |name: &str| list.iter().find(|l| l.rule.name == name).unwrap().source;
    assert_eq!(source("router-down").as_str(), "built-in");
    assert_eq!(source("cpu").as_str(), "dashboard (replaces built-in)");
    assert!(source("cpu").is_built_in());

    book.set_file_rules(vec![RuleConfig::new("router-down", RuleKind::Unreachable)]);
    assert!(!book.is_built_in());
    let list = book.list(&[]);
    assert_eq!(list[0].source.as_str(), "noc.toml");
    book.set_built_in_rules(default_rules());
    assert_eq!(book.list(&[])[0].source, RuleSource::BuiltIn);
    // Layer 7 starts and new devices are info and sent as a 10-minute digest by default.
    for name in ["l7", "new-device"] {
        let r = default_rules()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap();
        assert_eq!(
            (r.severity, r.digest_secs()),
            (Severity::Info, 600),
            "{name}"
        );
    }
}
