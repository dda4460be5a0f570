//! The client against a fake router over `tokio::io::duplex`.

mod client_support;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use client_support::{connected, encode, tag};
use futures_util::StreamExt;
use routeros_proto::{Command, Reply, ReplyKind, TrapCategory};

fn row(tag: &Bytes, name: &str, value: impl AsRef<[u8]>) -> Reply {
    Reply::re()
        .with_attribute(name, value)
        .with_tag(tag.clone())
}

fn done(tag: &Bytes) -> Reply {
    Reply::done().with_tag(tag.clone())
}

#[tokio::test]
async fn execute_collects_rows_ret_and_keeps_bytes() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .execute(
                    Command::builder("/interface/print")
                        .proplist(["name"])
                        .build(),
                )
                .await
        }
    });
    let req = router.expect().await;
    assert_eq!(req.command.as_ref(), b"/interface/print");
    assert_eq!(req.api_attributes.get("proplist").unwrap(), b"name");
    let t = tag(&req);
    router.send(row(&t, "name", "ether1")).await;
    // A value that is not UTF-8 and contains '=' and a newline arrives byte for byte.
    router
        .send(row(&t, "name", Bytes::from_static(b"a=b\n\xff\x00")))
        .await;
    router.send(done(&t).with_attribute("ret", "*1A")).await;
    let resp = call.await.unwrap().unwrap();
    assert_eq!(resp.rows.len(), 2);
    assert_eq!(resp.rows[0].get("name").unwrap(), b"ether1");
    assert_eq!(resp.rows[1].get("name").unwrap(), b"a=b\n\xff\x00");
    assert_eq!(resp.ret().unwrap().as_ref(), b"*1A");
    assert!(!resp.empty);
}

#[tokio::test]
async fn empty_means_zero_rows() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.execute(Command::new("/ip/route/print")).await }
    });
    let t = tag(&router.expect().await);
    router.send(Reply::empty().with_tag(t.clone())).await;
    router.send(done(&t)).await;
    let resp = call.await.unwrap().unwrap();
    assert!(resp.rows.is_empty());
    assert!(resp.empty);
}

#[tokio::test]
async fn every_trap_is_kept() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/ip/address/add")).await }
    });
    let t = tag(&router.expect().await);
    router
        .send(
            Reply::trap(
                Some(TrapCategory::ArgumentValue),
                "invalid value for argument address",
            )
            .with_attribute("extra", "kept")
            .with_tag(t.clone()),
        )
        .await;
    router
        .send(Reply::trap(None, "second problem").with_tag(t.clone()))
        .await;
    router.send(done(&t)).await;
    let err = call.await.unwrap().unwrap_err();
    let trap = err.trap().expect("a trap error");
    assert_eq!(trap.category, Some(TrapCategory::ArgumentValue));
    assert_eq!(trap.message, "invalid value for argument address");
    assert_eq!(err.traps().len(), 2);
    assert_eq!(err.traps()[1].message, "second problem");
    assert!(err
        .to_string()
        .contains("invalid value for argument address"));
    assert!(!err.is_closed());
    if let routeros_proto::Error::Trap { replies, .. } = &err {
        assert_eq!(replies[0].attributes().get("extra").unwrap(), b"kept");
    } else {
        panic!("expected a trap error: {err:?}");
    }
    // The connection is still usable.
    assert!(!client.is_closed());
}

