//! The live consumer's cost per event, without a kernel: `vigil run`'s per-record path
//! (ring record → `vigil_ebpf::Converter::convert_into` an `EventBuf` → container check → `State::apply` →
//! `State::view` → the embedded default rules' `Ruleset::evaluate_indices`) over ring records
//! laid out exactly as the BPF programs write them (`vigil_ebpf::abi`), for the workloads of
//! `scripts/bench-live`: `openat("/dev/null", O_RDONLY|O_CLOEXEC)` + `close(fd)` pairs,
//! `dup3(fd, 100, O_CLOEXEC)` + `close(100)` pairs, and `close(-1)` (a record with nothing to
//! look up).
//!
//! The records name this process's own thread, whose process/fd/user tables come from /proc
//! first (as `vigil run` starts), so `proc.*` / `user.*` fields resolve as they do live.
//! No root needed; the numbers do not depend on a second core or on the machine's load as a
//! rate measurement does. Count instructions with
//!
//! ```text
//! cargo build --release -p vigil --example consumer
//! perf stat -e instructions,task-clock target/release/examples/consumer openclose 2000000
//! perf stat -e instructions,task-clock target/release/examples/consumer openclose 0
//! ```
//!
//! (the difference of the two runs over the number of events is the per-event cost; the
//! program also prints its own ns per event for the measured loop only), or, on a machine
//! without hardware counters, the loop's instructions alone with
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='consumer::run' \
//!     target/release/examples/consumer openclose 20000
//! ```
//!
//! `CONSUMER_FIELDS=1` prints, per record of the cycle, the fields each rule extracts.
//!
//! Usage: `consumer openclose|dupclose|closebad|mixed EVENTS`.

use std::mem::offset_of;
use std::time::Instant;

use vigil_ebpf::abi::{self, PATH_MAX, VgSyscall, kind};
use vigil_rules::{LoadOptions, RulesFile};
use vigil_scap::Block;
use vigil_state::{SYSCALL_SOURCE, State};

const RULE_FILES: &[(&str, &str)] = &[
    (
        "<embedded>/vigil_rules.yaml",
        include_str!("../rules/vigil_rules.yaml"),
    ),
    (
        "<embedded>/k8s_audit_rules.yaml",
        include_str!("../rules/k8s_audit_rules.yaml"),
    ),
];

/// A syscall record as the BPF program writes it: `size` bytes (the fixed part, plus one
/// `PATH_MAX` slot per string read).
fn record(tid: u32, nr: u32, ret: i64, args: &[u64], path: Option<&[u8]>) -> Vec<u8> {
    let size = offset_of!(VgSyscall, str) + if path.is_some() { PATH_MAX } else { 0 };
    let mut b = vec![0u8; size];
    let put = |b: &mut [u8], off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    put(&mut b, 0, &1_000_000u64.to_le_bytes());
    put(&mut b, 8, &1u64.to_le_bytes()); // cgroup id
    put(&mut b, 16, &tid.to_le_bytes()); // tgid (single-threaded)
    put(&mut b, 20, &tid.to_le_bytes());
    put(&mut b, 24, &kind::SYSCALL.to_le_bytes());
    put(&mut b, 26, &abi::ABI_VERSION.to_le_bytes());
    put(&mut b, 28, &(size as u32).to_le_bytes());
    put(&mut b, offset_of!(VgSyscall, ret), &ret.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        put(
            &mut b,
            offset_of!(VgSyscall, args) + 8 * i,
            &a.to_le_bytes(),
        );
    }
    put(&mut b, offset_of!(VgSyscall, nr), &nr.to_le_bytes());
    if let Some(p) = path {
        let len = u16::try_from(p.len() + 1).expect("short path");
        put(&mut b, offset_of!(VgSyscall, str_len), &len.to_le_bytes());
        put(&mut b, offset_of!(VgSyscall, str), p);
    }
    b
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let workload = argv.next().unwrap_or_else(|| "openclose".into());
    let n: u64 = argv
        .next()
        .map_or(1_000_000, |s| s.parse().expect("EVENTS is a number"));
    let tid = std::process::id();
    const AT_FDCWD: u64 = -100i64 as u64;
    const O_RDONLY_CLOEXEC: u64 = 0o2000000;
    // The fd the open returns: the first free one above what /proc shows for us.
    let fd = 1000u64;
    let open = record(
        tid,
        257,
        fd as i64,
        &[AT_FDCWD, 0, O_RDONLY_CLOEXEC, 0],
        Some(b"/dev/null"),
    );
    let close = record(tid, 3, 0, &[fd], None);
    let close_bad = record(tid, 3, -9, &[u64::MAX], None);
    // dup3(fd, 100, O_CLOEXEC) + close(100), with `fd` opened once before the loop.
    let dup = record(tid, 292, 100, &[fd, 100, O_RDONLY_CLOEXEC], None);
    let close_dup = record(tid, 3, 0, &[100], None);
    let cycle: Vec<&[u8]> = match workload.as_str() {
        "openclose" => vec![&open, &close],
        "dupclose" => vec![&dup, &close_dup],
        "closebad" => vec![&close_bad],
        "mixed" => vec![&open, &close, &close_bad],
        w => {
            eprintln!("consumer: unknown workload {w} (openclose, dupclose, closebad, mixed)");
            std::process::exit(2);
        }
    };
    let mut recs: Vec<Vec<u8>> = cycle.iter().map(|r| r.to_vec()).collect();

    let files: Vec<RulesFile> = RULE_FILES
        .iter()
        .map(|(name, text)| RulesFile::new(*name, text.as_bytes()))
        .collect();
    let schemas: Vec<&dyn vigil_event::FieldSchema> = vec![
        &vigil_state::SYSCALL_SCHEMA,
        &vigil_k8saudit::K8S_AUDIT_SCHEMA,
    ];
    let ruleset = vigil_rules::load(&files, &LoadOptions::new(schemas))
        .ruleset
        .expect("embedded rules load");

    let mut state = State::new();
    let snap = vigil_ebpf::procfs::snapshot(None);
    state.apply_block(&Block::Users(snap.users));
    for t in snap.threads {
        state.apply_block(&Block::Process(Box::new(t)));
    }
    for (tid, fds) in snap.fds {
        state.apply_block(&Block::Fds { tid, fds });
    }

    if workload == "dupclose" {
        run(&ruleset, &mut state, &mut [open.clone()], 1);
    }
    if std::env::var_os("CONSUMER_FIELDS").is_some() {
        field_counts(&ruleset, &recs, &mut state);
    }

    let start = Instant::now();
    let (alerts, undescribed) = run(&ruleset, &mut state, &mut recs, n);
    let el = start.elapsed();
    state.flush();
    eprintln!(
        "consumer: {workload}: {n} events in {:.3} s: {:.1} ns/event, {:.0} events/s; {alerts} alerts, {undescribed} container look-ups",
        el.as_secs_f64(),
        el.as_nanos() as f64 / n.max(1) as f64,
        n as f64 / el.as_secs_f64().max(1e-9),
    );
}

