//! Attribute words (`=name=value`) and the compact list that holds them.

use std::fmt;
use std::mem::size_of;

use bytes::{BufMut, Bytes, BytesMut};

use crate::length::{decode_length, encode_length};
use crate::sentence::{word_len, word_size};

/// Splits an attribute word `=name=value` at the *second* `=`.
///
/// Values may contain `=`, newlines, NUL or any other byte, and may be empty (`=name=`).
/// Returns `None` for a word that is not an attribute (no leading `=`, or no second `=`).
pub fn split_attribute(word: &Bytes) -> Option<(Bytes, Bytes)> {
    let (name, value) = split_word(word)?;
    Some((word.slice_ref(name), word.slice_ref(value)))
}

/// [`split_attribute`] on a borrowed word.
#[inline]
fn split_word(word: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = word.strip_prefix(b"=")?;
    let eq = body.iter().position(|&b| b == b'=')?;
    Some((body.get(..eq)?, body.get(eq + 1..)?))
}

/// An ordered list of `name → value` attributes, as they came on the wire.
///
/// The list is held compactly: the attribute words themselves, length prefixes included, in
/// one buffer. A row read from a router is a slice of the frame it arrived in (one reference
/// count, no per-attribute allocation), so it costs its wire size plus a few dozen bytes; see
/// [`memory_size`](Self::memory_size). Lookups are linear scans: sentences carry tens of
/// attributes, where a scan beats hashing.
///
/// Names and values are bytes; [`Attributes::get_str`] and friends give string views that
/// fail or are lossy by name.
#[derive(Clone, Default)]
pub struct Attributes {
    /// Length-prefixed words. Words that are not `=name=value` (a reply word, `.tag=`) may sit
    /// among them when the list is a view of a received frame; they are skipped. A zero-length
    /// word ends the list.
    buf: Bytes,
    /// Number of attribute words in `buf`; when not `exact`, the number of words starting
    /// with `=` (a received frame is not scanned for the second `=` until it is read).
    len: usize,
    /// `len` is exact.
    exact: bool,
    /// Every word of `buf` starts with `=` (so `buf` can be written out as it is).
    pure: bool,
}

/// Iterates over the words of a buffer of length-prefixed words.
#[derive(Clone)]
struct Words<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        // The buffer is either built here or a frame the decoder checked: a prefix that does
        // not decode ends the iteration rather than failing.
        let (len, header) = decode_length(self.rest).ok()??;
        let len = usize::try_from(len).ok()?;
        if len == 0 {
            return None;
        }
        let word = self.rest.get(header..header + len)?;
        self.rest = self.rest.get(header + len..).unwrap_or_default();
        Some(word)
    }
}

