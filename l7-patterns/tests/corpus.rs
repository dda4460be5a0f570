//! The l7-filter corpus (directory in `L7_PROTOCOLS_DIR`): every file loads, parses, compiles,
//! and lints sensibly.

mod common;

use l7_patterns::load::{load_pat_dir, pat_files, PatFile};
use l7_patterns::{lint, MatchMode, Matcher, Pattern, PatternSet, Severity};

#[test]
fn all_146_files_load_parse_and_compile() {
    let Some(dir) = common::corpus_dir("all_146_files_load_parse_and_compile") else {
        return;
    };
    let files = pat_files(&dir).expect("corpus directory is readable");
    assert_eq!(files.len(), 146);
    for f in &files {
        let pat = PatFile::read(f).unwrap();
        assert_eq!(
            Some(pat.name.as_str()),
            f.file_stem().and_then(|s| s.to_str()),
            "{}",
            f.display()
        );
        let p = Pattern::parse(&pat.pattern).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        // print -> parse round trip
        let again = Pattern::parse(&p.to_string())
            .unwrap_or_else(|e| panic!("{}: reprint {e}", f.display()));
        assert_eq!(again.to_string(), p.to_string());
        for mode in [MatchMode::CaseInsensitive, MatchMode::LowercaseDataOnly] {
            Matcher::new(&p, mode).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
    }
    let all = load_pat_dir(&dir).unwrap();
    let set = PatternSet::new(all, MatchMode::CaseInsensitive).unwrap();
    assert_eq!(set.len(), 146);
}

#[test]
fn corpus_lint_is_sensible() {
    let Some(dir) = common::corpus_dir("corpus_lint_is_sensible") else {
        return;
    };
    let all = load_pat_dir(&dir).unwrap();
    let mut errors = Vec::new();
    for p in &all {
        let diags = lint(&p.pattern);
        for d in &diags {
            assert!(
                p.pattern.get(d.span.clone()).is_some(),
                "{}: span {:?} out of range",
                p.name,
                d.span
            );
            if d.code == "L7W003" {
                // uppercase warnings fall where uppercase bytes are
                let text = &p.pattern[d.span.clone()];
                let has_upper = text.bytes().any(|b| b.is_ascii_uppercase())
                    || text.contains("\\x4")
                    || text.contains("\\x5");
                assert!(has_upper, "{}: L7W003 on {text:?}", p.name);
            }
            if d.is_error() {
                errors.push(format!("{}: {} {}", p.name, d.code, d.message));
            }
        }
        let upper_literal = p.pattern.bytes().any(|b| b.is_ascii_uppercase());
        if upper_literal && !p.pattern.contains("\\x") {
            assert!(
                diags.iter().any(|d| d.code == "L7W003"),
                "{}: no uppercase warning",
                p.name
            );
        }
        assert!(diags
            .iter()
            .all(|d| d.severity != Severity::Error || d.code != "L7E001"));
    }
    // the corpus is well-formed: no pattern is rejected outright
    assert!(errors.is_empty(), "{errors:#?}");
}
