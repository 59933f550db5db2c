//! Output templates: libsinsp's event-formatter syntax (`sinsp_evt_formatter`), compiled
//! against a [`FieldSchema`] and rendered from an [`Extract`] event.

use std::collections::BTreeMap;
use std::fmt;

use vigil_event::{Extract, FieldRef, FieldSchema, FieldType, Value, Values};

use crate::text::{FieldValue, push_values};

/// A format string could not be compiled; `pos` is the byte offset in the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputError {
    /// Byte offset in the text where the problem is (0 when it is not about a position).
    pub pos: usize,
    /// What is wrong, in libsinsp's words where it has some.
    pub message: String,
}

impl OutputError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> OutputError {
        OutputError {
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.pos)
    }
}

impl std::error::Error for OutputError {}

/// libsinsp's field transformers usable in outputs (`%tolower(proc.name)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transformer {
    ToLower,
    ToUpper,
    Basename,
    Len,
}

impl Transformer {
    fn name(self) -> &'static str {
        match self {
            Transformer::ToLower => "tolower",
            Transformer::ToUpper => "toupper",
            Transformer::Basename => "basename",
            Transformer::Len => "len",
        }
    }
}

/// Every transformer name libsinsp's parser knows (all take a parenthesised argument list).
const TRANSFORMER_NAMES: &[&str] = &[
    "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt",
];

/// Times whose JSON form is the raw event timestamp (libsinsp's `extract_as_js` for
/// `evt.time`, `evt.time.s`, `evt.time.iso8601`, `evt.datetime`, `evt.datetime.s`).
const TIME_FIELDS: &[&str] = &[
    "evt.time",
    "evt.time.s",
    "evt.time.iso8601",
    "evt.datetime",
    "evt.datetime.s",
];

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Field {
        field: FieldRef,
        ty: FieldType,
        list: bool,
        /// The JSON value is the event timestamp.
        time_json: bool,
    },
    Transform {
        tr: Transformer,
        inner: Box<Expr>,
        ty: FieldType,
        list: bool,
    },
}

impl Expr {
    fn ty_list(&self) -> (FieldType, bool) {
        match self {
            Expr::Field { ty, list, .. } | Expr::Transform { ty, list, .. } => (*ty, *list),
        }
    }

