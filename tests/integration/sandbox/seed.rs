//! Seeds: `demo` tells a story on every API's first screen; `bulk:N` fills each API with N keys.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use keydesk_sandbox::{Dialect, SandboxConfig, Seed, Storage, Variant};
use serde_json::Value;

use crate::support::sandbox::{Sandbox, send, start_with, temp_db};

fn age(value: &Value) -> Option<Duration> {
    value.as_str().map(|text| {
        Utc::now()
            - DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
    })
}

async fn get(sandbox: &Sandbox, dialect: Dialect, path: &str, token: &str) -> Value {
    let (status, _, body) = send(sandbox.get(dialect, path).bearer_auth(token)).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn demo(variant: Variant) -> Sandbox {
    start_with(SandboxConfig {
        seed: Some(Seed::Demo),
        variant,
        ..SandboxConfig::default()
    })
    .await
}

#[tokio::test]
async fn demo_oligon_org_has_keys_in_every_state() {
    let sandbox = demo(Variant::Deployed).await;
    let token = sandbox.token(Dialect::Oligon, None);
    let keys = get(&sandbox, Dialect::Oligon, "/v1/api-keys", &token).await;
    let keys = keys.as_array().unwrap();
    assert!((12..=20).contains(&keys.len()), "{}", keys.len());
    let created: Vec<DateTime<Utc>> = keys
        .iter()
        .map(|key| {
            DateTime::parse_from_rfc3339(key["created_at"].as_str().unwrap())
                .unwrap()
                .into()
        })
        .collect();
    assert!(
        created.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    let revoked = keys
        .iter()
        .filter(|key| key["revoked_at"].is_string())
        .count();
    let never_used = keys
        .iter()
        .filter(|key| key["last_used_at"].is_null())
        .count();
    let expired = keys
        .iter()
        .filter(|key| age(&key["expires_at"]).is_some_and(|age| age > Duration::zero()))
        .count();
    let ages: Vec<Duration> = keys
        .iter()
        .filter_map(|key| age(&key["last_used_at"]))
        .collect();
    let ips: HashSet<&str> = keys
        .iter()
        .filter_map(|key| key["last_used_ip"].as_str())
        .collect();
    assert!(revoked >= 2 && never_used >= 2 && expired >= 1);
    assert!(
        ages.iter().any(|age| *age < Duration::hours(1)),
        "used minutes ago"
    );
    assert!(
        ages.iter()
            .any(|age| *age > Duration::days(1) && *age < Duration::days(10)),
        "days ago"
    );
    assert!(
        ages.iter().any(|age| *age > Duration::days(60)),
        "months ago"
    );
    assert!(ips.len() >= 4, "several client addresses");
    assert!(
        keys.iter().any(|key| key["is_live"] == true)
            && keys.iter().any(|key| key["is_live"] == false)
    );
    // Another org sees none of it.
    let other = sandbox.token(Dialect::Oligon, Some("org_other"));
    assert_eq!(
        get(&sandbox, Dialect::Oligon, "/v1/api-keys", &other).await,
        Value::Array(vec![])
    );
}

#[tokio::test]
async fn demo_fiskaly_org_has_enabled_and_disabled_keys_of_both_kinds() {
    let sandbox = demo(Variant::Documented).await;
    let (org, token) = sandbox.fiskaly_token(None).await;
    let list = get(
        &sandbox,
        Dialect::Fiskaly,
        &format!("/organizations/{org}/api-keys"),
        &token,
    )
    .await;
    assert!((12..=20).contains(&list["count"].as_u64().unwrap()));
    let keys = list["data"].as_array().unwrap();
    for (field, value) in [
        ("status", "enabled"),
        ("status", "disabled"),
        ("kind", "live"),
        ("kind", "test"),
    ] {
        assert!(
            keys.iter().any(|key| key[field] == value),
            "{field}={value}"
        );
    }
    let disabled = get(
        &sandbox,
        Dialect::Fiskaly,
        &format!("/organizations/{org}/api-keys?status[]=disabled"),
        &token,
    )
    .await;
    assert!(disabled["count"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn demo_syncgram_has_one_org_with_payments_and_one_without() {
    let sandbox = demo(Variant::Documented).await;
    let acme = sandbox.token(Dialect::Syncgram, None);
    let keys = get(&sandbox, Dialect::Syncgram, "/api/v1/auth/api-keys", &acme).await;
    let keys = keys["keys"].as_array().unwrap();
    assert!(keys.len() >= 8);
    assert_eq!(
        keys.iter().filter(|key| key["is_active"] == true).count(),
        1,
        "one active key per org"
    );
    assert!(keys.iter().any(|key| key["env"] == "live"));
    assert!(
        keys.iter()
            .any(|key| key["revoked_at"].is_null() && key["is_active"] == false),
        "expired"
    );
    let globex = sandbox.token(Dialect::Syncgram, Some("org_globex"));
    let keys = get(
        &sandbox,
        Dialect::Syncgram,
        "/api/v1/auth/api-keys",
        &globex,
    )
    .await;
    let keys = keys["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    assert!(
        keys.iter().all(|key| key["env"] == "test"),
        "payments not enabled: test keys only"
    );
}

#[tokio::test]
async fn demo_strait_project_has_a_rotation_in_grace_and_keys_expiring_soon() {
    let sandbox = demo(Variant::Documented).await;
    let token = sandbox.token(Dialect::Strait, None);
    let keys = get(
        &sandbox,
        Dialect::Strait,
        "/v1/api-keys?project_id=proj_acme",
        &token,
    )
    .await;
    let keys = keys.as_array().unwrap();
    assert!((12..=20).contains(&keys.len()));
    let in_grace = keys.iter().find(|key| {
        key["replaced_by_key_id"].is_string()
            && age(&key["grace_expires_at"]).is_some_and(|age| age < Duration::zero())
    });
    let in_grace = in_grace.expect("a rotation in grace");
    let replacement = keys
        .iter()
        .find(|key| key["id"] == in_grace["replaced_by_key_id"])
        .unwrap();
    assert!(replacement["name"].as_str().unwrap().ends_with("(rotated)"));
    assert!(keys.iter().any(|key| key["revoked_at"].is_string()));
    assert!(
        keys.iter()
            .any(|key| key["rotation_webhook_url"].is_string())
    );
    let soon = get(
        &sandbox,
        Dialect::Strait,
        "/v1/api-keys/expiring-soon?within_days=30",
        &token,
    )
    .await;
    assert!(!soon.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_database_is_seeded_once() {
    let (_dir, path) = temp_db();
    let config = || SandboxConfig {
        storage: Storage::File(path.clone()),
        seed: Some(Seed::Demo),
        ..SandboxConfig::default()
    };
    let count = |sandbox: &Sandbox| {
        let token = sandbox.token(Dialect::Oligon, None);
        let url = sandbox.url(Dialect::Oligon, "/v1/api-keys");
        let http = sandbox.http.clone();
        async move {
            send(http.get(url).bearer_auth(token))
                .await
                .2
                .as_array()
                .unwrap()
                .len()
        }
    };
    let first = start_with(config()).await;
    let before = count(&first).await;
    first.handle.shutdown().await;
    let second = start_with(config()).await;
    assert_eq!(count(&second).await, before);
}

#[tokio::test]
async fn bulk_seed_gives_every_api_n_keys() {
    let sandbox = start_with(SandboxConfig {
        seed: Some(Seed::Bulk { keys_per_api: 250 }),
        variant: Variant::Deployed,
        ..SandboxConfig::default()
    })
    .await;
    let oligon = get(
        &sandbox,
        Dialect::Oligon,
        "/v1/api-keys",
        &sandbox.token(Dialect::Oligon, None),
    )
    .await;
    assert_eq!(oligon.as_array().unwrap().len(), 250);
    assert!(
        oligon
            .as_array()
            .unwrap()
            .iter()
            .all(|key| key["revoked_at"].is_null())
    );

    let (org, token) = sandbox.fiskaly_token(None).await;
    let page = get(
        &sandbox,
        Dialect::Fiskaly,
        &format!("/organizations/{org}/api-keys?limit=100&offset=200"),
        &token,
    )
    .await;
    assert_eq!(page["count"], 250);
    assert_eq!(page["data"].as_array().unwrap().len(), 50);

    let syncgram = get(
        &sandbox,
        Dialect::Syncgram,
        "/api/v1/auth/api-keys",
        &sandbox.token(Dialect::Syncgram, None),
    )
    .await;
    let keys = syncgram["data"]["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 250);
    assert_eq!(
        keys.iter().filter(|key| key["is_active"] == true).count(),
        1
    );

    let strait_token = sandbox.token(Dialect::Strait, None);
    let mut seen = HashSet::new();
    let mut cursor = String::new();
    loop {
        let page = get(
            &sandbox,
            Dialect::Strait,
            &format!("/v1/api-keys?project_id=proj_acme&limit=100{cursor}"),
            &strait_token,
        )
        .await;
        for key in page["data"].as_array().unwrap() {
            assert!(
                seen.insert(key["id"].as_str().unwrap().to_owned()),
                "no key twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 250);
}

/// The demo, listed through core, fires every rule the providers' data can: each provider's
/// set, and across them all the provider-data rules with both `expires_soon` severities.
#[tokio::test]
async fn demo_data_fires_every_attention_rule_the_providers_report() {
    use keydesk_core::{
        AttentionConfig, AttentionInput, ConnectionInventory, ProviderKind, Rule, Severity,
        attention,
    };
    use std::collections::BTreeSet;

    for variant in [Variant::Documented, Variant::Deployed] {
        let sandbox = demo(variant).await;
        let mut all = BTreeSet::new();
        let mut expiring_severities = BTreeSet::new();
        for (provider, expected) in [
            // Only the deployed Oligon API reports expiry.
            (
                ProviderKind::Oligon,
                if variant == Variant::Deployed {
                    vec![
                        Rule::Expired,
                        Rule::ExpiresSoon,
                        Rule::NeverUsed,
                        Rule::Stale,
                    ]
                } else {
                    vec![Rule::NeverUsed, Rule::Stale]
                },
            ),
            // fiskaly reports neither use nor expiry.
            (ProviderKind::Fiskaly, vec![]),
            (
                ProviderKind::Syncgram,
                vec![Rule::Expired, Rule::LiveWithoutExpiry],
            ),
            (
                ProviderKind::Strait,
                vec![
                    Rule::Expired,
                    Rule::ExpiresSoon,
                    Rule::RotationOverdue,
                    Rule::GraceEnding,
                    Rule::Stale,
                ],
            ),
        ] {
            let client = crate::support::core::client(&sandbox.handle, provider);
            let keys = client.list_keys(None).await.unwrap();
            let findings = attention(&AttentionInput {
                connections: &[ConnectionInventory {
                    connection_id: provider.as_str(),
                    provider,
                    keys: &keys,
                    changes: &[],
                    annotations: None,
                    orphans: &[],
                }],
                dismissals: &[],
                now: Utc::now(),
                config: AttentionConfig::default(),
            });
            let rules: BTreeSet<Rule> = findings.iter().map(|finding| finding.rule).collect();
            assert_eq!(
                rules,
                expected.into_iter().collect(),
                "{provider} ({variant:?}): {findings:#?}"
            );
            expiring_severities.extend(
                findings
                    .iter()
                    .filter(|finding| finding.rule == Rule::ExpiresSoon)
                    .map(|finding| finding.severity),
            );
            all.extend(rules);
        }
        assert_eq!(
            all,
            BTreeSet::from([
                Rule::Expired,
                Rule::ExpiresSoon,
                Rule::RotationOverdue,
                Rule::GraceEnding,
                Rule::NeverUsed,
                Rule::Stale,
                Rule::LiveWithoutExpiry,
            ])
        );
        assert_eq!(
            expiring_severities,
            BTreeSet::from([Severity::Medium, Severity::High])
        );
    }
}
