//! RouterOS script (`.rsc`, `/export` output): parse the sections this crate models and render
//! them back in export style.
//!
//! Parsed: `/queue simple`, `/queue tree`, `/queue type`, `/ip firewall layer7-protocol`, `/ip firewall mangle`,
//! `/ip firewall filter`, `/ip hotspot user profile`, `/ip hotspot user`, `/ppp profile` and
//! `/ppp secret` and `/tool netwatch` (`/ip/firewall/...` v7 paths too), their `add` lines with quoted and
//! bare values, every RouterOS string escape (`\"` `\\` `\$` `\?` `\_` `\n` `\r` `\t` `\HH`),
//! backslash-newline continuations anywhere (also inside a value or a string), `#` comments and
//! `;` separators. Other sections are skipped; unknown properties are kept; `!name` words of
//! `export verbose` (a property left unset) are skipped.
//!
//! The built-in profiles appear in exports as `set` lines, which are read too: in
//! `/ip hotspot user profile`, `set [ find default=yes ] ...` (the `default` profile, whatever
//! its name); in `/ppp profile`, `set *0 ...` (`default`) and `set *FFFFFFFE ...`
//! (`default-encryption`); in both, `set [ find name=NAME ] ...` and `set NAME ...` for a
//! profile added above or a built-in one. [`render`] writes them back the same way.
//!
//! ```
//! let cfg = queue_model::rsc::parse(
//!     "/queue simple\nadd max-limit=2M/5M name=\"house 12\" \\\n    target=192.168.88.12/32\n",
//! )?;
//! assert_eq!(cfg.queues[0].name, "house 12");
//! assert_eq!(
//!     queue_model::rsc::render(&cfg),
//!     "/queue simple\nadd max-limit=2M/5M name=\"house 12\" target=192.168.88.12/32\n"
//! );
//! # Ok::<(), queue_model::RscError>(())
//! ```

use crate::error::{PropertyError, RscError, RscErrorKind};
use crate::hotspot::HotspotUserProfile;
use crate::model::{Config, FirewallRule, Item, Layer7Protocol, SimpleQueue};
use crate::ppp::PppProfile;
use crate::text::Text;
use crate::tree::{QueueTree, QueueType};

/// Largest script [`parse`] accepts, in bytes (64 MiB).
pub const MAX_INPUT: usize = 64 << 20;

/// Longest physical line [`render`] writes (unless a value cannot be split).
pub const LINE_WIDTH: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Queue,
    Layer7,
    Mangle,
    Filter,
    HotspotUserProfile,
    HotspotUser,
    PppProfile,
    PppSecret,
    QueueTree,
    QueueType,
    Netwatch,
    Other,
}

fn section_of(path: &str) -> Section {
    match path {
        "queue simple" => Section::Queue,
        "ip firewall layer7-protocol" => Section::Layer7,
        "ip firewall mangle" => Section::Mangle,
        "ip firewall filter" => Section::Filter,
        "ip hotspot user profile" => Section::HotspotUserProfile,
        "ip hotspot user" => Section::HotspotUser,
        "ppp profile" => Section::PppProfile,
        "ppp secret" => Section::PppSecret,
        "queue tree" => Section::QueueTree,
        "queue type" => Section::QueueType,
        "tool netwatch" => Section::Netwatch,
        _ => Section::Other,
    }
}

/// The item a `set` line of an export addresses.
#[derive(Debug, PartialEq, Eq)]
enum Selector {
    /// `[ find default=yes ]`, `*0`: the (first) built-in default profile.
    Default,
    /// `*FFFFFFFE`: PPP's `default-encryption`.
    DefaultEncryption,
    /// `[ find name=X ]` or a bare name.
    Name(Vec<u8>),
}

