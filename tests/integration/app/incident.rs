//! The audit-grade activity log and the incident record, through the commands and the
//! incident service against sandboxes spawned on 127.0.0.1:0: who did it (OS user and token
//! subject), the provider's request ids of successes and errors, one entry per containment,
//! and the incident report written to the path the save dialog chose.

use keydesk_app::incident;
use keydesk_sandbox::{Dialect, SandboxConfig, SandboxHandle, Variant};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_sandbox};

fn draft(name: &str) -> Value {
    json!({
        "name": name, "scopes": ["extract:read"], "environment": "test",
        "expires_in_days": null, "metadata": {}, "kind": null,
        "rotation_interval_days": null, "rotation_webhook_url": null
    })
}

/// A sandbox like the deployed services: every Oligon answer carries an `X-Request-Id`.
fn deployed_sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        variant: Variant::Deployed,
        ..SandboxConfig::default()
    };
    tauri::async_runtime::block_on(keydesk_sandbox::spawn(config)).unwrap()
}

/// Creates `draft` in `connection_id` and stores it as the user would (secret revealed, dialog
/// acknowledged); answers the key and its secret.
fn stored_key(app: &TestApp, connection_id: &Value, draft: Value) -> (Value, String) {
    let created = app.create_key(connection_id.clone(), draft);
    let reveal_id = created["reveal"]["reveal_id"].clone();
    let secret = app.call("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    app.call("acknowledge_reveal", json!({"revealId": reveal_id}));
    (
        created["reveal"]["key"].clone(),
        secret.as_str().unwrap().to_owned(),
    )
}

#[test]
fn entries_name_the_os_user_the_token_subject_and_the_request_ids_of_successes_and_errors() {
    let sandbox = deployed_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox_as(&sandbox, Dialect::Oligon, "user_ana");
    let (key, _) = stored_key(&app, &id, draft("audited"));

    app.call(
        "revoke_key",
        json!({"connectionId": id, "keyId": key["id"]}),
    );
    let missing = app.fail(
        "revoke_key",
        json!({"connectionId": id, "keyId": "key_nope"}),
    );
    assert_eq!(missing["kind"], "not_found");

    let activity = app.call("list_activity", json!({"limit": 5}));
    let (failed, revoked, create) = (&activity[0], &activity[1], &activity[4]);
    assert_eq!(create["action"], "create");
    for entry in [failed, revoked, create] {
        let user = entry["user"].as_str().unwrap();
        assert!(!user.is_empty() && user != "unknown", "{entry}");
        assert_eq!(user, keydesk_app::activity::os_user());
        if let Ok(name) = std::env::var("USER") {
            assert_eq!(user, name);
        }
        // The sandbox's dashboard JWT names its user in `sub`.
        assert_eq!(entry["subject"], "user_ana", "{entry}");
        assert!(
            entry["request_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("req_")),
            "every answer's request id is recorded, success or not: {entry}"
        );
        assert!(entry["entry_id"].is_string());
    }
    assert_eq!(
        (&revoked["action"], &revoked["result"]),
        (&json!("revoke"), &json!("ok"))
    );
    assert_eq!(failed["result"], "error");
    assert_ne!(failed["request_id"], revoked["request_id"]);
    // Names and the masked key, not only ids.
    assert_eq!(create["key_name"], "audited");
    assert_eq!(create["key_masked"], key["masked"]);
    assert_eq!(revoked["key_name"], "audited");
    assert_eq!(revoked["key_masked"], key["masked"]);
    assert!(revoked["incident"].is_null());
    app.quit();
}

#[test]
fn a_revoke_from_a_leak_search_is_one_incident_entry_and_its_report_holds_no_secret() {
    let sandbox = deployed_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"].clone();
    let (key, secret) = stored_key(&app, &id, draft("leaked deploy"));

    let search = app.call("find_leaked_key", json!({"pasted": secret}));
    assert_eq!(search["matches"][0]["key"]["id"], key["id"]);
    app.call(
        "revoke_key",
        json!({"connectionId": id, "keyId": key["id"], "context": "leak"}),
    );

    let activity = app.call("list_activity", json!({"limit": 3}));
    let (revoke, found) = (&activity[0], &activity[1]);
    // The leak search names what it found: connection, key name, masked.
    assert_eq!(found["action"], "find_leaked_key");
    assert_eq!(found["key_id"], key["id"]);
    let detail = found["detail"].as_str().unwrap();
    assert!(
        detail.contains("leaked deploy") && detail.contains(key["masked"].as_str().unwrap()),
        "{detail}"
    );
    assert_eq!(found["leak"]["matches"][0]["key_name"], "leaked deploy");
    // One entry for the containment: the revoke itself carries the incident.
    assert_eq!(revoke["action"], "revoke");
    assert_eq!(revoke["result"], "ok");
    assert_eq!(revoke["key_id"], key["id"]);
    assert_eq!(revoke["key_name"], "leaked deploy");
    assert_eq!(revoke["key_masked"], key["masked"]);
    let record = &revoke["incident"];
    assert_eq!(record["context"], "leak");
    assert_eq!(record["done"], "Revoked the key.");
    assert!(record["started_at"].as_str().unwrap() <= revoke["at"].as_str().unwrap());
    let request_ids = record["request_ids"].as_array().unwrap();
    assert!(!request_ids.is_empty(), "{record}");
    assert_eq!(revoke["request_id"], *request_ids.last().unwrap());
    assert_eq!(activity[2]["action"], "acknowledge_reveal");

    // The report of the incident entry, written where the save dialog would have said.
    let state = app.state();
    let entry_id = revoke["entry_id"].as_str().unwrap();
    let report = incident::report(&state, Some(entry_id)).unwrap();
    let chosen = app.dirs.root.path().join("chosen").join("ticket-4711.md");
    let files = incident::write_report(&state, &report, &chosen).unwrap();
    assert_eq!(files.markdown, chosen.to_string_lossy());
    let json_path = chosen.with_extension("json");
    assert_eq!(files.json, json_path.to_string_lossy());
    let markdown = std::fs::read_to_string(&chosen).unwrap();
    let text = std::fs::read_to_string(&json_path).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();

    let connection_name = search["matches"][0]["connection_name"].as_str().unwrap();
    let masked = key["masked"].as_str().unwrap();
    let request_id = request_ids[0].as_str().unwrap();
    for needle in [
        connection_name,
        "leaked deploy",
        masked,
        request_id,
        "revoke",
    ] {
        assert!(
            markdown.contains(needle),
            "{needle} missing from:\n{markdown}"
        );
    }
    assert!(
        markdown.contains(found["at"].as_str().unwrap()),
        "when searched"
    );
    assert!(markdown.contains(found["leak"]["pasted_masked"].as_str().unwrap()));
    // The JSON holds the entries as logged: the search and the one containment.
    assert_eq!(document["search"], *found);
    assert_eq!(document["actions"], json!([revoke]));
    assert!(document["generated_by"].is_string());
    // Masked only: neither file, nor the log, holds the key that was pasted.
    for written in [&markdown, &text] {
        assert!(!written.contains(&secret));
    }
    let log = std::fs::read_to_string(app.dirs.data_dir().join("activity.jsonl")).unwrap();
    assert!(!log.contains(&secret));

    // Without an entry id, the newest leak search is the incident: the same report.
    let newest = incident::report(&state, None).unwrap();
    assert_eq!(newest.actions.len(), 1);
    assert_eq!(
        serde_json::to_value(&newest.search).unwrap(),
        document["search"]
    );
    // The export is logged too.
    let activity = app.call("list_activity", json!({"limit": 1}));
    assert_eq!(activity[0]["action"], "export_incident_report");
    app.quit();
}

#[test]
fn a_replace_from_a_leak_search_is_one_incident_entry_naming_the_successor() {
    let sandbox = deployed_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"].clone();
    let (key, secret) = stored_key(&app, &id, draft("leaked worker"));
    app.call("find_leaked_key", json!({"pasted": secret}));
    let options = json!({"grace_minutes": null, "keep_old": false, "revoke_after_minutes": null});
    let replaced = app.call(
        "replace_key",
        json!({"connectionId": id, "keyId": key["id"], "options": options, "context": "leak"}),
    );
    let successor = &replaced["reveal"]["key"];

    let activity = app.call("list_activity", json!({"limit": 1}));
    let entry = &activity[0];
    assert_eq!(entry["action"], "replace");
    assert_eq!(entry["result"], "ok");
    assert_eq!(entry["key_id"], key["id"]);
    assert_eq!(entry["key_name"], "leaked worker");
    let record = &entry["incident"];
    assert_eq!(record["context"], "leak");
    assert_eq!(record["successor_key_id"], successor["id"]);
    let done = record["done"].as_str().unwrap();
    assert!(done.starts_with("Replaced it with leaked worker"), "{done}");
    // The create of the successor and the revoke of the old key: both answers' ids.
    assert!(
        record["request_ids"].as_array().unwrap().len() >= 2,
        "{record}"
    );
    assert!(!entry.to_string().contains(&secret));
    app.quit();
}

#[test]
fn disable_and_rotate_from_attention_are_incident_entries_and_no_dialog_means_no_file() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Strait)["id"].clone();
    let (key, _) = stored_key(&app, &id, json!({"name": "stale", "scopes": ["keys:read"]}));
    app.call("list_keys", json!({"connectionId": id}));

    let rotated = app.call(
        "rotate_key",
        json!({"connectionId": id, "keyId": key["id"], "graceMinutes": 0, "context": "attention"}),
    );
    app.call(
        "acknowledge_reveal",
        json!({"revealId": rotated["reveal_id"]}),
    );
    let successor = rotated["key"]["id"].clone();
    let rotate = app.call("list_activity", json!({"limit": 2}))[1].clone();
    let rotate = &rotate;

    // fiskaly disables keys; Strait cannot.
    let fiskaly = app.connect_sandbox(&sandbox, Dialect::Fiskaly)["id"].clone();
    let draft = json!({"name": "unused", "environment": "test"});
    let (other, _) = stored_key(&app, &fiskaly, draft);
    app.call(
        "set_key_enabled",
        json!({"connectionId": fiskaly, "keyId": other["id"], "enabled": false, "context": "attention"}),
    );
    let disabled = &app.call("list_activity", json!({"limit": 1}))[0];
    assert_eq!(disabled["action"], "disable");
    assert_eq!(disabled["result"], "ok");
    assert_eq!(disabled["incident"]["context"], "attention");
    assert_eq!(disabled["incident"]["done"], "Disabled the key.");
    assert_eq!(disabled["key_id"], other["id"]);
    assert_eq!(disabled["key_name"], "unused");
    assert_eq!(disabled["key_masked"], other["masked"]);
    assert_eq!(rotate["action"], "rotate");
    assert_eq!(rotate["result"], "ok");
    assert_eq!(rotate["key_id"], key["id"]);
    assert_eq!(rotate["key_name"], "stale");
    assert_eq!(rotate["key_masked"], key["masked"]);
    assert_eq!(rotate["incident"]["context"], "attention");
    assert_eq!(rotate["incident"]["successor_key_id"], successor);
    assert!(
        rotate["incident"]["done"]
            .as_str()
            .unwrap()
            .contains("at once")
    );
    // The journal's started line is resolved by the incident entry: one line shows.
    let rotates = app
        .call("list_activity", json!({"limit": 50}))
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "rotate")
        .count();
    assert_eq!(rotates, 1);

    // An Attention incident's report is its own entry, without a leak search.
    let state = app.state();
    let report = incident::report(&state, rotate["entry_id"].as_str()).unwrap();
    assert!(report.search.is_none());
    assert_eq!(report.actions.len(), 1);
    assert_eq!(
        report.actions[0]
            .incident
            .as_ref()
            .and_then(|incident| incident.successor_key_id.as_deref()),
        successor.as_str()
    );

    // The command asks the native dialog, which the test runtime lacks: it fails and writes
    // nothing anywhere (the webview cannot name a path).
    let failed = app.fail(
        "export_incident_report",
        json!({"entryId": rotate["entry_id"]}),
    );
    assert_eq!(failed["kind"], "internal");
    let failed = app.fail("save_activity_export", json!({}));
    assert_eq!(failed["kind"], "internal");
    assert!(!app.dirs.export_dir().exists());
    app.quit();
}
