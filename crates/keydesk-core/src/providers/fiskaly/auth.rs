//! fiskaly's key + secret exchanged at `/auth` for access tokens that are refreshed one at a
//! time.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::http::{Http, Request, Retry};

/// fiskaly access and refresh tokens with their deadlines.
struct FiskalyTokens {
    access: SecretString,
    access_until: Instant,
    access_lifetime: Duration,
    refresh: Option<SecretString>,
    refresh_until: Option<Instant>,
}

/// Exchanges fiskaly's key + secret for tokens and keeps them fresh. The mutex is held
/// across the exchange on purpose: concurrent callers wait for one refresh instead of
/// each starting their own.
pub(crate) struct FiskalyAuth {
    api_key: SecretString,
    api_secret: SecretString,
    tokens: Mutex<Option<FiskalyTokens>>,
}

impl fmt::Debug for FiskalyAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FiskalyAuth(<redacted>)")
    }
}

/// Refresh this long before the access token runs out: a fifth of its lifetime, at most
/// 30 s, so both 300 s and 2 s lifetimes are renewed before requests start failing.
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(30))
}

impl FiskalyAuth {
    pub fn new(api_key: SecretString, api_secret: SecretString) -> Self {
        FiskalyAuth {
            api_key,
            api_secret,
            tokens: Mutex::new(None),
        }
    }

    /// A valid access token: the cached one, a refreshed one, or one from a full sign-in
    /// when the refresh token is missing, expired or rejected.
    pub async fn access_token(&self, http: &Http) -> Result<SecretString, Error> {
        let mut tokens = self.tokens.lock().await;
        let now = Instant::now();
        if let Some(current) = tokens.as_ref()
            && now + refresh_margin(current.access_lifetime) < current.access_until
        {
            return Ok(current.access.clone());
        }
        let refresh = tokens
            .as_ref()
            .filter(|current| current.refresh_until.is_none_or(|until| now < until))
            .and_then(|current| current.refresh.clone());
        let mut fresh = None;
        if let Some(refresh) = refresh {
            let body = credentials_json(&Renew {
                refresh_token: refresh.expose_secret(),
            });
            match self.exchange(http, body).await {
                Ok(renewed) => fresh = Some(renewed),
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Validation
                    ) => {}
                Err(error) => return Err(error),
            }
        }
        let fresh = match fresh {
            Some(fresh) => fresh,
            None => {
                let body = credentials_json(&SignIn {
                    api_key: self.api_key.expose_secret(),
                    api_secret: self.api_secret.expose_secret(),
                });
                self.exchange(http, body).await?
            }
        };
        let access = fresh.access.clone();
        *tokens = Some(fresh);
        Ok(access)
    }

    /// Forgets `used` after the server refused it, so the next call refreshes. A token
    /// already replaced by another caller is left alone.
    pub async fn reject(&self, used: &SecretString) {
        let mut tokens = self.tokens.lock().await;
        if let Some(current) = tokens.as_mut()
            && current.access.expose_secret() == used.expose_secret()
        {
            current.access_until = Instant::now();
        }
    }

    /// Sends one `/auth` request (`body` already serialized into a zeroizing buffer) and
    /// reads the tokens straight out of the answer's bytes, which are zeroized after; the
    /// tokens are scrubbed from every later message of the connection.
    async fn exchange(
        &self,
        http: &Http,
        body: Result<Zeroizing<Vec<u8>>, Error>,
    ) -> Result<FiskalyTokens, Error> {
        let request = Request::new(Method::POST, "/auth").credentials_json(body?);
        let reply = http
            .send(&request, None, Retry::Idempotent)
            .await
            .map_err(Error::from)?;
        let no_access_token = || {
            Error::server(
                "fiskaly's token answer has no access token.",
                reply.request_id.clone(),
            )
        };
        let answer = TokenAnswer::read(&reply.bytes).ok_or_else(no_access_token)?;
        let access = answer
            .access_token
            .and_then(secret_text)
            .ok_or_else(no_access_token)?;
        http.remember_secret(&access);
        let refresh = answer.refresh_token.and_then(secret_text);
        if let Some(refresh) = &refresh {
            http.remember_secret(refresh);
        }
        let now = Instant::now();
        let access_lifetime = lifetime(
            answer.access_token_expires_in,
            answer.access_token_expires_at,
        )
        .unwrap_or(Duration::from_secs(60));
        let refresh_lifetime = lifetime(
            answer.refresh_token_expires_in,
            answer.refresh_token_expires_at,
        );
        Ok(FiskalyTokens {
            access,
            access_until: now + access_lifetime,
            access_lifetime,
            refresh,
            // Treat the refresh token as expired a little early: a refusal costs a round trip.
            refresh_until: refresh_lifetime
                .map(|life| now + life.saturating_sub(refresh_margin(life))),
        })
    }
}

/// A full sign-in's body.
#[derive(Serialize)]
struct SignIn<'a> {
    api_key: &'a str,
    api_secret: &'a str,
}

/// A token renewal's body.
#[derive(Serialize)]
struct Renew<'a> {
    refresh_token: &'a str,
}

