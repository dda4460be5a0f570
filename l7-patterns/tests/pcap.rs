//! `l7_patterns::pcap`: capture files, link types and connections, as byte tables; the same
//! captures read from memory, from a reader, and one byte at a time.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use etherparse::PacketBuilder;
use l7_patterns::pcap::{flows, flows_from_reader, Flows, Limits, PcapError, Stats, Transport};
use l7_patterns::{MatchMode, PatternSet, Verdict, Window};

// ---------------------------------------------------------------- building captures

/// A file of the classic format: `magic` as written (it sets the byte order), version 2.4,
/// snapshot length 65535, one record per frame.
fn pcap_file(magic: [u8; 4], link: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let big = magic == [0xa1, 0xb2, 0xc3, 0xd4] || magic == [0xa1, 0xb2, 0x3c, 0x4d];
    let u16b = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = magic.to_vec();
    out.extend(u16b(2));
    out.extend(u16b(4));
    out.extend([0; 8]);
    out.extend(u32b(65535));
    out.extend(u32b(link));
    for (i, f) in frames.iter().enumerate() {
        let len = u32::try_from(f.len()).unwrap();
        out.extend(u32b(1_700_000_000));
        out.extend(u32b(u32::try_from(i).unwrap()));
        out.extend(u32b(len));
        out.extend(u32b(len));
        out.extend(f);
    }
    out
}

/// Little-endian, microseconds: what tcpdump writes on x86.
fn pcap(link: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    pcap_file([0xd4, 0xc3, 0xb2, 0xa1], link, frames)
}

/// One pcapng block: type, total length, body padded to 32 bits, total length.
fn block(big: bool, kind: u32, body: &[u8]) -> Vec<u8> {
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let pad = (4 - body.len() % 4) % 4;
    let total = u32::try_from(12 + body.len() + pad).unwrap();
    let mut out = Vec::new();
    out.extend(u32b(kind));
    out.extend(u32b(total));
    out.extend(body);
    out.extend(vec![0; pad]);
    out.extend(u32b(total));
    out
}

fn shb(big: bool) -> Vec<u8> {
    let mut body = if big {
        vec![0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0]
    } else {
        vec![0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]
    };
    body.extend([0xff; 8]); // section length: unknown
    block(big, 0x0a0d_0d0a, &body)
}

fn idb(big: bool, link: u16) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(if big {
        link.to_be_bytes()
    } else {
        link.to_le_bytes()
    });
    body.extend([0, 0]);
    body.extend(if big {
        65535u32.to_be_bytes()
    } else {
        65535u32.to_le_bytes()
    });
    block(big, 1, &body)
}

/// An enhanced packet block; `options` are appended after the padded data as given.
fn epb(big: bool, interface: u32, data: &[u8], options: &[u8]) -> Vec<u8> {
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut body = Vec::new();
    body.extend(u32b(interface));
    body.extend(u32b(0));
    body.extend(u32b(1000));
    body.extend(u32b(u32::try_from(data.len()).unwrap()));
    body.extend(u32b(u32::try_from(data.len()).unwrap()));
    body.extend(data);
    body.extend(vec![0; (4 - data.len() % 4) % 4]);
    body.extend(options);
    block(big, 6, &body)
}

fn spb(big: bool, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let len = u32::try_from(data.len()).unwrap();
    body.extend(if big {
        len.to_be_bytes()
    } else {
        len.to_le_bytes()
    });
    body.extend(data);
    block(big, 3, &body)
}

/// The obsolete packet block (type 2): a 16-bit interface id and a drop count.
fn pb(big: bool, interface: u16, data: &[u8]) -> Vec<u8> {
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut body = Vec::new();
    body.extend(if big {
        interface.to_be_bytes()
    } else {
        interface.to_le_bytes()
    });
    body.extend([0, 0]);
    body.extend(u32b(0));
    body.extend(u32b(1000));
    body.extend(u32b(u32::try_from(data.len()).unwrap()));
    body.extend(u32b(u32::try_from(data.len()).unwrap()));
    body.extend(data);
    block(big, 2, &body)
}

