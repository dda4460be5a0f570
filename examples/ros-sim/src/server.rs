//! The API server: one task per connection reading commands, one writing replies through a
//! bounded queue, and one task per streaming command (`listen`, `follow`, `monitor-traffic`,
//! `ping`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;
use routeros_proto::codec::ServerCodec;
use routeros_proto::length::length_bytes;
use routeros_proto::query::{evaluate, QueryWord};
use routeros_proto::sentence::encode_word_parts;
use routeros_proto::{Request, TrapCategory};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

use crate::schema::{self, MenuKind};
use crate::state::{Failure, Row, State};
use crate::traffic::Rng;
use crate::{sim_cmd, SimConfig};

/// Encoded sentences queued per connection before the producers wait.
const OUT_QUEUE: usize = 64;
/// Rows encoded per chunk while printing.
const PRINT_BATCH: usize = 256;
/// Room reserved for one chunk of a print (256 queue rows take about 110 KB).
const PRINT_CHUNK: usize = 128 << 10;
/// Streaming commands one connection may run at once.
const MAX_STREAMS: usize = 64;

/// What all connections share.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub config: SimConfig,
    pub ticks: watch::Sender<u64>,
    pub shutdown: watch::Sender<bool>,
    pub connections: std::sync::atomic::AtomicUsize,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data: keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Advances the model by `n` seconds and wakes streaming commands.
    pub fn tick(&self, n: u64) {
        for _ in 0..n {
            {
                let mut st = self.lock();
                crate::traffic::tick(&mut st);
                crate::session::tick(&mut st);
                crate::health::tick(&mut st);
            }
            self.ticks.send_modify(|t| *t += 1);
        }
    }
}

/// Builds encoded sentences.
pub(crate) struct Sentence {
    buf: BytesMut,
}

impl Sentence {
    pub fn new(kind: &str) -> Self {
        let mut s = Sentence {
            buf: BytesMut::with_capacity(128),
        };
        s.word(kind.as_bytes());
        s
    }
    pub fn word(&mut self, w: &[u8]) -> &mut Self {
        // Words we build are far below 4 GiB: encoding cannot fail.
        let _ = encode_word_parts(&[w], &mut self.buf);
        self
    }
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        let _ = encode_word_parts(
            &[b"=", name.as_bytes(), b"=", value.as_bytes()],
            &mut self.buf,
        );
        self
    }
    pub fn finish(&mut self, tag: Option<&Bytes>) -> Bytes {
        if let Some(t) = tag {
            let _ = encode_word_parts(&[b".tag=", t], &mut self.buf);
        }
        self.buf.put_u8(0);
        std::mem::take(&mut self.buf).freeze()
    }
}

pub(crate) fn done(tag: Option<&Bytes>) -> Bytes {
    Sentence::new("!done").finish(tag)
}

pub(crate) fn trap(f: &Failure, tag: Option<&Bytes>) -> Bytes {
    let mut s = Sentence::new("!trap");
    if let Some(c) = f.category {
        s.attr("category", &c.number().to_string());
    }
    s.attr("message", &f.message).finish(tag)
}

fn fatal(reason: &str) -> Bytes {
    Sentence::new("!fatal").word(reason.as_bytes()).finish(None)
}

/// Appends a `!re` for a row, filtered by `.proplist`.
fn encode_row(row: &Row<'_>, proplist: Option<&[String]>, tag: Option<&Bytes>, dst: &mut Vec<u8>) {
    put_word(dst, [b"!re", b"", b"", b""]);
    for (name, value) in row {
        if proplist.is_some_and(|p| !p.iter().any(|n| n == name)) {
            continue;
        }
        put_word(dst, [b"=", name.as_bytes(), b"=", value]);
    }
    if let Some(t) = tag {
        put_word(dst, [b".tag=", t, b"", b""]);
    }
    dst.push(0);
}

/// Appends one length-prefixed word made of `parts` to `out`.
#[inline]
fn put_word(out: &mut Vec<u8>, parts: [&[u8]; 4]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    match u8::try_from(len) {
        Ok(l) if l < 0x80 => out.push(l),
        _ => {
            // Words we build are far below 4 GiB.
            let (prefix, n) = length_bytes(u32::try_from(len).unwrap_or(u32::MAX));
            out.extend_from_slice(prefix.get(..n).unwrap_or_default());
        }
    }
    for p in parts {
        out.extend_from_slice(p);
    }
}

