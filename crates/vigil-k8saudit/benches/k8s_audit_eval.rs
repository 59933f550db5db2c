//! Audit events per second through Falco's k8s-audit rules (`k8s_audit_rules.yaml`, 48
//! rules, loaded unmodified from the shared corpus).
//!
//! Events: every event of the Falco k8s-audit fixtures (`k8s-audit/falco/*.json`) and of the
//! webhook bodies (`k8s-audit/webhook/*.json`), cycled. Three numbers: rule evaluation on
//! parsed events, parsing alone (JSON lines: the syntax check and the hot-field scan; the
//! event's JSON tree, and its Secret redaction, is built later, when a field needs it), and
//! parse + evaluation from bytes (which includes building the trees the rules ask for); each as wall-clock events/s and as events per CPU-second of the benchmark thread
//! (`/proc/thread-self/schedstat`), which other processes on a shared machine disturb less.
//! The
//! fixtures are nearly all attacks (almost one alert per event); a second mix approximates a
//! real cluster's traffic: 9 routine control-plane requests (`get`/`list`/`watch`/`update`
//! of leases, endpoints, pods, configmaps by system users, made from the fixtures by
//! rewriting those fields) for every fixture event.
//!
//! `cargo bench -p vigil-k8saudit --bench k8s_audit_eval [-- SECONDS]`; the corpus folder
//! is `VIGIL_CORPUS` (default `../shared/corpus` beside the workspace).
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vigil_k8saudit::{AuditEvent, K8S_AUDIT_SCHEMA, K8S_AUDIT_SOURCE, parse_events};
use vigil_rules::{LoadOptions, RulesFile, load};

fn corpus() -> PathBuf {
    match std::env::var_os("VIGIL_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3.0);
    let budget = Duration::from_secs_f64(secs);
    let corpus = corpus();
    let rules_path = corpus.join("falco/rules/k8s_audit_rules.yaml");
    let file = RulesFile::read(&rules_path).unwrap();
    let res = load(&[file], &LoadOptions::new(vec![&K8S_AUDIT_SCHEMA]));
    assert!(res.successful(), "{:?}", res.errors().collect::<Vec<_>>());
    let rs = res.ruleset.unwrap();
    let nrules = rs.active_rules().count();

    let mut events: Vec<AuditEvent> = Vec::new();
    let mut lines: Vec<u8> = Vec::new();
    for dir in ["k8s-audit/falco", "k8s-audit/webhook"] {
        for f in json_files(&corpus.join(dir)) {
            let bytes = std::fs::read(&f).unwrap();
            for ev in parse_events(&bytes).flatten() {
                lines.extend_from_slice(ev.raw().to_string().as_bytes());
                lines.push(b'\n');
                events.push(ev);
            }
        }
    }
    assert!(!events.is_empty());

    let routine = routine_mix(&events);
    let mut routine_lines = Vec::new();
    for ev in &routine {
        routine_lines.extend_from_slice(ev.raw().to_string().as_bytes());
        routine_lines.push(b'\n');
    }
    println!("k8s_audit_eval: {nrules} rules, {budget:?} per measurement");
    for (name, evs, text) in [
        ("falco fixtures", &events, &lines),
        ("routine mix 9:1", &routine, &routine_lines),
    ] {
        let m = measure(&rs, evs, text, budget);
        println!(
            "{name}: {} events (avg {} bytes), {} alerts per pass",
            evs.len(),
            text.len() / evs.len(),
            m.alerts_per_pass
        );
        for (what, r) in [
            ("rules only", m.eval),
            ("parse only", m.parse),
            ("parse + rules", m.full),
        ] {
            print!(
                "  {what}: {:.0} events/s ({:.2} us/event)",
                r.wall,
                1e6 / r.wall
            );
            match r.cpu {
                Some(cpu) => println!(", {cpu:.0} events per CPU-second"),
                None => println!(),
            }
        }
    }
}

/// This thread's CPU time (Linux `/proc/thread-self/schedstat`), to report events per
/// CPU-second next to wall-clock events/s on a shared machine.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Events per wall-clock second and per CPU-second of this thread.
#[derive(Clone, Copy)]
struct Rate {
    wall: f64,
    cpu: Option<f64>,
}

struct Measured {
    eval: Rate,
    parse: Rate,
    full: Rate,
    alerts_per_pass: usize,
}

/// Run `pass` (which returns how many events it handled) until `budget` has elapsed.
fn timed(budget: Duration, mut pass: impl FnMut() -> usize) -> Rate {
    let mut n = 0usize;
    let cpu0 = thread_cpu();
    let t = Instant::now();
    while t.elapsed() < budget {
        n += pass();
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) if b > a => Some(n as f64 / (b - a).as_secs_f64()),
        _ => None,
    };
    Rate {
        wall: n as f64 / wall,
        cpu,
    }
}

