//! Arguments typed on a phone: names with spaces (quoted with `"…"`, the curly quotes a phone
//! keyboard inserts, or not quoted at all), an `@router` word, and names resolved leniently —
//! the exact name, else a unique case-insensitive prefix, else a unique fuzzy match; several
//! candidates are listed instead of guessed.

use tg_notify::html::escape;

use crate::i18n::Lang;
use crate::tr;

/// Most candidates listed when a name is ambiguous.
pub const MAX_CANDIDATES: usize = 8;

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text, without its quotes.
    pub text: String,
    /// Whether it was quoted (a quoted `@x` is a name, not a router).
    pub quoted: bool,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

/// Splits `s` at whitespace; a quoted part is one word, spaces included. An unclosed quote
/// runs to the end of the line.
pub fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    for c in s.chars() {
        if in_quote {
            if is_quote(c) {
                in_quote = false;
            } else {
                cur.push(c);
            }
        } else if is_quote(c) {
            in_quote = true;
            quoted = true;
        } else if c.is_whitespace() {
            if !cur.is_empty() || quoted {
                out.push(Word {
                    text: std::mem::take(&mut cur),
                    quoted,
                });
            }
            quoted = false;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() || quoted {
        out.push(Word { text: cur, quoted });
    }
    out
}

/// Removes the first unquoted `@name` word and returns its name.
pub fn take_at(words: &mut Vec<Word>) -> Option<String> {
    let i = words
        .iter()
        .position(|w| !w.quoted && w.text.len() > 1 && w.text.starts_with('@'))?;
    let w = words.remove(i);
    Some(w.text.get(1..).unwrap_or_default().to_owned())
}

/// The words joined by single spaces.
pub fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case with runs of whitespace as one space.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which of `names` `query` means: the indices of the first non-empty match of, in order,
/// the exact name, the name ignoring case and spacing, a prefix, a substring, every word of
/// the query somewhere in the name. One index is an answer; several are candidates; none is
/// no match.
pub fn resolve(query: &str, names: &[&str]) -> Vec<usize> {
    let pick = |f: &dyn Fn(&str) -> bool| -> Vec<usize> {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| f(n))
            .map(|(i, _)| i)
            .collect()
    };
    let exact = pick(&|n| n == query);
    if !exact.is_empty() {
        return exact;
    }
    let q = norm(query);
    if q.is_empty() {
        return Vec::new();
    }
    let q_words: Vec<&str> = q.split(' ').collect();
    let stages: [&dyn Fn(&str) -> bool; 4] = [
        &|n| norm(n) == q,
        &|n| norm(n).starts_with(&q),
        &|n| norm(n).contains(&q),
        &|n| {
            let n = norm(n);
            q_words.iter().all(|w| n.contains(w))
        },
    ];
    for stage in stages {
        let hits = pick(stage);
        if !hits.is_empty() {
            return hits;
        }
    }
    Vec::new()
}

/// What an ambiguous name could be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum What {
    /// Routers.
    Routers,
    /// Queues.
    Queues,
    /// Billing customers.
    Customers,
    /// Watched devices.
    Devices,
}

/// The reply for an ambiguous `query`, in `lang`: the candidates (at most
/// [`MAX_CANDIDATES`]) and how to pick one.
pub fn ambiguous(
    lang: Lang,
    what: What,
    query: &str,
    candidates: &[String],
    example: &str,
) -> String {
    let q = format!("<b>{}</b>", escape(query));
    let mut s = match what {
        What::Routers => tr!(lang, "chat-ambiguous-routers", query = q),
        What::Queues => tr!(lang, "chat-ambiguous-queues", query = q),
        What::Customers => tr!(lang, "chat-ambiguous-customers", query = q),
        What::Devices => tr!(lang, "chat-ambiguous-devices", query = q),
    };
    for c in candidates.iter().take(MAX_CANDIDATES) {
        s.push_str(&format!("\n• {}", escape(c)));
    }
    if candidates.len() > MAX_CANDIDATES {
        s.push('\n');
        s.push_str(&tr!(
            lang,
            "chat-and-more",
            count = super::num(lang, candidates.len() - MAX_CANDIDATES)
        ));
    }
    if let Some(first) = candidates.first() {
        s.push_str(&format!(
            "\n{} <code>{}</code>",
            tr!(lang, "chat-say-which"),
            escape(&example.replace("{}", first))
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        words(s).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_keep_quoted_spaces() {
        assert_eq!(texts("Pak Budi 2M/5M"), ["Pak", "Budi", "2M/5M"]);
        assert_eq!(texts("\"Pak Budi\" 2M/5M"), ["Pak Budi", "2M/5M"]);
        assert_eq!(texts("“Pak  Budi” 2M/5M"), ["Pak  Budi", "2M/5M"]);
        assert_eq!(texts("\"Pak Budi"), ["Pak Budi"]);
        assert_eq!(texts("\"\" x"), ["", "x"]);
        assert!(words("   ").is_empty());
        let mut w = words("budi @core \"@x\"");
        assert_eq!(take_at(&mut w).as_deref(), Some("core"));
        assert_eq!(join(&w), "budi @x");
        assert_eq!(take_at(&mut w), None);
        assert_eq!(take_at(&mut words("@")), None);
    }

    #[test]
    fn exact_then_prefix_then_fuzzy() {
        let names = ["Pak Budi", "Bu Sari", "budi", "Warung Budi Jaya", "queue1"];
        assert_eq!(resolve("budi", &names), [2]);
        assert_eq!(resolve("BUDI", &names), [2]);
        assert_eq!(resolve("pak  budi", &names), [0]);
        assert_eq!(resolve("pak", &names), [0]);
        assert_eq!(resolve("sari", &names), [1]);
        assert_eq!(resolve("jaya budi", &names), [3]);
        assert_eq!(resolve("bu", &names), [1, 2]);
        assert!(resolve("nosuch", &names).is_empty());
        assert!(resolve("", &names).is_empty());
        assert!(resolve("x", &[]).is_empty());
        let many: Vec<String> = (0..12).map(|i| format!("q{i}")).collect();
        let s = ambiguous(Lang::En, What::Queues, "<q>", &many, "/queue {}");
        assert!(s.contains("&lt;q&gt;") && s.contains("… and 4 more"), "{s}");
        assert!(s.contains("/queue q0"), "{s}");
        let s = ambiguous(Lang::Id, What::Queues, "q", &many, "/queue {}");
        assert!(
            s.contains("Beberapa antrean cocok") && s.contains("4 lagi"),
            "{s}"
        );
    }
}
