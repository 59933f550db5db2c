//! Rule conditions with macros and lists expanded. `vigil_rules::Rule::condition` has
//! appends and exceptions applied but macros unexpanded; the macro and list definitions are
//! read here from the same rule files (last definition wins, `append`/`override` honoured).

use std::collections::HashMap;

use vigil_filter::ast::{Check, Expr, Literal, Rhs};
use yaml_rust2::{Yaml, YamlLoader};

/// Deepest macro / list nesting followed.
const MAX_NESTING: usize = 32;

/// Macro and list definitions of a set of rule files.
#[derive(Debug, Default)]
pub(crate) struct Defs {
    lists: HashMap<String, Vec<String>>,
    macros: HashMap<String, String>,
}

/// yaml-cpp accepts a closing flow bracket indented no deeper than its block; yaml-rust2
/// does not. Indent such lines by one space (as vigil-rules does).
fn relax(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    for line in src.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        if body.starts_with(']') || body.starts_with('}') {
            out.push_str(&line[..line.len() - body.len()]);
            out.push(' ');
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn appends(item: &Yaml, key: &str) -> bool {
    matches!(item["append"], Yaml::Boolean(true))
        || item["override"][key].as_str() == Some("append")
}

impl Defs {
    /// Read the lists and macros of rule files, in order. Files that are not valid YAML are
    /// skipped (the rules loader reports them).
    pub(crate) fn read(files: &[vigil_rules::RulesFile]) -> Defs {
        let mut defs = Defs::default();
        for f in files {
            let Ok(text) = std::str::from_utf8(&f.content) else {
                continue;
            };
            let Ok(docs) = YamlLoader::load_from_str(&relax(text)) else {
                continue;
            };
            for doc in &docs {
                let Some(items) = doc.as_vec() else {
                    continue;
                };
                for item in items {
                    defs.add(item);
                }
            }
        }
        defs
    }

    fn add(&mut self, item: &Yaml) {
        if let Some(name) = item["list"].as_str() {
            let values: Vec<String> = item["items"]
                .as_vec()
                .map(|v| v.iter().filter_map(scalar).collect())
                .unwrap_or_default();
            let entry = self.lists.entry(name.to_string()).or_default();
            if !appends(item, "items") {
                entry.clear();
            }
            entry.extend(values);
        } else if let Some(name) = item["macro"].as_str() {
            let Some(cond) = scalar(&item["condition"]) else {
                return;
            };
            match self.macros.get_mut(name) {
                Some(prev) if appends(item, "condition") => {
                    prev.push(' ');
                    prev.push_str(&cond);
                }
                _ => {
                    self.macros.insert(name.to_string(), cond);
                }
            }
        }
    }

    /// Parse a condition and expand its lists and macros.
    pub(crate) fn expand(&self, condition: &str) -> Result<Expr, String> {
        let mut cache = HashMap::new();
        self.expand_in(condition, &mut cache, &mut Vec::new())
    }

    fn expand_in(
        &self,
        condition: &str,
        cache: &mut HashMap<String, Expr>,
        stack: &mut Vec<String>,
    ) -> Result<Expr, String> {
        let mut e = vigil_filter::parse(condition).map_err(|e| e.message.clone())?;
        self.lists_in(&mut e);
        let mut err = None;
        e.substitute_idents(&mut |name, _| {
            if err.is_some() {
                return None;
            }
            if let Some(x) = cache.get(name) {
                return Some(x.clone());
            }
            let Some(body) = self.macros.get(name) else {
                err = Some(format!("undefined macro '{name}'"));
                return None;
            };
            if stack.iter().any(|s| s == name) || stack.len() >= MAX_NESTING {
                err = Some(format!("macro loop at '{name}'"));
                return None;
            }
            stack.push(name.to_string());
            let r = self.expand_in(body, cache, stack);
            stack.pop();
            match r {
                Ok(x) => {
                    cache.insert(name.to_string(), x.clone());
                    Some(x)
                }
                Err(e) => {
                    err = Some(e);
                    None
                }
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(e),
        }
    }

    /// Replace list names in `in (...)` lists and bare list references by their items.
    fn lists_in(&self, e: &mut Expr) {
        match e {
            Expr::And { children, .. } | Expr::Or { children, .. } => {
                for c in children {
                    self.lists_in(c);
                }
            }
            Expr::Not { child, .. } => self.lists_in(child),
            Expr::Ident { .. } => {}
            Expr::Check(c) => self.lists_in_check(c),
        }
    }

    fn lists_in_check(&self, c: &mut Check) {
        let Some(rhs) = c.rhs.as_mut() else {
            return;
        };
        match rhs {
            Rhs::List { items, .. } | Rhs::Modified { items, .. } => {
                let old = std::mem::take(items);
                for lit in old {
                    self.push_items(lit, items, 0);
                }
            }
            Rhs::ListRef { name, span } => {
                if self.lists.contains_key(name.as_str()) {
                    let mut items = Vec::new();
                    let lit = Literal {
                        text: name.clone(),
                        quoted: false,
                        span: *span,
                    };
                    self.push_items(lit, &mut items, 0);
                    *rhs = Rhs::List { items, span: *span };
                }
            }
            Rhs::Value(_) | Rhs::Operand(_) => {}
        }
    }

    fn push_items(&self, lit: Literal, out: &mut Vec<Literal>, depth: usize) {
        match self.lists.get(lit.text.as_str()) {
            Some(values) if !lit.quoted && depth < MAX_NESTING => {
                for v in values {
                    let text = v.trim_matches('"').trim_matches('\'').to_string();
                    let quoted = text.len() != v.len();
                    self.push_items(
                        Literal {
                            text,
                            quoted,
                            span: lit.span,
                        },
                        out,
                        depth + 1,
                    );
                }
            }
            _ => out.push(lit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_macros_and_lists() {
        let f = vigil_rules::RulesFile::new(
            "t.yaml",
            r#"
- list: verbs
  items: [create, update]
- list: verbs
  items: [patch]
  append: true
- list: outer
  items: [verbs, delete]
- macro: m
  condition: ka.verb in (outer)
- macro: m
  condition: or ka.verb=get
  override:
    condition: append
- macro: top
  condition: m and ka.target.resource in (pods)
"#,
        );
        let d = Defs::read(&[f]);
        let e = d.expand("top and not ka.user.name in (verbs)").unwrap();
        let text = format!("{e:?}");
        for v in ["create", "update", "patch", "delete", "get", "pods"] {
            assert!(text.contains(&format!("\"{v}\"")), "{v}: {text}");
        }
        assert!(!text.contains("Ident"), "{text}");
        assert!(d.expand("nope").is_err());
        assert!(d.expand("(((").is_err());
    }
}
