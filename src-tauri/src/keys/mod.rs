//! The keys service: what the key commands do below Tauri. Each action waits for startup,
//! runs on the connection's client so a cancel stops it, records itself in the activity log
//! (creates and rotates through the journal), keeps the raw JSON of the keys it answers for
//! the details pane and puts created secrets in the reveal vault.

mod inventory;
pub mod last_known;
pub mod raw;
mod replace;
pub mod scheduled;

pub use inventory::{
    LeakConnection, LeakFoundBy, LeakMatch, LeakSearch, LeakSearchFailure, export_inventory,
    find_leaked_key,
};
pub use raw::{KeyDetails, RawStash};
pub use replace::{ReplaceProgress, ReplaceResult, ReplaceStep, replace_key, replace_key_for};

use std::sync::Arc;

use chrono::Utc;
use keydesk_core::{
    CreateOutcome, CreatedKey, ErrorKind, Key, KeyDraft, KeyStatus, Progress, Provider,
    collect_request_ids,
};
use serde::Serialize;

use crate::activity::Activity;
use crate::attention::tracking;
use crate::error::{AppError, AppResult};
use crate::fingerprints;
use crate::incident::{self, Containment, IncidentContext};
use crate::journal::Journaled;
use crate::operations::Operation;
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

/// The keys of `connection_id`, whose raw JSON stays in the stash for [`key_details`]; long
/// lists report `inventory-progress`. Cancellable as `operation_id`.
pub async fn list_keys(
    state: &AppState,
    connection_id: &str,
    operation_id: Option<&str>,
) -> AppResult<Vec<Key>> {
    let (operation, _, client) = begin(state, connection_id, operation_id).await?;
    let report = |progress: Progress| {
        (state.report_progress)(InventoryProgress {
            connection_id: connection_id.to_owned(),
            page: progress.page,
            pages: progress.pages,
        });
    };
    let listed = async { Ok(client.list_keys(Some(&report)).await?) };
    let keys = operation.run(listed).await?;
    let keys = tracking::listed(state, connection_id, keys);
    state.raw.replace(connection_id, keys)
}

/// The raw JSON of `key_id` from its connection's last list (listed again when the key is
/// not in it).
pub async fn key_details(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
) -> AppResult<KeyDetails> {
    if let Some(raw) = state.raw.get(connection_id, key_id)? {
        return Ok(KeyDetails { raw });
    }
    let (_, client) = connected(state, connection_id).await?;
    state
        .raw
        .replace(connection_id, client.list_keys(None).await?)?;
    state
        .raw
        .get(connection_id, key_id)?
        .map(|raw| KeyDetails { raw })
        .ok_or_else(|| AppError::not_found("This key is no longer listed. Refresh the list."))
}

/// Creates a key from `draft`. With `replace_active` (single-active-key providers) the active
/// keys are revoked first. The secrets go to the reveal vault, never into the answer. The
/// create is journaled and can be cancelled as `operation_id`.
pub async fn create_key(
    state: &AppState,
    connection_id: &str,
    draft: &KeyDraft,
    replace_active: bool,
    operation_id: Option<&str>,
) -> AppResult<CreateResult> {
    let (operation, connection, client) = begin(state, connection_id, operation_id).await?;
    let creating = revoke_then_create(state, &connection, client.as_ref(), draft, replace_active);
    let creating = operation.run(creating);
    let outcome = journaled_create(state, &connection, &draft.name, operation_id, creating);
    match outcome.await? {
        CreateOutcome::Created(created) => Ok(CreateResult::Created {
            reveal: keep_created(state, connection_id, created)?,
        }),
        CreateOutcome::Orphaned { key } => Ok(CreateResult::Orphaned {
            // Keydesk made it: an orphan, not a key that appeared.
            key: key
                .inspect(|key| tracking::added(state, connection_id, key))
                .map(|key| state.raw.keep(connection_id, key))
                .transpose()?,
            connection_id: connection_id.to_owned(),
            message: "The key was created, but its secret never arrived. Revoke it and create \
                      a new one."
                .into(),
        }),
    }
}

