//! Startup: the embedded sandbox, and settings files Keydesk cannot use.

use keydesk_app::SandboxMode;
use serde_json::{Value, json};

use crate::support::app::{AppDirs, TestApp};

#[test]
fn embedded_sandbox_registers_four_working_connections_with_stable_ids() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    let connections = app.call("list_connections", json!({}));
    let ids: Vec<&str> = connections
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "sandbox-oligon",
            "sandbox-fiskaly",
            "sandbox-syncgram",
            "sandbox-strait"
        ]
    );
    for connection in connections.as_array().unwrap() {
        assert_eq!(connection["sandbox"], true);
        assert_eq!(connection["has_credentials"], true);
        let keys = app.call("list_keys", json!({"connectionId": connection["id"]}));
        assert!(
            keys.as_array().unwrap().len() >= 5,
            "demo seed of {}: {keys}",
            connection["id"]
        );
    }
    let first_url = connections[0]["base_url"].clone();
    assert!(first_url.as_str().unwrap().starts_with("http://127.0.0.1:"));
    let db = app.dirs.data_dir().join("sandbox").join("sandbox.sqlite3");
    assert!(db.is_file());
    let draft = json!({"name": "survives restarts", "environment": "test"});
    let created = app.call(
        "create_key",
        json!({"connectionId": "sandbox-oligon", "draft": draft, "replaceActive": false}),
    );
    let keys_before = app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));

    // Restart on the same files: same ids, same data, the base URL follows the new port.
    keydesk_app::state::shutdown(app.app.handle());
    let dirs = {
        let TestApp { app, window, dirs } = app;
        drop(window);
        drop(app);
        dirs
    };
    let again = TestApp::start_in(dirs, SandboxMode::Auto);
    let connections = again.call("list_connections", json!({}));
    assert_eq!(connections.as_array().unwrap().len(), 4);
    assert_ne!(connections[0]["base_url"], first_url);
    let keys_after = again.call("list_keys", json!({"connectionId": "sandbox-oligon"}));
    assert_eq!(
        keys_after.as_array().unwrap().len(),
        keys_before.as_array().unwrap().len()
    );
    let new_id = &created["reveal"]["key"]["id"];
    assert!(
        keys_after
            .as_array()
            .unwrap()
            .iter()
            .any(|key| &key["id"] == new_id)
    );
    // The secret of an earlier run is gone with it: reveals live only in memory.
    assert_eq!(again.call("pending_reveals", json!({})), json!([]));
    assert_eq!(again.call("startup_notices", json!({})), json!([]));
    again.quit();
}

#[test]
fn corrupt_settings_file_is_kept_as_a_backup_and_reported() {
    let dirs = AppDirs::new();
    std::fs::create_dir_all(dirs.data_dir()).unwrap();
    let path = dirs.data_dir().join("settings.json");
    std::fs::write(&path, b"{ this is not json").unwrap();

    let app = TestApp::start_in(dirs, SandboxMode::Off);
    let notices = app.call("startup_notices", json!({}));
    let notice = notices[0].as_str().unwrap();
    assert!(notice.contains("corrupt"), "{notice}");
    let backup = backup_next_to(&path);
    assert!(notice.contains(backup.to_str().unwrap()), "{notice}");
    assert_eq!(std::fs::read(&backup).unwrap(), b"{ this is not json");
    assert_eq!(app.call("list_connections", json!({})), json!([]));
    app.quit();
}

#[test]
fn settings_from_a_newer_keydesk_are_not_overwritten() {
    let dirs = AppDirs::new();
    std::fs::create_dir_all(dirs.data_dir()).unwrap();
    let path = dirs.data_dir().join("settings.json");
    let newer = json!({"schema_version": 99, "connections": [{"shape": "unknown"}]}).to_string();
    std::fs::write(&path, &newer).unwrap();

    let app = TestApp::start_in(dirs, SandboxMode::Off);
    let notices = app.call("startup_notices", json!({}));
    assert!(
        notices[0].as_str().unwrap().contains("newer Keydesk"),
        "{notices}"
    );
    // A change writes a fresh file; the newer one stays intact in its backup.
    app.call(
        "save_settings",
        json!({"settings": {"clipboard_clear_secs": 60, "theme": "light"}}),
    );
    assert_eq!(
        std::fs::read_to_string(backup_next_to(&path)).unwrap(),
        newer
    );
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["schema_version"], 1);
    app.quit();
}

fn backup_next_to(path: &std::path::Path) -> std::path::PathBuf {
    let dir = path.parent().unwrap();
    let backups: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("settings.json.") && name.ends_with(".bak")
        })
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    backups[0].clone()
}
