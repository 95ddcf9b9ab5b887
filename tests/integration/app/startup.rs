//! Startup: the embedded sandbox (at startup and on demand), commands that come while it
//! still starts behind the open window, and settings files Keydesk cannot use.

use keydesk_app::{AppState, SandboxMode, StartupGate};
use serde_json::{Value, json};
use tauri::{AppHandle, Manager};

use crate::support::app::{AppDirs, TestApp, strings};

/// The stable ids of the embedded sandbox's connections, in the order they are added.
const SANDBOX_IDS: [&str; 4] = [
    "sandbox-oligon",
    "sandbox-fiskaly",
    "sandbox-syncgram",
    "sandbox-strait",
];

/// `connections` are the sandbox's four, each with credentials that list its demo keys.
fn assert_sandbox_connections_work(app: &TestApp, connections: &Value) {
    assert_eq!(strings(connections, "id"), SANDBOX_IDS);
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
}

#[test]
fn embedded_sandbox_registers_four_working_connections_with_stable_ids() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    let connections = app.call("list_connections", json!({}));
    assert_sandbox_connections_work(&app, &connections);
    let first_url = connections[0]["base_url"].clone();
    assert!(first_url.as_str().unwrap().starts_with("http://127.0.0.1:"));
    let db = app.dirs.data_dir().join("sandbox").join("sandbox.sqlite3");
    assert!(db.is_file());
    let draft = json!({"name": "survives restarts", "environment": "test"});
    let created = app.create_key("sandbox-oligon", draft);
    let keys_before = app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));

    // Restart on the same files: same ids, same data, and the same port (kept across runs).
    let again = restart(app, SandboxMode::Auto);
    let connections = again.call("list_connections", json!({}));
    assert_eq!(connections.as_array().unwrap().len(), 4);
    assert_eq!(connections[0]["base_url"], first_url);
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

/// Quits `app` as a crash or the OS would (connections and keyring items stay) and starts it
/// again on its files.
fn restart(app: TestApp, sandbox: SandboxMode) -> TestApp {
    TestApp::start_in(stop(app), sandbox)
}

/// Quits `app` as a user would, keeping its connections and credentials for the next start.
fn stop(app: TestApp) -> AppDirs {
    keydesk_app::state::shutdown(app.app.handle());
    let TestApp { app, window, dirs } = app;
    drop(window);
    drop(app);
    dirs
}

/// Whether something listens on 127.0.0.1:`port`.
fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// The port the app's embedded sandbox runs on, or ran on last.
fn sandbox_port(app: &TestApp) -> u16 {
    app.state()
        .sandbox
        .last_port()
        .expect("the sandbox has a port")
}

fn sandbox_running(app: &TestApp) -> bool {
    tauri::async_runtime::block_on(app.state().sandbox.is_running())
}

/// Creates the key `name` in sandbox-oligon; answers the CreateResult JSON and the secret,
/// revealed but not acknowledged (still pending).
fn pending_oligon_secret(app: &TestApp, name: &str) -> (Value, String) {
    let created = app.create_key(
        "sandbox-oligon",
        json!({"name": name, "environment": "test"}),
    );
    let reveal_id = created["reveal"]["reveal_id"].clone();
    let secret = app.call("reveal_secret", json!({"revealId": reveal_id, "index": 0}));
    (created, secret.as_str().unwrap().to_owned())
}

#[test]
fn the_last_list_of_the_first_connection_is_there_at_start_metadata_only() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    // A first run: the demo's history gives the sandbox connections a snapshot, but not a
    // list Keydesk took, so there is nothing to show before the first list.
    app.call("list_connections", json!({}));
    assert_eq!(app.call("last_inventory", json!({})), Value::Null);
    let (_, secret) = pending_oligon_secret(&app, "at start");
    assert!(secret.len() > 8);
    let listed = app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));

    let again = restart(app, SandboxMode::Auto);
    let last = again.call("last_inventory", json!({}));
    assert_eq!(last["connection_id"], "sandbox-oligon");
    assert!(last["taken_at"].as_str().unwrap().ends_with('Z'), "{last}");
    // Every fact the table shows, as listed; never a secret or the provider's raw JSON.
    assert_eq!(last["keys"], listed);
    let text = last.to_string();
    assert!(
        !text.contains(&secret) && !text.contains("\"raw\""),
        "{text}"
    );
    let file = again.dirs.data_dir().join("inventory-snapshots.json");
    assert!(!std::fs::read_to_string(file).unwrap().contains(&secret));
    // Answered without the sandbox: nothing of it started for this.
    assert!(!sandbox_running(&again));
    again.quit();
}

