//! Connection commands, each one call of the connections service ([`crate::connections`]).

use keydesk_core::{Capabilities, ProviderKind};
use tauri::State;

use crate::connections::{self, ConnectionInput};
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
    connections::save_connection(&state, input).await
}

/// Removes a connection and its keyring item.
#[tauri::command]
#[specta::specta]
pub async fn delete_connection(state: State<'_, AppState>, id: String) -> AppResult<()> {
    connections::delete_connection(&state, &id).await
}

/// Lists the keys reachable with `input` without saving it; answers how many it saw.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
    operation_id: Option<String>,
) -> AppResult<u32> {
    connections::test_connection(&state, &input, operation_id.as_deref()).await
}

/// Starts the embedded sandbox unless it runs and (re)adds its four connections with fresh
/// credentials, as a first run does; answers them.
#[tauri::command]
#[specta::specta]
pub async fn start_sandbox(state: State<'_, AppState>) -> AppResult<Vec<Connection>> {
    connections::start_sandbox(&state).await
}
