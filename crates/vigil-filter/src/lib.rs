//! # vigil-filter
//!
//! Falco's condition language, as libsinsp's parser defines it:
//!
//! ```text
//! text ──parse──▶ ast::Expr (spans) ──compile(schema)──▶ Filter (typed, matchers chosen)
//! ```
//!
//! * [`parse`] turns a condition into an [`ast::Expr`]; errors carry a byte span and render
//!   with a caret under the problem ([`ParseError::render`]).
//! * Macro references are left as [`ast::Expr::Ident`] nodes; the rules loader substitutes
//!   them ([`ast::Expr::substitute_idents`]) before compiling.
//! * [`compile`] resolves fields through a [`vigil_event::FieldSchema`], parses literal values
//!   by field type, checks operators, and picks a matcher per predicate (hash sets for `in`,
//!   Aho-Corasick for many prefixes/suffixes, memchr for `contains`…).
//! * [`Filter::eval`] runs against any [`vigil_event::Extract`]; [`Filter::event_types`]
//!   gives the event types the condition can match.
//! * [`Sharing`] compiles a set of conditions (a ruleset) so that sub-expressions they
//!   repeat (expanded macros) are evaluated once per event, their results kept in a [`Memo`]
//!   ([`Filter::eval_memo`]).
//!
//! This crate knows no field: it never depends on state or sources.

#![deny(missing_docs)]

pub mod ast;
mod compile;
mod glob;
mod matcher;
mod memo;
mod parser;
mod substr;
mod transform;

pub use compile::{CompileError, CompileErrorKind, EventTypes, Filter, compile};
pub use memo::{Memo, Sharing};
pub use parser::{ParseError, parse};
