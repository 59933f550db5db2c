//! `vigil replay INPUT`: the detection pipeline over a recording — a scap capture (syscall
//! source) or a Kubernetes audit log (k8s_audit source) — printing alerts as Falco does.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use vigil_event::FieldSchema;
use vigil_rules::Ruleset;
use vigil_scap::{Block, Converter, Reader};
use vigil_state::State;

use crate::ExitStatus;
use crate::args::ReplayArgs;
use crate::commands::pipeline::{DropOut, Emitter, load_rules, log, settings};
use crate::drops::{Counters, DropMonitor};
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

pub(crate) fn run(args: &ReplayArgs) -> Result<ExitStatus> {
    let Some(settings) = settings(&args.cfg) else {
        return Ok(ExitStatus::Failure);
    };
    log(&settings, &format!("Replaying {}", args.input.display()));
    let Some(ruleset) = load_rules(&args.cfg.rules)? else {
        return Ok(ExitStatus::Failure);
    };
    let ruleset = ruleset.configure(&settings.ruleset);
    replay(&args.input, &ruleset, &settings, args.no_progress)
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
            // A capture records no drops; `simulate_drops` still exercises the monitor.
            let mut drops = DropMonitor::new(&settings.drops, Counters::default());
            loop {
                match conv.next() {
                    Ok(Some(block)) => {
                        state.apply_block(&block);
                        if let Block::Event(ev) = &block {
                            events += 1;
                            progress.tick(events);
                            let counters = || Counters {
                                evts: events,
                                ..Counters::default()
                            };
                            let mut out = DropOut {
                                settings,
                                emitter: &mut emitter,
                                live: false,
                            };
                            if !drops.check(ev.ts, counters, &mut out)? {
                                progress.done();
                                eprintln!("vigil: stopped: syscall event drops (action exit)");
                                status = ExitStatus::Failure;
                                break;
                            }
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
            progress.done();
            eprint!("{}", drops.summary());
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