    fn eval<'e>(&self, ev: &'e dyn Extract) -> Option<Values<'e>> {
        match self {
            Expr::Field { field, .. } => ev.extract(field),
            Expr::Transform { tr, inner, .. } => {
                let vals = inner.eval(ev)?;
                let (_, inner_list) = inner.ty_list();
                match tr {
                    Transformer::Len if inner_list => {
                        let n = u64::try_from(vals.len()).unwrap_or(u64::MAX);
                        Some(std::iter::once(Value::UInt(n)).collect())
                    }
                    Transformer::Len => {
                        let v = vals.first()?;
                        let n = match v {
                            Value::Bytes(b) if inner.ty_list().0 == FieldType::Bytes => b.len(),
                            // Strings: up to the first NUL (`strnlen`).
                            Value::Bytes(b) => b.iter().position(|&c| c == 0).unwrap_or(b.len()),
                            _ => return None,
                        };
                        Some(std::iter::once(Value::UInt(n as u64)).collect())
                    }
                    _ => Some(
                        vals.into_iter()
                            .map(|v| match v {
                                Value::Bytes(b) => {
                                    let out: Vec<u8> = match tr {
                                        Transformer::ToLower => b.to_ascii_lowercase(),
                                        Transformer::ToUpper => b.to_ascii_uppercase(),
                                        _ => {
                                            let start = b
                                                .iter()
                                                .rposition(|&c| c == b'/')
                                                .map_or(0, |i| i + 1);
                                            b[start..].to_vec()
                                        }
                                    };
                                    Value::Bytes(out.into())
                                }
                                other => other,
                            })
                            .collect(),
                    ),
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Lit(String),
    Field {
        /// The token's text as libsinsp's `as_string` prints it (`proc.aname[2]`).
        key: String,
        expr: Expr,
        /// `%20proc.name`: pad with spaces or cut to this many bytes (0: as is).
        width: usize,
    },
}

/// One field an output mentions, for `output_fields` (transformed expressions excluded,
/// the fields inside them included, as libsinsp's formatter resolves them).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputField {
    /// The key in `output_fields`: the field as written (`proc.cmdline`, `proc.aname[2]`,
    /// `evt.arg.flags`).
    pub key: String,
    /// The resolved field.
    pub field: FieldRef,
    /// Its type (decides the rendering).
    pub ty: FieldType,
    /// True for a list field (rendered `(a,b)` / a JSON array).
    pub list: bool,
    time_json: bool,
}

impl OutputField {
    /// The JSON value of this field for `ev` (numbers for numeric fields, `null` when
    /// missing, the event timestamp `ts_ns` for the `evt.time` family).
    pub fn json_value(&self, ev: &dyn Extract, ts_ns: u64) -> FieldValue {
        if self.time_json {
            return FieldValue::Int(i64::try_from(ts_ns).unwrap_or(i64::MAX));
        }
        let vals = ev.extract(&self.field);
        FieldValue::from_values(vals.as_deref(), self.ty, self.list)
    }
}

/// A compiled output format (`An open was seen (command=%proc.cmdline)`).
///
/// Syntax, as libsinsp's `sinsp_evt_formatter`:
/// * a leading `*` means "print even when some values are missing" (missing → `<NA>`);
///   without it, [`OutputTemplate::render`] reports failure when a value is missing (the
///   text still renders, with `<NA>`). Falco always adds the `*` to rule outputs
///   ([`OutputTemplate::compile_rule_output`]);
/// * `%field`, `%field[arg]`, `%evt.arg.flags`: a field name is letters, digits and `_` in
///   at least two dot-separated parts, each starting with a letter; it is resolved by
///   longest prefix through the schema, and when it does not resolve the longest shorter
///   prefix that does is used (the rest stays literal text), as libsinsp does;
/// * `%Nfield`: pad with spaces or cut the value to N bytes;
/// * `%tolower(f)`, `%toupper(f)`, `%basename(f)`, `%len(f)` (nestable); libsinsp's other
///   transformers (`b64`, `join`, `concat`, `getopt`) are reported as unsupported;
/// * there is no escape: `%` must start a field (`%%` is an error), a trailing `%` or a
///   trailing `%N` is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputTemplate {
    format: String,
    require_all: bool,
    tokens: Vec<Token>,
    fields: Vec<OutputField>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_name_cont(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Length of the field name at the start of `s` (`[a-zA-Z][a-zA-Z0-9_]*` in at least two
/// dot-separated parts), or 0.
fn lex_field_name(s: &[u8]) -> usize {
    let segment = |at: usize| -> usize {
        if at < s.len() && is_name_start(s[at]) {
            let mut e = at + 1;
            while e < s.len() && is_name_cont(s[e]) {
                e += 1;
            }
            e
        } else {
            at
        }
    };
    let mut end = segment(0);
    if end == 0 {
        return 0;
    }
    let mut parts = 1;
    while end < s.len() && s[end] == b'.' {
        let e = segment(end + 1);
        if e == end + 1 {
            break;
        }
        end = e;
        parts += 1;
    }
    if parts >= 2 { end } else { 0 }
}

/// A parsed (not yet resolved) expression.
enum Ast<'a> {
    Field {
        name: &'a str,
        arg: Option<String>,
        text: &'a str,
    },
    Transform {
        name: &'a str,
        inner: Box<Ast<'a>>,
        text: &'a str,
    },
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn blanks(&mut self) {
        while self.pos < self.s.len() && self.bytes()[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.bytes().get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `Field | Transformer '(' arg ')'`.
    fn field_or_transformer(&mut self, depth: usize) -> Result<Ast<'a>, String> {
        if depth > 32 {
            return Err("transformers nested too deeply".into());
        }
        let start = self.pos;
        let n = lex_field_name(&self.bytes()[start..]);
        if n > 0 {
            self.pos += n;
            let name = &self.s[start..self.pos];
            let arg = self.optional_arg()?;
            return Ok(Ast::Field {
                name,
                arg,
                text: &self.s[start..self.pos],
            });
        }
        let rest = &self.s[start..];
        for t in TRANSFORMER_NAMES {
            if rest.starts_with(t) && rest.as_bytes().get(t.len()) == Some(&b'(') {
                if !matches!(*t, "tolower" | "toupper" | "basename" | "len") {
                    return Err(format!("transformer '{t}' is not supported"));
                }
                self.pos += t.len() + 1;
                self.blanks();
                let inner = self.field_or_transformer(depth + 1)?;
                self.blanks();
                if self.eat(b',') {
                    return Err(format!(
                        "transformer '{t}' with several arguments is not supported"
                    ));
                }
                if !self.eat(b')') {
                    return Err("expected a ')' token closing the transformer".into());
                }
                if self.bytes().get(self.pos) == Some(&b'[') {
                    return Err("an argument after a transformer is not supported".into());
                }
                return Ok(Ast::Transform {
                    name: t,
                    inner: Box::new(inner),
                    text: &self.s[start..self.pos],
                });
            }
        }
        let shown: String = rest.chars().take(20).collect();
        Err(format!("unexpected token after '{shown}'"))
    }

    /// `'[' (quoted | bare) ']'`, if present.
    fn optional_arg(&mut self) -> Result<Option<String>, String> {
        if !self.eat(b'[') {
            return Ok(None);
        }
        let b = self.bytes();
        let arg = match b.get(self.pos) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let mut i = self.pos + 1;
                let mut prev = b'\\';
                let mut val = Vec::new();
                loop {
                    match b.get(i) {
                        None => {
                            return Err(
                                "expected a valid field argument: a quoted string or a bare string"
                                    .into(),
                            );
                        }
                        Some(&c) if c == q && prev != b'\\' => break,
                        Some(&c) => {
                            if c == q && prev == b'\\' {
                                val.pop();
                            }
                            val.push(c);
                            prev = c;
                        }
                    }
                    i += 1;
                }
                self.pos = i + 1;
                String::from_utf8_lossy(&val).into_owned()
            }
            _ => {
                let start = self.pos;
                while let Some(&c) = b.get(self.pos) {
                    if c == b']' || c == b'[' || c == b'"' || c == b'\'' || c.is_ascii_whitespace()
                    {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(
                        "expected a valid field argument: a quoted string or a bare string".into(),
                    );
                }
                self.s[start..self.pos].to_string()
            }
        };
        if !self.eat(b']') {
            return Err("expected a ']' token".into());
        }
        Ok(Some(arg))
    }
}

/// Collected while compiling one token.
struct Compiler<'s> {
    schema: &'s dyn FieldSchema,
    fields: Vec<OutputField>,
}

impl Compiler<'_> {
    fn compile(&mut self, ast: &Ast<'_>) -> Result<Expr, String> {
        match ast {
            Ast::Field { name, arg, text } => {
                let field = self
                    .schema
                    .resolve(name, arg.as_deref())
                    .map_err(|e| e.to_string())?;
                let info = self
                    .schema
                    .info(field.id)
                    .ok_or_else(|| format!("field {name} has no description in its schema"))?;
                let time_json = arg.is_none() && TIME_FIELDS.contains(name);
                self.fields.push(OutputField {
                    key: (*text).to_string(),
                    field: field.clone(),
                    ty: info.ty,
                    list: info.list,
                    time_json,
                });
                Ok(Expr::Field {
                    field,
                    ty: info.ty,
                    list: info.list,
                    time_json,
                })
            }
            Ast::Transform { name, inner, .. } => {
                let tr = match *name {
                    "tolower" => Transformer::ToLower,
                    "toupper" => Transformer::ToUpper,
                    "basename" => Transformer::Basename,
                    "len" => Transformer::Len,
                    other => return Err(format!("transformer '{other}' is not supported")),
                };
                let inner = self.compile(inner)?;
                let (ty, list) = inner.ty_list();
                let string_like = matches!(ty, FieldType::String | FieldType::Path);
                let (ty, list) = match tr {
                    Transformer::Len if list => (FieldType::UInt, false),
                    Transformer::Len if string_like || ty == FieldType::Bytes => {
                        (FieldType::UInt, false)
                    }
                    _ if tr != Transformer::Len && string_like => (ty, list),
                    _ => {
                        return Err(format!(
                            "field with incompatible type '{}' for transformer '{}'",
                            ty.as_str(),
                            tr.name()
                        ));
                    }
                };
                Ok(Expr::Transform {
                    tr,
                    inner: Box::new(inner),
                    ty,
                    list,
                })
            }
        }
    }
}