/// Reads the selector words after `set`; returns it and how many words it took.
fn selector(words: &[Token]) -> Option<(Selector, usize)> {
    let first = words.first()?;
    if first.key.is_none() && first.value.first() == Some(&b'[') {
        // `[ find default=yes ]`, `[find name=x]`: up to the word that ends with `]`.
        let end = words.iter().position(|t| t.value.last() == Some(&b']'))?;
        let inner = words.get(..=end)?;
        let mut sel = None;
        let mut find = false;
        for t in inner {
            let v = t.value.strip_suffix(b"]").unwrap_or(&t.value);
            let v = v.strip_prefix(b"[").unwrap_or(v);
            match (t.key.as_deref(), v) {
                (None, b"") => {}
                (None, b"find") => find = true,
                (Some(b"default"), b"yes" | b"true") => sel = Some(Selector::Default),
                (Some(b"name"), name) => sel = Some(Selector::Name(name.to_vec())),
                _ => return None,
            }
        }
        return find.then_some(sel).flatten().map(|s| (s, end + 1));
    }
    if first.key.is_some() {
        return None;
    }
    let sel = match &first.value[..] {
        b"*0" => Selector::Default,
        b"*FFFFFFFE" | b"*fffffffe" => Selector::DefaultEncryption,
        v if v.first() == Some(&b'*') || v.is_empty() => return None,
        v => Selector::Name(v.to_vec()),
    };
    Some((sel, 1))
}

/// Menu commands: a word on a header line that ends the path.
const COMMANDS: &[&str] = &[
    "add",
    "set",
    "remove",
    "print",
    "export",
    "move",
    "enable",
    "disable",
    "unset",
    "edit",
    "find",
    "comment",
    "reset-counters",
    "reset-counters-all",
    "get",
    "import",
];

/// One word of a command line: `key=value` or a bare word, with where it started.
#[derive(Debug)]
struct Token {
    key: Option<Vec<u8>>,
    value: Vec<u8>,
    loc: Loc,
}

/// Where something starts: the column is computed only when an error needs it.
#[derive(Debug, Clone, Copy)]
struct Loc {
    line: usize,
    line_start: usize,
    pos: usize,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn loc(&self) -> Loc {
        Loc {
            line: self.line,
            line_start: self.line_start,
            pos: self.pos,
        }
    }

    fn error(&self, kind: RscErrorKind) -> RscError {
        self.error_at(kind, self.loc())
    }

    fn error_at(&self, kind: RscErrorKind, loc: Loc) -> RscError {
        // Columns count characters: skip UTF-8 continuation bytes.
        let column = self
            .src
            .get(loc.line_start..loc.pos)
            .map(|s| s.iter().filter(|&&b| b & 0xC0 != 0x80).count())
            .unwrap_or(0)
            + 1;
        RscError {
            line: loc.line,
            column,
            kind,
            source_line: line_text(self.src, loc.line),
        }
    }

