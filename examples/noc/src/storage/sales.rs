//! Hotspot sales harvested from the routers' MIKHMON records: each record once (keyed by the
//! router and the record's name), kept after the router forgets it; totals per day, month and
//! profile, and CSV.

use queue_model::hotspot::mikhmon::SalesRecord;
use rusqlite::params;
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// One stored sale.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sale {
    /// Router row id.
    pub router_id: i64,
    /// `YYYY-MM-DD` (the router's date).
    pub date: String,
    /// `HH:MM:SS`.
    pub time: String,
    /// The voucher.
    pub user: String,
    /// Price, in the currency's units.
    pub price: u64,
    /// Profile.
    pub profile: String,
    /// Client address.
    pub address: String,
    /// Client MAC.
    pub mac: String,
}

/// Totals of a set of sales.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct SalesTotals {
    /// Vouchers sold.
    pub count: u64,
    /// Sum of prices.
    pub total: u64,
    /// Per day (`YYYY-MM-DD`, count, total), in date order.
    pub by_day: Vec<(String, u64, u64)>,
    /// Per profile (name, count, total), largest total first.
    pub by_profile: Vec<(String, u64, u64)>,
}

impl Store {
    /// Stores sales records (name as the router has it, parsed record); a record already
    /// stored is skipped. Returns how many were new.
    pub fn add_sales(
        &self,
        router_id: i64,
        records: &[(Vec<u8>, SalesRecord)],
    ) -> Result<usize, Error> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        let mut new = 0;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO sales(router_id, name, date, time, user, price, profile,
                        address, mac, harvested)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(db)?;
            for (name, r) in records {
                let date = format!(
                    "{:04}-{:02}-{:02}",
                    r.date.year(),
                    r.date.month(),
                    r.date.day()
                );
                let time = format!(
                    "{:02}:{:02}:{:02}",
                    r.time.hour(),
                    r.time.minute(),
                    r.time.second()
                );
                new += st
                    .execute(params![
                        router_id,
                        name,
                        date,
                        time,
                        crate::fmt::router_text(&r.user.to_string_lossy()),
                        i64::try_from(r.price.0).unwrap_or(i64::MAX),
                        crate::fmt::router_text(&r.profile.to_string_lossy()),
                        crate::fmt::router_text(&r.address.to_string_lossy()),
                        crate::fmt::router_text(&r.mac.to_string_lossy()),
                        crate::now(),
                    ])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)?;
        Ok(new)
    }

    /// Sales of a router (any router when `None`) with `from <= date <= to` (`YYYY-MM-DD`),
    /// oldest first; at most `limit`.
    pub fn sales(
        &self,
        router_id: Option<i64>,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<Sale>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT router_id, date, time, user, price, profile, address, mac FROM sales
                 WHERE (?1 IS NULL OR router_id = ?1) AND date >= ?2 AND date <= ?3
                 ORDER BY date, time, id LIMIT ?4",
            )
            .map_err(db)?;
        let rows = st
            .query_map(params![router_id, from, to, limit], |r| {
                Ok(Sale {
                    router_id: r.get(0)?,
                    date: r.get(1)?,
                    time: r.get(2)?,
                    user: r.get(3)?,
                    price: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                    profile: r.get(5)?,
                    address: r.get(6)?,
                    mac: r.get(7)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Totals of the sales between two dates (inclusive).
    pub fn sales_totals(
        &self,
        router_id: Option<i64>,
        from: &str,
        to: &str,
    ) -> Result<SalesTotals, Error> {
        let c = self.c();
        let group = |sql: &str| -> Result<Vec<(String, u64, u64)>, Error> {
            let mut st = c.prepare_cached(sql).map_err(db)?;
            let rows = st
                .query_map(params![router_id, from, to], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    ))
                })
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        };
        let filter = "WHERE (?1 IS NULL OR router_id = ?1) AND date >= ?2 AND date <= ?3";
        let by_day = group(&format!(
            "SELECT date, count(*), coalesce(sum(price), 0) FROM sales {filter} GROUP BY date ORDER BY date"
        ))?;
        let by_profile = group(&format!(
            "SELECT profile, count(*), coalesce(sum(price), 0) FROM sales {filter}
             GROUP BY profile ORDER BY sum(price) DESC, profile"
        ))?;
        Ok(SalesTotals {
            count: by_day.iter().map(|d| d.1).sum(),
            total: by_day.iter().map(|d| d.2).sum(),
            by_day,
            by_profile,
        })
    }
}

/// Sales as CSV (RFC 4180, a header line; fields quoted where needed).
pub fn sales_csv(sales: &[Sale]) -> String {
    fn field(s: &str) -> String {
        // A leading `=`, `+`, `-` or `@` would be a formula in a spreadsheet.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::from("date,time,voucher,profile,price,address,mac\r\n");
    for s in sales {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            field(&s.date),
            field(&s.time),
            field(&s.user),
            field(&s.profile),
            s.price,
            field(&s.address),
            field(&s.mac)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_stored_once_and_totalled() {
        let s = Store::in_memory().unwrap();
        let names = [
            "jul/15/2024-|-10:00:00-|-abc12-|-3000-|-10.5.50.2-|-AA:BB:CC:00:00:01-|-1d-|-3rb-|-vc-1",
            "2024-07-15-|-11:00:00-|-abc13-|-3000-|-10.5.50.3-|-AA:BB:CC:00:00:02-|-1d-|-3rb-|-vc-1",
            "2024-08-01-|-09:00:00-|-xyz01-|-5000-|-10.5.50.4-|-AA:BB:CC:00:00:03-|-2d-|-5rb-|-vc-2",
        ];
        let records: Vec<(Vec<u8>, SalesRecord)> = names
            .iter()
            .map(|n| {
                (
                    n.as_bytes().to_vec(),
                    SalesRecord::parse(n.as_bytes()).unwrap(),
                )
            })
            .collect();
        assert_eq!(s.add_sales(1, &records).unwrap(), 3);
        assert_eq!(
            s.add_sales(1, &records).unwrap(),
            0,
            "harvested twice, stored once"
        );
        let july = s.sales_totals(Some(1), "2024-07-01", "2024-07-31").unwrap();
        assert_eq!((july.count, july.total), (2, 6000), "both date forms count");
        assert_eq!(july.by_day, vec![("2024-07-15".to_owned(), 2, 6000)]);
        let all = s.sales_totals(None, "0000-00-00", "9999-99-99").unwrap();
        assert_eq!(
            all.by_profile[0],
            ("3rb".to_owned(), 2, 6000),
            "largest total first"
        );
        assert_eq!(all.by_profile[1], ("5rb".to_owned(), 1, 5000));
        let csv = sales_csv(&s.sales(Some(1), "2024-07-01", "2024-08-31", 100).unwrap());
        assert!(csv.starts_with("date,time,voucher"));
        assert_eq!(csv.lines().count(), 4);
    }

    #[test]
    fn csv_fields_cannot_become_formulas_or_break_rows() {
        let sale = Sale {
            router_id: 1,
            date: "2024-07-15".into(),
            time: "10:00:00".into(),
            user: "=HYPERLINK(\"x\")".into(),
            price: 1,
            profile: "a,b".into(),
            address: String::new(),
            mac: String::new(),
        };
        let csv = sales_csv(&[sale]);
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("\"a,b\""));
    }
}
