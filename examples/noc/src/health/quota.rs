//! The monthly quota (FUP) of a WAN interface, counted from the interface's byte counters
//! (sans-io).
//!
//! A counter that goes down was reset (a reboot, `reset-counters`): what it shows now was
//! counted since the reset, so the new value is added, never the difference. Nothing is
//! counted twice (the last values seen are stored with the total, in one row) and the total
//! never goes down. The first values ever seen are a baseline: what the counters held before
//! noc watched them is not counted.

use queue_model::clock::Date;

use crate::storage::health::QuotaRow;

/// Bytes counted between two readings of one counter.
pub fn delta(last: u64, now: u64) -> u64 {
    if now >= last {
        now - last
    } else {
        now
    }
}

/// Adds a reading (`rx`, `tx`) to `row`; returns the bytes added.
pub fn add_reading(row: &mut QuotaRow, rx: u64, tx: u64) -> u64 {
    let added = delta(row.last_rx, rx).saturating_add(delta(row.last_tx, tx));
    row.bytes = row.bytes.saturating_add(added);
    row.last_rx = rx;
    row.last_tx = tx;
    added
}

/// The period `date` falls in for a quota that resets on `reset_day` (1..=28) of each month:
/// `YYYY-MM` of the month the period started in.
pub fn period(date: Date, reset_day: u8) -> String {
    let (mut y, mut m) = (date.year(), date.month());
    if date.day() < reset_day {
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    format!("{y:04}-{m:02}")
}

/// How much of the quota period `date` is in has gone by, in percent (0 on the reset day):
/// the pace a month's use can be held against.
pub fn elapsed_percent(date: Date, reset_day: u8) -> u64 {
    let p = period(date, reset_day);
    let (y, m) = p.split_once('-').unwrap_or(("1970", "1"));
    let (y, m): (u16, u8) = (y.parse().unwrap_or(1970), m.parse().unwrap_or(1));
    let (ny, nm) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
    let day = reset_day.clamp(1, 28);
    let (Some(start), Some(end)) = (Date::new(y, m, day), Date::new(ny, nm, day)) else {
        return 0;
    };
    let span = (end.days_since_epoch() - start.days_since_epoch()).max(1);
    let gone = (date.days_since_epoch() - start.days_since_epoch()).clamp(0, span);
    u64::try_from(gone * 100 / span).unwrap_or(0)
}

/// The period before `period` (`2026-12` → `2026-11`, `2027-01` → `2026-12`).
pub fn previous(period: &str) -> String {
    let (y, m) = period.split_once('-').unwrap_or((period, "1"));
    let (y, m) = (
        y.parse::<i32>().unwrap_or(1970),
        m.parse::<u32>().unwrap_or(1),
    );
    if m <= 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", m - 1)
    }
}

/// The thresholds (percent, ascending) that `used` of `quota` bytes has reached and that
/// were not alerted yet (`alerted` is the highest alerted so far).
pub fn crossed(used: u64, quota: u64, thresholds: &[u32], alerted: u32) -> Vec<u32> {
    if quota == 0 {
        return Vec::new();
    }
    let pct = used.saturating_mul(100) / quota;
    let mut t: Vec<u32> = thresholds
        .iter()
        .copied()
        .filter(|t| *t > alerted && u64::from(*t) <= pct)
        .collect();
    t.sort_unstable();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> QuotaRow {
        QuotaRow {
            bytes: 0,
            last_rx: 0,
            last_tx: 0,
            alerted: 0,
        }
    }

    #[test]
    fn elapsed_follows_the_reset_day() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(elapsed_percent(d("2026-12-01"), 1), 0);
        assert_eq!(elapsed_percent(d("2026-12-16"), 1), 48); // 15 of 31 days
        assert_eq!(elapsed_percent(d("2026-12-04"), 5), 96); // 29 of 30 days since 11-05
        assert_eq!(elapsed_percent(d("2027-01-04"), 5), 96); // 30 of 31 days since 12-05
    }

    #[test]
    fn resets_add_the_new_value_and_never_go_negative() {
        let mut r = row();
        assert_eq!(add_reading(&mut r, 100, 50), 150);
        assert_eq!(
            add_reading(&mut r, 100, 50),
            0,
            "the same reading twice counts once"
        );
        assert_eq!(add_reading(&mut r, 300, 60), 210);
        // A reboot: the counters start again from 0 and have 40 + 5 since.
        assert_eq!(add_reading(&mut r, 40, 5), 45);
        assert_eq!(r.bytes, 405);
        assert_eq!(add_reading(&mut r, 0, 0), 0);
        assert_eq!(r.bytes, 405);
        assert_eq!(add_reading(&mut r, u64::MAX, 0), u64::MAX);
        assert_eq!(r.bytes, u64::MAX, "saturates");
    }

    #[test]
    fn periods_start_on_the_reset_day() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(period(d(2026, 12, 4), 1), "2026-12");
        assert_eq!(period(d(2026, 12, 4), 5), "2026-11");
        assert_eq!(period(d(2027, 1, 4), 5), "2026-12");
        assert_eq!(period(d(2027, 1, 5), 5), "2027-01");
        assert_eq!(previous("2027-01"), "2026-12");
        assert_eq!(previous("2026-12"), "2026-11");
    }

    #[test]
    fn thresholds_alert_once_each() {
        assert!(crossed(79, 100, &[80, 100], 0).is_empty());
        assert_eq!(crossed(80, 100, &[80, 100], 0), vec![80]);
        assert!(crossed(90, 100, &[80, 100], 80).is_empty());
        assert_eq!(crossed(150, 100, &[100, 80], 0), vec![80, 100]);
        assert!(crossed(150, 0, &[80], 0).is_empty());
    }
}
