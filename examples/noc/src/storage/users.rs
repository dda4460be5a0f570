//! Dashboard users and their password hashes.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{db, Store};
use crate::auth::Role;
use crate::Error;

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

impl Store {
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
}
