//! The parsed audit event: the raw JSON (Secret data redacted) plus the hot fields the rules
//! read on every event, extracted once.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value as J;

use crate::AuditError;
use crate::scan::{Raw, Scan};
use crate::time::parse_rfc3339;

/// What replaces every Secret value (`data`, `stringData`, the last-applied annotation).
pub const REDACTED: &str = "<redacted>";

/// One Kubernetes audit event (`audit.k8s.io/v1` or `v1beta1` `Event`).
///
/// The fields read by almost every rule are extracted once, when the event is read. The
/// whole event, for `jevt.value[/pointer]` and the object fields (`ka.req.*`), is a
/// [`serde_json::Value`] built on first use ([`AuditEvent::raw`]) from the event's JSON text
/// (events read from text are only syntax-checked and scanned for the hot fields at first:
/// most rules never look into `requestObject` / `responseObject`). Secret data is redacted
/// when that `Value` is built, before anything can read it; the JSON text itself is private
/// and never printed (`Debug` shows the redacted `Value`). See [`REDACTED`] and
/// `docs/k8s-audit-fields.md`.
#[derive(Clone)]
pub struct AuditEvent {
    /// The event's JSON text when the `Value` is built lazily (Secret data not yet
    /// redacted: never expose it).
    source: Option<Box<str>>,
    /// The event as a `Value` (redacted), and whether something was redacted.
    full: OnceLock<(J, bool)>,
    /// Byte range of `requestObject` in `source`, and that object alone as a `Value`
    /// (redacted), built on first use when the whole event is not (most rules that look
    /// into an event read only its request object).
    request_span: Option<(usize, usize)>,
    request: OnceLock<Option<J>>,
    time_ns: u64,
    num: u64,
    start_ns: u64,
    hot: HotFields,
}

impl fmt::Debug for AuditEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditEvent")
            .field("raw", self.raw())
            .field("time_ns", &self.time_ns)
            .field("num", &self.num)
            .field("start_ns", &self.start_ns)
            .finish_non_exhaustive()
    }
}

impl PartialEq for AuditEvent {
    fn eq(&self, other: &Self) -> bool {
        self.time_ns == other.time_ns
            && self.num == other.num
            && self.start_ns == other.start_ns
            && self.hot == other.hot
            && self.full() == other.full()
    }
}

/// How many hot fields come from the event's JSON (all but [`Hot::RawTime`]).
pub(crate) const HOT_FROM_JSON: usize = Hot::COUNT - 1;

/// The scalar fields read by almost every rule, resolved once at parse time: each is the
/// field's text as the extractors give it (a JSON string as is, any other JSON value as
/// compact JSON text), stored in one buffer. Rules then read them without walking the
/// event's JSON objects (whose key lookups are B-tree searches with a string comparison
/// per step).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HotFields {
    buf: String,
    spans: [Span; Hot::COUNT],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Span {
    start: usize,
    end: usize,
    /// 0: absent; 1: a JSON string; 2: another JSON value (its compact text).
    state: u8,
}

/// The hot fields (see [`HotFields`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hot {
    AuditId,
    Stage,
    Verb,
    UserName,
    ImpUserName,
    Uri,
    Resource,
    Subresource,
    Namespace,
    Name,
    RespName,
    AuthDecision,
    AuthReason,
    ResponseCode,
    ResponseReason,
    UserAgent,
    /// `jevt.rawtime`: the event time in nanoseconds as decimal text (not from the JSON).
    RawTime,
}

impl Hot {
    const COUNT: usize = Hot::RawTime as usize + 1;

    /// The values of the hot fields read from the event (all but [`Hot::RawTime`]), found
    /// in one pass over the top-level object (a string match per key instead of a B-tree
    /// search per field).
    fn find<'a>(raw: &'a J) -> [Option<&'a J>; Hot::COUNT] {
        let mut found: [Option<&J>; Hot::COUNT] = [None; Hot::COUNT];
        let Some(top) = raw.as_object() else {
            return found;
        };
        let mut set = |h: Hot, v: Option<&'a J>| found[h as usize] = v;
        for (k, v) in top {
            match k.as_str() {
                "auditID" => set(Hot::AuditId, Some(v)),
                "stage" => set(Hot::Stage, Some(v)),
                "verb" => set(Hot::Verb, Some(v)),
                "requestURI" => set(Hot::Uri, Some(v)),
                "userAgent" => set(Hot::UserAgent, Some(v)),
                "user" => set(Hot::UserName, v.get("username")),
                "impersonatedUser" => set(Hot::ImpUserName, v.get("username")),
                "objectRef" => {
                    for (k, v) in v.as_object().into_iter().flatten() {
                        match k.as_str() {
                            "resource" => set(Hot::Resource, Some(v)),
                            "subresource" => set(Hot::Subresource, Some(v)),
                            "namespace" => set(Hot::Namespace, Some(v)),
                            "name" => set(Hot::Name, Some(v)),
                            _ => {}
                        }
                    }
                }
                "responseObject" => {
                    set(Hot::RespName, v.get("metadata").and_then(|m| m.get("name")));
                }
                "annotations" => {
                    set(Hot::AuthDecision, v.get("authorization.k8s.io/decision"));
                    set(Hot::AuthReason, v.get("authorization.k8s.io/reason"));
                }
                "responseStatus" => {
                    set(Hot::ResponseCode, v.get("code"));
                    set(Hot::ResponseReason, v.get("reason"));
                }
                _ => {}
            }
        }
        found
    }

    /// The hot field a JSON pointer (`jevt.value[...]` argument) names, if any.
    pub(crate) fn of_pointer(ptr: &str) -> Option<Hot> {
        Some(match ptr {
            "/stage" => Hot::Stage,
            "/verb" => Hot::Verb,
            "/auditID" => Hot::AuditId,
            "/requestURI" => Hot::Uri,
            "/userAgent" => Hot::UserAgent,
            "/user/username" => Hot::UserName,
            "/impersonatedUser/username" => Hot::ImpUserName,
            "/objectRef/resource" => Hot::Resource,
            "/objectRef/subresource" => Hot::Subresource,
            "/objectRef/namespace" => Hot::Namespace,
            "/objectRef/name" => Hot::Name,
            "/responseObject/metadata/name" => Hot::RespName,
            "/responseStatus/code" => Hot::ResponseCode,
            "/responseStatus/reason" => Hot::ResponseReason,
            _ => return None,
        })
    }
}

