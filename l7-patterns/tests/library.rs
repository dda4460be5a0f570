//! The curated library: what each pattern matches and what it misses, in both match modes and
//! through the stream matcher.

use std::sync::Arc;

use l7_patterns::{library, lint, Direction, Flow, MatchMode, Matcher, PatternSet};

fn tls_client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let n = name.len() as u16;
    let mut ext = vec![0x00, 0x00]; // server_name
    ext.extend_from_slice(&(n + 5).to_be_bytes());
    ext.extend_from_slice(&(n + 3).to_be_bytes());
    ext.push(0x00);
    ext.extend_from_slice(&n.to_be_bytes());
    ext.extend_from_slice(name);
    let mut body = vec![0x03, 0x03];
    body.extend((0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(11))); // random
    body.push(0); // session id
    body.extend_from_slice(&[0x00, 0x02, 0x13, 0x01, 0x01, 0x00]); // ciphers, compression
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![0x01, 0x00];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

fn dns_query(name: &str, qtype: u16) -> Vec<u8> {
    let mut q = vec![
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&[0x00, 0x01]);
    q
}

fn quic_initial(version: [u8; 4]) -> Vec<u8> {
    let mut p = vec![0xc3];
    p.extend_from_slice(&version);
    p.push(8);
    p.extend_from_slice(&[0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]);
    p.extend(std::iter::repeat_n(0x5a, 40));
    p
}

fn check(name: &str, hits: &[&[u8]], misses: &[&[u8]]) {
    let entry = l7_patterns::library::get(name).unwrap();
    for mode in [MatchMode::CaseInsensitive, MatchMode::LowercaseDataOnly] {
        let m = Matcher::from_pattern(&entry.pattern, mode).unwrap();
        for h in hits {
            assert!(
                m.matches_connection(h),
                "{name} [{mode}] should match {:?}",
                String::from_utf8_lossy(h)
            );
        }
        for x in misses {
            assert!(
                !m.matches_connection(x),
                "{name} [{mode}] should miss {:?}",
                String::from_utf8_lossy(x)
            );
        }
    }
}

const HTTP_GET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n";

#[test]
fn every_entry_is_lint_clean() {
    for e in library() {
        let diags = lint(&e.pattern);
        let noisy: Vec<_> = diags.iter().filter(|d| d.code != "L7H001").collect();
        assert!(noisy.is_empty(), "{}: {noisy:?}", e.name);
    }
}

#[test]
fn http() {
    check(
        "http",
        &[
            HTTP_GET,
            b"HTTP/1.1 200 OK\r\nServer: x\r\n",
            b"POST /api HTTP/1.0\r\n",
        ],
        &[
            b"SSH-2.0-OpenSSH\r\n",
            &tls_client_hello("www.example.com"),
            b"PRI * HTTP/2.0\r\n",
        ],
    );
}

#[test]
fn tls_client_hello_with_sni() {
    check(
        "tls",
        &[
            &tls_client_hello("www.example.com"),
            &tls_client_hello("a.io"),
        ],
        &[
            HTTP_GET,
            b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x03",
            &dns_query("www.example.com", 1),
        ],
    );
}

#[test]
fn dns() {
    check(
        "dns",
        &[
            &dns_query("www.example.com", 1),
            &dns_query("mail.google.com", 28),
            &dns_query("x.org", 15),
        ],
        &[
            HTTP_GET,
            &tls_client_hello("www.example.com"),
            b"\x13BitTorrent protocol",
        ],
    );
}

#[test]
fn bittorrent() {
    check(
        "bittorrent",
        &[
            b"\x13BitTorrent protocol\x00\x00\x00\x00\x00\x10\x00\x05",
            b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
            b"GET /announce?info_hash=%12%34&peer_id=x HTTP/1.1\r\n",
        ],
        &[
            HTTP_GET,
            b"xx\x13BitTorrent protocol",
            b"GET /announce HTTP/1.1\r\n",
        ],
    );
}

#[test]
fn quic_initial_packets() {
    check(
        "quic",
        &[
            &quic_initial([0, 0, 0, 1]),
            &quic_initial([0x6b, 0x33, 0x43, 0xcf]),
        ],
        &[
            &quic_initial([0xff, 0, 0, 0x1d]),
            HTTP_GET,
            &dns_query("www.example.com", 1),
            b"\x40\x01\x08abc",
        ],
    );
}

#[test]
fn hostname_helpers() {
    let cases: &[(&str, &str, &str)] = &[
        ("youtube", "rr3---sn-abc.googlevideo.com", "www.example.com"),
        ("tiktok", "www.tiktok.com", "www.tiktak.com"),
        ("facebook", "static.xx.fbcdn.net", "fbcdn.org"),
        ("netflix", "ipv4-c001.nflxvideo.net", "netflix.org"),
        ("whatsapp", "mmg.whatsapp.net", "what.sapp.net"),
    ];
    for (name, host, other) in cases {
        let http_hit = format!(
            "GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: {}\r\n\r\n",
            host.to_uppercase()
        );
        let http_miss = format!("GET / HTTP/1.1\r\nHost: {other}\r\n\r\n");
        check(
            name,
            &[&tls_client_hello(host), http_hit.as_bytes()],
            &[
                &tls_client_hello(other),
                http_miss.as_bytes(),
                &quic_initial([0, 0, 0, 1]),
            ],
        );
    }
}

#[test]
fn library_as_a_set_classifies_flows() {
    let set = Arc::new(PatternSet::new(library(), MatchMode::CaseInsensitive).unwrap());
    let mut flow = Flow::new(Arc::clone(&set));
    flow.push(Direction::Original, b"");
    flow.push(Direction::Reply, b"");
    flow.push(Direction::Original, b"");
    flow.push(Direction::Original, &tls_client_hello("www.youtube.com"));
    let names = set.names_of(flow.matched());
    assert_eq!(names, ["tls", "youtube"]);
}
