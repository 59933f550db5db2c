//! The Rust mirror of `bpf/events.h`: the kernel/user record layout.
//!
//! Records are decoded from the ring buffer's bytes field by field at the offsets of these
//! `#[repr(C)]` mirrors (no transmutes); the tests parse the header's `VG_ASSERT_*` lines and
//! check every size and offset against the mirrors, and clang checks the same assertions
//! against the C structs when it builds the object.

#![allow(missing_docs)]

use std::mem::{offset_of, size_of};

/// `VG_ABI_VERSION`.
pub const ABI_VERSION: u16 = 6;
/// `VG_PATH_MAX`.
pub const PATH_MAX: usize = 256;
/// `VG_ARGS_MAX`.
pub const ARGS_MAX: usize = 1024;
/// `VG_ADDR_MAX`.
pub const ADDR_MAX: usize = 128;
/// `VG_COMM_LEN`.
pub const COMM_LEN: usize = 16;
/// `VG_NR_MAX`: entries of the interest map.
pub const NR_MAX: u32 = 512;
/// `VG_CWD_MAX`.
pub const CWD_MAX: usize = 512;

/// `enum vg_kind`.
pub mod kind {
    pub const SYSCALL: u16 = 1;
    pub const EXEC: u16 = 2;
    pub const FORK: u16 = 3;
    pub const EXIT: u16 = 4;
}

/// `enum vg_stat`: indexes of the per-CPU `stats` map.
pub mod stat {
    pub const SUBMITTED: u32 = 0;
    pub const DROPPED: u32 = 1;
    pub const STR_ERR: u32 = 2;
    pub const SOCK_ERR: u32 = 3;
    pub const DROPPED_SYSCALL: u32 = 4;
    pub const DROPPED_EXEC: u32 = 5;
    pub const DROPPED_FORK: u32 = 6;
    pub const DROPPED_EXIT: u32 = 7;
    pub const ARGS_ERR: u32 = 8;
    pub const CWD_ERR: u32 = 9;
    pub const MAX: u32 = 10;
}

