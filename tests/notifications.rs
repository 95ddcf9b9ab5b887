//! A stand-in for the desktop's notification service (`org.freedesktop.Notifications`) on
//! the test session's private bus, which has none: it records what it is asked to show and
//! can click a notification the way a user would (an `ActionInvoked` signal).

// Test support: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard, mpsc};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// One bus name, so one fake at a time in this test process.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A notification as the service received it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub app_name: String,
    pub replaces: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

struct Service {
    next_id: u32,
    shown: mpsc::UnboundedSender<Shown>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        self.next_id += 1;
        let _ = self.shown.send(Shown {
            id: self.next_id,
            app_name,
            replaces: replaces_id,
            summary,
            body,
            actions,
        });
        self.next_id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec![
            "actions".to_owned(),
            "body".to_owned(),
            "body-markup".to_owned(),
        ]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        let text = |value: &str| value.to_owned();
        (text("fake"), text("keydesk-tests"), text("1"), text("1.2"))
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

/// The fake service, serving until dropped.
pub struct FakeNotifications {
    connection: zbus::Connection,
    shown: mpsc::UnboundedReceiver<Shown>,
    _only_one: MutexGuard<'static, ()>,
}

impl FakeNotifications {
    /// Owns the service's name on the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub async fn start() -> Self {
        let only_one = ONE_AT_A_TIME.lock().await;
        let (sender, shown) = mpsc::unbounded_channel();
        let service = Service {
            next_id: 0,
            shown: sender,
        };
        let connection = zbus::connection::Builder::session()
            .expect("a session bus (run inside scripts/desktop-session)")
            .name(NAME)
            .expect("the notification service's name")
            .serve_at(PATH, service)
            .expect("serving the notification interface")
            .build()
            .await
            .expect("owning org.freedesktop.Notifications on the session bus");
        FakeNotifications {
            connection,
            shown,
            _only_one: only_one,
        }
    }

    /// The next notification shown; fails the test when none comes within 30 s.
    pub async fn next_shown(&mut self) -> Shown {
        tokio::time::timeout(Duration::from_secs(30), self.shown())
            .await
            .expect("a notification within 30 s")
            .expect("the service is still serving")
    }

    /// The next notification shown, however long it takes; `None` once the service stops.
    pub async fn shown(&mut self) -> Option<Shown> {
        self.shown.recv().await
    }

    /// Clicks the body of notification `id`.
    pub async fn click(&self, id: u32) {
        Service::action_invoked(&self.emitter(), id, "default")
            .await
            .expect("sending ActionInvoked");
    }

    /// Closes notification `id` as the user dismissing it would.
    pub async fn dismiss(&self, id: u32) {
        const DISMISSED_BY_THE_USER: u32 = 2;
        Service::notification_closed(&self.emitter(), id, DISMISSED_BY_THE_USER)
            .await
            .expect("sending NotificationClosed");
    }

    fn emitter(&self) -> SignalEmitter<'_> {
        SignalEmitter::new(&self.connection, PATH).expect("the service's path")
    }
}
