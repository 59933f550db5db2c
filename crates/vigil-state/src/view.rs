//! The extractor: [`EventView`] implements [`Extract`] for the `syscall` fields over the state
//! after an event.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::OnceLock;

use smallvec::smallvec;
use vigil_event::{
    EventTypeId, Extract, Extracted, FieldArg, FieldRef, FieldSchema, Value, Values,
};
use vigil_scap::{
    Direction, EventFlags, ParamExtra, ParamType, ParamValue, RawEvent, fd_type, syscall_name,
};

use crate::container::Container;
use crate::flags;
use crate::state::{Fd, Net, Role, State, Thread, l4, p_bytes, p_int, pidx, res_of};
use crate::{SYSCALL_SCHEMA, fields};

/// What a field extracts; one variant per implemented field, `Unimplemented` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Kind {
    Unimplemented,
    // evt
    EvtNum,
    EvtTime,
    EvtTimeS,
    EvtTimeIso,
    EvtDatetime,
    EvtDatetimeS,
    EvtRawtime,
    EvtRawtimeS,
    EvtRawtimeNs,
    EvtReltime,
    EvtReltimeS,
    EvtReltimeNs,
    EvtSource,
    EvtIsAsync,
    EvtHostname,
    EvtDeltatime,
    EvtDeltatimeS,
    EvtDeltatimeNs,
    EvtDir,
    EvtType,
    EvtTypeIs,
    SyscallType,
    EvtCategory,
    EvtCpu,
    EvtArgs,
    EvtArg,
    EvtRawarg,
    EvtBuffer,
    EvtBuflen,
    EvtRes,
    EvtRawres,
    EvtFailed,
    EvtIsIo,
    EvtIsIoRead,
    EvtIsIoWrite,
    EvtIoDir,
    EvtIsWait,
    EvtIsSyslog,
    EvtCount,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    EvtIsOpenCreate,
    EvtCountError(u8),
    EvtCountExit,
    EvtCountProcinfo,
    EvtCountThreadinfo,
    EvtBuflenDir(u8, u8),
    EvtAbspath,
    FsPathName(bool),
    FsPathSource(bool),
    FsPathTarget(bool),
    UtilCnt,
    // proc / thread
    ProcExe,
    ProcPexe,
    ProcAexe,
    ProcExepath,
    ProcPexepath,
    ProcAexepath,
    ProcName,
    ProcPname,
    ProcAname,
    ProcArgs,
    ProcAargs,
    ProcCmdline,
    ProcPcmdline,
    ProcAcmdline,
    ProcCmdnargs,
    ProcCmdlenargs,
    ProcExeline,
    ProcEnv,
    ProcAenv,
    ProcCwd,
    ProcLoginshellid,
    ProcTty,
    ProcPid,
    ProcPpid,
    ProcApid,
    ProcVpid,
    ProcPvpid,
    ProcSid,
    ProcSname,
    ProcSidExe,
    ProcSidExepath,
    ProcVpgid,
    ProcVpgidName,
    ProcVpgidExe,
    ProcVpgidExepath,
    ProcPgid,
    ProcPgidName,
    ProcPgidExe,
    ProcPgidExepath,
    ProcDuration,
    ProcPpidDuration,
    ProcPidTs,
    ProcPpidTs,
    ProcIsExeWritable,
    ProcIsExeUpper,
    ProcIsExeLower,
    ProcIsExeMemfd,
    ProcIsSidLeader,
    ProcIsVpgidLeader,
    ProcIsPgidLeader,
    ProcExeIno,
    ProcExeInoCtime,
    ProcExeInoMtime,
    ProcExeInoCtimeDurProc,
    ProcExeInoCtimeDurPidns,
    ProcPidnsInitStartTs,
    ThreadCapPermitted,
    ThreadCapInheritable,
    ThreadCapEffective,
    ProcFdopencount,
    ProcFdlimit,
    ProcVmsize,
    ProcVmrss,
    ProcVmswap,
    ThreadVmsizeB,
    ThreadVmrssB,
    ThreadPfmajor,
    ThreadPfminor,
    ThreadIsmain,
    ThreadTid,
    ThreadVtid,
    ThreadExectime,
    ThreadCgroups,
    ThreadCgroup,
    ProcNthreads,
    ProcNchilds,
    ProcStdType(i64),
    ProcStdName(i64),
    // user / group
    UserUid,
    UserName,
    UserHomedir,
    UserShell,
    UserLoginuid,
    UserLoginname,
    GroupGid,
    GroupName,
    // fd
    FdNum,
    FdType,
    FdTypechar,
    FdName,
    FdDirectory,
    FdFilename,
    FdIp,
    FdCip,
    FdSip,
    FdLip,
    FdRip,
    FdPort,
    FdCport,
    FdSport,
    FdLport,
    FdRport,
    FdL4proto,
    FdSockfamily,
    FdIsServer,
    FdUid,
    FdContainername,
    FdContainerdirectory,
    FdProto,
    FdCproto,
    FdSproto,
    FdLproto,
    FdRproto,
    FdNet,
    FdCnet,
    FdSnet,
    FdLnet,
    FdRnet,
    FdConnected,
    FdNameChanged,
    FdHostName,
    FdDev,
    FdDevMajor,
    FdDevMinor,
    FdIno,
    FdNameraw,
    FdTypes,
    FdIsUpper,
    FdIsLower,
    // container / k8s
    ContainerId,
    ContainerFullId,
    ContainerName,
    ContainerImage,
    ContainerImageId,
    ContainerType,
    ContainerPrivileged,
    ContainerMounts,
    ContainerMount,
    ContainerMountSource,
    ContainerMountDest,
    ContainerMountMode,
    ContainerMountRdwr,
    ContainerMountPropagation,
    ContainerImageRepository,
    ContainerImageTag,
    ContainerImageDigest,
    ContainerStartTs,
    ContainerDuration,
    ContainerIp,
    ContainerHostPid,
    ContainerHostNetwork,
    ContainerHostIpc,
    ContainerLabel,
    ContainerLabels,
    ContainerInfo,
    ProcIsContainerProbe,
    K8sPodName,
    K8sNsName,
    K8sPodId,
    K8sPodUid,
    K8sPodSandboxId,
    K8sPodFullSandboxId,
}

