//! Events read from text take a fast path (a scan of the top-level keys; the `Value` is
//! built on first use). It must give what the eager path (a whole `serde_json::Value` per
//! event, `AuditEvent::from_value`) gives: the same hot fields, time, event JSON, Secret
//! redaction and errors. Checked on every event of the shared k8s-audit corpus and on
//! hand-made edge cases.

use std::path::{Path, PathBuf};

use serde_json::Value as J;
use vigil_event::{Extract, FieldSchema};
use vigil_k8saudit::{AuditEvent, K8S_AUDIT_SCHEMA, REDACTED, parse_events};
use vigil_rules::{LoadOptions, RulesFile, load};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s-audit");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "corpus not found at {}",
            dir.display()
        );
        eprintln!("corpus not found at {}; skipped", dir.display());
        return None;
    }
    Some(dir)
}

/// The events of `bytes` the eager way: every JSON value, `EventList`s expanded.
fn eager(bytes: &[u8]) -> Vec<Result<AuditEvent, String>> {
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_slice(bytes).into_iter::<J>() {
        let Ok(v) = v else { break };
        let items = match v {
            J::Object(ref o) if o.get("kind").and_then(J::as_str) == Some("EventList") => o
                .get("items")
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default(),
            J::Array(items) => items,
            other => vec![other],
        };
        for it in items {
            out.push(AuditEvent::from_value(it).map_err(|e| e.to_string()));
        }
    }
    out
}

/// Compare two events through everything a rule or an output can read.
fn same(fast: &AuditEvent, slow: &AuditEvent, what: &str) {
    assert_eq!(fast.time_ns(), slow.time_ns(), "{what}: time");
    assert_eq!(fast.raw(), slow.raw(), "{what}: JSON");
    assert_eq!(fast.was_redacted(), slow.was_redacted(), "{what}: redacted");
    for (name, f, s) in [
        ("audit_id", fast.audit_id(), slow.audit_id()),
        ("stage", fast.stage(), slow.stage()),
        ("verb", fast.verb(), slow.verb()),
        ("user", fast.user_name(), slow.user_name()),
        ("resource", fast.resource(), slow.resource()),
        ("subresource", fast.subresource(), slow.subresource()),
        ("namespace", fast.namespace(), slow.namespace()),
        ("name", fast.name(), slow.name()),
        ("code", fast.response_code(), slow.response_code()),
    ] {
        assert_eq!(f, s, "{what}: {name}");
    }
    let mut slow = slow.clone();
    slow.set_num(fast.num());
    slow.set_start_ns(fast.start_ns());
    assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{what}: Debug");
    assert!(*fast == slow, "{what}: hot fields");
}

/// Every field of the k8s_audit catalogue, through a rule output that prints them all.
fn all_fields_output(ev: &AuditEvent) -> String {
    fields_output(ev, |_| true)
}

/// The request-object fields only: on an event whose JSON tree is not built yet, they read
/// the request object alone (parsed and redacted by itself).
fn request_fields_output(ev: &AuditEvent) -> String {
    fields_output(ev, |name| {
        name.starts_with("ka.req.") || name == "jevt.value" || name == "json.value"
    })
}

fn fields_output(ev: &AuditEvent, keep: impl Fn(&str) -> bool) -> String {
    let mut s = String::new();
    for f in K8S_AUDIT_SCHEMA.fields().iter().filter(|f| keep(f.name)) {
        for arg in [
            None,
            Some("0"),
            Some("/objectRef/name"),
            Some("/requestObject/data"),
            Some("/responseObject/metadata/name"),
            Some("/requestObject/spec/containers/0/image"),
            Some("/requestObject"),
            Some("/requestObject/items/0/data"),
            Some("/requestObject/0/value"),
            Some("dryRun"),
        ] {
            if let Ok(fr) = K8S_AUDIT_SCHEMA.resolve(f.name, arg) {
                s.push_str(&format!("{}[{arg:?}]={:?};", f.name, ev.extract(&fr)));
            }
        }
    }
    s
}

#[test]
fn corpus_events_fast_equals_eager() {
    let Some(dir) = corpus() else { return };
    let mut n = 0;
    for sub in ["falco", "webhook", "panther"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .expect("corpus folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "jsonl"))
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).expect("readable");
            let fast: Vec<_> = parse_events(&bytes).collect();
            let slow = eager(&bytes);
            assert_eq!(fast.len(), slow.len(), "{}", f.display());
            for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
                let what = format!("{} event {i}", f.display());
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        let mut b = b.clone();
                        b.set_num(a.num());
                        b.set_start_ns(a.start_ns());
                        let b = &b;
                        // First (nothing has built `a`'s tree yet): the request object alone.
                        let req = request_fields_output(a);
                        assert_eq!(req, request_fields_output(b), "{what}: request fields");
                        same(a, b, &what);
                        assert_eq!(all_fields_output(a), all_fields_output(b), "{what}");
                        n += 1;
                    }
                    (Err(_), Err(_)) => {}
                    _ => panic!("{what}: {a:?} vs {b:?}"),
                }
            }
        }
    }
    assert!(n > 100, "only {n} events compared");
}

