//! Key commands: list, create, rotate, revoke, delete, enable/disable, leaked-key search
//! the inventory export and copying a leak's summary, each one call of the keys service ([`crate::keys`]).

use keydesk_core::{Key, KeyDraft, ReplaceOptions};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::export::ExportFormat;
use crate::incident::IncidentContext;
use crate::journal::{self, OrphanCheck, UnfinishedCreate};
use crate::keys::last_known::LastInventory;
use crate::keys::scheduled::{self, ScheduledRevoke};
use crate::keys::{self, CreateResult, KeyDetails, LeakSearch, ReplaceResult};
use crate::reveal::PendingReveal;
use crate::state::AppState;

/// The keys of a connection, without their raw provider JSON (kept for `key_details`); long
/// lists report `inventory-progress`.
#[tauri::command]
#[specta::specta]
pub async fn list_keys(
    state: State<'_, AppState>,
    connection_id: String,
    operation_id: Option<String>,
) -> AppResult<Vec<Key>> {
    keys::list_keys(&state, &connection_id, operation_id.as_deref()).await
}

/// The open connection's keys as last listed (metadata only), for the first frame of a start;
/// null on a first run. Answers at once: no keyring, sandbox or network.
#[tauri::command]
#[specta::specta]
pub async fn last_inventory(state: State<'_, AppState>) -> AppResult<Option<LastInventory>> {
    keys::last_known::last_inventory(&state)
}

/// Keeps `html`, the shell as it shows the first connection's keys (metadata only), as the
/// next start's first frame. Refused when empty, over 1 MiB, or holding a created secret not
/// yet acknowledged; with no complete snapshot of the first connection it discards any frame.
#[tauri::command]
#[specta::specta]
pub async fn save_start_frame(state: State<'_, AppState>, html: String) -> AppResult<()> {
    crate::start_frame::save(&state, &html)
}

/// What the details pane shows beyond the listed key: its raw provider JSON, from the
/// connection's last list (listed again when the key is not in it).
#[tauri::command]
#[specta::specta]
pub async fn key_details(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
) -> AppResult<KeyDetails> {
    keys::key_details(&state, &connection_id, &key_id).await
}

/// Creates a key. With `replace_active` (single-active-key providers) the active keys are
/// revoked first. The secrets go to the reveal vault, never into the answer. The create is
/// journaled in the activity log and can be cancelled as `operation_id`.
#[tauri::command]
#[specta::specta]
pub async fn create_key(
    state: State<'_, AppState>,
    connection_id: String,
    draft: KeyDraft,
    replace_active: bool,
    operation_id: Option<String>,
) -> AppResult<CreateResult> {
    let operation_id = operation_id.as_deref();
    keys::create_key(&state, &connection_id, &draft, replace_active, operation_id).await
}

/// Creates and rotates that never finished (Keydesk quit during the request, or the user
/// cancelled) and were not checked since: each may have made a key whose secret is lost.
#[tauri::command]
#[specta::specta]
pub async fn unfinished_creates(state: State<'_, AppState>) -> AppResult<Vec<UnfinishedCreate>> {
    journal::unfinished_creates(&state)
}

/// The orphan check of an unfinished create: lists its connection again and answers the key
/// it made, if any. Once answered, the create is not offered again.
#[tauri::command]
#[specta::specta]
pub async fn check_unfinished_create(
    state: State<'_, AppState>,
    operation_id: String,
) -> AppResult<OrphanCheck> {
    journal::check_unfinished_create(&state, &operation_id).await
}

/// Stops waiting for the operation `operation_id` (list, create, revoke…); `false` when it
/// had already finished.
#[tauri::command]
#[specta::specta]
pub fn cancel_operation(state: State<'_, AppState>, operation_id: String) -> AppResult<bool> {
    state.operations.cancel(&operation_id)
}

