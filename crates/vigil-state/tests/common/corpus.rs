//! Field references in Falco rule files (shared by the corpus tests of `vigil-state` and
//! `vigil-k8saudit`, which includes this file by path).
//!
//! This is a scanner, not the rules loader: it finds what a schema must resolve — every
//! field named in a condition (left-hand sides, `val(...)` and transformer operands), in an
//! output (`%field`, `%field[arg]`, `%12field`, `%transformer(field)`) or in an exception's
//! `fields:` — and the values compared with `evt.type` (list names expanded).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

/// The corpus rules directory, `…/shared/corpus/falco/rules`.
pub(crate) fn rules_dir(manifest_dir: &str) -> PathBuf {
    Path::new(manifest_dir).join("../../../shared/corpus/falco/rules")
}

/// True when the corpus is present; panics when it is missing and `CI` is set.
pub(crate) fn corpus_present(dir: &Path) -> bool {
    if dir.join("falco_rules.yaml").is_file() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus rule files missing at {}",
        dir.display()
    );
    eprintln!("corpus missing at {}; skipping", dir.display());
    false
}

/// Where a reference was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A macro or rule condition.
    Condition,
    /// A rule output.
    Output,
    /// An exception's `fields:`.
    Exception,
}

/// One field reference.
#[derive(Clone, Debug)]
pub(crate) struct FieldUse {
    /// Field name as written (`evt.arg.flags`, `proc.aname`).
    pub(crate) name: String,
    /// Text inside `[...]`, if any.
    pub(crate) arg: Option<String>,
    /// Where it was found.
    pub(crate) origin: Origin,
}

/// What one rules-file item (rule or macro) references.
#[derive(Clone, Debug, Default)]
pub(crate) struct ItemRefs {
    /// `rule: …` / `macro: …` name.
    pub(crate) name: String,
    /// The rule's `source:` (rules only; macros have none).
    pub(crate) source: Option<String>,
    /// Field references.
    pub(crate) fields: Vec<FieldUse>,
    /// Values compared with `evt.type` (raw; list names not yet expanded).
    pub(crate) evt_type_values: Vec<String>,
}

/// Everything found in one file.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileRefs {
    /// Rules and macros.
    pub(crate) items: Vec<ItemRefs>,
    /// `list:` definitions (later definitions replace, appends extend).
    pub(crate) lists: HashMap<String, Vec<String>>,
}

impl FileRefs {
    /// Expand list names among evt.type values (recursively; unknown names stay as is).
    pub(crate) fn expand(&self, values: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack: Vec<(String, usize)> = values.iter().map(|v| (v.clone(), 0)).collect();
        while let Some((v, depth)) = stack.pop() {
            match self.lists.get(&v) {
                Some(items) if depth < 16 => {
                    stack.extend(items.iter().map(|i| (i.clone(), depth + 1)));
                }
                _ => out.push(v),
            }
        }
        out
    }
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parse a rules file. `Err` when the YAML does not parse.
pub(crate) fn scan_file(path: &Path) -> Result<FileRefs, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = relax_flow_indent(&text);
    let docs = YamlLoader::load_from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = FileRefs::default();
    for doc in &docs {
        let Some(items) = doc.as_vec() else { continue };
        for item in items {
            if item.as_hash().is_none() {
                continue;
            }
            if let Some(name) = item["list"].as_str() {
                let append = item["append"].as_bool() == Some(true)
                    || item["override"]["items"].as_str() == Some("append");
                let entry = out.lists.entry(name.to_string()).or_default();
                if !append {
                    entry.clear();
                }
                if let Some(v) = item["items"].as_vec() {
                    entry.extend(v.iter().filter_map(scalar));
                }
                continue;
            }
            let (name, is_rule) = match (item["rule"].as_str(), item["macro"].as_str()) {
                (Some(r), _) => (r, true),
                (None, Some(m)) => (m, false),
                _ => continue,
            };
            let mut refs = ItemRefs {
                name: name.to_string(),
                source: if is_rule {
                    item["source"].as_str().map(str::to_string)
                } else {
                    None
                },
                ..ItemRefs::default()
            };
            if let Some(cond) = item["condition"].as_str() {
                scan_condition(cond, &mut refs);
            }
            if let Some(output) = item["output"].as_str() {
                scan_output(output, &mut refs);
            }
            if let Some(excs) = item["exceptions"].as_vec() {
                for exc in excs {
                    let fields: Vec<String> = match &exc["fields"] {
                        Yaml::Array(v) => v.iter().filter_map(scalar).collect(),
                        other => scalar(other).into_iter().collect(),
                    };
                    for f in fields {
                        let (name, arg) = split_arg(f.trim());
                        refs.fields.push(FieldUse {
                            name,
                            arg,
                            origin: Origin::Exception,
                        });
                    }
                }
            }
            out.items.push(refs);
        }
    }
    Ok(out)
}

