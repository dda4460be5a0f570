//! Persistence of the notification queue and of the update offset.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::types::{ChatId, ParseMode};

/// How urgent an alert is; when the queue is full the lowest priorities are summarised first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[non_exhaustive]
pub enum Priority {
    /// Informational.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Something is broken.
    High,
    /// Never summarised away while anything else can be.
    Critical,
}

impl std::str::FromStr for Priority {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Priority::Low),
            "normal" => Ok(Priority::Normal),
            "high" => Ok(Priority::High),
            "critical" => Ok(Priority::Critical),
            _ => Err(format!(
                "unknown priority {s:?}: expected low, normal, high or critical"
            )),
        }
    }
}

/// The state an alert reports, used to recognise flapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AlertState {
    /// The condition holds (router down, queue saturated).
    Firing,
    /// The condition cleared.
    Resolved,
}

/// A message waiting in the queue, as persisted. One queued message may be sent as several
/// Telegram messages (parts) when it is long; `parts_sent` records progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueuedMessage {
    /// Unique, increasing id (the queue order).
    pub id: u64,
    /// Target chat.
    pub chat: ChatId,
    /// Forum topic.
    #[serde(default)]
    pub thread: Option<i64>,
    /// Text (markup in `parse_mode`), latest version when coalesced.
    pub text: String,
    /// Parse mode of `text`.
    #[serde(default)]
    pub parse_mode: ParseMode,
    /// Send without sound.
    #[serde(default)]
    pub silent: bool,
    /// Coalescing key.
    #[serde(default)]
    pub key: Option<String>,
    /// Priority.
    #[serde(default)]
    pub priority: Priority,
    /// Alerts merged into this message (1 = just itself).
    #[serde(default = "one")]
    pub count: u32,
    /// State changes seen among the merged alerts (flapping when 2 or more).
    #[serde(default)]
    pub transitions: u32,
    /// The latest state reported.
    #[serde(default)]
    pub state: Option<AlertState>,
    /// Not sent before this Unix time in milliseconds (coalescing window).
    #[serde(default)]
    pub not_before_ms: Option<u64>,
    /// Unix time in milliseconds the first alert was queued.
    #[serde(default)]
    pub created_ms: u64,
    /// Parts Telegram already accepted.
    #[serde(default)]
    pub parts_sent: u32,
    /// Alerts summarised into this message because the queue was full (0 for ordinary ones).
    #[serde(default)]
    pub summarised: u32,
}

fn one() -> u32 {
    1
}

/// A persistence error (I/O, encoding, database).
#[derive(Debug, thiserror::Error)]
#[error("queue store: {message}")]
pub struct StoreError {
    /// What failed.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// An error with a message and a cause.
    pub fn new(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Where the queue and the update offset live, so that nothing is lost across restarts.
///
/// The notifier calls these from its worker task; implementations should be quick (a local
/// database or file). The web dashboard implements it on SQLite.
pub trait Store: Send + Sync + 'static {
    /// Every message not yet accepted by Telegram, in any order.
    fn load(&self) -> Result<Vec<QueuedMessage>, StoreError>;
    /// Inserts or replaces the message with `msg.id`.
    fn put(&self, msg: &QueuedMessage) -> Result<(), StoreError>;
    /// Removes the message (Telegram accepted it, or it can never be delivered).
    fn remove(&self, id: u64) -> Result<(), StoreError>;
    /// The saved `getUpdates` offset.
    fn offset(&self) -> Result<Option<i64>, StoreError>;
    /// Saves the `getUpdates` offset.
    fn set_offset(&self, offset: i64) -> Result<(), StoreError>;
}

#[derive(Debug, Default)]
struct MemState {
    messages: BTreeMap<u64, QueuedMessage>,
    offset: Option<i64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An in-memory store. Clones share the same contents, so a test can "restart" a notifier
/// with the store of the previous one.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<MemState>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Messages stored.
    pub fn len(&self) -> usize {
        lock(&self.inner).messages.len()
    }

