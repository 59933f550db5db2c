//! The `syscall` field table: libsinsp's `evt.*`, `proc.*`, `thread.*`, `user.*`, `group.*`,
//! `fd.*`, `fdlist.*`, `fs.path.*`, `util.*` classes and the container plugin's `container.*`,
//! `k8s.*` and `proc.is_container_*` fields.
//!
//! Names, value types, list-ness, argument kinds and deprecation follow falcosecurity/libs
//! 0.25.4 (`userspace/libsinsp/sinsp_filtercheck_*.cpp`, identical at libs HEAD 48dfd53) and
//! falcosecurity/plugins `plugins/container` (v0.7.x). The documentation strings are ours.
//!
//! Not carried over: the four libsinsp `PT_DOUBLE` fields (`proc.fdusage`, `thread.cpu`,
//! `thread.cpu.user`, `thread.cpu.system`) — there is no floating-point [`FieldType`].

use std::sync::LazyLock;
use vigil_event::{ArgKind, FieldInfo, FieldType};

/// Every `syscall` field, in documentation order (grouped by class): the generic event
/// fields every source has, then the syscall ones.
pub(crate) static SYSCALL_FIELDS: LazyLock<Vec<FieldInfo>> =
    LazyLock::new(|| vigil_event::with_generic_fields(OWN_FIELDS));

