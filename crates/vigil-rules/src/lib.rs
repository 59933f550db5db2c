//! # vigil-rules
//!
//! Falco rule files → an immutable, event-type-indexed [`Ruleset`].
//!
//! ```text
//! RulesFile* ──load(LoadOptions{schemas, versions})──▶ LoadResult { per-file diagnostics, Ruleset? }
//! Ruleset ──configure(RulesetConfig{enable/disable, min priority, first|all})──▶ Ruleset
//! Ruleset::evaluate(source, event) ──▶ matching rules (only those interested in the event type)
//! ```
//!
//! Loading follows Falco 0.44 (engine 0.62.0): items `required_engine_version`,
//! `required_plugin_versions`, `list`, `macro`, `rule`; `override`/`append`; exceptions
//! assembled textually; lists substituted textually; macros resolved with visibility
//! order; outputs validated; diagnostics carry Falco's codes, item types, messages and a
//! context chain with file positions. Several files share one namespace, in order; loading
//! of a file stops at its first error.

#![deny(missing_docs)]

mod diag;
mod loader;
mod ruleset;
mod text;
mod yaml;

use vigil_event::FieldSchema;

pub use diag::{Code, Diagnostic, Location, Position};
pub use ruleset::{Rule, RuleMatching, Ruleset, RulesetConfig, Selection};
pub use vigil_filter::EventTypes;

/// The engine version we claim (Falco 0.44's engine).
pub const ENGINE_VERSION: (u32, u32, u32) = (0, 62, 0);

/// Plugins whose fields and sources vigil provides natively, with the versions we satisfy.
pub const NATIVE_PLUGINS: &[(&str, (u32, u32, u32))] = &[
    ("container", (0, 7, 1)),
    ("k8saudit", (0, 18, 0)),
    ("json", (0, 7, 3)),
];

/// One rules file: its name (shown in diagnostics) and raw content (need not be UTF-8;
/// invalid UTF-8 is reported, not a panic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesFile {
    /// The path as given.
    pub name: String,
    /// The bytes of the file.
    pub content: Vec<u8>,
}

impl RulesFile {
    /// A file from a name and content.
    pub fn new(name: impl Into<String>, content: impl Into<Vec<u8>>) -> RulesFile {
        RulesFile {
            name: name.into(),
            content: content.into(),
        }
    }

    /// Read a file from disk (name = the path as given).
    pub fn read(path: impl AsRef<std::path::Path>) -> std::io::Result<RulesFile> {
        let p = path.as_ref();
        Ok(RulesFile {
            name: p.display().to_string(),
            content: std::fs::read(p)?,
        })
    }
}

/// What the loader knows about the engine.
#[derive(Clone)]
pub struct LoadOptions<'a> {
    /// One schema per known source (`syscall`, `k8s_audit`); rules of other sources are
    /// skipped with `LOAD_UNKNOWN_SOURCE`.
    pub schemas: Vec<&'a dyn FieldSchema>,
    /// The engine version rules files are checked against.
    pub engine_version: (u32, u32, u32),
    /// Plugins (name, version) considered loaded for `required_plugin_versions`.
    pub plugins: Vec<(String, (u32, u32, u32))>,
}

impl std::fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field(
                "sources",
                &self.schemas.iter().map(|s| s.source()).collect::<Vec<_>>(),
            )
            .field("engine_version", &self.engine_version)
            .field("plugins", &self.plugins)
            .finish()
    }
}

impl<'a> LoadOptions<'a> {
    /// Options with these schemas, [`ENGINE_VERSION`] and [`NATIVE_PLUGINS`].
    pub fn new(schemas: Vec<&'a dyn FieldSchema>) -> LoadOptions<'a> {
        LoadOptions {
            schemas,
            engine_version: ENGINE_VERSION,
            plugins: NATIVE_PLUGINS
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
        }
    }
}

/// The load result of one file (Falco's per-file `falco_load_results[]` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileResult {
    /// The file name as given.
    pub name: String,
    /// No error in this file.
    pub successful: bool,
    /// Errors (at most one: loading a file stops at its first error).
    pub errors: Vec<Diagnostic>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// The result of [`load`].
#[derive(Debug)]
pub struct LoadResult {
    /// One entry per file, in order.
    pub files: Vec<FileResult>,
    /// The ruleset, when every file loaded without error.
    pub ruleset: Option<Ruleset>,
}

impl LoadResult {
    /// True when no file has an error.
    pub fn successful(&self) -> bool {
        self.files.iter().all(|f| f.successful)
    }

    /// Every error of every file.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.errors.iter())
    }

    /// Every warning of every file.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.warnings.iter())
    }
}

/// Load rules files, in order, into one namespace (as `falco -r a -r b` / `falco -V a b`):
/// each file is read, then everything collected so far is compiled, and the file's
/// diagnostics recorded. Never panics on any input.
pub fn load(files: &[RulesFile], opts: &LoadOptions) -> LoadResult {
    loader::load(files, opts)
}

#[cfg(test)]
mod tests;
