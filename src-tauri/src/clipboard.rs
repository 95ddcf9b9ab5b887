//! Copies secrets to the OS clipboard from Rust, and takes them away again; copies text that
//! holds no secret too, as the webview has no clipboard access of its own.
//!
//! One `arboard::Clipboard` lives in state (on X11 the owner must stay alive to serve the
//! text). A copy is marked excluded from clipboard history; after the configured delay it is
//! cleared only if the clipboard still holds that secret, which is checked against a SHA-256
//! digest so no second plaintext is kept. On quit the clipboard is cleared the same way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{AppError, AppResult};

/// What happened to a copied secret: the payload of the `clipboard` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "clipboard")]
pub struct ClipboardChange {
    /// `copied`, `cleared` (we removed it), or `kept` (something else was copied since).
    pub state: ClipboardState,
    /// Which reveal the secret belonged to.
    pub reveal_id: String,
    /// When the clipboard will be cleared; `null` when auto-clear is off or it is done.
    pub clears_at: Option<String>,
}

/// The states a copied secret goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClipboardState {
    /// The secret was put on the clipboard.
    Copied,
    /// The secret was removed from the clipboard.
    Cleared,
    /// The clipboard held something else by the time we looked, so it was left alone.
    Kept,
}

/// What `copy_secret` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CopyResult {
    /// When the clipboard will be cleared (RFC 3339); `null` = auto-clear off.
    pub clears_at: Option<String>,
}

type Notify = Arc<dyn Fn(ClipboardChange) + Send + Sync>;

/// The one clipboard of the app and the secret it last put there.
#[derive(Clone)]
pub struct ClipboardGuard {
    inner: Arc<Mutex<Inner>>,
    notify: Notify,
}

struct Inner {
    /// Opened on first use, so the app starts even where no clipboard is reachable.
    clipboard: Option<arboard::Clipboard>,
    copied: Option<Copied>,
    /// Bumped by every copy, so a timer only clears the copy it was started for.
    generation: u64,
}

struct Copied {
    digest: [u8; 32],
    reveal_id: String,
    generation: u64,
}

impl ClipboardGuard {
    /// A guard telling `notify` about every copy, clear and keep.
    pub fn new(notify: impl Fn(ClipboardChange) + Send + Sync + 'static) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                clipboard: None,
                copied: None,
                generation: 0,
            })),
            notify: Arc::new(notify),
        }
    }

    /// Puts `secret` on the clipboard (excluded from history) and, with `clear_after`,
    /// schedules its removal.
    pub fn copy(
        &self,
        reveal_id: &str,
        secret: &SecretString,
        clear_after: Option<Duration>,
    ) -> AppResult<CopyResult> {
        let generation = {
            let mut inner = self.lock()?;
            let clipboard = inner.clipboard()?;
            set_secret(clipboard, secret.expose_secret())?;
            inner.generation += 1;
            let generation = inner.generation;
            inner.copied = Some(Copied {
                digest: digest(secret.expose_secret()),
                reveal_id: reveal_id.to_owned(),
                generation,
            });
            generation
        };
        let clears_at = clear_after.map(|after| rfc3339(Utc::now() + after));
        (self.notify)(ClipboardChange {
            state: ClipboardState::Copied,
            reveal_id: reveal_id.to_owned(),
            clears_at: clears_at.clone(),
        });
        if let Some(after) = clear_after {
            let guard = self.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(after).await;
                guard.clear_if_unchanged(Some(generation));
            });
        }
        Ok(CopyResult { clears_at })
    }

    /// Puts `text`, which holds no secret (an incident summary), on the clipboard as any
    /// copy would: kept in history and never cleared. A secret copied earlier is then no
    /// longer there, so its timer reports it `kept`.
    pub fn copy_text(&self, text: &str) -> AppResult<()> {
        let mut inner = self.lock()?;
        inner.clipboard()?.set_text(text).map_err(|error| {
            tracing::warn!(%error, "clipboard write failed");
            AppError::internal("Could not put the text on the clipboard.")
        })
    }

    /// Clears the clipboard now if it still holds the last copied secret (on quit).
    pub fn clear_now(&self) {
        self.clear_if_unchanged(None);
    }

    /// Clears the copy of `generation` (or whatever was copied last, for `None`) if the
    /// clipboard still holds it; tells the UI either way.
    fn clear_if_unchanged(&self, generation: Option<u64>) {
        let Ok(mut inner) = self.lock() else { return };
        let Some(copied) = inner
            .copied
            .take_if(|copied| generation.is_none_or(|generation| generation == copied.generation))
        else {
            return;
        };
        let Ok(clipboard) = inner.clipboard() else {
            return;
        };
        let still_ours = clipboard
            .get_text()
            .map(|text| digest(&Zeroizing::new(text)) == copied.digest)
            .unwrap_or(false);
        let state = if still_ours {
            match clipboard.clear() {
                Ok(()) => ClipboardState::Cleared,
                Err(error) => {
                    tracing::warn!(%error, "could not clear the clipboard");
                    return;
                }
            }
        } else {
            ClipboardState::Kept
        };
        drop(inner);
        (self.notify)(ClipboardChange {
            state,
            reveal_id: copied.reveal_id,
            clears_at: None,
        });
    }

    fn lock(&self) -> AppResult<std::sync::MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| AppError::internal("The clipboard state is poisoned."))
    }
}

