//! Loader semantics on small inline files, with a tiny schema.

use vigil_event::{
    ArgKind, EventTypeId, Extract, FieldArg, FieldInfo, FieldRef, FieldSchema, FieldType, Value,
    Values,
};

use crate::*;

const FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
    FieldInfo::new("proc.name", FieldType::String, "name"),
    FieldInfo::new("proc.cmdline", FieldType::String, "cmdline"),
    FieldInfo::new("fd.name", FieldType::Path, "fd"),
    FieldInfo::new("proc.aname", FieldType::String, "ancestor").arg(ArgKind::Index),
    FieldInfo::new("evt.dir", FieldType::String, "dir").deprecated(),
];

const TYPES: &[&str] = &["open", "openat", "execve", "connect", "close"];

struct TestSchema;

impl FieldSchema for TestSchema {
    fn source(&self) -> &str {
        "syscall"
    }
    fn fields(&self) -> &[FieldInfo] {
        FIELDS
    }
    fn event_types(&self) -> &[&'static str] {
        TYPES
    }
}

struct OtherSchema;

impl FieldSchema for OtherSchema {
    fn source(&self) -> &str {
        "k8s_audit"
    }
    fn fields(&self) -> &[FieldInfo] {
        const F: &[FieldInfo] = &[FieldInfo::new("ka.verb", FieldType::String, "verb")];
        F
    }
}

struct Ev {
    ty: &'static str,
    name: &'static str,
    fd: &'static str,
}

impl Extract for Ev {
    fn event_type(&self) -> Option<EventTypeId> {
        TestSchema.event_type_id(self.ty)
    }
    fn extract(&self, f: &FieldRef) -> Option<Values<'_>> {
        let v = match (f.id.0, &f.arg) {
            (0, _) => self.ty,
            (1, FieldArg::None) => self.name,
            (2, _) => self.name,
            (3, _) => self.fd,
            _ => return None,
        };
        Some(Values::from_iter([Value::str(v)]))
    }
}

fn opts() -> LoadOptions<'static> {
    LoadOptions::new(vec![&TestSchema, &OtherSchema])
}

fn load_str(files: &[&str]) -> LoadResult {
    let files: Vec<RulesFile> = files
        .iter()
        .enumerate()
        .map(|(i, c)| RulesFile::new(format!("f{i}.yaml"), c.as_bytes()))
        .collect();
    load(&files, &opts())
}

fn first_error(r: &LoadResult) -> &Diagnostic {
    r.errors().next().expect("an error")
}

fn has_warning(r: &LoadResult, code: Code) -> bool {
    r.warnings().any(|w| w.code == code)
}

const BASE: &str = "
- rule: open cat
  desc: d
  condition: evt.type=open and proc.name=cat
  output: open by %proc.name
  priority: WARNING
";

#[test]
fn simple_rule_loads_and_evaluates() {
    let r = load_str(&[BASE]);
    assert!(r.successful(), "{:?}", r.files);
    let rs = r.ruleset.expect("ruleset");
    assert_eq!(rs.rules().len(), 1);
    let rule = rs.rule("open cat").expect("rule");
    assert_eq!(rule.priority, vigil_event::Priority::Warning);
    assert_eq!(rule.source, "syscall");
    let mut hits = Vec::new();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "cat",
            fd: "/x",
        },
        &mut hits,
    );
    assert_eq!(hits.len(), 1);
    hits.clear();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "execve",
            name: "cat",
            fd: "/x",
        },
        &mut hits,
    );
    assert!(hits.is_empty());
    assert_eq!(rs.interest("syscall"), EventTypes::Only(vec![0]));
}

