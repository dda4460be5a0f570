//! Words and sentences: the framing layer.
//!
//! A *word* is a length prefix followed by that many bytes; a *sentence* is a sequence of words
//! closed by a zero-length word. Words are arbitrary bytes: nothing here assumes UTF-8.

use bytes::{BufMut, Bytes, BytesMut};

use crate::length::{decode_length, encode_length, encoded_len};
use crate::ProtocolError;

/// Bounds applied while decoding, checked before anything is allocated.
///
/// The defaults fit every reply a RouterOS device produces (the largest are script sources and
/// file contents, well under a megabyte) while keeping a hostile peer from making us allocate
/// more than a few megabytes per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest accepted word, in bytes. Default: 4 MiB.
    pub max_word_len: usize,
    /// Most words in one sentence. Default: 4,096.
    pub max_words: usize,
    /// Most bytes in one sentence, length prefixes included. Default: 8 MiB.
    pub max_sentence_len: usize,
}

impl Limits {
    /// The default word length limit (4 MiB).
    pub const DEFAULT_MAX_WORD_LEN: usize = 4 << 20;
    /// The default words-per-sentence limit (4,096).
    pub const DEFAULT_MAX_WORDS: usize = 4096;
    /// The default sentence size limit (8 MiB).
    pub const DEFAULT_MAX_SENTENCE_LEN: usize = 8 << 20;

    /// Sets the longest accepted word.
    pub fn max_word_len(&mut self, n: usize) -> &mut Self {
        self.max_word_len = n;
        self
    }

    /// Sets the most words per sentence.
    pub fn max_words(&mut self, n: usize) -> &mut Self {
        self.max_words = n;
        self
    }

    /// Sets the most bytes per sentence.
    pub fn max_sentence_len(&mut self, n: usize) -> &mut Self {
        self.max_sentence_len = n;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_word_len: Self::DEFAULT_MAX_WORD_LEN,
            max_words: Self::DEFAULT_MAX_WORDS,
            max_sentence_len: Self::DEFAULT_MAX_SENTENCE_LEN,
        }
    }
}

/// One decoded sentence: its words, each a zero-copy slice of the receive buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    words: Vec<Bytes>,
}

impl Sentence {
    /// A sentence made of these words.
    pub fn new(words: Vec<Bytes>) -> Self {
        Sentence { words }
    }

    /// The words, in order.
    pub fn words(&self) -> &[Bytes] {
        &self.words
    }

