//! The access token never shows in Debug, Display, logs or errors; replies are bounded.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tg_notify::{MemoryStore, Notifier};
use wa_notify::fake::FakeCloudApi;
use wa_notify::{CloudApi, CloudConfig, CloudTransport, Error, PhoneNumber, Token};

const SECRET: &str = "EAAGm0PX4ZCpsBAVerySecretToken42";

fn to() -> PhoneNumber {
    "6281234567890".parse().unwrap()
}

fn assert_clean(s: &str) {
    assert!(!s.contains(SECRET), "token leaked: {s}");
    assert!(!s.contains("VerySecret"), "token leaked: {s}");
}

/// A server that echoes the Authorization header back in its error, the way a careless
/// proxy might.
async fn echo_server(json: bool) -> String {
    let app = Router::new().route(
        "/{v}/{id}/messages",
        post(move |headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if json {
                (
                    StatusCode::UNAUTHORIZED,
                    format!(
                        r#"{{"error":{{"message":"bad token {auth}","type":"OAuthException","code":190,"error_data":{{"details":"{auth}"}},"fbtrace_id":"x"}}}}"#
                    ),
                )
            } else {
                (StatusCode::BAD_GATEWAY, format!("<html>upstream said {auth}</html>"))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn api(url: &str) -> CloudApi {
    CloudApi::builder(Token::new(SECRET), "106")
        .base_url(url)
        .timeout(Duration::from_secs(5))
        .build()
}

#[tokio::test]
async fn the_token_never_appears_in_debug_display_or_errors() {
    let t = Token::new(SECRET);
    assert_clean(&format!("{t:?} {t}"));
    let fake = FakeCloudApi::start().await;
    let a = api(&fake.url());
    assert_clean(&format!("{a:?}"));
    let transport = CloudTransport::new(a.clone(), CloudConfig::default());
    assert_clean(&format!("{transport:?}"));
    let n = Notifier::with_transport(transport, MemoryStore::new(), wa_notify::notifier_config())
        .unwrap();
    assert_clean(&format!("{n:?}"));

    // the fake refuses the token (190)
    let e = a.send_text(&to(), "hi").await.unwrap_err();
    assert!(e.is_fatal());
    assert_clean(&format!("{e} {e:?}"));

    // servers that echo the token back, with and without Meta's envelope
    for json in [true, false] {
        let url = echo_server(json).await;
        let e = api(&url).send_text(&to(), "hi").await.unwrap_err();
        assert_clean(&format!("{e} {e:?}"));
        assert!(e.to_string().contains("<token>"), "{e}");
    }

    // nothing listening: a network error names no URL and no token
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let e = api(&format!("http://{addr}"))
        .send_text(&to(), "hi")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert_clean(&format!("{e} {e:?}"));
}

#[tokio::test]
async fn a_huge_reply_is_refused_without_reading_it_all() {
    let app = Router::new().route(
        "/{v}/{id}/messages",
        post(|| async { "x".repeat(10 * 1024 * 1024) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let e = api(&url).send_text(&to(), "hi").await.unwrap_err();
    assert!(
        matches!(e, Error::Decode(ref m) if m.contains("larger than")),
        "{e:?}"
    );
}
