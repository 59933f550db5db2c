//! Text and JSON renderings of a [`Report`].

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::checks;
use crate::compat;
use crate::model::{Report, Severity};
use crate::path::Edit;

/// Human-readable report grouped by object, each finding with its line, path and fix.
/// Findings below `min` are not shown.
pub fn text(report: &Report, min: Severity) -> String {
    let mut s = String::new();
    for e in &report.errors {
        let file = report.files.get(e.file).map_or("?", String::as_str);
        match (e.line, e.col) {
            (0, _) => {
                let _ = writeln!(s, "error: {file}: {}", e.message);
            }
            (l, 0) => {
                let _ = writeln!(s, "error: {file}:{l}: {}", e.message);
            }
            (l, c) => {
                let _ = writeln!(s, "error: {file}:{l}:{c}: {}", e.message);
            }
        }
    }
    if !report.errors.is_empty() {
        s.push('\n');
    }
    for o in &report.objects {
        let mut shown: Vec<_> = o.findings.iter().filter(|f| f.severity >= min).collect();
        if shown.is_empty() {
            continue;
        }
        shown.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
        let file = report.files.get(o.object.file).map_or("?", String::as_str);
        let _ = writeln!(s, "{file}:{} {}", o.object.line, o.object.display_name());
        for f in shown {
            let _ = writeln!(
                s,
                "  {:<8} {}  (line {})",
                f.severity.as_str().to_uppercase(),
                f.check,
                f.line
            );
            let _ = writeln!(s, "           {}", f.message);
            let _ = writeln!(s, "           at {}", f.path);
            if f.fix.is_empty() {
                if let Some(c) = checks::by_id(f.check) {
                    let _ = writeln!(s, "           fix: {}", c.fix);
                }
            } else {
                let edits: Vec<String> = f.fix.iter().map(Edit::to_string).collect();
                let _ = writeln!(s, "           fix: {}", edits.join("; "));
            }
        }
        s.push('\n');
    }
    let mut counts = Vec::new();
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let n = report.findings().filter(|(_, f)| f.severity == sev).count();
        if n > 0 {
            counts.push(format!("{n} {sev}"));
        }
    }
    let total = report.findings().count();
    let _ = writeln!(
        s,
        "{} objects in {} files: {} finding{}{}{}",
        report.objects.len(),
        report.files.len(),
        total,
        if total == 1 { "" } else { "s" },
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(", {} input errors", report.errors.len())
        },
    );
    s
}

/// One edit as JSON.
pub fn edit_json(e: &Edit) -> Value {
    match e {
        Edit::Set(p, v) => json!({"op": "set", "path": p.to_string(), "value": v}),
        Edit::Remove(p) => json!({"op": "remove", "path": p.to_string()}),
        Edit::Append(p, v) => json!({"op": "append", "path": p.to_string(), "value": v}),
    }
}

/// Machine-readable report.
pub fn json(report: &Report) -> Value {
    let findings: Vec<Value> = report
        .findings()
        .map(|(o, f)| {
            let info = checks::by_id(f.check);
            json!({
                "check": f.check,
                "title": info.map(|c| c.title),
                "severity": f.severity.as_str(),
                "category": info.map(|c| c.category.as_str()),
                "file": report.files.get(o.file),
                "line": f.line,
                "object": {
                    "apiVersion": o.api_version,
                    "kind": o.kind,
                    "namespace": o.namespace,
                    "name": o.name,
                    "document": o.doc,
                    "item": o.item,
                    "line": o.line,
                },
                "path": f.path.to_string(),
                "message": f.message,
                "explicit": f.explicit,
                "fix": f.fix.iter().map(edit_json).collect::<Vec<_>>(),
                "advice": if f.advice.is_empty() { info.map(|c| c.fix) } else { Some(f.advice) },
                "tools": compat::tool_ids(f.check).iter().map(|(t, id)| json!({"tool": t, "id": id})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"file": report.files.get(e.file), "line": e.line, "col": e.col, "message": e.message}))
        .collect();
    let mut by_sev = serde_json::Map::new();
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        by_sev.insert(
            sev.as_str().into(),
            json!(report.findings().filter(|(_, f)| f.severity == sev).count()),
        );
    }
    json!({
        "tool": "vigil",
        "version": env!("CARGO_PKG_VERSION"),
        "files": report.files,
        "summary": {
            "objects": report.objects.len(),
            "findings": report.findings().count(),
            "errors": report.errors.len(),
            "by_severity": by_sev,
        },
        "errors": errors,
        "findings": findings,
    })
}