    fn raw(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Length of the newline at `pos`, if any (`\n` or `\r\n`).
    fn newline_at(&self, pos: usize) -> Option<usize> {
        match (self.src.get(pos), self.src.get(pos + 1)) {
            (Some(b'\n'), _) => Some(1),
            (Some(b'\r'), Some(b'\n')) => Some(2),
            _ => None,
        }
    }

    fn start_line(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    /// The next byte, skipping backslash-newline continuations and the next line's indent.
    fn peek(&mut self) -> Option<u8> {
        loop {
            let b = self.raw()?;
            if b == b'\\' {
                if let Some(n) = self.newline_at(self.pos + 1) {
                    self.pos += 1 + n;
                    self.start_line();
                    while matches!(self.raw(), Some(b' ' | b'\t')) {
                        self.pos += 1;
                    }
                    continue;
                }
            }
            return Some(b);
        }
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    /// Reads the escape after a consumed `\` into `out`.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), RscError> {
        let b = self
            .raw()
            .ok_or_else(|| self.error(RscErrorKind::BadEscape))?;
        let simple = match b {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'$' => Some(b'$'),
            b'?' => Some(b'?'),
            b'_' => Some(b' '),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            self.pos += 1;
            return Ok(());
        }
        let hi = hex(b);
        let lo = self.src.get(self.pos + 1).copied().and_then(hex);
        match (hi, lo) {
            (Some(h), Some(l)) => {
                out.push(h << 4 | l);
                self.pos += 2;
                Ok(())
            }
            _ => Err(self.error(RscErrorKind::BadEscape)),
        }
    }

    /// Reads one word; `None` at the end of the logical line (newline, `;` or end of input).
    fn word(&mut self) -> Result<Option<Token>, RscError> {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
        let loc = self.loc();
        match self.peek() {
            None => return Ok(None),
            Some(b';') => {
                self.bump();
                return Ok(None);
            }
            Some(b'\n') => {
                self.bump();
                self.start_line();
                return Ok(None);
            }
            Some(b'\r') if self.newline_at(self.pos).is_some() => {
                self.pos += 2;
                self.start_line();
                return Ok(None);
            }
            _ => {}
        }
        let mut out = Vec::new();
        let mut eq: Option<usize> = None;
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b';' => break,
                b'\r' if self.newline_at(self.pos).is_some() => break,
                b'=' if eq.is_none() => {
                    eq = Some(out.len());
                    self.bump();
                }
                b'\\' => {
                    self.bump();
                    self.escape(&mut out)?;
                }
                b'"' => {
                    let start = self.loc();
                    self.bump();
                    loop {
                        match self.peek() {
                            None | Some(b'\n') => {
                                return Err(self.error_at(RscErrorKind::UnterminatedString, start));
                            }
                            Some(b'"') => {
                                self.bump();
                                break;
                            }
                            Some(b'\\') => {
                                self.bump();
                                self.escape(&mut out)?;
                            }
                            Some(c) => {
                                out.push(c);
                                self.bump();
                            }
                        }
                    }
                }
                _ => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        Ok(Some(match eq {
            Some(i) => {
                let value = out.split_off(i);
                Token {
                    key: Some(out),
                    value,
                    loc,
                }
            }
            None => Token {
                key: None,
                value: out,
                loc,
            },
        }))
    }

    /// Skips the rest of the physical line (a comment).
    fn skip_line(&mut self) {
        while let Some(b) = self.raw() {
            self.pos += 1;
            if b == b'\n' {
                self.start_line();
                return;
            }
        }
    }

    /// Skips leading blanks and returns true when the next thing is a `#` comment.
    fn at_comment(&mut self) -> bool {
        while matches!(self.raw(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.raw() == Some(b'#')
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn line_text(src: &[u8], line: usize) -> String {
    let text = src
        .split(|&b| b == b'\n')
        .nth(line.saturating_sub(1))
        .unwrap_or_default();
    let s = String::from_utf8_lossy(text);
    s.trim_end_matches('\r').chars().take(200).collect()
}

fn to_string(lx: &Lexer<'_>, bytes: Vec<u8>, loc: Loc) -> Result<String, RscError> {
    String::from_utf8(bytes).map_err(|_| lx.error_at(RscErrorKind::InvalidUtf8, loc))
}

/// Parses the modelled sections of a RouterOS script into a [`Config`].
///
/// Values keep their bytes: `\HH` escapes may spell text in any code page, and names and
/// comments that are not UTF-8 are read as they are (see [`Text`]).
pub fn parse(src: &str) -> Result<Config, RscError> {
    parse_bytes(src.as_bytes())
}

/// [`parse`] for a script read as bytes (a file written in a PC's code page, say): bytes that
/// are not UTF-8 are kept in free-text values, and are errors only where a typed value is
/// expected.
pub fn parse_bytes(src: &[u8]) -> Result<Config, RscError> {
    let mut lx = Lexer::new(src);
    if src.len() > MAX_INPUT {
        return Err(lx.error_at(RscErrorKind::TooLarge, lx.loc()));
    }
    let mut cfg = Config::default();
    let mut section: Option<Section> = None;
    loop {
        if lx.raw().is_none() {
            break;
        }
        if lx.at_comment() {
            lx.skip_line();
            continue;
        }
        let mut words = Vec::new();
        while let Some(t) = lx.word()? {
            words.push(t);
        }
        let Some(first) = words.first() else {
            continue;
        };
        let mut rest = &words[..];
        let mut line_section = section;
        if first.key.is_none() && first.value.first() == Some(&b'/') {
            // A path: `/queue simple`, `/ip/firewall/mangle`, maybe followed by a command.
            let mut path: Vec<String> = Vec::new();
            let mut n = 0;
            for t in &words {
                let w = String::from_utf8_lossy(&t.value);
                if t.key.is_some() || (n > 0 && COMMANDS.contains(&w.as_ref())) {
                    break;
                }
                path.extend(w.split('/').filter(|s| !s.is_empty()).map(str::to_owned));
                n += 1;
            }
            line_section = Some(section_of(&path.join(" ")));
            rest = words.get(n..).unwrap_or_default();
            if rest.is_empty() {
                section = line_section;
                continue;
            }
        }
        let Some(cmd) = rest.first() else { continue };
        if cmd.key.is_none() && cmd.value.first() == Some(&b':') {
            continue; // global script commands (`:log`, `:delay`...) are not configuration
        }
        let sec = match line_section {
            Some(s) => s,
            None => return Err(lx.error_at(RscErrorKind::NoSection, cmd.loc)),
        };
        if sec == Section::Other {
            continue;
        }
        let name = String::from_utf8_lossy(&cmd.value).into_owned();
        if cmd.key.is_none()
            && name == "set"
            && matches!(sec, Section::HotspotUserProfile | Section::PppProfile)
        {
            let cmd_loc = cmd.loc;
            let after = words.len() - rest.len() + 1;
            let Some((sel, n)) = words.get(after..).and_then(selector) else {
                return Err(lx.error_at(RscErrorKind::UnsupportedCommand(name), cmd_loc));
            };
            let props = words.drain(after + n..);
            if sec == Section::HotspotUserProfile {
                let item = select_hotspot_profile(&mut cfg.hotspot_user_profiles, &sel)
                    .ok_or_else(|| lx.error_at(no_such(&sel), cmd_loc))?;
                apply_props(&lx, item, props)?;
            } else {
                let item = select_ppp_profile(&mut cfg.ppp_profiles, &sel)
                    .ok_or_else(|| lx.error_at(no_such(&sel), cmd_loc))?;
                let before = item.name.clone();
                apply_props(&lx, item, props)?;
                if item.is_default && item.name != before {
                    let name = before.to_string_lossy().chars().take(40).collect();
                    return Err(lx.error_at(RscErrorKind::BuiltinRename(name), cmd_loc));
                }
            }
            continue;
        }
        if cmd.key.is_some() || name != "add" {
            return Err(lx.error_at(
                RscErrorKind::UnsupportedCommand(name.chars().take(40).collect()),
                cmd.loc,
            ));
        }
        let cmd_loc = cmd.loc;
        let props = words.drain(words.len() - rest.len() + 1..);
        match sec {
            Section::Queue => cfg.queues.push(read_item(&lx, cmd_loc, props)?),
            Section::Layer7 => cfg.layer7_protocols.push(read_item(&lx, cmd_loc, props)?),
            Section::Mangle => cfg.mangle.push(read_item(&lx, cmd_loc, props)?),
            Section::Filter => cfg.filter.push(read_item(&lx, cmd_loc, props)?),
            Section::HotspotUserProfile => cfg
                .hotspot_user_profiles
                .push(read_item(&lx, cmd_loc, props)?),
            Section::HotspotUser => cfg.hotspot_users.push(read_item(&lx, cmd_loc, props)?),
            Section::PppProfile => cfg.ppp_profiles.push(read_item(&lx, cmd_loc, props)?),
            Section::PppSecret => cfg.ppp_secrets.push(read_item(&lx, cmd_loc, props)?),
            Section::QueueTree => cfg.queue_trees.push(read_item(&lx, cmd_loc, props)?),
            Section::QueueType => cfg.queue_types.push(read_item(&lx, cmd_loc, props)?),
            Section::Netwatch => cfg.netwatch.push(read_item(&lx, cmd_loc, props)?),
            Section::Other => {}
        }
    }
    Ok(cfg)
}

fn no_such(sel: &Selector) -> RscErrorKind {
    let name = match sel {
        Selector::Default => "default".to_owned(),
        Selector::DefaultEncryption => "default-encryption".to_owned(),
        Selector::Name(n) => String::from_utf8_lossy(n).chars().take(40).collect(),
    };
    RscErrorKind::NoSuchItem(name)
}

/// The hotspot user profile a `set` addresses; the built-in default one is created when the
/// script has not mentioned it yet.
fn select_hotspot_profile<'a>(
    items: &'a mut Vec<HotspotUserProfile>,
    sel: &Selector,
) -> Option<&'a mut HotspotUserProfile> {
    let found = match sel {
        Selector::Default => items.iter().position(|p| p.is_default),
        Selector::Name(n) => items.iter().position(|p| p.name.as_bytes() == &n[..]),
        Selector::DefaultEncryption => return None,
    };
    let i = match (found, sel) {
        (Some(i), _) => i,
        (None, Selector::Default) => {
            let mut p = HotspotUserProfile::new("default");
            p.is_default = true;
            items.push(p);
            items.len() - 1
        }
        (None, Selector::Name(n))
            if &n[..] == b"default" && !items.iter().any(|p| p.is_default) =>
        {
            let mut p = HotspotUserProfile::new("default");
            p.is_default = true;
            items.push(p);
            items.len() - 1
        }
        _ => return None,
    };
    items.get_mut(i)
}

/// The PPP profile a `set` addresses; the built-in ones are created when the script has not
/// mentioned them yet.
fn select_ppp_profile<'a>(
    items: &'a mut Vec<PppProfile>,
    sel: &Selector,
) -> Option<&'a mut PppProfile> {
    let builtin = match sel {
        Selector::Default => "default",
        Selector::DefaultEncryption => "default-encryption",
        Selector::Name(n) => crate::ppp::BUILTIN_PROFILES
            .into_iter()
            .find(|b| b.as_bytes() == &n[..])
            .unwrap_or(""),
    };
    let found = match sel {
        Selector::Name(n) => items.iter().position(|p| p.name.as_bytes() == &n[..]),
        _ => items
            .iter()
            .position(|p| p.is_default && p.name.as_bytes() == builtin.as_bytes()),
    };
    let i = match found {
        Some(i) => i,
        None if !builtin.is_empty() => {
            items.push(PppProfile::builtin(builtin));
            items.len() - 1
        }
        None => return None,
    };
    items.get_mut(i)
}

fn read_item<T: Item>(
    lx: &Lexer<'_>,
    cmd: Loc,
    props: impl Iterator<Item = Token>,
) -> Result<T, RscError> {
    let mut item = T::default();
    apply_props(lx, &mut item, props)?;
    item.required()
        .map_err(|e| lx.error_at(RscErrorKind::Property(e), cmd))?;
    Ok(item)
}

/// Sets the `key=value` words on an item; `!key` words (unset, in `export verbose`) are
/// skipped.
fn apply_props<T: Item>(
    lx: &Lexer<'_>,
    item: &mut T,
    props: impl Iterator<Item = Token>,
) -> Result<(), RscError> {
    for t in props {
        let Some(key) = t.key else {
            if t.value.len() > 1 && t.value.first() == Some(&b'!') {
                continue;
            }
            return Err(lx.error_at(RscErrorKind::ExpectedProperty, t.loc));
        };
        let key = to_string(lx, key, t.loc)?;
        // Values stay bytes: `\HH` escapes may spell text in any code page.
        let value = t.value;
        if key.starts_with('.') {
            return Err(lx.error_at(RscErrorKind::ExpectedProperty, t.loc));
        }
        if T::read_only(&key) {
            let e = PropertyError::ReadOnly { property: key };
            return Err(lx.error_at(RscErrorKind::Property(e), t.loc));
        }
        item.set_property(&key, &value)
            .map_err(|e| lx.error_at(RscErrorKind::Property(e), t.loc))?;
    }
    Ok(())
}

fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'_' | b':' | b'/' | b',' | b'+' | b'*' | b'@' | b'%'
        )
}

