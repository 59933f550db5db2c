//! YAML (and JSON, a subset of it) into a tree that remembers where every node came from.
//!
//! Multi-document streams are split on `---` / `...` lines at column 0 *before* parsing, so a
//! syntax error in one document costs only that document: the others are still parsed and
//! checked. The tree builder is iterative (no recursion), bounds nesting depth and the number
//! of nodes (aliases are expanded by copy, so a "billion laughs" stream is cut off), and never
//! panics on input.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting accepted (Kubernetes objects need < 20).
pub const MAX_DEPTH: usize = 200;
/// Most nodes one document may expand to (aliases included).
pub const MAX_NODES: usize = 2_000_000;

/// A scalar with its resolved type (YAML 1.1 core resolution as Kubernetes' `sigs.k8s.io/yaml`
/// does it: `yes`/`no`/`on`/`off` are booleans).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// `null`, `~`, empty.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (kept as text for exact re-emission).
    Float(String),
    /// A string; `plain` is false when it was quoted or a block scalar.
    Str(String),
}

/// One YAML node with its 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A mapping entry; the key's position is kept (findings point at the key).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as text (non-scalar keys are rendered as `?`).
    pub key: String,
    /// 1-based line of the key.
    pub line: u32,
    /// The value.
    pub value: Node,
}

/// Node payload.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<Entry>),
}

impl Node {
    /// A node without position (created by `--fix`).
    pub fn synthetic(kind: NodeKind) -> Node {
        Node {
            kind,
            line: 0,
            col: 0,
        }
    }

    /// The value of `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of `key` when this is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Mapping entries, or none.
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sequence items, or none.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    /// True for a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    /// True for a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Scalar(Scalar::Null))
    }

    /// The text of a string scalar; numbers and booleans are not strings.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Any scalar as text (`8080`, `true`, `abc`); null and collections give `None`.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Str(s)) | NodeKind::Scalar(Scalar::Float(s)) => {
                Some(s.clone())
            }
            NodeKind::Scalar(Scalar::Int(i)) => Some(i.to_string()),
            NodeKind::Scalar(Scalar::Bool(b)) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean scalar (strings `"true"`/`"false"` are not booleans, as in the API server).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// An integer scalar.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// Converts to JSON (floats that do not parse become strings).
    pub fn to_json(&self) -> serde_json::Value {
        // Iterative would be nicer; depth is bounded by MAX_DEPTH so recursion is safe.
        match &self.kind {
            NodeKind::Scalar(s) => match s {
                Scalar::Null => serde_json::Value::Null,
                Scalar::Bool(b) => serde_json::Value::Bool(*b),
                Scalar::Int(i) => serde_json::Value::from(*i),
                Scalar::Float(f) => f
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(
                        || serde_json::Value::String(f.clone()),
                        serde_json::Value::Number,
                    ),
                Scalar::Str(s) => serde_json::Value::String(s.clone()),
            },
            NodeKind::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            NodeKind::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a node from JSON (used for fix values).
    pub fn from_json(v: &serde_json::Value) -> Node {
        let kind = match v {
            serde_json::Value::Null => NodeKind::Scalar(Scalar::Null),
            serde_json::Value::Bool(b) => NodeKind::Scalar(Scalar::Bool(*b)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => NodeKind::Scalar(Scalar::Int(i)),
                None => NodeKind::Scalar(Scalar::Float(n.to_string())),
            },
            serde_json::Value::String(s) => NodeKind::Scalar(Scalar::Str(s.clone())),
            serde_json::Value::Array(a) => NodeKind::Seq(a.iter().map(Node::from_json).collect()),
            serde_json::Value::Object(o) => NodeKind::Map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        line: 0,
                        value: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        Node::synthetic(kind)
    }
}

/// A YAML syntax or limit error at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What went wrong.
    pub message: String,
}

/// One document of a stream: its tree, or why it could not be read.
#[derive(Debug)]
pub struct Document {
    /// 0-based index in the file.
    pub index: usize,
    /// 1-based line where the document's text starts.
    pub start_line: u32,
    /// Byte range of the document's text in the stream (marker line included).
    pub span: (usize, usize),
    /// The tree (`None` for an empty document).
    pub root: Result<Option<Node>, ParseError>,
}

/// Splits a stream into documents and parses each. Never panics.
pub fn parse_stream(text: &str) -> Vec<Document> {
    let mut docs = Vec::new();
    for (index, (start_line, start)) in split_documents(text).into_iter().enumerate() {
        let chunk = &text[start.0..start.1];
        let root = parse_one(chunk, start_line);
        docs.push(Document {
            index,
            start_line,
            span: start,
            root,
        });
    }
    // Drop empty documents (a leading `---`, a trailing `...`) but keep indices stable.
    docs.retain(|d| !matches!(d.root, Ok(None)));
    docs
}

/// Splits on lines that start with `---` or `...` followed by whitespace or end of line.
/// Returns (1-based line of the chunk's first line, chunk). The marker line itself is kept in
/// the chunk (the parser handles `--- value`), so line numbers stay exact.
fn split_documents(text: &str) -> Vec<(u32, (usize, usize))> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut line_no = 1u32;
    let mut pos = 0usize;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let end = memchr_nl(bytes, pos);
        let line = &text[pos..end];
        let is_marker = |m: &str| {
            line.starts_with(m)
                && line[3..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ' || c == '\t' || c == '\r')
        };
        if pos > start && (is_marker("---") || is_marker("...")) {
            out.push((start_line, (start, pos)));
            start = pos;
            start_line = line_no;
        }
        pos = if end < bytes.len() { end + 1 } else { end };
        line_no = line_no.saturating_add(1);
    }
    if start < text.len() {
        out.push((start_line, (start, text.len())));
    }
    out
}

