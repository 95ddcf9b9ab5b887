//! The app's managed state, built once at startup, and what happens at quit.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::activity::ActivityLog;
use crate::clipboard::ClipboardGuard;
use crate::commands::keys::InventoryProgress;
use crate::connections::ConnectionRegistry;
use crate::error::AppResult;
use crate::reveal::RevealVault;
use crate::sandbox::EmbeddedSandbox;
use crate::settings::SettingsStore;
use crate::vault::KeyringVault;
use keydesk_core::ErrorKind;

/// Where Keydesk keeps its files and which keyring namespace it uses.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Settings store, activity log and sandbox database.
    pub data_dir: PathBuf,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// The keyring service name (see [`crate::vault::SERVICE`]).
    pub keyring_service: String,
    /// When to run the embedded sandbox.
    pub sandbox: SandboxMode,
}

/// When the embedded sandbox runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxMode {
    /// Never (tests that bring their own server).
    Off,
    /// When there are no connections yet, or sandbox connections from an earlier run.
    Auto,
    /// Always (`--sandbox`).
    Always,
}

/// Everything the commands work with.
pub struct AppState {
    /// Connections, their credentials and clients.
    pub connections: ConnectionRegistry,
    /// Preferences and connection metadata.
    pub settings: Arc<SettingsStore>,
    /// Secrets waiting to be stored by the user.
    pub reveals: RevealVault,
    /// The OS clipboard.
    pub clipboard: ClipboardGuard,
    /// The activity log.
    pub activity: ActivityLog,
    /// Where exports go.
    pub export_dir: PathBuf,
    /// What went wrong at startup, for the UI to show once.
    pub notices: Vec<String>,
    /// The embedded sandbox (running from startup, or once the user asks for it).
    pub sandbox: EmbeddedSandbox,
    /// Sends `inventory-progress` to the UI (a closure, so state needs no runtime type).
    pub report_progress: Box<dyn Fn(InventoryProgress) + Send + Sync>,
}

/// Builds the state from `config` and hands it to Tauri. Problems that leave the app usable
/// (a bad settings file, no keyring, a sandbox that would not start) become notices.
pub fn setup<R: Runtime>(app: &AppHandle<R>, config: AppConfig) -> AppResult<()> {
    let mut notices = Vec::new();
    let settings = Arc::new(SettingsStore::open(
        app,
        &config.data_dir.join("settings.json"),
        &mut notices,
    )?);
    let vault = Arc::new(KeyringVault::new(config.keyring_service.clone()));
    if let Err(error) = vault.check() {
        notices.push(error.message);
    }
    let connections = ConnectionRegistry::new(settings.clone(), vault);
    let handle = app.clone();
    let clipboard = ClipboardGuard::new(move |change| {
        if let Err(error) = change.emit(&handle) {
            tracing::warn!(%error, "could not send the clipboard event");
        }
    });
    let handle = app.clone();
    let report_progress = Box::new(move |progress: InventoryProgress| {
        if let Err(error) = progress.emit(&handle) {
            tracing::debug!(%error, "progress event not sent");
        }
    });
    let sandbox = EmbeddedSandbox::new(config.data_dir.join("sandbox").join("sandbox.sqlite3"));
    if sandbox_wanted(config.sandbox, &connections) {
        match tauri::async_runtime::block_on(sandbox.open(&connections)) {
            // A missing keyring is already a notice of its own.
            Err(error) if error.kind != ErrorKind::KeychainUnavailable => {
                notices.push(error.message);
            }
            _ => {}
        }
    }
    app.manage(AppState {
        connections,
        settings,
        reveals: RevealVault::default(),
        clipboard,
        activity: ActivityLog::new(config.data_dir.join("activity.jsonl")),
        export_dir: config.export_dir,
        notices,
        sandbox,
        report_progress,
    });
    Ok(())
}

/// Whether the embedded sandbox starts with the app.
fn sandbox_wanted(mode: SandboxMode, connections: &ConnectionRegistry) -> bool {
    match mode {
        SandboxMode::Off => false,
        SandboxMode::Always => true,
        SandboxMode::Auto => {
            let stored = connections.list().unwrap_or_default();
            stored.is_empty() || stored.iter().any(|c| c.sandbox)
        }
    }
}

/// Clears the clipboard if it still holds a secret, wipes pending reveals and stops the
/// sandbox. Called when the app exits.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    state.clipboard.clear_now();
    state.reveals.clear();
    state.sandbox.shutdown();
}
