//! Output template syntax and rendering, with a small schema and `MapEvent`s.

use std::net::IpAddr;

use vigil_event::{
    ArgKind, FieldArg, FieldInfo, FieldSchema, FieldType, MapEvent, Priority, Value,
};
use vigil_output::{Alert, AlertFormatter, FieldValue, OutputOptions, OutputTemplate, Sink};

struct Schema;

static FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
    FieldInfo::new("evt.time", FieldType::String, "time"),
    FieldInfo::new("evt.rawtime", FieldType::AbsTime, "raw time"),
    FieldInfo::new("evt.arg", FieldType::String, "arg").required_arg(ArgKind::IndexOrKey),
    FieldInfo::new("evt.buffer", FieldType::Bytes, "buffer"),
    FieldInfo::new("evt.res", FieldType::Int, "res"),
    FieldInfo::new("proc.name", FieldType::String, "name"),
    FieldInfo::new("proc.exepath", FieldType::Path, "exe path"),
    FieldInfo::new("proc.aname", FieldType::String, "ancestor").arg(ArgKind::Index),
    FieldInfo::new("proc.anames", FieldType::String, "ancestors").list(),
    FieldInfo::new("proc.tty", FieldType::UInt, "tty"),
    FieldInfo::new("proc.is_exe_writable", FieldType::Bool, "writable"),
    FieldInfo::new("fd.sip", FieldType::Ip, "server ip"),
    FieldInfo::new("fd.net", FieldType::IpNet, "net"),
    FieldInfo::new("ka.uri.param", FieldType::String, "param").required_arg(ArgKind::Key),
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

fn ev() -> MapEvent {
    let ip: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([0u8; 4]));
    MapEvent::builder(&Schema)
        .evtype("execve")
        .str("proc.name", "Bash")
        .str("proc.exepath", "/usr/bin/bash")
        .str("proc.aname[2]", "sshd")
        .str("evt.arg.flags", "O_RDONLY|O_CLOEXEC")
        .str("evt.arg[0]", "fd0")
        .set(
            "evt.buffer",
            Value::Bytes(b"GET /\r\n\x01x".to_vec().into()),
        )
        .int("evt.res", -2)
        .uint("proc.tty", 34816)
        .set("proc.is_exe_writable", Value::Bool(true))
        .set("fd.sip", Value::Ip(ip))
        .set_list("proc.anames", [Value::str("bash"), Value::str("sshd")])
        .str("ka.uri.param[command]", "ls -la")
        .build()
}

fn render(fmt: &str) -> String {
    match OutputTemplate::compile(fmt, &Schema) {
        Ok(t) => t.render_to_string(&ev()),
        Err(e) => panic!("{fmt}: {e}"),
    }
}

fn err(fmt: &str) -> (usize, String) {
    match OutputTemplate::compile(fmt, &Schema) {
        Ok(_) => panic!("{fmt} compiled"),
        Err(e) => (e.pos, e.message),
    }
}

#[test]
fn values() {
    assert_eq!(render("*name=%proc.name res=%evt.res"), "name=Bash res=-2");
    assert_eq!(render("*%proc.tty %proc.is_exe_writable"), "34816 true");
    assert_eq!(render("*%fd.sip %fd.net"), "10.0.0.1 <NA>");
    assert_eq!(render("*(%proc.anames)"), "((bash,sshd))");
    assert_eq!(render("*%evt.buffer"), "GET /...x");
    assert_eq!(
        render("*%evt.arg.flags|%evt.arg[flags]|%evt.arg[0]|%evt.arg[1]"),
        "O_RDONLY|O_CLOEXEC|O_RDONLY|O_CLOEXEC|fd0|<NA>"
    );
    assert_eq!(
        render("*%proc.aname[2]/%proc.aname[3]/%proc.aname"),
        "sshd/<NA>/<NA>"
    );
    assert_eq!(render("*%ka.uri.param[command]"), "ls -la");
    assert_eq!(render("*%ka.uri.param[\"command\"]"), "ls -la");
    assert_eq!(render("no fields at all"), "no fields at all");
}

#[test]
fn name_boundaries() {
    // A field name is dot-separated words; anything else ends it.
    assert_eq!(render("*(%proc.name)"), "(Bash)");
    assert_eq!(
        render("*%proc.name:%proc.name,%proc.name."),
        "Bash:Bash,Bash."
    );
    assert_eq!(render("*%proc.name-x"), "Bash-x");
    // Unknown longer names fall back to the longest known prefix, rest literal.
    assert_eq!(render("*%proc.name.suffix"), "Bash.suffix");
    assert_eq!(render("*%proc.names"), "Bash".to_string() + "s");
    // A bad argument falls back to the field without it when that is valid.
    assert_eq!(render("*%proc.aname[x]"), "<NA>[x]");
}