/// Appends `value` as a script value: bare when safe, otherwise quoted with escapes (bytes
/// outside printable ASCII as `\HH`, as RouterOS exports them). The result is ASCII.
fn push_value(out: &mut String, value: &[u8]) {
    if !value.is_empty() && value.iter().all(|&b| is_bare(b)) {
        out.extend(value.iter().map(|&b| char::from(b)));
        return;
    }
    out.push('"');
    for &b in value {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'$' => out.push_str("\\$"),
            b'?' => out.push_str("\\?"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let hex = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
                out.push('\\');
                out.push(hex(b >> 4).to_ascii_uppercase());
                out.push(hex(b & 15).to_ascii_uppercase());
            }
        }
    }
    out.push('"');
}

/// Length of the unit at the start of `rest` that a line break may not split: an escape
/// (`\"`, `\HH`) or one character.
fn unit_len(rest: &[u8]) -> usize {
    match rest {
        [b'\\', n, ..] if n.is_ascii_hexdigit() => 3.min(rest.len()),
        [b'\\', _, ..] => 2,
        _ => 1,
    }
}

/// Appends one `add` line for `props`, wrapped at [`LINE_WIDTH`].
fn render_add(out: &mut String, props: &[(String, Text)]) {
    render_command(out, "add", props);
}

