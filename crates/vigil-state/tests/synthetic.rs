//! The state engine on hand-built events: clone (both exits), execve, open/openat with dirfd,
//! chdir, dup, sockets, close, procexit with reparenting, container ids, path fields.

use vigil_event::{Extract, FieldSchema, Value};
use vigil_scap::{Block, OwnedEvent, RawEvent, ThreadInfo, code_of_symbol};
use vigil_state::{EventView, SYSCALL_SCHEMA, State};

fn code(sym: &str) -> u16 {
    code_of_symbol(sym).unwrap_or_else(|| panic!("{sym}"))
}

struct Flat {
    ev: OwnedEvent,
    buf: Vec<u8>,
    ranges: Vec<(u32, u32)>,
}

fn flat(ev: OwnedEvent) -> Flat {
    let mut buf = Vec::new();
    let mut ranges = Vec::new();
    for p in &ev.params {
        let s = buf.len() as u32;
        buf.extend_from_slice(p);
        ranges.push((s, buf.len() as u32));
    }
    Flat { ev, buf, ranges }
}

impl Flat {
    fn raw(&self) -> RawEvent<'_> {
        let e = &self.ev;
        RawEvent::new(e.ts, e.tid, 0, 0, e.code, &self.buf, &self.ranges)
    }
}

fn render(v: &Value<'_>) -> String {
    match v {
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Ip(i) => i.to_string(),
        Value::Net(n) => n.to_string(),
    }
}

fn get(v: &EventView<'_>, field: &str) -> String {
    let (name, arg) = match field.split_once('[') {
        Some((n, a)) => (n, Some(a.trim_end_matches(']'))),
        None => (field, None),
    };
    let r = SYSCALL_SCHEMA.resolve(name, arg).expect("field");
    v.extract(&r).map_or_else(
        || "<NA>".to_string(),
        |vals| vals.iter().map(render).collect::<Vec<_>>().join(","),
    )
}

/// Apply `ev` and check fields on its view.
fn step(state: &mut State, ev: OwnedEvent, checks: &[(&str, &str)]) {
    let f = flat(ev);
    let raw = f.raw();
    state.apply(&raw);
    let v = state.view(&raw);
    for (field, want) in checks {
        assert_eq!(get(&v, field), *want, "{field} on {}", raw.name());
    }
}

fn thread(tid: u64, pid: u64, ptid: u64, comm: &str, cgroups: &str) -> Block<'static> {
    let mut t = ThreadInfo {
        tid,
        pid,
        ptid,
        comm: comm.into(),
        exe: format!("/usr/bin/{comm}"),
        exepath: format!("/usr/bin/{comm}"),
        args: b"-x\0".to_vec(),
        cwd: "/home/u/".into(),
        ..ThreadInfo::default()
    };
    t.cgroups = cgroups.as_bytes().to_vec();
    Block::Process(Box::new(t))
}

fn clone_x(ts: u64, tid: u64, res: i64, me: (u64, u64, u64), comm: &str, flags: u32) -> OwnedEvent {
    OwnedEvent::new(ts, tid, code("SYSCALL_CLONE_20_X"))
        .push_i64(res)
        .push_str(&format!("/usr/bin/{comm}"))
        .push(b"-x\0".to_vec())
        .push_i64(me.0 as i64)
        .push_i64(me.1 as i64)
        .push_i64(me.2 as i64)
        .push_str("/home/u/")
        .push_i64(1024)
        .push_u64(0)
        .push_u64(0)
        .push_u32(0)
        .push_u32(0)
        .push_u32(0)
        .push_str(comm)
        .push(b"cpu=/\0".to_vec())
        .push_u32(flags)
        .push_u32(1000)
        .push_u32(1000)
        .push_i64(me.0 as i64)
        .push_i64(me.1 as i64)
}

