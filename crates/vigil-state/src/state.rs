//! The host model: thread, fd, user/group and container tables, rebuilt from capture blocks
//! and events only (libsinsp `parsers.cpp` semantics, reimplemented).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use vigil_scap::{
    Block, Direction, EventFlags, FdDetail, FdInfo, MachineInfo, ParamValue, RawEvent, SockAddr,
    SockTuple, ThreadInfo, af, fd_type, split_nul,
};

use crate::container::{Container, full_container_id_from_cgroups};
use crate::flags;
use crate::params::{Param, res_param, swar};
pub(crate) use crate::params::{
    ParamIdx, fd_params, lossy_str, lossy_string, p_bytes, p_int, p_string, pidx, res_of,
};

/// A fast hasher for integer keys (tids, pids, fds, uids).
#[derive(Debug, Default, Clone, Copy)]
pub struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
}

/// A `HashMap` keyed by integers with [`IntHasher`].
pub type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// `scap_l4_proto` codes.
pub mod l4 {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Not a socket.
    pub const NA: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 2;
    /// UDP.
    pub const UDP: u8 = 3;
    /// ICMP.
    pub const ICMP: u8 = 4;
    /// Raw socket.
    pub const RAW: u8 = 5;
}

/// One thread (libsinsp `sinsp_threadinfo`). Strings derived from the arguments are computed
/// once when they change (clone, execve), never per extraction.
#[derive(Debug, Clone, Default)]
pub struct Thread {
    /// Thread id.
    pub tid: i64,
    /// Process id (the main thread's tid).
    pub pid: i64,
    /// Parent thread id.
    pub ptid: i64,
    /// Session id (-1 unknown).
    pub sid: i64,
    /// Process group id in the pid namespace (-1 unknown).
    pub vpgid: i64,
    /// Process group id (-1 unknown).
    pub pgid: i64,
    /// Thread id in its pid namespace (-1 unknown).
    pub vtid: i64,
    /// Process id in its pid namespace (-1 unknown).
    pub vpid: i64,
    /// Command name (`proc.name`).
    pub comm: String,
    /// argv\[0\] (`proc.exe`).
    pub exe: String,
    /// Full executable path (`proc.exepath`).
    pub exepath: String,
    /// Arguments after argv\[0\].
    pub args: Vec<String>,
    /// Arguments joined by spaces (`proc.args`).
    pub args_joined: String,
    /// `comm` followed by the arguments (`proc.cmdline`).
    pub cmdline: String,
    /// Working directory (kept on the main thread; see [`State::cwd_of`]).
    pub cwd: String,
    /// Environment entries `K=V`.
    pub env: Vec<String>,
    /// Cgroups as `(subsystem, path)`.
    pub cgroups: Vec<(String, String)>,
    /// User id (effective).
    pub uid: u32,
    /// Group id (effective).
    pub gid: u32,
    /// Login uid (`u32::MAX` when unset).
    pub loginuid: u32,
    /// Controlling terminal.
    pub tty: u32,
    /// Inheritable capabilities.
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// Executable inode.
    pub exe_ino: u64,
    /// Executable inode ctime (ns).
    pub exe_ino_ctime: u64,
    /// Executable inode mtime (ns).
    pub exe_ino_mtime: u64,
    /// Executable writable by the user.
    pub exe_writable: bool,
    /// Executable on an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// Executable on an overlayfs lower layer.
    pub exe_lower_layer: bool,
    /// Executable is a memfd.
    pub exe_from_memfd: bool,
    /// Creation time (ns; 0 when the thread predates the capture).
    pub clone_ts: u64,
    /// Last execve time (ns).
    pub exec_ts: u64,
    /// Start time of the pid namespace init.
    pub pidns_init_start_ts: u64,
    /// Fd limit.
    pub fdlimit: i64,
    /// Resident set size (KiB).
    pub vmrss_kb: u32,
    /// Virtual memory size (KiB).
    pub vmsize_kb: u32,
    /// Swap (KiB).
    pub vmswap_kb: u32,
    /// Major page faults.
    pub pfmajor: u64,
    /// Minor page faults.
    pub pfminor: u64,
    /// Container id (12 chars) or `host`.
    pub container_id: String,
    /// Root directory.
    pub root: String,
}

impl Thread {
    fn set_args(&mut self, raw: &[u8]) {
        assign_list(&mut self.args, raw);
        self.recompute();
    }

    /// Recompute the derived strings (`args_joined`, `cmdline`), in their own buffers.
    pub fn recompute(&mut self) {
        self.args_joined.clear();
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                self.args_joined.push(' ');
            }
            self.args_joined.push_str(a);
        }
        self.cmdline.clear();
        self.cmdline.push_str(&self.comm);
        if !self.args_joined.is_empty() {
            self.cmdline.push(' ');
            self.cmdline.push_str(&self.args_joined);
        }
    }

    fn set_cgroups(&mut self, raw: &[u8]) {
        // A clone or execve nearly always carries the cgroups the thread already has: then
        // neither the list nor the container id derived from it changes (an empty id has not
        // been derived yet).
        if !self.container_id.is_empty() && same_cgroups(&self.cgroups, raw) {
            return;
        }
        self.cgroups = split_nul(raw).map(cgroup_entry).collect();
        // container_id_from_cgroups, into the thread's own buffer.
        let id = full_container_id_from_cgroups(&self.cgroups).map_or("host", |id| &id[..12]);
        self.container_id.clear();
        self.container_id.push_str(id);
    }

    /// Whether this is the main thread of its process.
    pub fn is_main(&self) -> bool {
        self.tid == self.pid
    }

    fn from_block(t: &ThreadInfo) -> Thread {
        let mut th = Thread {
            tid: t.tid as i64,
            pid: t.pid as i64,
            ptid: t.ptid as i64,
            sid: t.sid as i64,
            vpgid: t.vpgid as i64,
            pgid: t.pgid,
            vtid: t.vtid,
            vpid: t.vpid,
            comm: t.comm.clone(),
            exe: t.exe.clone(),
            exepath: t.exepath.clone(),
            cwd: t.cwd.clone(),
            env: t.env_list(),
            uid: t.uid,
            gid: t.gid,
            loginuid: t.loginuid,
            tty: t.tty,
            cap_inheritable: t.cap_inheritable,
            cap_permitted: t.cap_permitted,
            cap_effective: t.cap_effective,
            exe_ino: t.exe_ino,
            exe_ino_ctime: t.exe_ino_ctime,
            exe_ino_mtime: t.exe_ino_mtime,
            exe_writable: t.exe_writable,
            exe_upper_layer: t.exe_upper_layer,
            exe_lower_layer: t.exe_lower_layer,
            exe_from_memfd: t.exe_from_memfd,
            pidns_init_start_ts: t.pidns_init_start_ts,
            fdlimit: t.fdlimit as i64,
            vmrss_kb: t.vmrss_kb,
            vmsize_kb: t.vmsize_kb,
            vmswap_kb: t.vmswap_kb,
            pfmajor: t.pfmajor,
            pfminor: t.pfminor,
            root: t.root.clone(),
            ..Thread::default()
        };
        th.set_args(&t.args);
        th.set_cgroups(&t.cgroups);
        th.exepath = strip_deleted(th.exepath);
        th
    }
}

/// One `subsystem=path` entry of a cgroups parameter as `(subsystem, path)` (the whole entry
/// and an empty path when it has no `=`); invalid UTF-8 replaced.
fn cgroup_entry(c: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(c);
    match s.split_once('=') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.into_owned(), String::new()),
    }
}

/// The id a successful set*uid / set*gid call set: its first id parameter, else its second
/// (the effective id), unless negative or -1 as a `u32` (left unchanged).
fn id_set(ev: &RawEvent<'_>, first: &ParamIdx, second: &ParamIdx) -> Option<u32> {
    let v = p_int(ev, first).or_else(|| p_int(ev, second))?;
    u32::try_from(v).ok().filter(|&v| v != u32::MAX)
}

/// Whether [`cgroup_entry`] of each entry of `raw` gives `list`, compared byte by byte
/// without building it. Bytes equal to valid strings are valid UTF-8, so the lossy
/// conversion would not have changed them.
fn same_cgroups(list: &[(String, String)], raw: &[u8]) -> bool {
    let mut entries = split_nul(raw);
    for (a, b) in list {
        let Some(c) = entries.next() else {
            return false;
        };
        let same = match c.iter().position(|&x| x == b'=') {
            Some(k) => c[..k] == *a.as_bytes() && c[k + 1..] == *b.as_bytes(),
            None => c == a.as_bytes() && b.is_empty(),
        };
        if !same {
            return false;
        }
    }
    entries.next().is_none()
}

/// Set `list` to the NUL-separated strings of `raw` (invalid UTF-8 replaced), leaving it as
/// is when it already holds them: the arguments a clone copies and the environment an
/// execve passes on are most often the thread's own, and comparing costs less than
/// allocating every string again.
fn assign_list(list: &mut Vec<String>, raw: &[u8]) {
    if split_nul(raw).eq(list.iter().map(String::as_bytes)) {
        return;
    }
    *list = split_nul(raw).map(lossy_string).collect();
}

/// Set `s` to `raw` as a string (invalid UTF-8 replaced), reusing its buffer, and not
/// touching it when it already holds those bytes (a valid string equal to `raw` means `raw`
/// is valid UTF-8).
fn assign_str(s: &mut String, raw: &[u8]) {
    if s.as_bytes() == raw {
        return;
    }
    s.clear();
    s.push_str(&lossy_str(raw));
}

/// The role of a socket fd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Not known.
    #[default]
    None,
    /// Connected out (connect).
    Client,
    /// Accepted or listening.
    Server,
}

