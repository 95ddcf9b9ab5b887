//! Faults injected by the sandbox: failing requests, lost answers, short-lived tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use keydesk_core::{CreateOutcome, ProviderKind};
use keydesk_sandbox::{Chaos, CredentialOptions, SandboxConfig, Seed};

use crate::support::core::{
    VARIANTS, chaotic_sandbox, client, client_with, created, draft, sandbox_with,
};

#[tokio::test]
async fn with_30_percent_failures_100_lists_and_revokes_all_succeed() {
    let sandbox = chaotic_sandbox(
        Chaos {
            fail_rate: 0.3,
            ..Chaos::default()
        },
        Some(Seed::Bulk { keys_per_api: 100 }),
    )
    .await;
    let oligon = client(&sandbox, ProviderKind::Oligon);
    let keys = oligon.list_keys(None).await.unwrap();
    assert_eq!(keys.len(), 100);
    for key in &keys {
        assert_eq!(oligon.list_keys(None).await.unwrap().len(), 100);
        let revoked = oligon.revoke_key(&key.id).await.unwrap().unwrap();
        assert_eq!(revoked.status, keydesk_core::KeyStatus::Revoked);
    }
    let fiskaly = client(&sandbox, ProviderKind::Fiskaly);
    for _ in 0..10 {
        assert_eq!(fiskaly.list_keys(None).await.unwrap().len(), 100);
    }
}

#[tokio::test]
async fn with_20_percent_lost_answers_every_create_is_one_key_or_one_orphan() {
    let sandbox = chaotic_sandbox(
        Chaos {
            drop_rate: 0.2,
            ..Chaos::default()
        },
        None,
    )
    .await;
    for provider in [ProviderKind::Oligon, ProviderKind::Strait] {
        let api = client(&sandbox, provider);
        let mut reported = HashMap::new();
        let mut orphans = 0;
        for n in 0..50 {
            let name = format!("batch-{n}");
            let id = match api.create_key(&draft(provider, &name)).await.unwrap() {
                CreateOutcome::Created(made) => made.key.id,
                CreateOutcome::Orphaned { key } => {
                    orphans += 1;
                    let key = key.expect("the orphan is identified");
                    assert_eq!(key.name, name);
                    key.id
                }
            };
            reported.insert(name, id);
        }
        assert!(
            orphans > 0,
            "{provider}: a 20 % drop rate over 50 creates loses some answers"
        );
        let listed = api.list_keys(None).await.unwrap();
        assert_eq!(listed.len(), 50, "{provider}: no silent duplicates");
        for key in listed {
            assert_eq!(
                reported.get(&key.name),
                Some(&key.id),
                "{provider}: every key was reported"
            );
        }
    }
}

#[tokio::test]
async fn syncgram_retries_lost_creates_with_the_same_idempotency_key() {
    let sandbox = chaotic_sandbox(
        Chaos {
            drop_rate: 0.5,
            ..Chaos::default()
        },
        None,
    )
    .await;
    for n in 0..10 {
        let org = format!("org_drop_{n}");
        let options = CredentialOptions {
            org: Some(org),
            user: Some(format!("user_{n}")),
            ..CredentialOptions::default()
        };
        let syncgram = client_with(&sandbox, ProviderKind::Syncgram, &options);
        let outcome = syncgram
            .create_key(&draft(ProviderKind::Syncgram, "only"))
            .await
            .unwrap();
        if let CreateOutcome::Orphaned { key } = &outcome {
            assert_eq!(key.as_ref().map(|key| key.name.as_str()), Some("only"));
        }
        let listed = syncgram.list_keys(None).await.unwrap();
        assert_eq!(
            listed.len(),
            1,
            "org {n}: exactly one key, never a duplicate"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fiskaly_tokens_expiring_mid_run_cause_no_failure() {
    for variant in VARIANTS {
        let sandbox = sandbox_with(SandboxConfig {
            variant,
            token_ttl_secs: 2,
            ..SandboxConfig::default()
        })
        .await;
        let fiskaly = client(&sandbox, ProviderKind::Fiskaly);
        let made = created(
            fiskaly
                .create_key(&draft(ProviderKind::Fiskaly, "long-run"))
                .await
                .unwrap(),
        );
        // Keep four callers busy across several token lifetimes.
        let until = Instant::now() + Duration::from_secs(5);
        let workers = (0..4)
            .map(|worker| {
                let fiskaly = fiskaly.clone();
                let id = made.key.id.clone();
                tokio::spawn(async move {
                    let mut calls = 0;
                    while Instant::now() < until {
                        if worker == 0 {
                            fiskaly.set_key_enabled(&id, calls % 2 == 0).await.unwrap();
                        } else {
                            assert_eq!(fiskaly.list_keys(None).await.unwrap().len(), 1);
                        }
                        calls += 1;
                    }
                    calls
                })
            })
            .collect::<Vec<_>>();
        let mut calls = 0;
        for worker in workers {
            calls += worker.await.unwrap();
        }
        assert!(calls > 4, "{variant:?}: {calls} calls");
    }
}
