//! Sales reports from MIKHMON's records: totals per day and per profile, for a day, a month
//! or everything, in either date form.
//!
//! A record that does not parse (missing fields, a price that is not a number, a bad date)
//! is skipped and counted under its reason; it never stops the report.
//!
//! ```
//! use queue_model::hotspot::report::{Period, Report};
//!
//! let names: [&[u8]; 4] = [
//!     b"jul/31/2024-|-21:00:00-|-a1-|-5000-|-10.5.50.2-|-AA:BB:CC:DD:EE:01-|-1d-|-1Day-|-vc-101-07.30.24-",
//!     b"2024-08-01-|-08:00:00-|-a2-|-5000-|-10.5.50.3-|-AA:BB:CC:DD:EE:02-|-1d-|-1Day-|-vc-101-07.30.24-",
//!     b"2024-08-01-|-09:30:00-|-b1-|-50000-|-10.5.50.4-|-AA:BB:CC:DD:EE:03-|-30d-|-1Month-|-vc-102-07.30.24-",
//!     b"2024-08-01-|-10:00:00-|-b2-|-lima ribu-|-10.5.50.5-|-AA:BB:CC:DD:EE:04-|-1d-|-1Day-|-",
//! ];
//! let r = Report::from_names(names, Period::Month("082024".parse()?));
//! assert_eq!((r.count, r.total), (2, 55_000));
//! assert_eq!(r.skipped["bad-price"], 1);
//! assert_eq!(r.outside_period, 1);
//! # Ok::<(), queue_model::ValueError>(())
//! ```

use std::collections::BTreeMap;

use routeros_proto::Attributes;

use crate::clock::{Date, MonthKey};
use crate::error::MikhmonError;
use crate::hotspot::mikhmon::{SalesRecord, RECORD_COMMENT};
use crate::text::Text;

/// Most skipped records kept as examples in [`Report::examples`].
pub const MAX_EXAMPLES: usize = 20;

/// Which sales a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Period {
    /// Every record.
    #[default]
    All,
    /// One day.
    Day(Date),
    /// One month.
    Month(MonthKey),
}

impl Period {
    /// True when `date` is in the period.
    pub fn contains(self, date: Date) -> bool {
        match self {
            Period::All => true,
            Period::Day(d) => d == date,
            Period::Month(m) => date.month_key() == m,
        }
    }
}

/// Number of sales and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Totals {
    /// Sales.
    pub count: u64,
    /// Sum of prices (whole currency units).
    pub total: u64,
}

impl Totals {
    fn add(&mut self, price: u64) {
        self.count = self.count.saturating_add(1);
        self.total = self.total.saturating_add(price);
    }
}

/// Sales totals. With the `serde` feature (on by default) it serialises as
/// `{"count": N, "total": AMOUNT, "by_profile": {NAME: {"count", "total"}}, "by_day":
/// {"2024-07-15": {...}}, "skipped": {REASON: N}}`; profile names that are not UTF-8 are
/// written escaped ([`Text::escape`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Report {
    /// The period counted.
    pub period: Period,
    /// Sales counted.
    pub count: u64,
    /// Their sum.
    pub total: u64,
    /// Per profile.
    pub by_profile: BTreeMap<Text, Totals>,
    /// Per day (dates of both forms fall on the same day).
    pub by_day: BTreeMap<Date, Totals>,
    /// Records skipped because they do not parse, by reason ([`MikhmonError::code`]:
    /// `missing-fields`, `bad-price`, `bad-date`...).
    pub skipped: BTreeMap<&'static str, u64>,
    /// The first [`MAX_EXAMPLES`] skipped records: their position in the input and the error.
    pub examples: Vec<(usize, MikhmonError)>,
    /// Valid records outside the period.
    pub outside_period: u64,
    /// Rows that are not sales records (another `comment` than `mikhmon`).
    pub not_sales: u64,
}

impl Report {
    /// An empty report for `period`; add records with [`add_name`](Self::add_name),
    /// [`add_row`](Self::add_row) or [`add_record`](Self::add_record).
    pub fn new(period: Period) -> Self {
        Report {
            period,
            ..Self::default()
        }
    }

