//! Falco's regression cases (`shared/corpus/falco/cases.json`) that exercise rule loading
//! (`mode: validate`, i.e. `falco -V`), plus a load check of the official rules files.
//!
//! The cases file comes from `VIGIL_FALCO_CASES` or the shared corpus; every relative path
//! is resolved against the folder of the cases file (rules under `rules/`). No per-case
//! special handling: each expectation is compared the way falcosecurity/testing does
//! (code, item type and item name matched against every location of the context).

use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "falco_cases/extract.rs"]
mod extract;
#[path = "falco_cases/run.rs"]
mod run;
#[path = "falco_cases/scap.rs"]
mod scap;
use vigil_event::FieldSchema;
use vigil_rules::{Code, Diagnostic, LoadOptions, LoadResult, RulesFile, load};

fn cases_path() -> PathBuf {
    match std::env::var_os("VIGIL_FALCO_CASES") {
        Some(p) => PathBuf::from(p),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco/cases.json")
        }
    }
}

fn schemas() -> Vec<&'static dyn FieldSchema> {
    vec![&vigil_state::SyscallSchema, &vigil_k8saudit::K8sAuditSchema]
}

fn load_paths(paths: &[PathBuf]) -> Result<LoadResult, String> {
    let mut files = Vec::new();
    for p in paths {
        let f = RulesFile::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        files.push(f);
    }
    let schemas = schemas();
    Ok(load(&files, &LoadOptions::new(schemas)))
}

fn matches(d: &Diagnostic, want: &serde_json::Map<String, Value>) -> bool {
    want.iter().all(|(k, v)| {
        let Some(v) = v.as_str() else {
            return false;
        };
        match k.as_str() {
            "code" => d.code.as_str().eq_ignore_ascii_case(v),
            "item_type" => d.has_item_type(v),
            "item_name" => d.has_item_name(v),
            "message" => d.message == v,
            _ => false,
        }
    })
}

