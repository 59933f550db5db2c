//! What `vigil run` and `vigil capture` share: the sensor, started before the start-up state
//! is read from /proc; container events, made the way a live source makes them; and the feed
//! that turns the sensor's records into events applied to `State`, in one loop for both.

use std::time::{Duration, Instant};

use vigil_scap::{Block, RawEvent};
use vigil_state::State;

/// Wall-clock time in nanoseconds (the clock of live event timestamps).
pub(super) fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Start the sensor on the syscall numbers `nrs`, then read the start-up state from /proc
/// (this process left out): the users, process and fd blocks a capture carries, in a
/// capture's order, to apply to `State` (and write, for `vigil capture`) before the first
/// live event. Shared by `vigil run` and `vigil capture`.
pub(super) fn start_sensor(
    nrs: &[u32],
    opts: vigil_ebpf::Options,
) -> Result<(vigil_ebpf::Sensor, Vec<Block<'static>>), vigil_ebpf::Error> {
    // The sensor first, so nothing that happens between the snapshot and the first record
    // is lost (a process seen twice is harmless: the live event updates the table).
    let sensor = vigil_ebpf::Sensor::start_with(nrs, opts)?;
    let snap = vigil_ebpf::procfs::snapshot(Some(std::process::id()));
    let mut blocks = Vec::with_capacity(1 + snap.threads.len() + snap.fds.len());
    blocks.push(Block::Users(snap.users));
    blocks.extend(
        snap.threads
            .into_iter()
            .map(|t| Block::Process(Box::new(t))),
    );
    blocks.extend(
        snap.fds
            .into_iter()
            .map(|(tid, fds)| Block::Fds { tid, fds }),
    );
    Ok((sensor, blocks))
}

/// How the sensor hooks system calls, for the start-up line.
pub(super) fn attach_note(sensor: &vigil_ebpf::Sensor) -> String {
    let mut s = match sensor.attach_mode() {
        vigil_ebpf::AttachMode::Raw => "raw sys_exit, filtered in BPF".to_string(),
        _ => "one tracepoint each".to_string(),
    };
    if sensor.mounted_tracefs() {
        s.push_str("; mounted tracefs at /sys/kernel/tracing");
    }
    let missing: Vec<&str> = sensor
        .unavailable()
        .iter()
        .filter_map(|nr| vigil_ebpf::syscalls::by_nr(*nr).map(|s| s.0))
        .collect();
    if !missing.is_empty() {
        s.push_str("; not in this kernel: ");
        s.push_str(&missing.join(", "));
    }
    s
}

/// Container events, the way a live source emits them: each container the events name is
/// looked up in the runtimes' files (`vigil_ebpf::containers`) and described by a container
/// event placed before the first event that names it, so `State` (and a capture's reader)
/// learns `container.*` from events alone.
///
/// A process can show up in a container's cgroup before the runtime has written its state
/// (runc's init joins the cgroup first): such a container is looked up again at each of its
/// next execs, and described with its id alone once [`ContainerEvents::PATIENCE`] has passed.
struct ContainerEvents {
    roots: vigil_ebpf::containers::Roots,
    /// Containers not found yet, with when they were first seen.
    waiting: std::collections::HashMap<String, Instant>,
}

impl ContainerEvents {
    /// How long a container is looked for before it is described by its id alone.
    const PATIENCE: Duration = Duration::from_secs(2);

    fn new() -> ContainerEvents {
        ContainerEvents {
            roots: vigil_ebpf::containers::Roots::default(),
            waiting: std::collections::HashMap::new(),
        }
    }

