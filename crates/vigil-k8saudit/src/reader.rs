//! Reading audit events from bytes: JSON lines (what `--audit-log-path` writes), webhook
//! `EventList` bodies (one line or pretty-printed over many), top-level arrays.

use std::collections::VecDeque;
use std::fmt;
use std::path::Path;

use serde_json::Value as J;

use crate::AuditEvent;

/// Falco's message for JSON that is not an audit event (nor an `EventList`).
pub const NOT_AUDIT_EVENT: &str = "data not recognized as a k8s audit event";

/// Why an event could not be read. Every variant names the place: the 1-based line and
/// the byte offset in the input (0-based), and for `EventList` items the item index.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuditError {
    /// Not valid JSON (or nested deeper than serde_json's limit of 128).
    Json {
        /// Line of the error.
        line: usize,
        /// Byte offset of the error.
        offset: usize,
        /// The parser's message.
        message: String,
    },
    /// Valid JSON, but not an audit `Event` / `EventList`.
    NotAuditEvent {
        /// Line where the JSON value starts.
        line: usize,
        /// Byte offset where the JSON value starts.
        offset: usize,
        /// Index in `items` (or in a top-level array), when inside a list.
        item: Option<usize>,
    },
    /// A line (or a multi-line document) over the size limit; it is skipped unparsed.
    TooLarge {
        /// Line where it starts.
        line: usize,
        /// Byte offset where it starts.
        offset: usize,
        /// Its size in bytes (at least; for documents, the limit + 1).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The file could not be read.
    Io {
        /// The path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
}

impl AuditError {
    pub(crate) fn json(line: usize, offset: usize, e: &serde_json::Error) -> AuditError {
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        AuditError::Json {
            line,
            offset,
            message,
        }
    }

    /// The 1-based line of the problem (0 for I/O errors).
    pub fn line(&self) -> usize {
        match self {
            AuditError::Json { line, .. }
            | AuditError::NotAuditEvent { line, .. }
            | AuditError::TooLarge { line, .. } => *line,
            AuditError::Io { .. } => 0,
        }
    }

    /// The byte offset of the problem (0 for I/O errors).
    pub fn offset(&self) -> usize {
        match self {
            AuditError::Json { offset, .. }
            | AuditError::NotAuditEvent { offset, .. }
            | AuditError::TooLarge { offset, .. } => *offset,
            AuditError::Io { .. } => 0,
        }
    }

    /// The same error placed `lines` lines and `bytes` bytes further (for errors of a
    /// slice of a larger input).
    pub(crate) fn shifted(mut self, lines: usize, bytes: usize) -> AuditError {
        match &mut self {
            AuditError::Json { line, offset, .. }
            | AuditError::TooLarge { line, offset, .. }
            | AuditError::NotAuditEvent { line, offset, .. } => {
                *line = line.saturating_add(lines);
                *offset = offset.saturating_add(bytes);
            }
            AuditError::Io { .. } => {}
        }
        self
    }

    fn at(mut self, l: usize, o: usize, index: Option<usize>) -> AuditError {
        match &mut self {
            AuditError::Json { line, offset, .. } | AuditError::TooLarge { line, offset, .. } => {
                *line = l;
                *offset = o;
            }
            AuditError::NotAuditEvent { line, offset, item } => {
                *line = l;
                *offset = o;
                *item = index;
            }
            AuditError::Io { .. } => {}
        }
        self
    }
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Json {
                line,
                offset,
                message,
            } => write!(f, "line {line} (byte {offset}): invalid JSON: {message}"),
            AuditError::NotAuditEvent { line, offset, item } => {
                write!(f, "line {line} (byte {offset})")?;
                if let Some(i) = item {
                    write!(f, ", item {i}")?;
                }
                write!(f, ": {NOT_AUDIT_EVENT}")
            }
            AuditError::TooLarge {
                line,
                offset,
                size,
                limit,
            } => write!(
                f,
                "line {line} (byte {offset}): event of {size} bytes exceeds the limit of {limit} bytes"
            ),
            AuditError::Io { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl std::error::Error for AuditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuditError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Size limits of the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Longest accepted line of a JSON-lines input (one event or one `EventList`).
    pub max_line_bytes: usize,
    /// Longest accepted JSON document spread over several lines (a pretty-printed
    /// `EventList`).
    pub max_document_bytes: usize,
}

/// Default [`ReadOptions::max_line_bytes`]: 4 MiB (RequestResponse events of large objects
/// exceed Falco's 256 KiB `maxEventSize`).
pub const DEFAULT_MAX_LINE_BYTES: usize = 4 << 20;
/// Default [`ReadOptions::max_document_bytes`]: Falco's webhook body limit (12 MiB).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 12_582_912;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

/// Events read from bytes, in order; see [`parse_events`].
#[derive(Debug)]
pub struct Events<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// 1-based line number of `pos`.
    line: usize,
    opts: ReadOptions,
    pending: VecDeque<Result<AuditEvent, AuditError>>,
    next_num: u64,
    start_ns: Option<u64>,
}

/// Read every audit event of `bytes`: JSON lines of `Event`s or `EventList`s, a
/// pretty-printed (multi-line) `EventList` or `Event`, or top-level arrays of them.
///
/// A malformed line yields an error naming its line and byte offset and reading goes on
/// with the next line; a JSON value that is not an audit event yields
/// [`AuditError::NotAuditEvent`] ("data not recognized as a k8s audit event"). Events are
/// numbered from 1 (`evt.num`) and carry the time of the first event (`evt.reltime`).
/// Never panics.
pub fn parse_events(bytes: &[u8]) -> Events<'_> {
    parse_events_with(bytes, ReadOptions::default())
}

