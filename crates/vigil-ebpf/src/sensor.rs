//! The loader: the embedded BPF object, the interest map, the tp_btf attachments, the ring
//! buffer drained on a timer, and the per-CPU counters.

use std::time::Duration;

use aya::maps::{Array, MapData, PerCpuArray, RingBuf};
use aya::programs::{BtfTracePoint, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};

use crate::Error;
use crate::abi::{NR_MAX, stat};

/// The BPF object built by build.rs.
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/vigil.bpf.o"));

/// `(program name in the object, tracepoint)`: the process lifecycle, always attached.
const PROGRAMS: &[(&str, &str)] = &[
    ("vg_exec", "sched_process_exec"),
    ("vg_fork", "sched_process_fork"),
    ("vg_exit", "sched_process_exit"),
];

/// Where tracefs is expected (the per-syscall tracepoints need it; tp_btf does not).
const TRACEFS: &str = "/sys/kernel/tracing";

/// How system calls are hooked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttachMode {
    /// Per-syscall tracepoints unless the interest set is every syscall
    /// ([`Options::every_syscall`]) or tracefs cannot be had, then [`AttachMode::Raw`].
    #[default]
    Auto,
    /// One `syscalls/sys_exit_<name>` tracepoint per syscall of the interest set: the other
    /// syscalls run no BPF at all (needs tracefs, mounted at start if missing).
    PerSyscall,
    /// `tp_btf/sys_exit` on every syscall, filtered in the program by the interest map.
    Raw,
}

impl std::str::FromStr for AttachMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(AttachMode::Auto),
            "syscalls" | "per-syscall" => Ok(AttachMode::PerSyscall),
            "raw" => Ok(AttachMode::Raw),
            _ => Err(format!("invalid attach mode '{s}' (auto, syscalls or raw)")),
        }
    }
}

/// Sensor options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How system calls are hooked.
    pub attach: AttachMode,
    /// Ring buffer size in bytes (rounded up to a power of two, at least one page).
    pub ring_bytes: u32,
    /// The interest set is "every syscall" (a ruleset without event-type restriction, a
    /// capture without a filter): [`AttachMode::Auto`] then means [`AttachMode::Raw`].
    pub every_syscall: bool,
}

/// The default ring buffer: 8 MiB. Measured (BENCHMARKS.md, `scripts/bench-ring-size`): the
/// ring's pages count in vigil's RSS once read (42 MB total at 8 MiB, 91 MB at 32 MiB), and a
/// ring only absorbs bursts above the consumer's rate (32 MiB held a one-second burst of 200k
/// records, 64 MiB one of 400k), so the default keeps the RSS goal and `--ring-mb` buys burst
/// room.
pub const DEFAULT_RING_BYTES: u32 = 8 << 20;

impl Default for Options {
    fn default() -> Self {
        Options {
            attach: AttachMode::Auto,
            ring_bytes: DEFAULT_RING_BYTES,
            every_syscall: false,
        }
    }
}

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
    /// `dropped` by kind of record: system calls.
    pub dropped_syscall: u64,
    /// `dropped` by kind of record: execs.
    pub dropped_exec: u64,
    /// `dropped` by kind of record: forks (each fork is two records, parent's and child's
    /// view; a drop of either counts once).
    pub dropped_fork: u64,
    /// `dropped` by kind of record: exits.
    pub dropped_exit: u64,
    /// Exec argument lists that could not be read (the process event is still sent).
    pub args_errors: u64,
    /// Exec working directories the kernel walk could not complete (too deep, unreadable):
    /// taken from /proc instead.
    pub cwd_errors: u64,
}

impl KernelStats {
    /// Process lifecycle records (exec, fork, exit) lost to a full ring: these leave the
    /// process table wrong, unlike a lost syscall.
    pub fn dropped_process(&self) -> u64 {
        self.dropped_exec + self.dropped_fork + self.dropped_exit
    }
}

/// A loaded and attached sensor.
pub struct Sensor {
    // Keeps the programs (and their links) alive.
    bpf: Ebpf,
    ring: RingBuf<MapData>,
    stats: PerCpuArray<MapData, u64>,
    mode: AttachMode,
    unavailable: Vec<u32>,
    tracefs_mounted: bool,
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
    /// [`Sensor::start_with`] with the default [`Options`].
    pub fn start(syscalls: &[u32]) -> Result<Sensor, Error> {
        Sensor::start_with(syscalls, Options::default())
    }

