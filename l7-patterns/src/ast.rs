//! The syntax tree of a Layer 7 pattern, with byte spans into the source.

use std::fmt;
use std::ops::Range;

/// One node of a parsed pattern.
///
/// Every node carries the byte range of the source it came from, so diagnostics can point at it.
/// Nodes are built only by [`Pattern::parse`](crate::Pattern::parse).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ast {
    /// What this node is.
    pub kind: AstKind,
    /// Byte range of the node in the pattern source.
    pub span: Range<usize>,
    /// Nesting depth of this node (1 for a leaf); bounded by [`NEST_LIMIT`](crate::NEST_LIMIT).
    pub(crate) depth: u32,
}

/// The kinds of node in a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AstKind {
    /// Matches the empty string (an empty pattern, group or alternative).
    Empty,
    /// One byte.
    Literal(Literal),
    /// `.`: any byte.
    Dot,
    /// `^`: the start of the collected data.
    Start,
    /// `$`: the end of the collected data (as it stands after a packet).
    End,
    /// A bracket expression `[...]`.
    Class(Class),
    /// A parenthesised group `( ... )`.
    Group(Box<Ast>),
    /// A repeated node.
    Repeat {
        /// The repeated node.
        ast: Box<Ast>,
        /// The repetition operator.
        op: RepeatOp,
    },
    /// A sequence, matched one after the other.
    Concat(Vec<Ast>),
    /// Alternatives separated by `|`.
    Alternation(Vec<Ast>),
}

/// A literal byte and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Literal {
    /// The byte.
    pub byte: u8,
    /// How the source spelled it.
    pub kind: LiteralKind,
}

/// How a literal byte was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteralKind {
    /// As itself, e.g. `a`.
    Verbatim,
    /// As `\c` (the backslash makes any character literal, including `\d`, which is a `d`).
    Escaped,
    /// As `\xHH`.
    Hex,
}

/// A bracket expression.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Class {
    /// `[^...]`: the set is complemented.
    pub negated: bool,
    /// The members, in source order.
    pub items: Vec<ClassItem>,
}

/// One member of a bracket expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClassItem {
    /// One byte.
    Byte(u8),
    /// An inclusive range of bytes.
    Range(u8, u8),
    /// A POSIX named class such as `[:digit:]`.
    Named(NamedClass),
}

/// POSIX named classes (`[:alpha:]` and friends), in the C locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum NamedClass {
    Alnum,
    Alpha,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    Upper,
    Xdigit,
}

impl NamedClass {
    /// Looks a class up by its name (`"digit"`).
    pub fn from_name(name: &[u8]) -> Option<NamedClass> {
        Some(match name {
            b"alnum" => NamedClass::Alnum,
            b"alpha" => NamedClass::Alpha,
            b"blank" => NamedClass::Blank,
            b"cntrl" => NamedClass::Cntrl,
            b"digit" => NamedClass::Digit,
            b"graph" => NamedClass::Graph,
            b"lower" => NamedClass::Lower,
            b"print" => NamedClass::Print,
            b"punct" => NamedClass::Punct,
            b"space" => NamedClass::Space,
            b"upper" => NamedClass::Upper,
            b"xdigit" => NamedClass::Xdigit,
            _ => return None,
        })
    }

