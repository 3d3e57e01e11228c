//! A real SMTP server on a local port (mailin-embedded), keeping what it receives, for the
//! tests of e-mail delivery. Recipients whose address starts with "refuse" are refused, so
//! a test can see a failed delivery.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server};

/// One message as the server received it.
#[derive(Clone, Debug, Default)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message: headers and encoded body.
    pub data: String,
}

impl ReceivedMail {
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }

    fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        // Unfold continued header lines first.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The subject, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The text body, decoded from its transfer encoding.
    pub fn text(&self) -> String {
        let (_, body) = self.split();
        let encoding = self.header("Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default())
                    .into_owned()
            }
            "quoted-printable" => quoted_printable(body),
            _ => body.to_string(),
        }
        .replace("\r\n", "\n")
        .trim_end()
        .to_string()
    }
}

fn quoted_printable(s: &str) -> String {
    let bytes = s.replace("=\r\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words, joining adjacent ones.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for part in s.split_whitespace() {
        let decoded = part.strip_prefix("=?").and_then(|p| p.strip_suffix("?=")).and_then(|inner| {
            let mut it = inner.splitn(3, '?');
            let (_charset, enc, text) = (it.next()?, it.next()?, it.next()?);
            match enc.to_ascii_lowercase().as_str() {
                "b" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned()),
                "q" => Some(quoted_printable(&text.replace('_', " "))),
                _ => None,
            }
        });
        // Space between two encoded words is folding; any other space is text.
        let folding = previous_encoded && decoded.is_some();
        if !out.is_empty() && !folding {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(part));
    }
    out
}

#[derive(Clone)]
struct Keeper {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    current: ReceivedMail,
}

impl Handler for Keeper {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if to.trim_start_matches('<').starts_with("refuse") { response::NO_MAILBOX } else { response::OK }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = ReceivedMail { from: from.to_string(), to: to.to_vec(), data: String::new() };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = std::mem::take(&mut self.current);
        self.received.lock().expect("mailbox").push(mail);
        response::OK
    }
}

/// The running server. It serves until the test process ends.
pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port for SMTP");
        let addr = listener.local_addr().expect("its address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Keeper { received: received.clone(), current: ReceivedMail::default() });
        server.with_name("smtp.test").with_num_threads(2).with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve().map_err(|e| e.to_string());
        });
        SmtpServer { addr, received }
    }

    /// `smtp://127.0.0.1:PORT`, for the app's mail settings.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("mailbox").clone()
    }

    /// Waits (up to ten seconds) until `n` messages have arrived, and returns them.
    pub fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || start.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
