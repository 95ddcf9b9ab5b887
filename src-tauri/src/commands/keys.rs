//! Key commands: list, create, rotate, revoke, delete, enable/disable, leaked-key search
//! and the inventory export.

use std::sync::Arc;

use futures::future::join_all;
use keydesk_core::{
    CreateOutcome, ErrorKind, Key, KeyDraft, KeyStatus, LeakFingerprint, Progress, Provider,
};
use serde::Serialize;
use tauri::State;

use crate::activity::Activity;
use crate::error::{AppError, AppResult};
use crate::export::{self, ExportFormat};
use crate::journal::{self, Journaled, OrphanCheck, UnfinishedCreate};
use crate::keys::KeyDetails;
use crate::reveal::PendingReveal;
use crate::settings::Connection;
use crate::state::{AppState, InventoryProgress};

/// What `create_key` answers.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CreateResult {
    /// The key exists; its secrets wait in the reveal vault.
    Created {
        /// What the reveal dialog shows.
        reveal: PendingReveal,
    },
    /// The key was (probably) created but its secret never arrived: revoke it.
    Orphaned {
        /// The connection it was created in.
        connection_id: String,
        /// The orphan, when a fresh list could identify it.
        key: Option<Key>,
        /// What happened, in one sentence.
        message: String,
    },
}

/// One key matching a leaked plaintext.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakMatch {
    /// The connection whose inventory holds it.
    pub connection_id: String,
    /// That connection's name.
    pub connection_name: String,
    /// The key.
    pub key: Key,
}

/// A connection that could not be searched, and why.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakSearchFailure {
    /// The connection.
    pub connection_id: String,
    /// Why its keys could not be listed.
    pub error: AppError,
}

/// What `find_leaked_key` answers.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakSearch {
    /// Every matching key.
    pub matches: Vec<LeakMatch>,
    /// More than one key matches; the user must pick.
    pub ambiguous: bool,
    /// Ids of the connections whose keys were searched.
    pub searched: Vec<String>,
    /// Ids of searched connections whose keys show no part of a key (SyncgramPay): the
    /// leaked key may be among them without matching.
    pub unsearchable: Vec<String>,
    /// Connections that could not be searched.
    pub failed: Vec<LeakSearchFailure>,
}

/// The keys of a connection, without their raw provider JSON (kept for `key_details`); long
/// lists report `inventory-progress`.
#[tauri::command]
#[specta::specta]
pub async fn list_keys(
    state: State<'_, AppState>,
    connection_id: String,
    operation_id: Option<String>,
) -> AppResult<Vec<Key>> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (_, client) = connected(&state, &connection_id).await?;
    let report = |progress: Progress| {
        (state.report_progress)(InventoryProgress {
            connection_id: connection_id.clone(),
            page: progress.page,
            pages: progress.pages,
        });
    };
    let listed = async { Ok(client.list_keys(Some(&report)).await?) };
    let keys = operation.run(listed).await?;
    state.raw.replace(&connection_id, keys)
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
    if let Some(raw) = state.raw.get(&connection_id, &key_id)? {
        return Ok(KeyDetails { raw });
    }
    let (_, client) = connected(&state, &connection_id).await?;
    state
        .raw
        .replace(&connection_id, client.list_keys(None).await?)?;
    state
        .raw
        .get(&connection_id, &key_id)?
        .map(|raw| KeyDetails { raw })
        .ok_or_else(|| AppError::not_found("This key is no longer listed. Refresh the list."))
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
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (connection, client) = connected(&state, &connection_id).await?;
    let journal = Journaled::start(
        &state,
        "create",
        &connection,
        None,
        Some(&draft.name),
        operation_id.as_deref(),
    )?;
    let creating = revoke_then_create(&state, &connection, client.as_ref(), &draft, replace_active);
    let outcome = operation.run(creating).await;
    journal.finish_create(&state, &outcome);
    match outcome? {
        CreateOutcome::Created(created) => {
            state.raw.remember(&connection_id, &created.key)?;
            Ok(CreateResult::Created {
                reveal: state.reveals.insert(&connection_id, created)?,
            })
        }
        CreateOutcome::Orphaned { key } => Ok(CreateResult::Orphaned {
            key: key
                .map(|key| state.raw.keep(&connection_id, key))
                .transpose()?,
            connection_id,
            message: "The key was created, but its secret never arrived. Revoke it and create \
                      a new one."
                .into(),
        }),
    }
}

