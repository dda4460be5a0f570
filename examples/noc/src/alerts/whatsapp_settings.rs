//! WhatsApp settings edited in the dashboard, and the control that applies them without a
//! restart.
//!
//! `[whatsapp]` in `noc.toml` gives the defaults. Once settings are saved on the Settings page
//! they replace the file's (the file's `token_env`, `app_secret_env` and `gateway` are
//! kept); the access token and the app secret come from the environment as before, or from
//! the page, sealed with the data dir's key ([`crate::secret`]) and never shown back.
//!
//! [`WhatsAppControl`] holds the settings in force and the running [`WhatsApp`] delivery: a
//! save signals the monitor, which stops the old outbox (queued messages stay in
//! `whatsapp.db`) and starts one with the new settings; the WhatsApp chat channel follows
//! the running delivery (see `chat::whatsapp`).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use wa_notify::PhoneNumber;

use super::rules::{parse_utc_offset, QuietHours};
use super::whatsapp::{RecipientConfig, WhatsApp, WhatsAppConfig};
use crate::auth::Role;
use crate::i18n::Lang;
use crate::secret::SecretBox;
use crate::storage::{Store, StoredWhatsApp};
use crate::tr;
use crate::Error;

/// The settings the page shows and edits (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct WhatsAppSettings {
    /// Whether WhatsApp alerts and commands are on.
    pub enabled: bool,
    /// The business phone number's id (not the number).
    pub phone_number_id: String,
    /// Graph API base URL (empty: `https://graph.facebook.com`).
    pub api_url: String,
    /// The webhook verify token.
    pub verify_token: String,
    /// The approved alert template (empty: none).
    pub template: String,
    /// The template's language code.
    pub language: String,
    /// Local time for quiet hours (`+07:00`; empty: UTC).
    pub utc_offset: String,
    /// Allowed numbers.
    pub recipients: Vec<RecipientSetting>,
}

/// One allowed number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct RecipientSetting {
    /// The number, international (`+62 812 ...`).
    pub number: String,
    /// `admin`, `operator` or `read-only`.
    pub role: String,
    /// Quiet hours (`22:00-07:00`; empty: none).
    pub quiet: String,
    /// Whether it receives alerts.
    pub alerts: bool,
}

impl RecipientSetting {
    /// A recipient.
    pub fn new(number: &str, role: &str, quiet: &str, alerts: bool) -> Self {
        RecipientSetting {
            number: number.to_owned(),
            role: role.to_owned(),
            quiet: quiet.to_owned(),
            alerts,
        }
    }
}

fn quiet_text(q: QuietHours) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        q.start / 60,
        q.start % 60,
        q.end / 60,
        q.end % 60
    )
}

impl WhatsAppSettings {
    /// The settings `noc.toml` gives (`None`: no `[whatsapp]`, so off).
    pub fn from_config(c: Option<&WhatsAppConfig>) -> WhatsAppSettings {
        let Some(c) = c else {
            return WhatsAppSettings {
                language: "en_US".into(),
                ..WhatsAppSettings::default()
            };
        };
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        WhatsAppSettings {
            enabled: true,
            phone_number_id: s(&c.phone_number_id),
            api_url: s(&c.api_url),
            verify_token: s(&c.verify_token),
            template: s(&c.template),
            language: c.language.clone().unwrap_or_else(|| "en_US".into()),
            utc_offset: s(&c.utc_offset),
            recipients: c
                .recipients
                .iter()
                .map(|r| RecipientSetting {
                    number: r.number.clone(),
                    role: r
                        .role
                        .clone()
                        .unwrap_or_else(|| Role::ReadOnly.as_str().into()),
                    quiet: r.quiet.map(quiet_text).unwrap_or_default(),
                    alerts: r.alerts,
                })
                .collect(),
        }
    }

    /// Problems per field (`phone_number_id`, `api_url`, `verify_token`, `template`,
    /// `language`, `utc_offset`, and `recipient.N.number` / `.role` / `.quiet` for the Nth
    /// recipient); empty when the settings can be saved. `gateway`: `noc.toml` sends through
    /// an unofficial gateway, so no phone number id is needed.
    pub fn check(&self, gateway: bool) -> BTreeMap<String, String> {
        self.check_in(gateway, Lang::En)
    }

