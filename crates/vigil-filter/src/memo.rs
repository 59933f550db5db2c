//! Shared sub-expressions: evaluate once per event what many conditions repeat.
//!
//! A ruleset's conditions share much of their text through macros (`open_read`,
//! `spawned_process`, `container`…): after expansion, every rule on `openat` re-evaluates the
//! same sub-expressions for the same event. [`Sharing`] compiles a set of conditions so that
//! every sub-expression (an `and`, `or`, `not` or a check, compared as written with spans
//! ignored, per source) that occurs more than once gets a slot; [`Memo`] holds the result of
//! each slot for the current event, stamped with an event counter so that moving to the next
//! event costs one increment and no clearing or allocation.
//!
//! Checks are pure (their result depends on the event only), so a cached result equals a
//! recomputed one: sharing changes the cost, never the outcome.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use vigil_event::{Extract, FieldSchema};

use crate::ast::{Check, Expr, Literal, Operand, Rhs, TransformArg};
use crate::compile::{CompileError, Filter, compile_keyed};
use crate::matcher::Node;

/// Compiles conditions with shared sub-expressions ([`Sharing::compile`], then
/// [`Sharing::finish`] once every condition of the set is compiled).
#[derive(Debug, Default)]
pub struct Sharing {
    inner: RefCell<Interner>,
}

/// Sub-expression keys → ids, and how often each id occurs across the compiled conditions.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: HashMap<String, u32>,
    counts: Vec<u32>,
}

impl Interner {
    fn id(&mut self, key: String) -> u32 {
        let next = self.counts.len() as u32;
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.counts.push(0);
        }
        self.counts[id as usize] += 1;
        id
    }

    /// The id of a check (its source, field, operator and values, spans ignored).
    pub(crate) fn check(&mut self, source: &str, c: &Check) -> u32 {
        let mut k = String::with_capacity(64);
        let _ = write!(k, "{source}\u{1}");
        operand_key(&c.lhs, &mut k);
        let _ = write!(k, " {}", c.op.as_str());
        match &c.rhs {
            None => {}
            Some(Rhs::Value(l)) => lit_key(l, &mut k),
            Some(Rhs::List { items, .. }) => {
                k.push_str(" (");
                for l in items {
                    lit_key(l, &mut k);
                }
                k.push(')');
            }
            Some(Rhs::ListRef { name, .. }) => {
                let _ = write!(k, " &{name}");
            }
            Some(Rhs::Operand(o)) => {
                k.push_str(" =>");
                operand_key(o, &mut k);
            }
            Some(Rhs::Modified {
                modifier, items, ..
            }) => {
                let _ = write!(k, " {modifier:?}(");
                for l in items {
                    lit_key(l, &mut k);
                }
                k.push(')');
            }
        }
        self.id(k)
    }

    /// The id of an `and` / `or` / `not` of sub-expressions with these ids.
    pub(crate) fn compound(&mut self, e: &Expr, children: &[u32]) -> u32 {
        let tag = match e {
            Expr::And { .. } => '&',
            Expr::Or { .. } => '|',
            _ => '!',
        };
        let mut k = String::with_capacity(2 + 6 * children.len());
        k.push(tag);
        for c in children {
            let _ = write!(k, "{c},");
        }
        self.id(k)
    }
}

fn lit_key(l: &Literal, k: &mut String) {
    // Length-prefixed: no separator can be confused with the text.
    let _ = write!(k, " {}{}:{}", u8::from(l.quoted), l.text.len(), l.text);
}

fn operand_key(o: &Operand, k: &mut String) {
    match o {
        Operand::Field(f) => {
            let _ = write!(k, " {}", f.name);
            if let Some(a) = &f.arg {
                let _ = write!(k, "[{}:{a}]", a.len());
            }
        }
        Operand::Transform(t) => {
            let _ = write!(k, " {}(", t.kind.as_str());
            for a in &t.args {
                targ_key(a, k);
            }
            k.push(')');
            if let Some(a) = &t.arg {
                let _ = write!(k, "[{}:{a}]", a.len());
            }
        }
    }
}

fn targ_key(a: &TransformArg, k: &mut String) {
    match a {
        TransformArg::Operand(o) => operand_key(o, k),
        TransformArg::Literal(l) => lit_key(l, k),
        TransformArg::List { items, .. } => {
            k.push_str(" (");
            for i in items {
                targ_key(i, k);
            }
            k.push(')');
        }
    }
}

