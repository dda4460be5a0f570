//! The application's services, shared by every front-end: storage, the routers, sessions and
//! login limiting, router secrets and the alert rule book. Front-ends (web, chat, metrics)
//! hold an `Arc<AppState>`; nothing here knows about HTTP or chat.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::alerts::rules::RuleBook;
use crate::auth::{LoginLimiter, Sessions};
use crate::routers::Hub;
use crate::secret::SecretBox;
use crate::storage::{Store, User};

/// Most password hashes computed at once (argon2 takes about 19 MiB and a core-second each),
/// so memory stays bounded whatever the login rate.
pub const MAX_HASHING: usize = 2;
/// Most logins waiting for a hashing slot; more are refused at once ([`LoginError::Busy`]).
pub const MAX_LOGIN_QUEUE: usize = 16;
/// Longest password accepted (longer ones are wrong without being hashed).
pub const MAX_PASSWORD: usize = 1024;

/// Why a login did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The name or the password is wrong (the same answer for both).
    #[error("wrong user name or password")]
    Wrong,
    /// Too many failures from this address (for this name); try again after the duration.
    #[error("too many failed logins; try again in {} s", .0.as_secs().max(1))]
    TooMany(Duration),
    /// Too many logins are being checked right now; try again in a moment.
    #[error("too many logins at once; try again in a moment")]
    Busy,
    /// Something failed on our side.
    #[error("{0}")]
    Internal(String),
}

