//! Kubernetes audit detection against two answer keys (no libtest harness, so the summary
//! lines always print):
//!
//! * every k8s-audit case of `shared/corpus/falco/cases.json` (path from
//!   `VIGIL_FALCO_CASES`): the case's rules files are loaded, its options applied, the
//!   fixture read with `vigil_k8saudit::read_file` and every event evaluated on the
//!   `k8s_audit` source with Falco's default `rule_matching: first`;
//! * every row of `shared/corpus/k8s-audit/expectations.csv` (path from
//!   `VIGIL_K8S_AUDIT_EXPECTATIONS`): rows whose ruleset is a list of rules files run with
//!   those files; the other rows (Panther's rule logic, `RuleID=match` / `RuleID=no-match`)
//!   run with vigil's own default k8s-audit rules (`crates/vigil/rules/k8s_audit_rules.yaml`):
//!   `match` means at least one vigil alert on that event, `no-match` none. A record the
//!   reader reports as "not a k8s audit event" (another cloud service's log) yields no
//!   alert; any other read error fails the row.
//!
//! The default rules must also validate with no error and no warning.
//!
//! Relative paths are resolved against the folder of the cases / expectations file. There is
//! no per-case or per-row special handling.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use vigil_event::{FieldSchema, Priority};
use vigil_k8saudit::{AuditError, AuditEvent, K8S_AUDIT_SOURCE};
use vigil_rules::{LoadOptions, RuleMatching, RulesFile, Ruleset, RulesetConfig, Selection, load};

fn env_path(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(default),
    }
}

fn schemas() -> Vec<&'static dyn FieldSchema> {
    vec![
        &vigil_state::SYSCALL_SCHEMA,
        &vigil_k8saudit::K8S_AUDIT_SCHEMA,
    ]
}

/// What a run produced: alerts per rule and per priority, stderr text, error flag.
#[derive(Debug, Default)]
struct Outcome {
    rule_counts: BTreeMap<String, usize>,
    priority_counts: BTreeMap<Priority, usize>,
    rule_priority: BTreeMap<String, Priority>,
    total: usize,
    events: usize,
    stderr: Vec<String>,
    error: bool,
}

impl Outcome {
    fn exit_code(&self) -> i64 {
        i64::from(self.error)
    }
}

/// vigil's default k8s-audit rules file.
fn default_rules_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/k8s_audit_rules.yaml")
}

/// Load `rules`, configure, read `input` and evaluate each event (optionally only the
/// events of the given 1-based lines). With `foreign_ok`, records that are not k8s audit
/// events are skipped without error.
fn run(
    rules: &[PathBuf],
    config: &RulesetConfig,
    input: &Path,
    lines: Option<usize>,
    foreign_ok: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let mut files = Vec::new();
    for p in rules {
        match RulesFile::read(p) {
            Ok(f) => files.push(f),
            Err(e) => {
                out.stderr.push(format!("cannot read {}: {e}", p.display()));
                out.error = true;
                return out;
            }
        }
    }
    let res = load(&files, &LoadOptions::new(schemas()));
    for e in res.errors() {
        out.stderr.push(format!("error: {e}"));
    }
    let ok = res.files.iter().all(|f| f.successful);
    // No rules files at all: nothing can fire, but the input is still read.
    let ruleset: Option<Ruleset> = match res.ruleset.filter(|_| ok) {
        Some(rs) => Some(rs.configure(config)),
        None if files.is_empty() => None,
        None => {
            out.error = true;
            return out;
        }
    };
    let items = match vigil_k8saudit::read_file(input) {
        Ok(items) => items,
        Err(e) => {
            out.stderr.push(e.to_string());
            out.error = true;
            return out;
        }
    };
    let mut hits = Vec::new();
    for item in items {
        let ev: AuditEvent = match item {
            Ok(ev) => ev,
            Err(AuditError::NotAuditEvent { .. }) if foreign_ok => continue,
            Err(e) => {
                if lines.is_none_or(|l| l == e.line()) {
                    out.stderr.push(format!("{}: {e}", input.display()));
                    out.error = true;
                }
                continue;
            }
        };
        out.events += 1;
        hits.clear();
        if let Some(rs) = &ruleset {
            rs.evaluate(K8S_AUDIT_SOURCE, &ev, &mut hits);
        }
        for r in &hits {
            *out.rule_counts.entry(r.name.clone()).or_default() += 1;
            *out.priority_counts.entry(r.priority).or_default() += 1;
            out.rule_priority.insert(r.name.clone(), r.priority);
            out.total += 1;
        }
    }
    out
}