#[test]
fn evaluate_indices_names_the_rules_evaluate_returns() {
    let second = "
- rule: open any
  desc: d
  condition: evt.type=open
  output: open
  priority: NOTICE
- rule: exec cat
  desc: d
  condition: evt.type=execve and proc.name=cat
  output: exec
  priority: NOTICE
";
    let rs = load_str(&[BASE, second]).ruleset.expect("ruleset");
    for ty in ["open", "execve", "close"] {
        let ev = Ev {
            ty,
            name: "cat",
            fd: "/x",
        };
        let (mut rules, mut idx) = (Vec::new(), Vec::new());
        rs.evaluate("syscall", &ev, &mut rules);
        rs.evaluate_indices("syscall", &ev, &mut idx);
        let by_index: Vec<&str> = idx.iter().map(|&i| rs.rules()[i].name.as_str()).collect();
        let by_ref: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(by_index, by_ref, "{ty}");
    }
    let mut idx = Vec::new();
    rs.evaluate_indices(
        "syscall",
        &Ev {
            ty: "open",
            name: "cat",
            fd: "/x",
        },
        &mut idx,
    );
    // Falco's default `rule_matching: first`: only the first matching rule, by load order.
    assert_eq!(idx, vec![0]);
}

#[test]
fn yaml_structure_errors() {
    let r = load_str(&["This is not yaml"]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrYamlValidate);
    assert_eq!(e.item_type, "rules content");
    assert_eq!(e.message, "Rules content is not yaml");

    let r = load_str(&["foo: bar"]);
    assert_eq!(
        first_error(&r).message,
        "Rules content is not yaml array of objects"
    );

    let r = load_str(&["- foo\n"]);
    let e = first_error(&r);
    assert_eq!(e.item_type, "rules content item");
    assert_eq!(
        e.message,
        "Unexpected element type. Each element should be a yaml associative array."
    );

    let r = load_str(&["- rule: [a\n"]);
    assert_eq!(first_error(&r).code, Code::ErrYamlParse);

    let files = [RulesFile::new(
        "bin.yaml",
        vec![0x2d, 0x20, 0xff, 0xfe, 0x00],
    )];
    let r = load(&files, &opts());
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrYamlParse);
    assert!(e.message.contains("offset 2"), "{}", e.message);
    assert!(r.ruleset.is_none());
}

#[test]
fn multi_document_and_empty() {
    let r = load_str(&[
        "---\n- list: a\n  items: [x]\n---\n- macro: m\n  condition: proc.name in (a)\n---\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert!(has_warning(&r, Code::UnusedMacro));
    assert!(!has_warning(&r, Code::UnusedList));
    let r = load_str(&[""]);
    assert!(r.successful());
}

#[test]
fn required_keys() {
    let r = load_str(&[
        "- rule: no output rule\n  desc: d\n  condition: evt.type=open\n  priority: INFO\n",
    ]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrYamlValidate);
    assert_eq!(
        (e.item_type, e.item_name.as_str()),
        ("rule", "no output rule")
    );
    assert_eq!(e.message, "Item has no mapping for key 'output'");

    let r = load_str(&["- list:\n  items: [a]\n"]);
    let e = first_error(&r);
    assert_eq!(
        (e.item_type, e.message.as_str()),
        ("list", "Mapping for key 'list' is empty")
    );

    let r = load_str(&["- list: bad_list\n"]);
    let e = first_error(&r);
    assert_eq!(e.message, "Item has no mapping for key 'items'");
    assert_eq!(e.item_name, "bad_list");

    let r = load_str(&["- macro: bad_macro\n"]);
    assert_eq!(
        first_error(&r).message,
        "Item has no mapping for key 'condition'"
    );

    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n",
    ]);
    let e = first_error(&r);
    assert_eq!(e.message, "Invalid priority");
    assert!(e.has_item_type("rule priority"));
}

#[test]
fn priorities_case_insensitive() {
    for p in ["info", "Informational", "DEBUG", "emergency", "Notice"] {
        let r = load_str(&[&format!(
            "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: {p}\n"
        )]);
        assert!(r.successful(), "{p}: {:?}", r.files);
    }
}

