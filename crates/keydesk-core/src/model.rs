//! The normalized key model every provider maps into (see docs/IPC.md for the JSON).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// Gives a fieldless enum whose JSON and command-line form is one word per variant its
/// `as_str`, a `Display` printing that word and, with a `parse(noun, choices)` clause, a
/// case-insensitive `FromStr` failing with "unknown {noun} {text:?}: use {choices}"; so
/// each word is written once.
macro_rules! word_enum {
    (
        $(#[$as_str_doc:meta])*
        $enum:ident { $($variant:ident => $word:literal),+ $(,)? }
    ) => {
        impl $enum {
            $(#[$as_str_doc])*
            pub fn as_str(self) -> &'static str {
                match self {
                    $($enum::$variant => $word,)+
                }
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    (
        $(#[$as_str_doc:meta])*
        $enum:ident { $($variant:ident => $word:literal),+ $(,)? }
        parse($noun:literal, $choices:literal)
    ) => {
        word_enum! { $(#[$as_str_doc])* $enum { $($variant => $word),+ } }

        impl std::str::FromStr for $enum {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                [$($enum::$variant),+]
                    .into_iter()
                    .find(|value| value.as_str().eq_ignore_ascii_case(text.trim()))
                    .ok_or_else(|| format!(concat!("unknown ", $noun, " {:?}: use ", $choices), text))
            }
        }
    };
}
pub(crate) use word_enum;

/// Which key-management API a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Oligon Receipts (`sk_live_…` / `sk_test_…` keys).
    Oligon,
    /// fiskaly Management (key + secret pairs).
    Fiskaly,
    /// SyncgramPay (one active key per organisation).
    Syncgram,
    /// Strait project keys (rotation with grace).
    Strait,
}

impl ProviderKind {
    /// All providers, in the order the UI lists them.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Oligon,
        ProviderKind::Fiskaly,
        ProviderKind::Syncgram,
        ProviderKind::Strait,
    ];

    /// The name people know the provider by.
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Oligon => "Oligon Receipts",
            ProviderKind::Fiskaly => "fiskaly",
            ProviderKind::Syncgram => "SyncgramPay",
            ProviderKind::Strait => "Strait",
        }
    }
}

word_enum! {
    /// The identifier used in JSON and on the command line.
    ProviderKind {
        Oligon => "oligon",
        Fiskaly => "fiskaly",
        Syncgram => "syncgram",
        Strait => "strait",
    }
    parse("provider", "oligon, fiskaly, syncgram or strait")
}

/// Whether a key works against real money / production data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Production.
    Live,
    /// Test mode.
    Test,
}

impl Environment {
    /// `"live"` or `"test"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Live => "live",
            Environment::Test => "test",
        }
    }
}

/// Where a key stands. Serialized as a plain lowercase string; the end of a rotation's
/// grace period lives in [`Rotation::grace_expires_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Usable.
    Active,
    /// Permanently invalidated.
    Revoked,
    /// Switched off, can be enabled again (fiskaly).
    Disabled,
    /// Past its expiry time.
    Expired,
    /// Replaced by a newer key but still accepted until the grace period ends (Strait).
    Rotating,
}

impl KeyStatus {
    /// The lowercase word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Disabled => "disabled",
            KeyStatus::Expired => "expired",
            KeyStatus::Rotating => "rotating",
        }
    }
}

/// Rotation facts of a key (Strait).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rotation {
    /// Id of the key that replaced this one.
    pub replaced_by: Option<String>,
    /// Until when this key is still accepted after being replaced.
    pub grace_expires_at: Option<DateTime<Utc>>,
    /// Automatic rotation period.
    pub interval_days: Option<u32>,
    /// When the next automatic rotation happens.
    pub next_rotation_at: Option<DateTime<Utc>>,
    /// Where the provider announces rotations.
    pub webhook_url: Option<String>,
}

impl Rotation {
    pub(crate) fn is_empty(&self) -> bool {
        self == &Rotation::default()
    }
}

/// One API key as every provider's keys look to the app. Never holds a secret. Serialized
/// (and so sent to the UI) without its raw JSON; [`Key::with_raw`] adds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Key {
    /// The provider's id for the key (used in every action).
    pub id: String,
    /// The display label.
    pub name: String,
    /// A recognisable but useless form of the key, e.g. `sk_live_…x9k2`.
    pub masked: String,
    /// Live or test, when the provider says.
    pub environment: Option<Environment>,
    /// Permissions granted to the key.
    pub scopes: Vec<String>,
    /// Where the key stands.
    pub status: KeyStatus,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last used, if the provider tracks it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// From which address it was last used, if the provider tracks it.
    pub last_used_ip: Option<String>,
    /// When it stops working on its own.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Rotation facts, for providers that rotate.
    pub rotation: Option<Rotation>,
    /// Custom key-value data (fiskaly metadata, Strait environment id…).
    pub metadata: Metadata,
    /// The provider's own JSON for the details pane, with any secret removed. Left out when
    /// the key is serialized, so a list of keys does not carry it (see [`Key::with_raw`]).
    #[serde(skip_serializing, default)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub raw: RawJson,
}

