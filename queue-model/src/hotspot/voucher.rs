//! Voucher batches the way MIKHMON generates them, with a cryptographic random source and
//! uniqueness checks.
//!
//! MIKHMON (`hotspot/generateuser.php`, character sets in `lib/routeros_api.class.php`) makes
//! 1 to 500 users at once, with an optional prefix of up to 6 characters and codes of 3 to 8
//! characters drawn from sets without look-alikes (no `0 1 O I l o Q q`):
//!
//! | set | MIKHMON name | characters |
//! |---|---|---|
//! | [`Charset::Lower`] | `lower` | `abcdefghijkmnprstuvwxyz` |
//! | [`Charset::Upper`] | `upper` | `ABCDEFGHJKLMNPRSTUVWXYZ` |
//! | [`Charset::UpperLower`] | `upplow` | both |
//! | [`Charset::Digits`] | `num` | `23456789` |
//! | [`Charset::DigitsLower`] | `mix` | digits and lower |
//! | [`Charset::DigitsUpper`] | `mix1` | digits and upper |
//! | [`Charset::DigitsUpperLower`] | `mix2` | all three |
//!
//! In `up` mode the name is prefix + `length` characters of the set and the password `length`
//! digits. In `vc` mode the code is both: with a letter set it is prefix + letters + digits,
//! the digits being 1, 2, 2, 3, 3, 4 for lengths 3 to 8 (MIKHMON's `$a` table); with `num` or
//! a mixed set it is prefix + `length` characters of the set. Every user of the batch gets the
//! [`BatchComment`]. MIKHMON uses PHP's `rand()`; this module takes a CSPRNG and checks that
//! no code repeats an existing user name or another code of the batch.
//!
//! ```
//! use std::collections::HashSet;
//! use rand::SeedableRng;
//! use queue_model::hotspot::mikhmon::UserMode;
//! use queue_model::hotspot::voucher::{BatchBuilder, Charset};
//!
//! let spec = BatchBuilder::new(UserMode::Voucher, 50, "1Day", "2024-07-15".parse()?)
//!     .charset(Charset::Lower)
//!     .length(6)
//!     .prefix("wf")
//!     .note("warung")
//!     .build()?;
//! let existing: HashSet<queue_model::Text> = HashSet::new();
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7); // tests seed; use OsRng in production
//! let batch = spec.generate(&existing, &mut rng)?;
//! assert_eq!(batch.users.len(), 50);
//! let u = &batch.users[0];
//! assert_eq!(u.password.expose(), &u.name);
//! assert!(u.name.starts_with(b"wf") && u.name.len() == 8);
//! assert!(u.name[5..].iter().all(|c| b"23456789".contains(c)));
//! assert_eq!(u.comment, Some(batch.comment.to_text()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use rand::{CryptoRng, Rng, RngCore};

use crate::clock::Date;
use crate::error::{ValueError, VoucherError};
use crate::hotspot::mikhmon::{BatchComment, UserMode};
use crate::hotspot::HotspotUser;
use crate::text::Text;
use crate::value::Time;

/// MIKHMON's digits: no `0` or `1`.
pub const DIGITS: &[u8] = b"23456789";
/// MIKHMON's lower-case letters: no `l`, `o`, `q`.
pub const LOWER: &[u8] = b"abcdefghijkmnprstuvwxyz";
/// MIKHMON's capitals: no `I`, `O`, `Q`.
pub const UPPER: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// Largest batch (MIKHMON's form allows 1 to 500).
pub const MAX_COUNT: usize = 500;

/// Shapes with at most this many codes are enumerated and sampled without replacement, so a
/// nearly full space never runs out of draws.
const ENUMERATE_BELOW: u64 = 1 << 16;

/// The characters codes are drawn from (MIKHMON's names in [`FromStr`] and [`fmt::Display`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// `lower`.
    #[default]
    Lower,
    /// `upper`.
    Upper,
    /// `upplow`.
    UpperLower,
    /// `num` (`vc` mode only).
    Digits,
    /// `mix`: digits and lower case.
    DigitsLower,
    /// `mix1`: digits and capitals.
    DigitsUpper,
    /// `mix2`: digits, capitals and lower case.
    DigitsUpperLower,
}

