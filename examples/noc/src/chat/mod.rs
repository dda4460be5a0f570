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
//! | `/customer NAME` | all | a billing customer: balance, latest invoices |
//! | `/unpaid` | all | who owes, most first |
//! | `/paid NAME AMOUNT` | operator | record a payment (previewed; confirm with `ok`) |
//! | `/isolate NAME`, `/restore NAME` | admin | cut off / give back (previewed; `ok`) |
//! | `/devices [filter]` | all | watched devices: up/down, latency (`down`, `up` or a name) |
//! | `/adddevice NAME IP [parent]` | operator | watch a device (IP or MAC; audited) |
//! | `/deldevice NAME` | operator | stop watching it (audited) |
//! | `/isp`, `/quota`, `/public` | all | the ISP line, the month's quota, the public address |
//! | `/diagnose NAME\|IP` | all | why a house's internet is slow or dead, check by check |
//! | `/alerts` | all | open alerts and mutes |
//! | `/mute RULE 1h` | admin | hold back a rule's Telegram alerts (`off` lifts it; audited) |
//! | `/lang [id\|en]`, `/bahasa` | all | the chat's language: show it, or choose Bahasa Indonesia or English (audited) |
//! | `/help` | all | this list |
//!
//! Replies are in the caller's language ([`Caller::lang`]): the chat's choice (`/lang`,
//! stored per chat — a Telegram group has one language for everyone in it), else the chat's
//! `language` in `noc.toml`, else noc's default ([`ChatOps::lang_for`]).

mod alerts;
mod billing;
pub mod console;
mod health;
mod hotspot;
pub mod names;
mod queues;
mod routers;
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
use crate::i18n::Lang;
use crate::routers::{QueueRow, RouterHandle, Status};
use crate::storage::telegram::TgStore;
use crate::tr;

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
    /// The language replies are written in (default English).
    pub lang: Lang,
    /// The chat whose language `/lang` sets (`telegram:-100123`, `whatsapp:+62812…`,
    /// `console`); the caller's name unless set.
    pub chat: String,
}

impl Caller {
    /// A caller, answered in English in a chat named like the caller.
    pub fn new(name: impl Into<String>, role: Role) -> Caller {
        let name = name.into();
        Caller {
            chat: name.clone(),
            name,
            role,
            lang: Lang::En,
        }
    }

    /// Answered in `lang`.
    #[must_use]
    pub fn with_lang(mut self, lang: Lang) -> Caller {
        self.lang = lang;
        self
    }

