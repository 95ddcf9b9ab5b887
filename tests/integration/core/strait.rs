//! Strait end to end: project keys, cursor paging, rotation with grace.

use std::sync::Mutex;

use keydesk_core::{ErrorKind, ExposeSecret, Key, KeyDraft, KeyStatus, Progress, ProviderKind};
use keydesk_sandbox::{SandboxConfig, Seed, Variant};

use crate::support::core::{
    VARIANTS, client, client_and_key, client_with, create, create_refused, draft, in_org, listed,
    listed_ids, sandbox, sandbox_and_client, sandbox_with,
};
use crate::support::sandbox::deployed_strait_write_limit;

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
    let (_sandbox, strait) = sandbox_and_client(Variant::Documented, STRAIT).await;
    let made = create(&*strait, &draft(STRAIT, "svc")).await;
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
    let (_sandbox, strait) = sandbox_and_client(Variant::Deployed, STRAIT).await;
    let mut hooked = draft(STRAIT, "hooked");
    hooked.rotation_interval_days = Some(30);
    hooked.rotation_webhook_url = Some("https://hooks.example.test/rotated".into());
    let made = create(&*strait, &hooked).await;
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
        create_refused(&*other, &bad).await.field(),
        Some("environment")
    );
}

#[tokio::test]
async fn a_deployed_refusal_keeps_its_field_message_and_request_id() {
    let (_sandbox, strait) = sandbox_and_client(Variant::Deployed, STRAIT).await;
    // The form leaves the lifetime optional, as the documents do; the service requires it.
    let mut lifetime_missing = draft(STRAIT, "no lifetime");
    lifetime_missing.expires_in_days = None;
    let error = create_refused(&*strait, &lifetime_missing).await;
    assert_eq!(
        (error.kind(), error.field(), error.status()),
        (ErrorKind::Validation, Some("expires_in_days"), Some(422)),
        "{error}"
    );
    assert!(error.to_string().contains("422"), "{error}");
    assert!(
        error.to_string().contains("expires_in_days is required"),
        "the service's words reach the user: {error}"
    );
    let request_id = error.request_id().unwrap();
    assert!(request_id.starts_with("req_"), "{request_id}");

    // Other refusals come in the same envelope, each with its own request id.
    let missing = strait
        .revoke_key("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
    let missing_id = missing.request_id().unwrap();
    assert!(missing_id.starts_with("req_"), "{missing_id}");
    assert_ne!(missing_id, request_id);
    let made = create(&*strait, &draft(STRAIT, "revoked")).await;
    strait.revoke_key(&made.key.id).await.unwrap();
    let conflict = strait.rotate_key(&made.key.id, None).await.unwrap_err();
    assert_eq!(conflict.kind(), ErrorKind::Conflict, "{conflict}");
    assert!(conflict.to_string().contains("revoked"), "{conflict}");
    assert!(
        conflict
            .request_id()
            .is_some_and(|id| id.starts_with("req_")),
        "{conflict:?}"
    );
}

#[tokio::test]
async fn a_deployed_revoke_answers_200_again_and_the_key_leaves_the_list() {
    let (_sandbox, strait) = sandbox_and_client(Variant::Deployed, STRAIT).await;
    let kept = create(&*strait, &draft(STRAIT, "kept")).await;
    let made = create(&*strait, &draft(STRAIT, "revoked twice")).await;
    // 200 {"status":"revoked"} carries no key to show.
    assert!(strait.revoke_key(&made.key.id).await.unwrap().is_none());
    let ids = listed_ids(&*strait).await;
    assert_eq!(ids, [kept.key.id], "the revoked key is left out");
    assert!(
        strait.revoke_key(&made.key.id).await.unwrap().is_none(),
        "revoking again is no error"
    );
}

#[tokio::test]
async fn deployed_pages_of_100_are_followed_by_created_at_cursor_past_revoked_keys() {
    let sandbox = sandbox_with(SandboxConfig {
        variant: Variant::Deployed,
        seed: Some(Seed::Bulk { keys_per_api: 230 }),
        ..SandboxConfig::default()
    })
    .await;
    let strait = client(&sandbox, STRAIT);
    let before = strait.list_keys(None).await.unwrap();
    assert_eq!(before.len(), 230);
    // Newest first: one on the first page, the last of the first page, the first of the
    // second, and the oldest.
    let revoked: Vec<String> = [0, 99, 100, 229]
        .map(|index| before[index].id.clone())
        .into();
    for id in &revoked {
        strait.revoke_key(id).await.unwrap();
    }

    let seen = Mutex::new(Vec::new());
    let record = |progress: Progress| seen.lock().unwrap().push(progress);
    let after = strait.list_keys(Some(&record)).await.unwrap();
    let expected: Vec<&str> = before
        .iter()
        .map(|key| key.id.as_str())
        .filter(|id| !revoked.iter().any(|gone| gone == id))
        .collect();
    let listed: Vec<&str> = after.iter().map(|key| key.id.as_str()).collect();
    assert_eq!(listed, expected, "every active key once, newest first");
    let created: Vec<_> = after.iter().map(|key| key.created_at.unwrap()).collect();
    assert!(created.windows(2).all(|pair| pair[0] > pair[1]));
    // 226 keys in pages of 100, the most a page holds (50 unless asked): three pages, the
    // last one says it is the last.
    let pages: Vec<(u32, Option<u32>)> = seen
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|progress| (progress.page, progress.pages))
        .collect();
    assert_eq!(pages, [(1, None), (2, None), (3, Some(3))]);
}

#[tokio::test]
async fn a_plain_text_429_is_rate_limited_with_its_wait() {
    let sandbox = sandbox_with(deployed_strait_write_limit()).await;
    let strait = client(&sandbox, STRAIT);
    let mut made = Vec::new();
    for i in 0..10 {
        made.push(create(&*strait, &draft(STRAIT, &format!("key {i}"))).await);
    }
    let error = create_refused(&*strait, &draft(STRAIT, "one too many")).await;
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert!(error.to_string().contains("Try again in"), "{error}");
    assert_eq!(error.status(), Some(429));
    let wait = error
        .retry_after()
        .expect("the wait is read from Retry-After");
    assert!((1..=60).contains(&wait.as_secs()), "{wait:?}");
    assert_eq!(error.request_id(), None, "a plain-text answer has none");

    // Rotations and revocations count as writes too, and are refused the same way.
    let rotate = strait.rotate_key(&made[0].key.id, None).await.unwrap_err();
    let revoke = strait.revoke_key(&made[1].key.id).await.unwrap_err();
    for refused in [rotate, revoke] {
        assert_eq!(refused.kind(), ErrorKind::RateLimited, "{refused}");
        assert!(refused.retry_after().is_some(), "{refused:?}");
        assert!(refused.to_string().contains("Try again in"), "{refused}");
    }
    // Reads are not limited, and nothing refused happened.
    let keys = strait.list_keys(None).await.unwrap();
    assert_eq!(keys.len(), 10);
    assert!(keys.iter().all(|key| key.status == KeyStatus::Active));
}
