//! The engine's chat-side batching: digests (a rule's Layer 7 starts or new devices on one
//! router over one interval as one message) and burst summaries (events beyond
//! [`MAX_EVENTS_PER_WINDOW`] in a window counted into one notice).

use super::*;

impl Engine {
    /// Adds an event to its rule's digest on this router, when the rule sends digests;
    /// whether it did.
    pub(super) fn add_to_digest(
        &mut self,
        idx: usize,
        now: i64,
        (router_id, router): (i64, &str),
        title: &str,
        (group, name): (&str, &str),
    ) -> bool {
        let Some(cfg) = self.rules.get(idx).map(|c| &c.cfg) else {
            return false;
        };
        if cfg.digest_secs() <= 0 {
            return false;
        }
        let k = (cfg.name.clone(), router_id);
        if !self.digests.contains_key(&k) && self.digests.len() >= MAX_TRACKED {
            // Too much to track: the event goes out on its own.
            return false;
        }
        let d = self.digests.entry(k).or_insert_with(|| Digest {
            start: now,
            router: router.to_owned(),
            total: 0,
            first_title: crate::fmt::router_text(title),
            groups: Vec::new(),
            other: 0,
        });
        d.total += 1;
        let group = crate::fmt::router_text(group);
        let known = d.groups.len();
        match d.groups.iter_mut().find(|g| g.0 == group) {
            Some(g) => {
                g.2 += 1;
                if g.1.len() < MAX_DIGEST_NAMES {
                    g.1.push(crate::fmt::router_text(name));
                }
            }
            None if known < MAX_DIGEST_GROUPS => {
                d.groups
                    .push((group, vec![crate::fmt::router_text(name)], 1));
            }
            None => d.other += 1,
        }
        true
    }

    /// The digest message of rule `idx` for events `d`.
    fn digest_notice(&self, idx: usize, router_id: i64, d: &Digest) -> Option<Notice> {
        let cfg = &self.rules.get(idx)?.cfg;
        let key = format!("{}:{router_id}:digest:{}", cfg.name, d.start);
        let every = interval_text(cfg.digest_secs());
        let router = &d.router;
        let lang = self.lang;
        let thousands = |n: u64| lang.integer(i64::try_from(n).unwrap_or(i64::MAX));
        let more = |shown: usize, total: u64| {
            let rest = total.saturating_sub(u64::try_from(shown).unwrap_or(0));
            if rest > 0 {
                format!(" {}", tr!(lang, "alert-and-more", count = thousands(rest)))
            } else {
                String::new()
            }
        };
        let (title, detail) = if d.total == 1 {
            (d.first_title.clone(), String::new())
        } else if cfg.kind == RuleKind::L7 {
            match d.groups.as_slice() {
                [(app, names, n)] if d.other == 0 => (
                    tr!(
                        lang,
                        "alert-digest-l7-one",
                        router = router,
                        hosts = thousands(*n),
                        app = app,
                        every = &every
                    ),
                    format!("{}{}", names.join(", "), more(names.len(), *n)),
                ),
                groups => {
                    let mut lines: Vec<String> = groups
                        .iter()
                        .map(|(app, names, n)| {
                            format!(
                                "{app} ({}): {}{}",
                                thousands(*n),
                                names.join(", "),
                                more(names.len(), *n)
                            )
                        })
                        .collect();
                    if d.other > 0 {
                        lines.push(tr!(lang, "alert-other-apps", count = thousands(d.other)));
                    }
                    (
                        tr!(
                            lang,
                            "alert-digest-l7",
                            router = router,
                            starts = thousands(d.total),
                            every = &every
                        ),
                        lines.join("\n"),
                    )
                }
            }
        } else {
            let names: Vec<&String> = d.groups.iter().flat_map(|g| g.1.iter()).collect();
            let shown = names.len().min(MAX_DIGEST_NAMES);
            let mut lines: Vec<String> = names.iter().take(shown).map(|s| s.to_string()).collect();
            let rest = more(shown, d.total);
            if !rest.is_empty() {
                lines.push(rest.trim_start().to_owned());
            }
            (
                tr!(
                    lang,
                    "alert-digest-lease",
                    router = router,
                    devices = thousands(d.total),
                    every = &every
                ),
                lines.join("\n"),
            )
        };
        Some(Notice {
            key,
            rule: cfg.name.clone(),
            router_id: Some(router_id),
            router: router.clone(),
            severity: cfg.severity,
            title,
            detail,
            kind: NoticeKind::Event,
            chats: cfg.chats.clone(),
            delivery: Delivery::ChatOnly,
        })
    }

