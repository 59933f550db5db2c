//! The webhook server over real HTTPS: the corpus webhook bodies with a bearer token, every
//! rejection with its status code, client certificates, back-pressure and slow clients.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair, SanType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use vigil_k8saudit::webhook::{self, WebhookBatch, WebhookConfig, WebhookError};

const TOKEN: &str = "s3cret-token";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s-audit/webhook")
}

/// A CA, a server certificate for localhost / 127.0.0.1, a client certificate from the same
/// CA, and one from another CA, as PEM files in a fresh folder.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vigil-webhook-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = |name: &str| {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.distinguished_name
                .push(rcgen::DnType::CommonName, name.to_string());
            let key = KeyPair::generate().unwrap();
            let cert = p.self_signed(&key).unwrap();
            (cert, key)
        };
        let (ca_cert, ca_key) = ca("vigil test CA");
        let (other_cert, other_key) = ca("other CA");
        let write = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
        write("ca.pem", ca_cert.pem());
        let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &ca_cert, &ca_key).unwrap();
        write("server.pem", cert.pem());
        write("server.key", key.serialize_pem());
        for (name, issuer, issuer_key) in [
            ("client", &ca_cert, &ca_key),
            ("stranger", &other_cert, &other_key),
        ] {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name
                .push(rcgen::DnType::CommonName, "kube-apiserver");
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            let key = KeyPair::generate().unwrap();
            let cert = p.signed_by(&key, issuer, issuer_key).unwrap();
            write(&format!("{name}.pem"), cert.pem());
            write(&format!("{name}.key"), key.serialize_pem());
        }
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn config(&self) -> WebhookConfig {
        WebhookConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))
            .with_tls(self.path("server.pem"), self.path("server.key"))
            .with_bearer_token(TOKEN)
    }

    /// A TLS client trusting the test CA, with a client certificate when `client` names one.
    fn client(&self, client: Option<&str>) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(self.path("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let b = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
        let c = match client {
            Some(name) => {
                let chain = CertificateDer::pem_file_iter(self.path(&format!("{name}.pem")))
                    .unwrap()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                let key = PrivateKeyDer::from_pem_file(self.path(&format!("{name}.key"))).unwrap();
                b.with_client_auth_cert(chain, key).unwrap()
            }
            None => b.with_no_client_auth(),
        };
        Arc::new(c)
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One HTTP/1.1 exchange (`Connection: close`) over TLS (when `tls`) or plain TCP; the raw
/// request head is `head` (without the final blank line). Returns (status, body) or the
/// I/O error (a failed handshake).
fn exchange(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ClientConfig>>,
    head: &str,
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut stream: Box<dyn ReadWrite> = match tls {
        Some(cfg) => {
            let conn =
                rustls::ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap())
                    .map_err(std::io::Error::other)?;
            Box::new(rustls::StreamOwned::new(conn, tcp))
        }
        None => Box::new(tcp),
    };
    let mut req = format!("{head}\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes();
    req.extend_from_slice(body);
    // The server may answer (413, 401) and close before reading everything: a failed
    // write is not the end, the answer is what counts.
    let _ = stream.write_all(&req).and_then(|()| stream.flush());
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if out.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP response: {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn post(
    addr: SocketAddr,
    tls: &Arc<rustls::ClientConfig>,
    token: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let auth = token.map_or(String::new(), |t| format!("\r\nAuthorization: Bearer {t}"));
    let head = format!(
        "POST /k8s-audit HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}{auth}",
        body.len()
    );
    exchange(addr, Some(tls.clone()), &head, body).unwrap()
}

fn drain(rx: &Receiver<WebhookBatch>) -> (usize, usize) {
    let (mut events, mut errors) = (0, 0);
    while let Ok(b) = rx.recv_timeout(Duration::from_millis(200)) {
        events += b.events.len();
        errors += b.errors.len();
    }
    (events, errors)
}

#[test]
fn corpus_bodies_over_https_with_token() {
    let pki = Pki::new();
    let (tx, rx) = sync_channel(1024);
    let mut config = pki.config();
    config.batch_size = 16;
    let server = webhook::spawn(config, tx).unwrap();
    let addr = server.local_addr();
    let client = pki.client(None);
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut expected = 0;
    for f in &files {
        let body = std::fs::read(f).unwrap();
        let want = vigil_k8saudit::parse_events(&body)
            .filter(Result::is_ok)
            .count();
        let bad = vigil_k8saudit::parse_events(&body)
            .filter(Result::is_err)
            .count();
        assert_eq!(bad, 0, "{}", f.display());
        let (status, text) = post(addr, &client, Some(TOKEN), &body);
        assert_eq!(status, 200, "{}: {text}", f.display());
        assert!(text.contains(&format!("\"accepted\":{want}")), "{text}");
        expected += want;
    }
    assert!(expected > 40, "{expected}");
    let (events, errors) = drain(&rx);
    assert_eq!((events, errors), (expected, 0));
    let stats = server.shutdown();
    assert_eq!(stats.events_accepted, expected as u64);
    assert_eq!(stats.bodies_accepted, files.len() as u64);
    assert_eq!(stats.rejected.total(), 0);
    assert!(stats.batches_sent >= expected as u64 / 16);
}

#[test]
fn rejections_with_status_codes() {
    let pki = Pki::new();
    let (tx, rx) = sync_channel(1024);
    let mut config = pki.config();
    config.max_body_bytes = 64 << 10;
    let server = webhook::spawn(config, tx).unwrap();
    let addr = server.local_addr();
    let client = pki.client(None);
    let small = std::fs::read(corpus().join("eventlist-3-events.json")).unwrap();
    let big = std::fs::read(corpus().join("eventlist-all-falco-events.json")).unwrap();
    assert!(big.len() > 64 << 10);
    let tls = Some(client.clone());
    let req = |head: &str, body: &[u8]| exchange(addr, tls.clone(), head, body).unwrap();
    let auth = format!("Authorization: Bearer {TOKEN}");

    // Unauthenticated.
    assert_eq!(post(addr, &client, None, &small).0, 401);
    assert_eq!(post(addr, &client, Some("s3cret-tokeN"), &small).0, 401);
    assert_eq!(post(addr, &client, Some("s3cret"), &small).0, 401);
    let (s, _) = req(
        &format!("POST /k8s-audit HTTP/1.1\r\nAuthorization: Basic {TOKEN}\r\nContent-Length: 2"),
        b"{}",
    );
    assert_eq!(s, 401);
    // Lower-case scheme is fine.
    let (s, _) = req(
        &format!(
            "POST /k8s-audit HTTP/1.1\r\nAuthorization: bearer {TOKEN}\r\nContent-Length: {}",
            small.len()
        ),
        &small,
    );
    assert_eq!(s, 200);
    // Path, method, content type.
    assert_eq!(
        req(
            &format!("POST /other HTTP/1.1\r\n{auth}\r\nContent-Length: 0"),
            b""
        )
        .0,
        404
    );
    assert_eq!(
        req(&format!("GET /k8s-audit HTTP/1.1\r\n{auth}"), b"").0,
        405
    );
    let (s, _) = req(
        &format!(
            "POST /k8s-audit HTTP/1.1\r\n{auth}\r\nContent-Type: text/plain\r\nContent-Length: {}",
            small.len()
        ),
        &small,
    );
    assert_eq!(s, 415);
    let (s, _) = req(
        &format!(
            "POST /k8s-audit HTTP/1.1\r\n{auth}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}",
            small.len()
        ),
        &small,
    );
    assert_eq!(s, 200);
    // Too large: declared, and streamed (chunked, no length).
    let (s, text) = post(addr, &client, Some(TOKEN), &big);
    assert_eq!(s, 413, "{text}");
    let mut chunked = Vec::new();
    for piece in big.chunks(8 << 10) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (s, text) = req(
        &format!(
            "POST /k8s-audit HTTP/1.1\r\n{auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
        ),
        &chunked,
    );
    assert_eq!(s, 413, "{text}");
    // Malformed: not JSON, not an audit event, empty, truncated.
    for body in [
        &b"not json at all"[..],
        br#"{"kind":"Pod","apiVersion":"v1"}"#,
        b"",
        b"   \n",
        &small[..small.len() / 2],
        br#"{"kind":"EventList","items":"nope"}"#,
        b"\xff\xfe\x00garbage",
    ] {
        let (s, text) = post(addr, &client, Some(TOKEN), body);
        assert_eq!(s, 400, "{:?}: {text}", String::from_utf8_lossy(body));
        assert!(text.contains("\"error\""), "{text}");
    }
    // A batch with malformed items: 200, the good ones kept, the bad ones reported.
    let mixed = br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","stageTimestamp":"2020-01-01T00:00:01Z"},
        {"kind":"Pod"},
        42,
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"b","stage":"ResponseComplete","verb":"list","stageTimestamp":"2020-01-01T00:00:02Z"}]}"#;
    let (s, text) = post(addr, &client, Some(TOKEN), mixed);
    assert_eq!(s, 200, "{text}");
    assert!(
        text.contains("\"accepted\":2") && text.contains("\"malformed\":2"),
        "{text}"
    );
    assert!(text.contains("item 1"), "{text}");
    // Still serving after all that.
    assert_eq!(post(addr, &client, Some(TOKEN), &small).0, 200);

    let (events, errors) = drain(&rx);
    assert_eq!((events, errors), (3 + 3 + 2 + 3, 2));
    let st = server.shutdown();
    let r = st.rejected;
    assert_eq!(r.unauthorized, 4);
    assert_eq!(
        (r.not_found, r.method_not_allowed, r.unsupported_media_type),
        (1, 1, 1)
    );
    assert_eq!((r.too_large, r.malformed), (2, 7));
    assert_eq!(st.bodies_accepted, 4);
    // Five 400 bodies with one error each, two bad items in the mixed batch.
    assert_eq!(st.events_malformed, 5 + 2);
    assert_eq!(st.requests, st.bodies_accepted + r.total());
}

#[test]
fn client_certificates() {
    let pki = Pki::new();
    let (tx, rx) = sync_channel(64);
    let mut config = pki.config().with_client_ca(pki.path("ca.pem"));
    config.bearer_token = None;
    let server = webhook::spawn(config, tx).unwrap();
    let addr = server.local_addr();
    let body = std::fs::read(corpus().join("eventlist-3-events.json")).unwrap();
    assert_eq!(post(addr, &pki.client(Some("client")), None, &body).0, 200);
    assert_eq!(post(addr, &pki.client(None), None, &body).0, 403);
    let stranger = pki.client(Some("stranger"));
    let head = format!("POST /k8s-audit HTTP/1.1\r\nContent-Length: {}", body.len());
    assert!(exchange(addr, Some(stranger), &head, &body).is_err());
    // Plain HTTP on a TLS port: a handshake failure, not a crash.
    let _ = exchange(addr, None, &head, &body);
    assert_eq!(post(addr, &pki.client(Some("client")), None, &body).0, 200);
    assert_eq!(drain(&rx).0, 6);
    let st = server.shutdown();
    assert_eq!(st.rejected.forbidden, 1);
    assert!(st.tls_failures >= 2, "{st:?}");

    // Both a token and a client certificate: both are required.
    let (tx, _rx) = sync_channel(64);
    let server = webhook::spawn(pki.config().with_client_ca(pki.path("ca.pem")), tx).unwrap();
    let addr = server.local_addr();
    assert_eq!(post(addr, &pki.client(Some("client")), None, &body).0, 401);
    assert_eq!(post(addr, &pki.client(None), Some(TOKEN), &body).0, 403);
    assert_eq!(
        post(addr, &pki.client(Some("client")), Some(TOKEN), &body).0,
        200
    );
}

#[test]
fn full_channel_drops_and_answers_503() {
    let pki = Pki::new();
    let (tx, rx) = sync_channel(1);
    let mut config = pki.config();
    config.batch_size = 1;
    config.enqueue_timeout = Duration::from_millis(50);
    let server = webhook::spawn(config, tx).unwrap();
    let addr = server.local_addr();
    let client = pki.client(None);
    let body = std::fs::read(corpus().join("eventlist-3-events.json")).unwrap();
    let (s, text) = post(addr, &client, Some(TOKEN), &body);
    assert_eq!(s, 503, "{text}");
    assert!(text.contains("\"dropped\":2"), "{text}");
    let st = server.stats();
    assert_eq!((st.events_accepted, st.events_dropped), (1, 2));
    assert_eq!(st.rejected.overloaded, 1);
    // Once the core catches up, requests go through again.
    assert_eq!(rx.recv().unwrap().events.len(), 1);
    let reader = std::thread::spawn(move || drain(&rx).0);
    assert_eq!(post(addr, &client, Some(TOKEN), &body).0, 200);
    drop(server);
    assert_eq!(reader.join().unwrap(), 3);

    // The core is gone: 503, nothing panics.
    let (tx, rx) = sync_channel(4);
    drop(rx);
    let server = webhook::spawn(pki.config(), tx).unwrap();
    assert_eq!(
        post(server.local_addr(), &client, Some(TOKEN), &body).0,
        503
    );
    assert_eq!(server.shutdown().events_dropped, 3);
}

#[test]
fn plain_http_slow_clients_and_bind_errors() {
    let (tx, rx) = sync_channel(16);
    let mut config = WebhookConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    config.header_read_timeout = Duration::from_millis(300);
    config.body_timeout = Duration::from_millis(300);
    let server = webhook::spawn(config.clone(), tx.clone()).unwrap();
    let addr = server.local_addr();
    let body = std::fs::read(corpus().join("eventlist-3-events.json")).unwrap();
    let head = format!("POST /k8s-audit HTTP/1.1\r\nContent-Length: {}", body.len());
    assert_eq!(exchange(addr, None, &head, &body).unwrap().0, 200);
    assert_eq!(drain(&rx).0, 3);

    // Headers that never finish: the connection is closed.
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    slow.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut buf = [0u8; 512];
    let t = std::time::Instant::now();
    let n = slow.read(&mut buf).unwrap_or(0);
    assert!(t.elapsed() < Duration::from_secs(4));
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(n == 0 || text.contains(" 408 "), "{text}");
    // A body that never finishes: 408.
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    slow.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .unwrap();
    let n = slow.read(&mut buf).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");

    // The port is taken: an error from spawn, not a panic.
    config.addr = addr;
    match webhook::spawn(config, tx) {
        Err(WebhookError::Io { context, .. }) => assert!(context.contains("bind"), "{context}"),
        other => panic!("{other:?}"),
    }
    let st = server.shutdown();
    assert_eq!(st.rejected.timeout, 1);
}
