//! The accept loop behind `emulator::serve`: HTTP/1.1 over hyper, one task per connection, with
//! the limits a server reachable by careless or hostile clients needs (README "Connections"):
//!
//! - **Header-read timeout** (`--header-read-timeout`, 10 s): a request's head must be complete
//!   this long after its first byte, and a new connection must send its first request's head
//!   this long after it is accepted (as Go's `ReadHeaderTimeout` and nginx's
//!   `client_header_timeout` do). Slowloris clients are closed.
//! - **Idle timeout** (`--idle-timeout`, 120 s): a kept-alive connection with no request is
//!   closed this long after its last response. Longer than the pools of the usual clients (the
//!   Rust and Go SDKs drop idle connections after 90 s, the Java SDK after 60 s, curl after
//!   118 s), so a pooled client retires a connection before we close it and never sends a
//!   request into our close; clients that keep sockets forever (urllib3, under boto3) see our
//!   FIN before reusing one, and the SDKs retry a reset on reuse anyway. The same timeout closes
//!   a connection whose request or response has made no progress (no byte either way) for as
//!   long.
//! - **Connection limit** (`--max-connections`, default derived from the open-file limit, see
//!   `connection_limit`): past it a connection is accepted and answered at once with
//!   `503 TooManyRequestsException` and `Connection: close` (see `refuse`).
//! - **Shutdown grace** (`--shutdown-grace`, 5 s): when the shutdown future resolves, the
//!   listener is closed, connections with nothing in flight are closed at once, in-flight
//!   requests get up to the grace period to finish, and then whatever is left is dropped.
//! - `TCP_NODELAY` on every accepted socket: responses are written in one go, so Nagle's
//!   algorithm only delays them (by a delayed ACK, 40 ms) and never saves a packet.
//!
//! Why not hyper's own `header_read_timeout`: in hyper 1.12 its timer starts whenever the
//! connection is ready to read a head (`proto/h1/conn.rs`, `poll_read_head`; after a response
//! `State::idle` sets `notify_read` precisely so that the timer starts again), so on a kept-alive
//! connection it counts the idle wait for the next request too: it cannot be 10 s for a slow head
//! and 120 s for an idle connection at once. Hyper has no idle timeout for HTTP/1 at all. So the
//! connection task keeps its own watchdog over `Activity` (bytes read, requests dispatched and
//! answered, writes blocked), updated by a wrapper around the socket and a guard riding on each
//! response body; hyper gets no timer, which keeps its 30 s default header timeout off.
//!
//! These deadlines run on tokio's monotonic timer, not on the emulator's `Clock`: that clock is
//! the time of tokens and codes, and moving it (`POST /_emulator/clock`) must not close sockets.
//!
//! HTTP/2 (h2c) is not offered: `axum::serve` did not offer it either (axum's `http2` feature is
//! off), and the SDKs, boto3 and curl speak HTTP/1.1 to an `http://` endpoint.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::{Body as HttpBody, Bytes, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::Config;

/// Files the process needs besides connections: stdio, the runtime's epoll and wake-up
/// descriptors, the listener, the `--data-dir` database with its WAL, shared-memory and lock
/// files, a seed file being read, and some to spare.
const OWN_FILES: u64 = 64;

/// Refusals past the connection limit being answered at the same time, each holding its socket
/// for at most `REFUSAL_LINGER`; beyond these a new connection is answered and closed without
/// the wait (`refuse_now`).
const REFUSING_AT_ONCE: usize = 64;

/// How long a refused connection is kept to read what the client sends, so that closing it is
/// a FIN after our answer and not a reset that could destroy the answer before it is read.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// The default limit is never above this, however high the open-file limit: 65,536 idle
/// connections take about 0.6 GiB (the review measured 17 MiB for 2,000), and one client address
/// cannot open more than about 28,000 connections to a port anyway (Linux's ephemeral range).
pub const MAX_DEFAULT_CONNECTIONS: usize = 65_536;

/// How long the accept loop waits after `accept` failed for want of descriptors or memory
/// (EMFILE, ENFILE, ENOBUFS, ENOMEM), instead of retrying at once in a busy loop. Connections
/// wait in the listen backlog meanwhile.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The listen backlog: connections the kernel completes before we accept them. std's (and so
/// `TcpListener::bind`'s) 128 overflowed whenever the accept loop fell 128 behind a burst (a
/// test suite opening its clients' connections at once), and each connection dropped then waits
/// for its SYN to be resent, a second later. Linux lowers it to `net.core.somaxconn` (4096).
const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener for `serve` with `LISTEN_BACKLOG` and, like std's `TcpListener::bind`,
/// `SO_REUSEADDR`, so that a restart is not refused while closed connections linger in TIME_WAIT.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The limits `serve` applies, from `Config` (see the module doc for what each means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub shutdown_grace: Duration,
    pub max_connections: usize,
}

