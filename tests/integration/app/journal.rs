//! The create journal and Cancel: a create Keydesk quit in the middle of is offered for the
//! orphan check on the next start, and a cancelled operation answers `cancelled` at once.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;

use keydesk_app::SandboxMode;
use keydesk_app::journal::Journaled;
use keydesk_app::settings::Connection;
use keydesk_core::ProviderKind;
use keydesk_sandbox::{Dialect, SandboxHandle};
use serde_json::{Value, json};

use crate::support::app::{AppDirs, TestApp, sandbox_input, spawn_sandbox, strings};
use crate::support::core::{client, draft};

/// Stops the app as a quit would, keeping its files and keyring items for the next start.
fn restart(app: TestApp) -> TestApp {
    keydesk_app::state::shutdown(app.app.handle());
    let TestApp { app, window, dirs } = app;
    drop(window);
    drop(app);
    TestApp::start_in(dirs, SandboxMode::Off)
}

/// A fresh app with one Oligon connection to a fresh sandbox: the sandbox, the app, the
/// connection's id and the connection as saved.
fn app_on_an_oligon_sandbox() -> (SandboxHandle, TestApp, String, Connection) {
    let sandbox = spawn_sandbox();
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Off);
    let connection = app.connect_sandbox(&sandbox, Dialect::Oligon);
    let id = connection["id"].as_str().unwrap().to_owned();
    let saved = app.state().connections.get(&id).unwrap();
    (sandbox, app, id, saved)
}

/// What a create writes before its request: its "started" line, for `name` as operation `op`.
fn journal_create(app: &TestApp, saved: &Connection, name: &str, op: &str) {
    Journaled::start(&app.state(), "create", saved, None, Some(name), Some(op)).unwrap();
}

/// Moves the start of the journaled operation `operation_id` ten minutes back in the activity
/// log, as if Keydesk had quit that long ago.
fn began_long_ago(app: &TestApp, operation_id: &str) {
    let path = app.dirs.data_dir().join("activity.jsonl");
    let then = (chrono::Utc::now() - chrono::Duration::minutes(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| {
            let mut entry: Value = serde_json::from_str(line).unwrap();
            if entry["operation_id"] == operation_id && entry["result"] == "started" {
                entry["at"] = json!(then);
            }
            entry.to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_create_cut_off_by_a_quit_is_offered_for_the_orphan_check_on_the_next_start() {
    let (sandbox, app, id, saved) = app_on_an_oligon_sandbox();
    // What a create writes before its request; then Keydesk quits before the answer, and the
    // server has made the key.
    journal_create(&app, &saved, "cut off", "op-made");
    journal_create(&app, &saved, "never sent", "op-none");
    let made = tauri::async_runtime::block_on(async {
        let created = client(&sandbox, ProviderKind::Oligon)
            .create_key(&draft(ProviderKind::Oligon, "cut off"))
            .await
            .unwrap();
        match created {
            keydesk_core::CreateOutcome::Created(created) => created.key.id,
            other => panic!("{other:?}"),
        }
    });

    let app = restart(app);
    let offered = app.call("unfinished_creates", json!({}));
    assert_eq!(strings(&offered, "operation_id"), ["op-made", "op-none"]);
    assert_eq!(strings(&offered, "key_name"), ["cut off", "never sent"]);
    assert_eq!(offered[0]["connection_id"], id.as_str());
    assert_eq!(offered[0]["action"], "create");
    assert_eq!(offered[0]["cancelled"], false);

    let found = app.call("check_unfinished_create", json!({"operationId": "op-made"}));
    assert_eq!(found["status"], "orphaned", "{found}");
    assert_eq!(found["key"]["id"], made.as_str());
    assert_eq!(found["key"]["name"], "cut off");
    assert!(
        found["message"]
            .as_str()
            .unwrap()
            .contains("\u{201c}cut off\u{201d}"),
        "{found}"
    );
    // Begun seconds ago, the create may still be under way at the service: no verdict yet, and
    // the check stays on offer.
    let early = app.call("check_unfinished_create", json!({"operationId": "op-none"}));
    assert_eq!(early["status"], "not_yet", "{early}");
    assert!(
        early["message"].as_str().unwrap().contains("never sent"),
        "{early}"
    );
    let offered = app.call("unfinished_creates", json!({}));
    assert_eq!(strings(&offered, "operation_id"), ["op-none"]);
    // Once the longest a create can take has passed, an empty list is a verdict.
    began_long_ago(&app, "op-none");
    let nothing = app.call("check_unfinished_create", json!({"operationId": "op-none"}));
    assert_eq!(nothing["status"], "nothing_created", "{nothing}");
    assert!(
        nothing["message"].as_str().unwrap().contains("never sent"),
        "{nothing}"
    );

    // Checked once, offered no more, on this start or the next.
    assert_eq!(app.call("unfinished_creates", json!({})), json!([]));
    let again = app.fail("check_unfinished_create", json!({"operationId": "op-made"}));
    assert_eq!(again["kind"], "not_found");
    let activity = app.call("list_activity", json!({"limit": 2}));
    assert_eq!(
        strings(&activity, "action"),
        ["orphan_check", "orphan_check"]
    );
    assert_eq!(strings(&activity, "result"), ["ok", "orphaned"]);
    let app = restart(app);
    assert_eq!(app.call("unfinished_creates", json!({})), json!([]));
    app.quit();
}

#[test]
fn a_check_that_cannot_reach_the_connection_leaves_the_create_on_offer() {
    let (_sandbox, app, id, saved) = app_on_an_oligon_sandbox();
    journal_create(&app, &saved, "cut off", "op-cut");
    let app = restart(app);
    // The connection is still there, but its credentials are not (the user can enter them
    // again): the check fails and the create stays to be checked then.
    keydesk_app::vault::KeyringVault::new(app.dirs.service.clone())
        .delete(&id)
        .unwrap();
    let error = app.fail("check_unfinished_create", json!({"operationId": "op-cut"}));
    assert_eq!(error["kind"], "unauthorized", "{error}");
    let offered = app.call("unfinished_creates", json!({}));
    assert_eq!(strings(&offered, "operation_id"), ["op-cut"]);
    app.quit();
}

#[test]
fn a_finished_create_leaves_nothing_to_check_and_one_line_in_the_activity() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let connection = app.connect_sandbox(&sandbox, Dialect::Oligon);
    let args = json!({
        "connectionId": connection["id"], "draft": draft(ProviderKind::Oligon, "whole"),
        "replaceActive": false, "operationId": "op-whole",
    });
    assert_eq!(app.call("create_key", args)["status"], "created");
    assert_eq!(app.call("unfinished_creates", json!({})), json!([]));
    let activity = app.call("list_activity", json!({"limit": 10}));
    let creates: Vec<&Value> = activity
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["operation_id"] == "op-whole")
        .collect();
    assert_eq!(creates.len(), 1, "the started line is folded: {activity}");
    assert_eq!(
        (creates[0]["result"].clone(), creates[0]["key_name"].clone()),
        (json!("ok"), json!("whole"))
    );
    let log = std::fs::read_to_string(app.state().activity.path()).unwrap();
    assert!(log.contains(r#""result":"started""#), "{log}");
    app.quit();
}

/// A server that accepts connections and never answers; each accepted connection is reported
/// on the channel and held open for as long as the server lives.
fn silent_server() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (accepted, on_accept) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            // Read the request so it is really sent, then say nothing.
            let mut buffer = [0_u8; 4096];
            let _ = stream.read(&mut buffer);
            held.push(stream);
            if accepted.send(()).is_err() {
                return;
            }
        }
    });
    (url, on_accept)
}

