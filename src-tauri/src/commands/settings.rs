//! Settings, activity log and startup notices.

use tauri::State;

use crate::activity::ActivityEntry;
use crate::error::AppResult;
use crate::export;
use crate::incident::{self, IncidentReportFiles};
use crate::save_dialog::{self, SaveRequest};
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

/// Asks where to save the whole activity log as CSV (the native save dialog, starting in the
/// export folder), then writes it there; answers the path, or nothing when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_activity_export(state: State<'_, AppState>) -> AppResult<Option<String>> {
    let request = SaveRequest::new("Export the activity log", "keydesk-activity", "CSV", "csv");
    let Some(path) = save_dialog::ask(&state, request).await? else {
        return Ok(None);
    };
    state.activity.export_csv(&path)?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// The incident report (Markdown, and JSON beside it) of the activity entry `entry_id` (a
/// leak search or a containment), else of the newest leak search: asks where to save it
/// (the native save dialog), then writes both files; nothing when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_incident_report(
    state: State<'_, AppState>,
    entry_id: Option<String>,
) -> AppResult<Option<IncidentReportFiles>> {
    let report = incident::report(&state, entry_id.as_deref())?;
    let request = SaveRequest::new(
        "Export the incident report",
        "keydesk-incident",
        "Markdown",
        "md",
    );
    let Some(path) = save_dialog::ask(&state, request).await? else {
        return Ok(None);
    };
    incident::write_report(&state, &report, &path).map(Some)
}

/// What went wrong at startup (bad settings file, no keyring…), one sentence each. Answers
/// once the startup work that runs behind the open window is done.
#[tauri::command]
#[specta::specta]
pub async fn startup_notices(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    state.startup.done().await;
    state.startup.notices()
}
