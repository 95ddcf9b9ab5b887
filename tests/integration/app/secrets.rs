//! Secrets never reach the disk: after create + copy + acknowledge, nothing under the app's
//! data dir (settings store, activity log, sandbox database) holds the key or the token.

use keydesk_app::SandboxMode;
use serde_json::json;

use crate::support::app::{AppDirs, TestApp, clipboard_turn, files_containing, xclip_output};

#[test]
fn no_secret_or_token_on_disk_after_create_copy_acknowledge() {
    let _turn = clipboard_turn();
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
    // The sandbox registers its connections behind the open window and writes their keyring
    // items after that: wait until startup is done, so every item is there to read.
    tauri::async_runtime::block_on(app.state().startup.done());
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    let (events, clipboard_events) = std::sync::mpsc::channel::<String>();
    tauri::Listener::listen(&app.app, "clipboard", move |event| {
        let _ = events.send(event.payload().to_owned());
    });

    let mut needles = Vec::new();
    for provider in ["oligon", "fiskaly", "strait"] {
        let id = format!("sandbox-{provider}");
        let stored = vault.read(&id).unwrap().unwrap();
        // fiskaly's api_key is the public half of the pair (the sandbox lists it); the
        // api_secret and every token are the secrets.
        for (name, value) in stored.iter().filter(|(name, _)| name.as_str() != "api_key") {
            assert!(["token", "api_secret"].contains(&name.as_str()), "{name}");
            needles.push(secrecy::ExposeSecret::expose_secret(value).to_owned());
        }
        let draft = match provider {
            "strait" => json!({"name": "disk-check", "scopes": ["keys:read"]}),
            _ => json!({"name": "disk-check", "environment": "test"}),
        };
        let created = app.create_key(id.as_str(), draft);
        assert_eq!(created["status"], "created", "{created}");
        let reveal_id = created["reveal"]["reveal_id"].clone();
        for index in 0..created["reveal"]["secrets"].as_array().unwrap().len() {
            let secret = app.call(
                "reveal_secret",
                json!({"revealId": reveal_id, "index": index}),
            );
            let copied = app.call(
                "copy_secret",
                json!({"revealId": reveal_id, "index": index}),
            );
            assert!(copied["clears_at"].is_string());
            assert_eq!(xclip_output().as_deref(), secret.as_str());
            let event: serde_json::Value = serde_json::from_str(
                &clipboard_events
                    .recv_timeout(std::time::Duration::from_secs(5))
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(event["state"], "copied");
            assert_eq!(event["reveal_id"], reveal_id);
            assert_eq!(event["clears_at"], copied["clears_at"]);
            let label = &created["reveal"]["secrets"][index]["label"];
            if !(provider == "fiskaly" && label == "API key") {
                needles.push(secret.as_str().unwrap().to_owned());
            }
        }
        app.call("acknowledge_reveal", json!({"revealId": reveal_id}));
    }
    let data_dir = app.dirs.data_dir();
    let dirs = app.quit();
    assert_eq!(needles.len(), 6, "3 tokens/secrets + 3 created secrets");
    for needle in &needles {
        assert!(needle.len() >= 16);
        let hits = files_containing(&data_dir, needle);
        assert!(hits.is_empty(), "{} was written to {hits:?}", &needle[..12]);
    }
    // Quitting took the last copied secret off the clipboard too.
    let last = needles.last().unwrap();
    assert_ne!(xclip_output().as_deref(), Some(last.as_str()));
    drop(dirs);
}
