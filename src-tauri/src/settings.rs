//! The settings store: connection metadata and preferences in `tauri-plugin-store`, as one
//! typed struct with a schema version. Nothing secret is ever written here.
//!
//! A file that is corrupt, does not match the schema, or comes from a newer Keydesk is moved
//! aside to a backup and reported through `startup_notices`; it is never overwritten silently.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use keydesk_core::ProviderKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{AppError, AppResult};

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The user's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Settings {
    /// Seconds until a copied secret is cleared from the clipboard (10–300); `null` = off.
    pub clipboard_clear_secs: Option<u32>,
    /// The colour scheme.
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_secs: Some(30),
            theme: Theme::System,
        }
    }
}

impl Settings {
    /// Checks the documented ranges.
    pub fn validate(&self) -> AppResult<()> {
        match self.clipboard_clear_secs {
            Some(secs) if !(10..=300).contains(&secs) => Err(AppError::validation(
                "clipboard_clear_secs",
                "Clear the clipboard after 10 to 300 seconds, or turn auto-clear off.",
            )),
            _ => Ok(()),
        }
    }
}

/// The colour scheme the UI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the system's light/dark setting.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// A connection as the UI sees it, and as it is stored (its credentials are in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Connection {
    /// Stable id; also the keyring account of its credentials.
    pub id: String,
    /// The name the user gave it.
    pub name: String,
    /// Which API it speaks.
    pub provider: ProviderKind,
    /// The API's base URL.
    pub base_url: String,
    /// fiskaly organisation / SyncgramPay org, when the provider needs one.
    pub org_id: Option<String>,
    /// Strait project, when the provider needs one.
    pub project_id: Option<String>,
    /// A short tag shown next to the name ("prod", "staging").
    pub label: Option<String>,
    /// A CSS colour for the tag.
    pub color: Option<String>,
    /// Served by the embedded sandbox.
    pub sandbox: bool,
    /// Whether credentials were saved to the keyring for it.
    pub has_credentials: bool,
}

/// Everything the settings file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Connections, in the order they were added.
    pub connections: Vec<Connection>,
    /// Preferences.
    pub settings: Settings,
}

type Persist = Box<dyn Fn(&StoredState) -> AppResult<()> + Send + Sync>;

/// The settings file, cached in memory and written through on every change.
pub struct SettingsStore {
    state: Mutex<StoredState>,
    persist: Persist,
}

impl SettingsStore {
    /// Opens the store at `path`. A file it cannot use is moved to a backup, and a sentence
    /// saying so is pushed to `notices`.
    pub fn open<R: Runtime>(
        app: &AppHandle<R>,
        path: &Path,
        notices: &mut Vec<String>,
    ) -> AppResult<Self> {
        let state = match read_checked(path) {
            Ok(state) => state.unwrap_or_default(),
            Err(problem) => {
                let backup = backup_path(path);
                match std::fs::rename(path, &backup) {
                    Ok(()) => notices.push(format!(
                        "The settings file {problem}; Keydesk kept it as {} and started with \
                         empty settings.",
                        backup.display()
                    )),
                    Err(error) => {
                        tracing::warn!(%error, "could not back up the settings file");
                        return Err(AppError::internal(format!(
                            "The settings file {problem} and could not be moved aside; \
                             move {} away and start Keydesk again.",
                            path.display()
                        )));
                    }
                }
                StoredState::default()
            }
        };
        let store = app
            .store_builder(path)
            .disable_auto_save()
            .build()
            .map_err(|error| {
                tracing::warn!(%error, "settings store");
                AppError::internal("Could not open the settings store.")
            })?;
        let persist: Persist = Box::new(move |state: &StoredState| {
            store.set("schema_version", SCHEMA_VERSION);
            store.set("connections", json(&state.connections)?);
            store.set("settings", json(&state.settings)?);
            store.save().map_err(|error| {
                tracing::warn!(%error, "could not save settings");
                AppError::internal("Could not save the settings file.")
            })
        });
        Ok(Self {
            state: Mutex::new(state),
            persist,
        })
    }

    /// A copy of what is stored.
    pub fn snapshot(&self) -> AppResult<StoredState> {
        Ok(self.lock()?.clone())
    }

    /// Changes the stored state with `change`, writes it, and only then keeps it: a change
    /// that cannot be saved is not half-applied.
    pub fn update<T>(&self, change: impl FnOnce(&mut StoredState) -> AppResult<T>) -> AppResult<T> {
        let mut state = self.lock()?;
        let mut next = state.clone();
        let answer = change(&mut next)?;
        (self.persist)(&next)?;
        *state = next;
        Ok(answer)
    }

    fn lock(&self) -> AppResult<std::sync::MutexGuard<'_, StoredState>> {
        self.state
            .lock()
            .map_err(|_| AppError::internal("The settings state is poisoned."))
    }
}

/// What is wrong with the file, in words that fit "The settings file …".
type Problem = String;

/// The file's state, `None` when there is no file, or why it cannot be used.
fn read_checked(path: &Path) -> Result<Option<StoredState>, Problem> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("could not be read ({error})")),
    };
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|_| "was corrupt (not JSON)".to_owned())?;
    let version = value
        .get("schema_version")
        .and_then(Value::as_u64)
        .ok_or_else(|| "was corrupt (no schema version)".to_owned())?;
    if version > u64::from(SCHEMA_VERSION) {
        return Err(format!(
            "was written by a newer Keydesk (schema {version}, this one reads {SCHEMA_VERSION})"
        ));
    }
    let field = |name: &str| value.get(name).cloned().unwrap_or(Value::Null);
    let connections = match field("connections") {
        Value::Null => Vec::new(),
        other => serde_json::from_value(other)
            .map_err(|_| "was corrupt (unreadable connections)".to_owned())?,
    };
    let settings = match field("settings") {
        Value::Null => Settings::default(),
        other => serde_json::from_value(other)
            .map_err(|_| "was corrupt (unreadable settings)".to_owned())?,
    };
    Ok(Some(StoredState {
        connections,
        settings,
    }))
}

fn backup_path(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "settings.json".into());
    path.with_file_name(format!("{name}.{stamp}.bak"))
}

fn json(value: &impl Serialize) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|_| AppError::internal("Could not encode the settings."))
}

#[cfg(test)]
mod tests {
    use keydesk_core::ErrorKind;

    use super::*;

    fn clearing_after(secs: Option<u32>) -> AppResult<()> {
        Settings {
            clipboard_clear_secs: secs,
            theme: Theme::System,
        }
        .validate()
    }

    #[test]
    fn clipboard_clearing_is_off_or_10_to_300_seconds() {
        for secs in [None, Some(10), Some(30), Some(300)] {
            assert_eq!(clearing_after(secs), Ok(()), "{secs:?}");
        }
        for secs in [0, 9, 301, u32::MAX] {
            let error = clearing_after(Some(secs)).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Validation, "{secs}");
            assert_eq!(
                error.field.as_deref(),
                Some("clipboard_clear_secs"),
                "{secs}"
            );
        }
    }
}
