//! Replies: the sentences a router sends (`!re`, `!done`, `!trap`, `!fatal`, `!empty`, ...).

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::attributes::{split_attribute, Attributes};
use crate::sentence::{word_size, write_sized, Sentence};
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
/// kept in order in [`words`](Self::words). Nothing a router sends is dropped.
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

    /// Parses a decoded sentence.
    pub fn parse(sentence: Sentence) -> Result<Self, ProtocolError> {
        let mut words = sentence.into_words().into_iter();
        let first = words.next().ok_or(ProtocolError::EmptySentence)?;
        if first.first() != Some(&b'!') {
            return Err(ProtocolError::NotAReply(Lossy::new(&first)));
        }
        let mut reply = Reply {
            kind: ReplyKind::from_word(&first),
            tag: None,
            attributes: Attributes::with_capacity(words.len()),
            words: Vec::new(),
        };
        for word in words {
            if let Some((name, value)) = split_attribute(&word) {
                reply.attributes.push(&name, &value);
            } else if let Some(tag) = word.strip_prefix(b".tag=") {
                let start = word.len() - tag.len();
                reply.tag = Some(word.slice(start..));
            } else {
                reply.words.push(word);
            }
        }
        Ok(reply)
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
    /// with its word ranges. The attributes are a view of the frame (no copy, no allocation
    /// per attribute); the tag and other words are slices of it.
    pub fn from_frame(frame: &Bytes, ranges: &[(usize, usize)]) -> Result<Self, ProtocolError> {
        let mut it = ranges.iter();
        let word = |&(s, e): &(usize, usize)| frame.get(s..e).ok_or(ProtocolError::EmptySentence);
        let first_range = it.next().ok_or(ProtocolError::EmptySentence)?;
        let first = word(first_range)?;
        let kind = match first {
            b"!re" => ReplyKind::Re,
            b"!done" => ReplyKind::Done,
            b"!trap" => ReplyKind::Trap,
            b"!fatal" => ReplyKind::Fatal,
            b"!empty" => ReplyKind::Empty,
            [b'!', ..] => ReplyKind::Unknown(frame.slice(first_range.0..first_range.1)),
            _ => return Err(ProtocolError::NotAReply(Lossy::new(first))),
        };
        let mut tag = None;
        let mut words = Vec::new();
        // The attribute words, length prefixes included, span `region`; they are `pure` when
        // no other word sits among them (the usual `!re =a=1 =b=2 .tag=7`).
        let mut region: Option<(usize, usize)> = None;
        let mut count = 0usize;
        let mut pure = true;
        // Where the previous word ended: the next word's length prefix starts there.
        let mut prev_end = first_range.1;
        for r in it {
            let (s, e) = *r;
            let w = word(r)?;
            let is_attribute = w
                .strip_prefix(b"=")
                .is_some_and(|body| body.contains(&b'='));
            if is_attribute {
                region = match region {
                    None => Some((prev_end, e)),
                    Some((start, end)) => {
                        pure &= end == prev_end;
                        Some((start, e))
                    }
                };
                count += 1;
            } else if w.starts_with(b".tag=") {
                tag = Some(frame.slice(s + 5..e));
            } else {
                words.push(frame.slice(s..e));
            }
            prev_end = e;
        }
        let attributes = match region {
            None => Attributes::new(),
            Some((start, end)) => {
                let bytes = frame.get(start..end).ok_or(ProtocolError::EmptySentence)?;
                Attributes::from_wire(frame.slice_ref(bytes), count, pure)
            }
        };
        let reply = Reply {
            kind,
            tag,
            attributes,
            words,
        };
        Ok(reply)
    }
}
