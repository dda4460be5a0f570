//! The parser: nom parsers for the tokens (escapes, bounds, bracket expressions) and an explicit
//! stack for groups and alternation, so nesting never recurses on the call stack.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1, take_while_m_n};
use nom::character::complete::digit1;
use nom::combinator::{map, map_res, opt};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use crate::ast::{Ast, AstKind, Class, ClassItem, Literal, LiteralKind, NamedClass, RepeatOp};
use crate::error::{ParseError, ParseErrorKind};
use crate::{MAX_PATTERN_BYTES, NEST_LIMIT};

/// Largest count allowed in `{m,n}` (POSIX `RE_DUP_MAX`).
pub const MAX_BOUND: u32 = 255;

fn hex_value(digits: &[u8]) -> Result<u8, std::num::ParseIntError> {
    let s = std::str::from_utf8(digits).unwrap_or("zz");
    u8::from_str_radix(s, 16)
}

/// `\xHH`
fn hex_escape(i: &[u8]) -> IResult<&[u8], u8> {
    preceded(
        tag(&b"\\x"[..]),
        map_res(
            take_while_m_n(2, 2, |c: u8| c.is_ascii_hexdigit()),
            hex_value,
        ),
    )
    .parse(i)
}

fn number(i: &[u8]) -> IResult<&[u8], u32> {
    map_res(digit1, |d: &[u8]| {
        std::str::from_utf8(d).unwrap_or("x").parse::<u32>()
    })
    .parse(i)
}

/// `{m}`, `{m,}`, `{m,n}`: `(min, Some(max))` or `(min, None)`.
fn bound(i: &[u8]) -> IResult<&[u8], (u32, Option<u32>)> {
    delimited(
        tag(&b"{"[..]),
        alt((
            (number, preceded(tag(&b","[..]), opt(number))).map(|(m, n)| (m, n)),
            map(number, |m| (m, Some(m))),
        )),
        tag(&b"}"[..]),
    )
    .parse(i)
}

/// `[:name:]`
fn named_class(i: &[u8]) -> IResult<&[u8], &[u8]> {
    delimited(
        tag(&b"[:"[..]),
        take_while1(|c: u8| c.is_ascii_alphabetic()),
        tag(&b":]"[..]),
    )
    .parse(i)
}

struct Frame {
    open: usize,
    alts: Vec<Ast>,
    concat: Vec<Ast>,
    concat_start: usize,
}

impl Frame {
    fn new(open: usize, concat_start: usize) -> Frame {
        Frame {
            open,
            alts: Vec::new(),
            concat: Vec::new(),
            concat_start,
        }
    }

    fn finish_concat(&mut self, end: usize) {
        let concat = std::mem::take(&mut self.concat);
        let node = match concat.len() {
            0 => Ast::new(AstKind::Empty, self.concat_start..self.concat_start),
            1 => concat
                .into_iter()
                .next()
                .unwrap_or_else(|| Ast::new(AstKind::Empty, 0..0)),
            _ => Ast::new(AstKind::Concat(concat), self.concat_start..end),
        };
        self.alts.push(node);
    }

    fn finish(mut self, end: usize) -> Ast {
        self.finish_concat(end);
        if self.alts.len() == 1 {
            self.alts
                .pop()
                .unwrap_or_else(|| Ast::new(AstKind::Empty, 0..0))
        } else {
            let start = self.alts.first().map_or(end, |a| a.span.start);
            Ast::new(AstKind::Alternation(self.alts), start..end)
        }
    }
}

