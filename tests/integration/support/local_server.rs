//! A small hostile HTTP/1.1 server on 127.0.0.1:0 for the tests that need what the sandbox
//! never does: redirect elsewhere, echo what it was sent, answer late or never. Each request
//! gets its own connection (answers say `connection: close`) and is recorded. The gateway
//! reads and answers its requests with the same [`read_request`] and [`write_answer`].

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`…
    pub method: String,
    /// The path with its query.
    pub target: String,
    /// The header lines as sent.
    pub head: String,
    /// The body as text.
    pub body: String,
}

/// What the server does with one request.
pub enum Reply {
    /// Answer with this status, extra headers and body.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Answer after a wait: a server that is slow but not silent.
    Late(Duration, Box<Reply>),
    /// Keep the connection open and never answer.
    Silent,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Reply::Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Reply::Answer {
            status,
            headers: vec![("location".to_owned(), location.into())],
            body: String::new(),
        }
    }
}

/// A running server: its base URL and the requests it has seen.
pub struct LocalServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl LocalServer {
    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// `host:port`, as an error naming this server shows it.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// Serves every request with `handler` until the test ends.
pub async fn serve(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> LocalServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let handler: Arc<Handler> = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let mut socket = socket;
                if let Some(request) = read_request(&mut socket).await {
                    let seen = request.seen();
                    record.lock().unwrap().push(seen.clone());
                    let reply = handler(&seen);
                    respond(socket, reply).await;
                }
            });
        }
    });
    LocalServer { url, seen }
}

/// A request as read off its socket, its body as sent.
pub struct Request {
    /// `GET`, `POST`…
    pub method: String,
    /// The path with its query.
    pub target: String,
    /// The request line and header lines as sent.
    pub head: String,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The header lines as (lower-case name, trimmed value).
    pub fn headers(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
    }

    fn seen(&self) -> Seen {
        Seen {
            method: self.method.clone(),
            target: self.target.clone(),
            head: self.head.clone(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        }
    }
}

/// Reads one request (head and `content-length` body) off `socket`; `None` when the peer
/// closed before a whole head arrived.
pub async fn read_request(socket: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default().to_owned();
    let mut request = Request {
        method,
        target,
        head,
        body: buffer.split_off(head_end + 4),
    };
    let length = request
        .headers()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    while request.body.len() < length {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        request.body.extend_from_slice(&chunk[..read]);
    }
    Some(request)
}

/// Answers on `socket` with `status`, `headers` and `body`, then closes it.
pub async fn write_answer(
    socket: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) {
    let mut answer = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(body);
    let _ = socket.write_all(&answer).await;
    let _ = socket.shutdown().await;
}

/// A server answering every request with `status` and the JSON `body`, for answers no
/// sandbox gives (a 70,000-character name); returns its base URL.
pub async fn canned(status: u16, body: String) -> String {
    serve(move |_| Reply::json(status, body.clone())).await.url
}

fn respond(mut socket: TcpStream, reply: Reply) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        match reply {
            Reply::Silent => {
                // Hold the connection until the client gives up on it.
                let mut chunk = [0u8; 1024];
                while matches!(socket.read(&mut chunk).await, Ok(read) if read > 0) {}
            }
            Reply::Late(wait, reply) => {
                tokio::time::sleep(wait).await;
                respond(socket, *reply).await;
            }
            Reply::Answer {
                status,
                headers,
                body,
            } => {
                let mut headers = headers;
                headers.insert(
                    0,
                    ("content-type".to_owned(), "application/json".to_owned()),
                );
                write_answer(&mut socket, status, &headers, body.as_bytes()).await;
            }
        }
    })
}
