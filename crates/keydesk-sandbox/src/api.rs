//! What the four APIs share: failures rendered in each API's error shape, body and query
//! parsing, bearer tokens, client addresses.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::config::{Dialect, Variant};
use crate::failure::Failure;
use crate::secrets::{self, Claims};
use crate::state::SandboxState;
use crate::time::now_ms;

/// Largest request body any endpoint accepts.
pub(crate) const BODY_LIMIT_BYTES: usize = 64 * 1024;

impl Failure {
    /// The response in `dialect`'s error shape.
    pub(crate) fn render(self, dialect: Dialect, variant: Variant) -> Response {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let mut status = self.status;
        let mut content_type = "application/json";
        let body = match (dialect, variant) {
            (Dialect::Oligon, Variant::Documented) => {
                let mut body = json!({"error": self.code, "message": self.message});
                if let Some(field) = self.field {
                    body["field"] = json!(field);
                }
                body
            }
            (Dialect::Oligon, Variant::Deployed) => {
                if self.code == "validation_error" {
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                }
                let details = match self.field {
                    Some(field) => json!({"field": field}),
                    None => json!({}),
                };
                json!({"error": {"code": self.code, "message": self.message, "details": details}})
            }
            (Dialect::Fiskaly, _) => json!({
                "status_code": status.as_u16(),
                "error": reason,
                "code": format!("E_{}", self.code.to_ascii_uppercase()),
                "message": self.message,
            }),
            (Dialect::Syncgram, Variant::Documented) => {
                json!({"error": self.code, "message": self.message})
            }
            (Dialect::Syncgram, Variant::Deployed) => json!({
                "success": false,
                "error": {"code": self.code, "message": self.message},
            }),
            (Dialect::Strait, Variant::Documented) => {
                content_type = "application/problem+json";
                json!({
                    "type": "about:blank",
                    "title": reason,
                    "status": status.as_u16(),
                    "detail": self.message,
                })
            }
            // The open-source service: its own envelope with a request id, beside the
            // problem+json members; validation failures are 422 `validation_failed`.
            (Dialect::Strait, Variant::Deployed) => {
                content_type = "application/problem+json";
                let mut code = self.code;
                if code == "validation_error" {
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                    code = "validation_failed";
                }
                let details = match self.field {
                    Some(field) => json!([{"field": field, "message": self.message}]),
                    None => json!([]),
                };
                json!({
                    "type": "about:blank",
                    "title": status.canonical_reason().unwrap_or("Error"),
                    "status": status.as_u16(),
                    "detail": self.message,
                    "error": {"code": code, "message": self.message, "details": details},
                    "request_id": format!("req_{}", secrets::random_hex(12)),
                })
            }
        };
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(seconds) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A JSON success response.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A handler's outcome: `status` with the JSON body, or the failure in `dialect`'s error shape.
pub(crate) fn respond(
    state: &SandboxState,
    dialect: Dialect,
    status: StatusCode,
    result: Result<Value, Failure>,
) -> Response {
    match result {
        Ok(body) => json_response(status, body),
        Err(failure) => failure.render(dialect, state.variant()),
    }
}

/// Parse a JSON request body into `T`. An empty body counts as `{}` when `empty_is_object`.
pub(crate) fn parse_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    empty_is_object: bool,
) -> Result<T, Failure> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("request body exceeds {BODY_LIMIT_BYTES} bytes"),
            )
        } else {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "request body could not be read",
            )
        }
    })?;
    let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) && empty_is_object {
        json!({})
    } else {
        serde_json::from_slice(&bytes).map_err(|_| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "request body is not valid JSON",
            )
        })?
    };
    serde_json::from_value(value).map_err(|error| {
        // serde names the field and the expected type, but also quotes the value it got.
        Failure::new(
            StatusCode::BAD_REQUEST,
            "validation_error",
            format!(
                "invalid request body: {}",
                shorten_quotes(&error.to_string())
            ),
        )
    })
}

/// Characters of client input an error message quotes at most; longer input is cut.
const QUOTE_CHARS: usize = 40;

/// `text` as a quoted string for an error message: at most [`QUOTE_CHARS`] characters of it,
/// then "…", so a 10 KB input is not sent back in full.
pub(crate) fn quote(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head:?}…")
    } else {
        format!("{head:?}")
    }
}

