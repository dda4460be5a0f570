//! Network health: watched devices, their check history, the WAN quota counts and the last
//! public address seen per router.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// Most check samples kept per device (older ones are pruned as new ones come).
pub const MAX_DEVICE_SAMPLES: i64 = 2_000;

/// A watched device (a house's CPE, an access point).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// Row id.
    pub id: i64,
    /// The router that checks it.
    pub router_id: i64,
    /// Unique name.
    pub name: String,
    /// An IP address, or a MAC address resolved through the router's ARP and DHCP tables.
    pub address: String,
    /// The device it hangs off (an access point), by name.
    pub parent: Option<String>,
}

/// One check result kept for a device's history.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceSample {
    /// Unix seconds.
    pub t: i64,
    /// Whether it answered.
    pub up: bool,
    /// Round trip, microseconds, when measured.
    pub rtt_us: Option<i64>,
    /// Loss, percent, when measured.
    pub loss: Option<i64>,
}

/// The month's count of one WAN interface.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaRow {
    /// Bytes counted this period (received + sent).
    pub bytes: u64,
    /// The receive counter last seen.
    pub last_rx: u64,
    /// The send counter last seen.
    pub last_tx: u64,
    /// The highest threshold (percent) already alerted this period.
    pub alerted: u32,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Adds a device; a taken name is a conflict.
    pub fn add_device(
        &self,
        router_id: i64,
        name: &str,
        address: &str,
        parent: Option<&str>,
    ) -> Result<i64, Error> {
        let c = self.c();
        let r = c.execute(
            "INSERT INTO devices(router_id, name, address, parent, created) VALUES (?1,?2,?3,?4,?5)",
            params![router_id, name, address, parent, crate::now()],
        );
        match r {
            Ok(_) => Ok(c.last_insert_rowid()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(Error::Conflict(format!("a device called {name:?} exists")))
            }
            Err(e) => Err(db(e)),
        }
    }

    /// Deletes a device by name (and its history); whether it existed.
    pub fn delete_device(&self, name: &str) -> Result<bool, Error> {
        let c = self.c();
        let id: Option<i64> = c
            .query_row("SELECT id FROM devices WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        let Some(id) = id else {
            return Ok(false);
        };
        c.execute("DELETE FROM device_samples WHERE device_id = ?1", [id])
            .map_err(db)?;
        c.execute("DELETE FROM devices WHERE id = ?1", [id])
            .map_err(db)?;
        Ok(true)
    }

    /// Every device, by name.
    pub fn devices(&self) -> Result<Vec<Device>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT id, router_id, name, address, parent FROM devices ORDER BY name",
            )
            .map_err(db)?;
        let rows = st
            .query_map([], |r| {
                Ok(Device {
                    id: r.get(0)?,
                    router_id: r.get(1)?,
                    name: r.get(2)?,
                    address: r.get(3)?,
                    parent: r.get(4)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Appends check samples and keeps the newest [`MAX_DEVICE_SAMPLES`] of each device.
    pub fn add_device_samples(&self, samples: &[(i64, DeviceSample)]) -> Result<(), Error> {
        if samples.is_empty() {
            return Ok(());
        }
        let r = (|| -> Result<(), Error> {
            let mut c = self.c();
            let tx = c.transaction().map_err(db)?;
            {
                let mut ins = tx
                    .prepare_cached(
                        "INSERT INTO device_samples(device_id, t, up, rtt_us, loss) VALUES (?1,?2,?3,?4,?5)",
                    )
                    .map_err(db)?;
                let mut prune = tx
                    .prepare_cached(
                        "DELETE FROM device_samples WHERE device_id = ?1 AND t < (
                           SELECT t FROM device_samples WHERE device_id = ?1
                           ORDER BY t DESC LIMIT 1 OFFSET ?2)",
                    )
                    .map_err(db)?;
                for (id, s) in samples {
                    ins.execute(params![id, s.t, s.up, s.rtt_us, s.loss])
                        .map_err(db)?;
                    prune.execute(params![id, MAX_DEVICE_SAMPLES]).map_err(db)?;
                }
            }
            tx.commit().map_err(db)
        })();
        self.wrote(r)
    }

    /// A device's latest `limit` samples, newest first.
    pub fn device_samples(&self, device_id: i64, limit: i64) -> Result<Vec<DeviceSample>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT t, up, rtt_us, loss FROM device_samples WHERE device_id = ?1 ORDER BY t DESC LIMIT ?2",
            )
            .map_err(db)?;
        let rows = st
            .query_map(params![device_id, limit], |r| {
                Ok(DeviceSample {
                    t: r.get(0)?,
                    up: r.get(1)?,
                    rtt_us: r.get(2)?,
                    loss: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// The count of `interface` on `router_id` in `period` (`2026-12`), if any.
    pub fn quota(
        &self,
        router_id: i64,
        interface: &str,
        period: &str,
    ) -> Result<Option<QuotaRow>, Error> {
        self.c()
            .query_row(
                "SELECT bytes, last_rx, last_tx, alerted FROM quota_usage
                 WHERE router_id = ?1 AND interface = ?2 AND period = ?3",
                params![router_id, interface, period],
                |r| {
                    Ok(QuotaRow {
                        bytes: to_u64(r.get(0)?),
                        last_rx: to_u64(r.get(1)?),
                        last_tx: to_u64(r.get(2)?),
                        alerted: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    /// The latest count of `interface` on `router_id` in any period before `period`: its
    /// counters carry over as the new period's baseline.
    pub fn quota_before(
        &self,
        router_id: i64,
        interface: &str,
        period: &str,
    ) -> Result<Option<QuotaRow>, Error> {
        self.c()
            .query_row(
                "SELECT bytes, last_rx, last_tx, alerted FROM quota_usage
                 WHERE router_id = ?1 AND interface = ?2 AND period < ?3
                 ORDER BY period DESC LIMIT 1",
                params![router_id, interface, period],
                |r| {
                    Ok(QuotaRow {
                        bytes: to_u64(r.get(0)?),
                        last_rx: to_u64(r.get(1)?),
                        last_tx: to_u64(r.get(2)?),
                        alerted: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    /// Saves the count of `interface` on `router_id` in `period`.
    pub fn save_quota(
        &self,
        router_id: i64,
        interface: &str,
        period: &str,
        q: &QuotaRow,
    ) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "INSERT INTO quota_usage(router_id, interface, period, bytes, last_rx, last_tx, alerted)
                 VALUES (?1,?2,?3,?4,?5,?6,?7)
                 ON CONFLICT(router_id, interface, period) DO UPDATE SET
                   bytes = excluded.bytes, last_rx = excluded.last_rx,
                   last_tx = excluded.last_tx, alerted = excluded.alerted",
                params![
                    router_id,
                    interface,
                    period,
                    to_i64(q.bytes),
                    to_i64(q.last_rx),
                    to_i64(q.last_tx),
                    i64::from(q.alerted)
                ],
            )
            .map(|_| ())
            .map_err(db);
        self.wrote(r)
    }

    /// The public address last seen on `router_id` and since when.
    pub fn public_address(&self, router_id: i64) -> Result<Option<(String, i64)>, Error> {
        self.c()
            .query_row(
                "SELECT address, since FROM public_address WHERE router_id = ?1",
                [router_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    /// Records the public address of `router_id`.
    pub fn set_public_address(&self, router_id: i64, address: &str, t: i64) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "INSERT INTO public_address(router_id, address, since) VALUES (?1,?2,?3)
                 ON CONFLICT(router_id) DO UPDATE SET address = excluded.address, since = excluded.since",
                params![router_id, address, t],
            )
            .map(|_| ())
            .map_err(db);
        self.wrote(r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::MIGRATIONS;
    use super::*;

    #[test]
    fn migrates_from_the_previous_schema_keeping_its_data() {
        let dir = tempfile::tempdir().unwrap();
        {
            // The schema before the health tables, with a user in it.
            let before = MIGRATIONS
                .iter()
                .position(|m| m.contains("CREATE TABLE devices"))
                .unwrap();
            let c = rusqlite::Connection::open(dir.path().join("noc.db")).unwrap();
            for (i, m) in MIGRATIONS[..before].iter().enumerate() {
                c.execute_batch(&format!(
                    "BEGIN; {m}; PRAGMA user_version={}; COMMIT;",
                    i + 1
                ))
                .unwrap();
            }
            c.execute(
                "INSERT INTO users(name, hash, role, created) VALUES ('admin', 'h', 'admin', 1)",
                [],
            )
            .unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(s.user_count().unwrap(), 1);
        assert!(s.devices().unwrap().is_empty());
        s.add_device(1, "ap1", "10.0.0.2", None).unwrap();
        assert_eq!(s.devices().unwrap().len(), 1);
    }

    #[test]
    fn devices_quota_and_public_address_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.add_device(1, "ap1", "10.0.0.2", None).unwrap();
        s.add_device(1, "house 1", "aa:bb:cc:dd:ee:ff", Some("ap1"))
            .unwrap();
        assert!(s.add_device(1, "ap1", "10.0.0.3", None).is_err());
        let d = s.devices().unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].parent.as_deref(), Some("ap1"));
        s.add_device_samples(&[(
            d[0].id,
            DeviceSample {
                t: 5,
                up: true,
                rtt_us: Some(900),
                loss: Some(0),
            },
        )])
        .unwrap();
        assert_eq!(s.device_samples(d[0].id, 10).unwrap().len(), 1);
        assert!(s.delete_device("ap1").unwrap());
        assert!(!s.delete_device("ap1").unwrap());
        let q = QuotaRow {
            bytes: 10,
            last_rx: 4,
            last_tx: 6,
            alerted: 80,
        };
        s.save_quota(1, "ether1", "2026-11", &q).unwrap();
        assert_eq!(s.quota(1, "ether1", "2026-11").unwrap(), Some(q.clone()));
        assert_eq!(s.quota_before(1, "ether1", "2026-12").unwrap(), Some(q));
        assert!(s.quota(1, "ether1", "2026-12").unwrap().is_none());
        s.set_public_address(1, "203.0.113.45", 9).unwrap();
        assert_eq!(
            s.public_address(1).unwrap(),
            Some(("203.0.113.45".into(), 9))
        );
    }
}
