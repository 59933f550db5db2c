//! `vigil replay INPUT`: the detection pipeline over a recording — a scap capture (syscall
//! source) or a Kubernetes audit log (k8s_audit source) — printing alerts as Falco does.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use vigil_event::{Extract, FieldSchema, Priority};
use vigil_output::{Alert, OutputTemplate, Sink};
use vigil_rules::{Rule, Ruleset};
use vigil_scap::{Block, Converter, Reader};
use vigil_state::State;

use crate::ExitStatus;
use crate::args::ReplayArgs;
use crate::commands::rules::load_or_report;
use crate::schemas;
use crate::settings::Settings;

/// What a recording holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InputKind {
    /// A scap capture (plain or gzip).
    Scap,
    /// Kubernetes audit events (JSON lines, EventList bodies, cloud envelopes).
    K8sAudit,
}

fn detect(path: &Path) -> Result<InputKind> {
    let mut head = [0u8; 4];
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let n = f.read(&mut head)?;
    let head = &head[..n];
    Ok(
        if head.starts_with(&[0x1f, 0x8b]) || head == [0x0a, 0x0d, 0x0d, 0x0a] {
            InputKind::Scap
        } else {
            InputKind::K8sAudit
        },
    )
}

/// Alerts out, counts kept.
struct Emitter<'r> {
    ruleset: &'r Ruleset,
    templates: Vec<Option<OutputTemplate>>,
    sinks: Vec<Box<dyn Sink>>,
    hostname: String,
    by_rule: BTreeMap<&'r str, u64>,
    by_priority: BTreeMap<Priority, u64>,
    hits: Vec<&'r Rule>,
}

impl<'r> Emitter<'r> {
    fn new(ruleset: &'r Ruleset, settings: &Settings) -> Result<Emitter<'r>> {
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
    fn event(&mut self, source: &str, ev: &dyn Extract, ts: u64) -> Result<()> {
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.ruleset.evaluate(source, ev, &mut hits);
        for rule in &hits {
            *self.by_rule.entry(rule.name.as_str()).or_default() += 1;
            *self.by_priority.entry(rule.priority).or_default() += 1;
            let idx = self
                .ruleset
                .rules()
                .iter()
                .position(|r| std::ptr::eq(r, *rule));
            let Some(tpl) = idx
                .and_then(|i| self.templates.get(i))
                .and_then(Option::as_ref)
            else {
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

    fn finish(&mut self, events: u64, elapsed: Duration) -> Result<()> {
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

/// A progress line on a terminal, at most a few times per second.
struct Progress {
    enabled: bool,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        Progress {
            enabled: enabled && std::io::stderr().is_terminal(),
            last: Instant::now(),
        }
    }

    fn tick(&mut self, events: u64) {
        if self.enabled
            && events.is_multiple_of(65_536)
            && self.last.elapsed() > Duration::from_millis(250)
        {
            self.last = Instant::now();
            let _ = write!(std::io::stderr(), "\r{events} events read");
        }
    }

    fn done(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

/// A log line on stderr, prefixed with the wall-clock time as Falco's logger does.
fn log(settings: &Settings, msg: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut line = String::new();
    vigil_output::push_log_time(&mut line, now, settings.output.time_format_iso_8601);
    line.push_str(": ");
    line.push_str(msg);
    eprintln!("{line}");
}

pub(crate) fn run(args: &ReplayArgs) -> Result<ExitStatus> {
    let settings = Settings::resolve(args.config.as_deref(), &args.options)?;
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
    log(&settings, &format!("Replaying {}", args.input.display()));
    let Some(ruleset) = load_rules(&args.rules)? else {
        return Ok(ExitStatus::Failure);
    };
    let mut ruleset = ruleset.configure(&settings.ruleset);
    if args.json {
        let mut s = settings.clone();
        s.output.json_output = true;
        ruleset = ruleset.configure(&s.ruleset);
        return replay(&args.input, &ruleset, &s, args.no_progress);
    }
    replay(&args.input, &ruleset, &settings, args.no_progress)
}

fn load_rules(files: &[PathBuf]) -> Result<Option<Ruleset>> {
    if files.is_empty() {
        return crate::default_rules::load();
    }
    load_or_report(files)
}

fn replay(
    input: &Path,
    ruleset: &Ruleset,
    settings: &Settings,
    no_progress: bool,
) -> Result<ExitStatus> {
    let mut emitter = Emitter::new(ruleset, settings)?;
    let mut progress = Progress::new(!no_progress);
    let start = Instant::now();
    let mut events = 0u64;
    let mut status = ExitStatus::Success;
    match detect(input)? {
        InputKind::Scap => {
            let reader =
                Reader::open(input).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
            let mut conv = Converter::new(reader);
            let mut state = State::new();
            loop {
                match conv.next() {
                    Ok(Some(block)) => {
                        state.apply_block(&block);
                        if let Block::Event(ev) = &block {
                            events += 1;
                            progress.tick(events);
                            let view = state.view(ev);
                            emitter.event(vigil_state::SYSCALL_SOURCE, &view, ev.ts)?;
                        }
                    }
                    Ok(None) => break,
                    Err(e) if !matches!(e.kind, vigil_scap::ErrorKind::Conversion) => {
                        progress.done();
                        eprintln!("vigil: {}: {e}", input.display());
                        status = ExitStatus::Failure;
                        break;
                    }
                    Err(e) => eprintln!("vigil: {}: {e}", input.display()),
                }
            }
            state.flush();
        }
        InputKind::K8sAudit => {
            let bytes =
                std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
            for item in vigil_k8saudit::parse_events(&bytes) {
                match item {
                    Ok(ev) => {
                        events += 1;
                        progress.tick(events);
                        emitter.event(
                            vigil_k8saudit::K8S_AUDIT_SCHEMA.source(),
                            &ev,
                            ev.time_ns(),
                        )?;
                    }
                    Err(e) => eprintln!("vigil: {}: {e}", input.display()),
                }
            }
        }
    }
    progress.done();
    emitter.finish(events, start.elapsed())?;
    Ok(status)
}
