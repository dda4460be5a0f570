//! Router passwords at rest: sealed with ChaCha20-Poly1305 under a key kept in the data dir
//! (`secret.key`, created with mode 0600 on first start).

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

use crate::Error;

/// Seals and opens router passwords.
#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key>)")
    }
}

impl SecretBox {
    /// Loads `secret.key` from `dir`, creating it if absent.
    pub fn load_or_create(dir: &Path) -> Result<SecretBox, Error> {
        let path = dir.join("secret.key");
        let key = match std::fs::read(&path) {
            Ok(k) if k.len() == 32 => k,
            Ok(_) => {
                return Err(Error::Secret(format!(
                    "{} is not a 32-byte key",
                    path.display()
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut k = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut k);
                write_private(&path, &k)?;
                k
            }
            Err(e) => return Err(Error::Io(e)),
        };
        Ok(Self::from_key(&key))
    }

    /// A box with a given 32-byte key (shorter keys are zero-padded; tests only).
    pub fn from_key(key: &[u8]) -> SecretBox {
        let mut k = [0u8; 32];
        for (d, s) in k.iter_mut().zip(key) {
            *d = *s;
        }
        SecretBox {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&k)),
        }
    }

    /// Encrypts `plain`: a random 12-byte nonce followed by the ciphertext and tag.
    pub fn seal(&self, plain: &str) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| Error::Secret("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(out)
    }

    /// Decrypts what [`seal`](Self::seal) produced.
    pub fn open(&self, sealed: &[u8]) -> Result<String, Error> {
        if sealed.len() < 12 {
            return Err(Error::Secret("sealed value too short".into()));
        }
        let (nonce, ct) = sealed.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| Error::Secret("cannot decrypt: wrong key or corrupted value".into()))?;
        String::from_utf8(plain).map_err(|_| Error::Secret("not UTF-8".into()))
    }
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(data)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_key_persistence() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretBox::load_or_create(dir.path()).unwrap();
        let sealed = a.seal("hunter2").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        let b = SecretBox::load_or_create(dir.path()).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "hunter2");
        let other = SecretBox::from_key(b"another key");
        assert!(other.open(&sealed).is_err());
        assert!(a.open(b"short").is_err());
    }
}