/// Runs `creating`, a create of `name` on `connection`, between the journal's `started` line
/// (written first) and its completing line.
async fn journaled_create(
    state: &AppState,
    connection: &Connection,
    name: &str,
    operation_id: Option<&str>,
    creating: impl std::future::Future<Output = AppResult<CreateOutcome>>,
) -> AppResult<CreateOutcome> {
    let journal = Journaled::start(state, "create", connection, None, Some(name), operation_id)?;
    let (outcome, request_ids) = collect_request_ids(creating).await;
    journal
        .with_request_ids(request_ids)
        .finish_create(state, &outcome);
    outcome
}

/// With `replace_active`, revokes the active keys (each one logged), then creates `draft`.
async fn revoke_then_create(
    state: &AppState,
    connection: &Connection,
    client: &dyn Provider,
    draft: &KeyDraft,
    replace_active: bool,
) -> AppResult<CreateOutcome> {
    let mut replaced = Vec::new();
    if replace_active {
        // Revoking first and then being refused the create would leave the organisation
        // without an active key: refuse a draft the create would refuse, and wait out a
        // create limit, before revoking anything.
        keydesk_core::validate_draft(client.kind(), draft)?;
        if let Some(wait) = client.create_wait() {
            return Err(create_limited(&client.capabilities().display_name, wait));
        }
        let active = client.list_keys(None).await?;
        for key in active.iter().filter(|key| key.status == KeyStatus::Active) {
            revoke_logged(state, connection, client, key).await?;
            replaced.push(key.id.clone());
        }
    }
    let outcome = client.create_key(draft).await.map_err(|error| {
        let error = AppError::from(error);
        if replaced.is_empty() {
            return error;
        }
        AppError {
            message: format!(
                "The active key was revoked, but the new key was not created: {}",
                error.message
            ),
            ..error
        }
    })?;
    // The new key succeeds the one it replaced: it takes over its annotation.
    let successor = match &outcome {
        CreateOutcome::Created(created) => Some(&created.key),
        CreateOutcome::Orphaned { key } => key.as_ref(),
    };
    if let ([replaced], Some(successor)) = (replaced.as_slice(), successor) {
        tracking::succeeded(state, &connection.id, replaced, &successor.id);
    }
    Ok(outcome)
}

/// Revokes the listed `key` (logged with its name) and tells attention; answers the key as
/// the provider returned it.
async fn revoke_logged(
    state: &AppState,
    connection: &Connection,
    client: &dyn Provider,
    key: &Key,
) -> AppResult<Option<Key>> {
    let (revoked, request_ids) = collect_request_ids(client.revoke_key(&key.id)).await;
    let record = Activity {
        request_ids,
        ..activity("revoke", connection, Some(key))
    };
    let revoked = state
        .activity
        .record(record, revoked.map_err(AppError::from))?;
    tracking::revoked(
        state,
        &connection.id,
        &key.id,
        revoked.as_ref().or(Some(key)),
    );
    Ok(revoked)
}

/// The refusal of a "revoke and create" that the provider's create limit would cut in half.
fn create_limited(provider: &str, wait: std::time::Duration) -> AppError {
    let secs = u32::try_from(wait.as_secs().saturating_add(1)).unwrap_or(u32::MAX);
    AppError {
        retry_after_secs: Some(secs),
        ..AppError::new(
            ErrorKind::RateLimited,
            format!("{provider} limits how often keys are created. Nothing was revoked."),
        )
    }
}

/// Rotates `key_id`; the new key's secrets go to the reveal vault. Journaled like a create,
/// and cancellable as `operation_id`.
pub async fn rotate_key(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    grace_minutes: Option<u32>,
    operation_id: Option<&str>,
) -> AppResult<PendingReveal> {
    rotate_key_for(
        state,
        connection_id,
        key_id,
        grace_minutes,
        operation_id,
        None,
    )
    .await
}

