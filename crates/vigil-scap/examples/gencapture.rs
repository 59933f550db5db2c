//! Generates a large, realistic, deterministic capture for benchmarks (`scripts/bench-capture`).
//!
//! The capture is written in the layouts sysdig 0.29 reads (libs < 0.10 process-list entries,
//! enter/exit event pairs with that era's parameter counts, as `tests/sysdig.rs` checks), so the
//! same file can be read by `sysdig -r` and by vigil. It holds the metadata of a busy host (a
//! few hundred threads of web servers, databases, runtimes, shells and daemons with their open
//! files and sockets) and a mix of events: file opens/reads/writes/closes on varied paths,
//! socket connects/accepts/sends/receives, stat/fstat, generic syscalls, and short-lived
//! processes (clone + execve + procexit).
//!
//! `cargo run --release -p vigil-scap --example gencapture -- OUT.scap [SIZE_MB] [SEED] [--gzip]`
//!
//! Prints `events=N bytes=B` (events written, uncompressed bytes) on stdout.

use std::collections::HashMap;

use vigil_scap::{
    FdDetail, FdInfo, GroupInfo, Interface, MachineInfo, ProcLayout, ThreadInfo, UserInfo,
    UserList, Writer, code_of_symbol, fd_type, syscall_id,
};

const T0: u64 = 1_700_000_000_000_000_000;

