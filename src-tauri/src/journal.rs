//! The create journal: creates and rotates write a synced `started` line to the activity log
//! before their request and a completing line after it. A create Keydesk quit in the middle of,
//! or one the user cancelled, may have made a key whose secret never arrived: the UI offers
//! the orphan check for it, which lists the connection again and looks for that key.

use chrono::{DateTime, Utc};
use keydesk_core::{CreateOutcome, ErrorKind, Key};
use serde::Serialize;

use crate::activity::{Activity, ActivityEntry, ActivityResult};
use crate::error::{AppError, AppResult};
use crate::settings::Connection;
use crate::state::AppState;

/// A create or rotate that started and never finished (or was cancelled), still unchecked.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct UnfinishedCreate {
    /// The operation's id: what `check_unfinished_create` takes.
    pub operation_id: String,
    /// `create` or `rotate`.
    pub action: String,
    /// The connection it was sent to.
    pub connection_id: String,
    /// That connection's name at the time.
    pub connection_name: Option<String>,
    /// The new key's name (create) or the rotated key's name when known (rotate).
    pub key_name: Option<String>,
    /// The key being rotated (rotate only).
    pub key_id: Option<String>,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// The user cancelled it (otherwise Keydesk quit before it ended).
    pub cancelled: bool,
}

/// What the orphan check found.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrphanCheck {
    /// A key was created but its secret never arrived: revoke it.
    Orphaned {
        /// The connection it is in.
        connection_id: String,
        /// The orphan.
        // Boxed: a key is most of the answer's size (clippy's large_enum_variant).
        key: Box<Key>,
        /// What happened, in one sentence.
        message: String,
    },
    /// The fresh list holds no such key.
    NothingCreated {
        /// What was checked, in one sentence.
        message: String,
    },
    /// The fresh list holds no such key yet, but the create began so recently that the service
    /// may still be making it (a cancelled request may still be at work there): it stays on
    /// offer, to be checked again.
    NotYet {
        /// What was checked and why it is offered again, in one sentence.
        message: String,
    },
}

/// How long after a create began the service may still make its key: the longest Keydesk
/// itself waits for a create (its request, then the look for a lost answer's key). Until
/// then, a list without the key does not prove that nothing was created.
fn settling_time() -> chrono::Duration {
    let wait = keydesk_core::HttpOptions::default().operation_deadline * 2;
    chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
}

/// The journal's handle on one create or rotate: started on [`Self::start`], completed by
/// [`Self::finish`].
pub struct Journaled {
    activity: Activity,
}

impl Journaled {
    /// Writes the synced `started` line of `action` on `connection` (the new key's name for a
    /// create, the key's id for a rotate). `operation_id` is the UI's id, or a fresh one.
    pub fn start(
        state: &AppState,
        action: &'static str,
        connection: &Connection,
        key_id: Option<&str>,
        key_name: Option<&str>,
        operation_id: Option<&str>,
    ) -> AppResult<Self> {
        let activity = Activity {
            action,
            connection_id: Some(connection.id.clone()),
            connection_name: Some(connection.settings.name.clone()),
            key_id: key_id.map(str::to_owned),
            key_name: key_name.map(str::to_owned),
            operation_id: Some(
                operation_id
                    .map(str::to_owned)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            ),
            ..Activity::default()
        };
        state.activity.start(activity.clone())?;
        Ok(Self { activity })
    }

    /// The completing line also carries `request_ids`, the provider's answers' ids.
    pub fn with_request_ids(mut self, request_ids: Vec<String>) -> Self {
        self.activity.request_ids = request_ids;
        self
    }

    /// The completing line is the incident entry `incident` (a containment's one entry),
    /// under this operation's id.
    pub fn as_incident(self, incident: Activity) -> Self {
        Self {
            activity: Activity {
                operation_id: self.activity.operation_id,
                ..incident
            },
        }
    }

    /// Completes the operation: `outcome` (ok, error, orphaned or cancelled), the key it made
    /// when known, and the error when it failed.
    pub fn finish(
        self,
        state: &AppState,
        outcome: ActivityResult,
        key: Option<&Key>,
        error: Option<&AppError>,
    ) {
        let mut activity = self.activity;
        if let Some(key) = key {
            activity.key_id = Some(key.id.clone());
            activity.key_name = Some(key.name.clone());
            activity.key_masked = Some(key.masked.clone());
        }
        state.activity.record_outcome(activity, outcome, error);
    }

    /// [`Self::finish`] from a create's answer: ok with the key it made, orphaned, cancelled
    /// or error.
    pub fn finish_create(self, state: &AppState, answer: &AppResult<CreateOutcome>) {
        match answer {
            Ok(CreateOutcome::Created(created)) => {
                self.finish(state, ActivityResult::Ok, Some(&created.key), None);
            }
            Ok(CreateOutcome::Orphaned { key }) => {
                self.finish(state, ActivityResult::Orphaned, key.as_ref(), None);
            }
            Err(_) => self.finish_with(state, answer),
        }
    }

