//! Connection credentials in the OS keyring (Secret Service on Linux), and nowhere else.
//!
//! One keyring item per connection: service = the build's namespace (`dev.keydesk` or
//! `dev.keydesk.debug`), account = the connection id, secret = a JSON object of the
//! credential fields. Reads return `Option`, deletes are idempotent, and when no keyring can
//! be reached every call fails with `keychain_unavailable`: there is no file fallback.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use keyring_core::Entry;
use secrecy::{ExposeSecret, SecretString};
use zbus_secret_service_keyring_store::Store;
use zeroize::Zeroizing;

use crate::error::{AppError, AppResult};

/// The keyring service name of this build: debug and release builds never share entries.
pub const SERVICE: &str = if cfg!(debug_assertions) {
    "dev.keydesk.debug"
} else {
    "dev.keydesk"
};

/// A connection's credential fields (`token`, `api_key`, `api_secret`…), values secret.
pub type CredentialMap = BTreeMap<String, SecretString>;

const UNREACHABLE: &str = "The system keyring is not available, so Keydesk cannot store or \
read connection credentials. Start a Secret Service keyring (GNOME Keyring or KWallet) in \
your desktop session, then try again.";
const LOCKED: &str = "The system keyring is locked. Unlock your login keyring, then try again.";

/// The credentials of every connection, kept in the OS keyring under one service name.
pub struct KeyringVault {
    service: String,
    /// Connected lazily and again after a failure, so a keyring started after Keydesk works.
    store: Mutex<Option<Arc<Store>>>,
}

impl KeyringVault {
    /// A vault storing its items under `service` (use [`SERVICE`] outside tests).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            store: Mutex::new(None),
        }
    }

    /// `Ok` when the keyring can be reached now.
    pub fn check(&self) -> AppResult<()> {
        self.store().map(drop)
    }

    /// Saves (or replaces) the credentials of `connection_id`.
    pub fn save(&self, connection_id: &str, credentials: &CredentialMap) -> AppResult<()> {
        let plain: BTreeMap<&str, &str> = credentials
            .iter()
            .map(|(name, value)| (name.as_str(), value.expose_secret()))
            .collect();
        let json = Zeroizing::new(
            serde_json::to_string(&plain)
                .map_err(|_| AppError::internal("Could not encode the credentials."))?,
        );
        self.entry(connection_id)?
            .set_password(&json)
            .map_err(keyring_error)
    }

    /// The credentials of `connection_id`, or `None` when the keyring holds none.
    pub fn read(&self, connection_id: &str) -> AppResult<Option<CredentialMap>> {
        let json = match self.entry(connection_id)?.get_password() {
            Ok(json) => Zeroizing::new(json),
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(error) => return Err(keyring_error(error)),
        };
        let plain: BTreeMap<String, String> = serde_json::from_str(&json).map_err(|_| {
            AppError::keychain_unavailable(
                "The keyring item of this connection is damaged. Enter its credentials again.",
            )
        })?;
        Ok(Some(
            plain
                .into_iter()
                .map(|(name, value)| (name, SecretString::from(value)))
                .collect(),
        ))
    }

    /// Removes the credentials of `connection_id`; removing nothing is fine.
    pub fn delete(&self, connection_id: &str) -> AppResult<()> {
        match self.entry(connection_id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error)),
        }
    }

    fn entry(&self, connection_id: &str) -> AppResult<Entry> {
        use keyring_core::api::CredentialStoreApi;
        self.store()?
            .build(&self.service, connection_id, None)
            .map_err(keyring_error)
    }

    fn store(&self) -> AppResult<Arc<Store>> {
        let mut slot = self
            .store
            .lock()
            .map_err(|_| AppError::internal("The keyring state is poisoned."))?;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = Store::new().map_err(|error| {
            tracing::warn!(reason = %platform_reason(&error), "secret service unreachable");
            AppError::keychain_unavailable(UNREACHABLE)
        })?;
        *slot = Some(store.clone());
        Ok(store)
    }
}

/// Maps a keyring failure to what the user can do about it. Never formats the error with
/// `Debug`: some variants carry the secret's bytes.
fn keyring_error(error: keyring_core::Error) -> AppError {
    match error {
        keyring_core::Error::NoStorageAccess(_) => AppError::keychain_unavailable(LOCKED),
        other => {
            tracing::warn!(reason = %platform_reason(&other), "keyring call failed");
            AppError::keychain_unavailable(UNREACHABLE)
        }
    }
}

/// A loggable reason: the platform's message for platform failures, the variant otherwise.
fn platform_reason(error: &keyring_core::Error) -> String {
    match error {
        keyring_core::Error::PlatformFailure(inner)
        | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
        keyring_core::Error::NoDefaultStore => "no default store".into(),
        keyring_core::Error::NotSupportedByStore(what) => what.clone(),
        _ => "unexpected keyring answer".into(),
    }
}
