//! Validator: each diagnostic fires where it should, with its span and fix, and not elsewhere.

use l7_patterns::{lint, Diagnostic, Severity};

fn codes(src: &str) -> Vec<&'static str> {
    lint(src).into_iter().map(|d| d.code).collect()
}

fn find(src: &str, code: &str) -> Diagnostic {
    lint(src)
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("{code} not reported for {src:?}: {:?}", lint(src)))
}

#[test]
fn a_clean_pattern_has_no_diagnostics() {
    assert_eq!(codes("^ssh-[12]\\.[0-9]"), Vec::<&str>::new());
    assert_eq!(codes("^\\x13bittorrent protocol"), Vec::<&str>::new());
}

#[test]
fn syntax_errors_and_unsupported_constructs() {
    let d = find("(abc", "L7E001");
    assert!(d.is_error());
    assert_eq!(d.span, 0..1);
    assert!(find("(?i)abc", "L7E002").is_error());
    assert!(find("[[.a.]]", "L7E002").is_error());
    let d = find("a*?b", "L7E002");
    assert_eq!(d.span, 2..3);
    assert_eq!(d.apply_fix("a*?b").as_deref(), Some("a*b"));
}

#[test]
fn perl_classes_are_literal_letters() {
    let d = find("\\d+\\.\\d+", "L7W001");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.span, 0..2);
    assert_eq!(d.apply_fix("\\d+\\.\\d+").as_deref(), Some("[0-9]+\\.\\d+"));
    assert_eq!(
        lint("\\d+\\.\\d+")
            .iter()
            .filter(|d| d.code == "L7W001")
            .count(),
        2
    );
    assert_eq!(
        find("x\\sy", "L7W001").fix.as_deref(),
        Some("[\\x09-\\x0d ]")
    );
    assert_eq!(find("[\\w-]", "L7W001").span, 1..3);
    assert!(find("(a)\\1", "L7W010").message.contains("back-reference"));
}

#[test]
fn nul_bytes_never_match() {
    let d = find("ab\\x00cd", "L7E003");
    assert_eq!(d.span, 2..6);
    assert!(d.is_error());
    assert_eq!(find("a[\\x00-\\x05]", "L7W011").severity, Severity::Warning);
    assert!(!codes("[^\\x00]x").contains(&"L7W011"));
}

#[test]
fn empty_groups_and_alternatives() {
    assert_eq!(find("a()b", "L7E004").span, 1..3);
    assert!(find("a||b", "L7E004").is_error());
    assert!(codes("(|x)y").contains(&"L7E004"));
}

#[test]
fn nested_quantifier() {
    let d = find("^.+*abc", "L7E005");
    assert_eq!(d.span, 3..4);
    assert!(d.is_error());
}

#[test]
fn matching_everything_or_nothing() {
    assert!(find(".*", "L7E006").is_error());
    assert!(find("^.*$", "L7E006").is_error());
    assert!(find("$", "L7E006").is_error());
    assert!(codes("a?|b*").contains(&"L7E006"));
    assert!(find("^$", "L7E007").is_error());
    assert!(!codes("^a*b").contains(&"L7E006"));
}

#[test]
fn useless_leading_and_trailing_dot_star() {
    let src = "^.+(youtube\\.com|googlevideo\\.com).*$";
    let diags: Vec<_> = lint(src)
        .into_iter()
        .filter(|d| d.code == "L7W002")
        .collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0].span, 0..3);
    assert_eq!(
        diags[0].apply_fix(src).as_deref(),
        Some(".(youtube\\.com|googlevideo\\.com).*$")
    );
    assert_eq!(diags[1].span, 34..37);
    assert_eq!(
        diags[1].apply_fix(src).as_deref(),
        Some("^.+(youtube\\.com|googlevideo\\.com)")
    );
    assert_eq!(
        find(".*abc", "L7W002").apply_fix(".*abc").as_deref(),
        Some("abc")
    );
    assert!(!codes("^abc.*def").contains(&"L7W002"));
}

#[test]
fn unescaped_dot_in_hostname() {
    let src = "^.+(youtube.com|googlevideo.com).*$";
    let dots: Vec<_> = lint(src)
        .into_iter()
        .filter(|d| d.code == "L7W004")
        .collect();
    assert_eq!(dots.len(), 2);
    assert_eq!(dots[0].span, 11..12);
    assert_eq!(
        dots[0].apply_fix(src).as_deref(),
        Some("^.+(youtube\\.com|googlevideo.com).*$")
    );
    // not for version numbers or binary patterns
    assert!(!codes("http/1.1").contains(&"L7W004"));
    assert!(!codes("\\x01.\\x02").contains(&"L7W004"));
}

#[test]
fn uppercase_literals_are_warned_with_a_lowercase_fix() {
    let src = "^GET /x";
    let d = find(src, "L7W003");
    assert_eq!(d.span, 1..4);
    assert_eq!(d.apply_fix(src).as_deref(), Some("^get /x"));
    assert_eq!(find("\\x41b", "L7W003").fix.as_deref(), Some("\\x61b"));
    let src = "user-agent: Mozilla";
    let d = find(src, "L7W003");
    assert_eq!(d.span, 12..19);
    assert_eq!(d.apply_fix(src).as_deref(), Some("user-agent: mozilla"));
    assert!(codes("[A-F]").contains(&"L7W003"));
    assert!(!codes("[A-Za-z]").contains(&"L7W003"));
    assert!(!codes("get").contains(&"L7W003"));
}

#[test]
fn script_escaping_leftovers() {
    let src = "\"^abc\"";
    let d = find(src, "L7W005");
    assert_eq!(d.apply_fix(src).as_deref(), Some("^abc"));
    let src = "^abc\\$";
    assert_eq!(find(src, "L7W005").apply_fix(src).as_deref(), Some("^abc$"));
    assert!(codes("a\\\"b").contains(&"L7W005"));
}

#[test]
fn whitespace_around_the_pattern() {
    let src = "^abc \t";
    let d = find(src, "L7W006");
    assert_eq!(d.span, 4..6);
    assert_eq!(d.apply_fix(src).as_deref(), Some("^abc"));
    assert!(codes(" abc").contains(&"L7W006"));
}

#[test]
fn kernel_limits() {
    let many = "(a)".repeat(10);
    assert!(find(&many, "L7W007").message.contains("10 groups"));
    assert!(!codes(&"(a)".repeat(9)).contains(&"L7W007"));
    let long = "ab".repeat(4100);
    assert!(find(&long, "L7W007").message.contains("8192"));
}

#[test]
fn bounds_and_named_classes_are_accepted_with_warnings() {
    let d = find("a{2,3}", "L7W008");
    assert_eq!(d.span, 1..6);
    assert!(!d.is_error());
    assert_eq!(find("[[:digit:]]", "L7W009").severity, Severity::Warning);
}

#[test]
fn hostname_hint_suggests_tls_host() {
    let d = find("facebook\\.com", "L7H001");
    assert_eq!(d.severity, Severity::Hint);
    assert_eq!(d.span, 0..13);
    assert!(d.message.contains("tls-host"));
    assert!(codes("(www\\.)?netflix.com").contains(&"L7H001"));
    assert!(!codes("^ssh-[12]\\.[0-9]").contains(&"L7H001"));
}

#[test]
fn render_shows_caret_and_fix() {
    let src = "\\d+";
    let d = find(src, "L7W001");
    let text = d.render(src);
    assert!(text.starts_with("warning[L7W001]"));
    assert!(text.contains("\n    \\d+\n    ^^\n"));
    assert!(text.contains("[0-9]+"));
}
