//! Keydesk's one window: it shows only the app's own page and opens no other, and a second
//! launch on the same data brings it forward instead of starting another app.

use std::path::Path;

use sha2::{Digest as _, Sha256};
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, Runtime, Url, WebviewWindow, WebviewWindowBuilder};

/// The label of the window tauri.conf.json describes (with `"create": false`: this module
/// builds it, because only a window built in code can refuse new windows).
pub const MAIN: &str = "main";

/// Builds the main window from its tauri.conf.json entry, navigation locked to the app's own
/// page. Does nothing when the config has no such window (the tests' mock app makes its own).
pub fn create_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
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
    let dev_url = app.config().build.dev_url.clone();
    WebviewWindowBuilder::from_config(app, &config)?
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