impl OutputTemplate {
    /// Compile `format` against `schema`.
    pub fn compile(format: &str, schema: &dyn FieldSchema) -> Result<OutputTemplate, OutputError> {
        if format.is_empty() {
            return Err(OutputError::new(0, "empty formatting token"));
        }
        let (require_all, base) = match format.strip_prefix('*') {
            Some(_) => (false, 1),
            None => (true, 0),
        };
        let s = &format[base..];
        let b = s.as_bytes();
        let mut tokens = Vec::new();
        let mut compiler = Compiler {
            schema,
            fields: Vec::new(),
        };
        let mut lit_start = 0;
        let mut j = 0;
        while j < b.len() {
            if b[j] != b'%' {
                j += 1;
                continue;
            }
            if lit_start != j {
                tokens.push(Token::Lit(s[lit_start..j].to_string()));
            }
            let pct = j;
            if j + 1 == b.len() {
                return Err(OutputError::new(
                    base + pct,
                    "invalid formatting syntax: formatting cannot end with a %",
                ));
            }
            let mut k = j + 1;
            let mut width: usize = 0;
            while k < b.len() && b[k].is_ascii_digit() {
                width = width
                    .saturating_mul(10)
                    .saturating_add(usize::from(b[k] - b'0'));
                k += 1;
            }
            if k == b.len() {
                return Err(OutputError::new(
                    base + pct,
                    "invalid formatting syntax: formatting cannot end with a number",
                ));
            }
            // libsinsp parses the longest text that is a valid, resolvable field expression,
            // shortening the candidate one character at a time.
            let rest = &s[k..];
            let mut first_err: Option<String> = None;
            let mut found = None;
            let mut end = rest.len();
            while end > 0 {
                if rest.is_char_boundary(end) {
                    let mut p = Parser {
                        s: &rest[..end],
                        pos: 0,
                    };
                    let mut c = Compiler {
                        schema,
                        fields: Vec::new(),
                    };
                    match p
                        .field_or_transformer(0)
                        .and_then(|ast| c.compile(&ast).map(|e| (ast_key(&ast), e)))
                    {
                        Ok((key, expr)) => {
                            found = Some((key, expr, p.pos, c.fields));
                            break;
                        }
                        Err(e) => {
                            if first_err.is_none() {
                                first_err = Some(e);
                            }
                        }
                    }
                }
                end -= 1;
            }
            let Some((key, expr, used, fields)) = found else {
                let why = first_err.unwrap_or_default();
                return Err(OutputError::new(
                    base + k,
                    format!("invalid formatting token %{}: {why}", token_preview(rest)),
                ));
            };
            compiler.fields.extend(fields);
            tokens.push(Token::Field { key, expr, width });
            j = k + used;
            lit_start = j;
        }
        if lit_start < b.len() {
            tokens.push(Token::Lit(s[lit_start..].to_string()));
        }
        Ok(OutputTemplate {
            format: format.to_string(),
            require_all,
            tokens,
            fields: compiler.fields,
        })
    }

