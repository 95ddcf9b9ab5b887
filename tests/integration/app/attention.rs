//! The Attention commands through Tauri's mock runtime against sandboxes over real HTTP:
//! findings across connections, annotations, snoozes and reviews, the inventory snapshot
//! behind `appeared`, and the records Keydesk keeps of its own rotations and revocations.

use std::sync::Arc;

use keydesk_core::{InventorySnapshot, KeyStatus, ProviderKind};
use keydesk_sandbox::{Dialect, SandboxConfig, SandboxHandle, Seed, Variant};
use serde_json::{Value, json};

use crate::support::app::{AppDirs, TestApp, spawn_sandbox, strings};
use crate::support::local_server::{Reply, serve};
use keydesk_app::SandboxMode;

fn spawn(seed: Option<Seed>, variant: Variant) -> SandboxHandle {
    let config = SandboxConfig {
        seed,
        variant,
        ..SandboxConfig::default()
    };
    tauri::async_runtime::block_on(keydesk_sandbox::spawn(config)).unwrap()
}

fn attention(app: &TestApp, refresh: bool) -> Value {
    let report = app.call(
        "attention",
        json!({"refresh": refresh, "operationId": null}),
    );
    assert_eq!(report["failures"], json!([]), "{report}");
    report
}

/// The items of `report` for `key_id`, as `(rule, owner)`.
fn rules_of(report: &Value, key_id: &Value) -> Vec<(String, Value)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| &item["finding"]["key_id"] == key_id)
        .map(|item| {
            let rule = item["finding"]["rule"].as_str().unwrap().to_owned();
            (rule, item["owner"].clone())
        })
        .collect()
}

/// The items of `report` whose finding has `value` in `field`.
pub(super) fn findings_where<'a>(report: &'a Value, field: &str, value: &str) -> Vec<&'a Value> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["finding"][field] == value)
        .collect()
}

/// The first item of `report` with `rule`.
fn first_with(report: &Value, rule: &str) -> Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["finding"]["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"))
        .clone()
}

/// Sets the annotation of `key_id` through the command; answers what it stored.
fn annotate(
    app: &TestApp,
    connection_id: &Value,
    key_id: &Value,
    annotation: Value,
) -> Result<Value, Value> {
    let args = json!({"connectionId": connection_id, "keyId": key_id, "annotation": annotation});
    app.invoke("set_annotation", args)
}

/// Quits `app` as a crash or the OS would (its connections and keyring items stay) and
/// starts it again on the same files.
fn restart(app: TestApp) -> TestApp {
    keydesk_app::state::shutdown(app.app.handle());
    let TestApp { app, window, dirs } = app;
    drop(window);
    drop(app);
    TestApp::start_in(dirs, keydesk_app::SandboxMode::Off)
}

/// A demo sandbox with all four providers connected to a fresh app.
pub(super) fn demo_app() -> (SandboxHandle, TestApp) {
    let sandbox = spawn(Some(Seed::Demo), Variant::Documented);
    let app = TestApp::start();
    for dialect in Dialect::ALL {
        app.connect_sandbox(&sandbox, dialect);
    }
    (sandbox, app)
}

