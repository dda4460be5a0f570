//! `rosctl api`: send API commands and print the replies (a table, or JSON lines).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::StreamExt;
use routeros_proto::{Attributes, Client, Command, Reply, ReplyKind};

/// Arguments of `rosctl api`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object per reply sentence:
    /// `{"reply":"re","tag":"3","attrs":{"name":"q1"}}` (values that are not UTF-8 as
    /// `{"hex":"..."}`).
    #[arg(long)]
    pub json: bool,
    /// The command and its words as typed: `/interface/print ?type=ether .proplist=name`.
    /// Without a command, commands are read from stdin, one per line (quotes group words).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND [WORD]..."
    )]
    pub words: Vec<String>,
}

/// Runs `rosctl api`.
pub async fn run(args: Args, router: &crate::router::RouterArgs) -> anyhow::Result<ExitCode> {
    let mut interrupt = Interrupt::new()?;
    let client = router.connect().await?;
    if args.words.is_empty() {
        return repl(&client, args.json, &mut interrupt).await;
    }
    let cmd = Command::from_words(&args.words).map_err(|e| anyhow::anyhow!("{e}"))?;
    let outcome = run_one(&client, cmd, args.json, &mut interrupt).await?;
    Ok(outcome.exit_code())
}

/// How one command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Trapped,
    Interrupted,
    /// Whoever read the output stopped (`| head`): the command was cancelled.
    OutputClosed,
}

impl Outcome {
    fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Done | Outcome::Interrupted | Outcome::OutputClosed => ExitCode::SUCCESS,
            Outcome::Trapped => ExitCode::from(1),
        }
    }
}

/// Rows of a table printed together, aligned; a larger reply is printed in blocks of this
/// many rows, so memory does not grow with the number of rows.
const TABLE_BLOCK: usize = 1_000;

/// Reads commands from stdin, one per line, until end of input.
async fn repl(client: &Client, json: bool, interrupt: &mut Interrupt) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal();
    let mut lines = stdin_lines();
    let mut failed = false;
    loop {
        if interactive {
            eprint!("> ");
        }
        let line = tokio::select! {
            line = lines.recv() => line.transpose().context("reading stdin")?,
            _ = interrupt.recv() => None,
        };
        let Some(line) = line else { break };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if matches!(line, "quit" | "exit" | "/quit") {
            break;
        }
        let words = match split_words(line) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("rosctl: {e}");
                failed = true;
                continue;
            }
        };
        let cmd = match Command::from_words(&words) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("rosctl: {e}");
                failed = true;
                continue;
            }
        };
        match run_one(client, cmd, json, interrupt).await? {
            Outcome::Trapped => failed = true,
            Outcome::OutputClosed => break,
            Outcome::Done | Outcome::Interrupted => {}
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Lines of stdin, read on a thread of their own (stdin has no non-blocking form).
fn stdin_lines() -> tokio::sync::mpsc::Receiver<std::io::Result<String>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends one command and prints its replies as they come; Ctrl-C cancels it, and so does a
/// reader that goes away (a closed pipe ends the command quietly).
///
/// Replies are read with back-pressure: when the output is slower than the router (a file, a
/// slow pipe, a terminal), the connection waits for it, so memory does not grow with the
/// number of rows.
async fn run_one(
    client: &Client,
    cmd: Command,
    json: bool,
    interrupt: &mut Interrupt,
) -> anyhow::Result<Outcome> {
    let mut replies = client.replies(cmd.clone()).await?;
    let mut out = std::io::stdout().lock();
    match print_replies(&cmd, &mut replies, json, interrupt, &mut out).await {
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            // Nobody reads any more: stop the command on the router and end quietly.
            let _ = tokio::time::timeout(Duration::from_secs(5), replies.cancel()).await;
            Ok(Outcome::OutputClosed)
        }
        Err(Failure::Output(e)) => Err(e).context("writing the output"),
        Err(Failure::Other(e)) => Err(e),
        Ok(outcome) => Ok(outcome),
    }
}

/// Why printing replies stopped early.
enum Failure {
    Output(std::io::Error),
    Other(anyhow::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Output(e)
    }
}

