//! SARIF 2.1.0 output (OASIS standard, errata 01): one run, one rule per check, one result
//! per finding with a physical location (file, line) and a logical location (object and JSON
//! path); malformed input becomes tool execution notifications.

use serde_json::{Value, json};

use crate::checks::{self, CHECKS};
use crate::compat;
use crate::model::Report;
use crate::render::edit_json;

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn uri(name: &str) -> String {
    // Relative paths stay relative (resolved against the working directory); spaces and a
    // few reserved characters are percent-encoded.
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ' ' => s.push_str("%20"),
            '%' => s.push_str("%25"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            '\\' => s.push('/'),
            c => s.push(c),
        }
    }
    if s == "-" { "stdin".into() } else { s }
}

/// The report as a SARIF log.
pub fn sarif(report: &Report) -> Value {
    let rules: Vec<Value> = CHECKS
        .iter()
        .map(|c| {
            let tools: Vec<String> = compat::tool_ids(c.id).iter().map(|(t, id)| format!("{t}:{id}")).collect();
            json!({
                "id": c.id,
                "name": c.title.replace(' ', ""),
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.rationale},
                "help": {"text": format!("Fix: {}", c.fix)},
                "defaultConfiguration": {"level": c.severity.sarif_level(), "enabled": c.default_enabled},
                "properties": {
                    "tags": ["security", "kubernetes", c.category.as_str()],
                    "severity": c.severity.as_str(),
                    "security-severity": c.severity.security_severity(),
                    "equivalents": tools,
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings()
        .map(|(o, f)| {
            let rule_index = CHECKS.iter().position(|c| c.id == f.check).unwrap_or(0);
            let file = report.files.get(o.file).map_or("unknown", String::as_str);
            let fq = format!("{}.{}", o.display_name(), f.path);
            json!({
                "ruleId": f.check,
                "ruleIndex": rule_index,
                "level": f.severity.sarif_level(),
                "message": {"text": format!("{}: {}", o.display_name(), f.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(file)},
                        "region": {"startLine": f.line.max(1)},
                    },
                    "logicalLocations": [{
                        "name": f.path.to_string(),
                        "fullyQualifiedName": fq,
                        "kind": "member",
                    }],
                }],
                "partialFingerprints": {"vigilObjectPath/v1": format!("{}:{}", file, fq)},
                "properties": {
                    "severity": f.severity.as_str(),
                    "explicit": f.explicit,
                    "fix": f.fix.iter().map(edit_json).collect::<Vec<_>>(),
                    "advice": if f.advice.is_empty() { checks::by_id(f.check).map_or("", |c| c.fix) } else { f.advice },
                },
            })
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let file = report.files.get(e.file).map_or("unknown", String::as_str);
            let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri(file)}}});
            if e.line > 0 {
                let mut region = json!({"startLine": e.line});
                if e.col > 0 {
                    region["startColumn"] = json!(e.col);
                }
                loc["physicalLocation"]["region"] = region;
            }
            json!({"level": "error", "message": {"text": e.message}, "locations": [loc]})
        })
        .collect();
    let artifacts: Vec<Value> = report
        .files
        .iter()
        .map(|f| json!({"location": {"uri": uri(f)}, "mimeType": "application/yaml"}))
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vigil",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/vigil-sec/vigil",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}
