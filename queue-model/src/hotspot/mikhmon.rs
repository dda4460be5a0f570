//! MIKHMON's data formats, the de-facto contract of Indonesian hotspot voucher sellers.
//!
//! MIKHMON (laksa19/mikhmonv3) keeps everything on the router:
//!
//! - a user profile's **on-login script starts with a header**,
//!   `:put (",MODE,PRICE,VALIDITY,SELLPRICE,,LOCK,")`, which MIKHMON reads back by splitting
//!   the script on `,` ([`OnLoginHeader`]); the rest of the script runs on every login;
//! - a generated voucher's **comment is its batch**, `vc-482-07.15.24-warung`
//!   ([`BatchComment`]); on the first login the script replaces it with the **expiry**,
//!   `jul/16/2024 10:23:45` (`2024-07-16 10:23:45` from RouterOS 7.10 with the mikhmon-ros7
//!   fork) — see [`UserComment`] and [`voucher_state`];
//! - each **sale** (first login, with a recording mode) becomes a `/system script` whose name
//!   is `DATE-|-TIME-|-USER-|-PRICE-|-ADDRESS-|-MAC-|-VALIDITY-|-PROFILE-|-COMMENT`, with
//!   `owner=MONTHYEAR`, `source=DATE`, `comment=mikhmon` ([`SalesRecord`]).
//!
//! RouterOS 7.10 changed `/system clock get date` from `jul/15/2024` to `2024-07-15`, which
//! MIKHMON's `:pick` offsets do not expect (laksa19/mikhmonv3 issues 57 and 61). The fork
//! dianrp-space/mikhmon-ros7 picks `[:pick $date 0 4]` (year) and `[:pick $date 5 7]` (month),
//! so its records have `owner=072024`, `source=2024-07-15`. Everything here reads both forms
//! and writes the form of a given [`DateStyle`].
//!
//! ```
//! use queue_model::clock::DateStyle;
//! use queue_model::hotspot::mikhmon::{ExpiryMode, OnLoginHeader, SalesRecord};
//!
//! let h = OnLoginHeader::from_script(br#":put (",remc,5000,1d,0,,Disable,"); {:local x 1}"#)?;
//! assert_eq!(h.mode, Some(ExpiryMode::RemoveAndRecord));
//! assert_eq!(h.price.0, 5000);
//! assert_eq!(h.validity.unwrap().to_string(), "1d");
//!
//! let r = SalesRecord::parse(
//!     b"2024-07-15-|-10:23:45-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:FF-|-1d-|-1Day-|-vc-482-07.15.24-warung",
//! )?;
//! assert_eq!(r.owner(DateStyle::Legacy), "jul2024");
//! assert_eq!(r.owner(DateStyle::Iso), "072024");
//! assert_eq!(r.script_name(DateStyle::Legacy).to_string(),
//!     "jul/15/2024-|-10:23:45-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:FF-|-1d-|-1Day-|-vc-482-07.15.24-warung");
//! # Ok::<(), queue_model::MikhmonError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use routeros_proto::Attributes;

use crate::clock::{Date, DateStyle, DateTime, MonthKey, TimeOfDay};
use crate::error::MikhmonError;
use crate::hotspot::HotspotUser;
use crate::text::Text;
use crate::value::Time;

/// Longest on-login script read, in bytes (RouterOS scripts are far shorter).
pub const MAX_SCRIPT: usize = 1 << 20;

/// Most header fields read (not counting the empty one after the trailing comma).
pub const MAX_HEADER_FIELDS: usize = 32;

/// Longest header field read, in bytes.
pub const MAX_HEADER_FIELD: usize = 256;

/// Longest header content (between the quotes) read, in bytes.
pub const MAX_HEADER: usize = MAX_HEADER_FIELDS * (MAX_HEADER_FIELD + 1) + 1;

/// Longest sales-record script name read, in bytes.
pub const MAX_RECORD: usize = 4096;

/// The `comment` MIKHMON gives its sales-record scripts.
pub const RECORD_COMMENT: &str = "mikhmon";

/// A price in whole currency units (rupiah): MIKHMON stores digits (`5000`), never fractions
/// or thousands separators.
///
/// ```
/// use queue_model::hotspot::mikhmon::Amount;
/// assert_eq!("5000".parse::<Amount>()?, Amount(5000));
/// assert!("5.000".parse::<Amount>().is_err());
/// assert!("Rp5000".parse::<Amount>().is_err());
/// # Ok::<(), queue_model::MikhmonError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub u64);

