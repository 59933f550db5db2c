//! The grammar of libsinsp's `filter/parser.cpp`, with an explicit stack for the boolean
//! layer (`or`/`and`/`not`/parentheses) so that nesting never grows the native stack.
//! Operands (fields, transformers, values) are parsed recursively; their nesting counts
//! towards the same depth limit.

use super::lex::{Cursor, EscapeError, is_blank, unescape};
use super::{MAX_DEPTH, ParseError};
use crate::ast::{
    Check, Expr, FieldName, ListModifier, Literal, Op, Operand, Rhs, Span, Transform, TransformArg,
    TransformKind,
};

type PResult<T> = Result<T, ParseError>;

/// `supported_operators()` in libsinsp's order (unary, numeric, string, list).
const OPERATORS_LIST: &str = "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', \
     'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', \
     'intersects', 'in', 'pmatch'";

/// `supported_field_transformers(true)`.
const TRANSFORMERS_LIST: &str =
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";

const TRANSFORMERS: [(&str, TransformKind); 8] = [
    ("tolower(", TransformKind::ToLower),
    ("toupper(", TransformKind::ToUpper),
    ("b64(", TransformKind::B64),
    ("basename(", TransformKind::Basename),
    ("len(", TransformKind::Len),
    ("join(", TransformKind::Join),
    ("concat(", TransformKind::Concat),
    ("getopt(", TransformKind::Getopt),
];

/// String operators in libsinsp's lexing order; `true` = word operator (needs a blank).
const STR_OPS: [(&str, Op, bool); 12] = [
    ("==", Op::Eq, false),
    ("=", Op::Eq, false),
    ("!=", Op::Ne, false),
    ("glob", Op::Glob, true),
    ("iglob", Op::IGlob, true),
    ("contains", Op::Contains, true),
    ("icontains", Op::IContains, true),
    ("bcontains", Op::BContains, true),
    ("startswith", Op::StartsWith, true),
    ("bstartswith", Op::BStartsWith, true),
    ("endswith", Op::EndsWith, true),
    ("regex", Op::Regex, true),
];

const NUM_OPS: [(&str, Op); 4] = [("<=", Op::Le), ("<", Op::Lt), (">=", Op::Ge), (">", Op::Gt)];

const LIST_OPS: [(&str, Op); 3] = [
    ("intersects", Op::Intersects),
    ("in", Op::In),
    ("pmatch", Op::Pmatch),
];

const MODIFIERS: [(&str, ListModifier); 3] = [
    ("oneof", ListModifier::OneOf),
    ("anyof", ListModifier::AnyOf),
    ("allof", ListModifier::AllOf),
];

/// An expression with its extent in the source (parentheses around it included), so that
/// parents' spans cover their children's parentheses.
struct Item {
    expr: Expr,
    start: usize,
    end: usize,
}

/// Pending `not` prefixes of a `NotExpr` (libsinsp toggles: `not not a` is `a`).
#[derive(Clone, Copy)]
struct NotPrefix {
    negate: bool,
    start: usize,
}

impl NotPrefix {
    fn apply(self, item: Item) -> Item {
        if !self.negate {
            return item;
        }
        Item {
            expr: Expr::Not {
                child: Box::new(item.expr),
                span: Span::new(self.start, item.end),
            },
            start: self.start,
            end: item.end,
        }
    }
}

/// What an open parenthesis group will become once closed.
enum GroupKind {
    /// The whole condition.
    Top,
    /// `( … )` or `not( … )` in a `NotExpr`/`Check` position.
    Paren(NotPrefix),
    /// `and( … )`: a direct child of the and-chain.
    AndParen,
    /// `or( … )`: a direct child of the or-chain; no `and` may follow it in the same group
    /// (libsinsp's `parse_or` loop only looks for `or` after it).
    OrParen,
}

struct Frame {
    kind: GroupKind,
    /// Position of the `(` (or 0 for the top level).
    open: usize,
    ors: Vec<Item>,
    ands: Vec<Item>,
}

