//! The keyring vault against a real Secret Service (gnome-keyring, unlocked).

use std::collections::BTreeMap;

use keydesk_app::SandboxMode;
use keydesk_app::error::AppError;
use keydesk_app::vault::{CredentialMap, KeyringVault};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::support::app::{AppDirs, TestApp};

fn vault() -> KeyringVault {
    KeyringVault::new(format!("dev.keydesk.test.{}", uuid::Uuid::new_v4()))
}

fn credentials(pairs: &[(&str, &str)]) -> CredentialMap {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), SecretString::from(value.to_string())))
        .collect()
}

fn plain(map: &CredentialMap) -> BTreeMap<String, String> {
    map.iter()
        .map(|(name, value)| (name.clone(), value.expose_secret().to_owned()))
        .collect()
}

#[test]
fn save_read_replace_delete() {
    let vault = vault();
    assert!(vault.read("conn-1").unwrap().is_none());

    vault
        .save(
            "conn-1",
            "Receipts",
            &credentials(&[("api_key", "key-1"), ("api_secret", "secret-1")]),
        )
        .unwrap();
    let read = vault.read("conn-1").unwrap().unwrap();
    assert_eq!(plain(&read)["api_key"], "key-1");
    assert_eq!(plain(&read)["api_secret"], "secret-1");

    vault
        .save("conn-1", "Receipts", &credentials(&[("token", "token-2")]))
        .unwrap();
    let replaced = plain(&vault.read("conn-1").unwrap().unwrap());
    assert_eq!(
        replaced,
        BTreeMap::from([("token".to_owned(), "token-2".to_owned())])
    );

    vault.delete("conn-1").unwrap();
    assert!(vault.read("conn-1").unwrap().is_none());
    // Deleting what is gone is fine.
    vault.delete("conn-1").unwrap();
}

#[test]
fn namespaces_do_not_share_items() {
    let (first, second) = (vault(), vault());
    first
        .save("same-id", "First", &credentials(&[("token", "first")]))
        .unwrap();
    assert!(second.read("same-id").unwrap().is_none());
    first.delete("same-id").unwrap();
}

/// The labels the Secret Service itself holds for the items of `service` (what Seahorse
/// shows), read with `secret-tool`, not through the vault.
fn labels_in_keyring(service: &str) -> Vec<String> {
    let output = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", service])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    // `secret-tool search` prints each item's `label = …` line on stdout.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("label = "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn items_are_labelled_for_people_and_a_rename_relabels() {
    let service = format!("dev.keydesk.test.{}", uuid::Uuid::new_v4());
    let vault = KeyringVault::new(service.clone());
    // An item from before labels, as keyring-core names it by default.
    let stored = std::process::Command::new("secret-tool")
        .args(["store", "--label", &format!("keyring:conn-1@{service}")])
        .args(["service", &service, "username", "conn-1"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"{\"token\":\"old\"}")?;
            child.wait()
        })
        .unwrap();
    assert!(stored.success());
    // It is found by service and account, whatever its label.
    let read = vault.read("conn-1").unwrap().unwrap();
    assert_eq!(plain(&read)["token"], "old");
    assert_eq!(
        labels_in_keyring(&service),
        [format!("keyring:conn-1@{service}")]
    );

    // Saving its credentials labels it; a new item is labelled from the start.
    vault
        .save("conn-1", "Receipts", &credentials(&[("token", "new")]))
        .unwrap();
    vault
        .save("conn-2", "Billing ", &credentials(&[("token", "two")]))
        .unwrap();
    let mut labels = labels_in_keyring(&service);
    labels.sort();
    assert_eq!(labels, ["Keydesk — Billing", "Keydesk — Receipts"]);

    // A rename relabels, and leaves the secret as it was.
    vault.relabel("conn-1", "Receipts (prod)").unwrap();
    assert_eq!(
        vault.label("conn-1").unwrap().as_deref(),
        Some("Keydesk — Receipts (prod)")
    );
    assert_eq!(
        plain(&vault.read("conn-1").unwrap().unwrap())["token"],
        "new"
    );
    // Relabelling what is not there is fine.
    vault.relabel("conn-3", "Nothing").unwrap();
    assert_eq!(vault.label("conn-3").unwrap(), None);
    for id in ["conn-1", "conn-2"] {
        vault.delete(id).unwrap();
    }
    assert_eq!(labels_in_keyring(&service), Vec::<String>::new());
}

#[test]
fn renaming_a_connection_relabels_its_keyring_item() {
    let sandbox = crate::support::app::spawn_sandbox();
    let app = TestApp::start();
    let input = crate::support::app::sandbox_input(&sandbox, keydesk_sandbox::Dialect::Oligon);
    let id = app.call("save_connection", json!({"input": input.clone()}))["id"].clone();
    let vault = KeyringVault::new(app.dirs.service.clone());
    let id = id.as_str().unwrap();
    assert_eq!(
        vault.label(id).unwrap().as_deref(),
        Some("Keydesk — oligon test")
    );
    let mut renamed = input;
    renamed["id"] = json!(id);
    renamed["name"] = json!("Receipts");
    renamed["credentials"] = serde_json::Value::Null;
    app.call("save_connection", json!({"input": renamed}));
    assert_eq!(labels_in_keyring(&app.dirs.service), ["Keydesk — Receipts"]);
    app.quit();
}

/// In the desktop session the keyring is reachable; run by `missing_daemon_…` with no
/// session bus at all, it must report `keychain_unavailable` with a fix, not fall back.
#[test]
fn keyring_probe() {
    let result = vault().check().map_err(AppError::from);
    if std::env::var("KEYDESK_PROBE_EXPECT").as_deref() == Ok("unavailable") {
        let error = result.unwrap_err();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "keychain_unavailable");
        assert!(error.message.contains("GNOME Keyring"), "{}", error.message);
        let saved = vault()
            .save("x", "X", &credentials(&[("token", "t")]))
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(AppError::from(saved)).unwrap()["kind"],
            "keychain_unavailable"
        );

        // The app still opens, says why, lists the sandbox's connections without
        // credentials, and never writes them anywhere else.
        let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
        let notices = app.call("startup_notices", json!({}));
        assert_eq!(notices.as_array().unwrap().len(), 1, "{notices}");
        assert!(
            notices[0].as_str().unwrap().contains("keyring"),
            "{notices}"
        );
        let connections = app.call("list_connections", json!({}));
        assert_eq!(connections.as_array().unwrap().len(), 4);
        assert!(
            connections
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["has_credentials"] == false)
        );
        let listed = app.fail("list_keys", json!({"connectionId": "sandbox-oligon"}));
        assert_eq!(listed["kind"], "keychain_unavailable");
        let store = std::fs::read_to_string(app.dirs.data_dir().join("settings.json")).unwrap();
        assert!(
            !store.contains("token") && !store.contains("api_secret"),
            "{store}"
        );
        app.quit();
        println!("probe saw keychain_unavailable");
    } else {
        result.unwrap();
    }
}

#[test]
fn missing_daemon_is_keychain_unavailable() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "app::vault::keyring_probe",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/keydesk-no-bus",
        )
        .env("KEYDESK_PROBE_EXPECT", "unavailable")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("probe saw keychain_unavailable"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}
