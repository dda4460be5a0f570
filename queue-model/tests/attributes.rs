//! API attribute maps: `print` rows into the model, the model into `add` words, and the
//! `!trap` wording of refused values.

use queue_model::{Action, FirewallRule, Item, Layer7Protocol, PropertyError, Rate, SimpleQueue};
use routeros_proto::Attributes;

fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A row as RouterOS 7 prints it, defaults spelled out.
fn print_row() -> Attributes {
    attrs(&[
        (".id", "*1A"),
        ("name", "house-1"),
        ("target", "192.168.88.10/32"),
        ("parent", "none"),
        ("packet-marks", ""),
        ("priority", "8/8"),
        ("queue", "default-small/default-small"),
        ("limit-at", "0/0"),
        ("max-limit", "2000000/5000000"),
        ("burst-limit", "0/0"),
        ("burst-threshold", "0/0"),
        ("burst-time", "0s/0s"),
        ("bucket-size", "0.1/0.1"),
        ("time", "0s-1d,sun,mon,tue,wed,thu,fri,sat"),
        ("total-queue", "default-small"),
        ("rate", "1200/350000"),
        ("bytes", "1000/2000"),
        ("invalid", "false"),
        ("dynamic", "false"),
        ("disabled", "false"),
    ])
}

#[test]
fn a_print_row_reads_into_the_model() {
    let q = SimpleQueue::from_attributes(&print_row()).unwrap();
    assert_eq!(q.id.as_deref(), Some("*1A"));
    assert_eq!(q.max_limit.download, Rate(5_000_000));
    assert_eq!(q.parent, None);
    assert_eq!(q.time, None);
    assert_eq!(q.stats.rate.download, 350_000);
    assert_eq!(q.stats.bytes.upload, 1000);
    assert!(q.extra.is_empty(), "{:?}", q.extra);
    // Only non-defaults go into an add.
    let add = q.to_add_attributes();
    let words: Vec<(String, String)> = add
        .iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k).into(),
                String::from_utf8_lossy(v).into(),
            )
        })
        .collect();
    assert_eq!(
        words,
        [
            ("max-limit", "2M/5M"),
            ("name", "house-1"),
            ("target", "192.168.88.10/32")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    // The full map reads back to the same queue (statistics are not settable, so not sent).
    let mut back = SimpleQueue::from_attributes(&q.to_attributes()).unwrap();
    back.stats = q.stats.clone();
    assert_eq!(back, q);
    assert_eq!(
        q.to_attributes().get_str("disabled").unwrap().unwrap(),
        "false"
    );
}

#[test]
fn refused_values_are_worded_like_routeros() {
    let cases: [(&[(&str, &str)], &str); 7] = [
        (
            &[("name", "a"), ("max-limit", "fast")],
            "invalid value for argument max-limit",
        ),
        (
            &[("name", "a"), ("priority", "high")],
            "input does not match any value of priority",
        ),
        (
            &[("name", "a"), ("priority", "9/8")],
            "value of priority out of range (1..8)",
        ),
        (
            &[("name", "a"), ("bucket-size", "12/0.1")],
            "value of bucket-size out of range (0..10)",
        ),
        (
            &[("name", "a"), ("disabled", "maybe")],
            "input does not match any value of disabled",
        ),
        (
            &[("name", "a"), ("target", "10.0.0.1/40")],
            "invalid value for argument target",
        ),
        (
            &[("max-limit", "1M/1M")],
            "missing value(s) of argument(s) name",
        ),
    ];
    for (pairs, message) in cases {
        let e = SimpleQueue::from_attributes(&attrs(pairs)).unwrap_err();
        assert_eq!(e.to_string(), message);
        assert_eq!(e.trap_message(), message);
    }
    let e = SimpleQueue::from_attributes(&attrs(&[("name", "a"), ("max-limit", "x")])).unwrap_err();
    assert!(
        matches!(e, PropertyError::InvalidValue { ref property, .. } if property == "max-limit")
    );
    assert_eq!(e.property(), "max-limit");
}

#[test]
fn layer7_and_rules() {
    let p = Layer7Protocol::from_attributes(&attrs(&[
        (".id", "*3"),
        ("name", "yt"),
        ("regexp", "^a=b$"),
    ]))
    .unwrap();
    assert_eq!(p.regexp, "^a=b$");
    assert!(Layer7Protocol::from_attributes(&attrs(&[("regexp", "x")])).is_err());
    let r = FirewallRule::from_attributes(&attrs(&[
        ("chain", "prerouting"),
        ("action", "mark-packet"),
        ("new-packet-mark", "p"),
        ("passthrough", "false"),
        ("protocol", "tcp"),
        ("packet-size", "0-512"),
    ]))
    .unwrap();
    assert_eq!(r.action, Action::MarkPacket);
    assert!(!r.passthrough);
    assert_eq!(r.protocol.as_deref(), Some(&b"tcp"[..]));
    assert_eq!(r.extra, vec![("packet-size".to_owned(), "0-512".into())]);
    let e = FirewallRule::from_attributes(&attrs(&[("chain", "x"), ("action", "explode")]))
        .unwrap_err();
    assert_eq!(e.to_string(), "input does not match any value of action");
}

#[test]
fn command_arguments_are_not_properties() {
    let q = SimpleQueue::from_attributes(&attrs(&[
        ("name", "n"),
        ("target", "10.0.0.1"),
        ("place-before", "other"),
    ]))
    .unwrap();
    assert!(q.extra.is_empty());
    // A property name that could smuggle syntax is refused.
    let e = SimpleQueue::from_attributes(&attrs(&[("name", "n"), ("bad key", "1")])).unwrap_err();
    assert_eq!(e.to_string(), "input does not match any value of property");
}

/// Winbox writes the PC's code page: names and comments that are not UTF-8 are read, kept and
/// written back byte for byte; typed values that are not UTF-8 are refused by name.
#[test]
fn bytes_that_are_not_utf8_survive() {
    let mut row = routeros_proto::Attributes::new();
    row.push(".id", "*1");
    row.push("name", &b"q\xff\xfe"[..]);
    row.push("target", "10.0.0.1/32");
    row.push("comment", &b"\xcf\xf0\xe8\xe2\xe5\xf2 caf\xe9"[..]);
    row.push("packet-marks", &b"m\xe9,n"[..]);
    let q = SimpleQueue::from_attributes(&row).unwrap();
    assert_eq!(q.name.as_bytes(), b"q\xff\xfe");
    assert_eq!(q.name.to_string(), "q\u{fffd}\u{fffd}");
    assert_eq!(q.packet_marks.len(), 2);
    let back = q.to_attributes();
    assert_eq!(back.get("name").unwrap(), b"q\xff\xfe");
    assert_eq!(
        back.get("comment").unwrap(),
        b"\xcf\xf0\xe8\xe2\xe5\xf2 caf\xe9"
    );
    assert_eq!(back.get("packet-marks").unwrap(), b"m\xe9,n");

    let mut bad = routeros_proto::Attributes::new();
    bad.push("name", "a");
    bad.push("max-limit", &b"1M\xff"[..]);
    let e = SimpleQueue::from_attributes(&bad).unwrap_err();
    assert_eq!(e.property(), "max-limit");
}
