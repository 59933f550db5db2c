//! Replay a capture through the state engine and print chosen fields per event.
//!
//! `cargo run -p vigil-state --example statedump -- FILE [field ...]`

use vigil_event::{Extract, FieldSchema, Value};
use vigil_scap::{Block, Converter, Reader};
use vigil_state::{SYSCALL_SCHEMA, State};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: statedump FILE [field ...]");
        std::process::exit(2);
    };
    let fields: Vec<String> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ["evt.num", "evt.type", "proc.name", "fd.name", "evt.args"]
            .iter()
            .map(|s| (*s).to_string())
            .collect()
    };
    let refs: Vec<_> = fields
        .iter()
        .map(|f| {
            let (name, arg) = match f.split_once('[') {
                Some((n, a)) => (n, Some(a.trim_end_matches(']'))),
                None => (f.as_str(), None),
            };
            SYSCALL_SCHEMA.resolve(name, arg).unwrap_or_else(|e| {
                eprintln!("{f}: {e}");
                std::process::exit(2)
            })
        })
        .collect();
    let reader = Reader::open(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let mut conv = Converter::new(reader);
    let mut state = State::new();
    loop {
        let b = match conv.next() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                eprintln!("{e}");
                break;
            }
        };
        state.apply_block(&b);
        if let Block::Event(ev) = &b {
            let v = state.view(ev);
            let line: Vec<String> = refs
                .iter()
                .map(|r| match v.extract(r) {
                    None => "<NA>".to_string(),
                    Some(vals) => vals
                        .iter()
                        .map(|x| match x {
                            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                            Value::Int(i) => i.to_string(),
                            Value::UInt(u) => u.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Ip(i) => i.to_string(),
                            Value::Net(n) => n.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                })
                .collect();
            println!("{}", line.join(" | "));
        }
    }
    eprintln!("threads at end: {}", state.thread_count());
}
