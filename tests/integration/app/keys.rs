//! The keys service (src-tauri/src/keys) called directly, below the commands, against
//! sandboxes spawned on 127.0.0.1:0: what a replace does when its draft or its create fails,
//! a create whose answer is lost, and a delete.

use std::future::Future;

use keydesk_app::activity::ActivityEntry;
use keydesk_app::keys::{self, CreateResult};
use keydesk_app::reveal::PendingReveal;
use keydesk_core::{ErrorKind, Key, KeyDraft, KeyStatus};
use keydesk_sandbox::{Dialect, SandboxHandle};
use serde_json::{Value, json};

use crate::support::app::{TestApp, sandbox_input, sandbox_input_as, spawn_sandbox};
use crate::support::gateway::{Gateway, Picked, creates, gateway};

/// Runs a service call to its end on the runtime the app's commands use.
pub(super) fn run<T>(call: impl Future<Output = T>) -> T {
    tauri::async_runtime::block_on(call)
}

/// A draft from its JSON, as the create form sends it.
pub(super) fn draft(json: serde_json::Value) -> KeyDraft {
    serde_json::from_value(json).unwrap()
}

/// Saves the connection `input` (ConnectionInput JSON); answers its id.
pub(super) fn connect(app: &TestApp, input: Value) -> String {
    let saved = app.call("save_connection", json!({ "input": input }));
    saved["id"].as_str().unwrap().to_owned()
}

/// A SyncgramPay connection (one active key per organisation) of `user`; answers its id.
pub(super) fn syncgram_as(app: &TestApp, sandbox: &SandboxHandle, user: &str) -> String {
    connect(
        app,
        sandbox_input_as(sandbox, Dialect::Syncgram, Some(user)),
    )
}

/// The connection `input` of `sandbox` sent through `gateway` instead.
pub(super) fn through(gateway: &Gateway, sandbox: &SandboxHandle, mut input: Value) -> Value {
    let direct = input["base_url"].as_str().unwrap().to_owned();
    input["base_url"] = json!(direct.replacen(&sandbox.base_url(), &gateway.base_url, 1));
    input
}

/// Creates `draft` in `connection_id` without replacing anything; answers the reveal.
pub(super) fn create(app: &TestApp, connection_id: &str, draft: &KeyDraft) -> PendingReveal {
    match run(keys::create_key(
        &app.state(),
        connection_id,
        draft,
        false,
        None,
    ))
    .unwrap()
    {
        CreateResult::Created { reveal } => reveal,
        orphaned => panic!("the create should have answered its key: {orphaned:?}"),
    }
}

/// The keys of `connection_id`, listed afresh.
pub(super) fn list(app: &TestApp, connection_id: &str) -> Vec<Key> {
    run(keys::list_keys(&app.state(), connection_id, None)).unwrap()
}

/// The ids of the keys in `keys` whose status is `status`.
pub(super) fn ids_with(keys: &[Key], status: KeyStatus) -> Vec<&str> {
    keys.iter()
        .filter(|key| key.status == status)
        .map(|key| key.id.as_str())
        .collect()
}

/// The activity log, newest first.
pub(super) fn activity(app: &TestApp) -> Vec<ActivityEntry> {
    app.state().activity.list(20).unwrap()
}

/// What each of `entries` did: its action, its result and the key it names.
pub(super) fn actions(entries: &[ActivityEntry]) -> Vec<(&str, &str, Option<&str>)> {
    entries
        .iter()
        .map(|entry| {
            let key_id = entry.key_id.as_deref();
            (entry.action.as_str(), entry.result.as_str(), key_id)
        })
        .collect()
}

#[test]
fn a_replace_whose_draft_is_invalid_revokes_nothing_and_names_the_field() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = syncgram_as(&app, &sandbox, "admin_a");
    let active = create(&app, &id, &draft(json!({"name": "active"}))).key;

    let cases = [
        (json!({"name": ""}), "name"),
        (
            json!({"name": "next", "expires_in_days": 0}),
            "expires_in_days",
        ),
    ];
    for (invalid, field) in cases {
        let error = run(keys::create_key(
            &app.state(),
            &id,
            &draft(invalid),
            true,
            None,
        ))
        .expect_err("an invalid draft is refused");
        assert_eq!(error.kind, ErrorKind::Validation, "{error:?}");
        assert_eq!(error.field.as_deref(), Some(field), "{error:?}");
        assert!(!error.message.contains("revoked"), "{error:?}");
    }

    // The organisation keeps its key: nothing was revoked, nor logged as revoked.
    assert_eq!(ids_with(&list(&app, &id), KeyStatus::Active), [active.id]);
    let log = activity(&app);
    assert!(log.iter().all(|entry| entry.action != "revoke"), "{log:?}");
    assert_eq!(actions(&log[..1]), [("create", "error", None)]);
    assert_eq!(log[0].error_kind.as_deref(), Some("validation"));
    app.quit();
}

