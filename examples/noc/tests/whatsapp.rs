//! WhatsApp end to end against the fake Cloud API: noc's outbox paces alerts to several
//! numbers at the pair rate without tripping Meta's limits, falls back to the template when
//! the 24-hour window is closed, keeps queued messages over a restart; the webhook runs only
//! signed messages, each once, from allowed numbers with their role; the same command gives
//! the same facts on Telegram, WhatsApp and the console.
//!
//! Meta's pair interval (6 s) is scaled down to 100 ms in the fake and in noc's outbox so
//! that 200 alerts take seconds. Nothing is timed; the measured rate is printed.

mod mon_support;

use std::time::Duration;

use mon_support::*;
use noc::alerts::rules::{RuleConfig, RuleKind, Severity};
use noc::alerts::{Monitor, MonitorOptions, WhatsAppConfig};
use noc::auth::Role;
use tg_notify::fake::FakeTelegram;
use tg_notify::{Alert, NotifierConfig};
use wa_notify::fake::{webhook_text, FakeCloudApi, FakeConfig};
use wa_notify::PhoneNumber;

const PAIR: Duration = Duration::from_millis(100);
const SECRET: &str = "test-app-secret";
const VERIFY: &str = "test-verify-token";
const ADMIN_WA: &str = "6281200000001";
const VIEWER_WA: &str = "6281200000002";
const OTHER_WA: &str = "6281200000003";
const STRANGER_WA: &str = "6289900000009";

fn num(s: &str) -> PhoneNumber {
    s.parse().unwrap()
}

async fn fake() -> FakeCloudApi {
    let mut cfg = FakeConfig::default();
    cfg.pair_interval = Some(PAIR);
    cfg.throughput = Some(80.0);
    // requests sent on time may arrive bunched up by this much on a loaded machine
    cfg.jitter = Duration::from_millis(60);
    FakeCloudApi::start_with(cfg).await
}

/// A rule that never fires, so that only the test's alerts are sent.
fn silent_rules() -> Vec<RuleConfig> {
    let mut r = RuleConfig::new("never", RuleKind::Log);
    r.keywords(["no-such-line-ever-appears"]);
    vec![r]
}

fn wa_config(fake: &FakeCloudApi) -> WhatsAppConfig {
    let mut c = WhatsAppConfig::with_secrets(fake.phone_number_id(), fake.token(), SECRET, VERIFY);
    c.api_url(fake.url())
        .template("noc_alert", "id")
        .recipient(ADMIN_WA, Role::Admin)
        .recipient(VIEWER_WA, Role::ReadOnly)
        .recipient(&format!("+{OTHER_WA}"), Role::ReadOnly);
    c
}

async fn start_monitor_wa(
    app: &noc::Noc,
    dir: &std::path::Path,
    fake: &FakeCloudApi,
    rules: Vec<RuleConfig>,
    tg: Option<&FakeTelegram>,
) -> Monitor {
    let mut o = MonitorOptions::new(dir);
    o.rules(rules).scan_interval(Duration::from_millis(200));
    let mut n = NotifierConfig::default();
    n.coalesce_window(Duration::from_secs(2))
        .backoff(Duration::from_millis(100), Duration::from_millis(500));
    o.notifier_config(n);
    let mut w = NotifierConfig::default();
    w.limits(wa_notify::limits(PAIR, 50.0))
        .backoff(Duration::from_millis(50), Duration::from_millis(300))
        .coalesce_window(Duration::from_millis(200));
    o.whatsapp(wa_config(fake)).whatsapp_notifier_config(w);
    if let Some(tg) = tg {
        o.telegram(telegram(tg));
    }
    let mut monitor = Monitor::start(app.state().clone(), o).await.unwrap();
    let bot = noc::chat::whatsapp::start(app.state().clone(), &monitor);
    monitor.attach(bot);
    if let Some(tg) = tg {
        if let Some(bot) = noc::chat::telegram::start(app.state().clone(), &monitor, &telegram(tg))
        {
            monitor.attach(bot);
        }
    }
    monitor
}

