//! Helpers for the keydesk-core and keydesk-cli tests: a sandbox per test, and clients of
//! keydesk-core connected to it.

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;
use std::time::Duration;

use keydesk_core::{
    ConnectionConfig, CreateOutcome, CreatedKey, Credentials, Environment, HttpOptions, KeyDraft,
    Provider, ProviderKind, SecretString, connect_with,
};
use keydesk_sandbox::{
    Chaos, CredentialOptions, Dialect, SandboxConfig, SandboxHandle, Seed, Variant, spawn,
};
use serde_json::Value;

/// Both API flavours every provider test runs against.
pub const VARIANTS: [Variant; 2] = [Variant::Documented, Variant::Deployed];

/// The sandbox dialect serving `provider`.
pub fn dialect(provider: ProviderKind) -> Dialect {
    match provider {
        ProviderKind::Oligon => Dialect::Oligon,
        ProviderKind::Fiskaly => Dialect::Fiskaly,
        ProviderKind::Syncgram => Dialect::Syncgram,
        ProviderKind::Strait => Dialect::Strait,
    }
}

/// A sandbox on 127.0.0.1:0 with in-memory storage.
pub async fn sandbox(variant: Variant) -> SandboxHandle {
    sandbox_with(SandboxConfig {
        variant,
        ..SandboxConfig::default()
    })
    .await
}

/// A sandbox with explicit settings.
pub async fn sandbox_with(config: SandboxConfig) -> SandboxHandle {
    spawn(config).await.expect("sandbox starts")
}

/// A sandbox injecting faults with a fixed seed, so a failing run can be replayed.
pub async fn chaotic_sandbox(chaos: Chaos, seed: Option<Seed>) -> SandboxHandle {
    sandbox_with(SandboxConfig {
        chaos: Chaos { seed: 7, ..chaos },
        seed,
        ..SandboxConfig::default()
    })
    .await
}

/// Backoff short enough for tests; the retry policy itself is unchanged.
pub fn test_options() -> HttpOptions {
    HttpOptions {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(2),
        ..HttpOptions::default()
    }
}

/// The settings and credentials a client of `provider` needs, as the sandbox mints them.
pub fn connection(
    sandbox: &SandboxHandle,
    provider: ProviderKind,
    options: &CredentialOptions,
) -> (ConnectionConfig, Credentials, Value) {
    let minted = sandbox
        .credentials_with(dialect(provider), options)
        .expect("sandbox mints credentials");
    let raw = minted.credentials.clone();
    let text = |name: &str| raw[name].as_str().map(str::to_owned);
    let secret = |name: &str| SecretString::from(text(name).expect("credential present"));
    let credentials = match provider {
        ProviderKind::Fiskaly => Credentials::FiskalyKey {
            api_key: secret("api_key"),
            api_secret: secret("api_secret"),
        },
        _ => Credentials::Bearer(secret("token")),
    };
    let config = ConnectionConfig {
        provider,
        base_url: format!("{}{}", sandbox.base_url(), minted.base_path),
        org_id: text("organization_id"),
        project_id: text("project_id"),
    };
    (config, credentials, raw)
}

/// A client of `provider` for the sandbox's default organisation.
pub fn client(sandbox: &SandboxHandle, provider: ProviderKind) -> Arc<dyn Provider> {
    client_with(sandbox, provider, &CredentialOptions::default())
}

/// A client of `provider` with non-default credentials (another org, user, expiry…).
pub fn client_with(
    sandbox: &SandboxHandle,
    provider: ProviderKind,
    options: &CredentialOptions,
) -> Arc<dyn Provider> {
    let (config, credentials, _) = connection(sandbox, provider, options);
    connect_with(config, credentials, test_options()).expect("connects")
}

/// A draft every provider accepts, named `name` (fiskaly-safe: lowercase and hyphens).
pub fn draft(provider: ProviderKind, name: &str) -> KeyDraft {
    let mut draft = KeyDraft {
        name: name.to_owned(),
        ..KeyDraft::default()
    };
    match provider {
        ProviderKind::Oligon => {
            draft.scopes = vec!["extract:read".into()];
            draft.environment = Some(Environment::Live);
        }
        ProviderKind::Fiskaly => {
            draft.environment = Some(Environment::Test);
            draft.metadata.insert("team".into(), "payments".into());
        }
        ProviderKind::Syncgram => draft.expires_in_days = Some(30),
        ProviderKind::Strait => {
            draft.scopes = vec!["read".into()];
            draft.expires_in_days = Some(90);
        }
    }
    draft
}

/// The created key, failing the test on an orphan report.
pub fn created(outcome: CreateOutcome) -> CreatedKey {
    match outcome {
        CreateOutcome::Created(created) => created,
        CreateOutcome::Orphaned { key } => panic!("unexpected orphan: {key:?}"),
    }
}

/// Credentials for another user of the default org (SyncgramPay limits creates per user).
pub fn as_user(user: &str) -> CredentialOptions {
    CredentialOptions {
        user: Some(user.to_owned()),
        ..CredentialOptions::default()
    }
}

/// Credentials for another org or project.
pub fn in_org(org: &str) -> CredentialOptions {
    CredentialOptions {
        org: Some(org.to_owned()),
        ..CredentialOptions::default()
    }
}
