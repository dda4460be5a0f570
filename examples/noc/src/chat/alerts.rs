//! Alert and activity commands: `/l7`, `/alerts`, `/mute`.

#[allow(unused_imports)]
use super::*;

impl ChatOps {
    pub(super) fn l7(&self, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let ev = self
            .state
            .store
            .l7_events(only.map(|r| r.id), i64::try_from(MAX_ROWS).unwrap_or(15))
            .map_err(|e| escape(&e.to_string()))?;
        let l = self.lang;
        let on = only.map_or(String::new(), |r| {
            format!(" {}", tr!(l, "chat-on-router", router = escape(&r.name)))
        });
        if ev.is_empty() {
            return Ok(tr!(l, "chat-no-l7", on = on));
        }
        let with_router = only.is_none() && self.several_routers();
        let rows: Vec<Vec<String>> = ev
            .iter()
            .map(|e| {
                let mut row = vec![self.short_time(e.time), e.host.clone(), e.app.clone()];
                if with_router {
                    row.insert(1, self.router_name(Some(e.router_id)).unwrap_or_default());
                }
                row
            })
            .collect();
        let (time, rtr, host, app) = (
            tr!(l, "chat-th-time"),
            tr!(l, "chat-th-rtr"),
            tr!(l, "chat-th-host"),
            tr!(l, "chat-th-app"),
        );
        let head: Vec<&str> = if with_router {
            vec![&time, &rtr, &host, &app]
        } else {
            vec![&time, &host, &app]
        };
        Ok(format!(
            "<b>{}</b>{on} {}\n{}",
            tr!(l, "chat-l7-title"),
            tr!(l, "chat-times-in", zone = escape(&self.zone())),
            table(&head, &rows)
        ))
    }

    /// The router an alert is about, by row id.
    pub(super) fn router_name(&self, id: Option<i64>) -> Option<String> {
        let id = id?;
        self.routers()
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
    }

    pub(super) fn alerts(&self) -> Result<String, String> {
        let l = self.lang;
        let all = self
            .state
            .store
            .alerts(500)
            .map_err(|e| escape(&e.to_string()))?;
        let open: Vec<_> = all.iter().filter(|a| a.resolved_at.is_none()).collect();
        let mut s = if open.is_empty() {
            tr!(l, "chat-no-open-alerts")
        } else {
            // What happened first, then where and since when; text, so a phone wraps it.
            let mut s = format!(
                "<b>{}</b> {}",
                tr!(l, "chat-open-alerts-title"),
                tr!(
                    l,
                    "chat-open-alerts-count",
                    count = num(l, open.len()),
                    zone = escape(&self.zone())
                )
            );
            for a in open.iter().take(MAX_ROWS) {
                let router = self.router_name(a.router_id);
                let title = router
                    .as_deref()
                    .and_then(|r| a.title.strip_prefix(r))
                    .map(|t| t.strip_prefix(':').unwrap_or(t).trim_start())
                    .filter(|t| !t.is_empty())
                    .unwrap_or(&a.title);
                let icon = match a.severity.as_str() {
                    "critical" => "🔴",
                    "warning" => "🟠",
                    _ => "🔵",
                };
                s.push_str(&format!(
                    "\n\n{icon} <b>{}</b>",
                    escape(&crate::fmt::cap(title, 160))
                ));
                if a.count > 1 {
                    s.push_str(&format!(" (×{})", num(l, a.count)));
                }
                let detail = crate::fmt::router_text(&a.detail);
                if !detail.trim().is_empty() {
                    s.push_str(&format!("\n{}", escape(&crate::fmt::cap(&detail, 200))));
                }
                s.push_str(&format!(
                    "\n<i>{}{}</i>",
                    router.map_or(String::new(), |r| format!("{} · ", escape(&r))),
                    tr!(
                        l,
                        "chat-since",
                        time = escape(&self.short_time(a.first_seen))
                    )
                ));
            }
            if open.len() > MAX_ROWS {
                s.push_str("\n\n");
                s.push_str(&tr!(
                    l,
                    "chat-and-more",
                    count = num(l, open.len() - MAX_ROWS)
                ));
            }
            s
        };
        if let Ok(mutes) = self.tg.mutes(crate::now()) {
            for m in mutes {
                s.push_str(&format!(
                    "\n🔕 {}",
                    tr!(
                        l,
                        "chat-muted-until",
                        rule = escape(&m.rule),
                        until = escape(&self.long_time(m.until)),
                        by = escape(&m.by)
                    )
                ));
            }
        }
        Ok(s)
    }

    pub(super) fn mute(&self, caller: &Caller, args: &[&str]) -> Result<String, String> {
        let l = self.lang;
        let [rule, span] = args else {
            return Err(usage(l, "mute"));
        };
        self.require_admin(caller, "mute", args)?;
        // The names given at start plus the rules saved in the dashboard since.
        let mut names: Vec<String> = self.rules.as_ref().clone();
        for saved in crate::alerts::rules::saved_rules(&self.state.store).unwrap_or_default() {
            if !names.contains(&saved.rule.name) {
                names.push(saved.rule.name);
            }
        }
        if *rule != "all" && !names.iter().any(|r| r == rule) {
            let known = names.join(", ");
            return Err(tr!(
                l,
                "chat-no-rule-called",
                name = escape(rule),
                rules = escape(&known)
            ));
        }
        let now = crate::now();
        if span.eq_ignore_ascii_case("off") || *span == "0" {
            let was = self.tg.unmute(rule).map_err(|e| escape(&e.to_string()))?;
            let _ = self.state.store.audit(
                &format!("{} (bot)", caller.name),
                None,
                "alert.unmute",
                rule,
                true,
            );
            return Ok(if was {
                format!("🔔 {}", tr!(l, "chat-unmuted", rule = escape(rule)))
            } else {
                tr!(l, "chat-was-not-muted", rule = escape(rule))
            });
        }
        let span: crate::alerts::Span = span.parse().map_err(|_| usage(l, "mute"))?;
        if span.0 == 0 {
            return Err(usage(l, "mute"));
        }
        let until = now.saturating_add(span.secs());
        self.tg
            .mute(rule, until, &caller.name)
            .map_err(|e| escape(&e.to_string()))?;
        let _ = self.state.store.audit(
            &format!("{} (bot)", caller.name),
            None,
            "alert.mute",
            &format!("{rule} for {span}"),
            true,
        );
        Ok(format!(
            "🔕 {}",
            tr!(
                l,
                "chat-muted-for",
                rule = escape(rule),
                span = span.to_string(),
                until = escape(&self.long_time(until))
            )
        ))
    }
}