#[test]
fn a_replace_whose_create_fails_after_the_revoke_says_the_key_was_revoked() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    // Two connections as the same admin: the second's client has not seen the first's create,
    // so it cannot know SyncgramPay's one-create-a-minute limit will refuse its own.
    let first = syncgram_as(&app, &sandbox, "admin_a");
    let second = syncgram_as(&app, &sandbox, "admin_a");
    let active = create(&app, &first, &draft(json!({"name": "active"}))).key;

    let replacement = draft(json!({"name": "replacement"}));
    let error = run(keys::create_key(
        &app.state(),
        &second,
        &replacement,
        true,
        None,
    ))
    .expect_err("the provider refuses a second create within the minute");
    assert_eq!(error.kind, ErrorKind::RateLimited, "{error:?}");
    assert!(
        error
            .message
            .starts_with("The active key was revoked, but the new key was not created: "),
        "{error:?}"
    );
    let wait = error.retry_after_secs.unwrap();
    assert!((1..=61).contains(&wait), "{error:?}");

    // What the message says is what happened: the organisation has no active key left.
    let keys = list(&app, &second);
    assert_eq!(ids_with(&keys, KeyStatus::Revoked), [active.id.as_str()]);
    assert_eq!(ids_with(&keys, KeyStatus::Active), Vec::<&str>::new());
    let log = activity(&app);
    assert_eq!(
        actions(&log[..2]),
        [
            ("create", "error", None),
            ("revoke", "ok", Some(active.id.as_str()))
        ]
    );
    assert_eq!(log[0].error_kind.as_deref(), Some("rate_limited"));
    app.quit();
}

#[test]
fn a_create_whose_answer_is_lost_answers_the_orphan_and_keeps_its_details() {
    let sandbox = spawn_sandbox();
    // The sandbox makes the key; the gateway in front of it answers 504 instead.
    let gateway = run(gateway(
        &sandbox.base_url(),
        creates,
        Picked::ForwardThenTimeOut,
    ));
    let app = TestApp::start();
    let input = through(&gateway, &sandbox, sandbox_input(&sandbox, Dialect::Oligon));
    let id = connect(&app, input);

    let lost = draft(json!({"name": "lost answer", "scopes": ["extract:read"]}));
    let answer = run(keys::create_key(&app.state(), &id, &lost, false, None)).unwrap();
    assert!(gateway.picked() > 0, "the create went through the gateway");
    let CreateResult::Orphaned {
        connection_id,
        key: Some(orphan),
        message,
    } = answer
    else {
        panic!("the key the sandbox made is reported as an orphan: {answer:?}");
    };
    assert_eq!(connection_id, id);
    assert_eq!(orphan.name, "lost answer");
    assert!(message.contains("Revoke it"), "{message}");

    // Its details are kept from the report (before any list), it is the key that was made,
    // and no reveal waits for a secret that never arrived.
    assert!(app.state().raw.get(&id, &orphan.id).unwrap().is_some());
    let listed = list(&app, &id);
    assert_eq!(ids_with(&listed, KeyStatus::Active), [orphan.id.as_str()]);
    let details = run(keys::key_details(&app.state(), &id, &orphan.id)).unwrap();
    assert!(details.raw.to_string().contains(&orphan.id), "{details:?}");
    assert!(app.state().reveals.pending().unwrap().is_empty());
    let log = activity(&app);
    let orphaned = ("create", "orphaned", Some(orphan.id.as_str()));
    assert_eq!(actions(&log[..1]), [orphaned]);
    app.quit();
}

#[test]
fn delete_removes_the_key_and_its_details_and_is_logged() {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = connect(&app, sandbox_input(&sandbox, Dialect::Oligon));
    let named = |name: &str| draft(json!({"name": name, "scopes": ["extract:read"]}));
    let kept = create(&app, &id, &named("kept")).key;
    let doomed = create(&app, &id, &named("doomed")).key;
    assert_eq!(list(&app, &id).len(), 2);

    run(keys::delete_key(&app.state(), &id, &doomed.id, None)).unwrap();
    // Its raw JSON is forgotten at once, and the details pane finds it nowhere, even after a
    // fresh list.
    assert!(app.state().raw.get(&id, &doomed.id).unwrap().is_none());
    assert!(app.state().raw.get(&id, &kept.id).unwrap().is_some());
    let listed = list(&app, &id);
    let ids: Vec<&str> = listed.iter().map(|key| key.id.as_str()).collect();
    assert_eq!(ids, [kept.id.as_str()]);
    let gone = run(keys::key_details(&app.state(), &id, &doomed.id)).unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "{gone:?}");
    assert!(run(keys::key_details(&app.state(), &id, &kept.id)).is_ok());

    // A second delete is the provider's not_found, logged as a failed delete of that key.
    let again = run(keys::delete_key(&app.state(), &id, &doomed.id, None)).unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound, "{again:?}");
    let doomed = Some(doomed.id.as_str());
    assert_eq!(
        actions(&activity(&app)[..2]),
        [("delete", "error", doomed), ("delete", "ok", doomed)]
    );
    app.quit();
}
