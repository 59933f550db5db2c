//! Token recognisers over a byte cursor, mirroring libsinsp's lexing helpers
//! (`lex_blank`, `lex_helper_str`, and the POSIX regexes of `parser.cpp`).
//!
//! Every recogniser stops only at ASCII bytes or at the end of the input, so every position
//! the cursor takes is a `char` boundary of the (UTF-8) condition: non-ASCII bytes are
//! always "inside" the negated classes and never in the positive ones.

use crate::ast::Span;

/// libsinsp's `lex_blank`: space, `\t`, `\b`, `\r`, `\n` (not `\f`, not `\v`).
pub(super) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x08 | b'\r' | b'\n')
}

/// POSIX `[[:space:]]` (used by the regexes): space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(super) fn is_space_class(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The last token libsinsp's lexer produced (`m_last_token`), kept as a span: its text is
/// only needed for the "unexpected token after '…'" message.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LastTok {
    pub(super) span: Span,
    /// A quoted string: libsinsp keeps the unescaped content without quotes.
    pub(super) quoted: bool,
}

/// A cursor over the condition bytes.
#[derive(Debug)]
pub(super) struct Cursor<'a> {
    pub(super) src: &'a str,
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
    pub(super) last: LastTok,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(src: &'a str) -> Cursor<'a> {
        Cursor {
            src,
            b: src.as_bytes(),
            pos: 0,
            last: LastTok::default(),
        }
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// `src[start..end]`, or `""` if the range is not on char boundaries (never the case for
    /// ranges produced by the recognisers).
    pub(super) fn text(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    fn set_last(&mut self, start: usize, end: usize) {
        self.last = LastTok {
            span: Span::new(start, end),
            quoted: false,
        };
    }

    /// Skip blanks; true if at least one was skipped. Does not change the last token.
    pub(super) fn blank(&mut self) -> bool {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if !is_blank(b) {
                break;
            }
            self.pos += 1;
        }
        self.pos > start
    }

    /// `lex_helper_str`: the exact (ASCII) string `s` at the cursor.
    pub(super) fn lit(&mut self, s: &str) -> bool {
        let end = self.pos + s.len();
        if self.b.get(self.pos..end) == Some(s.as_bytes()) {
            self.set_last(self.pos, end);
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// A word operator: `s` followed by at least one blank (consumed). Backtracks otherwise.
    pub(super) fn word_op(&mut self, s: &str) -> bool {
        let (pos, last) = (self.pos, self.last);
        if self.lit(s) {
            if self.blank() {
                return true;
            }
            self.pos = pos;
            self.last = last;
        }
        false
    }

    /// `(not[[:space:]]+)`.
    pub(super) fn not_blank(&mut self) -> bool {
        if self.b.get(self.pos..self.pos + 3) != Some(b"not") {
            return false;
        }
        let mut end = self.pos + 3;
        while self.peek_at(end).is_some_and(is_space_class) {
            end += 1;
        }
        if end == self.pos + 3 {
            return false;
        }
        self.set_last(self.pos, end);
        self.pos = end;
        true
    }

    /// Length of `[a-zA-Z]+[a-zA-Z0-9_]*` at `at` (0 if none).
    fn ident_len(&self, at: usize) -> usize {
        if !self.peek_at(at).is_some_and(|b| b.is_ascii_alphabetic()) {
            return 0;
        }
        let mut end = at + 1;
        while self.peek_at(end).is_some_and(is_ident_continue) {
            end += 1;
        }
        end - at
    }

    /// True if an identifier starts at the cursor (libsinsp's `list_value_follows` probe).
    pub(super) fn ident_follows(&self) -> bool {
        self.ident_len(self.pos) > 0
    }

    /// `([a-zA-Z]+[a-zA-Z0-9_]*)`.
    pub(super) fn identifier(&mut self) -> Option<Span> {
        let n = self.ident_len(self.pos);
        if n == 0 {
            return None;
        }
        let span = Span::new(self.pos, self.pos + n);
        self.set_last(span.start, span.end);
        self.pos = span.end;
        Some(span)
    }

    /// `([a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+)`, longest match.
    pub(super) fn field_name(&mut self) -> Option<Span> {
        let first = self.ident_len(self.pos);
        if first == 0 {
            return None;
        }
        let mut end = self.pos + first;
        let mut segments = 0;
        while self.peek_at(end) == Some(b'.') {
            let n = self.ident_len(end + 1);
            if n == 0 {
                break;
            }
            end += 1 + n;
            segments += 1;
        }
        if segments == 0 {
            return None;
        }
        let span = Span::new(self.pos, end);
        self.set_last(span.start, span.end);
        self.pos = end;
        Some(span)
    }

    /// Consume a non-empty run of bytes accepted by `ok`.
    fn run(&mut self, ok: impl Fn(u8) -> bool) -> Option<Span> {
        let start = self.pos;
        let mut end = start;
        while self.peek_at(end).is_some_and(&ok) {
            end += 1;
        }
        if end == start {
            return None;
        }
        self.set_last(start, end);
        self.pos = end;
        Some(Span::new(start, end))
    }

    /// `([^][\"'[:space:]]+)`: a bare field argument.
    pub(super) fn field_arg_bare(&mut self) -> Option<Span> {
        self.run(|b| !matches!(b, b'[' | b']' | b'"' | b'\'') && !is_space_class(b))
    }

    /// `([^()\"'[:space:]=,]+)`: a bare string value.
    pub(super) fn bare_str(&mut self) -> Option<Span> {
        self.run(|b| !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !is_space_class(b))
    }

    /// `(0[xX][0-9a-fA-F]+)`.
    pub(super) fn hex_num(&mut self) -> Option<Span> {
        let s = self.pos;
        if self.peek_at(s) != Some(b'0') || !matches!(self.peek_at(s + 1), Some(b'x' | b'X')) {
            return None;
        }
        let mut end = s + 2;
        while self.peek_at(end).is_some_and(|b| b.is_ascii_hexdigit()) {
            end += 1;
        }
        if end == s + 2 {
            return None;
        }
        self.set_last(s, end);
        self.pos = end;
        Some(Span::new(s, end))
    }

    /// `([+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?)`, longest match.
    pub(super) fn num(&mut self) -> Option<Span> {
        let s = self.pos;
        let mut end = s;
        if matches!(self.peek_at(end), Some(b'+' | b'-')) {
            end += 1;
        }
        let digits_start = end;
        while self.peek_at(end).is_some_and(|b| b.is_ascii_digit()) {
            end += 1;
        }
        if end == digits_start {
            return None;
        }
        if self.peek_at(end) == Some(b'.') {
            end += 1;
        }
        while self.peek_at(end).is_some_and(|b| b.is_ascii_digit()) {
            end += 1;
        }
        if matches!(self.peek_at(end), Some(b'e' | b'E'))
            && matches!(self.peek_at(end + 1), Some(b'+' | b'-'))
            && self.peek_at(end + 2).is_some_and(|b| b.is_ascii_digit())
        {
            end += 3;
            while self.peek_at(end).is_some_and(|b| b.is_ascii_digit()) {
                end += 1;
            }
        }
        self.set_last(s, end);
        self.pos = end;
        Some(Span::new(s, end))
    }

    /// `lex_hex_num() || lex_num()`.
    pub(super) fn number(&mut self) -> Option<Span> {
        self.hex_num().or_else(|| self.num())
    }

    /// libsinsp's `lex_quoted_str`, up to (not including) unescaping: a `"` or `'` string
    /// ending at the first matching quote not preceded by a backslash (so `"a\\"` does not
    /// end at its last quote: libsinsp looks at the previous byte only). A NUL byte ends the
    /// input for this scan, as with libsinsp's C-string cursor. Returns the raw span
    /// (quotes included); on failure the cursor does not move.
    pub(super) fn quoted_raw(&mut self) -> Option<Span> {
        let start = self.pos;
        let delim = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return None,
        };
        let mut prev = b'\\';
        let mut i = start;
        while let Some(c) = self.peek_at(i) {
            if c == 0 {
                break;
            }
            if c == delim && prev != b'\\' {
                let span = Span::new(start, i + 1);
                self.last = LastTok { span, quoted: true };
                self.pos = i + 1;
                return Some(span);
            }
            prev = c;
            i += 1;
        }
        None
    }
}

/// An escape error: message and the span of the offending escape sequence.
pub(super) type EscapeError = (String, Span);

/// libsinsp 0.25.4's `unescape_str` applied to a raw quoted token (quotes included, as
/// returned by [`Cursor::quoted_raw`]); `offset` is the token's position in the condition.
///
/// Escapes: `\b \f \n \r \t \\ \/`, `\"` only in `"…"`, `\'` only in `'…'`, and the
/// legacy `\ ` which libsinsp turns into a lone backslash. Anything else (including `\x`)
/// is `unsupported string escape sequence: \c`.
pub(super) fn unescape(raw: &str, offset: usize) -> Result<String, EscapeError> {
    let bytes = raw.as_bytes();
    let delim = bytes.first().copied().unwrap_or(b'"');
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((j, e)) = chars.next() else {
            // Cannot happen for tokens from `quoted_raw` (the closing quote would be
            // escaped), but keep the backslash rather than fail.
            out.push('\\');
            break;
        };
        let span = Span::new(offset + 1 + i, offset + 1 + j + e.len_utf8());
        match e {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            ' ' | '\\' => out.push('\\'),
            '/' => out.push('/'),
            '"' if delim == b'"' => out.push('"'),
            '"' => return Err(("invalid \\\" escape in '-quoted string".into(), span)),
            '\'' if delim == b'\'' => out.push('\''),
            '\'' => return Err(("invalid \\' escape in \"-quoted string".into(), span)),
            other => {
                return Err((
                    format!("unsupported string escape sequence: \\{other}"),
                    span,
                ));
            }
        }
    }
    Ok(out)
}
