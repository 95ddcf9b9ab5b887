//! The inventory export format: every connection's keys with their owner, note and tags, as
//! CSV (one row per key, for spreadsheets) or JSON (one object per connection, for scripts).
//! Never secrets: keys carry only their masked form. The app writes it to a file; the CLI
//! prints it.

use std::collections::BTreeMap;

use keydesk_core::{Annotation, Key};

use crate::settings::Connection;

/// Annotations by connection id, then key id.
pub type Annotations = BTreeMap<String, BTreeMap<String, Annotation>>;

/// The file of annotations in the data dir.
pub const ANNOTATIONS_FILE: &str = "annotations.json";

/// The annotation of `key` in `connection`, if it has one.
fn annotation_of<'a>(
    annotations: &'a Annotations,
    connection: &Connection,
    key: &Key,
) -> Option<&'a Annotation> {
    annotations
        .get(&connection.id)
        .and_then(|keys| keys.get(&key.id))
}

/// The JSON export: one object per connection with its keys.
pub fn inventory_json(
    inventory: &[(Connection, Vec<Key>)],
    annotations: &Annotations,
) -> serde_json::Value {
    let none = Annotation::default();
    let document: Vec<_> = inventory
        .iter()
        .map(|(connection, keys)| {
            let keys: Vec<_> = keys
                .iter()
                .map(|key| {
                    let annotation = annotation_of(annotations, connection, key).unwrap_or(&none);
                    annotated_json(key, annotation)
                })
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
    serde_json::Value::Array(document)
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

/// The CSV export: a header, then one row per key.
pub fn inventory_csv(inventory: &[(Connection, Vec<Key>)], annotations: &Annotations) -> String {
    let mut csv = String::from(
        "connection,provider,key_id,name,masked,environment,status,scopes,created_at,\
         last_used_at,last_used_ip,expires_at,revoked_at,owner,note,tags\n",
    );
    let time = |at: &Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.to_rfc3339()).unwrap_or_default()
    };
    let none = Annotation::default();
    for (connection, keys) in inventory {
        for key in keys {
            let environment = key.environment.map(|env| env.as_str()).unwrap_or("");
            let scopes = key.scopes.join(" ");
            let annotation = annotation_of(annotations, connection, key).unwrap_or(&none);
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