fn pcapng(big: bool, link: u16, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = shb(big);
    out.extend(idb(big, link));
    for f in frames {
        out.extend(epb(big, 0, f, &[]));
    }
    out
}

const CLIENT: ([u8; 4], u16) = ([192, 168, 88, 10], 50000);
const SERVER: ([u8; 4], u16) = ([203, 0, 113, 7], 80);
const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: www.youtube.com\r\n\r\n";

/// An IPv4 packet (no link header) with TCP; `flags` among `S`, `A`, `F`, `R`.
fn tcp4(from: ([u8; 4], u16), to: ([u8; 4], u16), flags: &str, payload: &[u8]) -> Vec<u8> {
    let mut b = PacketBuilder::ipv4(from.0, to.0, 64).tcp(from.1, to.1, 1, 65535);
    if flags.contains('S') {
        b = b.syn();
    }
    if flags.contains('A') {
        b = b.ack(1);
    }
    if flags.contains('F') {
        b = b.fin();
    }
    if flags.contains('R') {
        b = b.rst();
    }
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

fn udp4(from: ([u8; 4], u16), to: ([u8; 4], u16), payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ipv4(from.0, to.0, 64)
        .udp(from.1, to.1)
        .write(&mut out, payload)
        .unwrap();
    out
}

fn udp6(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut a = [0u8; 16];
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
    let mut b = a;
    a[15] = 1;
    b[15] = 2;
    PacketBuilder::ipv6(a, b, 64)
        .udp(5353, 53)
        .write(&mut out, payload)
        .unwrap();
    out
}

/// Prefixes an IP packet with a link header.
fn with(header: &[u8], ip: &[u8]) -> Vec<u8> {
    [header, ip].concat()
}

const MACS: [u8; 12] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];

fn ether(ether_type: u16, ip: &[u8]) -> Vec<u8> {
    let mut h = MACS.to_vec();
    h.extend(ether_type.to_be_bytes());
    with(&h, ip)
}

/// The 3 packets of an HTTP request to YouTube: SYN, SYN-ACK, the request.
fn youtube() -> Vec<Vec<u8>> {
    vec![
        tcp4(CLIENT, SERVER, "S", b""),
        tcp4(SERVER, CLIENT, "SA", b""),
        tcp4(CLIENT, SERVER, "A", GET),
    ]
}

fn set() -> Arc<PatternSet> {
    Arc::new(
        PatternSet::new(
            [
                ("http", "^(get|post) [ -~]* http/1\\.[01]"),
                ("http-response", "http/1\\.[01] [1-5][0-9][0-9]"),
                ("dns", "^.?.?\\x01\\x01[\\x01-\\x3f]www"),
                ("youtube", "youtube\\.com"),
            ],
            MatchMode::default(),
        )
        .unwrap(),
    )
}

// ---------------------------------------------------------------- reading back

