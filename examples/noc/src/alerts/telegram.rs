//! The `[telegram]` section of `noc.toml`.
//!
//! ```toml
//! [telegram]
//! token_env = "TELEGRAM_BOT_TOKEN"   # the default; or token = "123:ABC..."
//! utc_offset = "+07:00"              # local time: quiet hours, times in chat (default UTC)
//!
//! [[telegram.chat]]
//! id = -1001234567890                # a group of admins
//! role = "read-only"                 # what its members may do (default read-only)
//! alerts = true                      # receives alerts of rules without `chats` (default)
//! quiet = "22:00-07:00"              # non-critical alerts arrive silently then
//! language = "id"                    # the bot answers it in Bahasa Indonesia until
//!                                    # someone there sends /lang (default: noc's language)
//!
//! [[telegram.user]]
//! id = 123456789                     # a person, in any chat
//! role = "admin"                     # may /limit, /enable, /disable
//! ```

use serde::Deserialize;

use crate::alerts::rules::{parse_utc_offset, QuietHours};
use crate::auth::Role;
use crate::i18n::Lang;
use crate::Error;

/// `[telegram]`.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TelegramConfig {
    /// The bot token, inline.
    #[serde(default)]
    pub token: Option<String>,
    /// The environment variable holding the token (default `TELEGRAM_BOT_TOKEN`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Bot API base URL (default `https://api.telegram.org`; a local Bot API server or a
    /// test double otherwise).
    #[serde(default)]
    pub api_url: Option<String>,
    /// Local time offset for quiet hours and the times chat replies show (`+07:00`).
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// Allowed chats.
    #[serde(default, rename = "chat")]
    pub chats: Vec<ChatConfig>,
    /// Allowed users.
    #[serde(default, rename = "user")]
    pub users: Vec<UserConfig>,
}

impl std::fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_env", &self.token_env)
            .field("api_url", &self.api_url)
            .field("chats", &self.chats)
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

/// `[[telegram.chat]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChatConfig {
    /// Chat id (negative for groups).
    pub id: i64,
    /// Role of its members: `admin` or `read-only` (default).
    #[serde(default)]
    pub role: Option<String>,
    /// Whether it receives alerts of rules that name no chats (default true).
    #[serde(default = "yes")]
    pub alerts: bool,
    /// Quiet hours: non-critical alerts are sent without sound.
    #[serde(default)]
    pub quiet: Option<QuietHours>,
    /// The language the bot answers in until the chat chooses one with `/lang` (default:
    /// noc's `language`).
    #[serde(default)]
    pub language: Option<Lang>,
}

fn yes() -> bool {
    true
}

/// `[[telegram.user]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UserConfig {
    /// Telegram user id.
    pub id: i64,
    /// `admin` or `read-only` (default).
    #[serde(default)]
    pub role: Option<String>,
}

fn role(s: &Option<String>) -> Result<Role, Error> {
    match s {
        None => Ok(Role::ReadOnly),
        Some(r) => r.parse(),
    }
}

impl TelegramConfig {
    /// A config with a token and nothing else.
    pub fn with_token(token: impl Into<String>) -> TelegramConfig {
        TelegramConfig {
            token: Some(token.into()),
            ..TelegramConfig::default()
        }
    }

    /// Adds a chat (members get `role`; it receives alerts).
    pub fn chat(&mut self, id: i64, role: Role) -> &mut Self {
        self.chats.push(ChatConfig {
            id,
            role: Some(role.as_str().to_owned()),
            alerts: true,
            quiet: None,
            language: None,
        });
        self
    }

    /// Adds a user with `role`.
    pub fn user(&mut self, id: i64, role: Role) -> &mut Self {
        self.users.push(UserConfig {
            id,
            role: Some(role.as_str().to_owned()),
        });
        self
    }

