//! Data-driven condition tests: `tests/cases.txt`, one case per line:
//!
//! ```text
//! <event> | <expectation> | <condition>
//! ```
//!
//! * `<event>`: `open`, `exec` or `none` (built below with [`MapEvent`]);
//! * `<expectation>`: `true` / `false` (evaluation result), `types:all`, `types:none`,
//!   `types:open,execve` (the filter's event-type set), or `error:<Kind>` optionally
//!   followed by `:<exact message>`.
//!
//! The condition is everything after the second `|` (it may contain `|`).

use std::borrow::Cow;

use vigil_event::{ArgKind, FieldInfo, FieldSchema, FieldType as T, MapEvent, Value};
use vigil_filter::{CompileErrorKind, EventTypes, compile, parse};

struct Schema;

static FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", T::String, "event type").evtype(),
    FieldInfo::new("evt.num", T::UInt, "event number"),
    FieldInfo::new("evt.time", T::AbsTime, "timestamp"),
    FieldInfo::new("evt.latency", T::RelTime, "latency"),
    FieldInfo::new("evt.res", T::Int, "result"),
    FieldInfo::new("evt.buffer", T::Bytes, "buffer"),
    FieldInfo::new("evt.is_open_read", T::Bool, "open for read"),
    FieldInfo::new("evt.arg", T::String, "argument").required_arg(ArgKind::IndexOrKey),
    FieldInfo::new("proc.name", T::String, "name"),
    FieldInfo::new("proc.sname", T::String, "session leader name"),
    FieldInfo::new("proc.pname", T::String, "parent name"),
    FieldInfo::new("proc.pid", T::Int, "pid"),
    FieldInfo::new("proc.ppid", T::Int, "ppid"),
    FieldInfo::new("proc.cmdline", T::String, "command line"),
    FieldInfo::new("proc.exepath", T::Path, "executable path"),
    FieldInfo::new("proc.aname", T::String, "ancestor name").arg(ArgKind::Index),
    FieldInfo::new("proc.argv", T::String, "arguments").list(),
    FieldInfo::new("proc.env", T::String, "environment").list(),
    FieldInfo::new("proc.b64", T::String, "some base64 text"),
    FieldInfo::new("user.uid", T::UInt, "uid"),
    FieldInfo::new("user.name", T::String, "user name"),
    FieldInfo::new("fd.num", T::Int, "fd"),
    FieldInfo::new("fd.name", T::Path, "fd name"),
    FieldInfo::new("fd.directory", T::Path, "fd directory"),
    FieldInfo::new("fd.sport", T::Port, "server port"),
    FieldInfo::new("fd.sip", T::Ip, "server ip"),
    FieldInfo::new("fd.cip", T::Ip, "client ip"),
    FieldInfo::new("fd.snet", T::IpNet, "server net"),
    FieldInfo::new("k.ports", T::UInt, "ports").list(),
    FieldInfo::new("k.ips", T::Ip, "ips").list(),
    FieldInfo::new("ka.req.pod.containers.privileged", T::Bool, "privileged").list(),
    FieldInfo::new("ka.req.pod.containers.image", T::String, "images").list(),
    FieldInfo::new("ka.uri.param", T::String, "uri param").required_arg(ArgKind::Key),
    FieldInfo::new("missing.str", T::String, "never set"),
    FieldInfo::new("missing.num", T::Int, "never set"),
    FieldInfo::new("missing.list", T::String, "never set").list(),
    FieldInfo::new("missing.ip", T::Ip, "never set"),
];

impl FieldSchema for Schema {
    fn source(&self) -> &str {
        "test"
    }
    fn fields(&self) -> &[FieldInfo] {
        FIELDS
    }
    fn event_types(&self) -> &[&'static str] {
        &["open", "openat", "execve", "connect", "close"]
    }
}

fn s(x: &str) -> Value<'static> {
    Value::string(x.to_string())
}

fn ip(x: &str) -> Value<'static> {
    Value::Ip(x.parse().expect("test ip"))
}

