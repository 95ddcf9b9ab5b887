//! Strait end to end: project keys, cursor paging, rotation with grace.

use keydesk_core::{ErrorKind, ExposeSecret, Key, KeyDraft, KeyStatus, ProviderKind};
use keydesk_sandbox::{SandboxConfig, Seed, Variant};

use crate::support::core::{
    VARIANTS, client, client_and_key, client_with, created, draft, in_org, listed, sandbox,
    sandbox_with,
};

const STRAIT: ProviderKind = ProviderKind::Strait;

#[tokio::test]
async fn create_rotate_revoke_in_both_variants() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let (strait, made) = client_and_key(&sandbox, STRAIT, "billing-worker").await;
        let secret = made.secrets[0].value.expose_secret().to_owned();
        assert!(
            secret.starts_with("strait_") && secret.len() == 7 + 64,
            "{variant:?}"
        );
        assert_eq!(made.key.masked, format!("{}…", &secret[..12]));
        assert_eq!(made.key.scopes, ["read"]);

        let rotated = strait.rotate_key(&made.key.id, Some(30)).await.unwrap();
        assert_ne!(rotated.key.id, made.key.id);
        assert_eq!(rotated.key.status, KeyStatus::Active);
        assert_ne!(rotated.secrets[0].value.expose_secret(), secret.as_str());
        let old = listed(&*strait, &made.key.id).await;
        assert_eq!(old.status, KeyStatus::Rotating, "{variant:?}");
        let rotation = old.rotation.as_ref().unwrap();
        assert_eq!(
            rotation.replaced_by.as_deref(),
            Some(rotated.key.id.as_str())
        );
        assert!(rotation.grace_expires_at.is_some());

        assert_eq!(
            strait
                .rotate_key(&made.key.id, None)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
        strait.revoke_key(&rotated.key.id).await.unwrap();
        if variant == Variant::Deployed {
            // The open-source service leaves revoked keys out of its list.
            let keys = strait.list_keys(None).await.unwrap();
            assert!(keys.iter().all(|key| key.id != rotated.key.id));
        } else {
            assert_eq!(
                listed(&*strait, &rotated.key.id).await.status,
                KeyStatus::Revoked
            );
        }
        let error = strait.rotate_key(&rotated.key.id, None).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("revoked"), "{error}");
    }
}

#[tokio::test]
async fn zero_grace_expires_the_old_key_at_once_and_too_much_grace_is_refused() {
    let sandbox = sandbox(Variant::Documented).await;
    let strait = client(&sandbox, STRAIT);
    let made = created(strait.create_key(&draft(STRAIT, "svc")).await.unwrap());
    let error = strait
        .rotate_key(&made.key.id, Some(10_081))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.field()),
        (ErrorKind::Validation, Some("grace_minutes"))
    );
    strait.rotate_key(&made.key.id, Some(0)).await.unwrap();
    assert_eq!(
        listed(&*strait, &made.key.id).await.status,
        KeyStatus::Expired
    );
}

#[tokio::test]
async fn a_webhook_returns_its_signing_secret_once() {
    let sandbox = sandbox(Variant::Deployed).await;
    let strait = client(&sandbox, STRAIT);
    let mut hooked = draft(STRAIT, "hooked");
    hooked.rotation_interval_days = Some(30);
    hooked.rotation_webhook_url = Some("https://hooks.example.test/rotated".into());
    let made = created(strait.create_key(&hooked).await.unwrap());
    let labels: Vec<&str> = made
        .secrets
        .iter()
        .map(|secret| secret.label.as_str())
        .collect();
    assert_eq!(labels, ["API key", "Webhook signing secret"]);
    let rotation = made.key.rotation.as_ref().unwrap();
    assert_eq!(rotation.interval_days, Some(30));
    assert!(rotation.next_rotation_at.is_some());
    let webhook_secret = made.secrets[1].value.expose_secret().to_owned();
    let keys = strait.list_keys(None).await.unwrap();
    assert!(
        !serde_json::to_string(&keys.iter().map(Key::with_raw).collect::<Vec<_>>())
            .unwrap()
            .contains(&webhook_secret)
    );
}

#[tokio::test]
async fn the_cursor_is_followed_to_the_end() {
    for variant in VARIANTS {
        let sandbox = sandbox_with(SandboxConfig {
            variant,
            seed: Some(Seed::Bulk { keys_per_api: 230 }),
            ..SandboxConfig::default()
        })
        .await;
        let keys = client(&sandbox, STRAIT).list_keys(None).await.unwrap();
        assert_eq!(keys.len(), 230, "{variant:?}");
        let mut ids: Vec<&str> = keys.iter().map(|key| key.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 230);
    }
}

#[tokio::test]
async fn projects_are_isolated() {
    let sandbox = sandbox(Variant::Documented).await;
    let (_, made) = client_and_key(&sandbox, STRAIT, "mine").await;
    let other = client_with(&sandbox, STRAIT, &in_org("proj_other"));
    assert!(other.list_keys(None).await.unwrap().is_empty());
    assert_eq!(
        other.revoke_key(&made.key.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let bad = KeyDraft {
        name: "x".into(),
        environment: Some(keydesk_core::Environment::Live),
        ..KeyDraft::default()
    };
    assert_eq!(
        other.create_key(&bad).await.err().unwrap().field(),
        Some("environment")
    );
}

#[tokio::test]
async fn a_deployed_refusal_keeps_its_field_and_request_id() {
    let sandbox = sandbox(Variant::Deployed).await;
    let strait = client(&sandbox, STRAIT);
    let mut lifetime_missing = draft(STRAIT, "no lifetime");
    lifetime_missing.expires_in_days = None;
    let error = strait.create_key(&lifetime_missing).await.err().unwrap();
    assert_eq!(
        (error.kind(), error.field()),
        (ErrorKind::Validation, Some("expires_in_days")),
        "{error}"
    );
    assert!(error.to_string().contains("422"), "{error}");
    let request_id = error.request_id().unwrap();
    assert!(request_id.starts_with("req_"), "{request_id}");
}

#[tokio::test]
async fn a_plain_text_429_is_rate_limited_with_its_wait() {
    let sandbox = sandbox_with(SandboxConfig {
        variant: Variant::Deployed,
        strait_writes_per_minute: Some(10),
        ..SandboxConfig::default()
    })
    .await;
    let strait = client(&sandbox, STRAIT);
    for i in 0..10 {
        created(
            strait
                .create_key(&draft(STRAIT, &format!("key {i}")))
                .await
                .unwrap(),
        );
    }
    let error = strait
        .create_key(&draft(STRAIT, "one too many"))
        .await
        .err()
        .unwrap();
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert!(error.to_string().contains("Try again in"), "{error}");
}