struct Env {
    sim: ros_sim::RunningSim,
    fake: FakeCloudApi,
    tg: FakeTelegram,
    app: noc::Noc,
    monitor: Monitor,
    dir: tempfile::TempDir,
}

async fn env(rules: Vec<RuleConfig>) -> Env {
    let sim = start_sim().await;
    let fake = fake().await;
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let monitor = start_monitor_wa(&app, dir.path(), &fake, rules, Some(&tg)).await;
    Env {
        sim,
        fake,
        tg,
        app,
        monitor,
        dir,
    }
}

fn url(app: &noc::Noc) -> String {
    format!("http://{}/webhook/whatsapp", app.addr())
}

fn wa_texts(fake: &FakeCloudApi, n: &str) -> Vec<String> {
    fake.delivered(&num(n)).iter().map(|d| d.text()).collect()
}

/// `from` writes `text` (message id `id`): Meta opens the window and posts the webhook.
async fn say(e: &Env, from: &str, id: &str, text: &str) -> u16 {
    e.fake.mark_inbound(&num(from));
    let body = webhook_text(&e.fake.phone_number_id(), from, id, e.fake.now_unix(), text);
    e.fake
        .post_webhook(&url(&e.app), SECRET.as_bytes(), &body)
        .await
}

/// Sends `text` from `from` and returns the reply (its parts joined).
async fn ask_wa(e: &Env, from: &str, id: &str, text: &str) -> String {
    let before = wa_texts(&e.fake, from).len();
    assert_eq!(say(e, from, id, text).await, 200);
    wait_until(&format!("a WhatsApp reply to {text}"), 30, || {
        wa_texts(&e.fake, from).len() > before
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    wa_texts(&e.fake, from)[before..].join("\n")
}

async fn idle(m: &Monitor) {
    let wa = m.whatsapp().unwrap();
    tokio::time::timeout(Duration::from_secs(120), wa.notifier().wait_idle())
        .await
        .expect("the WhatsApp queue drained");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_alerts_reach_three_numbers_once_in_order_at_the_pair_rate() {
    let e = env(silent_rules()).await;
    let wa = e.monitor.whatsapp().unwrap();
    let numbers = [ADMIN_WA, VIEWER_WA, OTHER_WA].map(num);
    for n in &numbers {
        e.fake.mark_inbound(n);
        wa.windows().unwrap().record_inbound(n, e.fake.now_unix());
    }
    for i in 0..200 {
        let to = &numbers[i % 3];
        wa.notifier()
            .enqueue(Alert::new(to, format!("alert {i}")))
            .unwrap();
    }
    idle(&e.monitor).await;
    assert_eq!(e.fake.pair_limited(), 0, "our pacing caused 131056");
    assert_eq!(e.fake.throughput_limited(), 0, "our pacing caused 130429");
    assert_eq!(e.fake.answered(131056) + e.fake.answered(130429), 0);
    assert!(wa.notifier().take_failures().is_empty());
    for (k, to) in numbers.iter().enumerate() {
        let want: Vec<String> = (0..200)
            .filter(|i| i % 3 == k)
            .map(|i| format!("alert {i}"))
            .collect();
        assert_eq!(
            wa_texts(&e.fake, to.as_str()),
            want,
            "once each, in order, to {to}"
        );
        let got = e.fake.delivered(to);
        assert!(got.iter().all(|d| !d.is_template()), "inside the window");
        let (Some(first), Some(last)) = (got.first(), got.last()) else {
            unreachable!()
        };
        let span = last.at - first.at;
        let allowed = PAIR * u32::try_from(got.len() - 1).unwrap();
        eprintln!(
            "{to}: {} messages in {span:?}: {:.1}% of the allowed pair rate",
            got.len(),
            allowed.as_secs_f64() / span.as_secs_f64() * 100.0
        );
    }
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_window_switches_to_the_template_with_the_alert_flattened() {
    let mut cpu = RuleConfig::new("cpu", RuleKind::Cpu);
    cpu.above = Some(80.0);
    cpu.severity(Severity::Critical);
    cpu.channels = vec!["whatsapp".into()];
    let e = env(vec![cpu]).await;
    let wa = e.monitor.whatsapp().unwrap();
    // noc believes the admin wrote recently, but WhatsApp says the window is closed
    wa.windows()
        .unwrap()
        .record_inbound(&num(ADMIN_WA), e.fake.now_unix());
    e.sim.handle().cpu_spike(97, 3);
    wait_until("the cpu alert on WhatsApp", 30, || {
        !e.fake.delivered(&num(ADMIN_WA)).is_empty()
    })
    .await;
    idle(&e.monitor).await;
    let got = e.fake.delivered(&num(ADMIN_WA));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].is_template(), "{got:?}");
    assert!(e.fake.answered(131047) >= 1, "the text was refused first");
    let text = got[0].text();
    assert!(
        text.contains("r1: CPU load high") && text.contains("CPU load 97% (above 80%)"),
        "{text}"
    );
    assert!(
        !text.contains('\n'),
        "a template parameter is one line: {text}"
    );
    // the rule names WhatsApp only: Telegram got nothing
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&e.tg, CHAT, "CPU load"), 0);
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_messages_queued_loses_none_and_remembers_windows() {
    let e = env(silent_rules()).await;
    let numbers = [ADMIN_WA, VIEWER_WA, OTHER_WA];
    // each writes once: the windows open (and are saved) and each gets a hint back
    for (i, n) in numbers.iter().enumerate() {
        assert_eq!(say(&e, n, &format!("wamid.hello{i}"), "hello").await, 200);
    }
    wait_until("three hints", 30, || {
        numbers
            .iter()
            .all(|n| wa_texts(&e.fake, n).iter().any(|t| t.contains("/help")))
    })
    .await;
    e.fake.set_down(true);
    let wa = e.monitor.whatsapp().unwrap().clone();
    for i in 0..30 {
        wa.notifier()
            .enqueue(Alert::new(num(numbers[i % 3]), format!("alert {i}")))
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(wa);
    let Env {
        sim,
        fake,
        tg,
        app,
        monitor,
        dir,
    } = e;
    monitor.shutdown().await;
    fake.set_down(false);
    let monitor = start_monitor_wa(&app, dir.path(), &fake, silent_rules(), Some(&tg)).await;
    idle(&monitor).await;
    for (k, n) in numbers.iter().enumerate() {
        let got: Vec<_> = fake
            .delivered(&num(n))
            .into_iter()
            .filter(|d| d.text().starts_with("alert"))
            .collect();
        let want: Vec<String> = (0..30)
            .filter(|i| i % 3 == k)
            .map(|i| format!("alert {i}"))
            .collect();
        assert_eq!(
            got.iter().map(|d| d.text()).collect::<Vec<_>>(),
            want,
            "{n}"
        );
        assert!(
            got.iter().all(|d| !d.is_template()),
            "the window was remembered over the restart"
        );
    }
    drop(sim);
    monitor.shutdown().await;
    app.shutdown().await;
}

fn queue_prop(sim: &ros_sim::RunningSim, name: &str, prop: &str) -> String {
    sim.handle()
        .print("/queue/simple")
        .unwrap()
        .into_iter()
        .find(|row| row.iter().any(|(k, v)| k == "name" && v == name))
        .and_then(|row| row.into_iter().find(|(k, _)| k == prop).map(|(_, v)| v))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_runs_only_signed_messages_once_from_allowed_numbers() {
    let e = env(silent_rules()).await;
    let c = reqwest::Client::new();
    let before_limit = queue_prop(&e.sim, "queue1", "max-limit");

    // Meta's subscription check
    let r = c
        .get(format!(
            "{}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444",
            url(&e.app)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1158201444");
    let r = c
        .get(format!(
            "{}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
            url(&e.app)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // bad or missing signature: refused, nothing runs
    let body = webhook_text(
        &e.fake.phone_number_id(),
        ADMIN_WA,
        "wamid.forged",
        e.fake.now_unix(),
        "/limit queue1 1k/1k",
    );
    let status = e.fake.post_webhook_badly_signed(&url(&e.app), &body).await;
    assert!(status == 401 || status == 403, "{status}");
    let status = e.fake.post_raw(&url(&e.app), None, &body).await;
    assert!(status == 401 || status == 403, "{status}");
    let status = e
        .fake
        .post_raw(&url(&e.app), Some("sha256=00"), &body)
        .await;
    assert!(status == 401 || status == 403, "{status}");
    let huge = "x".repeat(2 << 20);
    let status = e
        .fake
        .post_webhook(&url(&e.app), SECRET.as_bytes(), &huge)
        .await;
    assert_eq!(status, 413);

    // the CSRF exemption is this path only: a signature opens no other route
    let r = c
        .post(format!("http://{}/api/l7/test", e.app.addr()))
        .header(
            "x-hub-signature-256",
            wa_notify::webhook::sign(SECRET.as_bytes(), b"{}"),
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // a replayed message id runs once
    let r = ask_wa(&e, ADMIN_WA, "wamid.status1", "/status").await;
    assert!(r.contains("*Routers*: 1 up, 0 not"), "WhatsApp markup: {r}");
    assert!(
        r.contains("```\nrouter"),
        "a table as a monospace block: {r}"
    );
    assert!(!r.contains("<b>") && !r.contains("&lt;"), "{r}");
    let n = wa_texts(&e.fake, ADMIN_WA).len();
    assert_eq!(say(&e, ADMIN_WA, "wamid.status1", "/status").await, 200);
    assert_eq!(say(&e, ADMIN_WA, "wamid.status1", "/status").await, 200);

    // a stranger is refused politely, once
    let r = ask_wa(&e, STRANGER_WA, "wamid.s1", "/status").await;
    assert_eq!(r, noc::chat::whatsapp::REFUSAL);
    assert_eq!(
        say(&e, STRANGER_WA, "wamid.s2", "/limit queue1 1k/1k").await,
        200
    );

    // read-only may look but not touch
    let r = ask_wa(&e, VIEWER_WA, "wamid.v1", "/limit queue1 1M/1M").await;
    assert_eq!(
        r,
        "Sorry, /limit needs an admin; you have read-only access."
    );
    let r = ask_wa(&e, VIEWER_WA, "wamid.v2", "/queue queue1").await;
    assert!(r.contains("queue1"), "{r}");

    // an admin may change, audited under the WhatsApp name
    let r = ask_wa(&e, ADMIN_WA, "wamid.l1", "/limit queue1 4M/8M").await;
    assert!(r.contains("Applied on *r1*"), "{r}");
    assert_eq!(queue_prop(&e.sim, "queue1", "max-limit"), "4000000/8000000");
    assert_ne!(before_limit, "4000000/8000000");

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        wa_texts(&e.fake, ADMIN_WA).len(),
        n + 1,
        "the replayed /status was answered once; only the /limit reply came after it"
    );
    assert_eq!(wa_texts(&e.fake, STRANGER_WA).len(), 1, "one refusal");
    let audit = e.app.state().store.audit_log(20).unwrap();
    let limits: Vec<_> = audit.iter().filter(|a| a.action == "queue.limit").collect();
    assert_eq!(limits.len(), 1, "{audit:?}");
    assert_eq!(limits[0].user, format!("whatsapp:+{ADMIN_WA} (bot)"));
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

/// The facts of a reply: its non-empty lines without formatting marks.
fn facts(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| {
            l.chars()
                .filter(|c| !matches!(c, '*' | '_' | '`' | '~' | '\u{200B}'))
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

async fn ask_tg(tg: &FakeTelegram, text: &str) -> String {
    let before = texts(tg, ADMIN).len();
    tg.push_text(ADMIN, ADMIN, text);
    wait_until(&format!("a Telegram reply to {text}"), 30, || {
        texts(tg, ADMIN).len() > before
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    texts(tg, ADMIN)[before..].join("\n")
}

async fn ask_console(e: &Env, text: &str) -> String {
    let ops = noc::chat::ChatOps::new(
        e.app.state().clone(),
        e.monitor.tg_store().clone(),
        e.monitor.rule_names(),
    );
    let input = format!("{text}\n");
    let mut out = Vec::new();
    noc::chat::run_console(ops, input.as_bytes(), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    out.split_once('\n')
        .map(|x| x.1)
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_command_gives_the_same_facts_on_telegram_whatsapp_and_the_console() {
    let e = env(silent_rules()).await;
    for (i, cmd) in ["/status", "/queue queue1"].into_iter().enumerate() {
        let tg = ask_tg(&e.tg, cmd).await;
        let wa = ask_wa(&e, ADMIN_WA, &format!("wamid.same{i}"), cmd).await;
        let console = ask_console(&e, cmd).await;
        assert!(!facts(&tg).is_empty());
        assert_eq!(facts(&tg), facts(&wa), "{cmd}: Telegram vs WhatsApp");
        assert_eq!(facts(&tg), facts(&console), "{cmd}: Telegram vs console");
    }
    e.monitor.shutdown().await;
    e.app.shutdown().await;
}

/// Logs in over HTTP; returns the session's CSRF token.
async fn web_login(base: &str, c: &reqwest::Client, user: &str, password: &str) -> String {
    let html = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_in(&html);
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("user", user),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login as {user}");
    let html = c
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_in(&html)
}

fn csrf_in(html: &str) -> String {
    for marker in ["name=\"csrf\" value=\"", "data-csrf=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest[..rest.find('"').unwrap()].to_owned();
        }
    }
    panic!("no CSRF token in {html}");
}

fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn settings_form(csrf: &str, fake: &FakeCloudApi, id: &str, number: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf.to_owned()),
        ("enabled", "on".into()),
        ("phone_number_id", id.into()),
        ("api_url", fake.url()),
        ("verify_token", VERIFY.into()),
        ("template", "noc_alert".into()),
        ("language", "id".into()),
        ("utc_offset", "+07:00".into()),
        ("token", fake.token()),
        ("app_secret", SECRET.into()),
        ("recipient.0.number", number.into()),
        ("recipient.0.role", "admin".into()),
        ("recipient.0.quiet", "".into()),
        ("recipient.0.alerts", "on".into()),
        ("recipient.1.number", "".into()),
        ("recipient.1.role", "read-only".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_page_saves_applies_at_once_and_sends_a_test_message() {
    let sim = start_sim().await;
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    // noc.toml has no [whatsapp]: WhatsApp is off until the page sets it up.
    let mut o = MonitorOptions::new(dir.path());
    o.rules(silent_rules())
        .scan_interval(Duration::from_millis(200));
    let mut w = NotifierConfig::default();
    w.limits(wa_notify::limits(PAIR, 50.0))
        .backoff(Duration::from_millis(50), Duration::from_millis(300))
        .coalesce_window(Duration::from_millis(200));
    o.whatsapp_notifier_config(w);
    let mut monitor = Monitor::start(app.state().clone(), o).await.unwrap();
    let bot = noc::chat::whatsapp::start(app.state().clone(), &monitor);
    monitor.attach(bot);
    assert!(monitor.whatsapp().is_none());
    let base = format!("http://{}", app.addr());
    let admin = web_client();
    let csrf = web_login(&base, &admin, "admin", "admin-password").await;
    let (status, html) = page(&admin, &format!("{base}/settings/whatsapp")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/settings/whatsapp\"") && html.contains(">off</strong>"),
        "{html}"
    );
    let verify_url = format!(
        "{}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=ch4ll",
        url(&app)
    );
    assert_eq!(page(&admin, &verify_url).await.0, 404);

    // Wrong values: each error beside its field, nothing saved.
    let mut bad = settings_form(&csrf, &fake, "+62 812", "0812");
    bad.push(("recipient.0.quiet".into(), "late".into()));
    bad.retain(|(k, v)| k != "recipient.0.quiet" || v == "late");
    let r = admin
        .post(format!("{base}/settings/whatsapp"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for field in ["phone_number_id", "recipient.0.number", "recipient.0.quiet"] {
        let marker = format!("data-error-for=\"{field}\">");
        let at = html
            .find(&marker)
            .unwrap_or_else(|| panic!("{field}: {html}"));
        assert!(
            !html[at + marker.len()..].starts_with("</span>"),
            "{field} has an error: {html}"
        );
    }
    assert!(!html.contains(&fake.token()) && !html.contains(SECRET));
    assert!(app.state().store.whatsapp_settings().unwrap().is_none());

    // Saved: in force at once, no restart.
    let r = admin
        .post(format!("{base}/settings/whatsapp"))
        .form(&settings_form(
            &csrf,
            &fake,
            &fake.phone_number_id(),
            ADMIN_WA,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    wait_until("WhatsApp runs with the saved settings", 10, || {
        monitor.whatsapp().is_some()
    })
    .await;
    let (status, html) = page(&admin, &format!("{base}/settings/whatsapp")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Cloud API") && html.contains(&fake.phone_number_id()));
    assert_eq!(html.matches("set on this page").count(), 2, "{html}");
    assert!(
        !html.contains(&fake.token()) && !html.contains(SECRET),
        "secrets never reach the page"
    );
    // The webhook answers with the new verify token.
    let (status, body) = page(&admin, &verify_url).await;
    assert_eq!((status, body.as_str()), (200, "ch4ll"));

    // The test message goes through the outbox to the fake Cloud API.
    let r = admin
        .post(format!("{base}/settings/whatsapp/test"))
        .form(&[("csrf", csrf.as_str()), ("to", ADMIN_WA)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("done="), "{location}");
    wait_until("the test message arrives", 10, || {
        wa_texts(&fake, ADMIN_WA)
            .iter()
            .any(|t| t.contains("noc test message"))
    })
    .await;

    // Audited with old → new values, never the secrets.
    let (_, audit) = page(&admin, &format!("{base}/audit")).await;
    assert!(
        audit.contains("whatsapp.settings") && audit.contains("whatsapp.test"),
        "{audit}"
    );
    assert!(
        audit.contains("access token: replaced on the page"),
        "{audit}"
    );
    assert!(!audit.contains(&fake.token()) && !audit.contains(SECRET));

    // A read-only user can neither see nor change them.
    let r = admin
        .post(format!("{base}/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "viewer"),
            ("password", "viewer-pass"),
            ("role", "read-only"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let viewer = web_client();
    let vcsrf = web_login(&base, &viewer, "viewer", "viewer-pass").await;
    let (status, html) = page(&viewer, &format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("/settings/whatsapp"), "no Settings link");
    assert_eq!(
        page(&viewer, &format!("{base}/settings/whatsapp")).await.0,
        403
    );
    let mut off = settings_form(&vcsrf, &fake, &fake.phone_number_id(), ADMIN_WA);
    off.retain(|(k, _)| k != "enabled");
    for path in ["/settings/whatsapp", "/settings/whatsapp/test"] {
        let r = viewer
            .post(format!("{base}{path}"))
            .form(&off)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    assert!(monitor.whatsapp().is_some());

    // Turned off on the page: delivery and webhook stop, no restart.
    off[0].1 = csrf.clone();
    let r = admin
        .post(format!("{base}/settings/whatsapp"))
        .form(&off)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    wait_until("WhatsApp is off", 10, || monitor.whatsapp().is_none()).await;
    // The webhook closes when the WhatsApp channel sees the change, just after delivery stops.
    wait_until_async("the webhook closed", 10, || async {
        page(&admin, &verify_url).await.0 == 404
    })
    .await;
    monitor.shutdown().await;
    app.shutdown().await;
    drop(sim);
}
