//! Billing: packages, customers, invoices (one per customer and period, so issuing twice
//! stores once), payments (an idempotency key records a retried payment once), the customer
//! messages waiting for the chat channels, the cycle's switches, and API tokens.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{db, Store};
use crate::Error;

/// A package: a router PPP profile sold at a monthly price.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Package {
    /// Row id.
    pub id: i64,
    /// Name shown to people (`10 Mbps`).
    pub name: String,
    /// The `/ppp/profile` it maps to.
    pub profile: String,
    /// Monthly price.
    pub price: i64,
}

/// A customer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Customer {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// House, street or area.
    pub area: String,
    /// Phone (WhatsApp) number, digits with an optional leading `+`.
    pub phone: String,
    /// Telegram chat id for reminders.
    pub telegram_chat: Option<i64>,
    /// The router their PPP secret is on.
    pub router_id: i64,
    /// The `/ppp/secret` name.
    pub secret: String,
    /// Package id.
    pub package_id: Option<i64>,
    /// Day of the month invoices are issued (1–28).
    pub billing_day: u8,
    /// Days after the due date before isolation.
    pub grace_days: u16,
    /// `active` or `inactive`.
    pub status: String,
    /// Never isolated.
    pub exempt: bool,
    /// Isolated by noc now.
    pub isolated: bool,
    /// The profile to give back on restore when the customer has no package.
    pub restore_profile: Option<String>,
    /// Billed from (`YYYY-MM-DD`).
    pub since: String,
    /// The language of their reminders and notice page; `None` follows `[billing] language`.
    pub language: Option<crate::i18n::Lang>,
}

/// What a new customer needs (see [`Store::add_customer`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewCustomer {
    /// Name.
    pub name: String,
    /// Area.
    pub area: String,
    /// Phone.
    pub phone: String,
    /// Telegram chat id.
    pub telegram_chat: Option<i64>,
    /// Router id.
    pub router_id: i64,
    /// PPP secret name.
    pub secret: String,
    /// Package id.
    pub package_id: Option<i64>,
    /// 1–28.
    pub billing_day: u8,
    /// Grace days.
    pub grace_days: u16,
    /// Billed from.
    pub since: String,
}

impl NewCustomer {
    /// A customer billed from `since` on `billing_day`, with no contact details yet.
    pub fn new(
        name: impl Into<String>,
        router_id: i64,
        secret: impl Into<String>,
        billing_day: u8,
        grace_days: u16,
        since: impl Into<String>,
    ) -> NewCustomer {
        NewCustomer {
            name: name.into(),
            area: String::new(),
            phone: String::new(),
            telegram_chat: None,
            router_id,
            secret: secret.into(),
            package_id: None,
            billing_day,
            grace_days,
            since: since.into(),
        }
    }
}

/// A stored invoice.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invoice {
    /// Row id.
    pub id: i64,
    /// Customer id.
    pub customer_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Issue date.
    pub issued: String,
    /// Due date.
    pub due: String,
    /// Amount.
    pub amount: i64,
    /// What it is for.
    pub description: String,
}

/// A stored payment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Payment {
    /// Row id (the receipt number is made from it).
    pub id: i64,
    /// Customer id.
    pub customer_id: i64,
    /// Amount.
    pub amount: i64,
    /// `cash`, `transfer`, `qris`, `api`...
    pub method: String,
    /// Free text.
    pub note: String,
    /// Who recorded it (user, `api:NAME`, `telegram:ID`).
    pub recorded_by: String,
    /// Unix seconds.
    pub time: i64,
    /// Local date (`YYYY-MM-DD`).
    pub date: String,
}

/// A payment to record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewPayment {
    /// Customer id.
    pub customer_id: i64,
    /// Amount (> 0).
    pub amount: i64,
    /// Method.
    pub method: String,
    /// Note.
    pub note: String,
    /// Who.
    pub recorded_by: String,
    /// Local date.
    pub date: String,
    /// Records once per key.
    pub idempotency_key: Option<String>,
}

impl NewPayment {
    /// A payment of `amount` by `method`, recorded by `who` on `date`, without note or key.
    pub fn new(customer_id: i64, amount: i64, method: &str, who: &str, date: &str) -> NewPayment {
        NewPayment {
            customer_id,
            amount,
            method: method.to_owned(),
            note: String::new(),
            recorded_by: who.to_owned(),
            date: date.to_owned(),
            idempotency_key: None,
        }
    }
}

