//! The app's managed state, built once at startup, and what happens at quit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::activity::ActivityLog;
use crate::attention::held::AttentionState;
use crate::attention::records::RecordFile;
use crate::clipboard::ClipboardGuard;
use crate::connections::registry::ConnectionRegistry;
use crate::error::{AppError, AppResult};
use crate::fingerprints::Fingerprints;
use crate::keys::ReplaceProgress;
use crate::keys::raw::RawStash;
use crate::keys::scheduled::ScheduledRevoke;
use crate::operations::Operations;
use crate::reminders::told::Reminders;
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
    /// How long after startup the first background attention check runs; `None`: no
    /// background checks or reminders (tests that drive attention themselves).
    pub reminders_after: Option<Duration>,
}

/// When the embedded sandbox runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxMode {
    /// Never (tests that bring their own server).
    Off,
    /// With the app when there are no connections yet (a first run); otherwise when a
    /// connection it serves is first used.
    Auto,
    /// Always (`--sandbox`).
    Always,
}

/// Everything the commands work with.
pub struct AppState {
    /// Connections, their credentials and clients. Wait for [`Self::ready`] before using it
    /// in a command: the embedded sandbox (re)registers its connections in the background.
    pub connections: Arc<ConnectionRegistry>,
    /// Preferences and connection metadata.
    pub settings: Arc<SettingsStore>,
    /// Secrets waiting to be stored by the user.
    pub reveals: RevealVault,
    /// The OS clipboard.
    pub clipboard: ClipboardGuard,
    /// The activity log.
    pub activity: ActivityLog,
    /// The Attention view's records and the lists it judges.
    pub attention: AttentionState,
    /// Background checks and the reminders they notify.
    pub reminders: Reminders,
    /// The operations running now, so the UI can cancel them.
    pub operations: Operations,
    /// Where exports go.
    pub export_dir: PathBuf,
    /// Where Keydesk's files are (the start frame's among them).
    pub data_dir: PathBuf,
    /// Startup work that runs after the window opens, and what went wrong at startup.
    pub startup: Startup,
    /// The provider JSON of the keys last listed, for the details pane.
    pub raw: RawStash,
    /// Fingerprints of the secrets Keydesk created, for the leaked-key search.
    pub fingerprints: Fingerprints,
    /// The embedded sandbox (running from startup, or once the user asks for it).
    pub sandbox: EmbeddedSandbox,
    /// Asks the user where to save an export (the native save dialog).
    pub ask_save_path: crate::save_dialog::AskSavePath,
    /// Sends `inventory-progress` to the UI (a closure, so state needs no runtime type).
    pub report_progress: Box<dyn Fn(InventoryProgress) + Send + Sync>,
    /// Takes the Leaked key shortcut a setting names, `None` releasing it (see
    /// [`crate::shortcut::apply`]).
    pub take_shortcut: crate::shortcut::Taker,
    /// Sends `replace-progress` to the UI.
    pub report_replace: Box<dyn Fn(ReplaceProgress) + Send + Sync>,
    /// Revokes scheduled by a replace ("after N minutes"), kept across restarts.
    pub scheduled: RecordFile<Vec<ScheduledRevoke>>,
}

/// Payload of the `inventory-progress` event: page `page` of `pages` of a long list.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "inventory-progress")]
pub struct InventoryProgress {
    /// Whose keys are being listed.
    pub connection_id: String,
    /// Pages fetched so far.
    pub page: u32,
    /// Pages in total; `null` while unknown (cursor paging).
    pub pages: Option<u32>,
}

/// Startup work that runs after the window opens (the keyring check, the embedded sandbox
/// and its connections), and the notices of everything that went wrong at startup.
pub struct Startup {
    /// `true` once the connections and their clients are in place (or startup gave up).
    ready: tokio::sync::watch::Sender<bool>,
    /// `true` once all the background work is done, the keyring writes included.
    done: tokio::sync::watch::Sender<bool>,
    /// `true` once the main window's page has loaded: the slow work waits for it.
    shown: tokio::sync::watch::Sender<bool>,
    notices: Mutex<Vec<String>>,
}

impl Startup {
    fn new(notices: Vec<String>) -> Self {
        Self {
            ready: tokio::sync::watch::Sender::new(false),
            done: tokio::sync::watch::Sender::new(false),
            shown: tokio::sync::watch::Sender::new(false),
            notices: Mutex::new(notices),
        }
    }

    /// Resolves once the connections and their clients are in place. Commands that read
    /// connections or their clients await it, so a call that comes early waits instead of
    /// answering stale; the sandbox's keyring writes may still be under way.
    pub async fn ready(&self) {
        wait_for_true(&self.ready).await;
    }

    /// Resolves once all the background startup work is done, so every notice is in.
    pub async fn done(&self) {
        wait_for_true(&self.done).await;
    }

    /// How many callers are waiting in [`Self::ready`] or [`Self::done`] right now.
    pub fn waiting(&self) -> usize {
        self.ready.receiver_count() + self.done.receiver_count()
    }

    fn mark_ready(&self) {
        self.ready.send_replace(true);
    }