    /// Whether no message is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        Ok(lock(&self.inner).messages.values().cloned().collect())
    }
    fn put(&self, msg: &QueuedMessage) -> Result<(), StoreError> {
        lock(&self.inner).messages.insert(msg.id, msg.clone());
        Ok(())
    }
    fn remove(&self, id: u64) -> Result<(), StoreError> {
        lock(&self.inner).messages.remove(&id);
        Ok(())
    }
    fn offset(&self) -> Result<Option<i64>, StoreError> {
        Ok(lock(&self.inner).offset)
    }
    fn set_offset(&self, offset: i64) -> Result<(), StoreError> {
        lock(&self.inner).offset = Some(offset);
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum JournalEntry {
    Put(QueuedMessage),
    Remove(u64),
    Offset(i64),
}

struct FileState {
    mem: MemState,
    file: File,
    entries: usize,
}

/// A store in one JSON-lines journal file: each change is appended and flushed; the file is
/// compacted (rewritten atomically through a temporary file and a rename) when it holds far
/// more entries than live messages. A torn last line (a crash mid-write) is ignored.
pub struct JsonFileStore {
    path: PathBuf,
    state: Mutex<FileState>,
}

impl std::fmt::Debug for JsonFileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonFileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Largest journal line read back (bytes); longer lines are an error, not an allocation.
pub const MAX_JOURNAL_LINE: usize = 1024 * 1024;

impl JsonFileStore {
    /// Opens (or creates) the journal at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut mem = MemState::default();
        if path.exists() {
            let f = File::open(&path)
                .map_err(|e| StoreError::new(format!("open {}", path.display()), e))?;
            let mut reader = BufReader::new(f);
            let mut line = Vec::new();
            let mut lineno = 0usize;
            loop {
                line.clear();
                let n = read_line_bounded(&mut reader, &mut line)
                    .map_err(|e| StoreError::new(format!("read {}", path.display()), e))?;
                if n == 0 {
                    break;
                }
                lineno += 1;
                let complete = line.last() == Some(&b'\n');
                let text = line.strip_suffix(b"\n").unwrap_or(&line);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match serde_json::from_slice::<JournalEntry>(text) {
                    Ok(JournalEntry::Put(m)) => {
                        mem.messages.insert(m.id, m);
                    }
                    Ok(JournalEntry::Remove(id)) => {
                        mem.messages.remove(&id);
                    }
                    Ok(JournalEntry::Offset(o)) => mem.offset = Some(o),
                    Err(_) if !complete => break, // torn final write
                    Err(e) => {
                        return Err(StoreError::new(
                            format!("{} line {lineno}", path.display()),
                            e,
                        ))
                    }
                }
            }
        }
        let file = rewrite(&path, &mem)?;
        let entries = mem.messages.len() + usize::from(mem.offset.is_some());
        Ok(JsonFileStore {
            path,
            state: Mutex::new(FileState { mem, file, entries }),
        })
    }

    /// The journal path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&self, entry: &JournalEntry) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        match entry {
            JournalEntry::Put(m) => {
                st.mem.messages.insert(m.id, m.clone());
            }
            JournalEntry::Remove(id) => {
                st.mem.messages.remove(id);
            }
            JournalEntry::Offset(o) => st.mem.offset = Some(*o),
        }
        let live = st.mem.messages.len() + 1;
        if st.entries > 1024 && st.entries > live.saturating_mul(4) {
            st.file = rewrite(&self.path, &st.mem)?;
            st.entries = live;
            return Ok(());
        }
        let mut line = serde_json::to_vec(entry).map_err(|e| StoreError::new("encode", e))?;
        line.push(b'\n');
        st.file
            .write_all(&line)
            .and_then(|()| st.file.flush())
            .map_err(|e| StoreError::new(format!("write {}", self.path.display()), e))?;
        st.entries += 1;
        Ok(())
    }
}

fn read_line_bounded(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<usize> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(out.len());
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(p) => (p + 1, true),
            None => (buf.len(), false),
        };
        if out.len() + take > MAX_JOURNAL_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "journal line too long",
            ));
        }
        out.extend_from_slice(buf.get(..take).unwrap_or(&[]));
        reader.consume(take);
        if done {
            return Ok(out.len());
        }
    }
}

fn rewrite(path: &Path, mem: &MemState) -> Result<File, StoreError> {
    let tmp = path.with_extension("tmp");
    let io =
        |what: &str, e: std::io::Error| StoreError::new(format!("{what} {}", tmp.display()), e);
    {
        let mut f = File::create(&tmp).map_err(|e| io("create", e))?;
        let mut buf = Vec::new();
        for m in mem.messages.values() {
            serde_json::to_writer(&mut buf, &JournalEntry::Put(m.clone()))
                .map_err(|e| StoreError::new("encode", e))?;
            buf.push(b'\n');
        }
        if let Some(o) = mem.offset {
            serde_json::to_writer(&mut buf, &JournalEntry::Offset(o))
                .map_err(|e| StoreError::new("encode", e))?;
            buf.push(b'\n');
        }
        f.write_all(&buf).map_err(|e| io("write", e))?;
        f.sync_all().map_err(|e| io("sync", e))?;
    }
    std::fs::rename(&tmp, path)
        .map_err(|e| StoreError::new(format!("rename to {}", path.display()), e))?;
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| StoreError::new(format!("open {}", path.display()), e))
}

impl Store for JsonFileStore {
    fn load(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        Ok(lock(&self.state).mem.messages.values().cloned().collect())
    }
    fn put(&self, msg: &QueuedMessage) -> Result<(), StoreError> {
        self.append(&JournalEntry::Put(msg.clone()))
    }
    fn remove(&self, id: u64) -> Result<(), StoreError> {
        self.append(&JournalEntry::Remove(id))
    }
    fn offset(&self) -> Result<Option<i64>, StoreError> {
        Ok(lock(&self.state).mem.offset)
    }
    fn set_offset(&self, offset: i64) -> Result<(), StoreError> {
        self.append(&JournalEntry::Offset(offset))
    }
}

impl<S: Store + ?Sized> Store for Arc<S> {
    fn load(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        (**self).load()
    }
    fn put(&self, msg: &QueuedMessage) -> Result<(), StoreError> {
        (**self).put(msg)
    }
    fn remove(&self, id: u64) -> Result<(), StoreError> {
        (**self).remove(id)
    }
    fn offset(&self) -> Result<Option<i64>, StoreError> {
        (**self).offset()
    }
    fn set_offset(&self, offset: i64) -> Result<(), StoreError> {
        (**self).set_offset(offset)
    }
}
