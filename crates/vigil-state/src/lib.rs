//! # vigil-state
//!
//! The host model (process, thread and fd tables; containers) and the `syscall` field
//! catalogue.
//!
//! [`SyscallSchema`] (also available as the static [`SYSCALL_SCHEMA`]) describes every field
//! a rule on the `syscall` source may use: libsinsp's event, process, thread, user, group and
//! fd classes, plus the fields of Falco's container plugin (`container.*`, `k8s.pod.*`,
//! `k8s.ns.*`, `proc.is_container_*`), which vigil provides natively.
//!
//! [`State`] is the host model, rebuilt only from what a capture (or a live source emitting the
//! same scap events) carries: process-list, fd-list and user-list blocks and the events
//! themselves. [`EventView`] is the extractor: after `state.apply(&ev)`, `state.view(&ev)`
//! implements [`vigil_event::Extract`] over the state *after* the event, as libsinsp's filters
//! see it.
//!
//! ```no_run
//! use vigil_scap::{Block, Converter, Reader};
//! use vigil_state::State;
//! # fn main() -> Result<(), vigil_scap::ScapError> {
//! let mut conv = Converter::new(Reader::open("capture.scap")?);
//! let mut state = State::new();
//! while let Some(block) = conv.next()? {
//!     state.apply_block(&block);
//!     if let Block::Event(ev) = &block {
//!         let view = state.view(ev);
//!         // ruleset.evaluate(&view) …
//!         let _ = view;
//!     }
//! }
//! state.flush();
//! # Ok(()) }
//! ```
//!
//! Semantics follow libsinsp (`parsers.cpp`, the `sinsp_filtercheck_*` classes) and the
//! container plugin, reimplemented from their documented behaviour:
//!
//! * threads are keyed by tid; the threads of a process share the fd table of its pid; a
//!   fork copies its parent's table; `close` and `procexit` removals are deferred until the
//!   next event (so the event that causes them still sees the fd / thread); children of an
//!   exited thread are reparented to the event's reaper;
//! * a field that cannot be extracted is `None` (every comparison false) — except where
//!   libsinsp yields a literal (`user.name` is `root` for an unknown uid 0 and `<NA>` for
//!   other unknown uids);
//! * `fd.*net` fields yield the addresses ([`vigil_event::Value::Ip`]); the filter compares
//!   them by containment; host/port name resolution is not done (`fd.*ip.name` are missing,
//!   ports are numeric);
//! * `container.id` is the 12-character id found in the thread's cgroups, `host` otherwise;
//!   the other `container.*` fields come from `container` JSON events.
//!
//! [`is_implemented`] tells which catalogue fields have an extractor (every field the corpus
//! rule files use does; see `tests/corpus_fields.rs`).
#![deny(missing_docs)]

mod container;
mod event_types;
mod fields;
pub mod flags;
mod params;
mod state;
mod view;

pub use container::{
    Container, Mount, container_id_from_cgroups, full_container_id_from_cgroups,
    full_container_id_of_cgroups_param, full_container_id_of_path,
};
pub use state::{Fd, FdTable, IntHasher, IntMap, Net, Role, State, Thread, User, l4};
pub use view::{EventView, event_type_name, event_type_of, format_ts, is_implemented};

use vigil_event::{EventTypeId, FieldInfo, FieldSchema};

/// Name of the source described by [`SyscallSchema`].
pub const SYSCALL_SOURCE: &str = "syscall";

/// The field catalogue of the `syscall` source.
///
/// * [`FieldSchema::fields`] — every field (a [`vigil_event::FieldId`] indexes it).
/// * [`FieldSchema::event_types`] — every event-type name, sorted; an
///   [`EventTypeId`] is an index into this slice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallSchema;

/// The `syscall` schema as a static, for callers that want a `&'static dyn FieldSchema`.
pub static SYSCALL_SCHEMA: SyscallSchema = SyscallSchema;

impl FieldSchema for SyscallSchema {
    fn source(&self) -> &str {
        SYSCALL_SOURCE
    }