/// With `replace_active`, revokes the active keys (each one logged), then creates `draft`.
async fn revoke_then_create(
    state: &AppState,
    connection: &Connection,
    client: &dyn Provider,
    draft: &KeyDraft,
    replace_active: bool,
) -> AppResult<CreateOutcome> {
    let mut revoked_any = false;
    if replace_active {
        // Revoking first and then being refused the create would leave the organisation
        // without an active key: wait out a create limit before revoking anything.
        if let Some(wait) = client.create_wait() {
            return Err(create_limited(&client.capabilities().display_name, wait));
        }
        let active = client.list_keys(None).await?;
        for key in active.iter().filter(|key| key.status == KeyStatus::Active) {
            let revoked = client.revoke_key(&key.id).await.map_err(AppError::from);
            state
                .activity
                .record(activity("revoke", connection, Some(key)), revoked)?;
            revoked_any = true;
        }
    }
    client.create_key(draft).await.map_err(|error| {
        let error = AppError::from(error);
        if !revoked_any {
            return error;
        }
        AppError {
            message: format!(
                "The active key was revoked, but the new key was not created: {}",
                error.message
            ),
            ..error
        }
    })
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

/// The refusal of a "revoke and create" that the provider's create limit would cut in half.
fn create_limited(provider: &str, wait: std::time::Duration) -> AppError {
    let secs = u32::try_from(wait.as_secs().saturating_add(1)).unwrap_or(u32::MAX);
    AppError {
        retry_after_secs: Some(secs),
        ..AppError::new(
            ErrorKind::RateLimited,
            format!(
                "{provider} limits how often keys are created. Nothing was revoked: try again in {secs} s."
            ),
        )
    }
}

/// Rotates a key; the new key's secrets go to the reveal vault.
#[tauri::command]
#[specta::specta]
pub async fn rotate_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    grace_minutes: Option<u32>,
    operation_id: Option<String>,
) -> AppResult<PendingReveal> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (connection, client) = connected(&state, &connection_id).await?;
    let journal = Journaled::start(
        &state,
        "rotate",
        &connection,
        Some(&key_id),
        None,
        operation_id.as_deref(),
    )?;
    let rotating = async { Ok(client.rotate_key(&key_id, grace_minutes).await?) };
    let rotated = operation.run(rotating).await;
    journal.finish_with(&state, &rotated);
    let created = rotated?;
    state.raw.remember(&connection_id, &created.key)?;
    state.reveals.insert(&connection_id, created)
}

/// Revokes a key; answers the updated key when the provider returns it.
#[tauri::command]
#[specta::specta]
pub async fn revoke_key(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    operation_id: Option<String>,
) -> AppResult<Option<Key>> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (connection, client) = connected(&state, &connection_id).await?;
    let revoking = async { Ok(client.revoke_key(&key_id).await?) };
    let revoked = operation.run(revoking).await;
    let revoked = record_on_key(&state, "revoke", &connection, &key_id, revoked, |key| {
        key.as_ref().map(|key| key.name.clone())
    })?;
    revoked
        .map(|key| state.raw.keep(&connection_id, key))
        .transpose()
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
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (connection, client) = connected(&state, &connection_id).await?;
    let deleting = async { Ok(client.delete_key(&key_id).await?) };
    let deleted = operation.run(deleting).await;
    record_on_key(&state, "delete", &connection, &key_id, deleted, |_| None)?;
    state.raw.forget(&connection_id, Some(&key_id))
}

/// Switches a key on or off.
#[tauri::command]
#[specta::specta]
pub async fn set_key_enabled(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    enabled: bool,
    operation_id: Option<String>,
) -> AppResult<Key> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    let (connection, client) = connected(&state, &connection_id).await?;
    let changing = async { Ok(client.set_key_enabled(&key_id, enabled).await?) };
    let changed = operation.run(changing).await;
    let action = if enabled { "enable" } else { "disable" };
    let changed = record_on_key(&state, action, &connection, &key_id, changed, |key| {
        Some(key.name.clone())
    })?;
    state.raw.keep(&connection_id, changed)
}