impl HotFields {
    fn new(raw: &J, time_ns: u64) -> HotFields {
        use std::fmt::Write as _;
        let found = Hot::find(raw);
        let mut len = 20;
        for v in found.iter().flatten() {
            if let J::String(s) = v {
                len += s.len();
            }
        }
        HotFields::build(len, time_ns, |i, buf| {
            Some(match found[i]? {
                J::String(s) => {
                    buf.push_str(s);
                    1
                }
                other => {
                    let _ = write!(buf, "{other}");
                    2
                }
            })
        })
    }

    /// The hot fields from the scanned values (see [`Scan::hot_values`]): the same text as
    /// [`HotFields::new`] gives for the same JSON.
    fn from_scan(found: &[Raw<'_>; HOT_FROM_JSON], time_ns: u64) -> HotFields {
        use std::fmt::Write as _;
        let len = 20
            + found
                .iter()
                .filter_map(Raw::text)
                .map(str::len)
                .sum::<usize>();
        HotFields::build(len, time_ns, |i, buf| {
            let raw = found.get(i)?;
            let text = raw.text()?;
            if let Some(s) = raw.string() {
                buf.push_str(&s);
                return Some(1);
            }
            // Another JSON value: its compact text, as `Value`'s `Display` writes it.
            match serde_json::from_str::<J>(text) {
                Ok(v) => {
                    let _ = write!(buf, "{v}");
                }
                Err(_) => buf.push_str(text),
            }
            Some(2)
        })
    }

    /// Fill the buffer: `put(i, buf)` appends hot field `i` (not `RawTime`) and returns its
    /// state, or `None` when the field is absent.
    fn build(
        len: usize,
        time_ns: u64,
        mut put: impl FnMut(usize, &mut String) -> Option<u8>,
    ) -> HotFields {
        use std::fmt::Write as _;
        let mut hot = HotFields {
            buf: String::with_capacity(len),
            spans: [Span::default(); Hot::COUNT],
        };
        for i in 0..HOT_FROM_JSON {
            let start = hot.buf.len();
            if let Some(state) = put(i, &mut hot.buf) {
                hot.spans[i] = Span {
                    start,
                    end: hot.buf.len(),
                    state,
                };
            }
        }
        let start = hot.buf.len();
        let _ = write!(hot.buf, "{time_ns}");
        hot.spans[Hot::RawTime as usize] = Span {
            start,
            end: hot.buf.len(),
            state: 2,
        };
        hot
    }

    /// The field's text (a string, or the compact JSON text of another value).
    #[inline]
    pub(crate) fn text(&self, h: Hot) -> Option<&str> {
        let s = self.spans[h as usize];
        if s.state == 0 {
            None
        } else {
            self.buf.get(s.start..s.end)
        }
    }

    /// The field when it is a JSON string.
    #[inline]
    pub(crate) fn str(&self, h: Hot) -> Option<&str> {
        let s = self.spans[h as usize];
        if s.state == 1 {
            self.buf.get(s.start..s.end)
        } else {
            None
        }
    }
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
    ///
    /// Managed-cloud envelopes are unwrapped first (see `docs/k8s-audit-fields.md`): an
    /// Azure Monitor diagnostic record (`properties.log`, the Event as a JSON string, category
    /// `kube-audit` / `kube-audit-admin`), a CloudWatch Logs record (`message`, the Event as a
    /// JSON string), a Google Cloud Logging `LogEntry` of the `k8s.io` service (converted to
    /// an Event from its `protoPayload`), and an Azure Activity Log record of a Kubernetes
    /// resource operation (converted, `Metadata` level). Panther's copies of those records
    /// (extra `p_*` keys, `at_sign_type` for `@type`, `user.extra` keys spelled
    /// `authentication_kubernetes_io_slash_pod-name`) are accepted too.
    pub fn from_value(raw: J) -> Result<AuditEvent, AuditError> {
        let (raw, time_ns, redacted) = prepare(raw)?;
        let hot = HotFields::new(&raw, time_ns);
        Ok(AuditEvent {
            source: None,
            full: OnceLock::from((raw, redacted)),
            request_span: None,
            request: OnceLock::new(),
            time_ns,
            num: 0,
            start_ns: time_ns,
            hot,
        })
    }

    /// Parse one event from JSON text (see [`AuditEvent::from_value`]).
    pub fn from_slice(bytes: &[u8]) -> Result<AuditEvent, AuditError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => AuditEvent::from_text(text),
            Err(_) => match serde_json::from_slice::<J>(bytes) {
                Ok(v) => AuditEvent::from_value(v),
                Err(e) => Err(AuditError::json(1, 0, &e)),
            },
        }
    }

    /// Parse one event from JSON text: the fast path when the text scans
    /// ([`AuditEvent::scanned`]), else a whole `Value` ([`AuditEvent::from_value`]).
    pub(crate) fn from_text(text: &str) -> Result<AuditEvent, AuditError> {
        if let Some(ev) = Scan::of(text).and_then(|s| AuditEvent::scanned(text, &s)) {
            return Ok(ev);
        }
        match serde_json::from_str::<J>(text) {
            Ok(v) => AuditEvent::from_value(v),
            Err(e) => Err(AuditError::json(1, 0, &e)),
        }
    }

    /// An event from its scanned text (syntax already checked), its `Value` left for
    /// later; `None` when the eager path must decide (not an event, an envelope, keys the
    /// scan does not handle). Accepts exactly the events [`AuditEvent::from_value`]
    /// accepts without unwrapping or renaming anything, with the same time and hot fields.
    pub(crate) fn scanned(text: &str, scan: &Scan<'_>) -> Option<AuditEvent> {
        // `from_value`'s checks, for an object that is an event itself (not an envelope).
        let kind_ok = if scan.kind.is_some() {
            scan.kind_is("Event")
        } else {
            scan.audit_id.is_some() && scan.verb.is_some()
        };
        if !kind_ok {
            return None;
        }
        if scan.api_version.is_some()
            && !scan
                .api_version
                .string()
                .is_some_and(|v| v.starts_with("audit.k8s.io/") || v == "audit.k8s.io")
        {
            return None;
        }
        let hot_values = scan.hot_values()?;
        let time_ns = [scan.stage_ts, scan.received_ts, scan.timestamp]
            .iter()
            .find_map(|r| r.string().as_deref().and_then(parse_time))
            .unwrap_or(0);
        let request_span = scan.request_object.text().and_then(|r| {
            let start = (r.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
            let end = start + r.len();
            (text.get(start..end) == Some(r)).then_some((start, end))
        });
        Some(AuditEvent {
            source: Some(text.into()),
            full: OnceLock::new(),
            request_span,
            request: OnceLock::new(),
            time_ns,
            num: 0,
            start_ns: time_ns,
            hot: HotFields::from_scan(&hot_values, time_ns),
        })
    }

    /// The event as a `Value` (redacted), built now if it was not yet.
    fn full(&self) -> &(J, bool) {
        self.full.get_or_init(|| {
            let v = self
                .source
                .as_deref()
                .and_then(|t| serde_json::from_str::<J>(t).ok())
                .unwrap_or(J::Null);
            match prepare(v) {
                Ok((raw, _, redacted)) => (raw, redacted),
                // Not reached: the text was accepted by the same checks when it was read.
                Err(_) => (J::Null, false),
            }
        })
    }

    /// `requestObject` (Secret data redacted), without building the whole event's `Value`
    /// when it is not built yet.
    pub(crate) fn request_object(&self) -> Option<&J> {
        if let Some((raw, _)) = self.full.get() {
            return raw.get("requestObject");
        }
        let Some(src) = self.source.as_deref() else {
            return self.raw().get("requestObject");
        };
        self.request
            .get_or_init(|| {
                let (start, end) = self.request_span?;
                let mut v = serde_json::from_str::<J>(src.get(start..end)?).ok()?;
                redact_part(&mut v, self.resource() == Some("secrets"));
                Some(v)
            })
            .as_ref()
    }

    /// The event JSON (Secret data already replaced by [`REDACTED`]). Built on first use
    /// for events read from text.
    pub fn raw(&self) -> &J {
        &self.full().0
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
        self.full().1
    }

    /// A hot field's text (see [`HotFields::text`]).
    #[inline]
    pub(crate) fn hot(&self, h: Hot) -> Option<&str> {
        self.hot.text(h)
    }

    /// A hot field when it is a JSON string.
    #[inline]
    pub(crate) fn hot_str(&self, h: Hot) -> Option<&str> {
        self.hot.str(h)
    }

    /// `auditID`.
    pub fn audit_id(&self) -> Option<&str> {
        self.hot.str(Hot::AuditId)
    }

    /// `stage` (`RequestReceived`, `ResponseStarted`, `ResponseComplete`, `Panic`).
    pub fn stage(&self) -> Option<&str> {
        self.hot.str(Hot::Stage)
    }

    /// `verb`.
    pub fn verb(&self) -> Option<&str> {
        self.hot.str(Hot::Verb)
    }

    /// `user.username`.
    pub fn user_name(&self) -> Option<&str> {
        self.hot.str(Hot::UserName)
    }

    /// `objectRef.resource`.
    pub fn resource(&self) -> Option<&str> {
        self.hot.str(Hot::Resource)
    }

    /// `objectRef.subresource`.
    pub fn subresource(&self) -> Option<&str> {
        self.hot.str(Hot::Subresource)
    }

    /// `objectRef.namespace`.
    pub fn namespace(&self) -> Option<&str> {
        self.hot.str(Hot::Namespace)
    }

    /// `objectRef.name`.
    pub fn name(&self) -> Option<&str> {
        self.hot.str(Hot::Name)
    }

    /// `responseStatus.code` as text (`"201"`).
    pub fn response_code(&self) -> Option<&str> {
        self.hot.text(Hot::ResponseCode)
    }

    /// `sourceIPs`.
    pub fn source_ips(&self) -> impl Iterator<Item = &str> {
        self.raw()
            .get("sourceIPs")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
            .filter_map(J::as_str)
    }
}

