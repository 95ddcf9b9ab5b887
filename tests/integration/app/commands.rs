//! The command layer through Tauri's mock runtime, against sandboxes spawned on
//! 127.0.0.1:0 over real HTTP.

use keydesk_sandbox::Dialect;
use serde_json::{Value, json};

use crate::support::app::{TestApp, sandbox_input, spawn_sandbox, strings};

fn draft(name: &str) -> Value {
    json!({
        "name": name, "scopes": ["extract:read"], "environment": "test",
        "expires_in_days": null, "metadata": {}, "kind": null,
        "rotation_interval_days": null, "rotation_webhook_url": null
    })
}

#[test]
fn keys_are_listed_without_their_raw_json_which_key_details_answers() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let connection = app.connect_sandbox(&sandbox, Dialect::Oligon);
    let id = connection["id"].clone();
    let created: Vec<Value> = ["first", "second"]
        .into_iter()
        .map(|name| app.create_key(id.clone(), draft(name))["reveal"]["key"]["id"].clone())
        .collect();

    // Another app on the same server has listed nothing: key_details lists by itself.
    let fresh = TestApp::start();
    let other = fresh.connect_sandbox(&sandbox, Dialect::Oligon);
    let unlisted = fresh.call(
        "key_details",
        json!({"connectionId": other["id"], "keyId": created[0]}),
    );
    assert!(
        unlisted["raw"]
            .to_string()
            .contains(created[0].as_str().unwrap()),
        "{unlisted}"
    );
    fresh.quit();

    let keys = app.call("list_keys", json!({"connectionId": id}));
    let keys = keys.as_array().unwrap();
    assert_eq!(
        strings(&Value::from(keys.clone()), "id").len(),
        created.len()
    );
    for key in keys {
        assert!(key.get("raw").is_none(), "{key}");
        let details = app.call(
            "key_details",
            json!({"connectionId": id, "keyId": key["id"]}),
        );
        // The provider's own JSON: its id, its name as the provider spells them.
        let raw = details["raw"].to_string();
        assert!(raw.contains(key["id"].as_str().unwrap()), "{raw}");
        assert!(raw.contains(key["name"].as_str().unwrap()), "{raw}");
    }

    // A key made after the list has its details from the create answer; the secret is not
    // in them.
    let created = app.create_key(id.clone(), draft("after the list"));
    let new_id = created["reveal"]["key"]["id"].clone();
    assert!(created["reveal"]["key"].get("raw").is_none());
    let secret = app.call(
        "reveal_secret",
        json!({"revealId": created["reveal"]["reveal_id"], "index": 0}),
    );
    let details = app.call("key_details", json!({"connectionId": id, "keyId": new_id}));
    assert!(
        details["raw"]
            .to_string()
            .contains(new_id.as_str().unwrap())
    );
    assert!(!details.to_string().contains(secret.as_str().unwrap()));

    let missing = app.fail(
        "key_details",
        json!({"connectionId": id, "keyId": "no-such-key"}),
    );
    assert_eq!(missing["kind"], "not_found");
    app.quit();
}

