//! The update stream, commands and authorisation.

use std::time::Duration;

use tg_notify::fake::FakeTelegram;
use tg_notify::{parse_command, Authorizer, Bot, MemoryStore, Store, UpdateStream};

#[test]
fn commands_parse() {
    let cases = [
        ("/status", Some(("status", None, ""))),
        (
            "/Status@RosBot  r1 r2 ",
            Some(("status", Some("RosBot"), "r1 r2")),
        ),
        ("  /mute_1h core", Some(("mute_1h", None, "core"))),
        ("/", None),
        ("/st-atus", None),
        ("/a@", None),
        ("hello /status", None),
        ("", None),
    ];
    for (text, want) in cases {
        let got = parse_command(text);
        let got = got
            .as_ref()
            .map(|c| (c.name.as_str(), c.bot.as_deref(), c.args.as_str()));
        assert_eq!(got, want, "{text:?}");
    }
    let c = parse_command("/status@other_bot").unwrap();
    assert!(!c.is_for("rosbot"));
    assert!(c.is_for("@Other_Bot"));
    assert!(parse_command("/status").unwrap().is_for("rosbot"));
}

#[tokio::test]
async fn stream_survives_errors_and_restarts_without_repeating() {
    let tg = FakeTelegram::start().await;
    let bot = Bot::new(tg.token()).with_api_url(tg.url());
    let store = MemoryStore::new();
    let mut stream = UpdateStream::new(bot.clone(), store.clone()).unwrap();
    stream
        .poll_timeout(1)
        .backoff(Duration::from_millis(20), Duration::from_millis(100));
    let a = tg.push_text(10, 10, "/status");
    let b = tg.push_text(10, 10, "/ping");
    assert_eq!(stream.next().await.unwrap().update_id, a);
    // errors between polls: 500, then a webhook conflict that goes away
    tg.fail_next(2);
    assert_eq!(stream.next().await.unwrap().update_id, b);
    tg.set_webhook(true);
    let c = tg.push_text(10, 10, "/third");
    let handle = tokio::spawn(async move {
        let u = stream.next().await.unwrap();
        (u, stream)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tg.set_webhook(false);
    let (u, stream) = handle.await.unwrap();
    assert_eq!(u.update_id, c);
    assert_eq!(store.offset().unwrap(), Some(c + 1));
    drop(stream);
    // a restarted stream resumes after c
    let d = tg.push_text(10, 10, "/fourth");
    let mut again = UpdateStream::new(bot.clone(), store.clone()).unwrap();
    again.poll_timeout(1);
    let u = again.next().await.unwrap();
    assert_eq!(u.update_id, d);
    assert_eq!(u.message.unwrap().text.as_deref(), Some("/fourth"));
}

#[tokio::test]
async fn a_bad_token_ends_the_stream() {
    let tg = FakeTelegram::start().await;
    let bot = Bot::new("1:bad").with_api_url(tg.url());
    let mut stream = UpdateStream::new(bot, MemoryStore::new()).unwrap();
    assert!(matches!(
        stream.next().await,
        Err(tg_notify::Error::Unauthorized(_))
    ));
}

#[tokio::test]
async fn strangers_get_a_polite_refusal() {
    let tg = FakeTelegram::start().await;
    let bot = Bot::new(tg.token()).with_api_url(tg.url());
    let mut auth = Authorizer::new();
    auth.allow_chat(-100).allow_user(1);
    let stranger = tg_notify::Update::text_message(1, 555, 555, "/reboot");
    let msg = stranger.message.as_ref().unwrap();
    assert!(!auth.check(msg).is_allowed());
    let admin_in_dm = tg_notify::Update::text_message(2, 1, 1, "/status");
    assert!(auth
        .check(admin_in_dm.message.as_ref().unwrap())
        .is_allowed());
    let anyone_in_ops = tg_notify::Update::text_message(3, -100, 999, "/status");
    assert!(auth
        .check(anyone_in_ops.message.as_ref().unwrap())
        .is_allowed());
    let refusal = auth.refusal(msg);
    bot.send_message(&refusal).await.unwrap();
    let sent = tg.sent(&tg_notify::ChatId::Id(555));
    assert!(sent[0].plain.starts_with("Sorry"));
    assert!(sent[0].plain.contains("555"));
}
