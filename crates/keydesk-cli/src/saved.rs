//! The Keydesk app's saved connections: found in its data dir, with their credentials from
//! the keyring items the app wrote (see keydesk-local). Nothing here writes either.

use std::path::PathBuf;
use std::sync::Arc;

use keydesk_core::{Credentials, Error, ErrorKind, Key, Provider, connect};
use keydesk_local::settings::Connection;
use keydesk_local::vault::KeyringVault;

/// The app's data dir and keyring, as this build of the app uses them.
pub struct Saved {
    /// The data dir (`KEYDESK_DATA_DIR`, else the app's).
    pub data_dir: PathBuf,
    /// The keyring items (`KEYDESK_KEYRING_SERVICE`, else this build's service).
    pub vault: KeyringVault,
    /// The saved connections, in the order they were added.
    pub connections: Vec<Connection>,
}

impl Saved {
    /// Reads the saved connections (none when the app never ran here).
    pub fn open() -> Result<Self, Error> {
        let data_dir = keydesk_local::paths::data_dir().ok_or_else(|| Error::Internal {
            message: "This system names no data folder; set KEYDESK_DATA_DIR to the Keydesk \
                      app's."
                .to_owned(),
        })?;
        let connections = keydesk_local::settings::read_connections(&data_dir).map_err(local)?;
        Ok(Self {
            vault: KeyringVault::new(keydesk_local::vault::service()),
            data_dir,
            connections,
        })
    }

    /// The connection whose id, or else whose name, is `wanted`. A usage error names the
    /// saved ones when none fits, and asks for the id when two share the name.
    pub fn find(&self, wanted: &str) -> Result<&Connection, Error> {
        if let Some(connection) = self.connections.iter().find(|c| c.id == wanted) {
            return Ok(connection);
        }
        let named: Vec<&Connection> = self
            .connections
            .iter()
            .filter(|c| c.settings.name.trim() == wanted.trim())
            .collect();
        let usage = |message: String| Error::Validation {
            field: "connection".to_owned(),
            message,
        };
        match named.as_slice() {
            [connection] => Ok(connection),
            [] if self.connections.is_empty() => Err(usage(format!(
                "No connection is saved in {}, so there is no {wanted:?}.",
                self.data_dir.display()
            ))),
            [] => Err(usage(format!(
                "No saved connection is named {wanted:?} or has that id. Saved: {}.",
                described(&self.connections.iter().collect::<Vec<_>>())
            ))),
            several => Err(usage(format!(
                "{} saved connections are named {wanted:?}; give the id of one: {}.",
                several.len(),
                described(several)
            ))),
        }
    }

    /// The credentials the keyring holds for `connection`.
    pub fn credentials(&self, connection: &Connection) -> Result<Credentials, Error> {
        let stored = self
            .vault
            .read(&connection.id)
            .map_err(local)?
            .ok_or_else(|| Error::Api {
                kind: ErrorKind::Unauthorized,
                status: None,
                message: format!(
                    "The keyring holds no credentials for {:?}. Edit it in Keydesk and enter \
                     them.",
                    connection.settings.name
                ),
                request_id: None,
                field: None,
                retry_after: None,
            })?;
        Credentials::from_fields(connection.settings.provider, |name| {
            stored.get(name).cloned()
        })
    }

    /// A client of `connection` with its keyring credentials.
    pub fn client(&self, connection: &Connection) -> Result<Arc<dyn Provider>, Error> {
        connect(connection.config(), self.credentials(connection)?)
    }

    /// Lists the keys of every connection in `connections` at once: each one's keys, or why
    /// they could not be listed, in the same order. Keyring reads come first (they are quick
    /// and synchronous); the lists then run concurrently.
    pub async fn list_all(
        &self,
        connections: &[Connection],
    ) -> Vec<(Connection, Result<Vec<Key>, Error>)> {
        let lists: Vec<_> = connections
            .iter()
            .map(|connection| {
                let client = self.client(connection);
                tokio::spawn(async move { client?.list_keys(None).await })
            })
            .collect();
        let mut listed = Vec::with_capacity(lists.len());
        for (connection, list) in connections.iter().zip(lists) {
            let keys = list.await.unwrap_or_else(|_| {
                Err(Error::Internal {
                    message: "Listing stopped unexpectedly.".to_owned(),
                })
            });
            listed.push((connection.clone(), keys));
        }
        listed
    }
}

/// `"Receipts" (oligon, id …)` for each connection, for messages.
fn described(connections: &[&Connection]) -> String {
    connections
        .iter()
        .map(|c| {
            format!(
                "{:?} ({}, id {})",
                c.settings.name,
                c.settings.provider.as_str(),
                c.id
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// keydesk-local's error on the CLI's terms: a keyring that cannot be used keeps its kind
/// (`keychain_unavailable`, exit 3).
pub fn local(error: keydesk_local::Error) -> Error {
    match error.kind {
        ErrorKind::Internal => Error::Internal {
            message: error.message,
        },
        kind => Error::Api {
            kind,
            status: None,
            message: error.message,
            request_id: None,
            field: None,
            retry_after: None,
        },
    }
}
