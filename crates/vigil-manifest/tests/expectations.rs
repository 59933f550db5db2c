//! Walks the shared manifest corpus (`expectations.csv`) and compares, row by row, vigil's
//! findings for the checks that correspond to the tool's check (`vigil_manifest::compat`)
//! with the outcome the tool's own tests expect.
//!
//! `VIGIL_MANIFEST_EXPECTATIONS` overrides the CSV path; file paths in it are relative to its
//! folder. Rows are skipped only when the tool's check has no static vigil counterpart (no
//! mapping) or when the row is listed as a deliberate disagreement in
//! `docs/manifest-checks.md`; the reason is printed either way. Any failed row fails the test.
//! The last line is always `manifest expectations: N passed, N failed, N skipped`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use vigil_manifest::compat::{self, Mapping};
use vigil_manifest::{Options, Report, Source, check, fix, read_inputs};

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let csv_path = std::env::var_os("VIGIL_MANIFEST_EXPECTATIONS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../../../shared/corpus/manifests/expectations.csv"));
    let docs_path = manifest_dir.join("../../docs/manifest-checks.md");
    let mut passed = 0usize;
    let mut failed = 0usize;
    let mut skipped = 0usize;
    let text = match std::fs::read_to_string(&csv_path) {
        Ok(t) => t,
        Err(e) => {
            println!("cannot read {}: {e}", csv_path.display());
            println!("manifest expectations: 0 passed, 1 failed, 0 skipped");
            return ExitCode::FAILURE;
        }
    };
    let disagreements = read_disagreements(&docs_path);
    let base = csv_path.parent().map(Path::to_path_buf).unwrap_or_default();
    let rows = parse_csv(&text);
    let header = rows.first().cloned().unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_file), Some(c_tool), Some(c_check), Some(c_expected)) =
        (col("file"), col("tool"), col("check"), col("expected"))
    else {
        println!("expectations.csv lacks a file/tool/check/expected column");
        println!("manifest expectations: 0 passed, 1 failed, 0 skipped");
        return ExitCode::FAILURE;
    };
    let c_note = col("note");
    for row in rows.iter().skip(1) {
        if row.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |i: usize| row.get(i).map_or("", String::as_str);
        let r = Row {
            file: get(c_file),
            tool: normalize_tool(get(c_tool)),
            check: get(c_check),
            expected: get(c_expected),
            note: c_note.map_or("", get),
        };
        let label = format!("{} [{} {}]", r.file, r.tool, r.check);
        if let Some(reason) = disagreements
            .iter()
            .find(|(f, c, _)| f == r.file && c == r.check)
            .map(|d| &d.2)
        {
            skipped += 1;
            println!("SKIP {label}: deliberate disagreement: {reason}");
            continue;
        }
        match evaluate(&base, &r) {
            Outcome::Pass => passed += 1,
            Outcome::Fail(why) => {
                failed += 1;
                println!("FAIL {label}: expected {:?}: {why}", r.expected);
            }
            Outcome::Skip(why) => {
                skipped += 1;
                println!("SKIP {label}: {why}");
            }
        }
    }
    println!("manifest expectations: {passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

struct Row<'a> {
    file: &'a str,
    tool: &'a str,
    check: &'a str,
    expected: &'a str,
    note: &'a str,
}

enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

fn normalize_tool(t: &str) -> &str {
    if t.starts_with("falco") {
        "falco"
    } else {
        t.trim()
    }
}

/// RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// `| file | check | reason |` rows of the "Deliberate disagreements" table.
fn read_disagreements(path: &Path) -> Vec<(String, String, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut in_section = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            in_section = line
                .to_ascii_lowercase()
                .contains("deliberate disagreements");
            continue;
        }
        if !in_section || !line.starts_with('|') {
            continue;
        }
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        if cells.len() >= 3 && !cells[0].starts_with("---") && cells[0] != "file" {
            let unquote = |c: &str| c.trim_matches('`').to_string();
            out.push((unquote(&cells[0]), unquote(&cells[1]), cells[2].clone()));
        }
    }
    out
}

