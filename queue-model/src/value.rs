//! Property values as RouterOS writes them: rates, durations, up/down pairs, targets, time windows.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::error::ValueError;

/// A data rate in bits per second, as RouterOS writes it: `0`, `512k`, `1500k`, `10M`, `1G`.
///
/// Suffixes are decimal (`k` = 1000, `M` = 1 000 000, `G` = 10⁹); `0` means *unlimited* for limits.
/// Fractions are accepted on input (`1.5M`) and printed back in the largest unit that keeps the
/// number whole (`1500k`).
///
/// ```
/// use queue_model::Rate;
/// let r: Rate = "1.5M".parse()?;
/// assert_eq!(r.bits_per_second(), 1_500_000);
/// assert_eq!(r.to_string(), "1500k");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(pub u64);

impl Rate {
    /// Zero: for limits, "unlimited".
    pub const ZERO: Rate = Rate(0);

    /// A rate of `bps` bits per second.
    pub const fn from_bps(bps: u64) -> Self {
        Rate(bps)
    }

    /// The rate in bits per second.
    pub const fn bits_per_second(self) -> u64 {
        self.0
    }

    /// True for `0`.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

/// Parses `digits[.digits][k|M|G]` into an integer scaled by the suffix, with overflow checks.
fn parse_scaled(s: &str, what: &'static str, units: &[(char, u64)]) -> Result<u64, ValueError> {
    let err = || ValueError::new(what, s);
    let (num, mult) = match s.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => {
            let m = units
                .iter()
                .find(|(u, _)| *u == c)
                .map(|(_, m)| *m)
                .ok_or_else(err)?;
            (&s[..s.len() - c.len_utf8()], m)
        }
        _ => (s, 1),
    };
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (num.contains('.') && frac.is_empty()) {
        return Err(err());
    }
    let whole: u64 = int.parse().map_err(|_| err())?;
    let mut value = whole.checked_mul(mult).ok_or_else(err)?;
    // Fractional part: each digit is worth mult / 10^k; digits below the unit are rejected.
    let mut scale = mult;
    for d in frac.bytes() {
        if scale % 10 != 0 {
            return Err(err());
        }
        scale /= 10;
        value = value
            .checked_add(u64::from(d - b'0') * scale)
            .ok_or_else(err)?;
    }
    Ok(value)
}

impl FromStr for Rate {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        parse_scaled(
            s.trim(),
            "rate",
            &[
                ('k', 1_000),
                ('K', 1_000),
                ('M', 1_000_000),
                ('G', 1_000_000_000),
            ],
        )
        .map(Rate)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v == 0 {
            f.write_str("0")
        } else if v % 1_000_000_000 == 0 {
            write!(f, "{}G", v / 1_000_000_000)
        } else if v % 1_000_000 == 0 {
            write!(f, "{}M", v / 1_000_000)
        } else if v % 1_000 == 0 {
            write!(f, "{}k", v / 1_000)
        } else {
            write!(f, "{v}")
        }
    }
}

/// A duration with millisecond precision, as RouterOS writes it: `0s`, `500ms`, `16s`, `1h30m`,
/// `1d`, `1w2d`, or `hh:mm:ss`.
///
/// ```
/// use queue_model::Time;
/// let t: Time = "1h30m".parse()?;
/// assert_eq!(t.as_millis(), 5_400_000);
/// assert_eq!(t.to_string(), "1h30m");
/// assert_eq!("00:00:16".parse::<Time>()?.to_string(), "16s");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    /// Zero seconds.
    pub const ZERO: Time = Time(0);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        Time(ms)
    }

    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        Time(s.saturating_mul(1000))
    }

    /// The duration in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The duration in seconds, as a float.
    pub fn as_secs_f64(self) -> f64 {
        // Durations stay far below 2^53 ms in practice; the conversion is exact there.
        self.0 as f64 / 1000.0
    }

    /// True for `0s`.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl FromStr for Time {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let s = s.trim();
        let err = || ValueError::new("time", s);
        if s.is_empty() {
            return Err(err());
        }
        if s.contains(':') {
            // [d]hh:mm:ss[.fff]
            let parts: Vec<&str> = s.split(':').collect();
            let [h, m, sec] = parts.as_slice() else {
                return Err(err());
            };
            let h: u64 = h.parse().map_err(|_| err())?;
            let m: u64 = m.parse().map_err(|_| err())?;
            let (secs, frac) = match sec.split_once('.') {
                Some((a, b)) => (a, b),
                None => (*sec, ""),
            };
            let secs: u64 = secs.parse().map_err(|_| err())?;
            let mut millis = 0u64;
            for (i, d) in frac.bytes().enumerate() {
                if !d.is_ascii_digit() || i >= 3 {
                    return Err(err());
                }
                millis += u64::from(d - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
            }
            if m >= 60 || secs >= 60 {
                return Err(err());
            }
            let total = h
                .checked_mul(3600)
                .and_then(|x| x.checked_add(m * 60 + secs))
                .and_then(|x| x.checked_mul(1000))
                .and_then(|x| x.checked_add(millis))
                .ok_or_else(err)?;
            return Ok(Time(total));
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            // A plain number is seconds.
            let v: u64 = s.parse().map_err(|_| err())?;
            return v.checked_mul(1000).map(Time).ok_or_else(err);
        }
        let mut total: u64 = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return Err(err());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| err())?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let mult = match unit {
                "w" => 604_800_000,
                "d" => 86_400_000,
                "h" => 3_600_000,
                "m" => 60_000,
                "s" => 1000,
                "ms" => 1,
                _ => return Err(err()),
            };
            total = n
                .checked_mul(mult)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(err)?;
        }
        Ok(Time(total))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut v = self.0;
        for (unit, ms) in [
            ("w", 604_800_000),
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ] {
            if v >= ms {
                write!(f, "{}{unit}", v / ms)?;
                v %= ms;
            }
        }
        Ok(())
    }
}

