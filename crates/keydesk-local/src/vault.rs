//! Connection credentials in the OS keyring, and nowhere else.
//!
//! One keyring item per connection: service = the build's namespace (`dev.keydesk` or
//! `dev.keydesk.debug`), account = the connection id, secret = a JSON object of the
//! credential fields, label = "Keydesk — <connection name>" so a keyring manager (Seahorse)
//! shows what it is. Items are found by service and account, never by label, so items
//! written before labels existed keep working. Reads return `Option`, deletes are
//! idempotent, and when no keyring can be reached every call fails with
//! `keychain_unavailable`: there is no file fallback.
//!
//! The store is chosen per OS in [`platform`]: the Secret Service on Linux. This repository is
//! built and tested on Linux only; elsewhere no store is wired yet, so every call reports
//! `keychain_unavailable` rather than falling back to a file.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The keyring service name of this build: debug and release builds never share entries.
pub const SERVICE: &str = if cfg!(debug_assertions) {
    "dev.keydesk.debug"
} else {
    "dev.keydesk"
};

/// The environment variable that puts this build's items under another service name (tests,
/// a second profile); the app and keydesk-cli both honour it.
pub const SERVICE_ENV: &str = "KEYDESK_KEYRING_SERVICE";

/// The service name to use: [`SERVICE_ENV`] when set, else [`SERVICE`].
pub fn service() -> String {
    std::env::var(SERVICE_ENV)
        .ok()
        .filter(|service| !service.trim().is_empty())
        .unwrap_or_else(|| SERVICE.to_owned())
}

/// A connection's credential fields (`token`, `api_key`, `api_secret`…), values secret.
pub type CredentialMap = BTreeMap<String, SecretString>;

const LOCKED: &str = "The system keyring is locked. Unlock your login keyring, then try again.";

/// The label a person sees on the keyring item of `name` (a connection's name).
pub fn label(name: &str) -> String {
    format!("Keydesk — {}", name.trim())
}

/// The credentials of every connection, kept in the OS keyring under one service name.
pub struct KeyringVault {
    service: String,
    /// Connected lazily and again after a failure, so a keyring started after Keydesk works.
    store: Mutex<Option<Arc<CredentialStore>>>,
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
    pub fn check(&self) -> Result<()> {
        self.store().map(drop)
    }

    /// Saves (or replaces) the credentials of `connection_id`, labelled with `name`.
    pub fn save(&self, connection_id: &str, name: &str, credentials: &CredentialMap) -> Result<()> {
        let plain: BTreeMap<&str, &str> = credentials
            .iter()
            .map(|(name, value)| (name.as_str(), value.expose_secret()))
            .collect();
        let json = Zeroizing::new(
            serde_json::to_string(&plain)
                .map_err(|_| Error::internal("Could not encode the credentials."))?,
        );
        let label = label(name);
        let entry = self.entry(connection_id, Some(&label))?;
        entry.set_password(&json).map_err(keyring_error)?;
        // Replacing a secret keeps the item's old label: an item from before labels, or
        // of a connection since renamed, gets the current one.
        platform::set_label(&entry, &label).map_err(keyring_error)
    }

    /// Labels the item of `connection_id` with `name` (a renamed connection); an item that
    /// does not exist is fine.
    pub fn relabel(&self, connection_id: &str, name: &str) -> Result<()> {
        let label = label(name);
        match platform::set_label(&self.entry(connection_id, Some(&label))?, &label) {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error)),
        }
    }

    /// The label of the item of `connection_id`, `None` when there is no item (or the store
    /// keeps no labels).
    pub fn label(&self, connection_id: &str) -> Result<Option<String>> {
        match platform::label(&self.entry(connection_id, None)?) {
            Ok(label) => Ok(label),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_error(error)),
        }
    }

    /// The credentials of `connection_id`, or `None` when the keyring holds none.
    pub fn read(&self, connection_id: &str) -> Result<Option<CredentialMap>> {
        let json = match self.entry(connection_id, None)?.get_password() {
            Ok(json) => Zeroizing::new(json),
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(error) => return Err(keyring_error(error)),
        };
        let plain: BTreeMap<String, String> = serde_json::from_str(&json).map_err(|_| {
            Error::keychain_unavailable(
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
    pub fn delete(&self, connection_id: &str) -> Result<()> {
        match self.entry(connection_id, None)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error)),
        }
    }

    /// The entry of `connection_id`; `label` names the item it creates, if it creates one.
    fn entry(&self, connection_id: &str, label: Option<&str>) -> Result<Entry> {
        let modifiers = label.map(platform::label_modifiers);
        self.store()?
            .build(&self.service, connection_id, modifiers.as_ref())
            .map_err(keyring_error)
    }

    fn store(&self) -> Result<Arc<CredentialStore>> {
        let mut slot = self
            .store
            .lock()
            .map_err(|_| Error::internal("The keyring state is poisoned."))?;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = platform::open_store().map_err(|error| {
            tracing::warn!(reason = %platform_reason(&error), "keyring unreachable");
            Error::keychain_unavailable(platform::UNREACHABLE)
        })?;
        *slot = Some(store.clone());
        Ok(store)
    }
}

/// The keyring store of each OS: the only code that names one.
#[cfg(target_os = "linux")]
mod platform {
    use std::collections::HashMap;
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Entry};
    use zbus_secret_service_keyring_store::Store;
    use zbus_secret_service_keyring_store::cred::Specifier;

    pub const UNREACHABLE: &str = "The system keyring is not available, so Keydesk cannot \
store or read connection credentials. Start a Secret Service keyring (GNOME Keyring or \
KWallet) in your desktop session, then try again.";

    pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = Store::new()?;
        Ok(store)
    }

    /// The Secret Service store takes an item's label from the `label` modifier.
    pub fn label_modifiers(label: &str) -> HashMap<&str, &str> {
        HashMap::from([("label", label)])
    }

    pub fn set_label(entry: &Entry, label: &str) -> keyring_core::Result<()> {
        match entry.as_any().downcast_ref::<Specifier>() {
            Some(specifier) => specifier.set_label(label),
            None => Ok(()),
        }
    }

    pub fn label(entry: &Entry) -> keyring_core::Result<Option<String>> {
        match entry.as_any().downcast_ref::<Specifier>() {
            Some(specifier) => specifier.get_label().map(Some),
            None => Ok(None),
        }
    }
}

/// No store is wired for this OS yet (only Linux is built here): every call reports
/// `keychain_unavailable`, and nothing falls back to a file.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::collections::HashMap;
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Entry};

    pub const UNREACHABLE: &str = "This build of Keydesk has no keyring store for this \
system, so it cannot store or read connection credentials.";

    pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(keyring_core::Error::NoDefaultStore)
    }

    pub fn label_modifiers(_label: &str) -> HashMap<&str, &str> {
        HashMap::new()
    }

    pub fn set_label(_entry: &Entry, _label: &str) -> keyring_core::Result<()> {
        Ok(())
    }

    pub fn label(_entry: &Entry) -> keyring_core::Result<Option<String>> {
        Ok(None)
    }
}

/// Maps a keyring failure to what the user can do about it. Never formats the error with
/// `Debug`: some variants carry the secret's bytes.
fn keyring_error(error: keyring_core::Error) -> Error {
    match error {
        keyring_core::Error::NoStorageAccess(_) => Error::keychain_unavailable(LOCKED),
        other => {
            tracing::warn!(reason = %platform_reason(&other), "keyring call failed");
            Error::keychain_unavailable(platform::UNREACHABLE)
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