#[test]
fn the_demo_fires_rules_across_connections_named_high_first() {
    let (_sandbox, app) = demo_app();
    let report = attention(&app, false);
    let items = report["items"].as_array().unwrap();
    let mut rules: Vec<&str> = items
        .iter()
        .map(|item| item["finding"]["rule"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    for rule in [
        "expired",
        "expires_soon",
        "rotation_overdue",
        "grace_ending",
        "never_used",
        "stale",
        "live_without_expiry",
        "unowned",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    // Nothing to compare with on the first look, no orphan made.
    for rule in ["appeared", "disappeared", "orphan"] {
        assert!(!rules.contains(&rule), "{rule} in {rules:?}");
    }
    let connections = app.call("list_connections", json!({}));
    for item in items {
        let connection = connections
            .as_array()
            .unwrap()
            .iter()
            .find(|connection| connection["id"] == item["finding"]["connection_id"])
            .unwrap();
        assert_eq!(item["connection_name"], connection["name"], "{item}");
        assert_eq!(item["provider"], connection["provider"], "{item}");
    }
    let mut named: Vec<&str> = strings(&report["items"], "connection_name");
    named.sort_unstable();
    named.dedup();
    assert!(named.len() >= 3, "{named:?}");
    // High first; a finding of a provider that tracks use says when the key was last used.
    let rank = |item: &Value| match item["finding"]["severity"].as_str().unwrap() {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    assert!(
        items
            .windows(2)
            .all(|pair| rank(&pair[0]) <= rank(&pair[1]))
    );
    assert!(first_with(&report, "stale")["last_used_at"].is_string());
    let checked_at = report["checked_at"].as_str().unwrap();
    assert!(checked_at.parse::<chrono::DateTime<chrono::Utc>>().is_ok());
    app.quit();
}

#[test]
fn the_first_run_on_the_embedded_demo_fires_every_rule_from_the_demos_history_once() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
    let report = attention(&app, true);
    let mut rules: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["finding"]["rule"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "appeared",
            "disappeared",
            "expired",
            "expires_soon",
            "grace_ending",
            "live_without_expiry",
            "never_used",
            "orphan",
            "rotation_overdue",
            "stale",
            "unowned",
        ],
    );
    // The demo's past: keys made in the 30 hours since its last look, a fiskaly key deleted
    // since, and the Oligon create whose answer was lost.
    let names = |rule: &str| -> Vec<&str> {
        let mut names: Vec<&str> = findings_where(&report, "rule", rule)
            .into_iter()
            .map(|item| item["finding"]["key_name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(
        names("appeared"),
        [
            "Backup exporter",
            "Local dev",
            "Webhook signer (rotated)",
            "fiscal-audit-tool"
        ]
    );
    assert_eq!(names("disappeared"), ["pos-cologne-01"]);
    assert_eq!(names("orphan"), ["Nightly export"]);
    let orphan = first_with(&report, "orphan");
    assert_eq!(orphan["finding"]["connection_id"], "sandbox-oligon");
    // A restart lists everything again: the changes stay until reviewed, and the history is
    // taken no second time.
    let app = TestApp::start_in(app.quit(), SandboxMode::Always);
    let again = attention(&app, true);
    let count = |report: &Value, rule: &str| findings_where(report, "rule", rule).len();
    let counts =
        |report: &Value| ["appeared", "disappeared", "orphan"].map(|rule| count(report, rule));
    assert_eq!(counts(&again), [4, 1, 1], "{again}");
    let gone = first_with(&again, "disappeared");
    let review = json!({
        "connectionId": gone["finding"]["connection_id"],
        "keyId": gone["finding"]["key_id"],
        "rule": "disappeared",
        "snoozeDays": null,
    });
    app.call("dismiss_finding", review);
    assert_eq!(counts(&attention(&app, true)), [4, 0, 1]);
    let activity = app.call("list_activity", json!({"limit": 1000}));
    let orphaned: Vec<&Value> = activity
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["result"] == "orphaned")
        .collect();
    assert_eq!(orphaned.len(), 1, "{activity}");
    assert_eq!(orphaned[0]["user"], "demo history");
    app.quit();
}

#[test]
fn an_owner_persists_across_a_restart_is_validated_and_clears_unowned() {
    let (_sandbox, app) = demo_app();
    let unowned = first_with(&attention(&app, false), "unowned");
    let connection_id = unowned["finding"]["connection_id"].clone();
    let key_id = unowned["finding"]["key_id"].clone();
    assert_eq!(unowned["owner"], Value::Null);

    let annotate =
        |app: &TestApp, annotation: Value| annotate(app, &connection_id, &key_id, annotation);
    let too_long = annotate(
        &app,
        json!({"owner": "o".repeat(101), "note": null, "tags": []}),
    )
    .unwrap_err();
    assert_eq!(too_long["kind"], "validation");
    assert_eq!(too_long["field"], "owner");
    let bad_tag = annotate(
        &app,
        json!({"owner": null, "note": null, "tags": ["Billing"]}),
    )
    .unwrap_err();
    assert_eq!(bad_tag["field"], "tags");

    let annotation =
        json!({"owner": "Ana (payments)", "note": "nightly export", "tags": ["billing"]});
    assert_eq!(annotate(&app, annotation.clone()), Ok(annotation.clone()));
    let after = attention(&app, false);
    let rules = rules_of(&after, &key_id);
    assert!(rules.iter().all(|(rule, _)| rule != "unowned"), "{rules:?}");
    assert!(
        rules.iter().all(|(_, owner)| owner == "Ana (payments)"),
        "{rules:?}"
    );
    let activity = app.call("list_activity", json!({"limit": 1}));
    assert_eq!(activity[0]["action"], "annotate");
    assert_eq!(activity[0]["key_id"], key_id);

    let again = restart(app);
    let annotations = again.call("key_annotations", json!({"connectionId": connection_id}));
    assert_eq!(annotations, json!({ key_id.as_str().unwrap(): annotation }));

    // An empty annotation removes it.
    let empty = json!({"owner": " ", "note": null, "tags": []});
    annotate(&again, empty).unwrap();
    assert_eq!(
        again.call("key_annotations", json!({"connectionId": connection_id})),
        json!({})
    );
    again.quit();
}

#[test]
fn a_snooze_or_a_review_hides_the_finding_and_is_logged_with_the_user() {
    let (_sandbox, app) = demo_app();
    let report = attention(&app, false);
    let stale = first_with(&report, "stale")["finding"].clone();
    let expired = first_with(&report, "expired")["finding"].clone();
    let dismiss = |finding: &Value, days: Value| {
        app.invoke(
            "dismiss_finding",
            json!({"connectionId": finding["connection_id"], "keyId": finding["key_id"],
                   "rule": finding["rule"], "snoozeDays": days}),
        )
    };
    for days in [0, 3, 31] {
        let refused = dismiss(&stale, json!(days)).unwrap_err();
        assert_eq!(refused["field"], "snooze_days", "{days}");
    }
    assert_eq!(dismiss(&stale, json!(7)), Ok(Value::Null));
    assert_eq!(dismiss(&expired, Value::Null), Ok(Value::Null));

    let after = attention(&app, true);
    let hidden = |finding: &Value| {
        after["items"].as_array().unwrap().iter().all(|item| {
            (&item["finding"]["key_id"], &item["finding"]["rule"])
                != (&finding["key_id"], &finding["rule"])
        })
    };
    assert!(hidden(&stale) && hidden(&expired), "{after}");
    assert_eq!(
        after["items"].as_array().unwrap().len() + 2,
        report["items"].as_array().unwrap().len()
    );

    let activity = app.call("list_activity", json!({"limit": 2}));
    let user = std::env::var("USER").unwrap_or_default();
    for (entry, (action, finding)) in activity
        .as_array()
        .unwrap()
        .iter()
        .zip([("review", &expired), ("snooze", &stale)])
    {
        assert_eq!(entry["action"], action);
        assert_eq!(entry["result"], "ok");
        assert_eq!(entry["key_id"], finding["key_id"]);
        assert!(entry["at"].is_string());
        if !user.is_empty() {
            assert_eq!(entry["user"], user.as_str());
        }
    }
    app.quit();
}

fn oligon_draft(name: &str) -> Value {
    json!({"name": name, "scopes": ["extract:read"], "environment": "test"})
}

#[test]
fn a_key_made_outside_keydesk_appears_and_one_made_through_it_does_not() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let (id, before) =
        app.connected_key(&sandbox, Dialect::Oligon, oligon_draft("before the look"));
    let before = before["reveal"]["key"]["id"].clone();
    assert_eq!(attention(&app, true)["items"], json!([]));

    // Directly on the sandbox's API, as another console would.
    let outside = tauri::async_runtime::block_on(async {
        let client = crate::support::core::client(&sandbox, ProviderKind::Oligon);
        let draft = crate::support::core::draft(ProviderKind::Oligon, "made elsewhere");
        crate::support::core::created(client.create_key(&draft).await.unwrap())
            .key
            .id
    });
    let inside =
        app.create_key(id.clone(), oligon_draft("made here"))["reveal"]["key"]["id"].clone();
    // And the key from before is deleted through Keydesk: not a disappearance either.
    app.call("delete_key", json!({"connectionId": id, "keyId": before}));

    let report = attention(&app, true);
    let appeared = findings_where(&report, "rule", "appeared");
    assert_eq!(appeared.len(), 1, "{report}");
    assert_eq!(appeared[0]["finding"]["key_id"], outside.as_str());
    assert_eq!(appeared[0]["finding"]["severity"], "medium");
    assert!(rules_of(&report, &inside).is_empty(), "{report}");
    assert!(!report.to_string().contains("disappeared"), "{report}");
    // The next look still shows it: it stays until the admin reviews it, then it is done.
    let outside = Value::from(outside);
    let appeared_of = |report: &Value| {
        rules_of(report, &outside)
            .iter()
            .filter(|(rule, _)| rule == "appeared")
            .count()
    };
    assert_eq!(appeared_of(&attention(&app, true)), 1);
    let review = json!({
        "connectionId": id, "keyId": outside, "rule": "appeared", "snoozeDays": null,
    });
    app.call("dismiss_finding", review);
    assert_eq!(appeared_of(&attention(&app, false)), 0);
    assert_eq!(appeared_of(&attention(&app, true)), 0);
    app.quit();
}

#[test]
fn the_held_list_and_the_snapshot_share_one_copy_of_the_keys_through_keydesks_changes() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let (id, made) = app.connected_key(&sandbox, Dialect::Oligon, oligon_draft("revoked here"));
    let made = made["reveal"]["key"]["id"].as_str().unwrap().to_owned();
    let id = id.as_str().unwrap().to_owned();
    let other = app.create_key(id.clone(), oligon_draft("deleted here"))["reveal"]["key"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Both lists of the connection, and whether they are one allocation.
    let lists = || {
        let state = app.state();
        let held = state.attention.held_list(&id).expect("a list is held");
        let snapshots = state.attention.records().snapshots.get().unwrap();
        let shared = Arc::ptr_eq(&held, &snapshots[&id]);
        (held, shared)
    };
    let status_of = |held: &InventorySnapshot, key_id: &str| {
        let key = held.keys.iter().find(|key| key.id == key_id);
        key.map(|key| key.status)
    };

    app.call("list_keys", json!({"connectionId": id}));
    let (listed, shared) = lists();
    assert!(shared, "one copy after a list");
    assert_eq!(status_of(&listed, &made), Some(KeyStatus::Active));

    app.call("revoke_key", json!({"connectionId": id, "keyId": made}));
    let (revoked, shared) = lists();
    assert!(shared, "one copy after a revoke");
    assert_eq!(status_of(&revoked, &made), Some(KeyStatus::Revoked));
    assert_eq!(
        status_of(&listed, &made),
        Some(KeyStatus::Active),
        "copied, not changed in place"
    );

    app.call("delete_key", json!({"connectionId": id, "keyId": other}));
    let (deleted, shared) = lists();
    assert!(shared, "one copy after a delete");
    assert_eq!(status_of(&deleted, &other), None);
    assert_eq!(deleted.keys.len(), revoked.keys.len() - 1);

    // And what is on disk is that list.
    let again = restart(app);
    let snapshots = again.state().attention.records().snapshots.get().unwrap();
    assert_eq!(snapshots[&id].keys, deleted.keys);
    again.quit();
}

#[test]
fn rotation_carries_the_annotation_to_the_successor_and_the_export_carries_it() {
    let annotation =
        json!({"owner": "Ana", "note": "billing, nightly", "tags": ["billing", "team:pay"]});
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let draft = json!({"name": "annotated", "scopes": ["keys:read"]});
    let (id, created) = app.connected_key(&sandbox, Dialect::Strait, draft);
    let old_id = created["reveal"]["key"]["id"].clone();
    annotate(&app, &id, &old_id, annotation.clone()).unwrap();
    let rotated = app.call(
        "rotate_key",
        json!({"connectionId": id, "keyId": old_id, "graceMinutes": 30}),
    );
    let new_id = rotated["key"]["id"].as_str().unwrap();
    let annotations = app.call("key_annotations", json!({"connectionId": id}));
    assert_eq!(annotations[new_id], annotation, "{annotations}");
    assert_eq!(annotations[old_id.as_str().unwrap()], annotation);

    let csv_path = app.call("export_inventory", json!({"format": "csv"}));
    let csv = std::fs::read_to_string(csv_path.as_str().unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",owner,note,tags"), "{header}");
    let row = csv.lines().find(|line| line.contains(new_id)).unwrap();
    assert!(
        row.ends_with(",Ana,\"billing, nightly\",billing team:pay"),
        "{row}"
    );

    let json_path = app.call("export_inventory", json!({"format": "json"}));
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(json_path.as_str().unwrap()).unwrap())
            .unwrap();
    let keys = document[0]["keys"].as_array().unwrap();
    let new = keys.iter().find(|key| key["id"] == new_id).unwrap();
    assert_eq!(
        (&new["owner"], &new["note"], &new["tags"]),
        (
            &annotation["owner"],
            &annotation["note"],
            &annotation["tags"]
        )
    );

    // A deleted connection's records go with it.
    app.call("delete_connection", json!({"id": id}));
    assert_eq!(
        app.call("key_annotations", json!({"connectionId": id})),
        json!({})
    );
    let file = app.dirs.data_dir().join("annotations.json");
    assert!(!std::fs::read_to_string(file).unwrap().contains(new_id));
    app.quit();
}