impl Charset {
    /// The characters, in MIKHMON's order.
    pub fn chars(self) -> Vec<u8> {
        let parts: &[&[u8]] = match self {
            Charset::Lower => &[LOWER],
            Charset::Upper => &[UPPER],
            Charset::UpperLower => &[UPPER, LOWER],
            Charset::Digits => &[DIGITS],
            Charset::DigitsLower => &[DIGITS, LOWER],
            Charset::DigitsUpper => &[DIGITS, UPPER],
            Charset::DigitsUpperLower => &[DIGITS, UPPER, LOWER],
        };
        parts.concat()
    }

    /// MIKHMON's name: `lower`, `upper`, `upplow`, `num`, `mix`, `mix1`, `mix2`.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Lower => "lower",
            Charset::Upper => "upper",
            Charset::UpperLower => "upplow",
            Charset::Digits => "num",
            Charset::DigitsLower => "mix",
            Charset::DigitsUpper => "mix1",
            Charset::DigitsUpperLower => "mix2",
        }
    }

    fn is_letters(self) -> bool {
        matches!(self, Charset::Lower | Charset::Upper | Charset::UpperLower)
    }
}

impl FromStr for Charset {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Ok(match s {
            "lower" => Charset::Lower,
            "upper" => Charset::Upper,
            "upplow" => Charset::UpperLower,
            "num" => Charset::Digits,
            "mix" => Charset::DigitsLower,
            "mix1" => Charset::DigitsUpper,
            "mix2" => Charset::DigitsUpperLower,
            _ => return Err(ValueError::new("character set", s)),
        })
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Digits at the end of a `vc` code with a letter set, by length (MIKHMON's
/// `$a = array("1" => "", "", 1, 2, 2, 3, 3, 4)`).
pub fn vc_digits(length: usize) -> usize {
    match length {
        3 => 1,
        4 | 5 => 2,
        6 | 7 => 3,
        8 => 4,
        _ => 0,
    }
}

/// Builds a [`BatchSpec`]; [`build`](Self::build) checks the limits.
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    spec: BatchSpec,
}

impl BatchBuilder {
    /// A batch of `count` users of `profile`, generated on `date` (the router's or the
    /// operator's local date, as MIKHMON's `date("m.d.y")`). Defaults: lower-case letters,
    /// length 4 (MIKHMON's first choice), no prefix, server `all`, no limits, empty note.
    pub fn new(mode: UserMode, count: usize, profile: impl Into<Text>, date: Date) -> Self {
        BatchBuilder {
            spec: BatchSpec {
                mode,
                count,
                profile: profile.into(),
                date,
                charset: Charset::Lower,
                length: 4,
                prefix: String::new(),
                server: None,
                limit_uptime: Time::ZERO,
                limit_bytes_total: 0,
                note: Text::new(),
            },
        }
    }

    /// The character set.
    pub fn charset(&mut self, c: Charset) -> &mut Self {
        self.spec.charset = c;
        self
    }

    /// The code length without the prefix, 3..=8.
    pub fn length(&mut self, n: usize) -> &mut Self {
        self.spec.length = n;
        self
    }

    /// A prefix of at most 6 characters.
    pub fn prefix(&mut self, p: impl Into<String>) -> &mut Self {
        self.spec.prefix = p.into();
        self
    }

    /// The hotspot server (`None`: `all`).
    pub fn server(&mut self, s: Option<Text>) -> &mut Self {
        self.spec.server = s;
        self
    }

    /// `limit-uptime` of every user.
    pub fn limit_uptime(&mut self, t: Time) -> &mut Self {
        self.spec.limit_uptime = t;
        self
    }

    /// `limit-bytes-total` of every user (MIKHMON: MB × 1048576 or GB × 1073741824).
    pub fn limit_bytes_total(&mut self, bytes: u64) -> &mut Self {
        self.spec.limit_bytes_total = bytes;
        self
    }

    /// The note at the end of the batch comment.
    pub fn note(&mut self, n: impl Into<Text>) -> &mut Self {
        self.spec.note = n.into();
        self
    }

