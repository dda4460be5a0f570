//! The async client end to end, against a fake router over an in-memory pipe.
//!
//! - `client_print_10k`: `/queue/simple/print` answered with 10,000 `!re` rows of 27
//!   attributes, read with `Client::print` (collect) and `Client::stream` (row by row).
//! - `client_concurrent`: 1,000 small commands in flight at once on one connection.
//! - `client_print_10k/ceiling`: the same print read by a bare loop that only splits the
//!   stream into sentences and words (no reply parsing, routing or collection): the most any
//!   client could do over this pipe. The client's `print` is measured against it.
//!
//! The fake router prepares the print reply once per tag length and only patches the `.tag`
//! values per request, so the figures are the client's (decode, routing, collection), plus one
//! copy through the pipe.

use std::collections::HashMap;
use std::sync::Arc;

use benches::queue_row;
use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::{SinkExt, StreamExt};
use routeros_proto::client::Config;
use routeros_proto::codec::ServerCodec;
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::{Client, Command, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio_util::codec::Framed;

const ROWS: usize = 10_000;
const CONCURRENT: usize = 1_000;
const PRINT: &[u8] = b"/queue/simple/print";

/// The encoded print reply for tags of one length, and where each `.tag` value sits.
struct Template {
    wire: BytesMut,
    tag_at: Vec<usize>,
}

impl Template {
    fn new(rows: &[Reply], tag_len: usize) -> Self {
        let placeholder = Bytes::from(vec![b'0'; tag_len]);
        let mut wire = BytesMut::new();
        let mut tag_at = Vec::with_capacity(rows.len() + 1);
        for r in rows.iter().cloned().chain([Reply::done()]) {
            r.with_tag(placeholder.clone()).encode(&mut wire).unwrap();
            // The tag is the last word, just before the closing zero-length word.
            tag_at.push(wire.len() - 1 - tag_len);
        }
        Template { wire, tag_at }
    }

    fn retag(&mut self, tag: &[u8]) -> &[u8] {
        for &at in &self.tag_at {
            self.wire[at..at + tag.len()].copy_from_slice(tag);
        }
        &self.wire
    }
}

/// Runs the fake router: logs in, answers the print with the rows, anything else with `!done`.
async fn router(io: tokio::io::DuplexStream, rows: Arc<Vec<Reply>>) {
    let mut framed = Framed::new(io, ServerCodec::default());
    let mut templates: HashMap<usize, Template> = HashMap::new();
    while let Some(Ok(Ok(req))) = framed.next().await {
        let tag = req.tag.clone().unwrap_or_default();
        if req.command.as_ref() == PRINT {
            let template = templates
                .entry(tag.len())
                .or_insert_with(|| Template::new(&rows, tag.len()));
            let wire = template.retag(&tag);
            if framed.get_mut().write_all(wire).await.is_err() {
                return;
            }
        } else if req.command.as_ref() != b"/cancel"
            && framed.send(Reply::done().with_tag(tag)).await.is_err()
        {
            return;
        }
    }
}

fn connect(rt: &Runtime, rows: Arc<Vec<Reply>>) -> Client {
    rt.block_on(async move {
        let (client_io, router_io) = tokio::io::duplex(1 << 20);
        tokio::spawn(router(router_io, rows));
        let mut config = Config::new("bench-router");
        // Large enough that `stream` measures throughput, not the lag guard.
        config.row_buffer(ROWS + 16);
        config.connect_stream(client_io).await.unwrap()
    })
}

async fn print(client: &Client) -> usize {
    client
        .print(Command::new("/queue/simple/print"))
        .await
        .unwrap()
        .len()
}

async fn stream(client: &Client) -> usize {
    let mut rows = client
        .stream(Command::new("/queue/simple/print"))
        .await
        .unwrap();
    let mut n = 0;
    while let Some(row) = rows.next().await {
        n += row.unwrap().len();
    }
    n
}

/// A raw connection to the fake router, logged in: the ceiling's socket.
async fn raw_connection(rows: Arc<Vec<Reply>>) -> tokio::io::DuplexStream {
    let (io, router_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(router(router_io, rows));
    let mut io = io;
    let mut login = BytesMut::new();
    Command::builder("/login")
        .attribute("name", "admin")
        .attribute("password", "")
        .tag("l")
        .build()
        .encode(&mut login)
        .unwrap();
    io.write_all(&login).await.unwrap();
    let mut buf = BytesMut::new();
    let mut decoder = SentenceDecoder::default();
    while decoder.decode_frame(&mut buf).unwrap().is_none() {
        io.read_buf(&mut buf).await.unwrap();
    }
    io
}

/// The ceiling: sends the print and reads the reply with only the framing work (sentences and
/// words), counting rows until `!done`.
async fn ceiling(io: &mut tokio::io::DuplexStream, buf: &mut BytesMut) -> usize {
    let mut cmd = BytesMut::new();
    Command::builder("/queue/simple/print")
        .tag("1000")
        .build()
        .encode(&mut cmd)
        .unwrap();
    io.write_all(&cmd).await.unwrap();
    let mut decoder = SentenceDecoder::default();
    let mut rows = 0;
    loop {
        match decoder.decode_frame(buf).unwrap() {
            Some(frame) => {
                let first = decoder.word_ranges().first().copied().unwrap_or((0, 0));
                match &frame[first.0..first.1] {
                    b"!re" => rows += 1,
                    b"!done" => return rows,
                    _ => {}
                }
            }
            None => {
                io.read_buf(buf).await.unwrap();
            }
        }
    }
}

async fn concurrent(client: &Client) -> usize {
    let calls: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(
                async move { client.execute(Command::new("/system/identity/print")).await },
            )
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        call.await.unwrap().unwrap();
        ok += 1;
    }
    ok
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rows: Arc<Vec<Reply>> = Arc::new((0..ROWS).map(queue_row).collect());
    let attributes: usize = rows.iter().map(|r| r.attributes().len()).sum();
    let client = connect(&rt, rows.clone());

    // Check once what is timed: every row arrives intact, every command completes.
    rt.block_on(async {
        let got = client
            .print(Command::new("/queue/simple/print"))
            .await
            .unwrap();
        assert_eq!(got.len(), ROWS);
        for (got, want) in got.iter().zip(rows.iter()) {
            assert_eq!(got, want.attributes());
        }
        assert_eq!(stream(&client).await, attributes);
        assert_eq!(concurrent(&client).await, CONCURRENT);
    });
    // Wire bytes of one print reply (4-digit tags, as most timed commands have).
    let wire_len = Template::new(&rows, 4).wire.len() as u64;

    let mut raw = rt.block_on(raw_connection(rows.clone()));
    let mut raw_buf = BytesMut::with_capacity(64 << 10);
    assert_eq!(rt.block_on(ceiling(&mut raw, &mut raw_buf)), ROWS);

    let mut group = c.benchmark_group("client_print_10k");
    group.throughput(Throughput::Bytes(wire_len));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("ceiling", "split words"), |b| {
        b.iter(|| {
            let n = rt.block_on(ceiling(&mut raw, &mut raw_buf));
            assert_eq!(n, ROWS);
            n
        })
    });
    group.bench_function(BenchmarkId::new("print", "collect"), |b| {
        b.iter(|| {
            let n = rt.block_on(print(&client));
            assert_eq!(n, ROWS);
            n
        })
    });
    group.bench_function(BenchmarkId::new("stream", "rows"), |b| {
        b.iter(|| {
            let n = rt.block_on(stream(&client));
            assert_eq!(n, attributes);
            n
        })
    });
    group.finish();

    let mut group = c.benchmark_group("client_concurrent");
    group.throughput(Throughput::Elements(CONCURRENT as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("execute", CONCURRENT), |b| {
        b.iter(|| rt.block_on(concurrent(&client)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
