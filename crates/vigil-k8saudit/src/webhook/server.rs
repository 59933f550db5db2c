//! The accept loop, connections and the request handler.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use super::{Rejections, WebhookBatch, WebhookConfig, WebhookError, WebhookStats, ct_eq};
use crate::{AuditError, AuditEvent, ReadOptions, parse_events_with};

/// Bodies larger than this are parsed on the blocking pool, not on a server thread.
const INLINE_PARSE_BYTES: usize = 256 << 10;
/// Malformed items named in a response body.
const MAX_REPORTED_ERRORS: usize = 10;

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    tls_failures: AtomicU64,
    requests: AtomicU64,
    bodies_accepted: AtomicU64,
    events_accepted: AtomicU64,
    events_malformed: AtomicU64,
    events_dropped: AtomicU64,
    batches_sent: AtomicU64,
    unauthorized: AtomicU64,
    forbidden: AtomicU64,
    not_found: AtomicU64,
    method_not_allowed: AtomicU64,
    unsupported_media_type: AtomicU64,
    too_large: AtomicU64,
    timeout: AtomicU64,
    malformed: AtomicU64,
    overloaded: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> WebhookStats {
        let g = |a: &AtomicU64| a.load(Relaxed);
        WebhookStats {
            connections: g(&self.connections),
            tls_failures: g(&self.tls_failures),
            requests: g(&self.requests),
            bodies_accepted: g(&self.bodies_accepted),
            events_accepted: g(&self.events_accepted),
            events_malformed: g(&self.events_malformed),
            events_dropped: g(&self.events_dropped),
            batches_sent: g(&self.batches_sent),
            rejected: Rejections {
                unauthorized: g(&self.unauthorized),
                forbidden: g(&self.forbidden),
                not_found: g(&self.not_found),
                method_not_allowed: g(&self.method_not_allowed),
                unsupported_media_type: g(&self.unsupported_media_type),
                too_large: g(&self.too_large),
                timeout: g(&self.timeout),
                malformed: g(&self.malformed),
                overloaded: g(&self.overloaded),
            },
        }
    }

    fn rejection(&self, status: StatusCode) -> Option<&AtomicU64> {
        Some(match status {
            StatusCode::UNAUTHORIZED => &self.unauthorized,
            StatusCode::FORBIDDEN => &self.forbidden,
            StatusCode::NOT_FOUND => &self.not_found,
            StatusCode::METHOD_NOT_ALLOWED => &self.method_not_allowed,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => &self.unsupported_media_type,
            StatusCode::PAYLOAD_TOO_LARGE => &self.too_large,
            StatusCode::REQUEST_TIMEOUT => &self.timeout,
            StatusCode::BAD_REQUEST => &self.malformed,
            StatusCode::SERVICE_UNAVAILABLE => &self.overloaded,
            _ => return None,
        })
    }
}

/// What every request handler shares.
struct Ctx {
    config: WebhookConfig,
    /// `Bearer <token>` as bytes, when a token is required.
    token: Option<Vec<u8>>,
    sender: SyncSender<WebhookBatch>,
    counters: Arc<Counters>,
}

