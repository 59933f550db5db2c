//! Start-up state from /proc (processes, threads, fds) and /etc (users, groups), as the
//! process-list, fd-list and user-list blocks a capture would carry; and the per-exec extras
//! (cwd, cgroups, environment) a kernel record does not carry.

use std::fs;
use std::path::Path;

use vigil_scap::{FdDetail, FdInfo, GroupInfo, ThreadInfo, UserInfo, UserList, fd_type};

use crate::convert::open_flags_to_ppm;

/// What an exec event takes from /proc.
#[derive(Debug, Clone, Default)]
pub struct ExecExtras {
    /// Working directory.
    pub cwd: String,
    /// `/proc/PID/exe`.
    pub exepath: Option<String>,
    /// Cgroups as `subsys=path\0…`.
    pub cgroups: Vec<u8>,
    /// Environment, NUL-separated.
    pub env: Vec<u8>,
}

fn link(p: &Path) -> Option<String> {
    fs::read_link(p)
        .ok()
        .map(|l| l.to_string_lossy().into_owned())
}

/// `/proc/PID/cgroup` → libs' `subsys=path` entries, NUL-separated.
pub fn cgroups_of(dir: &Path) -> Vec<u8> {
    let Ok(text) = fs::read_to_string(dir.join("cgroup")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let mut it = line.splitn(3, ':');
        let (_, ctrls, path) = match (it.next(), it.next(), it.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => continue,
        };
        let ctrls = if ctrls.is_empty() { "unified" } else { ctrls };
        for c in ctrls.split(',') {
            let c = c.strip_prefix("name=").unwrap_or(c);
            out.extend_from_slice(c.as_bytes());
            out.push(b'=');
            out.extend_from_slice(path.as_bytes());
            out.push(0);
        }
    }
    out
}

