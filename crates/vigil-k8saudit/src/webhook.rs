//! The audit webhook server: what the API server's webhook backend
//! (`--audit-webhook-config-file`) posts to, Falco's `k8saudit` plugin endpoint
//! (`POST /k8s-audit`, port [`DEFAULT_PORT`]).
//!
//! [`spawn`] binds the address, loads the TLS material and runs the server on its own
//! threads (a small tokio runtime: async stays at this edge). Every accepted body is parsed
//! ([`crate::parse_events_with`]: `EventList`s, single `Event`s, JSON lines, arrays) and its
//! events are handed to the synchronous core through a **bounded**
//! [`std::sync::mpsc::SyncSender`] in [`WebhookBatch`]es of at most
//! [`WebhookConfig::batch_size`] events. When the channel stays full for
//! [`WebhookConfig::enqueue_timeout`] the rest of the body is dropped, counted
//! ([`WebhookStats::events_dropped`]) and the request answered 503, so the API server's
//! webhook backend retries it.
//!
//! Status codes, in the order the checks run:
//!
//! | code | when |
//! |---|---|
//! | 401 | a bearer token is configured and the `Authorization: Bearer` header is missing or wrong (constant-time comparison) |
//! | 403 | a client CA is configured and the TLS client sent no certificate (a certificate the CA did not sign fails the TLS handshake: no HTTP status at all) |
//! | 404 | another path than [`WebhookConfig::path`] |
//! | 405 | another method than `POST` (with `Allow: POST`) |
//! | 415 | a `Content-Type` that does not name JSON (no `Content-Type` at all is accepted) |
//! | 413 | a `Content-Length` over [`WebhookConfig::max_body_bytes`], or a streamed body that exceeds it (nothing past the limit is kept; the rest is read and discarded for up to 2 s, so the client reads its 413 instead of a reset) |
//! | 408 | the body did not arrive within [`WebhookConfig::body_timeout`] |
//! | 400 | an empty body, not JSON, or JSON that is not an audit `Event` / `EventList` (no event in it could be read) |
//! | 503 | the core did not take the events in time (see above) |
//! | 200 | at least one event read, or an empty `EventList`; malformed items of the batch are counted ([`WebhookStats::events_malformed`]), reported in the response and in [`WebhookBatch::errors`], and the rest of the batch is kept |
//!
//! Every response body is a small JSON object (`{"accepted":N,"malformed":M,"errors":[..]}`
//! or `{"error":"..."}`). Headers must arrive within [`WebhookConfig::header_read_timeout`]
//! (slowloris), TLS handshakes within [`WebhookConfig::handshake_timeout`], and at most
//! [`WebhookConfig::max_connections`] connections are served at once.
//!
//! Differences from Falco's plugin: Falco answers 400 for a wrong content type (vigil 415)
//! and for an over-long body (vigil 413), and 200 for bodies it cannot parse (it parses
//! after answering; vigil parses first and answers 400); Falco has no authentication.

mod server;
mod tls;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use crate::{AuditError, AuditEvent};

pub use server::WebhookHandle;

/// Falco's default webhook port.
pub const DEFAULT_PORT: u16 = 9765;
/// Falco's webhook path.
pub const DEFAULT_PATH: &str = "/k8s-audit";
/// Default [`WebhookConfig::max_body_bytes`]: Falco's `webhookMaxBatchSize` (12 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = crate::DEFAULT_MAX_DOCUMENT_BYTES;
/// Default [`WebhookConfig::batch_size`].
pub const DEFAULT_BATCH_SIZE: usize = 512;

