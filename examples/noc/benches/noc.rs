//! noc performance: a router with 10,000 simple queues polled every second (poller CPU), the
//! queue page and `/metrics` with 10,000 queues, and the database size after a simulated year
//! of history for 1,000 queues.
//!
//! `cargo bench -p noc` (the one-off figures are printed before criterion's).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use noc::series::{encode_points, Block, Tier};
use noc::storage::Store;

const QUEUES: usize = 10_000;

/// CPU seconds (user + system) of this process, or of the calling thread.
fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after the command.
    (ticks(11) + ticks(12)) / 100.0
}

struct SimThread {
    addr: std::net::SocketAddr,
    cpu: mpsc::Sender<mpsc::Sender<f64>>,
}

/// Runs the simulator on its own thread (current-thread runtime) so its CPU can be told apart.
fn start_sim(queues: usize) -> SimThread {
    let (tx, rx) = mpsc::channel();
    let (cpu_tx, cpu_rx) = mpsc::channel::<mpsc::Sender<f64>>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut c = ros_sim::SimConfig::new();
            c.listen("127.0.0.1:0".parse().unwrap())
                .password("bench-pass")
                .queues(queues)
                .hosts(50)
                .max_connections(64);
            let sim = ros_sim::Simulator::start(c).await.unwrap();
            tx.send(sim.addr()).unwrap();
            loop {
                while let Ok(reply) = cpu_rx.try_recv() {
                    let _ = reply.send(cpu_seconds("/proc/thread-self/stat"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    });
    SimThread {
        addr: rx.recv().unwrap(),
        cpu: cpu_tx,
    }
}

fn sim_cpu(sim: &SimThread) -> f64 {
    let (tx, rx) = mpsc::channel();
    sim.cpu.send(tx).unwrap();
    rx.recv().unwrap()
}

fn simulated_year() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let series: Vec<i64> = (0..1000)
        .map(|i| store.series_id(1, "queue", &format!("q{i}")).unwrap())
        .collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % 100_000_000
    };
    // A UTC midnight (2023-11-15).
    let start: i64 = 1_700_006_400;
    let started = Instant::now();
    for day in 0..365 {
        let t0 = start + day * 86_400;
        let mut blocks = Vec::with_capacity(25 * series.len());
        for &s in &series {
            let hours: Vec<_> = (0..24).map(|_| Some((rnd(), rnd()))).collect();
            blocks.push(Block {
                series: s,
                tier: Tier::Hour,
                start: t0,
                data: encode_points(&hours),
            });
            for h in 0..24 {
                let mins: Vec<_> = (0..60).map(|_| Some((rnd(), rnd()))).collect();
                blocks.push(Block {
                    series: s,
                    tier: Tier::Minute,
                    start: t0 + h * 3600,
                    data: encode_points(&mins),
                });
            }
        }
        store.write_blocks(&blocks).unwrap();
        store.prune(t0 + 86_400).unwrap();
    }
    // The 1 s tier keeps one hour: the last hour of the year.
    let end = start + 365 * 86_400;
    let mut blocks = Vec::new();
    for &s in &series {
        for m in 0..60 {
            let secs: Vec<_> = (0..60).map(|_| Some((rnd(), rnd()))).collect();
            blocks.push(Block {
                series: s,
                tier: Tier::Second,
                start: end - 3600 + m * 60,
                data: encode_points(&secs),
            });
        }
    }
    store.write_blocks(&blocks).unwrap();
    store.prune(end).unwrap();
    drop(store);
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("noc.db"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "simulated year, 1,000 queues: database {:.1} MB ({:.0} s to write)",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}

fn benches(c: &mut Criterion) {
    simulated_year();

    let sim = start_sim(QUEUES);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, client, router) = rt.block_on(async {
        let file: noc::FileConfig = format!(
            "[[router]]\nname = 'big'\naddress = '127.0.0.1'\nport = {}\nuser = 'admin'\npassword = 'bench-pass'\n",
            sim.addr.port()
        )
        .parse()
        .unwrap();
        let mut o = noc::Options::new(dir.path());
        o.listen("127.0.0.1:0".parse().unwrap())
            .admin_password("bench-password")
            .file_config(file);
        let app = noc::Noc::start(o).await.unwrap();
        let router = app.state().hub.routers()[0].clone();
        let deadline = Instant::now() + Duration::from_secs(120);
        while router.live().queues.len() < QUEUES {
            assert!(Instant::now() < deadline, "queues not polled: {:?}", router.live().status);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let base = format!("http://{}", app.addr());
        let page = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
        let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        let token = &page[i..i + 64];
        client
            .post(format!("{base}/login"))
            .form(&[("csrf", token), ("user", "admin"), ("password", "bench-password")])
            .send()
            .await
            .unwrap();
        (app, client, router.id)
    });
    let base = format!("http://{}", app.addr());

    // Poller CPU: the whole process minus the simulator's thread, over 20 polls.
    let (p0, s0, polls0) = (
        cpu_seconds("/proc/self/stat"),
        sim_cpu(&sim),
        app.state().hub.routers()[0].live().polls_ok,
    );
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(20));
    let (p1, s1, polls1) = (
        cpu_seconds("/proc/self/stat"),
        sim_cpu(&sim),
        app.state().hub.routers()[0].live().polls_ok,
    );
    let wall = t0.elapsed().as_secs_f64();
    let live = app.state().hub.routers()[0].live();
    println!(
        "poller, {QUEUES} queues every 1 s: {:.1}% of one core ({} polls in {:.0} s, last poll {} ms; simulator thread {:.1}%)",
        ((p1 - p0) - (s1 - s0)) / wall * 100.0,
        polls1 - polls0,
        wall,
        live.last_poll_ms,
        (s1 - s0) / wall * 100.0
    );

    let mut g = c.benchmark_group("noc_10k_queues");
    g.sample_size(20);
    g.throughput(Throughput::Elements(QUEUES as u64));
    let page_url = format!("{base}/queues?router={router}&sort=rate&dir=desc&page=3");
    let first = rt.block_on(async {
        client
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(
        first.contains("queue-table") && first.contains("10000"),
        "queue page renders"
    );
    g.bench_function("queue_page_sorted_by_rate", |b| {
        b.iter(|| {
            rt.block_on(async {
                client
                    .get(&page_url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            })
        })
    });
    let filter_url = format!("{base}/queues?router={router}&q=queue99");
    g.bench_function("queue_page_filtered", |b| {
        b.iter(|| {
            rt.block_on(async {
                client
                    .get(&filter_url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            })
        })
    });
    let metrics_url = format!("{base}/metrics");
    let m = rt.block_on(async {
        client
            .get(&metrics_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(
        m.contains("name=\"queue10000\""),
        "metrics cover every queue"
    );
    g.bench_function("metrics", |b| {
        b.iter(|| {
            rt.block_on(async {
                client
                    .get(&metrics_url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            })
        })
    });
    g.finish();
    rt.block_on(app.shutdown());
}

criterion_group!(group, benches);
criterion_main!(group);
