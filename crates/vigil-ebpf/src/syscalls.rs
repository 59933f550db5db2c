//! The system calls the sensor captures: x86_64 numbers, scap event names and the exit-event
//! symbols (libs' event table) their records become.

/// `(scap event name, x86_64 syscall number, exit event symbol)`. A name may have several
/// numbers (`fchmodat2` is reported as `fchmodat`, as libs does: same parameters).
pub const SUPPORTED: &[(&str, u32, &str)] = &[
    ("open", 2, "SYSCALL_OPEN_X"),
    ("close", 3, "SYSCALL_CLOSE_X"),
    ("dup", 32, "SYSCALL_DUP_1_X"),
    ("dup2", 33, "SYSCALL_DUP2_X"),
    ("socket", 41, "SOCKET_SOCKET_X"),
    ("connect", 42, "SOCKET_CONNECT_X"),
    ("accept", 43, "SOCKET_ACCEPT_5_X"),
    ("sendto", 44, "SOCKET_SENDTO_X"),
    ("recvfrom", 45, "SOCKET_RECVFROM_X"),
    ("sendmsg", 46, "SOCKET_SENDMSG_X"),
    ("recvmsg", 47, "SOCKET_RECVMSG_X"),
    ("listen", 50, "SOCKET_LISTEN_X"),
    ("chdir", 80, "SYSCALL_CHDIR_X"),
    ("rename", 82, "SYSCALL_RENAME_X"),
    ("mkdir", 83, "SYSCALL_MKDIR_2_X"),
    ("rmdir", 84, "SYSCALL_RMDIR_2_X"),
    ("creat", 85, "SYSCALL_CREAT_X"),
    ("link", 86, "SYSCALL_LINK_2_X"),
    ("unlink", 87, "SYSCALL_UNLINK_2_X"),
    ("symlink", 88, "SYSCALL_SYMLINK_X"),
    ("chmod", 90, "SYSCALL_CHMOD_X"),
    ("fchmod", 91, "SYSCALL_FCHMOD_X"),
    ("ptrace", 101, "SYSCALL_PTRACE_X"),
    ("setuid", 105, "SYSCALL_SETUID_X"),
    ("setgid", 106, "SYSCALL_SETGID_X"),
    ("init_module", 175, "SYSCALL_INIT_MODULE_X"),
    ("openat", 257, "SYSCALL_OPENAT_2_X"),
    ("mkdirat", 258, "SYSCALL_MKDIRAT_X"),
    ("unlinkat", 263, "SYSCALL_UNLINKAT_2_X"),
    ("renameat", 264, "SYSCALL_RENAMEAT_X"),
    ("linkat", 265, "SYSCALL_LINKAT_2_X"),
    ("symlinkat", 266, "SYSCALL_SYMLINKAT_X"),
    ("fchmodat", 268, "SYSCALL_FCHMODAT_X"),
    ("unshare", 272, "SYSCALL_UNSHARE_X"),
    ("accept4", 288, "SOCKET_ACCEPT4_6_X"),
    ("dup3", 292, "SYSCALL_DUP3_X"),
    ("setns", 308, "SYSCALL_SETNS_X"),
    ("finit_module", 313, "SYSCALL_FINIT_MODULE_X"),
    ("renameat2", 316, "SYSCALL_RENAMEAT2_X"),
    ("memfd_create", 319, "SYSCALL_MEMFD_CREATE_X"),
    ("bpf", 321, "SYSCALL_BPF_2_X"),
    ("userfaultfd", 323, "SYSCALL_USERFAULTFD_X"),
    ("openat2", 437, "SYSCALL_OPENAT2_X"),
    ("fchmodat", 452, "SYSCALL_FCHMODAT_X"),
];

/// x86_64 `execve`.
pub const NR_EXECVE: u32 = 59;
/// x86_64 `execveat`.
pub const NR_EXECVEAT: u32 = 322;

/// Event types that keep the fd and cwd tables right: captured whatever the rules say
/// (libsinsp's "state" system calls), so `fd.*` and relative paths resolve.
pub const STATE_EVENTS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "close",
    "dup",
    "dup2",
    "dup3",
    "socket",
    "connect",
    "accept",
    "accept4",
    "chdir",
    "memfd_create",
];

/// The x86_64 numbers of a supported event type (none when unsupported).
pub fn nrs_of(name: &str) -> impl Iterator<Item = u32> + '_ {
    SUPPORTED.iter().filter(move |s| s.0 == name).map(|s| s.1)
}

/// The kernel's name of a syscall number (its `syscalls/sys_exit_<name>` tracepoint).
pub fn kernel_name(nr: u32) -> Option<&'static str> {
    match nr {
        452 => Some("fchmodat2"),
        _ => by_nr(nr).map(|s| s.0),
    }
}

/// The entry of a syscall number.
pub fn by_nr(nr: u32) -> Option<&'static (&'static str, u32, &'static str)> {
    SUPPORTED.iter().find(|s| s.1 == nr)
}

/// The interest-map syscall numbers for a set of event-type names (`None`: every event type
/// the sensor supports), always including [`STATE_EVENTS`]. Names the sensor does not capture
/// are returned separately.
pub fn interest_numbers<'a>(names: Option<&'a [&'a str]>) -> (Vec<u32>, Vec<&'a str>) {
    let mut nrs: Vec<u32> = STATE_EVENTS.iter().flat_map(|n| nrs_of(n)).collect();
    let mut missing = Vec::new();
    match names {
        None => nrs.extend(SUPPORTED.iter().map(|s| s.1)),
        Some(names) => {
            for n in names {
                let before = nrs.len();
                nrs.extend(nrs_of(n));
                // Process lifecycle comes from the sched tracepoints.
                let lifecycle = matches!(
                    *n,
                    "execve" | "execveat" | "clone" | "clone3" | "fork" | "vfork" | "procexit"
                );
                if nrs.len() == before && !lifecycle {
                    missing.push(*n);
                }
            }
        }
    }
    nrs.sort_unstable();
    nrs.dedup();
    (nrs, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_exist_and_names_match_the_event_table() {
        for (name, nr, sym) in SUPPORTED {
            let code = vigil_scap::code_of_symbol(sym).unwrap_or_else(|| panic!("{sym}"));
            let info = vigil_scap::event_info(code).expect("info");
            assert_eq!(info.name, *name, "{sym}");
            assert_eq!(code % 2, 1, "{sym} is an exit event");
            assert!(*nr < crate::abi::NR_MAX);
        }
        let mut nrs: Vec<_> = SUPPORTED.iter().map(|s| s.1).collect();
        nrs.sort_unstable();
        nrs.dedup();
        assert_eq!(nrs.len(), SUPPORTED.len());
    }

    #[test]
    fn interest_includes_state_syscalls() {
        let (nrs, missing) = interest_numbers(Some(&["ptrace", "execve", "fchmodat", "nope"]));
        assert!(nrs.contains(&101) && nrs.contains(&3) && nrs.contains(&257));
        assert!(nrs.contains(&268) && nrs.contains(&452));
        assert_eq!(missing, vec!["nope"]);
        let (all, _) = interest_numbers(None);
        assert_eq!(all.len(), SUPPORTED.len());
        assert_eq!(kernel_name(452), Some("fchmodat2"));
        assert_eq!(kernel_name(268), Some("fchmodat"));
    }
}
