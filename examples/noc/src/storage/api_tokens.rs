//! API tokens for `/api/v1`: made on the Users page with a role, shown once, stored as the
//! SHA-256 of the secret, revocable.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{db, Store};
use crate::auth::Role;
use crate::Error;

/// An API token (the secret itself is shown once and stored as a digest).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Who made it.
    pub created_by: String,
    /// Unix seconds.
    pub created: i64,
    /// Last use, Unix seconds.
    pub last_used: Option<i64>,
}

/// The digest an API token is stored and looked up by.
fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const COLS: &str = "id, name, role, created_by, created, last_used";

/// A row as a token; `None` for a role this version does not know (refused, not guessed).
fn token_row(r: &Row<'_>) -> rusqlite::Result<Option<ApiToken>> {
    let role: String = r.get(2)?;
    let Ok(role) = role.parse::<Role>() else {
        return Ok(None);
    };
    Ok(Some(ApiToken {
        id: r.get(0)?,
        name: r.get(1)?,
        role,
        created_by: r.get(3)?,
        created: r.get(4)?,
        last_used: r.get(5)?,
    }))
}

impl Store {
    /// Makes an API token; returns its id and the secret (shown once, stored as a digest).
    pub fn add_api_token(&self, name: &str, role: Role, by: &str) -> Result<(i64, String), Error> {
        let secret = format!("noc_{}", crate::auth::random_token());
        let r = self
            .c()
            .query_row(
                "INSERT INTO api_tokens(name, digest, role, created_by, created)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![name, token_digest(&secret), role.as_str(), by, crate::now()],
                |r| r.get(0),
            )
            .map_err(db);
        self.wrote(r).map(|id| (id, secret))
    }

    /// The live token with this secret (and notes its use).
    pub fn api_token(&self, secret: &str) -> Result<Option<ApiToken>, Error> {
        let c = self.c();
        let t = c
            .query_row(
                &format!("SELECT {COLS} FROM api_tokens WHERE digest = ?1 AND revoked IS NULL"),
                [token_digest(secret)],
                token_row,
            )
            .optional()
            .map_err(db)?
            .flatten();
        if let Some(t) = &t {
            let _ = c.execute(
                "UPDATE api_tokens SET last_used = ?2 WHERE id = ?1",
                params![t.id, crate::now()],
            );
        }
        Ok(t)
    }

    /// Live tokens, newest first.
    pub fn api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {COLS} FROM api_tokens WHERE revoked IS NULL ORDER BY id DESC"
            ))
            .map_err(db)?;
        let rows = st.query_map([], token_row).map_err(db)?;
        let mut out = Vec::new();
        for t in rows {
            out.extend(t.map_err(db)?);
        }
        Ok(out)
    }

    /// Revokes a token; returns whether one was live.
    pub fn revoke_api_token(&self, id: i64) -> Result<bool, Error> {
        let r = self
            .c()
            .execute(
                "UPDATE api_tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
                params![id, crate::now()],
            )
            .map(|n| n > 0)
            .map_err(db);
        self.wrote(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_digests_and_revocable() {
        let s = Store::in_memory().unwrap();
        let (id, secret) = s.add_api_token("bank", Role::Operator, "admin").unwrap();
        assert_eq!(s.api_token(&secret).unwrap().unwrap().role, Role::Operator);
        assert!(s.api_token("noc_wrong").unwrap().is_none());
        assert_eq!(s.api_tokens().unwrap().len(), 1);
        assert!(s.revoke_api_token(id).unwrap());
        assert!(s.api_token(&secret).unwrap().is_none());
        assert!(s.api_tokens().unwrap().is_empty());
    }
}
