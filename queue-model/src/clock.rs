//! The router's clock as scripts see it: dates in the two forms RouterOS has used, times of
//! day, and RouterOS versions (which decide the date form).
//!
//! Before 7.10, `/system clock get date` gives `jul/15/2024`; from 7.10 on it gives
//! `2024-07-15` (MikroTik's *Clock* manual: "YYYY-MM-DD"). Scripts that cut dates apart with
//! `:pick` (MIKHMON's) break on the new form, and routers upgraded mid-month hold both forms
//! side by side, so everything here parses both and renders the one a version uses.
//!
//! ```
//! use queue_model::clock::{Date, DateStyle, RouterOsVersion};
//! let a: Date = "jul/31/2024".parse()?;
//! let b: Date = "2024-08-01".parse()?;
//! assert!(a < b);
//! assert_eq!(a.render(DateStyle::Iso), "2024-07-31");
//! let style = DateStyle::for_version("7.16.2".parse::<RouterOsVersion>()?);
//! assert_eq!(b.render(style), "2024-08-01");
//! assert_eq!(b.render(DateStyle::Legacy), "aug/01/2024");
//! # Ok::<(), queue_model::ValueError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::ValueError;
use crate::value::Time;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// How a RouterOS version writes dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// Before 7.10: `jul/15/2024`.
    Legacy,
    /// 7.10 and later: `2024-07-15`.
    Iso,
}

impl DateStyle {
    /// The style of a RouterOS version: [`Iso`](Self::Iso) from 7.10 on.
    pub fn for_version(v: RouterOsVersion) -> Self {
        if v >= RouterOsVersion::ISO_DATES {
            DateStyle::Iso
        } else {
            DateStyle::Legacy
        }
    }
}

/// A RouterOS version (`6.49.10`, `7.10`, `7.16.2`); a pre-release suffix (`7.17rc1`,
/// `7.15beta4`) is ignored.
///
/// ```
/// use queue_model::clock::RouterOsVersion;
/// let v: RouterOsVersion = "7.9.2".parse()?;
/// assert!(v < RouterOsVersion::ISO_DATES);
/// assert_eq!("7.10 (stable)".parse::<RouterOsVersion>()?, RouterOsVersion::new(7, 10, 0));
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouterOsVersion {
    /// Major version (6, 7).
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// Patch version (0 when absent).
    pub patch: u16,
}

impl RouterOsVersion {
    /// 7.10: the first version whose clock gives `YYYY-MM-DD` dates.
    pub const ISO_DATES: RouterOsVersion = RouterOsVersion::new(7, 10, 0);

    /// A version.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        RouterOsVersion {
            major,
            minor,
            patch,
        }
    }
}

impl FromStr for RouterOsVersion {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("RouterOS version", s);
        // `7.16.2 (stable)` as `/system resource` prints it: the first word.
        let word = s.split_whitespace().next().ok_or_else(err)?;
        let mut nums = [0u16; 3];
        let mut count = 0;
        for (i, part) in word.split('.').enumerate() {
            let digits: &str = &part[..part.bytes().take_while(u8::is_ascii_digit).count()];
            let slot = nums.get_mut(i).ok_or_else(err)?;
            if digits.is_empty() || digits.len() > 4 {
                return Err(err());
            }
            *slot = digits.parse().map_err(|_| err())?;
            count += 1;
            if digits.len() != part.len() {
                break; // `17rc1`: the suffix ends the version
            }
        }
        if count < 2 {
            return Err(err());
        }
        let [major, minor, patch] = nums;
        Ok(RouterOsVersion::new(major, minor, patch))
    }
}

impl fmt::Display for RouterOsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits<T: FromStr>(s: &str, len: usize) -> Option<T> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A calendar date as the router's clock gives it, in either form (`jul/15/2024` or
/// `2024-07-15`); ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01, day 0 of [`days_since_epoch`](Self::days_since_epoch).
    pub const EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// A date, when it exists (1..=12 months, days within the month, leap years counted).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        (day >= 1 && day <= days_in_month(year, month) && year <= 9999).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The month this date is in.
    pub fn month_key(self) -> MonthKey {
        MonthKey {
            year: self.year,
            month: self.month,
        }
    }

    /// Days since 1970-01-01 (negative before it).
    ///
    /// ```
    /// use queue_model::clock::Date;
    /// let d: Date = "2024-07-15".parse()?;
    /// assert_eq!(d.days_since_epoch(), 19_919);
    /// assert_eq!(Date::from_days_since_epoch(19_919 + 17), Some("2024-08-01".parse()?));
    /// # Ok::<(), queue_model::ValueError>(())
    /// ```
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil, on a calendar whose years start in March.
        let m = i64::from(self.month);
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, when it lies in years 0..=9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The date in `style`: `jul/15/2024` or `2024-07-15`.
    pub fn render(self, style: DateStyle) -> String {
        match style {
            DateStyle::Legacy => format!(
                "{}/{:02}/{:04}",
                MONTHS
                    .get(usize::from(self.month.saturating_sub(1)))
                    .copied()
                    .unwrap_or("???"),
                self.day,
                self.year
            ),
            DateStyle::Iso => self.to_string(),
        }
    }
}

