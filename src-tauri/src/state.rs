//! The app's managed state, built once at startup, and what happens at quit.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use keydesk_sandbox::SandboxHandle;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::activity::ActivityLog;
use crate::clipboard::ClipboardGuard;
use crate::commands::keys::InventoryProgress;
use crate::connections::ConnectionRegistry;
use crate::error::AppResult;
use crate::reveal::RevealVault;
use crate::sandbox::{self, SandboxOptions};
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
    /// The embedded sandbox, while it runs.
    pub sandbox: Mutex<Option<SandboxHandle>>,
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
    let sandbox = start_sandbox(&config, &connections, &mut notices);
    app.manage(AppState {
        connections,
        settings,
        reveals: RevealVault::default(),
        clipboard,
        activity: ActivityLog::new(config.data_dir.join("activity.jsonl")),
        export_dir: config.export_dir,
        notices,
        sandbox: Mutex::new(sandbox),
        report_progress,
    });
    Ok(())
}

fn start_sandbox(
    config: &AppConfig,
    connections: &ConnectionRegistry,
    notices: &mut Vec<String>,
) -> Option<SandboxHandle> {
    let stored = connections.list().unwrap_or_default();
    let wanted = match config.sandbox {
        SandboxMode::Off => false,
        SandboxMode::Always => true,
        SandboxMode::Auto => stored.is_empty() || stored.iter().any(|c| c.sandbox),
    };
    if !wanted {
        return None;
    }
    let started = SandboxOptions::from_env(config.data_dir.join("sandbox").join("sandbox.sqlite3"))
        .and_then(|options| tauri::async_runtime::block_on(sandbox::start(&options)));
    let handle = match started {
        Ok(handle) => handle,
        Err(error) => {
            notices.push(error.message);
            return None;
        }
    };
    match sandbox::register(connections, &handle) {
        // A missing keyring is already a notice of its own.
        Err(error) if error.kind != ErrorKind::KeychainUnavailable => {
            notices.push(format!(
                "The built-in sandbox runs, but its connections could not be set up: {}",
                error.message
            ));
        }
        _ => {}
    }
    Some(handle)
}

/// Clears the clipboard if it still holds a secret, wipes pending reveals and stops the
/// sandbox. Called when the app exits.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    state.clipboard.clear_now();
    state.reveals.clear();
    let sandbox = state.sandbox.lock().ok().and_then(|mut slot| slot.take());
    if let Some(sandbox) = sandbox {
        tauri::async_runtime::block_on(sandbox.shutdown());
    }
}
