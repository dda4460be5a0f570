//! One simulated month of PPPoE billing end to end, on ros-sim over the real API: packages
//! and customers imported from the router's secrets, the isolation setup wizard, the cycle
//! run from the command line as of chosen dates (invoice on the billing day, reminder in the
//! customer's Telegram chat, isolation after the grace days with the session redialled into
//! the isolation pool), a router unreachable during a run, a payment through the JSON API
//! (idempotent, typed refusals) that restores the customer, the receipt, the reports, and the
//! chat commands.

mod mon_support;

use std::collections::HashMap;
use std::time::Duration;

use mon_support::*;
use noc::billing;
use queue_model::clock::Date;
use serde_json::{json, Value};
use tg_notify::fake::FakeTelegram;

const CUSTOMER_CHAT: i64 = 90_001;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_of(html: &str) -> String {
    for marker in ["name=\"csrf\" value=\"", "data-csrf=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest[..rest.find('"').unwrap()].to_owned();
        }
    }
    panic!("no CSRF token in page: {html}");
}

async fn login(c: &reqwest::Client, base: &str) -> String {
    let html = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&html);
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("user", "admin"),
            ("password", "admin-password"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = c
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_of(&html)
}

async fn post_form(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, unescaped(&r.text().await.unwrap()))
}

/// Page text with the template escapes undone, to compare with what people read.
fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn secret_profile(h: &ros_sim::SimHandle, name: &str) -> String {
    h.print("/ppp/secret")
        .unwrap()
        .into_iter()
        .find(|r| r.iter().any(|(k, v)| k == "name" && v == name))
        .and_then(|r| r.into_iter().find(|(k, _)| k == "profile").map(|(_, v)| v))
        .unwrap()
}

