//! Block type codes and the decoded metadata blocks of a capture.

use crate::error::ScapError;

/// Section header block.
pub const SHB_BLOCK_TYPE: u32 = 0x0A0D_0D0A;
/// Byte order magic of the section header.
pub const SHB_MAGIC: u32 = 0x1A2B_3C4D;
/// Machine info.
pub const MI_BLOCK_TYPE: u32 = 0x201;
/// Machine info, pre-release code.
pub const MI_BLOCK_TYPE_INT: u32 = 0x8002_ABCD;
/// Process list V1.
pub const PL_BLOCK_TYPE_V1: u32 = 0x202;
/// Process list V1, pre-release code.
pub const PL_BLOCK_TYPE_V1_INT: u32 = 0x8000_ABCD;
/// Process list V2.
pub const PL_BLOCK_TYPE_V2: u32 = 0x207;
/// Process list V2, pre-release code.
pub const PL_BLOCK_TYPE_V2_INT: u32 = 0x8013_ABCD;
/// Process list V3.
pub const PL_BLOCK_TYPE_V3: u32 = 0x209;
/// Process list V3, pre-release code.
pub const PL_BLOCK_TYPE_V3_INT: u32 = 0x8014_ABCD;
/// Process list V4.
pub const PL_BLOCK_TYPE_V4: u32 = 0x210;
/// Process list V5.
pub const PL_BLOCK_TYPE_V5: u32 = 0x211;
/// Process list V6.
pub const PL_BLOCK_TYPE_V6: u32 = 0x212;
/// Process list V7.
pub const PL_BLOCK_TYPE_V7: u32 = 0x213;
/// Process list V8.
pub const PL_BLOCK_TYPE_V8: u32 = 0x214;
/// Process list V9 (entries carry their own length).
pub const PL_BLOCK_TYPE_V9: u32 = 0x215;
/// Fd list.
pub const FDL_BLOCK_TYPE: u32 = 0x203;
/// Fd list, pre-release code.
pub const FDL_BLOCK_TYPE_INT: u32 = 0x8001_ABCD;
/// Fd list V2 (entries carry their own length).
pub const FDL_BLOCK_TYPE_V2: u32 = 0x218;
/// Event (v1 header without nparams).
pub const EV_BLOCK_TYPE: u32 = 0x204;
/// Event, pre-release code (v1 header).
pub const EV_BLOCK_TYPE_INT: u32 = 0x8010_ABCD;
/// Event V2.
pub const EV_BLOCK_TYPE_V2: u32 = 0x216;
/// Event V2 with 32-bit parameter lengths.
pub const EV_BLOCK_TYPE_V2_LARGE: u32 = 0x221;
/// Interface list.
pub const IL_BLOCK_TYPE: u32 = 0x205;
/// Interface list, pre-release code.
pub const IL_BLOCK_TYPE_INT: u32 = 0x8011_ABCD;
/// Interface list V2.
pub const IL_BLOCK_TYPE_V2: u32 = 0x219;
/// User list.
pub const UL_BLOCK_TYPE: u32 = 0x206;
/// User list, pre-release code.
pub const UL_BLOCK_TYPE_INT: u32 = 0x8012_ABCD;
/// User list V2.
pub const UL_BLOCK_TYPE_V2: u32 = 0x220;
/// Event with flags (v1 header).
pub const EVF_BLOCK_TYPE: u32 = 0x208;
/// Event with flags V2.
pub const EVF_BLOCK_TYPE_V2: u32 = 0x217;
/// Event with flags V2 with 32-bit parameter lengths.
pub const EVF_BLOCK_TYPE_V2_LARGE: u32 = 0x222;

/// The section header: file format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionHeader {
    /// Major version (1).
    pub major: u16,
    /// Minor version (0, 1 or 2).
    pub minor: u16,
    /// Section length (usually `u64::MAX`, "unknown").
    pub section_length: u64,
}

