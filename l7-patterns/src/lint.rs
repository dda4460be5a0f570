//! The validator: diagnostics with stable codes, spans and suggested fixes.

use std::fmt;
use std::ops::Range;

use crate::ast::{Ast, AstKind, ClassItem, LiteralKind, RepeatOp};
use crate::error::render_caret;
use crate::Pattern;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The pattern is rejected, or cannot do what it looks like it does.
    Error,
    /// The pattern works but probably not as intended, or costs more than it should.
    Warning,
    /// Worth knowing.
    Hint,
}

impl Severity {
    /// `error`, `warning` or `hint`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Hint => "hint",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about a pattern.
///
/// Codes are stable:
///
/// | code | severity | finding |
/// |---|---|---|
/// | L7E001 | error | syntax error |
/// | L7E002 | error | unsupported construct (`(?...)`, lazy quantifier, `[=a=]`, `[.a.]`) |
/// | L7E003 | error | `\x00`: NUL bytes are removed from the data, so this never matches |
/// | L7E004 | error | empty group `()` or empty alternative |
/// | L7E005 | error | nested quantifier such as `.+*` |
/// | L7E006 | error | matches the empty string, so every connection |
/// | L7E007 | error | can never match |
/// | L7W001 | warning | `\d`, `\w`, `\s`... are literal letters here, not classes |
/// | L7W002 | warning | leading or trailing `.*` / `.+` that only costs CPU |
/// | L7W003 | warning | uppercase literal (never matches if only the data is lowercased) |
/// | L7W004 | warning | unescaped `.` in a hostname |
/// | L7W005 | warning | quote or `\$` left over from script escaping |
/// | L7W006 | warning | leading or trailing whitespace |
/// | L7W007 | warning | more groups or bytes than the l7-filter kernel engine allowed |
/// | L7W008 | warning | `{m,n}` bounds (support varies across RouterOS versions) |
/// | L7W009 | warning | named class `[:alpha:]` (the l7-filter kernel engine had none) |
/// | L7W010 | warning | `\1`..`\9` is a literal digit, not a back-reference |
/// | L7W011 | warning | `\x00` inside brackets never matches |
/// | L7H001 | hint | hostname pattern: only sees TLS SNI or plain HTTP (consider `tls-host`) |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Stable code, e.g. `L7E001`.
    pub code: &'static str,
    /// Byte range in the pattern source.
    pub span: Range<usize>,
    /// What is wrong, for people.
    pub message: String,
    /// Suggested replacement for the text under `span`, where one exists.
    pub fix: Option<String>,
}

impl Diagnostic {
    fn new(
        severity: Severity,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            span,
            message: message.into(),
            fix: None,
        }
    }

    fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `src` with the suggested fix applied, if there is one (and the span fits `src`).
    pub fn apply_fix(&self, src: &str) -> Option<String> {
        let fix = self.fix.as_ref()?;
        let before = src.get(..self.span.start)?;
        let after = src.get(self.span.end..)?;
        Some(format!("{before}{fix}{after}"))
    }

    /// Renders the diagnostic with the pattern and a caret under the span.
    pub fn render(&self, src: &str) -> String {
        let mut out = format!(
            "{}[{}]: {}\n{}",
            self.severity,
            self.code,
            self.message,
            render_caret(src, &self.span)
        );
        if let Some(fix) = &self.fix {
            if let Some(fixed) = self.apply_fix(src) {
                out.push_str(&format!("\n    fix: replace with `{fix}`: {fixed}"));
            }
        }
        out
    }
}

/// Lints a pattern source. A pattern that does not parse yields one L7E001/L7E002 error.
///
/// ```
/// let diags = l7_patterns::lint("\\d+ items");
/// assert_eq!(diags[0].code, "L7W001");
/// assert_eq!(diags[0].fix.as_deref(), Some("[0-9]"));
/// ```
pub fn lint(src: &str) -> Vec<Diagnostic> {
    match Pattern::parse(src) {
        Ok(p) => lint_pattern(&p),
        Err(e) => {
            vec![Diagnostic::new(
                Severity::Error,
                e.kind().code(),
                e.span(),
                e.kind().to_string(),
            )]
        }
    }
}

