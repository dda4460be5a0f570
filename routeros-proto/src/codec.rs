//! `tokio-util` [`Decoder`]/[`Encoder`] adapters over the sans-io core.
//!
//! - [`SentenceCodec`]: raw sentences both ways.
//! - [`ClientCodec`]: decodes [`Reply`], encodes [`Command`] (what a client speaks).
//! - [`ServerCodec`]: decodes [`Request`], encodes [`Reply`] (what a router speaks).

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::reply::ReplyScan;
use crate::sentence::WordSink;
use crate::sentence::{encode_sentence, Limits, Sentence, SentenceDecoder};
use crate::{Command, ProtocolError, Reply, Request};

/// Raw sentences.
#[derive(Debug, Default)]
pub struct SentenceCodec {
    decoder: SentenceDecoder,
}

impl SentenceCodec {
    /// A codec with these limits.
    pub fn new(limits: Limits) -> Self {
        SentenceCodec {
            decoder: SentenceDecoder::new(limits),
        }
    }
}

impl Decoder for SentenceCodec {
    type Item = Sentence;
    type Error = ProtocolError;
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Sentence>, ProtocolError> {
        self.decoder.decode(src)
    }
}

impl<W: AsRef<[u8]>> Encoder<&[W]> for SentenceCodec {
    type Error = ProtocolError;
    fn encode(&mut self, words: &[W], dst: &mut BytesMut) -> Result<(), ProtocolError> {
        encode_sentence(words, dst)
    }
}

/// The client side: replies in, commands out. Empty sentences are skipped, as RouterOS does.
///
/// A reply is parsed in the same pass that frames it: its words are classified as the decoder
/// completes them.
#[derive(Debug, Default)]
pub struct ClientCodec {
    decoder: SentenceDecoder,
    scan: ReplyScan,
}

impl ClientCodec {
    /// A codec with these limits.
    pub fn new(limits: Limits) -> Self {
        ClientCodec {
            decoder: SentenceDecoder::new(limits),
            scan: ReplyScan::default(),
        }
    }
}

impl Decoder for ClientCodec {
    type Item = Reply;
    type Error = ProtocolError;
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Reply>, ProtocolError> {
        loop {
            let Some(frame) = self.decoder.decode_frame_with(src, &mut self.scan)? else {
                return Ok(None);
            };
            if frame.len() > 1 {
                return self.scan.finish(frame).map(Some);
            }
            // An empty sentence (a lone zero-length word): skipped.
            self.scan.restart();
        }
    }
}

impl Encoder<&Command> for ClientCodec {
    type Error = ProtocolError;
    fn encode(&mut self, cmd: &Command, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        cmd.encode(dst)
    }
}

impl Encoder<Command> for ClientCodec {
    type Error = ProtocolError;
    fn encode(&mut self, cmd: Command, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        cmd.encode(dst)
    }
}

/// The server side: requests in, replies out. Empty sentences are skipped, as RouterOS does.
///
/// Items are `Result<Request, ProtocolError>`: an inner error is a well-framed sentence that is
/// not a valid command (answer it with a `!trap` and carry on); an outer error means the framing
/// is lost (answer `!fatal` and close).
#[derive(Debug, Default)]
pub struct ServerCodec {
    decoder: SentenceDecoder,
}

impl ServerCodec {
    /// A codec with these limits.
    pub fn new(limits: Limits) -> Self {
        ServerCodec {
            decoder: SentenceDecoder::new(limits),
        }
    }
}

impl Decoder for ServerCodec {
    type Item = Result<Request, ProtocolError>;
    type Error = ProtocolError;
    fn decode(
        &mut self,
        src: &mut BytesMut,
    ) -> Result<Option<Result<Request, ProtocolError>>, ProtocolError> {
        loop {
            match self.decoder.decode(src)? {
                None => return Ok(None),
                Some(s) if s.is_empty() => continue,
                Some(s) => return Ok(Some(Request::parse(s))),
            }
        }
    }
}

impl Encoder<&Reply> for ServerCodec {
    type Error = ProtocolError;
    fn encode(&mut self, reply: &Reply, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        reply.encode(dst)
    }
}

impl Encoder<Reply> for ServerCodec {
    type Error = ProtocolError;
    fn encode(&mut self, reply: Reply, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        reply.encode(dst)
    }
}
