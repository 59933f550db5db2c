//! `vigil run`: the live sensor. Kernel records (vigil-ebpf) become scap events, go through
//! `State` and the rules exactly like a replayed capture's (the shared `pipeline`), and
//! alerts go to the configured sinks. Start-up state is read from /proc and fed to `State` as
//! the blocks a capture carries, before the first live event.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use vigil_event::FieldSchema;
use vigil_filter::EventTypes;
use vigil_scap::Block;
use vigil_state::{SYSCALL_SCHEMA, SYSCALL_SOURCE, State};

use crate::ExitStatus;
use crate::args::RunArgs;
use crate::commands::live::{LiveFeed, attach_note, now_ns, start_sensor};
use crate::commands::pipeline::{DropOut, Emitter, load_rules, log, settings};
use crate::drops::{Counters, DropMonitor};
use crate::settings::Settings;

/// The sensor's counters as the drop monitor sees them (events include the dropped ones).
fn counters(k: &vigil_ebpf::KernelStats) -> Counters {
    Counters {
        evts: k.submitted.saturating_add(k.dropped),
        drops: k.dropped,
        drops_buffer: k.dropped,
        unreadable_strings: k.str_errors,
        unreadable_sockets: k.sock_errors,
    }
}

/// The syscall event types the rules need, by name (`None`: every type).
fn interest_names(ruleset: &vigil_rules::Ruleset) -> Option<Vec<&'static str>> {
    match ruleset.interest(SYSCALL_SOURCE) {
        EventTypes::All => None,
        EventTypes::Only(ids) => {
            let names = SYSCALL_SCHEMA.event_types();
            Some(
                ids.iter()
                    .filter_map(|id| names.get(usize::from(*id)).copied())
                    .collect(),
            )
        }
    }
}

