//! A customer's account: invoices paid oldest first by the sum of their payments, so a
//! partial payment or a payment ahead of time needs no allocation table and the result is
//! the same however the payments were split.

use queue_model::clock::Date;
use serde::Serialize;

/// How much of an invoice is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "status", content = "paid")]
pub enum LineStatus {
    /// Fully paid.
    Paid,
    /// Partly paid (the amount paid so far).
    Partial(i64),
    /// Nothing paid.
    Unpaid,
}

impl LineStatus {
    /// `paid`, `partial`, `unpaid`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Paid => "paid",
            LineStatus::Partial(_) => "partial",
            LineStatus::Unpaid => "unpaid",
        }
    }
}

/// One invoice as the ledger sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The invoice's id (0 for one not stored yet).
    pub id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Due date.
    pub due: Date,
    /// Amount.
    pub amount: i64,
}

/// A customer's invoices against their payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    lines: Vec<(Line, LineStatus)>,
    invoiced: i64,
    paid: i64,
}

impl Ledger {
    /// `invoices` in any order, `paid` the sum of all payments.
    pub fn new(mut invoices: Vec<Line>, paid: i64) -> Ledger {
        invoices.sort_by(|a, b| a.period.cmp(&b.period).then(a.id.cmp(&b.id)));
        let invoiced = invoices.iter().map(|l| l.amount).sum();
        let mut left = paid;
        let lines = invoices
            .into_iter()
            .map(|l| {
                let s = if left >= l.amount {
                    LineStatus::Paid
                } else if left > 0 {
                    LineStatus::Partial(left)
                } else {
                    LineStatus::Unpaid
                };
                left = (left - l.amount).max(0);
                (l, s)
            })
            .collect();
        Ledger {
            lines,
            invoiced,
            paid,
        }
    }

    /// The invoices, oldest first, with their status.
    pub fn lines(&self) -> &[(Line, LineStatus)] {
        &self.lines
    }

    /// What is owed now: invoiced minus paid (negative is credit).
    pub fn balance(&self) -> i64 {
        self.invoiced - self.paid
    }

    /// The oldest invoice not fully paid.
    pub fn oldest_unpaid(&self) -> Option<&Line> {
        self.lines
            .iter()
            .find(|(_, s)| *s != LineStatus::Paid)
            .map(|(l, _)| l)
    }

    /// The status of the invoice with `id`.
    pub fn status_of(&self, id: i64) -> Option<LineStatus> {
        self.lines.iter().find(|(l, _)| l.id == id).map(|(_, s)| *s)
    }

    /// Unpaid amount of invoices due on or before `day` (what is overdue on that day).
    pub fn due_by(&self, day: Date) -> i64 {
        self.lines
            .iter()
            .filter(|(l, _)| l.due <= day)
            .map(|(l, s)| match s {
                LineStatus::Paid => 0,
                LineStatus::Partial(p) => l.amount - p,
                LineStatus::Unpaid => l.amount,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, period: &str, due: &str, amount: i64) -> Line {
        Line {
            id,
            period: period.into(),
            due: due.parse().unwrap(),
            amount,
        }
    }

    #[test]
    fn payments_pay_the_oldest_invoice_first() {
        let inv = vec![
            line(2, "2026-11", "2026-11-15", 150_000),
            line(1, "2026-10", "2026-10-15", 150_000),
            line(3, "2026-12", "2026-12-15", 150_000),
        ];
        let l = Ledger::new(inv.clone(), 200_000);
        let st: Vec<_> = l.lines().iter().map(|(l, s)| (l.id, *s)).collect();
        assert_eq!(
            st,
            vec![
                (1, LineStatus::Paid),
                (2, LineStatus::Partial(50_000)),
                (3, LineStatus::Unpaid)
            ]
        );
        assert_eq!(l.balance(), 250_000);
        assert_eq!(l.oldest_unpaid().map(|l| l.id), Some(2));
        assert_eq!(l.due_by("2026-11-30".parse().unwrap()), 100_000);
        // Paying ahead leaves a credit and nothing unpaid.
        let l = Ledger::new(inv, 500_000);
        assert_eq!(l.balance(), -50_000);
        assert!(l.oldest_unpaid().is_none());
        assert_eq!(Ledger::new(vec![], 0).balance(), 0);
    }
}