fn inputs(base: &Path, file: &str) -> Result<Vec<Source>, String> {
    let p = base.join(file);
    // A kubescape case directory holds `input/` next to `expected.json`.
    let p = if p.join("input").is_dir() {
        p.join("input")
    } else {
        p
    };
    if !p.exists() {
        return Err(format!("{} does not exist", p.display()));
    }
    let (sources, errors) = read_inputs(&[p]);
    if let Some((name, e)) = errors.first() {
        return Err(format!("{name}: {e}"));
    }
    Ok(sources)
}

fn fired(report: &Report, checks: &[&str]) -> bool {
    report.findings().any(|(_, f)| checks.contains(&f.check))
}

/// (resources the checks apply to, resources failing them).
fn resource_counts(report: &Report, checks: &[&str]) -> (usize, usize) {
    let applicable = report
        .objects
        .iter()
        .filter(|o| o.applicable.iter().any(|a| checks.contains(a)));
    let mut n = 0;
    let mut failing = 0;
    for o in applicable {
        n += 1;
        if o.findings.iter().any(|f| checks.contains(&f.check)) {
            failing += 1;
        }
    }
    (n, failing)
}

fn tool_check_ids(tool: &str, check: &str) -> Vec<String> {
    match tool {
        "kubescape" => {
            let name = check.strip_prefix("rule ").unwrap_or(check);
            vec![name.split(" (").next().unwrap_or(name).trim().to_string()]
        }
        "checkov" => {
            // `CKV_K8S_17/18/19` names three checks.
            let mut parts = check.split('/');
            let first = parts.next().unwrap_or("").trim().to_string();
            let prefix = first.rsplit_once('_').map_or("", |(p, _)| p).to_string();
            let mut ids = vec![first];
            ids.extend(parts.map(|p| format!("{prefix}_{}", p.trim())));
            ids
        }
        "falco" => vec![check.replace('-', " ")],
        _ => vec![check.trim().to_string()],
    }
}

fn evaluate(base: &Path, r: &Row<'_>) -> Outcome {
    let sources = match inputs(base, r.file) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let opts = Options::all();
    let report = check(&sources, &[], &opts);

    if r.tool == "kubesec" && r.check == "(total score)" {
        let score: i32 = report
            .objects
            .iter()
            .filter(|o| !o.applicable.is_empty())
            .map(compat::kubesec_score)
            .sum();
        let ok = if r.expected.contains("< 0") {
            score < 0
        } else if r.expected.contains("== 0") {
            score == 0
        } else if r.expected.contains("> 0") {
            score > 0
        } else {
            return Outcome::Skip(format!("unknown kubesec expectation {:?}", r.expected));
        };
        return if ok {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("vigil's kubesec-compatible score is {score}"))
        };
    }

    let ids = tool_check_ids(r.tool, r.check);
    let maps: Vec<&Mapping> = ids
        .iter()
        .filter_map(|id| compat::lookup(r.tool, id))
        .collect();
    if maps.is_empty() || maps.len() != ids.len() {
        return Outcome::Skip(format!(
            "no static vigil counterpart for {} {:?} (see docs/manifest-checks.md)",
            r.tool, r.check
        ));
    }
    let off: Vec<&str> = compat::TOOL_OPTIONS
        .iter()
        .filter(|(t, opt, _)| *t == r.tool && r.note.contains(opt))
        .flat_map(|(_, _, ids)| ids.iter().copied())
        .collect();
    let fail: Vec<&str> = maps
        .iter()
        .flat_map(|m| m.fail.iter().copied())
        .filter(|c| !off.contains(c))
        .collect();
    let warn: Vec<&str> = maps
        .iter()
        .flat_map(|m| m.warn.iter().copied())
        .filter(|c| !off.contains(c))
        .collect();
    let all: Vec<&str> = fail.iter().chain(&warn).copied().collect();
    let findings_of = |checks: &[&str]| -> String {
        let v: Vec<String> = report
            .findings()
            .filter(|(_, f)| checks.contains(&f.check))
            .map(|(o, f)| format!("{}@{}:{}", f.check, o.display_name(), f.line))
            .collect();
        if v.is_empty() {
            "no finding".into()
        } else {
            v.join(", ")
        }
    };
    let expect = |want_fail: bool, checks: &[&str]| -> Outcome {
        let got = fired(&report, checks);
        if got == want_fail {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("vigil {:?}: {}", checks, findings_of(checks)))
        }
    };
    let e = r.expected;
    match r.tool {
        "kube-score" => {
            if e.starts_with("CRITICAL") {
                if fail.is_empty() {
                    expect(true, &warn)
                } else {
                    expect(true, &fail)
                }
            } else if e.starts_with("WARNING") || e.starts_with("ALMOST_OK") {
                if fail.is_empty() {
                    expect(true, &warn)
                } else if fired(&report, &fail) {
                    Outcome::Fail(format!(
                        "vigil's critical-grade checks fired: {}",
                        findings_of(&fail)
                    ))
                } else {
                    expect(true, &warn)
                }
            } else if e.starts_with("OK") {
                expect(false, &all)
            } else {
                Outcome::Skip("the tool's test asserts no grade for this file".into())
            }
        }
        "polaris" => {
            if e.starts_with("FAIL") {
                expect(true, &all)
            } else if e.starts_with("PASS") {
                expect(false, &all)
            } else if e.starts_with("MUTATION") {
                match expect(false, &all) {
                    Outcome::Pass => check_fix_of_failure(base, r.file, &all, &opts),
                    other => other,
                }
            } else {
                Outcome::Skip(format!("unknown polaris expectation {e:?}"))
            }
        }
        "kubescape" => {
            if e.starts_with("FAIL") {
                expect(true, &all)
            } else if e.starts_with("PASS") {
                expect(false, &all)
            } else {
                Outcome::Skip(format!("unknown kubescape expectation {e:?}"))
            }
        }
        "checkov" => {
            let (n, failing) = resource_counts(&report, &all);
            let counts = parse_counts(e);
            let ok = if let Some((p, f)) = counts {
                n - failing == p && failing == f
            } else if e.starts_with("UNKNOWN") {
                n == 0
            } else if e.starts_with("FAILED") {
                failing > 0
            } else if e.starts_with("PASSED") {
                n > 0 && failing == 0
            } else {
                return Outcome::Skip(format!("unknown checkov expectation {e:?}"));
            };
            if ok {
                Outcome::Pass
            } else {
                Outcome::Fail(format!(
                    "vigil: {n} resources in scope, {failing} failing ({})",
                    findings_of(&all)
                ))
            }
        }
        "falco" => expect(true, &all),
        "kubesec" => {
            if e.contains("fail") || e.contains("< 0") {
                expect(true, &all)
            } else {
                expect(false, &all)
            }
        }
        other => Outcome::Skip(format!("unknown tool {other:?}")),
    }
}

