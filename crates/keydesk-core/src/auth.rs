//! Credentials and the tokens made from them: bearer JWTs checked for expiry before use, and
//! fiskaly's key + secret exchanged for access tokens that are refreshed one at a time.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::{Error, ErrorKind};
use crate::http::{Http, Request, Retry};

/// What a connection authenticates with. Every value is a [`SecretString`]: redacted in
/// `Debug`, zeroized on drop, never serialized.
#[derive(Clone)]
pub enum Credentials {
    /// A bearer token (Oligon dashboard JWT, SyncgramPay user JWT, Strait admin token).
    Bearer(SecretString),
    /// fiskaly's API key and secret, exchanged for access tokens.
    FiskalyKey {
        /// The API key.
        api_key: SecretString,
        /// The API secret.
        api_secret: SecretString,
    },
}

impl Credentials {
    /// Builds `provider`'s credentials from its named credential fields (the names
    /// [`Capabilities::credential_fields`](crate::Capabilities) lists), trimmed; an absent or
    /// blank field is a validation error naming it.
    pub fn from_fields(
        provider: crate::ProviderKind,
        field: impl Fn(&str) -> Option<SecretString>,
    ) -> Result<Self, Error> {
        let take = |name: &str| {
            field(name)
                .map(|value| value.expose_secret().trim().to_owned())
                .filter(|value| !value.is_empty())
                .map(SecretString::from)
                .ok_or_else(|| {
                    Error::validation(name, format!("The {} is empty.", name.replace('_', " ")))
                })
        };
        Ok(match provider {
            crate::ProviderKind::Fiskaly => Credentials::FiskalyKey {
                api_key: take("api_key")?,
                api_secret: take("api_secret")?,
            },
            _ => Credentials::Bearer(take("token")?),
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Credentials::Bearer(<redacted>)"),
            Credentials::FiskalyKey { .. } => f.write_str("Credentials::FiskalyKey(<redacted>)"),
        }
    }
}

/// A bearer token, checked for expiry before every request so an expired session is reported
/// as unauthorized without a round trip.
#[derive(Debug)]
pub(crate) struct BearerToken(SecretString);

impl BearerToken {
    pub fn new(token: SecretString) -> Self {
        BearerToken(token)
    }

    pub fn current(&self) -> Result<&SecretString, Error> {
        if let Some(expired_at) = jwt_expiry(self.0.expose_secret())
            && expired_at <= Utc::now()
        {
            return Err(Error::unauthorized(format!(
                "The token expired at {}; sign in again and update the connection.",
                expired_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )));
        }
        Ok(&self.0)
    }
}

/// The `exp` claim of a JWT, if `token` is one and has it. Nothing is verified: this only
/// avoids sending a token that is certain to be refused.
pub fn jwt_expiry(token: &str) -> Option<DateTime<Utc>> {
    let mut parts = token.trim().split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    let seconds = exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))?;
    DateTime::from_timestamp(seconds, 0)
}

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
            match self
                .exchange(http, json!({"refresh_token": refresh.expose_secret()}))
                .await
            {
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
                self.exchange(
                    http,
                    json!({
                        "api_key": self.api_key.expose_secret(),
                        "api_secret": self.api_secret.expose_secret(),
                    }),
                )
                .await?
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

    async fn exchange(&self, http: &Http, body: Value) -> Result<FiskalyTokens, Error> {
        let request = Request::new(Method::POST, "/auth").json(body);
        let reply = http
            .send(&request, None, Retry::Idempotent)
            .await
            .map_err(Error::from)?;
        let body = reply.body();
        let body = crate::decode::unwrap_envelope(&body);
        let access = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                Error::server(
                    "fiskaly's token answer has no access token.",
                    reply.request_id.clone(),
                )
            })?;
        let now = Instant::now();
        let access_lifetime = lifetime(body, "access_token_expires_in", "access_token_expires_at")
            .unwrap_or(Duration::from_secs(60));
        let refresh = body
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(|token| SecretString::from(token.to_owned()));
        let refresh_lifetime =
            lifetime(body, "refresh_token_expires_in", "refresh_token_expires_at");
        Ok(FiskalyTokens {
            access: SecretString::from(access.to_owned()),
            access_until: now + access_lifetime,
            access_lifetime,
            refresh,
            // Treat the refresh token as expired a little early: a refusal costs a round trip.
            refresh_until: refresh_lifetime
                .map(|life| now + life.saturating_sub(refresh_margin(life))),
        })
    }
}

/// A token lifetime from `…_expires_in` (seconds) or, failing that, `…_expires_at` (unix).
fn lifetime(body: &Value, expires_in: &str, expires_at: &str) -> Option<Duration> {
    if let Some(seconds) = body.get(expires_in).and_then(Value::as_f64)
        && seconds.is_finite()
    {
        return Some(Duration::from_secs_f64(
            seconds.clamp(0.0, 86_400.0 * 365.0),
        ));
    }
    let at = body.get(expires_at).and_then(Value::as_i64)?;
    let left = at.saturating_sub(Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(left.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            engine.encode(claims.to_string()),
            engine.encode(b"fake-signature")
        )
    }

    #[test]
    fn an_expired_jwt_is_refused_before_any_request() {
        let past = Utc::now().timestamp() - 60;
        let token = BearerToken::new(SecretString::from(jwt(json!({"exp": past}))));
        let error = token.current().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unauthorized);
        assert!(error.to_string().contains("expired"));
        let future = Utc::now().timestamp() + 600;
        assert!(
            BearerToken::new(SecretString::from(jwt(json!({"exp": future}))))
                .current()
                .is_ok()
        );
    }

    #[test]
    fn opaque_tokens_are_not_judged() {
        assert!(
            BearerToken::new(SecretString::from("opaque-admin-token"))
                .current()
                .is_ok()
        );
        assert_eq!(jwt_expiry("a.b"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
        assert_eq!(jwt_expiry(&jwt(json!({"sub": "x"}))), None);
    }

    #[test]
    fn credentials_debug_is_redacted() {
        let credentials = Credentials::FiskalyKey {
            api_key: SecretString::from("test_fake_key"),
            api_secret: SecretString::from("fake_secret_value"),
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("fake_secret_value") && !shown.contains("test_fake_key"));
    }

    #[test]
    fn token_lifetimes_come_from_the_answer() {
        let body = json!({"access_token_expires_in": 600, "refresh_token_expires_at": Utc::now().timestamp() + 300});
        assert_eq!(
            lifetime(&body, "access_token_expires_in", "access_token_expires_at"),
            Some(Duration::from_secs(600))
        );
        let refresh = lifetime(
            &body,
            "refresh_token_expires_in",
            "refresh_token_expires_at",
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
