//! Server side: commands as a router receives them.

use bytes::Bytes;

use crate::attributes::{split_attribute, Attributes};
use crate::query::QueryWord;
use crate::sentence::Sentence;
use crate::{Lossy, ProtocolError};

/// A command sentence parsed for a server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    /// The command word, e.g. `/queue/simple/print`.
    pub command: Bytes,
    /// `=name=value` words (including `=.id=`).
    pub attributes: Attributes,
    /// API attribute words `.name=value` other than `.tag` (e.g. `.proplist`), name without the dot.
    pub api_attributes: Attributes,
    /// Query words, in order.
    pub queries: Vec<QueryWord>,
    /// The `.tag`, if any.
    pub tag: Option<Bytes>,
    /// Any other word, kept in order.
    pub other: Vec<Bytes>,
}

impl Request {
    /// Parses a decoded sentence. An empty sentence, a first word without `/`, or a malformed
    /// query word is an error.
    pub fn parse(sentence: Sentence) -> Result<Self, ProtocolError> {
        let mut words = sentence.into_words().into_iter();
        let command = words.next().ok_or(ProtocolError::EmptySentence)?;
        if command.first() != Some(&b'/') {
            return Err(ProtocolError::NotACommand(Lossy::new(&command)));
        }
        let mut req = Request {
            command,
            attributes: Attributes::new(),
            api_attributes: Attributes::new(),
            queries: Vec::new(),
            tag: None,
            other: Vec::new(),
        };
        for word in words {
            match word.first() {
                Some(b'=') => match split_attribute(&word) {
                    Some((n, v)) => req.attributes.push(n, v),
                    None => req.other.push(word),
                },
                Some(b'?') => req.queries.push(QueryWord::parse(&word)?),
                Some(b'.') => {
                    let body = word.slice(1..);
                    match body.iter().position(|&c| c == b'=') {
                        Some(eq) if body.get(..eq) == Some(b"tag".as_slice()) => {
                            req.tag = Some(body.slice(eq + 1..));
                        }
                        Some(eq) => req
                            .api_attributes
                            .push(body.slice(..eq), body.slice(eq + 1..)),
                        None => req.other.push(word),
                    }
                }
                _ => req.other.push(word),
            }
        }
        Ok(req)
    }

    /// The command word as a string (lossy).
    pub fn command_str(&self) -> String {
        String::from_utf8_lossy(&self.command).into_owned()
    }

    /// The `.proplist` names, if one was given.
    pub fn proplist(&self) -> Option<Vec<Bytes>> {
        let list = self.api_attributes.get("proplist")?;
        Some(
            list.split(|&c| c == b',')
                .filter(|s| !s.is_empty())
                .map(Bytes::copy_from_slice)
                .collect(),
        )
    }
}