#[test]
fn engine_version() {
    let ok = load_str(&[
        "- required_engine_version: 17\n",
        "- required_engine_version: 0.57.0\n",
    ]);
    assert!(ok.successful());
    let r = load_str(&["- required_engine_version: 0.99.0\n"]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrValidate);
    assert_eq!(e.item_type, "required_engine_version");
    assert_eq!(
        e.message,
        "Rules require engine version 0.99.0, but engine version is 0.62.0"
    );
    let r = load_str(&["- required_engine_version: banana\n"]);
    assert!(
        first_error(&r)
            .message
            .starts_with("Unable to parse engine version 'banana'")
    );
}

#[test]
fn plugin_versions() {
    let ok = load_str(&[
        "- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.1.0\n",
    ]);
    assert!(ok.successful(), "{:?}", ok.files);
    let r = load_str(&["- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.1.0\n"]);
    assert_eq!(
        first_error(&r).message,
        "Plugin requirement not satisfied, must load one of: cloudtrail (>= 0.1.0)"
    );
    let r = load_str(&["- required_plugin_versions:\n  - name: container\n    version: 0.9.0\n"]);
    assert!(first_error(&r).message.contains("is not compatible"));
}

#[test]
fn unknown_items_and_keys() {
    let r = load_str(&[&format!("{BASE}  nonsense: 1\n- whatever: 1\n")]);
    assert!(r.successful());
    let w: Vec<_> = r.warnings().map(|w| (w.code, w.message.clone())).collect();
    assert!(w.contains(&(
        Code::UnknownKey,
        "Unknown key 'nonsense'. The key will be ignored.".into()
    )));
    assert!(w.contains(&(Code::UnknownItem, "Unknown top level item".into())));
}

#[test]
fn lists_are_substituted_textually_without_order() {
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: evt.type=open and proc.name in (names)\n  output: o\n  priority: INFO\n- list: names\n  items: [cat, \"my prog\"]\n- list: unused\n  items: []\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert!(has_warning(&r, Code::UnusedList));
    let rs = r.ruleset.expect("rs");
    let mut hits = Vec::new();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "my prog",
            fd: "",
        },
        &mut hits,
    );
    assert_eq!(hits.len(), 1);
}