/// xorshift64* — deterministic for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Event codes by symbol, resolved once.
struct Codes(HashMap<&'static str, u16>);

impl Codes {
    fn get(&self, s: &'static str) -> u16 {
        self.0[s]
    }
}

fn codes() -> Codes {
    let syms = [
        "SYSCALL_OPENAT_2_E",
        "SYSCALL_OPENAT_2_X",
        "SYSCALL_READ_E",
        "SYSCALL_READ_X",
        "SYSCALL_WRITE_E",
        "SYSCALL_WRITE_X",
        "SYSCALL_CLOSE_E",
        "SYSCALL_CLOSE_X",
        "SOCKET_SOCKET_E",
        "SOCKET_SOCKET_X",
        "SOCKET_CONNECT_E",
        "SOCKET_CONNECT_X",
        "SOCKET_ACCEPT_5_E",
        "SOCKET_ACCEPT_5_X",
        "SOCKET_SENDTO_E",
        "SOCKET_SENDTO_X",
        "SOCKET_RECVFROM_E",
        "SOCKET_RECVFROM_X",
        "SYSCALL_CLONE_20_E",
        "SYSCALL_CLONE_20_X",
        "SYSCALL_EXECVE_19_E",
        "SYSCALL_EXECVE_19_X",
        "PROCEXIT_1_E",
        "SYSCALL_STAT_E",
        "SYSCALL_STAT_X",
        "SYSCALL_FSTAT_E",
        "SYSCALL_FSTAT_X",
        "GENERIC_E",
        "GENERIC_X",
    ];
    Codes(
        syms.iter()
            .map(|s| {
                let c = code_of_symbol(s).unwrap_or_else(|| panic!("unknown event {s}"));
                (*s, c)
            })
            .collect(),
    )
}

/// Parameters of the event being built, in one reused buffer.
#[derive(Default)]
struct Params {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Params {
    fn clear(&mut self) -> &mut Params {
        self.buf.clear();
        self.ends.clear();
        self
    }
    fn raw(&mut self, b: &[u8]) -> &mut Params {
        self.buf.extend_from_slice(b);
        self.ends.push(self.buf.len());
        self
    }
    fn str(&mut self, s: &str) -> &mut Params {
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        self.ends.push(self.buf.len());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Params {
        self.raw(&v.to_le_bytes())
    }
    fn i64(&mut self, v: i64) -> &mut Params {
        self.raw(&v.to_le_bytes())
    }
    fn u32(&mut self, v: u32) -> &mut Params {
        self.raw(&v.to_le_bytes())
    }
    fn u16(&mut self, v: u16) -> &mut Params {
        self.raw(&v.to_le_bytes())
    }
    fn u8(&mut self, v: u8) -> &mut Params {
        self.raw(&[v])
    }
    fn slices(&self) -> impl Iterator<Item = &[u8]> + Clone {
        let buf = &self.buf;
        let mut start = 0;
        self.ends.iter().map(move |&e| {
            let s = &buf[start..e];
            start = e;
            s
        })
    }
}

fn sockaddr4(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut v = vec![2u8];
    v.extend_from_slice(&ip);
    v.extend_from_slice(&port.to_le_bytes());
    v
}

fn tuple4(sip: [u8; 4], sport: u16, dip: [u8; 4], dport: u16) -> Vec<u8> {
    let mut v = vec![2u8];
    v.extend_from_slice(&sip);
    v.extend_from_slice(&sport.to_le_bytes());
    v.extend_from_slice(&dip);
    v.extend_from_slice(&dport.to_le_bytes());
    v
}

/// What a program does: its files, peers and listening port.
struct Profile {
    comm: &'static str,
    exe: &'static str,
    args: &'static str,
    user: u32,
    threads: usize,
    instances: usize,
    reads: &'static [&'static str],
    writes: &'static [&'static str],
    /// Outgoing connections: (ip, port).
    peers: &'static [([u8; 4], u16)],
    /// Listening port (accepts) if a server.
    listen: Option<u16>,
    /// Relative activity weight.
    weight: usize,
}

const LIBS: &[&str] = &[
    "/etc/ld.so.cache",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libpthread.so.0",
    "/usr/lib/x86_64-linux-gnu/libssl.so.3",
    "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
    "/usr/lib/locale/locale-archive",
    "/etc/nsswitch.conf",
    "/etc/localtime",
];

const PROFILES: &[Profile] = &[
    Profile {
        comm: "nginx",
        exe: "/usr/sbin/nginx",
        args: "-g\0daemon off;\0",
        user: 33,
        threads: 1,
        instances: 9,
        reads: &[
            "/var/www/html/index.html",
            "/var/www/html/static/app.js",
            "/var/www/html/static/style.css",
            "/var/www/html/images/logo.png",
            "/etc/nginx/nginx.conf",
            "/etc/nginx/mime.types",
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/hosts",
        ],
        writes: &["/var/log/nginx/access.log", "/var/log/nginx/error.log"],
        peers: &[
            ([10, 0, 1, 20], 8080),
            ([10, 0, 1, 21], 8080),
            ([10, 0, 1, 22], 3000),
        ],
        listen: Some(443),
        weight: 30,
    },
    Profile {
        comm: "postgres",
        exe: "/usr/lib/postgresql/15/bin/postgres",
        args: "-D\0/var/lib/postgresql/15/main\0",
        user: 105,
        threads: 1,
        instances: 24,
        reads: &[
            "/var/lib/postgresql/15/main/base/16384/2619",
            "/var/lib/postgresql/15/main/base/16384/1259",
            "/var/lib/postgresql/15/main/base/16384/16402",
            "/var/lib/postgresql/15/main/global/pg_control",
            "/etc/postgresql/15/main/postgresql.conf",
            "/proc/self/stat",
        ],
        writes: &[
            "/var/lib/postgresql/15/main/pg_wal/000000010000000000000042",
            "/var/lib/postgresql/15/main/base/16384/16402",
            "/var/log/postgresql/postgresql-15-main.log",
        ],
        peers: &[],
        listen: Some(5432),
        weight: 20,
    },
    Profile {
        comm: "java",
        exe: "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
        args: "-Xmx2g\0-jar\0/opt/app/service.jar\0",
        user: 1001,
        threads: 60,
        instances: 2,
        reads: &[
            "/opt/app/service.jar",
            "/opt/app/config/application.yml",
            "/usr/lib/jvm/java-17-openjdk-amd64/lib/modules",
            "/proc/self/mountinfo",
            "/sys/fs/cgroup/cpu.max",
            "/etc/resolv.conf",
        ],
        writes: &["/opt/app/logs/service.log", "/tmp/hsperfdata_app/4242"],
        peers: &[
            ([10, 0, 2, 5], 5432),
            ([10, 0, 2, 6], 6379),
            ([10, 0, 3, 9], 9092),
        ],
        listen: Some(8080),
        weight: 25,
    },
    Profile {
        comm: "redis-server",
        exe: "/usr/bin/redis-server",
        args: "127.0.0.1:6379\0",
        user: 107,
        threads: 4,
        instances: 1,
        reads: &["/etc/redis/redis.conf", "/var/lib/redis/dump.rdb"],
        writes: &[
            "/var/lib/redis/appendonly.aof",
            "/var/log/redis/redis-server.log",
        ],
        peers: &[],
        listen: Some(6379),
        weight: 10,
    },
    Profile {
        comm: "node",
        exe: "/usr/bin/node",
        args: "/srv/web/server.js\0",
        user: 1002,
        threads: 11,
        instances: 2,
        reads: &[
            "/srv/web/server.js",
            "/srv/web/node_modules/express/index.js",
            "/srv/web/node_modules/express/lib/router/index.js",
            "/srv/web/package.json",
            "/etc/hosts",
        ],
        writes: &["/srv/web/logs/app.log"],
        peers: &[([10, 0, 2, 6], 6379), ([93, 184, 216, 34], 443)],
        listen: Some(3000),
        weight: 10,
    },
    Profile {
        comm: "python3",
        exe: "/usr/bin/python3.11",
        args: "/opt/worker/worker.py\0--queue\0default\0",
        user: 1003,
        threads: 4,
        instances: 4,
        reads: &[
            "/opt/worker/worker.py",
            "/usr/lib/python3.11/json/__init__.py",
            "/usr/lib/python3.11/encodings/utf_8.py",
            "/opt/worker/settings.ini",
            "/etc/passwd",
        ],
        writes: &["/opt/worker/worker.log", "/tmp/worker-cache.db"],
        peers: &[
            ([10, 0, 2, 6], 6379),
            ([10, 0, 2, 5], 5432),
            ([151, 101, 0, 223], 443),
        ],
        listen: None,
        weight: 8,
    },
    Profile {
        comm: "containerd",
        exe: "/usr/bin/containerd",
        args: "",
        user: 0,
        threads: 16,
        instances: 1,
        reads: &[
            "/run/containerd/containerd.sock",
            "/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db",
            "/proc/self/mountinfo",
        ],
        writes: &["/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db"],
        peers: &[],
        listen: None,
        weight: 4,
    },
    Profile {
        comm: "kubelet",
        exe: "/usr/bin/kubelet",
        args: "--config=/var/lib/kubelet/config.yaml\0",
        user: 0,
        threads: 20,
        instances: 1,
        reads: &[
            "/var/lib/kubelet/config.yaml",
            "/etc/kubernetes/kubelet.conf",
            "/sys/fs/cgroup/memory.stat",
            "/proc/meminfo",
            "/proc/loadavg",
            "/var/lib/kubelet/pods/4f1c/volumes/kubernetes.io~secret/token",
        ],
        writes: &["/var/log/kubelet.log"],
        peers: &[([10, 96, 0, 1], 443), ([10, 0, 0, 10], 6443)],
        listen: Some(10250),
        weight: 5,
    },
    Profile {
        comm: "sshd",
        exe: "/usr/sbin/sshd",
        args: "-D\0",
        user: 0,
        threads: 1,
        instances: 3,
        reads: &[
            "/etc/ssh/sshd_config",
            "/etc/passwd",
            "/etc/group",
            "/etc/shadow",
        ],
        writes: &["/var/log/auth.log"],
        peers: &[],
        listen: Some(22),
        weight: 1,
    },
    Profile {
        comm: "bash",
        exe: "/bin/bash",
        args: "-l\0",
        user: 1000,
        threads: 1,
        instances: 6,
        reads: &[
            "/home/alice/.bashrc",
            "/home/alice/.bash_history",
            "/etc/profile",
        ],
        writes: &["/home/alice/.bash_history", "/dev/pts/0"],
        peers: &[],
        listen: None,
        weight: 2,
    },
    Profile {
        comm: "systemd-journal",
        exe: "/usr/lib/systemd/systemd-journald",
        args: "",
        user: 0,
        threads: 1,
        instances: 1,
        reads: &[
            "/proc/1/cmdline",
            "/proc/1/status",
            "/run/log/journal/seqnum",
        ],
        writes: &["/var/log/journal/a1b2c3/system.journal"],
        peers: &[],
        listen: None,
        weight: 3,
    },
    Profile {
        comm: "cron",
        exe: "/usr/sbin/cron",
        args: "-f\0",
        user: 0,
        threads: 1,
        instances: 1,
        reads: &[
            "/etc/crontab",
            "/etc/cron.d/e2scrub_all",
            "/var/spool/cron/crontabs/root",
        ],
        writes: &[],
        peers: &[],
        listen: None,
        weight: 1,
    },
];

/// Short-lived programs that shells and daemons run.
const CHILDREN: &[(&str, &str, &str, &[&str])] = &[
    (
        "sh",
        "/bin/sh",
        "-c\0/usr/local/bin/healthcheck.sh\0",
        &["/usr/local/bin/healthcheck.sh"],
    ),
    (
        "ps",
        "/usr/bin/ps",
        "aux\0",
        &["/proc/1/stat", "/proc/meminfo", "/proc/uptime"],
    ),
    (
        "grep",
        "/usr/bin/grep",
        "-r\0TODO\0/srv/web\0",
        &["/srv/web/server.js", "/srv/web/package.json"],
    ),
    (
        "curl",
        "/usr/bin/curl",
        "-s\0http://10.0.1.20:8080/healthz\0",
        &["/etc/ssl/certs/ca-certificates.crt", "/etc/hosts"],
    ),
    ("cat", "/usr/bin/cat", "/proc/loadavg\0", &["/proc/loadavg"]),
    (
        "logrotate",
        "/usr/sbin/logrotate",
        "/etc/logrotate.conf\0",
        &["/etc/logrotate.conf", "/var/lib/logrotate/status"],
    ),
    (
        "git",
        "/usr/bin/git",
        "status\0",
        &["/home/alice/src/.git/HEAD", "/home/alice/src/.git/index"],
    ),
];

#[derive(Clone)]
struct Fd {
    fd: i64,
    name: String,
    sock: bool,
}

struct Proc {
    tids: Vec<u64>,
    pid: u64,
    ptid: u64,
    comm: String,
    exe: String,
    args: String,
    uid: u32,
    profile: usize,
    fds: Vec<Fd>,
    next_fd: i64,
    /// Counter for unique temp/file names.
    serial: u64,
}

struct Gen {
    w: Writer<std::fs::File>,
    rng: Rng,
    c: Codes,
    p: Params,
    ts: u64,
    events: u64,
    procs: Vec<Proc>,
    weights: Vec<usize>,
    next_tid: u64,
    generic_ids: Vec<u16>,
}

impl Gen {
    fn emit(&mut self, tid: u64, sym: &'static str) {
        self.ts += 200 + self.rng.below(1800) as u64;
        let code = self.c.get(sym);
        let cpu = (tid % 2) as u16;
        self.w
            .event_parts(self.ts, tid, cpu, 0, code, self.p.slices())
            .expect("write event");
        self.events += 1;
    }

    fn pick_proc(&mut self) -> usize {
        let total: usize = self.weights.iter().sum();
        let mut r = self.rng.below(total);
        for (i, w) in self.weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        0
    }

    fn data(&mut self, n: usize) -> Vec<u8> {
        const TEXT: &[u8] = b"GET /api/v1/items?page=2 HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\n\r\n";
        let off = self.rng.below(TEXT.len() / 2);
        let end = (off + n).min(TEXT.len());
        TEXT[off..end].to_vec()
    }

    fn open_file(&mut self, pi: usize, tid: u64, path: String, write: bool) -> Option<i64> {
        // PPM flags: O_WRONLY|O_CREAT|O_APPEND, or O_RDONLY.
        let flags: u32 = if write { 2 | 4 | 8 } else { 1 };
        let mode = if write { 0o644 } else { 0 };
        let missing = !write && self.rng.chance(4);
        let p = &mut self.procs[pi];
        let fd = p.next_fd;
        self.p.clear().i64(-100).str(&path).u32(flags).u32(mode);
        self.emit(tid, "SYSCALL_OPENAT_2_E");
        let res = if missing { -2 } else { fd };
        self.p
            .clear()
            .i64(res)
            .i64(-100)
            .str(&path)
            .u32(flags)
            .u32(mode)
            .u32(0x801);
        self.emit(tid, "SYSCALL_OPENAT_2_X");
        if missing {
            return None;
        }
        let p = &mut self.procs[pi];
        p.next_fd += 1;
        p.fds.push(Fd {
            fd,
            name: path,
            sock: false,
        });
        Some(fd)
    }

    fn rw(&mut self, tid: u64, fd: i64, write: bool, sock: bool) {
        let n = 16 + self.rng.below(90);
        let data = self.data(n);
        let (e, x) = match (write, sock && self.rng.chance(50)) {
            (false, false) => ("SYSCALL_READ_E", "SYSCALL_READ_X"),
            (true, false) => ("SYSCALL_WRITE_E", "SYSCALL_WRITE_X"),
            (false, true) => ("SOCKET_RECVFROM_E", "SOCKET_RECVFROM_X"),
            (true, true) => ("SOCKET_SENDTO_E", "SOCKET_SENDTO_X"),
        };
        match e {
            "SOCKET_SENDTO_E" => {
                self.p.clear().i64(fd).u32(data.len() as u32).raw(&[]);
            }
            _ => {
                self.p.clear().i64(fd).u32(4096);
            }
        }
        self.emit(tid, e);
        let res = if write {
            data.len() as i64
        } else {
            4096.min(data.len() as i64 * 8)
        };
        self.p.clear().i64(res).raw(&data);
        if x == "SOCKET_RECVFROM_X" {
            self.p.raw(&[]);
        }
        self.emit(tid, x);
    }

    fn close(&mut self, pi: usize, tid: u64, idx: usize) {
        let f = self.procs[pi].fds.swap_remove(idx);
        self.p.clear().i64(f.fd);
        self.emit(tid, "SYSCALL_CLOSE_E");
        self.p.clear().i64(0);
        self.emit(tid, "SYSCALL_CLOSE_X");
    }

    /// One burst of activity of a thread of process `pi`.
    fn activity(&mut self, pi: usize) {
        let tid = *self.rng.pick(&self.procs[pi].tids);
        let prof = &PROFILES[self.procs[pi].profile];
        let roll = self.rng.below(100);
        match roll {
            // Open a file, read (or write) it a few times, close it.
            0..=29 => {
                let write = !prof.writes.is_empty() && self.rng.chance(25);
                let path = if write {
                    (*self.rng.pick(prof.writes)).to_string()
                } else if self.rng.chance(15) {
                    (*self.rng.pick(LIBS)).to_string()
                } else if self.rng.chance(10) {
                    let pid = 1 + self.rng.below(40000);
                    format!("/proc/{pid}/stat")
                } else if self.rng.chance(8) {
                    let p = &mut self.procs[pi];
                    p.serial += 1;
                    format!("/tmp/{}-{}.{:x}", p.comm, p.pid, p.serial)
                } else {
                    (*self.rng.pick(prof.reads)).to_string()
                };
                if let Some(fd) = self.open_file(pi, tid, path, write) {
                    let n = 1 + self.rng.below(4);
                    for _ in 0..n {
                        self.rw(tid, fd, write, false);
                    }
                    if self.rng.chance(10) {
                        self.p.clear().i64(fd);
                        self.emit(tid, "SYSCALL_FSTAT_E");
                        self.p.clear().i64(0);
                        self.emit(tid, "SYSCALL_FSTAT_X");
                    }
                    let idx = self.procs[pi].fds.len() - 1;
                    self.close(pi, tid, idx);
                }
            }
            // Reads and writes on long-lived fds (sockets, logs, pipes).
            30..=64 => {
                let n = self.procs[pi].fds.len();
                if n == 0 {
                    return;
                }
                let f = self.procs[pi].fds[self.rng.below(n)].clone();
                let k = 1 + self.rng.below(3);
                for _ in 0..k {
                    let write = f.fd == 1 || f.fd == 2 || self.rng.chance(45);
                    self.rw(tid, f.fd, write, f.sock);
                }
            }
            // A new outgoing connection: socket, connect, send, receive, close.
            65..=74 if !prof.peers.is_empty() => {
                let (ip, port) = *self.rng.pick(prof.peers);
                let p = &mut self.procs[pi];
                let fd = p.next_fd;
                p.next_fd += 1;
                let sport = 32768 + self.rng.below(28000) as u16;
                self.p.clear().u32(2).u32(1).u32(0);
                self.emit(tid, "SOCKET_SOCKET_E");
                self.p.clear().i64(fd);
                self.emit(tid, "SOCKET_SOCKET_X");
                self.p.clear().i64(fd).raw(&sockaddr4(ip, port));
                self.emit(tid, "SOCKET_CONNECT_E");
                let refused = self.rng.chance(3);
                let res = if refused { -111 } else { 0 };
                self.p
                    .clear()
                    .i64(res)
                    .raw(&tuple4([10, 0, 0, 4], sport, ip, port));
                self.emit(tid, "SOCKET_CONNECT_X");
                let name = format!(
                    "10.0.0.4:{sport}->{}.{}.{}.{}:{port}",
                    ip[0], ip[1], ip[2], ip[3]
                );
                self.procs[pi].fds.push(Fd {
                    fd,
                    name,
                    sock: true,
                });
                if !refused {
                    self.rw(tid, fd, true, true);
                    self.rw(tid, fd, false, true);
                }
                let idx = self.procs[pi].fds.len() - 1;
                if refused || self.rng.chance(70) {
                    self.close(pi, tid, idx);
                }
            }
            // A server accepts a connection and serves it.
            65..=79 if prof.listen.is_some() => {
                let port = prof.listen.unwrap_or(80);
                let p = &mut self.procs[pi];
                let fd = p.next_fd;
                p.next_fd += 1;
                let client = [
                    172,
                    16 + self.rng.below(4) as u8,
                    self.rng.below(256) as u8,
                    1 + self.rng.below(250) as u8,
                ];
                let cport = 1024 + self.rng.below(60000) as u16;
                self.p.clear();
                self.emit(tid, "SOCKET_ACCEPT_5_E");
                self.p
                    .clear()
                    .i64(fd)
                    .raw(&tuple4(client, cport, [10, 0, 0, 4], port))
                    .u8(0)
                    .u32(0)
                    .u32(128);
                self.emit(tid, "SOCKET_ACCEPT_5_X");
                let name = format!(
                    "{}.{}.{}.{}:{cport}->10.0.0.4:{port}",
                    client[0], client[1], client[2], client[3]
                );
                self.procs[pi].fds.push(Fd {
                    fd,
                    name,
                    sock: true,
                });
                self.rw(tid, fd, false, true);
                self.rw(tid, fd, true, true);
                let idx = self.procs[pi].fds.len() - 1;
                if self.rng.chance(80) {
                    self.close(pi, tid, idx);
                }
            }
            // stat of a path.
            80..=86 => {
                let path = if prof.reads.is_empty() {
                    "/etc/hosts"
                } else {
                    *self.rng.pick(prof.reads)
                };
                self.p.clear();
                self.emit(tid, "SYSCALL_STAT_E");
                let res = if self.rng.chance(20) { -2 } else { 0 };
                self.p.clear().i64(res).str(path);
                self.emit(tid, "SYSCALL_STAT_X");
            }
            // A short-lived child: clone, execve, a few file reads, exit.
            87..=88 => self.spawn(pi, tid),
            // Generic syscalls (futex, epoll_wait, nanosleep, mmap...).
            _ => {
                let n = 1 + self.rng.below(3);
                for _ in 0..n {
                    let id = *self.rng.pick(&self.generic_ids);
                    self.p.clear().u16(id).u16(id);
                    self.emit(tid, "GENERIC_E");
                    self.p.clear().u16(id);
                    self.emit(tid, "GENERIC_X");
                }
            }
        }
        // Keep fd tables bounded: close the oldest non-std fds of a process that holds many.
        while self.procs[pi].fds.len() > 48 {
            self.close(pi, tid, 3);
        }
    }

    /// The parameters shared by clone and execve exit events (sysdig 0.29 layout).
    #[allow(clippy::too_many_arguments)]
    fn proc_params(
        &mut self,
        res: i64,
        exe: &str,
        args: &str,
        tid: u64,
        pid: u64,
        ptid: u64,
        comm: &str,
        uid: u32,
    ) {
        let _ = uid;
        self.p
            .clear()
            .i64(res)
            .str(exe)
            .raw(args.as_bytes())
            .u64(tid)
            .u64(pid)
            .u64(ptid)
            .str("/")
            .u64(1024)
            .u64(0)
            .u64(0)
            .u32(1000)
            .u32(100)
            .u32(0)
            .str(comm)
            .raw(b"cpu=/system.slice\0memory=/system.slice\0");
    }

    fn spawn(&mut self, pi: usize, tid: u64) {
        let (ppid, pptid, pcomm, pexe, pargs, uid) = {
            let p = &self.procs[pi];
            (
                p.pid,
                p.ptid,
                p.comm.clone(),
                p.exe.clone(),
                p.args.clone(),
                p.uid,
            )
        };
        let child = self.next_tid;
        self.next_tid += 1;
        if self.next_tid > 4_000_000 {
            self.next_tid = 200_000;
        }
        self.p.clear();
        self.emit(tid, "SYSCALL_CLONE_20_E");
        // In the parent.
        self.proc_params(child as i64, &pexe, &pargs, tid, ppid, pptid, &pcomm, uid);
        self.p.u32(0).u32(uid).u32(uid).u64(tid).u64(ppid);
        self.emit(tid, "SYSCALL_CLONE_20_X");
        // In the child.
        self.proc_params(0, &pexe, &pargs, child, child, tid, &pcomm, uid);
        self.p.u32(0).u32(uid).u32(uid).u64(child).u64(child);
        self.emit(child, "SYSCALL_CLONE_20_X");
        let (comm, exe, args, files) = *self.rng.pick(CHILDREN);
        self.p.clear().str(exe);
        self.emit(child, "SYSCALL_EXECVE_19_E");
        self.proc_params(0, exe, args, child, child, tid, comm, uid);
        self.p
            .raw(b"PATH=/usr/local/bin:/usr/bin:/bin\0LANG=C.UTF-8\0")
            .u32(0)
            .u64(child)
            .u32(uid)
            .u32(0);
        self.emit(child, "SYSCALL_EXECVE_19_X");
        // The child's reads (fds allocated from 3 in its own table, so track locally).
        for (i, f) in files.iter().enumerate() {
            let fd = 3 + i as i64;
            self.p.clear().i64(-100).str(f).u32(1).u32(0);
            self.emit(child, "SYSCALL_OPENAT_2_E");
            self.p
                .clear()
                .i64(fd)
                .i64(-100)
                .str(f)
                .u32(1)
                .u32(0)
                .u32(0x801);
            self.emit(child, "SYSCALL_OPENAT_2_X");
            self.rw(child, fd, false, false);
            self.p.clear().i64(fd);
            self.emit(child, "SYSCALL_CLOSE_E");
            self.p.clear().i64(0);
            self.emit(child, "SYSCALL_CLOSE_X");
        }
        let out = self.data(40);
        self.p.clear().i64(1).u32(out.len() as u32);
        self.emit(child, "SYSCALL_WRITE_E");
        self.p.clear().i64(out.len() as i64).raw(&out);
        self.emit(child, "SYSCALL_WRITE_X");
        self.p.clear().i64(0).i64(0).u8(0).u8(0);
        self.emit(child, "PROCEXIT_1_E");
    }
}

fn std_fds() -> Vec<Fd> {
    vec![
        Fd {
            fd: 0,
            name: "/dev/null".into(),
            sock: false,
        },
        Fd {
            fd: 1,
            name: "/dev/null".into(),
            sock: false,
        },
        Fd {
            fd: 2,
            name: "/var/log/daemon.log".into(),
            sock: false,
        },
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gzip = args.iter().any(|a| a == "--gzip");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(out) = pos.first() else {
        eprintln!(
            "usage: gencapture OUT.scap [SIZE_MB (default 1100)] [SEED (default 42)] [--gzip]"
        );
        std::process::exit(2);
    };
    let size_mb: u64 = pos.get(1).and_then(|s| s.parse().ok()).unwrap_or(1100);
    let seed: u64 = pos.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let target = size_mb * 1024 * 1024;

    let mut w = Writer::create_with(out.as_str(), gzip).expect("create capture");
    w.set_proc_layout(ProcLayout::Pre010);
    w.machine_info(&MachineInfo {
        num_cpus: 2,
        memory_size_bytes: 16 << 30,
        max_pid: 4_194_304,
        hostname: "web-prod-7".into(),
        ..MachineInfo::default()
    })
    .expect("machine info");
    w.interfaces(&[
        Interface::V4 {
            ty: 1,
            addr: u32::from_le_bytes([127, 0, 0, 1]),
            netmask: u32::from_le_bytes([255, 0, 0, 0]),
            bcast: u32::from_le_bytes([127, 255, 255, 255]),
            linkspeed: 0,
            name: "lo".into(),
        },
        Interface::V4 {
            ty: 1,
            addr: u32::from_le_bytes([10, 0, 0, 4]),
            netmask: u32::from_le_bytes([255, 255, 0, 0]),
            bcast: u32::from_le_bytes([10, 0, 255, 255]),
            linkspeed: 10_000,
            name: "eth0".into(),
        },
    ])
    .expect("interfaces");
    let users = [
        (0, "root", "/root", "/bin/bash"),
        (33, "www-data", "/var/www", "/usr/sbin/nologin"),
        (105, "postgres", "/var/lib/postgresql", "/bin/bash"),
        (107, "redis", "/var/lib/redis", "/usr/sbin/nologin"),
        (1000, "alice", "/home/alice", "/bin/bash"),
        (1001, "app", "/opt/app", "/usr/sbin/nologin"),
        (1002, "web", "/srv/web", "/usr/sbin/nologin"),
        (1003, "worker", "/opt/worker", "/usr/sbin/nologin"),
    ];
    w.users(&UserList {
        users: users
            .iter()
            .map(|(uid, name, home, shell)| UserInfo {
                uid: *uid,
                gid: *uid,
                name: (*name).into(),
                homedir: (*home).into(),
                shell: (*shell).into(),
            })
            .collect(),
        groups: users
            .iter()
            .map(|(uid, name, _, _)| GroupInfo {
                gid: *uid,
                name: (*name).into(),
            })
            .collect(),
    })
    .expect("users");

    // The process table: init, then every profile's instances and their threads.
    let mut rng = Rng(seed.max(1));
    let mut procs: Vec<Proc> = Vec::new();
    let mut threads: Vec<ThreadInfo> = Vec::new();
    let mut fdls: Vec<(u64, Vec<FdInfo>)> = Vec::new();
    let init = ThreadInfo {
        tid: 1,
        pid: 1,
        ptid: 0,
        sid: 1,
        vpgid: 1,
        comm: "systemd".into(),
        exe: "/sbin/init".into(),
        exepath: "/usr/lib/systemd/systemd".into(),
        cwd: "/".into(),
        fdlimit: 1024,
        vtid: 1,
        vpid: 1,
        cgroups: b"cpu=/\0memory=/\0".to_vec(),
        root: "/".into(),
        pgid: 1,
        ..ThreadInfo::default()
    };
    threads.push(init);
    let mut next_pid = 300u64;
    for (pidx, prof) in PROFILES.iter().enumerate() {
        // Multi-instance servers have a master (ptid 1) and workers (children of the master).
        let mut master = 1u64;
        for inst in 0..prof.instances {
            let pid = next_pid;
            next_pid += 1 + prof.threads as u64;
            let ptid = if inst == 0 { 1 } else { master };
            if inst == 0 {
                master = pid;
            }
            let tids: Vec<u64> = (0..prof.threads as u64).map(|i| pid + i).collect();
            for &tid in &tids {
                threads.push(ThreadInfo {
                    tid,
                    pid,
                    ptid,
                    sid: pid,
                    vpgid: pid,
                    comm: prof.comm.into(),
                    exe: prof.exe.into(),
                    exepath: prof.exe.into(),
                    args: prof.args.as_bytes().to_vec(),
                    cwd: "/".into(),
                    fdlimit: 65536,
                    uid: prof.user,
                    gid: prof.user,
                    vtid: tid as i64,
                    vpid: pid as i64,
                    cgroups: format!("cpu=/system.slice/{}.service\0", prof.comm).into_bytes(),
                    root: "/".into(),
                    loginuid: u32::MAX,
                    pgid: pid as i64,
                    // Secondary threads share the fd table (PPM_CL_CLONE_FILES |
                    // PPM_CL_CLONE_THREAD), as libsinsp needs to find the process's fds.
                    flags: if tid == pid { 0 } else { (1 << 0) | (1 << 13) },
                    ..ThreadInfo::default()
                });
            }
            let mut fds = std_fds();
            let mut next_fd = 3;
            if let Some(port) = prof.listen {
                fds.push(Fd {
                    fd: next_fd,
                    name: format!("0.0.0.0:{port}"),
                    sock: true,
                });
                next_fd += 1;
            }
            for wpath in prof.writes {
                fds.push(Fd {
                    fd: next_fd,
                    name: (*wpath).into(),
                    sock: false,
                });
                next_fd += 1;
            }
            for (ip, port) in prof.peers {
                // Pooled connections.
                let sport = 40000 + rng.below(20000) as u16;
                fds.push(Fd {
                    fd: next_fd,
                    name: format!(
                        "10.0.0.4:{sport}->{}.{}.{}.{}:{port}",
                        ip[0], ip[1], ip[2], ip[3]
                    ),
                    sock: true,
                });
                next_fd += 1;
            }
            let infos = fds
                .iter()
                .map(|f| {
                    if let Some(port) = f.name.strip_prefix("0.0.0.0:") {
                        FdInfo {
                            fd: f.fd,
                            ino: 0,
                            ty: fd_type::IPV4_SERVSOCK,
                            detail: FdDetail::Ipv4Server {
                                ip: 0,
                                port: port.parse().unwrap_or(0),
                                l4proto: 2,
                            },
                        }
                    } else if f.sock {
                        // "10.0.0.4:SPORT->A.B.C.D:PORT"
                        let (src, dst) = f.name.split_once("->").unwrap_or(("", ""));
                        let parse = |s: &str| -> (u32, u16) {
                            let (ip, port) = s.rsplit_once(':').unwrap_or(("0.0.0.0", "0"));
                            let o: Vec<u8> =
                                ip.split('.').map(|x| x.parse().unwrap_or(0)).collect();
                            (
                                u32::from_le_bytes([o[0], o[1], o[2], o[3]]),
                                port.parse().unwrap_or(0),
                            )
                        };
                        let (sip, sport) = parse(src);
                        let (dip, dport) = parse(dst);
                        FdInfo {
                            fd: f.fd,
                            ino: 0,
                            ty: fd_type::IPV4_SOCK,
                            detail: FdDetail::Ipv4 {
                                sip,
                                dip,
                                sport,
                                dport,
                                l4proto: 2,
                            },
                        }
                    } else {
                        FdInfo {
                            fd: f.fd,
                            ino: 1000 + f.fd as u64,
                            ty: fd_type::FILE_V2,
                            detail: FdDetail::File {
                                open_flags: 2,
                                name: f.name.clone(),
                                dev: Some(0x801),
                            },
                        }
                    }
                })
                .collect();
            fdls.push((pid, infos));
            procs.push(Proc {
                tids,
                pid,
                ptid,
                comm: prof.comm.into(),
                exe: prof.exe.into(),
                args: prof.args.into(),
                uid: prof.user,
                profile: pidx,
                fds,
                next_fd,
                serial: 0,
            });
        }
    }
    w.processes(&threads).expect("process list");
    for (tid, fds) in &fdls {
        w.fds(*tid, fds).expect("fd list");
    }
    let weights = procs
        .iter()
        .map(|p| {
            let prof = &PROFILES[p.profile];
            (prof.weight * 10 / prof.instances).max(1) * p.tids.len().min(4)
        })
        .collect();
    let generic_ids = [
        "futex",
        "epoll_wait",
        "nanosleep",
        "mmap",
        "munmap",
        "brk",
        "madvise",
        "getpid",
        "clock_gettime",
        "rt_sigprocmask",
    ]
    .iter()
    .filter_map(|n| syscall_id(n))
    .collect();
    let mut g = Gen {
        w,
        rng,
        c: codes(),
        p: Params::default(),
        ts: T0,
        events: 0,
        procs,
        weights,
        next_tid: 200_000,
        generic_ids,
    };
    while g.w.offset() < target {
        let pi = g.pick_proc();
        g.activity(pi);
    }
    let bytes = g.w.offset();
    let events = g.events;
    g.w.finish().expect("finish");
    eprintln!(
        "wrote {out}: {} threads in the process table, {events} events, {bytes} bytes{}",
        threads.len(),
        if gzip { " (before gzip)" } else { "" }
    );
    println!("events={events} bytes={bytes}");
}