/// A customer message waiting for a chat channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// Row id.
    pub id: i64,
    /// `telegram` or `whatsapp`.
    pub channel: String,
    /// Chat id or phone number.
    pub recipient: String,
    /// Text (plain; each channel formats it).
    pub text: String,
}

/// One month of the revenue report.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Invoiced in the month (by period).
    pub invoiced: i64,
    /// Payments received in the month (by payment date).
    pub received: i64,
    /// Invoices of the period.
    pub invoices: i64,
    /// Payments in the month.
    pub payments: i64,
}

fn customer_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        area: r.get(2)?,
        phone: r.get(3)?,
        telegram_chat: r.get(4)?,
        router_id: r.get(5)?,
        secret: r.get(6)?,
        package_id: r.get(7)?,
        billing_day: r.get(8)?,
        grace_days: r.get(9)?,
        status: r.get(10)?,
        exempt: r.get(11)?,
        isolated: r.get(12)?,
        restore_profile: r.get(13)?,
        since: r.get(14)?,
        language: r
            .get::<_, Option<String>>(15)?
            .as_deref()
            .and_then(crate::i18n::Lang::parse),
    })
}

const CUSTOMER_COLS: &str = "id, name, area, phone, telegram_chat, router_id, secret, package_id,
    billing_day, grace_days, status, exempt, isolated, restore_profile, since, language";

fn invoice_row(r: &Row<'_>) -> rusqlite::Result<Invoice> {
    Ok(Invoice {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        period: r.get(2)?,
        issued: r.get(3)?,
        due: r.get(4)?,
        amount: r.get(5)?,
        description: r.get(6)?,
    })
}

const INVOICE_COLS: &str = "id, customer_id, period, issued, due, amount, description";

fn payment_row(r: &Row<'_>) -> rusqlite::Result<Payment> {
    Ok(Payment {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        amount: r.get(2)?,
        method: r.get(3)?,
        note: r.get(4)?,
        recorded_by: r.get(5)?,
        time: r.get(6)?,
        date: r.get(7)?,
    })
}

const PAYMENT_COLS: &str = "id, customer_id, amount, method, note, recorded_by, time, date";

fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

impl Store {
    // ---- packages ----

    /// All packages, by name.
    pub fn packages(&self) -> Result<Vec<Package>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached("SELECT id, name, profile, price FROM packages ORDER BY name")
            .map_err(db)?;
        let rows = st
            .query_map([], |r| {
                Ok(Package {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    profile: r.get(2)?,
                    price: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Adds a package, or updates the one with the same name; returns its id.
    pub fn upsert_package(&self, name: &str, profile: &str, price: i64) -> Result<i64, Error> {
        let r = self
            .c()
            .query_row(
                "INSERT INTO packages(name, profile, price, created) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET profile = excluded.profile, price = excluded.price
                 RETURNING id",
                params![name, profile, price, crate::now()],
                |r| r.get(0),
            )
            .map_err(db);
        self.wrote(r)
    }

    // ---- customers ----

    /// Every customer, by name.
    pub fn customers(&self) -> Result<Vec<Customer>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {CUSTOMER_COLS} FROM customers ORDER BY name COLLATE NOCASE"
            ))
            .map_err(db)?;
        let rows = st.query_map([], customer_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// One customer.
    pub fn customer(&self, id: i64) -> Result<Option<Customer>, Error> {
        self.c()
            .query_row(
                &format!("SELECT {CUSTOMER_COLS} FROM customers WHERE id = ?1"),
                [id],
                customer_row,
            )
            .optional()
            .map_err(db)
    }

    /// Adds a customer; a name or a (router, secret) already taken is a [`Error::Conflict`].
    pub fn add_customer(&self, n: &NewCustomer) -> Result<i64, Error> {
        let r = self
            .c()
            .query_row(
                "INSERT INTO customers(name, area, phone, telegram_chat, router_id, secret,
                    package_id, billing_day, grace_days, status, since, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11) RETURNING id",
                params![
                    n.name,
                    n.area,
                    n.phone,
                    n.telegram_chat,
                    n.router_id,
                    n.secret,
                    n.package_id,
                    n.billing_day,
                    n.grace_days,
                    n.since,
                    crate::now()
                ],
                |r| r.get(0),
            )
            .map_err(|e| {
                if unique_violation(&e) {
                    Error::Conflict(format!(
                        "a customer named {:?} or with PPP secret {:?} exists already",
                        n.name, n.secret
                    ))
                } else {
                    db(e)
                }
            });
        self.wrote(r)
    }

    /// Updates the details people edit (not the isolation state).
    pub fn update_customer(&self, c: &Customer) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "UPDATE customers SET name = ?2, area = ?3, phone = ?4, telegram_chat = ?5,
                    package_id = ?6, billing_day = ?7, grace_days = ?8, status = ?9, exempt = ?10,
                    since = ?11, language = ?12
                 WHERE id = ?1",
                params![
                    c.id,
                    c.name,
                    c.area,
                    c.phone,
                    c.telegram_chat,
                    c.package_id,
                    c.billing_day,
                    c.grace_days,
                    c.status,
                    c.exempt,
                    c.since,
                    c.language.map(crate::i18n::Lang::code)
                ],
            )
            .map_err(|e| {
                if unique_violation(&e) {
                    Error::Conflict(format!("a customer named {:?} exists already", c.name))
                } else {
                    db(e)
                }
            });
        self.wrote(r).map(|_| ())
    }

