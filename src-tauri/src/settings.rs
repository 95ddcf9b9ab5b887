//! The settings store: connection metadata and preferences in one JSON file, as one typed
//! struct with a schema version. Nothing secret is ever written here.
//!
//! A file that is corrupt, does not match the schema, or comes from a newer Keydesk is moved
//! aside to a backup and reported through `startup_notices`; it is never overwritten silently.
//! Values out of their range (a hand edit) are replaced by their default, with a notice.
//!
//! Every write goes to a temporary file in the same folder, is synced, and is renamed over the
//! old file (then the folder is synced): a crash mid-write leaves the old file or the new one,
//! never half of one. (The store plugin wrote the file in place; a truncated file lost every
//! connection and left its keyring items behind.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use keydesk_local::files::{Problem, read_versioned};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, AppResult};

// The connections and the file helpers live in keydesk-local, which keydesk-cli reads too.
pub use keydesk_local::files::{backup_path, remove_leftover_temps, sync_dir, write_atomically};
pub use keydesk_local::settings::{Connection, ConnectionSettings, SCHEMA_VERSION};

/// How long a copied secret may stay on the clipboard, in seconds, when auto-clear is on.
pub const CLIPBOARD_CLEAR_SECS: std::ops::RangeInclusive<u32> = 10..=300;

/// How often, in minutes, the background attention check may run when reminders are on:
/// more often would spend the providers' rate limits on reminders.
pub const REMINDER_MINUTES: std::ops::RangeInclusive<u32> = 5..=1440;

fn default_reminder_minutes() -> Option<u32> {
    Some(15)
}

/// The user's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Settings {
    /// Seconds until a copied secret is cleared from the clipboard (10–300); `null` = off.
    pub clipboard_clear_secs: Option<u32>,
    /// The colour scheme.
    pub theme: Theme,
    /// Minutes between background attention checks, each of which notifies new high
    /// findings (5–1440); `null` = reminders off. Files written before reminders existed
    /// get the default.
    #[serde(default = "default_reminder_minutes")]
    pub reminder_minutes: Option<u32>,
    /// The global shortcut that brings Keydesk forward with Leaked key open ("Ctrl+Alt+K");
    /// `null` = off, the default.
    #[serde(default)]
    pub leak_shortcut: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_secs: Some(30),
            theme: Theme::System,
            reminder_minutes: default_reminder_minutes(),
            leak_shortcut: None,
        }
    }
}

impl Settings {
    /// Replaces each value outside its documented range (a hand-edited file) by its default,
    /// answering one sentence per value replaced.
    pub fn replace_out_of_range(&mut self) -> Vec<String> {
        let mut replaced = Vec::new();
        if let Some(secs) = self.clipboard_clear_secs
            && !CLIPBOARD_CLEAR_SECS.contains(&secs)
        {
            let default = Self::default().clipboard_clear_secs;
            self.clipboard_clear_secs = default;
            replaced.push(format!(
                "The settings file asked to clear the clipboard after {secs} s, outside 10 to \
                 300 s; Keydesk uses {} s instead.",
                default.unwrap_or_default()
            ));
        }
        if let Some(minutes) = self.reminder_minutes
            && !REMINDER_MINUTES.contains(&minutes)
        {
            let default = Self::default().reminder_minutes;
            self.reminder_minutes = default;
            replaced.push(format!(
                "The settings file asked to check for attention every {minutes} min, outside 5 \
                 to 1440 min; Keydesk checks every {} min instead.",
                default.unwrap_or_default()
            ));
        }
        if let Some(shortcut) = &self.leak_shortcut
            && crate::shortcut::parse(shortcut).is_err()
        {
            replaced.push(
                "The settings file asked for a Leaked key shortcut Keydesk cannot use; the \
                 shortcut is off."
                    .to_owned(),
            );
            self.leak_shortcut = None;
        }
        replaced
    }

