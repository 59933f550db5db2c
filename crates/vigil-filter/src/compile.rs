//! Typed IR and compiled matchers.
//!
//! [`compile`] resolves every field through the schema, types the operands (transformers
//! included), checks each operator against the (transformed) type as libsinsp's
//! `flt_is_comparable` does, parses the literals by type, and picks a matcher per check
//! (see [`crate::matcher`]-level notes on [`Filter`]). It also derives the event-type set
//! with libsinsp's `ppm_event_codes` rules.

use std::fmt;
use std::net::IpAddr;

use vigil_event::{
    EventTypeId, Extract, FieldArg, FieldError, FieldInfo, FieldSchema, FieldType, IpNet, Value,
};

use crate::ast::{
    Check, Expr, ListModifier, Literal, Op, Operand as AstOperand, Rhs, Span, TransformArg,
    TransformKind,
};
use crate::glob::{Glob, PathSet};
use crate::matcher::{
    BytesSet, CheckNode, Cmp, FieldCheck, IdSet, Node, Pred, PrefixSet, SuffixSet, Test, ValueSet,
};
use crate::memo::Interner;
use crate::substr::Substring;
use crate::transform::{Operand, OptInfo, TransformIr};

/// Why a condition did not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// A field the schema does not know (`filter_check called with nonexistent field x`).
    UnknownField,
    /// An `evt.type` value that is not an event type of the source
    /// (`unknown event type x`, as libsinsp's `validate_filter_value`).
    UnknownEventType,
    /// A macro reference that was not substituted (`Undefined macro 'x' used in filter.`).
    UndefinedMacro,
    /// An operator the field's type does not support.
    BadOperator,
    /// A literal that is not a valid value of the field's type.
    BadValue,
    /// A field argument that does not fit the field, or bad transformer arguments.
    BadArgument,
    /// A construct libsinsp rejects although it is well-typed (e.g. a transformer over
    /// `evt.type` in an event-type check, a right-hand field on an `evt.type` check).
    Unsupported,
}

/// A compile error with the span of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Category (lets the loader treat unknown fields under `skip-if-unknown-filter`).
    pub kind: CompileErrorKind,
    /// Falco-compatible message.
    pub message: String,
    /// Where.
    pub span: Span,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

fn err(kind: CompileErrorKind, message: impl Into<String>, span: Span) -> CompileError {
    CompileError {
        kind,
        message: message.into(),
        span,
    }
}

/// The event types a filter can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventTypes {
    /// Any event type (no restriction could be derived, or the source has no event types).
    All,
    /// Only these (sorted, deduplicated; possibly empty: the filter never matches).
    Only(Vec<EventTypeId>),
}

impl EventTypes {
    /// True when an event of type `id` may match.
    pub fn contains(&self, id: EventTypeId) -> bool {
        match self {
            EventTypes::All => true,
            EventTypes::Only(v) => v.binary_search(&id).is_ok(),
        }
    }
}

/// A compiled condition: immutable, `Send + Sync`, evaluated per event.
///
/// Performance notes:
/// * `and`/`or` short-circuit; their operands are ordered cheapest first (event-type checks,
///   then plain field checks, then transformers, regexes and modifiers). All checks are pure,
///   so this does not change results.
/// * `evt.type` checks (`=`, `!=`, `in`) compare the event's type id against a bitset; no
///   extraction.
/// * `in`/`intersects` use a linear scan up to 4 items, else an FxHash set (with a length
///   pre-check for strings); numeric sets are sorted and binary-searched.
/// * `contains` uses memchr's prebuilt SIMD finders (the 16-byte one on short haystacks,
///   see `substr.rs`); `icontains`, `contains anyof` use
///   Aho-Corasick; `startswith anyof` and an `or` of `startswith` checks on one field are
///   folded into one anchored Aho-Corasick; `endswith anyof` probes one hash set per
///   distinct suffix length; `pmatch` walks path components without allocating.
/// * Regexes and globs are compiled once.
#[derive(Debug)]
pub struct Filter {
    pub(crate) root: Node,
    event_types: EventTypes,
}

impl Filter {
    /// Evaluate against one event.
    ///
    /// A check whose field cannot be extracted is false for every operator, `!=` included;
    /// `not` negates the check's result.
    pub fn eval(&self, ev: &dyn Extract) -> bool {
        self.root.eval(ev)
    }

    /// The event types this filter can match (from its `evt.type` checks, negation included).
    pub fn event_types(&self) -> &EventTypes {
        &self.event_types
    }
}

/// Compile a macro-free expression against a schema.
pub fn compile(expr: &Expr, schema: &dyn FieldSchema) -> Result<Filter, CompileError> {
    compile_keyed(expr, schema, None)
}

