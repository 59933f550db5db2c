//! The loader: the embedded BPF object, the interest map, the tp_btf attachments, the ring
//! buffer drained on a timer, and the per-CPU counters.

use std::time::Duration;

use aya::maps::{Array, MapData, PerCpuArray, RingBuf};
use aya::programs::BtfTracePoint;
use aya::{Btf, Ebpf, EbpfLoader};

use crate::Error;
use crate::abi::{NR_MAX, stat};

/// The BPF object built by build.rs.
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/vigil.bpf.o"));

/// `(program name in the object, tracepoint)`.
const PROGRAMS: &[(&str, &str)] = &[
    ("vg_exec", "sched_process_exec"),
    ("vg_fork", "sched_process_fork"),
    ("vg_exit", "sched_process_exit"),
    ("vg_sys_exit", "sys_exit"),
];

/// Kernel-side counters, summed over CPUs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KernelStats {
    /// Records submitted to the ring buffer.
    pub submitted: u64,
    /// Records lost because the ring buffer was full.
    pub dropped: u64,
    /// Strings (paths, argv) that could not be read.
    pub str_errors: u64,
    /// Sockets behind fds that could not be read.
    pub sock_errors: u64,
}

/// A loaded and attached sensor.
pub struct Sensor {
    // Keeps the programs (and their links) alive.
    _bpf: Ebpf,
    ring: RingBuf<MapData>,
    stats: PerCpuArray<MapData, u64>,
}

impl std::fmt::Debug for Sensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sensor").finish_non_exhaustive()
    }
}

/// Check what loading needs, with a message a user can act on.
pub fn preflight() -> Result<(), Error> {
    if crate::sys::euid() != 0 {
        return Err(Error::NotRoot);
    }
    if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        return Err(Error::NoBtf);
    }
    Ok(())
}

impl Sensor {
    /// Load the object, fill the interest map with `syscalls` (x86_64 numbers), attach every
    /// program. The calling process's own events are not reported.
    pub fn start(syscalls: &[u32]) -> Result<Sensor, Error> {
        preflight()?;
        let btf = Btf::from_sys_fs().map_err(|e| Error::Load(format!("kernel BTF: {e}")))?;
        let self_tgid = std::process::id();
        let mut bpf = EbpfLoader::new()
            .btf(Some(&btf))
            .override_global("vg_self_tgid", &self_tgid, true)
            .load(OBJECT)
            .map_err(|e| Error::Load(format!("{e:#}")))?;
        {
            let map = bpf
                .map_mut("interest")
                .ok_or_else(|| Error::Load("map 'interest' missing".into()))?;
            let mut interest: Array<&mut MapData, u8> =
                Array::try_from(map).map_err(|e| Error::Load(format!("interest: {e}")))?;
            for &nr in syscalls.iter().filter(|n| **n < NR_MAX) {
                interest
                    .set(nr, 1u8, 0)
                    .map_err(|e| Error::Load(format!("interest[{nr}]: {e}")))?;
            }
        }
        for (name, tp) in PROGRAMS {
            let prog: &mut BtfTracePoint = bpf
                .program_mut(name)
                .ok_or_else(|| Error::Load(format!("program '{name}' missing")))?
                .try_into()
                .map_err(|e| Error::Load(format!("{name}: {e}")))?;
            prog.load(tp, &btf).map_err(|e| Error::Attach {
                what: format!("tp_btf/{tp}"),
                msg: format!("{e:#}"),
            })?;
            prog.attach().map_err(|e| Error::Attach {
                what: format!("tp_btf/{tp}"),
                msg: format!("{e:#}"),
            })?;
        }
        let ring = RingBuf::try_from(
            bpf.take_map("events")
                .ok_or_else(|| Error::Load("map 'events' missing".into()))?,
        )
        .map_err(|e| Error::Load(format!("events: {e}")))?;
        let stats = PerCpuArray::try_from(
            bpf.take_map("stats")
                .ok_or_else(|| Error::Load("map 'stats' missing".into()))?,
        )
        .map_err(|e| Error::Load(format!("stats: {e}")))?;
        Ok(Sensor {
            _bpf: bpf,
            ring,
            stats,
        })
    }

    /// Hand every record now in the ring buffer to `f`, at most `max` of them; returns how
    /// many. Programs submit without wakeups, so call this on a timer ([`POLL_INTERVAL`]).
    pub fn drain(&mut self, max: usize, mut f: impl FnMut(&[u8])) -> usize {
        let mut n = 0;
        while n < max {
            let Some(item) = self.ring.next() else { break };
            f(&item);
            n += 1;
        }
        n
    }

    /// The kernel counters, summed over CPUs.
    pub fn stats(&self) -> KernelStats {
        let get = |i: u32| -> u64 { self.stats.get(&i, 0).map(|v| v.iter().sum()).unwrap_or(0) };
        KernelStats {
            submitted: get(stat::SUBMITTED),
            dropped: get(stat::DROPPED),
            str_errors: get(stat::STR_ERR),
            sock_errors: get(stat::SOCK_ERR),
        }
    }
}

/// How often to drain the ring buffer (no per-event wakeups: ebpf.md §2).
pub const POLL_INTERVAL: Duration = Duration::from_millis(10);
