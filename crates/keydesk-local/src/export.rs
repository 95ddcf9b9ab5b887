//! The inventory export format: every connection's keys with their owner, note and tags, as
//! CSV (one row per key, for spreadsheets) or JSON (one object per connection, for scripts).
//! Never secrets: keys carry only their masked form. The app writes it to a file; the CLI
//! prints it.

use std::collections::BTreeMap;

use keydesk_core::{
    Annotation, Environment, Key, KeyStatus, Metadata, ProviderKind, RawJson, Rotation,
};
use serde::{Serialize, Serializer};

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

/// The JSON export: one object per connection with its keys, pretty-printed to `writer`
/// without first building the whole document as a `Value` tree (10,000s of keys with their
/// raw JSON made that tree hundreds of megabytes).
pub fn write_inventory_json<W: std::io::Write>(
    writer: W,
    inventory: &[(Connection, Vec<Key>)],
    annotations: &Annotations,
) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(
        writer,
        &InventoryJson {
            inventory,
            annotations,
        },
    )
}

/// The JSON export as something to serialize: the format's fields come out in the sorted
/// order the export has always had (it used to be a `Value` tree, whose maps sort their keys).
pub struct InventoryJson<'a> {
    /// Every connection with its keys.
    pub inventory: &'a [(Connection, Vec<Key>)],
    /// The owner, note and tags of the keys.
    pub annotations: &'a Annotations,
}

impl Serialize for InventoryJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let none = Annotation::default();
        serializer.collect_seq(
            self.inventory
                .iter()
                .map(|(connection, keys)| ConnectionJson {
                    base_url: &connection.settings.base_url,
                    connection_id: &connection.id,
                    connection_name: &connection.settings.name,
                    keys: KeysJson {
                        connection,
                        keys,
                        annotations: self.annotations,
                        none: &none,
                    },
                    provider: connection.settings.provider,
                }),
        )
    }
}

/// One connection of the export; fields in sorted order.
#[derive(Serialize)]
struct ConnectionJson<'a> {
    base_url: &'a str,
    connection_id: &'a str,
    connection_name: &'a str,
    keys: KeysJson<'a>,
    provider: ProviderKind,
}

/// The keys of one connection with their annotations.
struct KeysJson<'a> {
    connection: &'a Connection,
    keys: &'a [Key],
    annotations: &'a Annotations,
    none: &'a Annotation,
}

impl Serialize for KeysJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.keys.iter().map(|key| {
            let annotation =
                annotation_of(self.annotations, self.connection, key).unwrap_or(self.none);
            AnnotatedKeyJson {
                created_at: &key.created_at,
                environment: key.environment,
                expires_at: &key.expires_at,
                id: &key.id,
                last_used_at: &key.last_used_at,
                last_used_ip: key.last_used_ip.as_deref(),
                masked: &key.masked,
                metadata: &key.metadata,
                name: &key.name,
                note: annotation.note.as_deref(),
                owner: annotation.owner(),
                raw: SortedRaw(&key.raw),
                revoked_at: &key.revoked_at,
                rotation: key.rotation.as_ref().map(RotationJson::from),
                scopes: &key.scopes,
                status: key.status,
                tags: &annotation.tags,
            }
        }))
    }
}

type Time = Option<chrono::DateTime<chrono::Utc>>;

/// A key's fields (see [`Key::with_raw`]) and its annotation, in sorted order.
#[derive(Serialize)]
struct AnnotatedKeyJson<'a> {
    created_at: &'a Time,
    environment: Option<Environment>,
    expires_at: &'a Time,
    id: &'a str,
    last_used_at: &'a Time,
    last_used_ip: Option<&'a str>,
    masked: &'a str,
    metadata: &'a Metadata,
    name: &'a str,
    note: Option<&'a str>,
    owner: Option<&'a str>,
    raw: SortedRaw<'a>,
    revoked_at: &'a Time,
    rotation: Option<RotationJson<'a>>,
    scopes: &'a [String],
    status: KeyStatus,
    tags: &'a [String],
}

/// [`Rotation`]'s fields in sorted order.
#[derive(Serialize)]
struct RotationJson<'a> {
    grace_expires_at: &'a Time,
    interval_days: Option<u32>,
    next_rotation_at: &'a Time,
    replaced_by: Option<&'a str>,
    webhook_url: Option<&'a str>,
}

impl<'a> From<&'a Rotation> for RotationJson<'a> {
    fn from(rotation: &'a Rotation) -> Self {
        RotationJson {
            grace_expires_at: &rotation.grace_expires_at,
            interval_days: rotation.interval_days,
            next_rotation_at: &rotation.next_rotation_at,
            replaced_by: rotation.replaced_by.as_deref(),
            webhook_url: rotation.webhook_url.as_deref(),
        }
    }
}

/// A key's raw JSON as the export has always written it: re-indented with its object keys
/// sorted, so it goes through a `Value` (one key's at a time, not the whole export's).
struct SortedRaw<'a>(&'a RawJson);

