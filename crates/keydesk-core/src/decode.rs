//! Turning each provider's JSON into the normalized [`Key`]. Tolerant by design: unknown
//! fields are ignored, missing optional fields become `None`, and no input makes it panic.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::model::{Environment, Key, KeyStatus, ProviderKind, Rotation};

/// Fields that hold a secret in some answers; they never reach [`Key::raw`].
const SECRET_FIELDS: [&str; 4] = ["key", "secret", "api_secret", "rotation_webhook_secret"];

/// Normalizes one list answer (or one page of it) of `provider` into keys. Accepts every
/// shape the documents and the deployments use: bare arrays, `{data}`, `{keys}` and
/// SyncgramPay's `{success, data}` envelope.
pub fn decode_list(provider: ProviderKind, body: &Value) -> Result<Vec<Key>, Error> {
    let body = unwrap_envelope(body);
    let items = body
        .as_array()
        .or_else(|| body.get("data").and_then(Value::as_array))
        .or_else(|| body.get("keys").and_then(Value::as_array))
        .or_else(|| body.get("api_keys").and_then(Value::as_array))
        .ok_or_else(|| {
            Error::server(
                format!(
                    "{}'s key list has an unexpected shape.",
                    provider.display_name()
                ),
                None,
            )
        })?;
    items
        .iter()
        .map(|item| decode_key(provider, item))
        .collect()
}

/// Normalizes one key object of `provider`.
pub fn decode_key(provider: ProviderKind, item: &Value) -> Result<Key, Error> {
    let item = unwrap_envelope(item);
    let object = item.as_object().ok_or_else(|| {
        Error::server(
            format!(
                "{} sent a key that is not an object.",
                provider.display_name()
            ),
            None,
        )
    })?;
    decode_object(provider, object.clone())
}

/// [`decode_list`] for an answer the caller owns: each key's JSON moves into
/// [`Key::raw`] instead of being copied, which halves the allocations of a big inventory.
pub fn decode_list_owned(provider: ProviderKind, body: Value) -> Result<Vec<Key>, Error> {
    let items = match take_envelope(body) {
        Value::Array(items) => Some(items),
        Value::Object(mut object) => {
            ["data", "keys", "api_keys"]
                .iter()
                .find_map(|name| match object.remove(*name) {
                    Some(Value::Array(items)) => Some(items),
                    _ => None,
                })
        }
        _ => None,
    }
    .ok_or_else(|| {
        Error::server(
            format!(
                "{}'s key list has an unexpected shape.",
                provider.display_name()
            ),
            None,
        )
    })?;
    items
        .into_iter()
        .map(|item| match take_envelope(item) {
            Value::Object(object) => decode_object(provider, object),
            _ => Err(Error::server(
                format!(
                    "{} sent a key that is not an object.",
                    provider.display_name()
                ),
                None,
            )),
        })
        .collect()
}

/// Reads the model out of `object`, then keeps what is left after removing secrets as raw.
fn decode_object(provider: ProviderKind, mut object: Map<String, Value>) -> Result<Key, Error> {
    let (mut key, secret_fields): (Key, &[&str]) = match provider {
        ProviderKind::Oligon => (oligon(&object)?, &SECRET_FIELDS),
        // fiskaly's `key` is the public half of the pair, kept for leak matching.
        ProviderKind::Fiskaly => (fiskaly(&object)?, &["secret", "api_secret"]),
        ProviderKind::Syncgram => (syncgram(&object)?, &SECRET_FIELDS),
        ProviderKind::Strait => (strait(&object)?, &SECRET_FIELDS),
    };
    for field in secret_fields {
        object.remove(*field);
    }
    key.raw = Value::Object(object);
    Ok(key)
}

/// [`unwrap_envelope`] by value.
fn take_envelope(body: Value) -> Value {
    match body {
        Value::Object(mut object) if matches!(object.get("success"), Some(Value::Bool(_))) => {
            match object.remove("data") {
                Some(data) => data,
                None => Value::Object(object),
            }
        }
        other => other,
    }
}

/// Normalizes the new key from a Strait rotate answer (`{old_key_id, new_key_id, …}`). Its
/// `grace_expires_at` belongs to the old key, so the new key does not carry it.
pub fn decode_rotated_key(body: &Value) -> Result<Key, Error> {
    let mut new_key = body.as_object().cloned().unwrap_or_default();
    for old_only in ["grace_expires_at", "old_key_id", "id"] {
        new_key.remove(old_only);
    }
    if let Some(new_id) = new_key.remove("new_key_id") {
        new_key.insert("id".into(), new_id);
    }
    decode_key(ProviderKind::Strait, &Value::Object(new_key))
}

