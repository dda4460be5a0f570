//! The notifier end to end against the fake server.

use std::time::Duration;

use tg_notify::fake::{FakeConfig, FakeTelegram, SentMessage};
use tg_notify::pacing::Limits;
use tg_notify::{
    html, utf16_len, Alert, AlertState, Bot, ChatId, Enqueued, JsonFileStore, MemoryStore,
    Notifier, NotifierConfig, ParseMode, Priority, Store, MAX_MESSAGE_LEN,
};

/// Telegram's per-chat and group limits 50 times faster, the global one 10 times (so that
/// it binds in tests with many chats).
fn fast_limits() -> Limits {
    let mut limits = Limits::default().scaled(50.0);
    limits.global(300.0, 10);
    limits
}

/// A fake enforcing the same limits, tolerating 15 ms of arrival jitter (less than one
/// per-chat interval, so one message too many is still refused).
async fn fake() -> FakeTelegram {
    let mut cfg = FakeConfig::default();
    cfg.limits = Some(fast_limits());
    cfg.slack = 0;
    cfg.jitter = Duration::from_millis(15);
    FakeTelegram::start_with(cfg).await
}

fn config() -> NotifierConfig {
    let mut cfg = NotifierConfig::default();
    cfg.limits(fast_limits())
        .backoff(Duration::from_millis(50), Duration::from_millis(500))
        .coalesce_window(Duration::from_millis(800));
    cfg
}

fn bot(tg: &FakeTelegram) -> Bot {
    Bot::new(tg.token()).with_api_url(tg.url())
}

async fn idle(n: &Notifier) {
    tokio::time::timeout(Duration::from_secs(120), n.wait_idle())
        .await
        .expect("queue drained");
}

