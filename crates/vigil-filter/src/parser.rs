//! Lexer and parser for Falco conditions, following libsinsp's `filter/parser.h` grammar
//! (falcosecurity/libs 0.25.4, the libs of Falco 0.44.1):
//!
//! ```text
//! Expr        ::= OrExpr
//! OrExpr      ::= AndExpr ('or' (Blank AndExpr | '(' Expr ')'))*
//! AndExpr     ::= NotExpr ('and' (Blank NotExpr | '(' Expr ')'))*
//! NotExpr     ::= ('not' Space+)* ('not(' Expr ')' | Check)
//! Check       ::= '(' Expr ')' | Field Condition | Transformer Condition | Identifier
//! Condition   ::= 'exists'
//!               | NumOp (NumValue | Transformer | 'val(' Field ')')
//!               | StrOp (StrValue | Transformer | 'val(' Field ')')
//!               | StrOp ('oneof '|'anyof '|'allof ') ListValue
//!               | ListOp (ListValue | Transformer | 'val(' Field ')')
//! Transformer ::= ('tolower('|'toupper('|'b64('|'basename('|'len('|'join('|'concat('|'getopt(')
//!                 TArg (',' TArg)* ')' ('[' FieldArg ']')?
//! TArg        ::= NumValue | QuotedStr | '(' (TListArg (',' TListArg)*)? ')' | Transformer | Field
//! ListValue   ::= '(' (StrValue (',' StrValue)*)? ')' | Identifier
//! Field       ::= FieldName ('[' (QuotedStr | [^][\"'[:space:]]+) ']')?
//! FieldName   ::= [a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+
//! Identifier  ::= [a-zA-Z]+[a-zA-Z0-9_]*
//! NumValue    ::= 0[xX][0-9a-fA-F]+ | [+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?
//! BareStr     ::= [^()"'[:space:]=,]+
//! ```
//!
//! Blanks are ` \t\b\r\n` (libsinsp's `lex_blank`); `[:space:]` in the regexes is
//! ` \t\n\v\f\r`. Keywords and operators are matched as prefixes, exactly as libsinsp does:
//! `and`/`or` must be followed by a blank or `(`, word operators (`contains`, `glob`, …) by a
//! blank, while `exists`, symbol operators and the list operators `in`/`intersects`/`pmatch`
//! need nothing after them (`x.y in(a)`, `x.y exists and z`).
//!
//! Differences from libsinsp, all deliberate:
//! * nesting is limited to [`MAX_DEPTH`] (Falco's setting) levels of parentheses and
//!   transformers, counted per construct; libs 0.25.4 has no effective limit (its depth guard
//!   is a temporary destroyed at once) and later libs count recursive calls (about five per
//!   parenthesis). The boolean layer uses an explicit stack, so depth costs no native stack.
//! * `val(f)[arg]`, accepted by libsinsp's parser and rejected by its compiler, is rejected
//!   here with the compiler's message (only if the rest of the condition parses).
//! * `op oneof name` (a list name Falco did not substitute) becomes a one-item
//!   [`Rhs::Modified`](crate::ast::Rhs::Modified) list holding the name, which is how
//!   libsinsp's compiler reads it.

mod grammar;
mod lex;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::ast::{Expr, Span};

/// Maximum nesting of parentheses and transformers (Falco configures libsinsp's parser with
/// a max depth of 1000).
const MAX_DEPTH: usize = 1000;

/// A syntax error in a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// libsinsp-compatible message, e.g. `unexpected token after 'execve', expecting 'or', 'and'`.
    pub message: String,
    /// Where the problem is (byte offsets into the condition).
    pub span: Span,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Line number (1-based) and line start of byte `offset` (clamped to a char boundary), and