/// Appends `head` (`add`, `set *0`...) and `props`, wrapped at [`LINE_WIDTH`].
fn render_command(out: &mut String, head: &str, props: &[(String, Text)]) {
    let mut cur = String::from(head);
    let mut token = String::new();
    let n = props.len();
    for (i, (k, v)) in props.iter().enumerate() {
        token.clear();
        token.push_str(k);
        token.push('=');
        push_value(&mut token, v.as_bytes());
        let limit = if i + 1 == n {
            LINE_WIDTH
        } else {
            LINE_WIDTH - 2
        };
        if cur.len() + 1 + token.len() <= limit {
            cur.push(' ');
            cur.push_str(&token);
            continue;
        }
        out.push_str(&cur);
        out.push_str(" \\\n");
        cur.clear();
        cur.push_str("    ");
        if cur.len() + token.len() <= limit {
            cur.push_str(&token);
            continue;
        }
        // Too long for a line: split inside the token, never before a blank (a continuation
        // drops the next line's leading blanks) and never inside an escape.
        let bytes = token.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let rest = bytes.get(at..).unwrap_or_default();
            let len = unit_len(rest);
            if cur.len() + len > LINE_WIDTH - 1 && cur.len() > 4 && rest.first() != Some(&b' ') {
                out.push_str(&cur);
                out.push_str("\\\n");
                cur.clear();
                cur.push_str("    ");
            }
            // The token is ASCII, so every byte boundary is a char boundary.
            cur.push_str(token.get(at..at + len).unwrap_or_default());
            at += len;
        }
    }
    out.push_str(&cur);
    out.push('\n');
}

