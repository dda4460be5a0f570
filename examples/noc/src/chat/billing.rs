//! Billing commands: `/customer NAME`, `/unpaid`, `/paid NAME AMOUNT` (operator or admin),
//! `/isolate NAME` and `/restore NAME` (admin).
//!
//! Changes are previewed: the first message answers what would happen and how to confirm —
//! the same command with `ok` at the end. A confirmed payment sent twice within the same
//! minute (a retried message) records once.

use tg_notify::html::escape;

use super::{names, num, Caller, ChatOps, MAX_ROWS};
use crate::auth::Role;
use crate::billing::{self, Ledger};
use crate::storage::billing::Customer;
use crate::tr;

impl ChatOps {
    fn find_customer(&self, query: &str) -> Result<Customer, String> {
        let all = self
            .state
            .store
            .customers()
            .map_err(|e| escape(&e.to_string()))?;
        let list: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        let hits = names::resolve(query, &list);
        match hits.as_slice() {
            [i] => all
                .get(*i)
                .cloned()
                .ok_or_else(|| tr!(self.lang, "chat-no-such-customer")),
            [] => Err(tr!(
                self.lang,
                "chat-no-customer-called",
                name = escape(query)
            )),
            _ => Err(names::ambiguous(
                self.lang,
                names::What::Customers,
                query,
                &hits
                    .iter()
                    .filter_map(|i| list.get(*i).map(|s| (*s).to_owned()))
                    .collect::<Vec<_>>(),
                "/customer {}",
            )),
        }
    }

    fn ledger_of(&self, c: &Customer) -> Result<Ledger, String> {
        billing::ledger_of(&self.state.store, c.id).map_err(|e| escape(&e.to_string()))
    }

    fn currency(&self) -> billing::Currency {
        self.state
            .billing
            .currency()
            .unwrap_or_else(|_| billing::Currency::idr())
    }

    pub(super) fn customer(&self, args: &str) -> Result<String, String> {
        let lang = self.lang;
        let q = args.trim();
        if q.is_empty() {
            return Err(super::usage(lang, "customer"));
        }
        let c = self.find_customer(q)?;
        let l = self.ledger_of(&c)?;
        let cur = self.currency();
        let mut s = format!("👤 <b>{}</b>", escape(&c.name));
        if c.isolated {
            s.push_str(&format!(" · ⛔ {}", tr!(lang, "chat-isolated")));
        }
        if c.exempt {
            s.push_str(&format!(" · {}", tr!(lang, "chat-exempt")));
        }
        if c.status != "active" {
            s.push_str(&format!(" · {}", escape(&c.status)));
        }
        s.push_str(&format!(
            "\n{} <b>{}</b>\n{}",
            tr!(lang, "chat-balance"),
            escape(&cur.format(l.balance())),
            tr!(
                lang,
                "chat-secret-day",
                secret = escape(&c.secret),
                day = c.billing_day.to_string()
            )
        ));
        if !c.area.is_empty() {
            s.push_str(&format!(" · {}", escape(&c.area)));
        }
        for (line, st) in l.lines().iter().rev().take(3) {
            s.push_str(&format!(
                "\n{} {} {}",
                escape(&line.period),
                escape(&cur.format(line.amount)),
                match st {
                    billing::LineStatus::Paid => tr!(lang, "chat-line-paid"),
                    billing::LineStatus::Partial(_) => tr!(lang, "chat-line-partial"),
                    billing::LineStatus::Unpaid => tr!(lang, "chat-line-unpaid"),
                }
            ));
        }
        Ok(s)
    }

    pub(super) fn unpaid(&self) -> Result<String, String> {
        let lang = self.lang;
        let e = |e: crate::Error| escape(&e.to_string());
        let cur = self.currency();
        let customers = self.state.store.customers().map_err(e)?;
        let balances = self.state.store.balances().map_err(e)?;
        let mut owing: Vec<(String, i64, bool)> = customers
            .into_iter()
            .filter_map(|c| {
                let b = balances.get(&c.id).copied().unwrap_or(0);
                (b > 0).then_some((c.name, b, c.isolated))
            })
            .collect();
        if owing.is_empty() {
            return Ok(format!("✅ {}", tr!(lang, "chat-nobody-owes")));
        }
        owing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let total: i64 = owing.iter().map(|o| o.1).sum();
        let rows: Vec<Vec<String>> = owing
            .iter()
            .take(MAX_ROWS)
            .map(|(n, b, iso)| {
                vec![
                    format!("{}{n}", if *iso { "⛔" } else { "" }),
                    cur.format(*b),
                ]
            })
            .collect();
        let mut s = format!(
            "<b>{}</b> · {}\n{}",
            tr!(lang, "chat-owing", count = num(lang, owing.len())),
            escape(&cur.format(total)),
            super::table(
                &[&tr!(lang, "chat-th-customer"), &tr!(lang, "chat-th-owes")],
                &rows
            )
        );
        if owing.len() > MAX_ROWS {
            s.push('\n');
            s.push_str(&tr!(
                lang,
                "chat-and-more",
                count = num(lang, owing.len() - MAX_ROWS)
            ));
        }
        Ok(s)
    }

