//! The shared k8s-audit corpus reads without error: Falco's fixtures (v1 and v1beta1, with
//! and without `apiVersion`), the webhook `EventList` bodies (one line and pretty-printed)
//! and Panther's bare `Event` lines.

use std::path::{Path, PathBuf};

use vigil_k8saudit::{AuditError, read_file};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s-audit");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == ext));
    v.sort();
    v
}

#[test]
fn falco_fixtures_and_webhook_bodies() {
    let Some(dir) = corpus() else {
        return;
    };
    let mut total = 0;
    for f in files(&dir.join("falco"), "json") {
        let items = read_file(&f).expect("readable");
        assert!(!items.is_empty(), "{}", f.display());
        for it in &items {
            let ev = it
                .as_ref()
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(
                ev.time_ns() > 0 && ev.audit_id().is_some(),
                "{}",
                f.display()
            );
        }
        total += items.len();
    }
    assert!(total >= 30);
    for (name, n) in [
        ("eventlist-all-falco-events.json", 38),
        ("eventlist-3-events.json", 3),
        ("eventlist-empty.json", 0),
    ] {
        let items = read_file(dir.join("webhook").join(name)).expect("readable");
        assert_eq!(items.len(), n, "{name}");
        assert!(items.iter().all(Result::is_ok), "{name}");
        let nums: Vec<u64> = items.iter().flatten().map(|e| e.num()).collect();
        assert_eq!(nums, (1..=n as u64).collect::<Vec<_>>());
    }
}

#[test]
fn panther_lines() {
    let Some(dir) = corpus() else {
        return;
    };
    let (mut events, mut foreign) = (0, 0);
    for f in files(&dir.join("panther"), "jsonl") {
        for it in read_file(&f).expect("readable") {
            match it {
                Ok(_) => events += 1,
                // Envelopes (AKS, GKE, CloudWatch, Azure activity) are unwrapped; only
                // records of other services are not audit events.
                Err(AuditError::NotAuditEvent { .. }) => foreign += 1,
                Err(e) => panic!("{}: {e}", f.display()),
            }
        }
    }
    assert!(
        events >= 170 && foreign <= 5,
        "{events} events, {foreign} envelopes"
    );
}
