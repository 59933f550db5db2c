//! `vigil audit report`: who did what in Kubernetes audit logs.
//!
//! Events are read with the library reader (JSON lines, `EventList` bodies, arrays; several
//! files), de-duplicated per request (`auditID`: a request logged at `ResponseStarted` and
//! `ResponseComplete` counts once, with its most complete stage), and summarised:
//!
//! * activity: principal (user, service account, node, …) × verb × resource, and the same per
//!   group;
//! * failed requests (4xx/5xx responses, authorization denials) and anonymous access;
//! * `exec`/`attach`/`portforward` sessions, with the command (URL-decoded `command=`
//!   parameters joined) and container;
//! * Secret reads (`get`/`list`/`watch`): names only — Secret data is never read here (and
//!   is already redacted by the reader);
//! * RBAC changes (roles, bindings), with the bound role and subjects of bindings.
//!
//! Malformed lines are counted and listed with their file and line; they never stop the
//! report.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value as J, json};

use crate::time::iso8601;
use crate::{AuditError, AuditEvent, parse_events};

/// One problem in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// File name as given.
    pub file: String,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The kind of principal behind a user name.
fn principal_kind(user: &str) -> &'static str {
    if user == "system:anonymous" {
        "anonymous"
    } else if user.starts_with("system:serviceaccount:") {
        "serviceaccount"
    } else if user.starts_with("system:node:") {
        "node"
    } else if user.starts_with("system:") {
        "system"
    } else if user.is_empty() {
        "unknown"
    } else {
        "user"
    }
}

/// One request, reduced to what the report shows.
#[derive(Clone, Debug, Default)]
struct Rec {
    stage_rank: u8,
    time_ns: u64,
    user: String,
    groups: Vec<String>,
    verb: String,
    api_group: String,
    resource: String,
    subresource: String,
    namespace: String,
    name: String,
    path: String,
    query: String,
    code: Option<i64>,
    decision: String,
    reason: String,
    role_ref: String,
    subjects: Vec<String>,
    wildcard_rules: bool,
}

impl Rec {
    fn target(&self) -> String {
        if self.resource.is_empty() {
            return self.path.clone();
        }
        let mut t = self.resource.clone();
        if !self.subresource.is_empty() {
            t.push('/');
            t.push_str(&self.subresource);
        }
        t
    }

    fn failed(&self) -> bool {
        self.code.is_some_and(|c| c >= 400) || self.decision == "forbid"
    }

    fn anonymous(&self) -> bool {
        self.user == "system:anonymous" || self.groups.iter().any(|g| g == "system:unauthenticated")
    }

    fn object(&self) -> String {
        match (self.namespace.is_empty(), self.name.is_empty()) {
            (true, true) => "*".into(),
            (true, false) => self.name.clone(),
            (false, true) => format!("{}/*", self.namespace),
            (false, false) => format!("{}/{}", self.namespace, self.name),
        }
    }
}

fn s(v: &J, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return String::new(),
        }
    }
    cur.as_str().unwrap_or_default().to_string()
}

fn stage_rank(stage: &str) -> u8 {
    match stage {
        "RequestReceived" => 1,
        "ResponseStarted" => 2,
        "ResponseComplete" | "Panic" => 3,
        _ => 0,
    }
}

fn subject_text(v: &J) -> String {
    let kind = s(v, &["kind"]);
    let name = s(v, &["name"]);
    let ns = s(v, &["namespace"]);
    if ns.is_empty() {
        format!("{kind}:{name}")
    } else {
        format!("{kind}:{ns}/{name}")
    }
}

