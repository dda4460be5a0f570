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
    /// Looking only.
    ReadOnly,
}

impl Role {
    /// `admin` or `read-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReadOnly => "read-only",
        }
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role, Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "read-only" | "readonly" | "viewer" => Ok(Role::ReadOnly),
            _ => Err(Error::BadInput(format!(
                "unknown role {s:?} (admin or read-only)"
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
    /// Role at login time (re-checked against the database on every request).
    pub role: Role,
    /// The CSRF token every state-changing request must carry.
    pub csrf: String,
    #[serde(skip)]
    expires: Instant,
}

/// Sessions in memory, keyed by the SHA-256 of the cookie value. Bounded: the oldest session is
/// evicted past `max`.
#[derive(Debug)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    ttl: Duration,
    max: usize,
}

fn key_of(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl Sessions {
    /// A store whose sessions last `ttl` (renewed on use), at most `max` at once.
    pub fn new(ttl: Duration, max: usize) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            ttl,
            max,
        }
    }

    /// Creates a session; returns the cookie value.
    pub fn create(&self, user_id: i64, user: &str, role: Role) -> String {
        let token = random_token();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        if map.len() >= self.max {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(
            key_of(&token),
            Session {
                user_id,
                user: user.to_owned(),
                role,
                csrf: random_token(),
                expires: now + self.ttl,
            },
        );
        token
    }

    /// The session for a cookie value, renewed.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let k = key_of(token);
        match map.get_mut(&k) {
            Some(s) if s.expires > now => {
                s.expires = now + self.ttl;
                Some(s.clone())
            }
            Some(_) => {
                map.remove(&k);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn remove(&self, token: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key_of(token));
    }

    /// Ends every session of a user (deleted, or password changed).
    pub fn remove_user(&self, user_id: i64) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, s| s.user_id != user_id);
    }
}

/// Login rate limiting: at most `max_failures` failed logins per client address and per user
/// name within `window`; a success clears the counter for that address. Bounded in size.
#[derive(Debug)]
pub struct LoginLimiter {
    map: Mutex<HashMap<String, (u32, Instant)>>,
    max_failures: u32,
    window: Duration,
}

/// Most distinct addresses and names tracked by the limiter.
const LIMITER_CAP: usize = 100_000;

impl LoginLimiter {
    /// A limiter.
    pub fn new(max_failures: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            map: Mutex::new(HashMap::new()),
            max_failures,
            window,
        }
    }

    fn keys(ip: IpAddr, user: &str) -> [String; 2] {
        [format!("ip:{ip}"), format!("user:{}", user.to_lowercase())]
    }

    /// Whether a login attempt from `ip` for `user` may proceed now.
    pub fn allowed(&self, ip: IpAddr, user: &str, now: Instant) -> bool {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(ip, user).iter().all(|k| match map.get(k) {
            Some((n, since)) => *n < self.max_failures || now.duration_since(*since) >= self.window,
            None => true,
        })
    }

    /// Records a failed attempt.
    pub fn failed(&self, ip: IpAddr, user: &str, now: Instant) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LIMITER_CAP {
            let window = self.window;
            map.retain(|_, (_, since)| now.duration_since(*since) < window);
            if map.len() >= LIMITER_CAP {
                map.clear();
            }
        }
        for k in Self::keys(ip, user) {
            let e = map.entry(k).or_insert((0, now));
            if now.duration_since(e.1) >= self.window {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    /// Records a success (clears the address's counter).
    pub fn succeeded(&self, ip: IpAddr, user: &str) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        for k in Self::keys(ip, user) {
            map.remove(&k);
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
    fn limiter_blocks_after_failures_and_window_resets() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.allowed(ip, "admin", t0));
            l.failed(ip, "admin", t0);
        }
        assert!(!l.allowed(ip, "admin", t0));
        // Another address, same user: still blocked (per-user counter).
        assert!(!l.allowed("127.0.0.2".parse().unwrap(), "Admin", t0));
        assert!(l.allowed(ip, "admin", t0 + Duration::from_secs(61)));
    }

    #[test]
    fn sessions_expire_and_are_bounded() {
        let s = Sessions::new(Duration::from_secs(3600), 2);
        let a = s.create(1, "a", Role::Admin);
        let _b = s.create(2, "b", Role::ReadOnly);
        let _c = s.create(3, "c", Role::ReadOnly);
        assert!(s.get(&a).is_none(), "oldest evicted");
        let d = s.create(4, "d", Role::Admin);
        assert_eq!(s.get(&d).unwrap().user, "d");
        s.remove_user(4);
        assert!(s.get(&d).is_none());
    }

    #[test]
    fn roles_parse() {
        assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
        assert_eq!("read-only".parse::<Role>().unwrap(), Role::ReadOnly);
        assert!("root".parse::<Role>().is_err());
    }
}