impl Serialize for SortedRaw<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_value().serialize(serializer)
    }
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
    use crate::settings::ConnectionSettings;
    use chrono::TimeZone;
    use serde_json::json;

    /// The export as it was written before it was streamed: a `Value` tree, pretty-printed.
    fn value_tree_json(inventory: &[(Connection, Vec<Key>)], annotations: &Annotations) -> Vec<u8> {
        let none = Annotation::default();
        let document: Vec<_> = inventory
            .iter()
            .map(|(connection, keys)| {
                let keys: Vec<_> = keys
                    .iter()
                    .map(|key| {
                        let annotation =
                            annotation_of(annotations, connection, key).unwrap_or(&none);
                        let mut json = serde_json::to_value(key.with_raw()).unwrap();
                        let fields = json.as_object_mut().unwrap();
                        fields.insert("owner".into(), annotation.owner().into());
                        fields.insert("note".into(), annotation.note.clone().into());
                        fields.insert("tags".into(), annotation.tags.clone().into());
                        json
                    })
                    .collect();
                json!({
                    "connection_id": connection.id,
                    "connection_name": connection.settings.name,
                    "provider": connection.settings.provider,
                    "base_url": connection.settings.base_url,
                    "keys": keys,
                })
            })
            .collect();
        serde_json::to_vec_pretty(&serde_json::Value::Array(document)).unwrap()
    }

    fn connection(id: &str, provider: ProviderKind) -> Connection {
        Connection {
            id: id.to_owned(),
            settings: ConnectionSettings {
                name: format!("{id} \"quoted\" ü"),
                provider,
                base_url: format!("http://127.0.0.1:8080/{id}"),
                org_id: Some("org".to_owned()),
                project_id: None,
                label: Some("prod".to_owned()),
                color: None,
            },
            sandbox: false,
            has_credentials: true,
        }
    }

    /// Keys with every field set or empty in turn, and raw JSON as providers send it: keys
    /// out of order, nesting, escapes, numbers of every kind.
    fn keys(count: usize) -> Vec<Key> {
        (0..count)
            .map(|index| {
                let mut key = Key::bare(
                    format!("key_{index:04}"),
                    format!("name {index} \u{1F511} \"x\"\n"),
                    format!("sk_live_…{index:04}"),
                    [KeyStatus::Active, KeyStatus::Revoked, KeyStatus::Disabled][index % 3],
                );
                let at = |days: i64| Some(chrono::Utc.timestamp_opt(1_700_000_000 + days * 86_400, 123_000).unwrap());
                if index % 2 == 0 {
                    key.environment = Some([Environment::Live, Environment::Test][index % 4 / 2]);
                    key.scopes = vec!["write:keys".to_owned(), "read".to_owned()];
                    key.created_at = at(index as i64);
                    key.last_used_at = at(index as i64 + 3);
                    key.last_used_ip = Some("10.0.0.7".to_owned());
                    key.metadata = BTreeMap::from([
                        ("zeta".into(), "1".to_owned()),
                        ("alpha".into(), "<&>".to_owned()),
                    ]);
                }
                if index % 3 == 1 {
                    key.expires_at = at(400);
                    key.revoked_at = at(10);
                }
                if index % 5 == 0 {
                    key.rotation = Some(Rotation {
                        replaced_by: Some("key_next".to_owned()),
                        grace_expires_at: at(2),
                        interval_days: Some(30),
                        next_rotation_at: None,
                        webhook_url: Some("https://hooks.example/rotate".to_owned()),
                    });
                }
                if index % 7 != 3 {
                    let text = format!(
                        r#"{{"zz":{index},"id":"key_{index:04}","a":{{"y":[1,2.5,-3e2,{{"b":null,"a":true}}],"x":"\u00e9\t\"q\""}},"big":18446744073709551615,"neg":-9223372036854775808,"f":0.1,"e":1E10,"empty":{{}},"list":[]}}"#
                    );
                    key.raw = RawJson::from(serde_json::value::RawValue::from_string(text).unwrap());
                }
                key
            })
            .collect()
    }

    #[test]
    fn the_streamed_json_is_byte_for_byte_the_value_tree_json() {
        let inventory = vec![
            (connection("c-oligon", ProviderKind::Oligon), keys(60)),
            (connection("c-fiskaly", ProviderKind::Fiskaly), keys(7)),
            (connection("c-syncgram", ProviderKind::Syncgram), Vec::new()),
            (connection("c-strait", ProviderKind::Strait), keys(31)),
        ];
        let mut annotations = Annotations::new();
        annotations
            .entry("c-oligon".to_owned())
            .or_default()
            .extend([
                (
                    "key_0000".to_owned(),
                    Annotation {
                        owner: Some(" ana ".to_owned()),
                        note: Some("line\nbreak \"q\"".to_owned()),
                        tags: vec!["billing".to_owned(), "team:core".to_owned()],
                    },
                ),
                (
                    "key_0001".to_owned(),
                    Annotation {
                        owner: Some("   ".to_owned()),
                        note: None,
                        tags: Vec::new(),
                    },
                ),
            ]);
        annotations
            .entry("c-strait".to_owned())
            .or_default()
            .insert(
                "key_0030".to_owned(),
                Annotation {
                    owner: Some("ops".to_owned()),
                    note: None,
                    tags: vec!["x".to_owned()],
                },
            );
        // Annotations of a connection or key that is gone are not exported.
        annotations
            .entry("c-gone".to_owned())
            .or_default()
            .insert("key_0000".to_owned(), Annotation::default());

        let mut streamed = Vec::new();
        write_inventory_json(&mut streamed, &inventory, &annotations).unwrap();
        let expected = value_tree_json(&inventory, &annotations);
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        // And an empty inventory.
        let mut streamed = Vec::new();
        write_inventory_json(&mut streamed, &[], &annotations).unwrap();
        assert_eq!(streamed, value_tree_json(&[], &annotations));
    }

    #[test]
    fn csv_rows_quote_and_defuse() {
        let mut csv = String::new();
        push_csv_row(&mut csv, ["plain", "a,b", "say \"hi\"", "=SUM(A1)"]);
        assert_eq!(csv, "plain,\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1)\n");
    }
}
