//! `vigil inspect CAPTURE [--filter COND] [--count] [-p FORMAT] [--resolve-ports] [-w OUT]`:
//! sysdig-style event listing, counting and filtered dumps.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use vigil_filter::{Filter, ParseError};
use vigil_output::OutputTemplate;
use vigil_scap::{
    Block, Converter, ErrorKind, FdInfo, Interface, MachineInfo, RawEvent, Reader, ThreadInfo,
    UserList, Writer,
};
use vigil_state::{SYSCALL_SCHEMA, State};

use super::prefetch::{Next, Prefetch};
use crate::ExitStatus;
use crate::args::InspectArgs;

/// sysdig's default line: number, time, cpu, process (tid), direction, type, arguments.
const DEFAULT_FORMAT: &str =
    "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.args";

/// Parse and compile a syscall filter; `Err` is the error rendered with a caret under `cond`.
pub(super) fn compile_filter(cond: &str) -> Result<Filter, String> {
    let ast = vigil_filter::parse(cond).map_err(|e| e.render(cond))?;
    vigil_filter::compile(&ast, &SYSCALL_SCHEMA).map_err(|e| {
        ParseError {
            message: e.message,
            span: e.span,
        }
        .render(cond)
    })
}

/// A filtered dump (`-w`), written as libsinsp's dumper writes one: the capture's tables as
/// they stand before the first event, then the matching events.
///
/// With a filter, the thread table is filtered as libsinsp does when saving
/// (`filter_proc_table_when_saving`): each thread is probed with a synthetic `read` exit event
/// of that thread, and only the threads the filter accepts are written, with their fds.
struct Dump {
    writer: Writer<File>,
    tables_written: bool,
    machine: Option<MachineInfo>,
    interfaces: Vec<Vec<Interface>>,
    users: Vec<UserList>,
    threads: Vec<ThreadInfo>,
    fds: Vec<(u64, Vec<FdInfo>)>,
}

impl Dump {
    fn create(path: &std::path::Path) -> Result<Dump> {
        let writer = Writer::create(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Dump {
            writer,
            tables_written: false,
            machine: None,
            interfaces: Vec::new(),
            users: Vec::new(),
            threads: Vec::new(),
            fds: Vec::new(),
        })
    }

    /// Keep a table block until the tables are written (later ones are not dumped, as in
    /// libsinsp, whose dumper writes the thread table once, when it opens).
    fn keep(&mut self, block: &Block<'_>) {
        if self.tables_written {
            return;
        }
        match block {
            Block::MachineInfo(m) => self.machine = Some(m.clone()),
            Block::Interfaces(list) => self.interfaces.push(list.clone()),
            Block::Users(u) => self.users.push(u.clone()),
            Block::Process(t) => self.threads.push((**t).clone()),
            Block::Fds { tid, fds } => self.fds.push((*tid, fds.clone())),
            Block::Section(_) | Block::Event(_) => {}
        }
    }

    /// Write the kept tables; `state` has applied them and no event yet.
    fn write_tables(&mut self, state: &State, filter: Option<&Filter>) -> Result<()> {
        if self.tables_written {
            return Ok(());
        }
        self.tables_written = true;
        let read_x = vigil_scap::code_of_symbol("SYSCALL_READ_X").unwrap_or(0);
        let keep = |tid: u64| match filter {
            None => true,
            Some(f) => {
                let probe = RawEvent::new(0, tid, 0, 0, read_x, &[], &[]);
                f.eval(&state.view(&probe))
            }
        };
        let w = &mut self.writer;
        let err = |e: vigil_scap::ScapError| anyhow::anyhow!("{e}");
        if let Some(m) = &self.machine {
            w.machine_info(m).map_err(err)?;
        }
        for list in &self.interfaces {
            w.interfaces(list).map_err(err)?;
        }
        for u in &self.users {
            w.users(u).map_err(err)?;
        }
        let threads: Vec<ThreadInfo> = self.threads.drain(..).filter(|t| keep(t.tid)).collect();
        if !threads.is_empty() {
            w.processes(&threads).map_err(err)?;
        }
        for (tid, fds) in &self.fds {
            if threads.iter().any(|t| t.tid == *tid) {
                w.fds(*tid, fds).map_err(err)?;
            }
        }
        Ok(())
    }
}

// A `RawEvent` has nothing to drop, so forgetting an event block (in `run`) leaks nothing.
const _: () = assert!(!std::mem::needs_drop::<RawEvent<'static>>());

/// Where the converted capture comes from: this thread, or a reading thread.
enum Source {
    Direct(Box<Converter<File>>),
    Prefetch(Prefetch),
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
    let mut dump = args.write.as_deref().map(Dump::create).transpose()?;
    let conv = Converter::new(reader);
    let mut source = if args.threads > 1 {
        Source::Prefetch(Prefetch::start(conv).context("cannot start the reading thread")?)
    } else {
        Source::Direct(Box::new(conv))
    };
    let mut state = State::new();
    state.set_port_resolution(args.resolve_ports);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut line = String::new();
    let mut matched = 0u64;
    let mut status = ExitStatus::Success;
    // sysdig -w prints no event lines.
    let print = !args.count && dump.is_none();
    loop {
        let next = match &mut source {
            Source::Direct(conv) => match conv.next() {
                Ok(Some(block)) => Next::Block(block),
                Ok(None) => break,
                Err(e) => Next::Error(e),
            },
            Source::Prefetch(p) => match p.next() {
                Some(next) => next,
                None => break,
            },
        };
        match next {
            // Events and table blocks apart: an event block needs no drop, and goes to the
            // state without `apply_block`'s dispatch.
            Next::Block(Block::Event(ev)) => {
                // An event block owns nothing (its event borrows the reading buffers; asserted
                // at compile time above `Source`): forgetting it saves the call to `Block`'s
                // drop glue that every event would otherwise pay.
                std::mem::forget(next);
                if let Some(d) = dump.as_mut() {
                    d.write_tables(&state, filter.as_ref())?;
                }
                state.apply(&ev);
                let ev = &ev;
                // The filter's event types rule most events out before any extraction (the
                // state above has been updated for every event).
                if let (Some(f), Some(t)) = (filter.as_ref(), vigil_state::event_type_of(ev))
                    && !f.event_types().contains(t)
                {
                    continue;
                }
                let view = state.view(ev);
                if filter.as_ref().is_some_and(|f| !f.eval(&view)) {
                    continue;
                }
                matched += 1;
                if let Some(d) = dump.as_mut() {
                    d.writer
                        .event(ev)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", args.capture.display()))?;
                }
                if print {
                    line.clear();
                    if template.render(&view, &mut line) {
                        line.push('\n');
                        out.write_all(line.as_bytes())?;
                    }
                }
            }
            Next::Block(table) => {
                if let Some(d) = dump.as_mut() {
                    d.keep(&table);
                }
                state.apply_block(&table);
            }
            Next::Error(e) if matches!(e.kind, ErrorKind::Conversion) => {
                eprintln!("vigil: {}: {e}", args.capture.display());
            }
            Next::Error(e) => {
                eprintln!("vigil: {}: {e}", args.capture.display());
                status = ExitStatus::Failure;
                break;
            }
        }
    }
    if let Some(mut d) = dump {
        d.write_tables(&state, filter.as_ref())?;
        d.writer
            .finish()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .flush()
            .context("cannot write the capture")?;
    }
    if args.count {
        writeln!(out, "{matched}")?;
    }
    out.flush().context("cannot write to stdout")?;
    Ok(status)
}
