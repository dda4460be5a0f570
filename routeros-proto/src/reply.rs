//! Replies: the sentences a router sends (`!re`, `!done`, `!trap`, `!fatal`, `!empty`, ...).

use std::fmt;

use bytes::{Buf, Bytes, BytesMut};

use crate::attributes::Attributes;
use crate::sentence::{word_size, write_sized, Sentence, WordSink};
use crate::{Lossy, ProtocolError};

/// The first word of a reply.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyKind {
    /// `!re`: one row of data.
    Re,
    /// `!done`: the command finished (may carry `=ret=`).
    Done,
    /// `!trap`: the command failed (more than one may come before `!done`).
    Trap,
    /// `!fatal`: the router is closing the connection; the reason is a bare word.
    Fatal,
    /// `!empty`: the command produced no rows (RouterOS 7.18 and later), followed by `!done`.
    Empty,
    /// Any other reply word, kept as it came (including the `!`).
    Unknown(Bytes),
}

impl ReplyKind {
    /// Classifies a reply word.
    pub fn from_word(word: &Bytes) -> Self {
        match word.as_ref() {
            b"!re" => Self::Re,
            b"!done" => Self::Done,
            b"!trap" => Self::Trap,
            b"!fatal" => Self::Fatal,
            b"!empty" => Self::Empty,
            _ => Self::Unknown(word.clone()),
        }
    }

    /// The word as sent on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Re => b"!re",
            Self::Done => b"!done",
            Self::Trap => b"!trap",
            Self::Fatal => b"!fatal",
            Self::Empty => b"!empty",
            Self::Unknown(w) => w,
        }
    }

    /// The short name without `!` (`re`, `done`, `trap`, `fatal`, `empty`, or the unknown word).
    pub fn name(&self) -> String {
        String::from_utf8_lossy(
            self.as_bytes()
                .strip_prefix(b"!")
                .unwrap_or(self.as_bytes()),
        )
        .into_owned()
    }
}

impl fmt::Debug for ReplyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// The `=category=` of a `!trap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCategory {
    /// 0: missing item or command.
    MissingItemOrCommand,
    /// 1: argument value failure.
    ArgumentValue,
    /// 2: execution of command interrupted.
    Interrupted,
    /// 3: scripting related failure.
    Scripting,
    /// 4: general failure.
    General,
    /// 5: API related failure.
    Api,
    /// 6: TTY related failure.
    Tty,
    /// 7: value generated with the `:return` command.
    Return,
    /// Any other number.
    Other(u32),
}

impl TrapCategory {
    /// The category for a number.
    pub fn from_number(n: u32) -> Self {
        match n {
            0 => Self::MissingItemOrCommand,
            1 => Self::ArgumentValue,
            2 => Self::Interrupted,
            3 => Self::Scripting,
            4 => Self::General,
            5 => Self::Api,
            6 => Self::Tty,
            7 => Self::Return,
            n => Self::Other(n),
        }
    }

    /// The number sent on the wire.
    pub fn number(self) -> u32 {
        match self {
            Self::MissingItemOrCommand => 0,
            Self::ArgumentValue => 1,
            Self::Interrupted => 2,
            Self::Scripting => 3,
            Self::General => 4,
            Self::Api => 5,
            Self::Tty => 6,
            Self::Return => 7,
            Self::Other(n) => n,
        }
    }
}

/// The meaning of a `!trap` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trap {
    /// `=category=`, when present and numeric.
    pub category: Option<TrapCategory>,
    /// `=message=` (lossy UTF-8), empty when absent.
    pub message: String,
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.category {
            Some(c) => write!(f, "{} (category {})", self.message, c.number()),
            None => f.write_str(&self.message),
        }
    }
}

/// One reply sentence.
///
/// Attribute words (`=name=value`, including API attributes such as `=.id=`, `=.dead=`,
/// `=.section=`, `=.nextid=`) are in [`attributes`](Self::attributes); the `.tag=` word is in
/// [`tag`](Self::tag); every other word (the bare reason of a `!fatal`, anything unexpected) is
/// kept in order in [`words`](Self::words). Nothing a router sends is dropped: a malformed word
/// that starts with `=` but has no second `=` stays among the attributes' bytes (it is written
/// back as it came) though it is not an attribute when they are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    kind: ReplyKind,
    tag: Option<Bytes>,
    attributes: Attributes,
    words: Vec<Bytes>,
}

impl Reply {
    /// A reply of this kind with no attributes.
    pub fn new(kind: ReplyKind) -> Self {
        Reply {
            kind,
            tag: None,
            attributes: Attributes::new(),
            words: Vec::new(),
        }
    }

    /// An empty `!re`.
    pub fn re() -> Self {
        Self::new(ReplyKind::Re)
    }

    /// An empty `!done`.
    pub fn done() -> Self {
        Self::new(ReplyKind::Done)
    }

    /// `!empty`.
    pub fn empty() -> Self {
        Self::new(ReplyKind::Empty)
    }