    /// The class name as written between `[:` and `:]`.
    pub fn name(self) -> &'static str {
        match self {
            NamedClass::Alnum => "alnum",
            NamedClass::Alpha => "alpha",
            NamedClass::Blank => "blank",
            NamedClass::Cntrl => "cntrl",
            NamedClass::Digit => "digit",
            NamedClass::Graph => "graph",
            NamedClass::Lower => "lower",
            NamedClass::Print => "print",
            NamedClass::Punct => "punct",
            NamedClass::Space => "space",
            NamedClass::Upper => "upper",
            NamedClass::Xdigit => "xdigit",
        }
    }

    /// Whether `b` belongs to the class (C locale).
    pub fn contains(self, b: u8) -> bool {
        match self {
            NamedClass::Alnum => b.is_ascii_alphanumeric(),
            NamedClass::Alpha => b.is_ascii_alphabetic(),
            NamedClass::Blank => b == b' ' || b == b'\t',
            NamedClass::Cntrl => b.is_ascii_control(),
            NamedClass::Digit => b.is_ascii_digit(),
            NamedClass::Graph => b.is_ascii_graphic(),
            NamedClass::Lower => b.is_ascii_lowercase(),
            NamedClass::Print => b.is_ascii_graphic() || b == b' ',
            NamedClass::Punct => b.is_ascii_punctuation(),
            NamedClass::Space => matches!(b, b' ' | b'\t'..=b'\r'),
            NamedClass::Upper => b.is_ascii_uppercase(),
            NamedClass::Xdigit => b.is_ascii_hexdigit(),
        }
    }
}

/// A repetition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RepeatOp {
    /// `?`
    ZeroOrOne,
    /// `*`
    ZeroOrMore,
    /// `+`
    OneOrMore,
    /// `{m}`, `{m,}` or `{m,n}` (accepted with a warning: not every RouterOS version supports bounds).
    Bounded {
        /// Minimum count.
        min: u32,
        /// Maximum count; `None` for `{m,}`.
        max: Option<u32>,
    },
}

impl RepeatOp {
    /// The least number of repetitions.
    pub fn min(self) -> u32 {
        match self {
            RepeatOp::ZeroOrOne | RepeatOp::ZeroOrMore => 0,
            RepeatOp::OneOrMore => 1,
            RepeatOp::Bounded { min, .. } => min,
        }
    }

    /// The greatest number of repetitions, `None` if unbounded.
    pub fn max(self) -> Option<u32> {
        match self {
            RepeatOp::ZeroOrOne => Some(1),
            RepeatOp::ZeroOrMore | RepeatOp::OneOrMore => None,
            RepeatOp::Bounded { max, .. } => max,
        }
    }
}

impl Class {
    /// The set of bytes this bracket expression matches, as written (no case folding).
    pub fn byte_set(&self) -> ByteSet {
        let mut set = ByteSet::EMPTY;
        for item in &self.items {
            match *item {
                ClassItem::Byte(b) => set.insert(b),
                ClassItem::Range(a, b) => set.insert_range(a, b),
                ClassItem::Named(n) => {
                    for b in 0..=255u8 {
                        if n.contains(b) {
                            set.insert(b);
                        }
                    }
                }
            }
        }
        if self.negated {
            set.complement()
        } else {
            set
        }
    }
}

/// A set of bytes (a 256-bit bitmap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    /// No bytes.
    pub const EMPTY: ByteSet = ByteSet([0; 4]);
    /// Every byte.
    pub const FULL: ByteSet = ByteSet([u64::MAX; 4]);

    /// The set holding only `b`.
    pub fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.insert(b);
        s
    }

    /// Adds `b`.
    pub fn insert(&mut self, b: u8) {
        let i = usize::from(b >> 6);
        if let Some(word) = self.0.get_mut(i) {
            *word |= 1u64 << (b & 63);
        }
    }

    /// Adds every byte from `a` to `b` inclusive.
    pub fn insert_range(&mut self, a: u8, b: u8) {
        for x in a..=b {
            self.insert(x);
        }
    }

    /// Whether `b` is in the set.
    pub fn contains(&self, b: u8) -> bool {
        let i = usize::from(b >> 6);
        self.0.get(i).is_some_and(|w| w & (1u64 << (b & 63)) != 0)
    }

    /// The bytes not in the set.
    pub fn complement(self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// Number of bytes in the set.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(move |b| self.contains(*b))
    }

    /// The members as inclusive ranges, ascending.
    pub fn ranges(&self) -> Vec<(u8, u8)> {
        let mut out: Vec<(u8, u8)> = Vec::new();
        for b in self.iter() {
            match out.last_mut() {
                Some((_, end)) if end.checked_add(1) == Some(b) => *end = b,
                _ => out.push((b, b)),
            }
        }
        out
    }
}