impl FromStr for Date {
    type Err = ValueError;
    /// Parses `jul/15/2024` (month names in any case) or `2024-07-15`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("date", s);
        let (y, m, d) = if let Some((mon, rest)) = s.split_once('/') {
            let (d, y) = rest.split_once('/').ok_or_else(err)?;
            let m = MONTHS
                .iter()
                .position(|n| n.eq_ignore_ascii_case(mon))
                .ok_or_else(err)?;
            let m = u8::try_from(m + 1).map_err(|_| err())?;
            (digits(y, 4), Some(m), digits(d, 2))
        } else {
            let mut it = s.splitn(3, '-');
            let y = it.next().and_then(|y| digits(y, 4));
            let m = it.next().and_then(|m| digits(m, 2));
            let d = it.next().and_then(|d| digits(d, 2));
            (y, m, d)
        };
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => Date::new(y, m, d).ok_or_else(err),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Date {
    /// The ISO form, `2024-07-15`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A month, as MIKHMON keys its sales records (`owner=`): `jul2024` before RouterOS 7.10,
/// `072024` from 7.10 on (mikhmon-ros7: `[:pick $date 5 7]` then `[:pick $date 0 4]`).
///
/// ```
/// use queue_model::clock::{DateStyle, MonthKey};
/// let m: MonthKey = "jul2024".parse()?;
/// assert_eq!(m, "072024".parse()?);
/// assert_eq!(m.render(DateStyle::Iso), "072024");
/// assert_eq!(m.to_string(), "2024-07");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthKey {
    year: u16,
    month: u8,
}

impl MonthKey {
    /// A month, when `month` is 1..=12.
    pub fn new(year: u16, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && year <= 9999).then_some(MonthKey { year, month })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The `owner=` value MIKHMON writes in `style`: `jul2024` or `072024`.
    pub fn render(self, style: DateStyle) -> String {
        match style {
            DateStyle::Legacy => format!(
                "{}{:04}",
                MONTHS
                    .get(usize::from(self.month.saturating_sub(1)))
                    .copied()
                    .unwrap_or("???"),
                self.year
            ),
            DateStyle::Iso => format!("{:02}{:04}", self.month, self.year),
        }
    }
}

impl FromStr for MonthKey {
    type Err = ValueError;
    /// Parses `jul2024`, `072024` or `2024-07`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("month", s);
        if let Some((y, m)) = s.split_once('-') {
            let (y, m) = (digits(y, 4), digits(m, 2));
            return y
                .zip(m)
                .and_then(|(y, m)| MonthKey::new(y, m))
                .ok_or_else(err);
        }
        let (m, y) = (s.get(..s.len().min(3)), s.get(3.min(s.len())..));
        let (m, y) = (m.ok_or_else(err)?, y.ok_or_else(err)?);
        if let Some(i) = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(m)) {
            let month = u8::try_from(i + 1).map_err(|_| err())?;
            return digits(y, 4)
                .and_then(|y| MonthKey::new(y, month))
                .ok_or_else(err);
        }
        let (m, y) = (s.get(..2).ok_or_else(err)?, s.get(2..).ok_or_else(err)?);
        digits(m, 2)
            .zip(digits(y, 4))
            .and_then(|(m, y)| MonthKey::new(y, m))
            .ok_or_else(err)
    }
}

impl fmt::Display for MonthKey {
    /// `2024-07`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A time of day, `10:23:45`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
    second: u8,
}

impl TimeOfDay {
    /// Midnight.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay {
        hour: 0,
        minute: 0,
        second: 0,
    };

    /// A time of day, when valid (hours 0..24, minutes and seconds 0..60).
    pub fn new(hour: u8, minute: u8, second: u8) -> Option<Self> {
        (hour < 24 && minute < 60 && second < 60).then_some(TimeOfDay {
            hour,
            minute,
            second,
        })
    }

    /// The hour, 0..=23.
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// The minute, 0..=59.
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// The second, 0..=59.
    pub fn second(self) -> u8 {
        self.second
    }

    /// Seconds since midnight.
    pub fn seconds(self) -> u32 {
        u32::from(self.hour) * 3600 + u32::from(self.minute) * 60 + u32::from(self.second)
    }
}