/// Lints a parsed pattern.
pub fn lint_pattern(pattern: &Pattern) -> Vec<Diagnostic> {
    let src = pattern.as_str();
    let ast = pattern.ast();
    let mut out = Vec::new();
    let mut groups = 0usize;

    ast.walk(|node| {
        let span = node.span.clone();
        match &node.kind {
            AstKind::Literal(l) => {
                let text = src.get(span.clone()).unwrap_or("");
                if l.byte == 0 {
                    out.push(Diagnostic::new(
                        Severity::Error,
                        "L7E003",
                        span.clone(),
                        "`\\x00` never matches: NUL bytes are removed from the collected data",
                    ));
                }
                if l.kind == LiteralKind::Escaped {
                    let (class, fix) = match l.byte {
                        b'd' => ("a digit class", Some("[0-9]")),
                        b'D' => ("a non-digit class", Some("[^0-9]")),
                        b'w' => ("a word class", Some("[a-z0-9_]")),
                        b'W' => ("a non-word class", Some("[^a-z0-9_]")),
                        b's' => ("a whitespace class", Some("[\\x09-\\x0d ]")),
                        b'S' => ("a non-whitespace class", Some("[^\\x09-\\x0d ]")),
                        b'b' | b'B' => ("a word boundary", None),
                        b'1'..=b'9' => ("", None),
                        _ => ("-", None),
                    };
                    if class.is_empty() {
                        out.push(Diagnostic::new(
                            Severity::Warning,
                            "L7W010",
                            span.clone(),
                            format!("`{text}` is the literal digit, not a back-reference (there are none)"),
                        ));
                    } else if class != "-" {
                        let d = Diagnostic::new(
                            Severity::Warning,
                            "L7W001",
                            span.clone(),
                            format!("`{text}` is the literal letter `{}`, not {class}", char::from(l.byte)),
                        );
                        out.push(match fix {
                            Some(f) => d.with_fix(f),
                            None => d,
                        });
                    }
                    if l.byte == b'"' {
                        out.push(
                            Diagnostic::new(
                                Severity::Warning,
                                "L7W005",
                                span.clone(),
                                "`\\\"` is script escaping: in the regexp it is a plain `\"`",
                            )
                            .with_fix("\""),
                        );
                    }
                }
            }
            AstKind::Class(c) => {
                let text = src.get(span.clone()).unwrap_or("");
                for esc in ["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"] {
                    if let Some(off) = text.find(esc) {
                        out.push(Diagnostic::new(
                            Severity::Warning,
                            "L7W001",
                            span.start + off..span.start + off + 2,
                            format!("`{esc}` inside brackets is the literal letter, not a class"),
                        ));
                    }
                }
                let set = c.byte_set();
                if set.is_empty() {
                    out.push(Diagnostic::new(Severity::Error, "L7E007", span.clone(), "this bracket expression matches no byte"));
                } else if set.len() == 1 && set.contains(0) {
                    out.push(Diagnostic::new(
                        Severity::Error,
                        "L7E003",
                        span.clone(),
                        "this bracket expression only matches NUL, which is removed from the data",
                    ));
                } else if !c.negated && c.items.iter().any(|i| matches!(i, ClassItem::Byte(0) | ClassItem::Range(0, _))) {
                    out.push(Diagnostic::new(
                        Severity::Warning,
                        "L7W011",
                        span.clone(),
                        "`\\x00` inside brackets never matches: NUL bytes are removed from the data",
                    ));
                }
                if c.items.iter().any(|i| matches!(i, ClassItem::Named(_))) {
                    out.push(Diagnostic::new(
                        Severity::Warning,
                        "L7W009",
                        span.clone(),
                        "named classes like `[:alpha:]` were not supported by the l7-filter kernel engine; spell the range out",
                    ));
                }
                let raw = c.byte_set();
                let upper_only = (b'A'..=b'Z').any(|u| raw.contains(u) && !raw.contains(u.to_ascii_lowercase()));
                if upper_only && !c.negated {
                    out.push(Diagnostic::new(
                        Severity::Warning,
                        "L7W003",
                        span.clone(),
                        "uppercase letters in brackets never match if RouterOS lowercases only the data; use lowercase",
                    ));
                }
            }
            AstKind::Group(inner) => {
                groups += 1;
                if matches!(inner.kind, AstKind::Empty) {
                    out.push(Diagnostic::new(Severity::Error, "L7E004", span.clone(), "empty group `()`"));
                }
            }
            AstKind::Alternation(alts) => {
                for a in alts {
                    if matches!(a.kind, AstKind::Empty) {
                        out.push(Diagnostic::new(
                            Severity::Error,
                            "L7E004",
                            a.span.start.saturating_sub(1)..a.span.start.saturating_add(1).min(src.len()),
                            "empty alternative: `|` with nothing on one side matches the empty string",
                        ));
                    }
                }
            }
            AstKind::Repeat { ast: inner, op } => {
                if let AstKind::Repeat { .. } = inner.kind {
                    let op_span = inner.span.end..span.end;
                    if *op == RepeatOp::ZeroOrOne || *op == RepeatOp::OneOrMore {
                        out.push(Diagnostic::new(
                            Severity::Error,
                            "L7E002",
                            op_span,
                            "lazy and possessive quantifiers (`*?`, `+?`, `*+`) are not supported: POSIX has only greedy ones",
                        ).with_fix(""));
                    } else {
                        out.push(Diagnostic::new(
                            Severity::Error,
                            "L7E005",
                            op_span,
                            "nested quantifier: a repetition of a repetition is undefined in POSIX regexps",
                        ).with_fix(""));
                    }
                }
                if let RepeatOp::Bounded { .. } = op {
                    out.push(Diagnostic::new(
                        Severity::Warning,
                        "L7W008",
                        inner.span.end..span.end,
                        "`{m,n}` bounds were not supported by the l7-filter kernel engine and their support varies across RouterOS versions; write the repetition out",
                    ));
                }
            }
            AstKind::Concat(items) => concat_checks(src, items, &mut out),
            _ => {}
        }
    });

    top_level_checks(pattern, &mut out);

    if groups > 9 {
        out.push(Diagnostic::new(
            Severity::Warning,
            "L7W007",
            0..src.len(),
            format!("{groups} groups: the l7-filter kernel engine allowed at most 9"),
        ));
    }
    if src.len() > 8192 {
        out.push(Diagnostic::new(
            Severity::Warning,
            "L7W007",
            8192..src.len(),
            format!(
                "{} bytes: the l7-filter kernel engine allowed at most 8192",
                src.len()
            ),
        ));
    }
    let trimmed_end = src.trim_end();
    if trimmed_end.len() < src.len() {
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "L7W006",
                trimmed_end.len()..src.len(),
                "trailing whitespace is part of the pattern",
            )
            .with_fix(""),
        );
    }
    let lead = src.len() - src.trim_start().len();
    if lead > 0 && lead < src.len() {
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "L7W006",
                0..lead,
                "leading whitespace is part of the pattern",
            )
            .with_fix(""),
        );
    }
    if src.len() >= 2 && src.starts_with('"') && src.ends_with('"') {
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "L7W005",
                0..src.len(),
                "the pattern is wrapped in quotes left from a script: the router would look for the quote characters",
            )
            .with_fix(src.get(1..src.len() - 1).unwrap_or_default()),
        );
    }
    if let Some(span) = find_hostname(src) {
        out.push(Diagnostic::new(
            Severity::Hint,
            "L7H001",
            span,
            "this looks for a hostname: Layer 7 sees it only in a TLS ClientHello (SNI) or plain HTTP, never inside TLS or QUIC; for HTTPS consider `tls-host=` on the filter rule",
        ));
    }
    out.sort_by_key(|d| (d.span.start, d.severity));
    out
}