#[test]
fn process_lifecycle_and_fds() {
    let mut st = State::new();
    st.apply_block(&thread(1, 1, 0, "systemd", "cpu=/\0"));
    st.apply_block(&thread(100, 100, 1, "bash", "cpu=/user.slice\0"));

    // Parent's exit of fork: the child appears with the parent's info.
    step(
        &mut st,
        clone_x(10, 100, 200, (100, 100, 1), "bash", 0),
        &[("proc.name", "bash"), ("evt.rawres", "200")],
    );
    assert_eq!(st.thread(200).map(|t| t.ptid), Some(100));
    // Child's exit.
    step(
        &mut st,
        clone_x(11, 200, 0, (200, 200, 100), "bash", 0),
        &[
            ("proc.pname", "bash"),
            ("proc.ppid", "100"),
            ("proc.vpid", "200"),
        ],
    );
    // execve.
    let exec = OwnedEvent::new(12, 200, code("SYSCALL_EXECVE_19_X"))
        .push_i64(0)
        .push_str("tool")
        .push(b"--flag\0value\0".to_vec())
        .push_i64(200)
        .push_i64(200)
        .push_i64(100)
        .push_str("/home/u/")
        .push_u64(1024)
        .push_u64(0)
        .push_u64(0)
        .push_u32(0)
        .push_u32(0)
        .push_u32(0)
        .push_str("tool")
        .push(
            b"cpu=/docker/3d1c8f9a2b7e4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\0"
                .to_vec(),
        )
        .push(b"HOME=/home/u\0PATH=/bin\0".to_vec())
        .push_u32(34816)
        .push_i64(200)
        .push_u32(1000)
        .push_u32(1 << 2)
        .push_u64(0)
        .push_u64(1 << 21)
        .push_u64((1 << 21) | 1)
        .push_u64(77)
        .push_u64(5)
        .push_u64(6)
        .push_u32(0)
        .push_str("/opt/tool")
        .push_i64(200)
        .push_u32(0)
        .push_str("tool");
    step(
        &mut st,
        exec,
        &[
            ("proc.name", "tool"),
            ("proc.cmdline", "tool --flag value"),
            ("proc.args", "--flag value"),
            ("proc.exepath", "/opt/tool"),
            ("proc.pname", "bash"),
            ("proc.aname[2]", "systemd"),
            ("proc.aname", "bash,systemd"),
            ("proc.env[HOME]", "/home/u"),
            ("proc.tty", "34816"),
            ("proc.is_exe_from_memfd", "true"),
            ("thread.cap_effective", "CAP_CHOWN CAP_SYS_ADMIN"),
            ("thread.cap_permitted", "CAP_SYS_ADMIN"),
            ("proc.exe_ino", "77"),
            ("container.id", "3d1c8f9a2b7e"),
            ("user.uid", "0"),
            ("user.loginuid", "1000"),
            // No user tables for a container: libsinsp's fallbacks.
            ("user.name", "root"),
            ("user.homedir", "/root"),
            ("user.loginname", "<NA>"),
            ("group.name", "root"),
        ],
    );
    // chdir then a relative open.
    step(
        &mut st,
        OwnedEvent::new(13, 200, code("SYSCALL_CHDIR_X"))
            .push_i64(0)
            .push_str("../etc"),
        &[],
    );
    step(
        &mut st,
        OwnedEvent::new(14, 200, code("SYSCALL_OPENAT_2_X"))
            .push_i64(3)
            .push_i64(-100)
            .push_str("./passwd")
            .push_u32(1 | (1 << 12))
            .push_u32(0)
            .push_u32(0)
            .push_u64(0),
        &[
            ("proc.cwd", "/home/etc/"),
            ("fd.name", "/home/etc/passwd"),
            ("fd.nameraw", "./passwd"),
            ("fd.num", "3"),
            ("fs.path.name", "/home/etc/passwd"),
            ("evt.arg.flags", "O_RDONLY|O_CLOEXEC"),
            ("evt.arg.dirfd", "AT_FDCWD"),
            ("evt.is_open_read", "true"),
        ],
    );
    // openat relative to a directory fd.
    step(
        &mut st,
        OwnedEvent::new(15, 200, code("SYSCALL_OPENAT_2_X"))
            .push_i64(4)
            .push_i64(-100)
            .push_str("/var/lib")
            .push_u32(1 | (1 << 10))
            .push_u32(0)
            .push_u32(0)
            .push_u64(0),
        &[("fd.type", "directory"), ("fd.typechar", "d")],
    );
    step(
        &mut st,
        OwnedEvent::new(16, 200, code("SYSCALL_OPENAT_2_X"))
            .push_i64(-2)
            .push_i64(4)
            .push_str("x/../missing")
            .push_u32(2 | 4)
            .push_u32(0o755)
            .push_u32(0)
            .push_u64(0),
        &[
            ("evt.res", "ENOENT"),
            ("fd.name", "/var/lib/missing"),
            ("evt.is_open_exec", "true"),
            ("evt.is_open_write", "true"),
            ("fd.type", "<NA>"),
        ],
    );
    // renameat relative to the dir fd.
    step(
        &mut st,
        OwnedEvent::new(17, 200, code("SYSCALL_RENAMEAT2_X"))
            .push_i64(0)
            .push_i64(4)
            .push_str("a")
            .push_i64(-100)
            .push_str("b")
            .push_u32(0),
        &[
            ("fs.path.source", "/var/lib/a"),
            ("fs.path.target", "/home/etc/b"),
            ("fs.path.name", "<NA>"),
            ("evt.abspath[src]", "/var/lib/a"),
            ("evt.abspath[dst]", "/home/etc/b"),
            ("evt.arg.oldpath", "/var/lib/a"),
        ],
    );
    // socket + connect + dup2 + close.
    step(
        &mut st,
        OwnedEvent::new(18, 200, code("SOCKET_SOCKET_X"))
            .push_i64(5)
            .push_u32(2)
            .push_u32(1)
            .push_u32(0)
            .push_u32(0),
        &[("fd.type", "ipv4"), ("fd.l4proto", "tcp"), ("fd.name", "")],
    );
    let mut tuple = vec![2u8, 10, 0, 0, 5];
    tuple.extend_from_slice(&40000u16.to_le_bytes());
    tuple.extend_from_slice(&[93, 184, 216, 34]);
    tuple.extend_from_slice(&443u16.to_le_bytes());
    let mut addr = vec![2u8, 93, 184, 216, 34];
    addr.extend_from_slice(&443u16.to_le_bytes());
    step(
        &mut st,
        OwnedEvent::new(19, 200, code("SOCKET_CONNECT_X"))
            .push_i64(0)
            .push(tuple)
            .push_i64(5)
            .push(addr),
        &[
            ("fd.name", "10.0.0.5:40000->93.184.216.34:443"),
            ("fd.sip", "93.184.216.34"),
            ("fd.sport", "443"),
            ("fd.cip", "10.0.0.5"),
            ("fd.name_changed", "true"),
            ("fd.connected", "true"),
            ("fd.sockfamily", "ip"),
            ("evt.arg.fd", "<4t>10.0.0.5:40000->93.184.216.34:443"),
        ],
    );
    step(
        &mut st,
        OwnedEvent::new(20, 200, code("SYSCALL_DUP2_X"))
            .push_i64(1)
            .push_i64(5)
            .push_i64(1),
        &[
            ("fd.num", "1"),
            ("fd.name", "10.0.0.5:40000->93.184.216.34:443"),
        ],
    );
    assert_eq!(
        st.fd(200, 1).map(|f| &*f.name),
        Some("10.0.0.5:40000->93.184.216.34:443")
    );
    step(
        &mut st,
        OwnedEvent::new(21, 200, code("SYSCALL_CLOSE_X"))
            .push_i64(0)
            .push_i64(5),
        &[("fd.name", "10.0.0.5:40000->93.184.216.34:443")],
    );
    assert!(st.fd(200, 5).is_some(), "removal is deferred");
    // A thread of the process shares its fds.
    step(
        &mut st,
        clone_x(22, 200, 201, (200, 200, 100), "tool", 1 << 13),
        &[],
    );
    assert!(
        st.fd(200, 5).is_none(),
        "removed once the next event is applied"
    );
    assert_eq!(st.thread(201).map(|t| t.pid), Some(200));
    assert!(
        st.fd(201, 1).is_some(),
        "threads share the process's fd table"
    );
    // The fork copied the parent's fds; the child's changes are its own.
    assert!(st.fd(100, 3).is_none());
    // procexit of the process; its child is reparented.
    step(
        &mut st,
        clone_x(23, 200, 300, (200, 200, 100), "tool", 0),
        &[],
    );
    step(
        &mut st,
        OwnedEvent::new(24, 200, code("PROCEXIT_1_E"))
            .push_i64(0)
            .push_i64(0)
            .push_u8(0)
            .push_u8(0)
            .push_i64(1),
        &[("proc.name", "tool")],
    );
    assert!(st.thread(200).is_some());
    st.flush();
    assert!(st.thread(200).is_none());
    assert_eq!(st.thread(300).map(|t| t.ptid), Some(1));
}