fn memchr_nl(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

enum Frame {
    Seq {
        node: Node,
        anchor: usize,
    },
    Map {
        node: Node,
        anchor: usize,
        pending_key: Option<(String, u32)>,
    },
}

/// Parses one document. Multi-line quoted scalars whose continuation lines are indented
/// less than their block (accepted by go-yaml and PyYAML, rejected by the YAML spec) are
/// re-indented and parsed again: leading white space of continuation lines is folded away,
/// so the value is unchanged and line numbers stay exact.
fn parse_one(chunk: &str, start_line: u32) -> Result<Option<Node>, ParseError> {
    let mut text = std::borrow::Cow::Borrowed(chunk);
    for _ in 0..32 {
        match parse_tree(&text, start_line) {
            Err(e) if e.message.contains("invalid indentation in quoted scalar") => {
                let local = e.line.saturating_sub(start_line.saturating_sub(1));
                match reindent_quoted(&text, local as usize, e.col as usize) {
                    Some(t) => text = std::borrow::Cow::Owned(t),
                    None => return Err(e),
                }
            }
            r => return r,
        }
    }
    parse_tree(&text, start_line)
}

/// The quoted scalar opening at `line`:`col` (1-based) continues on the next lines; indents
/// them, up to the closing quote, by the opening line's indentation plus two.
fn reindent_quoted(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let open = *lines.get(line.checked_sub(1)?)?;
    let quote = open
        .get(col.saturating_sub(1)..)?
        .chars()
        .find(|c| *c == '"' || *c == '\'')?;
    let indent = open.len() - open.trim_start().len() + 2;
    let mut out = String::with_capacity(text.len() + 256);
    let mut closed = false;
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i >= line && !closed {
            let body = l.trim_start();
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(body);
            closed = closes(body, quote);
        } else {
            out.push_str(l);
        }
    }
    Some(out)
}

fn closes(line: &str, quote: char) -> bool {
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return true;
            }
        }
    }
    false
}

