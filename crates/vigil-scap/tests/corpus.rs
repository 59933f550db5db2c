//! Reading the shared Falco/libs capture corpus.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use vigil_scap::{
    Block, Converter, Direction, ParamValue, Reader, Writer, codes_for_name, event_info, syscall_id,
};

/// Event counts from the research notes (falco.md §4) for the captures they list.
const EXPECTED_EVENTS: &[(&str, usize)] = &[
    ("cat_write", 345),
    ("open-multiple-files", 1272),
    ("ping_sendto", 1526),
    ("empty", 143),
    ("sample", 572),
    ("test_ipv6_client", 326),
];

#[test]
fn every_capture_reads_to_the_end() {
    for path in captures() {
        let name = stem(&path);
        let mut r = Reader::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (mut events, mut threads, mut fdls, mut meta) = (0usize, 0usize, 0usize, 0usize);
        while let Some(b) = r.next().unwrap_or_else(|e| panic!("{name}: {e}")) {
            match b {
                Block::Event(_) => events += 1,
                Block::Process(_) => threads += 1,
                Block::Fds { .. } => fdls += 1,
                _ => meta += 1,
            }
        }
        let h = r.section_header();
        println!(
            "{name}: v{}.{} gzip={} meta={meta} threads={threads} fdlists={fdls} events={events}",
            h.major,
            h.minor,
            r.is_gzip()
        );
        assert!(events > 0 && threads > 0, "{name}");
        assert_eq!(r.skipped_events(), 0, "{name}");
        if let Some((_, n)) = EXPECTED_EVENTS.iter().find(|(s, _)| *s == name) {
            assert_eq!(events, *n, "{name}: event count");
        }
    }
}

#[test]
fn every_capture_converts_to_the_end() {
    for path in captures() {
        let name = stem(&path);
        let mut c = Converter::new(Reader::open(&path).expect("open"));
        let mut events = 0usize;
        while let Some(b) = c.next().unwrap_or_else(|e| panic!("{name}: {e}")) {
            if let Block::Event(ev) = b {
                events += 1;
                let info = ev.info().expect("known code");
                assert!(!info.is_unused(), "{name}: {}", info.symbol);
                // Exit events managed by the converter end in the current layout.
                let managed = info.flags.has(vigil_scap::EventFlags::CONVERTER_MANAGED);
                if ev.direction() == Direction::Exit && managed {
                    assert!(!info.is_old_version(), "{name}: {}", info.symbol);
                    assert_eq!(ev.nparams(), info.params.len(), "{name}: {}", info.symbol);
                }
            }
        }
        println!(
            "{name}: {events} events after conversion ({} rewritten, {} dropped)",
            c.state().converted_count(),
            c.state().dropped_count()
        );
    }
}

#[test]
fn every_event_type_in_the_corpus_is_in_the_table() {
    for path in captures() {
        let name = stem(&path);
        let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
        let mut r = Reader::open(&path).expect("open");
        while let Some(b) = r.next().expect("read") {
            if let Block::Event(ev) = b {
                *counts.entry(ev.code).or_default() += 1;
            }
        }
        let listing: Vec<String> = counts
            .iter()
            .map(|(c, n)| {
                let info =
                    event_info(*c).unwrap_or_else(|| panic!("{name}: code {c} not in table"));
                assert_ne!(info.name, "NA", "{name}: code {c} is unused");
                format!("{}={n}", info.symbol)
            })
            .collect();
        println!("{name}: {}", listing.join(" "));
    }
}