/// The machine info block (`scap_machine_info`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineInfo {
    /// Number of processors.
    pub num_cpus: u32,
    /// Physical memory size.
    pub memory_size_bytes: u64,
    /// Highest pid.
    pub max_pid: u64,
    /// Host name.
    pub hostname: String,
    /// Boot time in ns since the epoch.
    pub boot_ts_epoch: u64,
    /// Flags.
    pub flags: u64,
    /// Reserved.
    pub reserved3: u64,
    /// Reserved.
    pub reserved4: u64,
}

/// One network interface address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interface {
    /// An IPv4 address (addresses as stored: network byte order read as little-endian u32).
    V4 {
        /// Entry type as stored (1 = IPv4, 3 = IPv4 without link speed).
        ty: u16,
        /// Address.
        addr: u32,
        /// Netmask.
        netmask: u32,
        /// Broadcast address.
        bcast: u32,
        /// Link speed (0 when absent).
        linkspeed: u64,
        /// Interface name.
        name: String,
    },
    /// An IPv6 address.
    V6 {
        /// Entry type as stored (2 = IPv6, 4 = IPv6 without link speed).
        ty: u16,
        /// Address.
        addr: [u8; 16],
        /// Netmask.
        netmask: [u8; 16],
        /// Broadcast address.
        bcast: [u8; 16],
        /// Link speed (0 when absent).
        linkspeed: u64,
        /// Interface name.
        name: String,
    },
}

/// A user of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
}

/// A group of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// Group id.
    pub gid: u32,
    /// Name.
    pub name: String,
}

/// The decoded user list block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserList {
    /// Users in file order.
    pub users: Vec<UserInfo>,
    /// Groups in file order.
    pub groups: Vec<GroupInfo>,
}

/// One thread of a process-list block (`scap_threadinfo`), with libscap's defaults for the
/// fields an older block version does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Thread id.
    pub tid: u64,
    /// Process id.
    pub pid: u64,
    /// Parent thread id.
    pub ptid: u64,
    /// Session id (`u64::MAX` when absent, V6+).
    pub sid: u64,
    /// Process group id in its namespace (`u64::MAX` when absent, V8+).
    pub vpgid: u64,
    /// Command name.
    pub comm: String,
    /// argv\[0\].
    pub exe: String,
    /// Full executable path (V7+).
    pub exepath: String,
    /// Arguments, NUL-separated as stored (libscap appends a NUL when missing).
    pub args: Vec<u8>,
    /// Working directory.
    pub cwd: String,
    /// Fd limit.
    pub fdlimit: u64,
    /// `PPM_CL_*` flags.
    pub flags: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Virtual memory size in KiB (V2+).
    pub vmsize_kb: u32,
    /// Resident set size in KiB (V2+).
    pub vmrss_kb: u32,
    /// Swap in KiB (V2+).
    pub vmswap_kb: u32,
    /// Major page faults (V2+).
    pub pfmajor: u64,
    /// Minor page faults (V2+).
    pub pfminor: u64,
    /// Environment, NUL-separated (V3+).
    pub env: Vec<u8>,
    /// Thread id in its pid namespace (-1 when absent, V4+).
    pub vtid: i64,
    /// Process id in its pid namespace (-1 when absent, V4+).
    pub vpid: i64,
    /// Cgroups, NUL-separated `subsys=path` entries (V4+).
    pub cgroups: Vec<u8>,
    /// Root directory (V5+).
    pub root: String,
    /// Start time of the pid namespace's init (V9, libs ≥ 0.10).
    pub pidns_init_start_ts: u64,
    /// Controlling terminal (V9, libs ≥ 0.10).
    pub tty: u32,
    /// Login uid (`u32::MAX` when absent).
    pub loginuid: u32,
    /// Whether the executable is writable by the thread's user.
    pub exe_writable: bool,
    /// Inheritable capabilities.
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// Executable lives in an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// Executable inode number.
    pub exe_ino: u64,
    /// Executable inode ctime.
    pub exe_ino_ctime: u64,
    /// Executable inode mtime.
    pub exe_ino_mtime: u64,
    /// Executable comes from a memfd.
    pub exe_from_memfd: bool,
    /// Executable lives in an overlayfs lower layer.
    pub exe_lower_layer: bool,
    /// Process group id (-1 when absent).
    pub pgid: i64,
}

