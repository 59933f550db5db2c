//! Constants and name tables of the driver's encodings (`PPM_*` values from libs'
//! `ppm_events_public.h`, names from `flags_table.c`), errno and capability names, used to
//! render `evt.arg.*` as sysdig does.

/// `PPM_O_RDONLY`.
pub const O_RDONLY: u32 = 1 << 0;
/// `PPM_O_WRONLY`.
pub const O_WRONLY: u32 = 1 << 1;
/// `PPM_O_RDWR`.
pub const O_RDWR: u32 = O_RDONLY | O_WRONLY;
/// `PPM_O_CREAT`.
pub const O_CREAT: u32 = 1 << 2;
/// `PPM_O_TRUNC`.
pub const O_TRUNC: u32 = 1 << 8;
/// `PPM_O_DIRECTORY`.
pub const O_DIRECTORY: u32 = 1 << 10;
/// `PPM_O_CLOEXEC`.
pub const O_CLOEXEC: u32 = 1 << 12;
/// `PPM_O_TMPFILE`.
pub const O_TMPFILE: u32 = 1 << 13;
/// `PPM_O_F_CREATED`.
pub const O_F_CREATED: u32 = 1 << 14;
/// `PPM_FD_UPPER_LAYER`.
pub const FD_UPPER_LAYER: u32 = 1 << 15;
/// `PPM_FD_LOWER_LAYER`.
pub const FD_LOWER_LAYER: u32 = 1 << 16;

/// `PPM_EXE_WRITABLE`.
pub const EXE_WRITABLE: u32 = 1 << 0;
/// `PPM_EXE_UPPER_LAYER`.
pub const EXE_UPPER_LAYER: u32 = 1 << 1;
/// `PPM_EXE_FROM_MEMFD`.
pub const EXE_FROM_MEMFD: u32 = 1 << 2;
/// `PPM_EXE_LOWER_LAYER`.
pub const EXE_LOWER_LAYER: u32 = 1 << 3;

/// `PPM_FCNTL_F_DUPFD`.
pub const FCNTL_F_DUPFD: i64 = 1;
/// `PPM_FCNTL_F_DUPFD_CLOEXEC`.
pub const FCNTL_F_DUPFD_CLOEXEC: i64 = 26;
/// `PPM_BPF_PROG_LOAD`.
pub const BPF_PROG_LOAD: i64 = 5;

/// A name table: `(name, value)` in the driver's table order.
pub type Table = &'static [(&'static str, u32)];

static FILE_FLAGS: Table = &[
    ("O_LARGEFILE", 1 << 11),
    ("O_DIRECTORY", 1 << 10),
    ("O_DIRECT", 1 << 9),
    ("O_TRUNC", 1 << 8),
    ("O_SYNC", 1 << 7),
    ("O_NONBLOCK", 1 << 6),
    ("O_EXCL", 1 << 5),
    ("O_DSYNC", 1 << 4),
    ("O_APPEND", 1 << 3),
    ("O_CREAT", 1 << 2),
    ("O_RDWR", 3),
    ("O_WRONLY", 2),
    ("O_RDONLY", 1),
    ("O_CLOEXEC", 1 << 12),
    ("O_NONE", 0),
    ("O_TMPFILE", 1 << 13),
    ("O_F_CREATED", 1 << 14),
    ("FD_UPPER_LAYER", 1 << 15),
    ("FD_LOWER_LAYER", 1 << 16),
];

static PTRACE_REQUESTS: Table = &[
    ("PTRACE_SINGLEBLOCK", 38),
    ("PTRACE_SYSEMU_SINGLESTEP", 37),
    ("PTRACE_SYSEMU", 36),
    ("PTRACE_ARCH_PRCTL", 35),
    ("PTRACE_SET_THREAD_AREA", 34),
    ("PTRACE_GET_THREAD_AREA", 33),
    ("PTRACE_OLDSETOPTIONS", 32),
    ("PTRACE_SETFPXREGS", 31),
    ("PTRACE_GETFPXREGS", 30),
    ("PTRACE_SETFPREGS", 29),
    ("PTRACE_GETFPREGS", 28),
    ("PTRACE_SETREGS", 27),
    ("PTRACE_GETREGS", 26),
    ("PTRACE_SETSIGMASK", 25),
    ("PTRACE_GETSIGMASK", 24),
    ("PTRACE_PEEKSIGINFO", 23),
    ("PTRACE_LISTEN", 22),
    ("PTRACE_INTERRUPT", 21),
    ("PTRACE_SEIZE", 20),
    ("PTRACE_SETREGSET", 19),
    ("PTRACE_GETREGSET", 18),
    ("PTRACE_SETSIGINFO", 17),
    ("PTRACE_GETSIGINFO", 16),
    ("PTRACE_GETEVENTMSG", 15),
    ("PTRACE_SETOPTIONS", 14),
    ("PTRACE_SYSCALL", 13),
    ("PTRACE_DETACH", 12),
    ("PTRACE_ATTACH", 11),
    ("PTRACE_SINGLESTEP", 10),
    ("PTRACE_KILL", 9),
    ("PTRACE_CONT", 8),
    ("PTRACE_POKEUSR", 7),
    ("PTRACE_POKEDATA", 6),
    ("PTRACE_POKETEXT", 5),
    ("PTRACE_PEEKUSR", 4),
    ("PTRACE_PEEKDATA", 3),
    ("PTRACE_PEEKTEXT", 2),
    ("PTRACE_TRACEME", 1),
    ("PTRACE_UNKNOWN", 0),
];

