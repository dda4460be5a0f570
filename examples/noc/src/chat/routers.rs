//! Router commands: `/status`, `/resource`, `/interfaces`, `/leases`, `/ping`, `/log`.

#[allow(unused_imports)]
use super::*;

impl ChatOps {
    pub(super) fn status(&self, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let rows: Vec<Vec<String>> = self
            .routers()
            .iter()
            .filter(|r| only.is_none_or(|o| o.id == r.id))
            .map(|r| {
                let l = r.live();
                let res = l.resource.as_ref();
                vec![
                    r.name.clone(),
                    status_word(&l.status).to_owned(),
                    res.map_or("-".into(), |x| short_uptime(&x.uptime)),
                    res.map_or("-".into(), |x| format!("{}%", x.cpu_load)),
                    res.map_or("-".into(), |x| used_pct(x.free_memory, x.total_memory)),
                    res.map_or("-".into(), |x| used_pct(x.free_hdd, x.total_hdd)),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Err("No router is configured.".into());
        }
        let down = rows
            .iter()
            .filter(|r| r.get(1).is_some_and(|s| s != "up"))
            .count();
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
                        "{}\n  {}, uptime {}\n  cpu {} ram {} disk {}",
                        crate::fmt::cap(cell(0), MAX_WIDTH),
                        cell(1),
                        cell(2),
                        cell(3),
                        cell(4),
                        cell(5)
                    )
                })
                .collect();
            pre_lines(&lines.join("\n"))
        } else {
            table(&["router", "state", "uptime", "cpu", "ram", "disk"], &rows)
        };
        Ok(format!(
            "<b>Routers</b>: {} up, {} not\n{body}",
            rows.len() - down,
            down,
        ))
    }

    pub(super) fn resource(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
        let l = r.live();
        let mut s = format!("<b>{}</b> — {}", escape(&r.name), status_word(&l.status));
        if let Status::Down(why) | Status::Slow(why) = &l.status {
            s.push_str(&format!(" ({})", escape(why)));
        }
        let Some(x) = l.resource else {
            return Ok(format!("{s}\nNo figures yet."));
        };
        let rows = vec![
            vec!["board".into(), x.board.clone()],
            vec!["version".into(), x.version.clone()],
            vec!["uptime".into(), x.uptime.clone()],
            vec!["cpu".into(), format!("{}%", x.cpu_load)],
            vec![
                "memory".into(),
                format!(
                    "{} free of {}",
                    crate::fmt::bytes_iec(x.free_memory),
                    crate::fmt::bytes_iec(x.total_memory)
                ),
            ],
            vec![
                "disk".into(),
                format!(
                    "{} free of {}",
                    crate::fmt::bytes_iec(x.free_hdd),
                    crate::fmt::bytes_iec(x.total_hdd)
                ),
            ],
            vec!["poll".into(), format!("{} ms", l.last_poll_ms)],
        ];
        Ok(format!("{s}\n{}", table(&["", ""], &rows)))
    }

    pub(super) fn interfaces(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
        let l = r.live();
        let rows: Vec<Vec<String>> = l
            .interfaces
            .iter()
            .take(40)
            .map(|i| {
                vec![
                    i.name.clone(),
                    if i.disabled {
                        "off".into()
                    } else if i.running {
                        "up".into()
                    } else {
                        "down".into()
                    },
                    rate(i.rx_bps),
                    rate(i.tx_bps),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Ok(format!(
                "<b>{}</b>: no interfaces known yet.",
                escape(&r.name)
            ));
        }
        Ok(format!(
            "<b>{}</b> interfaces\n{}",
            escape(&r.name),
            table(&["name", "link", "rx", "tx"], &rows)
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
            .ok_or_else(|| format!("{} is not connected right now.", escape(&r.name)))?;
        Ok((r, c))
    }

    pub(super) async fn leases(&self, router: &Arc<RouterHandle>) -> Result<String, String> {
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
            return Ok(format!("{}: no DHCP leases.", escape(&r.name)));
        }
        Ok(format!(
            "<b>{}</b> leases (newest {} of {total})\n{}",
            escape(&r.name),
            rows.len(),
            table(&["address", "host", "status"], &rows)
        ))
    }

    pub(super) async fn ping(
        &self,
        args: &[&str],
        router: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let (host, count) = match args {
            [h] => (*h, 3u32),
            [h, c] => match c.parse::<u32>() {
                Ok(c) if (1..=10).contains(&c) => (*h, c),
                _ => return Err(usage("ping")),
            },
            _ => return Err(usage("ping")),
        };
        if !valid_host(host) {
            return Err(usage("ping"));
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
            .map_err(|e| format!("ping failed: {}", escape(&e.to_string())))?;
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
            format!(
                "sent {}, received {}, loss {}%{}",
                get(a, "sent"),
                get(a, "received"),
                get(a, "packet-loss"),
                match get(a, "avg-rtt") {
                    s if s.is_empty() => String::new(),
                    s => format!(", avg {s}"),
                }
            )
        });
        Ok(format!(
            "<b>ping {}</b> from {}\n{}\n{}",
            escape(host),
            escape(&r.name),
            table(&["seq", "time"], &lines),
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
        if lines.is_empty() {
            return Ok(match keyword {
                Some(k) => format!("No log line mentions {}.", escape(k)),
                None => "The log is empty.".into(),
            });
        }
        Ok(format!(
            "<b>{}</b> log{} (router clock)\n{}",
            escape(&r.name),
            keyword.map_or(String::new(), |k| format!(" ({})", escape(k))),
            lines.join("\n")
        ))
    }
}
