//! The gateway channel through the outbox, against fake Fonnte-style and WAHA-style gateways.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tg_notify::{Alert, ChatId, MemoryStore, Notifier, NotifierConfig, Store};
use wa_notify::gateway::{GatewayConfig, GatewayTransport};

const TOKEN: &str = "gateway-token-0123456789";

#[derive(Debug, Clone)]
struct Request {
    content_type: String,
    authorization: String,
    body: String,
}

/// How the fake gateway answers: (status, body) per request, then the last one forever.
#[derive(Clone)]
struct Gateway {
    got: Arc<Mutex<Vec<Request>>>,
    answers: Arc<Mutex<Vec<(u16, String)>>>,
}

async fn handle(State(g): State<Gateway>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    g.got.lock().unwrap().push(Request {
        content_type: h("content-type"),
        authorization: h("authorization"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut answers = g.answers.lock().unwrap();
    let (status, body) = if answers.len() > 1 {
        answers.remove(0)
    } else {
        answers[0].clone()
    };
    (StatusCode::from_u16(status).unwrap(), body)
}

async fn gateway(answers: Vec<(u16, &str)>) -> (String, Gateway) {
    let g = Gateway {
        got: Arc::default(),
        answers: Arc::new(Mutex::new(
            answers
                .into_iter()
                .map(|(s, b)| (s, b.to_owned()))
                .collect(),
        )),
    };
    let app = Router::new()
        .route("/send", post(handle))
        .route("/api/sendText", post(handle))
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, g)
}

fn env(k: &str) -> Option<String> {
    (k == "GW_TOKEN").then(|| TOKEN.to_owned())
}

fn fonnte(url: &str) -> GatewayConfig {
    GatewayConfig::from_toml_with_env(
        &format!(
            r#"
# Fonnte (unofficial: the number can be banned)
url = "{url}/send"
content_type = "form"
body = "target={{to}}&message={{text}}&countryCode=62"
[headers]
Authorization = "${{GW_TOKEN}}"
[success]
json_pointer = "/status"
equals = true
[pacing]
per_recipient_interval_secs = 0.05
global_per_second = 100
"#
        ),
        env,
    )
    .unwrap()
}

fn waha(url: &str) -> GatewayConfig {
    GatewayConfig::from_toml_with_env(
        &format!(
            r#"
url = "{url}/api/sendText"
content_type = "json"
body = '{{"session":"default","chatId":"{{to}}@c.us","text":"{{text}}"}}'
[headers]
X-Api-Key = "${{GW_TOKEN}}"
Authorization = "Bearer ${{GW_TOKEN}}"
[success]
status = "200-201"
json_pointer = "/id"
[pacing]
per_recipient_interval_secs = 0.05
global_per_second = 100
"#
        ),
        env,
    )
    .unwrap()
}

fn config(cfg: &GatewayConfig) -> NotifierConfig {
    let mut n = cfg.notifier_config();
    n.backoff(Duration::from_millis(20), Duration::from_millis(100))
        .unauthorized_wait(Duration::from_secs(3600));
    n
}

async fn idle(n: &Notifier) {
    tokio::time::timeout(Duration::from_secs(30), n.wait_idle())
        .await
        .expect("queue drained");
}

const TRICKY: &str = "r1 \"core\" down & out\nline 2: 100% = {to} + {text}";

#[tokio::test]
async fn fonnte_style_form_bodies_are_encoded_and_success_recognised() {
    let (url, g) = gateway(vec![(
        200,
        r#"{"status":true,"detail":"success! message in queue"}"#,
    )])
    .await;
    let cfg = fonnte(&url);
    let n = Notifier::with_transport(
        GatewayTransport::new(cfg.clone()),
        MemoryStore::new(),
        config(&cfg),
    )
    .unwrap();
    n.enqueue(Alert::new(6281234567890, TRICKY)).unwrap();
    n.enqueue(Alert::new(6281234567890, "second")).unwrap();
    idle(&n).await;
    assert!(n.take_failures().is_empty());
    let got = g.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(got[0].authorization, TOKEN);
    let form: Vec<(String, String)> = form_urlencoded::parse(got[0].body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        form,
        vec![
            ("target".into(), "6281234567890".into()),
            ("message".into(), TRICKY.into()),
            ("countryCode".into(), "62".into()),
        ]
    );
    assert_eq!(n.metrics().sent, 2);
}

#[tokio::test]
async fn waha_style_json_bodies_are_escaped_and_success_recognised() {
    let (url, g) = gateway(vec![(
        201,
        r#"{"id":"true_6281234567890@c.us_3EB0","timestamp":1}"#,
    )])
    .await;
    let cfg = waha(&url);
    let n = Notifier::with_transport(
        GatewayTransport::new(cfg.clone()),
        MemoryStore::new(),
        config(&cfg),
    )
    .unwrap();
    n.enqueue(Alert::new(6281234567890, TRICKY)).unwrap();
    idle(&n).await;
    assert!(n.take_failures().is_empty());
    let got = g.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content_type, "application/json");
    assert_eq!(got[0].authorization, format!("Bearer {TOKEN}"));
    let v: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(v["chatId"], "6281234567890@c.us");
    assert_eq!(v["text"], TRICKY);
    assert_eq!(v["session"], "default");
}

#[tokio::test]
async fn a_failure_reply_is_reported_and_the_next_message_follows() {
    // Fonnte answers 200 with status false when it cannot send
    let (url, g) = gateway(vec![
        (200, r#"{"status":false,"reason":"target invalid"}"#),
        (200, r#"{"status":true}"#),
    ])
    .await;
    let cfg = fonnte(&url);
    let n = Notifier::with_transport(
        GatewayTransport::new(cfg.clone()),
        MemoryStore::new(),
        config(&cfg),
    )
    .unwrap();
    n.enqueue(Alert::new(628111, "a")).unwrap();
    n.enqueue(Alert::new(628111, "b")).unwrap();
    idle(&n).await;
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].reason.contains("target invalid"),
        "{}",
        failures[0].reason
    );
    assert_eq!(g.got.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_and_refused_credentials_stop() {
    let (url, g) = gateway(vec![
        (502, "bad gateway"),
        (503, "again"),
        (200, r#"{"status":true}"#),
    ])
    .await;
    let cfg = fonnte(&url);
    let n = Notifier::with_transport(
        GatewayTransport::new(cfg.clone()),
        MemoryStore::new(),
        config(&cfg),
    )
    .unwrap();
    n.enqueue(Alert::new(628111, "kept")).unwrap();
    idle(&n).await;
    assert!(n.take_failures().is_empty());
    assert_eq!(g.got.lock().unwrap().len(), 3);

    let (url, g) = gateway(vec![(401, &format!("invalid token {TOKEN}"))]).await;
    let cfg = fonnte(&url);
    let store = MemoryStore::new();
    let n = Notifier::with_transport(
        GatewayTransport::new(cfg.clone()),
        store.clone(),
        config(&cfg),
    )
    .unwrap();
    n.enqueue(Alert::new(ChatId::Id(628111), "x")).unwrap();
    n.enqueue(Alert::new(ChatId::Id(628111), "y")).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].unauthorized);
    assert!(
        !failures[0].reason.contains(TOKEN),
        "{}",
        failures[0].reason
    );
    assert_eq!(g.got.lock().unwrap().len(), 1, "no retry loop");
    assert_eq!(store.load().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unreachable_gateway_error_holds_no_secret() {
    // a port nobody listens on: bind one and drop it
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let cfg = GatewayConfig::from_toml_with_env(
        &format!("url = \"http://{addr}/send?key=${{GW_TOKEN}}\"\nbody = \"{{to}} {{text}}\"\ncontent_type = \"text/plain\"\n"),
        env,
    )
    .unwrap();
    let t = GatewayTransport::new(cfg);
    let e = t.send_text("628111", "x").await.unwrap_err();
    let s = format!("{e} {e:?}");
    assert!(!s.contains(TOKEN), "{s}");
    assert!(matches!(e, tg_notify::transport::SendError::Transient(_)));
}
