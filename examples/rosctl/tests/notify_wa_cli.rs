//! `rosctl notify --channel whatsapp|gateway` against the fake Cloud API and a fake gateway.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use wa_notify::fake::{FakeCloudApi, FakeConfig};
use wa_notify::PhoneNumber;

const NUMBER: &str = "+62 812-3456-7890";

fn number() -> PhoneNumber {
    NUMBER.parse().unwrap()
}

async fn run(envs: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rosctl"));
    cmd.arg("notify")
        .args(args)
        .env_remove("WHATSAPP_TOKEN")
        .env_remove("WHATSAPP_PHONE_NUMBER_ID")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("spawn rosctl");
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.as_bytes()).unwrap();
        drop(pipe);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

async fn fake() -> FakeCloudApi {
    let mut cfg = FakeConfig::default();
    cfg.pair_interval = Some(Duration::from_millis(100));
    cfg.jitter = Duration::from_millis(60);
    FakeCloudApi::start_with(cfg).await
}

async fn whatsapp(fake: &FakeCloudApi, token: &str, extra: &[&str], stdin: &str) -> Output {
    let url = fake.url();
    let pnid = fake.phone_number_id();
    let mut args = vec![
        "--channel",
        "whatsapp",
        "--to",
        NUMBER,
        "--api-url",
        &url,
        "--phone-number-id",
        &pnid,
        "--pair-interval",
        "0.1",
    ];
    args.extend_from_slice(extra);
    run(&[("WHATSAPP_TOKEN", token)], &args, stdin).await
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn texts(fake: &FakeCloudApi) -> Vec<String> {
    fake.delivered(&number()).iter().map(|d| d.text()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_lines_go_to_a_whatsapp_number_in_order_within_the_pair_rate() {
    let fake = fake().await;
    fake.mark_inbound(&number());
    let input: String = (0..5).map(|i| format!("*r{i}* down\n")).collect();
    let out = whatsapp(&fake, &fake.token(), &["--try-text-first"], &input).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        texts(&fake),
        (0..5).map(|i| format!("*r{i}* down")).collect::<Vec<_>>()
    );
    assert!(fake.delivered(&number()).iter().all(|d| !d.is_template()));
    assert_eq!(fake.pair_limited(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_window_the_template_carries_the_flattened_text() {
    let fake = fake().await;
    let out = whatsapp(
        &fake,
        &fake.token(),
        &[
            "--template",
            "noc_alert",
            "--template-lang",
            "id",
            "--paragraphs",
        ],
        "core-sw1 down\nsince 10:42\n",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let got = fake.delivered(&number());
    assert_eq!(got.len(), 1);
    assert!(got[0].is_template());
    assert_eq!(got[0].text(), "core-sw1 down | since 10:42");

    // text first, refused with 131047, then the template
    let out = whatsapp(
        &fake,
        &fake.token(),
        &[
            "--template",
            "noc_alert",
            "--template-lang",
            "id",
            "--try-text-first",
            "r2 down",
        ],
        "",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fake.window_refused(), 1);
    assert_eq!(texts(&fake).last().unwrap(), "r2 down");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_window_without_template_is_one_clear_line() {
    let fake = fake().await;
    let out = whatsapp(&fake, &fake.token(), &["hello"], "").await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("24-hour window"), "{err}");
    assert!(fake.all_delivered().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_stops_at_once_and_is_never_printed() {
    let fake = fake().await;
    fake.mark_inbound(&number());
    let token = "EAAWrongTokenValue0123456789";
    let out = whatsapp(&fake, token, &[], "a\nb\nc\n").await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("access token"), "{err}");
    assert!(err.contains("3 message(s) not sent"), "{err}");
    assert!(!err.contains(token));
    assert_eq!(fake.requests(), 1, "no retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_token_number_and_id_are_refused() {
    let fake = fake().await;
    let out = run(
        &[],
        &[
            "--channel",
            "whatsapp",
            "--to",
            NUMBER,
            "--phone-number-id",
            "1",
            "hi",
        ],
        "",
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("WHATSAPP_TOKEN"), "{}", stderr(&out));
    let out = run(
        &[("WHATSAPP_TOKEN", "x")],
        &["--channel", "whatsapp", "hi"],
        "",
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--to"), "{}", stderr(&out));
    let out = run(
        &[("WHATSAPP_TOKEN", "x")],
        &["--channel", "whatsapp", "--to", NUMBER, "hi"],
        "",
    )
    .await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--phone-number-id"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &[("WHATSAPP_TOKEN", "x")],
        &[
            "--channel",
            "whatsapp",
            "--to",
            "0812",
            "--phone-number-id",
            "1",
            "hi",
        ],
        "",
    )
    .await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid phone number"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &[],
        &[
            "--channel",
            "whatsapp",
            "--to",
            NUMBER,
            "--template",
            "x",
            "hi",
        ],
        "",
    )
    .await;
    assert!(!out.status.success(), "--template needs --template-lang");
    assert!(fake.all_delivered().is_empty());
}

#[derive(Clone, Default)]
struct Gw(Arc<Mutex<Vec<String>>>);

async fn gateway() -> (String, Gw) {
    let gw = Gw::default();
    let app = Router::new()
        .route(
            "/send",
            post(|State(g): State<Gw>, body: Bytes| async move {
                g.0.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                r#"{"status":true}"#
            }),
        )
        .with_state(gw.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, gw)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_from_a_config_file_gets_the_messages() {
    let (url, gw) = gateway().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fonnte.toml");
    std::fs::write(
        &path,
        format!(
            "url = \"{url}/send\"\ncontent_type = \"form\"\nbody = \"target={{to}}&message={{text}}\"\n\
             [headers]\nAuthorization = \"${{FONNTE_TOKEN}}\"\n[success]\njson_pointer = \"/status\"\nequals = true\n"
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let out = run(
        &[("FONNTE_TOKEN", "tok")],
        &[
            "--channel",
            "gateway",
            "--gateway-config",
            p,
            "--to",
            NUMBER,
            "--pair-interval",
            "0.05",
        ],
        "a & b\nc\n",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        *gw.0.lock().unwrap(),
        vec![
            "target=6281234567890&message=a+%26+b",
            "target=6281234567890&message=c"
        ]
    );

    // a config error names the line
    std::fs::write(
        &path,
        "url = \"http://x\"\nbody = \"{to} {text}\"\nmethod = 5\n",
    )
    .unwrap();
    let out = run(
        &[],
        &[
            "--channel",
            "gateway",
            "--gateway-config",
            p,
            "--to",
            NUMBER,
            "x",
        ],
        "",
    )
    .await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
