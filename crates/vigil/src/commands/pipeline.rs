//! The detection pipeline shared by `vigil replay` and `vigil run`: rules in, events through
//! `State` and `Ruleset::evaluate`, alerts out to the `vigil-output` sinks.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use vigil_event::{Extract, Priority};
use vigil_output::{Alert, FieldValue, OutputTemplate, Sink};
use vigil_rules::Ruleset;

use crate::args::RulesArgs;
use crate::commands::rules::load_or_report;
use crate::drops::{Counters, DropActions, LogLevel};
use crate::schemas;
use crate::settings::Settings;

/// Alerts out, counts kept.
pub(crate) struct Emitter<'r> {
    ruleset: &'r Ruleset,
    templates: Vec<Option<OutputTemplate>>,
    sinks: Vec<Box<dyn Sink>>,
    hostname: String,
    by_rule: BTreeMap<&'r str, u64>,
    by_priority: BTreeMap<Priority, u64>,
    hits: Vec<usize>,
}

impl<'r> Emitter<'r> {
    pub(crate) fn new(ruleset: &'r Ruleset, settings: &Settings) -> Result<Emitter<'r>> {
        let all = schemas::all();
        let templates = ruleset
            .rules()
            .iter()
            .map(|r| {
                let schema = all.iter().find(|s| s.source() == r.source)?;
                OutputTemplate::compile_rule_output(&r.output, *schema).ok()
            })
            .collect();
        let sinks =
            vigil_output::sinks_from_options(&settings.output).context("cannot set up outputs")?;
        Ok(Emitter {
            ruleset,
            templates,
            sinks,
            hostname: vigil_output::hostname(),
            by_rule: BTreeMap::new(),
            by_priority: BTreeMap::new(),
            hits: Vec::new(),
        })
    }

    /// Evaluate one event and emit its alerts.
    pub(crate) fn event(&mut self, source: &str, ev: &dyn Extract, ts: u64) -> Result<()> {
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.ruleset.evaluate_indices(source, ev, &mut hits);
        let rules = self.ruleset.rules();
        for &i in &hits {
            let Some(rule) = rules.get(i) else { continue };
            *self.by_rule.entry(rule.name.as_str()).or_default() += 1;
            *self.by_priority.entry(rule.priority).or_default() += 1;
            let Some(tpl) = self.templates.get(i).and_then(Option::as_ref) else {
                continue;
            };
            let alert = Alert::from_event(
                tpl,
                ev,
                ts,
                &rule.name,
                rule.priority,
                &rule.source,
                &rule.tags,
                &self.hostname,
            );
            for s in &mut self.sinks {
                s.emit(&alert)?;
            }
        }
        self.hits = hits;
        Ok(())
    }

    /// Emit an internal alert (Falco's `handle_msg`: source `internal`, no rule behind it,
    /// not counted among the detections), the fields as string values.
    pub(crate) fn internal(
        &mut self,
        time_ns: u64,
        priority: Priority,
        rule: &str,
        msg: &str,
        fields: &[(&str, String)],
    ) -> Result<()> {
        let alert = Alert::internal(
            time_ns,
            rule,
            priority,
            &self.hostname,
            msg.to_string(),
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), FieldValue::Str(v.clone())))
                .collect(),
        );
        for s in &mut self.sinks {
            s.emit(&alert)?;
        }
        Ok(())
    }

    pub(crate) fn finish(&mut self, events: u64, elapsed: Duration) -> Result<()> {
        for s in &mut self.sinks {
            s.flush()?;
        }
        let mut err = std::io::stderr().lock();
        let total: u64 = self.by_rule.values().sum();
        writeln!(
            err,
            "Events processed: {events} in {:.3}s ({:.0} events/s)",
            elapsed.as_secs_f64(),
            events as f64 / elapsed.as_secs_f64().max(1e-9)
        )?;
        writeln!(err, "Events detected: {total}")?;
        if total > 0 {
            writeln!(err, "Rule counts by severity:")?;
            for (p, n) in &self.by_priority {
                writeln!(err, "   {}: {n}", p.as_str().to_ascii_uppercase())?;
            }
            writeln!(err, "Triggered rules by rule name:")?;
            for (r, n) in &self.by_rule {
                writeln!(err, "   {r}: {n}")?;
            }
        }
        Ok(())
    }
}

/// An informational log line on stderr, prefixed with the wall-clock time as Falco's
/// logger does.
/// The settings of `-c`, `-o` and `--json`, with the start-up log lines (version, ignored
/// options); `None` after printing the error when they are invalid.
pub(crate) fn settings(cfg: &RulesArgs) -> Option<Settings> {
    let mut settings = match Settings::resolve(cfg.config.as_deref(), &cfg.options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("vigil: error: {e:#}");
            return None;
        }
    };
    if cfg.json {
        settings.output.json_output = true;
    }
    log(
        &settings,
        &format!("vigil version {}", env!("CARGO_PKG_VERSION")),
    );
    for key in &settings.ignored {
        log(
            &settings,
            &format!("warning: option '{key}' is not supported and was ignored"),
        );
    }
    Some(settings)
}

pub(crate) fn log(settings: &Settings, msg: &str) {
    log_at(settings, LogLevel::Info, msg);
}

/// A log line at `level`, printed if the `log_level` setting allows it.
pub(crate) fn log_at(settings: &Settings, level: LogLevel, msg: &str) {
    if level > settings.log_level {
        return;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut line = String::new();
    vigil_output::push_log_time(&mut line, now, settings.output.time_format_iso_8601);
    line.push_str(": ");
    line.push_str(msg);
    eprintln!("{line}");
}

/// The drop monitor's actions in a pipeline: log lines per `log_level`, internal alerts
/// through the emitter's sinks.
pub(crate) struct DropOut<'a, 'r> {
    pub(crate) settings: &'a Settings,
    pub(crate) emitter: &'a mut Emitter<'r>,
    /// Whether the counters come from the live sensor (`ebpf_enabled` in the alert).
    pub(crate) live: bool,
}

impl DropActions for DropOut<'_, '_> {
    fn log(&mut self, level: LogLevel, msg: &str) {
        log_at(self.settings, level, msg);
    }

    fn alert(&mut self, now_ns: u64, msg: &str, delta: &Counters) -> Result<()> {
        let fields = delta.output_fields(self.live);
        self.emitter.internal(
            now_ns,
            Priority::Debug,
            crate::drops::DROP_RULE,
            msg,
            &fields,
        )
    }
}

/// The rules to run: the given files, or vigil's embedded rules when none are given.
pub(crate) fn load_rules(files: &[PathBuf]) -> Result<Option<Ruleset>> {
    if files.is_empty() {
        return crate::default_rules::load();
    }
    load_or_report(files)
}
