//! The HTTP policy every provider shares: timeouts and an overall deadline, which calls may be
//! retried, backoff with jitter, `Retry-After`, no redirects, capped answers, request ids,
//! credential values scrubbed from every message, and turning error answers into [`Error`]s.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use rand::Rng;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::IgnoredAny;
use serde_json::Value;
use tokio::time::Instant;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::model::ProviderKind;

/// The most a key-list answer may hold: 32 MiB is well over 100,000 keys of any provider.
const LIST_ANSWER_LIMIT: usize = 32 * 1024 * 1024;
/// The most any other answer may hold: one key or one error is a few KiB.
const ANSWER_LIMIT: usize = 1024 * 1024;
/// Timed-out tries per call: a server that let one request time out is retried once, not
/// ten times (each try would wait the whole request timeout).
const MAX_TIMED_OUT_ATTEMPTS: u32 = 2;
/// The fiskaly tokens handed out lately that are still scrubbed (four sign-ins' worth).
const ISSUED_SECRETS_KEPT: usize = 8;

/// Timeouts and retry limits of a connection. The defaults suit the app; tests shorten them.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// How long to wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// How long one request may take in total.
    pub request_timeout: Duration,
    /// How long one user operation may take in all, every request, page and retry included:
    /// a list, a revoke, a delete, a status change. A create or rotate gets twice this (its
    /// request, then the check for a key whose answer was lost), so a silent server ends
    /// every operation within 2 × this; the app shows the wait against it.
    pub operation_deadline: Duration,
    /// Tries per idempotent call (including the first).
    pub max_attempts: u32,
    /// First backoff step; doubles per retry.
    pub backoff_base: Duration,
    /// Longest single backoff.
    pub backoff_max: Duration,
    /// Longest `Retry-After` we wait for on our own; a longer one is reported to the user.
    pub max_retry_after: Duration,
    /// How many fiskaly pages are fetched at once.
    pub page_concurrency: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            // Well under a minute: a support engineer revoking a leaked key must hear back.
            operation_deadline: Duration::from_secs(45),
            // With a 30 % failure rate, ten tries leave a 6-in-a-million chance of giving up.
            max_attempts: 10,
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
            page_concurrency: 16,
        }
    }
}

/// Whether a call may be sent again when its answer does not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// list, retrieve, revoke, delete, status change: repeat freely.
    Idempotent,
    /// create, rotate: repeat only when the request provably never left (connect error).
    Once,
    /// A create carrying an idempotency key: repeat with the same key.
    SameIdempotencyKey,
}

/// What a request carries.
#[derive(Debug, Clone)]
pub(crate) enum RequestBody {
    /// A JSON value holding nothing secret.
    Json(Value),
    /// JSON text carrying credentials (fiskaly's `/auth`), zeroized when dropped, also in
    /// the copy handed to the HTTP client.
    Credentials(Zeroizing<Vec<u8>>),
}

/// One request, rebuilt for every attempt.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<RequestBody>,
    /// The answer is a key list, which may be larger than other answers.
    pub list_answer: bool,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            list_answer: false,
        }
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(RequestBody::Json(body));
        self
    }

    /// A JSON body that carries credentials, serialized by the caller into a zeroizing buffer.
    pub fn credentials_json(mut self, body: Zeroizing<Vec<u8>>) -> Self {
        self.body = Some(RequestBody::Credentials(body));
        self
    }

    /// Marks a request whose answer is a key list (allowed 32 MiB instead of 1 MiB).
    pub fn list_answer(mut self) -> Self {
        self.list_answer = true;
        self
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub request_id: Option<String>,
    /// The body as sent: JSON, or empty. Lists are decoded from these bytes directly; they
    /// are zeroized when the reply is dropped, since a create's or sign-in's answer holds
    /// secrets.
    pub bytes: Zeroizing<Vec<u8>>,
}