/// Unwrap envelopes, check that `raw` is an audit event, redact Secret data: the event
/// `Value`, its time and whether something was redacted.
fn prepare(raw: J) -> Result<(J, u64, bool), AuditError> {
    let not_audit = || AuditError::NotAuditEvent {
        line: 0,
        offset: 0,
        item: None,
    };
    let mut raw = envelope::unwrap(raw).ok_or_else(not_audit)?;
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
        .find_map(|k| obj.get(*k).and_then(J::as_str).and_then(parse_time))
        .unwrap_or(0);
    let redacted = redact_secrets(&mut raw);
    Ok((raw, time_ns, redacted))
}

/// An RFC 3339 time; a time without zone (`2022-11-29 00:09:04.38`, as some log pipelines
/// write it) is taken as UTC.
fn parse_time(s: &str) -> Option<u64> {
    parse_rfc3339(s).or_else(|| {
        let b = s.as_bytes();
        let has_zone = b.len() > 19
            && (b.ends_with(b"Z")
                || b.ends_with(b"z")
                || b[19..].iter().any(|c| matches!(c, b'+' | b'-')));
        if has_zone {
            None
        } else {
            parse_rfc3339(&format!("{s}Z"))
        }
    })
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
        if let Some(obj) = raw.get_mut(key) {
            done |= redact_part(obj, on_secrets);
        }
    }
    done
}