#[test]
fn widths() {
    assert_eq!(render("*[%10proc.name]"), "[Bash      ]");
    assert_eq!(render("*[%2proc.name]"), "[Ba]");
    assert_eq!(render("*[%4proc.name]"), "[Bash]");
    assert_eq!(render("*[%6proc.aname[9]]"), "[<NA>  ]");
}

#[test]
fn transformers() {
    assert_eq!(
        render("*%tolower(proc.name) %toupper(proc.name)"),
        "bash BASH"
    );
    assert_eq!(
        render("*%basename(proc.exepath) %len(proc.exepath)"),
        "bash 13"
    );
    assert_eq!(
        render("*%len(proc.anames) %toupper(basename(proc.exepath))"),
        "2 BASH"
    );
    assert_eq!(render("*%tolower( proc.name )"), "bash");
    let (_, m) = err("%toupper(proc.tty)");
    assert!(m.contains("incompatible type"), "{m}");
    let (_, m) = err("%b64(proc.name)");
    assert!(m.contains("not supported"), "{m}");
    let (_, m) = err("%join(',', proc.anames)");
    assert!(m.contains("'join'"), "{m}");
}

#[test]
fn errors_name_positions() {
    assert_eq!(err("").0, 0);
    assert_eq!(
        err("abc %"),
        (
            4,
            "invalid formatting syntax: formatting cannot end with a %".into()
        )
    );
    assert_eq!(
        err("*abc %12"),
        (
            5,
            "invalid formatting syntax: formatting cannot end with a number".into()
        )
    );
    let (pos, m) = err("x=%proc.nmae y");
    assert_eq!(pos, 3);
    assert!(m.contains("proc.nmae"), "{m}");
    let (pos, _) = err("*100%% sure");
    assert_eq!(pos, 5);
    let (pos, _) = err("50% off");
    assert_eq!(pos, 3);
    // compile_rule_output adds the `*` but positions still refer to the rule text.
    match OutputTemplate::compile_rule_output("a %nope.x", &Schema) {
        Err(e) => assert_eq!(e.pos, 3),
        Ok(_) => panic!("compiled"),
    }
}

#[test]
fn require_all_values() {
    let t = OutputTemplate::compile("%proc.name %fd.sip", &Schema).expect("compiles");
    assert!(t.requires_all_values());
    let mut s = String::new();
    assert!(t.render(&ev(), &mut s));
    let t = OutputTemplate::compile("%proc.name %evt.time", &Schema).expect("compiles");
    let mut s = String::new();
    assert!(!t.render(&ev(), &mut s));
    assert_eq!(s, "Bash <NA>");
    let t = OutputTemplate::compile_rule_output("%proc.name %evt.time", &Schema).expect("ok");
    assert!(!t.requires_all_values());
    assert!(t.render(&ev(), &mut String::new()));
}

#[test]
fn output_fields() {
    let t = OutputTemplate::compile_rule_output(
        "%proc.name %tolower(proc.name) %proc.aname[2] %evt.arg.flags %proc.anames %evt.time \
         %evt.rawtime %proc.tty %fd.sip %proc.name %len(proc.exepath)",
        &Schema,
    )
    .expect("compiles");
    let keys: Vec<&str> = t.fields().iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "proc.name",
            "proc.name",
            "proc.aname[2]",
            "evt.arg.flags",
            "proc.anames",
            "evt.time",
            "evt.rawtime",
            "proc.tty",
            "fd.sip",
            "proc.name",
            "proc.exepath"
        ]
    );
    assert_eq!(t.fields()[2].field.arg, FieldArg::Index(2));
    assert_eq!(t.fields()[3].field.arg, FieldArg::Key("flags".into()));
    let vals = t.field_values(&ev(), 42);
    let want = vec![
        (
            "evt.arg.flags".to_string(),
            FieldValue::Str("O_RDONLY|O_CLOEXEC".into()),
        ),
        ("evt.rawtime".to_string(), FieldValue::Null),
        ("evt.time".to_string(), FieldValue::Int(42)),
        ("fd.sip".to_string(), FieldValue::Str("10.0.0.1".into())),
        ("proc.aname[2]".to_string(), FieldValue::Str("sshd".into())),
        (
            "proc.anames".to_string(),
            FieldValue::List(vec![
                FieldValue::Str("bash".into()),
                FieldValue::Str("sshd".into()),
            ]),
        ),
        (
            "proc.exepath".to_string(),
            FieldValue::Str("/usr/bin/bash".into()),
        ),
        ("proc.name".to_string(), FieldValue::Str("Bash".into())),
        ("proc.tty".to_string(), FieldValue::UInt(34816)),
    ];
    assert_eq!(vals, want);
    let texts = t.field_texts(&ev());
    assert!(texts.contains(&("proc.anames".to_string(), "(bash,sshd)".to_string())));
    assert!(texts.contains(&("evt.rawtime".to_string(), "<NA>".to_string())));
}

