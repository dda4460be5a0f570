//! `rosctl l7 pcap`: rebuild connections from a capture and classify them.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use l7_patterns::{Direction, Flow, PatternSet, Verdict};
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;
use serde_json::json;

use super::Format;

/// Captures larger than this get a progress bar.
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

type Key = (Proto, SocketAddr, SocketAddr);

struct Conn {
    id: usize,
    proto: Proto,
    orig: SocketAddr,
    resp: SocketAddr,
    flow: Flow,
    /// TCP FIN or RST seen: a new SYN starts a new connection.
    ended: bool,
}

/// One decoded TCP/UDP packet.
struct Packet<'a> {
    proto: Proto,
    src: SocketAddr,
    dst: SocketAddr,
    payload: &'a [u8],
    syn_only: bool,
    fin_or_rst: bool,
}

fn decode<'a>(link: &DataLink, data: &'a [u8]) -> Option<Packet<'a>> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
        _ => return None,
    }
    .ok()?;
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net.as_ref()? {
        NetSlice::Ipv4(v4) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(v6) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
    };
    match sliced.transport.as_ref()? {
        TransportSlice::Tcp(t) => Some(Packet {
            proto: Proto::Tcp,
            src: SocketAddr::new(src_ip, t.source_port()),
            dst: SocketAddr::new(dst_ip, t.destination_port()),
            payload: t.payload(),
            syn_only: t.syn() && !t.ack(),
            fin_or_rst: t.fin() || t.rst(),
        }),
        TransportSlice::Udp(u) => Some(Packet {
            proto: Proto::Udp,
            src: SocketAddr::new(src_ip, u.source_port()),
            dst: SocketAddr::new(dst_ip, u.destination_port()),
            payload: u.payload(),
            syn_only: false,
            fin_or_rst: false,
        }),
        _ => None,
    }
}

#[derive(Default)]
struct Table {
    conns: Vec<Conn>,
    index: HashMap<Key, usize>,
    packets: u64,
    skipped: u64,
    untracked: u64,
}

impl Table {
    fn feed(&mut self, set: &Arc<PatternSet>, max_flows: usize, p: &Packet<'_>) {
        self.packets += 1;
        let fwd = (p.proto, p.src, p.dst);
        let rev = (p.proto, p.dst, p.src);
        let found = match (self.index.get(&fwd), self.index.get(&rev)) {
            (Some(&i), _) => Some((i, Direction::Original)),
            (None, Some(&i)) => Some((i, Direction::Reply)),
            (None, None) => None,
        };
        let (slot, dir) = match found {
            Some((i, d)) if !(p.syn_only && self.conns.get(i).is_some_and(|c| c.ended)) => (i, d),
            _ => {
                if self.conns.len() >= max_flows {
                    self.untracked += 1;
                    return;
                }
                let id = self.conns.len();
                self.conns.push(Conn {
                    id,
                    proto: p.proto,
                    orig: p.src,
                    resp: p.dst,
                    flow: Flow::new(Arc::clone(set)),
                    ended: false,
                });
                self.index.remove(&rev);
                self.index.insert(fwd, id);
                (id, Direction::Original)
            }
        };
        if let Some(c) = self.conns.get_mut(slot) {
            c.flow.push(dir, p.payload);
            if p.fin_or_rst {
                c.ended = true;
            }
        }
    }
}

fn open_progress(
    path: &Path,
) -> anyhow::Result<(
    indicatif::ProgressBar,
    BufReader<indicatif::ProgressBarIter<File>>,
)> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if len >= PROGRESS_MIN_BYTES {
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let reader = BufReader::new(bar.wrap_read(file));
    Ok((bar, reader))
}

