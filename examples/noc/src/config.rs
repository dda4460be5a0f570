//! `noc.toml`: the routers to manage and poller settings.
//!
//! ```toml
//! language = "id"        # the dashboard's and the bot's default: "en" or "id"
//! poll_interval_secs = 1
//!
//! [[router]]
//! name = "core"
//! address = "192.0.2.1"
//! port = 8729            # default 8728, or 8729 with tls
//! tls = true
//! fingerprint = "3f:a2:..." # SHA-256 of the router's certificate (pins it)
//! user = "noc"
//! password_env = "CORE_PASSWORD" # or password = "..."
//!
//! [whatsapp]             # optional; see alerts::whatsapp and the README
//! phone_number_id = "106540352242922"
//! verify_token = "a-long-random-string"
//!
//! [retention]            # days kept; these are the defaults
//! alerts_days = 90       # resolved alerts
//! activity_days = 30     # Layer 7 activity
//! audit_days = 400       # audit entries
//! ```

use std::str::FromStr;

use serde::Deserialize;

use crate::Error;

/// The whole file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FileConfig {
    /// The language of the dashboard and the bot until a user or a chat chooses one: `en`
    /// (default) or `id` (Bahasa Indonesia).
    #[serde(default)]
    pub language: Option<crate::i18n::Lang>,
    /// Seconds between polls (default 1).
    #[serde(default)]
    pub poll_interval_secs: Option<u64>,
    /// The routers.
    #[serde(default, rename = "router")]
    pub routers: Vec<RouterConfig>,
    /// Alert rules (see [`crate::alerts::rules`]); none means the defaults.
    #[serde(default, rename = "rule")]
    pub rules: Vec<crate::alerts::RuleConfig>,
    /// Telegram bot and alert chats (see [`crate::alerts::TelegramConfig`]).
    #[serde(default)]
    pub telegram: Option<crate::alerts::TelegramConfig>,
    /// Hotspot sales and summaries (`[hotspot]`, see [`crate::routers::hotspot::Settings`]).
    #[serde(default)]
    pub hotspot: crate::routers::hotspot::Settings,
    /// WhatsApp alerts and commands (see [`crate::alerts::whatsapp`]).
    #[serde(default)]
    pub whatsapp: Option<crate::alerts::WhatsAppConfig>,
    /// How long alerts, Layer 7 activity and audit entries are kept (`[retention]`).
    #[serde(default)]
    pub retention: crate::storage::Retention,
    /// PPPoE billing (`[billing]`, see [`crate::billing::Settings`]).
    #[serde(default)]
    pub billing: crate::billing::Settings,
    /// Network health (`[health]`, see [`crate::health::Settings`]).
    #[serde(default)]
    pub health: crate::health::Settings,
}

/// One router entry.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RouterConfig {
    /// Display name (unique).
    pub name: String,
    /// Host name or address.
    pub address: String,
    /// API port (8728, or 8729 with TLS).
    #[serde(default)]
    pub port: Option<u16>,
    /// Use api-ssl.
    #[serde(default)]
    pub tls: bool,
    /// Pinned SHA-256 certificate fingerprint (hex, colons allowed).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// API user.
    pub user: String,
    /// Password, inline.
    #[serde(default)]
    pub password: Option<String>,
    /// Password from this environment variable.
    #[serde(default)]
    pub password_env: Option<String>,
}

impl std::fmt::Debug for RouterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterConfig")
            .field("name", &self.name)
            .field("address", &self.address)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl RouterConfig {
    /// The password, read from the environment when `password_env` is set.
    pub fn resolve_password(&self) -> Result<String, Error> {
        if let Some(var) = &self.password_env {
            return std::env::var(var).map_err(|_| {
                Error::Config(format!(
                    "router {:?}: environment variable {var} is not set",
                    self.name
                ))
            });
        }
        Ok(self.password.clone().unwrap_or_default())
    }

    /// The port, defaulted from `tls`.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(if self.tls { 8729 } else { 8728 })
    }
}

impl FromStr for FileConfig {
    type Err = Error;
    fn from_str(s: &str) -> Result<FileConfig, Error> {
        let mut c: FileConfig = toml::from_str(s).map_err(|e| Error::Config(e.to_string()))?;
        c.billing.operators_language = c.language.unwrap_or_default();
        let mut names = std::collections::HashSet::new();
        for r in &c.routers {
            if r.name.trim().is_empty() || r.address.trim().is_empty() {
                return Err(Error::Config(
                    "every router needs a name and an address".into(),
                ));
            }
            if !names.insert(r.name.as_str()) {
                return Err(Error::Config(format!(
                    "router name {:?} is used twice",
                    r.name
                )));
            }
            if let Some(fp) = &r.fingerprint {
                fp.parse::<routeros_proto::client::Fingerprint>()
                    .map_err(|e| Error::Config(format!("router {:?}: fingerprint: {e}", r.name)))?;
            }
            if r.password.is_some() && r.password_env.is_some() {
                return Err(Error::Config(format!(
                    "router {:?}: give password or password_env, not both",
                    r.name
                )));
            }
        }
        crate::alerts::rules::validate(&c.rules)?;
        if let Some(t) = &c.telegram {
            t.validate()?;
        }
        if let Some(w) = &c.whatsapp {
            w.validate()?;
        }
        if c.poll_interval_secs == Some(0) {
            return Err(Error::Config(
                "poll_interval_secs must be at least 1".into(),
            ));
        }
        c.billing.validate()?;
        c.health.validate()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routers_and_rejects_mistakes() {
        let c: FileConfig = "poll_interval_secs = 2\n[[router]]\nname='a'\naddress='192.0.2.1'\nuser='u'\npassword='p'\ntls=true\n"
            .parse()
            .unwrap();
        assert_eq!(c.routers[0].port(), 8729);
        assert_eq!(c.routers[0].resolve_password().unwrap(), "p");
        assert!(!format!("{:?}", c.routers[0]).contains("\"p\""));
        assert!("[[router]]\nname='a'\naddress='x'\nuser='u'\n[[router]]\nname='a'\naddress='y'\nuser='u'\n"
            .parse::<FileConfig>()
            .is_err());
        assert!("colour = 'blue'".parse::<FileConfig>().is_err());
        assert!(
            "[[router]]\nname='a'\naddress='x'\nuser='u'\nfingerprint='zz'\n"
                .parse::<FileConfig>()
                .is_err()
        );
    }
}
