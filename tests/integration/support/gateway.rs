//! A gateway in front of a sandbox: a reverse proxy on 127.0.0.1:0 that forwards every
//! request and, for the requests a rule picks, answers `504 <html>Gateway Timeout</html>`
//! in place of the sandbox's answer, the way a load balancer does when the service was slow
//! (or, with [`Picked::Refuse`], another status). It keeps the bodies of the requests it
//! saw.

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};

use super::local_server::{Request, read_request, write_answer};

/// What the gateway does with a picked request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    /// Forward it (the sandbox acts), then answer 504 instead of the sandbox's answer.
    ForwardThenTimeOut,
    /// Answer 504 without forwarding it (the sandbox never hears of it).
    TimeOut,
    /// Answer this status without forwarding it (the sandbox never hears of it).
    Refuse(u16),
}

/// Which requests the gateway picks, by method and path (without the query).
pub type Rule = dyn Fn(&str, &str) -> bool + Send + Sync;

/// A running gateway.
pub struct Gateway {
    /// `http://127.0.0.1:PORT`, to use in place of the sandbox's base URL.
    pub base_url: String,
    picked: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A request the gateway saw: method, path (without the query) and body.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: String,
}

impl Gateway {
    /// How many requests the rule picked so far.
    pub fn picked(&self) -> usize {
        self.picked.load(Ordering::SeqCst)
    }

    /// Every request it saw, picked or not, in the order they came.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A rule picking what `rule` picks, only its first `times` matches.
pub fn first(
    times: usize,
    rule: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
) -> impl Fn(&str, &str) -> bool + Send + Sync + 'static {
    let matched = AtomicUsize::new(0);
    move |method, path| rule(method, path) && matched.fetch_add(1, Ordering::SeqCst) < times
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
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (rule, client, upstream, counter, log) = (
                Arc::clone(&rule),
                client.clone(),
                upstream.clone(),
                Arc::clone(&counter),
                Arc::clone(&log),
            );
            tokio::spawn(async move {
                let ways = Ways {
                    rule: rule.as_ref(),
                    client: &client,
                    upstream: &upstream,
                };
                serve(socket, ways, &counter, &log, picked).await;
            });
        }
    });
    Gateway {
        base_url,
        picked: count,
        seen,
    }
}

/// Which requests to pick, and where the others go.
struct Ways<'a> {
    rule: &'a Rule,
    client: &'a reqwest::Client,
    upstream: &'a str,
}

/// One request on `socket`: read, log, forward as the rule says, answer, close.
async fn serve(
    mut socket: TcpStream,
    ways: Ways<'_>,
    counter: &AtomicUsize,
    log: &Mutex<Vec<Seen>>,
    picked: Picked,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let path = request.target.split('?').next().unwrap_or_default();
    log.lock().unwrap().push(Seen {
        method: request.method.clone(),
        path: path.to_owned(),
        body: String::from_utf8_lossy(&request.body).into_owned(),
    });
    let is_picked = (ways.rule)(&request.method, path);
    if is_picked {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    let forwarded = if is_picked && picked != Picked::ForwardThenTimeOut {
        None
    } else {
        Some(forward(ways.client, ways.upstream, &request).await)
    };
    let (status, headers, body) = match (forwarded, picked) {
        (Some(answer), _) if !is_picked => answer,
        (_, Picked::Refuse(status)) => (
            status,
            vec![("content-type".to_owned(), "application/json".to_owned())],
            br#"{"error":"internal","message":"refused by the test gateway"}"#.to_vec(),
        ),
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