/// One connection as a comparable row: `tcp a -> b`, packets, bytes, verdict, matches.
type Row = (String, u32, u64, &'static str, Vec<String>);

fn rows(f: &Flows) -> Vec<Row> {
    f.connections
        .iter()
        .map(|c| {
            let verdict = match c.verdict() {
                Verdict::Matched(_) => "matched",
                Verdict::Unknown => "unknown",
                _ => "undecided",
            };
            (
                c.to_string(),
                c.flow.packets(),
                c.flow.bytes(),
                verdict,
                c.matched_names().into_iter().map(str::to_owned).collect(),
            )
        })
        .collect()
}

/// A reader that hands out one byte per read.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// Reads `capture` from memory, from a reader and one byte at a time; all three must agree.
fn read_all_ways(capture: &[u8], limits: &Limits) -> Result<(Vec<Row>, Stats), String> {
    let set = set();
    let a = flows(capture, &set, limits).map(|f| (rows(&f), f.stats));
    let b = flows_from_reader(capture, &set, limits).map(|f| (rows(&f), f.stats));
    let c = flows_from_reader(OneByte(capture), &set, limits).map(|f| (rows(&f), f.stats));
    let show = |r: Result<(Vec<Row>, Stats), PcapError>| r.map_err(|e| e.to_string());
    let (a, b, c) = (show(a), show(b), show(c));
    assert_eq!(a, b, "from memory and from a reader");
    assert_eq!(a, c, "from memory and one byte at a time");
    a
}

fn read(capture: &[u8]) -> (Vec<Row>, Stats) {
    read_all_ways(capture, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn youtube_row() -> Row {
    (
        "tcp 192.168.88.10:50000 -> 203.0.113.7:80".to_owned(),
        3,
        u64::try_from(GET.len()).unwrap(),
        "matched",
        vec!["http".to_owned(), "youtube".to_owned()],
    )
}

// ---------------------------------------------------------------- file formats

#[test]
fn file_formats_give_the_same_connection() {
    let frames = youtube();
    let eth: Vec<Vec<u8>> = frames.iter().map(|f| ether(0x0800, f)).collect();
    let non_utf8_comment = [1, 0, 4, 0, 0xff, 0xfe, 0xfd, 0xfc, 0, 0, 0, 0];
    let non_utf8_comment_be = [0, 1, 0, 4, 0xff, 0xfe, 0xfd, 0xfc, 0, 0, 0, 0];
    let table: Vec<(&str, Vec<u8>)> = vec![
        ("pcap, little-endian, µs", pcap(101, &frames)),
        (
            "pcap, big-endian, µs",
            pcap_file([0xa1, 0xb2, 0xc3, 0xd4], 101, &frames),
        ),
        (
            "pcap, little-endian, ns",
            pcap_file([0x4d, 0x3c, 0xb2, 0xa1], 101, &frames),
        ),
        (
            "pcap, big-endian, ns",
            pcap_file([0xa1, 0xb2, 0x3c, 0x4d], 101, &frames),
        ),
        ("pcap, Ethernet", pcap(1, &eth)),
        ("pcap, Ethernet with a 4-byte frame check sequence", {
            // link type field: FCS length 2 (× 2 bytes) in bits 28-31, its flag in bit 26
            let with_fcs: Vec<Vec<u8>> = eth
                .iter()
                .map(|f| [&f[..], &[0xde, 0xad, 0xbe, 0xef]].concat())
                .collect();
            pcap(0x2400_0001, &with_fcs)
        }),
        ("pcapng, little-endian", pcapng(false, 101, &frames)),
        ("pcapng, big-endian", pcapng(true, 101, &frames)),
        ("pcapng, Ethernet", pcapng(false, 1, &eth)),
        ("pcapng, simple packet blocks", {
            let mut c = shb(false);
            c.extend(idb(false, 101));
            for f in &frames {
                c.extend(spb(false, f));
            }
            c
        }),
        ("pcapng, obsolete packet blocks", {
            let mut c = shb(true);
            c.extend(idb(true, 101));
            for f in &frames {
                c.extend(pb(true, 0, f));
            }
            c
        }),
        ("pcapng, two interfaces, packets on the second", {
            let mut c = shb(false);
            c.extend(idb(false, 147)); // a user link type, never used
            c.extend(idb(false, 1));
            for f in &eth {
                c.extend(epb(false, 1, f, &[]));
            }
            c
        }),
        ("pcapng, two sections of opposite byte orders", {
            let mut c = shb(false);
            c.extend(idb(false, 1));
            c.extend(epb(false, 0, &eth[0], &[]));
            c.extend(shb(true));
            c.extend(idb(true, 101));
            c.extend(epb(true, 0, &frames[1], &[]));
            c.extend(epb(true, 0, &frames[2], &[]));
            c
        }),
        ("pcapng, a packet comment that is not UTF-8", {
            let mut c = shb(false);
            c.extend(idb(false, 101));
            c.extend(epb(false, 0, &frames[0], &non_utf8_comment));
            c.extend(epb(false, 0, &frames[1], &[]));
            c.extend(epb(false, 0, &frames[2], &[]));
            c
        }),
        ("pcapng big-endian, a packet comment that is not UTF-8", {
            let mut c = shb(true);
            c.extend(idb(true, 101));
            c.extend(epb(true, 0, &frames[0], &non_utf8_comment_be));
            c.extend(epb(true, 0, &frames[1], &[]));
            c.extend(epb(true, 0, &frames[2], &[]));
            c
        }),
        ("pcapng, blocks of other types in between", {
            let mut c = shb(false);
            c.extend(block(false, 4, &[1, 0, 5, 0, 1, 2, 3, 4, 0x61])); // name resolution
            c.extend(idb(false, 101));
            c.extend(block(false, 5, &[0; 12])); // interface statistics
            for f in &frames {
                c.extend(epb(false, 0, f, &[]));
                c.extend(block(false, 0x0bad, &[1, 2, 3])); // custom
            }
            c
        }),
    ];
    for (name, capture) in table {
        let (rows, stats) = read(&capture);
        assert_eq!(rows, [youtube_row()], "{name}");
        assert_eq!(
            (stats.frames, stats.packets, stats.skipped),
            (3, 3, 0),
            "{name}"
        );
        assert!(!stats.truncated, "{name}");
    }
}

/// Captures written by `pcap-file` itself (what most Rust tools produce) read the same.
#[test]
fn captures_written_by_pcap_file() {
    use pcap_file::pcap::{PcapPacket, PcapWriter};
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::DataLink;

    let frames: Vec<Vec<u8>> = youtube().iter().map(|f| ether(0x0800, f)).collect();
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (i, f) in frames.iter().enumerate() {
        let t = Duration::from_millis(u64::try_from(i).unwrap());
        w.write_packet(&PcapPacket::new(t, u32::try_from(f.len()).unwrap(), f))
            .unwrap();
    }
    let pcap = w.into_writer();
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    w.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 65535,
        options: vec![],
    })
    .unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_millis(u64::try_from(i).unwrap()),
            original_len: u32::try_from(f.len()).unwrap(),
            data: Cow::Borrowed(f),
            options: vec![],
        })
        .unwrap();
    }
    let pcapng = w.into_inner();
    assert_eq!(read(&pcap).0, [youtube_row()]);
    assert_eq!(read(&pcapng).0, [youtube_row()]);
}