/// Redact Secret data in one request or response object (see [`redact_secrets`]).
fn redact_part(obj: &mut J, on_secrets: bool) -> bool {
    let mut done = false;
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
    done
}

/// Managed-cloud envelopes around audit events, unwrapped or converted to an `Event` object.
mod envelope {
    use serde_json::{Map, Value as J};

    /// Nesting limit for envelopes inside envelopes (a JSON string in a JSON string).
    const MAX_DEPTH: u8 = 4;

    /// The audit `Event` object inside `v`: `v` itself when it is not an envelope, the
    /// unwrapped or converted event otherwise; `None` for an envelope that holds no
    /// Kubernetes audit event (an Azure record of another category, a Cloud Logging entry of
    /// another service, …).
    pub(super) fn unwrap(v: J) -> Option<J> {
        unwrap_depth(v, 0)
    }

    fn unwrap_depth(v: J, depth: u8) -> Option<J> {
        if depth > MAX_DEPTH {
            return None;
        }
        let J::Object(mut obj) = v else {
            return Some(v);
        };
        if is_event_like(&obj) {
            normalize_extra(&mut obj);
            return Some(J::Object(obj));
        }
        // Azure Monitor diagnostic record (AKS): the Event is a JSON string in properties.log.
        if let Some(log) = obj.get("properties").and_then(|p| p.get("log")) {
            if let Some(cat) = obj.get("category").and_then(J::as_str)
                && !cat.eq_ignore_ascii_case("kube-audit")
                && !cat.eq_ignore_ascii_case("kube-audit-admin")
            {
                return None;
            }
            let inner = match log {
                J::String(s) => serde_json::from_str::<J>(s).ok()?,
                J::Object(_) => log.clone(),
                _ => return None,
            };
            return unwrap_depth(inner, depth + 1).map(|ev| carry_panther_keys(ev, &obj));
        }
        // Google Cloud Logging LogEntry (GKE Cloud Audit Logs).
        if let Some(pp) = obj.get("protoPayload") {
            return gke::convert(pp, &obj).map(|ev| carry_panther_keys(ev, &obj));
        }
        // Azure Activity Log record of a Kubernetes resource operation made through ARM.
        if obj.contains_key("operationName") && obj.contains_key("resourceId") {
            return azure_activity(&obj).map(|ev| carry_panther_keys(ev, &obj));
        }
        // CloudWatch Logs record (EKS control-plane logging): the Event in `message`.
        if let Some(J::String(msg)) = obj.get("message") {
            let inner = serde_json::from_str::<J>(msg).ok()?;
            if !inner.is_object() {
                return None;
            }
            return unwrap_depth(inner, depth + 1).map(|ev| carry_panther_keys(ev, &obj));
        }
        normalize_extra(&mut obj);
        Some(J::Object(obj))
    }

