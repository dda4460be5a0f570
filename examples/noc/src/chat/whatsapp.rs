//! The WhatsApp channel: webhook events (checked and queued by the web endpoint) become
//! commands for [`ChatOps::handle`] from allow-listed numbers with their role; replies are
//! converted from the commands' HTML to WhatsApp markup ([`html_to_whatsapp`]), split under
//! 4,096 characters and sent through the WhatsApp outbox (inside the 24-hour window, since
//! the user just wrote). Each message id is handled once; strangers get one polite refusal
//! an hour.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use wa_notify::format::{escape, split, MAX_TEXT_LEN};
use wa_notify::webhook::InboundEvent;
use wa_notify::{Deduper, PhoneNumber};

use super::{Caller, ChatOps};
use crate::alerts::whatsapp::{Inbox, WhatsApp, DEDUP_TTL};
use crate::alerts::Monitor;
use crate::app::AppState;

/// Message ids remembered for deduplication.
pub const DEDUP_CAPACITY: usize = 10_000;
/// Commands answered at once.
pub const MAX_RUNNING: usize = 8;
/// Strangers remembered (each is refused once per [`REFUSE_EVERY`]).
const MAX_STRANGERS: usize = 1_000;
/// How often a stranger is told that the bot is not for them.
pub const REFUSE_EVERY: Duration = Duration::from_secs(3600);
/// Deepest tag nesting converted; deeper tags are dropped (their text stays).
const MAX_DEPTH: usize = 16;

/// The refusal a stranger reads (in English; in noc's default language on WhatsApp).
pub const REFUSAL: &str =
    "Sorry, this number may not use this bot. Ask your network admin to add it to noc.";

/// Answers commands on WhatsApp while the monitor sends WhatsApp through the Cloud API and
/// the app secret and verify token are configured. The returned task follows the settings:
/// when they are saved on the Settings page and the delivery restarts, the webhook reopens
/// with the new secrets, without restarting noc.
pub fn start(state: Arc<AppState>, monitor: &Monitor) -> JoinHandle<()> {
    let ops = ChatOps::new(
        state.clone(),
        monitor.tg_store().clone(),
        monitor.rule_names(),
    );
    let control = state.whatsapp_control.clone();
    let mut started = control.subscribe_started();
    started.mark_unchanged();
    // The webhook opens now, before this returns; a task stopped (dropped) stops it.
    let mut serving = control
        .running()
        .and_then(|wa| serve(&state, ops.clone(), wa))
        .map(AbortOnDrop);
    tokio::spawn(async move {
        while started.changed().await.is_ok() {
            drop(serving.take());
            serving = control
                .running()
                .and_then(|wa| serve(&state, ops.clone(), wa))
                .map(AbortOnDrop);
        }
    })
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Opens the webhook for `wa` and answers its events; `None` when `wa` cannot take
/// commands (a gateway, or no app secret or verify token).
fn serve(state: &Arc<AppState>, ops: ChatOps, wa: Arc<WhatsApp>) -> Option<JoinHandle<()>> {
    if !wa.is_official() {
        tracing::info!("WhatsApp through a gateway: alerts only, no commands");
        return None;
    }
    let cfg = wa.config();
    let secret = cfg.resolve_app_secret();
    let verify = cfg.verify_token.clone().filter(|v| !v.trim().is_empty());
    let (Some(secret), Some(verify)) = (secret, verify) else {
        tracing::warn!(
            "WhatsApp commands are off: set the app secret (WHATSAPP_APP_SECRET or the \
             Settings page) and the verify token"
        );
        return None;
    };
    let (rx, generation) = state.whatsapp.open(&verify, &secret);
    let inbox = state.whatsapp.clone();
    Some(tokio::spawn(async move {
        let _close = CloseOnDrop(inbox, generation);
        run_whatsapp(ops, wa, rx).await;
    }))
}

struct CloseOnDrop(Inbox, u64);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close(self.1);
    }
}

