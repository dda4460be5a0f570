//! SQLite storage: users, routers, rate history, Layer 7 activity, alerts and the audit log.
//!
//! The schema is versioned with `PRAGMA user_version`; [`Store::open`] applies the missing
//! migrations in order. Every query is parameterised.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::auth::Role;
use crate::series::{decode_points, Block, Point, Tier};
use crate::Error;

const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    "CREATE TABLE users(
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,
        role TEXT NOT NULL, created INTEGER NOT NULL);
     CREATE TABLE routers(
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, address TEXT NOT NULL,
        port INTEGER NOT NULL, tls INTEGER NOT NULL, fingerprint TEXT, user TEXT NOT NULL,
        password BLOB NOT NULL, source TEXT NOT NULL, created INTEGER NOT NULL);
     CREATE TABLE series(
        id INTEGER PRIMARY KEY, router_id INTEGER NOT NULL, kind TEXT NOT NULL,
        name TEXT NOT NULL, UNIQUE(router_id, kind, name));
     CREATE TABLE samples(
        tier INTEGER NOT NULL, series_id INTEGER NOT NULL, start INTEGER NOT NULL,
        data BLOB NOT NULL, PRIMARY KEY(tier, series_id, start)) WITHOUT ROWID;
     CREATE TABLE l7_activity(
        id INTEGER PRIMARY KEY, time INTEGER NOT NULL, router_id INTEGER NOT NULL,
        host TEXT NOT NULL, app TEXT NOT NULL, rule TEXT NOT NULL, detail TEXT NOT NULL);
     CREATE INDEX l7_activity_time ON l7_activity(time);
     CREATE TABLE alerts(
        id INTEGER PRIMARY KEY, key TEXT NOT NULL, router_id INTEGER, severity TEXT NOT NULL,
        title TEXT NOT NULL, detail TEXT NOT NULL, first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL, count INTEGER NOT NULL, resolved_at INTEGER,
        acked_by TEXT, acked_at INTEGER);
     CREATE INDEX alerts_key ON alerts(key, resolved_at);
     CREATE TABLE audit(
        id INTEGER PRIMARY KEY, time INTEGER NOT NULL, user TEXT NOT NULL, router_id INTEGER,
        action TEXT NOT NULL, detail TEXT NOT NULL, ok INTEGER NOT NULL);",
    // 2: alert rules saved in the dashboard (JSON of `RuleConfig`).
    "CREATE TABLE alert_rules(
        name TEXT PRIMARY KEY, rule TEXT NOT NULL, enabled INTEGER NOT NULL,
        updated INTEGER NOT NULL, updated_by TEXT NOT NULL)",
];

/// Most Layer 7 activity rows kept; older ones are pruned.
pub const MAX_L7_ROWS: i64 = 100_000;

/// A dashboard user.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// The argon2 PHC hash (never serialized).
    #[serde(skip)]
    pub hash: String,
}

/// A managed router as stored (the password stays encrypted).
#[derive(Clone, Serialize)]
#[non_exhaustive]
pub struct RouterRow {
    /// Row id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Host name or address.
    pub address: String,
    /// API port.
    pub port: u16,
    /// Whether api-ssl is used.
    pub tls: bool,
    /// Expected SHA-256 certificate fingerprint (hex), if pinned.
    pub fingerprint: Option<String>,
    /// API user.
    pub user: String,
    /// Sealed password (see [`crate::secret`]); never serialized.
    #[serde(skip)]
    pub password_sealed: Vec<u8>,
    /// `config`, `ui` or `embedded`.
    pub source: String,
}

impl std::fmt::Debug for RouterRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("address", &self.address)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &"<sealed>")
            .finish_non_exhaustive()
    }
}

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

/// The database. Cheap to share behind an `Arc`; calls are short and serialised by a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> Error {
    Error::Database(e.to_string())
}

