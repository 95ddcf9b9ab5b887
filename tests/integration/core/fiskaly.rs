//! fiskaly Management end to end: token exchange, concurrent paging, status changes.

use std::sync::Mutex;

use keydesk_core::{Environment, ErrorKind, ExposeSecret, KeyStatus, Progress, ProviderKind};
use keydesk_sandbox::{SandboxConfig, Seed, Variant};

use crate::support::core::{
    VARIANTS, client, client_and_key, client_with, create, create_refused, draft, in_org, listed,
    sandbox, sandbox_and_client, sandbox_with,
};

const FISKALY: ProviderKind = ProviderKind::Fiskaly;

#[tokio::test]
async fn create_disable_enable_delete_in_both_variants() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let (fiskaly, made) = client_and_key(&sandbox, FISKALY, "pos-terminal-1").await;
        let labels: Vec<&str> = made
            .secrets
            .iter()
            .map(|secret| secret.label.as_str())
            .collect();
        assert_eq!(labels, ["API key", "API secret"]);
        let api_secret = made.secrets[1].value.expose_secret().to_owned();
        assert!(!made.key.raw.to_string().contains(&api_secret));
        assert_eq!(made.key.environment, Some(Environment::Test));
        assert_eq!(
            made.key.metadata.get("team").map(String::as_str),
            Some("payments")
        );
        assert_eq!(made.key.status, KeyStatus::Active);

        let disabled = fiskaly.set_key_enabled(&made.key.id, false).await.unwrap();
        assert_eq!(disabled.status, KeyStatus::Disabled, "{variant:?}");
        assert_eq!(
            listed(&*fiskaly, &made.key.id).await.status,
            KeyStatus::Disabled
        );
        let enabled = fiskaly.set_key_enabled(&made.key.id, true).await.unwrap();
        assert_eq!(enabled.status, KeyStatus::Active);

        fiskaly.delete_key(&made.key.id).await.unwrap();
        assert!(
            fiskaly
                .list_keys(None)
                .await
                .unwrap()
                .iter()
                .all(|key| key.id != made.key.id)
        );
        assert_eq!(
            fiskaly.delete_key(&made.key.id).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fiskaly.revoke_key(&made.key.id).await.unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }
}

#[tokio::test]
async fn the_full_inventory_comes_back_from_concurrent_pages() {
    for variant in VARIANTS {
        let sandbox = sandbox_with(SandboxConfig {
            variant,
            seed: Some(Seed::Bulk {
                keys_per_api: 1_050,
            }),
            ..SandboxConfig::default()
        })
        .await;
        let fiskaly = client(&sandbox, FISKALY);
        let seen = Mutex::new(Vec::new());
        let record = |progress: Progress| seen.lock().unwrap().push(progress);
        let keys = fiskaly.list_keys(Some(&record)).await.unwrap();
        assert_eq!(keys.len(), 1_050, "{variant:?}");
        let mut ids: Vec<&str> = keys.iter().map(|key| key.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1_050);
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 11);
        assert!(seen.iter().all(|progress| progress.pages == Some(11)));
        assert_eq!(seen.iter().map(|progress| progress.page).max(), Some(11));
    }
}

#[tokio::test]
async fn names_must_follow_the_pattern_and_be_unique() {
    let (_sandbox, fiskaly) = sandbox_and_client(Variant::Documented, FISKALY).await;
    let error = create_refused(&*fiskaly, &draft(FISKALY, "Not Valid")).await;
    assert_eq!(
        (error.kind(), error.field()),
        (ErrorKind::Validation, Some("name"))
    );
    create(&*fiskaly, &draft(FISKALY, "twice")).await;
    let error = create_refused(&*fiskaly, &draft(FISKALY, "twice")).await;
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
}

#[tokio::test]
async fn organisations_are_isolated() {
    let sandbox = sandbox(Variant::Deployed).await;
    let (_, made) = client_and_key(&sandbox, FISKALY, "only-mine").await;
    let other = client_with(&sandbox, FISKALY, &in_org("org-elsewhere"));
    assert!(
        other
            .list_keys(None)
            .await
            .unwrap()
            .iter()
            .all(|key| key.id != made.key.id)
    );
    assert_eq!(
        other
            .set_key_enabled(&made.key.id, false)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn a_wrong_secret_is_unauthorized_without_leaking_it() {
    let sandbox = sandbox(Variant::Documented).await;
    let (config, _, raw) = crate::support::core::connection(&sandbox, FISKALY, &Default::default());
    let credentials = keydesk_core::Credentials::FiskalyKey {
        api_key: keydesk_core::SecretString::from(raw["api_key"].as_str().unwrap().to_owned()),
        api_secret: keydesk_core::SecretString::from("definitely-wrong-secret"),
    };
    let fiskaly = keydesk_core::connect(config, credentials).unwrap();
    let error = fiskaly.list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(!format!("{error} {error:?}").contains("definitely-wrong-secret"));
}
