//! The audit log: every change made to a router or to the dashboard's users.

use rusqlite::params;
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// One audit log entry.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// Unix seconds.
    pub time: i64,
    /// Who.
    pub user: String,
    /// On which router.
    pub router_id: Option<i64>,
    /// What (`queue.apply`, `user.add`...).
    pub action: String,
    /// Details (the commands sent, the result).
    pub detail: String,
    /// Whether it succeeded.
    pub ok: bool,
}

impl Store {
    /// Deletes rows older than `before` (Unix seconds); returns how many.
    pub fn prune_audit(&self, before: i64) -> Result<usize, Error> {
        self.c()
            .execute("DELETE FROM audit WHERE time < ?1", [before])
            .map_err(db)
    }

    // ---- audit ----

    /// Appends an audit entry.
    pub fn audit(
        &self,
        user: &str,
        router_id: Option<i64>,
        action: &str,
        detail: &str,
        ok: bool,
    ) -> Result<(), Error> {
        let r = (|| -> Result<(), Error> {
            self.c()
                .execute(
                    "INSERT INTO audit(time, user, router_id, action, detail, ok) VALUES (?1,?2,?3,?4,?5,?6)",
                    params![crate::now(), user, router_id, action, detail, ok],
                )
                .map_err(db)?;
            Ok(())
        })();
        self.wrote(r)
    }

    /// The latest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT id, time, user, router_id, action, detail, ok FROM audit ORDER BY id DESC LIMIT ?1",
            )
            .map_err(db)?;
        let rows = st
            .query_map([limit], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    time: r.get(1)?,
                    user: r.get(2)?,
                    router_id: r.get(3)?,
                    action: r.get(4)?,
                    detail: r.get(5)?,
                    ok: r.get(6)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
}