fn open_event() -> MapEvent {
    MapEvent::builder(&Schema)
        .evtype("open")
        .uint("evt.num", 7)
        .uint("evt.time", 1_000)
        .uint("evt.latency", 50)
        .int("evt.res", -2)
        .set(
            "evt.buffer",
            Value::Bytes(Cow::Owned(b"\x00\x01GET /index.html\xff".to_vec())),
        )
        .set("evt.is_open_read", Value::Bool(true))
        .str("evt.arg[0]", "3")
        .str("evt.arg.flags", "O_RDONLY|O_CLOEXEC")
        .str("evt.arg[name]", "/etc/passwd")
        .str("proc.name", "cat")
        .str("proc.sname", "cat")
        .str("proc.pname", "bash")
        .int("proc.pid", 42)
        .int("proc.ppid", 42)
        .str("proc.cmdline", "cat /etc/passwd")
        .str("proc.exepath", "/usr/bin/cat")
        .str("proc.aname[1]", "bash")
        .str("proc.aname[2]", "sshd")
        .set_list("proc.aname", [s("bash"), s("sshd"), s("systemd")])
        .set_list(
            "proc.argv",
            [s("-n"), s("-t"), s("4"), s("-x"), s("/etc/passwd")],
        )
        .set_list("proc.env", [s("HOME=/root"), s("PATH=/bin")])
        .str("proc.b64", "aGVsbG8=")
        .uint("user.uid", 0)
        .str("user.name", "Root")
        .int("fd.num", 3)
        .str("fd.name", "/etc/passwd")
        .str("fd.directory", "/etc")
        .set("fd.sport", Value::UInt(443))
        .set("fd.sip", ip("10.1.2.3"))
        .set("fd.cip", ip("::1"))
        .set("fd.snet", ip("10.1.2.3"))
        .set_list("k.ports", [Value::UInt(80), Value::UInt(443)])
        .set_list("k.ips", [ip("10.0.0.1"), ip("192.168.1.1")])
        .set_list(
            "ka.req.pod.containers.privileged",
            [Value::Bool(false), Value::Bool(true)],
        )
        .set_list(
            "ka.req.pod.containers.image",
            [s("nginx:1.2"), s("busybox")],
        )
        .str("ka.uri.param[command]", "ls")
        .build()
}

fn exec_event() -> MapEvent {
    MapEvent::builder(&Schema)
        .evtype("execve")
        .str("proc.name", "bash")
        .str("proc.cmdline", "bash -c 'echo hi'")
        .set_list("k.ports", [])
        .set_list("ka.req.pod.containers.privileged", [Value::Bool(false)])
        .build()
}

fn type_names(t: &EventTypes) -> String {
    match t {
        EventTypes::All => "all".into(),
        EventTypes::Only(v) if v.is_empty() => "none".into(),
        EventTypes::Only(v) => v
            .iter()
            .map(|i| Schema.event_types()[usize::from(*i)])
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn kind_name(k: CompileErrorKind) -> String {
    format!("{k:?}")
}

#[test]
fn cases() {
    let text = include_str!("cases.txt");
    let events = [
        ("open", open_event()),
        ("exec", exec_event()),
        ("none", MapEvent::new()),
    ];
    let mut failures = Vec::new();
    let mut n = 0;
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        n += 1;
        let mut parts = line.splitn(3, '|');
        let (Some(ev), Some(expect), Some(cond)) = (parts.next(), parts.next(), parts.next())
        else {
            failures.push(format!("line {}: malformed", lineno + 1));
            continue;
        };
        let (ev, expect, cond) = (ev.trim(), expect.trim(), cond.trim());
        let loc = format!("line {}: `{cond}`", lineno + 1);
        let ast = match parse(cond) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{loc}: parse error: {e}"));
                continue;
            }
        };
        let compiled = compile(&ast, &Schema);
        if let Some(rest) = expect.strip_prefix("error:") {
            let (kind, msg) = match rest.split_once(':') {
                Some((k, m)) => (k, Some(m)),
                None => (rest, None),
            };
            match compiled {
                Ok(_) => failures.push(format!("{loc}: compiled, expected {kind}")),
                Err(e) => {
                    if kind_name(e.kind) != kind {
                        failures.push(format!("{loc}: error {:?} ({e}), expected {kind}", e.kind));
                    } else if let Some(m) = msg
                        && e.message != m
                    {
                        failures.push(format!("{loc}: message `{}`, expected `{m}`", e.message));
                    }
                }
            }
            continue;
        }
        let f = match compiled {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{loc}: compile error {:?}: {e}", e.kind));
                continue;
            }
        };
        if let Some(types) = expect.strip_prefix("types:") {
            let got = type_names(f.event_types());
            if got != types {
                failures.push(format!("{loc}: types {got}, expected {types}"));
            }
            continue;
        }
        let Some((_, event)) = events.iter().find(|(name, _)| *name == ev) else {
            failures.push(format!("{loc}: unknown event {ev}"));
            continue;
        };
        let want = match expect {
            "true" => true,
            "false" => false,
            other => {
                failures.push(format!("{loc}: bad expectation {other}"));
                continue;
            }
        };
        let got = f.eval(event);
        if got != want {
            failures.push(format!("{loc} on {ev}: got {got}, expected {want}"));
        }
    }
    assert!(n >= 150, "only {n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
