//! The connections of a packet capture, matched the way the router's Layer 7 matcher sees them
//! (feature `pcap`).
//!
//! [`flows`] reads a pcap or pcapng capture from memory, [`flows_from_reader`] from any
//! [`Read`] (a file, with a progress bar around it), without holding more than one record of
//! it at a time. Both rebuild the TCP and UDP connections of the capture and feed each one, packet
//! by packet and in capture order, to a [`Flow`], which applies the router's collection window
//! (by default the first 10 packets or 2 KiB of a connection, both directions, see [`Window`])
//! and says which patterns of the set matched.
//!
//! ```
//! use std::sync::Arc;
//! use l7_patterns::pcap::{flows, Limits, Transport};
//! use l7_patterns::{MatchMode, PatternSet, Verdict};
//!
//! // A pcap file with raw IPv4 packets (link type 101): the 24-byte file header, then a
//! // 16-byte header before each packet (time, captured length, original length).
//! fn pcap(packets: &[Vec<u8>]) -> Vec<u8> {
//!     let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
//!     out.extend([0; 8]);
//!     out.extend(65535u32.to_le_bytes());
//!     out.extend(101u32.to_le_bytes());
//!     for p in packets {
//!         let len = u32::try_from(p.len()).unwrap().to_le_bytes();
//!         out.extend([0; 8]);
//!         out.extend(len);
//!         out.extend(len);
//!         out.extend(p);
//!     }
//!     out
//! }
//! fn tcp(from: ([u8; 4], u16), to: ([u8; 4], u16), syn: bool, payload: &[u8]) -> Vec<u8> {
//!     let b = etherparse::PacketBuilder::ipv4(from.0, to.0, 64).tcp(from.1, to.1, 1, 65535);
//!     let b = if syn { b.syn() } else { b.ack(1) };
//!     let mut out = Vec::new();
//!     b.write(&mut out, payload).unwrap();
//!     out
//! }
//!
//! let (client, server) = (([192, 168, 88, 10], 50000), ([203, 0, 113, 7], 80));
//! let capture = pcap(&[
//!     tcp(client, server, true, b""),
//!     tcp(server, client, true, b""),
//!     tcp(client, server, false, b"GET / HTTP/1.1\r\nHost: www.youtube.com\r\n\r\n"),
//! ]);
//!
//! let set = Arc::new(PatternSet::new(
//!     [("youtube", "youtube\\.com"), ("ssh", "^ssh-[12]\\.[0-9]")],
//!     MatchMode::default(),
//! )?);
//! let found = flows(&capture, &set, &Limits::default())?;
//! assert_eq!(found.stats.packets, 3);
//! let [conn] = &found.connections[..] else { panic!("one connection") };
//! assert_eq!(conn.transport, Transport::Tcp);
//! assert_eq!(conn.to_string(), "tcp 192.168.88.10:50000 -> 203.0.113.7:80");
//! assert_eq!(conn.flow.packets(), 3);
//! assert!(matches!(conn.flow.verdict(), Verdict::Matched(_)));
//! assert_eq!(conn.matched_names(), ["youtube"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is read
//!
//! - Files: classic pcap (either byte order, microsecond or nanosecond timestamps) and pcapng
//!   (any number of sections and interfaces; enhanced, simple and obsolete packet blocks; other
//!   blocks are skipped).
//! - Link types: Ethernet (with 802.1Q / QinQ VLAN tags), Linux cooked captures v1 and v2
//!   (`tcpdump -i any`), raw IPv4/IPv6 (101, 228, 229), BSD loopback (0, 108).
//! - IPv4 and IPv6 (extension headers included), then TCP or UDP. Frames that carry anything
//!   else (ARP, ICMP, later IP fragments, frames too short for their headers) and frames of
//!   other link types are skipped and counted in [`Stats`], not errors — unless no frame of the
//!   capture has a supported link type ([`PcapError::UnsupportedLinkType`]). Frames cut short by
//!   a small snapshot length still count, with the payload that was captured.
//!
//! # Connections
//!
//! A connection is the TCP or UDP 5-tuple, in both directions; its originator is the sender of
//! its first packet in the capture. A TCP SYN (without ACK) on a tuple whose connection has seen
//! a FIN or RST starts a new connection, as conntrack does on the router. Every packet of a
//! connection, bare ACKs and the handshake included, is pushed to its [`Flow`] in capture order,
//! which is what the router's window counts. TCP is not reassembled: retransmitted segments are
//! pushed again, as the router would see them.
//!
//! # Bounds
//!
//! Memory does not grow with the size of the capture: at most [`Limits::max_flows`]
//! connections are tracked (packets of later connections are counted in
//! [`Stats::untracked`]), each keeps at most its window's [`Window::max_bytes`] (and nothing
//! once its window is closed), and a record or block longer than
//! [`Limits::max_record_bytes`] is an error rather than an allocation. Reading stops after
//! [`Limits::max_packets`] packet records. Truncated or garbage files give a [`PcapError`],
//! never a panic; a file that ends in the middle of its last record keeps what came before
//! ([`Stats::truncated`]).

