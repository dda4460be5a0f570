//! The `rate-limit` string of hotspot user profiles and PPP profiles.

use std::fmt;
use std::str::FromStr;

use crate::error::{RateLimitError, RateLimitErrorKind, RateLimitPart};
use crate::value::{Direction, Rate, Time, UpDown};

/// A `rate-limit` value: the dynamic simple queue RouterOS creates for each logged-in hotspot
/// user or PPP client.
///
/// The form (MikroTik's *PPP AAA* and *HotSpot* manuals) is
/// `rx-rate[/tx-rate] [rx-burst-rate[/tx-burst-rate] [rx-burst-threshold[/tx-burst-threshold]
/// [rx-burst-time[/tx-burst-time] [priority] [rx-rate-min[/tx-rate-min]]]]]`, seen from the
/// router: **rx is the client's upload, tx its download**, so `512k/1M` is 512 kbit/s up and
/// 1 Mbit/s down. Pairs are kept here as [`UpDown`] in the client's terms (`upload` = rx,
/// `download` = tx). A missing tx copies rx. Rates take the documented `k` (1,000) and `M`
/// (1,000,000) suffixes; the manuals do not document `G` for rate-limit, so `1G` is refused
/// with an error that says so, and rates are written back as `1000M`.
///
/// Parts after the rate are `None` when the string stops before them; a part written as `0/0`
/// is `Some` zero, as RouterOS exports it (`1M/3M 0/0 0/0 0/0 8 0/0`). Rendering writes every
/// part up to the last present one, pairs always as `rx/tx`; a `None` before a present part
/// is written as zero (`0/0`, `0s/0s`, priority `8`).
///
/// ```
/// use queue_model::{Rate, RateLimit, Time, UpDown};
/// let r: RateLimit = "512k/1M 1M/2M 384k/768k 16/16 8".parse()?;
/// assert_eq!(r.rate, UpDown::new(Rate(512_000), Rate(1_000_000)));
/// assert_eq!(r.burst_time, Some(UpDown::both(Time::from_secs(16))));
/// assert_eq!(r.to_string(), "512k/1M 1M/2M 384k/768k 16s/16s 8");
/// assert_eq!("2M".parse::<RateLimit>()?.to_string(), "2M/2M");
/// assert!(r.check().is_empty());
/// # Ok::<(), queue_model::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct RateLimit {
    /// `rx-rate/tx-rate`: the maximum rate (the queue's max-limit).
    pub rate: UpDown<Rate>,
    /// `rx-burst-rate/tx-burst-rate`: the rate while bursting (burst-limit).
    pub burst_rate: Option<UpDown<Rate>>,
    /// `rx-burst-threshold/tx-burst-threshold`; when absent the rates are used.
    pub burst_threshold: Option<UpDown<Rate>>,
    /// `rx-burst-time/tx-burst-time`; when absent `1s` is used.
    pub burst_time: Option<UpDown<Time>>,
    /// `priority`, 1 (highest) .. 8 (lowest); when absent 8.
    pub priority: Option<u8>,
    /// `rx-rate-min/tx-rate-min`: the guaranteed rate (the queue's limit-at).
    pub rate_min: Option<UpDown<Rate>>,
}

/// Something in a rate-limit that RouterOS refuses or that does not do what it seems to; see
/// [`RateLimit::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitProblem {
    /// Priority outside 1..8.
    PriorityRange(u8),
    /// rate-min above rate: the manuals say it "can not exceed" the rate.
    RateMinAboveRate {
        /// The direction, in the client's terms.
        direction: Direction,
        /// The rate-min.
        rate_min: Rate,
        /// The rate.
        rate: Rate,
    },
    /// A burst rate that is not above the rate: the client never bursts.
    BurstNotAboveRate {
        /// The direction.
        direction: Direction,
        /// The burst rate.
        burst_rate: Rate,
        /// The rate.
        rate: Rate,
    },
    /// A burst rate with a burst-time written as zero: the client never bursts.
    BurstWithoutTime {
        /// The direction.
        direction: Direction,
    },
    /// A burst threshold above the rate: the average can stay above the rate, so the client
    /// keeps the threshold rather than the rate once the burst is over.
    ThresholdAboveRate {
        /// The direction.
        direction: Direction,
        /// The threshold.
        threshold: Rate,
        /// The rate.
        rate: Rate,
    },
}

