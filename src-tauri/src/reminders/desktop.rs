//! Showing a reminder as an OS notification, and hearing when it is clicked.
//!
//! On Linux a notification goes straight over the session bus to
//! `org.freedesktop.Notifications` with a `default` action, the one a click on its body sends
//! back: the notification plugin hands its notifications off without a way to hear that
//! click, and opening the finding is the point of a reminder. Other systems show none yet.

use std::future::Future;

/// What one notification says. Built only from metadata (names, rules, counts): never a key,
/// a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The one-line summary.
    pub title: String,
    /// A few lines of detail.
    pub body: String,
}

/// Why a notification could not be shown.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoticeError(String);

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;
    use std::future::Future;
    use std::time::Duration;

    use futures::StreamExt;
    use zbus::zvariant::Value;
    use zbus::{Connection, MatchRule, MessageStream};

    use super::{Notice, NoticeError};

    const SERVICE: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";
    /// The action a click on the notification's body invokes.
    const DEFAULT_ACTION: &str = "default";
    /// A notification nobody clicked or closed within a day stops being listened for.
    const LISTEN_AT_MOST: Duration = Duration::from_secs(24 * 60 * 60);

    impl From<zbus::Error> for NoticeError {
        fn from(error: zbus::Error) -> Self {
            NoticeError(format!("The notification service did not take it: {error}"))
        }
    }

    /// Shows `notice`, replacing the notification `replaces` (0: none), and answers its id;
    /// `on_click` runs if the user clicks it.
    pub async fn show<F, Fut>(
        notice: &Notice,
        replaces: u32,
        on_click: F,
    ) -> Result<u32, NoticeError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let connection = Connection::session().await?;
        // Listening starts before the notification exists, so a quick click is not missed.
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(SERVICE)?
            .path(PATH)?
            .build();
        let mut signals = MessageStream::for_match_rule(rule, &connection, None).await?;
        let hints: HashMap<&str, Value<'_>> = HashMap::from([("urgency", Value::U8(1))]);
        let reply = connection
            .call_method(
                Some(SERVICE),
                PATH,
                Some(SERVICE),
                "Notify",
                &(
                    "Keydesk",
                    replaces,
                    "",
                    notice.title.as_str(),
                    notice.body.as_str(),
                    vec![DEFAULT_ACTION, "Open"],
                    hints,
                    -1_i32,
                ),
            )
            .await?;
        let id: u32 = reply.body().deserialize()?;
        tokio::spawn(async move {
            let clicked = tokio::time::timeout(LISTEN_AT_MOST, async {
                while let Some(Ok(message)) = signals.next().await {
                    let header = message.header();
                    match header.member().map(|member| member.as_str()) {
                        Some("ActionInvoked") => {
                            if let Ok((of, action)) = message.body().deserialize::<(u32, String)>()
                                && of == id
                                && action == DEFAULT_ACTION
                            {
                                return true;
                            }
                        }
                        Some("NotificationClosed") => {
                            if let Ok((of, _reason)) = message.body().deserialize::<(u32, u32)>()
                                && of == id
                            {
                                return false;
                            }
                        }
                        _ => {}
                    }
                }
                false
            })
            .await;
            // The connection lives in the stream until the notification is done with.
            drop(connection);
            if clicked == Ok(true) {
                on_click().await;
            }
        });
        Ok(id)
    }
}

/// Shows `notice` (replacing the notification `replaces`, 0 for none) and answers its id;
/// `on_click` runs when the user clicks it.
pub async fn show<F, Fut>(notice: &Notice, replaces: u32, on_click: F) -> Result<u32, NoticeError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    #[cfg(target_os = "linux")]
    {
        linux::show(notice, replaces, on_click).await
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (notice, replaces, on_click);
        Err(NoticeError(
            "Reminders are shown on Linux only in this version.".to_owned(),
        ))
    }
}
