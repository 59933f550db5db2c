//! `vigil`: runtime security for Linux hosts, containers and Kubernetes.
//!
//! This binary is the composition root: the only crate that names every concrete source,
//! schema and sink. Subcommands live in `commands/`, one file each.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod args;
mod commands;
mod default_rules;
mod drops;
mod schemas;
mod settings;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitStatus {
    /// Everything went fine.
    Success,
    /// The user's input was invalid (rule errors, bad arguments).
    Failure,
    /// Something unexpected (I/O error…).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            // A closed pipe (`vigil fields | head`) is not an error.
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "vigil: error: {err:#}");
            ExitStatus::Error.into()
        }
    }
}
