//! A small marked YAML node tree (yaml-cpp dialect: every scalar is text) built on
//! `yaml_rust2`'s event parser without recursion, with limits on nesting and size.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted in a rules file (Falco files use < 10).
const MAX_DEPTH: usize = 200;
/// Most nodes (alias expansions included) accepted in one file.
const MAX_NODES: usize = 4_000_000;

/// One YAML node with the byte offset where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    /// Byte offset in the file content.
    pub(crate) offset: usize,
}

/// The shape of a node.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// `~`, `null`, an empty plain scalar.
    Null,
    /// A scalar with its style.
    Scalar(String, TScalarStyle),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value of `key` in a mapping (first match, as yaml-cpp).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(m) => m
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub(crate) fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub(crate) fn seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Keys of a mapping as text (non-scalar keys are skipped).
    pub(crate) fn keys(&self) -> Vec<(&str, &Node)> {
        match &self.kind {
            Kind::Map(m) => m
                .iter()
                .filter_map(|(k, _)| k.scalar().map(|s| (s, k)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A YAML error with the byte offset where it was found.
#[derive(Debug)]
pub(crate) struct YamlError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

enum Frame {
    Seq(Vec<Node>, usize, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize, usize),
}

/// yaml-cpp accepts a closing flow bracket on a line indented no deeper than the enclosing
/// block (`items: [\n  a,\n]` under a list item); `yaml_rust2` rejects it. Indent such lines
/// by one space; returns the new text and the (sorted) offsets of the inserted spaces in it.
fn relax_flow_indentation(src: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(src.len() + 16);
    let mut inserted = Vec::new();
    for line in src.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        if body.starts_with(']') || body.starts_with('}') {
            let indent = line.len() - body.len();
            out.push_str(&line[..indent]);
            inserted.push(out.len());
            out.push(' ');
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    (out, inserted)
}

/// Parse every document of `src`. `None` documents are empty ones.
pub(crate) fn load_documents(src: &str) -> Result<Vec<Option<Node>>, YamlError> {
    let (relaxed, inserted) = relax_flow_indentation(src);
    let fix = |o: usize| o - inserted.partition_point(|&i| i < o);
    let mut docs = load_documents_strict(&relaxed).map_err(|mut e| {
        e.offset = fix(e.offset);
        e
    })?;
    if !inserted.is_empty() {
        let mut todo: Vec<&mut Node> = docs.iter_mut().flatten().collect();
        while let Some(n) = todo.pop() {
            n.offset = fix(n.offset);
            match &mut n.kind {
                Kind::Seq(s) => todo.extend(s.iter_mut()),
                Kind::Map(m) => {
                    for (k, v) in m.iter_mut() {
                        todo.push(k);
                        todo.push(v);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(docs)
}

fn load_documents_strict(src: &str) -> Result<Vec<Option<Node>>, YamlError> {
    // Marker indices count chars; map them to byte offsets.
    let char_to_byte: Vec<usize> = if src.is_ascii() {
        Vec::new()
    } else {
        src.char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(src.len()))
            .collect()
    };
    let byte_of = |m: &Marker| -> usize {
        if char_to_byte.is_empty() {
            m.index().min(src.len())
        } else {
            char_to_byte.get(m.index()).copied().unwrap_or(src.len())
        }
    };
    let mut parser = Parser::new_from_str(src);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut doc: Option<Node> = None;
    let mut in_doc = false;
    let mut nodes = 0usize;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            message: e.info().to_string(),
            offset: byte_of(e.marker()),
        })?;
        let offset = byte_of(&mark);
        let err = |message: &str| YamlError {
            message: message.to_string(),
            offset,
        };
        let mut finished: Option<(Node, usize)> = None;
        match ev {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart => {
                in_doc = true;
                doc = None;
                anchors.clear();
            }
            Event::DocumentEnd => {
                if in_doc {
                    docs.push(doc.take());
                }
                in_doc = false;
            }
            Event::Alias(id) => {
                let node = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| err("unknown anchor"))?;
                nodes = nodes.saturating_add(count_nodes(&node));
                finished = Some((node, 0));
            }
            Event::Scalar(text, style, anchor, _tag) => {
                nodes += 1;
                let is_null = style == TScalarStyle::Plain
                    && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                let kind = if is_null {
                    Kind::Null
                } else {
                    Kind::Scalar(text, style)
                };
                finished = Some((Node { kind, offset }, anchor));
            }
            Event::SequenceStart(anchor, _) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(err("YAML nesting too deep"));
                }
                stack.push(Frame::Seq(Vec::new(), offset, anchor));
            }
            Event::MappingStart(anchor, _) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(err("YAML nesting too deep"));
                }
                stack.push(Frame::Map(Vec::new(), None, offset, anchor));
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, off, anchor)) => {
                    finished = Some((
                        Node {
                            kind: Kind::Seq(items),
                            offset: off,
                        },
                        anchor,
                    ));
                }
                _ => return Err(err("unbalanced sequence end")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(items, _, off, anchor)) => {
                    // Block mappings are marked at the first `:`; use the first key.
                    let off = items.first().map_or(off, |(k, _)| k.offset.min(off));
                    finished = Some((
                        Node {
                            kind: Kind::Map(items),
                            offset: off,
                        },
                        anchor,
                    ));
                }
                _ => return Err(err("unbalanced mapping end")),
            },
        }
        if nodes > MAX_NODES {
            return Err(err("YAML document too large (too many nodes)"));
        }
        if let Some((node, anchor)) = finished {
            if anchor != 0 {
                anchors.insert(anchor, node.clone());
            }
            match stack.last_mut() {
                Some(Frame::Seq(items, ..)) => items.push(node),
                Some(Frame::Map(items, key, ..)) => match key.take() {
                    Some(k) => items.push((k, node)),
                    None => *key = Some(node),
                },
                None => doc = Some(node),
            }
        }
    }
    Ok(docs)
}