/// The start frame's file in `app`'s data dir, if there is one.
fn start_frame(app: &TestApp) -> Option<Value> {
    let bytes = std::fs::read(app.dirs.data_dir().join("start-frame.json")).ok()?;
    Some(serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn the_start_frame_is_the_first_connections_and_goes_when_what_it_shows_changes() {
    const HTML: &str = "<aside>Oligon</aside><table><tr><td>framed</td></tr></table>";
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    let save = |app: &TestApp| {
        let saved = app.call("save_start_frame", json!({"html": HTML}));
        assert_eq!(saved, Value::Null);
    };
    // A first run: the demo's look is no list a start could show.
    app.call("list_connections", json!({}));
    save(&app);
    assert_eq!(start_frame(&app), None);

    let (created, secret) = pending_oligon_secret(&app, "framed");
    app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));
    // The created secret, not yet acknowledged, goes neither to the file nor into the error.
    let holding = format!("{HTML}<code>{secret}</code>");
    let refused = app.fail("save_start_frame", json!({"html": holding}));
    assert_eq!(refused["kind"], "validation");
    assert!(!refused.to_string().contains(&secret), "{refused}");
    assert_eq!(start_frame(&app), None);

    save(&app);
    let last = app.call("last_inventory", json!({}));
    assert_eq!(
        start_frame(&app),
        Some(json!({
            "schema_version": 1,
            "connection_id": "sandbox-oligon",
            "taken_at": last["taken_at"],
            "theme": "system",
            "html": HTML,
        }))
    );
    // Another connection listed: the frame stays. Its own listed again: it goes.
    app.call("list_keys", json!({"connectionId": "sandbox-strait"}));
    assert!(start_frame(&app).is_some());
    app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));
    assert_eq!(start_frame(&app), None);
    // A key of it revoked.
    save(&app);
    let key_id = created["reveal"]["key"]["id"].clone();
    let args = json!({"connectionId": "sandbox-oligon", "keyId": key_id});
    app.call("revoke_key", args);
    assert_eq!(start_frame(&app), None);
    // The theme changed.
    save(&app);
    let mut settings = app.call("get_settings", json!({}));
    settings["theme"] = json!("dark");
    app.call("save_settings", json!({"settings": settings}));
    assert_eq!(start_frame(&app), None);
    save(&app);
    assert_eq!(start_frame(&app).unwrap()["theme"], "dark");
    // The connection renamed.
    let mut edit = app.call("list_connections", json!({}))[0].clone();
    edit["name"] = json!("Oligon, renamed");
    edit["credentials"] = Value::Null;
    app.call("save_connection", json!({"input": edit}));
    assert_eq!(start_frame(&app), None);

    // The next start keeps it and hands it to its window; the first connection deleted, it
    // goes.
    save(&app);
    let again = restart(app, SandboxMode::Auto);
    let data_dir = again.dirs.data_dir();
    assert!(start_frame(&again).is_some());
    let script = keydesk_app::start_frame::init_script(&data_dir, "sandbox-oligon").unwrap();
    assert!(
        script.starts_with("window.__KEYDESK_START_FRAME__ = {"),
        "{script}"
    );
    assert!(script.contains("framed") && !script.contains(&secret));
    assert_eq!(
        keydesk_app::start_frame::init_script(&data_dir, "sandbox-fiskaly"),
        None
    );
    again.call("delete_connection", json!({"id": "sandbox-oligon"}));
    assert_eq!(start_frame(&again), None);
    again.quit();
}

