//! The activity log: one JSON line per action, appended to a local file. It names who did
//! what to which key and how it ended; it never holds a token or a secret.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

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
}

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ActivityResult {
    /// It worked.
    Ok,
    /// It failed; see `error_kind`.
    Error,
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
}

/// The append-only JSON Lines file of every action.
pub struct ActivityLog {
    path: PathBuf,
    user: String,
    /// Serialises appends so lines never interleave.
    write: Mutex<()>,
}

impl ActivityLog {
    /// A log at `path` (created on first append).
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            user: os_user(),
            write: Mutex::new(()),
        }
    }

    /// Where the log lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `activity` with the outcome of `result`, then hands `result` back. A log that
    /// cannot be written is reported in the app's own log but never fails the action.
    pub fn record<T>(&self, activity: Activity, result: AppResult<T>) -> AppResult<T> {
        let entry = ActivityEntry {
            at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            user: self.user.clone(),
            connection_id: activity.connection_id,
            connection_name: activity.connection_name,
            key_id: activity.key_id,
            key_name: activity.key_name,
            action: activity.action.to_owned(),
            result: if result.is_ok() {
                ActivityResult::Ok
            } else {
                ActivityResult::Error
            },
            request_id: result
                .as_ref()
                .err()
                .and_then(|error| error.request_id.clone()),
            error_kind: result.as_ref().err().map(|error| {
                serde_json::to_value(error.kind)
                    .ok()
                    .and_then(|kind| kind.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
        };
        if let Err(error) = self.append(&entry) {
            tracing::warn!(%error, "could not write the activity log");
        }
        result
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
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(line.as_bytes())
    }

    /// The newest `limit` entries, newest first. Unreadable lines are skipped.
    pub fn list(&self, limit: u32) -> AppResult<Vec<ActivityEntry>> {
        let mut entries = self.read_all()?;
        entries.reverse();
        entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(entries)
    }

    /// Writes the whole log, oldest first, as CSV to `path`.
    pub fn export_csv(&self, path: &Path) -> AppResult<()> {
        let mut csv = String::from(
            "at,user,connection_id,connection_name,key_id,key_name,action,result,request_id,error_kind\n",
        );
        for entry in self.read_all()? {
            let result = match entry.result {
                ActivityResult::Ok => "ok",
                ActivityResult::Error => "error",
            };
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
            ];
            crate::export::push_csv_row(&mut csv, fields.map(|field| field.unwrap_or("")));
        }
        crate::export::write_file(path, csv.as_bytes())
    }

    fn read_all(&self) -> AppResult<Vec<ActivityEntry>> {
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

/// The OS user name, for the log's `user` column.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
