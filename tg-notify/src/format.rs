//! Escaping, a small message builder, Telegram's length rule and message splitting.
//!
//! Telegram limits a message to 4,096 characters *after entity parsing*, counted in UTF-16
//! code units: markup (`<b>`, `*`, `\`) does not count, an emoji outside the Basic
//! Multilingual Plane counts twice.

use crate::types::ParseMode;

/// Telegram's limit on the rendered length of one message, in UTF-16 code units.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Deepest nesting of tags or markers tracked; deeper markup is not valid Telegram markup.
pub const MAX_NESTING: usize = 16;

/// Markup that Telegram would refuse (`can't parse entities`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("can't parse entities: {message} at byte offset {offset}")]
#[non_exhaustive]
pub struct EntityError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the input.
    pub offset: usize,
}

fn entity_err(message: impl Into<String>, offset: usize) -> EntityError {
    EntityError {
        message: message.into(),
        offset,
    }
}

/// Length of a plain string the way Telegram counts it (UTF-16 code units).
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// HTML parse mode helpers.
pub mod html {
    use super::{entity_err, EntityError, MAX_NESTING};

    /// Escapes `&`, `<`, `>` and `"` so the text shows literally (also safe in attribute values).
    ///
    /// ```
    /// assert_eq!(tg_notify::html::escape("a<b && c>\"d\""), "a&lt;b &amp;&amp; c&gt;&quot;d&quot;");
    /// ```
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
        out
    }

    /// Tags Telegram accepts.
    pub const TAGS: &[&str] = &[
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ];

    /// Decodes one entity starting at `&` (`s` begins with `&`): returns the character and the
    /// entity's byte length, or `None` if it is not an entity Telegram knows.
    pub(crate) fn decode_entity(s: &str) -> Option<(char, usize)> {
        let end = s.bytes().take(12).position(|b| b == b';')?;
        let body = s.get(1..end)?;
        let ch = match body {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            _ => {
                let num = body.strip_prefix('#')?;
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => num.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        Some((ch, end + 1))
    }

    /// Parses HTML markup like Telegram does and returns the text users see, or the error
    /// Telegram would answer with (unknown tag, unbalanced tags, bare `<`).
    pub fn to_plain(text: &str) -> Result<String, EntityError> {
        let mut out = String::with_capacity(text.len());
        let mut stack: Vec<&str> = Vec::new();
        let mut i = 0;
        while let Some(rest) = text.get(i..) {
            let Some(ch) = rest.chars().next() else { break };
            match ch {
                '<' => {
                    let end = rest
                        .find('>')
                        .ok_or_else(|| entity_err("unclosed start tag", i))?;
                    let inner = rest.get(1..end).unwrap_or("");
                    let (closing, inner) = match inner.strip_prefix('/') {
                        Some(n) => (true, n),
                        None => (false, inner),
                    };
                    let name_end = inner
                        .find(|c: char| c.is_whitespace())
                        .unwrap_or(inner.len());
                    let name = inner.get(..name_end).unwrap_or("");
                    if !TAGS.contains(&name) {
                        return Err(entity_err(format!("unsupported tag \"{name}\""), i));
                    }
                    if closing {
                        if stack.pop() != Some(name) {
                            return Err(entity_err(
                                format!("can't find start tag corresponding to end tag \"{name}\""),
                                i,
                            ));
                        }
                    } else {
                        if stack.len() >= MAX_NESTING {
                            return Err(entity_err("entities nested too deeply", i));
                        }
                        stack.push(name);
                    }
                    i += end + 1;
                }
                '&' => match decode_entity(rest) {
                    Some((c, len)) => {
                        out.push(c);
                        i += len;
                    }
                    None => {
                        out.push('&');
                        i += 1;
                    }
                },
                c => {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if let Some(open) = stack.last() {
            return Err(entity_err(
                format!("can't find end tag corresponding to start tag \"{open}\""),
                text.len(),
            ));
        }
        Ok(out)
    }
}

/// MarkdownV2 parse mode helpers.
pub mod markdown_v2 {
    use super::{entity_err, EntityError, MAX_NESTING};

    /// The 18 characters that must be escaped outside entities (plus `\` itself).
    pub const SPECIAL: &[char] = &[
        '_', '*', '[', ']', '(', ')', '~', '`', '>', '#', '+', '-', '=', '|', '{', '}', '.', '!',
    ];

    fn escape_set(text: &str, set: &[char]) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        for ch in text.chars() {
            if ch == '\\' || set.contains(&ch) {
                out.push('\\');
            }
            out.push(ch);
        }
        out
    }

    /// Escapes ordinary text: the 18 special characters and `\`.
    ///
    /// ```
    /// assert_eq!(tg_notify::markdown_v2::escape("ether1-gw is down (2.5s)!"),
    ///            r"ether1\-gw is down \(2\.5s\)\!");
    /// ```
    pub fn escape(text: &str) -> String {
        escape_set(text, SPECIAL)
    }

    /// Escapes text inside `` `code` `` and ```` ```pre``` ````: only `` ` `` and `\`.
    pub fn escape_code(text: &str) -> String {
        escape_set(text, &['`'])
    }

    /// Escapes the URL part of `[text](url)`: only `)` and `\`.
    pub fn escape_link_url(text: &str) -> String {
        escape_set(text, &[')'])
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Marker {
        Bold,
        Italic,
        Underline,
        Strike,
        Spoiler,
        LinkText,
    }

    /// Parses MarkdownV2 like Telegram does and returns the text users see, or the error
    /// Telegram would answer with (a reserved character not escaped, an entity not closed).
    pub fn to_plain(text: &str) -> Result<String, EntityError> {
        let mut out = String::with_capacity(text.len());
        let mut stack: Vec<Marker> = Vec::new();
        let mut i = 0;
        let mut line_start = true;
        while let Some(rest) = text.get(i..) {
            let Some(ch) = rest.chars().next() else { break };
            let at_line_start = line_start;
            line_start = ch == '\n';
            match ch {
                '\\' => {
                    let next = rest.get(1..).and_then(|r| r.chars().next());
                    match next {
                        Some(c) if (c as u32) >= 1 && (c as u32) <= 126 => {
                            out.push(c);
                            i += 1 + c.len_utf8();
                        }
                        _ => return Err(entity_err("invalid escape", i)),
                    }
                }
                '`' => {
                    let pre = rest.starts_with("```");
                    let fence = if pre { 3 } else { 1 };
                    let mut j = i + fence;
                    if pre {
                        // optional language up to the end of the first line
                        let body = text.get(j..).unwrap_or("");
                        if let Some(nl) = body.find('\n') {
                            let lang = body.get(..nl).unwrap_or("");
                            if !lang.contains('`') {
                                j += nl + 1;
                            }
                        }
                    }
                    let mut closed = false;
                    while let Some(r) = text.get(j..) {
                        let Some(c) = r.chars().next() else { break };
                        if c == '\\' {
                            match r.get(1..).and_then(|x| x.chars().next()) {
                                Some(e @ ('`' | '\\')) => {
                                    out.push(e);
                                    j += 2;
                                }
                                _ => return Err(entity_err("invalid escape in code", j)),
                            }
                        } else if c == '`' {
                            if pre && !r.starts_with("```") {
                                return Err(entity_err("unescaped ` in pre", j));
                            }
                            j += fence;
                            closed = true;
                            break;
                        } else {
                            out.push(c);
                            j += c.len_utf8();
                        }
                    }
                    if !closed {
                        return Err(entity_err("can't find end of code entity", i));
                    }
                    i = j;
                }
                '*' | '_' | '~' | '|' => {
                    let (marker, len) = match ch {
                        '*' => (Marker::Bold, 1),
                        '~' => (Marker::Strike, 1),
                        '_' if rest.starts_with("__") => (Marker::Underline, 2),
                        '_' => (Marker::Italic, 1),
                        _ if rest.starts_with("||") => (Marker::Spoiler, 2),
                        _ => return Err(entity_err("character '|' is reserved", i)),
                    };
                    if stack.last() == Some(&marker) {
                        stack.pop();
                    } else if stack.contains(&marker) {
                        return Err(entity_err("entities overlap", i));
                    } else {
                        if stack.len() >= MAX_NESTING {
                            return Err(entity_err("entities nested too deeply", i));
                        }
                        stack.push(marker);
                    }
                    i += len;
                }
                '[' => {
                    if stack.len() >= MAX_NESTING {
                        return Err(entity_err("entities nested too deeply", i));
                    }
                    stack.push(Marker::LinkText);
                    i += 1;
                }
                ']' => {
                    if stack.last() != Some(&Marker::LinkText) {
                        return Err(entity_err("character ']' is reserved", i));
                    }
                    stack.pop();
                    if !rest.starts_with("](") {
                        return Err(entity_err("expected ( after ]", i));
                    }
                    let mut j = i + 2;
                    let mut closed = false;
                    while let Some(r) = text.get(j..) {
                        let Some(c) = r.chars().next() else { break };
                        match c {
                            '\\' => match r.get(1..).and_then(|x| x.chars().next()) {
                                Some(')' | '\\') => j += 2,
                                _ => return Err(entity_err("invalid escape in link URL", j)),
                            },
                            ')' => {
                                j += 1;
                                closed = true;
                                break;
                            }
                            c => j += c.len_utf8(),
                        }
                    }
                    if !closed {
                        return Err(entity_err("can't find end of link URL", i));
                    }
                    i = j;
                }
                '>' if at_line_start => i += 1,
                c if SPECIAL.contains(&c) => {
                    return Err(entity_err(
                        format!(
                        "character '{c}' is reserved and must be escaped with the preceding '\\'"
                    ),
                        i,
                    ))
                }
                c => {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !stack.is_empty() {
            return Err(entity_err("can't find end of the entity", text.len()));
        }
        Ok(out)
    }
}

/// Escapes `text` for `mode` (plain text is returned unchanged).
pub fn escape(text: &str, mode: ParseMode) -> String {
    match mode {
        ParseMode::Html => html::escape(text),
        ParseMode::MarkdownV2 => markdown_v2::escape(text),
        _ => text.to_owned(),
    }
}

/// Builds a formatted message from pieces, escaping each for the chosen mode.
///
/// ```
/// use tg_notify::{MessageBuilder, ParseMode};
/// let mut b = MessageBuilder::new(ParseMode::MarkdownV2);
/// b.bold("router1.example").text(" is down: ").code("ether1-gw");
/// assert_eq!(b.build(), r"*router1\.example* is down: `ether1-gw`");
/// ```
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    mode: ParseMode,
    out: String,
}

impl MessageBuilder {
    /// An empty message in `mode`.
    pub fn new(mode: ParseMode) -> Self {
        MessageBuilder {
            mode,
            out: String::new(),
        }
    }

    /// The parse mode.
    pub fn mode(&self) -> ParseMode {
        self.mode
    }

    /// Appends escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text, self.mode));
        self
    }

    /// Appends a line break.
    pub fn line(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// Appends markup as is (the caller guarantees it is valid for the mode).
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Appends bold text.
    pub fn bold(&mut self, text: &str) -> &mut Self {
        match self.mode {
            ParseMode::Html => {
                self.out.push_str("<b>");
                self.out.push_str(&html::escape(text));
                self.out.push_str("</b>");
            }
            ParseMode::MarkdownV2 => {
                self.out.push('*');
                self.out.push_str(&markdown_v2::escape(text));
                self.out.push('*');
            }
            _ => self.out.push_str(text),
        }
        self
    }

    /// Appends inline code.
    pub fn code(&mut self, text: &str) -> &mut Self {
        match self.mode {
            ParseMode::Html => {
                self.out.push_str("<code>");
                self.out.push_str(&html::escape(text));
                self.out.push_str("</code>");
            }
            ParseMode::MarkdownV2 => {
                self.out.push('`');
                self.out.push_str(&markdown_v2::escape_code(text));
                self.out.push('`');
            }
            _ => self.out.push_str(text),
        }
        self
    }

    /// Appends a link; in plain mode, `text (url)`.
    pub fn link(&mut self, text: &str, url: &str) -> &mut Self {
        match self.mode {
            ParseMode::Html => {
                self.out.push_str("<a href=\"");
                self.out.push_str(&html::escape(url));
                self.out.push_str("\">");
                self.out.push_str(&html::escape(text));
                self.out.push_str("</a>");
            }
            ParseMode::MarkdownV2 => {
                self.out.push('[');
                self.out.push_str(&markdown_v2::escape(text));
                self.out.push_str("](");
                self.out.push_str(&markdown_v2::escape_link_url(url));
                self.out.push(')');
            }
            _ => {
                self.out.push_str(text);
                self.out.push_str(" (");
                self.out.push_str(url);
                self.out.push(')');
            }
        }
        self
    }

    /// The markup built so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The finished markup.
    pub fn build(&self) -> String {
        self.out.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient tokenizer used for measuring and splitting.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brk {
    None,
    Word,
    Line,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Visible text (a character, an escape, an HTML entity, or an atomic link).
    Text(Brk),
    /// Opens a span; `close` is the markup that ends it.
    Open { close: String },
    /// Ends the innermost span.
    Close,
}

#[derive(Debug, Clone)]
struct Atom {
    start: usize,
    end: usize,
    width: usize,
    kind: Kind,
}

fn text_atom(start: usize, ch: char, width: usize) -> Atom {
    let brk = match ch {
        '\n' => Brk::Line,
        ' ' | '\t' => Brk::Word,
        _ => Brk::None,
    };
    Atom {
        start,
        end: start + ch.len_utf8(),
        width,
        kind: Kind::Text(brk),
    }
}

fn tokenize_plain(text: &str) -> Vec<Atom> {
    text.char_indices()
        .map(|(i, c)| text_atom(i, c, c.len_utf16()))
        .collect()
}

fn tokenize_html(text: &str) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut i = 0;
    while let Some(rest) = text.get(i..) {
        let Some(ch) = rest.chars().next() else { break };
        if ch == '<' {
            if let Some(end) = rest.find('>') {
                let inner = rest.get(1..end).unwrap_or("");
                let kind = if inner.starts_with('/') {
                    Kind::Close
                } else {
                    let name_end = inner
                        .find(|c: char| c.is_whitespace())
                        .unwrap_or(inner.len());
                    let name = inner.get(..name_end).unwrap_or("");
                    Kind::Open {
                        close: format!("</{name}>"),
                    }
                };
                atoms.push(Atom {
                    start: i,
                    end: i + end + 1,
                    width: 0,
                    kind,
                });
                i += end + 1;
                continue;
            }
        }
        if ch == '&' {
            if let Some((c, len)) = html::decode_entity(rest) {
                atoms.push(Atom {
                    start: i,
                    end: i + len,
                    width: c.len_utf16(),
                    kind: Kind::Text(Brk::None),
                });
                i += len;
                continue;
            }
        }
        atoms.push(text_atom(i, ch, ch.len_utf16()));
        i += ch.len_utf8();
    }
    atoms
}

/// Visible width of MarkdownV2 link text (escapes count once, markers not at all).
fn md_inner_width(inner: &str) -> usize {
    let mut width = 0;
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            width += c.len_utf16();
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if !matches!(c, '*' | '_' | '~' | '|' | '`') {
            width += c.len_utf16();
        }
    }
    width
}

/// End (exclusive) of `[text](url)` starting at `[`, if well formed within `limit` bytes.
fn md_link_end(rest: &str, limit: usize) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let mut escaped = false;
    let mut close_bracket = None;
    for (j, c) in chars.by_ref() {
        if j > limit {
            return None;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '[' {
            return None;
        } else if c == ']' {
            close_bracket = Some(j);
            break;
        }
    }
    let cb = close_bracket?;
    if !rest.get(cb..)?.starts_with("](") {
        return None;
    }
    let mut escaped = false;
    for (j, c) in rest.get(cb + 2..)?.char_indices() {
        if cb + 2 + j > limit {
            return None;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ')' {
            return Some(cb + 2 + j + 1);
        }
    }
    None
}

fn tokenize_markdown(text: &str) -> Vec<Atom> {
    let mut atoms = Vec::new();
    // open markers, innermost last: (closing markup, is code)
    let mut open: Vec<bool> = Vec::new();
    let mut open_marks: Vec<String> = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while let Some(rest) = text.get(i..) {
        let Some(ch) = rest.chars().next() else { break };
        let at_line_start = line_start;
        line_start = ch == '\n';
        let in_code = open.last().copied().unwrap_or(false);
        if ch == '\\' {
            let next = rest.get(1..).and_then(|r| r.chars().next());
            let (len, width) = match next {
                Some(c) => (1 + c.len_utf8(), c.len_utf16()),
                None => (1, 1),
            };
            atoms.push(Atom {
                start: i,
                end: i + len,
                width,
                kind: Kind::Text(Brk::None),
            });
            i += len;
            continue;
        }
        if in_code {
            let fence = open_marks.last().map(String::as_str).unwrap_or("`");
            if rest.starts_with(fence) {
                atoms.push(Atom {
                    start: i,
                    end: i + fence.len(),
                    width: 0,
                    kind: Kind::Close,
                });
                i += fence.len();
                open.pop();
                open_marks.pop();
            } else {
                atoms.push(text_atom(i, ch, ch.len_utf16()));
                i += ch.len_utf8();
            }
            continue;
        }
        let marker: Option<(&str, bool)> = if rest.starts_with("```") {
            Some(("```", true))
        } else if ch == '`' {
            Some(("`", true))
        } else if rest.starts_with("__") {
            Some(("__", false))
        } else if rest.starts_with("||") {
            Some(("||", false))
        } else if matches!(ch, '*' | '_' | '~') {
            Some((rest.get(..1).unwrap_or("*"), false))
        } else {
            None
        };
        if let Some((mark, code)) = marker {
            if !code && open_marks.last().map(String::as_str) == Some(mark) {
                atoms.push(Atom {
                    start: i,
                    end: i + mark.len(),
                    width: 0,
                    kind: Kind::Close,
                });
                open.pop();
                open_marks.pop();
                i += mark.len();
                continue;
            }
            let mut end = i + mark.len();
            if mark == "```" {
                // the language line belongs to the opening marker
                if let Some(nl) = text.get(end..).and_then(|r| r.find('\n')) {
                    let lang = text.get(end..end + nl).unwrap_or("");
                    if !lang.contains('`') && !lang.contains(' ') {
                        end += nl + 1;
                    }
                }
            }
            if open.len() < MAX_NESTING {
                open.push(code);
                open_marks.push(mark.to_owned());
                atoms.push(Atom {
                    start: i,
                    end,
                    width: 0,
                    kind: Kind::Open {
                        close: mark.to_owned(),
                    },
                });
            }
            i = end;
            continue;
        }
        if ch == '[' {
            if let Some(len) = md_link_end(rest, 2048) {
                let cb = rest.get(..len).and_then(|l| l.rfind("](")).unwrap_or(0);
                let inner = rest.get(1..cb).unwrap_or("");
                atoms.push(Atom {
                    start: i,
                    end: i + len,
                    width: md_inner_width(inner),
                    kind: Kind::Text(Brk::None),
                });
                i += len;
                continue;
            }
        }
        if ch == '>' && at_line_start {
            atoms.push(Atom {
                start: i,
                end: i + 1,
                width: 0,
                kind: Kind::Text(Brk::None),
            });
            i += 1;
            continue;
        }
        atoms.push(text_atom(i, ch, ch.len_utf16()));
        i += ch.len_utf8();
    }
    atoms
}

fn tokenize(text: &str, mode: ParseMode) -> Vec<Atom> {
    match mode {
        ParseMode::Html => tokenize_html(text),
        ParseMode::MarkdownV2 => tokenize_markdown(text),
        _ => tokenize_plain(text),
    }
}

/// Length of `text` as Telegram counts it after parsing `mode` markup (UTF-16 code units of
/// the visible text). Lenient: malformed markup is measured as well as it can be.
///
/// ```
/// use tg_notify::{rendered_len, ParseMode};
/// assert_eq!(rendered_len("<b>a&amp;b</b>", ParseMode::Html), 3);
/// assert_eq!(rendered_len(r"*1\.5* 🚀", ParseMode::MarkdownV2), 6);
/// ```
pub fn rendered_len(text: &str, mode: ParseMode) -> usize {
    tokenize(text, mode).iter().map(|a| a.width).sum()
}

/// Splits `text` into messages of at most [`MAX_MESSAGE_LEN`] rendered UTF-16 units each, with
/// `(1/3)` markers; see [`split_with_limit`].
pub fn split(text: &str, mode: ParseMode) -> Vec<String> {
    split_with_limit(text, mode, MAX_MESSAGE_LEN)
}

fn marker(i: usize, n: usize, mode: ParseMode) -> String {
    match mode {
        ParseMode::MarkdownV2 => format!("\n\\({i}/{n}\\)"),
        _ => format!("\n({i}/{n})"),
    }
}

/// Splits `text` so that every part, marker included, renders to at most `limit` UTF-16 units.
///
/// Cuts at a paragraph break, else a line break, else a space, else between characters; never
/// inside an escape, an HTML entity, a link or a surrogate pair. Spans open at a cut are closed
/// at the end of the part and reopened at the start of the next, so each part is valid markup
/// on its own. A text that fits is returned unchanged as the only part; otherwise every part
/// ends with a `(i/n)` line. `limit` below 32 is raised to 32.
pub fn split_with_limit(text: &str, mode: ParseMode, limit: usize) -> Vec<String> {
    let limit = limit.max(32);
    let atoms = tokenize(text, mode);
    let total: usize = atoms.iter().map(|a| a.width).sum();
    if total <= limit {
        return vec![text.to_owned()];
    }
    // Reserve room for the marker; grow the reservation if the part count needs more digits.
    let mut reserve = 8;
    loop {
        let budget = limit.saturating_sub(reserve);
        let ranges = cut(&atoms, budget);
        let n = ranges.len();
        let need = utf16_len(&marker(n, n, ParseMode::Plain));
        if need <= reserve {
            return render_parts(text, &atoms, &ranges, mode);
        }
        reserve = need;
    }
}

/// Atom index ranges of each part.
fn cut(atoms: &[Atom], budget: usize) -> Vec<(usize, usize)> {
    let budget = budget.max(1);
    let mut parts = Vec::new();
    let mut start = 0;
    while start < atoms.len() {
        // skip leading line breaks and spaces
        while let Some(a) = atoms.get(start) {
            if matches!(a.kind, Kind::Text(Brk::Line | Brk::Word)) {
                start += 1;
            } else {
                break;
            }
        }
        if start >= atoms.len() {
            break;
        }
        let mut width = 0;
        let mut end = start;
        let (mut para, mut line, mut word) = (None, None, None);
        let mut overflow = false;
        while let Some(a) = atoms.get(end) {
            if width + a.width > budget {
                overflow = true;
                break;
            }
            if let Kind::Text(brk) = a.kind {
                let good = width >= budget / 4;
                match brk {
                    Brk::Line if good => {
                        let prev_nl = end > start
                            && atoms
                                .get(end - 1)
                                .is_some_and(|p| matches!(p.kind, Kind::Text(Brk::Line)));
                        if prev_nl {
                            para = Some(end - 1);
                        }
                        line = Some(end);
                    }
                    Brk::Word if good => word = Some(end),
                    _ => {}
                }
            }
            width += a.width;
            end += 1;
        }
        if !overflow {
            parts.push((start, atoms.len()));
            break;
        }
        let mut stop = para.or(line).or(word).unwrap_or(end);
        if stop <= start {
            // a single atom wider than the budget: take it alone
            stop = start + 1;
        }
        parts.push((start, stop));
        start = stop;
    }
    parts
}

fn render_parts(
    text: &str,
    atoms: &[Atom],
    ranges: &[(usize, usize)],
    mode: ParseMode,
) -> Vec<String> {
    let n = ranges.len();
    let mut out = Vec::with_capacity(n);
    // spans open at the start of the current part: (opening markup, closing markup)
    let mut open: Vec<(String, String)> = Vec::new();
    for (idx, &(s, e)) in ranges.iter().enumerate() {
        let mut part = String::new();
        for (opening, _) in &open {
            part.push_str(opening);
        }
        // trailing whitespace of a part is dropped
        let mut last = e;
        while last > s
            && atoms
                .get(last - 1)
                .is_some_and(|a| matches!(a.kind, Kind::Text(Brk::Line | Brk::Word)))
        {
            last -= 1;
        }
        for (k, a) in atoms.iter().enumerate().take(e).skip(s) {
            match &a.kind {
                Kind::Open { close } => {
                    open.push((
                        text.get(a.start..a.end).unwrap_or("").to_owned(),
                        close.clone(),
                    ));
                }
                Kind::Close => {
                    open.pop();
                }
                Kind::Text(_) => {}
            }
            let whitespace_tail = k >= last && matches!(a.kind, Kind::Text(_));
            if !whitespace_tail {
                part.push_str(text.get(a.start..a.end).unwrap_or(""));
            }
        }
        for (_, close) in open.iter().rev() {
            if close == "```" && !part.ends_with('\n') {
                part.push('\n');
            }
            part.push_str(close);
        }
        part.push_str(&marker(idx + 1, n, mode));
        out.push(part);
    }
    out
}
