//! The connection registry: connection metadata in the settings store, credentials in the
//! keyring, and one provider client per connection (cached, so a client that trades
//! its credentials for a token keeps the token).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use keydesk_core::{
    ConnectionConfig, ConnectionField, Credentials, ErrorKind, Provider, ProviderKind,
};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::settings::{Connection, ConnectionSettings, SettingsStore};
use crate::vault::{CredentialMap, KeyringVault};

/// What the connection form sends: a new connection (`id` null) or changes to one.
#[derive(Deserialize, specta::Type)]
pub struct ConnectionInput {
    /// `null` for a new connection.
    pub id: Option<String>,
    /// What the form sets: name, provider, base URL and the rest.
    #[serde(flatten)]
    pub settings: ConnectionSettings,
    /// Credential fields by name (`token`, `api_key`, `api_secret`); `null` keeps what the
    /// keyring holds. Redacted in `Debug`, never serialized.
    #[specta(type = Option<BTreeMap<String, String>>)]
    pub credentials: Option<CredentialMap>,
}

impl std::fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("id", &self.id)
            .field("name", &self.settings.name)
            .field("provider", &self.settings.provider)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// When [`ConnectionRegistry::save_with`] writes the credentials to the keyring.
#[derive(Clone, Copy)]
enum KeyringWrite {
    /// Before the connection is saved: a refusal leaves nothing saved.
    Now,
    /// After, by [`ConnectionRegistry::store_credentials`].
    Later,
}

/// Every connection and how to reach it.
pub struct ConnectionRegistry {
    settings: Arc<SettingsStore>,
    vault: Arc<KeyringVault>,
    clients: Mutex<HashMap<String, Arc<dyn Provider>>>,
    /// Who each cached client's token acts as (its JWT `sub`), for the activity log.
    subjects: Mutex<HashMap<String, String>>,
}

impl ConnectionRegistry {
    /// A registry over the settings store and the keyring vault.
    pub fn new(settings: Arc<SettingsStore>, vault: Arc<KeyringVault>) -> Self {
        Self {
            settings,
            vault,
            clients: Mutex::new(HashMap::new()),
            subjects: Mutex::new(HashMap::new()),
        }
    }

    /// Every connection, in the order they were added.
    pub fn list(&self) -> AppResult<Vec<Connection>> {
        Ok(self.settings.snapshot()?.connections)
    }

    /// The connection with `id`.
    pub fn get(&self, id: &str) -> AppResult<Connection> {
        self.list()?
            .into_iter()
            .find(|connection| connection.id == id)
            .ok_or_else(|| AppError::not_found("This connection no longer exists."))
    }

    /// Validates `input`, stores its credentials (if given) in the keyring and its metadata
    /// in the settings store.
    pub fn save(&self, input: ConnectionInput) -> AppResult<Connection> {
        self.save_as(input, false)
    }

    /// [`Self::save`], marking the connection as served by the embedded sandbox.
    pub fn save_as(&self, input: ConnectionInput, sandbox: bool) -> AppResult<Connection> {
        self.save_with(input, sandbox, KeyringWrite::Now)
            .map(|(connection, _)| connection)
    }

    /// Saves a sandbox connection and its client but leaves its credentials to
    /// [`Self::store_credentials`]: the connection is listed, and its client serves it, before
    /// the keyring is written. Answers the credentials still to store.
    pub fn save_sandbox_unstored(
        &self,
        input: ConnectionInput,
    ) -> AppResult<(Connection, Option<CredentialMap>)> {
        self.save_with(input, true, KeyringWrite::Later)
    }

    /// Writes the credentials of a connection saved by [`Self::save_sandbox_unstored`]. When
    /// the keyring refuses them the connection is marked as having none and loses its client,
    /// as if [`Self::save_as`] had failed to store them, and the keyring's error is returned.
    pub fn store_credentials(&self, id: &str, credentials: &CredentialMap) -> AppResult<()> {
        let name = self.get(id)?.settings.name;
        let Err(error) = self.vault.save(id, &name, credentials) else {
            return Ok(());
        };
        self.settings.update(|state| {
            if let Some(connection) = state.connections.iter_mut().find(|old| old.id == id) {
                connection.has_credentials = false;
            }
            Ok(())
        })?;
        self.forget_client(id);
        Err(error.into())
    }