/// Appends a `!re` for an item straight from the state, filtered by `.proplist`: no row is
/// built, computed values are formatted into `scratch`.
fn encode_item(
    st: &State,
    menu: usize,
    item: &crate::state::Item,
    proplist: Option<&[String]>,
    tag: Option<&Bytes>,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    put_word(out, [b"!re", b"", b"", b""]);
    st.visit_row(menu, item, scratch, |name, value| {
        if proplist.is_some_and(|p| !p.iter().any(|n| n == name)) {
            return;
        }
        put_word(out, [b"=", name.as_bytes(), b"=", value]);
    });
    if let Some(t) = tag {
        put_word(out, [b".tag=", t, b"", b""]);
    }
    out.push(0);
}

fn row_matches(row: &Row<'_>, queries: &[QueryWord]) -> Result<bool, Failure> {
    if queries.is_empty() {
        return Ok(true);
    }
    evaluate(queries, |name| {
        row.iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, v)| &v[..])
    })
    .map_err(|e| Failure::new(Some(TrapCategory::Api), e.to_string()))
}

/// The sending half every handler uses: a closed connection is `Err(Closed)`.
#[derive(Clone)]
pub(crate) struct Out(mpsc::Sender<Bytes>);

#[derive(Debug)]
pub(crate) struct Closed;

impl Out {
    pub async fn send(&self, b: Bytes) -> Result<(), Closed> {
        self.0.send(b).await.map_err(|_| Closed)
    }
}

struct Stream {
    tag: Option<Bytes>,
    handle: JoinHandle<()>,
}

struct Session {
    shared: Arc<Shared>,
    out: Out,
    peer: SocketAddr,
    logged_in: bool,
    challenge: Option<[u8; 16]>,
    streams: Vec<Stream>,
    rng: Rng,
}

/// Serves one connection until it closes, breaks the protocol, or the simulator stops.
pub(crate) async fn serve<S>(shared: Arc<Shared>, stream: S, peer: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (rd, mut wr) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::channel::<Bytes>(OUT_QUEUE);
    let write_timeout = shared.config.write_timeout;
    let mut writer = tokio::spawn(async move {
        while let Some(chunk) = rx.recv().await {
            match tokio::time::timeout(write_timeout, wr.write_all(&chunk)).await {
                Ok(Ok(())) => {}
                _ => return,
            }
            // A `!fatal` is the last thing a connection says.
            if chunk.starts_with(b"\x06!fatal") {
                break;
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), wr.shutdown()).await;
    });
    let mut reader = FramedRead::new(rd, ServerCodec::new(shared.config.limits));
    let mut shutdown = shared.shutdown.subscribe();
    let seed = shared.config.seed ^ (u64::from(peer.port()) << 17);
    let mut session = Session {
        shared: Arc::clone(&shared),
        out: Out(tx),
        peer,
        logged_in: false,
        challenge: None,
        streams: Vec::new(),
        rng: Rng::new(seed),
    };
    loop {
        let frame = tokio::select! {
            f = reader.next() => f,
            _ = &mut writer => break,
            _ = shutdown.changed() => break,
        };
        let keep_going = match frame {
            None => false,
            Some(Err(e)) => {
                // Framing lost: say why and close.
                let _ = session.out.send(fatal(&e.to_string())).await;
                false
            }
            Some(Ok(Err(e))) => {
                let f = Failure::new(Some(TrapCategory::Api), e.to_string());
                session.out.send(trap(&f, None)).await.is_ok()
                    && session.out.send(done(None)).await.is_ok()
            }
            Some(Ok(Ok(req))) => session.handle(req).await.unwrap_or(false),
        };
        if !keep_going {
            break;
        }
    }
    for s in session.streams.drain(..) {
        s.handle.abort();
    }
    if session.logged_in {
        let user = shared.config.user.clone();
        shared.lock().log(
            "system,info,account",
            &format!("user {user} logged out from {} via api", peer.ip()),
        );
    }
    drop(session);
    // Let the writer flush what is queued (a `!fatal`, the last replies), within its timeout.
    let _ = tokio::time::timeout(write_timeout, writer).await;
}

/// `.proplist`, sent as `.proplist=a,b` or (as RouterOS's documentation writes it)
/// `=.proplist=a,b`.
fn proplist(req: &Request) -> Option<Vec<String>> {
    let list = req
        .api_attributes
        .get("proplist")
        .or_else(|| req.attributes.get(".proplist"))?;
    Some(
        String::from_utf8_lossy(list)
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn attr_str(req: &Request, name: &str) -> Option<String> {
    req.attributes.get_string_lossy(name)
}

/// `=name=value` attributes other than `.id`/`numbers`; values keep their bytes.
fn settable(req: &Request) -> Vec<(String, Vec<u8>)> {
    req.attributes
        .iter()
        .filter(|(n, _)| n.first() != Some(&b'.') && *n != b"numbers")
        .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), v.to_vec()))
        .collect()
}

