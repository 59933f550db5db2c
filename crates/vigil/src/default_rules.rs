//! vigil's own default rules (written for vigil in Falco's rule language), embedded in the
//! binary: the syscall ruleset and the Kubernetes audit ruleset.

use std::io::Write;

use anyhow::Result;
use vigil_rules::{LoadOptions, RulesFile, Ruleset};

use crate::schemas;

/// (name shown in diagnostics, content), loaded in this order.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "<embedded>/vigil_rules.yaml",
        include_str!("../rules/vigil_rules.yaml"),
    ),
    (
        "<embedded>/k8s_audit_rules.yaml",
        include_str!("../rules/k8s_audit_rules.yaml"),
    ),
];

/// Load the embedded default rules (every source). Errors are printed; `None` then.
pub(crate) fn load() -> Result<Option<Ruleset>> {
    let files: Vec<RulesFile> = FILES
        .iter()
        .map(|(name, text)| RulesFile::new(*name, text.as_bytes()))
        .collect();
    let result = vigil_rules::load(&files, &LoadOptions::new(schemas::all()));
    if result.ruleset.is_none() {
        let mut err = std::io::stderr().lock();
        for d in result.errors() {
            writeln!(err, "vigil: embedded rules: {d}")?;
        }
    }
    Ok(result.ruleset)
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_rules_load_without_errors_or_warnings() {
        let files: Vec<vigil_rules::RulesFile> = super::FILES
            .iter()
            .map(|(n, t)| vigil_rules::RulesFile::new(*n, t.as_bytes()))
            .collect();
        let r = vigil_rules::load(
            &files,
            &vigil_rules::LoadOptions::new(crate::schemas::all()),
        );
        let diags: Vec<String> = r
            .errors()
            .chain(r.warnings())
            .map(|d| d.to_string())
            .collect();
        assert!(diags.is_empty(), "{}", diags.join("\n"));
        let rs = r.ruleset.expect("ruleset");
        assert!(rs.rules().iter().any(|r| r.source == "syscall"));
        assert!(rs.rules().iter().any(|r| r.source == "k8s_audit"));
    }
}