    /// Writing in `chat` (the key its language is stored under: `telegram:<chat id>`).
    #[must_use]
    pub fn with_chat(mut self, chat: impl Into<String>) -> Caller {
        self.chat = chat.into();
        self
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
    (
        "customer",
        "/customer NAME",
        "a customer's balance and invoices",
    ),
    ("unpaid", "/unpaid", "who owes, most first"),
    (
        "paid",
        "/paid NAME AMOUNT",
        "record a payment (operator; confirm with ok)",
    ),
    ("isolate", "/isolate NAME", "isolate a customer (admin)"),
    ("restore", "/restore NAME", "restore a customer (admin)"),
    (
        "devices",
        "/devices [filter]",
        "watched devices: up/down, latency",
    ),
    (
        "adddevice",
        "/adddevice NAME IP [parent]",
        "watch a device (operator)",
    ),
    ("deldevice", "/deldevice NAME", "stop watching (operator)"),
    ("isp", "/isp", "the ISP line: loss, latency"),
    ("quota", "/quota", "this month's WAN quota"),
    ("public", "/public", "the public IP address"),
    (
        "diagnose",
        "/diagnose NAME|IP",
        "why a house's internet is slow",
    ),
    ("alerts", "/alerts", "open alerts"),
    (
        "mute",
        "/mute RULE 1h",
        "mute a rule's alerts (or: /mute RULE off)",
    ),
    ("lang", "/lang [id|en]", "the chat's language (id or en)"),
    ("help", "/help", "this list"),
];

/// A command's one-line description in `lang`.
fn describe(lang: Lang, cmd: &str) -> String {
    match cmd {
        "status" => tr!(lang, "chat-cmd-status"),
        "resource" => tr!(lang, "chat-cmd-resource"),
        "interfaces" => tr!(lang, "chat-cmd-interfaces"),
        "queues" => tr!(lang, "chat-cmd-queues"),
        "top" => tr!(lang, "chat-cmd-top"),
        "queue" => tr!(lang, "chat-cmd-queue"),
        "limit" => tr!(lang, "chat-cmd-limit"),
        "enable" => tr!(lang, "chat-cmd-enable"),
        "disable" => tr!(lang, "chat-cmd-disable"),
        "l7" => tr!(lang, "chat-cmd-l7"),
        "leases" => tr!(lang, "chat-cmd-leases"),
        "ping" => tr!(lang, "chat-cmd-ping"),
        "log" => tr!(lang, "chat-cmd-log"),
        "voucher" => tr!(lang, "chat-cmd-voucher"),
        "sales" => tr!(lang, "chat-cmd-sales"),
        "hotspot" => tr!(lang, "chat-cmd-hotspot"),
        "customer" => tr!(lang, "chat-cmd-customer"),
        "unpaid" => tr!(lang, "chat-cmd-unpaid"),
        "paid" => tr!(lang, "chat-cmd-paid"),
        "isolate" => tr!(lang, "chat-cmd-isolate"),
        "restore" => tr!(lang, "chat-cmd-restore"),
        "devices" => tr!(lang, "chat-cmd-devices"),
        "adddevice" => tr!(lang, "chat-cmd-adddevice"),
        "deldevice" => tr!(lang, "chat-cmd-deldevice"),
        "isp" => tr!(lang, "chat-cmd-isp"),
        "quota" => tr!(lang, "chat-cmd-quota"),
        "public" => tr!(lang, "chat-cmd-public"),
        "diagnose" => tr!(lang, "chat-cmd-diagnose"),
        "alerts" => tr!(lang, "chat-cmd-alerts"),
        "mute" => tr!(lang, "chat-cmd-mute"),
        "lang" => tr!(lang, "chat-cmd-lang"),
        _ => tr!(lang, "chat-cmd-help"),
    }
}

/// A usage line in `lang`: the placeholders (`NAME`, `AMOUNT`, …) in the language, the
/// command and its literal words as typed.
pub(super) fn usage_line(lang: Lang, u: &str) -> String {
    if lang == Lang::En {
        return u.to_owned();
    }
    u.replace("NAME", &tr!(lang, "chat-ph-name"))
        .replace("AMOUNT", &tr!(lang, "chat-ph-amount"))
        .replace("PROFILE", &tr!(lang, "chat-ph-profile"))
        .replace("RULE", &tr!(lang, "chat-ph-rule"))
        .replace("[parent]", &tr!(lang, "chat-ph-parent"))
        .replace("[count]", &tr!(lang, "chat-ph-count"))
        .replace("[filter]", &tr!(lang, "chat-ph-filter"))
        .replace("[keyword]", &tr!(lang, "chat-ph-keyword"))
}

pub(super) fn usage(lang: Lang, cmd: &str) -> String {
    let u = COMMANDS
        .iter()
        .find(|c| c.0 == cmd)
        .map_or("/help", |c| c.1);
    usage_of(lang, u)
}

/// `Usage: <code>u</code>` in `lang`.
pub(super) fn usage_of(lang: Lang, u: &str) -> String {
    format!(
        "{} <code>{}</code>",
        tr!(lang, "chat-usage"),
        escape(&usage_line(lang, u))
    )
}

/// The bot's command handler, shared by the Telegram and console transports.
#[derive(Clone)]
pub struct ChatOps {
    state: Arc<AppState>,
    tg: TgStore,
    rules: Arc<Vec<String>>,
    /// Minutes east of UTC for every time shown.
    offset: i32,
    /// The language of the reply being written (the caller's, set for each message).
    lang: Lang,
}

impl std::fmt::Debug for ChatOps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatOps").finish_non_exhaustive()
    }
}

/// A count written the way `lang` writes numbers (`1,234` / `1.234`).
pub(super) fn num(lang: Lang, n: impl TryInto<i64>) -> String {
    lang.integer(n.try_into().unwrap_or(i64::MAX))
}

