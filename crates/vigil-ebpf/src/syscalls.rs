//! The system calls the sensor captures: x86_64 numbers, scap event names and the exit-event
//! symbols (libs' event table) their records become.

/// `(scap event name, x86_64 syscall number, exit event symbol)`.
pub const SUPPORTED: &[(&str, u32, &str)] = &[
    ("open", 2, "SYSCALL_OPEN_X"),
    ("close", 3, "SYSCALL_CLOSE_X"),
    ("dup", 32, "SYSCALL_DUP_1_X"),
    ("dup2", 33, "SYSCALL_DUP2_X"),
    ("socket", 41, "SOCKET_SOCKET_X"),
    ("connect", 42, "SOCKET_CONNECT_X"),
    ("accept", 43, "SOCKET_ACCEPT_5_X"),
    ("chdir", 80, "SYSCALL_CHDIR_X"),
    ("rename", 82, "SYSCALL_RENAME_X"),
    ("creat", 85, "SYSCALL_CREAT_X"),
    ("link", 86, "SYSCALL_LINK_2_X"),
    ("unlink", 87, "SYSCALL_UNLINK_2_X"),
    ("symlink", 88, "SYSCALL_SYMLINK_X"),
    ("ptrace", 101, "SYSCALL_PTRACE_X"),
    ("init_module", 175, "SYSCALL_INIT_MODULE_X"),
    ("openat", 257, "SYSCALL_OPENAT_2_X"),
    ("unlinkat", 263, "SYSCALL_UNLINKAT_2_X"),
    ("renameat", 264, "SYSCALL_RENAMEAT_X"),
    ("linkat", 265, "SYSCALL_LINKAT_2_X"),
    ("symlinkat", 266, "SYSCALL_SYMLINKAT_X"),
    ("unshare", 272, "SYSCALL_UNSHARE_X"),
    ("accept4", 288, "SOCKET_ACCEPT4_6_X"),
    ("dup3", 292, "SYSCALL_DUP3_X"),
    ("setns", 308, "SYSCALL_SETNS_X"),
    ("finit_module", 313, "SYSCALL_FINIT_MODULE_X"),
    ("renameat2", 316, "SYSCALL_RENAMEAT2_X"),
    ("memfd_create", 319, "SYSCALL_MEMFD_CREATE_X"),
    ("openat2", 437, "SYSCALL_OPENAT2_X"),
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

/// The x86_64 number of a supported event type.
pub fn nr_of(name: &str) -> Option<u32> {
    SUPPORTED.iter().find(|s| s.0 == name).map(|s| s.1)
}

/// The entry of a syscall number.
pub fn by_nr(nr: u32) -> Option<&'static (&'static str, u32, &'static str)> {
    SUPPORTED.iter().find(|s| s.1 == nr)
}

/// The interest-map syscall numbers for a set of event-type names (`None`: every event type
/// the sensor supports), always including [`STATE_EVENTS`]. Names the sensor does not capture
/// are returned separately.
pub fn interest_numbers<'a>(names: Option<&'a [&'a str]>) -> (Vec<u32>, Vec<&'a str>) {
    let mut nrs: Vec<u32> = STATE_EVENTS.iter().filter_map(|n| nr_of(n)).collect();
    let mut missing = Vec::new();
    match names {
        None => nrs.extend(SUPPORTED.iter().map(|s| s.1)),
        Some(names) => {
            for n in names {
                match nr_of(n) {
                    Some(nr) => nrs.push(nr),
                    // Process lifecycle comes from the sched tracepoints.
                    None if matches!(
                        *n,
                        "execve" | "execveat" | "clone" | "clone3" | "fork" | "vfork" | "procexit"
                    ) => {}
                    None => missing.push(*n),
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
        let (nrs, missing) = interest_numbers(Some(&["ptrace", "execve", "bpf"]));
        assert!(nrs.contains(&101) && nrs.contains(&3) && nrs.contains(&257));
        assert_eq!(missing, vec!["bpf"]);
        let (all, _) = interest_numbers(None);
        assert_eq!(all.len(), SUPPORTED.len());
    }
}