    /// Checks the documented ranges.
    pub fn validate(&self) -> AppResult<()> {
        if let Some(secs) = self.clipboard_clear_secs
            && !CLIPBOARD_CLEAR_SECS.contains(&secs)
        {
            return Err(AppError::validation(
                "clipboard_clear_secs",
                "Clear the clipboard after 10 to 300 seconds, or turn auto-clear off.",
            ));
        }
        if let Some(minutes) = self.reminder_minutes
            && !REMINDER_MINUTES.contains(&minutes)
        {
            return Err(AppError::validation(
                "reminder_minutes",
                "Check for attention every 5 to 1440 minutes, or turn reminders off.",
            ));
        }
        if let Some(shortcut) = &self.leak_shortcut {
            crate::shortcut::parse(shortcut)?;
        }
        Ok(())
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

/// Everything the settings file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Connections, in the order they were added.
    pub connections: Vec<Connection>,
    /// Preferences.
    pub settings: Settings,
}

/// The settings file, cached in memory and written through on every change.
pub struct SettingsStore {
    state: Mutex<StoredState>,
    path: PathBuf,
}

impl SettingsStore {
    /// Opens the store at `path`. A file it cannot use is moved to a backup, and a sentence
    /// saying so is pushed to `notices`; so is every out-of-range value replaced by its
    /// default.
    pub fn open(path: &Path, notices: &mut Vec<String>) -> AppResult<Self> {
        remove_leftover_temps(path);
        let state = match read_checked(path, notices) {
            Ok(Some(mut state)) => {
                notices.extend(state.settings.replace_out_of_range());
                state
            }
            Ok(None) => StoredState::default(),
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
        Ok(Self {
            state: Mutex::new(state),
            path: path.to_owned(),
        })
    }

    /// Where the file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A copy of what is stored.
    pub fn snapshot(&self) -> AppResult<StoredState> {
        Ok(self.lock()?.clone())
    }

    /// Changes the stored state with `change`, writes it, and only then keeps it: a change
    /// that cannot be saved is not half-applied. A real change (connections or preferences)
    /// discards the start frame, which shows them.
    pub fn update<T>(&self, change: impl FnOnce(&mut StoredState) -> AppResult<T>) -> AppResult<T> {
        let mut state = self.lock()?;
        let mut next = state.clone();
        let answer = change(&mut next)?;
        write_atomically(&self.path, &encode(&next)?).map_err(|error| {
            tracing::warn!(%error, "could not save settings");
            AppError::internal("Could not save the settings file.")
        })?;
        if next != *state {
            // Under the lock, so a frame saved with the old state goes after it was written.
            crate::start_frame::settings_changed(&self.path);
        }
        *state = next;
        Ok(answer)
    }

    fn lock(&self) -> AppResult<std::sync::MutexGuard<'_, StoredState>> {
        self.state
            .lock()
            .map_err(|_| AppError::internal("The settings state is poisoned."))
    }
}

/// The file's state, `None` when there is no file, or why it cannot be used.
/// Preferences it cannot read are replaced by the defaults, with a sentence in `notices`.
fn read_checked(path: &Path, notices: &mut Vec<String>) -> Result<Option<StoredState>, Problem> {
    let Some(value) = read_versioned(path, SCHEMA_VERSION)? else {
        return Ok(None);
    };
    let connections = keydesk_local::settings::connections_of(&value)?;
    let settings = match value.get("settings").cloned().unwrap_or(Value::Null) {
        Value::Null => Settings::default(),
        // Preferences a hand edit broke are not worth the connections beside them.
        other => serde_json::from_value(other).unwrap_or_else(|_| {
            notices.push(
                "The settings file held unreadable preferences; Keydesk kept the connections \
                 and uses the default preferences."
                    .into(),
            );
            Settings::default()
        }),
    };
    Ok(Some(StoredState {
        connections,
        settings,
    }))
}

/// The file's bytes for `state`: the schema version, the connections and the settings.
fn encode(state: &StoredState) -> AppResult<Vec<u8>> {
    let document = serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "connections": state.connections,
        "settings": state.settings,
    });
    serde_json::to_vec_pretty(&document)
        .map_err(|_| AppError::internal("Could not encode the settings."))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use keydesk_core::{ErrorKind, ProviderKind};

    use super::*;

    fn clearing_after(secs: Option<u32>) -> AppResult<()> {
        Settings {
            clipboard_clear_secs: secs,
            ..Settings::default()
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

    #[test]
    fn out_of_range_values_are_replaced_by_the_default_with_a_sentence() {
        for secs in [0, 9, 301, u32::MAX] {
            let mut settings = Settings {
                clipboard_clear_secs: Some(secs),
                theme: Theme::Dark,
                ..Settings::default()
            };
            let notices = settings.replace_out_of_range();
            assert_eq!(settings.clipboard_clear_secs, Some(30), "{secs}");
            assert_eq!(settings.theme, Theme::Dark);
            assert_eq!(notices.len(), 1, "{secs}");
            assert!(notices[0].contains(&format!("{secs} s")), "{notices:?}");
        }
        for secs in [None, Some(10), Some(300)] {
            let mut settings = Settings {
                clipboard_clear_secs: secs,
                ..Settings::default()
            };
            assert!(settings.replace_out_of_range().is_empty());
            assert_eq!(settings.clipboard_clear_secs, secs);
        }
    }

    #[test]
    fn reminders_are_off_or_every_5_to_1440_minutes() {
        let every = |minutes| Settings {
            reminder_minutes: minutes,
            ..Settings::default()
        };
        for minutes in [None, Some(5), Some(15), Some(1440)] {
            assert_eq!(every(minutes).validate(), Ok(()), "{minutes:?}");
            assert!(every(minutes).replace_out_of_range().is_empty());
        }
        for minutes in [0, 4, 1441, u32::MAX] {
            let error = every(Some(minutes)).validate().unwrap_err();
            assert_eq!(
                error.field.as_deref(),
                Some("reminder_minutes"),
                "{minutes}"
            );
            let mut settings = every(Some(minutes));
            let notices = settings.replace_out_of_range();
            assert_eq!(settings.reminder_minutes, Some(15), "{minutes}");
            assert!(
                notices[0].contains(&format!("every {minutes} min")),
                "{notices:?}"
            );
        }
    }

    #[test]
    fn preferences_written_before_reminders_existed_get_the_default_interval() {
        let old: Settings = serde_json::from_value(
            serde_json::json!({"clipboard_clear_secs": 30, "theme": "dark"}),
        )
        .unwrap();
        assert_eq!(old.reminder_minutes, Some(15));
        let off: Settings = serde_json::from_value(
            serde_json::json!({"clipboard_clear_secs": 30, "theme": "dark", "reminder_minutes": null}),
        )
        .unwrap();
        assert_eq!(off.reminder_minutes, None);
    }

    #[test]
    fn unreadable_preferences_keep_the_connections_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        // Any provider will do: the stored value is data, read back as the kind it names.
        let provider = ProviderKind::ALL[0];
        let connection = serde_json::json!({
            "id": "c-1", "name": "Receipts", "provider": provider,
            "base_url": "https://api.example.test", "org_id": null, "project_id": null,
            "label": null, "color": null, "sandbox": false, "has_credentials": true,
        });
        for settings in [
            serde_json::json!({"clipboard_clear_secs": -1, "theme": "dark"}),
            serde_json::json!({"clipboard_clear_secs": 30, "theme": "purple"}),
        ] {
            let file = serde_json::json!({
                "schema_version": SCHEMA_VERSION, "connections": [connection], "settings": settings,
            });
            fs::write(&path, file.to_string()).unwrap();
            let mut notices = Vec::new();
            let store = SettingsStore::open(&path, &mut notices).unwrap();
            let state = store.snapshot().unwrap();
            assert_eq!(state.connections.len(), 1, "{settings}");
            assert_eq!(state.connections[0].id, "c-1");
            assert_eq!(state.connections[0].settings.provider, provider);
            assert_eq!(state.settings, Settings::default());
            assert_eq!(notices.len(), 1, "{notices:?}");
            assert!(notices[0].contains("kept the connections"), "{notices:?}");
        }
    }
}
