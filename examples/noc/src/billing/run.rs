//! One billing cycle against the database and the routers: [`run_cycle`]. The dashboard runs
//! it daily and on "run now", `noc billing run` from the command line, a recorded payment for
//! its one customer (so a restore follows the payment at once).
//!
//! What makes it safe to repeat: invoices are unique per customer and period, reminders and
//! notices per key, and isolation is recorded only after the router took it. A router that
//! cannot be read is left alone — its customers are neither isolated nor restored, and the
//! next run catches up.

use std::collections::{HashMap, HashSet};

use queue_model::clock::Date;
use routeros_proto::Client;
use serde::Serialize;

use super::cycle::{plan, CustomerView, InvoiceView, Step};
use super::{Currency, Settings, Status};
use crate::i18n::Lang;
use crate::routers::ppp::{self, Move};
use crate::storage::billing::{Customer, Package};
use crate::storage::Store;
use crate::tr;
use crate::Error;

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct RunReport {
    /// The date it ran as.
    pub as_of: String,
    /// Nothing was written or changed.
    pub dry_run: bool,
    /// Isolation was paused.
    pub paused: bool,
    /// Invoices issued: (customer, period, amount).
    pub invoices: Vec<(String, String, i64)>,
    /// Reminders queued: (customer, period).
    pub reminders: Vec<(String, String)>,
    /// Customers isolated.
    pub isolated: Vec<String>,
    /// Customers restored.
    pub restored: Vec<String>,
    /// What was left for the next run, and why.
    pub skipped: Vec<String>,
}

impl RunReport {
    /// The report as lines of text (the command line, the operators' digest), in English
    /// with amounts as the currency writes them.
    pub fn text(&self, currency: &Currency) -> String {
        self.render(Lang::En, &|v| currency.format(v))
    }

    /// The report as lines of text in `lang`, amounts written the way `lang` writes them.
    pub fn text_in(&self, lang: Lang, currency: &Currency) -> String {
        self.render(lang, &|v| currency.format_in(lang, v))
    }

    fn render(&self, lang: Lang, money: &dyn Fn(i64) -> String) -> String {
        let count = |n: usize| lang.integer(i64::try_from(n).unwrap_or(i64::MAX));
        let mut s = tr!(lang, "billing-run-head", date = &self.as_of);
        if self.dry_run {
            s.push(' ');
            s.push_str(&tr!(lang, "billing-run-dry"));
        }
        if self.paused {
            s.push_str(" — ");
            s.push_str(&tr!(lang, "billing-run-paused"));
        }
        s.push('\n');
        let total: i64 = self.invoices.iter().map(|i| i.2).sum();
        s.push_str(&tr!(
            lang,
            "billing-run-invoices",
            count = count(self.invoices.len()),
            total = money(total)
        ));
        s.push('\n');
        for (c, p, a) in self.invoices.iter().take(20) {
            s.push_str(&format!("  {c} {p} {}\n", money(*a)));
        }
        if self.invoices.len() > 20 {
            s.push_str("  ");
            s.push_str(&tr!(
                lang,
                "billing-run-more",
                count = count(self.invoices.len() - 20)
            ));
            s.push('\n');
        }
        s.push_str(&tr!(
            lang,
            "billing-run-reminders",
            count = count(self.reminders.len())
        ));
        s.push('\n');
        s.push_str(&tr!(
            lang,
            "billing-run-isolated",
            count = count(self.isolated.len())
        ));
        if !self.isolated.is_empty() {
            s.push_str(&format!(" — {}", self.isolated.join(", ")));
        }
        s.push('\n');
        s.push_str(&tr!(
            lang,
            "billing-run-restored",
            count = count(self.restored.len())
        ));
        if !self.restored.is_empty() {
            s.push_str(&format!(" — {}", self.restored.join(", ")));
        }
        s.push('\n');
        for k in &self.skipped {
            s.push_str(&tr!(lang, "billing-run-left", reason = k));
            s.push('\n');
        }
        s
    }

    /// Whether anything changed or would change.
    pub fn is_empty(&self) -> bool {
        self.invoices.is_empty()
            && self.reminders.is_empty()
            && self.isolated.is_empty()
            && self.restored.is_empty()
    }
}

/// What a customer is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// A bill is due soon.
    Remind,
    /// The internet is paused (isolated).
    Isolate,
    /// The internet is back (restored).
    Restore,
}