    /// Compile a rule's `output` as Falco does: with a `*` prepended when it has none, so
    /// missing values print as `<NA>`.
    pub fn compile_rule_output(
        output: &str,
        schema: &dyn FieldSchema,
    ) -> Result<OutputTemplate, OutputError> {
        if output.starts_with('*') {
            OutputTemplate::compile(output, schema)
        } else {
            OutputTemplate::compile(&format!("*{output}"), schema).map_err(|mut e| {
                e.pos = e.pos.saturating_sub(1);
                e
            })
        }
    }

    /// The format text this template was compiled from.
    pub fn format(&self) -> &str {
        &self.format
    }

    /// True unless the format starts with `*`.
    pub fn requires_all_values(&self) -> bool {
        self.require_all
    }

    /// Append the rendered text of this template for `ev` to `out`. Missing values print as
    /// `<NA>`; returns false when a value was missing and the format does not start with `*`.
    pub fn render(&self, ev: &dyn Extract, out: &mut String) -> bool {
        let mut complete = true;
        for t in &self.tokens {
            match t {
                Token::Lit(s) => out.push_str(s),
                Token::Field { expr, width, .. } => {
                    let start = out.len();
                    let vals = expr.eval(ev);
                    if vals.is_none() {
                        complete = false;
                    }
                    let (ty, list) = expr.ty_list();
                    push_values(out, vals.as_deref(), ty, list);
                    if *width > 0 {
                        let len = out.len() - start;
                        if len > *width {
                            let mut end = start + *width;
                            while !out.is_char_boundary(end) {
                                end -= 1;
                            }
                            out.truncate(end);
                        }
                        let len = out.len() - start;
                        out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
                    }
                }
            }
        }
        complete || !self.require_all
    }