    pub(super) async fn paid(&self, caller: &Caller, args: &str) -> Result<String, String> {
        let lang = self.lang;
        if !caller.role.can_sell() {
            return Err(tr!(lang, "chat-needs-operator", what = "paid"));
        }
        let mut words = names::words(args);
        let confirmed = words.last().is_some_and(|w| {
            !w.quoted && matches!(w.text.to_lowercase().as_str(), "ok" | "ya" | "yes")
        });
        if confirmed {
            words.pop();
        }
        let (Some(amount), true) = (words.pop(), !words.is_empty()) else {
            return Err(super::usage(lang, "paid"));
        };
        let cur = self.currency();
        let amount = cur
            .parse(&amount.text, self.state.billing.max_payment)
            .map_err(|e| tr!(lang, "chat-amount-error", why = escape(&e.to_string())))?;
        let c = self.find_customer(&names::join(&words))?;
        let l = self.ledger_of(&c)?;
        if !confirmed {
            let after = l.balance() - amount;
            let mut s = format!(
                "💵 {}\n{}",
                tr!(
                    lang,
                    "chat-paid-preview",
                    amount = format!("<b>{}</b>", escape(&cur.format(amount))),
                    name = format!("<b>{}</b>", escape(&c.name))
                ),
                tr!(
                    lang,
                    "chat-balance-after",
                    balance = escape(&cur.format(after))
                )
            );
            if c.isolated && after <= 0 {
                s.push('\n');
                s.push_str(&tr!(lang, "chat-paid-restores"));
            }
            s.push_str(&format!(
                "\n{}\n<code>/paid \"{}\" {amount} ok</code>",
                tr!(lang, "chat-to-record"),
                escape(&c.name)
            ));
            return Ok(s);
        }
        let key = format!(
            "chat:{}:{}:{amount}:{}",
            caller.name,
            c.id,
            crate::now() / 60
        );
        let rec = billing::record_payment(
            &self.state.store,
            &self.state.billing,
            &self.state.clients(),
            &c,
            amount,
            "cash",
            "",
            &caller.name,
            Some(key),
        )
        .await
        .map_err(|e| tr!(lang, "chat-not-recorded", why = escape(&e.to_string())))?;
        let amount = escape(&cur.format(rec.payment.amount));
        let name = format!("<b>{}</b>", escape(&c.name));
        let receipt = escape(&rec.receipt);
        let mut s = format!(
            "✅ {}\n{} {}",
            if rec.replayed {
                tr!(
                    lang,
                    "chat-paid-recorded-already",
                    amount = amount,
                    name = name,
                    receipt = receipt
                )
            } else {
                tr!(
                    lang,
                    "chat-paid-recorded",
                    amount = amount,
                    name = name,
                    receipt = receipt
                )
            },
            tr!(lang, "chat-balance"),
            escape(&cur.format(rec.balance))
        );
        if rec.restored {
            s.push_str(&format!("\n🔓 {}", tr!(lang, "chat-internet-restored")));
        }
        if let Some(p) = rec.pending {
            s.push_str(&format!(
                "\n⚠️ {}",
                tr!(lang, "chat-not-restored-yet", why = escape(&p))
            ));
        }
        Ok(s)
    }

    pub(super) async fn isolation(
        &self,
        caller: &Caller,
        isolate: bool,
        args: &str,
    ) -> Result<String, String> {
        let lang = self.lang;
        let cmd = if isolate { "isolate" } else { "restore" };
        if caller.role != Role::Admin {
            return Err(tr!(lang, "chat-needs-admin", what = cmd));
        }
        let mut words = names::words(args);
        let confirmed = words.last().is_some_and(|w| {
            !w.quoted && matches!(w.text.to_lowercase().as_str(), "ok" | "ya" | "yes")
        });
        if confirmed {
            words.pop();
        }
        if words.is_empty() {
            return Err(super::usage(lang, cmd));
        }
        let c = self.find_customer(&names::join(&words))?;
        let router = self
            .state
            .hub
            .router(c.router_id)
            .ok_or_else(|| tr!(lang, "chat-customer-router-missing"))?;
        let client = router.client().ok_or_else(|| {
            tr!(
                lang,
                "chat-not-connected-unknown",
                name = escape(&router.name)
            )
        })?;
        if !confirmed {
            let name = format!("<b>{}</b>", escape(&c.name));
            let secret = escape(&c.secret);
            let on = escape(&router.name);
            let question = if isolate {
                tr!(
                    lang,
                    "chat-isolate-preview",
                    name = name,
                    secret = secret,
                    router = on
                )
            } else {
                tr!(
                    lang,
                    "chat-restore-preview",
                    name = name,
                    secret = secret,
                    router = on
                )
            };
            return Ok(format!(
                "{} {question}\n{}\n<code>/{cmd} \"{}\" ok</code>",
                if isolate { "⛔" } else { "🔓" },
                tr!(lang, "chat-to-do-it"),
                escape(&c.name)
            ));
        }
        let detail = billing::force(
            &self.state.store,
            &self.state.billing,
            &client,
            &c,
            isolate,
            &caller.name,
        )
        .await
        .map_err(|e| tr!(lang, "chat-not-done", why = escape(&e.to_string())))?;
        Ok(format!("✅ {}", escape(&detail)))
    }
}