impl Reply {
    /// The body as a `Value`, for the small answers; `Null` when empty.
    pub fn body(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

/// Why a call failed, with what a create needs to know: could the action have happened?
#[derive(Debug)]
pub(crate) enum Failure {
    /// The provider answered with an error.
    Answered(Error),
    /// The provider answered with an error after an earlier attempt's answer was lost, so
    /// that attempt may already have done the work (a second revoke finds it revoked).
    AnsweredAfterLoss(Error),
    /// The request may have reached the provider, but its answer did not reach us (or was
    /// cut off: too large, unreadable, too late).
    Lost(Error),
    /// The request never left (no connection).
    NotSent(Error),
}

impl Failure {
    fn map_error(self, change: impl FnOnce(Error) -> Error) -> Self {
        match self {
            Failure::Answered(error) => Failure::Answered(change(error)),
            Failure::AnsweredAfterLoss(error) => Failure::AnsweredAfterLoss(change(error)),
            Failure::Lost(error) => Failure::Lost(change(error)),
            Failure::NotSent(error) => Failure::NotSent(change(error)),
        }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Answered(error)
            | Failure::AnsweredAfterLoss(error)
            | Failure::Lost(error)
            | Failure::NotSent(error) => error,
        }
    }
}

/// Every credential value of one connection: no message made from an answer may carry one.
#[derive(Debug, Default)]
struct Secrets {
    /// The connection's own credentials (token; fiskaly key and secret).
    credentials: Vec<SecretString>,
    /// Tokens the provider handed out since (fiskaly access and refresh tokens), newest last.
    issued: Mutex<VecDeque<SecretString>>,
}

/// A provider's HTTP endpoint with the shared policy.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
    provider: ProviderKind,
    options: HttpOptions,
    secrets: Secrets,
}

