//! `load` never panics: random bytes, YAML-ish text, mutations of the corpus rule files,
//! and hostile files (deep parentheses, huge conditions, broken YAML, binary garbage).

use std::path::Path;

use proptest::prelude::*;
use vigil_event::{ArgKind, FieldInfo, FieldSchema, FieldType};
use vigil_rules::{LoadOptions, LoadResult, RulesFile, load};

const FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
    FieldInfo::new("proc.name", FieldType::String, "name"),
    FieldInfo::new("proc.cmdline", FieldType::String, "cmdline"),
    FieldInfo::new("proc.pname", FieldType::String, "pname"),
    FieldInfo::new("proc.aname", FieldType::String, "ancestor").arg(ArgKind::Index),
    FieldInfo::new("fd.name", FieldType::Path, "fd"),
    FieldInfo::new("user.name", FieldType::String, "user"),
    FieldInfo::new("container.id", FieldType::String, "container"),
];

struct Schema;

impl FieldSchema for Schema {
    fn source(&self) -> &str {
        "syscall"
    }
    fn fields(&self) -> &[FieldInfo] {
        FIELDS
    }
    fn event_types(&self) -> &[&'static str] {
        &["open", "openat", "execve", "connect"]
    }
}

fn run(content: Vec<u8>) -> LoadResult {
    let files = [RulesFile::new("fuzz.yaml", content)];
    let r = load(&files, &LoadOptions::new(vec![&Schema]));
    // Consistency: a ruleset exists iff every file succeeded; failures carry an error.
    assert_eq!(r.ruleset.is_some(), r.successful());
    for f in &r.files {
        assert_eq!(f.successful, f.errors.is_empty());
    }
    r
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco/rules");
    let mut out = Vec::new();
    for f in [
        "falco_rules.yaml",
        "k8s_audit_rules.yaml",
        "testing/rule_exception_values_list.yaml",
        "testing/override_list.yaml",
        "testing/invalid_append_macro_multiple_docs.yaml",
    ] {
        if let Ok(b) = std::fs::read(dir.join(f)) {
            out.push(b);
        }
    }
    if out.is_empty() {
        out.push(
            b"- list: l\n  items: [a, b]\n- macro: m\n  condition: proc.name in (l)\n- rule: r\n  desc: d\n  condition: evt.type=open and m\n  output: o %proc.name\n  priority: INFO\n"
                .to_vec(),
        );
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    DupLine(usize),
    DropLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::DupLine),
        any::<usize>().prop_map(Mutation::DropLine),
    ]
}

fn apply(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        if b.is_empty() {
            break;
        }
        match *m {
            Mutation::Flip(i, x) => {
                let i = i % b.len();
                b[i] ^= x;
            }
            Mutation::Delete(i, n) => {
                let i = i % b.len();
                let e = (i + n).min(b.len());
                b.drain(i..e);
            }
            Mutation::DupLine(i) | Mutation::DropLine(i) => {
                let lines: Vec<&[u8]> = b.split_inclusive(|c| *c == b'\n').collect();
                let k = i % lines.len();
                let mut out = Vec::with_capacity(b.len() + 80);
                for (j, l) in lines.iter().enumerate() {
                    if j == k && matches!(m, Mutation::DropLine(_)) {
                        continue;
                    }
                    out.extend_from_slice(l);
                    if j == k && matches!(m, Mutation::DupLine(_)) {
                        out.extend_from_slice(l);
                    }
                }
                b = out;
            }
        }
    }
    b
}

fn yamlish() -> impl Strategy<Value = String> {
    let tok = prop_oneof![
        Just("- ".to_string()),
        Just("rule: ".to_string()),
        Just("macro: ".to_string()),
        Just("list: ".to_string()),
        Just("condition: ".to_string()),
        Just("items: [".to_string()),
        Just("]".to_string()),
        Just("exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[".to_string()),
        Just("override:\n    condition: append\n".to_string()),
        Just("append: true\n".to_string()),
        Just("output: %proc.name".to_string()),
        Just("priority: INFO".to_string()),
        Just("desc: d".to_string()),
        Just("evt.type=open and ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\n  ".to_string()),
        Just("\n".to_string()),
        Just("---\n".to_string()),
        Just("&a ".to_string()),
        Just("*a ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(": ".to_string()),
        "[a-z_.]{1,8}",
    ];
    prop::collection::vec(tok, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(b in prop::collection::vec(any::<u8>(), 0..2048)) {
        run(b);
    }

    #[test]
    fn random_yamlish(s in yamlish()) {
        run(s.into_bytes());
    }

    #[test]
    fn mutated_corpus(which in any::<usize>(), ms in prop::collection::vec(mutation(), 1..8)) {
        let files = corpus();
        let base = files[which % files.len()].clone();
        run(apply(base, &ms));
    }
}

fn rule(cond: &str) -> Vec<u8> {
    let mut s = String::from("- rule: r\n  desc: d\n  condition: ");
    s.push_str(cond);
    s.push_str("\n  output: o\n  priority: INFO\n");
    s.into_bytes()
}

fn assert_error(content: Vec<u8>) {
    let r = run(content);
    assert!(!r.successful(), "expected an error");
    assert!(r.errors().count() >= 1);
}

#[test]
fn hostile_files_give_errors() {
    let deep = format!("{}evt.type=open{}", "(".repeat(5000), ")".repeat(5000));
    assert_error(rule(&deep));
    assert_error(rule("((evt.type=open and proc.name=cat"));
    assert_error(rule("evt.type=open) and (proc.name=cat"));
    assert_error(rule("evt.type=open and nonexistent.field=1"));
    assert_error(rule("evt.type=open and proc.name likeish cat"));
    assert_error(rule("evt.type=open and undefined_macro"));
    assert_error(b"- rule: [unclosed\n  desc: {\n".to_vec());
    assert_error(vec![0u8, 1, 2, 0xff, 0xfe, b'\n', 0x80, 0x81]);
    assert_error((0u8..=255).cycle().take(8192).collect());
    let mut huge = String::from("evt.type=open and proc.name in (");
    while huge.len() < 10 * 1024 * 1024 {
        huge.push_str("aaaaaaaa, ");
    }
    huge.push_str("b) and (");
    assert_error(rule(&huge));
    // Deep YAML nesting.
    assert_error(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes());
    let nested: String = (0..2000)
        .map(|i| format!("{}- \n", " ".repeat(i)))
        .collect();
    let _ = run(nested.into_bytes());
    // Alias expansion bomb.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert_error(bomb.into_bytes());
    // Exponential macro expansion.
    let mut macros = String::from("- macro: m0\n  condition: evt.type=open\n");
    for i in 1..40 {
        let p = i - 1;
        macros.push_str(&format!("- macro: m{i}\n  condition: m{p} and m{p}\n"));
    }
    macros.push_str("- rule: r\n  desc: d\n  condition: m39\n  output: o\n  priority: INFO\n");
    assert_error(macros.into_bytes());
}