    /// Takes the words out.
    pub fn into_words(self) -> Vec<Bytes> {
        self.words
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when the sentence has no words (a lone zero-length word on the wire).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Receives the words of a sentence one by one, as [`SentenceDecoder::decode_frame_with`]
/// completes them: a parser that classifies words while the decoder scans them needs no
/// second pass over the frame.
pub trait WordSink {
    /// The word at `start..end` of the frame being decoded (offsets from the start of the
    /// buffer, which is where the frame will start), and its bytes.
    fn word(&mut self, start: usize, end: usize, word: &[u8]);

    /// The decoder started the current sentence over (its buffer was changed under it):
    /// forget the words received for it.
    fn restart(&mut self);
}

/// The word ranges of the last frame, for [`SentenceDecoder::word_ranges`].
#[derive(Debug, Default)]
struct Ranges(Vec<(usize, usize)>);

impl WordSink for Ranges {
    #[inline]
    fn word(&mut self, start: usize, end: usize, _word: &[u8]) {
        self.0.push((start, end));
    }

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// Incremental sentence decoder.
///
/// Feed it a growing buffer; it remembers how far it has scanned, so feeding one byte at a time
/// costs no re-scan. A complete sentence is removed from the buffer with one `split_to` and its
/// words are slices of that frame (no per-word allocation).
///
/// After an error the stream's framing is lost: discard the decoder and close the connection.
#[derive(Debug, Default)]
pub struct SentenceDecoder {
    limits: Limits,
    /// Bytes of the current sentence already scanned.
    scanned: usize,
    /// Complete words of the current sentence so far.
    count: usize,
    /// `(start, end)` of each complete word of the current sentence, for `decode_frame`.
    words: Ranges,
    /// The last call returned a complete frame: `words` describes it until the next call.
    complete: bool,
}

impl SentenceDecoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> Self {
        SentenceDecoder {
            limits,
            ..Self::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Decodes the next complete sentence from the front of `buf`.
    ///
    /// Returns `Ok(None)` (after reserving room for what is missing, within the limits) when the
    /// sentence is not complete yet.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Sentence>, ProtocolError> {
        Ok(self.decode_frame(buf)?.map(|frame| Sentence {
            words: self
                .words
                .0
                .iter()
                .map(|&(s, e)| frame.slice(s..e))
                .collect(),
        }))
    }

    /// Decodes the next complete sentence as one frame; [`word_ranges`](Self::word_ranges) then
    /// gives the `(start, end)` of each word within it, until the next call. This is the
    /// zero-overhead path that parsers use to slice names and values straight out of the frame.
    pub fn decode_frame(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, ProtocolError> {
        if self.complete {
            self.words.0.clear();
            self.complete = false;
        }
        let mut words = std::mem::take(&mut self.words);
        let frame = self.decode_frame_with(buf, &mut words);
        self.words = words;
        let frame = frame?;
        self.complete = frame.is_some();
        Ok(frame)
    }

    /// Decodes the next complete sentence as one frame, handing each word to `sink` as soon as
    /// it is complete (a sentence that is not complete yet has handed over the words it has so
    /// far; the same sink must be passed to the next call). The zero-overhead path: no list of
    /// words is kept.
    pub fn decode_frame_with(
        &mut self,
        buf: &mut BytesMut,
        sink: &mut impl WordSink,
    ) -> Result<Option<Bytes>, ProtocolError> {
        loop {
            let Some(rest) = buf.get(self.scanned..) else {
                // The caller removed bytes we had scanned: start over.
                self.reset();
                sink.restart();
                continue;
            };
            let Some((len, header)) = decode_length(rest)? else {
                buf.reserve(5);
                return Ok(None);
            };
            let len = usize::try_from(len).map_err(|_| ProtocolError::WordTooLong {
                len: u64::from(len),
                max: self.limits.max_word_len,
            })?;
            let start = self.scanned + header;
            if len == 0 {
                self.scanned = 0;
                self.count = 0;
                return Ok(Some(buf.split_to(start).freeze()));
            }
            if len > self.limits.max_word_len {
                return Err(ProtocolError::WordTooLong {
                    len: u64::try_from(len).unwrap_or(u64::MAX),
                    max: self.limits.max_word_len,
                });
            }
            if self.count >= self.limits.max_words {
                return Err(ProtocolError::TooManyWords {
                    max: self.limits.max_words,
                });
            }
            let end = start + len;
            // `+ 1`: the closing zero-length word must still fit.
            if end + 1 > self.limits.max_sentence_len {
                return Err(ProtocolError::SentenceTooLong {
                    max: self.limits.max_sentence_len,
                });
            }
            let Some(word) = buf.get(start..end) else {
                buf.reserve(end - buf.len());
                return Ok(None);
            };
            sink.word(start, end, word);
            self.count += 1;
            self.scanned = end;
        }
    }

    /// The `(start, end)` of each word of the frame last returned by
    /// [`decode_frame`](Self::decode_frame) (empty before that).
    pub fn word_ranges(&self) -> &[(usize, usize)] {
        if self.complete {
            &self.words.0
        } else {
            &[]
        }
    }

    /// Forgets a partly scanned sentence (use after clearing the buffer).
    pub fn reset(&mut self) {
        self.scanned = 0;
        self.count = 0;
        self.words.0.clear();
        self.complete = false;
    }
}

/// Error from the encoder: a word longer than the length prefix can express (4 GiB - 1).
pub(crate) fn word_len(len: usize) -> Result<u32, ProtocolError> {
    u32::try_from(len).map_err(|_| ProtocolError::WordTooLong {
        len: u64::try_from(len).unwrap_or(u64::MAX),
        max: usize::try_from(u32::MAX).unwrap_or(usize::MAX),
    })
}

/// Bytes a word of `n` bytes takes on the wire, length prefix included.
pub(crate) fn word_size(n: usize) -> Result<usize, ProtocolError> {
    word_len(n).map(|l| encoded_len(l) + n)
}

/// Writes words into a region of exactly the size they need (see [`write_sized`]).
pub(crate) struct SliceWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl SliceWriter<'_> {
    #[inline]
    fn put(&mut self, src: &[u8]) {
        let end = self.pos + src.len();
        if let Some(d) = self.out.get_mut(self.pos..end) {
            d.copy_from_slice(src);
        }
        self.pos = end;
    }

    #[inline]
    fn put_byte(&mut self, b: u8) {
        if let Some(d) = self.out.get_mut(self.pos) {
            *d = b;
        }
        self.pos += 1;
    }

    #[inline]
    fn prefix(&mut self, len: usize) -> Result<(), ProtocolError> {
        let len = word_len(len)?;
        if len < 0x80 {
            // The common case: a one-byte prefix, written without a copy.
            self.put_byte(len.to_be_bytes()[3]);
        } else {
            let (prefix, n) = crate::length::length_bytes(len);
            self.put(prefix.get(..n).unwrap_or_default());
        }
        Ok(())
    }

    /// Writes one word made of `parts`, length prefix first.
    #[inline]
    pub(crate) fn word(&mut self, parts: &[&[u8]]) -> Result<(), ProtocolError> {
        self.prefix(parts.iter().map(|p| p.len()).sum())?;
        for p in parts {
            self.put(p);
        }
        Ok(())
    }

    /// Writes bytes that are already length-prefixed words.
    #[inline]
    pub(crate) fn raw(&mut self, words: &[u8]) {
        self.put(words);
    }

    /// Writes the attribute word `=name=value`.
    #[inline]
    pub(crate) fn attribute(&mut self, name: &[u8], value: &[u8]) -> Result<(), ProtocolError> {
        self.prefix(name.len() + value.len() + 2)?;
        self.put_byte(b'=');
        self.put(name);
        self.put_byte(b'=');
        self.put(value);
        Ok(())
    }

    /// Writes the closing zero-length word.
    #[inline]
    pub(crate) fn end(&mut self) {
        self.put_byte(0);
    }
}

/// Grows `dst` by exactly `total` bytes and lets `f` fill them through a [`SliceWriter`]: one
/// capacity check per sentence instead of one per piece.
pub(crate) fn write_sized(
    dst: &mut BytesMut,
    total: usize,
    f: impl FnOnce(&mut SliceWriter<'_>) -> Result<(), ProtocolError>,
) -> Result<(), ProtocolError> {
    let start = dst.len();
    dst.resize(start + total, 0);
    let mut w = SliceWriter {
        out: dst.get_mut(start..).unwrap_or_default(),
        pos: 0,
    };
    let result = f(&mut w);
    let written = w.pos;
    match result {
        Ok(()) if written == total => Ok(()),
        Ok(()) => {
            dst.truncate(start);
            Err(ProtocolError::SentenceTooLong { max: total })
        }
        Err(e) => {
            dst.truncate(start);
            Err(e)
        }
    }
}

/// Appends one word (length prefix and bytes) to `dst`.
pub fn encode_word(word: &[u8], dst: &mut BytesMut) -> Result<(), ProtocolError> {
    let len = word_len(word.len())?;
    dst.reserve(encoded_len(len) + word.len());
    encode_length(len, dst);
    dst.put_slice(word);
    Ok(())
}

/// Appends a word made of several pieces written back to back (for `=name=value` without
/// building the word first).
pub fn encode_word_parts(parts: &[&[u8]], dst: &mut BytesMut) -> Result<(), ProtocolError> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let len = word_len(total)?;
    dst.reserve(encoded_len(len) + total);
    encode_length(len, dst);
    for p in parts {
        dst.put_slice(p);
    }
    Ok(())
}

/// Appends a whole sentence (its words and the closing zero-length word) to `dst`.
///
/// Reserves the exact size once, so encoding a sentence performs at most one allocation.
pub fn encode_sentence<W: AsRef<[u8]>>(
    words: &[W],
    dst: &mut BytesMut,
) -> Result<(), ProtocolError> {
    let mut total = 1;
    for w in words {
        let len = word_len(w.as_ref().len())?;
        total += encoded_len(len) + w.as_ref().len();
    }
    dst.reserve(total);
    for w in words {
        let w = w.as_ref();
        encode_length(word_len(w.len())?, dst);
        dst.put_slice(w);
    }
    dst.put_u8(0);
    Ok(())
}
