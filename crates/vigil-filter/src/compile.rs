//! Typed IR and compiled matchers.

use std::fmt;

use vigil_event::{EventTypeId, Extract, FieldSchema};

use crate::ast::{Expr, Span};

/// Why a condition did not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// A field the schema does not know (`filter_check called with nonexistent field x`).
    UnknownField,
    /// An `evt.type` value that is not an event type of the source.
    UnknownEventType,
    /// A macro reference that was not substituted (`Undefined macro 'x' used in filter.`).
    UndefinedMacro,
    /// An operator the field's type does not support.
    BadOperator,
    /// A literal that is not a valid value of the field's type.
    BadValue,
    /// A field argument that does not fit the field.
    BadArgument,
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

/// The event types a filter can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventTypes {
    /// Any event type (no restriction could be derived).
    All,
    /// Only these (sorted, deduplicated).
    Only(Vec<EventTypeId>),
}

/// A compiled condition: immutable, `Send + Sync`, evaluated per event.
#[derive(Debug)]
pub struct Filter {
    _private: (),
}

impl Filter {
    /// Evaluate against one event.
    pub fn eval(&self, ev: &dyn Extract) -> bool {
        let _ = ev;
        todo!("compiler helper")
    }

    /// The event types this filter can match (from its `evt.type` checks, negation included).
    pub fn event_types(&self) -> &EventTypes {
        todo!("compiler helper")
    }
}

/// Compile a macro-free expression against a schema.
pub fn compile(expr: &Expr, schema: &dyn FieldSchema) -> Result<Filter, CompileError> {
    let _ = (expr, schema);
    todo!("compiler helper")
}
