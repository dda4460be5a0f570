//! Login sessions: survive a restart, expire, and are revoked per user (password change,
//! deletion). Keys are SHA-256 digests of the cookie values, never the values themselves.

use rusqlite::{params, OptionalExtension};

use super::{db, Store};
use crate::auth::Role;
use crate::Error;

/// A session row joined with its user.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionRow {
    /// The user's id.
    pub user_id: i64,
    /// The user's name now.
    pub user: String,
    /// The user's role now.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf: String,
    /// Unix time it expires unless renewed.
    pub expires: i64,
    /// The language the user chose, if any.
    pub language: Option<crate::i18n::Lang>,
}

impl Store {
    /// Stores a new session; when the user already has `max_per_user` live sessions, their
    /// oldest is ended (never another user's).
    pub fn session_insert(
        &self,
        key: &str,
        user_id: i64,
        csrf: &str,
        now: i64,
        expires: i64,
        max_per_user: usize,
    ) -> Result<(), Error> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND expires <= ?2",
            params![user_id, now],
        )
        .map_err(db)?;
        let keep = i64::try_from(max_per_user.saturating_sub(1)).unwrap_or(i64::MAX);
        tx.execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND key NOT IN
               (SELECT key FROM sessions WHERE user_id = ?1 ORDER BY created DESC, rowid DESC LIMIT ?2)",
            params![user_id, keep],
        )
        .map_err(db)?;
        tx.execute(
            "INSERT OR REPLACE INTO sessions(key, user_id, csrf, created, expires)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, user_id, csrf, now, expires],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    /// The live session with this key, with its user as they are now.
    pub fn session_get(&self, key: &str, now: i64) -> Result<Option<SessionRow>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT s.user_id, u.name, u.role, s.csrf, s.expires, u.language
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.key = ?1 AND s.expires > ?2",
            )
            .map_err(db)?;
        let row = st
            .query_row(params![key, now], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .optional()
            .map_err(db)?;
        Ok(
            row.and_then(|(user_id, user, role, csrf, expires, language)| {
                Some(SessionRow {
                    user_id,
                    user,
                    role: role.parse().ok()?,
                    csrf,
                    expires,
                    language: language.as_deref().and_then(crate::i18n::Lang::parse),
                })
            }),
        )
    }

    /// Moves a session's expiry.
    pub fn session_renew(&self, key: &str, expires: i64) -> Result<(), Error> {
        self.c()
            .execute(
                "UPDATE sessions SET expires = ?2 WHERE key = ?1",
                params![key, expires],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Ends one session.
    pub fn session_delete(&self, key: &str) -> Result<(), Error> {
        self.c()
            .execute("DELETE FROM sessions WHERE key = ?1", params![key])
            .map_err(db)?;
        Ok(())
    }

    /// Ends every session of a user except `keep` (a key); returns how many ended.
    pub fn session_delete_user(&self, user_id: i64, keep: Option<&str>) -> Result<usize, Error> {
        self.c()
            .execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND key IS NOT ?2",
                params![user_id, keep],
            )
            .map_err(db)
    }

    /// Deletes expired sessions; returns how many.
    pub fn session_prune(&self, now: i64) -> Result<usize, Error> {
        self.c()
            .execute("DELETE FROM sessions WHERE expires <= ?1", params![now])
            .map_err(db)
    }

    /// Live sessions of a user.
    pub fn session_count(&self, user_id: i64, now: i64) -> Result<i64, Error> {
        self.c()
            .query_row(
                "SELECT count(*) FROM sessions WHERE user_id = ?1 AND expires > ?2",
                params![user_id, now],
                |r| r.get(0),
            )
            .map_err(db)
    }
}