/// [`parse_events`] with explicit size limits.
pub fn parse_events_with(bytes: &[u8], opts: ReadOptions) -> Events<'_> {
    let mut pos = 0;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        pos = 3;
    }
    Events {
        bytes,
        pos,
        line: 1,
        opts,
        pending: VecDeque::new(),
        next_num: 1,
        start_ns: None,
    }
}

/// Read a whole audit log file (see [`parse_events`]). `Err` only when the file cannot be
/// read; per-event problems are the `Err` items of the vector.
pub fn read_file(
    path: impl AsRef<Path>,
) -> Result<Vec<Result<AuditEvent, AuditError>>, AuditError> {
    let p = path.as_ref();
    let bytes = std::fs::read(p).map_err(|error| AuditError::Io {
        path: p.display().to_string(),
        error,
    })?;
    Ok(parse_events(&bytes).collect())
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Expand one JSON value into events: an `EventList`'s items, an array's elements
/// (one level), or one event.
fn expand(
    v: J,
    line: usize,
    offset: usize,
    out: &mut VecDeque<Result<AuditEvent, AuditError>>,
    depth: u8,
) {
    let one =
        |v: J, item: Option<usize>| AuditEvent::from_value(v).map_err(|e| e.at(line, offset, item));
    match v {
        J::Array(items) if depth == 0 => {
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    J::Object(ref o) if o.get("kind").and_then(J::as_str) == Some("EventList") => {
                        expand(item, line, offset, out, depth + 1);
                    }
                    other => out.push_back(one(other, Some(i))),
                }
            }
        }
        J::Object(mut o) if o.get("kind").and_then(J::as_str) == Some("EventList") => {
            match o.remove("items") {
                Some(J::Array(items)) => {
                    for (i, item) in items.into_iter().enumerate() {
                        out.push_back(one(item, Some(i)));
                    }
                }
                // `"items": null` or absent: an empty list.
                Some(J::Null) | None => {}
                Some(_) => out.push_back(Err(AuditError::NotAuditEvent {
                    line,
                    offset,
                    item: None,
                })),
            }
        }
        // Batches of managed-cloud records: Azure diagnostic settings (`records`, to Event
        // Hubs or storage) and CloudWatch Logs subscriptions (`logEvents[].message`).
        J::Object(mut o)
            if depth == 0
                && !o.contains_key("kind")
                && (o.get("records").is_some_and(J::is_array)
                    || o.get("logEvents").is_some_and(J::is_array)) =>
        {
            let items = match o.remove("records") {
                Some(J::Array(items)) => items,
                _ => match o.remove("logEvents") {
                    Some(J::Array(items)) => items,
                    _ => Vec::new(),
                },
            };
            for (i, item) in items.into_iter().enumerate() {
                out.push_back(one(item, Some(i)));
            }
        }
        other => out.push_back(one(other, None)),
    }
}

/// [`expand`] from the text of one JSON value, without building its `Value` when it is an
/// event or an `EventList` of events that scan ([`crate::scan`]). False when the text must
/// take the eager path (nothing was added to `out` then).
use crate::scan::Items;

