//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Runtime security for Linux hosts, containers and Kubernetes, speaking Falco's rule
/// language.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, propagate_version = true)]
#[command(
    after_help = "Exit status: 0 success, 1 invalid input (e.g. rule errors), 2 unexpected error."
)]
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
    /// Check Kubernetes manifests for immutability and hardening (exit 1 on findings >= --fail-on).
    Check(CheckArgs),
    /// Replay a recording (scap capture or Kubernetes audit log) through the rules.
    Replay(ReplayArgs),
    /// Print (or count) the events of a capture that match a condition, sysdig-style.
    Inspect(InspectArgs),
    /// Watch this host live with eBPF (root): system calls through the rules, alerts out.
    Run(RunArgs),
    /// Record live system calls to a scap capture (root), for `vigil replay` and `sysdig -r`.
    Capture(CaptureArgs),
    /// Kubernetes audit logs and audit policies: report, policy generate, policy lint.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Who did what in audit logs: activity, failed and anonymous access, exec/attach/port-forward,
    /// Secret reads (names only), RBAC changes.
    Report(AuditReportArgs),
    /// Write and check audit policies (audit.k8s.io/v1 Policy).
    #[command(subcommand)]
    Policy(AuditPolicyCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditPolicyCommand {
    /// Print the least audit policy under which every enabled k8s_audit rule can fire.
    Generate(AuditPolicyGenerateArgs),
    /// Check an audit policy: structure, rules that cannot fire, secrets logged with bodies,
    /// missing omitStages, floods (exit 1 on errors or warnings).
    Lint(AuditPolicyLintArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AuditReportArgs {
    /// Audit log files (JSON lines, webhook EventList bodies, JSON arrays).
    #[arg(value_name = "LOG", required = true)]
    pub(crate) logs: Vec<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub(crate) json: bool,
    /// Rows per table on a terminal (0 = all).
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub(crate) limit: usize,
}

#[derive(Debug, Args)]
pub(crate) struct AuditPolicyGenerateArgs {
    /// Rule files, in order (default: vigil's embedded k8s-audit rules).
    #[arg(short = 'r', long = "rules", value_name = "FILE")]
    pub(crate) rules: Vec<PathBuf>,
    /// Write the policy to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct AuditPolicyLintArgs {
    /// The policy file (YAML or JSON).
    #[arg(value_name = "POLICY")]
    pub(crate) policy: PathBuf,
    /// Rule files whose enabled k8s_audit rules must be able to fire (default: vigil's
    /// embedded k8s-audit rules).
    #[arg(short = 'r', long = "rules", value_name = "FILE")]
    pub(crate) rules: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// A scap capture (plain or gzip) or a Kubernetes audit log (JSON lines / EventList).
    #[arg(value_name = "INPUT")]
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) cfg: RulesArgs,
    /// No progress line on a terminal.
    #[arg(long)]
    pub(crate) no_progress: bool,
}

/// Rules and Falco configuration: shared by `vigil replay` and `vigil run`.
#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Rule files, in order (default: vigil's embedded rules; given files replace them).
    #[arg(short = 'r', long = "rules", value_name = "FILE")]
    pub(crate) rules: Vec<PathBuf>,
    /// Falco configuration overrides, `key=value` (e.g. `priority=warning`,
    /// `json_output=true`, `rules[].disable.tag=T`).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub(crate) options: Vec<String>,
    /// A Falco-style YAML configuration file (applied before -o).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// JSON alerts (same as -o json_output=true).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) cfg: RulesArgs,
    /// Stop after this long (`30s`, `5m`, `1h`; default: until SIGINT/SIGTERM).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) duration: Option<std::time::Duration>,
    /// Seconds between statistics lines on stderr (0: none).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub(crate) stats_interval: u64,
    /// Do not start the eBPF syscall sensor (e.g. audit events only; needs no root).
    #[arg(long)]
    pub(crate) no_syscall: bool,
    /// Receive Kubernetes audit events on this address (`POST /k8s-audit`, Falco's port
    /// 9765: e.g. `0.0.0.0:9765`).
    #[arg(long, value_name = "ADDR")]
    pub(crate) k8s_audit_webhook: Option<std::net::SocketAddr>,
    /// TLS certificate (PEM) for the audit webhook.
    #[arg(long, value_name = "FILE", requires = "k8s_audit_tls_key")]
    pub(crate) k8s_audit_tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for the audit webhook.
    #[arg(long, value_name = "FILE", requires = "k8s_audit_tls_cert")]
    pub(crate) k8s_audit_tls_key: Option<PathBuf>,
    /// Require client certificates signed by this CA (PEM) on the audit webhook.
    #[arg(long, value_name = "FILE")]
    pub(crate) k8s_audit_client_ca: Option<PathBuf>,
    /// Require `Authorization: Bearer <token>` on the audit webhook; the token is read from
    /// this file (not from the command line, where other users could see it).
    #[arg(long, value_name = "FILE")]
    pub(crate) k8s_audit_token_file: Option<PathBuf>,
    /// Read Kubernetes audit events from this JSON-lines log and keep following it across
    /// rotation and truncation, like `tail -F` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) k8s_audit_file: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) sensor: SensorArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CaptureArgs {
    /// The capture file to write.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub(crate) write: PathBuf,
    /// Only write events matching this condition (Falco/sysdig filter syntax), evaluated
    /// with the process and fd tables every event updates; the file holds the start-up tables
    /// and the matching events (as sysdig -w with a filter).
    #[arg(short = 'f', long = "filter", value_name = "COND")]
    pub(crate) filter: Option<String>,
    /// Stop after this long (`30s`, `5m`, `1h`; default: until SIGINT/SIGTERM).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) duration: Option<std::time::Duration>,
    /// gzip-compress the capture.
    #[arg(short = 'z', long)]
    pub(crate) compress: bool,
    #[command(flatten)]
    pub(crate) sensor: SensorArgs,
}

/// eBPF sensor options shared by `vigil run` and `vigil capture`.
#[derive(Debug, Args)]
pub(crate) struct SensorArgs {
    /// How system calls are hooked: `syscalls` (one tracepoint per syscall the rules need;
    /// the others cost nothing), `raw` (every syscall, filtered in BPF), or `auto`
    /// (`syscalls`, or `raw` when every supported syscall is wanted or tracefs is missing).
    #[arg(long, value_name = "MODE", default_value = "auto")]
    pub(crate) syscall_attach: vigil_ebpf::AttachMode,
    /// Kernel ring buffer size in MiB (rounded up to a power of two). Its pages count in
    /// vigil's RSS; larger rings absorb longer bursts (32 MiB held a one-second burst of 200k
    /// syscall records on a 2-vCPU VM: BENCHMARKS.md).
    #[arg(long, value_name = "MIB", default_value_t = vigil_ebpf::DEFAULT_RING_BYTES >> 20,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(crate) ring_mb: u32,
}

impl SensorArgs {
    /// The sensor options; `every_syscall`: the interest set is every syscall.
    pub(crate) fn options(&self, every_syscall: bool) -> vigil_ebpf::Options {
        vigil_ebpf::Options {
            attach: self.syscall_attach,
            ring_bytes: self.ring_mb << 20,
            every_syscall,
        }
    }
}

/// `N`, `Ns`, `Nms`, `Nm` or `Nh`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, ""), |i| s.split_at(i));
    let n: u64 = num.parse().map_err(|_| format!("invalid duration '{s}'"))?;
    let ms = match unit {
        "ms" => n,
        "" | "s" => n.saturating_mul(1000),
        "m" => n.saturating_mul(60_000),
        "h" => n.saturating_mul(3_600_000),
        _ => return Err(format!("invalid duration unit in '{s}' (ms, s, m, h)")),
    };
    Ok(std::time::Duration::from_millis(ms))
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// A scap capture (plain or gzip).
    #[arg(value_name = "CAPTURE")]
    pub(crate) capture: PathBuf,
    /// Only events matching this condition (Falco/sysdig filter syntax).
    #[arg(short = 'f', long = "filter", value_name = "COND")]
    pub(crate) filter: Option<String>,
    /// Print only the number of matching events.
    #[arg(long)]
    pub(crate) count: bool,
    /// Threads: 2 reads and converts the capture on a second thread while this one keeps
    /// the state and evaluates the filter; 1 does everything on one thread.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u8).range(1..=2))]
    pub(crate) threads: u8,
    /// Output format for each event, `%field` placeholders (sysdig's -p).
    #[arg(short = 'p', long = "print", value_name = "FORMAT")]
    pub(crate) format: Option<String>,
    /// Name ports by their service in /etc/services (`fd.name`, `fd.*proto`), as libsinsp's
    /// port-name mode.
    #[arg(long)]
    pub(crate) resolve_ports: bool,
    /// Write the matching events to a new capture, with the capture's machine, interface and
    /// user tables and the threads (and their fds) the filter selects (sysdig's -w).
    #[arg(short = 'w', long = "write", value_name = "OUT")]
    pub(crate) write: Option<PathBuf>,
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

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Manifest files or folders (*.yaml, *.yml, *.json, recursively); `-` reads standard input.
    #[arg(value_name = "PATH", required_unless_present = "list_checks")]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: CheckFormat,
    /// Exit with status 1 when a finding at or above this severity exists (`none`: never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub(crate) fail_on: String,
    /// Only report findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "info")]
    pub(crate) min_severity: String,
    /// Write hardened manifests in place (standard input: to standard output), then report what is left.
    #[arg(long)]
    pub(crate) fix: bool,
    /// With --fix: write the hardened manifests under this folder instead of in place.
    #[arg(long, value_name = "DIR", requires = "fix")]
    pub(crate) fix_dir: Option<PathBuf>,
    /// Run every check, including those off by default.
    #[arg(long)]
    pub(crate) all_checks: bool,
    /// Also run this check (repeatable).
    #[arg(long, value_name = "CHECK")]
    pub(crate) enable: Vec<String>,
    /// Do not run this check (repeatable).
    #[arg(long, value_name = "CHECK")]
    pub(crate) disable: Vec<String>,
    /// List the checks (id, severity, default, tools' ids) and exit.
    #[arg(long)]
    pub(crate) list_checks: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Grouped by object, with the fix.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}
