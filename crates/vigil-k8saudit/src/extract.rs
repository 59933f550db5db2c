//! [`Extract`] for [`AuditEvent`]: every field of the `k8s_audit` catalogue.
//!
//! Semantics follow Falco's k8saudit and json plugins (strings everywhere; non-string JSON
//! rendered as compact JSON text; a missing path means the field is not available), with
//! the corrections listed in `docs/k8s-audit-fields.md`.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value as J;
use smallvec::smallvec;
use vigil_event::{EventTypeId, Extract, FieldArg, FieldRef, Value, Values};

use crate::AuditEvent;
use crate::event::Hot;
use crate::fields::K8S_AUDIT_FIELDS;
use crate::time;

/// The three container lists of a pod spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    Containers,
    Init,
    Ephemeral,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Containers => "containers",
            List::Init => "initContainers",
            List::Ephemeral => "ephemeralContainers",
        }
    }
}

/// Per-container fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cf {
    Name,
    Image,
    Repository,
    Command,
    Args,
    /// A scalar of `securityContext`.
    Sec(&'static str),
    EffUser,
    EffGroup,
    AddCaps,
    HostPort,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum F {
    EvtNum,
    EvtTime,
    EvtTimeS,
    EvtIso,
    EvtDatetime,
    EvtDatetimeS,
    EvtRawtime,
    EvtRawtimeS,
    EvtRawtimeNs,
    EvtReltime,
    EvtReltimeS,
    EvtReltimeNs,
    EvtPluginName,
    EvtPluginInfo,
    EvtSource,
    EvtIsAsync,
    EvtAsyncType,
    EvtHostname,
    /// A field resolved at parse time.
    Hot(Hot),
    /// A string at a fixed path of the event.
    Path(&'static [&'static str]),
    /// A list at a fixed path, each element one value.
    ListPath(&'static [&'static str]),
    /// An annotation.
    Annotation(&'static str),
    UriParam,
    TargetPodName,
    SubjectNames(&'static str),
    SubjectNsNames,
    HasName,
    Ctr(List, Cf),
    FirstImage,
    FirstRepository,
    AnyPrivileged,
    RoleRules(&'static str),
    ServicePorts,
    PodHostpaths,
    VolumeHostpath,
    FlexDrivers,
    VolumeTypes,
    SourceIps,
    JsonValue,
    JsonObj,
    Unknown,
}

fn container_field(rest: &str) -> Option<Cf> {
    Some(match rest {
        "name" => Cf::Name,
        "image" => Cf::Image,
        "image.repository" => Cf::Repository,
        "command" => Cf::Command,
        "args" => Cf::Args,
        "privileged" => Cf::Sec("privileged"),
        "allow_privilege_escalation" => Cf::Sec("allowPrivilegeEscalation"),
        "read_only_fs" => Cf::Sec("readOnlyRootFilesystem"),
        "run_as_user" => Cf::Sec("runAsUser"),
        "run_as_group" => Cf::Sec("runAsGroup"),
        "proc_mount" => Cf::Sec("procMount"),
        "eff_run_as_user" => Cf::EffUser,
        "eff_run_as_group" => Cf::EffGroup,
        "add_capabilities" => Cf::AddCaps,
        "host_port" => Cf::HostPort,
        _ => return None,
    })
}

fn kind_of(name: &str) -> F {
    for (prefix, list) in [
        ("ka.req.pod.containers.", List::Containers),
        ("ka.req.pod.initContainers.", List::Init),
        ("ka.req.pod.ephemeralContainers.", List::Ephemeral),
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return container_field(rest).map_or(F::Unknown, |cf| F::Ctr(list, cf));
        }
    }
    match name {
        "evt.num" => F::EvtNum,
        "evt.time" => F::EvtTime,
        "evt.time.s" => F::EvtTimeS,
        "evt.time.iso8601" => F::EvtIso,
        "evt.datetime" => F::EvtDatetime,
        "evt.datetime.s" => F::EvtDatetimeS,
        "evt.rawtime" => F::EvtRawtime,
        "evt.rawtime.s" => F::EvtRawtimeS,
        "evt.rawtime.ns" => F::EvtRawtimeNs,
        "evt.reltime" => F::EvtReltime,
        "evt.reltime.s" => F::EvtReltimeS,
        "evt.reltime.ns" => F::EvtReltimeNs,
        "evt.pluginname" => F::EvtPluginName,
        "evt.plugininfo" => F::EvtPluginInfo,
        "evt.source" => F::EvtSource,
        "evt.is_async" => F::EvtIsAsync,
        "evt.asynctype" => F::EvtAsyncType,
        "evt.hostname" => F::EvtHostname,
        "ka.auditid" => F::Hot(Hot::AuditId),
        "ka.stage" => F::Hot(Hot::Stage),
        "ka.auth.decision" => F::Hot(Hot::AuthDecision),
        "ka.auth.reason" => F::Hot(Hot::AuthReason),
        "ka.auth.openshift.decision" => F::Annotation("authentication.openshift.io/decision"),
        "ka.auth.openshift.username" => F::Annotation("authentication.openshift.io/username"),
        "ka.validations.admission.policy.failure" => {
            F::Annotation("validation.policy.admission.k8s.io/validation_failure")
        }
        "ka.security.pod.violations" => {
            F::Annotation("pod-security.kubernetes.io/audit-violations")
        }
        "ka.user.name" => F::Hot(Hot::UserName),
        "ka.user.groups" => F::ListPath(&["user", "groups"]),
        "ka.impuser.name" => F::Hot(Hot::ImpUserName),
        "ka.verb" => F::Hot(Hot::Verb),
        "ka.uri" => F::Hot(Hot::Uri),
        "ka.uri.param" => F::UriParam,
        "ka.target.name" => F::Hot(Hot::Name),
        "ka.target.namespace" => F::Hot(Hot::Namespace),
        "ka.target.resource" => F::Hot(Hot::Resource),
        "ka.target.subresource" => F::Hot(Hot::Subresource),
        "ka.target.pod.name" => F::TargetPodName,
        "ka.req.binding.subjects" => F::ListPath(&["requestObject", "subjects"]),
        "ka.req.binding.subjects.user_names" => F::SubjectNames("User"),
        "ka.req.binding.subjects.serviceaccount_names" => F::SubjectNames("ServiceAccount"),
        "ka.req.binding.subjects.group_names" => F::SubjectNames("Group"),
        "ka.req.binding.subjects.serviceaccount_ns_names" => F::SubjectNsNames,
        "ka.req.binding.role" => F::Path(&["requestObject", "roleRef", "name"]),
        "ka.req.binding.subject.has_name" => F::HasName,
        "ka.req.configmap.name" => F::Hot(Hot::Name),
        "ka.req.configmap.obj" => F::Path(&["requestObject", "data"]),
        "ka.req.container.image" => F::FirstImage,
        "ka.req.container.image.repository" => F::FirstRepository,
        "ka.req.container.privileged" => F::AnyPrivileged,
        "ka.req.pod.host_ipc" => F::Path(&["requestObject", "spec", "hostIPC"]),
        "ka.req.pod.host_network" | "ka.req.container.host_network" => {
            F::Path(&["requestObject", "spec", "hostNetwork"])
        }
        "ka.req.pod.host_pid" => F::Path(&["requestObject", "spec", "hostPID"]),
        "ka.req.pod.run_as_user" => {
            F::Path(&["requestObject", "spec", "securityContext", "runAsUser"])
        }
        "ka.req.pod.run_as_group" => {
            F::Path(&["requestObject", "spec", "securityContext", "runAsGroup"])
        }
        "ka.req.pod.fs_group" => F::Path(&["requestObject", "spec", "securityContext", "fsGroup"]),
        "ka.req.pod.supplemental_groups" => F::ListPath(&[
            "requestObject",
            "spec",
            "securityContext",
            "supplementalGroups",
        ]),
        "ka.req.role.rules" => F::ListPath(&["requestObject", "rules"]),
        "ka.req.role.rules.apiGroups" => F::RoleRules("apiGroups"),
        "ka.req.role.rules.nonResourceURLs" => F::RoleRules("nonResourceURLs"),
        "ka.req.role.rules.verbs" => F::RoleRules("verbs"),
        "ka.req.role.rules.resources" => F::RoleRules("resources"),
        "ka.req.service.type" => F::Path(&["requestObject", "spec", "type"]),
        "ka.req.service.ports" => F::ServicePorts,
        "ka.req.pod.volumes.hostpath" => F::PodHostpaths,
        "ka.req.volume.hostpath" => F::VolumeHostpath,
        "ka.req.pod.volumes.flexvolume_driver" => F::FlexDrivers,
        "ka.req.pod.volumes.volume_type" => F::VolumeTypes,
        "ka.resp.name" => F::Hot(Hot::RespName),
        "ka.response.code" => F::Hot(Hot::ResponseCode),
        "ka.response.reason" => F::Hot(Hot::ResponseReason),
        "ka.useragent" => F::Hot(Hot::UserAgent),
        "ka.sourceips" => F::SourceIps,
        "ka.cluster.name" => F::Annotation("cluster_name"),
        "json.value" | "jevt.value" => F::JsonValue,
        "json.obj" | "jevt.obj" => F::JsonObj,
        "json.rawtime" | "jevt.rawtime" => F::Hot(Hot::RawTime),
        _ => F::Unknown,
    }
}

/// Field kinds indexed like [`K8S_AUDIT_FIELDS`].
fn kinds() -> &'static [F] {
    static KINDS: OnceLock<Vec<F>> = OnceLock::new();
    KINDS.get_or_init(|| K8S_AUDIT_FIELDS.iter().map(|f| kind_of(f.name)).collect())
}

