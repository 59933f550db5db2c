//! Where alerts go: synchronous sinks writing one line per alert.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Stdout, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::alert::{Alert, AlertFormatter};
use crate::options::OutputOptions;

/// A destination for alerts.
pub trait Sink {
    /// Write one alert.
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()>;
    /// Push out anything buffered (called at the end of a run).
    fn flush(&mut self) -> io::Result<()>;
}

/// Writes each alert as one line (text or JSON per the options) to a writer; flushes after
/// every line unless `buffered_outputs` is set (Falco's stdout and file outputs).
#[derive(Debug)]
pub struct WriterSink<W: Write> {
    out: W,
    formatter: AlertFormatter,
    line: String,
}

impl<W: Write> WriterSink<W> {
    /// A sink writing to `out`.
    pub fn new(out: W, options: OutputOptions) -> WriterSink<W> {
        WriterSink {
            out,
            formatter: AlertFormatter::new(options),
            line: String::new(),
        }
    }

    /// The formatter in use.
    pub fn formatter(&self) -> &AlertFormatter {
        &self.formatter
    }

    /// The writer back (unflushed data stays in it).
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Sink for WriterSink<W> {
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()> {
        self.line.clear();
        self.formatter.push_line(alert, &mut self.line);
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        if !self.formatter.options.buffered_outputs {
            self.out.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The stdout sink (Falco's `stdout_output`).
pub type StdoutSink = WriterSink<BufWriter<Stdout>>;

/// The file sink (Falco's `file_output`).
pub type FileSink = WriterSink<BufWriter<File>>;

/// A sink on standard output.
pub fn stdout_sink(options: OutputOptions) -> StdoutSink {
    WriterSink::new(BufWriter::with_capacity(64 * 1024, io::stdout()), options)
}

/// A sink appending to `path` (created if missing), as Falco's file output opens it.
pub fn file_sink(path: &Path, options: OutputOptions) -> io::Result<FileSink> {
    let f = OpenOptions::new().create(true).append(true).open(path)?;
    Ok(WriterSink::new(BufWriter::new(f), options))
}

/// Pipes each alert line to a shell command (Falco's `program_output`): `sh -c PROGRAM` with
/// the line on its standard input and its output going to ours. Without `keep_alive`, one
/// process per alert, waited for before the next (as Falco's `popen`/`pclose`).
#[derive(Debug)]
pub struct ProgramSink {
    program: String,
    keep_alive: bool,
    formatter: AlertFormatter,
    child: Option<(Child, BufWriter<ChildStdin>)>,
    line: String,
}

impl ProgramSink {
    /// A sink for `program` (run with `sh -c`).
    pub fn new(program: &str, keep_alive: bool, options: OutputOptions) -> ProgramSink {
        ProgramSink {
            program: program.to_string(),
            keep_alive,
            formatter: AlertFormatter::new(options),
            child: None,
            line: String::new(),
        }
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some((mut child, mut stdin)) = self.child.take() {
            let flushed = stdin.flush();
            drop(stdin);
            child.wait()?;
            flushed?;
        }
        Ok(())
    }
}

impl Sink for ProgramSink {
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()> {
        if self.child.is_none() {
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(&self.program)
                .stdin(Stdio::piped())
                .spawn()?;
            let stdin = child
                .stdin
                .take()
                .ok_or_else(|| io::Error::other("program output: no stdin pipe"))?;
            self.child = Some((child, BufWriter::new(stdin)));
        }
        self.line.clear();
        self.formatter.push_line(alert, &mut self.line);
        self.line.push('\n');
        if let Some((_, stdin)) = self.child.as_mut() {
            stdin.write_all(self.line.as_bytes())?;
            if !self.formatter.options.buffered_outputs {
                stdin.flush()?;
            }
        }
        if !self.keep_alive {
            self.close()?;
        }
        Ok(())
    }

    /// Closes the program's input and waits for it (so its output is complete).
    fn flush(&mut self) -> io::Result<()> {
        self.close()
    }
}

impl Drop for ProgramSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// The sinks the options enable: stdout (`stdout_output.enabled`), the file
/// (`file_output.enabled` with `file_output.filename`) and the program
/// (`program_output.enabled` with `program_output.program`).
pub fn sinks_from_options(options: &OutputOptions) -> io::Result<Vec<Box<dyn Sink>>> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if options.stdout_output {
        sinks.push(Box::new(stdout_sink(options.clone())));
    }
    if options.file_output {
        if options.file_output_filename.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "file_output is enabled but file_output.filename is empty",
            ));
        }
        sinks.push(Box::new(file_sink(
            Path::new(&options.file_output_filename),
            options.clone(),
        )?));
    }
    if options.program_output {
        if options.program_output_program.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "program_output is enabled but program_output.program is empty",
            ));
        }
        sinks.push(Box::new(ProgramSink::new(
            &options.program_output_program,
            options.program_output_keep_alive,
            options.clone(),
        )));
    }
    Ok(sinks)
}

/// Collects formatted lines in memory (tests, the cases runner).
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    formatter: AlertFormatter,
    /// The lines emitted so far, without newlines.
    pub lines: Vec<String>,
}

impl MemorySink {
    /// An empty collector formatting with `options`.
    pub fn new(options: OutputOptions) -> MemorySink {
        MemorySink {
            formatter: AlertFormatter::new(options),
            lines: Vec::new(),
        }
    }
}

impl Sink for MemorySink {
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()> {
        self.lines.push(self.formatter.line(alert));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()> {
        (**self).emit(alert)
    }

    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }
}

impl<S: Sink> Sink for Vec<S> {
    /// Emits to every sink; the first error is returned after all were tried.
    fn emit(&mut self, alert: &Alert<'_>) -> io::Result<()> {
        let mut res = Ok(());
        for s in self.iter_mut() {
            if let Err(e) = s.emit(alert)
                && res.is_ok()
            {
                res = Err(e);
            }
        }
        res
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut res = Ok(());
        for s in self.iter_mut() {
            if let Err(e) = s.flush()
                && res.is_ok()
            {
                res = Err(e);
            }
        }
        res
    }
}
