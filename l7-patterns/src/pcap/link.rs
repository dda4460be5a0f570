//! From a captured frame to a TCP or UDP packet: link layers, IP, transport.

use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TransportSlice};

use super::Transport;

/// `LINKTYPE_NULL`: BSD loopback, a 4-byte address family in the writer's byte order.
pub(crate) const NULL: u32 = 0;
/// `LINKTYPE_ETHERNET`: Ethernet II, 802.1Q and QinQ VLAN tags included.
pub(crate) const ETHERNET: u32 = 1;
/// `LINKTYPE_RAW`: an IPv4 or IPv6 packet, no link header.
pub(crate) const RAW: u32 = 101;
/// `LINKTYPE_LOOP`: OpenBSD loopback, a 4-byte address family in network byte order.
pub(crate) const LOOP: u32 = 108;
/// `LINKTYPE_LINUX_SLL`: Linux "cooked" capture, version 1 (`tcpdump -i any`).
pub(crate) const LINUX_SLL: u32 = 113;
/// `LINKTYPE_IPV4`: an IPv4 packet, no link header.
pub(crate) const IPV4: u32 = 228;
/// `LINKTYPE_IPV6`: an IPv6 packet, no link header.
pub(crate) const IPV6: u32 = 229;
/// `LINKTYPE_LINUX_SLL2`: Linux "cooked" capture, version 2 (`tcpdump -i any` since 4.99).
pub(crate) const LINUX_SLL2: u32 = 276;

/// Length of the Linux cooked header, version 1; the protocol (an EtherType) is its last field.
const SLL_LEN: usize = 16;
/// Length of the Linux cooked header, version 2; the protocol is its first field.
const SLL2_LEN: usize = 20;

/// Whether frames of this link type are decoded.
pub(crate) fn is_supported(link: u32) -> bool {
    matches!(
        link,
        NULL | ETHERNET | RAW | LOOP | LINUX_SLL | IPV4 | IPV6 | LINUX_SLL2
    )
}

/// One TCP or UDP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Packet<'a> {
    pub(crate) transport: Transport,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) payload: &'a [u8],
    /// A TCP SYN without ACK: the first packet of a connection.
    pub(crate) syn_only: bool,
    /// TCP FIN or RST: the connection ends.
    pub(crate) fin_or_rst: bool,
}

fn ether_type(frame: &[u8], at: usize) -> Option<EtherType> {
    let b: [u8; 2] = frame.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(EtherType(u16::from_be_bytes(b)))
}

/// The TCP or UDP packet a frame of link type `link` carries; `None` for anything else (ARP,
/// ICMP, IP fragments after the first, frames too short for their headers, unsupported link
/// types).
///
/// Frames cut short by the capture's snapshot length still count: their payload is what was
/// captured.
pub(crate) fn decode(link: u32, frame: &[u8]) -> Option<Packet<'_>> {
    let sliced = match link {
        ETHERNET => LaxSlicedPacket::from_ethernet(frame).ok()?,
        LINUX_SLL => {
            LaxSlicedPacket::from_ether_type(ether_type(frame, SLL_LEN - 2)?, frame.get(SLL_LEN..)?)
        }
        LINUX_SLL2 => {
            LaxSlicedPacket::from_ether_type(ether_type(frame, 0)?, frame.get(SLL2_LEN..)?)
        }
        RAW | IPV4 | IPV6 => LaxSlicedPacket::from_ip(frame).ok()?,
        // The IP version of the packet itself says which family it is.
        NULL | LOOP => LaxSlicedPacket::from_ip(frame.get(4..)?).ok()?,
        _ => return None,
    };
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net.as_ref()? {
        LaxNetSlice::Ipv4(v4) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        LaxNetSlice::Ipv6(v6) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
    };
    match sliced.transport? {
        TransportSlice::Tcp(t) => Some(Packet {
            transport: Transport::Tcp,
            src: SocketAddr::new(src_ip, t.source_port()),
            dst: SocketAddr::new(dst_ip, t.destination_port()),
            payload: t.payload(),
            syn_only: t.syn() && !t.ack(),
            fin_or_rst: t.fin() || t.rst(),
        }),
        TransportSlice::Udp(u) => Some(Packet {
            transport: Transport::Udp,
            src: SocketAddr::new(src_ip, u.source_port()),
            dst: SocketAddr::new(dst_ip, u.destination_port()),
            payload: u.payload(),
            syn_only: false,
            fin_or_rst: false,
        }),
        _ => None,
    }
}