fn render_section<T: Item>(out: &mut String, header: &str, items: &[T]) {
    if items.is_empty() {
        return;
    }
    out.push_str(header);
    out.push('\n');
    for item in items {
        render_add(out, &item.properties());
    }
}

/// Appends one `set SELECTOR` line for `props`, wrapped like [`render_add`].
fn render_set(out: &mut String, selector: &str, props: &[(String, Text)]) {
    render_command(out, &format!("set {selector}"), props);
}

/// Renders a configuration as an export-style script: sections in `/export` order, one `add`
/// per item with only non-default properties, keys in alphabetical order, quoting only where
/// needed, lines wrapped at 80 columns with `\` and a four-space indent. Built-in profiles are
/// written as `set` lines (`set [ find default=yes ]`, `set *0`, `set *FFFFFFFE`).
pub fn render(config: &Config) -> String {
    let mut out = String::new();
    render_section::<QueueType>(&mut out, "/queue type", &config.queue_types);
    if !config.hotspot_user_profiles.is_empty() {
        out.push_str("/ip hotspot user profile\n");
        for p in &config.hotspot_user_profiles {
            if p.is_default {
                render_set(&mut out, "[ find default=yes ]", &p.properties());
            } else {
                render_add(&mut out, &p.properties());
            }
        }
    }
    if !config.ppp_profiles.is_empty() {
        out.push_str("/ppp profile\n");
        for p in &config.ppp_profiles {
            match (p.is_default, p.name == "default-encryption") {
                (true, true) => render_set(&mut out, "*FFFFFFFE", &p.properties()),
                (true, false) => render_set(&mut out, "*0", &p.properties()),
                _ => render_add(&mut out, &p.properties()),
            }
        }
    }
    render_section(
        &mut out,
        "/ip firewall layer7-protocol",
        &config.layer7_protocols,
    );
    render_section::<FirewallRule>(&mut out, "/ip firewall filter", &config.filter);
    render_section::<FirewallRule>(&mut out, "/ip firewall mangle", &config.mangle);
    render_section::<SimpleQueue>(&mut out, "/queue simple", &config.queues);
    render_section::<QueueTree>(&mut out, "/queue tree", &config.queue_trees);
    render_section(&mut out, "/ip hotspot user", &config.hotspot_users);
    render_section(&mut out, "/ppp secret", &config.ppp_secrets);
    render_section(&mut out, "/tool netwatch", &config.netwatch);
    out
}