pub(crate) fn run(args: &RunArgs) -> Result<ExitStatus> {
    let Some(settings) = settings(&args.cfg) else {
        return Ok(ExitStatus::Failure);
    };
    if args.no_syscall && args.k8s_audit_webhook.is_none() && args.k8s_audit_file.is_empty() {
        eprintln!(
            "vigil: --no-syscall leaves no event source: add --k8s-audit-webhook ADDR or --k8s-audit-file FILE"
        );
        return Ok(ExitStatus::Failure);
    }
    if !args.no_syscall
        && let Err(e) = vigil_ebpf::preflight()
    {
        eprintln!("vigil: {e}");
        return Ok(ExitStatus::Failure);
    }
    let Some(ruleset) = load_rules(&args.cfg.rules)? else {
        return Ok(ExitStatus::Failure);
    };
    let ruleset = ruleset.configure(&settings.ruleset);
    let mut audit = match audit::start(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigil: k8s audit webhook: {e:#}");
            return Ok(ExitStatus::Failure);
        }
    };
    if let Some(addr) = audit.as_ref().and_then(audit::Audit::local_addr) {
        let scheme = if args.k8s_audit_tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        log(
            &settings,
            &format!("Kubernetes audit webhook listening on {scheme}://{addr}/k8s-audit"),
        );
    }
    for f in &args.k8s_audit_file {
        log(
            &settings,
            &format!("Following Kubernetes audit log {}", f.display()),
        );
    }
    if args.no_syscall {
        return audit_only(args, &settings, &ruleset, audit);
    }
    let names = interest_names(&ruleset);
    let (nrs, missing) = vigil_ebpf::syscalls::interest_numbers(names.as_deref());
    if !missing.is_empty() {
        log(
            &settings,
            &format!(
                "warning: the sensor does not capture these event types yet, rules on them cannot fire live: {}",
                missing.join(", ")
            ),
        );
    }
    let stop = vigil_ebpf::stop_on_signals();
    let (mut sensor, snapshot) = match start_sensor(&nrs, args.sensor.options(names.is_none())) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("vigil: {e}");
            return Ok(ExitStatus::Failure);
        }
    };
    let mut emitter = Emitter::new(&ruleset, &settings)?;
    let mut state = State::new();
    // Start-up state, as a capture's metadata blocks, before the first live event.
    let nthreads = snapshot
        .iter()
        .filter(|b| matches!(b, Block::Process(_)))
        .count();
    for block in &snapshot {
        state.apply_block(block);
    }
    drop(snapshot);
    let mut feed = LiveFeed::new();
    feed.startup(&mut state, |state, ev, _| {
        emitter.event(SYSCALL_SOURCE, &state.view(ev), ev.ts)
    })?;
    log(
        &settings,
        &format!(
            "Sensor started: {} rules, {} system calls watched ({}), {nthreads} threads read from /proc",
            ruleset
                .rules()
                .iter()
                .filter(|r| r.source == SYSCALL_SOURCE)
                .count(),
            nrs.len() - sensor.unavailable().len(),
            attach_note(&sensor),
        ),
    );

    let start = Instant::now();
    let deadline = args.duration.map(|d| start + d);
    let stats_every = Duration::from_secs(args.stats_interval);
    let mut next_stats = start + stats_every;
    let mut last_events = 0u64;
    // Audit events, counted with the syscall events in the totals.
    let mut audit_events = 0u64;
    let mut last_stats_at = start;
    let mut last_k = sensor.stats();
    // Falco's syscall_event_drops monitor on the sensor's counters, checked every poll.
    let mut drops = DropMonitor::new(&settings.drops, counters(&last_k));
    let mut status = ExitStatus::Success;
    loop {
        let stopping = stop.load(std::sync::atomic::Ordering::SeqCst)
            || deadline.is_some_and(|d| Instant::now() >= d);
        feed.drain(&mut sensor, &mut state, |state, ev, _| {
            emitter.event(SYSCALL_SOURCE, &state.view(ev), ev.ts)
        })?;
        if let Some(a) = &mut audit {
            audit_events += a.drain(&mut emitter, &settings)?;
        }
        let events = feed.events + audit_events;
        let mut out = DropOut {
            settings: &settings,
            emitter: &mut emitter,
            live: true,
        };
        if !drops.check(now_ns(), || counters(&sensor.stats()), &mut out)? {
            eprintln!("vigil: stopped: syscall event drops (action exit)");
            status = ExitStatus::Failure;
            break;
        }
        if stopping {
            break;
        }
        let now = Instant::now();
        if args.stats_interval > 0 && now >= next_stats {
            let k = sensor.stats();
            let secs = now.duration_since(last_stats_at).as_secs_f64().max(1e-9);
            log(
                &settings,
                &format!(
                    "stats: {:.0} events/s, {events} events; drops by category (total, +since the last report): {} dropped (ring buffer full, +{}; syscall {}, exec {}, fork {}, exit {}), {} unreadable strings (+{}), {} unreadable sockets (+{}), {} unreadable exec args, {} exec cwds from /proc, {} undecodable",
                    (events - last_events) as f64 / secs,
                    k.dropped,
                    k.dropped.saturating_sub(last_k.dropped),
                    k.dropped_syscall,
                    k.dropped_exec,
                    k.dropped_fork,
                    k.dropped_exit,
                    k.str_errors,
                    k.str_errors.saturating_sub(last_k.str_errors),
                    k.sock_errors,
                    k.sock_errors.saturating_sub(last_k.sock_errors),
                    k.args_errors,
                    k.cwd_errors,
                    feed.skipped,
                ),
            );
            last_k = k;
            last_events = events;
            last_stats_at = now;
            next_stats = now + stats_every;
        }
        std::thread::sleep(vigil_ebpf::POLL_INTERVAL);
    }
    state.flush();
    let k = sensor.stats();
    drop(sensor);
    if let Some(a) = audit {
        audit_events += a.stop(&mut emitter, &settings)?;
    }
    log(
        &settings,
        &format!(
            "Stopping: {} dropped (ring buffer full), {} unreadable strings, {} unreadable sockets",
            k.dropped, k.str_errors, k.sock_errors
        ),
    );
    eprint!("{}", drops.summary());
    emitter
        .finish(feed.events + audit_events, start.elapsed())
        .context("cannot flush outputs")?;
    Ok(status)
}

/// The audit-only loop (`--no-syscall`): webhook batches through the rules until a signal or
/// the deadline.
fn audit_only(
    args: &RunArgs,
    settings: &Settings,
    ruleset: &vigil_rules::Ruleset,
    audit: Option<audit::Audit>,
) -> Result<ExitStatus> {
    let Some(mut audit) = audit else {
        return Ok(ExitStatus::Failure);
    };
    let stop = vigil_ebpf::stop_on_signals();
    let mut emitter = Emitter::new(ruleset, settings)?;
    let start = Instant::now();
    let deadline = args.duration.map(|d| start + d);
    let mut events = 0u64;
    while !stop.load(std::sync::atomic::Ordering::SeqCst)
        && deadline.is_none_or(|d| Instant::now() < d)
    {
        events += audit.drain(&mut emitter, settings)?;
        std::thread::sleep(vigil_ebpf::POLL_INTERVAL);
    }
    events += audit.stop(&mut emitter, settings)?;
    emitter
        .finish(events, start.elapsed())
        .context("cannot flush outputs")?;
    Ok(ExitStatus::Success)
}