fn stat_fields(dir: &Path) -> Vec<String> {
    // Fields after the `(comm)`; comm may contain spaces and parentheses.
    let Ok(s) = fs::read_to_string(dir.join("stat")) else {
        return Vec::new();
    };
    match s.rfind(')') {
        Some(i) => s[i + 1..].split_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

fn fdlimit(dir: &Path) -> u64 {
    fs::read_to_string(dir.join("limits"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The extras of a live process (empty values when it is gone).
pub fn exec_extras(pid: u32) -> ExecExtras {
    let dir = Path::new("/proc").join(pid.to_string());
    ExecExtras {
        cwd: link(&dir.join("cwd")).unwrap_or_default(),
        exepath: link(&dir.join("exe")),
        cgroups: cgroups_of(&dir),
        env: fs::read(dir.join("environ")).unwrap_or_default(),
    }
}

/// cgroup v2 ids → paths, from walks of the v2 hierarchy (the id of a cgroup is the inode
/// number of its directory). A record carries the id of its task's cgroup, so the cgroups of
/// a process that exited before its exec record was read are still known.
#[derive(Debug, Default)]
struct CgroupPaths {
    /// Where cgroup2 is mounted (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid
    /// host); `None` before the first look-up, empty when there is none.
    root: Option<std::path::PathBuf>,
    paths: std::collections::HashMap<u64, String>,
    /// Ids a fresh walk did not find (removed cgroups): not walked for again.
    missing: std::collections::HashSet<u64>,
}

static CGROUP_PATHS: std::sync::Mutex<Option<CgroupPaths>> = std::sync::Mutex::new(None);

/// The cgroup2 mount point, from /proc/self/mountinfo.
fn cgroup2_root() -> std::path::PathBuf {
    fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let (pre, post) = l.split_once(" - ")?;
            post.starts_with("cgroup2 ")
                .then(|| pre.split(' ').nth(4).map(std::path::PathBuf::from))?
        })
        .unwrap_or_default()
}

fn walk_cgroups(dir: &Path, rel: &str, out: &mut std::collections::HashMap<u64, String>) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(m) = fs::metadata(dir) {
        out.insert(
            m.ino(),
            if rel.is_empty() {
                "/".into()
            } else {
                rel.into()
            },
        );
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.filter_map(Result::ok) {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let name = e.file_name();
            let child = format!("{rel}/{}", name.to_string_lossy());
            walk_cgroups(&e.path(), &child, out);
        }
    }
}

/// The cgroup v2 path (`/libpod_parent/libpod-<id>`) of a cgroup id, walking the hierarchy
/// again when the id is new.
pub fn cgroup_v2_path(id: u64) -> Option<String> {
    if id == 0 {
        return None;
    }
    let mut guard = CGROUP_PATHS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let c = guard.get_or_insert_with(CgroupPaths::default);
    if let Some(p) = c.paths.get(&id) {
        return Some(p.clone());
    }
    if c.missing.contains(&id) {
        return None;
    }
    let root = c.root.get_or_insert_with(cgroup2_root).clone();
    if root.as_os_str().is_empty() {
        return None;
    }
    let mut paths = std::collections::HashMap::new();
    walk_cgroups(&root, "", &mut paths);
    c.paths = paths;
    match c.paths.get(&id) {
        Some(p) => Some(p.clone()),
        None => {
            c.missing.insert(id);
            None
        }
    }
}

/// The cgroups parameter for a task known only by its cgroup v2 id: `unified=<path>`, as
/// [`cgroups_of`] writes the v2 line of /proc/PID/cgroup.
pub fn cgroups_of_id(id: u64) -> Vec<u8> {
    cgroup_v2_path(id).map_or_else(Vec::new, |p| {
        let mut v = b"unified=".to_vec();
        v.extend_from_slice(p.as_bytes());
        v.push(0);
        v
    })
}

fn status_map(dir: &Path) -> Vec<(String, String)> {
    fs::read_to_string(dir.join("status"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

fn status_get<'a>(m: &'a [(String, String)], k: &str) -> Option<&'a str> {
    m.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
}

fn first_num<T: std::str::FromStr>(v: Option<&str>) -> Option<T> {
    v?.split_whitespace().next()?.parse().ok()
}

fn last_num(v: Option<&str>) -> Option<i64> {
    v?.split_whitespace().last()?.parse().ok()
}

fn hex(v: Option<&str>) -> u64 {
    v.and_then(|s| u64::from_str_radix(s, 16).ok()).unwrap_or(0)
}

/// libscap's `SCAP_MAX_PATH_SIZE`: readers (sysdig's included) reject longer paths and names
/// in process and fd lists, and libscap's own /proc scan never produces them.
const MAX_PATH: usize = 1024;
/// libscap's `SCAP_MAX_ARGS_SIZE` / `SCAP_MAX_ENV_SIZE` / `SCAP_MAX_CGROUPS_SIZE`.
const MAX_LIST: usize = 4096;

/// `s` cut to less than `max` bytes, at a character boundary.
fn cap_str(mut s: String, max: usize) -> String {
    if s.len() >= max {
        let mut end = max - 1;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// A NUL-separated list cut to less than `max` bytes, still NUL-terminated.
fn cap_list(mut v: Vec<u8>, max: usize) -> Vec<u8> {
    if v.len() >= max {
        v.truncate(max - 2);
        v.push(0);
    }
    v
}

/// One thread as a process-list entry, within libscap's size limits.
fn thread_info(pid: u32, tid: u32, pdir: &Path, tdir: &Path) -> Option<ThreadInfo> {
    let st = status_map(tdir);
    if st.is_empty() {
        return None;
    }
    let stat = stat_fields(pdir);
    let cmdline = fs::read(pdir.join("cmdline")).unwrap_or_default();
    let (exe, args) = match cmdline.iter().position(|c| *c == 0) {
        Some(i) => (&cmdline[..i], cmdline[i + 1..].to_vec()),
        None => (&cmdline[..], Vec::new()),
    };
    let comm = fs::read_to_string(tdir.join("comm"))
        .unwrap_or_default()
        .trim_end_matches('\n')
        .to_string();
    let loginuid = fs::read_to_string(pdir.join("loginuid"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(u32::MAX);
    Some(ThreadInfo {
        tid: u64::from(tid),
        pid: u64::from(pid),
        ptid: first_num(status_get(&st, "PPid")).unwrap_or(0),
        sid: stat.get(3).and_then(|v| v.parse().ok()).unwrap_or(u64::MAX),
        vpgid: stat.get(2).and_then(|v| v.parse().ok()).unwrap_or(u64::MAX),
        comm: cap_str(comm, MAX_PATH),
        exe: cap_str(String::from_utf8_lossy(exe).into_owned(), MAX_PATH),
        exepath: cap_str(link(&pdir.join("exe")).unwrap_or_default(), MAX_PATH),
        args: cap_list(args, MAX_LIST),
        cwd: cap_str(link(&pdir.join("cwd")).unwrap_or_default(), MAX_PATH),
        fdlimit: fdlimit(pdir),
        uid: first_num(status_get(&st, "Uid")).unwrap_or(0),
        gid: first_num(status_get(&st, "Gid")).unwrap_or(0),
        env: cap_list(fs::read(pdir.join("environ")).unwrap_or_default(), MAX_LIST),
        vtid: last_num(status_get(&st, "NSpid")).unwrap_or(-1),
        vpid: last_num(status_get(&st, "NStgid")).unwrap_or(-1),
        cgroups: cap_list(cgroups_of(pdir), MAX_LIST),
        root: cap_str(link(&pdir.join("root")).unwrap_or_default(), MAX_PATH),
        loginuid,
        cap_inheritable: hex(status_get(&st, "CapInh")),
        cap_permitted: hex(status_get(&st, "CapPrm")),
        cap_effective: hex(status_get(&st, "CapEff")),
        pgid: stat.get(2).and_then(|v| v.parse().ok()).unwrap_or(-1),
        ..ThreadInfo::default()
    })
}

fn fd_info(pdir: &Path, fd: i64) -> Option<FdInfo> {
    let target = cap_str(link(&pdir.join("fd").join(fd.to_string()))?, MAX_PATH);
    let fdinfo = fs::read_to_string(pdir.join("fdinfo").join(fd.to_string())).unwrap_or_default();
    let field = |k: &str| {
        fdinfo
            .lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::trim)
            .map(str::to_string)
    };
    let ino: u64 = field("ino:").and_then(|v| v.parse().ok()).unwrap_or(0);
    let (ty, detail) = if target.starts_with('/') {
        let flags = field("flags:")
            .and_then(|v| u64::from_str_radix(&v, 8).ok())
            .unwrap_or(0);
        let is_dir = fs::metadata(&target).is_ok_and(|m| m.is_dir());
        if is_dir {
            (fd_type::DIRECTORY, FdDetail::Named(target))
        } else {
            (
                fd_type::FILE_V2,
                FdDetail::File {
                    open_flags: open_flags_to_ppm(flags),
                    name: target,
                    dev: None,
                },
            )
        }
    } else if target.starts_with("pipe:") {
        (fd_type::FIFO, FdDetail::Named(String::new()))
    } else if target.starts_with("socket:") {
        // Endpoints of sockets opened before start-up are not resolved yet.
        (fd_type::UNSUPPORTED, FdDetail::Named(String::new()))
    } else if let Some(rest) = target.strip_prefix("anon_inode:") {
        let ty = match rest.trim_matches(|c| c == '[' || c == ']') {
            "eventfd" => fd_type::EVENT,
            "eventpoll" => fd_type::EVENTPOLL,
            "inotify" => fd_type::INOTIFY,
            "signalfd" => fd_type::SIGNALFD,
            "timerfd" => fd_type::TIMERFD,
            // bpf, pidfd and io_uring fds (scap types 17, 21, 19) are written as
            // unsupported: sysdig 0.29 (Debian's) refuses a capture whose fd table has a
            // type above 16 ("wrong fd type 17"), and the start-up tables must stay readable.
            _ => fd_type::UNSUPPORTED,
        };
        (ty, FdDetail::Named(String::new()))
    } else {
        (fd_type::UNSUPPORTED, FdDetail::Named(target))
    };
    Some(FdInfo {
        fd,
        ino,
        ty,
        detail,
    })
}

/// What /proc and /etc say at start-up.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Every thread.
    pub threads: Vec<ThreadInfo>,
    /// Fds per process (keyed by the main thread's tid).
    pub fds: Vec<(u64, Vec<FdInfo>)>,
    /// Users and groups.
    pub users: UserList,
}

fn numeric_dirs(p: &Path) -> Vec<u32> {
    let mut v: Vec<u32> = fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// Read every process and thread of `/proc` (processes that vanish meanwhile are skipped),
/// and the users and groups of `/etc/passwd` and `/etc/group`.
pub fn snapshot(skip_pid: Option<u32>) -> Snapshot {
    let mut snap = Snapshot::default();
    let proc_root = Path::new("/proc");
    for pid in numeric_dirs(proc_root) {
        if Some(pid) == skip_pid {
            continue;
        }
        let pdir = proc_root.join(pid.to_string());
        for tid in numeric_dirs(&pdir.join("task")) {
            let tdir = pdir.join("task").join(tid.to_string());
            if let Some(t) = thread_info(pid, tid, &pdir, &tdir) {
                snap.threads.push(t);
            }
        }
        let fds: Vec<FdInfo> = numeric_dirs(&pdir.join("fd"))
            .into_iter()
            .filter_map(|fd| fd_info(&pdir, i64::from(fd)))
            .collect();
        if !fds.is_empty() {
            snap.fds.push((u64::from(pid), fds));
        }
    }
    snap.users = users(Path::new("/etc"));
    snap
}

/// `/etc/passwd` and `/etc/group` of a root directory.
pub fn users(etc: &Path) -> UserList {
    let mut ul = UserList::default();
    for line in fs::read_to_string(etc.join("passwd"))
        .unwrap_or_default()
        .lines()
    {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 7
            && let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse())
        {
            ul.users.push(UserInfo {
                uid,
                gid,
                name: f[0].to_string(),
                homedir: f[5].to_string(),
                shell: f[6].to_string(),
            });
        }
    }
    for line in fs::read_to_string(etc.join("group"))
        .unwrap_or_default()
        .lines()
    {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 3
            && let Ok(gid) = f[2].parse()
        {
            ul.groups.push(GroupInfo {
                gid,
                name: f[0].to_string(),
            });
        }
    }
    ul
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_cut_to_libscap_limits() {
        assert_eq!(cap_str("abc".into(), MAX_PATH), "abc");
        let s = cap_str("é".repeat(600), MAX_PATH);
        assert!(s.len() < MAX_PATH && s.chars().all(|c| c == 'é'));
        let v = cap_list(b"a\0".repeat(3000), MAX_LIST);
        assert_eq!(v.len(), MAX_LIST - 1);
        assert_eq!(v.last(), Some(&0));
        assert_eq!(cap_list(b"a\0b\0".to_vec(), MAX_LIST), b"a\0b\0");
    }

    #[test]
    fn snapshot_sees_this_process() {
        let me = std::process::id();
        let snap = snapshot(None);
        let t = snap
            .threads
            .iter()
            .find(|t| t.tid == u64::from(me))
            .expect("own thread");
        assert_eq!(t.pid, u64::from(me));
        assert!(!t.comm.is_empty());
        assert!(t.exepath.starts_with('/'), "{}", t.exepath);
        assert!(!t.cgroups.is_empty());
        let fds = snap.fds.iter().find(|(p, _)| *p == u64::from(me));
        assert!(fds.is_some_and(|(_, f)| !f.is_empty()));
        assert!(
            snap.users
                .users
                .iter()
                .any(|u| u.uid == 0 && u.name == "root")
        );
        assert!(snap.threads.iter().all(|t| t.tid != 0));
        assert!(
            snapshot(Some(me))
                .threads
                .iter()
                .all(|t| t.pid != u64::from(me))
        );
    }

    #[test]
    fn exec_extras_of_self() {
        let x = exec_extras(std::process::id());
        assert!(x.cwd.starts_with('/'));
        assert!(x.exepath.is_some());
        assert!(String::from_utf8_lossy(&x.cgroups).contains('='));
    }

    /// The v2 path found from this process's cgroup id is the one /proc/self/cgroup names.
    #[test]
    fn cgroup_id_to_path() {
        use std::os::unix::fs::MetadataExt;
        let text = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let Some(path) = text.lines().find_map(|l| l.strip_prefix("0::")) else {
            return; // no cgroup v2 here
        };
        let root = cgroup2_root();
        let dir = root.join(path.trim_start_matches('/'));
        let id = fs::metadata(&dir).expect("own cgroup dir").ino();
        assert_eq!(cgroup_v2_path(id).as_deref(), Some(path));
        assert_eq!(cgroups_of_id(id), format!("unified={path}\0").into_bytes());
        assert_eq!(cgroup_v2_path(0), None);
        assert_eq!(cgroup_v2_path(u64::MAX), None);
    }
}
