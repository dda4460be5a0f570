//! Money: whole units of one configured currency, as `i64`. Typed amounts are parsed
//! strictly (a fraction, a sign or an absurd size is a clear error, never rounded) and shown
//! the way people there write them: `Rp 150.000` for rupiah.

use std::fmt;

/// The largest amount anything holds (10^12): beyond it a number is a typing mistake.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Nothing typed.
    #[error("enter an amount")]
    Empty,
    /// Not a number.
    #[error("{0:?} is not an amount (write 150000, 150.000 or 150rb)")]
    NotANumber(String),
    /// A fraction of the currency's unit.
    #[error("{0:?}: amounts are whole {1}, without decimals")]
    Fraction(String, String),
    /// Negative or zero.
    #[error("the amount must be more than 0")]
    NotPositive,
    /// Above the allowed maximum.
    #[error("{0} is more than the largest amount accepted ({1})")]
    TooLarge(String, String),
    /// Not an ISO 4217 code.
    #[error("{0:?} is not a currency code (three letters, like IDR)")]
    BadCurrency(String),
}

/// A currency: its code and how amounts are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    code: String,
    symbol: &'static str,
    group: char,
}

impl Currency {
    /// The currency with ISO 4217 `code` (`IDR`, `MYR`, `USD`...).
    pub fn new(code: &str) -> Result<Currency, MoneyError> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(MoneyError::BadCurrency(code));
        }
        let (symbol, group) = match code.as_str() {
            "IDR" => ("Rp", '.'),
            "MYR" => ("RM", ','),
            "PHP" => ("₱", ','),
            "USD" => ("$", ','),
            _ => ("", ','),
        };
        Ok(Currency {
            code,
            symbol,
            group,
        })
    }

    /// Rupiah.
    pub fn idr() -> Currency {
        Currency {
            code: "IDR".into(),
            symbol: "Rp",
            group: '.',
        }
    }

    /// The ISO code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// `amount` as people write it: `Rp 150.000`, `-Rp 5.000`, `USD 1,200` for a currency
    /// without a known symbol.
    pub fn format(&self, amount: i64) -> String {
        let digits = amount.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(self.group);
            }
            grouped.push(c);
        }
        self.signed(amount, &grouped)
    }

    /// `amount` written for a reader of `lang`: thousands grouped the way the language
    /// groups them, `Rp 150.000` in Indonesian, `Rp 150,000` in English.
    pub fn format_in(&self, lang: crate::i18n::Lang, amount: i64) -> String {
        let grouped = lang.integer(i64::try_from(amount.unsigned_abs()).unwrap_or(i64::MAX));
        self.signed(amount, &grouped)
    }

    /// The sign of `amount`, the symbol (or the code) and the grouped digits.
    fn signed(&self, amount: i64, grouped: &str) -> String {
        let sign = if amount < 0 { "-" } else { "" };
        let symbol = if self.symbol.is_empty() {
            self.code.as_str()
        } else {
            self.symbol
        };
        format!("{sign}{symbol} {grouped}")
    }

    /// Parses a typed amount: digits with optional thousands separators (`150.000`,
    /// `150,000`, `150 000`), an optional currency prefix (`Rp`, the code), and the
    /// shorthands `rb`/`ribu`/`k` (×1,000) and `jt`/`juta` (×1,000,000). At most `max`.
    pub fn parse(&self, typed: &str, max: i64) -> Result<i64, MoneyError> {
        let t = typed.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let mut s = t.to_ascii_lowercase();
        for prefix in [self.code.to_ascii_lowercase(), self.symbol.to_lowercase()] {
            if !prefix.is_empty() {
                if let Some(rest) = s.strip_prefix(&prefix) {
                    s = rest.trim_start_matches(['.', ' ']).to_owned();
                }
            }
        }
        if s.starts_with('-') {
            return Err(MoneyError::NotPositive);
        }
        let (num, mul) = [
            ("ribu", 1_000),
            ("rb", 1_000),
            ("k", 1_000),
            ("juta", 1_000_000),
            ("jt", 1_000_000),
        ]
        .iter()
        .find_map(|(suffix, m)| s.strip_suffix(suffix).map(|n| (n.trim().to_owned(), *m)))
        .unwrap_or((s.clone(), 1));
        let bad = || MoneyError::NotANumber(t.to_owned());
        if num.is_empty()
            || !num
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b' '))
        {
            return Err(bad());
        }
        // Separators are thousands groups: every group after the first has exactly three
        // digits. Anything else (`1.5`, `150000,50`) is a fraction or a typo.
        let groups: Vec<&str> = num.split(['.', ',', ' ']).collect();
        let grouped_ok = groups.len() == 1
            || (groups
                .first()
                .is_some_and(|g| !g.is_empty() && g.len() <= 3)
                && groups.iter().skip(1).all(|g| g.len() == 3));
        if !grouped_ok {
            // With a shorthand a decimal is fine as long as the result is whole: `1,5jt`.
            if let (true, [int, frac]) = (mul > 1, groups.as_slice()) {
                if !int.is_empty() && !frac.is_empty() && frac.len() <= 6 {
                    let scale = 10i64.pow(u32::try_from(frac.len()).unwrap_or(6));
                    let i: i64 = int.parse().map_err(|_| bad())?;
                    let f: i64 = frac.parse().map_err(|_| bad())?;
                    let whole = i.checked_mul(mul).and_then(|v| {
                        let part = f.checked_mul(mul)?;
                        (part % scale == 0).then(|| v.checked_add(part / scale))?
                    });
                    return match whole {
                        Some(v) if v > max.min(MAX_AMOUNT) => {
                            Err(MoneyError::TooLarge(t.to_owned(), self.format(max)))
                        }
                        Some(v) if v > 0 => Ok(v),
                        Some(_) => Err(MoneyError::NotPositive),
                        None => Err(MoneyError::Fraction(t.to_owned(), self.unit_name())),
                    };
                }
            }
            if mul > 1 || groups.last().is_some_and(|g| g.len() < 3) {
                return Err(MoneyError::Fraction(t.to_owned(), self.unit_name()));
            }
            return Err(bad());
        }
        let digits: String = groups.concat();
        let too_large = || MoneyError::TooLarge(t.to_owned(), self.format(max));
        let v: i64 = digits.parse().map_err(|_| too_large())?;
        let v = v.checked_mul(mul).ok_or_else(too_large)?;
        if v == 0 {
            return Err(MoneyError::NotPositive);
        }
        if v > max.min(MAX_AMOUNT) {
            return Err(too_large());
        }
        Ok(v)
    }

    fn unit_name(&self) -> String {
        match self.code.as_str() {
            "IDR" => "rupiah".into(),
            c => format!("{c} units"),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_people_write_them() {
        let idr = Currency::idr();
        for (v, s) in [
            (0, "Rp 0"),
            (150_000, "Rp 150.000"),
            (1_500_000, "Rp 1.500.000"),
            (999, "Rp 999"),
            (-5_000, "-Rp 5.000"),
        ] {
            assert_eq!(idr.format(v), s);
        }
        assert_eq!(Currency::new("usd").unwrap().format(1200), "$ 1,200");
        assert_eq!(Currency::new("EUR").unwrap().format(1200), "EUR 1,200");
        assert!(Currency::new("rupiah").is_err());
        use crate::i18n::Lang;
        assert_eq!(idr.format_in(Lang::Id, 150_000), "Rp 150.000");
        assert_eq!(idr.format_in(Lang::En, 150_000), "Rp 150,000");
        assert_eq!(idr.format_in(Lang::Id, -5_000), "-Rp 5.000");
        assert_eq!(idr.format_in(Lang::En, 0), "Rp 0");
    }

    #[test]
    fn typed_amounts_parse_strictly() {
        let idr = Currency::idr();
        let max = 100_000_000;
        for (typed, v) in [
            ("150000", 150_000),
            ("150.000", 150_000),
            ("150,000", 150_000),
            ("Rp 150.000", 150_000),
            ("rp150000", 150_000),
            ("IDR 1.500.000", 1_500_000),
            ("150rb", 150_000),
            ("150 ribu", 150_000),
            ("150k", 150_000),
            ("1,5jt", 1_500_000),
        ] {
            assert_eq!(idr.parse(typed, max), Ok(v), "{typed}");
        }
        // 1,5jt is 1.5 million only because of the shorthand: a bare 1,5 is a fraction.
        assert!(matches!(
            idr.parse("1,5", max),
            Err(MoneyError::Fraction(..))
        ));
        assert!(matches!(
            idr.parse("150000.50", max),
            Err(MoneyError::Fraction(..))
        ));
        assert!(matches!(
            idr.parse("-150000", max),
            Err(MoneyError::NotPositive)
        ));
        assert!(matches!(idr.parse("0", max), Err(MoneyError::NotPositive)));
        assert!(matches!(idr.parse("", max), Err(MoneyError::Empty)));
        assert!(matches!(
            idr.parse("abc", max),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            idr.parse("1e9", max),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            idr.parse("150000000", max),
            Err(MoneyError::TooLarge(..))
        ));
        assert!(matches!(
            idr.parse("99999999999999999999999", max),
            Err(MoneyError::TooLarge(..))
        ));
        assert!(idr
            .parse("150000000", max)
            .unwrap_err()
            .to_string()
            .contains("Rp 100.000.000"));
    }
}
