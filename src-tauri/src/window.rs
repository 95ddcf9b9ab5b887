//! Keydesk's one window: it shows only the app's own page and opens no other, it opens at the
//! size and place it was left at, and a second launch on the same data brings it forward
//! instead of starting another app.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use tauri::plugin::TauriPlugin;
use tauri::webview::NewWindowResponse;
use tauri::{
    AppHandle, Manager, PhysicalPosition, PhysicalSize, Runtime, Url, WebviewWindow,
    WebviewWindowBuilder, WindowEvent,
};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};

/// The label of the window tauri.conf.json describes (with `"create": false`: this module
/// builds it, because only a window built in code can refuse new windows).
pub const MAIN: &str = "main";

/// What of the window is kept across launches: its size, its position and whether it is
/// maximized. Not whether it is shown: [`create_main`] shows it once the rest is restored.
const KEPT: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// How long a move or resize must rest before it is written: a drag moves on every frame.
const SETTLE: Duration = Duration::from_millis(500);

/// The plugin that keeps the window's size and position across launches: it saves them on
/// quit (in the app's config dir) and puts them back as the window is built, before it shows.
fn geometry_plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(KEPT)
        .build()
}

/// What is written of the window: the plugin's file is rewritten only when this changed.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Geometry {
    size: PhysicalSize<u32>,
    position: PhysicalPosition<i32>,
    maximized: bool,
}

impl Geometry {
    fn of<R: Runtime>(window: &WebviewWindow<R>) -> Option<Self> {
        Some(Self {
            size: window.inner_size().ok()?,
            position: window.outer_position().ok()?,
            maximized: window.is_maximized().ok()?,
        })
    }
}

/// Also saves the geometry once a move or resize has settled, not only on quit: a session
/// that ends by logging out, or an app that is killed, never gets to quit. The window's own
/// first configure events change nothing, so a launch writes nothing.
fn save_geometry_when_settled<R: Runtime>(window: &WebviewWindow<R>) {
    let saved = Arc::new(Mutex::new(Geometry::of(window)));
    let changes = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    let label = window.label().to_owned();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let change = changes.fetch_add(1, Ordering::Relaxed) + 1;
        let (changes, app, label, saved) =
            (changes.clone(), app.clone(), label.clone(), saved.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if changes.load(Ordering::Relaxed) != change {
                return; // a later change has its own timer
            }
            // On the main thread: the plugin's move handler takes its cache lock there, and
            // saving from here would hold that lock while waiting for the main thread.
            let handle = app.clone();
            let queued = app.run_on_main_thread(move || save_if_changed(&handle, &label, &saved));
            if let Err(error) = queued {
                tracing::debug!(%error, "window geometry not saved");
            }
        });
    });
}

fn save_if_changed<R: Runtime>(app: &AppHandle<R>, label: &str, saved: &Mutex<Option<Geometry>>) {
    let Some(window) = app.get_webview_window(label) else {
        return;
    };
    let now = Geometry::of(&window);
    let Ok(mut saved) = saved.lock() else { return };
    if now.is_none() || *saved == now {
        return;
    }
    match app.save_window_state(KEPT) {
        Ok(()) => *saved = now,
        Err(error) => tracing::warn!(%error, "window geometry not saved"),
    }
}

/// Builds the main window from its tauri.conf.json entry, navigation locked to the app's own
/// page, and shows it at the size and place it had last time. `start_frame` (see
/// [`crate::start_frame::init_script`]) runs in its page before the page's own scripts.
/// Does nothing when the config has no such window (the tests' mock app makes its own).
pub fn create_main<R: Runtime>(
    app: &AppHandle<R>,
    start_frame: Option<String>,
) -> tauri::Result<()> {
    let Some(config) = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
    else {
        return Ok(());
    };
    // Registered with the window it serves, so test apps that make their own never have it.
    app.plugin(geometry_plugin())?;
    let dev_url = app.config().build.dev_url.clone();
    // Built hidden: the geometry plugin restores size and place while it is built, so the
    // first frame is already where the user left it (no visible jump).
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(script) = start_frame {
        // The main frame only: the page never embeds another.
        builder = builder.initialization_script(script);
    }
    let window = builder
        .visible(false)
        .on_navigation(move |url| {
            let allowed = is_app_page(url, dev_url.as_ref());
            if !allowed {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str(),
                    "navigation away from Keydesk refused"
                );
            }
            allowed
        })
        .on_new_window(|url, _features| {
            tracing::warn!(
                scheme = url.scheme(),
                host = url.host_str(),
                "new window refused"
            );
            NewWindowResponse::Deny
        })
        .build()?;
    if config.visible {
        window.show()?;
    }
    save_geometry_when_settled(&window);
    Ok(())
}

