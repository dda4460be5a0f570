//! Parser: accepted dialect, rejected constructs with spans and carets, print/parse round trip.

use l7_patterns::{AstKind, ClassItem, LiteralKind, ParseErrorKind, Pattern, RepeatOp, NEST_LIMIT};

fn err(src: &str) -> (ParseErrorKind, std::ops::Range<usize>) {
    let e = Pattern::parse(src).unwrap_err();
    (e.kind().clone(), e.span())
}

#[test]
fn escapes_follow_the_dialect() {
    let p = Pattern::parse("\\x41\\d\\.").unwrap();
    let AstKind::Concat(items) = &p.ast().kind else {
        panic!("{:?}", p.ast())
    };
    let lits: Vec<_> = items
        .iter()
        .map(|a| match &a.kind {
            AstKind::Literal(l) => (l.byte, l.kind),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        lits,
        [
            (b'A', LiteralKind::Hex),
            (b'd', LiteralKind::Escaped),
            (b'.', LiteralKind::Escaped)
        ]
    );
    assert_eq!(items[1].span, 4..6);
}

#[test]
fn brackets_take_hex_escapes_ranges_and_a_leading_bracket() {
    let p = Pattern::parse("[]\\x09-\\x0d -~a-]").unwrap();
    let AstKind::Class(c) = &p.ast().kind else {
        panic!()
    };
    assert!(!c.negated);
    assert_eq!(
        c.items,
        [
            ClassItem::Byte(b']'),
            ClassItem::Range(9, 13),
            ClassItem::Range(b' ', b'~'),
            ClassItem::Byte(b'a'),
            ClassItem::Byte(b'-')
        ]
    );
    let p = Pattern::parse("[^[:digit:]\\-]").unwrap();
    let AstKind::Class(c) = &p.ast().kind else {
        panic!()
    };
    assert!(c.negated);
    let set = c.byte_set();
    assert!(!set.contains(b'5') && !set.contains(b'-') && set.contains(b'a'));
}

#[test]
fn bounds_parse_and_a_stray_brace_is_literal() {
    let p = Pattern::parse("a{2,5}b{3}c{1,}").unwrap();
    let AstKind::Concat(items) = &p.ast().kind else {
        panic!()
    };
    let ops: Vec<_> = items
        .iter()
        .map(|a| match &a.kind {
            AstKind::Repeat { op, .. } => *op,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ops,
        [
            RepeatOp::Bounded {
                min: 2,
                max: Some(5)
            },
            RepeatOp::Bounded {
                min: 3,
                max: Some(3)
            },
            RepeatOp::Bounded { min: 1, max: None }
        ]
    );
    let p = Pattern::parse("{\\rtf").unwrap();
    assert!(
        matches!(&p.ast().kind, AstKind::Concat(v) if matches!(v[0].kind, AstKind::Literal(l) if l.byte == b'{'))
    );
    assert_eq!(err("a{5,2}").0, ParseErrorKind::InvalidBound);
    assert_eq!(err("a{256}").0, ParseErrorKind::InvalidBound);
}

#[test]
fn errors_carry_the_right_span() {
    assert_eq!(err("ab(cd"), (ParseErrorKind::UnclosedGroup, 2..3));
    assert_eq!(err("ab)"), (ParseErrorKind::UnopenedGroup, 2..3));
    assert_eq!(err("x[abc"), (ParseErrorKind::UnclosedClass, 1..2));
    assert_eq!(err("*a"), (ParseErrorKind::NothingToRepeat, 0..1));
    assert_eq!(err("a|+"), (ParseErrorKind::NothingToRepeat, 2..3));
    assert_eq!(err("^*"), (ParseErrorKind::NothingToRepeat, 1..2));
    assert_eq!(err("[z-a]"), (ParseErrorKind::InvalidRange, 1..4));
    assert_eq!(err("a\\xg1"), (ParseErrorKind::InvalidHexEscape, 1..5));
    assert_eq!(err("abc\\"), (ParseErrorKind::TrailingBackslash, 3..4));
    assert_eq!(err("[[:word:]]"), (ParseErrorKind::UnknownClassName, 1..9));
    assert!(matches!(err("(?:ab)").0, ParseErrorKind::Unsupported(_)));
    assert!(matches!(err("a(?=b)").0, ParseErrorKind::Unsupported(_)));
    assert!(matches!(err("[[=a=]]").0, ParseErrorKind::Unsupported(_)));
}

#[test]
fn error_renders_a_caret_under_the_place() {
    let e = Pattern::parse("^(get|post /").unwrap_err();
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "unclosed group: `(` has no matching `)`");
    assert_eq!(lines[1], "    ^(get|post /");
    assert_eq!(lines[2], "     ^");
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let deep = "(".repeat(30_000) + &")".repeat(30_000);
    assert!(matches!(err(&deep).0, ParseErrorKind::NestTooDeep(n) if n == NEST_LIMIT));
    let ok = "(".repeat(20) + "a" + &")".repeat(20);
    assert!(Pattern::parse(&ok).is_ok());
    let quantifiers = "a".to_owned() + &"*".repeat(10_000);
    assert!(matches!(
        err(&quantifiers).0,
        ParseErrorKind::NestTooDeep(_)
    ));
}

#[test]
fn too_long_is_a_typed_error() {
    let long = "a".repeat(l7_patterns::MAX_PATTERN_BYTES + 1);
    assert!(matches!(err(&long).0, ParseErrorKind::TooLong(_)));
}

#[test]
fn print_parse_round_trip() {
    for src in [
        "^(get|post) [\\x09-\\x0d -~]* http/1\\.[01]",
        "[]a-]x|y?z+w*",
        "\\{\\\\rtf[12]",
        "a{2,}b{3}c{1,4}",
        "[^\\]\\x00-\\x1f[:alpha:]]",
        "(|a)()",
        "a**",
        "\\x80\\xff caf\u{e9}",
        "$^",
    ] {
        let p = Pattern::parse(src).unwrap();
        let printed = p.to_string();
        let q = Pattern::parse(&printed)
            .unwrap_or_else(|e| panic!("{src:?} printed as {printed:?}: {e}"));
        assert_eq!(q.to_string(), printed, "{src:?}");
        // same matching behaviour
        let a = l7_patterns::Matcher::new(&p, Default::default()).unwrap();
        let b = l7_patterns::Matcher::new(&q, Default::default()).unwrap();
        for data in [
            &b"get / http/1.1"[..],
            b"{\\rtf1",
            b"aaabbbc",
            b"]",
            b"",
            b"caf\xc3\xa9",
        ] {
            assert_eq!(a.is_match(data), b.is_match(data), "{src:?} on {data:?}");
        }
    }
}

#[test]
fn utf8_in_a_pattern_is_bytes() {
    let p = Pattern::parse("é").unwrap();
    let m = l7_patterns::Matcher::new(&p, Default::default()).unwrap();
    assert!(m.is_match("café".as_bytes()));
    assert!(!m.is_match(b"cafe"));
}