/// [`compile`], marking every `and`/`or`/`not`/check with its sub-expression id in
/// `interner` when given (see [`crate::memo`]).
pub(crate) fn compile_keyed(
    expr: &Expr,
    schema: &dyn FieldSchema,
    interner: Option<&std::cell::RefCell<Interner>>,
) -> Result<Filter, CompileError> {
    let c = Compiler { schema, interner };
    let root = c.expr(expr)?;
    let n = schema.event_types().len();
    let event_types = if n == 0 {
        EventTypes::All
    } else {
        let set = c.evtypes(expr, false)?;
        if set.is_full() {
            EventTypes::All
        } else {
            EventTypes::Only(set.ids())
        }
    };
    Ok(Filter { root, event_types })
}

/// Type of an operand after transformers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OpType {
    ty: FieldType,
    list: bool,
}

/// Names used in messages (libsinsp's `param_type_to_string`-like).
fn type_name(t: FieldType) -> &'static str {
    t.as_str()
}

struct Compiler<'s> {
    schema: &'s dyn FieldSchema,
    interner: Option<&'s std::cell::RefCell<Interner>>,
}

/// sscanf("%ld%c")-like: optional leading blanks, optional sign, decimal digits, nothing after.
fn parse_i64(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// sscanf("%lu%c")-like: as [`parse_i64`], a leading `-` negates modulo 2^64.
fn parse_u64(s: &str) -> Option<u64> {
    let t = s.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: u64 = digits.parse().ok()?;
    Some(if neg { v.wrapping_neg() } else { v })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    b.chunks(2)
        .map(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

/// A few well-known service names (libsinsp uses `getservbyname`).
fn service_port(name: &str) -> Option<u16> {
    Some(match name {
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" | "dns" => 53,
        "http" => 80,
        "pop3" => 110,
        "ntp" => 123,
        "imap" => 143,
        "snmp" => 161,
        "ldap" => 389,
        "https" => 443,
        "mysql" => 3306,
        "postgresql" => 5432,
        _ => return None,
    })
}

/// A parsed literal.
enum Lit {
    Num(i128),
    Bool(bool),
    Bytes(Vec<u8>),
    Ip(IpAddr),
    Net(IpNet),
}

fn parse_literal(ty: FieldType, op: Op, lit: &Literal) -> Result<Lit, CompileError> {
    let s = lit.text.as_str();
    let bad = |m: String| err(CompileErrorKind::BadValue, m, lit.span);
    if matches!(op, Op::BContains | Op::BStartsWith) {
        return unhex(s).map(Lit::Bytes).ok_or_else(|| {
            bad("filter error: bcontains and bstartswith operator support hex strings only".into())
        });
    }
    if ty != FieldType::Bytes && s.contains('\0') {
        return Err(bad(
            "filter error: filter value cannot contain a NUL byte (\\x00)".into(),
        ));
    }
    let not_num = || bad(format!("{s} is not a valid number"));
    Ok(match ty {
        FieldType::Int => Lit::Num(i128::from(parse_i64(s).ok_or_else(not_num)?)),
        FieldType::UInt | FieldType::RelTime | FieldType::AbsTime => {
            Lit::Num(i128::from(parse_u64(s).ok_or_else(not_num)?))
        }
        FieldType::Port => {
            if s.is_empty() {
                Lit::Num(0)
            } else if s.bytes().all(|c| c.is_ascii_digit()) {
                let v: u64 = s
                    .parse()
                    .map_err(|_| bad(format!("{s} is not a valid number")))?;
                Lit::Num(i128::from(v as u16))
            } else {
                Lit::Num(i128::from(
                    service_port(s).ok_or_else(|| bad(format!("unrecognized protocol {s}")))?,
                ))
            }
        }
        FieldType::Bool => match s {
            "true" => Lit::Bool(true),
            "false" => Lit::Bool(false),
            _ => {
                return Err(bad(format!("filter error: unrecognized boolean value {s}")));
            }
        },
        FieldType::String | FieldType::Path | FieldType::Bytes => Lit::Bytes(s.as_bytes().into()),
        FieldType::Ip => {
            if s.contains('.') {
                Lit::Ip(IpAddr::V4(
                    s.parse()
                        .map_err(|_| bad(format!("unrecognized IPv4 address {s}")))?,
                ))
            } else {
                Lit::Ip(IpAddr::V6(
                    s.parse()
                        .map_err(|_| bad(format!("unrecognized IPv6 address {s}")))?,
                ))
            }
        }
        FieldType::IpNet => {
            if !s.contains('/') {
                return Err(bad(format!("unrecognized IP network {s}")));
            }
            Lit::Net(
                s.parse()
                    .map_err(|_| bad(format!("unrecognized IP network {s}")))?,
            )
        }
    })
}

fn op_allowed(op: Op, t: OpType, modifier: bool) -> Result<(), String> {
    let name = op.as_str();
    if op == Op::Exists {
        return Ok(());
    }
    if t.list {
        return if matches!(op, Op::In | Op::Intersects) {
            Ok(())
        } else {
            Err(format!("'{name}' operator not supported list filters"))
        };
    }
    use Op::*;
    match t.ty {
        ty if ty.is_numeric() => match op {
            Eq | Ne | Lt | Le | Gt | Ge | In | Intersects => Ok(()),
            _ => Err(format!(
                "'{name}' operator not supported for numeric filters"
            )),
        },
        FieldType::Bool => match op {
            Eq | Ne | In | Intersects => Ok(()),
            // sic: libsinsp says "numeric" for bool filters too
            _ => Err(format!(
                "'{name}' operator not supported for numeric filters"
            )),
        },
        FieldType::String | FieldType::Path => match op {
            BContains | BStartsWith => Err(format!(
                "'{name}' operator not supported for string filters"
            )),
            _ => Ok(()),
        },
        FieldType::Bytes => match op {
            Eq | Ne | Contains | In | StartsWith | EndsWith | Intersects | BContains
            | BStartsWith => Ok(()),
            _ => Err(format!(
                "'{name}' operator not supported for buffer filters"
            )),
        },
        _ => match op {
            Eq | Ne | In | Intersects => Ok(()),
            _ if modifier => Err(format!(
                "'{name}' with modifier not supported for ip address and network filters"
            )),
            _ => Err(format!(
                "'{name}' operator not supported for ip address and network filters"
            )),
        },
    }
}

fn boxed(v: Vec<u8>) -> Box<[u8]> {
    v.into_boxed_slice()
}

/// Build a membership set from literals of one type.
fn value_set(lits: Vec<Lit>) -> ValueSet {
    if lits.iter().all(|l| matches!(l, Lit::Num(_))) && !lits.is_empty() {
        let mut v: Vec<i128> = lits
            .into_iter()
            .filter_map(|l| if let Lit::Num(n) = l { Some(n) } else { None })
            .collect();
        v.sort_unstable();
        v.dedup();
        return ValueSet::Num(v);
    }
    let mut bytes = Vec::new();
    let (mut t, mut f) = (false, false);
    let mut ips = Vec::new();
    let mut nets = Vec::new();
    let mut kind = 0;
    for l in lits {
        match l {
            Lit::Num(n) => {
                kind = 1;
                bytes.push(boxed(n.to_string().into_bytes()))
            }
            Lit::Bytes(b) => bytes.push(boxed(b)),
            Lit::Bool(b) => {
                kind = 2;
                if b { t = true } else { f = true }
            }
            Lit::Ip(a) => {
                kind = 3;
                ips.push(a)
            }
            Lit::Net(n) => {
                kind = 4;
                nets.push(n)
            }
        }
    }
    match kind {
        2 => ValueSet::Bool { t, f },
        3 => ValueSet::Ip(ips),
        4 => ValueSet::Net(nets),
        _ => ValueSet::Bytes(BytesSet::new(bytes)),
    }
}

fn compile_regex(pat: &[u8], span: Span) -> Result<regex::bytes::Regex, CompileError> {
    let p = String::from_utf8_lossy(pat);
    regex::bytes::RegexBuilder::new(&format!("^(?:{p})$"))
        .build()
        .map_err(|e| {
            err(
                CompileErrorKind::BadValue,
                format!("invalid regex pattern: {e}"),
                span,
            )
        })
}

/// Predicate of a scalar operator against one literal.
fn scalar_pred(op: Op, lit: Lit, span: Span) -> Result<Pred, CompileError> {
    let cmp = Cmp::from_op(op);
    Ok(match (op, lit) {
        (_, Lit::Num(n)) if cmp.is_some() => Pred::Num(cmp.unwrap_or(Cmp::Eq), n),
        (_, Lit::Bool(b)) if cmp.is_some() => Pred::Bool(cmp.unwrap_or(Cmp::Eq), b),
        (_, Lit::Ip(a)) if cmp.is_some() => Pred::Ip(cmp.unwrap_or(Cmp::Eq), a),
        (_, Lit::Net(n)) if cmp.is_some() => Pred::Net(cmp.unwrap_or(Cmp::Eq), n),
        (_, Lit::Bytes(b)) if cmp.is_some() => Pred::Bytes(cmp.unwrap_or(Cmp::Eq), boxed(b)),
        (Op::Contains | Op::BContains, Lit::Bytes(b)) => {
            Pred::Contains(Box::new(Substring::new(&b)))
        }
        (Op::IContains, Lit::Bytes(b)) => match aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([&b])
        {
            Ok(ac) => Pred::AnySubstring(ac),
            Err(e) => return Err(err(CompileErrorKind::BadValue, e.to_string(), span)),
        },
        (Op::StartsWith | Op::BStartsWith, Lit::Bytes(b)) => Pred::StartsWith(boxed(b)),
        (Op::EndsWith, Lit::Bytes(b)) => Pred::EndsWith(boxed(b)),
        (Op::Glob, Lit::Bytes(b)) => Pred::Glob(Glob::new(&b, false)),
        (Op::IGlob, Lit::Bytes(b)) => Pred::Glob(Glob::new(&b, true)),
        (Op::Regex, Lit::Bytes(b)) => Pred::Regex(compile_regex(&b, span)?),
        (Op::Pmatch, Lit::Bytes(b)) => {
            let mut p = PathSet::default();
            p.add(&b);
            Pred::Pmatch(p)
        }
        (Op::In | Op::Intersects, l) => Pred::In(value_set(vec![l])),
        (op, _) => {
            return Err(err(
                CompileErrorKind::BadOperator,
                format!("'{}' operator not supported for this value", op.as_str()),
                span,
            ));
        }
    })
}

fn literal_bytes(lits: &[Lit]) -> Option<Vec<Box<[u8]>>> {
    lits.iter()
        .map(|l| match l {
            Lit::Bytes(b) => Some(boxed(b.clone())),
            _ => None,
        })
        .collect()
}

impl Compiler<'_> {
    fn expr(&self, e: &Expr) -> Result<Node, CompileError> {
        self.expr_k(e).map(|(n, _)| n)
    }

    /// The compiled node and its sub-expression id (0 without an interner); with an
    /// interner, the node is wrapped in a [`Node::Memo`] mark carrying that id.
    fn expr_k(&self, e: &Expr) -> Result<(Node, u32), CompileError> {
        let (node, ids) = match e {
            Expr::And { children, .. } => {
                let (mut v, ids) = self.children(children)?;
                v.sort_by_key(Node::cost);
                (Node::And(v.into_boxed_slice()), ids)
            }
            Expr::Or { children, .. } => {
                let (v, ids) = self.children(children)?;
                let mut v = fold_prefixes(v);
                v.sort_by_key(Node::cost);
                if v.len() == 1 {
                    (v.pop().unwrap_or(Node::Const(false)), ids)
                } else {
                    (Node::Or(v.into_boxed_slice()), ids)
                }
            }
            Expr::Not { child, .. } => {
                let (n, id) = self.expr_k(child)?;
                (Node::Not(Box::new(n)), vec![id])
            }
            Expr::Ident { name, span } => {
                return Err(err(
                    CompileErrorKind::UndefinedMacro,
                    format!("Undefined macro '{name}' used in filter."),
                    *span,
                ));
            }
            Expr::Check(c) => (self.check(c)?, Vec::new()),
        };
        let Some(interner) = self.interner else {
            return Ok((node, 0));
        };
        let mut i = interner.borrow_mut();
        let id = match e {
            Expr::Check(c) => i.check(self.schema.source(), c),
            _ => i.compound(e, &ids),
        };
        Ok((Node::Memo(id, Box::new(node)), id))
    }

    fn children(&self, children: &[Expr]) -> Result<(Vec<Node>, Vec<u32>), CompileError> {
        let mut nodes = Vec::with_capacity(children.len());
        let mut ids = Vec::with_capacity(children.len());
        for c in children {
            let (n, id) = self.expr_k(c)?;
            nodes.push(n);
            ids.push(id);
        }
        Ok((nodes, ids))
    }

    fn field_info(
        &self,
        name: &crate::ast::FieldName,
    ) -> Result<(vigil_event::FieldRef, &FieldInfo), CompileError> {
        let r = self
            .schema
            .resolve(&name.name, name.arg.as_deref())
            .map_err(|e| {
                let kind = match e {
                    FieldError::Unknown(_) => CompileErrorKind::UnknownField,
                    _ => CompileErrorKind::BadArgument,
                };
                err(kind, e.to_string(), name.span)
            })?;
        let info = self.schema.info(r.id).ok_or_else(|| {
            err(
                CompileErrorKind::UnknownField,
                format!("filter_check called with nonexistent field {}", name.name),
                name.span,
            )
        })?;
        Ok((r, info))
    }

    /// Compile an operand and compute its type.
    fn operand(&self, o: &AstOperand) -> Result<(Operand, OpType, String), CompileError> {
        match o {
            AstOperand::Field(f) => {
                let (r, info) = self.field_info(f)?;
                Ok((
                    Operand::Field(r),
                    OpType {
                        ty: info.ty,
                        list: info.list,
                    },
                    info.name.to_string(),
                ))
            }
            AstOperand::Transform(t) => self.transform(t),
        }
    }

    fn targ(&self, a: &TransformArg) -> Result<(Operand, OpType, String), CompileError> {
        match a {
            TransformArg::Operand(o) => self.operand(o),
            TransformArg::Literal(l) => Ok((
                Operand::Literal(Value::string(l.text.clone())),
                OpType {
                    ty: FieldType::String,
                    list: false,
                },
                format!("\"{}\"", l.text),
            )),
            TransformArg::List { items, .. } => {
                let mut ops = Vec::new();
                for i in items {
                    ops.push(self.targ(i)?.0);
                }
                Ok((
                    Operand::List(ops.into_boxed_slice()),
                    OpType {
                        ty: FieldType::String,
                        list: true,
                    },
                    "list".into(),
                ))
            }
        }
    }

    fn transform(
        &self,
        t: &crate::ast::Transform,
    ) -> Result<(Operand, OpType, String), CompileError> {
        let name = t.kind.as_str();
        let bad = |m: String| err(CompileErrorKind::BadArgument, m, t.span);
        if t.arg.is_some() && t.kind != TransformKind::Getopt {
            return Err(bad(format!(
                "transformer '{name}' does not accept a field argument"
            )));
        }
        let mut args = Vec::new();
        for a in &t.args {
            args.push(self.targ(a)?);
        }
        let s = |ty| OpType { ty, list: false };
        match t.kind {
            TransformKind::ToLower
            | TransformKind::ToUpper
            | TransformKind::B64
            | TransformKind::Basename
            | TransformKind::Len => {
                if args.len() != 1 || matches!(t.args[0], TransformArg::Literal(_)) {
                    return Err(bad(format!("{name}() requires exactly one field argument")));
                }
                let Some((op, ty, fname)) = args.pop() else {
                    return Err(bad(format!("{name}() requires exactly one field argument")));
                };
                let ok = match t.kind {
                    TransformKind::Len => {
                        ty.list
                            || matches!(
                                ty.ty,
                                FieldType::String | FieldType::Path | FieldType::Bytes
                            )
                    }
                    TransformKind::B64 => matches!(ty.ty, FieldType::String | FieldType::Bytes),
                    _ => matches!(ty.ty, FieldType::String | FieldType::Path),
                };
                if !ok {
                    return Err(err(
                        CompileErrorKind::BadOperator,
                        format!(
                            "can't add field transformer: type '{}' is not supported by '{name}' transformer applied on {}field '{fname}'",
                            type_name(ty.ty),
                            if ty.list { "list " } else { "" }
                        ),
                        t.span,
                    ));
                }
                let out = if t.kind == TransformKind::Len {
                    s(FieldType::UInt)
                } else {
                    ty
                };
                Ok((
                    Operand::Transform(Box::new(TransformIr {
                        kind: t.kind,
                        args: vec![op],
                        arg_is_list: ty.list,
                        arg_is_bytes: ty.ty == FieldType::Bytes,
                        selector: None,
                        optinfo: None,
                    })),
                    out,
                    format!("{name}({fname})"),
                ))
            }
            TransformKind::Join => {
                if args.len() != 2 {
                    return Err(bad(
                        "join() requires exactly 2 arguments: separator and list".into(),
                    ));
                }
                if args[0].1.list {
                    return Err(bad(
                        "join() first argument (separator) must be a single value, not a list"
                            .into(),
                    ));
                }
                if !args[1].1.list {
                    return Err(bad("join() second argument must be a list".into()));
                }
                Ok((
                    Operand::Transform(Box::new(TransformIr {
                        kind: t.kind,
                        args: args.into_iter().map(|a| a.0).collect(),
                        arg_is_list: true,
                        arg_is_bytes: false,
                        selector: None,
                        optinfo: None,
                    })),
                    s(FieldType::String),
                    "join".into(),
                ))
            }
            TransformKind::Concat => {
                if args.len() < 2 {
                    return Err(bad("concat() requires at least 2 arguments".into()));
                }
                if args
                    .iter()
                    .any(|a| a.1.list || !matches!(a.1.ty, FieldType::String | FieldType::Path))
                {
                    return Err(bad("concat() arguments must be strings".into()));
                }
                Ok((
                    Operand::Transform(Box::new(TransformIr {
                        kind: t.kind,
                        args: args.into_iter().map(|a| a.0).collect(),
                        arg_is_list: false,
                        arg_is_bytes: false,
                        selector: None,
                        optinfo: None,
                    })),
                    s(FieldType::String),
                    "concat".into(),
                ))
            }
            TransformKind::Getopt => {
                if args.len() != 2 {
                    return Err(bad(
                        "getopt() requires exactly 2 arguments: args list and optstring".into(),
                    ));
                }
                if !args[0].1.list {
                    return Err(bad("getopt() first argument must be a list".into()));
                }
                if args[1].1.list {
                    return Err(bad(
                        "getopt() second argument (optstring) must be a single value".into(),
                    ));
                }
                if args
                    .iter()
                    .any(|a| !matches!(a.1.ty, FieldType::String | FieldType::Path))
                {
                    return Err(bad("getopt() arguments must be strings".into()));
                }
                let selector = match &t.arg {
                    None => None,
                    Some(a) if a.len() == 1 => a.bytes().next(),
                    Some(_) => {
                        return Err(bad(
                            "getopt() field argument must be a single option character".into(),
                        ));
                    }
                };
                let optinfo = match &t.args[1] {
                    TransformArg::Literal(l) => Some(OptInfo::parse(l.text.as_bytes())),
                    _ => None,
                };
                Ok((
                    Operand::Transform(Box::new(TransformIr {
                        kind: t.kind,
                        args: args.into_iter().map(|a| a.0).collect(),
                        arg_is_list: true,
                        arg_is_bytes: false,
                        selector,
                        optinfo,
                    })),
                    OpType {
                        ty: FieldType::String,
                        list: selector.is_none(),
                    },
                    "getopt".into(),
                ))
            }
        }
    }

    /// The evtype field info if `o` is a plain event-type field without argument.
    fn is_evtype_field(&self, o: &AstOperand) -> bool {
        match o {
            AstOperand::Field(f) => {
                f.arg.is_none()
                    && self
                        .schema
                        .resolve(&f.name, None)
                        .ok()
                        .filter(|r| r.arg == FieldArg::None)
                        .and_then(|r| self.schema.info(r.id))
                        .is_some_and(|i| i.evtype)
            }
            AstOperand::Transform(_) => false,
        }
    }

    fn check(&self, c: &Check) -> Result<Node, CompileError> {
        let (lhs, lt, lname) = self.operand(&c.lhs)?;
        let modifier = matches!(c.rhs, Some(Rhs::Modified { .. }));
        op_allowed(c.op, lt, modifier).map_err(|m| {
            err(
                CompileErrorKind::BadOperator,
                format!("filter error: {m}"),
                c.span,
            )
        })?;
        let evtype_field = self.is_evtype_field(&c.lhs);
        if c.op == Op::Exists {
            return Ok(CheckNode {
                lhs,
                evtype: None,
                test: Test::Exists,
            }
            .into_node());
        }
        let Some(rhs) = &c.rhs else {
            return Err(err(
                CompileErrorKind::BadValue,
                format!("operator '{}' requires a value", c.op.as_str()),
                c.span,
            ));
        };
        let list_op = matches!(c.op, Op::In | Op::Intersects | Op::Pmatch);
        // Collect literal items.
        let (items, modifier): (Vec<Literal>, Option<ListModifier>) = match rhs {
            Rhs::Value(l) => (vec![l.clone()], None),
            Rhs::ListRef { name, span } => (
                vec![Literal {
                    text: name.clone(),
                    quoted: false,
                    span: *span,
                }],
                None,
            ),
            Rhs::List { items, span } => {
                if !list_op {
                    return Err(err(
                        CompileErrorKind::BadOperator,
                        format!(
                            "filter error: '{}' operator does not accept a list of values",
                            c.op.as_str()
                        ),
                        *span,
                    ));
                }
                (items.clone(), None)
            }
            Rhs::Modified {
                modifier,
                items,
                span,
            } => {
                if list_op {
                    return Err(err(
                        CompileErrorKind::BadOperator,
                        format!(
                            "filter error: '{}' operator does not accept a modifier",
                            c.op.as_str()
                        ),
                        *span,
                    ));
                }
                (items.clone(), Some(*modifier))
            }
            Rhs::Operand(o) => return self.operand_check(c, lhs, lt, &lname, o),
        };
        // Parse literals.
        let mut lits = Vec::with_capacity(items.len());
        for l in &items {
            if evtype_field
                && !self.schema.event_types().is_empty()
                && self.schema.event_type_id(&l.text).is_none()
            {
                return Err(err(
                    CompileErrorKind::UnknownEventType,
                    format!("unknown event type {}", l.text),
                    l.span,
                ));
            }
            lits.push(parse_literal(lt.ty, c.op, l)?);
        }
        // evt.type fast path.
        let evtype = if evtype_field
            && modifier.is_none()
            && !self.schema.event_types().is_empty()
            && matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::Intersects)
        {
            let mut set = IdSet::empty(self.schema.event_types().len());
            for l in &items {
                if let Some(id) = self.schema.event_type_id(&l.text) {
                    set.insert(usize::from(id));
                }
            }
            Some(if c.op == Op::Ne {
                set.complement()
            } else {
                set
            })
        } else {
            None
        };
        let test = if lt.list {
            let set = value_set(lits);
            if c.op == Op::In {
                Test::ListIn(set)
            } else {
                Test::ListIntersects(set)
            }
        } else if let Some(m) = modifier {
            Test::Scalar(modified_pred(c.op, m, lits, c.span)?)
        } else {
            match c.op {
                Op::In | Op::Intersects => Test::Scalar(Pred::In(value_set(lits))),
                Op::Pmatch => {
                    let mut p = PathSet::default();
                    for l in &lits {
                        if let Lit::Bytes(b) = l {
                            p.add(b);
                        }
                    }
                    Test::Scalar(Pred::Pmatch(p))
                }
                op => {
                    let Some(l) = lits.pop() else {
                        return Err(err(CompileErrorKind::BadValue, "missing value", c.span));
                    };
                    Test::Scalar(scalar_pred(op, l, c.span)?)
                }
            }
        };
        Ok(CheckNode { lhs, evtype, test }.into_node())
    }

    fn operand_check(
        &self,
        c: &Check,
        lhs: Operand,
        lt: OpType,
        lname: &str,
        o: &AstOperand,
    ) -> Result<Node, CompileError> {
        if matches!(c.op, Op::Pmatch | Op::Regex) {
            return Err(err(
                CompileErrorKind::BadOperator,
                format!(
                    "operator '{}' doesn't support right-hand side fields",
                    c.op.as_str().to_uppercase()
                ),
                c.span,
            ));
        }
        if lt.ty == FieldType::IpNet {
            return Err(err(
                CompileErrorKind::BadOperator,
                "field type 'IPNET' doesn't support right-hand side fields",
                c.span,
            ));
        }
        let (rhs, rt, rname) = self.operand(o)?;
        let class = |t: FieldType| {
            if t.is_numeric() {
                0
            } else if matches!(t, FieldType::String | FieldType::Path) {
                1
            } else {
                2 + t as u8
            }
        };
        if class(lt.ty) != class(rt.ty) || lt.list != rt.list {
            let l =
                |t: OpType| format!("{}{}", type_name(t.ty), if t.list { " (list)" } else { "" });
            return Err(err(
                CompileErrorKind::BadOperator,
                format!(
                    "field '{lname}' has type '{}' while the right-hand side field '{rname}' has incompatible type '{}'",
                    l(lt),
                    l(rt)
                ),
                c.span,
            ));
        }
        Ok(CheckNode {
            lhs,
            evtype: None,
            test: Test::Operand {
                op: c.op,
                rhs,
                list: lt.list,
            },
        }
        .into_node())
    }

    // ---- event types (libsinsp filter/ppm_codes.cpp) ----

    fn all(&self) -> IdSet {
        IdSet::full(self.schema.event_types().len())
    }

    /// Event types for which `e` (negated when `neg`) may be true. Negation is pushed to the
    /// leaves with De Morgan's laws; checks unrelated to event types are neutral (all types,
    /// negated or not).
    fn evtypes(&self, e: &Expr, neg: bool) -> Result<IdSet, CompileError> {
        match e {
            Expr::And { children, .. } | Expr::Or { children, .. } => {
                let conj = matches!(e, Expr::And { .. }) != neg;
                let mut acc = if conj {
                    self.all()
                } else {
                    IdSet::empty(self.schema.event_types().len())
                };
                for c in children {
                    let s = self.evtypes(c, neg)?;
                    acc = if conj {
                        acc.intersect(&s)
                    } else {
                        acc.union(&s)
                    };
                }
                Ok(acc)
            }
            Expr::Not { child, .. } => self.evtypes(child, !neg),
            Expr::Ident { .. } => Ok(self.all()),
            Expr::Check(c) => self.check_evtypes(c, neg),
        }
    }

    fn check_evtypes(&self, c: &Check, neg: bool) -> Result<IdSet, CompileError> {
        let n = self.schema.event_types().len();
        let invert = |s: IdSet, yes: bool| if yes { s.complement() } else { s };
        if let Some(inv) = evt_num_invariant(c) {
            let s = if inv { self.all() } else { IdSet::empty(n) };
            return Ok(invert(s, neg));
        }
        let evtype_op = matches!(c.op, Op::Eq | Op::Ne | Op::In);
        if let AstOperand::Transform(t) = &c.lhs
            && (evtype_op || c.op == Op::Exists)
            && t.args
                .iter()
                .any(|a| matches!(a, TransformArg::Operand(o) if self.is_evtype_field(o)))
        {
            return Err(err(
                CompileErrorKind::Unsupported,
                "event code search does not support `evt.type` checks with transformers",
                c.span,
            ));
        }
        if !self.is_evtype_field(&c.lhs) {
            return Ok(self.all());
        }
        if c.op == Op::Exists {
            return Ok(invert(self.all(), neg));
        }
        if !evtype_op {
            return Ok(self.all());
        }
        let names: Vec<&str> = match &c.rhs {
            Some(Rhs::Value(l)) => vec![l.text.as_str()],
            Some(Rhs::ListRef { name, .. }) => vec![name.as_str()],
            Some(Rhs::List { items, .. }) => items.iter().map(|l| l.text.as_str()).collect(),
            Some(Rhs::Modified { items, .. }) => {
                if c.op == Op::Ne {
                    return Ok(self.all());
                }
                items.iter().map(|l| l.text.as_str()).collect()
            }
            Some(Rhs::Operand(_)) => {
                return Err(err(
                    CompileErrorKind::Unsupported,
                    "right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search",
                    c.span,
                ));
            }
            None => return Ok(self.all()),
        };
        let mut set = IdSet::empty(n);
        for name in names {
            if let Some(id) = self.schema.event_type_id(name) {
                set.insert(usize::from(id));
            }
        }
        let set = invert(set, neg);
        Ok(invert(set, c.op == Op::Ne))
    }
}

/// libsinsp's `evaluate_field_invariant`: `evt.num` starts at 1, so some checks on it are
/// statically false (`Some(false)`) or true (`Some(true)`).
fn evt_num_invariant(c: &Check) -> Option<bool> {
    let AstOperand::Field(f) = &c.lhs else {
        return None;
    };
    if f.name != "evt.num" || f.arg.is_some() {
        return None;
    }
    match (&c.op, &c.rhs) {
        (Op::In, Some(Rhs::List { items, .. })) => {
            if items.iter().all(|l| parse_u64(&l.text) == Some(0)) {
                Some(false)
            } else {
                None
            }
        }
        (op, Some(Rhs::Value(l))) => {
            let n = parse_u64(&l.text)?;
            match op {
                Op::Eq if n == 0 => Some(false),
                Op::Ne if n == 0 => Some(true),
                Op::Lt if n <= 1 => Some(false),
                Op::Le if n == 0 => Some(false),
                Op::Gt if n == 0 => Some(true),
                Op::Ge if n <= 1 => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `op oneof/anyof/allof (items)`, with set/automaton fast paths for the common shapes.
fn modified_pred(
    op: Op,
    m: ListModifier,
    lits: Vec<Lit>,
    span: Span,
) -> Result<Pred, CompileError> {
    if lits.is_empty() {
        return Ok(Pred::Modified(m, Box::new([])));
    }
    if m == ListModifier::AnyOf {
        match op {
            Op::Eq => return Ok(Pred::In(value_set(lits))),
            Op::StartsWith | Op::BStartsWith => {
                if let Some(b) = literal_bytes(&lits) {
                    return Ok(Pred::AnyPrefix(PrefixSet::new(b)));
                }
            }
            Op::EndsWith => {
                if let Some(b) = literal_bytes(&lits) {
                    return Ok(Pred::AnySuffix(SuffixSet::new(b)));
                }
            }
            Op::Contains | Op::BContains | Op::IContains => {
                if let Some(b) = literal_bytes(&lits)
                    && let Ok(ac) = aho_corasick::AhoCorasick::builder()
                        .ascii_case_insensitive(op == Op::IContains)
                        .build(&b)
                {
                    return Ok(Pred::AnySubstring(ac));
                }
            }
            _ => {}
        }
    }
    if m == ListModifier::AllOf && op == Op::Ne {
        return Ok(Pred::NotIn(value_set(lits)));
    }
    let items = lits
        .into_iter()
        .map(|l| scalar_pred(op, l, span))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Pred::Modified(m, items.into_boxed_slice()))
}

/// The field and predicate of a plain single-valued-operator check (through a memo mark).
fn foldable(n: &Node) -> Option<(&vigil_event::FieldRef, &Pred)> {
    let n = match n {
        Node::Memo(_, inner) => &**inner,
        n => n,
    };
    match n {
        Node::Field(c) => Some((&c.field, &c.pred)),
        _ => None,
    }
}

/// Fold the operands of an `or` that check the same plain field (`f startswith a or
/// f endswith b or f = c or f contains d …`) into one check: the field is extracted once and
/// its values tested against every predicate (true when some value satisfies some predicate,
/// which is what the `or` of the checks computes). Prefixes become one anchored matcher,
/// suffixes one suffix set, equalities one hash set.
fn fold_prefixes(nodes: Vec<Node>) -> Vec<Node> {
    let mut fields: Vec<(vigil_event::FieldRef, usize)> = Vec::new();
    for n in &nodes {
        if let Some((f, _)) = foldable(n) {
            match fields.iter_mut().find(|g| g.0 == *f) {
                Some(g) => g.1 += 1,
                None => fields.push((f.clone(), 1)),
            }
        }
    }
    fields.retain(|g| g.1 > 1);
    if fields.is_empty() {
        return nodes;
    }
    // (field, index in out, predicates)
    type Group = (vigil_event::FieldRef, usize, Vec<Pred>);
    let mut groups: Vec<Group> = Vec::new();
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    for n in nodes {
        if let Some((f, p)) = foldable(&n)
            && fields.iter().any(|g| g.0 == *f)
        {
            match groups.iter_mut().find(|g| g.0 == *f) {
                Some(g) => g.2.push(p.clone()),
                None => {
                    groups.push((f.clone(), out.len(), vec![p.clone()]));
                    out.push(Node::Const(false));
                }
            }
            continue;
        }
        out.push(n);
    }
    for (f, idx, preds) in groups {
        let mut prefixes = Vec::new();
        let mut suffixes = Vec::new();
        let mut equal = Vec::new();
        let mut rest = Vec::new();
        for p in preds {
            match p {
                Pred::StartsWith(b) => prefixes.push(b),
                Pred::EndsWith(b) => suffixes.push(b),
                Pred::Bytes(Cmp::Eq, b) => equal.push(b),
                p => rest.push(p),
            }
        }
        let mut all = Vec::new();
        match prefixes.len() {
            0 => {}
            1 => all.extend(prefixes.pop().map(Pred::StartsWith)),
            _ => all.push(Pred::AnyPrefix(PrefixSet::new(prefixes))),
        }
        match suffixes.len() {
            0 => {}
            1 => all.extend(suffixes.pop().map(Pred::EndsWith)),
            _ => all.push(Pred::AnySuffix(SuffixSet::new(suffixes))),
        }
        match equal.len() {
            0 => {}
            1 => all.extend(equal.pop().map(|b| Pred::Bytes(Cmp::Eq, b))),
            _ => all.push(Pred::In(ValueSet::Bytes(BytesSet::new(equal)))),
        }
        all.extend(rest);
        let pred = if all.len() == 1 {
            all.pop().unwrap_or(Pred::Any(Box::new([])))
        } else {
            Pred::Any(all.into_boxed_slice())
        };
        if let Some(slot) = out.get_mut(idx) {
            *slot = Node::Field(Box::new(FieldCheck { field: f, pred }));
        }
    }
    out
}
