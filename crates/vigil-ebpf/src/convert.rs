//! Kernel records → scap events (ADR 003): each record becomes the current exit-event layout
//! of its event code, with the parameters libs' event table defines, so `vigil_state::State`
//! consumes live events exactly like captured ones.

use std::mem::offset_of;

use vigil_scap::{OwnedEvent, RawEvent, code_of_symbol};

use crate::abi::{
    self, ADDR_MAX, ARGS_MAX, COMM_LEN, PATH_MAX, Rec, VgExec, VgExit, VgFork, VgHeader, VgSock,
    VgSyscall, kind,
};
use crate::procfs;
use crate::syscalls::{self, NR_EXECVEAT};

/// Why a record was not converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Shorter than its header or its kind's size, or an unknown kind / ABI version.
    Malformed,
    /// A syscall number the converter has no encoder for.
    Unsupported,
}

/// `PPM_CL_CLONE_THREAD`.
const PPM_CL_CLONE_THREAD: u32 = 1 << 13;
/// `PPM_EXE_FROM_MEMFD`.
const PPM_EXE_FROM_MEMFD: u32 = 1 << 2;
/// `PPM_EXE_UPPER_LAYER`.
const PPM_EXE_UPPER_LAYER: u32 = 1 << 1;

/// Cgroup lists kept by cgroup id before the cache is cleared.
const CGROUP_CACHE_MAX: usize = 4096;

/// Converts records; keeps the boot-time → epoch offset and, by cgroup v2 id, the cgroup list
/// (`subsys=path\0…`) last read from /proc for a task of that cgroup, so fork records (which
/// carry only the id) get the list libscap puts in clone events.
#[derive(Debug, Clone)]
pub struct Converter {
    boot_to_epoch_ns: u64,
    cgroups: std::cell::RefCell<std::collections::HashMap<u64, Vec<u8>>>,
    /// By syscall number: the name and scap event code of the supported ones (built once,
    /// so a record costs no search of the syscall or event tables).
    by_nr: Box<[Option<(&'static str, u16)>]>,
}

impl Default for Converter {
    fn default() -> Self {
        Converter::new()
    }
}

impl Converter {
    /// A converter whose timestamps are wall-clock ns (CLOCK_REALTIME − CLOCK_BOOTTIME now).
    pub fn new() -> Converter {
        Converter::with_offset(crate::sys::boot_to_epoch_ns())
    }

    /// A converter with a fixed offset (tests).
    pub fn with_offset(boot_to_epoch_ns: u64) -> Converter {
        Converter {
            boot_to_epoch_ns,
            cgroups: Default::default(),
            by_nr: by_nr_table(),
        }
    }

    /// The cgroup list of cgroup `id`, read from `/proc/<pid>/cgroup` the first time (from
    /// the cgroup v2 id when the task is gone).
    fn cgroups_of(&self, id: u64, pid: u32) -> Vec<u8> {
        if let Some(c) = self.cgroups.borrow().get(&id) {
            return c.clone();
        }
        let mut c = procfs::cgroups_of(&std::path::Path::new("/proc").join(pid.to_string()));
        if c.is_empty() {
            // Gone already: the cgroup v2 path of the id still says where it ran.
            c = procfs::cgroups_of_id(id);
        }
        self.remember_cgroups(id, &c);
        c
    }

    fn remember_cgroups(&self, id: u64, c: &[u8]) {
        if c.is_empty() {
            return;
        }
        let mut m = self.cgroups.borrow_mut();
        if m.len() >= CGROUP_CACHE_MAX {
            m.clear();
        }
        m.insert(id, c.to_vec());
    }

    fn syscall_entry(&self, r: &Rec<'_>) -> Result<(&'static str, u16), Skip> {
        let nr = r.u32(offset_of!(VgSyscall, nr)).ok_or(Skip::Malformed)?;
        let entry = self.by_nr.get(nr as usize).copied().flatten();
        entry.ok_or(Skip::Unsupported)
    }

    /// Convert one ring-buffer record into `out`, lent back as a [`RawEvent`]: what
    /// [`Converter::convert`] then [`EventBuf::raw`] give, without an [`OwnedEvent`] in
    /// between (a system call record's parameters are written straight into `out`'s buffer,
    /// its strings copied from the record: no allocation once `out` has grown).
    pub fn convert_into<'b>(
        &self,
        bytes: &[u8],
        out: &'b mut EventBuf,
    ) -> Result<RawEvent<'b>, Skip> {
        let r = Rec(bytes);
        let h = r.header().ok_or(Skip::Malformed)?;
        if h.kind != kind::SYSCALL {
            let ev = self.convert(bytes)?;
            return Ok(out.raw(&ev));
        }
        if h.version != abi::ABI_VERSION
            || abi::min_record_size(h.kind).is_none_or(|n| bytes.len() < n)
        {
            return Err(Skip::Malformed);
        }
        let ts = h.ts_boot_ns.wrapping_add(self.boot_to_epoch_ns);
        let entry = self.syscall_entry(&r)?;
        out.buf.clear();
        out.ranges.clear();
        syscall(&r, Lay(out), entry)?;
        Ok(RawEvent::new(
            ts,
            u64::from(h.tid),
            0,
            0,
            entry.1,
            &out.buf,
            &out.ranges,
        ))
    }

    /// Convert one ring-buffer record.
    pub fn convert(&self, bytes: &[u8]) -> Result<OwnedEvent, Skip> {
        let r = Rec(bytes);
        let h = r.header().ok_or(Skip::Malformed)?;
        if h.version != abi::ABI_VERSION
            || abi::min_record_size(h.kind).is_none_or(|n| bytes.len() < n)
        {
            return Err(Skip::Malformed);
        }
        let ts = h.ts_boot_ns.wrapping_add(self.boot_to_epoch_ns);
        match h.kind {
            kind::SYSCALL => {
                let entry = self.syscall_entry(&r)?;
                syscall(&r, OwnedEvent::new(ts, u64::from(h.tid), entry.1), entry)
            }
            kind::EXEC => Ok(self.exec(&r, &h, ts)),
            kind::FORK => Ok(self.fork(&r, &h, ts)),
            kind::EXIT => Ok(exit(&r, &h, ts)),
            _ => Err(Skip::Malformed),
        }
    }
}

