//! End-to-end tests of `vigil rules` and `vigil fields`: the real binary on real and hostile
//! rule files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .expect("run vigil")
}

fn corpus_rules(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/falco/rules")
        .join(rel)
        .display()
        .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory unique to this test process.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vigil-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

#[test]
fn validates_the_official_rule_files() {
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
        "k8s_audit_rules.yaml",
        "testing/legacy_falco_rules_v1.0.1.yaml",
    ] {
        let o = vigil(&["rules", "validate", &corpus_rules(f)]);
        assert!(o.status.success(), "{f}: {}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains(": ok (0 errors"), "{f}: {}", stdout(&o));
    }
}

#[test]
fn json_output_carries_code_item_message_and_position() {
    let o = vigil(&[
        "rules",
        "validate",
        "--json",
        &corpus_rules("testing/invalid_append_macro_multiple_docs.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let file = &v["falco_load_results"][0];
    assert_eq!(file["successful"], false);
    let err = &file["errors"][0];
    assert_eq!(err["code"], "LOAD_ERR_COMPILE_CONDITION");
    assert_eq!(err["item_type"], "macro");
    assert_eq!(err["item_name"], "some_macro");
    assert_eq!(
        err["message"],
        "unexpected token after 'execve', expecting 'or', 'and'"
    );
    assert!(err["position"]["line"].as_u64().is_some_and(|l| l > 0));
    assert!(err["position"]["column"].as_u64().is_some_and(|c| c > 0));
}

#[test]
fn human_output_points_a_caret_at_the_problem() {
    let dir = scratch("caret");
    let f = dir.join("bad.yaml");
    std::fs::write(
        &f,
        "- rule: r\n  desc: d\n  condition: evt.type = open and proc.nobody = x\n  output: o\n  priority: INFO\n",
    )
    .expect("write");
    let o = vigil(&["rules", "validate", &f.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("error[LOAD_ERR_COMPILE_CONDITION]: filter_check called with nonexistent field proc.nobody"),
        "{out}"
    );
    // The caret sits under `proc.nobody` on line 3.
    assert!(out.contains("bad.yaml:3:"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.contains("condition: evt.type = open"))
        .expect("source line shown");
    let caret = lines[src + 1];
    let col = caret.find('^').expect("caret");
    assert_eq!(&lines[src][col..col + 11], "proc.nobody", "{out}");
}

#[test]
fn hostile_rule_files_fail_cleanly() {
    let dir = scratch("hostile");
    let deep = format!(
        "- rule: r\n  desc: d\n  condition: {}evt.type = open{}\n  output: o\n  priority: INFO\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let huge = format!(
        "- rule: r\n  desc: d\n  condition: proc.name in ({})\n  output: o\n  priority: INFO\n",
        "x,".repeat(5_000_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("deep", deep.into_bytes()),
        (
            "unbalanced",
            b"- rule: r\n  desc: d\n  condition: (evt.type = open\n  output: o\n  priority: INFO\n"
                .to_vec(),
        ),
        (
            "unknown_op",
            b"- rule: r\n  desc: d\n  condition: proc.name likes x\n  output: o\n  priority: INFO\n"
                .to_vec(),
        ),
        (
            "undefined_macro",
            b"- rule: r\n  desc: d\n  condition: evt.type = open and nope\n  output: o\n  priority: INFO\n"
                .to_vec(),
        ),
        ("broken_yaml", b"- rule: [unclosed\n  desc: {\n".to_vec()),
        ("garbage", (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect()),
        ("huge", huge.into_bytes()),
    ];
    for (name, content) in cases {
        let f = dir.join(format!("{name}.yaml"));
        std::fs::write(&f, content).expect("write");
        let o = vigil(&["rules", "validate", &f.display().to_string()]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{name}: {all}");
        assert!(all.contains("error["), "{name}: {all}");
        assert!(!all.contains("panicked"), "{name}: {all}");
    }
}

#[test]
fn list_and_describe() {
    let rules = corpus_rules("falco_rules.yaml");
    let o = vigil(&["rules", "list", &rules]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 25, "{out}");
    assert!(out.contains("Read sensitive file untrusted"), "{out}");

    let o = vigil(&[
        "rules",
        "describe",
        "Terminal shell in container",
        "-r",
        &rules,
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["priority"], "Notice");
    assert_eq!(v["source"], "syscall");
    let types: Vec<&str> = v["event_types"]
        .as_array()
        .expect("event types")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert_eq!(types, ["execve", "execveat"]);

    let o = vigil(&["rules", "describe", "No such rule", "-r", &rules]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn fields_per_source() {
    let o = vigil(&["fields", "--source", "k8s_audit", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            assert_eq!(v["source"], "k8s_audit");
            v["name"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert!(names.iter().any(|n| n == "ka.verb"));
    assert!(!names.iter().any(|n| n == "proc.name"));

    let o = vigil(&["fields", "--source", "syscall"]);
    let out = stdout(&o);
    assert!(out.contains("proc.aname[[N]]"), "{out}");
    assert!(out.contains("fd.sip"), "{out}");
}
