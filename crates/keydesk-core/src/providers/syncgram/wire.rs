//! SyncgramPay's key objects: `api_key_id`, `key_name`, `is_active` (false for expired keys
//! too), and whatever mask fields a deployment sends.

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::model::{Key, ProviderKind};
use crate::normalize::{
    Item, SECRET_FIELDS, Slot, WireFormat, environment_from_prefix, environment_word,
    key_with_common_fields, lifecycle, mask, mask_full, required_id,
};

/// How SyncgramPay's answers read.
pub(super) static FORMAT: WireFormat =
    WireFormat::new(ProviderKind::Syncgram, normalize, &SECRET_FIELDS);

fn normalize(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
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
    let key = key_with_common_fields(object, id);
    Ok(Key {
        name: object.string(Slot::KeyName).unwrap_or(key.name),
        masked,
        environment,
        status: lifecycle(now, revoked, expires_at, None),
        ..key
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{decode_list, decode_list_json};
    use serde_json::{Value, json};

    #[test]
    fn value_and_byte_decoding_agree() {
        let text = r#"{"success": true, "data": {"keys": [
            {"api_key_id": "k1", "key_name": "a", "is_active": true, "key": "sk_live_fakefakefake1234"},
            {"api_key_id": "k2", "key_name": "b", "is_active": false}
        ]}}"#;
        let body: Value = serde_json::from_str(text).unwrap();
        let from_value = decode_list(&FORMAT, &body).unwrap();
        let from_bytes = decode_list_json(&FORMAT, text.as_bytes()).unwrap();
        assert_eq!(from_value, from_bytes);
        assert!(from_bytes[0].raw.get("key").is_none());
        assert_eq!(from_bytes[1].raw.get("key_name"), Some(json!("b")));
        assert!(decode_list_json(&FORMAT, br#"{"oops": []}"#).is_err());
        assert!(decode_list_json(&FORMAT, b"[1]").is_err());
    }
}