impl RateLimitProblem {
    /// A stable code for diagnostics (`rate-limit-priority-range`...).
    pub fn code(&self) -> &'static str {
        match self {
            RateLimitProblem::PriorityRange(_) => "rate-limit-priority-range",
            RateLimitProblem::RateMinAboveRate { .. } => "rate-limit-min-above-rate",
            RateLimitProblem::BurstNotAboveRate { .. } => "rate-limit-burst-not-above-rate",
            RateLimitProblem::BurstWithoutTime { .. } => "rate-limit-burst-without-time",
            RateLimitProblem::ThresholdAboveRate { .. } => "rate-limit-threshold-above-rate",
        }
    }

    /// True for what RouterOS refuses; false for what it accepts but that does not work as
    /// meant.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            RateLimitProblem::PriorityRange(_) | RateLimitProblem::RateMinAboveRate { .. }
        )
    }
}

impl fmt::Display for RateLimitProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = RlRate;
        match *self {
            RateLimitProblem::PriorityRange(p) => write!(f, "priority {p} is outside 1..8"),
            RateLimitProblem::RateMinAboveRate {
                direction,
                rate_min,
                rate,
            } => write!(
                f,
                "{direction} rate-min {} is above the rate {}",
                r.show(rate_min),
                r.show(rate)
            ),
            RateLimitProblem::BurstNotAboveRate {
                direction,
                burst_rate,
                rate,
            } => write!(
                f,
                "{direction} burst-rate {} is not above the rate {}, so the client never bursts",
                r.show(burst_rate),
                r.show(rate)
            ),
            RateLimitProblem::BurstWithoutTime { direction } => write!(
                f,
                "{direction} burst-rate is set but burst-time is 0s, so the client never bursts"
            ),
            RateLimitProblem::ThresholdAboveRate {
                direction,
                threshold,
                rate,
            } => write!(
                f,
                "{direction} burst-threshold {} is above the rate {}: after a burst the client \
                 keeps about the threshold, not the rate",
                r.show(threshold),
                r.show(rate)
            ),
        }
    }
}

/// Rate formatting for rate-limit strings: `k` and `M` only.
struct RlRate;

impl RlRate {
    fn show(&self, r: Rate) -> String {
        let v = r.0;
        if v == 0 {
            "0".to_owned()
        } else if v % 1_000_000 == 0 {
            format!("{}M", v / 1_000_000)
        } else if v % 1_000 == 0 {
            format!("{}k", v / 1_000)
        } else {
            v.to_string()
        }
    }
}

impl RateLimit {
    /// Longest rate-limit string [`FromStr`] reads, in bytes.
    pub const MAX_LEN: usize = 256;

    /// A rate limit of `rate` (upload/download in the client's terms) and nothing else.
    pub fn new(rate: UpDown<Rate>) -> Self {
        RateLimit {
            rate,
            ..Self::default()
        }
    }

    /// The burst threshold in effect: the one given, or the rates (the manuals' default).
    pub fn effective_burst_threshold(&self) -> UpDown<Rate> {
        self.burst_threshold.unwrap_or(self.rate)
    }

    /// The burst time in effect: the one given, or `1s`.
    pub fn effective_burst_time(&self) -> UpDown<Time> {
        self.burst_time.unwrap_or(UpDown::both(Time::from_secs(1)))
    }

    /// The priority in effect: the one given, or 8.
    pub fn effective_priority(&self) -> u8 {
        self.priority.unwrap_or(8)
    }

    /// True when a non-zero burst rate is set in either direction.
    pub fn has_burst(&self) -> bool {
        self.burst_rate
            .is_some_and(|b| !b.upload.is_zero() || !b.download.is_zero())
    }

