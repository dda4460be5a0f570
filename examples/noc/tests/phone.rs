//! Browser tests at a phone's width (390 px), and every page at 390 and 1366 px: headless
//! Chromium driven with fantoccini against noc and its embedded simulator. They run only with
//! `NOC_BROWSER_TESTS=1`; screenshots go to `target/noc-screenshots/`.

mod browser_support;
mod common;

use std::time::Duration;

use browser_support::*;
use common::*;
use fantoccini::{Client, Locator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_tree_and_settings_on_a_phone() {
    if !enabled("queue_tree_and_settings_on_a_phone") {
        return;
    }
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.set_window_size(390, 844).await.unwrap();
    let id = router_id(&app);
    c.goto(&format!("{}/trees?router={id}", app.base))
        .await
        .unwrap();
    log_in(&c).await;
    wait_js(
        &c,
        "the tree page",
        "return document.getElementById('tree-table') ? true : null;",
    )
    .await;

    // Added on the router: the row appears without a reload, indented under its parent.
    c.execute("window.__noReload = true;", vec![])
        .await
        .unwrap();
    sim.add(
        "/queue/tree",
        &[
            ("name", "phone-down"),
            ("parent", "global"),
            ("max-limit", "20M"),
        ],
    )
    .unwrap();
    sim.add(
        "/queue/tree",
        &[
            ("name", "phone-kid"),
            ("parent", "phone-down"),
            ("packet-mark", "video"),
        ],
    )
    .unwrap();
    wait_js(
        &c,
        "live tree rows",
        "const r = [...document.querySelectorAll('#tree-table tbody tr')]; const kid = r.find(t => t.dataset.name === 'phone-kid'); return (window.__noReload && kid && kid.querySelector('[data-field=name]').className === 'depth-1' && r.indexOf(kid) === r.findIndex(t => t.dataset.name === 'phone-down') + 1) ? true : null;",
    )
    .await;
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(w <= inner, "the tree page fits 390 px: {w} > {inner}");
    shot(&c, "20-trees-phone").await;
    let rid = sim
        .print("/queue/tree")
        .unwrap()
        .iter()
        .find(|r| {
            r.iter()
                .any(|(k, v)| k == "name" && v.as_str() == "phone-kid")
        })
        .and_then(|r| {
            r.iter()
                .find(|(k, _)| k == ".id")
                .map(|(_, v)| v.as_str().to_owned())
        })
        .unwrap();
    sim.remove("/queue/tree", &rid).unwrap();
    wait_js(
        &c,
        "the removed row leaves",
        "return (window.__noReload && ![...document.querySelectorAll('#tree-table tbody tr')].some(t => t.dataset.name === 'phone-kid')) ? true : null;",
    )
    .await;

    // The editor checks as you type: the lint sits beside the packet-mark field.
    c.goto(&format!("{}/trees/edit?router={id}", app.base))
        .await
        .unwrap();
    for (field, text) in [
        ("f-name", "phone-new"),
        ("f-packet_mark", "nobody-sets-this"),
    ] {
        c.find(Locator::Id(field))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    wait_js(
        &c,
        "the lint beside the field",
        "const l = document.querySelector('[data-checks-for=packet_mark]'); return (l && l.textContent.includes('tree-packet-mark-never-set') && document.getElementById('plan').textContent.includes('name=phone-new') && !document.getElementById('apply').disabled) ? true : null;",
    )
    .await;
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(w <= inner, "the tree editor fits 390 px: {w} > {inner}");
    shot(&c, "21-tree-editor-phone").await;

    // One entry's page draws its history.
    c.goto(&format!("{}/tree?router={id}&name=phone-down", app.base))
        .await
        .unwrap();
    wait_js(
        &c,
        "the history chart",
        "const cv = document.getElementById('history-chart'); const blank = document.createElement('canvas'); blank.width = cv.width; blank.height = cv.height; return cv.toDataURL() !== blank.toDataURL() ? true : null;",
    )
    .await;
    c.execute(
        "document.getElementById('history-chart').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    shot(&c, "22-tree-history-phone").await;

    c.goto(&format!("{}/settings/whatsapp", app.base))
        .await
        .unwrap();
    wait_js(
        &c,
        "the settings page",
        "return document.getElementById('wa-settings') ? true : null;",
    )
    .await;
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(w <= inner, "the settings page fits 390 px: {w} > {inner}");
    shot(&c, "23-settings-whatsapp-phone").await;
    c.execute(
        "document.getElementById('r0-number').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    shot(&c, "24-settings-whatsapp-numbers-phone").await;
    app.noc.shutdown().await;
}

/// An app with something on every page (queues polled, a billing customer with an invoice
/// and a payment), and every page's (name, path).
async fn every_page() -> (App, Vec<(&'static str, String)>) {
    let app = start().await;
    let id = router_id(&app);
    eventually("queues polled", || async {
        app.noc.state().hub.routers()[0].live().queues.len() >= 6
    })
    .await;
    // Something on the billing pages: a package, a customer with an invoice and a payment.
    let store = app.noc.state().store.clone();
    let package = store.upsert_package("10 Mbps", "default", 150_000).unwrap();
    let mut n = noc::storage::billing::NewCustomer::new(
        "Pak Budi Santoso (RT 03, rumah ujung gang)",
        id,
        "budi",
        5,
        3,
        "2026-11-05",
    );
    n.package_id = Some(package);
    let customer = store.add_customer(&n).unwrap();
    store
        .add_invoices(&[(
            customer,
            "2026-11".into(),
            "2026-11-05".into(),
            "2026-11-15".into(),
            150_000,
            "10 Mbps, 2026-11".into(),
        )])
        .unwrap();
    let (payment, _) = store
        .add_payment(&noc::storage::billing::NewPayment::new(
            customer,
            100_000,
            "transfer",
            "admin",
            "2026-11-10",
        ))
        .unwrap();
    let queue = app.noc.state().hub.routers()[0].live().queues[0]
        .name
        .clone();

    let q = noc::web::urlencode(&queue);
    let pages = vec![
        ("overview", "/".to_owned()),
        ("queues", format!("/queues?router={id}")),
        ("queue", format!("/queue?router={id}&name={q}")),
        ("queue-edit", format!("/queues/edit?router={id}&name={q}")),
        ("trees", format!("/trees?router={id}")),
        ("tree-edit", format!("/trees/edit?router={id}")),
        ("l7", format!("/l7?router={id}")),
        ("hotspot", format!("/hotspot?router={id}")),
        ("hotspot-active", format!("/hotspot/active?router={id}")),
        ("hotspot-sales", format!("/hotspot/sales?router={id}")),
        ("billing", "/billing".to_owned()),
        ("billing-customers", "/billing/customers".to_owned()),
        ("billing-customer", format!("/billing/customers/{customer}")),
        (
            "billing-receipt",
            format!("/billing/receipts/{}", payment.id),
        ),
        (
            "billing-reports",
            "/billing/reports?month=2026-11".to_owned(),
        ),
        ("billing-setup", "/billing/setup".to_owned()),
        ("alerts", "/alerts".to_owned()),
        ("alert-rules", "/alerts/rules".to_owned()),
        ("routers", "/routers".to_owned()),
        ("users", "/users".to_owned()),
        ("audit", "/audit".to_owned()),
        ("settings", "/settings/whatsapp".to_owned()),
        ("devices", "/devices".to_owned()),
        ("not-found", "/no-such-page".to_owned()),
    ];
    (app, pages)
}

/// Loads each page at the window's size; the names of those wider than the window, and a
/// screenshot of each (`prefix-name`).
async fn too_wide(c: &Client, base: &str, pages: &[(&str, String)], prefix: &str) -> Vec<String> {
    let mut too_wide = Vec::new();
    for (name, path) in pages {
        c.goto(&format!("{base}{path}")).await.unwrap();
        wait_js(
            c,
            name,
            "return document.readyState === 'complete' ? true : null;",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let v = fits(c).await;
        let (w, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        if w > inner {
            too_wide.push(format!("{name} ({w} > {inner})"));
        }
        shot(c, &format!("{prefix}-{name}")).await;
    }
    too_wide
}

/// Every page, logged in as an admin, at 390 px (a phone) and 1366 px: no sideways scrolling
/// of the page itself (wide tables scroll inside their own box), and a screenshot of each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone() {
    if !enabled("every_page_fits_a_phone") {
        return;
    }
    let (app, pages) = every_page().await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    log_in(&c).await;
    wait_js(
        &c,
        "logged in",
        "return document.body.dataset.page === 'overview' ? true : null;",
    )
    .await;
    for (width, height) in [(390, 844), (1366, 900)] {
        c.set_window_size(width, height).await.unwrap();
        let wide = too_wide(&c, &app.base, &pages, &width.to_string()).await;
        assert!(wide.is_empty(), "pages wider than {width} px: {wide:?}");
    }
    c.close().await.unwrap();
    app.noc.shutdown().await;
}

/// The same pages in Bahasa Indonesia, chosen with the header's language switch on a phone:
/// each is in Indonesian (`<html lang="id">`, the navigation's words), shows no message key
/// in place of a text, and fits 390 px although Indonesian words run longer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_indonesian_fits_a_phone() {
    if !enabled("every_page_in_indonesian_fits_a_phone") {
        return;
    }
    let (app, pages) = every_page().await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    log_in(&c).await;
    wait_js(
        &c,
        "logged in",
        "return document.body.dataset.page === 'overview' ? true : null;",
    )
    .await;
    c.set_window_size(390, 844).await.unwrap();
    c.find(Locator::Css("form.language button[value=id]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_js(
        &c,
        "switched to Indonesian",
        "return document.documentElement.lang === 'id' && !document.getElementById('flash').hidden ? document.getElementById('flash').textContent : null;",
    )
    .await;
    let keys: Vec<&str> = noc::i18n::keys().iter().map(String::as_str).collect();
    let mut untranslated = Vec::new();
    for (name, path) in &pages {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let text = wait_js(
            &c,
            name,
            "return document.readyState === 'complete' && document.documentElement.lang === 'id' ? document.body.innerText : null;",
        )
        .await;
        let text = text.as_str().unwrap_or_default().to_owned();
        for k in &keys {
            let shown = text
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
                .any(|w| w == *k);
            if shown {
                untranslated.push(format!("{name}: {k}"));
            }
        }
        // The receipt is a printable page without the navigation.
        let marker = if *name == "billing-receipt" {
            "Kuitansi"
        } else {
            "Ringkasan"
        };
        if !text.contains(marker) {
            untranslated.push(format!("{name}: not in Indonesian"));
        }
    }
    assert!(untranslated.is_empty(), "{untranslated:?}");
    let wide = too_wide(&c, &app.base, &pages, "390-id").await;
    assert!(
        wide.is_empty(),
        "pages wider than 390 px in Indonesian: {wide:?}"
    );
    c.close().await.unwrap();
    app.noc.shutdown().await;
}

/// A page whose live stream is refused (the session ended elsewhere) says so and offers the
/// login, instead of showing its last figures as live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_live_stream_says_so_and_offers_login() {
    if !enabled("a_refused_live_stream_says_so_and_offers_login") {
        return;
    }
    let app = start().await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    log_in(&c).await;
    wait_js(
        &c,
        "the overview",
        "return document.body.dataset.page === 'overview' ? true : null;",
    )
    .await;
    // The session ends elsewhere (an admin resets the password: every session of the user ends).
    noc::reset_password(app.dir.path(), "admin").unwrap();
    let text = wait_js(
        &c,
        "the not-live banner",
        "const b = document.getElementById('live-state'); return b && !b.hidden && b.querySelector('a') ? b.textContent : null;",
    )
    .await;
    let text = text.as_str().unwrap().to_owned();
    assert!(
        text.contains("logged out") && text.contains("Log in again"),
        "{text}"
    );
    let href = c
        .execute(
            "return document.querySelector('#live-state a').getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(href, "/login?next=%2F");
    shot(&c, "390-not-live").await;
    c.close().await.unwrap();
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_update_live_and_the_rule_form_follows_the_kind_on_a_phone() {
    if !enabled("alerts_update_live_and_the_rule_form_follows_the_kind_on_a_phone") {
        return;
    }
    let app = start().await;
    let store = app.noc.state().store.clone();
    let t0 = noc::now() - 3600;
    let id = store
        .fire_alert("log:1:fan", None, "warning", "r1 log: fan slow", "", t0)
        .unwrap();
    store
        .fire_alert("log:1:psu", None, "warning", "r1 log: psu hot", "", t0)
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/alerts?state=open&severity=warning", app.base))
        .await
        .unwrap();
    log_in(&c).await;
    wait_js(
        &c,
        "the alerts page",
        "return document.getElementById('ack-count') ? document.getElementById('ack-count').textContent === '2' : null;",
    )
    .await;
    // Give the stream a moment to connect, then the alert repeats: its row follows.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t1 = noc::now();
    store
        .fire_alert("log:1:fan", None, "warning", "r1 log: fan slow", "", t1)
        .unwrap();
    let script = format!(
        "const tr = document.querySelector('tr[data-alert=\"{id}\"]'); \
         return tr && tr.querySelector('[data-field=\"count\"]').textContent === '2' \
           ? tr.querySelector('[data-field=\"last\"]').textContent : null;"
    );
    let last = wait_js(&c, "the live count", &script).await;
    assert_eq!(last, serde_json::json!(noc::fmt::time(t1)));
    // A new alert of the filter raises the number "acknowledge all" names.
    store
        .fire_alert("log:1:disk", None, "warning", "r1 log: disk", "", t1)
        .unwrap();
    wait_js(
        &c,
        "the new count",
        "return document.getElementById('ack-count').textContent === '3' || null;",
    )
    .await;
    shot(&c, "alerts-phone").await;
    let (w, inner) = {
        let v = fits(&c).await;
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    };
    assert!(
        w <= inner + 1,
        "the alerts page fits a phone: {w} > {inner}"
    );

    // The rule form shows the chosen kind's fields only.
    c.goto(&format!("{}/alerts/rules", app.base)).await.unwrap();
    let visible = "return [...document.querySelectorAll('#rule-form [data-kinds]')] \
         .filter(g => !g.hidden).map(g => g.querySelector('input, select, textarea').name);";
    let v = wait_js(&c, "the cpu fields", visible).await;
    assert_eq!(v, serde_json::json!(["duration", "above"]));
    c.execute(
        "const k = document.querySelector('#rule-form select[name=\"kind\"]'); k.value = 'l7'; \
         k.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await
    .unwrap();
    let v = c.execute(visible, vec![]).await.unwrap();
    assert_eq!(v, serde_json::json!(["apps", "hold", "digest"]));
    let disabled = c
        .execute(
            "return document.querySelector('#rule-form input[name=\"above\"]').disabled;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        disabled,
        serde_json::json!(true),
        "hidden fields are not sent"
    );
    shot(&c, "rule-form-l7-phone").await;
    let v = fits(&c).await;
    assert!(
        v[0].as_i64().unwrap() <= v[1].as_i64().unwrap() + 1,
        "the rules page fits a phone: {v}"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_and_diagnose_on_a_phone() {
    if !enabled("devices_and_diagnose_on_a_phone") {
        return;
    }
    let app = start().await;
    let sim = app.noc.simulator().unwrap();
    let router = app.noc.state().hub.routers().into_iter().next().unwrap();
    sim.add_host("192.168.88.240", "02:00:00:00:09:01", None)
        .unwrap();
    sim.add_host("192.168.88.241", "02:00:00:00:09:02", None)
        .unwrap();
    let health = &app.noc.state().health;
    health
        .add_device("admin", &router, "AP Masjid", "192.168.88.240", None)
        .unwrap();
    health
        .add_device(
            "admin",
            &router,
            "Rumah Pak Budi Santoso (belakang masjid)",
            "192.168.88.241",
            Some("AP Masjid"),
        )
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/devices", app.base)).await.unwrap();
    log_in(&c).await;
    c.goto(&format!("{}/devices", app.base)).await.unwrap();
    wait_js(
        &c,
        "the devices page",
        "return document.getElementById('device-list') ? true : null;",
    )
    .await;
    // The router's first checks arrive on the open page, without a reload.
    c.execute("window.__noReload = true;", vec![])
        .await
        .unwrap();
    wait_js(
        &c,
        "live states",
        "const s = [...document.querySelectorAll('#device-list [data-field=status]')].map(e => e.textContent); return (window.__noReload && s.length === 2 && s.every(x => x === 'up')) ? true : null;",
    )
    .await;
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(w <= inner, "the devices page fits 390 px: {w} > {inner}");
    shot(&c, "25-devices-phone").await;
    c.goto(&format!(
        "{}/devices/diagnose?name=Rumah%20Pak%20Budi%20Santoso%20(belakang%20masjid)",
        app.base
    ))
    .await
    .unwrap();
    wait_js(
        &c,
        "the diagnose page",
        "return document.getElementById('findings') ? true : null;",
    )
    .await;
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(w <= inner, "the diagnose page fits 390 px: {w} > {inner}");
    shot(&c, "26-diagnose-phone").await;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    wait_js(
        &c,
        "the overview's health panel",
        "return document.querySelector('.health-panel') ? true : null;",
    )
    .await;
    let wide = c.execute("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));", vec![]).await.unwrap();
    let [w, inner] = serde_json::from_value::<[u64; 2]>(fits(&c).await).unwrap();
    assert!(
        w <= inner,
        "the overview fits 390 px: {w} > {inner}: {wide}"
    );
    shot(&c, "27-overview-health-phone").await;
    app.noc.shutdown().await;
}