impl Amount {
    fn parse_field(s: &str, field: &'static str) -> Result<Self, MikhmonError> {
        if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MikhmonError::BadPrice {
                field,
                value: MikhmonError::cut(s),
            });
        }
        s.parse().map(Amount).map_err(|_| MikhmonError::BadPrice {
            field,
            value: MikhmonError::cut(s),
        })
    }
}

impl FromStr for Amount {
    type Err = MikhmonError;
    fn from_str(s: &str) -> Result<Self, MikhmonError> {
        Amount::parse_field(s, "price")
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How long a voucher stays valid after its first login, on the wall clock (not online time:
/// that is `limit-uptime`). Written like `30d`, `12h`, `5h30m`, `1w2d`; rendered in days,
/// hours, minutes and seconds (`1w2d` becomes `9d`), the way MIKHMON users write it.
///
/// ```
/// use queue_model::hotspot::mikhmon::Validity;
/// let v: Validity = "5h30m".parse()?;
/// assert_eq!(v.duration().as_millis(), 19_800_000);
/// assert_eq!("1w2d".parse::<Validity>()?.to_string(), "9d");
/// assert_eq!("30d".parse::<Validity>()?.to_string(), "30d");
/// # Ok::<(), queue_model::MikhmonError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Validity(Time);

impl Validity {
    /// A validity of `t`, rounded down to whole seconds.
    pub fn new(t: Time) -> Self {
        Validity(Time::from_millis(t.as_millis() / 1000 * 1000))
    }

    /// The duration.
    pub fn duration(self) -> Time {
        self.0
    }
}

impl FromStr for Validity {
    type Err = MikhmonError;
    fn from_str(s: &str) -> Result<Self, MikhmonError> {
        let bad = || MikhmonError::BadValidity(MikhmonError::cut(s));
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"wdhms:".contains(&b));
        if !ok || s.contains("ms") {
            return Err(bad());
        }
        let t: Time = s.parse().map_err(|_| bad())?;
        if t.is_zero() {
            return Err(bad());
        }
        Ok(Validity::new(t))
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0.as_millis() / 1000;
        for (unit, secs) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
            if s >= secs {
                write!(f, "{}{unit}", s / secs)?;
                s %= secs;
            }
        }
        Ok(())
    }
}

/// What MIKHMON does when a voucher's validity runs out, and whether it records the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpiryMode {
    /// `rem`: remove the user.
    Remove,
    /// `ntf`: keep the user but set `limit-uptime=1s` ("notice": the login page says why).
    Notice,
    /// `remc`: remove, and record the sale at the first login.
    RemoveAndRecord,
    /// `ntfc`: notice, and record the sale at the first login.
    NoticeAndRecord,
}

impl ExpiryMode {
    /// The header code: `rem`, `ntf`, `remc`, `ntfc`.
    pub fn code(self) -> &'static str {
        match self {
            ExpiryMode::Remove => "rem",
            ExpiryMode::Notice => "ntf",
            ExpiryMode::RemoveAndRecord => "remc",
            ExpiryMode::NoticeAndRecord => "ntfc",
        }
    }

    /// True for the modes that write a sales record.
    pub fn records(self) -> bool {
        matches!(
            self,
            ExpiryMode::RemoveAndRecord | ExpiryMode::NoticeAndRecord
        )
    }

    /// True for the modes that remove expired users (the others set `limit-uptime=1s`).
    pub fn removes(self) -> bool {
        matches!(self, ExpiryMode::Remove | ExpiryMode::RemoveAndRecord)
    }
}

impl FromStr for ExpiryMode {
    type Err = MikhmonError;
    fn from_str(s: &str) -> Result<Self, MikhmonError> {
        Ok(match s {
            "rem" => ExpiryMode::Remove,
            "ntf" => ExpiryMode::Notice,
            "remc" => ExpiryMode::RemoveAndRecord,
            "ntfc" => ExpiryMode::NoticeAndRecord,
            _ => return Err(MikhmonError::UnknownMode(MikhmonError::cut(s))),
        })
    }
}

