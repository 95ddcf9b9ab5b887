//! `fake-notifications`: the desktop's notification service on the session bus, for the
//! end-to-end specs (their private bus has none). Prints `{"ready":true}` once it owns the
//! name, then one JSON line per notification shown (`id`, `app_name`, `summary`, `body`,
//! `actions`); reads `click ID` and `dismiss ID` lines from stdin. Exits when stdin closes.

// Test support: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_tests::notifications::FakeNotifications;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut service = FakeNotifications::start().await;
    println!("{}", serde_json::json!({ "ready": true }));
    let mut commands = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            shown = service.shown() => {
                let Some(shown) = shown else { return };
                println!("{}", serde_json::json!({
                    "id": shown.id,
                    "app_name": shown.app_name,
                    "summary": shown.summary,
                    "body": shown.body,
                    "actions": shown.actions,
                }));
            }
            line = commands.next_line() => {
                let Ok(Some(line)) = line else { return };
                match line.split_once(' ').map(|(verb, id)| (verb, id.trim().parse::<u32>())) {
                    Some(("click", Ok(id))) => service.click(id).await,
                    Some(("dismiss", Ok(id))) => service.dismiss(id).await,
                    _ => eprintln!("fake-notifications: unknown command {line:?}"),
                }
            }
        }
    }
}