/// A customer message in the customer's language (their own, else `[billing] language`).
fn message(
    settings: &Settings,
    currency: &Currency,
    kind: Notice,
    c: &Customer,
    owed: i64,
    due: Option<Date>,
) -> String {
    message_in(settings.lang_of(c), settings, currency, kind, c, owed, due)
}

/// A customer message in `lang`.
fn message_in(
    lang: Lang,
    settings: &Settings,
    currency: &Currency,
    kind: Notice,
    c: &Customer,
    owed: i64,
    due: Option<Date>,
) -> String {
    let amount = currency.format_in(lang, owed);
    let due = due.map(|d| d.to_string()).unwrap_or_default();
    let pay = if settings.pay_to.is_empty() {
        String::new()
    } else {
        format!(
            " {}",
            tr!(lang, "customer-msg-pay-to", pay_to = &settings.pay_to)
        )
    };
    let name = &c.name;
    match kind {
        Notice::Remind => tr!(
            lang,
            "customer-msg-remind",
            name = name,
            amount = amount,
            due = due,
            pay = pay
        ),
        Notice::Isolate => tr!(
            lang,
            "customer-msg-isolate",
            name = name,
            amount = amount,
            pay = pay
        ),
        Notice::Restore => tr!(lang, "customer-msg-restore", name = name),
    }
}

/// Queues `text` for the customer on every channel they have (none: recorded as handled so
/// the cycle does not plan it again). Returns whether it was new.
fn queue_to_customer(store: &Store, key: &str, c: &Customer, text: &str) -> Result<bool, Error> {
    let mut new = false;
    let mut any = false;
    if let Some(chat) = c.telegram_chat {
        any = true;
        new |= store.queue_billing_message(key, Some(c.id), "telegram", &chat.to_string(), text)?;
    }
    if !c.phone.is_empty() {
        let k = if any {
            format!("{key}:wa")
        } else {
            key.to_owned()
        };
        any = true;
        new |= store.queue_billing_message(&k, Some(c.id), "whatsapp", &c.phone, text)?;
    }
    if !any && store.queue_billing_message(key, Some(c.id), "none", "", text)? {
        // No channel: kept as a record that the step happened, never delivered.
        store.billing_message_sent_key(key)?;
        new = true;
    }
    Ok(new)
}

/// The customers, the cycle's view of them, and the packages by id.
type Views = (Vec<Customer>, Vec<CustomerView>, HashMap<i64, Package>);

/// The cycle's view of every customer (or of `only`).
fn views(store: &Store, only: Option<&[i64]>) -> Result<Views, Error> {
    let packages: HashMap<i64, Package> =
        store.packages()?.into_iter().map(|p| (p.id, p)).collect();
    let mut customers = store.customers()?;
    if let Some(only) = only {
        customers.retain(|c| only.contains(&c.id));
    }
    let paid = store.paid_totals()?;
    let mut invoices: HashMap<i64, Vec<InvoiceView>> = HashMap::new();
    for i in store.invoices()? {
        if let Ok(due) = i.due.parse() {
            invoices
                .entry(i.customer_id)
                .or_default()
                .push(InvoiceView {
                    id: i.id,
                    period: i.period,
                    due,
                    amount: i.amount,
                });
        }
    }
    let mut reminded: HashMap<i64, Vec<String>> = HashMap::new();
    for k in store.billing_message_keys("remind:")? {
        let mut parts = k.split(':');
        if let (Some(_), Some(id), Some(period)) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(id) = id.parse() {
                reminded.entry(id).or_default().push(period.to_owned());
            }
        }
    }
    let mut out = Vec::new();
    let mut kept = Vec::new();
    for c in customers {
        let Ok(since) = c.since.parse::<Date>() else {
            continue;
        };
        out.push(CustomerView {
            id: c.id,
            active: Status::parse(&c.status) == Some(Status::Active),
            billing_day: c.billing_day,
            grace_days: c.grace_days,
            exempt: c.exempt,
            isolated: c.isolated,
            since,
            price: c.package_id.and_then(|p| packages.get(&p)).map(|p| p.price),
            invoices: invoices.remove(&c.id).unwrap_or_default(),
            paid: paid.get(&c.id).copied().unwrap_or(0),
            reminded: reminded.remove(&c.id).unwrap_or_default(),
        });
        kept.push(c);
    }
    Ok((kept, out, packages))
}

