//! Loading an `/export`-style configuration (`--state FILE.rsc`).
//!
//! Understands what `/export` writes for the menus the simulator has: menu lines
//! (`/queue simple`), `add` lines with `name=value` arguments (values quoted with `"` and
//! `\`-escapes), line continuations with a trailing `\`, and `#` comments. Other commands
//! (`set [ find ... ]`, scripts) are skipped.

use crate::Error;

/// One `add` of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Add {
    pub line: usize,
    pub path: String,
    /// Names and values; values are bytes (`\HH` escapes may spell any code page).
    pub attrs: Vec<(String, Vec<u8>)>,
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn tokens(line: &str, lineno: usize) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut bytes = line.bytes().peekable();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = bytes.next() {
        match c {
            b'"' => {
                in_quotes = !in_quotes;
                any = true;
            }
            b'\\' if in_quotes => match bytes.next() {
                Some(b'n') => cur.push(b'\n'),
                Some(b't') => cur.push(b'\t'),
                Some(b'r') => cur.push(b'\r'),
                Some(b'_') => cur.push(b' '),
                Some(h) if hex(h).is_some() && bytes.peek().copied().and_then(hex).is_some() => {
                    let lo = bytes.next().and_then(hex).unwrap_or(0);
                    cur.push(hex(h).unwrap_or(0) << 4 | lo);
                }
                Some(c) => cur.push(c),
                None => {}
            },
            c if c.is_ascii_whitespace() && !in_quotes => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => cur.push(c),
        }
    }
    if in_quotes {
        return Err(Error::State {
            line: lineno,
            message: "unterminated quoted value".into(),
        });
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Parses the file into the `add` commands it holds.
pub(crate) fn parse(text: &str) -> Result<Vec<Add>, Error> {
    let mut adds = Vec::new();
    let mut menu = String::new();
    let mut logical = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = raw.trim_end();
        if let Some(body) = line.strip_suffix('\\') {
            logical.push_str(body);
            continue;
        }
        logical.push_str(line);
        let full = std::mem::take(&mut logical);
        let trimmed = full.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let toks: Vec<Vec<u8>> = tokens(trimmed, start)?;
        let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
        let toks_text: Vec<String> = toks.iter().map(|t| text(t)).collect();
        let mut rest = toks_text.as_slice();
        if let Some(first) = rest.first().filter(|t| t.starts_with('/')) {
            // A menu: `/queue simple`, possibly followed by a command on the same line.
            let mut path = first.trim_end_matches('/').replace(' ', "/");
            rest = rest.get(1..).unwrap_or_default();
            while let Some(seg) = rest
                .first()
                .filter(|t| !t.contains('=') && !matches!(t.as_str(), "add" | "set" | "remove"))
            {
                path.push('/');
                path.push_str(seg);
                rest = rest.get(1..).unwrap_or_default();
            }
            menu = path;
        }
        let Some((verb, _)) = rest.split_first() else {
            continue;
        };
        if verb != "add" {
            continue;
        }
        let args = toks.get(toks.len() - rest.len() + 1..).unwrap_or_default();
        let mut attrs = Vec::new();
        for a in args {
            match a.iter().position(|&b| b == b'=') {
                Some(eq) => attrs.push((
                    text(a.get(..eq).unwrap_or_default()),
                    a.get(eq + 1..).unwrap_or_default().to_vec(),
                )),
                None => {
                    return Err(Error::State {
                        line: start,
                        message: format!("expected name=value, found {:?}", text(a)),
                    })
                }
            }
        }
        adds.push(Add {
            line: start,
            path: menu.clone(),
            attrs,
        });
    }
    Ok(adds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_export_lines() {
        let text = "# comment\n/queue simple\nadd max-limit=5M/10M name=\"kid's \\\"tab\\\"\" \\\n    target=192.168.88.20/32\n/ip firewall layer7-protocol add name=yt regexp=\"^.+youtube\"\n/ip firewall mangle\nset [ find ] disabled=yes\n";
        let adds = parse(text).unwrap();
        assert_eq!(adds.len(), 2);
        assert_eq!(adds[0].path, "/queue/simple");
        assert_eq!(adds[0].line, 3);
        assert_eq!(
            adds[0].attrs,
            vec![
                ("max-limit".to_owned(), b"5M/10M".to_vec()),
                ("name".to_owned(), b"kid's \"tab\"".to_vec()),
                ("target".to_owned(), b"192.168.88.20/32".to_vec()),
            ]
        );
        assert_eq!(adds[1].path, "/ip/firewall/layer7-protocol");
        assert_eq!(adds[1].attrs[1].1, b"^.+youtube");
    }

    #[test]
    fn hex_escapes_are_bytes() {
        let adds = parse("/queue simple\nadd comment=\"caf\\E9 \\C3\\A9\" name=q\n").unwrap();
        assert_eq!(adds[0].attrs[0].1, b"caf\xe9 \xc3\xa9");
    }

    #[test]
    fn rejects_unterminated_quote_with_line() {
        let err = parse("/queue simple\nadd name=\"x target=1.2.3.4\n").unwrap_err();
        assert!(matches!(err, Error::State { line: 2, .. }), "{err}");
    }
}