impl fmt::Display for ExpiryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The first statement of a MIKHMON profile's on-login script:
/// `:put (",MODE,PRICE,VALIDITY,SELLPRICE,,LOCK,")`.
///
/// Fields (split on `,`; MIKHMON's `explode(",", $onlogin)`): 1 the [`ExpiryMode`] (empty for a
/// profile without expiry, which then has `noexp` in field 5), 2 the price, 3 the validity,
/// 4 the selling price shown on vouchers, 6 `Enable`/`Disable` (lock the user to the MAC of its
/// first login). Some forks append fields after the lock (a single-session switch); they are
/// kept in `extra`.
///
/// Parsing tolerates blanks and line breaks before `:put`, between `:put` and `(`, around the
/// quoted text and before the `;`, an empty price or lock (read as 0 and `Disable`, as MIKHMON
/// does), and mode `0` (MIKHMON's form value for "none").
///
/// ```
/// use queue_model::hotspot::mikhmon::{Amount, ExpiryMode, OnLoginHeader};
/// let h: OnLoginHeader = r#" :put  ( ",ntf,3000,12h,3500,,Enable," ) ;"#.parse()?;
/// assert_eq!((h.mode, h.price, h.selling_price, h.mac_lock),
///            (Some(ExpiryMode::Notice), Amount(3000), Amount(3500), true));
/// assert_eq!(h.to_string(), r#":put (",ntf,3000,12h,3500,,Enable,")"#);
///
/// let none = OnLoginHeader::from_script(br#":put (",,2000,,,noexp,Disable,")"#)?;
/// assert_eq!((none.mode, none.validity), (None, None));
/// # Ok::<(), queue_model::MikhmonError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct OnLoginHeader {
    /// Field 1: what happens at expiry; `None` for a profile without expiry (`noexp`).
    pub mode: Option<ExpiryMode>,
    /// Field 2: the base price, recorded in sales.
    pub price: Amount,
    /// Field 3: the validity (absent without expiry).
    pub validity: Option<Validity>,
    /// Field 4: the selling price printed on vouchers (MIKHMON leaves it empty without expiry).
    pub selling_price: Amount,
    /// Field 6: `Enable` locks the user to the MAC address of its first login.
    pub mac_lock: bool,
    /// Fields after the lock that forks add, in order.
    pub extra: Vec<String>,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// True when a script starts like a MIKHMON header (`:put (",` after blanks), whether or not
/// the header then parses.
pub fn looks_like_header(script: &[u8]) -> bool {
    let i = skip_ws(script, 0);
    if script.get(i..i + 4) != Some(b":put") {
        return false;
    }
    let i = skip_ws(script, i + 4);
    if script.get(i) != Some(&b'(') {
        return false;
    }
    let i = skip_ws(script, i + 1);
    script.get(i..i + 2) == Some(b"\",")
}

impl OnLoginHeader {
    /// A header for a profile with expiry.
    pub fn new(mode: ExpiryMode, price: Amount, validity: Validity) -> Self {
        OnLoginHeader {
            mode: Some(mode),
            price,
            validity: Some(validity),
            ..Self::default()
        }
    }

    /// A header for a profile without expiry (`noexp`), which only carries a price.
    pub fn without_expiry(price: Amount) -> Self {
        OnLoginHeader {
            price,
            ..Self::default()
        }
    }

    /// Reads the header from a whole on-login script (it is the first statement).
    pub fn from_script(script: &[u8]) -> Result<Self, MikhmonError> {
        Self::parse_prefix(script).map(|(h, _)| h)
    }

    /// Reads the header at the start of `script`; also returns the byte offset just after it
    /// (after a `;` that ends it, when there is one).
    pub fn parse_prefix(script: &[u8]) -> Result<(Self, usize), MikhmonError> {
        if script.len() > MAX_SCRIPT {
            return Err(MikhmonError::TooLong {
                len: script.len(),
                max: MAX_SCRIPT,
            });
        }
        let malformed = |expected, at| MikhmonError::MalformedHeader { expected, at };
        let i = skip_ws(script, 0);
        if script.get(i..i + 4) != Some(b":put") {
            return Err(MikhmonError::NotAHeader);
        }
        let i = skip_ws(script, i + 4);
        if script.get(i) != Some(&b'(') {
            return Err(malformed("`(`", i));
        }
        let i = skip_ws(script, i + 1);
        if script.get(i) != Some(&b'"') {
            return Err(malformed("`\"`", i));
        }
        let start = i + 1;
        let len = script
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take(MAX_HEADER + 1)
            .position(|&b| b == b'"' || b == b'\n')
            .ok_or_else(|| malformed("a closing `\"`", start))?;
        let end = start + len;
        if script.get(end) != Some(&b'"') {
            return Err(malformed("a closing `\"`", end));
        }
        let content = script.get(start..end).unwrap_or_default();
        let i = skip_ws(script, end + 1);
        if script.get(i) != Some(&b')') {
            return Err(malformed("`)`", i));
        }
        let mut after = skip_ws(script, i + 1);
        if script.get(after) == Some(&b';') {
            after += 1;
        }
        let content = std::str::from_utf8(content).map_err(|_| MikhmonError::NotUtf8("header"))?;
        Ok((Self::from_fields(content, start)?, after))
    }