impl FromStr for TimeOfDay {
    type Err = ValueError;
    /// Parses `hh:mm:ss`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("time of day", s);
        let mut it = s.split(':');
        let (h, m, sec) = (it.next(), it.next(), it.next());
        if it.next().is_some() {
            return Err(err());
        }
        let p = |x: Option<&str>| x.and_then(|x| digits::<u8>(x, 2));
        match (p(h), p(m), p(sec)) {
            (Some(h), Some(m), Some(sec)) => TimeOfDay::new(h, m, sec).ok_or_else(err),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// A date and a time of day: what MIKHMON writes into a used voucher's comment as its expiry
/// (`jul/16/2024 10:23:45` or `2024-07-16 10:23:45`). Ordered by time.
///
/// ```
/// use queue_model::clock::{DateStyle, DateTime};
/// let a: DateTime = "jul/16/2024 10:23:45".parse()?;
/// let b: DateTime = "2024-07-16 10:23:45".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.render(DateStyle::Legacy), "jul/16/2024 10:23:45");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// The time of day.
    pub time: TimeOfDay,
}

impl DateTime {
    /// A date and a time.
    pub fn new(date: Date, time: TimeOfDay) -> Self {
        DateTime { date, time }
    }

    /// `date time` in `style`.
    pub fn render(self, style: DateStyle) -> String {
        format!("{} {}", self.date.render(style), self.time)
    }

    /// Seconds since 1970-01-01 00:00:00 on the same clock (the router's local time: no time
    /// zone is applied).
    pub fn seconds_since_epoch(self) -> i64 {
        self.date.days_since_epoch() * 86_400 + i64::from(self.time.seconds())
    }

    /// The time `secs` seconds after 1970-01-01 00:00:00, when it lies in years 0..=9999.
    ///
    /// ```
    /// use queue_model::clock::DateTime;
    /// let t: DateTime = "2024-07-31 23:59:30".parse()?;
    /// let back = DateTime::from_seconds_since_epoch(t.seconds_since_epoch() + 45).unwrap();
    /// assert_eq!(back.to_string(), "2024-08-01 00:00:15");
    /// # Ok::<(), queue_model::ValueError>(())
    /// ```
    pub fn from_seconds_since_epoch(secs: i64) -> Option<DateTime> {
        let date = Date::from_days_since_epoch(secs.div_euclid(86_400))?;
        let s = secs.rem_euclid(86_400);
        let time = TimeOfDay::new(
            u8::try_from(s / 3600).ok()?,
            u8::try_from(s / 60 % 60).ok()?,
            u8::try_from(s % 60).ok()?,
        )?;
        Some(DateTime { date, time })
    }

    /// This time plus `t` (whole seconds; milliseconds are dropped), when the result lies in
    /// years 0..=9999: the expiry MIKHMON writes is the first login plus the validity.
    ///
    /// ```
    /// use queue_model::clock::{DateStyle, DateTime};
    /// use queue_model::hotspot::mikhmon::Validity;
    /// let login: DateTime = "jul/31/2024 20:00:00".parse()?;
    /// let validity: Validity = "1d6h".parse().unwrap();
    /// let expiry = login.checked_add(validity.duration()).unwrap();
    /// assert_eq!(expiry.render(DateStyle::Legacy), "aug/02/2024 02:00:00");
    /// # Ok::<(), queue_model::ValueError>(())
    /// ```
    pub fn checked_add(self, t: Time) -> Option<DateTime> {
        let secs = i64::try_from(t.as_millis() / 1000).ok()?;
        DateTime::from_seconds_since_epoch(self.seconds_since_epoch().checked_add(secs)?)
    }
}

impl FromStr for DateTime {
    type Err = ValueError;
    /// Parses `jul/16/2024 10:23:45` or `2024-07-16 10:23:45` (one space between).
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("date and time", s);
        let (d, t) = s.split_once(' ').ok_or_else(err)?;
        Ok(DateTime {
            date: d.parse().map_err(|_| err())?,
            time: t.parse().map_err(|_| err())?,
        })
    }
}