/// The measured loop (not inlined, so that `valgrind --tool=callgrind
/// --toggle-collect=consumer::run` counts its instructions alone): `n` records, cycling
/// through `recs`, each converted, applied to `state` and evaluated. Returns the number of
/// alerts and of records naming a container not described yet.
#[inline(never)]
fn run(
    ruleset: &vigil_rules::Ruleset,
    state: &mut State,
    recs: &mut [Vec<u8>],
    n: u64,
) -> (u64, u64) {
    let conv = vigil_ebpf::Converter::with_offset(0);
    let mut buf = vigil_ebpf::EventBuf::new();
    let mut hits = Vec::new();
    let (mut alerts, mut undescribed) = (0u64, 0u64);
    let mut ts = 1_000_000u64;
    for i in 0..n {
        let k = (i % recs.len() as u64) as usize;
        let rec = &mut recs[k];
        ts += 100;
        rec[0..8].copy_from_slice(&ts.to_le_bytes());
        let Ok(raw) = conv.convert_into(rec, &mut buf) else {
            panic!("record {k} does not convert");
        };
        if state.undescribed_container(&raw).is_some() {
            undescribed += 1;
        }
        state.apply(&raw);
        let view = state.view(&raw);
        hits.clear();
        ruleset.evaluate_indices(SYSCALL_SOURCE, &view, &mut hits);
        alerts += hits.len() as u64;
    }
    (alerts, undescribed)
}

/// Which fields the rules extract for each record of the cycle (`CONSUMER_FIELDS=1`).
fn field_counts(ruleset: &vigil_rules::Ruleset, recs: &[Vec<u8>], state: &mut State) {
    use std::cell::RefCell;
    use vigil_event::{EventTypeId, Extract, FieldRef, FieldSchema, Values};
    struct Counting<'a> {
        inner: &'a dyn Extract,
        seen: RefCell<Vec<FieldRef>>,
    }
    impl Extract for Counting<'_> {
        fn event_type(&self) -> Option<EventTypeId> {
            self.inner.event_type()
        }
        fn extract(&self, field: &FieldRef) -> Option<Values<'_>> {
            self.seen.borrow_mut().push(field.clone());
            self.inner.extract(field)
        }
    }
    let conv = vigil_ebpf::Converter::with_offset(0);
    let mut buf = vigil_ebpf::EventBuf::new();
    for rec in recs {
        let ev = conv.convert(rec).expect("converts");
        let raw = buf.raw(&ev);
        state.apply(&raw);
        let view = state.view(&raw);
        let c = Counting {
            inner: &view,
            seen: RefCell::new(Vec::new()),
        };
        let mut hits = Vec::new();
        ruleset.evaluate_indices(SYSCALL_SOURCE, &c, &mut hits);
        for r in ruleset.rules() {
            if r.source != SYSCALL_SOURCE
                || !view.event_type().is_some_and(|t| r.event_types.contains(t))
            {
                continue;
            }
            let before = c.seen.borrow().len();
            let m = r.filter.eval(&c);
            let after = c.seen.borrow().len();
            eprintln!("  rule {:?}: {} extractions, {m}", r.name, after - before);
        }
        c.seen.borrow_mut().clear();
        ruleset.evaluate_indices(SYSCALL_SOURCE, &c, &mut hits);
        let seen = c.seen.into_inner();
        let mut names: Vec<String> = seen
            .iter()
            .map(|f| {
                let name = vigil_state::SYSCALL_SCHEMA
                    .info(f.id)
                    .map_or("?", |i| i.name);
                format!("{name}{:?}", f.arg)
            })
            .collect();
        names.sort();
        let total = names.len();
        names.dedup();
        eprintln!(
            "{}: {total} extractions of {} distinct fields:",
            raw.name(),
            names.len()
        );
        for n in &names {
            let k = seen
                .iter()
                .zip(0..)
                .filter(|(f, _)| {
                    let name = vigil_state::SYSCALL_SCHEMA
                        .info(f.id)
                        .map_or("?", |i| i.name);
                    format!("{name}{:?}", f.arg) == *n
                })
                .count();
            eprintln!("  {k:3} {n}");
        }
    }
}
