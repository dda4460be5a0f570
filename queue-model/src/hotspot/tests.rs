//! Tests of hotspot items.

use super::*;

fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    let mut a = Attributes::new();
    for (k, v) in pairs {
        a.push(k, v);
    }
    a
}

/// A `print` row of a used voucher, as RouterOS 7 returns it over the API.
#[test]
fn user_from_print_row_and_back() {
    let row = attrs(&[
        (".id", "*1A"),
        ("server", "all"),
        ("name", "abk37"),
        ("password", "abk37"),
        ("profile", "1Day"),
        ("mac-address", "AA:BB:CC:DD:EE:FF"),
        ("limit-uptime", "0s"),
        ("limit-bytes-total", "1073741824"),
        ("uptime", "1h2m"),
        ("bytes-in", "123"),
        ("bytes-out", "4567"),
        ("packets-in", "8"),
        ("packets-out", "9"),
        ("dynamic", "false"),
        ("disabled", "false"),
        ("comment", "jul/16/2024 10:23:45"),
    ]);
    let u = HotspotUser::from_attributes(&row).unwrap();
    assert_eq!(u.id.as_deref(), Some("*1A"));
    assert_eq!(u.server, None);
    assert_eq!(u.mac_address.unwrap().to_string(), "AA:BB:CC:DD:EE:FF");
    assert_eq!(u.stats.uptime, Time::from_secs(3720));
    assert_eq!(u.stats.bytes_out, 4567);
    assert_eq!(u.limit_bytes_total, 1 << 30);
    let props: Vec<(String, String)> = u
        .properties()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let want: Vec<(String, String)> = [
        ("comment", "jul/16/2024 10:23:45"),
        ("limit-bytes-total", "1073741824"),
        ("mac-address", "AA:BB:CC:DD:EE:FF"),
        ("name", "abk37"),
        ("password", "abk37"),
        ("profile", "1Day"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec();
    assert_eq!(props, want);
    assert!(format!("{u:?}").contains("password: <redacted>"));
    // Counters are refused in `.rsc`, and bad values are refused with RouterOS's message.
    assert!(HotspotUser::read_only("bytes-in"));
    let mut bad = HotspotUser::default();
    let e = bad.set_property_str("limit-bytes-in", "1G").unwrap_err();
    assert_eq!(e.to_string(), "invalid value for argument limit-bytes-in");
    assert!(bad.set_property_str("mac-address", "AA:BB").is_err());
}

#[test]
fn profile_defaults_and_values() {
    let mut p = HotspotUserProfile::new("x");
    for (k, v) in [
        ("shared-users", "unlimited"),
        ("idle-timeout", "none"),
        ("keepalive-timeout", "none"),
        ("status-autorefresh", "1m"),
        ("address-pool", "none"),
        ("parent-queue", "none"),
        ("add-mac-cookie", "false"),
        ("mac-cookie-timeout", "3d"),
        ("transparent-proxy", "yes"),
        ("incoming-filter", "hs-in"),
    ] {
        p.set_property_str(k, v).unwrap();
    }
    assert_eq!(p.keepalive_timeout, None);
    assert_eq!(p.address_pool, None);
    assert_eq!(p.parent_queue.as_deref(), Some(&b"none"[..]));
    let got: Vec<String> = p
        .properties()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(
        got,
        [
            "add-mac-cookie=no",
            "keepalive-timeout=none",
            "name=x",
            "parent-queue=none",
            "shared-users=unlimited",
            "transparent-proxy=yes",
            "incoming-filter=hs-in"
        ]
    );
    assert!(p.set_property_str("shared-users", "many").is_err());
    assert!(p.set_property_str("idle-timeout", "soon").is_err());
    assert!(HotspotUserProfile::read_only("default"));
}

#[test]
fn host_and_active_rows_keep_unknown_values() {
    let h = HotspotHost::from_attributes(&attrs(&[
        ("mac-address", "AA:BB:CC:DD:EE:FF"),
        ("vlan-id", "10"),
        ("bypassed", "true"),
    ]))
    .unwrap();
    assert!(h.bypassed);
    assert_eq!(h.extra, vec![("vlan-id".to_owned(), Text::from("10"))]);
    assert!(HotspotActive::from_attributes(&attrs(&[("uptime", "forever")])).is_err());
}
