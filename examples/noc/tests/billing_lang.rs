//! Billing in Bahasa Indonesia: an admin whose browser asks for Indonesian (or who picks it
//! in the header) reads the Billing page and a customer's account in Indonesian with money
//! written `Rp 150.000`; an English reader gets `Rp 150,000`; the notice page isolated
//! customers see is Indonesian by default.

mod mon_support;

use mon_support::*;

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

async fn get(c: &reqwest::Client, url: &str, accept: Option<&str>) -> String {
    let mut r = c.get(url);
    if let Some(a) = accept {
        r = r.header("accept-language", a);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.text().await.unwrap()
}

async fn login(c: &reqwest::Client, base: &str) -> String {
    let html = get(c, &format!("{base}/login"), None).await;
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
    csrf_of(&get(c, &format!("{base}/"), None).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billing_pages_in_indonesian_with_rupiah_written_the_indonesian_way() {
    let mut sc = ros_sim::SimConfig::new();
    sc.listen("127.0.0.1:0".parse().unwrap())
        .user("admin")
        .password("router-pass")
        .hosts(1)
        .queues(1)
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

    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[[router]]\nname = \"r1\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"router-pass\"\n\
         [billing]\npay_to = \"BRI 1234\"\nnotice_listen = \"127.0.0.1:0\"\n",
        sim.addr().ip(),
        sim.addr().port()
    );
    let app = start_noc(dir.path(), toml.parse().unwrap()).await;
    wait_polled(&app).await;
    let store = app.state().store.clone();
    let base = format!("http://{}", app.addr());
    let c = client();
    let csrf = login(&c, &base).await;
    let router = app.state().hub.routers()[0].id.to_string();

    // A package and a customer (in Indonesian: the flash says so), then one invoice.
    let r = c
        .post(format!("{base}/billing/packages"))
        .header("accept-language", "id-ID,id;q=0.9")
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "10 Mbps"),
            ("profile", "paket-10M"),
            ("price", "150.000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.contains("Paket"), "{loc}");
    let r = c
        .post(format!("{base}/billing/customers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Budi"),
            ("router", router.as_str()),
            ("secret", "budi"),
            ("package", "10 Mbps"),
            ("billing_day", "5"),
            ("grace_days", "3"),
            ("since", "2026-10-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let id = store.customers().unwrap()[0].id;
    store
        .add_invoices(&[(
            id,
            "2026-11".into(),
            "2026-11-05".into(),
            "2026-11-15".into(),
            150_000,
            "10 Mbps, 2026-11".into(),
        )])
        .unwrap();

    // The browser asks for Indonesian: the Billing page and the account are in Indonesian,
    // money written Rp 150.000.
    let id_id = Some("id-ID,id;q=0.9,en;q=0.5");
    let page = get(&c, &format!("{base}/billing"), id_id).await;
    assert!(page.contains("<h1>Tagihan · "), "{page}");
    assert!(page.contains("Tambah pelanggan"), "{page}");
    assert!(page.contains("Rp 150.000"), "{page}");
    assert!(!page.contains("Rp 150,000"), "{page}");
    assert!(!page.contains("Add a customer"), "{page}");
    let account = get(&c, &format!("{base}/billing/customers/{id}"), id_id).await;
    assert!(account.contains("Saldo"), "{account}");
    assert!(account.contains("jatuh tempo 2026-11-15"), "{account}");
    assert!(account.contains("belum dibayar"), "{account}");
    assert!(account.contains("Catat pembayaran"), "{account}");
    assert!(
        account.contains("<dd id=\"balance\" class=\"down\">Rp 150.000</dd>"),
        "{account}"
    );
    let list = get(&c, &format!("{base}/billing/customers"), id_id).await;
    assert!(
        list.contains("Saldo:") && list.contains("Rp 150.000"),
        "{list}"
    );

    // An English request: the same pages in English, Rp 150,000.
    let en = Some("en-US,en;q=0.9");
    let page = get(&c, &format!("{base}/billing"), en).await;
    assert!(page.contains("<h1>Billing · "), "{page}");
    assert!(page.contains("Add a customer"), "{page}");
    assert!(page.contains("Rp 150,000"), "{page}");
    let account = get(&c, &format!("{base}/billing/customers/{id}"), en).await;
    assert!(account.contains("due 2026-11-15"), "{account}");
    assert!(
        account.contains("<dd id=\"balance\" class=\"down\">Rp 150,000</dd>"),
        "{account}"
    );

    // Choosing Indonesian in the header wins over an English browser.
    let r = c
        .post(format!("{base}/language"))
        .header("accept-language", "en")
        .form(&[("csrf", csrf.as_str()), ("language", "id")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let account = get(&c, &format!("{base}/billing/customers/{id}"), en).await;
    assert!(
        account.contains("<dd id=\"balance\" class=\"down\">Rp 150.000</dd>")
            && account.contains("Catat pembayaran"),
        "{account}"
    );
    let reports = get(&c, &format!("{base}/billing/reports?month=2026-11"), en).await;
    assert!(
        reports.contains("Laporan tagihan") && reports.contains("0 lunas · 1 belum dibayar"),
        "{reports}"
    );
    // CSV stays machine-readable whatever the language.
    let csv = get(&c, &format!("{base}/billing/reports.csv?kind=arrears"), en).await;
    assert!(csv.contains(",150000,"), "{csv}");

    // The notice page is Indonesian by default (the customers' language).
    let notice = app.notice_addr().expect("the notice page listens");
    let text = reqwest::get(format!("http://{notice}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("<html lang=\"id\">")
            && text.contains("Layanan internet Anda diisolir")
            && text.contains("Pembayaran ke: BRI 1234"),
        "{text}"
    );

    // One customer reads English although customers read Indonesian: chosen on their account,
    // audited, and refused when it is not a language noc speaks.
    let edit = |lang: &'static str| {
        c.post(format!("{base}/billing/customers/{id}/edit"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Pak Budi"),
                ("package", "10 Mbps"),
                ("billing_day", "5"),
                ("grace_days", "3"),
                ("status", "active"),
                ("language", lang),
            ])
            .send()
    };
    let r = edit("fr").await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(store.customer(id).unwrap().unwrap().language, None);
    let r = edit("en").await.unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        store.customer(id).unwrap().unwrap().language,
        Some(noc::i18n::Lang::En)
    );
    let account = get(&c, &format!("{base}/billing/customers/{id}"), en).await;
    assert!(
        account.contains("<option value=\"en\" selected>English</option>"),
        "{account}"
    );
    let audit = get(&c, &format!("{base}/audit"), en).await;
    assert!(audit.contains("language: default → en"), "{audit}");
}