/// `evt.type` names a rule file compares against, with lists expanded.
fn rule_event_types(text: &str) -> BTreeSet<String> {
    // Lists: `- list: NAME` followed by `items: [a, b]`.
    let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(n) = t.strip_prefix("- list:") {
            current = Some(n.trim().to_string());
        } else if let (Some(n), Some(items)) = (&current, t.strip_prefix("items:")) {
            let items = items.trim().trim_start_matches('[').trim_end_matches(']');
            lists.insert(
                n.clone(),
                items
                    .split(',')
                    .map(|s| s.trim().trim_matches('"').to_string())
                    .collect(),
            );
            current = None;
        }
    }
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("evt.type") {
        rest = &rest[i + "evt.type".len()..];
        let t = rest.trim_start();
        let names: Vec<String> = if let Some(t) = t.strip_prefix("in") {
            let t = t.trim_start();
            let Some(t) = t.strip_prefix('(') else {
                continue;
            };
            let end = t.find(')').unwrap_or(t.len());
            t[..end].split(',').map(|s| s.trim().to_string()).collect()
        } else if let Some(t) = t.strip_prefix("!=").or_else(|| t.strip_prefix('=')) {
            let t = t.trim_start();
            let end = t
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(t.len());
            vec![t[..end].to_string()]
        } else {
            continue;
        };
        for n in names {
            if let Some(items) = lists.get(&n) {
                out.extend(items.iter().cloned());
            } else if !n.is_empty() {
                out.insert(n);
            }
        }
    }
    out.retain(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !n.is_empty());
    out
}

#[test]
fn every_syscall_the_rules_name_is_known() {
    let dir = corpus_dir().join("rules");
    let mut all = BTreeSet::new();
    for f in std::fs::read_dir(&dir).expect("rules dir").flatten() {
        if f.path().extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(f.path()).expect("read rules");
            all.extend(rule_event_types(&text));
        }
    }
    assert!(all.len() > 30, "too few evt.type names found: {all:?}");
    let mut generic = Vec::new();
    for n in &all {
        if codes_for_name(n).next().is_none() {
            assert!(
                syscall_id(n).is_some(),
                "evt.type {n} is neither an event nor a syscall"
            );
            generic.push(n.as_str());
        }
    }
    println!(
        "{} evt.type names; via generic syscall events: {generic:?}",
        all.len()
    );
    // The syscalls the brief names must have their own event codes, old and current.
    for n in [
        "open",
        "openat",
        "openat2",
        "creat",
        "execve",
        "execveat",
        "clone",
        "clone3",
        "fork",
        "vfork",
        "connect",
        "accept",
        "accept4",
        "listen",
        "socket",
        "sendto",
        "sendmsg",
        "recvfrom",
        "recvmsg",
        "dup",
        "dup2",
        "dup3",
        "link",
        "linkat",
        "symlink",
        "symlinkat",
        "unlink",
        "unlinkat",
        "rename",
        "renameat",
        "renameat2",
        "mkdir",
        "mkdirat",
        "rmdir",
        "chmod",
        "fchmod",
        "fchmodat",
        "ptrace",
        "setuid",
        "setns",
        "unshare",
        "init_module",
        "finit_module",
        "bpf",
        "userfaultfd",
        "mount",
        "umount",
        "chdir",
        "fchdir",
        "close",
        "read",
        "write",
        "pread",
        "pwrite",
        "kill",
        "container",
        "procexit",
        "procinfo",
    ] {
        assert!(
            codes_for_name(n).next().is_some(),
            "no event code named {n}"
        );
    }
}

