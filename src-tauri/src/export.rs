//! Inventory and activity exports: files the user can hand to an auditor. Never secrets:
//! keys carry only their masked form.

use std::path::{Path, PathBuf};

use keydesk_core::Key;
use keydesk_local::export;
use serde::{Deserialize, Serialize};

use crate::attention::records::Annotations;
use crate::error::{AppError, AppResult};
use crate::settings::Connection;

// The format itself is shared with keydesk-cli's `inventory`.
pub use keydesk_local::export::push_csv_row;

/// The file format of an inventory export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One row per key, for spreadsheets.
    Csv,
    /// One object per connection with its keys, for scripts.
    Json,
}

/// Writes the keys of every connection, with their owner, note and tags from `annotations`,
/// to a new file in `dir` and returns its path.
pub fn write_inventory(
    dir: &Path,
    format: ExportFormat,
    inventory: &[(Connection, Vec<Key>)],
    annotations: &Annotations,
) -> AppResult<PathBuf> {
    let (extension, bytes) = match format {
        ExportFormat::Csv => (
            "csv",
            export::inventory_csv(inventory, annotations).into_bytes(),
        ),
        ExportFormat::Json => {
            let document = export::inventory_json(inventory, annotations);
            let text = serde_json::to_vec_pretty(&document)
                .map_err(|_| AppError::internal("Could not encode the inventory."))?;
            ("json", text)
        }
    };
    let path = new_file_path(dir, "keydesk-inventory", extension);
    write_file(&path, &bytes)?;
    Ok(path)
}

/// `dir/<stem>-<UTC time>.<extension>`.
pub fn new_file_path(dir: &Path, stem: &str, extension: &str) -> PathBuf {
    dir.join(file_name(stem, extension))
}

/// `stem-<UTC time to the millisecond>.extension`: a new file's name.
pub fn file_name(stem: &str, extension: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    format!("{stem}-{stamp}.{extension}")
}

/// Writes `bytes` to `path`, creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> AppResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|_| AppError::internal(format!("Could not create {}.", dir.display())))?;
    }
    std::fs::write(path, bytes)
        .map_err(|_| AppError::internal(format!("Could not write {}.", path.display())))
}
