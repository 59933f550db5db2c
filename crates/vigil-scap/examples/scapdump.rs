//! Print a summary of a capture: blocks, and per event code the count (raw and converted).
//!
//! `cargo run -p vigil-scap --example scapdump -- FILE [--events] [--convert]`

use std::collections::BTreeMap;

use vigil_scap::{Block, Converter, Reader};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: scapdump FILE [--events] [--convert]");
        std::process::exit(2);
    };
    let print_events = args.iter().any(|a| a == "--events");
    let convert = args.iter().any(|a| a == "--convert");
    let reader = match Reader::open(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let h = reader.section_header();
    println!("version {}.{} gzip={}", h.major, h.minor, reader.is_gzip());
    let mut counts: BTreeMap<(u16, &'static str), u64> = BTreeMap::new();
    let (mut procs, mut fdls, mut events) = (0u64, 0u64, 0u64);
    let mut handle = |b: Block<'_>| match b {
        Block::Event(ev) => {
            events += 1;
            let sym = ev.info().map_or("?", |i| i.symbol);
            *counts.entry((ev.code, sym)).or_default() += 1;
            if print_events {
                let vals: Vec<String> = (0..ev.nparams())
                    .map(|i| {
                        let name = ev
                            .info()
                            .and_then(|x| x.params.get(i))
                            .map_or("?", |p| p.name);
                        let v = ev.value(i).map(|v| v.to_string()).unwrap_or_default();
                        format!("{name}={v}")
                    })
                    .collect();
                println!(
                    "{} {} {} {} {} {}",
                    ev.ts,
                    ev.tid,
                    ev.direction().as_char(),
                    ev.name(),
                    sym,
                    vals.join(" ")
                );
            }
        }
        Block::Process(_) => procs += 1,
        Block::Fds { .. } => fdls += 1,
        other => println!("{other:?}"),
    };
    let res = if convert {
        let mut c = Converter::new(reader);
        loop {
            match c.next() {
                Ok(Some(b)) => handle(b),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        }
    } else {
        let mut r = reader;
        loop {
            match r.next() {
                Ok(Some(b)) => handle(b),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        }
    };
    println!("threads {procs}, fd lists {fdls}, events {events}");
    for ((code, sym), n) in &counts {
        println!("  {code:4} {sym:32} {n}");
    }
    if let Err(e) = res {
        println!("ERROR {e}");
        std::process::exit(1);
    }
}
