//! Key material: random secrets, SHA-256 digests compared in constant time, ids, and HS256 JWTs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `len` characters drawn uniformly from `alphabet` with the thread-local CSPRNG.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// 32 base62 characters: about 190 bits.
pub(crate) fn random_base62(len: usize) -> String {
    random_from(BASE62, len)
}

/// Lowercase letters and digits, for ids and fiskaly's public key ids.
pub(crate) fn random_lower(len: usize) -> String {
    random_from(LOWER_ALNUM, len)
}

/// `len` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    hex::encode(buf)
}

/// A ULID-shaped id (48-bit millisecond time + 80 random bits, Crockford base32), like Oligon's.
pub(crate) fn ulid(now_ms: i64) -> String {
    let mut rng = rand::rng();
    let random: u128 = rng.random::<u128>() & ((1u128 << 80) - 1);
    let value = ((u128::from(now_ms.max(0).unsigned_abs()) & ((1u128 << 48) - 1)) << 80) | random;
    (0..26)
        .rev()
        .map(|i| char::from(CROCKFORD[((value >> (i * 5)) & 0x1f) as usize]))
        .collect()
}

/// SHA-256 of a secret: the only form in which secrets are stored.
pub(crate) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Does `secret` hash to `stored`? Constant time in the digest bytes.
pub(crate) fn matches(secret: &str, stored: &[u8]) -> bool {
    digest(secret).ct_eq(stored).into()
}

/// HMAC-SHA256 of `message` under `key`, for derived (never stored) credentials.
pub(crate) fn hmac(key: &[u8], message: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this never fails; an empty MAC would only
    // make a credential unusable, never weaker.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The claims of every bearer token the sandbox issues. Fields a dialect does not use stay empty.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// Always "keydesk-sandbox".
    pub iss: String,
    /// The dialect the token is for, so a token of one API is refused by the others.
    pub aud: String,
    /// The user.
    pub sub: String,
    /// Organisation (Oligon, fiskaly, SyncgramPay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Project (Strait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Oligon permissions, e.g. `apikey:read`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// SyncgramPay: "standard" or "connected".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// fiskaly: "access" or "refresh".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_use: Option<String>,
    /// fiskaly: the public api key that obtained the token, re-checked on every use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
    /// Unique token id, so two tokens minted in the same second differ.
    pub jti: String,
}

/// Why a bearer token was refused (never says anything about the token's content).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    BadSignature,
    Expired,
    WrongAudience,
}

/// Sign `claims` as a compact HS256 JWT.
pub(crate) fn sign_jwt(key: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{body}");
    let signature = URL_SAFE_NO_PAD.encode(hmac(key, &signing_input));
    format!("{signing_input}.{signature}")
}

/// Verify signature, audience and expiry of a compact HS256 JWT.
pub(crate) fn verify_jwt(
    key: &[u8],
    token: &str,
    audience: &str,
    now_secs: i64,
) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if header.get("alg").and_then(|alg| alg.as_str()) != Some("HS256") {
        return Err(TokenError::Malformed);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| TokenError::BadSignature)?;
    mac.update(&token.as_bytes()[..header_and_body_len(token)]);
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(body)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.aud != audience {
        return Err(TokenError::WrongAudience);
    }
    if claims.exp <= now_secs {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// Length of `header.body` (everything before the last dot).
fn header_and_body_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "keydesk-sandbox".into(),
            aud: "oligon".into(),
            sub: "user".into(),
            exp,
            ..Claims::default()
        }
    }

    #[test]
    fn jwt_round_trips_and_rejects_tampering() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = sign_jwt(key, &claims(2_000));
        assert_eq!(
            verify_jwt(key, &token, "oligon", 1_000).unwrap().sub,
            "user"
        );
        assert_eq!(
            verify_jwt(key, &token, "strait", 1_000).unwrap_err(),
            TokenError::WrongAudience
        );
        assert_eq!(
            verify_jwt(key, &token, "oligon", 2_000).unwrap_err(),
            TokenError::Expired
        );
        assert_eq!(
            verify_jwt(b"another key", &token, "oligon", 1_000).unwrap_err(),
            TokenError::BadSignature
        );
        let forged = sign_jwt(b"another key", &claims(2_000));
        assert!(verify_jwt(key, &forged, "oligon", 1_000).is_err());
        assert_eq!(
            verify_jwt(key, "a.b", "oligon", 1_000).unwrap_err(),
            TokenError::Malformed
        );
    }

    #[test]
    fn digests_match_only_their_secret() {
        let stored = digest("sk_test_abc");
        assert!(matches("sk_test_abc", &stored));
        assert!(!matches("sk_test_abd", &stored));
        assert!(!matches("", &stored));
    }

    #[test]
    fn ulids_are_26_crockford_chars_ordered_by_time() {
        let earlier = ulid(1_700_000_000_000);
        let later = ulid(1_700_000_000_001);
        assert_eq!(earlier.len(), 26);
        assert!(earlier < later);
    }
}