    /// Records that noc isolated (with the profile to give back) or restored a customer.
    pub fn set_isolated(
        &self,
        id: i64,
        isolated: bool,
        restore_profile: Option<&str>,
    ) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "UPDATE customers SET isolated = ?2,
                    restore_profile = CASE WHEN ?2 THEN ?3 ELSE restore_profile END
                 WHERE id = ?1",
                params![id, isolated, restore_profile],
            )
            .map_err(db);
        self.wrote(r).map(|_| ())
    }

    // ---- invoices ----

    /// Stores invoices (customer, period, issued, due, amount, description); one already
    /// stored for the customer and period is skipped. Returns how many were new.
    pub fn add_invoices(
        &self,
        invoices: &[(i64, String, String, String, i64, String)],
    ) -> Result<usize, Error> {
        let r = (|| {
            let mut c = self.c();
            let tx = c.transaction().map_err(db)?;
            let mut new = 0;
            {
                let mut st = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO invoices(customer_id, period, issued, due, amount,
                            description, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .map_err(db)?;
                for (cust, period, issued, due, amount, desc) in invoices {
                    new += st
                        .execute(params![
                            cust,
                            period,
                            issued,
                            due,
                            amount,
                            desc,
                            crate::now()
                        ])
                        .map_err(db)?;
                }
            }
            tx.commit().map_err(db)?;
            Ok(new)
        })();
        self.wrote(r)
    }

    /// Every invoice (all customers), oldest period first.
    pub fn invoices(&self) -> Result<Vec<Invoice>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {INVOICE_COLS} FROM invoices ORDER BY period, id"
            ))
            .map_err(db)?;
        let rows = st.query_map([], invoice_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// A customer's invoices, oldest first.
    pub fn invoices_of(&self, customer: i64) -> Result<Vec<Invoice>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {INVOICE_COLS} FROM invoices WHERE customer_id = ?1 ORDER BY period, id"
            ))
            .map_err(db)?;
        let rows = st.query_map([customer], invoice_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    // ---- payments ----

    /// Records a payment. With an idempotency key used before, nothing new is recorded and
    /// the earlier payment is returned with `true` — unless that payment was for another
    /// customer or amount, which is a [`Error::Conflict`].
    pub fn add_payment(&self, p: &NewPayment) -> Result<(Payment, bool), Error> {
        let r = (|| {
            let mut c = self.c();
            let tx = c.transaction().map_err(db)?;
            if let Some(key) = &p.idempotency_key {
                let earlier = tx
                    .query_row(
                        &format!("SELECT {PAYMENT_COLS} FROM payments WHERE idempotency_key = ?1"),
                        [key],
                        payment_row,
                    )
                    .optional()
                    .map_err(db)?;
                if let Some(e) = earlier {
                    if e.customer_id != p.customer_id || e.amount != p.amount {
                        return Err(Error::Conflict(
                            "this idempotency key was used for a different payment".into(),
                        ));
                    }
                    return Ok((e, true));
                }
            }
            let pay = tx
                .query_row(
                    &format!(
                        "INSERT INTO payments(customer_id, amount, method, note, recorded_by, time,
                            date, idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         RETURNING {PAYMENT_COLS}"
                    ),
                    params![
                        p.customer_id,
                        p.amount,
                        p.method,
                        p.note,
                        p.recorded_by,
                        crate::now(),
                        p.date,
                        p.idempotency_key
                    ],
                    payment_row,
                )
                .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok((pay, false))
        })();
        match r {
            Err(Error::Conflict(_)) => r,
            r => self.wrote(r),
        }
    }

    /// One payment.
    pub fn payment(&self, id: i64) -> Result<Option<Payment>, Error> {
        self.c()
            .query_row(
                &format!("SELECT {PAYMENT_COLS} FROM payments WHERE id = ?1"),
                [id],
                payment_row,
            )
            .optional()
            .map_err(db)
    }

    /// A customer's payments, oldest first.
    pub fn payments_of(&self, customer: i64) -> Result<Vec<Payment>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {PAYMENT_COLS} FROM payments WHERE customer_id = ?1 ORDER BY id"
            ))
            .map_err(db)?;
        let rows = st.query_map([customer], payment_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Payments with `from <= date <= to`, oldest first.
    pub fn payments_between(&self, from: &str, to: &str) -> Result<Vec<Payment>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {PAYMENT_COLS} FROM payments WHERE date >= ?1 AND date <= ?2 ORDER BY id"
            ))
            .map_err(db)?;
        let rows = st.query_map([from, to], payment_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Sum of payments per customer.
    pub fn paid_totals(&self) -> Result<std::collections::HashMap<i64, i64>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached("SELECT customer_id, sum(amount) FROM payments GROUP BY customer_id")
            .map_err(db)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// What each customer owes: invoiced minus paid (negative is credit); customers with
    /// neither are absent.
    pub fn balances(&self) -> Result<std::collections::HashMap<i64, i64>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT customer_id, sum(amount) FROM (
                    SELECT customer_id, amount FROM invoices
                    UNION ALL SELECT customer_id, -amount FROM payments)
                 GROUP BY customer_id",
            )
            .map_err(db)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Invoiced and received per month, newest first, at most `months`.
    pub fn billing_months(&self, months: i64) -> Result<Vec<MonthReport>, Error> {
        let c = self.c();
        let mut out: std::collections::BTreeMap<String, MonthReport> = Default::default();
        let mut st = c
            .prepare_cached(
                "SELECT period, coalesce(sum(amount), 0), count(*) FROM invoices GROUP BY period",
            )
            .map_err(db)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db)?;
        for row in rows {
            let (m, sum, n) = row.map_err(db)?;
            let e = out.entry(m.clone()).or_default();
            e.month = m;
            e.invoiced = sum;
            e.invoices = n;
        }
        let mut st = c
            .prepare_cached(
                "SELECT substr(date, 1, 7), coalesce(sum(amount), 0), count(*) FROM payments
                 GROUP BY substr(date, 1, 7)",
            )
            .map_err(db)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db)?;
        for row in rows {
            let (m, sum, n) = row.map_err(db)?;
            let e = out.entry(m.clone()).or_default();
            e.month = m;
            e.received = sum;
            e.payments = n;
        }
        Ok(out
            .into_values()
            .rev()
            .take(usize::try_from(months).unwrap_or(0))
            .collect())
    }

    // ---- messages and switches ----

    /// Queues a customer message once per `key` (a second call with the same key does
    /// nothing); returns whether it was new.
    pub fn queue_billing_message(
        &self,
        key: &str,
        customer: Option<i64>,
        channel: &str,
        recipient: &str,
        text: &str,
    ) -> Result<bool, Error> {
        let r = self
            .c()
            .execute(
                "INSERT OR IGNORE INTO billing_messages(key, customer_id, channel, recipient, text,
                    created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![key, customer, channel, recipient, text, crate::now()],
            )
            .map(|n| n > 0)
            .map_err(db);
        self.wrote(r)
    }

    /// Whether a message with `key` was queued (sent or not).
    pub fn billing_message_exists(&self, key: &str) -> Result<bool, Error> {
        self.c()
            .query_row(
                "SELECT 1 FROM billing_messages WHERE key = ?1",
                [key],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(db)
    }

    /// Keys of queued messages starting with `prefix` (the reminders a customer got).
    pub fn billing_message_keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT key FROM billing_messages WHERE substr(key, 1, length(?1)) = ?1",
            )
            .map_err(db)?;
        let rows = st.query_map([prefix], |r| r.get(0)).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Messages not yet handed to a channel, oldest first.
    pub fn unsent_billing_messages(&self, limit: i64) -> Result<Vec<Message>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT id, channel, recipient, text FROM billing_messages WHERE sent IS NULL
                 ORDER BY id LIMIT ?1",
            )
            .map_err(db)?;
        let rows = st
            .query_map([limit], |r| {
                Ok(Message {
                    id: r.get(0)?,
                    channel: r.get(1)?,
                    recipient: r.get(2)?,
                    text: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Marks a message handed to its channel's outbox.
    pub fn billing_message_sent(&self, id: i64) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "UPDATE billing_messages SET sent = ?2 WHERE id = ?1",
                params![id, crate::now()],
            )
            .map_err(db);
        self.wrote(r).map(|_| ())
    }

    /// Marks the message with `key` handled without a channel.
    pub fn billing_message_sent_key(&self, key: &str) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "UPDATE billing_messages SET sent = ?2 WHERE key = ?1 AND sent IS NULL",
                params![key, crate::now()],
            )
            .map_err(db);
        self.wrote(r).map(|_| ())
    }

    /// How many customers there are.
    pub fn customer_count(&self) -> Result<i64, Error> {
        self.c()
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .map_err(db)
    }

    /// A billing switch or mark (`paused`, `last_run`).
    pub fn billing_state(&self, key: &str) -> Result<Option<String>, Error> {
        self.c()
            .query_row(
                "SELECT value FROM billing_state WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    /// Sets a billing switch or mark.
    pub fn set_billing_state(&self, key: &str, value: &str) -> Result<(), Error> {
        let r = self
            .c()
            .execute(
                "INSERT INTO billing_state(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(db);
        self.wrote(r).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_customer() -> (Store, i64) {
        let s = Store::in_memory().unwrap();
        let p = s.upsert_package("10 Mbps", "paket-10M", 150_000).unwrap();
        let mut n = NewCustomer::new("Pak Budi", 1, "budi", 5, 3, "2026-11-05");
        n.package_id = Some(p);
        let id = s.add_customer(&n).unwrap();
        (s, id)
    }

    #[test]
    fn invoices_are_stored_once_per_period() {
        let (s, c) = store_with_customer();
        let inv = |p: &str| {
            (
                c,
                p.to_owned(),
                format!("{p}-05"),
                format!("{p}-15"),
                150_000,
                "10 Mbps".to_owned(),
            )
        };
        assert_eq!(
            s.add_invoices(&[inv("2026-11"), inv("2026-12")]).unwrap(),
            2
        );
        assert_eq!(s.add_invoices(&[inv("2026-12")]).unwrap(), 0);
        assert_eq!(s.invoices_of(c).unwrap().len(), 2);
    }

    #[test]
    fn a_payment_with_a_key_records_once() {
        let (s, c) = store_with_customer();
        let mut p = NewPayment {
            customer_id: c,
            amount: 150_000,
            method: "cash".into(),
            note: String::new(),
            recorded_by: "admin".into(),
            date: "2026-11-20".into(),
            idempotency_key: Some("k1".into()),
        };
        let (first, replayed) = s.add_payment(&p).unwrap();
        assert!(!replayed);
        let (again, replayed) = s.add_payment(&p).unwrap();
        assert!(replayed);
        assert_eq!(first, again);
        assert_eq!(s.payments_of(c).unwrap().len(), 1);
        p.amount = 1;
        assert!(matches!(s.add_payment(&p), Err(Error::Conflict(_))));
        p.idempotency_key = None;
        s.add_payment(&p).unwrap();
        assert_eq!(s.paid_totals().unwrap().get(&c), Some(&150_001));
    }

    #[test]
    fn duplicate_customers_are_conflicts() {
        let (s, _) = store_with_customer();
        let dup = NewCustomer::new("Someone else", 1, "budi", 5, 3, "2026-11-05");
        assert!(matches!(s.add_customer(&dup), Err(Error::Conflict(_))));
    }

    #[test]
    fn messages_queue_once_per_key() {
        let s = Store::in_memory().unwrap();
        assert!(s
            .queue_billing_message("remind:1:2026-11", Some(1), "telegram", "42", "hi")
            .unwrap());
        assert!(!s
            .queue_billing_message("remind:1:2026-11", Some(1), "telegram", "42", "hi")
            .unwrap());
        let m = s.unsent_billing_messages(10).unwrap();
        assert_eq!(m.len(), 1);
        s.billing_message_sent(m[0].id).unwrap();
        assert!(s.unsent_billing_messages(10).unwrap().is_empty());
        assert_eq!(
            s.billing_message_keys("remind:1:").unwrap(),
            vec!["remind:1:2026-11".to_owned()]
        );
    }
}