static SOCKET_FAMILIES: Table = &[
    ("AF_NFC", 39),
    ("AF_ALG", 38),
    ("AF_CAIF", 37),
    ("AF_IEEE802154", 36),
    ("AF_PHONET", 35),
    ("AF_ISDN", 34),
    ("AF_RXRPC", 33),
    ("AF_IUCV", 32),
    ("AF_BLUETOOTH", 31),
    ("AF_TIPC", 30),
    ("AF_CAN", 29),
    ("AF_LLC", 26),
    ("AF_WANPIPE", 25),
    ("AF_PPPOX", 24),
    ("AF_IRDA", 23),
    ("AF_SNA", 22),
    ("AF_RDS", 21),
    ("AF_ATMSVC", 20),
    ("AF_ECONET", 19),
    ("AF_ASH", 18),
    ("AF_PACKET", 17),
    ("AF_ROUTE", 16),
    ("AF_NETLINK", 16),
    ("AF_KEY", 15),
    ("AF_SECURITY", 14),
    ("AF_NETBEUI", 13),
    ("AF_ROSE", 11),
    ("AF_INET6", 10),
    ("AF_X25", 9),
    ("AF_ATMPVC", 8),
    ("AF_BRIDGE", 7),
    ("AF_NETROM", 6),
    ("AF_APPLETALK", 5),
    ("AF_IPX", 4),
    ("AF_AX25", 3),
    ("AF_INET", 2),
    ("AF_LOCAL", 1),
    ("AF_UNIX", 1),
    ("AF_UNSPEC", 0),
];