impl fmt::Display for DateTime {
    /// `2024-07-16 10:23:45`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.date, self.time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_both_forms_both_ways() {
        for (legacy, iso, ymd) in [
            ("jul/15/2024", "2024-07-15", (2024, 7, 15)),
            ("jan/01/2025", "2025-01-01", (2025, 1, 1)),
            ("feb/29/2024", "2024-02-29", (2024, 2, 29)),
            ("dec/31/1999", "1999-12-31", (1999, 12, 31)),
        ] {
            let d = Date::new(ymd.0, ymd.1, ymd.2).unwrap();
            assert_eq!(legacy.parse::<Date>().unwrap(), d);
            assert_eq!(iso.parse::<Date>().unwrap(), d);
            assert_eq!(d.render(DateStyle::Legacy), legacy);
            assert_eq!(d.render(DateStyle::Iso), iso);
        }
        assert_eq!("JUL/15/2024".parse::<Date>().unwrap().month(), 7);
        for bad in [
            "",
            "feb/29/2023",
            "2023-02-29",
            "jux/15/2024",
            "jul/5/2024",
            "jul/15/24",
            "2024-7-15",
            "2024-07-15x",
            "2024-13-01",
            "2024-00-10",
            "jul/00/2024",
            "jul/15/2024/",
            "+024-07-15",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date::EPOCH.days_since_epoch(), 0);
        assert_eq!(Date::from_days_since_epoch(0), Some(Date::EPOCH));
        assert_eq!(Date::from_days_since_epoch(-1), Date::new(1969, 12, 31));
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Date::new(0, 1, 1).unwrap().days_since_epoch(), -719_528);
        assert_eq!(Date::from_days_since_epoch(-719_529), None);
        assert_eq!(
            Date::from_days_since_epoch(Date::new(9999, 12, 31).unwrap().days_since_epoch() + 1),
            None
        );
        assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
        // Every day of four centuries (leap years, century rules) in both directions.
        let mut d = Date::new(1900, 1, 1).unwrap();
        let first = d.days_since_epoch();
        for n in first..first + 146_097 {
            assert_eq!(Date::from_days_since_epoch(n), Some(d));
            assert_eq!(d.days_since_epoch(), n);
            d = Date::new(d.year, d.month, d.day + 1)
                .or_else(|| Date::new(d.year, d.month + 1, 1))
                .or_else(|| Date::new(d.year + 1, 1, 1))
                .unwrap();
        }
        let t: DateTime = "feb/28/2024 23:00:00".parse().unwrap();
        assert_eq!(
            t.checked_add(Time::from_secs(3600)).unwrap().to_string(),
            "2024-02-29 00:00:00"
        );
        assert_eq!(
            t.checked_add(Time::from_millis(86_400_999))
                .unwrap()
                .to_string(),
            "2024-02-29 23:00:00"
        );
        assert_eq!(t.checked_add(Time(u64::MAX)), None);
    }

    #[test]
    fn months_times_versions() {
        let m = MonthKey::new(2024, 7).unwrap();
        for s in ["jul2024", "072024", "2024-07", "JUL2024"] {
            assert_eq!(s.parse::<MonthKey>().unwrap(), m, "{s}");
        }
        assert_eq!(m.render(DateStyle::Legacy), "jul2024");
        assert_eq!(m.render(DateStyle::Iso), "072024");
        for bad in ["", "jul24", "132024", "jul20245", "ju2024", "é2024"] {
            assert!(bad.parse::<MonthKey>().is_err(), "{bad}");
        }
        assert_eq!(
            "10:23:45".parse::<TimeOfDay>().unwrap(),
            TimeOfDay::new(10, 23, 45).unwrap()
        );
        for bad in ["", "24:00:00", "1:02:03", "10:23", "10:23:45:1", "10:60:00"] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
        for (s, v) in [
            ("6.49.10", (6, 49, 10)),
            ("7.10", (7, 10, 0)),
            ("7.17rc1", (7, 17, 0)),
            ("7.16.2 (stable)", (7, 16, 2)),
        ] {
            let got: RouterOsVersion = s.parse().unwrap();
            assert_eq!(got, RouterOsVersion::new(v.0, v.1, v.2), "{s}");
        }
        assert_eq!(
            DateStyle::for_version("7.9.2".parse().unwrap()),
            DateStyle::Legacy
        );
        assert_eq!(
            DateStyle::for_version("7.10".parse().unwrap()),
            DateStyle::Iso
        );
        for bad in ["", "7", "x.1", "7..1", "7.1.2.3"] {
            assert!(bad.parse::<RouterOsVersion>().is_err(), "{bad}");
        }
    }
}
