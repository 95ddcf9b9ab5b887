//! fiskaly's key objects: `_id`, `envs`/`kind` for the environment, `status`, and metadata
//! as sent; the `key` is the public half of the pair, shown shortened.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::model::{Key, KeyStatus, ProviderKind, RawJson};
use crate::normalize::{
    Fields, Item, SecretField, Slot, WireFormat, environment_word, required_id, scalar_text,
    shorten,
};

/// How fiskaly's answers read. Its `key` is the public half of the pair, kept for leak
/// matching, so only the secrets are left out.
pub(super) static FORMAT: WireFormat =
    WireFormat::new(ProviderKind::Fiskaly, normalize, &SECRET_FIELDS);

const SECRET_FIELDS: [SecretField; 2] = [("secret", Slot::Secret), ("api_secret", Slot::ApiSecret)];

fn normalize(object: &Item, _now: DateTime<Utc>) -> Result<Key, Error> {
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
        metadata.insert(Cow::Owned(name.into_owned()), scalar_text(value));
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