/// `body` as JSON in a zeroizing buffer sized up front, so it never grows (and leaves a copy
/// behind): every character takes at most six bytes escaped.
fn credentials_json(body: &impl Serialize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buffer = Zeroizing::new(Vec::with_capacity(json_bound(body)));
    serde_json::to_writer(&mut *buffer, body)
        .map_err(|_| Error::internal("Could not write the sign-in request."))?;
    Ok(buffer)
}

/// An upper bound of `body`'s JSON length, from the lengths of its texts.
fn json_bound(body: &impl Serialize) -> usize {
    /// Counts what serializing would write, without keeping any of it.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, body) {
        Ok(()) => count.0,
        Err(_) => 0,
    }
}

/// The fields of fiskaly's token answer, as raw JSON borrowed from the answer's bytes (no
/// `Value` copy of the tokens), in an `{success, data}` envelope or not.
#[derive(Deserialize, Default)]
#[serde(bound(deserialize = "'de: 'a"))]
struct TokenAnswer<'a> {
    access_token: Option<&'a RawValue>,
    refresh_token: Option<&'a RawValue>,
    access_token_expires_in: Option<&'a RawValue>,
    access_token_expires_at: Option<&'a RawValue>,
    refresh_token_expires_in: Option<&'a RawValue>,
    refresh_token_expires_at: Option<&'a RawValue>,
}

/// `{"success": …, "data": {…}}` around an answer. (Both structs borrow their fields from
/// the answer, hence `'de: 'a`.)
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Envelope<'a> {
    success: Option<&'a RawValue>,
    data: Option<&'a RawValue>,
}

impl<'a> TokenAnswer<'a> {
    fn read(bytes: &'a [u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let inner = match serde_json::from_str::<Envelope<'a>>(text) {
            Ok(Envelope {
                success: Some(success),
                data: Some(data),
            }) if matches!(success.get(), "true" | "false") => data.get(),
            _ => text,
        };
        serde_json::from_str(inner).ok()
    }
}

/// A JSON string as a secret, unescaped without a lingering copy when it needs no
/// unescaping (tokens never do); `None` when it is empty or no string.
fn secret_text(raw: &RawValue) -> Option<SecretString> {
    let secret = match serde_json::from_str::<&str>(raw.get()) {
        Ok(text) => SecretString::from(text),
        Err(_) => {
            let text = Zeroizing::new(serde_json::from_str::<String>(raw.get()).ok()?);
            SecretString::from(text.as_str())
        }
    };
    (!secret.expose_secret().is_empty()).then_some(secret)
}

/// A token lifetime from `…_expires_in` (seconds) or, failing that, `…_expires_at` (unix).
fn lifetime(expires_in: Option<&RawValue>, expires_at: Option<&RawValue>) -> Option<Duration> {
    if let Some(seconds) = expires_in.and_then(|raw| serde_json::from_str::<f64>(raw.get()).ok())
        && seconds.is_finite()
    {
        return Some(Duration::from_secs_f64(
            seconds.clamp(0.0, 86_400.0 * 365.0),
        ));
    }
    let at = expires_at.and_then(|raw| serde_json::from_str::<i64>(raw.get()).ok())?;
    let left = at.saturating_sub(Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(left.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sign_in_bodies_are_written_once_into_a_buffer_of_their_size() {
        let body = credentials_json(&SignIn {
            api_key: "k\"1",
            api_secret: "s\u{1}",
        })
        .unwrap();
        assert_eq!(body.len(), body.capacity());
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"api_key":"k\"1","api_secret":"s\u0001"}"#
        );
    }

    #[test]
    fn tokens_are_read_from_the_answer_bare_or_in_an_envelope() {
        for text in [
            r#"{"access_token":"a1","refresh_token":"r\/1"}"#,
            r#"{"success":true,"data":{"access_token":"a1","refresh_token":"r\/1"}}"#,
        ] {
            let answer = TokenAnswer::read(text.as_bytes()).unwrap();
            let access = answer.access_token.and_then(secret_text).unwrap();
            let refresh = answer.refresh_token.and_then(secret_text).unwrap();
            assert_eq!(access.expose_secret(), "a1");
            assert_eq!(refresh.expose_secret(), "r/1");
        }
        let empty = TokenAnswer::read(br#"{"access_token":"","refresh_token":7}"#).unwrap();
        assert!(empty.access_token.and_then(secret_text).is_none());
        assert!(empty.refresh_token.and_then(secret_text).is_none());
    }

    #[test]
    fn token_lifetimes_come_from_the_answer() {
        let text = json!({"access_token_expires_in": 600, "refresh_token_expires_at": Utc::now().timestamp() + 300}).to_string();
        let answer = TokenAnswer::read(text.as_bytes()).unwrap();
        assert_eq!(
            lifetime(
                answer.access_token_expires_in,
                answer.access_token_expires_at
            ),
            Some(Duration::from_secs(600))
        );
        let refresh = lifetime(
            answer.refresh_token_expires_in,
            answer.refresh_token_expires_at,
        )
        .unwrap();
        assert!(refresh <= Duration::from_secs(300) && refresh >= Duration::from_secs(290));
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(400)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(600)),
            Duration::from_secs(30)
        );
    }
}
