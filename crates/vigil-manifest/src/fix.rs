//! `--fix`: applies the findings' edits to the manifests and writes them back as YAML.
//!
//! Documents without edits are copied byte for byte (comments and formatting kept); a document
//! with edits is re-emitted as block YAML (its comments are lost). Findings that need a human
//! (no edit) are left as they are.

use std::cmp::Ordering;

use crate::model::Report;
use crate::path::{self, Edit, Path, Seg};
use crate::yaml::{self, Node, NodeKind, Scalar};

/// The hardened text of input `file` of `report` (`None` when nothing changes).
pub fn fix_text(text: &str, report: &Report, file: usize) -> Option<String> {
    let docs = yaml::parse_stream(text);
    let mut out = String::with_capacity(text.len() + 256);
    let mut changed = false;
    let mut last_end = 0usize;
    for d in docs {
        // Keep whatever lies between documents (markers, comments, empty documents).
        out.push_str(&text[last_end..d.span.0]);
        last_end = d.span.1;
        let original = &text[d.span.0..d.span.1];
        let Ok(Some(mut root)) = d.root else {
            out.push_str(original);
            continue;
        };
        let mut edits: Vec<Edit> = Vec::new();
        for o in report
            .objects
            .iter()
            .filter(|o| o.object.file == file && o.object.doc == d.index)
        {
            let prefix = match o.object.item {
                Some(i) => Path::root().key("items").idx(i),
                None => Path::root(),
            };
            for f in &o.findings {
                for e in &f.fix {
                    let e = prefixed(&prefix, e);
                    if !edits.contains(&e) {
                        edits.push(e);
                    }
                }
            }
        }
        if edits.is_empty() {
            out.push_str(original);
            continue;
        }
        // Sets and appends first, then removals from the highest index down so that earlier
        // removals do not shift later ones.
        edits.sort_by(|a, b| match (a, b) {
            (Edit::Remove(x), Edit::Remove(y)) => cmp_path(y, x),
            (Edit::Remove(_), _) => Ordering::Greater,
            (_, Edit::Remove(_)) => Ordering::Less,
            _ => Ordering::Equal,
        });
        let mut any = false;
        for e in &edits {
            any |= path::apply(&mut root, e);
        }
        if !any {
            out.push_str(original);
            continue;
        }
        changed = true;
        if original.starts_with("---") {
            out.push_str("---\n");
        }
        emit(&root, &mut out);
    }
    out.push_str(&text[last_end.min(text.len())..]);
    changed.then_some(out)
}

fn prefixed(prefix: &Path, e: &Edit) -> Edit {
    let join = |p: &Path| Path(prefix.0.iter().chain(p.0.iter()).cloned().collect());
    match e {
        Edit::Set(p, v) => Edit::Set(join(p), v.clone()),
        Edit::Remove(p) => Edit::Remove(join(p)),
        Edit::Append(p, v) => Edit::Append(join(p), v.clone()),
    }
}