/// the clamped offset. Line breaks are `\n`, `\r\n` and a lone `\r` (libsinsp counts both
/// `\r` and `\n` as line breaks in its positions).
fn line_bounds(src: &str, offset: usize) -> (usize, usize, usize) {
    let b = src.as_bytes();
    let offset = floor_char_boundary(src, offset);
    let head = &b[..offset];
    let is_break = |i: usize| !(b[i] == b'\r' && b.get(i + 1) == Some(&b'\n'));
    let line = 1 + memchr::memchr2_iter(b'\n', b'\r', head)
        .filter(|&i| is_break(i))
        .count();
    let line_start = memchr::memrchr2_iter(b'\n', b'\r', head)
        .find(|&i| is_break(i))
        .map_or(0, |i| i + 1);
    (line, line_start, offset)
}

fn floor_char_boundary(src: &str, offset: usize) -> usize {
    let mut o = offset.min(src.len());
    while o > 0 && !src.is_char_boundary(o) {
        o -= 1;
    }
    o
}

impl ParseError {
    /// 1-based `(line, column)` of the start of the error in `src`; the column counts
    /// characters.
    pub fn line_col(&self, src: &str) -> (usize, usize) {
        Self::line_col_at(src, self.span.start)
    }

    /// 1-based `(line, column)` of byte `offset` in `src` (column in characters). Offsets past
    /// the end or inside a character are clamped to the previous character boundary. Usable
    /// for any span into a condition (compile errors too).
    pub fn line_col_at(src: &str, offset: usize) -> (usize, usize) {
        let (line, line_start, offset) = line_bounds(src, offset);
        let col = src.get(line_start..offset).map_or(0, |s| s.chars().count());
        (line, col + 1)
    }

    /// Render with the offending source line and a caret under the problem:
    ///
    /// ```text
    /// unexpected token after 'execve', expecting 'or', 'and'
    ///  --> 1:17
    /// evt.type=execve execve
    ///                 ^^^^^^
    /// ```
    ///
    /// The carets cover the span, clipped to the line (at least one). Control characters of
    /// the shown line are displayed as spaces, tabs are kept so the caret lines up.
    pub fn render(&self, src: &str) -> String {
        /// Characters of context shown on each side of the problem on long lines.
        const CONTEXT: usize = 60;
        let (line, line_start, start) = line_bounds(src, self.span.start);
        let rest = src.get(line_start..).unwrap_or("");
        let line_end = rest
            .find(['\n', '\r'])
            .map_or(src.len(), |i| line_start + i);
        let before = src.get(line_start..start).unwrap_or("");
        let col = before.chars().count() + 1;
        let end = floor_char_boundary(src, self.span.end.max(start)).min(line_end.max(start));
        let marked = src.get(start..end).unwrap_or("");
        let width = marked.chars().count().clamp(1, 2 * CONTEXT);
        let after = src.get(end..line_end).unwrap_or("");

        // Clip long lines to a window around the problem.
        let skip = (col - 1).saturating_sub(CONTEXT);
        let shown_before: String = before.chars().skip(skip).collect();
        let mut shown = String::new();
        if skip > 0 {
            shown.push_str("...");
        }
        let pad_prefix = if skip > 0 { "   " } else { "" };
        let display = |c: char| if c.is_control() && c != '\t' { ' ' } else { c };
        shown.extend(shown_before.chars().map(display));
        shown.extend(marked.chars().take(2 * CONTEXT).map(display));
        if marked.chars().nth(2 * CONTEXT).is_some() {
            shown.push_str("...");
        } else {
            shown.extend(after.chars().take(CONTEXT).map(display));
            if after.chars().nth(CONTEXT).is_some() {
                shown.push_str("...");
            }
        }
        let pad: String = shown_before
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{}\n --> {}:{}\n{}\n{}{}{}",
            self.message,
            line,
            col,
            shown.trim_end(),
            pad_prefix,
            pad,
            "^".repeat(width)
        )
    }
}

/// Parse a condition into an [`Expr`] with byte spans. Macro references are left as
/// [`Expr::Ident`]; errors carry libsinsp's messages.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    grammar::Parser::new(src).parse()
}
