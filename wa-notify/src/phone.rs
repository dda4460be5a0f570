//! Phone numbers as WhatsApp addresses them: country code and number, digits only.

use std::fmt;
use std::str::FromStr;

/// A WhatsApp number in international form without `+` (`6281234567890`): 8 to 15 digits, not
/// starting with 0. Typed forms such as `+62 812-3456-7890` are accepted.
///
/// ```
/// use wa_notify::PhoneNumber;
/// let n: PhoneNumber = "+62 812-3456-7890".parse().unwrap();
/// assert_eq!(n.as_str(), "6281234567890");
/// // a local number needs the country code
/// assert!("0812 3456 7890".parse::<PhoneNumber>().is_err());
/// assert_eq!(PhoneNumber::parse_local("0812 3456 7890", "62").unwrap(), n);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid phone number {input:?}: {reason}")]
#[non_exhaustive]
pub struct PhoneNumberError {
    /// The refused input.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl PhoneNumber {
    /// The digits (`6281234567890`), as the Cloud API's `to` expects them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an integer (what the outbox uses as the recipient's chat id).
    pub fn as_u64(&self) -> u64 {
        self.0.parse().unwrap_or(0)
    }

    /// Parses a number that may be written locally (`0812...`): a leading `0` is replaced by
    /// `country_code` (e.g. `"62"` for Indonesia).
    pub fn parse_local(s: &str, country_code: &str) -> Result<Self, PhoneNumberError> {
        let digits = digits_of(s)?;
        match digits.strip_prefix('0') {
            Some(rest) if !s.trim_start().starts_with('+') => {
                Self::from_digits(s, format!("{}{rest}", country_code.trim_start_matches('+')))
            }
            _ => Self::from_digits(s, digits),
        }
    }

    fn from_digits(input: &str, digits: String) -> Result<Self, PhoneNumberError> {
        let err = |reason| PhoneNumberError {
            input: input.to_owned(),
            reason,
        };
        if digits.starts_with('0') {
            return Err(err(
                "starts with 0: write it with the country code (e.g. 62812...)",
            ));
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(err("expected 8 to 15 digits with the country code"));
        }
        Ok(PhoneNumber(digits))
    }
}

fn digits_of(s: &str) -> Result<String, PhoneNumberError> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(PhoneNumberError {
                    input: s.to_owned(),
                    reason: "only digits, spaces, dashes, dots and parentheses are allowed",
                })
            }
        }
    }
    Ok(out)
}

impl FromStr for PhoneNumber {
    type Err = PhoneNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = digits_of(s)?;
        Self::from_digits(s, digits)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "client")]
impl From<&PhoneNumber> for tg_notify::ChatId {
    fn from(n: &PhoneNumber) -> Self {
        tg_notify::ChatId::Id(i64::try_from(n.as_u64()).unwrap_or(i64::MAX))
    }
}

#[cfg(feature = "client")]
impl From<PhoneNumber> for tg_notify::ChatId {
    fn from(n: PhoneNumber) -> Self {
        (&n).into()
    }
}

#[cfg(feature = "client")]
impl TryFrom<&tg_notify::ChatId> for PhoneNumber {
    type Error = PhoneNumberError;

    /// The number of an outbox recipient (a positive numeric chat id).
    fn try_from(c: &tg_notify::ChatId) -> Result<Self, Self::Error> {
        match c {
            tg_notify::ChatId::Id(id) if *id > 0 => id.to_string().parse(),
            other => Err(PhoneNumberError {
                input: other.to_string(),
                reason: "not a phone number",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms() {
        for ok in [
            "6281234567890",
            "+6281234567890",
            " +62 (812) 3456-7890 ",
            "1.202.555.0100",
        ] {
            assert!(ok.parse::<PhoneNumber>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "+",
            "62 812 abc",
            "0812345678",
            "1234567",
            "1234567890123456",
            "+-",
        ] {
            assert!(bad.parse::<PhoneNumber>().is_err(), "{bad}");
        }
        assert_eq!(
            PhoneNumber::parse_local("+62 812 3456 7890", "1")
                .unwrap()
                .as_str(),
            "6281234567890"
        );
    }
}