fn kind_of(name: &str) -> Kind {
    use Kind::*;
    match name {
        "evt.num" => EvtNum,
        "evt.time" => EvtTime,
        "evt.time.s" => EvtTimeS,
        "evt.time.iso8601" => EvtTimeIso,
        "evt.datetime" => EvtDatetime,
        "evt.datetime.s" => EvtDatetimeS,
        "evt.rawtime" => EvtRawtime,
        "evt.rawtime.s" => EvtRawtimeS,
        "evt.rawtime.ns" => EvtRawtimeNs,
        "evt.reltime" => EvtReltime,
        "evt.reltime.s" => EvtReltimeS,
        "evt.reltime.ns" => EvtReltimeNs,
        "evt.source" => EvtSource,
        "evt.is_async" => EvtIsAsync,
        "evt.hostname" => EvtHostname,
        "evt.deltatime" => EvtDeltatime,
        "evt.deltatime.s" => EvtDeltatimeS,
        "evt.deltatime.ns" => EvtDeltatimeNs,
        "evt.dir" => EvtDir,
        "evt.type" => EvtType,
        "evt.type.is" => EvtTypeIs,
        "syscall.type" => SyscallType,
        "evt.category" => EvtCategory,
        "evt.cpu" => EvtCpu,
        "evt.args" | "evt.info" => EvtArgs,
        "evt.arg" => EvtArg,
        "evt.rawarg" => EvtRawarg,
        "evt.buffer" => EvtBuffer,
        "evt.buflen" => EvtBuflen,
        "evt.res" => EvtRes,
        "evt.rawres" => EvtRawres,
        "evt.failed" => EvtFailed,
        "evt.is_io" => EvtIsIo,
        "evt.is_io_read" => EvtIsIoRead,
        "evt.is_io_write" => EvtIsIoWrite,
        "evt.io_dir" => EvtIoDir,
        "evt.is_wait" => EvtIsWait,
        "evt.is_syslog" => EvtIsSyslog,
        "evt.count" => EvtCount,
        "evt.is_open_read" => EvtIsOpenRead,
        "evt.is_open_write" => EvtIsOpenWrite,
        "evt.is_open_exec" => EvtIsOpenExec,
        "evt.is_open_create" => EvtIsOpenCreate,
        "evt.count.error" => EvtCountError(0),
        "evt.count.error.file" => EvtCountError(1),
        "evt.count.error.net" => EvtCountError(2),
        "evt.count.error.memory" => EvtCountError(3),
        "evt.count.error.other" => EvtCountError(4),
        "evt.count.exit" => EvtCountExit,
        "evt.count.procinfo" => EvtCountProcinfo,
        "evt.count.threadinfo" => EvtCountThreadinfo,
        // (direction: 0 any, 1 in, 2 out; kind: 0 any, 1 file, 2 net)
        "evt.buflen.in" => EvtBuflenDir(1, 0),
        "evt.buflen.out" => EvtBuflenDir(2, 0),
        "evt.buflen.file" => EvtBuflenDir(0, 1),
        "evt.buflen.file.in" => EvtBuflenDir(1, 1),
        "evt.buflen.file.out" => EvtBuflenDir(2, 1),
        "evt.buflen.net" => EvtBuflenDir(0, 2),
        "evt.buflen.net.in" => EvtBuflenDir(1, 2),
        "evt.buflen.net.out" => EvtBuflenDir(2, 2),
        "evt.abspath" => EvtAbspath,
        "fs.path.name" => FsPathName(false),
        "fs.path.nameraw" => FsPathName(true),
        "fs.path.source" => FsPathSource(false),
        "fs.path.sourceraw" => FsPathSource(true),
        "fs.path.target" => FsPathTarget(false),
        "fs.path.targetraw" => FsPathTarget(true),
        "util.cnt" => UtilCnt,
        "proc.exe" => ProcExe,
        "proc.pexe" => ProcPexe,
        "proc.aexe" => ProcAexe,
        "proc.exepath" => ProcExepath,
        "proc.pexepath" => ProcPexepath,
        "proc.aexepath" => ProcAexepath,
        "proc.name" => ProcName,
        "proc.pname" => ProcPname,
        "proc.aname" => ProcAname,
        "proc.args" => ProcArgs,
        "proc.aargs" => ProcAargs,
        "proc.cmdline" => ProcCmdline,
        "proc.pcmdline" => ProcPcmdline,
        "proc.acmdline" => ProcAcmdline,
        "proc.cmdnargs" => ProcCmdnargs,
        "proc.cmdlenargs" => ProcCmdlenargs,
        "proc.exeline" => ProcExeline,
        "proc.env" => ProcEnv,
        "proc.aenv" => ProcAenv,
        "proc.cwd" => ProcCwd,
        "proc.loginshellid" => ProcLoginshellid,
        "proc.tty" => ProcTty,
        "proc.pid" => ProcPid,
        "proc.ppid" => ProcPpid,
        "proc.apid" => ProcApid,
        "proc.vpid" => ProcVpid,
        "proc.pvpid" => ProcPvpid,
        "proc.sid" => ProcSid,
        "proc.sname" => ProcSname,
        "proc.sid.exe" => ProcSidExe,
        "proc.sid.exepath" => ProcSidExepath,
        "proc.vpgid" => ProcVpgid,
        "proc.vpgid.name" => ProcVpgidName,
        "proc.vpgid.exe" => ProcVpgidExe,
        "proc.vpgid.exepath" => ProcVpgidExepath,
        "proc.pgid" => ProcPgid,
        "proc.pgid.name" => ProcPgidName,
        "proc.pgid.exe" => ProcPgidExe,
        "proc.pgid.exepath" => ProcPgidExepath,
        "proc.duration" => ProcDuration,
        "proc.ppid.duration" => ProcPpidDuration,
        "proc.pid.ts" => ProcPidTs,
        "proc.ppid.ts" => ProcPpidTs,
        "proc.is_exe_writable" => ProcIsExeWritable,
        "proc.is_exe_upper_layer" => ProcIsExeUpper,
        "proc.is_exe_lower_layer" => ProcIsExeLower,
        "proc.is_exe_from_memfd" => ProcIsExeMemfd,
        "proc.is_sid_leader" => ProcIsSidLeader,
        "proc.is_vpgid_leader" => ProcIsVpgidLeader,
        "proc.is_pgid_leader" => ProcIsPgidLeader,
        "proc.exe_ino" => ProcExeIno,
        "proc.exe_ino.ctime" => ProcExeInoCtime,
        "proc.exe_ino.mtime" => ProcExeInoMtime,
        "proc.exe_ino.ctime_duration_proc_start" => ProcExeInoCtimeDurProc,
        "proc.exe_ino.ctime_duration_pidns_start" => ProcExeInoCtimeDurPidns,
        "proc.pidns_init_start_ts" => ProcPidnsInitStartTs,
        "thread.cap_permitted" => ThreadCapPermitted,
        "thread.cap_inheritable" => ThreadCapInheritable,
        "thread.cap_effective" => ThreadCapEffective,
        "proc.fdopencount" => ProcFdopencount,
        "proc.fdlimit" => ProcFdlimit,
        "proc.vmsize" | "thread.vmsize" => ProcVmsize,
        "proc.vmrss" | "thread.vmrss" => ProcVmrss,
        "proc.vmswap" => ProcVmswap,
        "thread.vmsize.b" => ThreadVmsizeB,
        "thread.vmrss.b" => ThreadVmrssB,
        "thread.pfmajor" => ThreadPfmajor,
        "thread.pfminor" => ThreadPfminor,
        "thread.ismain" => ThreadIsmain,
        "thread.tid" => ThreadTid,
        "thread.vtid" => ThreadVtid,
        "thread.exectime" => ThreadExectime,
        "thread.cgroups" => ThreadCgroups,
        "thread.cgroup" => ThreadCgroup,
        "proc.nthreads" => ProcNthreads,
        "proc.nchilds" => ProcNchilds,
        "proc.stdin.type" => ProcStdType(0),
        "proc.stdout.type" => ProcStdType(1),
        "proc.stderr.type" => ProcStdType(2),
        "proc.stdin.name" => ProcStdName(0),
        "proc.stdout.name" => ProcStdName(1),
        "proc.stderr.name" => ProcStdName(2),
        "user.uid" => UserUid,
        "user.name" => UserName,
        "user.homedir" => UserHomedir,
        "user.shell" => UserShell,
        "user.loginuid" => UserLoginuid,
        "user.loginname" => UserLoginname,
        "group.gid" => GroupGid,
        "group.name" => GroupName,
        "fd.num" => FdNum,
        "fd.type" => FdType,
        "fd.typechar" => FdTypechar,
        "fd.name" => FdName,
        "fd.directory" => FdDirectory,
        "fd.filename" => FdFilename,
        "fd.ip" => FdIp,
        "fd.cip" => FdCip,
        "fd.sip" => FdSip,
        "fd.lip" => FdLip,
        "fd.rip" => FdRip,
        "fd.port" => FdPort,
        "fd.cport" => FdCport,
        "fd.sport" => FdSport,
        "fd.lport" => FdLport,
        "fd.rport" => FdRport,
        "fd.l4proto" => FdL4proto,
        "fd.sockfamily" => FdSockfamily,
        "fd.is_server" => FdIsServer,
        "fd.uid" => FdUid,
        "fd.containername" => FdContainername,
        "fd.containerdirectory" => FdContainerdirectory,
        "fd.proto" => FdProto,
        "fd.cproto" => FdCproto,
        "fd.sproto" => FdSproto,
        "fd.lproto" => FdLproto,
        "fd.rproto" => FdRproto,
        "fd.net" => FdNet,
        "fd.cnet" => FdCnet,
        "fd.snet" => FdSnet,
        "fd.lnet" => FdLnet,
        "fd.rnet" => FdRnet,
        "fd.connected" => FdConnected,
        "fd.name_changed" => FdNameChanged,
        "fd.cip.name" | "fd.sip.name" | "fd.lip.name" | "fd.rip.name" => FdHostName,
        "fd.dev" => FdDev,
        "fd.dev.major" => FdDevMajor,
        "fd.dev.minor" => FdDevMinor,
        "fd.ino" => FdIno,
        "fd.nameraw" => FdNameraw,
        "fd.types" => FdTypes,
        "fd.is_upper_layer" => FdIsUpper,
        "fd.is_lower_layer" => FdIsLower,
        "container.id" => ContainerId,
        "container.full_id" => ContainerFullId,
        "container.name" => ContainerName,
        "container.image" => ContainerImage,
        "container.image.id" => ContainerImageId,
        "container.type" => ContainerType,
        "container.privileged" => ContainerPrivileged,
        "container.mounts" => ContainerMounts,
        "container.mount" => ContainerMount,
        "container.mount.source" => ContainerMountSource,
        "container.mount.dest" => ContainerMountDest,
        "container.mount.mode" => ContainerMountMode,
        "container.mount.rdwr" => ContainerMountRdwr,
        "container.mount.propagation" => ContainerMountPropagation,
        "container.image.repository" => ContainerImageRepository,
        "container.image.tag" => ContainerImageTag,
        "container.image.digest" => ContainerImageDigest,
        "container.start_ts" => ContainerStartTs,
        "container.duration" => ContainerDuration,
        "container.ip" => ContainerIp,
        "container.host_pid" => ContainerHostPid,
        "container.host_network" => ContainerHostNetwork,
        "container.host_ipc" => ContainerHostIpc,
        "container.label" => ContainerLabel,
        "container.labels" => ContainerLabels,
        "container.info" => ContainerInfo,
        "proc.is_container_healthcheck"
        | "proc.is_container_liveness_probe"
        | "proc.is_container_readiness_probe" => ProcIsContainerProbe,
        "k8s.pod.name" => K8sPodName,
        "k8s.ns.name" => K8sNsName,
        "k8s.pod.id" => K8sPodId,
        "k8s.pod.uid" => K8sPodUid,
        "k8s.pod.sandbox_id" => K8sPodSandboxId,
        "k8s.pod.full_sandbox_id" => K8sPodFullSandboxId,
        _ => Unimplemented,
    }
}

