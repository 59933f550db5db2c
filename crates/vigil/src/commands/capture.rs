//! `vigil capture -w FILE [--filter COND] [--duration D] [-z]`: the live sensor's events to a
//! scap capture that `vigil replay`, `vigil inspect` and `sysdig -r` read.
//!
//! The file starts like one libscap's dumper writes: machine info, then the start-up state
//! read from /proc (users, processes, fds) — the same blocks `vigil run` feeds to `State` —
//! then every event of the system calls the sensor supports. With `--filter`, every event
//! still updates the process/fd tables, and only the matching ones are written (the
//! condition sees the same fields as `vigil inspect --filter`).

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use vigil_event::FieldSchema;
use vigil_scap::{Block, MachineInfo, ThreadInfo, Writer};
use vigil_state::{SYSCALL_SCHEMA, State};

use crate::ExitStatus;
use crate::args::CaptureArgs;
use crate::commands::inspect::compile_filter;
use crate::commands::live::{LiveFeed, Origin, attach_note, start_sensor};

/// This host, as the capture's machine-info block.
fn machine_info() -> MachineInfo {
    let read_u64 = |p: &str, field: Option<&str>| -> u64 {
        let s = std::fs::read_to_string(p).unwrap_or_default();
        match field {
            None => s.trim().parse().unwrap_or(0),
            Some(f) => s
                .lines()
                .find_map(|l| l.strip_prefix(f))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(0, |kb| kb * 1024),
        }
    };
    MachineInfo {
        num_cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        memory_size_bytes: read_u64("/proc/meminfo", Some("MemTotal:")),
        max_pid: read_u64("/proc/sys/kernel/pid_max", None),
        hostname: vigil_output::hostname(),
        boot_ts_epoch: vigil_ebpf::boot_to_epoch_ns(),
        flags: 0,
        reserved3: 0,
        reserved4: 0,
    }
}

pub(crate) fn run(args: &CaptureArgs) -> Result<ExitStatus> {
    let filter = match args.filter.as_deref().map(compile_filter).transpose() {
        Ok(f) => f,
        Err(rendered) => {
            eprintln!("vigil: invalid filter: {rendered}");
            return Ok(ExitStatus::Failure);
        }
    };
    if let Err(e) = vigil_ebpf::preflight() {
        eprintln!("vigil: {e}");
        return Ok(ExitStatus::Failure);
    }
    let path = &args.write;
    let err = |e: vigil_scap::ScapError| anyhow::anyhow!("{}: {e}", path.display());
    let mut w = Writer::create_with(path, args.compress).map_err(err)?;
    // The system calls the filter can match (every supported one without a filter or when
    // the filter does not restrict the event type), the state ones included.
    let names: Option<Vec<&str>> = match filter.as_ref().map(|f| f.event_types()) {
        Some(vigil_filter::EventTypes::Only(ids)) => {
            let table = SYSCALL_SCHEMA.event_types();
            Some(
                ids.iter()
                    .filter_map(|id| table.get(usize::from(*id)).copied())
                    .collect(),
            )
        }
        _ => None,
    };
    let (nrs, _) = vigil_ebpf::syscalls::interest_numbers(names.as_deref());
    let stop = vigil_ebpf::stop_on_signals();
    let (mut sensor, snapshot) = match start_sensor(&nrs, args.sensor.options(names.is_none())) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("vigil: {e}");
            return Ok(ExitStatus::Failure);
        }
    };
    let mut state = State::new();
    w.machine_info(&machine_info()).map_err(err)?;
    let mut threads: Vec<ThreadInfo> = Vec::new();
    for block in &snapshot {
        state.apply_block(block);
        match block {
            Block::Users(u) => w.users(u).map_err(err)?,
            Block::Process(t) => threads.push((**t).clone()),
            _ => {}
        }
    }
    w.processes(&threads).map_err(err)?;
    for block in &snapshot {
        if let Block::Fds { tid, fds } = block {
            w.fds(*tid, fds).map_err(err)?;
        }
    }
    let nthreads = threads.len();
    drop((threads, snapshot));
    // The containers running now, described by events right after the tables (libscap's
    // dumper writes its container events there too); written whatever the filter.
    let mut feed = LiveFeed::new();
    let mut written = 0u64;
    feed.startup(&mut state, |_, ev, _| {
        written += 1;
        w.event(ev)
    })
    .map_err(err)?;
    eprintln!(
        "Capture started: {} system calls watched ({}), {nthreads} threads read from /proc, writing {}",
        nrs.len() - sensor.unavailable().len(),
        attach_note(&sensor),
        path.display()
    );

    let start = Instant::now();
    let deadline = args.duration.map(|d| start + d);
    loop {
        let stopping = stop.load(std::sync::atomic::Ordering::SeqCst)
            || deadline.is_some_and(|d| Instant::now() >= d);
        // Container events are written whatever the filter.
        feed.drain(&mut sensor, &mut state, |state, ev, origin| {
            if origin == Origin::Container
                || filter.as_ref().is_none_or(|f| f.eval(&state.view(ev)))
            {
                written += 1;
                w.event(ev)?;
            }
            Ok(())
        })
        .map_err(err)?;
        if stopping {
            break;
        }
        std::thread::sleep(vigil_ebpf::POLL_INTERVAL);
    }
    let k = sensor.stats();
    drop(sensor);
    w.finish()
        .map_err(err)?
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "Capture stopped: {} events in {:.3}s, {written} written to {}, {} dropped (ring full), {} undecodable",
        feed.events,
        start.elapsed().as_secs_f64(),
        path.display(),
        k.dropped,
        feed.skipped
    );
    Ok(ExitStatus::Success)
}
