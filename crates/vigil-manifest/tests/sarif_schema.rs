//! vigil's SARIF output validates against the official SARIF 2.1.0 schema
//! (`tests/data/sarif-schema-2.1.0.json`, OASIS; see the NOTICE next to it).

use vigil_manifest::{Options, Source, check, sarif};

fn validator() -> jsonschema::Validator {
    let text = include_str!("data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

fn assert_valid(v: &serde_json::Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}

#[test]
fn findings_errors_and_fixes_validate() {
    let sources = vec![
        Source {
            name: "deploy dir/app.yaml".into(),
            text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    metadata:\n      annotations:\n        container.apparmor.security.beta.kubernetes.io/web: unconfined\n    spec:\n      hostNetwork: true\n      containers:\n      - name: web\n        image: nginx\n        securityContext: {privileged: true}\n        env: [{name: DB_PASSWORD, value: hunter2}]\n        volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]\n      volumes: [{name: sock, hostPath: {path: /var/run/docker.sock}}]\n---\nkind: Pod\nspec: [\n".into(),
        },
        Source {
            name: "rbac.yaml".into(),
            text: "kind: ClusterRoleBinding\nmetadata: {name: x}\nroleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: system:anonymous}]\n".into(),
        },
    ];
    let report = check(
        &sources,
        &[("missing.yaml".into(), "No such file".into())],
        &Options::all(),
    );
    assert!(report.findings().count() > 10);
    assert_eq!(report.errors.len(), 2);
    let log = sarif::sarif(&report);
    assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert_eq!(results, report.findings().count());
    let first = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], "deploy%20dir/app.yaml");
    assert!(first["region"]["startLine"].as_u64().is_some_and(|l| l > 1));
}

#[test]
fn empty_run_validates() {
    let report = check(&[], &[], &Options::default());
    assert_valid(&sarif::sarif(&report));
}

#[test]
fn corpus_validates() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/manifests");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "corpus not found at {}",
            dir.display()
        );
        eprintln!("corpus not found at {}; skipped", dir.display());
        return;
    }
    let (sources, errors) = vigil_manifest::read_inputs(&[dir]);
    let report = check(&sources, &errors, &Options::all());
    assert!(report.objects.len() > 200);
    assert_valid(&sarif::sarif(&report));
}

#[test]
fn schema_rejects_invalid_logs() {
    let v = validator();
    assert!(!v.is_valid(&serde_json::json!({"version": "2.1.0"})));
    assert!(!v.is_valid(&serde_json::json!({"version": "3.0", "runs": []})));
    let mut log = sarif::sarif(&check(&[], &[], &Options::default()));
    log["runs"][0]["results"] = serde_json::json!([{"message": {"text": "x"}, "level": "loud"}]);
    assert!(!v.is_valid(&log));
}
