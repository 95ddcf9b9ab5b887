//! The leaked-key search of the app against sandboxes: keys Keydesk created are found by the
//! fingerprints of their secrets, where the provider's list shows no part of them
//! (SyncgramPay) or only the other half of the pair (fiskaly); one key listed by two
//! connections to the same organisation is one match naming both.

use keydesk_core::ProviderKind;
use keydesk_sandbox::Dialect;
use serde_json::{Value, json};

use crate::support::app::{TestApp, created_secret, sandbox_input, spawn_sandbox, strings};
use crate::support::core::draft;

fn find(app: &TestApp, pasted: &str) -> Value {
    app.call("find_leaked_key", json!({"pasted": pasted}))
}

/// The fingerprint file of `app`, as text.
fn fingerprint_file(app: &TestApp) -> String {
    std::fs::read_to_string(app.dirs.data_dir().join("secret-fingerprints.json")).unwrap()
}

#[test]
fn a_syncgram_key_created_through_the_app_is_found_by_fingerprint() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let payments = app.connect_sandbox(&sandbox, Dialect::Syncgram)["id"].clone();
    let (reveal, secret) = created_secret(&app, &payments, ProviderKind::Syncgram, 0);

    let search = find(&app, &format!("SYNCGRAM_KEY={secret}"));
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    let found = &search["matches"][0];
    assert_eq!(found["key"]["id"], reveal["key"]["id"]);
    assert_eq!(found["connection_id"], payments);
    assert_eq!(found["found_by"], "fingerprint");
    assert_eq!(found["secret_field"], "api_key");
    assert_eq!(found["listed"], true);
    // SyncgramPay lists no part of a key, but this one was found: nothing to warn about.
    assert_eq!(search["unsearchable"], json!([]));

    // The file holds fingerprints, never the secret.
    let file = fingerprint_file(&app);
    assert!(!file.contains(&secret) && !file.contains(&secret[8..]));
    assert!(
        file.contains(reveal["key"]["id"].as_str().unwrap()),
        "{file}"
    );

    // Deleting the connection drops its fingerprints.
    app.call("delete_connection", json!({"id": payments}));
    assert!(
        !fingerprint_file(&app).contains(payments.as_str().unwrap()),
        "{}",
        fingerprint_file(&app)
    );
    app.quit();
}

#[test]
fn a_pasted_fiskaly_secret_finds_its_key_and_an_unknown_one_is_told_to_paste_the_api_key() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let tills = app.connect_sandbox(&sandbox, Dialect::Fiskaly)["id"].clone();
    let (reveal, api_secret) = created_secret(&app, &tills, ProviderKind::Fiskaly, 1);

    let search = find(&app, &api_secret);
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    assert_eq!(search["matches"][0]["key"]["id"], reveal["key"]["id"]);
    assert_eq!(search["matches"][0]["connection_id"], tills);
    assert_eq!(search["matches"][0]["secret_field"], "api_secret");
    assert_eq!(search["paste_listed_key"], json!([]));

    // Another secret of the same shape: nothing matches, and the hint says what to paste.
    let mut other: Vec<char> = api_secret.chars().collect();
    other.reverse();
    let other: String = other.into_iter().collect();
    let search = find(&app, &other);
    assert_eq!(search["matches"], json!([]), "{search}");
    assert_eq!(search["paste_listed_key"], json!([tills]));
    // A key of another shape gets no such hint.
    let search = find(&app, "sk_live_NotAKeyAnyoneMade0000");
    assert_eq!(search["paste_listed_key"], json!([]));
    app.quit();
}

#[test]
fn one_key_listed_by_two_connections_to_the_same_org_is_one_match_naming_both() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let ops = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"].clone();
    let mut input = sandbox_input(&sandbox, Dialect::Oligon);
    input["name"] = json!("oligon billing");
    let billing = app.call("save_connection", json!({ "input": input }))["id"].clone();
    let (reveal, secret) = created_secret(&app, &ops, ProviderKind::Oligon, 0);

    let search = find(&app, &secret);
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    assert_eq!(search["ambiguous"], false);
    let found = &search["matches"][0];
    assert_eq!(found["key"]["id"], reveal["key"]["id"]);
    assert_eq!(
        strings(&found["connections"], "connection_id"),
        [ops.as_str().unwrap(), billing.as_str().unwrap()]
    );
    assert_eq!(
        strings(&found["connections"], "connection_name"),
        ["oligon test", "oligon billing"]
    );
    app.quit();
}

