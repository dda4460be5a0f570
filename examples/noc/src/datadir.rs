//! The data directory: created private (0700, its files 0600), and locked so that a second
//! noc on the same directory refuses to start instead of sharing the database.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// A locked data directory; the lock is released when this is dropped.
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

/// Makes `path` private to its owner (directories 0700, files 0600); a no-op elsewhere.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = if meta.is_dir() { 0o700 } else { 0o600 };
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl DataDir {
    /// Creates (0700) and locks `path`. Fails with a clear message when another noc holds it.
    pub fn open(path: &Path) -> Result<DataDir, Error> {
        std::fs::create_dir_all(path).map_err(|e| {
            Error::Config(format!(
                "cannot create the data dir {}: {e}",
                path.display()
            ))
        })?;
        make_private(path)?;
        let lock_path = path.join("noc.lock");
        let mut opts = OpenOptions::new();
        opts.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut lock = opts.open(&lock_path)?;
        match fs4::FileExt::try_lock(&lock) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let pid = std::fs::read_to_string(&lock_path).unwrap_or_default();
                return Err(Error::Config(format!(
                    "another noc is already running with the data dir {}{} — stop it first, or \
                     start this one with another --data-dir",
                    path.display(),
                    match pid.trim() {
                        "" => String::new(),
                        p => format!(" (process {p})"),
                    }
                )));
            }
            Err(fs4::TryLockError::Error(e)) => return Err(e.into()),
        }
        lock.set_len(0)?;
        write!(lock, "{}", std::process::id())?;
        Ok(DataDir {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every file directly in the directory private (after the database created its
    /// journal files).
    pub fn tighten(&self) -> std::io::Result<()> {
        for entry in std::fs::read_dir(&self.path)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                make_private(&entry.path())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_open_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        let err = DataDir::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("already running"), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(first);
        DataDir::open(dir.path()).expect("free again");
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_and_its_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(&dir.path().join("data")).unwrap();
        std::fs::write(d.path().join("noc.db"), b"x").unwrap();
        d.tighten().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(d.path()), 0o700);
        assert_eq!(mode(&d.path().join("noc.db")), 0o600);
        assert_eq!(mode(&d.path().join("noc.lock")), 0o600);
    }
}