/// Network data of an fd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Net {
    /// Not a network socket (or no address yet).
    #[default]
    None,
    /// A connected IP socket, normalised client → server.
    Tuple {
        /// Client address.
        cip: IpAddr,
        /// Client port.
        cport: u16,
        /// Server address.
        sip: IpAddr,
        /// Server port.
        sport: u16,
    },
    /// A bound/listening IP socket.
    Server {
        /// Address.
        ip: IpAddr,
        /// Port.
        port: u16,
    },
}

/// One file descriptor (libsinsp `sinsp_fdinfo`).
#[derive(Debug, Clone, Default)]
pub struct Fd {
    /// `scap_fd_type` (see [`vigil_scap::fd_type`]).
    pub ty: u8,
    /// Resolved name (absolute path, socket tuple…). Shared, not copied, when a fork copies
    /// the fd table or `dup` the fd.
    pub name: Arc<str>,
    /// The name as the syscall passed it, when it differs from `name` ([`Fd::name_raw`]).
    name_raw: Option<Arc<str>>,
    /// `PPM_O_*` open flags.
    pub open_flags: u32,
    /// Inode.
    pub ino: u64,
    /// Device.
    pub dev: u32,
    /// Addresses.
    pub net: Net,
    /// `scap_l4_proto`.
    pub l4proto: u8,
    /// Socket role.
    pub role: Role,
    /// Connected socket.
    pub connected: bool,
}

impl Fd {
    fn new(ty: u8, name: Arc<str>) -> Fd {
        Fd {
            ty,
            name_raw: None,
            name,
            ..Fd::default()
        }
    }

    /// The name as the syscall passed it (unresolved path…).
    pub fn name_raw(&self) -> &str {
        self.name_raw.as_deref().unwrap_or(&self.name)
    }

    /// Whether this is a regular file (or memfd).
    pub fn is_file(&self) -> bool {
        matches!(self.ty, fd_type::FILE | fd_type::FILE_V2)
    }

    fn from_block(f: &FdInfo) -> Fd {
        let v4 = |a: u32| IpAddr::V4(Ipv4Addr::from(a.to_le_bytes()));
        let v6 = |a: [u8; 16]| IpAddr::V6(Ipv6Addr::from(a));
        let mut fd = Fd::new(f.ty, f.name().into());
        fd.ino = f.ino;
        match &f.detail {
            FdDetail::Ipv4 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                fd.set_tuple(v4(*sip), *sport, v4(*dip), *dport, Role::Client);
                fd.l4proto = *l4proto;
                fd.connected = true;
            }
            FdDetail::Ipv6 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                fd.set_tuple(v6(*sip), *sport, v6(*dip), *dport, Role::Client);
                fd.l4proto = *l4proto;
                fd.connected = true;
            }
            FdDetail::Ipv4Server { ip, port, l4proto } => {
                fd.set_server(v4(*ip), *port);
                fd.l4proto = *l4proto;
            }
            FdDetail::Ipv6Server { ip, port, l4proto } => {
                fd.set_server(v6(*ip), *port);
                fd.l4proto = *l4proto;
            }
            FdDetail::File {
                open_flags, dev, ..
            } => {
                fd.open_flags = *open_flags;
                fd.dev = dev.unwrap_or(0);
            }
            _ => {}
        }
        if f.ty == fd_type::FILE_V2 {
            fd.ty = fd_type::FILE;
        }
        fd
    }

    /// Set the socket tuple; returns whether the name changed.
    fn set_tuple(&mut self, cip: IpAddr, cport: u16, sip: IpAddr, sport: u16, role: Role) -> bool {
        let ty = if cip.is_ipv4() {
            fd_type::IPV4_SOCK
        } else {
            fd_type::IPV6_SOCK
        };
        let net = Net::Tuple {
            cip,
            cport,
            sip,
            sport,
        };
        self.role = role;
        // The same tuple again (every send/recv on a connected socket): the name is already
        // this tuple's (only set_tuple gives an IP socket type a tuple), so do not re-render it.
        if self.ty == ty && self.net == net && !self.name.is_empty() {
            return false;
        }
        self.ty = ty;
        self.net = net;
        let mut name = StackStr::new();
        push_ip(&mut name, cip);
        name.push(b':');
        push_dec(&mut name, u32::from(cport));
        name.push_str("->");
        push_ip(&mut name, sip);
        name.push(b':');
        push_dec(&mut name, u32::from(sport));
        let name = name.as_str();
        let changed = name != &*self.name;
        if changed {
            self.name = name.into();
        }
        self.name_raw = None;
        changed
    }

    fn set_server(&mut self, ip: IpAddr, port: u16) {
        self.ty = if ip.is_ipv4() {
            fd_type::IPV4_SERVSOCK
        } else {
            fd_type::IPV6_SERVSOCK
        };
        self.net = Net::Server { ip, port };
        self.role = Role::Server;
        self.name = format!("{ip}:{port}").into();
        self.name_raw = None;
    }
}

/// A short text rendered on the stack (a socket tuple's name), so that the only allocation
/// is the `Arc<str>` it is copied into. Longer text than it holds is cut (never the case for
/// the addresses and ports written to it: a tuple of two IPv6 addresses is under 110 bytes).
struct StackStr {
    buf: [u8; 128],
    len: usize,
}

impl StackStr {
    fn new() -> StackStr {
        StackStr {
            buf: [0; 128],
            len: 0,
        }
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn push_str(&mut self, s: &str) {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
    }

    /// The text (only ASCII is ever written; anything else reads as empty).
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// Append `v` in decimal (what `{v}` prints, without the formatting machinery).
fn push_dec(out: &mut StackStr, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        out.push(*d);
    }
}

/// Append an address as `{ip}` prints it (IPv4 by hand: its `Display` is slow).
fn push_ip(out: &mut StackStr, ip: IpAddr) {
    match ip {
        IpAddr::V4(a) => {
            for (i, o) in a.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                // An octet has at most three digits: no loop, no buffer.
                if o >= 100 {
                    out.push(b'0' + o / 100);
                }
                if o >= 10 {
                    out.push(b'0' + o / 10 % 10);
                }
                out.push(b'0' + o % 10);
            }
        }
        IpAddr::V6(a) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{a}");
        }
    }
}

/// The fds of one process, by number.
pub type FdTable = IntMap<i64, Fd>;

/// A user of the capture's user list.
#[derive(Debug, Clone, Default)]
pub struct User {
    /// Uid.
    pub uid: u32,
    /// Primary gid.
    pub gid: u32,
    /// Name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Shell.
    pub shell: String,
}

/// What [`State::apply`] observed about the event, for the extractor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EventCtx {
    /// The fd the event is about (`m_lastevent_fd`).
    pub(crate) fd: Option<i64>,
    /// The fd's name changed with this event.
    pub(crate) name_changed: bool,
}

/// The host model, rebuilt from capture blocks and events only.
///
/// Drive it with [`State::apply_block`] for every block of a (converted) capture — which calls
/// [`State::apply`] for events — and then evaluate rules on [`State::view`]: the view sees the
/// state *after* the event, as libsinsp's filters do. Removals caused by an event (`close`,
/// `procexit`) are deferred until the next event is applied, so the event that caused them
/// still sees the fd or thread.
#[derive(Debug, Default)]
pub struct State {
    pub(crate) threads: IntMap<i64, Thread>,
    pub(crate) fds: IntMap<i64, FdTable>,
    pub(crate) users: IntMap<u32, User>,
    pub(crate) groups: IntMap<u32, String>,
    pub(crate) container_users: HashMap<String, IntMap<u32, User>>,
    pub(crate) container_groups: HashMap<String, IntMap<u32, String>>,
    pub(crate) containers: HashMap<String, Container>,
    pub(crate) machine: Option<MachineInfo>,
    pub(crate) local_ips: Vec<IpAddr>,
    /// Who belongs to whom in `threads`, kept in step with it.
    pub(crate) kin: Kin,
    pending_threads: Vec<(i64, i64)>,
    pending_fds: Vec<(i64, i64)>,
    pub(crate) evt_num: u64,
    pub(crate) first_ts: u64,
    pub(crate) prev_ts: u64,
    pub(crate) cur_ts: u64,
    pub(crate) ctx: EventCtx,
    /// For a `container` event: the id of the container it describes.
    pub(crate) event_container: Option<String>,
    /// libsinsp's port-name mode: ports render as service names (off by default, as in Falco).
    pub(crate) services: Option<&'static Services>,
}

/// Indexes over the thread table, kept in step with it by [`State::insert_thread`] and
/// [`State::remove_thread`] (the only ways threads enter and leave the table; a thread's
/// `pid` and `ptid` change only outside the table or through [`State::reparent_children`]),
/// so that a thread's exit, `proc.nthreads` and `proc.nchilds` cost no scan of the table.
#[derive(Debug, Default)]
pub(crate) struct Kin {
    /// Threads in the table per process id.
    threads_of: IntMap<i64, u32>,
    /// Tids in the table per parent tid (`ptid`).
    children_of: IntMap<i64, Vec<i64>>,
}

impl Kin {
    fn link(&mut self, t: &Thread) {
        *self.threads_of.entry(t.pid).or_default() += 1;
        self.children_of.entry(t.ptid).or_default().push(t.tid);
    }

    fn unlink(&mut self, t: &Thread) {
        if let Some(n) = self.threads_of.get_mut(&t.pid) {
            *n -= 1;
            if *n == 0 {
                self.threads_of.remove(&t.pid);
            }
        }
        if let Some(kids) = self.children_of.get_mut(&t.ptid) {
            if let Some(i) = kids.iter().position(|&k| k == t.tid) {
                kids.swap_remove(i);
            }
            if kids.is_empty() {
                self.children_of.remove(&t.ptid);
            }
        }
    }

