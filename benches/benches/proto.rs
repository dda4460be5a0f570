//! Encode and decode of a realistic `/queue/simple/print` reply stream: 10,000 `!re` sentences
//! of 25 attributes each, as a router with 10,000 simple queues sends them.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use routeros_proto::codec::ClientCodec;
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::Reply;
use tokio_util::codec::Decoder;

/// One `!re` row of `/queue/simple/print` with the attributes RouterOS returns.
fn queue_row(i: usize) -> Reply {
    let mut r = Reply::re().with_tag("7");
    let a = r.attributes_mut();
    a.push(".id", format!("*{:X}", i + 1));
    a.push("name", format!("house-{i:05}"));
    a.push(
        "target",
        format!("10.{}.{}.{}/32", i / 65536 % 256, i / 256 % 256, i % 256),
    );
    a.push("parent", "none");
    a.push("packet-marks", "");
    a.push("priority", "8/8");
    a.push("queue", "default-small/default-small");
    a.push("limit-at", "0/0");
    a.push("max-limit", "2000000/5000000");
    a.push("burst-limit", "0/0");
    a.push("burst-threshold", "0/0");
    a.push("burst-time", "0s/0s");
    a.push("bucket-size", "0.1/0.1");
    a.push("bytes", format!("{}/{}", i * 1_234_567, i * 7_654_321));
    a.push("total-bytes", "0");
    a.push("packets", format!("{}/{}", i * 1234, i * 7654));
    a.push("total-packets", "0");
    a.push("dropped", format!("{}/{}", i % 17, i % 29));
    a.push("total-dropped", "0");
    a.push(
        "rate",
        format!("{}/{}", i * 13 % 2_000_000, i * 37 % 5_000_000),
    );
    a.push("total-rate", "0");
    a.push("packet-rate", format!("{}/{}", i % 300, i % 900));
    a.push("queued-bytes", "0/0");
    a.push("queued-packets", "0/0");
    a.push("invalid", "false");
    a.push("dynamic", "false");
    a.push("disabled", "false");
    r
}

fn stream() -> (Vec<Reply>, BytesMut) {
    let rows: Vec<Reply> = (0..10_000).map(queue_row).collect();
    let mut wire = BytesMut::new();
    for r in &rows {
        r.encode(&mut wire).unwrap();
    }
    Reply::done().with_tag("7").encode(&mut wire).unwrap();
    (rows, wire)
}

fn bench(c: &mut Criterion) {
    let (rows, wire) = stream();
    let wire = wire.freeze();

    // Check once what is timed: the decoder yields every row, intact.
    let mut codec = ClientCodec::default();
    let mut buf = BytesMut::from(&wire[..]);
    let mut n = 0;
    while let Some(r) = codec.decode(&mut buf).unwrap() {
        if n < rows.len() {
            assert_eq!(r, rows[n]);
        }
        n += 1;
    }
    assert_eq!(n, rows.len() + 1);

    let mut group = c.benchmark_group("queue_print_10k");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.sample_size(30);

    group.bench_function(BenchmarkId::new("decode", "sentences"), |b| {
        b.iter_batched_ref(
            || BytesMut::from(&wire[..]),
            |buf| {
                let mut dec = SentenceDecoder::default();
                let mut n = 0;
                while let Some(s) = dec.decode(buf).unwrap() {
                    n += s.len();
                }
                n
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function(BenchmarkId::new("decode", "replies"), |b| {
        b.iter_batched_ref(
            || BytesMut::from(&wire[..]),
            |buf| {
                let mut codec = ClientCodec::default();
                let mut n = 0;
                while let Some(r) = codec.decode(buf).unwrap() {
                    n += r.attributes().len();
                }
                n
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let mut out = BytesMut::with_capacity(wire.len());
    group.bench_function(BenchmarkId::new("encode", "replies"), |b| {
        b.iter(|| {
            out.clear();
            for r in &rows {
                r.encode(&mut out).unwrap();
            }
            out.len()
        })
    });
    // The same rows as a decoder produces them: names and values are slices of each
    // sentence's frame, contiguous in memory (as a relay or a router simulator holds them).
    let mut codec = ClientCodec::default();
    let mut buf = BytesMut::from(&wire[..]);
    let mut framed_rows = Vec::with_capacity(rows.len());
    while let Some(r) = codec.decode(&mut buf).unwrap() {
        framed_rows.push(r);
    }
    framed_rows.pop();
    group.bench_function(BenchmarkId::new("encode", "framed_replies"), |b| {
        b.iter(|| {
            out.clear();
            for r in &framed_rows {
                r.encode(&mut out).unwrap();
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