#[test]
fn create_gives_a_pending_reveal_until_acknowledged() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let connection = app.connect_sandbox(&sandbox, Dialect::Oligon);
    let id = connection["id"].as_str().unwrap();
    assert_eq!(connection["has_credentials"], true);
    assert_eq!(connection["sandbox"], false);

    let created = app.create_key(id, draft("ci deploy"));
    assert_eq!(created["status"], "created");
    let reveal = &created["reveal"];
    let reveal_id = reveal["reveal_id"].as_str().unwrap();
    assert_eq!(reveal["connection_id"], id);
    assert_eq!(reveal["key"]["name"], "ci deploy");
    assert!(reveal["secrets"][0]["label"].is_string());

    // The plaintext comes only from reveal_secret, and nowhere in the create answer.
    let secret = app.call("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    let secret = secret.as_str().unwrap().to_owned();
    assert!(secret.starts_with("sk_test_"), "{secret}");
    assert!(!created.to_string().contains(&secret));
    let masked = reveal["secrets"][0]["masked"].as_str().unwrap();
    assert!(masked.ends_with(&secret[secret.len() - 4..]) && masked.len() < secret.len());

    // A webview reload asks again and finds it.
    let pending = app.call("pending_reveals", json!({}));
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["reveal_id"], reveal_id);
    assert!(!pending.to_string().contains(&secret));

    // The key is real: it is listed, and the sandbox's data plane accepts the secret.
    let keys = app.call("list_keys", json!({"connectionId": id}));
    let new_key = reveal["key"]["id"].clone();
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|key| key["id"] == new_key)
    );
    let status = tauri::async_runtime::block_on(async {
        crate::support::sandbox::http_client()
            .get(format!("{}/oligon/v1/extract", sandbox.base_url()))
            .header("X-API-Key", &secret)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    assert_eq!(
        app.call("acknowledge_reveal", json!({"revealId": reveal_id})),
        Value::Null
    );
    assert_eq!(app.call("pending_reveals", json!({})), json!([]));
    let gone = app.fail("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    assert_eq!(gone["kind"], "not_found");

    let activity = app.call("list_activity", json!({"limit": 10}));
    assert_eq!(
        strings(&activity, "action")[..4],
        [
            "reveal_secret",
            "acknowledge_reveal",
            "reveal_secret",
            "create"
        ]
    );
    assert_eq!(activity[0]["result"], "error");
    assert_eq!(activity[0]["error_kind"], "not_found");
    assert_eq!(activity[3]["result"], "ok");
    assert_eq!(activity[3]["key_name"], "ci deploy");
    assert_eq!(activity[3]["connection_id"], id);
    assert!(!activity.to_string().contains(&secret));
    app.quit();
}

#[test]
fn revoke_updates_the_key_and_is_logged() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app.create_key(id.as_str(), draft("to revoke"));
    let key_id = created["reveal"]["key"]["id"].as_str().unwrap().to_owned();

    let revoked = app.call("revoke_key", json!({"connectionId": id, "keyId": key_id}));
    if !revoked.is_null() {
        assert_eq!(revoked["status"], "revoked");
    }
    let keys = app.call("list_keys", json!({"connectionId": id}));
    let listed = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == key_id.as_str())
        .unwrap();
    assert_eq!(listed["status"], "revoked");

    // Revoking an unknown key fails with the provider's kind, and the failure is logged.
    let missing = app.fail(
        "revoke_key",
        json!({"connectionId": id, "keyId": "key_nope"}),
    );
    assert_eq!(missing["kind"], "not_found");
    let activity = app.call("list_activity", json!({"limit": 2}));
    assert_eq!(activity[0]["action"], "revoke");
    assert_eq!(activity[0]["result"], "error");
    assert_eq!(activity[0]["error_kind"], "not_found");
    assert_eq!(activity[1]["action"], "revoke");
    assert_eq!(activity[1]["result"], "ok");
    assert_eq!(activity[1]["key_id"], key_id.as_str());
    app.quit();
}