    /// The event describing container `id` (64 hex), unless its runtime state is not there
    /// yet and it has been waited for less than [`Self::PATIENCE`].
    fn describe(&mut self, id: &str, ts: u64, tid: u64) -> Option<vigil_scap::OwnedEvent> {
        let json = vigil_ebpf::containers::container_json(&self.roots, id);
        if !vigil_ebpf::containers::is_described(&json) {
            let first = *self
                .waiting
                .entry(id.to_string())
                .or_insert_with(Instant::now);
            if first.elapsed() < Self::PATIENCE {
                return None;
            }
        }
        self.waiting.remove(id);
        Some(vigil_ebpf::containers::event_of_json(&json, ts, tid))
    }

    /// The containers of the start-up tables, as events stamped `ts`.
    fn startup(&mut self, state: &State, ts: u64) -> Vec<vigil_scap::OwnedEvent> {
        state
            .undescribed_containers()
            .into_iter()
            .filter_map(|(id, tid)| self.describe(&id, ts, tid as u64))
            .collect()
    }

    /// When `ev` is the first to name a container, its container event (to apply, evaluate
    /// and write before `ev`).
    fn before(
        &mut self,
        state: &State,
        ev: &vigil_scap::RawEvent<'_>,
    ) -> Option<vigil_scap::OwnedEvent> {
        let id = state.undescribed_container(ev)?;
        self.describe(id, ev.ts, ev.tid)
    }
}

/// Where an event handed to a [`LiveFeed`] sink comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A container event the feed made (for the start-up tables, or before the first event
    /// naming a container).
    Container,
    /// A record of the sensor.
    Sensor,
}

/// The sensor's records as events: each is converted into its scap form, preceded by its
/// container's event when it is the first to name an undescribed container, applied to
/// `State`, then handed to a sink with the state that includes it.
pub(super) struct LiveFeed {
    conv: vigil_ebpf::Converter,
    buf: vigil_ebpf::EventBuf,
    cbuf: vigil_ebpf::EventBuf,
    containers: ContainerEvents,
    /// Events applied so far, container events included.
    pub(super) events: u64,
    /// Records that could not be converted.
    pub(super) skipped: u64,
}

impl LiveFeed {
    pub(super) fn new() -> LiveFeed {
        LiveFeed {
            conv: vigil_ebpf::Converter::new(),
            buf: vigil_ebpf::EventBuf::new(),
            cbuf: vigil_ebpf::EventBuf::new(),
            containers: ContainerEvents::new(),
            events: 0,
            skipped: 0,
        }
    }

    /// The containers of the start-up tables (already applied to `state`), as events stamped
    /// now; stops at the sink's first error.
    pub(super) fn startup<E>(
        &mut self,
        state: &mut State,
        mut sink: impl FnMut(&State, &RawEvent<'_>, Origin) -> Result<(), E>,
    ) -> Result<(), E> {
        for cev in self.containers.startup(state, now_ns()) {
            let c = self.cbuf.raw(&cev);
            state.apply(&c);
            self.events += 1;
            sink(state, &c, Origin::Container)?;
        }
        Ok(())
    }

    /// Every record the sensor holds now. After the sink's first error (returned), the
    /// remaining records are consumed without being applied: the caller stops.
    pub(super) fn drain<E>(
        &mut self,
        sensor: &mut vigil_ebpf::Sensor,
        state: &mut State,
        mut sink: impl FnMut(&State, &RawEvent<'_>, Origin) -> Result<(), E>,
    ) -> Result<(), E> {
        let LiveFeed {
            conv,
            buf,
            cbuf,
            containers,
            events,
            skipped,
        } = self;
        let mut result = Ok(());
        sensor.drain(usize::MAX, |rec| {
            if result.is_err() {
                return;
            }
            let Ok(raw) = conv.convert_into(rec, buf) else {
                *skipped += 1;
                return;
            };
            if let Some(cev) = containers.before(state, &raw) {
                let c = cbuf.raw(&cev);
                state.apply(&c);
                *events += 1;
                result = sink(state, &c, Origin::Container);
            }
            state.apply(&raw);
            *events += 1;
            if result.is_ok() {
                result = sink(state, &raw, Origin::Sensor);
            }
        });
        result
    }
}