impl Http {
    /// An endpoint at `base` whose messages never carry any of `credentials`.
    pub fn new(
        provider: ProviderKind,
        base: &url::Url,
        options: HttpOptions,
        credentials: Vec<SecretString>,
    ) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // A redirect could carry the token or a sign-in body to another origin, or
            // downgrade to http; an answer from elsewhere is never this connection's.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("keydesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| Error::internal("Could not set up the HTTP client."))?;
        Ok(Http {
            client,
            base: base.as_str().trim_end_matches('/').to_owned(),
            provider,
            options,
            secrets: Secrets {
                credentials,
                issued: Mutex::new(VecDeque::new()),
            },
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Adds a token the provider handed out to the values scrubbed from messages.
    pub fn remember_secret(&self, secret: &SecretString) {
        if let Ok(mut issued) = self.secrets.issued.lock() {
            issued.push_back(secret.clone());
            while issued.len() > ISSUED_SECRETS_KEPT {
                issued.pop_front();
            }
        }
    }

    /// `text` without any credential value of this connection or `token`.
    fn scrub(&self, text: &str, token: Option<&SecretString>) -> String {
        let mut clean = text.to_owned();
        let issued = self.secrets.issued.lock().ok();
        let issued = issued.iter().flat_map(|issued| issued.iter());
        for secret in self.secrets.credentials.iter().chain(issued).chain(token) {
            clean = scrub(&clean, secret.expose_secret());
        }
        clean
    }

    /// Sends `request`, retrying as `retry` allows within the operation deadline, and
    /// decodes the answer. No error it returns carries a credential value.
    pub async fn send(
        &self,
        request: &Request,
        token: Option<&SecretString>,
        retry: Retry,
    ) -> Result<Reply, Failure> {
        self.send_within(request, token, retry)
            .await
            .map_err(|failure| {
                failure.map_error(|error| error.map_text(|text| self.scrub(text, token)))
            })
    }

    async fn send_within(
        &self,
        request: &Request,
        token: Option<&SecretString>,
        retry: Retry,
    ) -> Result<Reply, Failure> {
        let started = Instant::now();
        let deadline = started + self.options.operation_deadline;
        let mut attempt = 1;
        let mut timed_out = 0;
        let mut lost_before = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let result = self
                .attempt(request, token, left.min(self.options.request_timeout))
                .await;
            let may_retry = attempt < self.options.max_attempts;
            // A wait that would end past the deadline is not started: the last error is
            // reported instead.
            let in_time = |wait: Duration| Instant::now() + wait < deadline;
            match result {
                Ok(response) => {
                    let status = response.status();
                    if status.is_redirection() {
                        let error = self.redirected(&response, token);
                        return Err(if lost_before {
                            Failure::AnsweredAfterLoss(error)
                        } else {
                            Failure::Answered(error)
                        });
                    }
                    let retryable_status =
                        matches!(status.as_u16(), 429 | 502 | 503 | 504) && retry != Retry::Once;
                    if retryable_status && may_retry {
                        let wait = retry_after(response.headers());
                        if wait.is_none_or(|wait| wait <= self.options.max_retry_after) {
                            let wait = wait.unwrap_or_else(|| self.backoff(attempt));
                            if in_time(wait) {
                                tokio::time::sleep(wait).await;
                                attempt += 1;
                                continue;
                            }
                        }
                    }
                    return match self.finish(response, request, token, started).await {
                        Err(Failure::Answered(error)) if lost_before => {
                            Err(Failure::AnsweredAfterLoss(error))
                        }
                        other => other,
                    };
                }
                Err(error) => {
                    let never_sent = error.is_connect();
                    if error.is_timeout() {
                        timed_out += 1;
                    }
                    let repeat = match retry {
                        Retry::Idempotent | Retry::SameIdempotencyKey => true,
                        Retry::Once => never_sent,
                    };
                    let wait = self.backoff(attempt);
                    if repeat && may_retry && timed_out < MAX_TIMED_OUT_ATTEMPTS && in_time(wait) {
                        lost_before |= !never_sent;
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    let message = self.transport_message(&error, started.elapsed());
                    let error = Error::Network { message };
                    return Err(if never_sent && !lost_before {
                        Failure::NotSent(error)
                    } else {
                        Failure::Lost(error)
                    });
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: &Request,
        token: Option<&SecretString>,
        timeout: Duration,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let url = format!("{}{}", self.base, request.path);
        let mut builder = self
            .client
            .request(request.method.clone(), url)
            .timeout(timeout);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(token) = token {
            let header = Zeroizing::new(format!("Bearer {}", token.expose_secret()));
            if let Ok(mut value) = HeaderValue::from_str(&header) {
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
        }
        match &request.body {
            Some(RequestBody::Json(body)) => builder = builder.json(body),
            Some(RequestBody::Credentials(body)) => {
                // The client sends from (and drops) a buffer of ours, which zeroizes itself.
                let body = Bytes::from_owner(body.clone());
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    .body(reqwest::Body::from(body));
            }
            None => {}
        }
        builder.send().await
    }

    async fn finish(
        &self,
        mut response: reqwest::Response,
        request: &Request,
        token: Option<&SecretString>,
        started: Instant,
    ) -> Result<Reply, Failure> {
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = request_id(&headers).map(|id| self.scrub(&id, token));
        let request_id = request_id.map(|id| id.chars().take(200).collect::<String>());
        if let Some(id) = &request_id {
            crate::request_ids::saw(id);
        }
        let limit = if request.list_answer {
            LIST_ANSWER_LIMIT
        } else {
            ANSWER_LIMIT
        };
        // Cut off answers count as lost: a create may have happened.
        let too_large = || Failure::Lost(self.too_large(limit, request_id.clone()));
        let declared = response.content_length();
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(too_large());
        }
        let expected = declared.map_or(0, |length| length as usize);
        let mut bytes = Zeroizing::new(Vec::with_capacity(expected));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    append(&mut bytes, &chunk, limit);
                }
                Ok(None) => break,
                Err(error) => {
                    return Err(Failure::Lost(Error::Network {
                        message: self.transport_message(&error, started.elapsed()),
                    }));
                }
            }
        }
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        if status.is_success() {
            // A success we cannot read is as good as lost: a create may have happened. The
            // check builds nothing; callers decode what they need from the bytes.
            if !empty && serde_json::from_slice::<IgnoredAny>(&bytes).is_err() {
                return Err(Failure::Lost(Error::server(
                    format!(
                        "{} sent an answer that is not JSON (status {}).",
                        self.provider.display_name(),
                        status.as_u16()
                    ),
                    request_id,
                )));
            }
            return Ok(Reply { request_id, bytes });
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Err(Failure::Answered(error_from_answer(
            self.provider,
            status,
            &headers,
            &body,
            request_id,
            &|text| self.scrub(text, token),
        )))
    }

    /// The error for a redirect, which is never followed: it names where it pointed (the
    /// host, not the whole URL with its query) so the user can fix the base URL.
    fn redirected(&self, response: &reqwest::Response, token: Option<&SecretString>) -> Error {
        let code = response.status().as_u16();
        let name = self.provider.display_name();
        let target = response
            .headers()
            .get(LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(|location| response.url().join(location).ok())
            .and_then(|url| {
                let host = url.host_str()?.chars().take(100).collect::<String>();
                Some(match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            });
        let message = match target {
            Some(host) => format!(
                "{name} answered {code}, a redirect to {host}; Keydesk follows no redirects, so check the base URL."
            ),
            None => format!(
                "{name} answered {code}, a redirect; Keydesk follows no redirects, so check the base URL."
            ),
        };
        let request_id = request_id(response.headers())
            .map(|id| self.scrub(&id, token).chars().take(200).collect());
        Error::Api {
            kind: ErrorKind::Server,
            status: Some(code),
            message,
            request_id,
            field: None,
            retry_after: None,
        }
    }

    fn too_large(&self, limit: usize, request_id: Option<String>) -> Error {
        Error::server(
            format!(
                "{} sent more than {} MiB; Keydesk stops reading there.",
                self.provider.display_name(),
                limit / (1024 * 1024)
            ),
            request_id,
        )
    }

    /// Exponential backoff with jitter: half the step fixed, half random, so a crowd of
    /// clients spreads out without any one waiting needlessly long.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .options
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.options.backoff_max);
        let half = step / 2;
        let jitter_ms = half.as_millis().min(u128::from(u32::MAX)) as u64;
        half + Duration::from_millis(rand::rng().random_range(0..=jitter_ms))
    }

    fn transport_message(&self, error: &reqwest::Error, waited: Duration) -> String {
        let name = self.provider.display_name();
        if error.is_connect() {
            format!("Could not connect to {name}; check the base URL and the network.")
        } else if error.is_timeout() {
            format!("{name} did not answer within {}.", in_words(waited))
        } else {
            format!("The connection to {name} broke before its answer arrived.")
        }
    }
}

/// A wait as the user reads it: whole seconds, or milliseconds under a second.
pub(crate) fn in_words(wait: Duration) -> String {
    if wait >= Duration::from_secs(1) {
        format!("{} s", wait.as_secs())
    } else {
        format!("{} ms", wait.as_millis())
    }
}

/// Appends `chunk`, moving to a larger buffer by hand so that no grown-out-of allocation is
/// freed without being zeroized (`Vec`'s own growth would leave the old copy behind).
fn append(buffer: &mut Zeroizing<Vec<u8>>, chunk: &[u8], limit: usize) {
    let needed = buffer.len() + chunk.len();
    if needed > buffer.capacity() {
        let capacity = needed.max(buffer.capacity().saturating_mul(2)).min(limit);
        let mut grown = Zeroizing::new(Vec::with_capacity(capacity.max(needed)));
        grown.extend_from_slice(buffer);
        *buffer = grown;
    }
    buffer.extend_from_slice(chunk);
}

/// The request id a provider reported, from the usual headers, whole (it is scrubbed, then
/// cut to 200 characters).
fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "request-id",
        "x-correlation-id",
        "x-trace-id",
    ]
    .iter()
    .find_map(|name| headers.get(*name))
    .and_then(|value| value.to_str().ok())
    .map(str::to_owned)
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = text.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Builds the error for an answered failure from the status and whatever error body shape
/// the provider uses (Oligon `{error:{code,message,details}}`, problem+json, `{detail}`,
/// `{message}`, SyncgramPay's `{success:false,error}`). Every text taken from the answer goes
/// through `scrub` before it is cut to length, so no cut can leave part of a secret behind.
pub(crate) fn error_from_answer(
    provider: ProviderKind,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Value,
    request_id: Option<String>,
    scrub: &dyn Fn(&str) -> String,
) -> Error {
    let kind = match status.as_u16() {
        400 | 422 => ErrorKind::Validation,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        _ => ErrorKind::Server,
    };
    let (server_message, field) = describe(body);
    let cut = |text: &str, length: usize| scrub(text).chars().take(length).collect::<String>();
    let server_message = server_message.map(|text| cut(text, 300));
    let field = field.map(|field| cut(field, 100));
    let request_id = request_id.or_else(|| text_at(body, &["request_id"]).map(|id| cut(id, 200)));
    let name = provider.display_name();
    let code = status.as_u16();
    let message = match server_message {
        Some(text) => format!("{name} answered {code}: {}", sentence(&text)),
        None => match kind {
            ErrorKind::Unauthorized => format!("{name} rejected the credentials ({code})."),
            ErrorKind::Forbidden => {
                format!("{name} does not allow this with these credentials ({code}).")
            }
            ErrorKind::NotFound => format!("{name} has no such key ({code})."),
            ErrorKind::RateLimited => format!("{name} asks us to slow down ({code})."),
            _ => format!("{name} answered {code}."),
        },
    };
    let retry_after = if kind == ErrorKind::RateLimited {
        retry_after(headers)
    } else {
        None
    };
    Error::Api {
        kind,
        status: Some(code),
        message,
        request_id,
        field,
        retry_after,
    }
}

/// The server's message and the field it blames, from any of the shapes we know.
fn describe(body: &Value) -> (Option<&str>, Option<&str>) {
    let error = body.get("error");
    let message = error
        .and_then(|error| text_at(error, &["message"]).or_else(|| text_at(error, &["detail"])))
        .or_else(|| text_at(body, &["detail"]))
        .or_else(|| text_at(body, &["message"]))
        .or_else(|| error.and_then(Value::as_str))
        .or_else(|| text_at(body, &["title"]))
        .or_else(|| {
            body.get("detail")
                .and_then(|detail| detail.get(0))
                .and_then(|first| text_at(first, &["msg"]))
        });
    let field = error
        .and_then(|error| error.get("details"))
        .and_then(field_in)
        .or_else(|| error.and_then(|error| text_at(error, &["field"])))
        .or_else(|| text_at(body, &["field"]))
        .or_else(|| body.get("errors").and_then(field_in))
        .or_else(|| body.get("invalid_params").and_then(field_in))
        .or_else(|| {
            body.get("detail")
                .and_then(|detail| detail.get(0))
                .and_then(|first| first.get("loc"))
                .and_then(Value::as_array)
                .and_then(|loc| loc.last())
                .and_then(Value::as_str)
        });
    (message, field)
}

fn field_in(details: &Value) -> Option<&str> {
    let first = if details.is_array() {
        details.get(0)?
    } else {
        details
    };
    ["field", "name", "param"]
        .iter()
        .find_map(|name| text_at(first, &[name]))
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut current = value;
    for step in path {
        current = current.get(*step)?;
    }
    current.as_str().filter(|text| !text.trim().is_empty())
}

fn sentence(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.ends_with(['.', '!', '?']) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}.")
    }
}