/// Runs the cycle as of `as_of` for every customer (or only those in `only`). `clients` are
/// the connected routers by id; customers on a router missing from it are not isolated or
/// restored this time. `who` goes into the audit log.
pub async fn run_cycle(
    store: &Store,
    settings: &Settings,
    clients: &HashMap<i64, Client>,
    as_of: Date,
    dry_run: bool,
    who: &str,
    only: Option<&[i64]>,
) -> Result<RunReport, Error> {
    let currency = settings.currency()?;
    let paused = store.billing_state("paused")?.as_deref() == Some("yes");
    let (customers, views, packages) = views(store, only)?;
    let by_id: HashMap<i64, &Customer> = customers.iter().map(|c| (c.id, c)).collect();
    let steps = plan(as_of, &settings.terms(paused), &views);
    let mut report = RunReport {
        as_of: as_of.to_string(),
        dry_run,
        paused,
        ..RunReport::default()
    };
    // Invoices and reminders: the database only.
    let mut new_invoices = Vec::new();
    for s in &steps {
        let Some(c) = by_id.get(&s.customer()) else {
            continue;
        };
        match s {
            Step::Invoice {
                period,
                issued,
                due,
                amount,
                prorated,
                ..
            } => {
                let package = c
                    .package_id
                    .and_then(|p| packages.get(&p))
                    .map_or("", |p| p.name.as_str());
                let desc = if *prorated {
                    format!("{package}, {period} (from {issued}, pro rata)")
                } else {
                    format!("{package}, {period}")
                };
                new_invoices.push((
                    c.id,
                    period.clone(),
                    issued.to_string(),
                    due.to_string(),
                    *amount,
                    desc,
                ));
                report
                    .invoices
                    .push((c.name.clone(), period.clone(), *amount));
            }
            Step::Remind {
                period, due, owed, ..
            } => {
                report.reminders.push((c.name.clone(), period.clone()));
                if !dry_run {
                    let text = message(settings, &currency, Notice::Remind, c, *owed, Some(*due));
                    queue_to_customer(store, &format!("remind:{}:{period}", c.id), c, &text)?;
                }
            }
            Step::Isolate { .. } | Step::Restore { .. } => {}
        }
    }
    if !dry_run && !new_invoices.is_empty() {
        store.add_invoices(&new_invoices)?;
        store.audit(
            who,
            None,
            "billing.invoices",
            &format!("{} invoices issued as of {as_of}", new_invoices.len()),
            true,
        )?;
    }
    // Isolation and restore: per router, only where its state was read.
    let mut per_router: HashMap<i64, Vec<&Step>> = HashMap::new();
    for s in &steps {
        if matches!(s, Step::Isolate { .. } | Step::Restore { .. }) {
            if let Some(c) = by_id.get(&s.customer()) {
                per_router.entry(c.router_id).or_default().push(s);
            }
        }
    }
    let mut routers: Vec<_> = per_router.into_iter().collect();
    routers.sort_by_key(|(r, _)| *r);
    for (router, steps) in routers {
        let Some(client) = clients.get(&router) else {
            report.skipped.push(format!(
                "{} customers on router #{router}: not connected",
                steps.len()
            ));
            continue;
        };
        let (secrets, sessions, profiles) = match ppp::ppp_state(client).await {
            Ok(s) => s,
            Err(e) => {
                report.skipped.push(format!(
                    "{} customers on router #{router}: {e}",
                    steps.len()
                ));
                continue;
            }
        };
        let mut moves = Vec::new();
        let mut marks = Vec::new(); // (customer, isolate, restore_profile) already so
        for s in steps {
            let Some(c) = by_id.get(&s.customer()) else {
                continue;
            };
            let isolate = matches!(s, Step::Isolate { .. });
            let Some(secret) = secrets.get(&c.secret) else {
                report.skipped.push(format!(
                    "{}: no PPP secret {:?} on the router",
                    c.name, c.secret
                ));
                continue;
            };
            let target = if isolate {
                if !profiles.contains(&settings.isolate_profile) {
                    report.skipped.push(format!(
                        "{}: the router has no {:?} profile (run the isolation setup)",
                        c.name, settings.isolate_profile
                    ));
                    continue;
                }
                settings.isolate_profile.clone()
            } else {
                c.package_id
                    .and_then(|p| packages.get(&p))
                    .map(|p| p.profile.clone())
                    .or_else(|| c.restore_profile.clone())
                    .unwrap_or_else(|| "default".into())
            };
            let back = isolate.then(|| {
                c.package_id
                    .and_then(|p| packages.get(&p))
                    .map_or_else(|| secret.profile.clone(), |p| p.profile.clone())
            });
            if secret.profile == target {
                marks.push((c, isolate, back, s, 0));
            } else {
                moves.push((
                    c,
                    isolate,
                    back,
                    s,
                    Move {
                        secret_id: secret.id.clone(),
                        name: c.secret.clone(),
                        profile: target,
                        sessions: sessions.get(&c.secret).cloned().unwrap_or_default(),
                    },
                ));
            }
        }
        let results = if dry_run {
            moves.iter().map(|_| Ok(0)).collect()
        } else {
            let m: Vec<Move> = moves.iter().map(|m| m.4.clone()).collect();
            ppp::move_secrets(client, &m).await
        };
        let done = marks
            .into_iter()
            .map(|(c, i, b, s, n)| (c, i, b, s, None, Ok(n)))
            .chain(
                moves
                    .into_iter()
                    .zip(results)
                    .map(|((c, i, b, s, m), r)| (c, i, b, s, Some(m), r)),
            );
        for (c, isolate, back, step, mv, result) in done {
            let action = if isolate {
                "billing.isolate"
            } else {
                "billing.restore"
            };
            let change = mv.as_ref().map_or_else(
                || "profile already so".to_owned(),
                |m| format!("profile → {}", m.profile),
            );
            match result {
                Ok(ended) => {
                    if isolate {
                        report.isolated.push(c.name.clone());
                    } else {
                        report.restored.push(c.name.clone());
                    }
                    if dry_run {
                        continue;
                    }
                    store.set_isolated(c.id, isolate, back.as_deref())?;
                    let owed = match step {
                        Step::Isolate { owed, .. } => *owed,
                        _ => 0,
                    };
                    store.audit(
                        who,
                        Some(router),
                        action,
                        &format!(
                            "{} ({}): {change}, {ended} session(s) ended; owes {}",
                            c.name,
                            c.secret,
                            currency.format(owed)
                        ),
                        true,
                    )?;
                    let (kind, key) = match step {
                        Step::Isolate { since_due, .. } => {
                            (Notice::Isolate, format!("isolate:{}:{since_due}", c.id))
                        }
                        _ => (
                            Notice::Restore,
                            format!("restore:{}:{}:{}", c.id, as_of, crate::now()),
                        ),
                    };
                    let text = message(settings, &currency, kind, c, owed, None);
                    queue_to_customer(store, &key, c, &text)?;
                }
                Err(e) => {
                    report.skipped.push(format!("{}: {e}", c.name));
                    if !dry_run {
                        store.audit(
                            who,
                            Some(router),
                            action,
                            &format!("{}: {e}", c.name),
                            false,
                        )?;
                    }
                }
            }
        }
    }
    if !dry_run && only.is_none() {
        store.set_billing_state("last_run", &as_of.to_string())?;
    }
    Ok(report)
}

