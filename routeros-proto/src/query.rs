//! The query language of `print`: building query words, parsing them, and evaluating them.
//!
//! RouterOS evaluates query words in order on a stack of booleans, per item:
//!
//! | word        | pushes                                                      |
//! |-------------|-------------------------------------------------------------|
//! | `?name`     | true if the item has a value for `name`                     |
//! | `?-name`    | true if the item has no value for `name`                    |
//! | `?name=x`   | true if `name` equals `x` (also written `?=name=x`)         |
//! | `?<name=x`  | true if `name` is less than `x`                             |
//! | `?>name=x`  | true if `name` is greater than `x`                          |
//! | `?#ops`     | applies stack operations, see below                         |
//!
//! In `?#ops`, a run of digits is a stack index (0 is the top): followed by another character it
//! pushes a copy of that value; at the end of the word it replaces the whole stack with that
//! value. `!` negates the top, `&` and `|` pop two values and push their conjunction or
//! disjunction, and `.` after an index does nothing while elsewhere it pushes a copy of the top.
//! An item is selected when all values left on the stack are true.
//!
//! Build queries with [`Query`], which compiles a boolean expression to these words so that users
//! never write them by hand:
//!
//! ```
//! use routeros_proto::Query;
//! let q = Query::eq("type", "ether").or(Query::eq("type", "vlan")).and(Query::has_not("disabled").not());
//! let words: Vec<String> = q.to_words().iter().map(|w| String::from_utf8_lossy(w).into_owned()).collect();
//! assert_eq!(words, ["?type=ether", "?type=vlan", "?#|", "?-disabled", "?#!", "?#&"]);
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::{Lossy, ProtocolError};

/// A query expression that compiles to query words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Query {
    /// `?name`: the property has a value.
    Has(Bytes),
    /// `?-name`: the property has no value.
    HasNot(Bytes),
    /// `?name=value`: the property equals `value`.
    Eq(Bytes, Bytes),
    /// `?<name=value`.
    Lt(Bytes, Bytes),
    /// `?>name=value`.
    Gt(Bytes, Bytes),
    /// Negation (`?#!`).
    Not(Box<Query>),
    /// Conjunction of all (`?#&`); empty is true.
    And(Vec<Query>),
    /// Disjunction of any (`?#|`); empty is false.
    Or(Vec<Query>),
}

fn b(s: impl AsRef<[u8]>) -> Bytes {
    Bytes::copy_from_slice(s.as_ref())
}

impl Query {
    /// `name` has a value.
    pub fn has(name: impl AsRef<[u8]>) -> Self {
        Self::Has(b(name))
    }
    /// `name` has no value.
    pub fn has_not(name: impl AsRef<[u8]>) -> Self {
        Self::HasNot(b(name))
    }
    /// `name` equals `value`.
    pub fn eq(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        Self::Eq(b(name), b(value))
    }
    /// `name` is less than `value`.
    pub fn lt(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        Self::Lt(b(name), b(value))
    }
    /// `name` is greater than `value`.
    pub fn gt(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        Self::Gt(b(name), b(value))
    }
    /// Negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Self::Not(Box::new(self))
    }
    /// `self` and `other`.
    pub fn and(self, other: Query) -> Self {
        match self {
            Self::And(mut v) => {
                v.push(other);
                Self::And(v)
            }
            q => Self::And(vec![q, other]),
        }
    }
    /// `self` or `other`.
    pub fn or(self, other: Query) -> Self {
        match self {
            Self::Or(mut v) => {
                v.push(other);
                Self::Or(v)
            }
            q => Self::Or(vec![q, other]),
        }
    }

    /// The query words, in order.
    pub fn to_words(&self) -> Vec<Bytes> {
        let mut out = Vec::new();
        self.push_words(&mut out);
        out
    }

    fn push_words(&self, out: &mut Vec<Bytes>) {
        let simple = |prefix: &[u8], name: &Bytes, value: Option<&Bytes>| {
            let mut w = BytesMut::with_capacity(2 + name.len() + value.map_or(0, |v| v.len() + 1));
            w.put_slice(prefix);
            w.put_slice(name);
            if let Some(v) = value {
                w.put_u8(b'=');
                w.put_slice(v);
            }
            w.freeze()
        };
        match self {
            Self::Has(n) => out.push(simple(b"?", n, None)),
            Self::HasNot(n) => out.push(simple(b"?-", n, None)),
            Self::Eq(n, v) => out.push(simple(b"?", n, Some(v))),
            Self::Lt(n, v) => out.push(simple(b"?<", n, Some(v))),
            Self::Gt(n, v) => out.push(simple(b"?>", n, Some(v))),
            Self::Not(q) => {
                q.push_words(out);
                out.push(Bytes::from_static(b"?#!"));
            }
            Self::And(qs) | Self::Or(qs) => {
                let (op, empty) = match self {
                    Self::And(_) => (b'&', Query::has(".id")),
                    _ => (b'|', Query::has_not(".id")),
                };
                if qs.is_empty() {
                    // Every item has an `.id`: a constant true (and its negation, false).
                    empty.push_words(out);
                    return;
                }
                for (i, q) in qs.iter().enumerate() {
                    q.push_words(out);
                    if i > 0 {
                        out.push(Bytes::copy_from_slice(&[b'?', b'#', op]));
                    }
                }
            }
        }
    }
}

