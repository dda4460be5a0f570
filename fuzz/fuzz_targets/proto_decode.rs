//! Arbitrary bytes through the sentence decoder and the reply and request parsers.
//! Oracle: every decoded reply re-encodes to bytes that decode to the same reply.
#![no_main]
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use routeros_proto::sentence::{Limits, SentenceDecoder};
use routeros_proto::{Reply, Request};

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits
        .max_word_len(4096)
        .max_words(256)
        .max_sentence_len(64 * 1024);
    let mut dec = SentenceDecoder::new(limits);
    // Feed in two pieces to exercise the incremental path.
    let split = data
        .first()
        .map_or(0, |&b| usize::from(b) % (data.len() + 1));
    let mut buf = BytesMut::from(&data[..split]);
    let mut rest = &data[split..];
    loop {
        match dec.decode(&mut buf) {
            Ok(Some(sentence)) => {
                let _ = Request::parse(sentence.clone());
                if let Ok(reply) = Reply::parse(sentence) {
                    let mut wire = BytesMut::new();
                    reply.encode(&mut wire).expect("a decoded reply re-encodes");
                    let again = SentenceDecoder::default()
                        .decode(&mut wire)
                        .expect("re-encoded reply decodes")
                        .expect("re-encoded reply is complete");
                    assert!(wire.is_empty());
                    assert_eq!(Reply::parse(again).expect("re-parses"), reply);
                }
            }
            Ok(None) if !rest.is_empty() => {
                buf.extend_from_slice(rest);
                rest = &[];
            }
            Ok(None) | Err(_) => break,
        }
    }
});