fn count_nodes(n: &Node) -> usize {
    // Iterative, so deep aliases cannot overflow the stack.
    let mut count = 0usize;
    let mut todo = vec![n];
    while let Some(n) = todo.pop() {
        count += 1;
        if count > MAX_NODES {
            return count;
        }
        match &n.kind {
            Kind::Seq(s) => todo.extend(s.iter()),
            Kind::Map(m) => {
                for (k, v) in m {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_kinds() {
        let src = "- rule: a\n  comps: [=, in]\n  x:\n---\n- b\n";
        let docs = load_documents(src).unwrap();
        assert_eq!(docs.len(), 2);
        let d0 = docs[0].as_ref().unwrap();
        let item = &d0.seq().unwrap()[0];
        assert_eq!(item.get("rule").unwrap().scalar(), Some("a"));
        assert_eq!(item.get("rule").unwrap().offset, 8);
        let comps = item.get("comps").unwrap().seq().unwrap();
        assert_eq!(comps[0].scalar(), Some("="));
        assert!(item.get("x").unwrap().is_null());
    }

    #[test]
    fn closing_bracket_at_block_indent() {
        let src = "- list: l\n  items: [\n    a,\n    b\n  ]\n- list: m\n  items: []\n";
        let docs = load_documents(src).unwrap();
        let d0 = docs[0].as_ref().unwrap();
        let m = &d0.seq().unwrap()[1];
        assert_eq!(m.offset, src.find("list: m").unwrap());
        let items = d0.seq().unwrap()[0].get("items").unwrap().seq().unwrap();
        assert_eq!(items[1].scalar(), Some("b"));
        assert_eq!(items[1].offset, src.find("b\n").unwrap());
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert!(load_documents(&src).is_err());
        let src: String = (0..400)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect();
        let _ = load_documents(&src);
    }
}