/// One query word as a server receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryWord {
    /// `?name`.
    Has(Bytes),
    /// `?-name`.
    HasNot(Bytes),
    /// `?name=value` or `?=name=value`.
    Eq(Bytes, Bytes),
    /// `?<name=value`.
    Lt(Bytes, Bytes),
    /// `?>name=value`.
    Gt(Bytes, Bytes),
    /// `?#ops`: the operation string.
    Ops(Bytes),
}

impl QueryWord {
    /// Parses a word starting with `?`.
    pub fn parse(word: &Bytes) -> Result<Self, ProtocolError> {
        let bad = || ProtocolError::BadQuery(Lossy::new(word));
        let body = word.strip_prefix(b"?").ok_or_else(bad)?;
        let off = word.len() - body.len();
        let split = |from: usize| -> Result<(Bytes, Bytes), ProtocolError> {
            let rest = word.get(from..).ok_or_else(bad)?;
            let eq = rest.iter().position(|&c| c == b'=').ok_or_else(bad)?;
            Ok((word.slice(from..from + eq), word.slice(from + eq + 1..)))
        };
        Ok(match body.first() {
            None => return Err(bad()),
            Some(b'#') => Self::Ops(word.slice(off + 1..)),
            Some(b'-') => Self::HasNot(word.slice(off + 1..)),
            Some(b'<') => {
                let (n, v) = split(off + 1)?;
                Self::Lt(n, v)
            }
            Some(b'>') => {
                let (n, v) = split(off + 1)?;
                Self::Gt(n, v)
            }
            Some(b'=') => {
                let (n, v) = split(off + 1)?;
                Self::Eq(n, v)
            }
            Some(_) => match body.iter().position(|&c| c == b'=') {
                Some(eq) => Self::Eq(word.slice(off..off + eq), word.slice(off + eq + 1..)),
                None => Self::Has(word.slice(off..)),
            },
        })
    }
}

/// Most values the evaluation stack may hold (a `?#` word could otherwise push millions).
pub const MAX_QUERY_STACK: usize = 1024;

fn compare(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let num = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| s.parse::<i128>().ok())
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// Evaluates query words against one item, whose properties `get` looks up by name.
///
/// Values compare as integers when both sides are integers, and as bytes otherwise. An empty
/// query selects every item. A malformed operation (popping an empty stack, an index beyond the
/// stack, an unknown character) is a [`ProtocolError::BadQuery`].
pub fn evaluate<'a, F>(words: &[QueryWord], get: F) -> Result<bool, ProtocolError>
where
    F: Fn(&[u8]) -> Option<&'a [u8]>,
{
    let mut stack: Vec<bool> = Vec::new();
    for word in words {
        let push = |stack: &mut Vec<bool>, v: bool, w: &[u8]| {
            if stack.len() >= MAX_QUERY_STACK {
                return Err(ProtocolError::BadQuery(Lossy::new(w)));
            }
            stack.push(v);
            Ok(())
        };
        match word {
            QueryWord::Has(n) => push(&mut stack, get(n).is_some(), n)?,
            QueryWord::HasNot(n) => push(&mut stack, get(n).is_none(), n)?,
            QueryWord::Eq(n, v) => push(&mut stack, get(n) == Some(v.as_ref()), n)?,
            QueryWord::Lt(n, v) => {
                push(&mut stack, get(n).is_some_and(|x| compare(x, v).is_lt()), n)?
            }
            QueryWord::Gt(n, v) => {
                push(&mut stack, get(n).is_some_and(|x| compare(x, v).is_gt()), n)?
            }
            QueryWord::Ops(ops) => apply_ops(&mut stack, ops)?,
        }
    }
    Ok(stack.iter().all(|&v| v))
}

fn apply_ops(stack: &mut Vec<bool>, ops: &[u8]) -> Result<(), ProtocolError> {
    let bad = || ProtocolError::BadQuery(Lossy::new(ops));
    let mut i = 0;
    let mut after_index = false;
    while let Some(&c) = ops.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while ops.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let digits = ops.get(start..i).ok_or_else(bad)?;
            let idx: usize = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .ok_or_else(bad)?;
            let pos = stack.len().checked_sub(idx + 1).ok_or_else(bad)?;
            let value = *stack.get(pos).ok_or_else(bad)?;
            if i == ops.len() {
                stack.clear();
                stack.push(value);
                return Ok(());
            }
            if stack.len() >= MAX_QUERY_STACK {
                return Err(bad());
            }
            stack.push(value);
            after_index = true;
            continue;
        }
        match c {
            b'!' => {
                let top = stack.last_mut().ok_or_else(bad)?;
                *top = !*top;
            }
            b'&' | b'|' => {
                let x = stack.pop().ok_or_else(bad)?;
                let y = stack.pop().ok_or_else(bad)?;
                stack.push(if c == b'&' { x && y } else { x || y });
            }
            b'.' if after_index => {}
            b'.' => {
                let top = *stack.last().ok_or_else(bad)?;
                if stack.len() >= MAX_QUERY_STACK {
                    return Err(bad());
                }
                stack.push(top);
            }
            _ => return Err(bad()),
        }
        after_index = false;
        i += 1;
    }
    Ok(())
}