#[tokio::test]
async fn hundreds_of_concurrent_commands_interleaved() {
    const N: usize = 300;
    let (client, mut router) = connected(|_| {}).await;
    let mut calls = Vec::new();
    for i in 0..N {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            let cmd = Command::builder("/queue/simple/print")
                .query(&routeros_proto::Query::eq("name", format!("q{i}")))
                .build();
            (i, client.print(cmd).await)
        }));
    }
    // Read all commands first: every one is in flight at once.
    let mut by_tag: HashMap<Bytes, String> = HashMap::new();
    for _ in 0..N {
        let req = router.expect().await;
        let name = match &req.queries[0] {
            routeros_proto::QueryWord::Eq(n, v) if n.as_ref() == b"name" => {
                String::from_utf8(v.to_vec()).unwrap()
            }
            other => panic!("unexpected query {other:?}"),
        };
        assert!(by_tag.insert(tag(&req), name).is_none(), "tags are unique");
    }
    // Interleave: row 1 of every command, then row 2 of every command (in reverse), then
    // the `!done`s in yet another order.
    let tags: Vec<Bytes> = by_tag.keys().cloned().collect();
    for t in &tags {
        router.send(row(t, "name", by_tag[t].clone())).await;
    }
    for t in tags.iter().rev() {
        router
            .send(row(t, "rate", format!("{}-rate", by_tag[t])))
            .await;
    }
    for (i, t) in tags.iter().enumerate() {
        if i % 2 == 0 {
            router.send(done(t)).await;
        }
    }
    for (i, t) in tags.iter().enumerate() {
        if i % 2 == 1 {
            router.send(done(t)).await;
        }
    }
    for call in calls {
        let (i, rows) = call.await.unwrap();
        let rows = rows.unwrap();
        assert_eq!(rows.len(), 2, "command {i}");
        assert_eq!(rows[0].get_string_lossy("name").unwrap(), format!("q{i}"));
        assert_eq!(
            rows[1].get_string_lossy("rate").unwrap(),
            format!("q{i}-rate")
        );
    }
}

#[tokio::test]
async fn replies_split_into_single_bytes() {
    let (client, mut router) = connected(|_| {}).await;
    let a = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/a")).await }
    });
    let ta = tag(&router.expect().await);
    let b = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/b")).await }
    });
    let tb = tag(&router.expect().await);
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&encode(&row(&tb, "x", "b1")));
    bytes.extend_from_slice(&encode(&row(&ta, "x", vec![b'a'; 200])));
    bytes.extend_from_slice(&encode(&done(&ta)));
    bytes.extend_from_slice(&encode(&row(&tb, "x", "b2")));
    bytes.extend_from_slice(&encode(&done(&tb)));
    for byte in bytes {
        router.raw(&[byte]).await;
        tokio::task::yield_now().await;
    }
    let a = a.await.unwrap().unwrap();
    let b = b.await.unwrap().unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].get("x").unwrap().len(), 200);
    assert_eq!(b.len(), 2);
    assert_eq!(b[1].get("x").unwrap(), b"b2");
}

#[tokio::test]
async fn bare_word_fatal_fails_every_pending_command() {
    let (client, mut router) = connected(|_| {}).await;
    let mut calls = Vec::new();
    for _ in 0..3 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            client.print(Command::new("/x")).await
        }));
    }
    let stream_client = client.clone();
    let stream = tokio::spawn(async move {
        let mut s = stream_client
            .stream(Command::new("/log/listen"))
            .await
            .unwrap();
        s.next().await
    });
    for _ in 0..4 {
        router.expect().await;
    }
    router
        .send(Reply::fatal("session terminated on request"))
        .await;
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(err.is_closed(), "{err}");
        assert_eq!(err.fatal_reason(), Some("session terminated on request"));
        assert!(err.to_string().contains("session terminated on request"));
    }
    let err = stream.await.unwrap().unwrap().unwrap_err();
    assert_eq!(err.fatal_reason(), Some("session terminated on request"));
    assert!(client.is_closed());
    let later = client.print(Command::new("/y")).await.unwrap_err();
    assert_eq!(later.fatal_reason(), Some("session terminated on request"));
}

#[tokio::test]
async fn unknown_reply_words_are_surfaced() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.execute(Command::new("/x")).await }
    });
    let t = tag(&router.expect().await);
    let mut odd = Reply::new(ReplyKind::Unknown(Bytes::from_static(b"!future")));
    odd.set_tag(Some(t.clone()));
    odd.attributes_mut().push("k", "v");
    router.send(odd).await;
    router.send(row(&t, "name", "r")).await;
    router.send(done(&t)).await;
    let resp = call.await.unwrap().unwrap();
    assert_eq!(resp.rows.len(), 1);
    assert_eq!(resp.other.len(), 1);
    assert_eq!(resp.other[0].kind().as_bytes(), b"!future");

    // The raw reply stream shows every sentence in order.
    let mut replies = client.replies(Command::new("/y")).await.unwrap();
    let t = tag(&router.expect().await);
    let mut odd = Reply::new(ReplyKind::Unknown(Bytes::from_static(b"!future")));
    odd.set_tag(Some(t.clone()));
    router.send(row(&t, "a", "1")).await;
    router.send(odd).await;
    router
        .send(Reply::trap(None, "boom").with_tag(t.clone()))
        .await;
    router.send(done(&t)).await;
    let mut kinds = Vec::new();
    while let Some(r) = replies.next().await {
        kinds.push(r.unwrap().kind().name());
    }
    assert_eq!(kinds, ["re", "future", "trap", "done"]);
}