/// [`Converter::by_nr`]'s table.
fn by_nr_table() -> Box<[Option<(&'static str, u16)>]> {
    let len = syscalls::SUPPORTED
        .iter()
        .map(|s| s.1 as usize + 1)
        .max()
        .unwrap_or(0);
    let mut t = vec![None; len];
    for &(name, nr, sym) in syscalls::SUPPORTED {
        if t[nr as usize].is_none() {
            t[nr as usize] = Some((name, code(sym)));
        }
    }
    t.into_boxed_slice()
}

fn code(sym: &str) -> u16 {
    // The symbols are checked against the table by the tests; 0 (generic) cannot happen.
    code_of_symbol(sym).unwrap_or(0)
}

fn with_nul(s: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s);
    v.push(0);
    v
}

/// Linux `O_*` (x86_64) → `PPM_O_*`.
pub fn open_flags_to_ppm(f: u64) -> u32 {
    let mut p = match f & 3 {
        0 => 1,
        1 => 2,
        _ => 3,
    };
    let map: [(u64, u32); 12] = [
        (0o100, 1 << 2),       // O_CREAT
        (0o2000, 1 << 3),      // O_APPEND
        (0o10000, 1 << 4),     // O_DSYNC
        (0o200, 1 << 5),       // O_EXCL
        (0o4000, 1 << 6),      // O_NONBLOCK
        (0o4010000, 1 << 7),   // O_SYNC
        (0o1000, 1 << 8),      // O_TRUNC
        (0o40000, 1 << 9),     // O_DIRECT
        (0o200000, 1 << 10),   // O_DIRECTORY
        (0o100000, 1 << 11),   // O_LARGEFILE
        (0o2000000, 1 << 12),  // O_CLOEXEC
        (0o20200000, 1 << 13), // O_TMPFILE
    ];
    for (l, pp) in map {
        if f & l == l {
            p |= pp;
        }
    }
    p
}

/// Linux `PTRACE_*` request → `PPM_PTRACE_*`.
pub fn ptrace_request_to_ppm(req: u64) -> u16 {
    match req {
        0 => 1,
        1 => 2,
        2 => 3,
        3 => 4,
        4 => 5,
        5 => 6,
        6 => 7,
        7 => 8,
        8 => 9,
        9 => 10,
        16 => 11,
        17 => 12,
        24 => 13,
        0x4200 => 14,
        0x4201 => 15,
        0x4202 => 16,
        0x4203 => 17,
        0x4204 => 18,
        0x4205 => 19,
        0x4206 => 20,
        0x4207 => 21,
        0x4208 => 22,
        0x4209 => 23,
        0x420a => 24,
        0x420b => 25,
        12 => 26,
        13 => 27,
        14 => 28,
        15 => 29,
        18 => 30,
        19 => 31,
        21 => 32,
        25 => 33,
        26 => 34,
        30 => 35,
        31 => 36,
        32 => 37,
        33 => 38,
        _ => 0,
    }
}

/// Linux `CLONE_*` flags (clone, unshare, setns's nstype) → `PPM_CL_*`.
pub fn clone_flags_to_ppm(f: u64) -> u32 {
    let map: [(u64, u32); 22] = [
        (0x400, 1 << 0),        // CLONE_FILES
        (0x200, 1 << 1),        // CLONE_FS
        (0x8000_0000, 1 << 2),  // CLONE_IO
        (0x0800_0000, 1 << 3),  // CLONE_NEWIPC
        (0x4000_0000, 1 << 4),  // CLONE_NEWNET
        (0x0002_0000, 1 << 5),  // CLONE_NEWNS
        (0x2000_0000, 1 << 6),  // CLONE_NEWPID
        (0x0400_0000, 1 << 7),  // CLONE_NEWUTS
        (0x8000, 1 << 8),       // CLONE_PARENT
        (0x0010_0000, 1 << 9),  // CLONE_PARENT_SETTID
        (0x2000, 1 << 10),      // CLONE_PTRACE
        (0x800, 1 << 11),       // CLONE_SIGHAND
        (0x0004_0000, 1 << 12), // CLONE_SYSVSEM
        (0x0001_0000, 1 << 13), // CLONE_THREAD
        (0x0080_0000, 1 << 14), // CLONE_UNTRACED
        (0x100, 1 << 15),       // CLONE_VM
        (0x1000_0000, 1 << 20), // CLONE_NEWUSER
        (0x0020_0000, 1 << 23), // CLONE_CHILD_CLEARTID
        (0x0100_0000, 1 << 24), // CLONE_CHILD_SETTID
        (0x0008_0000, 1 << 25), // CLONE_SETTLS
        (0x4000, 1 << 27),      // CLONE_VFORK
        (0x0200_0000, 1 << 28), // CLONE_NEWCGROUP
    ];
    map.iter()
        .filter(|(l, _)| f & l != 0)
        .fold(0, |acc, (_, p)| acc | p)
}

/// `PPM_PTRACE_IDX_UINT64` / `PPM_PTRACE_IDX_SIGTYPE`: the first byte of ptrace's `PT_DYN`
/// `addr` and `data` parameters.
const PTRACE_IDX_UINT64: u8 = 0;
const PTRACE_IDX_SIGTYPE: u8 = 1;