    /// Number of threads of process `pid` in the table.
    pub(crate) fn threads_of(&self, pid: i64) -> u32 {
        self.threads_of.get(&pid).copied().unwrap_or(0)
    }

    /// The tids whose parent is `tid`.
    pub(crate) fn children_of(&self, tid: i64) -> &[i64] {
        self.children_of.get(&tid).map_or(&[], Vec::as_slice)
    }
}

/// Port → service name table of a `services(5)` file, looked up as libc's `getservbyport`
/// does: the first entry for the port and protocol (`tcp`/`udp`), any protocol otherwise.
#[derive(Debug, Default)]
pub(crate) struct Services {
    by_proto: HashMap<(u16, String), String>,
    by_port: HashMap<u16, String>,
}

impl Services {
    /// Parse `services(5)` text: `name port/proto [aliases...] [# comment]`.
    pub(crate) fn parse(text: &str) -> Services {
        let mut s = Services::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (Some(name), Some(pp)) = (words.next(), words.next()) else {
                continue;
            };
            let Some((port, proto)) = pp.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            s.by_proto
                .entry((port, proto.to_ascii_lowercase()))
                .or_insert_with(|| name.to_string());
            s.by_port.entry(port).or_insert_with(|| name.to_string());
        }
        s
    }

    /// The service name of `port` for the socket's `l4proto`, if the file names one.
    pub(crate) fn name(&self, port: u16, l4proto: u8) -> Option<&str> {
        let proto = match l4proto {
            l4::TCP => "tcp",
            l4::UDP => "udp",
            _ => return self.by_port.get(&port).map(String::as_str),
        };
        self.by_proto
            .get(&(port, proto.to_string()))
            .map(String::as_str)
    }

    /// `/etc/services`, read once per process (empty if it cannot be read).
    fn system() -> &'static Services {
        static SERVICES: std::sync::OnceLock<Services> = std::sync::OnceLock::new();
        SERVICES.get_or_init(|| {
            Services::parse(&std::fs::read_to_string("/etc/services").unwrap_or_default())
        })
    }
}

/// Join `path` to `base` and normalise `.`/`..`/duplicate slashes (libsinsp's path concat).
pub(crate) fn resolve_path(base: &str, path: &str) -> String {
    if path.starts_with('/') && is_normal_path(path) {
        return path.to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    let full_iter = if path.starts_with('/') {
        None
    } else {
        Some(base)
    };
    for part in full_iter
        .into_iter()
        .flat_map(|b| b.split('/'))
        .chain(path.split('/'))
    {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    let mut s = String::with_capacity(path.len() + base.len() + 1);
    for p in &out {
        s.push('/');
        s.push_str(p);
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

/// An absolute path with no empty, `.` or `..` component and no trailing slash (other than
/// `/` itself): [`resolve_path`] would return it unchanged.
fn is_normal_path(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let b = path.as_bytes();
    // Every `/` must start a component that is not empty, `.` or `..`: look at the bytes
    // after each one. Slashes are found eight bytes at a time (an open names a path on
    // every call, and most of its bytes are not slashes).
    let bad_after = |i: usize| {
        matches!(
            (
                b.get(i + 1).copied(),
                b.get(i + 2).copied(),
                b.get(i + 3).copied(),
            ),
            (None | Some(b'/'), _, _)
                | (Some(b'.'), None | Some(b'/'), _)
                | (Some(b'.'), Some(b'.'), None | Some(b'/'))
        )
    };
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut maybe = swar::zero_bytes(swar::word(c) ^ swar::splat(b'/'));
        while maybe != 0 {
            let i = base + (maybe.trailing_zeros() / 8) as usize;
            maybe &= maybe - 1;
            if b[i] == b'/' && bad_after(i) {
                return false;
            }
        }
        base += 8;
    }
    for (k, &c) in chunks.remainder().iter().enumerate() {
        if c == b'/' && bad_after(base + k) {
            return false;
        }
    }
    true
}

/// `/proc/PID/exe` of a deleted file ends in ` (deleted)`; libsinsp drops the suffix.
fn strip_deleted(mut p: String) -> String {
    const SUFFIX: &str = " (deleted)";
    if p.len() > SUFFIX.len() && p.ends_with(SUFFIX) {
        p.truncate(p.len() - SUFFIX.len());
    }
    p
}

/// The exit events [`State::apply`] acts on: the names of the arms of [`exit_kind`] (a test
/// keeps the two in sync). Every other exit event changes no state beyond the event counters.
#[cfg(test)]
const EXIT_HANDLED: &[&str] = &[
    "clone",
    "fork",
    "vfork",
    "clone3",
    "execve",
    "execveat",
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "socket",
    "socketpair",
    "connect",
    "accept",
    "accept4",
    "bind",
    "sendto",
    "sendmsg",
    "recvfrom",
    "recvmsg",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "close",
    "pipe",
    "pipe2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "inotify_init",
    "inotify_init1",
    "timerfd_create",
    "epoll_create",
    "epoll_create1",
    "userfaultfd",
    "io_uring_setup",
    "pidfd_open",
    "memfd_create",
    "bpf",
    "chdir",
    "fchdir",
    "setuid",
    "setresuid",
    "setreuid",
    "setgid",
    "setresgid",
    "setregid",
    "setsid",
    "setpgid",
    "capset",
    "chroot",
];

/// What [`State::apply`] does with an event, by its code: the arm of its dispatch. Worked out
/// once per code from the event's name and direction (see [`plan`]), so that each event costs
/// one table lookup and a jump instead of comparing its name with every arm's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Nothing beyond the event counters and the event's fd.
    Other,
    ProcExit,
    Container,
    UserGroup,
    Clone,
    Execve,
    Open,
    Socket,
    Socketpair,
    Connect,
    Accept,
    Bind,
    SendRecv,
    Dup,
    Fcntl,
    Close,
    Pipe,
    /// An fd of this type and no name (eventfd, epoll…).
    SimpleFd(u8),
    Memfd,
    Bpf,
    Chdir,
    Fchdir,
    SetUid,
    SetGid,
    Setsid,
    Setpgid,
    Capset,
    Chroot,
}

/// The arm of [`State::apply`] for an exit event called `name`.
fn exit_kind(name: &str) -> Kind {
    use Kind as K;
    // exit-match-begin (the names of the arms are EXIT_HANDLED; a test checks)
    match name {
        "clone" | "fork" | "vfork" | "clone3" => K::Clone,
        "execve" | "execveat" => K::Execve,
        "open" | "openat" | "openat2" | "creat" | "open_by_handle_at" => K::Open,
        "socket" => K::Socket,
        "socketpair" => K::Socketpair,
        "connect" => K::Connect,
        "accept" | "accept4" => K::Accept,
        "bind" => K::Bind,
        "sendto" | "sendmsg" | "recvfrom" | "recvmsg" => K::SendRecv,
        "dup" | "dup2" | "dup3" => K::Dup,
        "fcntl" => K::Fcntl,
        "close" => K::Close,
        "pipe" | "pipe2" => K::Pipe,
        "eventfd" | "eventfd2" => K::SimpleFd(fd_type::EVENT),
        "signalfd" | "signalfd4" => K::SimpleFd(fd_type::SIGNALFD),
        "inotify_init" | "inotify_init1" => K::SimpleFd(fd_type::INOTIFY),
        "timerfd_create" => K::SimpleFd(fd_type::TIMERFD),
        "epoll_create" | "epoll_create1" => K::SimpleFd(fd_type::EVENTPOLL),
        "userfaultfd" => K::SimpleFd(fd_type::USERFAULTFD),
        "io_uring_setup" => K::SimpleFd(fd_type::IOURING),
        "pidfd_open" => K::SimpleFd(fd_type::PIDFD),
        "memfd_create" => K::Memfd,
        "bpf" => K::Bpf,
        "chdir" => K::Chdir,
        "fchdir" => K::Fchdir,
        "setuid" | "setresuid" | "setreuid" => K::SetUid,
        "setgid" | "setresgid" | "setregid" => K::SetGid,
        "setsid" => K::Setsid,
        "setpgid" => K::Setpgid,
        "capset" => K::Capset,
        "chroot" => K::Chroot,
        _ => K::Other,
    }
    // exit-match-end
}

/// The arm of [`State::apply`] for an enter event called `name`.
fn enter_kind(name: &str) -> Kind {
    match name {
        "procexit" => Kind::ProcExit,
        "container" => Kind::Container,
        "useradded" | "userdeleted" | "groupadded" | "groupdeleted" => Kind::UserGroup,
        _ => Kind::Other,
    }
}

/// Everything [`State::apply`] needs to know about an event code before reading the event.
#[derive(Clone, Copy, Debug)]
struct Plan {
    kind: Kind,
    /// The event's fd (`m_lastevent_fd`) is its result, when not negative (events that
    /// create an fd)…
    fd_is_res: bool,
    /// …else its `fd` parameter, else `oldfd` (events that use or destroy one; both `None`
    /// for the others).
    fd: Option<Param>,
    oldfd: Option<Param>,
    /// The result parameter (exit events whose first parameter is one), when the event's fd or
    /// arm needs it.
    res: Option<Param>,
}

impl Plan {
    fn of(code: u16, e: &vigil_scap::EventInfo) -> Plan {
        let kind = if Direction::of(code) == Direction::Enter {
            enter_kind(e.name)
        } else {
            exit_kind(e.name)
        };
        let fd_is_res = e.flags.has(EventFlags::CREATES_FD);
        let (fd, oldfd) =
            if !fd_is_res && e.flags.0 & (EventFlags::USES_FD | EventFlags::DESTROYS_FD) != 0 {
                fd_params(code)
            } else {
                (None, None)
            };
        // Only read where used: most events (reads, writes…) need no result.
        let wants_res = kind != Kind::Other || fd_is_res;
        Plan {
            kind,
            fd_is_res,
            fd,
            oldfd,
            res: res_param(code).filter(|_| wants_res),
        }
    }
}

/// The [`Plan`] of event `code` (`None` for codes not in the event table).
#[inline]
fn plan(code: u16) -> Option<&'static Plan> {
    static TABLE: std::sync::OnceLock<Box<[Plan]>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            vigil_scap::all_events()
                .iter()
                .enumerate()
                .map(|(code, e)| Plan::of(code as u16, e))
                .collect()
        })
        .get(usize::from(code))
}

