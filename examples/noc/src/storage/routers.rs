//! Managed routers (passwords sealed by [`crate::secret::SecretBox`]).

use rusqlite::params;
use serde::Serialize;

use super::{db, Store};
use crate::Error;

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

impl Store {
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

    /// Updates the router with `r.id` in place (its id, and so its history, stay).
    pub fn update_router(&self, r: &RouterRow) -> Result<bool, Error> {
        let n = self
            .c()
            .execute(
                "UPDATE routers SET address = ?2, port = ?3, tls = ?4, fingerprint = ?5, user = ?6,
                    password = ?7 WHERE id = ?1",
                params![
                    r.id,
                    r.address,
                    r.port,
                    r.tls,
                    r.fingerprint,
                    r.user,
                    r.password_sealed
                ],
            )
            .map_err(db);
        self.wrote(n).map(|n| n > 0)
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
}
