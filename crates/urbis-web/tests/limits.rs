//! What a slow or idle client may hold, against the real server loop on a socket (issue 9, item 5):
//! the header timeout, the body timeout (a trickled body is cut off with a 408) and the connection
//! limit. The limits do not depend on the database, so these run on SQLite only.

mod common;

use common::TestApp;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use urbis_web::server::Limits;

fn limits(header_ms: u64, body_ms: u64, max_connections: usize) -> Limits {
    Limits {
        header_timeout: Duration::from_millis(header_ms),
        body_timeout: Duration::from_millis(body_ms),
        // Long, so that only the limit under test can close the connection.
        idle_timeout: Duration::from_secs(60),
        max_connections,
    }
}

async fn spawn(limits: Limits) -> TestApp {
    TestApp::spawn_with(urbis_store::Backend::Sqlite, limits).await.unwrap()
}

/// Send `head` and then one byte of `trickle` every 100 ms (a slow-loris client), reading what the
/// server says, until the server closes the connection or `give_up` passes. Returns what was read
/// and when the connection was closed (`None`: still open at `give_up`).
async fn trickle(app: &TestApp, head: &str, give_up: Duration) -> (String, Option<Duration>) {
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    s.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < give_up {
        if s.write_all(b" ").await.is_err() {
            return (String::from_utf8_lossy(&got).into(), Some(started.elapsed()));
        }
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), Some(started.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    (String::from_utf8_lossy(&got).into(), None)
}

/// One HTTP/1.1 response read from `s` (head and `Content-Length` body), as text.
async fn response(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return text;
            }
        }
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection closed before a whole response: {text:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

const GET: &str = "GET /healthz HTTP/1.1\r\nHost: urbis.test\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_request_is_closed_within_the_header_timeout() {
    let app = spawn(limits(500, 5_000, 64)).await;
    // Half a request line, then nothing.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    s.write_all(b"GET /heal").await.unwrap();
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "a stalled request line is closed, got {closed:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "closed within the header timeout: {:?}", started.elapsed());
    // Headers trickled a byte at a time: moving bytes do not extend the header timeout.
    let (_, closed) =
        trickle(&app, "GET /healthz HTTP/1.1\r\nHost: urbis.test\r\nX-Slow: a", Duration::from_secs(5)).await;
    let closed = closed.expect("trickled headers are cut off");
    assert!(closed < Duration::from_secs(2), "within the header timeout: {closed:?}");
    // A whole request is still answered.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(GET.as_bytes()).await.unwrap();
    assert!(response(&mut s).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off_with_408() {
    let app = spawn(limits(5_000, 500, 64)).await;
    let api = "POST /api/v1/auth/token HTTP/1.1\r\nHost: urbis.test\r\nContent-Type: application/json\r\n\
               Content-Length: 400\r\n\r\n{\"email\":";
    let form = "POST /login HTTP/1.1\r\nHost: urbis.test\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 400\r\n\r\nemail=";
    for (what, head) in [("API", api), ("form", form)] {
        let (said, closed) = trickle(&app, head, Duration::from_secs(5)).await;
        assert!(said.starts_with("HTTP/1.1 408"), "{what}: a body that does not arrive in time is a 408, got {said:?}");
        let closed = closed.unwrap_or_else(|| panic!("{what}: the connection is closed after the 408"));
        assert!(closed < Duration::from_secs(3), "{what}: cut off within the body timeout: {closed:?}");
    }
    let problem = "application/problem+json";
    let (said, _) = trickle(&app, api, Duration::from_secs(5)).await;
    assert!(said.contains(problem) && said.contains("request-timeout"), "the API says so as a problem: {said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_limit_new_clients_wait_and_accepted_ones_are_served() {
    let app = spawn(limits(1_000, 5_000, 3)).await;
    // A client with a kept-alive connection (one slot).
    let mut kept = TcpStream::connect(app.addr).await.unwrap();
    kept.write_all(GET.as_bytes()).await.unwrap();
    assert!(response(&mut kept).await.starts_with("HTTP/1.1 200"));
    // Two connections that send nothing take the other two slots.
    let idle = [TcpStream::connect(app.addr).await.unwrap(), TcpStream::connect(app.addr).await.unwrap()];
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A fourth client: the kernel queues it, the server does not accept it yet.
    let started = Instant::now();
    let waiting = tokio::spawn({
        let addr = app.addr;
        async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(GET.as_bytes()).await.unwrap();
            let r = response(&mut s).await;
            (r, started.elapsed())
        }
    });
    // Meanwhile the accepted client is answered at once.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let asked = Instant::now();
    kept.write_all(GET.as_bytes()).await.unwrap();
    assert!(response(&mut kept).await.starts_with("HTTP/1.1 200"));
    assert!(
        asked.elapsed() < Duration::from_millis(500),
        "an accepted client is served at once: {:?}",
        asked.elapsed()
    );
    // The idle connections time out; then the waiting client is served.
    let (r, waited) = tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("served in the end").unwrap();
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(waited >= Duration::from_millis(600), "the client beyond the limit waited for a slot: {waited:?}");
    assert!(waited < Duration::from_secs(4), "and was served once the idle connections timed out: {waited:?}");
    drop(idle);
}
