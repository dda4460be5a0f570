//! The outbox over the Cloud API transport, end to end against the fake Cloud API.

use std::collections::HashSet;
use std::time::Duration;

use tg_notify::{Alert, JsonFileStore, MemoryStore, Notifier, NotifierConfig, Store};
use wa_notify::fake::{webhook_failed_status, FakeCloudApi, FakeConfig};
use wa_notify::{
    parse_webhook, CloudApi, CloudConfig, CloudTransport, PhoneNumber, TemplateConfig, Token,
};

/// Meta's pair interval (6 s) 60 times faster.
const PAIR: Duration = Duration::from_millis(100);

fn number(i: u64) -> PhoneNumber {
    format!("62812000000{i:02}").parse().unwrap()
}

async fn fake() -> FakeCloudApi {
    let mut cfg = FakeConfig::default();
    cfg.pair_interval = Some(PAIR);
    cfg.throughput = Some(80.0);
    // requests sent on time may arrive bunched up by this much on a loaded machine
    cfg.jitter = Duration::from_millis(60);
    FakeCloudApi::start_with(cfg).await
}

fn notifier_config() -> NotifierConfig {
    let mut cfg = NotifierConfig::default();
    cfg.limits(wa_notify::limits(PAIR, 50.0))
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .coalesce_window(Duration::from_millis(200))
        .unauthorized_wait(Duration::from_secs(3600));
    cfg
}

fn cloud_config() -> CloudConfig {
    let mut cfg = CloudConfig::default();
    cfg.template(TemplateConfig::new("noc_alert", "id"))
        .pair_backoff(Duration::from_millis(50), Duration::from_millis(400));
    cfg
}

/// A transport that knows (like the fake) that `open` wrote recently.
fn transport(api: CloudApi, fake: &FakeCloudApi, open: &[PhoneNumber]) -> CloudTransport {
    let t = CloudTransport::new(api, cloud_config());
    for n in open {
        fake.mark_inbound(n);
        t.windows().record_inbound(n, fake.now_unix());
    }
    t
}

async fn idle(n: &Notifier) {
    tokio::time::timeout(Duration::from_secs(120), n.wait_idle())
        .await
        .expect("queue drained");
}