/// Checks on the children of one concatenation: uppercase runs, hostname dots, `\$` leftovers.
fn concat_checks(src: &str, items: &[Ast], out: &mut Vec<Diagnostic>) {
    // Words (runs of literal letters) that hold an uppercase letter: one diagnostic per word.
    let mut i = 0;
    while let Some(item) = items.get(i) {
        if !is_letter_literal(item) {
            i += 1;
            continue;
        }
        let mut j = i;
        while items.get(j + 1).is_some_and(is_letter_literal) {
            j += 1;
        }
        let word = items.get(i..=j).unwrap_or_default();
        if word.iter().any(is_upper_literal) {
            let start = item.span.start;
            let end = word.last().map_or(item.span.end, |a| a.span.end);
            let fix: String = word
                .iter()
                .map(|a| match &a.kind {
                    AstKind::Literal(l) if l.kind == LiteralKind::Hex => {
                        format!("\\x{:02x}", l.byte.to_ascii_lowercase())
                    }
                    AstKind::Literal(l) => char::from(l.byte.to_ascii_lowercase()).to_string(),
                    _ => String::new(),
                })
                .collect();
            out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "L7W003",
                    start..end,
                    "uppercase literal: never matches if RouterOS lowercases only the data (as l7-filter did); write it in lowercase",
                )
                .with_fix(fix),
            );
        }
        i = j + 1;
    }
    // Unescaped `.` between hostname labels: `youtube.com`.
    for (k, item) in items.iter().enumerate() {
        if !matches!(item.kind, AstKind::Dot) || k == 0 {
            continue;
        }
        let prev_ok = items.get(k - 1).is_some_and(|a| {
            literal_byte(a).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        let next_ok = items
            .get(k + 1)
            .is_some_and(|a| literal_byte(a).is_some_and(|b| b.is_ascii_alphabetic()))
            && items
                .get(k + 2)
                .is_some_and(|a| literal_byte(a).is_some_and(|b| b.is_ascii_alphabetic()));
        if prev_ok && next_ok {
            out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "L7W004",
                    item.span.clone(),
                    "unescaped `.` in a hostname matches any byte; write `\\.`",
                )
                .with_fix("\\."),
            );
        }
    }
    // `\$` at the end of a branch: most likely a script-escaped `$` anchor.
    if let Some(last) = items.last() {
        if let AstKind::Literal(l) = &last.kind {
            if l.byte == b'$'
                && l.kind == LiteralKind::Escaped
                && src.get(last.span.clone()) == Some("\\$")
            {
                out.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "L7W005",
                        last.span.clone(),
                        "`\\$` is script escaping for `$`: here it is a literal dollar sign, not the end anchor",
                    )
                    .with_fix("$"),
                );
            }
        }
    }
}