/// SyncgramPay's deployments wrap bodies in `{"success": true, "data": …}`.
pub(crate) fn unwrap_envelope(body: &Value) -> &Value {
    match body.get("success") {
        Some(Value::Bool(_)) => body.get("data").unwrap_or(body),
        _ => body,
    }
}

fn oligon(object: &Map<String, Value>) -> Result<Key, Error> {
    let id = required_id(object, &["id"], ProviderKind::Oligon)?;
    let prefix = text(object, "prefix");
    let last4 = text(object, "last4");
    let environment = match object.get("is_live").and_then(Value::as_bool) {
        Some(true) => Some(Environment::Live),
        Some(false) => Some(Environment::Test),
        None => prefix.as_deref().and_then(environment_from_prefix),
    };
    let revoked_at = time(object, "revoked_at");
    let expires_at = time(object, "expires_at");
    Ok(Key {
        id,
        name: text(object, "name").unwrap_or_default(),
        masked: mask(prefix.as_deref(), last4.as_deref()),
        environment,
        scopes: strings(object, "scopes"),
        status: lifecycle(
            revoked_at.is_some() || flag(object, "revoked"),
            expires_at,
            None,
        ),
        created_at: time(object, "created_at"),
        last_used_at: time(object, "last_used_at"),
        last_used_ip: text(object, "last_used_ip"),
        expires_at,
        revoked_at,
        rotation: None,
        metadata: BTreeMap::new(),
        raw: Value::Null,
    })
}

