//! Tests of MIKHMON's formats.

use super::*;

#[test]
fn header_table_both_ways() {
    let v = |s: &str| Some(s.parse::<Validity>().unwrap());
    let table: [(&str, OnLoginHeader); 5] = [
        (
            r#":put (",remc,5000,1d,0,,Disable,")"#,
            OnLoginHeader {
                mode: Some(ExpiryMode::RemoveAndRecord),
                price: Amount(5000),
                validity: v("1d"),
                ..OnLoginHeader::default()
            },
        ),
        (
            r#":put (",rem,3000,12h,3500,,Enable,")"#,
            OnLoginHeader {
                mode: Some(ExpiryMode::Remove),
                price: Amount(3000),
                validity: v("12h"),
                selling_price: Amount(3500),
                mac_lock: true,
                ..OnLoginHeader::default()
            },
        ),
        (
            r#":put (",ntfc,50000,30d,50000,,Disable,")"#,
            OnLoginHeader {
                mode: Some(ExpiryMode::NoticeAndRecord),
                price: Amount(50000),
                validity: v("30d"),
                selling_price: Amount(50000),
                ..OnLoginHeader::default()
            },
        ),
        (
            r#":put (",,2000,,,noexp,Enable,")"#,
            OnLoginHeader {
                price: Amount(2000),
                mac_lock: true,
                ..OnLoginHeader::default()
            },
        ),
        (
            r#":put (",ntf,2000,5h30m,2000,,Disable,Enable,")"#,
            OnLoginHeader {
                mode: Some(ExpiryMode::Notice),
                price: Amount(2000),
                validity: v("5h30m"),
                selling_price: Amount(2000),
                extra: vec!["Enable".into()],
                ..OnLoginHeader::default()
            },
        ),
    ];
    for (text, value) in table {
        assert_eq!(text.parse::<OnLoginHeader>().unwrap(), value, "{text}");
        assert_eq!(value.to_string(), text);
    }
}

/// Fuzz crash: 32 fields without a trailing comma rendered as 33 with one.
#[test]
fn header_field_count_ignores_the_trailing_comma() {
    let fields32 = format!(":put (\",,0,,,noexp,Disable{}\")", ",x".repeat(25));
    let h = OnLoginHeader::from_script(fields32.as_bytes()).unwrap();
    assert_eq!(h.extra.len(), 25);
    assert_eq!(
        OnLoginHeader::from_script(h.to_string().as_bytes()).unwrap(),
        h
    );
    let fields33 = format!(":put (\",,0,,,noexp,Disable{}\")", ",x".repeat(26));
    assert_eq!(
        OnLoginHeader::from_script(fields33.as_bytes()).unwrap_err(),
        MikhmonError::HeaderFields { found: 33 }
    );
    let long = format!(":put (\",,0,,,noexp,Disable,{},\")", "y".repeat(257));
    assert_eq!(
        OnLoginHeader::from_script(long.as_bytes())
            .unwrap_err()
            .code(),
        "malformed-header"
    );
}

/// Fuzz crash: a header without a mode but with a selling price rendered without it.
#[test]
fn header_without_mode_keeps_its_fields() {
    let input = b":put (\",,2000,,4,00,,,,Dis2359-07-:45\\ble,\")";
    let h = OnLoginHeader::from_script(input).unwrap();
    assert_eq!((h.mode, h.selling_price), (None, Amount(4)));
    assert_eq!(
        OnLoginHeader::from_script(h.to_string().as_bytes()).unwrap(),
        h
    );
    let h = OnLoginHeader::from_script(b":put (\",,2000,1d,,noexp,Enable,\")").unwrap();
    assert_eq!(h.to_string(), ":put (\",,2000,1d,,noexp,Enable,\")");
}

#[test]
fn header_whitespace_and_bodies() {
    for s in [
        ":put (\",remc,5000,1d,0,,Disable,\"); {:local a 1}",
        ":put (\",remc,5000,1d,0,,Disable,\");{:local a 1}",
        "  \r\n:put (\",remc,5000,1d,0,,Disable,\")\n:local a 1",
        ":put(\",remc,5000,1d,0,,Disable,\")",
        ":put ( \",remc,5000,1d,0,,Disable,\" ) ; :log info x",
        ":put\t(\",remc,5000,1d,0,,Disable,\");",
    ] {
        let h = OnLoginHeader::from_script(s.as_bytes()).unwrap();
        assert_eq!(h.price, Amount(5000), "{s:?}");
    }
    let (_, at) =
        OnLoginHeader::parse_prefix(b":put (\",,0,,,noexp,Disable,\"); [:local m 1]").unwrap();
    assert_eq!(at, 30);
}

