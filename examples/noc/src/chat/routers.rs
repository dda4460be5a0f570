//! Router commands: `/status`, `/resource`, `/interfaces`, `/leases`, `/ping`, `/log`.

#[allow(unused_imports)]
use super::*;

impl ChatOps {
    pub(super) fn status(&self, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let l = self.lang;
        let mut down = 0;
        let rows: Vec<Vec<String>> = self
            .routers()
            .iter()
            .filter(|r| only.is_none_or(|o| o.id == r.id))
            .map(|r| {
                let live = r.live();
                let res = live.resource.as_ref();
                if !matches!(live.status, Status::Up) {
                    down += 1;
                }
                vec![
                    r.name.clone(),
                    status_word(l, &live.status),
                    res.map_or("-".into(), |x| short_uptime(&x.uptime)),
                    res.map_or("-".into(), |x| format!("{}%", x.cpu_load)),
                    res.map_or("-".into(), |x| used_pct(x.free_memory, x.total_memory)),
                    res.map_or("-".into(), |x| used_pct(x.free_hdd, x.total_hdd)),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Err(tr!(l, "chat-no-router"));
        }
        // Long router names would be cut in a column: one router per two lines instead.
        let long = rows
            .iter()
            .any(|r| r.first().is_some_and(|n| n.chars().count() > 10));
        let body = if long {
            let lines: Vec<String> = rows
                .iter()
                .map(|r| {
                    let cell = |i: usize| r.get(i).map_or("-", String::as_str);
                    format!(
                        "{}\n  {}\n  {}",
                        crate::fmt::cap(cell(0), MAX_WIDTH),
                        tr!(l, "chat-status-line1", state = cell(1), uptime = cell(2)),
                        tr!(
                            l,
                            "chat-status-line2",
                            cpu = cell(3),
                            ram = cell(4),
                            disk = cell(5)
                        )
                    )
                })
                .collect();
            pre_lines(&lines.join("\n"))
        } else {
            table(
                &[
                    &tr!(l, "chat-th-router"),
                    &tr!(l, "chat-th-state"),
                    &tr!(l, "chat-th-uptime"),
                    "cpu",
                    "ram",
                    &tr!(l, "chat-th-disk"),
                ],
                &rows,
            )
        };
        Ok(format!(
            "<b>{}</b>: {}\n{body}",
            tr!(l, "chat-routers-title"),
            tr!(
                l,
                "chat-routers-up-not",
                up = num(l, rows.len() - down),
                down = num(l, down)
            ),
        ))
    }

    pub(super) fn resource(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
        let lang = self.lang;
        let l = r.live();
        let mut s = format!(
            "<b>{}</b> — {}",
            escape(&r.name),
            status_word(lang, &l.status)
        );
        if let Status::Down(why) | Status::Slow(why) = &l.status {
            s.push_str(&format!(" ({})", escape(why)));
        }
        let Some(x) = l.resource else {
            return Ok(format!("{s}\n{}", tr!(lang, "chat-no-figures")));
        };
        let rows = vec![
            vec![tr!(lang, "chat-row-board"), x.board.clone()],
            vec![tr!(lang, "chat-row-version"), x.version.clone()],
            vec![tr!(lang, "chat-row-uptime"), x.uptime.clone()],
            vec!["cpu".into(), format!("{}%", x.cpu_load)],
            vec![
                tr!(lang, "chat-row-memory"),
                tr!(
                    lang,
                    "chat-free-of",
                    free = iec(lang, x.free_memory),
                    total = iec(lang, x.total_memory)
                ),
            ],
            vec![
                tr!(lang, "chat-row-disk"),
                tr!(
                    lang,
                    "chat-free-of",
                    free = iec(lang, x.free_hdd),
                    total = iec(lang, x.total_hdd)
                ),
            ],
            vec![
                tr!(lang, "chat-row-poll"),
                format!("{} ms", num(lang, l.last_poll_ms)),
            ],
        ];
        Ok(format!("{s}\n{}", table(&["", ""], &rows)))
    }

    pub(super) fn interfaces(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
        let lang = self.lang;
        let l = r.live();
        let rows: Vec<Vec<String>> = l
            .interfaces
            .iter()
            .take(40)
            .map(|i| {
                vec![
                    i.name.clone(),
                    if i.disabled {
                        tr!(lang, "chat-link-off")
                    } else if i.running {
                        tr!(lang, "chat-state-up")
                    } else {
                        tr!(lang, "chat-state-down")
                    },
                    rate(i.rx_bps),
                    rate(i.tx_bps),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Ok(format!(
                "<b>{}</b>: {}",
                escape(&r.name),
                tr!(lang, "chat-no-interfaces")
            ));
        }
        Ok(format!(
            "<b>{}</b> {}\n{}",
            escape(&r.name),
            tr!(lang, "chat-interfaces-title"),
            table(
                &[
                    &tr!(lang, "chat-th-name"),
                    &tr!(lang, "chat-th-link"),
                    "rx",
                    "tx"
                ],
                &rows
            )
        ))
    }

    pub(super) fn connected(
        &self,
        router: Option<Arc<RouterHandle>>,
    ) -> Result<(Arc<RouterHandle>, routeros_proto::Client), String> {
        let r = match router {
            Some(r) => r,
            None => self.pick_router(None)?,
        };
        let c = r
            .client()
            .ok_or_else(|| tr!(self.lang, "chat-not-connected", name = escape(&r.name)))?;
        Ok((r, c))
    }

    pub(super) async fn leases(&self, router: &Arc<RouterHandle>) -> Result<String, String> {
        let l = self.lang;
        let (r, client) = self.connected(Some(router.clone()))?;
        let rows = client
            .print(RosCommand::new("/ip/dhcp-server/lease/print"))
            .await
            .map_err(|e| format!("{}: {}", escape(&r.name), escape(&e.to_string())))?;
        let get =
            |a: &routeros_proto::Attributes, k: &str| a.get_string_lossy(k).unwrap_or_default();
        let total = rows.len();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .rev()
            .take(MAX_ROWS)
            .map(|a| {
                // The device's name, or its MAC address when it gave none.
                let host = match get(a, "host-name") {
                    h if h.trim().is_empty() => get(a, "mac-address"),
                    h => h,
                };
                vec![get(a, "address"), host, get(a, "status")]
            })
            .collect();
        if rows.is_empty() {
            return Ok(format!("{}: {}", escape(&r.name), tr!(l, "chat-no-leases")));
        }
        Ok(format!(
            "<b>{}</b> {}\n{}",
            escape(&r.name),
            tr!(
                l,
                "chat-leases-title",
                shown = num(l, rows.len()),
                total = num(l, total)
            ),
            table(
                &[
                    &tr!(l, "chat-th-address"),
                    &tr!(l, "chat-th-host"),
                    &tr!(l, "chat-th-status")
                ],
                &rows
            )
        ))
    }

    pub(super) async fn ping(
        &self,
        args: &[&str],
        router: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let l = self.lang;
        let (host, count) = match args {
            [h] => (*h, 3u32),
            [h, c] => match c.parse::<u32>() {
                Ok(c) if (1..=10).contains(&c) => (*h, c),
                _ => return Err(usage(l, "ping")),
            },
            _ => return Err(usage(l, "ping")),
        };
        if !valid_host(host) {
            return Err(usage(l, "ping"));
        }
        let (r, client) = self.connected(router)?;
        let cmd = RosCommand::builder("/ping")
            .attribute("address", host)
            .attribute("count", count.to_string())
            .build();
        let timeout = Duration::from_secs(u64::from(count) * 2 + 5);
        let rows = client
            .execute_timeout(cmd, timeout)
            .await
            .map(routeros_proto::Response::into_rows)
            .map_err(|e| tr!(l, "chat-ping-failed", why = escape(&e.to_string())))?;
        let get =
            |a: &routeros_proto::Attributes, k: &str| a.get_string_lossy(k).unwrap_or_default();
        let lines: Vec<Vec<String>> = rows
            .iter()
            .map(|a| {
                let t = get(a, "time");
                vec![
                    get(a, "seq"),
                    if t.is_empty() { get(a, "status") } else { t },
                ]
            })
            .collect();
        let summary = rows.last().map_or(String::new(), |a| {
            let mut s = tr!(
                l,
                "chat-ping-summary",
                sent = get(a, "sent"),
                received = get(a, "received"),
                loss = get(a, "packet-loss")
            );
            let avg = get(a, "avg-rtt");
            if !avg.is_empty() {
                s.push_str(&tr!(l, "chat-ping-avg", avg = avg));
            }
            s
        });
        Ok(format!(
            "<b>ping {}</b> {}\n{}\n{}",
            escape(host),
            tr!(l, "chat-from-router", router = escape(&r.name)),
            table(&["seq", &tr!(l, "chat-th-time")], &lines),
            escape(&summary)
        ))
    }

    pub(super) async fn log(
        &self,
        keyword: Option<&str>,
        router: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let (r, client) = self.connected(router)?;
        let rows = client
            .print(RosCommand::new("/log/print"))
            .await
            .map_err(|e| format!("{}: {}", escape(&r.name), escape(&e.to_string())))?;
        let k = keyword.map(str::to_lowercase);
        let get = |a: &routeros_proto::Attributes, k: &str| {
            crate::fmt::router_text(&a.get_string_lossy(k).unwrap_or_default())
        };
        let mut lines: Vec<String> = rows
            .iter()
            .rev()
            .filter(|a| {
                k.as_ref().is_none_or(|k| {
                    get(a, "message").to_lowercase().contains(k)
                        || get(a, "topics").to_lowercase().contains(k)
                })
            })
            .take(MAX_ROWS)
            .map(|a| {
                // Text, not a table: a phone wraps long messages.
                format!(
                    "<code>{}</code> {} <i>{}</i>",
                    escape(&get(a, "time")),
                    escape(&crate::fmt::cap(&get(a, "message"), 160)),
                    escape(&get(a, "topics"))
                )
            })
            .collect();
        lines.reverse();
        let l = self.lang;
        if lines.is_empty() {
            return Ok(match keyword {
                Some(k) => tr!(l, "chat-log-no-match", keyword = escape(k)),
                None => tr!(l, "chat-log-empty"),
            });
        }
        Ok(format!(
            "<b>{}</b> log{} {}\n{}",
            escape(&r.name),
            keyword.map_or(String::new(), |k| format!(" ({})", escape(k))),
            tr!(l, "chat-router-clock"),
            lines.join("\n")
        ))
    }
}