#[test]
fn converter_merges_enter_parameters_on_cat_write() {
    let path = corpus_dir().join("traces/falco/cat_write.scap");
    let mut c = Converter::new(Reader::open(&path).expect("open"));
    let (mut opens, mut closes, mut reads, mut execves, mut generic, mut events) =
        (0, 0, 0, 0, 0, 0);
    let mut dev_null = 0;
    while let Some(b) = c.next().expect("convert") {
        let Block::Event(ev) = b else { continue };
        events += 1;
        match (ev.name(), ev.direction()) {
            ("open", Direction::Exit) => {
                opens += 1;
                assert_eq!(ev.nparams(), 6);
                let Some(ParamValue::Path(p)) = ev.value_by_name("name") else {
                    panic!("open without a path")
                };
                assert!(p.starts_with(b"/"));
                if p == b"/dev/null" {
                    dev_null += 1;
                    assert_eq!(ev.value_by_name("flags"), Some(ParamValue::Flags(1)));
                }
                assert!(matches!(ev.value_by_name("fd"), Some(ParamValue::Fd(3))));
            }
            ("close", Direction::Exit) => {
                closes += 1;
                // fd comes from the enter event.
                assert!(matches!(ev.value_by_name("fd"), Some(ParamValue::Fd(fd)) if fd >= 0));
            }
            ("read", Direction::Exit) => {
                reads += 1;
                assert!(matches!(ev.value_by_name("fd"), Some(ParamValue::Fd(3))));
                assert!(matches!(
                    ev.value_by_name("size"),
                    Some(ParamValue::Uint(_))
                ));
            }
            ("execve", Direction::Exit) => {
                execves += 1;
                assert_eq!(ev.info().map(|i| i.symbol), Some("SYSCALL_EXECVE_19_X"));
                assert_eq!(
                    ev.value_by_name("comm").map(|v| v.to_string()),
                    Some("cat".into())
                );
            }
            ("syscall", Direction::Exit) => {
                generic += 1;
                assert!(matches!(
                    ev.value_by_name("nativeID"),
                    Some(ParamValue::Uint(_))
                ));
            }
            ("open", Direction::Enter) => {}
            (n, Direction::Enter) if n != "procexit" && n != "procinfo" => {
                panic!("enter event {n} offered after conversion")
            }
            _ => {}
        }
    }
    assert_eq!((opens, closes, reads, execves, generic), (4, 6, 2, 1, 6));
    assert_eq!(dev_null, 1);
    assert_eq!(events, 307);
}

#[test]
fn round_trip_every_capture() {
    for path in captures() {
        let name = stem(&path);
        let raw = raw_bytes(&path);
        let (blocks, err) = read_all(&raw);
        assert!(err.is_none(), "{name}: {err:?}");
        for gzip in [false, true] {
            let mut w = Writer::new(Vec::new(), gzip).expect("writer");
            for b in &blocks {
                match b {
                    OwnedBlock::MachineInfo(m) => w.machine_info(m),
                    OwnedBlock::Interfaces(i) => w.interfaces(i),
                    OwnedBlock::Users(u) => w.users(u),
                    OwnedBlock::Process(t) => w.processes(std::slice::from_ref(&**t)),
                    OwnedBlock::Fds(tid, fds) => w.fds(*tid, fds),
                    OwnedBlock::Event(e) => w.owned_event(e),
                    OwnedBlock::Section => Ok(()),
                }
                .expect("write");
            }
            let out = w.finish().expect("finish");
            let (back, err) = read_all(&out);
            assert!(err.is_none(), "{name}: {err:?}");
            assert_eq!(back.len(), blocks.len(), "{name}");
            for (i, (a, b)) in blocks.iter().zip(&back).enumerate() {
                assert_eq!(
                    a, b,
                    "{name}: block {i} differs after round trip (gzip={gzip})"
                );
            }
            // A written capture is itself stable: writing it again gives the same bytes.
            if !gzip {
                let mut w2 = Writer::new(Vec::new(), false).expect("writer");
                let mut r = Reader::new(&out[..]).expect("reader");
                while let Some(b) = r.next().expect("read") {
                    match b {
                        Block::MachineInfo(m) => w2.machine_info(&m),
                        Block::Interfaces(i) => w2.interfaces(&i),
                        Block::Users(u) => w2.users(&u),
                        Block::Process(t) => w2.processes(&[*t]),
                        Block::Fds { tid, fds } => w2.fds(tid, &fds),
                        Block::Event(e) => w2.event(&e),
                        Block::Section(_) => Ok(()),
                    }
                    .expect("write");
                }
                assert!(
                    w2.finish().expect("finish") == out,
                    "{name}: rewrite not byte-identical"
                );
            }
        }
    }
}