impl Sharing {
    /// An empty set.
    pub fn new() -> Sharing {
        Sharing::default()
    }

    /// Compile one condition of the set (as [`crate::compile`]; its shared sub-expressions
    /// take effect once [`Sharing::finish`] has run).
    pub fn compile(&self, expr: &Expr, schema: &dyn FieldSchema) -> Result<Filter, CompileError> {
        compile_keyed(expr, schema, Some(&self.inner))
    }

    /// Give a memo slot to every sub-expression that the `filters` (compiled by this set)
    /// evaluate more than once per event, and drop the marks of the others. Returns the
    /// number of slots (the size a [`Memo`] grows to).
    pub fn finish<'f>(&self, filters: impl IntoIterator<Item = &'f mut Filter>) -> usize {
        let inner = self.inner.borrow();
        let mut slots: HashMap<u32, u32> = HashMap::new();
        for f in filters {
            let root = std::mem::replace(&mut f.root, Node::Const(false));
            f.root = assign(root, 1, &inner.counts, &mut slots);
        }
        slots.len()
    }
}

/// Keep a memo mark where the sub-expression occurs more often than the enclosing memoized
/// one (otherwise it is only evaluated when that one is, once per event) and is not cheaper
/// than a slot look-up; renumber the kept marks densely.
fn assign(n: Node, outer: u32, counts: &[u32], slots: &mut HashMap<u32, u32>) -> Node {
    match n {
        Node::Memo(key, inner) => {
            let count = counts.get(key as usize).copied().unwrap_or(0);
            let keep = count > outer && count >= 2 && inner.cost() > 1;
            let within = if keep { count } else { outer };
            let inner = assign(*inner, within, counts, slots);
            if keep {
                let next = slots.len() as u32;
                let slot = *slots.entry(key).or_insert(next);
                Node::Memo(slot, Box::new(inner))
            } else {
                inner
            }
        }
        Node::And(c) => Node::And(operands(c, outer, counts, slots)),
        Node::Or(c) => Node::Or(operands(c, outer, counts, slots)),
        Node::Not(c) => Node::Not(Box::new(assign(*c, outer, counts, slots))),
        other => other,
    }
}

/// The operands of an `and` / `or`, reordered: a shared sub-expression (other than a
/// negation, usually an exception that rarely decides) moves ahead of the checks of its cost
/// class, since once any condition evaluated it for the event, it costs a slot look-up.
fn operands(
    c: Box<[Node]>,
    outer: u32,
    counts: &[u32],
    slots: &mut HashMap<u32, u32>,
) -> Box<[Node]> {
    let mut v: Vec<Node> = c
        .into_vec()
        .into_iter()
        .map(|n| assign(n, outer, counts, slots))
        .collect();
    v.sort_by_key(|n| match n {
        Node::Memo(_, inner) if !matches!(**inner, Node::Not(_)) => n.cost().min(2),
        n => n.cost(),
    });
    v.into_boxed_slice()
}

/// Per-event results of the shared sub-expressions: reuse one per evaluating thread, call
/// [`Memo::next_event`] before each event, then [`Filter::eval_memo`] for each filter.
#[derive(Debug, Default)]
pub struct Memo {
    /// Even, non-zero once an event started; a slot holds `stamp | result`.
    stamp: u32,
    slots: Vec<u32>,
}

impl Memo {
    /// An empty memo (it grows to the slots it meets).
    pub fn new() -> Memo {
        Memo::default()
    }

    /// Forget the previous event's results (O(1) except once every 2^31 events).
    pub fn next_event(&mut self) {
        self.stamp = self.stamp.wrapping_add(2);
        if self.stamp == 0 {
            self.slots.iter_mut().for_each(|s| *s = 0);
            self.stamp = 2;
        }
    }

    #[inline]
    pub(crate) fn get(&self, slot: u32) -> Option<bool> {
        let v = *self.slots.get(slot as usize)?;
        (v & !1 == self.stamp && self.stamp != 0).then_some(v & 1 == 1)
    }

    #[inline]
    pub(crate) fn set(&mut self, slot: u32, value: bool) {
        let i = slot as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, 0);
        }
        self.slots[i] = self.stamp | u32::from(value);
    }
}

impl Filter {
    /// Evaluate with the shared sub-expressions' results of the current event taken from
    /// (and added to) `memo`. Same result as [`Filter::eval`].
    pub fn eval_memo(&self, ev: &dyn Extract, memo: &mut Memo) -> bool {
        self.root.eval_memo(ev, memo)
    }
}