#[test]
fn nested_lists_and_append() {
    let r = load_str(&[
        "- list: a\n  items: [cat]\n- list: b\n  items: [a, dog]\n- list: b\n  items: [cow]\n  override:\n    items: append\n- list: b\n  append: true\n  items: [pig]\n- rule: r\n  desc: d\n  condition: evt.type=open and proc.name in (b)\n  output: o\n  priority: INFO\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert!(has_warning(&r, Code::DeprecatedItem));
    let rs = r.ruleset.expect("rs");
    for n in ["cat", "dog", "cow", "pig"] {
        let mut hits = Vec::new();
        rs.evaluate(
            "syscall",
            &Ev {
                ty: "open",
                name: n,
                fd: "",
            },
            &mut hits,
        );
        assert_eq!(hits.len(), 1, "{n}");
    }
    let r = load_str(&["- list: nope\n  items: [x]\n  append: true\n"]);
    assert_eq!(
        first_error(&r).message,
        "List uses 'append' or 'override.items: append' but no list by that name already exists"
    );
}

#[test]
fn macro_visibility_and_undefined() {
    // A macro can only use macros defined before it.
    let r = load_str(&[
        "- macro: m1\n  condition: m2\n- macro: m2\n  condition: evt.type=open\n- rule: r\n  desc: d\n  condition: m1\n  output: o\n  priority: INFO\n",
    ]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrValidate);
    assert_eq!((e.item_type, e.item_name.as_str()), ("macro", "m1"));
    assert_eq!(e.message, "Undefined macro 'm2' used in filter.");
    // Rules see every macro.
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: m2\n  output: o\n  priority: INFO\n- macro: m2\n  condition: evt.type=open\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert!(!has_warning(&r, Code::UnusedMacro));
    let r = load_str(&[
        "- rule: some rule\n  desc: d\n  condition: bar\n  output: o\n  priority: INFO\n",
    ]);
    let e = first_error(&r);
    assert_eq!(
        (e.item_name.as_str(), e.message.as_str()),
        ("some rule", "Undefined macro 'bar' used in filter.")
    );
    assert!(e.has_item_type("condition expression"));
}

#[test]
fn macro_append_and_parse_error() {
    let r = load_str(&[
        "- macro: some_macro\n  condition: evt.type=execve\n- macro: some_macro\n  condition: foo\n  append: true\n- rule: r\n  desc: d\n  condition: some_macro\n  output: o\n  priority: INFO\n",
    ]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrCompileCondition);
    assert_eq!((e.item_type, e.item_name.as_str()), ("macro", "some_macro"));
    assert_eq!(
        e.message,
        "unexpected token after 'execve', expecting 'or', 'and'"
    );
    let r = load_str(&["- macro: nope\n  condition: x\n  override:\n    condition: append\n"]);
    assert_eq!(
        first_error(&r).message,
        "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"
    );
}

#[test]
fn macro_loop() {
    let r = load_str(&[
        "- macro: a\n  condition: evt.type=open\n- macro: b\n  condition: a and c\n- macro: c\n  condition: b\n- macro: a\n  condition: c\n",
    ]);
    assert!(!r.successful());
}

#[test]
fn rule_append_and_overrides() {
    let r = load_str(&[
        BASE,
        "- rule: open cat\n  condition: or proc.name=dog\n  append: true\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert!(has_warning(&r, Code::DeprecatedItem));
    let rs = r.ruleset.expect("rs");
    assert_eq!(
        rs.rule("open cat").map(|r| r.condition.as_str()),
        Some("evt.type=open and proc.name=cat or proc.name=dog")
    );

    let r = load_str(&[
        BASE,
        "- rule: open cat\n  priority: ERROR\n  enabled: false\n  desc: other\n  override:\n    priority: replace\n    enabled: replace\n    desc: append\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    let rs = r.ruleset.expect("rs");
    let rule = rs.rule("open cat").expect("rule");
    assert_eq!(rule.priority, vigil_event::Priority::Error);
    assert!(!rule.enabled);
    assert_eq!(rule.desc, "d other");

    let r = load_str(&[
        BASE,
        "- rule: open cat\n  priority: ERROR\n  override:\n    desc: replace\n",
    ]);
    assert_eq!(
        first_error(&r).message,
        "An replace override for 'desc' was specified but 'desc' is not defined"
    );
    let r = load_str(&[
        BASE,
        "- rule: open cat\n  priority: ERROR\n  desc: x\n  override:\n    desc: replace\n",
    ]);
    assert_eq!(
        first_error(&r).message,
        "Unexpected key 'priority': no corresponding entry under 'override' is defined."
    );
    let r = load_str(&[
        BASE,
        "- rule: open cat\n  priority: ERROR\n  override:\n    priority: append\n",
    ]);
    assert_eq!(
        first_error(&r).message,
        "Key 'priority' cannot be appended to, use 'replace' instead"
    );
    let r = load_str(&[
        BASE,
        "- rule: open cat\n  condition: x\n  append: true\n  override:\n    condition: append\n",
    ]);
    assert_eq!(first_error(&r).code, Code::ErrYamlValidate);
    let r = load_str(&["- rule: ghost\n  condition: x\n  override:\n    condition: append\n"]);
    assert_eq!(
        first_error(&r).message,
        "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
    );
    let r = load_str(&[BASE, "- rule: open cat\n  append: true\n"]);
    assert_eq!(
        first_error(&r).message,
        "Appended rule must have exceptions or condition property"
    );
}

#[test]
fn enable_only_and_redefinition() {
    let r = load_str(&[BASE, "- rule: open cat\n  enabled: false\n"]);
    assert!(r.successful());
    assert!(r.warnings().any(|w| w.code == Code::DeprecatedItem));
    let rs = r.ruleset.expect("rs");
    assert!(!rs.rule("open cat").expect("r").enabled);
    assert_eq!(rs.interest("syscall"), EventTypes::Only(vec![]));
    let r = load_str(&["- rule: x\n  enabled: false\n"]);
    assert_eq!(
        first_error(&r).message,
        "Rule has 'enabled' key but no rule by that name already exists"
    );

    // Redefinition keeps the position.
    let r = load_str(&[
        "- rule: a\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n- rule: b\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n- rule: a\n  desc: d2\n  condition: evt.type=execve\n  output: o\n  priority: INFO\n",
    ]);
    let rs = r.ruleset.expect("rs");
    let names: Vec<_> = rs.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(rs.rules()[0].desc, "d2");

    let r = load_str(&[
        "- rule: a\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: INFO\n  source: k8s_audit\n- rule: a\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n",
    ]);
    assert_eq!(
        first_error(&r).message,
        "Rule has been re-defined with a different source"
    );
}

#[test]
fn unknown_source_is_skipped() {
    let r = load_str(&[
        "- rule: Rule1\n  desc: d\n  condition: evt.type=open\n  priority: INFO\n  output: Never\n  source: mysource\n- rule: Rule1\n  append: true\n  condition: or evt.type=openat\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    let w = r
        .warnings()
        .find(|w| w.code == Code::UnknownSource)
        .expect("warning");
    assert_eq!(w.message, "Unknown source mysource, skipping");
    assert_eq!(w.item_name, "Rule1");
    assert!(r.ruleset.expect("rs").rules().is_empty());
}

#[test]
fn exceptions_forms_and_errors() {
    let rule = "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n  exceptions:\n";
    let r = load_str(&[&format!(
        "{rule}    - name: pc\n      fields: [proc.name, proc.cmdline]\n      comps: [=, in]\n      values:\n        - [cat, [cat /dev/zero, \"cat /dev/null\"]]\n    - name: names\n      fields: proc.name\n      values: [dog, my prog]\n    - name: paths\n      fields: [fd.name]\n      comps: [pmatch]\n      values: [[\"(/tmp, /var)\"]]\n"
    )]);
    assert!(r.successful(), "{:?}", r.files);
    let rs = r.ruleset.expect("rs");
    let rule0 = &rs.rules()[0];
    assert_eq!(rule0.exceptions, 3);
    assert_eq!(
        rule0.condition,
        "(evt.type=open) and not (( proc.name = cat and  proc.cmdline in (\"cat /dev/zero\", \"cat /dev/null\"))) and not (proc.name in (dog, \"my prog\")) and not (( fd.name pmatch (/tmp, /var)))"
    );
    let mut hits = Vec::new();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "dog",
            fd: "/x",
        },
        &mut hits,
    );
    assert!(hits.is_empty());
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "cow",
            fd: "/tmp/x",
        },
        &mut hits,
    );
    assert!(hits.is_empty());
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "cow",
            fd: "/x",
        },
        &mut hits,
    );
    assert_eq!(hits.len(), 1);

    let r = load_str(&[&format!("{rule}    - name: ex1\n      values: [[a]]\n")]);
    let e = first_error(&r);
    assert_eq!(
        (e.code, e.item_type, e.item_name.as_str()),
        (Code::ErrYamlValidate, "exception", "ex1")
    );
    assert_eq!(e.message, "Item has no mapping for key 'fields'");

    let r = load_str(&[&format!("{rule}    - fields: [proc.name]\n")]);
    let e = first_error(&r);
    assert_eq!(
        (e.item_type, e.message.as_str()),
        ("exception", "Item has no mapping for key 'name'")
    );

    let r = load_str(&[&format!(
        "{rule}    - name: ex1\n      fields: [proc.name, fd.name]\n      values: [[a]]\n"
    )]);
    let e = first_error(&r);
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            Code::ErrValidate,
            "Fields and values lists must have equal length"
        )
    );

    let r = load_str(&[&format!(
        "{rule}    - name: ex1\n      fields: [proc.name]\n      comps: [=, =]\n      values: []\n"
    )]);
    assert_eq!(
        first_error(&r).message,
        "Fields and comps lists must have equal length"
    );
    let r = load_str(&[&format!(
        "{rule}    - name: ex1\n      fields: [proc.name]\n      comps: [like]\n      values: []\n"
    )]);
    assert_eq!(
        first_error(&r).message,
        "'like' is not a supported comparison operator"
    );
    let r = load_str(&[&format!(
        "{rule}    - name: ex1\n      fields: [not.exist]\n      values: []\n"
    )]);
    assert_eq!(
        first_error(&r).message,
        "'not.exist' is not a supported filter field"
    );
    let r = load_str(&[&format!(
        "{rule}    - name: ex1\n      fields: proc.name\n      comps: =\n      values: []\n"
    )]);
    assert!(
        first_error(&r)
            .message
            .starts_with("When fields is a single value")
    );
}