/// A byte count in binary units (`844.0 MiB`), with the language's decimal mark.
pub(super) fn iec(lang: Lang, v: u64) -> String {
    // `0.5` written in the language: its second character is the decimal mark.
    let mark = lang.decimal(0.5, 1).chars().nth(1).unwrap_or('.');
    crate::fmt::bytes_iec(v).replace('.', mark.encode_utf8(&mut [0; 4]))
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

fn status_word(lang: Lang, s: &Status) -> String {
    match s {
        Status::Connecting => tr!(lang, "chat-state-connecting"),
        Status::Up => tr!(lang, "chat-state-up"),
        Status::Slow(_) => tr!(lang, "chat-state-slow"),
        Status::Down(_) => tr!(lang, "chat-state-down"),
    }
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
        let state_lang = state.language;
        ChatOps {
            state,
            tg,
            rules: Arc::new(rules),
            offset: 0,
            lang: state_lang,
        }
    }

    /// The language of `chat` (`telegram:<chat id>`, `whatsapp:+<number>`, `console`): its
    /// choice made with `/lang`, else `configured` (its `language` in `noc.toml`), else
    /// noc's default.
    pub fn lang_for(&self, chat: &str, configured: Option<Lang>) -> Lang {
        self.state
            .store
            .chat_language(chat)
            .ok()
            .flatten()
            .or(configured)
            .unwrap_or(self.state.language)
    }

    /// Shows times `minutes` east of UTC (`[telegram] utc_offset`; 420 for WIB).
    #[must_use]
    pub fn with_utc_offset(mut self, minutes: i32) -> ChatOps {
        self.offset = minutes.clamp(-14 * 60, 14 * 60);
        self
    }

    /// The list for `setMyCommands`, in English.
    pub fn bot_commands() -> Vec<BotCommand> {
        COMMANDS
            .iter()
            .map(|(c, _, d)| BotCommand::new(*c, *d))
            .collect()
    }

    /// The list for `setMyCommands` in `lang` (Telegram shows one list to every chat: noc's
    /// default language).
    pub fn bot_commands_in(lang: Lang) -> Vec<BotCommand> {
        COMMANDS
            .iter()
            .map(|(c, _, _)| BotCommand::new(*c, describe(lang, c)))
            .collect()
    }

    /// noc's default language (`language` in `noc.toml`).
    pub fn default_lang(&self) -> Lang {
        self.state.language
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

    /// Answers one message in the caller's language. `None` when `text` is not a command.
    pub async fn handle(&self, caller: &Caller, text: &str) -> Option<String> {
        let mut ops = self.clone();
        ops.lang = caller.lang;
        ops.answer(caller, text).await
    }

    async fn answer(&self, caller: &Caller, text: &str) -> Option<String> {
        let l = self.lang;
        if text.len() > MAX_COMMAND_LEN {
            return Some(tr!(l, "chat-too-long"));
        }
        let cmd = tg_notify::parse_command(text)?;
        let args = cmd.arg_list();
        let reply = match cmd.name.as_str() {
            "start" | "help" => Ok(self.help()),
            "lang" | "bahasa" => self.language(caller, &args),
            "mute" => self.mute(caller, &args),
            "voucher" => self.voucher(caller, &args).await,
            "sales" => self.sales(&args).await,
            "hotspot" => self.hotspot().await,
            "alerts" => self.alerts(),
            "customer" => self.customer(&cmd.args),
            "unpaid" => self.unpaid(),
            "paid" => self.paid(caller, &cmd.args).await,
            "isolate" => self.isolation(caller, true, &cmd.args).await,
            "restore" => self.isolation(caller, false, &cmd.args).await,
            "devices" | "adddevice" | "deldevice" | "isp" | "quota" | "public" | "diagnose" => self
                .health_command(caller, &cmd.name, &cmd.args)
                .await
                .unwrap_or_else(|| Err(usage(l, &cmd.name))),
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
                None => Err(usage(self.lang, "queue")),
            },
            "limit" | "enable" | "disable" => self.change(caller, name, words, at).await,
            "leases" => self.leases(&router(self)?).await,
            "ping" => {
                let args: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
                self.ping(&args, at).await
            }
            "log" => self.log(rest, at).await,
            "l7" => self.l7(at.as_ref()),
            _ => Err(tr!(self.lang, "chat-unknown-command", name = escape(name))),
        }
    }

    fn help(&self) -> String {
        let l = self.lang;
        let mut s = format!("<b>{}</b>\n", tr!(l, "chat-help-title"));
        for (c, u, _) in COMMANDS {
            s.push_str(&format!(
                "<code>{}</code> — {}\n",
                escape(&usage_line(l, u)),
                escape(&describe(l, c))
            ));
        }
        s.push_str(&format!(
            "{} <code>@router</code> {} {}",
            escape(&tr!(l, "chat-help-names")),
            escape(&tr!(l, "chat-help-at")),
            escape(&tr!(l, "chat-help-times", zone = self.zone()))
        ));
        s
    }

    /// `/lang`: the chat's language, or `/lang id|en` to choose it (audited).
    fn language(&self, caller: &Caller, args: &[&str]) -> Result<String, String> {
        let l = self.lang;
        let choices = Lang::ALL
            .iter()
            .map(|x| format!("<code>{}</code> ({})", x.code(), x.name()))
            .collect::<Vec<_>>()
            .join(", ");
        let Some(word) = args.first() else {
            return Ok(tr!(
                l,
                "chat-lang-current",
                name = l.name(),
                choices = choices
            ));
        };
        let Some(new) = Lang::parse(word).filter(|_| args.len() == 1) else {
            return Err(tr!(
                l,
                "chat-lang-unknown",
                word = escape(&args.join(" ")),
                choices = choices
            ));
        };
        self.state
            .store
            .set_chat_language(&caller.chat, new, crate::now())
            .map_err(|e| escape(&e.to_string()))?;
        let _ = self.state.store.audit(
            &format!("{} (bot)", caller.name),
            None,
            "chat.language",
            &format!("{} {}", caller.chat, new.code()),
            true,
        );
        Ok(tr!(new, "chat-lang-set", name = new.name()))
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
                .ok_or_else(|| tr!(self.lang, "chat-no-router"));
        };
        let n = n.strip_prefix('@').unwrap_or(n);
        let list: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        let hits = names::resolve(n, &list);
        match hits.as_slice() {
            [i] => all
                .get(*i)
                .cloned()
                .ok_or_else(|| tr!(self.lang, "chat-no-router")),
            [] => Err(tr!(self.lang, "chat-no-router-called", name = escape(n))),
            _ => Err(names::ambiguous(
                self.lang,
                names::What::Routers,
                n,
                &hits
                    .iter()
                    .filter_map(|i| list.get(*i).map(|s| (*s).to_owned()))
                    .collect::<Vec<_>>(),
                "@{}",
            )),
        }
    }
}

#[cfg(test)]
mod tests;