    /// [`check`](Self::check) with the problems written in `lang`.
    pub fn check_in(&self, gateway: bool, lang: Lang) -> BTreeMap<String, String> {
        let mut e = BTreeMap::new();
        let mut err = |k: &str, m: String| {
            e.entry(k.to_owned()).or_insert(m);
        };
        let id = self.phone_number_id.trim();
        if id.is_empty() {
            if self.enabled && !gateway {
                err("phone_number_id", tr!(lang, "settings-err-id-needed"));
            }
        } else if id.len() > 32 || !id.bytes().all(|b| b.is_ascii_digit()) {
            err("phone_number_id", tr!(lang, "settings-err-id-digits"));
        }
        let url = self.api_url.trim();
        if !url.is_empty() {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 200
                && !url.chars().any(char::is_whitespace);
            if !ok {
                err("api_url", tr!(lang, "settings-err-api-url"));
            }
        }
        let verify = self.verify_token.trim();
        if verify.len() > 200 || verify.chars().any(|c| c.is_whitespace() || c.is_control()) {
            err("verify_token", tr!(lang, "settings-err-verify-token"));
        }
        let template = self.template.trim();
        if template.len() > 512
            || !template
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            err("template", tr!(lang, "settings-err-template"));
        }
        let code = self.language.trim();
        if !code.is_empty()
            && (code.len() > 10 || !code.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_'))
        {
            err("language", tr!(lang, "settings-err-language"));
        }
        let offset = self.utc_offset.trim();
        if !offset.is_empty() && parse_utc_offset(offset).is_err() {
            err(
                "utc_offset",
                tr!(
                    lang,
                    "settings-err-utc-offset",
                    value = format!("{offset:?}")
                ),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, r) in self.recipients.iter().enumerate() {
            let key = |f: &str| format!("recipient.{i}.{f}");
            match r.number.trim().parse::<PhoneNumber>() {
                Ok(n) => {
                    if !seen.insert(n.as_str().to_owned()) {
                        err(&key("number"), tr!(lang, "settings-err-number-twice"));
                    }
                }
                Err(_) => err(&key("number"), tr!(lang, "settings-err-number")),
            }
            if r.role.trim().parse::<Role>().is_err() {
                err(&key("role"), tr!(lang, "settings-err-role"));
            }
            if !r.quiet.trim().is_empty() && r.quiet.trim().parse::<QuietHours>().is_err() {
                err(&key("quiet"), tr!(lang, "settings-err-quiet"));
            }
        }
        e
    }

    /// The configuration these settings give, on top of `file` (its `token_env`,
    /// `app_secret_env` and gateway are kept). Call [`check`](Self::check) first.
    pub fn to_config(&self, file: Option<&WhatsAppConfig>) -> WhatsAppConfig {
        let mut c = file.cloned().unwrap_or_default();
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        c.phone_number_id = opt(&self.phone_number_id);
        c.api_url = opt(&self.api_url);
        c.verify_token = opt(&self.verify_token);
        c.template = opt(&self.template);
        c.language = opt(&self.language);
        c.utc_offset = opt(&self.utc_offset);
        c.recipients = self
            .recipients
            .iter()
            .map(|r| RecipientConfig {
                number: r.number.trim().to_owned(),
                role: Some(r.role.trim().to_owned()),
                alerts: r.alerts,
                quiet: r.quiet.trim().parse().ok(),
            })
            .collect();
        c
    }

    /// What changed from `self` to `new`, one line per setting (`template: "" → "noc_alert"`).
    pub fn changes(&self, new: &WhatsAppSettings) -> Vec<String> {
        let mut out = Vec::new();
        if self.enabled != new.enabled {
            out.push(format!("enabled: {} → {}", self.enabled, new.enabled));
        }
        for (k, a, b) in [
            (
                "phone_number_id",
                &self.phone_number_id,
                &new.phone_number_id,
            ),
            ("api_url", &self.api_url, &new.api_url),
            ("verify_token", &self.verify_token, &new.verify_token),
            ("template", &self.template, &new.template),
            ("language", &self.language, &new.language),
            ("utc_offset", &self.utc_offset, &new.utc_offset),
        ] {
            if a != b {
                out.push(format!("{k}: {a:?} → {b:?}"));
            }
        }
        if self.recipients != new.recipients {
            let list = |rs: &[RecipientSetting]| {
                rs.iter()
                    .map(|r| {
                        let mut s = format!("{} {}", r.number, r.role);
                        if !r.quiet.is_empty() {
                            s.push_str(&format!(" quiet {}", r.quiet));
                        }
                        if !r.alerts {
                            s.push_str(" no alerts");
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            out.push(format!(
                "recipients: [{}] → [{}]",
                list(&self.recipients),
                list(&new.recipients)
            ));
        }
        out
    }
}

/// A secret on the Settings page: kept as it is, replaced, or removed.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum SecretEdit {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Store this value (sealed).
    Set(String),
    /// Remove the value stored on the page (the environment's is used again).
    Clear,
}

impl std::fmt::Debug for SecretEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretEdit::Keep => "Keep",
            SecretEdit::Set(_) => "Set(<redacted>)",
            SecretEdit::Clear => "Clear",
        })
    }
}

