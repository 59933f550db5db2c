//! `vigil replay` against Falco's byte-exact output expectations (`shared/corpus/falco/outputs`),
//! the two regression cases whose expectations cases.json states in words:
//! `TestFalco_Legacy_StdoutOutputJsonStrict` and `TestFalco_Legacy_ProgramOutputStrict`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn falco(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/falco")
        .join(rel)
}

fn replay(rules: &str, config: &str, opts: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.arg("replay")
        .arg(falco("traces/falco/cat_write.scap"))
        .arg("--no-progress")
        .arg("-r")
        .arg(falco(&format!("rules/testing/{rules}")))
        .arg("-c")
        .arg(falco(&format!("configs/{config}")));
    for o in opts {
        cmd.args(["-o", o]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run vigil replay")
}

#[test]
fn json_lines_equal_falcos() {
    let out = replay(
        "single_rule_with_tags.yaml",
        "stdout_output.yaml",
        &[
            "json_output=true",
            "time_format_iso_8601=true",
            "json_include_output_property=true",
            "json_include_tags_property=true",
        ],
        &[("FALCO_HOSTNAME", "test-falco-hostname")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(falco("outputs/single_rule_with_cat_write.json"))
        .expect("expected output");
    let got = String::from_utf8_lossy(&out.stdout);
    let got: Vec<serde_json::Value> = got
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let want: Vec<serde_json::Value> = expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("expected JSON line"))
        .collect();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
}

#[test]
fn program_output_pipes_falcos_lines() {
    let out = replay(
        "single_rule.yaml",
        "program_output.yaml",
        &[
            "time_format_iso_8601=true",
            "program_output.program=cat",
            "stdout_output.enabled=false",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(falco("outputs/single_rule_with_cat_write.txt"))
        .expect("expected output");
    let got = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in lines {
        assert!(got.lines().any(|g| g == line), "missing {line:?} in\n{got}");
    }
}
