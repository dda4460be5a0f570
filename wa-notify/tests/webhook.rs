//! The webhook checks behind a thin HTTP handler (as the dashboard will wire them), fed by
//! the fake Cloud API, and parsing of hostile bodies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use proptest::prelude::*;
use wa_notify::fake::{webhook_text, FakeCloudApi};
use wa_notify::webhook::{MAX_EVENTS, MAX_WEBHOOK_BODY};
use wa_notify::{
    parse_webhook, verify_signature, verify_subscription, Deduper, InboundEvent, WebhookError,
};

const APP_SECRET: &[u8] = b"app-secret-for-tests";
const VERIFY_TOKEN: &str = "verify-token-for-tests";

#[derive(Clone, Default)]
struct Shell {
    parsed: Arc<AtomicU64>,
    handled: Arc<Mutex<Vec<String>>>,
    dedup: Arc<Mutex<Option<Deduper>>>,
}

async fn subscribe(
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (StatusCode, String) {
    match verify_subscription(
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
        VERIFY_TOKEN,
    ) {
        Ok(c) => (StatusCode::OK, c.to_owned()),
        Err(e) => (
            StatusCode::from_u16(e.http_status()).unwrap(),
            String::new(),
        ),
    }
}

async fn receive(State(s): State<Shell>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = verify_signature(APP_SECRET, &body, sig) {
        return StatusCode::from_u16(e.http_status()).unwrap();
    }
    s.parsed.fetch_add(1, Ordering::SeqCst);
    let events = match parse_webhook(&body) {
        Ok(ev) => ev,
        Err(e) => return StatusCode::from_u16(e.http_status()).unwrap(),
    };
    let mut dedup = s.dedup.lock().unwrap();
    let dedup =
        dedup.get_or_insert_with(|| Deduper::new(10_000, Duration::from_secs(7 * 24 * 3600)));
    for ev in events {
        if let InboundEvent::Message(m) = ev {
            if dedup.first_seen(&m.id, Instant::now()) {
                s.handled
                    .lock()
                    .unwrap()
                    .push(m.text().unwrap_or_default().to_owned());
            }
        }
    }
    StatusCode::OK
}

async fn shell() -> (String, Shell) {
    let s = Shell::default();
    let app = Router::new()
        .route("/webhook", get(subscribe).post(receive))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, s)
}

#[tokio::test]
async fn signed_webhooks_are_handled_once_and_bad_signatures_never_parsed() {
    let fake = FakeCloudApi::start().await;
    let (url, shell) = shell().await;
    let body = webhook_text(
        &fake.phone_number_id(),
        "6281234567890",
        "wamid.ONE",
        1_700_000_000,
        "/status",
    );

    assert_eq!(fake.post_webhook_badly_signed(&url, &body).await, 403);
    assert_eq!(fake.post_raw(&url, None, &body).await, 403);
    assert_eq!(fake.post_raw(&url, Some("sha256=nothex"), &body).await, 403);
    // a correct signature of another body
    let other = webhook_text(
        &fake.phone_number_id(),
        "6281234567890",
        "wamid.TWO",
        1,
        "x",
    );
    let sig = wa_notify::webhook::sign(APP_SECRET, other.as_bytes());
    assert_eq!(fake.post_raw(&url, Some(&sig), &body).await, 403);
    assert_eq!(
        shell.parsed.load(Ordering::SeqCst),
        0,
        "refused before parsing"
    );

    assert_eq!(fake.post_webhook(&url, APP_SECRET, &body).await, 200);
    // Meta redelivers the same message
    assert_eq!(fake.post_webhook(&url, APP_SECRET, &body).await, 200);
    assert_eq!(fake.post_webhook(&url, APP_SECRET, &body).await, 200);
    assert_eq!(shell.parsed.load(Ordering::SeqCst), 3);
    assert_eq!(
        *shell.handled.lock().unwrap(),
        vec!["/status"],
        "handled once"
    );

    // a signed but malformed body is a 400, not a crash
    assert_eq!(
        fake.post_webhook(&url, APP_SECRET, "{\"object\":").await,
        400
    );
}

#[tokio::test]
async fn the_subscription_check_echoes_the_challenge_only_for_the_right_token() {
    let (url, _) = shell().await;
    let http = reqwest::Client::new();
    let get = |q: String| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http.get(format!("{url}?{q}")).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(
        get(format!(
            "hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        ))
        .await,
        (200, "1158201444".to_owned())
    );
    assert_eq!(
        get("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1".into())
            .await
            .0,
        403
    );
    assert_eq!(
        get(format!(
            "hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}"
        ))
        .await
        .0,
        400
    );
}

fn wrap_value(value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{value}}}]}}]}}"#
    )
}