    /// The main window's page has loaded (see [`crate::builder`]).
    pub fn window_shown(&self) {
        self.shown.send_replace(true);
    }

    /// Resolves once the main window's page has loaded, or after [`WINDOW_WAIT`] at most.
    async fn window_up(&self) {
        let shown = tokio::time::timeout(WINDOW_WAIT, wait_for_true(&self.shown)).await;
        if shown.is_err() {
            tracing::debug!("startup work goes on without the window's page");
        }
    }

    /// What went wrong at startup, one sentence each, in the order it happened.
    pub fn notices(&self) -> AppResult<Vec<String>> {
        Ok(self.locked_notices()?.clone())
    }

    /// Adds `notice` to what went wrong at startup.
    pub fn notice(&self, notice: String) {
        if let Ok(mut notices) = self.locked_notices() {
            notices.push(notice);
        }
    }

    /// Puts `notices` at `index` of what went wrong at startup (where the work that found
    /// them would have put them, had it not run in the background).
    fn insert_notices(&self, index: usize, notices: Vec<String>) {
        if let Ok(mut all) = self.locked_notices() {
            let index = index.min(all.len());
            all.splice(index..index, notices);
        }
    }

    fn finish(&self) {
        self.mark_ready();
        self.done.send_replace(true);
    }

    fn locked_notices(&self) -> AppResult<std::sync::MutexGuard<'_, Vec<String>>> {
        self.notices
            .lock()
            .map_err(|_| AppError::internal("The startup notices are poisoned."))
    }
}

/// How long the slow startup work waits for the window's page at most.
const WINDOW_WAIT: Duration = Duration::from_secs(3);

async fn wait_for_true(flag: &tokio::sync::watch::Sender<bool>) {
    let mut flag = flag.subscribe();
    // The sender lives as long as the state: `Err` cannot happen while it exists.
    let _ = flag.wait_for(|set| *set).await;
}

/// Marks startup done when dropped, so waiting commands go on even if the work panicked.
struct FinishOnDrop<'a>(&'a Startup);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Holds the background startup work until [`Self::open`]. Tests manage one on the builder
/// (`tauri::Builder::manage`) to issue commands while startup is still under way; without
/// it the work starts at once.
#[derive(Default)]
pub struct StartupGate(tokio::sync::watch::Sender<bool>);

impl StartupGate {
    /// Lets the background startup work begin.
    pub fn open(&self) {
        self.0.send_replace(true);
    }

    async fn opened(&self) {
        let mut open = self.0.subscribe();
        let _ = open.wait_for(|open| *open).await;
    }
}

/// The settings store, opened before the window (which shows the first connection's start
/// frame), and what was wrong with its file.
pub struct OpenedSettings {
    /// The store [`setup`] puts in the state.
    pub store: Arc<SettingsStore>,
    /// The first startup notices: a file moved aside, values replaced by their defaults.
    pub notices: Vec<String>,
}

impl OpenedSettings {
    /// Opens `settings.json` in `data_dir` (a small file: the window waits for it).
    pub fn open(data_dir: &Path) -> AppResult<Self> {
        let mut notices = Vec::new();
        let store = Arc::new(SettingsStore::open(
            &data_dir.join("settings.json"),
            &mut notices,
        )?);
        Ok(Self { store, notices })
    }

    /// The first connection's id, which a start opens.
    pub fn first_connection_id(&self) -> Option<String> {
        let stored = self.store.snapshot().ok()?;
        stored.connections.into_iter().next().map(|first| first.id)
    }
}