/// Queues the run's report for the operators' chats, once per date (a second run of the same
/// day, from the dashboard or the command line, adds nothing). Nothing for a dry run or a run
/// that changed nothing.
pub fn queue_digest(store: &Store, settings: &Settings, report: &RunReport) -> Result<bool, Error> {
    if report.dry_run || report.is_empty() {
        return Ok(false);
    }
    store.queue_billing_message(
        &format!("digest:{}", report.as_of),
        None,
        "operators",
        "",
        &report.text_in(settings.operators_language, &settings.currency()?),
    )
}

/// What moving one customer by hand did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Forced {
    /// The audit log's line (English).
    pub detail: String,
    /// The profile the secret had.
    pub from: String,
    /// The profile it has now.
    pub to: String,
    /// Sessions ended.
    pub ended: usize,
}

/// Moves one customer to isolation or back now, whatever the cycle would do (an admin's
/// decision; the next cycle may undo a restore of someone still overdue unless they are
/// exempted). Never without reading the router first. Returns the audit log's line.
pub async fn force(
    store: &Store,
    settings: &Settings,
    client: &Client,
    customer: &Customer,
    isolate: bool,
    who: &str,
) -> Result<String, Error> {
    force_by_hand(store, settings, client, customer, isolate, who)
        .await
        .map(|f| f.detail)
}

