//! `vigil inspect`, black box: counts against `sysdig -r` with the same filter, `-p` formats,
//! bad filters, truncated captures, port-name mode and filtered dumps (`-w`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vigil_scap::{Block, Reader};
use vigil_state::State;

fn corpus() -> PathBuf {
    match std::env::var_os("VIGIL_FALCO_CASES") {
        Some(p) => PathBuf::from(p)
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco"),
    }
}

fn cat_write() -> PathBuf {
    corpus().join("traces/falco/cat_write.scap")
}

fn sample() -> PathBuf {
    corpus().join("traces/libs/sample.scap")
}

fn vigil(args: &[&str], capture: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("inspect")
        .arg(capture)
        .args(args)
        .output()
        .expect("run vigil")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sysdig` if it can run; in CI (`CI=true`) a missing sysdig fails the test.
fn sysdig() -> Option<&'static str> {
    let ok = Command::new("sysdig")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "sysdig is not installed (CI installs the Debian package)"
        );
        eprintln!("sysdig not installed: comparison skipped");
        return None;
    }
    Some("sysdig")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vigil-cli-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Filters on which vigil's converted view and sysdig 0.29's raw view select the same events
/// (exit events: sysdig also lists enter events, which the converter merges).
const SAME_AS_SYSDIG: &[&str] = &[
    "evt.dir=<",
    "proc.name=cat and evt.dir=<",
    "evt.type in (open, openat) and evt.dir=<",
    "evt.type=close and evt.dir=<",
    "evt.type=execve and evt.dir=<",
];

#[test]
fn counts_match_sysdig() {
    let cap = cat_write();
    let sysdig = sysdig();
    for cond in SAME_AS_SYSDIG {
        let o = vigil(&["--count", "--filter", cond], &cap);
        assert!(o.status.success(), "{cond}: {}", stderr(&o));
        let ours: u64 = stdout(&o).trim().parse().expect("a count");
        assert!(ours > 0, "{cond}: nothing matched");
        // Without --count, one line per matching event.
        let lines = vigil(&["--filter", cond, "-p", "*%evt.type"], &cap);
        assert_eq!(stdout(&lines).lines().count() as u64, ours, "{cond}");
        if let Some(bin) = sysdig {
            let s = Command::new(bin)
                .arg("-r")
                .arg(&cap)
                .args(["-p", "*%evt.type", cond])
                .output()
                .expect("run sysdig");
            assert!(s.status.success(), "sysdig {cond}: {}", stderr(&s));
            assert_eq!(
                stdout(&s).lines().count() as u64,
                ours,
                "{cond}: sysdig vs vigil"
            );
        }
    }
}

#[test]
fn print_formats() {
    let cap = cat_write();
    let cond = "evt.type in (open, openat) and evt.dir=<";
    let fmt = "%evt.type %proc.name %fd.name %thread.tid";
    let o = vigil(&["--filter", cond, "-p", fmt], &cap);
    assert!(o.status.success(), "{}", stderr(&o));
    let ours = stdout(&o);
    assert!(ours.lines().count() > 0);
    for l in ours.lines() {
        let w: Vec<&str> = l.split(' ').collect();
        assert_eq!(w.len(), 4, "{l}");
        assert!(w[0] == "open" || w[0] == "openat", "{l}");
        assert!(w[3].parse::<u64>().is_ok(), "{l}");
    }
    if let Some(bin) = sysdig() {
        let s = Command::new(bin)
            .arg("-r")
            .arg(&cap)
            .args(["-p", fmt, cond])
            .output()
            .expect("run sysdig");
        assert_eq!(stdout(&s), ours, "vigil vs sysdig -p '{fmt}'");
    }
    // Without `*`, events missing a field are not printed (sysdig); with `*`, <NA> is.
    let all = vigil(
        &["--filter", "evt.dir=<", "-p", "*%evt.type %fd.name"],
        &cap,
    );
    let some = vigil(&["--filter", "evt.dir=<", "-p", "%evt.type %fd.name"], &cap);
    let (all, some) = (stdout(&all), stdout(&some));
    assert!(all.lines().count() > some.lines().count());
    assert!(all.contains("<NA>") && !some.contains("<NA>"));
    // The default line is sysdig's: number, time, cpu, process (tid), direction, type, args.
    let d = vigil(&["--filter", cond], &cap);
    let first = stdout(&d).lines().next().unwrap_or_default().to_string();
    let w: Vec<&str> = first.split_whitespace().collect();
    assert!(w.len() >= 7, "{first}");
    assert!(
        w[0].parse::<u64>().is_ok() && w[2].parse::<u32>().is_ok(),
        "{first}"
    );
    assert!(w[4].starts_with('(') && w[5] == "<", "{first}");
}

#[test]
fn bad_filter_exits_1_with_a_caret() {
    let cap = cat_write();
    for (cond, want) in [
        ("proc.name=cat and", "^"),
        ("proc.nme=cat", "proc.nme"),
        ("(proc.name=cat", "^"),
    ] {
        let o = vigil(&["--filter", cond], &cap);
        assert_eq!(o.status.code(), Some(1), "{cond}");
        let err = stderr(&o);
        assert!(err.contains("invalid filter"), "{cond}: {err}");
        assert!(err.contains(want) && err.contains('^'), "{cond}: {err}");
        assert!(stdout(&o).is_empty(), "{cond}");
    }
}

#[test]
fn truncated_capture_reports_the_offset_after_earlier_events() {
    // sample.scap is a plain (not gzip) capture: cut it inside its events.
    let raw = std::fs::read(sample()).expect("read sample.scap");
    let cut = raw.len() * 9 / 10;
    let path = tmp("truncated.scap");
    std::fs::write(&path, &raw[..cut]).expect("write");
    let o = vigil(&["-p", "*%evt.type"], &path);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).lines().count() > 10,
        "earlier events are printed"
    );
    let err = stderr(&o);
    let at = err.find("at byte ").expect("offset in the message");
    let n: u64 = err[at + 8..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok())
        .expect("a byte offset");
    assert!(n <= cut as u64, "{err}");
    // --count still counts the events before the damage.
    let c = vigil(&["--count"], &path);
    assert_eq!(c.status.code(), Some(1));
    assert!(stdout(&c).trim().parse::<u64>().expect("count") > 10);
}

#[test]
fn resolve_ports_names_services() {
    let cap = corpus().join("traces/libs/curl_google.scap");
    let cond = "evt.type=connect and evt.dir=< and fd.type=ipv6 and thread.tid=17498";
    let fmt = "*%fd.name %fd.sproto %fd.cproto %fd.rproto";
    let plain = stdout(&vigil(&["--filter", cond, "-p", fmt], &cap));
    let named = stdout(&vigil(
        &["--resolve-ports", "--filter", cond, "-p", fmt],
        &cap,
    ));
    assert_eq!(
        plain.trim(),
        "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:40251->2001:4860:4860::8888:53 53 40251 53"
    );
    if std::fs::read_to_string("/etc/services").is_ok_and(|s| s.contains("53/udp")) {
        assert_eq!(
            named.trim(),
            "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:40251->2001:4860:4860::8888:domain domain \
             40251 domain"
        );
        // Filters see the resolved values too.
        let c = vigil(
            &[
                "--resolve-ports",
                "--count",
                "--filter",
                &format!("{cond} and fd.sproto=domain"),
            ],
            &cap,
        );
        assert_eq!(stdout(&c).trim(), "1");
    }
}

/// Reopen a capture and count the threads of its tables (before any event), and its events.
fn reopen(path: &Path) -> (State, u64, Vec<u64>) {
    let mut r = Reader::open(path).expect("reopen");
    let mut st = State::new();
    let mut table_threads = None;
    let mut tids = Vec::new();
    while let Some(b) = r.next().expect("read the dump") {
        if let Block::Event(ev) = &b {
            table_threads.get_or_insert(st.thread_count() as u64);
            tids.push(ev.tid);
        }
        st.apply_block(&b);
    }
    let n = table_threads.unwrap_or(st.thread_count() as u64);
    (st, n, tids)
}

/// libsinsp's cycledumper test (`scap_file.filter`): sample.scap read with the filter
/// `proc.name=ifplugd` and dumped; reopening the dump yields exactly 1 thread in the thread
/// table. libsinsp filters the thread table when saving by probing each thread with a
/// synthetic event; vigil's `-w` does the same.
#[test]
fn filtered_dump_keeps_only_the_threads_the_filter_selects() {
    let out = tmp("ifplugd.scap");
    let cond = "proc.name=ifplugd";
    let o = vigil(
        &["--filter", cond, "-w", out.to_str().expect("utf-8")],
        &sample(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "-w prints no events");
    let (st, table_threads, tids) = reopen(&out);
    assert_eq!(table_threads, 1, "threads in the dump's thread table");
    let t = st.thread(759).expect("ifplugd's thread");
    assert_eq!(t.comm, "ifplugd");
    // Every event of the dump is one the filter selected, and all of them are there.
    let want = vigil(&["--count", "--filter", cond], &sample());
    let want: usize = stdout(&want).trim().parse().expect("count");
    assert_eq!(tids.len(), want);
    assert!(tids.iter().all(|&t| t == 759));
    let again = vigil(&["--count", "--filter", cond], &out);
    assert_eq!(stdout(&again).trim(), want.to_string());
    // sysdig reads the dump and sees the same single process.
    if let Some(bin) = sysdig() {
        let s = Command::new(bin)
            .arg("-r")
            .arg(&out)
            .args(["-p", "*%proc.name", "evt.dir=<"])
            .output()
            .expect("run sysdig");
        assert!(s.status.success(), "{}", stderr(&s));
        let names = stdout(&s);
        assert!(
            names.lines().count() > 0 && names.lines().all(|l| l == "ifplugd"),
            "{names}"
        );
    }
    // Without a filter the whole table is written.
    let full = tmp("all.scap");
    let o = vigil(&["-w", full.to_str().expect("utf-8")], &sample());
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, all_threads, _) = reopen(&full);
    assert!(all_threads > 1, "{all_threads}");
}

/// Every capture under the corpus's traces, whole and cut at two places: `--threads 2` (read
/// and convert on a second thread) prints the same lines, the same errors and exits the
/// same as `--threads 1`.
#[test]
fn reading_thread_changes_nothing_in_the_output() {
    let mut captures = Vec::new();
    let mut dirs = vec![corpus().join("traces")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("traces dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().contains(".scap") {
                captures.push(p);
            }
        }
    }
    captures.sort();
    assert!(captures.len() >= 10, "{} captures", captures.len());
    let mut compared = 0;
    for cap in &captures {
        let raw = std::fs::read(cap).expect("read capture");
        let mut inputs = vec![cap.clone()];
        for (i, cut) in [raw.len() / 3, raw.len() * 4 / 5].into_iter().enumerate() {
            let p = tmp(&format!(
                "cut{i}-{}",
                cap.file_name().expect("name").to_string_lossy()
            ));
            std::fs::write(&p, &raw[..cut]).expect("write");
            inputs.push(p);
        }
        for input in &inputs {
            let one = vigil(&["--threads", "1"], input);
            let two = vigil(&["--threads", "2"], input);
            assert_eq!(one.status.code(), two.status.code(), "{}", input.display());
            assert!(
                one.stdout == two.stdout,
                "{}: stdout differs",
                input.display()
            );
            assert_eq!(stderr(&one), stderr(&two), "{}", input.display());
            compared += 1;
        }
    }
    assert!(compared >= 30, "{compared}");
}
