//! A scripted HTTP/1.1 server for unit tests of the retry policy and token refresh: it
//! answers each request with the next canned reply (or drops the connection, never answers,
//! redirects, or sends without end) and records what it was asked.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted answer.
pub(crate) enum Reply {
    /// Status, extra headers and a JSON body.
    Answer(u16, &'static [(&'static str, &'static str)], &'static str),
    /// Read the request, then close the connection without answering.
    Drop,
    /// Read the request and keep the connection open without ever answering.
    Silent,
    /// A redirect with this status to this `Location`.
    Redirect(u16, String),
    /// A 200 whose body never ends: chunked, or under this declared `Content-Length`, sent
    /// until the client stops reading.
    Endless(Option<u64>),
}

/// Writes `head` and then a JSON-looking body of spaces until the peer goes away, chunked
/// unless `head` declares a length.
async fn send_forever(mut socket: tokio::net::TcpStream, head: String, chunked: bool) {
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let block = vec![b' '; 64 * 1024];
    let mut framed = format!("{:x}\r\n", block.len()).into_bytes();
    framed.extend_from_slice(&block);
    framed.extend_from_slice(b"\r\n");
    let piece = if chunked { framed } else { block };
    while socket.write_all(&piece).await.is_ok() {}
}

/// A request the server received: its first line and its body.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub line: String,
    pub body: String,
}

/// Serves `script` in order on 127.0.0.1 and returns the base URL and the requests seen.
pub(crate) async fn serve(script: Vec<Reply>) -> (url::Url, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        for reply in script {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let Ok(read) = socket.read(&mut chunk).await else {
                    return;
                };
                if read == 0 {
                    return;
                }
                buffer.extend_from_slice(&chunk[..read]);
                if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while buffer.len() < head_end + length {
                let Ok(read) = socket.read(&mut chunk).await else {
                    return;
                };
                if read == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            let text = String::from_utf8_lossy(&buffer).into_owned();
            record.lock().unwrap().push(Seen {
                line: text.lines().next().unwrap_or_default().to_owned(),
                body: text[head_end.min(text.len())..].to_owned(),
            });
            match reply {
                Reply::Drop => drop(socket),
                Reply::Silent => {
                    tokio::spawn(async move {
                        // Hold the connection until the client gives up on it.
                        while matches!(socket.read(&mut chunk).await, Ok(read) if read > 0) {}
                    });
                }
                Reply::Redirect(status, location) => {
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
                Reply::Endless(length) => {
                    let framing = match length {
                        Some(length) => format!("content-length: {length}"),
                        None => "transfer-encoding: chunked".to_owned(),
                    };
                    let head = format!(
                        "HTTP/1.1 200 X\r\ncontent-type: application/json\r\n{framing}\r\nconnection: close\r\n\r\n"
                    );
                    tokio::spawn(send_forever(socket, head, length.is_none()));
                }
                Reply::Answer(status, headers, body) => {
                    let mut answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                        body.len()
                    );
                    for (name, value) in headers {
                        answer.push_str(&format!("{name}: {value}\r\n"));
                    }
                    answer.push_str("\r\n");
                    answer.push_str(body);
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
            }
        }
    });
    (format!("http://{address}").parse().unwrap(), seen)
}
