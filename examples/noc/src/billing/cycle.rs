//! One day of the billing cycle as a pure function: [`plan`] takes the date and what is
//! known of each customer and returns the [`Step`]s to take. Running it again after the steps
//! were stored returns nothing new, which is what makes the cycle safe to repeat and to catch
//! up on missed days.
//!
//! The rules:
//! - period `YYYY-MM` is billed on its billing day (1–28, so every month has it); the invoice
//!   is due `due_days` later;
//! - a customer starting after the billing day of their first month is billed from the next
//!   period, or — with `prorate_first_month` — for the days left of the first period
//!   (rounded to the nearest unit), issued on the start date;
//! - every missing period up to today is issued (at most [`MAX_CATCH_UP`] per run);
//! - a reminder once per invoice, `remind_days_before` days before its due date until the
//!   due date, while it is not fully paid;
//! - isolation once the oldest unpaid invoice is past its due date plus the customer's grace
//!   days, unless the customer is exempt, inactive, or the cycle is paused;
//! - restore as soon as nothing is overdue any more (or the customer was exempted or made
//!   inactive).

use queue_model::clock::Date;

use super::ledger::{Ledger, Line};

/// Most periods issued for one customer in one run (a wrong start date years back must not
/// flood the ledger).
pub const MAX_CATCH_UP: usize = 24;

/// The settings the cycle applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Days after the billing day an invoice is due.
    pub due_days: u16,
    /// Days before the due date the reminder goes out (0: none).
    pub remind_days_before: u16,
    /// Bill the first partial period.
    pub prorate_first_month: bool,
    /// Isolation paused (invoices, reminders and restores still happen).
    pub paused: bool,
}

/// An invoice already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceView {
    /// Row id.
    pub id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Due date.
    pub due: Date,
    /// Amount.
    pub amount: i64,
}

/// What the cycle needs to know of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerView {
    /// Row id.
    pub id: i64,
    /// Billed at all.
    pub active: bool,
    /// 1–28.
    pub billing_day: u8,
    /// Days after the due date before isolation.
    pub grace_days: u16,
    /// Never isolated.
    pub exempt: bool,
    /// Isolated now (as noc left the router).
    pub isolated: bool,
    /// Billed from this date.
    pub since: Date,
    /// The package's monthly price; `None` without a package (not billed).
    pub price: Option<i64>,
    /// Stored invoices.
    pub invoices: Vec<InvoiceView>,
    /// Sum of all payments.
    pub paid: i64,
    /// Periods whose reminder was already sent.
    pub reminded: Vec<String>,
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Issue an invoice.
    Invoice {
        /// Customer id.
        customer: i64,
        /// `YYYY-MM`.
        period: String,
        /// Issue date.
        issued: Date,
        /// Due date.
        due: Date,
        /// Amount.
        amount: i64,
        /// A pro-rata first period.
        prorated: bool,
    },
    /// Remind the customer of an invoice.
    Remind {
        /// Customer id.
        customer: i64,
        /// The invoice's period.
        period: String,
        /// Due date.
        due: Date,
        /// What the customer owes in all.
        owed: i64,
    },
    /// Move the customer to the isolation profile.
    Isolate {
        /// Customer id.
        customer: i64,
        /// What the customer owes in all.
        owed: i64,
        /// Due date of the oldest unpaid invoice.
        since_due: Date,
    },
    /// Give the customer their package back.
    Restore {
        /// Customer id.
        customer: i64,
    },
}

impl Step {
    /// The customer the step is for.
    pub fn customer(&self) -> i64 {
        match self {
            Step::Invoice { customer, .. }
            | Step::Remind { customer, .. }
            | Step::Isolate { customer, .. }
            | Step::Restore { customer } => *customer,
        }
    }
}

fn add_days(d: Date, n: i64) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + n).unwrap_or(d)
}

fn next_month(y: u16, m: u8) -> (u16, u8) {
    if m >= 12 {
        (y.saturating_add(1), 1)
    } else {
        (y, m + 1)
    }
}

fn billing_date(y: u16, m: u8, day: u8) -> Option<Date> {
    Date::new(y, m, day.clamp(1, 28))
}

fn period_key(y: u16, m: u8) -> String {
    format!("{y:04}-{m:02}")
}

