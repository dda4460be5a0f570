//! WhatsApp text: markup, length, splitting, and flattening for template parameters.
//!
//! WhatsApp's markup is `*bold*`, `_italic_`, `~strikethrough~`, `` `inline code` `` and
//! ```` ```monospace``` ```` blocks, `- ` bullets and `> ` quotes; there is no HTML, no
//! headings, no links and no escape syntax. Lengths are counted here in UTF-16 units, which is
//! never less than the characters WhatsApp counts, so a part that fits here fits there.
//!
//! ```
//! use wa_notify::format::{flatten, split, Markup, MAX_TEXT_LEN};
//!
//! let mut m = Markup::new();
//! m.bold("core-sw1").text(" ether1 down").line().bullet("since 10:42");
//! assert_eq!(m.build(), "*core-sw1* ether1 down\n- since 10:42");
//!
//! // template parameters may not contain newlines, tabs or runs of 4+ spaces
//! assert_eq!(flatten("r1 down\n\tping    lost\n\n"), "r1 down | ping lost");
//!
//! let parts = split(&"a line\n".repeat(1000), MAX_TEXT_LEN);
//! assert_eq!(parts.len(), 2);
//! assert!(parts[0].ends_with("(1/2)"));
//! ```

/// Longest text message body (Cloud API `text.body`).
pub const MAX_TEXT_LEN: usize = 4096;

/// Longest template body after its parameters are filled in.
pub const MAX_TEMPLATE_BODY: usize = 1024;

/// Characters that open or close WhatsApp formatting.
const MARKERS: [char; 4] = ['*', '_', '~', '`'];

/// Length as counted here: UTF-16 code units (an upper bound of what WhatsApp counts).
pub fn text_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Makes `text` show literally: formatting characters that stand where they could open or
/// close formatting (at the start or end of a word) get a zero-width space after or before
/// them, which stops WhatsApp from pairing them. Characters inside words (`ether1_wan`,
/// `a*b`) are left untouched, so identifiers stay copyable.
///
/// WhatsApp documents no escape syntax; this is a best effort.
///
/// ```
/// use wa_notify::format::escape;
/// assert_eq!(escape("ether1_wan"), "ether1_wan");
/// assert_ne!(escape("*not bold*"), "*not bold*");
/// assert_eq!(escape("*not bold*").replace('\u{200B}', ""), "*not bold*");
/// ```
pub fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if MARKERS.contains(&c) {
            let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let after = chars.get(i + 1).copied();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let opens = !word(before) && after.is_some_and(|a| !a.is_whitespace());
            let closes = !word(after) && before.is_some_and(|b| !b.is_whitespace());
            if closes && !opens {
                out.push('\u{200B}');
                out.push(c);
            } else if opens {
                out.push(c);
                out.push('\u{200B}');
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A message in WhatsApp markup, built piece by piece; text pieces are [`escape`]d.
///
/// ```
/// use wa_notify::format::Markup;
/// let mut m = Markup::new();
/// m.bold("Queues").line().table(&["name", "rate"], &[vec!["wifi-1".into(), "3.2M".into()]]);
/// assert_eq!(m.build(), "*Queues*\n```\nname    rate\nwifi-1  3.2M\n```");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup {
    buf: String,
}

impl Markup {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Plain text, escaped.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.buf.push_str(&escape(s));
        self
    }

    /// Markup written by the caller, not escaped.
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.push_str(s);
        self
    }

    fn wrap(&mut self, marker: char, s: &str) -> &mut Self {
        let inner = escape(s.trim());
        if inner.is_empty() {
            return self;
        }
        self.buf.push(marker);
        self.buf.push_str(&inner);
        self.buf.push(marker);
        self
    }

    /// `*bold*` (surrounding whitespace is moved out: WhatsApp needs the markers next to text).
    pub fn bold(&mut self, s: &str) -> &mut Self {
        self.wrap('*', s)
    }

    /// `_italic_`.
    pub fn italic(&mut self, s: &str) -> &mut Self {
        self.wrap('_', s)
    }

    /// `~strikethrough~`.
    pub fn strike(&mut self, s: &str) -> &mut Self {
        self.wrap('~', s)
    }

    /// `` `inline code` `` (backticks inside are replaced by `'`).
    pub fn code(&mut self, s: &str) -> &mut Self {
        let inner = s.replace('`', "'");
        if !inner.trim().is_empty() {
            self.buf.push('`');
            self.buf.push_str(&inner);
            self.buf.push('`');
        }
        self
    }

    /// A ```` ``` ```` monospace block on its own lines (a ```` ``` ```` inside is broken up).
    pub fn mono_block(&mut self, s: &str) -> &mut Self {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
        self.buf.push_str("```\n");
        self.buf.push_str(
            s.trim_end_matches('\n')
                .replace("```", "`\u{200B}``")
                .as_str(),
        );
        self.buf.push_str("\n```");
        self
    }

    /// A line break.
    pub fn line(&mut self) -> &mut Self {
        self.buf.push('\n');
        self
    }

    /// A `- ` bullet line (starts a new line when needed).
    pub fn bullet(&mut self, s: &str) -> &mut Self {
        self.prefixed("- ", s)
    }

    /// A `> ` quote line.
    pub fn quote(&mut self, s: &str) -> &mut Self {
        self.prefixed("> ", s)
    }

    fn prefixed(&mut self, prefix: &str, s: &str) -> &mut Self {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
        self.buf.push_str(prefix);
        self.buf.push_str(&escape(s));
        self
    }

    /// A table as a monospace block with columns padded to the widest cell (characters).
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> &mut Self {
        let cols = header
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0));
        let mut widths = vec![0usize; cols];
        let cell_len = |s: &str| s.chars().count();
        for (i, h) in header.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell_len(h));
            }
        }
        for r in rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell_len(c));
                }
            }
        }
        let mut block = String::new();
        let mut push_row = |cells: Vec<&str>| {
            let mut line = String::new();
            for (i, c) in cells.iter().enumerate() {
                line.push_str(c);
                if i + 1 < cells.len() {
                    let w = widths.get(i).copied().unwrap_or(0);
                    let pad = w.saturating_sub(cell_len(c)) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            block.push_str(line.trim_end());
            block.push('\n');
        };
        if !header.is_empty() {
            push_row(header.to_vec());
        }
        for r in rows {
            push_row(r.iter().map(String::as_str).collect());
        }
        self.mono_block(&block)
    }

    /// The markup so far.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// The finished markup.
    pub fn build(&self) -> String {
        self.buf.clone()
    }
}