    /// What RouterOS refuses and what does not work as it seems to: priority outside 1..8,
    /// rate-min above rate, a burst rate not above the rate, a burst with a zero burst-time,
    /// a burst threshold above the rate. Empty when all is well.
    ///
    /// ```
    /// let r: queue_model::RateLimit = "1M/2M 512k/4M 0/0 0/8 9".parse()?;
    /// let codes: Vec<&str> = r.check().iter().map(|p| p.code()).collect();
    /// assert_eq!(codes, ["rate-limit-priority-range", "rate-limit-burst-not-above-rate",
    ///                    "rate-limit-burst-without-time"]);
    /// # Ok::<(), queue_model::RateLimitError>(())
    /// ```
    pub fn check(&self) -> Vec<RateLimitProblem> {
        let mut out = Vec::new();
        if let Some(p) = self.priority {
            if !(1..=8).contains(&p) {
                out.push(RateLimitProblem::PriorityRange(p));
            }
        }
        for direction in Direction::BOTH {
            let rate = *self.rate.get(direction);
            if let Some(min) = self.rate_min.map(|m| *m.get(direction)) {
                if !rate.is_zero() && min > rate {
                    out.push(RateLimitProblem::RateMinAboveRate {
                        direction,
                        rate_min: min,
                        rate,
                    });
                }
            }
            let burst = self
                .burst_rate
                .map(|b| *b.get(direction))
                .unwrap_or_default();
            if burst.is_zero() {
                continue;
            }
            if !rate.is_zero() && burst <= rate {
                out.push(RateLimitProblem::BurstNotAboveRate {
                    direction,
                    burst_rate: burst,
                    rate,
                });
            }
            if self.burst_time.is_some_and(|t| t.get(direction).is_zero()) {
                out.push(RateLimitProblem::BurstWithoutTime { direction });
            }
            if let Some(t) = self.burst_threshold.map(|t| *t.get(direction)) {
                if !rate.is_zero() && t > rate {
                    out.push(RateLimitProblem::ThresholdAboveRate {
                        direction,
                        threshold: t,
                        rate,
                    });
                }
            }
        }
        out
    }
}

fn parse_rate(s: &str) -> Result<Rate, bool> {
    // Err(true): a `G` suffix.
    let (num, mult) = match s.as_bytes().last() {
        Some(b'k') => (s.get(..s.len() - 1).unwrap_or_default(), 1_000),
        Some(b'M') => (s.get(..s.len() - 1).unwrap_or_default(), 1_000_000),
        Some(b'G') => return Err(true),
        _ => (s, 1),
    };
    if num.is_empty() || num.len() > 20 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(false);
    }
    let n: u64 = num.parse().map_err(|_| false)?;
    n.checked_mul(mult).map(Rate).ok_or(false)
}

fn split_pair(word: &str) -> Option<(&str, &str)> {
    match word.split_once('/') {
        Some((a, b)) if !b.contains('/') => Some((a, b)),
        Some(_) => None,
        None => Some((word, word)),
    }
}

