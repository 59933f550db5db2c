//! `vigil run` against the real kernel: start the sensor, do real things, and check that the
//! default rules fire with the right process and fd fields, then stop it with SIGINT.
//!
//! Needs root. Without root the test is skipped with a message, unless `CI` is set: CI runs
//! as root, so there a non-root run is a failure, not a silent pass.

mod live_common;

use std::io::Read;
use std::process::Command;
use std::time::Duration;

use live_common::{Sensor, alert_ns, dump, is_root, now_ns, parse_alerts, run_ok, serial, sh};

fn can_run() -> bool {
    if is_root() {
        return true;
    }
    if live_common::in_ci() {
        panic!("CI is set but the tests do not run as root: the live eBPF tests must run");
    }
    eprintln!("skipping live eBPF test: not root (set CI=true to make this a failure)");
    false
}

impl Sensor {
    /// `vigil run --json`, once it reports it started.
    fn start() -> Sensor {
        Sensor::spawn(
            &["run", "--json", "--stats-interval", "1"],
            "Sensor started",
        )
    }

    /// SIGINT, wait for a clean exit, return the alerts (JSON lines) and stderr.
    fn stop(self) -> (Vec<serde_json::Value>, String) {
        let (out, log) = self.stop_raw("INT");
        assert!(log.contains("Events detected:"), "no summary:\n{log}");
        (parse_alerts(&out), log)
    }
}

fn find<'a>(
    alerts: &'a [serde_json::Value],
    rule: &str,
    field: &str,
    value: &str,
) -> Option<&'a serde_json::Value> {
    alerts
        .iter()
        .find(|a| a["rule"] == rule && a["output_fields"][field] == value)
}

#[test]
fn alerts_go_to_the_file_output_and_are_flushed_on_sigint() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let path = std::env::temp_dir().join(format!("vigil-live-alerts-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let file_opt = format!("file_output.filename={}", path.display());
    let sensor = Sensor::spawn(
        &[
            "run",
            "--json",
            "--stats-interval",
            "1",
            "-o",
            "stdout_output.enabled=false",
            "-o",
            "file_output.enabled=true",
            "-o",
            &file_opt,
        ],
        "Sensor started",
    );
    sh("cat /etc/shadow > /dev/null");
    std::thread::sleep(Duration::from_millis(1500));
    let (out, log) = sensor.stop_raw("INT");
    let written = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}:\n{log}"));
    let _ = std::fs::remove_file(&path);
    assert!(out.trim().is_empty(), "stdout output disabled, got:\n{out}");
    let alerts = parse_alerts(&written);
    let a = find(
        &alerts,
        "Credential Store Read by Untrusted Program",
        "fd.name",
        "/etc/shadow",
    )
    .unwrap_or_else(|| panic!("no /etc/shadow alert in the file:\n{written}\n{log}"));
    assert_eq!(a["output_fields"]["proc.name"], "cat", "{a}");
}

