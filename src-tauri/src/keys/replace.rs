//! Replace: a successor with the old key's settings, then the old key retired the way its
//! provider declares ([`Retirement`]). Every step is its own activity entry (the create and
//! rotate journaled), the successor's secrets go to the reveal vault and its annotation is
//! carried over.

use std::time::Duration;

use keydesk_core::{
    CreateOutcome, ErrorKind, Key, KeyDraft, KeyStatus, Provider, ReplaceOptions, Retirement,
    collect_request_ids,
};
use serde::Serialize;

use super::{activity, begin, journaled_create, keep_created, revoke_logged, rotate_key};
use crate::attention::tracking;
use crate::error::{AppError, AppErrorKind, AppResult};
use crate::incident::{self, Containment, IncidentContext};
use crate::reveal::PendingReveal;
use crate::settings::Connection;
use crate::state::AppState;

/// Pause between such tries when the provider sets no wait of its own.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// What `replace_key` answers.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReplaceResult {
    /// The successor exists; its secrets wait in the reveal vault.
    Replaced {
        /// What the reveal dialog shows.
        reveal: PendingReveal,
        /// The old key as it now is, when the provider said.
        // Boxed: a key is most of the answer's size (clippy's large_enum_variant).
        old_key: Option<Box<Key>>,
        /// What is left to do about the old key, in one sentence (kept active on request, or
        /// its retirement failed).
        notice: Option<String>,
    },
    /// The successor was (probably) created but its secret never arrived.
    Orphaned {
        /// The connection it was created in.
        connection_id: String,
        /// The orphan, when a fresh list could identify it.
        key: Option<Key>,
        /// What happened and what to do, in one sentence.
        message: String,
    },
}

/// A step of a replace, for the dialog to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReplaceStep {
    /// Waiting out the provider's create limit before revoking (cancellable).
    Waiting,
    /// Revoking the old key first (no longer cancellable).
    Revoking,
    /// Creating the successor.
    Creating,
    /// The create failed after the revoke and is tried again with the same request.
    Retrying,
    /// Revoking or disabling the old key after the successor exists.
    Retiring,
}

/// Payload of the `replace-progress` event.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "replace-progress")]
pub struct ReplaceProgress {
    /// The operation's id, as the UI gave it.
    pub operation_id: Option<String>,
    /// The connection of the key being replaced.
    pub connection_id: String,
    /// The key being replaced.
    pub key_id: String,
    /// Where the replace is.
    pub step: ReplaceStep,
    /// Seconds left of the wait (`waiting`, and `retrying` when the provider set a wait).
    pub seconds_left: Option<u32>,
    /// One loud line (`retrying`): the old key is revoked and the successor not yet made.
    pub message: Option<String>,
}

/// Who hears about a replace's progress.
struct Reporter<'a> {
    state: &'a AppState,
    operation_id: Option<&'a str>,
    connection_id: &'a str,
    key_id: &'a str,
}

impl Reporter<'_> {
    fn report(&self, step: ReplaceStep, seconds_left: Option<u32>, message: Option<String>) {
        (self.state.report_replace)(ReplaceProgress {
            operation_id: self.operation_id.map(str::to_owned),
            connection_id: self.connection_id.to_owned(),
            key_id: self.key_id.to_owned(),
            step,
            seconds_left,
            message,
        });
    }

    /// Waits until `client` may create again, reporting the seconds left once a second.
    async fn wait_out_create_limit(&self, client: &dyn Provider, step: ReplaceStep) {
        while let Some(wait) = client.create_wait() {
            let seconds = u32::try_from(wait.as_secs().saturating_add(1)).unwrap_or(u32::MAX);
            self.report(step, Some(seconds), None);
            tokio::time::sleep(wait.min(Duration::from_secs(1))).await;
        }
    }
}