fn parse_tree(chunk: &str, start_line: u32) -> Result<Option<Node>, ParseError> {
    let line_off = start_line.saturating_sub(1);
    let last_line = u32::try_from(chunk.trim_end().matches('\n').count())
        .unwrap_or(u32::MAX)
        .saturating_add(start_line);
    let mut parser = Parser::new_from_str(chunk);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let err = |line: usize, col: usize, message: String| ParseError {
        line: u32::try_from(line)
            .unwrap_or(u32::MAX)
            .saturating_add(line_off)
            .min(last_line),
        col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        message,
    };
    loop {
        let (ev, mark) = match parser.next_token() {
            Ok(t) => t,
            Err(e) => {
                let m = e.marker();
                return Err(err(m.line(), m.col(), e.info().to_string()));
            }
        };
        let line = u32::try_from(mark.line())
            .unwrap_or(u32::MAX)
            .saturating_add(line_off);
        let col = u32::try_from(mark.col() + 1).unwrap_or(u32::MAX);
        let finished: Option<(Node, usize)> = match ev {
            Event::StreamEnd => break,
            Event::DocumentStart if root.is_some() => {
                // A second document inside one chunk (e.g. `--- !tag` marker forms we did not
                // split on): keep the first, report nothing; the splitter handles the usual case.
                break;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => {
                    nodes = nodes.saturating_add(count_nodes(n));
                    Some((n.clone(), 0))
                }
                None => return Err(err(mark.line(), mark.col(), "unknown alias".into())),
            },
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = resolve_scalar(text, style, tag.as_ref().map(|t| t.suffix.as_str()));
                nodes += 1;
                Some((
                    Node {
                        kind: NodeKind::Scalar(scalar),
                        line,
                        col,
                    },
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        mark.line(),
                        mark.col(),
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                nodes += 1;
                stack.push(Frame::Seq {
                    node: Node {
                        kind: NodeKind::Seq(Vec::new()),
                        line,
                        col,
                    },
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        mark.line(),
                        mark.col(),
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                nodes += 1;
                stack.push(Frame::Map {
                    node: Node {
                        kind: NodeKind::Map(Vec::new()),
                        line,
                        col,
                    },
                    anchor,
                    pending_key: None,
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { node, anchor }) => Some((node, anchor)),
                Some(Frame::Map {
                    mut node, anchor, ..
                }) => {
                    apply_merge_keys(&mut node);
                    Some((node, anchor))
                }
                None => {
                    return Err(err(
                        mark.line(),
                        mark.col(),
                        "unbalanced collection end".into(),
                    ));
                }
            },
        };
        if nodes > MAX_NODES {
            return Err(err(
                mark.line(),
                mark.col(),
                format!("document expands to more than {MAX_NODES} nodes"),
            ));
        }
        let Some((node, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { node: parent, .. }) => {
                if let NodeKind::Seq(items) = &mut parent.kind {
                    items.push(node);
                }
            }
            Some(Frame::Map {
                node: parent,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = node.scalar_text().unwrap_or_else(|| match node.kind {
                        NodeKind::Scalar(Scalar::Null) => "null".to_string(),
                        _ => "?".to_string(),
                    });
                    *pending_key = Some((key, node.line));
                }
                Some((key, kline)) => {
                    if let NodeKind::Map(entries) = &mut parent.kind {
                        // Duplicate keys: the last one wins, as in sigs.k8s.io/yaml's JSON step.
                        if let Some(existing) = entries.iter_mut().find(|e| e.key == key) {
                            existing.value = node;
                            existing.line = kline;
                        } else {
                            entries.push(Entry {
                                key,
                                line: kline,
                                value: node,
                            });
                        }
                    }
                }
            },
        }
    }
    Ok(root)
}

fn count_nodes(n: &Node) -> usize {
    let mut count = 0usize;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
        }
    }
    count
}

/// `<<: *base` / `<<: [*a, *b]` merge keys: entries not already present are added.
fn apply_merge_keys(node: &mut Node) {
    let NodeKind::Map(entries) = &mut node.kind else {
        return;
    };
    let Some(pos) = entries.iter().position(|e| e.key == "<<") else {
        return;
    };
    let merge = entries.remove(pos);
    let sources: Vec<Node> = match merge.value.kind {
        NodeKind::Map(_) => vec![merge.value],
        NodeKind::Seq(items) => items,
        _ => return,
    };
    for src in sources {
        if let NodeKind::Map(src_entries) = src.kind {
            for e in src_entries {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e);
                }
            }
        }
    }
}

