//! The event table: the schema of every event type the libs drivers and libscap know.
//!
//! Event codes are the `ppm_event_code` numbers of falcosecurity/libs (`PPM_EVENT_MAX` = 454).
//! Even codes are enter events, odd codes exit events. Several codes can share a name: older
//! layouts of the same system call keep their code and carry [`EventFlags::OLD_VERSION`].

mod events;
mod syscalls;

/// Number of event codes in the table (`PPM_EVENT_MAX`).
pub const EVENT_MAX: u16 = 454;

/// Whether an event marks the start (enter) or the end (exit) of a system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Enter event (even code), `>` in sysdig output.
    Enter,
    /// Exit event (odd code), `<` in sysdig output.
    Exit,
}

impl Direction {
    /// The direction of an event code: even codes are enter events.
    pub fn of(code: u16) -> Direction {
        if code.is_multiple_of(2) {
            Direction::Enter
        } else {
            Direction::Exit
        }
    }

    /// `>` for enter, `<` for exit (sysdig's `evt.dir`).
    pub fn as_char(self) -> char {
        match self {
            Direction::Enter => '>',
            Direction::Exit => '<',
        }
    }
}

/// Event flags (`EF_*` in libs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventFlags(pub u32);

impl EventFlags {
    /// The event creates a file descriptor (open, socket…).
    pub const CREATES_FD: u32 = 1 << 0;
    /// The event destroys a file descriptor (close).
    pub const DESTROYS_FD: u32 = 1 << 1;
    /// The event operates on a file descriptor.
    pub const USES_FD: u32 = 1 << 2;
    /// The event reads from a file descriptor.
    pub const READS_FROM_FD: u32 = 1 << 3;
    /// The event writes to a file descriptor.
    pub const WRITES_TO_FD: u32 = 1 << 4;
    /// The event changes machine state and must not be dropped.
    pub const MODIFIES_STATE: u32 = 1 << 5;
    /// The event code is not used.
    pub const UNUSED: u32 = 1 << 6;
    /// The event waits.
    pub const WAITS: u32 = 1 << 7;
    /// The event does not reset the parser's last-event tracker.
    pub const SKIP_PARSE_RESET: u32 = 1 << 8;
    /// An older layout kept for reading old captures.
    pub const OLD_VERSION: u32 = 1 << 9;
    /// Parameter lengths are `u32` instead of `u16`.
    pub const LARGE_PAYLOAD: u32 = 1 << 11;
    /// The old-capture converter has rules for this event.
    pub const CONVERTER_MANAGED: u32 = 1 << 12;

    /// Whether every bit of `flag` is set.
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// Parameter types (`PT_*` in libs); the discriminant is the libs number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum ParamType {
    None = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Uint8 = 5,
    Uint16 = 6,
    Uint32 = 7,
    Uint64 = 8,
    /// NUL-terminated printable string.
    CharBuf = 9,
    /// Raw bytes.
    ByteBuf = 10,
    /// `i64`; negative values are `-errno`.
    Errno = 11,
    /// 1 byte family + address data.
    SockAddr = 12,
    /// 1 byte family + source and destination.
    SockTuple = 13,
    /// `i64` file descriptor.
    Fd = 14,
    /// `i64` pid/tid.
    Pid = 15,
    /// `u16` count + count × (`u64` fd, `u16` flags).
    FdList = 16,
    /// NUL-terminated path.
    FsPath = 17,
    /// `u16` system call id (ppm_sc code).
    SyscallId = 18,
    /// `u8` signal number.
    SigType = 19,
    /// `u64` nanoseconds.
    RelTime = 20,
    /// `u64` nanoseconds since the epoch.
    AbsTime = 21,
    Port = 22,
    L4Proto = 23,
    SockFamily = 24,
    /// `u32` boolean.
    Bool = 25,
    Ipv4Addr = 26,
    /// First byte selects the real type from a per-parameter table.
    Dyn = 27,
    Flags8 = 28,
    Flags16 = 29,
    Flags32 = 30,
    Uid = 31,
    Gid = 32,
    Double = 33,
    SigSet = 34,
    CharBufArray = 35,
    CharBufPairArray = 36,
    Ipv4Net = 37,
    Ipv6Addr = 38,
    Ipv6Net = 39,
    IpAddr = 40,
    IpNet = 41,
    /// `u32` file mode bits.
    Mode = 42,
    /// NUL-terminated path relative to a dirfd parameter.
    FsRelPath = 43,
    EnumFlags8 = 44,
    EnumFlags16 = 45,
    EnumFlags32 = 46,
    /// `i32` file descriptor.
    Fd32 = 47,
    /// `i32` pid.
    Pid32 = 48,
}

