//! A wire-level test client: raw sentences out, replies decoded by routeros-proto's codec.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::StreamExt;
use ros_sim::{RunningSim, SimConfig, Simulator};
use routeros_proto::codec::ClientCodec;
use routeros_proto::sentence::encode_sentence;
use routeros_proto::{Reply, ReplyKind};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio_util::codec::FramedRead;

/// A simulator on a free loopback port with a stopped clock (tests tick it).
pub async fn sim(setup: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut config = SimConfig::new();
    config
        .listen("127.0.0.1:0".parse().unwrap())
        .tick_interval(None);
    setup(&mut config);
    Simulator::start(config).await.unwrap()
}

pub struct Conn {
    pub rd: FramedRead<OwnedReadHalf, ClientCodec>,
    pub wr: OwnedWriteHalf,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        let (r, w) = TcpStream::connect(addr).await.unwrap().into_split();
        Conn {
            rd: FramedRead::new(r, ClientCodec::default()),
            wr: w,
        }
    }

    /// Connects and logs in as admin with an empty password.
    pub async fn login(addr: SocketAddr) -> Conn {
        let mut c = Conn::open(addr).await;
        let r = c.call(&["/login", "=name=admin", "=password="]).await;
        assert_eq!(r.last().unwrap().kind(), &ReplyKind::Done, "{r:?}");
        c
    }

    pub async fn send(&mut self, words: &[&str]) {
        let mut buf = BytesMut::new();
        encode_sentence(words, &mut buf).unwrap();
        self.wr.write_all(&buf).await.unwrap();
    }

    /// The next reply (panics after 10 s: a hung test is a failure, not a timing assertion).
    pub async fn next(&mut self) -> Option<Reply> {
        tokio::time::timeout(Duration::from_secs(10), self.rd.next())
            .await
            .expect("no reply within 10 s")
            .map(|r| r.expect("decodable reply"))
    }

    /// Replies up to and including the first `!done` or `!fatal`.
    pub async fn until_done(&mut self) -> Vec<Reply> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            let end = matches!(r.kind(), ReplyKind::Done | ReplyKind::Fatal);
            out.push(r);
            if end {
                break;
            }
        }
        out
    }

    pub async fn call(&mut self, words: &[&str]) -> Vec<Reply> {
        self.send(words).await;
        self.until_done().await
    }
}

pub fn attr(r: &Reply, name: &str) -> String {
    r.attributes().get_string_lossy(name).unwrap_or_default()
}

pub fn rows(replies: &[Reply]) -> Vec<&Reply> {
    replies
        .iter()
        .filter(|r| r.kind() == &ReplyKind::Re)
        .collect()
}

pub fn tag(r: &Reply) -> String {
    r.tag()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .unwrap_or_default()
}