/// A credential value this long or longer is replaced wherever it appears in a message.
const SCRUB_ANYWHERE_LEN: usize = 8;
/// Shorter values, down to this length, are replaced where they stand as a whole word;
/// shorter still are left alone: a value of one to three characters is no secret, and
/// replacing it inside ordinary words would turn every message into garbage.
const SCRUB_WORD_LEN: usize = 4;

/// Removes `secret` from `text`, as sent and as it reads inside a JSON string (a provider
/// echoing our request body back must not leak it either).
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    let length = secret.chars().count();
    if length < SCRUB_WORD_LEN {
        return text.to_owned();
    }
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(secret);
    let mut clean = text.to_owned();
    for form in [secret, escaped] {
        if length >= SCRUB_ANYWHERE_LEN {
            if clean.contains(form) {
                clean = clean.replace(form, REDACTED);
            }
        } else {
            clean = replace_words(&clean, form);
        }
    }
    clean
}

const REDACTED: &str = "[redacted]";

/// `text` with each occurrence of `word` that no letter or digit touches replaced.
fn replace_words(text: &str, word: &str) -> String {
    let touches = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut clean = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(word) {
        let end = at + word.len();
        if at < copied
            || touches(text[..at].chars().next_back())
            || touches(text[end..].chars().next())
        {
            continue;
        }
        clean.push_str(&text[copied..at]);
        clean.push_str(REDACTED);
        copied = end;
    }
    clean.push_str(&text[copied..]);
    clean
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The error for an answer that carries no request id, sent without a token.
    fn answered(
        provider: ProviderKind,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Value,
    ) -> Error {
        error_from_answer(provider, status, headers, body, None, &|text| {
            text.to_owned()
        })
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn oligon_error_body_gives_message_field_and_request_id() {
        let body = json!({"error": {"code": "validation_error", "message": "unknown scope", "details": {"field": "scopes"}}});
        let error = error_from_answer(
            ProviderKind::Oligon,
            StatusCode::UNPROCESSABLE_ENTITY,
            &headers(&[("x-request-id", "req_123")]),
            &body,
            request_id(&headers(&[("x-request-id", "req_123")])),
            &|text| text.to_owned(),
        );
        assert_eq!(error.kind(), ErrorKind::Validation);
        assert_eq!(error.field(), Some("scopes"));
        assert_eq!(error.request_id(), Some("req_123"));
        assert_eq!(
            error.to_string(),
            "Oligon Receipts answered 422: unknown scope."
        );
    }

    #[test]
    fn problem_json_and_status_kinds() {
        let body = json!({"title": "Conflict", "status": 409, "detail": "key already revoked"});
        let error = answered(
            ProviderKind::Strait,
            StatusCode::CONFLICT,
            &HeaderMap::new(),
            &body,
        );
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("key already revoked"));
        let empty = answered(
            ProviderKind::Strait,
            StatusCode::UNAUTHORIZED,
            &HeaderMap::new(),
            &Value::Null,
        );
        assert_eq!(empty.kind(), ErrorKind::Unauthorized);
        assert_eq!(empty.to_string(), "Strait rejected the credentials (401).");
        let bad_gateway = answered(
            ProviderKind::Strait,
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            &Value::Null,
        );
        assert_eq!(bad_gateway.kind(), ErrorKind::Server);
    }

    #[test]
    fn rate_limit_carries_the_wait_in_seconds_or_as_a_date() {
        let error = answered(
            ProviderKind::Syncgram,
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "60")]),
            &json!({"success": false, "error": {"message": "Rate limit exceeded"}}),
        );
        assert_eq!(error.kind(), ErrorKind::RateLimited);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
        assert!(error.to_string().contains("Try again in 60 s"));
        let later = SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        let wait = retry_after(&headers(&[("retry-after", &date)])).unwrap();
        assert!(wait <= Duration::from_secs(120) && wait >= Duration::from_secs(100));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    }

    #[test]
    fn an_echoed_token_is_scrubbed() {
        let token = SecretString::from("eyFAKE.token.value");
        let error = error_from_answer(
            ProviderKind::Oligon,
            StatusCode::UNAUTHORIZED,
            &HeaderMap::new(),
            &json!({"message": "bad token eyFAKE.token.value"}),
            None,
            &|text| scrub(text, token.expose_secret()),
        );
        assert!(!error.to_string().contains("eyFAKE.token.value"));
    }

    #[test]
    fn every_text_of_an_answer_is_scrubbed_before_it_is_cut() {
        let secret = "fake-api-secret-0123456789";
        // The secret straddles the 300-character cut: cutting first would leave its start.
        let message = format!("{}{secret}", "x".repeat(290));
        let body = json!({"error": {"message": message, "details": {"field": secret}}, "request_id": secret});
        let error = error_from_answer(
            ProviderKind::Fiskaly,
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            &body,
            None,
            &|text| scrub(text, secret),
        );
        let shown = format!("{error} {:?} {:?}", error.field(), error.request_id());
        assert!(!shown.contains(&secret[..10]), "{shown}");
        assert_eq!(error.field(), Some("[redacted]"));
    }

    #[test]
    fn short_values_are_scrubbed_as_words_and_tiny_ones_left_alone() {
        assert_eq!(
            scrub("secret s3cr3t, not xs3cr3t", "s3cr3t"),
            "secret [redacted], not xs3cr3t"
        );
        assert_eq!(scrub("a key and a token", "a"), "a key and a token");
        assert_eq!(
            scrub(r#"echo {"api_secret":"ab\"cdefgh"}"#, r#"ab"cdefgh"#),
            r#"echo {"api_secret":"[redacted]"}"#
        );
        assert_eq!(scrub("tokentokentoken", "tokentoken"), "[redacted]token");
    }

    #[test]
    fn fastapi_detail_list_names_the_field() {
        let body = json!({"detail": [{"loc": ["body", "key_name"], "msg": "field required"}]});
        let error = answered(
            ProviderKind::Syncgram,
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            &body,
        );
        assert_eq!(error.field(), Some("key_name"));
        assert!(error.to_string().contains("field required"));
    }
}

