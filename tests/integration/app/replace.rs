//! Replace (src-tauri/src/keys/replace.rs) per provider against sandboxes on 127.0.0.1:0:
//! the successor keeps the old key's settings and annotation, the old key is retired the
//! provider's way, and SyncgramPay's forced revoke-first never meets a foreseeable refusal.

use std::sync::mpsc;
use std::time::Duration;

use keydesk_app::keys::{self, ReplaceResult};
use keydesk_core::{Annotation, Environment, Key, KeyStatus, ReplaceOptions};
use keydesk_sandbox::{Dialect, SandboxHandle};
use serde_json::{Value, json};

use super::keys::{
    actions, activity, connect, create, draft, ids_with, list, run, syncgram_as, through,
};
use crate::support::app::{TestApp, eventually, sandbox_input, sandbox_input_as, spawn_sandbox};
use crate::support::gateway::{Gateway, Picked, creates, first, gateway};

/// Replaces `old` in `connection_id` with `options`; answers what `replace_key` answered.
fn replace(
    app: &TestApp,
    connection_id: &str,
    old: &Key,
    options: ReplaceOptions,
) -> ReplaceResult {
    run(keys::replace_key(
        &app.state(),
        connection_id,
        &old.id,
        options,
        None,
    ))
    .unwrap()
}

/// The successor's key, the old key as answered and the notice of a replace that worked.
fn replaced(result: ReplaceResult) -> (Key, Option<Box<Key>>, Option<String>) {
    match result {
        ReplaceResult::Replaced {
            reveal,
            old_key,
            notice,
        } => (reveal.key, old_key, notice),
        orphaned => panic!("the replace should have answered its successor: {orphaned:?}"),
    }
}

/// The `replace-progress` events of `app`, as they come.
fn progress_events(app: &TestApp) -> mpsc::Receiver<Value> {
    let (events, received) = mpsc::channel();
    tauri::Listener::listen(&app.app, "replace-progress", move |event| {
        let _ = events.send(serde_json::from_str::<Value>(event.payload()).unwrap());
    });
    received
}

/// The events received so far.
fn drained(events: &mpsc::Receiver<Value>) -> Vec<Value> {
    events.try_iter().collect()
}

/// A sandbox and an app connected to its `dialect`, with the key `settings` made there:
/// answers them with the connection's id and the key.
fn with_key(dialect: Dialect, settings: Value) -> (SandboxHandle, TestApp, String, Key) {
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = connect(&app, sandbox_input(&sandbox, dialect));
    let old = create(&app, &id, &draft(settings)).key;
    (sandbox, app, id, old)
}

/// Asserts the last two activity entries: the successor `created`, then the old key
/// `retired` (action, name).
fn assert_logged(app: &TestApp, retired: (&str, &str), created: &str) {
    let expected = |action: &str, name: &str| {
        let name = Some(name.to_owned());
        (action.to_owned(), "ok".to_owned(), name)
    };
    assert_eq!(
        named_actions(app, 2),
        [expected(retired.0, retired.1), expected("create", created)]
    );
}

/// The key `id` in `keys`.
fn find<'a>(keys: &'a [Key], id: &str) -> &'a Key {
    keys.iter().find(|key| key.id == id).unwrap()
}

/// The `(action, result, key name)` of the newest `count` activity entries, newest first.
fn named_actions(app: &TestApp, count: usize) -> Vec<(String, String, Option<String>)> {
    activity(app)[..count]
        .iter()
        .map(|entry| {
            let result = entry.result.as_str().to_owned();
            (entry.action.clone(), result, entry.key_name.clone())
        })
        .collect()
}

