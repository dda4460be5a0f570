//! Formatting shared by every front-end: rates, byte counts and times for people, and the
//! treatment of text that came from a router (length caps, control characters) before it
//! reaches a page, a chat bubble or the log.

/// `v` with an SI prefix (k = 1000) and `unit`: `2.5 Mbps`, `1.2 kB`, `512 B`.
pub fn si(v: u64, unit: &str) -> String {
    let x = v as f64;
    match [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(d, _)| x >= *d)
    {
        Some((d, p)) => format!("{:.1} {p}{unit}", x / d),
        None => format!("{v} {unit}"),
    }
}

/// A rate for pages: `2.5 Mbps`.
pub fn rate(bps: u64) -> String {
    si(bps, "bps")
}

/// A byte count for pages: `1.2 MB`.
pub fn bytes(v: u64) -> String {
    si(v, "B")
}

/// A rate the way RouterOS writes it, for chat and alert texts: `2.5M`, `800k`, `999`.
pub fn rate_short(bps: u64) -> String {
    let v = bps as f64;
    let (n, unit) = if v >= 1e9 {
        (v / 1e9, "G")
    } else if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        return bps.to_string();
    };
    let s = format!("{n:.1}");
    format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
}

/// A byte count in binary units, for chat and alert texts: `1.5 GiB`.
pub fn bytes_iec(b: u64) -> String {
    const K: f64 = 1024.0;
    let v = b as f64;
    if v >= K * K * K * K {
        format!("{:.1} TiB", v / (K * K * K * K))
    } else if v >= K * K * K {
        format!("{:.1} GiB", v / (K * K * K))
    } else if v >= K * K {
        format!("{:.1} MiB", v / (K * K))
    } else if v >= K {
        format!("{:.1} KiB", v / K)
    } else {
        format!("{b} B")
    }
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn time(t: i64) -> String {
    // Years 1 to 9999: nothing overflows, whatever a row holds.
    let t = t.clamp(-62_135_596_800, 253_402_300_799);
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` in the local time `offset_min` minutes east
/// of UTC (`420` for WIB); [`time`] is the UTC case.
pub fn time_at(t: i64, offset_min: i32) -> String {
    time(t.saturating_add(i64::from(offset_min) * 60))
}

/// The short name of a UTC offset: `WIB`, `WITA` and `WIT` for Indonesia's three zones, `UTC`
/// for zero, otherwise `UTC+hh:mm` / `UTC-hh:mm`.
pub fn zone_name(offset_min: i32) -> String {
    match offset_min {
        0 => "UTC".into(),
        420 => "WIB".into(),
        480 => "WITA".into(),
        540 => "WIT".into(),
        m => {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", a / 60, a % 60)
        }
    }
}

/// A short local time for narrow screens: `HH:MM` on the same local day as `now`,
/// `MM-DD HH:MM` otherwise.
pub fn time_short(t: i64, now: i64, offset_min: i32) -> String {
    let full = time_at(t, offset_min);
    let day_of = |x: i64| {
        x.saturating_add(i64::from(offset_min) * 60)
            .div_euclid(86_400)
    };
    match (full.get(5..10), full.get(11..16)) {
        (Some(md), Some(hm)) if day_of(t) != day_of(now) => format!("{md} {hm}"),
        (_, Some(hm)) => hm.to_owned(),
        _ => full,
    }
}

/// Longest router-supplied string kept in an alert, an activity row or a chat reply
/// (characters); longer ones are cut with `…`.
pub const MAX_ROUTER_TEXT: usize = 256;

/// `s` cut to at most `max` characters, with `…` when something was cut.
pub fn cap(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some((i, _)) => {
            let mut out = s[..i].to_owned();
            if max > 0 {
                out.pop();
                out.push('…');
            }
            out
        }
    }
}

/// Router text for storage and display: capped at [`MAX_ROUTER_TEXT`] characters, control
/// characters (newlines, escapes) replaced by spaces, so it cannot forge lines or steer a
/// terminal.
pub fn router_text(s: &str) -> String {
    cap(&s.replace(|c: char| c.is_control(), " "), MAX_ROUTER_TEXT)
}

/// Text for the log or a terminal: control characters written as `\n`, `\x1b`..., so a value
/// from a router cannot forge log lines or send terminal escape sequences; capped at 1,024
/// characters.
pub fn log_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(1024));
    for c in s.chars() {
        if out.len() >= 1024 {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Text for a terminal: line breaks kept, every other control character (escape sequences,
/// carriage returns, bells) written as `\x1b`..., so router text cannot steer the terminal.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Why an `upload/download` rate pair (`2M/5M`) is wrong, naming the half: "the download
/// half "5X" is not a rate; expected upload/download like 2M/5M (units k, M, G)". `None` when
/// both halves read as rates.
pub fn rate_pair_problem(value: &str) -> Option<String> {
    let expected = "expected upload/download like 2M/5M (a number with k, M or G; 0 is unlimited)";
    let bad = |s: &str| s.trim().parse::<queue_model::Rate>().is_err();
    match value.split_once('/') {
        Some((u, d)) => match (bad(u), bad(d)) {
            (false, false) => None,
            (true, false) => Some(format!("the upload half {u:?} is not a rate; {expected}")),
            (false, true) => Some(format!("the download half {d:?} is not a rate; {expected}")),
            (true, true) => Some(format!("neither {u:?} nor {d:?} is a rate; {expected}")),
        },
        None if bad(value) => Some(format!("{value:?} is not a rate; {expected}")),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formatting() {
        assert_eq!(time(0), "1970-01-01 00:00:00");
        assert_eq!(time(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(time_at(1_700_000_000, 420), "2023-11-15 05:13:20");
        assert_eq!(time_at(0, -210), "1969-12-31 20:30:00");
        assert_eq!(zone_name(420), "WIB");
        assert_eq!(zone_name(480), "WITA");
        assert_eq!(zone_name(540), "WIT");
        assert_eq!(zone_name(0), "UTC");
        assert_eq!(zone_name(330), "UTC+05:30");
        assert_eq!(zone_name(-210), "UTC-03:30");
        let t = 1_700_000_000;
        assert_eq!(time_short(t, t + 60, 420), "05:13");
        assert_eq!(time_short(t, t + 86_400, 420), "11-15 05:13");
        assert_eq!(time_at(i64::MAX, 540), "9999-12-31 23:59:59");
        assert!(!time_short(i64::MIN, 0, -720).is_empty());
    }

    #[test]
    fn rates_and_bytes() {
        assert_eq!(rate(2_500_000), "2.5 Mbps");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(rate_short(2_000_000), "2M");
        assert_eq!(rate_pair_problem("2M/5M"), None);
        assert!(rate_pair_problem("2M/5X")
            .unwrap()
            .starts_with("the download half \"5X\""));
        assert!(rate_pair_problem("2Q/5M")
            .unwrap()
            .starts_with("the upload half \"2Q\""));
        assert!(rate_pair_problem("x/y").unwrap().starts_with("neither"));
        assert_eq!(rate_short(2_500_000), "2.5M");
        assert_eq!(rate_short(999), "999");
        assert_eq!(bytes_iec(1536), "1.5 KiB");
    }

    #[test]
    fn router_text_is_capped_and_single_line() {
        assert_eq!(cap("abcdef", 4), "abc…");
        assert_eq!(cap("abc", 4), "abc");
        assert_eq!(cap("ééééé", 5), "ééééé");
        let long = "x".repeat(30_000);
        assert_eq!(router_text(&long).chars().count(), MAX_ROUTER_TEXT);
        assert_eq!(router_text("a\nb\x1b[31m"), "a b [31m");
    }

    #[test]
    fn terminal_text_keeps_lines_but_not_escapes() {
        assert_eq!(
            terminal_safe("a\nb\x1b]0;pwned\x07"),
            "a\nb\\x1b]0;pwned\\x07"
        );
    }

    #[test]
    fn log_text_cannot_forge_lines_or_escape() {
        assert_eq!(
            log_safe("ok\n2026-01-01 ERROR forged\x1b[2J"),
            "ok\\n2026-01-01 ERROR forged\\x1b[2J"
        );
        assert!(log_safe(&"y".repeat(5000)).chars().count() <= 1025);
    }
}
