//! `vigil audit policy generate` / `lint`: generated policies lint clean; planted problems are
//! found at their positions; the Falco plugin's example policy gets sensible findings.

use std::path::{Path, PathBuf};

use vigil_k8saudit::policy::{
    GenerateOptions, Level, RuleNeeds, Severity, analyze_rules, generate, lint, parse_policy,
};
use vigil_rules::RulesFile;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn falco_rules() -> Vec<RulesFile> {
    let p = corpus().join("falco/rules/k8s_audit_rules.yaml");
    vec![RulesFile::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))]
}

fn vigil_rules() -> Vec<RulesFile> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigil/rules/k8s_audit_rules.yaml");
    match RulesFile::read(&p) {
        Ok(f) => vec![f],
        Err(e) => panic!("{}: {e}", p.display()),
    }
}

fn data(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn falco_needs() -> Vec<RuleNeeds> {
    analyze_rules(&falco_rules()).expect("Falco rules load")
}

fn assert_clean_roundtrip(needs: &[RuleNeeds]) {
    let text = generate(needs, &GenerateOptions::default());
    let report = lint(&text, needs);
    assert!(
        report.findings.is_empty(),
        "generated policy has findings:\n{}\n{text}",
        report.render("generated")
    );
    assert_eq!(report.rules_ok, report.rules_checked);
    // Valid YAML for any parser, and the layout the docs promise.
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("YAML");
    let doc = &docs[0];
    assert_eq!(doc["apiVersion"].as_str(), Some("audit.k8s.io/v1"));
    assert_eq!(doc["kind"].as_str(), Some("Policy"));
    assert_eq!(doc["omitStages"][0].as_str(), Some("RequestReceived"));
    let rules = doc["rules"].as_vec().expect("rules");
    let last = rules.last().expect("a rule");
    assert_eq!(last["level"].as_str(), Some("Metadata"));
    assert!(last["resources"].is_badvalue(), "catch-all last");
    // Secrets and tokens come first, at Metadata.
    assert_eq!(rules[0]["level"].as_str(), Some("Metadata"));
    assert!(text.contains("\"secrets\"") && text.contains("\"serviceaccounts/token\""));
    // Every non-catch-all rule is commented with the vigil rules it serves.
    assert!(
        text.matches("# Serves: ").count() >= rules.len() - 1,
        "{text}"
    );
}

#[test]
fn generate_falco_rules_lints_clean() {
    let needs = falco_needs();
    assert_eq!(needs.len(), 48);
    let never: Vec<&str> = needs
        .iter()
        .filter(|n| n.never)
        .map(|n| n.rule.as_str())
        .collect();
    assert!(never.contains(&"All K8s Audit Events"), "{never:?}");
    let by = |name: &str| {
        needs
            .iter()
            .find(|n| n.rule == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(
        by("Create Privileged Pod")
            .needs
            .iter()
            .any(|n| n.level == Level::Request)
    );
    assert!(
        by("K8s Secret Get Successfully")
            .needs
            .iter()
            .all(|n| n.level == Level::Metadata)
    );
    let exec = by("Attach/Exec Pod");
    assert!(exec.needs.iter().all(|n| n.stages.len() == 1));
    assert_clean_roundtrip(&needs);
    let text = generate(&needs, &GenerateOptions::default());
    assert!(text.contains("Create Privileged Pod"));
    assert!(text.contains("verbs: [\"create\"]"));
}

#[test]
fn generate_vigil_default_rules_lints_clean() {
    let needs = analyze_rules(&vigil_rules()).expect("vigil default rules load");
    assert!(!needs.is_empty());
    assert_clean_roundtrip(&needs);
}

#[test]
fn secrets_never_asked_above_metadata() {
    for needs in [
        Some(falco_needs()),
        Some(analyze_rules(&vigil_rules()).expect("vigil default rules load")),
    ]
    .into_iter()
    .flatten()
    {
        for n in needs.iter().flat_map(|r| r.needs.iter()) {
            if let vigil_k8saudit::policy::ResourceSel::Named { resource, .. } = &n.resource
                && resource == "secrets"
            {
                assert_eq!(n.level, Level::Metadata, "{n:?}");
            }
        }
    }
}

fn has(report: &vigil_k8saudit::policy::LintReport, code: &str, line: u32, text: &str) {
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == code && f.line == line && f.message.contains(text)),
        "no {code} at line {line} containing {text:?}:\n{}",
        report.render("policy")
    );
}

#[test]
fn planted_structural_errors() {
    let r = lint(&data("policy-structure.yaml"), &falco_needs());
    has(&r, "structure", 1, "apiVersion must be audit.k8s.io/v1");
    has(&r, "structure", 2, "kind must be Policy");
    has(&r, "structure", 3, "unknown stage 'ResponseDone'");
    has(&r, "structure", 4, "unknown field 'rule'");
    has(&r, "structure", 6, "unknown level 'Verbose'");
    has(&r, "structure", 7, "verbs: expected a list of strings");
    has(&r, "structure", 9, "unknown field 'user'");
    has(&r, "structure", 11, "'apps/v1' is not a valid API group");
    has(
        &r,
        "structure",
        14,
        "resourceNames requires at least one resource",
    );
    has(&r, "structure", 15, "both regular resources");
    has(&r, "structure", 21, "'healthz' must start with '/'");
    has(&r, "structure", 21, "only allowed at the end");
    has(&r, "structure", 22, "level is required");
    has(&r, "structure", 23, "expected a mapping");
    has(&r, "structure", 25, "omitManagedFields: expected a boolean");
    // Columns point at the offending token.
    let f = r
        .findings
        .iter()
        .find(|f| f.message.contains("Verbose"))
        .expect("level finding");
    assert_eq!((f.line, f.col), (6, 12));
    assert_eq!(r.count(Severity::Error), 15);
    assert!(!r.is_clean());
    assert!(r.with_code("cannot-fire").next().is_none());
    // Not YAML at all, empty, not a mapping: errors with positions, no panic.
    for (text, needle) in [
        ("rules: [", "YAML"),
        ("", "empty policy"),
        ("- a\n- b\n", "must be a mapping"),
        (
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n",
            "0 rules",
        ),
        (
            "apiVersion: audit.k8s.io/v1\nkind: Policy\n",
            "rules is required",
        ),
    ] {
        let r = lint(text, &[]);
        assert!(
            r.findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.message.contains(needle)),
            "{text:?}: {}",
            r.render("x")
        );
    }
}