    /// An object that is (or claims to be) an audit Event itself.
    fn is_event_like(obj: &Map<String, J>) -> bool {
        obj.get("kind").and_then(J::as_str) == Some("Event")
            || (obj.contains_key("auditID") && obj.contains_key("verb"))
    }

    /// Panther-normalised `user.extra` keys back to Kubernetes spelling:
    /// `authentication_kubernetes_io_slash_pod-name` → `authentication.kubernetes.io/pod-name`.
    fn normalize_extra(obj: &mut Map<String, J>) {
        for who in ["user", "impersonatedUser"] {
            let Some(extra) = obj
                .get_mut(who)
                .and_then(|u| u.get_mut("extra"))
                .and_then(J::as_object_mut)
            else {
                continue;
            };
            if !extra.keys().any(|k| k.contains("_slash_")) {
                continue;
            }
            let old = std::mem::take(extra);
            for (k, v) in old {
                let key = match k.split_once("_slash_") {
                    Some((domain, rest)) => format!("{}/{rest}", domain.replace('_', ".")),
                    None => k,
                };
                extra.insert(key, v);
            }
        }
    }

    /// Keep the log pipeline's own top-level keys (Panther's `p_*`, e.g. `p_enrichment`) on
    /// the unwrapped event, unless the event has a key of that name.
    fn carry_panther_keys(mut ev: J, outer: &Map<String, J>) -> J {
        if let Some(o) = ev.as_object_mut() {
            for (k, v) in outer {
                if k.starts_with("p_") && !o.contains_key(k) {
                    o.insert(k.clone(), v.clone());
                }
            }
        }
        ev
    }