#[test]
fn oligon_creates_the_successor_then_revokes_the_old_key_and_carries_its_annotation() {
    let scopes = json!(["extract:read", "analytics:read"]);
    let settings = json!({"name": "Checkout", "scopes": scopes, "environment": "live"});
    let (_sandbox, app, id, old) = with_key(Dialect::Oligon, settings);
    let owner = Annotation {
        owner: Some("payments team".into()),
        ..Annotation::default()
    };
    app.call(
        "set_annotation",
        json!({"connectionId": id, "keyId": old.id, "annotation": owner}),
    );

    let (successor, old_key, notice) =
        replaced(replace(&app, &id, &old, ReplaceOptions::default()));
    assert_eq!(successor.name, "Checkout (replacement)");
    assert_eq!(successor.scopes, ["extract:read", "analytics:read"]);
    assert_eq!(successor.environment, Some(Environment::Live));
    assert_eq!(notice, None);
    assert_eq!(old_key.map(|key| key.status), Some(KeyStatus::Revoked));

    let keys = list(&app, &id);
    assert_eq!(ids_with(&keys, KeyStatus::Active), [successor.id.as_str()]);
    assert_eq!(ids_with(&keys, KeyStatus::Revoked), [old.id.as_str()]);
    // The secret waits for the reveal dialog; the annotation moved with the key's job.
    let pending = app.state().reveals.pending().unwrap();
    assert!(pending.iter().any(|reveal| reveal.key.id == successor.id));
    let annotations = app.call("key_annotations", json!({"connectionId": id}));
    assert_eq!(annotations[&successor.id]["owner"], "payments team");
    assert_logged(&app, ("revoke", "Checkout"), "Checkout (replacement)");
    app.quit();
}

#[test]
fn oligon_can_leave_the_old_key_for_the_user_to_revoke() {
    let (_sandbox, app, id, old) = with_key(Dialect::Oligon, json!({"name": "Batch"}));

    let keep_old = ReplaceOptions {
        keep_old: true,
        ..ReplaceOptions::default()
    };
    let (successor, old_key, notice) = replaced(replace(&app, &id, &old, keep_old));
    assert!(old_key.is_none());
    assert!(notice.unwrap().starts_with("Batch is still active"));
    let keys = list(&app, &id);
    let mut active = ids_with(&keys, KeyStatus::Active);
    active.sort_unstable();
    let mut both = [old.id.as_str(), successor.id.as_str()];
    both.sort_unstable();
    assert_eq!(active, both);
    assert!(activity(&app).iter().all(|entry| entry.action != "revoke"));
    app.quit();
}

#[test]
fn fiskaly_creates_the_successor_then_disables_the_old_key() {
    let settings = json!({"name": "pos-terminal-7", "environment": "test",
                          "metadata": {"store": "berlin-3"}});
    let (_sandbox, app, id, old) = with_key(Dialect::Fiskaly, settings);

    let (successor, old_key, _) = replaced(replace(&app, &id, &old, ReplaceOptions::default()));
    assert_eq!(successor.name, "pos-terminal-7-replacement");
    assert_eq!(successor.environment, Some(Environment::Test));
    assert_eq!(successor.metadata["store"], "berlin-3");
    assert_eq!(old_key.map(|key| key.status), Some(KeyStatus::Disabled));

    let keys = list(&app, &id);
    assert_eq!(find(&keys, &old.id).status, KeyStatus::Disabled);
    assert_eq!(find(&keys, &successor.id).status, KeyStatus::Active);
    let retired = ("disable", "pos-terminal-7");
    assert_logged(&app, retired, "pos-terminal-7-replacement");
    app.quit();
}

#[test]
fn strait_rotates_natively_and_a_grace_of_0_stops_the_old_key_at_once() {
    let settings = json!({"name": "svc", "scopes": ["keys:read"]});
    let (_sandbox, app, id, old) = with_key(Dialect::Strait, settings);

    let at_once = ReplaceOptions {
        grace_minutes: Some(0),
        ..ReplaceOptions::default()
    };
    let (successor, _, _) = replaced(replace(&app, &id, &old, at_once));
    assert_eq!(successor.scopes, ["keys:read"]);
    let keys = list(&app, &id);
    assert_eq!(ids_with(&keys, KeyStatus::Active), [successor.id.as_str()]);
    assert_ne!(find(&keys, &old.id).status, KeyStatus::Active);
    let log = activity(&app);
    assert_eq!(
        actions(&log[..1]),
        [("rotate", "ok", Some(old.id.as_str()))]
    );
    app.quit();
}

/// What a SyncgramPay replace test starts from: the sandbox, the app, its connection, the
/// organisation's one active key and the app's `replace-progress` events.
type SyncgramStart = (SandboxHandle, TestApp, String, Key, mpsc::Receiver<Value>);