fn hostname() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        ["VIGIL_HOSTNAME", "FALCO_HOSTNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .or_else(|| {
                std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .ok()
                    .map(|s| s.trim().to_string())
            })
            .unwrap_or_default()
    })
}

/// A JSON value as a field value: strings borrowed, anything else as compact JSON text.
fn text(v: &J) -> Value<'_> {
    match v {
        J::String(s) => Value::str(s),
        other => Value::string(other.to_string()),
    }
}

fn one(v: Value<'_>) -> Option<Values<'_>> {
    Some(smallvec![v])
}

/// Non-empty list or not available.
fn nonempty(v: Values<'_>) -> Option<Values<'_>> {
    if v.is_empty() { None } else { Some(v) }
}

fn get<'a>(mut v: &'a J, path: &[&str]) -> Option<&'a J> {
    for k in path {
        v = v.get(*k)?;
    }
    Some(v)
}

/// `v.pointer(ptr)` (RFC 6901, as [`serde_json::Value::pointer`]) without allocating: a
/// token is unescaped (`~1` → `/`, `~0` → `~`) only when it holds a `~`.
fn pointer<'a>(v: &'a J, ptr: &str) -> Option<&'a J> {
    if ptr.is_empty() {
        return Some(v);
    }
    let rest = ptr.strip_prefix('/')?;
    let mut v = v;
    for token in rest.split('/') {
        let token: Cow<'_, str> = if token.contains('~') {
            Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(token)
        };
        v = match v {
            J::Object(map) => map.get(token.as_ref())?,
            J::Array(list) => list.get(array_index(&token)?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// An array index of a JSON pointer: decimal digits, no sign, no leading zero.
fn array_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

/// The image repository: the image without digest (`@...`) and tag (a `:` after the last
/// `/`), so `registry:5000/app:1.0` gives `registry:5000/app`.
pub(crate) fn image_repository(image: &str) -> &str {
    let no_digest = image.split_once('@').map_or(image, |(a, _)| a);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].find(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    }
}

/// Decode `%XX` and `+` (as Go's `url.ParseQuery`); invalid escapes are kept as is.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// All elements of `arr`, or only element `arg` when it is an index.
fn select<'a>(arr: &'a [J], arg: &FieldArg) -> Option<&'a [J]> {
    match arg {
        FieldArg::Index(i) => {
            let i = usize::try_from(*i).ok()?;
            arr.get(i).map(std::slice::from_ref)
        }
        _ => Some(arr),
    }
}