/// `VG_EXEC_FROM_MEMFD`.
pub const EXEC_FROM_MEMFD: u32 = 1;
/// `VG_EXEC_UPPER_LAYER`.
pub const EXEC_UPPER_LAYER: u32 = 2;
/// `VG_EXEC_CWD_COMPLETE`.
pub const EXEC_CWD_COMPLETE: u32 = 4;
/// `VG_FORK_CHILD`.
pub const FORK_CHILD: u32 = 1;

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct VgHeader {
    pub ts_boot_ns: u64,
    pub cgroup_id: u64,
    pub tgid: u32,
    pub tid: u32,
    pub kind: u16,
    pub version: u16,
    pub size: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct VgSock {
    pub family: u16,
    pub sport: u16,
    pub dport: u16,
    pub l4proto: u16,
    pub saddr: [u8; 16],
    pub daddr: [u8; 16],
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VgSyscall {
    pub h: VgHeader,
    pub ret: i64,
    pub args: [u64; 6],
    pub nr: u32,
    pub str_len: [u16; 2],
    pub sock: VgSock,
    pub addr_len: u32,
    pub pad: u32,
    pub str: [[u8; PATH_MAX]; 2],
    pub addr: [u8; ADDR_MAX],
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VgExec {
    pub h: VgHeader,
    pub ppid: u32,
    pub uid: u32,
    pub gid: u32,
    pub loginuid: u32,
    pub cap_inheritable: u64,
    pub cap_permitted: u64,
    pub cap_effective: u64,
    pub exe_ino: u64,
    pub nr: u32,
    pub flags: u32,
    pub filename_len: u16,
    pub args_len: u16,
    pub tty: u32,
    pub comm: [u8; COMM_LEN],
    pub filename: [u8; PATH_MAX],
    pub args: [u8; ARGS_MAX],
    pub exe_ctime_ns: u64,
    pub exe_mtime_ns: u64,
    pub cwd_len: u16,
    pub pad2: u16,
    pub pgid: i32,
    pub cwd: [u8; CWD_MAX],
    pub env_len: u16,
    pub pad3: [u16; 3],
    pub env: [u8; ARGS_MAX],
    pub fdlimit: u64,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VgFork {
    pub h: VgHeader,
    pub child_tgid: u32,
    pub child_tid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub gid: u32,
    pub pad: u32,
    pub comm: [u8; COMM_LEN],
    pub child_vtid: u32,
    pub child_vpid: u32,
    pub pidns_init_start_ns: u64,
    pub flags: u32,
    pub pad2: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VgExit {
    pub h: VgHeader,
    pub exit_code: i32,
    pub pad: u32,
}

/// Bounds-checked little-endian reads at fixed offsets of a record.
#[derive(Debug, Clone, Copy)]
pub struct Rec<'a>(pub &'a [u8]);

impl<'a> Rec<'a> {
    fn arr<const N: usize>(&self, off: usize) -> Option<[u8; N]> {
        self.0.get(off..off + N)?.try_into().ok()
    }
    pub fn u16(&self, off: usize) -> Option<u16> {
        self.arr(off).map(u16::from_le_bytes)
    }
    pub fn u32(&self, off: usize) -> Option<u32> {
        self.arr(off).map(u32::from_le_bytes)
    }
    pub fn i32(&self, off: usize) -> Option<i32> {
        self.arr(off).map(i32::from_le_bytes)
    }
    pub fn u64(&self, off: usize) -> Option<u64> {
        self.arr(off).map(u64::from_le_bytes)
    }
    pub fn i64(&self, off: usize) -> Option<i64> {
        self.arr(off).map(i64::from_le_bytes)
    }
    pub fn bytes(&self, off: usize, len: usize) -> Option<&'a [u8]> {
        self.0.get(off..off.checked_add(len)?)
    }
    /// A NUL-terminated string of at most `max` bytes at `off`, without the NUL.
    pub fn cstr(&self, off: usize, max: usize) -> Option<&'a [u8]> {
        let b = self.0.get(off..off.checked_add(max)?)?;
        Some(&b[..b.iter().position(|c| *c == 0).unwrap_or(b.len())])
    }

    pub fn header(&self) -> Option<VgHeader> {
        Some(VgHeader {
            ts_boot_ns: self.u64(offset_of!(VgHeader, ts_boot_ns))?,
            cgroup_id: self.u64(offset_of!(VgHeader, cgroup_id))?,
            tgid: self.u32(offset_of!(VgHeader, tgid))?,
            tid: self.u32(offset_of!(VgHeader, tid))?,
            kind: self.u16(offset_of!(VgHeader, kind))?,
            version: self.u16(offset_of!(VgHeader, version))?,
            size: self.u32(offset_of!(VgHeader, size))?,
        })
    }
}

/// The smallest record of a kind: syscall records stop after their fixed part, their first
/// string or run whole (the header's `size`); the others are whole.
pub fn min_record_size(kind: u16) -> Option<usize> {
    match kind {
        kind::SYSCALL => Some(offset_of!(VgSyscall, str)),
        k => record_size(k),
    }
}

/// Expected (largest) record size of a kind.
pub fn record_size(kind: u16) -> Option<usize> {
    Some(match kind {
        kind::SYSCALL => size_of::<VgSyscall>(),
        kind::EXEC => size_of::<VgExec>(),
        kind::FORK => size_of::<VgFork>(),
        kind::EXIT => size_of::<VgExit>(),
        _ => return None,
    })
}

/// `(struct, field) → offset` of the mirrors, for the layout test.
#[cfg(test)]
fn mirror_offset(s: &str, f: &str) -> Option<usize> {
    macro_rules! m {
        ($t:ty; $($f:ident),*) => {
            match f { $(stringify!($f) => Some(offset_of!($t, $f)),)* _ => None }
        };
    }
    match s {
        "vg_header" => m!(VgHeader; ts_boot_ns, cgroup_id, tgid, tid, kind, version, size),
        "vg_sock" => m!(VgSock; family, sport, dport, l4proto, saddr, daddr),
        "vg_syscall" => m!(VgSyscall; h, ret, args, nr, str_len, sock, addr_len, pad, str, addr),
        "vg_exec" => m!(VgExec; h, ppid, uid, gid, loginuid, cap_inheritable, cap_permitted,
            cap_effective, exe_ino, nr, flags, filename_len, args_len, tty, comm, filename, args,
            exe_ctime_ns, exe_mtime_ns, cwd_len, pad2, pgid, cwd, env_len, pad3, env, fdlimit),
        "vg_fork" => m!(VgFork; h, child_tgid, child_tid, ppid, uid, gid, pad, comm, child_vtid,
            child_vpid, pidns_init_start_ns, flags, pad2),
        "vg_exit" => m!(VgExit; h, exit_code, pad),
        _ => None,
    }
}

#[cfg(test)]
fn mirror_size(s: &str) -> Option<usize> {
    Some(match s {
        "vg_header" => size_of::<VgHeader>(),
        "vg_sock" => size_of::<VgSock>(),
        "vg_syscall" => size_of::<VgSyscall>(),
        "vg_exec" => size_of::<VgExec>(),
        "vg_fork" => size_of::<VgFork>(),
        "vg_exit" => size_of::<VgExit>(),
        _ => return None,
    })
}

/// The header text, for tests.
#[cfg(test)]
pub(crate) const EVENTS_H: &str = include_str!("../bpf/events.h");

#[cfg(test)]
mod tests {
    use super::*;

    fn define(name: &str) -> u64 {
        let line = EVENTS_H
            .lines()
            .find(|l| l.starts_with(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("no #define {name}"));
        let v = line.split_whitespace().nth(2).expect("value");
        v.parse().unwrap_or_else(|_| panic!("{name}: {v}"))
    }

    fn enum_value(name: &str) -> u64 {
        let line = EVENTS_H
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("{name} =")))
            .unwrap_or_else(|| panic!("no enumerator {name}"));
        let v = line.split('=').nth(1).expect("value");
        let v = v.split(',').next().expect("value").trim();
        v.parse().unwrap_or_else(|_| panic!("{name}: {v}"))
    }

    #[test]
    fn constants_match_header() {
        assert_eq!(define("VG_ABI_VERSION"), u64::from(ABI_VERSION));
        assert_eq!(define("VG_PATH_MAX"), PATH_MAX as u64);
        assert_eq!(define("VG_ARGS_MAX"), ARGS_MAX as u64);
        assert_eq!(define("VG_ADDR_MAX"), ADDR_MAX as u64);
        assert_eq!(define("VG_COMM_LEN"), COMM_LEN as u64);
        assert_eq!(define("VG_NR_MAX"), u64::from(NR_MAX));
        assert_eq!(define("VG_CWD_MAX"), CWD_MAX as u64);
        assert_eq!(define("VG_EXEC_FROM_MEMFD"), u64::from(EXEC_FROM_MEMFD));
        assert_eq!(define("VG_EXEC_UPPER_LAYER"), u64::from(EXEC_UPPER_LAYER));
        assert_eq!(define("VG_EXEC_CWD_COMPLETE"), u64::from(EXEC_CWD_COMPLETE));
        assert_eq!(define("VG_FORK_CHILD"), u64::from(FORK_CHILD));
        assert_eq!(enum_value("VG_KIND_SYSCALL"), u64::from(kind::SYSCALL));
        assert_eq!(enum_value("VG_KIND_EXEC"), u64::from(kind::EXEC));
        assert_eq!(enum_value("VG_KIND_FORK"), u64::from(kind::FORK));
        assert_eq!(enum_value("VG_KIND_EXIT"), u64::from(kind::EXIT));
        assert_eq!(enum_value("VG_STAT_SUBMITTED"), u64::from(stat::SUBMITTED));
        assert_eq!(enum_value("VG_STAT_DROPPED"), u64::from(stat::DROPPED));
        assert_eq!(enum_value("VG_STAT_STR_ERR"), u64::from(stat::STR_ERR));
        assert_eq!(enum_value("VG_STAT_SOCK_ERR"), u64::from(stat::SOCK_ERR));
        assert_eq!(
            enum_value("VG_STAT_DROPPED_SYSCALL"),
            u64::from(stat::DROPPED_SYSCALL)
        );
        assert_eq!(
            enum_value("VG_STAT_DROPPED_EXEC"),
            u64::from(stat::DROPPED_EXEC)
        );
        assert_eq!(
            enum_value("VG_STAT_DROPPED_FORK"),
            u64::from(stat::DROPPED_FORK)
        );
        assert_eq!(
            enum_value("VG_STAT_DROPPED_EXIT"),
            u64::from(stat::DROPPED_EXIT)
        );
        assert_eq!(enum_value("VG_STAT_ARGS_ERR"), u64::from(stat::ARGS_ERR));
        assert_eq!(enum_value("VG_STAT_CWD_ERR"), u64::from(stat::CWD_ERR));
        assert_eq!(enum_value("VG_STAT_MAX"), u64::from(stat::MAX));
    }

    /// Every `VG_ASSERT_SIZE` / `VG_ASSERT_OFF` of events.h holds for the Rust mirror, and
    /// every field of every mirror struct is pinned by one.
    #[test]
    fn layout_matches_header_asserts() {
        let mut sizes = 0;
        let mut offs = Vec::new();
        for line in EVENTS_H.lines() {
            let args = |p: &str| -> Option<Vec<String>> {
                let rest = line.strip_prefix(p)?.strip_suffix(");")?;
                Some(rest.split(',').map(|s| s.trim().to_string()).collect())
            };
            if let Some(a) = args("VG_ASSERT_SIZE(") {
                let n: usize = a[1].parse().expect("size");
                assert_eq!(mirror_size(&a[0]), Some(n), "sizeof {}", a[0]);
                sizes += 1;
            } else if let Some(a) = args("VG_ASSERT_OFF(") {
                let n: usize = a[2].parse().expect("offset");
                assert_eq!(mirror_offset(&a[0], &a[1]), Some(n), "{}.{}", a[0], a[1]);
                offs.push((a[0].clone(), a[1].clone()));
            }
        }
        assert_eq!(sizes, 6);
        assert!(offs.len() >= 40, "{}", offs.len());
        for k in [kind::SYSCALL, kind::EXEC, kind::FORK, kind::EXIT] {
            assert!(record_size(k).is_some_and(|n| n % 8 == 0));
        }
    }

    #[test]
    fn rec_reads_are_bounds_checked() {
        let r = Rec(&[1, 0, 0, 0, b'a', b'b', 0, b'c']);
        assert_eq!(r.u32(0), Some(1));
        assert_eq!(r.u64(4), None);
        assert_eq!(r.cstr(4, 4), Some(&b"ab"[..]));
        assert_eq!(r.cstr(6, 4), None);
        assert!(r.header().is_none());
    }
}