    /// A `!trap` with a category and message.
    pub fn trap(category: Option<TrapCategory>, message: &str) -> Self {
        let mut r = Self::new(ReplyKind::Trap);
        if let Some(c) = category {
            r.attributes.push("category", c.number().to_string());
        }
        r.attributes
            .push("message", Bytes::copy_from_slice(message.as_bytes()));
        r
    }

    /// A `!fatal` with its reason as a bare word, as RouterOS sends it.
    pub fn fatal(reason: &str) -> Self {
        let mut r = Self::new(ReplyKind::Fatal);
        r.words.push(Bytes::copy_from_slice(reason.as_bytes()));
        r
    }

    /// Parses a decoded sentence (the same reading as [`from_frame`](Self::from_frame), which
    /// the client uses: the words are laid out as one frame first).
    pub fn parse(sentence: Sentence) -> Result<Self, ProtocolError> {
        let words = sentence.into_words();
        let first = words.first().ok_or(ProtocolError::EmptySentence)?;
        if first.first() != Some(&b'!') {
            return Err(ProtocolError::NotAReply(Lossy::new(first)));
        }
        let mut wire = BytesMut::new();
        crate::sentence::encode_sentence(&words, &mut wire)?;
        let mut decoder = crate::sentence::SentenceDecoder::new(crate::Limits {
            max_word_len: usize::MAX,
            max_words: usize::MAX,
            max_sentence_len: usize::MAX,
        });
        match decoder.decode_frame(&mut wire)? {
            Some(frame) => Reply::from_frame(frame, decoder.word_ranges()),
            None => Err(ProtocolError::EmptySentence),
        }
    }

    /// The kind of reply.
    pub fn kind(&self) -> &ReplyKind {
        &self.kind
    }

    /// The `.tag` the router echoed, if any.
    pub fn tag(&self) -> Option<&Bytes> {
        self.tag.as_ref()
    }

    /// Sets or clears the tag.
    pub fn set_tag(&mut self, tag: Option<Bytes>) -> &mut Self {
        self.tag = tag;
        self
    }

    /// The attributes, in wire order.
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Mutable access to the attributes (to build replies).
    pub fn attributes_mut(&mut self) -> &mut Attributes {
        &mut self.attributes
    }

    /// Takes the attributes out.
    pub fn into_attributes(self) -> Attributes {
        self.attributes
    }

    /// Appends an attribute; returns `self` for chaining.
    pub fn with_attribute(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.attributes.push(name, value);
        self
    }

    /// Sets the tag; returns `self` for chaining.
    pub fn with_tag(mut self, tag: impl Into<Bytes>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Words that are neither attributes nor the tag (e.g. the reason of a `!fatal`).
    pub fn words(&self) -> &[Bytes] {
        &self.words
    }

    /// Appends a bare word.
    pub fn push_word(&mut self, word: impl Into<Bytes>) -> &mut Self {
        self.words.push(word.into());
        self
    }

    /// The trap details, for a `!trap`.
    pub fn trap_info(&self) -> Option<Trap> {
        if self.kind != ReplyKind::Trap {
            return None;
        }
        let category = self
            .attributes
            .get_str("category")
            .and_then(Result::ok)
            .and_then(|c| c.trim().parse::<u32>().ok())
            .map(TrapCategory::from_number);
        let message = self
            .attributes
            .get_string_lossy("message")
            .unwrap_or_default();
        Some(Trap { category, message })
    }

    /// The reason of a `!fatal`: its bare words joined by a space, or `=message=` if present.
    pub fn fatal_reason(&self) -> Option<String> {
        if self.kind != ReplyKind::Fatal {
            return None;
        }
        if let Some(m) = self.attributes.get_string_lossy("message") {
            return Some(m);
        }
        let parts: Vec<_> = self
            .words
            .iter()
            .map(|w| String::from_utf8_lossy(w))
            .collect();
        Some(parts.join(" "))
    }

    /// `=ret=` of a `!done`, if present.
    pub fn ret(&self) -> Option<&[u8]> {
        self.attributes.get("ret")
    }

    /// Bytes this reply takes on the wire.
    pub fn encoded_len(&self) -> Result<usize, ProtocolError> {
        let word = word_size;
        let mut total = word(self.kind.as_bytes().len())? + 1 + self.attributes.encoded_len();
        for w in &self.words {
            total += word(w.len())?;
        }
        if let Some(t) = &self.tag {
            total += word(t.len() + 5)?;
        }
        Ok(total)
    }

    /// Appends the reply (closing zero-length word included) to `dst`, growing it once.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        write_sized(dst, self.encoded_len()?, |w| {
            w.word(&[self.kind.as_bytes()])?;
            match self.attributes.pure_words() {
                Some(words) => w.raw(words),
                None => {
                    for (n, v) in self.attributes.iter() {
                        w.attribute(n, v)?;
                    }
                }
            }
            for word in &self.words {
                w.word(&[word])?;
            }
            if let Some(t) = &self.tag {
                w.word(&[b".tag=", t])?;
            }
            w.end();
            Ok(())
        })
    }

    /// Bytes of memory this reply accounts for: the part of its frame it keeps, the other
    /// words and the reply itself. The client bounds collected replies by this figure.
    pub fn memory_size(&self) -> usize {
        let words: usize = self
            .words
            .iter()
            .map(|w| w.len() + std::mem::size_of::<Bytes>())
            .sum();
        std::mem::size_of::<Self>()
            .saturating_add(self.attributes.memory_size())
            .saturating_add(words)
            .saturating_add(self.tag.as_ref().map_or(0, Bytes::len))
    }

    /// Parses a frame from [`SentenceDecoder::decode_frame`](crate::sentence::SentenceDecoder::decode_frame)
    /// with its word ranges. The attributes are the frame itself, narrowed to their words (no
    /// copy, no allocation per attribute); the tag and other words are slices of it.
    pub fn from_frame(frame: Bytes, ranges: &[(usize, usize)]) -> Result<Self, ProtocolError> {
        let mut scan = ReplyScan::default();
        for &(s, e) in ranges {
            let Some(w) = frame.get(s..e) else {
                return Err(ProtocolError::EmptySentence);
            };
            scan.word(s, e, w);
        }
        scan.finish(frame)
    }
}