impl Default for ThreadInfo {
    fn default() -> Self {
        ThreadInfo {
            tid: 0,
            pid: 0,
            ptid: 0,
            sid: u64::MAX,
            vpgid: u64::MAX,
            comm: String::new(),
            exe: String::new(),
            exepath: String::new(),
            args: Vec::new(),
            cwd: String::new(),
            fdlimit: 0,
            flags: 0,
            uid: 0,
            gid: 0,
            vmsize_kb: 0,
            vmrss_kb: 0,
            vmswap_kb: 0,
            pfmajor: 0,
            pfminor: 0,
            env: Vec::new(),
            vtid: -1,
            vpid: -1,
            cgroups: Vec::new(),
            root: String::new(),
            pidns_init_start_ts: 0,
            tty: 0,
            loginuid: u32::MAX,
            exe_writable: false,
            cap_inheritable: 0,
            cap_permitted: 0,
            cap_effective: 0,
            exe_upper_layer: false,
            exe_ino: 0,
            exe_ino_ctime: 0,
            exe_ino_mtime: 0,
            exe_from_memfd: false,
            exe_lower_layer: false,
            pgid: -1,
        }
    }
}

/// Split a NUL-separated buffer into its pieces (`a\0b\0` → `a`, `b`; empty → nothing).
pub fn split_nul(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let trimmed = buf.strip_suffix(&[0]).unwrap_or(buf);
    let skip = buf.is_empty();
    trimmed.split(|b| *b == 0).filter(move |_| !skip)
}

impl ThreadInfo {
    /// The arguments as strings (lossy UTF-8).
    pub fn args_list(&self) -> Vec<String> {
        split_nul(&self.args)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    /// The environment entries as strings (lossy UTF-8).
    pub fn env_list(&self) -> Vec<String> {
        split_nul(&self.env)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    /// The cgroups as `(subsystem, path)` pairs.
    pub fn cgroups_list(&self) -> Vec<(String, String)> {
        split_nul(&self.cgroups)
            .map(|c| {
                let s = String::from_utf8_lossy(c);
                match s.split_once('=') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => (s.into_owned(), String::new()),
                }
            })
            .collect()
    }
}

/// `scap_fd_type` codes.
#[allow(missing_docs)]
pub mod fd_type {
    pub const UNKNOWN: u8 = 0;
    pub const FILE: u8 = 1;
    pub const DIRECTORY: u8 = 2;
    pub const IPV4_SOCK: u8 = 3;
    pub const IPV6_SOCK: u8 = 4;
    pub const IPV4_SERVSOCK: u8 = 5;
    pub const IPV6_SERVSOCK: u8 = 6;
    pub const FIFO: u8 = 7;
    pub const UNIX_SOCK: u8 = 8;
    pub const EVENT: u8 = 9;
    pub const UNSUPPORTED: u8 = 10;
    pub const SIGNALFD: u8 = 11;
    pub const EVENTPOLL: u8 = 12;
    pub const INOTIFY: u8 = 13;
    pub const TIMERFD: u8 = 14;
    pub const NETLINK: u8 = 15;
    pub const FILE_V2: u8 = 16;
    pub const BPF: u8 = 17;
    pub const USERFAULTFD: u8 = 18;
    pub const IOURING: u8 = 19;
    pub const MEMFD: u8 = 20;
    pub const PIDFD: u8 = 21;
}

/// Type-specific data of an fd-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdDetail {
    /// Connected IPv4 socket (addresses as stored, network order read as little-endian u32).
    Ipv4 {
        /// Source address.
        sip: u32,
        /// Destination address.
        dip: u32,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `scap_l4_proto`.
        l4proto: u8,
    },
    /// Listening IPv4 socket.
    Ipv4Server {
        /// Address.
        ip: u32,
        /// Port.
        port: u16,
        /// `scap_l4_proto`.
        l4proto: u8,
    },
    /// Connected IPv6 socket.
    Ipv6 {
        /// Source address.
        sip: [u8; 16],
        /// Destination address.
        dip: [u8; 16],
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `scap_l4_proto`.
        l4proto: u8,
    },
    /// Listening IPv6 socket.
    Ipv6Server {
        /// Address.
        ip: [u8; 16],
        /// Port.
        port: u16,
        /// `scap_l4_proto`.
        l4proto: u8,
    },
    /// Unix socket.
    Unix {
        /// Source endpoint (kernel pointer).
        source: u64,
        /// Destination endpoint (kernel pointer).
        dest: u64,
        /// Path.
        name: String,
    },
    /// Regular file (`SCAP_FD_FILE_V2`).
    File {
        /// Open flags (`PPM_O_*`).
        open_flags: u32,
        /// Path.
        name: String,
        /// Device (present in newer captures).
        dev: Option<u32>,
    },
    /// Any other type: only a name.
    Named(String),
    /// A type this crate does not know (from a newer library): no data was read.
    Unknown,
}

