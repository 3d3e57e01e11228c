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
        Server::start_on(dir, &db, args)
    }

    /// Serves the database at `db` (in `dir`, kept as long as the server).
    fn start_on(dir: tempfile::TempDir, db: &str, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_samskab"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
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

/// Sends one JSON POST on a fresh connection; the status and body, or None when the
/// server is gone.
fn post_json(addr: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(15))).ok()?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    Some((status, answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_string()))
}

// Input collection under load: the server is killed (SIGKILL) while participants submit
// through their personal links, and every submission it acknowledged with a 201 is in
// the database afterwards.
#[test]
fn every_acknowledged_input_survives_a_killed_server() {
    let dir = tempfile::tempdir().expect("dir");
    let db_path = dir.path().join("kick-off.db").display().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (tokens, process) = runtime.block_on(async {
        use app::involvement::{model, store};
        let db = app::platform::db::Db::open(&db_path).await.expect("open");
        let m = app::platform::site::store::ensure(&db, "Kommune").await.expect("municipality");
        let new = model::NewProcess {
            title: "Kick-off".into(),
            description: String::new(),
            template: model::Template::Proposals,
            scope: model::Scope::Organisation,
            units: Vec::new(),
            keep_unit_role: false,
        };
        let roles = [app::platform::permissions::Role::Administrator];
        let admin =
            app::platform::accounts::store::create_account(&db, m.id, "hr", "HR", "kodeord-til-hr", None, &roles)
                .await
                .expect("account");
        let entry = app::platform::audit::AuditEntry::system("process.created", "test");
        let id = store::create(&db, m.id, &new, admin, entry).await.expect("process");
        let mut process = store::get(&db, m.id, id).await.expect("q").expect("process");
        process.active_step = Some("collect".into());
        store::update(&db, m.id, &process, app::platform::audit::AuditEntry::system("process.updated", "test"))
            .await
            .expect("open it");
        let mut tokens = Vec::new();
        for _ in 0..40 {
            tokens.push(
                app::platform::participants::issue_link(&db, m.id, app::involvement::object(id), None)
                    .await
                    .expect("link"),
            );
        }
        db.close().await;
        (tokens, id)
    });
    let mut server = Server::start_on(dir, &db_path, &[]);
    let addr = server.addr.clone();
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(t, token)| {
            let (addr, acknowledged) = (addr.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for i in 0..50 {
                    let body = format!("{{\"text\":\"Forslag {i} fra deltager {t}\"}}");
                    match post_json(&addr, &format!("/api/v1/participate/{token}/inputs"), &body) {
                        Some((201, answer)) => {
                            let v: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
                            acknowledged.lock().expect("lock").push(v["id"].as_str().expect("id").to_string());
                        }
                        Some((429, _)) => {}
                        Some((status, answer)) => panic!("{status}: {answer}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill the server in the middle of the load.
    let start = Instant::now();
    while acknowledged.lock().expect("lock").len() < 300 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("wait");
    for t in threads {
        t.join().expect("client thread");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 300, "the load ran: {}", acknowledged.len());
    assert!(acknowledged.len() < 2_000, "the server was killed in the middle of the load");
    let stored = runtime.block_on(async {
        let db = app::platform::db::Db::open(&db_path).await.expect("open after the kill");
        let all = app::involvement::store::visible_texts(&db, process).await.expect("inputs");
        db.close().await;
        all.into_iter().map(|(id, _)| id.to_string()).collect::<std::collections::HashSet<_>>()
    });
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged inputs lost", lost.len(), acknowledged.len());
    drop(server);
}