/// A bucket-size ratio (`0.1`, `10`) in thousandths; RouterOS accepts 0..10 with three decimals.
///
/// ```
/// use queue_model::Ratio;
/// assert_eq!("0.1".parse::<Ratio>()?.thousandths(), 100);
/// assert_eq!(Ratio::from_thousandths(2500).to_string(), "2.5");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio(pub u32);

impl Ratio {
    /// The RouterOS default, `0.1`.
    pub const DEFAULT_BUCKET: Ratio = Ratio(100);

    /// A ratio of `t / 1000`.
    pub const fn from_thousandths(t: u32) -> Self {
        Ratio(t)
    }

    /// The ratio in thousandths.
    pub const fn thousandths(self) -> u32 {
        self.0
    }

    /// The ratio as a float.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl Default for Ratio {
    fn default() -> Self {
        Self::DEFAULT_BUCKET
    }
}

impl FromStr for Ratio {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let (i, f) = t.split_once('.').unwrap_or((t, ""));
        if i.is_empty()
            || !i.bytes().all(|b| b.is_ascii_digit())
            || !f.bytes().all(|b| b.is_ascii_digit())
            || f.len() > 3
            || (t.contains('.') && f.is_empty())
        {
            return Err(ValueError::new("ratio", s));
        }
        let whole: u32 = i.parse().map_err(|_| ValueError::new("ratio", s))?;
        let frac: u32 = if f.is_empty() {
            0
        } else {
            format!("{f:0<3}")
                .parse()
                .map_err(|_| ValueError::new("ratio", s))?
        };
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(frac))
            .map(Ratio)
            .ok_or_else(|| ValueError::new("ratio", s))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{w}")
        } else {
            let s = format!("{frac:03}");
            write!(f, "{w}.{}", s.trim_end_matches('0'))
        }
    }
}

/// An `upload/download` pair, from the target's point of view (`2M/5M`: the target may upload
/// 2 Mbit/s and download 5 Mbit/s). A single value on input sets both.
///
/// ```
/// use queue_model::{Rate, UpDown};
/// let l: UpDown<Rate> = "2M/5M".parse()?;
/// assert_eq!(l.upload, Rate(2_000_000));
/// assert_eq!(l.download, Rate(5_000_000));
/// assert_eq!(l.to_string(), "2M/5M");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UpDown<T> {
    /// Traffic from the target (its upload).
    pub upload: T,
    /// Traffic to the target (its download).
    pub download: T,
}

impl<T> UpDown<T> {
    /// A pair.
    pub const fn new(upload: T, download: T) -> Self {
        UpDown { upload, download }
    }

    /// The value for `dir`.
    pub fn get(&self, dir: Direction) -> &T {
        match dir {
            Direction::Upload => &self.upload,
            Direction::Download => &self.download,
        }
    }

    /// The value for `dir`, mutably.
    pub fn get_mut(&mut self, dir: Direction) -> &mut T {
        match dir {
            Direction::Upload => &mut self.upload,
            Direction::Download => &mut self.download,
        }
    }
}

impl<T: Clone> UpDown<T> {
    /// The same value both ways.
    pub fn both(v: T) -> Self {
        UpDown {
            upload: v.clone(),
            download: v,
        }
    }
}

impl<T: FromStr> FromStr for UpDown<T> {
    type Err = T::Err;
    fn from_str(s: &str) -> Result<Self, T::Err> {
        match s.split_once('/') {
            Some((u, d)) => Ok(UpDown {
                upload: u.parse()?,
                download: d.parse()?,
            }),
            None => {
                let u: T = s.parse()?;
                let d: T = s.parse()?;
                Ok(UpDown {
                    upload: u,
                    download: d,
                })
            }
        }
    }
}