#[test]
fn a_full_payload_gives_messages_statuses_and_errors() {
    let body = wrap_value(
        r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"106"},
            "contacts":[{"profile":{"name":"Budi"},"wa_id":"628111"}],
            "messages":[{"from":"628111","id":"wamid.M1","timestamp":"1700000001","type":"text","text":{"body":"/queues"}},
                        {"from":"628111","id":"wamid.M2","timestamp":1700000002,"type":"image","image":{"id":"x"}}],
            "statuses":[{"id":"wamid.S1","status":"failed","timestamp":"1700000003","recipient_id":"628222",
                         "errors":[{"code":131047,"title":"Re-engagement message","error_data":{"details":"24h"}}]},
                        {"id":"wamid.S2","status":"read","timestamp":"1700000004","recipient_id":"628222","conversation":{"id":"c"}}],
            "errors":[{"code":131000,"title":"Something went wrong"}]}"#,
    );
    let ev = parse_webhook(body.as_bytes()).unwrap();
    assert_eq!(ev.len(), 5);
    let InboundEvent::Message(m) = &ev[0] else {
        panic!()
    };
    assert_eq!(
        (m.from.as_str(), m.id.as_str(), m.timestamp),
        ("628111", "wamid.M1", 1_700_000_001)
    );
    assert_eq!(m.text(), Some("/queues"));
    assert_eq!(m.name.as_deref(), Some("Budi"));
    assert_eq!(m.phone_number_id.as_deref(), Some("106"));
    let InboundEvent::Message(m) = &ev[1] else {
        panic!()
    };
    assert_eq!((m.kind.as_str(), m.text()), ("image", None));
    let InboundEvent::Status(s) = &ev[2] else {
        panic!()
    };
    assert!(s.is_outside_window());
    assert_eq!(s.errors[0].details.as_deref(), Some("24h"));
    let InboundEvent::Status(s) = &ev[3] else {
        panic!()
    };
    assert!(!s.is_outside_window());
    let InboundEvent::Error(e) = &ev[4] else {
        panic!()
    };
    assert_eq!(e.code, 131000);
    // other fields of the subscription are skipped
    let other = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{"x":1}}]}]}"#;
    assert!(parse_webhook(other.as_bytes()).unwrap().is_empty());
}

#[test]
fn hostile_bodies_are_typed_errors() {
    let deep = "[".repeat(100_000);
    assert!(matches!(
        parse_webhook(deep.as_bytes()),
        Err(WebhookError::TooMany {
            what: "levels of nesting",
            ..
        })
    ));
    let deep_in_string = format!("{{\"object\":\"{}\"}}", "[".repeat(1000));
    assert!(matches!(
        parse_webhook(deep_in_string.as_bytes()),
        Err(WebhookError::NotWhatsApp(_))
    ));
    let many = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{}]}}"#,
        vec!["{}"; 20_000].join(",")
    );
    assert!(matches!(
        parse_webhook(many.as_bytes()),
        Err(WebhookError::TooMany {
            what: "JSON objects and arrays",
            ..
        })
    ));
    let msg = r#"{"from":"1","id":"x","timestamp":"1","type":"text","text":{"body":"b"}}"#;
    let events = wrap_value(&format!(
        r#"{{"messages":[{}]}}"#,
        vec![msg; MAX_EVENTS + 1].join(",")
    ));
    assert!(matches!(
        parse_webhook(events.as_bytes()),
        Err(WebhookError::TooMany { what: "events", .. })
    ));
    let huge = format!("{{\"object\":\"{}\"}}", "a".repeat(MAX_WEBHOOK_BODY));
    assert!(matches!(
        parse_webhook(huge.as_bytes()),
        Err(WebhookError::TooLarge { .. })
    ));
    for bad in [
        "",
        "null",
        "[]",
        "{\"object\":1}",
        "{\"object\":\"page\",\"entry\":[]}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":{}}",
        "\u{feff}{}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":[]}]}]}",
    ] {
        assert!(parse_webhook(bad.as_bytes()).is_err(), "{bad:?}");
    }
    for value in [
        r#"{"messages":[{"from":1,"id":"x","timestamp":"1","type":"text"}]}"#,
        r#"{"messages":[{"from":"1","id":"x","timestamp":"soon","type":"text"}]}"#,
        r#"{"messages":[{"from":"1","id":"x","timestamp":-5,"type":"text"}]}"#,
        r#"{"messages":[{"from":"1","id":"x","timestamp":"1","type":"text","text":{"body":7}}]}"#,
        r#"{"messages":"many"}"#,
        r#"{"statuses":[{"id":"x","status":"failed","timestamp":"1","errors":[{"code":"131047"}]}]}"#,
        r#"{"metadata":{"phone_number_id":106}}"#,
    ] {
        let r = parse_webhook(wrap_value(value).as_bytes());
        assert!(
            matches!(r, Err(WebhookError::Malformed(_))),
            "{value}: {r:?}"
        );
    }
    assert!(parse_webhook(&[0xff, 0xfe, b'{', b'}']).is_err());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_webhook(&body);
    }

    #[test]
    fn mutated_payloads_never_panic(cut in 0usize..600, byte in any::<u8>(), at in 0usize..600) {
        let mut body = wrap_value(
            r#"{"metadata":{"phone_number_id":"106"},"messages":[{"from":"628111","id":"wamid.M1","timestamp":"1700000001","type":"text","text":{"body":"/queues"}}],"statuses":[{"id":"s","status":"failed","timestamp":"1","errors":[{"code":131047}]}]}"#,
        ).into_bytes();
        if at < body.len() {
            body[at] = byte;
        }
        body.truncate(cut.max(1).min(body.len()));
        let _ = parse_webhook(&body);
    }
}