#[test]
fn exceptions_append() {
    let base = "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n  exceptions:\n    - name: names\n      fields: [proc.name]\n      values: [[cat]]\n";
    let r = load_str(&[
        base,
        "- rule: r\n  exceptions:\n    - name: names\n      values: [[dog]]\n    - name: fds\n      fields: fd.name\n      comps: pmatch\n      values: [/tmp]\n  override:\n    exceptions: append\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    let rs = r.ruleset.expect("rs");
    assert_eq!(rs.rules()[0].exceptions, 2);
    let mut hits = Vec::new();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "open",
            name: "dog",
            fd: "/x",
        },
        &mut hits,
    );
    assert!(hits.is_empty());

    let r = load_str(&[
        base,
        "- rule: r\n  exceptions:\n    - name: proc_cmdline\n      comps: in\n      values:\n        - \"cat /dev/null\"\n  append: true\n",
    ]);
    let e = first_error(&r);
    assert_eq!(
        (e.code, e.item_type, e.item_name.as_str()),
        (Code::ErrValidate, "exception", "proc_cmdline")
    );
    assert_eq!(
        e.message,
        "Rule exception must have fields property with a list of fields"
    );
    let r = load_str(&[
        base,
        "- rule: r\n  exceptions:\n    - name: names\n      fields: [proc.name]\n      values: [[x]]\n  append: true\n",
    ]);
    assert_eq!(
        first_error(&r).message,
        "Can not append exception fields to existing exception, only values"
    );
}