/// Shared state of noc: what a page, a chat command or a metric reads, and the services
/// that change things.
#[non_exhaustive]
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// Routers and their pollers.
    pub hub: Arc<Hub>,
    /// Logged-in sessions.
    pub sessions: Sessions,
    /// Login rate limiting.
    pub limiter: LoginLimiter,
    /// Router password encryption.
    pub secrets: SecretBox,
    /// The alert rules from `noc.toml` and the signal that the rule set changed.
    pub rules: Arc<RuleBook>,
    /// Bearer token `/metrics` requires, if any.
    pub metrics_token: Option<String>,
    /// The embedded simulator's address, when one runs.
    pub embedded: Option<SocketAddr>,
    /// Whether cookies carry `Secure` (noc is reached over HTTPS).
    pub secure_cookies: bool,
    /// Whether `/metrics` may be read without a token or a session (noc listens on loopback
    /// only).
    pub open_metrics: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The WhatsApp webhook's hand-off: the web endpoint checks and queues, the WhatsApp
    /// chat channel answers.
    pub whatsapp: crate::alerts::whatsapp::Inbox,
    /// `[billing]` settings.
    pub billing: crate::billing::Settings,
    /// The WhatsApp settings in force (`noc.toml`, or saved on the Settings page) and the
    /// running WhatsApp delivery.
    pub whatsapp_control: crate::alerts::WhatsAppControl,
    /// Network health: devices, the ISP line, quotas, diagnose.
    pub health: Arc<crate::health::Health>,
    /// The language of the dashboard and the bot until a user or a chat chooses one
    /// (`language` in `noc.toml`).
    pub language: crate::i18n::Lang,
    dummy_hash: std::sync::OnceLock<String>,
    hashing: Semaphore,
    waiting: AtomicUsize,
    running: AtomicUsize,
    running_peak: AtomicUsize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("embedded", &self.embedded)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state.
    pub fn new(
        store: Arc<Store>,
        hub: Arc<Hub>,
        secrets: SecretBox,
        metrics_token: Option<String>,
        embedded: Option<SocketAddr>,
    ) -> AppState {
        let whatsapp_control = crate::alerts::WhatsAppControl::new(store.clone(), secrets.clone());
        let health = Arc::new(crate::health::Health::new(
            crate::health::Settings::default(),
            store.clone(),
            hub.clone(),
        ));
        AppState {
            sessions: Sessions::new(store.clone(), Duration::from_secs(12 * 3600)),
            store,
            hub,
            limiter: LoginLimiter::new(5, 20, Duration::from_secs(60)),
            secrets,
            rules: Arc::new(RuleBook::default()),
            metrics_token,
            embedded,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            open_metrics: true,
            whatsapp: crate::alerts::whatsapp::Inbox::default(),
            billing: crate::billing::Settings::default(),
            whatsapp_control,
            health,
            language: crate::i18n::Lang::default(),
            dummy_hash: std::sync::OnceLock::new(),
            hashing: Semaphore::new(MAX_HASHING),
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            running_peak: AtomicUsize::new(0),
        }
    }

    /// The connected routers' clients by id (what a billing run may change).
    pub fn clients(&self) -> std::collections::HashMap<i64, routeros_proto::Client> {
        self.hub
            .routers()
            .iter()
            .filter_map(|r| Some((r.id, r.client()?)))
            .collect()
    }

    /// Today in the billing zone.
    pub fn billing_today(&self) -> queue_model::clock::Date {
        self.billing.local_date(crate::now())
    }

    /// Runs `f` (an argon2 hash or verification) on the blocking pool once one of the
    /// [`MAX_HASHING`] slots is free; [`LoginError::Busy`] when [`MAX_LOGIN_QUEUE`] are waiting.
    pub async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, LoginError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_LOGIN_QUEUE {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(LoginError::Busy);
        }
        let permit = self.hashing.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|e| LoginError::Internal(e.to_string()))?;
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.running_peak.fetch_max(now, Ordering::SeqCst);
        let r = tokio::task::spawn_blocking(f).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        r.map_err(|e| LoginError::Internal(e.to_string()))
    }

    /// The most password hashes that have run at once since the start.
    pub fn hashing_peak(&self) -> usize {
        self.running_peak.load(Ordering::SeqCst)
    }

    /// Checks a login from `ip`: the limiter decides (and counts) first, then the password is
    /// verified in a bounded pool; unknown names cost as much as known ones. On success returns
    /// the new session's cookie value and the user.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        ip: IpAddr,
    ) -> Result<(String, User), LoginError> {
        let attempt = self
            .limiter
            .begin(ip, name, Instant::now())
            .map_err(LoginError::TooMany)?;
        let user = self
            .store
            .user_by_name(name)
            .map_err(|e| LoginError::Internal(e.to_string()))?;
        let hash = match &user {
            Some(u) => u.hash.clone(),
            None => self.dummy_hash(),
        };
        let ok = password.len() <= MAX_PASSWORD && {
            let password = password.to_owned();
            self.hashing(move || crate::auth::verify_password(&password, &hash))
                .await?
        };
        match (ok, user) {
            (true, Some(u)) => {
                self.limiter.succeeded(attempt);
                if let Err(e) = self.store.record_login(u.id, crate::now()) {
                    tracing::warn!("could not record a login: {e}");
                }
                let token = self
                    .sessions
                    .create(u.id)
                    .map_err(|e| LoginError::Internal(e.to_string()))?;
                Ok((token, u))
            }
            _ => Err(LoginError::Wrong),
        }
    }

    /// The client's address: the peer's, or — only when the peer is a trusted proxy — the
    /// last address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        forwarded_for
            .into_iter()
            .flat_map(|v| v.rsplit(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }

    /// Hashes a new password in the bounded pool.
    pub async fn hash_password(&self, password: &str) -> Result<String, crate::Error> {
        let password = password.to_owned();
        self.hashing(move || crate::auth::hash_password(&password))
            .await
            .map_err(|e| crate::Error::Secret(e.to_string()))?
    }

    /// A valid hash of no real password, verified for unknown user names so that timing does
    /// not tell them apart from known ones.
    pub fn dummy_hash(&self) -> String {
        self.dummy_hash
            .get_or_init(|| crate::auth::hash_password("timing-equaliser").unwrap_or_default())
            .clone()
    }
}

impl From<Arc<AppState>> for crate::alerts::Services {
    fn from(st: Arc<AppState>) -> Self {
        crate::alerts::Services {
            store: st.store.clone(),
            hub: st.hub.clone(),
            rules: st.rules.clone(),
            whatsapp: st.whatsapp_control.clone(),
            health: Some(st.health.clone()),
            language: st.language,
        }
    }
}

impl From<&Arc<AppState>> for crate::alerts::Services {
    fn from(st: &Arc<AppState>) -> Self {
        st.clone().into()
    }
}
