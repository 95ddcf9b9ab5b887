//! Each command end to end.

use keydesk_core::ProviderKind;
use keydesk_sandbox::{CredentialOptions, SandboxHandle, Variant};
use serde_json::{Value, json};

use crate::support::core::{CliRun, VARIANTS, cli_connection, run_cli, sandbox};

/// A `keydesk-cli` pointed at one provider of one sandbox, checking every run's stderr.
struct Cli {
    args: Vec<String>,
    env: Vec<(String, String)>,
    secrets: Vec<String>,
}

impl Cli {
    fn new(sandbox: &SandboxHandle, provider: ProviderKind) -> Self {
        let (args, env, secrets) = cli_connection(sandbox, provider, &CredentialOptions::default());
        Cli { args, env, secrets }
    }

    async fn run(&mut self, command: &[&str], stdin: &str) -> CliRun {
        let mut args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        args.extend_from_slice(command);
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let run = run_cli(&args, &env, stdin).await;
        for secret in &self.secrets {
            assert!(
                !run.stderr.contains(secret.as_str()),
                "a secret reached stderr: {command:?}"
            );
        }
        run
    }

    /// Runs a command that must succeed and print JSON.
    async fn json(&mut self, command: &[&str]) -> Value {
        let run = self.run(command, "").await;
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        run.json()
    }

    /// Runs `create` with `args` and `--json`: the answer (its secrets remembered) and the
    /// new key's id.
    async fn create(&mut self, args: &[&str]) -> (Value, String) {
        self.made(&[&["create"], args].concat()).await
    }

    /// Runs `command`, which makes a key (create, rotate, replace), with `--json`: the answer
    /// (its secrets remembered) and the new key's id.
    async fn made(&mut self, command: &[&str]) -> (Value, String) {
        let made = self.json(&[command, &["--json"]].concat()).await;
        self.remember(&made);
        let id = made["key"]["id"].as_str().unwrap().to_owned();
        (made, id)
    }

    /// The status `list` shows for `id`, `absent` when it is not listed.
    async fn listed_status(&mut self, id: &str) -> String {
        status_of(&self.json(&["list", "--json"]).await, id)
    }

    /// Remembers the secrets a create/rotate printed, so later stderr is checked for them.
    fn remember(&mut self, created: &Value) {
        for secret in created["secrets"].as_array().unwrap() {
            self.secrets
                .push(secret["value"].as_str().unwrap().to_owned());
        }
    }
}

/// `create` arguments of a Strait key (its deployed API requires a lifetime).
const STRAIT_WORKER: [&str; 6] = [
    "--name",
    "worker",
    "--scope",
    "read",
    "--expires-in-days",
    "90",
];

