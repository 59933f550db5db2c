//! `vigil audit report|policy generate|policy lint`: Kubernetes audit logs and policies.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use vigil_k8saudit::policy::{self, GenerateOptions, RuleNeeds};
use vigil_k8saudit::report::ReportBuilder;
use vigil_rules::RulesFile;

use crate::ExitStatus;
use crate::args::{
    AuditCommand, AuditPolicyCommand, AuditPolicyGenerateArgs, AuditPolicyLintArgs, AuditReportArgs,
};

/// vigil's default k8s-audit rules, embedded.
const DEFAULT_K8S_AUDIT_RULES: &str = include_str!("../../rules/k8s_audit_rules.yaml");
/// The name the embedded rules go by in messages.
const DEFAULT_K8S_AUDIT_RULES_NAME: &str = "k8s_audit_rules.yaml (vigil default)";

pub(crate) fn run(cmd: AuditCommand) -> Result<ExitStatus> {
    match cmd {
        AuditCommand::Report(args) => report(&args),
        AuditCommand::Policy(AuditPolicyCommand::Generate(args)) => generate(&args),
        AuditCommand::Policy(AuditPolicyCommand::Lint(args)) => lint(&args),
    }
}

fn report(args: &AuditReportArgs) -> Result<ExitStatus> {
    let mut b = ReportBuilder::new();
    for p in &args.logs {
        b.add_file(p);
    }
    let r = b.finish();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &r.to_json())?;
        writeln!(out)?;
    } else {
        out.write_all(r.render_text(args.limit).as_bytes())?;
    }
    out.flush()?;
    // Nothing readable at all is a failure; malformed lines among events are not.
    Ok(if r.events == 0 && r.malformed_total > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn rule_files(paths: &[PathBuf]) -> Result<Vec<RulesFile>> {
    if paths.is_empty() {
        return Ok(vec![RulesFile::new(
            DEFAULT_K8S_AUDIT_RULES_NAME,
            DEFAULT_K8S_AUDIT_RULES,
        )]);
    }
    paths
        .iter()
        .map(|p| RulesFile::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect()
}

/// Analyse the rules; on load errors, print them and return `None`.
fn needs(paths: &[PathBuf]) -> Result<(Vec<RulesFile>, Option<Vec<RuleNeeds>>)> {
    let files = rule_files(paths)?;
    match policy::analyze_rules(&files) {
        Ok(n) => Ok((files, Some(n))),
        Err(e) => {
            let mut err = std::io::stderr().lock();
            writeln!(err, "vigil: rule files could not be loaded: {e}")?;
            Ok((files, None))
        }
    }
}

fn generate(args: &AuditPolicyGenerateArgs) -> Result<ExitStatus> {
    let (files, Some(needs)) = needs(&args.rules)? else {
        return Ok(ExitStatus::Failure);
    };
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let opts = GenerateOptions {
        header: vec![format!("Rule files: {}.", names.join(", "))],
    };
    let text = policy::generate(&needs, &opts);
    match &args.output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}

fn lint(args: &AuditPolicyLintArgs) -> Result<ExitStatus> {
    let (_, Some(needs)) = needs(&args.rules)? else {
        return Ok(ExitStatus::Failure);
    };
    let bytes = std::fs::read(&args.policy)
        .with_context(|| format!("cannot read {}", args.policy.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let report = policy::lint(&text, &needs);
    let name = args.policy.display().to_string();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report.to_json(&name))?;
        writeln!(out)?;
    } else {
        out.write_all(report.render(&name).as_bytes())?;
    }
    out.flush()?;
    Ok(if report.is_clean() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