/// [`force`], telling what it did in parts (for a message in the reader's language).
pub async fn force_by_hand(
    store: &Store,
    settings: &Settings,
    client: &Client,
    customer: &Customer,
    isolate: bool,
    who: &str,
) -> Result<Forced, Error> {
    let packages: HashMap<i64, Package> =
        store.packages()?.into_iter().map(|p| (p.id, p)).collect();
    let (secrets, sessions, profiles) = ppp::ppp_state(client).await?;
    let secret = secrets.get(&customer.secret).ok_or_else(|| {
        Error::BadInput(format!(
            "the router has no PPP secret {:?}",
            customer.secret
        ))
    })?;
    let package_profile = customer
        .package_id
        .and_then(|p| packages.get(&p))
        .map(|p| p.profile.clone());
    let target = if isolate {
        if !profiles.contains(&settings.isolate_profile) {
            return Err(Error::BadInput(format!(
                "the router has no {:?} profile: run the isolation setup on the Billing page first",
                settings.isolate_profile
            )));
        }
        settings.isolate_profile.clone()
    } else {
        package_profile
            .clone()
            .or_else(|| customer.restore_profile.clone())
            .unwrap_or_else(|| "default".into())
    };
    let mut ended = 0;
    if secret.profile != target {
        let m = Move {
            secret_id: secret.id.clone(),
            name: customer.secret.clone(),
            profile: target.clone(),
            sessions: sessions.get(&customer.secret).cloned().unwrap_or_default(),
        };
        let r = ppp::move_secrets(client, std::slice::from_ref(&m)).await;
        match r.into_iter().next() {
            Some(Ok(n)) => ended = n,
            Some(Err(e)) => {
                store.audit(
                    who,
                    Some(customer.router_id),
                    if isolate {
                        "billing.isolate"
                    } else {
                        "billing.restore"
                    },
                    &format!("{}: {e}", customer.name),
                    false,
                )?;
                return Err(e);
            }
            None => {}
        }
    }
    let back = isolate.then(|| package_profile.unwrap_or_else(|| secret.profile.clone()));
    store.set_isolated(customer.id, isolate, back.as_deref())?;
    let detail = format!(
        "{} ({}): {} → {target}, {ended} session(s) ended (by hand)",
        customer.name, customer.secret, secret.profile
    );
    store.audit(
        who,
        Some(customer.router_id),
        if isolate {
            "billing.isolate"
        } else {
            "billing.restore"
        },
        &detail,
        true,
    )?;
    Ok(Forced {
        detail,
        from: secret.profile.clone(),
        to: target,
        ended,
    })
}

/// Where billing messages go: the channels a running dashboard has.
pub trait Channels {
    /// Hands a message to the Telegram outbox; false when there is no Telegram.
    fn telegram(&self, chat: i64, text: &str) -> bool;
    /// Hands a message to the WhatsApp outbox; false when there is no WhatsApp.
    fn whatsapp(&self, number: &str, text: &str) -> bool;
    /// Sends to the operators' alert chats; false when there is none.
    fn operators(&self, text: &str) -> bool;
}

/// Hands queued billing messages to the channels (the channels' own outboxes persist and
/// retry them); messages for a channel that is not configured stay queued. Returns how many
/// were handed over.
pub fn deliver_messages(store: &Store, channels: &dyn Channels) -> Result<usize, Error> {
    let mut n = 0;
    let mut missing = HashSet::new();
    for m in store.unsent_billing_messages(500)? {
        if missing.contains(&m.channel) {
            continue;
        }
        let ok = match m.channel.as_str() {
            "telegram" => m
                .recipient
                .parse()
                .is_ok_and(|chat| channels.telegram(chat, &m.text)),
            "whatsapp" => channels.whatsapp(&m.recipient, &m.text),
            "operators" => channels.operators(&m.text),
            _ => true,
        };
        if ok {
            store.billing_message_sent(m.id)?;
            n += 1;
        } else {
            missing.insert(m.channel);
        }
    }
    Ok(n)
}