impl Inner {
    fn clipboard(&mut self) -> AppResult<&mut arboard::Clipboard> {
        if self.clipboard.is_none() {
            self.clipboard = Some(open_clipboard()?);
        }
        self.clipboard
            .as_mut()
            .ok_or_else(|| AppError::internal("The system clipboard is not available."))
    }
}

/// Opens the system clipboard. On X11 a handle dropped moments ago may still be handing its
/// selection over (arboard reports the clipboard as occupied meanwhile), so a failure is
/// retried briefly before the user is told to copy by hand.
fn open_clipboard() -> AppResult<arboard::Clipboard> {
    const ATTEMPTS: u32 = 5;
    let mut attempt = 1;
    loop {
        match arboard::Clipboard::new() {
            Ok(clipboard) => return Ok(clipboard),
            Err(error) if attempt < ATTEMPTS => {
                tracing::debug!(%error, attempt, "clipboard busy, retrying");
                std::thread::sleep(std::time::Duration::from_millis(20 * u64::from(attempt)));
                attempt += 1;
            }
            Err(error) => {
                tracing::warn!(%error, "no clipboard");
                return Err(AppError::internal(
                    "The system clipboard is not available. Use Reveal and copy the secret by hand.",
                ));
            }
        }
    }
}

fn set_secret(clipboard: &mut arboard::Clipboard, text: &str) -> AppResult<()> {
    exclude_from_history(clipboard.set())
        .text(text)
        .map_err(clipboard_error)
}

/// Asks clipboard managers not to keep the copy, in each OS's own convention. Only the Linux
/// branch is built and tested here; the others follow arboard 3.7's documented API.
#[cfg(target_os = "linux")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    // The `x-kde-passwordManagerHint` target, honoured by Klipper, GPaste and most others.
    use arboard::SetExtLinux as _;
    set.exclude_from_history()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    // `org.nspasteboard.ConcealedType`, the convention of macOS clipboard history apps.
    use arboard::SetExtApple as _;
    set.exclude_from_history()
}

#[cfg(windows)]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    // `ExcludeClipboardContentFromMonitorProcessing`: out of the clipboard history, the cloud
    // clipboard and every clipboard monitor at once (arboard advises it alone).
    use arboard::SetExtWindows as _;
    set.exclude_from_monitoring()
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    set
}

fn clipboard_error(error: arboard::Error) -> AppError {
    // arboard's errors never contain the text being set.
    tracing::warn!(%error, "clipboard write failed");
    AppError::internal("Could not put the secret on the clipboard. Use Reveal instead.")
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
