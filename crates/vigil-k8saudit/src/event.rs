//! The parsed audit event: the raw JSON (Secret data redacted) plus the hot fields the rules
//! read on every event, extracted once.

use serde_json::Value as J;

use crate::AuditError;
use crate::time::parse_rfc3339;

/// What replaces every Secret value (`data`, `stringData`, the last-applied annotation).
pub const REDACTED: &str = "<redacted>";

/// One Kubernetes audit event (`audit.k8s.io/v1` or `v1beta1` `Event`).
///
/// The whole event is kept as a [`serde_json::Value`] for `jevt.value[/pointer]` and the
/// object fields (`ka.req.*`); the fields read by almost every rule are extracted once.
/// Secret data never survives parsing: see [`REDACTED`] and `docs/k8s-audit-fields.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    raw: J,
    time_ns: u64,
    num: u64,
    start_ns: u64,
    response_code: Option<Box<str>>,
    redacted: bool,
}

fn is_audit_api_version(v: &J) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with("audit.k8s.io/") || s == "audit.k8s.io")
}

impl AuditEvent {
    /// An event from a parsed JSON object. The object must be a Kubernetes audit `Event`
    /// (`kind: Event`, or no `kind` but an `auditID` and a `verb`; an `apiVersion`, when
    /// present, must be `audit.k8s.io/*`); otherwise [`AuditError::NotAuditEvent`] (with
    /// line 0 and offset 0; readers fill in the place).
    ///
    /// The event time is `stageTimestamp`, else `requestReceivedTimestamp`, else the
    /// v1beta1 `timestamp`, else 0.
    pub fn from_value(mut raw: J) -> Result<AuditEvent, AuditError> {
        let not_audit = || AuditError::NotAuditEvent {
            line: 0,
            offset: 0,
            item: None,
        };
        let Some(obj) = raw.as_object() else {
            return Err(not_audit());
        };
        let kind_ok = match obj.get("kind") {
            Some(k) => k.as_str() == Some("Event"),
            None => obj.contains_key("auditID") && obj.contains_key("verb"),
        };
        if !kind_ok
            || obj
                .get("apiVersion")
                .is_some_and(|v| !is_audit_api_version(v))
        {
            return Err(not_audit());
        }
        let time_ns = ["stageTimestamp", "requestReceivedTimestamp", "timestamp"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(J::as_str).and_then(parse_rfc3339))
            .unwrap_or(0);
        let response_code =
            obj.get("responseStatus")
                .and_then(|s| s.get("code"))
                .map(|c| match c {
                    J::String(s) => s.as_str().into(),
                    other => other.to_string().into_boxed_str(),
                });
        let redacted = redact_secrets(&mut raw);
        Ok(AuditEvent {
            raw,
            time_ns,
            num: 0,
            start_ns: time_ns,
            response_code,
            redacted,
        })
    }

    /// Parse one event from JSON text (see [`AuditEvent::from_value`]).
    pub fn from_slice(bytes: &[u8]) -> Result<AuditEvent, AuditError> {
        match serde_json::from_slice::<J>(bytes) {
            Ok(v) => AuditEvent::from_value(v),
            Err(e) => Err(AuditError::json(1, 0, &e)),
        }
    }

    /// The event JSON (Secret data already replaced by [`REDACTED`]).
    pub fn raw(&self) -> &J {
        &self.raw
    }

    /// Event time, nanoseconds since the epoch (0 when the event has no timestamp).
    pub fn time_ns(&self) -> u64 {
        self.time_ns
    }

    /// Sequence number in its stream (1 for the first event read; 0 when not read from a
    /// stream).
    pub fn num(&self) -> u64 {
        self.num
    }

    /// Set the sequence number (`evt.num`).
    pub fn set_num(&mut self, num: u64) {
        self.num = num;
    }

    /// Time of the first event of the stream (for `evt.reltime`).
    pub fn start_ns(&self) -> u64 {
        self.start_ns
    }

    /// Set the stream start time (for `evt.reltime`).
    pub fn set_start_ns(&mut self, start_ns: u64) {
        self.start_ns = start_ns;
    }

    /// True when Secret data was removed from this event.
    pub fn was_redacted(&self) -> bool {
        self.redacted
    }

    pub(crate) fn str_at(&self, a: &str, b: &str) -> Option<&str> {
        self.raw.get(a)?.get(b)?.as_str()
    }

    /// `auditID`.
    pub fn audit_id(&self) -> Option<&str> {
        self.raw.get("auditID")?.as_str()
    }

    /// `stage` (`RequestReceived`, `ResponseStarted`, `ResponseComplete`, `Panic`).
    pub fn stage(&self) -> Option<&str> {
        self.raw.get("stage")?.as_str()
    }

    /// `verb`.
    pub fn verb(&self) -> Option<&str> {
        self.raw.get("verb")?.as_str()
    }

    /// `user.username`.
    pub fn user_name(&self) -> Option<&str> {
        self.str_at("user", "username")
    }

    /// `objectRef.resource`.
    pub fn resource(&self) -> Option<&str> {
        self.str_at("objectRef", "resource")
    }

    /// `objectRef.subresource`.
    pub fn subresource(&self) -> Option<&str> {
        self.str_at("objectRef", "subresource")
    }

