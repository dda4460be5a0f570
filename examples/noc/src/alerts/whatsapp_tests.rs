//! Tests of the WhatsApp channel's configuration and delivery.

use super::*;

#[test]
fn the_inbox_queues_only_signed_bodies_and_a_newer_endpoint_survives_an_old_close() {
    let inbox = Inbox::default();
    assert!(inbox.endpoint().is_none());
    let (mut rx, first) = inbox.open("vt", "secret");
    let ep = inbox.endpoint().unwrap();
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106"},"messages":[{"from":"6281234567890","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"/status"}}]}}]}]}"#;
    let bad = webhook::sign(b"other", body);
    assert_eq!(ep.accept(Some(&bad), body).unwrap_err().http_status(), 403);
    assert_eq!(ep.accept(None, body).unwrap_err().http_status(), 403);
    assert_eq!(
        ep.accept(Some("sha256=zz"), b"{")
            .unwrap_err()
            .http_status(),
        403
    );
    assert!(rx.try_recv().is_err(), "nothing was queued");
    let good = webhook::sign(b"secret", body);
    assert_eq!(ep.accept(Some(&good), body).unwrap(), 1);
    assert_eq!(rx.try_recv().unwrap().len(), 1);
    assert_eq!(
        ep.verify_subscription(Some("subscribe"), Some("vt"), Some("42"))
            .unwrap(),
        "42"
    );
    assert!(ep
        .verify_subscription(Some("subscribe"), Some("vx"), Some("42"))
        .is_err());
    let (_rx2, second) = inbox.open("vt", "secret");
    inbox.close(first);
    assert!(inbox.endpoint().is_some(), "the newer endpoint stays");
    inbox.close(second);
    assert!(inbox.endpoint().is_none());
}

fn notice(severity: Severity) -> Notice {
    use crate::alerts::engine::Engine;
    use crate::alerts::rules::{RuleConfig, RuleKind};
    let mut r = RuleConfig::new("log", RuleKind::Log);
    r.keywords(["failure"]).severity(severity);
    let mut e = Engine::new(&[r]);
    e.observe_log(1, "edge", "system", "login *failure* <b>", &[], 0)
        .remove(0)
}