#[test]
fn leaked_key_search_covers_every_connection_and_reports_the_failing_one() {
    let first = spawn_sandbox();
    let second = spawn_sandbox();
    let app = TestApp::start();
    let oligon = app.connect_sandbox(&first, Dialect::Oligon)["id"].clone();
    let strait = app.connect_sandbox(&second, Dialect::Strait)["id"].clone();
    // SyncgramPay lists no part of its keys: searched, but said to prove nothing.
    let payments = app.connect_sandbox(&second, Dialect::Syncgram)["id"].clone();
    app.create_key(payments.clone(), json!({"name": "payments"}));
    // A fourth connection whose server goes away: it cannot be searched.
    let doomed = spawn_sandbox();
    let broken = app.connect_sandbox(&doomed, Dialect::Syncgram)["id"].clone();
    tauri::async_runtime::block_on(doomed.shutdown());

    let created = app.create_key(oligon.clone(), draft("leaky"));
    let reveal_id = created["reveal"]["reveal_id"].clone();
    let secret = app.call("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    app.call("acknowledge_reveal", json!({"revealId": reveal_id}));

    let pasted = format!("  OLIGON_KEY={}\n", secret.as_str().unwrap());
    let search = app.call("find_leaked_key", json!({"pasted": pasted}));
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    assert_eq!(search["matches"][0]["connection_id"], oligon);
    assert_eq!(search["matches"][0]["connection_name"], "oligon test");
    assert_eq!(
        search["matches"][0]["key"]["id"],
        created["reveal"]["key"]["id"]
    );
    assert_eq!(search["ambiguous"], false);
    let mut searched: Vec<Value> = search["searched"].as_array().unwrap().clone();
    searched.sort_by_key(|id| id.to_string());
    let mut expected = vec![oligon.clone(), strait.clone(), payments.clone()];
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(searched, expected);
    // Beside a match, what could not be searched is not the leak: it goes unsaid.
    assert_eq!(search["unsearchable"], json!([]));
    assert_eq!(search["failed"], json!([]));
    // When nothing matches, it is said, with why.
    let unknown = app.call(
        "find_leaked_key",
        json!({"pasted": "sk_live_NotAKeyAnyoneMade0000"}),
    );
    assert_eq!(unknown["matches"], json!([]), "{unknown}");
    assert_eq!(unknown["unsearchable"], json!([payments]));
    assert_eq!(unknown["failed"].as_array().unwrap().len(), 1);
    assert_eq!(unknown["failed"][0]["connection_id"], broken);
    assert_eq!(unknown["failed"][0]["error"]["kind"], "network");

    // One-step revoke from the match.
    let key_id = search["matches"][0]["key"]["id"].clone();
    app.call(
        "revoke_key",
        json!({"connectionId": oligon, "keyId": key_id}),
    );
    let again = app.call("find_leaked_key", json!({"pasted": pasted}));
    assert_eq!(again["matches"][0]["key"]["status"], "revoked");
    app.quit();
}

#[test]
fn invalid_connection_input_names_the_field_and_saves_nothing() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let good = sandbox_input(&sandbox, Dialect::Oligon);

    let cases = [
        ("base_url", json!("not a url")),
        ("base_url", json!("http://api.example.com/oligon")),
    ];
    for (field, value) in cases {
        let mut input = good.clone();
        input["base_url"] = value;
        let error = app.fail("save_connection", json!({"input": input}));
        assert_eq!(error["kind"], "validation", "{error}");
        assert_eq!(error["field"], field, "{error}");
    }
    let mut empty_token = good.clone();
    empty_token["credentials"] = json!({"token": "  "});
    let error = app.fail("save_connection", json!({"input": empty_token}));
    assert_eq!(
        (error["kind"].clone(), error["field"].clone()),
        (json!("validation"), json!("token"))
    );

    let mut no_name = good.clone();
    no_name["name"] = json!("");
    assert_eq!(
        app.fail("save_connection", json!({"input": no_name}))["field"],
        "name"
    );

    let mut fiskaly = sandbox_input(&sandbox, Dialect::Fiskaly);
    fiskaly["org_id"] = Value::Null;
    assert_eq!(
        app.fail("save_connection", json!({"input": fiskaly}))["field"],
        "org_id"
    );

    assert_eq!(app.call("list_connections", json!({})), json!([]));
    // Credentials never travel back to the UI.
    let saved = app.call("save_connection", json!({"input": good}));
    assert!(saved.get("credentials").is_none());
    app.quit();
}

#[test]
fn test_connection_counts_keys_and_reports_bad_credentials() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let input = sandbox_input(&sandbox, Dialect::Strait);
    let seen = app.call("test_connection", json!({"input": input}));
    assert_eq!(seen, json!(0));

    let mut wrong = input.clone();
    wrong["credentials"] = json!({"token": "not-a-valid-token"});
    let error = app.fail("test_connection", json!({"input": wrong}));
    assert_eq!(error["kind"], "unauthorized");
    assert_eq!(app.call("list_connections", json!({})), json!([]));

    // Typed in the form, nothing stored: the message says the token was refused.
    let typed = error["message"].as_str().unwrap();
    let provider_said = typed
        .strip_prefix("The token was refused. ")
        .unwrap_or_else(|| panic!("{typed}"));
    // The same refusal of a saved connection's keyring credentials does not say "typed".
    let saved = app.call("save_connection", json!({"input": wrong}));
    let mut stored = wrong.clone();
    stored["id"] = saved["id"].clone();
    stored["credentials"] = Value::Null;
    let from_keyring = app.fail("test_connection", json!({"input": stored}));
    assert_eq!(from_keyring["kind"], "unauthorized");
    assert_eq!(from_keyring["message"], provider_said);
    app.quit();
}

