//! Attribute words (`=name=value`) and the ordered map that holds them.

use std::fmt;

use bytes::Bytes;

/// Splits an attribute word `=name=value` at the *second* `=`.
///
/// Values may contain `=`, newlines, NUL or any other byte, and may be empty (`=name=`).
/// Returns `None` for a word that is not an attribute (no leading `=`, or no second `=`).
pub fn split_attribute(word: &Bytes) -> Option<(Bytes, Bytes)> {
    let body = word.get(1..).filter(|_| word.first() == Some(&b'='))?;
    let eq = body.iter().position(|&b| b == b'=')?;
    Some((word.slice(1..1 + eq), word.slice(2 + eq..)))
}

/// An ordered list of `name → value` attributes, as they came on the wire.
///
/// Lookups are linear: sentences carry tens of attributes, where a scan beats hashing. Names
/// and values are bytes; [`Attributes::get_str`] and friends give string views that fail or are
/// lossy by name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    items: Vec<(Bytes, Bytes)>,
}

impl Attributes {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for `n` attributes.
    pub fn with_capacity(n: usize) -> Self {
        Attributes {
            items: Vec::with_capacity(n),
        }
    }

    /// Appends an attribute (a repeated name is kept; [`get`](Self::get) returns the first).
    pub fn push(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        self.items.push((name.into(), value.into()));
    }

    /// Sets `name` to `value`, replacing the first attribute of that name or appending.
    pub fn set(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        let name = name.into();
        let value = value.into();
        match self.items.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.items.push((name, value)),
        }
    }

    /// Removes every attribute called `name`, returning the first value.
    pub fn remove(&mut self, name: &str) -> Option<Bytes> {
        let first = self.get(name).cloned();
        self.items.retain(|(n, _)| n.as_ref() != name.as_bytes());
        first
    }

    /// The value of `name` as bytes.
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        self.get_bytes(name.as_bytes())
    }

    /// The value of the attribute whose name is these bytes.
    pub fn get_bytes(&self, name: &[u8]) -> Option<&Bytes> {
        self.items
            .iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| v)
    }

    /// The value of `name` as `str`; `None` if absent, `Some(Err)` if not UTF-8.
    pub fn get_str(&self, name: &str) -> Option<Result<&str, std::str::Utf8Error>> {
        self.get(name).map(|v| std::str::from_utf8(v))
    }

    /// The value of `name` as a string, replacing invalid UTF-8 with U+FFFD.
    pub fn get_string_lossy(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// True when `name` is present (even with an empty value).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Iterates over `(name, value)` pairs in wire order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Bytes, &Bytes)> {
        self.items.iter().map(|(n, v)| (n, v))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.items
                    .iter()
                    .map(|(n, v)| (String::from_utf8_lossy(n), String::from_utf8_lossy(v))),
            )
            .finish()
    }
}

impl<N: Into<Bytes>, V: Into<Bytes>> FromIterator<(N, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Attributes {
            items: iter
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a Bytes, &'a Bytes);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Bytes, Bytes)>,
        fn(&'a (Bytes, Bytes)) -> (&'a Bytes, &'a Bytes),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(n, v)| (n, v))
    }
}