/// Once the silent server holds the request, cancels `operation_id`; answers the command's
/// rejection.
fn cancel_once_sent(
    app: &TestApp,
    on_accept: &mpsc::Receiver<()>,
    answered: mpsc::Receiver<Result<Value, Value>>,
    operation_id: &str,
) -> Value {
    on_accept.recv().unwrap();
    let cancelled = app.call("cancel_operation", json!({"operationId": operation_id}));
    assert_eq!(cancelled, true, "the operation was still running");
    match answered.recv().unwrap() {
        Ok(value) => panic!("a cancelled operation answered {value}"),
        Err(error) => error,
    }
}

#[test]
fn cancel_stops_waiting_for_a_server_that_never_answers() {
    let sandbox = spawn_sandbox();
    let (url, on_accept) = silent_server();
    let app = TestApp::start();
    let mut input = sandbox_input(&sandbox, Dialect::Oligon);
    input["base_url"] = json!(format!("{url}/oligon"));
    let connection = app.call("save_connection", json!({"input": input}));
    let id = connection["id"].clone();

    let listing = app.invoke_in_background(
        "list_keys",
        json!({"connectionId": id, "operationId": "op-list"}),
    );
    let error = cancel_once_sent(&app, &on_accept, listing, "op-list");
    assert_eq!(error["kind"], "cancelled", "{error}");
    assert!(
        error["message"].as_str().unwrap().starts_with("Cancelled"),
        "{error}"
    );
    assert_eq!(
        app.call("cancel_operation", json!({"operationId": "op-list"})),
        false,
        "an operation that ended cannot be cancelled again"
    );

    let revoking = app.invoke_in_background(
        "revoke_key",
        json!({"connectionId": id, "keyId": "k-1", "operationId": "op-revoke"}),
    );
    let error = cancel_once_sent(&app, &on_accept, revoking, "op-revoke");
    assert_eq!(error["kind"], "cancelled", "{error}");
    let activity = app.call("list_activity", json!({"limit": 1}));
    assert_eq!(
        (activity[0]["action"].clone(), activity[0]["result"].clone()),
        (json!("revoke"), json!("cancelled"))
    );

    // A cancelled create may have happened: it stays on offer for the orphan check.
    let args = json!({
        "connectionId": id, "draft": draft(ProviderKind::Oligon, "maybe made"),
        "replaceActive": false, "operationId": "op-create",
    });
    let creating = app.invoke_in_background("create_key", args);
    let error = cancel_once_sent(&app, &on_accept, creating, "op-create");
    assert_eq!(error["kind"], "cancelled", "{error}");
    let offered = app.call("unfinished_creates", json!({}));
    assert_eq!(strings(&offered, "operation_id"), ["op-create"]);
    assert_eq!(offered[0]["key_name"], "maybe made");
    assert_eq!(offered[0]["cancelled"], true);
    app.quit();
}
