//! Hotspot commands: `/voucher PROFILE [N]` (operator or admin), `/sales [today|month]`,
//! `/hotspot` (who is logged in).

use queue_model::hotspot::mikhmon::UserMode;
use tg_notify::html::escape;

use super::{table, Caller, ChatOps};
use crate::routers::hotspot::{self, BatchRequest};

/// Most vouchers one chat command makes (a phone screen of codes).
pub const MAX_CHAT_VOUCHERS: usize = 20;

impl ChatOps {
    pub(super) async fn voucher(&self, caller: &Caller, args: &[&str]) -> Result<String, String> {
        let usage = format!("Usage: /voucher PROFILE [1-{MAX_CHAT_VOUCHERS}]");
        let (profile, count) = match args {
            [p] => (*p, 1),
            [p, n] => match n.parse::<usize>() {
                Ok(n) if (1..=MAX_CHAT_VOUCHERS).contains(&n) => (*p, n),
                _ => return Err(usage),
            },
            _ => return Err(usage),
        };
        if !caller.role.can_sell() {
            return Err("Sorry, /voucher needs an operator or an admin.".into());
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
        .map_err(|e| format!("Not made: {}", escape(&e.to_string())))?;
        let codes: Vec<String> = g.users.iter().map(|u| u.0.clone()).collect();
        let mut out = format!(
            "🎫 <b>{} × {}</b> on {}\n<pre>{}</pre>",
            codes.len(),
            escape(profile),
            escape(&router.name),
            escape(&codes.join("\n"))
        );
        if let Some(f) = g.failure {
            out.push_str(&format!(
                "\n⚠️ The router stopped the batch: {}",
                escape(&f)
            ));
        }
        Ok(out)
    }

    pub(super) async fn sales(&self, args: &[&str]) -> Result<String, String> {
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
            "today" => (today.clone(), today.clone(), "today"),
            "month" => (
                format!("{}-01", &today[..7]),
                format!("{}-31", &today[..7]),
                "this month",
            ),
            _ => return Err("Usage: /sales [today|month]".into()),
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
            .map(|(p, n, total)| vec![p.clone(), n.to_string(), total.to_string()])
            .collect();
        let mut out = format!(
            "💰 <b>Sales {label}</b> ({}): {} vouchers, Rp {}",
            escape(&router.name),
            t.count,
            t.total
        );
        if !rows.is_empty() {
            out.push('\n');
            out.push_str(&table(&["profile", "n", "Rp"], &rows));
        }
        if harvest.is_err() {
            out.push_str("\n(router unreachable: stored sales only)");
        }
        Ok(out)
    }

    pub(super) async fn hotspot(&self) -> Result<String, String> {
        let router = self.first_router()?;
        let sessions = hotspot::sessions(&router)
            .await
            .map_err(|e| escape(&e.to_string()))?;
        if sessions.is_empty() {
            return Ok(format!("Nobody is logged in on {}.", escape(&router.name)));
        }
        let rows: Vec<Vec<String>> = sessions
            .iter()
            .take(super::MAX_ROWS)
            .map(|s| vec![s.user.clone(), s.uptime.clone()])
            .collect();
        Ok(format!(
            "📶 <b>{} logged in</b> on {}\n{}",
            sessions.len(),
            escape(&router.name),
            table(&["user", "uptime"], &rows)
        ))
    }

    fn first_router(&self) -> Result<std::sync::Arc<crate::routers::RouterHandle>, String> {
        self.state
            .hub
            .routers()
            .into_iter()
            .next()
            .ok_or_else(|| "No router is configured.".to_owned())
    }
}
