//! Escaping, measuring and splitting.

use proptest::prelude::*;
use tg_notify::{
    html, markdown_v2, rendered_len, split, split_with_limit, utf16_len, MessageBuilder, ParseMode,
    MAX_MESSAGE_LEN,
};

const SPECIAL: &str = "_*[]()~`>#+-=|{}.!\\";

#[test]
fn markdown_v2_escape_round_trips_every_special_character() {
    for ch in SPECIAL.chars() {
        let text = format!("a{ch}b {ch}{ch} {ch}");
        let escaped = markdown_v2::escape(&text);
        assert_eq!(
            markdown_v2::to_plain(&escaped).as_deref(),
            Ok(text.as_str()),
            "{ch:?}"
        );
        // and unescaped it is refused, as Telegram refuses it
        if ch != '\\' && ch != '>' {
            assert!(
                markdown_v2::to_plain(&format!("a{ch}b")).is_err(),
                "{ch:?} must need escaping"
            );
        }
    }
    assert_eq!(markdown_v2::escape("1.5-2"), r"1\.5\-2");
}

#[test]
fn markdown_v2_code_and_link_escaping() {
    let code = r"a`b\c *not bold* 1.5";
    let markup = format!("`{}`", markdown_v2::escape_code(code));
    assert_eq!(markdown_v2::to_plain(&markup).unwrap(), code);
    let pre = format!(
        "```rsc\n{}\n```",
        markdown_v2::escape_code("/ip route print where gateway=\"1.1.1.1\"")
    );
    assert_eq!(
        markdown_v2::to_plain(&pre).unwrap(),
        "/ip route print where gateway=\"1.1.1.1\"\n"
    );
    let url = r"http://x/a_(b)\c";
    let link = format!(
        "[{}]({})",
        markdown_v2::escape("dash-board"),
        markdown_v2::escape_link_url(url)
    );
    assert_eq!(markdown_v2::to_plain(&link).unwrap(), "dash-board");
    assert_eq!(markdown_v2::escape_link_url(url), r"http://x/a_(b\)\\c");
}

#[test]
fn html_escape_round_trips() {
    let text = "<b>a & b</b> \"q\" 'x' > 1";
    assert_eq!(html::to_plain(&html::escape(text)).unwrap(), text);
    assert!(html::to_plain("a <b>b").is_err());
    assert!(html::to_plain("<b>a<i>b</b></i>").is_err());
    assert!(html::to_plain("<blink>x</blink>").is_err());
    assert_eq!(
        html::to_plain("<a href=\"http://x\">l</a>&#128640;&#x41;").unwrap(),
        "l🚀A"
    );
}

#[test]
fn builder_output_is_valid_in_every_mode() {
    for mode in [ParseMode::Plain, ParseMode::Html, ParseMode::MarkdownV2] {
        let mut b = MessageBuilder::new(mode);
        b.bold("gw-1.example (core)")
            .text(" <down> since 10:42! ")
            .code("a`b\\c")
            .line()
            .link("panel_1", "http://x/y?a=1&b=(2)");
        let out = b.build();
        let plain = match mode {
            ParseMode::Html => html::to_plain(&out).unwrap(),
            ParseMode::MarkdownV2 => markdown_v2::to_plain(&out).unwrap(),
            _ => out.clone(),
        };
        assert!(
            plain.starts_with("gw-1.example (core) <down> since 10:42! a`b\\c\npanel_1"),
            "{mode:?}: {plain}"
        );
    }
}

#[test]
fn rendered_len_counts_utf16_after_parsing() {
    assert_eq!(rendered_len("🚀", ParseMode::Plain), 2);
    assert_eq!(rendered_len("Привет", ParseMode::Plain), 6);
    assert_eq!(rendered_len("<b>x</b>&lt;", ParseMode::Html), 2);
    assert_eq!(
        rendered_len(r"*x*\.[ab](http://u)", ParseMode::MarkdownV2),
        4
    );
    assert_eq!(rendered_len("```rsc\nab\n```", ParseMode::MarkdownV2), 3);
}

fn plain_of(part: &str, mode: ParseMode) -> String {
    match mode {
        ParseMode::Html => {
            html::to_plain(part).unwrap_or_else(|e| panic!("invalid part {e}: {part}"))
        }
        ParseMode::MarkdownV2 => {
            markdown_v2::to_plain(part).unwrap_or_else(|e| panic!("invalid part {e}: {part}"))
        }
        _ => part.to_owned(),
    }
}