impl ParamType {
    /// The fixed encoded size of the type, or `None` for variable-length types.
    pub fn fixed_size(self) -> Option<usize> {
        use ParamType::*;
        Some(match self {
            Int8 | Uint8 | Flags8 | EnumFlags8 | SigType | L4Proto | SockFamily => 1,
            Int16 | Uint16 | Flags16 | EnumFlags16 | SyscallId | Port => 2,
            Int32 | Uint32 | Flags32 | EnumFlags32 | Uid | Gid | Mode | SigSet | Fd32 | Pid32
            | Ipv4Addr | Bool => 4,
            Int64 | Uint64 | RelTime | AbsTime | Errno | Fd | Pid | Double => 8,
            Ipv6Addr => 16,
            _ => return Option::None,
        })
    }

    /// The libs name of the type as sysdig prints it (`FD`, `FSPATH`…).
    pub fn name(self) -> &'static str {
        use ParamType::*;
        match self {
            None => "NONE",
            Int8 => "INT8",
            Int16 => "INT16",
            Int32 => "INT32",
            Int64 => "INT64",
            Uint8 => "UINT8",
            Uint16 => "UINT16",
            Uint32 => "UINT32",
            Uint64 => "UINT64",
            CharBuf => "CHARBUF",
            ByteBuf => "BYTEBUF",
            Errno => "ERRNO",
            SockAddr => "SOCKADDR",
            SockTuple => "SOCKTUPLE",
            Fd => "FD",
            Pid => "PID",
            FdList => "FDLIST",
            FsPath => "FSPATH",
            SyscallId => "SYSCALLID",
            SigType => "SIGTYPE",
            RelTime => "RELTIME",
            AbsTime => "ABSTIME",
            Port => "PORT",
            L4Proto => "L4PROTO",
            SockFamily => "SOCKFAMILY",
            Bool => "BOOL",
            Ipv4Addr => "IPV4ADDR",
            Dyn => "DYNAMIC",
            Flags8 => "FLAGS8",
            Flags16 => "FLAGS16",
            Flags32 => "FLAGS32",
            Uid => "UID",
            Gid => "GID",
            Double => "DOUBLE",
            SigSet => "SIGSET",
            CharBufArray => "CHARBUFARRAY",
            CharBufPairArray => "CHARBUF_PAIR_ARRAY",
            Ipv4Net => "IPV4NET",
            Ipv6Addr => "IPV6ADDR",
            Ipv6Net => "IPV6NET",
            IpAddr => "IPADDR",
            IpNet => "IPNET",
            Mode => "MODE",
            FsRelPath => "FSRELPATH",
            EnumFlags8 => "ENUMFLAGS8",
            EnumFlags16 => "ENUMFLAGS16",
            EnumFlags32 => "ENUMFLAGS32",
            Fd32 => "FD32",
            Pid32 => "PID32",
        }
    }
}

/// How a numeric parameter is printed (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrintFormat {
    /// Not applicable.
    Na,
    /// Decimal.
    Dec,
    /// Hexadecimal.
    Hex,
    /// Decimal padded to 10 digits.
    PaddedDec,
    /// An id.
    Id,
    /// A direction.
    Dir,
    /// Octal.
    Oct,
}

/// Extra information attached to a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamExtra {
    /// Nothing.
    None,
    /// The name of the libs flag table (e.g. `file_flags`) for flags/enum-flags parameters.
    Flags(&'static str),
    /// For [`ParamType::FsRelPath`]: index of the dirfd parameter the path is relative to.
    DirFd(u8),
    /// For [`ParamType::Dyn`]: the possible types, indexed by the first byte of the value.
    Dyn(&'static [ParamType]),
}

/// One parameter of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Parameter name (`evt.arg.NAME`).
    pub name: &'static str,
    /// Encoded type.
    pub ty: ParamType,
    /// Print format.
    pub fmt: PrintFormat,
    /// Flag table, dirfd reference or dynamic types.
    pub extra: ParamExtra,
}

/// The schema of one event code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    /// The event code.
    pub code: u16,
    /// The libs enum name without the `PPME_` prefix (e.g. `SYSCALL_OPEN_X`).
    pub symbol: &'static str,
    /// The event name (`evt.type`), e.g. `open`; `NA` for unused codes.
    pub name: &'static str,
    /// Category bits (`EC_*`).
    pub category: u32,
    /// Event flags.
    pub flags: EventFlags,
    /// Parameters in order.
    pub params: &'static [ParamInfo],
}

impl EventInfo {
    /// Enter or exit.
    pub fn direction(&self) -> Direction {
        Direction::of(self.code)
    }

