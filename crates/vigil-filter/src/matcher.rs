//! The compiled tree and its matchers: what [`crate::Filter::eval`] runs per event.
//!
//! Performance notes: every matcher is built once at compile time (hash sets, Aho-Corasick
//! automata, memmem finders, regexes, globs); evaluation allocates nothing except what the
//! event's [`Extract`] implementation allocates and what transformers produce.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use memchr::memmem;
use vigil_event::{EventTypeId, Extract, Extracted, FieldRef, IpNet, Value};

use crate::ast::{ListModifier, Op};
use crate::glob::{Glob, PathSet};
use crate::substr::Substring;
use crate::transform::Operand;

/// FxHash (rustc's hasher): a multiply-rotate hash, much cheaper than SipHash for short keys.
/// The keys are condition literals, not attacker-chosen, so HashDoS is not a concern.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn write_usize(&mut self, i: usize) {
        self.write(&i.to_le_bytes());
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// Sets this small are scanned linearly (faster than hashing).
const LINEAR_MAX: usize = 4;

/// A set of byte strings: linear scan when small, else an Fx hash set guarded by a
/// min/max-length check (as libsinsp does).
#[derive(Clone, Debug)]
pub(crate) enum BytesSet {
    Small(Vec<Box<[u8]>>),
    Hashed {
        set: FxSet<Box<[u8]>>,
        min: usize,
        max: usize,
    },
}

impl BytesSet {
    pub(crate) fn new(items: Vec<Box<[u8]>>) -> BytesSet {
        if items.len() <= LINEAR_MAX {
            return BytesSet::Small(items);
        }
        let min = items.iter().map(|i| i.len()).min().unwrap_or(0);
        let max = items.iter().map(|i| i.len()).max().unwrap_or(0);
        BytesSet::Hashed {
            set: items.into_iter().collect(),
            min,
            max,
        }
    }

    pub(crate) fn contains(&self, b: &[u8]) -> bool {
        match self {
            BytesSet::Small(v) => v.iter().any(|i| **i == *b),
            BytesSet::Hashed { set, min, max } => {
                b.len() >= *min && b.len() <= *max && set.contains(b)
            }
        }
    }
}

/// Membership set for `in` / `intersects` / `= anyof`, by value kind.
#[derive(Clone, Debug)]
pub(crate) enum ValueSet {
    Bytes(BytesSet),
    /// Sorted.
    Num(Vec<i128>),
    Bool {
        t: bool,
        f: bool,
    },
    Ip(Vec<IpAddr>),
    /// For IPNET fields: an address matches a network containing it; a network matches an
    /// equal network.
    Net(Vec<IpNet>),
}

impl ValueSet {
    pub(crate) fn contains(&self, v: &Value<'_>) -> bool {
        match self {
            ValueSet::Bytes(s) => v.as_bytes().is_some_and(|b| s.contains(b)),
            ValueSet::Num(s) => num(v).is_some_and(|n| {
                if s.len() <= LINEAR_MAX * 2 {
                    s.contains(&n)
                } else {
                    s.binary_search(&n).is_ok()
                }
            }),
            ValueSet::Bool { t, f } => boolean(v).is_some_and(|b| if b { *t } else { *f }),
            ValueSet::Ip(s) => matches!(v, Value::Ip(a) if s.contains(a)),
            ValueSet::Net(s) => s.iter().any(|n| net_eq(n, v)),
        }
    }
}

/// Many prefixes: anchored Aho-Corasick above a few patterns, else a linear scan.
#[derive(Clone, Debug)]
pub(crate) enum PrefixSet {
    Small(Vec<Box<[u8]>>),
    Ac(AhoCorasick),
}

impl PrefixSet {
    pub(crate) fn new(items: Vec<Box<[u8]>>) -> PrefixSet {
        if items.len() > LINEAR_MAX
            && let Ok(ac) = AhoCorasickBuilder::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::Standard)
                .build(&items)
        {
            return PrefixSet::Ac(ac);
        }
        PrefixSet::Small(items)
    }

    fn is_match(&self, b: &[u8]) -> bool {
        match self {
            PrefixSet::Small(v) => v.iter().any(|p| b.starts_with(p)),
            PrefixSet::Ac(ac) => ac
                .try_find(Input::new(b).anchored(Anchored::Yes))
                .ok()
                .flatten()
                .is_some(),
        }
    }
}

