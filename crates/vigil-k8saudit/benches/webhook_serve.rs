//! The webhook server under load, for `scripts/bench-k8s-audit` (which drives it with
//! `wrk`): HTTPS with a bearer token on 127.0.0.1, a consumer thread that evaluates every
//! event on Falco's k8s-audit rules, counters printed at the end.
//!
//! `cargo bench -p vigil-k8saudit --bench webhook_serve -- --dir DIR [--seconds N]`:
//! writes `DIR/cert.pem`, `DIR/key.pem` (self-signed, for the baseline server too) and
//! `DIR/port` once listening; stops when `DIR/stop` appears or after N seconds (60).
#![allow(clippy::unwrap_used, missing_docs)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use vigil_k8saudit::webhook::{self, WebhookConfig};
use vigil_k8saudit::{K8S_AUDIT_SCHEMA, K8S_AUDIT_SOURCE};
use vigil_rules::{LoadOptions, RulesFile, load};

/// The token the load generator sends.
const TOKEN: &str = "vigil-bench-token";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let Some(dir) = arg("--dir").map(PathBuf::from) else {
        println!("webhook_serve: no --dir given, nothing to do (run scripts/bench-k8s-audit)");
        return;
    };
    let seconds: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("stop"));
    let _ = std::fs::remove_file(dir.join("port"));

    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), cert.key_pair.serialize_pem()).unwrap();

    let corpus = match std::env::var_os("VIGIL_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    let file = RulesFile::read(corpus.join("falco/rules/k8s_audit_rules.yaml")).unwrap();
    let res = load(&[file], &LoadOptions::new(vec![&K8S_AUDIT_SCHEMA]));
    let rs = res.ruleset.unwrap();

    let (tx, rx) = sync_channel::<webhook::WebhookBatch>(1024);
    let consumer = std::thread::spawn(move || {
        let (mut events, mut alerts) = (0u64, 0u64);
        let mut hits = Vec::new();
        for batch in rx {
            for ev in &batch.events {
                hits.clear();
                rs.evaluate(K8S_AUDIT_SOURCE, ev, &mut hits);
                alerts += hits.len() as u64;
            }
            events += batch.events.len() as u64;
        }
        (events, alerts)
    });

    let threads = std::env::var("VIGIL_WEBHOOK_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let mut config = WebhookConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))
        .with_tls(dir.join("cert.pem"), dir.join("key.pem"))
        .with_bearer_token(TOKEN);
    config.threads = threads;
    let server = webhook::spawn(config, tx).unwrap();
    std::fs::write(dir.join("port"), server.local_addr().port().to_string()).unwrap();
    println!(
        "webhook_serve: listening on https://{}",
        server.local_addr()
    );

    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) && !dir.join("stop").exists() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let st = server.shutdown();
    let (events, alerts) = consumer.join().unwrap();
    println!(
        "webhook_serve: requests {} accepted {} rejected {} events {} (evaluated {events}, alerts {alerts}) dropped {} tls failures {}",
        st.requests,
        st.bodies_accepted,
        st.rejected.total(),
        st.events_accepted,
        st.events_dropped,
        st.tls_failures
    );
}