impl<T: fmt::Display> fmt::Display for UpDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.upload, self.download)
    }
}

/// A traffic direction, from the target's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the target.
    Upload,
    /// To the target.
    Download,
}

impl Direction {
    /// Both directions, upload first.
    pub const BOTH: [Direction; 2] = [Direction::Upload, Direction::Download];
}

impl FromStr for Direction {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s {
            "upload" | "up" => Ok(Direction::Upload),
            "download" | "down" => Ok(Direction::Download),
            _ => Err(ValueError::new("direction", s)),
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Upload => "upload",
            Direction::Download => "download",
        })
    }
}

/// What a queue matches: an IPv4 or IPv6 prefix, or an interface name.
///
/// Addresses without a length get the full length (`/32`, `/128`), as RouterOS prints them; host
/// bits below the prefix length are cleared.
///
/// ```
/// use queue_model::Target;
/// let t: Target = "192.168.1.10".parse()?;
/// assert_eq!(t.to_string(), "192.168.1.10/32");
/// assert!("192.168.1.0/24".parse::<Target>()?.covers(&t));
/// assert_eq!("ether2".parse::<Target>()?, Target::Interface("ether2".into()));
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// An IPv4 prefix.
    Ipv4 {
        /// Network address (host bits cleared).
        addr: Ipv4Addr,
        /// Prefix length, 0..=32.
        len: u8,
    },
    /// An IPv6 prefix.
    Ipv6 {
        /// Network address (host bits cleared).
        addr: Ipv6Addr,
        /// Prefix length, 0..=128.
        len: u8,
    },
    /// An interface (all traffic through it).
    Interface(String),
}

impl Target {
    /// True when every packet this target matches is also matched by `self`.
    pub fn covers(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Ipv4 { addr, len }, Target::Ipv4 { addr: b, len: bl }) => {
                len <= bl && mask4(*b, *len) == *addr
            }
            (Target::Ipv6 { addr, len }, Target::Ipv6 { addr: b, len: bl }) => {
                len <= bl && mask6(*b, *len) == *addr
            }
            (Target::Interface(a), Target::Interface(b)) => a == b,
            _ => false,
        }
    }
}

pub(crate) fn mask4(a: Ipv4Addr, len: u8) -> Ipv4Addr {
    let bits = u32::from(a);
    let m = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    };
    Ipv4Addr::from(bits & m)
}

pub(crate) fn mask6(a: Ipv6Addr, len: u8) -> Ipv6Addr {
    let bits = u128::from(a);
    let m = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len.min(128)))
    };
    Ipv6Addr::from(bits & m)
}

impl FromStr for Target {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("target", s);
        if s.is_empty() {
            return Err(err());
        }
        let (a, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().map_err(|_| err())?)),
            None => (s, None),
        };
        if let Ok(v4) = a.parse::<Ipv4Addr>() {
            let len = len.unwrap_or(32);
            if len > 32 {
                return Err(err());
            }
            return Ok(Target::Ipv4 {
                addr: mask4(v4, len),
                len,
            });
        }
        if let Ok(v6) = a.parse::<Ipv6Addr>() {
            let len = len.unwrap_or(128);
            if len > 128 {
                return Err(err());
            }
            return Ok(Target::Ipv6 {
                addr: mask6(v6, len),
                len,
            });
        }
        if len.is_some() || s.contains(',') || s.chars().any(char::is_whitespace) {
            return Err(err());
        }
        Ok(Target::Interface(s.to_owned()))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Ipv4 { addr, len } => write!(f, "{addr}/{len}"),
            Target::Ipv6 { addr, len } => write!(f, "{addr}/{len}"),
            Target::Interface(name) => f.write_str(name),
        }
    }
}

/// A day of the week, as RouterOS abbreviates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// `sun`
    Sun,
    /// `mon`
    Mon,
    /// `tue`
    Tue,
    /// `wed`
    Wed,
    /// `thu`
    Thu,
    /// `fri`
    Fri,
    /// `sat`
    Sat,
}

impl Weekday {
    /// All days, in RouterOS order (Sunday first).
    pub const ALL: [Weekday; 7] = [
        Weekday::Sun,
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ];