fn texts(fake: &wa_notify::fake::FakeCloudApi, n: &PhoneNumber) -> Vec<String> {
    fake.delivered(n).iter().map(|d| d.text()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_hold_non_critical_alerts_and_say_so_when_they_end() {
    use wa_notify::fake::{FakeCloudApi, FakeConfig};
    let mut fc = FakeConfig::default();
    fc.pair_interval = Some(Duration::from_millis(50));
    fc.jitter = Duration::from_millis(60);
    let fake = FakeCloudApi::start_with(fc).await;
    let now = crate::now();
    let minute = (now.rem_euclid(86_400) / 60) as u32;
    let hm = |m: u32| format!("{:02}:{:02}", (m % 1440) / 60, m % 60);
    let quiet = format!("{}-{}", hm(minute + 1440 - 60), hm(minute + 60));
    let mut cfg: WhatsAppConfig = toml::from_str(&format!(
        "phone_number_id='{}'\napi_url='{}'\n[[recipient]]\nnumber='6281200000001'\nquiet='{quiet}'\n[[recipient]]\nnumber='6281200000002'\n",
        fake.phone_number_id(),
        fake.url()
    ))
    .unwrap();
    cfg.token = Some(fake.token());
    let dir = tempfile::tempdir().unwrap();
    let mut n = NotifierConfig::default();
    n.limits(wa_notify::limits(Duration::from_millis(50), 50.0));
    let wa = WhatsApp::start(&cfg, dir.path(), Some(n)).unwrap().unwrap();
    let (a, b): (PhoneNumber, PhoneNumber) = (
        "6281200000001".parse().unwrap(),
        "6281200000002".parse().unwrap(),
    );
    for x in [&a, &b] {
        fake.mark_inbound(x);
        wa.windows().unwrap().record_inbound(x, fake.now_unix());
    }
    let warning = notice(Severity::Warning);
    let mut critical = notice(Severity::Critical);
    critical.key = "other".into();
    wa.deliver(&warning, now);
    wa.deliver(&critical, now);
    wa.tick(now);
    tokio::time::timeout(Duration::from_secs(30), wa.notifier().wait_idle())
        .await
        .unwrap();
    assert_eq!(
        texts(&fake, &a).len(),
        1,
        "only the critical one in quiet hours"
    );
    assert!(texts(&fake, &a)[0].starts_with("🔴 *"));
    let tb = texts(&fake, &b);
    assert_eq!(tb.len(), 2);
    assert!(tb[0].starts_with("🟠 *edge log: login"), "{}", tb[0]);
    assert!(tb[0].ends_with("_log · warning_"), "{}", tb[0]);
    assert!(
        !tb[0].contains("*failure*"),
        "router text is escaped: {}",
        tb[0]
    );
    assert!(
        tb[0].contains("<b>"),
        "no HTML escaping on WhatsApp: {}",
        tb[0]
    );
    // later, outside the quiet hours: one line about what was held back
    wa.tick(now + 3 * 3600);
    wa.tick(now + 3 * 3600 + 1);
    tokio::time::timeout(Duration::from_secs(30), wa.notifier().wait_idle())
        .await
        .unwrap();
    let ta = texts(&fake, &a);
    assert_eq!(ta.len(), 2, "{ta:?}");
    assert!(
        ta[1].contains("1 non-critical alert(s) held back"),
        "{}",
        ta[1]
    );
    wa.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_sends_alerts_and_offers_no_webhook() {
    use axum::routing::post;
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    let app = axum::Router::new().route(
        "/send",
        post(move |body: String| {
            let g = g.clone();
            async move {
                lock(&g).push(body);
                r#"{"status":true}"#
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gw.toml");
    std::fs::write(
        &file,
        format!(
            "url = \"http://{addr}/send\"\ncontent_type = \"form\"\nbody = \"target={{to}}&message={{text}}\"\n[success]\njson_pointer = \"/status\"\nequals = true\n"
        ),
    )
    .unwrap();
    let cfg: WhatsAppConfig = toml::from_str(&format!(
        "[gateway]\nfile = {:?}\n[[recipient]]\nnumber = '+62 812 0000 0001'\n",
        file.display().to_string()
    ))
    .unwrap();
    cfg.validate().unwrap();
    let wa = WhatsApp::start(&cfg, dir.path(), None).unwrap().unwrap();
    assert!(!wa.is_official() && wa.windows().is_none());
    wa.deliver(&notice(Severity::Critical), crate::now());
    tokio::time::timeout(Duration::from_secs(30), wa.notifier().wait_idle())
        .await
        .unwrap();
    let bodies = lock(&got).clone();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        bodies[0].starts_with("target=6281200000001&message="),
        "{}",
        bodies[0]
    );
    assert!(bodies[0].contains("edge+log"), "{}", bodies[0]);
    wa.shutdown().await;
    server.abort();
}

#[test]
fn config_parses_validates_and_hides_secrets() {
    let c: WhatsAppConfig = toml::from_str(
        "phone_number_id='106'\nverify_token='vt-secret'\ntemplate='noc_alert'\nlanguage='id'\nutc_offset='+07:00'\n[[recipient]]\nnumber='+62 812 3456 7890'\nrole='admin'\nquiet='22:00-07:00'\n[[recipient]]\nnumber='6281100000001'\nalerts=false\n",
    )
    .unwrap();
    c.validate().unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("vt-secret"), "{dbg}");
    let admin: PhoneNumber = "6281234567890".parse().unwrap();
    let viewer: PhoneNumber = "+62 811 0000 0001".parse().unwrap();
    let stranger: PhoneNumber = "6289999999999".parse().unwrap();
    assert_eq!(c.role_of(&admin), Some(Role::Admin));
    assert_eq!(c.role_of(&viewer), Some(Role::ReadOnly));
    assert_eq!(c.role_of(&stranger), None);
    assert_eq!(c.alert_numbers(), vec![admin.clone()]);
    assert!(c.is_quiet(&admin, 16 * 3600));
    assert!(!c.is_quiet(&admin, 6 * 3600));
    assert!(c.cloud_config().template.is_some());
    let s = WhatsAppConfig::with_secrets("1", "EAAtoken", "appsecret", "vt");
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains("EAAtoken") && !dbg.contains("appsecret"),
        "{dbg}"
    );
    assert!(
        toml::from_str::<WhatsAppConfig>("token='x'\n").is_err(),
        "no inline token"
    );
    let bad: WhatsAppConfig =
        toml::from_str("phone_number_id='1'\n[[recipient]]\nnumber='12'\n").unwrap();
    assert!(bad.validate().is_err());
    let missing: WhatsAppConfig =
        toml::from_str("[[recipient]]\nnumber='+6281234567890'\n").unwrap();
    assert!(missing.validate().is_err());
}
