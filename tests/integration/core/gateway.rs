//! A gateway error or timeout answering a create or rotate the sandbox performed: the key
//! exists, its secret never arrived, and the client must say which key that is.

use std::sync::Arc;

use keydesk_core::{CreateOutcome, ErrorKind, KeyStatus, Provider, ProviderKind, connect_with};
use keydesk_sandbox::{CredentialOptions, SandboxHandle};

use crate::support::core::{VARIANTS, client_and_key, connection, draft, sandbox, test_options};
use crate::support::gateway::{Gateway, Picked, creates, gateway, rotations};

const PROVIDERS: [ProviderKind; 4] = [
    ProviderKind::Oligon,
    ProviderKind::Fiskaly,
    ProviderKind::Syncgram,
    ProviderKind::Strait,
];

/// A client of `provider` on `sandbox` whose every request goes through `gateway`.
fn client_via(
    gateway: &Gateway,
    sandbox: &SandboxHandle,
    provider: ProviderKind,
) -> Arc<dyn Provider> {
    let (mut config, credentials, _) = connection(sandbox, provider, &CredentialOptions::default());
    config.base_url = config
        .base_url
        .replacen(&sandbox.base_url(), &gateway.base_url, 1);
    connect_with(config, credentials, test_options()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_the_sandbox_made_but_a_gateway_answered_504_is_an_orphan() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let gateway = gateway(&sandbox.base_url(), creates, Picked::ForwardThenTimeOut).await;
        for provider in PROVIDERS {
            let api = client_via(&gateway, &sandbox, provider);
            let picked_before = gateway.picked();
            let outcome = api
                .create_key(&draft(provider, "behind-gateway"))
                .await
                .unwrap();
            assert!(gateway.picked() > picked_before, "{provider}: went through");
            let CreateOutcome::Orphaned { key: Some(orphan) } = outcome else {
                panic!("{provider} {variant:?}: the created key is reported: {outcome:?}");
            };
            assert_eq!(orphan.name, "behind-gateway", "{provider}");
            let listed = api.list_keys(None).await.unwrap();
            assert_eq!(
                listed.len(),
                1,
                "{provider} {variant:?}: one key, no duplicate"
            );
            assert_eq!(
                listed[0].id, orphan.id,
                "{provider}: the orphan is the key made"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_504_to_a_create_that_made_nothing_stays_the_gateway_error() {
    let sandbox = sandbox(VARIANTS[0]).await;
    let gateway = gateway(&sandbox.base_url(), creates, Picked::TimeOut).await;
    for provider in PROVIDERS {
        let api = client_via(&gateway, &sandbox, provider);
        let error = api
            .create_key(&draft(provider, "never-made"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{provider}: nothing was created"));
        assert_eq!(error.kind(), ErrorKind::Server, "{provider}");
        assert_eq!(error.status(), Some(504), "{provider}");
        assert!(api.list_keys(None).await.unwrap().is_empty(), "{provider}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strait_rotation_answered_504_names_the_replacement_it_made() {
    let sandbox = sandbox(VARIANTS[1]).await;
    let (direct, made) = client_and_key(&sandbox, ProviderKind::Strait, "rotated-svc").await;

    let silent = gateway(&sandbox.base_url(), rotations, Picked::TimeOut).await;
    let error = client_via(&silent, &sandbox, ProviderKind::Strait)
        .rotate_key(&made.key.id, Some(30))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(504));
    let keys = direct.list_keys(None).await.unwrap();
    assert_eq!(keys.len(), 1, "nothing was rotated");

    let late = gateway(&sandbox.base_url(), rotations, Picked::ForwardThenTimeOut).await;
    let error = client_via(&late, &sandbox, ProviderKind::Strait)
        .rotate_key(&made.key.id, Some(30))
        .await
        .unwrap_err();
    let keys = direct.list_keys(None).await.unwrap();
    let old = keys.iter().find(|key| key.id == made.key.id).unwrap();
    assert_eq!(old.status, KeyStatus::Rotating);
    let new_id = old.rotation.as_ref().unwrap().replaced_by.clone().unwrap();
    assert_eq!(error.status(), Some(504), "the gateway's answer, kept");
    assert!(
        error.to_string().contains(&new_id),
        "the replacement is named: {error}"
    );
}