#[test]
fn refused_typed_key_and_secret_are_named_as_such() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let mut wrong = sandbox_input(&sandbox, Dialect::Fiskaly);
    wrong["credentials"] = json!({"api_key": "not-a-key", "api_secret": "not-a-secret"});
    let error = app.fail("test_connection", json!({"input": wrong}));
    assert_eq!(error["kind"], "unauthorized", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("The API key and API secret were refused. "),
        "{message}"
    );
    assert!(!message.contains("not-a-secret"), "{message}");
    app.quit();
}

#[test]
fn deleting_a_connection_removes_its_keyring_item() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Fiskaly)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    let stored = vault.read(&id).unwrap().unwrap();
    assert_eq!(
        stored.keys().map(String::as_str).collect::<Vec<_>>(),
        ["api_key", "api_secret"]
    );

    // Editing without credentials keeps what the keyring holds.
    let mut edit = sandbox_input(&sandbox, Dialect::Fiskaly);
    edit["id"] = json!(id);
    edit["name"] = json!("renamed");
    edit["credentials"] = Value::Null;
    assert_eq!(
        app.call("save_connection", json!({"input": edit}))["name"],
        "renamed"
    );
    assert!(vault.read(&id).unwrap().is_some());
    assert!(
        app.call("list_keys", json!({"connectionId": id}))
            .is_array()
    );

    assert_eq!(
        app.call("delete_connection", json!({"id": id})),
        Value::Null
    );
    assert!(vault.read(&id).unwrap().is_none());
    assert_eq!(app.call("list_connections", json!({})), json!([]));
    let gone = app.fail("list_keys", json!({"connectionId": id}));
    assert_eq!(gone["kind"], "not_found");
    app.quit();
}

#[test]
fn settings_round_trip_and_reject_out_of_range_values() {
    let app = TestApp::start();
    assert_eq!(
        app.call("get_settings", json!({})),
        json!({"clipboard_clear_secs": 30, "theme": "system", "reminder_minutes": 15, "leak_shortcut": null})
    );
    let wanted = json!({"clipboard_clear_secs": null, "theme": "dark", "reminder_minutes": null, "leak_shortcut": null});
    assert_eq!(
        app.call("save_settings", json!({"settings": wanted})),
        wanted
    );
    assert_eq!(app.call("get_settings", json!({})), wanted);
    for secs in [5, 301] {
        let error = app.fail(
            "save_settings",
            json!({"settings": {"clipboard_clear_secs": secs, "theme": "light"}}),
        );
        assert_eq!(error["field"], "clipboard_clear_secs");
    }
    for minutes in [4, 1441] {
        let error = app.fail(
            "save_settings",
            json!({"settings": {"clipboard_clear_secs": 30, "theme": "light", "reminder_minutes": minutes}}),
        );
        assert_eq!(error["field"], "reminder_minutes");
    }
    let dirs = app.quit();
    let again = TestApp::start_in(dirs, keydesk_app::SandboxMode::Off);
    assert_eq!(again.call("get_settings", json!({})), wanted);
    again.quit();
}

