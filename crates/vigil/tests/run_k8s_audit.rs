//! `vigil run --no-syscall --k8s-audit-webhook`: the real binary receives the corpus webhook
//! bodies over HTTPS with a bearer token and alerts with vigil's default k8s-audit rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn corpus_webhook(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/k8s-audit/webhook")
        .join(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sk", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl (Debian package curl) must be installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (body.to_string(), code.to_string())
}

#[test]
fn webhook_over_https_with_token_alerts() {
    let dir = std::env::temp_dir().join(format!("vigil-run-k8s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert, key, token) = (dir.join("cert.pem"), dir.join("key.pem"), dir.join("token"));
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl must be installed")
        .success();
    assert!(ok, "openssl req failed");
    std::fs::write(&token, "s3cret-token\n").expect("token");

    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        // A long deadline as a safety net; the test stops it with SIGINT when done.
        .args(["run", "--no-syscall", "--json", "--duration", "120s"])
        .args(["--k8s-audit-webhook", &addr])
        .arg("--k8s-audit-tls-cert")
        .arg(&cert)
        .arg("--k8s-audit-tls-key")
        .arg(&key)
        .arg("--k8s-audit-token-file")
        .arg(&token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vigil run");

    let url = format!("https://{addr}/k8s-audit");
    // Wait for the listener.
    let mut up = false;
    for _ in 0..50 {
        if curl(&["-X", "POST", &url]).1 != "000" {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "webhook did not come up");

    let body = corpus_webhook("eventlist-all-falco-events.json");
    let data = format!("@{}", body.display());
    let auth = "Authorization: Bearer s3cret-token";
    let json = "Content-Type: application/json";
    let (resp, code) = curl(&[
        "-X",
        "POST",
        "-H",
        auth,
        "-H",
        json,
        "--data-binary",
        &data,
        &url,
    ]);
    assert_eq!(code, "200", "{resp}");
    assert!(resp.contains("\"accepted\":38"), "{resp}");
    // Wrong token and malformed body are refused, and the server keeps serving.
    let (_, code) = curl(&[
        "-X",
        "POST",
        "-H",
        "Authorization: Bearer nope",
        "-H",
        json,
        "--data-binary",
        &data,
        &url,
    ]);
    assert_eq!(code, "401");
    let (_, code) = curl(&[
        "-X",
        "POST",
        "-H",
        auth,
        "-H",
        json,
        "--data-binary",
        "{not json",
        &url,
    ]);
    assert_eq!(code, "400");

    // Stop it as an operator would: SIGINT, then a clean shutdown that flushes the outputs.
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("vigil run stops on SIGINT");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let rules: Vec<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["source"] == "k8s_audit")
        .filter_map(|v| v["rule"].as_str().map(str::to_string))
        .collect();
    for want in [
        "K8s Privileged Pod Created",
        "K8s Exec Or Attach Into Pod",
        "K8s ConfigMap Holds Credentials",
    ] {
        assert!(
            rules.iter().any(|r| r == want),
            "{want} missing: {rules:?}\n{stderr}"
        );
    }
    assert!(stderr.contains("38 events accepted"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn follows_an_audit_log_file() {
    let dir = std::env::temp_dir().join(format!("vigil-run-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let log = dir.join("audit.log");
    let falco = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/corpus/k8s-audit/falco")
                .join(name),
        )
        .expect("fixture")
    };
    std::fs::write(&log, falco("create_nginx_pod_privileged.json")).expect("write");
    let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["run", "--no-syscall", "--json", "--duration", "120s"])
        .arg("--k8s-audit-file")
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vigil run");
    std::thread::sleep(Duration::from_millis(1500));
    // Rotation: the old file moves away, a new one appears at the path with a new event.
    std::fs::rename(&log, dir.join("audit.log.1")).expect("rotate");
    std::fs::write(&log, falco("attach_pod.json")).expect("write new log");
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let out = child.wait_with_output().expect("vigil run stops on SIGINT");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let rules: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["rule"].as_str().map(str::to_string))
        .collect();
    assert!(
        rules.iter().any(|r| r == "K8s Privileged Pod Created"),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| r == "K8s Exec Or Attach Into Pod"),
        "{rules:?}\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
