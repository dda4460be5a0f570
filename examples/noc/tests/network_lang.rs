//! The network pages in Bahasa Indonesia against noc's embedded simulator: Queues, one
//! queue, Queue Tree, Hotspot (with a printed voucher sheet) and Devices follow the browser's
//! `Accept-Language: id`, then the user's own choice (`POST /language`); rates and money are
//! written the Indonesian way (`2,0 Mbps`, `Rp 3.000`); without either the pages stay English.

mod common;

use common::*;
use noc::i18n::Lang;

/// GET `path` with `Accept-Language: accept` when given; status and body.
async fn page(app: &App, c: &reqwest::Client, path: &str, accept: Option<&str>) -> (u16, String) {
    let mut req = c.get(format!("{}{path}", app.base));
    if let Some(a) = accept {
        req = req.header("Accept-Language", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Asserts that `html` has every one of `present` and none of `absent`.
fn has(what: &str, html: &str, present: &[&str], absent: &[&str]) {
    for p in present {
        assert!(html.contains(p), "{what}: expected {p:?} in\n{html}");
    }
    for a in absent {
        assert!(!html.contains(a), "{what}: did not expect {a:?} in\n{html}");
    }
}

/// The pages, with what each shows in Indonesian and in English.
struct Expect {
    path: String,
    id: &'static [&'static str],
    en: &'static [&'static str],
}

fn pages(router: i64, queue: &str) -> Vec<Expect> {
    vec![
        Expect {
            path: format!("/queues?router={router}"),
            id: &[
                "Simple queue di",
                "Saring nama, target atau komentar",
                "Tambah antrean",
                "Laju ↑",
                "diperbarui tiap polling",
            ],
            en: &[
                "Simple queues on",
                "Filter by name, target or comment",
                "Add queue",
                "Rate ↑",
                "updated every poll",
            ],
        },
        Expect {
            path: format!("/queue?router={router}&name={queue}"),
            id: &["Laju sekarang", "Riwayat", "Nonaktifkan", "Hapus antrean"],
            en: &["Rate now", "History", ">Disable<", "Remove queue"],
        },
        Expect {
            path: format!("/trees?router={router}"),
            id: &[
                "Queue Tree di",
                "Belum ada entri queue tree.",
                "Bagi bandwidth sama rata",
                "Alamat LAN",
                "Pratinjau",
            ],
            en: &[
                "Queue Tree on",
                "No queue tree entries.",
                "Share the link equally",
                "LAN addresses",
                "Preview",
            ],
        },
        Expect {
            path: format!("/hotspot?router={router}"),
            id: &[
                "Sesi aktif",
                "Semua voucher",
                "Buat voucher",
                "Panjang kode",
                "Tambah atau ubah profil",
                "Harga jual",
            ],
            en: &[
                "Active sessions",
                "All vouchers",
                "Generate vouchers",
                "Code length",
                "Add or change a profile",
                "Selling price",
            ],
        },
        Expect {
            path: "/devices".to_owned(),
            id: &[
                "Dicek oleh router sendiri",
                "Belum ada perangkat.",
                "Tambah perangkat",
                "Alamat IP atau MAC",
            ],
            en: &[
                "Checked by the router itself",
                "No devices yet.",
                "Add a device",
                "IP or MAC address",
            ],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_pages_follow_the_language_and_write_rates_the_indonesian_way() {
    let app = start_with(|o| {
        o.hotspot_interval(std::time::Duration::from_secs(3600));
    })
    .await;
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let id = router_id(&app);
    eventually("connected and polled", || async {
        let r = &app.noc.state().hub.routers()[0];
        r.client().is_some() && r.live().queues.iter().any(|q| q.max_up >= 1000)
    })
    .await;
    // A queue with a max-limit: the page writes it server-side.
    let queue = app.noc.state().hub.routers()[0]
        .live()
        .queues
        .iter()
        .find(|q| q.max_up >= 1000)
        .cloned()
        .unwrap();
    let (max_id, max_en) = (Lang::Id.rate(queue.max_up), Lang::En.rate(queue.max_up));
    assert_ne!(max_id, max_en, "{max_id}");
    assert!(max_id.contains(','), "{max_id}");
    let name = queue.name.clone();

    // Without Accept-Language: English, as before.
    for p in pages(id, &name) {
        let (s, html) = page(&app, &c, &p.path, None).await;
        assert_eq!(s, 200, "{}", p.path);
        has(&p.path, &html, p.en, p.id);
        assert!(html.contains("<html lang=\"en\">"), "{}", p.path);
    }
    for path in [
        format!("/queues?router={id}&q={name}"),
        format!("/queue?router={id}&name={name}"),
    ] {
        let (_, html) = page(&app, &c, &path, None).await;
        assert!(html.contains(&max_en), "{path}: {max_en}");
    }

    // The browser asks for Indonesian.
    for p in pages(id, &name) {
        let (s, html) = page(&app, &c, &p.path, Some("id-ID,id;q=0.9,en;q=0.8")).await;
        assert_eq!(s, 200, "{}", p.path);
        has(&p.path, &html, p.id, p.en);
        assert!(html.contains("<html lang=\"id\">"), "{}", p.path);
    }
    for path in [
        format!("/queues?router={id}&q={name}"),
        format!("/queue?router={id}&name={name}"),
    ] {
        let (_, html) = page(&app, &c, &path, Some("id")).await;
        assert!(
            html.contains(&max_id) && !html.contains(&max_en),
            "{path}: {max_id}\n{html}"
        );
    }
    // Error pages too.
    let (s, html) = page(
        &app,
        &c,
        &format!("/queue?router={id}&name=nope"),
        Some("id"),
    )
    .await;
    assert_eq!(s, 404);
    has(
        "missing queue",
        &html,
        &["Antrean ini tidak ada di router ini."],
        &["No such queue"],
    );

    // The user's own choice, without any Accept-Language.
    let r = c
        .post(format!("{}/language", app.base))
        .form(&[("csrf", csrf.as_str()), ("language", "id")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    for p in pages(id, &name) {
        let (s, html) = page(&app, &c, &p.path, None).await;
        assert_eq!(s, 200, "{}", p.path);
        has(&p.path, &html, p.id, p.en);
    }
    let (_, html) = page(&app, &c, &format!("/queue?router={id}&name={name}"), None).await;
    assert!(html.contains(&max_id), "{max_id}");

    // Adding a device: the preview and its flash.
    let r = c
        .post(format!("{}/devices", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Pak Budi"),
            ("address", "192.168.88.23"),
            ("parent", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    has(
        "device preview",
        &r.text().await.unwrap(),
        &[
            "Tambah Pak Budi",
            "Router akan menerima:",
            "Terapkan",
            "Batal",
        ],
        &["The router will get", "Add Pak Budi"],
    );

    // A hotspot profile and a batch: the voucher list and the printed sheet.
    let r = c
        .post(format!("{}/hotspot/profiles", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("name", "3rb-1hari"),
            ("price", "3.000"),
            ("validity", "1d"),
            ("mode", "remc"),
            ("shared_users", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let done = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(done.contains("disimpan"), "{done}");
    let (_, html) = page(&app, &c, &format!("/hotspot?router={id}"), None).await;
    assert!(html.contains("<td>3.000</td>"), "{html}");
    // A field refused in Indonesian.
    let r = c
        .post(format!("{}/hotspot/generate", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("profile", "3rb-1hari"),
            ("count", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    has(
        "bad count",
        &r.text().await.unwrap(),
        &["Jumlah: 1 sampai 500."],
        &["How many"],
    );
    let r = c
        .post(format!("{}/hotspot/generate", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("profile", "3rb-1hari"),
            ("count", "2"),
            ("length", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let batch_url = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&app, &c, &batch_url, None).await;
    has(
        "batch",
        &html,
        &["data-field=\"state\">belum terpakai", "Cetak:", "Kode"],
        &["data-field=\"state\">unused", "Print:"],
    );
    let sheet = batch_url.replacen("/hotspot/batch", "/hotspot/sheet", 1);
    let (s, html) = page(&app, &c, &sheet, None).await;
    assert_eq!(s, 200);
    has(
        "voucher sheet",
        &html,
        &[
            "<html lang=\"id\">",
            "2 voucher belum terpakai",
            "cetak dengan Ctrl-P",
            "Rp 3.000",
        ],
        &["unused vouchers", "print with", "Rp 3000"],
    );

    // Back to English by choice: the sheet and a page are English again.
    let r = c
        .post(format!("{}/language", app.base))
        .form(&[("csrf", csrf.as_str()), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let (_, html) = page(&app, &c, &sheet, Some("id")).await;
    has(
        "voucher sheet in English",
        &html,
        &["2 unused vouchers", "Rp 3000", "<html lang=\"en\">"],
        &["belum terpakai"],
    );
}
