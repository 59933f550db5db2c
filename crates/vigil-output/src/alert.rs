//! Alerts and Falco's text line / JSON object for them.

use vigil_event::{Extract, Priority};

use crate::options::OutputOptions;
use crate::template::OutputTemplate;
use crate::text::{FieldValue, push_json_str};
use crate::time::{push_iso8601, push_iso8601_z, push_time_of_day};

/// One rule match, ready to be printed.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert<'a> {
    /// Event timestamp, nanoseconds since the epoch.
    pub time_ns: u64,
    /// Rule name.
    pub rule: &'a str,
    /// Rule priority.
    pub priority: Priority,
    /// Event source (`syscall`, `k8s_audit`).
    pub source: &'a str,
    /// Rule tags (printed sorted and deduplicated, as Falco's `std::set`).
    pub tags: &'a [String],
    /// Host name (see [`crate::hostname`]).
    pub hostname: &'a str,
    /// The rendered rule output, without the time/priority prefix (Falco's "message").
    pub message: String,
    /// The fields of the rule output with typed values, sorted by key, one per key.
    pub output_fields: Vec<(String, FieldValue)>,
    /// An internal message rather than a rule match (see [`Alert::internal`]).
    pub internal: bool,
}

impl<'a> Alert<'a> {
    /// Render `template` (the rule's compiled output) for `ev` into an alert.
    #[allow(clippy::too_many_arguments)]
    pub fn from_event(
        template: &OutputTemplate,
        ev: &dyn Extract,
        time_ns: u64,
        rule: &'a str,
        priority: Priority,
        source: &'a str,
        tags: &'a [String],
        hostname: &'a str,
    ) -> Alert<'a> {
        let mut message = String::new();
        template.render(ev, &mut message);
        Alert {
            time_ns,
            rule,
            priority,
            source,
            tags,
            hostname,
            message,
            output_fields: template.field_values(ev, time_ns),
            internal: false,
        }
    }

    /// An internal message (Falco's `falco_outputs::handle_msg`, e.g. "Falco internal:
    /// syscall event drop"): source `internal`, no tags; its text line is `<time of day>:
    /// <Priority> <message> (k="v" ...)` and its JSON object has only `hostname`, `output`
    /// (the message alone), `output_fields`, `priority`, `rule`, `source` and `time`.
    /// `output_fields` should be sorted by key.
    pub fn internal(
        time_ns: u64,
        rule: &'a str,
        priority: Priority,
        hostname: &'a str,
        message: String,
        output_fields: Vec<(String, FieldValue)>,
    ) -> Alert<'a> {
        Alert {
            time_ns,
            rule,
            priority,
            source: "internal",
            tags: &[],
            hostname,
            message,
            output_fields,
            internal: true,
        }
    }
}

/// Formats alerts as Falco prints them, per [`OutputOptions`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertFormatter {
    /// The options in force.
    pub options: OutputOptions,
}

impl AlertFormatter {
    /// A formatter for these options.
    pub fn new(options: OutputOptions) -> AlertFormatter {
        AlertFormatter { options }
    }

    /// Append the time/priority prefix: `16:17:57.881781397: Warning` (local time of day) or
    /// `2016-08-04T16:17:57.881781397+0000: Warning` with `time_format_iso_8601`.
    pub fn push_prefix(&self, alert: &Alert<'_>, out: &mut String) {
        if self.options.time_format_iso_8601 {
            push_iso8601(out, alert.time_ns);
        } else {
            push_time_of_day(out, alert.time_ns, self.options.utc_offset_secs);
        }
        out.push_str(": ");
        out.push_str(alert.priority.as_str());
    }

    /// Append Falco's full output text: `<prefix> <message>` (the `output` JSON property).
    pub fn push_output(&self, alert: &Alert<'_>, out: &mut String) {
        self.push_prefix(alert, out);
        out.push(' ');
        out.push_str(&alert.message);
    }