    /// Reads the text between the quotes (`,remc,5000,1d,0,,Disable,`), which starts at byte
    /// `start` of the script.
    fn from_fields(content: &str, start: usize) -> Result<Self, MikhmonError> {
        let mut fields: Vec<&str> = content.split(',').take(MAX_HEADER_FIELDS + 2).collect();
        // The trailing comma leaves an empty last field: it is not a field of its own.
        if fields.len() > 7 && fields.last() == Some(&"") {
            fields.pop();
        }
        if fields.len() < 7 || fields.len() > MAX_HEADER_FIELDS {
            return Err(MikhmonError::HeaderFields {
                found: fields.len(),
            });
        }
        let mut at = 0;
        for f in &fields {
            if f.len() > MAX_HEADER_FIELD {
                return Err(MikhmonError::MalformedHeader {
                    expected: "fields of at most 256 bytes",
                    at: start + at,
                });
            }
            at += f.len() + 1;
        }
        let f = |i: usize| fields.get(i).map_or("", |s| s.trim());
        let mode = match f(1) {
            "" | "0" => None,
            m => Some(m.parse()?),
        };
        let amount = |s: &str, field| {
            if s.is_empty() {
                Ok(Amount(0))
            } else {
                Amount::parse_field(s, field)
            }
        };
        let price = amount(f(2), "price")?;
        let validity = match f(3) {
            "" => None,
            v => Some(v.parse()?),
        };
        let selling_price = amount(f(4), "selling price")?;
        let mac_lock = match f(6) {
            "Enable" => true,
            "Disable" | "" => false,
            other => return Err(MikhmonError::BadLock(MikhmonError::cut(other))),
        };
        // Fields after the lock.
        let extra: Vec<String> = fields
            .get(7..)
            .unwrap_or_default()
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        Ok(OnLoginHeader {
            mode,
            price,
            validity,
            selling_price,
            mac_lock,
            extra,
        })
    }

    /// The whole on-login script for a profile named `profile`: this header, then what MIKHMON
    /// does at a voucher's first login, written for routers whose clock gives dates in `style`.
    ///
    /// At the first login (the comment is empty or still a batch comment, `vc…`/`up…`) the
    /// script computes the expiry with a scheduler of interval VALIDITY (as MIKHMON does, since
    /// RouterOS scripts have no date arithmetic before 7.x), writes it into the user's comment
    /// in the router's date form, records the sale as a `/system script` when the mode
    /// records, and locks the user to its MAC when the lock is on. The text is this crate's own;
    /// the data it leaves (comment, record name, `owner`, `source`, `comment=mikhmon`) is what
    /// MIKHMON reads, in the form its Legacy or ros7 edition expects.
    ///
    /// ```
    /// use queue_model::clock::DateStyle;
    /// use queue_model::hotspot::mikhmon::{Amount, ExpiryMode, OnLoginHeader};
    /// let h = OnLoginHeader::new(ExpiryMode::RemoveAndRecord, Amount(5000), "1d".parse()?);
    /// let script = h.render_script(&"1Day".into(), DateStyle::Iso);
    /// let text = script.to_string();
    /// assert!(text.starts_with(r#":put (",remc,5000,1d,0,,Disable,"); {"#));
    /// assert!(text.contains(r#"owner="$month$year" source=$date comment=mikhmon"#));
    /// assert!(text.contains(":local year [:pick $date 0 4]"));
    /// assert_eq!(OnLoginHeader::from_script(script.as_bytes())?, h);
    /// # Ok::<(), queue_model::MikhmonError>(())
    /// ```
    pub fn render_script(&self, profile: &Text, style: DateStyle) -> Text {
        let mut s = self.to_string();
        let lock = "; /ip hotspot user set [find where name=$user] mac-address=$\"mac-address\"";
        let (Some(mode), Some(validity)) = (self.mode, self.validity) else {
            if self.mac_lock {
                s.push_str(lock);
            }
            return Text::from(s);
        };
        let (year, month) = match style {
            DateStyle::Legacy => (":pick $date 7 11", ":pick $date 0 3"),
            DateStyle::Iso => (":pick $date 0 4", ":pick $date 5 7"),
        };
        s.push_str("; {:local comment [/ip hotspot user get [find where name=$user] comment]; ");
        s.push_str(":local ucode [:pick $comment 0 2]; ");
        s.push_str(":if ($ucode = \"vc\" or $ucode = \"up\" or $comment = \"\") do={");
        s.push_str(":local date [/system clock get date]; :local time [/system clock get time]; ");
        s.push_str(&format!(":local year [{year}]; :local month [{month}]; "));
        s.push_str(&format!(
            "/system scheduler add name=$user disabled=no start-date=$date start-time=$time \
             interval={validity}; :delay 5s; "
        ));
        s.push_str(":local exp [/system scheduler get [find where name=$user] next-run]; ");
        s.push_str(":local n [:len $exp]; ");
        match style {
            DateStyle::Legacy => {
                // `jul/16 10:23:45` (this year) gets the year; a bare time gets today's date.
                s.push_str(
                    ":if ($n = 15) do={:set exp ([:pick $exp 0 6] . \"/\" . $year . \" \" . \
                     [:pick $exp 7 15])}; ",
                );
            }
            DateStyle::Iso => {
                // `07-16 10:23:45` gets the year; `jul/16 10:23:45` is converted; a bare time
                // gets today's date.
                s.push_str(":if ($n = 14) do={:set exp ($year . \"-\" . $exp)}; ");
                s.push_str(
                    ":if ($n = 15) do={:local m ([:find \"janfebmaraprmayjunjulaugsepoctnovdec\" \
                     [:pick $exp 0 3]] / 3 + 1); :if ($m < 10) do={:set m (\"0\" . $m)}; \
                     :set exp ($year . \"-\" . $m . \"-\" . [:pick $exp 4 6] . \" \" . \
                     [:pick $exp 7 15])}; ",
                );
            }
        }
        s.push_str(":if ($n = 8) do={:set exp ($date . \" \" . $exp)}; ");
        s.push_str("/ip hotspot user set [find where name=$user] comment=$exp; :delay 5s; ");
        s.push_str("/system scheduler remove [find where name=$user]");
        let mut out = s.into_bytes();
        if mode.records() {
            out.extend_from_slice(
                b"; :local mac $\"mac-address\"; /system script add name=\"$date-|-$time-|-$user-|-",
            );
            out.extend_from_slice(
                format!("{}-|-$address-|-$mac-|-{validity}-|-", self.price).as_bytes(),
            );
            push_script_string(&mut out, profile.as_bytes());
            out.extend_from_slice(
                b"-|-$comment\" owner=\"$month$year\" source=$date comment=mikhmon",
            );
        }
        if self.mac_lock {
            out.extend_from_slice(lock.as_bytes());
        }
        out.extend_from_slice(b"}}");
        Text::from(out)
    }
}

