//! Passwords: kept as the router's bytes, never shown by `Debug`.

use std::fmt;

use crate::text::Text;

/// A password (a hotspot user's or a PPP secret's), as the router holds it.
///
/// `Debug` prints `"<redacted>"` (or `""` when empty), so items holding passwords can be logged
/// without leaking them; [`expose`](Self::expose) gives the bytes to code that must send or
/// print them (an `add` command, a voucher).
///
/// ```
/// use queue_model::Password;
/// let p = Password::from("rahasia");
/// assert_eq!(format!("{p:?}"), "<redacted>");
/// assert_eq!(p.expose(), "rahasia");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Password(Text);

impl Password {
    /// The empty password.
    pub const fn new() -> Self {
        Password(Text::new())
    }

    /// The password itself.
    pub fn expose(&self) -> &Text {
        &self.0
    }

    /// True for the empty password.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("<redacted>")
        }
    }
}

macro_rules! from_text {
    ($($t:ty),*) => {$(
        impl From<$t> for Password {
            fn from(t: $t) -> Self {
                Password(Text::from(t))
            }
        }
    )*};
}

from_text!(&str, String, &String, &[u8], Vec<u8>, bytes::Bytes);

impl From<Text> for Password {
    fn from(t: Text) -> Self {
        Password(t)
    }
}
