//! The sandbox as the app embeds it: what the app is given and what it leaves on disk.
//! Needs the desktop session's keyring (`scripts/desktop-session`).

use keydesk_app::SandboxMode;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::support::app::{AppDirs, TestApp};
use crate::support::sandbox::jwt_expiry;

#[test]
fn the_app_gets_embedded_sandbox_tokens_that_expire_within_a_day_in_a_private_folder() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
    // The sandbox's credentials reach the keyring once startup is done, after its
    // connections are listed.
    tauri::async_runtime::block_on(app.state().startup.done());
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    let now = chrono::Utc::now().timestamp();
    for provider in ["oligon", "syncgram", "strait"] {
        let stored = vault.read(&format!("sandbox-{provider}")).unwrap().unwrap();
        let expiry = jwt_expiry(stored["token"].expose_secret());
        assert!(expiry > now, "{provider}: already expired");
        assert!(
            expiry <= now + 24 * 60 * 60 + 5,
            "{provider}: the token lives {} h",
            (expiry - now) / 3600
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = app.dirs.data_dir().join("sandbox");
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        let db = folder.join("sandbox.sqlite3");
        for file in [
            db.clone(),
            folder.join("sandbox.sqlite3-wal"),
            folder.join("sandbox.sqlite3-shm"),
        ] {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    app.quit();
}

#[test]
fn keys_created_through_the_app_leave_no_form_of_their_secret_in_the_sandbox_files() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
    app.call("list_connections", json!({}));
    let mut secrets = Vec::new();
    // SyncgramPay's demo org already has its one active key; the sandbox-level audit
    // (`the_database_file_never_holds_a_plaintext_secret`) creates SyncgramPay keys.
    for provider in ["oligon", "fiskaly", "strait"] {
        let draft = match provider {
            "strait" => json!({"name": "wal-check", "scopes": ["keys:read"]}),
            _ => json!({"name": "wal-check", "environment": "live"}),
        };
        let created = app.create_key(format!("sandbox-{provider}"), draft);
        assert_eq!(created["status"], "created", "{created}");
        let reveal_id = created["reveal"]["reveal_id"].clone();
        for (index, secret) in created["reveal"]["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let value = app.call(
                "reveal_secret",
                json!({"revealId": reveal_id, "index": index}),
            );
            // fiskaly's API key is the public half of the pair; the sandbox stores it.
            if !(provider == "fiskaly" && secret["label"] == "API key") {
                secrets.push((provider, value.as_str().unwrap().to_owned()));
            }
        }
    }
    assert_eq!(secrets.len(), 3);
    // Scanned while the app runs: recent writes sit in the write-ahead log.
    let folder = app.dirs.data_dir().join("sandbox");
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(
        std::fs::metadata(folder.join("sandbox.sqlite3-wal"))
            .unwrap()
            .len()
            > 0,
        "sanity: the write-ahead log is in use"
    );
    for (provider, secret) in &secrets {
        let found = crate::support::sandbox::secret_forms_in(&bytes, secret);
        assert!(
            found.is_empty(),
            "{provider}'s new secret is in the sandbox files as {found:?}"
        );
    }
    app.quit();
}
