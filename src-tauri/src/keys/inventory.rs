//! What reads every connection's keys at once: the leaked-key search and the inventory export.

use std::sync::Arc;

use futures::future::join_all;
use keydesk_core::{FoundBy, Key, LeakFingerprint, Provider};
use serde::Serialize;

use crate::activity::Activity;
use crate::error::{AppError, AppResult};
use crate::export::{self, ExportFormat};
use crate::settings::Connection;
use crate::state::AppState;

/// A connection a leaked key was found in.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakConnection {
    /// The connection.
    pub connection_id: String,
    /// Its name.
    pub connection_name: String,
}

/// How a leaked key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LeakFoundBy {
    /// A listed fragment (prefix and last 4, public key) fits the paste; fragments can collide.
    Listed,
    /// The paste is a secret Keydesk created: certain.
    Fingerprint,
}

/// One key matching a leaked plaintext, with every connection that lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakMatch {
    /// The first connection listing it (where Revoke now acts).
    pub connection_id: String,
    /// That connection's name.
    pub connection_name: String,
    /// Every connection listing this key (connections to the same provider account), the
    /// first one included, in the order they were added.
    pub connections: Vec<LeakConnection>,
    /// The key: as listed, or as Keydesk last knew it when its connection no longer lists it.
    pub key: Key,
    /// How it was found.
    pub found_by: LeakFoundBy,
    /// Which secret a fingerprint match is (`api_key`, `api_secret`…); `null` for a listed one.
    pub secret_field: Option<String>,
    /// `false` when Keydesk created the key but its connection lists it no more (revoked and
    /// dropped, or deleted): `key` is then what Keydesk recorded of it.
    pub listed: bool,
}

/// A connection that could not be searched, and why.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakSearchFailure {
    /// The connection.
    pub connection_id: String,
    /// Why its keys could not be listed.
    pub error: AppError,
}

/// What `find_leaked_key` answers. What could not be searched is said only when nothing
/// matched: beside a match it would only send people after keys that are not the leak.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LeakSearch {
    /// Every matching key, once.
    pub matches: Vec<LeakMatch>,
    /// More than one key matches; the user must pick.
    pub ambiguous: bool,
    /// Ids of the connections whose keys were searched.
    pub searched: Vec<String>,
    /// When nothing matched: ids of searched connections whose provider lists show no part
    /// of a key, so the leaked key may be among them without matching (keys Keydesk created
    /// are still found there by fingerprint).
    pub unsearchable: Vec<String>,
    /// When nothing matched: connections that could not be searched.
    pub failed: Vec<LeakSearchFailure>,
    /// When nothing matched: why the fingerprints of the keys Keydesk created could not be
    /// checked (no keyring).
    pub fingerprints_unchecked: Option<AppError>,
    /// When nothing matched: ids of the connections whose provider's unlisted secret the
    /// paste looks like (fiskaly's API secret): pasting the key's listed half would find it.
    pub paste_listed_key: Vec<String>,
}

/// Each connection with its keys.
type Inventories = Vec<(Connection, Vec<Key>)>;

/// How old the lists the app holds may be for a leak search to answer from them.
const HELD_LIST_MAX_AGE_MINUTES: i64 = 15;

/// Searches every connection's keys for the `pasted` leaked key (logged), by listed fragments
/// and by the fingerprints of the secrets Keydesk created. It answers at once from the lists
/// the app holds (each under 15 minutes old) when they show the key; only when they do not
/// (or some connection has none) is every connection listed again, so a key made since is
/// never missed, and the slow path is paid only by a search that finds nothing at first.
pub async fn find_leaked_key(state: &AppState, pasted: String) -> AppResult<LeakSearch> {
    let fingerprint = LeakFingerprint::parse(&pasted)?;
    drop(pasted);
    let mut search = None;
    if let Some(held) = held_inventory(state)? {
        search = Some(search_in(state, &fingerprint, held, Vec::new())?)
            .filter(|held| !held.matches.is_empty());
    }
    let search = match search {
        Some(search) => search,
        None => {
            let (inventories, failed) = inventory(state).await?;
            search_in(state, &fingerprint, inventories, failed)?
        }
    };
    let record = Activity {
        action: "find_leaked_key",
        ..crate::incident::leak_search_activity(fingerprint.masked(), &search)
    };
    state.activity.record(record, Ok(search))
}