impl Ast {
    pub(crate) fn new(kind: AstKind, span: Range<usize>) -> Ast {
        let depth = match &kind {
            AstKind::Group(inner) => inner.depth.saturating_add(1),
            AstKind::Repeat { ast, .. } => ast.depth.saturating_add(1),
            AstKind::Concat(v) | AstKind::Alternation(v) => v
                .iter()
                .map(|a| a.depth)
                .max()
                .unwrap_or(0)
                .saturating_add(1),
            _ => 1,
        };
        Ast { kind, span, depth }
    }

    /// The children of this node, in order.
    pub fn children(&self) -> &[Ast] {
        match &self.kind {
            AstKind::Group(inner) => std::slice::from_ref(inner),
            AstKind::Repeat { ast, .. } => std::slice::from_ref(ast),
            AstKind::Concat(v) | AstKind::Alternation(v) => v,
            _ => &[],
        }
    }

    /// Visits every node in pre-order with an explicit stack (no recursion).
    pub fn walk(&self, mut f: impl FnMut(&Ast)) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            f(node);
            stack.extend(node.children().iter().rev());
        }
    }
}

pub(crate) fn write_byte_outside(f: &mut fmt::Formatter<'_>, b: u8) -> fmt::Result {
    match b {
        b'.' | b'[' | b']' | b'(' | b')' | b'|' | b'*' | b'+' | b'?' | b'{' | b'}' | b'^'
        | b'$' | b'\\' => write!(f, "\\{}", char::from(b)),
        b if b.is_ascii_graphic() || b == b' ' => write!(f, "{}", char::from(b)),
        b => write!(f, "\\x{b:02x}"),
    }
}

fn write_byte_inside(f: &mut fmt::Formatter<'_>, b: u8) -> fmt::Result {
    if b.is_ascii_alphanumeric() {
        write!(f, "{}", char::from(b))
    } else {
        write!(f, "\\x{b:02x}")
    }
}

impl fmt::Display for Ast {
    /// Prints the node back in the RouterOS dialect (a canonical spelling: parsing it again gives
    /// the same tree, up to spans and literal spelling).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Depth is bounded by NEST_LIMIT, so this recursion is bounded too.
        match &self.kind {
            AstKind::Empty => Ok(()),
            AstKind::Literal(l) => write_byte_outside(f, l.byte),
            AstKind::Dot => f.write_str("."),
            AstKind::Start => f.write_str("^"),
            AstKind::End => f.write_str("$"),
            AstKind::Class(c) => {
                f.write_str("[")?;
                if c.negated {
                    f.write_str("^")?;
                }
                for item in &c.items {
                    match *item {
                        ClassItem::Byte(b) => write_byte_inside(f, b)?,
                        ClassItem::Range(a, b) => {
                            write_byte_inside(f, a)?;
                            f.write_str("-")?;
                            write_byte_inside(f, b)?;
                        }
                        ClassItem::Named(n) => write!(f, "[:{}:]", n.name())?,
                    }
                }
                f.write_str("]")
            }
            AstKind::Group(inner) => write!(f, "({inner})"),
            AstKind::Repeat { ast, op } => {
                write!(f, "{ast}")?;
                match op {
                    RepeatOp::ZeroOrOne => f.write_str("?"),
                    RepeatOp::ZeroOrMore => f.write_str("*"),
                    RepeatOp::OneOrMore => f.write_str("+"),
                    RepeatOp::Bounded { min, max: None } => write!(f, "{{{min},}}"),
                    RepeatOp::Bounded {
                        min,
                        max: Some(max),
                    } if max == min => {
                        write!(f, "{{{min}}}")
                    }
                    RepeatOp::Bounded {
                        min,
                        max: Some(max),
                    } => write!(f, "{{{min},{max}}}"),
                }
            }
            AstKind::Concat(v) => v.iter().try_for_each(|a| write!(f, "{a}")),
            AstKind::Alternation(v) => {
                for (i, a) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str("|")?;
                    }
                    write!(f, "{a}")?;
                }
                Ok(())
            }
        }
    }
}