/// Where a secret comes from (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum SecretSource {
    /// Entered on the Settings page.
    Page,
    /// From this environment variable.
    Env(String),
    /// Not set.
    Unset,
}

impl SecretSource {
    /// For people: `set on this page`, `set (from WHATSAPP_TOKEN)`, `not set`.
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// [`describe`](Self::describe) in `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        match self {
            SecretSource::Page => tr!(lang, "settings-secret-page"),
            SecretSource::Env(v) => tr!(lang, "settings-secret-env", variable = v),
            SecretSource::Unset => tr!(lang, "settings-secret-unset"),
        }
    }
}

/// The settings in force and the running delivery; cheap to clone, shared by the monitor,
/// the chat channel and the web.
#[derive(Clone)]
pub struct WhatsAppControl {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    secrets: SecretBox,
    file: RwLock<Option<WhatsAppConfig>>,
    running: RwLock<Option<Arc<WhatsApp>>>,
    changed: watch::Sender<u64>,
    started: watch::Sender<u64>,
}

impl std::fmt::Debug for WhatsAppControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppControl")
            .field("running", &self.running().is_some())
            .finish_non_exhaustive()
    }
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn env_set(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| !v.trim().is_empty())
}

impl WhatsAppControl {
    /// A control over `store` (the saved settings) and `secrets` (their sealing key).
    pub fn new(store: Arc<Store>, secrets: SecretBox) -> WhatsAppControl {
        WhatsAppControl {
            inner: Arc::new(Inner {
                store,
                secrets,
                file: RwLock::new(None),
                running: RwLock::new(None),
                changed: watch::channel(0).0,
                started: watch::channel(0).0,
            }),
        }
    }

    /// Sets the defaults (`[whatsapp]` of `noc.toml`).
    pub fn set_file(&self, file: Option<WhatsAppConfig>) {
        *self.inner.file.write().unwrap_or_else(|p| p.into_inner()) = file;
    }

    /// The defaults from `noc.toml`.
    pub fn file(&self) -> Option<WhatsAppConfig> {
        read(&self.inner.file)
    }

    /// The saved settings row, if settings were saved.
    pub fn saved(&self) -> Result<Option<StoredWhatsApp>, Error> {
        self.inner.store.whatsapp_settings()
    }

    /// The settings in force: the saved ones, or the file's.
    pub fn settings(&self) -> Result<WhatsAppSettings, Error> {
        match self.saved()? {
            Some(s) => serde_json::from_str(&s.settings)
                .map_err(|e| Error::Database(format!("saved WhatsApp settings: {e}"))),
            None => Ok(WhatsAppSettings::from_config(self.file().as_ref())),
        }
    }

    /// Where the access token and the app secret come from.
    pub fn secret_sources(&self) -> Result<(SecretSource, SecretSource), Error> {
        let saved = self.saved()?.unwrap_or_default();
        let file = self.file().unwrap_or_default();
        let source = |on_page: bool, var: Option<&str>, default: &str| {
            let var = var.unwrap_or(default);
            if on_page {
                SecretSource::Page
            } else if env_set(var) {
                SecretSource::Env(var.to_owned())
            } else {
                SecretSource::Unset
            }
        };
        Ok((
            source(
                saved.token.is_some(),
                file.token_env.as_deref(),
                "WHATSAPP_TOKEN",
            ),
            source(
                saved.app_secret.is_some(),
                file.app_secret_env.as_deref(),
                "WHATSAPP_APP_SECRET",
            ),
        ))
    }

    /// The configuration to run with: `None` when WhatsApp is off (not configured, or
    /// disabled on the page). Secrets saved on the page take the place of the environment's.
    pub fn effective(&self) -> Result<Option<WhatsAppConfig>, Error> {
        let file = self.file();
        let Some(saved) = self.saved()? else {
            return Ok(file);
        };
        let settings = self.settings()?;
        if !settings.enabled {
            return Ok(None);
        }
        let mut c = settings.to_config(file.as_ref());
        let open = |b: &Option<Vec<u8>>| -> Result<Option<String>, Error> {
            b.as_ref().map(|b| self.inner.secrets.open(b)).transpose()
        };
        c.set_secrets(open(&saved.token)?, open(&saved.app_secret)?);
        Ok(Some(c))
    }