    /// Checks the limits and returns the spec.
    pub fn build(&self) -> Result<BatchSpec, VoucherError> {
        let s = &self.spec;
        if s.count == 0 || s.count > MAX_COUNT {
            return Err(VoucherError::Count(s.count));
        }
        if !(3..=8).contains(&s.length) {
            return Err(VoucherError::Length(s.length));
        }
        let prefix_ok = s.prefix.chars().count() <= 6
            && s.prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
        if !prefix_ok {
            return Err(VoucherError::Prefix(s.prefix.chars().take(64).collect()));
        }
        if s.note.len() > 64 || s.note.iter().any(|&b| b < 0x20 || b == 0x7f) {
            return Err(VoucherError::Note(
                s.note.to_string_lossy().chars().take(64).collect(),
            ));
        }
        if s.mode == UserMode::UserPassword && s.charset == Charset::Digits {
            return Err(VoucherError::Charset {
                charset: "num",
                mode: "up",
            });
        }
        Ok(s.clone())
    }
}

/// A checked batch description; [`generate`](Self::generate) draws the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchSpec {
    /// `up` or `vc`.
    pub mode: UserMode,
    /// How many users, 1..=500.
    pub count: usize,
    /// The users' profile.
    pub profile: Text,
    /// The generation date, written into the batch comment.
    pub date: Date,
    /// The character set.
    pub charset: Charset,
    /// Code length without the prefix, 3..=8.
    pub length: usize,
    /// Prefix (at most 6 characters).
    pub prefix: String,
    /// Hotspot server (`None`: `all`).
    pub server: Option<Text>,
    /// `limit-uptime` of every user.
    pub limit_uptime: Time,
    /// `limit-bytes-total` of every user.
    pub limit_bytes_total: u64,
    /// Note at the end of the batch comment.
    pub note: Text,
}

/// A generated batch: its comment and the users to add.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Batch {
    /// The comment every user carries.
    pub comment: BatchComment,
    /// The users, in generation order.
    pub users: Vec<HotspotUser>,
}

/// The shape of a code: positions and the characters each may take.
struct Shape {
    sets: Vec<Vec<u8>>,
}

impl Shape {
    fn of(spec: &BatchSpec) -> Self {
        let main = spec.charset.chars();
        let mut sets = Vec::with_capacity(spec.length);
        let digits = match spec.mode {
            UserMode::Voucher if spec.charset.is_letters() => vc_digits(spec.length),
            _ => 0,
        };
        for i in 0..spec.length {
            sets.push(if i + digits >= spec.length {
                DIGITS.to_vec()
            } else {
                main.clone()
            });
        }
        Shape { sets }
    }

    /// How many codes exist (saturating).
    fn size(&self) -> u64 {
        self.sets
            .iter()
            .fold(1u64, |n, s| n.saturating_mul(s.len() as u64))
    }

    fn matches(&self, code: &[u8]) -> bool {
        code.len() == self.sets.len() && code.iter().zip(&self.sets).all(|(c, s)| s.contains(c))
    }

    /// The code number `n` (mixed radix, last position fastest).
    fn nth(&self, mut n: u64, out: &mut Vec<u8>) {
        let start = out.len();
        for s in self.sets.iter().rev() {
            let len = s.len() as u64;
            let i = usize::try_from(n % len).unwrap_or(0);
            out.push(s.get(i).copied().unwrap_or(b'2'));
            n /= len;
        }
        if let Some(code) = out.get_mut(start..) {
            code.reverse();
        }
    }

    fn draw<R: RngCore + ?Sized>(&self, rng: &mut R, out: &mut Vec<u8>) {
        for s in &self.sets {
            let i = rng.gen_range(0..s.len());
            out.push(s.get(i).copied().unwrap_or(b'2'));
        }
    }
}

fn random_digits<R: RngCore + ?Sized>(rng: &mut R, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            DIGITS
                .get(rng.gen_range(0..DIGITS.len()))
                .copied()
                .unwrap_or(b'2')
        })
        .collect()
}