fn kinds() -> &'static [Kind] {
    static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
    KINDS.get_or_init(|| {
        fields::SYSCALL_FIELDS
            .iter()
            .map(|f| kind_of(f.name))
            .collect()
    })
}

/// Whether the extractor implements a field (by name, as in the catalogue).
pub fn is_implemented(name: &str) -> bool {
    kind_of(name) != Kind::Unimplemented
}

/// The `evt.type` id of every event code (generic syscalls resolved per event).
fn code_types() -> &'static [Option<EventTypeId>] {
    static TYPES: OnceLock<Vec<Option<EventTypeId>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        vigil_scap::all_events()
            .iter()
            .map(|e| SYSCALL_SCHEMA.event_type_id(e.name))
            .collect()
    })
}

/// The `evt.type` id of an event in [`SYSCALL_SCHEMA`]'s event types (generic syscall events
/// by the system call they carry): a table lookup, no state. Filters' event-type sets use it.
#[inline]
pub fn event_type_of(ev: &RawEvent<'_>) -> Option<EventTypeId> {
    if ev.code > GENERIC {
        return code_types().get(usize::from(ev.code)).copied().flatten();
    }
    if let Some(ParamValue::SyscallId(id)) = ev.value(0)
        && let Some(t) = syscall_types().get(usize::from(id))
    {
        return *t;
    }
    SYSCALL_SCHEMA.event_type_id(event_type_name(ev))
}

/// The event-type id of each system call id (generic events).
fn syscall_types() -> &'static [Option<EventTypeId>] {
    static TYPES: OnceLock<Vec<Option<EventTypeId>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        (0..=u16::MAX)
            .map_while(syscall_name)
            .map(|n| SYSCALL_SCHEMA.event_type_id(n))
            .collect()
    })
}

/// The `evt.type` name of an event: the event table's name, or for generic syscall events the
/// name of the system call they carry.
pub fn event_type_name(ev: &RawEvent<'_>) -> &'static str {
    if ev.code <= 1 {
        if let Some(ParamValue::SyscallId(id)) = ev.value(0)
            && let Some(n) = syscall_name(id)
        {
            return n;
        }
        return "syscall";
    }
    ev.name()
}

const GENERIC: u16 = 1;

/// One event seen with the state after it: implements [`Extract`] for the `syscall` schema.
///
/// Build it with [`State::view`] right after [`State::apply`] for the same event.
#[derive(Debug, Clone, Copy)]
pub struct EventView<'a> {
    state: &'a State,
    ev: RawEvent<'a>,
    thread: Option<&'a Thread>,
    fdnum: Option<i64>,
    fd: Option<&'a Fd>,
    etype: Option<EventTypeId>,
}

type V<'a> = Option<Extracted<'a>>;

fn one(v: Value<'_>) -> V<'_> {
    Some(Extracted::One(v))
}

fn s(x: &str) -> V<'_> {
    one(Value::str(x))
}

fn ne(x: &str) -> V<'_> {
    if x.is_empty() { None } else { s(x) }
}

fn owned<'x>(x: String) -> V<'x> {
    one(Value::Bytes(Cow::Owned(x.into_bytes())))
}

fn u<'x>(x: u64) -> V<'x> {
    one(Value::UInt(x))
}

fn i<'x>(x: i64) -> V<'x> {
    one(Value::Int(x))
}

fn b<'x>(x: bool) -> V<'x> {
    one(Value::Bool(x))
}

/// Days since the epoch → (year, month, day) (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Render a timestamp (UTC): `time`, `time.s`, `iso8601`, `datetime`, `datetime.s`.
pub fn format_ts(ts: u64, kind: u8) -> String {
    let secs = (ts / 1_000_000_000) as i64;
    let ns = ts % 1_000_000_000;
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (h, mi, se) = (sod / 3600, (sod / 60) % 60, sod % 60);
    match kind {
        0 => format!("{h:02}:{mi:02}:{se:02}.{ns:09}"),
        1 => format!("{h:02}:{mi:02}:{se:02}"),
        2 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{ns:09}Z"),
        3 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.{ns:09}"),
        _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}"),
    }
}

fn category(cat: u32) -> &'static str {
    match cat & 0xff {
        1 => "other",
        2 => "file",
        3 => "net",
        4 => "IPC",
        5 => "memory",
        6 => "process",
        7 => "sleep",
        8 => "system",
        9 => "signal",
        10 => "user",
        11 => "time",
        12 => "processing",
        32 => "IO_read",
        33 => "IO_write",
        34 => "IO_other",
        64 => "wait",
        128 => "scheduler",
        _ => "unknown",
    }
}

fn typestr(ty: u8) -> &'static str {
    match ty {
        fd_type::FILE | fd_type::FILE_V2 => "file",
        fd_type::DIRECTORY => "directory",
        fd_type::IPV4_SOCK | fd_type::IPV4_SERVSOCK => "ipv4",
        fd_type::IPV6_SOCK | fd_type::IPV6_SERVSOCK => "ipv6",
        fd_type::UNIX_SOCK => "unix",
        fd_type::FIFO => "pipe",
        fd_type::EVENT => "event",
        fd_type::SIGNALFD => "signalfd",
        fd_type::EVENTPOLL => "eventpoll",
        fd_type::INOTIFY => "inotify",
        fd_type::TIMERFD => "timerfd",
        fd_type::NETLINK => "netlink",
        fd_type::BPF => "bpf",
        fd_type::USERFAULTFD => "userfaultfd",
        fd_type::IOURING => "io_uring",
        fd_type::MEMFD => "memfd",
        fd_type::PIDFD => "pidfd",
        _ => "<NA>",
    }
}

fn typechar(ty: u8) -> &'static str {
    match ty {
        fd_type::FILE | fd_type::FILE_V2 => "f",
        fd_type::DIRECTORY => "d",
        fd_type::IPV4_SOCK | fd_type::IPV4_SERVSOCK => "4",
        fd_type::IPV6_SOCK | fd_type::IPV6_SERVSOCK => "6",
        fd_type::UNIX_SOCK => "u",
        fd_type::FIFO => "p",
        fd_type::EVENT => "e",
        fd_type::SIGNALFD => "s",
        fd_type::EVENTPOLL => "l",
        fd_type::INOTIFY => "i",
        fd_type::TIMERFD => "t",
        fd_type::NETLINK => "n",
        fd_type::BPF => "b",
        fd_type::USERFAULTFD => "u",
        fd_type::IOURING => "r",
        fd_type::MEMFD => "m",
        fd_type::PIDFD => "P",
        fd_type::UNKNOWN => "o",
        _ => "X",
    }
}

/// libsinsp's `fd.directory` of a file name.
fn dirname(name: &str) -> &str {
    match name.rfind('/') {
        Some(0) | None => "/",
        Some(p) if p == name.len() - 1 => name,
        Some(p) => &name[..p],
    }
}

fn is_open_family(code: u16) -> bool {
    static OPEN: OnceLock<Vec<bool>> = OnceLock::new();
    OPEN.get_or_init(|| {
        vigil_scap::all_events()
            .iter()
            .map(|e| {
                matches!(
                    e.name,
                    "open" | "openat" | "openat2" | "open_by_handle_at" | "creat"
                )
            })
            .collect()
    })
    .get(usize::from(code))
    .copied()
    .unwrap_or(false)
}

impl State {
    /// The extractor view of `ev` over the current state. Call it after [`State::apply`]
    /// for the same event.
    pub fn view<'a>(&'a self, ev: &RawEvent<'a>) -> EventView<'a> {
        let thread = self.threads.get(&(ev.tid as i64));
        let fdnum = self.ctx.fd;
        let fd = match (thread, fdnum) {
            (Some(t), Some(n)) => self.fds.get(&t.pid).and_then(|tb| tb.get(&n)),
            (None, Some(n)) => self.fds.get(&(ev.tid as i64)).and_then(|tb| tb.get(&n)),
            _ => None,
        };
        let etype = event_type_of(ev);
        EventView {
            state: self,
            ev: *ev,
            thread,
            fdnum,
            fd,
            etype,
        }
    }
}

