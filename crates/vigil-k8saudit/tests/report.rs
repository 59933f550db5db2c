//! `vigil audit report`: tables from JSON lines, EventList bodies and several files; malformed
//! lines counted with their place; Secret data never printed.

use std::path::{Path, PathBuf};

use serde_json::Value as J;
use vigil_k8saudit::report::{Cell, ReportBuilder};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s-audit")
}

fn rows(j: &J, key: &str) -> Vec<J> {
    j[key].as_array().cloned().unwrap_or_default()
}

#[test]
fn sample_log() {
    let mut b = ReportBuilder::new();
    b.add_file(&data("report-sample.jsonl"));
    let r = b.finish();
    assert_eq!(r.events, 7);
    // a1 is logged twice (ResponseStarted + ResponseComplete): one request.
    assert_eq!(r.requests, 6);
    assert_eq!(r.malformed_total, 2);
    let lines: Vec<usize> = r.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, [5, 8]);
    assert!(r.malformed[0].file.ends_with("report-sample.jsonl"));
    assert!(r.malformed[1].message.contains("not recognized"));

    let j = r.to_json();
    let activity = rows(&j, "activity");
    let top = &activity[0];
    assert_eq!(top["principal"], "mallory");
    assert!(
        activity
            .iter()
            .any(|a| a["kind"] == "serviceaccount" && a["failed"] == 1)
    );
    assert!(rows(&j, "groups").iter().any(|g| g["group"] == "devs"));

    let failed = rows(&j, "failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["code"], "403");
    assert_eq!(failed[0]["resource"], "secrets");

    let anon = rows(&j, "anonymous");
    assert_eq!(anon.len(), 1);
    assert_eq!(anon[0]["decision"], "allow");

    let exec = rows(&j, "exec");
    assert_eq!(exec.len(), 2);
    assert_eq!(exec[0]["kind"], "exec");
    assert_eq!(
        exec[0]["command"],
        "cat /var/run/secrets/kubernetes.io/serviceaccount/token"
    );
    assert_eq!(exec[0]["container"], "app");
    assert_eq!(exec[0]["pod"], "prod/web-1");
    assert_eq!(exec[1]["kind"], "portforward");
    assert_eq!(exec[1]["command"], "5432");

    let secrets = rows(&j, "secrets");
    assert!(secrets.iter().any(|s| s["secret"] == "prod/db-password"));
    assert!(
        secrets
            .iter()
            .any(|s| s["secret"] == "*" && s["failed"] == 1)
    );

    let rbac = rows(&j, "rbac");
    assert_eq!(rbac.len(), 1);
    let d = rbac[0]["detail"].as_str().unwrap_or_default();
    assert!(d.contains("ClusterRole:cluster-admin"), "{d}");
    assert!(d.contains("ServiceAccount:default/scanner"), "{d}");

    // Secret data never shows, in JSON or text.
    let text = r.render_text(0);
    for out in [text.as_str(), &j.to_string()] {
        assert!(!out.contains("aHVudGVyMg"), "{out}");
        assert!(!out.contains("hunter2"));
    }
    // Tables are aligned: every row of a table has its columns at the same offsets.
    let who: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Who did what"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(who.len() >= 3, "{text}");
    let col = |l: &str| l.find("create").or_else(|| l.find("VERB"));
    assert!(who[0].contains("PRINCIPAL"));
    let verb_col = who.iter().filter_map(|l| col(l)).collect::<Vec<_>>();
    assert!(verb_col.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(
        text.contains("report-sample.jsonl:5: invalid JSON"),
        "{text}"
    );
}

#[test]
fn counts_sorted_and_limited() {
    let mut b = ReportBuilder::new();
    b.add_file(&data("report-sample.jsonl"));
    let r = b.finish();
    let t = r.table("activity").expect("activity");
    let counts: Vec<u64> = t
        .rows
        .iter()
        .filter_map(|row| match row.get(4) {
            Some(Cell::Num(n)) => Some(*n),
            _ => None,
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let text = r.render_text(1);
    assert!(text.contains("more row(s)"), "{text}");
}

#[test]
fn corpus_files_and_eventlists() {
    let mut b = ReportBuilder::new();
    let mut n = 0;
    for (dir, ext) in [("falco", "json"), ("webhook", "json"), ("panther", "jsonl")] {
        let Ok(entries) = std::fs::read_dir(corpus().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == ext) {
                b.add_file(&p);
                n += 1;
            }
        }
    }
    b.add_file(Path::new("/nonexistent/audit.log"));
    let r = b.finish();
    assert_eq!(r.files.len(), n + 1);
    if n == 0 {
        return;
    }
    assert!(r.events > 40, "{}", r.events);
    assert!(r.malformed.iter().any(|m| m.file.contains("nonexistent")));
    let j = r.to_json();
    assert!(!rows(&j, "exec").is_empty());
    assert!(!rows(&j, "rbac").is_empty());
    assert!(!rows(&j, "secrets").is_empty());
    assert!(!rows(&j, "anonymous").is_empty());
    let text = r.render_text(25);
    assert!(text.contains("RBAC changes"));
}