/// One line of `text` fit for a template parameter: lines are trimmed and joined with
/// `" | "`, tabs and runs of spaces become one space, other control characters are dropped.
pub fn flatten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut flat = String::new();
        for word in line.split_whitespace() {
            if !flat.is_empty() {
                flat.push(' ');
            }
            flat.extend(word.chars().filter(|c| !c.is_control()));
        }
        if flat.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(" | ");
        }
        out.push_str(&flat);
    }
    out
}

fn marker(i: usize, n: usize) -> String {
    format!("({i}/{n})")
}

/// Cuts `s` into pieces of at most `budget` units, preferring whitespace.
fn hard_split(s: &str, budget: usize) -> Vec<String> {
    let budget = budget.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    let mut last_space: Option<usize> = None; // byte index in cur
    for c in s.chars() {
        let l = c.len_utf16();
        if cur_len + l > budget && !cur.is_empty() {
            match last_space.filter(|&p| p > 0) {
                Some(p) => {
                    let rest = cur.split_off(p);
                    out.push(cur.trim_end().to_owned());
                    cur = rest.trim_start().to_owned();
                }
                None => out.push(std::mem::take(&mut cur)),
            }
            cur_len = text_len(&cur);
            last_space = None;
        }
        if c.is_whitespace() {
            last_space = Some(cur.len());
        }
        cur.push(c);
        cur_len += l;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits a text body into parts of at most `limit` units (use [`MAX_TEXT_LEN`]), on line
/// boundaries where possible, each ending with a `(i/n)` line when there are several. A
/// ```` ``` ```` block cut in two is closed at the end of one part and reopened in the next.
/// Whitespace-only input gives no parts.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if text_len(text) <= limit {
        return vec![text.to_owned()];
    }
    // the marker's width depends on n: grow the reserve until the count fits it
    let mut digits = 1;
    loop {
        let reserve = 2 * digits + 4 + 8; // "\n(i/n)" plus a closing and reopening fence
        let parts = pack(text, limit.saturating_sub(reserve).max(16));
        let n = parts.len();
        if n.to_string().len() <= digits {
            return parts
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| {
                    p.push('\n');
                    p.push_str(&marker(i + 1, n));
                    p
                })
                .collect();
        }
        digits = n.to_string().len();
    }
}

fn pack(text: &str, budget: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_fence = false;
    let flush = |parts: &mut Vec<String>, cur: &mut String, in_fence: bool| {
        let mut p = std::mem::take(cur);
        while p.ends_with('\n') {
            p.pop();
        }
        if in_fence {
            p.push_str("\n```");
        }
        if !p.trim().is_empty() {
            parts.push(p);
        }
    };
    for line in text.lines() {
        let pieces = if text_len(line) > budget {
            hard_split(line, budget)
        } else {
            vec![line.to_owned()]
        };
        for piece in pieces {
            let need = text_len(&piece) + 1;
            if !cur.is_empty() && text_len(&cur) + need > budget {
                flush(&mut parts, &mut cur, in_fence);
                if in_fence {
                    cur.push_str("```\n");
                }
            }
            cur.push_str(&piece);
            cur.push('\n');
            if piece.matches("```").count() % 2 == 1 {
                in_fence = !in_fence;
            }
        }
    }
    flush(&mut parts, &mut cur, false);
    parts
}