#[test]
fn default_rules_fire_on_real_actions() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let sensor = Sensor::start();
    let id = std::process::id();
    let dropped = format!("/usr/local/bin/vigil-live-test-{id}");
    let link = format!("/tmp/vigil-live-test-link-{id}");
    sh("cat /etc/shadow > /dev/null");
    sh(&format!("echo test > {dropped}; rm -f {dropped}"));
    sh(&format!("ln -sf /etc/shadow {link}; rm -f {link}"));
    // Past the 10 ms poll, and one stats line so the loop surely ran.
    std::thread::sleep(Duration::from_millis(1500));
    let (alerts, log) = sensor.stop();
    let dump = || {
        format!(
            "{}\n{log}",
            alerts
                .iter()
                .map(|a| a["output"].to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    };

    let a = find(
        &alerts,
        "Credential Store Read by Untrusted Program",
        "fd.name",
        "/etc/shadow",
    )
    .unwrap_or_else(|| panic!("no /etc/shadow alert:\n{}", dump()));
    assert_eq!(a["output_fields"]["proc.name"], "cat", "{a}");
    assert_eq!(a["output_fields"]["proc.cmdline"], "cat /etc/shadow", "{a}");
    assert_eq!(a["output_fields"]["container.id"], "host", "{a}");
    assert_eq!(a["priority"], "Warning");

    let a = find(
        &alerts,
        "File Written Below System Program Directory",
        "fd.name",
        &dropped,
    )
    .unwrap_or_else(|| panic!("no write-below-bin alert:\n{}", dump()));
    assert_eq!(a["output_fields"]["proc.name"], "sh", "{a}");
    assert_eq!(a["priority"], "Error");

    let a = alerts
        .iter()
        .find(|a| a["rule"] == "Symlink Pointing at Sensitive File")
        .unwrap_or_else(|| panic!("no symlink alert:\n{}", dump()));
    assert_eq!(a["output_fields"]["proc.name"], "ln", "{a}");
    assert!(a["output"].to_string().contains(&link), "{a}");

    assert!(log.contains("stats:"), "{log}");
    assert!(log.contains("0 dropped"), "{log}");
}

/// What an alert says about an action: rule, process and fd.
fn key(a: &serde_json::Value) -> (String, String, String) {
    let s = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    (
        s(&a["rule"]),
        s(&a["output_fields"]["proc.name"]),
        s(&a["output_fields"]["fd.name"]),
    )
}

#[test]
fn capture_recorded_during_the_run_replays_to_the_same_alerts() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("vigil-live-capture-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cap = dir.join("live.scap");
    let capture = Sensor::spawn(
        &["capture", "-w", cap.to_str().expect("utf-8")],
        "Capture started",
    );
    let sensor = Sensor::start();
    let dropped = format!("/usr/local/bin/vigil-replay-test-{id}");
    let link = dir.join("shadow-link");
    let t0 = now_ns();
    sh("cat /etc/shadow > /dev/null");
    sh(&format!("echo test > {dropped}; rm -f {dropped}"));
    sh(&format!("ln -sf /etc/shadow {}; rm -f {0}", link.display()));
    let t1 = now_ns();
    std::thread::sleep(Duration::from_millis(500));
    let (live, log) = sensor.stop();
    let (_, cap_log) = capture.stop_raw("TERM");
    assert!(cap_log.contains("Capture stopped"), "{cap_log}");
    assert!(cap_log.contains(" 0 dropped"), "{cap_log}");

    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["replay", cap.to_str().expect("utf-8"), "--json"])
        .output()
        .expect("vigil replay runs");
    let replay_log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{replay_log}");
    let replayed = parse_alerts(&String::from_utf8_lossy(&out.stdout));

    // The two sensors see each other (each reads /proc/PID/environ at every exec), so alerts
    // on vigil itself differ by construction: compare what the actions caused.
    let during = |alerts: &[serde_json::Value]| {
        alerts
            .iter()
            .filter(|a| {
                (t0..=t1).contains(&alert_ns(a)) && a["output_fields"]["proc.name"] != "vigil"
            })
            .map(key)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (l, r) = (during(&live), during(&replayed));
    let ctx = || {
        format!(
            "live:\n{}\nreplayed:\n{}",
            dump(&live, &log),
            dump(&replayed, &replay_log)
        )
    };
    for (rule, proc_name, fd) in [
        (
            "Credential Store Read by Untrusted Program",
            "cat",
            "/etc/shadow",
        ),
        (
            "File Written Below System Program Directory",
            "sh",
            dropped.as_str(),
        ),
    ] {
        let k = (rule.to_string(), proc_name.to_string(), fd.to_string());
        assert!(l.contains(&k), "live misses {k:?}:\n{}", ctx());
    }
    assert!(
        l.iter()
            .any(|k| k.0 == "Symlink Pointing at Sensitive File" && k.1 == "ln"),
        "live misses the symlink alert:\n{}",
        ctx()
    );
    assert_eq!(l, r, "live and replayed alerts differ:\n{}", ctx());

    // sysdig reads the capture too (when installed, as in CI).
    if Command::new("sysdig").arg("--version").output().is_ok() {
        let out = Command::new("sysdig")
            .args(["-r", cap.to_str().expect("utf-8")])
            .args(["evt.type=openat and fd.name=/etc/shadow and proc.name=cat"])
            .output()
            .expect("sysdig runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("/etc/shadow"),
            "sysdig -r: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn capture_filter_keeps_only_matching_events() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let id = std::process::id();
    let cap = std::env::temp_dir().join(format!("vigil-live-filter-{id}.scap.gz"));
    let capture = Sensor::spawn(
        &[
            "capture",
            "-z",
            "-w",
            cap.to_str().expect("utf-8"),
            "--filter",
            "evt.type=openat and fd.name=/etc/shadow",
            "--duration",
            "3s",
        ],
        "Capture started",
    );
    sh("cat /etc/shadow > /dev/null; cat /etc/hostname > /dev/null");
    // --duration ends it: wait for the summary instead of signalling.
    let mut capture = capture;
    capture.wait_for("Capture stopped", Duration::from_secs(20));
    let st = capture.child.wait().expect("wait");
    assert!(st.success(), "{}", capture.log.join("\n"));
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["inspect", cap.to_str().expect("utf-8")])
        .args(["-p", "%evt.type %evt.arg.name"])
        .output()
        .expect("vigil inspect runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the matching events are written (as sysdig -w with a filter: the processes
    // started after the tables were written are not in the file, so print event fields).
    assert!(text.lines().any(|l| l == "openat /etc/shadow"), "{text}");
    assert!(text.lines().all(|l| l == "openat /etc/shadow"), "{text}");
    let _ = std::fs::remove_file(&cap);
}

#[test]
fn reverse_shell_ptrace_memfd_and_namespaces_are_detected() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut got = String::new();
        let _ = conn.read_to_string(&mut got);
        got
    });
    let sensor = Sensor::start();

    // A shell whose stdin and stdout are the TCP connection.
    run_ok(&[
        "bash",
        "-c",
        &format!("exec 3<>/dev/tcp/127.0.0.1/{port}; exec 0<&3 1>&3; echo vigil-reverse-shell"),
    ]);
    let got = server.join().expect("listener");
    assert!(got.contains("vigil-reverse-shell"), "{got}");

    // ptrace(PTRACE_ATTACH) on a sleeping child, then detach.
    run_ok(&[
        "/usr/bin/python3",
        "-c",
        "import ctypes, os, signal, subprocess\n\
         libc = ctypes.CDLL(None, use_errno=True)\n\
         p = subprocess.Popen(['sleep', '30'])\n\
         assert libc.ptrace(16, p.pid, None, None) == 0, ctypes.get_errno()\n\
         os.waitpid(p.pid, 0)\n\
         libc.ptrace(17, p.pid, None, None)\n\
         p.kill(); p.wait()\n",
    ]);

    // An exec from a memfd.
    run_ok(&[
        "/usr/bin/python3",
        "-c",
        "import os\n\
         fd = os.memfd_create('vigil-memfd', 0)\n\
         os.write(fd, open('/bin/true', 'rb').read())\n\
         os.execve('/proc/self/fd/%d' % fd, ['vigil-memfd-true'], {})\n",
    ]);

    // A new user namespace, and joining a network namespace (our own: PID 1's may be
    // out of reach in a sandbox).
    run_ok(&["unshare", "-U", "true"]);
    run_ok(&[
        "/usr/bin/python3",
        "-c",
        "import ctypes, os\n\
         libc = ctypes.CDLL(None, use_errno=True)\n\
         fd = os.open('/proc/self/ns/net', os.O_RDONLY)\n\
         assert libc.setns(fd, 0x40000000) == 0, ctypes.get_errno()\n",
    ]);

    std::thread::sleep(Duration::from_millis(500));
    let (alerts, log) = sensor.stop();
    let ctx = || dump(&alerts, &log);

    let a = alerts
        .iter()
        .find(|a| {
            a["rule"] == "Standard Stream Redirected to Network Socket"
                && a["output_fields"]["fd.name"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(&format!("->127.0.0.1:{port}")))
        })
        .unwrap_or_else(|| panic!("no reverse-shell alert:\n{}", ctx()));
    assert_eq!(a["output_fields"]["proc.name"], "bash", "{a}");
    assert_eq!(a["priority"], "Warning", "{a}");

    let a = alerts
        .iter()
        .find(|a| {
            a["rule"] == "Process Attached with ptrace"
                && a["output"]
                    .as_str()
                    .is_some_and(|o| o.contains("request=PTRACE_ATTACH"))
        })
        .unwrap_or_else(|| panic!("no ptrace alert:\n{}", ctx()));
    assert_eq!(a["output_fields"]["proc.name"], "python3", "{a}");

    let a = alerts
        .iter()
        .find(|a| a["rule"] == "Fileless Program Execution")
        .unwrap_or_else(|| panic!("no memfd alert:\n{}", ctx()));
    assert!(
        a["output"]
            .as_str()
            .is_some_and(|o| o.contains("vigil-memfd-true")),
        "{a}"
    );
    assert_eq!(a["priority"], "Critical", "{a}");

    let a = alerts
        .iter()
        .find(|a| {
            a["rule"] == "Namespace Created by Unexpected Process"
                && a["output_fields"]["proc.name"] == "unshare"
        })
        .unwrap_or_else(|| panic!("no unshare alert:\n{}", ctx()));
    // PPM_CL_CLONE_NEWUSER (libs' code, not Linux's CLONE_NEWUSER 0x10000000), by name
    // once the flag table renders it.
    let flags = &a["output_fields"]["evt.arg.flags"];
    assert!(
        flags == "CLONE_NEWUSER" || flags == &(1u32 << 20).to_string(),
        "{a}"
    );

    let a = alerts
        .iter()
        .find(|a| {
            a["rule"] == "Namespace Entered by Unexpected Process"
                && a["output_fields"]["proc.name"] == "python3"
        })
        .unwrap_or_else(|| panic!("no setns alert:\n{}", ctx()));
    assert_eq!(a["output_fields"]["fd.name"], "/proc/self/ns/net", "{a}");
}

