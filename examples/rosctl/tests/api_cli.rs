//! `rosctl api` run as a process against a fake router on a loopback port.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::{QueryWord, Reply, Request, TrapCategory};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "pw";

/// A router on 127.0.0.1:0 that answers a few commands, recording every request.
struct FakeRouter {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl FakeRouter {
    fn start() -> Self {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                while let Ok((io, _)) = listener.accept().await {
                    tokio::spawn(serve(io, log.clone()));
                }
            });
        });
        FakeRouter { addr, seen }
    }

    fn requests(&self, command: &str) -> Vec<Request> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.command.as_ref() == command.as_bytes())
            .cloned()
            .collect()
    }

    fn rosctl(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rosctl"));
        cmd.arg("--router")
            .arg(self.addr.to_string())
            .args(["--user", "admin"])
            .env("ROS_PASSWORD", PASSWORD)
            .args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.rosctl(args).output().unwrap()
    }
}

/// Rows of `/big/print`: far more than anyone reads through `| head`.
const BIG_ROWS: usize = 1_000_000;

type Writer = Arc<tokio::sync::Mutex<tokio::net::tcp::OwnedWriteHalf>>;
/// Tags of `/big/print` commands being written, with the flag that stops each.
type BigPrints = Arc<Mutex<Vec<(Bytes, Arc<AtomicBool>)>>>;

