//! Helpers shared by the parser integration tests (included with `mod`, not a test itself).
#![allow(dead_code)]

use std::path::PathBuf;

use vigil_filter::ast::{Expr, Operand, Rhs, Span, TransformArg};
use yaml_rust2::YamlLoader;

/// The directory of Falco's rule files in the shared corpus, if present.
pub(crate) fn rules_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco/rules");
    dir.is_dir().then_some(dir)
}

/// `(kind, name, condition)` of every macro and rule in one rules file, or a YAML error.
pub(crate) fn try_conditions(
    path: &std::path::Path,
) -> Result<Vec<(String, String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let docs = YamlLoader::load_from_str(&text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for doc in docs {
        let Some(items) = doc.as_vec() else { continue };
        for item in items {
            for kind in ["macro", "rule"] {
                let Some(name) = item[kind].as_str() else {
                    continue;
                };
                if let Some(cond) = item["condition"].as_str() {
                    out.push((kind.to_string(), name.to_string(), cond.to_string()));
                }
            }
        }
    }
    Ok(out)
}

/// Crude line-based extraction of `condition:` values (plain one-line scalars and `>`/`|`
/// block scalars) for files yaml-rust2 cannot load; good enough for Falco's rule files.
pub(crate) fn crude_conditions(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let Some(rest) = line.trim_start().strip_prefix("condition:") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let rest = rest.trim();
        if rest.starts_with('>') || rest.starts_with('|') {
            let folded = rest.starts_with('>');
            let mut parts = Vec::new();
            while i < lines.len() {
                let l = lines[i];
                let li = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && li <= indent {
                    break;
                }
                parts.push(l.trim());
                i += 1;
            }
            out.push(
                parts
                    .join(if folded { " " } else { "\n" })
                    .trim()
                    .to_string(),
            );
        } else if !rest.is_empty() {
            // A plain scalar continues on more-indented lines, folded with spaces.
            let mut parts = vec![rest];
            while i < lines.len() {
                let l = lines[i];
                let li = l.len() - l.trim_start().len();
                if l.trim().is_empty() || li <= indent {
                    break;
                }
                parts.push(l.trim());
                i += 1;
            }
            out.push(parts.join(" "));
        }
    }
    out
}

/// [`try_conditions`] for a file that must load.
pub(crate) fn conditions(path: &std::path::Path) -> Vec<(String, String, String)> {
    match try_conditions(path) {
        Ok(c) => c,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Check that every span in the tree lies inside `src` on char boundaries.
pub(crate) fn check_spans(src: &str, e: &Expr) {
    let ok = |s: Span| {
        assert!(
            s.start <= s.end && s.end <= src.len(),
            "bad span {s:?} for {src:?}"
        );
        assert!(
            src.is_char_boundary(s.start) && src.is_char_boundary(s.end),
            "{s:?} {src:?}"
        );
    };
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        ok(e.span());
        match e {
            Expr::And { children, .. } | Expr::Or { children, .. } => stack.extend(children),
            Expr::Not { child, .. } => stack.push(child),
            Expr::Ident { .. } => {}
            Expr::Check(c) => {
                ok(c.span);
                check_operand(&c.lhs, &ok);
                match &c.rhs {
                    None => {}
                    Some(Rhs::Value(l)) => ok(l.span),
                    Some(Rhs::List { items, span }) | Some(Rhs::Modified { items, span, .. }) => {
                        ok(*span);
                        items.iter().for_each(|l| ok(l.span));
                    }
                    Some(Rhs::ListRef { span, .. }) => ok(*span),
                    Some(Rhs::Operand(o)) => check_operand(o, &ok),
                }
            }
        }
    }
}

fn check_operand(o: &Operand, ok: &dyn Fn(Span)) {
    let mut stack: Vec<&Operand> = vec![o];
    let mut args: Vec<&TransformArg> = Vec::new();
    loop {
        if let Some(o) = stack.pop() {
            match o {
                Operand::Field(f) => ok(f.span),
                Operand::Transform(t) => {
                    ok(t.span);
                    args.extend(t.args.iter());
                }
            }
        } else if let Some(a) = args.pop() {
            match a {
                TransformArg::Operand(o) => stack.push(o),
                TransformArg::Literal(l) => ok(l.span),
                TransformArg::List { items, span } => {
                    ok(*span);
                    args.extend(items.iter());
                }
            }
        } else {
            break;
        }
    }
}