/// Every connection's keys as the app holds them, raw JSON included; `None` unless it holds a
/// list under [`HELD_LIST_MAX_AGE_MINUTES`] old of every connection.
fn held_inventory(state: &AppState) -> AppResult<Option<Inventories>> {
    let now = chrono::Utc::now();
    let max_age = chrono::Duration::minutes(HELD_LIST_MAX_AGE_MINUTES);
    let mut held = Vec::new();
    for connection in state.connections.list()? {
        let Some(keys) = state.attention.held_keys(&connection.id, now, max_age) else {
            return Ok(None);
        };
        let keys = state.raw.restore(&connection.id, keys)?;
        held.push((connection, keys));
    }
    Ok(Some(held).filter(|held| !held.is_empty()))
}

/// The search of `fingerprint` in `inventories`, with `failed` the connections that could not
/// be listed.
fn search_in(
    state: &AppState,
    fingerprint: &LeakFingerprint,
    inventories: Inventories,
    mut failed: Vec<LeakSearchFailure>,
) -> AppResult<LeakSearch> {
    let (remembered, mut fingerprints_unchecked) = match state.fingerprints.for_search() {
        Ok(remembered) => (remembered, None),
        Err(error) => (None, Some(error)),
    };
    let found = keydesk_local::leak::search(fingerprint, &inventories, remembered.as_ref());
    let named = |index: usize| LeakConnection {
        connection_id: inventories[index].0.id.clone(),
        connection_name: inventories[index].0.settings.name.clone(),
    };
    let matches: Vec<LeakMatch> = found
        .matches
        .into_iter()
        .filter_map(|found| {
            let connections: Vec<LeakConnection> =
                found.connections.iter().copied().map(named).collect();
            // Core names at least one connection for every match.
            let first = connections.first()?.clone();
            let (found_by, secret_field) = match found.found_by {
                FoundBy::Listed => (LeakFoundBy::Listed, None),
                FoundBy::Fingerprint { field } => (LeakFoundBy::Fingerprint, Some(field)),
            };
            let key = match found.listed {
                true => found.key,
                false => last_known(state, &first.connection_id, found.key),
            };
            Some(LeakMatch {
                connection_id: first.connection_id,
                connection_name: first.connection_name,
                connections,
                key,
                found_by,
                secret_field,
                listed: found.listed,
            })
        })
        .collect();
    let mut unsearchable: Vec<String> = found
        .blind
        .into_iter()
        .map(|i| named(i).connection_id)
        .collect();
    let paste_listed_key = found
        .secret_of
        .into_iter()
        .map(|index| named(index).connection_id)
        .collect();
    if !matches.is_empty() {
        unsearchable.clear();
        failed.clear();
        fingerprints_unchecked = None;
    }
    Ok(LeakSearch {
        ambiguous: found.ambiguous,
        matches,
        searched: inventories.iter().map(|(c, _)| c.id.clone()).collect(),
        unsearchable,
        failed,
        fingerprints_unchecked,
        paste_listed_key,
    })
}

/// A key of `connection_id` its list no longer shows: as Keydesk recorded it when it revoked
/// it (Strait drops revoked keys), or else `remembered`, what its fingerprint record holds.
fn last_known(state: &AppState, connection_id: &str, remembered: Key) -> Key {
    state
        .attention
        .records()
        .revoked
        .read(|all| {
            all.get(connection_id)
                .and_then(|keys| keys.get(&remembered.id))
                .map(|revoked| revoked.0.clone())
        })
        .ok()
        .flatten()
        .unwrap_or(remembered)
}

/// Writes every connection's keys (never secrets) with their annotations to a CSV or JSON
/// file in the export folder (logged); answers its path. Fails with the first connection that could not be listed.
pub async fn export_inventory(state: &AppState, format: ExportFormat) -> AppResult<String> {
    let (inventories, failed) = inventory(state).await?;
    if let Some(failure) = failed.into_iter().next() {
        return Err(failure.error);
    }
    let annotations = state.attention.records().annotations.get()?;
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
async fn inventory(state: &AppState) -> AppResult<(Inventories, Vec<LeakSearchFailure>)> {
    state.startup.ready().await;
    let connections = state.connections.list()?;
    let lists = connections.into_iter().map(|connection| async {
        let listed: AppResult<Vec<Key>> = async {
            let (_, client): (_, Arc<dyn Provider>) =
                crate::connections::client(state, &connection.id).await?;
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