    fn save_with(
        &self,
        input: ConnectionInput,
        sandbox: bool,
        keyring: KeyringWrite,
    ) -> AppResult<(Connection, Option<CredentialMap>)> {
        let existing = match &input.id {
            // The sandbox brings its own stable ids; anyone else must name a stored one.
            Some(id) if sandbox => self.get(id).ok(),
            Some(id) => Some(self.get(id)?),
            None => None,
        };
        let config = validated_config(&input.settings)?;
        // Building the client checks the credentials' shape (empty token, missing secret);
        // once saved it serves the connection, so its first list reads no keyring item back.
        let credentials = input
            .credentials
            .as_ref()
            .map(|credentials| to_core(input.settings.provider, credentials))
            .transpose()?;
        let subject = credentials.as_ref().and_then(Credentials::subject);
        let client = match credentials {
            Some(credentials) => Some(keydesk_core::connect(config.clone(), credentials)?),
            None => None,
        };
        if client.is_none() && existing.as_ref().is_none_or(|old| !old.has_credentials) {
            let field = first_credential_field(input.settings.provider);
            return Err(AppError::validation(
                &field,
                format!("Enter the {} for this connection.", field.replace('_', " ")),
            ));
        }
        let id = input
            .id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let mut keyring_failure = None;
        if let (Some(credentials), KeyringWrite::Now) = (&input.credentials, keyring) {
            match (self.vault)
                .save(&id, &input.settings.name, credentials)
                .map_err(AppError::from)
            {
                Ok(()) => {}
                // Sandbox connections are listed even without a keyring, so the UI can show
                // them and say why they do not work; anyone else's input is refused.
                Err(error) if sandbox && error.kind == ErrorKind::KeychainUnavailable => {
                    keyring_failure = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        // A rename that keeps the stored credentials relabels their item; the label is for
        // people only, so a keyring that refuses it does not fail the save.
        if let (None, Some(old)) = (&input.credentials, &existing)
            && old.settings.name != input.settings.name.trim()
            && old.has_credentials
            && let Err(error) = self.vault.relabel(&id, &input.settings.name)
        {
            tracing::warn!(kind = ?error.kind, "the keyring item was not relabelled");
        }
        let connection = Connection {
            id: id.clone(),
            settings: ConnectionSettings {
                name: input.settings.name.trim().to_owned(),
                provider: input.settings.provider,
                base_url: config.base_url,
                org_id: config.org_id,
                project_id: config.project_id,
                label: non_empty(input.settings.label),
                color: non_empty(input.settings.color),
            },
            sandbox: sandbox || existing.as_ref().is_some_and(|old| old.sandbox),
            has_credentials: keyring_failure.is_none(),
        };
        self.settings.update(|state| {
            match state.connections.iter_mut().find(|old| old.id == id) {
                Some(old) => *old = connection.clone(),
                None => state.connections.push(connection.clone()),
            }
            Ok(())
        })?;
        match (client, &keyring_failure) {
            (Some(client), None) => self.keep_client(&id, client, subject),
            _ => self.forget_client(&id),
        }
        match (keyring_failure, keyring) {
            (Some(error), _) => Err(error),
            (None, KeyringWrite::Now) => Ok((connection, None)),
            (None, KeyringWrite::Later) => Ok((connection, input.credentials)),
        }
    }

    /// Points every connection whose base URL is `from` or under it at `to` instead (the
    /// embedded sandbox moved to another port); their clients are made again on next use.
    pub fn repoint(&self, from: &str, to: &str) -> AppResult<()> {
        let under = |base_url: &str| {
            base_url
                .strip_prefix(from)
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                .map(|rest| format!("{to}{rest}"))
        };
        let moving: Vec<String> = self
            .list()?
            .into_iter()
            .filter(|connection| under(&connection.settings.base_url).is_some())
            .map(|connection| connection.id)
            .collect();
        if moving.is_empty() {
            return Ok(());
        }
        self.settings.update(|state| {
            for connection in &mut state.connections {
                if let Some(moved) = under(&connection.settings.base_url) {
                    connection.settings.base_url = moved;
                }
            }
            Ok(())
        })?;
        for id in &moving {
            self.forget_client(id);
        }
        Ok(())
    }

    /// Removes the connection and its keyring item. The keyring goes first: a connection is
    /// never dropped while its secrets stay behind.
    pub fn delete(&self, id: &str) -> AppResult<()> {
        self.vault.delete(id)?;
        self.settings.update(|state| {
            state.connections.retain(|connection| connection.id != id);
            Ok(())
        })?;
        self.forget_client(id);
        Ok(())
    }

    /// A client for `input` as typed in the form (credentials from the keyring when it
    /// sends none), without saving anything.
    pub fn client_for_input(&self, input: &ConnectionInput) -> AppResult<Arc<dyn Provider>> {
        let config = validated_config(&input.settings)?;
        let credentials = match (&input.credentials, &input.id) {
            (Some(credentials), _) => to_core(input.settings.provider, credentials)?,
            (None, Some(id)) => self.stored_credentials(id, input.settings.provider)?,
            (None, None) => {
                let field = first_credential_field(input.settings.provider);
                return Err(AppError::validation(
                    &field,
                    format!("Enter the {} for this connection.", field.replace('_', " ")),
                ));
            }
        };
        Ok(keydesk_core::connect(config, credentials)?)
    }

    /// The connection `id` and its (cached) client.
    pub fn client(&self, id: &str) -> AppResult<(Connection, Arc<dyn Provider>)> {
        let connection = self.get(id)?;
        if let Some(client) = self.clients()?.get(id) {
            return Ok((connection, client.clone()));
        }
        let credentials = self.stored_credentials(id, connection.settings.provider)?;
        let subject = credentials.subject();
        let client = keydesk_core::connect(connection.config(), credentials)?;
        self.keep_client(id, client.clone(), subject);
        Ok((connection, client))
    }

    fn stored_credentials(&self, id: &str, provider: ProviderKind) -> AppResult<Credentials> {
        let stored = self.vault.read(id)?.ok_or_else(|| {
            AppError::new(
                ErrorKind::Unauthorized,
                "The keyring holds no credentials for this connection. Edit it and enter them.",
            )
        })?;
        to_core(provider, &stored)
    }

    /// Who the token of `id` acts as, once its client was made (the JWT's `sub`).
    pub fn subject(&self, id: &str) -> Option<String> {
        self.subjects.lock().ok()?.get(id).cloned()
    }

    /// Caches `client` of `id` with who its token acts as.
    fn keep_client(&self, id: &str, client: Arc<dyn Provider>, subject: Option<String>) {
        if let Ok(mut subjects) = self.subjects.lock() {
            match subject {
                Some(subject) => subjects.insert(id.to_owned(), subject),
                None => subjects.remove(id),
            };
        }
        if let Ok(mut clients) = self.clients() {
            clients.insert(id.to_owned(), client);
        }
    }

    fn forget_client(&self, id: &str) {
        if let Ok(mut clients) = self.clients() {
            clients.remove(id);
        }
        if let Ok(mut subjects) = self.subjects.lock() {
            subjects.remove(id);
        }
    }

    fn clients(&self) -> AppResult<std::sync::MutexGuard<'_, HashMap<String, Arc<dyn Provider>>>> {
        self.clients
            .lock()
            .map_err(|_| AppError::internal("The connection cache is poisoned."))
    }
}

/// Checks name, URL and the provider's required settings.
fn validated_config(settings: &ConnectionSettings) -> AppResult<ConnectionConfig> {
    if settings.name.trim().is_empty() {
        return Err(AppError::validation("name", "Give the connection a name."));
    }
    let base_url = keydesk_core::parse_base_url(&settings.base_url)?;
    let needs = settings.provider.capabilities().connection_fields;
    let org_id = non_empty(settings.org_id.clone());
    let project_id = non_empty(settings.project_id.clone());
    for field in &needs {
        let (name, missing) = match field.name {
            ConnectionField::OrgId => ("org_id", org_id.is_none()),
            ConnectionField::ProjectId => ("project_id", project_id.is_none()),
        };
        if missing {
            let message = format!("Enter the {}.", field.label.to_lowercase());
            return Err(AppError::validation(name, message));
        }
    }
    Ok(ConnectionConfig {
        provider: settings.provider,
        base_url: base_url.as_str().trim_end_matches('/').to_owned(),
        org_id,
        project_id,
    })
}

/// The stored credential fields as core wants them for `provider`.
fn to_core(provider: ProviderKind, fields: &CredentialMap) -> AppResult<Credentials> {
    Ok(Credentials::from_fields(provider, |name| {
        fields.get(name).cloned()
    })?)
}

fn first_credential_field(provider: ProviderKind) -> String {
    provider
        .capabilities()
        .credential_fields
        .first()
        .and_then(|field| serde_json::to_value(field.name).ok())
        .and_then(|name| name.as_str().map(str::to_owned))
        .unwrap_or_else(|| "token".into())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}