/// Answers the webhook events from `rx` until the endpoint closes.
pub async fn run_whatsapp(
    ops: ChatOps,
    wa: Arc<WhatsApp>,
    mut rx: mpsc::Receiver<Vec<InboundEvent>>,
) {
    let mut dedup = Deduper::new(DEDUP_CAPACITY, DEDUP_TTL);
    let mut refused: HashMap<String, Instant> = HashMap::new();
    let running = Arc::new(Semaphore::new(MAX_RUNNING));
    let our_id = wa.config().phone_number_id.clone();
    while let Some(events) = rx.recv().await {
        for ev in events {
            let key = match &ev {
                InboundEvent::Message(m) => format!("m:{}", m.id),
                InboundEvent::Status(s) => format!("s:{}:{:?}", s.id, s.status),
                InboundEvent::Error(e) => {
                    tracing::warn!(code = e.code, "WhatsApp reported an error");
                    continue;
                }
                _ => continue,
            };
            if !dedup.first_seen(&key, Instant::now()) {
                continue;
            }
            wa.observe(&ev);
            let InboundEvent::Message(m) = ev else {
                continue;
            };
            if let (Some(ours), Some(theirs)) = (&our_id, &m.phone_number_id) {
                if ours != theirs {
                    continue;
                }
            }
            let Ok(from) = m.from.parse::<PhoneNumber>() else {
                continue;
            };
            let Some(role) = wa.config().role_of(&from) else {
                let now = Instant::now();
                refused.retain(|_, t| now.duration_since(*t) < REFUSE_EVERY);
                if refused.len() < MAX_STRANGERS && !refused.contains_key(from.as_str()) {
                    refused.insert(from.as_str().to_owned(), now);
                    tracing::info!("WhatsApp message from a number not allowed");
                    let lang = ops.lang_for(&format!("whatsapp:+{}", from.as_str()), None);
                    wa.reply(&from, crate::tr!(lang, "chat-refusal"));
                }
                continue;
            };
            let chat = format!("whatsapp:+{}", from.as_str());
            let lang = ops.lang_for(&chat, None);
            let Some(text) = m.text().map(str::to_owned) else {
                wa.reply(&from, crate::tr!(lang, "chat-only-text"));
                continue;
            };
            let Ok(permit) = running.clone().acquire_owned().await else {
                return;
            };
            let caller = Caller::new(chat, role).with_lang(lang);
            let ops = ops.clone();
            let wa = wa.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let reply = match ops.handle(&caller, text.trim()).await {
                    Some(html) => html_to_whatsapp(&html),
                    None => crate::tr!(lang, "chat-commands-start"),
                };
                for part in split(&reply, MAX_TEXT_LEN) {
                    wa.reply(&from, part);
                }
            });
        }
    }
}

/// Decodes the HTML entities Telegram HTML uses (`&lt;` `&gt;` `&amp;` `&quot;` `&#39;`,
/// numeric forms); anything else is kept as written.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = tail.get(1..e)?;
            let c = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Bold,
    Italic,
    Strike,
    Code,
    Pre,
    Link,
    Other,
}

fn tag_of(name: &str) -> Tag {
    match name {
        "b" | "strong" => Tag::Bold,
        "i" | "em" => Tag::Italic,
        "s" | "strike" | "del" => Tag::Strike,
        "code" => Tag::Code,
        "pre" => Tag::Pre,
        "a" => Tag::Link,
        _ => Tag::Other,
    }
}

struct Frame {
    tag: Tag,
    href: Option<String>,
    buf: String,
}

fn wrap(marker: char, inner: &str) -> String {
    let t = inner.trim();
    if t.is_empty() {
        return inner.to_owned();
    }
    let lead = &inner[..inner.len() - inner.trim_start().len()];
    let trail = &inner[inner.trim_end().len()..];
    format!("{lead}{marker}{t}{marker}{trail}")
}

fn close(frame: Frame) -> String {
    match frame.tag {
        Tag::Bold => wrap('*', &frame.buf),
        Tag::Italic => wrap('_', &frame.buf),
        Tag::Strike => wrap('~', &frame.buf),
        Tag::Code => {
            let inner = frame.buf.replace('`', "'");
            if inner.trim().is_empty() {
                inner
            } else {
                format!("`{inner}`")
            }
        }
        Tag::Pre => format!(
            "```\n{}\n```",
            frame.buf.trim_matches('\n').replace("```", "`\u{200B}``")
        ),
        Tag::Link => match frame.href {
            Some(h) if !h.is_empty() && h != frame.buf.trim() => {
                format!("{} ({h})", frame.buf)
            }
            _ => frame.buf,
        },
        Tag::Other => frame.buf,
    }
}

fn href_of(attrs: &str) -> Option<String> {
    let i = attrs.find("href=")?;
    let v = attrs.get(i + 5..)?;
    let q = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let v = v.get(1..)?;
    let end = v.find(q)?;
    Some(unescape(v.get(..end)?))
}