impl<'a> EventView<'a> {
    /// The event.
    pub fn event(&self) -> &RawEvent<'a> {
        &self.ev
    }

    /// The event's thread, if known.
    pub fn thread(&self) -> Option<&'a Thread> {
        self.thread
    }

    /// The fd the event is about, if known.
    pub fn fd(&self) -> Option<&'a Fd> {
        self.fd
    }

    /// The main thread of the event's process (looked up when a field needs it: most
    /// events are on main threads, and most fields are the thread's own).
    fn main(&self) -> Option<&'a Thread> {
        self.thread.map(|t| self.state.main_thread(t))
    }

    fn parent(&self) -> Option<&'a Thread> {
        self.state.parent(self.thread?)
    }

    /// Ancestor `n` (0 = the thread itself).
    fn ancestor(&self, n: u64) -> Option<&'a Thread> {
        let mut t = self.thread?;
        for _ in 0..n {
            t = self.state.parent(t)?;
        }
        Some(t)
    }

    /// Ancestors from the parent upwards (bounded, cycle-safe).
    fn ancestors(&self) -> impl Iterator<Item = &'a Thread> + 'a {
        let state = self.state;
        let mut cur = self.thread;
        let mut n = 0;
        std::iter::from_fn(move || {
            n += 1;
            if n > 64 {
                return None;
            }
            cur = state.parent(cur?);
            cur
        })
    }

    /// Ancestor field: with an index, ancestor N (0 = self); without, every ancestor.
    fn anc<F>(&self, arg: &FieldArg, f: F) -> V<'a>
    where
        F: Fn(&'a Thread) -> Value<'a>,
    {
        match arg {
            FieldArg::Index(n) => self.ancestor(*n).map(|t| Extracted::One(f(t))),
            _ => {
                let v: Values<'a> = self.ancestors().map(f).collect();
                if v.is_empty() {
                    None
                } else {
                    Some(Extracted::Many(v))
                }
            }
        }
    }

    /// The container id of the event: the thread's, or for `container` events the id the
    /// event describes.
    fn container_id(&self) -> Option<&'a str> {
        if let Some(id) = self.state.event_container.as_deref() {
            return Some(id);
        }
        self.thread.map(|t| t.container_id.as_str())
    }

    fn container(&self) -> Option<&'a Container> {
        self.state.containers.get(self.container_id()?)
    }

    fn is_host(&self) -> bool {
        self.container_id() == Some("host")
    }

    fn cont_str<F>(&self, f: F) -> V<'a>
    where
        F: Fn(&'a Container) -> &'a str,
    {
        ne(f(self.container()?))
    }

    /// Container start: the pid namespace init's start time (kernel), else the runtime's
    /// creation time.
    fn container_start(&self) -> Option<u64> {
        let c = self.container()?;
        let t = self.thread?;
        if t.pidns_init_start_ts > 0 {
            Some(t.pidns_init_start_ts)
        } else {
            c.created_ns
        }
    }

    fn label(&self, key: &str) -> V<'a> {
        ne(self.container()?.label(key)?)
    }

    fn mount_by(&self, arg: &FieldArg, by_dest: bool) -> Option<&'a crate::container::Mount> {
        let c = self.container()?;
        match arg {
            FieldArg::Index(n) => c.mounts.get(usize::try_from(*n).ok()?),
            FieldArg::Key(k) => c.mounts.iter().find(|m| {
                let key = if by_dest { &m.dest } else { &m.source };
                key.as_str() == &**k
            }),
            FieldArg::None => None,
        }
    }

    fn res(&self) -> Option<i64> {
        res_of(&self.ev)
    }

    fn open_flags(&self) -> Option<u32> {
        if !is_open_family(self.ev.code) || self.ev.direction() != Direction::Exit {
            return None;
        }
        let mut f = p_int(&self.ev, pidx!("flags")).unwrap_or(0) as u32;
        if self.ev.name() == "creat" {
            f |= flags::O_CREAT | flags::O_WRONLY;
        }
        Some(f)
    }

    /// A user of the thread's container (host users come from the capture's user list,
    /// container users from `user_added` events), as libsinsp's per-container user tables.
    fn user_by_uid(&self, uid: u32) -> Option<&'a crate::state::User> {
        let t = self.thread?;
        if t.container_id == "host" {
            self.state.users.get(&uid)
        } else {
            self.state.container_users.get(&t.container_id)?.get(&uid)
        }
    }

    fn group_name(&self, gid: u32) -> Option<&'a str> {
        let t = self.thread?;
        let g = if t.container_id == "host" {
            self.state.groups.get(&gid)
        } else {
            self.state.container_groups.get(&t.container_id)?.get(&gid)
        };
        g.map(String::as_str)
    }

    /// The fd's name, or for failed/unknown opens the path the event names.
    fn evt_dir(&self) -> V<'a> {
        s(match self.ev.direction() {
            Direction::Enter => ">",
            Direction::Exit => "<",
        })
    }

    fn fd_name(&self, raw: bool) -> V<'a> {
        if let Some(f) = self.fd {
            if raw {
                return s(f.name_raw());
            }
            return match self.state.fd_display_name(f) {
                Cow::Borrowed(n) => s(n),
                Cow::Owned(n) => owned(n),
            };
        }
        if is_open_family(self.ev.code) {
            let (name, rawp) = self.state.open_path(&self.ev)?;
            return owned(if raw { rawp } else { name });
        }
        None
    }

    fn ips(&self) -> Option<(IpAddr, u16, IpAddr, u16)> {
        match self.fd?.net {
            Net::Tuple {
                cip,
                cport,
                sip,
                sport,
            } => Some((cip, cport, sip, sport)),
            _ => None,
        }
    }

    fn is_local_ip(&self, ip: &IpAddr) -> bool {
        ip.is_loopback() || self.state.local_ips.contains(ip)
    }

    /// (local, remote) for connected sockets, per libsinsp: the client side is local when
    /// the client address is one of ours.
    fn local_remote(&self) -> Option<((IpAddr, u16), (IpAddr, u16))> {
        let f = self.fd?;
        if f.role == Role::None {
            return None;
        }
        let (cip, cport, sip, sport) = self.ips()?;
        if self.is_local_ip(&cip) {
            Some(((cip, cport), (sip, sport)))
        } else {
            Some(((sip, sport), (cip, cport)))
        }
    }

    fn server(&self) -> Option<(IpAddr, u16)> {
        match self.fd?.net {
            Net::Tuple { sip, sport, .. } => Some((sip, sport)),
            Net::Server { ip, port } => Some((ip, port)),
            Net::None => None,
        }
    }

    fn client(&self) -> Option<(IpAddr, u16)> {
        match self.fd?.net {
            Net::Tuple { cip, cport, .. } => Some((cip, cport)),
            _ => None,
        }
    }

    /// A port of this event's fd as text (a service name in port-name mode).
    fn port_text(&self, port: u16) -> Option<String> {
        Some(self.state.port_text(port, self.fd?.l4proto))
    }

    fn both_ips(&self) -> V<'a> {
        match self.fd?.net {
            Net::Tuple { cip, sip, .. } => {
                Some(Extracted::Many(smallvec![Value::Ip(cip), Value::Ip(sip)]))
            }
            Net::Server { ip, .. } => one(Value::Ip(ip)),
            Net::None => None,
        }
    }

    fn both_ports(&self, as_str: bool) -> V<'a> {
        let l4proto = self.fd?.l4proto;
        let p = |x: u16| {
            if as_str {
                Value::string(self.state.port_text(x, l4proto))
            } else {
                Value::UInt(u64::from(x))
            }
        };
        match self.fd?.net {
            Net::Tuple { cport, sport, .. } => Some(Extracted::Many(smallvec![p(cport), p(sport)])),
            Net::Server { port, .. } => one(p(port)),
            Net::None => None,
        }
    }

    /// Render parameter `idx` as libsinsp's `evt.arg` does (resolved form when there is one).
    fn render_arg(&self, idx: usize) -> Option<String> {
        let info = self.ev.info()?;
        let p = info.params.get(idx)?;
        let raw = self.ev.param(idx)?;
        let v = vigil_scap::decode_param(raw, p);
        Some(match v {
            ParamValue::Fd(fd) => {
                if fd >= 0 {
                    let t = self.thread;
                    let f = t.and_then(|t| self.state.fds.get(&t.pid)?.get(&fd));
                    match f {
                        Some(f) => {
                            let proto = if matches!(
                                f.ty,
                                fd_type::IPV4_SOCK
                                    | fd_type::IPV6_SOCK
                                    | fd_type::IPV4_SERVSOCK
                                    | fd_type::IPV6_SERVSOCK
                            ) {
                                match f.l4proto {
                                    l4::TCP => "t",
                                    l4::UDP => "u",
                                    l4::ICMP => "i",
                                    l4::RAW => "r",
                                    _ => "",
                                }
                            } else {
                                ""
                            };
                            format!(
                                "<{}{}>{}",
                                typechar(f.ty),
                                proto,
                                self.state.fd_display_name(f)
                            )
                        }
                        None => fd.to_string(),
                    }
                } else if fd == -100 {
                    "AT_FDCWD".to_string()
                } else {
                    flags::errno_name(fd).map_or_else(|| fd.to_string(), str::to_string)
                }
            }
            ParamValue::Errno(e) => {
                if e < 0
                    && let Some(n) = flags::errno_name(e)
                {
                    n.to_string()
                } else {
                    e.to_string()
                }
            }
            ParamValue::Pid(pid) => match self.state.thread_seen_by(self.thread, pid) {
                Some(t) if !t.comm.is_empty() => t.comm.clone(),
                _ => pid.to_string(),
            },
            ParamValue::Uid(uid) if uid == u32::MAX => "<NONE>".to_string(),
            ParamValue::Uid(uid) => match self.user_by_uid(uid) {
                Some(us) if !us.name.is_empty() => us.name.clone(),
                _ => "<NA>".to_string(),
            },
            ParamValue::Gid(gid) if gid == u32::MAX => "<NONE>".to_string(),
            ParamValue::Gid(gid) => match self.group_name(gid) {
                Some(g) if !g.is_empty() => g.to_string(),
                _ => "<NA>".to_string(),
            },
            ParamValue::Flags(x) => {
                let exact = matches!(
                    p.ty,
                    ParamType::EnumFlags8 | ParamType::EnumFlags16 | ParamType::EnumFlags32
                );
                let r = match p.extra {
                    ParamExtra::Flags(t) => flags::table(t)
                        .map(|t| flags::render_flags(t, x, exact))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                if r.is_empty() { x.to_string() } else { r }
            }
            ParamValue::Mode(x) => {
                let r = match p.extra {
                    ParamExtra::Flags(t) => flags::table(t)
                        .map(|t| flags::render_mode(t, x))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                if r.is_empty() { format!("{x:o}") } else { r }
            }
            ParamValue::Path(path) if p.ty == ParamType::FsRelPath || p.ty == ParamType::FsPath => {
                let text = String::from_utf8_lossy(path).into_owned();
                if text.starts_with('/') || text.is_empty() {
                    text
                } else {
                    self.param_path(idx).map_or(text, |(abs, _)| abs)
                }
            }
            ParamValue::Uint(x) if p.fmt == vigil_scap::PrintFormat::Hex => format!("{x:X}"),
            ParamValue::Uint(x) if p.fmt == vigil_scap::PrintFormat::Oct => format!("{x:o}"),
            other => other.to_string(),
        })
    }

    /// Parameter `idx` as an absolute path: relative paths are resolved against the dirfd
    /// parameter the event table names for it (`AT_FDCWD` = the working directory) or the
    /// working directory. Returns `(resolved, raw)`.
    fn param_path(&self, idx: usize) -> Option<(String, String)> {
        let info = self.ev.info()?;
        let p = info.params.get(idx)?;
        let raw = match self.ev.value(idx)? {
            ParamValue::Path(b) | ParamValue::Str(b) => String::from_utf8_lossy(b).into_owned(),
            _ => return None,
        };
        if raw.is_empty() {
            return None;
        }
        if raw.starts_with('/') {
            return Some((crate::state::resolve_path("/", &raw), raw));
        }
        let t = self.thread?;
        let base = match (p.ty, p.extra) {
            (ParamType::FsRelPath, ParamExtra::DirFd(d)) => match self.ev.value(usize::from(d)) {
                Some(ParamValue::Fd(fd)) if fd != -100 => {
                    &self.state.fds.get(&t.pid)?.get(&fd)?.name
                }
                _ => self.state.cwd_of(t),
            },
            _ => self.state.cwd_of(t),
        };
        Some((crate::state::resolve_path(base, &raw), raw))
    }

    /// The (source, target) parameter indexes of rename/link/symlink events, or the single
    /// path of other path events (as source).
    fn path_params(&self) -> (Option<usize>, Option<usize>) {
        let Some(info) = self.ev.info() else {
            return (None, None);
        };
        let idx = |n: &str| info.param_index(n);
        match info.name {
            "rename" | "renameat" | "renameat2" | "link" | "linkat" => {
                (idx("oldpath"), idx("newpath"))
            }
            "symlink" | "symlinkat" => (idx("target"), idx("linkpath")),
            "open" | "openat" | "openat2" | "creat" | "unlinkat" => (idx("name"), None),
            "mkdir" | "mkdirat" | "rmdir" | "unlink" | "open_by_handle_at" => (idx("path"), None),
            "chmod" | "fchmodat" => (idx("filename"), None),
            _ => (None, None),
        }
    }

    fn arg_index(&self, arg: &FieldArg) -> Option<usize> {
        match arg {
            FieldArg::Index(n) => {
                let n = usize::try_from(*n).ok()?;
                (n < self.ev.nparams()).then_some(n)
            }
            FieldArg::Key(k) => self.ev.info()?.param_index(k),
            FieldArg::None => None,
        }
    }

    fn rawarg(&self, idx: usize) -> V<'a> {
        one(match self.ev.value(idx)? {
            ParamValue::Int(x) | ParamValue::Errno(x) | ParamValue::Fd(x) | ParamValue::Pid(x) => {
                Value::Int(x)
            }
            ParamValue::Uint(x) | ParamValue::RelTime(x) | ParamValue::AbsTime(x) => Value::UInt(x),
            ParamValue::Flags(x)
            | ParamValue::Mode(x)
            | ParamValue::Uid(x)
            | ParamValue::Gid(x) => Value::UInt(u64::from(x)),
            ParamValue::Bool(x) => Value::Bool(x),
            ParamValue::Signal(x) => Value::UInt(u64::from(x)),
            ParamValue::SyscallId(x) => Value::UInt(u64::from(x)),
            ParamValue::Str(x) | ParamValue::Path(x) | ParamValue::Bytes(x) => {
                Value::Bytes(Cow::Borrowed(x))
            }
            ParamValue::Ipv4(a) => Value::Ip(IpAddr::V4(a)),
            ParamValue::Ipv6(a) => Value::Ip(IpAddr::V6(a)),
            ParamValue::Empty | ParamValue::Invalid(..) => return None,
            other => Value::string(other.to_string()),
        })
    }

    fn args_string(&self) -> String {
        if self.ev.code <= GENERIC {
            return String::new();
        }
        let Some(info) = self.ev.info() else {
            return String::new();
        };
        let mut out = String::new();
        for (idx, p) in info.params.iter().enumerate().take(self.ev.nparams()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(p.name);
            out.push('=');
            if let Some(r) = self.render_arg(idx) {
                out.push_str(&r);
            }
        }
        out
    }

    fn proc_of<F>(&self, id: i64, f: F) -> V<'a>
    where
        F: Fn(&'a Thread) -> &'a str,
    {
        let t = self.state.threads.get(&id)?;
        ne(f(t))
    }

    /// The session leader (walking up the ancestors to the last one in the session).
    fn session_leader(&self) -> Option<&'a Thread> {
        let t = self.thread?;
        if let Some(l) = self.state.threads.get(&t.sid) {
            return Some(l);
        }
        let mut leader = None;
        let mut cur = Some(t);
        let mut n = 0;
        while let Some(c) = cur {
            if c.sid != t.sid || n > 64 {
                break;
            }
            leader = Some(c);
            cur = self.state.parent(c);
            n += 1;
        }
        leader
    }

    fn group_leader(&self, vpgid: bool) -> Option<&'a Thread> {
        let t = self.thread?;
        let id = if vpgid { t.vpgid } else { t.pgid };
        if let Some(l) = self.state.threads.get(&id) {
            return Some(l);
        }
        let mut leader = None;
        let mut cur = Some(t);
        let mut n = 0;
        while let Some(c) = cur {
            let cid = if vpgid { c.vpgid } else { c.pgid };
            if cid != id || n > 64 {
                break;
            }
            leader = Some(c);
            cur = self.state.parent(c);
            n += 1;
        }
        leader
    }

    fn ts(&self) -> u64 {
        if self.ev.ts == 0 {
            self.state.cur_ts
        } else {
            self.ev.ts
        }
    }
}