fn show(ds: &[&Diagnostic]) -> String {
    ds.iter()
        .map(|d| {
            let chain: Vec<String> = d
                .context
                .iter()
                .map(|l| format!("{}:'{}'", l.item_type, l.item_name))
                .collect();
            format!(
                "[{} {} | {}]",
                d.code.as_str(),
                d.message,
                chain.join(" > ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compare one validate case; `Err` holds the differences.
fn check_validate(case: &Value, base: &Path) -> Result<(), Vec<String>> {
    let rules: Vec<PathBuf> = case["rules"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|r| base.join("rules").join(r))
                .collect()
        })
        .unwrap_or_default();
    let res = load_paths(&rules).map_err(|e| vec![e])?;
    let expect = &case["expect"];
    let errors: Vec<&Diagnostic> = res.errors().collect();
    let warnings: Vec<&Diagnostic> = res.warnings().collect();
    let has_error = !errors.is_empty();
    let mut diffs = Vec::new();
    if let Some(want) = expect["error"].as_bool()
        && want != has_error
    {
        diffs.push(format!(
            "error: want {want}, got {has_error} {}",
            show(&errors)
        ));
    }
    if let Some(code) = expect["exit_code"].as_i64() {
        let got = i64::from(has_error);
        if code != got {
            diffs.push(format!("exit_code: want {code}, got {got}"));
        }
    }
    let v = &expect["validation"];
    for (key, got) in [("errors_present", &errors), ("warnings_present", &warnings)] {
        for want in v[key].as_array().into_iter().flatten() {
            let Some(w) = want.as_object() else {
                continue;
            };
            if !got.iter().any(|d| matches(d, w)) {
                diffs.push(format!(
                    "{key}: missing {} ; got {}",
                    Value::Object(w.clone()),
                    show(got)
                ));
            }
        }
    }
    if let Some(n) = v["error_count"].as_u64()
        && errors.len() as u64 != n
    {
        diffs.push(format!(
            "error_count: want {n}, got {} {}",
            errors.len(),
            show(&errors)
        ));
    }
    for i in v["file_successful"].as_array().into_iter().flatten() {
        let i = i.as_u64().unwrap_or(u64::MAX) as usize;
        if !res.files.get(i).is_some_and(|f| f.successful) {
            diffs.push(format!("file_successful: file {i} not successful"));
        }
    }
    if diffs.is_empty() { Ok(()) } else { Err(diffs) }
}

fn skip_reason(case: &Value) -> String {
    match case["mode"].as_str().unwrap_or("") {
        "field-extraction" => "needs capture replay and field rendering".into(),
        "scap-read" | "scap-read-write" => "needs the scap reader".into(),
        m => format!("mode '{m}' not handled here"),
    }
}

fn falco_cases() -> bool {
    let path = cases_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!(
            "cannot read {}: {e} (set VIGIL_FALCO_CASES)",
            path.display()
        ),
    };
    let doc: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let cases = doc["cases"].as_array().cloned().unwrap_or_default();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let result = match case["mode"].as_str() {
            Some("validate") => check_validate(case, &base),
            Some("run") => match run::skip_reason(case, &base) {
                None => run::check(case, &base),
                Some(why) => {
                    skipped += 1;
                    println!("SKIP {id}: {why}");
                    continue;
                }
            },
            Some(mode @ ("field-extraction" | "scap-read" | "scap-read-write")) => {
                let judged = match mode {
                    "field-extraction" => extract::run(case, &base, &cases),
                    "scap-read" => scap::run_read(case, &base),
                    _ => scap::run_read_write(case, &base),
                };
                match judged {
                    Ok(r) => r,
                    Err(why) => {
                        skipped += 1;
                        println!("SKIP {id}: {why}");
                        continue;
                    }
                }
            }
            _ => {
                skipped += 1;
                println!("SKIP {id}: {}", skip_reason(case));
                continue;
            }
        };
        match result {
            Ok(()) => passed += 1,
            Err(diffs) => {
                failed += 1;
                println!("FAIL {id}: {}", diffs.join(" | "));
            }
        }
    }
    println!("falco cases: {passed} passed, {failed} failed, {skipped} skipped");
    failed == 0
}

/// The official rules files load without errors; only the warnings Falco also gives.
fn official_rules_files_load() -> bool {
    let path = cases_path();
    let rules = path.parent().unwrap_or(Path::new(".")).join("rules");
    let files = [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
        "k8s_audit_rules.yaml",
        "testing/legacy_falco_rules_v1.0.1.yaml",
    ];
    let mut bad = Vec::new();
    for f in files {
        let res = match load_paths(&[rules.join(f)]) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for w in res.warnings() {
            *counts.entry(w.code.as_str()).or_default() += 1;
        }
        println!(
            "{f}: {} rules, warnings {counts:?}",
            res.ruleset.as_ref().map_or(0, |r| r.rules().len())
        );
        for e in res.errors() {
            bad.push(format!("{f}: error {e}"));
        }
        // Falco 0.44 gives no warning for the current files; for the legacy 1.0.1 ruleset it
        // gives only the `%container.info` deprecation (LOAD_DEPRECATED_ITEM).
        let allowed: &[Code] = if f.starts_with("testing/") {
            &[Code::DeprecatedItem]
        } else {
            &[]
        };
        for w in res.warnings() {
            if !allowed.contains(&w.code) {
                bad.push(format!("{f}: unexpected warning {w}"));
            }
        }
        if res.ruleset.is_none() {
            bad.push(format!("{f}: no ruleset"));
        }
    }
    for b in &bad {
        println!("FAIL {b}");
    }
    bad.is_empty()
}

/// A test without libtest's harness, so the summary line always prints.
fn main() -> std::process::ExitCode {
    let official = official_rules_files_load();
    let cases = falco_cases();
    if official && cases {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
