//! Queue commands: `/queues`, `/top`, `/queue`, `/limit`, `/enable`, `/disable`.

#[allow(unused_imports)]
use super::*;

impl ChatOps {
    /// Every queue with its router, or the queues of `only`.
    pub(super) fn all_queues(
        &self,
        only: Option<&Arc<RouterHandle>>,
    ) -> Vec<(Arc<RouterHandle>, QueueRow)> {
        let mut out = Vec::new();
        for r in self.routers() {
            if only.is_some_and(|o| o.id != r.id) {
                continue;
            }
            let l = r.live();
            for q in l.queues.iter() {
                out.push((r.clone(), q.clone()));
            }
        }
        out
    }

    pub(super) fn queues(
        &self,
        filter: Option<&str>,
        only: Option<&Arc<RouterHandle>>,
        top: bool,
    ) -> String {
        let f = filter.map(str::to_lowercase);
        let mut qs: Vec<(Arc<RouterHandle>, QueueRow)> = self
            .all_queues(only)
            .into_iter()
            .filter(|(_, q)| {
                f.as_ref().is_none_or(|f| {
                    q.name.to_lowercase().contains(f)
                        || q.target.to_lowercase().contains(f)
                        || q.comment.to_lowercase().contains(f)
                })
            })
            .collect();
        qs.sort_by_key(|(_, q)| std::cmp::Reverse(q.rate_up.saturating_add(q.rate_down)));
        let total = qs.len();
        qs.truncate(if top { 10 } else { MAX_ROWS });
        let l = self.lang;
        let on = only.map_or(String::new(), |r| {
            format!(" {}", tr!(l, "chat-on-router", router = escape(&r.name)))
        });
        if qs.is_empty() {
            return match filter {
                Some(f) => tr!(l, "chat-no-queue-matches", filter = escape(f), on = on),
                None => tr!(l, "chat-no-queues", on = on),
            };
        }
        // A router column once there are several and none was picked.
        let with_router = only.is_none() && self.several_routers();
        let rows: Vec<Vec<String>> = qs
            .iter()
            .map(|(r, q)| {
                let mut row = if top {
                    vec![
                        q.target
                            .split(',')
                            .next()
                            .unwrap_or("")
                            .trim_end_matches("/32")
                            .to_owned(),
                        q.name.clone(),
                        rate(q.rate_down),
                        rate(q.rate_up),
                    ]
                } else {
                    vec![
                        q.name.clone(),
                        rate(q.rate_down),
                        rate(q.rate_up),
                        format!("{}%", q.usage_percent()),
                    ]
                };
                if with_router {
                    row.insert(1, r.name.clone());
                }
                row
            })
            .collect();
        let (host, rtr, queue, down, up, use_) = (
            tr!(l, "chat-th-host"),
            tr!(l, "chat-th-rtr"),
            tr!(l, "chat-th-queue"),
            tr!(l, "chat-th-down"),
            tr!(l, "chat-th-up"),
            tr!(l, "chat-th-use"),
        );
        let head: Vec<&str> = match (top, with_router) {
            (true, false) => vec![&host, &queue, &down, &up],
            (true, true) => vec![&host, &rtr, &queue, &down, &up],
            (false, false) => vec![&queue, &down, &up, &use_],
            (false, true) => vec![&queue, &rtr, &down, &up, &use_],
        };
        if top {
            format!(
                "<b>{}</b>{on}\n{}",
                tr!(l, "chat-top-title"),
                table(&head, &rows)
            )
        } else {
            format!(
                "<b>{}</b> {}{on}\n{}",
                tr!(l, "chat-queues-title"),
                tr!(
                    l,
                    "chat-queues-by-rate",
                    shown = num(l, qs.len()),
                    total = num(l, total)
                ),
                table(&head, &rows)
            )
        }
    }

    /// Finds a queue by name: exact, a unique prefix or fuzzy match; `NAME@router` or `only`
    /// narrows to a router. `example` shows how to pick among candidates (`{}` is a name).
    pub(super) fn find_queue(
        &self,
        spec: &str,
        only: Option<&Arc<RouterHandle>>,
        example: &str,
    ) -> Result<(Arc<RouterHandle>, QueueRow), String> {
        if only.is_none() {
            // `NAME@router`, when the part after `@` is a router's name.
            if let Some((n, r)) = spec.rsplit_once('@') {
                if let Some(router) = self
                    .routers()
                    .into_iter()
                    .find(|x| x.name.eq_ignore_ascii_case(r))
                {
                    if !n.trim().is_empty() {
                        return self.find_queue(n, Some(&router), example);
                    }
                }
            }
        }
        let mut hits = self.all_queues(only);
        let list: Vec<&str> = hits.iter().map(|(_, q)| q.name.as_str()).collect();
        let found = names::resolve(spec, &list);
        match found.as_slice() {
            [i] => {
                let i = *i;
                if i < hits.len() {
                    Ok(hits.swap_remove(i))
                } else {
                    Err(tr!(self.lang, "chat-no-queue-called", name = escape(spec)))
                }
            }
            [] => Err(tr!(self.lang, "chat-no-queue-called", name = escape(spec))),
            _ => {
                let labels: Vec<String> = found
                    .iter()
                    .filter_map(|i| hits.get(*i))
                    .map(|(r, q)| {
                        if only.is_none() && self.several_routers() {
                            format!("{}@{}", q.name, r.name)
                        } else {
                            q.name.clone()
                        }
                    })
                    .collect();
                Err(names::ambiguous(
                    self.lang,
                    names::What::Queues,
                    spec,
                    &labels,
                    example,
                ))
            }
        }
    }

