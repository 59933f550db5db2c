//! Every field and `evt.type` value used by the corpus rule files of the `syscall` source
//! resolves through [`SyscallSchema`].

mod common;

use common::corpus::{self, Origin};
use vigil_event::FieldSchema;
use vigil_state::{SyscallSchema, is_implemented};

#[test]
fn corpus_syscall_fields_resolve() {
    let dir = corpus::rules_dir(env!("CARGO_MANIFEST_DIR"));
    if !corpus::corpus_present(&dir) {
        return;
    }
    let schema = SyscallSchema;
    let mut failures = Vec::new();
    let (mut files, mut checked, mut evt_values) = (0usize, 0usize, 0usize);
    for path in corpus::corpus_files(&dir) {
        if corpus::file_source(&path) != Some("syscall") {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let refs = match corpus::scan_file(&path) {
            Ok(r) => r,
            // Deliberately broken regression inputs.
            Err(_) if name.starts_with("invalid_") => continue,
            Err(e) => panic!("{e}"),
        };
        files += 1;
        for item in &refs.items {
            if item.source.as_deref().is_some_and(|s| s != "syscall") {
                continue;
            }
            for f in &item.fields {
                checked += 1;
                match schema.resolve(&f.name, f.arg.as_deref()) {
                    Err(e) if !corpus::expected_unknown(&path, &f.name) => {
                        failures.push(format!("{name}: {} ({:?}): {e}", item.name, f.origin));
                    }
                    Err(_) => {}
                    Ok(r) => {
                        // Every field a corpus rule uses has an extractor.
                        let field = schema.info(r.id).map_or("", |i| i.name);
                        if !is_implemented(field) {
                            failures.push(format!(
                                "{name}: {}: field {field} has no extractor",
                                item.name
                            ));
                        }
                    }
                }
            }
            for v in refs.expand(&item.evt_type_values) {
                evt_values += 1;
                if schema.event_type_id(&v).is_none() && !corpus::expected_unknown(&path, &v) {
                    failures.push(format!("{name}: {}: unknown event type {v}", item.name));
                }
            }
        }
    }
    eprintln!("{files} files, {checked} field references checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Sanity: the scan did find the bulk of the corpus.
    assert!(files >= 80, "only {files} files scanned");
    assert!(checked > 3000, "only {checked} field references checked");
    assert!(
        evt_values > 150,
        "only {evt_values} evt.type values checked"
    );
}

#[test]
fn scanner_finds_known_references() {
    let dir = corpus::rules_dir(env!("CARGO_MANIFEST_DIR"));
    if !corpus::corpus_present(&dir) {
        return;
    }
    let refs = corpus::scan_file(&dir.join("falco-sandbox_rules.yaml")).expect("parse");
    let all: Vec<_> = refs.items.iter().flat_map(|i| i.fields.iter()).collect();
    assert!(all.iter().any(|f| f.name == "container.mount.dest"
        && f.arg.as_deref() == Some("/var/run/docker.sock")
        && f.origin == Origin::Condition));
    assert!(
        all.iter()
            .any(|f| f.name == "proc.aname" && f.arg.as_deref() == Some("2"))
    );
    assert!(all.iter().any(|f| f.name == "evt.buffer"));
    assert!(
        all.iter()
            .any(|f| f.name == "fd.rip" && f.origin == Origin::Output)
    );
    let evt: Vec<String> = refs
        .items
        .iter()
        .flat_map(|i| refs.expand(&i.evt_type_values))
        .collect();
    assert!(evt.iter().any(|v| v == "userfaultfd"));
    // Values on the right-hand side are not field references.
    assert!(!all.iter().any(|f| f.name.starts_with('/')));

    let mut item = corpus::ItemRefs::default();
    corpus::scan_condition(
        "evt.type in (open, openat) and not proc.name in (a.b, c) and \
         tolower(proc.cmdline) contains x and fd.name = val(proc.cwd) and macro_x",
        &mut item,
    );
    let names: Vec<_> = item.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "evt.type",
            "proc.name",
            "proc.cmdline",
            "fd.name",
            "proc.cwd"
        ]
    );
    assert_eq!(item.evt_type_values, ["open", "openat"]);
    let mut item = corpus::ItemRefs::default();
    corpus::scan_output(
        "a %proc.name, %12fd.name. %jevt.value[/x/y] %toupper(user.name) 5%",
        &mut item,
    );
    let names: Vec<_> = item
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.arg.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("proc.name", None),
            ("fd.name", None),
            ("jevt.value", Some("/x/y")),
            ("user.name", None)
        ]
    );
}

#[test]
fn implemented_fields_report() {
    let schema = SyscallSchema;
    let missing: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name)
        .filter(|n| !is_implemented(n))
        .collect();
    eprintln!(
        "{} of {} syscall fields have extractors; without: {}",
        schema.fields().len() - missing.len(),
        schema.fields().len(),
        missing.join(" ")
    );
    assert!(
        missing.len() < 80,
        "{} fields without extractor",
        missing.len()
    );
}
