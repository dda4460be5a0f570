//! The notifier over a scripted transport: how each outcome changes the queue.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tg_notify::transport::{RateScope, SendError, SendFuture, Sent, Transport};
use tg_notify::{Alert, ChatId, MemoryStore, Notifier, NotifierConfig, QueuedMessage, Store};

/// Answers each send with the next scripted outcome (then `Ok`), and records the attempts.
#[derive(Debug, Default, Clone)]
struct Script {
    answers: Arc<Mutex<VecDeque<Result<Sent, SendError>>>>,
    attempts: Arc<Mutex<Vec<(ChatId, String, u32)>>>,
}

impl Script {
    fn answer(&self, r: Result<Sent, SendError>) {
        self.answers.lock().unwrap().push_back(r);
    }
    fn attempts(&self) -> Vec<(ChatId, String, u32)> {
        self.attempts.lock().unwrap().clone()
    }
}

impl Transport for Script {
    fn send(&self, msg: &QueuedMessage, part: u32) -> SendFuture {
        self.attempts
            .lock()
            .unwrap()
            .push((msg.chat.clone(), msg.text.clone(), part));
        let r = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Sent::new(1)));
        Box::pin(async move { r })
    }
}

fn config() -> NotifierConfig {
    let mut cfg = NotifierConfig::default();
    cfg.backoff(Duration::from_millis(10), Duration::from_millis(50))
        .unauthorized_wait(Duration::from_secs(3600));
    cfg
}

async fn idle(n: &Notifier) {
    tokio::time::timeout(Duration::from_secs(30), n.wait_idle())
        .await
        .expect("queue drained");
}

#[tokio::test]
async fn a_fatal_error_pauses_without_retrying_until_resumed() {
    let t = Script::default();
    t.answer(Err(SendError::Fatal("token expired".into())));
    let store = MemoryStore::new();
    let n = Notifier::with_transport(t.clone(), store.clone(), config()).unwrap();
    n.enqueue(Alert::new(1, "a")).unwrap();
    n.enqueue(Alert::new(1, "b")).unwrap();
    let failure = loop {
        if let Some(f) = n.take_failures().into_iter().next() {
            break f;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(failure.unauthorized);
    assert_eq!(failure.reason, "token expired");
    assert!(n.is_paused());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(t.attempts().len(), 1, "no retry loop while paused");
    assert_eq!(store.len(), 2, "the queue is kept");
    n.resume();
    idle(&n).await;
    assert_eq!(t.attempts().len(), 3);
    assert!(!n.is_paused());
}

#[tokio::test]
async fn restart_resends_from_the_first_part_and_is_bounded() {
    let t = Script::default();
    t.answer(Ok(Sent::new(3)));
    t.answer(Err(SendError::Restart("window closed".into())));
    let n = Notifier::with_transport(t.clone(), MemoryStore::new(), config()).unwrap();
    n.enqueue(Alert::new(5, "long")).unwrap();
    idle(&n).await;
    let parts: Vec<u32> = t.attempts().iter().map(|a| a.2).collect();
    // part 0 accepted, part 1 restarted, then parts 0 (1 part in the new rendering)
    assert_eq!(parts, vec![0, 1, 0]);
    assert!(n.take_failures().is_empty());

    // a transport that restarts forever is given up after a few immediate resends
    for _ in 0..10 {
        t.answer(Err(SendError::Restart("again".into())));
    }
    n.enqueue(Alert::new(6, "loops")).unwrap();
    idle(&n).await;
    let tries = t.attempts().iter().filter(|a| a.1 == "loops").count();
    assert!(tries <= 5, "{tries}");
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].reason.contains("again"));
}

#[tokio::test]
async fn rate_limits_retry_the_same_message_and_rejections_drop_only_it() {
    let t = Script::default();
    t.answer(Err(SendError::RateLimited {
        wait: Duration::from_millis(20),
        scope: RateScope::Recipient,
    }));
    t.answer(Err(SendError::RateLimited {
        wait: Duration::from_millis(20),
        scope: RateScope::Global,
    }));
    t.answer(Err(SendError::Rejected("bad parameter".into())));
    let n = Notifier::with_transport(t.clone(), MemoryStore::new(), config()).unwrap();
    for i in 0..3 {
        n.enqueue(Alert::new(7, format!("m{i}"))).unwrap();
    }
    idle(&n).await;
    let texts: Vec<String> = t.attempts().into_iter().map(|a| a.1).collect();
    assert_eq!(texts, vec!["m0", "m0", "m0", "m1", "m2"]);
    let failures = n.take_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].reason, "bad parameter");
    assert_eq!(n.metrics().sent, 2);
    assert_eq!(n.metrics().failed, 1);
}

#[tokio::test]
async fn a_gone_recipient_drops_its_queue_and_others_continue() {
    let t = Script::default();
    t.answer(Err(SendError::RecipientGone("not on WhatsApp".into())));
    let store = MemoryStore::new();
    let n = Notifier::with_transport(t.clone(), store.clone(), config()).unwrap();
    n.enqueue(Alert::new(8, "x")).unwrap();
    n.enqueue(Alert::new(8, "y")).unwrap();
    n.enqueue(Alert::new(9, "z")).unwrap();
    idle(&n).await;
    assert_eq!(n.take_failures().len(), 2);
    assert!(store.load().unwrap().is_empty());
    assert!(t.attempts().iter().any(|a| a.1 == "z"));
    assert!(!t.attempts().iter().any(|a| a.1 == "y"));
}
