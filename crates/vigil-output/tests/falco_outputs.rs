//! The byte-exact alert lines of `../shared/corpus/falco/outputs/` (Falco's regression
//! expectations for `testing/single_rule.yaml` on `cat_write.scap`), rendered from events
//! carrying the values a replay of that capture produces.

use std::path::PathBuf;

use vigil_event::{FieldInfo, FieldSchema, FieldType, MapEvent, Priority};
use vigil_output::{Alert, AlertFormatter, OutputOptions, OutputTemplate};

struct Schema;

static FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
    FieldInfo::new("evt.time", FieldType::String, "time"),
    FieldInfo::new("evt.time.iso8601", FieldType::String, "iso time"),
    FieldInfo::new("proc.name", FieldType::String, "name"),
    FieldInfo::new("proc.cmdline", FieldType::String, "cmdline"),
    FieldInfo::new("fd.cport", FieldType::Port, "client port"),
];

impl FieldSchema for Schema {
    fn source(&self) -> &str {
        "syscall"
    }
    fn fields(&self) -> &[FieldInfo] {
        FIELDS
    }
    fn event_types(&self) -> &[&'static str] {
        &["open", "execve"]
    }
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco")
}

/// The `output:` of rule `open_from_cat` in a rules file (a plain double-quoted scalar).
fn rule_output(file: &str) -> String {
    let text = std::fs::read_to_string(corpus().join("rules").join(file)).expect("rules file");
    let line = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("output: "))
        .expect("output line");
    line.trim_matches('"').to_string()
}

fn rule_tags(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(corpus().join("rules").join(file)).expect("rules file");
    let line = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("tags: "))
        .expect("tags line");
    line.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|t| t.trim().to_string())
        .collect()
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2016-08-04T16:17:57.881781397+0000` → nanoseconds since the epoch.
fn parse_iso(s: &str) -> u64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().expect("digits");
    let days = days_from_civil(n(0, 4), n(5, 7), n(8, 10));
    let secs = days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19);
    assert_eq!(&s[19..20], ".");
    let ns = n(20, 29);
    u64::try_from(secs * 1_000_000_000 + ns).expect("positive")
}

/// The event of one `open` by `cat /dev/null` in cat_write.scap.
fn cat_event() -> MapEvent {
    MapEvent::builder(&Schema)
        .evtype("open")
        .str("proc.name", "cat")
        .str("proc.cmdline", "cat /dev/null")
        .build()
}

#[test]
fn text_lines_match_falco() {
    let expected = std::fs::read_to_string(corpus().join("outputs/single_rule_with_cat_write.txt"))
        .expect("expected text output");
    let template =
        OutputTemplate::compile_rule_output(&rule_output("testing/single_rule.yaml"), &Schema)
            .expect("compiles");
    let mut opts = OutputOptions::default();
    assert_eq!(opts.apply_override("time_format_iso_8601=true"), Ok(true));
    let formatter = AlertFormatter::new(opts);
    let ev = cat_event();
    let mut ours = String::new();
    let mut n = 0;
    for line in expected.lines() {
        let ts = parse_iso(line);
        let alert = Alert::from_event(
            &template,
            &ev,
            ts,
            "open_from_cat",
            "WARNING".parse::<Priority>().expect("priority"),
            "syscall",
            &[],
            "test-falco-hostname",
        );
        formatter.push_line(&alert, &mut ours);
        ours.push('\n');
        n += 1;
    }
    assert_eq!(n, 8);
    assert_eq!(ours, expected);
}

#[test]
fn json_lines_match_falco() {
    let expected =
        std::fs::read_to_string(corpus().join("outputs/single_rule_with_cat_write.json"))
            .expect("expected JSON output");
    let rules = "testing/single_rule_with_tags.yaml";
    let template =
        OutputTemplate::compile_rule_output(&rule_output(rules), &Schema).expect("compiles");
    let tags = rule_tags(rules);
    // The options of TestFalco_Legacy_StdoutOutputJsonStrict.
    let mut opts = OutputOptions::default();
    for o in [
        "json_output=true",
        "time_format_iso_8601=true",
        "json_include_output_property=true",
        "json_include_tags_property=true",
    ] {
        assert_eq!(opts.apply_override(o), Ok(true));
    }
    let formatter = AlertFormatter::new(opts);
    let ev = cat_event();
    let mut n = 0;
    for line in expected.lines() {
        let want: serde_json::Value = serde_json::from_str(line).expect("expected JSON");
        let time = want["time"].as_str().expect("time");
        let ts = parse_iso(time);
        let alert = Alert::from_event(
            &template,
            &ev,
            ts,
            "open_from_cat",
            Priority::Warning,
            "syscall",
            &tags,
            "test-falco-hostname",
        );
        let ours = formatter.line(&alert);
        let got: serde_json::Value = serde_json::from_str(&ours).expect("our JSON parses");
        assert_eq!(got, want, "line {n}: {ours}");
        // Byte form: Falco's keys sorted (nlohmann ordered map), compact.
        assert!(ours.starts_with("{\"hostname\":\"test-falco-hostname\",\"output\":\""));
        assert!(ours.contains("\"output_fields\":{\"evt.time.iso8601\":"));
        assert!(ours.ends_with(&format!(
            ",\"priority\":\"Warning\",\"rule\":\"open_from_cat\",\"source\":\"syscall\",\
             \"tags\":[\"filesystem\",\"process\",\"testing\"],\"time\":\"{time}\"}}"
        )));
        n += 1;
    }
    assert_eq!(n, 8);
}

#[test]
fn null_output_field_case() {
    // TestFalco_Legacy_NullOutputField: a missing fd.cport prints <NA> and is null in JSON.
    let template = OutputTemplate::compile_rule_output(
        "An open was seen (cport=%fd.cport command=%proc.cmdline)",
        &Schema,
    )
    .expect("compiles");
    let mut opts = OutputOptions::default();
    for o in [
        "json_output=true",
        "json_include_output_property=true",
        "json_include_tags_property=false",
    ] {
        assert_eq!(opts.apply_override(o), Ok(true));
    }
    let ev = cat_event();
    let ts = parse_iso("2016-08-04T16:17:57.882054739+0000");
    let alert = Alert::from_event(
        &template,
        &ev,
        ts,
        "open_from_cat",
        Priority::Warning,
        "syscall",
        &[],
        "h",
    );
    let line = AlertFormatter::new(opts).line(&alert);
    assert_eq!(
        line,
        "{\"hostname\":\"h\",\"output\":\"16:17:57.882054739: Warning An open was seen \
         (cport=<NA> command=cat /dev/null)\",\"output_fields\":{\"evt.time\":\
         1470327477882054739,\"fd.cport\":null,\"proc.cmdline\":\"cat /dev/null\"},\
         \"priority\":\"Warning\",\"rule\":\"open_from_cat\",\"source\":\"syscall\",\
         \"time\":\"2016-08-04T16:17:57.882054739Z\"}"
    );
}
