//! Oligon Receipts end to end, in both API variants.

use keydesk_core::{ErrorKind, ExposeSecret, Key, KeyStatus, ProviderKind};
use keydesk_sandbox::{CredentialOptions, Variant};

use crate::support::core::{
    VARIANTS, client, client_and_key, client_with, create, create_refused, draft, in_org,
    listed_ids, sandbox, sandbox_and_client,
};

const OLIGON: ProviderKind = ProviderKind::Oligon;

#[tokio::test]
async fn create_list_revoke_delete_in_both_variants() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let (oligon, made) = client_and_key(&sandbox, OLIGON, "Production server").await;
        let secret = made.secrets[0].value.expose_secret().to_owned();
        assert!(secret.starts_with("sk_live_"), "{variant:?}");
        assert_eq!(
            made.key.masked,
            format!("sk_live_…{}", &secret[secret.len() - 4..])
        );
        assert_eq!(made.key.scopes, ["extract:read"]);
        assert!(
            !made.key.raw.to_string().contains(&secret),
            "raw must not hold the secret"
        );

        let all = oligon.list_keys(None).await.unwrap();
        let key = all
            .iter()
            .find(|key| key.id == made.key.id)
            .expect("listed");
        assert_eq!(key.status, KeyStatus::Active);
        assert_eq!(key.name, "Production server");
        let with_raw: Vec<_> = all.iter().map(Key::with_raw).collect();
        assert!(!serde_json::to_string(&with_raw).unwrap().contains(&secret));

        let revoked = oligon
            .revoke_key(&made.key.id)
            .await
            .unwrap()
            .expect("key returned");
        assert_eq!(revoked.status, KeyStatus::Revoked);
        assert!(revoked.revoked_at.is_some());

        oligon.delete_key(&made.key.id).await.unwrap();
        assert!(
            oligon
                .list_keys(None)
                .await
                .unwrap()
                .iter()
                .all(|key| key.id != made.key.id)
        );
        let again = oligon.delete_key(&made.key.id).await.unwrap_err();
        assert_eq!(again.kind(), ErrorKind::NotFound, "{variant:?}");
        if variant == Variant::Deployed {
            assert!(
                again.request_id().is_some_and(|id| id.starts_with("req_")),
                "{again:?}"
            );
        }
    }
}

#[tokio::test]
async fn test_keys_are_test_and_newest_come_first() {
    let (_sandbox, oligon) = sandbox_and_client(Variant::Documented, OLIGON).await;
    let mut first = draft(OLIGON, "first");
    first.environment = None;
    let first = create(&*oligon, &first).await;
    assert!(
        first.secrets[0]
            .value
            .expose_secret()
            .starts_with("sk_test_")
    );
    assert_eq!(first.key.environment, Some(keydesk_core::Environment::Test));
    let second = create(&*oligon, &draft(OLIGON, "second")).await;
    let ids = listed_ids(&*oligon).await;
    assert_eq!(ids, [second.key.id, first.key.id]);
}

#[tokio::test]
async fn unknown_scopes_never_reach_the_server() {
    let (_sandbox, oligon) = sandbox_and_client(Variant::Deployed, OLIGON).await;
    let mut bad = draft(OLIGON, "x");
    bad.scopes = vec!["extract:everything".into()];
    let error = create_refused(&*oligon, &bad).await;
    assert_eq!(
        (error.kind(), error.field()),
        (ErrorKind::Validation, Some("scopes"))
    );
    assert!(oligon.list_keys(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn other_orgs_keys_are_not_found_and_missing_permissions_are_forbidden() {
    let sandbox = sandbox(Variant::Documented).await;
    let (_, mine) = client_and_key(&sandbox, OLIGON, "mine").await;
    let theirs = client_with(&sandbox, OLIGON, &in_org("org_other"));
    assert_eq!(
        theirs.revoke_key(&mine.key.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let read_only = client_with(
        &sandbox,
        OLIGON,
        &CredentialOptions {
            permissions: Some(vec!["apikey:read".into()]),
            ..CredentialOptions::default()
        },
    );
    assert_eq!(read_only.list_keys(None).await.unwrap().len(), 1);
    let error = read_only.revoke_key(&mine.key.id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert!(error.to_string().contains("apikey:revoke"), "{error}");
}

#[tokio::test]
async fn an_expired_token_is_unauthorized_and_unsupported_actions_say_so() {
    let sandbox = sandbox(Variant::Documented).await;
    let expired = client_with(
        &sandbox,
        OLIGON,
        &CredentialOptions {
            expires_in_secs: Some(-60),
            ..CredentialOptions::default()
        },
    );
    let error = expired.list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(error.to_string().contains("expired"), "{error}");
    let oligon = client(&sandbox, OLIGON);
    assert_eq!(
        oligon.rotate_key("k", None).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert_eq!(
        oligon.set_key_enabled("k", false).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let sandbox = sandbox(Variant::Documented).await;
    let (config, _, _) =
        crate::support::core::connection(&sandbox, OLIGON, &CredentialOptions::default());
    let forged =
        keydesk_core::Credentials::Bearer(keydesk_core::SecretString::from("not-a-real-token"));
    let oligon = keydesk_core::connect(config, forged).unwrap();
    let error = oligon.list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(!error.to_string().contains("not-a-real-token"));
}
