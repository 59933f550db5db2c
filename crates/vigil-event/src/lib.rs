//! # vigil-event
//!
//! The vocabulary every other vigil crate speaks: field definitions and their types
//! ([`FieldInfo`], [`FieldType`]), resolved field handles ([`FieldRef`]), extracted values
//! ([`Value`]), rule priorities ([`Priority`]) and the two boundary traits through which the
//! condition language meets the world:
//!
//! * [`FieldSchema`] – at compile time, which fields a source offers (`proc.name`,
//!   `ka.verb`, …) and which event types exist (`open`, `execve`, …);
//! * [`Extract`] – at run time, the values of a resolved field for one event.
//!
//! This crate depends on no other vigil crate and does no I/O.

#![deny(missing_docs)]

mod field;
mod generic_fields;
mod map_event;
mod net;
mod priority;
mod value;

pub use field::{
    ArgKind, EventTypeId, FieldArg, FieldError, FieldId, FieldInfo, FieldRef, FieldSchema,
    FieldType, resolve_longest_prefix,
};
pub use generic_fields::{GENERIC_EVENT_FIELDS, with_generic_fields};
pub use map_event::{MapEvent, MapEventBuilder};
pub use net::{IpNet, IpNetParseError};
pub use priority::{Priority, PriorityParseError};
pub use value::{Extract, Extracted, Value, Values};
