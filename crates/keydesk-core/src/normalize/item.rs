//! One key object read in a single pass into the fields the normalizers use.
//!
//! Each field the decoders know lands in its slot as a typed value (strings borrowed from the
//! answer unless they had escapes); unknown fields are skipped without being kept. This
//! replaces reading every field as raw text and parsing each one again.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Number;
use serde_json::value::RawValue;

use super::{FieldName, parse_time};

/// The fields any provider's normalizer reads. Secret fields have slots too, so the decoder
/// knows when [`crate::Key::raw`] has to leave them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Id,
    UnderscoreId,
    ApiKeyId,
    NewKeyId,
    Name,
    KeyName,
    Prefix,
    KeyPrefix,
    Last4,
    Key,
    Secret,
    ApiSecret,
    RotationWebhookSecret,
    IsLive,
    Revoked,
    IsActive,
    Success,
    Data,
    Status,
    Kind,
    Env,
    Environment,
    Envs,
    Scopes,
    Metadata,
    RevokedAt,
    ExpiresAt,
    CreatedAt,
    LastUsedAt,
    GraceExpiresAt,
    NextRotationAt,
    LastUsedIp,
    ReplacedByKeyId,
    RotationIntervalDays,
    RotationWebhookUrl,
    ProjectId,
    EnvironmentId,
}

const SLOTS: usize = Slot::EnvironmentId as usize + 1;

impl Slot {
    /// The slot of a field name as sent (after unescaping).
    fn of(name: &str) -> Option<Slot> {
        Some(match name {
            "id" => Slot::Id,
            "_id" => Slot::UnderscoreId,
            "api_key_id" => Slot::ApiKeyId,
            "new_key_id" => Slot::NewKeyId,
            "name" => Slot::Name,
            "key_name" => Slot::KeyName,
            "prefix" => Slot::Prefix,
            "key_prefix" => Slot::KeyPrefix,
            "last4" => Slot::Last4,
            "key" => Slot::Key,
            "secret" => Slot::Secret,
            "api_secret" => Slot::ApiSecret,
            "rotation_webhook_secret" => Slot::RotationWebhookSecret,
            "is_live" => Slot::IsLive,
            "revoked" => Slot::Revoked,
            "is_active" => Slot::IsActive,
            "success" => Slot::Success,
            "data" => Slot::Data,
            "status" => Slot::Status,
            "kind" => Slot::Kind,
            "env" => Slot::Env,
            "environment" => Slot::Environment,
            "_envs" => Slot::Envs,
            "scopes" => Slot::Scopes,
            "metadata" => Slot::Metadata,
            "revoked_at" => Slot::RevokedAt,
            "expires_at" => Slot::ExpiresAt,
            "created_at" => Slot::CreatedAt,
            "last_used_at" => Slot::LastUsedAt,
            "grace_expires_at" => Slot::GraceExpiresAt,
            "next_rotation_at" => Slot::NextRotationAt,
            "last_used_ip" => Slot::LastUsedIp,
            "replaced_by_key_id" => Slot::ReplacedByKeyId,
            "rotation_interval_days" => Slot::RotationIntervalDays,
            "rotation_webhook_url" => Slot::RotationWebhookUrl,
            "project_id" => Slot::ProjectId,
            "environment_id" => Slot::EnvironmentId,
            _ => return None,
        })
    }
}