#[test]
fn skip_if_unknown_filter() {
    let r = load_str(&[
        "- rule: a\n  desc: d\n  condition: evt.type=open and proc.nobody=cat\n  output: o\n  priority: INFO\n  skip-if-unknown-filter: true\n- rule: b\n  desc: d\n  condition: evt.type=open\n  output: '%proc.nobody'\n  priority: INFO\n  skip-if-unknown-filter: true\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    assert_eq!(
        r.warnings()
            .filter(|w| w.code == Code::UnknownFilter)
            .count(),
        2
    );
    assert!(r.ruleset.expect("rs").rules().is_empty());

    let r = load_str(&[
        "- rule: Contains Unknown\n  desc: d\n  condition: evt.type=open and proc.nobody=cat\n  output: o\n  priority: INFO\n- rule: second\n  desc: d\n  condition: evt.type=some_invalid_event\n  output: o\n  priority: INFO\n",
    ]);
    assert_eq!(r.errors().count(), 1);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrCompileCondition);
    assert_eq!(
        e.message,
        "filter_check called with nonexistent field proc.nobody"
    );
    let p = e.position.as_ref().expect("pos");
    // `proc.nobody` is on line 3, column 32.
    assert_eq!((p.line, p.col), (3, 32), "{e}");
}

#[test]
fn output_validation() {
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: proc.nobody=%proc.nobody\n  priority: INFO\n",
    ]);
    let e = first_error(&r);
    assert_eq!(e.code, Code::ErrCompileOutput);
    assert_eq!(e.message, "invalid formatting token proc.nobody");
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: a %proc.aname[2] %fd.name) %evt.dir %container.info\n  priority: INFO\n",
    ]);
    assert!(r.successful(), "{:?}", r.files);
    let msgs: Vec<_> = r.warnings().map(|w| w.message.clone()).collect();
    assert!(msgs.iter().any(|m| m.contains("'evt.dir'")), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("%container.info is deprecated")),
        "{msgs:?}"
    );
    assert!(
        !r.ruleset.expect("rs").rules()[0]
            .output
            .contains("container.info")
    );
}