fn rec_of(ev: &AuditEvent) -> Rec {
    let raw = ev.raw();
    let uri = raw
        .get("requestURI")
        .and_then(J::as_str)
        .unwrap_or_default();
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let code = raw
        .get("responseStatus")
        .and_then(|r| r.get("code"))
        .and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        });
    let annotations = raw.get("annotations");
    let ann = |k: &str| -> String {
        annotations
            .and_then(|a| a.get(k))
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut reason = s(raw, &["responseStatus", "reason"]);
    if reason.is_empty() {
        reason = ann("authorization.k8s.io/reason");
    }
    let mut r = Rec {
        stage_rank: stage_rank(ev.stage().unwrap_or_default()),
        time_ns: ev.time_ns(),
        user: ev.user_name().unwrap_or_default().to_string(),
        groups: raw
            .get("user")
            .and_then(|u| u.get("groups"))
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        verb: ev.verb().unwrap_or_default().to_string(),
        api_group: s(raw, &["objectRef", "apiGroup"]),
        resource: ev.resource().unwrap_or_default().to_string(),
        subresource: ev.subresource().unwrap_or_default().to_string(),
        namespace: ev.namespace().unwrap_or_default().to_string(),
        name: ev.name().unwrap_or_default().to_string(),
        path: path.to_string(),
        query: query.to_string(),
        code,
        decision: ann("authorization.k8s.io/decision"),
        reason,
        ..Rec::default()
    };
    if r.name.is_empty() {
        // Objects created with generateName, or named in the body only.
        for key in ["requestObject", "responseObject"] {
            let n = s(raw, &[key, "metadata", "name"]);
            if !n.is_empty() && r.resource != "secrets" {
                r.name = n;
                break;
            }
        }
    }
    if is_rbac(&r) {
        for key in ["requestObject", "responseObject"] {
            let Some(obj) = raw.get(key) else { continue };
            if r.role_ref.is_empty() {
                r.role_ref = s(obj, &["roleRef", "name"]);
                if !r.role_ref.is_empty() {
                    let kind = s(obj, &["roleRef", "kind"]);
                    if !kind.is_empty() {
                        r.role_ref = format!("{kind}:{}", r.role_ref);
                    }
                }
            }
            if r.subjects.is_empty()
                && let Some(subs) = obj.get("subjects").and_then(J::as_array)
            {
                r.subjects = subs.iter().map(subject_text).collect();
            }
            if let Some(rules) = obj.get("rules").and_then(J::as_array) {
                r.wildcard_rules |= rules.iter().any(|rule| {
                    ["verbs", "resources", "apiGroups"].iter().any(|k| {
                        rule.get(k)
                            .and_then(J::as_array)
                            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("*")))
                    })
                });
            }
        }
    }
    r
}

fn is_rbac(r: &Rec) -> bool {
    (r.api_group == "rbac.authorization.k8s.io" || r.api_group.is_empty())
        && matches!(
            r.resource.as_str(),
            "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings"
        )
}

fn is_write(verb: &str) -> bool {
    matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    )
}

/// Decode `%XX` and `+` of a query-string component.
fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| url_decode(k) == key)
        .map(|(_, v)| url_decode(v))
        .collect()
}

/// Accumulates events from any number of inputs; [`ReportBuilder::finish`] makes the report.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    files: Vec<String>,
    events: usize,
    by_id: HashMap<String, usize>,
    recs: Vec<Rec>,
    malformed: Vec<Malformed>,
    malformed_total: usize,
}

/// Most malformed entries kept with their place (all are counted).
const MAX_MALFORMED_LISTED: usize = 1000;

impl ReportBuilder {
    /// An empty builder.
    pub fn new() -> ReportBuilder {
        ReportBuilder::default()
    }

    /// Read one log file. An unreadable file is recorded as malformed input, not an error.
    pub fn add_file(&mut self, path: &Path) {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => self.add_bytes(&name, &bytes),
            Err(e) => {
                self.files.push(name.clone());
                self.malformed_total += 1;
                self.malformed.push(Malformed {
                    file: name,
                    line: 0,
                    message: format!("cannot read: {e}"),
                });
            }
        }
    }

    /// Read events from bytes (named `name` in messages).
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) {
        self.files.push(name.to_string());
        for item in parse_events(bytes) {
            match item {
                Ok(ev) => self.add_event(&ev),
                Err(e) => self.add_error(name, &e),
            }
        }
    }

    fn add_error(&mut self, name: &str, e: &AuditError) {
        self.malformed_total += 1;
        if self.malformed.len() < MAX_MALFORMED_LISTED {
            let text = e.to_string();
            let message = match text.split_once(": ") {
                Some((place, rest)) if place.starts_with("line ") => rest.to_string(),
                _ => text,
            };
            self.malformed.push(Malformed {
                file: name.to_string(),
                line: e.line(),
                message,
            });
        }
    }

    /// Add one event.
    pub fn add_event(&mut self, ev: &AuditEvent) {
        self.events += 1;
        let rec = rec_of(ev);
        match ev.audit_id().filter(|id| !id.is_empty()) {
            Some(id) => match self.by_id.get(id) {
                Some(&i) => {
                    if let Some(old) = self.recs.get_mut(i)
                        && rec.stage_rank >= old.stage_rank
                    {
                        *old = rec;
                    }
                }
                None => {
                    self.by_id.insert(id.to_string(), self.recs.len());
                    self.recs.push(rec);
                }
            },
            None => self.recs.push(rec),
        }
    }

    /// Build the report.
    pub fn finish(self) -> Report {
        Report::build(self)
    }
}

