//! What the live tests share: `vigil` started as a child process and stopped by a signal,
//! its alerts read as JSON lines, the host actions they run, and the lock that runs them one
//! at a time. Included by `live_ebpf.rs` and `live_container.rs` (`mod live_common;`).

#![allow(dead_code)] // each test file uses its own part of it

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// Whether `CI` is set (to anything but `false`): a test that cannot run there fails.
pub(crate) fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Whether this process runs as root.
pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The live tests run one at a time: each sensor sees every process of the host, so another
/// test's actions would show up in its alerts (and two sensors share two CPUs).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(crate) fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Run a shell script, asserting success.
pub(crate) fn sh(script: &str) {
    let st = Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .expect("sh runs");
    assert!(st.success(), "{script}");
}

/// Run a command (argv) with no input and its output discarded, asserting success.
pub(crate) fn run_ok(argv: &[&str]) {
    let st = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    assert!(st.success(), "{argv:?}: {st}");
}

/// A running `vigil` (run or capture).
pub(crate) struct Sensor {
    pub(crate) child: Child,
    stderr: mpsc::Receiver<String>,
    pub(crate) log: Vec<String>,
    /// Reads stdout while vigil runs: a full pipe would block its alert writes and, behind
    /// them, the ring buffer (other sensors on the machine can raise many alerts).
    stdout: Option<std::thread::JoinHandle<String>>,
}

impl Sensor {
    /// `vigil ARGS`, once `ready` is on its stderr.
    pub(crate) fn spawn(args: &[&str], ready: &str) -> Sensor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vigil starts");
        let err = child.stderr.take().expect("stderr");
        let mut out = child.stdout.take().expect("stdout");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            out.read_to_string(&mut text).expect("read stdout");
            text
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Sensor {
            child,
            stderr: rx,
            log: Vec::new(),
            stdout: Some(stdout),
        };
        s.wait_for(ready, Duration::from_secs(60));
        s
    }

    /// Wait until a line containing `needle` is on stderr; panic (with the log) if vigil
    /// exits or `timeout` passes first.
    pub(crate) fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            match self.stderr.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    self.log.push(line);
                    if hit {
                        return;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(st)) = self.child.try_wait() {
                        panic!("vigil exited ({st}):\n{}", self.log.join("\n"));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("no '{needle}' on stderr:\n{}", self.log.join("\n"));
    }

    /// Send `signal`, wait for a clean exit, return stdout and stderr.
    pub(crate) fn stop_raw(mut self, signal: &str) -> (String, String) {
        sh(&format!("kill -{signal} {}", self.child.id()));
        let st = self.child.wait().expect("wait");
        let out = self
            .stdout
            .take()
            .expect("stdout reader")
            .join()
            .expect("stdout reader thread");
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(2)) {
            self.log.push(line);
        }
        let log = self.log.join("\n");
        assert!(st.success(), "vigil exit {st}:\n{log}");
        (out, log)
    }
}

/// Alerts written as JSON lines.
pub(crate) fn parse_alerts(out: &str) -> Vec<Json> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The alerts (rule: output) and the log, for a failure message.
pub(crate) fn dump(alerts: &[Json], log: &str) -> String {
    format!(
        "{}\n{log}",
        alerts
            .iter()
            .map(|a| format!("{}: {}", a["rule"], a["output"]))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// An output field of an alert.
pub(crate) fn field<'a>(a: &'a Json, f: &str) -> &'a Json {
    &a["output_fields"][f]
}

/// The alert's event time (ns since the epoch).
pub(crate) fn alert_ns(a: &Json) -> u128 {
    field(a, "evt.time")
        .as_u64()
        .map(u128::from)
        .unwrap_or_else(|| panic!("alert without evt.time: {a}"))
}

pub(crate) fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos()
}
