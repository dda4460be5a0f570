//! Encode and decode of a realistic `/queue/simple/print` reply stream: 10,000 `!re` sentences
//! of 25 attributes each, as a router with 10,000 simple queues sends them.

use benches::queue_row;
use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use routeros_proto::codec::ClientCodec;
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::Reply;
use tokio_util::codec::Decoder;

fn stream() -> (Vec<Reply>, BytesMut) {
    let rows: Vec<Reply> = (0..10_000).map(|i| queue_row(i).with_tag("7")).collect();
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