impl BatchSpec {
    /// Draws the batch: `count` user names that are neither in `existing` nor repeated, each
    /// with its password, and the batch comment (its code drawn from 100..=999).
    ///
    /// Fails with [`VoucherError::SpaceTooSmall`] when codes of this shape cannot cover the
    /// batch next to the existing names of the same shape, and with
    /// [`VoucherError::Exhausted`] if the draws keep colliding (at most 100 per user).
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(
        &self,
        existing: &HashSet<Text>,
        rng: &mut R,
    ) -> Result<Batch, VoucherError> {
        let shape = Shape::of(self);
        let prefix = self.prefix.as_bytes();
        let taken = existing
            .iter()
            .filter(|n| {
                n.strip_prefix(prefix)
                    .is_some_and(|code| shape.matches(code))
            })
            .count() as u64;
        let available = shape.size();
        let wanted = (self.count as u64).saturating_add(taken);
        if available < wanted {
            return Err(VoucherError::SpaceTooSmall { available, wanted });
        }
        let comment = BatchComment::new(
            self.mode,
            rng.gen_range(100..=999),
            self.date,
            self.note.clone(),
        );
        let comment_text = comment.to_text();
        let make = |name: Vec<u8>, rng: &mut R| {
            let password = match self.mode {
                UserMode::Voucher => name.clone(),
                UserMode::UserPassword => random_digits(rng, self.length),
            };
            let mut u = HotspotUser::new(name, password);
            u.profile = self.profile.clone();
            u.server = self.server.clone();
            u.limit_uptime = self.limit_uptime;
            u.limit_bytes_total = self.limit_bytes_total;
            u.comment = Some(comment_text.clone());
            u
        };
        if available <= ENUMERATE_BELOW {
            // Every free code, then a partial Fisher-Yates shuffle picks the batch.
            let mut free: Vec<Vec<u8>> = Vec::new();
            for n in 0..available {
                let mut name = Vec::with_capacity(prefix.len() + self.length);
                name.extend_from_slice(prefix);
                shape.nth(n, &mut name);
                if !existing.contains(&name[..]) {
                    free.push(name);
                }
            }
            let mut users = Vec::with_capacity(self.count);
            for i in 0..self.count.min(free.len()) {
                let j = rng.gen_range(i..free.len());
                free.swap(i, j);
                let name = std::mem::take(free.get_mut(i).ok_or(VoucherError::Exhausted(i))?);
                users.push(make(name, rng));
            }
            if users.len() < self.count {
                return Err(VoucherError::SpaceTooSmall { available, wanted });
            }
            return Ok(Batch { comment, users });
        }
        let max_draws = self.count * 100;
        let mut draws = 0;
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(self.count);
        let mut users = Vec::with_capacity(self.count);
        while users.len() < self.count {
            if draws >= max_draws {
                return Err(VoucherError::Exhausted(draws));
            }
            draws += 1;
            let mut name = Vec::with_capacity(prefix.len() + self.length);
            name.extend_from_slice(prefix);
            shape.draw(rng, &mut name);
            if existing.contains(&name[..]) || !seen.insert(name.clone()) {
                continue;
            }
            users.push(make(name, rng));
        }
        Ok(Batch { comment, users })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn date() -> Date {
        Date::new(2024, 7, 15).unwrap()
    }

    #[test]
    fn charsets_are_mikhmons() {
        assert_eq!(LOWER.len(), 23);
        assert_eq!(UPPER.len(), 23);
        assert_eq!(Charset::DigitsUpperLower.chars().len(), 54);
        for c in Charset::DigitsUpperLower.chars() {
            assert!(!b"01OIlQqo".contains(&c), "{}", char::from(c));
        }
        for name in ["lower", "upper", "upplow", "num", "mix", "mix1", "mix2"] {
            assert_eq!(name.parse::<Charset>().unwrap().to_string(), name);
        }
        assert_eq!(
            (3..=8).map(vc_digits).collect::<Vec<_>>(),
            [1, 2, 2, 3, 3, 4]
        );
    }

    #[test]
    fn every_mode_and_set_has_its_shape() {
        let mut rng = StdRng::seed_from_u64(1);
        for mode in [UserMode::UserPassword, UserMode::Voucher] {
            for cs in [
                Charset::Lower,
                Charset::Upper,
                Charset::UpperLower,
                Charset::Digits,
                Charset::DigitsLower,
                Charset::DigitsUpper,
                Charset::DigitsUpperLower,
            ] {
                for len in 3..=8 {
                    let built = BatchBuilder::new(mode, 20, "p", date())
                        .charset(cs)
                        .length(len)
                        .prefix("x-")
                        .build();
                    if mode == UserMode::UserPassword && cs == Charset::Digits {
                        assert!(built.is_err());
                        continue;
                    }
                    let batch = built.unwrap().generate(&HashSet::new(), &mut rng).unwrap();
                    let set = cs.chars();
                    for u in &batch.users {
                        let code = u.name.strip_prefix(b"x-").unwrap();
                        assert_eq!(code.len(), len);
                        let digits = if mode == UserMode::Voucher && cs.is_letters() {
                            vc_digits(len)
                        } else {
                            0
                        };
                        let (head, tail) = code.split_at(len - digits);
                        assert!(head.iter().all(|c| set.contains(c)), "{:?}", u.name);
                        assert!(tail.iter().all(|c| DIGITS.contains(c)), "{:?}", u.name);
                        let pw = u.password.expose();
                        match mode {
                            UserMode::Voucher => assert_eq!(pw, &u.name),
                            UserMode::UserPassword => {
                                assert_eq!(pw.len(), len);
                                assert!(pw.iter().all(|c| DIGITS.contains(c)));
                            }
                        }
                        assert_eq!(u.comment.as_ref(), Some(&batch.comment.to_text()));
                        assert_eq!(u.profile, "p");
                    }
                    assert!((100..=999).contains(&batch.comment.code));
                }
            }
        }
    }

    #[test]
    fn unique_against_existing_and_within_the_batch() {
        // 8^3 = 512 codes; 500 are taken, 12 remain: a batch of 12 must find exactly them.
        let spec = BatchBuilder::new(UserMode::Voucher, 12, "p", date())
            .charset(Charset::Digits)
            .length(3)
            .build()
            .unwrap();
        let mut all: Vec<Text> = Vec::new();
        for a in DIGITS {
            for b in DIGITS {
                for c in DIGITS {
                    all.push(Text::from(vec![*a, *b, *c]));
                }
            }
        }
        let existing: HashSet<Text> = all.iter().take(500).cloned().collect();
        let mut rng = StdRng::seed_from_u64(9);
        let batch = spec.generate(&existing, &mut rng).unwrap();
        let mut got: Vec<Text> = batch.users.iter().map(|u| u.name.clone()).collect();
        got.sort();
        let mut rest: Vec<Text> = all.iter().skip(500).cloned().collect();
        rest.sort();
        assert_eq!(got, rest);
        // One more than the space holds is refused before drawing.
        let spec13 = BatchBuilder::new(UserMode::Voucher, 13, "p", date())
            .charset(Charset::Digits)
            .length(3)
            .build()
            .unwrap();
        assert_eq!(
            spec13.generate(&existing, &mut rng).unwrap_err(),
            VoucherError::SpaceTooSmall {
                available: 512,
                wanted: 513
            }
        );
        // Names of another shape do not count against the space.
        let other: HashSet<Text> = ["abcd", "x234", "2345"].map(Text::from).into();
        assert!(spec13.generate(&other, &mut rng).is_ok());
    }

    #[test]
    fn limits() {
        let b = |n| BatchBuilder::new(UserMode::Voucher, n, "p", date()).build();
        assert_eq!(b(0).unwrap_err(), VoucherError::Count(0));
        assert_eq!(b(501).unwrap_err(), VoucherError::Count(501));
        assert!(b(500).is_ok());
        let mut x = BatchBuilder::new(UserMode::Voucher, 1, "p", date());
        assert_eq!(x.length(2).build().unwrap_err(), VoucherError::Length(2));
        assert_eq!(x.length(9).build().unwrap_err(), VoucherError::Length(9));
        x.length(5);
        assert!(x.prefix("abcdefg").build().is_err());
        assert!(x.prefix("a b").build().is_err());
        assert!(x.prefix("a\"b").build().is_err());
        assert!(x.prefix("wifi-").build().is_ok());
        assert!(x.note("a\nb").build().is_err());
        assert!(x.note("warung pak rt").build().is_ok());
    }
}
