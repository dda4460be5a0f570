//! Who reads which language: a dashboard user's choice (`users.language`) and a chat's
//! (`chat_languages`, set with `/lang`).

use rusqlite::{params, OptionalExtension};

use super::{db, Store};
use crate::i18n::Lang;
use crate::Error;

impl Store {
    /// Sets (or, with `None`, forgets) the language a dashboard user chose.
    pub fn set_user_language(&self, user_id: i64, lang: Option<Lang>) -> Result<bool, Error> {
        Ok(self
            .c()
            .execute(
                "UPDATE users SET language = ?2 WHERE id = ?1",
                params![user_id, lang.map(Lang::code)],
            )
            .map_err(db)?
            > 0)
    }

    /// The language a chat chose with `/lang` (`chat` as the audit log names it:
    /// `telegram:-100123`, `whatsapp:+62812…`).
    pub fn chat_language(&self, chat: &str) -> Result<Option<Lang>, Error> {
        let code: Option<String> = self
            .c()
            .query_row(
                "SELECT language FROM chat_languages WHERE chat = ?1",
                [chat],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        Ok(code.as_deref().and_then(Lang::parse))
    }

    /// Records the language a chat chose.
    pub fn set_chat_language(&self, chat: &str, lang: Lang, now: i64) -> Result<(), Error> {
        self.c()
            .execute(
                "INSERT INTO chat_languages(chat, language, updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT(chat) DO UPDATE SET language = ?2, updated = ?3",
                params![chat, lang.code(), now],
            )
            .map_err(db)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_stored_per_user_and_per_chat() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = store
            .add_user("siti", "hash", crate::auth::Role::Operator)
            .unwrap();
        assert!(store.set_user_language(id, Some(Lang::Id)).unwrap());
        assert_eq!(
            store.user_by_id(id).unwrap().unwrap().language,
            Some(Lang::Id)
        );
        assert!(store.set_user_language(id, None).unwrap());
        assert_eq!(store.user_by_id(id).unwrap().unwrap().language, None);
        assert_eq!(store.chat_language("telegram:-100").unwrap(), None);
        store
            .set_chat_language("telegram:-100", Lang::Id, 1)
            .unwrap();
        store
            .set_chat_language("telegram:-100", Lang::En, 2)
            .unwrap();
        store
            .set_chat_language("whatsapp:+62811", Lang::Id, 3)
            .unwrap();
        assert_eq!(
            store.chat_language("telegram:-100").unwrap(),
            Some(Lang::En)
        );
        assert_eq!(
            store.chat_language("whatsapp:+62811").unwrap(),
            Some(Lang::Id)
        );
    }
}
