//! Differential test: for every corpus pattern and thousands of generated inputs (random bytes,
//! printable text, and strings built from the pattern itself), our verdict equals that of a POSIX
//! ERE reference: Python's `re` after translating the dialect (`\xHH` bytes, `\A`/`\Z` anchors,
//! `.` as any byte), with ASCII `IGNORECASE` for the case-insensitive mode and lowercased data
//! for the lowercase-data-only mode.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use l7_patterns::load::load_pat_dir;
use l7_patterns::{Ast, AstKind, MatchMode, Matcher, Pattern, RepeatOp};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Translates our tree to a Python `re` bytes pattern.
fn to_python(ast: &Ast, out: &mut String) {
    match &ast.kind {
        AstKind::Empty => {}
        AstKind::Literal(l) => out.push_str(&format!("\\x{:02x}", l.byte)),
        AstKind::Dot => out.push_str("[\\x00-\\xff]"),
        AstKind::Start => out.push_str("\\A"),
        AstKind::End => out.push_str("\\Z"),
        AstKind::Class(c) => {
            // expand to the exact byte set so named classes and oddities translate faithfully
            let set = c.byte_set();
            if set.is_empty() {
                out.push_str("(?!)");
                return;
            }
            out.push('[');
            for (a, b) in set.ranges() {
                out.push_str(&format!("\\x{a:02x}-\\x{b:02x}"));
            }
            out.push(']');
        }
        AstKind::Group(inner) => {
            out.push_str("(?:");
            to_python(inner, out);
            out.push(')');
        }
        AstKind::Repeat { ast, op } => {
            out.push_str("(?:");
            to_python(ast, out);
            out.push(')');
            match op {
                RepeatOp::ZeroOrOne => out.push('?'),
                RepeatOp::ZeroOrMore => out.push('*'),
                RepeatOp::OneOrMore => out.push('+'),
                RepeatOp::Bounded { min, max } => match max {
                    Some(m) => out.push_str(&format!("{{{min},{m}}}")),
                    None => out.push_str(&format!("{{{min},}}")),
                },
                _ => unreachable!("new repeat operator"),
            }
        }
        AstKind::Concat(v) => v.iter().for_each(|a| to_python(a, out)),
        AstKind::Alternation(v) => {
            out.push_str("(?:");
            for (i, a) in v.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                to_python(a, out);
            }
            out.push(')');
        }
        _ => unreachable!("new node kind"),
    }
}

/// Builds a string the pattern (probably) matches, ignoring anchors.
fn generate(ast: &Ast, rng: &mut Rng, out: &mut Vec<u8>) {
    match &ast.kind {
        AstKind::Literal(l) => out.push(l.byte),
        AstKind::Dot => out.push(rng.byte()),
        AstKind::Class(c) => {
            let members: Vec<u8> = c.byte_set().iter().collect();
            if !members.is_empty() {
                out.push(members[rng.below(members.len())]);
            }
        }
        AstKind::Group(inner) => generate(inner, rng, out),
        AstKind::Repeat { ast, op } => {
            let min = op.min() as usize;
            let max = op.max().map_or(min + 3, |m| (m as usize).min(min + 3));
            let n = min + rng.below(max - min + 1);
            for _ in 0..n {
                generate(ast, rng, out);
            }
        }
        AstKind::Concat(v) => v.iter().for_each(|a| generate(a, rng, out)),
        AstKind::Alternation(v) => generate(&v[rng.below(v.len())], rng, out),
        _ => {}
    }
}

fn inputs_for(p: &Pattern, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for _ in 0..6 {
        let n = rng.below(300);
        v.push((0..n).map(|_| rng.byte()).collect());
    }
    for _ in 0..6 {
        let n = rng.below(300);
        v.push((0..n).map(|_| b' ' + (rng.below(95) as u8)).collect());
    }
    for i in 0..28 {
        let mut s = Vec::new();
        if i % 3 == 1 {
            let n = rng.below(8);
            s.extend((0..n).map(|_| rng.byte()));
        }
        generate(p.ast(), rng, &mut s);
        if i % 4 == 2 {
            let n = rng.below(8);
            s.extend((0..n).map(|_| rng.byte()));
        }
        // mutations: flip case, change or drop a byte
        match i % 5 {
            1 => s.iter_mut().for_each(|b| {
                if rng.below(2) == 0 {
                    *b = b.to_ascii_uppercase()
                }
            }),
            2 if !s.is_empty() => {
                let k = rng.below(s.len());
                s[k] = rng.byte();
            }
            3 if !s.is_empty() => {
                let k = rng.below(s.len());
                s.remove(k);
            }
            _ => {}
        }
        v.push(s);
    }
    v
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const REFERENCE: &str = r#"
import re, sys
cache = {}
out = []
for line in sys.stdin:
    mode, pat, data = line.rstrip("\n").split("\t")
    key = (mode, pat)
    if key not in cache:
        flags = re.DOTALL | (re.IGNORECASE if mode == "ci" else 0)
        cache[key] = re.compile(bytes.fromhex(pat), flags)
    d = bytes.fromhex(data)
    if mode == "lower":
        d = d.lower()
    out.append("1" if cache[key].search(d) else "0")
print("".join(out))
"#;

#[test]
fn matcher_agrees_with_python_re_on_the_corpus() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("note: python3 not found; differential test against Python's re skipped");
        return;
    }
    let Some(dir) = common::corpus_dir("matcher_agrees_with_python_re_on_the_corpus") else {
        return;
    };
    let patterns = load_pat_dir(&dir).unwrap();
    assert_eq!(patterns.len(), 146);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut lines = String::new();
    let mut ours = String::new();
    let mut cases = Vec::new();
    for np in &patterns {
        let p = Pattern::parse(&np.pattern).unwrap();
        let mut py = String::new();
        to_python(p.ast(), &mut py);
        let ci = Matcher::new(&p, MatchMode::CaseInsensitive).unwrap();
        let lower = Matcher::new(&p, MatchMode::LowercaseDataOnly).unwrap();
        for input in inputs_for(&p, &mut rng) {
            for (mode, m) in [("ci", &ci), ("lower", &lower)] {
                lines.push_str(&format!(
                    "{mode}\t{}\t{}\n",
                    hex(py.as_bytes()),
                    hex(&input)
                ));
                ours.push(if m.is_match(&input) { '1' } else { '0' });
                cases.push((np.name.clone(), mode, input.clone()));
            }
        }
    }
    assert!(cases.len() > 5000);
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(REFERENCE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = String::from_utf8(output.stdout).unwrap();
    let theirs = theirs.trim();
    assert_eq!(theirs.len(), ours.len());
    let mut disagreements = Vec::new();
    for (i, (a, b)) in ours.chars().zip(theirs.chars()).enumerate() {
        if a != b {
            let (name, mode, input) = &cases[i];
            disagreements.push(format!(
                "{name} [{mode}] ours={a} re={b} input={}",
                String::from_utf8_lossy(input)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // the generated inputs exercise both outcomes
    assert!(ours.contains('1') && ours.contains('0'));
    let matched = ours.chars().filter(|c| *c == '1').count();
    eprintln!("{} cases, {matched} matches", ours.len());
}