/// Selected events only: re-run keeping the events whose source line is `line`.
fn run_lines(
    rules: &[PathBuf],
    config: &RulesetConfig,
    input: &Path,
    line: usize,
    foreign_ok: bool,
) -> Outcome {
    // The reader numbers lines; keep only events from that line by cutting the input.
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            return Outcome {
                stderr: vec![format!("cannot read {}: {e}", input.display())],
                error: true,
                ..Outcome::default()
            };
        }
    };
    let text = bytes
        .split(|c| *c == b'\n')
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .to_vec();
    let dir = std::env::temp_dir().join(format!("vigil-k8s-audit-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let name = input
        .file_name()
        .map_or_else(|| "input".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!("{line}-{name}"));
    if let Err(e) = std::fs::write(&tmp, text) {
        return Outcome {
            stderr: vec![format!("cannot write {}: {e}", tmp.display())],
            error: true,
            ..Outcome::default()
        };
    }
    let out = run(rules, config, &tmp, Some(1), foreign_ok);
    let _ = std::fs::remove_file(&tmp);
    out
}

// ---------------------------------------------------------------------------------------
// Falco's `-o` options and the case options that map to them.

fn apply_o(config: &mut RulesetConfig, kv: &str) -> Result<(), String> {
    let (k, v) = kv
        .split_once('=')
        .ok_or_else(|| format!("-o {kv}: no '='"))?;
    let v = v.to_string();
    match k.trim() {
        "rules[].disable.rule" => config.selections.push(Selection::DisableRule(v)),
        "rules[].enable.rule" => config.selections.push(Selection::EnableRule(v)),
        "rules[].disable.tag" => config.selections.push(Selection::DisableTag(v)),
        "rules[].enable.tag" => config.selections.push(Selection::EnableTag(v)),
        "priority" => {
            config.min_priority = v.parse().map_err(|e| format!("-o {kv}: {e}"))?;
        }
        "rule_matching" => {
            config.rule_matching = match v.as_str() {
                "first" => RuleMatching::First,
                "all" => RuleMatching::All,
                _ => return Err(format!("-o {kv}: unknown rule_matching")),
            };
        }
        // Output, logging, engine and plugin settings do not change which rules fire.
        _ => {}
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The `-o` arguments of a case, in Falco's order (README "options" mapping).
fn case_config(options: &Value) -> Result<RulesetConfig, String> {
    let mut o: Vec<String> = Vec::new();
    for t in strings(&options["enabled_tags"]) {
        o.push("rules[].disable.rule=*".into());
        o.push(format!("rules[].enable.tag={t}"));
    }
    for t in strings(&options["disabled_tags"]) {
        o.push(format!("rules[].disable.tag={t}"));
    }
    for r in strings(&options["disabled_rules"]) {
        o.push(format!("rules[].disable.rule={r}"));
    }
    if let Some(p) = options["min_priority"].as_str() {
        o.push(format!("priority={p}"));
    }
    let args = strings(&options["args"]);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-o" {
            match it.next() {
                Some(kv) => o.push(kv.clone()),
                None => return Err("-o without value".into()),
            }
        } else if let Some(kv) = a.strip_prefix("-o") {
            o.push(kv.trim().to_string());
        }
    }
    let mut config = RulesetConfig::default();
    for kv in &o {
        apply_o(&mut config, kv)?;
    }
    Ok(config)
}

/// Unanchored regex search, as the Falco suite matches stderr/stdout.
fn regex_search(pattern: &str, text: &str) -> Result<bool, String> {
    regex::Regex::new(pattern)
        .map(|re| re.is_match(text))
        .map_err(|e| e.to_string())
}

fn is_k8s_case(case: &Value) -> bool {
    let sources = strings(&case["options"]["enabled_sources"]);
    sources.iter().any(|s| s == K8S_AUDIT_SOURCE)
        || case["suite"]
            .as_str()
            .is_some_and(|s| s.contains("k8saudit"))
}

fn count_matches(want: &Value, got: usize) -> bool {
    match want {
        Value::Number(n) => n.as_u64() == Some(got as u64),
        Value::String(s) => {
            let s = s.trim();
            if let Some(n) = s.strip_prefix(">=") {
                n.trim().parse::<usize>().is_ok_and(|n| got >= n)
            } else if let Some(n) = s.strip_prefix('>') {
                n.trim().parse::<usize>().is_ok_and(|n| got > n)
            } else {
                s.parse::<usize>().is_ok_and(|n| got == n)
            }
        }
        _ => false,
    }
}

fn check_case(case: &Value, base: &Path) -> Result<(), Vec<String>> {
    let mut diffs = Vec::new();
    let rules: Vec<PathBuf> = strings(&case["rules"])
        .iter()
        .map(|r| base.join("rules").join(r))
        .collect();
    let capture = case["capture"]
        .as_str()
        .map(|c| base.join(c))
        .ok_or_else(|| vec!["case has no capture".to_string()])?;
    let config = case_config(&case["options"]).map_err(|e| vec![e])?;
    let out = run(&rules, &config, &capture, None, false);
    let expect = &case["expect"];
    let stderr = out.stderr.join("\n");
    if let Some(code) = expect["exit_code"].as_i64()
        && code != out.exit_code()
    {
        diffs.push(format!("exit code {} (want {code})", out.exit_code()));
    }
    if let Some(err) = expect["error"].as_bool()
        && err != out.error
    {
        diffs.push(format!(
            "error {} (want {err}); stderr: {stderr}",
            out.error
        ));
    }
    if !expect["detections_total"].is_null()
        && !count_matches(&expect["detections_total"], out.total)
    {
        diffs.push(format!(
            "{} detections (want {})",
            out.total, expect["detections_total"]
        ));
    }
    if let Some(counts) = expect["rule_counts"].as_object() {
        for (rule, want) in counts {
            let got = out.rule_counts.get(rule).copied().unwrap_or(0);
            if !count_matches(want, got) {
                diffs.push(format!("rule '{rule}': {got} alerts (want {want})"));
            }
        }
    }
    for (key, nonzero) in [("priority_nonzero", true), ("priority_zero", false)] {
        for name in strings(&expect[key]) {
            let Ok(p) = name.parse::<Priority>() else {
                diffs.push(format!("{key}: unknown priority {name}"));
                continue;
            };
            let got = out.priority_counts.get(&p).copied().unwrap_or(0);
            if (got > 0) != nonzero {
                diffs.push(format!("priority {name}: {got} alerts ({key})"));
            }
        }
    }
    for re in strings(&expect["match_stderr"]) {
        match regex_search(&re, &stderr) {
            Ok(true) => {}
            Ok(false) => diffs.push(format!("stderr does not match /{re}/: {stderr}")),
            Err(e) => diffs.push(format!("bad regex /{re}/: {e}")),
        }
    }
    let stdout: String = out.rule_counts.keys().map(|r| format!("{r}\n")).collect();
    for re in strings(&expect["no_match_stdout"]) {
        if regex_search(&re, &stdout).unwrap_or(false) {
            diffs.push(format!("alerts match /{re}/"));
        }
    }
    if diffs.is_empty() { Ok(()) } else { Err(diffs) }
}

fn falco_k8s_cases() -> bool {
    let path = env_path(
        "VIGIL_FALCO_CASES",
        "../../../shared/corpus/falco/cases.json",
    );
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            println!(
                "FAIL cannot read {}: {e} (set VIGIL_FALCO_CASES)",
                path.display()
            );
            return false;
        }
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            println!("FAIL {}: {e}", path.display());
            return false;
        }
    };
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let cases = doc["cases"].as_array().cloned().unwrap_or_default();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for case in cases.iter().filter(|c| is_k8s_case(c)) {
        let id = case["id"].as_str().unwrap_or("?");
        if case["mode"].as_str() != Some("run") {
            skipped += 1;
            println!("SKIP {id}: mode {} is not a k8s audit run", case["mode"]);
            continue;
        }
        if case["capture_available"].as_bool() == Some(false) {
            skipped += 1;
            println!("SKIP {id}: fixture not available");
            continue;
        }
        if !case["options"]["config"].is_null() {
            skipped += 1;
            println!("SKIP {id}: Falco configuration files are not applied here");
            continue;
        }
        match check_case(case, &base) {
            Ok(()) => passed += 1,
            Err(d) => {
                failed += 1;
                println!("FAIL {id}: {}", d.join(" | "));
            }
        }
    }
    println!("k8s falco cases: {passed} passed, {failed} failed, {skipped} skipped");
    failed == 0
}

