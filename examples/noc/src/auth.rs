//! Passwords (argon2), sessions, CSRF tokens, roles and login rate limiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::Error;

/// What a user may do. Checked on the server for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Role {
    /// Everything, including changes on routers and managing users.
    Admin,
    /// Sells: generates hotspot vouchers, prints them, ends sessions, records payments; may
    /// not change queues, routers or users.
    Operator,
    /// Looking only.
    ReadOnly,
}

impl Role {
    /// `admin` or `read-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::ReadOnly => "read-only",
        }
    }
}

impl Role {
    /// Whether this role may sell (generate vouchers, end sessions, record payments).
    pub fn can_sell(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role, Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "operator" | "seller" => Ok(Role::Operator),
            "read-only" | "readonly" | "viewer" => Ok(Role::ReadOnly),
            _ => Err(Error::BadInput(format!(
                "unknown role {s:?} (admin, operator or read-only)"
            ))),
        }
    }
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Secret(format!("hashing failed: {e}")))
}

/// Checks a password against a PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random token of 32 bytes, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A readable random password (for the first admin).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect()
}

/// Constant-time string comparison (CSRF tokens).
pub fn token_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A logged-in user's session.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Session {
    /// User row id.
    pub user_id: i64,
    /// User name.
    pub user: String,
    /// Role (read from the database on every request).
    pub role: Role,
    /// The CSRF token every state-changing request must carry.
    pub csrf: String,
    /// Digest of the cookie value (the session's key in the database).
    #[serde(skip)]
    pub key: String,
    /// The language the user chose, if any.
    pub language: Option<crate::i18n::Lang>,
    /// The language pages are shown in: the user's choice, else the browser's, else noc's
    /// default (set by the web layer for each request).
    pub lang: crate::i18n::Lang,
}

/// Most live sessions one user may have; a new login past it ends that user's oldest
/// session, never another user's.
pub const MAX_SESSIONS_PER_USER: usize = 20;

/// Sessions stored in SQLite, keyed by the SHA-256 of the cookie value: they survive a
/// restart, expire after `ttl` without use, and are revocable per user.
#[derive(Debug)]
pub struct Sessions {
    store: std::sync::Arc<crate::storage::Store>,
    ttl: Duration,
}

/// The database key of a cookie value.
pub fn session_key(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl Sessions {
    /// Sessions in `store` that last `ttl` (renewed on use).
    pub fn new(store: std::sync::Arc<crate::storage::Store>, ttl: Duration) -> Sessions {
        Sessions { store, ttl }
    }

    fn ttl_secs(&self) -> i64 {
        i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)
    }

    /// Creates a session; returns the cookie value.
    pub fn create(&self, user_id: i64) -> Result<String, Error> {
        let token = random_token();
        let now = crate::now();
        self.store.session_insert(
            &session_key(&token),
            user_id,
            &random_token(),
            now,
            now.saturating_add(self.ttl_secs()),
            MAX_SESSIONS_PER_USER,
        )?;
        Ok(token)
    }

    /// The session for a cookie value, renewed (at most once a minute, to spare writes).
    pub fn get(&self, token: &str) -> Option<Session> {
        let key = session_key(token);
        let now = crate::now();
        let row = self.store.session_get(&key, now).ok()??;
        let fresh = now.saturating_add(self.ttl_secs());
        if fresh - row.expires >= 60 {
            let _ = self.store.session_renew(&key, fresh);
        }
        Some(Session {
            user_id: row.user_id,
            user: row.user,
            role: row.role,
            csrf: row.csrf,
            key,
            language: row.language,
            lang: row.language.unwrap_or_default(),
        })
    }

    /// Ends a session.
    pub fn remove(&self, token: &str) {
        let _ = self.store.session_delete(&session_key(token));
    }

    /// Ends every session of a user (deleted, or password changed by an admin).
    pub fn remove_user(&self, user_id: i64) {
        let _ = self.store.session_delete_user(user_id, None);
    }

    /// Ends every session of a user but `keep` (the user changed their own password).
    pub fn remove_others(&self, user_id: i64, keep: &Session) {
        let _ = self.store.session_delete_user(user_id, Some(&keep.key));
    }

    /// Deletes expired sessions.
    pub fn prune(&self) -> Result<usize, Error> {
        self.store.session_prune(crate::now())
    }
}

/// Login rate limiting without a lockout anyone can trigger: failures are counted per (user
/// name, client address) and per client address, never per user alone, so someone guessing
/// from one place cannot lock the real user out from another, and one address guessing many
/// names is stopped too. A key that reaches its limit is blocked for `window`, doubling with
/// each further block (at most 64 windows); a success clears its (user, address) key.
///
/// [`begin`](Self::begin) decides and counts in one step, before the password is verified:
/// every attempt is counted as a failure until [`succeeded`](Self::succeeded) refunds it, so
/// simultaneous guesses cannot all slip past the check. Bounded in size.
#[derive(Debug)]
pub struct LoginLimiter {
    map: Mutex<HashMap<String, Strikes>>,
    per_user_address: u32,
    per_address: u32,
    window: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Strikes {
    failures: u32,
    since: Instant,
    blocked_until: Option<Instant>,
    blocks: u32,
}

/// Most distinct keys tracked by the limiter.
const LIMITER_CAP: usize = 100_000;

/// A login attempt admitted by [`LoginLimiter::begin`].
#[derive(Debug)]
#[must_use = "report the outcome with succeeded(); dropping it leaves the failure counted"]
pub struct Attempt {
    keys: [String; 2],
}

impl LoginLimiter {
    /// A limiter allowing `per_user_address` failures per (user, address) and
    /// `per_address` per address within `window`.
    pub fn new(per_user_address: u32, per_address: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            map: Mutex::new(HashMap::new()),
            per_user_address: per_user_address.max(1),
            per_address: per_address.max(1),
            window,
        }
    }

