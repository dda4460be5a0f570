//! Loaders: `.pat` files, `.rsc` exports with RouterOS escapes, one-per-line files.

use std::path::Path;

use l7_patterns::load::{load_path, parse_lines, parse_rsc, unescape_routeros, PatFile};
use l7_patterns::Error;

#[test]
fn pat_file_fields() {
    let text = "# Foo - a protocol\n# Pattern attributes: good fast fast subset\n# Protocol groups: chat proprietary\n# Wiki: http://example.org/foo\n\nfoo\n^foo[0-9] \nuserspace pattern=^FOO\nuserspace flags=REG_NOSUB\n";
    let f = PatFile::parse(text, Path::new("foo.pat")).unwrap();
    assert_eq!(f.name, "foo");
    assert_eq!(f.pattern, "^foo[0-9] ", "the pattern line is kept verbatim");
    assert_eq!(f.pattern_line, 7);
    assert_eq!(f.attributes, ["good", "fast", "fast", "subset"]);
    assert_eq!(f.groups, ["chat", "proprietary"]);
    assert_eq!(f.wiki.as_deref(), Some("http://example.org/foo"));
    assert_eq!(f.userspace_pattern.as_deref(), Some("^FOO"));
    assert_eq!(f.userspace_flags.as_deref(), Some("REG_NOSUB"));
}

#[test]
fn pat_file_errors_name_file_and_line() {
    let e = PatFile::parse("# only comments\nfoo\n", Path::new("x.pat")).unwrap_err();
    assert!(matches!(e, Error::Load { ref path, .. } if path == Path::new("x.pat")));
    let e = PatFile::parse("foo\nbar\nbaz\n", Path::new("x.pat")).unwrap_err();
    assert!(matches!(e, Error::Load { line: 3, .. }), "{e}");
}

#[test]
fn routeros_escapes() {
    let table: &[(&str, &str)] = &[
        ("plain", "plain"),
        ("a\\\"b", "a\"b"),
        ("a\\\\b", "a\\b"),
        ("\\$x", "$x"),
        ("a\\_b", "a b"),
        ("\\r\\n\\t", "\r\n\t"),
        ("\\41\\7A", "Az"),
        ("\\\\x16\\\\x03", "\\x16\\x03"),
    ];
    for (escaped, raw) in table {
        assert_eq!(unescape_routeros(escaped).as_deref(), Ok(*raw), "{escaped}");
    }
    assert!(unescape_routeros("abc\\").is_err());
    assert!(unescape_routeros("\\q").is_err());
}

#[test]
fn rsc_export_with_continuations_and_other_sections() {
    let rsc = "# jan/02/1970 00:00:00 by RouterOS 7.15\n\
/interface bridge\nadd name=bridge1\n\
/ip firewall layer7-protocol\n\
add name=youtube regexp=\"^.+(youtube.com|googlevideo.com).*\\$\"\n\
add comment=\"long one\" name=\"my proto\" regexp=\"^\\\\x16\\\\x03[\\\\x01-\\\\x04].+netf\\\n    lix\\\\.com\"\n\
add name=plain regexp=^ssh-\n\
/ip firewall filter\nadd action=drop chain=forward layer7-protocol=youtube\n\
/ip firewall layer7-protocol add name=oneliner regexp=\"a\\\"b\"\n";
    let pats = parse_rsc(rsc, Path::new("export.rsc")).unwrap();
    let got: Vec<(&str, &str)> = pats
        .iter()
        .map(|p| (p.name.as_str(), p.pattern.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("youtube", "^.+(youtube.com|googlevideo.com).*$"),
            ("my proto", "^\\x16\\x03[\\x01-\\x04].+netflix\\.com"),
            ("plain", "^ssh-"),
            ("oneliner", "a\"b"),
        ]
    );
}

#[test]
fn rsc_errors_name_the_line() {
    let e = parse_rsc(
        "/ip firewall layer7-protocol\nadd name=x\n",
        Path::new("e.rsc"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Load { line: 2, .. }), "{e}");
    let e = parse_rsc(
        "/ip firewall layer7-protocol\nadd name=x regexp=\"abc\n",
        Path::new("e.rsc"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("unterminated"), "{e}");
}

#[test]
fn one_per_line() {
    let pats = parse_lines("# comment\n^abc\r\n\n^def \n");
    let got: Vec<(&str, &str)> = pats
        .iter()
        .map(|p| (p.name.as_str(), p.pattern.as_str()))
        .collect();
    assert_eq!(got, [("line 2", "^abc"), ("line 4", "^def ")]);
}

#[test]
fn load_path_picks_the_loader_and_reports_missing_files() {
    let dir = std::env::temp_dir().join(format!("l7-load-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.pat"), "a\n^a\n").unwrap();
    std::fs::write(dir.join("sub/b.pat"), "b\n^b\n").unwrap();
    std::fs::write(dir.join("list.txt"), "^x\n^y\n").unwrap();
    let names: Vec<String> = load_path(&dir)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(load_path(&dir.join("list.txt")).unwrap().len(), 2);
    assert!(matches!(
        load_path(&dir.join("missing.rsc")),
        Err(Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
