//! The console channel (`noc --console-bot`): one command per line, plain-text replies.

use super::{Caller, ChatOps};
use crate::auth::Role;

/// Runs the bot on a console: each input line is a command, each reply is printed as plain
/// text followed by an empty line. The caller is an admin called `console`, in the chat
/// `console`: its language is the one chosen there with `/lang`, else noc's default.
pub async fn run_console<R, W>(ops: ChatOps, input: R, mut output: W) -> std::io::Result<()>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let caller = Caller::new("console", Role::Admin);
    let mut lines = input.lines();
    let hello = crate::tr!(ops.lang_for(&caller.chat, None), "chat-console-hello");
    output.write_all(format!("{hello}\n").as_bytes()).await?;
    output.flush().await?;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let lang = ops.lang_for(&caller.chat, None);
        let caller = caller.clone().with_lang(lang);
        let reply = match ops.handle(&caller, line).await {
            Some(r) => tg_notify::html::to_plain(&r).unwrap_or(r),
            None => crate::tr!(lang, "chat-commands-start"),
        };
        // Router text may carry terminal escape sequences: only line breaks pass.
        let reply = crate::fmt::terminal_safe(&reply);
        output.write_all(reply.as_bytes()).await?;
        output.write_all(b"\n\n").await?;
        output.flush().await?;
    }
    Ok(())
}