/// Many suffixes: one byte-string set per distinct suffix length, so a lookup costs one hash
/// probe per distinct length and no allocation.
#[derive(Clone, Debug)]
pub(crate) struct SuffixSet {
    by_len: Vec<(usize, BytesSet)>,
}

impl SuffixSet {
    pub(crate) fn new(items: Vec<Box<[u8]>>) -> SuffixSet {
        let mut lens: Vec<usize> = items.iter().map(|i| i.len()).collect();
        lens.sort_unstable();
        lens.dedup();
        let by_len = lens
            .into_iter()
            .map(|l| {
                let of_len = items.iter().filter(|i| i.len() == l).cloned().collect();
                (l, BytesSet::new(of_len))
            })
            .collect();
        SuffixSet { by_len }
    }

    fn is_match(&self, b: &[u8]) -> bool {
        self.by_len
            .iter()
            .any(|(l, s)| *l <= b.len() && s.contains(&b[b.len() - l..]))
    }
}

/// Ordering comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub(crate) fn from_op(op: Op) -> Option<Cmp> {
        Some(match op {
            Op::Eq => Cmp::Eq,
            Op::Ne => Cmp::Ne,
            Op::Lt => Cmp::Lt,
            Op::Le => Cmp::Le,
            Op::Gt => Cmp::Gt,
            Op::Ge => Cmp::Ge,
            _ => return None,
        })
    }

    #[inline(always)]
    fn test<T: PartialOrd + ?Sized>(self, a: &T, b: &T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A predicate on one extracted value.
#[derive(Clone, Debug)]
pub(crate) enum Pred {
    /// Numeric compare (every integer kind widened to i128).
    Num(Cmp, i128),
    /// `=` / `!=` on booleans.
    Bool(Cmp, bool),
    /// Byte-wise compare (`strcmp` order).
    Bytes(Cmp, Box<[u8]>),
    /// `=` / `!=` on addresses.
    Ip(Cmp, IpAddr),
    /// `=` / `!=` on an IPNET field: containment of an address, equality of a network.
    Net(Cmp, IpNet),
    /// `contains` / `bcontains`: memchr's SIMD substring routines (see [`Substring`]).
    Contains(Box<Substring>),
    /// `icontains`, `contains anyof`, `icontains anyof`: unanchored Aho-Corasick.
    AnySubstring(AhoCorasick),
    /// `startswith` / `bstartswith`.
    StartsWith(Box<[u8]>),
    /// `endswith`.
    EndsWith(Box<[u8]>),
    /// `startswith anyof`, or an `or` of `startswith` on one field (folded).
    AnyPrefix(PrefixSet),
    /// `endswith anyof`.
    AnySuffix(SuffixSet),
    /// `glob` / `iglob`.
    Glob(Glob),
    /// `regex`: anchored at both ends.
    Regex(regex::bytes::Regex),
    /// `pmatch`.
    Pmatch(PathSet),
    /// `in` / `intersects` / `= anyof`.
    In(ValueSet),
    /// `!= allof` fast path.
    NotIn(ValueSet),
    /// `oneof` / `anyof` / `allof` with per-item predicates.
    Modified(ListModifier, Box<[Pred]>),
    /// Some predicate holds (an `or` of checks on one field, folded at compile time).
    Any(Box<[Pred]>),
}

fn num(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::Int(i) => Some(i128::from(*i)),
        Value::UInt(u) => Some(i128::from(*u)),
        Value::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn boolean(v: &Value<'_>) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::UInt(u) => Some(*u != 0),
        _ => None,
    }
}

fn net_eq(n: &IpNet, v: &Value<'_>) -> bool {
    match v {
        Value::Ip(a) => n.contains(a),
        Value::Net(m) => m == n,
        _ => false,
    }
}

impl Pred {
    /// Whether `v` satisfies the predicate. The common predicates are tested inline (in
    /// the caller's small frame); the rest in [`Pred::test_other`].
    #[inline]
    pub(crate) fn test(&self, v: &Value<'_>) -> bool {
        match self {
            Pred::Num(c, n) => num(v).is_some_and(|x| c.test(&x, n)),
            Pred::Bytes(c, b) => v.as_bytes().is_some_and(|x| c.test(x, &**b)),
            Pred::Contains(f) => v.as_bytes().is_some_and(|x| f.is_in(x)),
            Pred::StartsWith(p) => v.as_bytes().is_some_and(|x| x.starts_with(p)),
            _ => self.test_other(v),
        }
    }

    /// [`Pred::test`] of the predicates it does not test inline.
    #[inline(never)]
    fn test_other(&self, v: &Value<'_>) -> bool {
        match self {
            // The inline ones (`test` does not call this function for them).
            Pred::Num(..) | Pred::Bytes(..) | Pred::Contains(_) | Pred::StartsWith(_) => {
                self.test(v)
            }
            Pred::Bool(c, b) => boolean(v).is_some_and(|x| c.test(&x, b)),
            Pred::Ip(c, a) => match v {
                Value::Ip(x) => c.test(x, a),
                _ => false,
            },
            Pred::Net(c, n) => match v {
                Value::Ip(_) | Value::Net(_) => {
                    let hit = net_eq(n, v);
                    if *c == Cmp::Ne { !hit } else { hit }
                }
                _ => false,
            },
            Pred::AnySubstring(ac) => v.as_bytes().is_some_and(|x| ac.is_match(x)),
            Pred::EndsWith(p) => v.as_bytes().is_some_and(|x| x.ends_with(p)),
            Pred::AnyPrefix(s) => v.as_bytes().is_some_and(|x| s.is_match(x)),
            Pred::AnySuffix(s) => v.as_bytes().is_some_and(|x| s.is_match(x)),
            Pred::Glob(g) => v.as_bytes().is_some_and(|x| g.is_match(x)),
            Pred::Regex(r) => v.as_bytes().is_some_and(|x| r.is_match(x)),
            Pred::Pmatch(p) => v.as_bytes().is_some_and(|x| p.is_match(x)),
            Pred::In(s) => s.contains(v),
            Pred::NotIn(s) => !s.contains(v),
            Pred::Any(items) => items.iter().any(|p| p.test(v)),
            Pred::Modified(m, items) => match m {
                ListModifier::AnyOf => items.iter().any(|p| p.test(v)),
                ListModifier::AllOf => !items.is_empty() && items.iter().all(|p| p.test(v)),
                ListModifier::OneOf => {
                    let mut n = 0;
                    for p in items.iter() {
                        if p.test(v) {
                            n += 1;
                            if n > 1 {
                                return false;
                            }
                        }
                    }
                    n == 1
                }
            },
        }
    }
}

/// A set of event type ids (bitset over the schema's event types).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IdSet {
    bits: Vec<u64>,
    len: usize,
}

