//! `rosctl l7`: lint, match, classify and pcap, run as a user would.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;

fn rosctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rosctl"))
        .arg("l7")
        .args(args)
        .output()
        .expect("rosctl runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn lint_reports_and_exits_1_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.txt", b"^ssh-[12]\\.[0-9]\n");
    let warn = write(dir.path(), "warn.txt", b"^.+(youtube.com).*$\n");
    let bad = write(dir.path(), "bad.txt", b"^(get|post\n.*\n");

    let o = rosctl(&["lint", s(&good)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("1 patterns: 0 errors, 0 warnings"));

    let o = rosctl(&["lint", s(&warn)]);
    assert_eq!(o.status.code(), Some(0), "warnings do not fail");
    let text = stdout(&o);
    assert!(text.contains("warning[L7W004]"), "{text}");
    assert!(text.contains("fix: replace with `\\.`"), "{text}");

    let o = rosctl(&["lint", s(&good), s(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("line 1: error[L7E001]: unclosed group"),
        "{text}"
    );
    assert!(text.contains("line 2: error[L7E006]"), "{text}");

    let o = rosctl(&["lint", "--format", "json", s(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["name"], "line 1");
    assert_eq!(lines[0]["diagnostics"][0]["code"], "L7E001");
    assert_eq!(
        lines[0]["diagnostics"][0]["span"],
        serde_json::json!([1, 2])
    );
}

#[test]
fn lint_missing_file_is_one_line_and_exit_2() {
    let o = rosctl(&["lint", "/nonexistent/patterns.rsc"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn match_applies_the_collection_rules_and_modes() {
    let dir = tempfile::tempdir().unwrap();
    let http = write(
        dir.path(),
        "http.bin",
        b"GET / HTTP/1.1\r\nHost: www.YouTube.com\r\n\r\n",
    );
    let nul = write(dir.path(), "nul.bin", b"you\0tube\0.com");
    let mut far = vec![b'x'; 2100];
    far.extend_from_slice(b"youtube.com");
    let far = write(dir.path(), "far.bin", &far);

    let o = rosctl(&[
        "match",
        "--pattern",
        "youtube\\.com",
        s(&http),
        s(&nul),
        s(&far),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "{}: match\n{}: match\n{}: no match\n",
            http.display(),
            nul.display(),
            far.display()
        )
    );

    // an uppercase pattern: matches when case-insensitive, never when only the data is lowercased
    let o = rosctl(&[
        "match",
        "--pattern",
        "YouTube",
        "--format",
        "json",
        s(&http),
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v, serde_json::json!({"file": s(&http), "match": true}));
    let o = rosctl(&[
        "match",
        "--pattern",
        "YouTube",
        "--mode",
        "lowercase-data-only",
        s(&http),
    ]);
    assert_eq!(stdout(&o), format!("{}: no match\n", http.display()));

    let pat = write(dir.path(), "yt.pat", b"# YouTube\nyt\nyoutube\\.com\n");
    let o = rosctl(&["match", "--pattern-file", s(&pat), s(&http)]);
    assert_eq!(stdout(&o), format!("{}: match\n", http.display()));

    let o = rosctl(&["match", "--pattern", "(unclosed", s(&http)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unclosed group"));
}

#[test]
fn classify_with_rsc_and_pat_dir() {
    let dir = tempfile::tempdir().unwrap();
    let rsc = write(
        dir.path(),
        "l7.rsc",
        b"/ip firewall layer7-protocol\nadd name=http regexp=\"^(get|post) [ -~]* http/1\\\\.[01]\"\nadd name=yt regexp=\"youtube\\\\.com\"\n",
    );
    let http = write(
        dir.path(),
        "http.bin",
        b"GET / HTTP/1.1\r\nHost: youtube.com\r\n\r\n",
    );
    let ssh = write(dir.path(), "ssh.bin", b"SSH-2.0-OpenSSH_9.6\r\n");
    let o = rosctl(&["classify", "--patterns", s(&rsc), s(&http), s(&ssh)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("{}: http, yt\n{}: unknown\n", http.display(), ssh.display())
    );

    // a directory of .pat files
    let pats = dir.path().join("pats");
    std::fs::create_dir(&pats).unwrap();
    write(&pats, "ssh.pat", b"# SSH\nssh\n^ssh-[12]\\.[0-9]\n");
    write(&pats, "ftp.pat", b"# FTP\nftp\n^220[\\x09-\\x0d -~]*ftp\n");
    assert_eq!(classify_json(&pats, &ssh), ["ssh"]);
}

/// The 146 l7-filter patterns (directory in `L7_PROTOCOLS_DIR`; skipped with a note when unset).
#[test]
fn classify_with_the_l7_filter_corpus() {
    let Some(corpus) = std::env::var_os("L7_PROTOCOLS_DIR") else {
        // written past the test harness's capture, so the skip shows in a normal run
        let _ = writeln!(
            std::io::stderr(),
            "skipped classify_with_the_l7_filter_corpus: set L7_PROTOCOLS_DIR to run it"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ssh = write(dir.path(), "ssh.bin", b"SSH-2.0-OpenSSH_9.6\r\n");
    let names = classify_json(Path::new(&corpus), &ssh);
    assert!(names.iter().any(|n| n == "ssh"), "{names:?}");
}

/// `rosctl l7 classify --format json` of one file: the names that matched.
fn classify_json(patterns: &Path, file: &Path) -> Vec<String> {
    let o = rosctl(&[
        "classify",
        "--patterns",
        s(patterns),
        "--format",
        "json",
        s(file),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["file"], s(file));
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

/// Builds Ethernet/IPv4 packets of a few connections.
struct Capture {
    packets: Vec<Vec<u8>>,
}

impl Capture {
    fn tcp(&mut self, from: ([u8; 4], u16), to: ([u8; 4], u16), flags: &str, payload: &[u8]) {
        let mut b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(from.0, to.0, 64)
            .tcp(from.1, to.1, 1000, 65535);
        if flags.contains('S') {
            b = b.syn();
        }
        if flags.contains('A') {
            b = b.ack(1);
        }
        if flags.contains('F') {
            b = b.fin();
        }
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        self.packets.push(out);
    }

    fn udp(&mut self, from: ([u8; 4], u16), to: ([u8; 4], u16), payload: &[u8]) {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(from.0, to.0, 64)
            .udp(from.1, to.1);
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        self.packets.push(out);
    }

    fn sample() -> Capture {
        let mut c = Capture {
            packets: Vec::new(),
        };
        let client = ([10, 0, 0, 2], 40000);
        let server = ([93, 184, 216, 34], 80);
        // HTTP: handshake, request, response
        c.tcp(client, server, "S", b"");
        c.tcp(server, client, "SA", b"");
        c.tcp(client, server, "A", b"");
        c.tcp(
            client,
            server,
            "A",
            b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        );
        c.tcp(
            server,
            client,
            "A",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>",
        );
        // an ARP-less non-IP frame is skipped; a UDP DNS query
        c.packets.push(vec![0xff; 14]);
        c.udp(([10, 0, 0, 2], 53000), ([9, 9, 9, 9], 53), b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00\x00\x01\x00\x01");
        // a connection whose interesting bytes come after the 10th packet: unknown
        let other = ([10, 0, 0, 3], 40001);
        let srv2 = ([10, 9, 9, 9], 8080);
        c.tcp(other, srv2, "S", b"");
        c.tcp(srv2, other, "SA", b"");
        for _ in 0..8 {
            c.tcp(other, srv2, "A", b"\x01\x02\x03");
        }
        c.tcp(other, srv2, "A", b"GET / HTTP/1.1\r\n");
        // a connection cut short: undecided
        c.tcp(([10, 0, 0, 4], 40002), srv2, "S", b"");
        c
    }

    fn write_pcap(&self, path: &Path) {
        let mut w = PcapWriter::new(std::fs::File::create(path).unwrap()).unwrap();
        for (i, p) in self.packets.iter().enumerate() {
            w.write_packet(&PcapPacket::new(
                Duration::from_millis(i as u64),
                p.len() as u32,
                p,
            ))
            .unwrap();
        }
    }

    fn write_pcapng(&self, path: &Path) {
        let mut w = PcapNgWriter::new(std::fs::File::create(path).unwrap()).unwrap();
        w.write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 65535,
            options: vec![],
        })
        .unwrap();
        for (i, p) in self.packets.iter().enumerate() {
            w.write_pcapng_block(EnhancedPacketBlock {
                interface_id: 0,
                timestamp: Duration::from_millis(i as u64),
                original_len: p.len() as u32,
                data: Cow::Borrowed(p),
                options: vec![],
            })
            .unwrap();
        }
    }
}

fn patterns_rsc(dir: &Path) -> PathBuf {
    write(
        dir,
        "l7.rsc",
        b"/ip firewall layer7-protocol\n\
add name=http regexp=\"^(get|post) [ -~]* http/1\\\\.[01]\"\n\
add name=http-response regexp=\"http/1\\\\.[01] [1-5][0-9][0-9]\"\n\
add name=dns regexp=\"^.\\?.\\?\\\\x01\\\\x01[\\\\x01-\\\\x3f]www\"\n",
    )
}

#[test]
fn pcap_and_pcapng_give_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let rsc = patterns_rsc(dir.path());
    let cap = Capture::sample();
    let pcap = dir.path().join("sample.pcap");
    let pcapng = dir.path().join("sample.pcapng");
    cap.write_pcap(&pcap);
    cap.write_pcapng(&pcapng);

    let o = rosctl(&["pcap", "--patterns", s(&rsc), s(&pcap)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].contains("ORIGINATOR") && rows[0].contains("RESULT"));
    let row = |n: usize| rows[n].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        row(1),
        [
            "1",
            "tcp",
            "10.0.0.2:40000",
            "93.184.216.34:80",
            "5",
            "87",
            "http,",
            "http-response"
        ]
    );
    assert_eq!(
        row(2),
        ["2", "udp", "10.0.0.2:53000", "9.9.9.9:53", "1", "33", "dns"]
    );
    assert_eq!(
        row(3)[..5],
        ["3", "tcp", "10.0.0.3:40001", "10.9.9.9:8080", "11"]
    );
    assert_eq!(row(3)[6], "unknown");
    assert_eq!(row(4)[6], "undecided");
    assert!(
        text.contains(
            "4 connections: 2 matched (dns: 1, http: 1, http-response: 1), 1 unknown, 1 undecided"
        ),
        "{text}"
    );
    assert!(
        text.contains("18 TCP/UDP packets, 1 other packets skipped"),
        "{text}"
    );

    let ng = rosctl(&["pcap", "--patterns", s(&rsc), s(&pcapng)]);
    assert_eq!(stdout(&ng), text);
}

#[test]
fn pcap_json_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rsc = patterns_rsc(dir.path());
    let pcap = dir.path().join("sample.pcap");
    Capture::sample().write_pcap(&pcap);
    let o = rosctl(&["pcap", "--patterns", s(&rsc), "--format", "json", s(&pcap)]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0]["matches"],
        serde_json::json!(["http", "http-response"])
    );
    assert_eq!(lines[0]["verdict"], "matched");
    assert_eq!(lines[2]["verdict"], "unknown");
    assert_eq!(lines[4]["summary"]["connections"], 4);
    assert_eq!(lines[4]["summary"]["by_pattern"]["dns"], 1);

    let junk = write(
        dir.path(),
        "junk.pcap",
        b"this is not a capture file at all",
    );
    let o = rosctl(&["pcap", "--patterns", s(&rsc), s(&junk)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a valid capture"));
}

#[test]
fn pcap_cut_short_and_max_packets() {
    let dir = tempfile::tempdir().unwrap();
    let rsc = patterns_rsc(dir.path());
    let pcap = dir.path().join("sample.pcap");
    Capture::sample().write_pcap(&pcap);
    let mut bytes = std::fs::read(&pcap).unwrap();
    bytes.truncate(bytes.len() - 3);
    let cut = write(dir.path(), "cut.pcap", &bytes);
    let o = rosctl(&["pcap", "--patterns", s(&rsc), "--summary-only", s(&cut)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the capture ends inside a packet record"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("17 TCP/UDP packets"), "{}", stdout(&o));

    let o = rosctl(&[
        "pcap",
        "--patterns",
        s(&rsc),
        "--summary-only",
        "--max-packets",
        "5",
        s(&pcap),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("stopped after 5 packets"));
    assert!(
        stdout(&o).contains("1 connections: 1 matched (http: 1, http-response: 1)"),
        "{}",
        stdout(&o)
    );
}