fn resolve_scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Scalar {
    match tag {
        Some("str") => return Scalar::Str(text),
        Some("null") => return Scalar::Null,
        Some("bool") => {
            return resolve_plain(&text)
                .filter(|s| matches!(s, Scalar::Bool(_)))
                .unwrap_or(Scalar::Str(text));
        }
        Some("int") | Some("float") => return resolve_plain(&text).unwrap_or(Scalar::Str(text)),
        _ => {}
    }
    if style != TScalarStyle::Plain {
        return Scalar::Str(text);
    }
    resolve_plain(&text).unwrap_or(Scalar::Str(text))
}

pub(crate) fn resolve_plain(t: &str) -> Option<Scalar> {
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Scalar::Null),
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Some(Scalar::Bool(true));
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Some(Scalar::Bool(false));
        }
        _ => {}
    }
    let first = t.as_bytes().first().copied()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let parsed = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        // YAML 1.1 octal (`0644`), as go-yaml v2 reads it.
        i64::from_str_radix(&digits[1..], 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = parsed {
        return Some(Scalar::Int(if neg { i.checked_neg()? } else { i }));
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | "+.inf" | "-.inf" | ".nan") {
        return Some(Scalar::Float(t.to_string()));
    }
    let looks_float = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_float && t.parse::<f64>().is_ok() {
        return Some(Scalar::Float(t.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let docs = parse_stream(text);
        match docs.into_iter().next().map(|d| d.root) {
            Some(Ok(Some(n))) => n,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn positions_and_types() {
        let n = one("a: 1\nb:\n  c: yes\n  d: \"true\"\n  e: [x, 0644]\n");
        assert_eq!(n.get("a").and_then(Node::as_i64), Some(1));
        let b = n.entry("b").expect("b");
        assert_eq!(b.line, 2);
        assert_eq!(b.value.get("c").and_then(Node::as_bool), Some(true));
        assert_eq!(b.value.get("d").and_then(Node::as_str), Some("true"));
        assert_eq!(
            b.value.get("e").map(|e| e.items()[1].as_i64()),
            Some(Some(0o644))
        );
        assert_eq!(b.value.entry("e").map(|e| e.line), Some(5));
    }

    #[test]
    fn multi_document_with_error_keeps_others() {
        let docs = parse_stream("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
        assert_eq!(docs.len(), 3);
        assert!(docs[0].root.is_ok());
        let e = docs[1].root.as_ref().expect_err("broken");
        assert!(e.line >= 3, "{e:?}");
        assert_eq!(docs[2].start_line, 4);
        assert!(matches!(&docs[2].root, Ok(Some(n)) if n.entry("c").map(|e| e.line) == Some(5)));
    }

    #[test]
    fn json_input() {
        let n = one("{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\"hostPID\": true}\n}\n");
        assert_eq!(n.get("kind").and_then(Node::as_str), Some("Pod"));
        assert_eq!(
            n.get("spec")
                .and_then(|s| s.get("hostPID"))
                .and_then(Node::as_bool),
            Some(true)
        );
    }

    #[test]
    fn hostile_inputs() {
        let deep = "[".repeat(100_000);
        let docs = parse_stream(&deep);
        assert!(docs[0].root.is_err());
        let deep_map = (0..1000)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect::<String>();
        assert!(parse_stream(&deep_map)[0].root.is_err());
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            laughs.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = c;
        }
        assert!(parse_stream(&laughs)[0].root.is_err());
    }

    #[test]
    fn lenient_quoted_continuation() {
        let n = one("c:\n  - a\n  - \"x \\\n y\n z\"\n  - b\n");
        let items = n.get("c").map(Node::items).unwrap_or_default();
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].as_str(), Some("x y z"));
        assert_eq!(items[2].line, 6);
    }

    #[test]
    fn merge_keys() {
        let n = one("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n");
        let d = n.get("d").expect("d");
        assert_eq!(d.get("x").and_then(Node::as_i64), Some(1));
        assert_eq!(d.get("y").and_then(Node::as_i64), Some(3));
    }
}