impl IdSet {
    pub(crate) fn empty(len: usize) -> IdSet {
        IdSet {
            bits: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub(crate) fn full(len: usize) -> IdSet {
        let mut s = IdSet::empty(len);
        for i in 0..len {
            s.insert(i);
        }
        s
    }

    pub(crate) fn insert(&mut self, i: usize) {
        if i < self.len {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }

    pub(crate) fn contains(&self, i: usize) -> bool {
        i < self.len && self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    pub(crate) fn complement(&self) -> IdSet {
        let mut s = IdSet::empty(self.len);
        for i in 0..self.len {
            if !self.contains(i) {
                s.insert(i);
            }
        }
        s
    }

    pub(crate) fn union(&self, o: &IdSet) -> IdSet {
        IdSet {
            bits: self.bits.iter().zip(&o.bits).map(|(a, b)| a | b).collect(),
            len: self.len,
        }
    }

    pub(crate) fn intersect(&self, o: &IdSet) -> IdSet {
        IdSet {
            bits: self.bits.iter().zip(&o.bits).map(|(a, b)| a & b).collect(),
            len: self.len,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        (0..self.len).all(|i| self.contains(i))
    }

    pub(crate) fn ids(&self) -> Vec<EventTypeId> {
        (0..self.len)
            .filter(|&i| self.contains(i))
            .filter_map(|i| EventTypeId::try_from(i).ok())
            .collect()
    }
}

/// What a check does with the extracted left-hand values.
#[derive(Debug)]
pub(crate) enum Test {
    /// `exists`: the field is extractable.
    Exists,
    /// Single-valued operand: true when any extracted value satisfies the predicate
    /// (libsinsp fields such as `proc.aname` without index compare every ancestor).
    Scalar(Pred),
    /// List operand `in`: every value is in the set (vacuously true when none).
    ListIn(ValueSet),
    /// List operand `intersects`: some value is in the set.
    ListIntersects(ValueSet),
    /// Field-to-field comparison (`val()` or a transformer on the right).
    Operand { op: Op, rhs: Operand, list: bool },
}

/// One compiled check.
#[derive(Debug)]
pub(crate) struct CheckNode {
    pub(crate) lhs: Operand,
    /// Fast path for `evt.type` checks: when the event has a type id, the result is whether
    /// it is in this set (no extraction, no string compare).
    pub(crate) evtype: Option<IdSet>,
    pub(crate) test: Test,
}

impl CheckNode {
    /// The node of this check: [`Node::Field`] for the common shape (a plain field tested
    /// by one predicate), else [`Node::Check`].
    pub(crate) fn into_node(self) -> Node {
        match self {
            CheckNode {
                lhs: Operand::Field(field),
                evtype: None,
                test: Test::Scalar(pred),
            } => Node::Field(Box::new(FieldCheck { field, pred })),
            c => Node::Check(Box::new(c)),
        }
    }
}

/// The common check: a plain field (no transformer, not an `evt.type` check) against one
/// predicate. Its own node so that evaluating it is one extraction and one test, without the
/// general check's operand and test dispatch.
#[derive(Debug)]
pub(crate) struct FieldCheck {
    pub(crate) field: FieldRef,
    pub(crate) pred: Pred,
}

impl FieldCheck {
    /// True when some value of the field satisfies the predicate (false when the field
    /// cannot be extracted).
    #[inline]
    fn eval(&self, ev: &dyn Extract) -> bool {
        match ev.extract_one(&self.field) {
            Some(Extracted::One(v)) => self.pred.test(&v),
            Some(Extracted::Many(vs)) => vs.iter().any(|v| self.pred.test(v)),
            None => false,
        }
    }
}

/// The compiled boolean tree.
#[derive(Debug)]
pub(crate) enum Node {
    Const(bool),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    /// See [`FieldCheck`].
    Field(Box<FieldCheck>),
    /// Any other check.
    Check(Box<CheckNode>),
    /// A shared sub-expression: its result for the current event is kept in slot `.0` of a
    /// [`crate::Memo`] (while compiling with [`crate::Sharing`], `.0` is the sub-expression
    /// id until [`crate::Sharing::finish`] renumbers or removes the mark).
    Memo(u32, Box<Node>),
}

impl Node {
    pub(crate) fn eval(&self, ev: &dyn Extract) -> bool {
        match self {
            Node::Const(b) => *b,
            Node::And(c) => c.iter().all(|n| n.eval_operand(ev)),
            Node::Or(c) => c.iter().any(|n| n.eval_operand(ev)),
            Node::Not(c) => !c.eval(ev),
            Node::Field(c) => c.eval(ev),
            Node::Check(c) => c.eval(ev),
            Node::Memo(_, n) => n.eval(ev),
        }
    }

    /// [`Node::eval`] of an `and`/`or` operand: a [`FieldCheck`] (most operands) is
    /// evaluated in the caller's loop, without a recursive call.
    #[inline]
    fn eval_operand(&self, ev: &dyn Extract) -> bool {
        match self {
            Node::Field(c) => c.eval(ev),
            n => n.eval(ev),
        }
    }

    /// [`Node::eval`], taking and keeping shared sub-expressions' results in `memo`.
    pub(crate) fn eval_memo(&self, ev: &dyn Extract, memo: &mut crate::Memo) -> bool {
        match self {
            Node::Const(b) => *b,
            Node::And(c) => c.iter().all(|n| n.eval_memo(ev, memo)),
            Node::Or(c) => c.iter().any(|n| n.eval_memo(ev, memo)),
            Node::Not(c) => !c.eval_memo(ev, memo),
            Node::Field(c) => c.eval(ev),
            Node::Check(c) => c.eval(ev),
            Node::Memo(slot, n) => {
                if let Some(v) = memo.get(*slot) {
                    return v;
                }
                let v = n.eval_memo(ev, memo);
                memo.set(*slot, v);
                v
            }
        }
    }

    /// Rough evaluation cost, used to order the operands of and/or (all checks are pure, so
    /// the order does not change the result; the sort is stable, so equal costs keep the
    /// rule author's order). `exists` costs what a comparison costs: it extracts the field
    /// the same way (for some sources, e.g. a JSON pointer into a k8s audit event's request
    /// object, the extraction is the expensive part), it only skips the comparison.
    pub(crate) fn cost(&self) -> u32 {
        match self {
            Node::Const(_) => 0,
            Node::Check(c) if c.evtype.is_some() => 1,
            Node::Field(c) => match &c.pred {
                Pred::Regex(_) | Pred::Modified(..) => 6,
                // A field with an argument (`evt.arg.flags`, `proc.aname[2]`, a JSON pointer)
                // is usually rendered or searched for: after plain fields.
                _ if c.field.arg != vigil_event::FieldArg::None => 4,
                _ => 3,
            },
            Node::Check(c) => match &c.test {
                Test::Scalar(Pred::Regex(_)) | Test::Scalar(Pred::Modified(..)) => 6,
                Test::Operand { .. } => 5,
                _ if !matches!(c.lhs, Operand::Field(_)) => 5,
                // A field with an argument (`evt.arg.flags`, `proc.aname[2]`, a JSON pointer)
                // is usually rendered or searched for: after plain fields.
                _ if matches!(&c.lhs, Operand::Field(f) if f.arg != vigil_event::FieldArg::None) => {
                    4
                }
                _ => 3,
            },
            // A negation is usually an exception (`not proc.name in (…)`), true for most
            // events: after the checks of the same cost, which are likelier to fail first.
            Node::Not(c) => c.cost() + 1,
            Node::Memo(_, c) => c.cost(),
            Node::And(c) | Node::Or(c) => c.iter().map(Node::cost).max().unwrap_or(0) + 1,
        }
    }
}

impl CheckNode {
    fn eval(&self, ev: &dyn Extract) -> bool {
        if let Some(ids) = &self.evtype
            && let Some(t) = ev.event_type()
        {
            return ids.contains(usize::from(t));
        }
        let Some(vals) = self.lhs.eval(ev) else {
            return false;
        };
        let vals = vals.as_slice();
        match &self.test {
            Test::Exists => true,
            Test::Scalar(p) => vals.iter().any(|v| p.test(v)),
            Test::ListIn(s) => vals.iter().all(|v| s.contains(v)),
            Test::ListIntersects(s) => vals.iter().any(|v| s.contains(v)),
            Test::Operand { op, rhs, list } => {
                let Some(rv) = rhs.eval(ev) else {
                    return false;
                };
                compare_operands(*op, *list, vals, rv.as_slice())
            }
        }
    }
}

/// Field-to-field comparison: `in`/`intersects` test membership in the right values; other
/// operators compare with the right operand's first value (libsinsp's `filter_value_p()`).
fn compare_operands(op: Op, list: bool, l: &[Value<'_>], r: &[Value<'_>]) -> bool {
    let member = |v: &Value<'_>| r.iter().any(|x| dyn_test(Op::Eq, v, x));
    match op {
        Op::In if list => l.iter().all(member),
        Op::In | Op::Intersects => l.iter().any(member),
        _ => match r.first() {
            Some(x) => l.iter().any(|v| dyn_test(op, v, x)),
            None => false,
        },
    }
}

/// Compare two values of compatible kinds with a scalar operator (slow path for `val()`).
fn dyn_test(op: Op, a: &Value<'_>, b: &Value<'_>) -> bool {
    if let (Some(x), Some(y)) = (num(a), num(b))
        && !matches!(a, Value::Bool(_))
    {
        return Cmp::from_op(op).is_some_and(|c| c.test(&x, &y));
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Cmp::from_op(op).is_some_and(|c| c.test(x, y)),
        (Value::Ip(x), Value::Ip(y)) => Cmp::from_op(op).is_some_and(|c| c.test(x, y)),
        (Value::Net(x), Value::Net(y)) => match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            _ => false,
        },
        (Value::Bytes(x), Value::Bytes(y)) => {
            let (x, y): (&[u8], &[u8]) = (x, y);
            match op {
                Op::Contains | Op::BContains => memmem::find(x, y).is_some(),
                Op::IContains => {
                    let lx = x.to_ascii_lowercase();
                    let ly = y.to_ascii_lowercase();
                    memmem::find(&lx, &ly).is_some()
                }
                Op::StartsWith | Op::BStartsWith => x.starts_with(y),
                Op::EndsWith => x.ends_with(y),
                Op::Glob => crate::glob::fnmatch(y, x, false),
                Op::IGlob => crate::glob::fnmatch(y, x, true),
                _ => Cmp::from_op(op).is_some_and(|c| c.test(x, y)),
            }
        }
        _ => false,
    }
}