#[test]
fn edge_cases_fast_equals_eager() {
    let cases = [
        // Nulls, numbers and escapes in hot fields.
        r#"{"kind":"Event","auditID":null,"verb":"g\u0065t","stage":7,"user":{"username":"a\"b"},"responseStatus":{"code":403,"reason":null},"stageTimestamp":"2020-01-01T00:00:01Z"}"#,
        // No kind: auditID + verb.
        r#"{"auditID":"a","verb":"list","objectRef":[1,2],"user":"x","annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":{"x":[1, 2]}}}"#,
        // Duplicate keys (last wins in the eager path).
        r#"{"kind":"Event","auditID":"a","verb":"get","verb":"delete","objectRef":{"resource":"pods","resource":"secrets"}}"#,
        // Panther-spelled user.extra keys are renamed.
        r#"{"kind":"Event","auditID":"a","verb":"get","user":{"username":"u","extra":{"authentication_kubernetes_io_slash_pod-name":["p"]}}}"#,
        // Secrets in request and response objects, responseObject name.
        r#"{"kind":"Event","auditID":"a","verb":"create","objectRef":{"resource":"secrets","name":"s"},"requestObject":{"kind":"Secret","data":{"k":"c2VjcmV0"}},"responseObject":{"kind":"Secret","metadata":{"name":"s2"},"stringData":{"t":"hunter2"}}}"#,
        // Pretty-printed, v1beta1 time key, apiVersion.
        "{\n \"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1beta1\",\n \"auditID\": \"a\", \"verb\": \"get\", \"timestamp\": \"2019-05-05T10:00:00.5Z\"\n}",
        // Time without a zone.
        r#"{"kind":"Event","auditID":"a","verb":"get","requestReceivedTimestamp":"2022-11-29 00:09:04.38"}"#,
    ];
    for c in cases {
        let fast = AuditEvent::from_slice(c.as_bytes()).expect(c);
        let slow = AuditEvent::from_value(serde_json::from_str(c).expect(c)).expect(c);
        let req = request_fields_output(&fast);
        assert_eq!(req, request_fields_output(&slow), "{c}");
        same(&fast, &slow, c);
        assert_eq!(all_fields_output(&fast), all_fields_output(&slow), "{c}");
        let text = fast.raw().to_string();
        assert!(
            !text.contains("c2VjcmV0") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(!format!("{fast:?}").contains("hunter2"));
    }
    // The request object read alone (the tree not built) is redacted too.
    let secret = AuditEvent::from_slice(cases[4].as_bytes()).expect("secret");
    let r = K8S_AUDIT_SCHEMA
        .resolve("jevt.value", Some("/requestObject/data/k"))
        .expect("field");
    let v = secret.extract(&r).expect("value");
    assert_eq!(v[0].as_bytes(), Some(REDACTED.as_bytes()));
    let r = K8S_AUDIT_SCHEMA
        .resolve("ka.req.configmap.obj", None)
        .expect("field");
    let v = secret.extract(&r).expect("value");
    assert!(!String::from_utf8_lossy(v[0].as_bytes().unwrap_or_default()).contains("c2VjcmV0"));
    assert!(secret.raw().to_string().contains(REDACTED));
    for bad in [
        r#"{"kind":"Pod","auditID":"a","verb":"get"}"#,
        r#"{"kind":"Event","apiVersion":"v1","auditID":"a","verb":"get"}"#,
        r#"{"kind":"Event","apiVersion":1}"#,
        r#"{"verb":"get"}"#,
        r#"{"kind":"Event","verb":"get""#,
    ] {
        let fast = AuditEvent::from_slice(bad.as_bytes()).map_err(|e| e.to_string());
        let slow = serde_json::from_str::<J>(bad)
            .map_err(|e| e.to_string())
            .and_then(|v| AuditEvent::from_value(v).map_err(|e| e.to_string()));
        assert!(fast.is_err() && slow.is_err(), "{bad}");
    }
}

#[test]
fn rules_see_the_same_events() {
    let Some(dir) = corpus() else { return };
    let rules = dir.join("../falco/rules/k8s_audit_rules.yaml");
    let file = RulesFile::read(&rules).expect("rules file");
    let res = load(&[file], &LoadOptions::new(vec![&K8S_AUDIT_SCHEMA]));
    let rs = res.ruleset.expect("ruleset");
    let bytes = std::fs::read(dir.join("webhook/eventlist-all-falco-events.json")).expect("body");
    let fast: Vec<_> = parse_events(&bytes).flatten().collect();
    let slow: Vec<_> = eager(&bytes).into_iter().flatten().collect();
    assert_eq!(fast.len(), slow.len());
    let (mut hf, mut hs) = (Vec::new(), Vec::new());
    let mut alerts = 0;
    for (a, b) in fast.iter().zip(&slow) {
        hf.clear();
        hs.clear();
        rs.evaluate(vigil_k8saudit::K8S_AUDIT_SOURCE, a, &mut hf);
        rs.evaluate(vigil_k8saudit::K8S_AUDIT_SOURCE, b, &mut hs);
        assert_eq!(format!("{hf:?}"), format!("{hs:?}"));
        alerts += hf.len();
    }
    assert!(alerts > 10, "{alerts}");
}
