//! End-to-end tests of `vigil check`.

use std::io::Write;
use std::process::{Command, Stdio};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostPID: true\n  containers:\n  - name: web\n    image: nginx:1.25\n    securityContext:\n      privileged: true\n";

fn vigil(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vigil");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vigil-check-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

#[test]
fn text_report_and_fail_on() {
    let (code, out, _) = vigil(&["check", "-"], POD);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Pod/web"), "{out}");
    assert!(out.contains("CRITICAL privileged  (line 11)"), "{out}");
    assert!(
        out.contains("fix: set spec.containers[0].securityContext.privileged = false"),
        "{out}"
    );
    let (code, _, _) = vigil(&["check", "--fail-on", "none", "-"], POD);
    assert_eq!(code, 0);
    let ok = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: ClusterIP}\n";
    let (code, out, _) = vigil(&["check", "-"], ok);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn json_and_sarif() {
    let (_, out, _) = vigil(&["check", "--format", "json", "-"], POD);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let checks: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert!(
        checks.contains(&"host-pid") && checks.contains(&"privileged"),
        "{checks:?}"
    );
    let (_, out, _) = vigil(&["check", "--format", "sarif", "-"], POD);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn malformed_document_reports_line_and_checks_the_rest() {
    let text = format!("{POD}---\nkind: Pod\nspec: [\n");
    let (code, out, _) = vigil(&["check", "--fail-on", "none", "-"], &text);
    assert_eq!(code, 1, "input errors exit 1: {out}");
    assert!(out.contains("error: -:14"), "{out}");
    assert!(out.contains("privileged"), "{out}");
}

#[test]
fn fix_in_place_and_to_dir() {
    let d = tempdir("fix");
    let f = d.join("pod.yaml");
    std::fs::write(&f, POD).expect("write");
    let out_dir = d.join("out");
    let fp = f.to_string_lossy().into_owned();
    let od = out_dir.to_string_lossy().into_owned();
    let (_, _, _) = vigil(
        &["check", "--fix", "--fix-dir", &od, "--fail-on", "none", &fp],
        "",
    );
    assert_eq!(
        std::fs::read_to_string(&f).expect("read"),
        POD,
        "--fix-dir leaves the input alone"
    );
    let (code, out, _) = vigil(&["check", "--fix", "--fail-on", "high", &fp], "");
    let fixed = std::fs::read_to_string(&f).expect("read");
    assert!(fixed.contains("privileged: false"), "{fixed}");
    assert!(!fixed.contains("hostPID"), "{fixed}");
    assert!(!out.contains("CRITICAL"), "{out}");
    assert_eq!(code, 0, "{out}\n{fixed}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn list_checks_and_unknown_ids() {
    let (code, out, _) = vigil(&["check", "--list-checks"], "");
    assert_eq!(code, 0);
    assert!(out.contains("readonly-root-filesystem"));
    let (code, _, err) = vigil(&["check", "--enable", "nope", "-"], POD);
    assert_eq!(code, 2);
    assert!(err.contains("unknown check id"), "{err}");
}
