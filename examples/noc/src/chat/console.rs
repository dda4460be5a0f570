//! The console channel (`noc --console-bot`): one command per line, plain-text replies.

use super::{Caller, ChatOps};
use crate::auth::Role;

/// Runs the bot on a console: each input line is a command, each reply is printed as plain
/// text followed by an empty line. The caller is an admin called `console`.
pub async fn run_console<R, W>(ops: ChatOps, input: R, mut output: W) -> std::io::Result<()>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let caller = Caller::new("console", Role::Admin);
    let mut lines = input.lines();
    output
        .write_all(b"noc bot console: type /help (Ctrl-D to quit)\n")
        .await?;
    output.flush().await?;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let reply = match ops.handle(&caller, line).await {
            Some(r) => tg_notify::html::to_plain(&r).unwrap_or(r),
            None => "Commands start with /. Try /help.".to_owned(),
        };
        // Router text may carry terminal escape sequences: only line breaks pass.
        let reply = crate::fmt::terminal_safe(&reply);
        output.write_all(reply.as_bytes()).await?;
        output.write_all(b"\n\n").await?;
        output.flush().await?;
    }
    Ok(())
}
