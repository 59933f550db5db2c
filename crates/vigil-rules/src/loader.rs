//! Reader (YAML items → definitions), collector (define/append/replace across files) and
//! compiler (lists, macros, exceptions, outputs, conditions), after Falco's rule loader.

use std::collections::{BTreeSet, HashMap};

use vigil_event::{FieldSchema, Priority};
use vigil_filter::ast::{Expr, Operand, Span, TransformArg};
use vigil_filter::{CompileErrorKind, EventTypes};
use yaml_rust2::scanner::TScalarStyle;

use crate::diag::{Code, Ctx, Diagnostic, SourceMap};
use crate::ruleset::{Rule, Ruleset};
use crate::text::{self, Entry};
use crate::yaml::{self, Kind, Node};
use crate::{FileResult, LoadOptions, LoadResult, RulesFile};

const WARNING_APPEND: &str = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
const WARNING_ENABLED: &str = "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
const ERROR_OVERRIDE_APPEND: &str = "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
const ERROR_NO_PREVIOUS_MACRO: &str =
    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
const ERROR_NO_PREVIOUS_LIST: &str =
    "List uses 'append' or 'override.items: append' but no list by that name already exists";
const ERROR_NO_PREVIOUS_RULE_APPEND: &str =
    "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
const ERROR_NO_PREVIOUS_RULE_REPLACE: &str =
    "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";
const DEPRECATED_OUTPUT_FIELDS: &[&str] = &[
    "evt.dir",
    "evt.latency",
    "evt.latency.s",
    "evt.latency.ns",
    "evt.latency.human",
    "evt.wait_latency",
];
/// Most AST nodes a condition may have after macro expansion.
const MAX_EXPANDED_NODES: usize = 2_000_000;
/// Deepest macro-in-macro chain.
const MAX_MACRO_NESTING: usize = 256;

/// A diagnostic before positions are resolved.
#[derive(Debug)]
struct Raw {
    code: Code,
    message: String,
    ctx: Ctx,
}

fn raw(code: Code, message: impl Into<String>, ctx: &Ctx) -> Raw {
    Raw {
        code,
        message: message.into(),
        ctx: ctx.clone(),
    }
}

fn yerr(message: impl Into<String>, ctx: &Ctx) -> Raw {
    raw(Code::ErrYamlValidate, message, ctx)
}

fn verr(message: impl Into<String>, ctx: &Ctx) -> Raw {
    raw(Code::ErrValidate, message, ctx)
}

type R<T> = Result<T, Raw>;

/// Where a condition's text lives in its file, to map parser byte offsets back.
#[derive(Clone, Debug)]
struct CondLoc {
    ctx: Ctx,
    text: String,
    /// (offset in text, offset in file) for each source line of the scalar.
    segments: Vec<(usize, usize)>,
    node_offset: usize,
}

impl CondLoc {
    fn new(node: &Node, text: &str, src: &str, ctx: Ctx) -> CondLoc {
        CondLoc {
            ctx,
            text: text.to_string(),
            segments: segments(node, text, src),
            node_offset: node.offset,
        }
    }

    /// A `condition expression` context for byte `off` of `final_text` (the text actually
    /// parsed; it may differ from the scalar after appends, lists and exceptions).
    fn expr_ctx(&self, parent: &Ctx, final_text: &str, off: usize) -> Ctx {
        let (shift, body) = if final_text.len() > self.text.len() + 1
            && final_text.starts_with('(')
            && final_text[1..].starts_with(self.text.as_str())
        {
            (1, &final_text[1..])
        } else {
            (0, final_text)
        };
        let common = body
            .bytes()
            .zip(self.text.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let file_off = if off >= shift && off - shift < common {
            let t = off - shift;
            match self.segments.iter().rev().find(|(s, _)| *s <= t) {
                Some((s, f)) => f + (t - s),
                None => self.node_offset,
            }
        } else {
            self.node_offset
        };
        parent.child("condition expression", "", Some(file_off))
    }
}

/// Start offsets (text, file) of each line of a scalar.
fn segments(node: &Node, text: &str, src: &str) -> Vec<(usize, usize)> {
    let Kind::Scalar(_, style) = &node.kind else {
        return Vec::new();
    };
    let b = src.as_bytes();
    let line_end = |from: usize| {
        src[from.min(src.len())..]
            .find('\n')
            .map_or(src.len(), |i| from + i)
    };
    let (mut file, block) = match style {
        TScalarStyle::Plain => (node.offset, false),
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => (node.offset + 1, false),
        TScalarStyle::Literal | TScalarStyle::Folded => (line_end(node.offset) + 1, true),
    };
    let mut out = Vec::new();
    let mut t = 0usize;
    let mut indent: Option<usize> = None;
    let mut first = !block;
    while t <= text.len() && file < src.len() && out.len() < 100_000 {
        let mut start = file;
        if !first {
            let ws = b[file..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
            let skip = if block {
                let i = *indent.get_or_insert(ws);
                ws.min(i)
            } else {
                ws
            };
            start = file + skip;
        }
        first = false;
        let end = line_end(start);
        out.push((t, start));
        t += end - start + 1;
        file = end + 1;
    }
    out
}

#[derive(Clone, Debug)]
struct ListInfo {
    name: String,
    items: Vec<String>,
    index: u32,
    visibility: u32,
    ctx: Ctx,
}

#[derive(Clone, Debug)]
struct MacroInfo {
    cond: String,
    cond_loc: CondLoc,
    index: u32,
    visibility: u32,
    ctx: Ctx,
}

#[derive(Clone, Debug)]
struct ExceptionInfo {
    name: String,
    fields: Option<Entry>,
    comps: Option<Entry>,
    values: Vec<Entry>,
    ctx: Ctx,
}

#[derive(Clone, Debug)]
struct RuleInfo {
    name: String,
    cond: String,
    cond_loc: CondLoc,
    output: String,
    output_ctx: Ctx,
    desc: String,
    priority: Priority,
    source: String,
    enabled: bool,
    capture: bool,
    capture_duration: u32,
    warn_evttypes: bool,
    skip_if_unknown_filter: bool,
    tags: BTreeSet<String>,
    exceptions: Vec<ExceptionInfo>,
    unknown_source: bool,
    index: u32,
    visibility: u32,
    ctx: Ctx,
}

#[derive(Debug, Default)]
struct RuleUpdate {
    cond: Option<String>,
    output: Option<String>,
    desc: Option<String>,
    tags: Option<BTreeSet<String>>,
    exceptions: Option<Vec<ExceptionInfo>>,
    priority: Option<Priority>,
    capture: Option<bool>,
    capture_duration: Option<u32>,
    enabled: Option<bool>,
    warn_evttypes: Option<bool>,
    skip_if_unknown_filter: Option<bool>,
}

impl RuleUpdate {
    fn has_any_value(&self) -> bool {
        self.cond.is_some()
            || self.output.is_some()
            || self.desc.is_some()
            || self.tags.is_some()
            || self.exceptions.is_some()
            || self.priority.is_some()
            || self.capture.is_some()
            || self.capture_duration.is_some()
            || self.enabled.is_some()
            || self.warn_evttypes.is_some()
            || self.skip_if_unknown_filter.is_some()
    }
}

/// Named definitions in definition order; a redefinition keeps the first position.
#[derive(Debug)]
struct Indexed<T> {
    items: Vec<T>,
    by_name: HashMap<String, usize>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Indexed {
            items: Vec::new(),
            by_name: HashMap::new(),
        }
    }
}

impl<T> Indexed<T> {
    fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        let i = *self.by_name.get(name)?;
        self.items.get_mut(i)
    }
    fn get(&self, name: &str) -> Option<&T> {
        let i = *self.by_name.get(name)?;
        self.items.get(i)
    }
}