/// Iterator over the `(name, value)` pairs of [`Attributes`], in wire order.
#[derive(Clone)]
pub struct Iter<'a> {
    words: Words<'a>,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        for word in self.words.by_ref() {
            if let Some(pair) = split_word(word) {
                self.left -= 1;
                return Some(pair);
            }
        }
        self.left = 0;
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl Attributes {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for about `n` attributes.
    pub fn with_capacity(n: usize) -> Self {
        Attributes {
            buf: BytesMut::with_capacity(n.saturating_mul(24)).freeze(),
            len: 0,
            exact: true,
            pure: true,
        }
    }

    /// A view of the attribute words in `words` (length-prefixed words as on the wire, e.g. a
    /// received frame) of which `candidates` start with `=`. Other words are skipped when
    /// reading; `pure` says every word starts with `=`. Words are not scanned here: a word
    /// `=x` without a second `=` is kept in the buffer (and written back as it came) but is not
    /// an attribute.
    pub(crate) fn from_wire(words: Bytes, candidates: usize, pure: bool) -> Self {
        Attributes {
            buf: words,
            len: candidates,
            exact: false,
            pure,
        }
    }

    fn words(&self) -> Words<'_> {
        Words { rest: &self.buf }
    }

    /// The buffer as a `BytesMut` holding only attribute words, ready to grow.
    fn owned(&mut self) -> BytesMut {
        let buf = std::mem::take(&mut self.buf);
        if self.pure {
            match buf.try_into_mut() {
                Ok(m) => return m,
                Err(shared) => return BytesMut::from(&shared[..]),
            }
        }
        let mut m = BytesMut::with_capacity(buf.len());
        let mut len = 0;
        for word in (Words { rest: &buf }) {
            if split_word(word).is_some() {
                put_word(&mut m, &[word]);
                len += 1;
            }
        }
        self.pure = true;
        self.len = len;
        self.exact = true;
        m
    }

    /// Appends an attribute (a repeated name is kept; [`get`](Self::get) returns the first).
    ///
    /// # Panics
    ///
    /// Never for real input: a name and value together longer than 4 GiB cannot be encoded
    /// and are dropped.
    pub fn push(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let mut m = self.owned();
        if word_len(name.len() + value.len() + 2).is_ok() {
            put_word(&mut m, &[b"=", name, b"=", value]);
            self.len += 1;
        }
        self.buf = m.freeze();
    }

    /// Sets `name` to `value`, replacing the first attribute of that name or appending.
    pub fn set(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        if !self.contains_bytes(name) {
            self.push(name, value);
            return;
        }
        let mut out = Attributes::with_capacity(self.len);
        let mut replaced = false;
        for (n, v) in self.iter() {
            if !replaced && n == name {
                out.push(n, value);
                replaced = true;
            } else {
                out.push(n, v);
            }
        }
        *self = out;
    }

    /// Removes every attribute called `name`, returning the first value.
    pub fn remove(&mut self, name: &str) -> Option<Bytes> {
        let first = self.get_shared(name)?;
        let mut out = Attributes::with_capacity(self.len);
        for (n, v) in self.iter() {
            if n != name.as_bytes() {
                out.push(n, v);
            }
        }
        *self = out;
        Some(first)
    }

    /// The value of `name` as bytes.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.get_bytes(name.as_bytes())
    }

    /// The value of the attribute whose name is these bytes.
    #[inline]
    pub fn get_bytes(&self, name: &[u8]) -> Option<&[u8]> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The value of `name` as a [`Bytes`] sharing this list's buffer (no copy).
    pub fn get_shared(&self, name: &str) -> Option<Bytes> {
        self.get(name).map(|v| self.buf.slice_ref(v))
    }

    /// The value of `name` as `str`; `None` if absent, `Some(Err)` if not UTF-8.
    pub fn get_str(&self, name: &str) -> Option<Result<&str, std::str::Utf8Error>> {
        self.get(name).map(std::str::from_utf8)
    }

    /// The value of `name` as a string, replacing invalid UTF-8 with U+FFFD.
    pub fn get_string_lossy(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// True when `name` is present (even with an empty value).
    pub fn contains(&self, name: &str) -> bool {
        self.contains_bytes(name.as_bytes())
    }

    fn contains_bytes(&self, name: &[u8]) -> bool {
        self.get_bytes(name).is_some()
    }

    /// Iterates over `(name, value)` pairs in wire order.
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            words: self.words(),
            left: self.len,
        }
    }

    /// Iterates over `(name, value)` pairs as [`Bytes`] sharing this list's buffer.
    pub fn iter_shared(&self) -> impl Iterator<Item = (Bytes, Bytes)> + '_ {
        self.iter()
            .map(|(n, v)| (self.buf.slice_ref(n), self.buf.slice_ref(v)))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        if self.exact {
            self.len
        } else {
            self.iter().count()
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Bytes the attribute words take on the wire (length prefixes included); for a received
    /// row, the bytes it will be written back as.
    pub fn encoded_len(&self) -> usize {
        if self.pure {
            return self.buf.len();
        }
        self.iter()
            .map(|(n, v)| word_size(n.len() + v.len() + 2).unwrap_or(usize::MAX))
            .fold(0, usize::saturating_add)
    }

    /// Bytes of memory this list accounts for: its buffer (for a received row, the part of
    /// the frame it covers) and the list itself.
    pub fn memory_size(&self) -> usize {
        self.buf.len().saturating_add(size_of::<Self>())
    }

    /// The words, length-prefixed, when they all start with `=`: written back as they came.
    pub(crate) fn pure_words(&self) -> Option<&[u8]> {
        self.pure.then_some(&self.buf[..])
    }
}

