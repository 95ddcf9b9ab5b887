//! Connection commands.

use keydesk_core::{Capabilities, ProviderKind};
use tauri::State;

use crate::activity::Activity;
use crate::connections::ConnectionInput;
use crate::error::AppResult;
use crate::settings::Connection;
use crate::state::AppState;

/// What each provider can do and what its forms ask for.
#[tauri::command]
#[specta::specta]
pub fn provider_capabilities() -> Vec<Capabilities> {
    ProviderKind::ALL
        .into_iter()
        .map(ProviderKind::capabilities)
        .collect()
}

/// Every connection.
#[tauri::command]
#[specta::specta]
pub async fn list_connections(state: State<'_, AppState>) -> AppResult<Vec<Connection>> {
    state.startup.ready().await;
    state.connections.list()
}

/// Adds or changes a connection; credentials go to the keyring.
#[tauri::command]
#[specta::specta]
pub async fn save_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> AppResult<Connection> {
    state.startup.ready().await;
    let activity = Activity {
        action: "save_connection",
        connection_id: input.id.clone(),
        connection_name: Some(input.name.clone()),
        ..Activity::default()
    };
    let saved = state.connections.save(input);
    let activity = Activity {
        connection_id: saved
            .as_ref()
            .ok()
            .map(|c| c.id.clone())
            .or(activity.connection_id),
        ..activity
    };
    state.activity.record(activity, saved)
}

/// Removes a connection and its keyring item.
#[tauri::command]
#[specta::specta]
pub async fn delete_connection(state: State<'_, AppState>, id: String) -> AppResult<()> {
    state.startup.ready().await;
    let name = state.connections.get(&id).ok().map(|c| c.name);
    let activity = Activity {
        action: "delete_connection",
        connection_id: Some(id.clone()),
        connection_name: name,
        ..Activity::default()
    };
    let deleted = state.connections.delete(&id);
    if deleted.is_ok() {
        state.raw.forget(&id, None)?;
    }
    state.activity.record(activity, deleted)
}

/// Lists the keys reachable with `input` without saving it; answers how many it saw.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
    operation_id: Option<String>,
) -> AppResult<u32> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id.as_deref())?;
    state.startup.ready().await;
    let client = state.connections.client_for_input(&input)?;
    let listed = async { Ok(client.list_keys(None).await?) };
    let keys = operation.run(listed).await?;
    Ok(u32::try_from(keys.len()).unwrap_or(u32::MAX))
}

/// Starts the embedded sandbox unless it runs and (re)adds its four connections with fresh
/// credentials, as a first run does; answers them.
#[tauri::command]
#[specta::specta]
pub async fn start_sandbox(state: State<'_, AppState>) -> AppResult<Vec<Connection>> {
    state.startup.ready().await;
    let opened = state.sandbox.open(&state.connections).await;
    let activity = Activity {
        action: "start_sandbox",
        ..Activity::default()
    };
    state.activity.record(activity, opened)
}
