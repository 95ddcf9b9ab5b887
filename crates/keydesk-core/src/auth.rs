//! Credentials and the bearer tokens made from them, checked for expiry before use. A
//! provider whose credentials are exchanged for tokens keeps that exchange in its own module.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::capabilities::{CredentialField, CredentialName};
use crate::error::Error;

/// What a connection authenticates with. Every value is a [`SecretString`]: redacted in
/// `Debug`, zeroized on drop, never serialized.
#[derive(Clone)]
pub enum Credentials {
    /// A bearer token (a dashboard JWT, a user JWT, an admin token).
    Bearer(SecretString),
    /// An API key and secret pair, exchanged for access tokens (the variant is named after
    /// the provider that introduced it; the name stays for the callers' sake).
    FiskalyKey {
        /// The API key.
        api_key: SecretString,
        /// The API secret.
        api_secret: SecretString,
    },
}

impl Credentials {
    /// The credentials a connection form with the inputs `fields` asks for, read by name
    /// from `field` and trimmed; an absent or blank one is a validation error naming it.
    pub(crate) fn from_credential_fields(
        fields: &[CredentialField],
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
        let asks = |name: CredentialName| fields.iter().any(|field| field.name == name);
        Ok(
            if asks(CredentialName::ApiKey) && asks(CredentialName::ApiSecret) {
                Credentials::FiskalyKey {
                    api_key: take("api_key")?,
                    api_secret: take("api_secret")?,
                }
            } else {
                Credentials::Bearer(take("token")?)
            },
        )
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

impl Credentials {
    /// Who the credentials act as: the `sub` claim of a bearer JWT, for the activity log.
    /// `None` for opaque tokens and API key pairs (their key is no one's name).
    pub fn subject(&self) -> Option<String> {
        match self {
            Credentials::Bearer(token) => jwt_subject(token.expose_secret()),
            Credentials::FiskalyKey { .. } => None,
        }
    }
}

/// The `sub` claim of a JWT (cut to 200 characters), if `token` is one and has it. Only the
/// payload is decoded; nothing is verified, and the token itself is never kept.
pub fn jwt_subject(token: &str) -> Option<String> {
    let claims = jwt_claims(token)?;
    let subject = claims.get("sub")?.as_str()?.trim();
    (!subject.is_empty()).then(|| subject.chars().take(200).collect())
}

/// The decoded payload of a JWT, if `token` is one.
fn jwt_claims(token: &str) -> Option<Value> {
    let mut parts = token.trim().split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The `exp` claim of a JWT, if `token` is one and has it. Nothing is verified: this only
/// avoids sending a token that is certain to be refused.
pub fn jwt_expiry(token: &str) -> Option<DateTime<Utc>> {
    let claims = jwt_claims(token)?;
    let exp = claims.get("exp")?;
    let seconds = exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))?;
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

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
    fn the_subject_comes_from_a_bearer_jwt_only() {
        let bearer = |token: String| Credentials::Bearer(SecretString::from(token));
        assert_eq!(
            bearer(jwt(json!({"sub": "user_admin", "exp": 1}))).subject(),
            Some("user_admin".into())
        );
        assert_eq!(bearer(jwt(json!({"org": "o"}))).subject(), None);
        assert_eq!(bearer("opaque-admin-token".into()).subject(), None);
        let pair = Credentials::FiskalyKey {
            api_key: SecretString::from("test_fake_key"),
            api_secret: SecretString::from("fake_secret_value"),
        };
        assert_eq!(pair.subject(), None);
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
}