/// What recording a payment did.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Recorded {
    /// The payment (the earlier one when the idempotency key was used before).
    pub payment: crate::storage::billing::Payment,
    /// The receipt number.
    pub receipt: String,
    /// The key had been used: nothing new was recorded.
    pub replayed: bool,
    /// What the customer owes after it (negative: credit).
    pub balance: i64,
    /// The customer was isolated and is restored now.
    pub restored: bool,
    /// Why a restore that was due did not happen (the router unreachable...): the next run
    /// restores.
    pub pending: Option<String>,
}

/// Records a payment, then runs the cycle for that customer so a restore follows at once
/// (when its router is connected; otherwise the next run restores).
#[allow(clippy::too_many_arguments)]
pub async fn record_payment(
    store: &Store,
    settings: &Settings,
    clients: &HashMap<i64, Client>,
    customer: &Customer,
    amount: i64,
    method: &str,
    note: &str,
    who: &str,
    key: Option<String>,
) -> Result<Recorded, Error> {
    if amount <= 0 || amount > settings.max_payment {
        return Err(Error::BadInput(format!(
            "the amount must be between 1 and {}",
            settings.currency()?.format(settings.max_payment)
        )));
    }
    let method = super::check_name(
        "method",
        if method.trim().is_empty() {
            "cash"
        } else {
            method
        },
    )?;
    if note.chars().count() > 200 || note.chars().any(char::is_control) {
        return Err(Error::BadInput(
            "note: at most 200 characters, one line".into(),
        ));
    }
    let today = settings.local_date(crate::now());
    let (payment, replayed) = store.add_payment(&crate::storage::billing::NewPayment {
        customer_id: customer.id,
        amount,
        method,
        note: note.to_owned(),
        recorded_by: who.to_owned(),
        date: today.to_string(),
        idempotency_key: key,
    })?;
    if !replayed {
        store.audit(
            who,
            None,
            "billing.payment",
            &format!(
                "{}: {} ({}), receipt {}",
                customer.name,
                settings.currency()?.format(amount),
                payment.method,
                super::receipt_number(payment.id)
            ),
            true,
        )?;
    }
    let mut restored = false;
    let mut pending = None;
    if customer.isolated {
        let r = run_cycle(
            store,
            settings,
            clients,
            today,
            false,
            who,
            Some(&[customer.id]),
        )
        .await?;
        restored = r.restored.contains(&customer.name);
        if !restored && !r.skipped.is_empty() {
            pending = Some(r.skipped.join("; "));
        }
    }
    let invoiced: i64 = store
        .invoices_of(customer.id)?
        .iter()
        .map(|i| i.amount)
        .sum();
    let paid: i64 = store
        .payments_of(customer.id)?
        .iter()
        .map(|p| p.amount)
        .sum();
    Ok(Recorded {
        receipt: super::receipt_number(payment.id),
        payment,
        replayed,
        balance: invoiced - paid,
        restored,
        pending,
    })
}

/// A customer's invoices against their payments.
pub fn ledger_of(store: &Store, customer: i64) -> Result<super::Ledger, Error> {
    let paid: i64 = store.payments_of(customer)?.iter().map(|p| p.amount).sum();
    let lines = store
        .invoices_of(customer)?
        .into_iter()
        .filter_map(|i| {
            Some(super::ledger::Line {
                id: i.id,
                due: i.due.parse().ok()?,
                period: i.period,
                amount: i.amount,
            })
        })
        .collect();
    Ok(super::Ledger::new(lines, paid))
}

/// A customer by id (digits) or by exact name (any case).
pub fn find_customer(store: &Store, key: &str) -> Result<Customer, Error> {
    let key = key.trim();
    let all = store.customers()?;
    if let Ok(id) = key.parse::<i64>() {
        if let Some(c) = all.iter().find(|c| c.id == id) {
            return Ok(c.clone());
        }
    }
    all.into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(key))
        .ok_or_else(|| Error::NotFound(format!("no customer {key:?}")))
}