#[test]
fn header_errors() {
    for (s, code) in [
        ("", "not-a-header"),
        (":log info x", "not-a-header"),
        (":put \"x\"", "malformed-header"),
        (":put (x)", "malformed-header"),
        (":put (\",remc,5000,1d,0,,Disable,", "malformed-header"),
        (":put (\",remc,5000,1d,0,,Disable,\"", "malformed-header"),
        (":put (\",remc,5000\")", "header-fields"),
        (":put (\",rm,5000,1d,0,,Disable,\")", "unknown-mode"),
        (":put (\",remc,5.000,1d,0,,Disable,\")", "bad-price"),
        (":put (\",remc,Rp5000,1d,0,,Disable,\")", "bad-price"),
        (":put (\",remc,-5,1d,0,,Disable,\")", "bad-price"),
        (":put (\",remc,5000,1d,abc,,Disable,\")", "bad-price"),
        (":put (\",remc,5000,default,0,,Disable,\")", "bad-validity"),
        (":put (\",remc,5000,0s,0,,Disable,\")", "bad-validity"),
        (":put (\",remc,5000,1d,0,,Yes,\")", "bad-lock"),
    ] {
        let e = OnLoginHeader::from_script(s.as_bytes()).unwrap_err();
        assert_eq!(e.code(), code, "{s:?}: {e}");
    }
    let e = OnLoginHeader::from_script(b":put (\"\xff,remc,5000,1d,0,,Disable,\")").unwrap_err();
    assert_eq!(e, MikhmonError::NotUtf8("header"));
    let many = format!(":put (\"{}\")", ",".repeat(40));
    assert_eq!(
        OnLoginHeader::from_script(many.as_bytes())
            .unwrap_err()
            .code(),
        "header-fields"
    );
}

#[test]
fn rendered_scripts_carry_the_header_and_the_data_formats() {
    let h = OnLoginHeader::new(
        ExpiryMode::NoticeAndRecord,
        Amount(5000),
        "1d".parse().unwrap(),
    );
    let profile = Text::from("Paket \"1\" $hari");
    for style in [DateStyle::Legacy, DateStyle::Iso] {
        let script = h.render_script(&profile, style);
        let text = script.to_string();
        assert_eq!(OnLoginHeader::from_script(script.as_bytes()).unwrap(), h);
        assert!(
            text.contains("-|-5000-|-$address-|-$mac-|-1d-|-Paket \\\"1\\\" \\$hari-|-$comment\""),
            "{text}"
        );
        assert!(text.contains("interval=1d;"), "{text}");
        assert!(text.ends_with("comment=mikhmon}}"), "{text}");
        assert_eq!(
            text.matches('{').count(),
            text.matches('}').count(),
            "{text}"
        );
        assert_eq!(
            text.matches('(').count(),
            text.matches(')').count(),
            "{text}"
        );
        assert_eq!(
            text.matches('[').count(),
            text.matches(']').count(),
            "{text}"
        );
    }
    let legacy = h.render_script(&profile, DateStyle::Legacy).to_string();
    assert!(legacy.contains(":local year [:pick $date 7 11]; :local month [:pick $date 0 3]"));
    let iso = h.render_script(&profile, DateStyle::Iso).to_string();
    assert!(iso.contains(":local year [:pick $date 0 4]; :local month [:pick $date 5 7]"));
    // Without a recording mode there is no record; the lock is added when on.
    let mut rem = OnLoginHeader::new(ExpiryMode::Remove, Amount(1), "1h".parse().unwrap());
    rem.mac_lock = true;
    let t = rem.render_script(&profile, DateStyle::Iso).to_string();
    assert!(!t.contains("/system script add"));
    assert!(t.ends_with("mac-address=$\"mac-address\"}}"), "{t}");
    let noexp = OnLoginHeader::without_expiry(Amount(2000));
    assert_eq!(
        noexp.render_script(&profile, DateStyle::Iso).to_string(),
        ":put (\",,2000,,,noexp,Disable,\")"
    );
}