    /// Saves `new` (checked by the caller) and the secret edits, writes the audit entry
    /// (old → new values, never secrets) and signals the monitor. Returns the changes.
    pub fn save(
        &self,
        user: &str,
        new: &WhatsAppSettings,
        token: SecretEdit,
        app_secret: SecretEdit,
    ) -> Result<Vec<String>, Error> {
        let old = self.settings()?;
        let saved = self.saved()?.unwrap_or_default();
        let mut changes = old.changes(new);
        let seal = |edit: &SecretEdit,
                    now: Option<Vec<u8>>,
                    what: &str,
                    changes: &mut Vec<String>|
         -> Result<Option<Vec<u8>>, Error> {
            Ok(match edit {
                SecretEdit::Keep => now,
                SecretEdit::Set(v) => {
                    changes.push(format!("{what}: replaced on the page"));
                    Some(self.inner.secrets.seal(v)?)
                }
                SecretEdit::Clear => {
                    if now.is_some() {
                        changes.push(format!("{what}: removed from the page"));
                    }
                    None
                }
            })
        };
        let row = StoredWhatsApp {
            settings: serde_json::to_string(new)
                .map_err(|e| Error::Database(format!("WhatsApp settings: {e}")))?,
            token: seal(&token, saved.token, "access token", &mut changes)?,
            app_secret: seal(&app_secret, saved.app_secret, "app secret", &mut changes)?,
            updated: crate::now(),
            updated_by: user.to_owned(),
        };
        self.inner.store.save_whatsapp_settings(&row)?;
        let detail = if changes.is_empty() {
            "saved without changes".to_owned()
        } else {
            changes.join("\n")
        };
        self.inner
            .store
            .audit(user, None, "whatsapp.settings", &detail, true)?;
        self.inner.changed.send_modify(|n| *n = n.wrapping_add(1));
        Ok(changes)
    }

    /// The running delivery, if WhatsApp is on.
    pub fn running(&self) -> Option<Arc<WhatsApp>> {
        read(&self.inner.running)
    }

    /// Replaces the running delivery (the monitor does this) and tells the chat channel.
    pub fn set_running(&self, wa: Option<Arc<WhatsApp>>) {
        *self
            .inner
            .running
            .write()
            .unwrap_or_else(|p| p.into_inner()) = wa;
        self.inner.started.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Takes the running delivery out (to stop it).
    pub fn take_running(&self) -> Option<Arc<WhatsApp>> {
        self.inner
            .running
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Whether a monitor applies saved settings (otherwise they wait for the next start).
    pub fn is_followed(&self) -> bool {
        self.inner.changed.receiver_count() > 0
    }

    /// Changes of the saved settings (the monitor restarts delivery on each).
    pub fn subscribe_changes(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// Changes of the running delivery (the chat channel follows them).
    pub fn subscribe_started(&self) -> watch::Receiver<u64> {
        self.inner.started.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> WhatsAppSettings {
        WhatsAppSettings {
            enabled: true,
            phone_number_id: "106540352242922".into(),
            api_url: String::new(),
            verify_token: "verify-me".into(),
            template: "noc_alert".into(),
            language: "id".into(),
            utc_offset: "+07:00".into(),
            recipients: vec![RecipientSetting::new(
                "+62 812 3456 7890",
                "admin",
                "22:00-07:00",
                true,
            )],
        }
    }

    #[test]
    fn checks_name_the_field_and_settings_round_trip_through_the_config() {
        assert!(good().check(false).is_empty(), "{:?}", good().check(false));
        let mut bad = good();
        bad.phone_number_id = "+62 812".into();
        bad.api_url = "graph.facebook.com".into();
        bad.template = "Noc Alert".into();
        bad.utc_offset = "WIB".into();
        bad.recipients
            .push(RecipientSetting::new("0812", "boss", "late", true));
        bad.recipients
            .push(RecipientSetting::new("+6281234567890", "admin", "", true));
        let e = bad.check(false);
        for k in [
            "phone_number_id",
            "api_url",
            "template",
            "utc_offset",
            "recipient.1.number",
            "recipient.1.role",
            "recipient.1.quiet",
            "recipient.2.number",
        ] {
            assert!(e.contains_key(k), "{k}: {e:?}");
        }
        let off = WhatsAppSettings {
            enabled: false,
            phone_number_id: String::new(),
            ..good()
        };
        assert!(off.check(false).is_empty());
        let c = good().to_config(None);
        c.validate().unwrap();
        assert_eq!(WhatsAppSettings::from_config(Some(&c)), good());
        let mut changed = good();
        changed.template = "other".into();
        let lines = good().changes(&changed);
        assert_eq!(lines, ["template: \"noc_alert\" → \"other\""]);
    }
}