    fn name(self) -> &'static str {
        match self {
            Weekday::Sun => "sun",
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// When a queue is active: a daily window and the days it applies (`8h-18h,mon,tue`).
///
/// ```
/// use queue_model::{Time, TimeWindow, Weekday};
/// let w: TimeWindow = "8h-18h,mon,tue".parse()?;
/// assert_eq!(w.start, Time::from_secs(8 * 3600));
/// assert!(w.has_day(Weekday::Mon) && !w.has_day(Weekday::Sun));
/// assert_eq!(w.to_string(), "8h-18h,mon,tue");
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// Start of the window (time of day).
    pub start: Time,
    /// End of the window (time of day, up to `1d`).
    pub end: Time,
    days: u8,
}

impl TimeWindow {
    /// A window on the given days.
    pub fn new(start: Time, end: Time, days: &[Weekday]) -> Self {
        TimeWindow {
            start,
            end,
            days: days.iter().fold(0, |m, d| m | d.bit()),
        }
    }

    /// True when the window applies on `day`.
    pub fn has_day(&self, day: Weekday) -> bool {
        self.days & day.bit() != 0
    }

    /// The days, Sunday first.
    pub fn days(&self) -> impl Iterator<Item = Weekday> + '_ {
        Weekday::ALL.into_iter().filter(|d| self.has_day(*d))
    }

    /// True for the window that is always active (`0s-1d` on every day, RouterOS's default).
    pub fn is_always(&self) -> bool {
        self.start.is_zero() && self.end.as_millis() >= 86_400_000 && self.days == 0x7f
    }
}

impl FromStr for TimeWindow {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("time", s);
        let mut parts = s.split(',');
        let range = parts.next().ok_or_else(err)?;
        let (a, b) = range.split_once('-').ok_or_else(err)?;
        let start: Time = a.parse().map_err(|_| err())?;
        let end: Time = b.parse().map_err(|_| err())?;
        if start.as_millis() > 86_400_000 || end.as_millis() > 86_400_000 {
            return Err(err());
        }
        let mut days = 0u8;
        for p in parts {
            let d = Weekday::ALL
                .into_iter()
                .find(|d| d.name() == p)
                .ok_or_else(err)?;
            days |= d.bit();
        }
        Ok(TimeWindow { start, end, days })
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)?;
        for d in self.days() {
            write!(f, ",{}", d.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_both_ways() {
        for (s, v) in [
            ("0", 0),
            ("512k", 512_000),
            ("1500k", 1_500_000),
            ("10M", 10_000_000),
            ("1G", 1_000_000_000),
            ("1234", 1234),
        ] {
            assert_eq!(s.parse::<Rate>().unwrap(), Rate(v), "{s}");
            assert_eq!(Rate(v).to_string(), s);
        }
        assert_eq!("1.5M".parse::<Rate>().unwrap(), Rate(1_500_000));
        for bad in [
            "",
            "k",
            "1.5",
            "1x",
            "-1",
            "99999999999999999999",
            "1.0001k",
            "M",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn times_both_ways() {
        for (s, v) in [
            ("0s", 0),
            ("500ms", 500),
            ("16s", 16_000),
            ("1h30m", 5_400_000),
            ("1w2d", 777_600_000),
            ("1m1s1ms", 61_001),
        ] {
            assert_eq!(s.parse::<Time>().unwrap(), Time(v), "{s}");
            assert_eq!(Time(v).to_string(), s);
        }
        assert_eq!("16".parse::<Time>().unwrap(), Time(16_000));
        assert_eq!("01:30:00".parse::<Time>().unwrap(), Time(5_400_000));
        for bad in ["", "s", "1x", "1:2", "00:61:00", "1h-"] {
            assert!(bad.parse::<Time>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ratios() {
        for (s, v) in [("0.1", 100), ("10", 10_000), ("2.5", 2500), ("0.125", 125)] {
            assert_eq!(s.parse::<Ratio>().unwrap(), Ratio(v));
            assert_eq!(Ratio(v).to_string(), s);
        }
        for bad in ["", ".1", "1.", "0.1234", "a"] {
            assert!(bad.parse::<Ratio>().is_err(), "{bad}");
        }
    }

    #[test]
    fn targets() {
        let t: Target = "10.0.0.77/24".parse().unwrap();
        assert_eq!(t.to_string(), "10.0.0.0/24");
        let v6: Target = "2001:db8::/32".parse().unwrap();
        assert!(v6.covers(&"2001:db8:1::1".parse().unwrap()));
        assert!(!t.covers(&v6));
        assert!("1.2.3.4/33".parse::<Target>().is_err());
        assert!("ether1/3".parse::<Target>().is_err());
    }

    #[test]
    fn windows() {
        let w: TimeWindow = "0s-1d,sun,mon,tue,wed,thu,fri,sat".parse().unwrap();
        assert!(w.is_always());
        assert!("8h-25h".parse::<TimeWindow>().is_err());
        assert!("8h-18h,funday".parse::<TimeWindow>().is_err());
    }
}
