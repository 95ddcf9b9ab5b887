//! The connections part of the settings file (`settings.json` in the data dir): one typed
//! struct per connection, beside the app's preferences (which stay in the app). Nothing
//! secret is ever written here: credentials are keyring items (see [`crate::vault`]).

use std::path::Path;

use keydesk_core::{ConnectionConfig, ProviderKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::files::{Problem, read_versioned};
use crate::paths::SETTINGS_FILE;

/// The schema of the settings file this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A connection as the UI sees it, and as it is stored (its credentials are in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Connection {
    /// Stable id; also the keyring account of its credentials.
    pub id: String,
    /// What the user set in the connection form (stored as fields of the connection itself).
    #[serde(flatten)]
    pub settings: ConnectionSettings,
    /// Served by the embedded sandbox.
    pub sandbox: bool,
    /// Whether credentials were saved to the keyring for it.
    pub has_credentials: bool,
}

impl Connection {
    /// What core needs to reach it (its credentials aside).
    pub fn config(&self) -> ConnectionConfig {
        ConnectionConfig {
            provider: self.settings.provider,
            base_url: self.settings.base_url.clone(),
            org_id: self.settings.org_id.clone(),
            project_id: self.settings.project_id.clone(),
        }
    }
}

/// What the connection form sets, shared by the stored [`Connection`] and the form's input
/// (`ConnectionInput`), so the two cannot drift apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionSettings {
    /// The name the user gave it.
    pub name: String,
    /// Which API it speaks.
    pub provider: ProviderKind,
    /// The API's base URL (https, or http to this machine).
    pub base_url: String,
    /// The organisation, for providers that ask for one.
    pub org_id: Option<String>,
    /// The project, for providers that ask for one.
    pub project_id: Option<String>,
    /// A short tag shown next to the name ("prod", "staging").
    pub label: Option<String>,
    /// A CSS colour for the tag.
    pub color: Option<String>,
}

/// The connections of a settings file's JSON document (none when it has none), or why they
/// cannot be read.
pub fn connections_of(document: &Value) -> std::result::Result<Vec<Connection>, Problem> {
    match document.get("connections") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(other) => serde_json::from_value(other.clone())
            .map_err(|_| "was corrupt (unreadable connections)".to_owned()),
    }
}

/// The connections saved in the settings file of `data_dir`, in the order they were added;
/// none when there is no file. Read only: a file the app would move aside is an error here.
pub fn read_connections(data_dir: &Path) -> Result<Vec<Connection>> {
    let path = data_dir.join(SETTINGS_FILE);
    let unusable = |problem: Problem| {
        Error::internal(format!(
            "The settings file {} {problem}; open Keydesk to repair it.",
            path.display()
        ))
    };
    match read_versioned(&path, SCHEMA_VERSION).map_err(unusable)? {
        Some(document) => connections_of(&document).map_err(unusable),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_read_without_the_preferences_and_a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_connections(dir.path()).unwrap(), []);
        let provider = ProviderKind::ALL[0];
        let file = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "connections": [{
                "id": "c-1", "name": "Receipts", "provider": provider,
                "base_url": "https://api.example.test", "org_id": null, "project_id": null,
                "label": null, "color": null, "sandbox": false, "has_credentials": true,
            }],
            "settings": {"theme": "purple"},
        });
        std::fs::write(dir.path().join(SETTINGS_FILE), file.to_string()).unwrap();
        let connections = read_connections(dir.path()).unwrap();
        assert_eq!(connections.len(), 1);
        assert_eq!(connections[0].settings.name, "Receipts");
        assert_eq!(connections[0].config().provider, provider);

        let newer = serde_json::json!({"schema_version": SCHEMA_VERSION + 1});
        std::fs::write(dir.path().join(SETTINGS_FILE), newer.to_string()).unwrap();
        let error = read_connections(dir.path()).unwrap_err();
        assert!(error.message.contains("newer Keydesk"), "{error}");
    }
}