// ---------------------------------------------------------------------------------------
// (b) expectations.csv.

/// RFC 4180 CSV (quoted fields with `""`, newlines inside quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

const NOT_A_VERDICT: &str =
    "ruleset is not a list of rules files and expected is not RuleID=match|no-match";

/// The rules files named by a `ruleset` cell (`a.yaml + b.yaml`, `c.yaml (alone)`), or
/// `None` when the cell is not a list of rules files.
fn ruleset_files(cell: &str, rules_dir: &Path) -> Option<Result<Vec<PathBuf>, String>> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(Ok(Vec::new()));
    }
    let mut out = Vec::new();
    for part in cell.split('+') {
        let name = part.split('(').next().unwrap_or("").trim();
        if !name.ends_with(".yaml") || name.contains(' ') {
            return None;
        }
        // `rules/<name>`, else the first `rules/<dir>/<name>` (sorted), shallowest first.
        let direct = rules_dir.join(name);
        let found = if direct.is_file() {
            Some(direct)
        } else {
            let mut dirs: Vec<PathBuf> = std::fs::read_dir(rules_dir)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_dir())
                        .collect()
                })
                .unwrap_or_default();
            dirs.sort();
            dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
        };
        match found {
            Some(p) => out.push(p),
            None => {
                return Some(Err(format!(
                    "rules file {name} not found under {}",
                    rules_dir.display()
                )));
            }
        }
    }
    Some(Ok(out))
}