/// A field's value as far as the normalizers care.
#[derive(Debug, Default)]
enum Val<'a> {
    /// The field was not sent.
    #[default]
    Absent,
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    /// An array, with its string items (the others are of no use to any normalizer).
    List(Vec<Cow<'a, str>>),
    /// `metadata` and `data`, kept as text: read only when present and then as a whole.
    Raw(&'a RawValue),
    /// An object where no normalizer expects one.
    Other,
}

/// A key object's known fields; the last one wins when a name repeats, as in `Value`.
/// One is read per listed key, so it is emptied and read again rather than made anew: only
/// the slots the last key filled are reset (`filled`, one bit per slot).
/// The lists of the last key are kept emptied in `spare_lists`, for the next key's lists.
pub(crate) struct Item<'a> {
    slots: [Val<'a>; SLOTS],
    filled: u64,
    spare_lists: Vec<Vec<Cow<'a, str>>>,
}

// `filled` has a bit for every slot.
const _: () = assert!(SLOTS <= u64::BITS as usize);

impl<'a> Item<'a> {
    pub fn new() -> Self {
        Item {
            slots: std::array::from_fn(|_| Val::Absent),
            filled: 0,
            spare_lists: Vec::new(),
        }
    }

    /// Reads one object into emptied slots; `false` when `text` is no object.
    pub fn read(&mut self, text: &'a str) -> bool {
        self.clear();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        ItemSeed(self).deserialize(&mut deserializer).is_ok() && deserializer.end().is_ok()
    }

    /// Every slot back to absent.
    fn clear(&mut self) {
        let mut filled = std::mem::take(&mut self.filled);
        while filled != 0 {
            let slot = filled.trailing_zeros() as usize;
            if let Val::List(mut items) = std::mem::take(&mut self.slots[slot]) {
                items.clear();
                self.spare_lists.push(items);
            }
            filled &= filled - 1;
        }
    }

    fn set(&mut self, slot: Slot, value: Val<'a>) {
        self.slots[slot as usize] = value;
        self.filled |= 1 << slot as u32;
    }

    fn val(&self, slot: Slot) -> &Val<'a> {
        &self.slots[slot as usize]
    }

    /// Whether the field was sent at all, whatever its value.
    pub fn has(&self, slot: Slot) -> bool {
        !matches!(self.val(slot), Val::Absent)
    }

    /// Whether the field was sent with a value other than `null`.
    pub fn is_set(&self, slot: Slot) -> bool {
        !matches!(self.val(slot), Val::Absent | Val::Null)
    }

    /// A non-empty string field, or a number as text (some deployments send numeric ids).
    pub fn text(&self, slot: Slot) -> Option<Cow<'_, str>> {
        match self.val(slot) {
            Val::Str(text) if !text.is_empty() => Some(Cow::Borrowed(text)),
            Val::Number(number) => Some(Cow::Owned(number.to_string())),
            _ => None,
        }
    }

    /// [`Item::text`] as an owned string, for the model.
    pub fn string(&self, slot: Slot) -> Option<String> {
        self.text(slot).map(Cow::into_owned)
    }

    /// A non-empty string field.
    pub fn str(&self, slot: Slot) -> Option<&str> {
        match self.val(slot) {
            Val::Str(text) if !text.is_empty() => Some(text),
            _ => None,
        }
    }

    pub fn flag(&self, slot: Slot) -> Option<bool> {
        match self.val(slot) {
            Val::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn number(&self, slot: Slot) -> Option<&Number> {
        match self.val(slot) {
            Val::Number(number) => Some(number),
            _ => None,
        }
    }

    /// `metadata` or `data` as sent.
    pub fn raw(&self, slot: Slot) -> Option<&'a RawValue> {
        match self.val(slot) {
            Val::Raw(raw) => Some(raw),
            _ => None,
        }
    }

    /// The string items of an array field; `None` when the field is no array.
    pub fn list(&self, slot: Slot) -> Option<&[Cow<'a, str>]> {
        match self.val(slot) {
            Val::List(items) => Some(items),
            _ => None,
        }
    }

    /// A list of strings: an array's string items, or one string space- or comma-separated
    /// as some deployments send scopes.
    pub fn strings(&self, slot: Slot) -> Vec<String> {
        match self.val(slot) {
            Val::List(items) => items.iter().map(|item| item.to_string()).collect(),
            Val::Str(joined) => joined
                .split([' ', ','])
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A timestamp as RFC 3339 (any offset), a zone-less ISO 8601 time (taken as UTC), or
    /// unix seconds (milliseconds when the number is too big for seconds).
    pub fn time(&self, slot: Slot) -> Option<DateTime<Utc>> {
        match self.val(slot) {
            Val::Str(text) => parse_time(text),
            Val::Number(number) => epoch_time(number),
            _ => None,
        }
    }
}

/// Unix seconds, or milliseconds when the number is too big for seconds.
fn epoch_time(number: &Number) -> Option<DateTime<Utc>> {
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

/// Fills an [`Item`] in place: it is large enough that moving it costs more than reading
/// a small key.
struct ItemSeed<'i, 'a>(&'i mut Item<'a>);

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a key object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(FieldName(name)) = map.next_key()? {
            match Slot::of(&name) {
                Some(slot @ (Slot::Data | Slot::Metadata)) => {
                    self.0.set(slot, Val::Raw(map.next_value()?));
                }
                Some(slot) => {
                    let value = map.next_value_seed(ValSeed(&mut self.0.spare_lists))?;
                    self.0.set(slot, value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads a [`Val`], an array into one of the spare lists when there is one.
struct ValSeed<'s, 'a>(&'s mut Vec<Vec<Cow<'a, str>>>);

impl<'de> DeserializeSeed<'de> for ValSeed<'_, 'de> {
    type Value = Val<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Val<'de>, D::Error> {
        struct ValVisitor<'s, 'a>(&'s mut Vec<Vec<Cow<'a, str>>>);
        impl<'de> Visitor<'de> for ValVisitor<'_, 'de> {
            type Value = Val<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }

            fn visit_unit<E>(self) -> Result<Val<'de>, E> {
                Ok(Val::Null)
            }

            fn visit_bool<E>(self, flag: bool) -> Result<Val<'de>, E> {
                Ok(Val::Bool(flag))
            }

            fn visit_u64<E>(self, number: u64) -> Result<Val<'de>, E> {
                Ok(Val::Number(number.into()))
            }

            fn visit_i64<E>(self, number: i64) -> Result<Val<'de>, E> {
                Ok(Val::Number(number.into()))
            }

            fn visit_f64<E>(self, number: f64) -> Result<Val<'de>, E> {
                Ok(Number::from_f64(number).map_or(Val::Other, Val::Number))
            }

            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Borrowed(text)))
            }

            fn visit_str<E>(self, text: &str) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E>(self, text: String) -> Result<Val<'de>, E> {
                Ok(Val::Str(Cow::Owned(text)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
                let mut items = self.0.pop().unwrap_or_default();
                while let Some(ListItem(item)) = seq.next_element()? {
                    items.extend(item);
                }
                Ok(Val::List(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Val::Other)
            }
        }
        deserializer.deserialize_any(ValVisitor(self.0))
    }
}

