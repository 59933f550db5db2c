//! Falco's output-related configuration keys, settable with `-o key=value`.

use crate::template::OutputError;

/// Output configuration, with Falco's defaults (`falco.yaml` / `configuration.cpp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// `json_output` (false): one JSON object per alert instead of the text line.
    pub json_output: bool,
    /// `json_include_output_property` (true): the `output` key.
    pub json_include_output_property: bool,
    /// `json_include_tags_property` (true): the `tags` key.
    pub json_include_tags_property: bool,
    /// `json_include_message_property` (false): the `message` key (output without prefix).
    pub json_include_message_property: bool,
    /// `json_include_output_fields_property` (true): the `output_fields` key.
    pub json_include_output_fields_property: bool,
    /// `time_format_iso_8601` (false): ISO-8601 UTC time in the prefix instead of the local
    /// time of day.
    pub time_format_iso_8601: bool,
    /// `buffered_outputs` (false): when false, every alert is flushed as it is written.
    pub buffered_outputs: bool,
    /// `stdout_output.enabled` (true in Falco's shipped `falco.yaml`).
    pub stdout_output: bool,
    /// `file_output.enabled` (false).
    pub file_output: bool,
    /// `file_output.filename` (empty).
    pub file_output_filename: String,
    /// `file_output.keep_alive` (false): accepted; a vigil file sink stays open anyway.
    pub file_output_keep_alive: bool,
    /// `program_output.enabled` (false): pipe each alert line to a shell command.
    pub program_output: bool,
    /// `program_output.program` (empty): the command, run with `sh -c`.
    pub program_output_program: String,
    /// `program_output.keep_alive` (false): keep one process for all alerts instead of one
    /// per alert.
    pub program_output_keep_alive: bool,
    /// Offset of the local time zone from UTC in seconds, for the default (non-ISO) time
    /// prefix; libsinsp computes it once at start-up. Not a Falco key.
    pub utc_offset_secs: i32,
    /// JSON-escape the text line (control characters as `\n`, `\u0000`, quotes and
    /// backslashes escaped), as Falco does after 0.44 (falco 65273dae). Off: Falco 0.44.1.
    /// Not a Falco key.
    pub escape_text: bool,
}

impl Default for OutputOptions {
    /// Falco's defaults with UTC as the local zone (deterministic; see
    /// [`OutputOptions::with_local_time`]).
    fn default() -> Self {
        OutputOptions {
            json_output: false,
            json_include_output_property: true,
            json_include_tags_property: true,
            json_include_message_property: false,
            json_include_output_fields_property: true,
            time_format_iso_8601: false,
            buffered_outputs: false,
            stdout_output: true,
            file_output: false,
            file_output_filename: String::new(),
            file_output_keep_alive: false,
            program_output: false,
            program_output_program: String::new(),
            program_output_keep_alive: false,
            utc_offset_secs: 0,
            escape_text: false,
        }
    }
}

/// Parse a YAML boolean as yaml-cpp does (`true/false`, `yes/no`, `on/off`, `y/n`, in lower,
/// Capitalised or UPPER case).
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    const T: &[&str] = &["true", "yes", "on", "y"];
    const F: &[&str] = &["false", "no", "off", "n"];
    let cased = |w: &str| {
        let mut cap = w.to_string();
        if let Some(f) = cap.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        v == w || v == cap || v == w.to_ascii_uppercase()
    };
    if T.iter().any(|w| cased(w)) {
        Some(true)
    } else if F.iter().any(|w| cased(w)) {
        Some(false)
    } else {
        None
    }
}

impl OutputOptions {
    /// Falco's defaults with the machine's local time zone offset (from `TZ` or
    /// `/etc/localtime`, at the current time).
    pub fn with_local_time() -> OutputOptions {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        OutputOptions {
            utc_offset_secs: crate::time::local_utc_offset(now),
            ..OutputOptions::default()
        }
    }

    /// Apply one `-o key=value` setting. `Ok(true)` when the key is an output key handled
    /// here, `Ok(false)` when it is someone else's; an error for a bad value.
    pub fn apply_option(&mut self, key: &str, value: &str) -> Result<bool, OutputError> {
        let key = key.trim();
        let flag = |v: &str| {
            parse_bool(v).ok_or_else(|| {
                OutputError::new(
                    0,
                    format!("invalid value '{v}' for '{key}': expected a boolean"),
                )
            })
        };
        match key {
            "json_output" => self.json_output = flag(value)?,
            "json_include_output_property" => self.json_include_output_property = flag(value)?,
            "json_include_tags_property" => self.json_include_tags_property = flag(value)?,
            "json_include_message_property" => self.json_include_message_property = flag(value)?,
            "json_include_output_fields_property" => {
                self.json_include_output_fields_property = flag(value)?;
            }
            "time_format_iso_8601" => self.time_format_iso_8601 = flag(value)?,
            "buffered_outputs" => self.buffered_outputs = flag(value)?,
            "stdout_output.enabled" => self.stdout_output = flag(value)?,
            "file_output.enabled" => self.file_output = flag(value)?,
            "file_output.filename" => self.file_output_filename = value.trim().to_string(),
            "file_output.keep_alive" => self.file_output_keep_alive = flag(value)?,
            "program_output.enabled" => self.program_output = flag(value)?,
            "program_output.program" => self.program_output_program = value.trim().to_string(),
            "program_output.keep_alive" => self.program_output_keep_alive = flag(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Apply `key=value` (the text after `-o`); see [`OutputOptions::apply_option`].
    pub fn apply_override(&mut self, kv: &str) -> Result<bool, OutputError> {
        match kv.split_once('=') {
            Some((k, v)) => self.apply_option(k, v),
            None => Err(OutputError::new(
                0,
                format!("invalid -o option '{kv}': expected key=value"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let mut o = OutputOptions::default();
        assert_eq!(o.apply_override("time_format_iso_8601=true"), Ok(true));
        assert!(o.time_format_iso_8601);
        assert_eq!(
            o.apply_option("json_include_tags_property", "False"),
            Ok(true)
        );
        assert!(!o.json_include_tags_property);
        assert_eq!(o.apply_option("json_output", "YES"), Ok(true));
        assert!(o.json_output);
        assert_eq!(o.apply_option("stdout_output.enabled", "off"), Ok(true));
        assert!(!o.stdout_output);
        assert_eq!(o.apply_option("priority", "debug"), Ok(false));
        assert_eq!(o.apply_option("program_output.program", "cat"), Ok(true));
        assert_eq!(o.program_output_program, "cat");
        assert_eq!(
            o.apply_option("append_output.suggested_output", "false"),
            Ok(false)
        );
        assert!(o.apply_option("json_output", "maybe").is_err());
        assert!(o.apply_override("json_output").is_err());
        assert_eq!(o.apply_option("file_output.filename", "/tmp/x"), Ok(true));
        assert_eq!(o.file_output_filename, "/tmp/x");
        assert_eq!(parse_bool("tRUE"), None);
    }
}
