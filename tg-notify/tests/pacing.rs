//! The pacer with simulated time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tg_notify::pacing::{Decision, Limits, Pacer};

/// An independent GCRA used to check the pacer never exceeds a limit.
struct Check {
    tat: HashMap<i64, Instant>,
}

impl Check {
    fn new() -> Self {
        Check {
            tat: HashMap::new(),
        }
    }
    fn admit(&mut self, key: i64, now: Instant, interval: Duration, burst: u32) -> bool {
        let tat = self.tat.get(&key).copied().unwrap_or(now);
        let tolerance = interval * burst.saturating_sub(1);
        if now + tolerance < tat {
            return false;
        }
        self.tat.insert(key, tat.max(now) + interval);
        true
    }
}

/// Runs the pacer until everything is sent; returns (chat, time) of every send.
fn simulate(pacer: &mut Pacer<i64>, start: Instant, rtt: Duration) -> Vec<(i64, Instant)> {
    let mut now = start;
    let mut out = Vec::new();
    loop {
        match pacer.next(now) {
            Decision::Send(chat) => {
                out.push((chat, now));
                pacer.complete(&chat, true, now + rtt);
            }
            Decision::WaitUntil(t) => {
                assert!(t > now, "WaitUntil must move time forward");
                now = t;
            }
            Decision::Idle => return out,
        }
    }
}

#[test]
fn one_chat_gets_at_least_90_percent_of_the_allowed_rate_and_never_more() {
    let limits = Limits::default();
    let mut pacer = Pacer::new(limits);
    let t0 = Instant::now();
    pacer.push(1, false, 1000, t0);
    let sends = simulate(&mut pacer, t0, Duration::ZERO);
    assert_eq!(sends.len(), 1000);
    let mut check = Check::new();
    for (chat, at) in &sends {
        assert!(check.admit(*chat, *at, limits.per_chat_interval, limits.per_chat_burst));
    }
    let elapsed = sends.last().unwrap().1 - t0;
    // allowed: a burst of 3 then one per second => 997 s for 1000 messages
    let allowed = limits.per_chat_interval * (1000 - limits.per_chat_burst);
    assert!(
        elapsed.as_secs_f64() <= allowed.as_secs_f64() / 0.9,
        "{elapsed:?}"
    );
}

#[test]
fn messages_trickling_in_one_by_one_are_still_paced() {
    // each message is pushed only after the previous one completed: the pacer must remember
    // the consumed burst between them
    let limits = Limits::default();
    for group in [false, true] {
        let chat = if group { -7 } else { 7 };
        let mut pacer = Pacer::new(limits);
        let t0 = Instant::now();
        let mut now = t0;
        let mut per_chat = Check::new();
        let mut per_group = Check::new();
        for _ in 0..30 {
            pacer.push(chat, group, 1, now);
            loop {
                match pacer.next(now) {
                    Decision::Send(c) => {
                        assert!(per_chat.admit(
                            c,
                            now,
                            limits.per_chat_interval,
                            limits.per_chat_burst
                        ));
                        if group {
                            assert!(per_group.admit(
                                c,
                                now,
                                limits.group_interval,
                                limits.group_burst
                            ));
                        }
                        pacer.complete(&c, true, now);
                        break;
                    }
                    Decision::WaitUntil(t) => now = t,
                    Decision::Idle => panic!("message lost"),
                }
            }
        }
    }
}

#[test]
fn groups_are_held_to_twenty_a_minute() {
    let limits = Limits::default();
    let mut pacer = Pacer::new(limits);
    let t0 = Instant::now();
    pacer.push(-100, true, 100, t0);
    let sends = simulate(&mut pacer, t0, Duration::ZERO);
    let in_first_minute = sends
        .iter()
        .filter(|(_, t)| *t - t0 < Duration::from_secs(60))
        .count();
    assert!(
        in_first_minute <= 20 + limits.group_burst as usize,
        "{in_first_minute}"
    );
    assert!(in_first_minute >= 18, "{in_first_minute}");
}