#[test]
fn a_rotated_in_key_is_fingerprinted_and_a_revoked_one_strait_drops_is_still_named() {
    // The deployed Strait leaves revoked keys out of its list.
    let sandbox = crate::support::app::spawn_deployed_sandbox();
    let app = TestApp::start();
    let gateway = app.connect_sandbox(&sandbox, Dialect::Strait)["id"].clone();
    let (old, _) = created_secret(&app, &gateway, ProviderKind::Strait, 0);
    let rotated = app.call(
        "rotate_key",
        json!({"connectionId": gateway, "keyId": old["key"]["id"], "graceMinutes": 0}),
    );
    let secret = app.call(
        "reveal_secret",
        json!({"revealId": rotated["reveal_id"], "index": 0}),
    );
    let secret = secret.as_str().unwrap().to_owned();
    app.call(
        "acknowledge_reveal",
        json!({"revealId": rotated["reveal_id"]}),
    );

    let search = find(&app, &secret);
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    assert_eq!(search["matches"][0]["key"]["id"], rotated["key"]["id"]);
    assert_eq!(search["matches"][0]["found_by"], "fingerprint");
    assert_eq!(search["matches"][0]["listed"], true);

    // As from the key list, where Keydesk keeps what it knows of each key.
    app.call("list_keys", json!({"connectionId": gateway}));
    app.call(
        "revoke_key",
        json!({"connectionId": gateway, "keyId": rotated["key"]["id"]}),
    );
    let search = find(&app, &secret);
    assert_eq!(search["matches"].as_array().unwrap().len(), 1, "{search}");
    let gone = &search["matches"][0];
    // The search answers from the list the app holds, where Keydesk keeps showing the key
    // it revoked though Strait no longer lists it.
    assert_eq!(gone["listed"], true);
    assert_eq!(gone["connection_id"], gateway);
    assert_eq!(gone["key"]["id"], rotated["key"]["id"]);
    assert_eq!(gone["key"]["name"], rotated["key"]["name"]);
    assert_eq!(gone["key"]["status"], "revoked");
    // As Keydesk recorded it when it revoked it, not only what the fingerprint record holds.
    assert!(gone["key"]["revoked_at"].is_string(), "{gone}");
    app.quit();
}

#[test]
fn a_search_answers_from_the_lists_the_app_holds_and_lists_again_when_they_miss() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Oligon)["id"].clone();
    app.call(
        "list_keys",
        json!({"connectionId": id, "operationId": null}),
    );
    let (reveal, secret) = created_secret(&app, &id, ProviderKind::Oligon, 0);

    // Made outside Keydesk after its last list: the held list misses it, so every connection
    // is listed again and it is found.
    let outside = tauri::async_runtime::block_on(async {
        let client = crate::support::core::client(&sandbox, ProviderKind::Oligon);
        let draft = draft(ProviderKind::Oligon, "made elsewhere");
        crate::support::core::created(client.create_key(&draft).await.unwrap())
    });
    let outside_secret = secrecy::ExposeSecret::expose_secret(&outside.secrets[0].value).to_owned();
    let found = find(&app, &outside_secret);
    assert_eq!(
        found["matches"][0]["key"]["id"],
        outside.key.id.as_str(),
        "{found}"
    );

    // With the service gone, a key the held lists show is still answered (no request made),
    // and one they do not show tries the service and says it could not be searched.
    tauri::async_runtime::block_on(sandbox.shutdown());
    let held = find(&app, &secret);
    assert_eq!(
        held["matches"][0]["key"]["id"], reveal["key"]["id"],
        "{held}"
    );
    assert_eq!(held["failed"], json!([]));
    let unknown = find(&app, "sk_live_0000000000000000000000000000zzzz");
    assert_eq!(unknown["matches"], json!([]), "{unknown}");
    assert_eq!(unknown["failed"][0]["connection_id"], id, "{unknown}");
    app.quit();
}