#[test]
fn inventory_export_writes_keys_without_secrets() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"].clone();
    let created = app.create_key(id.clone(), draft("exported"));
    let reveal_id = created["reveal"]["reveal_id"].clone();
    let secret = app.call("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    let secret = secret.as_str().unwrap();

    let csv_path = app.call("export_inventory", json!({"format": "csv"}));
    let csv = std::fs::read_to_string(csv_path.as_str().unwrap()).unwrap();
    assert!(csv.starts_with("connection,provider,key_id,name,masked"));
    assert!(
        csv.contains("exported")
            && csv.contains(created["reveal"]["key"]["masked"].as_str().unwrap())
    );
    assert!(!csv.contains(secret));

    let json_path = app.call("export_inventory", json!({"format": "json"}));
    let text = std::fs::read_to_string(json_path.as_str().unwrap()).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document[0]["connection_id"], id);
    assert!(!text.contains(secret));
    // The export keeps each key's raw JSON, which the IPC leaves out.
    assert!(document[0]["keys"][0]["raw"].is_object(), "{text}");

    let activity_path = app.call("export_activity", json!({}));
    let activity = std::fs::read_to_string(activity_path.as_str().unwrap()).unwrap();
    assert!(activity.contains(",create,ok,"), "{activity}");
    app.quit();
}

#[test]
fn rotate_reveals_the_new_key_and_keeps_the_old_one_in_grace() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let draft = json!({"name": "rotating", "scopes": ["keys:read"]});
    let (id, created) = app.connected_key(&sandbox, Dialect::Strait, draft);
    let old_id = created["reveal"]["key"]["id"].clone();
    app.call(
        "acknowledge_reveal",
        json!({"revealId": created["reveal"]["reveal_id"]}),
    );

    let rotated = app.call(
        "rotate_key",
        json!({"connectionId": id, "keyId": old_id, "graceMinutes": 30}),
    );
    assert_ne!(rotated["key"]["id"], old_id);
    assert_eq!(rotated["connection_id"], id);
    let new_secret = app.call(
        "reveal_secret",
        json!({"revealId": rotated["reveal_id"], "index": 0}),
    );
    assert!(new_secret.as_str().unwrap().starts_with("strait_"));
    let keys = app.call("list_keys", json!({"connectionId": id}));
    let old = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == old_id)
        .unwrap();
    assert_eq!(old["status"], "rotating", "{old}");
    assert!(old["rotation"]["grace_expires_at"].is_string(), "{old}");

    let too_long = app.fail(
        "rotate_key",
        json!({"connectionId": id, "keyId": rotated["key"]["id"], "graceMinutes": 20000}),
    );
    assert_eq!(too_long["kind"], "validation");
    let activity = app.call("list_activity", json!({"limit": 3}));
    assert_eq!(
        (activity[0]["action"].clone(), activity[0]["result"].clone()),
        (json!("rotate"), json!("error"))
    );
    assert_eq!(activity[0]["error_kind"], "validation");
    assert_eq!(
        (activity[2]["action"].clone(), activity[2]["result"].clone()),
        (json!("rotate"), json!("ok"))
    );
    assert_eq!(activity[2]["key_id"], old_id);
    app.quit();
}

#[test]
fn fiskaly_keys_are_disabled_and_enabled_in_place() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let draft =
        json!({"name": "pos-terminal-7", "environment": "test", "metadata": {"site": "berlin"}});
    let (id, created) = app.connected_key(&sandbox, Dialect::Fiskaly, draft);
    let reveal = &created["reveal"];
    assert_eq!(
        reveal["secrets"].as_array().unwrap().len(),
        2,
        "key + secret"
    );
    let key_id = reveal["key"]["id"].clone();

    let disabled = app.call(
        "set_key_enabled",
        json!({"connectionId": id, "keyId": key_id, "enabled": false}),
    );
    assert_eq!(disabled["status"], "disabled");
    let enabled = app.call(
        "set_key_enabled",
        json!({"connectionId": id, "keyId": key_id, "enabled": true}),
    );
    assert_eq!(enabled["status"], "active");
    let activity = app.call("list_activity", json!({"limit": 2}));
    assert_eq!(activity[0]["action"], "enable");
    assert_eq!(activity[1]["action"], "disable");
    assert_eq!(activity[1]["key_name"], "pos-terminal-7");

    // A name fiskaly refuses is caught before any request, naming the field.
    let bad = json!({"name": "Not Valid!", "environment": "test"});
    let error = app.fail(
        "create_key",
        json!({"connectionId": id, "draft": bad, "replaceActive": false}),
    );
    assert_eq!(
        (error["kind"].clone(), error["field"].clone()),
        (json!("validation"), json!("name"))
    );
    app.quit();
}