#[test]
fn many_chats_share_the_global_limit() {
    let limits = Limits::default();
    let mut pacer = Pacer::new(limits);
    let t0 = Instant::now();
    for chat in 0..1000 {
        pacer.push(chat, false, 3, t0);
    }
    let sends = simulate(&mut pacer, t0, Duration::from_millis(50));
    assert_eq!(sends.len(), 3000);
    let mut global = Check::new();
    let mut per_chat = Check::new();
    for (chat, at) in &sends {
        assert!(global.admit(0, *at, limits.global_interval, limits.global_burst));
        assert!(per_chat.admit(*chat, *at, limits.per_chat_interval, limits.per_chat_burst));
    }
    let elapsed = (sends.last().unwrap().1 - t0).as_secs_f64();
    let allowed = 3000.0 / 30.0;
    assert!(
        elapsed <= allowed / 0.9 && elapsed >= allowed * 0.9,
        "{elapsed}"
    );
}

#[test]
fn one_message_in_flight_per_chat_and_retry_keeps_it_pending() {
    let mut pacer = Pacer::new(Limits::default());
    let t0 = Instant::now();
    pacer.push(5, false, 2, t0);
    assert_eq!(pacer.next(t0), Decision::Send(5));
    // in flight: nothing else for chat 5 even though the burst allows it
    assert_eq!(pacer.next(t0), Decision::Idle);
    // Telegram said retry_after 7 s
    pacer.block_chat(&5, t0 + Duration::from_secs(7));
    pacer.complete(&5, false, t0);
    assert_eq!(pacer.pending(&5), 2);
    assert_eq!(
        pacer.next(t0),
        Decision::WaitUntil(t0 + Duration::from_secs(7))
    );
    assert_eq!(pacer.next(t0 + Duration::from_secs(7)), Decision::Send(5));
}

#[test]
fn block_all_delays_every_chat() {
    let mut pacer = Pacer::new(Limits::default());
    let t0 = Instant::now();
    pacer.push(1, false, 1, t0);
    pacer.push(2, false, 1, t0);
    pacer.block_all(t0 + Duration::from_secs(30));
    assert_eq!(
        pacer.next(t0),
        Decision::WaitUntil(t0 + Duration::from_secs(30))
    );
    let later = t0 + Duration::from_secs(30);
    let mut got = vec![];
    while let Decision::Send(c) = pacer.next(later) {
        got.push(c);
        pacer.complete(&c, true, later);
    }
    got.sort();
    assert_eq!(got, vec![1, 2]);
}

#[test]
fn limits_parse_from_text() {
    let l: Limits = "chat=2/s:4,group=30/min,global=25/s:5".parse().unwrap();
    assert_eq!(l.per_chat_interval, Duration::from_millis(500));
    assert_eq!(l.per_chat_burst, 4);
    assert_eq!(l.group_interval, Duration::from_secs(2));
    assert_eq!(l.global_interval, Duration::from_millis(40));
    assert_eq!(l.global_burst, 5);
    assert!("chat=0/s".parse::<Limits>().is_err());
    assert!("chat=1/h".parse::<Limits>().is_err());
    assert!("bogus=1/s".parse::<Limits>().is_err());
}

#[test]
fn clearing_a_chat_does_not_grant_a_fresh_burst() {
    let limits = Limits::default();
    let mut pacer = Pacer::new(limits);
    let t0 = Instant::now();
    pacer.push(1, false, 3, t0);
    for _ in 0..3 {
        assert_eq!(pacer.next(t0), Decision::Send(1));
        pacer.complete(&1, true, t0);
    }
    pacer.clear(&1);
    pacer.push(1, false, 1, t0);
    assert_eq!(
        pacer.next(t0),
        Decision::WaitUntil(t0 + limits.per_chat_interval)
    );
}
