//! The documents' JSON samples, copied verbatim into `fixtures/`, decode into the model.

use keydesk_core::decode::{decode_key, decode_list, decode_rotated_key};
use keydesk_core::{Environment, KeyStatus, ProviderKind};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/integration/core/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn oligon_samples() {
    let keys = decode_list(ProviderKind::Oligon, &fixture("oligon-list.json")).unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(
        (key.id.as_str(), key.name.as_str(), key.masked.as_str()),
        ("01HQX...", "Production server", "sk_live_…x9k2")
    );
    assert_eq!(key.environment, Some(Environment::Live));
    assert_eq!(key.status, KeyStatus::Active);
    assert_eq!(key.scopes, ["extract:read", "extract:write"]);
    assert_eq!(key.last_used_ip.as_deref(), Some("203.0.113.5"));
    assert_eq!(
        key.last_used_at.unwrap().to_rfc3339(),
        "2026-06-09T12:01:33+00:00"
    );
    assert_eq!(
        key.created_at.unwrap().to_rfc3339(),
        "2026-05-20T09:00:00+00:00"
    );

    let created = decode_key(ProviderKind::Oligon, &fixture("oligon-create.json")).unwrap();
    assert_eq!(created.name, "Production");
    assert!(created.last_used_at.is_none() && created.last_used_ip.is_none());
    assert!(
        created.raw.get("key").is_none(),
        "the secret stays out of raw"
    );
}

#[test]
fn fiskaly_samples() {
    let list = fixture("fiskaly-list.json");
    assert!(
        decode_list(ProviderKind::Fiskaly, &list)
            .unwrap()
            .is_empty()
    );
    assert_eq!(list["count"].as_u64(), Some(9_007_199_254_740_991));
    assert_eq!(fixture("fiskaly-delete.json")["deleted"], true);
    let auth = fixture("fiskaly-auth.json");
    assert_eq!(auth["access_token_expires_in"], 300);
}

#[test]
fn syncgram_samples() {
    let keys = decode_list(ProviderKind::Syncgram, &fixture("syncgram-list.json")).unwrap();
    let key = &keys[0];
    assert_eq!(
        (key.id.as_str(), key.name.as_str()),
        ("key_abc123", "Production key")
    );
    // The sample's expiry (2025-01-15) has passed: is_active is stale, the key is expired.
    assert_eq!(key.status, KeyStatus::Expired);
    assert!(key.last_used_at.is_some());

    let created = decode_key(ProviderKind::Syncgram, &fixture("syncgram-create.json")).unwrap();
    assert_eq!(created.id, "key_abc123");
    assert_eq!(created.environment, Some(Environment::Live));
    assert_eq!(created.masked, "sk_live_…i9j0");
    assert!(created.raw.get("key").is_none());

    let wrapped = serde_json::json!({"success": true, "data": fixture("syncgram-list.json")});
    assert_eq!(decode_list(ProviderKind::Syncgram, &wrapped).unwrap(), keys);
    assert_eq!(fixture("syncgram-revoke.json")["status"], "revoked");
}

#[test]
fn strait_samples() {
    let keys = decode_list(ProviderKind::Strait, &fixture("strait-list.json")).unwrap();
    let key = &keys[0];
    assert_eq!(key.status, KeyStatus::Revoked);
    assert_eq!(key.masked, "string…");
    assert_eq!(
        key.metadata.get("environment_id").map(String::as_str),
        Some("string")
    );
    let rotation = key.rotation.as_ref().unwrap();
    assert_eq!(rotation.replaced_by.as_deref(), Some("string"));
    assert_eq!(
        rotation.interval_days, None,
        "0 days means no automatic rotation"
    );
    assert_eq!(rotation.webhook_url.as_deref(), Some("string"));

    let created = decode_key(ProviderKind::Strait, &fixture("strait-create.json")).unwrap();
    assert_eq!(created.id, "string");
    let rotated = decode_rotated_key(&fixture("strait-rotate.json")).unwrap();
    assert_eq!(rotated.id, "string");
    assert!(
        rotated.rotation.is_none(),
        "the grace time belongs to the old key"
    );
    assert!(rotated.raw.get("key").is_none());
}

#[test]
fn deployed_shapes_decode() {
    let wrapped = serde_json::json!({"data": fixture("strait-list.json"), "next_cursor": null, "has_more": false});
    assert_eq!(
        decode_list(ProviderKind::Strait, &wrapped).unwrap().len(),
        1
    );
    let mut with_expiry = fixture("oligon-list.json");
    with_expiry[0]["expires_at"] = "2020-01-01T00:00:00+00:00".into();
    assert_eq!(
        decode_list(ProviderKind::Oligon, &with_expiry).unwrap()[0].status,
        KeyStatus::Expired
    );
}
