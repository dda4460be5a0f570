//! The Bot API client against the fake server.

use std::time::Duration;

use tg_notify::fake::{FakeConfig, FakeTelegram};
use tg_notify::{
    decode_reply, Bot, BotCommand, ChatId, Error, GetUpdates, ParseMode, SendMessage, User,
};

async fn bot(tg: &FakeTelegram) -> Bot {
    Bot::new(tg.token()).with_api_url(tg.url())
}

#[tokio::test]
async fn get_me_and_send_message() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg).await;
    let me = bot.get_me().await.unwrap();
    assert!(me.is_bot);
    let mut msg = SendMessage::new(ChatId::Id(7), "<b>r1</b> down");
    msg.parse_mode(ParseMode::Html)
        .silent(true)
        .disable_link_preview()
        .thread(3);
    let sent = bot.send_message(&msg).await.unwrap();
    assert_eq!(sent.text.as_deref(), Some("r1 down"));
    let got = tg.sent(&ChatId::Id(7));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].request, msg, "every field arrives as sent");
    // @channel ids
    let chan: ChatId = "@netops_alerts".parse().unwrap();
    bot.send_message(&SendMessage::new(chan.clone(), "x"))
        .await
        .unwrap();
    assert_eq!(tg.sent(&chan).len(), 1);
}

#[tokio::test]
async fn errors_are_typed() {
    let tg = FakeTelegram::start_with({
        let mut c = FakeConfig::default();
        c.limits = None;
        c
    })
    .await;
    let bot = bot(&tg).await;

    let bad = Bot::new("123:wrong-token-value").with_api_url(tg.url());
    assert!(matches!(bad.get_me().await, Err(Error::Unauthorized(_))));

    tg.block(ChatId::Id(9));
    match bot.send_message(&SendMessage::new(9, "x")).await {
        Err(Error::Forbidden(d)) => assert!(d.contains("blocked")),
        other => panic!("{other:?}"),
    }

    let mut md = SendMessage::new(1, "1.5 is not escaped");
    md.parse_mode(ParseMode::MarkdownV2);
    match bot.send_message(&md).await {
        Err(Error::BadRequest(d)) => assert!(d.contains("can't parse entities"), "{d}"),
        other => panic!("{other:?}"),
    }

    let long = SendMessage::new(1, "🚀".repeat(2049));
    match bot.send_message(&long).await {
        Err(Error::BadRequest(d)) => assert!(d.contains("message is too long")),
        other => panic!("{other:?}"),
    }
    // 2048 emoji = 4096 UTF-16 units: accepted
    bot.send_message(&SendMessage::new(1, "🚀".repeat(2048)))
        .await
        .unwrap();

    tg.migrate(ChatId::Id(-5), -1_001_234_567_890);
    assert!(matches!(
        bot.send_message(&SendMessage::new(-5, "x")).await,
        Err(Error::MigrateToChat(-1_001_234_567_890))
    ));

    tg.flood_next(17);
    let e = bot
        .send_message(&SendMessage::new(1, "x"))
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(17)));

    tg.fail_next(1);
    assert!(matches!(
        bot.get_me().await,
        Err(Error::Server { status: 500, .. })
    ));
    tg.set_down(true);
    let e = bot.get_me().await.unwrap_err();
    assert!(
        matches!(e, Error::Server { status: 502, .. }) && e.is_transient(),
        "{e:?}"
    );
    tg.set_down(false);

    tg.set_webhook(true);
    assert!(matches!(
        bot.get_updates(&GetUpdates::new(None, 0)).await,
        Err(Error::Conflict(_))
    ));
    assert!(bot.delete_webhook(false).await.unwrap());
    assert!(bot
        .get_updates(&GetUpdates::new(None, 0))
        .await
        .unwrap()
        .is_empty());

    assert!(matches!(
        bot.send_message(&SendMessage::new(1, "  ")).await,
        Err(Error::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn concurrent_get_updates_conflict() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg).await;
    let first = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates(&GetUpdates::new(None, 5)).await })
    };
    // let the first poll start waiting, then start a second one
    while tg.calls("getUpdates") < 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates(&GetUpdates::new(None, 1)).await })
    };
    assert!(matches!(first.await.unwrap(), Err(Error::Conflict(_))));
    assert!(second.await.unwrap().unwrap().is_empty());
}

