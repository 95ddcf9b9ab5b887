//! A gateway in front of a sandbox: a reverse proxy on 127.0.0.1:0 that forwards every
//! request and, for the requests a rule picks, answers `504 <html>Gateway Timeout</html>`
//! in place of the sandbox's answer, the way a load balancer does when the service was slow.

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};

use super::local_server::{Request, read_request, write_answer};

/// What the gateway does with a picked request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    /// Forward it (the sandbox acts), then answer 504 instead of the sandbox's answer.
    ForwardThenTimeOut,
    /// Answer 504 without forwarding it (the sandbox never hears of it).
    TimeOut,
}

/// Which requests the gateway picks, by method and path (without the query).
pub type Rule = dyn Fn(&str, &str) -> bool + Send + Sync;

/// A running gateway.
pub struct Gateway {
    /// `http://127.0.0.1:PORT`, to use in place of the sandbox's base URL.
    pub base_url: String,
    picked: Arc<AtomicUsize>,
}

impl Gateway {
    /// How many requests the rule picked so far.
    pub fn picked(&self) -> usize {
        self.picked.load(Ordering::SeqCst)
    }
}

/// The rule for creates of every provider: a POST to a path ending in `/api-keys`.
pub fn creates(method: &str, path: &str) -> bool {
    method == "POST" && path.ends_with("/api-keys")
}

/// The rule for Strait rotations: a POST to `…/rotate`.
pub fn rotations(method: &str, path: &str) -> bool {
    method == "POST" && path.ends_with("/rotate")
}

/// Starts a gateway forwarding to `upstream` (a base URL without a path).
pub async fn gateway(
    upstream: &str,
    rule: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    picked: Picked,
) -> Gateway {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let rule: Arc<Rule> = Arc::new(rule);
    let upstream = upstream.trim_end_matches('/').to_owned();
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (rule, client, upstream, counter) = (
                Arc::clone(&rule),
                client.clone(),
                upstream.clone(),
                Arc::clone(&counter),
            );
            tokio::spawn(async move {
                serve(socket, rule.as_ref(), &client, &upstream, &counter, picked).await;
            });
        }
    });
    Gateway {
        base_url,
        picked: count,
    }
}

/// One request on `socket`: read, forward as the rule says, answer, close.
async fn serve(
    mut socket: TcpStream,
    rule: &Rule,
    client: &reqwest::Client,
    upstream: &str,
    counter: &AtomicUsize,
    picked: Picked,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let path = request.target.split('?').next().unwrap_or_default();
    let is_picked = rule(&request.method, path);
    if is_picked {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    let forwarded = if is_picked && picked == Picked::TimeOut {
        None
    } else {
        Some(forward(client, upstream, &request).await)
    };
    let (status, headers, body) = match forwarded {
        Some(answer) if !is_picked => answer,
        _ => (
            504,
            vec![("content-type".to_owned(), "text/html".to_owned())],
            b"<html>Gateway Timeout</html>".to_vec(),
        ),
    };
    write_answer(&mut socket, status, &headers, &body).await;
}

/// The sandbox's answer to `request`: status, the headers worth passing on, body.
async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    request: &Request,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut outgoing = client.request(method, format!("{upstream}{}", request.target));
    for (name, value) in request.headers() {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            outgoing = outgoing.header(name.as_str(), value.as_str());
        }
    }
    let response = outgoing.body(request.body.clone()).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "content-length" | "connection" | "transfer-encoding"
            )
        })
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let body = response.bytes().await.unwrap().to_vec();
    (status, headers, body)
}