/// A SyncgramPay connection with its one active key, made by Keydesk a moment ago (so the
/// client knows the create limit runs for another minute), and its progress events.
fn syncgram_right_after_a_create() -> SyncgramStart {
    let settings = json!({"name": "Main", "expires_in_days": 30});
    let sandbox = spawn_sandbox();
    let app = TestApp::start();
    let id = syncgram_as(&app, &sandbox, "admin_a");
    let old = create(&app, &id, &draft(settings)).key;
    let events = progress_events(&app);
    (sandbox, app, id, old, events)
}

#[test]
fn syncgram_right_after_a_create_waits_out_the_limit_before_it_revokes() {
    let (_sandbox, app, id, old, events) = syncgram_right_after_a_create();

    let (successor, _, _) = replaced(replace(&app, &id, &old, ReplaceOptions::default()));
    assert_eq!(successor.name, "Main (replacement)");

    let seen = drained(&events);
    let steps: Vec<&str> = seen.iter().map(|e| e["step"].as_str().unwrap()).collect();
    let waits: Vec<u64> = seen
        .iter()
        .filter(|e| e["step"] == "waiting")
        .map(|e| e["seconds_left"].as_u64().unwrap())
        .collect();
    // A countdown from about a minute, once a second, all of it before the revoke.
    assert!(
        waits.first().is_some_and(|first| (50..=61).contains(first)),
        "{waits:?}"
    );
    assert!(waits.windows(2).all(|pair| pair[0] > pair[1]), "{waits:?}");
    assert!(waits.len() >= 40, "{waits:?}");
    let revoking = steps.iter().position(|step| *step == "revoking").unwrap();
    assert!(
        steps[..revoking].iter().all(|step| *step == "waiting"),
        "{steps:?}"
    );
    assert_eq!(&steps[revoking..], ["revoking", "creating"]);

    // Exactly one active key: the successor.
    let keys = list(&app, &id);
    assert_eq!(ids_with(&keys, KeyStatus::Active), [successor.id.as_str()]);
    assert_eq!(ids_with(&keys, KeyStatus::Revoked), [old.id.as_str()]);
    app.quit();
}

#[test]
fn a_cancel_during_syncgrams_wait_revokes_nothing() {
    let (_sandbox, app, id, old, events) = syncgram_right_after_a_create();

    let answer = app.invoke_in_background(
        "replace_key",
        json!({"connectionId": id, "keyId": old.id, "options": {},
               "operationId": "replace-1"}),
    );
    let waiting = events.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(waiting["step"], "waiting", "{waiting}");
    assert_eq!(waiting["operation_id"], "replace-1");
    assert_eq!(
        app.call("cancel_operation", json!({"operationId": "replace-1"})),
        true
    );
    let cancelled = answer
        .recv_timeout(Duration::from_secs(20))
        .unwrap()
        .unwrap_err();
    assert_eq!(cancelled["kind"], "cancelled", "{cancelled}");

    assert_eq!(
        ids_with(&list(&app, &id), KeyStatus::Active),
        [old.id.as_str()]
    );
    assert!(activity(&app).iter().all(|entry| entry.action != "revoke"));
    assert!(
        drained(&events)
            .iter()
            .all(|event| event["step"] == "waiting")
    );
    app.quit();
}

/// A sandbox behind a gateway that refuses the first create with a 500 the sandbox never
/// hears of.
fn refusing_the_first_create() -> (SandboxHandle, Gateway) {
    let sandbox = spawn_sandbox();
    let upstream = sandbox.base_url();
    let gateway = run(gateway(&upstream, first(1, creates), Picked::Refuse(500)));
    (sandbox, gateway)
}

