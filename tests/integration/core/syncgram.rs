//! SyncgramPay end to end: one active key per organisation, per-user create limit.

use keydesk_core::{Environment, ErrorKind, ExposeSecret, KeyStatus, ProviderKind};
use keydesk_sandbox::{CredentialOptions, Variant};

use crate::support::core::{
    VARIANTS, as_user, client_and_key, client_with, create, create_refused, draft, listed, sandbox,
};

const SYNCGRAM: ProviderKind = ProviderKind::Syncgram;

#[tokio::test]
async fn create_list_revoke_in_both_variants() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let (syncgram, made) = client_and_key(&sandbox, SYNCGRAM, "Production key").await;
        let secret = made.secrets[0].value.expose_secret().to_owned();
        assert!(secret.starts_with("sk_"), "{variant:?}");
        assert!(made.key.masked.ends_with(&secret[secret.len() - 4..]));
        assert!(!made.key.masked.contains(&secret[8..secret.len() - 4]));
        assert!(made.key.expires_at.is_some());
        let key = listed(&*syncgram, &made.key.id).await;
        assert_eq!(
            (key.status, key.name.as_str()),
            (KeyStatus::Active, "Production key")
        );

        assert!(syncgram.revoke_key(&made.key.id).await.unwrap().is_none());
        assert_eq!(
            listed(&*syncgram, &made.key.id).await.status,
            KeyStatus::Revoked
        );
        assert_eq!(
            syncgram.revoke_key("key_missing").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            syncgram.delete_key(&made.key.id).await.unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }
}

#[tokio::test]
async fn a_second_active_key_is_a_conflict() {
    let sandbox = sandbox(Variant::Deployed).await;
    let first = client_with(&sandbox, SYNCGRAM, &as_user("alice"));
    create(&*first, &draft(SYNCGRAM, "one")).await;
    let second = client_with(&sandbox, SYNCGRAM, &as_user("bob"));
    let error = create_refused(&*second, &draft(SYNCGRAM, "two")).await;
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
    assert!(error.to_string().contains("active key"), "{error}");
}

#[tokio::test]
async fn the_create_rate_limit_surfaces_the_wait() {
    let sandbox = sandbox(Variant::Documented).await;
    let (syncgram, made) = client_and_key(&sandbox, SYNCGRAM, "first").await;
    syncgram.revoke_key(&made.key.id).await.unwrap();
    let error = create_refused(&*syncgram, &draft(SYNCGRAM, "second")).await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    let wait = error.retry_after().expect("wait reported");
    assert!(wait.as_secs() >= 1 && wait.as_secs() <= 60, "{wait:?}");
    assert!(error.to_string().contains("Try again in"), "{error}");
}

#[tokio::test]
async fn new_organisations_get_test_keys_and_connected_accounts_are_forbidden() {
    let sandbox = sandbox(Variant::Documented).await;
    let fresh = client_with(
        &sandbox,
        SYNCGRAM,
        &CredentialOptions {
            org: Some("org_new".into()),
            ..CredentialOptions::default()
        },
    );
    let mut live = draft(SYNCGRAM, "wants live");
    live.environment = Some(Environment::Live);
    let made = create(&*fresh, &live).await;
    assert_eq!(made.key.environment, Some(Environment::Test));
    let connected = client_with(
        &sandbox,
        SYNCGRAM,
        &CredentialOptions {
            connected_account: true,
            ..CredentialOptions::default()
        },
    );
    assert_eq!(
        connected.list_keys(None).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
}