    /// The digests whose interval ended by `now`: one chat message each ("5 hosts started
    /// tiktok in the last 10 min: ..."). Call every tick.
    pub fn digests(&mut self, now: i64) -> Vec<Notice> {
        let due: Vec<(String, i64)> = self
            .digests
            .iter()
            .filter(|((name, _), d)| {
                self.rules
                    .iter()
                    .find(|c| &c.cfg.name == name)
                    .is_none_or(|c| now.saturating_sub(d.start) >= c.cfg.digest_secs())
            })
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::new();
        for k in due {
            let Some(d) = self.digests.remove(&k) else {
                continue;
            };
            if let Some(idx) = self.rules.iter().position(|c| c.cfg.name == k.0) {
                out.extend(self.digest_notice(idx, k.1, &d));
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// Counts an event of rule `idx` on a router: whether it is shown, or held for the
    /// window's summary.
    pub(super) fn admit(&mut self, idx: usize, router_id: i64, router: &str, now: i64) -> bool {
        let ended = self
            .windows
            .get(&(idx, router_id))
            .is_some_and(|w| now.saturating_sub(w.start) >= EVENT_WINDOW);
        if ended {
            if let Some(w) = self.windows.remove(&(idx, router_id)) {
                self.summaries.extend(self.summary(idx, router_id, &w));
            }
        }
        if !self.windows.contains_key(&(idx, router_id)) && self.windows.len() >= MAX_TRACKED {
            return false;
        }
        let w = self.windows.entry((idx, router_id)).or_insert(Window {
            start: now,
            router: router.to_owned(),
            shown: 0,
            held: 0,
        });
        if w.shown < MAX_EVENTS_PER_WINDOW {
            w.shown += 1;
            true
        } else {
            w.held += 1;
            false
        }
    }

    fn summary(&self, idx: usize, router_id: i64, w: &Window) -> Option<Notice> {
        if w.held == 0 {
            return None;
        }
        let kind = match self.rules.get(idx)?.cfg.kind {
            RuleKind::L7 => "Layer 7",
            k => k.as_str(),
        };
        let total = w.held + u64::from(w.shown);
        let name = &self.rules.get(idx)?.cfg.name;
        let key = format!("{name}:{router_id}:summary:{}", w.start);
        let lang = self.lang;
        let title = tr!(
            lang,
            "alert-burst",
            router = &w.router,
            events = lang.integer(i64::try_from(total).unwrap_or(i64::MAX)),
            kind = kind,
            window = EVENT_WINDOW.to_string(),
            shown = w.shown.to_string()
        );
        let detail = tr!(
            lang,
            "alert-burst-detail",
            events = lang.integer(i64::try_from(w.held).unwrap_or(i64::MAX)),
            rule = name
        );
        let mut n = self.notice(
            idx,
            router_id,
            &w.router,
            NoticeKind::Event,
            (key, title, detail),
        )?;
        if self.rules.get(idx)?.cfg.digest_secs() > 0 {
            // The digest counts these events for chat.
            n.delivery = Delivery::FeedOnly;
        }
        Some(n)
    }

    /// Summaries of the windows that ended by `now` with events held back ("1,823 Layer 7
    /// events in 10 s, showing the first 50"); call every tick.
    pub fn summaries(&mut self, now: i64) -> Vec<Notice> {
        let ended: Vec<(usize, i64)> = self
            .windows
            .iter()
            .filter(|(_, w)| now.saturating_sub(w.start) >= EVENT_WINDOW)
            .map(|(k, _)| *k)
            .collect();
        for k in ended {
            if let Some(w) = self.windows.remove(&k) {
                self.summaries.extend(self.summary(k.0, k.1, &w));
            }
        }
        std::mem::take(&mut self.summaries)
    }
}
