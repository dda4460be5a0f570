//! Property tests: render → parse is the identity, and applying a plan yields the desired state.

use proptest::prelude::*;
use queue_model::{
    apply, plan, rsc, Action, Config, FirewallRule, Layer7Protocol, Rate, Ratio, SimpleQueue,
    Target, Text, Time, TimeWindow, UpDown, Weekday,
};

fn rate() -> impl Strategy<Value = Rate> + Clone {
    prop_oneof![
        Just(Rate(0)),
        (1u64..5000).prop_map(|k| Rate(k * 1000)),
        (1u64..100).prop_map(|m| Rate(m * 1_000_000)),
        (1u64..10_000_000_000).prop_map(Rate),
    ]
}

fn pair<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = UpDown<T>> {
    (s.clone(), s).prop_map(|(u, d)| UpDown::new(u, d))
}

fn time() -> impl Strategy<Value = Time> + Clone {
    prop_oneof![
        Just(Time::ZERO),
        (0u64..100_000_000).prop_map(Time::from_millis)
    ]
}

fn text() -> impl Strategy<Value = Text> {
    // Anything, including quotes, `$`, `?`, backslashes, newlines, non-ASCII text and bytes
    // that are not UTF-8 at all (Winbox writes the PC's code page).
    prop_oneof![
        "[a-z0-9-]{1,12}".prop_map(Text::from),
        any::<String>()
            .prop_filter("non-empty", |s| !s.is_empty())
            .prop_map(Text::from),
        "[ -~]{1,200}".prop_map(Text::from),
        proptest::collection::vec(any::<u8>(), 1..40).prop_map(Text::from),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| format!("{}/{l}", std::net::Ipv4Addr::from(a))
            .parse()
            .unwrap()),
        (any::<u128>(), 0u8..=128).prop_map(|(a, l)| format!(
            "{}/{l}",
            std::net::Ipv6Addr::from(a)
        )
        .parse()
        .unwrap()),
        "ether[0-9]{1,2}|bridge[a-z]{0,5}".prop_map(|s| s.parse().unwrap()),
    ]
}

fn window() -> impl Strategy<Value = Option<TimeWindow>> {
    prop_oneof![
        Just(None),
        (
            0u64..86_400,
            0u64..86_400,
            proptest::collection::vec(0usize..7, 0..7)
        )
            .prop_map(|(a, b, days)| {
                let days: Vec<Weekday> = days.into_iter().map(|d| Weekday::ALL[d]).collect();
                Some(TimeWindow::new(
                    Time::from_secs(a),
                    Time::from_secs(b),
                    &days,
                ))
                .filter(|w| !w.is_always())
            }),
    ]
}

prop_compose! {
    fn queue(name: String, parent: Option<String>)(
        target in proptest::collection::vec(target(), 0..3),
        dst in proptest::option::of(target()),
        marks in proptest::collection::vec("[a-z]{1,6}", 0..3),
        priority in pair(1u8..=8),
        qtype in pair(prop_oneof![Just("default-small".to_string()), "[a-z]{1,8}"]),
        limits in (pair(rate()), pair(rate()), pair(rate()), pair(rate())),
        burst_time in pair(time()),
        bucket in pair((0u32..10_000).prop_map(Ratio::from_thousandths)),
        time in window(),
        disabled in any::<bool>(),
        comment in proptest::option::of(text()),
        totals in (rate(), rate(), time(), 1u8..=8),
    ) -> SimpleQueue {
        let mut q = SimpleQueue::default();
        q.name = name.as_str().into();
        q.parent = parent.as_deref().map(Text::from);
        q.target = target;
        q.dst = dst;
        q.packet_marks = marks.into_iter().map(Text::from).collect();
        q.priority = priority;
        q.queue = qtype;
        (q.limit_at, q.max_limit, q.burst_limit, q.burst_threshold) = limits;
        q.burst_time = burst_time;
        q.bucket_size = bucket;
        q.time = time;
        q.disabled = disabled;
        q.comment = comment;
        q.total_max_limit = totals.0;
        q.total_limit_at = totals.1;
        q.total_burst_time = totals.2;
        q.total_priority = totals.3;
        q
    }
}

