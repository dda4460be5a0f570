//! A scriptable fake router for the client tests.
#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use routeros_proto::client::Config;
use routeros_proto::codec::ServerCodec;
use routeros_proto::{Client, Reply, Request};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio_util::codec::Framed;

/// The router's end of a connection.
pub struct Router<S> {
    pub framed: Framed<S, ServerCodec>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Router<S> {
    pub fn new(io: S) -> Self {
        Router {
            framed: Framed::new(io, ServerCodec::default()),
        }
    }

    /// The next command, or `None` once the client hung up.
    pub async fn recv(&mut self) -> Option<Request> {
        match self.framed.next().await {
            Some(Ok(Ok(req))) => Some(req),
            Some(Ok(Err(e))) => panic!("client sent a malformed command: {e}"),
            Some(Err(_)) | None => None,
        }
    }

    /// The next command, which must exist.
    pub async fn expect(&mut self) -> Request {
        self.recv().await.expect("client hung up")
    }

    pub async fn send(&mut self, reply: Reply) {
        self.framed.send(reply).await.expect("send reply");
    }

    /// Writes bytes as they are, without framing.
    pub async fn raw(&mut self, bytes: &[u8]) {
        self.framed.get_mut().write_all(bytes).await.expect("write");
        self.framed.get_mut().flush().await.expect("flush");
    }

    /// Answers a modern login with `!done`.
    pub async fn accept_login(&mut self) -> Request {
        let login = self.expect().await;
        assert_eq!(login.command.as_ref(), b"/login");
        let mut done = Reply::done();
        done.set_tag(login.tag.clone());
        self.send(done).await;
        login
    }
}

/// Encodes a reply to bytes.
pub fn encode(reply: &Reply) -> BytesMut {
    let mut buf = BytesMut::new();
    reply.encode(&mut buf).expect("encode");
    buf
}

/// The tag of a request.
pub fn tag(req: &Request) -> Bytes {
    req.tag.clone().expect("every command carries a tag")
}

/// A client connected over an in-memory pipe to a router that accepted the login.
pub async fn connected(configure: impl FnOnce(&mut Config)) -> (Client, Router<DuplexStream>) {
    let (client_io, router_io) = tokio::io::duplex(1 << 20);
    let mut config = Config::new("fake-router");
    config.user("admin").password("pw");
    configure(&mut config);
    let connecting = tokio::spawn(async move { config.connect_stream(client_io).await });
    let mut router = Router::new(router_io);
    router.accept_login().await;
    let client = connecting.await.expect("join").expect("connect");
    (client, router)
}