#[test]
fn syncgrams_create_failing_after_the_revoke_is_said_loudly_and_retried_with_one_idempotency_key() {
    let (sandbox, gateway) = refusing_the_first_create();
    let app = TestApp::start();
    let admin_b = sandbox_input_as(&sandbox, Dialect::Syncgram, Some("admin_b"));
    let id = connect(&app, through(&gateway, &sandbox, admin_b));
    // The old key is made directly, so the connection's client has no create limit to wait.
    let direct_id = syncgram_as(&app, &sandbox, "admin_c");
    let old = create(&app, &direct_id, &draft(json!({"name": "Main"}))).key;
    let events = progress_events(&app);

    let (successor, _, _) = replaced(replace(&app, &id, &old, ReplaceOptions::default()));

    let seen = drained(&events);
    let retrying: Vec<&Value> = seen.iter().filter(|e| e["step"] == "retrying").collect();
    assert_eq!(retrying.len(), 1, "{seen:?}");
    let loud = retrying[0]["message"].as_str().unwrap();
    assert!(
        loud.starts_with("Main was revoked, but its replacement was not created: "),
        "{loud}"
    );
    // Both creates carried the same idempotency key.
    let bodies: Vec<Value> = gateway
        .seen()
        .into_iter()
        .filter(|request| creates(&request.method, &request.path))
        .map(|request| serde_json::from_str(&request.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies[0]["idempotency_key"].is_string());
    assert_eq!(bodies[0]["idempotency_key"], bodies[1]["idempotency_key"]);

    let keys = list(&app, &id);
    assert_eq!(ids_with(&keys, KeyStatus::Active), [successor.id.as_str()]);
    assert_eq!(ids_with(&keys, KeyStatus::Revoked), [old.id.as_str()]);
    let log = activity(&app);
    assert_eq!(
        actions(&log[..3]),
        [
            ("create", "ok", Some(successor.id.as_str())),
            ("create", "error", None),
            ("revoke", "ok", Some(old.id.as_str())),
        ]
    );
    app.quit();
}

#[test]
fn a_revoke_after_n_minutes_is_scheduled_listed_and_cancellable() {
    let (_sandbox, app, id, old) = with_key(Dialect::Oligon, json!({"name": "Batch"}));
    let later = ReplaceOptions {
        revoke_after_minutes: Some(30),
        ..ReplaceOptions::default()
    };
    let (_, _, notice) = replaced(replace(&app, &id, &old, later));
    assert_eq!(
        notice.as_deref(),
        Some("Batch is revoked in 30 min, once its users have the new key.")
    );
    assert_eq!(find(&list(&app, &id), &old.id).status, KeyStatus::Active);
    let scheduled = app.call("scheduled_revokes", json!({}));
    assert_eq!(scheduled[0]["key_id"], old.id);
    assert_eq!(scheduled[0]["key_name"], "Batch");
    let due: chrono::DateTime<chrono::Utc> =
        scheduled[0]["due_at"].as_str().unwrap().parse().unwrap();
    let minutes = (due - chrono::Utc::now()).num_minutes();
    assert!((28..=30).contains(&minutes), "{scheduled}");

    let cancel = json!({"connectionId": id, "keyId": old.id});
    assert_eq!(app.call("cancel_scheduled_revoke", cancel.clone()), true);
    assert_eq!(app.call("scheduled_revokes", json!({})), json!([]));
    assert_eq!(app.call("cancel_scheduled_revoke", cancel), false);
    app.quit();
}

#[test]
fn an_overdue_scheduled_revoke_runs_at_the_next_start() {
    let (_sandbox, app, id, old) = with_key(Dialect::Oligon, json!({"name": "Batch"}));
    // Overdue when Keydesk quit (this app's runner sleeps until its next look).
    let overdue = keydesk_app::keys::scheduled::ScheduledRevoke {
        connection_id: id.clone(),
        key_id: old.id.clone(),
        key_name: old.name.clone(),
        due_at: chrono::Utc::now() - chrono::Duration::minutes(1),
    };
    app.state()
        .scheduled
        .update(|all| all.push(overdue))
        .unwrap();

    let app = app.restart_reminding();
    // The provider revokes the key before Keydesk logs it: wait for both.
    let logged = || {
        activity(&app).iter().any(|entry| {
            entry.action == "revoke"
                && entry.key_id.as_deref() == Some(old.id.as_str())
                && entry.result.as_str() == "ok"
        })
    };
    let revoked = eventually(Duration::from_secs(20), || {
        find(&list(&app, &id), &old.id).status == KeyStatus::Revoked && logged()
    });
    assert!(revoked, "the overdue revoke ran at startup and was logged");
    assert_eq!(app.call("scheduled_revokes", json!({})), json!([]));
    app.quit();
}