/// Splits flattened text into template parameters of at most `limit` units each, at word
/// boundaries, each ending with ` (i/n)` when there are several.
pub fn split_param(flat: &str, limit: usize) -> Vec<String> {
    if flat.trim().is_empty() {
        return Vec::new();
    }
    if text_len(flat) <= limit {
        return vec![flat.to_owned()];
    }
    let mut digits = 1;
    loop {
        let reserve = 2 * digits + 4;
        let parts = hard_split(flat, limit.saturating_sub(reserve).max(16));
        let n = parts.len();
        if n.to_string().len() <= digits {
            return parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| format!("{} {}", p.trim(), marker(i + 1, n)))
                .collect();
        }
        digits = n.to_string().len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part_without_marker() {
        assert_eq!(split("hello", MAX_TEXT_LEN), vec!["hello"]);
        assert!(split(" \n ", MAX_TEXT_LEN).is_empty());
    }

    #[test]
    fn long_text_splits_on_lines_under_the_limit() {
        let text: String = (0..500).map(|i| format!("router {i} is down\n")).collect();
        let parts = split(&text, 1000);
        let n = parts.len();
        assert!(n > 5);
        let mut joined = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            assert!(text_len(p) <= 1000, "{}", text_len(p));
            let (body, mark) = p.rsplit_once('\n').unwrap();
            assert_eq!(mark, format!("({}/{n})", i + 1));
            joined.extend(body.lines().map(str::to_owned));
        }
        let want: Vec<String> = text.lines().map(str::to_owned).collect();
        assert_eq!(joined, want, "lines kept whole and in order");
    }

    #[test]
    fn one_huge_line_and_emoji_are_cut_within_the_limit() {
        let text = "🔥".repeat(5000);
        let parts = split(&text, MAX_TEXT_LEN);
        assert!(parts.len() >= 3);
        for p in &parts {
            assert!(text_len(p) <= MAX_TEXT_LEN);
        }
        let total: usize = parts
            .iter()
            .map(|p| p.rsplit_once('\n').unwrap().0.chars().count())
            .sum();
        assert_eq!(total, 5000);
    }

    #[test]
    fn fences_are_closed_and_reopened_across_parts() {
        let mut text = String::from("report\n```\n");
        for i in 0..300 {
            text.push_str(&format!("queue-{i:03}  10M/10M  3.2M\n"));
        }
        text.push_str("```\nend");
        let parts = split(&text, 2000);
        assert!(parts.len() >= 3);
        for p in &parts {
            assert_eq!(p.matches("```").count() % 2, 0, "{p}");
            assert!(text_len(p) <= 2000);
        }
    }

    #[test]
    fn flatten_removes_what_templates_refuse() {
        let f = flatten("a\r\n\tb     c\n\n  d\u{7}e  ");
        assert_eq!(f, "a | b c | de");
        assert!(!f.contains('\n') && !f.contains('\t') && !f.contains("    "));
    }

    #[test]
    fn params_split_at_words_with_markers() {
        let flat = flatten(&"word ".repeat(600));
        let parts = split_param(&flat, 900);
        assert_eq!(parts.len(), 4);
        for (i, p) in parts.iter().enumerate() {
            assert!(text_len(p) <= 900);
            assert!(p.ends_with(&format!("({}/4)", i + 1)), "{p}");
            assert!(!p.contains("  "));
        }
        assert_eq!(split_param("short", 900), vec!["short"]);
    }

    #[test]
    fn escape_breaks_pairs_but_not_words() {
        for s in ["ether1_wan", "a*b", "10~20", "x_y_z"] {
            assert_eq!(escape(s), s);
        }
        for s in ["*bold*", "_it_", "~s~", "`c`", "say *hi* now"] {
            let e = escape(s);
            assert_ne!(e, s);
            assert_eq!(e.replace('\u{200B}', ""), s);
        }
    }

    #[test]
    fn builder_pieces() {
        let mut m = Markup::new();
        m.bold(" up ")
            .text(" ")
            .italic("x")
            .text(" ")
            .strike("y")
            .text(" ")
            .code("a`b")
            .quote("q")
            .mono_block("x```y");
        assert_eq!(
            m.build(),
            "*up* _x_ ~y~ `a'b`\n> q\n```\nx`\u{200B}``y\n```"
        );
    }
}