    /// Sets the Bot API URL.
    pub fn api_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.api_url = Some(url.into());
        self
    }

    /// The token from the file or the environment, if any.
    pub fn resolve_token(&self) -> Option<String> {
        if let Some(t) = self.token.as_ref().filter(|t| !t.trim().is_empty()) {
            return Some(t.trim().to_owned());
        }
        let var = self.token_env.as_deref().unwrap_or("TELEGRAM_BOT_TOKEN");
        std::env::var(var).ok().filter(|t| !t.trim().is_empty())
    }

    /// Local time offset in minutes.
    pub fn offset_minutes(&self) -> i32 {
        self.utc_offset
            .as_deref()
            .and_then(|s| parse_utc_offset(s).ok())
            .unwrap_or(0)
    }

    /// Checks roles, offsets and duplicate ids.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(o) = &self.utc_offset {
            parse_utc_offset(o).map_err(|e| Error::Config(format!("telegram.utc_offset: {e}")))?;
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.chats {
            role(&c.role).map_err(|e| Error::Config(format!("telegram chat {}: {e}", c.id)))?;
            if !seen.insert(("chat", c.id)) {
                return Err(Error::Config(format!(
                    "telegram chat {} is listed twice",
                    c.id
                )));
            }
        }
        for u in &self.users {
            role(&u.role).map_err(|e| Error::Config(format!("telegram user {}: {e}", u.id)))?;
            if !seen.insert(("user", u.id)) {
                return Err(Error::Config(format!(
                    "telegram user {} is listed twice",
                    u.id
                )));
            }
        }
        Ok(())
    }

    /// The role of `user` writing in `chat`: the user's own entry wins, then the chat's;
    /// `None` for strangers.
    pub fn role_of(&self, chat: i64, user: Option<i64>) -> Option<Role> {
        if let Some(u) = user.and_then(|u| self.users.iter().find(|x| x.id == u)) {
            return role(&u.role).ok();
        }
        self.chats
            .iter()
            .find(|c| c.id == chat)
            .and_then(|c| role(&c.role).ok())
    }

    /// The language configured for `chat` (`language` in its `[[telegram.chat]]`).
    pub fn language_of(&self, chat: i64) -> Option<Lang> {
        self.chats
            .iter()
            .find(|c| c.id == chat)
            .and_then(|c| c.language)
    }

    /// Chats receiving alerts of rules that name none.
    pub fn alert_chats(&self) -> Vec<i64> {
        self.chats
            .iter()
            .filter(|c| c.alerts)
            .map(|c| c.id)
            .collect()
    }

    /// Whether `chat` is in its quiet hours at `now`.
    pub fn is_quiet(&self, chat: i64, now: i64) -> bool {
        let offset = self.offset_minutes();
        self.chats
            .iter()
            .find(|c| c.id == chat)
            .and_then(|c| c.quiet)
            .is_some_and(|q| q.contains_at(now, offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_chats_and_quiet_hours() {
        let c: TelegramConfig = toml::from_str(
            "token='1:x'\nutc_offset='+07:00'\n[[chat]]\nid=-100\nquiet='22:00-07:00'\n[[chat]]\nid=-200\nalerts=false\nrole='admin'\n[[user]]\nid=5\nrole='admin'\n",
        )
        .unwrap();
        c.validate().unwrap();
        assert!(!format!("{c:?}").contains("1:x"));
        assert_eq!(c.role_of(-100, Some(9)), Some(Role::ReadOnly));
        assert_eq!(c.role_of(-100, Some(5)), Some(Role::Admin));
        assert_eq!(c.role_of(77, Some(5)), Some(Role::Admin));
        assert_eq!(c.role_of(77, Some(9)), None);
        assert_eq!(c.alert_chats(), vec![-100]);
        // 16:00 UTC = 23:00 at +07:00
        assert!(c.is_quiet(-100, 16 * 3600));
        assert!(!c.is_quiet(-100, 6 * 3600));
        assert!(!c.is_quiet(-200, 16 * 3600));
        let bad: TelegramConfig = toml::from_str("[[user]]\nid=5\nrole='boss'\n").unwrap();
        assert!(bad.validate().is_err());
        assert!(toml::from_str::<TelegramConfig>("[[chat]]\nid=1\nquiet='late'\n").is_err());
        let c: TelegramConfig =
            toml::from_str("[[chat]]\nid=-1\nlanguage='id'\n[[chat]]\nid=-2\n").unwrap();
        assert_eq!(c.language_of(-1), Some(Lang::Id));
        assert_eq!(c.language_of(-2), None);
        assert!(toml::from_str::<TelegramConfig>("[[chat]]\nid=1\nlanguage='fr'\n").is_err());
    }
}