fn texts(sent: &[SentMessage]) -> Vec<String> {
    sent.iter().map(|m| m.plain.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_alerts_arrive_complete_in_order_without_429() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    for i in 0..1000 {
        n.enqueue(Alert::new(42, format!("alert {i}"))).unwrap();
    }
    idle(&n).await;
    let got = texts(&tg.sent(&ChatId::Id(42)));
    let want: Vec<String> = (0..1000).map(|i| format!("alert {i}")).collect();
    assert_eq!(got, want);
    assert_eq!(tg.rate_limited(), 0, "our pacing caused 429s");
    assert_eq!(n.metrics().sent, 1000);
    // the rate is asserted with simulated time in tests/pacing.rs; here it is only reported
    let sent = tg.sent(&ChatId::Id(42));
    let span = sent[999].at - sent[0].at;
    let limits = fast_limits();
    let allowed = limits.per_chat_interval * (1000 - limits.per_chat_burst);
    eprintln!(
        "1000 alerts in {span:?}: {:.1}% of the allowed rate",
        100.0 * allowed.as_secs_f64() / span.as_secs_f64()
    );
}

#[tokio::test]
async fn a_long_alert_is_split_into_valid_parts() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!(
            "<b>Узел {i}</b> 🔥 <i>не отвечает</i> &amp; <code>ping 10.0.0.{i}</code>\n"
        ));
    }
    let mut alert = Alert::new(7, text.clone());
    alert.parse_mode(ParseMode::Html);
    n.enqueue(alert).unwrap();
    idle(&n).await;
    let sent = tg.sent(&ChatId::Id(7));
    assert!(sent.len() >= 2, "{}", sent.len());
    let mut joined = String::new();
    for (i, m) in sent.iter().enumerate() {
        assert_eq!(
            m.request.parse_mode,
            ParseMode::Html,
            "part {i} was not sent as HTML"
        );
        assert!(utf16_len(&m.plain) <= MAX_MESSAGE_LEN);
        assert!(m.plain.ends_with(&format!("({}/{})", i + 1, sent.len())));
        joined.push_str(m.plain.rsplit_once('\n').unwrap().0);
        joined.push('\n');
    }
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(squash(&joined), squash(&html::to_plain(&text).unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_queue_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.jsonl");
    let tg = fake().await;
    {
        let n = Notifier::start(bot(&tg), JsonFileStore::open(&path).unwrap(), config()).unwrap();
        for i in 0..200 {
            n.enqueue(Alert::new(1, format!("m{i}"))).unwrap();
        }
        while tg.sent(&ChatId::Id(1)).len() < 40 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        n.shutdown().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let store = JsonFileStore::open(&path).unwrap();
    let left = store.load().unwrap().len();
    assert!(left > 0 && left < 200, "{left} messages persisted");
    let n = Notifier::start(bot(&tg), store, config()).unwrap();
    idle(&n).await;
    // at-least-once: a message in flight at shutdown may arrive twice, none is missing and
    // first arrivals are in order
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<String> = texts(&tg.sent(&ChatId::Id(1)))
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect();
    let want: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    assert_eq!(firsts, want);
    assert!(JsonFileStore::open(&path)
        .unwrap()
        .load()
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thirty_second_outage_loses_nothing() {
    let tg = fake().await;
    let store = MemoryStore::new();
    let n = Notifier::start(bot(&tg), store.clone(), config()).unwrap();
    tg.set_down(true);
    for i in 0..50 {
        n.enqueue(Alert::new(
            if i % 2 == 0 { 1 } else { -100 },
            format!("o{i}"),
        ))
        .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        store.len(),
        50,
        "nothing is removed while Telegram is unreachable"
    );
    assert!(n.metrics().retried > 0);
    tg.set_down(false);
    idle(&n).await;
    let got = texts(&tg.all_sent());
    assert_eq!(got.len(), 50);
    for chat in [1_i64, -100] {
        let want: Vec<String> = (0..50)
            .filter(|i| (i % 2 == 0) == (chat == 1))
            .map(|i| format!("o{i}"))
            .collect();
        assert_eq!(texts(&tg.sent(&ChatId::Id(chat))), want);
    }
    assert!(store.is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_and_5xx_retried() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    tg.flood_next(1);
    tg.fail_next(2);
    for i in 0..5 {
        n.enqueue(Alert::new(3, format!("r{i}"))).unwrap();
    }
    idle(&n).await;
    assert_eq!(
        texts(&tg.sent(&ChatId::Id(3))),
        (0..5).map(|i| format!("r{i}")).collect::<Vec<_>>()
    );
    assert!(n.metrics().retried >= 2);
}

fn count_of(plain: &str) -> u32 {
    plain
        .split("(×")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[tokio::test]
async fn repeated_alerts_are_coalesced_with_a_count() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    for _ in 0..10 {
        let mut a = Alert::new(5, "ether1 errors rising");
        a.key("r1/ether1/errors");
        n.enqueue(a).unwrap();
    }
    idle(&n).await;
    let sent = texts(&tg.sent(&ChatId::Id(5)));
    assert!(sent.len() <= 2, "{sent:?}");
    assert_eq!(
        sent.iter().map(|t| count_of(t)).sum::<u32>(),
        10,
        "{sent:?}"
    );
    assert!(n.metrics().coalesced >= 8);
}

#[tokio::test]
async fn flapping_is_summarised() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    let alert = |state, text: &str| {
        let mut a = Alert::new(6, text);
        a.key("r1/down").state(state);
        a
    };
    n.enqueue(alert(AlertState::Firing, "r1 down")).unwrap();
    idle(&n).await;
    // within the window: up, down, up, down
    for (i, s) in [
        AlertState::Resolved,
        AlertState::Firing,
        AlertState::Resolved,
        AlertState::Firing,
    ]
    .into_iter()
    .enumerate()
    {
        let r = n
            .enqueue(alert(
                s,
                if s == AlertState::Firing {
                    "r1 down"
                } else {
                    "r1 up"
                },
            ))
            .unwrap();
        if i == 0 {
            assert!(matches!(r, Enqueued::Deferred(_)), "{r:?}");
        } else {
            assert!(matches!(r, Enqueued::Coalesced(_)), "{r:?}");
        }
    }
    idle(&n).await;
    let sent = texts(&tg.sent(&ChatId::Id(6)));
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0], "r1 down");
    assert!(
        sent[1].starts_with("r1 down\n(flapping: 3 state changes in 4 alerts, now firing)"),
        "{}",
        sent[1]
    );
}

#[tokio::test]
async fn overflow_summarises_low_priority_and_counts_it() {
    let tg = fake().await;
    let mut cfg = config();
    cfg.capacity(10);
    let n = Notifier::start(bot(&tg), MemoryStore::new(), cfg).unwrap();
    tg.set_down(true);
    for i in 0..30 {
        let mut a = Alert::new(8, format!("low {i}"));
        a.priority(Priority::Low);
        n.enqueue(a).unwrap();
    }
    for i in 0..5 {
        let mut a = Alert::new(8, format!("high {i}"));
        a.priority(Priority::High);
        n.enqueue(a).unwrap();
    }
    assert!(n.len() <= 11, "bounded: {}", n.len());
    let summarised = n.metrics().summarised;
    assert!(summarised >= 20);
    tg.set_down(false);
    idle(&n).await;
    let sent = texts(&tg.sent(&ChatId::Id(8)));
    for i in 0..5 {
        assert!(
            sent.contains(&format!("high {i}")),
            "high-priority alert {i} lost"
        );
    }
    let lows = sent.iter().filter(|t| t.starts_with("low ")).count() as u64;
    let summary: Vec<&String> = sent.iter().filter(|t| t.contains("summarised")).collect();
    assert_eq!(summary.len(), 1, "{sent:?}");
    let in_summary: u64 = summary[0]
        .trim_start_matches("⚠ ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(in_summary, summarised);
    assert_eq!(
        lows + in_summary,
        30,
        "every low alert is delivered or counted: {sent:?}"
    );
}

#[tokio::test]
async fn blocked_chats_fail_without_retrying_and_others_continue() {
    let tg = fake().await;
    tg.block(ChatId::Id(66));
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    n.enqueue(Alert::new(66, "a")).unwrap();
    n.enqueue(Alert::new(66, "b")).unwrap();
    n.enqueue(Alert::new(67, "c")).unwrap();
    idle(&n).await;
    assert_eq!(texts(&tg.sent(&ChatId::Id(67))), vec!["c"]);
    let failures = n.take_failures();
    assert_eq!(failures.len(), 2);
    assert!(failures
        .iter()
        .all(|f| f.chat == ChatId::Id(66) && f.reason.contains("blocked")));
    assert_eq!(tg.calls("sendMessage"), 2, "a blocked chat is tried once");
}

#[tokio::test]
async fn migrated_groups_and_bad_markup_are_still_delivered() {
    let tg = fake().await;
    tg.migrate(ChatId::Id(-5), -1_005);
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    n.enqueue(Alert::new(-5, "to the old group")).unwrap();
    let mut bad = Alert::new(9, "price 1.5 (not escaped)");
    bad.parse_mode(ParseMode::MarkdownV2);
    n.enqueue(bad).unwrap();
    idle(&n).await;
    assert_eq!(
        texts(&tg.sent(&ChatId::Id(-1_005))),
        vec!["to the old group"]
    );
    let sent = tg.sent(&ChatId::Id(9));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].plain, "price 1.5 (not escaped)");
    assert_eq!(sent[0].request.parse_mode, ParseMode::Plain);
}

#[test]
fn json_file_store_survives_reopen_and_torn_writes() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.jsonl");
    let store = JsonFileStore::open(&path).unwrap();
    let msg = |id| {
        let mut m: tg_notify::QueuedMessage = serde_json::from_value(serde_json::json!({
            "id": id, "chat": 5, "text": format!("t{id}")
        }))
        .unwrap();
        m.priority = Priority::High;
        m
    };
    for id in 1..=5 {
        store.put(&msg(id)).unwrap();
    }
    store.remove(2).unwrap();
    store.set_offset(77).unwrap();
    drop(store);
    // a crash in the middle of the next write
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(br#"{"put":{"id":9,"ch"#).unwrap();
    drop(f);
    let store = JsonFileStore::open(&path).unwrap();
    let mut ids: Vec<u64> = store.load().unwrap().iter().map(|m| m.id).collect();
    ids.sort();
    assert_eq!(ids, vec![1, 3, 4, 5]);
    assert_eq!(store.offset().unwrap(), Some(77));
    assert_eq!(store.load().unwrap()[0].priority, Priority::High);
    // garbage in the middle is an error, not a silent loss
    std::fs::write(&path, "{\"remove\":1}\nnot json\n{\"remove\":2}\n").unwrap();
    assert!(JsonFileStore::open(&path).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_chats_and_groups_share_the_limits_without_429() {
    // concurrent requests to many chats arrive more bunched up than one chat's: per-chat
    // limits 20 times faster than Telegram's, a binding global limit of 150/s (480 messages
    // take at least 3 s), and 30 ms of jitter tolerated (less than one per-chat interval)
    let mut limits = Limits::default().scaled(20.0);
    limits.global(150.0, 10);
    let mut fake_cfg = FakeConfig::default();
    fake_cfg.limits = Some(limits);
    fake_cfg.slack = 0;
    fake_cfg.jitter = Duration::from_millis(30);
    let tg = FakeTelegram::start_with(fake_cfg).await;
    let mut cfg = config();
    cfg.limits(limits);
    let n = Notifier::start(bot(&tg), MemoryStore::new(), cfg).unwrap();
    let chats: Vec<i64> = (1..=60).map(|c| if c % 4 == 0 { -c } else { c }).collect();
    for i in 0..8 {
        for &c in &chats {
            n.enqueue(Alert::new(c, format!("{c}:{i}"))).unwrap();
        }
    }
    idle(&n).await;
    for &c in &chats {
        let want: Vec<String> = (0..8).map(|i| format!("{c}:{i}")).collect();
        assert_eq!(texts(&tg.sent(&ChatId::Id(c))), want);
    }
    assert_eq!(tg.rate_limited(), 0, "our pacing caused 429s");
}

#[tokio::test]
async fn a_rejected_token_keeps_the_queue_and_is_reported() {
    let tg = fake().await;
    let store = MemoryStore::new();
    let bad = Bot::new("1:not-the-token").with_api_url(tg.url());
    let n = Notifier::start(bad, store.clone(), config()).unwrap();
    n.enqueue(Alert::new(1, "kept")).unwrap();
    let failure = loop {
        if let Some(f) = n.take_failures().into_iter().next() {
            break f;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(failure.unauthorized);
    assert!(!failure.reason.contains("not-the-token"));
    assert_eq!(store.len(), 1, "the message waits for a valid token");
    assert_eq!(n.len(), 1);
    n.shutdown().await;
    // restarted with the right token, it is delivered
    let n = Notifier::start(bot(&tg), store.clone(), config()).unwrap();
    idle(&n).await;
    assert_eq!(texts(&tg.sent(&ChatId::Id(1))), vec!["kept"]);
}

#[tokio::test]
async fn a_message_telegram_refuses_is_dropped_alone() {
    let tg = fake().await;
    let n = Notifier::start(bot(&tg), MemoryStore::new(), config()).unwrap();
    // markup that even the plain-text fallback cannot save: whitespace-only after parsing
    let mut empty = Alert::new(4, "<b> </b>");
    empty.parse_mode(ParseMode::Html);
    n.enqueue(empty).unwrap();
    n.enqueue(Alert::new(4, "after")).unwrap();
    idle(&n).await;
    assert_eq!(texts(&tg.sent(&ChatId::Id(4))), vec!["after"]);
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].reason.contains("empty"));
}