/// The daily billing cycle at `[billing] run_at` (local time) over the hub's connected routers,
/// and every minute the billing messages handed to `channels`. A run missed while noc was
/// stopped happens at the next start (the cycle catches up on the days in between).
pub async fn daily(
    store: std::sync::Arc<Store>,
    hub: std::sync::Arc<crate::routers::Hub>,
    settings: Settings,
    channels: impl Channels + Send + Sync + 'static,
) {
    let Ok((minute, offset)) = settings.run_at() else {
        return;
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = crate::now();
        let local = now + i64::from(offset) * 60;
        let today = settings.local_date(now);
        let due = local.rem_euclid(86_400) >= i64::from(minute) * 60;
        let last = store.billing_state("last_run").ok().flatten();
        let has_customers = store.customer_count().is_ok_and(|n| n > 0);
        if due && has_customers && last.as_deref() != Some(today.to_string().as_str()) {
            let clients: HashMap<i64, Client> = hub
                .routers()
                .iter()
                .filter_map(|r| Some((r.id, r.client()?)))
                .collect();
            match run_cycle(&store, &settings, &clients, today, false, "billing", None).await {
                Ok(report) => {
                    if let Err(e) = queue_digest(&store, &settings, &report) {
                        tracing::warn!("billing digest not queued: {e}");
                    }
                }
                Err(e) => tracing::warn!("billing cycle failed: {e}"),
            }
        }
        if let Err(e) = deliver_messages(&store, &channels) {
            tracing::warn!("billing messages not delivered: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budi() -> Customer {
        Customer {
            id: 1,
            name: "budi".into(),
            area: String::new(),
            phone: String::new(),
            telegram_chat: None,
            router_id: 1,
            secret: "budi".into(),
            package_id: None,
            billing_day: 5,
            grace_days: 3,
            status: "active".into(),
            exempt: false,
            isolated: false,
            restore_profile: None,
            since: "2026-10-01".into(),
            language: None,
        }
    }

    #[test]
    fn reminders_are_written_in_the_customers_language() {
        let idr = Currency::idr();
        let mut settings = Settings {
            pay_to: "BRI 1234".into(),
            ..Settings::default()
        };
        let due = Some(Date::new(2026, 11, 15).unwrap());
        // Indonesian by default, with the amount written the Indonesian way.
        let id = message(&settings, &idr, Notice::Remind, &budi(), 150_000, due);
        assert_eq!(
            id,
            "Halo budi, tagihan internet Anda sebesar Rp 150.000 jatuh tempo pada 2026-11-15. \
             Pembayaran ke: BRI 1234. Terima kasih!"
        );
        settings.language = "en".into();
        let en = message(&settings, &idr, Notice::Remind, &budi(), 150_000, due);
        assert_eq!(
            en,
            "Hello budi, your internet bill of Rp 150,000 is due on 2026-11-15. \
             Pay to: BRI 1234. Thank you!"
        );
        // A customer's own language wins over `[billing] language`.
        let own = Customer {
            language: Some(Lang::Id),
            ..budi()
        };
        let id = message(&settings, &idr, Notice::Remind, &own, 150_000, due);
        assert!(
            id.starts_with("Halo budi") && id.contains("Rp 150.000"),
            "{id}"
        );
        let isolated = message_in(
            Lang::Id,
            &settings,
            &idr,
            Notice::Isolate,
            &budi(),
            150_000,
            None,
        );
        assert!(
            isolated.contains("diisolir karena tagihan Rp 150.000 belum dibayar"),
            "{isolated}"
        );
        let back = message_in(Lang::En, &settings, &idr, Notice::Restore, &budi(), 0, None);
        assert_eq!(
            back,
            "Hello budi, thank you for your payment. Your internet is back on."
        );
    }

    #[test]
    fn the_run_report_reads_in_either_language() {
        let report = RunReport {
            as_of: "2026-11-05".into(),
            dry_run: true,
            invoices: vec![("budi".into(), "2026-11".into(), 150_000)],
            ..RunReport::default()
        };
        let idr = Currency::idr();
        let en = report.text(&idr);
        assert!(
            en.starts_with("Billing 2026-11-05 (dry run: nothing changed)\n"),
            "{en}"
        );
        assert!(en.contains("Invoices: 1 (Rp 150.000)"), "{en}");
        let id = report.text_in(Lang::Id, &idr);
        assert!(id.contains("Tagihan: 1 (Rp 150.000)"), "{id}");
        assert!(id.contains("Pengingat: 0"), "{id}");
        assert!(report
            .text_in(Lang::En, &idr)
            .contains("Invoices: 1 (Rp 150,000)"));
    }
}
