//! Both login methods, the automatic fallback, and refused logins.

mod client_support;

use client_support::Router;
use md5::{Digest, Md5};
use routeros_proto::client::Config;
use routeros_proto::login::LoginMethod;
use routeros_proto::{Client, Error, Reply, Request};
use tokio::io::DuplexStream;

/// The expected `=response=` computed here, independently of the crate.
fn md5_response(password: &[u8], challenge: &[u8]) -> String {
    let mut h = Md5::new();
    h.update([0u8]);
    h.update(password);
    h.update(challenge);
    format!("00{}", hex::encode(h.finalize()))
}

fn start(
    configure: impl FnOnce(&mut Config),
) -> (
    tokio::task::JoinHandle<Result<Client, Error>>,
    Router<DuplexStream>,
) {
    let (client_io, router_io) = tokio::io::duplex(1 << 16);
    let mut config = Config::new("fake");
    config.user("admin").password("s3cret=ü");
    configure(&mut config);
    let task = tokio::spawn(async move { config.connect_stream(client_io).await });
    (task, Router::new(router_io))
}

fn done_for(req: &Request) -> Reply {
    let mut r = Reply::done();
    r.set_tag(req.tag.clone());
    r
}

#[tokio::test]
async fn modern_login_sends_name_and_password() {
    let (task, mut router) = start(|_| {});
    let login = router.expect().await;
    assert_eq!(login.command.as_ref(), b"/login");
    assert_eq!(login.attributes.get("name").unwrap(), b"admin");
    assert_eq!(
        login.attributes.get("password").unwrap(),
        "s3cret=ü".as_bytes()
    );
    router.send(done_for(&login)).await;
    let client = task.await.unwrap().unwrap();
    assert!(!client.is_closed());
}

#[tokio::test]
async fn automatic_fallback_to_the_md5_challenge() {
    let (task, mut router) = start(|_| {});
    let first = router.expect().await;
    assert!(first.attributes.contains("password"));
    // A pre-6.43 router ignores the password and sends a challenge.
    let challenge = "ebddd18303a54111e2dea05a92ab46b4";
    router
        .send(done_for(&first).with_attribute("ret", challenge))
        .await;
    let second = router.expect().await;
    assert_eq!(second.command.as_ref(), b"/login");
    assert_eq!(second.attributes.get("name").unwrap(), b"admin");
    let want = md5_response("s3cret=ü".as_bytes(), &hex::decode(challenge).unwrap());
    assert_eq!(
        second.attributes.get_string_lossy("response").unwrap(),
        want
    );
    assert!(!second.attributes.contains("password"));
    router.send(done_for(&second)).await;
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn explicit_challenge_login() {
    let (task, mut router) = start(|c| {
        c.login_method(LoginMethod::Challenge).password("");
    });
    let first = router.expect().await;
    assert_eq!(first.command.as_ref(), b"/login");
    assert!(first.attributes.is_empty(), "a bare /login first");
    let challenge = "00112233445566778899aabbccddeeff";
    router
        .send(done_for(&first).with_attribute("ret", challenge))
        .await;
    let second = router.expect().await;
    let want = md5_response(b"", &hex::decode(challenge).unwrap());
    assert_eq!(
        second.attributes.get_string_lossy("response").unwrap(),
        want
    );
    router.send(done_for(&second)).await;
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn wrong_password_is_a_login_error_with_the_routers_message() {
    let (task, mut router) = start(|_| {});
    let login = router.expect().await;
    let mut trap = Reply::trap(None, "invalid user name or password (6)");
    trap.set_tag(login.tag.clone());
    router.send(trap).await;
    router.send(done_for(&login)).await;
    let err = task.await.unwrap().unwrap_err();
    assert!(err.is_login(), "{err:?}");
    assert!(!err.is_closed());
    assert!(
        err.to_string()
            .contains("invalid user name or password (6)"),
        "{err}"
    );
}

#[tokio::test]
async fn wrong_challenge_response_is_refused() {
    let (task, mut router) = start(|_| {});
    let first = router.expect().await;
    router
        .send(done_for(&first).with_attribute("ret", "0011"))
        .await;
    let second = router.expect().await;
    let mut trap = Reply::trap(None, "cannot log in");
    trap.set_tag(second.tag.clone());
    router.send(trap).await;
    let err = task.await.unwrap().unwrap_err();
    assert!(err.is_login());
    assert!(err.to_string().contains("cannot log in"));
}

#[tokio::test]
async fn a_challenge_that_is_not_hex_is_a_login_error() {
    let (task, mut router) = start(|_| {});
    let first = router.expect().await;
    router
        .send(done_for(&first).with_attribute("ret", "not hex!"))
        .await;
    let err = task.await.unwrap().unwrap_err();
    assert!(err.is_login(), "{err:?}");
}

#[tokio::test]
async fn router_hanging_up_during_login() {
    let (task, mut router) = start(|_| {});
    router.expect().await;
    drop(router);
    let err = task.await.unwrap().unwrap_err();
    assert!(err.is_closed(), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn silent_router_times_out_the_login() {
    let (task, mut router) = start(|c| {
        c.connect_timeout(std::time::Duration::from_secs(3));
    });
    router.expect().await;
    let err = task.await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    drop(router);
}

#[tokio::test]
async fn the_password_never_shows_in_debug() {
    let mut config = Config::new("r");
    config.password("hunter2");
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[tokio::test]
async fn cannot_connect_is_a_connect_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let err = routeros_proto::connect(format!("127.0.0.1:{port}"), "admin", "")
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(err.to_string().starts_with("cannot connect to 127.0.0.1:"));
    let err = routeros_proto::connect("127.0.0.1:notaport", "admin", "")
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}