    /// Load the object, hook `syscalls` (x86_64 numbers) as `opts.attach` says, attach the
    /// process lifecycle programs. The calling process's own events are not reported.
    pub fn start_with(syscalls: &[u32], opts: Options) -> Result<Sensor, Error> {
        preflight()?;
        let btf = Btf::from_sys_fs().map_err(|e| Error::Load(format!("kernel BTF: {e}")))?;
        let self_tgid = std::process::id();
        let all = opts.every_syscall;
        let mut tracefs_mounted = false;
        let mode = match opts.attach {
            AttachMode::Raw => AttachMode::Raw,
            AttachMode::Auto if all => AttachMode::Raw,
            AttachMode::Auto | AttachMode::PerSyscall => match ensure_tracefs() {
                Ok(mounted) => {
                    tracefs_mounted = mounted;
                    AttachMode::PerSyscall
                }
                Err(e) if opts.attach == AttachMode::PerSyscall => {
                    return Err(Error::Attach {
                        what: "per-syscall tracepoints".into(),
                        msg: format!("tracefs is not available at {TRACEFS}: {e}"),
                    });
                }
                Err(_) => AttachMode::Raw,
            },
        };
        let ring = opts.ring_bytes.max(4096).next_power_of_two();
        let mut bpf = EbpfLoader::new()
            .btf(Some(&btf))
            .override_global("vg_self_tgid", &self_tgid, true)
            .map_max_entries("events", ring)
            .load(OBJECT)
            .map_err(|e| Error::Load(format!("{e:#}")))?;
        if mode == AttachMode::Raw {
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
        let mut unavailable = Vec::new();
        match mode {
            AttachMode::Raw => attach_btf(&mut bpf, &btf, "vg_sys_exit", "sys_exit")?,
            _ => {
                let prog: &mut TracePoint = bpf
                    .program_mut("vg_sc_exit")
                    .ok_or_else(|| Error::Load("program 'vg_sc_exit' missing".into()))?
                    .try_into()
                    .map_err(|e| Error::Load(format!("vg_sc_exit: {e}")))?;
                prog.load().map_err(|e| Error::Attach {
                    what: "tracepoint/syscalls/sys_exit_*".into(),
                    msg: format!("{e:#}"),
                })?;
                for &nr in syscalls {
                    let Some(name) = crate::syscalls::kernel_name(nr) else {
                        continue;
                    };
                    let tp = format!("sys_exit_{name}");
                    if !std::path::Path::new(TRACEFS)
                        .join("events/syscalls")
                        .join(&tp)
                        .exists()
                    {
                        // Not built into this kernel (e.g. init_module without modules):
                        // the syscall only ever fails with ENOSYS.
                        unavailable.push(nr);
                        continue;
                    }
                    prog.attach("syscalls", &tp).map_err(|e| Error::Attach {
                        what: format!("tracepoint/syscalls/{tp}"),
                        msg: format!("{e:#}"),
                    })?;
                }
            }
        }
        for (name, tp) in PROGRAMS {
            attach_btf(&mut bpf, &btf, name, tp)?;
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
            bpf,
            ring,
            stats,
            mode,
            unavailable,
            tracefs_mounted,
        })
    }

    /// How system calls are hooked ([`AttachMode::PerSyscall`] or [`AttachMode::Raw`]).
    pub fn attach_mode(&self) -> AttachMode {
        self.mode
    }

    /// Syscalls of the interest set this kernel has no tracepoint for (per-syscall mode):
    /// not built in, so they can only fail with ENOSYS.
    pub fn unavailable(&self) -> &[u32] {
        &self.unavailable
    }

    /// How many times the syscall program ran, and for how long in total. The kernel counts
    /// only while run-time statistics are on ([`enable_run_stats`]); `None` if the program
    /// info cannot be read.
    pub fn syscall_program_runs(&self) -> Option<(u64, Duration)> {
        let name = match self.mode {
            AttachMode::Raw => "vg_sys_exit",
            _ => "vg_sc_exit",
        };
        let info = self.bpf.program(name)?.info().ok()?;
        Some((info.run_count(), info.run_time()))
    }

    /// Whether the sensor mounted tracefs at /sys/kernel/tracing (it was missing).
    pub fn mounted_tracefs(&self) -> bool {
        self.tracefs_mounted
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
            dropped_syscall: get(stat::DROPPED_SYSCALL),
            dropped_exec: get(stat::DROPPED_EXEC),
            dropped_fork: get(stat::DROPPED_FORK),
            dropped_exit: get(stat::DROPPED_EXIT),
            args_errors: get(stat::ARGS_ERR),
            cwd_errors: get(stat::CWD_ERR),
        }
    }
}

/// Turn the kernel's BPF run-time statistics on (run counts and times of every program) for
/// as long as the returned fd is open. They cost two clock reads per program run: for tests
/// and measurements only.
pub fn enable_run_stats() -> Result<std::os::fd::OwnedFd, Error> {
    aya::sys::enable_stats(aya::sys::Stats::RunTime)
        .map_err(|e| Error::Load(format!("BPF_ENABLE_STATS: {e}")))
}

/// Load and attach one tp_btf program.
fn attach_btf(bpf: &mut Ebpf, btf: &Btf, name: &str, tp: &str) -> Result<(), Error> {
    let prog: &mut BtfTracePoint = bpf
        .program_mut(name)
        .ok_or_else(|| Error::Load(format!("program '{name}' missing")))?
        .try_into()
        .map_err(|e| Error::Load(format!("{name}: {e}")))?;
    let err = |e: aya::programs::ProgramError| Error::Attach {
        what: format!("tp_btf/{tp}"),
        msg: format!("{e:#}"),
    };
    prog.load(tp, btf).map_err(err)?;
    prog.attach().map_err(err)?;
    Ok(())
}

/// Make sure tracefs is mounted at [`TRACEFS`]; `Ok(true)` when this call mounted it.
fn ensure_tracefs() -> std::io::Result<bool> {
    let events = std::path::Path::new(TRACEFS).join("events/syscalls");
    if events.is_dir() {
        return Ok(false);
    }
    crate::sys::mount_tracefs(TRACEFS)?;
    if events.is_dir() {
        Ok(true)
    } else {
        Err(std::io::Error::other(
            "no events/syscalls (kernel without CONFIG_FTRACE_SYSCALLS)",
        ))
    }
}

/// How often to drain the ring buffer (no per-event wakeups: ebpf.md §2).
pub const POLL_INTERVAL: Duration = Duration::from_millis(10);
