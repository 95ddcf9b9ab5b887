//! The activity log: one JSON line per action, appended to a local file. It names who did
//! what to which key and how it ended; it never holds a token or a secret.
//!
//! Creates and rotates are journaled: a `started` line is written (and synced to disk) before
//! the request, and a line with the same `operation_id` completes it. A `started` line that
//! nothing completed is a create Keydesk quit in the middle of (see [`crate::journal`]).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::incident::{Incident, LeakRecord};

/// One recorded action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ActivityEntry {
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The OS user running Keydesk.
    pub user: String,
    /// The connection acted on, if any.
    pub connection_id: Option<String>,
    /// Its name at the time.
    pub connection_name: Option<String>,
    /// The key acted on, if any.
    pub key_id: Option<String>,
    /// Its name at the time.
    pub key_name: Option<String>,
    /// What was done (`create`, `revoke`, `copy_secret`, `save_connection`…).
    pub action: String,
    /// `ok` or `error`.
    pub result: ActivityResult,
    /// The provider's request id, when there was one.
    pub request_id: Option<String>,
    /// The error kind when `result` is `error`.
    pub error_kind: Option<String>,
    /// Ties a journaled operation's lines together (`started`, then how it ended).
    pub operation_id: Option<String>,
    /// Who the connection's token acts as (its `sub` claim), when it says.
    #[serde(default)]
    pub subject: Option<String>,
    /// The key's masked form at the time, when known.
    #[serde(default)]
    pub key_masked: Option<String>,
    /// What was found or done, in one line (a leak search names its match).
    #[serde(default)]
    pub detail: Option<String>,
    /// This entry's own id, for the incident report (entries from before it have none).
    #[serde(default)]
    pub entry_id: Option<String>,
    /// A containment's record: set on the one entry a leak or Attention containment writes.
    #[serde(default)]
    pub incident: Option<Incident>,
    /// A leak search's pasted key (masked) and matches.
    #[serde(default)]
    pub leak: Option<LeakRecord>,
}

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ActivityResult {
    /// It worked.
    Ok,
    /// It failed; see `error_kind`.
    Error,
    /// A journaled operation began; a later line with its `operation_id` says how it ended.
    Started,
    /// A key was created but its secret never arrived.
    Orphaned,
    /// The user cancelled it; it may still have happened on the server.
    Cancelled,
}

impl ActivityResult {
    /// The word for the CSV export and the JSON shape.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Started => "started",
            Self::Orphaned => "orphaned",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What the caller knows about an action; [`ActivityLog::record`] adds time, user and result.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// The action's name.
    pub action: &'static str,
    /// The connection acted on.
    pub connection_id: Option<String>,
    /// Its name.
    pub connection_name: Option<String>,
    /// The key acted on.
    pub key_id: Option<String>,
    /// Its name.
    pub key_name: Option<String>,
    /// The journaled operation this line belongs to; its lines are synced to disk.
    pub operation_id: Option<String>,
    /// The key's masked form.
    pub key_masked: Option<String>,
    /// The request ids of the provider's answers, in order; the entry keeps the last (an
    /// error's own id wins).
    pub request_ids: Vec<String>,
    /// What was found or done, in one line.
    pub detail: Option<String>,
    /// A containment's record (see [`crate::incident`]).
    pub incident: Option<Incident>,
    /// A leak search's pasted key (masked) and matches.
    pub leak: Option<LeakRecord>,
}

/// Who a connection's token acts as, by connection id.
pub type SubjectOf = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The append-only JSON Lines file of every action.
pub struct ActivityLog {
    path: PathBuf,
    user: String,
    subject_of: Option<SubjectOf>,
    /// Serialises appends so lines never interleave.
    write: Mutex<()>,
}

