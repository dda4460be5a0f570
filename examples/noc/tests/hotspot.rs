//! The Hotspot area against the embedded simulator: a MIKHMON-compatible profile, a batch of
//! vouchers with its printable sheet, a first login recorded as a sale, sales harvested once
//! however often they are read, expiry enforced by noc, sessions kicked, and roles.

mod common;

use common::*;
use queue_model::Time;

fn field_after(html: &str, marker: &str) -> String {
    let i = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"))
        + marker.len();
    html[i..].split('<').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_are_sold_recorded_reported_and_expired() {
    let app = start_with(|o| {
        // The test drives harvest and expiry itself.
        o.hotspot_interval(std::time::Duration::from_secs(3600));
    })
    .await;
    let sim = app.noc.simulator().unwrap();
    let id = router_id(&app);
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;

    // A profile with MIKHMON's header: price 3.000, valid one day, removed at expiry.
    let r = c
        .post(format!("{}/hotspot/profiles", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("name", "3rb-1hari"),
            ("price", "3.000"),
            ("validity", "1d"),
            ("mode", "remc"),
            ("rate_limit", "1M/2M"),
            ("shared_users", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (s, html) = get_text(&c, &format!("{}/hotspot?router={id}", app.base)).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("3rb-1hari")
            && html.contains("<td>3000</td>")
            && html.contains("<td>1d</td>"),
        "{html}"
    );
    // Money is whole: a decimal price is refused with the reason.
    let r = c
        .post(format!("{}/hotspot/profiles", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("name", "x"),
            ("price", "3000.50"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // A batch of five vouchers, listed by batch and printable with QR codes.
    let r = c
        .post(format!("{}/hotspot/generate", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("profile", "3rb-1hari"),
            ("count", "5"),
            ("length", "5"),
            ("note", "warung"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let batch_url = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = get_text(&c, &format!("{}{batch_url}", app.base)).await;
    let batch = field_after(&html, "id=\"batch-name\">");
    assert!(
        batch.starts_with("vc-") && batch.ends_with("-warung"),
        "{batch}"
    );
    assert_eq!(
        html.matches("data-field=\"state\">unused").count(),
        5,
        "{html}"
    );
    let (s, sheet) = get_text(
        &c,
        &format!(
            "{}/hotspot/sheet?router={id}&batch={batch}&layout=thermal&login=http://wifi.rt05/login",
            app.base
        ),
    )
    .await;
    assert_eq!(s, 200);
    let codes: Vec<String> = sheet
        .split("data-code=\"")
        .skip(1)
        .map(|x| x.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 5);
    assert_eq!(
        sheet.matches("<svg").count(),
        5,
        "a QR code on each voucher"
    );
    let unescaped = sheet.replace("&#x2f;", "/").replace("&amp;", "&");
    assert!(
        unescaped.contains(&format!(
            "data-url=\"http://wifi.rt05/login?username={0}&password={0}\"",
            codes[0]
        )),
        "the QR code opens the hotspot login with the code"
    );

    // The first login records the sale on the router; noc harvests it once.
    sim.hotspot_login(&codes[0], &codes[0], "", "").unwrap();
    let month = {
        let d = sim.now().date;
        format!("{:04}-{:02}", d.year(), d.month())
    };
    for _ in 0..2 {
        let (_, html) = get_text(
            &c,
            &format!("{}/hotspot/sales?router={id}&month={month}", app.base),
        )
        .await;
        assert_eq!(
            field_after(&html, "id=\"sales-count\">"),
            "1",
            "stored once"
        );
        assert_eq!(field_after(&html, "id=\"sales-total\">"), "3000");
    }
    let csv = c
        .get(format!(
            "{}/hotspot/sales.csv?router={id}&month={month}",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().nth(1).unwrap().contains(&codes[0]), "{csv}");

    // A second voucher in use is kicked.
    sim.hotspot_login(&codes[1], &codes[1], "", "").unwrap();
    let (_, html) = get_text(&c, &format!("{}/hotspot/active?router={id}", app.base)).await;
    assert!(html.contains(&format!("Kick {}", codes[1])));
    let session = app.noc.state().hub.router(id).unwrap();
    let sessions = noc::routers::hotspot::sessions(&session).await.unwrap();
    let kicked = sessions
        .iter()
        .find(|s| s.user == codes[1])
        .unwrap()
        .id
        .clone();
    let r = c
        .post(format!("{}/hotspot/kick", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("id", kicked.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(!noc::routers::hotspot::sessions(&session)
        .await
        .unwrap()
        .iter()
        .any(|s| s.user == codes[1]));

    // A day and a minute later by the router's clock, noc removes exactly the used vouchers.
    let later = sim
        .now()
        .checked_add(Time::from_millis((86_400 + 60) * 1000))
        .unwrap();
    sim.set_clock(later);
    let expired = noc::routers::hotspot::enforce_expiry(&app.noc.state().store, &session)
        .await
        .unwrap();
    assert_eq!(expired, 2, "the two used vouchers, not the three unused");
    let left = noc::routers::hotspot::vouchers(&session, Some(&batch))
        .await
        .unwrap();
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|v| v.state == "unused"));

    // Remove-unused empties the batch; the sales (both first logins) stay in the report.
    let r = c
        .post(format!("{}/hotspot/batch/remove-unused", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("router", &id.to_string()),
            ("batch", batch.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(noc::routers::hotspot::vouchers(&session, Some(&batch))
        .await
        .unwrap()
        .is_empty());
    let (_, html) = get_text(
        &c,
        &format!("{}/hotspot/sales?router={id}&month={month}", app.base),
    )
    .await;
    assert_eq!(
        field_after(&html, "id=\"sales-count\">"),
        "2",
        "both sold vouchers stay sold"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_sell_but_do_not_configure_and_viewers_do_neither() {
    let app = start().await;
    let id = router_id(&app);
    let store = app.noc.state().store.clone();
    store
        .add_user(
            "kasir",
            &noc::auth::hash_password("kasir-pass-1").unwrap(),
            noc::auth::Role::Operator,
        )
        .unwrap();
    store
        .add_user(
            "lihat",
            &noc::auth::hash_password("lihat-pass-1").unwrap(),
            noc::auth::Role::ReadOnly,
        )
        .unwrap();
    let admin = client();
    let a = login_ok(&app, &admin, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .post(format!("{}/hotspot/profiles", app.base))
        .form(&[
            ("csrf", a.as_str()),
            ("router", &id.to_string()),
            ("name", "5rb"),
            ("price", "5000"),
            ("validity", "2d"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let generate = |c: reqwest::Client, csrf: String| {
        let base = app.base.clone();
        async move {
            c.post(format!("{base}/hotspot/generate"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("router", &id.to_string()),
                    ("profile", "5rb"),
                    ("count", "2"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let kasir = client();
    let k = login_ok(&app, &kasir, "kasir", "kasir-pass-1").await;
    assert_eq!(
        generate(kasir.clone(), k.clone()).await,
        303,
        "an operator sells"
    );
    let r = kasir
        .post(format!("{}/hotspot/profiles", app.base))
        .form(&[
            ("csrf", k.as_str()),
            ("router", &id.to_string()),
            ("name", "gratis"),
            ("price", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "an operator does not change profiles");
    let r = kasir
        .post(format!("{}/queues/action", app.base))
        .form(&[
            ("csrf", k.as_str()),
            ("router", &id.to_string()),
            ("name", "queue1"),
            ("action", "disable"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "nor queues");
    let lihat = client();
    let l = login_ok(&app, &lihat, "lihat", "lihat-pass-1").await;
    assert_eq!(generate(lihat, l).await, 403, "a viewer does not sell");
    app.noc.shutdown().await;
}