fn cmp_path(a: &Path, b: &Path) -> Ordering {
    for (x, y) in a.0.iter().zip(&b.0) {
        let o = match (x, y) {
            (Seg::Index(i), Seg::Index(j)) => i.cmp(j),
            (Seg::Key(k), Seg::Key(l)) => k.cmp(l),
            (Seg::Key(_), Seg::Index(_)) => Ordering::Less,
            (Seg::Index(_), Seg::Key(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.0.len().cmp(&b.0.len())
}

/// Emits a node as a block YAML document (ends with a newline).
pub fn emit(n: &Node, out: &mut String) {
    match &n.kind {
        NodeKind::Map(e) if !e.is_empty() => emit_map(n, 0, out),
        NodeKind::Seq(i) if !i.is_empty() => emit_seq(n, 0, out),
        _ => {
            out.push_str(&scalar_or_empty(n, 0));
            out.push('\n');
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn emit_map(n: &Node, indent: usize, out: &mut String) {
    for (i, e) in n.entries().iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&scalar_text(&e.key));
        out.push(':');
        emit_value(&e.value, indent, out);
    }
}

fn emit_seq(n: &Node, indent: usize, out: &mut String) {
    for (i, item) in n.items().iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        match &item.kind {
            NodeKind::Map(e) if !e.is_empty() => emit_map(item, indent + 2, out),
            NodeKind::Seq(s) if !s.is_empty() => emit_seq(item, indent + 2, out),
            _ => {
                out.push_str(&scalar_or_empty(item, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// After `key:`.
fn emit_value(v: &Node, indent: usize, out: &mut String) {
    match &v.kind {
        NodeKind::Map(e) if !e.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            emit_map(v, indent + 2, out);
        }
        NodeKind::Seq(s) if !s.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            emit_seq(v, indent + 2, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar_or_empty(v, indent + 2));
            out.push('\n');
        }
    }
}

fn scalar_or_empty(n: &Node, indent: usize) -> String {
    match &n.kind {
        NodeKind::Map(_) => "{}".into(),
        NodeKind::Seq(_) => "[]".into(),
        NodeKind::Scalar(Scalar::Null) => "null".into(),
        NodeKind::Scalar(Scalar::Bool(b)) => b.to_string(),
        NodeKind::Scalar(Scalar::Int(i)) => i.to_string(),
        NodeKind::Scalar(Scalar::Float(f)) => f.clone(),
        NodeKind::Scalar(Scalar::Str(s)) => {
            if s.contains('\n') && literal_ok(s) {
                let mut b = String::from(if s.ends_with('\n') { "|" } else { "|-" });
                for line in s.trim_end_matches('\n').split('\n') {
                    b.push('\n');
                    if !line.is_empty() {
                        b.extend(std::iter::repeat_n(' ', indent));
                        b.push_str(line);
                    }
                }
                b
            } else {
                scalar_text(s)
            }
        }
    }
}

fn literal_ok(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.contains('\r')
        && !s.contains('\t')
        && !s.ends_with("\n\n")
        && s.chars().all(|c| !c.is_control() || c == '\n')
}

/// A string as a plain scalar when that reads back as the same string, else double-quoted.
fn scalar_text(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && yaml::resolve_plain(s).is_none()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\t', '\r'])
        && s.chars().all(|c| !c.is_control())
        && !matches!(s, "<<" | "=");
    if plain_ok {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Source, check};

    #[test]
    fn roundtrip_strings() {
        for s in [
            "a",
            "true",
            "1",
            "",
            "a: b",
            "- x",
            "x #y",
            "multi\nline\n",
            "tab\there",
            "null",
            "0644",
            "1e3",
        ] {
            let mut n = Node::synthetic(NodeKind::Map(vec![yaml::Entry {
                key: "k".into(),
                line: 0,
                value: Node::synthetic(NodeKind::Scalar(Scalar::Str(s.into()))),
            }]));
            n.line = 1;
            let mut out = String::new();
            emit(&n, &mut out);
            let back = yaml::parse_stream(&out);
            let v = match &back[0].root {
                Ok(Some(r)) => r.get("k").and_then(Node::as_str).map(str::to_string),
                other => panic!("{out:?}: {other:?}"),
            };
            assert_eq!(v.as_deref(), Some(s), "{out:?}");
        }
    }

    #[test]
    fn fix_makes_checks_pass() {
        let text = "# keep me\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    image: nginx:1.25\n    securityContext:\n      privileged: true\n      capabilities:\n        add: [SYS_ADMIN, CHOWN, NET_BIND_SERVICE]\n    ports:\n    - containerPort: 80\n      hostPort: 80\n";
        let src = [Source {
            name: "p.yaml".into(),
            text: text.into(),
        }];
        let opts = Options::default();
        let r = check(&src, &[], &opts);
        let fixed = fix_text(text, &r, 0).expect("changed");
        assert!(
            fixed.starts_with("# keep me\napiVersion: v1\nkind: ConfigMap"),
            "{fixed}"
        );
        let r2 = check(
            &[Source {
                name: "p.yaml".into(),
                text: fixed.clone(),
            }],
            &[],
            &opts,
        );
        let left: Vec<_> = r2.findings().map(|(_, f)| f.check).collect();
        for gone in [
            "privileged",
            "host-pid",
            "host-port",
            "capabilities-dangerous",
            "capabilities-added",
            "readonly-root-filesystem",
            "run-as-root",
        ] {
            assert!(!left.contains(&gone), "{gone} still in {left:?}\n{fixed}");
        }
        assert!(fixed.contains("NET_BIND_SERVICE"), "{fixed}");
    }
}