/// A row of another source: `RuleID=match` / `RuleID=no-match` in `expected`, run with
/// vigil's default rules.
fn check_default_rules_row(row: &BTreeMap<&str, &str>, base: &Path) -> Result<Option<()>, String> {
    let get = |k: &str| row.get(k).copied().unwrap_or("");
    let expected = get("expected").trim();
    let Some((_, verdict)) = expected.rsplit_once('=') else {
        return Ok(None);
    };
    let want_match = match verdict.trim() {
        "match" => true,
        "no-match" => false,
        _ => return Ok(None),
    };
    let rules = [default_rules_path()];
    let input = base.join(get("file"));
    let config = RulesetConfig::default();
    let out = match get("line").trim() {
        "all" | "" => run(&rules, &config, &input, None, true),
        n => {
            let line: usize = n.parse().map_err(|_| format!("bad line '{n}'"))?;
            run_lines(&rules, &config, &input, line, true)
        }
    };
    if out.error {
        return Err(format!("errors: {}", out.stderr.join("; ")));
    }
    match (want_match, out.total) {
        (true, 0) => Err("no vigil alert (want at least one)".into()),
        (false, n) if n > 0 => Err(format!(
            "{n} vigil alerts, want none: {:?}",
            out.rule_counts
        )),
        _ => Ok(Some(())),
    }
}

fn check_row(row: &BTreeMap<&str, &str>, base: &Path) -> Result<Option<()>, String> {
    let get = |k: &str| row.get(k).copied().unwrap_or("");
    let rules = match ruleset_files(get("ruleset"), &base.join("rules")) {
        None => return check_default_rules_row(row, base),
        Some(r) => r?,
    };
    let input = base.join(get("file"));
    let config = RulesetConfig::default();
    let out = match get("line").trim() {
        "all" | "" => run(&rules, &config, &input, None, false),
        n => {
            let line: usize = n.parse().map_err(|_| format!("bad line '{n}'"))?;
            run_lines(&rules, &config, &input, line, false)
        }
    };
    if out.error {
        return Err(format!("errors: {}", out.stderr.join("; ")));
    }
    let expected = get("expected").trim();
    let want: usize = get("expected_count")
        .trim()
        .parse()
        .map_err(|_| format!("bad expected_count '{}'", get("expected_count")))?;
    if expected == "(none)" {
        if out.total != 0 {
            return Err(format!(
                "{} alerts, want none: {:?}",
                out.total, out.rule_counts
            ));
        }
        return Ok(Some(()));
    }
    // The expected rule, under its current or legacy name.
    let legacy = get("legacy_name").trim();
    let rule = [expected, legacy]
        .into_iter()
        .find(|n| !n.is_empty() && out.rule_counts.contains_key(*n))
        .or_else(|| {
            // A rule of the loaded ruleset that never fired.
            let files: Vec<RulesFile> = rules
                .iter()
                .filter_map(|p| RulesFile::read(p).ok())
                .collect();
            let res = load(&files, &LoadOptions::new(schemas()));
            let rs = res.ruleset?;
            [expected, legacy]
                .into_iter()
                .find(|n| !n.is_empty() && rs.rule(n).is_some())
        });
    match rule {
        Some(name) => {
            let got = out.rule_counts.get(name).copied().unwrap_or(0);
            if got != want {
                return Err(format!(
                    "rule '{name}': {got} alerts (want {want}); all alerts {:?}",
                    out.rule_counts
                ));
            }
            let prio = get("priority").trim();
            if !prio.is_empty() {
                let p: Priority = prio.parse().map_err(|e| format!("{e}"))?;
                if out.rule_priority.get(name).is_some_and(|got| *got != p) {
                    return Err(format!("rule '{name}': priority differs from {prio}"));
                }
            }
        }
        // Not a rule name: the count is the number of events read (event lists).
        None => {
            if out.events != want {
                return Err(format!("{} events read (want {want})", out.events));
            }
        }
    }
    Ok(Some(()))
}