/// Converts the Telegram-style HTML of a command reply to WhatsApp markup: `<b>` → `*x*`,
/// `<i>` → `_x_`, `<s>` → `~x~`, `<code>` → `` `x` ``, `<pre>` → ```` ``` ```` blocks, links
/// as their text (and address), entities decoded; text is escaped so that router-supplied
/// names cannot format the message. Unknown tags are dropped, their text kept; input that is
/// not well-formed is converted as far as it goes.
///
/// ```
/// use noc::chat::whatsapp::html_to_whatsapp;
/// assert_eq!(html_to_whatsapp("<b>r1</b> up &amp; <i>fine</i>"), "*r1* up & _fine_");
/// assert_eq!(html_to_whatsapp("<pre>a  b\n1  2</pre>"), "```\na  b\n1  2\n```");
/// ```
pub fn html_to_whatsapp(html: &str) -> String {
    let mut stack: Vec<Frame> = vec![Frame {
        tag: Tag::Other,
        href: None,
        buf: String::new(),
    }];
    let mut rest = html;
    loop {
        let in_raw = stack.iter().any(|f| matches!(f.tag, Tag::Pre | Tag::Code));
        let (text, tag) = match rest.find('<') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i..).unwrap_or_default(),
            ),
            None => (rest, ""),
        };
        if !text.is_empty() {
            let t = unescape(text);
            let t = if in_raw { t } else { escape(&t) };
            if let Some(top) = stack.last_mut() {
                top.buf.push_str(&t);
            }
        }
        if tag.is_empty() {
            break;
        }
        let Some(end) = tag.find('>') else {
            // a lone '<': literal text
            let t = unescape(tag);
            if let Some(top) = stack.last_mut() {
                top.buf.push_str(&t);
            }
            break;
        };
        let inside = tag.get(1..end).unwrap_or_default().trim();
        rest = tag.get(end + 1..).unwrap_or_default();
        if let Some(name) = inside.strip_prefix('/') {
            let t = tag_of(name.trim().to_ascii_lowercase().as_str());
            // close the innermost open frame of this kind (and what is open inside it)
            if let Some(pos) = stack.iter().rposition(|f| f.tag == t) {
                if pos > 0 {
                    while stack.len() > pos {
                        let Some(f) = stack.pop() else { break };
                        let s = close(f);
                        if let Some(top) = stack.last_mut() {
                            top.buf.push_str(&s);
                        }
                    }
                }
            }
            continue;
        }
        let name: String = inside
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "br" {
            if let Some(top) = stack.last_mut() {
                top.buf.push('\n');
            }
            continue;
        }
        if in_raw || stack.len() > MAX_DEPTH {
            continue;
        }
        let t = tag_of(&name);
        stack.push(Frame {
            tag: t,
            href: (t == Tag::Link).then(|| href_of(inside)).flatten(),
            buf: String::new(),
        });
    }
    while stack.len() > 1 {
        let Some(f) = stack.pop() else { break };
        let s = close(f);
        if let Some(top) = stack.last_mut() {
            top.buf.push_str(&s);
        }
    }
    stack.pop().map(|f| f.buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_the_replies_html() {
        let cases = [
            ("<b>Routers:</b> 1 up", "*Routers:* 1 up"),
            ("<b> spaced </b>x", " *spaced* x"),
            ("<i>log · critical</i>", "_log · critical_"),
            ("<code>/queue NAME</code>", "`/queue NAME`"),
            (
                "<pre>queue  rate\n&lt;x&gt;  1M</pre>",
                "```\nqueue  rate\n<x>  1M\n```",
            ),
            (
                "<a href=\"https://noc.example/a?b=1&amp;c=2\">dashboard</a>",
                "dashboard (https://noc.example/a?b=1&c=2)",
            ),
            (
                "a &amp;&amp; b &#65;&#x42; &bogus; &",
                "a && b AB &bogus; &",
            ),
            ("<b>unclosed", "*unclosed*"),
            ("stray </b> close", "stray  close"),
            ("1 < 2", "1 < 2"),
            ("<s>old</s>", "~old~"),
            ("<pre>a ``` b</pre>", "```\na `\u{200B}`` b\n```"),
        ];
        for (html, want) in cases {
            assert_eq!(html_to_whatsapp(html), want, "{html}");
        }
        // router text cannot format the message
        let out = html_to_whatsapp("<b>r1</b> *not bold*");
        assert!(out.starts_with("*r1* "), "{out}");
        assert_ne!(&out[5..], "*not bold*");
        // deep nesting is bounded, not recursive
        let deep = "<i>".repeat(10_000) + "x";
        assert!(html_to_whatsapp(&deep).contains('x'));
    }

    #[test]
    fn the_commands_tables_survive_conversion() {
        let t = super::super::table(&["queue", "rate"], &[vec!["a_b*c".into(), "1M".into()]]);
        let w = html_to_whatsapp(&t);
        assert_eq!(w, "```\nqueue  rate\na_b*c  1M\n```");
    }
}
