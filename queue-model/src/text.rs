//! Free text as the router holds it: bytes, usually UTF-8 but not always.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::str::FromStr;

use bytes::Bytes;

/// A free-text value (a name, a comment, a mark) kept exactly as the router holds it.
///
/// RouterOS stores what the client sent: Winbox writes the PC's code page, so a comment typed as
/// `café` on a Windows PC arrives as the single byte `0xE9` for `é`, and Cyrillic arrives as
/// CP1251. Such values must be shown, compared and written back unchanged, so `Text` holds
/// bytes. [`Display`](fmt::Display) and [`to_string_lossy`](Self::to_string_lossy) show it
/// readably (invalid sequences become U+FFFD); [`as_str`](Self::as_str) fails by name when
/// the bytes are not UTF-8; `From<&str>` sets it from text.
///
/// ```
/// use queue_model::Text;
/// let t = Text::from_bytes(&b"caf\xe9"[..]);
/// assert_eq!(t.as_bytes(), b"caf\xe9");
/// assert_eq!(t.to_string(), "caf\u{fffd}");
/// assert!(t.as_str().is_err());
/// assert_eq!(format!("{t:?}"), r#""caf\xE9""#);
/// assert_eq!(Text::from("desk-1"), "desk-1");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Bytes);

impl Text {
    /// The empty text.
    pub const fn new() -> Self {
        Text(Bytes::new())
    }

    /// Text holding exactly these bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Text(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as a cheaply cloned [`Bytes`].
    pub fn to_bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// The text when it is UTF-8.
    pub fn as_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.0)
    }

    /// True when the bytes are valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.as_str().is_ok()
    }

    /// The text for display: invalid UTF-8 sequences become U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The text with every byte that is not printable ASCII or part of valid UTF-8 written as
    /// `\xHH`, so that two different values never look the same.
    pub fn escape(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    c if c.is_control() => {
                        for b in c.to_string().bytes() {
                            out.push_str(&format!("\\x{b:02X}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the empty text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the bytes out.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.escape().replace('"', "\\\""))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Bytes::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Self {
        t.clone()
    }
}

impl From<&[u8]> for Text {
    fn from(b: &[u8]) -> Self {
        Text(Bytes::copy_from_slice(b))
    }
}

impl From<Vec<u8>> for Text {
    fn from(b: Vec<u8>) -> Self {
        Text(Bytes::from(b))
    }
}

impl From<Bytes> for Text {
    fn from(b: Bytes) -> Self {
        Text(b)
    }
}

impl From<Text> for Bytes {
    fn from(t: Text) -> Self {
        t.0
    }
}

impl FromStr for Text {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Text::from(s))
    }
}

impl std::ops::Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for Text {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.0
    }
}

impl PartialEq<[u8]> for Text {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_of_non_utf8_bytes() {
        let cp1251 = Text::from_bytes(&b"\xcf\xf0\xe8\xe2\xe5\xf2 q"[..]);
        assert_eq!(cp1251.len(), 8);
        assert_eq!(
            cp1251.to_string(),
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd} q"
        );
        assert_eq!(cp1251.escape(), r"\xCF\xF0\xE8\xE2\xE5\xF2 q");
        let t = Text::from("tab\there \\ \"q\"");
        assert_eq!(t.escape(), r#"tab\x09here \\ "q""#);
        assert_eq!(format!("{t:?}"), r#""tab\x09here \\ \"q\"""#);
        assert!(t.is_utf8());
        assert_eq!(Some(Text::from("a")).as_deref(), Some(&b"a"[..]));
        assert_eq!(Text::from("é").as_bytes(), "é".as_bytes());
    }
}
