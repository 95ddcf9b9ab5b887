//! Revokes a replace scheduled for later ("revoke the old key after N minutes"): kept in a
//! small record file in the data dir so a quit does not forget them, run when due while
//! Keydesk runs and at the next start when overdue, listed for the UI and cancellable.

use std::time::Duration;

use chrono::{DateTime, Utc};
use keydesk_core::{ErrorKind, Key};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppErrorKind, AppResult};
use crate::state::AppState;

/// Longest sleep of the runner between two looks at the schedule, so a revoke scheduled
/// while it sleeps is not late by more than this.
const LOOK_EVERY: Duration = Duration::from_secs(30);

/// A revoke the user scheduled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ScheduledRevoke {
    /// The connection of the key.
    pub connection_id: String,
    /// The key to revoke.
    pub key_id: String,
    /// Its name when it was scheduled.
    pub key_name: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

/// Schedules the revoke of `key` in `after_minutes`; answers the entry (one per key: a new
/// schedule replaces an older one).
pub fn schedule(
    state: &AppState,
    connection_id: &str,
    key: &Key,
    after_minutes: u32,
) -> AppResult<ScheduledRevoke> {
    let entry = ScheduledRevoke {
        connection_id: connection_id.to_owned(),
        key_id: key.id.clone(),
        key_name: key.name.clone(),
        due_at: Utc::now() + chrono::Duration::minutes(i64::from(after_minutes)),
    };
    state.scheduled.update(|all| {
        all.retain(|kept| !kept.is(connection_id, &key.id));
        all.push(entry.clone());
    })?;
    Ok(entry)
}

/// Every scheduled revoke, soonest first.
pub fn scheduled_revokes(state: &AppState) -> AppResult<Vec<ScheduledRevoke>> {
    let mut all = state.scheduled.get()?;
    all.sort_by_key(|entry| entry.due_at);
    Ok(all)
}

/// Cancels the scheduled revoke of `key_id`; `false` when none was scheduled (it ran).
pub fn cancel_scheduled_revoke(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
) -> AppResult<bool> {
    state.scheduled.update(|all| {
        let before = all.len();
        all.retain(|kept| !kept.is(connection_id, key_id));
        all.len() < before
    })
}

/// Revokes every scheduled key that is due (each one logged as a revoke); one that fails
/// for a reason a later try may not meet stays scheduled. Answers how many were revoked.
pub async fn run_due(state: &AppState) -> usize {
    let now = Utc::now();
    // Taken out first, so a second runner (or a cancel) never revokes one twice.
    let due = state.scheduled.update(|all| {
        let (due, later) = all.drain(..).partition(|entry| entry.due_at <= now);
        *all = later;
        due
    });
    let due: Vec<ScheduledRevoke> = due.unwrap_or_else(|error| {
        tracing::warn!(error = %error.message, "scheduled revokes unreadable");
        Vec::new()
    });
    let mut revoked = 0;
    for entry in due {
        match super::revoke_key(state, &entry.connection_id, &entry.key_id, None).await {
            Ok(_) => revoked += 1,
            // Gone, or revoked already: nothing is left to do.
            Err(error)
                if matches!(
                    error.kind,
                    AppErrorKind::Core(ErrorKind::NotFound | ErrorKind::Conflict)
                ) => {}
            Err(error) => {
                tracing::warn!(kind = ?error.kind, "a scheduled revoke failed; tried again later");
                let kept = state.scheduled.update(|all| all.push(entry));
                if let Err(error) = kept {
                    tracing::warn!(error = %error.message, "a failed scheduled revoke was lost");
                }
            }
        }
    }
    revoked
}

/// Runs the scheduled revokes for the app's life: the overdue ones once startup is ready,
/// then each when due.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        state.startup.ready().await;
        loop {
            run_due(&state).await;
            let next = state
                .scheduled
                .read(|all| all.iter().map(|entry| entry.due_at).min())
                .ok()
                .flatten();
            let wait = next
                .and_then(|due| (due - Utc::now()).to_std().ok())
                .map_or(LOOK_EVERY, |wait| wait.min(LOOK_EVERY));
            tokio::time::sleep(wait).await;
        }
    });
}

impl ScheduledRevoke {
    fn is(&self, connection_id: &str, key_id: &str) -> bool {
        self.connection_id == connection_id && self.key_id == key_id
    }
}
