//! Evaluation cost per event of Falco's whole stable ruleset (`falco_rules.yaml`, loaded
//! unmodified) on synthetic exec / open / connect events, plus an event type no rule wants.
//!
//! Events are `vigil_event::MapEvent`s (a hash map per event), so field extraction costs a
//! hash lookup per field; real sources extract from decoded state instead.
//!
//! `cargo bench -p vigil --bench ruleset_eval`; numbers go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vigil_event::{FieldSchema, MapEvent, Value};
use vigil_rules::{LoadOptions, RuleMatching, RulesFile, Ruleset, RulesetConfig};

fn corpus(rel: &str) -> String {
    format!(
        "{}/../../../shared/corpus/{rel}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn load(schemas: Vec<&dyn FieldSchema>) -> Ruleset {
    let file = RulesFile::read(corpus("falco/rules/falco_rules.yaml")).expect("corpus rules");
    let result = vigil_rules::load(&[file], &LoadOptions::new(schemas));
    result.ruleset.expect("falco_rules.yaml loads")
}

fn events(schema: &dyn FieldSchema) -> Vec<(&'static str, MapEvent)> {
    fn common(b: vigil_event::MapEventBuilder<'_>) -> vigil_event::MapEventBuilder<'_> {
        b.str("proc.name", "bash")
            .str("proc.pname", "sshd")
            .str("proc.cmdline", "bash -c ls -la /tmp")
            .str("proc.args", "-c ls -la /tmp")
            .str("proc.exepath", "/usr/bin/bash")
            .str("proc.exe", "/usr/bin/bash")
            .str("proc.pexe", "/usr/sbin/sshd")
            .str("proc.pcmdline", "sshd: root@pts/0")
            .str("proc.aname[2]", "sshd")
            .str("proc.aname[3]", "systemd")
            .str("proc.cwd", "/root/")
            .uint("proc.tty", 34816)
            .str("user.name", "root")
            .uint("user.uid", 0)
            .int("user.loginuid", 1000)
            .str("container.id", "host")
            .str("container.image.repository", "")
    }
    let exec = common(MapEvent::builder(schema).evtype("execve"))
        .str("evt.res", "SUCCESS")
        .int("evt.rawres", 0)
        .str("evt.arg.flags", "EXE_WRITABLE")
        .set("proc.is_exe_from_memfd", Value::Bool(false))
        .build();
    let open = common(MapEvent::builder(schema).evtype("openat"))
        .str("fd.name", "/etc/passwd")
        .str("fd.directory", "/etc")
        .str("fd.filename", "passwd")
        .str("fd.typechar", "f")
        .int("fd.num", 3)
        .set("evt.is_open_read", Value::Bool(true))
        .set("evt.is_open_write", Value::Bool(false))
        .str("evt.arg.flags", "O_RDONLY|O_CLOEXEC")
        .str("evt.res", "SUCCESS")
        .int("evt.rawres", 3)
        .build();
    let connect = common(MapEvent::builder(schema).evtype("connect"))
        .str("fd.name", "10.0.0.2:51234->93.184.216.34:443")
        .str("fd.typechar", "4")
        .str("fd.type", "ipv4")
        .str("fd.l4proto", "tcp")
        .int("fd.num", 4)
        .set("fd.sip", Value::Ip("93.184.216.34".parse().expect("ip")))
        .uint("fd.sport", 443)
        .str("evt.res", "SUCCESS")
        .int("evt.rawres", 0)
        .build();
    let read = common(MapEvent::builder(schema).evtype("read"))
        .str("fd.name", "/var/log/syslog")
        .build();
    vec![
        ("exec", exec),
        ("open", open),
        ("connect", connect),
        ("read", read),
    ]
}

fn bench(c: &mut Criterion) {
    let schemas: Vec<&dyn FieldSchema> = vec![
        &vigil_state::SYSCALL_SCHEMA,
        &vigil_k8saudit::K8S_AUDIT_SCHEMA,
    ];
    let first = load(schemas);
    let all = first.configure(&RulesetConfig::default().rule_matching(RuleMatching::All));
    let evs = events(&vigil_state::SYSCALL_SCHEMA);

    let mut g = c.benchmark_group("stable_ruleset");
    g.throughput(Throughput::Elements(1));
    let mut hits = Vec::new();
    for (name, ev) in &evs {
        g.bench_function(format!("indexed/{name}"), |b| {
            b.iter(|| {
                hits.clear();
                all.evaluate("syscall", black_box(ev), &mut hits);
                hits.len()
            })
        });
        // Every rule's filter on every event, without the event-type index: what the index
        // saves.
        g.bench_function(format!("unindexed/{name}"), |b| {
            b.iter(|| {
                all.rules()
                    .iter()
                    .filter(|r| r.filter.eval(black_box(ev)))
                    .count()
            })
        });
    }
    // The mix: 40% open, 30% exec, 20% connect, 10% other, evaluated in sequence.
    let order = [1, 0, 1, 2, 0, 1, 3, 0, 2, 1];
    g.throughput(Throughput::Elements(order.len() as u64));
    g.bench_function("indexed/mix", |b| {
        b.iter(|| {
            let mut n = 0;
            for &i in &order {
                hits.clear();
                all.evaluate("syscall", black_box(&evs[i].1), &mut hits);
                n += hits.len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