/// The invoices a customer should have by `as_of` and does not.
fn new_invoices(as_of: Date, t: &Terms, c: &CustomerView) -> Vec<Step> {
    let Some(price) = c.price.filter(|_| c.active) else {
        return Vec::new();
    };
    let has = |p: &str| c.invoices.iter().any(|i| i.period == p);
    let mut out = Vec::new();
    let (mut y, mut m) = (c.since.year(), c.since.month());
    let Some(first) = billing_date(y, m, c.billing_day) else {
        return out;
    };
    if c.since > first {
        // Started after this month's billing day.
        let (ny, nm) = next_month(y, m);
        if t.prorate_first_month && c.since <= as_of {
            if let Some(next) = billing_date(ny, nm, c.billing_day) {
                let key = period_key(y, m);
                if !has(&key) {
                    let days = next.days_since_epoch() - c.since.days_since_epoch();
                    let span = next.days_since_epoch() - first.days_since_epoch();
                    let amount = (price * days * 2 + span) / (2 * span.max(1));
                    if amount > 0 {
                        out.push(Step::Invoice {
                            customer: c.id,
                            period: key,
                            issued: c.since,
                            due: add_days(c.since, i64::from(t.due_days)),
                            amount,
                            prorated: true,
                        });
                    }
                }
            }
        }
        (y, m) = (ny, nm);
    }
    while let Some(d) = billing_date(y, m, c.billing_day) {
        if d > as_of || out.len() >= MAX_CATCH_UP {
            break;
        }
        let key = period_key(y, m);
        if !has(&key) {
            out.push(Step::Invoice {
                customer: c.id,
                period: key,
                issued: d,
                due: add_days(d, i64::from(t.due_days)),
                amount: price,
                prorated: false,
            });
        }
        (y, m) = next_month(y, m);
    }
    out
}

