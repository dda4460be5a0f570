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
    pub attrs: Vec<(String, String)>,
}

fn tokens(line: &str, lineno: usize) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                any = true;
            }
            '\\' if in_quotes => match chars.next() {
                Some('n') => cur.push('\n'),
                Some('t') => cur.push('\t'),
                Some('r') => cur.push('\r'),
                Some(c) => cur.push(c),
                None => {}
            },
            c if c.is_whitespace() && !in_quotes => {
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
        let toks = tokens(trimmed, start)?;
        let mut rest = toks.as_slice();
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
        let Some((verb, args)) = rest.split_first() else {
            continue;
        };
        if verb != "add" {
            continue;
        }
        let mut attrs = Vec::new();
        for a in args {
            match a.split_once('=') {
                Some((k, v)) => attrs.push((k.to_owned(), v.to_owned())),
                None => {
                    return Err(Error::State {
                        line: start,
                        message: format!("expected name=value, found {a:?}"),
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
                ("max-limit".to_owned(), "5M/10M".to_owned()),
                ("name".to_owned(), "kid's \"tab\"".to_owned()),
                ("target".to_owned(), "192.168.88.20/32".to_owned()),
            ]
        );
        assert_eq!(adds[1].path, "/ip/firewall/layer7-protocol");
        assert_eq!(adds[1].attrs[1].1, "^.+youtube");
    }

    #[test]
    fn rejects_unterminated_quote_with_line() {
        let err = parse("/queue simple\nadd name=\"x target=1.2.3.4\n").unwrap_err();
        assert!(matches!(err, Error::State { line: 2, .. }), "{err}");
    }
}