/// Renders one queue as an `add` line (no section header).
pub fn render_queue(q: &SimpleQueue) -> String {
    let mut out = String::new();
    render_add(&mut out, &q.properties());
    out
}

/// Renders one Layer 7 protocol as an `add` line (no section header).
pub fn render_layer7(p: &Layer7Protocol) -> String {
    let mut out = String::new();
    render_add(&mut out, &p.properties());
    out
}

/// Quotes and escapes a value the way [`render`] does (bare when safe; bytes that are not
/// printable ASCII as `\HH`).
pub fn quote(value: impl AsRef<[u8]>) -> String {
    let mut out = String::new();
    push_value(&mut out, value.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_with_continuations_and_escapes() {
        let src = "# jan/02/2025 by RouterOS 7.16\n\
/interface bridge\n\
add name=bridge1\n\
/ip/firewall/layer7-protocol\n\
add name=tiktok regexp=\"^.+(tiktok|byte\\\n    dance).*\\$\"\n\
/ip firewall mangle\n\
add action=mark-connection chain=prerouting layer7-protocol=tiktok \\\n    new-connection-mark=tt passthrough=yes\n\
add action=mark-packet chain=prerouting connection-mark=tt new-packet-mark=tt-p \\\n    passthrough=no\n\
/queue simple\n\
add comment=\"caf\\C3\\A9 \\\"x\\\" \\_y\\n\" max-limit=2M/5M name=q1 target=192.168.1.0/24,ether3 \\\n    unknown-prop=abc\n";
        let cfg = parse(src).unwrap();
        assert_eq!(cfg.layer7_protocols[0].regexp, "^.+(tiktok|bytedance).*$");
        assert_eq!(cfg.mangle.len(), 2);
        assert!(!cfg.mangle[1].passthrough);
        assert_eq!(
            cfg.mangle[0].layer7_protocol.as_deref(),
            Some(&b"tiktok"[..])
        );
        let q = &cfg.queues[0];
        assert_eq!(q.comment.as_deref(), Some("café \"x\"  y\n".as_bytes()));
        assert_eq!(q.target.len(), 2);
        assert_eq!(q.extra, vec![("unknown-prop".into(), "abc".into())]);
        assert_eq!(parse(&render(&cfg)).unwrap(), cfg);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("/queue simple\nadd name=a max-limit=fast target=1.2.3.4\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 12));
        assert_eq!(e.kind.to_string(), "invalid value for argument max-limit");
        assert!(e.to_string().contains("           ^"), "{e}");
        let e = parse("/queue simple\nadd name=\"abc\n").unwrap_err();
        assert_eq!(e.kind, RscErrorKind::UnterminatedString);
        let e = parse("/queue simple\nset 0 name=x\n").unwrap_err();
        assert!(matches!(e.kind, RscErrorKind::UnsupportedCommand(_)));
        let e = parse("/queue simple\nadd target=1.2.3.4\n").unwrap_err();
        assert_eq!(e.kind.to_string(), "missing value(s) of argument(s) name");
        assert!(parse("/queue simple\nadd name=\"\\ZZ\"").is_err());
        // bytes that are not UTF-8 are kept, not refused
        let cfg = parse("/queue simple\nadd name=\"q\\FF\\FE\" target=1.2.3.4").unwrap();
        assert_eq!(cfg.queues[0].name.as_bytes(), b"q\xff\xfe");
        assert!(
            render(&cfg).contains(r#"name="q\FF\FE""#),
            "{}",
            render(&cfg)
        );
    }

    #[test]
    fn long_values_wrap_and_come_back() {
        let mut cfg = Config::default();
        let mut q = SimpleQueue::new("x", "10.0.0.1".parse().unwrap());
        q.comment = Some(format!("{} end", "word ".repeat(40)).into());
        cfg.queues.push(q);
        let text = render(&cfg);
        assert!(text.lines().all(|l| l.len() <= LINE_WIDTH), "{text}");
        assert!(text.lines().count() > 2);
        assert_eq!(parse(&text).unwrap(), cfg);
    }
}