/// [`rotate_key`] started from `context` (a leak search or an Attention finding): its
/// journal line is the incident entry.
pub async fn rotate_key_for(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    grace_minutes: Option<u32>,
    operation_id: Option<&str>,
    context: Option<IncidentContext>,
) -> AppResult<PendingReveal> {
    let (operation, connection, client) = begin(state, connection_id, operation_id).await?;
    let known = incident::known_key(state, connection_id, key_id);
    let started_at = Utc::now();
    let journal = Journaled::start(
        state,
        "rotate",
        &connection,
        Some(key_id),
        None,
        operation_id,
    )?;
    let rotating = async { Ok(client.rotate_key(key_id, grace_minutes).await?) };
    let (rotated, request_ids) = collect_request_ids(operation.run(rotating)).await;
    let journal = match context {
        Some(context) => journal.as_incident(
            Containment {
                action: "rotate",
                context,
                connection: &connection,
                key_id,
                key: known,
                done: rotated_words(grace_minutes),
                request_ids,
                started_at,
                successor: rotated.as_ref().ok().map(|created| &created.key),
            }
            .into_activity(),
        ),
        None => journal.with_request_ids(request_ids),
    };
    journal.finish_with(state, &rotated);
    let created = rotated?;
    tracking::succeeded(state, connection_id, key_id, &created.key.id);
    keep_created(state, connection_id, created)
}

/// Where every key Keydesk creates, rotates in or replaces with arrives with its secrets:
/// attention tracks it, its raw JSON is kept and the secrets go to the reveal vault.
// The one place created secrets pass through: remembering their fingerprints belongs here.
fn keep_created(
    state: &AppState,
    connection_id: &str,
    created: CreatedKey,
) -> AppResult<PendingReveal> {
    tracking::added(state, connection_id, &created.key);
    state.raw.remember(connection_id, &created.key)?;
    fingerprints::remember(state, connection_id, &created);
    state.reveals.insert(connection_id, created)
}

/// What a rotate did, for its incident entry.
fn rotated_words(grace_minutes: Option<u32>) -> String {
    match grace_minutes {
        Some(0) => "Rotated the key; the old one stopped working at once.".into(),
        Some(minutes) => {
            format!("Rotated the key; the old one keeps working for {minutes} minutes.")
        }
        None => "Rotated the key with the provider's default grace period.".into(),
    }
}

/// Revokes `key_id` (logged); answers the updated key when the provider returns it.
pub async fn revoke_key(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    operation_id: Option<&str>,
) -> AppResult<Option<Key>> {
    revoke_key_for(state, connection_id, key_id, operation_id, None).await
}

/// [`revoke_key`] started from `context` (a leak search or an Attention finding): logged as
/// one incident entry.
pub async fn revoke_key_for(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    operation_id: Option<&str>,
    context: Option<IncidentContext>,
) -> AppResult<Option<Key>> {
    let (operation, connection, client) = begin(state, connection_id, operation_id).await?;
    let known = incident::known_key(state, connection_id, key_id);
    let started_at = Utc::now();
    let revoking = async { Ok(client.revoke_key(key_id).await?) };
    let (revoked, request_ids) = collect_request_ids(operation.run(revoking)).await;
    let revoked = match context {
        Some(context) => {
            let key = revoked.as_ref().ok().cloned().flatten().or(known);
            let containment = Containment {
                action: "revoke",
                context,
                connection: &connection,
                key_id,
                key,
                done: "Revoked the key.".into(),
                request_ids,
                started_at,
                successor: None,
            };
            incident::record(state, containment, revoked)?
        }
        None => record_on_key(
            state,
            "revoke",
            &connection,
            key_id,
            (revoked, request_ids),
            |key| key.as_ref(),
        )?,
    };
    tracking::revoked(state, connection_id, key_id, revoked.as_ref());
    revoked
        .map(|key| state.raw.keep(connection_id, key))
        .transpose()
}