impl Session {
    async fn send(&self, b: Bytes) -> Result<(), Closed> {
        self.out.send(b).await
    }

    async fn fail(&self, f: Failure, tag: Option<&Bytes>) -> Result<bool, Closed> {
        self.send(trap(&f, tag)).await?;
        self.send(done(tag)).await?;
        Ok(true)
    }

    /// Handles one command; `Ok(false)` closes the connection.
    async fn handle(&mut self, req: Request) -> Result<bool, Closed> {
        self.streams.retain(|s| !s.handle.is_finished());
        let command = req.command_str();
        let tag = req.tag.clone();
        let tag = tag.as_ref();
        match command.as_str() {
            "/quit" => {
                self.send(fatal("session terminated on request")).await?;
                return Ok(false);
            }
            "/login" => return self.login(&req).await,
            _ => {}
        }
        if !self.logged_in {
            self.send(fatal("not logged in")).await?;
            return Ok(false);
        }
        if command == "/cancel" {
            return self.cancel(&req).await;
        }
        if command == "/ping" {
            return self.stream(&req, StreamKind::Ping).await;
        }
        if let Some(sim) = command.strip_prefix("/sim/") {
            let result = sim_cmd::run(&self.shared, sim, &req);
            return match result {
                Ok(ret) => {
                    let mut s = Sentence::new("!done");
                    if let Some(r) = ret {
                        s.attr("ret", &r);
                    }
                    self.send(s.finish(tag)).await?;
                    Ok(true)
                }
                Err(f) => self.fail(f, tag).await,
            };
        }
        let (path, verb) = command.rsplit_once('/').unwrap_or(("", &command));
        let menu = self.shared.lock().menu_index(path);
        let Some(menu) = menu else {
            return self.unknown(path, verb, tag).await;
        };
        let spec = schema::MENUS[menu].kind;
        match (spec, verb) {
            (_, "print" | "getall") => self.print(menu, &req).await,
            (_, "listen") if spec != MenuKind::Resource => {
                self.stream(&req, StreamKind::Listen { menu }).await
            }
            (MenuKind::Interface, "monitor-traffic") => {
                self.stream(&req, StreamKind::Monitor).await
            }
            (MenuKind::Clock, "set") => {
                let result = self.shared.lock().set_clock(menu, &settable(&req));
                match result {
                    Ok(()) => {
                        self.send(done(tag)).await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            (MenuKind::HotspotUser, "reset-counters") => {
                let ids = req
                    .attributes
                    .get(".id")
                    .or_else(|| req.attributes.get("numbers"));
                let result = {
                    let mut st = self.shared.lock();
                    match ids.map(|ids| st.resolve(menu, ids)) {
                        None => Err(Failure::no_such_item()),
                        Some(Err(f)) => Err(f),
                        Some(Ok(pos)) => {
                            st.reset_counters(menu, &pos);
                            Ok(())
                        }
                    }
                };
                match result {
                    Ok(()) => {
                        self.send(done(tag)).await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            (MenuKind::Identity | MenuKind::Cloud, "set") => {
                let result = {
                    let mut st = self.shared.lock();
                    if st.menus[menu].items.is_empty() {
                        st.insert_raw(menu, &[]);
                    }
                    st.set(menu, &[0], &settable(&req))
                };
                match result {
                    Ok(()) => {
                        self.send(done(tag)).await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            (_, "add") if schema::MENUS[menu].addable => {
                let before = req.attributes.get("place-before");
                let attrs: Vec<_> = settable(&req)
                    .into_iter()
                    .filter(|(n, _)| n != "place-before")
                    .collect();
                let result = self.shared.lock().add_before(menu, &attrs, before);
                match result {
                    Ok(id) => {
                        let ret = format!("*{id:X}");
                        self.send(Sentence::new("!done").attr("ret", &ret).finish(tag))
                            .await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            (_, "move") if schema::MENUS[menu].addable => {
                let ids = req
                    .attributes
                    .get(".id")
                    .or_else(|| req.attributes.get("numbers"));
                let dest = req.attributes.get("destination");
                let result = {
                    let mut st = self.shared.lock();
                    let pos = ids.map(|ids| st.resolve(menu, ids));
                    let dest = dest.map(|d| st.resolve(menu, d));
                    match (pos, dest) {
                        (None, _) => Err(Failure::no_such_item()),
                        (Some(Err(f)), _) | (_, Some(Err(f))) => Err(f),
                        (Some(Ok(pos)), dest) => {
                            let dest = dest.and_then(Result::ok).and_then(|d| d.first().copied());
                            st.move_items(menu, &pos, dest)
                        }
                    }
                };
                match result {
                    Ok(()) => {
                        self.send(done(tag)).await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            (k, "set" | "remove" | "enable" | "disable")
                if !matches!(k, MenuKind::Resource | MenuKind::Log | MenuKind::Clock) =>
            {
                if verb == "remove" && !schema::MENUS[menu].removable() {
                    return self.unknown(path, verb, tag).await;
                }
                let ids = req
                    .attributes
                    .get(".id")
                    .or_else(|| req.attributes.get("numbers"));
                let result = {
                    let mut st = self.shared.lock();
                    match ids.map(|ids| st.resolve(menu, ids)) {
                        None => Err(Failure::no_such_item()),
                        Some(Err(f)) => Err(f),
                        Some(Ok(pos)) => match verb {
                            "remove" => st.remove(menu, &pos),
                            "enable" => st.set(menu, &pos, &[("disabled".into(), "no".into())]),
                            "disable" => st.set(menu, &pos, &[("disabled".into(), "yes".into())]),
                            _ => st.set(menu, &pos, &settable(&req)),
                        },
                    }
                };
                match result {
                    Ok(()) => {
                        self.send(done(tag)).await?;
                        Ok(true)
                    }
                    Err(f) => self.fail(f, tag).await,
                }
            }
            _ => self.unknown(path, verb, tag).await,
        }
    }

    /// Answers an unknown command as RouterOS does.
    async fn unknown(&self, path: &str, verb: &str, tag: Option<&Bytes>) -> Result<bool, Closed> {
        // The first path segment that leads nowhere, else the command itself.
        let mut prefix = String::new();
        let mut bad = verb.to_owned();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            let next = format!("{prefix}/{seg}");
            if !schema::is_prefix(&next) {
                bad = seg.to_owned();
                break;
            }
            prefix = next;
        }
        let first = Failure::new(
            Some(TrapCategory::MissingItemOrCommand),
            format!("no such command or directory ({bad})"),
        );
        self.send(trap(&first, tag)).await?;
        self.send(trap(&Failure::new(None, "no such command prefix"), tag))
            .await?;
        self.send(done(tag)).await?;
        Ok(true)
    }

    async fn login(&mut self, req: &Request) -> Result<bool, Closed> {
        let tag = req.tag.as_ref();
        let cfg = &self.shared.config;
        let name = attr_str(req, "name");
        let plain = cfg.version.plain_login();
        let refused = if plain {
            "invalid user name or password (6)"
        } else {
            "cannot log in"
        };
        let ok = if let Some(response) = req.attributes.get("response") {
            match self.challenge.take() {
                Some(ch) => {
                    let expected = routeros_proto::login::challenge_response(
                        cfg.password.as_bytes(),
                        hex::encode(ch).as_bytes(),
                    )
                    .unwrap_or_default();
                    name.as_deref() == Some(cfg.user.as_str()) && response == expected.as_bytes()
                }
                None => false,
            }
        } else if let (true, Some(pw)) = (plain, req.attributes.get("password")) {
            name.as_deref() == Some(cfg.user.as_str()) && pw == cfg.password.as_bytes()
        } else {
            // A bare /login (or any login before 6.43): the MD5 challenge.
            let mut ch = [0u8; 16];
            for c in ch.chunks_mut(8) {
                c.copy_from_slice(&self.rng.next_u64().to_le_bytes());
            }
            self.challenge = Some(ch);
            let ret = hex::encode(ch);
            self.send(Sentence::new("!done").attr("ret", &ret).finish(tag))
                .await?;
            return Ok(true);
        };
        let user = name.unwrap_or_default();
        let ip = self.peer.ip();
        if ok {
            self.logged_in = true;
            self.shared.lock().log(
                "system,info,account",
                &format!("user {user} logged in from {ip} via api"),
            );
            self.send(done(tag)).await?;
        } else {
            self.shared.lock().log(
                "system,error,critical",
                &format!("login failure for user {user} from {ip} via api"),
            );
            self.send(trap(&Failure::new(None, refused), tag)).await?;
            self.send(done(tag)).await?;
        }
        Ok(true)
    }

    async fn cancel(&mut self, req: &Request) -> Result<bool, Closed> {
        let own = req.tag.as_ref();
        let target = req.attributes.get_shared("tag");
        let (cancelled, kept): (Vec<Stream>, Vec<Stream>) = std::mem::take(&mut self.streams)
            .into_iter()
            .partition(|s| target.is_none() || s.tag == target);
        self.streams = kept;
        for s in &cancelled {
            s.handle.abort();
        }
        let interrupted = Failure::new(Some(TrapCategory::Interrupted), "interrupted");
        let mut tags = Vec::new();
        for s in cancelled {
            // Wait until the task is gone so that nothing of it follows its `!done`.
            let _ = s.handle.await;
            self.send(trap(&interrupted, s.tag.as_ref())).await?;
            tags.push(s.tag);
        }
        self.send(done(own)).await?;
        for t in tags {
            self.send(done(t.as_ref())).await?;
        }
        Ok(true)
    }

    async fn print(&mut self, menu: usize, req: &Request) -> Result<bool, Closed> {
        let tag = req.tag.as_ref();
        let follow = req.attributes.contains("follow");
        let follow_only = req.attributes.contains("follow-only");
        if follow || follow_only {
            return self
                .stream(
                    req,
                    StreamKind::Follow {
                        menu,
                        existing: follow,
                    },
                )
                .await;
        }
        let proplist = proplist(req);
        let count_only = req.attributes.contains("count-only");
        let mut pos = 0usize;
        let mut count = 0usize;
        let singleton = schema::MENUS[menu].singleton;
        let mut scratch = Vec::with_capacity(64);
        loop {
            let mut chunk = Vec::with_capacity(PRINT_CHUNK);
            let batch = {
                let st = self.shared.lock();
                let mut emit = |row: &Row<'_>| -> Result<(), Failure> {
                    if row_matches(row, &req.queries)? {
                        count += 1;
                        if !count_only {
                            encode_row(row, proplist.as_deref(), tag, &mut chunk);
                        }
                    }
                    Ok(())
                };
                if singleton {
                    emit(&st.singleton_row(menu)).map(|()| false)
                } else {
                    let items = &st.menus[menu].items;
                    let end = (pos + PRINT_BATCH).min(items.len());
                    let batch = items.get(pos..end).unwrap_or_default();
                    pos = end;
                    if req.queries.is_empty() {
                        // The common case, encoded straight from the state.
                        count += batch.len();
                        if !count_only {
                            for item in batch {
                                encode_item(
                                    &st,
                                    menu,
                                    item,
                                    proplist.as_deref(),
                                    tag,
                                    &mut scratch,
                                    &mut chunk,
                                );
                            }
                        }
                        Ok(end < items.len())
                    } else {
                        batch
                            .iter()
                            .try_for_each(|item| emit(&st.row(menu, item)))
                            .map(|()| end < items.len())
                    }
                }
            };
            let more = match batch {
                Ok(more) => more,
                Err(f) => return self.fail(f, tag).await,
            };
            if !chunk.is_empty() {
                self.send(Bytes::from(chunk)).await?;
            }
            if !more {
                break;
            }
        }
        if count_only {
            let n = count.to_string();
            self.send(Sentence::new("!done").attr("ret", &n).finish(tag))
                .await?;
            return Ok(true);
        }
        if count == 0 && self.shared.config.version.sends_empty() {
            self.send(Sentence::new("!empty").finish(tag)).await?;
        }
        self.send(done(tag)).await?;
        Ok(true)
    }

    async fn stream(&mut self, req: &Request, kind: StreamKind) -> Result<bool, Closed> {
        let tag = req.tag.clone();
        if self.streams.len() >= MAX_STREAMS {
            let f = Failure::new(Some(TrapCategory::General), "too many commands running");
            return self.fail(f, tag.as_ref()).await;
        }
        let job = match prepare(&self.shared, req, kind) {
            Ok(job) => job,
            Err(f) => return self.fail(f, tag.as_ref()).await,
        };
        let shared = Arc::clone(&self.shared);
        let out = self.out.clone();
        let t = tag.clone();
        let handle = tokio::spawn(async move {
            let _ = run_stream(shared, out, t, job).await;
        });
        self.streams.push(Stream { tag, handle });
        Ok(true)
    }
}

#[path = "server_stream.rs"]
mod stream;

use stream::{prepare, run_stream, StreamKind};
