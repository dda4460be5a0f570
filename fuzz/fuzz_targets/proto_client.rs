//! Arbitrary bytes as the router's side of a connection, with four commands in flight.
//! Oracle: the client never panics and never hangs; every command ends once the router's
//! bytes run out (the router then closes the connection).
//!
//! The client logs in first (the harness answers with `!done`), so the input starts right
//! after the login. The commands get tags `1` to `4`:
//! 1: `execute`, 2: a stream read slowly with a 4-reply buffer, 3: `replies`, 4: `execute`.
#![no_main]
use std::time::Duration;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use routeros_proto::client::Config;
use routeros_proto::sentence::SentenceDecoder;
use routeros_proto::{Command, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fuzz_target!(|data: &[u8]| {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        let (client_io, router_io) = tokio::io::duplex(1 << 16);
        let (mut router_rx, mut router_tx) = tokio::io::split(router_io);
        // The router waits for the login and the four commands, then reads (and drops)
        // whatever else the client sends.
        let (seen_tx, seen_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let mut buf = BytesMut::new();
            let mut decoder = SentenceDecoder::default();
            let mut sentences = 0;
            let mut seen_tx = Some(seen_tx);
            loop {
                while let Ok(Some(_)) = decoder.decode(&mut buf) {
                    sentences += 1;
                }
                if sentences >= 5 {
                    if let Some(tx) = seen_tx.take() {
                        let _ = tx.send(());
                    }
                    buf.clear();
                    decoder.reset();
                }
                match router_rx.read_buf(&mut buf).await {
                    Ok(n) if n > 0 => {}
                    _ => return,
                }
            }
        });
        let mut config = Config::new("fuzz");
        let mut limits = Limits::default();
        limits
            .max_word_len(4096)
            .max_words(256)
            .max_sentence_len(64 * 1024);
        config
            .limits(limits)
            .row_buffer(4)
            .command_timeout(None)
            .connect_timeout(Duration::from_secs(30));
        // `!done` for the login, then the input, then end of stream.
        let input = data.to_vec();
        let router = async move {
            let _ = router_tx
                .write_all(&[5, b'!', b'd', b'o', b'n', b'e', 0])
                .await;
            // Replies start once all four commands are in flight.
            let _ = seen_rx.await;
            let _ = router_tx.write_all(&input).await;
            let _ = router_tx.shutdown().await;
        };
        let client = async move {
            let Ok(client) = config.connect_stream(client_io).await else {
                return;
            };
            let a = client.execute(Command::new("/a"));
            let b = async {
                let Ok(mut s) = client.stream(Command::new("/b")).await else {
                    return;
                };
                // Read slowly: let everything else run first.
                for _ in 0..16 {
                    tokio::task::yield_now().await;
                }
                while s.recv().await.is_some() {}
            };
            let c = async {
                let Ok(mut s) = client.replies(Command::new("/c")).await else {
                    return;
                };
                while let Some(item) = s.recv().await {
                    if item.is_err() {
                        break;
                    }
                }
            };
            let d = client.execute(Command::new("/d"));
            let _ = tokio::join!(a, b, c, d);
            // After the input ends the connection is closed, and the client notices.
            while !client.is_closed() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        let all = async { tokio::join!(router, client) };
        if tokio::time::timeout(Duration::from_secs(20), all)
            .await
            .is_err()
        {
            panic!("the client hung");
        }
    });
});
