//! The admin pages in Bahasa Indonesia: the login page follows `?lang=` and the browser,
//! the header switch turns every admin page Indonesian, and a user who chose English keeps
//! English whatever the browser asks for.

mod common;

use common::*;

async fn page(c: &reqwest::Client, url: &str, accept: Option<&str>) -> (u16, String) {
    let mut r = c.get(url);
    if let Some(a) = accept {
        r = r.header("accept-language", a);
    }
    let r = r.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_page_follows_the_browser_and_the_choice() {
    let app = start().await;
    let c = client();
    let login = format!("{}/login", app.base);

    let (s, en) = page(&c, &login, None).await;
    assert_eq!(s, 200);
    assert!(
        en.contains(">Log in</button>") && en.contains("Password"),
        "{en}"
    );
    assert!(en.contains("href=\"/login?lang=id&amp;next=%2F\""), "{en}");

    let (_, id) = page(&c, &login, Some("id-ID,id;q=0.9,en;q=0.8")).await;
    assert!(
        id.contains(">Masuk</button>") && id.contains("Kata sandi"),
        "{id}"
    );
    assert!(id.contains("<html lang=\"id\">"), "{id}");
    assert!(!id.contains(">Log in</button>"), "{id}");

    // ?lang wins over the browser, keeps `next` in the links and rides along in the form.
    let (_, chosen) = page(&c, &format!("{login}?lang=id&next=/alerts"), Some("en")).await;
    assert!(chosen.contains(">Masuk</button>"), "{chosen}");
    assert!(
        chosen.contains("name=\"lang\" value=\"id\""),
        "the choice is carried in the form: {chosen}"
    );
    assert!(
        chosen.contains("/login?lang=en&amp;next=%2Falerts"),
        "{chosen}"
    );
    let (_, back) = page(&c, &format!("{login}?lang=en"), Some("id")).await;
    assert!(back.contains(">Log in</button>"), "{back}");

    // A failed login with the Indonesian form says so in Indonesian (each login page sets
    // its own token, so take the last one's).
    let (_, form) = page(&c, &format!("{login}?lang=id"), None).await;
    let token = csrf_of(&form);
    let r = c
        .post(&login)
        .form(&[
            ("csrf", token.as_str()),
            ("user", "admin"),
            ("password", "wrong-password"),
            ("next", "/"),
            ("lang", "id"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("lang=id"), "{to}");
    let (_, again) = page(&c, &format!("{}{to}", app.base), None).await;
    assert!(
        again.contains("Nama user atau kata sandi salah."),
        "{again}"
    );

    // Logging in with the Indonesian form stores Indonesian for a user without a choice.
    let token = csrf_of(&again);
    let r = c
        .post(&login)
        .form(&[
            ("csrf", token.as_str()),
            ("user", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/"),
            ("lang", "id"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let admin = app
        .noc
        .state()
        .store
        .user_by_name("admin")
        .unwrap()
        .unwrap();
    assert_eq!(admin.language, Some(noc::i18n::Lang::Id));
    let (_, overview) = page(&c, &format!("{}/", app.base), Some("en")).await;
    assert!(overview.contains("<h1>Ringkasan</h1>"), "{overview}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_switch_turns_the_admin_pages_indonesian() {
    let app = start().await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let url = |p: &str| format!("{}{p}", app.base);

    let (_, before) = page(&c, &url("/users"), None).await;
    assert!(before.contains("<h1>Users</h1>"), "{before}");

    let r = c
        .post(url("/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "id")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Each page: Indonesian strings present, their English ones gone.
    let pages: [(&str, &[&str], &[&str]); 7] = [
        (
            "/",
            &["<h1>Ringkasan</h1>", "RAM terpakai", "ISP dan kuota"],
            &["<h1>Overview</h1>", "RAM used", "ISP and quota"],
        ),
        (
            "/alerts",
            &[
                "<h1>Peringatan</h1>",
                "Aturan peringatan",
                "Saring</button>",
            ],
            &["<h1>Alerts</h1>", ">Filter</button>", "Acknowledge all"],
        ),
        (
            "/alerts/rules",
            &[
                "<h1>Aturan peringatan</h1>",
                "Tambah aturan",
                "Terpicu saat",
            ],
            &["<h1>Alert rules</h1>", "Add a rule", "Fires on"],
        ),
        (
            "/users",
            &[
                "<h1>Pengguna</h1>",
                "Tambah pengguna",
                "Ganti kata sandi",
                "Bahasa Indonesia",
            ],
            &["<h1>Users</h1>", "Add a user", "Set password"],
        ),
        (
            "/routers",
            &[
                "<h1>Router</h1>",
                "Tambah router",
                "Sidik jari SHA-256 sertifikat",
            ],
            &["<h1>Routers</h1>", "Add a router", "The password is stored"],
        ),
        (
            "/audit",
            &["<h1>Log audit</h1>", "Waktu (UTC)", "Aksi"],
            &["<h1>Audit log</h1>", "Time (UTC)", "<th>Action</th>"],
        ),
        (
            "/settings/whatsapp",
            &[
                "<h1>Pengaturan WhatsApp</h1>",
                "Jam tenang",
                "Kirim pesan uji",
            ],
            &[
                "<h1>WhatsApp settings</h1>",
                "Quiet hours",
                "Send a test message",
            ],
        ),
    ];
    for (path, present, absent) in pages {
        let (s, html) = page(&c, &url(path), Some("en-US,en;q=0.9")).await;
        assert_eq!(s, 200, "{path}");
        for p in present {
            assert!(html.contains(p), "{path}: no {p:?} in {html}");
        }
        for a in absent {
            assert!(!html.contains(a), "{path}: still {a:?} in {html}");
        }
    }

    // The rule list's descriptions, and the alert rule form's field errors.
    let (_, rules) = page(&c, &url("/alerts/rules"), None).await;
    assert!(rules.contains("mati setelah 3 cek gagal"), "{rules}");
    let r = c
        .post(url("/alerts/rules"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "busy"),
            ("kind", "cpu"),
            ("severity", "warning"),
            ("duration", "soon"),
            ("above", "200"),
            ("state", "down"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let form = r.text().await.unwrap();
    assert!(
        form.contains("durasi &quot;soon&quot; tidak valid"),
        "{form}"
    );
    assert!(form.contains("persentase, 0-100"), "{form}");

    // Flashes and error pages follow too.
    let r = c
        .post(url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "budi"),
            ("password", "short"),
            ("role", "operator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Kata sandi minimal 8 karakter."));
    let (s, missing) = page(&c, &url("/no-such-page"), None).await;
    assert_eq!(s, 404);
    assert!(!missing.contains("There is no such page."), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_chose_english_keeps_it_whatever_the_browser_says() {
    let app = start().await;
    let admin = client();
    let csrf = login_ok(&app, &admin, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .post(format!("{}/users", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "siti"),
            ("password", "siti-password-1"),
            ("role", "read-only"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let c = client();
    let csrf = login_ok(&app, &c, "siti", "siti-password-1").await;
    // Without a choice the browser decides.
    let (_, browser) = page(&c, &format!("{}/alerts", app.base), Some("id")).await;
    assert!(browser.contains("<h1>Peringatan</h1>"), "{browser}");
    let r = c
        .post(format!("{}/language", app.base))
        .form(&[("csrf", csrf.as_str()), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    for path in [
        "/",
        "/alerts",
        "/alerts/rules",
        "/users",
        "/routers",
        "/audit",
    ] {
        let (s, html) = page(&c, &format!("{}{path}", app.base), Some("id-ID,id")).await;
        assert_eq!(s, 200, "{path}");
        for id in [
            "Peringatan</h1>",
            "Pengguna</h1>",
            "Log audit</h1>",
            "Saring</button>",
        ] {
            assert!(!html.contains(id), "{path}: Indonesian {id:?} in {html}");
        }
    }
    let (_, users) = page(&c, &format!("{}/users", app.base), Some("id")).await;
    assert!(users.contains("<h1>Users</h1>"), "{users}");
    // The admin sees siti's choice, and "browser" for their own (none stored).
    let (_, list) = page(&admin, &format!("{}/users", app.base), None).await;
    assert!(list.contains(">English</td>"), "{list}");
    assert!(list.contains(">browser</td>"), "{list}");
}