/// Whether [`State::apply`] acts on exit event `code`.
#[cfg(test)]
fn exit_handled(code: u16) -> bool {
    Direction::of(code) == Direction::Exit && plan(code).is_some_and(|p| p.kind != Kind::Other)
}

const CLONE_THREAD: u32 = 1 << 13;
const AT_FDCWD: i64 = -100;
const EINPROGRESS: i64 = -115;

impl State {
    /// An empty state.
    pub fn new() -> State {
        State::default()
    }

    /// Feed one block of a capture: process-list entries, fd lists, users and groups, machine
    /// and interface info; events go to [`State::apply`].
    pub fn apply_block(&mut self, b: &Block<'_>) {
        match b {
            Block::MachineInfo(m) => self.machine = Some(m.clone()),
            Block::Interfaces(list) => {
                for i in list {
                    match i {
                        vigil_scap::Interface::V4 { addr, .. } => self
                            .local_ips
                            .push(IpAddr::V4(Ipv4Addr::from(addr.to_le_bytes()))),
                        vigil_scap::Interface::V6 { addr, .. } => {
                            self.local_ips.push(IpAddr::V6(Ipv6Addr::from(*addr)));
                        }
                    }
                }
            }
            Block::Users(ul) => {
                for u in &ul.users {
                    self.users.insert(
                        u.uid,
                        User {
                            uid: u.uid,
                            gid: u.gid,
                            name: u.name.clone(),
                            homedir: u.homedir.clone(),
                            shell: u.shell.clone(),
                        },
                    );
                }
                for g in &ul.groups {
                    self.groups.insert(g.gid, g.name.clone());
                }
            }
            Block::Process(t) => {
                self.insert_thread(Thread::from_block(t));
            }
            Block::Fds { tid, fds } => {
                let pid = self
                    .threads
                    .get(&(*tid as i64))
                    .map_or(*tid as i64, |t| t.pid);
                let table = self.fds.entry(pid).or_default();
                for f in fds {
                    table.insert(f.fd, Fd::from_block(f));
                }
            }
            Block::Event(ev) => self.apply(ev),
            Block::Section(_) => {}
        }
    }

    /// libsinsp's port-name mode: when on, `fd.name` of IP sockets, `fd.cproto`/`fd.sproto`/
    /// `fd.lproto`/`fd.rproto`/`fd.proto` and fd arguments name ports by their service in
    /// `/etc/services` (read once), the number where it names none. Off by default (Falco).
    pub fn set_port_resolution(&mut self, on: bool) {
        self.services = on.then(Services::system);
    }

    /// Whether port-name mode is on.
    pub fn port_resolution(&self) -> bool {
        self.services.is_some()
    }

    /// `port` as text: its service name in port-name mode, else the number.
    pub(crate) fn port_text(&self, port: u16, l4proto: u8) -> String {
        self.services
            .and_then(|s| s.name(port, l4proto))
            .map_or_else(|| port.to_string(), str::to_string)
    }

