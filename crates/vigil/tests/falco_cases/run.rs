//! `mode: run` cases: the real `vigil replay` binary, driven as falcosecurity/testing drives
//! `falco` (rules, `-c` config, `-o` options, environment), judged on its exit code, its alerts
//! on stdout and its stderr.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use vigil_event::Priority;

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Why this run case cannot be judged yet, if it cannot.
pub(crate) fn skip_reason(case: &Value, _base: &Path) -> Option<String> {
    if case["capture_available"] == Value::Bool(false) {
        return Some("capture not available".into());
    }
    if case["expect"].get("other_checks_in_words").is_some() {
        return Some("expectation given only in words (checked by cli_replay tests)".into());
    }
    None
}

/// The `vigil replay` command line for a case.
fn command(case: &Value, base: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    let capture = case["capture"].as_str().unwrap_or_default();
    cmd.arg("replay")
        .arg(base.join(capture))
        .arg("--no-progress");
    for r in strings(&case["rules"]) {
        cmd.arg("-r").arg(base.join("rules").join(r));
    }
    let o = &case["options"];
    if let Some(cfg) = o["config"].as_str() {
        cmd.arg("-c").arg(base.join(cfg));
    }
    // As falcosecurity/testing runs Falco for these cases.
    cmd.args(["-o", "append_output.suggested_output=false"]);
    if o["json_output"].as_bool() == Some(true) {
        cmd.args(["-o", "json_output=true"]);
    }
    if o["base_syscalls.all"].as_bool() == Some(true) {
        cmd.args(["-o", "base_syscalls.all=true"]);
    }
    let tags = strings(&o["enabled_tags"]);
    if !tags.is_empty() {
        cmd.args(["-o", "rules[].disable.rule=*"]);
        for t in tags {
            cmd.arg("-o").arg(format!("rules[].enable.tag={t}"));
        }
    }
    for t in strings(&o["disabled_tags"]) {
        cmd.arg("-o").arg(format!("rules[].disable.tag={t}"));
    }
    for r in strings(&o["disabled_rules"]) {
        cmd.arg("-o").arg(format!("rules[].disable.rule={r}"));
    }
    if let Some(p) = o["min_priority"].as_str() {
        cmd.arg("-o").arg(format!("priority={p}"));
    }
    cmd.args(strings(&o["args"]));
    if let Some(env) = o["env"].as_object() {
        for (k, v) in env {
            cmd.env(k, v.as_str().unwrap_or_default());
        }
    }
    cmd
}

fn count_matches(want: &Value, got: u64) -> bool {
    match want {
        Value::Number(n) => n.as_u64() == Some(got),
        Value::String(s) if s == ">0" => got > 0,
        Value::String(s) => s.parse::<u64>().is_ok_and(|n| n == got),
        _ => true,
    }
}

fn regex_search(pattern: &str, text: &str) -> Result<bool, String> {
    regex::Regex::new(pattern)
        .map(|re| re.is_match(text))
        .map_err(|e| e.to_string())
}

/// Run one case; `Err` holds the differences.
pub(crate) fn check(case: &Value, base: &Path) -> Result<(), Vec<String>> {
    let out = command(case, base)
        .output()
        .map_err(|e| vec![format!("cannot run vigil: {e}")])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = i64::from(out.status.code().unwrap_or(-1));

    // Alerts: JSON lines carry rule and priority; text lines `time: Priority output`.
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_priority: BTreeMap<Priority, u64> = BTreeMap::new();
    let mut total = 0u64;
    for line in stdout.lines() {
        if let Ok(v) = serde_json::from_str::<Value>(line) {
            if let Some(rule) = v["rule"].as_str() {
                total += 1;
                *by_rule.entry(rule.to_string()).or_default() += 1;
                if let Some(p) = v["priority"].as_str().and_then(|p| p.parse().ok()) {
                    *by_priority.entry(p).or_default() += 1;
                }
            }
        } else if let Some(p) = line
            .split_once(": ")
            .and_then(|(_, rest)| rest.split(' ').next())
            .and_then(|p| p.parse::<Priority>().ok())
        {
            total += 1;
            *by_priority.entry(p).or_default() += 1;
        }
    }

    let e = &case["expect"];
    let mut diffs = Vec::new();
    if let Some(want) = e["exit_code"].as_i64()
        && want != code
    {
        diffs.push(format!("exit_code: want {want}, got {code}: {stderr}"));
    }
    if let Some(want) = e["error"].as_bool()
        && want != (code != 0)
    {
        diffs.push(format!("error: want {want}, got exit code {code}"));
    }
    if !count_matches(&e["detections_total"], total) {
        diffs.push(format!(
            "detections_total: want {}, got {total}",
            e["detections_total"]
        ));
    }
    for (rule, want) in e["rule_counts"].as_object().into_iter().flatten() {
        let got = by_rule.get(rule).copied().unwrap_or(0);
        if !count_matches(want, got) {
            diffs.push(format!("rule_counts[{rule}]: want {want}, got {got}"));
        }
    }
    for (key, nonzero) in [("priority_nonzero", true), ("priority_zero", false)] {
        for p in strings(&e[key]) {
            let Ok(prio) = p.parse::<Priority>() else {
                diffs.push(format!("{key}: unknown priority {p}"));
                continue;
            };
            let got = by_priority.get(&prio).copied().unwrap_or(0);
            if (got > 0) != nonzero {
                diffs.push(format!("{key}[{p}]: got {got}"));
            }
        }
    }
    for (key, text, want) in [
        ("match_stdout", &stdout, true),
        ("no_match_stdout", &stdout, false),
        ("match_stderr", &stderr, true),
        ("no_match_stderr", &stderr, false),
    ] {
        for re in strings(&e[key]) {
            match regex_search(&re, text) {
                Ok(found) if found == want => {}
                Ok(_) => diffs.push(format!("{key}: /{re}/")),
                Err(err) => diffs.push(format!("{key}: bad regex /{re}/: {err}")),
            }
        }
    }
    if diffs.is_empty() { Ok(()) } else { Err(diffs) }
}
