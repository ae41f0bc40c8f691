//! Running the `urbis` binary from tests: one command, or a server that is killed when dropped.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_urbis");

/// Run `urbis ARGS` on `db`, with `stdin` if given: whether it succeeded, and its output.
pub fn urbis(db: &str, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("URBIS_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

/// The server process; dropping it kills it (SIGKILL) and reaps it.
pub struct Server(pub Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serve `db` on a free port until ready: the server and its base URL. PostgreSQL is served only
/// with an outbox key file (SQLite makes one beside its file); the same database gets the same key
/// on every restart.
pub async fn serve(db: &str) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("URBIS_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if db.starts_with("postgres") {
        let name: String = db.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let key = std::env::temp_dir().join(format!("urbis-test-{}-{name}.outbox-key", std::process::id()));
        if !key.exists() {
            std::fs::write(&key, urbis_store::network::OutboxKeys::new_key_line()).unwrap();
        }
        command.env("URBIS_OUTBOX_KEY_FILE", &key);
    }
    // Wrapped at once so that Drop kills and waits for it on every path.
    let server = Server(command.spawn().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..400 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status() == 200
        {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}