/// The `syscall` source's own fields, after the generic ones.
static OWN_FIELDS: &[FieldInfo] = &[
    // Event: syscall events.
    FieldInfo::new(
        "evt.latency",
        FieldType::RelTime,
        "Deprecated: time between an enter event and its matching exit event (ns).",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.latency.s",
        FieldType::RelTime,
        "Deprecated: whole-seconds part of evt.latency.",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.latency.ns",
        FieldType::RelTime,
        "Deprecated: sub-second part of evt.latency, in nanoseconds.",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.latency.quantized",
        FieldType::UInt,
        "Deprecated: base-10 logarithm bucket of evt.latency.",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.latency.human",
        FieldType::String,
        "Deprecated: evt.latency formatted for humans (e.g. 3.1ms).",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.deltatime",
        FieldType::RelTime,
        "Nanoseconds elapsed since the previous event.",
    ),
    FieldInfo::new(
        "evt.deltatime.s",
        FieldType::RelTime,
        "Whole-seconds part of evt.deltatime.",
    ),
    FieldInfo::new(
        "evt.deltatime.ns",
        FieldType::RelTime,
        "Sub-second part of evt.deltatime, in nanoseconds.",
    ),
    FieldInfo::new(
        "evt.outputtime",
        FieldType::String,
        "Event time in the format selected for outputs (print only).",
    ),
    FieldInfo::new(
        "evt.dir",
        FieldType::String,
        "Deprecated: '>' for enter events, '<' for exit events.",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.type",
        FieldType::String,
        "Event type name, usually the system call name (e.g. openat, execve).",
    )
    .evtype(),
    FieldInfo::new(
        "evt.type.is",
        FieldType::UInt,
        "1 when the event has the type named after the dot (evt.type.is.open), else 0.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "syscall.type",
        FieldType::String,
        "System call name for syscall events; unset for non-syscall events.",
    ),
    FieldInfo::new(
        "evt.category",
        FieldType::String,
        "Broad category of the event (file, net, memory, process, ...).",
    ),
    FieldInfo::new(
        "evt.cpu",
        FieldType::Int,
        "Index of the CPU the event was captured on.",
    ),
    FieldInfo::new(
        "evt.args",
        FieldType::String,
        "All event arguments rendered into one string.",
    ),
    FieldInfo::new(
        "evt.arg",
        FieldType::String,
        "One event argument, by position (evt.arg[0]) or name (evt.arg.fd), rendered as text.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "evt.rawarg",
        FieldType::Int,
        "One event argument by name (evt.rawarg.fd), with its raw (numeric) value.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "evt.info",
        FieldType::String,
        "Event details rendered as text; currently the same as evt.args.",
    ),
    FieldInfo::new(
        "evt.buffer",
        FieldType::Bytes,
        "Data buffer carried by I/O events (read, write, sendto, recvfrom, ...).",
    ),
    FieldInfo::new(
        "evt.buflen",
        FieldType::UInt,
        "Length in bytes of the I/O data buffer of the event.",
    ),
    FieldInfo::new(
        "evt.res",
        FieldType::String,
        "Result as text: SUCCESS, or the error name (e.g. ENOENT) on failure.",
    ),
    FieldInfo::new(
        "evt.rawres",
        FieldType::Int,
        "Result as the raw return value (negative errno on failure).",
    ),
    FieldInfo::new(
        "evt.failed",
        FieldType::Bool,
        "Whether the event returned an error.",
    ),
    FieldInfo::new(
        "evt.is_io",
        FieldType::Bool,
        "Whether the event reads from or writes to a file descriptor.",
    ),
    FieldInfo::new(
        "evt.is_io_read",
        FieldType::Bool,
        "Whether the event reads from a file descriptor.",
    ),
    FieldInfo::new(
        "evt.is_io_write",
        FieldType::Bool,
        "Whether the event writes to a file descriptor.",
    ),
    FieldInfo::new(
        "evt.io_dir",
        FieldType::String,
        "I/O direction of the event: r for reads, w for writes.",
    ),
    FieldInfo::new(
        "evt.is_wait",
        FieldType::Bool,
        "Whether the event blocks the thread waiting (sleep, poll, select, ...).",
    ),
    FieldInfo::new(
        "evt.wait_latency",
        FieldType::RelTime,
        "Deprecated: time a waiting event spent blocked, in nanoseconds.",
    )
    .deprecated(),
    FieldInfo::new(
        "evt.is_syslog",
        FieldType::Bool,
        "Whether the event is a write to /dev/log.",
    ),
    FieldInfo::new(
        "evt.count",
        FieldType::UInt,
        "Constant 1, for counting events.",
    ),
    FieldInfo::new(
        "evt.count.error",
        FieldType::UInt,
        "1 when the event failed, else 0.",
    ),
    FieldInfo::new(
        "evt.count.error.file",
        FieldType::UInt,
        "1 when a file-related event failed, else 0.",
    ),
    FieldInfo::new(
        "evt.count.error.net",
        FieldType::UInt,
        "1 when a network-related event failed, else 0.",
    ),
    FieldInfo::new(
        "evt.count.error.memory",
        FieldType::UInt,
        "1 when a memory-related event failed, else 0.",
    ),
    FieldInfo::new(
        "evt.count.error.other",
        FieldType::UInt,
        "1 when an event failed that is not file, network or memory related.",
    ),
    FieldInfo::new(
        "evt.count.exit",
        FieldType::UInt,
        "1 for exit events, else 0.",
    ),
    FieldInfo::new(
        "evt.count.procinfo",
        FieldType::UInt,
        "1 for procinfo events of main threads (tables only).",
    ),
    FieldInfo::new(
        "evt.count.threadinfo",
        FieldType::UInt,
        "1 for procinfo events (tables only).",
    ),
    FieldInfo::new(
        "evt.around",
        FieldType::UInt,
        "Filter-only: matches events within D ms of timestamp T, written evt.around[T]=D.",
    )
    .required_arg(ArgKind::Index),
    FieldInfo::new(
        "evt.abspath",
        FieldType::String,
        "Absolute path resolved from a dirfd and a relative name; .src / .dst pick the path.",
    )
    .arg(ArgKind::Key),
    FieldInfo::new(
        "evt.buflen.in",
        FieldType::UInt,
        "Buffer length of input I/O events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.out",
        FieldType::UInt,
        "Buffer length of output I/O events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.file",
        FieldType::UInt,
        "Buffer length of file I/O events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.file.in",
        FieldType::UInt,
        "Buffer length of file input events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.file.out",
        FieldType::UInt,
        "Buffer length of file output events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.net",
        FieldType::UInt,
        "Buffer length of network I/O events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.net.in",
        FieldType::UInt,
        "Buffer length of network input events only (tables only).",
    ),
    FieldInfo::new(
        "evt.buflen.net.out",
        FieldType::UInt,
        "Buffer length of network output events only (tables only).",
    ),
    FieldInfo::new(
        "evt.is_open_read",
        FieldType::Bool,
        "Whether an open-family event opened the file for reading.",
    ),
    FieldInfo::new(
        "evt.is_open_write",
        FieldType::Bool,
        "Whether an open-family event opened the file for writing.",
    ),
    FieldInfo::new(
        "evt.infra.docker.name",
        FieldType::String,
        "Name of a docker infrastructure event (tables only).",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.id",
        FieldType::String,
        "Container id of a docker infrastructure event (tables only).",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.name",
        FieldType::String,
        "Container name of a docker infrastructure event (tables only).",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.image",
        FieldType::String,
        "Container image of a docker infrastructure event (tables only).",
    ),
    FieldInfo::new(
        "evt.is_open_exec",
        FieldType::Bool,
        "Whether an open-family or creat event created a file with execute permission.",
    ),
    FieldInfo::new(
        "evt.is_open_create",
        FieldType::Bool,
        "Whether an open-family event created the file.",
    ),
    // Process and thread.
    FieldInfo::new(
        "proc.exe",
        FieldType::String,
        "First command-line argument (argv[0]) of the process.",
    ),
    FieldInfo::new(
        "proc.pexe",
        FieldType::String,
        "argv[0] of the parent process.",
    ),
    FieldInfo::new(
        "proc.aexe",
        FieldType::String,
        "argv[0] of an ancestor (proc.aexe[N], 0 = self); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.exepath",
        FieldType::String,
        "Full path of the process executable.",
    ),
    FieldInfo::new(
        "proc.pexepath",
        FieldType::String,
        "Full path of the parent process executable.",
    ),
    FieldInfo::new(
        "proc.aexepath",
        FieldType::String,
        "Executable path of an ancestor (proc.aexepath[N]); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.name",
        FieldType::String,
        "Process name (executable basename, at most 16 characters as the kernel keeps it).",
    ),
    FieldInfo::new(
        "proc.pname",
        FieldType::String,
        "Name of the parent process.",
    ),
    FieldInfo::new(
        "proc.aname",
        FieldType::String,
        "Name of an ancestor (proc.aname[N], 1 = parent); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.args",
        FieldType::String,
        "Command-line arguments after argv[0], joined by spaces; proc.args[N] picks one.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.aargs",
        FieldType::String,
        "Arguments of an ancestor (proc.aargs[N]); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.cmdline",
        FieldType::String,
        "Process name followed by its arguments.",
    ),
    FieldInfo::new(
        "proc.pcmdline",
        FieldType::String,
        "Command line (name and arguments) of the parent process.",
    ),
    FieldInfo::new(
        "proc.acmdline",
        FieldType::String,
        "Command line of an ancestor (proc.acmdline[N]); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.cmdnargs",
        FieldType::UInt,
        "Number of command-line arguments.",
    ),
    FieldInfo::new(
        "proc.cmdlenargs",
        FieldType::UInt,
        "Total length of the command-line arguments (without separators).",
    ),
    FieldInfo::new(
        "proc.exeline",
        FieldType::String,
        "argv[0] followed by the arguments.",
    ),
    FieldInfo::new(
        "proc.env",
        FieldType::String,
        "Environment as NAME=value pairs joined by spaces; proc.env[NAME] gives one value.",
    )
    .arg(ArgKind::Key),
    FieldInfo::new(
        "proc.aenv",
        FieldType::String,
        "Environment of ancestors: bare matches any, [N] picks a level, [NAME] the nearest value.",
    )
    .arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "proc.cwd",
        FieldType::String,
        "Current working directory of the process.",
    ),
    FieldInfo::new(
        "proc.loginshellid",
        FieldType::Int,
        "Pid of the oldest shell ancestor (the login shell), if any.",
    ),
    FieldInfo::new(
        "proc.tty",
        FieldType::UInt,
        "Controlling terminal number of the process; 0 when there is none.",
    ),
    FieldInfo::new(
        "proc.pid",
        FieldType::Int,
        "Process id (thread-group id) of the process.",
    ),
    FieldInfo::new("proc.ppid", FieldType::Int, "Process id of the parent."),
    FieldInfo::new(
        "proc.apid",
        FieldType::Int,
        "Pid of an ancestor (proc.apid[N]); bare, matches any ancestor.",
    )
    .arg(ArgKind::Index),
    FieldInfo::new(
        "proc.vpid",
        FieldType::Int,
        "Process id as seen inside the process's own pid namespace.",
    ),
    FieldInfo::new(
        "proc.pvpid",
        FieldType::Int,
        "Parent process id as seen inside the pid namespace.",
    ),
    FieldInfo::new("proc.sid", FieldType::Int, "Session id of the process."),
    FieldInfo::new(
        "proc.sname",
        FieldType::String,
        "Name of the session leader process.",
    ),
    FieldInfo::new(
        "proc.sid.exe",
        FieldType::String,
        "argv[0] of the session leader process.",
    ),
    FieldInfo::new(
        "proc.sid.exepath",
        FieldType::String,
        "Executable path of the session leader process.",
    ),
    FieldInfo::new(
        "proc.vpgid",
        FieldType::Int,
        "Process group id as seen inside the pid namespace.",
    ),
    FieldInfo::new(
        "proc.vpgid.name",
        FieldType::String,
        "Name of the process-group leader (namespace view).",
    ),
    FieldInfo::new(
        "proc.vpgid.exe",
        FieldType::String,
        "argv[0] of the process-group leader (namespace view).",
    ),
    FieldInfo::new(
        "proc.vpgid.exepath",
        FieldType::String,
        "Executable path of the process-group leader (namespace view).",
    ),
    FieldInfo::new(
        "proc.pgid",
        FieldType::Int,
        "Process group id as seen from the host.",
    ),
    FieldInfo::new(
        "proc.pgid.name",
        FieldType::String,
        "Name of the process-group leader (host view).",
    ),
    FieldInfo::new(
        "proc.pgid.exe",
        FieldType::String,
        "argv[0] of the process-group leader (host view).",
    ),
    FieldInfo::new(
        "proc.pgid.exepath",
        FieldType::String,
        "Executable path of the process-group leader (host view).",
    ),
    FieldInfo::new(
        "proc.duration",
        FieldType::RelTime,
        "Nanoseconds since the process started.",
    ),
    FieldInfo::new(
        "proc.ppid.duration",
        FieldType::RelTime,
        "Nanoseconds since the parent process started.",
    ),
    FieldInfo::new(
        "proc.pid.ts",
        FieldType::RelTime,
        "Start time of the process, in nanoseconds since the epoch.",
    ),
    FieldInfo::new(
        "proc.ppid.ts",
        FieldType::RelTime,
        "Start time of the parent process, in nanoseconds since the epoch.",
    ),
    FieldInfo::new(
        "proc.is_exe_writable",
        FieldType::Bool,
        "Whether the executable file is writable by the process's user.",
    ),
    FieldInfo::new(
        "proc.is_exe_upper_layer",
        FieldType::Bool,
        "Whether the executable lives in the upper (writable) layer of an overlay filesystem.",
    ),
    FieldInfo::new(
        "proc.is_exe_lower_layer",
        FieldType::Bool,
        "Whether the executable lives in a lower (image) layer of an overlay filesystem.",
    ),
    FieldInfo::new(
        "proc.is_exe_from_memfd",
        FieldType::Bool,
        "Whether the executable was loaded from a memfd (fileless execution).",
    ),
    FieldInfo::new(
        "proc.is_sid_leader",
        FieldType::Bool,
        "Whether the process is its session leader.",
    ),
    FieldInfo::new(
        "proc.is_vpgid_leader",
        FieldType::Bool,
        "Whether the process leads its process group (namespace view).",
    ),
    FieldInfo::new(
        "proc.is_pgid_leader",
        FieldType::Bool,
        "Whether the process leads its process group (host view).",
    ),
    FieldInfo::new(
        "proc.exe_ino",
        FieldType::Int,
        "Inode number of the executable file.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime",
        FieldType::AbsTime,
        "Last status-change time (ctime) of the executable inode, epoch ns.",
    ),
    FieldInfo::new(
        "proc.exe_ino.mtime",
        FieldType::AbsTime,
        "Last modification time (mtime) of the executable inode, epoch ns.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime_duration_proc_start",
        FieldType::AbsTime,
        "Nanoseconds between the executable's ctime and the process start.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime_duration_pidns_start",
        FieldType::AbsTime,
        "Nanoseconds between the pid namespace start and the executable's ctime.",
    ),
    FieldInfo::new(
        "proc.pidns_init_start_ts",
        FieldType::UInt,
        "Start time of the init process of the pid namespace, epoch ns.",
    ),
    FieldInfo::new(
        "thread.cap_permitted",
        FieldType::String,
        "Permitted capability set of the thread, as capability names.",
    ),
    FieldInfo::new(
        "thread.cap_inheritable",
        FieldType::String,
        "Inheritable capability set of the thread, as capability names.",
    ),
    FieldInfo::new(
        "thread.cap_effective",
        FieldType::String,
        "Effective capability set of the thread, as capability names.",
    ),
    FieldInfo::new(
        "proc.fdopencount",
        FieldType::UInt,
        "Number of file descriptors the process has open.",
    ),
    FieldInfo::new(
        "proc.fdlimit",
        FieldType::Int,
        "Maximum number of file descriptors the process may open.",
    ),
    FieldInfo::new(
        "proc.vmsize",
        FieldType::UInt,
        "Total virtual memory of the process, in KiB.",
    ),
    FieldInfo::new(
        "proc.vmrss",
        FieldType::UInt,
        "Resident memory of the process, in KiB.",
    ),
    FieldInfo::new(
        "proc.vmswap",
        FieldType::UInt,
        "Swapped-out memory of the process, in KiB.",
    ),
    FieldInfo::new(
        "thread.pfmajor",
        FieldType::UInt,
        "Major page faults of the thread since it started.",
    ),
    FieldInfo::new(
        "thread.pfminor",
        FieldType::UInt,
        "Minor page faults of the thread since it started.",
    ),
    FieldInfo::new("thread.tid", FieldType::Int, "Thread id (host view)."),
    FieldInfo::new(
        "thread.ismain",
        FieldType::Bool,
        "Whether the thread is the main thread of its process.",
    ),
    FieldInfo::new(
        "thread.vtid",
        FieldType::Int,
        "Thread id as seen inside the pid namespace.",
    ),
    FieldInfo::new(
        "thread.nametid",
        FieldType::String,
        "Process name and thread id combined (tables only).",
    ),
    FieldInfo::new(
        "thread.exectime",
        FieldType::RelTime,
        "CPU time the thread ran during its last scheduling slice, in ns.",
    ),
    FieldInfo::new(
        "thread.totexectime",
        FieldType::RelTime,
        "Total CPU time the thread ran since capture start, in ns.",
    ),
    FieldInfo::new(
        "thread.cgroups",
        FieldType::String,
        "All cgroups of the thread, as subsystem=path pairs.",
    ),
    FieldInfo::new(
        "thread.cgroup",
        FieldType::String,
        "Cgroup path of the thread for one subsystem, e.g. thread.cgroup.cpuacct.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "proc.nthreads",
        FieldType::UInt,
        "Number of live threads of the process, the main thread included.",
    ),
    FieldInfo::new(
        "proc.nchilds",
        FieldType::UInt,
        "Number of live child threads of the process, the main thread excluded.",
    ),
    FieldInfo::new(
        "thread.vmsize",
        FieldType::UInt,
        "Total virtual memory of the thread's process, in KiB.",
    ),
    FieldInfo::new(
        "thread.vmrss",
        FieldType::UInt,
        "Resident memory of the thread's process, in KiB.",
    ),
    FieldInfo::new(
        "thread.vmsize.b",
        FieldType::UInt,
        "Total virtual memory, in bytes (tables only).",
    ),
    FieldInfo::new(
        "thread.vmrss.b",
        FieldType::UInt,
        "Resident memory, in bytes (tables only).",
    ),
    FieldInfo::new(
        "proc.stdin.type",
        FieldType::String,
        "Type of the file descriptor open as standard input (fd 0).",
    ),
    FieldInfo::new(
        "proc.stdout.type",
        FieldType::String,
        "Type of the file descriptor open as standard output (fd 1).",
    ),
    FieldInfo::new(
        "proc.stderr.type",
        FieldType::String,
        "Type of the file descriptor open as standard error (fd 2).",
    ),
    FieldInfo::new(
        "proc.stdin.name",
        FieldType::String,
        "Name of the file descriptor open as standard input (fd 0).",
    ),
    FieldInfo::new(
        "proc.stdout.name",
        FieldType::String,
        "Name of the file descriptor open as standard output (fd 1).",
    ),
    FieldInfo::new(
        "proc.stderr.name",
        FieldType::String,
        "Name of the file descriptor open as standard error (fd 2).",
    ),
    // User.
    FieldInfo::new("user.uid", FieldType::UInt, "User id of the thread."),
    FieldInfo::new(
        "user.name",
        FieldType::String,
        "User name of the thread's uid.",
    ),
    FieldInfo::new(
        "user.homedir",
        FieldType::String,
        "Home directory of the thread's user.",
    ),
    FieldInfo::new(
        "user.shell",
        FieldType::String,
        "Login shell of the thread's user.",
    ),
    FieldInfo::new(
        "user.loginuid",
        FieldType::Int,
        "Audit login uid (the user who logged in); -1 when unset.",
    ),
    FieldInfo::new(
        "user.loginname",
        FieldType::String,
        "User name of the audit login uid.",
    ),
    // Group.
    FieldInfo::new("group.gid", FieldType::UInt, "Group id of the thread."),
    FieldInfo::new(
        "group.name",
        FieldType::String,
        "Group name of the thread's gid.",
    ),
    // File descriptor.
    FieldInfo::new(
        "fd.num",
        FieldType::Int,
        "Number of the file descriptor the event uses.",
    ),
    FieldInfo::new(
        "fd.type",
        FieldType::String,
        "Kind of file descriptor: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, ...",
    ),
    FieldInfo::new(
        "fd.typechar",
        FieldType::String,
        "One-character code of the fd kind (f file, 4 ipv4, 6 ipv6, u unix, p pipe, ...).",
    ),
    FieldInfo::new(
        "fd.name",
        FieldType::String,
        "Full fd name: a path for files, a tuple for sockets.",
    ),
    FieldInfo::new(
        "fd.directory",
        FieldType::String,
        "Directory part of the fd name, for files.",
    ),
    FieldInfo::new(
        "fd.filename",
        FieldType::String,
        "Base name of the file, without directory.",
    ),
    FieldInfo::new(
        "fd.ip",
        FieldType::Ip,
        "Filter-only: matches the client or the server IP of the connection.",
    ),
    FieldInfo::new(
        "fd.cip",
        FieldType::Ip,
        "Client IP address of the connection.",
    ),
    FieldInfo::new(
        "fd.sip",
        FieldType::Ip,
        "Server IP address of the connection.",
    ),
    FieldInfo::new(
        "fd.lip",
        FieldType::Ip,
        "Local IP address of the connection.",
    ),
    FieldInfo::new(
        "fd.rip",
        FieldType::Ip,
        "Remote IP address of the connection.",
    ),
    FieldInfo::new(
        "fd.port",
        FieldType::Port,
        "Filter-only: matches the client or the server port of the connection.",
    ),
    FieldInfo::new(
        "fd.cport",
        FieldType::Port,
        "Client port of the connection.",
    ),
    FieldInfo::new(
        "fd.sport",
        FieldType::Port,
        "Server port of the connection.",
    ),
    FieldInfo::new("fd.lport", FieldType::Port, "Local port of the connection."),
    FieldInfo::new(
        "fd.rport",
        FieldType::Port,
        "Remote port of the connection.",
    ),
    FieldInfo::new(
        "fd.l4proto",
        FieldType::String,
        "Transport protocol of a socket: tcp, udp, icmp or raw.",
    ),
    FieldInfo::new(
        "fd.sockfamily",
        FieldType::String,
        "Address family of a socket: ip or unix.",
    ),
    FieldInfo::new(
        "fd.is_server",
        FieldType::Bool,
        "Whether the process owning the fd is the server end of the connection.",
    ),
    FieldInfo::new(
        "fd.uid",
        FieldType::String,
        "Unique id of the fd, made of the thread id and the fd number.",
    ),
    FieldInfo::new(
        "fd.containername",
        FieldType::String,
        "Container id (or name) combined with the fd name.",
    ),
    FieldInfo::new(
        "fd.containerdirectory",
        FieldType::String,
        "Container id (or name) combined with the fd directory.",
    ),
    FieldInfo::new(
        "fd.proto",
        FieldType::Port,
        "Filter-only: matches the client or the server protocol name.",
    ),
    FieldInfo::new(
        "fd.cproto",
        FieldType::String,
        "Protocol name of the client port: its service name (e.g. http) in port-name mode, else the number.",
    ),
    FieldInfo::new(
        "fd.sproto",
        FieldType::String,
        "Protocol name of the server port: its service name (e.g. http) in port-name mode, else the number.",
    ),
    FieldInfo::new(
        "fd.lproto",
        FieldType::String,
        "Protocol name of the local port: its service name (e.g. http) in port-name mode, else the number.",
    ),
    FieldInfo::new(
        "fd.rproto",
        FieldType::String,
        "Protocol name of the remote port: its service name (e.g. http) in port-name mode, else the number.",
    ),
    FieldInfo::new(
        "fd.net",
        FieldType::IpNet,
        "Filter-only: matches when the client or the server IP is in the given network.",
    ),
    FieldInfo::new(
        "fd.cnet",
        FieldType::IpNet,
        "Filter-only: matches when the client IP is in the given network.",
    ),
    FieldInfo::new(
        "fd.snet",
        FieldType::IpNet,
        "Filter-only: matches when the server IP is in the given network.",
    ),
    FieldInfo::new(
        "fd.lnet",
        FieldType::IpNet,
        "Filter-only: matches when the local IP is in the given network.",
    ),
    FieldInfo::new(
        "fd.rnet",
        FieldType::IpNet,
        "Filter-only: matches when the remote IP is in the given network.",
    ),
    FieldInfo::new(
        "fd.connected",
        FieldType::Bool,
        "Whether the socket is connected.",
    ),
    FieldInfo::new(
        "fd.name_changed",
        FieldType::Bool,
        "Whether the event changed the fd name (e.g. connect, bind).",
    ),
    FieldInfo::new(
        "fd.cip.name",
        FieldType::String,
        "DNS name resolved for the client IP.",
    ),
    FieldInfo::new(
        "fd.sip.name",
        FieldType::String,
        "DNS name resolved for the server IP.",
    ),
    FieldInfo::new(
        "fd.lip.name",
        FieldType::String,
        "DNS name resolved for the local IP.",
    ),
    FieldInfo::new(
        "fd.rip.name",
        FieldType::String,
        "DNS name resolved for the remote IP.",
    ),
    FieldInfo::new(
        "fd.dev",
        FieldType::Int,
        "Device number (major and minor) of the file's device.",
    ),
    FieldInfo::new(
        "fd.dev.major",
        FieldType::Int,
        "Major number of the file's device.",
    ),
    FieldInfo::new(
        "fd.dev.minor",
        FieldType::Int,
        "Minor number of the file's device.",
    ),
    FieldInfo::new("fd.ino", FieldType::Int, "Inode number of the file."),
    FieldInfo::new(
        "fd.nameraw",
        FieldType::String,
        "fd name as passed by the process, before path normalisation.",
    ),
    FieldInfo::new(
        "fd.types",
        FieldType::String,
        "Types of all fds the process has open; fd.types[N] gives the type of fd N.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "fd.is_upper_layer",
        FieldType::Bool,
        "Whether the file lives in the upper (writable) layer of an overlay filesystem.",
    ),
    FieldInfo::new(
        "fd.is_lower_layer",
        FieldType::Bool,
        "Whether the file lives in a lower (image) layer of an overlay filesystem.",
    ),
    // File descriptor lists (poll-family events).
    FieldInfo::new(
        "fdlist.nums",
        FieldType::String,
        "For poll-family events, the fd numbers involved, comma separated.",
    ),
    FieldInfo::new(
        "fdlist.names",
        FieldType::String,
        "For poll-family events, the fd names involved, comma separated.",
    ),
    FieldInfo::new(
        "fdlist.cips",
        FieldType::String,
        "For poll-family events, the client IPs of the socket fds, comma separated.",
    ),
    FieldInfo::new(
        "fdlist.sips",
        FieldType::String,
        "For poll-family events, the server IPs of the socket fds, comma separated.",
    ),
    FieldInfo::new(
        "fdlist.cports",
        FieldType::String,
        "For poll-family events, the client ports of the socket fds, comma separated.",
    ),
    FieldInfo::new(
        "fdlist.sports",
        FieldType::String,
        "For poll-family events, the server ports of the socket fds, comma separated.",
    ),
    // Filesystem paths.
    FieldInfo::new(
        "fs.path.name",
        FieldType::String,
        "Path the event acts on, made absolute where possible (creat, mkdir, unlink, ...).",
    ),
    FieldInfo::new(
        "fs.path.nameraw",
        FieldType::String,
        "Path the event acts on, as passed by the process.",
    ),
    FieldInfo::new(
        "fs.path.source",
        FieldType::String,
        "Source path of a two-path event (rename, link, ...), made absolute.",
    ),
    FieldInfo::new(
        "fs.path.sourceraw",
        FieldType::String,
        "Source path of a two-path event, as passed by the process.",
    ),
    FieldInfo::new(
        "fs.path.target",
        FieldType::String,
        "Target path of a two-path event (rename, link, ...), made absolute.",
    ),
    FieldInfo::new(
        "fs.path.targetraw",
        FieldType::String,
        "Target path of a two-path event, as passed by the process.",
    ),
    // Utilities.
    FieldInfo::new(
        "util.cnt",
        FieldType::UInt,
        "Counter that increases by one for every event it is evaluated on.",
    ),
    // Container plugin: containers and their Kubernetes pods.
    FieldInfo::new(
        "container.id",
        FieldType::String,
        "Short (12-char) container id taken from the cgroups; 'host' outside containers.",
    ),
    FieldInfo::new(
        "container.full_id",
        FieldType::String,
        "Full container id, as reported by the container runtime.",
    ),
    FieldInfo::new(
        "container.name",
        FieldType::String,
        "Container name; 'host' outside containers.",
    ),
    FieldInfo::new(
        "container.image",
        FieldType::String,
        "Container image reference (e.g. repo/name:tag).",
    ),
    FieldInfo::new(
        "container.image.id",
        FieldType::String,
        "Container image id.",
    ),
    FieldInfo::new(
        "container.type",
        FieldType::String,
        "Container runtime kind (docker, containerd, cri-o, podman, ...).",
    ),
    FieldInfo::new(
        "container.privileged",
        FieldType::Bool,
        "Whether the container runs privileged.",
    ),
    FieldInfo::new(
        "container.mounts",
        FieldType::String,
        "All container mounts, space separated, each as source:dest:mode:rdrw:propagation.",
    ),
    FieldInfo::new(
        "container.mount",
        FieldType::String,
        "One mount as source:dest:mode:rdrw:propagation, by index or by (glob) source path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.mount.source",
        FieldType::String,
        "Source of one mount, by index or by (glob) destination path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.mount.dest",
        FieldType::String,
        "Destination of one mount, by index or by (glob) source path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.mount.mode",
        FieldType::String,
        "Mode of one mount, by index or by (glob) source path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.mount.rdwr",
        FieldType::String,
        "Read/write flag of one mount, by index or by (glob) source path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.mount.propagation",
        FieldType::String,
        "Propagation of one mount, by index or by (glob) source path.",
    )
    .required_arg(ArgKind::IndexOrKey),
    FieldInfo::new(
        "container.image.repository",
        FieldType::String,
        "Repository part of the container image (without tag or digest).",
    ),
    FieldInfo::new(
        "container.image.tag",
        FieldType::String,
        "Tag part of the container image.",
    ),
    FieldInfo::new(
        "container.image.digest",
        FieldType::String,
        "Registry digest of the container image.",
    ),
    FieldInfo::new(
        "container.healthcheck",
        FieldType::String,
        "Obsolete (container plugin keeps it for compatibility; never set).",
    ),
    FieldInfo::new(
        "container.liveness_probe",
        FieldType::String,
        "Obsolete (container plugin keeps it for compatibility; never set).",
    ),
    FieldInfo::new(
        "container.readiness_probe",
        FieldType::String,
        "Obsolete (container plugin keeps it for compatibility; never set).",
    ),
    FieldInfo::new(
        "container.start_ts",
        FieldType::AbsTime,
        "Container start time, epoch ns (start of its pid namespace init).",
    ),
    FieldInfo::new(
        "container.duration",
        FieldType::RelTime,
        "Nanoseconds since container.start_ts.",
    ),
    FieldInfo::new(
        "container.ip",
        FieldType::String,
        "Primary IPv4 address of the container or pod, from the runtime.",
    ),
    FieldInfo::new(
        "container.cni.json",
        FieldType::String,
        "CNI result of the pod (addresses per interface) as a JSON string.",
    ),
    FieldInfo::new(
        "container.host_pid",
        FieldType::Bool,
        "Whether the container shares the host pid namespace.",
    ),
    FieldInfo::new(
        "container.host_network",
        FieldType::Bool,
        "Whether the container shares the host network namespace.",
    ),
    FieldInfo::new(
        "container.host_ipc",
        FieldType::Bool,
        "Whether the container shares the host IPC namespace.",
    ),
    FieldInfo::new(
        "container.label",
        FieldType::String,
        "Value of one container label, container.label[key] or container.label.key.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "container.labels",
        FieldType::String,
        "All container labels as key:value pairs, comma separated.",
    ),
    FieldInfo::new(
        "container.info",
        FieldType::String,
        "Legacy output placeholder for container details; expands to nothing.",
    )
    .deprecated(),
    FieldInfo::new(
        "proc.is_container_healthcheck",
        FieldType::Bool,
        "Obsolete (container plugin keeps it for compatibility; never true).",
    ),
    FieldInfo::new(
        "proc.is_container_liveness_probe",
        FieldType::Bool,
        "Obsolete (container plugin keeps it for compatibility; never true).",
    ),
    FieldInfo::new(
        "proc.is_container_readiness_probe",
        FieldType::Bool,
        "Obsolete (container plugin keeps it for compatibility; never true).",
    ),
    FieldInfo::new(
        "k8s.pod.name",
        FieldType::String,
        "Kubernetes pod name, from the container runtime's pod sandbox labels.",
    ),
    FieldInfo::new(
        "k8s.ns.name",
        FieldType::String,
        "Kubernetes namespace of the pod.",
    ),
    FieldInfo::new(
        "k8s.pod.id",
        FieldType::String,
        "Legacy alias of k8s.pod.uid.",
    ),
    FieldInfo::new("k8s.pod.uid", FieldType::String, "Kubernetes pod UID."),
    FieldInfo::new(
        "k8s.pod.sandbox_id",
        FieldType::String,
        "Short (12-char) id of the pod sandbox container.",
    ),
    FieldInfo::new(
        "k8s.pod.full_sandbox_id",
        FieldType::String,
        "Full id of the pod sandbox container.",
    ),
    FieldInfo::new(
        "k8s.pod.label",
        FieldType::String,
        "Value of one pod label, k8s.pod.label[key] or k8s.pod.label.key.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.pod.labels",
        FieldType::String,
        "All pod labels as key:value pairs, comma separated.",
    ),
    FieldInfo::new(
        "k8s.pod.ip",
        FieldType::String,
        "Pod IP address (shared by its containers).",
    ),
    FieldInfo::new(
        "k8s.pod.cni.json",
        FieldType::String,
        "CNI result of the pod as a JSON string (same as container.cni.json).",
    ),
    FieldInfo::new(
        "k8s.rc.name",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.rc.id",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.rc.label",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.rc.labels",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.svc.name",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.svc.id",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.svc.label",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.svc.labels",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.ns.id",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.ns.label",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.ns.labels",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.rs.name",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.rs.id",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.rs.label",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.rs.labels",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.deployment.name",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.deployment.id",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
    FieldInfo::new(
        "k8s.deployment.label",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "k8s.deployment.labels",
        FieldType::String,
        "Obsolete (use a k8s metadata source); never set.",
    ),
];
