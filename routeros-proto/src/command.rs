//! Commands: the sentences a client sends.

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::query::Query;
use crate::sentence::{word_size, write_sized};
use crate::{Lossy, ProtocolError};

/// A command ready to send: the command word, its other words, and an optional `.tag`.
///
/// Build one with [`Command::builder`], or take words as a user typed them with
/// [`Command::from_words`]. The [`Client`](crate::Client) assigns its own tag to every command it
/// sends, replacing any set here.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    command: Bytes,
    words: Vec<Bytes>,
    tag: Option<Bytes>,
}

impl Command {
    /// A command with no arguments, e.g. `/system/resource/print`.
    pub fn new(command: impl AsRef<[u8]>) -> Self {
        Command {
            command: Bytes::copy_from_slice(command.as_ref()),
            words: Vec::new(),
            tag: None,
        }
    }

    /// A builder for `command`.
    pub fn builder(command: impl AsRef<[u8]>) -> CommandBuilder {
        CommandBuilder {
            cmd: Self::new(command),
        }
    }

    /// A command from raw words as typed (`/interface/print`, `?type=ether`,
    /// `.proplist=name`, `=name=x`). The first word must start with `/`; a `.tag=` word becomes
    /// the tag.
    pub fn from_words<W: AsRef<[u8]>>(
        words: impl IntoIterator<Item = W>,
    ) -> Result<Self, ProtocolError> {
        let mut it = words.into_iter();
        let first = it.next().ok_or(ProtocolError::EmptySentence)?;
        let first = first.as_ref();
        if first.first() != Some(&b'/') {
            return Err(ProtocolError::NotACommand(Lossy::new(first)));
        }
        let mut cmd = Self::new(first);
        for w in it {
            let w = w.as_ref();
            match w.strip_prefix(b".tag=") {
                Some(t) => cmd.tag = Some(Bytes::copy_from_slice(t)),
                None => cmd.words.push(Bytes::copy_from_slice(w)),
            }
        }
        Ok(cmd)
    }

    /// The command word.
    pub fn command(&self) -> &Bytes {
        &self.command
    }

    /// The words after the command word (attributes, API attributes, queries), tag excluded.
    pub fn words(&self) -> &[Bytes] {
        &self.words
    }

    /// The tag, if set.
    pub fn tag(&self) -> Option<&Bytes> {
        self.tag.as_ref()
    }

    /// Sets the tag.
    pub fn set_tag(&mut self, tag: impl Into<Bytes>) -> &mut Self {
        self.tag = Some(tag.into());
        self
    }

    /// Bytes the command takes on the wire.
    pub fn encoded_len(&self) -> Result<usize, ProtocolError> {
        let word = word_size;
        let mut total = word(self.command.len())? + 1;
        for w in &self.words {
            total += word(w.len())?;
        }
        if let Some(t) = &self.tag {
            total += word(t.len() + 5)?;
        }
        Ok(total)
    }

    /// Appends the command sentence to `dst`, growing it once.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        write_sized(dst, self.encoded_len()?, |w| {
            w.word(&[&self.command])?;
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
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        l.entry(&String::from_utf8_lossy(&self.command));
        for w in &self.words {
            // Never show passwords in logs.
            if w.starts_with(b"=password=") {
                l.entry(&"=password=<redacted>");
            } else {
                l.entry(&String::from_utf8_lossy(w));
            }
        }
        if let Some(t) = &self.tag {
            l.entry(&format!(".tag={}", String::from_utf8_lossy(t)));
        }
        l.finish()
    }
}

/// Builds a [`Command`] word by word, so that no one hand-writes `=name=value` or query words.
///
/// ```
/// use routeros_proto::{Command, Query};
/// let cmd = Command::builder("/queue/simple/print")
///     .proplist(["name", "rate", "max-limit"])
///     .query(&Query::eq("disabled", "false"))
///     .build();
/// assert_eq!(cmd.words().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct CommandBuilder {
    cmd: Command,
}

impl CommandBuilder {
    /// Adds `=name=value`.
    pub fn attribute(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let (n, v) = (name.as_ref(), value.as_ref());
        let mut w = BytesMut::with_capacity(n.len() + v.len() + 2);
        w.extend_from_slice(b"=");
        w.extend_from_slice(n);
        w.extend_from_slice(b"=");
        w.extend_from_slice(v);
        self.cmd.words.push(w.freeze());
        self
    }

    /// Adds `=.id=id` (the item to `set`, `remove`, `enable`, `disable`...).
    pub fn id(&mut self, id: impl AsRef<[u8]>) -> &mut Self {
        self.attribute(".id", id)
    }

    /// Adds an API attribute `.name=value` (e.g. `.proplist`).
    pub fn api_attribute(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let mut w = BytesMut::new();
        w.extend_from_slice(b".");
        w.extend_from_slice(name.as_ref());
        w.extend_from_slice(b"=");
        w.extend_from_slice(value.as_ref());
        self.cmd.words.push(w.freeze());
        self
    }

    /// Adds `.proplist=a,b,c`: the properties `print` should return.
    pub fn proplist<S: AsRef<str>>(&mut self, names: impl IntoIterator<Item = S>) -> &mut Self {
        let list: Vec<String> = names.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self.api_attribute("proplist", list.join(","))
    }

    /// Appends the words of a query.
    pub fn query(&mut self, query: &Query) -> &mut Self {
        self.cmd.words.extend(query.to_words());
        self
    }

    /// Appends a raw word as is.
    pub fn word(&mut self, word: impl AsRef<[u8]>) -> &mut Self {
        self.cmd.words.push(Bytes::copy_from_slice(word.as_ref()));
        self
    }

    /// Sets the `.tag`.
    pub fn tag(&mut self, tag: impl AsRef<[u8]>) -> &mut Self {
        self.cmd.tag = Some(Bytes::copy_from_slice(tag.as_ref()));
        self
    }

    /// The command.
    pub fn build(&self) -> Command {
        self.cmd.clone()
    }
}