impl FromStr for RateLimit {
    type Err = RateLimitError;
    fn from_str(s: &str) -> Result<Self, RateLimitError> {
        if s.len() > Self::MAX_LEN {
            return Err(RateLimitError::new(RateLimitErrorKind::TooLong, "", 0..0));
        }
        let mut out = RateLimit::default();
        let mut count = 0;
        let mut pos = 0;
        for word in s.split_ascii_whitespace() {
            // Byte offset of this word in `s` (words are found in order).
            let start = s
                .get(pos..)
                .and_then(|rest| rest.find(word))
                .map_or(pos, |i| pos + i);
            let span = start..start + word.len();
            pos = span.end;
            let Some(&part) = RateLimitPart::ALL.get(count) else {
                return Err(RateLimitError::new(
                    RateLimitErrorKind::TooManyParts,
                    s,
                    span,
                ));
            };
            count += 1;
            let invalid =
                || RateLimitError::new(RateLimitErrorKind::Invalid(part), s, span.clone());
            let rates = |word: &str| -> Result<UpDown<Rate>, RateLimitError> {
                let (a, b) = split_pair(word).ok_or_else(invalid)?;
                let one = |x: &str| {
                    parse_rate(x).map_err(|giga| {
                        let kind = if giga {
                            RateLimitErrorKind::GigaSuffix(part)
                        } else {
                            RateLimitErrorKind::Invalid(part)
                        };
                        RateLimitError::new(kind, s, span.clone())
                    })
                };
                Ok(UpDown::new(one(a)?, one(b)?))
            };
            match part {
                RateLimitPart::Rate => out.rate = rates(word)?,
                RateLimitPart::BurstRate => out.burst_rate = Some(rates(word)?),
                RateLimitPart::BurstThreshold => out.burst_threshold = Some(rates(word)?),
                RateLimitPart::RateMin => out.rate_min = Some(rates(word)?),
                RateLimitPart::BurstTime => {
                    let (a, b) = split_pair(word).ok_or_else(invalid)?;
                    let t = |x: &str| {
                        if x.is_empty()
                            || !x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':')
                        {
                            return Err(invalid());
                        }
                        x.parse::<Time>().map_err(|_| invalid())
                    };
                    out.burst_time = Some(UpDown::new(t(a)?, t(b)?));
                }
                RateLimitPart::Priority => {
                    if word.is_empty()
                        || word.len() > 3
                        || !word.bytes().all(|b| b.is_ascii_digit())
                    {
                        return Err(invalid());
                    }
                    out.priority = Some(word.parse().map_err(|_| invalid())?);
                }
            }
        }
        if count == 0 {
            return Err(RateLimitError::new(RateLimitErrorKind::Empty, s, 0..0));
        }
        Ok(out)
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = RlRate;
        let pair = |p: UpDown<Rate>| format!("{}/{}", r.show(p.upload), r.show(p.download));
        write!(f, "{}", pair(self.rate))?;
        let last = if self.rate_min.is_some() {
            5
        } else if self.priority.is_some() {
            4
        } else if self.burst_time.is_some() {
            3
        } else if self.burst_threshold.is_some() {
            2
        } else if self.burst_rate.is_some() {
            1
        } else {
            0
        };
        let zero = UpDown::<Rate>::default();
        if last >= 1 {
            write!(f, " {}", pair(self.burst_rate.unwrap_or(zero)))?;
        }
        if last >= 2 {
            write!(f, " {}", pair(self.burst_threshold.unwrap_or(zero)))?;
        }
        if last >= 3 {
            write!(f, " {}", self.burst_time.unwrap_or_default())?;
        }
        if last >= 4 {
            write!(f, " {}", self.priority.unwrap_or(8))?;
        }
        if last >= 5 {
            write!(f, " {}", pair(self.rate_min.unwrap_or(zero)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: u64 = 1_000;
    const M: u64 = 1_000_000;

    fn rl(
        rate: (u64, u64),
        burst: Option<(u64, u64)>,
        thr: Option<(u64, u64)>,
        time: Option<(u64, u64)>,
        prio: Option<u8>,
        min: Option<(u64, u64)>,
    ) -> RateLimit {
        let p = |(a, b): (u64, u64)| UpDown::new(Rate(a), Rate(b));
        RateLimit {
            rate: p(rate),
            burst_rate: burst.map(p),
            burst_threshold: thr.map(p),
            burst_time: time.map(|(a, b)| UpDown::new(Time::from_secs(a), Time::from_secs(b))),
            priority: prio,
            rate_min: min.map(p),
        }
    }

    /// (canonical text, value): parse gives the value, render gives the text.
    #[test]
    fn table_both_ways() {
        let table = [
            ("512k/1M", rl((512 * K, M), None, None, None, None, None)),
            ("0/0", rl((0, 0), None, None, None, None, None)),
            ("1500/2500", rl((1500, 2500), None, None, None, None, None)),
            (
                "1M/2M 2M/4M",
                rl((M, 2 * M), Some((2 * M, 4 * M)), None, None, None, None),
            ),
            (
                "512k/1M 1M/2M 384k/768k 16s/16s 8",
                rl(
                    (512 * K, M),
                    Some((M, 2 * M)),
                    Some((384 * K, 768 * K)),
                    Some((16, 16)),
                    Some(8),
                    None,
                ),
            ),
            (
                "1M/3M 0/0 0/0 0s/0s 8 0/0",
                rl(
                    (M, 3 * M),
                    Some((0, 0)),
                    Some((0, 0)),
                    Some((0, 0)),
                    Some(8),
                    Some((0, 0)),
                ),
            ),
            (
                "256k/384k 512k/768k 192k/288k 16s/16s 8 128k/192k",
                rl(
                    (256 * K, 384 * K),
                    Some((512 * K, 768 * K)),
                    Some((192 * K, 288 * K)),
                    Some((16, 16)),
                    Some(8),
                    Some((128 * K, 192 * K)),
                ),
            ),
            (
                "1000M/1000M",
                rl((1_000 * M, 1_000 * M), None, None, None, None, None),
            ),
        ];
        for (text, value) in table {
            assert_eq!(text.parse::<RateLimit>().unwrap(), value, "{text}");
            assert_eq!(value.to_string(), text);
        }
    }

    #[test]
    fn shorthand_and_spacing() {
        for (input, canonical) in [
            ("2M", "2M/2M"),
            ("  512k/1M   1M/2M  ", "512k/1M 1M/2M"),
            ("1M/2M 4M 1500k 8/16", "1M/2M 4M/4M 1500k/1500k 8s/16s"),
            (
                "1M 2M 1M 1m30s 1 512k",
                "1M/1M 2M/2M 1M/1M 1m30s/1m30s 1 512k/512k",
            ),
            ("1M\t2M", "1M/1M 2M/2M"),
            ("1M 0 0 00:00:16 3", "1M/1M 0/0 0/0 16s/16s 3"),
        ] {
            let r: RateLimit = input.parse().unwrap();
            assert_eq!(r.to_string(), canonical, "{input}");
            assert_eq!(canonical.parse::<RateLimit>().unwrap(), r);
        }
    }

    #[test]
    fn errors_name_the_part() {
        for (input, kind, span) in [
            ("", RateLimitErrorKind::Empty, 0..0),
            ("   ", RateLimitErrorKind::Empty, 0..0),
            (
                "fast",
                RateLimitErrorKind::Invalid(RateLimitPart::Rate),
                0..4,
            ),
            (
                "1M/",
                RateLimitErrorKind::Invalid(RateLimitPart::Rate),
                0..3,
            ),
            (
                "1M/2M/3M",
                RateLimitErrorKind::Invalid(RateLimitPart::Rate),
                0..8,
            ),
            (
                "1.5M",
                RateLimitErrorKind::Invalid(RateLimitPart::Rate),
                0..4,
            ),
            ("1K", RateLimitErrorKind::Invalid(RateLimitPart::Rate), 0..2),
            (
                "1G/1G",
                RateLimitErrorKind::GigaSuffix(RateLimitPart::Rate),
                0..5,
            ),
            (
                "1M 2G",
                RateLimitErrorKind::GigaSuffix(RateLimitPart::BurstRate),
                3..5,
            ),
            (
                "1M 2M 1M x",
                RateLimitErrorKind::Invalid(RateLimitPart::BurstTime),
                9..10,
            ),
            (
                "1M 2M 1M 8s/-1",
                RateLimitErrorKind::Invalid(RateLimitPart::BurstTime),
                9..14,
            ),
            (
                "1M 2M 1M 8s 8/8",
                RateLimitErrorKind::Invalid(RateLimitPart::Priority),
                12..15,
            ),
            (
                "1M 2M 1M 8s 8 1M 1M",
                RateLimitErrorKind::TooManyParts,
                17..19,
            ),
            (
                "1M 1M 1M 1M 1M 1M",
                RateLimitErrorKind::Invalid(RateLimitPart::BurstTime),
                9..11,
            ),
            (
                "99999999999999999999M",
                RateLimitErrorKind::Invalid(RateLimitPart::Rate),
                0..21,
            ),
        ] {
            let e = input.parse::<RateLimit>().unwrap_err();
            assert_eq!(e.kind(), &kind, "{input}");
            assert_eq!(e.span(), span, "{input}");
        }
        let e = "1M 2G".parse::<RateLimit>().unwrap_err();
        assert!(e.to_string().contains("1000M"), "{e}");
        assert!(e.to_string().ends_with("\n  | 1M 2G\n  |    ^^"), "{e}");
        let long = "1M ".repeat(100);
        assert_eq!(
            long.parse::<RateLimit>().unwrap_err().kind(),
            &RateLimitErrorKind::TooLong
        );
    }

    #[test]
    fn check_follows_the_manuals() {
        let ok: RateLimit = "512k/1M 1M/2M 384k/768k 16/16 8 128k/256k".parse().unwrap();
        assert!(ok.check().is_empty());
        assert_eq!(ok.effective_priority(), 8);
        let defaults: RateLimit = "512k/1M 1M/2M".parse().unwrap();
        assert_eq!(defaults.effective_burst_threshold(), defaults.rate);
        assert_eq!(
            defaults.effective_burst_time(),
            UpDown::both(Time::from_secs(1))
        );
        assert!(defaults.check().is_empty(), "absent burst-time means 1s");
        let bad: RateLimit = "1M/1M 2M/2M 3M/512k 0/8 0 2M/512k".parse().unwrap();
        let got: Vec<(&str, bool)> = bad
            .check()
            .iter()
            .map(|p| (p.code(), p.is_error()))
            .collect();
        assert_eq!(
            got,
            [
                ("rate-limit-priority-range", true),
                ("rate-limit-min-above-rate", true),
                ("rate-limit-burst-without-time", false),
                ("rate-limit-threshold-above-rate", false),
            ]
        );
        // Unlimited rate (0) is not compared.
        let unlimited: RateLimit = "0/0 2M/2M 0/0 1s 8 1M".parse().unwrap();
        assert!(unlimited.check().is_empty());
    }
}