impl Store {
    /// Opens (creating if needed) `noc.db` in `dir` and migrates it.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        let conn = Connection::open(dir.join("noc.db")).map_err(db)?;
        Self::with_connection(conn)
    }

    /// An in-memory database (tests, benches).
    pub fn in_memory() -> Result<Store, Error> {
        Self::with_connection(Connection::open_in_memory().map_err(db)?)
    }

    fn with_connection(conn: Connection) -> Result<Store, Error> {
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
        .map_err(db)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)?;
        for (i, m) in MIGRATIONS.iter().enumerate() {
            let target = i64::try_from(i + 1).unwrap_or(i64::MAX);
            if version < target {
                conn.execute_batch(&format!(
                    "BEGIN; {m}; PRAGMA user_version={target}; COMMIT;"
                ))
                .map_err(db)?;
            }
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn c(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version after migrations.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.c()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)
    }

    // ---- users ----

    /// Number of users.
    pub fn user_count(&self) -> Result<i64, Error> {
        self.c()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .map_err(db)
    }

    /// Adds a user with an already computed hash.
    pub fn add_user(&self, name: &str, hash: &str, role: Role) -> Result<i64, Error> {
        let c = self.c();
        c.execute(
            "INSERT INTO users(name, hash, role, created) VALUES (?1, ?2, ?3, ?4)",
            params![name, hash, role.as_str(), crate::now()],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Error::Conflict(format!("user {name:?} exists"))
            }
            e => db(e),
        })?;
        Ok(c.last_insert_rowid())
    }

    fn user_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
        let role: String = r.get(3)?;
        Ok(User {
            id: r.get(0)?,
            name: r.get(1)?,
            hash: r.get(2)?,
            role: role.parse().unwrap_or(Role::ReadOnly),
        })
    }

    /// The user called `name`.
    pub fn user_by_name(&self, name: &str) -> Result<Option<User>, Error> {
        self.c()
            .query_row(
                "SELECT id, name, hash, role FROM users WHERE name = ?1",
                [name],
                Self::user_from,
            )
            .optional()
            .map_err(db)
    }

    /// The user with row id `id`.
    pub fn user_by_id(&self, id: i64) -> Result<Option<User>, Error> {
        self.c()
            .query_row(
                "SELECT id, name, hash, role FROM users WHERE id = ?1",
                [id],
                Self::user_from,
            )
            .optional()
            .map_err(db)
    }

    /// All users by name.
    pub fn users(&self) -> Result<Vec<User>, Error> {
        let c = self.c();
        let mut st = c
            .prepare("SELECT id, name, hash, role FROM users ORDER BY name")
            .map_err(db)?;
        let rows = st.query_map([], Self::user_from).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Removes a user.
    pub fn delete_user(&self, id: i64) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute("DELETE FROM users WHERE id = ?1", [id])
            .map_err(db)?
            > 0)
    }

    /// Replaces a user's password hash.
    pub fn set_user_hash(&self, id: i64, hash: &str) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute(
                "UPDATE users SET hash = ?2 WHERE id = ?1",
                params![id, hash],
            )
            .map_err(db)?
            > 0)
    }

    // ---- routers ----

    /// Inserts or (by name) updates a router.
    pub fn upsert_router(&self, r: &RouterRow) -> Result<i64, Error> {
        let c = self.c();
        c.execute(
            "INSERT INTO routers(name, address, port, tls, fingerprint, user, password, source, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(name) DO UPDATE SET address=excluded.address, port=excluded.port,
               tls=excluded.tls, fingerprint=excluded.fingerprint, user=excluded.user,
               password=excluded.password, source=excluded.source",
            params![
                r.name,
                r.address,
                r.port,
                r.tls,
                r.fingerprint,
                r.user,
                r.password_sealed,
                r.source,
                crate::now()
            ],
        )
        .map_err(db)?;
        c.query_row("SELECT id FROM routers WHERE name = ?1", [&r.name], |x| {
            x.get(0)
        })
        .map_err(db)
    }

    /// All routers by id.
    pub fn routers(&self) -> Result<Vec<RouterRow>, Error> {
        let c = self.c();
        let mut st = c
            .prepare(
                "SELECT id, name, address, port, tls, fingerprint, user, password, source
                 FROM routers ORDER BY id",
            )
            .map_err(db)?;
        let rows = st
            .query_map([], |r| {
                Ok(RouterRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    address: r.get(2)?,
                    port: r.get(3)?,
                    tls: r.get(4)?,
                    fingerprint: r.get(5)?,
                    user: r.get(6)?,
                    password_sealed: r.get(7)?,
                    source: r.get(8)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Removes a router (its history stays until it ages out).
    pub fn delete_router(&self, id: i64) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute("DELETE FROM routers WHERE id = ?1", [id])
            .map_err(db)?
            > 0)
    }

    // ---- samples ----

    /// The id of a series (`kind` is `queue` or `iface`), created on first use.
    pub fn series_id(&self, router_id: i64, kind: &str, name: &str) -> Result<i64, Error> {
        let c = self.c();
        if let Some(id) = c
            .query_row(
                "SELECT id FROM series WHERE router_id=?1 AND kind=?2 AND name=?3",
                params![router_id, kind, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?
        {
            return Ok(id);
        }
        c.execute(
            "INSERT INTO series(router_id, kind, name) VALUES (?1, ?2, ?3)",
            params![router_id, kind, name],
        )
        .map_err(db)?;
        Ok(c.last_insert_rowid())
    }

    /// The id of an existing series.
    pub fn find_series(
        &self,
        router_id: i64,
        kind: &str,
        name: &str,
    ) -> Result<Option<i64>, Error> {
        self.c()
            .query_row(
                "SELECT id FROM series WHERE router_id=?1 AND kind=?2 AND name=?3",
                params![router_id, kind, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    /// Writes blocks (insert or replace) in one transaction.
    pub fn write_blocks(&self, blocks: &[Block]) -> Result<(), Error> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO samples(tier, series_id, start, data) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db)?;
            for b in blocks {
                st.execute(params![b.tier.code(), b.series, b.start, b.data])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    /// Points of a series in `[from, to]` from stored blocks.
    pub fn history(
        &self,
        series: i64,
        tier: Tier,
        from: i64,
        to: i64,
    ) -> Result<Vec<Point>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT start, data FROM samples WHERE tier=?1 AND series_id=?2 AND start>=?3 AND start<=?4 ORDER BY start",
            )
            .map_err(db)?;
        let rows = st
            .query_map(
                params![tier.code(), series, tier.block_start(from), to],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (start, data) = row.map_err(db)?;
            out.extend(
                decode_points(tier, start, &data)
                    .into_iter()
                    .filter(|p| p.t >= from && p.t <= to),
            );
        }
        Ok(out)
    }

    /// Deletes samples older than each tier's retention and prunes the Layer 7 log; returns
    /// the rows removed.
    pub fn prune(&self, now: i64) -> Result<usize, Error> {
        let c = self.c();
        let mut n = 0;
        for tier in Tier::ALL {
            n += c
                .execute(
                    "DELETE FROM samples WHERE tier=?1 AND start < ?2",
                    params![tier.code(), now - tier.retention() - tier.span()],
                )
                .map_err(db)?;
        }
        n += c
            .execute(
                "DELETE FROM l7_activity WHERE id <= (SELECT max(id) FROM l7_activity) - ?1",
                [MAX_L7_ROWS],
            )
            .map_err(db)?;
        Ok(n)
    }

    /// Reclaims free pages (after large prunes).
    pub fn vacuum(&self) -> Result<(), Error> {
        self.c().execute_batch("VACUUM").map_err(db)
    }

    // ---- Layer 7 activity ----

    /// Appends Layer 7 events.
    pub fn add_l7_events(&self, events: &[L7Event]) -> Result<(), Error> {
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
    }

    /// Resolves the open alert `key`; returns its id if one was open.
    pub fn resolve_alert(&self, key: &str, now: i64) -> Result<Option<i64>, Error> {
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
    }

    /// Acknowledges an alert.
    pub fn ack_alert(&self, id: i64, user: &str, now: i64) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute(
                "UPDATE alerts SET acked_by=?2, acked_at=?3 WHERE id=?1 AND acked_by IS NULL",
                params![id, user, now],
            )
            .map_err(db)?
            > 0)
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

    // ---- alert rules ----

    /// The alert rules saved in the dashboard, by name. Rows that no longer parse are
    /// skipped with a warning.
    pub fn saved_rules(&self) -> Result<Vec<crate::monitor::rules::SavedRule>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached("SELECT name, rule, enabled FROM alert_rules ORDER BY name")
            .map_err(db)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (name, json, enabled) = row.map_err(db)?;
            match serde_json::from_str::<crate::monitor::RuleConfig>(&json) {
                Ok(rule) if rule.name == name => {
                    out.push(crate::monitor::rules::SavedRule::new(rule, enabled));
                }
                Ok(_) => tracing::warn!(rule = %name, "saved alert rule has another name: skipped"),
                Err(e) => {
                    tracing::warn!(rule = %name, error = %e, "saved alert rule unreadable: skipped")
                }
            }
        }
        Ok(out)
    }

    /// Saves (inserts or replaces) an alert rule; `replaces` is the name it had before an
    /// edit that renamed it, removed in the same transaction.
    pub fn save_rule(
        &self,
        rule: &crate::monitor::RuleConfig,
        enabled: bool,
        replaces: Option<&str>,
        user: &str,
    ) -> Result<(), Error> {
        let json = serde_json::to_string(rule).map_err(|e| Error::Config(e.to_string()))?;
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        if let Some(old) = replaces.filter(|o| *o != rule.name) {
            tx.execute("DELETE FROM alert_rules WHERE name = ?1", params![old])
                .map_err(db)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO alert_rules(name, rule, enabled, updated, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![rule.name, json, enabled, crate::now(), user],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    /// Deletes a saved alert rule; false when there was none of that name.
    pub fn delete_rule(&self, name: &str) -> Result<bool, Error> {
        let n = self
            .c()
            .execute("DELETE FROM alert_rules WHERE name = ?1", params![name])
            .map_err(db)?;
        Ok(n > 0)
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
        self.c()
            .execute(
                "INSERT INTO audit(time, user, router_id, action, detail, ok) VALUES (?1,?2,?3,?4,?5,?6)",
                params![crate::now(), user, router_id, action, detail, ok],
            )
            .map_err(db)?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        s.add_user("admin", "h", Role::Admin).unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.user_count().unwrap(), 1);
        assert!(matches!(
            s.add_user("admin", "h", Role::Admin),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn alerts_update_by_key_and_resolve() {
        let s = Store::in_memory().unwrap();
        let a = s
            .fire_alert("down:1", Some(1), "critical", "down", "", 10)
            .unwrap();
        let b = s
            .fire_alert("down:1", Some(1), "critical", "down", "", 20)
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(s.alerts(10).unwrap()[0].count, 2);
        assert_eq!(s.resolve_alert("down:1", 30).unwrap(), Some(a));
        let c = s
            .fire_alert("down:1", Some(1), "critical", "down", "", 40)
            .unwrap();
        assert_ne!(a, c);
        assert!(s.ack_alert(c, "admin", 41).unwrap());
        assert!(!s.ack_alert(c, "admin", 42).unwrap());
    }

    #[test]
    fn samples_prune_by_tier_retention() {
        let s = Store::in_memory().unwrap();
        let id = s.series_id(1, "queue", "q").unwrap();
        let data = crate::series::encode_points(&[Some((1000, 1000))]);
        let now = 10 * 86_400 * 365;
        let mut blocks = Vec::new();
        for (tier, age) in [
            (Tier::Second, 7200),
            (Tier::Second, 60),
            (Tier::Minute, 8 * 86_400),
            (Tier::Minute, 86_400),
        ] {
            blocks.push(Block {
                series: id,
                tier,
                start: tier.block_start(now - age),
                data: data.clone(),
            });
        }
        s.write_blocks(&blocks).unwrap();
        assert_eq!(s.prune(now).unwrap(), 2);
        assert_eq!(
            s.history(id, Tier::Second, now - 3600, now).unwrap().len(),
            1
        );
        assert_eq!(
            s.history(id, Tier::Minute, now - 7 * 86_400, now)
                .unwrap()
                .len(),
            1
        );
    }
}