/// `message` with every double-quoted part (serde quotes the values and names it rejects)
/// cut to [`QUOTE_CHARS`] characters, and the whole held to a few hundred characters.
fn shorten_quotes(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = 0usize;
    let mut in_quote = false;
    let mut escaped = false;
    let mut cut = false;
    for ch in message.chars() {
        if !in_quote {
            in_quote = ch == '"';
            quoted = 0;
            cut = false;
            out.push(ch);
            continue;
        }
        let closing = ch == '"' && !escaped;
        escaped = ch == '\\' && !escaped;
        if closing {
            in_quote = false;
            if cut {
                out.push('…');
            }
            out.push(ch);
        } else if quoted < QUOTE_CHARS {
            quoted += 1;
            out.push(ch);
        } else {
            cut = true;
        }
    }
    if in_quote && cut {
        out.push('…');
    }
    const MESSAGE_CHARS: usize = 300;
    if out.chars().count() > MESSAGE_CHARS {
        out = out.chars().take(MESSAGE_CHARS).collect();
        out.push('…');
    }
    out
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The claims of the request's bearer JWT, verified for `audience` (401 when it is missing,
/// forged, expired or meant for another API).
pub(crate) fn bearer_claims(
    state: &SandboxState,
    headers: &HeaderMap,
    audience: &str,
) -> Result<Claims, Failure> {
    let token = bearer(headers).ok_or_else(|| Failure::unauthorized("missing bearer token"))?;
    secrets::verify_jwt(&state.inner().signing_key, token, audience, now_ms() / 1000)
        .map_err(|_| Failure::unauthorized("invalid or expired token"))
}

/// A validation failure on `field` unless `value` lies in `range`.
pub(crate) fn check_range(
    field: &'static str,
    value: i64,
    range: RangeInclusive<i64>,
) -> Result<(), Failure> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(Failure::validation(
        field,
        format!(
            "{field} must be between {} and {}",
            range.start(),
            range.end()
        ),
    ))
}

/// Query string as ordered pairs (repeated keys and `kind[]` forms kept as given).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The last value of query parameter `name`.
pub(crate) fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Parse an optional integer query parameter, 400 when it is not a number.
pub(crate) fn query_int(
    pairs: &[(String, String)],
    name: &'static str,
) -> Result<Option<i64>, Failure> {
    query_value(pairs, name)
        .map(|text| {
            text.parse::<i64>()
                .map_err(|_| Failure::validation(name, format!("{name} must be an integer")))
        })
        .transpose()
}

/// The caller's address: the first `X-Forwarded-For` entry when it is an IP (lets demos and
/// tests show several addresses), else the socket's peer address.
pub(crate) struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .and_then(|first| first.trim().parse::<IpAddr>().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        Ok(Self(forwarded.or(peer).map(|ip| ip.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_needs_the_scheme_and_a_token() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer   "));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn range_failures_name_the_field_and_the_bounds() {
        assert!(check_range("limit", 100, 1..=100).is_ok());
        let failure = check_range("limit", 0, 1..=100).unwrap_err();
        assert_eq!(failure.field, Some("limit"));
        assert_eq!(failure.message, "limit must be between 1 and 100");
    }

    #[test]
    fn malformed_json_and_wrong_types_are_told_apart() {
        #[derive(serde::Deserialize, Debug)]
        struct Body {
            #[allow(dead_code)]
            name: String,
        }
        let malformed = parse_body::<Body>(Ok(Bytes::from_static(b"{nope")), false).unwrap_err();
        assert_eq!(malformed.code, "invalid_json");
        let wrong = parse_body::<Body>(Ok(Bytes::from_static(b"{\"name\":1}")), false).unwrap_err();
        assert_eq!(wrong.code, "validation_error");
        assert!(parse_body::<Body>(Ok(Bytes::new()), true).is_err());
    }

    #[test]
    fn quotes_of_client_input_are_cut() {
        assert_eq!(quote("short"), "\"short\"");
        let long = "x".repeat(10_000);
        assert_eq!(quote(&long), format!("\"{}\"…", "x".repeat(40)));
        let message = format!("invalid type: string \"{long}\", expected a boolean");
        assert_eq!(
            shorten_quotes(&message),
            format!(
                "invalid type: string \"{}…\", expected a boolean",
                "x".repeat(40)
            )
        );
        let escaped = format!("unknown variant \"a\\\"{long}\", expected `x`");
        let shortened = shorten_quotes(&escaped);
        assert!(shortened.ends_with("…\", expected `x`"), "{shortened}");
        assert!(shorten_quotes(&"y".repeat(1_000)).chars().count() <= 301);
    }
}