/// yaml-cpp (Falco) accepts a flow sequence whose closing `]` sits at the indentation of its
/// key (`  items: [` … `  ]`); yaml-rust2 does not. Indent such closing lines further.
fn relax_flow_indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(']') || trimmed.starts_with('}') {
            out.push_str("    ");
        }
        out.push_str(line);
    }
    out
}

fn split_arg(s: &str) -> (String, Option<String>) {
    match (s.find('['), s.ends_with(']')) {
        (Some(i), true) => (s[..i].to_string(), Some(s[i + 1..s.len() - 1].to_string())),
        _ => (s.to_string(), None),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Op(String),
    Quoted(String),
    /// A bare word, with the text of a directly following `[...]`.
    Word(String, Option<String>),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            b'"' | b'\'' => {
                let mut j = i + 1;
                let mut v = Vec::new();
                while j < b.len() && b[j] != c {
                    if b[j] == b'\\' && j + 1 < b.len() {
                        j += 1;
                    }
                    v.push(b[j]);
                    j += 1;
                }
                out.push(Tok::Quoted(String::from_utf8_lossy(&v).into_owned()));
                i = j + 1;
            }
            b'=' | b'<' | b'>' | b'!' => {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'=' | b'<' | b'>') {
                    j += 1;
                }
                out.push(Tok::Op(s[i..j].to_string()));
                i = j;
            }
            _ => {
                let mut j = i;
                while j < b.len()
                    && !matches!(
                        b[j],
                        b' ' | b'\t'
                            | b'\n'
                            | b'\r'
                            | b'('
                            | b')'
                            | b','
                            | b'='
                            | b'<'
                            | b'>'
                            | b'!'
                            | b'"'
                            | b'\''
                            | b'['
                    )
                {
                    j += 1;
                }
                let word = s[i..j].to_string();
                let mut arg = None;
                if j < b.len()
                    && b[j] == b'['
                    && j > i
                    && let Some(k) = s[j..].find(']')
                {
                    arg = Some(s[j + 1..j + k].to_string());
                    j += k + 1;
                }
                if j == i {
                    // A stray `[`: keep it as a one-character word.
                    j += 1;
                    out.push(Tok::Word(s[i..j].to_string(), None));
                } else {
                    out.push(Tok::Word(word, arg));
                }
                i = j;
            }
        }
    }
    out
}

const WORD_OPS: &[&str] = &[
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "pmatch",
    "in",
    "intersects",
    "regex",
];
const TRANSFORMERS: &[&str] = &["val", "tolower", "toupper", "b64", "basename", "len"];

fn is_field_name(w: &str) -> bool {
    let mut chars = w.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && w.contains('.')
        && !w.ends_with('.')
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// Scan a condition for field references and `evt.type` values.
pub(crate) fn scan_condition(cond: &str, refs: &mut ItemRefs) {
    let toks = tokenize(cond);
    // Paren stack: true = a value list, false = a group (or transformer call).
    let mut stack: Vec<bool> = Vec::new();
    // The field whose right-hand side is being read.
    let mut current: Option<String> = None;
    // True where a left-hand side (field, macro, `not`, `(`) may start.
    let mut lhs = true;
    let mut after_op = false;
    let mut in_transformer = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let in_list = stack.last().copied().unwrap_or(false);
        match &toks[i] {
            Tok::Open => {
                stack.push(after_op);
                if !after_op {
                    lhs = true;
                }
                after_op = false;
            }
            Tok::Close => {
                let was_list = stack.pop().unwrap_or(false);
                if was_list {
                    current = None;
                }
                if in_transformer > 0 && !was_list {
                    in_transformer -= 1;
                }
                lhs = false;
                after_op = false;
            }
            Tok::Comma => {}
            Tok::Op(_) => {
                after_op = true;
                lhs = false;
            }
            Tok::Quoted(v) => {
                if in_list || after_op {
                    if current.as_deref() == Some("evt.type") {
                        refs.evt_type_values.push(v.clone());
                    }
                    if !in_list {
                        current = None;
                    }
                }
                after_op = false;
            }
            Tok::Word(w, arg) => {
                let lw = w.to_ascii_lowercase();
                if in_list || after_op {
                    let next_is_open = matches!(toks.get(i + 1), Some(Tok::Open));
                    if after_op && next_is_open && TRANSFORMERS.contains(&lw.as_str()) {
                        // `val(field)` / transformer on the right-hand side.
                        in_transformer += 1;
                        lhs = true;
                        after_op = false;
                        i += 1;
                        stack.push(false);
                        i += 1;
                        continue;
                    }
                    if current.as_deref() == Some("evt.type") {
                        refs.evt_type_values.push(w.clone());
                    }
                    if !in_list {
                        current = None;
                    }
                    after_op = false;
                } else if lw == "and" || lw == "or" || lw == "not" {
                    lhs = true;
                } else if WORD_OPS.contains(&lw.as_str()) {
                    after_op = true;
                    lhs = false;
                } else if lw == "exists" {
                    current = None;
                    lhs = false;
                } else if lhs {
                    let next_is_open = matches!(toks.get(i + 1), Some(Tok::Open));
                    if next_is_open && TRANSFORMERS.contains(&lw.as_str()) {
                        in_transformer += 1;
                        stack.push(false);
                        i += 2;
                        continue;
                    }
                    if is_field_name(w) {
                        refs.fields.push(FieldUse {
                            name: w.clone(),
                            arg: arg.clone(),
                            origin: Origin::Condition,
                        });
                        current = Some(w.clone());
                    }
                    lhs = false;
                }
            }
        }
        i += 1;
    }
}

