//! The collection window and the per-connection stream matcher [`Flow`].

use std::sync::Arc;

use regex_automata::hybrid::LazyStateID;
use regex_automata::Input;

use crate::set::{MatchSet, PatternSet};

/// How much of a connection the matcher looks at.
///
/// RouterOS: "L7 matcher collects the first 10 packets of a connection or the first 2KB of a
/// connection and searches for the pattern in the collected data"
/// (<https://help.mikrotik.com/docs/display/ROS/Layer7>). Modelled on l7-filter, whose defaults
/// RouterOS uses: one buffer per connection, payloads of both directions appended in arrival
/// order, NUL bytes removed, capped at `max_bytes`, searched again after each packet that adds
/// data, and given up after the `max_packets`-th packet (empty packets such as bare ACKs count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Window {
    /// Packets examined per connection (both directions). Default 10.
    pub max_packets: u32,
    /// Bytes collected per connection after NUL removal. Default 2048.
    pub max_bytes: usize,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            max_packets: 10,
            max_bytes: 2048,
        }
    }
}

impl Window {
    /// A window with the given limits.
    pub fn new(max_packets: u32, max_bytes: usize) -> Window {
        Window {
            max_packets,
            max_bytes,
        }
    }
}

/// The collected buffer for `data`: NUL bytes removed, at most `max_bytes` kept.
pub fn collect(data: &[u8], max_bytes: usize) -> Vec<u8> {
    data.iter()
        .copied()
        .filter(|b| *b != 0)
        .take(max_bytes)
        .collect()
}

/// Which way a packet travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// From the connection's originator.
    Original,
    /// From the responder.
    Reply,
}

/// What a [`Flow`] knows after a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// At least one pattern matched; these are all that matched so far. Others may still match
    /// while the window is open.
    Matched(MatchSet),
    /// The window closed with no match: the connection stays unknown for good.
    Unknown,
    /// No match yet, and the window is still open.
    Undecided,
}

impl Verdict {
    /// Whether this is [`Verdict::Matched`].
    pub fn is_matched(&self) -> bool {
        matches!(self, Verdict::Matched(_))
    }
}

#[derive(Debug, Clone, Copy)]
struct Resume {
    state: LazyStateID,
    clear_count: usize,
}

/// The stream matcher for one connection: feed it packets, it applies the [`Window`] rules and
/// says which patterns of the set matched.
///
/// The search is incremental: the lazy DFA state reached at the end of the previous packet is
/// kept and only the new bytes are scanned, plus one end-of-input step so that `$` is tested
/// against the end of the data as it stands after each packet. If the shared DFA cache was
/// cleared meanwhile (which invalidates kept states), the buffer collected so far (at most
/// `max_bytes`) is scanned again.
///
/// ```
/// use std::sync::Arc;
/// use l7_patterns::{Direction, Flow, MatchMode, PatternSet, Verdict};
/// let set = Arc::new(PatternSet::new([("http", "^get [ -~]* http/1\\.[01]")], MatchMode::default())?);
/// let mut flow = Flow::new(set);
/// assert_eq!(flow.push(Direction::Original, b""), Verdict::Undecided); // SYN
/// assert!(flow.push(Direction::Original, b"GET / HTTP/1.1\r\n").is_matched());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Flow {
    set: Arc<PatternSet>,
    window: Window,
    buffer: Vec<u8>,
    packets: u32,
    bytes_seen: u64,
    matched: MatchSet,
    resume: Option<Resume>,
    dead: bool,
    closed: bool,
    rescans: u32,
}

impl Flow {
    /// A new connection with the default window.
    pub fn new(set: Arc<PatternSet>) -> Flow {
        Flow::with_window(set, Window::default())
    }

    /// A new connection with a custom window.
    pub fn with_window(set: Arc<PatternSet>, window: Window) -> Flow {
        let matched = MatchSet::with_capacity(set.len());
        Flow {
            set,
            window,
            buffer: Vec::new(),
            packets: 0,
            bytes_seen: 0,
            matched,
            resume: None,
            dead: false,
            closed: false,
            rescans: 0,
        }
    }