    /// Whether parameter lengths are encoded on 4 bytes.
    pub fn is_large_payload(&self) -> bool {
        self.flags.has(EventFlags::LARGE_PAYLOAD)
    }

    /// Whether this is an older layout kept for reading old captures.
    pub fn is_old_version(&self) -> bool {
        self.flags.has(EventFlags::OLD_VERSION)
    }

    /// Whether the code is unused.
    pub fn is_unused(&self) -> bool {
        self.flags.has(EventFlags::UNUSED)
    }

    /// Index of the parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

const fn p(name: &'static str, ty: ParamType, fmt: PrintFormat) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::None,
    }
}

const fn p_flags(
    name: &'static str,
    ty: ParamType,
    fmt: PrintFormat,
    table: &'static str,
) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::Flags(table),
    }
}

const fn p_dirfd(name: &'static str, ty: ParamType, fmt: PrintFormat, dirfd: u8) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::DirFd(dirfd),
    }
}

const fn p_dyn(
    name: &'static str,
    ty: ParamType,
    fmt: PrintFormat,
    types: &'static [ParamType],
) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::Dyn(types),
    }
}

/// Dynamic types of the `val` parameter of setsockopt/getsockopt.
static SOCKOPT_DYN: [ParamType; 5] = [
    ParamType::ByteBuf,
    ParamType::Errno,
    ParamType::Uint32,
    ParamType::Uint64,
    ParamType::RelTime,
];
/// Dynamic types of the `addr`/`data` parameters of ptrace.
static PTRACE_DYN: [ParamType; 2] = [ParamType::Uint64, ParamType::SigType];
/// Dynamic types of the `res_or_fd` parameter of bpf.
static BPF_DYN: [ParamType; 2] = [ParamType::Fd, ParamType::Errno];
/// Dynamic types of keyctl's arguments.
static KEYCTL_DYN: [ParamType; 2] = [ParamType::Int64, ParamType::CharBuf];

/// The schema of an event code, or `None` for codes past the table (newer than libs 0.25).
pub fn event_info(code: u16) -> Option<&'static EventInfo> {
    events::EVENTS.get(usize::from(code))
}

/// Every entry of the table, indexed by code.
pub fn all_events() -> &'static [EventInfo] {
    &events::EVENTS
}

/// The current (not old, not unused) event codes with the given name, e.g. `open` →
/// `[SYSCALL_OPEN_E, SYSCALL_OPEN_X]`.
pub fn codes_for_name(name: &str) -> impl Iterator<Item = u16> + '_ {
    events::EVENTS
        .iter()
        .filter(move |e| e.name == name && !e.is_unused())
        .map(|e| e.code)
}

/// The code of an event by its libs symbol without `PPME_` (e.g. `SYSCALL_OPENAT_2_X`).
pub fn code_of_symbol(symbol: &str) -> Option<u16> {
    events::EVENTS
        .iter()
        .find(|e| e.symbol == symbol)
        .map(|e| e.code)
}

/// The name of a system call id (`PT_SYSCALLID` value, a ppm_sc code), e.g. `madvise`.
pub fn syscall_name(id: u16) -> Option<&'static str> {
    syscalls::SYSCALL_NAMES.get(usize::from(id)).copied()
}

/// The system call id of a name (inverse of [`syscall_name`]).
pub fn syscall_id(name: &str) -> Option<u16> {
    syscalls::SYSCALL_NAMES
        .iter()
        .position(|n| *n == name)
        .and_then(|i| u16::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_code() {
        for (i, e) in all_events().iter().enumerate() {
            assert_eq!(usize::from(e.code), i);
            for p in e.params {
                if let ParamExtra::DirFd(d) = p.extra {
                    assert!(usize::from(d) < e.params.len(), "{}", e.symbol);
                }
            }
        }
        assert_eq!(all_events().len(), usize::from(EVENT_MAX));
    }

    #[test]
    fn well_known_entries() {
        let open_x = event_info(3).expect("open_x");
        assert_eq!(open_x.name, "open");
        assert_eq!(open_x.direction(), Direction::Exit);
        assert_eq!(open_x.params[0].name, "fd");
        assert_eq!(open_x.params[0].ty, ParamType::Fd);
        let execve = code_of_symbol("SYSCALL_EXECVE_19_X").expect("execve 19");
        assert_eq!(event_info(execve).map(|e| e.name), Some("execve"));
        assert_eq!(
            syscall_name(syscall_id("madvise").expect("id")),
            Some("madvise")
        );
        let large = code_of_symbol("CONTAINER_JSON_2_E").expect("cj2");
        assert!(event_info(large).is_some_and(|e| e.is_large_payload()));
    }
}
