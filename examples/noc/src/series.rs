//! Downsampled rate history: 1 s points for an hour, 1 min averages for a week, 1 h averages
//! for a year.
//!
//! This module is sans-io: [`Downsampler`] takes samples with the time supplied by the caller
//! and hands back [`Block`]s for the store to write. A block holds a fixed number of points of
//! one tier (60 seconds, 60 minutes or 24 hours), each point two rates (`up`/`down`, or
//! `tx`/`rx`) packed as LEB128 varints of kbit/s, so a year of 1,000 queues stays far below
//! 200 MB.

use std::collections::HashMap;

/// One resolution of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tier {
    /// One point a second, kept for an hour.
    Second,
    /// One point a minute (the average), kept for a week.
    Minute,
    /// One point an hour (the average), kept for a year.
    Hour,
}

impl Tier {
    /// All tiers, finest first.
    pub const ALL: [Tier; 3] = [Tier::Second, Tier::Minute, Tier::Hour];

    /// Seconds between two points.
    pub const fn step(self) -> i64 {
        match self {
            Tier::Second => 1,
            Tier::Minute => 60,
            Tier::Hour => 3600,
        }
    }

    /// Points in one block.
    pub const fn points(self) -> usize {
        match self {
            Tier::Second | Tier::Minute => 60,
            Tier::Hour => 24,
        }
    }

    /// Seconds one block covers.
    pub const fn span(self) -> i64 {
        match self {
            Tier::Second => 60,
            Tier::Minute => 3600,
            Tier::Hour => 86_400,
        }
    }

    /// How long points of this tier are kept, in seconds.
    pub const fn retention(self) -> i64 {
        match self {
            Tier::Second => 3600,
            Tier::Minute => 7 * 86_400,
            Tier::Hour => 366 * 86_400,
        }
    }

    /// The number stored in the database.
    pub const fn code(self) -> i64 {
        match self {
            Tier::Second => 0,
            Tier::Minute => 1,
            Tier::Hour => 2,
        }
    }

    /// The start of the block that holds time `t`.
    pub fn block_start(self, t: i64) -> i64 {
        t.div_euclid(self.span()) * self.span()
    }
}

/// Two rates in bits/s, as one point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Point {
    /// Seconds since the Unix epoch (start of the interval for averaged tiers).
    pub t: i64,
    /// Upload (queues) or transmit (interfaces), bits/s; 0 for queue trees.
    pub up: u64,
    /// Download (queues), receive (interfaces) or the rate (queue trees), bits/s.
    pub down: u64,
}

/// A block of points ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The series it belongs to.
    pub series: i64,
    /// Its tier.
    pub tier: Tier,
    /// Its first point's time.
    pub start: i64,
    /// The points, encoded (see [`encode_points`]).
    pub data: Vec<u8>,
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn to_kbps(bps: u64) -> u64 {
    bps.saturating_add(500) / 1000
}

/// Packs slots (`None` = no sample) as varints of `kbit/s + 1`, `0` for a missing point.
pub fn encode_points(slots: &[Option<(u64, u64)>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(slots.len() * 3);
    for slot in slots {
        match slot {
            None => out.push(0),
            Some((up, down)) => {
                push_varint(&mut out, to_kbps(*up).saturating_add(1));
                push_varint(&mut out, to_kbps(*down).saturating_add(1));
            }
        }
    }
    out
}

/// Unpacks a block written by [`encode_points`] into points (missing ones skipped). Stops at
/// the first malformed byte; never reads more than `tier.points()` points.
pub fn decode_points(tier: Tier, start: i64, data: &[u8]) -> Vec<Point> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut i: i64 = 0;
    while pos < data.len() && out.len() < tier.points() && i < tier.points() as i64 {
        let Some(up) = read_varint(data, &mut pos) else {
            break;
        };
        if up != 0 {
            let Some(down) = read_varint(data, &mut pos) else {
                break;
            };
            out.push(Point {
                t: start + i * tier.step(),
                up: (up - 1).saturating_mul(1000),
                down: down.saturating_sub(1).saturating_mul(1000),
            });
        }
        i += 1;
    }
    out
}

