//! The chat front-end: the commands, written once against a channel-neutral interface (who
//! is asking with which role — [`Caller`] —, text in, an HTML reply out), and the channels
//! under it: [`telegram`] (tg-notify long polling, allow-listed chats and users with
//! dashboard roles) and [`console`] (`noc --console-bot`). A new channel maps its messages
//! to a [`Caller`] and a line of text, calls [`ChatOps::handle`], and renders the reply.
//!
//! [`ChatOps::handle`] turns one command line into one compact HTML reply (tables in
//! `<pre>`, everything router-supplied escaped) that fits a phone: tables at most
//! [`MAX_WIDTH`] characters wide, long lines as wrapping text, times in the configured zone
//! ([`ChatOps::with_utc_offset`]), named once per reply.
//!
//! Names may contain spaces, quoted or not (`/queue Pak Budi`, `/limit "Pak Budi" 2M/5M`);
//! the exact name wins, else a unique prefix or fuzzy match, else the candidates are listed
//! (see [`names`]). `@router` picks a router once there are several (`/queues @core`).
//!
//! | command | who | what |
//! |---|---|---|
//! | `/status` | all | every router: up/down, uptime, CPU, RAM, disk |
//! | `/resource [router]` | all | one router's figures |
//! | `/interfaces [router]` | all | links and rates |
//! | `/queues [filter] [@router]` | all | top queues by current rate |
//! | `/top [@router]` | all | top talkers (queue targets) by rate |
//! | `/queue NAME` | all | one queue: rate vs limit, bytes, drops |
//! | `/limit NAME 2M/5M` | admin | set max-limit (validated, audited) |
//! | `/enable NAME`, `/disable NAME` | admin | (audited) |
//! | `/l7` | all | recent Layer 7 matches |
//! | `/leases [router]` | all | recent devices |
//! | `/ping HOST [count]` | all | ping from the router |
//! | `/log [keyword]` | all | recent log lines |
//! | `/alerts` | all | open alerts and mutes |
//! | `/mute RULE 1h` | admin | hold back a rule's Telegram alerts (`off` lifts it; audited) |
//! | `/help` | all | this list |

pub mod console;
mod hotspot;
pub mod names;
pub mod telegram;
pub mod whatsapp;

pub use crate::alerts::telegram::{ChatConfig, TelegramConfig, UserConfig};
pub use console::run_console;
pub use telegram::run_telegram;

use std::sync::Arc;
use std::time::Duration;

use routeros_proto::Command as RosCommand;
use tg_notify::html::escape;
use tg_notify::BotCommand;

use crate::app::AppState;
use crate::auth::Role;
use crate::routers::{QueueRow, RouterHandle, Status};
use crate::storage::telegram::TgStore;

/// Rows shown by list commands.
pub const MAX_ROWS: usize = 15;
/// Longest command line handled.
pub const MAX_COMMAND_LEN: usize = 512;
/// Widest line of a `<pre>` table, in characters: what a phone's Telegram bubble shows
/// without wrapping.
pub const MAX_WIDTH: usize = 35;

/// Who is asking.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Caller {
    /// Name in the audit log (`telegram:123456`, `console`).
    pub name: String,
    /// What they may do.
    pub role: Role,
}

impl Caller {
    /// A caller.
    pub fn new(name: impl Into<String>, role: Role) -> Caller {
        Caller {
            name: name.into(),
            role,
        }
    }
}

/// The commands and their one-line usage.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "status",
        "/status",
        "all routers: up/down, uptime, CPU, RAM, disk",
    ),
    ("resource", "/resource [router]", "one router's resources"),
    (
        "interfaces",
        "/interfaces [router]",
        "interfaces, links and rates",
    ),
    (
        "queues",
        "/queues [filter] [@router]",
        "top queues by current rate",
    ),
    ("top", "/top [@router]", "top talkers by queue rate"),
    ("queue", "/queue NAME", "one queue: rate vs limit"),
    (
        "limit",
        "/limit NAME 2M/5M",
        "set a queue's max-limit (admin)",
    ),
    ("enable", "/enable NAME", "enable a queue (admin)"),
    ("disable", "/disable NAME", "disable a queue (admin)"),
    ("l7", "/l7 [@router]", "recent Layer 7 matches"),
    ("leases", "/leases [router]", "recent devices (DHCP leases)"),
    (
        "ping",
        "/ping HOST [count]",
        "ping from the router (count 1-10)",
    ),
    ("log", "/log [keyword]", "recent log lines"),
    (
        "voucher",
        "/voucher PROFILE [N]",
        "make hotspot vouchers (operator)",
    ),
    ("sales", "/sales [today|month]", "hotspot sales"),
    ("hotspot", "/hotspot", "who is logged in to the hotspot"),
    ("alerts", "/alerts", "open alerts"),
    (
        "mute",
        "/mute RULE 1h",
        "mute a rule's alerts (or: /mute RULE off)",
    ),
    ("help", "/help", "this list"),
];

