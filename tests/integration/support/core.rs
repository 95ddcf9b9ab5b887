//! Helpers for the keydesk-core and keydesk-cli tests: a sandbox per test, and clients of
//! keydesk-core connected to it.

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;
use std::time::Duration;

use keydesk_core::{
    ConnectionConfig, CreateOutcome, CreatedKey, Credentials, Environment, Error, HttpOptions, Key,
    KeyDraft, Provider, ProviderKind, SecretString, connect_with,
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

/// A client of `provider` on `sandbox` and the key it created from [`draft`]`(provider, name)`.
pub async fn client_and_key(
    sandbox: &SandboxHandle,
    provider: ProviderKind,
    name: &str,
) -> (Arc<dyn Provider>, CreatedKey) {
    let client = client(sandbox, provider);
    let made = create(&*client, &draft(provider, name)).await;
    (client, made)
}

/// A sandbox of `variant` and a client of `provider` for its default organisation.
pub async fn sandbox_and_client(
    variant: Variant,
    provider: ProviderKind,
) -> (SandboxHandle, Arc<dyn Provider>) {
    let sandbox = sandbox(variant).await;
    let client = client(&sandbox, provider);
    (sandbox, client)
}

/// The key `client` creates from `draft`, failing the test on an error or an orphan report.
pub async fn create(client: &dyn Provider, draft: &KeyDraft) -> CreatedKey {
    created(client.create_key(draft).await.unwrap())
}

/// The error `client` answers a create of `draft` with, failing the test if the key is made.
pub async fn create_refused(client: &dyn Provider, draft: &KeyDraft) -> Error {
    match client.create_key(draft).await {
        Ok(outcome) => panic!("the create went through: {outcome:?}"),
        Err(error) => error,
    }
}

/// The key `id` as a fresh list shows it.
pub async fn listed(client: &dyn Provider, id: &str) -> Key {
    let keys = client.list_keys(None).await.unwrap();
    keys.into_iter()
        .find(|key| key.id == id)
        .expect("the key is listed")
}

/// The ids of a fresh list, in its order.
pub async fn listed_ids(client: &dyn Provider) -> Vec<String> {
    let keys = client.list_keys(None).await.unwrap();
    keys.into_iter().map(|key| key.id).collect()
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

/// What one `keydesk-cli` run produced.
#[derive(Debug)]
pub struct CliRun {
    /// The exit code.
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl CliRun {
    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {self:?}"))
    }
}

/// The `keydesk-cli` binary beside this test binary (`target/<profile>/keydesk-cli`).
/// `cargo test` builds test binaries but not other packages' binaries, so the first call
/// runs `cargo build -p keydesk-cli` (a no-op when it is up to date; cargo has released its
/// build lock once tests run). Set `KEYDESK_CLI_BIN` to use a prebuilt binary instead.
pub fn cli_binary() -> std::path::PathBuf {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("KEYDESK_CLI_BIN") {
                return path.into();
            }
            let test_exe = std::env::current_exe().expect("test binary path");
            // target/<profile>/deps/integration-… → target/<profile>
            let profile_dir = test_exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target dir");
            let target_dir = profile_dir.parent().expect("target root");
            let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("workspace");
            let mut build = std::process::Command::new(env!("CARGO"));
            build
                .current_dir(workspace)
                .args(["build", "--quiet", "-p", "keydesk-cli"]);
            build.env("CARGO_TARGET_DIR", target_dir);
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p keydesk-cli failed");
            profile_dir.join(format!("keydesk-cli{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Runs `keydesk-cli` with `args`, only the environment in `env` (plus nothing inherited),
/// and `stdin`. Runs on a blocking thread so the sandbox in this process keeps serving.
pub async fn run_cli(args: &[&str], env: &[(&str, &str)], stdin: &str) -> CliRun {
    use std::io::Write as _;
    let binary = cli_binary();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(binary)
            .args(&args)
            .env_clear()
            .envs(env)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("keydesk-cli starts");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).expect("stdin written");
        }
        let output = child.wait_with_output().expect("keydesk-cli finishes");
        CliRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("cli task")
}

/// The global options and credential variables that point `keydesk-cli` at `provider` in
/// `sandbox`, plus the secrets that must never appear on stderr.
pub fn cli_connection(
    sandbox: &SandboxHandle,
    provider: ProviderKind,
    options: &CredentialOptions,
) -> (Vec<String>, Vec<(String, String)>, Vec<String>) {
    let (config, _, raw) = connection(sandbox, provider, options);
    let mut args = vec![
        "--provider".to_owned(),
        provider.as_str().to_owned(),
        "--base-url".to_owned(),
        config.base_url,
    ];
    if let Some(org) = config.org_id {
        args.extend(["--org".to_owned(), org]);
    }
    if let Some(project) = config.project_id {
        args.extend(["--project".to_owned(), project]);
    }
    let mut env = Vec::new();
    let mut secrets = Vec::new();
    for (field, variable) in [
        ("token", "KEYDESK_TOKEN"),
        ("api_key", "KEYDESK_API_KEY"),
        ("api_secret", "KEYDESK_API_SECRET"),
    ] {
        if let Some(value) = raw[field].as_str() {
            env.push((variable.to_owned(), value.to_owned()));
            secrets.push(value.to_owned());
        }
    }
    (args, env, secrets)
}