fn expand_text(
    text: &str,
    line: usize,
    offset: usize,
    out: &mut VecDeque<Result<AuditEvent, AuditError>>,
) -> bool {
    let Some(scan) = crate::scan::Scan::of(text) else {
        return false;
    };
    if scan.kind_is("EventList") {
        match &scan.items {
            Items::Absent | Items::Null => {}
            Items::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push_back(
                        AuditEvent::from_text(item.get()).map_err(|e| e.at(line, offset, Some(i))),
                    );
                }
            }
            Items::Other => out.push_back(Err(AuditError::NotAuditEvent {
                line,
                offset,
                item: None,
            })),
        }
        return true;
    }
    match AuditEvent::scanned(text, &scan) {
        Some(ev) => {
            out.push_back(Ok(ev));
            true
        }
        None => false,
    }
}

impl Events<'_> {
    /// Read the next line (or multi-line document) into `pending`. False at the end.
    fn fill(&mut self) -> bool {
        let bytes = self.bytes;
        while self.pos < bytes.len() {
            let start = self.pos;
            let line = self.line;
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            self.pos = (end + 1).min(bytes.len()).max(end);
            if end < bytes.len() {
                self.line += 1;
            }
            let text = &bytes[start..end];
            let Some(first) = text.iter().position(|c| !is_ws(*c)) else {
                continue;
            };
            let offset = start + first;
            if text.len() > self.opts.max_line_bytes {
                self.pending.push_back(Err(AuditError::TooLarge {
                    line,
                    offset,
                    size: text.len(),
                    limit: self.opts.max_line_bytes,
                }));
                return true;
            }
            if let Ok(t) = std::str::from_utf8(text)
                && expand_text(t, line, offset, &mut self.pending)
            {
                return true;
            }
            match serde_json::from_slice::<J>(text) {
                Ok(v) => expand(v, line, offset, &mut self.pending, 0),
                Err(e) if e.is_eof() && matches!(text[first], b'{' | b'[') => {
                    self.document(offset, line);
                }
                Err(e) => {
                    let col = e.column().saturating_sub(1);
                    self.pending
                        .push_back(Err(AuditError::json(line, start + col, &e)));
                }
            }
            return true;
        }
        false
    }

    /// A JSON value spread over several lines, starting at `offset` (on `line`).
    fn document(&mut self, offset: usize, line: usize) {
        let limit = self.opts.max_document_bytes;
        let window_end = self.bytes.len().min(offset.saturating_add(limit));
        let window = &self.bytes[offset..window_end];
        {
            // The fast path first (see `expand_text`); on any error, the eager path below
            // reads the document again and places the error.
            let mut stream = serde_json::Deserializer::from_slice(window)
                .into_iter::<&serde_json::value::RawValue>();
            if let Some(Ok(v)) = stream.next() {
                let consumed = stream.byte_offset();
                let mut pending = VecDeque::new();
                if expand_text(v.get(), line, offset, &mut pending) {
                    self.line = line + memchr::memchr_iter(b'\n', &window[..consumed]).count();
                    self.pos = offset + consumed;
                    self.pending.extend(pending);
                    return;
                }
            }
        }
        let mut stream = serde_json::Deserializer::from_slice(window).into_iter::<J>();
        match stream.next() {
            Some(Ok(v)) => {
                let consumed = stream.byte_offset();
                let doc = &window[..consumed];
                self.line = line + memchr::memchr_iter(b'\n', doc).count();
                self.pos = offset + consumed;
                expand(v, line, offset, &mut self.pending, 0);
            }
            Some(Err(e)) if e.is_eof() && window_end < self.bytes.len() => {
                self.pending.push_back(Err(AuditError::TooLarge {
                    line,
                    offset,
                    size: limit.saturating_add(1),
                    limit,
                }));
                // Nothing after an unterminated oversized document can be trusted.
                self.pos = self.bytes.len();
            }
            Some(Err(e)) => {
                // Place the error: serde_json counts lines and columns within the window.
                let err_line = line + e.line().saturating_sub(1);
                let mut err_off = offset;
                let mut l = 1;
                for (i, c) in window.iter().enumerate() {
                    if l == e.line() {
                        err_off = offset + i + e.column().saturating_sub(1);
                        break;
                    }
                    if *c == b'\n' {
                        l += 1;
                    }
                }
                self.pending
                    .push_back(Err(AuditError::json(err_line, err_off, &e)));
                // Resume after the line of the error.
                let err_off = err_off.min(self.bytes.len());
                match memchr::memchr(b'\n', &self.bytes[err_off..]) {
                    Some(i) => {
                        self.pos = err_off + i + 1;
                        self.line = err_line + 1;
                    }
                    None => {
                        self.pos = self.bytes.len();
                        self.line = err_line;
                    }
                }
            }
            None => self.pos = self.bytes.len(),
        }
    }
}