use std::collections::HashMap;
use std::fmt;
use std::io::{ErrorKind, Read};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::{Direction, Flow, PatternSet, Verdict, Window};

mod file;
mod link;

use file::{Decoder, Step};

/// Bounds on what reading a capture may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The collection window of each connection. Default: [`Window::default()`], the router's
    /// first 10 packets or 2048 bytes (after NUL removal) of a connection, both directions.
    pub window: Window,
    /// Most connections tracked. Default: 100,000. Packets of further connections are counted
    /// in [`Stats::untracked`]. Each tracked connection costs about 400 bytes, plus its
    /// window's buffer while the window is open (at most 2 × `window.max_bytes` of capacity).
    pub max_flows: usize,
    /// Most packet records read; reading stops there and sets [`Stats::packet_limit_reached`].
    /// Default: no limit (`u64::MAX`): time grows with the capture, memory does not.
    pub max_packets: u64,
    /// Longest pcap record or pcapng block accepted, in bytes. Default: 16 MiB (libpcap's own
    /// limit for pcapng blocks; pcap records are at most 256 KiB in practice).
    pub max_record_bytes: usize,
}

impl Limits {
    /// The default number of connections tracked (100,000).
    pub const DEFAULT_MAX_FLOWS: usize = 100_000;
    /// The default limit on packet records read (none).
    pub const DEFAULT_MAX_PACKETS: u64 = u64::MAX;
    /// The default longest record or block (16 MiB).
    pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

    /// Sets the collection window of each connection.
    pub fn window(&mut self, window: Window) -> &mut Self {
        self.window = window;
        self
    }

    /// Sets the most connections tracked.
    pub fn max_flows(&mut self, n: usize) -> &mut Self {
        self.max_flows = n;
        self
    }

    /// Sets the most packet records read.
    pub fn max_packets(&mut self, n: u64) -> &mut Self {
        self.max_packets = n;
        self
    }

    /// Sets the longest record or block accepted.
    pub fn max_record_bytes(&mut self, n: usize) -> &mut Self {
        self.max_record_bytes = n;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            window: Window::default(),
            max_flows: Self::DEFAULT_MAX_FLOWS,
            max_packets: Self::DEFAULT_MAX_PACKETS,
            max_record_bytes: Self::DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// A capture that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PcapError {
    /// Reading the input failed ([`flows_from_reader`] only).
    #[error("cannot read the capture: {0}")]
    Io(#[from] std::io::Error),
    /// The input starts with neither the pcap nor the pcapng magic number.
    #[error("not a pcap or pcapng file (it starts with {magic:02x?})")]
    NotACapture {
        /// The first four bytes.
        magic: [u8; 4],
    },
    /// The input ends before its file header does (the 24-byte pcap header, or the first pcapng
    /// section header block); an empty input is this with `len` 0.
    #[error("the capture ends inside its file header, after {len} bytes")]
    TruncatedHeader {
        /// How many bytes there were.
        len: usize,
    },
    /// A record or block breaks the file format.
    #[error("malformed capture at byte {offset}: {detail}")]
    Malformed {
        /// Where the record or block starts in the file.
        offset: u64,
        /// What is wrong with it.
        detail: String,
    },
    /// A record or block announces more bytes than [`Limits::max_record_bytes`].
    #[error("the record at byte {offset} is {len} bytes long, more than the {max} accepted")]
    RecordTooLarge {
        /// Where the record or block starts in the file.
        offset: u64,
        /// The length it announces.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// The capture has packets, but none on a link type this module decodes.
    #[error(
        "no packet can be decoded: link type {link_type} is not supported (Ethernet, Linux \
         cooked SLL and SLL2, raw IPv4/IPv6 and BSD loopback are)"
    )]
    UnsupportedLinkType {
        /// The link type of the first packet (a `LINKTYPE_` number of tcpdump.org).
        link_type: u32,
    },
}

/// The transport protocol of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Transport {
    /// `"tcp"` or `"udp"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One connection of the capture and what the matcher made of it.
///
/// `Display` prints `tcp 192.168.88.10:50000 -> 203.0.113.7:80` (IPv6 addresses in brackets).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Connection {
    /// TCP or UDP.
    pub transport: Transport,
    /// The sender of the connection's first packet in the capture.
    pub originator: SocketAddr,
    /// The other end.
    pub responder: SocketAddr,
    /// The stream matcher, after every packet of the connection: [`Flow::verdict`],
    /// [`Flow::matched`], [`Flow::packets`] (all packets, including those after the window
    /// closed) and [`Flow::bytes`] (payload bytes, likewise).
    pub flow: Flow,
}