/// Appends one length-prefixed word made of `parts`.
fn put_word(dst: &mut BytesMut, parts: &[&[u8]]) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let Ok(len) = word_len(total) else { return };
    dst.reserve(5 + total);
    encode_length(len, dst);
    for p in parts {
        dst.put_slice(p);
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Attributes {}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.iter()
                    .map(|(n, v)| (String::from_utf8_lossy(n), String::from_utf8_lossy(v))),
            )
            .finish()
    }
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> FromIterator<(N, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut a = Attributes::new();
        for (n, v) in iter {
            a.push(n, v);
        }
        a
    }
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> Extend<(N, V)> for Attributes {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, iter: I) {
        for (n, v) in iter {
            self.push(n, v);
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a [u8], &'a [u8]);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_set_remove() {
        let mut a = Attributes::new();
        a.push("name", "q1");
        a.push("comment", &b"caf\xe9"[..]);
        a.push("name", "second");
        a.push("empty", "");
        a.push("eq", "a=b=c");
        assert_eq!(a.len(), 5);
        assert_eq!(a.get("name"), Some(&b"q1"[..]));
        assert_eq!(a.get("comment"), Some(&b"caf\xe9"[..]));
        assert!(a.get_str("comment").unwrap().is_err());
        assert_eq!(a.get("empty"), Some(&b""[..]));
        assert_eq!(a.get("eq"), Some(&b"a=b=c"[..]));
        assert_eq!(a.get("nope"), None);
        a.set("name", "renamed");
        assert_eq!(a.get("name"), Some(&b"renamed"[..]));
        assert_eq!(a.len(), 5);
        assert_eq!(a.remove("name").as_deref(), Some(&b"renamed"[..]));
        assert_eq!(a.len(), 3);
        assert!(!a.contains("name"));
        let pairs: Vec<_> = a.iter().collect();
        assert_eq!(pairs[0], (&b"comment"[..], &b"caf\xe9"[..]));
        assert_eq!(a.encoded_len(), 1 + 13 + 1 + 7 + 1 + 9);
    }

    #[test]
    fn a_view_of_a_frame_skips_other_words() {
        // !re =a=1 .tag=7 =b=2 <end>
        let frame = Bytes::from_static(b"\x03!re\x04=a=1\x06.tag=7\x04=b=2\x00");
        let a = Attributes::from_wire(frame, 2, false);
        assert_eq!(a.len(), 2);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [(&b"a"[..], &b"1"[..]), (&b"b"[..], &b"2"[..])]
        );
        assert_eq!(a.encoded_len(), 10);
        assert_eq!(a, [("a", "1"), ("b", "2")].into_iter().collect());
        let mut b = a.clone();
        b.push("c", "3");
        assert_eq!(b.pure_words(), Some(&b"\x04=a=1\x04=b=2\x04=c=3"[..]));
        assert_eq!(a.get_shared("b").as_deref(), Some(&b"2"[..]));
    }

    #[test]
    fn long_words_use_longer_prefixes() {
        let mut a = Attributes::new();
        let big = vec![b'x'; 20_000];
        a.push("big", &big);
        a.push("n", "1");
        assert_eq!(a.get("big").map(<[u8]>::len), Some(20_000));
        assert_eq!(a.get("n"), Some(&b"1"[..]));
        assert_eq!(a.encoded_len(), 3 + 20_005 + 1 + 4);
    }
}
