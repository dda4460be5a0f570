//! The Telegram side's own SQLite database (`telegram.db` in the data dir): the persistent
//! tg-notify queue (so alerts survive a restart while Telegram or the uplink is down), the
//! bot's `getUpdates` offset, and rule mutes set with `/mute`.
//!
//! It is a separate file from `noc.db` so that queue writes never contend with the sample
//! writer for the main database's lock.
//!
//! ```
//! use tg_notify::Store as _;
//! let dir = tempfile::tempdir().unwrap();
//! let store = noc::storage::telegram::TgStore::open(dir.path()).unwrap();
//! store.set_offset(42).unwrap();
//! assert_eq!(store.offset().unwrap(), Some(42));
//! store.mute("cpu", 1_000, "alice").unwrap();
//! assert_eq!(store.muted_until("cpu", 500).unwrap(), Some(1_000));
//! assert_eq!(store.muted_until("cpu", 1_000).unwrap(), None);
//! ```

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use tg_notify::{QueuedMessage, StoreError};

use crate::Error;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS tg_queue(id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS tg_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS mutes(rule TEXT PRIMARY KEY, until INTEGER NOT NULL,
                                     by TEXT NOT NULL);";

/// The database; clones share one connection.
#[derive(Clone)]
pub struct TgStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for TgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TgStore").finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> Error {
    Error::Database(e.to_string())
}

fn se(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::new(what, e)
}

/// A rule muted until a time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mute {
    /// Rule name (`all` mutes every rule).
    pub rule: String,
    /// Unix seconds.
    pub until: i64,
    /// Who muted it.
    pub by: String,
}

impl TgStore {
    /// Opens (creating) `telegram.db` in `dir`.
    pub fn open(dir: &Path) -> Result<TgStore, Error> {
        let conn = Connection::open(dir.join("telegram.db")).map_err(db)?;
        Self::with(conn)
    }

    /// Opens (creating) `file` in `dir`: the same tables for another channel's outbox
    /// (`whatsapp.db`).
    pub fn open_file(dir: &Path, file: &str) -> Result<TgStore, Error> {
        let conn = Connection::open(dir.join(file)).map_err(db)?;
        Self::with(conn)
    }