pub(crate) fn parse(src: &str) -> Result<Ast, ParseError> {
    let err = |kind, span| ParseError::new(kind, span, src);
    let bytes = src.as_bytes();
    if bytes.len() > MAX_PATTERN_BYTES {
        return Err(err(
            ParseErrorKind::TooLong(MAX_PATTERN_BYTES),
            MAX_PATTERN_BYTES..bytes.len(),
        ));
    }
    let check_depth = |ast: Ast| -> Result<Ast, ParseError> {
        if ast.depth > NEST_LIMIT {
            Err(ParseError::new(
                ParseErrorKind::NestTooDeep(NEST_LIMIT),
                ast.span,
                src,
            ))
        } else {
            Ok(ast)
        }
    };
    let mut stack: Vec<Frame> = vec![Frame::new(0, 0)];
    let mut pos = 0usize;
    while let Some(&c) = bytes.get(pos) {
        let rest = bytes.get(pos..).unwrap_or_default();
        let Some(frame) = stack.last_mut() else { break };
        match c {
            b'(' => {
                if rest.get(1) == Some(&b'?') {
                    return Err(err(
                        ParseErrorKind::Unsupported(
                            "`(?...)` groups (non-capturing, look-around, inline flags)",
                        ),
                        pos..pos + 2,
                    ));
                }
                if stack.len() > NEST_LIMIT as usize {
                    return Err(err(ParseErrorKind::NestTooDeep(NEST_LIMIT), pos..pos + 1));
                }
                stack.push(Frame::new(pos, pos + 1));
                pos += 1;
            }
            b')' => {
                if stack.len() < 2 {
                    return Err(err(ParseErrorKind::UnopenedGroup, pos..pos + 1));
                }
                let Some(inner) = stack.pop() else { break };
                let open = inner.open;
                let node = check_depth(Ast::new(
                    AstKind::Group(Box::new(inner.finish(pos))),
                    open..pos + 1,
                ))?;
                if let Some(parent) = stack.last_mut() {
                    parent.concat.push(node);
                }
                pos += 1;
            }
            b'|' => {
                frame.finish_concat(pos);
                frame.concat_start = pos + 1;
                pos += 1;
            }
            b'*' | b'+' | b'?' | b'{' => {
                let (op, len) = match c {
                    b'*' => (RepeatOp::ZeroOrMore, 1),
                    b'+' => (RepeatOp::OneOrMore, 1),
                    b'?' => (RepeatOp::ZeroOrOne, 1),
                    _ => match bound(rest) {
                        Ok((after, (min, max))) => {
                            let len = rest.len() - after.len();
                            if min > MAX_BOUND || max.is_some_and(|m| m > MAX_BOUND || m < min) {
                                return Err(err(ParseErrorKind::InvalidBound, pos..pos + len));
                            }
                            (RepeatOp::Bounded { min, max }, len)
                        }
                        Err(_) => {
                            // Not a bound: a literal `{` (the kernel engine had no bounds).
                            let lit = Literal {
                                byte: c,
                                kind: LiteralKind::Verbatim,
                            };
                            frame
                                .concat
                                .push(Ast::new(AstKind::Literal(lit), pos..pos + 1));
                            pos += 1;
                            continue;
                        }
                    },
                };
                let repeatable = frame
                    .concat
                    .last()
                    .is_some_and(|a| !matches!(a.kind, AstKind::Start | AstKind::End));
                if !repeatable {
                    return Err(err(ParseErrorKind::NothingToRepeat, pos..pos + len));
                }
                let Some(last) = frame.concat.pop() else {
                    break;
                };
                let start = last.span.start;
                let node = check_depth(Ast::new(
                    AstKind::Repeat {
                        ast: Box::new(last),
                        op,
                    },
                    start..pos + len,
                ))?;
                frame.concat.push(node);
                pos += len;
            }
            b'[' => {
                let (class, len) = parse_class(bytes, pos, src)?;
                frame
                    .concat
                    .push(Ast::new(AstKind::Class(class), pos..pos + len));
                pos += len;
            }
            b'.' | b'^' | b'$' => {
                let kind = match c {
                    b'.' => AstKind::Dot,
                    b'^' => AstKind::Start,
                    _ => AstKind::End,
                };
                frame.concat.push(Ast::new(kind, pos..pos + 1));
                pos += 1;
            }
            b'\\' => {
                let (lit, len) = parse_escape(rest, pos, src)?;
                frame
                    .concat
                    .push(Ast::new(AstKind::Literal(lit), pos..pos + len));
                pos += len;
            }
            _ => {
                let lit = Literal {
                    byte: c,
                    kind: LiteralKind::Verbatim,
                };
                frame
                    .concat
                    .push(Ast::new(AstKind::Literal(lit), pos..pos + 1));
                pos += 1;
            }
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map_or(0, |f| f.open);
        return Err(err(ParseErrorKind::UnclosedGroup, open..open + 1));
    }
    let root = stack
        .pop()
        .map_or_else(|| Ast::new(AstKind::Empty, 0..0), |f| f.finish(bytes.len()));
    check_depth(root)
}

/// An escape outside brackets: `\xHH` or `\c`.
fn parse_escape(rest: &[u8], pos: usize, src: &str) -> Result<(Literal, usize), ParseError> {
    if let Ok((_, byte)) = hex_escape(rest) {
        return Ok((
            Literal {
                byte,
                kind: LiteralKind::Hex,
            },
            4,
        ));
    }
    match rest.get(1) {
        None => Err(ParseError::new(
            ParseErrorKind::TrailingBackslash,
            pos..pos + 1,
            src,
        )),
        Some(b'x') => Err(ParseError::new(
            ParseErrorKind::InvalidHexEscape,
            pos..(pos + 4).min(src.len()),
            src,
        )),
        Some(&byte) => Ok((
            Literal {
                byte,
                kind: LiteralKind::Escaped,
            },
            2,
        )),
    }
}

/// One element inside brackets: `\xHH`, `\c` or a byte. Returns the byte and its length.
fn class_elem(bytes: &[u8], pos: usize, src: &str) -> Result<(u8, usize), ParseError> {
    let rest = bytes.get(pos..).unwrap_or_default();
    match rest.first() {
        None => Err(ParseError::new(
            ParseErrorKind::UnclosedClass,
            pos..pos,
            src,
        )),
        Some(b'\\') => parse_escape(rest, pos, src).map(|(l, n)| (l.byte, n)),
        Some(&b) => Ok((b, 1)),
    }
}

/// A bracket expression starting at `open` (the `[`). Returns the class and its length.
fn parse_class(bytes: &[u8], open: usize, src: &str) -> Result<(Class, usize), ParseError> {
    let unclosed = || ParseError::new(ParseErrorKind::UnclosedClass, open..open + 1, src);
    let mut pos = open + 1;
    let negated = bytes.get(pos) == Some(&b'^');
    if negated {
        pos += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let rest = bytes.get(pos..).unwrap_or_default();
        let Some(&c) = rest.first() else {
            return Err(unclosed());
        };
        if c == b']' && !first {
            pos += 1;
            break;
        }
        first = false;
        if c == b'[' {
            match rest.get(1) {
                Some(b':') => {
                    let (after, name) = named_class(rest).map_err(|_| {
                        ParseError::new(ParseErrorKind::UnknownClassName, pos..pos + 2, src)
                    })?;
                    let len = rest.len() - after.len();
                    let named = NamedClass::from_name(name).ok_or_else(|| {
                        ParseError::new(ParseErrorKind::UnknownClassName, pos..pos + len, src)
                    })?;
                    items.push(ClassItem::Named(named));
                    pos += len;
                    continue;
                }
                Some(b'=') | Some(b'.') => {
                    return Err(ParseError::new(
                        ParseErrorKind::Unsupported(
                            "equivalence classes `[=a=]` and collating elements `[.a.]`",
                        ),
                        pos..pos + 2,
                        src,
                    ));
                }
                _ => {}
            }
        }
        let (lo, len) = class_elem(bytes, pos, src).map_err(|e| {
            if matches!(e.kind(), ParseErrorKind::UnclosedClass) {
                unclosed()
            } else {
                e
            }
        })?;
        let range_end = pos + len;
        if bytes.get(range_end) == Some(&b'-')
            && !matches!(bytes.get(range_end + 1), Some(b']') | None)
        {
            let hi_pos = range_end + 1;
            let (hi, hi_len) = class_elem(bytes, hi_pos, src)?;
            if hi < lo {
                return Err(ParseError::new(
                    ParseErrorKind::InvalidRange,
                    pos..hi_pos + hi_len,
                    src,
                ));
            }
            items.push(ClassItem::Range(lo, hi));
            pos = hi_pos + hi_len;
        } else {
            items.push(ClassItem::Byte(lo));
            pos += len;
        }
    }
    Ok((Class { negated, items }, pos - open))
}
