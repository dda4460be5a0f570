//! The message files: they parse, both languages have the same messages with the same
//! arguments, and every key the code and the templates use exists.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::*;

/// Message id (and `id.attribute`) → the variables it uses, for one language; fails on a
/// syntax error or a key defined twice.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (l, files) in FILES {
        if l != lang {
            continue;
        }
        for (file, text) in files {
            let res = fluent_syntax::parser::parse(*text)
                .unwrap_or_else(|(_, errs)| panic!("{lang}/{file}: {errs:?}"));
            for entry in res.body {
                let ast::Entry::Message(m) = entry else {
                    if let ast::Entry::Junk { content } = entry {
                        panic!("{lang}/{file}: cannot parse {content:?}");
                    }
                    continue;
                };
                let id = m.id.name.to_owned();
                if let Some(v) = &m.value {
                    let prev = out.insert(id.clone(), vars(v));
                    assert!(prev.is_none(), "{lang}/{file}: {id} is defined twice");
                }
                for a in &m.attributes {
                    out.insert(format!("{id}.{}", a.id.name), vars(&a.value));
                }
            }
        }
    }
    out
}

fn vars(p: &ast::Pattern<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn expr(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pattern(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline(i, out),
        }
    }
    fn inline(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
            }
            _ => {}
        }
    }
    fn pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr(expression, out);
            }
        }
    }
    pattern(p, &mut out);
    out
}

#[test]
fn both_languages_have_every_message_with_the_same_arguments() {
    let en = messages(Lang::En);
    let id = messages(Lang::Id);
    assert!(en.len() > 20, "{} messages", en.len());
    let only_en: Vec<_> = en.keys().filter(|k| !id.contains_key(*k)).collect();
    let only_id: Vec<_> = id.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty(),
        "missing in Bahasa Indonesia: {only_en:?}"
    );
    assert!(only_id.is_empty(), "missing in English: {only_id:?}");
    for (k, v) in &en {
        assert_eq!(
            Some(v),
            id.get(k),
            "{k}: English uses {v:?}, Indonesian {:?}",
            id.get(k)
        );
    }
}

/// Every `tr!(lang, "key"…)` in the sources and `t("key"…)` in the templates.
fn used_keys() -> BTreeSet<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x == "rs" || x == "html" || x == "js")
            {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["src", "templates", "static"] {
        walk(&root.join(d), &mut files);
    }
    let mut out = BTreeSet::new();
    for f in files {
        // This file's own tests use a key that must not exist.
        if f.ends_with("i18n/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read source");
        let name = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        let ext = f.extension().and_then(|x| x.to_str()).unwrap_or("");
        let openers: &[&str] = match ext {
            "rs" => &["tr!("],
            "html" => &["t(\""],
            _ => &["T(\""],
        };
        for opener in openers {
            for (at, _) in text.match_indices(opener) {
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == '.' {
                    continue;
                }
                let rest = &text[at + opener.len()..];
                // `tr!(lang, "key"` — the key is the first string literal.
                let key = if *opener == "tr!(" {
                    let Some(q) = rest.find('"') else { continue };
                    if rest[..q].contains(')') {
                        continue;
                    }
                    &rest[q + 1..]
                } else {
                    rest
                };
                let Some(end) = key.find('"') else { continue };
                let key = &key[..end];
                if key.is_empty()
                    || !key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
                {
                    continue;
                }
                out.insert((name.clone(), key.to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_key_in_use_exists_in_both_languages() {
    let used = used_keys();
    assert!(used.len() > 10, "found {} keys in use", used.len());
    let mut missing = Vec::new();
    for (file, key) in &used {
        for lang in Lang::ALL {
            if !has(lang, key) && key != "key" {
                missing.push(format!("{file}: {key} ({lang})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not defined:\n{}",
        missing.join("\n")
    );
}

#[test]
fn messages_format_with_their_arguments() {
    assert_eq!(tr!(Lang::En, "nav-alerts"), "Alerts");
    assert_eq!(tr!(Lang::Id, "nav-alerts"), "Peringatan");
    assert_eq!(
        tr!(Lang::Id, "chat-no-router-called", name = "core"),
        "Tidak ada router bernama core."
    );
    // A missing key comes back as itself.
    assert_eq!(tr!(Lang::En, "no-such-key"), "no-such-key");
}

#[test]
fn numbers_are_written_per_language() {
    assert_eq!(Lang::En.integer(150_000), "150,000");
    assert_eq!(Lang::Id.integer(150_000), "150.000");
    assert_eq!(Lang::Id.integer(-1_234_567), "-1.234.567");
    assert_eq!(Lang::En.integer(999), "999");
    assert_eq!(Lang::En.integer(i64::MIN), "-9,223,372,036,854,775,808");
    assert_eq!(Lang::En.decimal(1234.5, 1), "1,234.5");
    assert_eq!(Lang::Id.decimal(1234.5, 1), "1.234,5");
    assert_eq!(Lang::Id.decimal(-0.04, 1), "0,0");
    assert_eq!(Lang::Id.decimal(f64::NAN, 1), "-");
    assert_eq!(Lang::En.si(2_500_000, "bps"), "2.5 Mbps");
    assert_eq!(Lang::Id.si(2_500_000, "bps"), "2,5 Mbps");
    assert_eq!(Lang::Id.si(512, "B"), "512 B");
    assert_eq!(Lang::Id.percent(12.5), "12,5%");
    assert_eq!(Lang::Id.percent(40.0), "40%");
}

#[test]
fn languages_are_recognised() {
    assert_eq!(Lang::parse("ID-id"), Some(Lang::Id));
    assert_eq!(Lang::parse("in"), Some(Lang::Id));
    assert_eq!(Lang::parse("en_US"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(
        Lang::from_accept_language("fr-FR,id;q=0.9,en;q=0.8"),
        Some(Lang::Id)
    );
    assert_eq!(
        Lang::from_accept_language("en-US,en;q=0.9,id;q=0.8"),
        Some(Lang::En)
    );
    assert_eq!(
        Lang::from_accept_language("id;q=0,en;q=0.1"),
        Some(Lang::En)
    );
    assert_eq!(Lang::from_accept_language("de, fr"), None);
    assert_eq!(Lang::from_accept_language(""), None);
}

#[test]
fn the_script_gets_its_messages_with_placeholders() {
    let en = script_messages(Lang::En);
    let id = script_messages(Lang::Id);
    assert_eq!(
        en.get("js-polls").map(String::as_str),
        Some("{$ok} ok / {$failed} failed")
    );
    assert_eq!(
        id.get("js-polls").map(String::as_str),
        Some("{$ok} berhasil / {$failed} gagal")
    );
    assert!(en.keys().all(|k| k.starts_with("js-")));
    assert_eq!(en.len(), id.len());
}