    /// Raises the stored number `name` to `value` (keeps the larger).
    pub fn meta_max(&self, name: &str, value: i64) -> Result<(), Error> {
        self.c()
            .execute(
                "INSERT INTO tg_meta(name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value=max(value, excluded.value)",
                params![name, value],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Stored numbers whose name starts with `prefix`.
    pub fn meta_prefixed(&self, prefix: &str) -> Result<Vec<(String, i64)>, Error> {
        let c = self.c();
        let mut st = c
            .prepare("SELECT name, value FROM tg_meta WHERE substr(name, 1, length(?1)) = ?1")
            .map_err(db)?;
        let rows = st
            .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<TgStore, Error> {
        Self::with(Connection::open_in_memory().map_err(db)?)
    }

    fn with(conn: Connection) -> Result<TgStore, Error> {
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(TgStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn c(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Mutes `rule` (or `all`) until `until` (Unix seconds).
    pub fn mute(&self, rule: &str, until: i64, by: &str) -> Result<(), Error> {
        self.c()
            .execute(
                "INSERT INTO mutes(rule, until, by) VALUES (?1, ?2, ?3)
                 ON CONFLICT(rule) DO UPDATE SET until=excluded.until, by=excluded.by",
                params![rule, until, by],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Lifts a mute; whether one was set.
    pub fn unmute(&self, rule: &str) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute("DELETE FROM mutes WHERE rule = ?1", [rule])
            .map_err(db)?
            > 0)
    }

    /// Until when `rule` is muted at `now` (directly or by `all`).
    pub fn muted_until(&self, rule: &str, now: i64) -> Result<Option<i64>, Error> {
        self.c()
            .query_row(
                "SELECT max(until) FROM mutes WHERE (rule = ?1 OR rule = 'all') AND until > ?2",
                params![rule, now],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map_err(db)
    }

    /// Mutes in force at `now`.
    pub fn mutes(&self, now: i64) -> Result<Vec<Mute>, Error> {
        let c = self.c();
        let mut st = c
            .prepare("SELECT rule, until, by FROM mutes WHERE until > ?1 ORDER BY rule")
            .map_err(db)?;
        let rows = st
            .query_map([now], |r| {
                Ok(Mute {
                    rule: r.get(0)?,
                    until: r.get(1)?,
                    by: r.get(2)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
}

impl tg_notify::Store for TgStore {
    fn load(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        let c = self.c();
        let mut st = c
            .prepare("SELECT id, body FROM tg_queue ORDER BY id")
            .map_err(|e| se("load queue", e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| se("load queue", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row.map_err(|e| se("load queue", e))?;
            match serde_json::from_str::<QueuedMessage>(&body) {
                Ok(m) => out.push(m),
                Err(e) => tracing::error!(id, error = %e, "dropping an unreadable queued message"),
            }
        }
        Ok(out)
    }

    fn put(&self, msg: &QueuedMessage) -> Result<(), StoreError> {
        let body = serde_json::to_string(msg).map_err(|e| se("encode message", e))?;
        let id = i64::try_from(msg.id).map_err(|e| se("message id", e))?;
        self.c()
            .execute(
                "INSERT OR REPLACE INTO tg_queue(id, body) VALUES (?1, ?2)",
                params![id, body],
            )
            .map_err(|e| se("save message", e))?;
        Ok(())
    }

    fn remove(&self, id: u64) -> Result<(), StoreError> {
        let id = i64::try_from(id).map_err(|e| se("message id", e))?;
        self.c()
            .execute("DELETE FROM tg_queue WHERE id = ?1", [id])
            .map_err(|e| se("remove message", e))?;
        Ok(())
    }

    fn offset(&self) -> Result<Option<i64>, StoreError> {
        self.c()
            .query_row("SELECT value FROM tg_meta WHERE name='offset'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| se("read offset", e))
    }

    fn set_offset(&self, offset: i64) -> Result<(), StoreError> {
        self.c()
            .execute(
                "INSERT INTO tg_meta(name, value) VALUES ('offset', ?1)
                 ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                [offset],
            )
            .map_err(|e| se("save offset", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tg_notify::Store as _;

    #[test]
    fn queue_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let s = TgStore::open(dir.path()).unwrap();
        // build a message through the public MemoryStore round trip shape
        let msg: QueuedMessage = serde_json::from_value(serde_json::json!({
            "id": 7, "chat": 42, "text": "core is down", "key": "down:1"
        }))
        .unwrap();
        s.put(&msg).unwrap();
        let mut msg2 = msg.clone();
        msg2.id = 8;
        s.put(&msg2).unwrap();
        s.remove(7).unwrap();
        drop(s);
        let s = TgStore::open(dir.path()).unwrap();
        let loaded = s.load().unwrap();
        assert_eq!(loaded, vec![msg2]);
        assert_eq!(s.offset().unwrap(), None);
        s.set_offset(5).unwrap();
        s.set_offset(9).unwrap();
        assert_eq!(s.offset().unwrap(), Some(9));
    }

    #[test]
    fn mutes_expire_and_all_covers_every_rule() {
        let s = TgStore::in_memory().unwrap();
        s.mute("all", 100, "bob").unwrap();
        assert_eq!(s.muted_until("cpu", 50).unwrap(), Some(100));
        assert_eq!(s.muted_until("cpu", 100).unwrap(), None);
        assert!(s.unmute("all").unwrap());
        assert!(!s.unmute("all").unwrap());
        assert_eq!(s.muted_until("cpu", 50).unwrap(), None);
        s.mute("cpu", 200, "bob").unwrap();
        assert_eq!(s.mutes(10).unwrap().len(), 1);
        assert!(s.mutes(300).unwrap().is_empty());
    }
}
