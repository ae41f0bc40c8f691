//! The HTTP/1.1 server loop: the application behind read timeouts and a connection limit.
//!
//! `axum::serve` takes no settings, so a client could open a connection, send half a request line
//! and hold it (and a task and a file descriptor) for ever. This loop serves each connection with
//! hyper directly and bounds what a client may hold:
//!
//! - **header timeout**: the request line and headers must arrive within it (hyper's
//!   `header_read_timeout`); the connection is closed otherwise. Hyper starts the same timer when a
//!   kept-alive connection waits for its next request, so it also bounds that wait.
//! - **body timeout**: the whole body must arrive within it, counted from the end of the headers
//!   (`RequestBodyDeadlineLayer`, a hard deadline that a slow trickle does not reset). A handler
//!   reading the body then answers 408 and the connection is closed.
//! - **idle timeout**: a connection on which no byte moves in either direction for this long is
//!   closed (gracefully: a response being prepared is still sent).
//! - **connection limit**: at most this many connections are served at once. Beyond it the server
//!   stops accepting: new connections wait in the kernel's accept queue (and are refused by the
//!   kernel when that queue is full) until a served connection ends. Connections already accepted
//!   keep being served meanwhile, and the timeouts above make sure slots come free.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tower::{Service, ServiceExt};
use tower_http::timeout::RequestBodyDeadlineLayer;

/// How long a client may take and how many connections are served at once (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(5),
            max_connections: default_max_connections(),
        }
    }
}

/// Connections served at once by default: 1,024, or fewer when the process may open fewer files
/// (each connection is a file descriptor; 64 are kept for the database, logs and backups).
pub fn default_max_connections() -> usize {
    let open_files = std::fs::read_to_string("/proc/self/limits").ok().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("Max open files"))?;
        line.split_whitespace().nth(3)?.parse::<usize>().ok()
    });
    match open_files {
        Some(n) => n.saturating_sub(64).clamp(16, 1024),
        None => 1024,
    }
}

/// Serve `app` on `listener` within `limits` until `shutdown` completes, then let the connections
/// finish what they are doing and return.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(RequestBodyDeadlineLayer::new(limits.body_timeout));
    let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (close_tx, close_rx) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        // Take a slot before accepting: beyond the limit, connections wait in the accept queue.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = make.call(remote).await.unwrap_or_else(|e| match e {});
        let service = TowerToHyperService::new(service.map_request(|req: Request<Incoming>| req.map(Body::new)));
        let mut close_rx = close_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let last = Arc::new(AtomicU64::new(0));
            let started = Instant::now();
            let io = TokioIo::new(Watched { inner: stream, last: last.clone(), started });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
            let mut conn = pin!(builder.serve_connection(io, service));
            let mut closing = false;
            loop {
                let quiet_since = started + Duration::from_millis(last.load(Ordering::Relaxed));
                tokio::select! {
                    r = conn.as_mut() => {
                        if let Err(e) = r {
                            tracing::debug!(error = %e, %remote, "connection ended");
                        }
                        break;
                    }
                    _ = close_rx.changed(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    _ = tokio::time::sleep_until(quiet_since + limits.idle_timeout), if !closing => {
                        let quiet_since = started + Duration::from_millis(last.load(Ordering::Relaxed));
                        if quiet_since + limits.idle_timeout <= Instant::now() {
                            closing = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = close_tx.send(true);
    // Every connection holds a slot until it ends: wait for all of them.
    let _ = slots.acquire_many(limits.max_connections as u32).await;
    Ok(())
}

/// A TCP stream that notes when a byte last moved, in milliseconds since `started`.
struct Watched {
    inner: TcpStream,
    last: Arc<AtomicU64>,
    started: Instant,
}

impl Watched {
    fn touch(&self) {
        self.last.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
