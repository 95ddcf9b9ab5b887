//! What reads every connection's keys at once: the leaked-key search and the inventory export.

use std::sync::Arc;

use futures::future::join_all;
use keydesk_core::{Key, LeakFingerprint, Provider};
use serde::Serialize;

use crate::activity::Activity;
use crate::error::{AppError, AppResult};
use crate::export::{self, ExportFormat};
use crate::settings::Connection;
use crate::state::AppState;

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
    /// Ids of searched connections whose provider lists show no part of a key: the leaked
    /// key may be among them without matching.
    pub unsearchable: Vec<String>,
    /// Connections that could not be searched.
    pub failed: Vec<LeakSearchFailure>,
}

/// Searches every connection's keys for the `pasted` leaked key (logged), reporting the
/// connections that could not be searched.
pub async fn find_leaked_key(state: &AppState, pasted: String) -> AppResult<LeakSearch> {
    let fingerprint = LeakFingerprint::parse(&pasted)?;
    drop(pasted);
    let (inventories, failed) = inventory(state).await?;
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
                    connection_name: connection.settings.name.clone(),
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
        ..crate::incident::leak_search_activity(fingerprint.masked(), &search)
    };
    state.activity.record(record, Ok(search))
}

/// Writes every connection's keys (never secrets) with their annotations to a CSV or JSON
/// file in the export folder (logged); answers its path. Fails with the first connection that could not be listed.
pub async fn export_inventory(state: &AppState, format: ExportFormat) -> AppResult<String> {
    let (inventories, failed) = inventory(state).await?;
    if let Some(failure) = failed.into_iter().next() {
        return Err(failure.error);
    }
    let annotations = state.attention.records.annotations.get()?;
    let path = export::write_inventory(&state.export_dir, format, &inventories, &annotations)?;
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