/// ptrace's `addr` parameter: the address, as libs' driver encodes it.
fn ptrace_addr(addr: u64) -> Vec<u8> {
    let mut v = vec![PTRACE_IDX_UINT64];
    v.extend_from_slice(&addr.to_le_bytes());
    v
}

/// ptrace's `data` parameter: the signal for the requests that resume or detach the tracee,
/// else the value. For the PEEK requests libs reports the word read, which the sensor does
/// not copy: left empty.
fn ptrace_data(request: u64, data: u64) -> Vec<u8> {
    match request {
        // PTRACE_PEEKTEXT, PEEKDATA, PEEKUSR
        1..=3 => Vec::new(),
        // PTRACE_CONT, KILL, SINGLESTEP, DETACH, SYSCALL, SYSEMU, SYSEMU_SINGLESTEP, LISTEN
        7 | 8 | 9 | 17 | 24 | 31 | 32 | 0x4208 => vec![PTRACE_IDX_SIGTYPE, data as u8],
        _ => {
            let mut v = vec![PTRACE_IDX_UINT64];
            v.extend_from_slice(&data.to_le_bytes());
            v
        }
    }
}

/// An fd argument as the kernel sees it (an `int`), widened.
fn fd_arg(v: u64) -> i64 {
    i64::from(v as u32 as i32)
}

