//! The error type of the wire layer.

use std::fmt;

/// Everything that can go wrong while encoding or decoding RouterOS API bytes.
///
/// Decoding errors are fatal for the stream they came from: the framing is lost, so the
/// connection should be closed (a client fails its pending commands, a server answers `!fatal`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A length prefix started with a reserved control byte (`0xF8`..=`0xFF`).
    #[error("reserved control byte 0x{0:02X} where a word length was expected")]
    ReservedControlByte(u8),
    /// A length prefix started with a byte the protocol leaves undefined (`0xF1`..=`0xF7`).
    #[error("undefined length prefix byte 0x{0:02X}")]
    UndefinedLengthPrefix(u8),
    /// A word announced a length above [`Limits::max_word_len`](crate::Limits::max_word_len).
    #[error("word of {len} bytes exceeds the limit of {max} bytes")]
    WordTooLong {
        /// The announced length.
        len: u64,
        /// The configured limit.
        max: usize,
    },
    /// A sentence had more words than [`Limits::max_words`](crate::Limits::max_words).
    #[error("sentence has more than {max} words")]
    TooManyWords {
        /// The configured limit.
        max: usize,
    },
    /// A sentence grew beyond [`Limits::max_sentence_len`](crate::Limits::max_sentence_len) bytes.
    #[error("sentence exceeds the limit of {max} bytes")]
    SentenceTooLong {
        /// The configured limit.
        max: usize,
    },
    /// A sentence with no words where one was required (a reply or a command).
    #[error("empty sentence")]
    EmptySentence,
    /// A reply whose first word does not start with `!`.
    #[error("reply does not start with a reply word: {0}")]
    NotAReply(Lossy),
    /// A command whose first word does not start with `/`.
    #[error("command does not start with a command word: {0}")]
    NotACommand(Lossy),
    /// A query word (`?...`) that does not follow the query syntax.
    #[error("malformed query word: {0}")]
    BadQuery(Lossy),
    /// A login challenge that is not hexadecimal.
    #[error("login challenge is not hexadecimal: {0}")]
    BadChallenge(Lossy),
    /// An I/O error; produced only by the tokio adapters in [`codec`](crate::codec).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl ProtocolError {
    /// True for errors raised because a configured limit was exceeded.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Self::WordTooLong { .. } | Self::TooManyWords { .. } | Self::SentenceTooLong { .. }
        )
    }
}

/// Bytes shown in an error message: lossy UTF-8, cut at 64 bytes so that a hostile peer cannot
/// make error messages arbitrarily large.
#[derive(Clone, PartialEq, Eq)]
pub struct Lossy(pub(crate) Vec<u8>);

impl Lossy {
    const MAX: usize = 64;

    pub(crate) fn new(bytes: &[u8]) -> Self {
        Lossy(bytes[..bytes.len().min(Self::MAX)].to_vec())
    }
}

impl fmt::Display for Lossy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Debug for Lossy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
