//! Exit codes: 0 ok, 1 API or network error, 2 usage or validation, 3 authentication.

use keydesk_core::ProviderKind;
use keydesk_sandbox::{CredentialOptions, Variant};

use crate::support::core::{cli_connection, run_cli, sandbox};

async fn run_with(
    args: &[String],
    env: &[(String, String)],
    command: &[&str],
) -> crate::support::core::CliRun {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(command);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run_cli(&all, &env, "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_validation_errors_exit_2() {
    let sandbox = sandbox(Variant::Documented).await;
    let (args, env, secrets) = cli_connection(
        &sandbox,
        ProviderKind::Fiskaly,
        &CredentialOptions::default(),
    );
    let invalid = run_with(&args, &env, &["create", "--name", "Not Valid"]).await;
    assert_eq!(invalid.code, 2, "{}", invalid.stderr);
    assert!(
        invalid.stderr.contains("3–30 lowercase"),
        "{}",
        invalid.stderr
    );
    assert!(
        secrets
            .iter()
            .all(|secret| !invalid.stderr.contains(secret.as_str()))
    );

    assert_eq!(run_with(&args, &env, &["explode"]).await.code, 2);
    let no_credentials = run_with(&args, &[], &["list"]).await;
    assert_eq!(no_credentials.code, 2);
    assert!(
        no_credentials.stderr.contains("KEYDESK_API_KEY"),
        "{}",
        no_credentials.stderr
    );

    let (oligon_args, oligon_env, _) = cli_connection(
        &sandbox,
        ProviderKind::Oligon,
        &CredentialOptions::default(),
    );
    let unsupported = run_with(&oligon_args, &oligon_env, &["rotate", "some-id"]).await;
    assert_eq!(unsupported.code, 2, "{}", unsupported.stderr);
    let plain_http = run_cli(
        &[
            "--provider",
            "oligon",
            "--base-url",
            "http://keys.example.com",
            "list",
        ],
        &[("KEYDESK_TOKEN", "fake-token")],
        "",
    )
    .await;
    assert_eq!(plain_http.code, 2);
    assert!(
        plain_http.stderr.contains("https://"),
        "{}",
        plain_http.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_errors_exit_3_without_echoing_the_token() {
    let sandbox = sandbox(Variant::Deployed).await;
    let expired = CredentialOptions {
        expires_in_secs: Some(-60),
        ..CredentialOptions::default()
    };
    for provider in [
        ProviderKind::Oligon,
        ProviderKind::Syncgram,
        ProviderKind::Strait,
    ] {
        let (args, env, secrets) = cli_connection(&sandbox, provider, &expired);
        let run = run_with(&args, &env, &["list"]).await;
        assert_eq!(run.code, 3, "{provider}: {}", run.stderr);
        assert!(run.stderr.contains("expired"), "{}", run.stderr);
        assert!(
            secrets
                .iter()
                .all(|secret| !run.stderr.contains(secret.as_str()))
        );
    }
    let (args, mut env, _) = cli_connection(
        &sandbox,
        ProviderKind::Fiskaly,
        &CredentialOptions::default(),
    );
    for (name, value) in &mut env {
        if name == "KEYDESK_API_SECRET" {
            *value = "wrong-secret-value".to_owned();
        }
    }
    let run = run_with(&args, &env, &["list", "--json"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains("wrong-secret-value"));
    assert!(run.stdout.is_empty());
    let (args, env, _) = cli_connection(
        &sandbox,
        ProviderKind::Syncgram,
        &CredentialOptions {
            connected_account: true,
            ..CredentialOptions::default()
        },
    );
    assert_eq!(run_with(&args, &env, &["list"]).await.code, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_network_errors_exit_1() {
    let sandbox = sandbox(Variant::Documented).await;
    let (args, env, _) = cli_connection(
        &sandbox,
        ProviderKind::Strait,
        &CredentialOptions::default(),
    );
    let missing = run_with(&args, &env, &["revoke", "no-such-key"]).await;
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .starts_with("keydesk-cli: Strait answered 404"),
        "{}",
        missing.stderr
    );

    let port = sandbox.address().port();
    sandbox.shutdown().await;
    let unreachable = run_cli(
        &[
            "--provider",
            "oligon",
            "--base-url",
            &format!("http://127.0.0.1:{port}/oligon"),
            "list",
        ],
        &[("KEYDESK_TOKEN", "fake-token")],
        "",
    )
    .await;
    assert_eq!(unreachable.code, 1, "{}", unreachable.stderr);
    assert!(
        unreachable.stderr.contains("Could not connect"),
        "{}",
        unreachable.stderr
    );
}