async fn print_replies(
    cmd: &Command,
    replies: &mut routeros_proto::client::ReplyStream,
    json: bool,
    interrupt: &mut Interrupt,
    out: &mut impl Write,
) -> Result<Outcome, Failure> {
    let streaming = is_streaming(cmd);
    let mut table = Table::default();
    let mut traps = Vec::new();
    let mut ret = None;
    let mut interrupted = false;
    loop {
        let item = tokio::select! {
            item = replies.next() => item,
            _ = interrupt.recv() => {
                replies
                    .cancel()
                    .await
                    .map_err(|e| Failure::Other(anyhow::anyhow!("cancelling: {e}")))?;
                interrupted = true;
                break;
            }
        };
        let reply = match item {
            None => break,
            Some(Ok(reply)) => reply,
            Some(Err(e)) => return Err(Failure::Other(anyhow::anyhow!("{e}"))),
        };
        if json {
            writeln!(out, "{}", json_line(&reply))?;
            out.flush()?;
        }
        match reply.kind() {
            ReplyKind::Re if !json => {
                if streaming {
                    writeln!(out, "{}", row_line(reply.attributes()))?;
                    out.flush()?;
                } else {
                    table.push(reply.attributes());
                    if table.rows.len() >= TABLE_BLOCK {
                        table.print(out)?;
                    }
                }
            }
            ReplyKind::Trap => {
                traps.push(reply.trap_info().map(|t| t.to_string()).unwrap_or_default())
            }
            ReplyKind::Done => ret = reply.ret().map(display_value),
            ReplyKind::Unknown(word) if !json => {
                writeln!(
                    out,
                    "{} {}",
                    String::from_utf8_lossy(word),
                    row_line(reply.attributes())
                )?;
            }
            _ => {}
        }
    }
    if !json {
        table.print(out)?;
        if let Some(ret) = ret {
            writeln!(out, "ret={ret}")?;
        }
    }
    out.flush()?;
    if !traps.is_empty() {
        eprintln!("rosctl: trap: {}", traps.join("; "));
        return Ok(Outcome::Trapped);
    }
    Ok(if interrupted {
        Outcome::Interrupted
    } else {
        Outcome::Done
    })
}

/// Commands that run until cancelled, whose rows are printed as they arrive.
fn is_streaming(cmd: &Command) -> bool {
    const ENDLESS: [&[u8]; 9] = [
        b"/listen",
        b"/monitor",
        b"/monitor-traffic",
        b"/ping",
        b"/torch",
        b"/bandwidth-test",
        b"/traceroute",
        b"/quick",
        b"/profile",
    ];
    let word = cmd.command().as_ref();
    let once = cmd.words().iter().any(|w| w.starts_with(b"=once="));
    let endless = ENDLESS.iter().any(|e| word.ends_with(e)) && !once;
    let follows = cmd.words().iter().any(|w| {
        w.starts_with(b"=follow=")
            || w.starts_with(b"=follow-only=")
            || w.starts_with(b"=interval=")
    });
    endless || follows
}

/// One JSON object for one reply sentence.
fn json_line(reply: &Reply) -> String {
    let mut s = String::from("{\"reply\":");
    s.push_str(&json_string(&reply.kind().name()));
    if let Some(tag) = reply.tag() {
        s.push_str(",\"tag\":");
        s.push_str(&json_bytes(tag));
    }
    s.push_str(",\"attrs\":{");
    for (i, (name, value)) in reply.attributes().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&json_string(&String::from_utf8_lossy(name)));
        s.push(':');
        s.push_str(&json_bytes(value));
    }
    s.push('}');
    if !reply.words().is_empty() {
        s.push_str(",\"words\":[");
        for (i, w) in reply.words().iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&json_bytes(w));
        }
        s.push(']');
    }
    s.push('}');
    s
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A JSON string, or `{"hex":"..."}` for bytes that are not UTF-8.
fn json_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => json_string(s),
        Err(_) => format!("{{\"hex\":\"{}\"}}", hex::encode(b)),
    }
}

/// A value for the terminal: control characters escaped, non-UTF-8 as `0x` hex.
fn display_value(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s
            .escape_debug()
            .to_string()
            .replace("\\\"", "\"")
            .replace("\\'", "'"),
        Err(_) => format!("0x{}", hex::encode(b)),
    }
}