impl ActivityLog {
    /// A log at `path` (created on first append).
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            user: os_user(),
            subject_of: None,
            write: Mutex::new(()),
        }
    }

    /// This log, naming each entry's token subject with `subject_of` (the connection
    /// registry knows them).
    pub fn with_subjects(self, subject_of: SubjectOf) -> Self {
        Self {
            subject_of: Some(subject_of),
            ..self
        }
    }

    /// Who the log says did things: the OS user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Where the log lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `activity` with the outcome of `result`, then hands `result` back. A log that
    /// cannot be written is reported in the app's own log but never fails the action.
    pub fn record<T>(&self, activity: Activity, result: AppResult<T>) -> AppResult<T> {
        let outcome = match &result {
            Ok(_) => ActivityResult::Ok,
            Err(error) if error.is_cancelled() => ActivityResult::Cancelled,
            Err(_) => ActivityResult::Error,
        };
        self.record_outcome(activity, outcome, result.as_ref().err());
        result
    }

    /// Appends `activity` as ended with `outcome` (and `error`, when it failed). A line of a
    /// journaled operation is synced to disk before this returns.
    pub fn record_outcome(
        &self,
        activity: Activity,
        outcome: ActivityResult,
        error: Option<&AppError>,
    ) {
        let entry = self.entry(activity, outcome, error);
        if let Err(error) = self.append(&entry) {
            tracing::warn!(%error, "could not write the activity log");
        }
    }

    /// Appends `entry` as it was recorded elsewhere (the demo's history of a session before
    /// this one).
    pub fn recall(&self, entry: &ActivityEntry) -> AppResult<()> {
        self.append(entry).map_err(|error| {
            tracing::warn!(%error, "could not write the activity log");
            AppError::internal("Keydesk could not write its activity log.")
        })
    }

    /// Writes the `started` line of a journaled operation and syncs it to disk, so a quit or
    /// a crash during the request leaves it behind. Fails when it cannot be written: a create
    /// that could leave no trace is not sent.
    pub fn start(&self, activity: Activity) -> AppResult<()> {
        let entry = self.entry(activity, ActivityResult::Started, None);
        self.append(&entry).map_err(|error| {
            tracing::warn!(%error, "could not write the activity log");
            AppError::internal(
                "Keydesk could not write its activity log, so it did not send the request.",
            )
        })
    }

    /// The line for `activity` ended with `outcome`, stamped now with this log's user.
    fn entry(
        &self,
        activity: Activity,
        outcome: ActivityResult,
        error: Option<&AppError>,
    ) -> ActivityEntry {
        let subject = activity
            .connection_id
            .as_deref()
            .zip(self.subject_of.as_ref())
            .and_then(|(id, subject_of)| subject_of(id));
        let request_id = error
            .and_then(|error| error.request_id.clone())
            .or_else(|| activity.request_ids.last().cloned());
        ActivityEntry {
            at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            user: self.user.clone(),
            connection_id: activity.connection_id,
            connection_name: activity.connection_name,
            key_id: activity.key_id,
            key_name: activity.key_name,
            action: activity.action.to_owned(),
            result: outcome,
            request_id,
            error_kind: error.map(|error| {
                serde_json::to_value(error.kind)
                    .ok()
                    .and_then(|kind| kind.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            operation_id: activity.operation_id,
            subject,
            key_masked: activity.key_masked,
            detail: activity.detail,
            entry_id: Some(uuid::Uuid::new_v4().to_string()),
            incident: activity.incident,
            leak: activity.leak,
        }
    }

    /// The `started` lines of journaled operations that never ended (Keydesk quit during the
    /// request) or were cancelled, and that no later line resolved; oldest first, each with
    /// whether it was cancelled.
    pub fn unfinished(&self) -> AppResult<Vec<(ActivityEntry, bool)>> {
        let entries = self.read_all()?;
        let mut last: std::collections::HashMap<&str, ActivityResult> = Default::default();
        for entry in &entries {
            if let Some(id) = entry.operation_id.as_deref() {
                last.insert(id, entry.result);
            }
        }
        Ok(entries
            .iter()
            .filter(|entry| entry.result == ActivityResult::Started)
            .filter_map(|entry| {
                let last = last.get(entry.operation_id.as_deref()?)?;
                matches!(last, ActivityResult::Started | ActivityResult::Cancelled)
                    .then(|| (entry.clone(), *last == ActivityResult::Cancelled))
            })
            .collect())
    }

    fn append(&self, entry: &ActivityEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(entry)?;
        line.push('\n');
        let _guard = self
            .write
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let new_file = !self.path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(line.as_bytes())?;
        if entry.operation_id.is_some() {
            file.sync_data()?;
            // A synced line in a file whose name was never synced is lost with the file.
            if new_file && let Some(dir) = self.path.parent() {
                crate::settings::sync_dir(dir)?;
            }
        }
        Ok(())
    }

    /// The newest `limit` entries, newest first. Unreadable lines are skipped; so are the
    /// `started` lines of operations a later line completed (the completion says it all).
    pub fn list(&self, limit: u32) -> AppResult<Vec<ActivityEntry>> {
        let mut entries = self.read_all()?;
        let completed: std::collections::HashSet<String> = entries
            .iter()
            .filter(|entry| entry.result != ActivityResult::Started)
            .filter_map(|entry| entry.operation_id.clone())
            .collect();
        entries.retain(|entry| {
            entry.result != ActivityResult::Started
                || entry
                    .operation_id
                    .as_ref()
                    .is_none_or(|id| !completed.contains(id))
        });
        entries.reverse();
        entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(entries)
    }

    /// Writes the whole log, oldest first, as CSV to `path`.
    pub fn export_csv(&self, path: &Path) -> AppResult<()> {
        let mut csv = String::from(
            "at,user,connection_id,connection_name,key_id,key_name,action,result,request_id,error_kind,subject,key_masked,detail\n",
        );
        for entry in self.read_all()? {
            let result = entry.result.as_str();
            let fields = [
                Some(entry.at.as_str()),
                Some(entry.user.as_str()),
                entry.connection_id.as_deref(),
                entry.connection_name.as_deref(),
                entry.key_id.as_deref(),
                entry.key_name.as_deref(),
                Some(entry.action.as_str()),
                Some(result),
                entry.request_id.as_deref(),
                entry.error_kind.as_deref(),
                entry.subject.as_deref(),
                entry.key_masked.as_deref(),
                entry.detail.as_deref(),
            ];
            crate::export::push_csv_row(&mut csv, fields.map(|field| field.unwrap_or("")));
        }
        crate::export::write_file(path, csv.as_bytes())
    }

    /// Every entry, oldest first (the incident report reads what led to a containment).
    pub fn read_all(&self) -> AppResult<Vec<ActivityEntry>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => {
                tracing::warn!(%error, "could not read the activity log");
                return Err(AppError::internal("Could not read the activity log."));
            }
        };
        Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect())
    }
}

/// The OS user name, for the log's `user` column: from the environment, else the process's
/// uid named by the password file, else the uid itself. Never "unknown": an auditor must be
/// able to tell whose session it was.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .into_iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|user| !user.trim().is_empty())
        })
        .unwrap_or_else(user_of_process)
}

#[cfg(unix)]
fn user_of_process() -> String {
    let uid = rustix::process::getuid().as_raw();
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    user_named_in(&passwd, uid).unwrap_or_else(|| format!("uid {uid}"))
}

#[cfg(not(unix))]
fn user_of_process() -> String {
    "the signed-in user".into()
}

/// The name of `uid` in a password file's text (`name:x:uid:…` lines).
#[cfg(unix)]
fn user_named_in(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let listed: u32 = fields.nth(1)?.parse().ok()?;
        (listed == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_uid_is_named_from_the_password_file() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\n# comment\nops:x:1000:1000::/home/ops:/bin/sh\n";
        assert_eq!(user_named_in(passwd, 1000).as_deref(), Some("ops"));
        assert_eq!(user_named_in(passwd, 0).as_deref(), Some("root"));
        assert_eq!(user_named_in(passwd, 1001), None);
    }
}
