//! # vigil-output
//!
//! Falco-compatible alert output:
//!
//! * [`OutputTemplate`] — a rule's `output` compiled against a [`vigil_event::FieldSchema`]
//!   (libsinsp's formatter syntax: `%field`, `%field[arg]`, `%Nfield`, `*` prefix,
//!   `%tolower(…)`), rendered from an [`vigil_event::Extract`] event with libsinsp's value
//!   rendering (`<NA>`, `(a,b)` lists, dots for byte buffers);
//! * [`Alert`] and [`AlertFormatter`] — Falco's text line
//!   (`16:17:57.881781397: Warning …`, or ISO-8601 with `time_format_iso_8601`) and JSON
//!   object (`hostname, message?, output?, output_fields?, priority, rule, source, tags?, time`
//!   in that sorted order);
//! * [`OutputOptions`] — the output keys of Falco's configuration, set by `-o key=value`;
//! * [`Sink`] — synchronous destinations (stdout, file, program, memory).
//!
//! Depends only on `vigil-event`.
//!
//! ```
//! use vigil_event::{FieldInfo, FieldSchema, FieldType, MapEvent, Priority};
//! use vigil_output::{Alert, AlertFormatter, OutputOptions, OutputTemplate};
//!
//! struct Schema;
//! static FIELDS: &[FieldInfo] = &[FieldInfo::new("proc.cmdline", FieldType::String, "cmd")];
//! impl FieldSchema for Schema {
//!     fn source(&self) -> &str { "syscall" }
//!     fn fields(&self) -> &[FieldInfo] { FIELDS }
//! }
//!
//! // Once per rule: compile its output (Falco adds the `*`: missing values print <NA>).
//! let tpl = OutputTemplate::compile_rule_output("An open was seen (command=%proc.cmdline)", &Schema)
//!     .expect("valid output");
//! // Once per run: options from `-o key=value`.
//! let mut opts = OutputOptions::default();
//! opts.apply_override("time_format_iso_8601=true").expect("valid value");
//! let fmt = AlertFormatter::new(opts);
//! // Per match.
//! let ev = MapEvent::builder(&Schema).str("proc.cmdline", "cat /dev/null").build();
//! let tags = vec!["filesystem".to_string()];
//! let alert = Alert::from_event(&tpl, &ev, 1_470_327_477_881_781_397, "open_from_cat",
//!     Priority::Warning, "syscall", &tags, "host");
//! assert_eq!(fmt.line(&alert),
//!     "2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)");
//! ```

#![deny(missing_docs)]

mod alert;
mod options;
mod sink;
mod template;
mod text;
mod time;

pub use alert::{Alert, AlertFormatter};
pub use options::{OutputOptions, parse_bool};
pub use sink::{
    FileSink, MemorySink, ProgramSink, Sink, StdoutSink, WriterSink, file_sink, sinks_from_options,
    stdout_sink,
};
pub use template::{OutputError, OutputField, OutputTemplate};
pub use text::{
    FieldValue, NOT_AVAILABLE, push_bytebuf, push_json_str, push_sanitized, push_value, push_values,
};
pub use time::{local_utc_offset, push_iso8601, push_iso8601_z, push_log_time, push_time_of_day};

/// The host name Falco puts in alerts: `FALCO_HOSTNAME` when set, else the kernel's host
/// name (`gethostname`, read from `/proc/sys/kernel/hostname`, then `/etc/hostname`), else
/// an empty string.
pub fn hostname() -> String {
    if let Some(h) = std::env::var_os("FALCO_HOSTNAME") {
        return h.to_string_lossy().into_owned();
    }
    for p in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(p) {
            let s = s.trim();
            if !s.is_empty() {
                return s.to_string();
            }
        }
    }
    String::new()
}