#[test]
fn replace_active_revokes_the_single_active_key_first() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    // SyncgramPay allows one create per user and minute: three admins of one org take turns.
    let connection = |user: &str| app.connect_sandbox_as(&sandbox, Dialect::Syncgram, user);
    let (first_admin, second_admin, third_admin) = (
        connection("admin_a"),
        connection("admin_b"),
        connection("admin_c"),
    );

    let first = app.create_key(first_admin.clone(), json!({"name": "first"}));
    let first_id = first["reveal"]["key"]["id"].clone();
    let conflict = app.fail(
        "create_key",
        json!({"connectionId": second_admin, "draft": {"name": "second"}, "replaceActive": false}),
    );
    assert_eq!(conflict["kind"], "conflict", "{conflict}");

    let replaced = app.call(
        "create_key",
        json!({"connectionId": third_admin, "draft": {"name": "second"}, "replaceActive": true}),
    );
    assert_eq!(replaced["status"], "created", "{replaced}");
    let keys = app.call("list_keys", json!({"connectionId": third_admin}));
    let status_of = |key_id: &Value| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|key| &key["id"] == key_id)
            .map(|key| key["status"].clone())
    };
    assert_eq!(status_of(&first_id), Some(json!("revoked")));
    assert_eq!(
        status_of(&replaced["reveal"]["key"]["id"]),
        Some(json!("active"))
    );
    let activity = app.call("list_activity", json!({"limit": 2}));
    assert_eq!(activity[0]["action"], "create");
    assert_eq!(activity[1]["action"], "revoke");
    assert_eq!(activity[1]["key_id"], first_id);

    // The same admin again within the minute: SyncgramPay would refuse the create, so the
    // active key is not revoked at all.
    let limited = app.fail(
        "create_key",
        json!({"connectionId": third_admin, "draft": {"name": "third"}, "replaceActive": true}),
    );
    assert_eq!(limited["kind"], "rate_limited", "{limited}");
    let wait = limited["retry_after_secs"].as_u64().unwrap();
    assert!((1..=61).contains(&wait), "{limited}");
    assert!(
        limited["message"]
            .as_str()
            .unwrap()
            .contains("Nothing was revoked"),
        "{limited}"
    );
    let keys = app.call("list_keys", json!({"connectionId": third_admin}));
    let active: Vec<&Value> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter(|key| key["status"] == "active")
        .map(|key| &key["id"])
        .collect();
    assert_eq!(active, [&replaced["reveal"]["key"]["id"]]);
    let latest = app.call("list_activity", json!({"limit": 1}));
    assert_eq!(latest[0]["action"], "create", "no revoke was recorded");
    app.quit();
}

#[test]
fn long_inventories_report_their_progress() {
    let sandbox =
        tauri::async_runtime::block_on(keydesk_sandbox::spawn(keydesk_sandbox::SandboxConfig {
            seed: Some(keydesk_sandbox::Seed::Bulk { keys_per_api: 250 }),
            ..Default::default()
        }))
        .unwrap();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Fiskaly)["id"].clone();
    let (events, progress) = std::sync::mpsc::channel::<String>();
    tauri::Listener::listen(&app.app, "inventory-progress", move |event| {
        let _ = events.send(event.payload().to_owned());
    });

    let keys = app.call("list_keys", json!({"connectionId": id}));
    assert!(keys.as_array().unwrap().len() >= 250);
    let mut seen = Vec::new();
    while let Ok(payload) = progress.recv_timeout(std::time::Duration::from_secs(5)) {
        let event: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(event["connection_id"], id);
        seen.push((event["page"].as_u64().unwrap(), event["pages"].clone()));
        if seen.len() == 3 {
            break;
        }
    }
    // 100 keys a page: three pages, the total known once the first answered.
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|(_, pages)| pages == &json!(3)), "{seen:?}");
    let mut pages: Vec<u64> = seen.iter().map(|(page, _)| *page).collect();
    pages.sort_unstable();
    assert_eq!(pages, [1, 2, 3]);
    app.quit();
}