impl Limits {
    /// Raises the open-file soft limit to the hard one (see `raise_open_file_limit`) and
    /// derives the connection limit from it.
    pub fn from_config(config: &Config) -> Limits {
        let open_files = raise_open_file_limit();
        let max_connections = connection_limit(config.max_connections, open_files);
        tracing::debug!(
            "accepting up to {max_connections} connections (open-file limit {})",
            open_files.map_or_else(|| "unknown".to_owned(), |n| n.to_string())
        );
        Limits {
            header_read_timeout: config.header_read_timeout,
            idle_timeout: config.idle_timeout,
            shutdown_grace: config.shutdown_grace,
            max_connections,
        }
    }
}

/// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft limit then in force
/// (`None` if it cannot be read). The soft limit is often 1024 while the hard one is far higher;
/// Go's runtime makes the same change at start-up. Idempotent, and only ever raises.
pub fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => Some(soft),
        Err(e) => {
            tracing::warn!("cannot raise the open-file limit: {e}");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft)
        }
    }
}

/// The connection limit for an open-file limit of `open_files`: the configured one, or else
/// `open_files` less `OWN_FILES` and `REFUSING_AT_ONCE` (896 under the common 1024), at most
/// `MAX_DEFAULT_CONNECTIONS`. A configured limit above what the descriptors allow is lowered
/// to it, with a warning: past it `accept` would fail and clients would hang.
pub fn connection_limit(configured: Option<usize>, open_files: Option<u64>) -> usize {
    let headroom = OWN_FILES + REFUSING_AT_ONCE as u64;
    let allowed = open_files.map(|n| {
        let n = n.saturating_sub(headroom).max(n / 2).max(1);
        usize::try_from(n).unwrap_or(usize::MAX)
    });
    match (configured, allowed) {
        (Some(wanted), Some(allowed)) if wanted > allowed => {
            tracing::warn!(
                "--max-connections {wanted} is more than the open-file limit ({}) allows; using {allowed}",
                open_files.unwrap_or_default()
            );
            allowed
        }
        (Some(wanted), _) => wanted.max(1),
        (None, Some(allowed)) => allowed.min(MAX_DEFAULT_CONNECTIONS),
        (None, None) => MAX_DEFAULT_CONNECTIONS,
    }
}

/// Parses a duration flag: `10s`, `500ms`, `2m`, or a bare number of seconds (`1.5`); more
/// than zero and at most a day.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 10s, 500ms or 2m"))?;
    let secs = value * unit;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("`{text}` must be more than zero and at most a day"));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"))
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves, then shuts down as
/// the module doc says. Returns once every connection is closed, `limits.shutdown_grace` after
/// `shutdown` at the latest.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSING_AT_ONCE));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut paused_until: Option<Instant> = None;
    // Each warned about once until the condition clears, so a flood does not flood the log.
    let mut at_limit = false;
    let mut out_of_files = false;

    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(ended) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = ended {
                    if e.is_panic() {
                        tracing::error!("a connection task panicked: {e}");
                    }
                }
            }
            () = tokio::time::sleep_until(paused_until.unwrap_or_else(Instant::now)),
                if paused_until.is_some() => paused_until = None,
            accepted = listener.accept(), if paused_until.is_none() => {
                let (tcp, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) if is_out_of_resources(&e) => {
                        if !out_of_files {
                            tracing::warn!("accept failed: {e}; pausing {ACCEPT_PAUSE:?} between tries");
                            out_of_files = true;
                        }
                        paused_until = Some(Instant::now() + ACCEPT_PAUSE);
                        continue;
                    }
                    // A connection that went away before we took it (ECONNABORTED) and the like:
                    // that connection's problem, not the listener's.
                    Err(e) => {
                        tracing::debug!("accept failed: {e}");
                        continue;
                    }
                };
                out_of_files = false;
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!("TCP_NODELAY on a connection from {peer}: {e}");
                }
                match Arc::clone(&permits).try_acquire_owned() {
                    Ok(permit) => {
                        at_limit = false;
                        let (router, stopping) = (router.clone(), stopping.clone());
                        connections.spawn(async move {
                            connection(tcp, peer, router, limits, stopping).await;
                            drop(permit);
                        });
                    }
                    Err(_) => {
                        if !at_limit {
                            tracing::warn!(
                                "{} connections open, the limit (--max-connections): refusing new ones",
                                limits.max_connections
                            );
                            at_limit = true;
                        }
                        let limit = limits.max_connections;
                        match Arc::clone(&refusals).try_acquire_owned() {
                            Ok(slot) => {
                                tokio::spawn(async move {
                                    refuse(tcp, limit).await;
                                    drop(slot);
                                });
                            }
                            Err(_) => refuse_now(tcp, limit),
                        }
                    }
                }
            }
        }
    }

    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "{} of {open} connections still busy {:?} after shutdown began; closing them",
            connections.len(),
            limits.shutdown_grace
        );
        connections.shutdown().await;
    }
    Ok(())
}