/// A snapshot length of 80 cuts the request: the packet still counts, with what was captured.
#[test]
fn frames_cut_by_the_snapshot_length_count() {
    let mut frames: Vec<Vec<u8>> = youtube().iter().map(|f| ether(0x0800, f)).collect();
    let full = frames[2].len();
    assert!(full > 80);
    frames[2].truncate(80);
    let mut capture = pcap(1, &frames);
    // original length (the last 4 bytes of the last record header) as on the wire
    let at = capture.len() - 80 - 4;
    capture[at..at + 4].copy_from_slice(&u32::try_from(full).unwrap().to_le_bytes());
    let (rows, stats) = read(&capture);
    let (_, packets, bytes, verdict, names) = &rows[0];
    assert_eq!(*packets, 3);
    assert_eq!(*bytes, 80 - 14 - 20 - 20);
    assert_eq!(*verdict, "matched");
    assert_eq!(names, &["http"], "the host name was not captured");
    assert_eq!(stats.skipped, 0);
}

// ---------------------------------------------------------------- link types

#[test]
fn link_types() {
    let ip = tcp4(CLIENT, SERVER, "A", GET);
    let v6 = udp6(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00");
    let sll = |proto: u16| {
        let mut h = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        h.extend(proto.to_be_bytes());
        h
    };
    let sll2 = |proto: u16| {
        let mut h = proto.to_be_bytes().to_vec();
        h.extend([0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        h
    };
    let vlan = {
        let mut h = MACS.to_vec();
        h.extend([0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
        h
    };
    let qinq = {
        let mut h = MACS.to_vec();
        h.extend([0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
        h
    };
    let tcp_row = (
        "tcp 192.168.88.10:50000 -> 203.0.113.7:80".to_owned(),
        1,
        u64::try_from(GET.len()).unwrap(),
        "matched",
        vec!["http".to_owned(), "youtube".to_owned()],
    );
    let udp6_row = (
        "udp [2001:db8::1]:5353 -> [2001:db8::2]:53".to_owned(),
        1,
        29,
        "matched",
        vec!["dns".to_owned()],
    );
    // (what, link type, frame, the connection it makes)
    let table: Vec<(&str, u32, Vec<u8>, &Row)> = vec![
        ("Ethernet", 1, ether(0x0800, &ip), &tcp_row),
        ("Ethernet, IPv6", 1, ether(0x86dd, &v6), &udp6_row),
        ("Ethernet, 802.1Q VLAN 10", 1, with(&vlan, &ip), &tcp_row),
        ("Ethernet, QinQ 100/10", 1, with(&qinq, &ip), &tcp_row),
        ("Linux cooked v1", 113, with(&sll(0x0800), &ip), &tcp_row),
        (
            "Linux cooked v1, IPv6",
            113,
            with(&sll(0x86dd), &v6),
            &udp6_row,
        ),
        ("Linux cooked v2", 276, with(&sll2(0x0800), &ip), &tcp_row),
        (
            "Linux cooked v2, IPv6",
            276,
            with(&sll2(0x86dd), &v6),
            &udp6_row,
        ),
        ("raw IP", 101, ip.clone(), &tcp_row),
        ("raw IP, IPv6", 101, v6.clone(), &udp6_row),
        ("IPv4", 228, ip.clone(), &tcp_row),
        ("IPv6", 229, v6.clone(), &udp6_row),
        ("BSD loopback", 0, with(&[2, 0, 0, 0], &ip), &tcp_row),
        (
            "OpenBSD loopback, IPv6",
            108,
            with(&[0, 0, 0, 24], &v6),
            &udp6_row,
        ),
    ];
    for (name, link, frame, row) in &table {
        for capture in [
            pcap(*link, std::slice::from_ref(frame)),
            pcapng(
                false,
                u16::try_from(*link).unwrap(),
                std::slice::from_ref(frame),
            ),
        ] {
            let (rows, stats) = read(&capture);
            assert_eq!(rows, [(*row).clone()], "{name}");
            assert_eq!((stats.packets, stats.skipped), (1, 0), "{name}");
            let f = flows(&capture, &set(), &Limits::default()).unwrap();
            let want = if row.0.starts_with("tcp") {
                Transport::Tcp
            } else {
                Transport::Udp
            };
            assert_eq!(f.connections[0].transport, want, "{name}");
        }
    }
}

#[test]
fn frames_without_tcp_or_udp_are_skipped_and_counted() {
    let ip = tcp4(CLIENT, SERVER, "A", GET);
    let arp = ether(0x0806, &[0, 1, 8, 0, 6, 4, 0, 1]);
    let mut icmp = Vec::new();
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .icmpv4_echo_request(1, 1)
        .write(&mut icmp, b"ping")
        .unwrap();
    let mut fragment = ip.clone();
    fragment[6] = 0x00;
    fragment[7] = 0x10; // fragment offset 128 bytes: not the first fragment
                        // (what, frame)
    let skipped: Vec<(&str, Vec<u8>)> = vec![
        ("ARP", arp),
        ("ICMP", ether(0x0800, &icmp)),
        ("a later IP fragment", ether(0x0800, &fragment)),
        ("a frame shorter than its Ethernet header", vec![0xff; 10]),
        (
            "garbage after an IPv4 EtherType",
            ether(0x0800, &[0x45, 1, 2]),
        ),
        ("an unknown EtherType", ether(0x88b5, &ip)),
        ("Linux cooked v1, cut in its header", vec![0, 0, 0, 1, 0, 6]),
    ];
    for (name, frame) in &skipped {
        let link = if name.starts_with("Linux") { 113 } else { 1 };
        let capture = pcap(link, &[frame.clone(), ether(0x0800, &ip)]);
        let capture = if link == 113 {
            let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0];
            sll.extend(&ip);
            pcap(link, &[frame.clone(), sll])
        } else {
            capture
        };
        let (rows, stats) = read(&capture);
        assert_eq!(rows.len(), 1, "{name}");
        assert_eq!(
            (
                stats.frames,
                stats.packets,
                stats.skipped,
                stats.unsupported_link
            ),
            (2, 1, 1, 0),
            "{name}"
        );
    }
}

#[test]
fn unsupported_link_types_are_skipped_unless_nothing_else_is_readable() {
    let ip = tcp4(CLIENT, SERVER, "A", GET);
    // One interface of an unsupported type (802.11) beside an Ethernet one: skipped, counted.
    let mut c = shb(false);
    c.extend(idb(false, 105));
    c.extend(idb(false, 1));
    c.extend(epb(false, 0, &[0x08, 0x02, 0, 0], &[]));
    c.extend(epb(false, 1, &ether(0x0800, &ip), &[]));
    let (rows, stats) = read(&c);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (stats.frames, stats.skipped, stats.unsupported_link),
        (2, 1, 1)
    );
    // Nothing but 802.11: an error that names the link type.
    let e = read_all_ways(&pcap(105, &[vec![0x08, 0x02, 0, 0]]), &Limits::default()).unwrap_err();
    assert!(e.contains("link type 105 is not supported"), "{e}");
    let set = set();
    assert!(matches!(
        flows(&pcap(105, &[vec![0; 4]]), &set, &Limits::default()),
        Err(PcapError::UnsupportedLinkType { link_type: 105 })
    ));
    // A capture with no packet at all is empty, not an error.
    let (rows, stats) = read(&pcap(105, &[]));
    assert!(rows.is_empty());
    assert_eq!(stats, Stats::default());
}

// ---------------------------------------------------------------- errors

#[test]
fn truncated_and_garbage_files_are_errors() {
    let good = pcapng(false, 101, &youtube());
    let mut bad_bom = good.clone();
    bad_bom[8] = 0x99;
    let mut odd_len = shb(false);
    odd_len.extend(block(false, 1, &[1, 0, 0, 0, 0, 0, 1, 0]));
    odd_len[32] = 21; // the interface block's length, not a multiple of 4
    let mut trailer = shb(false);
    trailer.extend(idb(false, 1));
    let last = trailer.len() - 4;
    trailer[last] = 24;
    let mut caplen = shb(false);
    caplen.extend(idb(false, 101));
    let mut e = epb(false, 0, &[0x45; 8], &[]);
    e[20] = 200; // captured length 200 in a 40-byte block
    caplen.extend(e);
    let mut no_interface = shb(false);
    no_interface.extend(idb(false, 101));
    no_interface.extend(epb(false, 1, &youtube()[0], &[]));
    let mut spb_first = shb(false);
    spb_first.extend(spb(false, &youtube()[0]));
    let mut version2 = shb(false);
    version2[12] = 2;
    let huge_record = {
        let mut c = pcap(101, &[]);
        c.extend([0; 8]);
        c.extend(u32::MAX.to_le_bytes());
        c.extend(u32::MAX.to_le_bytes());
        c
    };
    let huge_block = {
        let mut c = shb(true);
        c.extend([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xfc]);
        c
    };
    // (what, bytes, the error's text)
    let table: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "the capture ends inside its file header, after 0 bytes"),
        ("two bytes", b"\xd4\xc3".to_vec(), "after 2 bytes"),
        ("text", b"this is not a capture file".to_vec(), "not a pcap or pcapng file (it starts with [74, 68, 69, 73])"),
        ("a pcap header cut short", pcap(1, &[])[..20].to_vec(), "inside its file header, after 20 bytes"),
        ("a section header cut short", good[..20].to_vec(), "inside its file header, after 20 bytes"),
        ("an unknown byte-order magic", bad_bom, "malformed capture at byte 0: section header with an unknown byte-order magic"),
        ("pcapng version 2", version2, "pcapng version 2 is not supported"),
        ("a block length that is not a multiple of 4", odd_len, "malformed capture at byte 28: block length 21 is not a multiple of 4"),
        ("a trailing length that differs", trailer, "block length 20 does not match its trailing copy 24"),
        ("a captured length past the block", caplen, "malformed capture at byte 48: enhanced packet block: captured length 200 exceeds the block"),
        ("a packet of an undescribed interface", no_interface, "packet of interface 1, which the section does not describe"),
        ("a simple packet before any interface", spb_first, "packet of interface 0, which the section does not describe"),
        ("a pcap record of 4 GiB", huge_record, "the record at byte 24 is 4294967295 bytes long, more than the 16777216 accepted"),
        ("a pcapng block of 2 GiB", huge_block, "the record at byte 28 is 2147483644 bytes long"),
    ];
    for (name, bytes, text) in table {
        let e = read_all_ways(&bytes, &Limits::default()).expect_err(name);
        assert!(e.contains(text), "{name}: {e}");
    }
}

#[test]
fn a_capture_cut_inside_its_last_record_keeps_the_rest() {
    for capture in [pcap(101, &youtube()), pcapng(true, 101, &youtube())] {
        // Cut inside the last record's header, then inside its data.
        for cut in [capture.len() - youtube()[2].len() - 12, capture.len() - 5] {
            let (rows, stats) = read(&capture[..cut]);
            assert!(stats.truncated);
            assert_eq!(stats.packets, 2);
            let (_, packets, _, verdict, _) = &rows[0];
            assert_eq!((*packets, *verdict), (2, "undecided"));
        }
    }
}

#[test]
fn record_limit_is_configurable() {
    let capture = pcap(101, &youtube());
    let mut limits = Limits::default();
    limits.max_record_bytes(64);
    let e = read_all_ways(&capture, &limits).unwrap_err();
    assert_eq!(
        e,
        format!(
            "the record at byte {} is {} bytes long, more than the 64 accepted",
            24 + 16 + 40 + 16 + 40,
            GET.len() + 40
        )
    );
}

// ---------------------------------------------------------------- connections

/// Ethernet/IPv4 captures of a few connections, and what the router's window makes of them.
#[test]
fn connections_and_the_router_window() {
    let eth = |ip: Vec<u8>| ether(0x0800, &ip);
    let mut packets = Vec::new();
    let client = ([10, 0, 0, 2], 40000);
    let server = ([93, 184, 216, 34], 80);
    // HTTP: handshake, request, response
    packets.push(eth(tcp4(client, server, "S", b"")));
    packets.push(eth(tcp4(server, client, "SA", b"")));
    packets.push(eth(tcp4(client, server, "A", b"")));
    packets.push(eth(tcp4(
        client,
        server,
        "A",
        b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    )));
    packets.push(eth(tcp4(
        server,
        client,
        "A",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>",
    )));
    // a non-IP frame is skipped; a UDP DNS query
    packets.push(vec![0xff; 14]);
    packets.push(eth(udp4(([10, 0, 0, 2], 53000), ([9, 9, 9, 9], 53), b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00\x00\x01\x00\x01")));
    // a connection whose interesting bytes come after the 10th packet: unknown
    let other = ([10, 0, 0, 3], 40001);
    let srv2 = ([10, 9, 9, 9], 8080);
    packets.push(eth(tcp4(other, srv2, "S", b"")));
    packets.push(eth(tcp4(srv2, other, "SA", b"")));
    for _ in 0..8 {
        packets.push(eth(tcp4(other, srv2, "A", b"\x01\x02\x03")));
    }
    packets.push(eth(tcp4(other, srv2, "A", b"GET / HTTP/1.1\r\n")));
    // a connection cut short: undecided
    packets.push(eth(tcp4(([10, 0, 0, 4], 40002), srv2, "S", b"")));

    let s = |x: &str| x.to_owned();
    let expected: Vec<Row> = vec![
        (
            s("tcp 10.0.0.2:40000 -> 93.184.216.34:80"),
            5,
            87,
            "matched",
            vec![s("http"), s("http-response")],
        ),
        (
            s("udp 10.0.0.2:53000 -> 9.9.9.9:53"),
            1,
            33,
            "matched",
            vec![s("dns")],
        ),
        (
            s("tcp 10.0.0.3:40001 -> 10.9.9.9:8080"),
            11,
            40,
            "unknown",
            vec![],
        ),
        (
            s("tcp 10.0.0.4:40002 -> 10.9.9.9:8080"),
            1,
            0,
            "undecided",
            vec![],
        ),
    ];
    let pcap = pcap(1, &packets);
    let ng = pcapng(false, 1, &packets);
    for capture in [pcap, ng] {
        let (rows, stats) = read(&capture);
        assert_eq!(rows, expected);
        assert_eq!(
            (stats.frames, stats.packets, stats.skipped, stats.untracked),
            (19, 18, 1, 0)
        );
    }
}

#[test]
fn a_syn_after_fin_or_rst_starts_a_new_connection() {
    let frames = vec![
        tcp4(CLIENT, SERVER, "S", b""),
        tcp4(CLIENT, SERVER, "A", b"SSH-2.0-x\r\n"),
        tcp4(SERVER, CLIENT, "AF", b""),
        // the same ports again, after the FIN
        tcp4(CLIENT, SERVER, "S", b""),
        tcp4(CLIENT, SERVER, "A", GET),
        tcp4(SERVER, CLIENT, "AR", b""),
        // a late ACK of the second connection stays in it
        tcp4(CLIENT, SERVER, "A", b""),
    ];
    let (rows, _) = read(&pcap(101, &frames));
    let summary: Vec<(u32, &str)> = rows.iter().map(|r| (r.1, r.3)).collect();
    assert_eq!(summary, [(3, "undecided"), (4, "matched")]);
    // Without a FIN, a new SYN stays in the connection.
    let (rows, _) = read(&pcap(
        101,
        &[
            tcp4(CLIENT, SERVER, "S", b""),
            tcp4(CLIENT, SERVER, "S", b""),
        ],
    ));
    assert_eq!(rows.len(), 1);
}

#[test]
fn limits_on_flows_packets_and_the_window() {
    let frames: Vec<Vec<u8>> = (0..5u16)
        .map(|i| tcp4(CLIENT, ([203, 0, 113, 7], 8000 + i), "A", GET))
        .collect();
    let capture = pcap(101, &frames);

    let mut limits = Limits::default();
    limits.max_flows(2);
    let (rows, stats) = read_all_ways(&capture, &limits).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((stats.packets, stats.untracked), (5, 3));

    let mut limits = Limits::default();
    limits.max_packets(3);
    let (rows, stats) = read_all_ways(&capture, &limits).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(stats.frames, 3);
    assert!(stats.packet_limit_reached);
    limits.max_packets(5);
    let (_, stats) = read_all_ways(&capture, &limits).unwrap();
    assert!(!stats.packet_limit_reached, "exactly at the limit");

    // A 20-byte window never sees the host name.
    let mut limits = Limits::default();
    limits.window(Window::new(10, 20));
    let (rows, _) = read_all_ways(&capture, &limits).unwrap();
    assert!(rows.iter().all(|r| r.4 == ["http"]), "{rows:?}");
}

// ---------------------------------------------------------------- fuzz seeds

/// The seeds of the `pcap_flows` fuzz target (and any crash kept there) read without a panic,
/// the same way from memory and from a reader; the named seeds hold what they say.
#[test]
fn fuzz_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/pcap_flows");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let _ = read_all_ways(&bytes, &Limits::default());
        seen += 1;
    }
    assert!(seen >= 2);
    let (rows, _) = read(&std::fs::read(dir.join("http.pcap")).unwrap());
    assert_eq!(rows, [youtube_row()]);
    let (rows, _) = read(&std::fs::read(dir.join("vlan_sll2.pcapng")).unwrap());
    assert_eq!(rows.len(), 2);
}

/// Writes the named seeds of the fuzz corpus (run with `--ignored` after changing them).
#[test]
#[ignore = "writes the fuzz corpus seeds into fuzz/corpus, not a check; run after changing them"]
fn write_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/pcap_flows");
    std::fs::create_dir_all(&dir).unwrap();
    let frames: Vec<Vec<u8>> = youtube().iter().map(|f| ether(0x0800, f)).collect();
    std::fs::write(dir.join("http.pcap"), pcap(1, &frames)).unwrap();
    let mut vlan = MACS.to_vec();
    vlan.extend([0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
    let mut sll2 = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
    ];
    sll2.extend(udp6(
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www",
    ));
    let mut c = shb(false);
    c.extend(idb(false, 1));
    c.extend(idb(false, 276));
    c.extend(epb(
        false,
        0,
        &with(&vlan, &youtube()[0]),
        &[1, 0, 2, 0, 0x68, 0x69, 0, 0],
    ));
    c.extend(epb(false, 1, &sll2, &[]));
    c.extend(block(false, 5, &[0; 12]));
    std::fs::write(dir.join("vlan_sll2.pcapng"), c).unwrap();
}