fn literal_byte(a: &Ast) -> Option<u8> {
    match &a.kind {
        AstKind::Literal(l) => Some(l.byte),
        _ => None,
    }
}

fn is_letter_literal(a: &Ast) -> bool {
    literal_byte(a).is_some_and(|b| b.is_ascii_alphabetic())
}

fn is_upper_literal(a: &Ast) -> bool {
    literal_byte(a).is_some_and(|b| b.is_ascii_uppercase())
}

/// Whole-pattern checks: empty matches and costly leading/trailing `.*`.
fn top_level_checks(pattern: &Pattern, out: &mut Vec<Diagnostic>) {
    let ast = pattern.ast();
    if let Some(anchors) = nullable(ast) {
        // The empty string matches somewhere; find out whether that means "everything" by
        // probing the compiled pattern with a few unrelated inputs.
        let probes: [&[u8]; 3] = [b"\x01", b"zq", b"\x7f\xfe9 -_~qz\x80\x03\x16\x03\x01"];
        let hits = crate::Matcher::new(pattern, crate::MatchMode::CaseInsensitive)
            .map(|m| probes.iter().filter(|p| m.is_match(p)).count())
            .unwrap_or(0);
        if hits == probes.len() {
            out.push(Diagnostic::new(
                Severity::Error,
                "L7E006",
                ast.span.clone(),
                "this matches the empty string, so it matches every connection",
            ));
        } else if hits == 0 && anchors == (true, true) {
            out.push(Diagnostic::new(
                Severity::Error,
                "L7E007",
                ast.span.clone(),
                "this can only match empty data, and the matcher never searches empty data: it matches nothing",
            ));
        }
    }
    let branches: &[Ast] = match &ast.kind {
        AstKind::Alternation(v) => v,
        _ => std::slice::from_ref(ast),
    };
    for branch in branches {
        let items: &[Ast] = match &branch.kind {
            AstKind::Concat(v) => v,
            _ => continue,
        };
        // leading (after an optional ^)
        let mut first = 0;
        let anchored = items
            .first()
            .is_some_and(|a| matches!(a.kind, AstKind::Start));
        if anchored {
            first = 1;
        }
        if let Some(a) = items.get(first) {
            if let Some(plus) = dot_star(a) {
                if items.len() > first + 1 {
                    let start = items.first().map_or(a.span.start, |f| f.span.start);
                    let what = if plus { ".+" } else { ".*" };
                    out.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "L7W002",
                            start..a.span.end,
                            format!("leading `{}{what}` only costs CPU: the search is unanchored anyway", if anchored { "^" } else { "" }),
                        )
                        .with_fix(if plus { "." } else { "" }),
                    );
                }
            }
        }
        // trailing (before an optional $)
        let mut last = items.len().saturating_sub(1);
        let end_anchor = items.last().is_some_and(|a| matches!(a.kind, AstKind::End));
        if end_anchor {
            last = last.saturating_sub(1);
        }
        if last > first {
            if let Some(a) = items.get(last) {
                if let Some(plus) = dot_star(a) {
                    let end = items.last().map_or(a.span.end, |l| l.span.end);
                    let what = if plus { ".+" } else { ".*" };
                    out.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "L7W002",
                            a.span.start..end,
                            format!("trailing `{what}{}` only costs CPU: a match does not need to reach the end", if end_anchor { "$" } else { "" }),
                        )
                        .with_fix(if plus { "." } else { "" }),
                    );
                }
            }
        }
    }
}