/// Searches every connection's keys for a pasted leaked key, reporting the connections that
/// could not be searched.
#[tauri::command]
#[specta::specta]
pub async fn find_leaked_key(state: State<'_, AppState>, pasted: String) -> AppResult<LeakSearch> {
    let fingerprint = LeakFingerprint::parse(&pasted)?;
    drop(pasted);
    let (inventories, failed) = inventory(&state).await?;
    let borrowed: Vec<(usize, &[Key])> = inventories
        .iter()
        .enumerate()
        .map(|(index, (_, keys))| (index, keys.as_slice()))
        .collect();
    let found = keydesk_core::find_leaked(&fingerprint, &borrowed);
    let search = LeakSearch {
        matches: found
            .matches
            .into_iter()
            .map(|found| {
                let connection = &inventories[found.connection].0;
                LeakMatch {
                    connection_id: connection.id.clone(),
                    connection_name: connection.name.clone(),
                    key: found.key,
                }
            })
            .collect(),
        ambiguous: found.ambiguous,
        searched: inventories.iter().map(|(c, _)| c.id.clone()).collect(),
        unsearchable: found
            .blind
            .into_iter()
            .map(|index| inventories[index].0.id.clone())
            .collect(),
        failed,
    };
    let record = Activity {
        action: "find_leaked_key",
        ..Activity::default()
    };
    state.activity.record(record, Ok(search))
}

/// Writes every connection's keys (never secrets) to a CSV or JSON file; answers its path.
#[tauri::command]
#[specta::specta]
pub async fn export_inventory(
    state: State<'_, AppState>,
    format: ExportFormat,
) -> AppResult<String> {
    let (inventories, failed) = inventory(&state).await?;
    if let Some(failure) = failed.into_iter().next() {
        return Err(failure.error);
    }
    let path = export::write_inventory(&state.export_dir, format, &inventories)?;
    let record = Activity {
        action: "export_inventory",
        ..Activity::default()
    };
    state
        .activity
        .record(record, Ok(path.to_string_lossy().into_owned()))
}

/// Lists every connection concurrently: the inventories that came back and the failures.
async fn inventory(
    state: &AppState,
) -> AppResult<(Vec<(Connection, Vec<Key>)>, Vec<LeakSearchFailure>)> {
    state.startup.ready().await;
    let connections = state.connections.list()?;
    let lists = connections.into_iter().map(|connection| async {
        let listed: AppResult<Vec<Key>> = async {
            let (_, client): (_, Arc<dyn Provider>) = state.connections.client(&connection.id)?;
            Ok(client.list_keys(None).await?)
        }
        .await;
        (connection, listed)
    });
    let mut inventories = Vec::new();
    let mut failed = Vec::new();
    for (connection, listed) in join_all(lists).await {
        match listed {
            Ok(keys) => inventories.push((connection, keys)),
            Err(error) => failed.push(LeakSearchFailure {
                connection_id: connection.id,
                error,
            }),
        }
    }
    Ok((inventories, failed))
}

/// The connection `connection_id` and its client, once startup's background work is done.
async fn connected(
    state: &AppState,
    connection_id: &str,
) -> AppResult<(Connection, Arc<dyn Provider>)> {
    state.startup.ready().await;
    state.connections.client(connection_id)
}

fn activity(action: &'static str, connection: &Connection, key: Option<&Key>) -> Activity {
    Activity {
        action,
        connection_id: Some(connection.id.clone()),
        connection_name: Some(connection.name.clone()),
        key_id: key.map(|key| key.id.clone()),
        key_name: key.map(|key| key.name.clone()),
        operation_id: None,
    }
}

/// Logs what the provider answered to `action` on the key `key_id` (with the key's name when
/// `name_of` finds it in the answer) and hands the answer back as the command's result.
fn record_on_key<T>(
    state: &AppState,
    action: &'static str,
    connection: &Connection,
    key_id: &str,
    answer: AppResult<T>,
    name_of: impl FnOnce(&T) -> Option<String>,
) -> AppResult<T> {
    let record = Activity {
        key_id: Some(key_id.to_owned()),
        key_name: answer.as_ref().ok().and_then(name_of),
        ..activity(action, connection, None)
    };
    state.activity.record(record, answer)
}