#[tokio::test]
async fn disconnect_mid_reply_fails_pending_commands() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/x")).await }
    });
    let t = tag(&router.expect().await);
    router.send(row(&t, "name", "complete")).await;
    let half = encode(&row(&t, "name", "cut short"));
    router.raw(&half[..half.len() / 2]).await;
    drop(router);
    let err = call.await.unwrap().unwrap_err();
    assert!(err.is_closed(), "{err}");
    assert!(
        matches!(err, routeros_proto::Error::Disconnected),
        "{err:?}"
    );
    assert!(client.is_closed());
}

#[tokio::test]
async fn stream_cancel_sends_cancel_and_swallows_interrupted() {
    let (client, mut router) = connected(|_| {}).await;
    let mut rows = client
        .stream(Command::builder("/interface/listen").build())
        .await
        .unwrap();
    let t = tag(&router.expect().await);
    router.send(row(&t, "name", "ether1")).await;
    router.send(row(&t, "name", "ether2")).await;
    assert_eq!(
        rows.next().await.unwrap().unwrap().get("name").unwrap(),
        b"ether1"
    );
    let canceller = tokio::spawn(async move {
        let result = rows.cancel().await;
        (result, rows.next().await.is_none())
    });
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&t[..]));
    router
        .send(Reply::trap(Some(TrapCategory::Interrupted), "interrupted").with_tag(t.clone()))
        .await;
    router.send(done(&t)).await;
    router.send(done(&tag(&cancel))).await;
    let (result, ended) = canceller.await.unwrap();
    result.unwrap();
    assert!(ended);
    assert!(!client.is_closed());
}

#[tokio::test]
async fn dropping_a_stream_cancels_it() {
    let (client, mut router) = connected(|_| {}).await;
    let rows = client.stream(Command::new("/tool/ping")).await.unwrap();
    let t = tag(&router.expect().await);
    drop(rows);
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&t[..]));
    // The interrupted trap that follows is ignored, and the connection carries on.
    router
        .send(Reply::trap(Some(TrapCategory::Interrupted), "interrupted").with_tag(t.clone()))
        .await;
    router.send(done(&t)).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/z")).await }
    });
    let t2 = tag(&router.expect().await);
    router.send(done(&t2)).await;
    assert!(call.await.unwrap().unwrap().is_empty());
}

#[tokio::test]
async fn a_stream_ending_with_a_trap_reports_it() {
    let (client, mut router) = connected(|_| {}).await;
    let mut rows = client.stream(Command::new("/tool/torch")).await.unwrap();
    let t = tag(&router.expect().await);
    router.send(row(&t, "a", "1")).await;
    router
        .send(Reply::trap(Some(TrapCategory::Interrupted), "interrupted").with_tag(t.clone()))
        .await;
    router.send(done(&t)).await;
    assert!(rows.next().await.unwrap().is_ok());
    // Not cancelled by us: the router's interruption is an error.
    let err = rows.next().await.unwrap().unwrap_err();
    assert_eq!(
        err.trap().unwrap().category,
        Some(TrapCategory::Interrupted)
    );
    assert!(rows.next().await.is_none());
}

/// Starts a streaming command (with `overflow`) and a print beside it; returns the stream,
/// the print's task, and both tags as the router saw them.
async fn stream_beside_a_print(
    client: &routeros_proto::Client,
    router: &mut client_support::Router<tokio::io::DuplexStream>,
    overflow: routeros_proto::Overflow,
) -> (
    routeros_proto::client::RowStream,
    tokio::task::JoinHandle<Result<Vec<routeros_proto::Attributes>, routeros_proto::Error>>,
    Bytes,
    Bytes,
) {
    let stream = client
        .stream_with(Command::new("/interface/listen"), overflow)
        .await
        .unwrap();
    let ts = tag(&router.expect().await);
    let print = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/ip/address/print")).await }
    });
    let tp = tag(&router.expect().await);
    (stream, print, ts, tp)
}