    /// The rendered text as a new string (see [`OutputTemplate::render`]).
    pub fn render_to_string(&self, ev: &dyn Extract) -> String {
        let mut s = String::new();
        self.render(ev, &mut s);
        s
    }

    /// The fields this output mentions, in order of appearance (duplicates kept), for
    /// `output_fields`.
    pub fn fields(&self) -> &[OutputField] {
        &self.fields
    }

    /// The `output_fields` entries of this output for `ev`: one per distinct key, sorted by
    /// key (Falco's JSON objects are ordered maps), each with its typed JSON value.
    pub fn field_values(&self, ev: &dyn Extract, ts_ns: u64) -> Vec<(String, FieldValue)> {
        let mut map = BTreeMap::new();
        for f in &self.fields {
            map.entry(f.key.clone())
                .or_insert_with(|| f.json_value(ev, ts_ns));
        }
        map.into_iter().collect()
    }

    /// Text values of the fields (`<NA>` when missing), keyed like [`Self::field_values`]:
    /// Falco's `get_field_values`.
    pub fn field_texts(&self, ev: &dyn Extract) -> Vec<(String, String)> {
        let mut map = BTreeMap::new();
        for f in &self.fields {
            map.entry(f.key.clone()).or_insert_with(|| {
                let vals = ev.extract(&f.field);
                let mut s = String::new();
                push_values(&mut s, vals.as_deref(), f.ty, f.list);
                s
            });
        }
        map.into_iter().collect()
    }
}

fn ast_key(ast: &Ast<'_>) -> String {
    match ast {
        Ast::Field { text, .. } | Ast::Transform { text, .. } => (*text).to_string(),
    }
}

fn token_preview(rest: &str) -> String {
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ')' || c == ',')
        .unwrap_or(rest.len());
    let t = &rest[..end];
    if t.is_empty() {
        rest.chars().take(1).collect()
    } else {
        t.to_string()
    }
}
