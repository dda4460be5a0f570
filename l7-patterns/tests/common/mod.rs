//! The external l7-filter corpus (146 `.pat` files, GPL, not shipped in this repository).

use std::io::Write;
use std::path::PathBuf;

/// The environment variable naming the l7-filter `protocols` directory.
pub const CORPUS_ENV: &str = "L7_PROTOCOLS_DIR";

/// The corpus directory from `L7_PROTOCOLS_DIR`, or `None` (with one line on stderr) when unset,
/// so a fresh clone passes without it. A set but missing directory fails the test: CI sets it
/// and must never skip silently.
pub fn corpus_dir(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os(CORPUS_ENV) else {
        // written past the test harness's capture, so the skip shows in a normal run
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: set {CORPUS_ENV} to the l7-filter protocols directory to run it"
        );
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "{CORPUS_ENV}={} is not a directory",
        dir.display()
    );
    Some(dir)
}