#[test]
fn a_replacing_create_carries_the_annotation_of_the_key_it_replaced() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    // SyncgramPay allows one create per user and minute: two admins of one org take turns.
    let first_admin = app.connect_sandbox_as(&sandbox, Dialect::Syncgram, "admin_a");
    let second_admin = app.connect_sandbox_as(&sandbox, Dialect::Syncgram, "admin_b");
    let first =
        app.create_key(first_admin, json!({"name": "first"}))["reveal"]["key"]["id"].clone();
    let annotation = json!({"owner": "Ana", "note": null, "tags": ["billing"]});
    annotate(&app, &second_admin, &first, annotation.clone()).unwrap();
    let replaced = app.call(
        "create_key",
        json!({"connectionId": second_admin, "draft": {"name": "second"}, "replaceActive": true}),
    );
    let successor = replaced["reveal"]["key"]["id"].as_str().unwrap();
    assert_ne!(first, successor);
    let annotations = app.call("key_annotations", json!({"connectionId": second_admin}));
    assert_eq!(annotations[successor], annotation, "{annotations}");
    app.quit();
}

#[test]
fn a_key_keydesk_revoked_stays_listed_as_revoked_where_the_provider_drops_it() {
    let sandbox = spawn(None, Variant::Deployed);
    let app = TestApp::start();
    let id = app.connect_sandbox(&sandbox, Dialect::Strait)["id"].clone();
    let draft = json!({"name": "short lived", "scopes": ["keys:read"], "expires_in_days": 30});
    let key = app.create_key(id.clone(), draft)["reveal"]["key"].clone();
    // The table the user revokes from was listed.
    app.call("list_keys", json!({"connectionId": id}));
    app.call(
        "revoke_key",
        json!({"connectionId": id, "keyId": key["id"]}),
    );
    // The deployed service itself no longer lists it...
    let listed_by_provider = tauri::async_runtime::block_on(async {
        let client = crate::support::core::client(&sandbox, ProviderKind::Strait);
        client.list_keys(None).await.unwrap()
    });
    assert!(
        listed_by_provider
            .iter()
            .all(|listed| listed.id != key["id"])
    );

    // ...but Keydesk does, as revoked, across a restart.
    let again = restart(app);
    let keys = again.call("list_keys", json!({"connectionId": id}));
    let revoked = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|listed| listed["id"] == key["id"])
        .unwrap_or_else(|| panic!("{keys}"));
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["name"], "short lived");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    // A revoked key needs no attention, and its dropping out is no disappearance.
    assert!(rules_of(&attention(&again, true), &key["id"]).is_empty());
    again.quit();
}