/// `Some(false)` for `.*`, `Some(true)` for `.+`.
fn dot_star(a: &Ast) -> Option<bool> {
    match &a.kind {
        AstKind::Repeat { ast, op } if matches!(ast.kind, AstKind::Dot) => match op {
            RepeatOp::ZeroOrMore => Some(false),
            RepeatOp::OneOrMore => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the node can match the empty string, and if so which anchors the cheapest empty path
/// needs: `(needs_start, needs_end)`. Recursion is bounded by `NEST_LIMIT`.
fn nullable(a: &Ast) -> Option<(bool, bool)> {
    match &a.kind {
        AstKind::Empty => Some((false, false)),
        AstKind::Start => Some((true, false)),
        AstKind::End => Some((false, true)),
        AstKind::Literal(_) | AstKind::Dot | AstKind::Class(_) => None,
        AstKind::Group(inner) => nullable(inner),
        AstKind::Repeat { ast, op } => {
            if op.min() == 0 {
                Some((false, false))
            } else {
                nullable(ast)
            }
        }
        AstKind::Concat(v) => {
            let mut acc = (false, false);
            for c in v {
                let (s, e) = nullable(c)?;
                acc = (acc.0 || s, acc.1 || e);
            }
            Some(acc)
        }
        AstKind::Alternation(v) => v
            .iter()
            .filter_map(nullable)
            .min_by_key(|(s, e)| u8::from(*s) + u8::from(*e) * 2 + u8::from(*s && *e) * 4),
    }
}

/// The first hostname-looking text (`label.tld`, with `.` or `\.`), if any.
fn find_hostname(src: &str) -> Option<Range<usize>> {
    let b = src.as_bytes();
    let is_label = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    let mut i = 0;
    while i < b.len() {
        // a label of at least 2 characters, not preceded by a label character or `\`
        let prev_ok = i == 0 || b.get(i - 1).is_some_and(|&p| !is_label(p) && p != b'\\');
        if prev_ok && b.get(i).is_some_and(|&c| c.is_ascii_alphanumeric()) {
            let mut j = i;
            while b.get(j).is_some_and(|&c| is_label(c)) {
                j += 1;
            }
            let dot_len = match (b.get(j), b.get(j + 1)) {
                (Some(b'\\'), Some(b'.')) => 2,
                (Some(b'.'), _) => 1,
                _ => 0,
            };
            if j - i >= 2 && dot_len > 0 {
                let k = j + dot_len;
                let mut m = k;
                while b.get(m).is_some_and(|c| c.is_ascii_alphabetic()) {
                    m += 1;
                }
                let tld_end_ok = b.get(m).is_none_or(|&c| {
                    !is_label(c) && c != b'\\' || c == b'\\' && b.get(m + 1) == Some(&b'.')
                });
                let tld = src.get(k..m).unwrap_or("").to_ascii_lowercase();
                if (2..=6).contains(&(m - k)) && tld_end_ok && is_tld(&tld) {
                    return Some(i..m);
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

fn is_tld(t: &str) -> bool {
    matches!(
        t,
        "com"
            | "net"
            | "org"
            | "io"
            | "tv"
            | "be"
            | "me"
            | "co"
            | "ru"
            | "de"
            | "uk"
            | "info"
            | "biz"
            | "app"
            | "edu"
            | "gov"
            | "fm"
            | "ly"
            | "gg"
            | "cn"
            | "jp"
            | "fr"
            | "it"
            | "es"
            | "nl"
            | "pl"
            | "br"
            | "in"
            | "us"
            | "cc"
            | "xyz"
            | "site"
            | "online"
            | "video"
    )
}
