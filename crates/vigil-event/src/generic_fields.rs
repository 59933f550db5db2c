//! The generic event fields every source offers (libsinsp's generic event class, which
//! Falco also gives plugin sources): `evt.num`, `evt.time*`, `evt.source`, `evt.hostname`, …
//! A source's field table starts with them ([`with_generic_fields`]).

use crate::{FieldInfo, FieldType};

/// The generic event fields, in documentation order.
pub static GENERIC_EVENT_FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "evt.num",
        FieldType::UInt,
        "Sequence number of the event in the stream.",
    ),
    FieldInfo::new(
        "evt.time",
        FieldType::String,
        "Event timestamp rendered as wall-clock time of day with nanoseconds.",
    ),
    FieldInfo::new(
        "evt.time.s",
        FieldType::String,
        "Event timestamp rendered as wall-clock time of day, whole seconds only.",
    ),
    FieldInfo::new(
        "evt.time.iso8601",
        FieldType::String,
        "Event timestamp in ISO 8601 form (UTC, with nanoseconds).",
    ),
    FieldInfo::new(
        "evt.datetime",
        FieldType::String,
        "Event timestamp rendered as date and time of day with nanoseconds.",
    ),
    FieldInfo::new(
        "evt.datetime.s",
        FieldType::String,
        "Event timestamp rendered as date and time of day, whole seconds only.",
    ),
    FieldInfo::new(
        "evt.rawtime",
        FieldType::AbsTime,
        "Event timestamp in nanoseconds since the Unix epoch.",
    ),
    FieldInfo::new(
        "evt.rawtime.s",
        FieldType::AbsTime,
        "Seconds part of the event timestamp (since the epoch).",
    ),
    FieldInfo::new(
        "evt.rawtime.ns",
        FieldType::AbsTime,
        "Sub-second part of the event timestamp, in nanoseconds.",
    ),
    FieldInfo::new(
        "evt.reltime",
        FieldType::RelTime,
        "Nanoseconds elapsed since the start of the capture.",
    ),
    FieldInfo::new(
        "evt.reltime.s",
        FieldType::RelTime,
        "Whole seconds elapsed since the start of the capture.",
    ),
    FieldInfo::new(
        "evt.reltime.ns",
        FieldType::RelTime,
        "Sub-second part of the time since the capture start, in nanoseconds.",
    ),
    FieldInfo::new(
        "evt.pluginname",
        FieldType::String,
        "Name of the plugin that produced the event, for plugin events.",
    ),
    FieldInfo::new(
        "evt.plugininfo",
        FieldType::String,
        "Plugin-provided one-line summary of the event, for plugin events.",
    ),
    FieldInfo::new(
        "evt.source",
        FieldType::String,
        "Name of the event source the event belongs to (e.g. syscall).",
    ),
    FieldInfo::new(
        "evt.is_async",
        FieldType::Bool,
        "Whether the event was injected asynchronously rather than captured inline.",
    ),
    FieldInfo::new(
        "evt.asynctype",
        FieldType::String,
        "For asynchronous events, the name of the async event kind.",
    ),
    FieldInfo::new(
        "evt.hostname",
        FieldType::String,
        "Host name of the machine running vigil (overridable from the environment).",
    ),
];

/// A source's whole field table: [`GENERIC_EVENT_FIELDS`] followed by its own `fields`.
pub fn with_generic_fields(fields: &[FieldInfo]) -> Vec<FieldInfo> {
    let mut all = Vec::with_capacity(GENERIC_EVENT_FIELDS.len() + fields.len());
    all.extend_from_slice(GENERIC_EVENT_FIELDS);
    all.extend_from_slice(fields);
    all
}