/// The certificate chain and private key of the server (PEM files; both may be the same
/// file, as Falco's `sslCertificate` is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// How to run the webhook server. Start from [`WebhookConfig::new`] (or `default()`:
/// `0.0.0.0:9765`, plain HTTP, no authentication) and set what differs.
#[derive(Clone)]
pub struct WebhookConfig {
    /// Address to listen on (port 0: any free port; see [`WebhookHandle::local_addr`]).
    pub addr: SocketAddr,
    /// The one path served ([`DEFAULT_PATH`]).
    pub path: String,
    /// Serve HTTPS with this certificate and key; `None`: plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Require a client certificate signed by one of the CA certificates of this PEM file
    /// (needs [`WebhookConfig::tls`]).
    pub client_ca: Option<PathBuf>,
    /// Require `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
    /// Largest accepted body ([`DEFAULT_MAX_BODY_BYTES`]); also the largest event.
    pub max_body_bytes: usize,
    /// Most events per [`WebhookBatch`] ([`DEFAULT_BATCH_SIZE`]; at least 1).
    pub batch_size: usize,
    /// How long a request waits for room in the channel before its events are dropped
    /// and it is answered 503 (default 1 s).
    pub enqueue_timeout: Duration,
    /// Time allowed for a request's headers, also the idle time of a kept-alive
    /// connection (default 10 s).
    pub header_read_timeout: Duration,
    /// Time allowed for a request's body (default 30 s).
    pub body_timeout: Duration,
    /// Time allowed for a TLS handshake (default 10 s).
    pub handshake_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog (default 1024).
    pub max_connections: usize,
    /// Server threads (default 2).
    pub threads: usize,
    /// How long [`WebhookHandle::shutdown`] waits for requests in flight (default 5 s,
    /// as Falco).
    pub shutdown_grace: Duration,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("addr", &self.addr)
            .field("path", &self.path)
            .field("tls", &self.tls)
            .field("client_ca", &self.client_ca)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("batch_size", &self.batch_size)
            .field("enqueue_timeout", &self.enqueue_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_connections", &self.max_connections)
            .field("threads", &self.threads)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish()
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig::new(SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))
    }
}

impl WebhookConfig {
    /// Defaults (plain HTTP, no authentication) on this address.
    pub fn new(addr: SocketAddr) -> WebhookConfig {
        WebhookConfig {
            addr,
            path: DEFAULT_PATH.to_string(),
            tls: None,
            client_ca: None,
            bearer_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            batch_size: DEFAULT_BATCH_SIZE,
            enqueue_timeout: Duration::from_secs(1),
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
            threads: 2,
            shutdown_grace: Duration::from_secs(5),
        }
    }

    /// Serve HTTPS with this certificate chain and key (PEM).
    pub fn with_tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls = Some(TlsFiles {
            cert: cert.into(),
            key: key.into(),
        });
        self
    }

    /// Require this bearer token.
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Require client certificates signed by a CA of this PEM file.
    pub fn with_client_ca(mut self, ca: impl Into<PathBuf>) -> Self {
        self.client_ca = Some(ca.into());
        self
    }
}

/// Events of one request body (or of one part of it, for bodies over
/// [`WebhookConfig::batch_size`] events), as handed to the core.
///
/// Events are numbered within their body (`evt.num` from 1); a consumer that merges bodies
/// renumbers them ([`AuditEvent::set_num`]).
#[derive(Debug)]
pub struct WebhookBatch {
    /// The events read, in body order.
    pub events: Vec<AuditEvent>,
    /// The malformed items of the body (only in its first batch), with their place in it.
    pub errors: Vec<AuditError>,
    /// Who sent the body.
    pub peer: SocketAddr,
}

/// Requests rejected, by reason (status code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rejections {
    /// 401: missing or wrong bearer token.
    pub unauthorized: u64,
    /// 403: no client certificate.
    pub forbidden: u64,
    /// 404: wrong path.
    pub not_found: u64,
    /// 405: not `POST`.
    pub method_not_allowed: u64,
    /// 415: not JSON.
    pub unsupported_media_type: u64,
    /// 413: body over the limit.
    pub too_large: u64,
    /// 408: body too slow.
    pub timeout: u64,
    /// 400: body unreadable, empty, not JSON, or no audit event in it.
    pub malformed: u64,
    /// 503: the core did not take the events in time.
    pub overloaded: u64,
}

impl Rejections {
    /// All rejected requests.
    pub fn total(&self) -> u64 {
        self.unauthorized
            + self.forbidden
            + self.not_found
            + self.method_not_allowed
            + self.unsupported_media_type
            + self.too_large
            + self.timeout
            + self.malformed
            + self.overloaded
    }
}

