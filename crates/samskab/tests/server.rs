//! The server's connection limits against a real listening server: a client that sends its
//! headers slowly, or keeps a connection open doing nothing, is cut off after the header
//! timeout, and no more than --max-connections are served at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `samskab serve` on a fresh database and a free port; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("server.db").display().to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_samskab"))
            .args(["serve", "--db", &db, "--listen", "127.0.0.1:0"])
            .args(args)
            .env("LANG", "en_GB.UTF-8")
            .env("SAMSKAB_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start samskab serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("the server prints its address").expect("a line");
            if let Some(rest) = line.strip_prefix("Samskab: http://") {
                break rest.split('/').next().expect("host:port").to_string();
            }
        };
        // Keep reading what it prints so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr, _dir: dir }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the server closes the connection; returns how long that took.
fn closed_after(mut s: TcpStream, start: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return start.elapsed(),
            Ok(_) => {}
        }
    }
}

fn get_healthz(s: &mut TcpStream) -> String {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).expect("read");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn slow_headers_and_idle_connections_are_closed() {
    let server = Server::start(&["--header-timeout", "2"]);
    // Headers that never finish.
    let mut slow = server.connect();
    let start = Instant::now();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").expect("write");
    let took = closed_after(slow, start);
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(8), "slow headers closed after {took:?}");
    // A connection that never says anything.
    let silent = server.connect();
    let took = closed_after(silent, Instant::now());
    assert!(took < Duration::from_secs(8), "a silent connection closed after {took:?}");
    // A kept-alive connection after a request, then idle.
    let mut idle = server.connect();
    assert!(get_healthz(&mut idle).starts_with("HTTP/1.1 200"));
    let took = closed_after(idle, Instant::now());
    assert!(took < Duration::from_secs(8), "an idle kept-alive connection closed after {took:?}");
}

#[test]
fn no_more_than_max_connections_are_served_at_once() {
    let server = Server::start(&["--header-timeout", "3", "--max-connections", "2"]);
    let _hold: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // The third waits in the queue until a held connection is closed by its timeout.
    let mut third = server.connect();
    let start = Instant::now();
    let answer = get_healthz(&mut third);
    let waited = start.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(waited >= Duration::from_secs(2), "served at once ({waited:?}) though two connections were open");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
}
