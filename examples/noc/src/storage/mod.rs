//! SQLite storage, one module per stored thing: [`users`](User), [`routers`](RouterRow),
//! rate history (samples), Layer 7 activity ([`L7Event`]), [`alerts`](Alert), saved alert
//! rules ([`StoredRule`]), the [`audit`](AuditEntry) log, the WhatsApp settings saved on the
//! Settings page ([`StoredWhatsApp`]), and Telegram's queue and mutes ([`telegram`], a
//! separate file).
//!
//! The schema is versioned with `PRAGMA user_version`; [`Store::open`] applies the missing
//! migrations in order. Every query is parameterised.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::Error;

mod alerts;
pub mod api_tokens;
mod audit;
pub mod billing;
pub mod health;
mod l7;
mod languages;
mod pages;
mod routers;
mod rules;
mod sales;
mod samples;
mod sessions;
pub mod telegram;
mod users;
mod whatsapp_settings;

pub use alerts::Alert;
pub use audit::AuditEntry;
pub use l7::L7Event;
pub use pages::{AlertFilter, AuditFilter};
pub use routers::RouterRow;
pub use rules::StoredRule;
pub use sales::{sales_csv, Sale, SalesTotals};
pub use sessions::SessionRow;
pub use telegram::{Mute, TgStore};
pub use users::User;
pub use whatsapp_settings::StoredWhatsApp;

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
    // 3: login sessions (keys are digests of the cookie values).
    "CREATE TABLE sessions(
        key TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT NULL,
        created INTEGER NOT NULL, expires INTEGER NOT NULL);
     CREATE INDEX sessions_user ON sessions(user_id, created)",
    // 4: first logins: a generated admin password is shown again until it has been used.
    "ALTER TABLE users ADD COLUMN last_login INTEGER;
     ALTER TABLE users ADD COLUMN generated INTEGER NOT NULL DEFAULT 0",
    // 5: the row `/healthz` writes to prove the database takes writes.
    "CREATE TABLE IF NOT EXISTS health_probe(t INTEGER)",
    // 6: hotspot sales harvested from the routers' MIKHMON records.
    "CREATE TABLE sales(
        id INTEGER PRIMARY KEY, router_id INTEGER NOT NULL, name BLOB NOT NULL,
        date TEXT NOT NULL, time TEXT NOT NULL, user TEXT NOT NULL, price INTEGER NOT NULL,
        profile TEXT NOT NULL, address TEXT NOT NULL, mac TEXT NOT NULL,
        harvested INTEGER NOT NULL, UNIQUE(router_id, name));
     CREATE INDEX sales_date ON sales(date)",
    // 7: billing: packages, customers, invoices, payments, customer messages, API tokens.
    "CREATE TABLE packages(
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, profile TEXT NOT NULL,
        price INTEGER NOT NULL CHECK(price >= 0), created INTEGER NOT NULL);
     CREATE TABLE customers(
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
        area TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', telegram_chat INTEGER,
        router_id INTEGER NOT NULL, secret TEXT NOT NULL, package_id INTEGER REFERENCES packages(id),
        billing_day INTEGER NOT NULL CHECK(billing_day BETWEEN 1 AND 28),
        grace_days INTEGER NOT NULL, status TEXT NOT NULL, exempt INTEGER NOT NULL DEFAULT 0,
        isolated INTEGER NOT NULL DEFAULT 0, restore_profile TEXT, since TEXT NOT NULL,
        created INTEGER NOT NULL, UNIQUE(router_id, secret));
     CREATE TABLE invoices(
        id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL REFERENCES customers(id),
        period TEXT NOT NULL, issued TEXT NOT NULL, due TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK(amount >= 0), description TEXT NOT NULL,
        created INTEGER NOT NULL, UNIQUE(customer_id, period));
     CREATE TABLE payments(
        id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL REFERENCES customers(id),
        amount INTEGER NOT NULL CHECK(amount > 0), method TEXT NOT NULL, note TEXT NOT NULL,
        recorded_by TEXT NOT NULL, time INTEGER NOT NULL, date TEXT NOT NULL,
        idempotency_key TEXT UNIQUE);
     CREATE INDEX payments_customer ON payments(customer_id);
     CREATE INDEX payments_date ON payments(date);
     CREATE TABLE billing_messages(
        id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, customer_id INTEGER,
        channel TEXT NOT NULL, recipient TEXT NOT NULL, text TEXT NOT NULL,
        created INTEGER NOT NULL, sent INTEGER);
     CREATE TABLE billing_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE api_tokens(
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL, created_by TEXT NOT NULL, created INTEGER NOT NULL,
        last_used INTEGER, revoked INTEGER)",
    // 8: WhatsApp settings saved on the Settings page (one row; the token and the app secret
    // sealed with secret.key).
    "CREATE TABLE whatsapp_settings(
        id INTEGER PRIMARY KEY CHECK (id = 1), settings TEXT NOT NULL, token BLOB,
        app_secret BLOB, updated INTEGER NOT NULL, updated_by TEXT NOT NULL)",
    // 9: user and router ids are never reused (an audit entry or a history must not pass to
    // a newcomer): AUTOINCREMENT, continuing after the largest id ever seen in the audit log.
    "CREATE TABLE users_new(
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,
        role TEXT NOT NULL, created INTEGER NOT NULL, last_login INTEGER,
        generated INTEGER NOT NULL DEFAULT 0);
     INSERT INTO users_new(id, name, hash, role, created, last_login, generated)
        SELECT id, name, hash, role, created, last_login, generated FROM users;
     DROP TABLE users;
     ALTER TABLE users_new RENAME TO users;
     CREATE TABLE routers_new(
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, address TEXT NOT NULL,
        port INTEGER NOT NULL, tls INTEGER NOT NULL, fingerprint TEXT, user TEXT NOT NULL,
        password BLOB NOT NULL, source TEXT NOT NULL, created INTEGER NOT NULL);
     INSERT INTO routers_new SELECT id, name, address, port, tls, fingerprint, user, password,
        source, created FROM routers;
     DROP TABLE routers;
     ALTER TABLE routers_new RENAME TO routers;
     DELETE FROM sqlite_sequence WHERE name = 'routers';
     INSERT INTO sqlite_sequence(name, seq) VALUES
        ('routers', max((SELECT coalesce(max(id), 0) FROM routers),
                        (SELECT coalesce(max(router_id), 0) FROM audit),
                        (SELECT coalesce(max(router_id), 0) FROM series)))",
    // 10: network health: watched devices, their check history, the WAN quota counts and the
    // last public address seen per router.
    "CREATE TABLE devices(
        id INTEGER PRIMARY KEY, router_id INTEGER NOT NULL, name TEXT NOT NULL UNIQUE,
        address TEXT NOT NULL, parent TEXT, created INTEGER NOT NULL);
     CREATE TABLE device_samples(
        device_id INTEGER NOT NULL, t INTEGER NOT NULL, up INTEGER NOT NULL,
        rtt_us INTEGER, loss INTEGER);
     CREATE INDEX device_samples_dt ON device_samples(device_id, t);
     CREATE TABLE quota_usage(
        router_id INTEGER NOT NULL, interface TEXT NOT NULL, period TEXT NOT NULL,
        bytes INTEGER NOT NULL, last_rx INTEGER NOT NULL, last_tx INTEGER NOT NULL,
        alerted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(router_id, interface, period));
     CREATE TABLE public_address(
        router_id INTEGER PRIMARY KEY, address TEXT NOT NULL, since INTEGER NOT NULL)",
    // 11: languages: a dashboard user's choice, and a chat's (`/lang`).
    "ALTER TABLE users ADD COLUMN language TEXT;
     CREATE TABLE chat_languages(
        chat TEXT PRIMARY KEY, language TEXT NOT NULL, updated INTEGER NOT NULL)",
    // 12: a customer's own language for reminders and the notice page (NULL: `[billing]
    // language`).
    "ALTER TABLE customers ADD COLUMN language TEXT",
];

