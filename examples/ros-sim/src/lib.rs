//! RouterOS API simulator (in progress).
