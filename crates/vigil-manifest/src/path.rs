//! JSON paths into an object (`spec.containers[0].securityContext`), their source lines, and
//! the edits `--fix` makes.

use std::fmt;

use crate::yaml::{Entry, Node, NodeKind, Scalar};

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path from an object's root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// The empty path (the object itself).
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// Parses `a.b[0].c` (keys may not contain `.` or `[`; annotation keys use `key()`).
    pub fn parse(s: &str) -> Path {
        let mut p = Path::root();
        for part in s.split('.').filter(|p| !p.is_empty()) {
            let (name, rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                p.0.push(Seg::Key(name.to_string()));
            }
            for idx in rest.split('[').filter(|x| !x.is_empty()) {
                if let Ok(i) = idx.trim_end_matches(']').parse::<usize>() {
                    p.0.push(Seg::Index(i));
                }
            }
        }
        p
    }

    /// This path plus a key.
    #[must_use]
    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path plus an index.
    #[must_use]
    pub fn idx(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// This path followed by `a.b[0]`.
    #[must_use]
    pub fn join(&self, rest: &str) -> Path {
        let mut p = self.clone();
        p.0.extend(Path::parse(rest).0);
        p
    }

    /// The node at this path, if present.
    pub fn get<'a>(&self, root: &'a Node) -> Option<&'a Node> {
        let mut cur = root;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.get(k)?,
                Seg::Index(i) => cur.items().get(*i)?,
            };
        }
        Some(cur)
    }

    /// The line of the deepest node of this path that exists (the key's line for entries).
    pub fn line_in(&self, root: &Node) -> u32 {
        let mut cur = root;
        let mut line = root.line;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => match cur.entry(k) {
                    Some(e) => {
                        line = e.line;
                        cur = &e.value;
                    }
                    None => break,
                },
                Seg::Index(i) => match cur.items().get(*i) {
                    Some(n) => {
                        line = n.line;
                        cur = n;
                    }
                    None => break,
                },
            }
        }
        line
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) if k.contains('.') || k.contains('/') || k.contains('[') => {
                    write!(f, "[{k:?}]")?;
                }
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// An edit of `--fix`.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Set the value at the path, creating missing mappings on the way.
    Set(Path, serde_json::Value),
    /// Remove the entry or item at the path.
    Remove(Path),
    /// Append to the sequence at the path (created if missing) unless an equal item exists.
    Append(Path, serde_json::Value),
}

impl Edit {
    /// The path the edit touches.
    pub fn path(&self) -> &Path {
        match self {
            Edit::Set(p, _) | Edit::Remove(p) | Edit::Append(p, _) => p,
        }
    }
}

impl fmt::Display for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Edit::Set(p, v) => write!(f, "set {p} = {v}"),
            Edit::Remove(p) => write!(f, "remove {p}"),
            Edit::Append(p, v) => write!(f, "add {v} to {p}"),
        }
    }
}

/// Applies an edit; returns false when the path cannot be reached (e.g. a scalar on the way).
pub fn apply(root: &mut Node, edit: &Edit) -> bool {
    match edit {
        Edit::Set(p, v) => match reach(root, &p.0, true) {
            Some(slot) => {
                *slot = Node::from_json(v);
                true
            }
            None => false,
        },
        Edit::Append(p, v) => match reach(root, &p.0, true) {
            Some(slot) => {
                if !slot.is_seq() {
                    slot.kind = NodeKind::Seq(Vec::new());
                }
                let new = Node::from_json(v);
                if let NodeKind::Seq(items) = &mut slot.kind
                    && !items.iter().any(|i| i.to_json() == *v)
                {
                    items.push(new);
                }
                true
            }
            None => false,
        },
        Edit::Remove(p) => {
            let Some((last, parent)) = p.0.split_last() else {
                return false;
            };
            let Some(parent) = reach(root, parent, false) else {
                return false;
            };
            match (&mut parent.kind, last) {
                (NodeKind::Map(entries), Seg::Key(k)) => {
                    let before = entries.len();
                    entries.retain(|e| &e.key != k);
                    entries.len() != before
                }
                (NodeKind::Seq(items), Seg::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                    true
                }
                _ => false,
            }
        }
    }
}

fn reach<'a>(root: &'a mut Node, segs: &[Seg], create: bool) -> Option<&'a mut Node> {
    let mut cur = root;
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if create && cur.is_null() {
                    cur.kind = NodeKind::Map(Vec::new());
                }
                let NodeKind::Map(entries) = &mut cur.kind else {
                    return None;
                };
                let pos = match entries.iter().position(|e| &e.key == k) {
                    Some(p) => p,
                    None if create => {
                        entries.push(Entry {
                            key: k.clone(),
                            line: 0,
                            value: Node::synthetic(NodeKind::Scalar(Scalar::Null)),
                        });
                        entries.len() - 1
                    }
                    None => return None,
                };
                cur = &mut entries[pos].value;
            }
            Seg::Index(i) => {
                let NodeKind::Seq(items) = &mut cur.kind else {
                    return None;
                };
                cur = items.get_mut(*i)?;
            }
        }
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn doc(t: &str) -> Node {
        match parse_stream(t).into_iter().next().map(|d| d.root) {
            Some(Ok(Some(n))) => n,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn display_and_parse() {
        let p = Path::parse("spec.containers[1].securityContext");
        assert_eq!(p.to_string(), "spec.containers[1].securityContext");
        let a = Path::parse("metadata.annotations").key("seccomp.security.alpha.kubernetes.io/pod");
        assert_eq!(
            a.to_string(),
            "metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]"
        );
    }

    #[test]
    fn line_of_deepest_existing() {
        let n = doc("spec:\n  containers:\n  - name: a\n    image: x\n");
        assert_eq!(
            Path::parse("spec.containers[0].securityContext.privileged").line_in(&n),
            3
        );
        assert_eq!(Path::parse("spec.containers[0].image").line_in(&n), 4);
    }

    #[test]
    fn edits() {
        let mut n = doc("spec:\n  containers:\n  - name: a\n    securityContext: null\n");
        let p = Path::parse("spec.containers[0].securityContext.readOnlyRootFilesystem");
        assert!(apply(
            &mut n,
            &Edit::Set(p.clone(), serde_json::json!(true))
        ));
        assert_eq!(p.get(&n).and_then(Node::as_bool), Some(true));
        let d = Path::parse("spec.containers[0].securityContext.capabilities.drop");
        assert!(apply(
            &mut n,
            &Edit::Append(d.clone(), serde_json::json!("ALL"))
        ));
        assert!(apply(
            &mut n,
            &Edit::Append(d.clone(), serde_json::json!("ALL"))
        ));
        assert_eq!(d.get(&n).map(|x| x.items().len()), Some(1));
        assert!(apply(
            &mut n,
            &Edit::Remove(Path::parse("spec.containers[0].name"))
        ));
        let through_scalar =
            Path::parse("spec.containers[0].securityContext.readOnlyRootFilesystem.x");
        assert!(!apply(
            &mut n,
            &Edit::Set(through_scalar, serde_json::json!(1))
        ));
    }
}