/// A running webhook server (see [`super::spawn`]). Dropping it shuts the server down.
#[derive(Debug)]
pub struct WebhookHandle {
    local_addr: SocketAddr,
    counters: Arc<Counters>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl WebhookHandle {
    /// The address the server listens on (the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The counters now.
    pub fn stats(&self) -> WebhookStats {
        self.counters.snapshot()
    }

    /// Stop accepting, let requests in flight finish (up to
    /// [`WebhookConfig::shutdown_grace`]), and return the final counters. Batches already
    /// handed over stay in the channel.
    pub fn shutdown(mut self) -> WebhookStats {
        self.stop();
        self.counters.snapshot()
    }

    fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WebhookHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

fn io_err(context: &str, error: std::io::Error) -> WebhookError {
    WebhookError::Io {
        context: context.to_string(),
        error,
    }
}

pub(super) fn start(
    config: WebhookConfig,
    tls: Option<Arc<rustls::ServerConfig>>,
    sender: SyncSender<WebhookBatch>,
) -> Result<WebhookHandle, WebhookError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.threads.max(1))
        .max_blocking_threads(4)
        .thread_name("vigil-webhook")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| io_err("webhook runtime", e))?;
    let addr = config.addr;
    let std_listener =
        std::net::TcpListener::bind(addr).map_err(|e| io_err(&format!("bind {addr}"), e))?;
    let local_addr = std_listener
        .local_addr()
        .map_err(|e| io_err(&format!("bind {addr}"), e))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| io_err(&format!("bind {addr}"), e))?;
    let listener = {
        let _guard = rt.enter();
        TcpListener::from_std(std_listener).map_err(|e| io_err(&format!("bind {addr}"), e))?
    };
    let counters = Arc::new(Counters::default());
    let (shutdown, shutdown_rx) = watch::channel(false);
    let token = config
        .bearer_token
        .as_ref()
        .map(|t| format!("Bearer {t}").into_bytes());
    let grace = config.shutdown_grace;
    let ctx = Arc::new(Ctx {
        config,
        token,
        sender,
        counters: counters.clone(),
    });
    let thread = std::thread::Builder::new()
        .name("vigil-webhook-accept".into())
        .spawn(move || {
            rt.block_on(accept_loop(listener, tls, ctx, shutdown_rx, grace));
            rt.shutdown_timeout(Duration::from_millis(100));
        })
        .map_err(|e| io_err("webhook thread", e))?;
    Ok(WebhookHandle {
        local_addr,
        counters,
        shutdown,
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    ctx: Arc<Ctx>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) {
    let max = ctx.config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let acceptor = tls.map(TlsAcceptor::from);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(ctx.config.header_read_timeout)
        .max_buf_size(1 << 20);
    let http = Arc::new(http);
    loop {
        let permit = tokio::select! {
            _ = shutdown.changed() => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            _ = shutdown.changed() => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(_) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        ctx.counters.connections.fetch_add(1, Relaxed);
        let _ = tcp.set_nodelay(true);
        let ctx = ctx.clone();
        let acceptor = acceptor.clone();
        let http = http.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match acceptor {
                Some(acceptor) => {
                    let hs =
                        tokio::time::timeout(ctx.config.handshake_timeout, acceptor.accept(tcp));
                    match hs.await {
                        Ok(Ok(stream)) => {
                            let has_cert = stream
                                .get_ref()
                                .1
                                .peer_certificates()
                                .is_some_and(|c| !c.is_empty());
                            serve(TokioIo::new(stream), &http, ctx, peer, has_cert, stop).await;
                        }
                        _ => {
                            ctx.counters.tls_failures.fetch_add(1, Relaxed);
                        }
                    }
                }
                None => serve(TokioIo::new(tcp), &http, ctx, peer, false, stop).await,
            }
        });
    }
    drop(listener);
    // Wait for the connections in flight: each holds a permit.
    let _ = tokio::time::timeout(grace, slots.acquire_many(max as u32)).await;
}

async fn serve<I>(
    io: I,
    http: &hyper::server::conn::http1::Builder,
    ctx: Arc<Ctx>,
    peer: SocketAddr,
    has_cert: bool,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(handle(req, &ctx, peer, has_cert).await) }
    });
    let conn = http.serve_connection(io, svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    reply_text(status, body.to_string())
}