impl AuditEvent {
    fn spec(&self) -> Option<&J> {
        get(self.request_object()?, &["spec"])
    }

    /// The containers of `list`, or only container `idx`.
    fn containers(&self, list: List, arg: &FieldArg) -> Option<&[J]> {
        select(self.spec()?.get(list.key())?.as_array()?, arg)
    }

    fn container_field(&self, list: List, cf: Cf, arg: &FieldArg) -> Option<Values<'_>> {
        let spec = self.spec()?;
        let ctrs = select(spec.get(list.key())?.as_array()?, arg)?;
        let mut out = Values::new();
        let pod_sec = spec.get("securityContext");
        let host_network = spec
            .get("hostNetwork")
            .and_then(J::as_bool)
            .unwrap_or(false);
        for c in ctrs {
            let sec = c.get("securityContext");
            match cf {
                Cf::Name | Cf::Image => {
                    let key = if cf == Cf::Name { "name" } else { "image" };
                    if let Some(v) = c.get(key) {
                        out.push(text(v));
                    }
                }
                Cf::Repository => {
                    if let Some(img) = c.get("image").and_then(J::as_str) {
                        out.push(Value::str(image_repository(img)));
                    }
                }
                Cf::Command | Cf::Args => {
                    let key = if cf == Cf::Command { "command" } else { "args" };
                    match c.get(key) {
                        Some(J::Array(parts)) => {
                            let words: Vec<Cow<'_, str>> = parts
                                .iter()
                                .map(|p| match p {
                                    J::String(s) => Cow::Borrowed(s.as_str()),
                                    other => Cow::Owned(other.to_string()),
                                })
                                .collect();
                            out.push(Value::string(words.join(" ")));
                        }
                        Some(other) => out.push(text(other)),
                        None => {}
                    }
                }
                Cf::Sec(key) => {
                    if let Some(v) = sec.and_then(|s| s.get(key)) {
                        out.push(text(v));
                    }
                }
                Cf::EffUser | Cf::EffGroup => {
                    let key = if cf == Cf::EffUser {
                        "runAsUser"
                    } else {
                        "runAsGroup"
                    };
                    let v = sec
                        .and_then(|s| s.get(key))
                        .filter(|v| !v.is_null())
                        .or_else(|| pod_sec.and_then(|s| s.get(key)).filter(|v| !v.is_null()));
                    out.push(v.map_or(Value::str("0"), text));
                }
                Cf::AddCaps => match sec.and_then(|s| get(s, &["capabilities", "add"])) {
                    Some(J::Array(caps)) => out.extend(caps.iter().map(text)),
                    Some(other) => out.push(text(other)),
                    None => {}
                },
                Cf::HostPort => {
                    for p in c.get("ports").and_then(J::as_array).into_iter().flatten() {
                        if let Some(hp) = p.get("hostPort") {
                            out.push(text(hp));
                        } else if host_network && let Some(cp) = p.get("containerPort") {
                            out.push(text(cp));
                        }
                    }
                }
            }
        }
        nonempty(out)
    }

    fn role_rules(&self, key: &str, arg: &FieldArg) -> Option<Values<'_>> {
        let rules = get(self.request_object()?, &["rules"])?.as_array()?;
        let selected = select(rules, arg)?;
        let mut out = Values::new();
        for r in selected {
            if let Some(J::Array(items)) = r.get(key) {
                out.extend(items.iter().map(text));
            }
        }
        Some(out)
    }

    fn subjects(&self) -> impl Iterator<Item = &J> {
        self.request_object()
            .and_then(|r| get(r, &["subjects"]))
            .and_then(J::as_array)
            .into_iter()
            .flatten()
    }

    fn volumes(&self, arg: &FieldArg) -> Option<&[J]> {
        select(self.spec()?.get("volumes")?.as_array()?, arg)
    }

    /// The value at a key path, reading only the request object when the path is in it.
    fn tree_get(&self, path: &[&str]) -> Option<&J> {
        match path.split_first() {
            Some((&"requestObject", rest)) => get(self.request_object()?, rest),
            _ => get(self.raw(), path),
        }
    }

    fn uri_param(&self, key: &str) -> Option<Values<'_>> {
        let uri = self.hot_str(Hot::Uri)?;
        let (_, query) = uri.split_once('?')?;
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if percent_decode(k) == key {
                return one(match percent_decode(v) {
                    Cow::Borrowed(s) => Value::str(s),
                    Cow::Owned(s) => Value::string(s),
                });
            }
        }
        None
    }

    fn evt_info(&self) -> String {
        let or = |s: Option<&str>| s.unwrap_or("<NA>").to_string();
        let mut target = or(self.resource());
        if let Some(sub) = self.subresource() {
            target.push('/');
            target.push_str(sub);
        }
        if let Some(ns) = self.namespace() {
            target = format!("{target} {ns}/{}", or(self.name()));
        } else if let Some(n) = self.name() {
            target = format!("{target} {n}");
        }
        format!(
            "{} {} {} by {} -> {}",
            or(self.stage()),
            or(self.verb()),
            target,
            or(self.user_name()),
            or(self.response_code())
        )
    }
}

