//! # vigil-ebpf
//!
//! vigil's live sensor (issue 4, ADR 003). BPF programs written in C (`bpf/vigil.bpf.c`,
//! layouts in `bpf/events.h`) are compiled by clang from `build.rs` against the committed
//! `bpf/vmlinux.h` and loaded with aya:
//!
//! * `tp_btf/sched_process_exec|fork|exit` for the process lifecycle;
//! * the system calls the loaded rules (plus the fd/cwd bookkeeping ones) need: one
//!   `tracepoint/syscalls/sys_exit_<name>` each ([`AttachMode::PerSyscall`], the default), so
//!   the other syscalls run no BPF at all; or, for "every syscall" (or without tracefs),
//!   `tp_btf/sys_exit` filtered by an interest map indexed by syscall number
//!   ([`AttachMode::Raw`]). On this kernel a getpid loop costs x1.22 with the default rules
//!   per-syscall and x1.63 raw (BENCHMARKS.md);
//! * one ring buffer without per-event wakeups, drained on a timer; per-CPU counters for
//!   drops (by kind of record) and read errors ([`KernelStats`]).
//!
//! Exec records carry credentials and capabilities, the environment, the controlling
//! terminal, the process group and the open-file limit (read at exec, for processes gone
//! before /proc can be read; the terminal-shell rules test `proc.tty`), the executable's
//! inode times and
//! overlayfs upper-layer flag, and the working directory walked from the kernel's `fs->pwd`
//! (so a process that exits before its record is read still has the right `proc.cwd`; /proc
//! only when the walk is too deep). Each fork is sent as libscap sends clone's exit: the
//! parent's view and the child's (its ids in its own pid namespace, `proc.vpid`/`thread.vtid`,
//! and `proc.pidns_init_start_ts`); cgroup lists come from /proc once per cgroup id.
//!
//! [`Converter`] turns each record into a [`vigil_scap::OwnedEvent`] in the current exit
//! layout of its event code, and [`procfs::snapshot`] reads the start-up state as the blocks a
//! capture carries, so `vigil_state::State` is fed exactly as from a capture.
//!
//! Requirements: root, a kernel with BTF (`/sys/kernel/btf/vmlinux`) and tp_btf. Builds need
//! clang and libbpf-dev.
#![deny(missing_docs)]

pub mod abi;
pub mod containers;
mod convert;
pub mod procfs;
mod sensor;
mod sys;
pub mod syscalls;

pub use convert::{
    Converter, EventBuf, Skip, clone_flags_to_ppm, open_flags_to_ppm, ptrace_request_to_ppm,
};
pub use sensor::{
    AttachMode, DEFAULT_RING_BYTES, KernelStats, Options, POLL_INTERVAL, Sensor, enable_run_stats,
    preflight,
};
pub use sys::{boot_to_epoch_ns, euid, stop_on_signals, stop_requested};

/// Why the sensor cannot run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading BPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN).
    #[error(
        "vigil run and vigil capture need root: loading eBPF programs requires CAP_BPF and CAP_PERFMON (run it with sudo)"
    )]
    NotRoot,
    /// No kernel BTF.
    #[error(
        "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): vigil needs CONFIG_DEBUG_INFO_BTF=y for its tp_btf programs"
    )]
    NoBtf,
    /// The object could not be loaded.
    #[error("cannot load the eBPF object: {0}")]
    Load(String),
    /// A program could not be loaded or attached.
    #[error("cannot attach {what} (the kernel needs BPF tp_btf support, 5.5 or later): {msg}")]
    Attach {
        /// The hook.
        what: String,
        /// The loader's message.
        msg: String,
    },
}