/// Linux sockaddr bytes → scap `PT_SOCKADDR`.
fn sockaddr(raw: &[u8]) -> Vec<u8> {
    let fam = raw.get(..2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    match fam {
        2 if raw.len() >= 8 => {
            let mut v = vec![vigil_scap::af::INET];
            v.extend_from_slice(&raw[4..8]);
            v.extend_from_slice(&u16::from_be_bytes([raw[2], raw[3]]).to_le_bytes());
            v
        }
        10 if raw.len() >= 24 => {
            let mut v = vec![vigil_scap::af::INET6];
            v.extend_from_slice(&raw[8..24]);
            v.extend_from_slice(&u16::from_be_bytes([raw[2], raw[3]]).to_le_bytes());
            v
        }
        1 => {
            let path = &raw[2.min(raw.len())..];
            let end = path.iter().position(|c| *c == 0).unwrap_or(path.len());
            let mut v = vec![vigil_scap::af::UNIX];
            v.extend_from_slice(&path[..end]);
            v.push(0);
            v
        }
        0 => Vec::new(),
        other => vec![u8::try_from(other).unwrap_or(0)],
    }
}

/// The socket endpoints → scap `PT_SOCKTUPLE`, client first (`client_is_local`: connect).
fn socktuple(s: &VgSock, client_is_local: bool) -> Vec<u8> {
    let (cip, cport, sip, sport) = if client_is_local {
        (&s.saddr, s.sport, &s.daddr, s.dport)
    } else {
        (&s.daddr, s.dport, &s.saddr, s.sport)
    };
    match s.family {
        2 => {
            let mut v = vec![vigil_scap::af::INET];
            v.extend_from_slice(&cip[..4]);
            v.extend_from_slice(&cport.to_le_bytes());
            v.extend_from_slice(&sip[..4]);
            v.extend_from_slice(&sport.to_le_bytes());
            v
        }
        10 => {
            let mut v = vec![vigil_scap::af::INET6];
            v.extend_from_slice(cip);
            v.extend_from_slice(&cport.to_le_bytes());
            v.extend_from_slice(sip);
            v.extend_from_slice(&sport.to_le_bytes());
            v
        }
        1 => {
            let mut v = vec![vigil_scap::af::UNIX];
            v.extend_from_slice(&[0; 16]);
            v.push(0);
            v
        }
        _ => Vec::new(),
    }
}

/// A socket without a peer (unconnected UDP) takes its destination from the sockaddr
/// argument (sendto).
fn with_dest(mut s: VgSock, addr: &[u8]) -> VgSock {
    if s.dport != 0 || s.daddr.iter().any(|b| *b != 0) {
        return s;
    }
    let fam = addr
        .get(..2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    match fam {
        2 if addr.len() >= 8 && s.family == 2 => {
            s.dport = u16::from_be_bytes([addr[2], addr[3]]);
            s.daddr[..4].copy_from_slice(&addr[4..8]);
        }
        10 if addr.len() >= 24 && s.family == 10 => {
            s.dport = u16::from_be_bytes([addr[2], addr[3]]);
            s.daddr.copy_from_slice(&addr[8..24]);
        }
        _ => {}
    }
    s
}

fn read_sock(r: &Rec<'_>, base: usize) -> VgSock {
    let mut s = VgSock {
        family: r.u16(base + offset_of!(VgSock, family)).unwrap_or(0),
        sport: r.u16(base + offset_of!(VgSock, sport)).unwrap_or(0),
        dport: r.u16(base + offset_of!(VgSock, dport)).unwrap_or(0),
        l4proto: r.u16(base + offset_of!(VgSock, l4proto)).unwrap_or(0),
        ..VgSock::default()
    };
    if let Some(b) = r.bytes(base + offset_of!(VgSock, saddr), 16) {
        s.saddr.copy_from_slice(b);
    }
    if let Some(b) = r.bytes(base + offset_of!(VgSock, daddr), 16) {
        s.daddr.copy_from_slice(b);
    }
    s
}

fn syscall<'r, B: Params>(
    r: &Rec<'r>,
    ev: B,
    (name, _code): (&'static str, u16),
) -> Result<B, Skip> {
    let ret = r.i64(offset_of!(VgSyscall, ret)).ok_or(Skip::Malformed)?;
    let arg = |i: usize| {
        r.u64(offset_of!(VgSyscall, args) + 8 * i)
            .unwrap_or_default()
    };
    // The string with its NUL, borrowed from the record when the NUL is there.
    let string = |i: usize| -> std::borrow::Cow<'r, [u8]> {
        let len = r
            .u16(offset_of!(VgSyscall, str_len) + 2 * i)
            .map_or(0, usize::from);
        if len == 0 {
            return std::borrow::Cow::Borrowed(&[0]);
        }
        let off = offset_of!(VgSyscall, str) + PATH_MAX * i;
        let s = r.cstr(off, PATH_MAX).unwrap_or_default();
        match r.bytes(off, s.len() + 1) {
            Some(b) if b.last() == Some(&0) => std::borrow::Cow::Borrowed(b),
            _ => std::borrow::Cow::Owned(with_nul(s)),
        }
    };
    let addr = || -> &[u8] {
        let n = r
            .u32(offset_of!(VgSyscall, addr_len))
            .map_or(0, |n| (n as usize).min(ADDR_MAX));
        r.bytes(offset_of!(VgSyscall, addr), n).unwrap_or_default()
    };
    let sock = || read_sock(r, offset_of!(VgSyscall, sock));
    Ok(match name {
        "open" => ev
            .push_i64(ret)
            .push(string(0))
            .push_u32(open_flags_to_ppm(arg(1)))
            .push_u32(arg(2) as u32)
            .push_u32(0)
            .push_u64(0),
        "openat" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_u32(open_flags_to_ppm(arg(2)))
            .push_u32(arg(3) as u32)
            .push_u32(0)
            .push_u64(0),
        "openat2" => {
            let how = addr();
            let field = |i: usize| {
                how.get(i * 8..i * 8 + 8)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u64::from_le_bytes)
            };
            ev.push_i64(ret)
                .push_i64(fd_arg(arg(0)))
                .push(string(0))
                .push_u32(open_flags_to_ppm(field(0)))
                .push_u32(field(1) as u32)
                .push_u32(field(2) as u32)
                .push_u32(0)
                .push_u64(0)
        }
        "creat" => ev
            .push_i64(ret)
            .push(string(0))
            .push_u32(arg(1) as u32)
            .push_u32(0)
            .push_u64(0)
            .push_u16(0),
        "close" => ev.push_i64(ret).push_i64(fd_arg(arg(0))),
        "dup" => ev.push_i64(ret).push_i64(fd_arg(arg(0))),
        "dup2" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push_i64(fd_arg(arg(1))),
        "dup3" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push_i64(fd_arg(arg(1)))
            .push_u32(arg(2) as u32),
        "socket" => ev
            .push_i64(ret)
            .push_u32(arg(0) as u32)
            .push_u32(arg(1) as u32)
            .push_u32(arg(2) as u32)
            .push_u32(0),
        "connect" => ev
            .push_i64(ret)
            .push(socktuple(&sock(), true))
            .push_i64(fd_arg(arg(0)))
            .push(sockaddr(addr())),
        "accept" => ev
            .push_i64(ret)
            .push(socktuple(&sock(), false))
            .push_u8(0)
            .push_u32(0)
            .push_u32(0),
        "accept4" => ev
            .push_i64(ret)
            .push(socktuple(&sock(), false))
            .push_u8(0)
            .push_u32(0)
            .push_u32(0)
            .push_u32(arg(3) as u32),
        "chdir" => ev.push_i64(ret).push(string(0)),
        "unlink" => ev.push_i64(ret).push(string(0)),
        "unlinkat" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_u32(arg(2) as u32),
        "symlink" | "link" | "rename" => ev.push_i64(ret).push(string(0)).push(string(1)),
        "symlinkat" => ev
            .push_i64(ret)
            .push(string(0))
            .push_i64(fd_arg(arg(1)))
            .push(string(1)),
        "linkat" | "renameat2" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_i64(fd_arg(arg(2)))
            .push(string(1))
            .push_u32(arg(4) as u32),
        "renameat" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_i64(fd_arg(arg(2)))
            .push(string(1)),
        "ptrace" => ev
            .push_i64(ret)
            .push(ptrace_addr(arg(2)))
            .push(ptrace_data(arg(0), arg(3)))
            .push_u16(ptrace_request_to_ppm(arg(0)))
            .push_i64(arg(1) as i64),
        "setns" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push_u32(clone_flags_to_ppm(arg(1))),
        "unshare" => ev.push_i64(ret).push_u32(clone_flags_to_ppm(arg(0))),
        "init_module" => ev
            .push_i64(ret)
            .push(Vec::new())
            .push_u64(arg(1))
            .push(string(0)),
        "finit_module" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_u32(arg(2) as u32),
        "memfd_create" => ev.push_i64(ret).push(string(0)).push_u32(arg(1) as u32),
        "chmod" => ev
            .push_i64(ret)
            .push(string(0))
            .push_u32(arg(1) as u32 & 0o7777),
        "fchmod" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push_u32(arg(1) as u32 & 0o7777),
        // fchmodat and fchmodat2 (same first three arguments).
        "fchmodat" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_u32(arg(2) as u32 & 0o7777),
        "mkdir" => ev.push_i64(ret).push(string(0)).push_u32(arg(1) as u32),
        "mkdirat" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push(string(0))
            .push_u32(arg(2) as u32),
        "rmdir" => ev.push_i64(ret).push(string(0)),
        "listen" => ev
            .push_i64(ret)
            .push_i64(fd_arg(arg(0)))
            .push_u32(arg(1) as i32 as u32),
        "sendto" => ev
            .push_i64(ret)
            .push(Vec::new())
            .push_i64(fd_arg(arg(0)))
            .push_u32(arg(2) as u32)
            .push(socktuple(&with_dest(sock(), addr()), true)),
        "sendmsg" => ev
            .push_i64(ret)
            .push(Vec::new())
            .push_i64(fd_arg(arg(0)))
            .push_u32(ret.max(0) as u32)
            .push(socktuple(&sock(), true)),
        "recvfrom" => ev
            .push_i64(ret)
            .push(Vec::new())
            .push(socktuple(&sock(), true))
            .push_i64(fd_arg(arg(0)))
            .push_u32(arg(2) as u32),
        "recvmsg" => ev
            .push_i64(ret)
            .push_u32(ret.max(0) as u32)
            .push(Vec::new())
            .push(socktuple(&sock(), true))
            .push(Vec::new())
            .push_i64(fd_arg(arg(0))),
        "setuid" => ev.push_i64(ret).push_u32(arg(0) as u32),
        "setgid" => ev.push_i64(ret).push_u32(arg(0) as u32),
        "userfaultfd" => ev.push_i64(ret).push_u32(open_flags_to_ppm(arg(0)) & !3),
        // libs' exit event carries the result as `fd`, and the command.
        "bpf" => ev.push_i64(ret).push_u32(arg(0) as u32),
        _ => return Err(Skip::Unsupported),
    })
}