/// Rotates a key; the new key's secrets go to the reveal vault. With a `context` (started
/// from a leak search or an Attention finding) it is logged as an incident.
#[tauri::command]
#[specta::specta]
pub async fn rotate_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    grace_minutes: Option<u32>,
    operation_id: Option<String>,
    context: Option<IncidentContext>,
) -> AppResult<PendingReveal> {
    let (connection_id, key_id, operation_id) = (&connection_id, &key_id, operation_id.as_deref());
    keys::rotate_key_for(
        &state,
        connection_id,
        key_id,
        grace_minutes,
        operation_id,
        context,
    )
    .await
}

/// Replaces a key with a successor of the same settings and retires the old key the
/// provider's way, reporting `replace-progress`; the successor's secrets go to the reveal
/// vault. Cancellable as `operation_id` until the old key is touched. With a `context`
/// (started from a leak search or an Attention finding) it is also logged as an incident.
#[tauri::command]
#[specta::specta]
pub async fn replace_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    options: ReplaceOptions,
    operation_id: Option<String>,
    context: Option<IncidentContext>,
) -> AppResult<ReplaceResult> {
    let operation_id = operation_id.as_deref();
    keys::replace_key_for(
        &state,
        &connection_id,
        &key_id,
        options,
        operation_id,
        context,
    )
    .await
}

/// The revokes a replace scheduled for later, soonest first.
#[tauri::command]
#[specta::specta]
pub fn scheduled_revokes(state: State<'_, AppState>) -> AppResult<Vec<ScheduledRevoke>> {
    scheduled::scheduled_revokes(&state)
}

/// Cancels a scheduled revoke; `false` when none was scheduled for the key (it ran).
#[tauri::command]
#[specta::specta]
pub fn cancel_scheduled_revoke(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
) -> AppResult<bool> {
    scheduled::cancel_scheduled_revoke(&state, &connection_id, &key_id)
}

/// Revokes a key; answers the updated key when the provider returns it. With a `context`
/// (started from a leak search or an Attention finding) it is logged as an incident.
#[tauri::command]
#[specta::specta]
pub async fn revoke_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    operation_id: Option<String>,
    context: Option<IncidentContext>,
) -> AppResult<Option<Key>> {
    let operation_id = operation_id.as_deref();
    keys::revoke_key_for(&state, &connection_id, &key_id, operation_id, context).await
}

/// Deletes a key for good.
#[tauri::command]
#[specta::specta]
pub async fn delete_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    operation_id: Option<String>,
) -> AppResult<()> {
    keys::delete_key(&state, &connection_id, &key_id, operation_id.as_deref()).await
}

/// Switches a key on or off. With a `context` (started from a leak search or an Attention
/// finding) it is logged as an incident.
#[tauri::command]
#[specta::specta]
pub async fn set_key_enabled(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    enabled: bool,
    operation_id: Option<String>,
    context: Option<IncidentContext>,
) -> AppResult<Key> {
    let (connection_id, key_id, operation_id) = (&connection_id, &key_id, operation_id.as_deref());
    keys::set_key_enabled_for(
        &state,
        connection_id,
        key_id,
        enabled,
        operation_id,
        context,
    )
    .await
}

/// Searches every connection's keys for a pasted leaked key, reporting the connections that
/// could not be searched.
#[tauri::command]
#[specta::specta]
pub async fn find_leaked_key(state: State<'_, AppState>, pasted: String) -> AppResult<LeakSearch> {
    keys::find_leaked_key(&state, pasted).await
}

/// The longest text `copy_text` takes: a summary of one incident is far shorter.
const MAX_COPIED_TEXT_BYTES: usize = 64 * 1024;

/// Copies text that holds no secret (a leak's incident summary) to the OS clipboard.
#[tauri::command]
#[specta::specta]
pub fn copy_text(state: State<'_, AppState>, text: String) -> AppResult<()> {
    if text.len() > MAX_COPIED_TEXT_BYTES {
        return Err(AppError::validation(
            "text",
            "That text is longer than 64 KiB; Keydesk copies only short summaries.",
        ));
    }
    state.clipboard.copy_text(&text)
}

/// Writes every connection's keys (never secrets) to a CSV or JSON file; answers its path.
#[tauri::command]
#[specta::specta]
pub async fn export_inventory(
    state: State<'_, AppState>,
    format: ExportFormat,
) -> AppResult<String> {
    keys::export_inventory(&state, format).await
}
