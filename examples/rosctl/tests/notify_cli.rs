//! `rosctl notify` against the fake Bot API server.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use tg_notify::fake::FakeTelegram;
use tg_notify::{ChatId, ParseMode};

async fn rosctl(tg: &FakeTelegram, token: &str, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rosctl"));
    cmd.arg("notify")
        .arg("--api-url")
        .arg(tg.url())
        .args(args)
        .env("TELEGRAM_BOT_TOKEN", token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("spawn rosctl");
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.as_bytes()).unwrap();
        drop(pipe);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_the_message_argument() {
    let tg = FakeTelegram::start().await;
    let out = rosctl(
        &tg,
        &tg.token(),
        &[
            "--chat",
            "42",
            "--parse-mode",
            "html",
            "--silent",
            "<b>r1</b>",
            "is",
            "down",
        ],
        "",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let sent = tg.sent(&ChatId::Id(42));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].plain, "r1 is down");
    assert_eq!(sent[0].request.parse_mode, ParseMode::Html);
    assert!(sent[0].request.disable_notification);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_lines_are_sent_in_order_within_the_limits() {
    let tg = FakeTelegram::start().await;
    let input: String = (0..6).map(|i| format!("line {i}\n\n")).collect();
    let out = rosctl(&tg, &tg.token(), &["--chat", "-1001"], &input).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Vec<String> = tg
        .sent(&ChatId::Id(-1001))
        .into_iter()
        .map(|m| m.plain)
        .collect();
    assert_eq!(got, (0..6).map(|i| format!("line {i}")).collect::<Vec<_>>());
    assert_eq!(tg.rate_limited(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paragraphs_become_one_message_each() {
    let tg = FakeTelegram::start().await;
    let out = rosctl(
        &tg,
        &tg.token(),
        &[
            "--chat",
            "@netops_alerts",
            "--paragraphs",
            "--parse-mode",
            "markdownv2",
        ],
        "*a*\nb\\.\n\nc\n",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Vec<String> = tg
        .sent(&"@netops_alerts".parse().unwrap())
        .into_iter()
        .map(|m| m.plain)
        .collect();
    assert_eq!(got, vec!["a\nb.", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_one_clear_line_and_never_printed() {
    let tg = FakeTelegram::start().await;
    let token = "42:TotallyWrongSecretValue123";
    let out = rosctl(&tg, token, &["--chat", "1", "hi"], "").await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("rejected the bot token"), "{err}");
    assert!(!err.contains("TotallyWrongSecretValue123"));
    assert!(tg.all_sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_chat_and_blocked_bot_fail_with_one_line() {
    let tg = FakeTelegram::start().await;
    tg.set_known_chats([ChatId::Id(1), ChatId::Id(2)]);
    let out = rosctl(&tg, &tg.token(), &["--chat", "3", "hi"], "").await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown chat 3"), "{err}");

    tg.block(ChatId::Id(2));
    let out = rosctl(&tg, &tg.token(), &["--chat", "2"], "a\nb\n").await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("blocked"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_token_and_bad_arguments_are_refused() {
    let tg = FakeTelegram::start().await;
    let out = rosctl(&tg, "", &["--chat", "1", "hi"], "").await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("TELEGRAM_BOT_TOKEN"));
    let out = rosctl(&tg, &tg.token(), &["--chat", "not a chat", "hi"], "").await;
    assert!(!out.status.success());
    let out = rosctl(
        &tg,
        &tg.token(),
        &["--chat", "1", "--parse-mode", "bbcode", "hi"],
        "",
    )
    .await;
    assert!(!out.status.success());
    let out = rosctl(&tg, &tg.token(), &["--chat", "1"], "\n\n").await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nothing to send"));
}
