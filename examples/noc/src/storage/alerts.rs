//! The alert feed, filled by the alert engine.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// An alert in the feed.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Alert {
    /// Row id.
    pub id: i64,
    /// Stable key: repeated firing of one condition updates one alert.
    pub key: String,
    /// Router row id, if the alert is about one.
    pub router_id: Option<i64>,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// One line.
    pub title: String,
    /// More text.
    pub detail: String,
    /// First firing, Unix seconds.
    pub first_seen: i64,
    /// Latest firing.
    pub last_seen: i64,
    /// How often it fired.
    pub count: i64,
    /// When it resolved, if it did.
    pub resolved_at: Option<i64>,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// When.
    pub acked_at: Option<i64>,
}

impl Store {
    /// Deletes rows older than `before` (Unix seconds); returns how many.
    pub fn prune_alerts(&self, before: i64) -> Result<usize, Error> {
        self.c()
            .execute(
                "DELETE FROM alerts WHERE resolved_at IS NOT NULL AND last_seen < ?1",
                [before],
            )
            .map_err(db)
    }

    // ---- alerts (filled by the alert engine) ----

    /// Fires the alert `key`: updates the open alert with that key, or opens a new one.
    /// Returns the alert id.
    pub fn fire_alert(
        &self,
        key: &str,
        router_id: Option<i64>,
        severity: &str,
        title: &str,
        detail: &str,
        now: i64,
    ) -> Result<i64, Error> {
        let r = (|| -> Result<i64, Error> {
            let c = self.c();
            let open: Option<i64> = c
                .query_row(
                    "SELECT id FROM alerts WHERE key=?1 AND resolved_at IS NULL",
                    [key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if let Some(id) = open {
                c.execute(
                    "UPDATE alerts SET last_seen=?2, count=count+1, title=?3, detail=?4, severity=?5 WHERE id=?1",
                    params![id, now, title, detail, severity],
                )
                .map_err(db)?;
                return Ok(id);
            }
            c.execute(
                "INSERT INTO alerts(key, router_id, severity, title, detail, first_seen, last_seen, count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)",
                params![key, router_id, severity, title, detail, now],
            )
            .map_err(db)?;
            Ok(c.last_insert_rowid())
        })();
        if r.is_ok() {
            self.alerts_changed();
        }
        self.wrote(r)
    }

    /// Resolves the open alert `key`; returns its id if one was open.
    pub fn resolve_alert(&self, key: &str, now: i64) -> Result<Option<i64>, Error> {
        let r = (|| -> Result<Option<i64>, Error> {
            let c = self.c();
            let open: Option<i64> = c
                .query_row(
                    "SELECT id FROM alerts WHERE key=?1 AND resolved_at IS NULL",
                    [key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if let Some(id) = open {
                c.execute(
                    "UPDATE alerts SET resolved_at=?2 WHERE id=?1",
                    params![id, now],
                )
                .map_err(db)?;
            }
            Ok(open)
        })();
        if matches!(r, Ok(Some(_))) {
            self.alerts_changed();
        }
        self.wrote(r)
    }

    /// Acknowledges an alert.
    pub fn ack_alert(&self, id: i64, user: &str, now: i64) -> Result<bool, Error> {
        let done = self
            .c()
            .execute(
                "UPDATE alerts SET acked_by=?2, acked_at=?3 WHERE id=?1 AND acked_by IS NULL",
                params![id, user, now],
            )
            .map_err(db)?
            > 0;
        if done {
            self.alerts_changed();
        }
        Ok(done)
    }

    /// Signals the feed's watchers (see [`Store::subscribe_alerts`]).
    pub(super) fn alerts_changed(&self) {
        self.alert_changes.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// A receiver that sees every later change of the alert feed.
    pub fn subscribe_alerts(&self) -> tokio::sync::watch::Receiver<u64> {
        self.alert_changes.subscribe()
    }

    /// The latest `limit` alerts, open ones first.
    pub fn alerts(&self, limit: i64) -> Result<Vec<Alert>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT id, key, router_id, severity, title, detail, first_seen, last_seen, count,
                        resolved_at, acked_by, acked_at
                 FROM alerts ORDER BY (resolved_at IS NULL) DESC, last_seen DESC LIMIT ?1",
            )
            .map_err(db)?;
        let rows = st
            .query_map([limit], |r| {
                Ok(Alert {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    router_id: r.get(2)?,
                    severity: r.get(3)?,
                    title: r.get(4)?,
                    detail: r.get(5)?,
                    first_seen: r.get(6)?,
                    last_seen: r.get(7)?,
                    count: r.get(8)?,
                    resolved_at: r.get(9)?,
                    acked_by: r.get(10)?,
                    acked_at: r.get(11)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
}
