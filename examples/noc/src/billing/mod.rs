//! Monthly PPPoE billing: packages, customers, invoices, payments, reminders, and isolation
//! ("isolir") of customers who have not paid.
//!
//! The pieces, one way down:
//! - [`money`]: integer amounts in the configured currency, parsed from what people type
//!   (`150.000`, `150rb`, `Rp 150.000`) and shown as `Rp 150.000`;
//! - [`cycle`]: the month's rules as a pure function: given a date and each customer's
//!   invoices and payments, which invoices to issue, reminders to send, customers to isolate
//!   and to restore. Nothing in it does I/O, so it is tested by tables of dates;
//! - [`ledger`]: invoices paid oldest first, balances and arrears;
//! - [`run`]: one cycle against the database and the routers (through
//!   [`crate::routers::ppp`]): invoices stored idempotently, reminders queued once, isolation
//!   only where the router's state was read, everything audited; the same function serves the
//!   daily run, the dashboard's "run now" and `noc billing run`.
//!
//! Customer messages (reminders, isolation notices) are stored in the database first and
//! handed to the chat channels by the running dashboard ([`run::deliver_messages`]), so a
//! cycle run from the command line loses none.

pub mod cycle;
pub mod ledger;
pub mod money;
pub mod run;

pub use cycle::{plan, CustomerView, InvoiceView, Step, Terms};
pub use ledger::{Ledger, LineStatus};
pub use money::{Currency, MoneyError};
pub use run::{
    deliver_messages, find_customer, force, force_by_hand, ledger_of, queue_digest, record_payment,
    run_cycle, Channels, Forced, Recorded, RunReport,
};

use serde::Deserialize;

use crate::Error;

/// `[billing]` in `noc.toml`.
///
/// ```toml
/// [billing]
/// currency = "IDR"          # amounts are whole units of this currency
/// run_at = "01:00"          # the daily cycle, local time
/// utc_offset = "+07:00"
/// due_days = 10             # an invoice is due this many days after the billing day
/// grace_days = 3            # default grace after the due date, before isolation
/// remind_days_before = 3    # the reminder goes out this many days before the due date
/// prorate_first_month = false
/// isolate_profile = "isolir"
/// pay_to = "BRI 1234-5678-90 a.n. Budi, or cash at the office"
/// max_payment = 100000000   # larger amounts are refused as typing mistakes
/// language = "id"           # customer messages: "id" (Bahasa Indonesia) or "en"
/// notice_listen = "0.0.0.0:8081"  # the page isolated customers see (see the README)
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Settings {
    /// ISO 4217 code of the currency amounts are in (default `IDR`).
    pub currency: String,
    /// Local `HH:MM` of the daily cycle (default `01:00`).
    pub run_at: String,
    /// The UTC offset of `run_at` and of "today" (default `+07:00`, WIB).
    pub utc_offset: String,
    /// Days after the billing day an invoice is due (default 10).
    pub due_days: u16,
    /// Default grace days after the due date before isolation (default 3).
    pub grace_days: u16,
    /// Days before the due date a reminder goes out (default 3; 0 sends none).
    pub remind_days_before: u16,
    /// Charge the part of the first month before the first billing day (default false: the
    /// first invoice is on the first billing day after the customer starts).
    pub prorate_first_month: bool,
    /// The PPP profile isolated customers are moved to (default `isolir`).
    pub isolate_profile: String,
    /// How to pay, shown on reminders and on the notice page.
    pub pay_to: String,
    /// Largest single payment accepted (default 100,000,000).
    pub max_payment: i64,
    /// The language of customer messages and the notice page: `id` (default) or `en`.
    pub language: String,
    /// Where noc serves the notice page isolated customers are redirected to
    /// (`0.0.0.0:8081`); none by default.
    pub notice_listen: Option<std::net::SocketAddr>,
    /// The language of the operators' daily digest: noc's (top-level `language`), not a
    /// `[billing]` key.
    #[serde(skip)]
    pub operators_language: crate::i18n::Lang,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            currency: "IDR".into(),
            run_at: "01:00".into(),
            utc_offset: "+07:00".into(),
            due_days: 10,
            grace_days: 3,
            remind_days_before: 3,
            prorate_first_month: false,
            isolate_profile: "isolir".into(),
            pay_to: String::new(),
            max_payment: 100_000_000,
            language: "id".into(),
            notice_listen: None,
            operators_language: crate::i18n::Lang::default(),
        }
    }
}

