//! Alert rules saved in the dashboard, stored as JSON; [`crate::alerts::rules`] reads and
//! writes them (this layer does not know what a rule is).

use rusqlite::params;

use super::{db, Store};
use crate::Error;

/// An alert rule as stored: its name, its JSON and whether it is enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredRule {
    /// The rule's name (the key).
    pub name: String,
    /// The rule, as JSON.
    pub json: String,
    /// Whether it is evaluated.
    pub enabled: bool,
}

impl Store {
    /// The alert rules saved in the dashboard, by name.
    pub fn stored_rules(&self) -> Result<Vec<StoredRule>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached("SELECT name, rule, enabled FROM alert_rules ORDER BY name")
            .map_err(db)?;
        let rows = st
            .query_map([], |r| {
                Ok(StoredRule {
                    name: r.get(0)?,
                    json: r.get(1)?,
                    enabled: r.get(2)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Saves (inserts or replaces) the rule `name`; `replaces` is the name it had before an
    /// edit that renamed it, removed in the same transaction.
    pub fn store_rule(
        &self,
        name: &str,
        json: &str,
        enabled: bool,
        replaces: Option<&str>,
        user: &str,
    ) -> Result<(), Error> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        if let Some(old) = replaces.filter(|o| *o != name) {
            tx.execute("DELETE FROM alert_rules WHERE name = ?1", params![old])
                .map_err(db)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO alert_rules(name, rule, enabled, updated, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, json, enabled, crate::now(), user],
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
}