#[test]
fn the_sandbox_starts_only_once_a_connection_it_serves_is_listed() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    app.call("list_keys", json!({"connectionId": "sandbox-strait"}));
    let port = sandbox_port(&app);
    assert!(listening(port));

    let again = restart(app, SandboxMode::Auto);
    // The window's first calls: nothing of the sandbox runs or listens for them.
    let connections = again.call("list_connections", json!({}));
    assert_eq!(strings(&connections, "id"), SANDBOX_IDS);
    again.call("last_inventory", json!({}));
    assert_eq!(again.call("startup_notices", json!({})), json!([]));
    assert!(!sandbox_running(&again));
    assert!(
        !listening(port),
        "no sandbox port before a sandbox connection is listed"
    );

    // The first list of one of its connections starts it, on the same port, and all four work.
    assert_sandbox_connections_work(&again, &connections);
    assert!(sandbox_running(&again));
    assert_eq!(sandbox_port(&again), port);
    assert!(listening(port));
    again.quit();
}

#[test]
fn the_sandbox_keeps_its_port_and_moves_with_its_connections_when_the_port_is_taken() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    let sandboxed = app.call("list_connections", json!({}));
    let port = sandbox_port(&app);
    // A connection added by hand against the sandbox, with credentials it issued: they reach
    // the keyring once startup is done, after the sandbox's connections are listed.
    tauri::async_runtime::block_on(app.state().startup.done());
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    let stored = vault.read("sandbox-oligon").unwrap().unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&stored["token"]).to_owned();
    let input = json!({
        "id": null, "name": "by hand", "provider": "oligon",
        "base_url": sandboxed[0]["base_url"], "org_id": null, "project_id": null,
        "label": null, "color": null, "credentials": {"token": token},
    });
    let by_hand = app.call("save_connection", json!({"input": input}))["id"].clone();
    let listed = app.call("list_keys", json!({"connectionId": by_hand}));
    assert!(listed.as_array().unwrap().len() >= 5, "{listed}");

    // Relaunched: the same port, so the connection added by hand still reaches it (and,
    // listed first, starts it).
    let again = restart(app, SandboxMode::Auto);
    let relisted = again.call("list_keys", json!({"connectionId": by_hand}));
    assert_eq!(strings(&relisted, "id"), strings(&listed, "id"));
    assert_eq!(sandbox_port(&again), port);

    // Relaunched with the port taken: another one, and every connection pointing at the
    // sandbox goes with it.
    let taken = restart(again, SandboxMode::Auto);
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let moved = taken.call("list_keys", json!({"connectionId": by_hand}));
    assert_eq!(strings(&moved, "id"), strings(&listed, "id"));
    let new_port = sandbox_port(&taken);
    assert_ne!(new_port, port);
    let connections = taken.call("list_connections", json!({}));
    let new_base = format!("http://127.0.0.1:{new_port}/");
    for connection in connections.as_array().unwrap() {
        let base_url = connection["base_url"].as_str().unwrap();
        assert!(base_url.starts_with(&new_base), "{connection}");
    }
    let sandboxed = Value::Array(connections.as_array().unwrap()[..4].to_vec());
    assert_sandbox_connections_work(&taken, &sandboxed);
    drop(squatter);
    // And the new port is the one kept for the next launch.
    let last = restart(taken, SandboxMode::Auto);
    assert_eq!(sandbox_port(&last), new_port);
    last.quit();
}

#[test]
fn start_sandbox_brings_back_deleted_sandbox_connections() {
    // Not started with the app: the command starts the server itself.
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Off);
    assert_eq!(app.call("list_connections", json!({})), json!([]));
    let started = app.call("start_sandbox", json!({}));
    assert_sandbox_connections_work(&app, &started);
    assert_eq!(app.call("list_connections", json!({})), started);

    // The user removes them, keyring items and all; asking again adds them back.
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    for id in SANDBOX_IDS {
        app.call("delete_connection", json!({"id": id}));
        assert!(vault.read(id).unwrap().is_none(), "{id}");
    }
    assert_eq!(app.call("list_connections", json!({})), json!([]));
    let again = app.call("start_sandbox", json!({}));
    assert_sandbox_connections_work(&app, &again);
    assert_eq!(app.call("list_connections", json!({})), again);
    for id in SANDBOX_IDS {
        assert!(vault.read(id).unwrap().is_some(), "{id}");
    }
    // The server that already ran serves them: no second sandbox on another port.
    assert_eq!(again[0]["base_url"], started[0]["base_url"]);
    let activity = app.call("list_activity", json!({"limit": 1}));
    assert_eq!(
        (activity[0]["action"].clone(), activity[0]["result"].clone()),
        (json!("start_sandbox"), json!("ok"))
    );
    app.quit();
}

