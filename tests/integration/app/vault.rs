//! The keyring vault against a real Secret Service (gnome-keyring, unlocked).

use std::collections::BTreeMap;

use keydesk_app::SandboxMode;
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
            &credentials(&[("api_key", "key-1"), ("api_secret", "secret-1")]),
        )
        .unwrap();
    let read = vault.read("conn-1").unwrap().unwrap();
    assert_eq!(plain(&read)["api_key"], "key-1");
    assert_eq!(plain(&read)["api_secret"], "secret-1");

    vault
        .save("conn-1", &credentials(&[("token", "token-2")]))
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
        .save("same-id", &credentials(&[("token", "first")]))
        .unwrap();
    assert!(second.read("same-id").unwrap().is_none());
    first.delete("same-id").unwrap();
}

/// In the desktop session the keyring is reachable; run by `missing_daemon_…` with no
/// session bus at all, it must report `keychain_unavailable` with a fix, not fall back.
#[test]
fn keyring_probe() {
    let result = vault().check();
    if std::env::var("KEYDESK_PROBE_EXPECT").as_deref() == Ok("unavailable") {
        let error = result.unwrap_err();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "keychain_unavailable");
        assert!(error.message.contains("GNOME Keyring"), "{}", error.message);
        let saved = vault()
            .save("x", &credentials(&[("token", "t")]))
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(saved).unwrap()["kind"],
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