    /// A report from script names.
    pub fn from_names<I>(names: I, period: Period) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut r = Report::new(period);
        for n in names {
            r.add_name(n.as_ref());
        }
        r
    }

    /// A report from `/system/script/print` rows (all of them, or `?comment=mikhmon`,
    /// `?owner=`, `?source=` selections).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a Attributes>, period: Period) -> Self {
        let mut r = Report::new(period);
        for row in rows {
            r.add_row(row);
        }
        r
    }

    /// Total number of records seen (counted, outside the period, skipped; not non-sales).
    fn seen(&self) -> usize {
        let skipped: u64 = self.skipped.values().sum();
        usize::try_from(self.count + self.outside_period + skipped).unwrap_or(usize::MAX)
    }

    /// Adds a record by its script name.
    pub fn add_name(&mut self, name: &[u8]) {
        let at = self.seen();
        match SalesRecord::parse(name) {
            Ok(r) => self.add_record(&r),
            Err(e) => self.skip(at, e),
        }
    }

    /// Adds a `/system/script/print` row; rows that are not MIKHMON's are counted in
    /// [`not_sales`](Self::not_sales).
    pub fn add_row(&mut self, row: &Attributes) {
        let mut name: Option<&[u8]> = None;
        let mut comment: Option<&[u8]> = None;
        for (k, v) in row {
            match k {
                b"name" => name = Some(v),
                b"comment" => comment = Some(v),
                _ => {}
            }
        }
        match (name, comment) {
            (Some(n), Some(c)) if c == RECORD_COMMENT.as_bytes() => self.add_name(n),
            _ => self.not_sales += 1,
        }
    }

    /// Adds a parsed record.
    pub fn add_record(&mut self, r: &SalesRecord) {
        if !self.period.contains(r.date) {
            self.outside_period += 1;
            return;
        }
        let price = r.price.0;
        self.count = self.count.saturating_add(1);
        self.total = self.total.saturating_add(price);
        match self.by_profile.get_mut(&r.profile) {
            Some(t) => t.add(price),
            None => {
                let mut t = Totals::default();
                t.add(price);
                self.by_profile.insert(r.profile.clone(), t);
            }
        }
        self.by_day.entry(r.date).or_default().add(price);
    }

    fn skip(&mut self, at: usize, e: MikhmonError) {
        *self.skipped.entry(e.code()).or_default() += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push((at, e));
        }
    }

    /// Records skipped, all reasons together.
    pub fn skipped_count(&self) -> u64 {
        self.skipped.values().sum()
    }
}

#[cfg(feature = "serde")]
mod ser {
    use super::{Report, Totals};
    use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

