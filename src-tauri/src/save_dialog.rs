//! The native save dialog (tauri-plugin-dialog), asked from Rust: the webview gets no dialog
//! or file-system permission, and Keydesk writes only the file the user chose.

use std::path::{Path, PathBuf};

use futures::channel::oneshot;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What the save dialog shows; it starts in the export folder (Downloads, when there is one).
#[derive(Debug, Clone)]
pub struct SaveRequest {
    /// The dialog's title.
    pub title: &'static str,
    /// The file name it proposes: `stem-<time>.extension`.
    pub stem: &'static str,
    /// The file type's name in the filter (`CSV`, `Markdown`).
    pub filter_name: &'static str,
    /// The one extension the filter shows.
    pub extension: &'static str,
}

impl SaveRequest {
    /// A dialog titled `title` proposing a new `stem-<time>.extension` file of `filter_name`.
    pub fn new(
        title: &'static str,
        stem: &'static str,
        filter_name: &'static str,
        extension: &'static str,
    ) -> Self {
        Self {
            title,
            stem,
            filter_name,
            extension,
        }
    }
}

/// Asks where to save; the answer is `None` when the user cancelled. A closure, so the state
/// needs no runtime type (tests have no dialog and never call it).
pub type AskSavePath =
    Box<dyn Fn(SaveRequest, &Path) -> oneshot::Receiver<Option<PathBuf>> + Send + Sync>;

/// The dialog of `app`'s dialog plugin (registered by [`crate::run`]).
pub fn native<R: Runtime>(app: &AppHandle<R>) -> AskSavePath {
    let app = app.clone();
    Box::new(move |request: SaveRequest, directory: &Path| {
        let (answer, answered) = oneshot::channel();
        // Without the plugin the sender drops, and `ask` says the dialog is missing.
        if let Some(dialog) = app.try_state::<tauri_plugin_dialog::Dialog<R>>() {
            dialog
                .file()
                .set_title(request.title)
                .set_directory(directory)
                .set_file_name(crate::export::file_name(request.stem, request.extension))
                .add_filter(request.filter_name, &[request.extension])
                .save_file(move |path| {
                    let _ = answer.send(path.and_then(|path| path.into_path().ok()));
                });
        }
        answered
    })
}

/// The path the user chose in the save dialog for `request`, or `None` when cancelled.
pub async fn ask(state: &AppState, request: SaveRequest) -> AppResult<Option<PathBuf>> {
    (state.ask_save_path)(request, &state.export_dir)
        .await
        .map_err(|_| AppError::internal("Keydesk could not open the save dialog."))
}