/// Scan an output format for `%field` references.
pub(crate) fn scan_output(output: &str, refs: &mut ItemRefs) {
    let b = output.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Read an identifier; a `(` after it makes it a transformer around a field.
        loop {
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                j += 1;
            }
            let mut end = j;
            while end > start && b[end - 1] == b'.' {
                end -= 1;
            }
            let name = &output[start..end];
            if end == j && j < b.len() && b[j] == b'(' && !name.contains('.') && !name.is_empty() {
                j += 1;
                continue;
            }
            let mut arg = None;
            if end == j
                && j < b.len()
                && b[j] == b'['
                && let Some(k) = output[j..].find(']')
            {
                arg = Some(output[j + 1..j + k].to_string());
                j += k + 1;
            }
            if is_field_name(name) {
                refs.fields.push(FieldUse {
                    name: name.to_string(),
                    arg,
                    origin: Origin::Output,
                });
            }
            break;
        }
        i = j.max(i + 1);
    }
}

/// The `*.yaml` files of a directory, sorted.
pub(crate) fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The testing files whose items belong to the `k8s_audit` source although not every item
/// says so (macro/list overrides loaded on top of the k8s audit rules).
pub(crate) const K8S_TESTING_FILES: &[&str] = &[
    "engine_v4_k8s_audit_rules.yaml",
    "single_rule_with_json_pointer.yaml",
    "disallow_kactivity.yaml",
    "allow_nginx_container.yaml",
    "allow_only_apache_container.yaml",
    "K8SAuditEngineV4AllowNginxContainer_allow_nginx_container.yaml",
    "K8SAuditEngineV4AllowOnlyApacheContainer_allow_only_apache_container.yaml",
    // A json-plugin condition appended to a rule (json.* is in the k8s_audit schema).
    "rule-list-with-plugin-json.yaml",
];

/// Testing files for sources vigil has no schema for (aws_cloudtrail, a made-up source).
pub(crate) const OTHER_SOURCE_TESTING_FILES: &[&str] = &[
    "cloudtrail_create_instances.yaml",
    "cloudtrail_create_instances_exceptions.yaml",
    "cloudtrail_incompat_plugin_version.yaml",
    "append_unknown_source.yaml",
];

/// Which source a corpus file's items default to: `Some("syscall")`, `Some("k8s_audit")`, or
/// `None` for files of other sources.
pub(crate) fn file_source(path: &Path) -> Option<&'static str> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "k8s_audit_rules.yaml" || K8S_TESTING_FILES.contains(&name) {
        Some("k8s_audit")
    } else if OTHER_SOURCE_TESTING_FILES.contains(&name) {
        None
    } else {
        Some("syscall")
    }
}

/// Every corpus file: the top-level rule files and `testing/*.yaml`.
pub(crate) fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = yaml_files(dir);
    v.extend(yaml_files(&dir.join("testing")));
    v
}

/// References that are wrong on purpose (load-error regression inputs):
/// `(file, field or evt.type value)`.
pub(crate) const EXPECTED_UNKNOWN: &[(&str, &str)] = &[
    ("skip_unknown_error.yaml", "proc.nobody"),
    ("skip_unknown_evt.yaml", "proc.nobody"),
    ("skip_unknown_unspec.yaml", "proc.nobody"),
    ("skip_unknown_error.yaml", "some_invalid_event"),
    ("skip_unknown_evt.yaml", "some_invalid_event"),
    // `evt.type in (list_a)` where list_a refers to itself: the load must fail.
    ("invalid_list_loop.yaml", "list_a"),
];

/// True when `what` in `path` is listed in [`EXPECTED_UNKNOWN`].
pub(crate) fn expected_unknown(path: &Path, what: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    EXPECTED_UNKNOWN.contains(&(name, what))
}