/// A table: column names and rows (numbers are right-aligned in text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Section title.
    pub title: &'static str,
    /// JSON key of the section.
    pub key: &'static str,
    /// Column names (also the JSON keys of each row).
    pub columns: Vec<&'static str>,
    /// Rows, sorted (by count, descending, for aggregated tables; by time for sessions).
    pub rows: Vec<Vec<Cell>>,
}

/// One table cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Num(u64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => n.to_string(),
        }
    }

    fn json(&self) -> J {
        match self {
            Cell::Text(s) => J::String(s.clone()),
            Cell::Num(n) => json!(n),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The report.
#[derive(Clone, Debug)]
pub struct Report {
    /// Input files, in order.
    pub files: Vec<String>,
    /// Events read.
    pub events: usize,
    /// Distinct requests (by `auditID`).
    pub requests: usize,
    /// Malformed input, with places (at most 1000 listed).
    pub malformed: Vec<Malformed>,
    /// Malformed input count (all of it).
    pub malformed_total: usize,
    /// The sections: `activity`, `groups`, `failed`, `anonymous`, `exec`, `secrets`, `rbac`.
    pub tables: Vec<Table>,
}

/// principal, verb, resource, code, reason.
type FailedKey = (String, String, String, String, String);

fn counted<K: Ord + Clone>(
    map: BTreeMap<K, (u64, u64)>,
    row: impl Fn(&K, u64, u64) -> Vec<Cell>,
) -> Vec<Vec<Cell>> {
    let mut v: Vec<(K, (u64, u64))> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    v.iter().map(|(k, (n, f))| row(k, *n, *f)).collect()
}

fn time_text(ns: u64) -> String {
    if ns == 0 { String::new() } else { iso8601(ns) }
}

fn code_text(c: Option<i64>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

impl Report {
    fn build(b: ReportBuilder) -> Report {
        let mut activity: BTreeMap<(String, &str, String, String), (u64, u64)> = BTreeMap::new();
        let mut groups: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
        let mut failed: BTreeMap<FailedKey, (u64, u64)> = BTreeMap::new();
        let mut anonymous: BTreeMap<(String, String, String, String), (u64, u64)> = BTreeMap::new();
        let mut secrets: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
        let mut exec = Vec::new();
        let mut rbac = Vec::new();
        for r in &b.recs {
            let f = u64::from(r.failed());
            let target = r.target();
            let slot = activity
                .entry((
                    r.user.clone(),
                    principal_kind(&r.user),
                    r.verb.clone(),
                    target.clone(),
                ))
                .or_default();
            slot.0 += 1;
            slot.1 += f;
            for g in &r.groups {
                let slot = groups
                    .entry((g.clone(), r.verb.clone(), target.clone()))
                    .or_default();
                slot.0 += 1;
                slot.1 += f;
            }
            if r.failed() {
                let why = if r.decision == "forbid" && r.reason.is_empty() {
                    "authorization: forbid".to_string()
                } else {
                    r.reason.clone()
                };
                failed
                    .entry((
                        r.user.clone(),
                        r.verb.clone(),
                        target.clone(),
                        code_text(r.code),
                        why,
                    ))
                    .or_default()
                    .0 += 1;
            }
            if r.anonymous() {
                let slot = anonymous
                    .entry((
                        r.verb.clone(),
                        target.clone(),
                        code_text(r.code),
                        r.decision.clone(),
                    ))
                    .or_default();
                slot.0 += 1;
                slot.1 += f;
            }
            if r.resource == "secrets"
                && r.subresource.is_empty()
                && matches!(r.verb.as_str(), "get" | "list" | "watch")
            {
                let slot = secrets
                    .entry((r.user.clone(), r.verb.clone(), r.object()))
                    .or_default();
                slot.0 += 1;
                slot.1 += f;
            }
            if r.resource == "pods"
                && matches!(r.subresource.as_str(), "exec" | "attach" | "portforward")
            {
                let command = query_values(&r.query, "command").join(" ");
                let detail = if r.subresource == "portforward" {
                    query_values(&r.query, "ports").join(",")
                } else {
                    command
                };
                exec.push((
                    r.time_ns,
                    vec![
                        t(time_text(r.time_ns)),
                        t(&r.user),
                        t(&r.subresource),
                        t(r.object()),
                        t(query_values(&r.query, "container").join(",")),
                        t(detail),
                        t(code_text(r.code)),
                    ],
                ));
            }
            if is_rbac(r) && is_write(&r.verb) {
                let mut detail = Vec::new();
                if !r.role_ref.is_empty() {
                    detail.push(format!("role={}", r.role_ref));
                }
                if !r.subjects.is_empty() {
                    detail.push(format!("subjects={}", r.subjects.join(",")));
                }
                if r.wildcard_rules {
                    detail.push("wildcard rules".into());
                }
                rbac.push((
                    r.time_ns,
                    vec![
                        t(time_text(r.time_ns)),
                        t(&r.user),
                        t(&r.verb),
                        t(&r.resource),
                        t(r.object()),
                        t(code_text(r.code)),
                        t(detail.join(" ")),
                    ],
                ));
            }
        }
        exec.sort_by_key(|x| x.0);
        rbac.sort_by_key(|x| x.0);
        let tables = vec![
            Table {
                title: "Who did what",
                key: "activity",
                columns: vec!["principal", "kind", "verb", "resource", "count", "failed"],
                rows: counted(activity, |k, n, f| {
                    vec![
                        t(&k.0),
                        t(k.1),
                        t(&k.2),
                        t(&k.3),
                        Cell::Num(n),
                        Cell::Num(f),
                    ]
                }),
            },
            Table {
                title: "By group",
                key: "groups",
                columns: vec!["group", "verb", "resource", "count", "failed"],
                rows: counted(groups, |k, n, f| {
                    vec![t(&k.0), t(&k.1), t(&k.2), Cell::Num(n), Cell::Num(f)]
                }),
            },
            Table {
                title: "Failed and denied requests",
                key: "failed",
                columns: vec!["principal", "verb", "resource", "code", "reason", "count"],
                rows: counted(failed, |k, n, _| {
                    vec![t(&k.0), t(&k.1), t(&k.2), t(&k.3), t(&k.4), Cell::Num(n)]
                }),
            },
            Table {
                title: "Anonymous access",
                key: "anonymous",
                columns: vec!["verb", "resource", "code", "decision", "count", "failed"],
                rows: counted(anonymous, |k, n, f| {
                    vec![
                        t(&k.0),
                        t(&k.1),
                        t(&k.2),
                        t(&k.3),
                        Cell::Num(n),
                        Cell::Num(f),
                    ]
                }),
            },
            Table {
                title: "Exec, attach and port-forward",
                key: "exec",
                columns: vec![
                    "time",
                    "principal",
                    "kind",
                    "pod",
                    "container",
                    "command",
                    "code",
                ],
                rows: exec.into_iter().map(|x| x.1).collect(),
            },
            Table {
                title: "Secret reads (names only)",
                key: "secrets",
                columns: vec!["principal", "verb", "secret", "count", "failed"],
                rows: counted(secrets, |k, n, f| {
                    vec![t(&k.0), t(&k.1), t(&k.2), Cell::Num(n), Cell::Num(f)]
                }),
            },
            Table {
                title: "RBAC changes",
                key: "rbac",
                columns: vec![
                    "time",
                    "principal",
                    "verb",
                    "resource",
                    "object",
                    "code",
                    "detail",
                ],
                rows: rbac.into_iter().map(|x| x.1).collect(),
            },
        ];
        Report {
            files: b.files,
            events: b.events,
            requests: b.recs.len(),
            malformed: b.malformed,
            malformed_total: b.malformed_total,
            tables,
        }
    }

    /// The table with a JSON key (`activity`, `failed`, …).
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }

    /// JSON form: every row of every table.
    pub fn to_json(&self) -> J {
        let mut obj = serde_json::Map::new();
        obj.insert("files".into(), json!(self.files));
        obj.insert("events".into(), json!(self.events));
        obj.insert("requests".into(), json!(self.requests));
        obj.insert(
            "malformed".into(),
            json!({
                "count": self.malformed_total,
                "items": self.malformed.iter().map(|m| json!({
                    "file": m.file, "line": m.line, "message": m.message,
                })).collect::<Vec<_>>(),
            }),
        );
        for table in &self.tables {
            let rows: Vec<J> = table
                .rows
                .iter()
                .map(|row| {
                    let m: serde_json::Map<String, J> = table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.to_string(), v.json()))
                        .collect();
                    J::Object(m)
                })
                .collect();
            obj.insert(table.key.into(), J::Array(rows));
        }
        J::Object(obj)
    }

    /// Text form: aligned tables, at most `limit` rows each (0 = all).
    pub fn render_text(&self, limit: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} event(s), {} request(s) from {} file(s); {} malformed",
            self.events,
            self.requests,
            self.files.len(),
            self.malformed_total
        );
        for m in &self.malformed {
            let _ = writeln!(out, "  {}:{}: {}", m.file, m.line, m.message);
        }
        if self.malformed_total > self.malformed.len() {
            let _ = writeln!(
                out,
                "  … {} more",
                self.malformed_total - self.malformed.len()
            );
        }
        for table in &self.tables {
            let _ = writeln!(out, "\n{} ({})", table.title, table.rows.len());
            if table.rows.is_empty() {
                let _ = writeln!(out, "  none");
                continue;
            }
            let shown = if limit == 0 {
                table.rows.len()
            } else {
                limit.min(table.rows.len())
            };
            let rows: Vec<Vec<String>> = table.rows[..shown]
                .iter()
                .map(|r| r.iter().map(|c| sanitize(&c.text())).collect())
                .collect();
            let mut widths: Vec<usize> = table.columns.iter().map(|c| c.len()).collect();
            for r in &rows {
                for (i, c) in r.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(c.chars().count());
                    }
                }
            }
            let numeric: Vec<bool> = (0..table.columns.len())
                .map(|i| {
                    table.rows[..shown]
                        .iter()
                        .all(|r| matches!(r.get(i), Some(Cell::Num(_))))
                })
                .collect();
            let line = |cells: &[String]| -> String {
                let mut l = String::from(" ");
                for (i, c) in cells.iter().enumerate() {
                    let w = widths.get(i).copied().unwrap_or(0);
                    let pad = w.saturating_sub(c.chars().count());
                    l.push(' ');
                    if numeric.get(i).copied().unwrap_or(false) {
                        l.push_str(&" ".repeat(pad));
                        l.push_str(c);
                    } else {
                        l.push_str(c);
                        if i + 1 < cells.len() {
                            l.push_str(&" ".repeat(pad));
                        }
                    }
                    if i + 1 < cells.len() {
                        l.push(' ');
                    }
                }
                l.trim_end().to_string()
            };
            let header: Vec<String> = table.columns.iter().map(|c| c.to_uppercase()).collect();
            let _ = writeln!(out, "{}", line(&header));
            for r in &rows {
                let _ = writeln!(out, "{}", line(r));
            }
            if shown < table.rows.len() {
                let _ = writeln!(
                    out,
                    "  … {} more row(s) (--limit 0 or --json for all)",
                    table.rows.len() - shown
                );
            }
        }
        out
    }
}

/// Control characters (from URL-decoded commands, user names) would garble a terminal.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode() {
        assert_eq!(url_decode("%2Fbin%2Fsh+-c"), "/bin/sh -c");
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz%4"), "%zz%4");
        assert_eq!(
            query_values("command=cat&command=%2Fetc%2Fpasswd&container=c", "command"),
            ["cat", "/etc/passwd"]
        );
        assert_eq!(
            principal_kind("system:serviceaccount:a:b"),
            "serviceaccount"
        );
        assert_eq!(principal_kind("alice"), "user");
    }
}