    fn str_of<'a>(v: &'a J, path: &[&str]) -> Option<&'a str> {
        let mut cur = v;
        for p in path {
            cur = cur.get(*p)?;
        }
        cur.as_str().filter(|s| !s.is_empty())
    }

    /// `objectRef` from a Kubernetes API path below the group and version:
    /// `namespaces/ns/pods/name/exec`, `nodes/n/proxy`, `secrets`, `namespaces/ns`.
    pub(super) fn object_ref(group: &str, version: &str, rest: &[&str]) -> Map<String, J> {
        let mut r = Map::new();
        let group = if group.eq_ignore_ascii_case("core") || group == "api" {
            ""
        } else {
            group
        };
        r.insert("apiGroup".into(), J::String(group.into()));
        if !version.is_empty() {
            r.insert("apiVersion".into(), J::String(version.into()));
        }
        let rest: Vec<&str> = rest.iter().copied().filter(|s| !s.is_empty()).collect();
        let tail: &[&str] = match rest.as_slice() {
            ["namespaces", ns, tail @ ..] if !tail.is_empty() => {
                r.insert("namespace".into(), J::String((*ns).into()));
                tail
            }
            other => other,
        };
        let keys = ["resource", "name", "subresource"];
        for (k, v) in keys.iter().zip(tail) {
            r.insert((*k).into(), J::String((*v).into()));
        }
        r
    }

    mod gke {
        use super::{J, Map, object_ref, str_of};

        /// HTTP status for a `google.rpc.Code`.
        fn http_code(rpc: i64) -> Option<u64> {
            Some(match rpc {
                1 => 499,
                2 | 13 | 15 => 500,
                3 | 9 | 11 => 400,
                4 => 504,
                5 => 404,
                6 | 10 => 409,
                7 => 403,
                8 => 429,
                12 => 501,
                14 => 503,
                16 => 401,
                _ => return None,
            })
        }

        /// Percent-encode a query parameter value.
        fn query_escape(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            for b in s.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    out.push(char::from(b));
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }

        /// Convert a Cloud Logging `LogEntry` of the `k8s.io` service into an audit Event
        /// (the mapping of Falco's `k8saudit-gke` plugin, with the response status taken
        /// from `status` and `authorizationInfo` instead of always inferring success).
        pub(in super::super) fn convert(pp: &J, entry: &Map<String, J>) -> Option<J> {
            if let Some(svc) = str_of(pp, &["serviceName"])
                && svc != "k8s.io"
            {
                return None;
            }
            let method = str_of(pp, &["methodName"])?;
            let m = method.strip_prefix("io.k8s.")?;
            let msegs: Vec<&str> = m.split('.').collect();
            let verb = (*msegs.last()?).to_string();
            let mut ev = Map::new();
            ev.insert("kind".into(), J::String("Event".into()));
            ev.insert("apiVersion".into(), J::String("audit.k8s.io/v1".into()));

            // objectRef: from resourceName, else from methodName.
            let oref = match str_of(pp, &["resourceName"]) {
                Some(rn) => {
                    let segs: Vec<&str> = rn.trim_matches('/').split('/').collect();
                    match segs.as_slice() {
                        [g, v, rest @ ..] => object_ref(g, v, rest),
                        _ => Map::new(),
                    }
                }
                None => match msegs.as_slice() {
                    [g, v, res @ .., _verb] if !res.is_empty() => {
                        let mut r = object_ref(g, v, &res[..1]);
                        if let Some(sub) = res.get(1) {
                            r.insert("subresource".into(), J::String((*sub).into()));
                        }
                        r
                    }
                    _ => Map::new(),
                },
            };
            let subresource = oref
                .get("subresource")
                .and_then(J::as_str)
                .unwrap_or("")
                .to_string();
            let connect = matches!(subresource.as_str(), "exec" | "attach" | "portforward");

            // requestURI: as logged, else rebuilt from resourceName (exec commands as
            // `command=` parameters, as kubectl sends them).
            let uri = match str_of(pp, &["requestURI"]) {
                Some(u) => Some(u.to_string()),
                None => str_of(pp, &["resourceName"]).map(|rn| {
                    let rn = rn.trim_matches('/');
                    let mut u = match rn.split_once('/') {
                        Some(("core", rest)) => format!("/api/{rest}"),
                        _ => format!("/apis/{rn}"),
                    };
                    if connect {
                        let mut q = Vec::new();
                        if let Some(cmd) = pp
                            .get("request")
                            .and_then(|r| r.get("command"))
                            .and_then(J::as_array)
                        {
                            for c in cmd.iter().filter_map(J::as_str) {
                                q.push(format!("command={}", query_escape(c)));
                            }
                        }
                        if let Some(c) = str_of(pp, &["request", "container"]) {
                            q.push(format!("container={}", query_escape(c)));
                        }
                        if !q.is_empty() {
                            u.push('?');
                            u.push_str(&q.join("&"));
                        }
                    }
                    u
                }),
            };
            if let Some(u) = uri {
                ev.insert("requestURI".into(), J::String(u));
            }
            ev.insert("verb".into(), J::String(verb.clone()));

            let mut user = Map::new();
            let name = str_of(pp, &["authenticationInfo", "principalEmail"])
                .or_else(|| str_of(pp, &["authenticationInfo", "principalSubject"]))
                .or_else(|| str_of(pp, &["authenticationInfo", "authoritySelector"]));
            if let Some(n) = name {
                user.insert("username".into(), J::String(n.into()));
            }
            ev.insert("user".into(), J::Object(user));

            let ip = str_of(pp, &["requestMetadata", "callerIp"])
                .or_else(|| str_of(pp, &["requestMetadata", "callerIP"]));
            if let Some(ip) = ip {
                ev.insert("sourceIPs".into(), J::Array(vec![J::String(ip.into())]));
            }
            if let Some(ua) = str_of(pp, &["requestMetadata", "callerSuppliedUserAgent"]) {
                ev.insert("userAgent".into(), J::String(ua.into()));
            }
            if !oref.is_empty() {
                ev.insert("objectRef".into(), J::Object(oref));
            }

            // Authorization decision and response status.
            let granted: Vec<bool> = pp
                .get("authorizationInfo")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| a.get("granted").and_then(J::as_bool))
                .collect();
            let denied = granted.iter().any(|g| !g);
            let rpc = pp
                .get("status")
                .and_then(|s| s.get("code"))
                .and_then(J::as_i64);
            let mut status = Map::new();
            let code = match rpc.and_then(http_code) {
                Some(c) => c,
                None if denied => 403,
                None if connect => 101,
                None if verb == "create" => 201,
                None => 200,
            };
            status.insert("code".into(), J::from(code));
            if let Some(msg) = str_of(pp, &["status", "message"]) {
                status.insert("message".into(), J::String(msg.into()));
            }
            if code >= 400 {
                status.insert("status".into(), J::String("Failure".into()));
            }
            ev.insert("responseStatus".into(), J::Object(status));

            let mut ann = Map::new();
            if !granted.is_empty() {
                let d = if denied { "forbid" } else { "allow" };
                ann.insert("authorization.k8s.io/decision".into(), J::String(d.into()));
            }
            if let Some(labels) = entry
                .get("resource")
                .and_then(|r| r.get("labels"))
                .and_then(J::as_object)
            {
                for (k, v) in labels {
                    if let Some(s) = v.as_str() {
                        ann.insert(k.clone(), J::String(s.into()));
                    }
                }
            }
            if !ann.is_empty() {
                ev.insert("annotations".into(), J::Object(ann));
            }

            let mut level = "Metadata";
            if let Some(req) = pp.get("request").filter(|r| !r.is_null()) {
                ev.insert("requestObject".into(), strip_type(req));
                level = "Request";
            }
            if let Some(resp) = pp.get("response").filter(|r| !r.is_null()) {
                ev.insert("responseObject".into(), strip_type(resp));
                level = "RequestResponse";
            }
            ev.insert("level".into(), J::String(level.into()));
            let stage = if connect {
                "ResponseStarted"
            } else {
                "ResponseComplete"
            };
            ev.insert("stage".into(), J::String(stage.into()));
            let id = entry.get("insertId").and_then(J::as_str).or_else(|| {
                entry
                    .get("operation")
                    .and_then(|o| o.get("id"))
                    .and_then(J::as_str)
            });
            if let Some(id) = id {
                ev.insert("auditID".into(), J::String(id.into()));
            }
            let ts = ["timestamp", "receiveTimestamp"]
                .iter()
                .find_map(|k| entry.get(*k).and_then(J::as_str))
                .or_else(|| str_of(pp, &["timestamp"]));
            if let Some(ts) = ts {
                ev.insert("requestReceivedTimestamp".into(), J::String(ts.into()));
                ev.insert("stageTimestamp".into(), J::String(ts.into()));
            }
            Some(J::Object(ev))
        }

        /// A request/response object without Cloud Logging's `@type` (or Panther's
        /// `at_sign_type`) key.
        fn strip_type(v: &J) -> J {
            let mut v = v.clone();
            if let Some(o) = v.as_object_mut() {
                o.remove("@type");
                o.remove("at_sign_type");
            }
            v
        }
    }

    /// An Azure Activity Log record of an operation on a Kubernetes resource of an AKS or
    /// Arc-connected cluster (`…/managedClusters/<c>/<group>/<resource>/<name>`, operation
    /// `…/<GROUP>/<RESOURCE>/WRITE|DELETE|READ`), as a `Metadata`-level Event. ARM's `WRITE`
    /// is create-or-replace and becomes the verb `update`.
    fn azure_activity(obj: &Map<String, J>) -> Option<J> {
        let op = obj.get("operationName").and_then(J::as_str)?;
        let rid = obj.get("resourceId").and_then(J::as_str)?;
        let lower_rid = rid.to_ascii_lowercase();
        let cluster_at = ["/managedclusters/", "/connectedclusters/"]
            .iter()
            .find_map(|m| lower_rid.find(m).map(|i| i + m.len()))?;
        // Skip the cluster name.
        let after = rid.get(cluster_at..)?;
        let (_, rest) = after.split_once('/')?;
        let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let (group, kpath): (&str, &[&str]) = match segs.as_slice() {
            [g, tail @ ..] if g.contains('.') => (g, tail),
            other => ("", other),
        };
        let oref = object_ref(group, "", kpath);
        let resource = oref.get("resource").and_then(J::as_str)?.to_string();
        // The operation must name the same resource: `…/<group>/<resource>/<ACTION>`.
        let op_l = op.to_ascii_lowercase();
        let (op_path, action) = op_l.rsplit_once('/')?;
        let want = if group.is_empty() {
            format!("/{resource}")
        } else {
            format!("/{}/{resource}", group.to_ascii_lowercase())
        };
        if !op_path.ends_with(&want.to_ascii_lowercase()) {
            return None;
        }
        let verb = match action {
            "write" => "update",
            "delete" => "delete",
            "read" => "get",
            _ => "create",
        };
        let mut ev = Map::new();
        ev.insert("kind".into(), J::String("Event".into()));
        ev.insert("apiVersion".into(), J::String("audit.k8s.io/v1".into()));
        ev.insert("level".into(), J::String("Metadata".into()));
        ev.insert("stage".into(), J::String("ResponseComplete".into()));
        ev.insert("verb".into(), J::String(verb.into()));
        ev.insert("objectRef".into(), J::Object(oref));
        let mut user = Map::new();
        let caller = str_of(&J::Object(obj.clone()), &["caller"])
            .map(str::to_string)
            .or_else(|| {
                let claims = obj.get("claims")?;
                [
                    "name",
                    "upn",
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
                ]
                .iter()
                .find_map(|k| claims.get(*k).and_then(J::as_str).map(str::to_string))
            });
        if let Some(c) = caller {
            user.insert("username".into(), J::String(c));
        }
        ev.insert("user".into(), J::Object(user));
        if let Some(ip) = obj.get("callerIpAddress").and_then(J::as_str) {
            ev.insert("sourceIPs".into(), J::Array(vec![J::String(ip.into())]));
        }
        let sig = obj
            .get("resultSignature")
            .and_then(J::as_str)
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|c| (100..600).contains(c));
        let result = obj.get("resultType").and_then(J::as_str).unwrap_or("");
        let code = sig.unwrap_or(match result.to_ascii_lowercase().as_str() {
            "failure" | "failed" => 500,
            _ => 200,
        });
        let mut status = Map::new();
        status.insert("code".into(), J::from(code));
        ev.insert("responseStatus".into(), J::Object(status));
        if let Some(id) = obj.get("correlationId").and_then(J::as_str) {
            ev.insert("auditID".into(), J::String(id.into()));
        }
        if let Some(t) = obj.get("time").and_then(J::as_str) {
            ev.insert("requestReceivedTimestamp".into(), J::String(t.into()));
            ev.insert("stageTimestamp".into(), J::String(t.into()));
        }
        Some(J::Object(ev))
    }
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

    #[test]
    fn managed_cloud_envelopes() {
        // AKS diagnostic record: the Event is a JSON string; p_* keys are carried over.
        let aks = br#"{"category":"kube-audit","properties":{"log":"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\",\"user\":{\"username\":\"u\"},\"objectRef\":{\"resource\":\"secrets\"}}"},"p_enrichment":{"x":1}}"#;
        let ev = AuditEvent::from_slice(aks).unwrap();
        assert_eq!(ev.verb(), Some("get"));
        assert_eq!(ev.resource(), Some("secrets"));
        assert!(ev.raw().get("p_enrichment").is_some());
        let other = br#"{"category":"kube-apiserver","properties":{"log":"I0101 hello"}}"#;
        assert!(AuditEvent::from_slice(other).is_err());

        // GKE LogEntry.
        let gke = br#"{"insertId":"i1","timestamp":"2024-02-13T12:45:06.073Z","protoPayload":{"at_sign_type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"k8s.io","methodName":"io.k8s.core.v1.pods.exec.create","resourceName":"core/v1/namespaces/prod/pods/db/exec","authenticationInfo":{"principalEmail":"a@b.c"},"authorizationInfo":[{"granted":true}],"requestMetadata":{"callerIp":"8.8.8.8","callerSuppliedUserAgent":"kubectl"},"request":{"@type":"x","command":["cat","/var/run/secrets/t"]}},"resource":{"labels":{"cluster_name":"c1"}}}"#;
        let ev = AuditEvent::from_slice(gke).unwrap();
        assert_eq!(ev.verb(), Some("create"));
        assert_eq!(ev.namespace(), Some("prod"));
        assert_eq!(ev.name(), Some("db"));
        assert_eq!(ev.subresource(), Some("exec"));
        assert_eq!(ev.stage(), Some("ResponseStarted"));
        assert_eq!(ev.response_code(), Some("101"));
        assert_eq!(ev.user_name(), Some("a@b.c"));
        assert_eq!(ev.source_ips().collect::<Vec<_>>(), ["8.8.8.8"]);
        assert_eq!(ev.audit_id(), Some("i1"));
        assert!(ev.time_ns() > 0);
        let uri = ev.raw()["requestURI"].as_str().unwrap();
        assert_eq!(
            uri,
            "/api/v1/namespaces/prod/pods/db/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets%2Ft"
        );
        assert!(ev.raw()["requestObject"].get("@type").is_none());
        assert_eq!(ev.raw()["annotations"]["cluster_name"], "c1");
        assert_eq!(
            ev.raw()["annotations"]["authorization.k8s.io/decision"],
            "allow"
        );
        let denied = br#"{"protoPayload":{"methodName":"io.k8s.core.v1.secrets.list","resourceName":"core/v1/secrets","authorizationInfo":[{"granted":false}],"status":{"code":7}}}"#;
        let ev = AuditEvent::from_slice(denied).unwrap();
        assert_eq!(ev.response_code(), Some("403"));
        assert_eq!(ev.namespace(), None);
        assert_eq!(ev.resource(), Some("secrets"));
        assert_eq!(
            ev.raw()["annotations"]["authorization.k8s.io/decision"],
            "forbid"
        );
        let compute = br#"{"protoPayload":{"serviceName":"compute.googleapis.com","methodName":"compute.instances.list"}}"#;
        assert!(AuditEvent::from_slice(compute).is_err());

        // CloudWatch record and Panther-normalised user.extra keys.
        let cw = br#"{"message":"{\"kind\":\"Event\",\"verb\":\"get\",\"user\":{\"extra\":{\"authentication_kubernetes_io_slash_pod-name\":[\"p\"]}}}"}"#;
        let ev = AuditEvent::from_slice(cw).unwrap();
        assert_eq!(
            ev.raw()["user"]["extra"]["authentication.kubernetes.io/pod-name"][0],
            "p"
        );

        // Azure Activity Log record of a Kubernetes resource operation.
        let act = br#"{"time":"2025-12-22T10:30:00Z","resourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c/rbac.authorization.k8s.io/rolebindings/b","operationName":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/RBAC.AUTHORIZATION.K8S.IO/ROLEBINDINGS/WRITE","resultSignature":"200","callerIpAddress":"1.1.1.1","caller":"x@y"}"#;
        let ev = AuditEvent::from_slice(act).unwrap();
        assert_eq!(ev.verb(), Some("update"));
        assert_eq!(ev.resource(), Some("rolebindings"));
        assert_eq!(ev.name(), Some("b"));
        assert_eq!(ev.user_name(), Some("x@y"));
        let vm = br#"{"operationName":"Microsoft.Compute/virtualMachines/write","resourceId":"/subscriptions/s/providers/Microsoft.Compute/virtualMachines/v"}"#;
        assert!(AuditEvent::from_slice(vm).is_err());

        // A time without zone is UTC.
        let ev = AuditEvent::from_slice(
            br#"{"kind":"Event","verb":"get","stageTimestamp":"2022-11-29 00:09:04.38"}"#,
        )
        .unwrap();
        assert_eq!(ev.time_ns(), 1_669_680_544_380_000_000);
    }
}
