//! A small curated library of patterns for what is most often blocked or shaped.
//!
//! Written for this crate (not taken from l7-filter), lowercase only (so they work whether
//! RouterOS folds case or only lowercases the data), free of `\x00` (NULs are removed from the
//! data, so zero bytes in headers are simply skipped with `.?`), and each covered by payload
//! tests showing what it matches and what it misses.
//!
//! Hostname patterns can only see a name in a TLS ClientHello (the SNI, sent in clear) or in a
//! plain HTTP `Host:` header; they never see inside TLS or QUIC. For HTTPS, RouterOS's
//! `tls-host=` firewall matcher is usually the better tool.

use crate::set::NamedPattern;

/// One curated pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LibraryEntry {
    /// Short name, usable as a layer7-protocol `name=`.
    pub name: &'static str,
    /// What it matches, and its known limits.
    pub description: &'static str,
    /// The pattern, in the RouterOS dialect.
    pub pattern: String,
}

impl From<LibraryEntry> for NamedPattern {
    fn from(e: LibraryEntry) -> Self {
        NamedPattern::new(e.name, e.pattern)
    }
}

/// HTTP/1.x request line or status line.
pub const HTTP: &str = "^(get|post|head|put|delete|options|patch|connect) [\\x09-\\x0d -~]* http/1\\.[01]|^http/1\\.[01] [1-5][0-9][0-9]";

/// TLS ClientHello (record type 22, handshake type 1) that carries a hostname (an SNI).
pub const TLS_CLIENT_HELLO: &str =
    "^\\x16\\x03[\\x01-\\x04].?.?\\x01.?.?.?\\x03[\\x01-\\x04][\\x01-\\xff]+[a-z0-9-]\\.[a-z][a-z]";

/// A DNS query (UDP, or TCP with its length prefix) with recursion desired and one question.
pub const DNS: &str = "^.?.?.?.?\\x01[\\x20\\x80]?\\x01\\x01?[\\x01-\\x3f][a-z0-9_-]+([\\x01-\\x3f][a-z0-9_-]+)*[\\x01-\\xff]\\x01";

/// BitTorrent peer handshake, DHT query, or HTTP tracker request.
pub const BITTORRENT: &str =
    "^\\x13bittorrent protocol|^d1:ad2:id20:|^get /(announce|scrape)\\?info_hash=";

/// A QUIC version 1 or 2 long-header Initial packet.
pub const QUIC_INITIAL: &str = "^[\\xc0-\\xdf](\\x01|\\x6b\\x33[\\x43\\x63]\\xcf)[\\x01-\\x14]";

/// A pattern that finds any of `domains` (suffix match, so subdomains count) in a TLS ClientHello's
/// SNI or in a plain HTTP request's `Host:` header.
///
/// ```
/// let p = l7_patterns::library::hostname_pattern(&["example.com"]);
/// let m = l7_patterns::Matcher::from_pattern(&p, Default::default())?;
/// assert!(m.is_match(b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
/// assert!(!m.is_match(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"));
/// # Ok::<(), l7_patterns::Error>(())
/// ```
pub fn hostname_pattern(domains: &[&str]) -> String {
    let alts: Vec<String> = domains
        .iter()
        .map(|d| {
            let mut s = String::new();
            for b in d.to_ascii_lowercase().bytes() {
                match b {
                    b'a'..=b'z' | b'0'..=b'9' | b'-' => s.push(char::from(b)),
                    b'.' => s.push_str("\\."),
                    other => s.push_str(&format!("\\x{other:02x}")),
                }
            }
            s
        })
        .collect();
    format!(
        "^(\\x16\\x03[\\x01-\\x04][\\x01-\\xff]*|[a-z]+ [\\x09-\\x0d -~]*host: *([a-z0-9-]+\\.)*)({})",
        alts.join("|")
    )
}

/// Hostnames of the services in the library.
pub const YOUTUBE: &[&str] = &[
    "youtube.com",
    "googlevideo.com",
    "ytimg.com",
    "youtu.be",
    "youtube-nocookie.com",
];
/// TikTok hostnames.
pub const TIKTOK: &[&str] = &[
    "tiktok.com",
    "tiktokv.com",
    "tiktokcdn.com",
    "musical.ly",
    "byteoversea.com",
];
/// Facebook hostnames.
pub const FACEBOOK: &[&str] = &[
    "facebook.com",
    "facebook.net",
    "fbcdn.net",
    "fbsbx.com",
    "fb.com",
];
/// Netflix hostnames.
pub const NETFLIX: &[&str] = &[
    "netflix.com",
    "nflxvideo.net",
    "nflximg.net",
    "nflxext.com",
    "nflxso.net",
];
/// WhatsApp hostnames.
pub const WHATSAPP: &[&str] = &["whatsapp.com", "whatsapp.net", "wa.me"];

/// The curated patterns.
///
/// ```
/// let lib = l7_patterns::library();
/// assert!(lib.iter().any(|e| e.name == "bittorrent"));
/// for e in &lib {
///     assert!(l7_patterns::lint(&e.pattern).iter().all(|d| !d.is_error()), "{}", e.name);
/// }
/// ```
pub fn library() -> Vec<LibraryEntry> {
    let e = |name, description, pattern: &str| LibraryEntry {
        name,
        description,
        pattern: pattern.to_owned(),
    };
    vec![
        e("http", "HTTP/1.x request or status line at the start of the connection (not HTTP/2 or HTTPS)", HTTP),
        e("tls", "TLS ClientHello carrying a hostname (SNI); the start of nearly every HTTPS connection", TLS_CLIENT_HELLO),
        e("dns", "DNS query with recursion desired (UDP, or TCP with the length prefix)", DNS),
        e("bittorrent", "BitTorrent peer handshake, DHT query or HTTP tracker announce/scrape (not encrypted peers)", BITTORRENT),
        e("quic", "QUIC v1/v2 Initial packet (HTTP/3); the payload is encrypted, so no hostname", QUIC_INITIAL),
        e("youtube", "YouTube hostnames in a TLS SNI or plain HTTP Host header", &hostname_pattern(YOUTUBE)),
        e("tiktok", "TikTok hostnames in a TLS SNI or plain HTTP Host header", &hostname_pattern(TIKTOK)),
        e("facebook", "Facebook hostnames in a TLS SNI or plain HTTP Host header", &hostname_pattern(FACEBOOK)),
        e("netflix", "Netflix hostnames in a TLS SNI or plain HTTP Host header", &hostname_pattern(NETFLIX)),
        e("whatsapp", "WhatsApp hostnames in a TLS SNI or plain HTTP Host header", &hostname_pattern(WHATSAPP)),
    ]
}

/// The library entry called `name`.
pub fn get(name: &str) -> Option<LibraryEntry> {
    library().into_iter().find(|e| e.name == name)
}