fn expectations() -> bool {
    let path = env_path(
        "VIGIL_K8S_AUDIT_EXPECTATIONS",
        "../../../shared/corpus/k8s-audit/expectations.csv",
    );
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            println!(
                "FAIL cannot read {}: {e} (set VIGIL_K8S_AUDIT_EXPECTATIONS)",
                path.display()
            );
            return false;
        }
    };
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let rows = parse_csv(&text);
    let Some((header, rows)) = rows.split_first() else {
        println!("FAIL {}: empty", path.display());
        return false;
    };
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut skip_reasons = BTreeMap::<&str, usize>::new();
    let disagreements = documented_disagreements();
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row: BTreeMap<&str, &str> = header
            .iter()
            .map(String::as_str)
            .zip(cells.iter().map(String::as_str))
            .collect();
        let place = format!(
            "row {} ({}:{} {})",
            i + 2,
            row.get("file").unwrap_or(&"?"),
            row.get("line").unwrap_or(&"?"),
            row.get("expected").unwrap_or(&"?")
        );
        match check_row(&row, &base) {
            Ok(Some(())) => passed += 1,
            Ok(None) => {
                skipped += 1;
                *skip_reasons.entry(NOT_A_VERDICT).or_default() += 1;
            }
            Err(e) => {
                let stem = Path::new(row.get("file").copied().unwrap_or_default())
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                let key = format!("{stem}:{}", row.get("line").copied().unwrap_or_default());
                match disagreements.get(&key) {
                    Some(why) => {
                        skipped += 1;
                        println!("SKIP {place}: documented disagreement: {why}");
                    }
                    None => {
                        failed += 1;
                        println!("FAIL {place}: {e}");
                    }
                }
            }
        }
    }
    for (reason, n) in &skip_reasons {
        println!("SKIP {n} rows: {reason}");
    }
    println!("k8s audit expectations: {passed} passed, {failed} failed, {skipped} skipped");
    failed == 0
}

/// Rows where vigil deliberately disagrees with the other tool, from the table under
/// "Panther expectations" in docs/k8s-audit-rules.md: `RuleId:line` → why. A listed row that
/// fails is reported as a documented disagreement, not a failure; an unlisted row never is.
fn documented_disagreements() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/k8s-audit-rules.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("| row | Panther test |") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(first), Some(why)) = (cells.first(), cells.last()) else {
            continue;
        };
        let mut stem = "";
        for item in first.split(',').map(str::trim) {
            let Some((name, n)) = item.split_once(':') else {
                continue;
            };
            if !name.is_empty() {
                stem = name;
            }
            if !stem.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() {
                out.insert(format!("{stem}:{n}"), (*why).to_string());
            }
        }
    }
    out
}

/// vigil's default k8s-audit rules load with no error and no warning.
fn default_rules_validate() -> bool {
    let path = default_rules_path();
    let file = match RulesFile::read(&path) {
        Ok(f) => f,
        Err(e) => {
            println!("FAIL cannot read {}: {e}", path.display());
            return false;
        }
    };
    let res = load(&[file], &LoadOptions::new(schemas()));
    let mut ok = res.ruleset.is_some();
    for e in res.errors() {
        println!("FAIL default rules error: {e}");
        ok = false;
    }
    for w in res.warnings() {
        println!("FAIL default rules warning: {w}");
        ok = false;
    }
    if let Some(rs) = &res.ruleset {
        println!("k8s audit default rules: {} rules, valid", rs.rules().len());
    }
    ok
}

/// A test without libtest's harness, so the summary lines always print.
fn main() -> ExitCode {
    let valid = default_rules_validate();
    let cases = falco_k8s_cases();
    let rows = expectations();
    if valid && cases && rows {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