/// [`TestApp::start_in`] with the background startup work held until
/// [`open_gate_once_waited_on`] lets it go.
fn start_gated(dirs: AppDirs, sandbox: SandboxMode) -> TestApp {
    TestApp::start_with(dirs, sandbox, |builder| {
        builder.manage(StartupGate::default())
    })
}

/// On another thread: once a command waits for startup, checks that nothing of the sandbox
/// is registered yet (an early answer would have been empty), then lets startup run.
fn open_gate_once_waited_on(
    handle: AppHandle<tauri::test::MockRuntime>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let state = handle.state::<AppState>();
        while state.startup.waiting() == 0 {
            std::thread::yield_now();
        }
        assert_eq!(state.connections.list().unwrap(), vec![]);
        handle.state::<StartupGate>().open();
    })
}

#[test]
fn a_command_that_comes_before_startup_is_done_waits_for_it() {
    let app = start_gated(AppDirs::new(), SandboxMode::Auto);
    let opener = open_gate_once_waited_on(app.app.handle().clone());
    // Issued while the sandbox has not even started: answers its four connections.
    let connections = app.call("list_connections", json!({}));
    opener.join().unwrap();
    assert_sandbox_connections_work(&app, &connections);
    assert_eq!(app.call("startup_notices", json!({})), json!([]));
    app.quit();
}

/// Starts on `dirs` with the sandbox on auto, asks for the startup notices while startup is
/// still gated, then lets it run: answers the app and the notices.
fn notices_of_a_gated_start(dirs: AppDirs) -> (TestApp, Vec<String>) {
    let app = start_gated(dirs, SandboxMode::Auto);
    let opener = open_gate_once_waited_on(app.app.handle().clone());
    let notices = app.call("startup_notices", json!({}));
    opener.join().unwrap();
    let notices = notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    (app, notices)
}

#[test]
fn problems_found_in_the_background_reach_the_startup_notices_in_order() {
    let dirs = AppDirs::new();
    dirs.write_data_file("settings.json", b"{ not json");
    // A file where the sandbox's folder should be: the sandbox cannot start.
    dirs.write_data_file("sandbox", b"");
    let (app, notices) = notices_of_a_gated_start(dirs);
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(notices[0].contains("corrupt"), "{notices:?}");
    assert!(notices[1].contains("sandbox's data folder"), "{notices:?}");
    assert_eq!(app.call("list_connections", json!({})), json!([]));
    app.quit();
}

#[test]
fn a_record_file_read_in_the_background_reports_in_its_place_among_the_notices() {
    let dirs = AppDirs::new();
    dirs.write_data_file("settings.json", b"{ not json");
    dirs.write_data_file("dismissals.json", b"{\"schema_version\": 1, \"rec");
    dirs.write_data_file("sandbox", b"");
    let (app, notices) = notices_of_a_gated_start(dirs);
    // As when the record files were read before the window: settings, records, sandbox.
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert!(notices[0].contains("settings file"), "{notices:?}");
    assert!(
        notices[1].contains("snoozed and reviewed findings was corrupt"),
        "{notices:?}"
    );
    assert!(notices[2].contains("sandbox's data folder"), "{notices:?}");
    app.quit();
}

#[test]
fn the_last_list_is_answered_from_the_background_read_before_startup_work_runs() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Auto);
    let listed = app.call("list_keys", json!({"connectionId": "sandbox-oligon"}));
    // The gate stays shut: no keyring check, no sandbox, only the record files' own read.
    let again = start_gated(stop(app), SandboxMode::Auto);
    let last = again.call("last_inventory", json!({}));
    assert_eq!(last["connection_id"], "sandbox-oligon");
    assert_eq!(last["keys"], listed);
    assert!(!sandbox_running(&again));
    again.app.state::<StartupGate>().open();
    assert_eq!(again.call("startup_notices", json!({})), json!([]));
    again.quit();
}

