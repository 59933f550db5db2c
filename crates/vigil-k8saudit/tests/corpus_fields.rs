//! Every field used by the corpus rule files of the `k8s_audit` source resolves through
//! [`K8sAuditSchema`].

// The corpus scanner is shared with vigil-state's corpus test.
#[path = "../../vigil-state/tests/common/corpus.rs"]
mod corpus;

use vigil_event::FieldSchema;
use vigil_k8saudit::K8sAuditSchema;

#[test]
fn corpus_k8s_audit_fields_resolve() {
    let dir = corpus::rules_dir(env!("CARGO_MANIFEST_DIR"));
    if !corpus::corpus_present(&dir) {
        return;
    }
    let schema = K8sAuditSchema;
    let mut failures = Vec::new();
    let (mut files, mut checked) = (0usize, 0usize);
    for path in corpus::corpus_files(&dir) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let refs = match corpus::scan_file(&path) {
            Ok(r) => r,
            Err(_) if name.starts_with("invalid_") => continue,
            Err(e) => panic!("{e}"),
        };
        let default = corpus::file_source(&path);
        let mut counted = false;
        for item in &refs.items {
            let source = item.source.as_deref().or(default);
            if source != Some("k8s_audit") {
                continue;
            }
            if !counted {
                files += 1;
                counted = true;
            }
            for f in &item.fields {
                checked += 1;
                if let Err(e) = schema.resolve(&f.name, f.arg.as_deref()) {
                    failures.push(format!("{name}: {} ({:?}): {e}", item.name, f.origin));
                }
            }
            assert!(
                item.evt_type_values.is_empty(),
                "{name}: {}: evt.type on k8s_audit",
                item.name
            );
        }
    }
    eprintln!("{files} files, {checked} field references checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(files >= 8, "only {files} k8s_audit files scanned");
    assert!(checked > 500, "only {checked} field references checked");
}

#[test]
fn k8s_rules_reference_list_fields() {
    let dir = corpus::rules_dir(env!("CARGO_MANIFEST_DIR"));
    if !corpus::corpus_present(&dir) {
        return;
    }
    let refs = corpus::scan_file(&dir.join("k8s_audit_rules.yaml")).expect("parse");
    let schema = K8sAuditSchema;
    let found = |n: &str| {
        refs.items
            .iter()
            .flat_map(|i| i.fields.iter())
            .find(|f| f.name == n)
            .and_then(|f| schema.resolve(&f.name, f.arg.as_deref()).ok())
            .and_then(|r| schema.info(r.id).copied())
    };
    for n in [
        "ka.req.pod.containers.image.repository",
        "ka.req.role.rules.verbs",
    ] {
        assert!(found(n).is_some_and(|f| f.list), "{n}");
    }
    assert!(found("jevt.value").is_some_and(|f| !f.list));
}
