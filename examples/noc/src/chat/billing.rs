//! Billing commands: `/customer NAME`, `/unpaid`, `/paid NAME AMOUNT` (operator or admin),
//! `/isolate NAME` and `/restore NAME` (admin).
//!
//! Changes are previewed: the first message answers what would happen and how to confirm —
//! the same command with `ok` at the end. A confirmed payment sent twice within the same
//! minute (a retried message) records once.

use tg_notify::html::escape;

use super::{names, Caller, ChatOps, MAX_ROWS};
use crate::auth::Role;
use crate::billing::{self, Ledger};
use crate::storage::billing::Customer;

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
                .ok_or_else(|| "No such customer.".to_owned()),
            [] => Err(format!("No customer called {}.", escape(query))),
            _ => Err(names::ambiguous(
                "customers",
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
        let q = args.trim();
        if q.is_empty() {
            return Err(super::usage("customer"));
        }
        let c = self.find_customer(q)?;
        let l = self.ledger_of(&c)?;
        let cur = self.currency();
        let mut s = format!("👤 <b>{}</b>", escape(&c.name));
        if c.isolated {
            s.push_str(" · ⛔ isolated");
        }
        if c.exempt {
            s.push_str(" · exempt");
        }
        if c.status != "active" {
            s.push_str(&format!(" · {}", escape(&c.status)));
        }
        s.push_str(&format!(
            "\nBalance: <b>{}</b>\nSecret: {} · day {}",
            escape(&cur.format(l.balance())),
            escape(&c.secret),
            c.billing_day
        ));
        if !c.area.is_empty() {
            s.push_str(&format!(" · {}", escape(&c.area)));
        }
        for (line, st) in l.lines().iter().rev().take(3) {
            s.push_str(&format!(
                "\n{} {} {}",
                escape(&line.period),
                escape(&cur.format(line.amount)),
                st.as_str()
            ));
        }
        Ok(s)
    }

    pub(super) fn unpaid(&self) -> Result<String, String> {
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
            return Ok("✅ Nobody owes anything.".into());
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
            "<b>{} owing</b> · {}\n{}",
            owing.len(),
            escape(&cur.format(total)),
            super::table(&["customer", "owes"], &rows)
        );
        if owing.len() > MAX_ROWS {
            s.push_str(&format!("\n… and {} more", owing.len() - MAX_ROWS));
        }
        Ok(s)
    }

    pub(super) async fn paid(&self, caller: &Caller, args: &str) -> Result<String, String> {
        if !caller.role.can_sell() {
            return Err("Sorry, /paid needs an operator or an admin.".into());
        }
        let mut words = names::words(args);
        let confirmed = words.last().is_some_and(|w| {
            !w.quoted && matches!(w.text.to_lowercase().as_str(), "ok" | "ya" | "yes")
        });
        if confirmed {
            words.pop();
        }
        let (Some(amount), true) = (words.pop(), !words.is_empty()) else {
            return Err(super::usage("paid"));
        };
        let cur = self.currency();
        let amount = cur
            .parse(&amount.text, self.state.billing.max_payment)
            .map_err(|e| format!("Amount: {}", escape(&e.to_string())))?;
        let c = self.find_customer(&names::join(&words))?;
        let l = self.ledger_of(&c)?;
        if !confirmed {
            let after = l.balance() - amount;
            let mut s = format!(
                "💵 Record <b>{}</b> from <b>{}</b>?\nBalance after: {}",
                escape(&cur.format(amount)),
                escape(&c.name),
                escape(&cur.format(after))
            );
            if c.isolated && after <= 0 {
                s.push_str("\nTheir internet is restored.");
            }
            s.push_str(&format!(
                "\nTo record, send:\n<code>/paid \"{}\" {amount} ok</code>",
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
        .map_err(|e| format!("Not recorded: {}", escape(&e.to_string())))?;
        let mut s = format!(
            "✅ {} from <b>{}</b> recorded{} · receipt {}\nBalance: {}",
            escape(&cur.format(rec.payment.amount)),
            escape(&c.name),
            if rec.replayed { " (already)" } else { "" },
            escape(&rec.receipt),
            escape(&cur.format(rec.balance))
        );
        if rec.restored {
            s.push_str("\n🔓 Internet restored.");
        }
        if let Some(p) = rec.pending {
            s.push_str(&format!(
                "\n⚠️ Not restored yet: {} (the next run retries)",
                escape(&p)
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
        let cmd = if isolate { "isolate" } else { "restore" };
        if caller.role != Role::Admin {
            return Err(format!("Sorry, /{cmd} needs an admin."));
        }
        let mut words = names::words(args);
        let confirmed = words.last().is_some_and(|w| {
            !w.quoted && matches!(w.text.to_lowercase().as_str(), "ok" | "ya" | "yes")
        });
        if confirmed {
            words.pop();
        }
        if words.is_empty() {
            return Err(super::usage(cmd));
        }
        let c = self.find_customer(&names::join(&words))?;
        let router = self
            .state
            .hub
            .router(c.router_id)
            .ok_or("The customer's router is not configured.")?;
        let client = router.client().ok_or_else(|| {
            format!(
                "{} is not connected: nothing is changed while its state is unknown.",
                escape(&router.name)
            )
        })?;
        if !confirmed {
            return Ok(format!(
                "{} <b>{}</b> ({} on {})? Their session restarts.\nTo do it, send:\n<code>/{cmd} \"{}\" ok</code>",
                if isolate { "⛔ Isolate" } else { "🔓 Restore" },
                escape(&c.name),
                escape(&c.secret),
                escape(&router.name),
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
        .map_err(|e| format!("Not done: {}", escape(&e.to_string())))?;
        Ok(format!("✅ {}", escape(&detail)))
    }
}
