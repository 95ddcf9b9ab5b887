//! Oligon Receipts' key objects: `prefix` + `last4` for the mask, `is_live` (or the prefix)
//! for the environment, `revoked_at`/`revoked` for the status.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::decode::{Item, Slot, environment_from_prefix, lifecycle, mask, required_id};
use crate::error::Error;
use crate::model::{Environment, Key, ProviderKind, RawJson};

pub(super) fn normalize(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_key, decode_list_json};
    use crate::model::KeyStatus;
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
}