    /// Feeds one packet's payload (empty for bare ACKs and the handshake) and returns the
    /// verdict. Packets after the window closed are counted but change nothing.
    pub fn push(&mut self, _direction: Direction, payload: &[u8]) -> Verdict {
        self.bytes_seen = self.bytes_seen.saturating_add(payload.len() as u64);
        if self.closed {
            self.packets = self.packets.saturating_add(1);
            return self.verdict();
        }
        self.packets = self.packets.saturating_add(1);
        let old_len = self.buffer.len();
        let room = self.window.max_bytes.saturating_sub(old_len);
        self.buffer
            .extend(payload.iter().copied().filter(|b| *b != 0).take(room));
        if self.buffer.len() > old_len && !self.dead {
            self.scan(old_len);
        }
        if self.packets >= self.window.max_packets || self.buffer.len() >= self.window.max_bytes {
            self.closed = true;
            // the buffer is no longer needed
            self.buffer = Vec::new();
            self.resume = None;
        }
        self.verdict()
    }

    fn scan(&mut self, from: usize) {
        let set = Arc::clone(&self.set);
        let engine = set.stream();
        let mut guard = engine.lock();
        let (dfa, cache) = (engine.dfa(), &mut *guard);
        let resume = self.resume.filter(|r| r.clear_count == cache.clear_count());
        let (mut sid, start) = match resume {
            Some(r) => (r.state, from),
            None => {
                if from > 0 {
                    self.rescans = self.rescans.saturating_add(1);
                }
                match dfa.start_state_forward(cache, &Input::new(&b""[..])) {
                    Ok(s) => (s, 0),
                    Err(_) => {
                        drop(guard);
                        return self.fallback();
                    }
                }
            }
        };
        let Some(new) = self.buffer.get(start..) else {
            return;
        };
        let mut failed = false;
        for &b in new {
            sid = match dfa.next_state(cache, sid, b) {
                Ok(s) => s,
                Err(_) => {
                    failed = true;
                    break;
                }
            };
            if sid.is_dead() {
                self.dead = true;
                break;
            }
        }
        if failed {
            drop(guard);
            return self.fallback();
        }
        if !self.dead {
            match dfa.next_eoi_state(cache, sid) {
                Ok(eoi) if eoi.is_match() => {
                    for i in 0..dfa.match_len(cache, eoi) {
                        self.matched
                            .insert(dfa.match_pattern(cache, eoi, i).as_usize());
                    }
                }
                Ok(_) => {}
                Err(_) => {
                    drop(guard);
                    return self.fallback();
                }
            }
        }
        self.resume = Some(Resume {
            state: sid,
            clear_count: cache.clear_count(),
        });
    }

    /// Whole-buffer search with the set's regex, used if the lazy DFA gives up.
    fn fallback(&mut self) {
        self.resume = None;
        for i in self.set.matches(&self.buffer).iter() {
            self.matched.insert(i);
        }
    }

    /// The verdict as it stands.
    pub fn verdict(&self) -> Verdict {
        if !self.matched.is_empty() {
            Verdict::Matched(self.matched.clone())
        } else if self.closed {
            Verdict::Unknown
        } else {
            Verdict::Undecided
        }
    }

    /// Patterns that matched so far.
    pub fn matched(&self) -> &MatchSet {
        &self.matched
    }

    /// Packets pushed so far (including those after the window closed).
    pub fn packets(&self) -> u32 {
        self.packets
    }

    /// Payload bytes pushed so far (before NUL removal, including those past the window).
    pub fn bytes(&self) -> u64 {
        self.bytes_seen
    }

    /// Whether the window has closed (no further packet can change the verdict).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The data collected so far (empty once the window has closed).
    pub fn collected(&self) -> &[u8] {
        &self.buffer
    }

    /// How many times the buffer had to be scanned again because the shared DFA cache was
    /// cleared between packets (a measure of how incremental the search really was).
    pub fn rescans(&self) -> u32 {
        self.rescans
    }

    /// The pattern set this flow matches against.
    pub fn pattern_set(&self) -> &Arc<PatternSet> {
        &self.set
    }
}
