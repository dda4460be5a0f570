//! Loaders: l7-filter `.pat` files, `/ip firewall layer7-protocol` entries of an `.rsc` export,
//! and plain one-pattern-per-line files.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::set::NamedPattern;

/// Largest pattern file read (bytes).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// An l7-filter `.pat` file.
///
/// Format: `#` lines and blank lines are comments; the first other line is the protocol name
/// (first token), the next the pattern; optional later `userspace pattern=` and
/// `userspace flags=` lines. Header comments carry `# Pattern attributes:`,
/// `# Protocol groups:` and `# Wiki:`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatFile {
    /// Protocol name.
    pub name: String,
    /// The kernel pattern (what RouterOS uses).
    pub pattern: String,
    /// 1-based line number of the pattern.
    pub pattern_line: usize,
    /// The userspace variant, if given.
    pub userspace_pattern: Option<String>,
    /// The userspace flags, if given.
    pub userspace_flags: Option<String>,
    /// Words of `# Pattern attributes:` (quality, speeds, `subset`/`superset`/`overmatch`...).
    pub attributes: Vec<String>,
    /// Words of `# Protocol groups:`.
    pub groups: Vec<String>,
    /// `# Wiki:` link.
    pub wiki: Option<String>,
}

impl PatFile {
    /// Parses the text of a `.pat` file; `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<PatFile, Error> {
        let err = |line: usize, message: &str| Error::Load {
            path: path.to_owned(),
            line,
            message: message.to_owned(),
        };
        let mut name = None;
        let mut pattern = None;
        let mut out = PatFile {
            name: String::new(),
            pattern: String::new(),
            pattern_line: 0,
            userspace_pattern: None,
            userspace_flags: None,
            attributes: Vec::new(),
            groups: Vec::new(),
            wiki: None,
        };
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(comment) = line.strip_prefix('#') {
                let c = comment.trim();
                if let Some(v) = c.strip_prefix("Pattern attributes:") {
                    out.attributes = v.split_whitespace().map(str::to_owned).collect();
                } else if let Some(v) = c.strip_prefix("Protocol groups:") {
                    out.groups = v.split_whitespace().map(str::to_owned).collect();
                } else if let Some(v) = c.strip_prefix("Wiki:") {
                    out.wiki = Some(v.trim().to_owned());
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            if name.is_none() {
                name = line.split_whitespace().next().map(str::to_owned);
            } else if pattern.is_none() {
                pattern = Some(line.to_owned());
                out.pattern_line = line_no;
            } else if let Some(v) = line.strip_prefix("userspace pattern=") {
                out.userspace_pattern = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("userspace flags=") {
                out.userspace_flags = Some(v.to_owned());
            } else {
                return Err(err(line_no, "unexpected line after the pattern"));
            }
        }
        out.name = name.ok_or_else(|| err(1, "no protocol name line"))?;
        out.pattern = pattern.ok_or_else(|| err(1, "no pattern line after the protocol name"))?;
        Ok(out)
    }

    /// Reads and parses a `.pat` file.
    pub fn read(path: &Path) -> Result<PatFile, Error> {
        PatFile::parse(&read_text(path)?, path)
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::Load {
            path: path.to_owned(),
            line: 0,
            message: format!("file is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Every `.pat` file under `dir` (its subdirectories too, one level of nesting at a time, without
/// following symlinks), sorted by path.
pub fn pat_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let io = |source| Error::Io {
            path: d.clone(),
            source,
        };
        for entry in std::fs::read_dir(&d).map_err(io)? {
            let entry = entry.map_err(io)?;
            let ty = entry.file_type().map_err(io)?;
            let path = entry.path();
            if ty.is_dir() {
                todo.push(path);
            } else if ty.is_file() && path.extension().is_some_and(|e| e == "pat") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads every `.pat` file under `dir` as named patterns.
pub fn load_pat_dir(dir: &Path) -> Result<Vec<NamedPattern>, Error> {
    pat_files(dir)?
        .iter()
        .map(|p| PatFile::read(p).map(|f| NamedPattern::new(f.name, f.pattern)))
        .collect()
}

/// Decodes a RouterOS script string body (between the quotes): `\"`, `\\`, `\$`, `\?`, `\_`
/// (space), `\a \b \f \n \r \t \v`, and `\HH` (two hex digits). See the scripting manual,
/// <https://help.mikrotik.com/docs/display/ROS/Scripting>.
pub fn unescape_routeros(s: &str) -> Result<String, String> {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = b.get(i + 1) else {
            return Err("string ends with a backslash".into());
        };
        let hex = |x: u8| char::from(x).to_digit(16);
        if let (Some(h), Some(l)) = (hex(n), b.get(i + 2).and_then(|&x| hex(x))) {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        let v = match n {
            b'"' | b'\\' | b'$' | b'?' => n,
            b'_' => b' ',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 0x0b,
            other => return Err(format!("unknown escape `\\{}`", char::from(other))),
        };
        out.push(v);
        i += 2;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Splits one command line into `key=value` arguments, honouring quotes. Returns
/// `(key, raw value, quoted)`.
fn split_args(line: &str) -> Result<Vec<(String, String, bool)>, String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|&c| c != b'=' && !c.is_ascii_whitespace())
        {
            i += 1;
        }
        let key = line.get(start..i).unwrap_or_default().to_owned();
        if key.is_empty() && i >= b.len() {
            break;
        }
        if b.get(i) != Some(&b'=') {
            out.push((key, String::new(), false));
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'"') {
            i += 1;
            let vstart = i;
            loop {
                match b.get(i) {
                    None => return Err("unterminated quoted string".into()),
                    Some(b'\\') => i += 2,
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            out.push((
                key,
                line.get(vstart..i).unwrap_or_default().to_owned(),
                true,
            ));
            i += 1;
        } else {
            let vstart = i;
            while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
                i += 1;
            }
            out.push((
                key,
                line.get(vstart..i).unwrap_or_default().to_owned(),
                false,
            ));
        }
    }
    Ok(out)
}

/// Reads the `/ip firewall layer7-protocol` entries (`add name=... regexp=...`) of an `.rsc`
/// export. Joins `\`-continued lines and decodes RouterOS string escapes; `path` is used in errors.
///
/// ```
/// use std::path::Path;
/// let rsc = "/ip firewall layer7-protocol\nadd name=yt regexp=\"^.+(youtube\\\\.com)\"\n";
/// let pats = l7_patterns::load::parse_rsc(rsc, Path::new("export.rsc"))?;
/// assert_eq!(pats[0].name, "yt");
/// assert_eq!(pats[0].pattern, "^.+(youtube\\.com)");
/// # Ok::<(), l7_patterns::Error>(())
/// ```
pub fn parse_rsc(text: &str, path: &Path) -> Result<Vec<NamedPattern>, Error> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut logical = String::new();
    let mut first_line = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (idx, raw) in lines.iter().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if logical.is_empty() {
            first_line = idx + 1;
            if raw.trim_start().starts_with('#') {
                continue;
            }
        }
        if let Some(cont) = raw.strip_suffix('\\') {
            // A trailing backslash continues the line unless it is itself escaped.
            let escaped = cont.len() - cont.trim_end_matches('\\').len();
            if escaped % 2 == 0 {
                logical.push_str(if logical.is_empty() {
                    cont
                } else {
                    cont.trim_start()
                });
                continue;
            }
        }
        logical.push_str(if logical.is_empty() {
            raw
        } else {
            raw.trim_start()
        });
        let line = std::mem::take(&mut logical);
        let mut rest = line.trim();
        if rest.is_empty() {
            continue;
        }
        if rest.starts_with('/') {
            // `/ip firewall layer7-protocol` or `/ip firewall layer7-protocol add ...`
            let words: Vec<&str> = rest.split_whitespace().collect();
            let cmd_at = words.iter().position(|w| *w == "add" || *w == "set");
            let path_words = words
                .get(..cmd_at.unwrap_or(words.len()))
                .unwrap_or_default();
            section = path_words.join(" ").trim_start_matches('/').to_owned();
            match cmd_at {
                Some(at) => {
                    let skip: usize = words.iter().take(at).map(|w| w.len() + 1).sum();
                    rest = rest
                        .get(skip.min(rest.len())..)
                        .unwrap_or_default()
                        .trim_start();
                }
                None => continue,
            }
        }
        if section != "ip firewall layer7-protocol" {
            continue;
        }
        let Some(args) = rest.strip_prefix("add") else {
            continue;
        };
        let args = split_args(args).map_err(|m| Error::Load {
            path: path.to_owned(),
            line: first_line,
            message: m,
        })?;
        let mut name = None;
        let mut regexp = None;
        for (k, v, quoted) in args {
            let value = if quoted {
                unescape_routeros(&v).map_err(|m| Error::Load {
                    path: path.to_owned(),
                    line: first_line,
                    message: m,
                })?
            } else {
                v
            };
            match k.as_str() {
                "name" => name = Some(value),
                "regexp" => regexp = Some(value),
                _ => {}
            }
        }
        let load = |m: &str| Error::Load {
            path: path.to_owned(),
            line: first_line,
            message: m.to_owned(),
        };
        let name = name.ok_or_else(|| load("layer7-protocol entry without name="))?;
        let regexp = regexp.ok_or_else(|| load("layer7-protocol entry without regexp="))?;
        out.push(NamedPattern::new(name, regexp));
    }
    Ok(out)
}

/// Reads an `.rsc` export file; see [`parse_rsc`].
pub fn load_rsc(path: &Path) -> Result<Vec<NamedPattern>, Error> {
    parse_rsc(&read_text(path)?, path)
}

/// One pattern per line: blank lines and `#` comments are skipped; each pattern is named
/// `line N`. The line is taken verbatim (trailing whitespace included, so lint can report it);
/// only the line ending is removed.
pub fn parse_lines(text: &str) -> Vec<NamedPattern> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            (!l.trim().is_empty() && !l.starts_with('#'))
                .then(|| NamedPattern::new(format!("line {}", i + 1), l))
        })
        .collect()
}

/// Loads patterns from a path by kind: a directory of `.pat` files, a `.pat` file, an `.rsc`
/// export, or else one pattern per line.
pub fn load_path(path: &Path) -> Result<Vec<NamedPattern>, Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if path.is_dir() {
        load_pat_dir(path)
    } else if ext == "pat" {
        PatFile::read(path).map(|f| vec![NamedPattern::new(f.name, f.pattern)])
    } else if ext == "rsc" {
        load_rsc(path)
    } else {
        Ok(parse_lines(&read_text(path)?))
    }
}