/// Appends bytes inside a RouterOS script string literal, escaping what the script language
/// would read (`"`, `\`, `$`) and bytes outside printable ASCII as `\HH`.
fn push_script_string(out: &mut Vec<u8>, v: &[u8]) {
    for &b in v {
        match b {
            b'"' | b'\\' | b'$' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:02X}").as_bytes()),
        }
    }
}

impl FromStr for OnLoginHeader {
    type Err = MikhmonError;
    /// Reads a header (and ignores what follows it).
    fn from_str(s: &str) -> Result<Self, MikhmonError> {
        Self::from_script(s.as_bytes())
    }
}

impl fmt::Display for OnLoginHeader {
    /// The header statement, `:put (",remc,5000,1d,0,,Disable,")`, as MIKHMON writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lock = if self.mac_lock { "Enable" } else { "Disable" };
        match self.mode {
            Some(mode) => write!(
                f,
                ":put (\",{mode},{},{},{},,{lock},",
                self.price,
                self.validity.map(|v| v.to_string()).unwrap_or_default(),
                self.selling_price
            )?,
            // MIKHMON writes `,,PRICE,,,noexp,LOCK,`; a validity or selling price that a
            // hand-edited header has without a mode is kept in its field.
            None => write!(
                f,
                ":put (\",,{},{},{},noexp,{lock},",
                self.price,
                self.validity.map(|v| v.to_string()).unwrap_or_default(),
                if self.selling_price.0 == 0 {
                    String::new()
                } else {
                    self.selling_price.to_string()
                }
            )?,
        }
        for e in &self.extra {
            write!(f, "{e},")?;
        }
        f.write_str("\")")
    }
}

/// How a batch was generated: `up` (user name and password differ) or `vc` (the code is both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserMode {
    /// `up`: user name plus a numeric password.
    UserPassword,
    /// `vc`: a voucher code that is both name and password.
    Voucher,
}

impl UserMode {
    /// `up` or `vc`.
    pub fn code(self) -> &'static str {
        match self {
            UserMode::UserPassword => "up",
            UserMode::Voucher => "vc",
        }
    }
}