/// The steps for `customers` on `as_of`, customer by customer: invoices first, then
/// reminders, then isolation or restore.
pub fn plan(as_of: Date, terms: &Terms, customers: &[CustomerView]) -> Vec<Step> {
    let mut steps = Vec::new();
    for c in customers {
        let issued = new_invoices(as_of, terms, c);
        let mut lines: Vec<Line> = c
            .invoices
            .iter()
            .map(|i| Line {
                id: i.id,
                period: i.period.clone(),
                due: i.due,
                amount: i.amount,
            })
            .collect();
        for s in &issued {
            if let Step::Invoice {
                period,
                due,
                amount,
                ..
            } = s
            {
                lines.push(Line {
                    id: 0,
                    period: period.clone(),
                    due: *due,
                    amount: *amount,
                });
            }
        }
        steps.extend(issued);
        let ledger = Ledger::new(lines, c.paid);
        if c.active && terms.remind_days_before > 0 {
            for (l, s) in ledger.lines() {
                if *s == super::LineStatus::Paid || c.reminded.contains(&l.period) {
                    continue;
                }
                let from = add_days(l.due, -i64::from(terms.remind_days_before));
                if as_of >= from && as_of <= l.due {
                    steps.push(Step::Remind {
                        customer: c.id,
                        period: l.period.clone(),
                        due: l.due,
                        owed: ledger.balance(),
                    });
                }
            }
        }
        let overdue = ledger
            .oldest_unpaid()
            .filter(|l| as_of > add_days(l.due, i64::from(c.grace_days)));
        match overdue {
            Some(l) if c.active && !c.exempt && !c.isolated && !terms.paused => {
                steps.push(Step::Isolate {
                    customer: c.id,
                    owed: ledger.balance(),
                    since_due: l.due,
                });
            }
            _ if c.isolated && (overdue.is_none() || c.exempt || !c.active) => {
                steps.push(Step::Restore { customer: c.id });
            }
            _ => {}
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn terms() -> Terms {
        Terms {
            due_days: 10,
            remind_days_before: 3,
            prorate_first_month: false,
            paused: false,
        }
    }

    fn customer() -> CustomerView {
        CustomerView {
            id: 1,
            active: true,
            billing_day: 5,
            grace_days: 3,
            exempt: false,
            isolated: false,
            since: d("2026-11-05"),
            price: Some(150_000),
            invoices: vec![],
            paid: 0,
            reminded: vec![],
        }
    }

    /// Applies invoice steps and reminders the way the runner stores them.
    fn store(c: &mut CustomerView, steps: &[Step]) {
        for s in steps {
            match s {
                Step::Invoice {
                    period,
                    due,
                    amount,
                    ..
                } => c.invoices.push(InvoiceView {
                    id: i64::try_from(c.invoices.len()).unwrap() + 1,
                    period: period.clone(),
                    due: *due,
                    amount: *amount,
                }),
                Step::Remind { period, .. } => c.reminded.push(period.clone()),
                Step::Isolate { .. } => c.isolated = true,
                Step::Restore { .. } => c.isolated = false,
            }
        }
    }

    fn kinds(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::Invoice { period, amount, .. } => format!("invoice {period} {amount}"),
                Step::Remind { period, .. } => format!("remind {period}"),
                Step::Isolate { owed, .. } => format!("isolate {owed}"),
                Step::Restore { .. } => "restore".into(),
            })
            .collect()
    }

    #[test]
    fn a_month_day_by_day() {
        let t = terms();
        let mut c = customer();
        let mut log = Vec::new();
        let mut day = d("2026-11-04");
        while day <= d("2026-12-20") {
            let steps = plan(day, &t, std::slice::from_ref(&c));
            for k in kinds(&steps) {
                log.push(format!("{day} {k}"));
            }
            store(&mut c, &steps);
            // November's invoice (due 11-15, grace 3) is paid late, on 11-20, after that
            // day's run: isolated on 11-19, restored by the next run.
            if day == d("2026-11-20") {
                c.paid += 150_000;
            }
            day = add_days(day, 1);
        }
        assert_eq!(
            log,
            vec![
                "2026-11-05 invoice 2026-11 150000",
                "2026-11-12 remind 2026-11",
                "2026-11-19 isolate 150000",
                "2026-11-21 restore",
                "2026-12-05 invoice 2026-12 150000",
                "2026-12-12 remind 2026-12",
                "2026-12-19 isolate 150000",
            ]
        );
    }

    #[test]
    fn running_twice_plans_nothing_new() {
        let t = terms();
        let mut c = customer();
        let steps = plan(d("2026-11-20"), &t, std::slice::from_ref(&c));
        assert_eq!(
            kinds(&steps),
            ["invoice 2026-11 150000", "isolate 150000"],
            "a late first run issues and isolates at once (no reminder after the due date)"
        );
        store(&mut c, &steps);
        assert!(plan(d("2026-11-20"), &t, &[c]).is_empty());
    }

    #[test]
    fn missed_days_are_caught_up_and_bounded() {
        let t = terms();
        let mut c = customer();
        c.since = d("2026-01-01");
        c.billing_day = 1;
        let steps = plan(d("2026-04-02"), &t, std::slice::from_ref(&c));
        assert_eq!(
            kinds(&steps)[..4],
            [
                "invoice 2026-01 150000",
                "invoice 2026-02 150000",
                "invoice 2026-03 150000",
                "invoice 2026-04 150000"
            ]
        );
        c.since = d("2000-01-01");
        let steps = plan(d("2026-04-02"), &t, &[c]);
        let invoices = steps
            .iter()
            .filter(|s| matches!(s, Step::Invoice { .. }))
            .count();
        assert_eq!(invoices, MAX_CATCH_UP);
    }

    #[test]
    fn first_month_starts_next_period_or_prorated() {
        let mut t = terms();
        let mut c = customer();
        c.since = d("2026-11-20"); // billing day 5: next period starts 12-05 (15 of 30 days left)
        assert!(plan(d("2026-11-20"), &t, std::slice::from_ref(&c)).is_empty());
        t.prorate_first_month = true;
        let steps = plan(d("2026-11-20"), &t, std::slice::from_ref(&c));
        assert_eq!(
            steps,
            vec![Step::Invoice {
                customer: 1,
                period: "2026-11".into(),
                issued: d("2026-11-20"),
                due: d("2026-11-30"),
                amount: 75_000,
                prorated: true,
            }]
        );
        store(&mut c, &steps);
        c.paid = 75_000;
        assert_eq!(
            kinds(&plan(d("2026-12-05"), &t, &[c])),
            ["invoice 2026-12 150000"]
        );
    }

    #[test]
    fn exempt_paused_inactive_and_partial_payments() {
        let t = terms();
        let mut c = customer();
        c.invoices.push(InvoiceView {
            id: 1,
            period: "2026-11".into(),
            due: d("2026-11-15"),
            amount: 150_000,
        });
        c.reminded.push("2026-11".into());
        let day = d("2026-11-25");
        c.paid = 100_000; // partial: still overdue
        assert_eq!(
            kinds(&plan(day, &t, std::slice::from_ref(&c))),
            ["isolate 50000"]
        );
        c.exempt = true;
        assert!(plan(day, &t, std::slice::from_ref(&c)).is_empty());
        c.exempt = false;
        let paused = Terms { paused: true, ..t };
        assert!(plan(day, &paused, std::slice::from_ref(&c)).is_empty());
        c.isolated = true;
        assert!(
            plan(day, &t, std::slice::from_ref(&c)).is_empty(),
            "stays isolated"
        );
        c.exempt = true;
        assert_eq!(kinds(&plan(day, &t, std::slice::from_ref(&c))), ["restore"]);
        c.exempt = false;
        c.active = false;
        assert_eq!(kinds(&plan(day, &t, std::slice::from_ref(&c))), ["restore"]);
        c.active = true;
        c.paid = 150_000;
        assert_eq!(kinds(&plan(day, &t, &[c])), ["restore"]);
    }

    #[test]
    fn no_package_no_invoice() {
        let mut c = customer();
        c.price = None;
        assert!(plan(d("2026-12-20"), &terms(), &[c]).is_empty());
    }
}