    /// Append the text line (no newline). With [`OutputOptions::escape_text`] the text is
    /// JSON-escaped without the quotes (Falco after 0.44).
    pub fn push_text(&self, alert: &Alert<'_>, out: &mut String) {
        if alert.internal {
            // Falco prints internal messages with the time of day whatever the time format,
            // unescaped, the fields as `key=<JSON value>` in parentheses.
            push_time_of_day(out, alert.time_ns, self.options.utc_offset_secs);
            out.push_str(": ");
            out.push_str(alert.priority.as_str());
            out.push(' ');
            out.push_str(&alert.message);
            out.push_str(" (");
            for (i, (k, v)) in alert.output_fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push('=');
                v.write_json(out);
            }
            out.push(')');
            return;
        }
        if self.options.escape_text {
            let mut raw = String::new();
            self.push_output(alert, &mut raw);
            let mut quoted = String::new();
            push_json_str(&mut quoted, &raw);
            out.push_str(&quoted[1..quoted.len() - 1]);
        } else {
            self.push_output(alert, out);
        }
    }

    /// The key under which the prefix's time field joins `output_fields`.
    fn prefix_field(&self) -> &'static str {
        if self.options.time_format_iso_8601 {
            "evt.time.iso8601"
        } else {
            "evt.time"
        }
    }

    /// Append the JSON object (no newline). Keys in Falco's (sorted) order: `hostname`,
    /// `message`?, `output`?, `output_fields`?, `priority`, `rule`, `source`, `tags`?, `time`;
    /// `output_fields` also holds the prefix's time field (`evt.time` or `evt.time.iso8601`,
    /// the timestamp as a number).
    pub fn push_json(&self, alert: &Alert<'_>, out: &mut String) {
        if alert.internal {
            self.push_internal_json(alert, out);
            return;
        }
        let o = &self.options;
        out.push_str("{\"hostname\":");
        push_json_str(out, alert.hostname);
        if o.json_include_message_property {
            out.push_str(",\"message\":");
            push_json_str(out, &alert.message);
        }
        if o.json_include_output_property {
            let mut text = String::new();
            self.push_output(alert, &mut text);
            out.push_str(",\"output\":");
            push_json_str(out, &text);
        }
        if o.json_include_output_fields_property {
            let time_key = self.prefix_field();
            let time_val = FieldValue::Int(i64::try_from(alert.time_ns).unwrap_or(i64::MAX));
            out.push_str(",\"output_fields\":{");
            let mut first = true;
            let mut time_done = false;
            let mut put = |out: &mut String, k: &str, v: &FieldValue| {
                if !first {
                    out.push(',');
                }
                first = false;
                push_json_str(out, k);
                out.push(':');
                v.write_json(out);
            };
            for (k, v) in &alert.output_fields {
                if !time_done && time_key <= k.as_str() {
                    put(out, time_key, &time_val);
                    time_done = true;
                    if k == time_key {
                        continue;
                    }
                }
                put(out, k, v);
            }
            if !time_done {
                put(out, time_key, &time_val);
            }
            out.push('}');
        }
        out.push_str(",\"priority\":");
        push_json_str(out, alert.priority.as_str());
        out.push_str(",\"rule\":");
        push_json_str(out, alert.rule);
        out.push_str(",\"source\":");
        push_json_str(out, alert.source);
        if o.json_include_tags_property {
            let mut tags: Vec<&str> = alert.tags.iter().map(String::as_str).collect();
            tags.sort_unstable();
            tags.dedup();
            out.push_str(",\"tags\":[");
            for (i, t) in tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_str(out, t);
            }
            out.push(']');
        }
        out.push_str(",\"time\":\"");
        push_iso8601_z(out, alert.time_ns);
        out.push_str("\"}");
    }

    /// The JSON object of an internal message (the `json_include_*` options do not apply,
    /// as in Falco).
    fn push_internal_json(&self, alert: &Alert<'_>, out: &mut String) {
        out.push_str("{\"hostname\":");
        push_json_str(out, alert.hostname);
        out.push_str(",\"output\":");
        push_json_str(out, &alert.message);
        out.push_str(",\"output_fields\":{");
        for (i, (k, v)) in alert.output_fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, k);
            out.push(':');
            v.write_json(out);
        }
        out.push_str("},\"priority\":");
        push_json_str(out, alert.priority.as_str());
        out.push_str(",\"rule\":");
        push_json_str(out, alert.rule);
        out.push_str(",\"source\":");
        push_json_str(out, alert.source);
        out.push_str(",\"time\":\"");
        push_iso8601_z(out, alert.time_ns);
        out.push_str("\"}");
    }

    /// Append the alert as `json_output` selects: the JSON object or the text line (no
    /// newline).
    pub fn push_line(&self, alert: &Alert<'_>, out: &mut String) {
        if self.options.json_output {
            self.push_json(alert, out);
        } else {
            self.push_text(alert, out);
        }
    }

    /// [`AlertFormatter::push_line`] into a new string.
    pub fn line(&self, alert: &Alert<'_>) -> String {
        let mut s = String::new();
        self.push_line(alert, &mut s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drop_alert() -> Alert<'static> {
        Alert::internal(
            1_470_327_477_881_781_397,
            "Falco internal: syscall event drop",
            Priority::Debug,
            "host",
            "Falco internal: syscall event drop. 3 system calls dropped in last second.".into(),
            vec![
                ("n_drops".into(), FieldValue::Str("3".into())),
                ("n_evts".into(), FieldValue::Str("40".into())),
            ],
        )
    }

    #[test]
    fn internal_messages_print_as_falco_handle_msg() {
        let mut opts = OutputOptions {
            // Ignored for internal messages, as in Falco.
            time_format_iso_8601: true,
            json_include_output_property: false,
            ..OutputOptions::default()
        };
        let f = AlertFormatter::new(opts.clone());
        assert_eq!(
            f.line(&drop_alert()),
            "16:17:57.881781397: Debug Falco internal: syscall event drop. 3 system calls dropped in last second. (n_drops=\"3\" n_evts=\"40\")"
        );
        opts.json_output = true;
        let f = AlertFormatter::new(opts);
        assert_eq!(
            f.line(&drop_alert()),
            "{\"hostname\":\"host\",\"output\":\"Falco internal: syscall event drop. 3 system calls dropped in last second.\",\"output_fields\":{\"n_drops\":\"3\",\"n_evts\":\"40\"},\"priority\":\"Debug\",\"rule\":\"Falco internal: syscall event drop\",\"source\":\"internal\",\"time\":\"2016-08-04T16:17:57.881781397Z\"}"
        );
    }
}
