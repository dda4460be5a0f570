//! Hostile and heavy clients: each ends with `!fatal` or a close, memory stays bounded, and
//! other connections keep working.

mod common;

use std::time::Duration;

use common::{attr, sim, Conn};
use routeros_proto::ReplyKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes; returns what it sent.
async fn read_to_close(mut s: TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("server closes the connection");
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn protocol_violations_end_with_fatal_and_others_carry_on() {
    let sim = sim(|_| {}).await;
    let mut bystander = Conn::login(sim.addr()).await;
    let cases: [&[u8]; 3] = [
        // A reserved control byte where a length is expected.
        &[0xF8, 0x01, 0x02],
        // A 4 GiB length prefix.
        &[0xF0, 0xFF, 0xFF, 0xFF, 0xFF, b'x'],
        // A word longer than the configured limit (64 KiB), announced in 4 bytes.
        &[0xE0, 0x10, 0x00, 0x00],
    ];
    for bytes in cases {
        let mut s = TcpStream::connect(sim.addr()).await.unwrap();
        s.write_all(bytes).await.unwrap();
        let got = read_to_close(s).await;
        assert!(contains(&got, b"!fatal"), "{bytes:02X?} → {got:?}");
    }
    // Garbage that happens to frame as words: either a trap or a fatal, then we hang up.
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    s.write_all(b"\x05hello\x03abc\x00GET / HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    s.shutdown().await.unwrap();
    let got = read_to_close(s).await;
    assert!(
        contains(&got, b"!fatal") || contains(&got, b"!trap"),
        "{got:?}"
    );
    let r = bystander.call(&["/system/identity/print"]).await;
    assert_eq!(attr(&r[0], "name"), "MikroTik");
}

#[tokio::test]
async fn a_million_word_sentence_is_refused_without_buffering_it() {
    let sim = sim(|_| {}).await;
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    let mut sentence = Vec::with_capacity(2_000_000);
    sentence.extend_from_slice(b"\x0a/interface");
    for _ in 0..1_000_000 {
        sentence.extend_from_slice(b"\x01x");
    }
    sentence.push(0);
    // The server stops reading once the word limit is hit: the write may fail midway.
    let (mut rd, mut wr) = s.split();
    let writer = async {
        let _ = wr.write_all(&sentence).await;
    };
    let mut got = Vec::new();
    let reader = tokio::time::timeout(Duration::from_secs(10), rd.read_to_end(&mut got));
    let (_, read) = tokio::join!(writer, reader);
    assert!(read.is_ok(), "server closed the connection");
    assert!(contains(&got, b"!fatal"), "{got:?}");
    drop(s);
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_and_others_are_served() {
    let sim = sim(|c| {
        c.queues(20_000)
            .hosts(0)
            .write_timeout(Duration::from_millis(300));
    })
    .await;
    let rss_before = rss_kib();
    let mut hog = TcpStream::connect(sim.addr()).await.unwrap();
    let mut login = bytes::BytesMut::new();
    routeros_proto::sentence::encode_sentence(&["/login", "=name=admin", "=password="], &mut login)
        .unwrap();
    hog.write_all(&login).await.unwrap();
    let mut print = bytes::BytesMut::new();
    routeros_proto::sentence::encode_sentence(&["/queue/simple/print"], &mut print).unwrap();
    // Ask for ~100 MB of replies and never read them.
    let flood = async {
        for _ in 0..20 {
            if hog.write_all(&print).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), flood).await;
    // Meanwhile another client is served normally.
    let mut other = Conn::login(sim.addr()).await;
    let r = other.call(&["/queue/simple/print", "=count-only="]).await;
    assert_eq!(r[0].ret().unwrap(), b"20000");
    // The hog is closed by the server once its writes stall. Reading would drain the replies,
    // so we only keep writing: once the server has closed the socket, writes fail.
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if hog.write_all(&print).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "server closed the stalled connection");
    let grown = rss_kib().saturating_sub(rss_before);
    assert!(grown < 200 * 1024, "memory grew by {grown} KiB");
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_logins() {
    let sim = sim(|c| {
        c.password("pw");
    })
    .await;
    let addr = sim.addr();
    let mut tasks = Vec::new();
    for i in 0..200 {
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(addr).await;
            let r = c.call(&["/login", "=name=admin", "=password=pw"]).await;
            assert_eq!(r[0].kind(), &ReplyKind::Done);
            let tag = format!(".tag={i}");
            let r = c.call(&["/system/resource/print", &tag]).await;
            assert_eq!(common::tag(&r[0]), i.to_string());
            assert_eq!(attr(&r[0], "board-name"), "hAP ax^3");
            c
        }));
    }
    let mut conns = Vec::new();
    for t in tasks {
        conns.push(t.await.unwrap());
    }
    assert_eq!(conns.len(), 200);
}