impl Iterator for Events<'_> {
    type Item = Result<AuditEvent, AuditError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item.map(|mut ev| {
                    ev.set_num(self.next_num);
                    self.next_num += 1;
                    let start = *self.start_ns.get_or_insert(ev.time_ns());
                    ev.set_start_ns(start);
                    ev
                }));
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EV: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","stageTimestamp":"2020-01-01T00:00:01Z"}"#;

    #[test]
    fn jsonl_with_errors() {
        let input = format!("{EV}\n\n{{\"kind\": 0}}\n{{broken\n  {EV}\r\n[{EV},{EV}]\n{EV}");
        let items: Vec<_> = parse_events(input.as_bytes()).collect();
        assert_eq!(items.len(), 7, "{items:?}");
        assert!(items[0].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert_eq!((e.line(), e.offset()), (3, EV.len() + 2));
        assert!(e.to_string().contains(NOT_AUDIT_EVENT));
        let e = items[2].as_ref().unwrap_err();
        assert!(matches!(e, AuditError::Json { line: 4, .. }), "{e}");
        assert!(e.to_string().starts_with("line 4 (byte "), "{e}");
        let nums: Vec<u64> = items.iter().flatten().map(AuditEvent::num).collect();
        assert_eq!(nums, [1, 2, 3, 4, 5]);
        assert!(items[3..].iter().all(Result::is_ok));
    }

    #[test]
    fn eventlists() {
        let pretty = format!(
            "{{\n  \"kind\": \"EventList\",\n  \"items\": [\n    {EV},\n    {EV}\n  ]\n}}\n{EV}\n{{\"kind\":\"EventList\",\"items\":[{EV}, 3]}}\n"
        );
        let items: Vec<_> = parse_events(pretty.as_bytes()).collect();
        assert_eq!(items.len(), 5, "{items:?}");
        assert!(items[..4].iter().all(Result::is_ok));
        let e = items[4].as_ref().unwrap_err();
        assert_eq!(e.line(), 9);
        assert!(e.to_string().contains("item 1"), "{e}");
        let empty: Vec<_> = parse_events(
            br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[]}"#,
        )
        .collect();
        assert!(empty.is_empty());
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "[".repeat(100_000);
        let items: Vec<_> = parse_events(deep.as_bytes()).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
        let deep_line = format!("{}\n{EV}\n", "{\"a\":".repeat(5000));
        let items: Vec<_> = parse_events(deep_line.as_bytes()).collect();
        assert!(items.iter().any(Result::is_ok), "{items:?}");
        let opts = ReadOptions {
            max_line_bytes: 64,
            max_document_bytes: 64,
        };
        let items: Vec<_> = parse_events_with(format!("{EV}\n{EV}").as_bytes(), opts).collect();
        assert!(
            items
                .iter()
                .all(|i| matches!(i, Err(AuditError::TooLarge { .. })))
        );
        let unterminated = format!("{{\"kind\":\n\"Event\"\n{EV}\n");
        let items: Vec<_> = parse_events(unterminated.as_bytes()).collect();
        assert!(items[0].is_err());
        for junk in [
            &b"\xff\xfe\n"[..],
            b"\0",
            b"{\"kind\":\"Event\",\"verb\":\"\\ud800\"}",
            b"]",
            b"\"\n",
        ] {
            let _ = parse_events(junk).count();
        }
        assert!(read_file("/nonexistent/vigil/audit.log").is_err());
    }

    #[test]
    fn record_batches() {
        let azure = format!(
            "{{\"records\":[{{\"category\":\"kube-audit\",\"properties\":{{\"log\":{}}}}}, {{\"category\":\"guard\",\"properties\":{{\"log\":\"x\"}}}}]}}",
            serde_json::to_string(EV).unwrap()
        );
        let items: Vec<_> = parse_events(azure.as_bytes()).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(matches!(
            items[1],
            Err(AuditError::NotAuditEvent { item: Some(1), .. })
        ));
        let cw = format!(
            "{{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{{\"id\":\"1\",\"message\":{}}}]}}",
            serde_json::to_string(EV).unwrap()
        );
        let items: Vec<_> = parse_events(cw.as_bytes()).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok(), "{items:?}");
    }
}
