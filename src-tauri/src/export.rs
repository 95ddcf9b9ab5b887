//! Inventory and activity exports: files the user can hand to an auditor. Never secrets:
//! keys carry only their masked form.

use std::path::{Path, PathBuf};

use keydesk_core::{Annotation, Key};
use serde::{Deserialize, Serialize};

use crate::attention::records::Annotations;
use crate::error::{AppError, AppResult};
use crate::settings::Connection;

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
    let no_annotation = Annotation::default();
    let annotation_of = |connection: &Connection, key: &Key| {
        annotations
            .get(&connection.id)
            .and_then(|keys| keys.get(&key.id))
            .unwrap_or(&no_annotation)
    };
    let (extension, bytes) = match format {
        ExportFormat::Csv => ("csv", inventory_csv(inventory, annotation_of).into_bytes()),
        ExportFormat::Json => {
            let document: Vec<_> = inventory
                .iter()
                .map(|(connection, keys)| {
                    let keys: Vec<_> = keys
                        .iter()
                        .map(|key| annotated_json(key, annotation_of(connection, key)))
                        .collect();
                    serde_json::json!({
                        "connection_id": connection.id,
                        "connection_name": connection.settings.name,
                        "provider": connection.settings.provider,
                        "base_url": connection.settings.base_url,
                        "keys": keys,
                    })
                })
                .collect();
            let text = serde_json::to_vec_pretty(&document)
                .map_err(|_| AppError::internal("Could not encode the inventory."))?;
            ("json", text)
        }
    };
    let path = new_file_path(dir, "keydesk-inventory", extension);
    write_file(&path, &bytes)?;
    Ok(path)
}

/// `key` as JSON with its raw JSON, then `owner`, `note` and `tags`.
fn annotated_json(key: &Key, annotation: &Annotation) -> serde_json::Value {
    let mut json = serde_json::to_value(key.with_raw()).unwrap_or_default();
    if let Some(fields) = json.as_object_mut() {
        fields.insert("owner".into(), annotation.owner().into());
        fields.insert("note".into(), annotation.note.clone().into());
        fields.insert("tags".into(), annotation.tags.clone().into());
    }
    json
}

fn inventory_csv<'a>(
    inventory: &[(Connection, Vec<Key>)],
    annotation_of: impl Fn(&Connection, &Key) -> &'a Annotation,
) -> String {
    let mut csv = String::from(
        "connection,provider,key_id,name,masked,environment,status,scopes,created_at,\
         last_used_at,last_used_ip,expires_at,revoked_at,owner,note,tags\n",
    );
    let time = |at: &Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.to_rfc3339()).unwrap_or_default()
    };
    for (connection, keys) in inventory {
        for key in keys {
            let environment = key.environment.map(|env| env.as_str()).unwrap_or("");
            let scopes = key.scopes.join(" ");
            let annotation = annotation_of(connection, key);
            let tags = annotation.tags.join(" ");
            let (created, used, expires, revoked) = (
                time(&key.created_at),
                time(&key.last_used_at),
                time(&key.expires_at),
                time(&key.revoked_at),
            );
            push_csv_row(
                &mut csv,
                [
                    connection.settings.name.as_str(),
                    connection.settings.provider.as_str(),
                    &key.id,
                    &key.name,
                    &key.masked,
                    environment,
                    key.status.as_str(),
                    &scopes,
                    &created,
                    &used,
                    key.last_used_ip.as_deref().unwrap_or(""),
                    &expires,
                    &revoked,
                    annotation.owner().unwrap_or(""),
                    annotation.note.as_deref().unwrap_or(""),
                    &tags,
                ],
            );
        }
    }
    csv
}

/// Appends one CSV row, quoting fields that need it and defusing spreadsheet formulas.
pub fn push_csv_row<'a>(csv: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        // A leading = + - @ would run as a formula when the file is opened in a spreadsheet.
        let guarded = if field.starts_with(['=', '+', '-', '@']) {
            format!("'{field}")
        } else {
            field.to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            csv.push('"');
            csv.push_str(&guarded.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&guarded);
        }
    }
    csv.push('\n');
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_quote_and_defuse() {
        let mut csv = String::new();
        push_csv_row(&mut csv, ["plain", "a,b", "say \"hi\"", "=SUM(A1)"]);
        assert_eq!(csv, "plain,\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1)\n");
    }
}
