//! Files written so that a crash never leaves half of one, read back with their schema
//! version checked. The settings file and every record file of the data dir are such files.
//!
//! Every write goes to a temporary file in the same folder, is synced, and is renamed over the
//! old file (then the folder is synced): a crash mid-write leaves the old file or the new one,
//! never half of one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

/// What is wrong with a file, in words that fit "The … file …".
pub type Problem = String;

/// The schema every record file (`{"schema_version", "records"}`) is written with.
pub const RECORDS_SCHEMA_VERSION: u32 = 1;

/// The JSON document at `path` with a `schema_version` of at most `schema`, `None` when there
/// is no file, or what is wrong with it (in words that fit "The … file …").
pub fn read_versioned(path: &Path, schema: u32) -> Result<Option<Value>, Problem> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("could not be read ({error})")),
    };
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|_| "was corrupt (not JSON)".to_owned())?;
    let version = value
        .get("schema_version")
        .and_then(Value::as_u64)
        .ok_or_else(|| "was corrupt (no schema version)".to_owned())?;
    if version > u64::from(schema) {
        return Err(format!(
            "was written by a newer Keydesk (schema {version}, this one reads {schema})"
        ));
    }
    Ok(Some(value))
}

/// The records in the record file at `path`, `None` when there is no file, or what is wrong
/// with it in words that fit "The file of … ".
pub fn read_records<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, Problem> {
    // The usual file, of this schema, in one typed pass: the window waits for these reads,
    // and a tree of `Value`s first made four 1,000-key snapshots cost it a multiple.
    if let Ok(bytes) = std::fs::read(path)
        && let Ok(file) = serde_json::from_slice::<CurrentRecords<T>>(&bytes)
        && file.schema_version == RECORDS_SCHEMA_VERSION
    {
        return Ok(Some(file.records));
    }
    let Some(value) = read_versioned(path, RECORDS_SCHEMA_VERSION)? else {
        return Ok(None);
    };
    let records = value.get("records").cloned().unwrap_or(Value::Null);
    serde_json::from_value(records)
        .map(Some)
        .map_err(|_| "was corrupt (unreadable records)".to_owned())
}

/// A record file as this Keydesk writes it.
#[derive(serde::Deserialize)]
struct CurrentRecords<T> {
    schema_version: u32,
    records: T,
}

/// Where a file Keydesk cannot use is kept: next to it, named with the time it was moved.
pub fn backup_path(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    path.with_file_name(format!("{}.{stamp}.bak", file_name(path)))
}

/// The temporary file [`write_atomically`] writes before renaming it over `path`.
fn temp_path(path: &Path) -> PathBuf {
    path.with_file_name(format!(
        ".{}.{}.tmp",
        file_name(path),
        uuid::Uuid::new_v4().simple()
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "settings.json".into())
}

/// Removes temporary files a crash left next to `path` before their rename: they may be
/// incomplete, and the file itself is the last complete write.
pub fn remove_leftover_temps(path: &Path) {
    let (Some(dir), prefix) = (path.parent(), format!(".{}.", file_name(path))) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Replaces the file at `path` with `bytes` so that a crash at any moment leaves either the
/// old file or the new one: write a temporary file in the same folder, sync it, rename it
/// over `path`, sync the folder so the rename itself survives a power cut.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temp = temp_path(path);
    let written = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir)
}

/// Syncs the folder `dir`, so a file created or renamed in it survives a power cut.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Syncs the folder `dir` (nothing to do off Unix).
#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a folder as a file; its rename is durable once it returns.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_leaves_only_the_complete_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("settings.json");
        write_atomically(&path, b"{\"a\":1}").unwrap();
        write_atomically(&path, b"{\"a\":2}").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"a\":2}");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.json"]);
    }
}