/// A consumer slower than the router pushes back: the connection stops reading until it
/// takes rows, nothing is dropped or cancelled, and the other command on the connection
/// completes once the slow one has caught up (head-of-line).
#[tokio::test]
async fn a_slow_consumer_pushes_back_and_loses_nothing() {
    let (client, mut router) = connected(|c| {
        c.row_buffer(4);
    })
    .await;
    let (mut slow, fast, ts, tf) =
        stream_beside_a_print(&client, &mut router, routeros_proto::Overflow::Wait).await;
    for i in 0..50 {
        router.send(row(&ts, "n", i.to_string())).await;
        router.send(row(&tf, "n", i.to_string())).await;
    }
    router.send(done(&tf)).await;
    router.send(done(&ts)).await;
    // Behind the slow stream's full buffer, the fast command waits.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!fast.is_finished(), "head-of-line: the fast command waits");
    // The slow consumer reads everything, in order.
    for i in 0..50 {
        let r = slow.next().await.unwrap().unwrap();
        assert_eq!(r.get("n").unwrap(), i.to_string().as_bytes());
    }
    assert!(slow.next().await.is_none());
    assert_eq!(fast.await.unwrap().unwrap().len(), 50);
    assert!(!client.is_closed());
    // Nothing was cancelled: the next thing the router hears is a new command.
    let next = tokio::spawn({
        let client = client.clone();
        async move { client.execute(Command::new("/ok")).await }
    });
    let req = router.expect().await;
    assert_eq!(req.command.as_ref(), b"/ok");
    router.send(done(&tag(&req))).await;
    next.await.unwrap().unwrap();
}

/// With a short lag deadline, a stream whose consumer takes nothing ends with `Lagged`, is
/// cancelled on the router, and the connection goes on with the other command.
#[tokio::test]
async fn the_lag_deadline_ends_a_stuck_stream() {
    let (client, mut router) = connected(|c| {
        c.row_buffer(4).lag_deadline(Duration::from_millis(200));
    })
    .await;
    let (mut stuck, other, ts, to) =
        stream_beside_a_print(&client, &mut router, routeros_proto::Overflow::Wait).await;
    for i in 0..10 {
        router.send(row(&ts, "n", i.to_string())).await;
    }
    router.send(row(&to, "n", "x")).await;
    router.send(done(&to)).await;
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&ts[..]));
    assert_eq!(other.await.unwrap().unwrap().len(), 1);
    // The stuck stream still gets what was buffered, then the error.
    let mut got = 0;
    let err = loop {
        match stuck.next().await.unwrap() {
            Ok(_) => got += 1,
            Err(e) => break e,
        }
    };
    assert!(err.is_lagged(), "{err}");
    assert!(err.to_string().contains("unread for 200ms"), "{err}");
    assert_eq!(got, 4, "the buffer's rows, in full");
    assert!(stuck.next().await.is_none());
    assert!(!client.is_closed());
}

/// `Overflow::Cancel`: the old drop-and-cancel, for monitors that only want fresh data.
#[tokio::test]
async fn overflow_cancel_ends_the_stream_at_once() {
    let (client, mut router) = connected(|c| {
        c.row_buffer(4);
    })
    .await;
    let (mut fresh, fast, ts, tf) =
        stream_beside_a_print(&client, &mut router, routeros_proto::Overflow::Cancel).await;
    for i in 0..50 {
        router.send(row(&ts, "n", i.to_string())).await;
        router.send(row(&tf, "n", i.to_string())).await;
    }
    router.send(done(&tf)).await;
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&ts[..]));
    assert_eq!(fast.await.unwrap().unwrap().len(), 50);
    let mut got = 0;
    let err = loop {
        match fresh.next().await.unwrap() {
            Ok(_) => got += 1,
            Err(e) => break e,
        }
    };
    assert!(err.is_lagged(), "{err}");
    assert!(err.to_string().contains("consumer lagged"));
    assert_eq!(got, 4);
    assert!(!client.is_closed());
}

