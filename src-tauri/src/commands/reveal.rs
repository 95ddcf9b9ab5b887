//! Reveal commands: the one-time secrets of created and rotated keys.

use std::time::Duration;

use tauri::State;

use crate::activity::Activity;
use crate::clipboard::CopyResult;
use crate::error::AppResult;
use crate::reveal::PendingReveal;
use crate::state::AppState;

/// Secrets not yet acknowledged (they survive a webview reload).
#[tauri::command]
#[specta::specta]
pub fn pending_reveals(state: State<'_, AppState>) -> AppResult<Vec<PendingReveal>> {
    state.reveals.pending()
}

/// The plaintext of one secret: the only way a secret reaches the webview.
#[tauri::command]
#[specta::specta]
pub fn reveal_secret(
    state: State<'_, AppState>,
    reveal_id: String,
    index: u32,
) -> AppResult<String> {
    let revealed = state.reveals.reveal(&reveal_id, index);
    state.activity.record(
        reveal_activity("reveal_secret", &state, &reveal_id),
        revealed,
    )
}

/// Copies one secret to the OS clipboard (Rust → clipboard, not through the webview).
#[tauri::command]
#[specta::specta]
pub fn copy_secret(
    state: State<'_, AppState>,
    reveal_id: String,
    index: u32,
) -> AppResult<CopyResult> {
    let clear_after = state
        .settings
        .snapshot()?
        .settings
        .clipboard_clear_secs
        .map(|secs| Duration::from_secs(u64::from(secs)));
    let copied = state.reveals.with_secret(&reveal_id, index, |secret| {
        state.clipboard.copy(&reveal_id, secret, clear_after)
    });
    let copied = copied.and_then(|copied| copied);
    state
        .activity
        .record(reveal_activity("copy_secret", &state, &reveal_id), copied)
}

/// "I have stored it": wipes the secrets of `reveal_id`.
#[tauri::command]
#[specta::specta]
pub fn acknowledge_reveal(state: State<'_, AppState>, reveal_id: String) -> AppResult<()> {
    let activity = reveal_activity("acknowledge_reveal", &state, &reveal_id);
    state
        .activity
        .record(activity, state.reveals.acknowledge(&reveal_id))
}

fn reveal_activity(action: &'static str, state: &AppState, reveal_id: &str) -> Activity {
    let pending = state
        .reveals
        .pending()
        .ok()
        .and_then(|all| all.into_iter().find(|p| p.reveal_id == reveal_id));
    let connection = pending
        .as_ref()
        .and_then(|p| state.connections.get(&p.connection_id).ok());
    Activity {
        action,
        connection_id: pending.as_ref().map(|p| p.connection_id.clone()),
        connection_name: connection.map(|c| c.settings.name),
        key_id: pending.as_ref().map(|p| p.key.id.clone()),
        key_name: pending.map(|p| p.key.name),
        operation_id: None,
        ..Activity::default()
    }
}
