//! Reminders reach the desktop's notification service over the session bus, and a click on
//! one is heard (a stand-in service on the test session's private bus plays the desktop).

use keydesk_app::reminders::{Notice, desktop};
use tokio::sync::oneshot;

use crate::support::notifications::FakeNotifications;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_is_shown_by_the_notification_service_and_its_click_is_heard() {
    let mut service = FakeNotifications::start().await;
    let notice = Notice {
        title: "2 keys need attention now".to_owned(),
        body: "checkout (Billing): Expired on 1 Dec 2026.".to_owned(),
    };
    let (clicked, heard) = oneshot::channel();
    let id = desktop::show(&notice, 0, move || async move {
        let _ = clicked.send(());
    })
    .await
    .unwrap();

    let shown = service.next_shown().await;
    assert_eq!(shown.id, id);
    assert_eq!(shown.app_name, "Keydesk");
    assert_eq!(shown.summary, notice.title);
    assert_eq!(shown.body, notice.body);
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
    let notice = Notice {
        title: "checkout needs attention".to_owned(),
        body: "checkout (Billing): Rotation was due on 1 Dec 2026.".to_owned(),
    };
    let (clicked, heard) = oneshot::channel();
    let id = desktop::show(&notice, 0, move || async move {
        let _ = clicked.send(());
    })
    .await
    .unwrap();
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