/// The collector: everything defined so far, across files.
struct State<'o> {
    opts: &'o LoadOptions<'o>,
    cur_index: u32,
    lists: Indexed<ListInfo>,
    macros: Indexed<MacroInfo>,
    rules: Indexed<RuleInfo>,
    plugin_reqs: Vec<(Vec<(String, String)>, Ctx)>,
    warnings: Vec<Raw>,
    file: usize,
}

fn schema_for<'a>(opts: &'a LoadOptions<'a>, source: &str) -> Option<&'a dyn FieldSchema> {
    opts.schemas.iter().copied().find(|s| s.source() == source)
}

/// Load rules files in order into one namespace, as `falco -V a.yaml b.yaml` does.
pub(crate) fn load(files: &[RulesFile], opts: &LoadOptions) -> LoadResult {
    let texts: Vec<Result<&str, usize>> = files
        .iter()
        .map(|f| std::str::from_utf8(&f.content).map_err(|e| e.valid_up_to()))
        .collect();
    let maps: Vec<SourceMap> = files
        .iter()
        .zip(&texts)
        .map(|(f, t)| SourceMap::new(&f.name, t.as_ref().map_or("", |s| s)))
        .collect();
    let mut st = State {
        opts,
        cur_index: 0,
        lists: Indexed::default(),
        macros: Indexed::default(),
        rules: Indexed::default(),
        plugin_reqs: Vec::new(),
        warnings: Vec::new(),
        file: 0,
    };
    let mut results = Vec::new();
    let mut last: Option<Vec<Rule>> = None;
    let mut all_ok = true;
    for (i, f) in files.iter().enumerate() {
        st.file = i;
        st.warnings.clear();
        let mut errors: Vec<Raw> = Vec::new();
        let root = Ctx::root_of(i);
        match texts[i] {
            Err(at) => errors.push(raw(
                Code::ErrYamlParse,
                format!("Rules content is not valid UTF-8 (invalid byte at offset {at})"),
                &root.with_offset(at),
            )),
            Ok(text) => {
                let reqs_before = st.plugin_reqs.len();
                match st.read(text, &root) {
                    Err(e) => errors.push(e),
                    Ok(()) => match st.compile() {
                        Err(e) => errors.push(e),
                        Ok(rules) => last = Some(rules),
                    },
                }
                if let Some(e) = st.check_plugins(reqs_before) {
                    errors.push(e);
                }
            }
        }
        let successful = errors.is_empty();
        all_ok &= successful;
        let conv = |r: &Raw| -> Diagnostic {
            let map = maps.get(r.ctx.file).unwrap_or(&maps[i]);
            map.diagnostic(r.code, r.message.clone(), &r.ctx)
        };
        results.push(FileResult {
            name: f.name.clone(),
            successful,
            errors: errors.iter().map(conv).collect(),
            warnings: st.warnings.iter().map(conv).collect(),
        });
    }
    let ruleset = if all_ok {
        last.map(|rules| Ruleset::new(rules, opts))
    } else {
        None
    };
    LoadResult {
        files: results,
        ruleset,
    }
}

// ---------------------------------------------------------------------------------------
// Reader helpers (yaml-cpp decode semantics)

/// `decode_val`: the scalar text of `key`, with Falco's errors. `Ok(None)` when optional and
/// absent, or when `can_be_empty` and null/empty.
fn decode_str<'n>(
    item: &'n Node,
    key: &str,
    ctx: &Ctx,
    optional: bool,
    can_be_empty: bool,
) -> R<Option<(&'n str, &'n Node)>> {
    let Some(val) = item.get(key) else {
        if optional {
            return Ok(None);
        }
        return Err(yerr(format!("Item has no mapping for key '{key}'"), ctx));
    };
    if val.is_null() {
        if can_be_empty {
            return Ok(None);
        }
        return Err(yerr(format!("Mapping for key '{key}' is empty"), ctx));
    }
    let valctx = ctx.child("value for", key, Some(val.offset));
    let Some(s) = val.scalar() else {
        return Err(yerr("Value is not a scalar value", &valctx));
    };
    if s.is_empty() {
        if can_be_empty {
            return Ok(None);
        }
        return Err(yerr("Value must be non-empty", &valctx));
    }
    Ok(Some((s, val)))
}

fn req_str<'n>(item: &'n Node, key: &str, ctx: &Ctx) -> R<(&'n str, &'n Node)> {
    decode_str(item, key, ctx, false, false)?
        .ok_or_else(|| yerr(format!("Item has no mapping for key '{key}'"), ctx))
}

fn decode_bool(item: &Node, key: &str, ctx: &Ctx, optional: bool) -> R<Option<bool>> {
    match decode_str(item, key, ctx, optional, false)? {
        None => Ok(None),
        Some((s, n)) => text::decode_bool(s).map(Some).ok_or_else(|| {
            yerr(
                "Can't decode YAML scalar value",
                &ctx.child("value for", key, Some(n.offset)),
            )
        }),
    }
}

fn decode_u32(item: &Node, key: &str, ctx: &Ctx, optional: bool) -> R<Option<u32>> {
    match decode_str(item, key, ctx, optional, false)? {
        None => Ok(None),
        Some((s, n)) => text::decode_u32(s).map(Some).ok_or_else(|| {
            yerr(
                "Can't decode YAML scalar value",
                &ctx.child("value for", key, Some(n.offset)),
            )
        }),
    }
}

fn decode_seq(item: &Node, key: &str, ctx: &Ctx, optional: bool) -> R<Option<Vec<String>>> {
    let Some(val) = item.get(key) else {
        if optional {
            return Ok(None);
        }
        return Err(yerr(format!("Item has no mapping for key '{key}'"), ctx));
    };
    let valctx = ctx.child("value for", key, Some(val.offset));
    let Some(seq) = val.seq() else {
        return Err(yerr("Value is not a sequence", &valctx));
    };
    let mut out = Vec::with_capacity(seq.len());
    for v in seq {
        let ictx = valctx.child("list item", "", Some(v.offset));
        match &v.kind {
            Kind::Scalar(s, _) => out.push(s.clone()),
            // yaml-cpp decodes a null scalar as the text "~"/"null".
            Kind::Null => out.push(String::new()),
            _ => return Err(yerr("sequence value is not scalar", &ictx)),
        }
    }
    Ok(Some(out))
}

fn decode_tags(item: &Node, ctx: &Ctx) -> R<Option<BTreeSet<String>>> {
    Ok(decode_seq(item, "tags", ctx, true)?.map(|v| v.into_iter().collect()))
}

