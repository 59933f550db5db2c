//! Load diagnostics with Falco's codes, item types and location chains.

use std::fmt;

macro_rules! codes {
    ($( $(#[$doc:meta])* $v:ident = $s:literal, $desc:literal, $err:literal; )*) => {
        /// A load-result code (Falco's `falco::load_result` error and warning codes).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $v, )*
        }

        impl Code {
            /// The code as Falco prints it (`LOAD_ERR_YAML_VALIDATE`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$v => $s, )* }
            }

            /// Falco's short description of the code.
            pub fn description(self) -> &'static str {
                match self { $( Code::$v => $desc, )* }
            }

            /// True for error codes (`LOAD_ERR_*`), false for warnings.
            pub fn is_error(self) -> bool {
                match self { $( Code::$v => $err, )* }
            }
        }
    };
}

codes! {
    /// The file could not be read.
    ErrFileRead = "LOAD_ERR_FILE_READ", "File read error", true;
    /// The content is not valid YAML.
    ErrYamlParse = "LOAD_ERR_YAML_PARSE", "YAML parse error", true;
    /// The YAML structure is not what a rules file needs.
    ErrYamlValidate = "LOAD_ERR_YAML_VALIDATE", "Error validating internal structure of YAML file", true;
    /// A condition did not parse or compile.
    ErrCompileCondition = "LOAD_ERR_COMPILE_CONDITION", "Error compiling condition", true;
    /// An output format did not compile.
    ErrCompileOutput = "LOAD_ERR_COMPILE_OUTPUT", "Error compiling output", true;
    /// A rule/macro/list/exception item is incorrect.
    ErrValidate = "LOAD_ERR_VALIDATE", "Error validating rule/macro/list/exception objects", true;
    /// A rule's source is not known; the rule is skipped.
    UnknownSource = "LOAD_UNKNOWN_SOURCE", "Unknown event source", false;
    /// A `<NA>` comparison in a condition.
    UnsafeNaCheck = "LOAD_UNSAFE_NA_CHECK", "Unsafe <NA> comparison in condition", false;
    /// A syscall rule matches too many event types.
    NoEvttype = "LOAD_NO_EVTTYPE", "Condition has no event-type restriction", false;
    /// An unknown field or event type in a `skip-if-unknown-filter` rule.
    UnknownFilter = "LOAD_UNKNOWN_FILTER", "Unknown field or event-type in condition or output", false;
    /// A macro nobody uses.
    UnusedMacro = "LOAD_UNUSED_MACRO", "Unused macro", false;
    /// A list nobody uses.
    UnusedList = "LOAD_UNUSED_LIST", "Unused list", false;
    /// An unknown top-level item.
    UnknownItem = "LOAD_UNKNOWN_ITEM", "Unknown rules file item", false;
    /// A deprecated construct.
    DeprecatedItem = "LOAD_DEPRECATED_ITEM", "Used deprecated item", false;
    /// A warning from an extension item.
    WarningExtension = "LOAD_WARNING_EXTENSION", "Warning in extension item", false;
    /// An appended exception without values.
    AppendNoValues = "LOAD_APPEND_NO_VALUES", "Overriding/appending with no values", false;
    /// Two exceptions of a rule share a name.
    ExceptionNameNotUnique = "LOAD_EXCEPTION_NAME_NOT_UNIQUE", "Multiple exceptions defined with the same name", false;
    /// A macro name that is not an identifier.
    InvalidMacroName = "LOAD_INVALID_MACRO_NAME", "Invalid macro name", false;
    /// A list name that is not a bare string.
    InvalidListName = "LOAD_INVALID_LIST_NAME", "Invalid list name", false;
    /// A warning from the condition compiler.
    CompileConditionWarning = "LOAD_COMPILE_CONDITION", "Warning in rule condition", false;
    /// An unknown key inside a known item.
    UnknownKey = "LOAD_UNKNOWN_KEY", "Unknown key in item definition", false;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a rules file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
    /// Byte offset in the file.
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One element of a diagnostic's context chain (Falco's `context.locations[]`), outermost
/// first: `rules content` → `rule 'x'` → `rule condition` → `condition expression`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Falco's item type (`rules content`, `rule`, `macro`, `list`, `exception`, `value for`,
    /// `condition expression`, `required_engine_version`, …).
    pub item_type: &'static str,
    /// The item's name (rule/macro/list/exception name, key name for `value for`), or empty.
    pub item_name: String,
    /// Where the item is.
    pub position: Option<Position>,
}

