//! The web server under floods and hostile clients: bodies are not read before a session is
//! known, logins are limited before their password is verified and without locking the real
//! user out, connections are bounded and slow ones closed, sessions end when they must.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes and reads what comes back until the server closes (or `limit` passes).
async fn raw(addr: std::net::SocketAddr, req: &[u8], limit: Duration) -> (String, Duration) {
    let t0 = Instant::now();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, s.read_to_end(&mut out)).await;
    (String::from_utf8_lossy(&out).into_owned(), t0.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_bodies_are_refused_before_they_are_read() {
    let app = start().await;
    // Headers announce 8 MiB, only 1 KiB follows: the answer must not wait for the rest.
    let head = "POST /queues/apply HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8388608\r\n\r\n";
    let mut req = head.as_bytes().to_vec();
    req.extend(std::iter::repeat_n(b'a', 1024));
    let (resp, took) = raw(app.noc.addr(), &req, Duration::from_secs(5)).await;
    assert!(resp.starts_with("HTTP/1.1 403"), "{resp}");
    assert!(took < Duration::from_secs(5), "answered without the body");
    // A logged-in form is limited to 64 KiB; a capture upload takes up to 8 MiB.
    let c = client();
    let csrf = login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let big = "x".repeat(100 << 10);
    let r = c
        .post(format!("{}/users", app.base))
        .form(&[("csrf", csrf.as_str()), ("name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let pcap = vec![0u8; 3 << 20];
    let r = c
        .post(format!("{}/api/l7/pcap", app.base))
        .header("x-csrf-token", &csrf)
        .body(pcap)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a 3 MiB upload is read (and is not a pcap)"
    );
    let r = c
        .post(format!("{}/api/l7/pcap", app.base))
        .header("x-csrf-token", &csrf)
        .body(vec![0u8; (8 << 20) + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_guesses_are_counted_before_verification() {
    let app = start().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let base = app.base.clone();
        let noc_app = (app.noc.addr(), base);
        tasks.push(tokio::spawn(async move {
            let c = client();
            let page = c
                .get(format!("{}/login", noc_app.1))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let token = csrf_of(&page);
            let password = if i == 29 {
                ADMIN_PASSWORD
            } else {
                "wrong-guess"
            };
            c.post(format!("{}/login", noc_app.1))
                .form(&[
                    ("csrf", token.as_str()),
                    ("user", "admin"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut evaluated = 0;
    for t in tasks {
        if t.await.unwrap() != 429 {
            evaluated += 1;
        }
    }
    assert!(
        evaluated <= 5,
        "{evaluated} of 30 simultaneous guesses were evaluated"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_from_one_address_do_not_lock_out_the_user_elsewhere() {
    let app = start_with(|o| {
        o.trusted_proxy("127.0.0.1".parse().unwrap());
    })
    .await;
    let from = |c: &reqwest::Client, ip: &'static str, password: &'static str| {
        let c = c.clone();
        let base = app.base.clone();
        async move {
            let page = c
                .get(format!("{base}/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let token = csrf_of(&page);
            c.post(format!("{base}/login"))
                .header("x-forwarded-for", ip)
                .form(&[
                    ("csrf", token.as_str()),
                    ("user", "admin"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let attacker = client();
    for _ in 0..5 {
        from(&attacker, "203.0.113.9", "guess-guess").await;
    }
    assert_eq!(
        from(&attacker, "203.0.113.9", ADMIN_PASSWORD).await,
        429,
        "the guessing address is blocked"
    );
    let admin = client();
    assert_eq!(
        from(&admin, "198.51.100.7", ADMIN_PASSWORD).await,
        303,
        "the real admin elsewhere logs in"
    );
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_and_connections_are_bounded() {
    let app = start_with(|o| {
        let mut l = noc::server::Limits::default();
        l.max_connections = 4;
        l.header_read_timeout = Duration::from_secs(1);
        o.http_limits(l);
    })
    .await;
    let addr = app.noc.addr();
    // Headers that never end are cut after the timeout.
    let (_, took) = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        took < Duration::from_secs(5),
        "slow headers closed in {took:?}"
    );
    // Four idle connections hold every slot: the fifth is refused clearly, not left hanging.
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (resp, _) = raw(
        addr,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    assert!(resp.contains("too many connections"), "{resp}");
    // Idle connections are closed by the server after the timeout...
    for mut s in idle {
        let mut buf = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "an idle connection was left open");
    }
    // ...and the dashboard answers again.
    eventually("a free connection slot", || async {
        reqwest::get(format!("{}/healthz", app.base))
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_your_password_ends_your_other_sessions() {
    let app = start().await;
    let mine = client();
    let stolen = client();
    let csrf = login_ok(&app, &mine, "admin", ADMIN_PASSWORD).await;
    login_ok(&app, &stolen, "admin", ADMIN_PASSWORD).await;
    let id = app
        .noc
        .state()
        .store
        .user_by_name("admin")
        .unwrap()
        .unwrap()
        .id;
    let r = mine
        .post(format!("{}/users/{id}/password", app.base))
        .form(&[("csrf", csrf.as_str()), ("password", "a-new-password-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (s, _) = get_text(&mine, &format!("{}/queues", app.base)).await;
    assert_eq!(s, 200, "the session that changed the password stays");
    let r = stolen
        .get(format!("{}/queues", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "every other session ended");
    app.noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_restart_and_next_stays_on_site() {
    let dir = tempfile::tempdir().unwrap();
    let start_in = |dir: &std::path::Path| {
        let mut o = noc::Options::new(dir);
        o.listen("127.0.0.1:0".parse().unwrap())
            .admin_password(ADMIN_PASSWORD)
            .simulator_size(2, 2);
        noc::Noc::start(o)
    };
    let noc1 = start_in(dir.path()).await.unwrap();
    let app = App {
        base: format!("http://{}", noc1.addr()),
        noc: noc1,
        dir: tempfile::tempdir().unwrap(),
    };
    let c = client();
    // A tab in `next` would become `//evil.example` in a browser: it goes to `/`.
    let page = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&page);
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", token.as_str()),
            ("user", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/\t/evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    app.noc.shutdown().await;
    let noc2 = start_in(dir.path()).await.unwrap();
    let cookie_jar_client = c;
    // Same cookie, new process and port: the cookie store is per host, so send it by hand.
    let r = cookie_jar_client
        .get(format!("http://{}/queues", noc2.addr()))
        .send()
        .await
        .unwrap();
    let restarted = r.status().as_u16();
    noc2.shutdown().await;
    assert_eq!(restarted, 200, "the session outlived the restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_are_bounded_per_session() {
    let app = start().await;
    let c = client();
    login_ok(&app, &c, "admin", ADMIN_PASSWORD).await;
    let mut open = Vec::new();
    for _ in 0..noc::web::sse::MAX_STREAMS_PER_SESSION {
        let r = c
            .get(format!("{}/events/overview", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        open.push(r);
    }
    let r = c
        .get(format!("{}/events/overview", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "one session cannot open streams without end"
    );
    // Another user's session is not affected, and closing a stream frees its slot.
    drop(open.pop());
    let mut freed = false;
    for _ in 0..50 {
        let r = c
            .get(format!("{}/events/overview", app.base))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(freed, "a closed stream gives its slot back");
    app.noc.shutdown().await;
}
