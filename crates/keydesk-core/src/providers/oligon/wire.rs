//! Oligon Receipts' key objects: `prefix` + `last4` for the mask, `is_live` (or the prefix)
//! for the environment, `revoked_at`/`revoked` for the status.

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::model::{Environment, Key, ProviderKind};
use crate::normalize::{
    Item, SECRET_FIELDS, Slot, WireFormat, environment_from_prefix, key_with_common_fields,
    lifecycle, mask, required_id,
};

/// How Oligon's answers read.
pub(super) static FORMAT: WireFormat =
    WireFormat::new(ProviderKind::Oligon, normalize, &SECRET_FIELDS);

fn normalize(object: &Item, now: DateTime<Utc>) -> Result<Key, Error> {
    let id = required_id(object, &[Slot::Id], ProviderKind::Oligon)?;
    let prefix = object.text(Slot::Prefix);
    let last4 = object.text(Slot::Last4);
    let environment = match object.flag(Slot::IsLive) {
        Some(true) => Some(Environment::Live),
        Some(false) => Some(Environment::Test),
        None => prefix.as_deref().and_then(environment_from_prefix),
    };
    let key = key_with_common_fields(object, id);
    let revoked = key.revoked_at.is_some() || object.flag(Slot::Revoked).unwrap_or(false);
    Ok(Key {
        masked: mask(prefix.as_deref(), last4.as_deref()),
        environment,
        scopes: object.strings(Slot::Scopes),
        status: lifecycle(now, revoked, key.expires_at, None),
        ..key
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeyStatus;
    use crate::normalize::{decode_key, decode_list_json};
    use serde_json::json;

    #[test]
    fn oligon_masks_and_drops_the_secret_from_raw() {
        let key = decode_key(
            &FORMAT,
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
            &FORMAT,
            br#"[{"id": "k1", "k\u0065y": "sk_live_fakefakefake1234", "name": "n\u00e9"}]"#,
        )
        .unwrap();
        assert_eq!(keys[0].name, "n\u{e9}");
        assert!(!keys[0].raw.to_string().contains("fakefake"));
        assert_eq!(keys[0].raw.get("id"), Some(json!("k1")));
    }
}
