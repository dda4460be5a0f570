//! The billing cycle over 5,000 customers on one router (ros-sim over real TCP): how long a
//! run takes, and how many writes the router sees — counted on the wire by a proxy that
//! decodes the client's sentences with routeros-proto's own decoder.
//!
//! `cargo bench -p noc --bench billing`

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use noc::storage::billing::NewCustomer;
use noc::storage::Store;
use routeros_proto::sentence::SentenceDecoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CUSTOMERS: usize = 5_000;
/// Customers who have not paid (and are isolated by the run).
const UNPAID: usize = 250;

#[derive(Default)]
struct Counts {
    reads: AtomicUsize,
    writes: AtomicUsize,
}

/// A proxy to `target` that counts the client's commands: prints as reads, everything else
/// (set, remove, add) as writes.
async fn counting_proxy(target: std::net::SocketAddr, counts: Arc<Counts>) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = l.accept().await else {
                return;
            };
            let server = TcpStream::connect(target).await.unwrap();
            let counts = counts.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                });
                let mut dec = SentenceDecoder::default();
                let mut buf = BytesMut::new();
                let mut chunk = vec![0u8; 64 << 10];
                loop {
                    let n = match cr.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if sw.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Ok(Some(s)) = dec.decode(&mut buf) {
                        let Some(cmd) = s.words().first() else {
                            continue;
                        };
                        if cmd.ends_with(b"/print") || cmd.as_ref() == b"/login" {
                            counts.reads.fetch_add(1, Ordering::Relaxed);
                        } else {
                            counts.writes.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    addr
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = ros_sim::SimConfig::new();
        c.listen("127.0.0.1:0".parse().unwrap())
            .password("bench-pass")
            .queues(1)
            .hosts(1)
            .tick_interval(None);
        let sim = ros_sim::Simulator::start(c).await.unwrap();
        let h = sim.handle();
        h.add("/ppp/profile", &[("name", "paket-10M"), ("rate-limit", "10M/10M")])
            .unwrap();
        h.add("/ppp/profile", &[("name", "isolir"), ("rate-limit", "256k/256k")])
            .unwrap();
        for i in 0..CUSTOMERS {
            let name = format!("c{i:05}");
            h.add("/ppp/secret", &[("name", &name), ("password", "p"), ("profile", "paket-10M")])
                .unwrap();
        }
        let store = Store::in_memory().unwrap();
        let package = store.upsert_package("10 Mbps", "paket-10M", 150_000).unwrap();
        for i in 0..CUSTOMERS {
            let name = format!("c{i:05}");
            let mut n = NewCustomer::new(&name, 1, &name, 5, 3, "2026-11-05");
            n.package_id = Some(package);
            store.add_customer(&n).unwrap();
        }
        let settings = noc::billing::Settings::default();
        let counts = Arc::new(Counts::default());
        let proxy = counting_proxy(sim.addr(), counts.clone()).await;
        let mut cc = routeros_proto::Config::new(proxy.to_string());
        cc.user("admin").password("bench-pass");
        let client = cc.connect().await.unwrap();
        let clients: HashMap<i64, routeros_proto::Client> = [(1, client)].into();

        // The billing day: 5,000 invoices, no router change.
        let t = Instant::now();
        let r = noc::billing::run_cycle(&store, &settings, &clients, "2026-11-05".parse().unwrap(), false, "bench", None)
            .await
            .unwrap();
        let issue = t.elapsed();
        assert_eq!(r.invoices.len(), CUSTOMERS);
        let (reads0, writes0) = (counts.reads.load(Ordering::Relaxed), counts.writes.load(Ordering::Relaxed));

        // Everyone but UNPAID customers pays; after the grace days the run isolates the rest.
        let customers = store.customers().unwrap();
        for c in customers.iter().skip(UNPAID) {
            let p = noc::storage::billing::NewPayment::new(c.id, 150_000, "cash", "bench", "2026-11-10");
            store.add_payment(&p).unwrap();
        }
        let t = Instant::now();
        let r = noc::billing::run_cycle(&store, &settings, &clients, "2026-11-19".parse().unwrap(), false, "bench", None)
            .await
            .unwrap();
        let isolate = t.elapsed();
        assert_eq!(r.isolated.len(), UNPAID);
        let writes = counts.writes.load(Ordering::Relaxed) - writes0;
        let reads = counts.reads.load(Ordering::Relaxed) - reads0;

        // The same day again: nothing to do.
        let t = Instant::now();
        let r = noc::billing::run_cycle(&store, &settings, &clients, "2026-11-19".parse().unwrap(), false, "bench", None)
            .await
            .unwrap();
        let idle = t.elapsed();
        assert!(r.is_empty());
        let idle_writes = counts.writes.load(Ordering::Relaxed) - writes0 - writes;

        println!("billing cycle, {CUSTOMERS} customers on one router (ros-sim over TCP):");
        println!("  billing day (issue {CUSTOMERS} invoices): {:.2} s, router writes: {writes0}", issue.as_secs_f64());
        println!(
            "  isolation day ({UNPAID} unpaid): {:.2} s, router writes: {writes} ({} secrets moved, no sessions), reads: {reads}",
            isolate.as_secs_f64(),
            UNPAID
        );
        println!("  the same day again: {:.2} s, router writes: {idle_writes}", idle.as_secs_f64());
        sim.shutdown().await;
    });
}