fn usage(cmd: &str) -> String {
    let u = COMMANDS
        .iter()
        .find(|c| c.0 == cmd)
        .map_or("/help", |c| c.1);
    format!("Usage: <code>{}</code>", escape(u))
}

/// The bot's command handler, shared by the Telegram and console transports.
#[derive(Clone)]
pub struct ChatOps {
    state: Arc<AppState>,
    tg: TgStore,
    rules: Arc<Vec<String>>,
    /// Minutes east of UTC for every time shown.
    offset: i32,
}

impl std::fmt::Debug for ChatOps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatOps").finish_non_exhaustive()
    }
}

fn rate(v: u64) -> String {
    crate::fmt::rate_short(v)
}

/// A `<pre>` table with aligned columns, at most [`MAX_WIDTH`] characters wide: the gap
/// narrows to one space, then the widest columns are cut (with `…`) until it fits; cells are
/// escaped.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).fold(head.len(), usize::max);
    let mut widths = vec![0usize; cols];
    let cells = std::iter::once(head.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
        .chain(rows.iter().cloned());
    for r in cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let total = |w: &[usize], gap: usize| w.iter().sum::<usize>() + gap * w.len().saturating_sub(1);
    let gap = if total(&widths, 2) > MAX_WIDTH { 1 } else { 2 };
    while total(&widths, gap) > MAX_WIDTH {
        let Some((i, w)) = widths.iter().copied().enumerate().max_by_key(|(_, w)| *w) else {
            break;
        };
        if w <= 3 {
            break;
        }
        if let Some(x) = widths.get_mut(i) {
            *x = w - 1;
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let c = crate::fmt::cap(&c.replace(|c: char| c.is_control(), " "), w);
            if i + 1 == cells.len() {
                s.push_str(&c);
            } else {
                s.push_str(&format!("{c:<w$}{}", " ".repeat(gap)));
            }
        }
        escape(&crate::fmt::cap(s.trim_end(), MAX_WIDTH))
    };
    let mut out = String::from("<pre>");
    out.push_str(&line(head.iter().map(|h| (*h).to_owned()).collect()));
    for r in rows {
        out.push('\n');
        out.push_str(&line(r.clone()));
    }
    out.push_str("</pre>");
    out
}

/// `text` in `<pre>`, each line cut to [`MAX_WIDTH`] characters and control characters
/// replaced; escaped.
pub fn pre_lines(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| crate::fmt::cap(&l.replace(|c: char| c.is_control(), " "), MAX_WIDTH))
        .collect();
    format!("<pre>{}</pre>", escape(&lines.join("\n")))
}

/// A RouterOS uptime (`1w2d3h4m5s`) cut to its two largest units (`1w2d`).
fn short_uptime(s: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        out.push(c);
        if c.is_ascii_alphabetic() {
            units += 1;
            if units == 2 {
                break;
            }
        }
    }
    if units == 0 {
        crate::fmt::cap(s, 8)
    } else {
        out
    }
}

fn status_word(s: &Status) -> &'static str {
    s.as_str()
}

fn used_pct(free: u64, total: u64) -> String {
    match total
        .checked_sub(free)
        .and_then(|u| u.saturating_mul(100).checked_div(total))
    {
        Some(p) if total > 0 => format!("{p}%"),
        _ => "-".into(),
    }
}

