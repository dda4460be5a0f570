//! Flow control over real TCP: a print far larger than the row buffer, read by a consumer
//! slower than the router, arrives complete and in order, in memory that does not grow with
//! the row count (the connection pushes back on the socket instead of buffering or dropping).

use std::alloc::System;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::{SinkExt, StreamExt};
use routeros_proto::client::Config;
use routeros_proto::codec::ServerCodec;
use routeros_proto::{Command, Reply};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_util::codec::Framed;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes of heap in use by the whole process right now.
fn live_heap() -> isize {
    // `bytes_allocated` and `bytes_deallocated` include what reallocations grew and shrank.
    let s = GLOBAL.stats();
    let allocated = isize::try_from(s.bytes_allocated).unwrap_or(isize::MAX);
    let freed = isize::try_from(s.bytes_deallocated).unwrap_or(isize::MAX);
    allocated - freed
}

const ROWS: usize = 200_000;

/// A queue row the size of a real one (27 attributes, about 400 bytes on the wire).
fn row(i: usize, tag: &[u8]) -> Reply {
    let mut r = Reply::re().with_tag(tag.to_vec());
    let a = r.attributes_mut();
    a.push(".id", format!("*{:X}", i + 1));
    a.push("name", format!("q{i}"));
    a.push(
        "target",
        format!("10.{}.{}.{}/32", i >> 16 & 255, i >> 8 & 255, i & 255),
    );
    for (k, v) in [
        ("parent", "none"),
        ("packet-marks", ""),
        ("priority", "8/8"),
        ("queue", "default-small/default-small"),
        ("limit-at", "0/0"),
        ("max-limit", "2000000/5000000"),
        ("burst-limit", "0/0"),
        ("burst-threshold", "0/0"),
        ("burst-time", "0s/0s"),
        ("bucket-size", "0.1/0.1"),
        ("total-bytes", "0"),
        ("total-packets", "0"),
        ("total-dropped", "0"),
        ("total-rate", "0"),
        ("queued-bytes", "0/0"),
        ("queued-packets", "0/0"),
        ("invalid", "false"),
        ("dynamic", "false"),
        ("disabled", "false"),
    ] {
        a.push(k, v);
    }
    for k in ["bytes", "packets", "dropped", "rate", "packet-rate"] {
        a.push(k, format!("{}/{}", i * 7, i * 13));
    }
    r
}

/// A router that answers `/queue/simple/print` with `ROWS` rows generated as they are written,
/// so the router itself holds almost nothing: only TCP can slow it down.
async fn router(listener: TcpListener) {
    let (sock, _) = listener.accept().await.unwrap();
    let mut framed = Framed::new(sock, ServerCodec::default());
    while let Some(Ok(Ok(req))) = framed.next().await {
        let tag = req.tag.clone().unwrap_or_default();
        if req.command.as_ref() == b"/queue/simple/print" {
            let sock = framed.get_mut();
            let mut chunk = BytesMut::with_capacity(64 << 10);
            for i in 0..ROWS {
                row(i, &tag).encode(&mut chunk).unwrap();
                if chunk.len() >= 60 << 10 {
                    sock.write_all(&chunk).await.unwrap();
                    chunk.clear();
                }
            }
            Reply::done().with_tag(tag).encode(&mut chunk).unwrap();
            sock.write_all(&chunk).await.unwrap();
        } else {
            // `/login` and anything else
            framed.send(Reply::done().with_tag(tag)).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_huge_print_read_slowly_arrives_whole_in_bounded_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(router(listener));
    let client = Config::new(addr).connect().await.unwrap();

    let baseline = live_heap();
    let mut peak = baseline;
    let mut rows = client
        .stream(Command::new("/queue/simple/print"))
        .await
        .unwrap();
    let mut n = 0usize;
    while let Some(r) = rows.next().await {
        let r = r.unwrap();
        assert_eq!(
            r.get("name").unwrap(),
            format!("q{n}").as_bytes(),
            "in order"
        );
        assert_eq!(r.len(), 27);
        n += 1;
        // A consumer slower than the router: it pauses regularly, as a write to a slow pipe
        // or a terminal would.
        if n % 2_000 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if n % 100 == 0 {
            peak = peak.max(live_heap());
        }
    }
    assert_eq!(n, ROWS, "every row arrived");
    // The rows are about 80 MB on the wire; what is in flight at any time is the row buffer
    // (1,024 rows) and the read buffer. A client that buffered or leaked rows would pass 32 MB
    // long before the end.
    let grown = peak - baseline;
    assert!(grown < 8 << 20, "heap grew by {grown} bytes");
    assert!(!client.is_closed());
    server.abort();
}
