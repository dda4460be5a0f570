//! Capture file framing, sans-io: pcap and pcapng records out of a byte buffer.
//!
//! [`Decoder::step`] looks at the unread bytes and returns one record (and how many bytes it
//! took), or how many bytes it needs before it can. Every length is checked against the record
//! limit before the caller is asked for more bytes, so a file announcing a 4 GiB record costs
//! nothing.
//!
//! The classic pcap file header is read by `pcap-file`; its records are framed here, without the
//! checks of `pcap-file` 2 that refuse a record whose original length exceeds the snapshot
//! length (every capture taken with a small snapshot length has those). pcapng blocks are framed here and only the fields this module needs are read (byte order, link
//! types, packet data): `pcap-file` 2 validates every option of every block, so a single packet
//! comment that is not UTF-8 would fail the whole file.

use pcap_file::pcap::PcapHeader;

use super::PcapError;

/// Size of the classic pcap file header.
const PCAP_HEADER: usize = 24;
/// Size of a classic pcap record header.
const PCAP_RECORD: usize = 16;
/// Block type, block length and the trailing length: the smallest pcapng block.
const BLOCK_MIN: usize = 12;

const SECTION_HEADER: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const INTERFACE_DESCRIPTION: u32 = 1;
const OBSOLETE_PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;

/// Most interfaces one pcapng section may describe (each costs a few bytes of memory).
pub(crate) const MAX_INTERFACES: usize = 4096;

/// What the next bytes hold.
#[derive(Debug)]
pub(crate) enum Step<'a> {
    /// A packet record: its link type and captured bytes, and the record's size in the file.
    Frame {
        used: usize,
        link: u32,
        data: &'a [u8],
    },
    /// A record that carries no packet (file header, section, interface, statistics...).
    Other { used: usize },
    /// The next record is incomplete: at least `need` bytes (counted from the start of the
    /// buffer given) are needed.
    NeedMore { need: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endian {
    Big,
    Little,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let bytes: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Big => u16::from_be_bytes(bytes),
            Endian::Little => u16::from_le_bytes(bytes),
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Big => u32::from_be_bytes(bytes),
            Endian::Little => u32::from_le_bytes(bytes),
        })
    }
}

#[derive(Debug)]
enum State {
    /// Nothing read yet.
    Start,
    /// Inside a classic pcap file: its byte order and link type.
    Pcap { endian: Endian, link: u32 },
    /// Inside a pcapng section: its byte order and the link type of each interface.
    PcapNg { endian: Endian, links: Vec<u32> },
}

/// The capture file reader: call [`Decoder::step`] with the unread bytes until it says
/// [`Step::NeedMore`] at the end of the input.
#[derive(Debug)]
pub(crate) struct Decoder {
    state: State,
    max_record: usize,
}