/// `override:` → (append keys, replace keys).
fn decode_overrides(
    item: &Node,
    appendable: &[&str],
    replaceable: &[&str],
    ctx: &Ctx,
) -> R<(BTreeSet<String>, BTreeSet<String>)> {
    let mut app = BTreeSet::new();
    let mut rep = BTreeSet::new();
    let Some(val) = item.get("override") else {
        return Ok((app, rep));
    };
    let octx = ctx.child("overrides", "", Some(item.offset));
    let Kind::Map(entries) = &val.kind else {
        if val.is_null() {
            return Ok((app, rep));
        }
        return Err(yerr("Value of override must be a mapping", &octx));
    };
    for (k, v) in entries {
        let key = k.scalar().unwrap_or("");
        let op = v.scalar().unwrap_or("");
        let can_append = appendable.contains(&key);
        let can_replace = replaceable.contains(&key);
        let kctx = octx.child("overrides", key, Some(k.offset));
        match op {
            "append" => {
                if !can_append {
                    return Err(yerr(
                        format!("Key '{key}' cannot be appended to, use 'replace' instead"),
                        &kctx,
                    ));
                }
                app.insert(key.to_string());
            }
            "replace" => {
                if !can_replace {
                    return Err(yerr(format!("Key '{key}' cannot be replaced"), &kctx));
                }
                rep.insert(key.to_string());
            }
            _ => {
                let mut m = format!(
                    "Invalid override operation for key '{key}': '{op}'. Allowed values are: "
                );
                if can_append {
                    m.push_str("append ");
                }
                if can_replace {
                    m.push_str("replace ");
                }
                return Err(yerr(m, &octx.child("value for", key, Some(v.offset))));
            }
        }
    }
    Ok((app, rep))
}

fn decode_entry(val: &Node, key: &str, ctx: &Ctx) -> R<Entry> {
    let valctx = ctx.child("value for", key, Some(val.offset));
    match &val.kind {
        Kind::Scalar(s, _) => {
            if s.is_empty() {
                return Err(yerr("Value must be non-empty", &valctx));
            }
            Ok(Entry::Item(s.clone()))
        }
        Kind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                let lctx = valctx.child("exception", "", Some(v.offset));
                out.push(decode_entry(v, "", &lctx)?);
            }
            Ok(Entry::List(out))
        }
        _ => Ok(Entry::Item(String::new())),
    }
}

fn decode_entry_key(item: &Node, key: &str, ctx: &Ctx, optional: bool) -> R<Option<Entry>> {
    match item.get(key) {
        None if optional => Ok(None),
        None => Err(yerr(format!("Item has no mapping for key '{key}'"), ctx)),
        Some(v) => {
            let e = decode_entry(v, key, ctx)?;
            Ok(e.is_valid().then_some(e))
        }
    }
}

