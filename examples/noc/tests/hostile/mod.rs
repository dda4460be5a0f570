//! A hostile router over real TCP: it logs in like RouterOS, then answers one command with an
//! endless stream (rows of thousands of tiny words, or firewall log lines), pushing as fast
//! as noc reads.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;
use routeros_proto::codec::ServerCodec;
use routeros_proto::Reply;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

/// What the router floods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flood {
    /// `/queue/simple/print` answered with endless `!re` rows of 4,000 `=a=` words.
    QueueRows,
    /// `/log/print` answered with endless firewall lines.
    LogLines,
}

/// A running hostile router.
pub struct Hostile {
    pub addr: SocketAddr,
    /// Connections accepted (logins).
    pub connections: Arc<AtomicU64>,
    /// Bytes of flood written.
    pub flooded: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn word(dst: &mut BytesMut, w: &[u8]) {
    // Words here are short (< 0x80 bytes): a one-byte length.
    let len = u8::try_from(w.len()).expect("short word");
    assert!(len < 0x80);
    dst.put_u8(len);
    dst.put_slice(w);
}

/// One `!re` row of `n` `=a=` words for `tag`.
fn tiny_row(tag: &[u8], n: usize) -> Bytes {
    let mut b = BytesMut::new();
    word(&mut b, b"!re");
    for _ in 0..n {
        word(&mut b, b"=a=");
    }
    let mut t = b".tag=".to_vec();
    t.extend_from_slice(tag);
    word(&mut b, &t);
    b.put_u8(0);
    b.freeze()
}

fn log_row(tag: &[u8], i: u64) -> Bytes {
    let msg = format!(
        "tiktok forward: in:bridge out:ether1, proto TCP, 192.168.88.{}:5{:04}->1.2.3.4:443, len 140",
        i % 250 + 1,
        i % 10_000
    );
    let r = Reply::re()
        .with_attribute("topics", "firewall,info")
        .with_attribute("message", msg)
        .with_tag(Bytes::copy_from_slice(tag));
    let mut b = BytesMut::new();
    r.encode(&mut b).expect("encode");
    b.freeze()
}

fn encode(r: Reply) -> Bytes {
    let mut b = BytesMut::new();
    r.encode(&mut b).expect("encode");
    b.freeze()
}

/// Starts a hostile router on `127.0.0.1:0`.
pub async fn start(flood: Flood) -> Hostile {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicU64::new(0));
    let flooded = Arc::new(AtomicU64::new(0));
    let (c, f) = (connections.clone(), flooded.clone());
    let task = tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(serve(sock, flood, f.clone()));
        }
    });
    Hostile {
        addr,
        connections,
        flooded,
        task,
    }
}

async fn serve(sock: tokio::net::TcpStream, flood: Flood, flooded: Arc<AtomicU64>) {
    let (rd, mut wr) = sock.into_split();
    // Small channel: the writer blocks on TCP, the flood blocks on the channel.
    let (tx, mut rx) = mpsc::channel::<Bytes>(4);
    let writer = tokio::spawn(async move {
        while let Some(b) = rx.recv().await {
            if wr.write_all(&b).await.is_err() {
                return;
            }
        }
    });
    let mut reader = FramedRead::new(rd, ServerCodec::default());
    let mut floods = Vec::new();
    while let Some(Ok(Ok(req))) = reader.next().await {
        let tag = req.tag.clone().unwrap_or_default();
        let path = req.command.as_ref().to_vec();
        let flooding = match flood {
            Flood::QueueRows => path == b"/queue/simple/print",
            Flood::LogLines => path == b"/log/print",
        };
        if flooding {
            let (tx, flooded) = (tx.clone(), flooded.clone());
            floods.push(tokio::spawn(async move {
                let mut i = 0u64;
                loop {
                    let chunk = match flood {
                        Flood::QueueRows => tiny_row(&tag, 4_000),
                        Flood::LogLines => {
                            let mut b = BytesMut::new();
                            for _ in 0..64 {
                                b.extend_from_slice(&log_row(&tag, i));
                                i += 1;
                            }
                            b.freeze()
                        }
                    };
                    flooded.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    if tx.send(chunk).await.is_err() {
                        return;
                    }
                }
            }));
            continue;
        }
        if path == b"/log/print" || path == b"/cancel" {
            // Follows stay open; cancels are ignored (the flood goes on until noc hangs up).
            continue;
        }
        if path == b"/system/resource/print" {
            let row = Reply::re()
                .with_attribute("cpu-load", "1")
                .with_attribute("version", "7.15 (hostile)")
                .with_tag(tag.clone());
            if tx.send(encode(row)).await.is_err() {
                break;
            }
        }
        let mut done = Reply::done();
        done.set_tag(Some(tag));
        if tx.send(encode(done)).await.is_err() {
            break;
        }
    }
    for f in floods {
        f.abort();
    }
    drop(tx);
    let _ = writer.await;
}

/// This process's resident memory, bytes.
pub fn rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// CPU time this process used (user + system), seconds.
pub fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name.
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// noc.toml routers: `(name, addr, password)`.
pub fn routers(list: &[(&str, SocketAddr, &str)]) -> noc::FileConfig {
    let mut s = String::new();
    for (name, addr, pw) in list {
        s.push_str(&format!(
            "[[router]]\nname = \"{name}\"\naddress = \"{}\"\nport = {}\nuser = \"admin\"\npassword = \"{pw}\"\n",
            addr.ip(),
            addr.port()
        ));
    }
    s.parse().unwrap()
}