/// `1 resource(s) PASSED, 1 FAILED` → (1, 1).
fn parse_counts(e: &str) -> Option<(usize, usize)> {
    let (p, f) = e.split_once(',')?;
    let p: usize = p.split_whitespace().next()?.parse().ok()?;
    let f: usize = f.split_whitespace().next()?.parse().ok()?;
    Some((p, f))
}

/// Polaris' `mutated.X.yaml` is the expected output of fixing `failure.X.yaml`: vigil's own
/// `--fix` of that failure file must make the same checks pass.
fn check_fix_of_failure(base: &Path, mutated: &str, checks: &[&str], opts: &Options) -> Outcome {
    let Some((dir, name)) = mutated.rsplit_once('/') else {
        return Outcome::Pass;
    };
    let Some(rest) = name.strip_prefix("mutated") else {
        return Outcome::Pass;
    };
    let failure = format!("{dir}/failure{rest}");
    let sources = match inputs(base, &failure) {
        Ok(s) => s,
        Err(_) => return Outcome::Pass,
    };
    let before = check(&sources, &[], opts);
    let Some(src) = sources.first() else {
        return Outcome::Pass;
    };
    let fixed = fix::fix_text(&src.text, &before, 0).unwrap_or_else(|| src.text.clone());
    let after = check(
        &[Source {
            name: failure.clone(),
            text: fixed.clone(),
        }],
        &[],
        opts,
    );
    if fired(&after, checks) {
        let left: Vec<String> = after
            .findings()
            .filter(|(_, f)| checks.contains(&f.check))
            .map(|(_, f)| format!("{} at {}", f.check, f.path))
            .collect();
        Outcome::Fail(format!(
            "vigil --fix of {failure} still fails: {}",
            left.join(", ")
        ))
    } else {
        Outcome::Pass
    }
}