/// The working directory from an exec record's components (leaf first), if the kernel's walk
/// reached the root.
fn exec_cwd(r: &Rec<'_>) -> Option<String> {
    let flags = r.u32(offset_of!(VgExec, flags))?;
    if flags & abi::EXEC_CWD_COMPLETE == 0 {
        return None;
    }
    let len = usize::from(r.u16(offset_of!(VgExec, cwd_len))?).min(abi::CWD_MAX);
    let raw = r.bytes(offset_of!(VgExec, cwd), len)?;
    let mut path = String::new();
    for c in raw.split(|b| *b == 0).filter(|c| !c.is_empty()).rev() {
        path.push('/');
        path.push_str(&String::from_utf8_lossy(c));
    }
    if path.is_empty() {
        path.push('/');
    }
    Some(path)
}

impl Converter {
    fn exec(&self, r: &Rec<'_>, h: &VgHeader, ts: u64) -> OwnedEvent {
        let u32_at = |o: usize| r.u32(o).unwrap_or_default();
        let u64_at = |o: usize| r.u64(o).unwrap_or_default();
        let nr = u32_at(offset_of!(VgExec, nr));
        let flags = u32_at(offset_of!(VgExec, flags));
        let args_len = r
            .u16(offset_of!(VgExec, args_len))
            .map_or(0, |n| usize::from(n).min(ARGS_MAX));
        let argv = r
            .bytes(offset_of!(VgExec, args), args_len)
            .unwrap_or_default();
        let (exe, rest) = match argv.iter().position(|c| *c == 0) {
            Some(i) => (&argv[..i], &argv[i + 1..]),
            None => (argv, &[][..]),
        };
        let filename = if r.u16(offset_of!(VgExec, filename_len)).unwrap_or(0) > 0 {
            r.cstr(offset_of!(VgExec, filename), PATH_MAX)
                .unwrap_or_default()
        } else {
            &[][..]
        };
        let comm = r
            .cstr(offset_of!(VgExec, comm), COMM_LEN)
            .unwrap_or_default();
        let tid = i64::from(h.tid);
        let pid = i64::from(h.tgid);
        let pgid = i64::from(i32::from_ne_bytes(
            u32_at(offset_of!(VgExec, pgid)).to_ne_bytes(),
        ));
        // What the record cannot carry comes from /proc while the process is still there.
        let mut live = procfs::exec_extras(h.tgid);
        if live.cgroups.is_empty() {
            live.cgroups = self.cgroups_of(h.cgroup_id, h.tgid);
        } else {
            self.remember_cgroups(h.cgroup_id, &live.cgroups);
        }
        // The kernel's cwd at exec: /proc is gone for a process that already exited.
        if let Some(cwd) = exec_cwd(r) {
            live.cwd = cwd;
        }
        if live.env.is_empty() {
            // Gone already: the environment the kernel saw at exec.
            let n = r
                .u16(offset_of!(VgExec, env_len))
                .map_or(0, |n| usize::from(n).min(ARGS_MAX));
            live.env = r
                .bytes(offset_of!(VgExec, env), n)
                .unwrap_or_default()
                .to_vec();
            if !live.env.is_empty() && live.env.last() != Some(&0) {
                live.env.push(0);
            }
        }
        let trusted = live
            .exepath
            .clone()
            .unwrap_or_else(|| String::from_utf8_lossy(filename).into_owned());
        let mut ppm_flags = 0;
        if flags & abi::EXEC_FROM_MEMFD != 0 {
            ppm_flags |= PPM_EXE_FROM_MEMFD;
        }
        if flags & abi::EXEC_UPPER_LAYER != 0 {
            ppm_flags |= PPM_EXE_UPPER_LAYER;
        }
        let mut rest = rest.to_vec();
        if !rest.is_empty() && rest.last() != Some(&0) {
            rest.push(0);
        }
        let sym = if nr == NR_EXECVEAT {
            "SYSCALL_EXECVEAT_X"
        } else {
            "SYSCALL_EXECVE_19_X"
        };
        let ev = OwnedEvent::new(ts, u64::from(h.tid), code(sym))
            .push_i64(0)
            .push(with_nul(exe))
            .push(rest)
            .push_i64(tid)
            .push_i64(pid)
            .push_i64(i64::from(u32_at(offset_of!(VgExec, ppid))))
            .push(with_nul(live.cwd.as_bytes()))
            .push_u64(u64_at(offset_of!(VgExec, fdlimit)))
            .push_u64(0)
            .push_u64(0)
            .push_u32(0)
            .push_u32(0)
            .push_u32(0)
            .push(with_nul(comm))
            .push(live.cgroups)
            .push(live.env)
            .push_u32(u32_at(offset_of!(VgExec, tty)))
            .push_i64(pgid)
            .push_u32(u32_at(offset_of!(VgExec, loginuid)))
            .push_u32(ppm_flags)
            .push_u64(u64_at(offset_of!(VgExec, cap_inheritable)))
            .push_u64(u64_at(offset_of!(VgExec, cap_permitted)))
            .push_u64(u64_at(offset_of!(VgExec, cap_effective)))
            .push_u64(u64_at(offset_of!(VgExec, exe_ino)))
            .push_u64(u64_at(offset_of!(VgExec, exe_ctime_ns)))
            .push_u64(u64_at(offset_of!(VgExec, exe_mtime_ns)))
            .push_u32(u32_at(offset_of!(VgExec, uid)))
            .push(with_nul(trusted.as_bytes()))
            .push_i64(pgid)
            .push_u32(u32_at(offset_of!(VgExec, gid)));
        if nr == NR_EXECVEAT {
            ev
        } else {
            ev.push(with_nul(filename))
        }
    }

