//! The report model: severities, objects, findings, diagnostics.

use std::fmt;
use std::str::FromStr;

use crate::path::{Edit, Path};

/// vigil's own severity model (see `docs/manifest-checks.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Hygiene; no direct security impact.
    Info,
    /// Defence in depth that most workloads should have.
    Low,
    /// Weakens isolation or immutability; exploitable with another flaw.
    Medium,
    /// Directly weakens container isolation or exposes credentials.
    High,
    /// Equivalent to root on the node or the cluster.
    Critical,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Low | Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }

    /// GitHub code-scanning `security-severity` (0.0-10.0).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Info => "1.0",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity {s:?} (info, low, medium, high, critical)"
            )),
        }
    }
}

/// Where an object came from and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// Index into [`Report::files`].
    pub file: usize,
    /// 0-based document index in the file.
    pub doc: usize,
    /// Index in a `List`'s `items`, if the object came from one.
    pub item: Option<usize>,
    /// 1-based line where the object starts.
    pub line: u32,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (or `generateName`), may be empty.
    pub name: String,
    /// `metadata.namespace`, may be empty.
    pub namespace: String,
}

impl ObjectRef {
    /// `Kind/namespace/name` (namespace omitted when empty).
    pub fn display_name(&self) -> String {
        let name = if self.name.is_empty() {
            "<unnamed>"
        } else {
            &self.name
        };
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, name)
        }
    }
}

/// One failed check on one place of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Check id.
    pub check: &'static str,
    /// Severity of the check.
    pub severity: Severity,
    /// JSON path in the object of the offending (or missing) field.
    pub path: Path,
    /// 1-based line (the deepest existing node of `path`).
    pub line: u32,
    /// What is wrong here.
    pub message: String,
    /// True when the unsafe value is written in the manifest, false when it is an unsafe
    /// default (field absent).
    pub explicit: bool,
    /// Edits that harden the object (empty when only a human can decide).
    pub fix: Vec<Edit>,
    /// What to do when `fix` is empty or needs review.
    pub advice: &'static str,
}

/// The results for one object.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectReport {
    /// The object.
    pub object: ObjectRef,
    /// Checks that applied to it (passed or failed).
    pub applicable: Vec<&'static str>,
    /// Failed checks.
    pub findings: Vec<Finding>,
    /// Hardening seen in the manifest (e.g. `readOnlyRootFilesystem`, `capDropAll`), used by
    /// the kubesec-compatible score.
    pub evidence: Vec<&'static str>,
}

/// A file, document or object that could not be read, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Index into [`Report::files`].
    pub file: usize,
    /// 1-based line (0 when unknown, e.g. an unreadable file).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub col: u32,
    /// What went wrong.
    pub message: String,
}

/// Everything one run found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Input names, as given (`-` for stdin).
    pub files: Vec<String>,
    /// Per object results, in input order.
    pub objects: Vec<ObjectReport>,
    /// Errors (malformed input); the rest of the input was still checked.
    pub errors: Vec<Diagnostic>,
}

impl Report {
    /// All findings with their object.
    pub fn findings(&self) -> impl Iterator<Item = (&ObjectRef, &Finding)> {
        self.objects
            .iter()
            .flat_map(|o| o.findings.iter().map(move |f| (&o.object, f)))
    }

    /// Highest severity found, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings().map(|(_, f)| f.severity).max()
    }

    /// Number of findings at or above `min`.
    pub fn count_at_least(&self, min: Severity) -> usize {
        self.findings().filter(|(_, f)| f.severity >= min).count()
    }
}
