//! Browser tests: headless Chromium (Debian's `chromium` and `chromium-driver`) driven with
//! fantoccini against noc and its embedded simulator, on a desktop-sized window. They run only
//! with `NOC_BROWSER_TESTS=1`; screenshots go to `target/noc-screenshots/`. The phone-width
//! tests are in `phone.rs`.

mod browser_support;
mod common;

use std::time::Duration;

use browser_support::*;
use common::*;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_a_real_browser() {
    if !enabled("dashboard_in_a_real_browser") {
        return;
    }
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    let id = router_id(&app);

    // Log in.
    c.goto(&format!("{}/queues", app.base)).await.unwrap();
    c.find(Locator::Id("user"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(ADMIN_PASSWORD)
        .await
        .unwrap();
    shot(&c, "01-login").await;
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The queue table fills from ros-sim.
    eventually("queues polled", || async {
        app.noc.state().hub.routers()[0].live().queues.len() >= 6
    })
    .await;
    c.goto(&format!("{}/queues?router={id}", app.base))
        .await
        .unwrap();
    let names = wait_js(
        &c,
        "queue rows",
        "const r = [...document.querySelectorAll('#queue-table tbody tr')].map(t => t.dataset.name); return r.length >= 6 ? r : null;",
    )
    .await;
    assert!(
        names.as_array().unwrap().iter().any(|n| n == "queue1"),
        "{names}"
    );

    // A rate changes live, without reloading the page: squeeze the busiest queue.
    let busiest = {
        let mut best = None;
        for _ in 0..50 {
            let live = app.noc.state().hub.routers()[0].live();
            best = live
                .queues
                .iter()
                .filter(|q| q.rate_down > 200_000)
                .max_by_key(|q| q.rate_down)
                .map(|q| q.name.clone());
            if best.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        best.expect("some queue carries traffic")
    };
    c.execute("window.__noReload = true;", vec![])
        .await
        .unwrap();
    let sel = format!(
        "[...document.querySelectorAll('#queue-table tbody tr')].find(t => t.dataset.name === {})",
        serde_json::to_string(&busiest).unwrap()
    );
    let before = c
        .execute(
            &format!("return {sel}.querySelector('[data-field=rate]').textContent;"),
            vec![],
        )
        .await
        .unwrap();
    sim.set("/queue/simple", &busiest, &[("max-limit", "32000/32000")])
        .unwrap();
    let after = wait_js(
        &c,
        "the rate cell to update",
        &format!(
            "const t = {sel}.querySelector('[data-field=rate]').textContent; return (window.__noReload && t !== {} && /kbps|bps$/.test(t) && !/Mbps/.test(t)) ? t : null;",
            before
        ),
    )
    .await;
    eprintln!("{busiest}: {before} -> {after}");
    // The limit shown beside the meter follows the router too (not the limit at page load).
    wait_js(
        &c,
        "the max-limit cell to update",
        &format!("const t = {sel}.querySelector('[data-field=max]').textContent; return t === '32.0 kbps / 32.0 kbps' ? t : null;"),
    )
    .await;
    // A queue added on the router appears without a reload, and goes when it is removed.
    sim.add(
        "/queue/simple",
        &[("name", "added-live"), ("target", "192.168.88.250/32")],
    )
    .unwrap();
    wait_js(
        &c,
        "the added queue to appear",
        "const t = [...document.querySelectorAll('#queue-table tbody tr')].find(t => t.dataset.name === 'added-live'); return (window.__noReload && t && t.querySelector('a').textContent === 'added-live') ? true : null;",
    )
    .await;
    sim.remove("/queue/simple", "added-live").unwrap();
    wait_js(
        &c,
        "the removed queue to go",
        "return (window.__noReload && ![...document.querySelectorAll('#queue-table tbody tr')].some(t => t.dataset.name === 'added-live')) ? true : null;",
    )
    .await;
    shot(&c, "02-queues-live").await;

    // Overview with router status and interfaces.
    c.goto(&format!("{}/", app.base)).await.unwrap();
    wait_js(&c, "overview status", "const s = document.querySelector('[data-field=status]'); return s && s.textContent === 'up';").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    shot(&c, "03-overview").await;

    // Add a queue with a bad rate: the inline error appears before anything is sent.
    c.goto(&format!("{}/queues/edit?router={id}", app.base))
        .await
        .unwrap();
    c.find(Locator::Id("f-name"))
        .await
        .unwrap()
        .send_keys("browser-q")
        .await
        .unwrap();
    c.find(Locator::Id("f-target"))
        .await
        .unwrap()
        .send_keys("192.168.88.240/32")
        .await
        .unwrap();
    let max = c.find(Locator::Id("f-max_limit")).await.unwrap();
    max.clear().await.unwrap();
    max.send_keys("5Q/10M").await.unwrap();
    let err = wait_js(
        &c,
        "inline error",
        "const e = document.querySelector('[data-error-for=max_limit]').textContent; return e.length ? e : null;",
    )
    .await;
    assert!(err.as_str().unwrap().contains("max-limit"), "{err}");
    assert_eq!(
        c.execute("return document.getElementById('apply').disabled;", vec![])
            .await
            .unwrap(),
        serde_json::Value::Bool(true)
    );
    shot(&c, "04-editor-error").await;
    assert!(!sim
        .print("/queue/simple")
        .unwrap()
        .iter()
        .any(|q| q.iter().any(|(_, v)| v == "browser-q")));

    // Fix it: the plan shows the exact command; apply; it is on the simulated router.
    max.clear().await.unwrap();
    max.send_keys("2M/8M").await.unwrap();
    wait_js(
        &c,
        "plan preview",
        "const p = document.getElementById('plan').textContent; return p.includes('max-limit=2M/8M') && document.querySelector('[data-error-for=max_limit]').textContent === '' ? p : null;",
    )
    .await;
    shot(&c, "05-editor-preview").await;
    c.find(Locator::Id("apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("queue on the router", || async {
        sim.print("/queue/simple").unwrap().iter().any(|q| {
            q.iter().any(|(k, v)| k == "name" && v == "browser-q")
                && q.iter()
                    .any(|(k, v)| k == "max-limit" && v == "2000000/8000000")
        })
    })
    .await;
    wait_js(
        &c,
        "queue page",
        "return document.getElementById('queue-detail') ? true : null;",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    shot(&c, "06-queue-detail").await;

    // The Layer 7 page: rules with lint, and the pattern tester.
    c.goto(&format!("{}/l7?router={id}", app.base))
        .await
        .unwrap();
    let rules = c
        .find(Locator::Id("l7-rules"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        rules.contains("youtube") && rules.contains("tiktok"),
        "{rules}"
    );
    c.find(Locator::Id("l7-text"))
        .await
        .unwrap()
        .send_keys("GET /watch HTTP/1.1\nHost: www.youtube.com\n")
        .await
        .unwrap();
    c.find(Locator::Id("l7-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let res = wait_js(
        &c,
        "pattern test result",
        "const t = document.getElementById('l7-results').textContent; return t.includes('youtube: matches') ? t : null;",
    )
    .await;
    assert!(res.as_str().unwrap().contains("tiktok: no match"), "{res}");
    shot(&c, "07-layer7").await;

    // Hotspot: a batch generated from the page (progress bar, then the batch), printed, and
    // each voucher's QR code decodes to the hotspot login with its code.
    let router = app.noc.state().hub.router(id).unwrap();
    let mut profile = noc::routers::hotspot::ProfileSpec::new("3rb-1hari");
    profile.price = 3000;
    profile.validity = Some("1d".parse().unwrap());
    noc::routers::hotspot::save_profile(&app.noc.state().store, &router, "test", &profile)
        .await
        .unwrap();
    c.goto(&format!("{}/hotspot?router={id}", app.base))
        .await
        .unwrap();
    let count = c
        .find(Locator::Css("#generate-form input[name=count]"))
        .await
        .unwrap();
    count.clear().await.unwrap();
    count.send_keys("40").await.unwrap();
    c.find(Locator::Css("#generate-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let batch = wait_js(
        &c,
        "the batch page",
        "const b = document.getElementById('batch-name'); return b ? b.textContent : null;",
    )
    .await;
    let batch = batch.as_str().unwrap().to_owned();
    let unused = c
        .execute(
            "return document.querySelectorAll('#vouchers td[data-field=state]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unused, 40);
    c.goto(&format!(
        "{}/hotspot/sheet?router={id}&batch={batch}&login=http://wifi.rt05/login",
        app.base
    ))
    .await
    .unwrap();
    let first = c
        .execute(
            "const v = document.querySelector('.voucher'); v.scrollIntoView(); return v.dataset.code;",
            vec![],
        )
        .await
        .unwrap();
    let code = first.as_str().unwrap().to_owned();
    let png = c
        .find(Locator::Css(".voucher .qr svg"))
        .await
        .unwrap()
        .screenshot()
        .await
        .unwrap();
    std::fs::write(shots_dir().join("08-voucher-qr.png"), &png).unwrap();
    shot(&c, "08-voucher-sheet").await;
    let text = decode_qr(&png);
    assert_eq!(
        text,
        format!("http://wifi.rt05/login?username={code}&password={code}")
    );

    c.close().await.unwrap();
    app.noc.shutdown().await;
}

fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.line_size / w;
    let luma = |x: usize, y: usize| -> u8 {
        let i = y * info.line_size + x * channels;
        let px = &buf[i..i + channels.min(3)];
        (px.iter().map(|v| u32::from(*v)).sum::<u32>() / px.len() as u32) as u8
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = img.detect_grids();
    assert!(!grids.is_empty(), "no QR code in the screenshot");
    grids[0].decode().unwrap().1
}