    /// `objectRef.namespace`.
    pub fn namespace(&self) -> Option<&str> {
        self.str_at("objectRef", "namespace")
    }

    /// `objectRef.name`.
    pub fn name(&self) -> Option<&str> {
        self.str_at("objectRef", "name")
    }

    /// `responseStatus.code` as text (`"201"`).
    pub fn response_code(&self) -> Option<&str> {
        self.response_code.as_deref()
    }

    /// `sourceIPs`.
    pub fn source_ips(&self) -> impl Iterator<Item = &str> {
        self.raw
            .get("sourceIPs")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
            .filter_map(J::as_str)
    }
}

/// The annotation `kubectl apply` stores the whole applied manifest in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn is_secret_object(v: &J) -> bool {
    v.get("kind").and_then(J::as_str) == Some("Secret")
}

/// Replace the values of a Secret-shaped object (`data`, `stringData`, and the
/// last-applied annotation that repeats them). Returns true when something was replaced.
fn redact_object(v: &mut J) -> bool {
    let mut done = false;
    let Some(obj) = v.as_object_mut() else {
        return false;
    };
    for key in ["data", "stringData"] {
        match obj.get_mut(key) {
            Some(J::Object(map)) => {
                for val in map.values_mut() {
                    *val = J::String(REDACTED.into());
                    done = true;
                }
            }
            Some(other @ (J::String(_) | J::Array(_) | J::Number(_) | J::Bool(_))) => {
                *other = J::String(REDACTED.into());
                done = true;
            }
            _ => {}
        }
    }
    if let Some(ann) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(J::as_object_mut)
        && let Some(val) = ann.get_mut(LAST_APPLIED)
    {
        *val = J::String(REDACTED.into());
        done = true;
    }
    done
}

/// Redact Secret data in `requestObject` and `responseObject`: a Secret, a SecretList's
/// items, any list item of kind Secret, a patch body on the `secrets` resource (merge
/// patches like an object; JSON patches have their `value`s replaced).
fn redact_secrets(raw: &mut J) -> bool {
    let on_secrets = raw
        .get("objectRef")
        .and_then(|o| o.get("resource"))
        .and_then(J::as_str)
        == Some("secrets");
    let mut done = false;
    for key in ["requestObject", "responseObject"] {
        let Some(obj) = raw.get_mut(key) else {
            continue;
        };
        match obj {
            J::Object(_) => {
                if on_secrets || is_secret_object(obj) {
                    done |= redact_object(obj);
                }
                if let Some(items) = obj.get_mut("items").and_then(J::as_array_mut) {
                    for item in items {
                        if on_secrets || is_secret_object(item) {
                            done |= redact_object(item);
                        }
                    }
                }
            }
            J::Array(ops) if on_secrets => {
                for op in ops {
                    if let Some(v) = op.get_mut("value") {
                        *v = J::String(REDACTED.into());
                        done = true;
                    }
                }
            }
            J::String(_) if on_secrets => {
                *obj = J::String(REDACTED.into());
                done = true;
            }
            _ => {}
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let ev = AuditEvent::from_slice(
            br#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"create",
            "stageTimestamp":"2018-10-25T13:58:49.730588Z",
            "objectRef":{"resource":"secrets","namespace":"default","name":"s"},
            "responseStatus":{"code":201},
            "requestObject":{"kind":"Secret","data":{"password":"c2VjcmV0"},"stringData":{"token":"hunter2"},
              "metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"c2VjcmV0\"}}"}}},
            "responseObject":{"kind":"SecretList","items":[{"kind":"Secret","data":{"k":"dmFs"}}]}}"#,
        )
        .unwrap();
        let text = ev.raw().to_string();
        assert!(!text.contains("c2VjcmV0") && !text.contains("hunter2") && !text.contains("dmFs"));
        assert!(text.contains("password") && ev.was_redacted());
        assert_eq!(ev.response_code(), Some("201"));
        assert_eq!(ev.time_ns(), 1_540_475_929_730_588_000);
        let patch = AuditEvent::from_slice(
            br#"{"kind":"Event","auditID":"x","verb":"patch","objectRef":{"resource":"secrets"},
            "requestObject":[{"op":"add","path":"/data/x","value":"c2VjcmV0"}]}"#,
        )
        .unwrap();
        assert!(!patch.raw().to_string().contains("c2VjcmV0"));
        let cm = AuditEvent::from_slice(
            br#"{"kind":"Event","auditID":"x","verb":"create","objectRef":{"resource":"configmaps"},
            "requestObject":{"kind":"ConfigMap","data":{"k":"v"}}}"#,
        )
        .unwrap();
        assert!(!cm.was_redacted());
    }

    #[test]
    fn not_audit_events() {
        for bad in [
            &br#"{"kind": 0}"#[..],
            br#"[]"#,
            br#"{"kind":"Pod"}"#,
            br#"{"kind":"Event","apiVersion":"v1"}"#,
            br#"{"verb":"get"}"#,
            br#"42"#,
        ] {
            let e = AuditEvent::from_slice(bad).unwrap_err();
            assert!(matches!(e, AuditError::NotAuditEvent { .. }), "{e}");
            assert!(
                e.to_string()
                    .contains("data not recognized as a k8s audit event")
            );
        }
        assert!(AuditEvent::from_slice(br#"{"auditID":"a","verb":"get"}"#).is_ok());
    }
}