fn active_address(h: &ros_sim::SimHandle, name: &str) -> Option<String> {
    h.print("/ppp/active")
        .unwrap()
        .into_iter()
        .find(|r| r.iter().any(|(k, v)| k == "name" && v == name))
        .and_then(|r| r.into_iter().find(|(k, _)| k == "address").map(|(_, v)| v))
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_of_billing_from_invoice_to_isolation_payment_and_restore() {
    let mut sc = ros_sim::SimConfig::new();
    sc.listen("127.0.0.1:0".parse().unwrap())
        .user("admin")
        .password("router-pass")
        .hosts(2)
        .queues(2)
        .ppp_redial_after(1)
        .tick_interval(None);
    let sim = ros_sim::Simulator::start(sc).await.unwrap();
    let h = sim.handle();
    h.add(
        "/ppp/profile",
        &[("name", "paket-10M"), ("rate-limit", "10M/10M")],
    )
    .unwrap();
    h.add(
        "/ppp/secret",
        &[
            ("name", "budi"),
            ("password", "b"),
            ("profile", "paket-10M"),
        ],
    )
    .unwrap();
    h.add(
        "/ppp/secret",
        &[
            ("name", "sari"),
            ("password", "s"),
            ("profile", "paket-10M"),
        ],
    )
    .unwrap();
    h.ppp_connect("budi", "b", "AA:BB:CC:00:00:01").unwrap();
    let first_address = active_address(&h, "budi").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[[router]]\nname = \"r1\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"router-pass\"\n\
         [billing]\npay_to = \"BRI 1234 a.n. Budi\"\nnotice_listen = \"127.0.0.1:0\"\n",
        sim.addr().ip(),
        sim.addr().port()
    );
    let file: noc::FileConfig = toml.parse().unwrap();
    let settings = file.billing.clone();
    let app = start_noc(dir.path(), file).await;
    wait_polled(&app).await;
    let store = app.state().store.clone();
    let base = format!("http://{}", app.addr());
    let c = client();
    let csrf = login(&c, &base).await;
    let router = app.state().hub.routers()[0].id.to_string();

    // A package, then the router's secrets imported as customers (previewed first).
    let (s, loc, _) = post_form(
        &c,
        &format!("{base}/billing/packages"),
        &[
            ("csrf", &csrf),
            ("name", "10 Mbps"),
            ("profile", "paket-10M"),
            ("price", "150.000"),
        ],
    )
    .await;
    assert_eq!((s, loc.starts_with("/billing?done=")), (303, true));
    let (s, _, html) = post_form(
        &c,
        &format!("{base}/billing/import"),
        &[("csrf", &csrf), ("router", &router)],
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("budi: profile paket-10M → package 10 Mbps (Rp 150,000)"),
        "{html}"
    );
    assert!(
        store.customers().unwrap().is_empty(),
        "the preview imports nothing"
    );
    let (s, _, _) = post_form(
        &c,
        &format!("{base}/billing/import/confirm"),
        &[("csrf", &csrf), ("router", &router)],
    )
    .await;
    assert_eq!(s, 303);
    let customers = store.customers().unwrap();
    assert_eq!(customers.len(), 2);
    let budi = customers.iter().find(|c| c.name == "budi").unwrap().clone();
    // Billed from 2026-11-05 on day 5, reminders to a Telegram chat (the edit form).
    let (s, _, body) = post_form(
        &c,
        &format!("{base}/billing/customers/{}/edit", budi.id),
        &[
            ("csrf", &csrf),
            ("name", "budi"),
            ("package", "10 Mbps"),
            ("billing_day", "5"),
            ("grace_days", "3"),
            ("telegram_chat", &CUSTOMER_CHAT.to_string()),
            ("since", "2026-11-05"),
            ("status", "active"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{body}");
    let sari = customers.iter().find(|c| c.name == "sari").unwrap().clone();
    let mut sari2 = sari.clone();
    sari2.status = "inactive".into(); // not billed: the month below is budi's
    store.update_customer(&sari2).unwrap();

    // The isolation setup wizard: preview, then apply.
    let notice = app.notice_addr().expect("the notice page listens");
    let notice_field = format!("127.0.0.1:{}", notice.port());
    let (s, _, html) = post_form(
        &c,
        &format!("{base}/billing/setup"),
        &[
            ("csrf", &csrf),
            ("router", &router),
            ("notice", &notice_field),
        ],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("/ip/pool/add name=isolir ranges=10.99.0.2-10.99.0.254"),
        "{html}"
    );
    assert!(html.contains("to-ports="), "{html}");
    let (s, loc, _) = post_form(
        &c,
        &format!("{base}/billing/setup/apply"),
        &[
            ("csrf", &csrf),
            ("router", &router),
            ("notice", &notice_field),
        ],
    )
    .await;
    assert_eq!((s, loc.starts_with("/billing?done=")), (303, true));
    assert!(h.print("/ip/firewall/nat").unwrap().iter().any(|r| r
        .iter()
        .any(|(k, v)| k == "to-ports" && v == &notice.port().to_string())));
    let (_, _, html) = post_form(
        &c,
        &format!("{base}/billing/setup"),
        &[
            ("csrf", &csrf),
            ("router", &router),
            ("notice", &notice_field),
        ],
    )
    .await;
    assert!(
        html.contains("has everything isolation needs already"),
        "applied once: {html}"
    );

    // The billing day: a dry run changes nothing, the run issues one invoice, a second run none.
    let dry = noc::billing_run(dir.path(), &settings, Some(day("2026-11-05")), true)
        .await
        .unwrap();
    assert!(dry.contains("Invoices: 1 (Rp 150.000)"), "{dry}");
    assert!(store.invoices().unwrap().is_empty());
    let out = noc::billing_run(dir.path(), &settings, Some(day("2026-11-05")), false)
        .await
        .unwrap();
    assert!(out.contains("budi 2026-11 Rp 150.000"), "{out}");
    let again = noc::billing_run(dir.path(), &settings, Some(day("2026-11-05")), false)
        .await
        .unwrap();
    assert!(again.contains("Invoices: 0"), "{again}");
    assert_eq!(store.invoices().unwrap().len(), 1);

    // Three days before the due date: the reminder reaches the customer's chat.
    let tg = FakeTelegram::start().await;
    let monitor = start_monitor(&app, dir.path(), Vec::new(), Some(&tg)).await;
    let out = noc::billing_run(dir.path(), &settings, Some(day("2026-11-12")), false)
        .await
        .unwrap();
    assert!(out.contains("Reminders: 1"), "{out}");
    let channels = monitor.billing_channels();
    // The reminder, and the operators' digests of the two runs that changed something.
    assert_eq!(billing::deliver_messages(&store, &channels).unwrap(), 3);
    wait_until("the reminder in the customer's chat", 30, || {
        count(&tg, CUSTOMER_CHAT, "Rp 150.000") == 1
    })
    .await;
    wait_until("the digests in the operators' chat", 30, || {
        count(&tg, CHAT, "Billing 2026-11-05") == 1 && count(&tg, CHAT, "Billing 2026-11-12") == 1
    })
    .await;
    assert!(texts(&tg, CUSTOMER_CHAT)[0].contains("2026-11-15"));

    // After the grace days, with the router unreachable: nothing is marked isolated.
    let none = HashMap::new();
    let r = billing::run_cycle(
        &store,
        &settings,
        &none,
        day("2026-11-19"),
        false,
        "test",
        None,
    )
    .await
    .unwrap();
    assert!(r.isolated.is_empty());
    assert!(
        r.skipped.iter().any(|s| s.contains("not connected")),
        "{:?}",
        r.skipped
    );
    assert!(!store.customer(budi.id).unwrap().unwrap().isolated);
    assert_eq!(secret_profile(&h, "budi"), "paket-10M");
    // The next run, with the router back, catches up.
    let out = noc::billing_run(dir.path(), &settings, Some(day("2026-11-19")), false)
        .await
        .unwrap();
    assert!(out.contains("Isolated: 1 — budi"), "{out}");
    assert!(store.customer(budi.id).unwrap().unwrap().isolated);
    assert_eq!(secret_profile(&h, "budi"), "isolir");
    assert!(
        active_address(&h, "budi").is_none(),
        "the session was ended"
    );
    h.tick(2);
    let isolated_address = active_address(&h, "budi").expect("redialled");
    assert!(
        isolated_address.starts_with("10.99.0."),
        "{isolated_address} (was {first_address})"
    );
    let again = noc::billing_run(dir.path(), &settings, Some(day("2026-11-19")), false)
        .await
        .unwrap();
    assert!(
        again.contains("Isolated: 0") && again.contains("Invoices: 0"),
        "{again}"
    );

    // The notice page answers any path, for anyone, in Bahasa Indonesia by default.
    let notice_page = reqwest::get(format!("http://{notice}/generate_204"))
        .await
        .unwrap();
    assert_eq!(notice_page.status(), 200);
    let text = notice_page.text().await.unwrap();
    assert!(
        text.contains("diisolir") && text.contains("BRI 1234"),
        "{text}"
    );

    // A payment through the API, with a token made on the Users page.
    let (s, _, html) = post_form(
        &c,
        &format!("{base}/users/tokens"),
        &[("csrf", &csrf), ("name", "bank"), ("role", "operator")],
    )
    .await;
    assert_eq!(s, 200);
    let token = {
        let i = html.find("id=\"new-token\">").unwrap() + 15;
        html[i..i + html[i..].find('<').unwrap()].to_owned()
    };
    let api = reqwest::Client::new();
    let pay = |body: Value, key: Option<&str>| {
        let mut r = api
            .post(format!("{base}/api/v1/payments"))
            .bearer_auth(&token)
            .json(&body);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        r.send()
    };
    let r = api
        .post(format!("{base}/api/v1/payments"))
        .json(&json!({"customer": "budi", "amount": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    for (amount, why) in [
        (json!(-5), "more than 0"),
        (json!(1500.5), "whole"),
        (json!(10_000_000_000_000i64), "at most"),
        (json!("1,5"), "decimals"),
    ] {
        let r = pay(json!({"customer": "budi", "amount": amount}), None)
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{amount}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains(why),
            "{amount}: {body}"
        );
    }
    let big = json!({"customer": "x".repeat(100_000), "amount": 1});
    let r = pay(big, None).await.unwrap();
    assert_eq!(r.status(), 413, "API bodies are bounded like forms");
    let r = pay(json!({"customer": "nobody", "amount": 150000}), None)
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "no customer \"nobody\"");
    assert!(
        store.payments_of(budi.id).unwrap().is_empty(),
        "refused payments record nothing"
    );

    let r = pay(
        json!({"customer": "budi", "amount": 150000, "method": "transfer"}),
        Some("trx-1"),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    assert_eq!(
        (first["restored"].as_bool(), first["balance"].as_i64()),
        (Some(true), Some(0))
    );
    let r = pay(
        json!({"customer": "budi", "amount": 150000, "method": "transfer"}),
        Some("trx-1"),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "a retried request");
    let replay: Value = r.json().await.unwrap();
    assert_eq!(replay["replayed"], true);
    assert_eq!(replay["receipt"], first["receipt"]);
    let r = pay(json!({"customer": "budi", "amount": 1}), Some("trx-1"))
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the key of another payment");
    assert_eq!(
        store.payments_of(budi.id).unwrap().len(),
        1,
        "recorded once"
    );
    assert_eq!(secret_profile(&h, "budi"), "paket-10M", "restored");
    assert!(!store.customer(budi.id).unwrap().unwrap().isolated);
    h.tick(2);
    let back = active_address(&h, "budi").expect("redialled");
    assert!(!back.starts_with("10.99.0."), "{back}");

    let open: Value = api
        .get(format!("{base}/api/v1/invoices?status=open&month=2026-11"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open["invoices"].as_array().unwrap().len(), 0, "{open}");
    let r = api
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&token)
        .json(&json!({"name": "x", "router": 1, "secret": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "an operator token adds no customers");

    // The receipt, the customer's page and the reports.
    let pid = first["payment"]["id"].as_i64().unwrap();
    let receipt = c
        .get(format!("{base}/billing/receipts/{pid}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        receipt.contains(first["receipt"].as_str().unwrap()) && receipt.contains("Rp 150,000"),
        "{receipt}"
    );
    let page = c
        .get(format!("{base}/billing/customers/{}", budi.id))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("inv-paid"), "{page}");
    let csv = c
        .get(format!(
            "{base}/billing/reports.csv?kind=invoices&month=2026-11"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(",2026-11,budi,2026-11-05,2026-11-15,150000,150000,paid"),
        "{csv}"
    );
    let reports = c
        .get(format!("{base}/billing/reports?month=2026-11"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reports.contains("1 paid · 0 not paid"), "{reports}");

    // The restore notice went to the customer too; the same run changes nothing now.
    assert_eq!(
        billing::deliver_messages(&store, &channels).unwrap(),
        3,
        "isolation and restore notices, the digest of 11-19"
    );
    wait_until("the notices in the customer's chat", 30, || {
        count(&tg, CUSTOMER_CHAT, "diisolir") == 1
            && count(&tg, CUSTOMER_CHAT, "terima kasih atas pembayaran") == 1
    })
    .await;
    let again = noc::billing_run(dir.path(), &settings, Some(day("2026-11-19")), false)
        .await
        .unwrap();
    assert!(
        again.contains("Isolated: 0") && again.contains("Restored: 0"),
        "{again}"
    );

    // Chat: /unpaid, and /paid previewed then confirmed.
    let ops = noc::chat::ChatOps::new(app.state().clone(), monitor.tg_store().clone(), Vec::new());
    let admin = noc::chat::Caller::new("telegram:4242", noc::auth::Role::Admin);
    let viewer = noc::chat::Caller::new("telegram:777", noc::auth::Role::ReadOnly);
    assert_eq!(
        ops.handle(&viewer, "/unpaid").await.unwrap(),
        "✅ Nobody owes anything."
    );
    noc::billing_run(dir.path(), &settings, Some(day("2026-12-05")), false)
        .await
        .unwrap();
    let unpaid = ops.handle(&viewer, "/unpaid").await.unwrap();
    assert!(
        unpaid.contains("budi") && unpaid.contains("Rp 150.000"),
        "{unpaid}"
    );
    assert!(ops
        .handle(&viewer, "/paid budi 150rb")
        .await
        .unwrap()
        .contains("operator"));
    let preview = ops.handle(&admin, "/paid bud 150rb").await.unwrap();
    assert!(
        preview.contains("Record <b>Rp 150.000</b> from <b>budi</b>"),
        "{preview}"
    );
    assert_eq!(
        store.payments_of(budi.id).unwrap().len(),
        1,
        "a preview records nothing"
    );
    let done = ops.handle(&admin, "/paid budi 150rb ok").await.unwrap();
    assert!(
        done.contains("recorded") && done.contains("Balance: Rp 0"),
        "{done}"
    );
    let twice = ops.handle(&admin, "/paid budi 150rb ok").await.unwrap();
    assert!(
        twice.contains("(already)"),
        "a retried message records once: {twice}"
    );
    assert_eq!(store.payments_of(budi.id).unwrap().len(), 2);
    let who = ops.handle(&viewer, "/customer budi").await.unwrap();
    assert!(who.contains("Balance: <b>Rp 0</b>"), "{who}");

    // Every change is in the audit log.
    let actions: Vec<String> = store
        .audit_log(100)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for a in [
        "billing.import",
        "billing.setup",
        "billing.invoices",
        "billing.isolate",
        "billing.payment",
        "billing.restore",
        "token.add",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    monitor.shutdown().await;
    app.shutdown().await;
}

/// A secret name from the router becomes a customer's name people read: control characters
/// replaced and at most 64 characters, while the secret itself is kept exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_names_are_printable_and_bounded() {
    let sim = start_sim().await;
    let h = sim.handle();
    let odd = format!("rumah\t{}", "x".repeat(100));
    h.add("/ppp/secret", &[("name", &odd), ("password", "p")])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = start_noc(dir.path(), file_config(sim.addr())).await;
    wait_polled(&app).await;
    let base = format!("http://{}", app.addr());
    let c = client();
    let csrf = login(&c, &base).await;
    let router = app.state().hub.routers()[0].id.to_string();
    let (s, _, _) = post_form(
        &c,
        &format!("{base}/billing/import/confirm"),
        &[("csrf", &csrf), ("router", &router)],
    )
    .await;
    assert_eq!(s, 303);
    let customers = app.state().store.customers().unwrap();
    let c = customers
        .iter()
        .find(|c| c.secret == odd)
        .expect("imported");
    assert_eq!(c.name.chars().count(), 64);
    assert!(!c.name.chars().any(char::is_control), "{:?}", c.name);
    app.shutdown().await;
}