#[test]
fn planted_semantic_problems() {
    let r = lint(&data("policy-problems.yaml"), &falco_needs());
    assert_eq!(r.count(Severity::Error), 0, "{}", r.render("p"));
    has(&r, "flood", 6, "all of group core");
    has(
        &r,
        "secret-body",
        6,
        "secrets, serviceaccounts/token at Request",
    );
    has(
        &r,
        "missing-omit-stages",
        6,
        "RequestReceived is not omitted",
    );
    has(&r, "secret-body", 11, "secrets at RequestResponse");
    has(&r, "wrong-group", 17, "'deployments' is not in group ''");
    has(
        &r,
        "cannot-fire",
        23,
        "'Create Privileged Pod' cannot fire for create pods",
    );
    has(&r, "cannot-fire", 28, "'Attach/Exec Pod'");
    has(
        &r,
        "flood",
        33,
        "RequestResponse for get/list/watch of clusterroles",
    );
    has(&r, "unknown-verb", 39, "'craete'");
    has(&r, "cannot-fire", 42, "'Attach to cluster-admin Role'");
    has(&r, "unreachable", 44, "rules[8] is never reached");
    let json = r.to_json("policy-problems.yaml");
    assert_eq!(json["summary"]["errors"], 0);
    assert!(
        json["findings"]
            .as_array()
            .is_some_and(|a| a.len() == r.findings.len())
    );

    let r = lint(&data("policy-flood.yaml"), &falco_needs());
    has(&r, "flood", 5, "RequestResponse for every resource");
    has(&r, "secret-body", 5, "tokenreviews");
    has(&r, "cannot-fire", 5, "omits ResponseStarted");
    assert!(r.with_code("missing-omit-stages").next().is_none());

    // The CIS minimal policy: valid, but object-reading rules cannot fire.
    let r = lint(&data("policy-minimal.yaml"), &falco_needs());
    assert_eq!(r.count(Severity::Error), 0);
    has(&r, "cannot-fire", 6, "'Create Privileged Pod'");
    assert!(r.with_code("flood").next().is_none());
    assert!(r.with_code("secret-body").next().is_none());
    assert!(
        r.findings
            .iter()
            .all(|f| !f.message.contains("'Disallowed K8s User'"))
    );
}

#[test]
fn falco_example_policy() {
    let p = corpus().join("k8s-audit/policies/falco-k8saudit-audit-policy.yaml");
    let text = std::fs::read_to_string(&p).expect("corpus policy");
    let r = lint(&text, &falco_needs());
    assert_eq!(r.count(Severity::Error), 0, "{}", r.render("falco"));
    // `deployments` listed under the core group (a no-op line in Falco's file).
    has(&r, "wrong-group", 8, "'deployments'");
    // RequestResponse on reads of pods and configmaps; Request on all of core.
    has(&r, "flood", 8, "RequestResponse for get/list/watch of pods");
    has(&r, "flood", 60, "configmaps");
    has(&r, "flood", 72, "all of group core");
    // TokenRequest bodies logged by the core-group Request rule.
    has(&r, "secret-body", 72, "serviceaccounts/token");
    // Modern ingresses are networking.k8s.io: only the Metadata catch-all sees them.
    has(
        &r,
        "cannot-fire",
        78,
        "'Ingress Object without TLS Certificate Created'",
    );
    has(
        &r,
        "cannot-fire",
        78,
        "'ClusterRole With Wildcard Created' cannot fire for create roles",
    );
    // Secrets are at Metadata and RequestReceived is omitted: no complaint.
    assert!(r.with_code("missing-omit-stages").next().is_none());
    assert!(
        r.with_code("secret-body")
            .all(|f| !f.message.contains("secrets,") && !f.message.starts_with("rules[8]"))
    );
    // The kube-proxy and controller-leader exclusions only hide some users' requests.
    assert!(r.with_code("conditional").any(|f| f.line == 36));
    assert!(r.rules_ok >= 40 && r.rules_ok < r.rules_checked);
}

#[test]
fn parse_positions() {
    let (p, f) = parse_policy(
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    \
         resources:\n    - group: \"\"\n      resources: [\"pods/*\"]\n",
    );
    assert!(f.is_empty(), "{f:?}");
    let p = p.expect("policy");
    assert_eq!(p.rules.len(), 1);
    assert_eq!((p.rules[0].line, p.rules[0].col), (4, 5));
    assert_eq!(p.rules[0].resources[0].resources, ["pods/*"]);
    assert!(p.rules[0].valid);
}
