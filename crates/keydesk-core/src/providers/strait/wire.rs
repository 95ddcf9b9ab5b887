//! Strait's key objects: `key_prefix` for the mask, rotation facts, project and environment
//! ids as metadata; and the new key of a rotate answer.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Number, Value};

use crate::error::Error;
use crate::model::{Key, ProviderKind, Rotation};
use crate::normalize::{
    Item, SECRET_FIELDS, Slot, WireFormat, decode_key, joined, key_with_common_fields, lifecycle,
    required_id,
};

/// How Strait's answers read.
pub(super) static FORMAT: WireFormat =
    WireFormat::new(ProviderKind::Strait, normalize, &SECRET_FIELDS);

fn normalize(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
    let id = required_id(object, &[Slot::Id, Slot::NewKeyId], ProviderKind::Strait)?;
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
            metadata.insert(Cow::Borrowed(field), value);
        }
    }
    let key = key_with_common_fields(object, id);
    Ok(Key {
        masked: object
            .text(Slot::KeyPrefix)
            .map(|prefix| joined(&[&prefix, "…"]))
            .unwrap_or_default(),
        scopes: object.strings(Slot::Scopes),
        status: lifecycle(
            now,
            key.revoked_at.is_some(),
            key.expires_at,
            rotating_until,
        ),
        rotation: (!rotation.is_empty()).then_some(rotation),
        metadata,
        ..key
    })
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
    decode_key(&FORMAT, &Value::Object(new_key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeyStatus;
    use crate::normalize::decode_list_json;
    use serde_json::json;

    #[test]
    fn nesting_of_any_depth_is_skipped_not_refused() {
        let deep_array = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let deep_object = format!("{}1{}", r#"{"a":"#.repeat(300), "}".repeat(300));
        let text = format!(
            r#"{{"extra": {deep_object}, "data": [{{"id": "k1", "scopes": ["read", {deep_array}, {deep_object}], "other": {deep_object}}}]}}"#
        );
        let keys = decode_list_json(&FORMAT, text.as_bytes()).unwrap();
        assert_eq!(keys[0].scopes, ["read"]);
        assert!(keys[0].raw.json().contains(r#""other": {"a":"#));
    }

    #[test]
    fn strait_replaced_key_is_rotating_until_grace_ends() {
        let later = (Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
        let key = decode_key(
            &FORMAT,
            &json!({"id": "k1", "name": "svc", "key_prefix": "strait_ab12c", "replaced_by_key_id": "k2", "grace_expires_at": later}),
        )
        .unwrap();
        assert_eq!(key.status, KeyStatus::Rotating);
        assert_eq!(key.rotation.unwrap().replaced_by.as_deref(), Some("k2"));
        assert_eq!(key.masked, "strait_ab12c…");
    }

    #[test]
    fn strait_environment_id_lands_where_the_capabilities_say() {
        let key = decode_key(
            &FORMAT,
            &json!({"id": "k1", "name": "svc", "key_prefix": "strait_ab12c", "environment_id": "env_prod"}),
        )
        .unwrap();
        let entry = super::super::capabilities::capabilities()
            .environment_metadata
            .unwrap();
        assert_eq!(key.metadata[entry.as_str()], "env_prod");
        // An opaque id is not live or test: the table shows it as it is.
        assert_eq!(key.environment, None);
    }
}
