//! `vigil rules validate|list|describe`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Value as Json, json};
use vigil_rules::{Diagnostic, EventTypes, LoadOptions, LoadResult, Rule, RulesFile, Ruleset};

use crate::ExitStatus;
use crate::args::{DescribeArgs, ListArgs, RulesCommand, ValidateArgs};
use crate::schemas;

pub(crate) fn run(cmd: RulesCommand) -> Result<ExitStatus> {
    match cmd {
        RulesCommand::Validate(args) => validate(&args),
        RulesCommand::List(args) => list(&args),
        RulesCommand::Describe(args) => describe(&args),
    }
}

/// Read and load rule files with every known source schema.
pub(crate) fn load_files(paths: &[PathBuf]) -> Result<LoadResult> {
    let files = paths
        .iter()
        .map(|p| RulesFile::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect::<Result<Vec<_>>>()?;
    Ok(vigil_rules::load(&files, &LoadOptions::new(schemas::all())))
}

/// Load rule files and, on errors, print them to stderr: the ruleset, or `None`.
pub(crate) fn load_or_report(paths: &[PathBuf]) -> Result<Option<Ruleset>> {
    let result = load_files(paths)?;
    if result.ruleset.is_none() {
        let mut err = std::io::stderr().lock();
        for d in result.errors() {
            write_diagnostic(&mut err, "error", d)?;
        }
    }
    Ok(result.ruleset)
}

fn validate(args: &ValidateArgs) -> Result<ExitStatus> {
    let result = load_files(&args.files)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        let files: Vec<Json> = result
            .files
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "successful": f.successful,
                    "errors": f.errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
                    "warnings": f.warnings.iter().map(diagnostic_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({ "falco_load_results": files }))?
        )?;
    } else {
        for f in &result.files {
            for d in &f.errors {
                write_diagnostic(&mut out, "error", d)?;
            }
            for d in &f.warnings {
                write_diagnostic(&mut out, "warning", d)?;
            }
            let verdict = if f.successful { "ok" } else { "invalid" };
            writeln!(
                out,
                "{}: {verdict} ({} errors, {} warnings)",
                f.name,
                f.errors.len(),
                f.warnings.len()
            )?;
        }
        if let Some(rs) = &result.ruleset {
            let enabled = rs.active_rules().count();
            writeln!(out, "{} rules loaded, {enabled} enabled", rs.rules().len())?;
        }
    }
    out.flush()?;
    Ok(if result.successful() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn write_diagnostic(out: &mut dyn Write, level: &str, d: &Diagnostic) -> std::io::Result<()> {
    writeln!(out, "{level}[{}]: {}", d.code.as_str(), d.message)?;
    let what = if d.item_name.is_empty() {
        d.item_type.to_string()
    } else {
        format!("{} '{}'", d.item_type, d.item_name)
    };
    match &d.position {
        Some(p) => writeln!(out, "  --> {p} ({what})")?,
        None => writeln!(out, "  --> ({what})")?,
    }
    if let Some(snippet) = &d.snippet {
        for line in snippet.lines() {
            writeln!(out, "   | {line}")?;
        }
    }
    writeln!(out)
}

fn diagnostic_json(d: &Diagnostic) -> Json {
    json!({
        "code": d.code.as_str(),
        "codedesc": d.code.description(),
        "item_type": d.item_type,
        "item_name": d.item_name,
        "message": d.message,
        "position": d.position.as_ref().map(|p| json!({
            "name": p.file, "line": p.line, "column": p.col, "offset": p.offset,
        })),
        "context": {
            "locations": d.context.iter().map(|l| json!({
                "item_type": l.item_type,
                "item_name": l.item_name,
                "position": l.position.as_ref().map(|p| json!({
                    "name": p.file, "line": p.line, "column": p.col, "offset": p.offset,
                })),
            })).collect::<Vec<_>>(),
            "snippet": d.snippet,
        },
    })
}

fn list(args: &ListArgs) -> Result<ExitStatus> {
    let Some(rs) = load_or_report(&args.files)? else {
        return Ok(ExitStatus::Failure);
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, rule) in rs.rules().iter().enumerate() {
        let active = rs.is_active(i);
        if args.json {
            writeln!(out, "{}", rule_json(rule, active))?;
        } else {
            let state = if active { "" } else { " (disabled)" };
            writeln!(
                out,
                "{:<13} {:<10} {:>5} {}{state}",
                rule.priority.as_str(),
                rule.source,
                event_type_count(&rule.event_types),
                rule.name
            )?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn describe(args: &DescribeArgs) -> Result<ExitStatus> {
    let Some(rs) = load_or_report(&args.files)? else {
        return Ok(ExitStatus::Failure);
    };
    let Some((i, rule)) = rs
        .rules()
        .iter()
        .enumerate()
        .find(|(_, r)| r.name == args.name)
    else {
        let mut err = std::io::stderr().lock();
        writeln!(err, "vigil: no rule named '{}'", args.name)?;
        return Ok(ExitStatus::Failure);
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rule_json(rule, rs.is_active(i)))?
        )?;
    } else {
        writeln!(out, "rule:        {}", rule.name)?;
        writeln!(out, "source:      {}", rule.source)?;
        writeln!(out, "priority:    {}", rule.priority)?;
        writeln!(out, "enabled:     {}", rs.is_active(i))?;
        writeln!(out, "tags:        {}", rule.tags.join(", "))?;
        writeln!(out, "event types: {}", event_type_names(rule).join(", "))?;
        writeln!(out, "exceptions:  {}", rule.exceptions)?;
        writeln!(out, "description: {}", rule.desc.trim())?;
        writeln!(out, "condition:   {}", rule.condition.trim())?;
        writeln!(out, "output:      {}", rule.output)?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn rule_json(rule: &Rule, active: bool) -> Json {
    json!({
        "name": rule.name,
        "source": rule.source,
        "priority": rule.priority.as_str(),
        "enabled": active,
        "tags": rule.tags,
        "event_types": event_type_names(rule),
        "exceptions": rule.exceptions,
        "desc": rule.desc.trim(),
        "condition": rule.condition.trim(),
        "output": rule.output,
    })
}

fn event_type_count(t: &EventTypes) -> String {
    match t {
        EventTypes::All => "all".to_string(),
        EventTypes::Only(v) => v.len().to_string(),
    }
}

/// The names of a rule's event types (`["all"]` when unrestricted).
fn event_type_names(rule: &Rule) -> Vec<String> {
    let EventTypes::Only(ids) = &rule.event_types else {
        return vec!["all".to_string()];
    };
    let schema = schemas::all()
        .into_iter()
        .find(|s| s.source() == rule.source);
    ids.iter()
        .map(|&id| {
            schema
                .and_then(|s| s.event_types().get(usize::from(id)).copied())
                .map_or_else(|| format!("#{id}"), str::to_string)
        })
        .collect()
}