    fn keys(ip: IpAddr, user: &str) -> [String; 2] {
        [
            format!("ua:{}\u{0}{ip}", user.to_lowercase()),
            format!("a:{ip}"),
        ]
    }

    /// Admits an attempt (counting it as a failure until [`succeeded`](Self::succeeded)),
    /// or refuses with how long to wait.
    pub fn begin(&self, ip: IpAddr, user: &str, now: Instant) -> Result<Attempt, Duration> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let keys = Self::keys(ip, user);
        let mut wait = Duration::ZERO;
        for k in &keys {
            if let Some(s) = map.get(k) {
                if let Some(until) = s.blocked_until.filter(|u| *u > now) {
                    wait = wait.max(until - now);
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if map.len() >= LIMITER_CAP {
            let keep = self.window * 64;
            map.retain(|_, s| {
                s.blocked_until.is_some_and(|u| u > now) || now.duration_since(s.since) < keep
            });
            if map.len() >= LIMITER_CAP {
                map.clear();
            }
        }
        for (i, k) in keys.iter().enumerate() {
            let limit = if i == 0 {
                self.per_user_address
            } else {
                self.per_address
            };
            let s = map.entry(k.clone()).or_insert(Strikes {
                failures: 0,
                since: now,
                blocked_until: None,
                blocks: 0,
            });
            if now.duration_since(s.since) >= self.window {
                s.failures = 0;
                s.since = now;
            }
            s.failures += 1;
            if s.failures >= limit {
                s.blocks = (s.blocks + 1).min(7);
                s.blocked_until = Some(now + self.window * (1 << (s.blocks - 1)));
                s.failures = 0;
                s.since = now;
            }
        }
        Ok(Attempt { keys })
    }

    /// The attempt was right: its (user, address) key is cleared and the address's count
    /// refunded.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let [user_addr, addr] = attempt.keys;
        map.remove(&user_addr);
        if let Some(s) = map.get_mut(&addr) {
            s.failures = s.failures.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn limiter_blocks_per_user_and_address_not_per_user() {
        let l = LoginLimiter::new(3, 10, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            drop(l.begin(ip, "admin", t0).expect("admitted"));
        }
        let wait = l.begin(ip, "admin", t0).expect_err("blocked");
        assert_eq!(wait, Duration::from_secs(60));
        // The real user elsewhere is not locked out.
        let a = l
            .begin(other, "Admin", t0)
            .expect("another address is not blocked");
        l.succeeded(a);
        // After the window it works again; a second block lasts twice as long.
        let t1 = t0 + Duration::from_secs(61);
        for _ in 0..3 {
            drop(l.begin(ip, "admin", t1).expect("admitted"));
        }
        assert_eq!(
            l.begin(ip, "admin", t1).unwrap_err(),
            Duration::from_secs(120)
        );
    }

    #[test]
    fn limiter_blocks_one_address_guessing_many_names() {
        let l = LoginLimiter::new(3, 10, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..10 {
            drop(l.begin(ip, &format!("user{i}"), t0).expect("admitted"));
        }
        assert!(l.begin(ip, "someone-else", t0).is_err());
        assert!(l
            .begin("10.0.0.10".parse().unwrap(), "someone-else", t0)
            .is_ok());
    }

    #[test]
    fn a_success_refunds_its_attempt() {
        let l = LoginLimiter::new(3, 10, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..20 {
            let a = l.begin(ip, "admin", t0).expect("successes never block");
            l.succeeded(a);
        }
    }

    #[test]
    fn sessions_are_bounded_per_user_and_revocable() {
        let store = std::sync::Arc::new(crate::storage::Store::in_memory().unwrap());
        let a = store.add_user("a", "x", Role::Admin).unwrap();
        let b = store.add_user("b", "x", Role::ReadOnly).unwrap();
        let s = Sessions::new(store.clone(), Duration::from_secs(3600));
        let admin = s.create(a).unwrap();
        let first = s.create(b).unwrap();
        let mut last = String::new();
        for _ in 0..MAX_SESSIONS_PER_USER {
            last = s.create(b).unwrap();
        }
        assert!(s.get(&first).is_none(), "b's oldest session evicted");
        assert_eq!(s.get(&last).unwrap().user, "b");
        assert_eq!(
            s.get(&admin).unwrap().user,
            "a",
            "another user's session survives"
        );
        let kept = s.get(&last).unwrap();
        s.remove_others(b, &kept);
        assert_eq!(store.session_count(b, crate::now()).unwrap(), 1);
        assert!(s.get(&last).is_some());
        s.remove_user(b);
        assert!(s.get(&last).is_none());
        s.remove(&admin);
        assert!(s.get(&admin).is_none());
    }

    #[test]
    fn expired_sessions_are_gone() {
        let store = std::sync::Arc::new(crate::storage::Store::in_memory().unwrap());
        let a = store.add_user("a", "x", Role::Admin).unwrap();
        let s = Sessions::new(store.clone(), Duration::from_secs(0));
        let t = s.create(a).unwrap();
        assert!(s.get(&t).is_none());
        assert_eq!(s.prune().unwrap(), 1);
    }

    #[test]
    fn roles_parse() {
        assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
        assert_eq!("read-only".parse::<Role>().unwrap(), Role::ReadOnly);
        assert!("root".parse::<Role>().is_err());
    }
}