/// An array item: a string, or nothing for any other value. Nested arrays and objects are
/// skipped without recursion, so no depth of nesting makes a key unreadable.
struct ListItem<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for ListItem<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListItemVisitor;
        impl<'de> Visitor<'de> for ListItemVisitor {
            type Value = ListItem<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }

            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<ListItem<'de>, E> {
                Ok(ListItem(Some(Cow::Borrowed(text))))
            }

            fn visit_str<E>(self, text: &str) -> Result<ListItem<'de>, E> {
                Ok(ListItem(Some(Cow::Owned(text.to_owned()))))
            }

            fn visit_unit<E>(self) -> Result<ListItem<'de>, E> {
                Ok(ListItem(None))
            }

            fn visit_bool<E>(self, _: bool) -> Result<ListItem<'de>, E> {
                Ok(ListItem(None))
            }

            fn visit_u64<E>(self, _: u64) -> Result<ListItem<'de>, E> {
                Ok(ListItem(None))
            }

            fn visit_i64<E>(self, _: i64) -> Result<ListItem<'de>, E> {
                Ok(ListItem(None))
            }

            fn visit_f64<E>(self, _: f64) -> Result<ListItem<'de>, E> {
                Ok(ListItem(None))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ListItem<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ListItem(None))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListItem<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ListItem(None))
            }
        }
        deserializer.deserialize_any(ListItemVisitor)
    }
}