/// A config whose queue names are unique and whose parents point to earlier queues.
fn config(max: usize) -> impl Strategy<Value = Config> {
    (
        proptest::collection::vec((0usize..1000, any::<bool>()), 0..max),
        proptest::collection::vec((text(), text(), proptest::option::of(text())), 0..4),
        proptest::collection::vec(("[a-z]{1,8}", text()), 0..3),
    )
        .prop_flat_map(|(shape, l7, rules)| {
            let names: Vec<String> = (0..shape.len()).map(|i| format!("q{i}")).collect();
            let queues: Vec<_> = shape
                .iter()
                .enumerate()
                .map(|(i, (p, has))| {
                    let parent = (*has && i > 0).then(|| names[p % i].clone());
                    queue(names[i].clone(), parent)
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            let l7: Vec<Layer7Protocol> = l7
                .into_iter()
                .filter(|(n, _, _)| seen.insert(n.clone()))
                .map(|(n, r, c)| {
                    let mut p = Layer7Protocol::new(n, r);
                    p.comment = c;
                    p
                })
                .collect();
            // Plans match mangle rules by comment, which must be unique (see `plan`).
            let mut seen_comments = std::collections::HashSet::new();
            let rules: Vec<FirewallRule> = rules
                .into_iter()
                .filter(|(_, comment)| seen_comments.insert(comment.clone()))
                .map(|(mark, comment)| {
                    let mut r = FirewallRule::new("prerouting", Action::MarkPacket);
                    r.new_packet_mark = Some(mark.into());
                    r.passthrough = false;
                    r.comment = Some(comment);
                    r.dst_port = Some("443".into());
                    r.extra.push(("packet-size".into(), "0-512".into()));
                    r
                })
                .collect();
            (queues, Just(l7), Just(rules))
        })
        .prop_map(|(queues, l7, rules)| {
            let mut c = Config::default();
            c.queues = queues;
            c.layer7_protocols = l7;
            c.mangle = rules.clone();
            c.filter = rules;
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn render_then_parse_is_identity(cfg in config(8)) {
        let text = rsc::render(&cfg);
        for line in text.lines() {
            // Lines are wrapped at 80 columns (a value may exceed only without a split point).
            prop_assert!(line.len() <= 80 || !line.contains(' ') || line.starts_with("    "), "{line}");
        }
        let back = rsc::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, cfg);
    }

    #[test]
    fn applying_the_plan_yields_the_desired_state(
        (current, desired) in (config(8), config(8)),
        shuffle in any::<u64>(),
    ) {
        // Mix: the desired state shares some names with the current one, in another order.
        let mut desired = desired;
        // Rename some queues so that the current ones of that name go (with children that
        // stay and move to another parent).
        let renamed = |n: &Text| {
            let n = n.to_string();
            let i: u32 = n.trim_start_matches('q').parse().unwrap_or(0);
            Text::from(if (shuffle >> (i % 64)) & 1 == 1 { format!("r{i}") } else { n })
        };
        for q in &mut desired.queues {
            q.name = renamed(&q.name);
            q.parent = q.parent.as_ref().map(renamed);
        }
        let n = desired.queues.len();
        if n > 1 {
            desired.queues.rotate_left((shuffle as usize) % n);
            // Parents must still precede children for nothing; order is free in RouterOS.
        }
        let changes = plan(&current, &desired);
        let after = apply(&current, &changes)
            .map_err(|e| TestCaseError::fail(format!("{e}: {changes:#?}")))?;
        prop_assert_eq!(&after.queues, &desired.queues);
        prop_assert_eq!(&after.layer7_protocols, &desired.layer7_protocols);
        // And a plan from a state to itself is empty.
        prop_assert!(plan(&desired, &desired).is_empty());
    }
}

/// A config whose queue and Layer 7 names repeat (RouterOS refuses that, but an export or a
/// hand-written script may have it), with some parents among the repeated names.
fn config_with_duplicates() -> impl Strategy<Value = Config> {
    (
        proptest::collection::vec(("[abc]", proptest::option::of("[abc]")), 0..8),
        proptest::collection::vec(("[xy]", "[a-z]{1,4}"), 0..6),
    )
        .prop_flat_map(|(queues, l7)| {
            let queues: Vec<_> = queues
                .into_iter()
                .map(|(name, parent)| queue(name, parent))
                .collect();
            (queues, Just(l7))
        })
        .prop_map(|(queues, l7)| {
            let mut c = Config::default();
            c.queues = queues;
            c.layer7_protocols = l7
                .into_iter()
                .map(|(n, r)| Layer7Protocol::new(n, r))
                .collect();
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Found by the `rsc_parse` fuzz target: a repeated name used to shadow its twin.
    #[test]
    fn a_plan_from_a_state_with_duplicate_names_to_itself_is_empty(
        cfg in config_with_duplicates(),
    ) {
        let changes = plan(&cfg, &cfg);
        prop_assert!(changes.is_empty(), "{changes:#?}");
        // Through the rendered script too.
        let back = rsc::parse(&rsc::render(&cfg)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(plan(&cfg, &back).is_empty());
    }

    /// With duplicates on either side the plan is the same every time (nothing depends on the
    /// iteration order of a hash map).
    #[test]
    fn plans_with_duplicate_names_are_deterministic(
        (current, desired) in (config_with_duplicates(), config_with_duplicates()),
    ) {
        let first = plan(&current, &desired);
        prop_assert_eq!(&first, &plan(&current.clone(), &desired.clone()));
    }
}

/// The fuzz seeds (and any crash kept there) parse, and render → parse is the identity.
#[test]
fn fuzz_corpus_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/rsc_parse");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap();
        if let Ok(cfg) = rsc::parse_bytes(&text) {
            let back = rsc::parse(&rsc::render(&cfg)).unwrap();
            assert_eq!(back, cfg, "{}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 6, "the seed scripts parse");
}

/// Every byte 0x01..=0xFF in a comment and a name comes back unchanged through render and
/// parse, and a plan between the configuration and itself is empty.
#[test]
fn every_byte_survives_render_and_parse() {
    let text = include_bytes!("../../fuzz/corpus/rsc_parse/every_byte.rsc");
    let cfg = rsc::parse_bytes(text).unwrap();
    let all: Vec<u8> = (1..=255).collect();
    assert_eq!(cfg.queues[0].comment.as_deref(), Some(&all[..]));
    assert_eq!(&cfg.queues[0].name[..4], b"all\xff");
    let rendered = rsc::render(&cfg);
    assert!(rendered.is_ascii());
    assert_eq!(rsc::parse(&rendered).unwrap(), cfg);
    assert!(plan(&cfg, &cfg).is_empty());
    let raw = include_bytes!("../../fuzz/corpus/rsc_parse/cp1251_raw.rsc");
    let cfg = rsc::parse_bytes(raw).unwrap();
    assert_eq!(cfg.queues[0].name.as_bytes(), b"q\xff\xfe");
    assert_eq!(rsc::parse(&rsc::render(&cfg)).unwrap(), cfg);
}

#[test]
fn seeds_mean_what_they_say() {
    let text = include_str!("../../fuzz/corpus/rsc_parse/mixed.rsc");
    let cfg = rsc::parse(text).unwrap();
    let names: Vec<String> = cfg.queues.iter().map(|q| q.name.to_string()).collect();
    assert_eq!(names, ["x", "y", "z"]);
    let text = include_str!("../../fuzz/corpus/rsc_parse/escapes.rsc");
    let cfg = rsc::parse(text).unwrap();
    assert_eq!(
        cfg.queues[0].comment.as_deref(),
        Some("café \"x\"  y\n\t?".as_bytes())
    );
    assert_eq!(cfg.queues[0].target.len(), 3);
    assert_eq!(cfg.queues[1].parent.as_deref(), Some(&b"a b"[..]));
    assert_eq!(
        cfg.queues[1].bucket_size.download,
        Ratio::from_thousandths(10_000)
    );
}

/// Found by fuzzing: read-only counters in a script were read into the statistics, which are
/// never rendered, so render → parse lost them. RouterOS refuses them in `add`; so does parse.
#[test]
fn read_only_counters_in_scripts_are_refused() {
    let e = rsc::parse("/queue simple\nadd name=x queued-bytes=2M/5M target=ge\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 12));
    assert_eq!(e.kind.to_string(), "property queued-bytes is read-only");
}