fn reply_text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn reject(ctx: &Ctx, status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    if let Some(c) = ctx.counters.rejection(status) {
        c.fetch_add(1, Relaxed);
    }
    let mut r = reply(status, json!({ "error": message }));
    let h = r.headers_mut();
    match status {
        StatusCode::UNAUTHORIZED => {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            h.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        _ => {}
    }
    r
}

fn json_content_type(v: Option<&HeaderValue>) -> bool {
    let Some(v) = v else {
        return true;
    };
    let Ok(s) = v.to_str() else {
        return false;
    };
    let essence = s
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "text/json"
}

async fn handle(
    req: Request<Incoming>,
    ctx: &Ctx,
    peer: SocketAddr,
    has_cert: bool,
) -> Response<Full<Bytes>> {
    let c = &ctx.counters;
    c.requests.fetch_add(1, Relaxed);
    if let Some((status, message)) = refuse_early(ctx, &req, has_cert) {
        // Answered before the body is read: drain it for a while so the client gets the
        // answer instead of a connection reset (as for 413 below).
        tokio::spawn(linger(req.into_body()));
        return reject(ctx, status, &message);
    }
    let limit = ctx.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tokio::spawn(linger(req.into_body()));
        return reject(
            ctx,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("body larger than {limit} bytes"),
        );
    }
    let body = match read_body(req.into_body(), declared, limit, ctx).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let blank = body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&body)
        .iter()
        .all(u8::is_ascii_whitespace);
    let (events, errors) = if body.len() > INLINE_PARSE_BYTES {
        match tokio::task::spawn_blocking(move || parse(&body, limit)).await {
            Ok(r) => r,
            Err(_) => return reject(ctx, StatusCode::SERVICE_UNAVAILABLE, "parser failed"),
        }
    } else {
        parse(&body, limit)
    };
    c.events_malformed.fetch_add(errors.len() as u64, Relaxed);
    let messages: Vec<String> = errors
        .iter()
        .take(MAX_REPORTED_ERRORS)
        .map(ToString::to_string)
        .collect();
    if events.is_empty() && (!errors.is_empty() || blank) {
        if let Some(r) = c.rejection(StatusCode::BAD_REQUEST) {
            r.fetch_add(1, Relaxed);
        }
        let error = messages
            .first()
            .cloned()
            .unwrap_or_else(|| "empty body: not an audit Event or EventList".into());
        return reply(
            StatusCode::BAD_REQUEST,
            json!({ "error": error, "accepted": 0, "malformed": errors.len(), "errors": messages }),
        );
    }
    let accepted = events.len();
    let malformed = errors.len();
    if let Err(dropped) = enqueue(ctx, events, errors, peer).await {
        c.events_dropped.fetch_add(dropped as u64, Relaxed);
        let mut r = reject(
            ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "event queue full: retry later",
        );
        *r.body_mut() = Full::new(Bytes::from(
            json!({ "error": "event queue full: retry later", "dropped": dropped }).to_string(),
        ));
        return r;
    }
    c.bodies_accepted.fetch_add(1, Relaxed);
    if messages.is_empty() {
        // The common answer, without building a JSON value.
        return reply_text(
            StatusCode::OK,
            format!(r#"{{"accepted":{accepted},"malformed":{malformed},"errors":[]}}"#),
        );
    }
    reply(
        StatusCode::OK,
        json!({ "accepted": accepted, "malformed": malformed, "errors": messages }),
    )
}

fn parse(body: &[u8], limit: usize) -> (Vec<AuditEvent>, Vec<AuditError>) {
    let opts = ReadOptions {
        max_line_bytes: limit,
        max_document_bytes: limit,
    };
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for item in parse_events_with(body, opts) {
        match item {
            Ok(e) => events.push(e),
            Err(e) => errors.push(e),
        }
    }
    (events, errors)
}