/// One error or warning of a rules load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The code.
    pub code: Code,
    /// The innermost item kind concerned (`rule`, `macro`, `list`, `exception`,
    /// `required_engine_version`, `rules content`, `rules content item`, …).
    pub item_type: &'static str,
    /// That item's name (may be empty).
    pub item_name: String,
    /// Falco-compatible message.
    pub message: String,
    /// Where the problem is (the innermost location with a position).
    pub position: Option<Position>,
    /// The source line with a caret under the position.
    pub snippet: Option<String>,
    /// The full context chain, outermost first (what Falco prints as `context.locations`).
    pub context: Vec<Location>,
}

impl Diagnostic {
    /// True when some location of the chain has this item type (case-insensitive), as the
    /// Falco regression suite matches.
    pub fn has_item_type(&self, t: &str) -> bool {
        self.context
            .iter()
            .any(|l| l.item_type.eq_ignore_ascii_case(t))
    }

    /// True when some location of the chain has this item name.
    pub fn has_item_name(&self, n: &str) -> bool {
        self.context.iter().any(|l| l.item_name == n)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.position {
            write!(f, "{p}: ")?;
        }
        write!(f, "{} ({})", self.code.as_str(), self.item_type)?;
        if !self.item_name.is_empty() {
            write!(f, " '{}'", self.item_name)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.snippet {
            write!(f, "\n{s}")?;
        }
        Ok(())
    }
}

/// Item types that name a whole item (the summary `item_type` of a diagnostic).
const ITEM_TYPES: &[&str] = &[
    "rules content",
    "rules content item",
    "required_engine_version",
    "required plugin versions",
    "required plugin versions entry",
    "required plugin versions alternative",
    "list",
    "macro",
    "rule",
    "exception",
];

/// A context chain under construction: (item type, item name, byte offset).
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    /// Index of the file the offsets refer to.
    pub(crate) file: usize,
    pub(crate) locs: Vec<(&'static str, String, Option<usize>)>,
}

impl Ctx {
    pub(crate) fn root() -> Ctx {
        Ctx {
            file: 0,
            locs: vec![("rules content", String::new(), None)],
        }
    }

    pub(crate) fn child(&self, item_type: &'static str, name: &str, offset: Option<usize>) -> Ctx {
        let mut locs = self.locs.clone();
        locs.push((item_type, name.to_string(), offset));
        Ctx {
            file: self.file,
            locs,
        }
    }
}

/// Line/column lookup and snippets for one file.
#[derive(Debug)]
pub(crate) struct SourceMap<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub(crate) fn new(name: &'a str, text: &'a str) -> SourceMap<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_iter(text.as_bytes()).map(|i| i + 1));
        SourceMap {
            name,
            text,
            line_starts,
        }
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        Position {
            file: self.name.to_string(),
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
            offset,
        }
    }

    /// The line holding `offset` (at most 160 chars around it) and a caret line.
    pub(crate) fn snippet(&self, offset: usize) -> String {
        let p = self.position(offset);
        let start = self.line_starts[(p.line - 1) as usize];
        let end = self.text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.text.len());
        let line = self.text[start..end].trim_end_matches('\r');
        let col = (p.col - 1) as usize;
        let chars: Vec<char> = line.chars().collect();
        let from = col.saturating_sub(80);
        let to = (col + 80).min(chars.len());
        let shown: String = chars[from.min(to)..to].iter().collect();
        format!("{shown}\n{}^", " ".repeat(col - from.min(col)))
    }

    pub(crate) fn diagnostic(&self, code: Code, message: String, ctx: &Ctx) -> Diagnostic {
        let context: Vec<Location> = ctx
            .locs
            .iter()
            .map(|(t, n, o)| Location {
                item_type: t,
                item_name: n.clone(),
                position: o.map(|o| self.position(o)),
            })
            .collect();
        let (item_type, item_name) = ctx
            .locs
            .iter()
            .rev()
            .find(|(t, _, _)| ITEM_TYPES.contains(t))
            .map(|(t, n, _)| (*t, n.clone()))
            .unwrap_or(("rules content", String::new()));
        let offset = ctx.locs.iter().rev().find_map(|(_, _, o)| *o);
        Diagnostic {
            code,
            item_type,
            item_name,
            message,
            position: Some(self.position(offset.unwrap_or(0))),
            snippet: offset.map(|o| self.snippet(o)),
            context,
        }
    }
}

fn memchr_iter(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .map(|(i, _)| i)
}
