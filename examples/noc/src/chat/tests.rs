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
    assert_eq!(lines[0], format!("{:<32}  rate", "queue"));
    assert_eq!(lines[1], format!("{:<32}  1M", "<script>"));
    assert_eq!(lines[2], format!("{}…  2M", "x".repeat(31)));
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
    assert!(usage("ping").contains("/ping HOST [count]"));
    assert_eq!(ChatOps::bot_commands().len(), COMMANDS.len());
}