/// Deletes `key_id` for good (logged).
pub async fn delete_key(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    operation_id: Option<&str>,
) -> AppResult<()> {
    let (operation, connection, client) = begin(state, connection_id, operation_id).await?;
    let deleting = async { Ok(client.delete_key(key_id).await?) };
    let deleted = collect_request_ids(operation.run(deleting)).await;
    record_on_key(state, "delete", &connection, key_id, deleted, |_| None)?;
    tracking::deleted(state, connection_id, key_id);
    state.raw.forget(connection_id, Some(key_id))
}

/// Switches `key_id` on or off (logged as `enable` or `disable`); answers the updated key.
pub async fn set_key_enabled(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    enabled: bool,
    operation_id: Option<&str>,
) -> AppResult<Key> {
    set_key_enabled_for(state, connection_id, key_id, enabled, operation_id, None).await
}

/// [`set_key_enabled`] started from `context` (a leak search or an Attention finding):
/// logged as one incident entry.
pub async fn set_key_enabled_for(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    enabled: bool,
    operation_id: Option<&str>,
    context: Option<IncidentContext>,
) -> AppResult<Key> {
    let (operation, connection, client) = begin(state, connection_id, operation_id).await?;
    let known = incident::known_key(state, connection_id, key_id);
    let started_at = Utc::now();
    let changing = async { Ok(client.set_key_enabled(key_id, enabled).await?) };
    let (changed, request_ids) = collect_request_ids(operation.run(changing)).await;
    let action = if enabled { "enable" } else { "disable" };
    let changed = match context {
        Some(context) => {
            let containment = Containment {
                action,
                context,
                connection: &connection,
                key_id,
                key: changed.as_ref().ok().cloned().or(known),
                done: if enabled {
                    "Enabled the key."
                } else {
                    "Disabled the key."
                }
                .into(),
                request_ids,
                started_at,
                successor: None,
            };
            incident::record(state, containment, changed)?
        }
        None => record_on_key(
            state,
            action,
            &connection,
            key_id,
            (changed, request_ids),
            |key| Some(key),
        )?,
    };
    tracking::changed(state, connection_id, &changed);
    state.raw.keep(connection_id, changed)
}

/// Registers the operation `operation_id`, then answers it with the connection
/// `connection_id` and its client once startup's background work is done.
async fn begin<'a>(
    state: &'a AppState,
    connection_id: &str,
    operation_id: Option<&str>,
) -> AppResult<(Operation<'a>, Connection, Arc<dyn Provider>)> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id)?;
    let (connection, client) = connected(state, connection_id).await?;
    Ok((operation, connection, client))
}

/// The connection `connection_id` and its client, once startup's background work is done.
async fn connected(
    state: &AppState,
    connection_id: &str,
) -> AppResult<(Connection, Arc<dyn Provider>)> {
    crate::connections::client(state, connection_id).await
}

fn activity(action: &'static str, connection: &Connection, key: Option<&Key>) -> Activity {
    Activity {
        action,
        connection_id: Some(connection.id.clone()),
        connection_name: Some(connection.settings.name.clone()),
        key_id: key.map(|key| key.id.clone()),
        key_name: key.map(|key| key.name.clone()),
        key_masked: key.map(|key| key.masked.clone()),
        operation_id: None,
        ..Activity::default()
    }
}

/// Logs what the provider answered to `action` on the key `key_id` (named and masked as the
/// key `key_of` finds in the answer, else as the last list showed it), with the request ids of
/// the answers, and hands the answer back.
fn record_on_key<T>(
    state: &AppState,
    action: &'static str,
    connection: &Connection,
    key_id: &str,
    (answer, request_ids): (AppResult<T>, Vec<String>),
    key_of: impl FnOnce(&T) -> Option<&Key>,
) -> AppResult<T> {
    let known = incident::known_key(state, &connection.id, key_id);
    let key = answer.as_ref().ok().and_then(key_of).or(known.as_ref());
    let record = Activity {
        key_id: Some(key_id.to_owned()),
        key_name: key.map(|key| key.name.clone()),
        key_masked: key.map(|key| key.masked.clone()),
        request_ids,
        ..activity(action, connection, None)
    };
    state.activity.record(record, answer)
}