#[test]
fn no_evttype_warning() {
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: proc.name=cat\n  output: o\n  priority: INFO\n",
    ]);
    assert!(r.successful());
    let w = r
        .warnings()
        .find(|w| w.code == Code::NoEvttype)
        .expect("warning");
    assert_eq!(
        w.message,
        "Rule matches too many evt.type values. This has a significant performance penalty."
    );
    let r = load_str(&[
        "- rule: r\n  desc: d\n  condition: proc.name=cat\n  output: o\n  priority: INFO\n  warn_evttypes: false\n",
    ]);
    assert!(!has_warning(&r, Code::NoEvttype));
}

#[test]
fn file_results_per_file() {
    let r = load_str(&[
        BASE,
        "- rule: open cat\n  desc: d\n  condition: bar\n  output: o\n  priority: INFO\n",
    ]);
    assert!(r.files[0].successful);
    assert!(!r.files[1].successful);
    assert!(r.ruleset.is_none());
    // Loading of a file stops at the first error.
    let r = load_str(&["- list: a\n- list: b\n"]);
    assert_eq!(r.errors().count(), 1);
}

#[test]
fn selection_priority_and_matching() {
    let src = "- rule: open_1\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: WARNING\n  tags: [a, b]\n- rule: open_2\n  desc: d\n  condition: evt.type in (open, execve)\n  output: o\n  priority: DEBUG\n  tags: [b]\n- rule: other\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: ERROR\n  enabled: false\n";
    let r = load_str(&[src]);
    let rs = r.ruleset.expect("rs");
    let ev = Ev {
        ty: "open",
        name: "x",
        fd: "",
    };
    let names = |rs: &Ruleset| {
        let mut hits = Vec::new();
        rs.evaluate("syscall", &ev, &mut hits);
        hits.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&rs), ["open_1"]);
    let all = rs.configure(&RulesetConfig::default().rule_matching(RuleMatching::All));
    assert_eq!(names(&all), ["open_1", "open_2"]);
    let cfg = RulesetConfig::default()
        .rule_matching(RuleMatching::All)
        .select(Selection::DisableRule("*".into()))
        .select(Selection::EnableTag("b".into()))
        .select(Selection::DisableRule("open_1".into()))
        .select(Selection::EnableRule("oth*".into()));
    assert_eq!(names(&rs.configure(&cfg)), ["open_2", "other"]);
    let cfg = RulesetConfig::default()
        .rule_matching(RuleMatching::All)
        .min_priority(vigil_event::Priority::Notice);
    assert_eq!(names(&rs.configure(&cfg)), ["open_1"]);
    assert_eq!(rs.interest("syscall"), EventTypes::Only(vec![0, 2]));
    let mut hits = Vec::new();
    rs.evaluate(
        "syscall",
        &Ev {
            ty: "execve",
            name: "x",
            fd: "",
        },
        &mut hits,
    );
    assert_eq!(hits.len(), 1);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep = format!("{}evt.type=open{}", "(".repeat(5000), ")".repeat(5000));
    for cond in [
        deep.as_str(),
        "((evt.type=open",
        "evt.type=open)",
        "proc.name like x",
        "nonexistent.field = 1",
        "undefined_macro",
    ] {
        let src =
            format!("- rule: r\n  desc: d\n  condition: '{cond}'\n  output: o\n  priority: INFO\n");
        let r = load_str(&[&src]);
        assert!(!r.successful(), "{cond}");
    }
    let big = format!(
        "- rule: r\n  desc: d\n  condition: evt.type=open and proc.name in ({})\n  output: o\n  priority: INFO\n",
        "x, ".repeat(3_000_000)
    );
    let _ = load_str(&[&big]);
    let _ = load_str(&["- rule: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"]);
    let _ = load_str(&["&a [*a]"]);
}