    impl Serialize for Totals {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Totals", 2)?;
            st.serialize_field("count", &self.count)?;
            st.serialize_field("total", &self.total)?;
            st.end()
        }
    }

    struct ByProfile<'a>(&'a Report);
    struct ByDay<'a>(&'a Report);

    impl Serialize for ByProfile<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.by_profile.len()))?;
            for (k, v) in &self.0.by_profile {
                m.serialize_entry(&k.escape(), v)?;
            }
            m.end()
        }
    }

    impl Serialize for ByDay<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.by_day.len()))?;
            for (k, v) in &self.0.by_day {
                m.serialize_entry(&k.to_string(), v)?;
            }
            m.end()
        }
    }

    impl Serialize for Report {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Report", 5)?;
            st.serialize_field("count", &self.count)?;
            st.serialize_field("total", &self.total)?;
            st.serialize_field("by_profile", &ByProfile(self))?;
            st.serialize_field("by_day", &ByDay(self))?;
            st.serialize_field("skipped", &self.skipped)?;
            st.end()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, comment: &str) -> Attributes {
        let mut a = Attributes::new();
        a.push(".id", "*1");
        a.push("name", name);
        a.push("owner", "x");
        a.push("comment", comment);
        a
    }

    const RECORDS: [&str; 7] = [
        // End of July, the old form (a router still on 7.9).
        "jul/31/2024-|-23:59:59-|-a1-|-5000-|-10.5.50.2-|-AA:BB:CC:DD:EE:01-|-1d-|-1Day-|-vc-101-07.30.24-",
        "jul/31/2024-|-12:00:00-|-a2-|-3000-|-10.5.50.3-|-AA:BB:CC:DD:EE:02-|-12h-|-12Jam-|-vc-101-07.30.24-",
        // After the upgrade to 7.16, the new form.
        "2024-08-01-|-00:00:01-|-a3-|-5000-|-10.5.50.4-|-AA:BB:CC:DD:EE:03-|-1d-|-1Day-|-vc-101-07.30.24-",
        "2024-08-01-|-07:15:00-|-a4-|-50000-|-10.5.50.5-|-AA:BB:CC:DD:EE:04-|-30d-|-1Bulan-|-vc-102-07.30.24-",
        // The same day in the old form (MIKHMON upstream on a mixed fleet).
        "aug/01/2024-|-09:00:00-|-a5-|-5000-|-10.5.50.6-|-AA:BB:CC:DD:EE:05-|-1d-|-1Day-|-",
        // Broken: missing fields, a price that is not a number, a bad date.
        "2024-08-01-|-10:00:00-|-a6-|-5000",
        "2024-08-01-|-10:00:00-|-a7-|-Rp5.000-|-10.5.50.8-|-m-|-1d-|-1Day-|-",
    ];

    #[test]
    fn month_boundary_and_both_forms() {
        let mut rows: Vec<Attributes> = RECORDS.iter().map(|n| row(n, "mikhmon")).collect();
        rows.push(row(
            "2024-02-30-|-10:00:00-|-a8-|-5000-|-a-|-m-|-1d-|-1Day-|-",
            "mikhmon",
        ));
        rows.push(row("backup-script", "")); // not a sale
        let all = Report::from_rows(&rows, Period::All);
        assert_eq!((all.count, all.total), (5, 68_000));
        assert_eq!(all.skipped_count(), 3);
        assert_eq!(
            all.skipped
                .iter()
                .map(|(k, v)| (*k, *v))
                .collect::<Vec<_>>(),
            [("bad-date", 1), ("bad-price", 1), ("missing-fields", 1)]
        );
        assert_eq!(
            all.examples.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [5, 6, 7]
        );
        assert_eq!(all.not_sales, 1);
        let july = Date::new(2024, 7, 31).unwrap();
        let aug = Date::new(2024, 8, 1).unwrap();
        assert_eq!(all.by_day[&july].count, 2);
        assert_eq!(all.by_day[&july].total, 8_000);
        assert_eq!(all.by_day[&aug].count, 3);
        assert_eq!(all.by_day[&aug].total, 60_000);
        assert_eq!(all.by_profile[&Text::from("1Day")].total, 15_000);

        let aug_only = Report::from_rows(&rows, Period::Month(aug.month_key()));
        assert_eq!((aug_only.count, aug_only.total), (3, 60_000));
        assert_eq!(aug_only.outside_period, 2);
        assert_eq!(
            aug_only.skipped_count(),
            3,
            "bad records are counted whatever the period"
        );
        let jul_only = Report::from_names(RECORDS, Period::Month("jul2024".parse().unwrap()));
        assert_eq!((jul_only.count, jul_only.total), (2, 8_000));
        let day = Report::from_names(RECORDS, Period::Day(aug));
        assert_eq!((day.count, day.total), (3, 60_000));
        assert_eq!(
            jul_only.total + aug_only.total,
            all.total,
            "the months add up to the whole"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serialises_naturally() {
        let r = Report::from_names(RECORDS, Period::Month("082024".parse().unwrap()));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "count": 3,
                "total": 60000,
                "by_profile": {
                    "1Bulan": {"count": 1, "total": 50000},
                    "1Day": {"count": 2, "total": 10000}
                },
                "by_day": {"2024-08-01": {"count": 3, "total": 60000}},
                "skipped": {"bad-price": 1, "missing-fields": 1}
            })
        );
    }
}
