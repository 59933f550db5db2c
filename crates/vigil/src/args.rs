//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Runtime security for Linux hosts, containers and Kubernetes, speaking Falco's rule
/// language.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, propagate_version = true)]
#[command(after_help = "Exit status: 0 success, 1 invalid input (e.g. rule errors), 2 unexpected error.")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate, list and describe Falco rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// List the fields that conditions and outputs can use.
    Fields(FieldsArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Load rule files (in order, sharing one namespace) and report errors and warnings.
    Validate(ValidateArgs),
    /// List the rules (and with --all, macros and lists) of rule files.
    List(ListArgs),
    /// Describe one rule, macro or list: condition, expansion, event types, output.
    Describe(DescribeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Rule files to load, in order.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Print Falco-style JSON load results instead of human-readable diagnostics.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Rule files to load, in order.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    /// Name of a rule, macro or list.
    pub(crate) name: String,
    /// Rule files to load, in order.
    #[arg(short = 'r', long = "rules", required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct FieldsArgs {
    /// Only the fields of this event source.
    #[arg(long, value_enum)]
    pub(crate) source: Option<SourceName>,
    /// Print JSON lines instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceName {
    /// System calls, processes, files, network (eBPF, capture files).
    Syscall,
    /// Kubernetes API server audit events.
    #[value(name = "k8s_audit")]
    K8sAudit,
}

impl SourceName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SourceName::Syscall => "syscall",
            SourceName::K8sAudit => "k8s_audit",
        }
    }
}