    pub(super) fn queue(
        &self,
        spec: &str,
        only: Option<&Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let (r, q) = self.find_queue(spec, only, "/queue {}")?;
        let l = self.lang;
        let rows = vec![
            vec![tr!(l, "chat-row-router"), r.name.clone()],
            vec![tr!(l, "chat-row-target"), q.target.clone()],
            vec![
                tr!(l, "chat-row-rate"),
                tr!(
                    l,
                    "chat-rate-up-down",
                    up = rate(q.rate_up),
                    down = rate(q.rate_down)
                ),
            ],
            vec![
                "max-limit".into(),
                format!("{}/{}", rate(q.max_up), rate(q.max_down)),
            ],
            vec![tr!(l, "chat-row-use"), format!("{}%", q.usage_percent())],
            vec![
                tr!(l, "chat-row-bytes"),
                format!("{} / {}", iec(l, q.bytes_up), iec(l, q.bytes_down)),
            ],
            vec![
                tr!(l, "chat-row-dropped"),
                format!("{} / {}", num(l, q.dropped_up), num(l, q.dropped_down)),
            ],
            vec![
                tr!(l, "chat-row-state"),
                if q.disabled {
                    tr!(l, "chat-disabled")
                } else {
                    tr!(l, "chat-enabled")
                },
            ],
            vec![tr!(l, "chat-row-comment"), q.comment.clone()],
        ];
        Ok(format!(
            "<b>{}</b>\n{}",
            tr!(l, "chat-queue-title", name = escape(&q.name)),
            table(&["", ""], &rows)
        ))
    }

    /// `/limit NAME RATE`, `/enable NAME`, `/disable NAME`: the name may have spaces (the
    /// last word of `/limit` is the rate).
    pub(super) async fn change(
        &self,
        caller: &Caller,
        what: &str,
        mut words: Vec<names::Word>,
        only: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let lang = self.lang;
        let limit = match what {
            "limit" if words.len() >= 2 => {
                let l = words.pop().map(|w| w.text).unwrap_or_default();
                let l: queue_model::UpDown<queue_model::Rate> = l.parse().map_err(|e| {
                    let why = crate::fmt::rate_pair_problem(&l).unwrap_or_else(|| format!("{e}"));
                    format!("{}\n{}", usage(lang, "limit"), escape(&why))
                })?;
                Some(l)
            }
            "enable" | "disable" if !words.is_empty() => None,
            _ => return Err(usage(lang, what)),
        };
        let spec = names::join(&words);
        if spec.trim().is_empty() {
            return Err(usage(lang, what));
        }
        let args: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let example = if what == "limit" {
            "/limit {} 2M/5M".to_owned()
        } else {
            format!("/{what} {{}}")
        };
        self.require_admin(caller, what, &args)?;
        let (router, row) = self.find_queue(&spec, only.as_ref(), &example)?;
        let client = router
            .client()
            .ok_or_else(|| tr!(lang, "chat-not-connected", name = escape(&router.name)))?;
        let read = crate::routers::changes::current_queues(&client)
            .await
            .map_err(|e| escape(&e.to_string()))?;
        let current = read.config;
        let mut desired = current.clone();
        // The live table shows names lossily; match the same way (the bytes stay untouched).
        let Some(q) = desired
            .queues
            .iter_mut()
            .find(|q| q.name.to_string_lossy() == row.name)
        else {
            return Err(tr!(lang, "chat-no-queue-called", name = escape(&row.name)));
        };
        match limit {
            Some(l) => q.max_limit = l,
            None => q.disabled = what == "disable",
        }
        let problems: Vec<String> = queue_model::validate(&desired)
            .into_iter()
            .filter(|d| d.is_error() && d.queue().is_none_or(|n| n.to_string_lossy() == row.name))
            .map(|d| d.to_string())
            .collect();
        if !problems.is_empty() {
            return Err(tr!(
                lang,
                "chat-not-applied",
                why = escape(&problems.join("; "))
            ));
        }
        if queue_model::plan(&current, &desired).is_empty() {
            return Ok(tr!(
                lang,
                "chat-nothing-to-change",
                name = escape(&row.name)
            ));
        }
        let action = format!("queue.{what}");
        let applied = crate::routers::changes::apply_queue(
            &self.state.store,
            &router,
            &format!("{} (bot)", caller.name),
            &action,
            &current,
            &desired,
        )
        .await
        .map_err(|e| tr!(lang, "chat-failed", why = escape(&e.to_string())))?;
        let cmds = escape(&applied.commands.join("\n"));
        match applied.error {
            None => Ok(format!(
                "✅ {}\n<pre>{cmds}</pre>",
                tr!(
                    lang,
                    "chat-applied-on",
                    router = format!("<b>{}</b>", escape(&router.name))
                )
            )),
            Some(e) => Err(format!(
                "❌ {}\n<pre>{cmds}</pre>",
                tr!(lang, "chat-router-refused", why = escape(&e))
            )),
        }
    }

    /// Refuses (and audits the attempt) unless the caller is an admin.
    pub(super) fn require_admin(
        &self,
        caller: &Caller,
        what: &str,
        args: &[&str],
    ) -> Result<(), String> {
        if caller.role == Role::Admin {
            return Ok(());
        }
        tracing::warn!(user = %caller.name, "/{what} refused: read-only");
        let _ = self.state.store.audit(
            &format!("{} (bot)", caller.name),
            None,
            "bot.refused",
            &format!("/{what} {} (read-only)", args.join(" ")),
            false,
        );
        Err(tr!(self.lang, "chat-needs-admin-readonly", what = what))
    }
}
