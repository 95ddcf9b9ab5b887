//! Turning each provider's JSON into the normalized [`Key`]. Tolerant by design: unknown
//! fields are ignored, missing optional fields become `None`, and no input makes it panic.
//!
//! Answers are read from their bytes one level at a time: a list into its items' raw text,
//! an item into its fields' raw text, and only the fields the model uses are parsed. No
//! `serde_json::Value` tree is built for a list, and a key's [`Key::raw`] is its object's
//! text as sent, rebuilt only when a secret field has to be left out.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Number, Value};

use crate::error::Error;
use crate::model::{Environment, Key, KeyStatus, ProviderKind, RawJson, Rotation};

mod body;
mod item;
mod timestamp;

use body::Body;
use item::{Item, Slot};
use timestamp::parse_time;

/// Fields that hold a secret in some answers; they never reach [`Key::raw`].
const SECRET_FIELDS: [&str; 4] = ["key", "secret", "api_secret", "rotation_webhook_secret"];
const SECRET_SLOTS: [Slot; 4] = [
    Slot::Key,
    Slot::Secret,
    Slot::ApiSecret,
    Slot::RotationWebhookSecret,
];
/// fiskaly's `key` is the public half of the pair, kept for leak matching.
const FISKALY_SECRET_FIELDS: [&str; 2] = ["secret", "api_secret"];
const FISKALY_SECRET_SLOTS: [Slot; 2] = [Slot::Secret, Slot::ApiSecret];

/// Normalizes one list answer (or one page of it) of `provider` into keys. Accepts every
/// shape the documents and the deployments use: bare arrays, `{data}`, `{keys}` and
/// SyncgramPay's `{success, data}` envelope.
pub fn decode_list(provider: ProviderKind, body: &Value) -> Result<Vec<Key>, Error> {
    let bytes = serde_json::to_vec(body).map_err(|_| list_shape_error(provider))?;
    decode_list_json(provider, &bytes)
}

/// [`decode_list`] straight from the bytes of an answer, the way the clients read lists.
pub fn decode_list_json(provider: ProviderKind, bytes: &[u8]) -> Result<Vec<Key>, Error> {
    Ok(decode_page(provider, bytes)?.keys)
}

