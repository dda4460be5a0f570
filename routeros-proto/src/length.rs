//! The variable-length word length prefix.
//!
//! | length                      | bytes | encoding                    |
//! |-----------------------------|-------|-----------------------------|
//! | `0x00..=0x7F`               | 1     | `len`                       |
//! | `0x80..=0x3FFF`             | 2     | `len \| 0x8000`             |
//! | `0x4000..=0x1F_FFFF`        | 3     | `len \| 0xC0_0000`          |
//! | `0x20_0000..=0xFFF_FFFF`    | 4     | `len \| 0xE000_0000`        |
//! | `0x1000_0000..=0xFFFF_FFFF` | 5     | `0xF0` then `len` (4 bytes) |
//!
//! All multi-byte forms are big-endian. A first byte of `0xF8`..=`0xFF` is a reserved control
//! byte and `0xF1`..=`0xF7` is undefined; both are errors. Non-minimal encodings (a short length
//! written in a longer form) are accepted when decoding, as RouterOS accepts them.

use bytes::BufMut;

use crate::ProtocolError;

/// The largest length the prefix can express.
pub const MAX_LENGTH: u32 = u32::MAX;

/// Number of bytes [`encode_length`] writes for `len`.
#[inline]
pub fn encoded_len(len: u32) -> usize {
    match len {
        0..=0x7F => 1,
        0x80..=0x3FFF => 2,
        0x4000..=0x1F_FFFF => 3,
        0x20_0000..=0xFFF_FFFF => 4,
        _ => 5,
    }
}

/// Appends the minimal encoding of `len` to `dst`.
#[inline]
pub fn encode_length(len: u32, dst: &mut impl BufMut) {
    match len {
        0..=0x7F => dst.put_slice(&len.to_be_bytes()[3..]),
        0x80..=0x3FFF => dst.put_slice(&(len | 0x8000).to_be_bytes()[2..]),
        0x4000..=0x1F_FFFF => {
            let v = len | 0xC0_0000;
            dst.put_slice(&v.to_be_bytes()[1..]);
        }
        0x20_0000..=0xFFF_FFFF => dst.put_u32(len | 0xE000_0000),
        _ => {
            dst.put_u8(0xF0);
            dst.put_u32(len);
        }
    }
}

/// The minimal encoding of `len` as a small array and the number of bytes used.
#[inline]
pub fn length_bytes(len: u32) -> ([u8; 5], usize) {
    let b = len.to_be_bytes();
    match len {
        0..=0x7F => ([b[3], 0, 0, 0, 0], 1),
        0x80..=0x3FFF => ([b[2] | 0x80, b[3], 0, 0, 0], 2),
        0x4000..=0x1F_FFFF => ([b[1] | 0xC0, b[2], b[3], 0, 0], 3),
        0x20_0000..=0xFFF_FFFF => ([b[0] | 0xE0, b[1], b[2], b[3], 0], 4),
        _ => ([0xF0, b[0], b[1], b[2], b[3]], 5),
    }
}

/// Decodes a length prefix at the start of `src`.
///
/// Returns `Ok(None)` when `src` holds only part of the prefix, and otherwise the length and the
/// number of prefix bytes consumed.
#[inline]
pub fn decode_length(src: &[u8]) -> Result<Option<(u32, usize)>, ProtocolError> {
    let Some(&b0) = src.first() else {
        return Ok(None);
    };
    let (size, first): (usize, u32) = match b0 {
        0x00..=0x7F => return Ok(Some((u32::from(b0), 1))),
        0x80..=0xBF => (2, u32::from(b0 & 0x3F)),
        0xC0..=0xDF => (3, u32::from(b0 & 0x1F)),
        0xE0..=0xEF => (4, u32::from(b0 & 0x0F)),
        0xF0 => (5, 0),
        0xF1..=0xF7 => return Err(ProtocolError::UndefinedLengthPrefix(b0)),
        0xF8..=0xFF => return Err(ProtocolError::ReservedControlByte(b0)),
    };
    let Some(rest) = src.get(1..size) else {
        return Ok(None);
    };
    let len = rest.iter().fold(first, |acc, &b| (acc << 8) | u32::from(b));
    Ok(Some((len, size)))
}