    /// clone's exit from a fork record: the parent's view (`res` = the child's tid), or with
    /// `VG_FORK_CHILD` the child's (`res` = 0, the child's ids in its pid namespace).
    fn fork(&self, r: &Rec<'_>, h: &VgHeader, ts: u64) -> OwnedEvent {
        let u32_at = |o: usize| r.u32(o).unwrap_or_default();
        let child_tgid = u32_at(offset_of!(VgFork, child_tgid));
        let child_tid = u32_at(offset_of!(VgFork, child_tid));
        let child_side = u32_at(offset_of!(VgFork, flags)) & abi::FORK_CHILD != 0;
        let comm = r
            .cstr(offset_of!(VgFork, comm), COMM_LEN)
            .unwrap_or_default();
        let flags = if child_tid != child_tgid {
            PPM_CL_CLONE_THREAD
        } else {
            0
        };
        let (res, vtid, vpid, init_ts) = if child_side {
            let init = r
                .u64(offset_of!(VgFork, pidns_init_start_ns))
                .unwrap_or_default();
            (
                0,
                i64::from(u32_at(offset_of!(VgFork, child_vtid))),
                i64::from(u32_at(offset_of!(VgFork, child_vpid))),
                if init == 0 {
                    0
                } else {
                    init.wrapping_add(self.boot_to_epoch_ns)
                },
            )
        } else {
            (i64::from(child_tid), -1, -1, 0)
        };
        // The parent's cgroups (the child is in them at fork); the header's pid is the parent's
        // on the parent's side and the child's on the child's, same cgroup either way.
        let cgroups = self.cgroups_of(h.cgroup_id, h.tgid);
        OwnedEvent::new(ts, u64::from(h.tid), code("SYSCALL_CLONE_20_X"))
            .push_i64(res)
            .push(vec![0])
            .push(Vec::new())
            .push_i64(i64::from(h.tid))
            .push_i64(i64::from(h.tgid))
            .push_i64(i64::from(u32_at(offset_of!(VgFork, ppid))))
            .push(vec![0])
            .push_i64(0)
            .push_u64(0)
            .push_u64(0)
            .push_u32(0)
            .push_u32(0)
            .push_u32(0)
            .push(with_nul(comm))
            .push(cgroups)
            .push_u32(flags)
            .push_u32(u32_at(offset_of!(VgFork, uid)))
            .push_u32(u32_at(offset_of!(VgFork, gid)))
            .push_i64(vtid)
            .push_i64(vpid)
            .push_u64(init_ts)
    }
}

fn exit(r: &Rec<'_>, h: &VgHeader, ts: u64) -> OwnedEvent {
    let code_v = r.i32(offset_of!(VgExit, exit_code)).unwrap_or_default();
    let sig = (code_v & 0x7f) as u8;
    OwnedEvent::new(ts, u64::from(h.tid), code("PROCEXIT_1_E"))
        .push_i64(i64::from(code_v))
        .push_i64(i64::from((code_v >> 8) & 0xff))
        .push_u8(sig)
        .push_u8(u8::from(code_v & 0x80 != 0))
        .push_i64(0)
}

/// Where a system call record's parameters go, in order: an [`OwnedEvent`] (one `Vec` per
/// parameter) or an [`EventBuf`] (one buffer).
trait Params: Sized {
    fn push(self, p: impl AsRef<[u8]>) -> Self;
    fn push_i64(self, v: i64) -> Self {
        self.push(v.to_le_bytes())
    }
    fn push_u64(self, v: u64) -> Self {
        self.push(v.to_le_bytes())
    }
    fn push_u32(self, v: u32) -> Self {
        self.push(v.to_le_bytes())
    }
    fn push_u16(self, v: u16) -> Self {
        self.push(v.to_le_bytes())
    }
    fn push_u8(self, v: u8) -> Self {
        self.push([v])
    }
}

impl Params for OwnedEvent {
    fn push(self, p: impl AsRef<[u8]>) -> Self {
        OwnedEvent::push(self, p.as_ref().to_vec())
    }
}

/// Parameters appended to an [`EventBuf`].
struct Lay<'b>(&'b mut EventBuf);

impl Params for Lay<'_> {
    fn push(self, p: impl AsRef<[u8]>) -> Self {
        let b = &mut *self.0;
        let s = b.buf.len() as u32;
        b.buf.extend_from_slice(p.as_ref());
        let e = b.buf.len() as u32;
        b.ranges.push((s, e));
        self
    }
}

/// An owned event laid out as one buffer, to lend a [`RawEvent`] to `State::apply` and the
/// capture writer.
#[derive(Debug, Default)]
pub struct EventBuf {
    buf: Vec<u8>,
    ranges: Vec<(u32, u32)>,
}

impl EventBuf {
    /// An empty buffer.
    pub fn new() -> EventBuf {
        EventBuf::default()
    }

