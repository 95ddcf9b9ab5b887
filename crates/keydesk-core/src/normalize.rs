//! Turning each provider's JSON into the normalized [`Key`]. Tolerant by design: unknown
//! fields are ignored, missing optional fields become `None`, and no input makes it panic.
//!
//! Answers are read from their bytes one level at a time: a list into its items' raw text,
//! an item into its fields' raw text, and only the fields the model uses are parsed. No
//! `serde_json::Value` tree is built for a list, and a key's [`Key::raw`] is its object's
//! text as sent, rebuilt only when a secret field has to be left out.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Number, Value};

use std::collections::BTreeMap;

use crate::error::Error;
use crate::model::{Environment, Key, KeyStatus, ProviderKind, RawJson};

mod body;
mod item;
mod timestamp;

use body::Body;
pub(crate) use item::{Item, Slot};

use timestamp::parse_time;

/// A field that holds a secret in some answers, and the slot it is read into.
pub(crate) type SecretField = (&'static str, Slot);

/// The fields that hold a secret in most providers' answers; they never reach [`Key::raw`].
/// A provider whose answers differ declares its own.
pub(crate) const SECRET_FIELDS: [SecretField; 4] = [
    ("key", Slot::Key),
    ("secret", Slot::Secret),
    ("api_secret", Slot::ApiSecret),
    ("rotation_webhook_secret", Slot::RotationWebhookSecret),
];

/// How one provider's key objects read: what the decoding here asks of a provider.
#[derive(Debug)]
pub(crate) struct WireFormat {
    /// Whose answers these are (named in errors).
    pub provider: ProviderKind,
    /// One key object, normalized (`now` decides expiry).
    pub normalize: fn(&Item<'_>, DateTime<Utc>) -> Result<Key, Error>,
    /// The fields of its answers that hold a secret and never reach [`Key::raw`].
    pub secret_fields: &'static [SecretField],
}

impl WireFormat {
    /// `provider`'s answers, read into keys by `normalize`, with secrets at `secret_fields`.
    pub const fn new(
        provider: ProviderKind,
        normalize: fn(&Item<'_>, DateTime<Utc>) -> Result<Key, Error>,
        secret_fields: &'static [SecretField],
    ) -> Self {
        WireFormat {
            provider,
            normalize,
            secret_fields,
        }
    }
}

/// Normalizes one list answer (or one page of it) in `format` into keys. Accepts every
/// shape the documents and the deployments use: bare arrays, `{data}`, `{keys}` and the
/// `{success, data}` envelope.
pub(crate) fn decode_list(format: &WireFormat, body: &Value) -> Result<Vec<Key>, Error> {
    let bytes = serde_json::to_vec(body).map_err(|_| list_shape_error(format.provider))?;
    decode_list_json(format, &bytes)
}

/// [`decode_list`] straight from the bytes of an answer, the way the clients read lists.
pub(crate) fn decode_list_json(format: &WireFormat, bytes: &[u8]) -> Result<Vec<Key>, Error> {
    Ok(decode_page(format, bytes)?.keys)
}

/// Normalizes one key object in `format`.
pub(crate) fn decode_key(format: &WireFormat, item: &Value) -> Result<Key, Error> {
    let provider = format.provider;
    let text = serde_json::to_string(item).map_err(|_| not_an_object(provider))?;
    decode_item(format, &text, &mut Item::new(), Utc::now())
}

/// A create or rotate answer taken apart without a `Value` copy of its secrets: the key
/// object minus every secret field (to decode the key's metadata from), and the secrets
/// asked for, each straight into a [`SecretString`].
pub(crate) struct CreatedAnswer {
    /// The key object (out of a `{success, data}` envelope) without its secret fields.
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

/// Splits a create/rotate answer in `format` into its key object and the string secrets at
/// `secret_fields`. `None` when the answer is no JSON object. A secret is copied once, into
/// its [`SecretString`]; one sent with JSON escapes is unescaped through a transient
/// `String` that moves into it.
pub(crate) fn split_created(
    format: &WireFormat,
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
    let key = fields
        .raw_without(object.get(), format.secret_fields)
        .to_value();
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
    /// How many keys there are in all (`count`, with offset paging).
    pub count: Option<u64>,
    /// Where the next page starts (`next_cursor`, unless `has_more` is false).
    pub next_cursor: Option<String>,
}

/// Reads a list answer's keys and paging facts from its bytes.
pub(crate) fn decode_page(format: &WireFormat, bytes: &[u8]) -> Result<Page, Error> {
    if let Some(keys) = decode_bare_list(format, bytes) {
        return Ok(Page {
            keys,
            count: None,
            next_cursor: None,
        });
    }
    decode_any_page(format, bytes)
}

/// [`decode_page`] for every shape of answer.
fn decode_any_page(format: &WireFormat, bytes: &[u8]) -> Result<Page, Error> {
    let provider = format.provider;
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
    let mut fields = Item::new();
    for item in items {
        keys.push(decode_item(format, item.get(), &mut fields, now)?);
    }
    Ok(Page {
        keys,
        count,
        next_cursor,
    })
}

/// The spaces JSON allows between values.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// A list answer that is a bare array of key objects (Strait's and Oligon's), read without
/// the pass of [`decode_page`] that checks every item before the items are read: each item
/// is found by its brackets and then read strictly, which checks it as well.
///
/// `None` when the answer is anything else or anything in it is amiss (not UTF-8, no array,
/// an item that is no object or fails to decode): [`decode_page`] then reads it the general
/// way, and gives the keys or the error it always gave. When this answers, every item was
/// parsed whole and the text between them is the array's, so the general way would have
/// read the same items' text and made the same keys of it.
fn decode_bare_list(format: &WireFormat, bytes: &[u8]) -> Option<Vec<Key>> {
    // Other answers are not checked for UTF-8 here only to be read the general way.
    if bytes.trim_ascii_start().first() != Some(&b'[') {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text
        .trim_start_matches(JSON_SPACE)
        .strip_prefix('[')?
        .trim_start_matches(JSON_SPACE);
    let mut items = Vec::new();
    match rest.strip_prefix(']') {
        Some(after) => rest = after,
        None => loop {
            let item = rest.get(..object_len(rest)?)?;
            items.push(item);
            rest = rest[item.len()..].trim_start_matches(JSON_SPACE);
            match rest.strip_prefix(',') {
                Some(after) => rest = after.trim_start_matches(JSON_SPACE),
                None => {
                    rest = rest.strip_prefix(']')?;
                    break;
                }
            }
        },
    }
    if !rest.trim_start_matches(JSON_SPACE).is_empty() {
        return None;
    }
    let now = Utc::now();
    let mut keys = Vec::with_capacity(items.len());
    let mut fields = Item::new();
    for item in items {
        keys.push(decode_item(format, item, &mut fields, now).ok()?);
    }
    Some(keys)
}

/// The length of the object `text` starts with, found by counting brackets outside strings.
/// For a valid object that is exactly its end; for anything else it is some end (or `None`)
/// and the strict read of the item refuses what it found.
fn object_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut depth = 0_usize;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => loop {
                // To the closing quote, stepping over each escaped character.
                at = quote_or_backslash(bytes, at + 1)?;
                if bytes[at] == b'"' {
                    break;
                }
                at += 1;
            },
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The cursor of the next page, if the answer says there is one.
fn next_cursor(body: &Body) -> Option<String> {
    let cursor = body.get("next_cursor")?.text()?;
    match body.get("has_more").and_then(Body::flag) {
        Some(false) => None,
        _ => Some(cursor),
    }
}

/// Where the first `"` or `\` of `bytes` at or after `at` is. Eight bytes at a time, as
/// `memchr2` does, but without its set-up, which costs more than the short strings of a
/// key take to scan.
fn quote_or_backslash(bytes: &[u8], mut at: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // A byte of `word ^ pattern` is zero where `word` has the pattern's byte; the lowest
    // byte flagged this way is always a true one.
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let found = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    let offset = tail
        .iter()
        .position(|&byte| byte == b'"' || byte == b'\\')?;
    Some(at + offset)
}

/// Normalizes one listed item, the text of one JSON value: a key object, possibly in an
/// envelope. `fields` is read anew for it (see [`Item`]).
fn decode_item<'a>(
    format: &WireFormat,
    item: &'a str,
    fields: &mut Item<'a>,
    now: DateTime<Utc>,
) -> Result<Key, Error> {
    let provider = format.provider;
    let mut object = item;
    if !fields.read(item) {
        return Err(not_an_object(provider));
    }
    if fields.flag(Slot::Success).is_some()
        && let Some(data) = fields.raw(Slot::Data)
    {
        object = data.get();
        if !fields.read(object) {
            return Err(not_an_object(provider));
        }
    }
    let mut key = (format.normalize)(fields, now)?;
    let secrets = format.secret_fields;
    key.raw = if secrets.iter().any(|(_, slot)| fields.has(*slot)) {
        Fields::of_text(object)
            .map(|all| all.raw_without(object, secrets))
            .unwrap_or_default()
    } else {
        // Read whole just now, by `fields`.
        RawJson::parsed(object)
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
pub(crate) struct Fields<'a>(pub(crate) Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Fields<'a> {
    /// The fields of `raw`; `None` when it is no object.
    pub(crate) fn of(raw: &'a RawValue) -> Option<Self> {
        Self::of_text(raw.get())
    }

    /// The fields of the JSON `text`; `None` when it is no object.
    fn of_text(text: &'a str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The object's text without `secrets`.
    fn raw_without(&self, object: &str, secrets: &[SecretField]) -> RawJson {
        let is_secret = |name: &Cow<str>| secrets.iter().any(|(secret, _)| secret == name);
        let mut text = String::with_capacity(object.len());
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
pub(crate) fn string(value: &RawValue) -> Option<Cow<'_, str>> {
    let text = value.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(text).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A metadata value as text: strings as they are, anything else as compact JSON.
pub(crate) fn scalar_text(value: &RawValue) -> String {
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

/// Status from the facts every provider reports in some form. A key replaced in a rotation
/// is `Rotating` while its grace lasts and `Expired` after it.
pub(crate) fn lifecycle(
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

pub(crate) fn required_id(
    object: &Item,
    slots: &[Slot],
    provider: ProviderKind,
) -> Result<String, Error> {
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

/// A key with `id` and the facts most providers send under the same names (`name`, the
/// times, `last_used_ip`); the rest is empty for the provider to fill in. Starts `Active`.
pub(crate) fn key_with_common_fields(object: &Item, id: String) -> Key {
    Key {
        id,
        name: object.string(Slot::Name).unwrap_or_default(),
        masked: String::new(),
        environment: None,
        scopes: Vec::new(),
        status: KeyStatus::Active,
        created_at: object.time(Slot::CreatedAt),
        last_used_at: object.time(Slot::LastUsedAt),
        last_used_ip: object.string(Slot::LastUsedIp),
        expires_at: object.time(Slot::ExpiresAt),
        revoked_at: object.time(Slot::RevokedAt),
        rotation: None,
        metadata: BTreeMap::new(),
        raw: RawJson::default(),
    }
}

pub(crate) fn environment_word(word: &str) -> Option<Environment> {
    let is_one_of = |words: &[&str]| words.iter().any(|known| word.eq_ignore_ascii_case(known));
    if is_one_of(&["live", "production", "prod"]) {
        Some(Environment::Live)
    } else if is_one_of(&["test", "sandbox"]) {
        Some(Environment::Test)
    } else {
        None
    }
}

pub(crate) fn environment_from_prefix(prefix: &str) -> Option<Environment> {
    if prefix.starts_with("sk_live") || prefix.starts_with("pk_live") {
        Some(Environment::Live)
    } else if prefix.starts_with("sk_test") || prefix.starts_with("pk_test") {
        Some(Environment::Test)
    } else {
        None
    }
}

/// `sk_live_…x9k2` from a prefix and the last four characters.
pub(crate) fn mask(prefix: Option<&str>, last4: Option<&str>) -> String {
    let last4 = last4.unwrap_or_default();
    match prefix {
        Some(prefix) => joined(&[prefix.trim_end_matches('_'), "_…", last4]),
        None if last4.is_empty() => String::new(),
        None => joined(&["…", last4]),
    }
}

/// The parts one after another, in one allocation (`format!` costs more per key).
pub(crate) fn joined(parts: &[&str]) -> String {
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
pub(crate) fn shorten(text: &str) -> String {
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
    fn an_item_read_again_keeps_nothing_of_the_object_before() {
        let mut object = Item::new();
        assert!(object.read(r#"{"id": "k1", "name": "first", "scopes": ["a", "b", "c"]}"#));
        assert_eq!(object.strings(Slot::Scopes), ["a", "b", "c"]);
        assert!(object.read(r#"{"id": "k2", "scopes": ["d"]}"#));
        assert_eq!(object.str(Slot::Id), Some("k2"));
        assert!(!object.has(Slot::Name));
        assert_eq!(object.strings(Slot::Scopes), ["d"]);
        assert!(!object.read(r#"{"id": "k3", "name": "half"#));
        assert!(object.read(r#"{"name": "last"}"#));
        assert!(!object.has(Slot::Id));
        assert!(!object.has(Slot::Scopes));
        assert_eq!(object.str(Slot::Name), Some("last"));
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

    /// A provider that reads the id, the common fields, scopes and `key_prefix`.
    static TEST_FORMAT: WireFormat = WireFormat::new(
        ProviderKind::Strait,
        |object, _| {
            let id = required_id(object, &[Slot::Id], ProviderKind::Strait)?;
            Ok(Key {
                scopes: object.strings(Slot::Scopes),
                masked: object.string(Slot::KeyPrefix).unwrap_or_default(),
                ..key_with_common_fields(object, id)
            })
        },
        &SECRET_FIELDS,
    );

    #[test]
    fn a_bare_list_read_in_one_pass_gives_what_the_general_way_gives() {
        let format = &TEST_FORMAT;
        let key = r#"{"id": "k\"}]1", "name": "a [b] {c}", "scopes": ["read", ["x", {"y": "]"}]],
            "metadata": {"a": "}"}, "key_prefix": "strait_\\", "other": [[[]]], "n": 1e3}"#;
        let with_secret = r#"{"id": "k2", "key": "strait_secret", "name": "b"}"#;
        let read_in_one_pass = [
            "[]".to_owned(),
            " \t\r\n[ \n] \n".to_owned(),
            format!("[{key}]"),
            format!("\n[ {key} ,\n{with_secret}\t]\r\n"),
            format!(r#"[{key}, {{"success": true, "data": {key}}}]"#),
            r#"[{"id": "k1", "unread": 1e400}]"#.to_owned(),
        ];
        for text in &read_in_one_pass {
            let keys = decode_bare_list(format, text.as_bytes()).unwrap();
            assert_eq!(
                keys,
                decode_any_page(format, text.as_bytes()).unwrap().keys,
                "{text}"
            );
        }
        let left_to_the_general_way = [
            "".to_owned(),
            "{}".to_owned(),
            "[".to_owned(),
            "[,]".to_owned(),
            format!("[{key},]"),
            format!("[{key}] x"),
            format!("[{key} {key}]"),
            format!("[{key}, 1]"),
            r#"[{"name": "no id"}]"#.to_owned(),
            r#"[{"id": "k1"]]"#.to_owned(),
            r#"[{"id": "k1\"}]"#.to_owned(),
            r#"[{"id": "k1", "scopes": [}]"#.to_owned(),
            r#"[{"id": "k1", "expires_at": 1e400}]"#.to_owned(),
            r#"[{"id": "k1", "name": "\ud800"}]"#.to_owned(),
        ];
        for text in &left_to_the_general_way {
            assert!(
                decode_bare_list(format, text.as_bytes()).is_none(),
                "{text}"
            );
        }
        let not_utf8 = b"[{\"id\": \"k\xff\"}]";
        assert!(decode_bare_list(format, not_utf8).is_none());
        assert!(decode_page(format, not_utf8).is_err());
    }

    #[test]
    fn quote_or_backslash_finds_the_first_of_either_at_every_offset() {
        let text = "ab\"cdefghij\\klmnopqrstu\u{e9}v\"wxyz";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() + 1 {
            let expected = bytes
                .get(from..)
                .and_then(|tail| tail.iter().position(|&byte| byte == b'"' || byte == b'\\'))
                .map(|offset| from + offset);
            assert_eq!(quote_or_backslash(bytes, from), expected, "from {from}");
        }
        assert_eq!(quote_or_backslash(&[0x80 | b'"'; 9], 0), None);
    }

    #[test]
    fn full_key_masking_keeps_only_prefix_and_last4() {
        assert_eq!(mask_full("sk_live_a1b2c3d4e5f6g7h8i9j0"), "sk_live_…i9j0");
        assert_eq!(mask_full("short"), "…");
    }
}