#[test]
fn a_corrupt_record_file_is_kept_aside_with_a_notice() {
    let dirs = AppDirs::new();
    dirs.write_data_file("annotations.json", b"{not json");
    let app = TestApp::start_in(dirs, keydesk_app::SandboxMode::Off);
    let notices = app.call("startup_notices", json!({}));
    let notices = notices.as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0]
            .as_str()
            .unwrap()
            .contains("annotations was corrupt"),
        "{notices:?}"
    );
    assert_eq!(
        app.call("key_annotations", json!({"connectionId": "any"})),
        json!({})
    );
    app.quit();
}

/// An Oligon connection to `url`, saved in `app` with a made-up token; answers its id.
fn connect_to(app: &TestApp, name: &str, url: &str) -> Value {
    let input = json!({
        "id": null, "name": name, "provider": "oligon", "base_url": url,
        "org_id": null, "project_id": null, "label": null, "color": null,
        "credentials": {"token": "made-up-token-for-a-local-server"},
    });
    app.call("save_connection", json!({ "input": input }))["id"].clone()
}

#[test]
fn a_refresh_leaves_a_connection_told_to_wait_alone_until_then() {
    let limited = tauri::async_runtime::block_on(serve(|_| Reply::Answer {
        status: 429,
        headers: vec![("retry-after".to_owned(), "600".to_owned())],
        body: r#"{"error":{"code":"rate_limited","message":"Too many requests"}}"#.to_owned(),
    }));
    let (_sandbox, app) = demo_app();
    let id = connect_to(&app, "Limited", &limited.url);

    let first = app.call("attention", json!({"refresh": false, "operationId": null}));
    let failures = first["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{first}");
    assert_eq!(failures[0]["connection_id"], id);
    assert_eq!(failures[0]["error"]["kind"], "rate_limited");
    let asked = limited.seen().len();
    assert!(asked >= 1);

    let refreshed = app.call("attention", json!({"refresh": true, "operationId": null}));
    assert_eq!(
        limited.seen().len(),
        asked,
        "the refresh asked again before the wait ended"
    );
    let failures = refreshed["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{refreshed}");
    assert_eq!(failures[0]["error"]["kind"], "rate_limited");
    let message = failures[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("asked Keydesk to wait"), "{message}");
    // The other connections were listed again and judged.
    assert!(!refreshed["items"].as_array().unwrap().is_empty());
}

#[test]
fn a_refresh_that_fails_keeps_the_findings_of_the_last_list() {
    let list = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("integration/core/fixtures/oligon-list.json"),
    )
    .unwrap();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let once = answered.clone();
    let server = tauri::async_runtime::block_on(serve(move |_| {
        if once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            Reply::json(500, r#"{"error":{"code":"internal","message":"down"}}"#)
        } else {
            Reply::json(200, list.clone())
        }
    }));
    let app = TestApp::start();
    let id = connect_to(&app, "Flaky", &server.url);

    let first = app.call("attention", json!({"refresh": false, "operationId": null}));
    assert_eq!(first["failures"], json!([]), "{first}");
    let before = rules_of(&first, &json!("01HQX..."));
    assert!(before.iter().any(|(rule, _)| rule == "stale"), "{first}");

    let refreshed = app.call("attention", json!({"refresh": true, "operationId": null}));
    assert_eq!(refreshed["failures"][0]["connection_id"], id, "{refreshed}");
    assert_eq!(rules_of(&refreshed, &json!("01HQX...")), before);
    assert_eq!(refreshed["checked_at"], first["checked_at"]);
}
