//! The opt-in global shortcut (Settings → Leaked key shortcut, off by default): pressed in any
//! application, it brings Keydesk forward with Leaked key open. It is off by default because
//! a global shortcut takes its keys away from every other application.
//!
//! The plugin is added the first time a shortcut is set, so a Keydesk that never uses one
//! never asks the window system for keys.
//!
//! Two waits must never meet. The plugin's shortcut thread delivers presses holding the
//! plugin's lock on its shortcuts, and registering or releasing one waits for that thread; so
//! Keydesk releases its shortcut by name (the plugin's `unregister_all` keeps the lock while it
//! waits: a press delivered meanwhile waited for it forever), and a press is handled off that
//! thread (bringing the window forward waits for the main thread, which may be waiting for the
//! shortcut thread).

use std::str::FromStr;
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{
    Builder, GlobalShortcut, GlobalShortcutExt, Modifiers, Shortcut, ShortcutEvent, ShortcutState,
};
use tauri_specta::Event;

use crate::error::{AppError, AppResult};
use crate::window;

/// The settings field the shortcut lives in, named in its validation errors.
const FIELD: &str = "leak_shortcut";

/// Sent to the UI when the shortcut is pressed; the window is already in front.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
pub struct OpenLeakedKey {
    /// The shortcut that was pressed, as the settings hold it.
    pub shortcut: String,
}

/// The shortcut `text` names ("Ctrl+Alt+K"), refused unless it holds Ctrl, Alt or Super: a
/// plain letter, or Shift and a letter, would be taken from every other application's typing.
pub fn parse(text: &str) -> AppResult<Shortcut> {
    let refused = || {
        AppError::validation(
            FIELD,
            format!(
                "“{}” is not a shortcut Keydesk can use: hold Ctrl, Alt or Super with one key, \
                 e.g. Ctrl+Alt+K.",
                text.chars().take(40).collect::<String>()
            ),
        )
    };
    let shortcut = Shortcut::from_str(text.trim()).map_err(|_| refused())?;
    if !shortcut
        .mods
        .intersects(Modifiers::CONTROL | Modifiers::ALT | Modifiers::SUPER)
    {
        return Err(refused());
    }
    Ok(shortcut)
}

/// The shortcut Keydesk holds, if any: released by name (see the module's notes).
#[derive(Default)]
struct Held(Mutex<Option<Shortcut>>);

/// Makes `wanted` the one global shortcut Keydesk holds; `None` releases it. A shortcut the
/// window system refuses (another application holds it) is a validation error of the field.
pub fn apply<R: Runtime>(app: &AppHandle<R>, wanted: Option<&str>) -> AppResult<()> {
    let wanted = wanted.map(|text| parse(text).map(|shortcut| (text, shortcut)));
    let wanted = wanted.transpose()?;
    if app.try_state::<GlobalShortcut<R>>().is_none() {
        if wanted.is_none() {
            return Ok(());
        }
        app.plugin(Builder::new().with_handler(pressed).build())
            .map_err(|error| {
                tracing::warn!(%error, "the global shortcut plugin did not start");
                AppError::internal("Keydesk could not set up global shortcuts.")
            })?;
        app.manage(Held::default());
    }
    let shortcuts = app.global_shortcut();
    let held = app.state::<Held>();
    let mut held = held
        .0
        .lock()
        .map_err(|_| AppError::internal("Keydesk's global shortcut is poisoned."))?;
    if let Some(old) = held.take() {
        shortcuts.unregister(old).map_err(|error| {
            tracing::warn!(%error, "could not release the global shortcut");
            AppError::internal("Keydesk could not release its global shortcut.")
        })?;
    }
    let Some((text, shortcut)) = wanted else {
        return Ok(());
    };
    shortcuts.register(shortcut).map_err(|error| {
        tracing::warn!(%error, "the global shortcut was refused");
        AppError::validation(
            FIELD,
            format!("{text} could not be taken: another application may use it. Choose another."),
        )
    })?;
    *held = Some(shortcut);
    Ok(())
}

/// Takes the shortcut a setting names ([`apply`] for one app), leaving one it holds alone.
pub type Taker = Box<dyn Fn(Option<&str>) -> AppResult<()> + Send + Sync>;

/// The [`Taker`] of `app`: a closure, so the app's state needs no runtime type.
pub fn taker<R: Runtime>(app: &AppHandle<R>) -> Taker {
    let app = app.clone();
    Box::new(move |wanted| {
        if wanted.is_some_and(|text| holds(&app, text)) {
            return Ok(());
        }
        apply(&app, wanted)
    })
}

/// Whether `text` is the shortcut Keydesk holds now.
pub fn holds<R: Runtime>(app: &AppHandle<R>, text: &str) -> bool {
    let Ok(shortcut) = parse(text) else {
        return false;
    };
    app.try_state::<GlobalShortcut<R>>()
        .is_some_and(|shortcuts| shortcuts.is_registered(shortcut))
}

fn pressed<R: Runtime>(app: &AppHandle<R>, shortcut: &Shortcut, event: ShortcutEvent) {
    if event.state() != ShortcutState::Pressed {
        return;
    }
    let (app, shortcut) = (app.clone(), shortcut.into_string());
    tauri::async_runtime::spawn_blocking(move || {
        window::bring_main_forward(&app);
        if let Err(error) = (OpenLeakedKey { shortcut }).emit(&app) {
            tracing::warn!(%error, "could not open Leaked key");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortcut_needs_ctrl_alt_or_super() {
        for good in ["Ctrl+Alt+K", "Super+L", "ctrl+shift+K", "Alt+F9"] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for bad in ["K", "Shift+K", "", "Ctrl+Alt+", "Ctrl+Alt+NoSuchKey"] {
            let error = parse(bad).unwrap_err();
            assert_eq!(error.field.as_deref(), Some(FIELD), "{bad}");
            assert!(error.message.contains("Ctrl, Alt or Super"), "{bad}");
        }
    }
}