fn texts(fake: &FakeCloudApi, n: &PhoneNumber) -> Vec<String> {
    fake.delivered(n).iter().map(|d| d.text()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_alerts_to_three_numbers_arrive_once_in_order_at_the_pair_rate() {
    let fake = fake().await;
    let numbers: Vec<PhoneNumber> = (1..=3).map(number).collect();
    let t = transport(fake.api(), &fake, &numbers);
    let n = Notifier::with_transport(t, MemoryStore::new(), notifier_config()).unwrap();
    for i in 0..200 {
        let to = &numbers[i % 3];
        n.enqueue(Alert::new(to, format!("alert {i}"))).unwrap();
    }
    idle(&n).await;
    assert_eq!(fake.pair_limited(), 0, "our pacing caused 131056");
    assert_eq!(fake.throughput_limited(), 0, "our pacing caused 130429");
    assert_eq!(n.metrics().sent, 200);
    assert!(n.take_failures().is_empty());
    for (k, to) in numbers.iter().enumerate() {
        let want: Vec<String> = (0..200)
            .filter(|i| i % 3 == k)
            .map(|i| format!("alert {i}"))
            .collect();
        assert_eq!(texts(&fake, to), want, "once each, in order, to {to}");
        let got = fake.delivered(to);
        assert!(got.iter().all(|d| !d.is_template()));
        let (Some(first), Some(last)) = (got.first(), got.last()) else {
            unreachable!()
        };
        let span = last.at - first.at;
        let allowed = PAIR * u32::try_from(got.len() - 1).unwrap();
        let share = allowed.as_secs_f64() / span.as_secs_f64();
        eprintln!(
            "{to}: {} messages in {span:?}: {:.1}% of the pair rate",
            got.len(),
            share * 100.0
        );
        assert!(
            share >= 0.8,
            "{to}: only {:.1}% of the allowed rate",
            share * 100.0
        );
        assert!(share <= 1.0 + 0.05, "faster than the pair rate: {share}");
    }
}

#[tokio::test]
async fn outside_the_window_the_same_alert_goes_out_as_the_template_flattened() {
    let fake = fake().await;
    let to = number(7);
    // the transport believes the window is open; WhatsApp knows better
    let t = CloudTransport::new(fake.api(), cloud_config());
    t.windows().record_inbound(&to, fake.now_unix());
    let windows = t.windows();
    let n = Notifier::with_transport(t.clone(), MemoryStore::new(), notifier_config()).unwrap();
    n.enqueue(Alert::new(
        &to,
        "core-sw1: ether1 down\n\tsince    10:42\n\n*check uplink*",
    ))
    .unwrap();
    n.enqueue(Alert::new(&to, "core-sw1: ether1 up")).unwrap();
    idle(&n).await;
    assert!(n.take_failures().is_empty(), "nothing dropped");
    let got = fake.delivered(&to);
    assert_eq!(got.len(), 2);
    match &got[0].kind {
        wa_notify::fake::DeliveredKind::Template {
            name,
            language,
            params,
        } => {
            assert_eq!(name, "noc_alert");
            assert_eq!(language, "id");
            assert_eq!(
                params,
                &vec!["core-sw1: ether1 down | since 10:42 | *check uplink*".to_owned()]
            );
        }
        other => panic!("not a template: {other:?}"),
    }
    assert!(got[1].is_template(), "the recipient stays in template mode");
    assert_eq!(fake.window_refused(), 1, "one 131047, then templates");
    assert_eq!(
        windows.state(&to, fake.now_unix(), wa_notify::WINDOW),
        wa_notify::WindowStatus::Closed
    );

    // the admin writes: the window opens again and text resumes
    fake.mark_inbound(&to);
    let body = wa_notify::fake::webhook_text(
        &fake.phone_number_id(),
        to.as_str(),
        "wamid.IN1",
        fake.now_unix(),
        "/status",
    );
    for ev in parse_webhook(body.as_bytes()).unwrap() {
        assert!(t.observe(&ev).is_none());
    }
    n.enqueue(Alert::new(&to, "line 1\nline 2")).unwrap();
    idle(&n).await;
    let last = fake.delivered(&to).pop().unwrap();
    assert!(!last.is_template());
    assert_eq!(last.text(), "line 1\nline 2");
}

#[tokio::test]
async fn a_long_alert_outside_the_window_becomes_several_templates_within_the_limit() {
    let fake = fake().await;
    let to = number(8);
    let t = CloudTransport::new(fake.api(), cloud_config());
    let n = Notifier::with_transport(t, MemoryStore::new(), notifier_config()).unwrap();
    let text: String = (0..120)
        .map(|i| format!("queue wifi-{i} saturated\n"))
        .collect();
    n.enqueue(Alert::new(&to, text.clone())).unwrap();
    idle(&n).await;
    let got = fake.delivered(&to);
    assert!(got.len() >= 3, "{}", got.len());
    assert_eq!(
        fake.window_refused(),
        0,
        "unknown numbers start with the template"
    );
    for (i, d) in got.iter().enumerate() {
        assert!(d.is_template());
        let p = d.text();
        assert!(p.chars().count() <= 900, "{}", p.chars().count());
        assert!(p.ends_with(&format!("({}/{})", i + 1, got.len())), "{p}");
    }
    assert!(got[0]
        .text()
        .starts_with("queue wifi-0 saturated | queue wifi-1 saturated"));
}

#[tokio::test]
async fn an_asynchronous_131047_is_resent_as_the_template() {
    let fake = fake().await;
    let to = number(9);
    let t = transport(fake.api(), &fake, std::slice::from_ref(&to));
    let n = Notifier::with_transport(t.clone(), MemoryStore::new(), notifier_config()).unwrap();
    n.enqueue(Alert::new(&to, "r1 down\nsince 10:42")).unwrap();
    idle(&n).await;
    let sent = fake.delivered(&to);
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].is_template());
    // Meta accepted the text, then reports through the webhook that the window was closed
    let body = webhook_failed_status(&fake.phone_number_id(), &sent[0].id, to.as_str(), 131047);
    let mut resend = Vec::new();
    for ev in parse_webhook(body.as_bytes()).unwrap() {
        resend.extend(t.observe(&ev));
    }
    assert_eq!(resend.len(), 1);
    for a in resend {
        n.enqueue(a).unwrap();
    }
    idle(&n).await;
    let sent = fake.delivered(&to);
    assert_eq!(sent.len(), 2);
    assert!(sent[1].is_template());
    assert_eq!(sent[1].text(), "r1 down | since 10:42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_messages_queued_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("whatsapp-queue.jsonl");
    let fake = fake().await;
    let numbers: Vec<PhoneNumber> = (20..22).map(number).collect();
    {
        let t = transport(fake.api(), &fake, &numbers);
        let n = Notifier::with_transport(t, JsonFileStore::open(&path).unwrap(), notifier_config())
            .unwrap();
        for i in 0..60 {
            n.enqueue(Alert::new(&numbers[i % 2], format!("m{i}")))
                .unwrap();
        }
        while fake.all_delivered().len() < 10 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        n.shutdown().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let store = JsonFileStore::open(&path).unwrap();
    let left = store.load().unwrap().len();
    assert!(left > 0 && left < 60, "{left} messages persisted");
    // a new process: the window state is learnt again from the webhook
    let t = transport(fake.api(), &fake, &numbers);
    let n = Notifier::with_transport(t, store, notifier_config()).unwrap();
    idle(&n).await;
    for (k, to) in numbers.iter().enumerate() {
        // at-least-once: a message in flight at shutdown may arrive twice; none is missing
        let mut seen = HashSet::new();
        let firsts: Vec<String> = texts(&fake, to)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect();
        let want: Vec<String> = (0..60)
            .filter(|i| i % 2 == k)
            .map(|i| format!("m{i}"))
            .collect();
        assert_eq!(firsts, want);
    }
    assert_eq!(fake.pair_limited(), 0);
    assert!(JsonFileStore::open(&path)
        .unwrap()
        .load()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_expired_token_stops_delivery_loudly_without_retrying() {
    let fake = fake().await;
    let to = number(30);
    let secret = "EAAExpiredTokenValue987654321";
    let api = CloudApi::builder(Token::new(secret), fake.phone_number_id())
        .base_url(fake.url())
        .build();
    let store = MemoryStore::new();
    let t = transport(api, &fake, std::slice::from_ref(&to));
    let n = Notifier::with_transport(t, store.clone(), notifier_config()).unwrap();
    for i in 0..5 {
        n.enqueue(Alert::new(&to, format!("a{i}"))).unwrap();
    }
    let failure = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(f) = n.take_failures().into_iter().next() {
                return f;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("a failure is reported");
    assert!(failure.unauthorized);
    assert!(failure.reason.contains("190"), "{}", failure.reason);
    assert!(
        failure.reason.contains("WHATSAPP_TOKEN"),
        "{}",
        failure.reason
    );
    assert!(!failure.reason.contains(secret));
    assert!(n.is_paused());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(fake.requests(), 1, "no retry loop");
    assert_eq!(fake.answered(190), 1);
    assert_eq!(store.len(), 5, "the queue is kept for a new token");
    assert!(fake.all_delivered().is_empty());
}

#[tokio::test]
async fn a_permission_error_stops_too() {
    let fake = fake().await;
    let to = number(31);
    let t = transport(fake.api(), &fake, std::slice::from_ref(&to));
    let n = Notifier::with_transport(t, MemoryStore::new(), notifier_config()).unwrap();
    fake.fail_next(10, 1);
    n.enqueue(Alert::new(&to, "x")).unwrap();
    n.enqueue(Alert::new(&to, "y")).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].unauthorized);
    assert!(
        failures[0].reason.contains("Permission"),
        "{}",
        failures[0].reason
    );
    assert_eq!(fake.requests(), 1);
    // an operator fixed the permission: resume sends the kept queue
    n.resume();
    idle(&n).await;
    assert_eq!(texts(&fake, &to), vec!["x", "y"]);
}

#[tokio::test]
async fn rate_limit_errors_are_retried_in_order_and_other_errors_drop_one_message() {
    let fake = fake().await;
    let to = number(40);
    let t = transport(fake.api(), &fake, std::slice::from_ref(&to));
    let n = Notifier::with_transport(t, MemoryStore::new(), notifier_config()).unwrap();
    fake.fail_next(131056, 2);
    fake.fail_next(130429, 1);
    fake.fail_next(131000, 1);
    fake.fail_next(131026, 1);
    for i in 0..4 {
        n.enqueue(Alert::new(&to, format!("r{i}"))).unwrap();
    }
    idle(&n).await;
    // r0 waits out 2 pair limits, a throughput limit and a server error, then is refused as
    // undeliverable (131026); r1..r3 follow
    assert_eq!(texts(&fake, &to), vec!["r1", "r2", "r3"]);
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].reason.contains("131026"),
        "{}",
        failures[0].reason
    );
    assert!(!failures[0].unauthorized);
    assert_eq!(n.metrics().retried, 4);
    assert_eq!(fake.requests(), 8);
}