async fn serve(io: tokio::net::TcpStream, log: Arc<Mutex<Vec<Request>>>) {
    let (mut rd, wr) = io.into_split();
    let wr: Writer = Arc::new(tokio::sync::Mutex::new(wr));
    // Tags of `/big/print` commands still being written, and whether they were cancelled.
    let big: BigPrints = Arc::default();
    let mut buf = BytesMut::new();
    let mut decoder = SentenceDecoder::default();
    loop {
        let sentence = match decoder.decode(&mut buf) {
            Ok(Some(s)) if s.is_empty() => continue,
            Ok(Some(s)) => s,
            Ok(None) => match rd.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            },
            Err(e) => panic!("undecodable command: {e}"),
        };
        let req = Request::parse(sentence).unwrap();
        log.lock().unwrap().push(req.clone());
        let tag = req.tag.clone().unwrap_or_default();
        let t = |reply: Reply| reply.with_tag(tag.clone());
        let replies = match req.command.as_ref() {
            b"/login" => {
                if req.attributes.get("password") == Some(PASSWORD.as_bytes()) {
                    vec![t(Reply::done())]
                } else {
                    vec![
                        t(Reply::trap(None, "invalid user name or password (6)")),
                        t(Reply::done()),
                    ]
                }
            }
            b"/interface/print" => vec![
                t(Reply::re()
                    .with_attribute("name", "ether1")
                    .with_attribute("type", "ether")),
                t(Reply::re()
                    .with_attribute("name", "wlan1")
                    .with_attribute("type", "wlan")),
                t(Reply::done()),
            ],
            b"/big/print" => {
                let stop = Arc::new(AtomicBool::new(false));
                big.lock().unwrap().push((tag.clone(), stop.clone()));
                tokio::spawn(write_big(wr.clone(), tag.clone(), stop));
                continue;
            }
            b"/queue/simple/print" => vec![
                t(Reply::re().with_attribute("name", "q1")),
                t(Reply::re().with_attribute("name", Bytes::from_static(b"\xffq"))),
                t(Reply::done()),
            ],
            b"/ip/route/print" => vec![t(Reply::empty()), t(Reply::done())],
            b"/system/script/run" => vec![t(Reply::done().with_attribute("ret", "42"))],
            b"/interface/listen" => vec![t(Reply::re().with_attribute("name", "ether1"))],
            b"/cancel" => {
                let target = req.attributes.get_shared("tag").unwrap_or_default();
                for (tag, stop) in big.lock().unwrap().iter() {
                    if *tag == target {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                vec![
                    Reply::trap(Some(TrapCategory::Interrupted), "interrupted")
                        .with_tag(target.clone()),
                    Reply::done().with_tag(target),
                    t(Reply::done()),
                ]
            }
            _ => vec![
                t(Reply::trap(
                    Some(TrapCategory::MissingItemOrCommand),
                    "no such command",
                )),
                t(Reply::done()),
            ],
        };
        let mut out = BytesMut::new();
        for reply in replies {
            reply.encode(&mut out).unwrap();
        }
        if wr.lock().await.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// Writes `BIG_ROWS` rows in chunks until done or cancelled (TCP paces it).
async fn write_big(wr: Writer, tag: Bytes, stop: Arc<AtomicBool>) {
    let mut i = 0;
    while i < BIG_ROWS {
        let mut chunk = BytesMut::new();
        for _ in 0..500 {
            Reply::re()
                .with_attribute(".id", format!("*{i:X}"))
                .with_attribute("name", format!("queue-{i}"))
                .with_attribute("max-limit", "2000000/5000000")
                .with_tag(tag.clone())
                .encode(&mut chunk)
                .unwrap();
            i += 1;
        }
        let mut w = wr.lock().await;
        if stop.load(Ordering::SeqCst) || w.write_all(&chunk).await.is_err() {
            return;
        }
    }
    let mut chunk = BytesMut::new();
    Reply::done().with_tag(tag).encode(&mut chunk).unwrap();
    let _ = wr.lock().await.write_all(&chunk).await;
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn prints_rows_as_a_table_and_sends_words_as_typed() {
    let router = FakeRouter::start();
    let out = router.run(&[
        "api",
        "/interface/print",
        "?type=ether",
        ".proplist=name,type",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "name    type\nether1  ether\nwlan1   wlan\n",
        "table output"
    );
    let req = &router.requests("/interface/print")[0];
    assert_eq!(
        req.queries,
        [QueryWord::Eq(
            Bytes::from_static(b"type"),
            Bytes::from_static(b"ether")
        )]
    );
    assert_eq!(req.api_attributes.get("proplist").unwrap(), b"name,type");

    let out = router.run(&["api", "/system/script/run", "=number=0"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "ret=42\n");
}

#[test]
fn json_prints_every_reply_sentence() {
    let router = FakeRouter::start();
    let out = router.run(&["api", "--json", "/queue/simple/print"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tag = router.requests("/queue/simple/print")[0]
        .tag
        .clone()
        .unwrap();
    let tag = String::from_utf8(tag.to_vec()).unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"reply\":\"re\",\"tag\":\"{tag}\",\"attrs\":{{\"name\":\"q1\"}}}}\n\
             {{\"reply\":\"re\",\"tag\":\"{tag}\",\"attrs\":{{\"name\":{{\"hex\":\"ff71\"}}}}}}\n\
             {{\"reply\":\"done\",\"tag\":\"{tag}\",\"attrs\":{{}}}}\n"
        )
    );
    // Every line is valid JSON.
    let out = router.run(&["api", "--json", "/ip/route/print"]);
    let kinds: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["reply"].to_string())
        .collect();
    assert_eq!(kinds, ["\"empty\"", "\"done\""]);
}

#[test]
fn a_trap_is_one_line_and_a_failure() {
    let router = FakeRouter::start();
    let out = router.run(&["api", "/no/such/thing"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("rosctl: trap: no such command"), "{err}");

    let out = router.run(&["api", "--json", "/no/such/thing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("{\"reply\":\"trap\""));
}

#[test]
fn repl_reads_commands_from_stdin() {
    let router = FakeRouter::start();
    let mut child = router
        .rosctl(&["api"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"/interface/print ?type=ether\n\n# a comment\n/no/such\n/system/script/run \"=source=:put 1\"\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a trapped line makes the exit status 1"
    );
    let text = stdout(&out);
    assert!(text.contains("ether1  ether"), "{text}");
    assert!(text.ends_with("ret=42\n"), "{text}");
    assert!(stderr(&out).contains("no such command"));
    let run = &router.requests("/system/script/run")[0];
    assert_eq!(run.attributes.get("source").unwrap(), b":put 1");
}

#[test]
fn cannot_connect_is_one_line() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = Command::new(env!("CARGO_BIN_EXE_rosctl"))
        .args(["--router", &format!("127.0.0.1:{port}"), "api", "/x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rosctl: cannot connect to 127.0.0.1:"),
        "{err}"
    );
}

#[test]
fn bad_login_is_one_line_with_the_routers_message() {
    let router = FakeRouter::start();
    let out = router
        .rosctl(&["api", "/interface/print"])
        .env("ROS_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("login"), "{err}");
    assert!(err.contains("invalid user name or password (6)"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_a_streaming_command() {
    let router = FakeRouter::start();
    let mut child = router
        .rosctl(&["api", "/interface/listen"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "name=ether1");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean cancel exits 0: {status:?}");
    let listen_tag = router.requests("/interface/listen")[0].tag.clone().unwrap();
    let cancels = router.requests("/cancel");
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].attributes.get("tag"), Some(&listen_tag[..]));
}

/// `rosctl api ... | head -3`: the reader goes away after three lines; rosctl cancels the
/// command, exits 0 without a word, promptly, although a million rows were coming.
#[cfg(unix)]
#[test]
fn a_closed_pipe_cancels_the_command_quietly() {
    let router = FakeRouter::start();
    for json in [false, true] {
        let rosctl = router.rosctl(&[]);
        let mut line = format!(
            "set -o pipefail; '{}' --router {} --user admin api{} /big/print | head -3",
            rosctl.get_program().to_string_lossy(),
            router.addr,
            if json { " --json" } else { "" },
        );
        line.push_str("; echo \"status=$?\" >&2");
        let start = Instant::now();
        let mut child = Command::new("bash")
            .args(["-c", &line])
            .env("ROS_PASSWORD", PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Liveness bound only: a hang would take for ever.
        while child.try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "rosctl did not end"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
        assert_eq!(stderr(&out).trim(), "status=0", "quiet and successful");
        let tags: Vec<Bytes> = router
            .requests("/big/print")
            .iter()
            .filter_map(|r| r.tag.clone())
            .collect();
        let cancels = router.requests("/cancel");
        let last = tags.last().unwrap();
        assert!(
            cancels
                .iter()
                .any(|c| c.attributes.get("tag") == Some(&last[..])),
            "the router was told to stop"
        );
    }
}