/// A host to ping: an IP address or a DNS name (letters, digits, `-`, `.`, at most 253).
fn valid_host(h: &str) -> bool {
    if h.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && !h.starts_with('-')
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl ChatOps {
    /// A handler over the dashboard's state; `rules` are the alert rule names `/mute` knows.
    /// Times are shown in UTC until [`ChatOps::with_utc_offset`].
    pub fn new(state: Arc<AppState>, tg: TgStore, rules: Vec<String>) -> ChatOps {
        ChatOps {
            state,
            tg,
            rules: Arc::new(rules),
            offset: 0,
        }
    }

    /// Shows times `minutes` east of UTC (`[telegram] utc_offset`; 420 for WIB).
    #[must_use]
    pub fn with_utc_offset(mut self, minutes: i32) -> ChatOps {
        self.offset = minutes.clamp(-14 * 60, 14 * 60);
        self
    }

    /// The list for `setMyCommands`.
    pub fn bot_commands() -> Vec<BotCommand> {
        COMMANDS
            .iter()
            .map(|(c, _, d)| BotCommand::new(*c, *d))
            .collect()
    }

    /// The zone's short name (`WIB`).
    fn zone(&self) -> String {
        crate::fmt::zone_name(self.offset)
    }

    /// A short local time (`14:05`, or `12-03 14:05` on another day).
    fn short_time(&self, t: i64) -> String {
        crate::fmt::time_short(t, crate::now(), self.offset)
    }

    /// A full local time to the minute, with the zone (`2026-12-04 14:05 WIB`).
    fn long_time(&self, t: i64) -> String {
        let full = crate::fmt::time_at(t, self.offset);
        format!(
            "{} {}",
            full.get(..16).unwrap_or(full.as_str()),
            self.zone()
        )
    }

    /// Answers one message. `None` when `text` is not a command.
    pub async fn handle(&self, caller: &Caller, text: &str) -> Option<String> {
        if text.len() > MAX_COMMAND_LEN {
            return Some("That command is too long.".into());
        }
        let cmd = tg_notify::parse_command(text)?;
        let args = cmd.arg_list();
        let reply = match cmd.name.as_str() {
            "start" | "help" => Ok(self.help()),
            "mute" => self.mute(caller, &args),
            "voucher" => self.voucher(caller, &args).await,
            "sales" => self.sales(&args).await,
            "hotspot" => self.hotspot().await,
            "alerts" => self.alerts(),
            _ => self.routed(caller, &cmd.name, &cmd.args).await,
        };
        Some(reply.unwrap_or_else(|e| e))
    }

    /// The commands that take names with spaces and `@router`.
    async fn routed(&self, caller: &Caller, name: &str, args: &str) -> Result<String, String> {
        let mut words = names::words(args);
        let at = match names::take_at(&mut words) {
            Some(r) => Some(self.pick_router(Some(&r))?),
            None => None,
        };
        let rest = names::join(&words);
        let rest = Some(rest.as_str()).filter(|s| !s.trim().is_empty());
        // `/resource core` names the router without `@`.
        let router = |ops: &ChatOps| -> Result<Arc<RouterHandle>, String> {
            match &at {
                Some(r) => Ok(r.clone()),
                None => ops.pick_router(rest),
            }
        };
        match name {
            "status" => self.status(at.as_ref()),
            "resource" => self.resource(&router(self)?),
            "interfaces" => self.interfaces(&router(self)?),
            "queues" => Ok(self.queues(rest, at.as_ref(), false)),
            "top" => Ok(self.queues(None, at.as_ref(), true)),
            "queue" => match rest {
                Some(q) => self.queue(q, at.as_ref()),
                None => Err(usage("queue")),
            },
            "limit" | "enable" | "disable" => self.change(caller, name, words, at).await,
            "leases" => self.leases(&router(self)?).await,
            "ping" => {
                let args: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
                self.ping(&args, at).await
            }
            "log" => self.log(rest, at).await,
            "l7" => self.l7(at.as_ref()),
            _ => Err(format!("Unknown command /{}. Try /help.", escape(name))),
        }
    }

    fn help(&self) -> String {
        let mut s = String::from("<b>Commands</b>\n");
        for (_, u, d) in COMMANDS {
            s.push_str(&format!("<code>{}</code> — {}\n", escape(u), escape(d)));
        }
        s.push_str(&format!(
            "Names may have spaces; part of a name is enough; <code>@router</code> picks a router. Times are {}.",
            escape(&self.zone())
        ));
        s
    }

    fn routers(&self) -> Vec<Arc<RouterHandle>> {
        self.state.hub.routers()
    }

    /// Whether replies need to say which router.
    fn several_routers(&self) -> bool {
        self.routers().len() > 1
    }

    /// The router called `name` (exact, a unique prefix or a fuzzy match; `@` optional), or
    /// the first router.
    fn pick_router(&self, name: Option<&str>) -> Result<Arc<RouterHandle>, String> {
        let all = self.routers();
        let Some(n) = name else {
            return all
                .into_iter()
                .next()
                .ok_or_else(|| "No router is configured.".to_owned());
        };
        let n = n.strip_prefix('@').unwrap_or(n);
        let list: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        let hits = names::resolve(n, &list);
        match hits.as_slice() {
            [i] => all
                .get(*i)
                .cloned()
                .ok_or_else(|| "No router is configured.".to_owned()),
            [] => Err(format!("No router called {}.", escape(n))),
            _ => Err(names::ambiguous(
                "routers",
                n,
                &hits
                    .iter()
                    .filter_map(|i| list.get(*i).map(|s| (*s).to_owned()))
                    .collect::<Vec<_>>(),
                "@{}",
            )),
        }
    }

    fn status(&self, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
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

    fn resource(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
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

    fn interfaces(&self, r: &Arc<RouterHandle>) -> Result<String, String> {
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

    /// Every queue with its router, or the queues of `only`.
    fn all_queues(&self, only: Option<&Arc<RouterHandle>>) -> Vec<(Arc<RouterHandle>, QueueRow)> {
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

    fn queues(&self, filter: Option<&str>, only: Option<&Arc<RouterHandle>>, top: bool) -> String {
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
        let on = only.map_or(String::new(), |r| format!(" on {}", escape(&r.name)));
        if qs.is_empty() {
            return match filter {
                Some(f) => format!("No queue matches {}{on}.", escape(f)),
                None => format!("No queues{on}."),
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
        let head: Vec<&str> = match (top, with_router) {
            (true, false) => vec!["host", "queue", "down", "up"],
            (true, true) => vec!["host", "rtr", "queue", "down", "up"],
            (false, false) => vec!["queue", "down", "up", "use"],
            (false, true) => vec!["queue", "rtr", "down", "up", "use"],
        };
        if top {
            format!("<b>Top talkers</b>{on}\n{}", table(&head, &rows))
        } else {
            format!(
                "<b>Queues</b> by rate ({} of {total}){on}\n{}",
                qs.len(),
                table(&head, &rows)
            )
        }
    }

    /// Finds a queue by name: exact, a unique prefix or fuzzy match; `NAME@router` or `only`
    /// narrows to a router. `example` shows how to pick among candidates (`{}` is a name).
    fn find_queue(
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
                    Err(format!("No queue called {}.", escape(spec)))
                }
            }
            [] => Err(format!("No queue called {}.", escape(spec))),
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
                Err(names::ambiguous("queues", spec, &labels, example))
            }
        }
    }

    fn queue(&self, spec: &str, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let (r, q) = self.find_queue(spec, only, "/queue {}")?;
        let rows = vec![
            vec!["router".into(), r.name.clone()],
            vec!["target".into(), q.target.clone()],
            vec![
                "rate".into(),
                format!("{} up / {} down", rate(q.rate_up), rate(q.rate_down)),
            ],
            vec![
                "max-limit".into(),
                format!("{}/{}", rate(q.max_up), rate(q.max_down)),
            ],
            vec!["use".into(), format!("{}%", q.usage_percent())],
            vec![
                "bytes".into(),
                format!(
                    "{} / {}",
                    crate::fmt::bytes_iec(q.bytes_up),
                    crate::fmt::bytes_iec(q.bytes_down)
                ),
            ],
            vec![
                "dropped".into(),
                format!("{} / {}", q.dropped_up, q.dropped_down),
            ],
            vec![
                "state".into(),
                if q.disabled { "disabled" } else { "enabled" }.into(),
            ],
            vec!["comment".into(), q.comment.clone()],
        ];
        Ok(format!(
            "<b>Queue {}</b>\n{}",
            escape(&q.name),
            table(&["", ""], &rows)
        ))
    }

    /// `/limit NAME RATE`, `/enable NAME`, `/disable NAME`: the name may have spaces (the
    /// last word of `/limit` is the rate).
    async fn change(
        &self,
        caller: &Caller,
        what: &str,
        mut words: Vec<names::Word>,
        only: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let limit = match what {
            "limit" if words.len() >= 2 => {
                let l = words.pop().map(|w| w.text).unwrap_or_default();
                let l: queue_model::UpDown<queue_model::Rate> = l
                    .parse()
                    .map_err(|e| format!("{} ({})", usage("limit"), escape(&format!("{e}"))))?;
                Some(l)
            }
            "enable" | "disable" if !words.is_empty() => None,
            _ => return Err(usage(what)),
        };
        let spec = names::join(&words);
        if spec.trim().is_empty() {
            return Err(usage(what));
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
            .ok_or_else(|| format!("{} is not connected right now.", escape(&router.name)))?;
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
            return Err(format!("No queue called {}.", escape(&row.name)));
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
            return Err(format!("Not applied: {}", escape(&problems.join("; "))));
        }
        if queue_model::plan(&current, &desired).is_empty() {
            return Ok(format!(
                "Nothing to change: {} is already so.",
                escape(&row.name)
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
        .map_err(|e| format!("Failed: {}", escape(&e.to_string())))?;
        let cmds = escape(&applied.commands.join("\n"));
        match applied.error {
            None => Ok(format!(
                "✅ Applied on <b>{}</b>:\n<pre>{cmds}</pre>",
                escape(&router.name)
            )),
            Some(e) => Err(format!(
                "❌ The router refused: {}\n<pre>{cmds}</pre>",
                escape(&e)
            )),
        }
    }

    /// Refuses (and audits the attempt) unless the caller is an admin.
    fn require_admin(&self, caller: &Caller, what: &str, args: &[&str]) -> Result<(), String> {
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
        Err(format!(
            "Sorry, /{what} needs an admin; you have read-only access."
        ))
    }

    fn l7(&self, only: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let ev = self
            .state
            .store
            .l7_events(only.map(|r| r.id), i64::try_from(MAX_ROWS).unwrap_or(15))
            .map_err(|e| escape(&e.to_string()))?;
        let on = only.map_or(String::new(), |r| format!(" on {}", escape(&r.name)));
        if ev.is_empty() {
            return Ok(format!("No Layer 7 matches recorded yet{on}."));
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
        let head: &[&str] = if with_router {
            &["time", "rtr", "host", "app"]
        } else {
            &["time", "host", "app"]
        };
        Ok(format!(
            "<b>Recent Layer 7 matches</b>{on} (times {})\n{}",
            escape(&self.zone()),
            table(head, &rows)
        ))
    }

    fn connected(
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

    async fn leases(&self, router: &Arc<RouterHandle>) -> Result<String, String> {
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

    async fn ping(
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

    async fn log(
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

    /// The router an alert is about, by row id.
    fn router_name(&self, id: Option<i64>) -> Option<String> {
        let id = id?;
        self.routers()
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
    }

    fn alerts(&self) -> Result<String, String> {
        let all = self
            .state
            .store
            .alerts(500)
            .map_err(|e| escape(&e.to_string()))?;
        let open: Vec<_> = all.iter().filter(|a| a.resolved_at.is_none()).collect();
        let mut s = if open.is_empty() {
            "No open alerts. ✅".to_owned()
        } else {
            // What happened first, then where and since when; text, so a phone wraps it.
            let mut s = format!(
                "<b>Open alerts</b> ({}, times {})",
                open.len(),
                escape(&self.zone())
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
                    s.push_str(&format!(" (×{})", a.count));
                }
                let detail = crate::fmt::router_text(&a.detail);
                if !detail.trim().is_empty() {
                    s.push_str(&format!("\n{}", escape(&crate::fmt::cap(&detail, 200))));
                }
                s.push_str(&format!(
                    "\n<i>{}since {}</i>",
                    router.map_or(String::new(), |r| format!("{} · ", escape(&r))),
                    escape(&self.short_time(a.first_seen))
                ));
            }
            if open.len() > MAX_ROWS {
                s.push_str(&format!("\n\n… and {} more", open.len() - MAX_ROWS));
            }
            s
        };
        if let Ok(mutes) = self.tg.mutes(crate::now()) {
            for m in mutes {
                s.push_str(&format!(
                    "\n🔕 {} muted until {} by {}",
                    escape(&m.rule),
                    escape(&self.long_time(m.until)),
                    escape(&m.by)
                ));
            }
        }
        Ok(s)
    }

    fn mute(&self, caller: &Caller, args: &[&str]) -> Result<String, String> {
        let [rule, span] = args else {
            return Err(usage("mute"));
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
            return Err(format!(
                "No rule called {}. Rules: {}, all.",
                escape(rule),
                escape(&known)
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
                format!("🔔 {} alerts are back on.", escape(rule))
            } else {
                format!("{} was not muted.", escape(rule))
            });
        }
        let span: crate::alerts::Span = span.parse().map_err(|_| usage("mute"))?;
        if span.0 == 0 {
            return Err(usage("mute"));
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
            "🔕 {} muted for {span} (until {}). Alerts still reach the dashboard.",
            escape(rule),
            escape(&self.long_time(until))
        ))
    }
}

#[cfg(test)]
mod tests;
