//! # vigil-k8saudit
//!
//! The Kubernetes audit source and its `k8s_audit` field catalogue (`ka.*`, `jevt.*`).
//!
//! [`K8sAuditSchema`] (also the static [`K8S_AUDIT_SCHEMA`]) lists the fields Falco gets from
//! the `k8saudit` plugin (`ka.*`) and the `json` plugin (`json.*` and its older `jevt.*`
//! names, whose argument is a JSON pointer: `jevt.value[/requestObject/spec]`), plus the
//! generic `evt.*` fields every source has (`evt.num`, `evt.time`, `evt.rawtime`, …). The
//! source has a single kind of event, so the schema has no event types.
//!
//! [`AuditEvent`] is one parsed `audit.k8s.io/v1` (or `v1beta1`) `Event`: the raw JSON, with
//! Secret data redacted at parse time, plus the hot fields; it implements
//! [`vigil_event::Extract`] for every field of the catalogue. [`parse_events`] reads JSON
//! lines, webhook `EventList` bodies (single- or multi-line) and arrays; [`read_file`] reads a
//! log file and [`Follower`] follows one like `tail -F`, across truncation and rotation. Where Falco's plugin has known bugs vigil differs on purpose; see
//! `docs/k8s-audit-fields.md`.
#![deny(missing_docs)]

mod event;
mod extract;
mod fields;
pub mod follow;
pub mod policy;
mod reader;
pub mod report;
mod scan;
mod time;
pub mod webhook;

pub use event::{AuditEvent, REDACTED};
pub use follow::{FollowOptions, FollowStart, Follower};
pub use reader::{
    AuditError, DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_LINE_BYTES, Events, NOT_AUDIT_EVENT,
    ReadOptions, parse_events, parse_events_with, read_file,
};

pub use webhook::{WebhookBatch, WebhookConfig, WebhookHandle, WebhookStats};

use vigil_event::{FieldInfo, FieldSchema};

/// Name of the source described by [`K8sAuditSchema`].
pub const K8S_AUDIT_SOURCE: &str = "k8s_audit";

/// The field catalogue of the `k8s_audit` source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct K8sAuditSchema;

/// The `k8s_audit` schema as a static, for callers that want a `&'static dyn FieldSchema`.
pub static K8S_AUDIT_SCHEMA: K8sAuditSchema = K8sAuditSchema;

impl FieldSchema for K8sAuditSchema {
    fn source(&self) -> &str {
        K8S_AUDIT_SOURCE
    }

    fn fields(&self) -> &[FieldInfo] {
        &fields::K8S_AUDIT_FIELDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use vigil_event::{ArgKind, FieldArg, FieldType};

    fn info(name: &str) -> &'static FieldInfo {
        let r = K8S_AUDIT_SCHEMA
            .resolve(name, None)
            .or_else(|_| K8S_AUDIT_SCHEMA.resolve(name, Some("/x")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        &fields::K8S_AUDIT_FIELDS[r.id.0 as usize]
    }

    #[test]
    fn no_duplicates_and_docs() {
        let mut seen = HashSet::new();
        for f in K8S_AUDIT_SCHEMA.fields() {
            assert!(seen.insert(f.name), "duplicate field {}", f.name);
            assert!(!f.doc.trim().is_empty(), "{} has no doc", f.name);
            assert!(!f.evtype && !f.deprecated, "{}", f.name);
            if f.name.starts_with("evt.") {
                continue;
            }
            assert_eq!(f.ty, FieldType::String, "{}", f.name);
            assert!(
                f.name.starts_with("ka.")
                    || f.name.starts_with("json.")
                    || f.name.starts_with("jevt."),
                "{}",
                f.name
            );
        }
        assert_eq!(info("evt.rawtime").ty, FieldType::AbsTime);
        assert_eq!(info("evt.num").ty, FieldType::UInt);
        assert_eq!(info("evt.time").ty, FieldType::String);
        assert!(K8S_AUDIT_SCHEMA.event_types().is_empty());
        assert_eq!(K8S_AUDIT_SCHEMA.source(), "k8s_audit");
    }

    #[test]
    fn container_list_families_match() {
        // The init and ephemeral container families mirror ka.req.pod.containers.*
        // (ephemeral containers have no host ports).
        let suffixes = |list: &str| -> HashSet<String> {
            let prefix = format!("ka.req.pod.{list}.");
            K8S_AUDIT_SCHEMA
                .fields()
                .iter()
                .filter_map(|f| f.name.strip_prefix(prefix.as_str()).map(str::to_string))
                .collect()
        };
        let main = suffixes("containers");
        let init = suffixes("initContainers");
        let mut eph = suffixes("ephemeralContainers");
        assert_eq!(main, init);
        eph.insert("host_port".into());
        assert_eq!(main, eph);
        for f in K8S_AUDIT_SCHEMA.fields() {
            if f.name.starts_with("ka.req.pod.") && f.name.matches('.').count() >= 4 {
                assert!(
                    f.list && f.arg == ArgKind::Index && !f.arg_required,
                    "{}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn lists_and_args() {
        for name in [
            "ka.user.groups",
            "ka.req.binding.subjects",
            "ka.req.role.rules",
            "ka.req.role.rules.verbs",
            "ka.req.role.rules.resources",
            "ka.req.pod.containers.image",
            "ka.req.pod.containers.image.repository",
            "ka.req.pod.containers.privileged",
            "ka.req.pod.initContainers.privileged",
            "ka.req.pod.ephemeralContainers.image",
            "ka.req.pod.volumes.hostpath",
            "ka.req.service.ports",
            "ka.sourceips",
        ] {
            assert!(info(name).list, "{name}");
        }
        for name in [
            "ka.user.name",
            "ka.verb",
            "ka.response.code",
            "ka.req.pod.host_network",
            "ka.req.container.image",
            "jevt.value",
            "jevt.rawtime",
        ] {
            assert!(!info(name).list, "{name}");
        }
        let s = &K8S_AUDIT_SCHEMA;
        let r = s.resolve("ka.uri.param", Some("command")).unwrap();
        assert_eq!(r.arg, FieldArg::Key("command".into()));
        assert!(s.resolve("ka.uri.param", None).is_err());
        let r = s
            .resolve("jevt.value", Some("/requestObject/spec/tls"))
            .unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("jevt.value"));
        assert_eq!(r.arg, FieldArg::Key("/requestObject/spec/tls".into()));
        assert!(s.resolve("jevt.value", None).is_err());
        let r = s.resolve("json.value", Some("/stage")).unwrap();
        assert_eq!(s.info(r.id).map(|f| f.name), Some("json.value"));
        let r = s.resolve("ka.req.pod.containers.image", Some("0")).unwrap();
        assert_eq!(r.arg, FieldArg::Index(0));
        let r = s
            .resolve("ka.req.pod.containers.image.repository", None)
            .unwrap();
        assert_eq!(
            s.info(r.id).map(|f| f.name),
            Some("ka.req.pod.containers.image.repository")
        );
        assert!(s.resolve("ka.nobody", None).is_err());
        assert!(s.resolve("proc.name", None).is_err());
    }
}