/// Classifies the words of a reply as the decoder completes them (a [`WordSink`]), so that a
/// reply is parsed in the same pass that frames it.
#[derive(Debug, Default)]
pub(crate) struct ReplyScan {
    /// Words seen so far.
    seen: usize,
    /// The reply word.
    first: (usize, usize),
    /// The value of `.tag=`.
    tag: Option<(usize, usize)>,
    /// The attribute words, length prefixes included.
    region: Option<(usize, usize)>,
    /// Words starting with `=`.
    count: usize,
    /// Some other word sits among the attribute words.
    mixed: bool,
    /// Where the previous word ended: the next word's length prefix starts there.
    prev_end: usize,
    /// Words that are neither attributes nor the tag.
    others: Vec<(usize, usize)>,
}

impl WordSink for ReplyScan {
    #[inline]
    fn word(&mut self, start: usize, end: usize, word: &[u8]) {
        if self.seen == 0 {
            self.first = (start, end);
        } else if word.first() == Some(&b'=') {
            // Words starting with `=` are attributes; the second `=` is looked for when they
            // are read, not here.
            self.region = match self.region {
                None => Some((self.prev_end, end)),
                Some((s, e)) => {
                    self.mixed |= e != self.prev_end;
                    Some((s, end))
                }
            };
            self.count += 1;
        } else if word.starts_with(b".tag=") {
            self.tag = Some((start + 5, end));
        } else {
            self.others.push((start, end));
        }
        self.seen += 1;
        self.prev_end = end;
    }

    fn restart(&mut self) {
        self.reset();
    }
}

impl ReplyScan {
    fn reset(&mut self) {
        self.seen = 0;
        self.tag = None;
        self.region = None;
        self.count = 0;
        self.mixed = false;
        self.prev_end = 0;
        self.others.clear();
    }

    /// The reply of the frame whose words were all seen; ready for the next frame after.
    pub(crate) fn finish(&mut self, frame: Bytes) -> Result<Reply, ProtocolError> {
        let result = self.build(frame);
        self.reset();
        result
    }

    fn build(&mut self, frame: Bytes) -> Result<Reply, ProtocolError> {
        if self.seen == 0 {
            return Err(ProtocolError::EmptySentence);
        }
        let (fs, fe) = self.first;
        let Some(first) = frame.get(fs..fe) else {
            return Err(ProtocolError::EmptySentence);
        };
        let kind = match first {
            b"!re" => ReplyKind::Re,
            b"!done" => ReplyKind::Done,
            b"!trap" => ReplyKind::Trap,
            b"!fatal" => ReplyKind::Fatal,
            b"!empty" => ReplyKind::Empty,
            [b'!', ..] => ReplyKind::Unknown(frame.slice(fs..fe)),
            _ => return Err(ProtocolError::NotAReply(Lossy::new(first))),
        };
        let in_frame = |(s, e): (usize, usize)| s <= e && e <= frame.len();
        if !self.others.iter().all(|&r| in_frame(r)) || !self.tag.is_none_or(in_frame) {
            return Err(ProtocolError::EmptySentence);
        }
        let tag = self.tag.map(|(s, e)| frame.slice(s..e));
        let words = self
            .others
            .iter()
            .map(|&(s, e)| frame.slice(s..e))
            .collect();
        let attributes = match self.region {
            None => Attributes::new(),
            Some((start, end)) if start <= end && end <= frame.len() => {
                // The frame becomes the attributes' buffer: no reference count to touch.
                let mut frame = frame;
                frame.truncate(end);
                frame.advance(start);
                Attributes::from_wire(frame, self.count, !self.mixed)
            }
            Some(_) => return Err(ProtocolError::EmptySentence),
        };
        Ok(Reply {
            kind,
            tag,
            attributes,
            words,
        })
    }
}