#[test]
fn batch_comments_both_ways() {
    let d = |y, m, day| Date::new(y, m, day).unwrap();
    for (text, value) in [
        (
            "vc-482-07.15.24-warung",
            BatchComment::new(UserMode::Voucher, 482, d(2024, 7, 15), "warung"),
        ),
        (
            "up-100-12.31.25-",
            BatchComment::new(UserMode::UserPassword, 100, d(2025, 12, 31), ""),
        ),
        (
            "vc-007-02.29.24-a-b-c",
            BatchComment::new(UserMode::Voucher, 7, d(2024, 2, 29), "a-b-c"),
        ),
    ] {
        assert_eq!(BatchComment::parse(text.as_bytes()).unwrap(), value);
        assert_eq!(value.to_text().to_string(), text);
    }
    for bad in [
        "",
        "vc",
        "vc-482-07.15.24",
        "xx-482-07.15.24-a",
        "vc-48-07.15.24-a",
        "vc-4821-07.15.24-a",
        "vc-482-7.15.24-a",
        "vc-482-02.30.24-a",
        "vc-482-07.15.2024-a",
        "vc-482-07.15-a",
    ] {
        assert!(BatchComment::parse(bad.as_bytes()).is_err(), "{bad}");
    }
    let note = BatchComment::parse(b"vc-482-07.15.24-caf\xe9").unwrap();
    assert_eq!(note.note.as_bytes(), b"caf\xe9");
}

#[test]
fn records_both_ways_and_errors() {
    let r = SalesRecord {
        date: Date::new(2024, 7, 31).unwrap(),
        time: TimeOfDay::new(23, 59, 59).unwrap(),
        user: "abk37".into(),
        price: Amount(5000),
        address: "10.5.50.12".into(),
        mac: "AA:BB:CC:DD:EE:FF".into(),
        validity: "1d".into(),
        profile: "1Day".into(),
        comment: "vc-482-07.15.24-a-|-b".into(),
    };
    for (style, name, owner) in [
        (
            DateStyle::Legacy,
            "jul/31/2024-|-23:59:59-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:FF-|-1d-|-1Day-|-vc-482-07.15.24-a-|-b",
            "jul2024",
        ),
        (
            DateStyle::Iso,
            "2024-07-31-|-23:59:59-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:FF-|-1d-|-1Day-|-vc-482-07.15.24-a-|-b",
            "072024",
        ),
    ] {
        assert_eq!(SalesRecord::parse(name.as_bytes()).unwrap(), r);
        assert_eq!(r.script_name(style).to_string(), name);
        assert_eq!(r.owner(style), owner);
        let a = r.to_attributes(style);
        assert_eq!(SalesRecord::from_attributes(&a).unwrap(), r);
    }
    for (name, code) in [
        ("", "missing-fields"),
        ("jul/31/2024-|-23:59:59-|-abk37-|-5000", "missing-fields"),
        (
            "jul/32/2024-|-23:59:59-|-u-|-5000-|-a-|-m-|-1d-|-p-|-c",
            "bad-date",
        ),
        (
            "31/07/2024-|-23:59:59-|-u-|-5000-|-a-|-m-|-1d-|-p-|-c",
            "bad-date",
        ),
        (
            "jul/31/2024-|-24:00:00-|-u-|-5000-|-a-|-m-|-1d-|-p-|-c",
            "bad-time",
        ),
        (
            "jul/31/2024-|-23:59:59-|-u-|-5k-|-a-|-m-|-1d-|-p-|-c",
            "bad-price",
        ),
        (
            "jul/31/2024-|-23:59:59-|-u-|--|-a-|-m-|-1d-|-p-|-c",
            "bad-price",
        ),
    ] {
        assert_eq!(
            SalesRecord::parse(name.as_bytes()).unwrap_err().code(),
            code,
            "{name}"
        );
    }
    let long = vec![b'x'; MAX_RECORD + 1];
    assert_eq!(SalesRecord::parse(&long).unwrap_err().code(), "too-long");
    let mut not_sale = Attributes::new();
    not_sale.push("name", "backup");
    not_sale.push("comment", "nightly");
    assert!(SalesRecord::from_attributes(&not_sale).is_err());
}

#[test]
fn voucher_states() {
    let now: DateTime = "2024-07-16 10:23:45".parse().unwrap();
    let mut u = HotspotUser::new("a", "a");
    assert_eq!(voucher_state(&u, now), VoucherState::Unused);
    u.stats.uptime = Time::from_secs(5);
    assert_eq!(voucher_state(&u, now), VoucherState::Used);
    u.comment = Some("2024-07-16 10:23:45".into());
    assert!(matches!(
        voucher_state(&u, now),
        VoucherState::Active { .. }
    ));
    u.comment = Some("jul/16/2024 10:23:44".into());
    assert!(matches!(
        voucher_state(&u, now),
        VoucherState::Expired { .. }
    ));
    u.comment = Some("Pak RT".into());
    assert_eq!(voucher_state(&u, now), VoucherState::Unknown);
}