    /// [`Self::finish`] from a command's answer: ok, cancelled or error. The line keeps the
    /// key the started line named.
    pub fn finish_with<T>(self, state: &AppState, answer: &AppResult<T>) {
        match answer {
            Ok(_) => self.finish(state, ActivityResult::Ok, None, None),
            Err(error) if error.is_cancelled() => {
                self.finish(state, ActivityResult::Cancelled, None, Some(error));
            }
            Err(error) => self.finish(state, ActivityResult::Error, None, Some(error)),
        }
    }
}

/// Every create or rotate that never finished or was cancelled, and was not checked since.
pub fn unfinished_creates(state: &AppState) -> AppResult<Vec<UnfinishedCreate>> {
    Ok(state
        .activity
        .unfinished()?
        .into_iter()
        .filter_map(|(entry, cancelled)| {
            Some(UnfinishedCreate {
                operation_id: entry.operation_id?,
                cancelled,
                action: entry.action,
                connection_id: entry.connection_id?,
                connection_name: entry.connection_name,
                key_name: entry.key_name,
                key_id: entry.key_id,
                started_at: entry.at,
            })
        })
        .collect())
}

/// Lists the connection of the unfinished create `operation_id` again and looks for the key
/// it would have made. Once the list answers, the create is resolved (a line in the log) and
/// not offered again; a list that fails leaves it to be checked later.
pub async fn check_unfinished_create(
    state: &AppState,
    operation_id: &str,
) -> AppResult<OrphanCheck> {
    let started = state
        .activity
        .unfinished()?
        .into_iter()
        .map(|(entry, _)| entry)
        .find(|entry| entry.operation_id.as_deref() == Some(operation_id))
        .ok_or_else(|| AppError::not_found("This create was already checked."))?;
    let connection_id = started.connection_id.clone().unwrap_or_default();
    let (_, client) = match crate::connections::client(state, &connection_id).await {
        Ok(found) => found,
        Err(error) => {
            // Only a connection that is gone leaves nothing to check: a locked keyring or
            // missing credentials can be mended, and the check offered again then.
            if error.kind == ErrorKind::NotFound {
                resolve(state, &started, None, Some(&error));
            }
            return Err(error);
        }
    };
    let keys = client.list_keys(None).await.map_err(AppError::from)?;
    let since = started
        .at
        .parse::<DateTime<Utc>>()
        .map_err(|_| AppError::internal("The activity log holds an unreadable time."))?;
    let (name, rotated) = match started.key_id.as_deref() {
        Some(rotated) if started.action == "rotate" => (
            keys.iter()
                .find(|key| key.id == rotated)
                .map(|key| key.name.clone()),
            Some(rotated.to_owned()),
        ),
        _ => (started.key_name.clone(), None),
    };
    let found = name
        .as_deref()
        .and_then(|name| keydesk_core::find_orphan(&keys, name, since, rotated.as_deref()))
        .cloned();
    state.raw.replace(&connection_id, keys)?;
    let described = name.as_deref().unwrap_or("the rotated key");
    let waited = Utc::now() - since;
    if found.is_none() && name.is_some() && waited < settling_time() {
        return Ok(OrphanCheck::NotYet {
            message: format!(
                "No key named \u{201c}{described}\u{201d} is listed yet, but its create began only \
                 {} s ago and the service may still make it: Keydesk offers this check again.",
                waited.num_seconds().max(0)
            ),
        });
    }
    resolve(state, &started, found.as_ref(), None);
    Ok(match found {
        Some(key) => OrphanCheck::Orphaned {
            message: format!(
                "The key \u{201c}{}\u{201d} was created, but its secret never arrived. Revoke it \
                 and create a new one.",
                key.name
            ),
            key: Box::new(key),
            connection_id,
        },
        None if name.is_none() => OrphanCheck::NothingCreated {
            message: "The rotated key is no longer listed, so Keydesk cannot tell whether the \
                      rotation made a new key; check the list."
                .into(),
        },
        None => OrphanCheck::NothingCreated {
            message: format!(
                "No new key named \u{201c}{described}\u{201d} is listed: nothing was created."
            ),
        },
    })
}

/// Writes the line that resolves the unfinished create `started` (the orphan, if found).
fn resolve(
    state: &AppState,
    started: &ActivityEntry,
    found: Option<&Key>,
    error: Option<&AppError>,
) {
    let activity = Activity {
        action: "orphan_check",
        connection_id: started.connection_id.clone(),
        connection_name: started.connection_name.clone(),
        key_id: found.map(|key| key.id.clone()),
        key_name: found
            .map(|key| key.name.clone())
            .or_else(|| started.key_name.clone()),
        operation_id: started.operation_id.clone(),
        ..Activity::default()
    };
    let outcome = match (found, error) {
        (_, Some(_)) => ActivityResult::Error,
        (Some(_), None) => ActivityResult::Orphaned,
        (None, None) => ActivityResult::Ok,
    };
    state.activity.record_outcome(activity, outcome, error);
}
