//! Reminders reach the desktop's notification service over the session bus, and a click on
//! one is heard (a stand-in service on the test session's private bus plays the desktop).

use keydesk_app::reminders::{Notice, desktop};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::support::notifications::FakeNotifications;

/// Shows a notice titled `title` and answers its id and a channel that hears its click (or
/// closes, unheard, once its listener ends).
async fn show_listening(title: &str, body: &str) -> (u32, oneshot::Receiver<()>) {
    let notice = Notice {
        title: title.to_owned(),
        body: body.to_owned(),
    };
    let (clicked, heard) = oneshot::channel();
    let id = desktop::show(&notice, 0, move || async move {
        let _ = clicked.send(());
    })
    .await
    .unwrap();
    (id, heard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_is_shown_by_the_notification_service_and_its_click_is_heard() {
    let mut service = FakeNotifications::start().await;
    let (title, body) = ("2 keys need attention now", "checkout (Billing): Expired.");
    let (id, heard) = show_listening(title, body).await;

    let shown = service.next_shown().await;
    assert_eq!(shown.id, id);
    assert_eq!(shown.app_name, "Keydesk");
    assert_eq!(shown.summary, title);
    assert_eq!(shown.body, body);
    assert_eq!(shown.replaces, 0);
    assert!(
        shown.actions.chunks(2).any(|pair| pair[0] == "default"),
        "a click needs the default action: {:?}",
        shown.actions
    );

    service.click(id).await;
    tokio::time::timeout(std::time::Duration::from_secs(30), heard)
        .await
        .expect("the click is heard within 30 s")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_on_another_notification_is_not_taken_for_this_one() {
    let mut service = FakeNotifications::start().await;
    let (id, heard) = show_listening("checkout needs attention", "Rotation was due.").await;
    assert_eq!(service.next_shown().await.id, id);

    // Another notification clicked, then this one dismissed: its listener sees both in this
    // order, and ends without running the click (dropping it closes the channel).
    service.click(id + 1).await;
    service.dismiss(id).await;
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), heard)
        .await
        .expect("the listener ends within 30 s once its notification is closed");
    assert!(
        outcome.is_err(),
        "a click on another notification opened this one"
    );
}

/// Key-shaped text of the four providers (`sk_live_…`, `strait_…`, a JWT): none may be in
/// a notification.
fn looks_like_a_secret(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ':')
        .any(|word| {
            (word.starts_with("sk_") || word.starts_with("strait_") || word.starts_with("eyJ"))
                && word.len() >= 16
        })
}

#[test]
fn at_start_the_high_findings_arrive_in_one_notification_whose_click_opens_the_first() {
    let mut service = tauri::async_runtime::block_on(FakeNotifications::start());
    let (sandbox, app) = super::attention::demo_app();
    let tokens: Vec<String> = keydesk_sandbox::Dialect::ALL
        .into_iter()
        .flat_map(|dialect| {
            let input = crate::support::app::sandbox_input(&sandbox, dialect);
            let credentials = input["credentials"].as_object().unwrap().clone();
            credentials
                .values()
                .map(|value| value.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let app = app.restart_reminding();
    let (opened, opened_rx) = std::sync::mpsc::channel();
    tauri::Listener::listen_any(&app.app, "open-finding", move |event| {
        let _ = opened.send(event.payload().to_owned());
    });

    let shown = tauri::async_runtime::block_on(service.next_shown());
    let report = app.call("attention", json!({"refresh": false, "operationId": null}));
    let high = super::attention::findings_where(&report, "severity", "high");
    assert!(
        high.len() > 1,
        "the demo has several high findings: {report}"
    );
    assert_eq!(
        shown.summary,
        format!("{} keys need attention now", high.len())
    );
    let first = &high[0]["finding"];
    let first_line = shown.body.lines().next().unwrap();
    assert!(
        first_line.starts_with(first["key_name"].as_str().unwrap()),
        "{first_line:?} names {first}"
    );
    assert!(first_line.ends_with(first["reason"].as_str().unwrap()));
    for text in [&shown.summary, &shown.body] {
        assert!(!looks_like_a_secret(text), "{text}");
        for token in &tokens {
            assert!(!text.contains(token.as_str()), "a credential in {text}");
        }
    }

    tauri::async_runtime::block_on(service.click(shown.id));
    let payload = opened_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the click opens the finding");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["connection_id"], first["connection_id"]);
    assert_eq!(payload["key_id"], first["key_id"]);
    assert_eq!(payload["rule"], first["rule"]);
}
