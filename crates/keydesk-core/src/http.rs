//! The HTTP policy every provider shares: timeouts, which calls may be retried, backoff with
//! jitter, `Retry-After`, request ids, and turning error answers into [`Error`]s.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::model::ProviderKind;

/// Timeouts and retry limits of a connection. The defaults suit the app; tests shorten them.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// How long to wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// How long one request may take in total.
    pub request_timeout: Duration,
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

/// One request, rebuilt for every attempt.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub request_id: Option<String>,
    /// The body as sent: JSON, or empty. Lists are decoded from these bytes directly.
    pub bytes: Vec<u8>,
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
    /// The request may have reached the provider, but its answer did not reach us.
    Lost(Error),
    /// The request never left (no connection).
    NotSent(Error),
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

/// A provider's HTTP endpoint with the shared policy.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
    provider: ProviderKind,
    options: HttpOptions,
}

impl Http {
    pub fn new(
        provider: ProviderKind,
        base: &url::Url,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("keydesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| Error::internal("Could not set up the HTTP client."))?;
        Ok(Http {
            client,
            base: base.as_str().trim_end_matches('/').to_owned(),
            provider,
            options,
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Sends `request`, retrying as `retry` allows, and decodes the answer.
    pub async fn send(
        &self,
        request: &Request,
        token: Option<&SecretString>,
        retry: Retry,
    ) -> Result<Reply, Failure> {
        let mut attempt = 1;
        let mut lost_before = false;
        loop {
            let result = self.attempt(request, token).await;
            let may_retry = attempt < self.options.max_attempts;
            match result {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let retryable_status =
                        matches!(status.as_u16(), 429 | 502 | 503 | 504) && retry != Retry::Once;
                    if retryable_status && may_retry {
                        let wait = retry_after(&headers);
                        if wait.is_none_or(|wait| wait <= self.options.max_retry_after) {
                            tokio::time::sleep(wait.unwrap_or_else(|| self.backoff(attempt))).await;
                            attempt += 1;
                            continue;
                        }
                    }
                    return match self.finish(response, token).await {
                        Err(Failure::Answered(error)) if lost_before => {
                            Err(Failure::AnsweredAfterLoss(error))
                        }
                        other => other,
                    };
                }
                Err(error) => {
                    let never_sent = error.is_connect();
                    let repeat = match retry {
                        Retry::Idempotent | Retry::SameIdempotencyKey => true,
                        Retry::Once => never_sent,
                    };
                    if repeat && may_retry {
                        lost_before |= !never_sent;
                        tokio::time::sleep(self.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    let message = self.transport_message(&error);
                    let error = Error::Network { message };
                    return Err(if never_sent {
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
    ) -> Result<reqwest::Response, reqwest::Error> {
        let url = format!("{}{}", self.base, request.path);
        let mut builder = self.client.request(request.method.clone(), url);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(token) = token
            && let Ok(mut value) =
                HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        {
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        builder.send().await
    }

    async fn finish(
        &self,
        response: reqwest::Response,
        token: Option<&SecretString>,
    ) -> Result<Reply, Failure> {
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = request_id(&headers);
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => {
                return Err(Failure::Lost(Error::Network {
                    message: self.transport_message(&error),
                }));
            }
        };
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
            return Ok(Reply {
                request_id,
                bytes: bytes.into(),
            });
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Err(Failure::Answered(error_from_answer(
            self.provider,
            status,
            &headers,
            &body,
            request_id,
            token,
        )))
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

    fn transport_message(&self, error: &reqwest::Error) -> String {
        let name = self.provider.display_name();
        if error.is_timeout() {
            format!("{name} did not answer in time.")
        } else if error.is_connect() {
            format!("Could not connect to {name}; check the base URL and the network.")
        } else {
            format!("The connection to {name} broke before its answer arrived.")
        }
    }
}

/// The request id a provider reported, from the usual headers.
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
    .map(|value| value.chars().take(200).collect())
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
/// `{message}`, SyncgramPay's `{success:false,error}`).
pub(crate) fn error_from_answer(
    provider: ProviderKind,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Value,
    request_id: Option<String>,
    token: Option<&SecretString>,
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
    let request_id = request_id.or_else(|| text_at(body, &["request_id"]).map(str::to_owned));
    let name = provider.display_name();
    let code = status.as_u16();
    let mut message = match server_message {
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
    if let Some(wait) = retry_after {
        message = format!(
            "{} Try again in {} s.",
            message.trim_end(),
            wait.as_secs().max(1)
        );
    }
    if let Some(token) = token {
        message = scrub(&message, token.expose_secret());
    }
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
fn describe(body: &Value) -> (Option<String>, Option<String>) {
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
        })
        .map(|text| text.chars().take(300).collect::<String>());
    let field = error
        .and_then(|error| error.get("details"))
        .and_then(field_in)
        .or_else(|| error.and_then(|error| text_at(error, &["field"]).map(str::to_owned)))
        .or_else(|| text_at(body, &["field"]).map(str::to_owned))
        .or_else(|| body.get("errors").and_then(field_in))
        .or_else(|| body.get("invalid_params").and_then(field_in))
        .or_else(|| {
            body.get("detail")
                .and_then(|detail| detail.get(0))
                .and_then(|first| first.get("loc"))
                .and_then(Value::as_array)
                .and_then(|loc| loc.last())
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    (message, field)
}

fn field_in(details: &Value) -> Option<String> {
    let first = if details.is_array() {
        details.get(0)?
    } else {
        details
    };
    ["field", "name", "param"]
        .iter()
        .find_map(|name| text_at(first, &[name]))
        .map(str::to_owned)
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

/// Removes `secret` from `text`; a provider echoing our token back must not leak it.
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    if secret.len() >= 8 && text.contains(secret) {
        text.replace(secret, "[redacted]")
    } else {
        text.to_owned()
    }
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
        error_from_answer(provider, status, headers, body, None, None)
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
            None,
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
            Some(&token),
        );
        assert!(!error.to_string().contains("eyFAKE.token.value"));
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
        (Http::new(ProviderKind::Oligon, &url, fast()).unwrap(), seen)
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
