//! The WhatsApp settings saved on the Settings page: one row, the non-secret settings as JSON
//! and the access token and app secret sealed with the data dir's key.

use rusqlite::{params, OptionalExtension};

use super::{db, Store};
use crate::Error;

/// The saved WhatsApp settings.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct StoredWhatsApp {
    /// The non-secret settings (JSON of `alerts::whatsapp_settings::WhatsAppSettings`).
    pub settings: String,
    /// The access token, sealed (`None`: not set on the page).
    pub token: Option<Vec<u8>>,
    /// The app secret, sealed (`None`: not set on the page).
    pub app_secret: Option<Vec<u8>>,
    /// When they were saved.
    pub updated: i64,
    /// Who saved them.
    pub updated_by: String,
}

impl std::fmt::Debug for StoredWhatsApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredWhatsApp")
            .field("settings", &self.settings)
            .field("token", &self.token.as_ref().map(|_| "<sealed>"))
            .field("app_secret", &self.app_secret.as_ref().map(|_| "<sealed>"))
            .field("updated", &self.updated)
            .field("updated_by", &self.updated_by)
            .finish()
    }
}

impl Store {
    /// The saved WhatsApp settings, if any were saved.
    pub fn whatsapp_settings(&self) -> Result<Option<StoredWhatsApp>, Error> {
        self.c()
            .query_row(
                "SELECT settings, token, app_secret, updated, updated_by
                 FROM whatsapp_settings WHERE id = 1",
                [],
                |r| {
                    Ok(StoredWhatsApp {
                        settings: r.get(0)?,
                        token: r.get(1)?,
                        app_secret: r.get(2)?,
                        updated: r.get(3)?,
                        updated_by: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    /// Saves the WhatsApp settings (replacing what was saved).
    pub fn save_whatsapp_settings(&self, s: &StoredWhatsApp) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "INSERT OR REPLACE INTO whatsapp_settings(id, settings, token, app_secret, updated, updated_by)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                params![s.settings, s.token, s.app_secret, s.updated, s.updated_by],
            )
            .map(|_| ())
            .map_err(db);
        self.wrote(r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::MIGRATIONS;
    use super::*;

    #[test]
    fn migrates_from_the_previous_schema_and_keeps_one_row() {
        let dir = tempfile::tempdir().unwrap();
        {
            // The schema before the WhatsApp settings (migration 8).
            let c = rusqlite::Connection::open(dir.path().join("noc.db")).unwrap();
            for (i, m) in MIGRATIONS[..7].iter().enumerate() {
                c.execute_batch(&format!(
                    "BEGIN; {m}; PRAGMA user_version={}; COMMIT;",
                    i + 1
                ))
                .unwrap();
            }
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert!(s.whatsapp_settings().unwrap().is_none());
        let mut row = StoredWhatsApp {
            settings: "{}".into(),
            token: Some(vec![1, 2, 3]),
            app_secret: None,
            updated: 10,
            updated_by: "admin".into(),
        };
        s.save_whatsapp_settings(&row).unwrap();
        row.settings = "{\"enabled\":true}".into();
        row.updated = 20;
        s.save_whatsapp_settings(&row).unwrap();
        let got = s.whatsapp_settings().unwrap().unwrap();
        assert_eq!(got.settings, row.settings);
        assert_eq!(got.token, Some(vec![1, 2, 3]));
        assert_eq!(got.app_secret, None);
        assert_eq!(got.updated, 20);
        assert!(
            !format!("{got:?}").contains("[1, 2, 3]"),
            "sealed bytes stay out of Debug"
        );
    }
}
