//! MAC addresses as RouterOS writes them.

use std::fmt;
use std::str::FromStr;

use crate::error::ValueError;

/// A MAC address, written by RouterOS as six colon-separated pairs of capital hex digits
/// (`AA:BB:CC:DD:EE:FF`).
///
/// Parsing accepts either case and `:` or `-` separators; [`Display`](fmt::Display) writes
/// the RouterOS form. [`is_canonical`](Self::is_canonical) tells whether a text is already
/// written that way, which matters where RouterOS compares MACs as text (a PPPoE secret's
/// `caller-id`).
///
/// ```
/// use queue_model::MacAddress;
/// let m: MacAddress = "aa-bb-cc-dd-ee-0f".parse()?;
/// assert_eq!(m.to_string(), "AA:BB:CC:DD:EE:0F");
/// assert!(!MacAddress::is_canonical("aa:bb:cc:dd:ee:0f"));
/// assert!(MacAddress::ZERO.is_zero());
/// # Ok::<(), queue_model::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddress(pub [u8; 6]);

impl MacAddress {
    /// `00:00:00:00:00:00`: for a hotspot user, "any MAC".
    pub const ZERO: MacAddress = MacAddress([0; 6]);

    /// True for `00:00:00:00:00:00`.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 6]
    }

    /// True when `s` is a MAC written exactly as RouterOS writes it (capitals, colons).
    pub fn is_canonical(s: &str) -> bool {
        s.parse::<MacAddress>()
            .is_ok_and(|m| m.to_string().as_str() == s)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl FromStr for MacAddress {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("MAC address", s);
        let b = s.as_bytes();
        if b.len() != 17 {
            return Err(err());
        }
        let sep = b.get(2).copied().ok_or_else(err)?;
        if sep != b':' && sep != b'-' {
            return Err(err());
        }
        let mut out = [0u8; 6];
        for (i, slot) in out.iter_mut().enumerate() {
            let at = i * 3;
            let hi = b.get(at).copied().and_then(hex).ok_or_else(err)?;
            let lo = b.get(at + 1).copied().and_then(hex).ok_or_else(err)?;
            if i < 5 && b.get(at + 2) != Some(&sep) {
                return Err(err());
            }
            *slot = hi << 4 | lo;
        }
        Ok(MacAddress(out))
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02X}:{b:02X}:{c:02X}:{d:02X}:{e:02X}:{g:02X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways() {
        for (s, v) in [
            ("00:00:00:00:00:00", [0, 0, 0, 0, 0, 0]),
            ("AA:BB:CC:DD:EE:FF", [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
            ("0A:1B:2C:3D:4E:5F", [0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]),
        ] {
            assert_eq!(s.parse::<MacAddress>().unwrap(), MacAddress(v));
            assert_eq!(MacAddress(v).to_string(), s);
            assert!(MacAddress::is_canonical(s));
        }
        assert_eq!(
            "0a-1b-2c-3d-4e-5f".parse::<MacAddress>().unwrap(),
            MacAddress([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])
        );
        for bad in [
            "",
            "AA:BB:CC:DD:EE",
            "AA:BB:CC:DD:EE:FG",
            "AA:BB-CC:DD:EE:FF",
            "AAA:BB:CC:DD:EE:F",
            "AA:BB:CC:DD:EE:FF:",
            "é:BB:CC:DD:EE:FFx",
        ] {
            assert!(bad.parse::<MacAddress>().is_err(), "{bad}");
        }
    }
}