/// Whether `url` is Keydesk's own page: the bundled assets' origin (`tauri://localhost`, on
/// Windows `http(s)://tauri.localhost`), or in a `tauri dev` build the dev server's origin.
/// The webview never needs anything else: it calls no network, and links go nowhere.
fn is_app_page(url: &Url, dev_url: Option<&Url>) -> bool {
    let is = |origin: &str| Url::parse(origin).is_ok_and(|origin| same_origin(url, &origin));
    if cfg!(windows) {
        if is("http://tauri.localhost") || is("https://tauri.localhost") {
            return true;
        }
    } else if is("tauri://localhost") {
        return true;
    }
    tauri::is_dev() && dev_url.is_some_and(|dev| same_origin(url, dev))
}

/// Scheme, host and port: `Url::origin` is opaque (never equal) for the `tauri` scheme.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Makes this app the only one running on `data_dir`, or hands over to the one that already
/// is: that one's main window comes forward and this process exits (code 0) right here,
/// before it touches any file. Call it before anything else in setup.
///
/// Instances are told apart by their data dir (a D-Bus name on Linux), so a debug build, a
/// release install and test apps on their own temporary dirs never block each other; two on
/// the same files would overwrite each other's settings and fight over the clipboard.
pub fn claim_single_instance<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) -> tauri::Result<()> {
    let id = instance_id(&app.config().identifier, data_dir);
    app.plugin(
        tauri_plugin_single_instance::Builder::new()
            .dbus_id(id)
            .callback(|app, _args, _cwd| {
                tracing::info!("Keydesk was launched again: showing this window instead");
                bring_main_forward(app);
            })
            .build(),
    )
}

/// `<identifier>.i<16 hex digits of the data dir's SHA-256>`: a valid D-Bus name element
/// (starts with a letter), the same for every launch on the same data dir.
fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    format!("{identifier}.i{}", hex::encode(&digest[..8]))
}

/// Shows the main window, unminimized and focused (a reminder was clicked).
pub fn bring_main_forward<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        bring_forward(&window);
    }
}

fn bring_forward<R: Runtime>(window: &WebviewWindow<R>) {
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(error) = shown {
        tracing::warn!(%error, "could not bring the Keydesk window forward");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn only_the_apps_own_page_may_be_shown() {
        let dev = url("http://127.0.0.1:1420");
        if cfg!(windows) {
            assert!(is_app_page(
                &url("http://tauri.localhost/index.html"),
                Some(&dev)
            ));
        } else {
            assert!(is_app_page(&url("tauri://localhost/"), Some(&dev)));
            assert!(is_app_page(
                &url("tauri://localhost/index.html?mock#x"),
                None
            ));
            assert!(!is_app_page(&url("http://tauri.localhost/"), None));
        }
        for other in [
            "https://example.invalid/",
            "tauri://localhost.example.invalid/",
            "tauri://evil/",
            "http://localhost/",
            "http://127.0.0.1:1421/",
            "file:///etc/passwd",
            "data:text/html,hi",
            "about:blank",
            "javascript:alert(1)",
        ] {
            assert!(!is_app_page(&url(other), Some(&dev)), "{other}");
        }
        // The dev server is the app's page only in a build that loads it (`tauri dev`).
        assert_eq!(
            is_app_page(&url("http://127.0.0.1:1420/src/main.ts"), Some(&dev)),
            tauri::is_dev()
        );
    }

    #[test]
    fn one_instance_per_data_dir() {
        let release = instance_id(
            "dev.keydesk.app",
            Path::new("/home/a/.local/share/dev.keydesk.app"),
        );
        let debug = instance_id(
            "dev.keydesk.app",
            Path::new("/home/a/.local/share/dev.keydesk.app/debug"),
        );
        assert_eq!(
            release,
            instance_id(
                "dev.keydesk.app",
                Path::new("/home/a/.local/share/dev.keydesk.app")
            )
        );
        assert_ne!(release, debug);
        assert!(release.starts_with("dev.keydesk.app.i"));
        let last = release.rsplit('.').next().unwrap();
        assert_eq!(last.len(), 17);
        assert!(last.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