/// Counters of a running server (a snapshot: see [`WebhookHandle::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// TLS handshakes that failed or timed out (bad or missing client certificate, not
    /// TLS, …).
    pub tls_failures: u64,
    /// HTTP requests received.
    pub requests: u64,
    /// Requests answered 200.
    pub bodies_accepted: u64,
    /// Events handed to the core.
    pub events_accepted: u64,
    /// Malformed items in accepted and rejected bodies.
    pub events_malformed: u64,
    /// Events read but not handed to the core (channel full or closed).
    pub events_dropped: u64,
    /// Batches handed to the core.
    pub batches_sent: u64,
    /// Rejected requests by reason.
    pub rejected: Rejections,
}

/// Why the server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// Binding the address or starting the runtime failed.
    Io {
        /// What was being done.
        context: String,
        /// The error.
        error: std::io::Error,
    },
    /// The certificate, key or client CA could not be read or used.
    Tls {
        /// The file (or setting) at fault.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// An invalid setting.
    Config(String),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Io { context, error } => write!(f, "{context}: {error}"),
            WebhookError::Tls { context, message } => write!(f, "{context}: {message}"),
            WebhookError::Config(m) => write!(f, "invalid webhook configuration: {m}"),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Start the webhook server: bind `config.addr`, load the TLS material, and serve on
/// background threads until [`WebhookHandle::shutdown`] (or the handle is dropped).
/// Parsed events go to `sender` (bounded: create it with
/// [`std::sync::mpsc::sync_channel`]).
///
/// Errors (address in use, unreadable certificate or key, invalid settings) are returned
/// here, before anything is served.
pub fn spawn(
    config: WebhookConfig,
    sender: SyncSender<WebhookBatch>,
) -> Result<WebhookHandle, WebhookError> {
    if config.batch_size == 0 {
        return Err(WebhookError::Config("batch_size must be at least 1".into()));
    }
    if config.max_body_bytes == 0 {
        return Err(WebhookError::Config(
            "max_body_bytes must be at least 1".into(),
        ));
    }
    if config.client_ca.is_some() && config.tls.is_none() {
        return Err(WebhookError::Config(
            "a client CA needs TLS (a certificate and key)".into(),
        ));
    }
    if config.bearer_token.as_deref() == Some("") {
        return Err(WebhookError::Config("the bearer token is empty".into()));
    }
    if !config.path.starts_with('/') {
        return Err(WebhookError::Config(format!(
            "the path {:?} does not start with '/'",
            config.path
        )));
    }
    let tls = match &config.tls {
        Some(files) => Some(Arc::new(tls::server_config(
            files,
            config.client_ca.as_deref(),
        )?)),
        None => None,
    };
    server::start(config, tls, sender)
}

/// Compare a presented secret with the expected one in time that depends only on the
/// expected one's length.
fn ct_eq(presented: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(presented.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        let p = presented.get(i).copied().unwrap_or(!*e);
        diff |= std::hint::black_box(p ^ e);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"secret", b"secret"));
        assert!(!ct_eq(b"secreT", b"secret"));
        assert!(!ct_eq(b"secret!", b"secret"));
        assert!(!ct_eq(b"secre", b"secret"));
        assert!(!ct_eq(b"", b"secret"));
        assert!(ct_eq(b"", b""));
    }

    #[test]
    fn invalid_configs() {
        let (tx, _rx) = std::sync::mpsc::sync_channel(1);
        let base = WebhookConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
        let mut c = base.clone();
        c.batch_size = 0;
        assert!(matches!(spawn(c, tx.clone()), Err(WebhookError::Config(_))));
        let c = base.clone().with_client_ca("/nonexistent");
        assert!(matches!(spawn(c, tx.clone()), Err(WebhookError::Config(_))));
        let c = base.clone().with_bearer_token("");
        assert!(matches!(spawn(c, tx.clone()), Err(WebhookError::Config(_))));
        let c = base.with_tls("/nonexistent/cert.pem", "/nonexistent/key.pem");
        let e = spawn(c, tx)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/cert.pem"), "{e}");
        let dbg = format!(
            "{:?}",
            WebhookConfig::default().with_bearer_token("hunter2")
        );
        assert!(!dbg.contains("hunter2") && dbg.contains("9765"), "{dbg}");
    }
}