/// Builds the state from `config` and the settings opened before the window, hands it to
/// Tauri, then starts what may take long (the keyring over D-Bus, the embedded sandbox) on a
/// task so the window opens at once. Problems that leave the app usable (a bad settings
/// file, no keyring, a sandbox that would not start) become notices.
pub fn setup<R: Runtime>(
    app: &AppHandle<R>,
    config: AppConfig,
    settings: OpenedSettings,
) -> AppResult<()> {
    let OpenedSettings {
        store: settings,
        mut notices,
    } = settings;
    // Read on a background thread below; their notices keep their place after the settings'.
    let attention = AttentionState::new(&config.data_dir);
    let records_notices_at = notices.len();
    let scheduled = RecordFile::open(
        config.data_dir.join("scheduled-revokes.json"),
        "scheduled revokes",
        &mut notices,
    );
    let vault = Arc::new(KeyringVault::new(config.keyring_service.clone()));
    let fingerprints = Fingerprints::open(&config.data_dir, vault.clone(), &mut notices);
    let connections = Arc::new(ConnectionRegistry::new(settings.clone(), vault.clone()));
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
    let registry = connections.clone();
    let activity = ActivityLog::new(config.data_dir.join("activity.jsonl"))
        .with_subjects(Arc::new(move |id: &str| registry.subject(id)));
    let handle = app.clone();
    let report_replace = Box::new(move |progress: ReplaceProgress| {
        if let Err(error) = progress.emit(&handle) {
            tracing::debug!(%error, "replace progress event not sent");
        }
    });
    app.manage(AppState {
        connections,
        settings,
        reveals: RevealVault::default(),
        clipboard,
        activity,
        attention,
        reminders: Reminders::default(),
        operations: Operations::default(),
        export_dir: config.export_dir,
        data_dir: config.data_dir.clone(),
        startup: Startup::new(notices),
        raw: RawStash::default(),
        fingerprints,
        sandbox: EmbeddedSandbox::new(
            config.data_dir.join("sandbox").join("sandbox.sqlite3"),
            config.sandbox != SandboxMode::Off,
        ),
        report_progress,
        take_shortcut: crate::shortcut::taker(app),
        ask_save_path: crate::save_dialog::native(app),
        report_replace,
        scheduled,
    });
    // The record files (the inventory snapshot holds every listed key) are read while the
    // webview starts, not before its page may load; whatever needs them waits for this read.
    let handle = app.clone();
    let records = tauri::async_runtime::spawn_blocking(move || {
        let started = Instant::now();
        let notices = handle.state::<AppState>().attention.load();
        tracing::debug!(elapsed = ?started.elapsed(), "attention records read");
        notices
    });
    // The app's own window is built before this (tests' windows come later): its page goes
    // first, then the keyring and the sandbox.
    let window = app.get_webview_window(crate::window::MAIN).is_some();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(gate) = app.try_state::<StartupGate>() {
            gate.opened().await;
        }
        let state = app.state::<AppState>();
        let _finish = FinishOnDrop(&state.startup);
        start_in_background(&state, vault, config.sandbox, window).await;
        match records.await {
            Ok(notices) => state.startup.insert_notices(records_notices_at, notices),
            Err(error) => tracing::warn!(%error, "could not read the attention records"),
        }
    });
    Ok(())
}

/// Once the window's page is up (`window`: there is one to wait for), checks the keyring (on
/// a blocking thread: the keyring speaks D-Bus synchronously) while the sandbox starts, if it
/// starts with the app, then registers the sandbox's connections. Startup is ready at once
/// when the sandbox does not start with the app, else once its connections are listed with
/// their clients; their credentials go to the keyring after that. Notices keep the order they
/// had when all this ran before the window: keyring first, then sandbox.
async fn start_in_background(
    state: &AppState,
    vault: Arc<KeyringVault>,
    mode: SandboxMode,
    window: bool,
) {
    let sandbox_now = sandbox_wanted(mode, &state.connections);
    if !sandbox_now {
        state.startup.mark_ready();
    }
    if window {
        state.startup.window_up().await;
    }
    let started = Instant::now();
    let keyring = tauri::async_runtime::spawn_blocking(move || vault.check());
    let sandbox = async {
        if !sandbox_now {
            return None;
        }
        let unstored = state.sandbox.open_unstored(&state.connections).await;
        if unstored.is_ok() {
            crate::sandbox::take_demo_history(state).await;
        }
        state.startup.mark_ready();
        tracing::debug!(elapsed = ?started.elapsed(), "startup ready");
        Some(match unstored {
            Ok(unstored) => unstored.store().await.map(drop),
            Err(error) => Err(error),
        })
    };
    let (keyring, sandbox) = futures::join!(keyring, sandbox);
    tracing::debug!(elapsed = ?started.elapsed(), "startup done");
    match keyring {
        Ok(Err(error)) => state.startup.notice(error.message),
        Err(_) => state
            .startup
            .notice("Keydesk could not check the system keyring.".to_owned()),
        Ok(Ok(())) => {}
    }
    match sandbox {
        // A missing keyring is already a notice of its own.
        Some(Err(error)) if error.kind != ErrorKind::KeychainUnavailable => {
            state.startup.notice(error.message);
        }
        _ => {}
    }
}

/// Whether the embedded sandbox starts with the app: on a first run, so it opens on four
/// working connections. Later it starts when a connection it serves is first used
/// ([`crate::sandbox::serve`]), so a start does not wait for it.
fn sandbox_wanted(mode: SandboxMode, connections: &ConnectionRegistry) -> bool {
    match mode {
        SandboxMode::Off => false,
        SandboxMode::Always => true,
        SandboxMode::Auto => connections.list().unwrap_or_default().is_empty(),
    }
}

/// Clears the clipboard if it still holds a secret, wipes pending reveals and stops the
/// sandbox (once background startup is done). Called when the app exits.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    state.clipboard.clear_now();
    state.reveals.clear();
    // A sandbox still starting would outlive the stop below: let startup finish first.
    tauri::async_runtime::block_on(state.startup.done());
    state.sandbox.shutdown();
    state.attention.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_comes_before_done_and_finishing_releases_both() {
        let startup = Startup::new(vec!["first".to_owned()]);
        startup.mark_ready();
        assert!(*startup.ready.borrow());
        assert!(
            !*startup.done.borrow(),
            "the keyring writes are still to come"
        );
        startup.notice("second".to_owned());
        // Work that panics still lets every waiting command go on.
        drop(FinishOnDrop(&startup));
        tauri::async_runtime::block_on(async {
            startup.ready().await;
            startup.done().await;
        });
        assert_eq!(startup.notices().unwrap(), ["first", "second"]);
    }
}
