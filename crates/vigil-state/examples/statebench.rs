//! Throughput of the state engine and the extractor: replays the events of a capture (held in
//! memory) many times through `State::apply` + `State::view` + a few common fields.
//!
//! `cargo run --release -p vigil-state --example statebench -- FILE [ROUNDS]`

use std::time::Instant;

use vigil_event::{Extract, FieldSchema};
use vigil_scap::{Block, Converter, OwnedEvent, RawEvent, Reader};
use vigil_state::{SYSCALL_SCHEMA, State};

/// Parameter bytes and their ranges.
type Flat = (Vec<u8>, Vec<(u32, u32)>);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: statebench FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(200);
    let mut conv = Converter::new(Reader::open(path).expect("open"));
    let mut base = State::new();
    let mut events: Vec<OwnedEvent> = Vec::new();
    while let Ok(Some(b)) = conv.next() {
        match &b {
            Block::Event(ev) => events.push(ev.to_owned_event()),
            other => base.apply_block(other),
        }
    }
    // Flatten into (buf, ranges) once.
    let flat: Vec<Flat> = events
        .iter()
        .map(|e| {
            let mut buf = Vec::new();
            let mut ranges = Vec::new();
            for p in &e.params {
                let s = buf.len() as u32;
                buf.extend_from_slice(p);
                ranges.push((s, buf.len() as u32));
            }
            (buf, ranges)
        })
        .collect();
    let only: Vec<String> = args
        .iter()
        .skip_while(|a| *a != "--fields")
        .skip(1)
        .cloned()
        .collect();
    let fields: Vec<_> = [
        "evt.type",
        "proc.name",
        "proc.pname",
        "proc.cmdline",
        "fd.name",
        "fd.typechar",
        "user.name",
        "container.id",
        "evt.is_open_write",
        "proc.aname",
    ]
    .iter()
    .filter(|f| only.is_empty() || only.iter().any(|o| o == *f))
    .map(|f| SYSCALL_SCHEMA.resolve(f, None).expect("field"))
    .take(if args.iter().any(|a| a == "--apply-only") {
        0
    } else {
        usize::MAX
    })
    .collect();
    let mut state = base;
    let start = Instant::now();
    let mut n = 0u64;
    let mut hits = 0u64;
    for _ in 0..rounds {
        for (e, (buf, ranges)) in events.iter().zip(&flat) {
            let ev = RawEvent::new(e.ts, e.tid, e.cpu, e.flags, e.code, buf, ranges);
            state.apply(&ev);
            let v = state.view(&ev);
            let _ = v.event_type();
            for f in &fields {
                if v.extract(f).is_some() {
                    hits += 1;
                }
            }
            n += 1;
        }
    }
    let dt = start.elapsed().as_secs_f64();
    println!(
        "{n} events in {dt:.3}s: {:.0} events/s (apply+view+{} fields), {hits} values",
        n as f64 / dt,
        fields.len()
    );
}
