//! Shared helpers: start noc in-process on port 0 with its own data dir and embedded
//! simulator, and log in over HTTP.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub struct App {
    pub noc: noc::Noc,
    pub base: String,
    pub dir: tempfile::TempDir,
}

pub async fn start() -> App {
    start_with(|_| {}).await
}

pub async fn start_with(f: impl FnOnce(&mut noc::Options)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut options = noc::Options::new(dir.path());
    options
        .listen("127.0.0.1:0".parse().unwrap())
        .admin_password(ADMIN_PASSWORD)
        .poll_interval(Duration::from_millis(300))
        .simulator_size(6, 6);
    f(&mut options);
    let noc = noc::Noc::start(options).await.unwrap();
    let base = format!("http://{}", noc.addr());
    App { noc, base, dir }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of `name="csrf" value="..."` or `data-csrf="..."` in a page.
pub fn csrf_of(html: &str) -> String {
    for marker in ["name=\"csrf\" value=\"", "data-csrf=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest[..rest.find('"').unwrap()].to_owned();
        }
    }
    panic!("no CSRF token in page: {html}");
}

/// Logs in; returns the session's CSRF token.
pub async fn login(
    app: &App,
    c: &reqwest::Client,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let page = c.get(format!("{}/login", app.base)).send().await.unwrap();
    let html = page.text().await.unwrap();
    let token = csrf_of(&html);
    c.post(format!("{}/login", app.base))
        .form(&[
            ("csrf", token.as_str()),
            ("user", user),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn login_ok(app: &App, c: &reqwest::Client, user: &str, password: &str) -> String {
    let r = login(app, c, user, password).await;
    assert_eq!(r.status(), 303, "login as {user} failed");
    assert_eq!(r.headers()["location"], "/");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("noc_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let html = c
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_of(&html)
}

/// Waits until `f` returns true (polling), panicking after a generous timeout.
pub async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

pub async fn get_text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

pub fn router_id(app: &App) -> i64 {
    app.noc.state().hub.routers()[0].id
}