#[tokio::test(start_paused = true)]
async fn command_timeout_cancels_on_the_router() {
    let (client, mut router) = connected(|c| {
        c.command_timeout(Duration::from_secs(5));
    })
    .await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/tool/fetch")).await }
    });
    let t = tag(&router.expect().await);
    let err = call.await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(!err.is_closed());
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&t[..]));
    // Late replies for the timed-out command are ignored; the client still works.
    router.send(row(&t, "late", "1")).await;
    router.send(done(&t)).await;
    let next = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .execute_timeout(Command::new("/ok"), Duration::from_secs(5))
                .await
        }
    });
    let t2 = tag(&router.expect().await);
    router.send(row(&t2, "fresh", "1")).await;
    router.send(done(&t2)).await;
    let resp = next.await.unwrap().unwrap();
    assert_eq!(resp.rows.len(), 1);
    assert!(resp.rows[0].contains("fresh"));
}

#[tokio::test]
async fn close_fails_pending_and_later_commands() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/x")).await }
    });
    router.expect().await;
    client.close();
    let err = call.await.unwrap().unwrap_err();
    assert!(matches!(err, routeros_proto::Error::Closed), "{err:?}");
    assert!(client.is_closed());
    assert!(client
        .print(Command::new("/y"))
        .await
        .unwrap_err()
        .is_closed());
    // The router sees the connection go away.
    assert!(router.recv().await.is_none());
}

#[tokio::test]
async fn dropping_the_last_client_closes_the_connection() {
    let (client, mut router) = connected(|_| {}).await;
    let clone = client.clone();
    drop(client);
    // Still open while a clone lives.
    let call = tokio::spawn(async move { clone.print(Command::new("/x")).await });
    let t = tag(&router.expect().await);
    router.send(done(&t)).await;
    assert!(call.await.unwrap().unwrap().is_empty());
    assert!(router.recv().await.is_none());
}

#[tokio::test]
async fn a_decode_error_closes_the_connection() {
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/x")).await }
    });
    router.expect().await;
    // 0xF8 is a reserved control byte, never a length.
    router.raw(&[0xF8, 1, 2, 3]).await;
    let err = call.await.unwrap().unwrap_err();
    assert!(err.is_closed());
    assert!(matches!(err, routeros_proto::Error::Protocol(_)), "{err:?}");
}

#[tokio::test]
async fn an_oversized_word_is_refused_before_allocation() {
    let mut limits = routeros_proto::Limits::default();
    limits.max_word_len(1024);
    let (client, mut router) = connected(move |c| {
        c.limits(limits);
    })
    .await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/x")).await }
    });
    router.expect().await;
    // A word announcing 0xF0 + 4 GiB - 1 bytes.
    router
        .raw(&[0x03, b'!', b'r', b'e', 0xF0, 0xFF, 0xFF, 0xFF, 0xFF])
        .await;
    let err = call.await.unwrap().unwrap_err();
    match err {
        routeros_proto::Error::Protocol(p) => assert!(p.is_limit(), "{p}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[tokio::test]
async fn in_flight_commands_are_bounded() {
    let (client, mut router) = connected(|c| {
        c.max_in_flight(2);
    })
    .await;
    let calls: Vec<_> = (0..3)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.print(Command::new(format!("/c{i}"))).await })
        })
        .collect();
    let first = router.expect().await;
    let second = router.expect().await;
    // The third waits for a free slot: nothing more arrives until one command finishes.
    let waiting = tokio::time::timeout(Duration::from_millis(50), router.recv()).await;
    assert!(waiting.is_err(), "a third command was sent: {waiting:?}");
    router.send(done(&tag(&first))).await;
    let third = router.expect().await;
    router.send(done(&tag(&second))).await;
    router.send(done(&tag(&third))).await;
    for c in calls {
        assert!(c.await.unwrap().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_finished_stream_is_not_cancelled_on_drop() {
    let (client, mut router) = connected(|_| {}).await;
    let mut rows = client
        .stream(Command::new("/ip/address/print"))
        .await
        .unwrap();
    let t = tag(&router.expect().await);
    router.send(row(&t, "address", "10.0.0.1/24")).await;
    router.send(done(&t)).await;
    assert!(rows.next().await.unwrap().is_ok());
    assert!(rows.next().await.is_none());
    drop(rows);
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/next")).await }
    });
    let next = router.expect().await;
    assert_eq!(next.command.as_ref(), b"/next", "no /cancel before it");
    router.send(done(&tag(&next))).await;
    call.await.unwrap().unwrap();
}