pub(super) fn run(
    set: PatternSet,
    path: &Path,
    format: Format,
    summary_only: bool,
    max_flows: usize,
) -> anyhow::Result<ExitCode> {
    let set = Arc::new(set);
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let (bar, reader) = open_progress(path)?;
    let mut table = Table::default();
    let bad =
        |e: pcap_file::PcapError| anyhow::anyhow!("{}: not a valid capture: {e}", path.display());
    if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        let mut r = PcapNgReader::new(reader).map_err(bad)?;
        let mut links: Vec<DataLink> = Vec::new();
        while let Some(block) = r.next_block() {
            match block.map_err(bad)? {
                Block::SectionHeader(_) => links.clear(),
                Block::InterfaceDescription(idb) => links.push(idb.linktype),
                Block::EnhancedPacket(epb) => {
                    let link = usize::try_from(epb.interface_id)
                        .ok()
                        .and_then(|i| links.get(i));
                    match link.and_then(|l| decode(l, &epb.data)) {
                        Some(p) => table.feed(&set, max_flows, &p),
                        None => table.skipped += 1,
                    }
                }
                Block::SimplePacket(spb) => {
                    match links.first().and_then(|l| decode(l, &spb.data)) {
                        Some(p) => table.feed(&set, max_flows, &p),
                        None => table.skipped += 1,
                    }
                }
                _ => {}
            }
        }
    } else {
        let mut r = PcapReader::new(reader).map_err(bad)?;
        let link = r.header().datalink;
        while let Some(pkt) = r.next_packet() {
            let pkt = pkt.map_err(bad)?;
            match decode(&link, &pkt.data) {
                Some(p) => table.feed(&set, max_flows, &p),
                None => table.skipped += 1,
            }
        }
    }
    bar.finish_and_clear();
    report(&set, &table, format, summary_only)?;
    Ok(ExitCode::SUCCESS)
}

fn verdict_text(set: &PatternSet, flow: &Flow) -> (String, Vec<String>) {
    match flow.verdict() {
        Verdict::Matched(m) => {
            let names: Vec<String> = set.names_of(&m).into_iter().map(str::to_owned).collect();
            ("matched".to_owned(), names)
        }
        Verdict::Unknown => ("unknown".to_owned(), Vec::new()),
        _ => ("undecided".to_owned(), Vec::new()),
    }
}

fn report(
    set: &PatternSet,
    table: &Table,
    format: Format,
    summary_only: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut per_name: BTreeMap<String, usize> = BTreeMap::new();
    let (mut matched, mut unknown, mut undecided) = (0usize, 0usize, 0usize);
    if format == Format::Text && !summary_only {
        writeln!(
            out,
            "{:>5}  {:<5} {:<45} {:<45} {:>7} {:>10}  RESULT",
            "#", "PROTO", "ORIGINATOR", "RESPONDER", "PACKETS", "BYTES"
        )?;
    }
    for c in &table.conns {
        let (verdict, names) = verdict_text(set, &c.flow);
        match verdict.as_str() {
            "matched" => matched += 1,
            "unknown" => unknown += 1,
            _ => undecided += 1,
        }
        for n in &names {
            *per_name.entry(n.clone()).or_default() += 1;
        }
        if summary_only {
            continue;
        }
        match format {
            Format::Text => {
                let result = if names.is_empty() {
                    verdict.clone()
                } else {
                    names.join(", ")
                };
                writeln!(
                    out,
                    "{:>5}  {:<5} {:<45} {:<45} {:>7} {:>10}  {result}",
                    c.id + 1,
                    c.proto.as_str(),
                    c.orig.to_string(),
                    c.resp.to_string(),
                    c.flow.packets(),
                    c.flow.bytes(),
                )?;
            }
            Format::Json => writeln!(
                out,
                "{}",
                json!({
                    "proto": c.proto.as_str(),
                    "originator": c.orig.to_string(),
                    "responder": c.resp.to_string(),
                    "packets": c.flow.packets(),
                    "bytes": c.flow.bytes(),
                    "verdict": verdict,
                    "matches": names,
                })
            )?,
        }
    }
    match format {
        Format::Text => {
            let by_name: Vec<String> = per_name.iter().map(|(n, k)| format!("{n}: {k}")).collect();
            writeln!(
                out,
                "{} connections: {matched} matched{}, {unknown} unknown, {undecided} undecided (capture ended inside the window)",
                table.conns.len(),
                if by_name.is_empty() { String::new() } else { format!(" ({})", by_name.join(", ")) },
            )?;
            writeln!(
                out,
                "{} TCP/UDP packets, {} other packets skipped, {} packets of untracked connections",
                table.packets, table.skipped, table.untracked
            )?;
        }
        Format::Json => writeln!(
            out,
            "{}",
            json!({"summary": {
                "connections": table.conns.len(),
                "matched": matched,
                "unknown": unknown,
                "undecided": undecided,
                "by_pattern": per_name,
                "packets": table.packets,
                "skipped": table.skipped,
                "untracked": table.untracked,
            }})
        )?,
    }
    Ok(())
}