impl Frame {
    fn new(kind: GroupKind, open: usize) -> Frame {
        Frame {
            kind,
            open,
            ors: Vec::new(),
            ands: Vec::new(),
        }
    }
}

enum State {
    /// At the start of a `NotExpr`.
    NotExpr,
    /// After a `NotExpr` (or an `and(…)` child): look for `and`.
    AfterAnd(Item),
    /// After an `AndExpr` (or an `or(…)` child): look for `or`.
    AfterOr(Item),
}

fn build(items: Vec<Item>, and: bool) -> Option<Item> {
    if items.len() <= 1 {
        return items.into_iter().next();
    }
    let start = items.first().map_or(0, |i| i.start);
    let end = items.last().map_or(0, |i| i.end);
    let span = Span::new(start, end);
    let children: Vec<Expr> = items.into_iter().map(|i| i.expr).collect();
    let expr = if and {
        Expr::And { children, span }
    } else {
        Expr::Or { children, span }
    };
    Some(Item { expr, start, end })
}

pub(super) struct Parser<'a> {
    cur: Cursor<'a>,
    depth: usize,
    /// An error libsinsp raises at compile time for a construct our AST cannot carry
    /// (`val(x)[arg]`); reported only if the whole condition parses.
    deferred: Option<ParseError>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Parser<'a> {
        Parser {
            cur: Cursor::new(src),
            depth: 0,
            deferred: None,
        }
    }

    // ----- errors -------------------------------------------------------------------------

    /// The span of the token-ish text at `at`: a run of non-blank bytes other than
    /// parentheses (or the single parenthesis there), empty at the end of the input.
    fn token_span_at(&self, at: usize) -> Span {
        let b = self.cur.b;
        if at >= b.len() {
            return Span::new(b.len(), b.len());
        }
        if matches!(b[at], b'(' | b')') {
            return Span::new(at, at + 1);
        }
        let mut end = at;
        while end < b.len() && !is_blank(b[end]) && !matches!(b[end], b'(' | b')') {
            end += 1;
        }
        if end == at {
            // A blank (e.g. `\f` is not one, `\n` is): point at that one char.
            end = at + 1;
        }
        // Never split a UTF-8 sequence (runs stop at ASCII bytes, but be safe).
        while end < b.len() && !self.cur.src.is_char_boundary(end) {
            end += 1;
        }
        Span::new(at, end)
    }

    fn err_here(&self, msg: impl Into<String>) -> ParseError {
        ParseError {
            message: msg.into(),
            span: self.token_span_at(self.cur.pos),
        }
    }

    fn err_span(msg: impl Into<String>, span: Span) -> ParseError {
        ParseError {
            message: msg.into(),
            span,
        }
    }

    fn escape_err((message, span): EscapeError) -> ParseError {
        ParseError { message, span }
    }

    fn enter(&mut self, at: usize) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Self::err_span(
                format!("exceeded max depth limit of {MAX_DEPTH}"),
                Span::new(at, (at + 1).min(self.cur.b.len())),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// libsinsp's `m_last_token` text.
    fn last_token_text(&self) -> String {
        let s = self.cur.last.span;
        let raw = self.cur.text(s.start, s.end);
        if self.cur.last.quoted {
            unescape(raw, s.start).unwrap_or_else(|_| raw.to_string())
        } else {
            raw.to_string()
        }
    }

    // ----- boolean layer ---------------------------------------------------------------------

    pub(super) fn parse(mut self) -> PResult<Expr> {
        if self.cur.b.is_empty() {
            return Err(Self::err_span(
                "filter input string is empty",
                Span::new(0, 0),
            ));
        }
        let expr = self.parse_expr()?;
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        Ok(expr)
    }

    fn push_group(&mut self, stack: &mut Vec<Frame>, kind: GroupKind, open: usize) -> PResult<()> {
        self.enter(open)?;
        stack.push(Frame::new(kind, open));
        Ok(())
    }

    fn parse_expr(&mut self) -> PResult<Expr> {
        let mut stack: Vec<Frame> = vec![Frame::new(GroupKind::Top, 0)];
        let mut state = State::NotExpr;
        loop {
            state = match state {
                State::NotExpr => {
                    self.cur.blank();
                    let start = self.cur.pos;
                    let mut negate = false;
                    while self.cur.not_blank() {
                        negate = !negate;
                    }
                    let open = self.cur.pos;
                    if self.cur.lit("not(") {
                        negate = !negate;
                        let not = NotPrefix { negate, start };
                        self.push_group(&mut stack, GroupKind::Paren(not), open + 3)?;
                        continue;
                    }
                    let not = NotPrefix { negate, start };
                    self.cur.blank();
                    let open = self.cur.pos;
                    if self.cur.lit("(") {
                        self.push_group(&mut stack, GroupKind::Paren(not), open)?;
                        continue;
                    }
                    let item = self.parse_check()?;
                    State::AfterAnd(not.apply(item))
                }
                State::AfterAnd(item) => {
                    let Some(frame) = stack.last_mut() else {
                        return Err(self.err_here("parser fatal error: recursion is unbalanced"));
                    };
                    frame.ands.push(item);
                    self.cur.blank();
                    let kw = self.cur.pos;
                    if self.cur.lit("and") {
                        if !self.cur.blank() {
                            let open = self.cur.pos;
                            if !self.cur.lit("(") {
                                return Err(self.keyword_err("and", kw));
                            }
                            self.push_group(&mut stack, GroupKind::AndParen, open)?;
                        }
                        State::NotExpr
                    } else {
                        let ands = std::mem::take(&mut frame.ands);
                        match build(ands, true) {
                            Some(item) => State::AfterOr(item),
                            None => {
                                return Err(self.err_here("parser fatal error: empty and-chain"));
                            }
                        }
                    }
                }
                State::AfterOr(item) => {
                    let Some(frame) = stack.last_mut() else {
                        return Err(self.err_here("parser fatal error: recursion is unbalanced"));
                    };
                    frame.ors.push(item);
                    self.cur.blank();
                    let kw = self.cur.pos;
                    if self.cur.lit("or") {
                        if !self.cur.blank() {
                            let open = self.cur.pos;
                            if !self.cur.lit("(") {
                                return Err(self.keyword_err("or", kw));
                            }
                            self.push_group(&mut stack, GroupKind::OrParen, open)?;
                        }
                        State::NotExpr
                    } else {
                        let ors = std::mem::take(&mut frame.ors);
                        let Some(item) = build(ors, false) else {
                            return Err(self.err_here("parser fatal error: empty or-chain"));
                        };
                        let Some(frame) = stack.pop() else {
                            return Err(
                                self.err_here("parser fatal error: recursion is unbalanced")
                            );
                        };
                        if let GroupKind::Top = frame.kind {
                            if !self.cur.at_end() {
                                return Err(self.err_here(format!(
                                    "unexpected token after '{}', expecting 'or', 'and'",
                                    self.last_token_text()
                                )));
                            }
                            return Ok(item.expr);
                        }
                        self.cur.blank();
                        if !self.cur.lit(")") {
                            return Err(self.err_here("expected a ')' token"));
                        }
                        self.leave();
                        let closed = Item {
                            expr: item.expr,
                            start: frame.open,
                            end: self.cur.pos,
                        };
                        match frame.kind {
                            GroupKind::Paren(not) => State::AfterAnd(not.apply(closed)),
                            GroupKind::AndParen => State::AfterAnd(closed),
                            GroupKind::OrParen => State::AfterOr(closed),
                            GroupKind::Top => State::AfterOr(closed),
                        }
                    }
                }
            };
        }
    }

    /// `expected blank or '(' after 'and'` with a span over the keyword and what sticks to it.
    fn keyword_err(&self, kw: &str, at: usize) -> ParseError {
        let end = self.token_span_at(at).end.max(at + kw.len());
        Self::err_span(
            format!("expected blank or '(' after '{kw}'"),
            Span::new(at, end),
        )
    }

    // ----- checks --------------------------------------------------------------------------

    /// `Check` minus the parenthesised alternative: a field or transformer check, or an
    /// identifier.
    fn parse_check(&mut self) -> PResult<Item> {
        let start = self.cur.pos;
        if let Some(name) = self.cur.field_name() {
            let field = self.parse_field_remainder(name)?;
            return self.parse_condition(Operand::Field(field), start);
        }
        if let Some(kind) = self.lex_transformer_type() {
            self.cur.blank();
            let t = self.parse_transformer_remainder(kind, start)?;
            return self.parse_condition(Operand::Transform(Box::new(t)), start);
        }
        if let Some(span) = self.cur.identifier() {
            return Ok(Item {
                expr: Expr::Ident {
                    name: self.cur.text(span.start, span.end).to_string(),
                    span,
                },
                start: span.start,
                end: span.end,
            });
        }
        Err(self.err_here("expected a '(' token, a field check, or an identifier"))
    }

    fn parse_field_remainder(&mut self, name: Span) -> PResult<FieldName> {
        let arg = self.parse_optional_field_arg()?;
        Ok(FieldName {
            name: self.cur.text(name.start, name.end).to_string(),
            arg,
            span: Span::new(name.start, self.cur.pos),
        })
    }

    /// `('[' (QuotedStr | FieldArgBareStr) ']')?`
    fn parse_optional_field_arg(&mut self) -> PResult<Option<String>> {
        if !self.cur.lit("[") {
            return Ok(None);
        }
        let arg = if let Some(s) = self.cur.quoted_raw() {
            unescape(self.cur.text(s.start, s.end), s.start).map_err(Self::escape_err)?
        } else if let Some(s) = self.cur.field_arg_bare() {
            self.cur.text(s.start, s.end).to_string()
        } else {
            return Err(
                self.err_here("expected a valid field argument: a quoted string or a bare string")
            );
        };
        if !self.cur.lit("]") {
            return Err(self.err_here("expected a ']' token"));
        }
        Ok(Some(arg))
    }

    fn lex_transformer_type(&mut self) -> Option<TransformKind> {
        for (kw, kind) in TRANSFORMERS {
            if self.cur.lit(kw) {
                // libsinsp pops the '(' from the last token.
                self.cur.last.span.end -= 1;
                return Some(kind);
            }
        }
        None
    }

    /// After `kind(`: `Arg (',' Arg)* ')' ('[' FieldArg ']')?`, where
    /// `Arg ::= NumValue | QuotedStr | '(' (ListArg (',' ListArg)*)? ')' | Transformer | Field`
    /// and `ListArg ::= Field | Transformer | QuotedStr | NumValue`.
    ///
    /// Nested transformers and transformer lists use an explicit stack (no recursion).
    fn parse_transformer_remainder(
        &mut self,
        kind: TransformKind,
        start: usize,
    ) -> PResult<Transform> {
        enum Frame {
            Transform {
                kind: TransformKind,
                start: usize,
                args: Vec<TransformArg>,
            },
            List {
                start: usize,
                items: Vec<TransformArg>,
            },
        }
        enum Step {
            /// Parse a transformer argument (top frame is a transformer).
            Arg,
            /// Parse a transformer-list item (top frame is a list).
            ListArg,
            /// An argument or item was read; add it to the top frame.
            Produced(TransformArg),
        }

        self.enter(start)?;
        let mut stack = vec![Frame::Transform {
            kind,
            start,
            args: Vec::new(),
        }];
        let mut step = Step::Arg;
        loop {
            step = match step {
                Step::Arg => {
                    self.cur.blank();
                    let at = self.cur.pos;
                    if let Some(s) = self.cur.number() {
                        Step::Produced(TransformArg::Literal(self.literal(s, false)?))
                    } else if let Some(s) = self.cur.quoted_raw() {
                        Step::Produced(TransformArg::Literal(self.literal(s, true)?))
                    } else if self.cur.lit("(") {
                        self.enter(at)?;
                        self.cur.blank();
                        if self.cur.lit(")") {
                            self.leave();
                            Step::Produced(TransformArg::List {
                                items: Vec::new(),
                                span: Span::new(at, self.cur.pos),
                            })
                        } else {
                            stack.push(Frame::List {
                                start: at,
                                items: Vec::new(),
                            });
                            Step::ListArg
                        }
                    } else if let Some(kind) = self.lex_transformer_type() {
                        self.enter(at)?;
                        stack.push(Frame::Transform {
                            kind,
                            start: at,
                            args: Vec::new(),
                        });
                        Step::Arg
                    } else if let Some(name) = self.cur.field_name() {
                        let f = self.parse_field_remainder(name)?;
                        Step::Produced(TransformArg::Operand(Operand::Field(f)))
                    } else {
                        return Err(self.err_here(
                            "expected field transformer argument: field, transformer, quoted \
                             string, number, or transformer list",
                        ));
                    }
                }
                Step::ListArg => {
                    let at = self.cur.pos;
                    if let Some(name) = self.cur.field_name() {
                        let f = self.parse_field_remainder(name)?;
                        Step::Produced(TransformArg::Operand(Operand::Field(f)))
                    } else if let Some(kind) = self.lex_transformer_type() {
                        self.enter(at)?;
                        stack.push(Frame::Transform {
                            kind,
                            start: at,
                            args: Vec::new(),
                        });
                        Step::Arg
                    } else if let Some(s) = self.cur.quoted_raw() {
                        Step::Produced(TransformArg::Literal(self.literal(s, true)?))
                    } else if let Some(s) = self.cur.number() {
                        Step::Produced(TransformArg::Literal(self.literal(s, false)?))
                    } else {
                        return Err(self.err_here(
                            "expected transformer list argument: field, transformer, quoted \
                             string, or number",
                        ));
                    }
                }
                Step::Produced(arg) => match stack.last_mut() {
                    Some(Frame::Transform { args, .. }) => {
                        args.push(arg);
                        self.cur.blank();
                        if self.cur.lit(",") {
                            Step::Arg
                        } else {
                            self.cur.blank();
                            if !self.cur.lit(")") {
                                return Err(
                                    self.err_here("expected a ')' token closing the transformer")
                                );
                            }
                            let arg = self.parse_optional_field_arg()?;
                            self.leave();
                            let Some(Frame::Transform { kind, start, args }) = stack.pop() else {
                                return Err(self.err_here("parser fatal error: transformer stack"));
                            };
                            let t = Transform {
                                kind,
                                args,
                                arg,
                                span: Span::new(start, self.cur.pos),
                            };
                            if stack.is_empty() {
                                return Ok(t);
                            }
                            Step::Produced(TransformArg::Operand(Operand::Transform(Box::new(t))))
                        }
                    }
                    Some(Frame::List { items, .. }) => {
                        items.push(arg);
                        self.cur.blank();
                        if self.cur.lit(",") {
                            self.cur.blank();
                            Step::ListArg
                        } else {
                            if !self.cur.lit(")") {
                                return Err(self.err_here("expected ')'"));
                            }
                            self.leave();
                            let Some(Frame::List { start, items }) = stack.pop() else {
                                return Err(self.err_here("parser fatal error: transformer stack"));
                            };
                            Step::Produced(TransformArg::List {
                                items,
                                span: Span::new(start, self.cur.pos),
                            })
                        }
                    }
                    None => return Err(self.err_here("parser fatal error: transformer stack")),
                },
            };
        }
    }

    fn literal(&self, span: Span, quoted: bool) -> PResult<Literal> {
        let raw = self.cur.text(span.start, span.end);
        let text = if quoted {
            unescape(raw, span.start).map_err(Self::escape_err)?
        } else {
            raw.to_string()
        };
        Ok(Literal { text, quoted, span })
    }

    fn check_item(&self, lhs: Operand, op: Op, rhs: Option<Rhs>, start: usize) -> Item {
        let end = self.cur.last.span.end.max(start);
        Item {
            expr: Expr::Check(Box::new(Check {
                lhs,
                op,
                rhs,
                span: Span::new(start, end),
            })),
            start,
            end,
        }
    }

    /// `Condition` after the left-hand side.
    fn parse_condition(&mut self, lhs: Operand, start: usize) -> PResult<Item> {
        self.cur.blank();
        if self.cur.lit("exists") {
            return Ok(self.check_item(lhs, Op::Exists, None, start));
        }
        self.cur.blank();
        for (s, op) in NUM_OPS {
            if self.cur.lit(s) {
                let rhs = self.parse_num_value_or_transformer()?;
                return Ok(self.check_item(lhs, op, Some(rhs), start));
            }
        }
        for (s, op, word) in STR_OPS {
            let matched = if word {
                self.cur.word_op(s)
            } else {
                self.cur.lit(s)
            };
            if !matched {
                continue;
            }
            let had_blank = word || self.cur.blank();
            let (saved_pos, saved_last) = (self.cur.pos, self.cur.last);
            if had_blank
                && let Some(m) = self.lex_modifier()
                && self.list_value_follows()
                && !self.bool_keyword_follows()
            {
                let rhs = self.parse_modified_list(m)?;
                return Ok(self.check_item(lhs, op, Some(rhs), start));
            }
            self.cur.pos = saved_pos;
            self.cur.last = saved_last;
            let rhs = self.parse_str_value_or_transformer()?;
            return Ok(self.check_item(lhs, op, Some(rhs), start));
        }
        for (s, op) in LIST_OPS {
            if self.cur.lit(s) {
                let rhs = self.parse_list_value_or_transformer()?;
                return Ok(self.check_item(lhs, op, Some(rhs), start));
            }
        }
        Err(self.err_here(format!(
            "expected a valid check operator: one of {OPERATORS_LIST}"
        )))
    }

    fn lex_modifier(&mut self) -> Option<ListModifier> {
        MODIFIERS
            .into_iter()
            .find_map(|(s, m)| self.cur.word_op(s).then_some(m))
    }

    fn list_value_follows(&self) -> bool {
        self.cur.peek() == Some(b'(') || self.cur.ident_follows()
    }

    /// `and`, `or` or `not` at the cursor, not followed by an ASCII alphanumeric.
    fn bool_keyword_follows(&self) -> bool {
        let rest = self.cur.b.get(self.cur.pos..).unwrap_or(&[]);
        ["and", "or", "not"].iter().any(|kw| {
            rest.starts_with(kw.as_bytes())
                && !rest
                    .get(kw.len())
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        })
    }

    fn parse_num_value_or_transformer(&mut self) -> PResult<Rhs> {
        self.cur.blank();
        if let Some(rhs) = self.try_parse_transformer_or_val()? {
            return Ok(rhs);
        }
        if let Some(s) = self.cur.number() {
            return Ok(Rhs::Value(self.literal(s, false)?));
        }
        Err(self.err_here(format!(
            "expected a number value or a field with a valid transformer: {TRANSFORMERS_LIST}"
        )))
    }

    fn parse_str_value_or_transformer(&mut self) -> PResult<Rhs> {
        self.cur.blank();
        if let Some(rhs) = self.try_parse_transformer_or_val()? {
            return Ok(rhs);
        }
        if let Some(lit) = self.lex_str_value()? {
            return Ok(Rhs::Value(lit));
        }
        Err(self.err_here(format!(
            "expected a string value or a field with a valid transformer: {TRANSFORMERS_LIST}"
        )))
    }

    /// `QuotedStr | BareStr`, or `None` if neither is at the cursor.
    fn lex_str_value(&mut self) -> PResult<Option<Literal>> {
        if let Some(s) = self.cur.quoted_raw() {
            return self.literal(s, true).map(Some);
        }
        if let Some(s) = self.cur.bare_str() {
            return self.literal(s, false).map(Some);
        }
        Ok(None)
    }

    /// libsinsp's `try_parse_list_expr`: `'(' (StrValue (',' StrValue)*)? ')'`.
    ///
    /// As in libsinsp, any failure to read the *first* item is taken to mean "empty list"
    /// (then `)` must follow). That includes an invalid escape in a quoted first item, after
    /// which the cursor is past the string: `x in ("\q")` is an empty list in libsinsp too.
    fn try_parse_list(&mut self) -> PResult<Option<(Vec<Literal>, Span)>> {
        let start = self.cur.pos;
        if !self.cur.lit("(") {
            return Ok(None);
        }
        let mut items = Vec::new();
        self.cur.blank();
        let first = if let Some(s) = self.cur.quoted_raw() {
            self.literal(s, true).ok()
        } else if let Some(s) = self.cur.bare_str() {
            self.literal(s, false).ok()
        } else {
            None
        };
        if let Some(first) = first {
            items.push(first);
            self.cur.blank();
            while self.cur.lit(",") {
                self.cur.blank();
                match self.lex_str_value()? {
                    Some(lit) => items.push(lit),
                    None => return Err(self.err_here("expected a string value")),
                }
                self.cur.blank();
            }
        }
        if !self.cur.lit(")") {
            return Err(self.err_here("expected a ')' token"));
        }
        Ok(Some((items, Span::new(start, self.cur.pos))))
    }

    /// After `op oneof `: a list, or an identifier (a list name Falco did not substitute,
    /// which libsinsp compares as a one-item list of that name).
    fn parse_modified_list(&mut self, modifier: ListModifier) -> PResult<Rhs> {
        self.cur.blank();
        if let Some((items, span)) = self.try_parse_list()? {
            return Ok(Rhs::Modified {
                modifier,
                items,
                span,
            });
        }
        if let Some(span) = self.cur.identifier() {
            let lit = self.literal(span, false)?;
            return Ok(Rhs::Modified {
                modifier,
                items: vec![lit],
                span,
            });
        }
        Err(self.err_here("expected a list or an identifier"))
    }

    fn parse_list_value_or_transformer(&mut self) -> PResult<Rhs> {
        self.cur.blank();
        if let Some((items, span)) = self.try_parse_list()? {
            return Ok(Rhs::List { items, span });
        }
        if let Some(rhs) = self.try_parse_transformer_or_val()? {
            return Ok(rhs);
        }
        if let Some(span) = self.cur.identifier() {
            return Ok(Rhs::ListRef {
                name: self.cur.text(span.start, span.end).to_string(),
                span,
            });
        }
        Err(self.err_here(format!(
            "expected a list, an identifier, or a field with a valid transformer: \
             {TRANSFORMERS_LIST}"
        )))
    }

    /// `val(Field)` or a transformer on the right-hand side, if one is at the cursor.
    fn try_parse_transformer_or_val(&mut self) -> PResult<Option<Rhs>> {
        self.cur.blank();
        let start = self.cur.pos;
        if self.cur.lit("val(") {
            self.enter(start)?;
            self.cur.blank();
            let Some(name) = self.cur.field_name() else {
                return Err(self.err_here("expected a field within 'val' transformer"));
            };
            let field = self.parse_field_remainder(name)?;
            self.cur.blank();
            if !self.cur.lit(")") {
                return Err(self.err_here("expected a ')' token closing the transformer"));
            }
            let arg_start = self.cur.pos;
            if self.parse_optional_field_arg()?.is_some() && self.deferred.is_none() {
                // libsinsp accepts this syntax and fails when compiling it.
                self.deferred = Some(Self::err_span(
                    "filter error: transformer 'val' does not support field arguments",
                    Span::new(arg_start, self.cur.pos),
                ));
            }
            self.leave();
            return Ok(Some(Rhs::Operand(Operand::Field(field))));
        }
        if let Some(kind) = self.lex_transformer_type() {
            self.cur.blank();
            let t = self.parse_transformer_remainder(kind, start)?;
            return Ok(Some(Rhs::Operand(Operand::Transform(Box::new(t)))));
        }
        Ok(None)
    }
}