/// The checks made before reading the body: authentication, path, method, content type.
fn refuse_early(
    ctx: &Ctx,
    req: &Request<Incoming>,
    has_cert: bool,
) -> Option<(StatusCode, String)> {
    if let Some(token) = &ctx.token {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .map_or(&b""[..], HeaderValue::as_bytes);
        // The scheme is case-insensitive.
        let ok = presented.len() > 7
            && presented[..7].eq_ignore_ascii_case(b"bearer ")
            && ct_eq(&presented[7..], &token[7..]);
        if !ok {
            return Some((
                StatusCode::UNAUTHORIZED,
                "missing or invalid bearer token".into(),
            ));
        }
    }
    if ctx.config.client_ca.is_some() && !has_cert {
        return Some((StatusCode::FORBIDDEN, "client certificate required".into()));
    }
    if req.uri().path() != ctx.config.path {
        return Some((StatusCode::NOT_FOUND, "not found".into()));
    }
    if req.method() != Method::POST {
        return Some((
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} method not allowed", req.method()),
        ));
    }
    if !json_content_type(req.headers().get(header::CONTENT_TYPE)) {
        return Some((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be application/json".into(),
        ));
    }
    None
}

/// Most bytes of a rejected body read and discarded after the answer.
const LINGER_BYTES: usize = 16 << 20;
/// Longest time spent discarding a rejected body.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// Read and discard the rest of a rejected body for a while (as nginx's lingering close):
/// closing a connection with unread data makes the kernel reset it, and the client may then
/// lose the answer (413) before reading it.
async fn linger(mut body: Incoming) {
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut seen = 0usize;
    while seen < LINGER_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                seen += frame.data_ref().map_or(0, |d| d.len());
            }
            _ => break,
        }
    }
}

/// Read the body, at most `limit` bytes, within the body timeout.
async fn read_body(
    mut body: Incoming,
    declared: Option<u64>,
    limit: usize,
    ctx: &Ctx,
) -> Result<Vec<u8>, Response<Full<Bytes>>> {
    let cap = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
    let mut buf = Vec::with_capacity(cap);
    let deadline = tokio::time::Instant::now() + ctx.config.body_timeout;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                return Err(reject(
                    ctx,
                    StatusCode::REQUEST_TIMEOUT,
                    "body not received in time",
                ));
            }
            Ok(None) => return Ok(buf),
            Ok(Some(Err(e))) => {
                return Err(reject(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &format!("error reading the body: {e}"),
                ));
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if buf.len().saturating_add(data.len()) > limit {
                        tokio::spawn(linger(body));
                        return Err(reject(
                            ctx,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            &format!("body larger than {limit} bytes"),
                        ));
                    }
                    buf.extend_from_slice(&data);
                }
            }
        }
    }
}

/// Hand the events to the core in batches. `Err(n)`: `n` events could not be handed over
/// (the channel stayed full for the enqueue timeout, or the core is gone).
async fn enqueue(
    ctx: &Ctx,
    events: Vec<AuditEvent>,
    errors: Vec<AuditError>,
    peer: SocketAddr,
) -> Result<(), usize> {
    let c = &ctx.counters;
    let size = ctx.config.batch_size.max(1);
    let deadline = tokio::time::Instant::now() + ctx.config.enqueue_timeout;
    let mut errors = Some(errors);
    let mut rest = events.into_iter().peekable();
    let mut first = true;
    while first || rest.peek().is_some() {
        first = false;
        let chunk: Vec<AuditEvent> = rest.by_ref().take(size).collect();
        let n = chunk.len();
        let mut batch = WebhookBatch {
            events: chunk,
            errors: errors.take().unwrap_or_default(),
            peer,
        };
        if batch.events.is_empty() && batch.errors.is_empty() {
            // An empty EventList: nothing to hand over.
            return Ok(());
        }
        let mut pause = Duration::from_micros(50);
        loop {
            match ctx.sender.try_send(batch) {
                Ok(()) => {
                    c.events_accepted.fetch_add(n as u64, Relaxed);
                    c.batches_sent.fetch_add(1, Relaxed);
                    break;
                }
                Err(TrySendError::Full(b)) if tokio::time::Instant::now() < deadline => {
                    batch = b;
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(_) => return Err(n + rest.count()),
            }
        }
    }
    Ok(())
}