#[tokio::test]
async fn set_my_commands_is_validated() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg).await;
    let cmds = vec![
        BotCommand::new("status", "Router status"),
        BotCommand::new("mute_1h", "Mute alerts"),
    ];
    assert!(bot.set_my_commands(&cmds).await.unwrap());
    assert_eq!(tg.commands(), cmds);
    let bad = [BotCommand::new("Status", "x")];
    assert!(matches!(
        bot.set_my_commands(&bad).await,
        Err(Error::InvalidRequest(_))
    ));
    assert_eq!(
        tg.calls("setMyCommands"),
        1,
        "an invalid command is refused before sending"
    );
}

#[tokio::test]
async fn the_token_never_appears_in_debug_display_or_errors() {
    let token = "987654321:AAHsecretSECRETsecret_0123456789";
    // nothing listens on this port: connection refused, error message built by reqwest
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let bot = Bot::new(token).with_api_url(format!("http://127.0.0.1:{port}"));
    let secret = "AAHsecretSECRETsecret_0123456789";
    for text in [
        format!("{bot:?}"),
        format!("{:?}", bot.token()),
        bot.token().to_string(),
    ] {
        assert!(!text.contains(secret), "{text}");
    }
    let e = bot.get_me().await.unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    for text in [format!("{e}"), format!("{e:?}")] {
        assert!(!text.contains(secret), "{text}");
    }
    // a timeout too
    let tg = FakeTelegram::start().await;
    let slow = Bot::new(token)
        .with_api_url(tg.url())
        .with_request_timeout(Duration::from_millis(1));
    if let Err(e) = slow.get_me().await {
        assert!(!format!("{e} {e:?}").contains(secret));
    }
    // and a reply that echoes it back
    let echoed =
        format!(r#"{{"ok":false,"error_code":400,"description":"Bad Request: bot{token} oops"}}"#);
    let e = decode_reply::<User>(400, echoed.as_bytes()).unwrap_err();
    assert!(matches!(e, Error::BadRequest(_)));
}

#[test]
fn decode_reply_table() {
    let cases: &[(u16, &str, &str)] = &[
        (
            429,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#,
            "RetryAfter(5s)",
        ),
        (
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001}}"#,
            "MigrateToChat(-1001)",
        ),
        (
            403,
            r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"}"#,
            "Forbidden",
        ),
        (
            401,
            r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#,
            "Unauthorized",
        ),
        (
            404,
            r#"{"ok":false,"error_code":404,"description":"Not Found"}"#,
            "Unauthorized",
        ),
        (
            409,
            r#"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}"#,
            "Conflict",
        ),
        (502, "<html>Bad Gateway</html>", "Server"),
        (200, "not json", "Decode"),
        (200, r#"{"ok":true}"#, "Decode"),
    ];
    for (status, body, want) in cases {
        let e = decode_reply::<bool>(*status, body.as_bytes()).unwrap_err();
        assert!(format!("{e:?}").starts_with(want), "{status} {body}: {e:?}");
    }
    assert!(decode_reply::<bool>(200, br#"{"ok":true,"result":true}"#).unwrap());
}

#[tokio::test]
async fn long_polls_outlast_the_request_timeout() {
    let tg = FakeTelegram::start().await;
    // ordinary requests time out after 300 ms, a 1 s long poll must still complete
    let bot = Bot::new(tg.token())
        .with_api_url(tg.url())
        .with_request_timeout(Duration::from_millis(300));
    let updates = bot.get_updates(&GetUpdates::new(None, 1)).await.unwrap();
    assert!(updates.is_empty());
    // and an update pushed during the poll is returned by it
    let poll = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates(&GetUpdates::new(None, 5)).await })
    };
    while tg.calls("getUpdates") < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let id = tg.push_text(1, 1, "/status");
    let got = poll.await.unwrap().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].update_id, id);
}
