//! Settings, activity log and startup notices.

use tauri::State;

use crate::activity::ActivityEntry;
use crate::error::AppResult;
use crate::export;
use crate::settings::Settings;
use crate::state::AppState;

/// The user's preferences.
#[tauri::command]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> AppResult<Settings> {
    Ok(state.settings.snapshot()?.settings)
}

/// Validates and stores the preferences, taking the Leaked key shortcut from the window
/// system first (a refused one stores nothing); answers what was stored.
#[tauri::command]
#[specta::specta]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> AppResult<Settings> {
    settings.validate()?;
    (state.take_shortcut)(settings.leak_shortcut.as_deref())?;
    let saved = state.settings.update(|stored| {
        stored.settings = settings.clone();
        Ok(settings)
    })?;
    state.reminders.settings_changed();
    Ok(saved)
}

/// The newest `limit` activity entries, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_activity(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<ActivityEntry>> {
    state.activity.list(limit)
}

/// Writes the whole activity log as CSV to the export folder; answers the file's path.
#[tauri::command]
#[specta::specta]
pub fn export_activity(state: State<'_, AppState>) -> AppResult<String> {
    let path = export::new_file_path(&state.export_dir, "keydesk-activity", "csv");
    state.activity.export_csv(&path)?;
    Ok(path.to_string_lossy().into_owned())
}

/// What went wrong at startup (bad settings file, no keyring…), one sentence each. Answers
/// once the startup work that runs behind the open window is done.
#[tauri::command]
#[specta::specta]
pub async fn startup_notices(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    state.startup.done().await;
    state.startup.notices()
}