/// [`replace_key`] started from a leak search or an Attention finding (`context`): besides
/// its steps' entries, the whole containment is logged as one incident entry naming the old
/// key, its successor, what became of the old key and every request id.
pub async fn replace_key_for(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    options: ReplaceOptions,
    operation_id: Option<&str>,
    context: Option<IncidentContext>,
) -> AppResult<ReplaceResult> {
    let Some(context) = context else {
        return replace_key(state, connection_id, key_id, options, operation_id).await;
    };
    let started_at = chrono::Utc::now();
    let key = incident::known_key(state, connection_id, key_id);
    let replacing = replace_key(state, connection_id, key_id, options, operation_id);
    let (result, request_ids) = collect_request_ids(replacing).await;
    let (connection, _) = super::connected(state, connection_id).await?;
    let old_key = match &result {
        Ok(ReplaceResult::Replaced {
            old_key: Some(old), ..
        }) => Some(old.as_ref().clone()),
        _ => None,
    };
    let key = key.or(old_key);
    let (done, successor) = match &result {
        Ok(ReplaceResult::Replaced { reveal, notice, .. }) => {
            let then = notice.as_deref().unwrap_or("The old key was retired.");
            (
                format!("Replaced it with {}. {then}", reveal.key.name),
                Some(&reveal.key),
            )
        }
        Ok(ReplaceResult::Orphaned { message, .. }) => (message.clone(), None),
        Err(error) => (format!("The replace failed: {}", error.message), None),
    };
    let containment = Containment {
        action: "replace",
        context,
        connection: &connection,
        key_id,
        key,
        done,
        request_ids,
        started_at,
        successor,
    };
    let record = containment.into_activity();
    state.activity.record(record, result)
}

/// Replaces `key_id` of `connection_id` with a successor of the same settings and retires
/// the old key as its provider declares, reporting `replace-progress`. Cancellable as
/// `operation_id` until the old key is touched.
pub async fn replace_key(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    options: ReplaceOptions,
    operation_id: Option<&str>,
) -> AppResult<ReplaceResult> {
    let (connection, client) = super::connected(state, connection_id).await?;
    let capabilities = client.capabilities();
    let retirement = capabilities.retirement.ok_or_else(|| {
        AppError::new(
            ErrorKind::Unsupported,
            format!("{} keys cannot be replaced.", capabilities.display_name),
        )
    })?;
    if retirement == Retirement::Rotate {
        let grace = options.grace_minutes;
        let reveal = rotate_key(state, connection_id, key_id, grace, operation_id).await?;
        return Ok(ReplaceResult::Replaced {
            reveal,
            old_key: None,
            notice: None,
        });
    }
    let reporter = Reporter {
        state,
        operation_id,
        connection_id,
        key_id,
    };
    let (operation, _, _) = begin(state, connection_id, operation_id).await?;
    if retirement == Retirement::RevokeThenCreate {
        let prepared = async {
            let old = listed_key(client.as_ref(), key_id).await?;
            let draft = keydesk_core::successor_draft(&old, &capabilities, chrono::Utc::now());
            keydesk_core::validate_draft(client.kind(), &draft)?;
            // Revoking and then being refused the create for the limit would leave the
            // organisation without a key: the limit is waited out while a cancel is harmless.
            reporter
                .wait_out_create_limit(client.as_ref(), ReplaceStep::Waiting)
                .await;
            Ok((old, draft))
        };
        let (old, draft) = operation.run(prepared).await?;
        let outcome =
            revoke_then_create(&reporter, &connection, client.as_ref(), &old, &draft).await?;
        return finish(state, connection_id, &old, outcome, None, None);
    }
    let creating = async {
        let old = listed_key(client.as_ref(), key_id).await?;
        let draft = keydesk_core::successor_draft(&old, &capabilities, chrono::Utc::now());
        let creating = async { Ok(client.create_key(&draft).await?) };
        let created = journaled_create(state, &connection, &draft.name, operation_id, creating);
        Ok((old, created.await?))
    };
    let (old, outcome) = operation.run(creating).await?;
    if !matches!(outcome, CreateOutcome::Created(_)) {
        return finish(state, connection_id, &old, outcome, None, None);
    }
    let later = options.revoke_after_minutes.filter(|minutes| *minutes > 0);
    let (old_key, notice) = if let (Retirement::CreateThenRevoke, Some(minutes)) =
        (retirement, later)
    {
        super::scheduled::schedule(state, connection_id, &old, minutes)?;
        let notice = format!(
            "{} is revoked in {minutes} min, once its users have the new key.",
            old.name
        );
        (None, Some(notice))
    } else if options.keep_old {
        let notice = format!(
            "{} is still active: revoke it once its users have the new key.",
            old.name
        );
        (None, Some(notice))
    } else {
        reporter.report(ReplaceStep::Retiring, None, None);
        match retire(state, &connection, client.as_ref(), &old, retirement).await {
            Ok(key) => (key, None),
            Err(error) => (
                None,
                Some(format!(
                    "The new key was created, but {} could not be retired: {} Retire it by hand.",
                    old.name, error.message
                )),
            ),
        }
    };
    finish(state, connection_id, &old, outcome, old_key, notice)
}