fn fiskaly(object: &Map<String, Value>) -> Result<Key, Error> {
    let id = required_id(object, &["_id", "id"], ProviderKind::Fiskaly)?;
    let environment = object
        .get("_envs")
        .and_then(Value::as_array)
        .and_then(|envs| {
            envs.iter()
                .filter_map(Value::as_str)
                .find_map(environment_word)
        })
        .or_else(|| text(object, "kind").as_deref().and_then(environment_word));
    let status = match text(object, "status").as_deref() {
        Some(status) if status.eq_ignore_ascii_case("disabled") => KeyStatus::Disabled,
        Some(status)
            if status.eq_ignore_ascii_case("revoked") || status.eq_ignore_ascii_case("deleted") =>
        {
            KeyStatus::Revoked
        }
        _ => KeyStatus::Active,
    };
    let public_key = text(object, "key");
    let metadata = object
        .get("metadata")
        .and_then(Value::as_object)
        .map(|entries| {
            entries
                .iter()
                .map(|(name, value)| (name.clone(), scalar_text(value)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Key {
        id,
        name: text(object, "name").unwrap_or_default(),
        // The fiskaly `key` is the public half of the pair; still, show only its ends.
        masked: public_key.as_deref().map(shorten).unwrap_or_default(),
        environment,
        scopes: Vec::new(),
        status,
        created_at: time(object, "created_at"),
        last_used_at: time(object, "last_used_at"),
        last_used_ip: None,
        expires_at: time(object, "expires_at"),
        revoked_at: None,
        rotation: None,
        metadata,
        raw: Value::Null,
    })
}

fn syncgram(object: &Map<String, Value>) -> Result<Key, Error> {
    let id = required_id(object, &["api_key_id", "id"], ProviderKind::Syncgram)?;
    let expires_at = time(object, "expires_at");
    let expired = expires_at.is_some_and(|at| at <= Utc::now());
    // `is_active` is false for expired keys too; those are expired, not revoked.
    let revoked = match object.get("is_active").and_then(Value::as_bool) {
        Some(active) => !active && !expired,
        None => text(object, "status").is_some_and(|status| status.eq_ignore_ascii_case("revoked")),
    } || object
        .get("revoked_at")
        .is_some_and(|value| !value.is_null());
    let prefix = text(object, "prefix").or_else(|| text(object, "key_prefix"));
    let last4 = text(object, "last4");
    let environment = text(object, "env")
        .or_else(|| text(object, "environment"))
        .as_deref()
        .and_then(environment_word)
        .or_else(|| prefix.as_deref().and_then(environment_from_prefix))
        .or_else(|| {
            text(object, "key")
                .as_deref()
                .and_then(environment_from_prefix)
        });
    let masked = match (&prefix, &last4) {
        (None, None) => text(object, "key")
            .as_deref()
            .map(mask_full)
            .unwrap_or_default(),
        _ => mask(prefix.as_deref(), last4.as_deref()),
    };
    Ok(Key {
        id,
        name: text(object, "key_name")
            .or_else(|| text(object, "name"))
            .unwrap_or_default(),
        masked,
        environment,
        scopes: Vec::new(),
        status: lifecycle(revoked, expires_at, None),
        created_at: time(object, "created_at"),
        last_used_at: time(object, "last_used_at"),
        last_used_ip: text(object, "last_used_ip"),
        expires_at,
        revoked_at: time(object, "revoked_at"),
        rotation: None,
        metadata: BTreeMap::new(),
        raw: Value::Null,
    })
}

fn strait(object: &Map<String, Value>) -> Result<Key, Error> {
    let id = required_id(object, &["id", "new_key_id"], ProviderKind::Strait)?;
    let key_prefix = text(object, "key_prefix");
    let revoked_at = time(object, "revoked_at");
    let expires_at = time(object, "expires_at");
    let rotation = Rotation {
        replaced_by: text(object, "replaced_by_key_id"),
        grace_expires_at: time(object, "grace_expires_at"),
        interval_days: object
            .get("rotation_interval_days")
            .and_then(Value::as_u64)
            .filter(|days| *days > 0)
            .and_then(|days| u32::try_from(days).ok()),
        next_rotation_at: time(object, "next_rotation_at"),
        webhook_url: text(object, "rotation_webhook_url"),
    };
    let rotating_until = rotation.replaced_by.as_ref().and(rotation.grace_expires_at);
    let mut metadata = BTreeMap::new();
    for field in ["project_id", "environment_id"] {
        if let Some(value) = text(object, field) {
            metadata.insert(field.to_owned(), value);
        }
    }
    Ok(Key {
        id,
        name: text(object, "name").unwrap_or_default(),
        masked: key_prefix
            .map(|prefix| format!("{prefix}…"))
            .unwrap_or_default(),
        environment: None,
        scopes: strings(object, "scopes"),
        status: lifecycle(revoked_at.is_some(), expires_at, rotating_until),
        created_at: time(object, "created_at"),
        last_used_at: time(object, "last_used_at"),
        last_used_ip: text(object, "last_used_ip"),
        expires_at,
        revoked_at,
        rotation: (!rotation.is_empty()).then_some(rotation),
        metadata,
        raw: Value::Null,
    })
}

/// Status from the facts every provider reports in some form. A key replaced in a rotation
/// is `Rotating` while its grace lasts and `Expired` after it.
fn lifecycle(
    revoked: bool,
    expires_at: Option<DateTime<Utc>>,
    rotating_until: Option<DateTime<Utc>>,
) -> KeyStatus {
    let now = Utc::now();
    if revoked {
        KeyStatus::Revoked
    } else if expires_at.is_some_and(|at| at <= now) {
        KeyStatus::Expired
    } else if let Some(until) = rotating_until {
        if until > now {
            KeyStatus::Rotating
        } else {
            KeyStatus::Expired
        }
    } else {
        KeyStatus::Active
    }
}

fn required_id(
    object: &Map<String, Value>,
    names: &[&str],
    provider: ProviderKind,
) -> Result<String, Error> {
    names
        .iter()
        .find_map(|name| text(object, name))
        .ok_or_else(|| {
            Error::server(
                format!("{} sent a key without an id.", provider.display_name()),
                None,
            )
        })
}

/// A string field; numbers are accepted too, since some deployments send numeric ids.
pub(crate) fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn flag(object: &Map<String, Value>, name: &str) -> bool {
    object.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn strings(object: &Map<String, Value>, name: &str) -> Vec<String> {
    match object.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        // Some deployments send scopes space- or comma-separated.
        Some(Value::String(joined)) => joined
            .split([' ', ','])
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// A timestamp as RFC 3339 (any offset), a zone-less ISO 8601 time (taken as UTC), or unix
/// seconds (milliseconds when the number is too big for seconds).
pub(crate) fn time(object: &Map<String, Value>, name: &str) -> Option<DateTime<Utc>> {
    match object.get(name)? {
        Value::String(text) => parse_time(text),
        Value::Number(number) => {
            let seconds = number.as_f64()?;
            if !seconds.is_finite() {
                return None;
            }
            let seconds = if seconds.abs() >= 1e11 {
                seconds / 1000.0
            } else {
                seconds
            };
            if seconds.abs() > 1e13 {
                return None;
            }
            DateTime::from_timestamp(seconds.trunc() as i64, 0)
        }
        _ => None,
    }
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

fn environment_word(word: &str) -> Option<Environment> {
    match word.to_ascii_lowercase().as_str() {
        "live" | "production" | "prod" => Some(Environment::Live),
        "test" | "sandbox" => Some(Environment::Test),
        _ => None,
    }
}

fn environment_from_prefix(prefix: &str) -> Option<Environment> {
    if prefix.starts_with("sk_live") || prefix.starts_with("pk_live") {
        Some(Environment::Live)
    } else if prefix.starts_with("sk_test") || prefix.starts_with("pk_test") {
        Some(Environment::Test)
    } else {
        None
    }
}

/// `sk_live_…x9k2` from a prefix and the last four characters.
fn mask(prefix: Option<&str>, last4: Option<&str>) -> String {
    match (prefix, last4) {
        (Some(prefix), Some(last4)) => format!("{}_…{last4}", prefix.trim_end_matches('_')),
        (Some(prefix), None) => format!("{}_…", prefix.trim_end_matches('_')),
        (None, Some(last4)) => format!("…{last4}"),
        (None, None) => String::new(),
    }
}

/// Masks a full key we hold (a create answer): its type prefix and last four only.
pub(crate) fn mask_full(key: &str) -> String {
    let last4: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let prefix = ["sk_live_", "sk_test_", "pk_live_", "pk_test_"]
        .into_iter()
        .find(|prefix| key.starts_with(prefix));
    match prefix {
        Some(prefix) if key.len() > prefix.len() + 8 => format!("{prefix}…{last4}"),
        _ if key.chars().count() > 12 => format!("…{last4}"),
        _ => "…".to_owned(),
    }
}

/// The first 8 and last 4 characters of a long identifier.
fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 16 {
        return text.to_owned();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn oligon_masks_and_drops_the_secret_from_raw() {
        let key = decode_key(
            ProviderKind::Oligon,
            &json!({"id": "01HQX", "name": "P", "prefix": "sk_live", "last4": "x9k2", "is_live": true,
                    "key": "sk_live_fakefakefakex9k2", "revoked_at": null, "created_at": "2026-06-09T12:00:00+00:00"}),
        )
        .unwrap();
        assert_eq!(key.masked, "sk_live_…x9k2");
        assert_eq!(key.environment, Some(Environment::Live));
        assert_eq!(key.status, KeyStatus::Active);
        assert!(key.raw.get("key").is_none());
        assert_eq!(
            key.created_at.unwrap().to_rfc3339(),
            "2026-06-09T12:00:00+00:00"
        );
    }

    #[test]
    fn owned_and_borrowed_decoding_agree() {
        let body = json!({"success": true, "data": {"keys": [
            {"api_key_id": "k1", "key_name": "a", "is_active": true, "key": "sk_live_fakefakefake1234"},
            {"api_key_id": "k2", "key_name": "b", "is_active": false}
        ]}});
        let borrowed = decode_list(ProviderKind::Syncgram, &body).unwrap();
        let owned = decode_list_owned(ProviderKind::Syncgram, body).unwrap();
        assert_eq!(borrowed, owned);
        assert!(owned[0].raw.get("key").is_none());
        assert!(decode_list_owned(ProviderKind::Oligon, json!({"oops": []})).is_err());
        assert!(decode_list_owned(ProviderKind::Oligon, json!([1])).is_err());
    }

    #[test]
    fn times_in_every_shape() {
        let object = json!({"a": "2024-01-15T10:00:00Z", "b": "2024-01-15T10:00:00", "c": 1577833200, "d": 1577833200000u64, "e": "yesterday"});
        let object = object.as_object().unwrap();
        assert_eq!(time(object, "a").unwrap().timestamp(), 1705312800);
        assert_eq!(time(object, "b").unwrap().timestamp(), 1705312800);
        assert_eq!(time(object, "c").unwrap().timestamp(), 1577833200);
        assert_eq!(time(object, "d").unwrap().timestamp(), 1577833200);
        assert_eq!(time(object, "e"), None);
    }

    #[test]
    fn strait_replaced_key_is_rotating_until_grace_ends() {
        let later = (Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
        let key = decode_key(
            ProviderKind::Strait,
            &json!({"id": "k1", "name": "svc", "key_prefix": "strait_ab12c", "replaced_by_key_id": "k2", "grace_expires_at": later}),
        )
        .unwrap();
        assert_eq!(key.status, KeyStatus::Rotating);
        assert_eq!(key.rotation.unwrap().replaced_by.as_deref(), Some("k2"));
        assert_eq!(key.masked, "strait_ab12c…");
    }

    #[test]
    fn a_list_that_is_not_a_list_is_a_server_error() {
        let error = decode_list(ProviderKind::Oligon, &json!({"oops": 1})).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Server);
        assert!(
            decode_list(
                ProviderKind::Strait,
                &json!({"data": [], "next_cursor": null})
            )
            .unwrap()
            .is_empty()
        );
    }

    #[test]
    fn full_key_masking_keeps_only_prefix_and_last4() {
        assert_eq!(mask_full("sk_live_a1b2c3d4e5f6g7h8i9j0"), "sk_live_…i9j0");
        assert_eq!(mask_full("short"), "…");
    }
}