impl Connection {
    /// What the matcher decided: matched, unknown (the window closed without a match), or
    /// undecided (the capture ended while the window was still open).
    pub fn verdict(&self) -> Verdict {
        self.flow.verdict()
    }

    /// The names of the patterns that matched, in the order of the pattern set.
    pub fn matched_names(&self) -> Vec<&str> {
        self.flow.pattern_set().names_of(self.flow.matched())
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {}",
            self.transport, self.originator, self.responder
        )
    }
}

/// Counts of what was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Packet records read (each a frame of the capture's link type).
    pub frames: u64,
    /// TCP and UDP packets among them, [`Stats::untracked`] included.
    pub packets: u64,
    /// Frames that are not TCP or UDP over IP, or on an unsupported link type.
    pub skipped: u64,
    /// Of [`Stats::skipped`], the frames on a link type this module does not decode.
    pub unsupported_link: u64,
    /// TCP and UDP packets of connections not tracked because [`Limits::max_flows`]
    /// connections already were.
    pub untracked: u64,
    /// The capture ends inside a record: everything before it was read.
    pub truncated: bool,
    /// Reading stopped after [`Limits::max_packets`] packet records.
    pub packet_limit_reached: bool,
}

/// The connections of a capture, in the order of their first packet, and counts of what was
/// read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Flows {
    /// The connections, in the order their first packet appears in the capture.
    pub connections: Vec<Connection>,
    /// What was read and skipped.
    pub stats: Stats,
}

/// A connection's key: transport, sender, receiver.
type Key = (Transport, SocketAddr, SocketAddr);

/// The connection table: packets in, connections with their flows out.
struct Table {
    set: Arc<PatternSet>,
    limits: Limits,
    connections: Vec<Connection>,
    /// Per connection: a FIN or RST was seen, so a new SYN starts a new connection.
    ended: Vec<bool>,
    index: HashMap<Key, usize>,
    stats: Stats,
    first_unsupported: Option<u32>,
}

impl Table {
    fn new(set: &Arc<PatternSet>, limits: &Limits) -> Table {
        Table {
            set: Arc::clone(set),
            limits: *limits,
            connections: Vec::new(),
            ended: Vec::new(),
            index: HashMap::new(),
            stats: Stats::default(),
            first_unsupported: None,
        }
    }

    /// Whether another packet record may be read.
    fn room(&mut self) -> bool {
        if self.stats.frames >= self.limits.max_packets {
            self.stats.packet_limit_reached = true;
            return false;
        }
        true
    }

    fn frame(&mut self, link_type: u32, data: &[u8]) {
        self.stats.frames += 1;
        if !link::is_supported(link_type) {
            self.stats.skipped += 1;
            self.stats.unsupported_link += 1;
            self.first_unsupported.get_or_insert(link_type);
            return;
        }
        match link::decode(link_type, data) {
            Some(p) => self.packet(&p),
            None => self.stats.skipped += 1,
        }
    }

    fn packet(&mut self, p: &link::Packet<'_>) {
        self.stats.packets += 1;
        let fwd = (p.transport, p.src, p.dst);
        let rev = (p.transport, p.dst, p.src);
        let found = match (self.index.get(&fwd), self.index.get(&rev)) {
            (Some(&i), _) => Some((i, Direction::Original)),
            (None, Some(&i)) => Some((i, Direction::Reply)),
            (None, None) => None,
        };
        let (slot, dir) = match found {
            Some((i, d)) if !(p.syn_only && self.ended.get(i).copied().unwrap_or(false)) => (i, d),
            _ => {
                if self.connections.len() >= self.limits.max_flows {
                    self.stats.untracked += 1;
                    return;
                }
                let id = self.connections.len();
                self.connections.push(Connection {
                    transport: p.transport,
                    originator: p.src,
                    responder: p.dst,
                    flow: Flow::with_window(Arc::clone(&self.set), self.limits.window),
                });
                self.ended.push(false);
                self.index.remove(&rev);
                self.index.insert(fwd, id);
                (id, Direction::Original)
            }
        };
        if let Some(c) = self.connections.get_mut(slot) {
            c.flow.push(dir, p.payload);
        }
        if p.fin_or_rst {
            if let Some(e) = self.ended.get_mut(slot) {
                *e = true;
            }
        }
    }