/// Rule evaluation of parsed events, parsing alone, parsing + evaluation.
fn measure(
    rs: &vigil_rules::Ruleset,
    events: &[AuditEvent],
    lines: &[u8],
    budget: Duration,
) -> Measured {
    let mut hits = Vec::new();
    let mut alerts = 0usize;
    let mut passes = 0usize;
    let eval = timed(budget, || {
        for ev in events {
            hits.clear();
            rs.evaluate(K8S_AUDIT_SOURCE, ev, &mut hits);
            alerts += hits.len();
        }
        passes += 1;
        events.len()
    });
    let parse = timed(budget, || {
        let mut m = 0;
        for ev in parse_events(lines).flatten() {
            std::hint::black_box(&ev);
            m += 1;
        }
        m
    });
    let full = timed(budget, || {
        let mut m = 0;
        for ev in parse_events(lines).flatten() {
            hits.clear();
            rs.evaluate(K8S_AUDIT_SOURCE, &ev, &mut hits);
            m += 1;
        }
        m
    });
    Measured {
        eval,
        parse,
        full,
        alerts_per_pass: alerts / passes.max(1),
    }
}

/// Nine routine control-plane requests per fixture event, then the fixture event.
fn routine_mix(events: &[AuditEvent]) -> Vec<AuditEvent> {
    use serde_json::json;
    const ROUTINE: [(&str, &str, &str, &str); 9] = [
        ("watch", "pods", "", "system:kube-scheduler"),
        (
            "list",
            "endpoints",
            "kube-system",
            "system:kube-controller-manager",
        ),
        (
            "update",
            "leases",
            "kube-node-lease",
            "system:node:worker-1",
        ),
        ("get", "leases", "kube-system", "system:kube-scheduler"),
        (
            "watch",
            "configmaps",
            "default",
            "system:serviceaccount:kube-system:coredns",
        ),
        ("get", "pods", "default", "system:node:worker-2"),
        ("list", "nodes", "", "system:kube-proxy"),
        (
            "update",
            "leases",
            "kube-system",
            "system:kube-controller-manager",
        ),
        ("get", "namespaces", "", "system:apiserver"),
    ];
    let mut out = Vec::new();
    for ev in events {
        for (verb, resource, ns, user) in ROUTINE {
            let mut raw = ev.raw().clone();
            if let Some(o) = raw.as_object_mut() {
                o.remove("requestObject");
                o.remove("responseObject");
                o.insert("verb".into(), json!(verb));
                o.insert("level".into(), json!("Metadata"));
                o.insert(
                    "objectRef".into(),
                    json!({"resource": resource, "namespace": ns, "apiVersion": "v1"}),
                );
                o.insert(
                    "user".into(),
                    json!({"username": user, "groups": ["system:authenticated"]}),
                );
                o.insert(
                    "responseStatus".into(),
                    json!({"metadata": {}, "code": 200}),
                );
                o.insert("requestURI".into(), json!(format!("/api/v1/{resource}")));
            }
            if let Ok(r) = AuditEvent::from_value(raw) {
                out.push(r);
            }
        }
        out.push(ev.clone());
    }
    out
}
