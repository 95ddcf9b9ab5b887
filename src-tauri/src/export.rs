//! Inventory and activity exports: files the user can hand to an auditor. Never secrets:
//! keys carry only their masked form.

use std::io::Write as _;
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
    match format {
        ExportFormat::Csv => {
            let path = new_file_path(dir, "keydesk-inventory", "csv");
            write_file(
                &path,
                export::inventory_csv(inventory, annotations).as_bytes(),
            )?;
            Ok(path)
        }
        ExportFormat::Json => {
            // Written as it is serialized: no copy of the whole export in memory.
            let path = new_file_path(dir, "keydesk-inventory", "json");
            let file = create_file(&path)?;
            let mut writer = std::io::BufWriter::new(file);
            export::write_inventory_json(&mut writer, inventory, annotations)
                .map_err(std::io::Error::from)
                .and_then(|()| writer.flush())
                .map_err(|_| {
                    // No half-written export left behind to be mistaken for a whole one.
                    let _ = std::fs::remove_file(&path);
                    AppError::internal(format!("Could not write {}.", path.display()))
                })?;
            Ok(path)
        }
    }
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
    create_file(path)?
        .write_all(bytes)
        .map_err(|_| AppError::internal(format!("Could not write {}.", path.display())))
}

/// Creates (or truncates) the file at `path`, creating its folder.
fn create_file(path: &Path) -> AppResult<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|_| AppError::internal(format!("Could not create {}.", dir.display())))?;
    }
    std::fs::File::create(path)
        .map_err(|_| AppError::internal(format!("Could not write {}.", path.display())))
}
