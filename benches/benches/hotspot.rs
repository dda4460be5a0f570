//! Hotspot vouchers and sales reports:
//!
//! - `voucher_generate`: a batch of 500 `vc` codes (6 lower-case letters and digits, MIKHMON's
//!   shape) checked against 10,000 existing user names of the same shape, with a seeded
//!   ChaCha generator and with the operating system's generator.
//! - `sales_report`: a monthly report from 100,000 `/system/script` rows (parse every record
//!   name, filter by month, total per day and per profile), half of them in RouterOS 7.10's
//!   date form, across a month boundary, with one malformed record in a thousand.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use queue_model::clock::Date;
use queue_model::hotspot::mikhmon::UserMode;
use queue_model::hotspot::report::{Period, Report};
use queue_model::hotspot::voucher::{BatchBuilder, BatchSpec, Charset};
use queue_model::Text;
use rand::rngs::{OsRng, StdRng};
use rand::SeedableRng;
use routeros_proto::Attributes;

const EXISTING: usize = 10_000;
const BATCH: usize = 500;
const RECORDS: usize = 100_000;

fn spec(count: usize) -> BatchSpec {
    BatchBuilder::new(
        UserMode::Voucher,
        count,
        "1Day",
        Date::new(2024, 7, 15).unwrap(),
    )
    .charset(Charset::Lower)
    .length(6)
    .note("warung")
    .build()
    .unwrap()
}

/// 10,000 names of the batch's own shape: earlier batches on the same router.
fn existing() -> HashSet<Text> {
    let mut rng = StdRng::seed_from_u64(1);
    let mut names = HashSet::new();
    while names.len() < EXISTING {
        let batch = spec(BATCH).generate(&names, &mut rng).unwrap();
        names.extend(batch.users.into_iter().map(|u| u.name));
    }
    names
}

fn bench_vouchers(c: &mut Criterion) {
    let existing = existing();
    let spec = spec(BATCH);
    let batch = spec
        .generate(&existing, &mut StdRng::seed_from_u64(2))
        .unwrap();
    assert_eq!(batch.users.len(), BATCH);
    let fresh: HashSet<&Text> = batch.users.iter().map(|u| &u.name).collect();
    assert_eq!(fresh.len(), BATCH);
    assert!(batch.users.iter().all(|u| !existing.contains(&u.name)));

    let mut g = c.benchmark_group("voucher_generate");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut rng = StdRng::seed_from_u64(3);
    g.bench_function("500_vs_10k_existing_chacha", |b| {
        b.iter(|| black_box(spec.generate(&existing, &mut rng).unwrap()))
    });
    g.bench_function("500_vs_10k_existing_os_rng", |b| {
        b.iter(|| black_box(spec.generate(&existing, &mut OsRng).unwrap()))
    });
    g.finish();
}

/// `/system/script/print ?comment=mikhmon` rows: July 25 to August 9, 2024, the router
/// upgraded to 7.16 halfway, so half the names use each date form.
fn rows() -> Vec<Attributes> {
    let profiles = [
        ("3Jam", 2000),
        ("1Day", 5000),
        ("1Week", 25_000),
        ("1Month", 50_000),
    ];
    let mut out = Vec::with_capacity(RECORDS);
    let mut name = String::new();
    for i in 0..RECORDS {
        let day = 25 + i * 16 / RECORDS; // 25..=40: jul/25 .. aug/09
        let (m, d) = if day <= 31 { (7, day) } else { (8, day - 31) };
        let (profile, price) = profiles[i % profiles.len()];
        name.clear();
        if i % 2 == 0 {
            let mon = if m == 7 { "jul" } else { "aug" };
            let _ = write!(name, "{mon}/{d:02}/2024");
        } else {
            let _ = write!(name, "2024-{m:02}-{d:02}");
        }
        let price = if i % 1000 == 999 {
            "Rp5.000".to_owned()
        } else {
            price.to_string()
        };
        let _ = write!(
            name,
            "-|-{:02}:{:02}:{:02}-|-vc{i:06}-|-{price}-|-10.5.{}.{}-|-AA:BB:CC:{:02X}:{:02X}:{:02X}-|-1d-|-{profile}-|-vc-{}-07.20.24-warung",
            i % 24,
            i % 60,
            (i / 60) % 60,
            i / 256 % 256,
            i % 256,
            i / 65536 % 256,
            i / 256 % 256,
            i % 256,
            100 + i % 900
        );
        let mut a = Attributes::new();
        a.push(".id", format!("*{:X}", i + 1));
        a.push("name", name.clone());
        a.push("owner", if i % 2 == 0 { "jul2024" } else { "072024" });
        a.push("comment", "mikhmon");
        out.push(a);
    }
    out
}

fn bench_report(c: &mut Criterion) {
    let rows = rows();
    let august = Period::Month("2024-08".parse().unwrap());
    let r = Report::from_rows(&rows, august);
    let all = Report::from_rows(&rows, Period::All);
    assert_eq!(all.count + all.skipped_count(), RECORDS as u64);
    assert_eq!(all.skipped["bad-price"], (RECORDS / 1000) as u64);
    assert_eq!(
        r.count + r.outside_period + r.skipped_count(),
        RECORDS as u64
    );
    assert_eq!(
        r.by_day.len(),
        9,
        "aug/01 .. aug/09 in both forms fall on 9 days"
    );
    assert!(r.count > 50_000 && r.total > 0);

    let mut g = c.benchmark_group("sales_report");
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("month_of_100k_rows", |b| {
        b.iter(|| black_box(Report::from_rows(black_box(&rows), august)))
    });
    g.finish();
}

criterion_group!(benches, bench_vouchers, bench_report);
criterion_main!(benches);