impl Key {
    /// A key known only by its id, name, masked form and status (every other fact empty), as
    /// Keydesk recorded a key its provider no longer lists.
    pub fn bare(id: String, name: String, masked: String, status: KeyStatus) -> Self {
        Key {
            id,
            name,
            masked,
            environment: None,
            scopes: Vec::new(),
            status,
            created_at: None,
            last_used_at: None,
            last_used_ip: None,
            expires_at: None,
            revoked_at: None,
            rotation: None,
            metadata: BTreeMap::new(),
            raw: RawJson::default(),
        }
    }

    /// This key without its raw JSON, as a snapshot or a held list keeps it.
    pub fn without_raw(&self) -> Key {
        Key {
            raw: RawJson::default(),
            ..self.clone()
        }
    }

    /// This key serialized with its raw JSON under `raw`, after every other field.
    pub fn with_raw(&self) -> KeyWithRaw<'_> {
        KeyWithRaw {
            key: self,
            raw: &self.raw,
        }
    }
}

/// A key's custom key-value data. A name that is the same for every key of a provider (Strait's
/// `project_id`) is borrowed rather than allocated per key: the names' allocations showed in
/// the decoder's profile. Serialized as a plain string-to-string map.
pub type Metadata = BTreeMap<Cow<'static, str>, String>;

/// A [`Key`] that serializes with its raw JSON (see [`Key::with_raw`]).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyWithRaw<'a> {
    #[serde(flatten)]
    key: &'a Key,
    raw: &'a RawJson,
}

/// A piece of JSON kept as the text the provider sent and serialized as that JSON, so a
/// list of 10,000 keys builds no `Value` tree that only the details pane would read.
///
/// The text is always one whole JSON value: it comes from a `RawValue`, a `Value`, or text
/// the decoder has just parsed whole, so it is not checked again when a key is made (a
/// `Box<RawValue>` would be, and that check showed in the decoder's profile).
///
/// `null` is held as nothing: every decoded key starts with it until its text is set, and
/// allocating a `null` per key only to drop it showed in the decoder's profile.
#[derive(Clone, Default)]
pub struct RawJson(Option<Box<str>>);

impl RawJson {
    /// The JSON text.
    pub fn json(&self) -> &str {
        self.0.as_deref().unwrap_or("null")
    }

    /// Text that has just been parsed as one whole JSON value, without surrounding spaces.
    pub(crate) fn parsed(text: &str) -> Self {
        RawJson(Some(text.into()))
    }

    /// The text as a `RawValue`, for serializing it as JSON (where it is read once more).
    fn raw(&self) -> &RawValue {
        serde_json::from_str(self.json()).unwrap_or(RawValue::NULL)
    }

    /// The JSON as a `Value`.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.json()).unwrap_or(Value::Null)
    }

    /// The field `name` when this is an object that has it.
    pub fn get(&self, name: &str) -> Option<Value> {
        match self.to_value() {
            Value::Object(mut fields) => fields.remove(name),
            _ => None,
        }
    }
}

/// As the text held was always shown: `RawJson(RawValue(…))`.
impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.raw()).finish()
    }
}

impl From<Box<RawValue>> for RawJson {
    fn from(raw: Box<RawValue>) -> Self {
        RawJson(Some(raw.into()))
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> Self {
        // A `Value` always prints as valid JSON.
        RawJson(Some(value.to_string().into_boxed_str()))
    }
}

/// Equal when the JSON is, whatever the spacing and field order.
impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json() || self.to_value() == other.to_value()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(RawJson::from)
    }
}

/// What the user asks for when creating a key. Which fields count depends on the provider
/// (see [`crate::Capabilities::create_fields`]); the rest must stay empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct KeyDraft {
    /// Display label (fiskaly: the key name, `^[a-z0-9-]{3,30}$`).
    pub name: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Live or test.
    pub environment: Option<Environment>,
    /// Lifetime in days.
    pub expires_in_days: Option<u32>,
    /// Custom key-value data (fiskaly).
    pub metadata: BTreeMap<String, String>,
    /// fiskaly key kind, `live` or `test`: an alias of `environment` for people who know
    /// fiskaly's word; when both are set they must agree.
    pub kind: Option<String>,
    /// Automatic rotation period (Strait).
    pub rotation_interval_days: Option<u32>,
    /// Where Strait announces rotations.
    pub rotation_webhook_url: Option<String>,
}

/// One secret returned by a create or rotate, shown to the user exactly once.
/// Deliberately not `Serialize`: it leaves core only through `expose_secret`.
#[derive(Debug, Clone)]
pub struct RevealedSecret {
    /// What this secret is ("API key", "API secret", "Webhook secret").
    pub label: String,
    /// The plaintext, redacted in `Debug`.
    pub value: SecretString,
}