/// Normalizes one key object of `provider`.
pub fn decode_key(provider: ProviderKind, item: &Value) -> Result<Key, Error> {
    let text = serde_json::to_string(item).map_err(|_| not_an_object(provider))?;
    let raw: &RawValue = serde_json::from_str(&text).map_err(|_| not_an_object(provider))?;
    decode_item(provider, raw, Utc::now())
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

/// A create or rotate answer taken apart without a `Value` copy of its secrets: the key
/// object minus every secret field (to decode the key's metadata from), and the secrets
/// asked for, each straight into a [`SecretString`].
pub(crate) struct CreatedAnswer {
    /// The key object (out of SyncgramPay's envelope) without its secret fields.
    pub key: Value,
    secrets: Vec<(String, SecretString)>,
}

impl CreatedAnswer {
    /// Takes the non-empty secret sent at `field`, if it was sent.
    pub fn take_secret(&mut self, field: &str) -> Option<SecretString> {
        let at = self.secrets.iter().position(|(name, _)| name == field)?;
        Some(self.secrets.swap_remove(at).1)
    }
}

/// Splits a create/rotate answer of `provider` into its key object and the string secrets at
/// `secret_fields`. `None` when the answer is no JSON object. A secret is copied once, into
/// its [`SecretString`]; one sent with JSON escapes is unescaped through a transient
/// `String` that moves into it.
pub(crate) fn split_created(
    provider: ProviderKind,
    bytes: &[u8],
    secret_fields: &[&str],
) -> Option<CreatedAnswer> {
    let top: &RawValue = serde_json::from_slice(bytes).ok()?;
    let mut object = top;
    let mut fields = Fields::of(top)?;
    let enveloped = fields
        .0
        .iter()
        .any(|(name, value)| name == "success" && matches!(value.get(), "true" | "false"));
    if enveloped && let Some((_, data)) = fields.0.iter().rev().find(|(name, _)| name == "data") {
        object = data;
        fields = Fields::of(data)?;
    }
    let mut secrets = Vec::new();
    for (name, value) in &fields.0 {
        if secret_fields.contains(&name.as_ref())
            && let Some(secret) = secret_string(value)
        {
            // The last one wins when a name repeats, as everywhere else.
            secrets.retain(|(seen, _)| seen != name);
            secrets.push((name.as_ref().to_owned(), secret));
        }
    }
    let left_out: &[&str] = match provider {
        ProviderKind::Fiskaly => &FISKALY_SECRET_FIELDS,
        _ => &SECRET_FIELDS,
    };
    let key = fields.raw_without(object, left_out).to_value();
    Some(CreatedAnswer { key, secrets })
}

/// A non-empty JSON string as a secret, unescaped.
fn secret_string(value: &RawValue) -> Option<SecretString> {
    let text = value.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let secret = if inner.contains('\\') {
        SecretString::from(serde_json::from_str::<String>(text).ok()?)
    } else {
        SecretString::from(inner.to_owned())
    };
    (!secret.expose_secret().is_empty()).then_some(secret)
}

/// One page of a list answer: its keys and the paging facts sent beside them.
#[derive(Debug)]
pub(crate) struct Page {
    pub keys: Vec<Key>,
    /// How many keys there are in all (fiskaly's `count`).
    pub count: Option<u64>,
    /// Where the next page starts (Strait's `next_cursor`, unless `has_more` is false).
    pub next_cursor: Option<String>,
}

/// Reads a list answer's keys and paging facts from its bytes.
pub(crate) fn decode_page(provider: ProviderKind, bytes: &[u8]) -> Result<Page, Error> {
    let top: Body = serde_json::from_slice(bytes).map_err(|_| list_shape_error(provider))?;
    let next_cursor = next_cursor(&top);
    let list = match top.get("success").and_then(Body::flag) {
        Some(_) => top.get("data").unwrap_or(&top),
        None => &top,
    };
    let (items, count) = match list {
        Body::Array(items) => (items, None),
        Body::Object(_) => {
            let items = ["data", "keys", "api_keys"]
                .iter()
                .find_map(|name| match list.get(name) {
                    Some(Body::Array(items)) => Some(items),
                    _ => None,
                })
                .ok_or_else(|| list_shape_error(provider))?;
            let count = list
                .get("count")
                .and_then(Body::number)
                .and_then(Number::as_u64);
            (items, count)
        }
        _ => return Err(list_shape_error(provider)),
    };
    let now = Utc::now();
    let mut keys = Vec::with_capacity(items.len());
    for item in items {
        keys.push(decode_item(provider, item, now)?);
    }
    Ok(Page {
        keys,
        count,
        next_cursor,
    })
}

/// The cursor of the next page, if the answer says there is one.
fn next_cursor(body: &Body) -> Option<String> {
    let cursor = body.get("next_cursor")?.text()?;
    match body.get("has_more").and_then(Body::flag) {
        Some(false) => None,
        _ => Some(cursor),
    }
}

/// Normalizes one listed item: a key object, possibly in an envelope.
fn decode_item(provider: ProviderKind, item: &RawValue, now: DateTime<Utc>) -> Result<Key, Error> {
    let mut object = item;
    let mut fields = Item::new();
    if !fields.read(item.get()) {
        return Err(not_an_object(provider));
    }
    if fields.flag(Slot::Success).is_some()
        && let Some(data) = fields.raw(Slot::Data)
    {
        object = data;
        fields = Item::new();
        if !fields.read(data.get()) {
            return Err(not_an_object(provider));
        }
    }
    let (mut key, secrets): (Key, (&[&str], &[Slot])) = match provider {
        ProviderKind::Oligon => (oligon(&fields, now)?, (&SECRET_FIELDS, &SECRET_SLOTS)),
        ProviderKind::Fiskaly => (
            fiskaly(&fields)?,
            (&FISKALY_SECRET_FIELDS, &FISKALY_SECRET_SLOTS),
        ),
        ProviderKind::Syncgram => (syncgram(&fields, now)?, (&SECRET_FIELDS, &SECRET_SLOTS)),
        ProviderKind::Strait => (strait(&fields, now)?, (&SECRET_FIELDS, &SECRET_SLOTS)),
    };
    let (secret_names, secret_slots) = secrets;
    key.raw = if secret_slots.iter().any(|slot| fields.has(*slot)) {
        Fields::of(object)
            .map(|all| all.raw_without(object, secret_names))
            .unwrap_or_default()
    } else {
        RawJson::from(object.to_owned())
    };
    Ok(key)
}

fn list_shape_error(provider: ProviderKind) -> Error {
    Error::server(
        format!(
            "{}'s key list has an unexpected shape.",
            provider.display_name()
        ),
        None,
    )
}

fn not_an_object(provider: ProviderKind) -> Error {
    Error::server(
        format!(
            "{} sent a key that is not an object.",
            provider.display_name()
        ),
        None,
    )
}

/// An object's fields in the order sent, each value as raw JSON text.
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Fields<'a> {
    /// The fields of `raw`; `None` when it is no object.
    fn of(raw: &'a RawValue) -> Option<Self> {
        serde_json::from_str(raw.get()).ok()
    }

    /// The object's text without `secrets`.
    fn raw_without(&self, object: &RawValue, secrets: &[&str]) -> RawJson {
        let is_secret = |name: &Cow<str>| secrets.contains(&name.as_ref());
        let mut text = String::with_capacity(object.get().len());
        text.push('{');
        for (name, value) in self.0.iter().filter(|(name, _)| !is_secret(name)) {
            if text.len() > 1 {
                text.push(',');
            }
            text.push_str(&Value::from(name.as_ref()).to_string());
            text.push(':');
            text.push_str(value.get());
        }
        text.push('}');
        RawValue::from_string(text)
            .map(RawJson::from)
            .unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut fields = Vec::new();
                while let Some(FieldName(name)) = map.next_key()? {
                    fields.push((name, map.next_value()?));
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// A field name, borrowed from the answer unless it had escapes.
struct FieldName<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = FieldName<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a field name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<FieldName<'de>, E> {
                Ok(FieldName(Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<FieldName<'de>, E> {
                Ok(FieldName(Cow::Owned(name.to_owned())))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// A JSON string's text, unescaped.
fn string(value: &RawValue) -> Option<Cow<'_, str>> {
    let text = value.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(text).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A metadata value as text: strings as they are, anything else as compact JSON.
fn scalar_text(value: &RawValue) -> String {
    let text = value.get();
    // An unsigned integer that fits in u64 reads back as itself, without a `Value`.
    if (1..=19).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.to_owned();
    }
    match string(value) {
        Some(text) => text.into_owned(),
        None => serde_json::from_str::<Value>(text)
            .map(|value| value.to_string())
            .unwrap_or_default(),
    }
}

fn oligon(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
    let id = required_id(object, &[Slot::Id], ProviderKind::Oligon)?;
    let prefix = object.text(Slot::Prefix);
    let last4 = object.text(Slot::Last4);
    let environment = match object.flag(Slot::IsLive) {
        Some(true) => Some(Environment::Live),
        Some(false) => Some(Environment::Test),
        None => prefix.as_deref().and_then(environment_from_prefix),
    };
    let revoked_at = object.time(Slot::RevokedAt);
    let expires_at = object.time(Slot::ExpiresAt);
    Ok(Key {
        id,
        name: object.string(Slot::Name).unwrap_or_default(),
        masked: mask(prefix.as_deref(), last4.as_deref()),
        environment,
        scopes: object.strings(Slot::Scopes),
        status: lifecycle(
            now,
            revoked_at.is_some() || object.flag(Slot::Revoked).unwrap_or(false),
            expires_at,
            None,
        ),
        created_at: object.time(Slot::CreatedAt),
        last_used_at: object.time(Slot::LastUsedAt),
        last_used_ip: object.string(Slot::LastUsedIp),
        expires_at,
        revoked_at,
        rotation: None,
        metadata: BTreeMap::new(),
        raw: RawJson::default(),
    })
}

fn fiskaly(object: &Item) -> Result<Key, Error> {
    let id = required_id(
        object,
        &[Slot::UnderscoreId, Slot::Id],
        ProviderKind::Fiskaly,
    )?;
    let environment = object
        .list(Slot::Envs)
        .and_then(|envs| envs.iter().find_map(|env| environment_word(env)))
        .or_else(|| {
            object
                .text(Slot::Kind)
                .as_deref()
                .and_then(environment_word)
        });
    let status = match object.str(Slot::Status) {
        Some(status) if status.eq_ignore_ascii_case("disabled") => KeyStatus::Disabled,
        Some(status)
            if status.eq_ignore_ascii_case("revoked") || status.eq_ignore_ascii_case("deleted") =>
        {
            KeyStatus::Revoked
        }
        _ => KeyStatus::Active,
    };
    let mut metadata = BTreeMap::new();
    // Inserted one by one: for a few entries that is cheaper than collecting, and a
    // repeated name keeps its last value either way.
    for (name, value) in object
        .raw(Slot::Metadata)
        .and_then(Fields::of)
        .map_or_else(Vec::new, |fields| fields.0)
    {
        metadata.insert(name.into_owned(), scalar_text(value));
    }
    Ok(Key {
        id,
        name: object.string(Slot::Name).unwrap_or_default(),
        // The fiskaly `key` is the public half of the pair; still, show only its ends.
        masked: object
            .text(Slot::Key)
            .as_deref()
            .map(shorten)
            .unwrap_or_default(),
        environment,
        scopes: Vec::new(),
        status,
        created_at: object.time(Slot::CreatedAt),
        last_used_at: object.time(Slot::LastUsedAt),
        last_used_ip: None,
        expires_at: object.time(Slot::ExpiresAt),
        revoked_at: None,
        rotation: None,
        metadata,
        raw: RawJson::default(),
    })
}

fn syncgram(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
    let id = required_id(object, &[Slot::ApiKeyId, Slot::Id], ProviderKind::Syncgram)?;
    let expires_at = object.time(Slot::ExpiresAt);
    let expired = expires_at.is_some_and(|at| at <= now);
    // `is_active` is false for expired keys too; those are expired, not revoked.
    let revoked = match object.flag(Slot::IsActive) {
        Some(active) => !active && !expired,
        None => object
            .str(Slot::Status)
            .is_some_and(|status| status.eq_ignore_ascii_case("revoked")),
    } || object.is_set(Slot::RevokedAt);
    let prefix = object
        .text(Slot::Prefix)
        .or_else(|| object.text(Slot::KeyPrefix));
    let last4 = object.text(Slot::Last4);
    let environment = object
        .text(Slot::Env)
        .or_else(|| object.text(Slot::Environment))
        .as_deref()
        .and_then(environment_word)
        .or_else(|| prefix.as_deref().and_then(environment_from_prefix))
        .or_else(|| {
            object
                .text(Slot::Key)
                .as_deref()
                .and_then(environment_from_prefix)
        });
    let masked = match (&prefix, &last4) {
        (None, None) => object
            .text(Slot::Key)
            .as_deref()
            .map(mask_full)
            .unwrap_or_default(),
        _ => mask(prefix.as_deref(), last4.as_deref()),
    };
    Ok(Key {
        id,
        name: object
            .text(Slot::KeyName)
            .or_else(|| object.text(Slot::Name))
            .map(Cow::into_owned)
            .unwrap_or_default(),
        masked,
        environment,
        scopes: Vec::new(),
        status: lifecycle(now, revoked, expires_at, None),
        created_at: object.time(Slot::CreatedAt),
        last_used_at: object.time(Slot::LastUsedAt),
        last_used_ip: object.string(Slot::LastUsedIp),
        expires_at,
        revoked_at: object.time(Slot::RevokedAt),
        rotation: None,
        metadata: BTreeMap::new(),
        raw: RawJson::default(),
    })
}

fn strait(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
    let id = required_id(object, &[Slot::Id, Slot::NewKeyId], ProviderKind::Strait)?;
    let revoked_at = object.time(Slot::RevokedAt);
    let expires_at = object.time(Slot::ExpiresAt);
    let rotation = Rotation {
        replaced_by: object.string(Slot::ReplacedByKeyId),
        grace_expires_at: object.time(Slot::GraceExpiresAt),
        interval_days: object
            .number(Slot::RotationIntervalDays)
            .and_then(Number::as_u64)
            .filter(|days| *days > 0)
            .and_then(|days| u32::try_from(days).ok()),
        next_rotation_at: object.time(Slot::NextRotationAt),
        webhook_url: object.string(Slot::RotationWebhookUrl),
    };
    let rotating_until = rotation.replaced_by.as_ref().and(rotation.grace_expires_at);
    let mut metadata = BTreeMap::new();
    for (field, slot) in [
        ("project_id", Slot::ProjectId),
        ("environment_id", Slot::EnvironmentId),
    ] {
        if let Some(value) = object.string(slot) {
            metadata.insert(field.to_owned(), value);
        }
    }
    Ok(Key {
        id,
        name: object.string(Slot::Name).unwrap_or_default(),
        masked: object
            .text(Slot::KeyPrefix)
            .map(|prefix| joined(&[&prefix, "…"]))
            .unwrap_or_default(),
        environment: None,
        scopes: object.strings(Slot::Scopes),
        status: lifecycle(now, revoked_at.is_some(), expires_at, rotating_until),
        created_at: object.time(Slot::CreatedAt),
        last_used_at: object.time(Slot::LastUsedAt),
        last_used_ip: object.string(Slot::LastUsedIp),
        expires_at,
        revoked_at,
        rotation: (!rotation.is_empty()).then_some(rotation),
        metadata,
        raw: RawJson::default(),
    })
}

/// Status from the facts every provider reports in some form. A key replaced in a rotation
/// is `Rotating` while its grace lasts and `Expired` after it.
fn lifecycle(
    now: DateTime<Utc>,
    revoked: bool,
    expires_at: Option<DateTime<Utc>>,
    rotating_until: Option<DateTime<Utc>>,
) -> KeyStatus {
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

fn required_id(object: &Item, slots: &[Slot], provider: ProviderKind) -> Result<String, Error> {
    slots
        .iter()
        .find_map(|slot| object.string(*slot))
        .ok_or_else(|| {
            Error::server(
                format!("{} sent a key without an id.", provider.display_name()),
                None,
            )
        })
}

fn environment_word(word: &str) -> Option<Environment> {
    let is_one_of = |words: &[&str]| words.iter().any(|known| word.eq_ignore_ascii_case(known));
    if is_one_of(&["live", "production", "prod"]) {
        Some(Environment::Live)
    } else if is_one_of(&["test", "sandbox"]) {
        Some(Environment::Test)
    } else {
        None
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
    let last4 = last4.unwrap_or_default();
    match prefix {
        Some(prefix) => joined(&[prefix.trim_end_matches('_'), "_…", last4]),
        None if last4.is_empty() => String::new(),
        None => joined(&["…", last4]),
    }
}

/// The parts one after another, in one allocation (`format!` costs more per key).
fn joined(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    parts.iter().for_each(|part| text.push_str(part));
    text
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
    let length = text.chars().count();
    if length <= 16 {
        return text.to_owned();
    }
    let head_end = text.char_indices().nth(8).map_or(text.len(), |(at, _)| at);
    let tail_start = text.char_indices().nth(length - 4).map_or(0, |(at, _)| at);
    joined(&[&text[..head_end], "…", &text[tail_start..]])
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
    fn value_and_byte_decoding_agree() {
        let text = r#"{"success": true, "data": {"keys": [
            {"api_key_id": "k1", "key_name": "a", "is_active": true, "key": "sk_live_fakefakefake1234"},
            {"api_key_id": "k2", "key_name": "b", "is_active": false}
        ]}}"#;
        let body: Value = serde_json::from_str(text).unwrap();
        let from_value = decode_list(ProviderKind::Syncgram, &body).unwrap();
        let from_bytes = decode_list_json(ProviderKind::Syncgram, text.as_bytes()).unwrap();
        assert_eq!(from_value, from_bytes);
        assert!(from_bytes[0].raw.get("key").is_none());
        assert_eq!(from_bytes[1].raw.get("key_name"), Some(json!("b")));
        assert!(decode_list_json(ProviderKind::Oligon, br#"{"oops": []}"#).is_err());
        assert!(decode_list_json(ProviderKind::Oligon, b"[1]").is_err());
    }

    #[test]
    fn an_escaped_secret_field_name_is_still_left_out() {
        let keys = decode_list_json(
            ProviderKind::Oligon,
            br#"[{"id": "k1", "k\u0065y": "sk_live_fakefakefake1234", "name": "n\u00e9"}]"#,
        )
        .unwrap();
        assert_eq!(keys[0].name, "n\u{e9}");
        assert!(!keys[0].raw.to_string().contains("fakefake"));
        assert_eq!(keys[0].raw.get("id"), Some(json!("k1")));
    }

    #[test]
    fn paging_facts_beside_the_keys() {
        let page = decode_page(
            ProviderKind::Fiskaly,
            br#"{"success": true, "data": {"data": [], "count": 250}}"#,
        )
        .unwrap();
        assert_eq!(page.count, Some(250));
        let cursor = |text: &str| {
            decode_page(ProviderKind::Strait, text.as_bytes())
                .unwrap()
                .next_cursor
        };
        assert_eq!(
            cursor(r#"{"data": [], "next_cursor": "c2", "has_more": true}"#).as_deref(),
            Some("c2")
        );
        assert_eq!(
            cursor(r#"{"data": [], "next_cursor": "c2", "has_more": false}"#),
            None
        );
        assert_eq!(cursor(r#"{"data": [], "next_cursor": null}"#), None);
        assert_eq!(cursor("[]"), None);
    }

    #[test]
    fn times_in_every_shape() {
        let text = r#"{"created_at": "2024-01-15T10:00:00Z", "expires_at": "2024-01-15T10:00:00",
            "revoked_at": 1577833200, "last_used_at": 1577833200000, "next_rotation_at": "yesterday",
            "grace_expires_at": "2024-01-15T12:00:00+02:00"}"#;
        let mut object = Item::new();
        assert!(object.read(text));
        let at = |slot| object.time(slot).map(|time| time.timestamp());
        assert_eq!(at(Slot::CreatedAt), Some(1705312800));
        assert_eq!(at(Slot::ExpiresAt), Some(1705312800));
        assert_eq!(at(Slot::RevokedAt), Some(1577833200));
        assert_eq!(at(Slot::LastUsedAt), Some(1577833200));
        assert_eq!(at(Slot::GraceExpiresAt), Some(1705312800));
        assert_eq!(at(Slot::NextRotationAt), None);
        assert_eq!(at(Slot::Name), None);
    }

    #[test]
    fn nesting_of_any_depth_is_skipped_not_refused() {
        let deep_array = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let deep_object = format!("{}1{}", r#"{"a":"#.repeat(300), "}".repeat(300));
        let text = format!(
            r#"{{"extra": {deep_object}, "data": [{{"id": "k1", "scopes": ["read", {deep_array}, {deep_object}], "other": {deep_object}}}]}}"#
        );
        let keys = decode_list_json(ProviderKind::Strait, text.as_bytes()).unwrap();
        assert_eq!(keys[0].scopes, ["read"]);
        assert!(keys[0].raw.json().contains(r#""other": {"a":"#));
    }

    #[test]
    fn metadata_values_as_text() {
        let text = r#"{"a": "x", "b": 42, "c": 18446744073709551615, "d": 1.5e3, "e": -0,
            "f": [1, {"g": null}], "h": true, "i": 123456789012345678901, "a": "last"}"#;
        let raw: &RawValue = serde_json::from_str(text).unwrap();
        let fields = Fields::of(raw).unwrap();
        let texts: Vec<String> = fields
            .0
            .iter()
            .map(|(_, value)| scalar_text(value))
            .collect();
        assert_eq!(
            texts,
            [
                "x",
                "42",
                "18446744073709551615",
                "1500.0",
                "-0.0",
                r#"[1,{"g":null}]"#,
                "true",
                "1.2345678901234567e+20",
                "last"
            ]
        );
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
    fn a_created_answer_splits_into_secrets_and_a_key_without_them() {
        let text = br#"{"success": true, "data": {"api_key_id": "k1", "key_name": "n",
            "key": "sk_live_fake\u0041fakefake1234", "secret": "", "rotation_webhook_secret": 7}}"#;
        let mut answer = split_created(
            ProviderKind::Syncgram,
            text,
            &["key", "secret", "rotation_webhook_secret"],
        )
        .unwrap();
        assert_eq!(
            answer.take_secret("key").unwrap().expose_secret(),
            "sk_live_fakeAfakefake1234"
        );
        assert!(answer.take_secret("secret").is_none(), "empty is no secret");
        assert!(answer.take_secret("rotation_webhook_secret").is_none());
        assert!(!answer.key.to_string().contains("fake"));
        assert_eq!(answer.key["api_key_id"], "k1");
        // fiskaly's `key` is public: it stays in the key object and is a secret to show too.
        let mut fiskaly = split_created(
            ProviderKind::Fiskaly,
            br#"{"_id": "f1", "key": "test_fakepublic", "secret": "fakesecret"}"#,
            &["key", "secret"],
        )
        .unwrap();
        assert_eq!(fiskaly.key["key"], "test_fakepublic");
        assert!(fiskaly.key.get("secret").is_none());
        assert!(fiskaly.take_secret("secret").is_some());
        assert!(split_created(ProviderKind::Oligon, b"[]", &["key"]).is_none());
        assert!(split_created(ProviderKind::Oligon, b"<html>", &["key"]).is_none());
    }

    #[test]
    fn full_key_masking_keeps_only_prefix_and_last4() {
        assert_eq!(mask_full("sk_live_a1b2c3d4e5f6g7h8i9j0"), "sk_live_…i9j0");
        assert_eq!(mask_full("short"), "…");
    }
}