#[derive(Debug, Clone, Default)]
struct Avg {
    /// Index of the interval being averaged (`t / step`), or `None`.
    at: Option<i64>,
    up: u128,
    down: u128,
    n: u64,
}

impl Avg {
    fn take(&mut self) -> Option<(i64, u64, u64)> {
        let at = self.at.take()?;
        if self.n == 0 {
            return None;
        }
        let n = u128::from(self.n);
        let r = (
            at,
            u64::try_from(self.up / n).unwrap_or(u64::MAX),
            u64::try_from(self.down / n).unwrap_or(u64::MAX),
        );
        *self = Avg::default();
        Some(r)
    }
}

#[derive(Debug, Clone)]
struct Buf {
    start: i64,
    slots: Vec<Option<(u64, u64)>>,
    dirty: bool,
}

impl Buf {
    fn new(tier: Tier, t: i64) -> Self {
        Buf {
            start: tier.block_start(t),
            slots: vec![None; tier.points()],
            dirty: false,
        }
    }
}

#[derive(Debug, Clone)]
struct Acc {
    bufs: [Buf; 3],
    minute: Avg,
    hour: Avg,
}

/// Turns 1-second samples into the three stored tiers, per series. Memory is bounded: one
/// block per tier per series, and at most `max_series` series (samples for more are counted
/// in [`dropped`](Self::dropped) and discarded).
#[derive(Debug)]
pub struct Downsampler {
    series: HashMap<i64, Acc>,
    sealed: Vec<Block>,
    max_series: usize,
    dropped: u64,
}

impl Downsampler {
    /// A downsampler for at most `max_series` series.
    pub fn new(max_series: usize) -> Self {
        Downsampler {
            series: HashMap::new(),
            sealed: Vec::new(),
            max_series,
            dropped: 0,
        }
    }

    /// Samples discarded because too many series were being tracked.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Series currently tracked.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when no series is tracked.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Records one sample of `series` at time `t` (seconds).
    pub fn record(&mut self, series: i64, t: i64, up: u64, down: u64) {
        if !self.series.contains_key(&series) && self.series.len() >= self.max_series {
            self.dropped += 1;
            return;
        }
        let acc = self.series.entry(series).or_insert_with(|| Acc {
            bufs: [
                Buf::new(Tier::Second, t),
                Buf::new(Tier::Minute, t),
                Buf::new(Tier::Hour, t),
            ],
            minute: Avg::default(),
            hour: Avg::default(),
        });
        let sealed = &mut self.sealed;
        let [sec, min, hour] = &mut acc.bufs;
        put(sealed, series, Tier::Second, sec, t, (up, down));
        for (avg, tier, buf) in [
            (&mut acc.minute, Tier::Minute, min),
            (&mut acc.hour, Tier::Hour, hour),
        ] {
            let idx = t.div_euclid(tier.step());
            if avg.at != Some(idx) {
                if let Some((at, u, d)) = avg.take() {
                    put(sealed, series, tier, buf, at * tier.step(), (u, d));
                }
                avg.at = Some(idx);
            }
            avg.up += u128::from(up);
            avg.down += u128::from(down);
            avg.n += 1;
        }
    }

    /// Every block that changed since the last call: sealed ones (whose time is over) and the
    /// current partial ones. Writing them with "insert or replace" keeps the store current.
    pub fn take_dirty(&mut self) -> Vec<Block> {
        let mut out = std::mem::take(&mut self.sealed);
        for (series, acc) in &mut self.series {
            for (tier, buf) in Tier::ALL.iter().zip(acc.bufs.iter_mut()) {
                if buf.dirty {
                    buf.dirty = false;
                    out.push(Block {
                        series: *series,
                        tier: *tier,
                        start: buf.start,
                        data: encode_points(&buf.slots),
                    });
                }
            }
        }
        out
    }

