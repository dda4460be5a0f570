//! The bounds on what a collecting command (`execute`, `print`) holds in memory.

mod client_support;

use bytes::{Bytes, BytesMut};
use client_support::{connected, tag, Router};
use routeros_proto::{Command, Error, Reply, Request, TrapCategory};
use tokio::io::DuplexStream;

fn row(tag: &Bytes, i: usize) -> Reply {
    Reply::re()
        .with_attribute(".id", format!("*{i:X}"))
        .with_attribute("name", format!("queue-{i}"))
        .with_tag(tag.clone())
}

fn done(tag: &Bytes) -> Reply {
    Reply::done().with_tag(tag.clone())
}

/// Receives the two commands the test started, whichever order they arrive in.
async fn two_commands(router: &mut Router<DuplexStream>, first: &[u8]) -> (Request, Request) {
    let a = router.expect().await;
    let b = router.expect().await;
    if a.command.as_ref() == first {
        (a, b)
    } else {
        (b, a)
    }
}

/// Answers `/cancel` the way RouterOS does: the cancelled command gets an `interrupted` trap
/// and its `!done`, the `/cancel` itself a `!done`.
async fn answer_cancel(router: &mut Router<DuplexStream>, cancel: &Request, cancelled: &Bytes) {
    router
        .send(
            Reply::trap(Some(TrapCategory::Interrupted), "interrupted").with_tag(cancelled.clone()),
        )
        .await;
    router.send(done(cancelled)).await;
    router.send(done(&tag(cancel))).await;
}

#[tokio::test]
async fn too_many_rows_cancels_that_command_only() {
    let (client, mut router) = connected(|c| {
        c.max_rows(3);
    })
    .await;
    let big = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/queue/simple/print")).await }
    });
    let small = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/interface/print")).await }
    });
    let (big_req, small_req) = two_commands(&mut router, b"/queue/simple/print").await;
    let (tb, ts) = (tag(&big_req), tag(&small_req));

    // Three rows are within the limit; the other command's rows interleave.
    for i in 0..3 {
        router.send(row(&tb, i)).await;
    }
    router.send(row(&ts, 0)).await;
    router.send(row(&tb, 3)).await;

    let err = big.await.unwrap().unwrap_err();
    assert!(
        matches!(err, Error::TooManyRows { limit: 3 }),
        "unexpected error: {err:?}"
    );
    assert!(err.is_too_large());
    assert!(!err.is_closed());
    assert!(err.to_string().contains("more than 3 rows"), "{err}");

    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&tb[..]));

    // The router keeps sending for a moment before the cancel lands; all of it is ignored.
    router.send(row(&tb, 4)).await;
    answer_cancel(&mut router, &cancel, &tb).await;

    // The other command carries on and completes with all of its rows.
    for i in 1..3 {
        router.send(row(&ts, i)).await;
    }
    router.send(done(&ts)).await;
    let rows = small.await.unwrap().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].get("name").unwrap(), b"queue-2");
    assert!(!client.is_closed());

    // A later command on the same connection works, and the limit is per command.
    let later = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/ip/address/print")).await }
    });
    let req = router.expect().await;
    assert_eq!(
        req.command.as_ref(),
        b"/ip/address/print",
        "no second /cancel"
    );
    let t = tag(&req);
    for i in 0..3 {
        router.send(row(&t, i)).await;
    }
    router.send(done(&t)).await;
    assert_eq!(later.await.unwrap().unwrap().len(), 3);
}

#[tokio::test]
async fn traps_and_unknown_replies_count_toward_the_row_limit() {
    let (client, mut router) = connected(|c| {
        c.max_rows(2);
    })
    .await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.execute(Command::new("/tool/fetch")).await }
    });
    let t = tag(&router.expect().await);
    router
        .send(Reply::trap(None, "first").with_tag(t.clone()))
        .await;
    let mut unknown = Reply::new(routeros_proto::ReplyKind::from_word(&Bytes::from_static(
        b"!status",
    )));
    unknown.set_tag(Some(t.clone()));
    router.send(unknown).await;
    router
        .send(Reply::trap(None, "third").with_tag(t.clone()))
        .await;
    let err = call.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::TooManyRows { limit: 2 }), "{err:?}");
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&t[..]));
}

#[tokio::test]
async fn response_bytes_are_bounded() {
    // The bound counts memory: what a received row holds.
    let probe = row(&Bytes::from_static(b"1"), 0);
    let row_len = probe.memory_size();
    // Room for exactly two rows of this size.
    let (client, mut router) = connected(move |c| {
        c.max_response_bytes(2 * row_len);
    })
    .await;

    // Two rows fit exactly.
    let fits = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/a")).await }
    });
    let t = tag(&router.expect().await);
    assert_eq!(t.as_ref(), b"1", "tags of the same length as the probe");
    router.send(row(&t, 0)).await;
    router.send(row(&t, 1)).await;
    router.send(done(&t)).await;
    assert_eq!(fits.await.unwrap().unwrap().len(), 2);

    // A third row does not, while a concurrent command with small rows is unaffected.
    let big = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/big")).await }
    });
    let small = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/small")).await }
    });
    let (big_req, small_req) = two_commands(&mut router, b"/big").await;
    let (tb, ts) = (tag(&big_req), tag(&small_req));
    for i in 0..3 {
        router.send(row(&tb, i)).await;
    }
    let err = big.await.unwrap().unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == 2 * row_len),
        "{err:?}"
    );
    assert!(err.is_too_large());
    let cancel = router.expect().await;
    assert_eq!(cancel.command.as_ref(), b"/cancel");
    assert_eq!(cancel.attributes.get("tag"), Some(&tb[..]));
    answer_cancel(&mut router, &cancel, &tb).await;

    router.send(row(&ts, 0)).await;
    router.send(done(&ts)).await;
    assert_eq!(small.await.unwrap().unwrap().len(), 1);
}

#[tokio::test]
async fn the_default_limits_hold_a_large_router() {
    // A router with 100,000 simple queues must print with the default settings.
    const ROWS: usize = 100_000;
    let (client, mut router) = connected(|_| {}).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.print(Command::new("/queue/simple/print")).await }
    });
    let t = tag(&router.expect().await);
    let mut wire = BytesMut::new();
    for i in 0..ROWS {
        row(&t, i).encode(&mut wire).unwrap();
    }
    done(&t).encode(&mut wire).unwrap();
    router.raw(&wire).await;
    let rows = call.await.unwrap().unwrap();
    assert_eq!(rows.len(), ROWS);
    assert_eq!(
        rows[ROWS - 1].get("name").unwrap(),
        format!("queue-{}", ROWS - 1).as_bytes()
    );
}
