//! `keydesk-cli` on the connections the app saved: the app (mock runtime) writes its
//! settings file and keyring items in the test's desktop session, and the CLI, pointed at
//! the same data dir and keyring namespace, reads them. Sync tests: the app blocks on its own
//! runtime, so each CLI run gets a runtime of its own.

use keydesk_app::vault::KeyringVault;
use keydesk_core::ProviderKind;
use keydesk_sandbox::{CredentialOptions, Dialect};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::support::app::{TestApp, created_secret, spawn_deployed_sandbox, spawn_sandbox};
use crate::support::core::{CliRun, cli_connection, run_cli};

/// Runs `keydesk-cli args` on `app`'s data dir and keyring namespace, with `extra` in its
/// environment (the CLI's environment is otherwise empty), and checks that no credential the
/// keyring holds for `app` reached its output.
fn cli_on(app: &TestApp, args: &[&str], extra: &[(&str, &str)], stdin: &str) -> CliRun {
    let data_dir = app.dirs.data_dir();
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let mut env = vec![
        ("KEYDESK_DATA_DIR", data_dir.to_str().unwrap()),
        ("KEYDESK_KEYRING_SERVICE", app.dirs.service.as_str()),
        ("DBUS_SESSION_BUS_ADDRESS", bus.as_str()),
    ];
    env.extend_from_slice(extra);
    let run = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run_cli(args, &env, stdin));
    let vault = KeyringVault::new(app.dirs.service.clone());
    for connection in app.state().connections.list().unwrap() {
        for (_, secret) in vault.read(&connection.id).unwrap().unwrap_or_default() {
            let secret = secret.expose_secret();
            assert!(
                !run.stdout.contains(secret),
                "a credential on stdout: {args:?}"
            );
            assert!(
                !run.stderr.contains(secret),
                "a credential on stderr: {args:?}"
            );
        }
    }
    run
}

