//! Layer 7 patterns (in progress).