impl Extract for AuditEvent {
    fn event_type(&self) -> Option<EventTypeId> {
        None
    }

    fn extract(&self, field: &FieldRef) -> Option<Values<'_>> {
        let kind = *kinds().get(field.id.0 as usize)?;
        let t = self.time_ns();
        let rel = t.saturating_sub(self.start_ns());
        match kind {
            F::EvtNum => one(Value::UInt(self.num())),
            F::EvtTime => one(Value::string(time::time_of_day(t, true))),
            F::EvtTimeS => one(Value::string(time::time_of_day(t, false))),
            F::EvtIso => one(Value::string(time::iso8601(t))),
            F::EvtDatetime => one(Value::string(time::date_time(t, true))),
            F::EvtDatetimeS => one(Value::string(time::date_time(t, false))),
            F::EvtRawtime => one(Value::UInt(t)),
            F::EvtRawtimeS => one(Value::UInt(t / 1_000_000_000)),
            F::EvtRawtimeNs => one(Value::UInt(t % 1_000_000_000)),
            F::EvtReltime => one(Value::UInt(rel)),
            F::EvtReltimeS => one(Value::UInt(rel / 1_000_000_000)),
            F::EvtReltimeNs => one(Value::UInt(rel % 1_000_000_000)),
            F::EvtPluginName => one(Value::str("k8saudit")),
            F::EvtPluginInfo => one(Value::string(self.evt_info())),
            F::EvtSource => one(Value::str(crate::K8S_AUDIT_SOURCE)),
            F::EvtIsAsync => one(Value::Bool(false)),
            F::EvtAsyncType => None,
            F::EvtHostname => one(Value::str(hostname())),
            F::Hot(h) => self.hot(h).map(Value::str).and_then(one),
            F::Path(path) => self.tree_get(path).map(text).and_then(one),
            F::ListPath(path) => match self.tree_get(path)? {
                J::Array(items) => nonempty(items.iter().map(text).collect()),
                _ => None,
            },
            F::Annotation(key) => get(self.raw(), &["annotations", key])
                .map(text)
                .and_then(one),
            F::UriParam => match &field.arg {
                FieldArg::Key(k) => self.uri_param(k),
                _ => None,
            },
            F::TargetPodName => {
                if self.resource() != Some("pods") {
                    return None;
                }
                let name = self.name().or_else(|| {
                    if self.subresource().is_none() {
                        self.hot_str(Hot::RespName)
                    } else {
                        None
                    }
                })?;
                one(Value::str(name))
            }
            F::SubjectNames(kind) => nonempty(
                self.subjects()
                    .filter(|s| s.get("kind").and_then(J::as_str) == Some(kind))
                    .filter_map(|s| s.get("name").map(text))
                    .collect(),
            ),
            F::SubjectNsNames => nonempty(
                self.subjects()
                    .filter(|s| s.get("kind").and_then(J::as_str) == Some("ServiceAccount"))
                    .filter_map(|s| {
                        let name = s.get("name")?.as_str()?;
                        let ns = s.get("namespace").and_then(J::as_str).unwrap_or("");
                        Some(Value::string(format!("{ns}:{name}")))
                    })
                    .collect(),
            ),
            F::HasName => one(Value::str("true")),
            F::Ctr(l, cf) => self.container_field(l, cf, &field.arg),
            F::FirstImage => {
                let c = self.containers(List::Containers, &FieldArg::Index(0))?;
                c.first()?.get("image").map(text).and_then(one)
            }
            F::FirstRepository => {
                let c = self.containers(List::Containers, &FieldArg::Index(0))?;
                let img = c.first()?.get("image")?.as_str()?;
                one(Value::str(image_repository(img)))
            }
            F::AnyPrivileged => {
                let any = [List::Containers, List::Init, List::Ephemeral]
                    .iter()
                    .filter_map(|l| self.containers(*l, &FieldArg::None))
                    .flatten()
                    .any(|c| {
                        get(c, &["securityContext", "privileged"]).and_then(J::as_bool)
                            == Some(true)
                    });
                self.containers(List::Containers, &FieldArg::None)?;
                one(Value::str(if any { "true" } else { "false" }))
            }
            F::RoleRules(key) => nonempty(self.role_rules(key, &field.arg)?),
            F::ServicePorts => {
                let ports = self.spec()?.get("ports")?.as_array()?;
                match &field.arg {
                    FieldArg::Index(i) => {
                        ports.get(usize::try_from(*i).ok()?).map(text).and_then(one)
                    }
                    _ => nonempty(ports.iter().map(text).collect()),
                }
            }
            F::PodHostpaths => nonempty(
                self.volumes(&field.arg)?
                    .iter()
                    .filter_map(|v| get(v, &["hostPath", "path"]).map(text))
                    .collect(),
            ),
            F::VolumeHostpath => {
                let FieldArg::Key(key) = &field.arg else {
                    return None;
                };
                let vols = self.volumes(&FieldArg::None)?;
                let found = vols
                    .iter()
                    .filter_map(|v| get(v, &["hostPath", "path"])?.as_str())
                    .any(|p| match key.strip_suffix('*') {
                        Some(prefix) => p.starts_with(prefix),
                        None => p == &**key,
                    });
                one(Value::str(if found { "true" } else { "false" }))
            }
            F::FlexDrivers => nonempty(
                self.volumes(&field.arg)?
                    .iter()
                    .filter_map(|v| get(v, &["flexVolume", "driver"]).map(text))
                    .collect(),
            ),
            F::VolumeTypes => nonempty(
                self.volumes(&field.arg)?
                    .iter()
                    .filter_map(J::as_object)
                    .flat_map(|o| o.keys().filter(|k| *k != "name").map(|k| Value::str(k)))
                    .collect(),
            ),
            F::SourceIps => {
                let ips = self.raw().get("sourceIPs")?.as_array()?;
                match &field.arg {
                    FieldArg::Index(i) => {
                        ips.get(usize::try_from(*i).ok()?).map(text).and_then(one)
                    }
                    _ => nonempty(ips.iter().map(text).collect()),
                }
            }
            F::JsonValue => {
                let FieldArg::Key(ptr) = &field.arg else {
                    return None;
                };
                match Hot::of_pointer(ptr) {
                    Some(h) => self.hot(h).map(Value::str).and_then(one),
                    None => match ptr.strip_prefix("/requestObject") {
                        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                            pointer(self.request_object()?, rest)
                                .map(text)
                                .and_then(one)
                        }
                        _ => pointer(self.raw(), ptr).map(text).and_then(one),
                    },
                }
            }
            F::JsonObj => serde_json::to_string_pretty(self.raw())
                .ok()
                .map(Value::string)
                .and_then(one),
            F::Unknown => None,
        }
    }
}
