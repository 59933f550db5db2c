//! The `run` cases of `shared/corpus/falco/cases.json` on syscall captures, evaluated with this
//! crate's state and extractor: expected per-rule counts and detection totals hold. (The CLI's
//! cases runner covers outputs and options end to end; this checks the state engine.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vigil_event::{FieldSchema, Priority};
use vigil_rules::{LoadOptions, RulesFile, RulesetConfig, Selection, load};
use vigil_scap::{Block, Converter, Reader};
use vigil_state::{SYSCALL_SCHEMA, SYSCALL_SOURCE, State};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn config(options: &Value) -> RulesetConfig {
    let mut c = RulesetConfig::default();
    let tags = strings(&options["enabled_tags"]);
    if !tags.is_empty() {
        c.selections.push(Selection::DisableRule("*".into()));
        for t in tags {
            c.selections.push(Selection::EnableTag(t));
        }
    }
    for t in strings(&options["disabled_tags"]) {
        c.selections.push(Selection::DisableTag(t));
    }
    for r in strings(&options["disabled_rules"]) {
        c.selections.push(Selection::DisableRule(r));
    }
    if let Some(p) = options["min_priority"].as_str()
        && let Ok(p) = p.parse::<Priority>()
    {
        c.min_priority = p;
    }
    c
}

fn check_total(expect: &Value, total: usize) -> bool {
    match expect {
        Value::Null => true,
        Value::String(s) if s == ">0" => total > 0,
        Value::Number(n) => n.as_u64() == Some(total as u64),
        _ => true,
    }
}

#[test]
fn syscall_run_cases() {
    let root = corpus();
    let Ok(text) = std::fs::read_to_string(root.join("cases.json")) else {
        assert!(std::env::var_os("CI").is_none(), "cases.json missing");
        return;
    };
    let cases: Value = serde_json::from_str(&text).expect("json");
    let schemas: Vec<&'static dyn FieldSchema> = vec![&SYSCALL_SCHEMA];
    let (mut passed, mut failed) = (0, Vec::new());
    for c in cases["cases"].as_array().into_iter().flatten() {
        let capture = c["capture"].as_str().unwrap_or("");
        if c["mode"] != "run" || !capture.starts_with("traces/") {
            continue;
        }
        let rules: Vec<RulesFile> = strings(&c["rules"])
            .iter()
            .map(|r| RulesFile::read(root.join("rules").join(r)).expect("rules file"))
            .collect();
        let res = load(&rules, &LoadOptions::new(schemas.clone()));
        let Some(rs) = res
            .ruleset
            .filter(|_| res.files.iter().all(|f| f.successful))
        else {
            // A load failure is the rules crate's business; not a state check.
            continue;
        };
        let rs = rs.configure(&config(&c["options"]));
        let mut conv = Converter::new(Reader::open(root.join(capture)).expect("capture"));
        let mut state = State::new();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut total = 0;
        let mut hits = Vec::new();
        while let Ok(Some(b)) = conv.next() {
            state.apply_block(&b);
            if let Block::Event(ev) = &b {
                let v = state.view(ev);
                hits.clear();
                rs.evaluate(SYSCALL_SOURCE, &v, &mut hits);
                for r in &hits {
                    *counts.entry(r.name.clone()).or_default() += 1;
                    total += 1;
                }
            }
        }
        let id = c["id"].as_str().unwrap_or("?");
        let mut ok = check_total(&c["expect"]["detections_total"], total);
        if let Some(want) = c["expect"]["rule_counts"].as_object() {
            for (rule, n) in want {
                let got = counts.get(rule).copied().unwrap_or(0);
                if n.as_u64() != Some(got as u64) {
                    ok = false;
                }
            }
        }
        if ok {
            passed += 1;
        } else {
            failed.push(format!(
                "{id}: got {counts:?} (total {total}), want {} / {}",
                c["expect"]["rule_counts"], c["expect"]["detections_total"]
            ));
        }
    }
    eprintln!(
        "syscall run cases: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(passed >= 40, "only {passed} cases ran");
}
