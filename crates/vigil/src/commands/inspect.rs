//! `vigil inspect CAPTURE [--filter COND] [--count] [-p FORMAT]`: sysdig-style event listing.

use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use vigil_filter::{Filter, ParseError};
use vigil_output::OutputTemplate;
use vigil_scap::{Block, Converter, ErrorKind, Reader};
use vigil_state::{SYSCALL_SCHEMA, State};

use crate::ExitStatus;
use crate::args::InspectArgs;

/// sysdig's default line: number, time, cpu, process (tid), direction, type, arguments.
const DEFAULT_FORMAT: &str =
    "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.args";

fn compile_filter(cond: &str) -> Result<Filter, String> {
    let ast = vigil_filter::parse(cond).map_err(|e| e.render(cond))?;
    vigil_filter::compile(&ast, &SYSCALL_SCHEMA).map_err(|e| {
        ParseError {
            message: e.message,
            span: e.span,
        }
        .render(cond)
    })
}

pub(crate) fn run(args: &InspectArgs) -> Result<ExitStatus> {
    let filter = match args.filter.as_deref().map(compile_filter).transpose() {
        Ok(f) => f,
        Err(rendered) => {
            eprintln!("vigil: invalid filter: {rendered}");
            return Ok(ExitStatus::Failure);
        }
    };
    let format = args.format.as_deref().unwrap_or(DEFAULT_FORMAT);
    let template = match OutputTemplate::compile(format, &SYSCALL_SCHEMA) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("vigil: invalid format at byte {}: {}", e.pos, e.message);
            return Ok(ExitStatus::Failure);
        }
    };
    let reader = Reader::open(&args.capture)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.capture.display()))?;
    let mut conv = Converter::new(reader);
    let mut state = State::new();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut line = String::new();
    let mut matched = 0u64;
    let mut status = ExitStatus::Success;
    loop {
        match conv.next() {
            Ok(Some(block)) => {
                state.apply_block(&block);
                let Block::Event(ev) = &block else { continue };
                let view = state.view(ev);
                if filter.as_ref().is_some_and(|f| !f.eval(&view)) {
                    continue;
                }
                matched += 1;
                if !args.count {
                    line.clear();
                    if template.render(&view, &mut line) {
                        line.push('\n');
                        out.write_all(line.as_bytes())?;
                    }
                }
            }
            Ok(None) => break,
            Err(e) if matches!(e.kind, ErrorKind::Conversion) => {
                eprintln!("vigil: {}: {e}", args.capture.display());
            }
            Err(e) => {
                eprintln!("vigil: {}: {e}", args.capture.display());
                status = ExitStatus::Failure;
                break;
            }
        }
    }
    if args.count {
        writeln!(out, "{matched}")?;
    }
    out.flush().context("cannot write to stdout")?;
    Ok(status)
}