    /// The input ended with `left` unread bytes that do not make a whole record.
    fn end(&mut self, decoder: &Decoder, left: usize) -> Result<(), PcapError> {
        if !decoder.started() {
            return Err(PcapError::TruncatedHeader { len: left });
        }
        if left > 0 {
            self.stats.truncated = true;
        }
        Ok(())
    }

    fn finish(self) -> Result<Flows, PcapError> {
        if self.stats.frames > 0 && self.stats.unsupported_link == self.stats.frames {
            return Err(PcapError::UnsupportedLinkType {
                link_type: self.first_unsupported.unwrap_or_default(),
            });
        }
        Ok(Flows {
            connections: self.connections,
            stats: self.stats,
        })
    }
}

/// Reads a pcap or pcapng capture held in memory, rebuilds its TCP and UDP connections and
/// matches each against `set` through the window of `limits`.
///
/// See the [module documentation](self) for what is read and an example.
pub fn flows(capture: &[u8], set: &Arc<PatternSet>, limits: &Limits) -> Result<Flows, PcapError> {
    let mut decoder = Decoder::new(limits.max_record_bytes);
    let mut table = Table::new(set, limits);
    let mut pos = 0usize;
    loop {
        let rest = capture.get(pos..).unwrap_or_default();
        let offset = u64::try_from(pos).unwrap_or(u64::MAX);
        let used = match decoder.step(rest, offset)? {
            Step::Frame { used, link, data } => {
                if !table.room() {
                    break;
                }
                table.frame(link, data);
                used
            }
            Step::Other { used } => used,
            Step::NeedMore { .. } => {
                table.end(&decoder, rest.len())?;
                break;
            }
        };
        pos = pos.saturating_add(used);
    }
    table.finish()
}

/// How much [`flows_from_reader`] reads at a time.
const READ_CHUNK: usize = 64 << 10;

/// Like [`flows`], reading the capture from `reader` (buffer it or not: reads are 64 KiB or
/// one record, whichever is larger). Memory holds one record of the capture at a time, never
/// more than [`Limits::max_record_bytes`] plus 64 KiB.
///
/// ```no_run
/// use std::sync::Arc;
/// use l7_patterns::pcap::{flows_from_reader, Limits};
/// use l7_patterns::{load::load_path, MatchMode, PatternSet};
///
/// let set = Arc::new(PatternSet::new(load_path("l7.rsc".as_ref())?, MatchMode::default())?);
/// let found = flows_from_reader(std::fs::File::open("capture.pcapng")?, &set, &Limits::default())?;
/// for c in &found.connections {
///     println!("{c}: {:?}", c.matched_names());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn flows_from_reader<R: Read>(
    mut reader: R,
    set: &Arc<PatternSet>,
    limits: &Limits,
) -> Result<Flows, PcapError> {
    let mut decoder = Decoder::new(limits.max_record_bytes);
    let mut table = Table::new(set, limits);
    let mut buf: Vec<u8> = Vec::new();
    // buf[start..] is unread; it begins at `offset` in the capture.
    let mut start = 0usize;
    let mut offset = 0u64;
    let mut eof = false;
    loop {
        let rest = buf.get(start..).unwrap_or_default();
        let used = match decoder.step(rest, offset)? {
            Step::Frame { used, link, data } => {
                if !table.room() {
                    break;
                }
                table.frame(link, data);
                used
            }
            Step::Other { used } => used,
            Step::NeedMore { need } => {
                let left = rest.len();
                if eof {
                    table.end(&decoder, left)?;
                    break;
                }
                buf.drain(..start.min(buf.len()));
                start = 0;
                eof = fill(
                    &mut reader,
                    &mut buf,
                    need.max(left.saturating_add(READ_CHUNK)),
                )?;
                continue;
            }
        };
        start = start.saturating_add(used);
        offset = offset.saturating_add(u64::try_from(used).unwrap_or(u64::MAX));
    }
    table.finish()
}

/// Reads into `buf` until it holds `want` bytes or the input ends; returns whether it ended.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> Result<bool, PcapError> {
    let mut filled = buf.len();
    buf.resize(want.max(filled), 0);
    let mut eof = false;
    while filled < buf.len() {
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(PcapError::Io(e)),
        }
    }
    buf.truncate(filled);
    Ok(eof)
}