/// The comment MIKHMON gives every user of a generated batch, `vc-482-07.15.24-warung`:
/// mode, a random batch code 100..999, the generation date (`m.d.y`, PHP's `date("m.d.y")`)
/// and the operator's note (possibly empty: `vc-482-07.15.24-`). Printing and deleting a batch
/// go by this comment, and its first two letters tell MIKHMON's script that the voucher was
/// never used.
///
/// ```
/// use queue_model::hotspot::mikhmon::{BatchComment, UserMode};
/// let c = BatchComment::parse(b"vc-482-07.15.24-warung-pak-rt")?;
/// assert_eq!((c.mode, c.code, c.note.to_string().as_str()), (UserMode::Voucher, 482, "warung-pak-rt"));
/// assert_eq!(c.date.to_string(), "2024-07-15");
/// assert_eq!(c.to_text().to_string(), "vc-482-07.15.24-warung-pak-rt");
/// # Ok::<(), queue_model::MikhmonError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BatchComment {
    /// `up` or `vc`.
    pub mode: UserMode,
    /// The batch code, 0..=999, written with three digits.
    pub code: u16,
    /// The generation date (two-digit years are 2000..2099).
    pub date: Date,
    /// The operator's note (the router's bytes; may be empty).
    pub note: Text,
}

impl BatchComment {
    /// A batch comment.
    pub fn new(mode: UserMode, code: u16, date: Date, note: impl Into<Text>) -> Self {
        BatchComment {
            mode,
            code: code.min(999),
            date,
            note: note.into(),
        }
    }

    /// Reads a comment; the note may contain anything, `-` included.
    pub fn parse(comment: &[u8]) -> Result<Self, MikhmonError> {
        let bad =
            || MikhmonError::BadBatchComment(MikhmonError::cut(&String::from_utf8_lossy(comment)));
        if comment.len() > MAX_RECORD {
            return Err(MikhmonError::TooLong {
                len: comment.len(),
                max: MAX_RECORD,
            });
        }
        let mut parts = comment.splitn(4, |&b| b == b'-');
        let (mode, code, date, note) = (parts.next(), parts.next(), parts.next(), parts.next());
        let mode = match mode {
            Some(b"up") => UserMode::UserPassword,
            Some(b"vc") => UserMode::Voucher,
            _ => return Err(bad()),
        };
        let code = code
            .filter(|c| c.len() == 3 && c.iter().all(u8::is_ascii_digit))
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.parse().ok())
            .ok_or_else(bad)?;
        let date = date
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(parse_mdy)
            .ok_or_else(bad)?;
        Ok(BatchComment {
            mode,
            code,
            date,
            note: Text::from(note.ok_or_else(bad)?),
        })
    }

    /// The comment text, `vc-482-07.15.24-warung`.
    pub fn to_text(&self) -> Text {
        let mut out = format!(
            "{}-{:03}-{:02}.{:02}.{:02}-",
            self.mode.code(),
            self.code,
            self.date.month(),
            self.date.day(),
            self.date.year() % 100
        )
        .into_bytes();
        out.extend_from_slice(self.note.as_bytes());
        Text::from(out)
    }
}

/// `07.15.24` → 2024-07-15.
fn parse_mdy(s: &str) -> Option<Date> {
    let mut it = s.split('.');
    let (m, d, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let two = |x: &str| {
        (x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse::<u8>().ok())
            .flatten()
    };
    Date::new(2000 + u16::from(two(y)?), two(m)?, two(d)?)
}

/// What a hotspot user's comment says in MIKHMON's terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserComment {
    /// No comment.
    Empty,
    /// A batch comment: generated, and (as far as the comment tells) not logged in yet.
    Batch(BatchComment),
    /// An expiry written at the first login (`jul/16/2024 10:23:45` or `2024-07-16 10:23:45`).
    Expiry(DateTime),
    /// Something else (a name, a note): not MIKHMON's.
    Other(Text),
}

impl UserComment {
    /// Reads a comment.
    ///
    /// ```
    /// use queue_model::hotspot::mikhmon::UserComment;
    /// assert!(matches!(UserComment::parse(b"2024-07-16 10:23:45"), UserComment::Expiry(_)));
    /// assert!(matches!(UserComment::parse(b"jul/16/2024 10:23:45"), UserComment::Expiry(_)));
    /// assert!(matches!(UserComment::parse(b"up-101-01.02.25-"), UserComment::Batch(_)));
    /// assert!(matches!(UserComment::parse(b"Pak RT"), UserComment::Other(_)));
    /// ```
    pub fn parse(comment: &[u8]) -> Self {
        if comment.is_empty() {
            return UserComment::Empty;
        }
        if let Ok(b) = BatchComment::parse(comment) {
            return UserComment::Batch(b);
        }
        let expiry = (comment.len() <= 32)
            .then(|| std::str::from_utf8(comment).ok())
            .flatten()
            .and_then(|s| s.trim().parse::<DateTime>().ok());
        match expiry {
            Some(e) => UserComment::Expiry(e),
            None => UserComment::Other(Text::from(comment)),
        }
    }
}