/// The Kubernetes audit sources of `vigil run`: the webhook and followed log files.
mod audit {
    use std::sync::mpsc::{Receiver, sync_channel};

    use anyhow::{Context, Result};
    use vigil_k8saudit::webhook::{self, WebhookBatch, WebhookConfig, WebhookHandle};
    use vigil_k8saudit::{AuditEvent, FollowOptions, Follower};

    use crate::args::RunArgs;
    use crate::commands::pipeline::{Emitter, log};
    use crate::settings::Settings;

    /// Batches waiting between the webhook and the rules (bounded: a full queue makes the
    /// webhook answer 503, counted as dropped, instead of growing without limit).
    const QUEUE_BATCHES: usize = 1024;

    pub(super) struct Audit {
        handle: Option<WebhookHandle>,
        rx: Option<Receiver<WebhookBatch>>,
        followers: Vec<Follower>,
        num: u64,
    }

    pub(super) fn start(args: &RunArgs) -> Result<Option<Audit>> {
        if args.k8s_audit_webhook.is_none() && args.k8s_audit_file.is_empty() {
            return Ok(None);
        }
        let mut audit = Audit {
            handle: None,
            rx: None,
            followers: args
                .k8s_audit_file
                .iter()
                .map(|p| Follower::new(p, FollowOptions::default()))
                .collect(),
            num: 0,
        };
        if let Some(addr) = args.k8s_audit_webhook {
            let mut cfg = WebhookConfig::new(addr);
            if let (Some(cert), Some(key)) = (&args.k8s_audit_tls_cert, &args.k8s_audit_tls_key) {
                cfg = cfg.with_tls(cert, key);
            }
            if let Some(ca) = &args.k8s_audit_client_ca {
                cfg = cfg.with_client_ca(ca);
            }
            if let Some(path) = &args.k8s_audit_token_file {
                let token = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read token file {}", path.display()))?;
                cfg = cfg.with_bearer_token(token.trim());
            }
            let (tx, rx) = sync_channel(QUEUE_BATCHES);
            audit.handle = Some(webhook::spawn(cfg, tx)?);
            audit.rx = Some(rx);
        }
        Ok(Some(audit))
    }

    impl Audit {
        /// The address the webhook listens on, if there is one.
        pub(super) fn local_addr(&self) -> Option<std::net::SocketAddr> {
            self.handle.as_ref().map(WebhookHandle::local_addr)
        }

        /// Evaluate every event received or appended so far; the number of events.
        pub(super) fn drain(
            &mut self,
            emitter: &mut Emitter<'_>,
            settings: &Settings,
        ) -> Result<u64> {
            let mut n = 0;
            let mut followers = std::mem::take(&mut self.followers);
            for f in &mut followers {
                for item in f.poll() {
                    match item {
                        Ok(mut ev) => n += self.event(&mut ev, emitter)?,
                        Err(e) => {
                            log(settings, &format!("k8s audit: {}: {e}", f.path().display()));
                        }
                    }
                }
            }
            self.followers = followers;
            // Empty or disconnected: nothing more for now.
            while let Some(batch) = self.rx.as_ref().and_then(|rx| rx.try_recv().ok()) {
                for e in &batch.errors {
                    log(settings, &format!("k8s audit: from {}: {e}", batch.peer));
                }
                for mut ev in batch.events {
                    n += self.event(&mut ev, emitter)?;
                }
            }
            Ok(n)
        }

        /// One event, numbered across the whole stream (not per request body or file).
        fn event(&mut self, ev: &mut AuditEvent, emitter: &mut Emitter<'_>) -> Result<u64> {
            self.num += 1;
            ev.set_num(self.num);
            emitter.event(vigil_k8saudit::K8S_AUDIT_SOURCE, ev, ev.time_ns())?;
            Ok(1)
        }

        /// Shut the webhook down, evaluate what was accepted or appended, report counters.
        pub(super) fn stop(
            mut self,
            emitter: &mut Emitter<'_>,
            settings: &Settings,
        ) -> Result<u64> {
            let stats = self.handle.take().map(WebhookHandle::shutdown);
            let n = self.drain(emitter, settings)?;
            if let Some(stats) = stats {
                log(
                    settings,
                    &format!(
                        "k8s audit webhook: {} requests, {} events accepted, {} malformed, {} dropped, {} rejected",
                        stats.requests,
                        stats.events_accepted,
                        stats.events_malformed,
                        stats.events_dropped,
                        stats.rejected.total()
                    ),
                );
            }
            Ok(n)
        }
    }
}
