//! Pacing decisions of `tg_notify::pacing::Pacer`, and message splitting.

use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tg_notify::pacing::{Decision, Limits, Pacer};
use tg_notify::{html, split, ParseMode};

const CHATS: i64 = 1_000;
const PER_CHAT: u64 = 100;

/// Schedules every message with simulated time; returns how many were sent and the span.
fn schedule_all(limits: Limits) -> (u64, Duration) {
    let t0 = Instant::now();
    let mut pacer = Pacer::new(limits);
    for chat in 0..CHATS {
        // a tenth of the chats are groups
        pacer.push(chat, chat % 10 == 0, PER_CHAT, t0);
    }
    let mut now = t0;
    let mut sent = 0;
    loop {
        match pacer.next(now) {
            Decision::Send(chat) => {
                sent += 1;
                pacer.complete(&chat, true, now);
            }
            Decision::WaitUntil(t) => now = t,
            Decision::Idle => return (sent, now - t0),
        }
    }
}

fn pacing(c: &mut Criterion) {
    let limits = Limits::default();
    // correctness once before timing: everything scheduled, at no more than 30 messages/s
    let (sent, span) = schedule_all(limits);
    let total = u64::try_from(CHATS).unwrap() * PER_CHAT;
    assert_eq!(sent, total);
    let floor =
        limits.global_interval * u32::try_from(total - u64::from(limits.global_burst)).unwrap();
    assert!(span >= floor, "{span:?} < {floor:?}");

    let mut g = c.benchmark_group("tg_pacing");
    g.throughput(Throughput::Elements(total));
    g.bench_function(BenchmarkId::new("schedule", "100k_msgs_1k_chats"), |b| {
        b.iter(|| black_box(schedule_all(black_box(limits))))
    });
    g.finish();
}

fn splitting(c: &mut Criterion) {
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "<b>Маршрутизатор {i}</b> 🚀 <code>{}</code> недоступен\n",
            html::escape("ether1 <-> gw & co")
        ));
    }
    let parts = split(&text, ParseMode::Html);
    assert!(parts.len() >= 3);
    for p in &parts {
        assert!(html::to_plain(p).is_ok());
    }
    let mut g = c.benchmark_group("tg_split");
    g.throughput(Throughput::Bytes(u64::try_from(text.len()).unwrap()));
    g.bench_function("html_30k", |b| {
        b.iter(|| black_box(split(black_box(&text), ParseMode::Html)))
    });
    g.finish();
}

criterion_group!(benches, pacing, splitting);
criterion_main!(benches);