impl Extract for EventView<'_> {
    fn event_type(&self) -> Option<EventTypeId> {
        self.etype
    }

    fn extract(&self, field: &FieldRef) -> Option<Values<'_>> {
        self.extract_one(field).map(Values::from)
    }

    /// The fields filters test on nearly every event are extracted here, in a small frame;
    /// the others in `EventView::extract_kind`, whose large match costs a large frame
    /// (saved registers, stack) on every call.
    fn extract_one(&self, field: &FieldRef) -> Option<Extracted<'_>> {
        let kind = *kinds().get(field.id.0 as usize)?;
        match kind {
            Kind::EvtDir => self.evt_dir(),
            Kind::FdName => self.fd_name(false),
            Kind::ProcName => s(&self.thread?.comm),
            _ => self.extract_kind(kind, field),
        }
    }
}

impl EventView<'_> {
    /// [`Extract::extract_one`] of a field of `kind`.
    #[allow(clippy::too_many_lines)]
    #[inline(never)]
    fn extract_kind(&self, kind: Kind, field: &FieldRef) -> Option<Extracted<'_>> {
        use Kind::*;
        let arg = &field.arg;
        let t = || self.thread;
        let m = || self.main();
        let ev = &self.ev;
        match kind {
            Unimplemented => None,
            EvtNum => u(self.state.evt_num),
            EvtTime => owned(format_ts(self.ts(), 0)),
            EvtTimeS => owned(format_ts(self.ts(), 1)),
            EvtTimeIso => owned(format_ts(self.ts(), 2)),
            EvtDatetime => owned(format_ts(self.ts(), 3)),
            EvtDatetimeS => owned(format_ts(self.ts(), 4)),
            EvtRawtime => u(self.ts()),
            EvtRawtimeS => u(self.ts() / 1_000_000_000),
            EvtRawtimeNs => u(self.ts() % 1_000_000_000),
            EvtReltime => u(self.ts().saturating_sub(self.state.first_ts)),
            EvtReltimeS => u(self.ts().saturating_sub(self.state.first_ts) / 1_000_000_000),
            EvtReltimeNs => u(self.ts().saturating_sub(self.state.first_ts) % 1_000_000_000),
            EvtSource => s("syscall"),
            EvtIsAsync => b(matches!(ev.name(), "container" | "asyncevent")),
            EvtHostname => ne(&self.state.machine.as_ref()?.hostname),
            EvtDeltatime | EvtDeltatimeS | EvtDeltatimeNs => {
                let d = if self.state.prev_ts == 0 {
                    0
                } else {
                    self.state.cur_ts.saturating_sub(self.state.prev_ts)
                };
                u(match kind {
                    EvtDeltatimeS => d / 1_000_000_000,
                    EvtDeltatimeNs => d % 1_000_000_000,
                    _ => d,
                })
            }
            EvtDir => self.evt_dir(),
            EvtType => s(event_type_name(ev)),
            EvtTypeIs => match arg {
                FieldArg::Key(k) => b(event_type_name(ev) == &**k),
                _ => None,
            },
            SyscallType => {
                let info = ev.info()?;
                if info.category & 0x200 == 0 {
                    return None;
                }
                s(event_type_name(ev))
            }
            EvtCategory => s(category(ev.info()?.category)),
            EvtCpu => u(u64::from(ev.cpu)),
            EvtArgs => owned(self.args_string()),
            EvtArg => {
                let idx = self.arg_index(arg)?;
                owned(self.render_arg(idx)?)
            }
            EvtRawarg => {
                let idx = self.arg_index(arg)?;
                self.rawarg(idx)
            }
            EvtBuffer => {
                let d = p_bytes(ev, pidx!("data"))?;
                one(Value::Bytes(Cow::Borrowed(d)))
            }
            EvtBuflen => {
                p_bytes(ev, pidx!("data"))?;
                let r = self.res()?;
                if r < 0 { None } else { u(r as u64) }
            }
            EvtRes => {
                let r = self.res()?;
                if r >= 0 {
                    s("SUCCESS")
                } else {
                    match flags::errno_name(r) {
                        Some(n) => s(n),
                        None => owned(r.to_string()),
                    }
                }
            }
            EvtRawres => i(self.res()?),
            EvtFailed => b(self.res()? < 0),
            EvtIsIo | EvtIsIoRead | EvtIsIoWrite | EvtIoDir | EvtIsWait => {
                let f = ev.info()?.flags;
                let r = f.has(EventFlags::READS_FROM_FD);
                let w = f.has(EventFlags::WRITES_TO_FD);
                match kind {
                    EvtIsIo => b(r || w),
                    EvtIsIoRead => b(r),
                    EvtIsIoWrite => b(w),
                    EvtIsWait => b(f.has(EventFlags::WAITS)),
                    _ => {
                        if r {
                            s("r")
                        } else if w {
                            s("w")
                        } else {
                            None
                        }
                    }
                }
            }
            EvtIsSyslog => b(self.fd.is_some_and(|f| {
                f.name.contains("/dev/log")
                    && ev
                        .info()
                        .is_some_and(|i| i.flags.has(EventFlags::WRITES_TO_FD))
            })),
            EvtCount => u(1),
            EvtIsOpenRead => b(self.open_flags().is_some_and(|f| f & flags::O_RDONLY != 0)),
            EvtIsOpenWrite => b(self.open_flags().is_some_and(|f| f & flags::O_WRONLY != 0)),
            EvtIsOpenCreate => b(self.open_flags().is_some_and(|f| {
                f & flags::O_F_CREATED != 0
                    || (f & flags::O_TMPFILE != 0 && self.res().is_some_and(|r| r >= 0))
            })),
            EvtIsOpenExec => b(self.open_flags().is_some_and(|f| {
                f & (flags::O_TMPFILE | flags::O_CREAT) != 0
                    && ev.name() != "open_by_handle_at"
                    && p_int(ev, pidx!("mode")).is_some_and(|m| m & 0o111 != 0)
            })),
            EvtCountError(k) => {
                let failed = self.res().is_some_and(|r| r < 0);
                let cat = ev.info().map_or(0, |i| i.category & 0xff);
                let fdcat = self.fd.map(|f| f.ty);
                let is_net = matches!(
                    fdcat,
                    Some(
                        fd_type::IPV4_SOCK
                            | fd_type::IPV6_SOCK
                            | fd_type::IPV4_SERVSOCK
                            | fd_type::IPV6_SERVSOCK
                            | fd_type::UNIX_SOCK
                    )
                ) || cat == 3;
                let is_file = matches!(fdcat, Some(fd_type::FILE | fd_type::DIRECTORY)) || cat == 2;
                let is_mem = cat == 5;
                let hit = failed
                    && match k {
                        1 => is_file,
                        2 => is_net,
                        3 => is_mem,
                        4 => !is_file && !is_net && !is_mem,
                        _ => true,
                    };
                u(u64::from(hit))
            }
            EvtCountExit => u(u64::from(ev.direction() == Direction::Exit)),
            EvtCountProcinfo => u(u64::from(ev.name() == "procinfo")),
            EvtCountThreadinfo => u(0),
            EvtBuflenDir(dir, kind) => {
                let f = ev.info()?.flags;
                let r = f.has(EventFlags::READS_FROM_FD);
                let w = f.has(EventFlags::WRITES_TO_FD);
                let dir_ok = match dir {
                    1 => r,
                    2 => w,
                    _ => r || w,
                };
                let fdt = self.fd.map(|f| f.ty);
                let kind_ok = match kind {
                    1 => matches!(fdt, Some(fd_type::FILE | fd_type::DIRECTORY)),
                    2 => matches!(
                        fdt,
                        Some(
                            fd_type::IPV4_SOCK
                                | fd_type::IPV6_SOCK
                                | fd_type::IPV4_SERVSOCK
                                | fd_type::IPV6_SERVSOCK
                                | fd_type::UNIX_SOCK
                        )
                    ),
                    _ => true,
                };
                if !(dir_ok && kind_ok) {
                    return None;
                }
                p_bytes(ev, pidx!("data"))?;
                let r = self.res()?;
                if r < 0 { None } else { u(r as u64) }
            }
            EvtAbspath => {
                let (src, dst) = self.path_params();
                let idx = match arg {
                    FieldArg::Key(k) if &**k == "dst" => dst,
                    FieldArg::Key(k) if &**k == "src" => src,
                    _ => dst.or(src),
                }?;
                owned(self.param_path(idx)?.0)
            }
            FsPathName(raw) | FsPathSource(raw) | FsPathTarget(raw) => {
                let (src, dst) = self.path_params();
                let idx = match kind {
                    FsPathName(_) if dst.is_none() => src,
                    FsPathSource(_) if dst.is_some() => src,
                    FsPathTarget(_) => dst,
                    _ => None,
                }?;
                let (abs, r) = self.param_path(idx)?;
                // A symlink's target is stored as given.
                let literal = matches!(ev.name(), "symlink" | "symlinkat") && dst != Some(idx);
                owned(if raw || literal { r } else { abs })
            }
            UtilCnt => u(1),
            // proc
            ProcExe => s(&t()?.exe),
            ProcPexe => s(&self.parent()?.exe),
            ProcAexe => self.anc(arg, |t| Value::str(&t.exe)),
            ProcExepath => s(&t()?.exepath),
            ProcPexepath => s(&self.parent()?.exepath),
            ProcAexepath => self.anc(arg, |t| Value::str(&t.exepath)),
            ProcName => s(&t()?.comm),
            ProcPname => s(&self.parent()?.comm),
            ProcAname => self.anc(arg, |t| Value::str(&t.comm)),
            ProcArgs => s(&t()?.args_joined),
            ProcAargs => self.anc(arg, |t| Value::str(&t.args_joined)),
            ProcCmdline => s(&t()?.cmdline),
            ProcPcmdline => s(&self.parent()?.cmdline),
            ProcAcmdline => self.anc(arg, |t| Value::str(&t.cmdline)),
            ProcCmdnargs => u(t()?.args.len() as u64),
            ProcCmdlenargs => u(t()?.args.iter().map(String::len).sum::<usize>() as u64),
            ProcExeline => {
                let t = t()?;
                if t.args_joined.is_empty() {
                    s(&t.exe)
                } else {
                    owned(format!("{} {}", t.exe, t.args_joined))
                }
            }
            ProcEnv => {
                let t = m()?;
                match arg {
                    FieldArg::Key(k) => t.env.iter().find_map(|e| {
                        let (a, v) = e.split_once('=')?;
                        (a == &**k).then(|| Extracted::One(Value::str(v)))
                    }),
                    _ => owned(t.env.join(" ")),
                }
            }
            ProcAenv => match arg {
                FieldArg::Key(k) => self.ancestors().find_map(|a| {
                    a.env.iter().find_map(|e| {
                        let (n, v) = e.split_once('=')?;
                        (n == &**k).then(|| Extracted::One(Value::str(v)))
                    })
                }),
                _ => owned(self.parent()?.env.join(" ")),
            },
            ProcCwd => s(self.state.cwd_of(t()?)),
            ProcLoginshellid => {
                let mut found = None;
                let mut cur = t();
                let mut n = 0;
                while let Some(c) = cur {
                    if n > 64 {
                        break;
                    }
                    if matches!(
                        c.comm.as_str(),
                        "sh" | "bash" | "zsh" | "ksh" | "csh" | "tcsh" | "fish" | "dash"
                    ) {
                        found = Some(c.pid);
                    }
                    cur = self.state.parent(c);
                    n += 1;
                }
                i(found?)
            }
            ProcTty => u(u64::from(t()?.tty)),
            ProcPid => i(t()?.pid),
            ProcPpid => i(self.parent()?.pid),
            ProcApid => self.anc(arg, |t| Value::Int(t.pid)),
            ProcVpid => i(t()?.vpid),
            ProcPvpid => i(self.parent()?.vpid),
            ProcSid => i(t()?.sid),
            ProcSname => ne(&self.session_leader()?.comm),
            ProcSidExe => ne(&self.session_leader()?.exe),
            ProcSidExepath => ne(&self.session_leader()?.exepath),
            ProcVpgid => i(t()?.vpgid),
            ProcVpgidName => ne(&self.group_leader(true)?.comm),
            ProcVpgidExe => ne(&self.group_leader(true)?.exe),
            ProcVpgidExepath => ne(&self.group_leader(true)?.exepath),
            ProcPgid => i(t()?.pgid),
            ProcPgidName => self.proc_of(t()?.pgid, |t| &t.comm),
            ProcPgidExe => self.proc_of(t()?.pgid, |t| &t.exe),
            ProcPgidExepath => self.proc_of(t()?.pgid, |t| &t.exepath),
            ProcDuration => {
                let c = m()?.clone_ts;
                if c == 0 {
                    None
                } else {
                    u(self.ts().saturating_sub(c))
                }
            }
            ProcPpidDuration => {
                let c = self.parent()?.clone_ts;
                if c == 0 {
                    None
                } else {
                    u(self.ts().saturating_sub(c))
                }
            }
            ProcPidTs => u(m()?.clone_ts),
            ProcPpidTs => u(self.parent()?.clone_ts),
            ProcIsExeWritable => b(t()?.exe_writable),
            ProcIsExeUpper => b(t()?.exe_upper_layer),
            ProcIsExeLower => b(t()?.exe_lower_layer),
            ProcIsExeMemfd => b(t()?.exe_from_memfd),
            ProcIsSidLeader => {
                let t = t()?;
                b(t.sid == t.vpid)
            }
            ProcIsVpgidLeader => {
                let t = t()?;
                b(t.vpgid == t.vpid)
            }
            ProcIsPgidLeader => {
                let t = t()?;
                b(t.pgid == t.pid)
            }
            ProcExeIno => u(t()?.exe_ino),
            ProcExeInoCtime => u(t()?.exe_ino_ctime),
            ProcExeInoMtime => u(t()?.exe_ino_mtime),
            ProcExeInoCtimeDurProc => {
                let t = t()?;
                let start = self.main().map_or(t.clone_ts, |m| m.clone_ts);
                if t.exe_ino_ctime == 0 || start == 0 || start < t.exe_ino_ctime {
                    None
                } else {
                    u(start - t.exe_ino_ctime)
                }
            }
            ProcExeInoCtimeDurPidns => {
                let t = t()?;
                if t.exe_ino_ctime == 0
                    || t.pidns_init_start_ts == 0
                    || t.exe_ino_ctime < t.pidns_init_start_ts
                {
                    None
                } else {
                    u(t.exe_ino_ctime - t.pidns_init_start_ts)
                }
            }
            ProcPidnsInitStartTs => u(t()?.pidns_init_start_ts),
            ThreadCapPermitted => owned(flags::caps_to_string(t()?.cap_permitted)),
            ThreadCapInheritable => owned(flags::caps_to_string(t()?.cap_inheritable)),
            ThreadCapEffective => owned(flags::caps_to_string(t()?.cap_effective)),
            ProcFdopencount => u(self.state.fds.get(&t()?.pid).map_or(0, |x| x.len()) as u64),
            ProcFdlimit => i(m()?.fdlimit),
            ProcVmsize => u(u64::from(m()?.vmsize_kb)),
            ProcVmrss => u(u64::from(m()?.vmrss_kb)),
            ProcVmswap => u(u64::from(m()?.vmswap_kb)),
            ThreadVmsizeB => u(u64::from(t()?.vmsize_kb) * 1024),
            ThreadVmrssB => u(u64::from(t()?.vmrss_kb) * 1024),
            ThreadPfmajor => u(t()?.pfmajor),
            ThreadPfminor => u(t()?.pfminor),
            ThreadIsmain => b(t()?.is_main()),
            ThreadTid => i(ev.tid as i64),
            ThreadVtid => i(t()?.vtid),
            ThreadExectime => None,
            ThreadCgroups => {
                let t = t()?;
                let v: Vec<String> = t.cgroups.iter().map(|(a, p)| format!("{a}={p}")).collect();
                owned(v.join(" "))
            }
            ThreadCgroup => match arg {
                FieldArg::Key(k) => t()?
                    .cgroups
                    .iter()
                    .find(|(a, _)| a == &**k)
                    .map(|(_, p)| Extracted::One(Value::str(p))),
                _ => None,
            },
            ProcNthreads => u(u64::from(self.state.kin.threads_of(t()?.pid))),
            ProcNchilds => {
                let pid = t()?.pid;
                let kids = self.state.kin.children_of(pid).iter();
                u(kids
                    .filter(|k| self.state.threads.get(k).is_some_and(Thread::is_main))
                    .count() as u64)
            }
            ProcStdType(n) => {
                let f = self.state.fds.get(&t()?.pid)?.get(&n)?;
                s(typestr(f.ty))
            }
            ProcStdName(n) => {
                let f = self.state.fds.get(&t()?.pid)?.get(&n)?;
                s(&f.name)
            }
            // user / group
            UserUid => u(u64::from(t()?.uid)),
            // libsinsp: a user missing from the tables is "root" for uid 0, else "<NA>"
            // (a value, not a missing field).
            UserName => {
                let t = t()?;
                match self.user_by_uid(t.uid) {
                    Some(us) => s(&us.name),
                    None if t.uid == 0 => s("root"),
                    None => s("<NA>"),
                }
            }
            UserHomedir => {
                let t = t()?;
                match self.user_by_uid(t.uid) {
                    Some(us) => s(&us.homedir),
                    None if t.uid == 0 => s("/root"),
                    None => s("<NA>"),
                }
            }
            UserShell => match self.user_by_uid(t()?.uid) {
                Some(us) => s(&us.shell),
                None => s("<NA>"),
            },
            UserLoginuid => {
                let l = t()?.loginuid;
                i(if l == u32::MAX { -1 } else { i64::from(l) })
            }
            UserLoginname => {
                let l = t()?.loginuid;
                match self.user_by_uid(l) {
                    Some(us) => s(&us.name),
                    None if l == 0 => s("root"),
                    None => s("<NA>"),
                }
            }
            GroupGid => u(u64::from(t()?.gid)),
            GroupName => {
                let g = t()?.gid;
                match self.group_name(g) {
                    Some(n) => s(n),
                    None if g == 0 => s("root"),
                    None => s("<NA>"),
                }
            }
            // fd
            FdNum => i(self.fdnum.or_else(|| {
                if is_open_family(ev.code) {
                    self.res()
                } else {
                    None
                }
            })?),
            FdType => s(typestr(self.fd?.ty)),
            FdTypes => s(typestr(self.fd?.ty)),
            FdTypechar => s(typechar(self.fd?.ty)),
            FdName => self.fd_name(false),
            FdNameraw => self.fd_name(true),
            FdDirectory => match self.fd {
                Some(f) if f.is_file() => s(dirname(&f.name)),
                Some(f) if f.ty == fd_type::DIRECTORY => s(&f.name),
                Some(_) => None,
                None => {
                    let v = self.fd_name(false)?;
                    let name = String::from_utf8_lossy(v.first()?.as_bytes()?).into_owned();
                    owned(dirname(&name).to_string())
                }
            },
            FdFilename => {
                let f = self.fd?;
                if !f.is_file() {
                    return None;
                }
                match f.name.rfind('/') {
                    Some(p) => s(&f.name[p + 1..]),
                    None => s(&f.name),
                }
            }
            FdIp | FdNet => self.both_ips(),
            FdCip | FdCnet => one(Value::Ip(self.client()?.0)),
            FdSip | FdSnet => one(Value::Ip(self.server()?.0)),
            FdLip | FdLnet => one(Value::Ip(self.local_remote()?.0.0)),
            FdRip | FdRnet => one(Value::Ip(self.local_remote()?.1.0)),
            FdPort => self.both_ports(false),
            FdProto => self.both_ports(true),
            FdCport => u(u64::from(self.client()?.1)),
            FdSport => u(u64::from(self.server()?.1)),
            FdLport => u(u64::from(self.local_remote()?.0.1)),
            FdRport => u(u64::from(self.local_remote()?.1.1)),
            FdCproto => owned(self.port_text(self.client()?.1)?),
            FdSproto => owned(self.port_text(self.server()?.1)?),
            FdLproto => owned(self.port_text(self.local_remote()?.0.1)?),
            FdRproto => owned(self.port_text(self.local_remote()?.1.1)?),
            FdL4proto => {
                let f = self.fd?;
                s(match f.l4proto {
                    l4::TCP => "tcp",
                    l4::UDP => "udp",
                    l4::ICMP => "icmp",
                    l4::RAW => "raw",
                    _ => "<NA>",
                })
            }
            FdSockfamily => match self.fd?.ty {
                fd_type::IPV4_SOCK
                | fd_type::IPV6_SOCK
                | fd_type::IPV4_SERVSOCK
                | fd_type::IPV6_SERVSOCK => s("ip"),
                fd_type::UNIX_SOCK => s("unix"),
                _ => None,
            },
            FdIsServer => {
                let f = self.fd?;
                b(match f.ty {
                    fd_type::IPV4_SERVSOCK | fd_type::IPV6_SERVSOCK => true,
                    fd_type::IPV4_SOCK | fd_type::IPV6_SOCK => match f.net {
                        Net::Tuple { sip, .. } => self.is_local_ip(&sip),
                        _ => false,
                    },
                    _ => false,
                })
            }
            FdUid => owned(format!("{}{}", ev.tid, self.fdnum?)),
            FdContainername => {
                let name = self.fd_name(false)?;
                let n = String::from_utf8_lossy(name.first()?.as_bytes()?).into_owned();
                owned(format!("{}:{n}", self.container_id()?))
            }
            FdContainerdirectory => {
                let f = self.fd?;
                let d = if f.is_file() {
                    dirname(&f.name)
                } else {
                    &f.name
                };
                owned(format!("{}:{d}", self.container_id()?))
            }
            FdConnected => b(self.fd?.connected),
            FdNameChanged => {
                self.fd?;
                b(self.state.ctx.name_changed)
            }
            FdHostName => None,
            FdDev => u(u64::from(self.fd?.dev)),
            FdDevMajor => u(u64::from(self.fd?.dev >> 20)),
            FdDevMinor => u(u64::from(self.fd?.dev & 0xfffff)),
            FdIno => u(self.fd?.ino),
            FdIsUpper => b(self.fd?.open_flags & flags::FD_UPPER_LAYER != 0),
            FdIsLower => b(self.fd?.open_flags & flags::FD_LOWER_LAYER != 0),
            // container
            ContainerId => s(self.container_id()?),
            ContainerFullId => {
                if self.is_host() {
                    return s("host");
                }
                match self.container() {
                    Some(c) if !c.full_id.is_empty() => s(&c.full_id),
                    _ => s(self.container_id()?),
                }
            }
            ContainerName => {
                if self.is_host() {
                    return s("host");
                }
                self.cont_str(|c| &c.name)
            }
            ContainerImage => self.cont_str(|c| &c.image),
            ContainerImageId => self.cont_str(|c| &c.image_id),
            ContainerType => self.cont_str(|c| &c.ty),
            ContainerPrivileged => b(self.container()?.privileged?),
            ContainerMounts => self.cont_str(|c| &c.mounts_str),
            ContainerMount => {
                self.container()?;
                let Some(mnt) = self.mount_by(arg, false) else {
                    return s("none");
                };
                owned(format!(
                    "{}:{}:{}:{}:{}",
                    mnt.source, mnt.dest, mnt.mode, mnt.rw, mnt.propagation
                ))
            }
            ContainerMountSource => s(&self.mount_by(arg, true)?.source),
            ContainerMountDest => s(&self.mount_by(arg, false)?.dest),
            ContainerMountMode => s(&self.mount_by(arg, false)?.mode),
            ContainerMountRdwr => s(if self.mount_by(arg, false)?.rw {
                "true"
            } else {
                "false"
            }),
            ContainerMountPropagation => s(&self.mount_by(arg, false)?.propagation),
            ContainerImageRepository => self.cont_str(|c| &c.image_repository),
            ContainerImageTag => self.cont_str(|c| &c.image_tag),
            ContainerImageDigest => self.cont_str(|c| &c.image_digest),
            ContainerStartTs => u(self.container_start()?),
            ContainerDuration => u(self.ts().saturating_sub(self.container_start()?)),
            ContainerIp => self.cont_str(|c| &c.ip),
            ContainerHostPid => b(self.container()?.host_pid?),
            ContainerHostNetwork => b(self.container()?.host_network?),
            ContainerHostIpc => b(self.container()?.host_ipc?),
            ContainerLabel => match arg {
                FieldArg::Key(k) => self.label(k),
                _ => None,
            },
            ContainerLabels => {
                let c = self.container()?;
                if c.labels.is_empty() {
                    return None;
                }
                let v: Vec<String> = c.labels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                owned(v.join(","))
            }
            // Deprecated: Falco substitutes `%container.info` in rule outputs itself; as a
            // field it has no value.
            ContainerInfo => None,
            ProcIsContainerProbe => {
                t()?;
                b(false)
            }
            K8sPodName => self.label("io.kubernetes.pod.name"),
            K8sNsName => self.label("io.kubernetes.pod.namespace"),
            K8sPodId | K8sPodUid => self.label("io.kubernetes.pod.uid"),
            K8sPodSandboxId => {
                let v = self.container()?.label("io.kubernetes.sandbox.id")?;
                ne(v.get(..12).unwrap_or(v))
            }
            K8sPodFullSandboxId => self.label("io.kubernetes.sandbox.id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        // 2019-07-08 21:28:53.350505660 UTC
        let ts = 1_562_621_333_350_505_660;
        assert_eq!(format_ts(ts, 0), "21:28:53.350505660");
        assert_eq!(format_ts(ts, 2), "2019-07-08T21:28:53.350505660Z");
        assert_eq!(format_ts(0, 4), "1970-01-01 00:00:00");
    }

    #[test]
    fn dirs() {
        assert_eq!(dirname("/etc/passwd"), "/etc");
        assert_eq!(dirname("/passwd"), "/");
        assert_eq!(dirname("x"), "/");
    }
}
