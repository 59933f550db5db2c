//! The state engine and the extractor on the real corpus captures
//! (`shared/corpus/falco/traces/**`, read in place), with the expectations of the
//! `field-extraction` cases of `shared/corpus/falco/cases.json`.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use vigil_event::{Extract, FieldSchema, IpNet, Value};
use vigil_scap::{Block, Converter, RawEvent, Reader};
use vigil_state::{EventView, SYSCALL_SCHEMA, State};

fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco/traces")
}

/// The capture, or `None` (test skipped) when the corpus is absent outside CI.
fn trace(rel: &str) -> Option<PathBuf> {
    let p = traces_dir().join(rel);
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus capture missing: {}",
        p.display()
    );
    eprintln!("{} missing; skipping", p.display());
    None
}

/// Replay a capture through a converter and the state, calling `f` with each event's view.
fn replay(path: &Path, mut f: impl FnMut(&State, &EventView<'_>)) -> State {
    let mut conv = Converter::new(Reader::open(path).expect("open"));
    let mut state = State::new();
    loop {
        match conv.next() {
            Ok(Some(b)) => {
                state.apply_block(&b);
                if let Block::Event(ev) = &b {
                    let v = state.view(ev);
                    f(&state, &v);
                }
            }
            Ok(None) => break,
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    state
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

/// `field` or `field[arg]` extracted and rendered (values joined by `,`), `None` when absent.
fn get(v: &EventView<'_>, field: &str) -> Option<String> {
    let (name, arg) = match field.split_once('[') {
        Some((n, a)) => (n, Some(a.trim_end_matches(']'))),
        None => (field, None),
    };
    let r = SYSCALL_SCHEMA
        .resolve(name, arg)
        .unwrap_or_else(|e| panic!("{field}: {e}"));
    let vals = v.extract(&r)?;
    Some(vals.iter().map(render).collect::<Vec<_>>().join(","))
}

fn gets(v: &EventView<'_>, field: &str) -> String {
    get(v, field).unwrap_or_else(|| "<NA>".to_string())
}

/// `field = net` as the filter evaluates it for IpNet fields: any value inside the network.
fn in_net(v: &EventView<'_>, field: &str, net: &str) -> bool {
    let net: IpNet = net.parse().expect("net");
    let r = SYSCALL_SCHEMA.resolve(field, None).expect("field");
    v.extract(&r).is_some_and(|vals| {
        vals.iter()
            .any(|x| matches!(x, Value::Ip(a) if net.contains(a)))
    })
}

#[test]
fn cat_write_open_dev_null() {
    let Some(path) = trace("falco/cat_write.scap") else {
        return;
    };
    let mut opens = 0;
    let mut closes = 0;
    let mut exits = 0;
    let mut cat_tid = 0;
    replay(&path, |state, v| {
        let ty = gets(v, "evt.type");
        if gets(v, "proc.name") != "cat" {
            return;
        }
        cat_tid = v.event().tid;
        assert_eq!(gets(v, "user.name"), "root");
        assert_eq!(gets(v, "user.uid"), "0");
        assert_eq!(gets(v, "container.id"), "host");
        assert_eq!(gets(v, "container.name"), "host");
        assert_eq!(gets(v, "proc.cmdline"), "cat /dev/null");
        assert_eq!(gets(v, "proc.args"), "/dev/null");
        assert_eq!(gets(v, "proc.exe"), "cat");
        assert_eq!(gets(v, "proc.pname"), "bash");
        assert_eq!(gets(v, "proc.aname[0]"), "cat");
        assert_eq!(gets(v, "proc.aname[1]"), "bash");
        assert!(get(v, "proc.aname").is_some_and(|a| a.starts_with("bash")));
        // No execve enter event (hence no filename) and no earlier knowledge of the thread in
        // this capture: like libsinsp, the exepath cannot be reconstructed.
        assert_eq!(gets(v, "proc.exepath"), "");
        // Process-list blocks before V7 carry no exepath either.
        assert_eq!(gets(v, "proc.pexepath"), "");
        assert_eq!(gets(v, "thread.tid"), cat_tid.to_string());
        if ty == "open" && gets(v, "evt.dir") == "<" && gets(v, "fd.name") == "/dev/null" {
            opens += 1;
            assert_eq!(gets(v, "fd.typechar"), "f");
            assert_eq!(gets(v, "fd.type"), "file");
            assert_eq!(gets(v, "fd.directory"), "/dev");
            assert_eq!(gets(v, "fd.filename"), "null");
            assert_eq!(gets(v, "fd.num"), "3");
            assert_eq!(gets(v, "evt.is_open_read"), "true");
            assert_eq!(gets(v, "evt.is_open_write"), "false");
            assert_eq!(gets(v, "evt.arg.flags"), "O_RDONLY");
            assert_eq!(gets(v, "evt.arg[0]"), "<f>/dev/null");
            assert_eq!(gets(v, "evt.rawarg.fd"), "3");
            assert_eq!(gets(v, "evt.res"), "SUCCESS");
            assert_eq!(gets(v, "evt.rawres"), "3");
            assert_eq!(gets(v, "evt.failed"), "false");
            assert_eq!(gets(v, "evt.category"), "file");
            let et = v.event_type().expect("event type id");
            assert_eq!(SYSCALL_SCHEMA.event_types()[usize::from(et)], "open");
        }
        if ty == "close" && gets(v, "fd.name") == "/dev/null" {
            // Deferred removal: the closing event still sees the fd…
            closes += 1;
            assert!(state.fd(v.event().tid as i64, 3).is_some());
        }
        if ty == "access" {
            assert_eq!(gets(v, "evt.res"), "ENOENT");
            assert_eq!(gets(v, "evt.failed"), "true");
            assert_eq!(gets(v, "evt.rawres"), "-2");
        }
        if ty == "procexit" {
            exits += 1;
            // …and procexit still sees the thread.
            assert!(state.thread(cat_tid as i64).is_some());
        }
    });
    assert_eq!(opens, 1);
    assert_eq!(closes, 1);
    assert_eq!(exits, 1);
}

#[test]
fn deferred_removals_happen_on_the_next_event() {
    let Some(path) = trace("falco/cat_write.scap") else {
        return;
    };
    let mut conv = Converter::new(Reader::open(&path).expect("open"));
    let mut state = State::new();
    let mut cat: Option<u64> = None;
    let mut after_exit = false;
    let mut after_close = false;
    while let Some(b) = conv.next().expect("read") {
        if let Block::Event(ev) = &b
            && after_close
        {
            assert!(state.fd(ev.tid as i64, 3).is_some(), "close is deferred");
        }
        state.apply_block(&b);
        if after_close {
            if let Some(t) = cat {
                assert!(state.fd(t as i64, 3).is_none(), "fd 3 removed after close");
            }
            after_close = false;
        }
        if after_exit {
            assert!(cat.is_some_and(|t| state.thread(t as i64).is_none()));
            after_exit = false;
        }
        if let Block::Event(ev) = &b {
            let v = state.view(ev);
            if gets(&v, "proc.name") == "cat" {
                cat = Some(ev.tid);
                let ty = gets(&v, "evt.type");
                after_exit = ty == "procexit";
                after_close = ty == "close" && gets(&v, "fd.name") == "/dev/null";
            }
        }
    }
}

/// The base filter of the libs ipv6 field-extraction cases.
fn base_filter(v: &EventView<'_>) -> bool {
    let ty = gets(v, "evt.type");
    let types = [
        "socket", "connect", "recvfrom", "sendto", "close", "accept", "bind", "read", "write",
        "poll",
    ];
    // `fd.type != X` is false when fd.type is missing.
    let fdt = get(v, "fd.type");
    types.contains(&ty.as_str())
        && fdt
            .as_deref()
            .is_some_and(|t| t != "file" && t != "unix" && t != "pipe")
}

#[test]
fn libs_e2e_ipv6_curl_google() {
    let Some(path) = trace("libs/curl_google.scap") else {
        return;
    };
    struct Case {
        tid: &'static str,
        expect: Vec<(&'static str, &'static str)>,
        nets: Vec<(&'static str, &'static str)>,
        matched: usize,
        after: usize,
        seen_connect: bool,
    }
    let mut cases = [
        Case {
            tid: "17498",
            expect: vec![
                (
                    "fd.name",
                    "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:40251->2001:4860:4860::8888:53",
                ),
                ("fd.cip", "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e"),
                ("fd.sip", "2001:4860:4860::8888"),
                ("fd.cport", "40251"),
                ("fd.sport", "53"),
                ("fd.cproto", "40251"),
                ("fd.l4proto", "udp"),
                ("fd.is_server", "false"),
                ("fd.lip", "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e"),
                ("fd.rip", "2001:4860:4860::8888"),
                ("fd.lport", "40251"),
                ("fd.rport", "53"),
                ("fd.lproto", "40251"),
            ],
            nets: vec![
                ("fd.ip", "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e/128"),
                ("fd.ip", "2001:4860:4860::8888/128"),
                ("fd.net", "2600:1f18:262c:6542::/64"),
                ("fd.net", "2001:4860:4860::/64"),
                ("fd.cnet", "2600:1f18:262c:6542::/64"),
                ("fd.snet", "2001:4860:4860::/64"),
                ("fd.lnet", "2600:1f18:262c:6542::/64"),
                ("fd.rnet", "2001:4860:4860::/64"),
            ],
            matched: 0,
            after: 0,
            seen_connect: false,
        },
        Case {
            tid: "17497",
            expect: vec![
                (
                    "fd.name",
                    "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140->2607:f8b0:4004:802::2004:80",
                ),
                ("fd.cip", "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e"),
                ("fd.sip", "2607:f8b0:4004:802::2004"),
                ("fd.cport", "37140"),
                ("fd.sport", "80"),
                ("fd.l4proto", "tcp"),
                ("fd.is_server", "false"),
                ("fd.lport", "37140"),
                ("fd.rport", "80"),
            ],
            nets: vec![
                ("fd.net", "2600:1f18:262c:6542::/64"),
                ("fd.snet", "2607:f8b0:4004:802::/64"),
                ("fd.rnet", "2607:f8b0:4004:802::/64"),
            ],
            matched: 0,
            after: 0,
            seen_connect: false,
        },
    ];
    replay(&path, |_, v| {
        if !base_filter(v) {
            return;
        }
        for c in &mut cases {
            if gets(v, "thread.tid") != c.tid {
                continue;
            }
            c.matched += 1;
            assert_eq!(gets(v, "fd.type"), "ipv6", "evt {}", gets(v, "evt.num"));
            assert_eq!(gets(v, "fd.typechar"), "6");
            assert_eq!(gets(v, "fd.sockfamily"), "ip");
            let ty = gets(v, "evt.type");
            if (ty == "connect" || ty == "bind") && gets(v, "evt.dir") == "<" {
                c.seen_connect = true;
            }
            // The first connect's exit and everything after it.
            if c.seen_connect {
                c.after += 1;
                for (f, want) in &c.expect {
                    assert_eq!(gets(v, f), *want, "{f} at evt {}", gets(v, "evt.num"));
                }
                for (f, net) in &c.nets {
                    assert!(in_net(v, f, net), "{f}={net} at evt {}", gets(v, "evt.num"));
                }
            }
        }
    });
    for c in &cases {
        assert!(
            c.matched > 2 && c.after > 1,
            "tid {}: {} / {}",
            c.tid,
            c.matched,
            c.after
        );
    }
}

#[test]
fn libs_e2e_ipv6_test_ipv6_client_sends() {
    let Some(path) = trace("libs/test_ipv6_client.scap") else {
        return;
    };
    let mut names = Vec::new();
    replay(&path, |_, v| {
        if base_filter(v)
            && gets(v, "proc.name") == "test_ipv6_clien"
            && gets(v, "evt.type") == "sendto"
        {
            names.push(gets(v, "fd.name"));
        }
    });
    assert_eq!(
        names,
        [
            "::1:0->::1:2345",
            "::1:38255->::1:2345",
            "::1:38255->2001:4860:4860::8888:53",
            "::1:38255->::1:2345"
        ]
    );
}

/// A synthetic event of `tid` to look at a thread's fields.
fn probe<R>(state: &mut State, tid: u64, f: impl FnOnce(&EventView<'_>) -> R) -> R {
    // PPME_SYSCALL_GETUID_X-like: use a generic exit with no params.
    let ev = RawEvent::new(1, tid, 0, 0, 1, &[], &[]);
    state.apply(&ev);
    let v = state.view(&ev);
    f(&v)
}

#[test]
fn container_metadata_from_json_events() {
    let Some(path) = trace("falco/open-multiple-files.scap") else {
        return;
    };
    let mut state = replay(&path, |_, _| {});
    let c = state.container("ad64969c62e5").expect("container");
    assert_eq!(c.name, "express_server");
    assert_eq!(c.image, "node:latest");
    let tids: Vec<i64> = state
        .threads()
        .filter(|t| t.container_id == "ad64969c62e5")
        .map(|t| t.tid)
        .collect();
    assert!(!tids.is_empty());
    let tid = tids[0] as u64;
    probe(&mut state, tid, |v| {
        assert_eq!(gets(v, "container.id"), "ad64969c62e5");
        assert_eq!(gets(v, "container.name"), "express_server");
        assert_eq!(gets(v, "container.image"), "node:latest");
        assert_eq!(gets(v, "container.image.repository"), "node");
        assert_eq!(gets(v, "container.image.tag"), "latest");
        assert_eq!(gets(v, "container.ip"), "172.17.0.2");
        assert_eq!(gets(v, "container.type"), "docker");
        assert_eq!(gets(v, "container.full_id"), "ad64969c62e5");
        // Not in the capture: missing, so every comparison is false.
        assert_eq!(get(v, "container.privileged"), None);
        assert_eq!(get(v, "k8s.ns.name"), None);
    });
    let host = state
        .threads()
        .find(|t| t.container_id == "host")
        .map(|t| t.tid)
        .expect("a host thread");
    probe(&mut state, host as u64, |v| {
        assert_eq!(gets(v, "container.id"), "host");
        assert_eq!(gets(v, "container.name"), "host");
        assert_eq!(get(v, "container.image.repository"), None);
    });
}

#[test]
fn container_events_in_psp_captures() {
    let Some(path) = trace("falco_psp_extra/run_as_user_0_container.scap") else {
        return;
    };
    let mut seen = 0;
    replay(&path, |_, v| {
        // The capture first announces the container with "incomplete" metadata (runtime
        // lookup pending), then with the full record.
        if gets(v, "container.id") == "697956520d89" && gets(v, "container.name") != "incomplete" {
            seen += 1;
            assert_eq!(gets(v, "container.name"), "hopeful_taussig");
            assert_eq!(gets(v, "container.image.repository"), "nginx");
            assert_eq!(gets(v, "container.image.tag"), "latest");
            assert_eq!(gets(v, "container.privileged"), "false");
        }
    });
    assert!(seen > 10);
    let Some(path) = trace("falco_psp_extra/privileged.scap") else {
        return;
    };
    let mut container_events = 0;
    let state = replay(&path, |_, v| {
        if gets(v, "evt.type") == "container" {
            // The container event carries its container's fields.
            container_events += 1;
            assert_eq!(gets(v, "container.id"), "9dbcbd0c435f");
            assert_eq!(gets(v, "container.privileged"), "true");
            assert_eq!(gets(v, "container.name"), "epic_cray");
        }
    });
    assert!(container_events > 0);
    let c = state.container("9dbcbd0c435f").expect("container");
    assert_eq!(c.privileged, Some(true));
    assert_eq!(c.image_repository, "nginx");
}

fn all_traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["falco", "libs", "falco_psp_extra"] {
        let Ok(rd) = std::fs::read_dir(traces_dir().join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "scap") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Every field, with representative arguments.
fn all_field_refs() -> Vec<vigil_event::FieldRef> {
    let mut refs = Vec::new();
    for f in SYSCALL_SCHEMA.fields() {
        let args: &[Option<&str>] = match f.arg {
            vigil_event::ArgKind::None => &[None],
            vigil_event::ArgKind::Index => &[None, Some("0"), Some("2"), Some("99")],
            vigil_event::ArgKind::Key => &[Some("fd"), Some("HOME"), Some("cpu")],
            vigil_event::ArgKind::IndexOrKey => &[
                Some("0"),
                Some("5"),
                Some("flags"),
                Some("/var/run/docker.sock"),
            ],
        };
        for a in args {
            if let Ok(r) = SYSCALL_SCHEMA.resolve(f.name, *a) {
                refs.push(r);
            }
        }
    }
    refs
}

#[test]
fn every_capture_every_field_never_panics_and_tree_is_sound() {
    let paths = all_traces();
    if paths.is_empty() {
        return;
    }
    let refs = all_field_refs();
    for path in &paths {
        let mut n = 0u64;
        let state = replay(path, |s, v| {
            n += 1;
            // All fields and the thread indexes on a sample of events (all of them is slow
            // in debug builds).
            if n.is_multiple_of(7) {
                for r in &refs {
                    let _ = v.extract(r);
                }
                if let Err(e) = s.check_thread_indexes() {
                    panic!("{}: event {n}: {e}", path.display());
                }
            }
        });
        if let Err(e) = state.check_thread_indexes() {
            panic!("{}: at the end: {e}", path.display());
        }
        // Process tree invariants.
        for t in state.threads() {
            assert!(t.tid >= 0, "{}", path.display());
            let mut seen = HashSet::new();
            let mut cur = Some(t);
            while let Some(c) = cur {
                assert!(
                    seen.insert(c.tid),
                    "{}: ancestor cycle at {}",
                    path.display(),
                    c.tid
                );
                cur = state.parent(c);
            }
            if t.is_main() {
                assert_eq!(t.pid, t.tid);
            }
            assert!(
                t.cmdline.starts_with(&t.comm),
                "{}: cmdline {:?} / comm {:?}",
                path.display(),
                t.cmdline,
                t.comm
            );
        }
    }
}

/// Events with every parameter cut short (and dropped) never panic the state or the extractor.
#[test]
fn truncated_parameters_never_panic() {
    let paths = all_traces();
    let refs = all_field_refs();
    for path in paths.iter().take(4) {
        let mut conv = Converter::new(Reader::open(path).expect("open"));
        let mut state = State::new();
        let mut count = 0;
        while let Some(b) = conv.next().expect("read") {
            let Block::Event(ev) = &b else {
                state.apply_block(&b);
                continue;
            };
            count += 1;
            if count > 3000 {
                break;
            }
            let params: Vec<Vec<u8>> = ev.params().map(<[u8]>::to_vec).collect();
            for cut in [0usize, 1, 3] {
                let mut buf = Vec::new();
                let mut ranges = Vec::new();
                for p in &params {
                    let start = buf.len() as u32;
                    let keep = p.len().saturating_sub(p.len().min(cut.max(p.len() / 2)));
                    buf.extend_from_slice(&p[..keep.min(p.len())]);
                    ranges.push((start, buf.len() as u32));
                }
                for nparams in [ranges.len(), ranges.len() / 2] {
                    let bad = RawEvent::new(
                        ev.ts,
                        ev.tid,
                        ev.cpu,
                        ev.flags,
                        ev.code,
                        &buf,
                        &ranges[..nparams],
                    );
                    state.apply(&bad);
                    let v = state.view(&bad);
                    for r in &refs {
                        let _ = v.extract(r);
                    }
                }
            }
            state.apply(ev);
        }
    }
}

#[test]
fn ip_values_for_ipnet_fields() {
    let Some(path) = trace("libs/curl_google.scap") else {
        return;
    };
    let mut found = false;
    replay(&path, |_, v| {
        if gets(v, "evt.type") == "connect"
            && gets(v, "evt.dir") == "<"
            && gets(v, "fd.type") == "ipv6"
        {
            let r = SYSCALL_SCHEMA.resolve("fd.snet", None).expect("field");
            let vals = v.extract(&r).expect("snet");
            assert!(matches!(vals[0], Value::Ip(IpAddr::V6(_))));
            found = true;
        }
    });
    assert!(found);
}
