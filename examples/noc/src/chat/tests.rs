//! Tests of the chat commands' helpers.

use super::*;

#[test]
fn tables_align_truncate_and_escape() {
    let t = table(
        &["queue", "rate"],
        &[
            vec!["<script>".into(), "1M".into()],
            vec!["x".repeat(40), "2M".into()],
        ],
    );
    assert!(tg_notify::html::to_plain(&t).is_ok());
    let plain = tg_notify::html::to_plain(&t).unwrap();
    let lines: Vec<&str> = plain.lines().collect();
    // 40 + 2 + 4 is too wide for a phone: one space between, the name column cut to fit 35
    assert_eq!(lines[0], format!("{:<30} rate", "queue"));
    assert_eq!(lines[1], format!("{:<30} 1M", "<script>"));
    assert_eq!(lines[2], format!("{}… 2M", "x".repeat(29)));
    assert!(lines.iter().all(|l| l.chars().count() <= MAX_WIDTH));
    // narrow tables keep two spaces
    let t = table(&["a", "b"], &[vec!["x".into(), "y".into()]]);
    assert_eq!(t, "<pre>a  b\nx  y</pre>");
}

#[test]
fn wide_tables_fit_a_phone_whatever_the_cells() {
    let wide: Vec<String> = (0..9).map(|i| format!("{i}").repeat(20)).collect();
    let head: Vec<&str> = vec!["column"; 9];
    for rows in [
        vec![],
        vec![wide.clone()],
        vec![wide.clone(), vec!["\u{1b}[2J\n".into()]],
    ] {
        let t = table(&head, &rows);
        let plain = tg_notify::html::to_plain(&t).unwrap();
        for l in plain.lines() {
            assert!(l.chars().count() <= MAX_WIDTH, "{l:?}");
            assert!(!l.contains('\u{1b}'), "{l:?}");
        }
    }
    assert_eq!(table(&[], &[]), "<pre></pre>");
}

#[test]
fn uptimes_are_shortened() {
    assert_eq!(short_uptime("1w2d3h4m5s"), "1w2d");
    assert_eq!(short_uptime("4m5s"), "4m5s");
    assert_eq!(short_uptime("5s"), "5s");
    assert_eq!(short_uptime("01:02:03:04:05"), "01:02:0…");
    assert_eq!(short_uptime(""), "");
}

#[test]
fn ping_hosts_are_checked() {
    for ok in ["192.168.88.1", "2001:db8::1", "example.com", "router-1.lan"] {
        assert!(valid_host(ok), "{ok}");
    }
    for bad in [
        "",
        "-x",
        "a b",
        "1.2.3.4;reboot",
        "host/../x",
        &"a".repeat(254),
    ] {
        assert!(!valid_host(bad), "{bad}");
    }
    assert!(usage(Lang::En, "ping").contains("/ping HOST [count]"));
    assert_eq!(
        usage(Lang::Id, "paid"),
        "Cara pakai: <code>/paid NAMA JUMLAH</code>"
    );
    assert_eq!(ChatOps::bot_commands().len(), COMMANDS.len());
    assert_eq!(
        tr!(Lang::En, "chat-refusal"),
        super::whatsapp::REFUSAL,
        "the refusal strangers read"
    );
    let id = ChatOps::bot_commands_in(Lang::Id);
    assert_eq!(id.len(), COMMANDS.len());
    assert!(id
        .iter()
        .any(|c| c.command == "queues" && c.description.contains("antrean")));
}

#[test]
fn every_command_is_described_in_both_languages() {
    for (c, u, d) in COMMANDS {
        assert_eq!(describe(Lang::En, c), *d, "{c}");
        let id = describe(Lang::Id, c);
        assert!(!id.is_empty() && !id.starts_with("chat-"), "{c}: {id}");
        assert!(usage_line(Lang::Id, u).starts_with(&format!("/{c}")), "{u}");
    }
}

#[test]
fn byte_counts_take_the_languages_decimal_mark() {
    assert_eq!(iec(Lang::En, 1536), "1.5 KiB");
    assert_eq!(iec(Lang::Id, 1536), "1,5 KiB");
    assert_eq!(iec(Lang::Id, 512), "512 B");
}

#[test]
fn whatsapp_alerts_are_framed_in_the_language() {
    use crate::alerts::engine::{Notice, NoticeKind};
    use crate::alerts::rules::Severity;
    use crate::alerts::whatsapp::{render_markup, render_markup_in};
    let n = Notice {
        key: "log:edge".into(),
        rule: "log".into(),
        router_id: Some(1),
        router: "edge".into(),
        severity: Severity::Critical,
        title: "edge: login failure".into(),
        detail: String::new(),
        kind: NoticeKind::Resolved,
        chats: Vec::new(),
        delivery: Default::default(),
    };
    assert_eq!(
        render_markup(&n),
        "✅ *Resolved:* edge: login failure\n_log · critical_"
    );
    assert_eq!(
        render_markup_in(&n, Lang::Id),
        "✅ *Pulih:* edge: login failure\n_log · kritis_"
    );
}