static BPF_COMMANDS: Table = &[
    ("BPF_MAP_CREATE", 0),
    ("BPF_MAP_LOOKUP_ELEM", 1),
    ("BPF_MAP_UPDATE_ELEM", 2),
    ("BPF_MAP_DELETE_ELEM", 3),
    ("BPF_MAP_GET_NEXT_KEY", 4),
    ("BPF_PROG_LOAD", 5),
    ("BPF_OBJ_PIN", 6),
    ("BPF_OBJ_GET", 7),
    ("BPF_PROG_ATTACH", 8),
    ("BPF_PROG_DETACH", 9),
    ("BPF_PROG_TEST_RUN", 10),
    ("BPF_PROG_RUN", 10),
    ("BPF_PROG_GET_NEXT_ID", 11),
    ("BPF_MAP_GET_NEXT_ID", 12),
    ("BPF_PROG_GET_FD_BY_ID", 13),
    ("BPF_MAP_GET_FD_BY_ID", 14),
    ("BPF_OBJ_GET_INFO_BY_FD", 15),
    ("BPF_PROG_QUERY", 16),
    ("BPF_RAW_TRACEPOINT_OPEN", 17),
    ("BPF_BTF_LOAD", 18),
    ("BPF_BTF_GET_FD_BY_ID", 19),
    ("BPF_TASK_FD_QUERY", 20),
    ("BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21),
    ("BPF_MAP_FREEZE", 22),
    ("BPF_BTF_GET_NEXT_ID", 23),
    ("BPF_MAP_LOOKUP_BATCH", 24),
    ("BPF_MAP_LOOKUP_AND_DELETE_BATCH", 25),
    ("BPF_MAP_UPDATE_BATCH", 26),
    ("BPF_MAP_DELETE_BATCH", 27),
    ("BPF_LINK_CREATE", 28),
    ("BPF_LINK_UPDATE", 29),
    ("BPF_LINK_GET_FD_BY_ID", 30),
    ("BPF_LINK_GET_NEXT_ID", 31),
    ("BPF_ENABLE_STATS", 32),
    ("BPF_ITER_CREATE", 33),
    ("BPF_LINK_DETACH", 34),
    ("BPF_PROG_BIND_MAP", 35),
];

static CHMOD_MODE: Table = &[
    ("S_IXOTH", 1 << 0),
    ("S_IWOTH", 1 << 1),
    ("S_IROTH", 1 << 2),
    ("S_IXGRP", 1 << 3),
    ("S_IWGRP", 1 << 4),
    ("S_IRGRP", 1 << 5),
    ("S_IXUSR", 1 << 6),
    ("S_IWUSR", 1 << 7),
    ("S_IRUSR", 1 << 8),
    ("S_ISVTX", 1 << 9),
    ("S_ISGID", 1 << 10),
    ("S_ISUID", 1 << 11),
];

static FCNTL_COMMANDS: Table = &[
    ("F_GETPIPE_SZ", 29),
    ("F_SETPIPE_SZ", 28),
    ("F_NOTIFY", 27),
    ("F_DUPFD_CLOEXEC", 26),
    ("F_CANCELLK", 25),
    ("F_GETLEASE", 24),
    ("F_SETLEASE", 23),
    ("F_GETOWN_EX", 22),
    ("F_SETOWN_EX", 21),
    ("F_SETLKW64", 19),
    ("F_SETLK64", 18),
    ("F_GETLK64", 17),
    ("F_GETSIG", 15),
    ("F_SETSIG", 13),
    ("F_GETOWN", 12),
    ("F_SETOWN", 10),
    ("F_SETLKW", 9),
    ("F_SETLK", 8),
    ("F_GETLK", 6),
    ("F_SETFL", 5),
    ("F_GETFL", 4),
    ("F_SETFD", 3),
    ("F_GETFD", 2),
    ("F_DUPFD", 1),
    ("F_OFD_GETLK", 30),
    ("F_OFD_SETLK", 31),
    ("F_OFD_SETLKW", 32),
    ("UNKNOWN", 0),
];

/// The name table the event table names, when vigil knows it.
pub fn table(name: &str) -> Option<Table> {
    Some(match name {
        "file_flags" => FILE_FLAGS,
        "ptrace_requests" => PTRACE_REQUESTS,
        "socket_families" => SOCKET_FAMILIES,
        "bpf_commands" => BPF_COMMANDS,
        "chmod_mode" => CHMOD_MODE,
        "fcntl_commands" => FCNTL_COMMANDS,
        _ => return None,
    })
}

/// Render a flags value with its table as libsinsp does: names joined by `|` in table order;
/// enum flags match exactly. Empty when nothing matches.
pub fn render_flags(t: Table, value: u32, exact: bool) -> String {
    let mut out = String::new();
    let mut rest = value;
    for (name, v) in t {
        let m = if exact {
            *v == value
        } else {
            (*v == 0 && value == 0) || (*v != 0 && rest & v == *v && rest != 0)
        };
        if m {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            if exact || *v == value {
                break;
            }
            rest &= !v;
        }
    }
    out
}

/// Render a `PT_MODE` value with its table (bits, then the name of the exact value if any).
pub fn render_mode(t: Table, value: u32) -> String {
    let mut out = String::new();
    let mut rest = value;
    for (name, v) in t {
        if *v == value {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            break;
        }
        if (*v == 0 && value == 0) || (*v != 0 && rest & v == *v && rest != 0) {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            rest &= !v;
        }
    }
    out
}

static ERRNO: &[(i32, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (71, "EPROTO"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (84, "EILSEQ"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (122, "EDQUOT"),
    (125, "ECANCELED"),
    (512, "ERESTARTSYS"),
    (513, "ERESTARTNOINTR"),
    (514, "ERESTARTNOHAND"),
    (515, "ENOIOCTLCMD"),
    (516, "ERESTART_RESTARTBLOCK"),
];

/// The name of a (negative or positive) errno value, e.g. `-2` → `ENOENT`.
pub fn errno_name(v: i64) -> Option<&'static str> {
    let n = i32::try_from(v.unsigned_abs()).ok()?;
    ERRNO
        .binary_search_by_key(&n, |(k, _)| *k)
        .ok()
        .map(|i| ERRNO[i].1)
}

static CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Capability names of a capability set, space-separated (libsinsp's rendering).
pub fn caps_to_string(caps: u64) -> String {
    let mut out = String::new();
    for (i, name) in CAPS.iter().enumerate() {
        if caps & (1u64 << i) != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        assert_eq!(
            render_flags(FILE_FLAGS, O_RDONLY | O_CLOEXEC, false),
            "O_RDONLY|O_CLOEXEC"
        );
        assert_eq!(
            render_flags(FILE_FLAGS, O_WRONLY | O_CREAT | O_TRUNC, false),
            "O_TRUNC|O_CREAT|O_WRONLY"
        );
        assert_eq!(render_flags(FILE_FLAGS, 0, false), "O_NONE");
        assert_eq!(render_flags(FILE_FLAGS, O_RDWR, false), "O_RDWR");
        assert_eq!(render_flags(PTRACE_REQUESTS, 16, true), "PTRACE_GETSIGINFO");
        assert_eq!(render_flags(SOCKET_FAMILIES, 17, true), "AF_PACKET");
        assert_eq!(
            render_mode(CHMOD_MODE, 0o4755),
            "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID"
        );
        assert_eq!(errno_name(-2), Some("ENOENT"));
        assert_eq!(errno_name(-115), Some("EINPROGRESS"));
        assert_eq!(errno_name(-9999), None);
        assert!(ERRNO.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(caps_to_string((1 << 21) | 1), "CAP_CHOWN CAP_SYS_ADMIN");
    }
}
