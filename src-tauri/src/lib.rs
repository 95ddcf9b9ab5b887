//! The Keydesk desktop app: builds the Tauri application and wires its state and commands.
//!
//! The UI talks to the commands in [`commands`] (contract: docs/IPC.md, types generated into
//! `ui/src/lib/ipc/bindings.ts`). Secrets stay in Rust: credentials in the OS keyring
//! ([`vault`]), created keys in the reveal vault ([`reveal`]), copies on the OS clipboard
//! ([`clipboard`]).

pub mod activity;
pub mod attention;
pub mod clipboard;
pub mod commands;
pub mod connections;
pub mod error;
pub mod export;
pub mod fingerprints;
pub mod incident;
pub mod journal;
pub mod keys;
pub mod memory;
pub mod operations;
pub mod reminders;
pub mod reveal;
pub mod sandbox;
pub mod save_dialog;
pub mod settings;
pub mod shortcut;
pub mod start_frame;
pub mod state;
pub mod vault;
pub mod window;

use tauri::{AppHandle, Manager, Runtime};

pub use state::{AppConfig, AppState, SandboxMode, StartupGate};

/// Keydesk on top of `base` (the app passes `tauri::Builder::default()`, tests the mock
/// runtime's builder). `config` decides where files live once the app's paths are known; it
/// runs first in setup, before the main window and the app's state exist.
pub fn builder<R: Runtime>(
    base: tauri::Builder<R>,
    config: impl FnOnce(&AppHandle<R>) -> Result<AppConfig, String> + Send + 'static,
) -> tauri::Builder<R> {
    let specta = commands::specta_builder::<R>();
    base.invoke_handler(specta.invoke_handler())
        // The keyring check and the sandbox's start wait for the window's page (see `state`).
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished
                && let Some(state) = webview.try_state::<AppState>()
            {
                state.startup.window_shown();
            }
        })
        .setup(move |app| {
            specta.mount_events(app);
            let handle = app.handle().clone();
            let config = config(&handle)?;
            // The settings come before the window: its first frame is the first connection's.
            let started = std::time::Instant::now();
            let settings =
                state::OpenedSettings::open(&config.data_dir).map_err(|error| error.message)?;
            let frame = settings
                .first_connection_id()
                .and_then(|first| start_frame::init_script(&config.data_dir, &first));
            tracing::debug!(
                elapsed = ?started.elapsed(),
                start_frame = frame.is_some(),
                "settings and start frame read"
            );
            window::create_main(&handle, frame)?;
            let reminders_after = config.reminders_after;
            state::setup(&handle, config, settings).map_err(|error| error.message)?;
            take_leak_shortcut(&handle);
            keys::scheduled::spawn(&handle);
            if let Some(first_after) = reminders_after {
                reminders::spawn(&handle, first_after);
            }
            Ok(())
        })
}

/// Takes the Leaked key shortcut the settings hold, if any; one the window system refuses is
/// a startup notice.
fn take_leak_shortcut<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let wanted = match state.settings.snapshot() {
        Ok(stored) => stored.settings.leak_shortcut,
        Err(_) => return,
    };
    if let Err(error) = (state.take_shortcut)(wanted.as_deref()) {
        state.startup.notice(error.message);
    }
}

/// Starts Keydesk and blocks until its last window closes. `--sandbox` always starts the
/// embedded sandbox (otherwise only on a first run, or once a connection it serves is used).
pub fn run() {
    let one_arena = memory::one_arena();
    init_tracing();
    if !one_arena {
        tracing::warn!("the allocator kept its arenas per thread");
    }
    if !cfg!(debug_assertions) {
        // A panic's message may quote whatever value it choked on; say only where it was.
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(ToString::to_string).unwrap_or_default();
            eprintln!("Keydesk stopped unexpectedly (at {at}).");
        }));
    }
    // Kept until the app exits: Tauri's commands and Keydesk's tasks run on it.
    let runtime = match desktop_runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Keydesk could not start: {error}");
            std::process::exit(1);
        }
    };
    tauri::async_runtime::set(runtime.handle().clone());
    let sandbox = if std::env::args().any(|arg| arg == "--sandbox") {
        SandboxMode::Always
    } else {
        SandboxMode::Auto
    };
    // The save dialog is asked from Rust (see `save_dialog`); the capability file grants the
    // webview none of the plugin's commands.
    let base = tauri::Builder::default().plugin(tauri_plugin_dialog::init());
    let app = builder(base, move |app: &AppHandle| {
        let config = default_config(app, sandbox)?;
        // Before anything reads or writes the data dir: a second launch exits here.
        window::claim_single_instance(app, &config.data_dir).map_err(|error| error.to_string())?;
        Ok(config)
    })
    .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            keep_web_caches_small(&app);
            app.run(|app, event| {
                if let tauri::RunEvent::Exit = event {
                    state::shutdown(app);
                }
            });
        }
        Err(error) => {
            eprintln!("Keydesk could not start: {error}");
            std::process::exit(1);
        }
    }
}

/// The async runtime, sized for a desktop app: one worker thread instead of one per core.
/// Keydesk's tasks wait on the network and the keyring (which run on the blocking pool); the
/// CPU work between, decoding a list of 10,000 keys, takes under 20 ms. Each worker that
/// decodes a list keeps its own malloc arena: one worker held ≈ 5 MB less after a start
/// with four lists (BENCHMARKS.md).
fn desktop_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("keydesk-async")
        .enable_all()
        .build()
}

/// Keydesk is one page from its own bundle: WebKit's document viewer cache model keeps no
/// memory cache or back/forward pages for it, so the web process stays smaller.
fn keep_web_caches_small(app: &tauri::App) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let result = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{CacheModel, WebContextExt as _, WebViewExt as _};
            if let Some(context) = webview.inner().web_context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(error) = result {
        tracing::debug!(%error, "web cache model not set");
    }
}

/// Seconds after startup before the first background attention check.
const FIRST_CHECK_SECS: u64 = 20;

/// Files under the app data dir (a `debug` subfolder for debug builds, so they never share
/// data with a release install), or in `KEYDESK_DATA_DIR` when set (keydesk-cli looks in the
/// same place: [`keydesk_local::paths::data_dir`]); exports into `KEYDESK_EXPORT_DIR`, else
/// the Downloads folder when there is one.
fn default_config<R: Runtime>(
    app: &AppHandle<R>,
    sandbox: SandboxMode,
) -> Result<AppConfig, String> {
    let data_dir = match keydesk_local::paths::data_dir_override() {
        Some(dir) => dir,
        None => keydesk_local::paths::build_subdir(
            app.path()
                .app_data_dir()
                .map_err(|error| error.to_string())?,
        ),
    };
    let export_dir = std::env::var_os("KEYDESK_EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| app.path().download_dir().ok().filter(|dir| dir.is_dir()))
        .unwrap_or_else(|| data_dir.join("exports"));
    // The first check waits for the first list on screen; KEYDESK_FIRST_CHECK_SECS lets the
    // end-to-end suite see a reminder without waiting that long.
    let first_check = std::env::var("KEYDESK_FIRST_CHECK_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(FIRST_CHECK_SECS);
    Ok(AppConfig {
        data_dir,
        export_dir,
        keyring_service: keydesk_local::vault::service(),
        sandbox,
        reminders_after: Some(std::time::Duration::from_secs(first_check)),
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,keydesk_app=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn keydesk_cli_looks_for_the_data_dir_under_the_apps_identifier() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], keydesk_local::paths::IDENTIFIER);
    }
}
