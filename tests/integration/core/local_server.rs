//! A small hostile HTTP/1.1 server on 127.0.0.1:0 for the tests that need what the sandbox
//! never does: redirect elsewhere, echo what it was sent, answer late or never. Each request
//! gets its own connection (answers say `connection: close`) and is recorded.

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
                if let Some((socket, request)) = read_request(socket).await {
                    record.lock().unwrap().push(request.clone());
                    let reply = handler(&request);
                    respond(socket, reply).await;
                }
            });
        }
    });
    LocalServer { url, seen }
}

async fn read_request(mut socket: TcpStream) -> Option<(TcpStream, Seen)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
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
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + 4 + length {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default().to_owned();
    let body = String::from_utf8_lossy(&buffer[(head_end + 4).min(buffer.len())..]).into_owned();
    Some((
        socket,
        Seen {
            method,
            target,
            head,
            body,
        },
    ))
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
                let mut answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    answer.push_str(&format!("{name}: {value}\r\n"));
                }
                answer.push_str("\r\n");
                answer.push_str(&body);
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        }
    })
}