fn warn_unknown_keys(st: &mut State, item: &Node, expected: &[&str], ctx: &Ctx) {
    for (k, _) in item.keys() {
        if !expected.contains(&k) {
            st.warnings.push(raw(
                Code::UnknownKey,
                format!("Unknown key '{k}'. The key will be ignored."),
                ctx,
            ));
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    letters > 0
        && b[letters..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn is_barestr(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| matches!(c, '(' | ')' | '"' | '\'' | '=' | ',') || c.is_whitespace())
}

const RULE_APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const RULE_REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "capture",
    "capture_duration",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

impl Ctx {
    fn root_of(file: usize) -> Ctx {
        let mut c = Ctx::root();
        c.file = file;
        c
    }

    fn with_offset(&self, off: usize) -> Ctx {
        let mut c = self.clone();
        if let Some(l) = c.locs.last_mut() {
            l.2 = Some(off);
        }
        c
    }
}

impl State<'_> {
    fn next_index(&mut self) -> u32 {
        let i = self.cur_index;
        self.cur_index = self.cur_index.saturating_add(1);
        i
    }

    // -----------------------------------------------------------------------------------
    // Reader

    fn read(&mut self, text: &str, root: &Ctx) -> R<()> {
        let docs = match yaml::load_documents(text) {
            Ok(d) => d,
            Err(e) => {
                return Err(raw(
                    Code::ErrYamlParse,
                    e.message,
                    &root.with_offset(e.offset),
                ));
            }
        };
        for doc in docs.iter().flatten() {
            match &doc.kind {
                Kind::Null => continue,
                Kind::Seq(items) => {
                    for item in items {
                        if !item.is_null() {
                            self.read_item(item, root, text)?;
                        }
                    }
                }
                Kind::Map(_) => {
                    return Err(yerr(
                        "Rules content is not yaml array of objects",
                        &root.with_offset(doc.offset),
                    ));
                }
                Kind::Scalar(..) => {
                    return Err(yerr(
                        "Rules content is not yaml",
                        &root.with_offset(doc.offset),
                    ));
                }
            }
        }
        Ok(())
    }

    fn read_item(&mut self, item: &Node, parent: &Ctx, src: &str) -> R<()> {
        if !item.is_map() {
            return Err(yerr(
                "Unexpected element type. Each element should be a yaml associative array.",
                &parent.child("rules content item", "", Some(item.offset)),
            ));
        }
        let off = Some(item.offset);
        if item.get("required_engine_version").is_some() {
            let ctx = parent.child("required_engine_version", "", off);
            let (s, _) = req_str(item, "required_engine_version", &ctx)?;
            let version = match text::decode_u32(s) {
                Some(n) => (0, n, 0),
                None => text::parse_semver(s).ok_or_else(|| {
                    yerr(
                        format!(
                            "Unable to parse engine version '{s}' as a semver string. Expected \"x.y.z\" semver format."
                        ),
                        &ctx,
                    )
                })?,
            };
            let engine = self.opts.engine_version;
            if !text::compatible(engine, version) {
                return Err(verr(
                    format!(
                        "Rules require engine version {}, but engine version is {}",
                        text::version_str(version),
                        text::version_str(engine)
                    ),
                    &ctx,
                ));
            }
            warn_unknown_keys(self, item, &["required_engine_version"], &ctx);
        } else if let Some(reqs) = item.get("required_plugin_versions") {
            self.read_plugin_versions(item, reqs, parent)?;
        } else if item.get("list").is_some() {
            self.read_list(item, parent)?;
        } else if item.get("macro").is_some() {
            self.read_macro(item, parent, src)?;
        } else if item.get("rule").is_some() {
            self.read_rule(item, parent, src)?;
        } else {
            self.warnings.push(raw(
                Code::UnknownItem,
                "Unknown top level item",
                &parent.child("rules content item", "", off),
            ));
        }
        Ok(())
    }

    fn read_plugin_versions(&mut self, item: &Node, reqs: &Node, parent: &Ctx) -> R<()> {
        let ctx = parent.child("required plugin versions", "", Some(reqs.offset));
        let Some(seq) = reqs.seq() else {
            return Err(yerr(
                "Value of required_plugin_versions must be a sequence",
                &ctx,
            ));
        };
        for plugin in seq {
            let tmp = ctx.child("required plugin versions entry", "", Some(plugin.offset));
            if !plugin.is_map() {
                return Err(yerr("Plugin version must be a mapping", &tmp));
            }
            let (name, _) = req_str(plugin, "name", &tmp)?;
            let pctx = ctx.child("required plugin versions entry", name, Some(plugin.offset));
            let (version, _) = req_str(plugin, "version", &pctx)?;
            let mut alts = vec![(name.to_string(), version.to_string())];
            if let Some(a) = plugin.get("alternatives") {
                let Some(aseq) = a.seq() else {
                    return Err(yerr(
                        "Value of plugin version alternatives must be a sequence",
                        &pctx,
                    ));
                };
                for req in aseq {
                    let tmp =
                        pctx.child("required plugin versions alternative", "", Some(req.offset));
                    if !req.is_map() {
                        return Err(yerr("Plugin version alternative must be a mapping", &tmp));
                    }
                    let (an, _) = req_str(req, "name", &tmp)?;
                    let tmp =
                        pctx.child("required plugin versions alternative", an, Some(req.offset));
                    let (av, _) = req_str(req, "version", &tmp)?;
                    alts.push((an.to_string(), av.to_string()));
                }
            }
            let mut seen = BTreeSet::new();
            for (n, v) in &alts {
                if text::parse_semver(v).is_none() {
                    return Err(verr(
                        format!("Invalid required version '{v}' for plugin '{n}'"),
                        &pctx,
                    ));
                }
                if !seen.insert(n.clone()) {
                    return Err(verr(
                        format!(
                            "Defined multiple alternative version requirements for plugin '{n}'"
                        ),
                        &pctx,
                    ));
                }
            }
            self.plugin_reqs.push((alts, pctx));
        }
        let rctx = parent.child("required plugin versions", "", Some(item.offset));
        warn_unknown_keys(self, item, &["required_plugin_versions"], &rctx);
        Ok(())
    }

    fn check_plugins(&self, from: usize) -> Option<Raw> {
        for (alts, ctx) in self.plugin_reqs.iter().skip(from) {
            let mut satisfied = false;
            for (name, version) in alts {
                if let Some((_, have)) = self.opts.plugins.iter().find(|(n, _)| n == name) {
                    let req = text::parse_semver(version).unwrap_or((0, 0, 0));
                    if !text::compatible(*have, req) {
                        return Some(verr(
                            format!(
                                "Plugin '{name}' version '{}' is not compatible with required plugin version '{version}'",
                                text::version_str(*have)
                            ),
                            ctx,
                        ));
                    }
                    satisfied = true;
                    break;
                }
            }
            if !satisfied {
                let list = alts
                    .iter()
                    .map(|(n, v)| format!("{n} (>= {v})"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Some(verr(
                    format!("Plugin requirement not satisfied, must load one of: {list}"),
                    ctx,
                ));
            }
        }
        None
    }

    fn read_list(&mut self, item: &Node, parent: &Ctx) -> R<()> {
        let off = Some(item.offset);
        let tmp = parent.child("list", "", off);
        let (name, _) = req_str(item, "list", &tmp)?;
        let ctx = parent.child("list", name, off);
        if !is_barestr(name) {
            self.warnings.push(raw(
                Code::InvalidListName,
                "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)",
                &ctx,
            ));
        }
        let items = decode_seq(item, "items", &ctx, false)?.unwrap_or_default();
        let append = decode_bool(item, "append", &ctx, true)?.unwrap_or(false);
        if append {
            self.warnings
                .push(raw(Code::DeprecatedItem, WARNING_APPEND, &ctx));
        }
        let (oa, or) = decode_overrides(item, &["items"], &["items"], &ctx)?;
        if append && !(oa.is_empty() && or.is_empty()) {
            return Err(yerr(ERROR_OVERRIDE_APPEND, &ctx));
        }
        let id = self.next_index();
        if append || oa.contains("items") {
            let Some(prev) = self.lists.get_mut(name) else {
                return Err(verr(ERROR_NO_PREVIOUS_LIST, &ctx));
            };
            prev.items.extend(items);
            prev.visibility = id;
        } else {
            let info = ListInfo {
                name: name.to_string(),
                items,
                index: id,
                visibility: id,
                ctx: ctx.clone(),
            };
            define(&mut self.lists, info, name, |l| &mut l.index);
        }
        warn_unknown_keys(self, item, &["list", "items", "append", "override"], &ctx);
        Ok(())
    }

    fn read_macro(&mut self, item: &Node, parent: &Ctx, src: &str) -> R<()> {
        let off = Some(item.offset);
        let tmp = parent.child("macro", "", off);
        let (name, _) = req_str(item, "macro", &tmp)?;
        let ctx = parent.child("macro", name, off);
        if !is_identifier(name) {
            self.warnings.push(raw(
                Code::InvalidMacroName,
                "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)",
                &ctx,
            ));
        }
        let (cond, cnode) = req_str(item, "condition", &ctx)?;
        let cond_ctx = ctx.child("macro condition", "", Some(cnode.offset));
        let append = decode_bool(item, "append", &ctx, true)?.unwrap_or(false);
        if append {
            self.warnings
                .push(raw(Code::DeprecatedItem, WARNING_APPEND, &ctx));
        }
        let (oa, or) = decode_overrides(item, &["condition"], &["condition"], &ctx)?;
        if append && !(oa.is_empty() && or.is_empty()) {
            return Err(yerr(ERROR_OVERRIDE_APPEND, &ctx));
        }
        let id = self.next_index();
        if append || oa.contains("condition") {
            let Some(prev) = self.macros.get_mut(name) else {
                return Err(verr(ERROR_NO_PREVIOUS_MACRO, &ctx));
            };
            prev.cond.push(' ');
            prev.cond.push_str(cond);
            prev.visibility = id;
        } else {
            let info = MacroInfo {
                cond: cond.to_string(),
                cond_loc: CondLoc::new(cnode, cond, src, cond_ctx),
                index: id,
                visibility: id,
                ctx: ctx.clone(),
            };
            define(&mut self.macros, info, name, |m| &mut m.index);
        }
        warn_unknown_keys(
            self,
            item,
            &["macro", "condition", "append", "override"],
            &ctx,
        );
        Ok(())
    }

    fn read_exceptions(
        &mut self,
        item: &Node,
        parent: &Ctx,
        append: bool,
    ) -> R<Vec<ExceptionInfo>> {
        let mut out: Vec<ExceptionInfo> = Vec::new();
        let Some(exs) = item.get("exceptions") else {
            return Ok(out);
        };
        if exs.is_null() {
            return Ok(out);
        }
        let exes_ctx = parent.child("exceptions", "", Some(exs.offset));
        let Some(seq) = exs.seq() else {
            return Err(yerr("Rule exceptions must be a sequence", &exes_ctx));
        };
        for ex in seq {
            let tmp = exes_ctx.child("exception", "", Some(ex.offset));
            if !ex.is_map() {
                return Err(yerr("Rule exception must be a mapping", &tmp));
            }
            let (name, _) = req_str(ex, "name", &tmp)?;
            let ex_ctx = parent.child("exception", name, Some(ex.offset));
            if out.iter().any(|e| e.name == name) {
                self.warnings.push(raw(
                    Code::ExceptionNameNotUnique,
                    format!("Multiple definitions of exception '{name}' in the same rule"),
                    &ex_ctx,
                ));
            }
            let fields = decode_entry_key(ex, "fields", &ex_ctx, append)?;
            let comps = decode_entry_key(ex, "comps", &ex_ctx, true)?;
            let mut values = Vec::new();
            if let Some(vals) = ex.get("values") {
                let vals_ctx = ex_ctx.child("exception values", "", Some(vals.offset));
                let Some(vseq) = vals.seq() else {
                    return Err(yerr("Rule exception values must be a sequence", &vals_ctx));
                };
                for v in vseq {
                    let vctx = vals_ctx.child("exception value", "", Some(v.offset));
                    values.push(decode_entry(v, "", &vctx)?);
                }
            } else if append {
                self.warnings.push(raw(
                    Code::AppendNoValues,
                    "Overriding/appending exception with no values",
                    &ex_ctx,
                ));
            }
            out.push(ExceptionInfo {
                name: name.to_string(),
                fields,
                comps,
                values,
                ctx: ex_ctx,
            });
        }
        Ok(out)
    }

    fn read_priority(item: &Node, ctx: &Ctx) -> R<Priority> {
        let (p, pnode) = req_str(item, "priority", ctx)?;
        p.parse::<Priority>().map_err(|_| {
            yerr(
                "Invalid priority",
                &ctx.child("rule priority", "", Some(pnode.offset)),
            )
        })
    }

    fn read_rule(&mut self, item: &Node, parent: &Ctx, src: &str) -> R<()> {
        let off = Some(item.offset);
        let tmp = parent.child("rule", "", off);
        let (name, _) = req_str(item, "rule", &tmp)?;
        let ctx = parent.child("rule", name, off);
        let source = decode_str(item, "source", &ctx, true, true)?
            .map(|(s, _)| s.to_string())
            .unwrap_or_default();
        let has_append_flag = decode_bool(item, "append", &ctx, true)?.unwrap_or(false);
        if has_append_flag {
            self.warnings
                .push(raw(Code::DeprecatedItem, WARNING_APPEND, &ctx));
        }
        let (oa, or) = decode_overrides(item, RULE_APPENDABLE, RULE_REPLACEABLE, &ctx)?;
        let has_overrides = !oa.is_empty() || !or.is_empty();
        if has_append_flag && has_overrides {
            return Err(yerr(ERROR_OVERRIDE_APPEND, &ctx));
        }
        if has_overrides {
            let mut expected: BTreeSet<&str> = RULE_APPENDABLE
                .iter()
                .chain(RULE_REPLACEABLE)
                .copied()
                .filter(|k| item.get(k).is_some())
                .collect();
            let mut check = |set: &BTreeSet<String>, kind: &str, key: &'static str| -> R<bool> {
                if !set.contains(key) {
                    return Ok(false);
                }
                if !expected.remove(key) {
                    return Err(yerr(
                        format!(
                            "An {kind} override for '{key}' was specified but '{key}' is not defined"
                        ),
                        &ctx,
                    ));
                }
                Ok(true)
            };
            if !oa.is_empty() {
                let mut v = RuleUpdate::default();
                let mut src_for_check = String::new();
                if check(&oa, "append", "condition")? {
                    src_for_check.clone_from(&source);
                    v.cond = Some(req_str(item, "condition", &ctx)?.0.to_string());
                }
                if check(&oa, "append", "exceptions")? {
                    v.exceptions = Some(self.read_exceptions(item, &ctx, true)?);
                }
                if check(&oa, "append", "output")? {
                    v.output = Some(req_str(item, "output", &ctx)?.0.to_string());
                }
                if check(&oa, "append", "desc")? {
                    v.desc = Some(req_str(item, "desc", &ctx)?.0.to_string());
                }
                if check(&oa, "append", "tags")? {
                    v.tags = decode_tags(item, &ctx)?;
                }
                self.append_rule(name, &src_for_check, v, &ctx)?;
            }
            if !or.is_empty() {
                let mut v = RuleUpdate::default();
                let mut src_for_check = String::new();
                if check(&or, "replace", "condition")? {
                    src_for_check.clone_from(&source);
                    v.cond = Some(req_str(item, "condition", &ctx)?.0.to_string());
                }
                if check(&or, "replace", "exceptions")? {
                    v.exceptions = Some(self.read_exceptions(item, &ctx, false)?);
                }
                if check(&or, "replace", "output")? {
                    v.output = Some(req_str(item, "output", &ctx)?.0.to_string());
                }
                if check(&or, "replace", "desc")? {
                    v.desc = Some(req_str(item, "desc", &ctx)?.0.to_string());
                }
                if check(&or, "replace", "tags")? {
                    v.tags = decode_tags(item, &ctx)?;
                }
                if check(&or, "replace", "priority")? {
                    v.priority = Some(Self::read_priority(item, &ctx)?);
                }
                if check(&or, "replace", "capture")? {
                    v.capture = decode_bool(item, "capture", &ctx, false)?;
                }
                if check(&or, "replace", "capture_duration")? {
                    v.capture_duration = decode_u32(item, "capture_duration", &ctx, false)?;
                }
                if check(&or, "replace", "enabled")? {
                    v.enabled = decode_bool(item, "enabled", &ctx, false)?;
                }
                if check(&or, "replace", "warn_evttypes")? {
                    v.warn_evttypes = decode_bool(item, "warn_evttypes", &ctx, false)?;
                }
                if check(&or, "replace", "skip-if-unknown-filter")? {
                    v.skip_if_unknown_filter =
                        decode_bool(item, "skip-if-unknown-filter", &ctx, false)?;
                }
                self.replace_rule(name, &src_for_check, v, &ctx)?;
            }
            if let Some(key) = expected.iter().next() {
                let koff = item.get(key).map(|n| n.offset);
                return Err(yerr(
                    format!(
                        "Unexpected key '{key}': no corresponding entry under 'override' is defined."
                    ),
                    &ctx.child("overrides", key, koff),
                ));
            }
        } else if has_append_flag {
            let mut v = RuleUpdate::default();
            if item.get("condition").is_some() {
                v.cond = Some(req_str(item, "condition", &ctx)?.0.to_string());
            }
            if item.get("exceptions").is_some() {
                v.exceptions = Some(self.read_exceptions(item, &ctx, true)?);
            }
            self.append_rule(name, &source, v, &ctx)?;
        } else if item.get("condition").is_none()
            && item.get("output").is_none()
            && item.get("desc").is_none()
            && item.get("priority").is_none()
        {
            let enabled = decode_bool(item, "enabled", &ctx, false)?.unwrap_or(true);
            self.warnings
                .push(raw(Code::DeprecatedItem, WARNING_ENABLED, &ctx));
            let Some(prev) = self.rules.get_mut(name) else {
                return Err(verr(
                    "Rule has 'enabled' key but no rule by that name already exists",
                    &ctx,
                ));
            };
            prev.enabled = enabled;
        } else {
            let (cond, cnode) = req_str(item, "condition", &ctx)?;
            let cond_ctx = ctx.child("rule condition", "", Some(cnode.offset));
            let (output, onode) = req_str(item, "output", &ctx)?;
            let output_ctx = ctx.child("rule output", "", Some(onode.offset));
            let (desc, _) = req_str(item, "desc", &ctx)?;
            let priority = Self::read_priority(item, &ctx)?;
            let source = decode_str(item, "source", &ctx, true, false)?
                .map_or_else(|| "syscall".to_string(), |(s, _)| s.to_string());
            let enabled = decode_bool(item, "enabled", &ctx, true)?.unwrap_or(true);
            let capture = decode_bool(item, "capture", &ctx, true)?.unwrap_or(false);
            let capture_duration = decode_u32(item, "capture_duration", &ctx, true)?.unwrap_or(0);
            let warn_evttypes = decode_bool(item, "warn_evttypes", &ctx, true)?.unwrap_or(true);
            let skip = decode_bool(item, "skip-if-unknown-filter", &ctx, true)?.unwrap_or(false);
            let tags = decode_tags(item, &ctx)?.unwrap_or_default();
            let exceptions = self.read_exceptions(item, &ctx, false)?;
            let info = RuleInfo {
                name: name.to_string(),
                cond: cond.to_string(),
                cond_loc: CondLoc::new(cnode, cond, src, cond_ctx),
                output: output.trim().to_string(),
                output_ctx,
                desc: desc.to_string(),
                priority,
                source,
                enabled,
                capture,
                capture_duration,
                warn_evttypes,
                skip_if_unknown_filter: skip,
                tags,
                exceptions,
                unknown_source: false,
                index: 0,
                visibility: 0,
                ctx: ctx.clone(),
            };
            self.define_rule(info)?;
        }
        warn_unknown_keys(
            self,
            item,
            &[
                "rule",
                "condition",
                "output",
                "desc",
                "priority",
                "source",
                "enabled",
                "capture",
                "capture_duration",
                "warn_evttypes",
                "skip-if-unknown-filter",
                "tags",
                "exceptions",
                "override",
                "append",
            ],
            &ctx,
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Collector

    fn check_prev_source(&self, name: &str, source: &str, ctx: &Ctx) -> R<()> {
        if let Some(prev) = self.rules.get(name)
            && !prev.source.is_empty()
            && !source.is_empty()
            && prev.source != source
        {
            return Err(verr(
                "Rule has been re-defined with a different source",
                ctx,
            ));
        }
        Ok(())
    }

    fn define_rule(&mut self, mut info: RuleInfo) -> R<()> {
        self.check_prev_source(&info.name, &info.source, &info.ctx)?;
        let schema = schema_for(self.opts, &info.source);
        if schema.is_none() {
            info.unknown_source = true;
            self.warnings.push(raw(
                Code::UnknownSource,
                format!("Unknown source {}, skipping", info.source),
                &info.ctx,
            ));
        }
        for ex in &mut info.exceptions {
            if ex.fields.is_none() {
                return Err(verr(
                    "Rule exception item must have fields property with a list of fields",
                    &ex.ctx,
                ));
            }
            validate_exception(schema, ex)?;
        }
        let id = self.next_index();
        info.index = id;
        info.visibility = id;
        let name = info.name.clone();
        define(&mut self.rules, info, &name, |r| &mut r.index);
        Ok(())
    }

    fn prev_rule_source(&self, name: &str) -> Option<Option<&str>> {
        let prev = self.rules.get(name)?;
        Some((!prev.unknown_source).then_some(prev.source.as_str()))
    }

    fn append_rule(&mut self, name: &str, source: &str, v: RuleUpdate, ctx: &Ctx) -> R<()> {
        self.check_prev_source(name, source, ctx)?;
        let Some(prev_source) = self.prev_rule_source(name) else {
            return Err(verr(ERROR_NO_PREVIOUS_RULE_APPEND, ctx));
        };
        if !v.has_any_value() {
            return Err(verr(
                "Appended rule must have exceptions or condition property",
                ctx,
            ));
        }
        let schema = match prev_source {
            Some(s) => Some(
                schema_for(self.opts, s).ok_or_else(|| verr(format!("Unknown source {s}"), ctx))?,
            ),
            None => None,
        };
        let id = self.next_index();
        let Some(prev) = self.rules.get_mut(name) else {
            return Err(verr(ERROR_NO_PREVIOUS_RULE_APPEND, ctx));
        };
        if let Some(c) = v.cond.filter(|c| !c.is_empty()) {
            prev.cond.push(' ');
            prev.cond.push_str(&c);
        }
        if let Some(o) = v.output.filter(|c| !c.is_empty()) {
            prev.output.push(' ');
            prev.output.push_str(&o);
        }
        if let Some(d) = v.desc.filter(|c| !c.is_empty()) {
            prev.desc.push(' ');
            prev.desc.push_str(&d);
        }
        if let Some(t) = v.tags {
            prev.tags.extend(t);
        }
        for mut ex in v.exceptions.unwrap_or_default() {
            match prev.exceptions.iter_mut().find(|e| e.name == ex.name) {
                None => {
                    if ex.fields.is_none() {
                        return Err(verr(
                            "Rule exception must have fields property with a list of fields",
                            &ex.ctx,
                        ));
                    }
                    if ex.values.is_empty() {
                        return Err(verr(
                            "Rule exception must have values property with a list of values",
                            &ex.ctx,
                        ));
                    }
                    validate_exception(schema, &mut ex)?;
                    prev.exceptions.push(ex);
                }
                Some(pe) => {
                    if ex.fields.is_some() {
                        return Err(verr(
                            "Can not append exception fields to existing exception, only values",
                            &ex.ctx,
                        ));
                    }
                    if ex.comps.is_some() {
                        return Err(verr(
                            "Can not append exception comps to existing exception, only values",
                            &ex.ctx,
                        ));
                    }
                    pe.values.extend(ex.values);
                }
            }
        }
        prev.visibility = id;
        Ok(())
    }

    fn replace_rule(&mut self, name: &str, source: &str, v: RuleUpdate, ctx: &Ctx) -> R<()> {
        self.check_prev_source(name, source, ctx)?;
        let Some(prev_source) = self.prev_rule_source(name) else {
            return Err(verr(ERROR_NO_PREVIOUS_RULE_REPLACE, ctx));
        };
        if !v.has_any_value() {
            return Err(verr(
                "The rule must have at least one field that can be replaced",
                ctx,
            ));
        }
        let schema = match prev_source {
            Some(s) => Some(
                schema_for(self.opts, s).ok_or_else(|| verr(format!("Unknown source {s}"), ctx))?,
            ),
            None => None,
        };
        let mut exceptions = v.exceptions;
        if let Some(exs) = &mut exceptions {
            // Falco does not validate replaced exceptions; we do, so that assembling them
            // cannot go out of bounds.
            for ex in exs.iter_mut() {
                if ex.fields.is_none() {
                    return Err(verr(
                        "Rule exception item must have fields property with a list of fields",
                        &ex.ctx,
                    ));
                }
                validate_exception(schema, ex)?;
            }
        }
        let id = self.next_index();
        let Some(prev) = self.rules.get_mut(name) else {
            return Err(verr(ERROR_NO_PREVIOUS_RULE_REPLACE, ctx));
        };
        if let Some(c) = v.cond {
            prev.cond = c;
        }
        if let Some(o) = v.output {
            prev.output = o;
        }
        if let Some(d) = v.desc {
            prev.desc = d;
        }
        if let Some(t) = v.tags {
            prev.tags = t;
        }
        if let Some(e) = exceptions {
            prev.exceptions = e;
        }
        if let Some(p) = v.priority {
            prev.priority = p;
        }
        if let Some(c) = v.capture {
            prev.capture = c;
        }
        if let Some(c) = v.capture_duration {
            prev.capture_duration = c;
        }
        if let Some(e) = v.enabled {
            prev.enabled = e;
        }
        if let Some(w) = v.warn_evttypes {
            prev.warn_evttypes = w;
        }
        if let Some(s) = v.skip_if_unknown_filter {
            prev.skip_if_unknown_filter = s;
        }
        prev.visibility = id;
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Compiler

    fn compile(&mut self) -> R<Vec<Rule>> {
        // Lists: one level of nested expansion, visibility-ordered.
        let mut lists: Vec<(String, Vec<String>, bool)> = Vec::new();
        let mut used_names = Vec::new();
        for l in &self.lists.items {
            let mut items = Vec::new();
            for it in &l.items {
                match self.lists.get(it) {
                    Some(r) if r.index < l.visibility => {
                        used_names.push(r.name.clone());
                        items.extend(r.items.iter().cloned());
                    }
                    _ => items.push(it.clone()),
                }
            }
            lists.push((l.name.clone(), items, false));
        }
        for n in used_names {
            if let Some(l) = lists.iter_mut().find(|l| l.0 == n) {
                l.2 = true;
            }
        }

        // Macros: parse all, then resolve in order with visibility.
        let mut parsed: Vec<Option<Expr>> = Vec::with_capacity(self.macros.items.len());
        for m in &self.macros.items {
            let e = parse_condition(&m.cond, &mut lists, &m.cond_loc, &m.cond_loc.ctx)?;
            parsed.push(Some(e));
        }
        let mut macro_used = vec![false; self.macros.items.len()];
        let mut resolved: Vec<Option<Expr>> = vec![None; self.macros.items.len()];
        for (i, m) in self.macros.items.iter().enumerate() {
            let Some(mut e) = parsed[i].clone() else {
                continue;
            };
            let vis = m.visibility;
            let by_name = &self.macros.by_name;
            let infos = &self.macros.items;
            let lookup = |n: &str| -> Option<usize> {
                let j = *by_name.get(n)?;
                (infos[j].index < vis).then_some(j)
            };
            let src = |j: usize| resolved[j].as_ref().or(parsed[j].as_ref());
            let mut ctx = ResolveCtx {
                lookup: &lookup,
                source: &src,
                used: &mut macro_used,
                stack: Vec::new(),
                budget: MAX_EXPANDED_NODES,
            };
            if let Err((msg, span)) = ctx.resolve(&mut e) {
                let c = m.cond_loc.expr_ctx(&m.ctx, &m.cond, span.start);
                return Err(verr(msg, &c));
            }
            resolved[i] = Some(e);
        }

        // Rules, compiled as one set: sub-expressions they repeat are evaluated once per event.
        let sharing = vigil_filter::Sharing::new();
        let mut out = Vec::new();
        for r in &self.rules.items {
            if r.unknown_source {
                continue;
            }
            let Some(schema) = schema_for(self.opts, &r.source) else {
                return Err(verr(
                    format!("Unknown source at compile-time{}", r.source),
                    &r.ctx,
                ));
            };
            let mut condition = r.cond.clone();
            let mut exception_fields = BTreeSet::new();
            if !r.exceptions.is_empty() {
                condition = build_exceptions(&r.exceptions, &mut exception_fields, &condition)?;
            }
            let mut output = r.output.clone();
            if output.contains("%container.info") {
                self.warnings.push(raw(
                    Code::DeprecatedItem,
                    "%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.",
                    &r.ctx,
                ));
                output = output.replace("%container.info", "");
            }
            if let Err(e) = text::check_output(&output, schema) {
                if e.unknown && r.skip_if_unknown_filter {
                    self.warnings
                        .push(raw(Code::UnknownFilter, e.message, &r.output_ctx));
                    continue;
                }
                return Err(raw(Code::ErrCompileOutput, e.message, &r.output_ctx));
            }
            for f in DEPRECATED_OUTPUT_FIELDS {
                if output.contains(f) {
                    self.warnings.push(raw(
                        Code::DeprecatedItem,
                        format!(
                            "usage of deprecated field '{f}' has been detected in the rule output"
                        ),
                        &r.output_ctx,
                    ));
                }
            }
            // Condition: lists, parse, macros, compile.
            let mut expr = parse_condition(&condition, &mut lists, &r.cond_loc, &r.cond_loc.ctx)?;
            {
                let by_name = &self.macros.by_name;
                let lookup = |n: &str| by_name.get(n).copied();
                let src = |j: usize| resolved[j].as_ref().or(parsed[j].as_ref());
                let mut ctx = ResolveCtx {
                    lookup: &lookup,
                    source: &src,
                    used: &mut macro_used,
                    stack: Vec::new(),
                    budget: MAX_EXPANDED_NODES,
                };
                if let Err((msg, span)) = ctx.resolve(&mut expr) {
                    let c = r.cond_loc.expr_ctx(&r.ctx, &condition, span.start);
                    return Err(verr(msg, &c));
                }
            }
            let filter = match sharing.compile(&expr, schema) {
                Ok(f) => f,
                Err(e) => {
                    let c = r
                        .cond_loc
                        .expr_ctx(&r.cond_loc.ctx, &condition, e.span.start);
                    let unknown = matches!(
                        e.kind,
                        CompileErrorKind::UnknownField | CompileErrorKind::UnknownEventType
                    ) || e.message.contains("nonexistent field")
                        || e.message.contains("unknown event type");
                    if unknown && r.skip_if_unknown_filter {
                        self.warnings.push(raw(Code::UnknownFilter, e.message, &c));
                        continue;
                    }
                    return Err(raw(Code::ErrCompileCondition, e.message, &c));
                }
            };
            if r.source == "syscall" && r.warn_evttypes {
                let too_many = match filter.event_types() {
                    EventTypes::All => true,
                    EventTypes::Only(v) => v.len() > 100,
                };
                if too_many {
                    self.warnings.push(raw(
                        Code::NoEvttype,
                        "Rule matches too many evt.type values. This has a significant performance penalty.",
                        &r.ctx,
                    ));
                }
            }
            out.push(Rule {
                name: r.name.clone(),
                desc: r.desc.clone(),
                condition,
                output,
                priority: r.priority,
                tags: r.tags.iter().cloned().collect(),
                source: r.source.clone(),
                enabled: r.enabled,
                capture: r.capture,
                capture_duration: r.capture_duration,
                exceptions: r.exceptions.len(),
                exception_fields: exception_fields.into_iter().collect(),
                event_types: filter.event_types().clone(),
                filter,
                expr,
            });
        }
        sharing.finish(out.iter_mut().map(|r: &mut Rule| &mut r.filter));

        for (i, m) in self.macros.items.iter().enumerate() {
            if !macro_used[i] {
                self.warnings.push(raw(
                    Code::UnusedMacro,
                    "Macro not referred to by any other rule/macro",
                    &m.ctx,
                ));
            }
        }
        for (i, l) in lists.iter().enumerate() {
            if !l.2
                && let Some(info) = self.lists.items.get(i)
            {
                self.warnings.push(raw(
                    Code::UnusedList,
                    "List not referred to by any other rule/macro",
                    &info.ctx,
                ));
            }
        }
        Ok(out)
    }
}

fn define<T>(ix: &mut Indexed<T>, mut info: T, name: &str, index: impl Fn(&mut T) -> &mut u32) {
    if let Some(&i) = ix.by_name.get(name) {
        if let Some(prev) = ix.items.get_mut(i) {
            let keep = *index(prev);
            *index(&mut info) = keep;
            *prev = info;
        }
    } else {
        ix.by_name.insert(name.to_string(), ix.items.len());
        ix.items.push(info);
    }
}

/// Substitute lists textually, then parse.
fn parse_condition(
    cond: &str,
    lists: &mut [(String, Vec<String>, bool)],
    loc: &CondLoc,
    parent: &Ctx,
) -> R<Expr> {
    let mut text = cond.to_string();
    for l in lists.iter_mut() {
        if let Some(t) = text::resolve_list(&text, &l.0, &l.1) {
            text = t;
            l.2 = true;
        }
    }
    vigil_filter::parse(&text).map_err(|e| {
        raw(
            Code::ErrCompileCondition,
            e.message,
            &loc.expr_ctx(parent, &text, e.span.start),
        )
    })
}

struct ResolveCtx<'a> {
    lookup: &'a dyn Fn(&str) -> Option<usize>,
    source: &'a dyn Fn(usize) -> Option<&'a Expr>,
    used: &'a mut [bool],
    stack: Vec<usize>,
    budget: usize,
}

impl ResolveCtx<'_> {
    fn resolve(&mut self, e: &mut Expr) -> Result<(), (String, Span)> {
        let mut err: Option<(String, Span)> = None;
        e.substitute_idents(&mut |name, span| {
            if err.is_some() {
                return None;
            }
            let Some(j) = (self.lookup)(name) else {
                err = Some((format!("Undefined macro '{name}' used in filter."), span));
                return None;
            };
            if self.stack.contains(&j) {
                err = Some((format!("Reference loop in macro '{name}'"), span));
                return None;
            }
            if self.stack.len() >= MAX_MACRO_NESTING {
                err = Some((format!("Macros nested too deeply at '{name}'"), span));
                return None;
            }
            let body = (self.source)(j)?;
            let n = count_nodes(body);
            if n > self.budget {
                err = Some((
                    format!("Condition too large after expanding macro '{name}'"),
                    span,
                ));
                return None;
            }
            self.budget -= n;
            self.used[j] = true;
            let mut copy = body.clone();
            self.stack.push(j);
            let r = self.resolve(&mut copy);
            self.stack.pop();
            if let Err(e) = r {
                err = Some(e);
                return None;
            }
            Some(copy)
        });
        match err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn count_nodes(e: &Expr) -> usize {
    match e {
        Expr::And { children, .. } | Expr::Or { children, .. } => {
            1 + children.iter().map(count_nodes).sum::<usize>()
        }
        Expr::Not { child, .. } => 1 + count_nodes(child),
        _ => 1,
    }
}

/// Check comps and fields of an exception; fill default comps.
fn validate_exception(schema: Option<&dyn FieldSchema>, ex: &mut ExceptionInfo) -> R<()> {
    match &ex.fields {
        Some(Entry::List(fields)) => {
            let n = fields.len();
            let comps = match ex.comps.take() {
                None => vec![Entry::Item("=".into()); n],
                Some(Entry::List(c)) => c,
                Some(Entry::Item(c)) => vec![Entry::Item(c)],
            };
            if comps.len() != n {
                return Err(verr(
                    "Fields and comps lists must have equal length",
                    &ex.ctx,
                ));
            }
            let mut norm = Vec::with_capacity(n);
            for c in comps {
                let c = match c {
                    Entry::Item(s) => s.trim().to_string(),
                    Entry::List(_) => String::new(),
                };
                if !text::is_operator_defined(&c) && !text::is_str_operator_with_modifier(&c) {
                    return Err(verr(
                        format!("'{c}' is not a supported comparison operator"),
                        &ex.ctx,
                    ));
                }
                norm.push(Entry::Item(c));
            }
            ex.comps = Some(Entry::List(norm));
            if let Some(s) = schema {
                for f in fields {
                    let name = match f {
                        Entry::Item(s) => s.as_str(),
                        Entry::List(_) => "",
                    };
                    if !is_valid_lhs_field(s, name) {
                        return Err(verr(
                            format!("'{name}' is not a supported filter field"),
                            &ex.ctx,
                        ));
                    }
                }
            }
        }
        Some(Entry::Item(field)) => {
            let comp = match ex.comps.take() {
                None => "in".to_string(),
                Some(Entry::Item(c)) => c.trim().to_string(),
                Some(Entry::List(_)) => {
                    return Err(verr("Fields and comps must both be strings", &ex.ctx));
                }
            };
            if comp != "in"
                && comp != "pmatch"
                && comp != "intersects"
                && !text::is_str_operator_with_modifier(&comp)
            {
                return Err(verr(
                    "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)",
                    &ex.ctx,
                ));
            }
            ex.comps = Some(Entry::Item(comp));
            if let Some(s) = schema
                && !is_valid_lhs_field(s, field)
            {
                return Err(verr(
                    format!("'{field}' is not a supported filter field"),
                    &ex.ctx,
                ));
            }
        }
        None => {}
    }
    Ok(())
}

/// A field (with argument) or transformer that the schema can resolve.
fn is_valid_lhs_field(schema: &dyn FieldSchema, f: &str) -> bool {
    let Ok(Expr::Check(c)) = vigil_filter::parse(&format!("{f} exists")) else {
        return false;
    };
    operand_ok(schema, &c.lhs)
}

fn operand_ok(schema: &dyn FieldSchema, o: &Operand) -> bool {
    match o {
        Operand::Field(f) => schema.resolve(&f.name, f.arg.as_deref()).is_ok(),
        Operand::Transform(t) => t.args.iter().all(|a| targ_ok(schema, a)),
    }
}

fn targ_ok(schema: &dyn FieldSchema, a: &TransformArg) -> bool {
    match a {
        TransformArg::Operand(o) => operand_ok(schema, o),
        TransformArg::Literal(_) => true,
        TransformArg::List { items, .. } => items.iter().all(|i| targ_ok(schema, i)),
    }
}

/// Falco's textual exception assembly: `(cond) and not ((f1 c1 v1 and f2 c2 v2) or …)`.
fn build_exceptions(
    exceptions: &[ExceptionInfo],
    fields_out: &mut BTreeSet<String>,
    cond: &str,
) -> R<String> {
    let mut condition = format!("({cond})");
    for ex in exceptions {
        let mut icond = String::new();
        match (&ex.fields, &ex.comps) {
            (Some(Entry::Item(field)), comp) => {
                let comp = match comp {
                    Some(Entry::Item(c)) => c.as_str(),
                    _ => "in",
                };
                for val in &ex.values {
                    let Entry::Item(v) = val else {
                        return Err(verr(
                            "Expected values array to contain a list of strings",
                            &ex.ctx,
                        ));
                    };
                    if icond.is_empty() {
                        icond = format!("({field} {comp} (");
                    } else {
                        icond.push_str(", ");
                    }
                    fields_out.insert(field.clone());
                    icond.push_str(&text::quote_item(v));
                }
                if !icond.is_empty() {
                    icond.push_str("))");
                }
            }
            (Some(Entry::List(fields)), comps) => {
                let comps: Vec<&str> = match comps {
                    Some(Entry::List(c)) => c
                        .iter()
                        .map(|e| match e {
                            Entry::Item(s) => s.as_str(),
                            Entry::List(_) => "=",
                        })
                        .collect(),
                    _ => vec!["="; fields.len()],
                };
                icond.push('(');
                for values in &ex.values {
                    let items: &[Entry] = match values {
                        Entry::List(v) => v,
                        Entry::Item(_) => &[],
                    };
                    if fields.len() != items.len() || comps.len() != fields.len() {
                        return Err(verr(
                            "Fields and values lists must have equal length",
                            &ex.ctx,
                        ));
                    }
                    if icond != "(" {
                        icond.push_str(" or ");
                    }
                    icond.push('(');
                    for (k, field) in fields.iter().enumerate() {
                        let fname = match field {
                            Entry::Item(s) => s.as_str(),
                            Entry::List(_) => "",
                        };
                        if k > 0 {
                            icond.push_str(" and ");
                        }
                        let istr = match &items[k] {
                            Entry::List(vs) => {
                                let inner: Vec<String> = vs
                                    .iter()
                                    .map(|v| match v {
                                        Entry::Item(s) => text::quote_item(s),
                                        Entry::List(_) => String::new(),
                                    })
                                    .collect();
                                format!("({})", inner.join(", "))
                            }
                            Entry::Item(s) => {
                                if text::is_operator_for_list(comps[k]) {
                                    text::paren_item(s)
                                } else {
                                    text::quote_item(s)
                                }
                            }
                        };
                        icond.push(' ');
                        icond.push_str(fname);
                        icond.push(' ');
                        icond.push_str(comps[k]);
                        icond.push(' ');
                        icond.push_str(&istr);
                        fields_out.insert(fname.to_string());
                    }
                    icond.push(')');
                }
                icond.push(')');
                if icond == "()" {
                    icond.clear();
                }
            }
            (None, _) => {}
        }
        if !icond.is_empty() {
            condition.push_str(" and not ");
            condition.push_str(&icond);
        }
    }
    Ok(condition)
}
