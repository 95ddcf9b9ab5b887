//! Fingerprints of every secret Keydesk creates or rotates in, so the leaked-key search finds
//! its keys even where a provider lists no part of them (SyncgramPay) or lists only the other
//! half of a pair (fiskaly's API key, not its secret).
//!
//! The fingerprints (HMAC-SHA256, see [`keydesk_core::FingerprintKey`]) live in
//! `secret-fingerprints.json` in the data dir, by connection id, with the key id, provider,
//! which secret and when: never the secret. The HMAC key is a keyring item of its own
//! (account [`KEYRING_ACCOUNT`]), created on first need. Without a keyring no fingerprint is
//! written and the search says fingerprints could not be checked: the HMAC key never goes to
//! disk, or the file would let anyone test guesses against it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use keydesk_core::{CreatedKey, FingerprintKey, RememberedSecret};
use keydesk_local::fingerprints::{self as stored, FILE};

use crate::attention::records::RecordFile;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vault::KeyringVault;

// The file and the keyring item are read by keydesk-cli's leaked-key search too.
pub use keydesk_local::fingerprints::{KEYRING_ACCOUNT, RememberedSecrets};

/// The fingerprint file and the keyring item of its HMAC key.
pub struct Fingerprints {
    file: RecordFile<RememberedSecrets>,
    vault: Arc<KeyringVault>,
    /// The HMAC key once read or made, so each create does not ask the keyring again.
    key: Mutex<Option<FingerprintKey>>,
}

impl Fingerprints {
    /// Opens `secret-fingerprints.json` in `data_dir` (a file that cannot be used adds a
    /// sentence to `notices`); the HMAC key is read from `vault` when first needed.
    pub fn open(data_dir: &Path, vault: Arc<KeyringVault>, notices: &mut Vec<String>) -> Self {
        Self {
            file: RecordFile::open(data_dir.join(FILE), "secret fingerprints", notices),
            vault,
            key: Mutex::new(None),
        }
    }

    /// Every remembered secret, by connection id.
    pub fn remembered(&self) -> AppResult<RememberedSecrets> {
        self.file.get()
    }

    /// The HMAC key, with what is remembered, for a search; `Ok(None)` when nothing is
    /// remembered (no keyring is asked then). Fails when the keyring cannot give the key.
    pub fn for_search(&self) -> AppResult<Option<(FingerprintKey, RememberedSecrets)>> {
        let remembered = self.remembered()?;
        if remembered.values().all(Vec::is_empty) {
            return Ok(None);
        }
        let key = self.key(false)?.ok_or_else(stored::missing_key)?;
        Ok(Some((key, remembered)))
    }

    /// Forgets what was remembered of `connection_id`'s keys.
    pub fn forget_connection(&self, connection_id: &str) -> AppResult<()> {
        if self.file.read(|all| !all.contains_key(connection_id))? {
            return Ok(());
        }
        self.file.update(|all| {
            all.remove(connection_id);
        })
    }

    /// Removes the HMAC key from the keyring (tests cleaning up their keyring namespace).
    pub fn delete_key(&self) -> AppResult<()> {
        Ok(self.vault.delete(KEYRING_ACCOUNT)?)
    }

    /// The HMAC key: cached, read from the keyring, or (with `create`) made and stored.
    fn key(&self, create: bool) -> AppResult<Option<FingerprintKey>> {
        let mut slot = self
            .key
            .lock()
            .map_err(|_| AppError::internal("The fingerprint key is poisoned."))?;
        if let Some(key) = slot.as_ref() {
            return Ok(Some(key.clone()));
        }
        let stored = match stored::read_key(&self.vault)? {
            Some(key) => Some(key),
            None if create => Some(stored::create_key(&self.vault)?),
            None => None,
        };
        slot.clone_from(&stored);
        Ok(stored)
    }
}

/// Remembers the fingerprint of every secret of `created`, a key just made (or rotated in)
/// in `connection_id`. Never fails the create: a keyring or file that refuses is logged, and
/// the search then cannot find this key by fingerprint.
pub fn remember(state: &AppState, connection_id: &str, created: &CreatedKey) {
    let remembered = (|| {
        let provider = state.connections.get(connection_id)?.settings.provider;
        let key = state
            .fingerprints
            .key(true)?
            .ok_or_else(|| AppError::internal("No fingerprint key."))?;
        let records = RememberedSecret::of_created(&key, provider, created, Utc::now());
        state.fingerprints.file.update(|all| {
            all.entry(connection_id.to_owned())
                .or_default()
                .extend(records);
        })
    })();
    if let Err(error) = remembered {
        tracing::warn!(kind = ?error.kind, "the new key's fingerprint was not written");
    }
}