#[test]
fn corrupt_settings_file_is_kept_as_a_backup_and_reported() {
    let (app, path, notices) = start_on_settings_file(b"{ this is not json");
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
    let newer = json!({"schema_version": 99, "connections": [{"shape": "unknown"}]}).to_string();
    let (app, path, notices) = start_on_settings_file(newer.as_bytes());
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

/// An app started on a settings file holding `contents`: the app, the file's path and the
/// startup notices.
fn start_on_settings_file(contents: &[u8]) -> (TestApp, std::path::PathBuf, Value) {
    let dirs = AppDirs::new();
    std::fs::create_dir_all(dirs.data_dir()).unwrap();
    let path = dirs.data_dir().join("settings.json");
    std::fs::write(&path, contents).unwrap();
    let app = TestApp::start_in(dirs, SandboxMode::Off);
    let notices = app.call("startup_notices", json!({}));
    (app, path, notices)
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

/// A settings file as Keydesk writes it, with one connection and `clipboard_clear_secs`.
fn settings_file_with(clipboard_clear_secs: Value) -> Vec<u8> {
    let document = json!({
        "schema_version": 1,
        "connections": [{
            "id": "c-1", "name": "Receipts prod", "provider": "oligon",
            "base_url": "https://api.example.test", "org_id": null, "project_id": null,
            "label": null, "color": null, "sandbox": false, "has_credentials": false,
        }],
        "settings": {"clipboard_clear_secs": clipboard_clear_secs, "theme": "dark"},
    });
    serde_json::to_vec_pretty(&document).unwrap()
}

#[test]
fn out_of_range_clipboard_clearing_is_replaced_by_the_default_with_a_notice() {
    for secs in [0_u64, 4_294_967_295] {
        let (app, _path, notices) = start_on_settings_file(&settings_file_with(json!(secs)));
        let settings = app.call("get_settings", json!({}));
        assert_eq!(settings["clipboard_clear_secs"], 30, "{secs}: {settings}");
        assert_eq!(settings["theme"], "dark", "the rest is kept");
        assert_eq!(
            strings(&app.call("list_connections", json!({})), "id"),
            ["c-1"],
            "{secs}: the connections are kept"
        );
        let notices = notices.as_array().unwrap();
        assert_eq!(notices.len(), 1, "{secs}: {notices:?}");
        let notice = notices[0].as_str().unwrap();
        assert!(notice.contains(&format!("after {secs} s")), "{notice}");
        assert!(notice.contains("uses 30 s instead"), "{notice}");
        app.quit();
    }
}

#[test]
fn a_temp_file_left_by_a_crash_mid_write_is_ignored_and_removed() {
    let dirs = AppDirs::new();
    std::fs::create_dir_all(dirs.data_dir()).unwrap();
    let path = dirs.data_dir().join("settings.json");
    std::fs::write(&path, settings_file_with(json!(60))).unwrap();
    // What a crash between writing the new settings and renaming them leaves behind.
    let complete = settings_file_with(json!(90));
    let leftover = dirs.data_dir().join(".settings.json.0123abcd.tmp");
    std::fs::write(&leftover, &complete[..complete.len() / 2]).unwrap();
    let app = TestApp::start_in(dirs, SandboxMode::Off);
    assert_eq!(app.call("startup_notices", json!({})), json!([]));
    assert_eq!(
        app.call("get_settings", json!({}))["clipboard_clear_secs"],
        60
    );
    assert_eq!(
        strings(&app.call("list_connections", json!({})), "id"),
        ["c-1"]
    );
    assert!(!leftover.exists(), "the half-written temp file is removed");
    app.quit();
}

#[test]
fn a_settings_write_replaces_the_file_whole_instead_of_rewriting_it_in_place() {
    let (app, path, _) = start_on_settings_file(&settings_file_with(json!(60)));
    // A second name for the file as it is now. Writing in place (truncate, then write) would
    // change what it shows, and a crash in between would leave it cut short; a rename over
    // the file leaves the old one whole.
    let before = std::fs::read(&path).unwrap();
    let old_file = path.with_file_name("old-settings.json");
    std::fs::hard_link(&path, &old_file).unwrap();
    app.call(
        "save_settings",
        json!({"settings": {"clipboard_clear_secs": 120, "theme": "light"}}),
    );
    assert_eq!(std::fs::read(&old_file).unwrap(), before);
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["schema_version"], 1);
    assert_eq!(written["settings"]["clipboard_clear_secs"], 120);
    assert_eq!(strings(&written["connections"], "id"), ["c-1"]);
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert_eq!(names, Vec::<String>::new(), "no temp file is left behind");
    app.quit();
}