#[cfg(test)]
mod policy_tests {
    use std::time::Duration;

    use reqwest::Method;

    use super::*;
    use crate::test_server::{Reply::*, serve};

    fn fast() -> HttpOptions {
        HttpOptions {
            backoff_base: Duration::from_millis(1),
            backoff_max: Duration::from_millis(5),
            ..HttpOptions::default()
        }
    }

    async fn server(
        script: Vec<crate::test_server::Reply>,
    ) -> (
        Http,
        std::sync::Arc<std::sync::Mutex<Vec<crate::test_server::Seen>>>,
    ) {
        let (url, seen) = serve(script).await;
        (
            Http::new(ProviderKind::Oligon, &url, fast(), Vec::new()).unwrap(),
            seen,
        )
    }

    #[tokio::test]
    async fn idempotent_calls_retry_through_gateway_errors_and_lost_answers() {
        let (http, seen) = server(vec![
            Answer(503, &[], "{}"),
            Drop,
            Answer(502, &[], ""),
            Answer(504, &[], ""),
            Answer(200, &[], "[]"),
        ])
        .await;
        let reply = http
            .send(
                &Request::new(Method::GET, "/v1/api-keys"),
                None,
                Retry::Idempotent,
            )
            .await
            .unwrap();
        assert_eq!(reply.body(), serde_json::json!([]));
        assert_eq!(seen.lock().unwrap().len(), 5);
    }