    fn fields(&self) -> &[FieldInfo] {
        &fields::SYSCALL_FIELDS
    }

    /// Every event-type name, sorted; [`EventTypeId`] indexes this slice.
    fn event_types(&self) -> &[&'static str] {
        event_types::SYSCALL_EVENT_TYPES
    }

    fn event_type_id(&self, name: &str) -> Option<EventTypeId> {
        event_types::SYSCALL_EVENT_TYPES
            .binary_search(&name)
            .ok()
            .and_then(|i| EventTypeId::try_from(i).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use vigil_event::{ArgKind, FieldArg, FieldError, FieldType};

    fn info(name: &str) -> &'static FieldInfo {
        let r = SYSCALL_SCHEMA
            .resolve(name, None)
            .or_else(|_| SYSCALL_SCHEMA.resolve(name, Some("0")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        &fields::SYSCALL_FIELDS[r.id.0 as usize]
    }

    #[test]
    fn no_duplicates_and_docs() {
        let mut seen = HashSet::new();
        for f in SYSCALL_SCHEMA.fields() {
            assert!(seen.insert(f.name), "duplicate field {}", f.name);
            assert!(!f.doc.trim().is_empty(), "{} has no doc", f.name);
            assert!(
                f.name.contains('.') && !f.name.ends_with('.'),
                "bad name {}",
                f.name
            );
            assert!(!f.arg_required || f.arg != ArgKind::None, "{}", f.name);
        }
        assert!(SYSCALL_SCHEMA.fields().len() > 250);
        let evtype: Vec<_> = SYSCALL_SCHEMA
            .fields()
            .iter()
            .filter(|f| f.evtype)
            .collect();
        assert_eq!(evtype.len(), 1);
        assert_eq!(evtype[0].name, "evt.type");
    }

    #[test]
    fn event_types_sorted_unique() {
        let t = SYSCALL_SCHEMA.event_types();
        assert!(t.windows(2).all(|w| w[0] < w[1]), "not sorted/unique");
        assert!(t.len() > 400 && t.len() < usize::from(EventTypeId::MAX));
        for (i, name) in t.iter().enumerate() {
            assert_eq!(SYSCALL_SCHEMA.event_type_id(name), Some(i as EventTypeId));
        }
        for name in [
            "open",
            "openat",
            "openat2",
            "execve",
            "execveat",
            "clone",
            "clone3",
            "fork",
            "vfork",
            "connect",
            "accept",
            "accept4",
            "madvise",
            "container",
            "procexit",
            "switch",
            "signaldeliver",
            "pluginevent",
            "asyncevent",
            "syscall",
        ] {
            assert!(SYSCALL_SCHEMA.event_type_id(name).is_some(), "{name}");
        }
        assert_eq!(SYSCALL_SCHEMA.event_type_id("NA"), None);
        assert_eq!(SYSCALL_SCHEMA.event_type_id("some_invalid_event"), None);
    }

    #[test]
    fn types_per_libsinsp() {
        let cases = [
            ("fd.num", FieldType::Int),
            ("proc.pid", FieldType::Int),
            ("proc.vpid", FieldType::Int),
            ("fd.port", FieldType::Port),
            ("fd.sport", FieldType::Port),
            ("fd.lport", FieldType::Port),
            ("fd.rport", FieldType::Port),
            ("fd.cport", FieldType::Port),
            ("fd.ip", FieldType::Ip),
            ("fd.sip", FieldType::Ip),
            ("fd.cip", FieldType::Ip),
            ("fd.lip", FieldType::Ip),
            ("fd.rip", FieldType::Ip),
            ("fd.net", FieldType::IpNet),
            ("fd.snet", FieldType::IpNet),
            ("fd.cnet", FieldType::IpNet),
            ("fd.lnet", FieldType::IpNet),
            ("fd.rnet", FieldType::IpNet),
            ("user.uid", FieldType::UInt),
            ("user.loginuid", FieldType::Int),
            ("group.gid", FieldType::UInt),
            ("proc.tty", FieldType::UInt),
            ("evt.is_open_read", FieldType::Bool),
            ("proc.duration", FieldType::RelTime),
            ("evt.time", FieldType::String),
            ("evt.rawtime", FieldType::AbsTime),
            ("fd.typechar", FieldType::String),
            ("evt.buffer", FieldType::Bytes),
            ("evt.rawres", FieldType::Int),
            ("evt.res", FieldType::String),
            ("evt.num", FieldType::UInt),
            ("proc.env", FieldType::String),
            ("proc.exe_ino.ctime", FieldType::AbsTime),
            ("container.privileged", FieldType::Bool),
            ("container.start_ts", FieldType::AbsTime),
            ("container.duration", FieldType::RelTime),
            ("thread.cap_effective", FieldType::String),
        ];
        for (name, ty) in cases {
            assert_eq!(info(name).ty, ty, "{name}");
        }
    }

    #[test]
    fn flags() {
        for name in [
            "evt.dir",
            "evt.latency",
            "evt.latency.s",
            "evt.latency.ns",
            "evt.latency.quantized",
            "evt.latency.human",
            "evt.wait_latency",
            "container.info",
        ] {
            assert!(info(name).deprecated, "{name}");
        }
        assert!(!info("evt.type").deprecated);
        assert!(info("fd.types").list);
        assert_eq!(SYSCALL_SCHEMA.fields().iter().filter(|f| f.list).count(), 1);
    }

    #[test]
    fn arguments() {
        let s = &SYSCALL_SCHEMA;
        let r = s.resolve("proc.aname", Some("2")).unwrap();
        assert_eq!(r.arg, FieldArg::Index(2));
        assert_eq!(s.resolve("proc.aname", None).unwrap().arg, FieldArg::None);
        assert!(s.resolve("proc.aname", Some("x")).is_err());
        assert_eq!(
            s.resolve("proc.aexepath", Some("3")).unwrap().arg,
            FieldArg::Index(3)
        );
        let r = s.resolve("evt.arg.flags", None).unwrap();
        assert_eq!(info("evt.arg").name, "evt.arg");
        assert_eq!(s.info(r.id).map(|f| f.name), Some("evt.arg"));
        assert_eq!(r.arg, FieldArg::Key("flags".into()));
        assert_eq!(
            s.resolve("evt.arg", Some("0")).unwrap().arg,
            FieldArg::Index(0)
        );
        assert_eq!(
            s.resolve("evt.arg", None),
            Err(FieldError::MissingArg("evt.arg".into()))
        );
        let r = s.resolve("evt.rawarg.res", None).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("evt.rawarg"));
        let r = s.resolve("evt.args", None).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("evt.args"));
        let r = s.resolve("evt.type.is.open", None).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("evt.type.is"));
        let r = s.resolve("thread.cgroup.cpuacct", None).unwrap();
        assert_eq!(r.arg, FieldArg::Key("cpuacct".into()));
        let r = s.resolve("proc.env", Some("HOME")).unwrap();
        assert_eq!(r.arg, FieldArg::Key("HOME".into()));
        let r = s
            .resolve("container.mount.dest", Some("/var/run/docker.sock"))
            .unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("container.mount.dest"));
        assert_eq!(r.arg, FieldArg::Key("/var/run/docker.sock".into()));
        assert!(s.resolve("container.mount.dest", None).is_err());
        let r = s.resolve("k8s.pod.label.app", None).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("k8s.pod.label"));
        assert_eq!(r.arg, FieldArg::Key("app".into()));
        let r = s.resolve("k8s.pod.label", Some("app")).unwrap();
        assert_eq!(r.arg, FieldArg::Key("app".into()));
        let r = s.resolve("k8s.pod.labels", None).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("k8s.pod.labels"));
        assert!(s.resolve("proc.name", Some("1")).is_err());
        assert!(matches!(
            s.resolve("proc.nobody", None),
            Err(FieldError::Unknown(_))
        ));
        assert!(info("evt.type").evtype);
    }
}