fn strip_marker(plain: &str) -> &str {
    match plain.rfind('\n') {
        Some(i) if plain[i + 1..].starts_with('(') => &plain[..i],
        _ => plain,
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn long_html_alert_with_cyrillic_and_emoji_splits_into_valid_parts() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "<b>Маршрутизатор {i}</b> 🚀 недоступен: <code>ether1 &lt;-&gt; gw</code> <i>проверьте</i> питание\n"
        ));
        if i % 7 == 0 {
            text.push('\n');
        }
    }
    let mode = ParseMode::Html;
    assert!(rendered_len(&text, mode) > 2 * MAX_MESSAGE_LEN);
    let parts = split(&text, mode);
    assert!(parts.len() >= 3);
    let n = parts.len();
    let mut joined = String::new();
    for (i, p) in parts.iter().enumerate() {
        let plain = plain_of(p, mode);
        assert!(utf16_len(&plain) <= MAX_MESSAGE_LEN, "part {i} too long");
        assert!(plain.ends_with(&format!("({}/{n})", i + 1)));
        joined.push_str(strip_marker(&plain));
        joined.push('\n');
    }
    assert_eq!(squash(&joined), squash(&html::to_plain(&text).unwrap()));
}

#[test]
fn a_span_longer_than_a_message_is_closed_and_reopened() {
    let body = "слово ".repeat(2000);
    for (mode, text) in [
        (ParseMode::Html, format!("<b><i>{body}</i></b>")),
        (ParseMode::MarkdownV2, format!("*_{body}_*")),
        (
            ParseMode::MarkdownV2,
            format!("```\n{}```", "x = 1;\n".repeat(1500)),
        ),
    ] {
        let parts = split(&text, mode);
        assert!(parts.len() >= 2, "{mode:?}");
        for p in &parts {
            let plain = plain_of(p, mode);
            assert!(utf16_len(&plain) <= MAX_MESSAGE_LEN);
        }
    }
}

#[test]
fn split_prefers_paragraphs_then_lines_then_words() {
    let para = format!("{}\n\n{}", "a".repeat(60), "b".repeat(60));
    let parts = split_with_limit(&para, ParseMode::Plain, 100);
    assert_eq!(
        parts,
        vec![
            format!("{}\n(1/2)", "a".repeat(60)),
            format!("{}\n(2/2)", "b".repeat(60))
        ]
    );
    let words = "word ".repeat(50);
    for p in split_with_limit(&words, ParseMode::Plain, 64) {
        let body = strip_marker(&p);
        assert!(
            body.split(' ').all(|w| w == "word"),
            "cut inside a word: {p:?}"
        );
    }
}

#[test]
fn escapes_entities_and_surrogate_pairs_are_never_cut() {
    // nothing but escapes / entities / astral characters, no break opportunities
    let md = r"\.".repeat(300);
    for p in split_with_limit(&md, ParseMode::MarkdownV2, 100) {
        assert!(utf16_len(&plain_of(&p, ParseMode::MarkdownV2)) <= 100);
    }
    let ent = "&amp;".repeat(300);
    for p in split_with_limit(&ent, ParseMode::Html, 100) {
        assert!(utf16_len(&plain_of(&p, ParseMode::Html)) <= 100);
    }
    let emoji = "🚀".repeat(300);
    for p in split_with_limit(&emoji, ParseMode::Plain, 101) {
        assert!(utf16_len(&p) <= 101);
    }
}

#[test]
fn short_text_is_returned_unchanged() {
    assert_eq!(split("hello", ParseMode::Plain), vec!["hello".to_owned()]);
    let exact = "я".repeat(MAX_MESSAGE_LEN);
    assert_eq!(split(&exact, ParseMode::Plain).len(), 1);
    assert_eq!(split(&format!("{exact}я"), ParseMode::Plain).len(), 2);
}

proptest! {
    #[test]
    fn markdown_escape_round_trips(s in "\\PC{0,80}") {
        let s = s.replace('\0', "");
        prop_assert_eq!(markdown_v2::to_plain(&markdown_v2::escape(&s)), Ok(s.clone()));
    }

    #[test]
    fn html_escape_round_trips_any(s in "\\PC{0,80}") {
        prop_assert_eq!(html::to_plain(&html::escape(&s)), Ok(s.clone()));
    }

    #[test]
    fn split_parts_are_valid_and_bounded(words in proptest::collection::vec("[a-zа-я🚀.<>&*_-]{1,12}", 1..400), limit in 40usize..300) {
        let text = words.join(" ");
        for mode in [ParseMode::Html, ParseMode::MarkdownV2] {
            let mut b = MessageBuilder::new(mode);
            b.bold("head").text(" ").text(&text);
            let markup = b.build();
            for p in split_with_limit(&markup, mode, limit) {
                let plain = plain_of(&p, mode);
                prop_assert!(utf16_len(&plain) <= limit.max(32), "{} > {}", utf16_len(&plain), limit);
            }
        }
    }
}
