//! `vigil check`: static immutability and hardening checks of Kubernetes manifests.

use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use vigil_manifest::{
    CHECKS, Options, Report, Severity, Source, compat, fix, read_inputs, render, sarif,
};

use crate::ExitStatus;
use crate::args::{CheckArgs, CheckFormat};

pub(crate) fn run(args: &CheckArgs) -> Result<ExitStatus> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.list_checks && args.format != CheckFormat::Text {
        let list: Vec<serde_json::Value> = CHECKS
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "title": c.title, "severity": c.severity.as_str(),
                    "category": c.category.as_str(), "default_enabled": c.default_enabled,
                    "rationale": c.rationale, "fix": c.fix,
                    "tools": compat::tool_ids(c.id).iter().map(|(t, id)| format!("{t}:{id}")).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitStatus::Success);
    }
    if args.list_checks {
        for c in CHECKS {
            let tools: Vec<String> = compat::tool_ids(c.id)
                .iter()
                .map(|(t, id)| format!("{t}:{id}"))
                .collect();
            writeln!(
                out,
                "{:<38} {:<9} {:<17} {:<3} {}\n{:<38} {}",
                c.id,
                c.severity.as_str(),
                c.category.as_str(),
                if c.default_enabled { "on" } else { "off" },
                c.title,
                "",
                tools.join(" ")
            )?;
        }
        out.flush()?;
        return Ok(ExitStatus::Success);
    }
    let fail_on = parse_threshold(&args.fail_on).context("--fail-on")?;
    let min = parse_threshold(&args.min_severity)
        .context("--min-severity")?
        .unwrap_or(Severity::Critical);
    let opts = Options {
        all_checks: args.all_checks,
        enable: args.enable.clone(),
        disable: args.disable.clone(),
    };
    let unknown = opts.unknown_ids();
    if !unknown.is_empty() {
        bail!(
            "unknown check id(s): {} (see --list-checks)",
            unknown.join(", ")
        );
    }
    let (mut sources, read_errors) = read_inputs(&args.paths);
    let mut report = vigil_manifest::check(&sources, &read_errors, &opts);
    if args.fix {
        let mut fixed_any = false;
        for (i, src) in sources.iter_mut().enumerate() {
            let Some(text) = fix::fix_text(&src.text, &report, i) else {
                continue;
            };
            fixed_any = true;
            write_fixed(src, &text, args.fix_dir.as_deref(), &mut out)?;
            src.text = text;
        }
        if fixed_any {
            // Report what the edits could not fix.
            report = vigil_manifest::check(&sources, &read_errors, &opts);
        }
        if sources.iter().any(|s| s.name == "-") && args.fix_dir.is_none() {
            // The fixed stream went to stdout; the report goes to stderr.
            out.flush()?;
            let mut err = std::io::stderr().lock();
            emit(&report, args.format, min, &mut err)?;
            return Ok(status(&report, fail_on));
        }
    }
    emit(&report, args.format, min, &mut out)?;
    out.flush()?;
    Ok(status(&report, fail_on))
}

fn parse_threshold(s: &str) -> Result<Option<Severity>> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    s.parse::<Severity>().map(Some).map_err(anyhow::Error::msg)
}

fn status(report: &Report, fail_on: Option<Severity>) -> ExitStatus {
    let findings = fail_on.is_some_and(|s| report.count_at_least(s) > 0);
    if findings || !report.errors.is_empty() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn emit(report: &Report, format: CheckFormat, min: Severity, out: &mut dyn Write) -> Result<()> {
    match format {
        CheckFormat::Text => out.write_all(render::text(report, min).as_bytes())?,
        CheckFormat::Json => {
            let mut r = report.clone();
            for o in &mut r.objects {
                o.findings.retain(|f| f.severity >= min);
            }
            serde_json::to_writer_pretty(&mut *out, &render::json(&r))?;
            writeln!(out)?;
        }
        CheckFormat::Sarif => {
            let mut r = report.clone();
            for o in &mut r.objects {
                o.findings.retain(|f| f.severity >= min);
            }
            serde_json::to_writer_pretty(&mut *out, &sarif::sarif(&r))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn write_fixed(src: &Source, text: &str, dir: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    match (dir, src.name.as_str()) {
        (None, "-") => out.write_all(text.as_bytes())?,
        (None, name) => std::fs::write(name, text).with_context(|| format!("writing {name}"))?,
        (Some(dir), name) => {
            let rel: PathBuf = Path::new(if name == "-" { "stdin.yaml" } else { name })
                .components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .collect();
            let target = dir.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&target, text)
                .with_context(|| format!("writing {}", target.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(parse_threshold("none").ok(), Some(None));
        assert_eq!(parse_threshold("HIGH").ok(), Some(Some(Severity::High)));
        assert!(parse_threshold("loud").is_err());
    }
}