/// One entry of an fd-list block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdInfo {
    /// File descriptor number.
    pub fd: i64,
    /// Inode.
    pub ino: u64,
    /// `scap_fd_type` (see [`fd_type`]).
    pub ty: u8,
    /// Type-specific data.
    pub detail: FdDetail,
}

impl FdInfo {
    /// The name libsinsp would show for a file-like fd (empty for sockets).
    pub fn name(&self) -> &str {
        match &self.detail {
            FdDetail::File { name, .. } | FdDetail::Named(name) | FdDetail::Unix { name, .. } => {
                name
            }
            _ => "",
        }
    }
}

/// A bounds-checked little-endian cursor over a block body.
#[derive(Debug)]
pub(crate) struct Cur<'a> {
    data: &'a [u8],
    pos: usize,
    /// File offset of `data[0]`.
    base: u64,
}

impl<'a> Cur<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64) -> Cur<'a> {
        Cur { data, pos: 0, base }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], ScapError> {
        if self.remaining() < n {
            return Err(ScapError::corrupt(
                self.offset(),
                format!(
                    "{what}: need {n} bytes but only {} remain in the block",
                    self.remaining()
                ),
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn skip(&mut self, n: usize, what: &str) -> Result<(), ScapError> {
        self.bytes(n, what).map(|_| ())
    }

    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ScapError> {
        let s = self.bytes(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, ScapError> {
        Ok(self.arr::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, ScapError> {
        Ok(u16::from_le_bytes(self.arr(what)?))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, ScapError> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, ScapError> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }

    pub(crate) fn i64(&mut self, what: &str) -> Result<i64, ScapError> {
        Ok(i64::from_le_bytes(self.arr(what)?))
    }

    pub(crate) fn ip6(&mut self, what: &str) -> Result<[u8; 16], ScapError> {
        self.arr(what)
    }

    /// A `u16`-length-prefixed byte string.
    pub(crate) fn lstr_bytes(&mut self, what: &str) -> Result<&'a [u8], ScapError> {
        let n = self.u16(what)?;
        self.bytes(usize::from(n), what)
    }

    /// A `u16`-length-prefixed string, lossy UTF-8, cut at the first NUL like libscap's C strings.
    pub(crate) fn lstr(&mut self, what: &str) -> Result<String, ScapError> {
        let b = self.lstr_bytes(what)?;
        Ok(cstr_lossy(b))
    }
}

/// Lossy UTF-8 of a byte string cut at its first NUL.
pub(crate) fn cstr_lossy(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}
