//! Hotspot commands: `/voucher PROFILE [N]` (operator or admin), `/sales [today|month]`,
//! `/hotspot` (who is logged in).

use queue_model::hotspot::mikhmon::UserMode;
use tg_notify::html::escape;

use super::{num, table, Caller, ChatOps};
use crate::i18n::Lang;
use crate::routers::hotspot::{self, BatchRequest};
use crate::tr;

/// A sales figure: as it always was in English (`10000`), grouped in Indonesian (`10.000`).
fn rupiah(lang: Lang, n: u64) -> String {
    if lang == Lang::En {
        n.to_string()
    } else {
        num(lang, n)
    }
}

/// Most vouchers one chat command makes (a phone screen of codes).
pub const MAX_CHAT_VOUCHERS: usize = 20;

impl ChatOps {
    pub(super) async fn voucher(&self, caller: &Caller, args: &[&str]) -> Result<String, String> {
        let lang = self.lang;
        let usage = format!(
            "{} {}",
            tr!(lang, "chat-usage"),
            super::usage_line(lang, &format!("/voucher PROFILE [1-{MAX_CHAT_VOUCHERS}]"))
        );
        let (profile, count) = match args {
            [p] => (*p, 1),
            [p, n] => match n.parse::<usize>() {
                Ok(n) if (1..=MAX_CHAT_VOUCHERS).contains(&n) => (*p, n),
                _ => return Err(usage),
            },
            _ => return Err(usage),
        };
        if !caller.role.can_sell() {
            return Err(tr!(lang, "chat-needs-operator", what = "voucher"));
        }
        let router = self.first_router()?;
        let req = BatchRequest {
            profile: profile.to_owned(),
            count,
            length: 5,
            prefix: String::new(),
            mode: UserMode::Voucher,
            note: "chat".into(),
        };
        let g = hotspot::generate(
            &self.state.store,
            &router,
            &format!("{} (bot)", caller.name),
            &req,
            |_| {},
        )
        .await
        .map_err(|e| tr!(lang, "chat-not-made", why = escape(&e.to_string())))?;
        let codes: Vec<String> = g.users.iter().map(|u| u.0.clone()).collect();
        let mut out = format!(
            "🎫 <b>{} × {}</b> {}\n<pre>{}</pre>",
            num(lang, codes.len()),
            escape(profile),
            tr!(lang, "chat-on-router", router = escape(&router.name)),
            escape(&codes.join("\n"))
        );
        if let Some(f) = g.failure {
            out.push_str(&format!(
                "\n⚠️ {}",
                tr!(lang, "chat-batch-stopped", why = escape(&f))
            ));
        }
        Ok(out)
    }

    pub(super) async fn sales(&self, args: &[&str]) -> Result<String, String> {
        let lang = self.lang;
        let router = self.first_router()?;
        let harvest = hotspot::harvest_sales(&self.state.store, &router).await;
        // Sales carry the router's dates: "today" is the router's day.
        let today = match router.client() {
            Some(c) => hotspot::router_now(&c).await.map(|t| {
                format!(
                    "{:04}-{:02}-{:02}",
                    t.date.year(),
                    t.date.month(),
                    t.date.day()
                )
            }),
            None => None,
        }
        .unwrap_or_else(|| crate::fmt::time_at(crate::now(), self.offset)[..10].to_owned());
        let (from, to, label) = match args.first().copied().unwrap_or("today") {
            "today" => (today.clone(), today.clone(), tr!(lang, "chat-sales-today")),
            "month" => (
                format!("{}-01", &today[..7]),
                format!("{}-31", &today[..7]),
                tr!(lang, "chat-sales-month"),
            ),
            _ => return Err(format!("{} /sales [today|month]", tr!(lang, "chat-usage"))),
        };
        let t = self
            .state
            .store
            .sales_totals(Some(router.id), &from, &to)
            .map_err(|e| escape(&e.to_string()))?;
        let rows: Vec<Vec<String>> = t
            .by_profile
            .iter()
            .take(super::MAX_ROWS)
            .map(|(p, n, total)| vec![p.clone(), rupiah(lang, *n), rupiah(lang, *total)])
            .collect();
        let mut out = format!(
            "💰 <b>{}</b> ({}): {}",
            tr!(lang, "chat-sales-title", when = label),
            escape(&router.name),
            tr!(
                lang,
                "chat-sales-total",
                count = num(lang, t.count),
                total = rupiah(lang, t.total)
            )
        );
        if !rows.is_empty() {
            out.push('\n');
            out.push_str(&table(&[&tr!(lang, "chat-th-profile"), "n", "Rp"], &rows));
        }
        if harvest.is_err() {
            out.push('\n');
            out.push_str(&tr!(lang, "chat-sales-stored-only"));
        }
        Ok(out)
    }

    pub(super) async fn hotspot(&self) -> Result<String, String> {
        let lang = self.lang;
        let router = self.first_router()?;
        let sessions = hotspot::sessions(&router)
            .await
            .map_err(|e| escape(&e.to_string()))?;
        if sessions.is_empty() {
            return Ok(tr!(
                lang,
                "chat-nobody-logged-in",
                router = escape(&router.name)
            ));
        }
        let rows: Vec<Vec<String>> = sessions
            .iter()
            .take(super::MAX_ROWS)
            .map(|s| vec![s.user.clone(), s.uptime.clone()])
            .collect();
        Ok(format!(
            "📶 <b>{}</b> {}\n{}",
            tr!(lang, "chat-logged-in", count = num(lang, sessions.len())),
            tr!(lang, "chat-on-router", router = escape(&router.name)),
            table(
                &[&tr!(lang, "chat-th-user"), &tr!(lang, "chat-th-uptime")],
                &rows
            )
        ))
    }

    fn first_router(&self) -> Result<std::sync::Arc<crate::routers::RouterHandle>, String> {
        self.state
            .hub
            .routers()
            .into_iter()
            .next()
            .ok_or_else(|| tr!(self.lang, "chat-no-router"))
    }
}