#[test]
fn alert_formats() {
    let t =
        OutputTemplate::compile_rule_output("Shell \"%proc.name\"\tx", &Schema).expect("compiles");
    let tags = vec!["b".to_string(), "a".to_string(), "b".to_string()];
    let ts = 1_470_327_477_881_781_397;
    let e = ev();
    let alert = Alert::from_event(
        &t,
        &e,
        ts,
        "r",
        Priority::Informational,
        "syscall",
        &tags,
        "h",
    );
    let mut o = OutputOptions::default();
    let f = AlertFormatter::new(o.clone());
    assert_eq!(
        f.line(&alert),
        "16:17:57.881781397: Informational Shell \"Bash\"\tx"
    );
    o.utc_offset_secs = 3600;
    o.escape_text = true;
    assert_eq!(
        AlertFormatter::new(o.clone()).line(&alert),
        "17:17:57.881781397: Informational Shell \\\"Bash\\\"\\tx"
    );
    o.json_output = true;
    o.json_include_message_property = true;
    o.json_include_output_property = false;
    assert_eq!(
        AlertFormatter::new(o.clone()).line(&alert),
        "{\"hostname\":\"h\",\"message\":\"Shell \\\"Bash\\\"\\tx\",\"output_fields\":{\
         \"evt.time\":1470327477881781397,\"proc.name\":\"Bash\"},\"priority\":\
         \"Informational\",\"rule\":\"r\",\"source\":\"syscall\",\"tags\":[\"a\",\"b\"],\
         \"time\":\"2016-08-04T16:17:57.881781397Z\"}"
    );
    o.json_include_output_fields_property = false;
    o.json_include_tags_property = false;
    o.json_include_message_property = false;
    assert_eq!(
        AlertFormatter::new(o.clone()).line(&alert),
        "{\"hostname\":\"h\",\"priority\":\"Informational\",\"rule\":\"r\",\"source\":\
         \"syscall\",\"time\":\"2016-08-04T16:17:57.881781397Z\"}"
    );
    // Sinks: one line each, to a writer and to memory.
    let mut sink = vigil_output::WriterSink::new(Vec::new(), OutputOptions::default());
    sink.emit(&alert).expect("write");
    sink.emit(&alert).expect("write");
    sink.flush().expect("flush");
    let out = String::from_utf8(sink.into_inner()).expect("utf8");
    assert_eq!(out.lines().count(), 2);
    assert!(out.ends_with("x\n"));
    let mut mem = vigil_output::MemorySink::new(o);
    let mut both: Vec<Box<dyn Sink>> = vec![Box::new(vigil_output::MemorySink::default())];
    both.emit(&alert).expect("emit");
    mem.emit(&alert).expect("emit");
    assert_eq!(mem.lines.len(), 1);
}

#[test]
fn file_sink_appends() {
    let dir = std::env::temp_dir().join(format!("vigil-output-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("alerts.txt");
    let _ = std::fs::remove_file(&path);
    let t = OutputTemplate::compile_rule_output("hi %proc.name", &Schema).expect("compiles");
    let e = ev();
    let alert = Alert::from_event(&t, &e, 0, "r", Priority::Debug, "syscall", &[], "h");
    for _ in 0..2 {
        let mut s = vigil_output::file_sink(&path, OutputOptions::default()).expect("open");
        s.emit(&alert).expect("emit");
        s.flush().expect("flush");
    }
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text, "00:00:00.000000000: Debug hi Bash\n".repeat(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn program_sink_pipes_lines() {
    let dir = std::env::temp_dir().join(format!("vigil-output-prog-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("out.txt");
    let t = OutputTemplate::compile_rule_output("hi %proc.name", &Schema).expect("compiles");
    let e = ev();
    let alert = Alert::from_event(&t, &e, 0, "r", Priority::Debug, "syscall", &[], "h");
    for keep_alive in [false, true] {
        let _ = std::fs::remove_file(&path);
        let mut o = OutputOptions::default();
        for kv in [
            "program_output.enabled=true".to_string(),
            format!("program_output.program=cat >> {}", path.display()),
            format!("program_output.keep_alive={keep_alive}"),
            "stdout_output.enabled=false".to_string(),
        ] {
            assert_eq!(o.apply_override(&kv), Ok(true));
        }
        let mut sinks = vigil_output::sinks_from_options(&o).expect("sinks");
        assert_eq!(sinks.len(), 1);
        sinks.emit(&alert).expect("emit");
        sinks.emit(&alert).expect("emit");
        sinks.flush().expect("flush");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "00:00:00.000000000: Debug hi Bash\n".repeat(2));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