fn is_out_of_resources(e: &io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 on Linux; io::ErrorKind has no names for them.
    #[cfg(target_os = "linux")]
    const CODES: &[i32] = &[24, 23, 105, 12];
    // The BSDs and macOS: EMFILE 24, ENFILE 23, ENOBUFS 55, ENOMEM 12.
    #[cfg(not(target_os = "linux"))]
    const CODES: &[i32] = &[24, 23, 55, 12];
    e.kind() == io::ErrorKind::OutOfMemory || e.raw_os_error().is_some_and(|c| CODES.contains(&c))
}

/// The answer past the connection limit: Cognito's throttling error, with HTTP 503 and
/// `Retry-After` so that curl and browsers understand it too. The SDKs and boto3 retry both a 503
/// and `TooManyRequestsException` with back-off, where a bare close would look like a network
/// failure, after which a client cannot tell whether its request was carried out.
fn refusal(limit: usize) -> Vec<u8> {
    let message = format!(
        "The emulator is serving its limit of {limit} connections (--max-connections); close idle connections or try again later."
    );
    let body =
        serde_json::json!({ "__type": "TooManyRequestsException", "message": message }).to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\n\
         content-type: application/x-amz-json-1.1\r\n\
         x-amzn-errortype: TooManyRequestsException:\r\n\
         x-amzn-errormessage: {message}\r\n\
         retry-after: 1\r\n\
         connection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Answers a connection past the limit without waiting for its request (HTTP/1.1 lets a server
/// answer early), then reads and discards what the client sends until it closes, for at most
/// `REFUSAL_LINGER`.
async fn refuse(mut tcp: TcpStream, limit: usize) {
    let answer = refusal(limit);
    let exchange = async {
        tcp.write_all(&answer).await?;
        tcp.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut read = 0usize;
        while read < 64 * 1024 {
            match tcp.read(&mut sink).await? {
                0 => break,
                n => read += n,
            }
        }
        Ok::<(), io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_LINGER, exchange).await;
}

/// `refuse` without the wait, when `REFUSING_AT_ONCE` refusals are already lingering: the
/// answer goes into the new socket's empty send buffer, what the client has sent so far is read
/// (so that the close is less likely a reset), and the socket is closed, all without blocking.
fn refuse_now(tcp: TcpStream, limit: usize) {
    use std::io::{Read, Write};
    let Ok(mut tcp) = tcp.into_std() else { return };
    if tcp.set_nonblocking(true).is_err() {
        return;
    }
    let _ = tcp.write_all(&refusal(limit));
    let _ = tcp.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match tcp.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// Serves one connection until it ends, its watchdog closes it, or shutdown does.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        tcp,
        activity: Arc::clone(&activity),
    });
    let service_activity = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let answering = Answering::begin(Arc::clone(&service_activity));
        let router = router.clone();
        async move {
            let response = tower::ServiceExt::oneshot(router, request)
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            Ok::<_, Infallible>(response.map(|body| Guarded {
                body,
                _answering: answering,
            }))
        }
    });
    // No timer, so hyper's own header-read timeout stays off (module doc); the rest is hyper's
    // HTTP/1 defaults, as `axum::serve` used them.
    let mut builder = http1::Builder::new();
    builder.header_read_timeout(None);
    let mut conn = std::pin::pin!(builder.serve_connection(io, service));
    let mut shutting_down = false;
    loop {
        let (deadline, _) = activity.deadline(&limits);
        tokio::select! {
            ended = conn.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!("connection from {peer}: {e}");
                }
                return;
            }
            () = tokio::time::sleep_until(deadline) => {
                // The connection may have moved on since the deadline was taken.
                let (deadline, why) = activity.deadline(&limits);
                if deadline <= Instant::now() {
                    tracing::debug!("closing the connection from {peer}: {why}");
                    return;
                }
            }
            _ = stopping.wait_for(|stop| *stop), if !shutting_down => {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
                // Nothing dispatched and nothing left to write: no one loses an answer. (A head
                // still arriving is not a request yet.) Otherwise hyper closes the connection
                // after the response in progress, or `run` drops it after the grace period.
                if activity.is_quiet() {
                    return;
                }
            }
        }
    }
}