impl Settings {
    /// The customers' language (`language`): what reminders, isolation and restore notices
    /// and the notice page are written in; Indonesian unless it says `en`.
    pub fn customer_lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::parse(&self.language).unwrap_or(crate::i18n::Lang::Id)
    }

    /// The language `c` reads: their own, else [`Settings::customer_lang`].
    pub fn lang_of(&self, c: &crate::storage::billing::Customer) -> crate::i18n::Lang {
        c.language.unwrap_or_else(|| self.customer_lang())
    }

    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<(), Error> {
        self.currency()?;
        self.run_at()?;
        if self.due_days > 60 {
            return Err(Error::Config("billing.due_days: at most 60".into()));
        }
        if self.grace_days > 60 {
            return Err(Error::Config("billing.grace_days: at most 60".into()));
        }
        if self.remind_days_before > 28 {
            return Err(Error::Config(
                "billing.remind_days_before: at most 28".into(),
            ));
        }
        if self.isolate_profile.trim().is_empty()
            || self.isolate_profile.chars().any(char::is_control)
        {
            return Err(Error::Config(
                "billing.isolate_profile: a PPP profile name".into(),
            ));
        }
        if self.max_payment <= 0 || self.max_payment > money::MAX_AMOUNT {
            return Err(Error::Config(format!(
                "billing.max_payment: between 1 and {}",
                money::MAX_AMOUNT
            )));
        }
        if !matches!(self.language.as_str(), "id" | "en") {
            return Err(Error::Config("billing.language: \"id\" or \"en\"".into()));
        }
        Ok(())
    }

    /// The currency.
    pub fn currency(&self) -> Result<Currency, Error> {
        Currency::new(&self.currency).map_err(|e| Error::Config(format!("billing.currency: {e}")))
    }

    /// (minutes after local midnight of the daily run, UTC offset in minutes).
    pub fn run_at(&self) -> Result<(u32, i32), Error> {
        let bad = || Error::Config(format!("billing.run_at {:?}: use \"01:00\"", self.run_at));
        let (h, m) = self.run_at.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        let offset = crate::alerts::rules::parse_utc_offset(&self.utc_offset)
            .map_err(|e| Error::Config(format!("billing.utc_offset: {e}")))?;
        Ok((h * 60 + m, offset))
    }

    /// The local date at Unix time `t`.
    pub fn local_date(&self, t: i64) -> queue_model::clock::Date {
        let offset = self.run_at().map_or(7 * 60, |(_, o)| o);
        let days = (t + i64::from(offset) * 60).div_euclid(86_400);
        queue_model::clock::Date::from_days_since_epoch(days)
            .unwrap_or(queue_model::clock::Date::EPOCH)
    }

    /// The terms the cycle applies.
    pub fn terms(&self, paused: bool) -> Terms {
        Terms {
            due_days: self.due_days,
            remind_days_before: self.remind_days_before,
            prorate_first_month: self.prorate_first_month,
            paused,
        }
    }
}

/// A customer's status: billed (`active`) or not (`inactive`: moved away, paused service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Billed every month.
    Active,
    /// Not billed, never isolated by the cycle.
    Inactive,
}

impl Status {
    /// `active` / `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }

    /// Parses `active` / `inactive`.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "active" => Some(Status::Active),
            "inactive" => Some(Status::Inactive),
            _ => None,
        }
    }
}

/// The invoice number shown to customers: `INV-2026-12-000123`.
pub fn invoice_number(id: i64, period: &str) -> String {
    format!("INV-{period}-{id:06}")
}

/// The receipt number of a payment: `RCP-000045`.
pub fn receipt_number(id: i64) -> String {
    format!("RCP-{id:06}")
}

/// Checks a customer or package name: 1–64 characters, no control characters.
pub fn check_name(what: &str, s: &str) -> Result<String, Error> {
    check_name_in(crate::i18n::Lang::En, what, s)
}

/// [`check_name`], the refusal written in `lang` (`what` already is).
pub fn check_name_in(lang: crate::i18n::Lang, what: &str, s: &str) -> Result<String, Error> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::BadInput(crate::tr!(
            lang,
            "billing-err-required",
            what = what
        )));
    }
    if t.chars().count() > 64 {
        return Err(Error::BadInput(crate::tr!(
            lang,
            "billing-err-too-long",
            what = what
        )));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::BadInput(crate::tr!(
            lang,
            "billing-err-control",
            what = what
        )));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_local_dates_follow_the_offset() {
        let s = Settings::default();
        s.validate().unwrap();
        // 2026-12-03 18:00 UTC is already 2026-12-04 01:00 in WIB.
        let t = queue_model::clock::DateTime::new(
            "2026-12-03".parse().unwrap(),
            "18:00:00".parse().unwrap(),
        )
        .seconds_since_epoch();
        assert_eq!(s.local_date(t).to_string(), "2026-12-04");
        let bad = Settings {
            run_at: "25:00".into(),
            ..Settings::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("run_at"));
        let bad = Settings {
            currency: "rupiah".into(),
            ..Settings::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("currency"));
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("name", "  Pak Budi ").unwrap(), "Pak Budi");
        assert!(check_name("name", "").is_err());
        assert!(check_name("name", "a\u{7}b").is_err());
        assert!(check_name("name", &"x".repeat(65)).is_err());
    }
}
