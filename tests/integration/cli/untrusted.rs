//! What servers send reaches the terminal as text: long names cut, control characters and
//! text-direction marks escaped, and a create a gateway answered 504 named as an orphan.

use keydesk_core::ProviderKind;
use keydesk_sandbox::{CredentialOptions, Dialect, Variant};
use serde_json::json;

use crate::support::core::{cli_connection, run_cli, sandbox};
use crate::support::gateway::{Picked, creates, gateway};
use crate::support::local_server::canned;
use crate::support::sandbox::{bearer_token, http_client};

/// Characters that must never reach a terminal from a server.
const RAW: [char; 4] = ['\u{1b}', '\r', '\u{202e}', '\u{7}'];

fn oligon_cli(base_url: &str, command: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--provider".to_owned(),
        "oligon".to_owned(),
        "--base-url".to_owned(),
        base_url.to_owned(),
    ];
    args.extend(command.iter().map(|arg| (*arg).to_owned()));
    args
}

async fn run(args: &[String]) -> crate::support::core::CliRun {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_cli(&args, &[("KEYDESK_TOKEN", "fake-token")], "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_70000_character_name_is_cut_for_the_table() {
    let name = "n".repeat(70_000);
    let list = json!([{"id": "k1", "name": name, "prefix": "sk_live", "last4": "abcd",
                       "created_at": "2026-01-01T00:00:00Z"}]);
    let server = canned(200, list.to_string()).await;
    let listed = run(&oligon_cli(&server, &["list"])).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let row = listed.stdout.lines().nth(1).expect("a row");
    assert!(row.contains(&format!("{}…", "n".repeat(47))), "{row}");
    assert!(listed.stdout.lines().all(|line| line.chars().count() < 300));
    let json = run(&oligon_cli(&server, &["list", "--json"])).await;
    assert_eq!(json.json()[0]["name"].as_str().map(str::len), Some(70_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_messages_from_servers_are_escaped_in_the_table() {
    let sandbox = sandbox(Variant::Documented).await;
    let token = bearer_token(&sandbox, Dialect::Oligon, None);
    let forged = "ci\u{1b}]0;pwned\u{7}\r\nk_forged\u{202e}txt";
    let made = http_client()
        .post(format!("{}/oligon/v1/api-keys", sandbox.base_url()))
        .bearer_auth(&token)
        .json(&json!({"name": forged, "scopes": ["extract:read"], "live": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201, "the sandbox takes any name");
    let (args, env, _) = cli_connection(
        &sandbox,
        ProviderKind::Oligon,
        &CredentialOptions::default(),
    );
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.push("list");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let listed = run_cli(&all, &env, "").await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(!listed.stdout.contains(RAW), "{:?}", listed.stdout);
    assert_eq!(listed.stdout.lines().count(), 2, "one header, one row");
    assert!(
        listed
            .stdout
            .contains(r"ci\x1b]0;pwned\x07\r\nk_forged\u{202e}txt"),
        "{}",
        listed.stdout
    );

    let refusing = canned(
        422,
        json!({"error": {"code": "x", "message": "bad \u{1b}]0;pwned\u{7} name\r\nforged"}})
            .to_string(),
    )
    .await;
    let refused = run(&oligon_cli(&refusing, &["revoke", "k1"])).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        !refused.stderr.trim_end().contains(RAW),
        "{:?}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(r"\x1b]0;pwned"),
        "{}",
        refused.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_504_after_it_happened_names_the_orphan_and_exits_1() {
    let sandbox = sandbox(Variant::Deployed).await;
    let gateway = gateway(&sandbox.base_url(), creates, Picked::ForwardThenTimeOut).await;
    let (args, env, _) = cli_connection(
        &sandbox,
        ProviderKind::Strait,
        &CredentialOptions::default(),
    );
    let args: Vec<String> = args
        .into_iter()
        .map(|arg| arg.replacen(&sandbox.base_url(), &gateway.base_url, 1))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut create: Vec<&str> = args.iter().map(String::as_str).collect();
    create.extend([
        "create",
        "--name",
        "cli-orphan",
        "--scope",
        "read",
        "--expires-in-days",
        "30",
    ]);
    let run = run_cli(&create, &env, "").await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(gateway.picked(), 1);
    let mut list: Vec<&str> = args.iter().map(String::as_str).collect();
    list.extend(["list", "--json"]);
    let listed = run_cli(&list, &env, "").await.json();
    let id = listed[0]["id"].as_str().unwrap();
    assert!(
        run.stderr.contains("secret never arrived")
            && run.stderr.contains("\"cli-orphan\"")
            && run.stderr.contains(&format!("revoke {id}")),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_over_4_kib_is_refused_before_any_request() {
    // Nothing listens on port 9: a request would fail as a network error, exit 1.
    let args = oligon_cli("http://127.0.0.1:9/oligon", &["find-leaked"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let pasted = format!("{}sk_live_aB3dEfGhIjKlx9k2", "Bearer ".repeat(1000));
    let run = run_cli(&args, &[("KEYDESK_TOKEN", "fake-token")], &pasted).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("4 KiB"), "{}", run.stderr);
}