/// What a connection's watchdog looks at. Every update happens while the connection task polls
/// its hyper connection (reads and writes, the service call, the end of a response body), so the
/// watchdog, in the same task, sees a consistent picture between polls; atomics only because the
/// socket wrapper and the service hold their own handles.
struct Activity {
    /// When the connection was accepted; times below are milliseconds since then.
    epoch: Instant,
    /// Requests handed to the router and not yet answered in full (0 or 1 with HTTP/1).
    in_flight: AtomicUsize,
    /// The last write would have blocked: hyper holds response bytes the client has not taken.
    write_blocked: AtomicBool,
    /// The last byte read or written.
    last_io: AtomicU64,
    /// When the connection last had nothing to do: accepted, or the last response ended.
    idle_since: AtomicU64,
    /// The first byte of a request head not yet complete, or `NO_HEAD`. A new connection
    /// starts at 0 (its first head is due a header timeout after it is accepted).
    head_started: AtomicU64,
}

const NO_HEAD: u64 = u64::MAX;

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            write_blocked: AtomicBool::new(false),
            last_io: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0
            && self.head_started.load(Ordering::Relaxed) == NO_HEAD
        {
            self.head_started.store(now, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
        self.write_blocked.store(false, Ordering::Relaxed);
    }

    fn dispatched(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_started.store(NO_HEAD, Ordering::Relaxed);
    }

    fn answered(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.idle_since.store(now, Ordering::Relaxed);
        }
    }

    fn is_quiet(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0 && !self.write_blocked.load(Ordering::Relaxed)
    }

    /// When the connection is to be closed if nothing happens before, and why.
    fn deadline(&self, limits: &Limits) -> (Instant, &'static str) {
        let head_started = self.head_started.load(Ordering::Relaxed);
        let (from, after, why) = if !self.is_quiet() {
            (
                self.last_io.load(Ordering::Relaxed),
                limits.idle_timeout,
                "no progress on its request or response for the idle timeout",
            )
        } else if head_started != NO_HEAD {
            (
                head_started,
                limits.header_read_timeout,
                "request head not complete within the header-read timeout",
            )
        } else {
            (
                self.idle_since.load(Ordering::Relaxed),
                limits.idle_timeout,
                "idle for the idle timeout",
            )
        };
        (self.epoch + Duration::from_millis(from) + after, why)
    }
}

/// Held from the moment the router is handed a request until its response body is dropped
/// (written in full, or the connection gone).
struct Answering(Arc<Activity>);

impl Answering {
    fn begin(activity: Arc<Activity>) -> Answering {
        activity.dispatched();
        Answering(activity)
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// A response body that carries its request's `Answering`; otherwise the router's body as is
/// (its size hint too, so `Content-Length` is still sent).
struct Guarded {
    body: Body,
    _answering: Answering,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, noting each read and write in the connection's `Activity`.
struct Watched {
    tcp: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        polled
    }
}

impl Watched {
    fn note_write(&self, polled: &Poll<io::Result<usize>>) {
        match polled {
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.wrote(),
            Poll::Pending => self.activity.write_blocked.store(true, Ordering::Relaxed),
            _ => {}
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.tcp).poll_write(cx, buf);
        this.note_write(&polled);
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        this.note_write(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_limit_leaves_room_below_the_open_file_limit() {
        // 1024 less OWN_FILES (64) and REFUSING_AT_ONCE (64).
        assert_eq!(connection_limit(None, Some(1024)), 896);
        assert_eq!(
            connection_limit(None, Some(1 << 20)),
            MAX_DEFAULT_CONNECTIONS
        );
        assert_eq!(connection_limit(None, None), MAX_DEFAULT_CONNECTIONS);
        // A tiny limit still leaves half for connections.
        assert_eq!(connection_limit(None, Some(100)), 50);
    }

    #[test]
    fn a_configured_limit_is_kept_unless_the_descriptors_cannot_carry_it() {
        assert_eq!(connection_limit(Some(10), Some(1024)), 10);
        assert_eq!(connection_limit(Some(5000), Some(1024)), 896);
        assert_eq!(connection_limit(Some(200_000), None), 200_000);
        assert_eq!(connection_limit(Some(200_000), Some(1 << 20)), 200_000);
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        for bad in [
            "0", "0s", "-1s", "", "s", "ten", "2d", "NaN", "inf", "86401",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_refusal_is_one_complete_http_response() {
        let text = String::from_utf8(refusal(3)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains("\r\nconnection: close"));
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, body.len());
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["__type"], "TooManyRequestsException");
    }
}
