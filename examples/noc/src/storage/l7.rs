//! Layer 7 activity: matches seen in the routers' firewall logs.

use rusqlite::params;
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// One Layer 7 match seen on a router.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct L7Event {
    /// Unix seconds.
    pub time: i64,
    /// Router row id.
    pub router_id: i64,
    /// The LAN host (address) that matched.
    pub host: String,
    /// The Layer 7 protocol name (the app).
    pub app: String,
    /// The firewall rule that logged it (its comment or log prefix).
    pub rule: String,
    /// The raw log line.
    pub detail: String,
}

impl Store {
    /// Deletes rows older than `before` (Unix seconds); returns how many.
    pub fn prune_l7(&self, before: i64) -> Result<usize, Error> {
        self.c()
            .execute("DELETE FROM l7_activity WHERE time < ?1", [before])
            .map_err(db)
    }

    // ---- Layer 7 activity ----

    /// Appends Layer 7 events.
    pub fn add_l7_events(&self, events: &[L7Event]) -> Result<(), Error> {
        let r = (|| -> Result<(), Error> {
            let mut c = self.c();
            let tx = c.transaction().map_err(db)?;
            {
                let mut st = tx
                    .prepare_cached(
                        "INSERT INTO l7_activity(time, router_id, host, app, rule, detail) VALUES (?1,?2,?3,?4,?5,?6)",
                    )
                    .map_err(db)?;
                for e in events {
                    st.execute(params![
                        e.time,
                        e.router_id,
                        e.host,
                        e.app,
                        e.rule,
                        e.detail
                    ])
                    .map_err(db)?;
                }
            }
            tx.commit().map_err(db)
        })();
        self.wrote(r)
    }

    /// The latest `limit` Layer 7 events (newest first), optionally for one router.
    pub fn l7_events(&self, router_id: Option<i64>, limit: i64) -> Result<Vec<L7Event>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT time, router_id, host, app, rule, detail FROM l7_activity
                 WHERE (?1 IS NULL OR router_id = ?1) ORDER BY id DESC LIMIT ?2",
            )
            .map_err(db)?;
        let rows = st
            .query_map(params![router_id, limit], |r| {
                Ok(L7Event {
                    time: r.get(0)?,
                    router_id: r.get(1)?,
                    host: r.get(2)?,
                    app: r.get(3)?,
                    rule: r.get(4)?,
                    detail: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
}