    #[tokio::test]
    async fn a_retry_after_within_the_cap_is_honoured_and_a_longer_one_reported() {
        let (http, seen) = server(vec![
            Answer(429, &[("retry-after", "0")], "{}"),
            Answer(200, &[], "{}"),
        ])
        .await;
        http.send(&Request::new(Method::GET, "/x"), None, Retry::Idempotent)
            .await
            .unwrap();
        assert_eq!(seen.lock().unwrap().len(), 2);

        let (http, seen) = server(vec![Answer(
            429,
            &[("retry-after", "3600")],
            r#"{"message":"slow down"}"#,
        )])
        .await;
        let error: Error = http
            .send(&Request::new(Method::GET, "/x"), None, Retry::Idempotent)
            .await
            .unwrap_err()
            .into();
        assert_eq!(error.kind(), ErrorKind::RateLimited);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn creates_are_never_retried_blindly() {
        let (http, seen) = server(vec![Answer(503, &[], "{}"), Answer(201, &[], "{}")]).await;
        let failure = http
            .send(
                &Request::new(Method::POST, "/v1/api-keys"),
                None,
                Retry::Once,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(failure, Failure::Answered(ref error) if error.kind() == ErrorKind::Server)
        );
        assert_eq!(seen.lock().unwrap().len(), 1);

        let (http, seen) = server(vec![Drop, Answer(201, &[], "{}")]).await;
        let failure = http
            .send(
                &Request::new(Method::POST, "/v1/api-keys"),
                None,
                Retry::Once,
            )
            .await
            .unwrap_err();
        assert!(matches!(failure, Failure::Lost(ref error) if error.kind() == ErrorKind::Network));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn idempotency_keyed_creates_repeat_the_same_body() {
        let (http, seen) = server(vec![
            Drop,
            Answer(503, &[], "{}"),
            Answer(201, &[], r#"{"id":"k"}"#),
        ])
        .await;
        let request =
            Request::new(Method::POST, "/keys").json(serde_json::json!({"idempotency_key": "abc"}));
        http.send(&request, None, Retry::SameIdempotencyKey)
            .await
            .unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert!(
            seen.iter()
                .all(|request| request.body.contains("\"idempotency_key\":\"abc\""))
        );
    }

    #[tokio::test]
    async fn a_second_attempt_finding_the_work_done_is_flagged() {
        let (http, _) = server(vec![Drop, Answer(404, &[], "{}")]).await;
        let failure = http
            .send(&Request::new(Method::DELETE, "/k"), None, Retry::Idempotent)
            .await
            .unwrap_err();
        assert!(
            matches!(failure, Failure::AnsweredAfterLoss(ref error) if error.kind() == ErrorKind::NotFound)
        );
    }

    fn short_deadline() -> HttpOptions {
        HttpOptions {
            request_timeout: Duration::from_millis(200),
            operation_deadline: Duration::from_secs(5),
            ..fast()
        }
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed_and_names_only_the_host() {
        let (elsewhere, reached) = serve(vec![Answer(200, &[], "[]")]).await;
        let port = elsewhere.port().unwrap();
        let (http, _) = server(vec![Redirect(
            307,
            format!("{elsewhere}steal?token=fake-query-value"),
        )])
        .await;
        let body = Zeroizing::new(br#"{"api_key":"k","api_secret":"s"}"#.to_vec());
        let request = Request::new(Method::POST, "/auth").credentials_json(body);
        let failure = http
            .send(&request, None, Retry::Idempotent)
            .await
            .unwrap_err();
        let Failure::Answered(error) = failure else {
            panic!("a redirect is an answer: {failure:?}");
        };
        assert_eq!(error.kind(), ErrorKind::Server);
        assert_eq!(error.status(), Some(307));
        assert_eq!(
            error.to_string(),
            format!(
                "Oligon Receipts answered 307, a redirect to 127.0.0.1:{port}; Keydesk follows no redirects, so check the base URL."
            )
        );
        assert!(reached.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_oversized_answer_is_refused_and_counts_as_lost() {
        // Declared too large: refused before reading.
        let (http, _) = server(vec![Endless(Some(50 * 1024 * 1024))]).await;
        let failure = http
            .send(&Request::new(Method::POST, "/k"), None, Retry::Once)
            .await
            .unwrap_err();
        let Failure::Lost(error) = failure else {
            panic!("a capped answer is lost: {failure:?}");
        };
        assert_eq!(
            error.to_string(),
            "Oligon Receipts sent more than 1 MiB; Keydesk stops reading there."
        );
        // Undeclared: read until the cap, then no further. A list may be larger.
        let (http, _) = server(vec![Endless(None), Endless(None)]).await;
        let error: Error = http
            .send(&Request::new(Method::GET, "/k/1"), None, Retry::Idempotent)
            .await
            .unwrap_err()
            .into();
        assert!(error.to_string().contains("more than 1 MiB"), "{error}");
        let error: Error = http
            .send(
                &Request::new(Method::GET, "/k").list_answer(),
                None,
                Retry::Idempotent,
            )
            .await
            .unwrap_err()
            .into();
        assert!(error.to_string().contains("more than 32 MiB"), "{error}");
    }

    #[tokio::test]
    async fn a_timed_out_request_is_retried_once_only() {
        let (url, seen) = serve(vec![Silent, Silent, Silent]).await;
        let http = Http::new(ProviderKind::Oligon, &url, short_deadline(), Vec::new()).unwrap();
        let failure = http
            .send(&Request::new(Method::GET, "/x"), None, Retry::Idempotent)
            .await
            .unwrap_err();
        let Failure::Lost(error) = failure else {
            panic!("a timeout is a lost answer: {failure:?}");
        };
        assert_eq!(error.kind(), ErrorKind::Network);
        assert!(
            error
                .to_string()
                .starts_with("Oligon Receipts did not answer within"),
            "{error}"
        );
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn no_retry_wait_runs_past_the_deadline() {
        let (url, seen) = serve(vec![
            Answer(503, &[("retry-after", "2")], r#"{"message":"busy"}"#),
            Answer(200, &[], "{}"),
        ])
        .await;
        let options = HttpOptions {
            operation_deadline: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(10),
            ..fast()
        };
        let http = Http::new(ProviderKind::Oligon, &url, options, Vec::new()).unwrap();
        let error: Error = http
            .send(&Request::new(Method::GET, "/x"), None, Retry::Idempotent)
            .await
            .unwrap_err()
            .into();
        assert_eq!(error.to_string(), "Oligon Receipts answered 503: busy.");
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn credentials_and_issued_tokens_are_scrubbed_from_every_error_text() {
        let (url, _) = serve(vec![Answer(
            400,
            &[("x-request-id", "req-fake-api-key-1")],
            r#"{"error":{"message":"got fake-api-key-1 fake-api-secret-1 fake-issued-token","field":"fake-api-secret-1"}}"#,
        )])
        .await;
        let credentials = vec![
            SecretString::from("fake-api-key-1"),
            SecretString::from("fake-api-secret-1"),
        ];
        let http = Http::new(ProviderKind::Fiskaly, &url, fast(), credentials).unwrap();
        http.remember_secret(&SecretString::from("fake-issued-token"));
        let error: Error = http
            .send(&Request::new(Method::POST, "/auth"), None, Retry::Once)
            .await
            .unwrap_err()
            .into();
        let shown = format!("{error} {:?} {:?}", error.request_id(), error.field());
        for secret in ["fake-api-key-1", "fake-api-secret-1", "fake-issued-token"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(error.request_id(), Some("req-[redacted]"));
    }

    #[tokio::test]
    async fn a_credentials_body_is_sent_as_json() {
        let (http, seen) = server(vec![Answer(200, &[], "{}")]).await;
        let body = Zeroizing::new(br#"{"refresh_token":"r1"}"#.to_vec());
        http.send(
            &Request::new(Method::POST, "/auth").credentials_json(body),
            None,
            Retry::Idempotent,
        )
        .await
        .unwrap();
        assert_eq!(seen.lock().unwrap()[0].body, r#"{"refresh_token":"r1"}"#);
    }

    #[tokio::test]
    async fn the_token_is_sent_as_a_bearer_header() {
        let (http, seen) = server(vec![Answer(200, &[], "{}")]).await;
        let token = SecretString::from("fake-token-123");
        http.send(
            &Request::new(Method::GET, "/x").query("a", "b c"),
            Some(&token),
            Retry::Idempotent,
        )
        .await
        .unwrap();
        assert_eq!(seen.lock().unwrap()[0].line, "GET /x?a=b+c HTTP/1.1");
    }
}
