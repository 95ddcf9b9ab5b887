//! The connections service: what the connection commands do below Tauri, each action
//! recorded in the activity log. The registry ([`registry`]) keeps the connections.

pub mod registry;

pub use registry::{ConnectionInput, ConnectionRegistry};

use std::sync::Arc;

use keydesk_core::{ErrorKind, Provider};

use crate::activity::Activity;
use crate::error::{AppError, AppResult};
use crate::settings::Connection;
use crate::state::AppState;

/// The connection `id` and its client, once startup's connections are in place and, for a
/// connection the embedded sandbox serves, once the sandbox runs.
pub async fn client(state: &AppState, id: &str) -> AppResult<(Connection, Arc<dyn Provider>)> {
    state.startup.ready().await;
    crate::sandbox::serve(state, id).await?;
    state.connections.client(id)
}

/// Adds or changes a connection (logged); credentials go to the keyring.
pub async fn save_connection(state: &AppState, input: ConnectionInput) -> AppResult<Connection> {
    state.startup.ready().await;
    let activity = Activity {
        action: "save_connection",
        connection_id: input.id.clone(),
        connection_name: Some(input.settings.name.clone()),
        ..Activity::default()
    };
    let saved = state.connections.save(input);
    let activity = Activity {
        // A new connection has its id once saved.
        connection_id: saved
            .as_ref()
            .ok()
            .map(|c| c.id.clone())
            .or(activity.connection_id),
        ..activity
    };
    state.activity.record(activity, saved)
}

/// Removes the connection `id` and its keyring item (logged), and forgets its keys' raw JSON
/// attention records and secret fingerprints.
pub async fn delete_connection(state: &AppState, id: &str) -> AppResult<()> {
    state.startup.ready().await;
    let name = state.connections.get(id).ok().map(|c| c.settings.name);
    let activity = Activity {
        action: "delete_connection",
        connection_id: Some(id.to_owned()),
        connection_name: name,
        ..Activity::default()
    };
    let deleted = state.connections.delete(id);
    if deleted.is_ok() {
        state.raw.forget(id, None)?;
        crate::attention::tracking::forgotten(state, id);
        // Left behind, they would match nothing: a connection no longer listed is not searched.
        if let Err(error) = state.fingerprints.forget_connection(id) {
            tracing::warn!(kind = ?error.kind, "fingerprints of a deleted connection kept");
        }
    }
    state.activity.record(activity, deleted)
}

/// Lists the keys reachable with `input` without saving it; answers how many it saw.
/// Cancellable as `operation_id`.
pub async fn test_connection(
    state: &AppState,
    input: &ConnectionInput,
    operation_id: Option<&str>,
) -> AppResult<u32> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id)?;
    state.startup.ready().await;
    let client = state.connections.client_for_input(input)?;
    let listed = async { Ok(client.list_keys(None).await?) };
    let keys = operation
        .run(listed)
        .await
        .map_err(|error| refused_as_typed(error, input))?;
    Ok(u32::try_from(keys.len()).unwrap_or(u32::MAX))
}

/// A refusal of credentials typed in the form says so: nothing is stored yet, so it is not
/// "the stored credentials" (the UI's words for a saved connection's refusal) that failed.
fn refused_as_typed(error: AppError, input: &ConnectionInput) -> AppError {
    if error.kind != ErrorKind::Unauthorized || input.credentials.is_none() {
        return error;
    }
    let fields = input.settings.provider.capabilities().credential_fields;
    let what = match fields.as_slice() {
        [_] => "The token was refused.".to_owned(),
        fields => {
            let labels: Vec<&str> = fields.iter().map(|field| field.label.as_str()).collect();
            format!("The {} were refused.", labels.join(" and "))
        }
    };
    AppError {
        message: format!("{what} {}", error.message),
        ..error
    }
}

/// Starts the embedded sandbox unless it runs and (re)adds its connections with fresh
/// credentials, as a first run does (logged); answers them.
pub async fn start_sandbox(state: &AppState) -> AppResult<Vec<Connection>> {
    state.startup.ready().await;
    let opened = state.sandbox.open(&state.connections).await;
    let activity = Activity {
        action: "start_sandbox",
        ..Activity::default()
    };
    state.activity.record(activity, opened)
}