    /// Lay `ev` out and lend it as a [`RawEvent`].
    pub fn raw<'a>(&'a mut self, ev: &OwnedEvent) -> RawEvent<'a> {
        self.buf.clear();
        self.ranges.clear();
        for p in &ev.params {
            let s = self.buf.len() as u32;
            self.buf.extend_from_slice(p);
            self.ranges.push((s, self.buf.len() as u32));
        }
        RawEvent::new(
            ev.ts,
            ev.tid,
            ev.cpu,
            ev.flags,
            ev.code,
            &self.buf,
            &self.ranges,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;
    use vigil_scap::ParamValue;

    fn header(kind: u16, size: usize, tid: u32) -> Vec<u8> {
        let mut b = vec![0u8; size];
        b[0..8].copy_from_slice(&1_000u64.to_le_bytes());
        b[16..20].copy_from_slice(&tid.to_le_bytes());
        b[20..24].copy_from_slice(&tid.to_le_bytes());
        b[24..26].copy_from_slice(&kind.to_le_bytes());
        b[26..28].copy_from_slice(&abi::ABI_VERSION.to_le_bytes());
        b[28..32].copy_from_slice(&(size as u32).to_le_bytes());
        b
    }

    fn put(b: &mut [u8], off: usize, v: &[u8]) {
        b[off..off + v.len()].copy_from_slice(v);
    }

    #[test]
    fn openat_record_becomes_openat_exit() {
        let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 42);
        put(&mut b, offset_of!(VgSyscall, ret), &3i64.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, nr), &257u32.to_le_bytes());
        put(
            &mut b,
            offset_of!(VgSyscall, args),
            &(-100i64 as u64).to_le_bytes(),
        );
        put(
            &mut b,
            offset_of!(VgSyscall, args) + 16,
            &0o1101u64.to_le_bytes(),
        );
        put(&mut b, offset_of!(VgSyscall, str_len), &12u16.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, str), b"/etc/shadow\0");
        let ev = Converter::with_offset(5).convert(&b).expect("converted");
        assert_eq!(ev.ts, 1_005);
        assert_eq!(ev.tid, 42);
        let mut eb = EventBuf::new();
        let raw = eb.raw(&ev);
        assert_eq!(raw.name(), "openat");
        assert_eq!(raw.value_by_name("fd"), Some(ParamValue::Fd(3)));
        assert_eq!(raw.value_by_name("dirfd"), Some(ParamValue::Fd(-100)));
        assert_eq!(raw.param_by_name("name"), Some(&b"/etc/shadow\0"[..]));
        // O_WRONLY|O_CREAT|O_TRUNC
        let flags = u32::from_le_bytes(
            raw.param_by_name("flags")
                .expect("flags")
                .try_into()
                .expect("4"),
        );
        assert_eq!(flags, 2 | 4 | 256);
        assert_eq!(raw.nparams(), raw.info().expect("info").params.len());
    }

    #[test]
    fn every_supported_syscall_has_the_table_parameter_count() {
        for (name, nr, _) in syscalls::SUPPORTED {
            let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 7);
            put(&mut b, offset_of!(VgSyscall, nr), &nr.to_le_bytes());
            let ev = Converter::with_offset(0).convert(&b).expect(name);
            let info = ev.info().expect("info");
            assert_eq!(info.name, *name);
            assert_eq!(ev.params.len(), info.params.len(), "{name}");
            for (p, pi) in ev.params.iter().zip(info.params) {
                if let Some(n) = pi.ty.fixed_size() {
                    assert!(
                        p.is_empty() || p.len() == n,
                        "{name}.{}: {}",
                        pi.name,
                        p.len()
                    );
                }
            }
        }
    }

    #[test]
    fn convert_into_lays_out_what_convert_gives() {
        let c = Converter::with_offset(7);
        let mut records = Vec::new();
        for (name, nr, _) in syscalls::SUPPORTED {
            for strings in [0u16, 1, 2] {
                let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 11);
                put(&mut b, offset_of!(VgSyscall, nr), &nr.to_le_bytes());
                put(&mut b, offset_of!(VgSyscall, ret), &(-2i64).to_le_bytes());
                put(&mut b, offset_of!(VgSyscall, args), &5u64.to_le_bytes());
                put(
                    &mut b,
                    offset_of!(VgSyscall, args) + 8,
                    &0o101u64.to_le_bytes(),
                );
                for i in 0..usize::from(strings) {
                    put(
                        &mut b,
                        offset_of!(VgSyscall, str_len) + 2 * i,
                        &9u16.to_le_bytes(),
                    );
                    put(
                        &mut b,
                        offset_of!(VgSyscall, str) + PATH_MAX * i,
                        b"/tmp/ab\0",
                    );
                }
                if strings == 2 {
                    // A string that fills its slot without a NUL.
                    put(&mut b, offset_of!(VgSyscall, str), &[b'x'; PATH_MAX]);
                }
                put(&mut b, offset_of!(VgSyscall, sock), &2u16.to_le_bytes());
                records.push((name, b));
            }
        }
        let mut b = header(kind::EXIT, size_of::<VgExit>(), 3);
        put(
            &mut b,
            offset_of!(VgExit, exit_code),
            &0x100i32.to_le_bytes(),
        );
        records.push((&"exit", b));
        let (mut a, mut into) = (EventBuf::new(), EventBuf::new());
        for (name, rec) in &records {
            let ev = c.convert(rec).expect(name);
            let want = a.raw(&ev);
            let got = c.convert_into(rec, &mut into).expect(name);
            assert_eq!(
                (got.ts, got.tid, got.cpu, got.code, got.nparams()),
                (want.ts, want.tid, want.cpu, want.code, want.nparams()),
                "{name}"
            );
            for i in 0..want.nparams() {
                assert_eq!(got.param(i), want.param(i), "{name} param {i}");
            }
        }
        let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 1);
        put(&mut b, offset_of!(VgSyscall, nr), &0u32.to_le_bytes());
        assert_eq!(c.convert_into(&b, &mut into).err(), Some(Skip::Unsupported));
        assert_eq!(c.convert_into(&[], &mut into).err(), Some(Skip::Malformed));
    }

    #[test]
    fn process_records_have_the_table_parameter_count() {
        let cases = [
            (kind::EXEC, size_of::<VgExec>()),
            (kind::FORK, size_of::<VgFork>()),
            (kind::EXIT, size_of::<VgExit>()),
        ];
        for (k, size) in cases {
            let mut b = header(k, size, u32::MAX - 1);
            if k == kind::EXEC {
                put(&mut b, offset_of!(VgExec, nr), &59u32.to_le_bytes());
                put(&mut b, offset_of!(VgExec, args_len), &9u16.to_le_bytes());
                put(&mut b, offset_of!(VgExec, args), b"cat\0/etc\0");
            }
            let ev = Converter::with_offset(0).convert(&b).expect("converted");
            let info = ev.info().expect("info");
            assert_eq!(ev.params.len(), info.params.len(), "{}", info.name);
            if k == kind::EXEC {
                let mut eb = EventBuf::new();
                let raw = eb.raw(&ev);
                assert_eq!(raw.param_by_name("exe"), Some(&b"cat\0"[..]));
                assert_eq!(raw.param_by_name("args"), Some(&b"/etc\0"[..]));
            }
        }
    }

    #[test]
    fn short_syscall_records_convert() {
        // close: the fixed part only.
        let mut b = header(kind::SYSCALL, offset_of!(VgSyscall, str), 3);
        put(&mut b, offset_of!(VgSyscall, nr), &3u32.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, args), &7u64.to_le_bytes());
        let ev = Converter::with_offset(0).convert(&b).expect("close");
        let mut eb = EventBuf::new();
        assert_eq!(eb.raw(&ev).value_by_name("fd"), Some(ParamValue::Fd(7)));
        // openat: up to the first string.
        let mut b = header(kind::SYSCALL, offset_of!(VgSyscall, str) + PATH_MAX, 3);
        put(&mut b, offset_of!(VgSyscall, nr), &257u32.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, str_len), &5u16.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, str), b"/etc\0");
        let ev = Converter::with_offset(0).convert(&b).expect("openat");
        assert_eq!(eb.raw(&ev).param_by_name("name"), Some(&b"/etc\0"[..]));
        // A second string cut off reads as absent, not garbage.
        let mut b = header(kind::SYSCALL, offset_of!(VgSyscall, str) + PATH_MAX, 3);
        put(&mut b, offset_of!(VgSyscall, nr), &82u32.to_le_bytes());
        put(
            &mut b,
            offset_of!(VgSyscall, str_len) + 2,
            &5u16.to_le_bytes(),
        );
        let ev = Converter::with_offset(0).convert(&b).expect("rename");
        assert_eq!(eb.raw(&ev).param_by_name("newpath"), Some(&b"\0"[..]));
    }

    #[test]
    fn malformed_records_are_skipped() {
        let c = Converter::with_offset(0);
        assert_eq!(c.convert(&[]), Err(Skip::Malformed));
        let b = header(kind::SYSCALL, 64, 1);
        assert_eq!(c.convert(&b), Err(Skip::Malformed));
        let mut b = header(9, 784, 1);
        b.resize(2000, 0);
        assert_eq!(c.convert(&b), Err(Skip::Malformed));
        let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 1);
        put(&mut b, offset_of!(VgSyscall, nr), &0u32.to_le_bytes());
        assert_eq!(c.convert(&b), Err(Skip::Unsupported));
    }

    #[test]
    fn ptrace_addr_and_data_are_dynamic_parameters() {
        let mut b = header(kind::SYSCALL, size_of::<VgSyscall>(), 9);
        put(&mut b, offset_of!(VgSyscall, nr), &101u32.to_le_bytes());
        let args = offset_of!(VgSyscall, args);
        put(&mut b, args, &17u64.to_le_bytes()); // PTRACE_DETACH
        put(&mut b, args + 8, &1234u64.to_le_bytes());
        put(&mut b, args + 16, &0x1000u64.to_le_bytes());
        put(&mut b, args + 24, &19u64.to_le_bytes()); // SIGSTOP
        let ev = Converter::with_offset(0).convert(&b).expect("converted");
        let mut eb = EventBuf::new();
        let raw = eb.raw(&ev);
        assert_eq!(raw.value_by_name("addr"), Some(ParamValue::Uint(0x1000)));
        assert_eq!(raw.param_by_name("data"), Some(&[1u8, 19][..]));
        assert_eq!(raw.value_by_name("pid"), Some(ParamValue::Pid(1234)));
        assert_eq!(ptrace_data(16, 0), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(ptrace_data(2, 5).is_empty());
    }

    #[test]
    fn flags_and_requests() {
        assert_eq!(open_flags_to_ppm(0), 1);
        assert_eq!(open_flags_to_ppm(2 | 0o2000000), 3 | (1 << 12));
        assert_eq!(ptrace_request_to_ppm(16), 11);
        assert_eq!(ptrace_request_to_ppm(0x4206), 20);
        assert_eq!(ptrace_request_to_ppm(0), 1);
        // CLONE_NEWUSER | CLONE_NEWNS → PPM_CL_CLONE_NEWUSER | PPM_CL_CLONE_NEWNS.
        assert_eq!(clone_flags_to_ppm(0x1002_0000), (1 << 20) | (1 << 5));
        assert_eq!(clone_flags_to_ppm(0x4000_0000), 1 << 4);
        assert_eq!(clone_flags_to_ppm(0), 0);
        let v4 = sockaddr(&[2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(v4, vec![2, 127, 0, 0, 1, 0x90, 0x1f]);
    }
}