/// Most Layer 7 activity rows kept; older ones are pruned.
pub const MAX_L7_ROWS: i64 = 100_000;

/// The database. Cheap to share behind an `Arc`; calls are short and serialised by a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    fault: Mutex<Option<Fault>>,
    /// Bumped whenever the alert feed changes (an alert fires, repeats, resolves or is
    /// acknowledged); the live Alerts page waits on it.
    alert_changes: tokio::sync::watch::Sender<u64>,
}

/// The last failed write and how many writes failed since the last one that succeeded.
#[derive(Debug, Clone)]
struct Fault {
    when: i64,
    what: String,
    failed: u64,
}

/// How long alerts, Layer 7 activity and audit entries are kept (`[retention]` in
/// `noc.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Retention {
    /// Days a resolved alert stays in the feed (default 90); open alerts stay.
    pub alerts_days: u32,
    /// Days of Layer 7 activity (default 30).
    pub activity_days: u32,
    /// Days of audit entries (default 400: more than a year).
    pub audit_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            alerts_days: 90,
            activity_days: 30,
            audit_days: 400,
        }
    }
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
            fault: Mutex::new(None),
            alert_changes: tokio::sync::watch::channel(0).0,
        })
    }

    /// Records the outcome of a write: a failure is kept (with a count) until a write
    /// succeeds.
    fn wrote<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        let mut f = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        match &r {
            Ok(_) => *f = None,
            Err(e) => {
                let failed = f.as_ref().map_or(0, |f| f.failed) + 1;
                *f = Some(Fault {
                    when: crate::now(),
                    what: e.to_string(),
                    failed,
                });
            }
        }
        r
    }

    /// The storage fault, if the last write failed: when (Unix seconds), what, and how many
    /// writes failed since the last one that succeeded.
    pub fn fault(&self) -> Option<(i64, String, u64)> {
        self.fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|f| (f.when, f.what.clone(), f.failed))
    }

    /// Tries a write that changes nothing visible (for health checks); records the outcome
    /// like every write.
    pub fn probe_write(&self) -> Result<(), Error> {
        let r = self
            .c()
            .execute_batch(
                "BEGIN IMMEDIATE; DELETE FROM health_probe; INSERT INTO health_probe VALUES (0); COMMIT;",
            )
            .map_err(db);
        if r.is_err() {
            let _ = self.c().execute_batch("ROLLBACK");
        }
        self.wrote(r)
    }

    /// Deletes resolved alerts, Layer 7 activity and audit entries older than `keep`
    /// allows; returns the rows deleted.
    pub fn prune_history(&self, now: i64, keep: &Retention) -> Result<usize, Error> {
        let before = |days: u32| now.saturating_sub(i64::from(days) * 86_400);
        Ok(self.prune_alerts(before(keep.alerts_days))?
            + self.prune_l7(before(keep.activity_days))?
            + self.prune_audit(before(keep.audit_days))?)
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::series::{Block, Tier};

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

    fn router(name: &str) -> RouterRow {
        RouterRow {
            id: 0,
            name: name.into(),
            address: "192.0.2.1".into(),
            port: 8728,
            tls: false,
            fingerprint: None,
            user: "noc".into(),
            password_sealed: vec![1],
            source: "ui".into(),
        }
    }

    #[test]
    fn user_and_router_ids_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|m| m.contains("users_new"))
            .unwrap();
        {
            // A database from before ids were kept apart: the last router and user removed.
            let c = Connection::open(dir.path().join("noc.db")).unwrap();
            for (i, m) in MIGRATIONS[..before].iter().enumerate() {
                c.execute_batch(&format!(
                    "BEGIN; {m}; PRAGMA user_version={}; COMMIT;",
                    i + 1
                ))
                .unwrap();
            }
            c.execute_batch(
                "INSERT INTO users(name, hash, role, created) VALUES ('a', 'h', 'admin', 0), ('b', 'h', 'admin', 0);
                 INSERT INTO routers(name, address, port, tls, user, password, source, created)
                    VALUES ('r1', 'x', 1, 0, 'u', x'00', 'ui', 0), ('r2', 'x', 1, 0, 'u', x'00', 'ui', 0);
                 INSERT INTO audit(time, user, router_id, action, detail, ok) VALUES (0, 'a', 2, 'router.add', '', 1);
                 DELETE FROM routers WHERE id = 2;",
            )
            .unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.user_count().unwrap(), 2, "users kept");
        let r3 = s.upsert_router(&router("r3")).unwrap();
        assert_eq!(r3, 3, "router 2 is in the audit log: its id stays its own");
        assert!(s.delete_router(r3).unwrap());
        assert_eq!(s.upsert_router(&router("r4")).unwrap(), 4);
        let c = s.add_user("c", "h", Role::Admin).unwrap();
        assert!(s.delete_user(c).unwrap());
        assert!(s.add_user("d", "h", Role::Admin).unwrap() > c);
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
    fn history_is_pruned_by_retention() {
        let s = Store::in_memory().unwrap();
        let day = 86_400;
        let now = 1000 * day;
        s.fire_alert("old", None, "info", "old", "", now - 100 * day)
            .unwrap();
        s.resolve_alert("old", now - 99 * day).unwrap();
        s.fire_alert("open", None, "info", "still open", "", now - 200 * day)
            .unwrap();
        s.fire_alert("recent", None, "info", "recent", "", now - 10 * day)
            .unwrap();
        s.resolve_alert("recent", now - 9 * day).unwrap();
        let ev = |t: i64| crate::storage::L7Event {
            time: t,
            router_id: 1,
            host: "h".into(),
            app: "a".into(),
            rule: String::new(),
            detail: String::new(),
        };
        s.add_l7_events(&[ev(now - 31 * day), ev(now - day)])
            .unwrap();
        s.audit("admin", None, "test", "", true).unwrap();
        s.c()
            .execute("UPDATE audit SET time=?1", [now - 401 * day])
            .unwrap();
        s.audit("admin", None, "test", "", true).unwrap();
        s.c()
            .execute("UPDATE audit SET time=?1 WHERE id=2", [now - 399 * day])
            .unwrap();
        assert_eq!(s.prune_history(now, &Retention::default()).unwrap(), 3);
        let titles: Vec<String> = s.alerts(10).unwrap().into_iter().map(|a| a.title).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        assert!(titles.contains(&"still open".to_string()));
        assert_eq!(s.l7_events(None, 10).unwrap().len(), 1);
        assert_eq!(s.audit_log(10).unwrap().len(), 1);
        let none = Retention {
            alerts_days: 0,
            activity_days: 0,
            audit_days: 0,
        };
        assert_eq!(s.prune_history(now, &none).unwrap(), 3);
        assert_eq!(s.alerts(10).unwrap().len(), 1, "open alerts stay");
    }

    #[test]
    fn write_failures_are_recorded_until_a_write_succeeds() {
        let s = Store::in_memory().unwrap();
        assert!(s.fault().is_none());
        s.c().execute_batch("PRAGMA query_only=1").unwrap();
        assert!(s.fire_alert("k", None, "info", "t", "", 1).is_err());
        assert!(s.probe_write().is_err());
        let (_, what, failed) = s.fault().unwrap();
        assert_eq!(failed, 2);
        assert!(what.contains("readonly") || what.contains("read"), "{what}");
        s.c().execute_batch("PRAGMA query_only=0").unwrap();
        s.fire_alert("k", None, "info", "t", "", 2).unwrap();
        assert!(s.fault().is_none());
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