    /// Points of `series` in `tier` still held in memory (the current blocks, and the running
    /// average of the current minute/hour), for merging with stored history.
    pub fn current(&self, series: i64, tier: Tier) -> Vec<Point> {
        let Some(acc) = self.series.get(&series) else {
            return Vec::new();
        };
        let i = match tier {
            Tier::Second => 0,
            Tier::Minute => 1,
            Tier::Hour => 2,
        };
        let Some(buf) = acc.bufs.get(i) else {
            return Vec::new();
        };
        let mut pts = decode_points(tier, buf.start, &encode_points(&buf.slots));
        let avg = match tier {
            Tier::Second => None,
            Tier::Minute => Some(&acc.minute),
            Tier::Hour => Some(&acc.hour),
        };
        if let Some(avg) = avg {
            if let (Some(at), true) = (avg.at, avg.n > 0) {
                let n = u128::from(avg.n);
                pts.push(Point {
                    t: at * tier.step(),
                    up: u64::try_from(avg.up / n).unwrap_or(u64::MAX),
                    down: u64::try_from(avg.down / n).unwrap_or(u64::MAX),
                });
            }
        }
        pts
    }

    /// Forgets a series (after its queue was removed), sealing its blocks first.
    pub fn forget(&mut self, series: i64) {
        if let Some(mut acc) = self.series.remove(&series) {
            for (tier, buf) in Tier::ALL.iter().zip(acc.bufs.iter_mut()) {
                if buf.dirty {
                    self.sealed.push(Block {
                        series,
                        tier: *tier,
                        start: buf.start,
                        data: encode_points(&buf.slots),
                    });
                }
            }
        }
    }
}

fn put(sealed: &mut Vec<Block>, series: i64, tier: Tier, buf: &mut Buf, t: i64, v: (u64, u64)) {
    let start = tier.block_start(t);
    if start != buf.start {
        if buf.dirty || buf.slots.iter().any(Option::is_some) {
            sealed.push(Block {
                series,
                tier,
                start: buf.start,
                data: encode_points(&buf.slots),
            });
        }
        *buf = Buf::new(tier, t);
    }
    let idx = usize::try_from((t - start) / tier.step()).unwrap_or(0);
    if let Some(slot) = buf.slots.get_mut(idx) {
        *slot = Some(v);
        buf.dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_trip_with_gaps() {
        let slots = vec![Some((1_000, 2_000_000)), None, Some((0, 10_000_000_000))];
        let data = encode_points(&slots);
        let pts = decode_points(Tier::Second, 600, &data);
        assert_eq!(
            pts,
            vec![
                Point {
                    t: 600,
                    up: 1_000,
                    down: 2_000_000
                },
                Point {
                    t: 602,
                    up: 0,
                    down: 10_000_000_000
                },
            ]
        );
    }

    #[test]
    fn garbage_never_panics_and_is_bounded() {
        let data = vec![0xffu8; 1000];
        assert!(decode_points(Tier::Hour, 0, &data).len() <= 24);
        let data = vec![1u8; 1000];
        assert_eq!(decode_points(Tier::Hour, 0, &data).len(), 24);
    }

    #[test]
    fn seconds_seal_per_minute_and_minutes_average() {
        let mut d = Downsampler::new(10);
        for t in 0..125 {
            d.record(7, t, if t < 60 { 1_000_000 } else { 3_000_000 }, 0);
        }
        let blocks = d.take_dirty();
        let sec: Vec<_> = blocks.iter().filter(|b| b.tier == Tier::Second).collect();
        assert_eq!(
            sec.iter().map(|b| b.start).collect::<Vec<_>>(),
            vec![0, 60, 120]
        );
        let min = blocks.iter().find(|b| b.tier == Tier::Minute).unwrap();
        let pts = decode_points(Tier::Minute, min.start, &min.data);
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[0].up, 1_000_000);
        assert_eq!(pts[1].up, 3_000_000);
        // The running minute is visible before it is sealed.
        let cur = d.current(7, Tier::Minute);
        assert_eq!(cur.last().map(|p| p.t), Some(120));
        // Nothing changed since: nothing dirty.
        assert!(d.take_dirty().is_empty());
    }

    #[test]
    fn series_are_bounded() {
        let mut d = Downsampler::new(2);
        d.record(1, 0, 1, 1);
        d.record(2, 0, 1, 1);
        d.record(3, 0, 1, 1);
        assert_eq!(d.len(), 2);
        assert_eq!(d.dropped(), 1);
    }
}