/// Where a voucher is in its life, from its comment, its uptime and the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VoucherState {
    /// Generated and never logged in (batch or empty comment, uptime 0s).
    Unused,
    /// Logged in, but no expiry written (a profile without validity, or the first-login script
    /// has not finished).
    Used,
    /// Logged in and valid until this time.
    Active {
        /// When it runs out.
        expires: DateTime,
    },
    /// Its validity ran out at this time (MIKHMON's monitor removes it or sets
    /// `limit-uptime=1s` within a few minutes).
    Expired {
        /// When it ran out.
        at: DateTime,
    },
    /// Not a MIKHMON voucher (its comment is something else).
    Unknown,
}

/// The state of a hotspot user at wall-clock time `now` (the router's clock, in its time zone,
/// as MIKHMON compares them).
///
/// ```
/// use queue_model::hotspot::HotspotUser;
/// use queue_model::hotspot::mikhmon::{voucher_state, VoucherState};
/// use queue_model::Time;
///
/// let now = "2024-07-16 09:00:00".parse()?;
/// let mut u = HotspotUser::new("abk37", "abk37");
/// u.comment = Some("vc-482-07.15.24-warung".into());
/// assert_eq!(voucher_state(&u, now), VoucherState::Unused);
/// u.comment = Some("jul/16/2024 10:23:45".into());
/// u.stats.uptime = Time::from_secs(600);
/// assert!(matches!(voucher_state(&u, now), VoucherState::Active { .. }));
/// assert!(matches!(voucher_state(&u, "2024-07-16 10:23:46".parse()?), VoucherState::Expired { .. }));
/// # Ok::<(), queue_model::ValueError>(())
/// ```
pub fn voucher_state(user: &HotspotUser, now: DateTime) -> VoucherState {
    let comment = user.comment.as_ref().map_or(&b""[..], |c| c.as_bytes());
    let used = !user.stats.uptime.is_zero();
    match UserComment::parse(comment) {
        UserComment::Empty | UserComment::Batch(_) if !used => VoucherState::Unused,
        UserComment::Empty | UserComment::Batch(_) => VoucherState::Used,
        UserComment::Expiry(e) if now > e => VoucherState::Expired { at: e },
        UserComment::Expiry(e) => VoucherState::Active { expires: e },
        UserComment::Other(_) => VoucherState::Unknown,
    }
}

/// One sale as MIKHMON records it: a `/system script` named
/// `DATE-|-TIME-|-USER-|-PRICE-|-ADDRESS-|-MAC-|-VALIDITY-|-PROFILE-|-COMMENT` with
/// `owner=MONTHYEAR source=DATE comment=mikhmon`, written at the voucher's first login.
///
/// The date is read in either form and written in the form of a [`DateStyle`]; a comment that
/// itself contains `-|-` is kept whole (everything after the eighth separator). MIKHMON escapes
/// nothing, so another field holding `-|` or `|-` can join a separator and shift the fields
/// after it: such a record does not read back as written (real ones never hold them).
///
/// ```
/// use queue_model::clock::DateStyle;
/// use queue_model::hotspot::mikhmon::SalesRecord;
/// let name = b"jul/15/2024-|-10:23:45-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:FF-|-1d-|-1Day-|-vc-482-07.15.24-warung";
/// let r = SalesRecord::parse(name)?;
/// assert_eq!(r.price.0, 5000);
/// assert_eq!(r.profile, "1Day");
/// assert_eq!(r.script_name(DateStyle::Legacy).as_bytes(), &name[..]);
/// assert_eq!(r.source(DateStyle::Iso), "2024-07-15");
/// let e = SalesRecord::parse(b"jul/15/2024-|-10:23:45-|-abk37-|-lima ribu-|-a-|-m-|-1d-|-p-|-c")
///     .unwrap_err();
/// assert_eq!(e.code(), "bad-price");
/// # Ok::<(), queue_model::MikhmonError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SalesRecord {
    /// The day of the sale (the first login).
    pub date: Date,
    /// The time of the sale.
    pub time: TimeOfDay,
    /// The user (voucher code).
    pub user: Text,
    /// The base price of the profile at the time (not the selling price).
    pub price: Amount,
    /// The user's address (`$address`), as written.
    pub address: Text,
    /// The user's MAC (`$"mac-address"`), as written.
    pub mac: Text,
    /// The validity, as written.
    pub validity: Text,
    /// The profile.
    pub profile: Text,
    /// The user's comment at the first login (its batch).
    pub comment: Text,
}

const SEP: &[u8] = b"-|-";

fn split_sep(s: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(9);
    let mut rest = s;
    while out.len() < 8 {
        match rest.windows(SEP.len()).position(|w| w == SEP) {
            Some(i) => {
                out.push(rest.get(..i).unwrap_or_default());
                rest = rest.get(i + SEP.len()..).unwrap_or_default();
            }
            None => break,
        }
    }
    out.push(rest);
    out
}