/// `cli_on` that must succeed and print JSON.
fn json_on(app: &TestApp, args: &[&str]) -> Value {
    let run = cli_on(app, args, &[], "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()
}

/// An app connected to every provider of `sandbox`; answers it with the connections' ids.
fn app_on_every_provider(sandbox: &keydesk_sandbox::SandboxHandle) -> (TestApp, Vec<Value>) {
    let app = TestApp::start();
    let ids = Dialect::ALL
        .into_iter()
        .map(|dialect| app.connect_sandbox(sandbox, dialect)["id"].clone())
        .collect();
    (app, ids)
}

/// [`app_on_every_provider`] of a new sandbox (kept alive by the caller) with a key the app
/// created in the Oligon connection; answers its id too.
fn app_with_an_oligon_key() -> (keydesk_sandbox::SandboxHandle, TestApp, Vec<Value>, String) {
    let sandbox = spawn_sandbox();
    let (app, ids) = app_on_every_provider(&sandbox);
    let (reveal, _) = created_secret(&app, &ids[0], ProviderKind::Oligon, 0);
    let made = reveal["key"]["id"].as_str().unwrap().to_owned();
    (sandbox, app, ids, made)
}

fn ids_listed(keys: &Value) -> Vec<&str> {
    keys.as_array()
        .unwrap()
        .iter()
        .map(|key| key["id"].as_str().unwrap())
        .collect()
}

#[test]
fn connections_lists_what_the_app_saved_and_no_credential() {
    let sandbox = spawn_sandbox();
    let (app, ids) = app_on_every_provider(&sandbox);
    let listed = json_on(&app, &["connections", "--json"]);
    let saved = app.call("list_connections", json!({}));
    assert_eq!(listed, saved);
    assert_eq!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect::<Vec<_>>(),
        ids
    );
    for connection in listed.as_array().unwrap() {
        let fields: Vec<&String> = connection.as_object().unwrap().keys().collect();
        for secret_field in ["token", "api_key", "api_secret", "credentials"] {
            assert!(!fields.iter().any(|f| *f == secret_field), "{connection}");
        }
    }

    let table = cli_on(&app, &["connections"], &[], "");
    assert_eq!(table.code, 0, "{}", table.stderr);
    let first = table.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("NAME") && first.contains("BASE URL"),
        "{first}"
    );
    for connection in saved.as_array().unwrap() {
        let line = table
            .stdout
            .lines()
            .find(|line| line.contains(connection["id"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("{connection} not in {}", table.stdout));
        assert!(
            line.contains(connection["name"].as_str().unwrap()),
            "{line}"
        );
        assert!(
            line.contains(connection["base_url"].as_str().unwrap()),
            "{line}"
        );
    }
    app.quit();
}

#[test]
fn a_saved_connection_runs_list_by_name_and_by_id() {
    let (_sandbox, app, ids, made) = app_with_an_oligon_key();
    let made = made.as_str();

    let by_name = json_on(&app, &["--connection", "oligon test", "list", "--json"]);
    assert!(ids_listed(&by_name).contains(&made), "{by_name}");
    let by_id = json_on(
        &app,
        &["--connection", ids[0].as_str().unwrap(), "list", "--json"],
    );
    assert_eq!(ids_listed(&by_id), ids_listed(&by_name));
    app.quit();
}

#[test]
fn the_environment_wins_over_the_saved_connection() {
    let (saved_sandbox, other_sandbox) = (spawn_sandbox(), spawn_sandbox());
    let app = TestApp::start();
    let id = app.connect_sandbox(&saved_sandbox, Dialect::Oligon)["id"].clone();
    let (reveal, _) = created_secret(&app, &id, ProviderKind::Oligon, 0);
    let made = reveal["key"]["id"].as_str().unwrap();

    // The other sandbox's URL and token, as the environment gives them.
    let (args, env, _) = cli_connection(
        &other_sandbox,
        ProviderKind::Oligon,
        &CredentialOptions::default(),
    );
    let base_url = &args[args.iter().position(|a| a == "--base-url").unwrap() + 1];
    let mut extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    extra.push(("KEYDESK_BASE_URL", base_url));
    let run = cli_on(
        &app,
        &["--connection", "oligon test", "list", "--json"],
        &extra,
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let elsewhere = ids_listed(&run.json()).join(" ");
    assert!(
        !elsewhere.contains(made),
        "listed the saved sandbox: {elsewhere}"
    );

    // Without the environment, the saved connection answers.
    let saved = json_on(&app, &["--connection", "oligon test", "list", "--json"]);
    assert!(ids_listed(&saved).contains(&made));
    app.quit();
}

#[test]
fn an_unknown_or_shared_name_is_a_usage_error_naming_the_saved_ones() {
    let sandbox = spawn_sandbox();
    let (app, ids) = app_on_every_provider(&sandbox);
    // A second connection of the same name.
    let first = &ids[0];
    let second = &app.connect_sandbox(&sandbox, Dialect::Oligon)["id"];

    let unknown = cli_on(&app, &["--connection", "Nope", "list"], &[], "");
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("\"Nope\""), "{}", unknown.stderr);
    assert!(unknown.stderr.contains("oligon test"), "{}", unknown.stderr);

    let shared = cli_on(&app, &["--connection", "oligon test", "list"], &[], "");
    assert_eq!(shared.code, 2, "{shared:?}");
    assert!(shared.stderr.contains("give the id"), "{}", shared.stderr);
    for id in [first, second] {
        assert!(
            shared.stderr.contains(id.as_str().unwrap()),
            "{}",
            shared.stderr
        );
    }

    let neither = cli_on(&app, &["list"], &[], "");
    assert_eq!(neither.code, 2, "{neither:?}");
    assert!(neither.stderr.contains("--connection"), "{neither:?}");
    app.quit();
}

#[test]
fn inventory_prints_the_apps_export_of_every_connection() {
    let (_sandbox, app, ids, made) = app_with_an_oligon_key();
    app.call(
        "set_annotation",
        json!({"connectionId": ids[0], "keyId": made,
               "annotation": {"owner": "ana", "note": null, "tags": ["billing"]}}),
    );

    for (flag, format) in [("--json", "json"), ("--csv", "csv")] {
        let run = cli_on(&app, &["inventory", flag], &[], "");
        assert_eq!(run.code, 0, "{}", run.stderr);
        let path = app.call("export_inventory", json!({"format": format}));
        let exported = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
        match format {
            "json" => {
                let printed = run.json();
                assert_eq!(printed, serde_json::from_str::<Value>(&exported).unwrap());
                assert_eq!(printed.as_array().unwrap().len(), 4);
                // The annotation is exported beside the key it belongs to.
                let owners: Vec<&Value> = printed[0]["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|key| key["id"] == made)
                    .map(|key| &key["owner"])
                    .collect();
                assert_eq!(owners, [&json!("ana")]);
            }
            _ => {
                assert_eq!(run.stdout, exported);
                assert!(run.stdout.contains(",ana,"), "{}", run.stdout);
            }
        }
    }
    app.quit();
}

#[test]
fn a_connection_that_fails_is_named_on_stderr_and_the_others_are_printed() {
    // The deployed variant sends request ids, as real providers do.
    let sandbox = spawn_deployed_sandbox();
    let (app, ids) = app_on_every_provider(&sandbox);
    // The keyring now holds a token the sandbox refuses for the first connection.
    let vault = KeyringVault::new(app.dirs.service.clone());
    let refused = keydesk_app::vault::CredentialMap::from([(
        "token".to_owned(),
        secrecy::SecretString::from("kd_refused_token"),
    )]);
    vault
        .save(ids[0].as_str().unwrap(), "oligon test", &refused)
        .unwrap();

    let run = cli_on(&app, &["inventory", "--json"], &[], "");
    assert_eq!(run.code, 3, "{run:?}");
    let line = run.stderr.lines().next().unwrap();
    assert!(line.contains("\"oligon test\""), "{line}");
    assert!(line.contains("request id: "), "{line}");
    assert!(!run.stderr.contains("kd_refused_token"));
    let printed = run.json();
    let names: Vec<&str> = printed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connection_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fiskaly test", "syncgram test", "strait test"]);
    app.quit();
}

#[test]
fn find_leaked_without_a_connection_searches_every_saved_one() {
    let sandbox = spawn_sandbox();
    let (app, ids) = app_on_every_provider(&sandbox);
    // A key made outside the app is found by its listed fragment (Oligon lists prefix and
    // last four); one the app made where the list shows no part of a key (SyncgramPay), by
    // the app's fingerprint of its secret.
    let (args, env, _) = cli_connection(
        &sandbox,
        ProviderKind::Oligon,
        &CredentialOptions::default(),
    );
    let mut create: Vec<&str> = args.iter().map(String::as_str).collect();
    create.extend([
        "create",
        "--name",
        "elsewhere",
        "--scope",
        "extract:read",
        "--json",
    ]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let elsewhere = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run_cli(&create, &env, ""))
        .json();
    let oligon_secret = elsewhere["secrets"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let (syncgram, syncgram_secret) = created_secret(&app, &ids[2], ProviderKind::Syncgram, 0);
    for (secret, key_id, connection, by) in [
        (&oligon_secret, &elsewhere["key"]["id"], &ids[0], "listed"),
        (
            &syncgram_secret,
            &syncgram["key"]["id"],
            &ids[2],
            "fingerprint",
        ),
    ] {
        let run = cli_on(&app, &["find-leaked", "--json"], &[], secret);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let found = run.json();
        assert_eq!(found["matches"].as_array().unwrap().len(), 1, "{found}");
        let found = &found["matches"][0];
        assert_eq!(&found["key"]["id"], key_id);
        assert_eq!(&found["connection_id"], connection);
        assert_eq!(found["found_by"], by);
        assert!(!run.stdout.contains(secret.as_str()));
    }
    let table = cli_on(&app, &["find-leaked"], &[], "olg_live_nothing_like_it_0000");
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("4 connections searched"), "{table:?}");
    app.quit();
}

#[test]
fn without_a_keyring_the_saved_connections_are_keychain_unavailable() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    app.connect_sandbox(&sandbox, Dialect::Oligon);
    let before = std::fs::read_dir(app.dirs.data_dir()).unwrap().count();
    let no_bus = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/keydesk-no-bus",
    )];
    for args in [
        &["--connection", "oligon test", "list"][..],
        &["inventory", "--json"][..],
    ] {
        let run = cli_on(&app, args, &no_bus, "");
        assert_eq!(run.code, 3, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("The system keyring is not available"),
            "{}",
            run.stderr
        );
    }
    // Listing the connections needs no keyring; nothing was written anywhere.
    let listed = cli_on(&app, &["connections"], &no_bus, "");
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(
        std::fs::read_dir(app.dirs.data_dir()).unwrap().count(),
        before
    );
    app.quit();
}