fn malformed(offset: u64, detail: impl Into<String>) -> PcapError {
    PcapError::Malformed {
        offset,
        detail: detail.into(),
    }
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl Decoder {
    /// A reader that refuses records (pcap) and blocks (pcapng) longer than `max_record`
    /// bytes.
    pub(crate) fn new(max_record: usize) -> Decoder {
        Decoder {
            state: State::Start,
            max_record,
        }
    }

    /// Whether the file header (pcap header or first section header block) has been read.
    pub(crate) fn started(&self) -> bool {
        !matches!(self.state, State::Start)
    }

    fn check_len(&self, offset: u64, len: usize) -> Result<(), PcapError> {
        if len > self.max_record {
            return Err(PcapError::RecordTooLarge {
                offset,
                len: u64::try_from(len).unwrap_or(u64::MAX),
                max: self.max_record,
            });
        }
        Ok(())
    }

    /// The next record of `buf`, which holds the unread bytes starting at file offset `offset`.
    pub(crate) fn step<'a>(&mut self, buf: &'a [u8], offset: u64) -> Result<Step<'a>, PcapError> {
        match &self.state {
            State::Start => self.header(buf, offset),
            State::Pcap { endian, link } => {
                let (endian, link) = (*endian, *link);
                let Some(incl_len) = endian.u32(buf, 8) else {
                    return Ok(Step::NeedMore { need: PCAP_RECORD });
                };
                let len = to_usize(incl_len);
                self.check_len(offset, len)?;
                let used = PCAP_RECORD.saturating_add(len);
                match buf.get(PCAP_RECORD..used) {
                    Some(data) => Ok(Step::Frame { used, link, data }),
                    None => Ok(Step::NeedMore { need: used }),
                }
            }
            State::PcapNg { .. } => self.block(buf, offset),
        }
    }

    fn header<'a>(&mut self, buf: &'a [u8], offset: u64) -> Result<Step<'a>, PcapError> {
        let Some(magic) = buf.get(..4) else {
            return Ok(Step::NeedMore { need: 4 });
        };
        match magic {
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => {
                let Some(header) = buf.get(..PCAP_HEADER) else {
                    return Ok(Step::NeedMore { need: PCAP_HEADER });
                };
                let (_, header) =
                    PcapHeader::from_slice(header).map_err(|e| malformed(offset, e.to_string()))?;
                let endian = match header.endianness {
                    pcap_file::Endianness::Big => Endian::Big,
                    pcap_file::Endianness::Little => Endian::Little,
                };
                // The upper bits of the field may say whether frames end with a frame check
                // sequence; the link type is the lower 16.
                self.state = State::Pcap {
                    endian,
                    link: u32::from(header.datalink) & 0xffff,
                };
                Ok(Step::Other { used: PCAP_HEADER })
            }
            m if m == SECTION_HEADER => self.block(buf, offset),
            _ => Err(PcapError::NotACapture {
                magic: magic.try_into().unwrap_or_default(),
            }),
        }
    }

    /// One pcapng block.
    fn block<'a>(&mut self, buf: &'a [u8], offset: u64) -> Result<Step<'a>, PcapError> {
        let is_section = buf.get(..4) == Some(&SECTION_HEADER[..]);
        let endian = if is_section {
            // The byte-order magic, right after the block length, says how to read the rest.
            match buf.get(8..12) {
                Some([0x1a, 0x2b, 0x3c, 0x4d]) => Endian::Big,
                Some([0x4d, 0x3c, 0x2b, 0x1a]) => Endian::Little,
                Some(_) => {
                    return Err(malformed(
                        offset,
                        "section header with an unknown byte-order magic",
                    ))
                }
                None => return Ok(Step::NeedMore { need: BLOCK_MIN }),
            }
        } else {
            match &self.state {
                State::PcapNg { endian, .. } => *endian,
                _ => return Err(malformed(offset, "block before the first section header")),
            }
        };
        // Block type and length come first: the length is checked before waiting for the rest.
        let (Some(kind), Some(total)) = (endian.u32(buf, 0), endian.u32(buf, 4)) else {
            return Ok(Step::NeedMore { need: 8 });
        };
        let len = to_usize(total);
        if len < BLOCK_MIN || len % 4 != 0 {
            return Err(malformed(
                offset,
                format!("block length {total} is not a multiple of 4 of at least 12"),
            ));
        }
        self.check_len(offset, len)?;
        let Some(block) = buf.get(..len) else {
            return Ok(Step::NeedMore { need: len });
        };
        let trailer = endian.u32(block, len - 4);
        if trailer != Some(total) {
            return Err(malformed(
                offset,
                format!(
                    "block length {total} does not match its trailing copy {}",
                    trailer.unwrap_or_default()
                ),
            ));
        }
        let body = block.get(8..len - 4).unwrap_or_default();
        let bad = |what: &str| malformed(offset, format!("{what} block too short for its fields"));
        if is_section {
            // byte-order magic (4), major and minor version (2 + 2), section length (8)
            let major = endian.u16(body, 4).ok_or_else(|| bad("section header"))?;
            if body.len() < 16 {
                return Err(bad("section header"));
            }
            if major != 1 {
                return Err(malformed(
                    offset,
                    format!("pcapng version {major} is not supported (only 1 is)"),
                ));
            }
            self.state = State::PcapNg {
                endian,
                links: Vec::new(),
            };
            return Ok(Step::Other { used: len });
        }
        let State::PcapNg { links, .. } = &mut self.state else {
            return Err(malformed(offset, "block before the first section header"));
        };
        let interface = |links: &[u32], id: u32| {
            usize::try_from(id)
                .ok()
                .and_then(|i| links.get(i).copied())
                .ok_or_else(|| {
                    malformed(
                        offset,
                        format!("packet of interface {id}, which the section does not describe"),
                    )
                })
        };
        match kind {
            INTERFACE_DESCRIPTION => {
                // link type (2), reserved (2), snapshot length (4), options
                let link = endian
                    .u16(body, 0)
                    .filter(|_| body.len() >= 8)
                    .ok_or_else(|| bad("interface description"))?;
                if links.len() >= MAX_INTERFACES {
                    return Err(malformed(
                        offset,
                        format!("more than {MAX_INTERFACES} interfaces in one section"),
                    ));
                }
                links.push(u32::from(link));
                Ok(Step::Other { used: len })
            }
            ENHANCED_PACKET | OBSOLETE_PACKET => {
                // interface (4, or 2 + drop count 2), timestamp (8), captured length (4),
                // original length (4), data, options
                let name = if kind == ENHANCED_PACKET {
                    "enhanced packet"
                } else {
                    "packet"
                };
                let id = if kind == ENHANCED_PACKET {
                    endian.u32(body, 0)
                } else {
                    endian.u16(body, 0).map(u32::from)
                };
                let (Some(id), Some(captured)) = (id, endian.u32(body, 12)) else {
                    return Err(bad(name));
                };
                let data = 20usize
                    .checked_add(to_usize(captured))
                    .and_then(|end| body.get(20..end))
                    .ok_or_else(|| {
                        malformed(
                            offset,
                            format!("{name} block: captured length {captured} exceeds the block"),
                        )
                    })?;
                let link = interface(links, id)?;
                Ok(Step::Frame {
                    used: len,
                    link,
                    data,
                })
            }
            SIMPLE_PACKET => {
                // original length (4), data padded to 32 bits
                let original = endian.u32(body, 0).ok_or_else(|| bad("simple packet"))?;
                let data = body.get(4..).unwrap_or_default();
                let data = data.get(..to_usize(original)).unwrap_or(data);
                let link = interface(links, 0)?;
                Ok(Step::Frame {
                    used: len,
                    link,
                    data,
                })
            }
            // Name resolution, interface statistics, journal entries, decryption secrets,
            // custom blocks: nothing to match.
            _ => Ok(Step::Other { used: len }),
        }
    }
}