/// A freshly created (or rotated-in) key with the secrets that exist only in this answer.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// The new key's metadata.
    pub key: Key,
    /// Its secrets, in the order the provider documents them.
    pub secrets: Vec<RevealedSecret>,
}

/// The result of a create.
#[derive(Debug, Clone)]
pub enum CreateOutcome {
    /// The key exists and its secrets reached us.
    Created(CreatedKey),
    /// The create's answer was lost. `key` is the key that the provider now lists and whose
    /// secret never arrived (revoke it); `None` when a new list could not say.
    Orphaned {
        /// The orphaned key, when it could be identified.
        key: Option<Key>,
    },
}

/// How far a long inventory has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    /// Pages fetched so far.
    pub page: u32,
    /// Pages in total, when known.
    pub pages: Option<u32>,
}

/// A callback told about inventory progress; called from the task doing the listing.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// An action a provider may offer on keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Mint a new key.
    Create,
    /// Invalidate a key for good.
    Revoke,
    /// Remove a key's record.
    Delete,
    /// Switch a disabled key back on.
    Enable,
    /// Switch a key off without losing it.
    Disable,
    /// Replace a key with a new one, keeping the old one alive for a grace period.
    Rotate,
}

impl Action {
    /// The lowercase word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Revoke => "revoke",
            Action::Delete => "delete",
            Action::Enable => "enable",
            Action::Disable => "disable",
            Action::Rotate => "rotate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn raw_json_null_reads_as_it_did_when_it_was_allocated() {
        let none = RawJson::default();
        let parsed = RawJson::from(Value::Null);
        for raw in [&none, &parsed] {
            assert_eq!(raw.json(), "null");
            assert_eq!(raw.to_string(), "null");
            assert_eq!(raw.to_value(), Value::Null);
            assert_eq!(format!("{raw:?}"), "RawJson(RawValue(null))");
            assert_eq!(serde_json::to_string(raw).unwrap(), "null");
        }
        assert_eq!(none, parsed);
        let object = RawJson::from(json!({"id": "k1"}));
        assert_eq!(format!("{object:?}"), r#"RawJson(RawValue({"id":"k1"}))"#);
        assert_ne!(none, object);
    }

    #[test]
    fn key_serializes_in_the_ipc_shape() {
        let key = Key {
            id: "k1".into(),
            name: "Production".into(),
            masked: "sk_live_…x9k2".into(),
            environment: Some(Environment::Live),
            scopes: vec!["extract:read".into()],
            status: KeyStatus::Rotating,
            created_at: Some("2026-05-20T09:00:00Z".parse().unwrap()),
            last_used_at: None,
            last_used_ip: None,
            expires_at: None,
            revoked_at: None,
            rotation: Some(Rotation {
                replaced_by: Some("k2".into()),
                grace_expires_at: Some("2026-05-20T10:00:00Z".parse().unwrap()),
                ..Rotation::default()
            }),
            metadata: BTreeMap::new(),
            raw: json!({"id": "k1"}).into(),
        };
        let without_raw = serde_json::to_value(&key).unwrap();
        assert!(without_raw.get("raw").is_none(), "{without_raw}");
        assert_eq!(
            serde_json::to_value(key.with_raw()).unwrap(),
            json!({
                "id": "k1", "name": "Production", "masked": "sk_live_…x9k2",
                "environment": "live", "scopes": ["extract:read"], "status": "rotating",
                "created_at": "2026-05-20T09:00:00Z", "last_used_at": null, "last_used_ip": null,
                "expires_at": null, "revoked_at": null,
                "rotation": {"replaced_by": "k2", "grace_expires_at": "2026-05-20T10:00:00Z",
                             "interval_days": null, "next_rotation_at": null, "webhook_url": null},
                "metadata": {}, "raw": {"id": "k1"}
            })
        );
    }

    #[test]
    fn draft_accepts_partial_json() {
        let draft: KeyDraft = serde_json::from_value(json!({"name": "ci"})).unwrap();
        assert_eq!(draft.name, "ci");
        assert!(draft.scopes.is_empty() && draft.environment.is_none());
    }

    #[test]
    fn revealed_secret_debug_is_redacted() {
        let secret = RevealedSecret {
            label: "API key".into(),
            value: SecretString::from("sk_live_fake_do_not_show"),
        };
        assert!(!format!("{secret:?}").contains("fake_do_not_show"));
    }

    #[test]
    fn provider_kind_parses_case_insensitively() {
        assert_eq!(
            "Fiskaly".parse::<ProviderKind>().unwrap(),
            ProviderKind::Fiskaly
        );
        assert_eq!(" strait ".parse::<ProviderKind>(), Ok(ProviderKind::Strait));
        assert_eq!(
            "stripe".parse::<ProviderKind>(),
            Err(r#"unknown provider "stripe": use oligon, fiskaly, syncgram or strait"#.to_owned())
        );
        assert_eq!(ProviderKind::Syncgram.to_string(), "syncgram");
    }
}