/// The key `key_id` as `client` lists it now.
async fn listed_key(client: &dyn Provider, key_id: &str) -> AppResult<Key> {
    client
        .list_keys(None)
        .await?
        .into_iter()
        .find(|key| key.id == key_id)
        .ok_or_else(|| AppError::not_found("This key is no longer listed. Refresh the list."))
}

/// Revokes or disables `old` after its successor exists (logged); answers the old key as it
/// now is when the provider said.
async fn retire(
    state: &AppState,
    connection: &Connection,
    client: &dyn Provider,
    old: &Key,
    retirement: Retirement,
) -> AppResult<Option<Key>> {
    if retirement == Retirement::CreateThenDisable {
        let disabled = client.set_key_enabled(&old.id, false).await;
        let disabled = disabled.map_err(AppError::from);
        let disabled = state
            .activity
            .record(activity("disable", connection, Some(old)), disabled)?;
        tracking::changed(state, &connection.id, &disabled);
        return state.raw.keep(&connection.id, disabled).map(Some);
    }
    revoke_logged(state, connection, client, old)
        .await?
        .map(|key| state.raw.keep(&connection.id, key))
        .transpose()
}

/// Revokes `old` (when active), then creates `draft`: a create that fails after the revoke
/// is reported in one loud line and tried again with the same idempotency key.
async fn revoke_then_create(
    reporter: &Reporter<'_>,
    connection: &Connection,
    client: &dyn Provider,
    old: &Key,
    draft: &KeyDraft,
) -> AppResult<CreateOutcome> {
    let state = reporter.state;
    if old.status == KeyStatus::Active {
        reporter.report(ReplaceStep::Revoking, None, None);
        revoke_logged(state, connection, client, old).await?;
    }
    let idempotency_key = uuid::Uuid::new_v4().to_string();
    let mut tries = 0;
    loop {
        tries += 1;
        reporter.report(ReplaceStep::Creating, None, None);
        let creating = async {
            Ok(client
                .create_key_idempotent(draft, &idempotency_key)
                .await?)
        };
        let operation_id = reporter.operation_id;
        let created = journaled_create(state, connection, &draft.name, operation_id, creating);
        let error = match created.await {
            Ok(outcome) => return Ok(outcome),
            Err(error) => error,
        };
        let retryable = match error.kind {
            AppErrorKind::Core(kind) => keydesk_core::worth_retrying(kind),
            AppErrorKind::Cancelled(_) => false,
        };
        if !retryable || tries >= keydesk_core::CREATE_TRIES_AFTER_REVOKE {
            return Err(AppError {
                message: format!(
                    "{} was revoked, but its replacement was not created: {} The organisation \
                     has no active key: create one now.",
                    old.name, error.message
                ),
                ..error
            });
        }
        let loud = format!(
            "{} was revoked, but its replacement was not created: {} Trying again with the \
             same request.",
            old.name, error.message
        );
        tracing::warn!(connection = %connection.id, "replace: create failed after the revoke");
        reporter.report(ReplaceStep::Retrying, None, Some(loud));
        if client.create_wait().is_some() {
            reporter
                .wait_out_create_limit(client, ReplaceStep::Retrying)
                .await;
        } else {
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
}

/// The answer once the successor's create returned `outcome`: its secrets to the vault and
/// `old`'s annotation carried over, or the orphan report.
fn finish(
    state: &AppState,
    connection_id: &str,
    old: &Key,
    outcome: CreateOutcome,
    old_key: Option<Key>,
    notice: Option<String>,
) -> AppResult<ReplaceResult> {
    match outcome {
        CreateOutcome::Created(created) => {
            tracking::succeeded(state, connection_id, &old.id, &created.key.id);
            Ok(ReplaceResult::Replaced {
                reveal: keep_created(state, connection_id, created)?,
                old_key: old_key.map(Box::new),
                notice,
            })
        }
        CreateOutcome::Orphaned { key } => {
            if let Some(key) = &key {
                tracking::added(state, connection_id, key);
                tracking::succeeded(state, connection_id, &old.id, &key.id);
            }
            Ok(ReplaceResult::Orphaned {
                key: key
                    .map(|key| state.raw.keep(connection_id, key))
                    .transpose()?,
                connection_id: connection_id.to_owned(),
                message: format!(
                    "The replacement of {} was created, but its secret never arrived. Revoke it \
                     and replace again.",
                    old.name
                ),
            })
        }
    }
}
