//! The server itself, over raw TCP: a client that sends no request is dropped after the
//! header-read timeout, and connections over the cap wait until one closes.

use std::time::Duration;

use keydesk_sandbox::SandboxConfig;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::sandbox::start_with;

/// Longest a test waits for something that must happen, so a regression fails instead of
/// hanging; passing runs never come near it.
const GUARD: Duration = Duration::from_secs(30);

/// Read until the server closes the connection (EOF or reset); what it sent before.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// Read one response head (up to the blank line); the connection stays open.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut byte = [0u8; 1];
    while !received.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "closed mid-head");
        received.push(byte[0]);
    }
    String::from_utf8(received).unwrap()
}

/// A request for a path no API has (404, empty body); `close` asks for the connection's end.
fn request(close: bool) -> String {
    let connection = if close { "close" } else { "keep-alive" };
    format!("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n\r\n")
}

#[tokio::test]
async fn a_client_that_sends_no_request_is_dropped_after_the_header_read_timeout() {
    let sandbox = start_with(SandboxConfig {
        header_read_timeout: Duration::from_millis(200),
        ..SandboxConfig::default()
    })
    .await;
    let address = sandbox.handle.address();
    // Silent from the start, and stalled half-way through its headers (slowloris).
    let mut silent = TcpStream::connect(address).await.unwrap();
    let mut stalled = TcpStream::connect(address).await.unwrap();
    stalled
        .write_all(b"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    for stream in [&mut silent, &mut stalled] {
        let received = tokio::time::timeout(GUARD, read_until_closed(stream))
            .await
            .expect("the server kept a connection that sent no request open");
        let text = String::from_utf8_lossy(&received);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "only a timeout answer, if any: {text}"
        );
    }
    // A client that sends its request in time is served as before.
    let mut prompt = TcpStream::connect(address).await.unwrap();
    prompt.write_all(request(true).as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(GUARD, read_until_closed(&mut prompt))
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 404"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn a_connection_over_the_cap_waits_until_one_closes() {
    let sandbox = start_with(SandboxConfig {
        max_connections: 1,
        // The clock that ends the first connection: idle keep-alive counts as reading headers.
        header_read_timeout: Duration::from_millis(500),
        ..SandboxConfig::default()
    })
    .await;
    let address = sandbox.handle.address();
    // The first connection is served (so it holds the only place), then stays idle.
    let mut first = TcpStream::connect(address).await.unwrap();
    first.write_all(request(false).as_bytes()).await.unwrap();
    let head = read_head(&mut first).await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    // The second one sends its request at once; it is answered only after the first closes.
    let mut second = TcpStream::connect(address).await.unwrap();
    second.write_all(request(true).as_bytes()).await.unwrap();
    let mut first_closed = std::pin::pin!(read_until_closed(&mut first));
    let mut second_answered = std::pin::pin!(read_until_closed(&mut second));
    let order = tokio::time::timeout(GUARD, async {
        tokio::select! {
            biased;
            _ = &mut first_closed => "first closed",
            _ = &mut second_answered => "second answered",
        }
    })
    .await
    .unwrap();
    assert_eq!(
        order, "first closed",
        "the second connection was served alongside the first"
    );
    let answer = tokio::time::timeout(GUARD, second_answered).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}