#[test]
fn benign_workload_raises_nothing_at_warning_or_above() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("vigil-live-benign-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let d = dir.display();
    // A bare repository to clone from, made before the sensor starts.
    sh(&format!(
        "cd {d} && git init -q src && cd src && echo hi > f && git add f && \
         git -c user.name=t -c user.email=t@t commit -qm init && \
         git clone -q --bare . {d}/bare.git"
    ));
    std::fs::write(
        dir.join("hello.c"),
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    )
    .expect("write hello.c");
    let sensor = Sensor::start();
    sh(&format!("git clone -q file://{d}/bare.git {d}/clone"));
    sh(&format!(
        "cd {d}/clone && git log --oneline > /dev/null && git status > /dev/null"
    ));
    // Building (part of) this project, offline, into a scratch target directory.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    sh(&format!(
        "CARGO_TARGET_DIR={d}/target '{cargo}' build -q --offline --manifest-path '{}/../../Cargo.toml' -p vigil-event",
        env!("CARGO_MANIFEST_DIR")
    ));
    // A package installation (one of the packages CI installs anyway).
    sh(
        "DEBIAN_FRONTEND=noninteractive apt-get install --reinstall -y -q \
        -o DPkg::Lock::Timeout=120 busybox-static > /dev/null",
    );
    sh(&format!(
        "cc -O2 -o {d}/hello {d}/hello.c && {d}/hello > /dev/null"
    ));
    std::thread::sleep(Duration::from_millis(500));
    let (alerts, log) = sensor.stop();
    // Only the workload's processes: other things on the host are not this test's business.
    let workload = |n: &serde_json::Value| {
        n.as_str().is_some_and(|n| {
            n.starts_with("git")
                || n.starts_with("apt")
                || n.starts_with("dpkg")
                || n.starts_with("build-script")
                || matches!(
                    n,
                    "sh" | "cargo"
                        | "http"
                        | "https"
                        | "gpgv"
                        | "sqv"
                        | "ldconfig"
                        | "rustc"
                        | "apt-get"
                        | "cc"
                        | "gcc"
                        | "cc1"
                        | "as"
                        | "ld"
                        | "collect2"
                        | "hello"
                )
        })
    };
    let bad: Vec<_> = alerts
        .iter()
        .filter(|a| {
            matches!(
                a["priority"].as_str(),
                Some("Warning" | "Error" | "Critical" | "Alert" | "Emergency")
            ) && (workload(&a["output_fields"]["proc.name"])
                || workload(&a["output_fields"]["proc.pname"]))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "benign workload raised alerts:\n{}",
        dump(&alerts, &log)
    );
    assert!(dir.join("clone/f").exists() && dir.join("hello").exists());
    assert!(dir.join("target/debug/libvigil_event.rlib").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Needs no root: the filter is checked before the sensor starts, and nothing is written.
#[test]
fn capture_rejects_a_bad_filter_before_starting() {
    let out_path =
        std::env::temp_dir().join(format!("vigil-bad-filter-{}.scap", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["capture", "-w", out_path.to_str().expect("utf-8")])
        .args(["--filter", "evt.type = openat and fd.nope = 1"])
        .output()
        .expect("vigil capture runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("invalid filter") && err.contains("fd.nope"),
        "{err}"
    );
    assert!(!out_path.exists());
}

#[test]
fn setuid_bit_set_through_each_chmod_syscall_is_detected() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("vigil-live-chmod-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    for f in [&a, &b, &c] {
        std::fs::copy("/bin/true", f).expect("copy /bin/true");
    }
    let sensor = Sensor::start();
    // coreutils chmod: fchmodat (fchmodat2 on new glibc); Python: chmod and fchmod.
    run_ok(&["chmod", "u+s", a.to_str().expect("utf-8")]);
    run_ok(&[
        "/usr/bin/python3",
        "-c",
        &format!(
            "import ctypes, os\n\
             libc = ctypes.CDLL(None, use_errno=True)\n\
             assert libc.syscall(90, b'{}', 0o2755) == 0, ctypes.get_errno()\n\
             fd = os.open('{}', os.O_RDONLY)\n\
             os.fchmod(fd, 0o4711)\n",
            b.display(),
            c.display()
        ),
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let (alerts, log) = sensor.stop();
    let ctx = || dump(&alerts, &log);
    let hits: Vec<_> = alerts
        .iter()
        .filter(|x| x["rule"] == "Setuid or Setgid Bit Set")
        .collect();
    let by_file = |f: &std::path::Path| {
        hits.iter()
            .find(|x| x["output_fields"]["fs.path.name"] == f.to_str().expect("utf-8"))
            .unwrap_or_else(|| panic!("no setuid alert for {}:\n{}", f.display(), ctx()))
    };
    let x = by_file(&a);
    assert_eq!(x["output_fields"]["proc.name"], "chmod", "{x}");
    assert_eq!(x["output_fields"]["container.id"], "host", "{x}");
    assert_eq!(x["priority"], "Warning", "{x}");
    assert!(
        x["output_fields"]["evt.arg.mode"]
            .as_str()
            .is_some_and(|m| m.contains("S_ISUID")),
        "{x}"
    );
    let x = by_file(&b);
    assert_eq!(x["output_fields"]["proc.name"], "python3", "{x}");
    assert!(
        x["output_fields"]["evt.arg.mode"]
            .as_str()
            .is_some_and(|m| m.contains("S_ISGID") && !m.contains("S_ISUID")),
        "{x}"
    );
    // fchmod names no path (fs.path.name is empty, as in libsinsp): the fd's mode 04711.
    let x = hits
        .iter()
        .find(|x| {
            x["output_fields"]["proc.name"] == "python3"
                && x["output_fields"]["fs.path.name"].is_null()
                && x["output_fields"]["evt.arg.mode"]
                    == "S_IXOTH|S_IXGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID"
        })
        .unwrap_or_else(|| {
            panic!(
                "no setuid alert for fchmod of {}:
{}",
                c.display(),
                ctx()
            )
        });
    assert_eq!(x["priority"], "Warning", "{x}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exec_events_carry_caps_namespaces_and_the_kernel_cwd() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("vigil-live-exec-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    let deep = dir.join("a b/c");
    std::fs::create_dir_all(&deep).expect("mkdir");
    let rules = dir.join("rules.yaml");
    let marker = format!("vigil-exec-marker-{id}");
    std::fs::write(
        &rules,
        format!(
            "- rule: Marked exec\n  desc: test\n  condition: evt.type = execve and proc.args contains {marker}\n  \
             output: \"args=%proc.args vpid=%proc.vpid pid=%proc.pid vtid=%thread.vtid caps=%thread.cap_effective \
             perm=%thread.cap_permitted cwd=%proc.cwd container=%container.id \
             upper=%proc.is_exe_upper_layer env=%proc.env[VIGIL_LIVE_ENV] tty=%proc.tty \
             pgid=%proc.pgid vpgid=%proc.vpgid fdlimit=%proc.fdlimit\"\n  priority: WARNING\n"
        ),
    )
    .expect("write rules");
    // An overlay mount: one program in the lower layer, one written through the mount (so in
    // the upper layer), as a container's image and its writable layer.
    let ov = dir.join("ov");
    for d in ["lower", "upper", "work", "merged"] {
        std::fs::create_dir_all(ov.join(d)).expect("mkdir");
    }
    std::fs::copy("/bin/true", ov.join("lower/lowtrue")).expect("copy");
    let o = ov.display();
    sh(&format!(
        "mount -t overlay overlay -o lowerdir={o}/lower,upperdir={o}/upper,workdir={o}/work {o}/merged"
    ));
    std::fs::copy("/bin/true", ov.join("merged/uptrue")).expect("copy");
    let sensor = Sensor::spawn(
        &[
            "run",
            "--json",
            "-r",
            rules.to_str().expect("utf-8"),
            "--stats-interval",
            "1",
        ],
        "Sensor started",
    );
    // A short-lived process (gone before its record is read: its cwd comes from the kernel),
    // in a directory whose name has a space.
    sh(&format!(
        "cd '{}' && exec env -i VIGIL_LIVE_ENV={marker} /bin/true {marker}-host",
        deep.display()
    ));
    // Without CAP_SYS_ADMIN (and no capability at all in the effective set).
    run_ok(&[
        "setpriv",
        "--inh-caps=-all",
        "--bounding-set=-sys_admin",
        "/bin/sh",
        "-c",
        &format!("exec /bin/true {marker}-nocap"),
    ]);
    run_ok(&[
        ov.join("merged/uptrue").to_str().expect("utf-8"),
        &format!("{marker}-upper"),
    ]);
    run_ok(&[
        ov.join("merged/lowtrue").to_str().expect("utf-8"),
        &format!("{marker}-lower"),
    ]);
    // PID 1 of a new PID namespace.
    run_ok(&[
        "unshare",
        "--pid",
        "--fork",
        "/bin/true",
        &format!("{marker}-pidns"),
    ]);
    // On a terminal (a pty from script(1)): the shell notes its tty_nr from /proc, then
    // becomes a short-lived program whose terminal only the kernel can still tell.
    let tty_sh = dir.join("tty.sh");
    let tty_nr = dir.join("tty_nr");
    std::fs::write(
        &tty_sh,
        "cut -d' ' -f7 /proc/self/stat > \"$1\"\nexec /bin/true \"$2\"\n",
    )
    .expect("write tty.sh");
    run_ok(&[
        "script",
        "-qec",
        &format!(
            "/bin/sh '{}' '{}' {marker}-tty",
            tty_sh.display(),
            tty_nr.display()
        ),
        "/dev/null",
    ]);
    // In a process group of its own (setsid), with an open-file limit of its own: the
    // shell notes its group, then becomes a short-lived program whose group and limit only
    // the kernel can still tell.
    let limits_sh = dir.join("limits.sh");
    let pgid_file = dir.join("pgid");
    std::fs::write(
        &limits_sh,
        "cut -d' ' -f5 /proc/self/stat > \"$1\"\nulimit -n 1234\nexec /bin/true \"$2\"\n",
    )
    .expect("write limits.sh");
    run_ok(&[
        "setsid",
        "--wait",
        "/bin/sh",
        limits_sh.to_str().expect("utf-8"),
        pgid_file.to_str().expect("utf-8"),
        &format!("{marker}-limits"),
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let (alerts, log) = sensor.stop();
    let _ = Command::new("umount").arg(ov.join("merged")).status();
    let ctx = || dump(&alerts, &log);
    let get = |suffix: &str| {
        alerts
            .iter()
            .find(|a| {
                a["rule"] == "Marked exec"
                    && a["output_fields"]["proc.args"] == format!("{marker}-{suffix}").as_str()
            })
            .map(|a| a["output_fields"].clone())
            .unwrap_or_else(|| panic!("no exec alert for {suffix}:\n{}", ctx()))
    };
    let host = get("host");
    assert_eq!(
        host["proc.cwd"].as_str().map(|c| c.trim_end_matches('/')),
        deep.to_str(),
        "{host}"
    );
    assert_eq!(host["proc.vpid"], host["proc.pid"], "{host}");
    assert_eq!(host["container.id"], "host", "{host}");
    // The environment of a process already gone when its record is read: from the kernel.
    assert_eq!(host["proc.env[VIGIL_LIVE_ENV]"], marker.as_str(), "{host}");
    let caps = host["thread.cap_effective"].as_str().unwrap_or_default();
    assert!(
        caps.contains("CAP_SYS_ADMIN") && caps.contains("CAP_DAC_OVERRIDE"),
        "{host}"
    );
    let nocap = get("nocap");
    let perm = nocap["thread.cap_permitted"].as_str().unwrap_or_default();
    assert!(
        !perm.contains("CAP_SYS_ADMIN") && perm.contains("CAP_DAC_OVERRIDE"),
        "{nocap}"
    );
    let ns = get("pidns");
    assert_eq!(ns["proc.vpid"], 1, "{ns}");
    assert_eq!(ns["thread.vtid"], 1, "{ns}");
    assert_ne!(ns["proc.pid"], 1, "{ns}");
    let up = get("upper");
    assert_eq!(up["proc.is_exe_upper_layer"], true, "{up}");
    let low = get("lower");
    assert_eq!(low["proc.is_exe_upper_layer"], false, "{low}");
    assert_eq!(host["proc.is_exe_upper_layer"], false, "{host}");
    let tty = get("tty");
    let want: u64 = std::fs::read_to_string(&tty_nr)
        .expect("tty_nr written")
        .trim()
        .parse()
        .expect("tty_nr is a number");
    assert_ne!(want, 0, "script(1) gave the shell no terminal");
    assert_eq!(tty["proc.tty"], want, "{tty}");
    let limits = get("limits");
    let pgid: i64 = std::fs::read_to_string(&pgid_file)
        .expect("pgid written")
        .trim()
        .parse()
        .expect("pgid is a number");
    assert_eq!(limits["proc.pgid"], pgid, "{limits}");
    assert_eq!(limits["proc.vpgid"], pgid, "{limits}");
    assert_eq!(limits["proc.fdlimit"], 1234, "{limits}");
    // The host's shell (not a group leader) is in the test's process group, not its own.
    assert_ne!(host["proc.pgid"], pgid, "{host}");
    assert!(
        host["proc.fdlimit"].as_u64().is_some_and(|n| n > 0),
        "{host}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