/// `name=value name=value`, for streamed rows.
fn row_line(attrs: &Attributes) -> String {
    let parts: Vec<String> = attrs
        .iter()
        .map(|(n, v)| format!("{}={}", String::from_utf8_lossy(n), display_value(v)))
        .collect();
    parts.join(" ")
}

/// Rows printed as an aligned table; columns in the order they first appear. Printed in
/// blocks: the header once, with the widths of the first block; later blocks widen columns
/// where their values need it.
#[derive(Default)]
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<(usize, String)>>,
    widths: Vec<usize>,
    header_done: bool,
}

impl Table {
    fn push(&mut self, attrs: &Attributes) {
        let mut row = Vec::with_capacity(attrs.len());
        for (name, value) in attrs.iter() {
            let name = String::from_utf8_lossy(name).into_owned();
            let col = match self.columns.iter().position(|c| *c == name) {
                Some(i) => i,
                None => {
                    self.columns.push(name);
                    self.columns.len() - 1
                }
            };
            row.push((col, display_value(value)));
        }
        self.rows.push(row);
    }

    /// Prints the rows held so far and forgets them.
    fn print(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut widths = std::mem::take(&mut self.widths);
        for (i, c) in self.columns.iter().enumerate() {
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(c.chars().count()),
                None => widths.push(c.chars().count()),
            }
        }
        for row in &self.rows {
            for (col, value) in row {
                if let Some(w) = widths.get_mut(*col) {
                    *w = (*w).max(value.chars().count());
                }
            }
        }
        let line = |cells: Vec<&str>| {
            let mut s = String::new();
            for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                s.push_str(cell);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
                }
            }
            s.trim_end().to_owned()
        };
        if !self.header_done {
            writeln!(
                out,
                "{}",
                line(self.columns.iter().map(String::as_str).collect())
            )?;
            self.header_done = true;
        }
        for row in &self.rows {
            let mut cells = vec![""; self.columns.len()];
            for (col, value) in row {
                if let Some(c) = cells.get_mut(*col) {
                    *c = value;
                }
            }
            writeln!(out, "{}", line(cells))?;
        }
        self.rows.clear();
        self.widths = widths;
        Ok(())
    }
}

/// Splits a REPL line into words: whitespace separates, `"..."` or `'...'` group, and `\`
/// escapes the next character outside single quotes.
fn split_words(line: &str) -> anyhow::Result<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                let next = chars.next().context("a line ends with a lone backslash")?;
                cur.push(next);
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        anyhow::bail!("unterminated quote in {line:?}");
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Ctrl-C (SIGINT), listened for from the start so that it never kills the process mid-command.
struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupt {
    fn new() -> anyhow::Result<Self> {
        Ok(Interrupt {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .context("installing the Ctrl-C handler")?,
        })
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            self.signal.recv().await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"/ip/address/add =address=10.0.0.1/24 "=comment=uplink one" =x=a\ b"#)
                .unwrap(),
            [
                "/ip/address/add",
                "=address=10.0.0.1/24",
                "=comment=uplink one",
                "=x=a b"
            ]
        );
        assert_eq!(split_words("'=a=\"q\"'  ''").unwrap(), ["=a=\"q\"", ""]);
        assert!(split_words("\"open").is_err());
    }

    #[test]
    fn json_lines_keep_order_and_mark_binary() {
        let reply = Reply::re()
            .with_attribute("name", "q1")
            .with_attribute("raw", bytes::Bytes::from_static(b"\xff\x00"))
            .with_tag("3");
        assert_eq!(
            json_line(&reply),
            r#"{"reply":"re","tag":"3","attrs":{"name":"q1","raw":{"hex":"ff00"}}}"#
        );
        assert_eq!(
            json_line(&Reply::fatal("bye")),
            r#"{"reply":"fatal","attrs":{},"words":["bye"]}"#
        );
    }

    #[test]
    fn streaming_commands_are_recognised() {
        let s = |words: &[&str]| is_streaming(&Command::from_words(words).unwrap());
        assert!(s(&["/interface/listen"]));
        assert!(s(&["/log/print", "=follow-only="]));
        assert!(s(&["/interface/monitor-traffic", "=interface=ether1"]));
        assert!(!s(&[
            "/interface/monitor-traffic",
            "=interface=ether1",
            "=once="
        ]));
        assert!(!s(&["/interface/print"]));
    }
}