impl SalesRecord {
    /// A sale of `user` at `price` on `date` at `time`; the other fields are empty until set.
    ///
    /// ```
    /// use queue_model::clock::DateStyle;
    /// use queue_model::hotspot::mikhmon::{Amount, SalesRecord};
    /// let mut r = SalesRecord::new("2024-07-15".parse()?, "10:23:45".parse()?, "abk37", Amount(5000));
    /// r.profile = "1Day".into();
    /// assert_eq!(r.script_name(DateStyle::Legacy).to_string(), "jul/15/2024-|-10:23:45-|-abk37-|-5000-|--|--|--|-1Day-|-");
    /// # Ok::<(), queue_model::ValueError>(())
    /// ```
    pub fn new(date: Date, time: TimeOfDay, user: impl Into<Text>, price: Amount) -> Self {
        SalesRecord {
            date,
            time,
            user: user.into(),
            price,
            address: Text::new(),
            mac: Text::new(),
            validity: Text::new(),
            profile: Text::new(),
            comment: Text::new(),
        }
    }

    /// Reads a record from its script name.
    pub fn parse(name: &[u8]) -> Result<Self, MikhmonError> {
        if name.len() > MAX_RECORD {
            return Err(MikhmonError::TooLong {
                len: name.len(),
                max: MAX_RECORD,
            });
        }
        let f = split_sep(name);
        let [date, time, user, price, address, mac, validity, profile, comment] = f[..] else {
            return Err(MikhmonError::RecordFields { found: f.len() });
        };
        fn text<'a>(b: &'a [u8], what: &'static str) -> Result<&'a str, MikhmonError> {
            std::str::from_utf8(b).map_err(|_| MikhmonError::NotUtf8(what))
        }
        let date_s = text(date, "date")?;
        let date = date_s
            .parse()
            .map_err(|_| MikhmonError::BadDate(MikhmonError::cut(date_s)))?;
        let time_s = text(time, "time")?;
        let time = time_s
            .parse()
            .map_err(|_| MikhmonError::BadTime(MikhmonError::cut(time_s)))?;
        let price = Amount::parse_field(text(price, "price")?, "price")?;
        Ok(SalesRecord {
            date,
            time,
            user: Text::from(user),
            price,
            address: Text::from(address),
            mac: Text::from(mac),
            validity: Text::from(validity),
            profile: Text::from(profile),
            comment: Text::from(comment),
        })
    }

    /// Reads a record from a `/system/script/print` row: the `name` is parsed; rows whose
    /// `comment` is not `mikhmon` are refused with [`MikhmonError::RecordFields`] of 0 fields
    /// (they are not sales).
    pub fn from_attributes(row: &Attributes) -> Result<Self, MikhmonError> {
        let mut name = None;
        let mut comment = None;
        for (k, v) in row {
            match k {
                b"name" => name = Some(v),
                b"comment" => comment = Some(v),
                _ => {}
            }
        }
        match (name, comment) {
            (Some(n), Some(c)) if c == RECORD_COMMENT.as_bytes() => Self::parse(n),
            _ => Err(MikhmonError::RecordFields { found: 0 }),
        }
    }

    /// The month of the sale.
    pub fn month(&self) -> MonthKey {
        self.date.month_key()
    }

    /// The script name in `style`.
    pub fn script_name(&self, style: DateStyle) -> Text {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(self.date.render(style).as_bytes());
        for part in [
            self.time.to_string().as_bytes(),
            self.user.as_bytes(),
            self.price.to_string().as_bytes(),
            self.address.as_bytes(),
            self.mac.as_bytes(),
            self.validity.as_bytes(),
            self.profile.as_bytes(),
            self.comment.as_bytes(),
        ] {
            out.extend_from_slice(SEP);
            out.extend_from_slice(part);
        }
        Text::from(out)
    }

    /// `owner=` in `style`: `jul2024` or `072024`.
    pub fn owner(&self, style: DateStyle) -> String {
        self.month().render(style)
    }

    /// `source=` in `style`: the date.
    pub fn source(&self, style: DateStyle) -> String {
        self.date.render(style)
    }

    /// The words of the `/system/script/add` that records this sale.
    pub fn to_attributes(&self, style: DateStyle) -> Attributes {
        let mut a = Attributes::new();
        a.push("name", self.script_name(style));
        a.push("owner", self.owner(style));
        a.push("source", self.source(style));
        a.push("comment", RECORD_COMMENT);
        a
    }
}

#[cfg(test)]
#[path = "mikhmon_tests.rs"]
mod tests;