fn status_of(list: &Value, id: &str) -> String {
    list.as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == id)
        .map(|key| key["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| "absent".to_owned())
}

fn assert_key_shape(key: &Value) {
    for field in [
        "id",
        "name",
        "status",
        "environment",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "expires_at",
        "raw",
    ] {
        assert!(key.get(field).is_some(), "{field} missing in {key}");
    }
    let status = key["status"].as_str().unwrap();
    assert!(["active", "revoked", "disabled", "expired", "rotating"].contains(&status));
    assert!(
        key["environment"].is_null()
            || ["live", "test"].contains(&key["environment"].as_str().unwrap())
    );
    if let Some(created_at) = key["created_at"].as_str() {
        assert!(
            chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
            "{created_at}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oligon_list_create_revoke_delete_find_leaked() {
    for variant in VARIANTS {
        let sandbox = sandbox(variant).await;
        let mut cli = Cli::new(&sandbox, ProviderKind::Oligon);
        assert_eq!(cli.json(&["list", "--json"]).await, Value::Array(vec![]));

        let (created, id) = cli
            .create(&[
                "--name",
                "ci runner",
                "--scope",
                "extract:read",
                "--scope",
                "extract:write",
                "--live",
            ])
            .await;
        assert_key_shape(&created["key"]);
        assert_eq!(created["key"]["environment"], "live");
        assert_eq!(created["secrets"][0]["label"], "API key");
        let secret = created["secrets"][0]["value"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("sk_live_"));

        let list = cli.json(&["list", "--json"]).await;
        list.as_array().unwrap().iter().for_each(assert_key_shape);
        assert_eq!(status_of(&list, &id), "active");
        assert!(!list.to_string().contains(&secret));

        let table = cli.run(&["list"], "").await;
        assert_eq!(table.code, 0);
        assert!(
            table.stdout.starts_with("ID") && table.stdout.contains("ci runner"),
            "{}",
            table.stdout
        );
        assert!(
            table.stdout.contains("never"),
            "last use is shown: {}",
            table.stdout
        );

        let leaked = cli
            .run(&["find-leaked", "--json"], &format!("  '{secret}'\n"))
            .await;
        assert_eq!(leaked.code, 0, "{}", leaked.stderr);
        let leaked = leaked.json();
        assert_eq!(leaked["matches"][0]["id"], id.as_str());
        assert_eq!(leaked["ambiguous"], false);

        let revoked = cli.json(&["revoke", &id, "--json"]).await;
        assert_eq!(revoked["status"], "revoked");
        let deleted = cli.run(&["delete", &id], "").await;
        assert_eq!(deleted.code, 0, "{}", deleted.stderr);
        assert_eq!(cli.listed_status(&id).await, "absent");

        let again = cli.run(&["delete", &id], "").await;
        assert_eq!(again.code, 1, "{variant:?}");
        assert_eq!(
            again.stderr.lines().count(),
            1,
            "one sentence: {}",
            again.stderr
        );
        if variant == Variant::Deployed {
            assert!(
                again.stderr.contains("(request id: req_"),
                "{}",
                again.stderr
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fiskaly_create_disable_enable_delete() {
    let sandbox = sandbox(Variant::Deployed).await;
    let mut cli = Cli::new(&sandbox, ProviderKind::Fiskaly);
    let (created, id) = cli
        .create(&["--name", "till-7", "--metadata", "store=berlin"])
        .await;
    assert_eq!(created["secrets"].as_array().unwrap().len(), 2);
    assert_eq!(created["key"]["environment"], "test");
    assert_eq!(created["key"]["metadata"]["store"], "berlin");
    assert_eq!(
        cli.json(&["disable", &id, "--json"]).await["status"],
        "disabled"
    );
    assert_eq!(cli.listed_status(&id).await, "disabled");
    assert_eq!(
        cli.json(&["enable", &id, "--json"]).await["status"],
        "active"
    );
    assert_eq!(cli.run(&["delete", &id], "").await.code, 0);
    assert_eq!(cli.listed_status(&id).await, "absent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncgram_create_revoke_and_the_rate_limit() {
    let sandbox = sandbox(Variant::Documented).await;
    let mut cli = Cli::new(&sandbox, ProviderKind::Syncgram);
    let (created, id) = cli
        .create(&["--name", "Production key", "--expires-in-days", "365"])
        .await;
    assert!(created["key"]["expires_at"].is_string());
    // SyncgramPay lists no part of a key: its own fresh key cannot be found, and the search
    // says so instead of reporting "no match".
    let secret = created["secrets"][0]["value"].as_str().unwrap().to_owned();
    let leaked = cli.run(&["find-leaked", "--json"], &secret).await.json();
    assert_eq!(leaked["matches"], json!([]));
    assert_eq!(leaked["searchable"], false);
    let told = cli.run(&["find-leaked"], &secret).await;
    assert!(
        told.stdout
            .contains("SyncgramPay lists no part of its keys"),
        "{}",
        told.stdout
    );
    assert!(!told.stdout.contains(&secret));
    let revoked = cli.json(&["revoke", &id, "--json"]).await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(cli.listed_status(&id).await, "revoked");
    let limited = cli.run(&["create", "--name", "another"], "").await;
    assert_eq!(limited.code, 1);
    assert!(
        limited.stderr.contains("Try again in"),
        "{}",
        limited.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strait_create_rotate_revoke() {
    let sandbox = sandbox(Variant::Deployed).await;
    let mut cli = Cli::new(&sandbox, ProviderKind::Strait);
    let (_, id) = cli.create(&STRAIT_WORKER).await;
    let rotated = cli
        .json(&["rotate", &id, "--grace-minutes", "30", "--json"])
        .await;
    cli.remember(&rotated);
    let new_id = rotated["key"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id);
    assert!(
        rotated["secrets"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("strait_")
    );
    let list = cli.json(&["list", "--json"]).await;
    assert_eq!(status_of(&list, &id), "rotating");
    let old = list
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == id.as_str())
        .unwrap();
    assert!(old["rotation"]["grace_expires_at"].is_string());
    let table = cli.run(&["list"], "").await;
    assert!(table.stdout.contains("rotating until"), "{}", table.stdout);
    let revoked = cli.run(&["revoke", &new_id], "").await;
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    // The deployed (open-source) service leaves revoked keys out of its list.
    assert_eq!(
        status_of(&cli.json(&["list", "--json"]).await, &new_id),
        "absent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_keeps_the_settings_and_retires_the_old_key_the_providers_way() {
    let sandbox = sandbox(Variant::Deployed).await;
    let mut oligon = Cli::new(&sandbox, ProviderKind::Oligon);
    let (_, old) = oligon
        .create(&["--name", "checkout", "--scope", "extract:read", "--live"])
        .await;
    let (replaced, new) = oligon.made(&["replace", &old]).await;
    assert_eq!(replaced["key"]["name"], "checkout (replacement)");
    assert_eq!(replaced["key"]["scopes"], json!(["extract:read"]));
    assert_eq!(replaced["key"]["environment"], "live");
    let secret = replaced["secrets"][0]["value"].as_str().unwrap();
    assert!(secret.starts_with("sk_live_"), "a live key, as the old one");
    let list = oligon.json(&["list", "--json"]).await;
    assert_eq!(status_of(&list, &old), "revoked");
    assert_eq!(status_of(&list, &new), "active");

    let mut strait = Cli::new(&sandbox, ProviderKind::Strait);
    let (_, old) = strait.create(&STRAIT_WORKER).await;
    let (_, new) = strait
        .made(&["replace", &old, "--grace-minutes", "0"])
        .await;
    let list = strait.json(&["list", "--json"]).await;
    assert_eq!(status_of(&list, &new), "active");
    assert_ne!(status_of(&list, &old), "active");
}
