//! The opt-in Leaked key shortcut: taken from the X server and released with the setting,
//! pressed for real on the session's display (xdotool sends the keys through XTest, as a
//! keyboard would), and refused with the field named when Keydesk cannot use it.

use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use keydesk_app::shortcut;
use serde_json::{Value, json};

use crate::support::app::TestApp;

fn save_shortcut(app: &TestApp, shortcut: Value) -> Result<Value, Value> {
    let mut settings = app.call("get_settings", json!({}));
    settings["leak_shortcut"] = shortcut;
    app.invoke("save_settings", json!({ "settings": settings }))
}

fn press(keys: &str) {
    let status = Command::new("xdotool").args(["key", keys]).status();
    assert!(status.unwrap().success(), "xdotool key {keys}");
}

#[test]
fn the_leak_shortcut_follows_the_setting_and_its_press_opens_leaked_key() {
    let app = TestApp::start();
    let handle = app.app.handle();
    assert_eq!(
        app.call("get_settings", json!({}))["leak_shortcut"],
        Value::Null
    );
    assert!(!shortcut::holds(handle, "Ctrl+Alt+K"), "off by default");

    let (opened, opened_rx) = mpsc::channel();
    tauri::Listener::listen_any(&app.app, "open-leaked-key", move |event| {
        let _ = opened.send(event.payload().to_owned());
    });
    save_shortcut(&app, "Ctrl+Alt+K".into()).unwrap();
    assert!(shortcut::holds(handle, "Ctrl+Alt+K"));
    press("ctrl+alt+k");
    let payload = opened_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the press opens Leaked key");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert!(
        payload["shortcut"].as_str().unwrap().contains('K'),
        "{payload}"
    );

    // Another shortcut releases the first: its keys go back to the other applications.
    save_shortcut(&app, "Ctrl+Alt+L".into()).unwrap();
    assert!(shortcut::holds(handle, "Ctrl+Alt+L"));
    assert!(!shortcut::holds(handle, "Ctrl+Alt+K"));
    press("ctrl+alt+k");
    press("ctrl+alt+l");
    let payload: Value =
        serde_json::from_str(&opened_rx.recv_timeout(Duration::from_secs(20)).unwrap()).unwrap();
    assert!(
        payload["shortcut"].as_str().unwrap().contains('L'),
        "{payload}"
    );
    assert!(
        opened_rx.try_recv().is_err(),
        "Ctrl+Alt+K no longer opens it"
    );

    // A shortcut that would take plain typing is refused, and nothing is stored.
    let refused = save_shortcut(&app, "Shift+K".into()).unwrap_err();
    assert_eq!(refused["field"], "leak_shortcut", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("Ctrl, Alt or Super")
    );
    assert_eq!(
        app.call("get_settings", json!({}))["leak_shortcut"],
        "Ctrl+Alt+L"
    );
    assert!(shortcut::holds(handle, "Ctrl+Alt+L"));

    save_shortcut(&app, Value::Null).unwrap();
    assert!(!shortcut::holds(handle, "Ctrl+Alt+L"));

    // Changed again and again while presses arrive: a release that waited for the shortcut
    // thread while that thread waited to deliver a press would hang here. (In this test, not
    // a separate one: the plugin's press handler is one per process.)
    save_shortcut(&app, "Ctrl+Alt+K".into()).unwrap();
    let mut typing = Command::new("xdotool")
        .args(["key", "--repeat", "150", "--delay", "4", "ctrl+alt+k"])
        .spawn()
        .unwrap();
    let (typed, typed_rx) = mpsc::channel();
    let (done, done_rx) = mpsc::channel();
    let changer = handle.clone();
    std::thread::spawn(move || {
        let mut changes = 0;
        for wanted in ["Ctrl+Alt+L", "Ctrl+Alt+K"].into_iter().cycle() {
            shortcut::apply(&changer, Some(wanted)).unwrap();
            changes += 1;
            if changes >= 20 && typed_rx.try_recv().is_ok() {
                break;
            }
        }
        shortcut::apply(&changer, None).unwrap();
        let _ = done.send(changes);
    });
    assert!(typing.wait().unwrap().success());
    typed.send(()).unwrap();
    let changes = done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("changing the shortcut while presses arrive never hangs");
    assert!(changes >= 20, "{changes}");
    assert!(!shortcut::holds(handle, "Ctrl+Alt+K"));
    app.quit();
}
