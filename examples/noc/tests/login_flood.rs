//! A flood of anonymous logins from many addresses: password hashing runs in a small pool, the
//! rest wait in a short queue or are refused at once, so memory stays bounded whatever the rate.
//! (Its own test binary, so the process's peak memory is this test's.)

mod common;

use common::*;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_is_bounded_in_memory() {
    let app = start_with(|o| {
        o.trusted_proxy("127.0.0.1".parse().unwrap());
    })
    .await;
    let before = peak_rss_kib();
    let page = client()
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    let token = csrf_of(&page.text().await.unwrap());
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let flood = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let before = before.max(peak_rss_kib());
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let (base, token, cookie) = (app.base.clone(), token.clone(), cookie.clone());
        let flood = flood.clone();
        tasks.push(tokio::spawn(async move {
            flood
                .post(format!("{base}/login"))
                .header("cookie", cookie)
                .header(
                    "x-forwarded-for",
                    format!("10.1.{}.{}", i / 250, i % 250 + 1),
                )
                .form(&[
                    ("csrf", token.as_str()),
                    ("user", &format!("user{i}")),
                    ("password", "some-guess-123"),
                ])
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let (mut wrong, mut busy) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            303 => wrong += 1,
            429 => busy += 1,
            other => panic!("unexpected answer {other}"),
        }
    }
    assert_eq!(wrong + busy, 200);
    assert!(busy > 0, "the flood was queued without bound");
    assert!(
        app.noc.state().hashing_peak() <= noc::app::MAX_HASHING,
        "{} hashes ran at once",
        app.noc.state().hashing_peak()
    );
    let grew_mib = peak_rss_kib().saturating_sub(before) / 1024;
    // Unbounded, 200 argon2 verifications at 19 MiB each would take about 3.8 GiB.
    assert!(grew_mib < 1024, "peak memory grew by {grew_mib} MiB");
    eprintln!("login flood: peak memory grew by {grew_mib} MiB");
    app.noc.shutdown().await;
}