    /// The name of an fd as rendered: in port-name mode, IP socket tuples carry service names.
    #[inline]
    pub(crate) fn fd_display_name<'a>(&self, f: &'a Fd) -> std::borrow::Cow<'a, str> {
        if self.services.is_none() {
            return std::borrow::Cow::Borrowed(&f.name);
        }
        self.fd_service_name(f)
    }

    /// [`State::fd_display_name`] in port-name mode (kept out of the common path).
    fn fd_service_name<'a>(&self, f: &'a Fd) -> std::borrow::Cow<'a, str> {
        match f.net {
            Net::Tuple {
                cip,
                cport,
                sip,
                sport,
            } => std::borrow::Cow::Owned(format!(
                "{cip}:{}->{sip}:{}",
                self.port_text(cport, f.l4proto),
                self.port_text(sport, f.l4proto)
            )),
            Net::Server { ip, port } => {
                std::borrow::Cow::Owned(format!("{ip}:{}", self.port_text(port, f.l4proto)))
            }
            Net::None => std::borrow::Cow::Borrowed(&f.name),
        }
    }

    /// Number of threads in the table.
    pub fn thread_count(&self) -> usize {
        self.threads.len()
    }

    /// A thread by tid.
    pub fn thread(&self, tid: i64) -> Option<&Thread> {
        self.threads.get(&tid)
    }

    /// The thread that `pid` names when `viewer` passes it to a system call (ptrace's,
    /// kill's target): a pid in `viewer`'s own pid namespace. A viewer in a nested
    /// namespace (a container: its `vtid` differs from its `tid`) names a thread of that
    /// namespace by its virtual id; the host's numbers mean another process there.
    pub fn thread_seen_by(&self, viewer: Option<&Thread>, pid: i64) -> Option<&Thread> {
        match viewer {
            Some(v) if v.vtid >= 0 && v.vtid != v.tid => self.threads.values().find(|t| {
                t.vtid == pid
                    && t.pidns_init_start_ts == v.pidns_init_start_ts
                    && t.container_id == v.container_id
            }),
            _ => self.threads.get(&pid),
        }
    }

    /// All threads.
    pub fn threads(&self) -> impl Iterator<Item = &Thread> {
        self.threads.values()
    }

    /// The parent of a thread.
    pub fn parent(&self, t: &Thread) -> Option<&Thread> {
        if t.ptid == t.tid {
            return None;
        }
        self.threads.get(&t.ptid)
    }

    /// The main thread of a thread's process (the thread itself for main threads).
    pub fn main_thread<'a>(&'a self, t: &'a Thread) -> &'a Thread {
        if t.is_main() {
            t
        } else {
            self.threads.get(&t.pid).unwrap_or(t)
        }
    }

    /// The working directory of a thread's process.
    pub fn cwd_of<'a>(&'a self, t: &'a Thread) -> &'a str {
        &self.main_thread(t).cwd
    }

    /// An fd of a process (by any of its threads' tid).
    pub fn fd(&self, tid: i64, fd: i64) -> Option<&Fd> {
        let pid = self.threads.get(&tid).map_or(tid, |t| t.pid);
        self.fds.get(&pid)?.get(&fd)
    }

    /// The fd table of a process.
    pub fn fd_table(&self, pid: i64) -> Option<&FdTable> {
        self.fds.get(&pid)
    }

    /// A user by uid.
    pub fn user(&self, uid: u32) -> Option<&User> {
        self.users.get(&uid)
    }

    /// A group name by gid.
    pub fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// Container metadata by (12-character) id.
    pub fn container(&self, id: &str) -> Option<&Container> {
        self.containers.get(id)
    }

    /// The full id of a container an exec or clone event's `cgroups` parameter names when
    /// no container event has described it yet: the moment a live source looks its metadata
    /// up and emits a container event, before this one. Allocation-free; `None` for every
    /// other event.
    pub fn undescribed_container<'e>(&self, ev: &RawEvent<'e>) -> Option<&'e str> {
        let info = ev.info()?;
        if ev.direction() != Direction::Exit
            || !matches!(
                info.name,
                "execve" | "execveat" | "clone" | "clone3" | "fork" | "vfork"
            )
        {
            return None;
        }
        let id =
            crate::container::full_container_id_of_cgroups_param(p_bytes(ev, pidx!("cgroups"))?)?;
        (!self.containers.contains_key(&id[..12])).then_some(id)
    }

    /// The containers the thread table names that no container event has described yet
    /// (after the start-up tables): each full id once, with the lowest tid in it.
    pub fn undescribed_containers(&self) -> Vec<(String, i64)> {
        let mut ids: Vec<(String, i64)> = self
            .threads
            .values()
            .filter(|t| t.container_id != "host" && !self.containers.contains_key(&t.container_id))
            .filter_map(|t| {
                crate::container::full_container_id_from_cgroups(&t.cgroups)
                    .map(|id| (id.to_string(), t.tid))
            })
            .collect();
        ids.sort_unstable();
        ids.dedup_by(|a, b| a.0 == b.0);
        ids
    }

    /// The machine info block, if the capture had one.
    pub fn machine(&self) -> Option<&MachineInfo> {
        self.machine.as_ref()
    }

    /// Events applied so far.
    pub fn event_count(&self) -> u64 {
        self.evt_num
    }

    /// Perform the removals deferred by the last event (`close`, `procexit`). [`State::apply`]
    /// calls it first; call it at the end of a capture to settle the tables.
    #[inline]
    pub fn flush(&mut self) {
        if self.pending_fds.is_empty() && self.pending_threads.is_empty() {
            return;
        }
        self.flush_pending();
    }

    fn flush_pending(&mut self) {
        for i in 0..self.pending_fds.len() {
            let (pid, fd) = self.pending_fds[i];
            if let Some(t) = self.fds.get_mut(&pid) {
                t.remove(&fd);
            }
        }
        self.pending_fds.clear();
        for i in 0..self.pending_threads.len() {
            let (tid, reaper) = self.pending_threads[i];
            let Some(t) = self.remove_thread(tid) else {
                continue;
            };
            self.reparent_children(tid, if reaper > 0 { reaper } else { t.ptid });
            if t.is_main() && self.kin.threads_of(t.pid) == 0 {
                self.fds.remove(&t.pid);
            }
        }
        self.pending_threads.clear();
    }

    /// Put `t` in the thread table (replacing a thread of the same tid).
    fn insert_thread(&mut self, t: Thread) {
        self.kin.link(&t);
        if let Some(old) = self.threads.insert(t.tid, t) {
            self.kin.unlink(&old);
        }
    }

    /// Take thread `tid` out of the table.
    fn remove_thread(&mut self, tid: i64) -> Option<Thread> {
        let t = self.threads.remove(&tid)?;
        self.kin.unlink(&t);
        Some(t)
    }

    /// The children of `tid` (which has left the table) get `new_parent` as their parent.
    fn reparent_children(&mut self, tid: i64, new_parent: i64) {
        let Some(kids) = self.kin.children_of.remove(&tid) else {
            return;
        };
        for k in &kids {
            if let Some(o) = self.threads.get_mut(k) {
                o.ptid = new_parent;
            }
        }
        self.kin
            .children_of
            .entry(new_parent)
            .or_default()
            .extend(kids);
    }

    /// Whether the indexes over the thread table agree with the table (for tests: they are
    /// kept in step by construction). `Err` names the first disagreement.
    #[doc(hidden)]
    pub fn check_thread_indexes(&self) -> Result<(), String> {
        let mut threads_of: IntMap<i64, u32> = IntMap::default();
        let mut children_of: IntMap<i64, Vec<i64>> = IntMap::default();
        for t in self.threads.values() {
            *threads_of.entry(t.pid).or_default() += 1;
            children_of.entry(t.ptid).or_default().push(t.tid);
        }
        if threads_of != self.kin.threads_of {
            return Err(format!(
                "threads per process: table {threads_of:?}, index {:?}",
                self.kin.threads_of
            ));
        }
        let sorted = |m: &IntMap<i64, Vec<i64>>| {
            let mut v: Vec<(i64, Vec<i64>)> = m
                .iter()
                .map(|(k, kids)| {
                    let mut kids = kids.clone();
                    kids.sort_unstable();
                    (*k, kids)
                })
                .collect();
            v.sort_unstable();
            v
        };
        if sorted(&children_of) != sorted(&self.kin.children_of) {
            return Err(format!(
                "children: table {:?}, index {:?}",
                sorted(&children_of),
                sorted(&self.kin.children_of)
            ));
        }
        Ok(())
    }

    fn pid_of(&self, tid: i64) -> i64 {
        self.threads.get(&tid).map_or(tid, |t| t.pid)
    }

    fn fd_mut(&mut self, tid: i64, fd: i64) -> Option<&mut Fd> {
        let pid = self.pid_of(tid);
        self.fds.get_mut(&pid)?.get_mut(&fd)
    }

    fn insert_fd(&mut self, tid: i64, num: i64, fd: Fd) {
        let pid = self.pid_of(tid);
        self.fds.entry(pid).or_default().insert(num, fd);
        self.ctx.fd = Some(num);
    }

    /// Update the tables for one event (after flushing the previous event's deferred
    /// removals). Never panics on malformed events: missing or short parameters leave the
    /// state unchanged.
    pub fn apply(&mut self, ev: &RawEvent<'_>) {
        self.flush();
        self.evt_num += 1;
        if self.first_ts == 0 && ev.ts != 0 {
            self.first_ts = ev.ts;
        }
        self.prev_ts = self.cur_ts;
        if ev.ts != 0 {
            self.cur_ts = ev.ts;
        }
        self.ctx = EventCtx::default();
        self.event_container = None;
        let Some(plan) = plan(ev.code) else { return };
        // The result, read once: the event's fd and most arms use it.
        let res = plan.res.and_then(|p| p.res(ev));
        // The fd the event is about.
        self.ctx.fd = if plan.fd_is_res {
            res.filter(|r| *r >= 0)
        } else {
            plan.fd
                .and_then(|p| p.int(ev))
                .or_else(|| plan.oldfd.and_then(|p| p.int(ev)))
        };
        if plan.kind != Kind::Other {
            self.act(ev, plan.kind, res);
        }
    }

    /// The arm of [`State::apply`] for an event that changes the tables (out of line: most
    /// events change nothing, and their path through `apply` stays short).
    #[inline(never)]
    fn act(&mut self, ev: &RawEvent<'_>, kind: Kind, res: Option<i64>) {
        let tid = ev.tid as i64;
        match kind {
            Kind::Other => {}
            // Enter events.
            Kind::ProcExit => {
                let reaper = p_int(ev, pidx!("reaper_tid")).unwrap_or(0);
                self.pending_threads.push((tid, reaper));
            }
            Kind::Container => self.parse_container(ev),
            Kind::UserGroup => self.parse_usergroup(ev, ev.name()),
            // Exit events.
            Kind::Clone => self.parse_clone(ev, res),
            Kind::Execve => {
                if res == Some(0) {
                    self.parse_execve(ev);
                }
            }
            Kind::Open => self.parse_open(ev, res),
            Kind::Socket => self.parse_socket(ev, res),
            Kind::Socketpair => {
                if res.is_some_and(|r| r >= 0) {
                    for p in [pidx!("fd1"), pidx!("fd2")] {
                        if let Some(n) = p_int(ev, p) {
                            self.insert_fd(tid, n, Fd::new(fd_type::UNIX_SOCK, Arc::default()));
                        }
                    }
                }
            }
            Kind::Connect => self.parse_connect(ev, res),
            Kind::Accept => self.parse_accept(ev, res),
            Kind::Bind => self.parse_bind(ev, res),
            Kind::SendRecv => self.parse_sendrecv(ev, res),
            Kind::Dup => {
                if let (Some(new), Some(old)) = (res.filter(|r| *r >= 0), p_int(ev, pidx!("oldfd")))
                {
                    self.dup_fd(tid, old, new);
                }
            }
            Kind::Fcntl => {
                let cmd = p_int(ev, pidx!("cmd")).unwrap_or(0);
                if let (true, Some(new), Some(old)) = (
                    cmd == flags::FCNTL_F_DUPFD || cmd == flags::FCNTL_F_DUPFD_CLOEXEC,
                    res.filter(|r| *r >= 0),
                    p_int(ev, pidx!("fd")),
                ) {
                    self.dup_fd(tid, old, new);
                }
            }
            Kind::Close => {
                if res == Some(0)
                    && let Some(fd) = p_int(ev, pidx!("fd"))
                {
                    let pid = self.pid_of(tid);
                    self.pending_fds.push((pid, fd));
                }
            }
            Kind::Pipe => {
                if res.is_some_and(|r| r >= 0) {
                    let ino = p_int(ev, pidx!("ino")).unwrap_or(0) as u64;
                    for p in [pidx!("fd1"), pidx!("fd2")] {
                        if let Some(n) = p_int(ev, p) {
                            let mut f = Fd::new(fd_type::FIFO, Arc::default());
                            f.ino = ino;
                            self.insert_fd(tid, n, f);
                        }
                    }
                }
            }
            Kind::SimpleFd(ty) => self.simple_fd(tid, res, ty, Arc::default()),
            Kind::Memfd => {
                let name = format!("memfd:{}", p_string(ev, pidx!("name")).unwrap_or_default());
                self.simple_fd(tid, res, fd_type::MEMFD, name.into());
            }
            Kind::Bpf => {
                if p_int(ev, pidx!("cmd")).is_some_and(|c| c == flags::BPF_PROG_LOAD || c == 0) {
                    self.simple_fd(tid, res, fd_type::BPF, Arc::default());
                }
            }
            Kind::Chdir => {
                if res == Some(0)
                    && let Some(p) = p_string(ev, pidx!("path"))
                {
                    self.set_cwd(tid, &p);
                }
            }
            Kind::Fchdir => {
                if res == Some(0)
                    && let Some(fd) = p_int(ev, pidx!("fd"))
                    && let Some(name) = self.fd(tid, fd).map(|f| f.name.clone())
                {
                    self.set_cwd(tid, &name);
                }
            }
            Kind::SetUid => {
                if res == Some(0)
                    && let (Some(u), Some(t)) = (
                        id_set(ev, pidx!("uid"), pidx!("euid")),
                        self.threads.get_mut(&tid),
                    )
                {
                    t.uid = u;
                }
            }
            Kind::SetGid => {
                if res == Some(0)
                    && let (Some(g), Some(t)) = (
                        id_set(ev, pidx!("gid"), pidx!("egid")),
                        self.threads.get_mut(&tid),
                    )
                {
                    t.gid = g;
                }
            }
            Kind::Setsid => {
                if let (Some(r), Some(t)) = (res, self.threads.get_mut(&tid))
                    && r >= 0
                {
                    t.sid = r;
                }
            }
            Kind::Setpgid => {
                if res == Some(0) {
                    let pid = p_int(ev, pidx!("pid")).unwrap_or(0);
                    let target = if pid == 0 { tid } else { pid };
                    if let (Some(pg), Some(t)) =
                        (p_int(ev, pidx!("pgid")), self.threads.get_mut(&target))
                    {
                        let pg = if pg == 0 { target } else { pg };
                        t.pgid = pg;
                        t.vpgid = pg;
                    }
                }
            }
            Kind::Capset => {
                if res == Some(0)
                    && let Some(t) = self.threads.get_mut(&tid)
                {
                    if let Some(v) = p_int(ev, pidx!("cap_inheritable")) {
                        t.cap_inheritable = v as u64;
                    }
                    if let Some(v) = p_int(ev, pidx!("cap_permitted")) {
                        t.cap_permitted = v as u64;
                    }
                    if let Some(v) = p_int(ev, pidx!("cap_effective")) {
                        t.cap_effective = v as u64;
                    }
                }
            }
            Kind::Chroot => {
                if res == Some(0)
                    && let (Some(p), Some(t)) =
                        (p_string(ev, pidx!("path")), self.threads.get_mut(&tid))
                {
                    t.root = p;
                }
            }
        }
    }

    fn simple_fd(&mut self, tid: i64, res: Option<i64>, ty: u8, name: Arc<str>) {
        if let Some(n) = res.filter(|r| *r >= 0) {
            self.insert_fd(tid, n, Fd::new(ty, name));
        }
    }

    fn dup_fd(&mut self, tid: i64, old: i64, new: i64) {
        if old == new {
            return;
        }
        if let Some(f) = self.fd(tid, old).cloned() {
            self.insert_fd(tid, new, f);
        } else {
            self.ctx.fd = Some(new);
        }
    }

    fn set_cwd(&mut self, tid: i64, path: &str) {
        let pid = self.pid_of(tid);
        let key = if self.threads.contains_key(&pid) {
            pid
        } else {
            tid
        };
        if let Some(t) = self.threads.get_mut(&key) {
            let mut new = resolve_path(&t.cwd, path);
            if !new.ends_with('/') {
                new.push('/');
            }
            t.cwd = new;
        }
    }

    /// Fill a thread from the common clone/execve parameters.
    fn fill_common(t: &mut Thread, ev: &RawEvent<'_>) {
        if let Some(e) = p_bytes(ev, pidx!("exe")) {
            assign_str(&mut t.exe, e);
        }
        if let Some(c) = p_bytes(ev, pidx!("comm")) {
            assign_str(&mut t.comm, c);
        }
        if let Some(a) = p_bytes(ev, pidx!("args")) {
            t.set_args(a);
        } else {
            t.recompute();
        }
        if let Some(c) = p_bytes(ev, pidx!("cwd")) {
            assign_str(&mut t.cwd, c);
        }
        if let Some(v) = p_int(ev, pidx!("fdlimit")) {
            t.fdlimit = v;
        }
        // An empty list (a sensor that could not read them) keeps the inherited cgroups.
        if let Some(c) = p_bytes(ev, pidx!("cgroups")).filter(|c| !c.is_empty()) {
            t.set_cgroups(c);
        }
        if let Some(v) = p_int(ev, pidx!("uid")) {
            t.uid = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("gid")) {
            t.gid = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("vm_size")) {
            t.vmsize_kb = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("vm_rss")) {
            t.vmrss_kb = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("vm_swap")) {
            t.vmswap_kb = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("pgft_maj")) {
            t.pfmajor = v as u64;
        }
        if let Some(v) = p_int(ev, pidx!("pgft_min")) {
            t.pfminor = v as u64;
        }
    }

    fn parse_clone(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        let Some(res) = res else { return };
        if res < 0 {
            return;
        }
        let flags = p_int(ev, pidx!("flags")).unwrap_or(0) as u32;
        let is_thread = flags & CLONE_THREAD != 0;
        let tid = ev.tid as i64;
        if res > 0 {
            // The caller's exit: make sure the caller exists, then create the child from it.
            let child = res;
            if !self.threads.contains_key(&tid) {
                let mut caller = Thread {
                    tid,
                    pid: p_int(ev, pidx!("pid")).unwrap_or(tid),
                    ptid: p_int(ev, pidx!("ptid")).unwrap_or(0),
                    vtid: p_int(ev, pidx!("vtid")).unwrap_or(-1),
                    vpid: p_int(ev, pidx!("vpid")).unwrap_or(-1),
                    sid: -1,
                    vpgid: -1,
                    pgid: -1,
                    loginuid: u32::MAX,
                    ..Thread::default()
                };
                Self::fill_common(&mut caller, ev);
                self.insert_thread(caller);
            }
            if self.threads.contains_key(&child) {
                return;
            }
            let Some(caller) = self.threads.get(&tid) else {
                return;
            };
            let mut t = caller.clone();
            t.tid = child;
            if is_thread {
                t.pid = caller.pid;
                t.ptid = caller.ptid;
            } else {
                t.pid = child;
                t.ptid = caller.tid;
            }
            let same_ns = caller.vtid == caller.tid || caller.vtid < 0;
            t.vtid = if same_ns && caller.vtid >= 0 {
                child
            } else {
                -1
            };
            t.vpid = if is_thread {
                caller.vpid
            } else if same_ns && caller.vpid >= 0 {
                child
            } else {
                -1
            };
            if let Some(c) = p_bytes(ev, pidx!("comm")) {
                assign_str(&mut t.comm, c);
            }
            if let Some(e) = p_bytes(ev, pidx!("exe")) {
                assign_str(&mut t.exe, e);
            }
            if let Some(a) = p_bytes(ev, pidx!("args")) {
                assign_list(&mut t.args, a);
            }
            if let Some(c) = p_bytes(ev, pidx!("cgroups")).filter(|c| !c.is_empty()) {
                t.set_cgroups(c);
            }
            t.recompute();
            t.clone_ts = ev.ts;
            let caller_pid = caller.pid;
            self.add_child(t, caller_pid, is_thread);
        } else {
            // The child's own exit (res == 0).
            let ptid = p_int(ev, pidx!("ptid")).unwrap_or(0);
            let pid = p_int(ev, pidx!("pid")).unwrap_or(tid);
            if let Some(t) = self.threads.get_mut(&tid) {
                // Created by the parent's exit: the child's view knows its namespace ids.
                if let Some(v) = p_int(ev, pidx!("vtid")) {
                    t.vtid = v;
                }
                if let Some(v) = p_int(ev, pidx!("vpid")) {
                    t.vpid = v;
                }
                return;
            }
            let parent = self.threads.get(&ptid).cloned();
            let mut t = parent.unwrap_or_else(|| Thread {
                sid: -1,
                vpgid: -1,
                pgid: -1,
                loginuid: u32::MAX,
                ..Thread::default()
            });
            t.tid = tid;
            t.pid = pid;
            t.ptid = ptid;
            t.vtid = p_int(ev, pidx!("vtid")).unwrap_or(-1);
            t.vpid = p_int(ev, pidx!("vpid")).unwrap_or(-1);
            Self::fill_common(&mut t, ev);
            if let Some(v) = p_int(ev, pidx!("pidns_init_start_ts")) {
                t.pidns_init_start_ts = v as u64;
            }
            t.clone_ts = ev.ts;
            // The fd table to copy is the parent process's.
            let parent_pid = self.pid_of(ptid);
            self.add_child(t, parent_pid, is_thread || pid != tid);
        }
    }

    fn add_child(&mut self, t: Thread, parent_pid: i64, shares_fds: bool) {
        let pid = t.pid;
        self.insert_thread(t);
        if !shares_fds
            && pid != parent_pid
            && !self.fds.contains_key(&pid)
            && let Some(table) = self.fds.get(&parent_pid).cloned()
        {
            self.fds.insert(pid, table);
        }
    }

    fn parse_execve(&mut self, ev: &RawEvent<'_>) {
        let tid = ev.tid as i64;
        let known = self.threads.contains_key(&tid);
        let mut t = self.remove_thread(tid).unwrap_or_else(|| Thread {
            tid,
            pid: p_int(ev, pidx!("pid")).unwrap_or(tid),
            ptid: p_int(ev, pidx!("ptid")).unwrap_or(0),
            sid: -1,
            vpgid: -1,
            pgid: -1,
            vtid: -1,
            vpid: -1,
            loginuid: u32::MAX,
            ..Thread::default()
        });
        if let Some(p) = p_int(ev, pidx!("pid")) {
            t.pid = p;
        }
        // A parent that exited before this event was read (a live sensor's records of two
        // CPUs race) is gone from the table: the thread keeps the parent it was reparented
        // to, rather than pointing at nothing.
        if let Some(p) = p_int(ev, pidx!("ptid"))
            && (!known || self.threads.contains_key(&p))
        {
            t.ptid = p;
        }
        Self::fill_common(&mut t, ev);
        if let Some(env) = p_bytes(ev, pidx!("env"))
            && !env.is_empty()
        {
            assign_list(&mut t.env, env);
        }
        if let Some(v) = p_int(ev, pidx!("tty")) {
            t.tty = v as u32;
        }
        if let Some(v) = p_int(ev, pidx!("vpgid")) {
            t.vpgid = v;
        }
        if let Some(v) = p_int(ev, pidx!("pgid")) {
            t.pgid = v;
        }
        if let Some(v) = p_int(ev, pidx!("loginuid")) {
            t.loginuid = v as u32;
        }
        if let Some(f) = p_int(ev, pidx!("flags")) {
            let f = f as u32;
            t.exe_writable = f & flags::EXE_WRITABLE != 0;
            t.exe_upper_layer = f & flags::EXE_UPPER_LAYER != 0;
            t.exe_from_memfd = f & flags::EXE_FROM_MEMFD != 0;
            t.exe_lower_layer = f & flags::EXE_LOWER_LAYER != 0;
        }
        for (name, slot) in [
            (pidx!("cap_inheritable"), &mut t.cap_inheritable),
            (pidx!("cap_permitted"), &mut t.cap_permitted),
            (pidx!("cap_effective"), &mut t.cap_effective),
            (pidx!("exe_ino"), &mut t.exe_ino),
            (pidx!("exe_ino_ctime"), &mut t.exe_ino_ctime),
            (pidx!("exe_ino_mtime"), &mut t.exe_ino_mtime),
        ] {
            if let Some(v) = p_int(ev, name) {
                *slot = v as u64;
            }
        }
        // The executable's full path (libsinsp): the kernel's trusted path when the event
        // carries it; else the filename of the execve (from the enter event, merged by the
        // converter) resolved against the working directory; else unchanged.
        let trusted = p_bytes(ev, pidx!("trusted_exepath")).filter(|s| !s.is_empty());
        if let Some(p) = trusted {
            t.exepath = strip_deleted(lossy_string(p));
        } else if let Some(f) = p_bytes(ev, pidx!("filename")).filter(|s| !s.is_empty()) {
            let f = lossy_str(f);
            let exepath = if f == "<NA>" {
                f.into_owned()
            } else {
                let cwd = self.threads.get(&t.pid).map_or(t.cwd.as_str(), |m| &m.cwd);
                resolve_path(cwd, &f)
            };
            t.exepath = exepath;
        }
        t.exec_ts = ev.ts;
        let pid = t.pid;
        self.insert_thread(t);
        // Close-on-exec fds go away.
        if let Some(table) = self.fds.get_mut(&pid) {
            table.retain(|_, f| f.open_flags & flags::O_CLOEXEC == 0);
        }
    }

    /// The path an open-family event names, resolved as libsinsp does (relative to the
    /// working directory or to `dirfd`), and the path as passed. `None` when the event names
    /// no path.
    pub(crate) fn open_path(&self, ev: &RawEvent<'_>) -> Option<(String, String)> {
        let (name, raw) = self.open_name(ev)?;
        let raw = raw.as_deref().unwrap_or(&name).to_string();
        Some((name.to_string(), raw))
    }

    /// [`State::open_path`] with the path as passed only when it differs from the resolved
    /// one (a normal absolute path, the common case, is one string, copied once from the
    /// event).
    fn open_name(&self, ev: &RawEvent<'_>) -> Option<(Arc<str>, Option<Arc<str>>)> {
        let raw = p_bytes(ev, pidx!("name")).or_else(|| p_bytes(ev, pidx!("path")))?;
        let raw = lossy_str(raw);
        let tid = ev.tid as i64;
        let resolved = |base: &str, raw: &str| {
            let name = resolve_path(base, raw);
            if name == raw {
                (name.into(), None)
            } else {
                (name.into(), Some(raw.into()))
            }
        };
        if raw.starts_with('/') {
            if is_normal_path(&raw) {
                return Some((raw.as_ref().into(), None));
            }
            return Some(resolved("/", &raw));
        }
        let dirfd = p_int(ev, pidx!("dirfd")).unwrap_or(AT_FDCWD);
        let base = if dirfd == AT_FDCWD || ev.name() == "open" || ev.name() == "creat" {
            self.threads.get(&tid).map_or("", |t| self.cwd_of(t))
        } else {
            self.fd(tid, dirfd).map_or("", |f| &f.name)
        };
        if base.is_empty() {
            return Some((raw.as_ref().into(), None));
        }
        Some(resolved(base, &raw))
    }

    fn parse_open(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        let Some(fd) = res.filter(|r| *r >= 0) else {
            return;
        };
        let Some((name, name_raw)) = self.open_name(ev) else {
            return;
        };
        let mut open_flags = p_int(ev, pidx!("flags")).unwrap_or(0) as u32;
        if ev.name() == "creat" {
            open_flags |= flags::O_CREAT | flags::O_WRONLY | flags::O_TRUNC;
        }
        let ty = if open_flags & flags::O_DIRECTORY != 0 {
            fd_type::DIRECTORY
        } else {
            fd_type::FILE
        };
        let f = Fd {
            ty,
            name,
            name_raw,
            open_flags,
            ino: p_int(ev, pidx!("ino")).unwrap_or(0) as u64,
            dev: p_int(ev, pidx!("dev")).unwrap_or(0) as u32,
            ..Fd::default()
        };
        self.insert_fd(ev.tid as i64, fd, f);
    }

    fn parse_socket(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        let Some(fd) = res.filter(|r| *r >= 0) else {
            return;
        };
        let domain = p_int(ev, pidx!("domain")).unwrap_or(0);
        let ty = p_int(ev, pidx!("type")).unwrap_or(0);
        let proto = p_int(ev, pidx!("proto")).unwrap_or(0);
        let fty = match u8::try_from(domain).unwrap_or(0) {
            af::INET => fd_type::IPV4_SOCK,
            af::INET6 => fd_type::IPV6_SOCK,
            af::UNIX => fd_type::UNIX_SOCK,
            16 => fd_type::NETLINK,
            _ => fd_type::UNSUPPORTED,
        };
        let mut f = Fd::new(fty, Arc::default());
        if matches!(fty, fd_type::IPV4_SOCK | fd_type::IPV6_SOCK) {
            f.l4proto = match ty & 0xf {
                1 => l4::TCP,
                2 => l4::UDP,
                3 if proto == 1 || proto == 58 => l4::ICMP,
                3 => l4::RAW,
                _ => l4::UNKNOWN,
            };
        }
        self.insert_fd(ev.tid as i64, fd, f);
    }

    fn apply_tuple(&mut self, tid: i64, fd: i64, tuple: SockTuple<'_>, role: Role, outbound: bool) {
        let (cip, cport, sip, sport) = match tuple {
            SockTuple::V4 {
                sip,
                sport,
                dip,
                dport,
            } => (IpAddr::V4(sip), sport, IpAddr::V4(dip), dport),
            SockTuple::V6 {
                sip,
                sport,
                dip,
                dport,
            } => (IpAddr::V6(sip), sport, IpAddr::V6(dip), dport),
            SockTuple::Unix { source, dest, path } => {
                let name: Arc<str> = lossy_str(path).into();
                let _ = (source, dest);
                let changed;
                {
                    let pid = self.pid_of(tid);
                    let table = self.fds.entry(pid).or_default();
                    let f = table
                        .entry(fd)
                        .or_insert_with(|| Fd::new(fd_type::UNIX_SOCK, Arc::default()));
                    changed = *f.name != *name;
                    f.ty = fd_type::UNIX_SOCK;
                    f.name_raw = None;
                    f.name = name;
                    f.role = role;
                    f.connected = true;
                }
                self.ctx.fd = Some(fd);
                self.ctx.name_changed = changed;
                return;
            }
            SockTuple::Other(_) => return,
        };
        let _ = outbound;
        // An incomplete tuple (unbound UDP socket) is patched from the interface list.
        let (cip, sip) = (self.patch_ip(cip, sip), self.patch_ip(sip, cip));
        let pid = self.pid_of(tid);
        let table = self.fds.entry(pid).or_default();
        let f = table.entry(fd).or_insert_with(|| {
            let mut f = Fd::new(fd_type::IPV4_SOCK, Arc::default());
            f.l4proto = l4::TCP;
            f
        });
        let changed = f.set_tuple(cip, cport, sip, sport, role);
        if f.l4proto == l4::UNKNOWN || f.l4proto == l4::NA {
            f.l4proto = l4::TCP;
        }
        f.connected = true;
        self.ctx.name_changed = changed;
        self.ctx.fd = Some(fd);
    }

    /// `ip` if specified; otherwise the address a local socket talking to `peer` would use:
    /// the peer itself when it is local (loopback or an interface address), else the first
    /// non-loopback interface address of the family.
    fn patch_ip(&self, ip: IpAddr, peer: IpAddr) -> IpAddr {
        if !ip.is_unspecified() || peer.is_unspecified() {
            return ip;
        }
        if peer.is_loopback() || self.local_ips.contains(&peer) {
            return peer;
        }
        self.local_ips
            .iter()
            .find(|a| a.is_ipv4() == peer.is_ipv4() && !a.is_loopback())
            .copied()
            .unwrap_or(ip)
    }

    fn parse_connect(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        let Some(r) = res else { return };
        if r < 0 && r != EINPROGRESS {
            return;
        }
        let Some(fd) = p_int(ev, pidx!("fd")) else {
            return;
        };
        let tid = ev.tid as i64;
        match pidx!("tuple").value(ev) {
            Some(ParamValue::SockTuple(t)) if !matches!(t, SockTuple::Other(_)) => {
                self.apply_tuple(tid, fd, t, Role::Client, true);
            }
            _ => {
                // No tuple: fall back to the destination address.
                let Some(ParamValue::SockAddr(a)) = pidx!("addr").value(ev) else {
                    return;
                };
                let t = match a {
                    SockAddr::V4(ip, port) => SockTuple::V4 {
                        sip: Ipv4Addr::UNSPECIFIED,
                        sport: 0,
                        dip: ip,
                        dport: port,
                    },
                    SockAddr::V6(ip, port) => SockTuple::V6 {
                        sip: Ipv6Addr::UNSPECIFIED,
                        sport: 0,
                        dip: ip,
                        dport: port,
                    },
                    SockAddr::Unix(p) => SockTuple::Unix {
                        source: 0,
                        dest: 0,
                        path: p,
                    },
                    SockAddr::Other(_) => return,
                };
                self.apply_tuple(tid, fd, t, Role::Client, true);
            }
        }
        if r != 0
            && let Some(f) = self.fd_mut(tid, fd)
        {
            f.connected = false;
        }
    }

    fn parse_accept(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        let Some(fd) = res.filter(|r| *r >= 0) else {
            return;
        };
        let tid = ev.tid as i64;
        match pidx!("tuple").value(ev) {
            Some(ParamValue::SockTuple(t)) if !matches!(t, SockTuple::Other(_)) => {
                self.apply_tuple(tid, fd, t, Role::Server, false);
            }
            _ => {
                self.insert_fd(tid, fd, Fd::new(fd_type::UNKNOWN, Arc::default()));
            }
        }
        self.ctx.fd = Some(fd);
    }

    fn parse_bind(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        if res != Some(0) {
            return;
        }
        let Some(fd) = p_int(ev, pidx!("fd")) else {
            return;
        };
        let tid = ev.tid as i64;
        let Some(ParamValue::SockAddr(a)) = pidx!("addr").value(ev) else {
            return;
        };
        let pid = self.pid_of(tid);
        let table = self.fds.entry(pid).or_default();
        let f = table
            .entry(fd)
            .or_insert_with(|| Fd::new(fd_type::UNKNOWN, Arc::default()));
        let old = f.name.clone();
        match a {
            SockAddr::V4(ip, port) => f.set_server(IpAddr::V4(ip), port),
            SockAddr::V6(ip, port) => f.set_server(IpAddr::V6(ip), port),
            SockAddr::Unix(p) => {
                f.ty = fd_type::UNIX_SOCK;
                f.name = lossy_str(p).into();
                f.name_raw = None;
            }
            SockAddr::Other(_) => {}
        }
        self.ctx.name_changed = old != f.name;
        self.ctx.fd = Some(fd);
    }

    fn parse_sendrecv(&mut self, ev: &RawEvent<'_>, res: Option<i64>) {
        if res.is_none_or(|r| r < 0) {
            return;
        }
        let Some(fd) = p_int(ev, pidx!("fd")) else {
            return;
        };
        let tid = ev.tid as i64;
        // Unconnected UDP sockets take the address of each datagram; connected sockets keep
        // theirs (asked first: it spares decoding the tuple of every send and receive on a
        // connected socket).
        let update = match self.fd(tid, fd) {
            None => true,
            Some(f) => f.l4proto == l4::UDP || matches!(f.net, Net::None),
        };
        if !update {
            return;
        }
        let Some(ParamValue::SockTuple(t)) = pidx!("tuple").value(ev) else {
            return;
        };
        if !matches!(t, SockTuple::V4 { .. } | SockTuple::V6 { .. }) {
            return;
        }
        let recv = matches!(ev.name(), "recvfrom" | "recvmsg");
        let t = if recv {
            // The datagram came from the peer: the peer is the server side.
            match t {
                SockTuple::V4 {
                    sip,
                    sport,
                    dip,
                    dport,
                } => SockTuple::V4 {
                    sip: dip,
                    sport: dport,
                    dip: sip,
                    dport: sport,
                },
                SockTuple::V6 {
                    sip,
                    sport,
                    dip,
                    dport,
                } => SockTuple::V6 {
                    sip: dip,
                    sport: dport,
                    dip: sip,
                    dport: sport,
                },
                o => o,
            }
        } else {
            t
        };
        self.apply_tuple(tid, fd, t, Role::Client, true);
    }

    /// `user_added`/`group_added` (and their deletions): the user tables of a container
    /// (or of the host, for an empty container id).
    fn parse_usergroup(&mut self, ev: &RawEvent<'_>, name: &str) {
        let cid = p_string(ev, pidx!("container_id")).unwrap_or_default();
        let host = cid.is_empty() || cid == "host";
        let num = |n: &ParamIdx| p_int(ev, n).and_then(|v| u32::try_from(v).ok());
        match name {
            "useradded" | "userdeleted" => {
                let Some(uid) = num(pidx!("uid")) else { return };
                let table = if host {
                    &mut self.users
                } else {
                    self.container_users.entry(cid).or_default()
                };
                if name == "userdeleted" {
                    table.remove(&uid);
                } else {
                    table.insert(
                        uid,
                        User {
                            uid,
                            gid: num(pidx!("gid")).unwrap_or(0),
                            name: p_string(ev, pidx!("name")).unwrap_or_default(),
                            homedir: p_string(ev, pidx!("home")).unwrap_or_default(),
                            shell: p_string(ev, pidx!("shell")).unwrap_or_default(),
                        },
                    );
                }
            }
            _ => {
                let Some(gid) = num(pidx!("gid")) else { return };
                let table = if host {
                    &mut self.groups
                } else {
                    self.container_groups.entry(cid).or_default()
                };
                if name == "groupdeleted" {
                    table.remove(&gid);
                } else {
                    table.insert(gid, p_string(ev, pidx!("name")).unwrap_or_default());
                }
            }
        }
    }

    fn parse_container(&mut self, ev: &RawEvent<'_>) {
        let Some(json) = p_bytes(ev, pidx!("json")) else {
            return;
        };
        if let Some(c) = Container::from_json(json) {
            self.event_container = Some(c.id.clone());
            self.containers.insert(c.id.clone(), c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_handled_lists_the_match_arms() {
        let src = include_str!("state.rs");
        let a = src.find("// exit-match-begin").expect("begin marker");
        let b = src.find("// exit-match-end").expect("end marker");
        let mut arms: Vec<&str> = src[a..b]
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('"'))
            // The pattern: before a guard or the arrow.
            .map(|l| l.split(" if ").next().unwrap_or(l))
            .map(|l| l.split("=>").next().unwrap_or(l))
            .map(|l| l.split('(').next().unwrap_or(l))
            .flat_map(|l| l.split('"').skip(1).step_by(2))
            .collect();
        arms.sort_unstable();
        arms.dedup();
        let mut listed = EXIT_HANDLED.to_vec();
        listed.sort_unstable();
        assert_eq!(arms, listed);
        for (i, e) in vigil_scap::all_events().iter().enumerate() {
            if Direction::of(i as u16) == Direction::Exit {
                assert_eq!(exit_handled(i as u16), EXIT_HANDLED.contains(&e.name));
            }
        }
    }

    #[test]
    fn ip_text() {
        for ip in [
            "0.0.0.0",
            "10.0.1.255",
            "192.168.0.7",
            "100.99.9.109",
            "::1",
            "fe80::1:2",
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            let mut s = StackStr::new();
            push_ip(&mut s, ip);
            assert_eq!(s.as_str(), ip.to_string());
        }
        for v in [0u32, 7, 10, 65535, u32::MAX] {
            let mut s = StackStr::new();
            push_dec(&mut s, v);
            assert_eq!(s.as_str(), v.to_string());
        }
        // The longest tuple fits.
        let ip: IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
            .parse()
            .expect("ip");
        let mut f = Fd::default();
        f.set_tuple(ip, 65535, ip, 65535, Role::Client);
        assert_eq!(&*f.name, format!("{ip}:65535->{ip}:65535"));
    }

    #[test]
    fn paths() {
        assert_eq!(resolve_path("/home/u", "a/../b/./c"), "/home/u/b/c");
        assert_eq!(resolve_path("/", "../../x"), "/x");
        assert_eq!(resolve_path("/a", "/etc//passwd"), "/etc/passwd");
        assert_eq!(resolve_path("/a/b", ".."), "/a");
        assert_eq!(resolve_path("/", "."), "/");
        // The fast path for paths that are already normal agrees with the general one.
        for p in [
            "/",
            "/etc",
            "/etc/passwd",
            "/a.b/..c/.d",
            "/etc/",
            "/a//b",
            "/a/./b",
            "/a/..",
        ] {
            assert_eq!(is_normal_path(p), resolve_path("/", p) == p, "{p}");
            assert_eq!(
                resolve_path("/x", p),
                resolve_path("/x", &format!("{p}/.")),
                "{p}"
            );
        }
    }

    /// The word-at-a-time check agrees with the definition on every path of up to 11
    /// bytes over `/`, `.` and `a` (slashes, dots and their runs at every offset of a word).
    #[test]
    fn normal_paths_exhaustive() {
        let alphabet = [b'/', b'.', b'a'];
        for len in 0..=10u32 {
            for n in 0..3usize.pow(len) {
                let mut p = vec![b'/'];
                let mut k = n;
                for _ in 0..len {
                    p.push(alphabet[k % 3]);
                    k /= 3;
                }
                let p = String::from_utf8(p).expect("ascii");
                let want = p == "/"
                    || (!p.ends_with('/')
                        && p[1..]
                            .split('/')
                            .all(|c| !c.is_empty() && c != "." && c != ".."));
                assert_eq!(is_normal_path(&p), want, "{p}");
            }
        }
    }

    #[test]
    fn services_file() {
        let s = Services::parse(
            "# comment\ndomain\t53/tcp\t# DNS\ndomain 53/udp\nhttp 80/tcp www\n\
             dbm 2345/tcp\nodd 7/udp\nbad line\nx 99999/tcp\n",
        );
        assert_eq!(s.name(53, l4::UDP), Some("domain"));
        assert_eq!(s.name(80, l4::TCP), Some("http"));
        assert_eq!(s.name(80, l4::UDP), None);
        assert_eq!(s.name(7, l4::RAW), Some("odd"));
        assert_eq!(s.name(2345, l4::TCP), Some("dbm"));
        assert_eq!(s.name(40251, l4::UDP), None);
        let mut st = State::new();
        assert!(!st.port_resolution());
        assert_eq!(st.port_text(53, l4::UDP), "53");
        st.set_port_resolution(true);
        assert!(st.port_resolution());
        st.set_port_resolution(false);
        assert_eq!(st.port_text(53, l4::UDP), "53");
    }
}
